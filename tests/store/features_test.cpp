// Feature matrices: formulas evaluated over pages of stored records, checked cell by cell against the
// row evaluator.
#include <doctest/doctest.h>

#include <cmath>
#include <optional>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/layouts.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

TEST_CASE("a feature matrix holds each formula's value for each matching record" * doctest::test_suite("features")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("features.db"), test::test_options());  // clock: 2026-03-04
  const char* industries[] = {"technology", "finance", "retail"};
  RecordBatch batch({"name", "industry", "revenue", "employees", "founded", "active"});
  for (int i = 0; i < 10'000; ++i)  // more than two pages
    batch.add_row({"C" + std::to_string(i), i % 7 == 0 ? Value{} : Value(industries[i % 3]),
                   i % 5 == 1 ? Value{} : Value(Decimal(std::int64_t{i} * 1001, 2)), std::int64_t{i % 900},
                   Date{10000 + i}, i % 2 == 0});
  db.import_records("company", batch);

  std::vector<FeatureSpec> specs = {{"revenue", "revenue"},
                                    {"per_head", "revenue / employees"},
                                    {"active", "active"},
                                    {"age_days", "TODAY() - founded"}};
  for (auto& spec : one_hot_features(db.catalog(), "company", "industry")) specs.push_back(spec);
  auto matrix = db.features("company", specs, parse_where("employees >= 100"));
  REQUIRE(matrix.names.size() == 7);
  CHECK(matrix.names[4] == "industry=technology");
  REQUIRE(matrix.rows() == static_cast<std::size_t>(db.count("company", parse_where("employees >= 100"))));
  CHECK(matrix.values.size() == matrix.rows() * 7);

  const double today = static_cast<double>(Date::parse("2026-03-04").days);
  for (std::size_t r = 0; r < matrix.rows(); r += 97) {
    CAPTURE(r);
    Record record = db.get("company", matrix.ids[r]);
    const double* row = &matrix.values[r * 7];
    if (record.at("revenue").is_null()) {
      CHECK(std::isnan(row[0]));
      CHECK(std::isnan(row[1]));
    } else {
      CHECK(row[0] == doctest::Approx(record.at("revenue").as_decimal().to_double()));
      CHECK(row[1] == doctest::Approx(record.at("revenue").as_decimal().to_double() /
                                      static_cast<double>(record.at("employees").as_int())));
    }
    CHECK(row[2] == (record.at("active").as_bool() ? 1.0 : 0.0));
    CHECK(row[3] == today - record.at("founded").as_date().days);
    const Value& industry = record.at("industry");
    CHECK(row[4] == (industry == Value("technology") ? 1.0 : 0.0));
    CHECK(row[5] == (industry == Value("finance") ? 1.0 : 0.0));
    CHECK(row[6] == (industry == Value("retail") ? 1.0 : 0.0));
  }
  // Division by zero is a NaN for that cell, not an error for the matrix.
  auto zero = db.features("company", {{"per_head", "revenue / employees"}}, parse_where("employees = 0 AND revenue > 0"));
  REQUIRE(zero.rows() > 0);
  CHECK(std::isnan(zero.values[0]));
}

TEST_CASE("features that are not numbers, or do not compile, are refused by name" * doctest::test_suite("features")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("features.db"), test::test_options());
  CHECK_THROWS_WITH_AS(db.features("company", {{"label", "name & '!'"}}), doctest::Contains("feature 'label' is text"),
                       UsageError);
  CHECK_THROWS_WITH_AS(db.features("company", {{"typo", "revnue * 2"}}), doctest::Contains("feature 'typo' does not compile"),
                       UsageError);
  CHECK_THROWS_WITH_AS(one_hot_features(db.catalog(), "company", "name"), doctest::Contains("picklist"), UsageError);
}

namespace {

/// The test catalog plus "touch", a polymorphic child (parent_type + parent_id text) of companies
/// and people, dated both ways.
Catalog catalog_with_touches() {
  return test::test_catalog().merged(Catalog::from_json(R"({"name": "touch", "fields": [
    {"name": "parent_type", "type": "select", "options": ["company", "person"]},
    {"name": "parent_id", "type": "text", "indexed": true},
    {"name": "at", "type": "datetime"},
    {"name": "day", "type": "date"},
    {"name": "weight", "type": "number", "scale": 1},
    {"name": "done", "type": "boolean", "default": false}]})"));
}

FeatureAggregate deals(std::string function, std::string field = {}, std::string filter = {}) {
  return {.object = "deal", .via = "company_id", .function = std::move(function), .field = std::move(field),
          .filter = std::move(filter)};
}

}  // namespace

