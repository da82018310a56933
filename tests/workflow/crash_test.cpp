// Crash safety of run_due: a process killed (SIGKILL) at random moments while it runs due actions
// leaves every action either done with its dequeue or still queued; rerunning executes each
// exactly once. And of a whole working day: bulk imports in batches, updates whose workflow rules
// update fields and move roll-ups (master-detail), and run_due, killed again and again; after each
// kill the file is sound, no batch is half there, every roll-up equals its recomputation, and
// every timed action has run exactly once or is still queued.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "support/crash.hpp"
#include "workflow/workflow_fixture.hpp"

using namespace hotcrm;

namespace {

constexpr int kDeals = 200;

Database open_db(const std::filesystem::path& path, int progress_fd = -1) {
  OpenOptions options;
  options.catalog = test::workflow_catalog();
  options.clock = fixed_clock(DateTime::parse("2026-03-02T10:00:00Z"));
  options.id_seed = 3;
  Database db = Database::open(path, options);
  // A slow host callback widens the window in which the kill lands mid-item. In a child it also
  // tells the parent, through a pipe, that one more item has started.
  db.register_action("notify", [progress_fd](ActionContext&) {
    if (progress_fd >= 0) (void)!::write(progress_fd, "+", 1);
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  });
  return db;
}

/// Runs run_due in a child process and kills it `delay` after its `items`-th item started; returns
/// true if it was killed. Counting items rather than time from fork() makes the kill land inside
/// run_due however slowly the child starts (under ASan it did not reach run_due within 110 ms).
bool run_and_kill(const std::filesystem::path& path, int items, std::chrono::microseconds delay) {
  return test::run_and_kill_after(
      [&](int progress_fd) { open_db(path, progress_fd).run_due(DateTime::parse("2026-03-04T00:00:00Z")); }, items,
      delay);
}

/// kDeals deals, each with a timed action due an hour after creation.
void seed_deals(const std::filesystem::path& path) {
  Database db = open_db(path);
  RecordBatch batch({"title"});
  for (int i = 0; i < kDeals; ++i) batch.add_row({Value("timed hook")});
  db.import_records("deal", batch);
  REQUIRE(db.timers().size() == kDeals);
}  // closed before forking: a SQLite connection must not cross fork()

/// How often each deal's timed action fired, from the workflow log.
std::map<std::string, int> fired_per_deal(Database& db) {
  std::map<std::string, int> fired;
  for (const auto& entry : db.workflow_log())
    if (entry.action == "time_trigger_fired") ++fired[entry.record_id];
  return fired;
}

}  // namespace

TEST_CASE("a process killed during run_due loses nothing and runs nothing twice") {
  test::TempDir dir;
  const auto path = dir.file("crash.db");
  seed_deals(path);
  int killed = 0;
  // Kills at different points of an item: in the host callback, around the commit, in the next item.
  const std::pair<int, int> kills[] = {{3, 0}, {10, 200}, {25, 450}, {5, 700}, {15, 1500}};
  for (const auto& [items, delay_us] : kills)
    killed += run_and_kill(path, items, std::chrono::microseconds(delay_us)) ? 1 : 0;
  CHECK(killed == 5);

  CHECK(test::integrity_check(path) == "ok");  // a kill never corrupts the file
  Database db = open_db(path);
  CHECK(db.count("deal") == kDeals);
  const auto remaining = db.timers().size();
  CHECK(remaining < kDeals);  // the killed runs made progress
  auto report = db.run_due(DateTime::parse("2026-03-04T00:00:00Z"));
  CHECK(report.timers_run == static_cast<std::int64_t>(remaining));
  CHECK(db.timers().empty());
  const auto fired = fired_per_deal(db);
  CHECK(fired.size() == kDeals);
  for (const auto& [id, count] : fired) CHECK_MESSAGE(count == 1, id);
  CHECK(db.outbox().size() == kDeals);
}

TEST_CASE("processes running run_due on one file at once run each timed action and occurrence once") {
  test::TempDir dir;
  const auto path = dir.file("runners.db");
  seed_deals(path);
  // A first run starts the nightly schedule's count (nothing is due yet), so that the runners
  // below all find the occurrence of 2026-03-03 09:00 Paris to run.
  open_db(path).run_due(DateTime::parse("2026-03-02T10:00:00Z"));
  std::vector<pid_t> runners;
  for (int i = 0; i < 3; ++i)
    runners.push_back(test::spawn([&] { open_db(path).run_due(DateTime::parse("2026-03-04T00:00:00Z")); }));
  for (pid_t runner : runners) CHECK(test::wait_for(runner) == 0);

  Database db = open_db(path);
  CHECK(db.timers().empty());
  const auto fired = fired_per_deal(db);
  CHECK(fired.size() == kDeals);
  for (const auto& [id, count] : fired) CHECK_MESSAGE(count == 1, id);
  CHECK(db.outbox().size() == kDeals);
  int occurrences = 0;
  for (const auto& entry : db.workflow_log())
    if (entry.source == "schedule:nightly_touch" && entry.action == "run") ++occurrences;
  CHECK(occurrences == 1);
}

