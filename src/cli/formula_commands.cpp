// `hotcrm formula` (check or evaluate one formula against an object) and `hotcrm validate`
// (re-check the stored records of an object against its validation rules).

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_common.hpp"
#include "cli/table_printer.hpp"

namespace hotcrm::cli {
namespace {

struct FormulaOptions {
  std::string database;
  std::string object;
  std::string source;
  std::string record_json;
  std::string prior_json;
  bool blank_as_zero = false;
};

/// Writes every diagnostic as "CODE at L:C: message", the source line and a caret line.
void print_diagnostics(const std::vector<Diagnostic>& diagnostics, std::string_view source) {
  print_error(diagnostics.size() == 1
                  ? std::string("the formula does not compile")
                  : fmt::format("the formula does not compile ({} problems)", diagnostics.size()));
  std::cerr << render_diagnostics(diagnostics, source) << '\n';
}

ExitCode run_formula(const FormulaOptions& options) {
  // The JSON arguments are read before opening: a typo costs nothing.
  std::optional<Record> record;
  if (!options.record_json.empty()) record = parse_record_json(options.record_json);
  std::optional<Record> prior;
  if (!options.prior_json.empty()) {
    if (!record) throw CommandLineError("--prior needs --record (the prior state of which record?)");
    prior = parse_record_json(options.prior_json);
  }
  CompileOptions compile_options;
  compile_options.blank_as_zero = options.blank_as_zero;

  // Evaluation reads lookup paths through the database, but never writes.
  Database database = open_existing_database(options.database, false);
  const CompileResult compiled = database.check_formula(options.object, options.source, compile_options);
  if (!compiled.ok()) {
    print_diagnostics(compiled.diagnostics, options.source);
    return ExitCode::rejected;
  }
  const std::string type(to_string(compiled.formula->result_type()));
  if (!record) {
    std::cout << type << '\n';
    return ExitCode::ok;
  }
  const EvalResult result = database.evaluate(options.object, options.source, *record, prior, compile_options);
  if (!result.ok()) {
    print_error(fmt::format("{}: the formula failed on this record", error_code_name(result.error)));
    return ExitCode::rejected;
  }
  std::cout << "{\"value\": " << result.value.to_json() << ", \"type\": " << nlohmann::json(type).dump() << "}\n";
  return ExitCode::ok;
}

void add_formula_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<FormulaOptions>();
  CLI::App* command = app.add_subcommand(
      "formula",
      "Check a formula against an object (prints its result type) or, with --record, evaluate it "
      "(prints {\"value\": ..., \"type\": ...}); compile problems and runtime faults exit with code 1");
  command->add_option("db", options->database, "database file")->required();
  command->add_option("object", options->object, "object name, e.g. lead")->required();
  command->add_option("expression", options->source,
                      "the formula, e.g. 'IF(annual_revenue > 1000000, \"big\", \"small\")' (see docs/formula.md)")
      ->required();
  command->add_option("--record", options->record_json,
                      "evaluate for this record, a JSON object of field values (missing fields are blank); "
                      "lookup paths such as account_id.name are read from the database");
  command->add_option("--prior", options->prior_json,
                      "the record's prior values for ISCHANGED / PRIORVALUE (default: evaluated as an insert)");
  command->add_flag("--blank-as-zero", options->blank_as_zero, "blank number, currency and percent fields read as 0");
  command->callback([options, &action] { action = [options] { return run_formula(*options); }; });
}

struct ValidateOptions {
  std::string database;
  std::string object;
  std::string format = "table";
};

ExitCode run_validate(const ValidateOptions& options) {
  Database database = open_existing_database(options.database, false);
  const std::vector<FieldError> violations = database.validate_stored(options.object);
  if (options.format == "json") {
    std::cout << '[';
    for (std::size_t i = 0; i < violations.size(); ++i) {
      const FieldError& violation = violations[i];
      const nlohmann::ordered_json item{{"record_id", violation.record_id}, {"rule", violation.rule},
                                {"field", violation.field},         {"code", violation.code},
                                {"message", violation.message}};
      std::cout << (i == 0 ? "\n" : ",\n") << item.dump();
    }
    std::cout << (violations.empty() ? "]\n" : "\n]\n");
  } else {
    const std::int64_t records = database.count(options.object);
    if (!violations.empty()) {
      TablePrinter table({"record_id", "rule", "field", "message"}, 60);
      for (const FieldError& violation : violations) {
        table.add_row({violation.record_id, violation.rule.empty() ? violation.code : violation.rule, violation.field,
                       violation.message});
      }
      table.print(std::cout);
    }
    std::cout << fmt::format("{} record{}, {} violation{}\n", records, records == 1 ? "" : "s", violations.size(),
                             violations.size() == 1 ? "" : "s");
  }
  return violations.empty() ? ExitCode::ok : ExitCode::rejected;
}

void add_validate_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* command = app.add_subcommand(
      "validate",
      "Re-check the stored records of an object against its active validation rules; exits with code 1 when "
      "any record violates one");
  command->add_option("db", options->database, "database file")->required();
  command->add_option("object", options->object, "object name, e.g. lead")->required();
  command->add_option("--format", options->format,
                      "output format: table (with an \"N records, M violations\" footer) or json (an array of "
                      "{record_id, rule, field, code, message})")
      ->check(CLI::IsMember({"table", "json"}));
  command->callback([options, &action] { action = [options] { return run_validate(*options); }; });
}

}  // namespace

void add_formula_commands(CLI::App& app, Action& action) {
  add_formula_command(app, action);
  add_validate_command(app, action);
}

}  // namespace hotcrm::cli
