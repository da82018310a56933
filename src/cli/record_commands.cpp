// Single-record commands: insert, get, update, delete. A record is given and printed as a JSON
// object, so that a value written by `get` can be pasted back into `insert` or `update`.

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/cli_common.hpp"
#include "cli/table_printer.hpp"

namespace hotcrm::cli {
namespace {

constexpr const char* json_argument_help =
    "the record as a JSON object, e.g. '{\"last_name\": \"Lovelace\", \"annual_revenue\": 1250000.50}'; "
    "numbers keep their exact digits; malformed JSON exits with code 2";

struct RecordOptions {
  std::string database;
  std::string object;
  std::string id;
  std::string json;
  std::string format = "json";
  std::optional<std::int64_t> expected_version;
};

ExitCode run_insert(const RecordOptions& options) {
  const Record record = parse_record_json(options.json);  // before opening: a typo costs nothing
  Database database = open_existing_database(options.database, true);
  std::cout << database.insert(options.object, record) << '\n';
  return ExitCode::ok;
}

void print_record_table(const std::vector<std::string>& fields, const Record& record) {
  TablePrinter table({"field", "value"}, 80);
  for (const std::string& field : fields) {
    auto it = record.find(field);
    table.add_row({field, it == record.end() ? std::string() : display_text(it->second)});
  }
  table.print(std::cout);
}

ExitCode run_get(const RecordOptions& options) {
  Database database = open_existing_database(options.database, false);
  const Record record = database.get(options.object, options.id);
  const std::vector<std::string> fields = stored_field_names(database.catalog().at(options.object), true);
  if (options.format == "table") {
    print_record_table(fields, record);
    return ExitCode::ok;
  }
  std::vector<Value> values;
  for (const std::string& field : fields) {
    auto it = record.find(field);
    values.push_back(it == record.end() ? Value() : it->second);
  }
  std::cout << record_to_json(fields, values, 2) << '\n';
  return ExitCode::ok;
}

ExitCode run_update(const RecordOptions& options) {
  const Record changes = parse_record_json(options.json);
  Database database = open_existing_database(options.database, true);
  std::cout << database.update(options.object, options.id, changes, options.expected_version) << '\n';
  return ExitCode::ok;
}

ExitCode run_delete(const RecordOptions& options) {
  Database database = open_existing_database(options.database, true);
  database.remove(options.object, options.id);
  return ExitCode::ok;
}

/// Adds the positionals every record command starts with: DB OBJECT.
CLI::App* add_record_command(CLI::App& app, const char* name, const char* description, RecordOptions& options) {
  CLI::App* command = app.add_subcommand(name, description);
  command->add_option("db", options.database, "database file")->required();
  command->add_option("object", options.object, "object name, e.g. lead")->required();
  return command;
}

void add_insert_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RecordOptions>();
  CLI::App* command = add_record_command(app, "insert", "Insert one record; prints its id", *options);
  command->add_option("json", options->json, json_argument_help)->required();
  command->callback([options, &action] { action = [options] { return run_insert(*options); }; });
}

void add_get_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RecordOptions>();
  CLI::App* command = add_record_command(app, "get", "Print one record (every stored field)", *options);
  command->add_option("id", options->id, "record id")->required();
  command->add_option("--format", options->format, "output format")->check(CLI::IsMember({"json", "table"}));
  command->callback([options, &action] { action = [options] { return run_get(*options); }; });
}

void add_update_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RecordOptions>();
  CLI::App* command =
      add_record_command(app, "update", "Change the given fields of one record; prints its new version", *options);
  command->add_option("id", options->id, "record id")->required();
  command->add_option("json", options->json, json_argument_help)->required();
  command->add_option("--version", options->expected_version,
                      "refuse (exit 1) unless the record is still at this version (optimistic locking)");
  command->callback([options, &action] { action = [options] { return run_update(*options); }; });
}

void add_delete_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RecordOptions>();
  CLI::App* command = add_record_command(
      app, "delete", "Delete one record (children follow their lookup's on_delete rule)", *options);
  command->add_option("id", options->id, "record id")->required();
  command->callback([options, &action] { action = [options] { return run_delete(*options); }; });
}

}  // namespace

void add_record_commands(CLI::App& app, Action& action) {
  add_insert_command(app, action);
  add_get_command(app, action);
  add_update_command(app, action);
  add_delete_command(app, action);
}

}  // namespace hotcrm::cli
