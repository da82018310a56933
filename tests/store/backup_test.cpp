// Online backup: a copy taken while other threads and connections write opens, passes
// integrity_check, and holds a consistent prefix of the writes (roll-ups equal their
// recomputation, the field history verifies).
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const char* kBackupCatalog = R"json([
  {"name": "batch", "capabilities": {"track_history": true}, "fields": [
    {"name": "serial", "type": "number"},
    {"name": "writer", "type": "text"},
    {"name": "item_count", "type": "number", "rollup": {"object": "item", "via": "batch_id", "function": "count"}},
    {"name": "total", "type": "currency", "scale": 2, "rollup": {"object": "item", "via": "batch_id", "function": "sum", "field": "amount"}}
  ]},
  {"name": "item", "fields": [
    {"name": "batch_id", "type": "lookup", "reference": "batch", "on_delete": "cascade"},
    {"name": "amount", "type": "currency", "scale": 2},
    {"name": "padding", "type": "textarea"}
  ]}
])json";

OpenOptions options_for(bool read_only = false) {
  OpenOptions options;
  options.catalog = Catalog::from_json(kBackupCatalog, "backup catalog");
  options.read_only = read_only;
  return options;
}

/// One write: a batch and three items in one transaction, numbered by `serial` per writer.
void write_batch(Session& session, const std::string& writer, std::int64_t serial) {
  session.transaction([&] {
    auto id = session.insert("batch", {{"serial", serial}, {"writer", writer}});
    for (int i = 1; i <= 3; ++i)
      session.insert("item", {{"batch_id", id}, {"amount", Decimal::parse(std::to_string(serial) + "." + std::to_string(i))},
                              {"padding", std::string(200, 'x')}});
  });
}

std::string integrity(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr);
  std::string result;
  while (sqlite3_step(statement) == SQLITE_ROW) result += reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return result;
}

/// Checks the copy: every writer's serials are 1..n without a gap, every batch has its three
/// items, and the roll-ups equal a recomputation. Returns the number of batches.
std::int64_t check_consistent_prefix(const std::filesystem::path& copy) {
  CHECK(integrity(copy) == "ok");
  Database db = Database::open(copy, options_for(/*read_only=*/true));
  auto batches = db.query({.object = "batch", .fields = {"id", "serial", "writer", "item_count", "total"}});
  std::map<std::string, std::set<std::int64_t>> serials;
  for (std::size_t r = 0; r < batches.size(); ++r) {
    const std::string id = batches.rows.at(r, 0).as_string();
    serials[batches.rows.at(r, 2).as_string()].insert(batches.rows.at(r, 1).as_int());
    auto items = db.aggregate({.object = "item",
                               .filter = parse_where("batch_id = '" + id + "'"),
                               .aggregates = {{AggregateFn::count, "", "n"}, {AggregateFn::sum, "amount", "s"}}});
    CHECK(items.rows.at(0, 0) == Value(std::int64_t{3}));
    CHECK(batches.rows.at(r, 3) == items.rows.at(0, 0));
    CHECK(batches.rows.at(r, 4) == items.rows.at(0, 1));
  }
  for (const auto& [writer, numbers] : serials) {
    CHECK(*numbers.begin() == 1);
    CHECK(*numbers.rbegin() == static_cast<std::int64_t>(numbers.size()));  // no gap: a prefix
  }
  CHECK(db.verify_history().ok);
  return static_cast<std::int64_t>(batches.size());
}

}  // namespace

