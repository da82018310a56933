// Service benchmark: SLA deadlines and assignment of the standard catalog, each against a floor
// measured in the same run (issue 7):
//
// - SLA: N support cases (default 1,000,000) arrive in imports of B cases (an e-mail-to-case sync),
//   the clock moving 7 h 41 min between imports so that the starts fall on nights, weekends and
//   holidays. With the standard case_sla, each case starts two clocks (first response by priority,
//   resolution by tier) in business time of the default business hours (Europe/Paris, Mon-Fri
//   09:00-18:00, Saturday mornings, French holidays) and writes both deadlines, and schedules its
//   six thresholds. Floor: the same imports with the SLA taken out of the catalog (the case's
//   state machine, which writes received_date on every new case, runs on both sides);
// - the deadline arithmetic inside: both deadlines of every case on the same calendar, against
//   naive minute stepping on a sample (the obvious way to write it, and the check of the answers);
// - assignment: M new leads (default 100,000) imported with the standard lead assignment, which
//   routes through assignment_rule records to a load-balanced queue, a user and a round-robin
//   queue. Floor: the same import with the owner given, so no assignment runs. The lead's two
//   shipped workflow rules (a task and an e-mail per new lead) are off on both sides: they cost
//   several times the import and bench_workflow measures them.
//
// Field history is off on both sides of both measures (bench_history measures it).
//
//   bench_service [--cases N] [--batch B] [--leads M] [--sample S]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace hotcrm;

constexpr std::int64_t kMinute = 60'000'000;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Options {
  std::int64_t cases = 1'000'000;
  std::int64_t batch = 5'000;
  std::int64_t leads = 100'000;
  std::int64_t sample = 2'000;
};

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const auto value = std::atoll(argv[i + 1]);
    if (flag == "--cases") options.cases = value;
    else if (flag == "--batch") options.batch = std::max<std::int64_t>(1, value);
    else if (flag == "--leads") options.leads = value;
    else if (flag == "--sample") options.sample = value;
  }
  return options;
}

/// The standard catalog without field history; `keep_sla` false also drops support_case's SLA,
/// and the lead's workflow rules are switched off (see the header).
Catalog service_catalog(bool keep_sla) {
  std::vector<ObjectDef> objects = Catalog::standard().objects();
  for (auto& object : objects) {
    object.capabilities["track_history"] = false;
    if (object.name == "support_case" && !keep_sla) object.sla.reset();
    if (object.name == "lead")
      for (auto& rule : object.workflow_rules) rule.active = false;
  }
  return Catalog::from_objects(std::move(objects));
}

struct Db {
  std::shared_ptr<DateTime> now = std::make_shared<DateTime>(DateTime::parse("2026-03-02T08:00:00Z"));
  Database db;

  Db(const std::filesystem::path& path, Catalog catalog) : db(open(path, std::move(catalog), now)) {}

  static Database open(const std::filesystem::path& path, Catalog catalog, const std::shared_ptr<DateTime>& now) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    OpenOptions options;
    options.catalog = std::move(catalog);
    options.clock = [now] { return *now; };
    options.id_seed = 17;
    return Database::open(path, options);
  }

  std::vector<std::string> users(const std::string& prefix, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i)
      ids.push_back(db.insert("user", {{"username", fmt::format("{}{}", prefix, i)},
                                       {"email", fmt::format("{}{}@example.com", prefix, i)},
                                       {"last_name", fmt::format("{} {}", prefix, i)}}));
    return ids;
  }
};

// ---- SLA ----

constexpr const char* kPriorities[] = {"critical", "high", "medium", "low"};
constexpr std::int64_t kResponseMinutes[] = {60, 240, 480, 1440};
constexpr const char* kTiers[] = {"platinum", "gold", "silver", "standard"};
constexpr std::int64_t kResolutionMinutes[] = {240, 720, 1440, 2880};
constexpr int kAccounts = 200;

/// The business hours every case is measured in, with the holidays of its calendar; returns its id.
std::string paris_business_hours(Database& db) {
  auto calendar = db.insert("holiday_calendar", {{"name", "France 2026"}, {"country", "fr"}, {"year", std::int64_t{2026}}});
  for (const char* date : {"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
                           "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"})
    db.insert("holiday", {{"calendar_id", calendar}, {"name", fmt::format("Holiday {}", date)},
                          {"holiday_date", Date::parse(date)}, {"holiday_type", "national"}});
  return db.insert("business_hours", {{"name", "Paris support"}, {"is_default", true}, {"time_zone", "europe_paris"},
                                      {"saturday_enabled", true}, {"holiday_calendar_id", calendar}});
}

