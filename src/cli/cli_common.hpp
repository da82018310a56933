#pragma once
// Shared pieces of the `hotcrm` command-line tool: exit codes, how commands plug into main, and the
// small conversions between command-line text and the library's types. The CLI is a thin shell over
// the public API: everything here only parses, opens and prints.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "hotcrm/hotcrm.hpp"

namespace hotcrm::cli {

/// The process exit codes, documented in docs/cli.md and in `hotcrm --help`.
enum class ExitCode : int {
  ok = 0,
  rejected = 1,  ///< the data was refused: validation, unique/version conflict, import rejections
  usage = 2,     ///< the command line is wrong: options, JSON argument, where-string, unknown names
  runtime = 3,   ///< the work failed: database engine, files, anything unexpected
};

/// A mistake in the command line that the CLI itself finds (the library reports its own as
/// hotcrm::UsageError). Always exit code 2.
class CommandLineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the selected subcommand will do once parsing has succeeded. Subcommand callbacks only
/// store an action, so that parse errors and run errors are told apart cleanly in main.
using Action = std::function<ExitCode()>;

// Each command group adds its subcommands to `app`; the chosen one stores its work in `action`.
void add_schema_commands(CLI::App& app, Action& action);
void add_record_commands(CLI::App& app, Action& action);
void add_transfer_commands(CLI::App& app, Action& action);
void add_query_commands(CLI::App& app, Action& action);
void add_formula_commands(CLI::App& app, Action& action);
void add_demo_command(CLI::App& app, Action& action);
void add_codegen_command(CLI::App& app, Action& action);
void add_model_commands(CLI::App& app, Action& action);
void add_workflow_commands(CLI::App& app, Action& action);
void add_service_commands(CLI::App& app, Action& action);
void add_security_commands(CLI::App& app, Action& action);
void add_access_commands(CLI::App& app, Action& action);
void add_insight_commands(CLI::App& app, Action& action);

/// The exit code for a library error, by its stable code.
ExitCode exit_code_for(ErrorCode code) noexcept;
/// The message of a hotcrm::Error without its "[hotcrm.name.code] " tag (the tag is for programs;
/// the CLI reports the code through its exit status).
std::string untagged_message(const std::exception& error);
/// Writes "hotcrm: error: <message>" to stderr.
void print_error(std::string_view message);
/// Writes one line per field problem to stderr (to_string(FieldError)).
void print_field_errors(std::span<const FieldError> errors);

/// Options given to `hotcrm` itself, before or after the command.
struct GlobalOptions {
  std::string tenant = "default";  ///< --tenant: the tenant the command acts in
  /// --key-file, or the HOTCRM_KEY_FILE environment variable: the keys of encrypted fields
  /// (empty: no keys).
  std::string key_file;
  /// --busy-timeout: milliseconds a write waits for another connection's write lock before the
  /// command fails with store.busy (OpenOptions::busy_timeout_ms).
  std::int32_t busy_timeout_ms = 5000;
};
GlobalOptions& global_options();
/// Gives `options` what the global options say about every database: the key provider read from
/// the key file (none without one) and the busy timeout.
void apply_global_options(OpenOptions& options);

/// Opens an existing database (never creates one: a mistyped path must not leave an empty file
/// behind). Throws CommandLineError when the file does not exist. `now` pins the database clock
/// (replays, scripts that act "as of" a time). A directory is opened as a tenant directory
/// (StoreLayout::tenant_files); the database acts in the global --tenant (its file is created on
/// first use when `writable`).
Database open_existing_database(const std::string& path, bool writable, std::optional<DateTime> now = std::nullopt);

/// Splits "a, b,c" into {"a", "b", "c"}; empty items are dropped.
std::vector<std::string> split_list(std::string_view text);

/// Parses a JSON object into a Record. Numbers keep their exact literal: integers become int64,
/// numbers with a fraction or exponent become Decimal (double only beyond 18 digits); arrays must
/// hold strings. Throws hotcrm::Error(parse) describing the problem.
Record parse_record_json(std::string_view json_text);

/// The fields of `object` in catalog order: system fields first, then the object's stored fields.
std::vector<std::string> stored_field_names(const ObjectDef& object, bool include_system_fields);

/// One record as a JSON object: {"field": value, ...}, values through Value::to_json.
/// `indent` < 0 writes one line; otherwise one member per line indented by `indent` spaces.
std::string record_to_json(std::span<const std::string> fields, std::span<const Value> values, int indent = -1);

/// A Value as a table cell: "" for null, Value::to_display otherwise.
std::string display_text(const Value& value);

}  // namespace hotcrm::cli
