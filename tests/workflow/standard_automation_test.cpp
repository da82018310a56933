// The seed's automation shipped in the standard catalog: the case lifecycle state machine (9 states,
// 14 events, its timeouts) and the lead rules, on a real database file with a simulated clock.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using nlohmann::json;

namespace {

struct StandardDb {
  test::TempDir dir;
  std::shared_ptr<DateTime> clock = std::make_shared<DateTime>(DateTime::parse("2026-03-02T09:00:00Z"));  // a Monday
  Database db = open();
  std::string account = db.insert("account", {{"name", "Acme"}});
  std::string contact = db.insert("contact", {{"last_name", "Ng"}, {"email", "ng@acme.example"}, {"account_id", account}});

  Database open() {
    OpenOptions options;
    options.clock = [clock = clock] { return *clock; };
    options.id_seed = 11;
    return Database::open(dir.file("crm.db"), options);
  }
  std::string new_case(const std::string& priority = "medium") {
    return db.insert("support_case", {{"subject", "Printer jams"}, {"description", "Jams on every page"},
                                      {"origin", "email"}, {"account_id", account}, {"contact_id", contact},
                                      {"priority", priority}});
  }
  std::string state(const std::string& id) { return db.get("support_case", id).at("lifecycle_state").as_string(); }
  std::string status(const std::string& id) { return db.get("support_case", id).at("status").as_string(); }
  std::vector<std::string> templates() {
    std::vector<std::string> names;
    for (const auto& message : db.outbox("")) names.push_back(json::parse(message.payload)["template"].get<std::string>());
    return names;
  }
  bool sent(const std::string& name) {
    auto names = templates();
    return std::find(names.begin(), names.end(), name) != names.end();
  }
};

}  // namespace

TEST_CASE_FIXTURE(StandardDb, "case lifecycle: the long path through every manual event") {
  auto id = new_case();
  CHECK(state(id) == "new");
  CHECK(db.get("support_case", id).at("received_date").as_datetime() == *clock);
  CHECK(sent("case_created_confirmation"));

  CHECK(db.fire("support_case", id, "assign") == "assigned");
  CHECK(status(id) == "in_progress");
  CHECK(sent("case_assigned_notification"));
  CHECK(db.count("task", Filter::compare("what_id", CompareOp::eq, id)) == 1);

  CHECK(db.fire("support_case", id, "request_info") == "waiting_customer");
  CHECK(status(id) == "waiting_on_customer");
  CHECK_FALSE(db.get("support_case", id).at("waiting_since").is_null());
  CHECK(db.fire("support_case", id, "customer_responded") == "assigned");

  db.update("support_case", id, {{"requested_team", "hardware@acme.example"}});
  CHECK(db.fire("support_case", id, "request_internal_help") == "waiting_internal");
  CHECK(status(id) == "waiting_on_internal");
  CHECK(sent("internal_help_requested"));
  CHECK(db.fire("support_case", id, "internal_responded") == "assigned");

  CHECK_THROWS_AS(db.fire("support_case", id, "escalate"), WorkflowError);  // no reason to escalate
  db.update("support_case", id, {{"escalated_by_customer", true}});
  CHECK(db.fire("support_case", id, "escalate") == "escalated");
  auto escalated = db.get("support_case", id);
  CHECK(escalated.at("priority").as_string() == "critical");
  CHECK(escalated.at("is_escalated").as_bool());
  CHECK(db.fire("support_case", id, "de_escalate") == "assigned");

  CHECK_THROWS_WITH_AS(db.fire("support_case", id, "resolve"), doctest::Contains("guard"), WorkflowError);
  db.update("support_case", id, {{"resolution", "Replaced the fuser"}});
  CHECK(db.fire("support_case", id, "resolve") == "resolved");
  CHECK(status(id) == "resolved");
  CHECK(sent("satisfaction_survey"));
  db.update("support_case", id, {{"customer_satisfied", false}});
  CHECK(db.fire("support_case", id, "reopen") == "assigned");
  CHECK(db.fire("support_case", id, "resolve") == "resolved");
  CHECK(db.fire("support_case", id, "close") == "closed");
  CHECK(status(id) == "closed");
  CHECK(db.fire("support_case", id, "reopen") == "assigned");  // within 30 days of closing
  CHECK(db.get("support_case", id).at("reopen_count").as_int() == 2);
  CHECK_THROWS_AS(db.update("support_case", id, {{"lifecycle_state", "closed"}}), ValidationError);
}

