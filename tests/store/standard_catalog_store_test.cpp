// The standard catalog in a real SQLite file: every table, a minimal record of every object, and
// the business rules and formula fields of the catalog at their boundaries.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <set>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

// A value of the field's type that its own constraints accept.
Value minimal_value(const FieldDef& field) {
  auto number_within = [&](double preferred) {
    double value = preferred;
    if (field.min && value < *field.min) value = *field.min;
    if (field.max && value > *field.max) value = *field.max;
    return value;
  };
  switch (field.type) {
    case FieldType::text:
    case FieldType::textarea: return std::string("x");
    case FieldType::email: return std::string("someone@example.com");
    case FieldType::phone: return std::string("+1 555 0100");
    case FieldType::url: return std::string("https://example.com");
    case FieldType::select: return field.options.front().value;
    case FieldType::multiselect: return StringList{field.options.front().value};
    case FieldType::number: return number_within(1);
    case FieldType::currency:
    case FieldType::percent: return Decimal::from_double(number_within(1), field.scale);
    case FieldType::boolean: return false;
    case FieldType::date: return Date::parse("2026-03-04");
    case FieldType::datetime: return DateTime::parse("2026-03-04T05:06:07Z");
    default: return Value();
  }
}

// Values a record needs beyond its required fields to pass the object's validation rules.
const std::map<std::string, Record>& rule_requirements() {
  static const std::map<std::string, Record> requirements = {
      {"lead", {{"email", "lead@example.com"}}},
  };
  return requirements;
}

// Builds minimal valid records from the field definitions alone: required fields get a value of
// their type, required lookups a freshly inserted minimal parent.
class MinimalRecords {
 public:
  explicit MinimalRecords(Database& db) : db_(db) {}

  Record record_for(const std::string& object_name) {
    const ObjectDef& object = db_.catalog().at(object_name);
    Record record;
    for (const auto& field : object.fields) {
      if (!field.required || !field.is_stored() || field.read_only || field.type == FieldType::autonumber) continue;
      if (field.is_reference()) {
        REQUIRE_MESSAGE(field.reference != object_name, ("a required self-reference cannot be satisfied: " + object_name));
        record[field.name] = insert(field.reference);
      } else {
        record[field.name] = minimal_value(field);
      }
    }
    if (auto extra = rule_requirements().find(object_name); extra != rule_requirements().end())
      for (const auto& [name, value] : extra->second) record[name] = value;
    return record;
  }

  std::string insert(const std::string& object_name) {
    // Unique fields: a second record of the same object would collide, so each object is inserted once.
    if (auto it = ids_.find(object_name); it != ids_.end()) return it->second;
    auto id = db_.insert(object_name, record_for(object_name));
    ids_[object_name] = id;
    return id;
  }

 private:
  Database& db_;
  std::map<std::string, std::string> ids_;
};

OpenOptions standard_options(std::optional<Catalog> catalog = std::nullopt) {
  OpenOptions options;
  options.catalog = catalog ? *catalog : Catalog::standard();
  options.clock = fixed_clock(DateTime::parse("2026-03-04T05:06:07Z"));
  options.id_seed = 7;
  return options;
}

std::set<std::string> sqlite_tables(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::set<std::string> tables;
  sqlite3_exec(db, "SELECT name FROM sqlite_master WHERE type = 'table'",
               [](void* target, int, char** values, char**) {
                 static_cast<std::set<std::string>*>(target)->insert(values[0]);
                 return 0;
               },
               &tables, nullptr);
  sqlite3_close(db);
  return tables;
}

// The rule names of the ValidationError thrown by `write`; empty when it succeeds.
template <class Write>
std::vector<std::string> failed_rules(Write&& write) {
  try {
    write();
  } catch (const ValidationError& error) {
    std::vector<std::string> rules;
    for (const auto& e : error.errors()) rules.push_back(e.rule.empty() ? e.field + ":" + e.code : e.rule);
    return rules;
  }
  return {};
}

using Rules = std::vector<std::string>;

struct StandardDb {
  test::TempDir dir;
  std::filesystem::path path = dir.file("standard.db");
  Database db = Database::open(path, standard_options());
  MinimalRecords minimal{db};

