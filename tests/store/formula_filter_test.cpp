// Formulas as query filters: whatever runs in SQL and whatever runs in the engine, the rows a
// formula filter selects are exactly the rows for which the formula, evaluated record by record on
// the save path's evaluator, is TRUE.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const char* kFormulaFilterCatalog = R"json([
  {"name": "company", "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "industry", "type": "select", "indexed": true, "options": ["technology", "finance", "retail"]},
    {"name": "revenue", "type": "currency", "scale": 2},
    {"name": "discount", "type": "percent", "scale": 1},
    {"name": "employees", "type": "number"},
    {"name": "rating", "type": "number", "scale": 1},
    {"name": "founded", "type": "date"},
    {"name": "last_seen", "type": "datetime"},
    {"name": "active", "type": "boolean"},
    {"name": "tags", "type": "multiselect", "options": ["b2b", "b2c", "public"]},
    {"name": "note", "type": "text"},
    {"name": "parent_id", "type": "lookup", "reference": "company"},
    {"name": "revenue_per_head", "type": "formula", "expression": "revenue / employees", "return_type": "currency"},
    {"name": "label", "type": "formula", "expression": "UPPER(name) & '-' & TEXT(industry)", "return_type": "text"},
    {"name": "age", "type": "formula", "expression": "IF(ISNEW(), 'new', 'stored')", "return_type": "text"}
  ]}
])json";

struct Companies {
  test::TempDir dir;
  Database db;
  std::vector<std::string> ids;

