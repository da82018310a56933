#include <doctest/doctest.h>

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
