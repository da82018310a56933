#include <doctest/doctest.h>
#include <sqlite3.h>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {
Catalog widgets(const std::string& fields) {
  return Catalog::from_json(R"({"name": "widget", "fields": [)" + fields + "]}");
}
OpenOptions with(Catalog catalog, bool allow_destructive = false) {
  OpenOptions options;
  options.catalog = std::move(catalog);
  options.allow_destructive = allow_destructive;
  return options;
}
}  // namespace

TEST_CASE("a new file gets the schema and remembers its catalog" * doctest::test_suite("migration")) {
  test::TempDir dir;
  auto path = dir.file("w.db");
  {
    auto db = Database::open(path, with(widgets(R"({"name": "title", "type": "text"})")));
    CHECK(db.migration().steps == std::vector<std::string>{"create object widget"});
    db.insert("widget", {{"title", "first"}});
  }
  auto db = Database::open(path);  // no catalog given: the stored one
  CHECK(db.catalog().object_names() == std::vector<std::string>{"widget"});
  CHECK_FALSE(db.migration().changed());
  CHECK(db.count("widget") == 1);
}

TEST_CASE("adding objects and fields migrates in place and keeps data" * doctest::test_suite("migration")) {
  test::TempDir dir;
  auto path = dir.file("w.db");
  { Database::open(path, with(widgets(R"({"name": "title", "type": "text"})"))).insert("widget", {{"title", "kept"}}); }
  auto bigger = Catalog::from_json(R"([{"name": "widget", "fields": [
      {"name": "title", "type": "text", "indexed": true},
      {"name": "weight", "type": "number", "scale": 2},
      {"name": "kind_id", "type": "lookup", "reference": "kind"}]},
    {"name": "kind", "fields": [{"name": "label", "type": "text", "unique": true}]}])");
  auto planned = Database::plan_migration(path, bigger);
  auto db = Database::open(path, with(bigger));
  CHECK(db.migration().steps == planned.steps);
  auto& steps = db.migration().steps;
  CHECK(std::find(steps.begin(), steps.end(), "add field widget.weight") != steps.end());
  CHECK(std::find(steps.begin(), steps.end(), "create object kind") != steps.end());
  CHECK(std::find(steps.begin(), steps.end(), "create index ix_widget__title") != steps.end());
  auto kind = db.insert("kind", {{"label", "gear"}});
  auto rows = db.query({.object = "widget", .fields = {"title", "weight"}});
  CHECK(rows.rows.at(0, 0).as_string() == "kept");
  CHECK(rows.rows.at(0, 1).is_null());
  db.insert("widget", {{"title", "new"}, {"weight", 1.25}, {"kind_id", kind}});
}

TEST_CASE("destructive changes are refused unless allowed" * doctest::test_suite("migration")) {
  test::TempDir dir;
  auto path = dir.file("w.db");
  auto original = widgets(R"({"name": "title", "type": "text"}, {"name": "size", "type": "number"})");
  { Database::open(path, with(original)).insert("widget", {{"title", "a"}, {"size", 3}}); }
  auto before = test::dump_database(path);

  auto dropped = widgets(R"({"name": "title", "type": "text"})");
  CHECK_THROWS_WITH_AS(Database::open(path, with(dropped)), doctest::Contains("drop field widget.size"), SchemaError);
  auto retyped = widgets(R"({"name": "title", "type": "text"}, {"name": "size", "type": "text"})");
  CHECK_THROWS_WITH_AS(Database::open(path, with(retyped)), doctest::Contains("retype field widget.size"), SchemaError);
  auto gone = Catalog::from_json(R"({"name": "gadget", "fields": []})");
  CHECK_THROWS_WITH_AS(Database::open(path, with(gone)), doctest::Contains("drop object widget"), SchemaError);
  CHECK(test::dump_database(path) == before);

  {
    auto db = Database::open(path, with(retyped, true));
    auto row = db.query({.object = "widget", .fields = {"title", "size"}});
    CHECK(row.rows.at(0, 0).as_string() == "a");
    CHECK(row.rows.at(0, 1).is_null());
    db.update("widget", row.rows.at(0, 0).is_null() ? "" : db.query({.object = "widget", .fields = {"id"}}).rows.at(0, 0).as_string(),
              {{"size", "large"}});
  }
  auto db = Database::open(path, with(dropped, true));
  CHECK(db.catalog().at("widget").find_field("size") == nullptr);
  CHECK(db.count("widget") == 1);
}

TEST_CASE("changing a lookup's delete behaviour rebuilds the table without loss" * doctest::test_suite("migration")) {
  test::TempDir dir;
  auto path = dir.file("w.db");
  auto make = [](const char* behaviour) {
    return Catalog::from_json(std::string(R"([{"name": "box", "fields": [{"name": "label", "type": "text"}]},
      {"name": "widget", "fields": [{"name": "box_id", "type": "lookup", "reference": "box", "on_delete": ")") +
                              behaviour + R"("}]}])");
  };
  std::string box;
  {
    auto db = Database::open(path, with(make("set_null")));
    box = db.insert("box", {{"label", "b"}});
    db.insert("widget", {{"box_id", box}});
  }
  auto db = Database::open(path, with(make("cascade")));
  CHECK(db.migration().changed());
  CHECK(db.count("widget") == 1);
  db.remove("box", box);
  CHECK(db.count("widget") == 0);
}

TEST_CASE("unique values are per tenant, and a file of the older format is brought to that" * doctest::test_suite("migration")) {
  test::TempDir dir;
  auto path = dir.file("w.db");
  const auto catalog = widgets(R"({"name": "code", "type": "text", "unique": true})");
  {
    Database::open(path, with(catalog)).insert("widget", {{"code", "A-1"}});
    // Make it a file of format 2, whose unique index spans every tenant.
    REQUIRE(test::raw_exec(path,
                           "DROP INDEX ux_widget__code; CREATE UNIQUE INDEX \"ux_widget__code\" ON \"widget\"(\"code\");"
                           "PRAGMA user_version = 2;") == SQLITE_OK);
  }
  {
    auto read_only = Database::open(path, [] { OpenOptions o; o.read_only = true; o.create = false; return o; }());
    CHECK(read_only.count("widget") == 1);  // a read-only open reads the old file as it is
  }
  auto db = Database::open(path, with(catalog));
  CHECK(db.migration().steps == std::vector<std::string>{"rebuild index ux_widget__code"});
  auto other = db.session({.user = "eve", .tenant = "globex"});
  other.insert("widget", {{"code", "A-1"}});  // another tenant's value is no conflict
  CHECK(test::rejection_codes([&] { other.insert("widget", {{"code", "A-1"}}); }) ==
        std::vector<std::string>{"code:unique"});
  CHECK(test::rejection_codes([&] { db.insert("widget", {{"code", "A-1"}}); }) == std::vector<std::string>{"code:unique"});
  CHECK(db.count("widget") == 1);
  CHECK(other.count("widget") == 1);
  CHECK_FALSE(Database::open(path, with(catalog)).migration().changed());  // done once
}
