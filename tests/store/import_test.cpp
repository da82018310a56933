#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {
RecordBatch people_with_two_bad_rows() {
  RecordBatch batch({"last_name", "email", "discount"});
  batch.add_row({"Ng", "ng@acme.io", "10"});
  batch.add_row({Value{}, "nobody@acme.io", "5"});     // row 1: last_name required
  batch.add_row({"Li", "li@acme.io", "250"});          // row 2: discount above 100
  batch.add_row({"Ng2", "ng@acme.io", Value{}});       // row 3: duplicate e-mail
  batch.add_row({"Ok", "ok@acme.io", "0.25"});
  return batch;
}
}  // namespace

TEST_CASE("bulk import in skip mode inserts the valid rows and reports the others" * doctest::test_suite("import")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("crm.db"), test::test_options());
  ImportOptions options;
  options.on_error = OnError::skip;
  auto report = db.import_records("person", people_with_two_bad_rows(), options);
  CHECK(report.inserted == 2);
  CHECK(report.ids.size() == 2);
  CHECK(report.rejected_rows() == 3);
  REQUIRE(report.rejected.size() == 3);
  CHECK(report.rejected[0].row == 1);
  CHECK(report.rejected[0].code == "required");
  CHECK(report.rejected[1].row == 2);
  CHECK(report.rejected[1].code == "max");
  CHECK(report.rejected[2].row == 3);
  CHECK(report.rejected[2].code == "unique");
  CHECK(report.rejected[2].field == "email");
  CHECK(db.count("person") == 2);
}

TEST_CASE("bulk import in abort mode writes nothing and reports every problem" * doctest::test_suite("import")) {
  test::TempDir dir;
  auto path = dir.file("crm.db");
  auto db = Database::open(path, test::test_options());
  auto before = test::dump_database(path);
  try {
    db.import_records("person", people_with_two_bad_rows());
    FAIL("expected a ValidationError");
  } catch (const ValidationError& error) {
    CHECK(error.errors().size() == 3);
    CHECK(error.errors()[1].row == 2);
  }
  CHECK(test::dump_database(path) == before);
}

TEST_CASE("bulk import refuses unknown columns, reports progress and can be cancelled" * doctest::test_suite("import")) {
  test::TempDir dir;
  auto path = dir.file("crm.db");
  auto db = Database::open(path, test::test_options());
  RecordBatch bad({"last_name", "shoe_size"});
  bad.add_row({"Ng", 44});
  CHECK_THROWS_WITH_AS(db.import_records("person", bad), doctest::Contains("shoe_size"), ValidationError);

  RecordBatch many({"last_name"});
  for (int i = 0; i < 25; ++i) many.add_row({"P" + std::to_string(i)});
  std::vector<std::int64_t> seen;
  ImportOptions options;
  options.chunk_rows = 10;
  options.on_progress = [&](const Progress& progress) {
    seen.push_back(progress.done);
    return true;
  };
  db.import_records("person", many, options);
  CHECK(seen == std::vector<std::int64_t>{10, 20, 25});

  auto before = test::dump_database(path);
  options.on_progress = [](const Progress& progress) { return progress.done < 20; };
  CHECK_THROWS_AS(db.import_records("person", many, options), Error);
  CHECK(test::dump_database(path) == before);
  CHECK_THROWS_AS(RecordBatch({"a", "b"}).add_row({1}), UsageError);
}

