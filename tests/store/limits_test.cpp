// Bounded work: a query stops at its timeout or when its cancel token is set, with a clear error
// and the connection still usable; oversized inputs (catalog JSON, CSV records, JSONL lines) are
// refused before they are held whole.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const char* kLimitsCatalog = R"json([{"name": "item", "fields": [
  {"name": "name", "type": "text"},
  {"name": "weight", "type": "number"},
  {"name": "heavy", "type": "formula", "expression": "weight * 3 + LEN(name)", "return_type": "number"}
]}])json";

struct ItemsDb {
  test::TempDir dir;
  Database db = [this] {
    OpenOptions options;
    options.catalog = Catalog::from_json(kLimitsCatalog, "items");
    return Database::open(dir.file("items.db"), options);
  }();
  explicit ItemsDb(int rows) {
    RecordBatch batch({"name", "weight"});
    for (int i = 0; i < rows; ++i) batch.add_row({Value("item " + std::to_string(i)), Value(std::int64_t{i % 977})});
    db.import_records("item", batch);
  }
};

}  // namespace

TEST_CASE("query limits: a timeout and a cancel token stop a read, the connection stays usable" *
          doctest::test_suite("store")) {
  ItemsDb items(20'000);
  // Sorting on a formula field computes it in the engine for every row: far longer than 1 ms.
  Query slow{.object = "item", .order_by = {{"heavy", true}}};
  slow.limits.timeout = std::chrono::milliseconds(1);
  try {
    items.db.query(slow);
    FAIL("the query should have stopped at its timeout");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::deadline);
    CHECK(std::string(error.what()).find("query on item stopped at its timeout of 1 ms") != std::string::npos);
  }
  AggregateQuery grouped{.object = "item", .group_by = {"name"}, .aggregates = {{AggregateFn::count, ""}}};
  CancelToken token;
  token.cancel();
  grouped.limits.cancel = token;
  CHECK_THROWS_WITH_AS(items.db.aggregate(grouped), doctest::Contains("cancelled"), Error);
  Query cancelled{.object = "item"};
  cancelled.limits.cancel = token;
  CHECK_THROWS_WITH_AS(items.db.query_columns(cancelled), doctest::Contains("cancelled"), Error);
  // Nothing is left behind: the same connection answers the next reads in full.
  CHECK(items.db.query({.object = "item", .limit = 5}).size() == 5);
  Query generous{.object = "item", .filter = parse_where("weight = 3")};
  generous.limits.timeout = std::chrono::minutes(5);
  generous.limits.cancel = CancelToken();
  CHECK(items.db.query(generous).size() == 21);
  Query negative{.object = "item"};
  negative.limits.timeout = std::chrono::milliseconds(-1);
  CHECK_THROWS_AS(items.db.query(negative), UsageError);
}

TEST_CASE("oversized inputs are refused clearly" * doctest::test_suite("store")) {
  // A catalog text over the limit, refused before parsing.
  std::string huge(kMaxCatalogJsonBytes + 1, ' ');
  try {
    Catalog::from_json(huge, "huge.json");
    FAIL("an oversized catalog must be refused");
  } catch (const UsageError& error) {
    CHECK(error.code() == ErrorCode::too_large);
    CHECK(std::string(error.what()).find("huge.json") != std::string::npos);
  }
  // A formula source over its limit is a diagnostic, not a crash.
  ItemsDb items(0);
  CHECK_THROWS_AS(items.db.query({.object = "item", .filter = Filter::formula(std::string(5000, '1'))}), Error);

  // CSV: a record over kMaxRecordBytes is one rejected row; the next lines still import.
  std::string csv = "name,weight\nsmall,1\n\"" + std::string(kMaxRecordBytes, 'x') + "\",2\nafter,3\n";
  std::istringstream input(csv);
  ImportOptions skip;
  skip.on_error = OnError::skip;
  ImportReport report = import_stream(items.db, "item", input, TextFormat::csv, skip);
  CHECK(report.inserted == 2);
  REQUIRE(report.rejected.size() == 1);
  CHECK(report.rejected[0].code == "too_large");
  CHECK(report.rejected[0].row == 3);

  // JSONL: likewise per line; in abort mode nothing is written.
  std::string jsonl = "{\"name\": \"a\"}\n{\"name\": \"" + std::string(kMaxRecordBytes, 'y') + "\"}\n";
  std::istringstream abort_input(jsonl);
  CHECK_THROWS_WITH_AS(import_stream(items.db, "item", abort_input, TextFormat::jsonl), doctest::Contains("16 MiB"),
                       ValidationError);
  CHECK(items.db.count("item") == 2);
}
