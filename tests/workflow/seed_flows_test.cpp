// The seed's end-to-end flows on the standard catalog, each against a real database file with a
// clock the test moves: lead to opportunity, quote to order, invoice to payment, case resolution
// and recruitment. The numbers are the seed's (docs/catalog.md, docs/service.md).
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using nlohmann::json;

namespace {

Decimal money(const char* text) { return Decimal::parse(text); }

struct SeedDb {
  test::TempDir dir;
  std::shared_ptr<DateTime> clock = std::make_shared<DateTime>(DateTime::parse("2026-03-02T09:00:00Z"));  // a Monday
  Database db = open();

  Database open() {
    OpenOptions options;
    options.clock = [clock = clock] { return *clock; };
    options.id_seed = 23;
    return Database::open(dir.file("seed.db"), options);
  }
  void set_time(const char* text) { *clock = DateTime::parse(text); }
  Session as(const std::string& user) { return db.session(SessionContext{.user = user}); }

  std::string user(const std::string& name, const Value& manager = {}) {
    return db.insert("user", {{"username", name}, {"email", name + "@hotcrm.example"}, {"last_name", name},
                              {"is_active", true}, {"manager_id", manager}});
  }
  std::string queue(const std::string& name, const std::string& routing, const std::vector<std::string>& members) {
    auto id = db.insert("queue", {{"name", name}, {"queue_type", "general"}, {"routing_method", routing}, {"is_active", true}});
    std::int64_t priority = 1;
    for (const auto& member : members)
      db.insert("queue_member", {{"queue_id", id}, {"user_id", member}, {"is_active", true},
                                 {"accept_new_cases", true}, {"assignment_priority", priority++}});
    return id;
  }
  std::string text(const std::string& object, const std::string& id, const std::string& field) {
    const auto value = db.get(object, id).at(field);
    return value.is_null() ? std::string() : value.as_string();
  }
  std::vector<std::string> templates(const std::string& record_id = {}) {
    std::vector<std::string> names;
    for (const auto& message : db.outbox(""))
      if (record_id.empty() || message.record_id == record_id)
        names.push_back(json::parse(message.payload)["template"].get<std::string>());
    return names;
  }
  std::int64_t sent(const std::string& name, const std::string& record_id = {}) {
    auto names = templates(record_id);
    return std::count(names.begin(), names.end(), name);
  }
  std::vector<std::string> ids(const std::string& object, const Filter& filter) {
    auto result = db.query(Query{.object = object, .filter = filter, .order_by = {{"created_at", false}, {"id", false}},
                                 .fields = {"id"}});
    std::vector<std::string> out;
    for (std::size_t r = 0; r < result.size(); ++r) out.push_back(result.rows.at(r, 0).as_string());
    return out;
  }
};

}  // namespace