TEST_CASE("large imports rebuild secondary indexes and keep them on failure" * doctest::test_suite("import")) {
  test::TempDir dir;
  auto path = dir.file("crm.db");
  auto db = Database::open(path, test::test_options());
  auto company = db.insert("company", {{"name", "Acme"}});
  auto schema = [&] {
    sqlite3* raw = nullptr;
    sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::string names;
    sqlite3_exec(raw, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'person' ORDER BY name",
                 [](void* target, int, char** values, char**) {
                   *static_cast<std::string*>(target) += std::string(values[0]) + ",";
                   return 0;
                 },
                 &names, nullptr);
    sqlite3_close(raw);
    return names;
  };
  const auto indexes = schema();
  CHECK(indexes.find("ix_person__company_id") != std::string::npos);

  RecordBatch batch({"last_name", "email", "company_id"});
  const int rows = 60'000;
  for (int i = 0; i < rows; ++i)
    batch.add_row({"P" + std::to_string(i), "p" + std::to_string(i) + "@x.io", i % 2 ? Value(company) : Value{}});
  batch.add_row({"Dup", "p7@x.io", Value{}});  // a unique violation makes the abort-mode import fail
  CHECK_THROWS_AS(db.import_records("person", batch), ValidationError);
  CHECK(schema() == indexes);
  CHECK(db.count("person") == 0);

  ImportOptions skip;
  skip.on_error = OnError::skip;
  auto report = db.import_records("person", batch, skip);
  CHECK(report.inserted == rows);
  CHECK(report.rejected.size() == 1);
  CHECK(schema() == indexes);
  CHECK(db.count("person", parse_where("company_id.name = 'Acme'")) == rows / 2);
}

namespace {
/// 60,000 people (enough for the load to defer its indexes), every 997th repeating an earlier
/// e-mail, every 1,499th repeating one of `existing`, and every 2,003rd missing its last name.
RecordBatch many_people(int rows) {
  RecordBatch batch({"last_name", "email"});
  for (int i = 0; i < rows; ++i) {
    std::string email = "p" + std::to_string(i) + "@x.io";
    if (i > 0 && i % 997 == 0) email = "p" + std::to_string(i / 2) + "@x.io";
    if (i > 0 && i % 1499 == 0) email = "old" + std::to_string(i % 5) + "@x.io";
    batch.add_row({i % 2003 == 7 ? Value{} : Value("L" + std::to_string(i)), email});
  }
  return batch;
}

std::vector<std::pair<std::int64_t, std::string>> row_codes(const ImportReport& report) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (const auto& e : report.rejected) out.emplace_back(e.row, e.field + ":" + e.code);
  return out;
}

/// The SQL of schema object `name` in `file`, or "" when there is none.
std::string schema_sql(const std::filesystem::path& file, const std::string& name) {
  auto rows = test::raw_rows(file, "SELECT sql FROM sqlite_master WHERE name = ? AND sql IS NOT NULL", name);
  return rows.empty() ? "" : rows.front().front();
}

bool has_index(const std::filesystem::path& file, const std::string& name) { return !schema_sql(file, name).empty(); }
}  // namespace