/// When import `k` runs: every 7 h 41 min from Monday 2026-03-02 08:00 UTC.
DateTime import_time(std::int64_t k) { return DateTime{DateTime::parse("2026-03-02T08:00:00Z").micros + k * 461 * kMinute}; }

/// Case i's priority and its account's tier (cases of account a: i % kAccounts == a).
std::size_t priority_of(std::int64_t i) { return static_cast<std::size_t>(i * 7 % 4); }
std::size_t tier_of_account(std::int64_t a) { return static_cast<std::size_t>(a % 4); }

struct SlaRun {
  double seconds = 0;
  std::string business_hours;
};

/// Imports the cases in batches; checks the deadlines of a sample when the SLA is on.
SlaRun import_cases(const std::filesystem::path& path, const Options& options, bool sla) {
  Db env(path, service_catalog(sla));
  auto& db = env.db;
  SlaRun run;
  run.business_hours = paris_business_hours(db);
  const auto agent = env.users("agent", 1).front();
  std::vector<std::string> accounts;
  for (int a = 0; a < kAccounts; ++a)
    accounts.push_back(db.insert("account", {{"name", fmt::format("Customer {}", a)}, {"sla_tier", kTiers[tier_of_account(a)]}}));
  ImportOptions import_options;
  import_options.on_error = OnError::abort;
  const auto start = Clock::now();
  for (std::int64_t first = 0, k = 0; first < options.cases; first += options.batch, ++k) {
    *env.now = import_time(k);
    RecordBatch batch({"subject", "description", "origin", "priority", "account_id", "owner_id"});
    for (std::int64_t i = first; i < std::min(options.cases, first + options.batch); ++i)
      batch.add_row({Value(fmt::format("Case {}", i)), Value("The printer jams on every page"), Value("email"),
                     Value(kPriorities[priority_of(i)]), Value(accounts[static_cast<std::size_t>(i % kAccounts)]), Value(agent)});
    if (db.import_records("support_case", batch, import_options).inserted != static_cast<std::int64_t>(batch.row_count()))
      throw std::runtime_error("not every case was imported");
  }
  run.seconds = seconds_since(start);
  if (!sla) return run;
  // Every case has both deadlines, and a sample of them is what the calendar says.
  const auto due = db.count("support_case", parse_where("response_due_date IS NOT NULL AND resolution_due_date IS NOT NULL"));
  if (due != options.cases) throw std::runtime_error(fmt::format("{} of {} cases have both deadlines", due, options.cases));
  const auto calendar = db.business_calendar(run.business_hours);
  auto cases = db.query(Query{.object = "support_case", .limit = std::min<std::int64_t>(options.sample, options.cases),
                              .fields = {"id", "subject", "response_due_date", "resolution_due_date"}});
  for (std::size_t r = 0; r < cases.size(); ++r) {
    const auto i = std::atoll(cases.rows.at(r, 1).as_string().c_str() + 5);  // "Case <i>"
    const DateTime started = import_time(i / options.batch);
    const auto response = calendar.add_business_minutes(started, kResponseMinutes[priority_of(i)]);
    const auto resolution = calendar.add_business_minutes(started, kResolutionMinutes[tier_of_account(i % kAccounts)]);
    if (cases.rows.at(r, 2).as_datetime() != response || cases.rows.at(r, 3).as_datetime() != resolution)
      throw std::runtime_error(fmt::format("case {}: deadlines {} / {}, expected {} / {}", i, cases.rows.at(r, 2).to_display(),
                                           cases.rows.at(r, 3).to_display(), response.to_string(), resolution.to_string()));
  }
  const auto thresholds = db.timers("support_case", cases.rows.at(0, 0).as_string()).size();
  if (thresholds != 6) throw std::runtime_error(fmt::format("a new case has {} SLA timers, not 6", thresholds));
  fmt::print("  deadlines checked on {} cases, 6 threshold timers each\n", cases.size());
  return run;
}

/// The naive way: step minute by minute, asking is_open each time.
DateTime minute_stepping(const BusinessCalendar& calendar, DateTime start, std::int64_t minutes) {
  DateTime at = start;
  while (!calendar.is_open(at)) at.micros += kMinute;
  for (std::int64_t left = minutes; left > 0; at.micros += kMinute)
    if (calendar.is_open(at)) --left;
  return at;
}