TEST_CASE_FIXTURE(SeedDb, "lead to opportunity: round-robin assignment, follow-up, conversion with the seed's defaults, once") {
  const auto ana = user("ana");
  const auto ben = user("ben");
  const auto carla = user("carla");
  const auto inside_sales = queue("Inside sales", "round_robin", {ana, ben});
  db.insert("assignment_rule", {{"name", "Tech leads to inside sales"}, {"object_name", "lead"}, {"active", true},
                                {"sort_order", 1}, {"criteria_field", "industry"}, {"criteria_operator", "equals"},
                                {"criteria_value", "technology"}, {"assign_to_queue_id", inside_sales}});
  db.insert("assignment_rule", {{"name", "Big companies to Carla"}, {"object_name", "lead"}, {"active", true},
                                {"sort_order", 2}, {"criteria_field", "annual_revenue"}, {"criteria_operator", "greater_than"},
                                {"criteria_value", "50000000"}, {"assign_to_user_id", carla}});

  auto new_lead = [&](const char* name, const char* industry, const char* revenue) {
    return db.insert("lead", {{"first_name", "Pat"}, {"last_name", name}, {"company", std::string(name) + " Ltd"},
                              {"email", std::string(name) + "@leads.example"}, {"industry", industry},
                              {"annual_revenue", revenue}});
  };
  const auto first = new_lead("Ames", "technology", "2500000.00");
  const auto second = new_lead("Baker", "technology", "900000.00");
  const auto third = new_lead("Cole", "technology", "1200000.00");
  const auto big = new_lead("Dunn", "finance", "80000000.00");
  const auto small = new_lead("Eads", "retail", "100000.00");
  // The queue rotates between its members; the next rule catches large companies; nothing matches
  // the last one, which stays with whoever created it.
  CHECK(text("lead", first, "owner_id") == ana);
  CHECK(text("lead", second, "owner_id") == ben);
  CHECK(text("lead", third, "owner_id") == ana);
  CHECK(text("lead", big, "owner_id") == carla);
  CHECK(text("lead", small, "owner_id") == "system");
  // An owner given on insert is kept.
  const auto given = db.insert("lead", {{"last_name", "Fox"}, {"company", "Fox"}, {"email", "fox@leads.example"},
                                        {"industry", "technology"}, {"owner_id", carla}});
  CHECK(text("lead", given, "owner_id") == carla);

  // The seed's follow-up: a high-priority task for the new owner, due the next day, and an alert.
  auto tasks = ids("task", Filter::compare("who_id", CompareOp::eq, first));
  REQUIRE(tasks.size() == 1);
  CHECK(text("task", tasks[0], "owner_id") == ana);
  CHECK(db.get("task", tasks[0]).at("due_date").as_date() == Date::parse("2026-03-03"));
  CHECK(sent("new_lead_assigned", first) == 1);

  set_time("2026-03-05T14:00:00Z");
  db.update("lead", first, {{"status", "qualified"}, {"rating", "hot"}});
  CHECK(sent("hot_lead_alert", first) == 1);
  const auto converted = db.convert_lead(first);
  REQUIRE(converted.opportunity_id);
  auto opportunity = db.get("opportunity", *converted.opportunity_id);
  CHECK(opportunity.at("stage").as_string() == "prospecting");
  CHECK(opportunity.at("close_date").as_date() == Date::parse("2026-04-04"));  // 30 days on
  CHECK(opportunity.at("amount").as_decimal() == money("250000.00"));         // 10 % of the revenue
  CHECK(opportunity.at("probability").as_decimal() == money("10"));
  CHECK(opportunity.at("account_id").as_string() == converted.account_id);
  CHECK(opportunity.at("owner_id").as_string() == ana);
  CHECK(text("contact", converted.contact_id, "account_id") == converted.account_id);
  CHECK(text("account", converted.account_id, "name") == "Ames Ltd");
  CHECK(text("lead", first, "status") == "converted");

  // Converting twice is refused and keeps nothing.
  const auto accounts = db.count("account");
  const auto opportunities = db.count("opportunity");
  CHECK_THROWS_WITH_AS(db.convert_lead(first), doctest::Contains("already converted"), WorkflowError);
  CHECK(db.count("account") == accounts);
  CHECK(db.count("opportunity") == opportunities);
  // A lead without revenue converts to a zero-amount deal; without an opportunity when asked.
  const auto plain = db.convert_lead(second, {.create_opportunity = false});
  CHECK_FALSE(plain.opportunity_id);
  CHECK(db.count("opportunity") == opportunities);
}

namespace {

/// A sales team (rep -> team lead -> manager -> director), an account with a deal, a price book and
/// a product, for quotes.
struct SalesDb : SeedDb {
  std::string director = user("dora");
  std::string manager = user("max", director);
  std::string team_lead = user("tess", manager);
  std::string rep = user("remy", team_lead);
  std::string account = db.insert("account", {{"name", "Globex"}, {"owner_id", rep}});
  std::string opportunity = db.insert("opportunity", {{"name", "Globex rollout"}, {"account_id", account}, {"stage", "proposal"},
                                                      {"close_date", "2026-06-30"}, {"owner_id", rep}});
  std::string pricebook = db.insert("pricebook", {{"name", "Standard"}, {"currency", "usd"}});
  std::string product = db.insert("product", {{"name", "Widget"}});

  /// A quote of `quantity` widgets at 1,000.00 with `discount` percent off, owned by the rep.
  std::string quote(const char* discount, int quantity = 10) {
    auto id = db.insert("quote", {{"name", "Globex widgets"}, {"opportunity_id", opportunity}, {"account_id", account},
                                  {"pricebook_id", pricebook}, {"expiration_date", "2026-04-30"},
                                  {"discount_percent", discount}, {"owner_id", rep}});
    db.insert("quote_line_item", {{"quote_id", id}, {"product_id", product}, {"line_number", 1}, {"quantity", quantity},
                                  {"list_price", "1000.00"}, {"unit_price", "1000.00"}});
    return id;
  }
};

}  // namespace

