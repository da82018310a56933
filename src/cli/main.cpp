// hotcrm: the command-line tool over libhotcrm. main() parses the command line with CLI11, runs the
// chosen command, and turns every failure into a message on stderr and a documented exit code.

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/cli_common.hpp"

namespace {

using hotcrm::cli::Action;
using hotcrm::cli::ExitCode;

constexpr const char* exit_code_help = R"(Exit codes:
  0  success
  1  data rejected: validation failed, unique value or record version conflict, a referenced
     record restricts a delete, no record with that id, an import rejected rows, a formula does
     not compile or fails on the record, or `validate` found violations
  2  usage: unknown command or option, bad argument, malformed JSON record argument or
     where-string, unknown object or field name, invalid catalog
  3  runtime: the database engine or a file failed, or an unexpected error
Data goes to stdout; messages and errors go to stderr.
See docs/cli.md for examples.)";

std::string format_parse_failure(const CLI::App*, const CLI::Error& error) {
  return std::string("hotcrm: error: ") + error.what() + "\nRun 'hotcrm --help' for usage.\n";
}

void configure_app(CLI::App& app, Action& action) {
  app.description("hotcrm: create, inspect, load and query libhotcrm databases.");
  app.footer(exit_code_help);
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();  // show defaults in --help
  app.set_version_flag("--version", std::string(hotcrm::version()));
  app.failure_message(format_parse_failure);
  app.add_option("--key-file", hotcrm::cli::global_options().key_file,
                 "keys of encrypted fields: one '<id> <64 hex digits>' per line, the last one current "
                 "(hotcrm keys new ID prints one)")
      ->envname("HOTCRM_KEY_FILE");
  app.fallthrough();  // global options may follow the command too
  app.add_option("--tenant", hotcrm::cli::global_options().tenant,
                 "the tenant to act in; with a tenant directory (a folder made by `hotcrm init DIR "
                 "--tenant-files`), the tenant's own file");
  app.add_option("--busy-timeout", hotcrm::cli::global_options().busy_timeout_ms,
                 "milliseconds a write waits while another thread or process holds the database's write "
                 "lock, before failing with store.busy (exit code 3; the command wrote nothing)")
      ->check(CLI::NonNegativeNumber);
  hotcrm::cli::add_schema_commands(app, action);
  hotcrm::cli::add_record_commands(app, action);
  hotcrm::cli::add_transfer_commands(app, action);
  hotcrm::cli::add_query_commands(app, action);
  hotcrm::cli::add_formula_commands(app, action);
  hotcrm::cli::add_model_commands(app, action);
  hotcrm::cli::add_demo_command(app, action);
  hotcrm::cli::add_codegen_command(app, action);
  hotcrm::cli::add_workflow_commands(app, action);
  hotcrm::cli::add_service_commands(app, action);
  hotcrm::cli::add_security_commands(app, action);
  hotcrm::cli::add_access_commands(app, action);
  hotcrm::cli::add_insight_commands(app, action);
}

ExitCode report_validation(const hotcrm::ValidationError& error) {
  hotcrm::cli::print_error(error.errors().size() == 1 ? "the record was rejected"
                                                      : "the record was rejected (" +
                                                            std::to_string(error.errors().size()) + " problems)");
  hotcrm::cli::print_field_errors(error.errors());
  return ExitCode::rejected;
}

ExitCode report_conflict(const hotcrm::ConflictError& error) {
  // With field errors the message only repeats the first of them.
  hotcrm::cli::print_error(error.errors().empty() ? hotcrm::cli::untagged_message(error)
                                                  : "the record conflicts with a stored one");
  hotcrm::cli::print_field_errors(error.errors());
  return ExitCode::rejected;
}

/// Runs the chosen command; every exception becomes a message and an exit code here, so commands
/// just throw.
ExitCode run(const Action& action) {
  try {
    return action();
  } catch (const hotcrm::ValidationError& error) {
    return report_validation(error);
  } catch (const hotcrm::ConflictError& error) {
    return report_conflict(error);
  } catch (const hotcrm::Error& error) {
    hotcrm::cli::print_error(hotcrm::cli::untagged_message(error));
    return hotcrm::cli::exit_code_for(error.code());
  } catch (const hotcrm::cli::CommandLineError& error) {
    hotcrm::cli::print_error(error.what());
    return ExitCode::usage;
  } catch (const std::exception& error) {
    hotcrm::cli::print_error(error.what());
    return ExitCode::runtime;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app;
  Action action;
  configure_app(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" with exit code 0; everything else is a usage error.
    const int code = app.exit(error);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }
  if (!action) return static_cast<int>(ExitCode::usage);
  const ExitCode code = run(action);
  std::cout.flush();
  return static_cast<int>(code);
}
