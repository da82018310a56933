// A required field cannot be cleared: it is not among the Clearable fields.
#include <hotcrm/catalog/crm.hpp>

void clear_required() {
  hotcrm::crm::Lead lead;
  lead.clear(hotcrm::crm::Lead::Clearable::last_name);
}
