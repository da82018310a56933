// Service processes in bulk: an import reads the assignment rules, queues, members, rotations and
// loads once per batch, and the SLA its default business hours once per write. What the rows get
// must be exactly what the same rows get one insert at a time, and a later call must see changes.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

struct ServiceSalesDb {
  test::TempDir dir;
  Database db;
  std::vector<std::string> inside, enterprise;
  std::string tech, inside_queue, enterprise_queue, inside_rule;

  explicit ServiceSalesDb(const std::string& name) : db(open(dir.file(name))) {
    for (int i = 0; i < 3; ++i) inside.push_back(user(fmt("inside", i)));
    for (int i = 0; i < 2; ++i) enterprise.push_back(user(fmt("enterprise", i)));
    tech = user("tech");
    inside_queue = queue("Inside", "round_robin", inside);
    enterprise_queue = queue("Enterprise", "load_balanced", enterprise);
    rule("Enterprise", 1, "annual_revenue", "greater_than", "5000000", "assign_to_queue_id", enterprise_queue);
    rule("Technology", 2, "industry", "equals", "technology", "assign_to_user_id", tech);
    inside_rule = rule("Inside", 3, "status", "equals", "new", "assign_to_queue_id", inside_queue);
  }

  static std::string fmt(const char* prefix, int i) { return prefix + std::to_string(i); }
  static Database open(const std::filesystem::path& path) {
    OpenOptions options;
    options.clock = fixed_clock(DateTime::parse("2026-03-02T09:00:00Z"));
    options.id_seed = 3;
    return Database::open(path, options);
  }
  std::string user(const std::string& name) {
    return db.insert("user", {{"username", name}, {"email", name + "@example.com"}, {"last_name", name}});
  }
  std::string queue(const std::string& name, const std::string& routing, const std::vector<std::string>& members) {
    auto id = db.insert("queue", {{"name", name}, {"queue_type", "general"}, {"routing_method", routing}});
    for (std::size_t m = 0; m < members.size(); ++m)
      db.insert("queue_member", {{"queue_id", id}, {"user_id", members[m]}, {"assignment_priority", std::int64_t(m + 1)}});
    return id;
  }
  std::string rule(const char* name, std::int64_t order, const char* field, const char* op, const char* value,
                   const char* key, const std::string& target) {
    return db.insert("assignment_rule", {{"name", name}, {"object_name", "lead"}, {"sort_order", order}, {"criteria_field", field},
                                         {"criteria_operator", op}, {"criteria_value", value}, {key, target}});
  }
  std::string owner_of(const std::string& email) {
    auto rows = db.query(Query{.object = "lead", .filter = Filter::compare("email", CompareOp::eq, email), .fields = {"owner_id"}});
    REQUIRE(rows.size() == 1);
    return rows.rows.at(0, 0).as_string();
  }
};

/// 40 leads: a third big enough for the load-balanced queue, a quarter technology, the rest
/// round-robin; every seventh one already owned (by the second enterprise rep, so it weighs on the
/// loads) and not new; one duplicate e-mail in the enterprise range, rejected by the import.
std::vector<Record> mixed_leads(const ServiceSalesDb& team) {
  std::vector<Record> leads;
  for (int i = 0; i < 40; ++i) {
    Record lead{{"last_name", "L" + std::to_string(i)}, {"company", "C"}, {"email", "l" + std::to_string(i) + "@example.com"},
                {"industry", i % 4 == 1 ? "technology" : "finance"},
                {"annual_revenue", Decimal::from_int(i % 3 == 0 ? 9'000'000 : 1'000)}};
    if (i % 7 == 3) {
      lead["owner_id"] = team.enterprise[1];
      lead["status"] = "contacted";
    }
    leads.push_back(std::move(lead));
  }
  leads[30]["email"] = "l0@example.com";  // i = 30: enterprise range, duplicate of lead 0
  return leads;
}

RecordBatch as_batch(const std::vector<Record>& records) {
  RecordBatch batch({"last_name", "company", "email", "industry", "annual_revenue", "owner_id", "status"});
  for (const auto& record : records) {
    std::vector<Value> row;
    for (const auto& field : batch.fields()) row.push_back(record.count(field) ? record.at(field) : Value());
    batch.add_row(std::move(row));
  }
  return batch;
}

}  // namespace

TEST_CASE("bulk assignment gives every lead the owner it gets inserted alone") {
  ServiceSalesDb one_by_one("single.db");
  ServiceSalesDb bulk("bulk.db");
  const auto leads = mixed_leads(one_by_one);
  int conflicts = 0;
  for (const auto& lead : leads) {
    try {
      one_by_one.db.insert("lead", lead);
    } catch (const ConflictError&) {
      ++conflicts;
    }
  }
  CHECK(conflicts == 1);
  ImportOptions options;
  options.on_error = OnError::skip;
  options.chunk_rows = 7;  // several batches, each with its own cache
  auto report = bulk.db.import_records("lead", as_batch(mixed_leads(bulk)), options);
  CHECK(report.inserted == 39);
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].row == 30);
  std::map<std::string, int> per_owner;
  for (int i = 0; i < 40; ++i) {
    if (i == 30) continue;
    const std::string email = "l" + std::to_string(i) + "@example.com";
    // The users were created the same way in both files: their ids match.
    CHECK_MESSAGE(bulk.owner_of(email) == one_by_one.owner_of(email), email);
    ++per_owner[bulk.owner_of(email)];
  }
  // Eleven leads balanced against six already owned by the second enterprise rep (the rejected
  // duplicate counts for nobody): 9 and 8.
  CHECK(per_owner[bulk.enterprise[0]] == 9);
  CHECK(per_owner[bulk.enterprise[1]] == 8);
  CHECK(per_owner[bulk.tech] == 6);
}