TEST_CASE_FIXTURE(SalesDb, "quote to order: discount approval, acceptance closes the deal won with a 12-month contract, "
                           "activation bills Net 30") {
  const auto id = quote("15");  // above 10 %: levels 1 and 2
  CHECK(db.get("quote", id).at("total_price").as_decimal() == money("8500.00"));
  CHECK(db.get("quote", id).at("approval_level").as_double() == 2);

  // Not approved yet: it can be neither sent nor accepted.
  CHECK_THROWS_WITH_AS(db.update("quote", id, {{"status", "accepted"}}), doctest::Contains("discount is approved"),
                       ValidationError);
  CHECK(db.count("contract") == 0);

  Session remy = as(rep);
  auto state = remy.submit_for_approval("quote", id);
  CHECK(state.status == "pending");
  CHECK(state.step_name == "level_1_team_lead");
  CHECK(state.pending_approvers == std::vector<std::string>{team_lead});
  CHECK(text("quote", id, "status") == "in_review");
  CHECK(text("quote", id, "approval_status") == "pending");
  // Locked while pending; only the pending step's approver decides.
  CHECK_THROWS_AS(remy.update("quote", id, {{"discount_percent", "5"}}), ConflictError);
  CHECK_THROWS_AS(db.approve("quote", id, manager), WorkflowError);
  state = db.approve("quote", id, team_lead);
  CHECK(state.step_name == "level_2_manager");
  CHECK(state.pending_approvers == std::vector<std::string>{manager});
  // A rejection at level 2 goes back to level 1, which approves again.
  state = db.reject("quote", id, manager, "too generous?");
  CHECK(state.status == "pending");
  CHECK(state.step_name == "level_1_team_lead");
  db.approve("quote", id, team_lead);
  state = db.approve("quote", id, manager);
  CHECK(state.status == "approved");
  CHECK(text("quote", id, "status") == "approved");
  CHECK(text("quote", id, "approval_status") == "approved");
  CHECK(text("quote", id, "approved_by_id") == manager);
  CHECK(sent("quote_approved", id) == 1);

  set_time("2026-03-10T11:00:00Z");
  db.update("quote", id, {{"status", "sent"}});
  db.update("quote", id, {{"status", "accepted"}});
  auto accepted = db.get("quote", id);
  CHECK(accepted.at("accepted_date").as_datetime() == DateTime::parse("2026-03-10T11:00:00Z"));
  auto deal = db.get("opportunity", opportunity);
  CHECK(deal.at("stage").as_string() == "closed_won");
  CHECK(deal.at("close_date").as_date() == Date::parse("2026-03-10"));
  CHECK(deal.at("amount").as_decimal() == money("8500.00"));  // it had none: the quote's total
  CHECK(deal.at("probability").as_decimal() == money("100"));
  auto contracts = ids("contract", Filter::compare("opportunity_id", CompareOp::eq, opportunity));
  REQUIRE(contracts.size() == 1);
  auto contract = db.get("contract", contracts[0]);
  CHECK(contract.at("status").as_string() == "draft");
  CHECK(contract.at("account_id").as_string() == account);
  CHECK(contract.at("start_date").as_date() == Date::parse("2026-03-10"));
  CHECK(contract.at("end_date").as_date() == Date::parse("2027-03-10"));
  CHECK(contract.at("contract_term").as_int() == 12);
  CHECK(contract.at("contract_value").as_decimal() == money("8500.00"));
  CHECK(contract.at("owner_id").as_string() == rep);
  // Only the edge into accepted creates a contract.
  db.update("quote", id, {{"internal_notes", "signed copy filed"}});
  CHECK(db.count("contract") == 1);

  // Activation raises the draft invoice: Net 30, due 30 days after the start, billing the value.
  set_time("2026-03-12T09:00:00Z");
  db.update("contract", contracts[0], {{"status", "activated"}});
  auto invoices = ids("invoice", Filter::compare("contract_id", CompareOp::eq, contracts[0]));
  REQUIRE(invoices.size() == 1);
  auto invoice = db.get("invoice", invoices[0]);
  CHECK(invoice.at("status").as_string() == "draft");
  CHECK(invoice.at("payment_terms").as_string() == "net_30");
  CHECK(invoice.at("due_date").as_date() == Date::parse("2026-04-09"));
  CHECK(invoice.at("total_amount").as_decimal() == money("8500.00"));
  CHECK(invoice.at("account_id").as_string() == account);
  CHECK(invoice.at("billing_source").as_string() == "contract_activation");
  auto lines = ids("invoice_line", Filter::compare("invoice_id", CompareOp::eq, invoices[0]));
  REQUIRE(lines.size() == 1);
  CHECK(text("invoice_line", lines[0], "description") == "Contract " + text("contract", contracts[0], "contract_number") + " Billing");
  CHECK(db.get("account", account).at("contract_value").as_decimal() == money("8500.00"));
  // Editing an active contract does not bill it again; users cannot raise contract invoices.
  db.update("contract", contracts[0], {{"contract_term", 12}, {"end_date", "2027-03-31"}});
  CHECK(db.count("invoice") == 1);
  CHECK_THROWS_AS(db.insert("invoice", {{"account_id", account}, {"contract_id", contracts[0]},
                                        {"billing_source", "contract_activation"}}),
                  ValidationError);
}