TEST_CASE_FIXTURE(StandardDb, "case lifecycle: auto-resolve, and reopening a closed case only within 30 days") {
  auto low = new_case("low");
  CHECK_THROWS_AS(db.fire("support_case", low, "auto_resolve"), WorkflowError);
  db.update("support_case", low, {{"auto_resolvable", true}});
  CHECK(db.fire("support_case", low, "auto_resolve") == "auto_resolved");
  CHECK(status(low) == "auto_resolved");
  CHECK_THROWS_AS(db.fire("support_case", low, "reopen"), WorkflowError);  // final, no way back

  auto id = new_case();
  db.fire("support_case", id, "assign");
  db.update("support_case", id, {{"resolution", "Fixed"}});
  db.fire("support_case", id, "resolve");
  db.fire("support_case", id, "close");
  *clock = DateTime::parse("2026-04-15T09:00:00Z");
  CHECK_THROWS_WITH_AS(db.fire("support_case", id, "reopen"), doctest::Contains("guard"), WorkflowError);
}

TEST_CASE_FIXTURE(StandardDb, "case lifecycle timers: auto-escalation after 4 hours, auto-close, reminders, timeout") {
  auto urgent = new_case("high");
  db.fire("support_case", urgent, "assign");
  auto calm = new_case("medium");
  db.fire("support_case", calm, "assign");
  // 4 hours later the high-priority case nobody answered escalates; the medium one's timer is dropped.
  // Also due: the urgent case's first-response SLA warning (75 % of 4 hours) and violation (with no
  // business hours records the SLA counts around the clock).
  auto report = db.run_due(DateTime::parse("2026-03-02T13:00:00Z"));
  CHECK(report.timers_run == 3);
  CHECK(report.timers_dropped == 1);
  CHECK(db.get("support_case", urgent).at("is_sla_violated").as_bool());
  CHECK_FALSE(db.get("support_case", calm).at("is_sla_violated").as_bool());
  CHECK(state(urgent) == "escalated");
  CHECK(state(calm) == "assigned");

  // Waiting on the customer for 7 days closes the case automatically.
  db.fire("support_case", calm, "request_info");
  db.run_due(DateTime::parse("2026-03-09T09:00:00Z"));
  CHECK(state(calm) == "auto_closed");
  auto closed = db.get("support_case", calm);
  CHECK(closed.at("closure_reason").as_string() == "No customer response");
  CHECK(closed.at("closed_date").as_datetime() == DateTime::parse("2026-03-09T09:00:00Z"));
  CHECK(db.fire("support_case", calm, "reopen") == "assigned");

  // Waiting on another team: a reminder after 2 days, the state stays.
  db.update("support_case", calm, {{"requested_team", "network@acme.example"}});
  db.fire("support_case", calm, "request_internal_help");
  db.run_due(DateTime::parse("2026-03-12T09:00:00Z"));
  CHECK(state(calm) == "waiting_internal");
  CHECK(sent("internal_help_reminder"));

  // Resolved with no customer response for a day: closed automatically.
  db.update("support_case", urgent, {{"resolution", "Restarted the spooler"}});
  db.fire("support_case", urgent, "resolve");
  db.run_due(DateTime::parse("2026-03-13T09:00:00Z"));
  CHECK(state(urgent) == "closed");
}

TEST_CASE_FIXTURE(StandardDb, "lead rules: a follow-up task and an alert for new leads, hot-lead alerts on the edge") {
  auto lead = db.insert("lead", {{"last_name", "Lovelace"}, {"company", "Engines"}, {"email", "ada@engines.example"}});
  auto tasks = db.query(Query{.object = "task", .filter = Filter::compare("who_id", CompareOp::eq, lead)});
  REQUIRE(tasks.rows.row_count() == 1);
  auto task = db.get("task", tasks.rows.at(0, 0).as_string());
  CHECK(task.at("subject").as_string() == "Follow up with new lead: Lovelace (Engines)");
  CHECK(task.at("due_date").as_date() == Date::parse("2026-03-03"));
  CHECK(sent("new_lead_assigned"));
  CHECK_FALSE(sent("hot_lead_alert"));
  db.update("lead", lead, {{"rating", "hot"}});
  db.update("lead", lead, {{"title", "CTO"}});  // still hot: no second alert
  auto names = templates();
  CHECK(std::count(names.begin(), names.end(), "hot_lead_alert") == 1);
}

TEST_CASE_FIXTURE(StandardDb, "lead nurturing runs daily at 09:00 UTC by lead age") {
  auto lead = db.insert("lead", {{"last_name", "Hopper"}, {"company", "Navy"}, {"email", "grace@navy.example"},
                                 {"status", "contacted"}});
  db.run_due(DateTime::parse("2026-03-02T10:00:00Z"));  // starts the schedule
  auto report = db.run_due(DateTime::parse("2026-03-10T10:00:00Z"));
  CHECK(report.schedule_runs == 1);  // catch-up: the latest missed run only
  CHECK(sent("lead_nurture_week_1"));
  (void)lead;
}

