#include <doctest/doctest.h>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {
struct Companies {
  test::TempDir dir;
  Database db = Database::open(dir.file("crm.db"), test::test_options());
  Companies() {
    RecordBatch batch({"name", "industry", "revenue", "employees", "tags", "founded"});
    batch.add_row({"Acme", "technology", "1000000.00", 50, StringList{"b2b"}, "1990-05-01"});
    batch.add_row({"Globex", "finance", "5000000.00", 900, StringList{"b2b", "public"}, "1985-01-01"});
    batch.add_row({"Initech", "technology", "250000.50", 20, Value{}, Value{}});
    batch.add_row({"Umbrella", Value{}, Value{}, 3000, StringList{"b2c"}, "2001-09-09"});
    batch.add_row({"Hooli", "technology", "7500000.00", 12000, StringList{"public"}, "2004-02-02"});
    auto report = db.import_records("company", batch);
    REQUIRE(report.inserted == 5);
  }
  std::vector<std::string> names(const Query& query) {
    auto result = db.query(query);
    std::vector<std::string> out;
    auto column = std::find(result.fields.begin(), result.fields.end(), "name") - result.fields.begin();
    for (std::size_t r = 0; r < result.size(); ++r) out.push_back(result.rows.at(r, static_cast<std::size_t>(column)).as_string());
    return out;
  }
  std::vector<std::string> where(const std::string& text) {
    return names({.object = "company", .filter = parse_where(text), .order_by = {{"name", false}}});
  }
};
using Names = std::vector<std::string>;
}  // namespace

TEST_CASE_FIXTURE(Companies, "filters cover every operator" * doctest::test_suite("query")) {
  CHECK(where("industry = 'technology'") == Names{"Acme", "Hooli", "Initech"});
  CHECK(where("industry != 'technology'") == Names{"Globex", "Umbrella"});  // != keeps nulls (SOQL)
  CHECK(where("revenue > 1000000") == Names{"Globex", "Hooli"});
  CHECK(where("revenue >= 1000000") == Names{"Acme", "Globex", "Hooli"});
  CHECK(where("revenue < 250000.51") == Names{"Initech"});
  CHECK(where("revenue <= 250000.5") == Names{"Initech"});
  CHECK(where("revenue > 250000.499") == Names{"Acme", "Globex", "Hooli", "Initech"});
  CHECK(where("employees IN (20, 50)") == Names{"Acme", "Initech"});
  CHECK(where("industry NOT IN ('technology')") == Names{"Globex", "Umbrella"});
  CHECK(where("revenue IS NULL") == Names{"Umbrella"});
  CHECK(where("founded IS NOT NULL AND founded < '2000-01-01'") == Names{"Acme", "Globex"});
  CHECK(where("name CONTAINS 'o'") == Names{"Globex", "Hooli"});
  CHECK(where("name STARTS_WITH 'In'") == Names{"Initech"});
  CHECK(where("tags CONTAINS 'public'") == Names{"Globex", "Hooli"});
  CHECK(where("(industry = 'technology' OR employees > 1000) AND NOT name = 'Hooli'") ==
        Names{"Acme", "Initech", "Umbrella"});
  CHECK(where("NOT revenue > 1000000") == Names{"Acme", "Initech", "Umbrella"});
}

TEST_CASE_FIXTURE(Companies, "bad filters are clear errors" * doctest::test_suite("query")) {
  CHECK_THROWS_WITH_AS(where("colour = 'red'"), doctest::Contains("unknown field 'colour'"), Error);
  CHECK_THROWS_WITH_AS(where("employees = 'many'"), doctest::Contains("employees"), Error);
  CHECK_THROWS_WITH_AS(where("name.x = 1"), doctest::Contains("not a lookup"), Error);
  CHECK_THROWS_AS(where("employees CONTAINS 'x'"), Error);
  CHECK_THROWS_AS(where("name = "), Error);
  CHECK_THROWS_AS(db.query({.object = "company", .limit = -1}), UsageError);
}

TEST_CASE_FIXTURE(Companies, "ordering, limits, offsets and keyset pages" * doctest::test_suite("query")) {
  CHECK(names({.object = "company", .order_by = {{"revenue", true}}, .limit = 2}) == Names{"Hooli", "Globex"});
  CHECK(names({.object = "company", .order_by = {{"industry", false}, {"name", true}}}) ==
        Names{"Umbrella", "Globex", "Initech", "Hooli", "Acme"});
  CHECK(names({.object = "company", .order_by = {{"name", false}}, .limit = 2, .offset = 3}) ==
        Names{"Initech", "Umbrella"});
  for (bool descending : {false, true}) {
    Names seen;
    Query page{.object = "company", .order_by = {{"revenue", descending}}, .limit = 2};
    for (int guard = 0; guard < 10; ++guard) {
      auto result = db.query(page);
      if (result.size() == 0) break;
      for (std::size_t r = 0; r < result.size(); ++r)
        seen.push_back(result.rows.at(r, static_cast<std::size_t>(std::find(result.fields.begin(), result.fields.end(), "name") - result.fields.begin())).as_string());
      page.after = result.next_cursor;
    }
    auto all = names({.object = "company", .order_by = {{"revenue", descending}}});
    CHECK(seen == all);
    CHECK(seen.size() == 5);
  }
  CHECK_THROWS_AS(db.query({.object = "company", .after = "garbage"}), UsageError);
}

TEST_CASE_FIXTURE(Companies, "field selection, parent paths, counts and aggregates" * doctest::test_suite("query")) {
  auto acme = db.query({.object = "company", .filter = parse_where("name = 'Acme'"), .fields = {"id"}}).rows.at(0, 0).as_string();
  db.insert("company", {{"name", "Acme Labs"}, {"parent_id", acme}, {"industry", "technology"}});
  auto result = db.query({.object = "company", .filter = parse_where("parent_id.name = 'Acme'"),
                          .fields = {"name", "parent_id.industry", "parent_id.revenue"}});
  REQUIRE(result.size() == 1);
  CHECK(result.fields == std::vector<std::string>{"name", "parent_id.industry", "parent_id.revenue"});
  CHECK(result.rows.at(0, 1).as_string() == "technology");
  CHECK(result.rows.at(0, 2).as_decimal().to_string() == "1000000.00");

  CHECK(db.count("company") == 6);
  CHECK(db.count("company", parse_where("industry = 'technology'")) == 4);

  auto by_industry = db.aggregate({.object = "company",
                                   .group_by = {"industry"},
                                   .aggregates = {{AggregateFn::count, "", ""},
                                                  {AggregateFn::sum, "revenue", ""},
                                                  {AggregateFn::avg, "revenue", ""},
                                                  {AggregateFn::max, "employees", "most"}}});
  CHECK(by_industry.fields == std::vector<std::string>{"industry", "count", "sum_revenue", "avg_revenue", "most"});
  REQUIRE(by_industry.size() == 3);  // null, finance, technology
  CHECK(by_industry.rows.at(2, 0).as_string() == "technology");
  CHECK(by_industry.rows.at(2, 1).as_int() == 4);
  CHECK(by_industry.rows.at(2, 2).as_decimal().to_string() == "8750000.50");
  CHECK(by_industry.rows.at(2, 3).as_decimal() == Decimal::parse("2916666.833333"));
  CHECK(by_industry.rows.at(2, 4).as_int() == 12000);
  CHECK_THROWS_AS(db.aggregate({.object = "company", .aggregates = {{AggregateFn::sum, "name", ""}}}), UsageError);
}