TEST_CASE("backup: a copy taken while two writers commit is a consistent prefix" * doctest::test_suite("store")) {
  test::TempDir dir;
  const auto path = dir.file("live.db");
  Database db = Database::open(path, options_for());
  for (std::int64_t serial = 1; serial <= 40; ++serial) write_batch(db, "seed", serial);

  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> same_database{0}, other_connection{0};
  // SQLite's busy wait is not fair: a writer that commits in a tight loop can keep the other
  // connection out past its busy timeout (under a sanitizer on a loaded machine it does). The
  // BusyError says the batch wrote nothing, so the writers retry it, as an application would.
  auto write_until_stopped = [&](Session& session, const std::string& writer, std::atomic<std::int64_t>& committed) {
    for (std::int64_t serial = 1; !stop; ++serial) {
      try {
        write_batch(session, writer, serial);
      } catch (const BusyError&) {
        --serial;
        continue;
      }
      committed = serial;
    }
  };
  std::exception_ptr shared_failure, own_failure;  // rethrown after join: a thread must not terminate
  // One writer shares the Database with the backup (another thread); one opens its own connection
  // (as another process would).
  std::thread shared_writer([&] {
    try {
      Session session = db.session({.user = "shared"});
      write_until_stopped(session, "shared", same_database);
    } catch (...) {
      shared_failure = std::current_exception();
    }
  });
  std::thread own_writer([&] {
    try {
      Database other = Database::open(path, options_for());
      write_until_stopped(other, "other", other_connection);
    } catch (...) {
      own_failure = std::current_exception();
    }
  });
  while (same_database < 3 || other_connection < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  const auto copy = dir.file("copy.db");
  const std::int64_t at_start = same_database + other_connection;
  BackupOptions options;
  options.pages_per_step = 2;
  std::int64_t steps = 0;
  options.on_progress = [&](const Progress& progress) {
    ++steps;
    CHECK(progress.phase == "backup");
    CHECK(progress.done <= progress.total);
    std::this_thread::sleep_for(std::chrono::microseconds(300));  // let the writers commit meanwhile
    return true;
  };
  db.backup(copy, options);
  const std::int64_t at_end = same_database + other_connection;
  stop = true;
  shared_writer.join();
  own_writer.join();
  if (shared_failure) std::rethrow_exception(shared_failure);
  if (own_failure) std::rethrow_exception(own_failure);

  CHECK(steps > 10);
  CHECK(at_end > at_start);  // the writers were not blocked by the copy
  const auto copied = check_consistent_prefix(copy);
  CHECK(copied >= 40 + at_start);
  CHECK(copied <= 40 + at_end + 2);  // at most what was committed by the end (give or take one each)
  CHECK(integrity(path) == "ok");
}

TEST_CASE("backup: destinations, in-memory and read-only sources, failures" * doctest::test_suite("store")) {
  test::TempDir dir;
  const auto path = dir.file("source.db");
  Database db = Database::open(path, options_for());
  for (std::int64_t serial = 1; serial <= 5; ++serial) write_batch(db, "w", serial);
  const auto copy = dir.file("copy.db");
  db.backup(copy);
  CHECK(check_consistent_prefix(copy) == 5);

  write_batch(db, "w", 6);
  CHECK_THROWS_WITH_AS(db.backup(copy), doctest::Contains("exists"), UsageError);
  CHECK(check_consistent_prefix(copy) == 5);  // untouched
  BackupOptions overwrite;
  overwrite.overwrite = true;
  db.backup(copy, overwrite);
  CHECK(check_consistent_prefix(copy) == 6);
  CHECK_FALSE(std::filesystem::exists(dir.file("copy.db.partial")));

  CHECK_THROWS_WITH_AS(db.backup(path, overwrite), doctest::Contains("the database itself"), UsageError);
  CHECK_THROWS_WITH_AS(db.backup(dir.path(), overwrite), doctest::Contains("is a folder"), UsageError);
  BackupOptions zero;
  zero.pages_per_step = 0;
  CHECK_THROWS_AS(db.backup(dir.file("zero.db"), zero), UsageError);
  CHECK_THROWS_AS(db.backup(dir.file("missing-folder") / "copy.db"), StoreError);

  BackupOptions cancel;
  cancel.pages_per_step = 1;
  cancel.on_progress = [](const Progress&) { return false; };
  CHECK_THROWS_AS(db.backup(dir.file("cancelled.db"), cancel), Error);
  CHECK_FALSE(std::filesystem::exists(dir.file("cancelled.db")));
  CHECK_FALSE(std::filesystem::exists(dir.file("cancelled.db.partial")));

  Database memory = Database::open(":memory:", options_for());
  write_batch(memory, "m", 1);
  memory.backup(dir.file("memory.db"));
  CHECK(check_consistent_prefix(dir.file("memory.db")) == 1);

  db.close();
  Database reader = Database::open(path, options_for(/*read_only=*/true));
  reader.backup(dir.file("from-reader.db"));
  CHECK(check_consistent_prefix(dir.file("from-reader.db")) == 6);
  reader.close();
  CHECK_THROWS_AS(reader.backup(dir.file("closed.db")), UsageError);
}

TEST_CASE("backup: a lock held past the busy timeout is a BusyError and leaves no file" * doctest::test_suite("store")) {
  test::TempDir dir;
  const auto path = dir.file("source.db");
  {
    Database db = Database::open(path, options_for());
    write_batch(db, "w", 1);
  }
  // A file in rollback-journal mode (a WAL file never blocks its readers), read through a read-only
  // database whose busy timeout is 200 ms, while another connection holds an exclusive lock.
  sqlite3* holder = nullptr;
  REQUIRE(sqlite3_open(path.string().c_str(), &holder) == SQLITE_OK);
  REQUIRE(sqlite3_exec(holder, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr) == SQLITE_OK);
  OpenOptions options = options_for(/*read_only=*/true);
  options.busy_timeout_ms = 200;
  Database reader = Database::open(path, options);
  REQUIRE(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const auto started = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(reader.backup(dir.file("copy.db")), BusyError);
  // Bounded by the database's busy timeout, not by a fixed five seconds.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  CHECK_FALSE(std::filesystem::exists(dir.file("copy.db")));
  CHECK_FALSE(std::filesystem::exists(dir.file("copy.db.partial")));
  REQUIRE(sqlite3_exec(holder, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(holder);
  reader.backup(dir.file("copy.db"));  // the lock gone, the same call succeeds
  CHECK(check_consistent_prefix(dir.file("copy.db")) == 1);
}