TEST_CASE("bulk assignment sees rule and member changes made between imports, and continues the rotation") {
  ServiceSalesDb team("changes.db");
  auto import = [&](int first, int count) {
    RecordBatch batch({"last_name", "company", "email"});
    for (int i = first; i < first + count; ++i)
      batch.add_row({Value("L" + std::to_string(i)), Value("C"), Value("l" + std::to_string(i) + "@example.com")});
    REQUIRE(team.db.import_records("lead", batch).inserted == count);
  };
  auto owners = [&](int first, int count) {
    std::vector<std::string> result;
    for (int i = first; i < first + count; ++i) result.push_back(team.owner_of("l" + std::to_string(i) + "@example.com"));
    return result;
  };
  const auto& in = team.inside;
  import(0, 4);
  CHECK(owners(0, 4) == std::vector<std::string>{in[0], in[1], in[2], in[0]});
  import(4, 1);  // a separate import reads the persisted rotation
  CHECK(owners(4, 1) == std::vector<std::string>{in[1]});

  auto member = team.db.query(Query{.object = "queue_member", .filter = Filter::compare("user_id", CompareOp::eq, in[2]), .fields = {"id"}});
  team.db.update("queue_member", member.rows.at(0, 0).as_string(), {{"is_active", false}});
  import(5, 3);
  CHECK(owners(5, 3) == std::vector<std::string>{in[0], in[1], in[0]});

  team.db.update("assignment_rule", team.inside_rule, {{"assign_to_queue_id", Value()}, {"assign_to_user_id", team.tech}});
  import(8, 2);
  CHECK(owners(8, 2) == std::vector<std::string>{team.tech, team.tech});

  // The load-balanced queue counts what earlier imports gave each member.
  RecordBatch big({"last_name", "company", "email", "annual_revenue"});
  for (int i = 10; i < 15; ++i)
    big.add_row({Value("L" + std::to_string(i)), Value("C"), Value("l" + std::to_string(i) + "@example.com"),
                 Value(Decimal::from_int(8'000'000))});
  team.db.import_records("lead", big);
  const auto first = team.db.count("lead", Filter::compare("owner_id", CompareOp::eq, team.enterprise[0]));
  CHECK(first == 3);
  RecordBatch more({"last_name", "company", "email", "annual_revenue"});
  more.add_row({Value("L15"), Value("C"), Value("l15@example.com"), Value(Decimal::from_int(8'000'000))});
  team.db.import_records("lead", more);
  CHECK(team.owner_of("l15@example.com") == team.enterprise[1]);  // 3 against 2
}

TEST_CASE("SLA deadlines of imported cases follow the default business hours as they are at each write") {
  test::TempDir dir;
  auto now = std::make_shared<DateTime>(DateTime::parse("2026-03-02T08:00:00Z"));  // a Monday
  OpenOptions options;
  options.clock = [now] { return *now; };
  Database db = Database::open(dir.file("sla.db"), options);
  const auto hours = db.insert("business_hours", {{"name", "Office"}, {"is_default", true}, {"time_zone", "utc"}});
  const auto account = db.insert("account", {{"name", "Acme"}, {"sla_tier", "gold"}});
  auto import_case = [&](const std::string& subject) {
    RecordBatch batch({"subject", "description", "origin", "account_id", "priority"});
    batch.add_row({Value(subject), Value("Jams"), Value("email"), Value(account), Value("medium")});
    REQUIRE(db.import_records("support_case", batch).inserted == 1);
    auto rows = db.query(Query{.object = "support_case", .filter = Filter::compare("subject", CompareOp::eq, subject),
                               .fields = {"id", "response_due_date", "resolution_due_date"}});
    REQUIRE(rows.size() == 1);
    return rows;
  };
  auto first = import_case("first");
  // Medium: 8 business hours from Monday 09:00 (office 09:00-18:00); gold: 12 hours, into Tuesday.
  CHECK(first.rows.at(0, 1).as_datetime() == DateTime::parse("2026-03-02T17:00:00Z"));
  CHECK(first.rows.at(0, 2).as_datetime() == DateTime::parse("2026-03-03T12:00:00Z"));

  // A new default replaces the old one: the next write starts its clocks in it.
  const auto late = db.insert("business_hours", {{"name", "Late shift"}, {"is_default", true}, {"time_zone", "utc"},
                                                 {"monday_start_time", "12:00"}, {"monday_end_time", "20:00"}});
  db.update("business_hours", hours, {{"is_default", false}, {"is_active", false}});
  auto second = import_case("second");
  CHECK(second.rows.at(0, 1).as_datetime() == DateTime::parse("2026-03-02T20:00:00Z"));
  const auto clocks = db.sla("support_case", second.rows.at(0, 0).as_string());
  REQUIRE(clocks.size() == 2);
  CHECK(db.business_calendar(late).add_business_minutes(*now, 480) == DateTime::parse("2026-03-02T20:00:00Z"));

  // No default at all: around the clock.
  db.update("business_hours", late, {{"is_active", false}});
  auto third = import_case("third");
  CHECK(third.rows.at(0, 1).as_datetime() == DateTime::parse("2026-03-02T16:00:00Z"));
}
