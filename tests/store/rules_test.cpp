#include <doctest/doctest.h>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using test::rejection_codes;

namespace {
// The legacy HotCRM lead rules, on a small catalog with a lookup and a formula field.
const char* kRulesCatalog = R"json([
  {"name": "account", "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "industry", "type": "select", "options": ["technology", "finance"]}]},
  {"name": "prospect", "fields": [
    {"name": "last_name", "type": "text", "required": true},
    {"name": "email", "type": "email"},
    {"name": "phone", "type": "phone"},
    {"name": "status", "type": "select", "default": "new", "options": ["new", "working", "converted"]},
    {"name": "revenue", "type": "currency"},
    {"name": "industry", "type": "select", "options": ["technology", "finance"]},
    {"name": "account_id", "type": "lookup", "reference": "account"},
    {"name": "amount", "type": "currency"},
    {"name": "probability", "type": "percent"},
    {"name": "expected", "type": "formula", "expression": "amount * probability / 100", "return_type": "currency"},
    {"name": "label", "type": "formula", "expression": "last_name & ' @ ' & BLANKVALUE(account_id.name, '-')", "return_type": "text"}],
   "validation_rules": [
    {"name": "email_or_phone", "condition": "AND(ISBLANK(email), ISBLANK(phone))",
     "message": "Give an e-mail address or a phone number"},
    {"name": "converted_is_final", "condition": "AND(ISCHANGED(status), PRIORVALUE(status) = 'converted')",
     "message": "A converted prospect keeps its status", "error_field": "status"},
    {"name": "big_needs_industry", "condition": "AND(revenue > 10000000, ISBLANK(industry))",
     "message": "Revenue above 10,000,000 needs an industry", "error_field": "industry"},
    {"name": "finance_accounts_only", "condition": "AND(NOT(ISBLANK(account_id)), NOT(ISPICKVAL(account_id.industry, 'finance')))",
     "message": "Only finance accounts", "error_field": "account_id"},
    {"name": "inactive_rule", "condition": "TRUE", "message": "never applied", "active": false}]}
])json";

struct RulesFixture {
  test::TempDir dir;
  std::filesystem::path path = dir.file("rules.db");
  Database db = open();
  Database open() {
    OpenOptions options;
    options.catalog = Catalog::from_json(kRulesCatalog);
    options.clock = fixed_clock(DateTime::parse("2026-03-04T05:06:07Z"));
    return Database::open(path, options);
  }
};
}  // namespace

TEST_CASE_FIXTURE(RulesFixture, "validation rules reject writes, all failing rules together" * doctest::test_suite("rules")) {
  auto before = test::dump_database(path);
  try {
    db.insert("prospect", {{"last_name", "Ng"}, {"revenue", "20000000"}});
    FAIL("expected a ValidationError");
  } catch (const ValidationError& error) {
    REQUIRE(error.errors().size() == 2);
    CHECK(error.errors()[0].rule == "email_or_phone");
    CHECK(error.errors()[0].code == "rule");
    CHECK(error.errors()[0].message == "Give an e-mail address or a phone number");
    CHECK(error.errors()[1].rule == "big_needs_industry");
    CHECK(error.errors()[1].field == "industry");
  }
  CHECK(test::dump_database(path) == before);
  // Boundary: exactly 10,000,000 is allowed without an industry.
  CHECK_NOTHROW(db.insert("prospect", {{"last_name", "Ng"}, {"phone", "+1 555 0100"}, {"revenue", "10000000.00"}}));
  // Field errors come first: rules do not run on malformed values.
  CHECK(rejection_codes([&] { db.insert("prospect", {{"last_name", "X"}, {"revenue", "lots"}}); }) ==
        std::vector<std::string>{"revenue:type"});
}