TEST_CASE("a large import builds its indexes at the end and reports duplicates as row-by-row checks do" *
          doctest::test_suite("import")) {
  test::TempDir dir;
  const RecordBatch people = many_people(60'000);
  ImportOptions skip;
  skip.on_error = OnError::skip;
  skip.chunk_rows = 7'000;

  // Reference: a table already larger than each import keeps its indexes, so every row is checked
  // against the unique index as it is written.
  auto reference = Database::open(dir.file("reference.db"), test::test_options());
  RecordBatch padding({"last_name", "email"});
  for (int i = 0; i < 70'000; ++i) padding.add_row({"Pad", "pad" + std::to_string(i) + "@x.io"});
  for (int i = 0; i < 5; ++i) padding.add_row({"Old", "old" + std::to_string(i) + "@x.io"});
  reference.import_records("person", padding);
  auto expected = reference.import_records("person", people, skip);

  // Deferred: a fresh table with the same five old people.
  auto db = Database::open(dir.file("deferred.db"), test::test_options());
  RecordBatch old({"last_name", "email"});
  for (int i = 0; i < 5; ++i) old.add_row({"Old", "old" + std::to_string(i) + "@x.io"});
  db.import_records("person", old);
  int progress_calls = 0;
  skip.on_progress = [&](const Progress&) { return ++progress_calls > 0; };
  auto report = db.import_records("person", people, skip);

  CHECK(progress_calls == 9);
  CHECK(report.inserted == expected.inserted);
  CHECK(report.inserted > 59'000);
  CHECK(row_codes(report) == row_codes(expected));
  CHECK(report.rejected.size() >= 90);
  REQUIRE(report.ids.size() == static_cast<std::size_t>(report.inserted));
  CHECK(db.count("person") == report.inserted + 5);
  // Every reported id is there, the unique index is back, and it holds.
  CHECK(db.get("person", report.ids.back()).at("email") == Value("p59999@x.io"));
  CHECK(db.count("person", parse_where("email = 'p498@x.io'")) == 1);
  CHECK(has_index(dir.file("deferred.db"), "ux_person__email"));
  CHECK(test::rejection_codes([&] { db.insert("person", {{"last_name", "X"}, {"email", "p1@x.io"}}); }) ==
        std::vector<std::string>{"email:unique"});
}

TEST_CASE("a large import checks unique values within its tenant only" * doctest::test_suite("import")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("crm.db"), test::test_options());
  for (int i = 0; i < 5; ++i) db.insert("person", {{"last_name", "Default"}, {"email", "p" + std::to_string(i) + "@x.io"}});
  auto globex = db.session({.user = "eve", .tenant = "globex"});
  RecordBatch people({"last_name", "email"});
  // 55,000 rows: the deferred-index path. Row 54,000 repeats row 1 within the tenant; rows 0-4
  // repeat the default tenant's e-mail addresses, which is no conflict.
  for (int i = 0; i < 55'000; ++i) people.add_row({"G", "p" + std::to_string(i == 54'000 ? 1 : i) + "@x.io"});
  ImportOptions skip;
  skip.on_error = OnError::skip;
  auto report = globex.import_records("person", people, skip);
  CHECK(report.inserted == 54'999);
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].row == 54'000);
  CHECK(report.rejected[0].code == "unique");
  CHECK(db.count("person") == 5);
  CHECK(globex.count("person", parse_where("email = 'p1@x.io'")) == 1);
}

TEST_CASE("a large import in abort mode with a late duplicate keeps nothing" * doctest::test_suite("import")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("crm.db"), test::test_options());
  db.insert("person", {{"last_name", "First"}, {"email", "first@x.io"}});
  auto before = test::dump_database(dir.file("crm.db"));
  RecordBatch people({"last_name", "email"});
  for (int i = 0; i < 55'000; ++i) people.add_row({"L", i == 54'321 ? "first@x.io" : "q" + std::to_string(i) + "@x.io"});
  try {
    db.import_records("person", people);
    FAIL("the duplicate was not reported");
  } catch (const ValidationError& error) {
    REQUIRE(error.errors().size() == 1);
    CHECK(error.errors()[0].row == 54'321);
    CHECK(error.errors()[0].field == "email");
    CHECK(error.errors()[0].code == "unique");
  }
  CHECK(test::dump_database(dir.file("crm.db")) == before);
  CHECK(has_index(dir.file("crm.db"), "ux_person__email"));
}

TEST_CASE("a bulk import fed in batches is one transaction numbered across batches" * doctest::test_suite("import")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("crm.db"), test::test_options());
  ImportOptions skip;
  skip.on_error = OnError::skip;
  {
    auto bulk = db.begin_import("person", -1, skip);
    RecordBatch first({"last_name", "email"});
    first.add_row({"A", "a@x.io"});
    first.add_row({Value{}, "b@x.io"});  // row 1
    bulk.add(first);
    RecordBatch second({"email", "last_name"});
    second.add_row({"a@x.io", "C"});     // row 2: duplicate of row 0
    second.add_row({"d@x.io", "D"});
    bulk.add(second);
    CHECK(bulk.rows() == 4);
    // Not finished: destroyed, it keeps nothing.
  }
  CHECK(db.count("person") == 0);
  auto bulk = db.begin_import("person", -1, skip);
  RecordBatch rows({"last_name", "email"});
  rows.add_row({"A", "a@x.io"});
  bulk.add(rows);
  RecordBatch again({"last_name", "email"});
  again.add_row({"B", "a@x.io"});
  bulk.add(again);
  auto report = bulk.finish();
  CHECK(report.inserted == 1);
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].row == 1);
  CHECK_THROWS_AS(bulk.add(rows), UsageError);
  CHECK(db.count("person") == 1);
}