namespace {

// Lines (master-detail children of accounts) whose workflow prices them, flags big ones and
// schedules a follow-up that counts itself in `touches`; accounts roll them up and tier themselves
// from the roll-up (a parent rule fired by a roll-up change).
const char* kMixedCatalog = R"json([
  {"name": "account", "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "line_count", "type": "number", "rollup": {"object": "line", "via": "account_id", "function": "count"}},
    {"name": "total", "type": "currency", "scale": 2,
     "rollup": {"object": "line", "via": "account_id", "function": "sum", "field": "amount"}},
    {"name": "big_lines", "type": "number",
     "rollup": {"object": "line", "via": "account_id", "function": "count", "filter": "big"}},
    {"name": "touches", "type": "number",
     "rollup": {"object": "line", "via": "account_id", "function": "sum", "field": "touches"}},
    {"name": "tier", "type": "text"}
  ],
  "workflow_rules": [
    {"name": "tier_from_total", "trigger": "on_create_or_update",
     "actions": [{"type": "field_update", "field": "tier",
                  "value": {"formula": "IF(BLANKVALUE(total, 0) >= 5000, 'gold', 'standard')"}}]}
  ]},
  {"name": "line", "fields": [
    {"name": "account_id", "type": "master_detail", "reference": "account"},
    {"name": "batch", "type": "number", "indexed": true},
    {"name": "qty", "type": "number"},
    {"name": "amount", "type": "currency", "scale": 2},
    {"name": "big", "type": "boolean", "default": false},
    {"name": "touches", "type": "number", "default": 0}
  ],
  "workflow_rules": [
    {"name": "price", "trigger": "on_create_or_update", "order": 1,
     "actions": [{"type": "field_update", "field": "amount", "value": {"formula": "qty * 2.5"}},
                 {"type": "field_update", "field": "big", "value": {"formula": "qty >= 50"}}]},
    {"name": "follow_up", "trigger": "on_create", "order": 2,
     "time_triggers": [{"after": "1 hour", "actions": [
       {"type": "field_update", "field": "touches", "value": {"formula": "touches + 1"}},
       {"type": "email", "template": "follow_up", "to": ["sales@example.com"]}]}]}
  ]}
])json";

constexpr int kAccounts = 8;
constexpr std::int64_t kBatchRows = 40;  // one bulk import, fed in two chunks, committed once
const DateTime kStart = DateTime::parse("2026-03-02T10:00:00Z");
const DateTime kLater = DateTime::parse("2026-03-02T12:00:00Z");  // every follow-up is due

Database open_mixed(const std::filesystem::path& path, std::uint64_t seed) {
  OpenOptions options;
  options.catalog = Catalog::from_json(kMixedCatalog, "mixed crash catalog");
  options.clock = fixed_clock(kStart);
  options.id_seed = seed;  // a seed per run: ids made at the same instant by two runs differ
  return Database::open(path, options);
}

std::vector<std::string> ids_of(Database& db, const std::string& object) {
  auto rows = db.query({.object = object, .fields = {"id"}});
  std::vector<std::string> ids;
  for (std::size_t r = 0; r < rows.size(); ++r) ids.push_back(rows.rows.at(r, 0).as_string());
  return ids;
}

/// The child: rounds of a batch import, updates (re-pricing and re-parenting lines) and run_due,
/// until it is killed.
/// The child's work; one byte on `progress_fd` once the database is open, so that the kill delay
/// counts from there, however slowly the child starts (a loaded machine, a sanitized build).
void work_day(const std::filesystem::path& path, std::uint64_t seed, int progress_fd) {
  Database db = open_mixed(path, seed);
  const char opened = 1;
  if (::write(progress_fd, &opened, 1) != 1) return;
  std::mt19937 random(static_cast<unsigned>(seed));
  const auto accounts = ids_of(db, "account");
  auto any_account = [&] { return Value(accounts[random() % accounts.size()]); };
  std::vector<std::string> lines = ids_of(db, "line");
  for (std::int64_t round = 0;; ++round) {
    const std::int64_t batch = static_cast<std::int64_t>(seed) * 100'000 + round;
    auto import = db.begin_import("line", kBatchRows);
    for (int chunk = 0; chunk < 2; ++chunk) {
      RecordBatch rows({"account_id", "batch", "qty"});
      for (std::int64_t i = 0; i < kBatchRows / 2; ++i) rows.add_row({any_account(), batch, std::int64_t(random() % 100)});
      import.add(rows);
    }
    auto report = import.finish();
    lines.insert(lines.end(), report.ids.begin(), report.ids.end());
    for (int i = 0; i < 8; ++i) {
      Record changes{{"qty", std::int64_t(random() % 100)}};
      if (i % 3 == 0) changes.emplace("account_id", any_account());  // both parents' roll-ups move
      db.update("line", lines[random() % lines.size()], changes);
    }
    db.run_due(kLater);
  }
}