  // A minimal record of `object` with `changes` applied.
  Record with(const std::string& object, const Record& changes) {
    Record record = minimal.record_for(object);
    for (const auto& [name, value] : changes) record[name] = value;
    return record;
  }
  std::vector<std::string> insert_rules(const std::string& object, const Record& changes) {
    return failed_rules([&] { db.insert(object, with(object, changes)); });
  }
};

}  // namespace

TEST_CASE("every object of the standard catalog gets its table in a SQLite file" * doctest::test_suite("standard")) {
  test::TempDir dir;
  const auto path = dir.file("all.db");
  {
    auto db = Database::open(path, standard_options());
    for (const auto& object : db.catalog().objects()) CHECK(db.count(object.name) == 0);
  }
  const auto tables = sqlite_tables(path);
  for (const auto& object : Catalog::standard().objects()) CHECK_MESSAGE(tables.count(object.name) == 1, object.name);
}

TEST_CASE("a minimal record of every standard object inserts and reads back" * doctest::test_suite("standard")) {
  StandardDb fixture;
  for (const auto& object : fixture.db.catalog().objects()) {
    CAPTURE(object.name);
    std::string id;
    try {
      id = fixture.minimal.insert(object.name);
    } catch (const ValidationError& error) {
      std::string why;
      for (const auto& e : error.errors()) why += to_string(e) + "; ";
      FAIL_CHECK(why);
      continue;
    }
    const Record stored = fixture.db.get(object.name, id);
    // The case lifecycle's initial state fills received_date on entry: a second version.
    CHECK(stored.at("version").as_int() == (object.state_machine ? 2 : 1));
    for (const auto& field : object.fields)
      if (field.type == FieldType::autonumber) CHECK_FALSE(stored.at(field.name).is_null());
  }
}

TEST_CASE("a package selection creates only its objects" * doctest::test_suite("standard")) {
  test::TempDir dir;
  const std::vector<std::string> packages{"support"};
  auto db = Database::open(dir.file("support.db"), standard_options(Catalog::standard(packages)));
  CHECK(db.catalog().find("support_case") != nullptr);
  CHECK(db.catalog().find("account") != nullptr);
  CHECK(db.catalog().find("product") != nullptr);
  CHECK(db.catalog().find("user") != nullptr);
  CHECK(db.catalog().find("employee") == nullptr);
  CHECK(db.catalog().find("campaign") == nullptr);
  MinimalRecords minimal(db);
  CHECK_FALSE(minimal.insert("support_case").empty());
}

TEST_CASE_FIXTURE(StandardDb, "lead rules: contact details, conversion, revenue and public pool" * doctest::test_suite("standard")) {
  SUBCASE("an e-mail, a phone or a mobile phone is needed") {
    Record bare = minimal.record_for("lead");
    bare.erase("email");
    CHECK(failed_rules([&] { db.insert("lead", bare); }) == Rules{"email_or_phone_required"});
    for (const char* field : {"email", "phone", "mobile_phone"}) {
      Record one = bare;
      one[field] = std::string(field) == "email" ? "one@example.com" : "+44 20 7946 0000";
      CHECK_MESSAGE(failed_rules([&] { db.insert("lead", one); }).empty(), field);
    }
  }
  SUBCASE("a converted lead keeps its status") {
    auto id = db.insert("lead", with("lead", {}));
    db.update("lead", id, {{"status", "converted"}});
    CHECK(failed_rules([&] { db.update("lead", id, {{"status", "qualified"}}); }) == Rules{"converted_status_final"});
    CHECK(failed_rules([&] { db.update("lead", id, {{"description", "still converted"}}); }).empty());
  }
  SUBCASE("revenue above 10,000,000 needs an industry") {
    CHECK(insert_rules("lead", {{"email", "a@example.com"}, {"annual_revenue", "10000000.00"}}).empty());
    CHECK(insert_rules("lead", {{"email", "b@example.com"}, {"annual_revenue", "10000000.01"}}) ==
          Rules{"high_revenue_requires_industry"});
    CHECK(insert_rules("lead", {{"email", "c@example.com"}, {"annual_revenue", "10000000.01"}, {"industry", "energy"}})
              .empty());
  }
  SUBCASE("a score above 70 cannot sit in the public pool") {
    CHECK(insert_rules("lead", {{"email", "a@example.com"}, {"lead_score", 70}, {"is_in_public_pool", true}}).empty());
    CHECK(insert_rules("lead", {{"email", "b@example.com"}, {"lead_score", 71}, {"is_in_public_pool", true}}) ==
          Rules{"high_score_not_in_public_pool"});
    CHECK(insert_rules("lead", {{"email", "c@example.com"}, {"lead_score", 71}, {"is_in_public_pool", false}}).empty());
  }
}