TEST_CASE("bulk import names the offending value of a bound and fills literal defaults on every row" *
          doctest::test_suite("import")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("crm.db"), test::test_options());
  // The bound messages are rendered only when a bound fails; they still show the value as stored.
  RecordBatch companies({"name", "revenue", "employees", "rating", "active"});
  companies.add_row({"A", "-0.50", std::int64_t{10}, 1.0, Value{}});
  companies.add_row({"B", "5", std::int64_t{2000000}, 4.5, false});
  companies.add_row({"C", "7", std::int64_t{3}, 5.25, Value{}});
  companies.add_row({"D", "8", std::int64_t{4}, 2.0, Value{}});
  ImportOptions options;
  options.on_error = OnError::skip;
  auto report = db.import_records("company", companies, options);
  REQUIRE(report.rejected.size() == 3);
  CHECK(report.rejected[0].code == "min");
  CHECK(report.rejected[0].message.find("-0.50 is below the minimum 0") != std::string::npos);
  CHECK(report.rejected[1].code == "max");
  CHECK(report.rejected[1].message.find("2000000 is above the maximum 1000000") != std::string::npos);
  CHECK(report.rejected[2].code == "max");
  CHECK(report.rejected[2].message.find("5.3 is above the maximum 5") != std::string::npos);
  REQUIRE(report.ids.size() == 1);
  // The literal default (active: true) is coerced once and filled into each row that leaves it empty;
  // a row that gives the field keeps its own value.
  RecordBatch more({"name", "active"});
  more.add_row({"E", Value{}});
  more.add_row({"F", false});
  more.add_row({"G", Value{}});
  auto second = db.import_records("company", more);
  REQUIRE(second.ids.size() == 3);
  CHECK(db.get("company", report.ids[0]).at("active") == Value(true));
  CHECK(db.get("company", second.ids[0]).at("active") == Value(true));
  CHECK(db.get("company", second.ids[1]).at("active") == Value(false));
  CHECK(db.get("company", second.ids[2]).at("active") == Value(true));
}

namespace {
const char* kCheckedLeadsCatalog = R"json([
  {"name": "account", "fields": [{"name": "name", "type": "text"}]},
  {"name": "lead", "fields": [
    {"name": "last_name", "type": "text", "required": true},
    {"name": "email", "type": "email", "unique": true},
    {"name": "status", "type": "select", "default": "new", "options": ["new", "working", "lost"]},
    {"name": "revenue", "type": "currency", "scale": 2, "min": 0},
    {"name": "industry", "type": "text"},
    {"name": "label", "type": "text", "default": {"formula": "UPPER(last_name) & '/' & TEXT(status)"}},
    {"name": "account_id", "type": "lookup", "reference": "account"},
    {"name": "seen", "type": "datetime", "default": "$now"}
   ],
   "validation_rules": [{"name": "big_needs_industry", "condition": "AND(revenue > 1000000, ISBLANK(industry))",
                         "message": "A big lead needs an industry", "error_field": "industry"}]}
])json";

