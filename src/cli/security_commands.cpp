// Accountability and reliability commands: history (a record's field history), audit verify (the
// hash chain), backup (an online copy), gdpr export | erase (a person's data by e-mail address).
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli_common.hpp"
#include "cli/table_printer.hpp"

namespace hotcrm::cli {
namespace {

struct SecurityOptions {
  std::string database;
  std::string object;
  std::string id;
  std::string file;
  std::string email;
  std::string user = "system";
  std::string format = "json";
  bool overwrite = false;
  double older_than_days = 30;
  std::string now;
};

nlohmann::json entry_json(const HistoryEntry& entry) {
  return {{"sequence", entry.sequence},
          {"at", entry.at.to_string()},
          {"actor", entry.actor},
          {"operation", entry.operation},
          {"object", entry.object},
          {"record_id", entry.record_id},
          {"field", entry.field},
          {"old_value", nlohmann::json::parse(entry.old_value.to_json())},
          {"new_value", nlohmann::json::parse(entry.new_value.to_json())},
          {"erased", entry.erased}};
}

ExitCode run_history(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, false);
  const auto entries = database.history(options.object, options.id);
  if (options.format == "table") {
    TablePrinter table({"seq", "at", "actor", "operation", "field", "old", "new"});
    table.align_right(0);
    for (const auto& entry : entries)
      table.add_row({std::to_string(entry.sequence), entry.at.to_string(), entry.actor, entry.operation, entry.field,
                     entry.erased ? "(erased)" : display_text(entry.old_value),
                     entry.erased ? "(erased)" : display_text(entry.new_value)});
    table.print(std::cout);
    std::cout << row_count_footer(table.row_count()) << '\n';
    return ExitCode::ok;
  }
  for (const auto& entry : entries) std::cout << entry_json(entry).dump() << '\n';
  return ExitCode::ok;
}

ExitCode run_verify(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, false);
  const auto report = database.verify_history();
  std::cout << nlohmann::json{{"ok", report.ok},
                              {"entries", report.entries},
                              {"head", report.head},
                              {"broken_at", report.ok ? nlohmann::json() : nlohmann::json(report.broken_at)},
                              {"problem", report.problem}}
                   .dump()
            << '\n';
  if (report.ok) return ExitCode::ok;
  print_error("the field history is broken at entry " + std::to_string(report.broken_at) + ": " + report.problem);
  return ExitCode::rejected;
}

ExitCode run_backup(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, false);
  BackupOptions backup;
  backup.overwrite = options.overwrite;
  database.backup(options.file, backup);
  return ExitCode::ok;
}

ExitCode run_export(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, true);
  std::cout << database.session({.user = options.user}).export_person(options.email) << '\n';
  return ExitCode::ok;
}

ExitCode run_erase(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, true);
  const auto report = database.session({.user = options.user}).erase_person(options.email);
  nlohmann::json records = nlohmann::json::array();
  for (const auto& [object, id] : report.records) records.push_back({{"object", object}, {"id", id}});
  std::cout << nlohmann::json{{"records", records},
                              {"fields", report.fields},
                              {"history_entries", report.history_entries},
                              {"journal_rows", report.journal_rows}}
                   .dump()
            << '\n';
  return ExitCode::ok;
}

ExitCode run_restore(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, true);
  const auto restored = database.session({.user = options.user}).restore(options.object, options.id);
  std::cout << nlohmann::json{{"restored", restored}}.dump() << '\n';
  return ExitCode::ok;
}

ExitCode run_recycle_bin(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, false);
  for (const auto& record : database.recycle_bin(options.object))
    std::cout << nlohmann::json{{"object", record.object},
                                {"id", record.id},
                                {"deleted_at", record.deleted_at.to_string()},
                                {"deleted_by", record.deleted_by},
                                {"deleted_with_object", record.deleted_with_object},
                                {"deleted_with_id", record.deleted_with_id}}
                     .dump()
              << '\n';
  return ExitCode::ok;
}

ExitCode run_purge(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, true);
  // --now pins the reference time (replays, tests); by default the purge runs as of the clock.
  const DateTime now = options.now.empty() ? system_clock()() : DateTime::parse(options.now);
  const auto retention = std::chrono::microseconds(static_cast<std::int64_t>(options.older_than_days * 86'400'000'000.0));
  std::cout << nlohmann::json{{"purged", database.purge(now, retention)}}.dump() << '\n';
  return ExitCode::ok;
}

ExitCode run_new_key(const SecurityOptions& options) {
  if (options.id.empty() || options.id.size() > 255 || options.id.find_first_of(" \t\n#") != std::string::npos)
    throw CommandLineError("a key id has 1 to 255 characters, without spaces or '#'");
  std::cout << options.id << ' ' << generate_key_hex() << '\n';
  return ExitCode::ok;
}

ExitCode run_rotate(const SecurityOptions& options) {
  Database database = open_existing_database(options.database, true);
  std::cout << nlohmann::json{{"reencrypted", database.reencrypt()}}.dump() << '\n';
  return ExitCode::ok;
}

}  // namespace

