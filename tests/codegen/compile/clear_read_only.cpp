// A field only the engine sets cannot be cleared either.
#include <hotcrm/catalog/crm.hpp>

void clear_read_only() {
  hotcrm::crm::Lead lead;
  lead.clear(hotcrm::crm::Lead::Clearable::is_converted);
}
