// Feature matrices: formulas evaluated over pages of stored records, checked cell by cell against the
// row evaluator.
#include <doctest/doctest.h>

#include <cmath>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
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
