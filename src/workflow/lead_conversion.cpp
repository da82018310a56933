// Lead conversion (the seed's lead_convert action, made atomic): a lead becomes an account, a
// contact and optionally an opportunity, and records what it became.
#include <fmt/format.h>

#include "store/access.hpp"
#include "store/sqlite.hpp"
#include "workflow/actions.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

/// Copies the lead's non-blank fields into `record` under new names.
void copy_fields(const Record& lead, Record& record, std::initializer_list<std::pair<const char*, const char*>> names) {
  for (const auto& [from, to] : names) {
    auto it = lead.find(from);
    if (it != lead.end() && !it->second.is_null()) record.insert_or_assign(to, it->second);
  }
}

/// The opportunity's lead source: the same option when the opportunity has it, else "other"
/// (the seed's purchased_list has no opportunity counterpart).
Value opportunity_source(const Catalog& catalog, const Record& lead) {
  auto it = lead.find("lead_source");
  if (it == lead.end() || it->second.is_null()) return {};
  const FieldDef* field = catalog.at("opportunity").find_field("lead_source");
  if (field && field->find_option(it->second.as_string())) return it->second;
  return Value("other");
}

}  // namespace

LeadConversion Session::convert_lead(std::string_view lead_id, const LeadConversionOptions& options) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  if (auto* scope = guard.scope()) {
    scope->require_record(impl_->plan("lead"), lead_id, "edit");
    for (const char* created : {"account", "contact"}) scope->require(*impl_->plan(created).object, "create");
    if (options.create_opportunity) scope->require(*impl_->plan("opportunity").object, "create");
    if (options.account_id) {
      // The contact (and the deal) go under an account the user names: one they can see, and where
      // contacts or deals are details of accounts, one they may edit. The inserts below run as system.
      scope->require_record(impl_->plan("account"), *options.account_id, "read");
      const Record under{{"account_id", Value(*options.account_id)}};
      scope->require_masters(impl_->plan("contact"), under, false);
      if (options.create_opportunity) scope->require_masters(impl_->plan("opportunity"), under, false);
    }
  }
  guard.run_as_system();
  detail::PinnedClock clock(*impl_);
  detail::Transaction transaction(impl_->db());
  const Record lead = get("lead", lead_id);
  if (lead.at("is_converted") == Value(true) || detail::field_text(lead, "status") == "converted")
    throw WorkflowError(fmt::format("lead '{}' is already converted (to account '{}')", lead_id,
                                    detail::field_text(lead, "converted_account_id")));
  const Value owner = options.owner_id ? Value(*options.owner_id) : lead.at("owner_id");
  LeadConversion result;

  if (options.account_id) {
    (void)get("account", *options.account_id);  // NotFoundError before anything is written
    result.account_id = *options.account_id;
    result.account_created = false;
  } else {
    Record account{{"name", lead.at("company")}, {"owner_id", owner}};
    copy_fields(lead, account, {{"phone", "phone"}, {"website", "website"}, {"industry", "industry"},
                                {"annual_revenue", "annual_revenue"}, {"number_of_employees", "number_of_employees"},
                                {"street", "billing_street"}, {"city", "billing_city"}, {"state", "billing_state"},
                                {"postal_code", "billing_postal_code"}, {"country", "billing_country"}});
    result.account_id = insert("account", account);
  }

  Record contact{{"account_id", result.account_id}, {"owner_id", owner}};
  copy_fields(lead, contact, {{"first_name", "first_name"}, {"last_name", "last_name"}, {"email", "email"},
                              {"phone", "phone"}, {"mobile_phone", "mobile_phone"}, {"title", "title"}});
  result.contact_id = insert("contact", contact);

  if (options.create_opportunity) {
    const auto revenue = lead.find("annual_revenue");
    const Decimal amount = revenue == lead.end() || revenue->second.is_null()
                               ? Decimal::from_int(0)
                               : Decimal::divide(revenue->second.as_decimal(), Decimal::from_int(10), 2);
    Record opportunity{
        {"name", options.opportunity_name.empty() ? detail::field_text(lead, "company") + " - Deal" : options.opportunity_name},
        {"account_id", result.account_id}, {"contact_id", result.contact_id}, {"stage", "prospecting"},
        {"close_date", Date{clock.now().date().days + 30}}, {"amount", amount}, {"owner_id", owner}};
    if (auto source = opportunity_source(impl_->catalog, lead); !source.is_null()) opportunity.emplace("lead_source", source);
    // With marketing installed, the deal keeps the campaign the lead came from (its revenue counts there).
    if (impl_->catalog.at("opportunity").find_field("campaign_id")) copy_fields(lead, opportunity, {{"campaign_id", "campaign_id"}});
    result.opportunity_id = insert("opportunity", opportunity);
  }

  Record converted{{"status", "converted"}, {"is_converted", true}, {"converted_date", clock.now()},
                   {"converted_account_id", result.account_id}, {"converted_contact_id", result.contact_id}};
  if (result.opportunity_id) converted.emplace("converted_opportunity_id", *result.opportunity_id);
  {
    detail::SystemWrite system(detail::runtime(*impl_));  // the conversion fields are read-only to users
    update("lead", lead_id, converted);
  }
  transaction.commit();
  return result;
}

}  // namespace v0
}  // namespace hotcrm