TEST_CASE_FIXTURE(RulesFixture, "rules see the prior record on update and read through lookups" * doctest::test_suite("rules")) {
  auto id = db.insert("prospect", {{"last_name", "Ng"}, {"email", "ng@x.io"}});
  db.update("prospect", id, {{"status", "converted"}});
  CHECK(rejection_codes([&] { db.update("prospect", id, {{"status", "working"}}); }) ==
        std::vector<std::string>{"status:rule"});
  CHECK_NOTHROW(db.update("prospect", id, {{"phone", "+44 20 7946 0000"}}));  // status unchanged: fine

  auto tech = db.insert("account", {{"name", "Tech"}, {"industry", "technology"}});
  auto bank = db.insert("account", {{"name", "Bank"}, {"industry", "finance"}});
  CHECK(rejection_codes([&] { db.insert("prospect", {{"last_name", "A"}, {"email", "a@x.io"}, {"account_id", tech}}); }) ==
        std::vector<std::string>{"account_id:rule"});
  CHECK_NOTHROW(db.insert("prospect", {{"last_name", "B"}, {"email", "b@x.io"}, {"account_id", bank}}));
}

TEST_CASE_FIXTURE(RulesFixture, "bulk imports apply rules per row" * doctest::test_suite("rules")) {
  RecordBatch batch({"last_name", "email", "phone"});
  batch.add_row({"Ok", "ok@x.io", Value{}});
  batch.add_row({"Bad", Value{}, Value{}});
  batch.add_row({"Ok2", Value{}, "+1 555 0101"});
  ImportOptions skip;
  skip.on_error = OnError::skip;
  auto report = db.import_records("prospect", batch, skip);
  CHECK(report.inserted == 2);
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].row == 1);
  CHECK(report.rejected[0].rule == "email_or_phone");
}

TEST_CASE_FIXTURE(RulesFixture, "formula fields are computed on read" * doctest::test_suite("rules")) {
  auto bank = db.insert("account", {{"name", "Bank"}, {"industry", "finance"}});
  auto id = db.insert("prospect", {{"last_name", "Ng"}, {"email", "ng@x.io"}, {"amount", "1000.00"},
                                   {"probability", "25"}, {"account_id", bank}});
  auto prospect = db.get("prospect", id);
  CHECK(prospect.at("expected").as_decimal() == Decimal::parse("250"));
  CHECK(prospect.at("label").as_string() == "Ng @ Bank");
  db.update("account", bank, {{"name", "Big Bank"}});
  CHECK(db.get("prospect", id).at("label").as_string() == "Ng @ Big Bank");  // never stale
  CHECK(rejection_codes([&] { db.update("prospect", id, {{"expected", "1"}}); }) ==
        std::vector<std::string>{"expected:read_only"});
}

TEST_CASE_FIXTURE(RulesFixture, "ad-hoc evaluation and compile checks" * doctest::test_suite("rules")) {
  auto checked = db.check_formula("prospect", "amount * 2 +");
  CHECK_FALSE(checked.ok());
  REQUIRE_FALSE(checked.diagnostics.empty());
  CHECK(checked.diagnostics[0].render("amount * 2 +").find('^') != std::string::npos);
  CHECK(db.check_formula("prospect", "amount * 2").formula->result_type() == FormulaType::currency);
  CHECK_THROWS_AS(db.check_formula("nothing", "1"), SchemaError);

  auto bank = db.insert("account", {{"name", "Bank"}, {"industry", "finance"}});
  auto result = db.evaluate("prospect", "account_id.name & ': ' & TEXT(amount)", {{"account_id", bank}, {"amount", "12.5"}});
  CHECK(result.ok());
  CHECK(result.value.as_string() == "Bank: 12.50");
  CHECK(db.evaluate("prospect", "ISCHANGED(status)", {{"status", "working"}}, Record{{"status", "new"}}).value.as_bool());
  CHECK(db.evaluate("prospect", "TODAY()", {}).value == Value(Date::parse("2026-03-04")));
  CHECK(db.evaluate("prospect", "amount / 0", {{"amount", 1}}).error == FormulaError::division_by_zero);
  CHECK_THROWS_WITH_AS(db.evaluate("prospect", "amont > 1", {}), doctest::Contains("amont"), UsageError);
}

