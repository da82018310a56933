// The same holds for a header generated from a user's catalog with `hotcrm codegen`.
#include "codegen/expected/small_catalog.hpp"

void user_misspelt_field() {
  inventory::Gadget gadget;
  gadget.colour = "red";
}