TEST_CASE("aggregates of child records match a record-by-record computation" * doctest::test_suite("features")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("aggregates.db"), test::test_options());
  RecordBatch companies({"name"});
  for (int i = 0; i < 5000; ++i) companies.add_row({"C" + std::to_string(i)});  // two pages of scored records
  const auto ids = db.import_records("company", companies).ids;
  RecordBatch batch({"title", "company_id", "amount", "stage"});
  const char* stages[] = {"open", "won", "lost"};
  for (int i = 0; i < 12'000; ++i) {
    const int c = (i * 7919) % 4000;  // companies 4000.. have no deals
    batch.add_row({"D" + std::to_string(i), ids[static_cast<std::size_t>(c)],
                   i % 11 == 0 ? Value{} : Value(Decimal(std::int64_t{i} * 37 + 5, 2)), stages[i % 3]});
  }
  db.import_records("deal", batch);

  const std::vector<FeatureSpec> specs = {
      FeatureSpec::of("deals", deals("count")),
      FeatureSpec::of("won_amount", deals("sum", "amount", "ISPICKVAL(stage, 'won')")),
      FeatureSpec::of("smallest", deals("min", "amount")),
      FeatureSpec::of("largest", deals("max", "amount")),
      FeatureSpec::of("average", deals("avg", "amount")),
      FeatureSpec::of("open_deals", deals("count", {}, "ISPICKVAL(stage, 'open')"), true),
      FeatureSpec::of("open_share", "IF(deals = 0, 0, open_deals / deals)")};
  const FeatureMatrix m = db.features("company", specs);
  REQUIRE(m.names == std::vector<std::string>{"deals", "won_amount", "smallest", "largest", "average", "open_share"});
  REQUIRE(m.rows() == 5000);
  for (std::size_t r = 0; r < m.rows(); r += 41) {
    CAPTURE(r);
    const auto children = db.query({.object = "deal", .filter = Filter::compare("company_id", CompareOp::eq, Value(m.ids[r]))});
    Decimal won(0, 2);
    std::optional<Decimal> lo, hi;
    Decimal total(0, 2);
    int amounts = 0, open = 0;
    for (std::size_t d = 0; d < children.rows.row_count(); ++d) {
      const Record deal = children.rows.record(d);
      const Value& amount = deal.at("amount");
      if (deal.at("stage") == Value("open")) ++open;
      if (amount.is_null()) continue;
      const Decimal a = amount.as_decimal();
      if (deal.at("stage") == Value("won")) won = won + a;
      if (!lo || a < *lo) lo = a;
      if (!hi || *hi < a) hi = a;
      total = total + a;
      ++amounts;
    }
    const double* row = &m.values[r * 6];
    const auto n = static_cast<double>(children.rows.row_count());
    CHECK(row[0] == n);
    CHECK(row[1] == won.to_double());
    if (lo) {
      CHECK(row[2] == lo->to_double());
      CHECK(row[3] == hi->to_double());
      CHECK(row[4] == doctest::Approx(total.to_double() / amounts));
    } else {
      CHECK(std::isnan(row[2]));
      CHECK(std::isnan(row[3]));
      CHECK(std::isnan(row[4]));
    }
    CHECK(row[5] == doctest::Approx(n == 0 ? 0.0 : open / n));
  }
  // Companies without deals: count and sum 0.
  CHECK(m.values[4500 * 6] == 0);
  CHECK(m.values[4500 * 6 + 1] == 0);
}

