// A field only the engine sets (here a read-only one set by lead conversion) cannot be assigned.
#include <hotcrm/catalog/crm.hpp>

void read_only_write() {
  hotcrm::crm::Lead lead;
  lead.is_converted = true;
}