void add_security_commands(CLI::App& app, Action& action) {
  auto options = std::make_shared<SecurityOptions>();

  CLI::App* history = app.add_subcommand("history", "Print the field history of a record (JSON lines, oldest first)");
  history->add_option("db", options->database, "database file")->required();
  history->add_option("object", options->object, "object name, e.g. lead")->required();
  history->add_option("id", options->id, "record id (deleted records keep their history)")->required();
  history->add_option("--format", options->format, "output format")->check(CLI::IsMember({"json", "table"}));
  history->callback([options, &action] { action = [options] { return run_history(*options); }; });

  CLI::App* audit = app.add_subcommand("audit", "Check the field history's hash chain");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify", "Recompute the hash chain; prints {ok, entries, head, broken_at, problem}; exit 1 when broken");
  verify->add_option("db", options->database, "database file")->required();
  verify->callback([options, &action] { action = [options] { return run_verify(*options); }; });

  CLI::App* backup = app.add_subcommand("backup", "Copy the database while it is in use (SQLite online backup)");
  backup->add_option("db", options->database, "database file")->required();
  backup->add_option("file", options->file, "the copy to write")->required();
  backup->add_flag("--overwrite", options->overwrite, "replace FILE when it exists");
  backup->callback([options, &action] { action = [options] { return run_backup(*options); }; });

  CLI::App* gdpr = app.add_subcommand("gdpr", "Export or erase what is held about a person, by e-mail address");
  gdpr->require_subcommand(1);
  CLI::App* exporter = gdpr->add_subcommand("export", "Print everything held about the person as one JSON document");
  CLI::App* eraser = gdpr->add_subcommand("erase", "Anonymise the person's personal data, history included");
  for (CLI::App* command : {exporter, eraser}) {
    command->add_option("db", options->database, "database file")->required();
    command->add_option("email", options->email, "the person's e-mail address")->required();
    command->add_option("--user", options->user, "the acting user, recorded in the audit entry");
  }
  exporter->callback([options, &action] { action = [options] { return run_export(*options); }; });

  CLI::App* restore = app.add_subcommand("restore", "Bring a deleted record (and its cascade) back from the recycle bin");
  restore->add_option("db", options->database, "database file")->required();
  restore->add_option("object", options->object, "object name, e.g. account")->required();
  restore->add_option("id", options->id, "record id")->required();
  restore->add_option("--user", options->user, "the acting user, recorded in the history");
  restore->callback([options, &action] { action = [options] { return run_restore(*options); }; });
  CLI::App* bin = app.add_subcommand("recycle-bin", "List deleted records, newest first (JSON lines)");
  bin->add_option("db", options->database, "database file")->required();
  bin->add_option("--object", options->object, "only this object");
  bin->callback([options, &action] { action = [options] { return run_recycle_bin(*options); }; });
  CLI::App* purge = app.add_subcommand("purge", "Remove for good the recycle-bin entries older than the retention");
  purge->add_option("db", options->database, "database file")->required();
  purge->add_option("--older-than", options->older_than_days, "retention in days")->check(CLI::NonNegativeNumber);
  purge->add_option("--now", options->now, "reference time (ISO 8601), default: the clock");
  purge->callback([options, &action] { action = [options] { return run_purge(*options); }; });

  CLI::App* keys = app.add_subcommand("keys", "Keys of encrypted fields (docs/security.md)");
  keys->require_subcommand(1);
  CLI::App* new_key = keys->add_subcommand(
      "new", "Print a new random key line '<id> <64 hex digits>': append it to the key file to make it current");
  new_key->add_option("id", options->id, "the key id, e.g. 2026-q3")->required();
  new_key->callback([options, &action] { action = [options] { return run_new_key(*options); }; });
  CLI::App* rotate = keys->add_subcommand(
      "rotate", "Re-encrypt every value an older key sealed with the current key (--key-file); prints {reencrypted}");
  rotate->add_option("db", options->database, "database file")->required();
  rotate->callback([options, &action] { action = [options] { return run_rotate(*options); }; });
  eraser->callback([options, &action] { action = [options] { return run_erase(*options); }; });
}

}  // namespace hotcrm::cli