/// Leads with a problem every few hundred rows: a missing name, a malformed e-mail, an unknown
/// status, a negative or over-precise revenue, a broken rule, and an e-mail given twice.
RecordBatch leads_with_problems(int rows) {
  RecordBatch batch({"last_name", "email", "status", "revenue", "industry"});
  for (int i = 0; i < rows; ++i) {
    Value name = i % 701 == 3 ? Value{} : Value("Lead" + std::to_string(i));
    std::string email = i % 503 == 5 ? "not-an-address" : "l" + std::to_string(i) + "@x.io";
    if (i % 907 == 11) email = "l" + std::to_string(i - 1) + "@x.io";
    Value status = i % 401 == 7 ? Value("won") : i % 3 == 0 ? Value{} : Value("working");
    Value revenue = i % 601 == 9 ? Value("-5") : i % 809 == 13 ? Value("1.005") : Value(std::to_string(i % 1000 * 97) + ".25");
    Value industry = i % 2 == 0 ? Value{} : Value("retail");
    if (i % 613 == 17) {
      revenue = Value("2000000.00");
      industry = Value{};
    }
    batch.add_row({name, email, status, revenue, industry});
  }
  return batch;
}

/// Options whose clock advances one microsecond per reading: every row gets its own reading.
OpenOptions ticking_options() {
  OpenOptions options;
  options.catalog = Catalog::from_json(kCheckedLeadsCatalog, "checked leads");
  options.clock = [at = DateTime::parse("2026-03-04T05:06:07Z")]() mutable {
    at.micros += 1;
    return at;
  };
  options.id_seed = 7;
  return options;
}
}  // namespace