TEST_CASE_FIXTURE(SalesDb, "quote to order: small discounts need no approval, a failing acceptance keeps nothing") {
  const auto small = quote("5", 3);  // not above 5 %: level 0
  CHECK(db.get("quote", small).at("approval_level").as_double() == 0);
  CHECK_THROWS_AS(as(rep).submit_for_approval("quote", small), WorkflowError);
  // The deal cannot close won at zero: the acceptance fails as a whole, the quote stays sent.
  const auto free = db.insert("quote", {{"name", "Free pilot"}, {"opportunity_id", opportunity}, {"account_id", account},
                                        {"pricebook_id", pricebook}, {"expiration_date", "2026-04-30"}});
  db.update("quote", free, {{"status", "sent"}});
  CHECK_THROWS_AS(db.update("quote", free, {{"status", "accepted"}}), ValidationError);
  CHECK(text("quote", free, "status") == "sent");
  CHECK(text("opportunity", opportunity, "stage") == "proposal");
  CHECK(db.count("contract") == 0);

  // With tax the total has more decimals than money: deal and contract get it to the cent.
  db.update("quote", small, {{"tax_percent", "7.33"}});  // 2,850.00 + 208.905
  CHECK(db.get("quote", small).at("total_price").as_double() == doctest::Approx(3058.905));
  db.update("quote", small, {{"status", "accepted"}});
  CHECK(text("opportunity", opportunity, "stage") == "closed_won");
  CHECK(db.get("opportunity", opportunity).at("amount").as_decimal() == money("3058.91"));
  CHECK(db.count("contract") == 1);
  CHECK(db.get("contract", ids("contract", Filter::all()).at(0)).at("contract_value").as_decimal() == money("3058.91"));
}

namespace {

/// An activated contract of 10,000.00 with its Net 30 invoice.
struct BillingDb : SalesDb {
  std::string contract = db.insert("contract", {{"account_id", account}, {"opportunity_id", opportunity}, {"status", "draft"},
                                                {"start_date", "2026-03-02"}, {"contract_value", "10000.00"}});
  std::string invoice = activate();

  std::string activate() {
    db.update("contract", contract, {{"status", "activated"}});
    return ids("invoice", Filter::compare("contract_id", CompareOp::eq, contract)).at(0);
  }
  std::string payment(const char* amount, bool received, const std::string& invoice_id) {
    Record values{{"name", "Instalment"}, {"type", "milestone_payment"}, {"account_id", account}, {"contract_id", contract},
                  {"invoice_id", invoice_id}, {"planned_amount", amount}, {"planned_date", "2026-03-20"}};
    if (received) {
      values.emplace("status", "received");
      values.emplace("received_amount", amount);
      values.emplace("actual_date", "2026-03-20");
    }
    return db.insert("payment", values);
  }
  Decimal paid() { return db.get("invoice", invoice).at("amount_paid").as_decimal(); }
};

}  // namespace

TEST_CASE_FIXTURE(BillingDb, "invoice to payment: received payments roll up and settle the invoice") {
  db.update("invoice", invoice, {{"status", "posted"}});
  CHECK(paid() == money("0"));
  const auto first = payment("4000.00", true, invoice);
  CHECK(paid() == money("4000.00"));
  CHECK(db.get("invoice", invoice).at("balance_due").as_decimal() == money("6000.00"));
  CHECK(text("invoice", invoice, "status") == "posted");
  // A planned payment counts once it is received, with its amount and date.
  const auto second = payment("6000.00", false, invoice);
  CHECK(paid() == money("4000.00"));
  CHECK_THROWS_AS(db.update("payment", second, {{"status", "received"}}), ValidationError);
  CHECK(paid() == money("4000.00"));
  set_time("2026-03-21T10:00:00Z");
  db.update("payment", second, {{"status", "received"}, {"received_amount", "6000.00"}, {"actual_date", "2026-03-21"}});
  auto settled = db.get("invoice", invoice);
  CHECK(settled.at("amount_paid").as_decimal() == money("10000.00"));
  CHECK(settled.at("balance_due").as_decimal() == money("0.00"));
  CHECK(settled.at("status").as_string() == "paid");
  CHECK(settled.at("paid_date").as_date() == Date::parse("2026-03-21"));
  // Users cannot stamp the paid date themselves.
  CHECK_THROWS_AS(db.update("invoice", invoice, {{"paid_date", "2026-03-01"}}), ValidationError);

  // A payment reversed: the invoice is no longer covered and goes back to posted.
  db.remove("payment", first);
  auto reopened = db.get("invoice", invoice);
  CHECK(reopened.at("amount_paid").as_decimal() == money("6000.00"));
  CHECK(reopened.at("status").as_string() == "posted");
  CHECK(reopened.at("paid_date").is_null());
  // Moving a payment to another invoice moves its amount too.
  const auto other = db.insert("invoice", {{"account_id", account}, {"status", "posted"}});
  db.insert("invoice_line", {{"invoice_id", other}, {"quantity", 1}, {"unit_price", "6000.00"}});
  db.update("payment", second, {{"invoice_id", other}});
  CHECK(paid() == money("0"));
  CHECK(text("invoice", other, "status") == "paid");
}

