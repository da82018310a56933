// Must compile without a warning: every standard package's structs, the user catalog's golden
// header, and the typed Session calls. The mistake snippets beside it differ by one error each.
#include <hotcrm/catalog/standard.hpp>
#include <hotcrm/hotcrm.hpp>

#include "codegen/expected/small_catalog.hpp"

std::string typed_calls(hotcrm::Database& db) {
  hotcrm::crm::Lead lead;
  lead.company = "Acme";
  lead.last_name = "Ng";
  lead.status = hotcrm::crm::Lead::Status::contacted;
  lead.annual_revenue = hotcrm::Decimal::parse("1000.00");
  const std::string id = db.insert(lead);
  hotcrm::crm::Lead stored = db.get<hotcrm::crm::Lead>(id);
  stored.rating = hotcrm::crm::Lead::Rating::hot;
  db.update(stored);
  stored.clear(hotcrm::crm::Lead::Clearable::rating).clear(hotcrm::crm::Lead::Clearable::title);
  db.update(stored);
  for (const hotcrm::crm::Lead& row : db.query<hotcrm::crm::Lead>()) (void)row;
  (void)db.find<hotcrm::support::SupportCase>(id);

  inventory::Gadget gadget;
  return id + std::string(to_string(*stored.rating));
}
