// Several writers on one file: optimistic concurrency with the record version (a stale update is a
// ConflictError, never a lost update), write transactions that take the write lock when they begin
// (BEGIN IMMEDIATE: no read-then-upgrade deadlocks), and a busy wait bounded by busy_timeout_ms
// that ends in a BusyError leaving the data unchanged.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "hotcrm/hotcrm.hpp"
#include "support/crash.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

constexpr int kCounters = 3;

Database open_file(const std::filesystem::path& path, std::uint64_t seed, std::int32_t busy_timeout_ms = 5000) {
  auto options = test::test_options();
  options.id_seed = seed;
  options.busy_timeout_ms = busy_timeout_ms;
  return Database::open(path, options);
}

std::vector<std::string> make_counters(const std::filesystem::path& path) {
  Database db = open_file(path, 1);
  std::vector<std::string> ids;
  for (int i = 0; i < kCounters; ++i)
    ids.push_back(db.insert("company", {{"name", "counter " + std::to_string(i)}, {"employees", std::int64_t{0}}}));
  return ids;
}

struct Tally {
  std::int64_t conflicts = 0, busy = 0, other = 0;
};

/// `increments` read-modify-write increments of the counters, round robin, each retried on
/// ConflictError until it lands. The pause between read and write lets other writers in.
Tally increment(Session session, const std::vector<std::string>& counters, int increments, int offset) {
  Tally tally;
  for (int i = 0; i < increments; ++i) {
    const std::string& id = counters[static_cast<std::size_t>(i + offset) % counters.size()];
    for (;;) {
      try {
        const Record record = session.get("company", id);
        const std::int64_t employees = record.at("employees").as_int();
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        session.update("company", id, {{"employees", employees + 1}}, record.at("version").as_int());
        break;
      } catch (const ConflictError&) {
        ++tally.conflicts;  // someone else incremented first: read again
      } catch (const BusyError&) {
        ++tally.busy;  // never expected with a 5 s timeout and short transactions
        return tally;
      } catch (const std::exception& error) {
        std::fprintf(stderr, "increment failed: %s\n", error.what());
        ++tally.other;
        return tally;
      }
    }
  }
  return tally;
}

}  // namespace

TEST_CASE("read-modify-write increments from several processes and threads lose no update" * doctest::test_suite("store")) {
  constexpr int kProcesses = 3, kIncrements = 12;  // per thread, a multiple of kCounters
  test::TempDir dir;
  const auto path = dir.file("counters.db");
  const auto counters = make_counters(path);  // closed before forking
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    children.push_back(test::spawn([&, p] {
      // Two connections of their own and a third thread sharing the first one's connection (its
      // calls wait on the database's mutex, then on SQLite's lock like the others).
      Database first = open_file(path, 100 + static_cast<std::uint64_t>(p) * 10);
      Database second = open_file(path, 101 + static_cast<std::uint64_t>(p) * 10);
      std::vector<std::future<Tally>> threads;
      threads.push_back(std::async(std::launch::async, increment, Session(first), counters, kIncrements, 0));
      threads.push_back(std::async(std::launch::async, increment, Session(second), counters, kIncrements, 1));
      threads.push_back(std::async(std::launch::async, increment, first.session({.user = "shared"}), counters, kIncrements, 2));
      Tally total;
      for (auto& thread : threads) {
        const Tally tally = thread.get();
        total.conflicts += tally.conflicts;
        total.busy += tally.busy;
        total.other += tally.other;
      }
      std::ofstream(dir.file("tally-" + std::to_string(p))) << total.conflicts << " " << total.busy << " " << total.other;
      if (total.busy + total.other > 0) ::_exit(1);
    }));
  }
  for (pid_t child : children) CHECK(test::wait_for(child) == 0);

  std::int64_t conflicts = 0;
  for (int p = 0; p < kProcesses; ++p) {
    Tally tally;
    std::ifstream(dir.file("tally-" + std::to_string(p))) >> tally.conflicts >> tally.busy >> tally.other;
    CHECK(tally.busy == 0);
    CHECK(tally.other == 0);
    conflicts += tally.conflicts;
  }
  CHECK(conflicts > 0);  // the writers did race: the versions, not luck, kept the counts exact

  Database db = open_file(path, 2);
  const std::int64_t per_counter = kProcesses * 3 * kIncrements / kCounters;
  for (const auto& id : counters) {
    const Record record = db.get("company", id);
    CHECK(record.at("employees").as_int() == per_counter);
    CHECK(record.at("version").as_int() == 1 + per_counter);  // one version per successful increment
  }
}