TEST_CASE_FIXTURE(BillingDb, "invoice to payment: void invoices stay void, imported payments settle too") {
  db.update("invoice", invoice, {{"status", "void"}});
  payment("10000.00", true, invoice);
  CHECK(paid() == money("10000.00"));
  CHECK(text("invoice", invoice, "status") == "void");

  const auto billed = db.insert("invoice", {{"account_id", account}, {"status", "posted"}});
  db.insert("invoice_line", {{"invoice_id", billed}, {"quantity", 2}, {"unit_price", "1500.00"}});
  RecordBatch batch({"name", "type", "status", "account_id", "contract_id", "invoice_id", "planned_amount", "received_amount",
                     "planned_date", "actual_date"});
  for (int i = 0; i < 3; ++i)
    batch.add_row({Value("Part"), Value("other"), Value("received"), Value(account), Value(contract), Value(billed),
                   Value("1000.00"), Value("1000.00"), Value("2026-03-03"), Value("2026-03-03")});
  db.import_records("payment", batch);
  CHECK(db.get("invoice", billed).at("amount_paid").as_decimal() == money("3000.00"));
  CHECK(text("invoice", billed, "status") == "paid");
}

namespace {

/// Support on office hours (Mon-Fri 09:00-17:00 UTC) with a company holiday, a round-robin queue
/// of two agents and the assignment rule that sends every case to it.
struct SupportDb : SeedDb {
  std::string agent_one = user("agnes");
  std::string agent_two = user("boris");
  std::string support = queue("Support", "round_robin", {agent_one, agent_two});
  std::string account = db.insert("account", {{"name", "Initech"}, {"sla_tier", "gold"}});
  std::string contact = db.insert("contact", {{"last_name", "Lumbergh"}, {"email", "bill@initech.example"}, {"account_id", account}});

  SupportDb() {
    auto holidays = db.insert("holiday_calendar", {{"name", "Company"}, {"country", "uk"}, {"year", 2026}});
    db.insert("holiday", {{"calendar_id", holidays}, {"name", "Founders' day"}, {"holiday_date", "2026-03-09"},
                          {"holiday_type", "company"}});
    Record hours{{"name", "Office"}, {"time_zone", "utc"}, {"is_active", true}, {"is_default", true},
                 {"exclude_holidays", true}, {"holiday_calendar_id", holidays}};
    for (const char* day : {"monday", "tuesday", "wednesday", "thursday", "friday"}) {
      hours.emplace(std::string(day) + "_enabled", true);
      hours.emplace(std::string(day) + "_start_time", "09:00");
      hours.emplace(std::string(day) + "_end_time", "17:00");
    }
    for (const char* day : {"saturday", "sunday"}) hours.emplace(std::string(day) + "_enabled", false);
    db.insert("business_hours", hours);
    db.insert("assignment_rule", {{"name", "Cases to support"}, {"object_name", "support_case"}, {"active", true},
                                  {"sort_order", 1}, {"criteria_field", "origin"}, {"criteria_operator", "not_equals"},
                                  {"criteria_value", "none"}, {"assign_to_queue_id", support}});
  }
  std::string new_case(const char* subject) {
    return db.insert("support_case", {{"subject", subject}, {"description", "It fails"}, {"origin", "email"},
                                      {"account_id", account}, {"contact_id", contact}, {"priority", "medium"}});
  }
  SlaClock milestone(const std::string& id, const std::string& name) {
    for (const auto& found : db.sla("support_case", id))
      if (found.milestone == name) return found;
    FAIL("no milestone " << name);
    return {};
  }
};

}  // namespace

