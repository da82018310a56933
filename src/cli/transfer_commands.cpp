// `hotcrm import` and `hotcrm export`: CSV and JSON Lines files in and out, through the library's
// streaming import_file / export_records.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>

#include "cli/cli_common.hpp"
#include "cli/progress_bar.hpp"
#include "cli/query_arguments.hpp"

namespace hotcrm::cli {
namespace {

struct ImportArguments {
  std::string database;
  std::string object;
  std::string file;
  std::string format;  // empty: from the file's extension
  std::string on_error = "abort";
};

TextFormat format_from_extension(const std::filesystem::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".csv" || extension == ".CSV") return TextFormat::csv;
  if (extension == ".jsonl" || extension == ".ndjson" || extension == ".JSONL") return TextFormat::jsonl;
  throw CommandLineError(
      fmt::format("cannot tell the format of '{}' from its extension; pass --format csv or --format jsonl", file.string()));
}

/// "FILE:LINE: object.field: message [code]": the location first, as compilers do, so that editors
/// can jump to the line.
void print_rejection(const std::string& file, const FieldError& problem) {
  FieldError located = problem;
  located.row = -1;  // the line goes in front instead of "row N: "
  if (problem.row >= 0) std::cerr << file << ':' << problem.row << ": " << to_string(located) << '\n';
  else std::cerr << file << ": " << to_string(located) << '\n';
}

/// In file order (the library reports read errors and validation errors as it meets them);
/// problems without a line, such as "too many errors", come last.
void print_rejections(const std::string& file, std::vector<FieldError> problems) {
  auto line_order = [](const FieldError& problem) {
    return problem.row >= 0 ? problem.row : std::numeric_limits<std::int64_t>::max();
  };
  std::stable_sort(problems.begin(), problems.end(),
                   [&](const FieldError& a, const FieldError& b) { return line_order(a) < line_order(b); });
  for (const FieldError& problem : problems) print_rejection(file, problem);
}

/// Distinct file lines with a problem (a row may have several).
std::int64_t count_rejected_rows(const std::vector<FieldError>& problems) {
  std::set<std::int64_t> lines;
  for (const FieldError& problem : problems) {
    if (problem.row >= 0) lines.insert(problem.row);
  }
  return static_cast<std::int64_t>(lines.size());
}

ImportReport import_with_progress(Session& session, const ImportArguments& arguments, TextFormat format) {
  ImportOptions options;
  options.on_error = arguments.on_error == "skip" ? OnError::skip : OnError::abort;
  std::optional<ProgressBar> progress;
  if (ProgressBar::stderr_is_terminal()) {
    progress.emplace("importing " + arguments.object);
    options.on_progress = progress->callback();
  }
  return import_file(session, arguments.object, arguments.file, format, options);
}

ExitCode run_import(const ImportArguments& arguments) {
  const TextFormat format =
      arguments.format.empty() ? format_from_extension(arguments.file) : text_format_from_string(arguments.format);
  Database database = open_existing_database(arguments.database, true);
  database.catalog().at(arguments.object);  // an unknown object is a usage error, not a rejected file
  ImportReport report;
  try {
    report = import_with_progress(database, arguments, format);
  } catch (const ValidationError& error) {
    // Abort mode: the import was rolled back as a whole.
    print_rejections(arguments.file, error.errors());
    print_error(fmt::format("import aborted, nothing imported: {} rows rejected (use --on-error skip to import the "
                            "valid rows)", count_rejected_rows(error.errors())));
    return ExitCode::rejected;
  } catch (const Error& error) {
    // A file the reader cannot make sense of at all (e.g. a broken header) is rejected data too.
    if (error.code() != ErrorCode::parse) throw;
    print_error(untagged_message(error));
    return ExitCode::rejected;
  }
  print_rejections(arguments.file, report.rejected);
  std::cout << fmt::format("imported {} {} records, rejected {} rows\n", report.inserted, arguments.object,
                           report.rejected_rows());
  return report.rejected.empty() ? ExitCode::ok : ExitCode::rejected;
}

void add_import_command(CLI::App& app, Action& action) {
  auto arguments = std::make_shared<ImportArguments>();
  CLI::App* command = app.add_subcommand(
      "import", "Import a CSV (header line = field names) or JSON Lines file in one transaction");
  command->add_option("db", arguments->database, "database file")->required();
  command->add_option("object", arguments->object, "object name, e.g. lead")->required();
  command->add_option("file", arguments->file, "file to import")->required()->check(CLI::ExistingFile);
  command->add_option("--format", arguments->format, "file format (default: from the extension .csv / .jsonl)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  command->add_option("--on-error", arguments->on_error,
                      "abort: import nothing if any row is rejected; skip: import the valid rows")
      ->check(CLI::IsMember({"abort", "skip"}));
  command->callback([arguments, &action] { action = [arguments] { return run_import(*arguments); }; });
}

struct ExportArguments {
  QueryArguments query;
  std::string format = "csv";
};

ExitCode run_export(const ExportArguments& arguments) {
  const Query query = arguments.query.to_query();
  Database database = open_existing_database(arguments.query.database, false);
  Session session = arguments.query.session(database);
  export_records(session, query, std::cout, text_format_from_string(arguments.format));
  return ExitCode::ok;
}

void add_export_command(CLI::App& app, Action& action) {
  auto arguments = std::make_shared<ExportArguments>();
  CLI::App* command = app.add_subcommand("export", "Write records to stdout as CSV or JSON Lines");
  add_query_arguments(*command, arguments->query);
  command->add_option("--format", arguments->format, "output format")->check(CLI::IsMember({"csv", "jsonl"}));
  command->callback([arguments, &action] { action = [arguments] { return run_export(*arguments); }; });
}

}  // namespace

void add_transfer_commands(CLI::App& app, Action& action) {
  add_import_command(app, action);
  add_export_command(app, action);
}

}  // namespace hotcrm::cli