TEST_CASE("a stale record version is always a ConflictError and changes nothing" * doctest::test_suite("store")) {
  test::TempDir dir;
  const auto path = dir.file("stale.db");
  const auto id = make_counters(path).front();
  Database alice = open_file(path, 2);
  Database bob = open_file(path, 3);
  const std::int64_t read_version = bob.get("company", id).at("version").as_int();
  CHECK(alice.update("company", id, {{"employees", std::int64_t{5}}}, read_version) == read_version + 1);
  const std::string before = test::dump_database(path);

  // Bob's copy is stale: his update, plain or in a transaction of several writes, is refused whole.
  try {
    bob.update("company", id, {{"employees", std::int64_t{1}}}, read_version);
    FAIL("a stale update was accepted");
  } catch (const ConflictError& error) {
    CHECK(error.code() == ErrorCode::conflict);
    CHECK(std::string(error.what()).find("version " + std::to_string(read_version + 1) + " is stored") != std::string::npos);
  }
  CHECK_THROWS_AS(bob.transaction([&] {
    bob.insert("company", {{"name", "written first"}});
    bob.update("company", id, {{"employees", std::int64_t{1}}}, read_version);
  }),
                  ConflictError);
  CHECK_THROWS_AS(bob.update("company", id, {{"employees", std::int64_t{1}}}, read_version + 7), ConflictError);
  CHECK(test::dump_database(path) == before);

  // Read again, write again: the newer version goes through.
  const std::int64_t fresh = bob.get("company", id).at("version").as_int();
  CHECK(bob.update("company", id, {{"employees", std::int64_t{6}}}, fresh) == fresh + 1);
  CHECK(alice.get("company", id).at("employees").as_int() == 6);
}

TEST_CASE("a writer holding the lock past the busy timeout gives BusyError and leaves the data unchanged" *
          doctest::test_suite("store")) {
  test::TempDir dir;
  const auto path = dir.file("busy.db");
  const auto id = make_counters(path).front();
  Database holder = open_file(path, 2);
  Database waiter = open_file(path, 3, /*busy_timeout_ms=*/100);
  const std::string before = test::dump_database(path);

  Transaction held = holder.begin();  // BEGIN IMMEDIATE: the write lock is taken here
  holder.update("company", id, {{"employees", std::int64_t{99}}});
  auto expect_busy = [&](const char* what, const std::function<void()>& call) {
    CAPTURE(what);
    try {
      call();
      FAIL("the write went through while another connection held the lock");
    } catch (const BusyError& error) {
      CHECK(error.code() == ErrorCode::busy);
      CHECK(error_code_name(error.code()) == "store.busy");
      CHECK(std::string(error.what()).find("busy_timeout_ms") != std::string::npos);
    }
  };
  expect_busy("insert", [&] { waiter.insert("company", {{"name", "late"}}); });
  expect_busy("update", [&] { waiter.update("company", id, {{"employees", std::int64_t{1}}}); });
  expect_busy("remove", [&] { waiter.remove("company", id); });
  expect_busy("import", [&] {
    RecordBatch batch({"name"});
    batch.add_row({Value("imported")});
    waiter.import_records("company", batch);
  });
  expect_busy("begin", [&] { waiter.begin(); });  // a deferred BEGIN would succeed here and fail later
  expect_busy("transaction", [&] { waiter.transaction([] {}); });
  // Readers are not blocked (WAL), and see only what is committed; opening the file is reading.
  CHECK(waiter.get("company", id).at("employees").as_int() == 0);
  CHECK(open_file(path, 4, 100).get("company", id).at("employees").as_int() == 0);
  CHECK(waiter.count("company") == kCounters);
  // BusyError is a StoreError: code written for StoreError keeps working.
  CHECK_THROWS_AS(waiter.insert("company", {{"name", "late"}}), StoreError);
  held.rollback();
  CHECK(test::dump_database(path) == before);

  // Once the lock is free the same calls go through.
  waiter.insert("company", {{"name", "late"}});
  CHECK(waiter.count("company") == kCounters + 1);
}

TEST_CASE("a writer waits, within the busy timeout, for another connection's transaction" * doctest::test_suite("store")) {
  test::TempDir dir;
  const auto path = dir.file("wait.db");
  const auto id = make_counters(path).front();
  Database holder = open_file(path, 2);
  Database waiter = open_file(path, 3);  // 5 s: far longer than the holder keeps its lock
  const std::int64_t read_version = waiter.get("company", id).at("version").as_int();

  std::promise<void> locked;
  std::thread other([&] {
    Transaction held = holder.begin();
    holder.update("company", id, {{"employees", std::int64_t{10}}});
    locked.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    held.commit();
  });
  locked.get_future().wait();
  // Waits for the holder's commit, then finds the version it read is stale: a conflict, not a lost update.
  CHECK_THROWS_AS(waiter.update("company", id, {{"employees", std::int64_t{1}}}, read_version), ConflictError);
  other.join();
  // A write without an expected version also waits, then applies on top of the holder's.
  waiter.update("company", id, {{"website", "https://example.com"}});
  const Record record = waiter.get("company", id);
  CHECK(record.at("employees").as_int() == 10);
  CHECK(record.at("website").as_string() == "https://example.com");
  CHECK(record.at("version").as_int() == read_version + 2);
}