TEST_CASE("broken formulas fail at catalog load" * doctest::test_suite("rules")) {
  auto broken = std::string(kRulesCatalog);
  broken.replace(broken.find("ISBLANK(phone)"), 14, "ISBLANK(phon)");
  CHECK_THROWS_WITH_AS(Catalog::from_json(broken), doctest::Contains("email_or_phone"), SchemaError);
  auto not_boolean = std::string(kRulesCatalog);
  not_boolean.replace(not_boolean.find("\"condition\": \"TRUE\""), 19, "\"condition\": \"1 + 1\"");
  CHECK_THROWS_WITH_AS(Catalog::from_json(not_boolean), doctest::Contains("inactive_rule"), SchemaError);
}

TEST_CASE("stored records are re-validated in batches against new rules" * doctest::test_suite("rules")) {
  test::TempDir dir;
  auto path = dir.file("r.db");
  std::string without_rules = kRulesCatalog;
  without_rules = without_rules.substr(0, without_rules.find(",\n   \"validation_rules\"")) + "}\n]";
  std::vector<std::string> bad;
  {
    OpenOptions options;
    options.catalog = Catalog::from_json(without_rules);
    auto db = Database::open(path, options);
    RecordBatch batch({"last_name", "email"});
    for (int i = 0; i < 5000; ++i) batch.add_row({"P" + std::to_string(i), i % 1000 == 0 ? Value{} : Value("p@x.io")});
    auto report = db.import_records("prospect", batch);
    for (int i = 0; i < 5000; i += 1000) bad.push_back(report.ids[static_cast<std::size_t>(i)]);
  }
  OpenOptions options;
  options.catalog = Catalog::from_json(kRulesCatalog);
  auto db = Database::open(path, options);
  auto violations = db.validate_stored("prospect");
  REQUIRE(violations.size() == bad.size());
  for (std::size_t i = 0; i < bad.size(); ++i) {
    CHECK(violations[i].record_id == bad[i]);
    CHECK(violations[i].rule == "email_or_phone");
  }
  CHECK(db.validate_stored("account").empty());
}

TEST_CASE_FIXTURE(RulesFixture, "queries and exports compute formula fields" * doctest::test_suite("rules")) {
  auto bank = db.insert("account", {{"name", "Bank"}, {"industry", "finance"}});
  db.insert("prospect", {{"last_name", "Ng"}, {"email", "ng@x.io"}, {"amount", "1000.00"}, {"probability", "25"},
                         {"account_id", bank}});
  db.insert("prospect", {{"last_name", "Li"}, {"email", "li@x.io"}});
  auto picked = db.query({.object = "prospect", .order_by = {{"last_name", false}}, .fields = {"last_name", "expected", "label"}});
  REQUIRE(picked.size() == 2);
  CHECK(picked.rows.at(0, 1).is_null());  // Li: no amount
  CHECK(picked.rows.at(0, 2).as_string() == "Li @ -");
  CHECK(picked.rows.at(1, 1).as_decimal() == Decimal::parse("250"));
  CHECK(picked.rows.at(1, 2).as_string() == "Ng @ Bank");
  auto all = db.query({.object = "prospect"});
  CHECK(std::find(all.fields.begin(), all.fields.end(), "expected") != all.fields.end());
  // Formula fields can be filtered and sorted on (the engine computes them), not grouped.
  auto filtered = db.query({.object = "prospect", .filter = parse_where("expected > 1"), .order_by = {{"expected", true}}});
  REQUIRE(filtered.size() == 1);
  CHECK(filtered.rows.at(0, static_cast<std::size_t>(std::find(filtered.fields.begin(), filtered.fields.end(), "last_name") -
                                                   filtered.fields.begin())) == Value("Ng"));
  CHECK_THROWS_WITH_AS(db.aggregate({.object = "prospect", .group_by = {"expected"}, .aggregates = {{AggregateFn::count}}}),
                       doctest::Contains("not grouped"), UsageError);
}

