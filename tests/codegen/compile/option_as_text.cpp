// A picklist takes its enum, not free text (which could be any misspelling).
#include <hotcrm/catalog/crm.hpp>

void option_as_text() {
  hotcrm::crm::Lead lead;
  lead.status = "contacted";
}