TEST_CASE_FIXTURE(SupportDb, "case resolution: assignment, SLA across a weekend and a holiday, escalation, resolution, auto-close") {
  set_time("2026-03-06T15:00:00Z");  // Friday, two business hours left
  const auto id = new_case("Reports fail");
  const auto other = new_case("Login slow");
  CHECK(text("support_case", id, "owner_id") == agent_one);
  CHECK(text("support_case", other, "owner_id") == agent_two);
  CHECK(text("support_case", id, "assigned_to_queue_id") == support);
  CHECK(db.fire("support_case", id, "assign") == "assigned");
  CHECK(db.fire("support_case", other, "assign") == "assigned");

  // First response (medium: 8 business hours): 2 on Friday, Monday is a holiday, 6 on Tuesday.
  // Resolution (gold account: 12 business hours): 2 Friday, 8 Tuesday, 2 Wednesday.
  auto response = milestone(id, "first_response");
  CHECK(response.target_minutes == 480);
  CHECK(response.due_at == DateTime::parse("2026-03-10T15:00:00Z"));
  auto resolution = milestone(id, "resolution");
  CHECK(resolution.target_minutes == 720);
  CHECK(resolution.due_at == DateTime::parse("2026-03-11T11:00:00Z"));
  CHECK(db.get("support_case", id).at("resolution_due_date").as_datetime() == DateTime::parse("2026-03-11T11:00:00Z"));

  // The weekend and the holiday pass without a warning.
  db.run_due(DateTime::parse("2026-03-09T23:59:00Z"));
  CHECK_FALSE(milestone(id, "first_response").warned);
  // The other case answers on Tuesday morning: its first response is met.
  set_time("2026-03-10T10:00:00Z");
  db.update("support_case", other, {{"owner_responded", true}});
  CHECK(db.get("support_case", other).at("first_response_time").as_datetime() == DateTime::parse("2026-03-10T10:00:00Z"));
  CHECK(milestone(other, "first_response").status == "met");
  CHECK_THROWS_AS(db.update("support_case", id, {{"first_response_time", "2026-03-10T10:00:00Z"}}), ValidationError);
  // Tuesday 13:00 (75 %): warning; 15:00: violated.
  db.run_due(DateTime::parse("2026-03-10T13:00:00Z"));
  CHECK(milestone(id, "first_response").warned);
  CHECK_FALSE(milestone(id, "first_response").violated);
  CHECK(sent("sla_warning", id) == 1);
  db.run_due(DateTime::parse("2026-03-10T15:00:00Z"));
  CHECK(milestone(id, "first_response").violated);
  auto late = db.get("support_case", id);
  CHECK(late.at("is_sla_violated").as_bool());
  CHECK(late.at("sla_violation_type").as_string() == "response");
  CHECK(sent("sla_violation", id) == 1);

  // The SLA violation allows the manual escalation (priority becomes critical).
  set_time("2026-03-10T15:30:00Z");
  CHECK(db.fire("support_case", id, "escalate") == "escalated");
  CHECK(text("support_case", id, "priority") == "critical");
  // Resolution: warned at 80 % (Tuesday 16:36), escalation levels at 85 % and 95 % on Wednesday.
  db.run_due(DateTime::parse("2026-03-10T16:36:00Z"));
  CHECK(milestone(id, "resolution").warned);
  db.run_due(DateTime::parse("2026-03-11T09:12:00Z"));
  CHECK(db.get("support_case", id).at("escalation_level").as_int() == 1);
  db.run_due(DateTime::parse("2026-03-11T10:24:00Z"));
  CHECK(db.get("support_case", id).at("escalation_level").as_int() == 2);
  CHECK(sent("sla_escalation", id) == 2);
  CHECK_FALSE(milestone(id, "resolution").violated);

  // Resolved at 10:30, before the 11:00 deadline: the resolution milestone is met.
  set_time("2026-03-11T10:30:00Z");
  db.update("support_case", id, {{"resolution", "Rebuilt the report index"}});
  CHECK(db.fire("support_case", id, "resolve") == "resolved");
  CHECK(milestone(id, "resolution").status == "met");
  CHECK(milestone(id, "first_response").violated);
  CHECK(sent("satisfaction_survey", id) == 1);
  db.run_due(DateTime::parse("2026-03-11T12:00:00Z"));  // the violation timer is gone with the met milestone
  CHECK_FALSE(milestone(id, "resolution").violated);
  CHECK(db.get("support_case", id).at("escalation_level").as_int() == 2);
  // No customer answer within a day: closed automatically.
  db.run_due(DateTime::parse("2026-03-12T10:30:00Z"));
  auto closed = db.get("support_case", id);
  CHECK(closed.at("lifecycle_state").as_string() == "closed");
  CHECK(closed.at("closed_date").as_datetime() == DateTime::parse("2026-03-12T10:30:00Z"));
}

TEST_CASE_FIXTURE(SupportDb, "case resolution: waiting on the customer stops the clock, then auto-closes the case") {
  set_time("2026-03-02T09:00:00Z");  // Monday
  const auto id = new_case("Export broken");
  db.fire("support_case", id, "assign");
  set_time("2026-03-02T13:00:00Z");  // 4 business hours used
  db.update("support_case", id, {{"owner_responded", true}});
  CHECK(milestone(id, "first_response").status == "met");
  db.fire("support_case", id, "request_info");
  CHECK(milestone(id, "resolution").status == "paused");
  // A week of silence: auto-closed by the state's timeout; the resolution was never late.
  db.run_due(DateTime::parse("2026-03-09T13:00:00Z"));
  auto closed = db.get("support_case", id);
  CHECK(closed.at("lifecycle_state").as_string() == "auto_closed");
  CHECK(closed.at("closure_reason").as_string() == "No customer response");
  CHECK_FALSE(closed.at("is_sla_violated").as_bool());
  CHECK(milestone(id, "resolution").elapsed_minutes == 240);
  // Closing it is final for the SLA: no timer fires later.
  db.run_due(DateTime::parse("2026-04-01T00:00:00Z"));
  CHECK_FALSE(db.get("support_case", id).at("is_sla_violated").as_bool());
}