TEST_CASE("default values may be formulas, evaluated on insert against the new record" * doctest::test_suite("rules")) {
  test::TempDir dir;
  OpenOptions options = test::test_options();  // the clock reads 2026-03-04T05:06:07Z
  options.catalog = Catalog::from_json(R"json([{"name": "task", "fields": [
    {"name": "subject", "type": "text", "required": true},
    {"name": "priority", "type": "select", "options": ["low", "high"],
     "default": {"formula": "IF(CONTAINS(subject, 'urgent'), 'high', 'low')"}},
    {"name": "due", "type": "date", "required": true, "default": {"formula": "TODAY() + IF(ISPICKVAL(priority, 'high'), 1, 7)"}},
    {"name": "estimate", "type": "currency", "scale": 2, "default": {"formula": "LEN(subject) * 1.5"}},
    {"name": "code", "type": "text", "default": {"formula": "UPPER(LEFT(subject, 3)) & '-' & TEXT(YEAR(due))"}},
    {"name": "bad", "type": "select", "options": ["a", "b"], "default": {"formula": "IF(LEN(subject) > 40, 'zzz', 'a')"}}
  ]}])json", "defaults");
  Database db = Database::open(dir.file("defaults.db"), options);

  auto urgent = db.get("task", db.insert("task", {{"subject", "urgent call"}}));
  CHECK(urgent.at("priority") == Value("high"));
  CHECK(urgent.at("due") == Value(Date::parse("2026-03-05")));
  CHECK(urgent.at("estimate") == Value(Decimal::parse("16.50")));
  CHECK(urgent.at("code") == Value("URG-2026"));
  CHECK(urgent.at("bad") == Value("a"));

  // A given value wins; a formula default reads given values and earlier defaults.
  auto given = db.get("task", db.insert("task", {{"subject", "write"}, {"due", "2027-01-01"}, {"estimate", "2"}}));
  CHECK(given.at("priority") == Value("low"));
  CHECK(given.at("due") == Value(Date::parse("2027-01-01")));
  CHECK(given.at("estimate") == Value(Decimal::parse("2.00")));
  CHECK(given.at("code") == Value("WRI-2027"));

  // A default formula giving a value the field refuses rejects the insert, naming the field.
  auto before = test::dump_database(dir.file("defaults.db"));
  auto codes = test::rejection_codes([&] { db.insert("task", {{"subject", std::string(41, 'x')}}); });
  REQUIRE(codes.size() == 1);
  CHECK(codes.front().rfind("bad:", 0) == 0);
  CHECK(test::dump_database(dir.file("defaults.db")) == before);

  // Broken default formulas fail the catalog load, with the field named.
  CHECK_THROWS_WITH_AS(Catalog::from_json(R"json([{"name": "t", "fields": [
    {"name": "n", "type": "number", "default": {"formula": "LEN(missing)"}}]}])json", "broken"),
                       doctest::Contains("field 'n'"), SchemaError);
  CHECK_THROWS_WITH_AS(Catalog::from_json(R"json([{"name": "t", "fields": [
    {"name": "n", "type": "number", "default": {"formula": "'text'"}}]}])json", "mistyped"),
                       doctest::Contains("default formula does not compile"), SchemaError);
  CHECK_THROWS_WITH_AS(Catalog::from_json(R"json([{"name": "t", "fields": [
    {"name": "n", "type": "number", "default": {"expression": "1"}}]}])json", "malformed"),
                       doctest::Contains("{\"formula\""), SchemaError);
  // The catalog round-trips through JSON.
  auto again = Catalog::from_json(db.catalog().to_json(), "again");
  CHECK(again.at("task").find_field("due")->default_value->formula == "TODAY() + IF(ISPICKVAL(priority, 'high'), 1, 7)");
}