TEST_CASE_FIXTURE(StandardDb, "opportunity: Closed Won needs an amount, expected revenue and days open are formulas" * doctest::test_suite("standard")) {
  CHECK(insert_rules("opportunity", {{"stage", "closed_won"}, {"amount", "0.01"}}).empty());
  CHECK(insert_rules("opportunity", {{"stage", "closed_won"}, {"amount", "0.00"}}) == Rules{"closed_won_requires_amount"});
  CHECK(insert_rules("opportunity", {{"stage", "closed_won"}}) == Rules{"closed_won_requires_amount"});
  CHECK(insert_rules("opportunity", {{"stage", "negotiation"}, {"amount", "0.00"}}).empty());
  CHECK(insert_rules("opportunity", {{"probability", "100.00"}}).empty());
  CHECK(insert_rules("opportunity", {{"probability", "100.01"}}) == Rules{"probability_range"});

  auto id = db.insert("opportunity", with("opportunity", {{"stage", "negotiation"}, {"amount", "25000.00"},
                                                          {"probability", "80"}, {"close_date", "2026-03-20"}}));
  Record stored = db.get("opportunity", id);
  CHECK(stored.at("expected_revenue") == Value(Decimal::parse("20000.00")));
  CHECK(stored.at("days_open").as_double() == doctest::Approx(0));  // created "today" by the fixed clock
  db.update("opportunity", id, {{"stage", "closed_won"}});
  CHECK(db.get("opportunity", id).at("days_open").as_double() == doctest::Approx(16));  // to the close date
}

TEST_CASE_FIXTURE(StandardDb, "date order rules: campaign, employee, price book" * doctest::test_suite("standard")) {
  CHECK(insert_rules("campaign", {{"start_date", "2026-05-01"}, {"end_date", "2026-05-01"}}).empty());
  CHECK(insert_rules("campaign", {{"start_date", "2026-05-01"}, {"end_date", "2026-04-30"}}) ==
        Rules{"end_not_before_start"});

  CHECK(insert_rules("employee", {{"hire_date", "2026-01-15"}, {"termination_date", "2026-01-15"}}).empty());
  CHECK(insert_rules("employee", {{"employee_number", "E2"}, {"email", "e2@example.com"}, {"hire_date", "2026-01-15"},
                                  {"termination_date", "2026-01-14"}}) == Rules{"termination_not_before_hire"});

  CHECK(insert_rules("pricebook", {{"start_date", "2026-01-01"}, {"end_date", "2026-01-02"}}).empty());
  CHECK(insert_rules("pricebook", {{"start_date", "2026-01-01"}, {"end_date", "2026-01-01"}}) ==
        Rules{"expiry_after_effective"});
}

TEST_CASE_FIXTURE(StandardDb, "quote: exchange rate, discount range and totals" * doctest::test_suite("standard")) {
  CHECK(insert_rules("quote", {{"exchange_rate", 0.000001}}).empty());
  CHECK(insert_rules("quote", {{"exchange_rate", 0}}) == Rules{"exchange_rate_positive"});
  CHECK(insert_rules("quote", {{"discount_percent", "0"}}).empty());
  CHECK(insert_rules("quote", {{"discount_percent", "100.00"}}).empty());
  CHECK(insert_rules("quote", {{"discount_percent", "100.01"}}) == Rules{"discount_percent_range"});
  CHECK(insert_rules("quote", {{"discount_percent", "-0.01"}}) == Rules{"discount_percent_range"});

  auto quote = db.insert("quote", with("quote", {{"quote_date", "2026-03-01"}, {"expiration_date", "2026-03-31"},
                                                 {"discount_percent", "10"}, {"tax_percent", "20"},
                                                 {"shipping_handling", "15.00"}}));
  Record stored = db.get("quote", quote);
  CHECK(stored.at("validity_period_days").as_double() == doctest::Approx(30));
  // No lines yet: the subtotal roll-up is 0, so the total is the shipping alone.
  CHECK(stored.at("subtotal") == Value(Decimal::parse("0.00")));
  CHECK(stored.at("total_price") == Value(Decimal::parse("15.00")));
}