TEST_CASE_FIXTURE(StandardDb, "opportunity probability follows the stage table on updates unless set explicitly") {
  auto id = db.insert("opportunity", {{"name", "Renewal"}, {"account_id", account}, {"stage", "prospecting"},
                                      {"close_date", "2026-06-30"}, {"amount", "1000.00"}});
  CHECK(db.get("opportunity", id).at("probability") == Value(Decimal::parse("10")));
  db.update("opportunity", id, {{"stage", "negotiation"}});
  CHECK(db.get("opportunity", id).at("probability").as_decimal() == Decimal::parse("80"));
  db.update("opportunity", id, {{"stage", "needs_analysis"}, {"probability", "65"}});  // explicit wins
  CHECK(db.get("opportunity", id).at("probability").as_decimal() == Decimal::parse("65"));
  db.update("opportunity", id, {{"amount", "2000.00"}});  // no stage change: untouched
  CHECK(db.get("opportunity", id).at("probability").as_decimal() == Decimal::parse("65"));
  db.update("opportunity", id, {{"stage", "closed_lost"}});
  CHECK(db.get("opportunity", id).at("probability").as_decimal() == Decimal::parse("0"));
}

TEST_CASE_FIXTURE(StandardDb, "lead conversion creates account, contact and opportunity atomically, once") {
  auto lead = db.insert("lead", {{"first_name", "Ada"}, {"last_name", "Lovelace"}, {"company", "Engines"},
                                 {"email", "ada@engines.example"}, {"annual_revenue", "2500000.00"},
                                 {"city", "London"}, {"lead_source", "purchased_list"}});
  auto converted = db.convert_lead(lead);
  REQUIRE(converted.opportunity_id);
  auto new_account = db.get("account", converted.account_id);
  CHECK(new_account.at("name").as_string() == "Engines");
  CHECK(new_account.at("billing_city").as_string() == "London");
  auto new_contact = db.get("contact", converted.contact_id);
  CHECK(new_contact.at("account_id").as_string() == converted.account_id);
  CHECK(new_contact.at("email").as_string() == "ada@engines.example");
  auto opportunity = db.get("opportunity", *converted.opportunity_id);
  CHECK(opportunity.at("name").as_string() == "Engines - Deal");
  CHECK(opportunity.at("stage").as_string() == "prospecting");
  CHECK(opportunity.at("close_date").as_date() == Date::parse("2026-04-01"));
  CHECK(opportunity.at("amount").as_decimal() == Decimal::parse("250000.00"));
  CHECK(opportunity.at("lead_source").as_string() == "other");
  auto stored = db.get("lead", lead);
  CHECK(stored.at("status").as_string() == "converted");
  CHECK(stored.at("is_converted").as_bool());
  CHECK(stored.at("converted_opportunity_id").as_string() == *converted.opportunity_id);

  const auto accounts = db.count("account");
  CHECK_THROWS_WITH_AS(db.convert_lead(lead), doctest::Contains("already converted"), WorkflowError);
  CHECK(db.count("account") == accounts);
  // Users cannot write the conversion fields themselves.
  CHECK_THROWS_AS(db.update("lead", lead, {{"converted_account_id", Value(account)}}), ValidationError);
}

TEST_CASE_FIXTURE(StandardDb, "lead conversion into an existing account, without an opportunity, or not at all") {
  auto lead = db.insert("lead", {{"last_name", "Hopper"}, {"company", "Navy"}, {"phone", "+1 555 0100"}});
  const auto contacts = db.count("contact");
  CHECK_THROWS_AS(db.convert_lead(lead, {.account_id = "no-such-account"}), NotFoundError);
  CHECK(db.count("contact") == contacts);  // nothing was kept
  CHECK_FALSE(db.get("lead", lead).at("is_converted").as_bool());
  auto converted = db.convert_lead(lead, {.create_opportunity = false, .account_id = account});
  CHECK_FALSE(converted.account_created);
  CHECK_FALSE(converted.opportunity_id);
  CHECK(converted.account_id == account);
  CHECK_THROWS_AS(db.convert_lead("no-such-lead"), NotFoundError);
}

namespace {
/// The standard catalog, with contacts as details of their account when `contacts_are_details`; a
/// user "rep" who may create and edit leads, accounts, contacts and deals; private accounts.
Database open_for_rep(const test::TempDir& dir, bool contacts_are_details) {
  auto catalog = json::parse(Catalog::standard().to_json());
  for (auto& object : catalog["objects"])
    for (auto& field : object["fields"])
      if (contacts_are_details && object["name"] == "contact" && field["name"] == "account_id") {
        field["type"] = "master_detail";
        field.erase("on_delete");  // a detail goes with its master
      }
  OpenOptions options;
  options.catalog = Catalog::from_json(catalog.dump(), "standard catalog");
  Database db = Database::open(dir.file("crm.db"), options);
  db.set_user({"rep", "", false});
  db.assign_permission_set("rep", "sales");
  for (const char* object : {"lead", "account", "contact", "opportunity"}) db.grant("sales", object, ObjectPermissions::crud());
  db.set_sharing_model("account", SharingModel::private_);
  return db;
}
}  // namespace