  Companies() : db(open()) {
    std::mt19937 random(7);
    auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    const char* industries[] = {"technology", "finance", "retail"};
    const char* notes[] = {"", "alpha", "Beta", "alphabet", "it's", "ALPHA"};
    for (int i = 0; i < 120; ++i) {
      Record r;
      r["name"] = std::string("Co") + std::to_string(i % 37) + (i % 5 == 0 ? "x" : "");
      if (pick(6)) r["industry"] = industries[pick(3)];
      if (pick(5)) r["revenue"] = Decimal::parse(std::to_string(pick(2000000)) + "." + std::to_string(10 + pick(90)));
      if (pick(4)) r["discount"] = Decimal::parse(std::to_string(pick(100)) + ".5");
      if (pick(5)) r["employees"] = std::int64_t{pick(3) == 0 ? 0 : pick(5000)};
      if (pick(4)) r["rating"] = pick(50) / 10.0;
      if (pick(4)) r["founded"] = Date{9000 + pick(9000)};
      if (pick(4)) r["last_seen"] = DateTime{std::int64_t{1'700'000'000'000'000} + std::int64_t{pick(1'000'000)} * 60'000'000};
      if (pick(3)) r["active"] = pick(2) == 1;
      if (pick(3)) r["tags"] = StringList{pick(2) ? "b2b" : "b2c", "public"};
      if (const char* note = notes[pick(6)]; *note) r["note"] = std::string(note);
      if (!ids.empty() && pick(2)) r["parent_id"] = ids[static_cast<std::size_t>(pick(static_cast<int>(ids.size())))];
      ids.push_back(db.insert("company", r));
    }
  }

  Database open() {
    OpenOptions options = test::test_options();
    options.catalog = Catalog::from_json(kFormulaFilterCatalog, "filter catalog");
    return Database::open(dir.file("filters.db"), options);
  }

  std::set<std::string> selected(const Filter& filter) {
    auto result = db.query({.object = "company", .filter = filter, .fields = {"id"}});
    std::set<std::string> out;
    for (std::size_t r = 0; r < result.size(); ++r) out.insert(result.rows.at(r, 0).as_string());
    return out;
  }

  /// The oracle: the formula evaluated on each stored record by the row evaluator.
  std::set<std::string> expected(const std::string& formula) {
    auto all = db.query({.object = "company"});
    std::set<std::string> out;
    for (std::size_t r = 0; r < all.size(); ++r) {
      Record record;
      for (std::size_t c = 0; c < all.fields.size(); ++c) {
        const auto& name = all.fields[c];
        if (name == "revenue_per_head" || name == "label" || name == "age") continue;
        record[name] = all.rows.at(r, c);
      }
      auto result = db.evaluate("company", formula, record);
      if (result.ok() && result.value.kind() == ValueKind::boolean && result.value.as_bool())
        out.insert(record["id"].as_string());
    }
    return out;
  }
};

// Formulas SQL expresses exactly: the plan has no engine call.
const char* kTranslated[] = {
    "industry = 'technology'",
    "ISPICKVAL(industry, 'finance')",
    "industry <> 'technology'",
    "industry = ''",
    "NOT(industry = 'retail')",
    "revenue > 1000000",
    "revenue >= 1000000.5",
    "revenue < 250000.505",
    "1000000 < revenue",
    "discount = 50.5",
    "employees > 100 && employees <= 3000",
    "employees = 0",
    "rating >= 2.5",
    "NOT(rating >= 2.5)",
    "founded < DATE(2000, 1, 1)",
    "founded >= DATEVALUE('1996-03-01')",
    "last_seen > DATETIMEVALUE('2023-12-01 00:00:00')",
    "active",
    "NOT(active)",
    "active = FALSE",
    "ISBLANK(revenue)",
    "NOT(ISBLANK(note))",
    "ISBLANK(note)",
    "ISNULL(founded)",
    "CONTAINS(note, 'lph')",
    "BEGINS(note, 'al')",
    "INCLUDES(tags, 'b2b')",
    "note = 'it\\'s'",
    "note < 'b'",
    "OR(industry = 'technology', AND(employees > 1000, NOT(ISBLANK(revenue))))",
    "AND(ISPICKVAL(industry, 'technology'), revenue > 100000, OR(employees > 500, active))",
    "parent_id.industry = 'finance'",
    "parent_id.parent_id.revenue > 500000",
    "revenue > 1000000 * 1.5",
    "TRUE",
    "FALSE",
    "1 > 2",
};

// Formulas with parts only the engine evaluates.
const char* kEngine[] = {
    "LEN(note) > 4",
    "UPPER(note) = 'ALPHA'",
    "revenue / employees > 100",
    "revenue_per_head > 500",
    "BEGINS(label, 'CO1')",
    "IF(active, revenue > 1000000, employees > 2000)",
    "AND(industry = 'technology', MOD(employees, 2) = 0)",
    "AND(revenue > 100000, LEN(name) = 4, NOT(ISBLANK(founded)))",
    "CASE(industry, 'technology', 1, 'finance', 2, 0) = 2",
    "YEAR(founded) >= 2000",
    "parent_id.revenue_per_head > 100",
    "BLANKVALUE(note, 'none') = 'none'",
    "REGEX(name, 'Co[0-9]x')",
    "TEXT(employees) = '0'",
};

}  // namespace

TEST_CASE_FIXTURE(Companies, "formula filters select exactly the rows the formula accepts" * doctest::test_suite("query")) {
  std::size_t proper_subsets = 0;  // guards against a data set on which every formula is trivially all or nothing
  for (const char* formula : kTranslated) {
    CAPTURE(formula);
    auto rows = selected(Filter::formula(formula));
    CHECK(rows == expected(formula));
    proper_subsets += !rows.empty() && rows.size() < ids.size();
    Query query{.object = "company", .filter = Filter::formula(formula)};
    CHECK(db.explain(query).find("hotcrm_engine") == std::string::npos);
  }
  for (const char* formula : kEngine) {
    CAPTURE(formula);
    auto rows = selected(Filter::formula(formula));
    CHECK(rows == expected(formula));
    proper_subsets += !rows.empty() && rows.size() < ids.size();
    Query query{.object = "company", .filter = Filter::formula(formula)};
    CHECK(db.explain(query).find("hotcrm_engine") != std::string::npos);
  }
  CHECK(proper_subsets >= std::size(kTranslated) + std::size(kEngine) - 3);  // TRUE, FALSE and 1 > 2
}

TEST_CASE_FIXTURE(Companies, "translated conjuncts keep their indexes beside engine-evaluated ones" * doctest::test_suite("query")) {
  Query query{.object = "company", .filter = Filter::formula("AND(industry = 'finance', LEN(note) > 3)")};
  auto plan = db.explain(query);
  CHECK(plan.find("\"industry\" = ?") != std::string::npos);
  CHECK(plan.find("hotcrm_engine") != std::string::npos);
  CHECK(plan.find("USING INDEX") != std::string::npos);
  CHECK(selected(query.filter) == expected("AND(industry = 'finance', LEN(note) > 3)"));
}

TEST_CASE_FIXTURE(Companies, "where-strings and formulas both reach the store through parse_filter" * doctest::test_suite("query")) {
  CHECK(parse_filter("industry = 'technology' AND revenue > 5").kind == Filter::Kind::and_);
  CHECK(parse_filter("AND(industry = 'technology', revenue > 5)").kind == Filter::Kind::formula);
  CHECK(selected(parse_filter("industry = 'technology' AND revenue > 1000000")) ==
        expected("AND(industry = 'technology', revenue > 1000000)"));
  // A where-string comparison on a formula field is asked of the engine.
  CHECK(selected(parse_filter("revenue_per_head > 500")) == expected("revenue_per_head > 500"));
  CHECK(selected(parse_filter("label STARTS_WITH 'CO1'")) == expected("BEGINS(label, 'CO1')"));
  CHECK(selected(parse_filter("revenue_per_head IS NULL")) == expected("ISBLANK(revenue_per_head)"));
  // A filter combined in code with a formula.
  auto combined = Filter::and_({parse_where("industry = 'technology'"), Filter::formula("LEN(note) > 4")});
  CHECK(selected(combined) == expected("AND(industry = 'technology', LEN(note) > 4)"));
  CHECK(db.count("company", Filter::formula("revenue > 1000000")) ==
        static_cast<std::int64_t>(expected("revenue > 1000000").size()));
}

TEST_CASE_FIXTURE(Companies, "broken formula filters are errors with a caret, and change nothing" * doctest::test_suite("query")) {
  auto before = test::dump_database(dir.file("filters.db"));
  CHECK_THROWS_WITH_AS(selected(parse_filter("AND(industry = 'technology', revenu > 5)")),
                       doctest::Contains("E_FORMULA_UNKNOWN_FIELD"), UsageError);
  CHECK_THROWS_WITH_AS(selected(parse_filter("AND(industry = 'technology', revenu > 5)")),
                       doctest::Contains("did you mean revenue"), UsageError);
  CHECK_THROWS_WITH_AS(selected(Filter::formula("revenue + 1")), doctest::Contains("boolean"), UsageError);
  CHECK_THROWS_WITH_AS(selected(parse_filter("industry = 'technology' AND (")), doctest::Contains("where-string"),
                       UsageError);
  CHECK(test::dump_database(dir.file("filters.db")) == before);
}

TEST_CASE_FIXTURE(Companies, "sorting on a formula field, with keyset pages" * doctest::test_suite("query")) {
  Query query{.object = "company",
              .filter = Filter::formula("NOT(ISBLANK(revenue_per_head))"),
              .order_by = {{"revenue_per_head", true}},
              .fields = {"id", "revenue_per_head"}};
  auto all = db.query(query);
  REQUIRE(all.size() > 10);
  for (std::size_t r = 1; r < all.size(); ++r)
    CHECK(all.rows.at(r - 1, 1).as_decimal() >= all.rows.at(r, 1).as_decimal());
  // Paging through with cursors gives the same rows in the same order.
  query.limit = 7;
  std::vector<std::string> paged;
  while (true) {
    auto page = db.query(query);
    for (std::size_t r = 0; r < page.size(); ++r) paged.push_back(page.rows.at(r, 0).as_string());
    if (page.size() < 7) break;
    query.after = page.next_cursor;
  }
  REQUIRE(paged.size() == all.size());
  for (std::size_t r = 0; r < all.size(); ++r) CHECK(paged[r] == all.rows.at(r, 0).as_string());
}

TEST_CASE_FIXTURE(Companies, "formula filters use the session clock for TODAY and NOW" * doctest::test_suite("query")) {
  for (const char* formula : {"founded < TODAY() - 365 * 30", "last_seen < NOW() - 1000", "YEAR(TODAY()) - 30 > 1990"}) {
    CAPTURE(formula);
    CHECK(selected(Filter::formula(formula)) == expected(formula));
    // Constant parts are folded once, with the session's clock, and bound.
    CHECK(db.explain({.object = "company", .filter = Filter::formula(formula)}).find("hotcrm_engine") == std::string::npos);
  }
}

TEST_CASE_FIXTURE(Companies, "stored records read, filtered or summed are not new" * doctest::test_suite("query")) {
  CHECK(selected(Filter::formula("ISNEW()")).empty());
  CHECK(selected(Filter::formula("NOT(ISNEW())")).size() == ids.size());
  CHECK(selected(Filter::formula("AND(NOT(ISCHANGED(industry)), LEN(name) > 0)")).size() == ids.size());
  CHECK(db.get("company", ids.front()).at("age") == Value("stored"));
  auto result = db.query({.object = "company", .limit = 3, .fields = {"age"}});
  CHECK(result.rows.at(0, 0) == Value("stored"));
}
