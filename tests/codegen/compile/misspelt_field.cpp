// A misspelt field name is a compile error.
#include <hotcrm/catalog/crm.hpp>

void misspelt_field() {
  hotcrm::crm::Lead lead;
  lead.compnay = "Acme";
}
