// SQL injection: hostile strings in every string input either are stored and read back verbatim
// or are refused with a hotcrm error; none is ever executed (the schema and the data stay intact).
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <sstream>
#include <string>
#include <vector>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const std::vector<std::string> kHostile = {
    "'; DROP TABLE contact; --",
    "\"; DROP TABLE contact; --",
    "Robert'); DROP TABLE contact;--",
    "' OR '1'='1",
    "\" OR \"1\"=\"1",
    "1; DELETE FROM contact",
    "x' UNION SELECT name FROM sqlite_master --",
    "contact\" WHERE 1=1; DROP TABLE \"contact",
    "') OR 1=1 --",
    "*/ DROP TABLE contact /*",
    "last_name) VALUES ('x'); DROP TABLE contact; --",
    "\\'; DROP TABLE contact; --",
};

const char* kInjectionCatalog = R"json([{"name": "contact", "fields": [
  {"name": "last_name", "type": "text", "required": true},
  {"name": "notes", "type": "textarea"},
  {"name": "email", "type": "email"}
]}])json";

struct InjectionDb {
  test::TempDir dir;
  std::filesystem::path path = dir.file("injection.db");
  Database db = [this] {
    OpenOptions options;
    options.catalog = Catalog::from_json(kInjectionCatalog, "catalog");
    return Database::open(path, options);
  }();
  std::string sentinel = db.insert("contact", {{"last_name", "Sentinel"}});

  /// The schema as SQLite stores it: any executed DDL would change it.
  std::string schema() {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(raw, "SELECT group_concat(name || ':' || coalesce(sql, ''), '|') FROM sqlite_master", -1,
                       &statement, nullptr);
    std::string text;
    if (sqlite3_step(statement) == SQLITE_ROW) text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    sqlite3_close(raw);
    return text;
  }
};

/// Runs `call`; a hotcrm::Error is a refusal (fine), anything else fails the test.
template <class Call>
void stored_or_refused(Call&& call) {
  try {
    call();
  } catch (const Error&) {
  }
}

}  // namespace

TEST_CASE("injection: hostile strings in every string input are stored verbatim or refused" *
          doctest::test_suite("store")) {
  InjectionDb t;
  const std::string schema = t.schema();
  for (const auto& hostile : kHostile) {
    CAPTURE(hostile);
    // Field values: stored and read back byte for byte.
    const std::string id = t.db.insert("contact", {{"last_name", hostile}, {"notes", hostile}});
    CHECK(t.db.get("contact", id).at("last_name") == Value(hostile));
    t.db.update("contact", id, {{"notes", hostile + hostile}});
    CHECK(t.db.get("contact", id).at("notes") == Value(hostile + hostile));
    // Ids: never found, never executed.
    CHECK_THROWS_AS(t.db.get("contact", hostile), NotFoundError);
    CHECK_THROWS_AS(t.db.update("contact", hostile, {{"notes", "x"}}), NotFoundError);
    CHECK_THROWS_AS(t.db.remove("contact", hostile), NotFoundError);
    CHECK_THROWS_AS(t.db.restore("contact", hostile), NotFoundError);
    CHECK(t.db.history("contact", hostile).empty());
    // Names of objects and fields: refused as unknown.
    CHECK_THROWS_AS(t.db.get(hostile, id), Error);
    CHECK_THROWS_AS(t.db.insert("contact", {{"last_name", "x"}, {hostile, "x"}}), Error);
    CHECK_THROWS_AS(t.db.query({.object = hostile}), Error);
    CHECK_THROWS_AS(t.db.query({.object = "contact", .fields = {hostile}}), Error);
    CHECK_THROWS_AS(t.db.query({.object = "contact", .order_by = {{hostile, false}}}), Error);
    CHECK_THROWS_AS(t.db.aggregate({.object = "contact", .group_by = {hostile}, .aggregates = {{AggregateFn::count, ""}}}),
                    Error);
    CHECK_THROWS_AS(t.db.count("contact", Filter::compare(hostile, CompareOp::eq, Value("x"))), Error);
    stored_or_refused([&] { parse_order_by(hostile); });
    // Filter values: a literal compared as a value (the hostile row itself matches, nothing else).
    CHECK(t.db.count("contact", Filter::compare("last_name", CompareOp::eq, Value(hostile))) == 1);
    // Where-strings and formula filters with the hostile text spliced in: refused, or a filter.
    stored_or_refused([&] { t.db.count("contact", parse_where("last_name = '" + hostile + "'")); });
    stored_or_refused([&] { t.db.count("contact", parse_filter(hostile)); });
    stored_or_refused([&] { t.db.count("contact", Filter::formula("last_name = \"" + hostile + "\"")); });
    // CSV: hostile header names reject the file or its rows; hostile cells are stored verbatim.
    std::ostringstream csv;
    write_csv_record(csv, {"last_name", "notes"});
    write_csv_record(csv, {hostile, hostile});
    std::istringstream csv_in(csv.str());
    CHECK(import_stream(t.db, "contact", csv_in, TextFormat::csv).inserted == 1);
    std::ostringstream bad_header;
    write_csv_record(bad_header, {"last_name", hostile});
    write_csv_record(bad_header, {"x", "y"});
    std::istringstream bad_in(bad_header.str());
    CHECK_THROWS_AS(import_stream(t.db, "contact", bad_in, TextFormat::csv), Error);
  }
  CHECK(t.schema() == schema);  // no DDL ran
  CHECK(t.db.get("contact", t.sentinel).at("last_name") == Value("Sentinel"));
  // Every hostile value is there twice (insert and CSV import), exactly as given.
  for (const auto& hostile : kHostile)
    CHECK(t.db.count("contact", Filter::compare("last_name", CompareOp::eq, Value(hostile))) == 2);
  CHECK(t.db.count("contact") == static_cast<std::int64_t>(1 + 2 * kHostile.size()));
}
