// `hotcrm init` (create or migrate a database) and `hotcrm schema` (describe its objects).

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_common.hpp"
#include "cli/table_printer.hpp"

namespace hotcrm::cli {
namespace {

struct InitOptions {
  std::string database;
  std::string catalog_path;
  std::vector<std::string> packages;
  bool extend_standard = false;
  bool allow_destructive = false;
  bool tenant_files = false;
};

/// The standard catalog (or the chosen packages) plus the objects and extensions under `path`.
Catalog standard_extended_by(const std::vector<std::string>& packages, const std::string& path) {
  std::vector<CatalogIssue> issues;
  CatalogDefinitions added = Catalog::read(path, issues);
  if (!issues.empty()) {
    std::string message = "invalid catalog:";
    for (const CatalogIssue& issue : issues) message += "\n  " + issue.source + " " + issue.path + ": " + issue.message;
    throw SchemaError(ErrorCode::schema, message);
  }
  const Catalog standard = packages.empty() ? Catalog::standard() : Catalog::standard(packages);
  return standard.extended(std::move(added));
}

ExitCode run_init(const InitOptions& options) {
  OpenOptions open_options;
  if (options.extend_standard) {
    if (options.catalog_path.empty()) throw UsageError(ErrorCode::usage, "--extend-standard needs --catalog PATH");
    open_options.catalog = standard_extended_by(options.packages, options.catalog_path);
  } else if (!options.catalog_path.empty()) {
    if (!options.packages.empty())
      throw UsageError(ErrorCode::usage, "--packages selects standard objects: with --catalog, add --extend-standard");
    open_options.catalog = Catalog::load(options.catalog_path);
  } else if (!options.packages.empty()) {
    open_options.catalog = Catalog::standard(options.packages);
  }
  open_options.allow_destructive = options.allow_destructive;
  open_options.tenant = global_options().tenant;
  if (options.tenant_files || std::filesystem::is_directory(options.database))
    open_options.layout = StoreLayout::tenant_files;
  apply_global_options(open_options);
  Database database = Database::open(options.database, open_options);
  const MigrationReport& migration = database.migration();
  for (const std::string& step : migration.steps) std::cout << step << '\n';
  if (!migration.changed()) std::cout << "the database is up to date\n";
  return ExitCode::ok;
}

void add_init_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* command = app.add_subcommand("init", "Create a database, or migrate it to a catalog; prints the steps");
  command->add_option("db", options->database, "database file (created when missing)")->required();
  command->add_option("--catalog", options->catalog_path,
                      "catalog JSON file or folder: the complete set of objects (default: the stored catalog, "
                      "or the standard one for a new file)")
      ->check(CLI::ExistingPath);
  command
      ->add_option("--packages", options->packages,
                   "standard packages to install, comma-separated, with their dependencies: platform, crm, "
                   "marketing, products, finance, support, hr (default: all)")
      ->delimiter(',');
  command->add_flag("--extend-standard", options->extend_standard,
                    "add the --catalog objects and extensions to the standard catalog (or the --packages "
                    "selection) instead of replacing it");
  command->add_flag("--allow-destructive", options->allow_destructive,
                    "accept migrations that drop or retype fields or objects (their data is lost)");
  command->add_flag("--tenant-files", options->tenant_files,
                    "make `db` a tenant directory: one database file per tenant (DIR/<tenant>.db), sharing "
                    "DIR/catalog.json; an existing directory is always one. Migrating it migrates every "
                    "tenant file");
  command->callback([options, &action] { action = [options] { return run_init(*options); }; });
}

/// `hotcrm tenants DB`: the tenants holding data (a tenant directory's files, or a file's tenant ids).
void add_tenants_command(CLI::App& app, Action& action) {
  auto database = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("tenants", "List the tenants of a database file or tenant directory");
  command->add_option("db", *database, "database file or tenant directory")->required();
  command->callback([database, &action] {
    action = [database] {
      for (const std::string& tenant : open_existing_database(*database, false).tenants()) std::cout << tenant << '\n';
      return ExitCode::ok;
    };
  });
}

struct SchemaOptions {
  std::string database;
  std::string object;
  std::string format = "table";
};

void print_object_list(const Catalog& catalog) {
  TablePrinter table({"name", "label", "package", "fields"});
  table.align_right(3);
  for (const ObjectDef& object : catalog.objects()) {
    table.add_row({object.name, object.label, object.package, std::to_string(object.fields.size())});
  }
  table.print(std::cout);
  std::cout << row_count_footer(table.row_count()) << '\n';
}

std::string join_options(const FieldDef& field) {
  std::string list;
  for (const PicklistOption& option : field.options) list += (list.empty() ? "" : "|") + option.value;
  return list;
}

std::string format_bound(double bound) { return fmt::format("{}", bound); }

/// The type-specific attributes of a field, in a compact "key=value" form.
std::string field_details(const FieldDef& field) {
  std::vector<std::string> details;
  if (field.max_length) details.push_back(fmt::format("max_length={}", *field.max_length));
  if (field.min) details.push_back("min=" + format_bound(*field.min));
  if (field.max) details.push_back("max=" + format_bound(*field.max));
  if (field.is_decimal() || (field.type == FieldType::number && field.scale > 0)) {
    details.push_back(fmt::format("scale={}", field.scale));
  }
  if (!field.options.empty()) details.push_back("options=" + join_options(field));
  if (field.is_reference()) {
    details.push_back(fmt::format("-> {} (on_delete {})", field.reference, to_string(field.on_delete)));
  }
  if (!field.format.empty()) details.push_back("format=" + field.format);
  if (!field.expression.empty()) details.push_back("= " + field.expression);
  if (field.default_value) {
    const DefaultValue& value = *field.default_value;
    const char* token = value.kind == DefaultValue::Kind::now             ? "$now"
                        : value.kind == DefaultValue::Kind::today         ? "$today"
                        : value.kind == DefaultValue::Kind::current_user  ? "$current_user"
                                                                           : nullptr;
    if (value.kind == DefaultValue::Kind::formula) details.push_back("default=" + value.formula);
    else details.push_back("default=" + (token ? std::string(token) : value.literal.to_json()));
  }
  if (field.rollup) {
    const Rollup& rollup = *field.rollup;
    std::string summary = fmt::format("rollup={}({}{}) via {}", rollup.function, rollup.object,
                                      rollup.field.empty() ? "" : "." + rollup.field, rollup.via);
    if (!rollup.filter.empty()) summary += " where " + rollup.filter;
    details.push_back(std::move(summary));
  }
  if (field.read_only) details.emplace_back("read_only");
  if (!field.package.empty()) details.push_back("added by " + field.package);
  std::string text;
  for (const std::string& detail : details) text += (text.empty() ? "" : ", ") + detail;
  return text;
}

void print_object_fields(const ObjectDef& object) {
  // Details such as picklist options are the point of this view: allow them more room.
  TablePrinter table({"name", "type", "required", "unique", "details"}, 100);
  for (const FieldDef& field : object.fields) {
    table.add_row({field.name, std::string(to_string(field.type)), field.required ? "yes" : "",
                   field.unique ? "yes" : "", field_details(field)});
  }
  table.print(std::cout);
  std::cout << row_count_footer(table.row_count()) << '\n';
}

ExitCode run_schema(const SchemaOptions& options) {
  Database database = open_existing_database(options.database, false);
  const Catalog& catalog = database.catalog();
  if (options.format == "json") {
    std::cout << (options.object.empty() ? catalog.to_json(2) : catalog.object_to_json(options.object, 2)) << '\n';
  } else if (options.object.empty()) {
    print_object_list(catalog);
  } else {
    print_object_fields(catalog.at(options.object));
  }
  return ExitCode::ok;
}

void add_schema_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<SchemaOptions>();
  CLI::App* command = app.add_subcommand("schema", "List the objects, or the fields of one object");
  command->add_option("db", options->database, "database file")->required();
  command->add_option("object", options->object, "object to describe (default: list every object)");
  command->add_option("--format", options->format, "output format")->check(CLI::IsMember({"table", "json"}));
  command->callback([options, &action] { action = [options] { return run_schema(*options); }; });
}

}  // namespace

void add_schema_commands(CLI::App& app, Action& action) {
  add_init_command(app, action);
  add_schema_command(app, action);
  add_tenants_command(app, action);
}

}  // namespace hotcrm::cli