TEST_CASE("lead conversion into an existing account takes the account as the user may see (and edit) it" *
          doctest::test_suite("access")) {
  for (const bool contacts_are_details : {false, true}) {
    CAPTURE(contacts_are_details);
    test::TempDir dir;
    Database db = open_for_rep(dir, contacts_are_details);
    const auto hidden = db.insert("account", {{"name", "Hidden"}, {"owner_id", "boss"}});
    const auto readable = db.insert("account", {{"name", "Readable"}, {"owner_id", "boss"}});
    const auto own = db.insert("account", {{"name", "Own"}, {"owner_id", "rep"}});
    db.share("account", readable, Grantee::user("rep"), ShareAccess::read);
    auto rep = db.session({"rep", "default", AccessMode::user});
    const auto lead = rep.insert("lead", {{"last_name", "Hopper"}, {"company", "Navy"}, {"phone", "+1 555 0100"}});
    const auto contacts = db.count("contact");
    const auto deals = db.count("opportunity");
    // An account the user cannot see does not exist for them, whatever the conversion would write.
    CHECK_THROWS_WITH_AS(rep.convert_lead(lead, {.account_id = hidden}), doctest::Contains("no account"), NotFoundError);
    if (contacts_are_details) {
      // Adding a detail to a master takes edit on the master.
      CHECK_THROWS_WITH_AS(rep.convert_lead(lead, {.account_id = readable}), doctest::Contains("but not edit it"),
                           PermissionError);
      CHECK(db.count("contact") == contacts);
      CHECK(db.count("opportunity") == deals);
      CHECK_FALSE(db.get("lead", lead).at("is_converted").as_bool());
      const auto converted = rep.convert_lead(lead, {.account_id = own});
      CHECK(db.get("contact", converted.contact_id).at("account_id").as_string() == own);
    } else {
      // A plain lookup takes read: a contact may name an account the user only reads.
      const auto converted = rep.convert_lead(lead, {.account_id = readable});
      CHECK(db.get("contact", converted.contact_id).at("account_id").as_string() == readable);
      CHECK(db.count("contact") == contacts + 1);
    }
  }
}

TEST_CASE_FIXTURE(StandardDb, "business calendars come from business_hours and holiday records") {
  auto calendar = db.insert("holiday_calendar", {{"name", "Company"}, {"country", "uk"}, {"year", 2026}});
  db.insert("holiday", {{"calendar_id", calendar}, {"name", "Founders' day"}, {"holiday_date", "2026-03-09"},
                        {"holiday_type", "company"}});
  db.insert("holiday", {{"calendar_id", calendar}, {"name", "Christmas Eve"}, {"holiday_date", "2026-12-24"},
                        {"holiday_type", "company"},
                        {"is_full_day", false}, {"start_time", "12:00"}, {"end_time", "17:00"}});
  Record hours{{"name", "Paris office"}, {"time_zone", "europe_paris"}, {"exclude_holidays", true},
               {"holiday_calendar_id", calendar}};
  for (const char* day : {"monday", "tuesday", "wednesday", "thursday", "friday"}) {
    hours.emplace(std::string(day) + "_enabled", true);
    hours.emplace(std::string(day) + "_start_time", "09:00");
    hours.emplace(std::string(day) + "_end_time", "17:00");
  }
  for (const char* day : {"saturday", "sunday"}) hours.emplace(std::string(day) + "_enabled", false);
  auto id = db.insert("business_hours", hours);
  auto business = db.business_calendar(id);
  // Friday 16:00 Paris + 8 business hours: 1 on Friday, Monday is a holiday, 7 on Tuesday.
  const auto start = DateTime::parse("2026-03-06T15:00:00Z");
  const auto due = business.add_business_minutes(start, 8 * 60);
  CHECK(due == DateTime::parse("2026-03-10T15:00:00Z"));
  CHECK(business.business_minutes_between(start, due) == 8 * 60);
  // Christmas Eve (a Thursday) closes at noon: from 11:00 Paris, one hour that day, one the next.
  CHECK(business.add_business_minutes(DateTime::parse("2026-12-24T10:00:00Z"), 120) ==
        DateTime::parse("2026-12-25T09:00:00Z"));
  db.update("business_hours", id, {{"monday_start_time", "9 am"}});
  CHECK_THROWS_WITH_AS(db.business_calendar(id), doctest::Contains("monday"), UsageError);
  CHECK_THROWS_AS(db.business_calendar("nope"), NotFoundError);
}