TEST_CASE_TEMPLATE("aggregates follow text links, type filters and time windows relative to now" *
                       doctest::test_suite("features"),
                   Layout, test::SingleFile, test::TenantFiles) {
  test::TempDir dir;
  OpenOptions options = test::in_layout<Layout>(test::test_options());  // now: 2026-03-04T05:06:07Z
  options.catalog = catalog_with_touches();
  Database db = Database::open(Layout::location(dir), options);
  const std::string acme = db.insert("company", {{"name", "Acme"}});
  const std::string none = db.insert("company", {{"name", "Quiet"}});
  const std::string ng = db.insert("person", {{"last_name", "Ng"}});
  const DateTime now = DateTime::parse("2026-03-04T05:06:07Z");
  const std::int64_t day = 86'400'000'000LL;
  auto touch = [&](const std::string& type, const std::string& id, DateTime at, Date d, double weight) {
    db.insert("touch", {{"parent_type", type}, {"parent_id", id}, {"at", at}, {"day", d}, {"weight", weight}});
  };
  const Date today = now.date();
  touch("company", acme, DateTime{now.micros - 30 * day}, Date{today.days - 30}, 1.5);      // on the window's edge
  touch("company", acme, DateTime{now.micros - 30 * day - 1}, Date{today.days - 31}, 2.0);  // just outside
  touch("company", acme, now, today, 4.0);                                                   // now counts
  touch("company", acme, DateTime{now.micros + 1}, Date{today.days + 1}, 8.0);               // the future does not
  touch("person", acme, now, today, 16.0);  // same id under another type (filtered out)
  touch("person", ng, now, today, 32.0);

  FeatureAggregate recent{.object = "touch", .via = "parent_id", .function = "sum", .field = "weight",
                          .filter = "ISPICKVAL(parent_type, 'company')", .date_field = "at", .within_days = 30};
  FeatureAggregate by_day = recent;
  by_day.date_field = "day";
  FeatureAggregate all = recent;
  all.date_field.clear();
  all.within_days = 0;
  FeatureAggregate latest = all;
  latest.function = "max";
  latest.field = "at";
  const FeatureMatrix m = db.features("company", {FeatureSpec::of("recent", recent), FeatureSpec::of("by_day", by_day),
                                                  FeatureSpec::of("all", all), FeatureSpec::of("latest", latest, true),
                                                  FeatureSpec::of("days_since", "NOW() - latest")});
  REQUIRE(m.rows() == 2);
  CHECK(m.ids[0] == acme);
  CHECK(m.values[0] == 5.5);   // 1.5 + 4.0
  CHECK(m.values[1] == 5.5);   // dates: today - 30 .. today
  CHECK(m.values[2] == 15.5);  // every company touch
  CHECK(m.values[3] == doctest::Approx(-1.0 / 86'400'000'000.0));  // the latest is 1 microsecond ahead
  CHECK(m.values[4] == 0);
  CHECK(m.values[5] == 0);
  CHECK(m.values[6] == 0);
  CHECK(std::isnan(m.values[7]));  // no touches: no latest
  // Another tenant's children never count.
  Session other = db.session({.user = "u", .tenant = "other"});
  other.insert("touch", {{"parent_type", "company"}, {"parent_id", acme}, {"at", now}, {"weight", 100.0}});
  CHECK(db.features("company", {FeatureSpec::of("all", all)}).values[0] == 15.5);
}

TEST_CASE("a wrong aggregate is refused naming the feature and the reason" * doctest::test_suite("features")) {
  test::TempDir dir;
  OpenOptions options = test::test_options();
  options.catalog = catalog_with_touches();
  Database db = Database::open(dir.file("bad.db"), options);
  auto refused = [&](FeatureSpec spec) {
    try {
      db.features("company", {FeatureSpec::of("x", "1"), std::move(spec)});
    } catch (const UsageError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  CHECK(refused(FeatureSpec::of("n", FeatureAggregate{.object = "nothing", .via = "company_id"})).find("no object 'nothing'") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", FeatureAggregate{.object = "deal", .via = "contact_id"})).find("lookup to company") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", FeatureAggregate{.object = "deal", .via = "amount"})).find("deal.amount must be") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", FeatureAggregate{.object = "deal", .via = "nope"})).find("no stored field 'nope'") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", deals("median", "amount"))).find("'median' is not count") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", deals("count", "amount"))).find("count takes no field") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", deals("sum"))).find("sum needs a stored field") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", deals("sum", "title"))).find("cannot take the sum of deal.title") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", deals("count", {}, "stage = "))).find("feature 'n'") != std::string::npos);
  CHECK(refused(FeatureSpec::of("n", deals("count", {}, "stge = 'won'"))).find("the filter") != std::string::npos);
  CHECK(refused(FeatureSpec::of("industry", deals("count"))).find("already has a field named 'industry'") != std::string::npos);
  CHECK(refused(FeatureSpec::of("x", deals("count"))).find("the name 'x' is not unique") != std::string::npos);
  CHECK(refused(FeatureSpec::of("a b", deals("count"))).find("identifier") != std::string::npos);
  FeatureAggregate window{.object = "touch", .via = "parent_id", .date_field = "weight", .within_days = 3};
  CHECK(refused(FeatureSpec::of("n", window)).find("date or datetime field of touch; 'weight'") != std::string::npos);
  window.date_field = "at";
  window.within_days = 0;
  CHECK(refused(FeatureSpec::of("n", window)).find("within_days must be a positive") != std::string::npos);
  FeatureSpec hidden_formula = FeatureSpec::of("h", "1");
  hidden_formula.hidden = true;
  CHECK(refused(hidden_formula).find("only aggregates can be hidden") != std::string::npos);
  CHECK(refused(FeatureSpec::of("y", "missing_aggregate * 2")).find("does not compile") != std::string::npos);
  // Two aggregates with one name.
  CHECK_THROWS_WITH_AS(db.features("company", {FeatureSpec::of("n", deals("count")), FeatureSpec::of("n", deals("count"))}),
                       doctest::Contains("the name 'n' is not unique"), UsageError);
}