std::int64_t number(const Value& value) { return value.is_null() ? 0 : value.as_int(); }
Decimal money(const Value& value) { return value.is_null() ? Decimal::from_int(0) : value.as_decimal(); }

struct Totals {
  std::int64_t lines = 0, big = 0, touches = 0;
  Decimal total = Decimal::from_int(0);
};

/// Everything a kill must not break; returns the number of lines checked.
std::size_t check_after_kill(const std::filesystem::path& path, bool all_due_run) {
  REQUIRE(test::integrity_check(path) == "ok");
  Database db = open_mixed(path, 1);
  std::map<std::string, int> pending;
  for (const auto& timer : db.timers("line")) ++pending[timer.record_id];
  if (all_due_run) CHECK(pending.empty());

  auto lines = db.query({.object = "line", .fields = {"id", "account_id", "batch", "qty", "amount", "big", "touches"}});
  std::map<std::int64_t, std::int64_t> batch_rows;
  std::map<std::string, Totals> expected;
  std::int64_t fired = 0;
  for (std::size_t r = 0; r < lines.size(); ++r) {
    const auto& row = lines.rows;
    const std::string id = row.at(r, 0).as_string();
    ++batch_rows[number(row.at(r, 2))];
    const std::int64_t qty = number(row.at(r, 3));
    // The workflow's field updates were committed with the write that fired them.
    CHECK_MESSAGE(money(row.at(r, 4)) == Decimal::parse("2.5") * Decimal::from_int(qty), id);
    CHECK_MESSAGE(row.at(r, 5).as_bool() == (qty >= 50), id);
    // Each line's follow-up ran exactly once (touches 1) or is still queued: never both, never twice.
    const std::int64_t touches = number(row.at(r, 6));
    CHECK_MESSAGE(touches + pending[id] == 1, "line ", id, ": touched ", touches, " times, ", pending[id], " queued");
    fired += touches;
    Totals& totals = expected[row.at(r, 1).as_string()];
    ++totals.lines;
    totals.big += row.at(r, 5).as_bool() ? 1 : 0;
    totals.touches += touches;
    totals.total = totals.total + money(row.at(r, 4));
  }
  for (const auto& [batch, rows] : batch_rows) CHECK_MESSAGE(rows == kBatchRows, "batch ", batch, " is partial");

  auto accounts = db.query({.object = "account", .fields = {"id", "line_count", "total", "big_lines", "touches", "tier"}});
  REQUIRE(accounts.size() == kAccounts);
  for (std::size_t r = 0; r < accounts.size(); ++r) {
    const auto& row = accounts.rows;
    const Totals& totals = expected[row.at(r, 0).as_string()];
    CHECK(number(row.at(r, 1)) == totals.lines);
    CHECK(money(row.at(r, 2)) == totals.total);
    CHECK(number(row.at(r, 3)) == totals.big);
    CHECK(number(row.at(r, 4)) == totals.touches);
    CHECK(row.at(r, 5).as_string() == (totals.total >= Decimal::from_int(5000) ? "gold" : "standard"));
  }
  // The follow-up's e-mail was queued in the same transaction as its field update.
  std::int64_t emails = 0;
  for (const auto& message : db.outbox("pending", 1'000'000)) emails += message.source == "rule:follow_up" ? 1 : 0;
  CHECK(emails == fired);
  return lines.size();
}

}  // namespace

TEST_CASE("a process killed during imports, workflow updates and run_due leaves no partial batch, exact roll-ups "
          "and each timed action run once") {
  test::TempDir dir;
  const auto path = dir.file("day.db");
  {
    Database db = open_mixed(path, 1);
    for (int i = 0; i < kAccounts; ++i) db.insert("account", {{"name", "A" + std::to_string(i)}});
  }  // closed before forking
  std::mt19937 random(20260302);
  int killed = 0;
  std::size_t lines = 0;
  for (std::uint64_t run = 1; run <= 16; ++run) {
    const auto delay = std::chrono::milliseconds(10 + random() % 200);
    killed += test::run_and_kill_after([&](int progress_fd) { work_day(path, run + 1, progress_fd); }, 1, delay) ? 1 : 0;
    lines = check_after_kill(path, false);
  }
  CHECK(killed >= 14);  // a child that finished (or failed) on its own was not a crash test
  CHECK(lines > 0);
  open_mixed(path, 99).run_due(kLater);  // what the killed runs left queued runs now, once
  check_after_kill(path, true);
}