namespace {

/// A department, a position, a hiring manager and an open requisition.
struct HiringDb : SeedDb {
  std::string department = db.insert("department", {{"name", "Engineering"}});
  std::string position = db.insert("position", {{"title", "Backend engineer"}, {"department_id", department}});
  std::string manager = db.insert("employee", {{"employee_number", "EMP20260007"}, {"first_name", "Hedy"}, {"last_name", "Lamarr"},
                                               {"email", "hedy@corp.example"}, {"mobile_phone", "+1 555 0107"},
                                               {"department_id", department}, {"position_id", position},
                                               {"hire_date", "2020-01-06"}});
  std::string requisition = db.insert("recruitment", {{"title", "Backend engineer"}, {"position_id", position},
                                                      {"department_id", department}, {"hiring_manager_id", manager},
                                                      {"headcount", 2}});

  struct Applicant {
    std::string candidate, application, offer;
  };
  Applicant apply(const std::string& first, const std::string& last) {
    Applicant a;
    a.candidate = db.insert("candidate", {{"first_name", first}, {"last_name", last}, {"email", first + "@mail.example"},
                                          {"mobile_phone", "+1 555 0199"}, {"city", "Boston"}});
    a.application = db.insert("application", {{"candidate_id", a.candidate}, {"recruitment_id", requisition},
                                              {"applied_date", "2026-03-02"}, {"status", "submitted"}});
    return a;
  }
  void interview(const Applicant& a, const char* type, const char* result) {
    auto id = db.insert("interview", {{"title", std::string(type) + " interview"}, {"candidate_id", a.candidate},
                                      {"application_id", a.application}, {"recruitment_id", requisition},
                                      {"interview_type", type}, {"scheduled_date", "2026-03-04T14:00:00Z"},
                                      {"interviewer_id", manager}});
    db.update("interview", id, {{"status", "completed"}, {"result", result}});
  }
  std::string offer(Applicant& a, const char* probation) {
    a.offer = db.insert("offer", {{"candidate_id", a.candidate}, {"application_id", a.application}, {"recruitment_id", requisition},
                                  {"position_id", position}, {"department_id", department}, {"hiring_manager_id", manager},
                                  {"start_date", "2026-04-01"}, {"base_salary", "145000.00"}, {"probation_period", probation}});
    return a.offer;
  }
  std::vector<std::string> employees_with(const std::string& email) {
    return ids("employee", Filter::compare("email", CompareOp::eq, email));
  }
};

}  // namespace

TEST_CASE_FIXTURE(HiringDb, "recruitment: interviews, an accepted offer hires the candidate as EMP{YYYY}{NNNN}") {
  auto ada = apply("ada", "Byron");
  db.update("candidate", ada.candidate, {{"status", "interviewing"}});
  db.update("application", ada.application, {{"status", "interviewing"}, {"stage", "first_interview"}});
  interview(ada, "first_round", "hire");
  interview(ada, "final_round", "strong_hire");
  CHECK(db.count("interview", Filter::compare("application_id", CompareOp::eq, ada.application)) == 2);

  offer(ada, "3_months");
  CHECK(text("offer", ada.offer, "status") == "draft");
  db.update("offer", ada.offer, {{"status", "extended"}});
  CHECK(text("application", ada.application, "status") == "offer_extended");
  CHECK(text("application", ada.application, "stage") == "offer_discussion");
  CHECK(employees_with("ada@mail.example").empty());

  set_time("2026-03-16T10:00:00Z");
  db.update("offer", ada.offer, {{"status", "accepted"}});
  CHECK(text("candidate", ada.candidate, "status") == "hired");
  CHECK(db.get("offer", ada.offer).at("response_date").as_date() == Date::parse("2026-03-16"));
  auto hired = employees_with("ada@mail.example");
  REQUIRE(hired.size() == 1);
  auto employee = db.get("employee", hired[0]);
  CHECK(employee.at("employee_number").as_string() == "EMP20260008");  // after the manager's EMP20260007
  CHECK(employee.at("first_name").as_string() == "ada");
  CHECK(employee.at("last_name").as_string() == "Byron");
  CHECK(employee.at("mobile_phone").as_string() == "+1 555 0199");
  CHECK(employee.at("city").as_string() == "Boston");
  CHECK(employee.at("hire_date").as_date() == Date::parse("2026-04-01"));
  CHECK(employee.at("employment_status").as_string() == "probation");
  CHECK(employee.at("base_salary").as_decimal() == money("145000.00"));
  CHECK(employee.at("department_id").as_string() == department);
  CHECK(employee.at("position_id").as_string() == position);
  CHECK(employee.at("manager_id").as_string() == manager);
  // Editing the accepted offer hires nobody else.
  db.update("offer", ada.offer, {{"notes", "signed"}});
  CHECK(db.count("employee") == 2);

  // The next hire takes the next number; a declined offer rejects the application.
  auto alan = apply("alan", "Turing");
  offer(alan, "none");
  db.update("offer", alan.offer, {{"status", "extended"}});
  db.update("offer", alan.offer, {{"status", "accepted"}});
  auto second = db.get("employee", employees_with("alan@mail.example").at(0));
  CHECK(second.at("employee_number").as_string() == "EMP20260009");
  CHECK(second.at("employment_status").as_string() == "active");
  auto grace = apply("grace", "Hopper");
  offer(grace, "none");
  db.update("offer", grace.offer, {{"status", "extended"}});
  db.update("offer", grace.offer, {{"status", "rejected"}, {"rejection_reason", "Accepted another offer"}});
  CHECK(text("application", grace.application, "status") == "rejected");
  CHECK(employees_with("grace@mail.example").empty());

  // A new year restarts the sequence.
  set_time("2027-01-04T09:00:00Z");
  auto linus = apply("linus", "Torvalds");
  offer(linus, "none");
  db.update("offer", linus.offer, {{"status", "accepted"}});
  CHECK(text("employee", employees_with("linus@mail.example").at(0), "employee_number") == "EMP20270001");
}

