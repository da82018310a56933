// A misspelt picklist option is a compile error.
#include <hotcrm/catalog/crm.hpp>

void misspelt_option() {
  hotcrm::crm::Lead lead;
  lead.status = hotcrm::crm::Lead::Status::contacetd;
}