TEST_CASE("rows checked on a second thread are stored and rejected exactly as on the writing thread" *
          doctest::test_suite("import")) {
  test::TempDir dir;
  const RecordBatch leads = leads_with_problems(30'000);
  ImportOptions skip;
  skip.on_error = OnError::skip;
  // Chunks of 10,000 rows are checked in blocks on a second thread; chunks of 3,000 are too small
  // for it, so each of their rows is checked on the writing thread, as a batch with a lookup is.
  skip.chunk_rows = 10'000;
  ImportReport parallel;
  {
    auto db = Database::open(dir.file("parallel.db"), ticking_options());
    parallel = db.import_records("lead", leads, skip);
  }
  skip.chunk_rows = 3'000;
  ImportReport serial;
  {
    auto db = Database::open(dir.file("serial.db"), ticking_options());
    serial = db.import_records("lead", leads, skip);
  }
  CHECK(row_codes(parallel) == row_codes(serial));
  CHECK(parallel.ids == serial.ids);
  CHECK(test::dump_database(dir.file("parallel.db")) == test::dump_database(dir.file("serial.db")));

  std::set<std::string> codes;
  for (const auto& [row, code] : row_codes(parallel)) codes.insert(code);
  CHECK(codes == std::set<std::string>{"email:format", "email:unique", "industry:rule", "last_name:required",
                                       "revenue:min", "revenue:scale", "status:picklist"});
  CHECK(parallel.inserted + parallel.rejected_rows() == 30'000);
  CHECK(parallel.inserted > 25'000);

  // The checks ran: defaults, the default formula and each row's own clock reading were stored.
  auto db = Database::open(dir.file("parallel.db"), ticking_options());
  auto first = db.get("lead", parallel.ids.front());
  auto last = db.get("lead", parallel.ids.back());
  CHECK(first.at("status") == Value("new"));
  CHECK(first.at("label") == Value("LEAD0/new"));
  CHECK(last.at("label") == Value("LEAD29999/working"));
  CHECK(first.at("seen").as_datetime().micros < last.at("seen").as_datetime().micros);
}

TEST_CASE("rows whose checks read other records are checked on the writing thread, and still in order" *
          doctest::test_suite("import")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("crm.db"), ticking_options());
  auto account = db.insert("account", {{"name", "Acme"}});
  RecordBatch leads({"last_name", "email", "account_id"});
  for (int i = 0; i < 12'000; ++i)
    leads.add_row({"L" + std::to_string(i), "a" + std::to_string(i) + "@x.io",
                   i % 1000 == 1 ? Value("no-such-account") : i % 2 ? Value(account) : Value{}});
  ImportOptions skip;
  skip.on_error = OnError::skip;
  auto report = db.import_records("lead", leads, skip);
  REQUIRE(report.rejected.size() == 12);
  CHECK(report.rejected.front().row == 1);
  CHECK(report.rejected.back().row == 11'001);
  CHECK(report.rejected.front().code == "lookup");
  CHECK(db.count("lead", parse_where("account_id.name = 'Acme'")) == 6'000 - 12);
}

TEST_CASE("lookup indexes are partial, and a writable open of an older file rebuilds them" *
          doctest::test_suite("import")) {
  test::TempDir dir;
  auto path = dir.file("crm.db");
  auto index_sql = [&](const char* name) { return schema_sql(path, name); };
  const std::string partial = R"(CREATE INDEX "ix_person__company_id" ON "person"("company_id") WHERE "company_id" IS NOT NULL)";
  std::string company;
  {
    auto db = Database::open(path, test::test_options());
    CHECK(index_sql("ix_person__company_id") == partial);
    company = db.insert("company", {{"name", "Acme"}});
    // A large import that leaves the lookup empty keeps the index; the one that fills it rebuilds it.
    RecordBatch people({"last_name", "email"});
    for (int i = 0; i < 60'000; ++i) people.add_row({"P" + std::to_string(i), "p" + std::to_string(i) + "@x.io"});
    db.import_records("person", people);
    db.insert("person", {{"last_name", "Ng"}, {"company_id", company}});
    CHECK(index_sql("ix_person__company_id") == partial);
    CHECK(db.count("person", parse_where("company_id = '" + company + "'")) == 1);
    CHECK(db.count("person", parse_where("company_id IS NULL")) == 60'000);
  }
  // Make it a file of format 3, whose lookup indexes hold every row.
  REQUIRE(test::raw_exec(path,
                         "DROP INDEX ix_person__company_id; "
                         "CREATE INDEX \"ix_person__company_id\" ON \"person\"(\"company_id\"); PRAGMA user_version = 3;") ==
          SQLITE_OK);
  auto db = Database::open(path, test::test_options());
  const auto& steps = db.migration().steps;
  CHECK(std::find(steps.begin(), steps.end(), "rebuild index ix_person__company_id") != steps.end());
  CHECK(index_sql("ix_person__company_id") == partial);
  db.remove("company", company);  // the cascade finds its child through the partial index
  CHECK(db.count("person") == 60'000);
}

namespace {
/// sqlite_stat1 lines of `table`, by index.
std::map<std::string, std::string> planner_statistics(const std::filesystem::path& file, const std::string& table) {
  std::map<std::string, std::string> lines;
  for (auto& row : test::raw_rows(file, "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = ?", table)) lines[row[0]] = row[1];
  return lines;
}
}  // namespace

TEST_CASE("after a large import the planner statistics count what sampling would cap" * doctest::test_suite("import")) {
  test::TempDir dir;
  auto path = dir.file("crm.db");
  auto db = Database::open(path, test::test_options());
  auto company = db.insert("company", {{"name", "Acme"}});
  // One tenant, one owner, one company on every third person: sampling 2,000 entries of an index
  // would see each of those as 2,001 rows per value, which makes the tenant index look selective.
  RecordBatch people({"last_name", "email", "company_id"});
  for (int i = 0; i < 30'000; ++i)
    people.add_row({"P" + std::to_string(i % 7'500), "p" + std::to_string(i) + "@x.io", i % 3 ? Value{} : Value(company)});
  db.import_records("person", people);
  auto lines = planner_statistics(path, "person");
  CHECK(lines["ix_person__tenant_owner"] == "30000 30000 30000");
  CHECK(lines["ux_person__email"] == "30000 30000 1");
  CHECK(lines["ix_person__company_id"] == "10000 10000");  // partial: the people with a company
  CHECK(lines["sqlite_autoindex_person_1"] == "30000 1");
  // A smaller import into the now larger table keeps the statistics.
  RecordBatch more({"last_name", "email"});
  for (int i = 0; i < 12'000; ++i) more.add_row({"Q", "q" + std::to_string(i) + "@x.io"});
  db.import_records("person", more);
  CHECK(planner_statistics(path, "person")["ux_person__email"] == "30000 30000 1");
}
