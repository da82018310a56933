// Workflow benchmark, each figure against its floor measured in the same run:
//
// - bulk import of N leads into an object with 10 active workflow rules against the same import
//   with the rules present but off (run_workflows = false): the price of the workflow step. The
//   rules mirror a real sales setup: most test a condition few records meet (a big revenue, a hot
//   rating, a given industry), two fire on a slice of the rows (an e-mail to the outbox, a field
//   update that re-enters the rules);
// - run_due over M due time-trigger actions against a raw SQLite loop doing the same minimum work
//   (read the due row, delete it, update the record, append a log row), one transaction per item;
// - bulk import of S standard leads with the seed's lead auto-scoring rule (the "score" action
//   with the default lead_score model, and the data completeness update) active, against the same
//   import with the standard catalog's rules as shipped (the rule inactive): what turning the rule
//   on costs an import.
//
//   bench_workflow [--rows N] [--due M] [--score-rows S]
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace hotcrm;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Options {
  std::int64_t rows = 1'000'000;
  std::int64_t due = 100'000;
  std::int64_t score_rows = 100'000;
};

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") options.rows = std::atoll(argv[i + 1]);
    else if (flag == "--due") options.due = std::atoll(argv[i + 1]);
    else if (flag == "--score-rows") options.score_rows = std::atoll(argv[i + 1]);
  }
  return options;
}

const char* kCatalog = R"json([{"name": "prospect", "fields": [
  {"name": "last_name", "type": "text", "required": true},
  {"name": "company", "type": "text"},
  {"name": "email", "type": "email"},
  {"name": "industry", "type": "select", "options": ["technology", "finance", "retail", "energy"]},
  {"name": "rating", "type": "select", "options": ["hot", "warm", "cold"]},
  {"name": "annual_revenue", "type": "currency", "scale": 2},
  {"name": "employees", "type": "number"},
  {"name": "segment", "type": "text"},
  {"name": "follow_up", "type": "datetime"},
  {"name": "touched", "type": "boolean", "default": false}],
 "workflow_rules": [
  {"name": "whale", "trigger": "on_create", "condition": "annual_revenue > 900000000",
   "actions": [{"type": "email", "template": "whale", "to": ["sales@example.com"], "subject": "{!company}"}]},
  {"name": "hot", "trigger": "on_create_or_update", "evaluation": "newly_meets", "condition": "ISPICKVAL(rating, 'hot')",
   "actions": [{"type": "email", "template": "hot", "to": ["{!email}"], "subject": "Hello {!last_name}"}]},
  {"name": "energy", "trigger": "on_create", "condition": "ISPICKVAL(industry, 'energy')",
   "actions": [{"type": "field_update", "field": "segment", "value": "utilities"}]},
  {"name": "big_team", "trigger": "on_create", "condition": "employees > 99990", "actions": [
   {"type": "webhook", "url": "https://hooks.example.com/{!id}", "body": {"company": "{!company}"}}]},
  {"name": "no_email", "trigger": "on_create", "condition": "AND(ISBLANK(email), annual_revenue > 990000000)",
   "actions": [{"type": "field_update", "field": "touched", "value": true}]},
  {"name": "fintech", "trigger": "on_create", "condition": "AND(ISPICKVAL(industry, 'finance'), employees > 99000)",
   "actions": [{"type": "email", "template": "fin", "to": ["fin@example.com"]}]},
  {"name": "retail_giant", "trigger": "on_create", "condition": "AND(ISPICKVAL(industry, 'retail'), annual_revenue > 999000000)",
   "actions": [{"type": "email", "template": "retail", "to": ["retail@example.com"]}]},
  {"name": "named", "trigger": "on_create", "condition": "BEGINS(company, 'Zz')",
   "actions": [{"type": "email", "template": "named", "to": ["x@example.com"]}]},
  {"name": "segment_echo", "trigger": "on_update", "condition": "ISCHANGED(segment)",
   "actions": [{"type": "field_update", "field": "touched", "value": true}]},
  {"name": "follow_up", "trigger": "on_create", "condition": "NOT(ISBLANK(follow_up))",
   "time_triggers": [{"after": "1 day", "actions": [{"type": "field_update", "field": "touched", "value": true}]}]}
 ]}])json";

