// `hotcrm query`, `hotcrm count` and `hotcrm aggregate`: reading records back as a table, JSON or
// CSV.

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/cli_common.hpp"
#include "cli/query_arguments.hpp"
#include "cli/result_output.hpp"

namespace hotcrm::cli {
namespace {

struct QueryCommandArguments {
  QueryArguments query;
  std::string format = "table";
};

ExitCode run_query(const QueryCommandArguments& arguments) {
  Query query = arguments.query.to_query();
  Database database = open_existing_database(arguments.query.database, false);
  Session session = arguments.query.session(database);
  if (arguments.format == "csv") {
    export_records(session, query, std::cout, TextFormat::csv);
    return ExitCode::ok;
  }
  if (arguments.format == "table" && query.fields.empty()) {
    // The audit columns (created_by, tenant_id, ...) crowd a terminal; ask for them with --fields.
    query.fields = stored_field_names(database.catalog().at(query.object), false);
    const auto hidden = session.access(query.object).hidden_fields;
    std::erase_if(query.fields, [&](const std::string& name) {
      return std::find(hidden.begin(), hidden.end(), name) != hidden.end();
    });
  }
  print_result(session.query(query), arguments.format == "json" ? ResultFormat::json : ResultFormat::table,
               std::cout);
  return ExitCode::ok;
}

void add_query_command(CLI::App& app, Action& action) {
  auto arguments = std::make_shared<QueryCommandArguments>();
  CLI::App* command = app.add_subcommand("query", "Print the records that match a filter");
  add_query_arguments(*command, arguments->query);
  command->add_option("--format", arguments->format,
                      "output format (table leaves out the system fields other than id unless --fields names them)")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  command->callback([arguments, &action] { action = [arguments] { return run_query(*arguments); }; });
}

struct CountArguments {
  std::string database;
  std::string object;
  std::string where;
};

ExitCode run_count(const CountArguments& arguments) {
  const Filter filter = arguments.where.empty() ? Filter::all() : parse_filter(arguments.where);
  Database database = open_existing_database(arguments.database, false);
  std::cout << database.count(arguments.object, filter) << '\n';
  return ExitCode::ok;
}

void add_count_command(CLI::App& app, Action& action) {
  auto arguments = std::make_shared<CountArguments>();
  CLI::App* command = app.add_subcommand("count", "Print how many records match a filter");
  command->add_option("db", arguments->database, "database file")->required();
  command->add_option("object", arguments->object, "object name, e.g. lead")->required();
  command->add_option("--where", arguments->where, "filter, as for query");
  command->callback([arguments, &action] { action = [arguments] { return run_count(*arguments); }; });
}

struct AggregateArguments {
  std::string database;
  std::string object;
  std::string where;
  std::string group_by;
  std::string aggregates = "count";
  std::string format = "table";
};

AggregateFn aggregate_function(std::string_view name) {
  for (AggregateFn fn : {AggregateFn::count, AggregateFn::sum, AggregateFn::avg, AggregateFn::min, AggregateFn::max}) {
    if (to_string(fn) == name) return fn;
  }
  throw CommandLineError(fmt::format("unknown aggregate '{}' (expected count, sum, avg, min or max)", name));
}

/// "count,sum:amount" -> {count}, {sum of amount}.
std::vector<Aggregate> parse_aggregates(std::string_view text) {
  std::vector<Aggregate> aggregates;
  for (const std::string& item : split_list(text)) {
    const auto colon = item.find(':');
    Aggregate aggregate;
    aggregate.fn = aggregate_function(item.substr(0, colon));
    if (colon != std::string::npos) aggregate.field = item.substr(colon + 1);
    if (aggregate.field.empty() && aggregate.fn != AggregateFn::count) {
      throw CommandLineError(fmt::format("aggregate '{}' needs a field, e.g. {}:amount", item, item));
    }
    aggregates.push_back(std::move(aggregate));
  }
  if (aggregates.empty()) throw CommandLineError("--agg names no aggregate");
  return aggregates;
}

ExitCode run_aggregate(const AggregateArguments& arguments) {
  AggregateQuery query;
  query.object = arguments.object;
  if (!arguments.where.empty()) query.filter = parse_filter(arguments.where);
  query.group_by = split_list(arguments.group_by);
  query.aggregates = parse_aggregates(arguments.aggregates);
  Database database = open_existing_database(arguments.database, false);
  const QueryResult result = database.aggregate(query);
  print_result(result, arguments.format == "json" ? ResultFormat::json : ResultFormat::table, std::cout);
  return ExitCode::ok;
}

void add_aggregate_command(CLI::App& app, Action& action) {
  auto arguments = std::make_shared<AggregateArguments>();
  CLI::App* command = app.add_subcommand("aggregate", "Print grouped counts, sums, averages, minima or maxima");
  command->add_option("db", arguments->database, "database file")->required();
  command->add_option("object", arguments->object, "object name, e.g. opportunity")->required();
  command->add_option("--where", arguments->where, "filter applied before grouping, as for query");
  command->add_option("--group-by", arguments->group_by, "comma-separated fields or lookup paths to group by");
  command->add_option("--agg", arguments->aggregates, "comma-separated aggregates: count, sum:F, avg:F, min:F, max:F");
  command->add_option("--format", arguments->format, "output format")->check(CLI::IsMember({"table", "json"}));
  command->callback([arguments, &action] { action = [arguments] { return run_aggregate(*arguments); }; });
}

}  // namespace

void add_query_commands(CLI::App& app, Action& action) {
  add_query_command(app, action);
  add_count_command(app, action);
  add_aggregate_command(app, action);
}

}  // namespace hotcrm::cli
