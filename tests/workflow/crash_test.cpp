// Crash safety of run_due: a process killed (SIGKILL) at random moments while it runs due actions
// leaves every action either done with its dequeue or still queued; rerunning executes each
// exactly once.
#include <doctest/doctest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

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
  // A slow host callback widens the window in which the kill lands mid-item. In the child it also
  // tells the parent, through a pipe, that one more item has started.
  db.register_action("notify", [progress_fd](ActionContext&) {
    if (progress_fd >= 0) (void)!write(progress_fd, "+", 1);
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  });
  return db;
}

/// Runs run_due in a child process and kills it `delay` after its `items`-th item started; returns
/// true if it was killed. Counting items rather than time from fork() makes the kill land inside
/// run_due however slowly the child starts (a loaded machine, a sanitized build).
bool run_and_kill(const std::filesystem::path& path, int items, std::chrono::microseconds delay) {
  int progress[2];
  REQUIRE(pipe(progress) == 0);
  pid_t child = fork();
  if (child == 0) {
    close(progress[0]);
    try {
      Database db = open_db(path, progress[1]);
      db.run_due(DateTime::parse("2026-03-04T00:00:00Z"));
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  close(progress[1]);
  char byte = 0;
  for (int started = 0; started < items && read(progress[0], &byte, 1) == 1;) ++started;
  std::this_thread::sleep_for(delay);
  kill(child, SIGKILL);
  close(progress[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return WIFSIGNALED(status);
}

std::string integrity(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.string().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr);
  std::string result = sqlite3_step(statement) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)) : "";
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return result;
}

}  // namespace

TEST_CASE("a process killed during run_due loses nothing and runs nothing twice") {
  test::TempDir dir;
  const auto path = dir.file("crash.db");
  {
    Database db = open_db(path);
    RecordBatch batch({"title"});
    for (int i = 0; i < kDeals; ++i) batch.add_row({Value("timed hook")});
    db.import_records("deal", batch);
    REQUIRE(db.timers().size() == kDeals);
  }  // closed before forking: a SQLite connection must not cross fork()
  int killed = 0;
  // Kills at different points of an item: in the host callback, around the commit, in the next item.
  const std::pair<int, int> kills[] = {{3, 0}, {10, 200}, {25, 450}, {5, 700}, {15, 1500}};
  for (const auto& [items, delay_us] : kills)
    killed += run_and_kill(path, items, std::chrono::microseconds(delay_us)) ? 1 : 0;
  CHECK(killed == 5);

  CHECK(integrity(path) == "ok");  // a kill never corrupts the file
  Database db = open_db(path);
  CHECK(db.count("deal") == kDeals);
  const auto remaining = db.timers().size();
  CHECK(remaining < kDeals);  // the killed runs made progress
  auto report = db.run_due(DateTime::parse("2026-03-04T00:00:00Z"));
  CHECK(report.timers_run == static_cast<std::int64_t>(remaining));
  CHECK(db.timers().empty());
  std::map<std::string, int> fired;
  for (const auto& entry : db.workflow_log())
    if (entry.action == "time_trigger_fired") ++fired[entry.record_id];
  CHECK(fired.size() == kDeals);
  for (const auto& [id, count] : fired) CHECK_MESSAGE(count == 1, id);
  CHECK(db.outbox().size() == kDeals);
}