RecordBatch make_rows(std::int64_t first, std::int64_t count) {
  static const char* industries[] = {"technology", "finance", "retail", "energy"};
  static const char* ratings[] = {"hot", "warm", "cold"};
  RecordBatch batch({"last_name", "company", "email", "industry", "rating", "annual_revenue", "employees"});
  std::uint64_t state = 88172645463325252ull + static_cast<std::uint64_t>(first);
  auto next = [&] {  // xorshift: the same rows in both runs
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (std::int64_t i = first; i < first + count; ++i) {
    const auto r = next();
    const bool rare = r % 1000 == 0;  // about 0.1 % of the rows meet the industry or rating rules
    batch.add_row({Value(fmt::format("Lead{}", i)), Value(fmt::format("Company {}", r % 50'000)),
                   Value(fmt::format("lead{}@example.com", i)), Value(industries[rare ? 3 : r % 3]),
                   Value(ratings[rare ? 0 : 1 + r % 2]), Value(Decimal::from_int(static_cast<std::int64_t>(r % 900'000'000))),
                   Value(static_cast<std::int64_t>(r % 90'000))});
  }
  return batch;
}

double import_leads(const std::filesystem::path& path, std::int64_t rows, bool workflows) {
  std::filesystem::remove(path);
  OpenOptions open;
  open.catalog = Catalog::from_json(kCatalog);
  open.clock = fixed_clock(DateTime::parse("2026-03-02T09:00:00Z"));
  open.id_seed = 5;
  Database db = Database::open(path, open);
  ImportOptions options;
  options.run_workflows = workflows;
  const auto start = Clock::now();
  auto import = db.begin_import("prospect", rows, options);
  constexpr std::int64_t chunk = 50'000;
  for (std::int64_t first = 0; first < rows; first += chunk) import.add(make_rows(first, std::min(chunk, rows - first)));
  auto report = import.finish();
  const double seconds = seconds_since(start);
  if (report.inserted != rows) throw std::runtime_error("not every row was imported");
  if (workflows) fmt::print("  outbox messages: {}\n", db.outbox("", 100'000'000).size());
  return seconds;
}

double run_due_engine(const std::filesystem::path& path, std::int64_t due) {
  std::filesystem::remove(path);
  OpenOptions open;
  open.catalog = Catalog::from_json(kCatalog);
  open.clock = fixed_clock(DateTime::parse("2026-03-02T09:00:00Z"));
  open.id_seed = 6;
  Database db = Database::open(path, open);
  RecordBatch batch({"last_name", "follow_up"});
  for (std::int64_t i = 0; i < due; ++i) batch.add_row({Value(fmt::format("L{}", i)), Value(DateTime::parse("2026-03-05T00:00:00Z"))});
  db.import_records("prospect", batch);
  if (static_cast<std::int64_t>(db.timers().size()) != due) throw std::runtime_error("timers were not scheduled");
  const auto start = Clock::now();
  auto report = db.run_due(DateTime::parse("2026-03-04T00:00:00Z"));
  const double seconds = seconds_since(start);
  if (report.timers_run != due) throw std::runtime_error("not every timer ran");
  return seconds;
}

/// The standard catalog with lead_auto_scoring switched on (or as shipped).
Catalog standard_catalog(bool auto_scoring) {
  std::vector<ObjectDef> objects = Catalog::standard().objects();
  for (auto& object : objects)
    if (object.name == "lead")
      for (auto& rule : object.workflow_rules)
        if (rule.name == "lead_auto_scoring") rule.active = auto_scoring;
  return Catalog::from_objects(std::move(objects));
}

/// Imports `rows` standard leads (workflows on); returns the seconds and checks the scores.
double import_standard_leads(const std::filesystem::path& path, std::int64_t rows, bool auto_scoring) {
  std::filesystem::remove(path);
  OpenOptions open;
  open.catalog = standard_catalog(auto_scoring);
  open.clock = fixed_clock(DateTime::parse("2026-03-02T09:00:00Z"));
  open.id_seed = 7;
  Database db = Database::open(path, open);
  static const char* industries[] = {"technology", "finance", "retail", "energy"};
  static const char* ratings[] = {"warm", "cold", "hot"};
  const auto start = Clock::now();
  auto import = db.begin_import("lead", rows, {});
  constexpr std::int64_t chunk = 50'000;
  for (std::int64_t first = 0; first < rows; first += chunk) {
    RecordBatch batch({"last_name", "company", "email", "industry", "rating", "annual_revenue", "number_of_employees", "title"});
    for (std::int64_t i = first; i < std::min(rows, first + chunk); ++i)
      batch.add_row({Value(fmt::format("Lead{}", i)), Value(fmt::format("Company {}", i % 5'000)),
                     Value(fmt::format("lead{}@example.com", i)), Value(industries[i % 4]), Value(ratings[i % 3]),
                     Value(Decimal::from_int((i * 7919) % 9'000'000)), Value(std::int64_t{(i * 31) % 900}),
                     i % 2 ? Value("CTO") : Value()});
    import.add(batch);
  }
  auto report = import.finish();
  const double seconds = seconds_since(start);
  if (report.inserted != rows) throw std::runtime_error("not every lead was imported");
  const auto scored = db.count("lead", parse_where("lead_score > 0"));
  if (auto_scoring != (scored == rows)) throw std::runtime_error(fmt::format("{} of {} leads scored", scored, rows));
  return seconds;
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) throw std::runtime_error(error ? error : "sqlite");
}

/// The floor: per item, one transaction that reads the oldest due row, deletes it, updates the
/// record and appends a log row, with prepared statements.
double run_due_floor(const std::filesystem::path& path, std::int64_t due) {
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.string().c_str(), &db);
  exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
           "CREATE TABLE t (id TEXT PRIMARY KEY, touched INTEGER, version INTEGER, updated_at INTEGER) STRICT;"
           "CREATE TABLE q (id INTEGER PRIMARY KEY, record_id TEXT, due_at INTEGER) STRICT;"
           "CREATE INDEX q_due ON q (due_at, id);"
           "CREATE TABLE log (id INTEGER PRIMARY KEY, record_id TEXT, detail TEXT) STRICT; BEGIN;");
  sqlite3_stmt* insert_t = nullptr;
  sqlite3_stmt* insert_q = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, 0, 1, 0)", -1, &insert_t, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO q (record_id, due_at) VALUES (?, 1)", -1, &insert_q, nullptr);
  for (std::int64_t i = 0; i < due; ++i) {
    auto id = fmt::format("r{:012}", i);
    sqlite3_bind_text(insert_t, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(insert_t);
    sqlite3_reset(insert_t);
    sqlite3_bind_text(insert_q, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(insert_q);
    sqlite3_reset(insert_q);
  }
  exec(db, "COMMIT");
  sqlite3_stmt *next = nullptr, *remove = nullptr, *update = nullptr, *log = nullptr;
  sqlite3_prepare_v2(db, "SELECT id, record_id FROM q WHERE due_at <= 2 ORDER BY due_at, id LIMIT 1", -1, &next, nullptr);
  sqlite3_prepare_v2(db, "DELETE FROM q WHERE id = ?", -1, &remove, nullptr);
  sqlite3_prepare_v2(db, "UPDATE t SET touched = 1, version = version + 1, updated_at = 2 WHERE id = ?", -1, &update, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO log (record_id, detail) VALUES (?, '{\"field\":\"touched\"}')", -1, &log, nullptr);
  const auto start = Clock::now();
  for (;;) {
    exec(db, "BEGIN IMMEDIATE");
    if (sqlite3_step(next) != SQLITE_ROW) {
      sqlite3_reset(next);
      exec(db, "COMMIT");
      break;
    }
    const auto queue_id = sqlite3_column_int64(next, 0);
    std::string record(reinterpret_cast<const char*>(sqlite3_column_text(next, 1)));
    sqlite3_reset(next);
    sqlite3_bind_int64(remove, 1, queue_id);
    sqlite3_step(remove);
    sqlite3_reset(remove);
    for (auto* statement : {update, log}) {
      sqlite3_bind_text(statement, 1, record.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(statement);
      sqlite3_reset(statement);
    }
    exec(db, "COMMIT");
  }
  const double seconds = seconds_since(start);
  for (auto* statement : {insert_t, insert_q, next, remove, update, log}) sqlite3_finalize(statement);
  sqlite3_close(db);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_args(argc, argv);
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("hotcrm_bench_workflow_{}", ::getpid());
  std::filesystem::create_directories(dir);
  try {
    fmt::print("bulk import of {} leads, 10 workflow rules\n", options.rows);
    const double off = import_leads(dir / "off.db", options.rows, false);
    const double on = import_leads(dir / "on.db", options.rows, true);
    fmt::print("  rules off (floor): {:.2f} s ({:.0f} rows/s)\n", off, static_cast<double>(options.rows) / off);
    fmt::print("  rules on:          {:.2f} s ({:.0f} rows/s)\n", on, static_cast<double>(options.rows) / on);
    fmt::print("  cost of the rules: {:.2f}x (target <= 2x)\n", on / off);

    fmt::print("run_due over {} due time-trigger actions\n", options.due);
    const double floor = run_due_floor(dir / "floor.db", options.due);
    const double engine = run_due_engine(dir / "due.db", options.due);
    fmt::print("  raw SQLite loop (floor): {:.2f} s ({:.0f} actions/s)\n", floor, static_cast<double>(options.due) / floor);
    fmt::print("  run_due:                 {:.2f} s ({:.0f} actions/s)\n", engine, static_cast<double>(options.due) / engine);
    fmt::print("  ratio: {:.2f}x the floor's time\n", engine / floor);

    fmt::print("bulk import of {} standard leads, lead_auto_scoring (score action) on vs as shipped\n", options.score_rows);
    const double shipped = import_standard_leads(dir / "shipped.db", options.score_rows, false);
    const double scoring = import_standard_leads(dir / "scoring.db", options.score_rows, true);
    fmt::print("  as shipped (floor): {:.2f} s ({:.0f} rows/s)\n", shipped, static_cast<double>(options.score_rows) / shipped);
    fmt::print("  auto-scoring on:    {:.2f} s ({:.0f} rows/s)\n", scoring, static_cast<double>(options.score_rows) / scoring);
    fmt::print("  cost of auto-scoring: {:.2f}x\n", scoring / shipped);
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench_workflow: {}\n", error.what());
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);
  return 0;
}