TEST_CASE_FIXTURE(HiringDb, "recruitment: an acceptance that cannot hire keeps nothing") {
  // The candidate's address is already an employee's: the hire fails, the offer stays extended.
  auto twin = apply("hedy", "Again");
  db.update("candidate", twin.candidate, {{"email", "hedy@corp.example"}});
  offer(twin, "none");
  db.update("offer", twin.offer, {{"status", "extended"}});
  CHECK_THROWS_AS(db.update("offer", twin.offer, {{"status", "accepted"}}), ConflictError);
  CHECK(text("offer", twin.offer, "status") == "extended");
  CHECK(text("candidate", twin.candidate, "status") == "new");
  CHECK(db.count("employee") == 1);
}

TEST_CASE("sequence values are checked when the catalog loads, and round-trip") {
  auto issues_of = [](const std::string& values) {
    const std::string text = std::string(R"json({"name": "thing", "fields": [
      {"name": "code", "type": "text"}, {"name": "n", "type": "number"}],
      "workflow_rules": [{"name": "r", "trigger": "on_create", "actions": [)json") + values + "]}]}";
    try {
      Catalog::from_json(text, "c");
    } catch (const SchemaError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  CHECK(issues_of(R"({"type": "field_update", "field": "code", "value": {"sequence": "T{YY}-{000}"}})") == "accepted");
  CHECK(issues_of(R"({"type": "field_update", "field": "code", "value": {"sequence": "T{000}-{YY}"}})")
            .find("must end with its counter") != std::string::npos);
  CHECK(issues_of(R"({"type": "field_update", "field": "code", "value": {"sequence": "T{YYYY}"}})")
            .find("exactly one counter") != std::string::npos);
  CHECK(issues_of(R"({"type": "field_update", "field": "n", "value": {"sequence": "{0000}"}})")
            .find("a sequence gives text; field 'n' is number") != std::string::npos);
  CHECK(issues_of(R"({"type": "email", "template": "t", "to": ["a@b.example"], "subject": {"sequence": "{0000}"}})")
            .find("only field_update and create_record") != std::string::npos);
  const Catalog catalog = Catalog::from_json(R"json({"name": "thing", "fields": [{"name": "code", "type": "text"}],
      "workflow_rules": [{"name": "r", "trigger": "on_create", "actions": [
        {"type": "field_update", "field": "code", "value": {"sequence": "T{0000}"}}]}]})json");
  CHECK(catalog.object_to_json("thing").find(R"({"sequence":"T{0000}"})") != std::string::npos);
  CHECK(Catalog::from_json(catalog.to_json()).at("thing").workflow_rules[0].actions[0].value.kind ==
        ActionValue::Kind::sequence);
}

TEST_CASE("a sequence numbers records per tenant, past hand-entered numbers") {
  test::TempDir dir;
  OpenOptions options;
  options.catalog = Catalog::from_json(R"json({"name": "ticket", "fields": [{"name": "code", "type": "text"},
      {"name": "title", "type": "text"}],
      "workflow_rules": [{"name": "number", "trigger": "on_create", "condition": "ISBLANK(code)", "actions": [
        {"type": "field_update", "field": "code", "value": {"sequence": "T-{YYYY}-{000}"}}]}]})json");
  options.clock = [] { return DateTime::parse("2026-05-01T10:00:00Z"); };
  auto db = Database::open(dir.file("seq.db"), options);
  auto code = [&](const std::string& id) { return db.get("ticket", id).at("code").as_string(); };
  CHECK(code(db.insert("ticket", {{"title", "a"}})) == "T-2026-001");
  db.insert("ticket", {{"title", "typed"}, {"code", "T-2026-041"}});
  db.insert("ticket", {{"title", "odd"}, {"code", "T-2026-9x"}});     // not a number: ignored
  db.insert("ticket", {{"title", "older"}, {"code", "T-2025-500"}});  // another year
  CHECK(code(db.insert("ticket", {{"title", "b"}})) == "T-2026-042");
  auto other = db.session(SessionContext{.tenant = "other"});
  auto first = other.insert("ticket", {{"title", "c"}});
  CHECK(other.get("ticket", first).at("code").as_string() == "T-2026-001");
}
