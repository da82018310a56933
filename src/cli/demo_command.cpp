// `hotcrm demo`: builds a database of generated sample data, runs a few typical queries and
// aggregates on it and shows what they returned and how long they took, then runs the seed's
// end-to-end flows on the data with a simulated clock (demo_flows.cpp) and reports what happened.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/cli_common.hpp"
#include "cli/demo_flows.hpp"
#include "cli/result_output.hpp"
#include "hotcrm/sample.hpp"
#include "sample/sample_random.hpp"

namespace hotcrm::cli {
namespace {

struct DemoArguments {
  std::string database = "hotcrm-demo.db";
  std::int64_t scale = 1;
  std::uint64_t seed = 42;
  std::string now = "2026-01-15T09:00:00Z";
  std::int64_t days = 14;
};

using SteadyClock = std::chrono::steady_clock;  // for timings; hotcrm::Clock is the data clock

double seconds_since(SteadyClock::time_point started) {
  return std::chrono::duration<double>(SteadyClock::now() - started).count();
}

std::string rate(std::int64_t rows, double seconds) {
  return seconds > 0 ? fmt::format("{:.0f} rows/s", static_cast<double>(rows) / seconds) : "- rows/s";
}

bool is_hotcrm_database(const std::filesystem::path& path) {
  OpenOptions options;
  options.read_only = true;
  options.create = false;
  try {
    Database::open(path, options);
    return true;
  } catch (const Error&) {
    return false;  // not SQLite, or SQLite without a hotcrm catalog: somebody else's file
  }
}

/// Removes an earlier demo database (with SQLite's side files); refuses to touch anything else.
void remove_previous_demo(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return;
  if (!std::filesystem::is_regular_file(path) || !is_hotcrm_database(path)) {
    throw CommandLineError(fmt::format("'{}' exists and is not a hotcrm database; refusing to replace it "
                                       "(choose another path with --db)", path.string()));
  }
  for (const char* side_file : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path.string() + side_file);
  }
}

void print_loaded(const sample::LoadedObject& step) {
  const double seconds = std::chrono::duration<double>(step.elapsed).count();
  const std::string rejected = step.rejected > 0 ? fmt::format("  ({} rejected)", step.rejected) : "";
  std::cout << fmt::format("  {:<26} {:>8} records  {:8.3f} s  {:>14}{}\n", step.object, step.rows, seconds,
                           rate(step.rows, seconds), rejected);
}

/// Reorders aggregate rows by the picklist's option order (the order of a sales process), not
/// alphabetically.
QueryResult in_option_order(const QueryResult& result, const FieldDef& picklist) {
  QueryResult ordered;
  ordered.fields = result.fields;
  ordered.rows = RecordBatch(result.fields);
  auto rank = [&](const Value& value) {
    for (std::size_t i = 0; i < picklist.options.size(); ++i) {
      if (!value.is_null() && picklist.options[i].value == value.as_string()) return i;
    }
    return picklist.options.size();
  };
  std::vector<std::size_t> rows(result.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  std::stable_sort(rows.begin(), rows.end(),
                   [&](std::size_t a, std::size_t b) { return rank(result.rows.at(a, 0)) < rank(result.rows.at(b, 0)); });
  for (std::size_t row : rows) {
    std::span<const Value> values = result.rows.row(row);
    ordered.rows.add_row(std::vector<Value>(values.begin(), values.end()));
  }
  return ordered;
}

/// The `limit` rows with the largest value in `column` (nulls last).
QueryResult top_rows(const QueryResult& result, std::size_t column, std::size_t limit) {
  std::vector<std::size_t> rows(result.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  auto larger = [&](std::size_t a, std::size_t b) {
    const Value& left = result.rows.at(a, column);
    const Value& right = result.rows.at(b, column);
    if (left.is_null() || right.is_null()) return !left.is_null() && right.is_null();
    return left.as_double() > right.as_double();
  };
  std::stable_sort(rows.begin(), rows.end(), larger);
  QueryResult top;
  top.fields = result.fields;
  top.rows = RecordBatch(result.fields);
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    std::span<const Value> values = result.rows.row(rows[i]);
    top.rows.add_row(std::vector<Value>(values.begin(), values.end()));
  }
  return top;
}

void print_section(std::string_view title, const QueryResult& result, double seconds) {
  std::cout << '\n' << title << fmt::format("  [{:.1f} ms]\n", seconds * 1000);
  print_result(result, ResultFormat::table, std::cout);
}

void show_pipeline(Session& session) {
  const auto started = SteadyClock::now();
  AggregateQuery query{"opportunity", Filter::all(), {"stage"},
                       {{AggregateFn::count, "", "count"}, {AggregateFn::sum, "amount", "sum_amount"}}};
  const QueryResult result = session.aggregate(query);
  const FieldDef& stage = *session.catalog().at("opportunity").find_field("stage");
  print_section("Pipeline by stage (aggregate opportunity --group-by stage --agg count,sum:amount)",
                in_option_order(result, stage), seconds_since(started));
}

void show_leads_by_status(Session& session) {
  const auto started = SteadyClock::now();
  AggregateQuery query{"lead", Filter::all(), {"status"}, {{AggregateFn::count, "", "count"}}};
  const QueryResult result = session.aggregate(query);
  const FieldDef& status = *session.catalog().at("lead").find_field("status");
  print_section("Leads by status (aggregate lead --group-by status)", in_option_order(result, status),
                seconds_since(started));
}

void show_top_accounts(Session& session) {
  const auto started = SteadyClock::now();
  AggregateQuery query{"opportunity", parse_where("stage = 'closed_won'"), {"account_id.name"},
                       {{AggregateFn::sum, "amount", "won_amount"}, {AggregateFn::count, "", "deals"}}};
  const QueryResult result = top_rows(session.aggregate(query), 1, 5);
  print_section("Top 5 accounts by won revenue (opportunity grouped by account_id.name)", result,
                seconds_since(started));
}

void show_hot_leads(Session& session) {
  const auto started = SteadyClock::now();
  Query query;
  query.object = "lead";
  query.filter = parse_where("status IN ('new', 'contacted') AND rating = 'hot' AND annual_revenue >= 10000000");
  query.order_by = parse_order_by("-annual_revenue,last_name");
  query.limit = 5;
  query.fields = {"last_name", "company", "status", "annual_revenue", "industry"};
  const QueryResult result = session.query(query);
  const std::int64_t total = session.count("lead", query.filter);
  print_section(fmt::format("Hot open leads with revenue >= 10M: {} in all, the 5 largest", total), result,
                seconds_since(started));
}

ExitCode run_demo(const DemoArguments& arguments) {
  const DateTime now = DateTime::parse(arguments.now);
  remove_previous_demo(arguments.database);

  std::cout << fmt::format("hotcrm demo: {} (scale {}, seed {}, now {})\n", arguments.database, arguments.scale,
                           arguments.seed, now.to_string());
  OpenOptions options;
  options.catalog = Catalog::standard();
  auto clock = std::make_shared<DateTime>(now);  // fixed while loading; the flows move it
  options.clock = [clock] { return *clock; };
  options.id_seed = sample::derive_seed(arguments.seed, "id") | 1;  // 0 would mean "random"
  apply_global_options(options);
  Database database = Database::open(arguments.database, options);
  std::cout << fmt::format("created {} objects ({} schema steps)\n\nLoading sample data:\n",
                           database.catalog().objects().size(), database.migration().steps.size());

  sample::SampleDataOptions sample_options;
  sample_options.scale = arguments.scale;
  sample_options.seed = arguments.seed;
  sample_options.today = now.date();
  const auto started = SteadyClock::now();
  const auto loaded = sample::load_sample_data(database, sample_options, print_loaded);
  std::int64_t total = 0;
  for (const auto& step : loaded) total += step.rows;
  const double seconds = seconds_since(started);
  std::cout << fmt::format("  {:<26} {:>8} records  {:8.3f} s  {:>14}\n", "total", total, seconds, rate(total, seconds));

  show_pipeline(database);
  show_leads_by_status(database);
  show_top_accounts(database);
  show_hot_leads(database);
  if (arguments.days > 0) {
    const auto flows_started = SteadyClock::now();
    run_seed_flows(database, clock, {.scale = arguments.scale, .days = arguments.days}, std::cout);
    std::cout << fmt::format("  [{:.1f} s]\n", seconds_since(flows_started));
  }
  std::cout << fmt::format("\nTry: hotcrm query {} opportunity --where \"account_id.industry = 'finance'\" "
                           "--order-by -amount --limit 10 --fields name,stage,amount,account_id.name\n",
                           arguments.database);
  return ExitCode::ok;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& action) {
  auto arguments = std::make_shared<DemoArguments>();
  CLI::App* command = app.add_subcommand(
      "demo", "Create a database of generated sample data, run example queries and aggregates on it, then the "
              "seed's flows (leads, quotes, orders, invoices, cases, hiring) on a simulated clock");
  command->add_option("--db", arguments->database,
                      "database file to create (an existing file is replaced only if it is a hotcrm database)");
  command->add_option("--scale", arguments->scale,
                      "size: 100 accounts, 250 contacts, 500 leads, 200 opportunities, 150 cases, 50 employees, ... per unit "
      "(reference data such as price books and queues stays fixed)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000}));
  command->add_option("--seed", arguments->seed, "random seed: the same seed gives the same records");
  command->add_option("--now", arguments->now, "the current time used for timestamps and dates (ISO 8601); the flows "
                                              "start there");
  command->add_option("--days", arguments->days, "how many simulated days the seed's flows run (0: skip them)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{366}));
  command->callback([arguments, &action] { action = [arguments] { return run_demo(*arguments); }; });
}

}  // namespace hotcrm::cli