void deadline_arithmetic(const std::filesystem::path& path, const Options& options) {
  Db env(path, service_catalog(true));
  const auto calendar = env.db.business_calendar(paris_business_hours(env.db));
  std::vector<DateTime> response(static_cast<std::size_t>(options.cases)), resolution(response.size());
  auto clock = Clock::now();
  for (std::int64_t i = 0; i < options.cases; ++i) {
    const DateTime started = import_time(i / options.batch);
    response[static_cast<std::size_t>(i)] = calendar.add_business_minutes(started, kResponseMinutes[priority_of(i)]);
    resolution[static_cast<std::size_t>(i)] = calendar.add_business_minutes(started, kResolutionMinutes[tier_of_account(i % kAccounts)]);
  }
  const double ours = seconds_since(clock);
  // The sample is spread over the imports, so it sees every kind of start.
  const std::int64_t sample = std::min(options.sample, options.cases);
  std::size_t mismatches = 0;
  clock = Clock::now();
  for (std::int64_t s = 0; s < sample; ++s) {
    const std::int64_t i = s * options.cases / sample;
    const DateTime started = import_time(i / options.batch);
    mismatches += minute_stepping(calendar, started, kResponseMinutes[priority_of(i)]) != response[static_cast<std::size_t>(i)];
    mismatches += minute_stepping(calendar, started, kResolutionMinutes[tier_of_account(i % kAccounts)]) !=
                  resolution[static_cast<std::size_t>(i)];
  }
  const double naive = seconds_since(clock);
  const double ours_per = ours * 1e9 / double(options.cases), naive_per = naive * 1e9 / double(sample);
  fmt::print("deadline arithmetic of the same {} cases (2 deadlines each, same calendar)\n", options.cases);
  fmt::print("  add_business_minutes:   {:8.1f} ms  {:9.0f} ns/case\n", ours * 1e3, ours_per);
  fmt::print("  naive minute stepping:  {:8.1f} ms  {:9.0f} ns/case on {} cases ({} disagreements)\n", naive * 1e3, naive_per,
             sample, mismatches);
  fmt::print("  speed-up over minute stepping: {:.0f}x\n", naive_per / ours_per);
  if (mismatches != 0) throw std::runtime_error("the deadline arithmetic disagrees with minute stepping");
}

// ---- Assignment ----

struct SalesTeam {
  std::vector<std::string> inside, enterprise;  ///< members of the round-robin and load-balanced queues
  std::string technology;                       ///< the user technology leads go to
  std::string inside_queue;
};

std::string queue_with(Database& db, const std::string& name, const std::string& routing, const std::vector<std::string>& users) {
  auto queue = db.insert("queue", {{"name", name}, {"queue_type", "general"}, {"routing_method", routing}});
  for (std::size_t m = 0; m < users.size(); ++m)
    db.insert("queue_member", {{"queue_id", queue}, {"user_id", users[m]}, {"max_cases", std::int64_t{1'000'000}},
                               {"assignment_priority", static_cast<std::int64_t>(m + 1)}});
  return queue;
}

/// Three rule records, tried by sort order: big revenue to the load-balanced enterprise queue (about
/// 5 % of the leads), technology to one user (about a quarter), every other new lead round-robin
/// over six inside-sales reps; plus an inactive rule and a case rule, which must be ignored.
SalesTeam sales_team(Db& env) {
  auto& db = env.db;
  SalesTeam team;
  team.inside = env.users("inside", 6);
  team.enterprise = env.users("enterprise", 3);
  team.technology = env.users("tech", 1).front();
  team.inside_queue = queue_with(db, "Inside sales", "round_robin", team.inside);
  const auto enterprise_queue = queue_with(db, "Enterprise", "load_balanced", team.enterprise);
  auto rule = [&](const char* name, std::int64_t order, const char* field, const char* op, const char* value, const char* key,
                  const std::string& target, bool active = true, const char* object = "lead") {
    db.insert("assignment_rule", {{"name", name}, {"object_name", object}, {"sort_order", order}, {"criteria_field", field},
                                  {"criteria_operator", op}, {"criteria_value", value}, {key, target}, {"active", active}});
  };
  rule("Enterprise", 1, "annual_revenue", "greater_than", "8500000", "assign_to_queue_id", enterprise_queue);
  rule("Retired", 2, "industry", "equals", "retail", "assign_to_user_id", team.technology, false);
  rule("Technology", 3, "industry", "equals", "technology", "assign_to_user_id", team.technology);
  rule("Cases", 3, "priority", "equals", "high", "assign_to_user_id", team.technology, true, "support_case");
  rule("Inside sales", 4, "status", "equals", "new", "assign_to_queue_id", team.inside_queue);
  return team;
}