TEST_CASE_FIXTURE(StandardDb, "the discount sets the quote's approval level" * doctest::test_suite("standard")) {
  const std::vector<std::pair<std::string, double>> levels = {
      {"0", 0}, {"5.00", 0}, {"5.01", 1}, {"10.00", 1}, {"10.01", 2}, {"20.01", 3}, {"30.01", 4}, {"40.00", 4}, {"40.01", 5}};
  for (const auto& [discount, level] : levels) {
    CAPTURE(discount);
    auto quote = db.insert("quote", with("quote", {{"discount_percent", discount}}));
    CHECK(db.get("quote", quote).at("approval_level").as_double() == doctest::Approx(level));
  }
}

TEST_CASE_FIXTURE(StandardDb, "quote line: discounts within 0-100 %, line totals and margin" * doctest::test_suite("standard")) {
  CHECK(insert_rules("quote_line_item", {{"discount_type", "percentage"}, {"discount_percent", "100"}}).empty());
  CHECK(insert_rules("quote_line_item", {{"discount_type", "percentage"}, {"discount_percent", "100.01"}}) ==
        Rules{"discount_percent_range"});
  CHECK(insert_rules("quote_line_item", {{"discount_type", "percentage"}}) == Rules{"discount_type_needs_value"});
  CHECK(insert_rules("quote_line_item", {{"quantity", 0}}) == Rules{"quantity_positive"});

  auto product = db.insert("product", {{"name", "Widget Pro"}, {"cost_price", "30.00"}});
  auto line = db.insert("quote_line_item",
                        with("quote_line_item", {{"product_id", product}, {"quantity", 3}, {"list_price", "60.00"},
                                                 {"unit_price", "50.00"}, {"discount_type", "percentage"},
                                                 {"discount_percent", "10"}, {"tax_percent", "20"}}));
  Record stored = db.get("quote_line_item", line);
  CHECK(stored.at("subtotal") == Value(Decimal::parse("150.00")));
  CHECK(stored.at("total_price") == Value(Decimal::parse("135.00")));
  CHECK(stored.at("tax_amount") == Value(Decimal::parse("27.00")));
  CHECK(stored.at("margin") == Value(Decimal::parse("45.00")));
  CHECK(stored.at("margin_percent").as_double() == doctest::Approx(100.0 / 3).epsilon(0.0001));

  // The quote's subtotal rolls the line totals up, through inserts, updates and deletes (other
  // lines of this quote were inserted above: compare with the sum of the lines' totals).
  const std::string quote = stored.at("quote_id").as_string();
  auto subtotal = [&] { return db.get("quote", quote).at("subtotal").as_decimal(); };
  auto sum_of_lines = [&] {
    auto lines = db.query({.object = "quote_line_item", .filter = Filter::compare("quote_id", CompareOp::eq, Value(quote)),
                           .fields = {"total_price"}});
    Decimal total = Decimal::from_int(0);
    for (std::size_t r = 0; r < lines.size(); ++r)
      if (!lines.rows.at(r, 0).is_null()) total = total + lines.rows.at(r, 0).as_decimal();
    return total;
  };
  const Decimal before = subtotal();
  CHECK(before == sum_of_lines());
  auto second = db.insert("quote_line_item", with("quote_line_item", {{"quote_id", quote}, {"product_id", product},
                                                                      {"quantity", 1}, {"unit_price", "10.05"}}));
  CHECK(subtotal() == before + Decimal::parse("10.05"));
  db.update("quote_line_item", second, {{"quantity", 3}});
  CHECK(subtotal() == before + Decimal::parse("30.15"));
  db.remove("quote_line_item", line);
  CHECK(subtotal() == before + Decimal::parse("30.15") - Decimal::parse("135.00"));
  CHECK(subtotal() == sum_of_lines());
}