TEST_CASE("feature specs read and write their JSON form" * doctest::test_suite("features")) {
  const std::vector<FeatureSpec> specs = {
      FeatureSpec::of("revenue_m", "revenue / 1000000"),
      FeatureSpec::of("won", FeatureAggregate{.object = "deal", .via = "company_id", .function = "sum", .field = "amount",
                                              .filter = "ISPICKVAL(stage, 'won')"}),
      FeatureSpec::of("recent", FeatureAggregate{.object = "touch", .via = "parent_id", .date_field = "at", .within_days = 7},
                      true)};
  const std::string json = feature_specs_to_json(specs);
  CHECK(json.find(R"("hidden":true)") != std::string::npos);
  CHECK(feature_specs_from_json(json) == specs);
  // The object form keeps the document's order.
  const auto object_form = feature_specs_from_json(
      R"({"z": "revenue", "a": {"aggregate": {"object": "deal", "via": "company_id"}, "hidden": true}})");
  REQUIRE(object_form.size() == 2);
  CHECK(object_form[0].name == "z");
  CHECK(object_form[1].aggregate->function == "count");
  CHECK(object_form[1].hidden);
  auto error_of = [](std::string_view text) {
    try {
      feature_specs_from_json(text);
    } catch (const UsageError& error) {
      CHECK(error.code() == ErrorCode::parse);
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  CHECK(error_of(R"([{"name": "a", "aggregate": {"object": "deal", "via": 3}}])").find("/0/aggregate/via: expected a string") != std::string::npos);
  CHECK(error_of(R"([{"name": "a"}])").find("/0: give either \"formula\" or \"aggregate\"") != std::string::npos);
  CHECK(error_of(R"([{"formula": "1"}])").find("/0/name: missing") != std::string::npos);
  CHECK(error_of(R"([{"name": "a", "aggregate": {"object": "d", "via": "v", "days": 3}}])").find("/0/aggregate/days: unknown key") != std::string::npos);
  CHECK(error_of(R"([{"name": "a", "aggregate": {"object": "d", "via": "v", "within_days": 1.5}}])").find("whole number") != std::string::npos);
  CHECK(error_of("[1,").find("not JSON") != std::string::npos);
}

TEST_CASE("a few rows (the row evaluator) give the values of a page (the batch evaluator)" * doctest::test_suite("features")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("paths.db"), test::test_options());
  RecordBatch batch({"name", "industry", "revenue", "employees", "founded", "active"});
  for (int i = 0; i < 40; ++i)
    batch.add_row({"C" + std::to_string(i), i % 4 == 0 ? Value{} : Value("finance"),
                   i % 5 == 1 ? Value{} : Value(Decimal(std::int64_t{i} * 12345, 2)), std::int64_t{i % 7}, Date{19000 + i},
                   i % 2 == 0});
  db.import_records("company", batch);
  const std::vector<FeatureSpec> specs = {FeatureSpec::of("per_head", "revenue / employees"),
                                          FeatureSpec::of("fin", "ISPICKVAL(industry, 'finance')"),
                                          FeatureSpec::of("age", "TODAY() - founded"),
                                          FeatureSpec::of("text_len", "LEN(name) + IF(active, 1, 0)"),
                                          FeatureSpec::of("deals", FeatureAggregate{.object = "deal", .via = "company_id"})};
  const FeatureMatrix all = db.features("company", specs);
  REQUIRE(all.rows() == 40);
  std::size_t compared = 0;
  for (std::size_t first = 0; first < 40; first += 3) {
    std::vector<Value> ids;
    for (std::size_t r = first; r < std::min<std::size_t>(40, first + 3); ++r) ids.emplace_back(all.ids[r]);
    const FeatureMatrix few = db.features("company", specs, Filter::in("id", ids));
    for (std::size_t r = 0; r < few.rows(); ++r, ++compared)
      for (std::size_t c = 0; c < specs.size(); ++c) {
        const double a = all.values[(first + r) * specs.size() + c], b = few.values[r * specs.size() + c];
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
      }
  }
  CHECK(compared == 40);
}