RecordBatch new_leads(std::int64_t rows, const std::vector<std::string>* owners) {
  static const char* industries[] = {"technology", "finance", "retail", "energy"};
  std::vector<std::string> fields{"last_name", "company", "email", "industry", "annual_revenue"};
  if (owners) fields.push_back("owner_id");
  RecordBatch batch(fields);
  for (std::int64_t i = 0; i < rows; ++i) {
    std::vector<Value> row{Value(fmt::format("Lead{}", i)), Value(fmt::format("Company {}", i % 5'000)),
                           Value(fmt::format("lead{}@example.com", i)), Value(industries[i % 4]),
                           Value(Decimal::from_int((i * 7919) % 9'000'000))};
    if (owners) row.emplace_back((*owners)[static_cast<std::size_t>(i) % owners->size()]);
    batch.add_row(std::move(row));
  }
  return batch;
}

/// Imports the leads (with the owner given when `owner_given`); checks where they went.
double import_leads(const std::filesystem::path& path, std::int64_t rows, bool owner_given) {
  Db env(path, service_catalog(true));
  auto& db = env.db;
  const SalesTeam team = sales_team(env);
  std::vector<std::string> everyone = team.inside;
  everyone.insert(everyone.end(), team.enterprise.begin(), team.enterprise.end());
  everyone.push_back(team.technology);
  const RecordBatch batch = new_leads(rows, owner_given ? &everyone : nullptr);
  const auto start = Clock::now();
  const auto report = db.import_records("lead", batch);
  const double seconds = seconds_since(start);
  if (report.inserted != rows) throw std::runtime_error("not every lead was imported");
  if (owner_given) return seconds;
  // Round-robin and load balancing share their leads out evenly, and nothing is left unassigned.
  auto spread = [&](const std::vector<std::string>& users) {
    std::int64_t low = rows, high = 0, total = 0;
    for (const auto& user : users) {
      const auto n = db.count("lead", Filter::compare("owner_id", CompareOp::eq, user));
      low = std::min(low, n);
      high = std::max(high, n);
      total += n;
    }
    if (high - low > 1) throw std::runtime_error(fmt::format("uneven assignment: {} to {} leads per member", low, high));
    return total;
  };
  const auto assigned = spread(team.inside) + spread(team.enterprise) +
                        db.count("lead", Filter::compare("owner_id", CompareOp::eq, team.technology));
  if (assigned != rows) throw std::runtime_error(fmt::format("{} of {} leads assigned", assigned, rows));
  // The rotation was persisted: it started at the first member, so the next lead goes to member
  // (leads the queue routed) mod 6.
  const auto routed = spread(team.inside);
  const auto next = db.insert("lead", {{"last_name", "Next"}, {"company", "Next"}, {"email", "next@example.com"}, {"industry", "finance"}});
  if (db.get("lead", next).at("owner_id").as_string() != team.inside[static_cast<std::size_t>(routed) % team.inside.size()])
    throw std::runtime_error("the round-robin rotation did not continue after the import");
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_args(argc, argv);
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("hotcrm_bench_service_{}", ::getpid());
  std::filesystem::create_directories(dir);
  try {
    const auto imports = (options.cases + options.batch - 1) / options.batch;
    fmt::print("SLA: {} support cases in {} imports of {}, case_sla on vs the catalog without it\n", options.cases, imports,
               options.batch);
    const auto with_sla = import_cases(dir / "sla.db", options, true);
    const auto without = import_cases(dir / "no_sla.db", options, false);
    const double cases = static_cast<double>(options.cases);
    fmt::print("  without SLA (floor): {:.2f} s ({:.0f} cases/s)\n", without.seconds, cases / without.seconds);
    fmt::print("  with case_sla:       {:.2f} s ({:.0f} cases/s)\n", with_sla.seconds, cases / with_sla.seconds);
    fmt::print("  cost of the SLA: {:.2f}x the floor's time, {:.1f} us per case\n", with_sla.seconds / without.seconds,
               (with_sla.seconds - without.seconds) * 1e6 / cases);
    deadline_arithmetic(dir / "calendar.db", options);

    fmt::print("assignment: {} new leads, standard lead assignment (rule records, round-robin and load-balanced "
               "queues) vs the owner given\n", options.leads);
    const double given = import_leads(dir / "given.db", options.leads, true);
    const double assigned = import_leads(dir / "assigned.db", options.leads, false);
    const double leads = static_cast<double>(options.leads);
    fmt::print("  owner given (floor): {:.2f} s ({:.0f} leads/s)\n", given, leads / given);
    fmt::print("  assigned:            {:.2f} s ({:.0f} leads/s)\n", assigned, leads / assigned);
    fmt::print("  cost of assignment: {:.2f}x the floor's time, {:.1f} us per lead\n", assigned / given,
               (assigned - given) * 1e6 / leads);
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench_service: {}\n", error.what());
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);
  return 0;
}