TEST_CASE_FIXTURE(StandardDb, "account contract value sums its activated contracts" * doctest::test_suite("standard")) {
  auto contract = db.insert("contract", with("contract", {{"contract_value", "1200.00"}, {"status", "draft"}}));
  const std::string account = db.get("contract", contract).at("account_id").as_string();
  CHECK(db.get("account", account).at("contract_value") == Value(Decimal::parse("0.00")));
  db.update("contract", contract, {{"status", "activated"}});
  CHECK(db.get("account", account).at("contract_value") == Value(Decimal::parse("1200.00")));
  db.insert("contract", with("contract", {{"account_id", account}, {"contract_value", "300.50"}, {"status", "activated"}}));
  CHECK(db.get("account", account).at("contract_value") == Value(Decimal::parse("1500.50")));
}

TEST_CASE_FIXTURE(StandardDb, "employee full name and payroll totals are formulas" * doctest::test_suite("standard")) {
  auto employee = db.insert("employee", with("employee", {{"first_name", "Ada"}, {"last_name", "Lovelace"},
                                                           {"employee_number", "E-ADA"}, {"email", "ada@example.com"}}));
  CHECK(db.get("employee", employee).at("full_name") == Value("Ada Lovelace"));

  auto payroll = db.insert("payroll", with("payroll", {{"base_salary", "5000.00"}, {"bonus", "500.00"},
                                                       {"tax", "800.00"}, {"social_security", "400.00"}}));
  Record stored = db.get("payroll", payroll);
  CHECK(stored.at("gross_pay") == Value(Decimal::parse("5500.00")));
  CHECK(stored.at("total_deductions") == Value(Decimal::parse("1200.00")));
  CHECK(stored.at("net_pay") == Value(Decimal::parse("4300.00")));
  CHECK(insert_rules("payroll", {{"pay_period_start", "2026-03-01"}, {"pay_period_end", "2026-02-28"}}) ==
        Rules{"period_end_not_before_start"});
}

TEST_CASE_FIXTURE(StandardDb, "polymorphic references need both halves" * doctest::test_suite("standard")) {
  auto account = minimal.insert("account");
  CHECK(insert_rules("activity", {{"what_object", "account"}, {"what_id", account}}).empty());
  CHECK(insert_rules("activity", {{"what_object", "account"}}) == Rules{"what_reference_complete"});
  CHECK(insert_rules("task", {{"who_id", account}}) == Rules{"who_reference_complete"});
  CHECK(insert_rules("note", {{"parent_object", "account"}, {"parent_id", account}}).empty());
}

TEST_CASE_FIXTURE(StandardDb, "goal progress and discount schedules stay within 0-100 %" * doctest::test_suite("standard")) {
  CHECK(insert_rules("goal", {{"progress", "100"}}).empty());
  CHECK(insert_rules("goal", {{"progress", "100.01"}}) == Rules{"progress_range"});
  CHECK(insert_rules("discount_schedule", {{"minimum_discount_percent", "20"}, {"maximum_discount_percent", "20"}}).empty());
  CHECK(insert_rules("discount_schedule", {{"minimum_discount_percent", "20.01"}, {"maximum_discount_percent", "20"}}) ==
        Rules{"discount_bounds_ordered"});
}

TEST_CASE_FIXTURE(StandardDb, "opportunity probability follows the stage table unless given" * doctest::test_suite("standard")) {
  // The default formula must agree with the probabilities the stage options carry.
  for (const auto& option : db.catalog().at("opportunity").find_field("stage")->options) {
    CAPTURE(option.value);
    auto id = db.insert("opportunity", with("opportunity", {{"stage", option.value}, {"amount", "1000.00"}}));
    CHECK(db.get("opportunity", id).at("probability").as_decimal() == Decimal::from_double(*option.probability, 2));
  }
  auto given = db.insert("opportunity", with("opportunity", {{"stage", "proposal"}, {"probability", "35"}}));
  CHECK(db.get("opportunity", given).at("probability") == Value(Decimal::parse("35.00")));
}
