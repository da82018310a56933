// `hotcrm codegen`: typed C++ structs for a catalog (docs/codegen.md), through generate_header.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_common.hpp"

namespace hotcrm::cli {
namespace {

struct CodegenCommandOptions {
  std::string catalog;  ///< a catalog file or folder, or the word "standard"
  std::string output;   ///< empty: stdout
  std::string namespace_name = "hotcrm::objects";
  std::vector<std::string> packages;
};

Catalog load_catalog(const std::string& catalog) {
  if (catalog == "standard") return Catalog::standard();
  if (!std::filesystem::exists(catalog))
    throw CommandLineError(fmt::format("no catalog at '{}' (a .json file, a folder of them, or 'standard')", catalog));
  return Catalog::load(catalog);
}

void write_output(const std::string& path, const std::string& text) {
  std::ofstream output(path, std::ios::binary | std::ios::trunc);
  output << text;
  if (!output.flush()) throw Error(ErrorCode::io, fmt::format("cannot write '{}'", path));
}

ExitCode run_codegen(const CodegenCommandOptions& options) {
  const Catalog catalog = load_catalog(options.catalog);
  const std::string source = options.catalog == "standard" ? "the standard catalog" : options.catalog;
  const std::string header = generate_header(
      catalog, {.namespace_name = options.namespace_name, .packages = options.packages, .source = source});
  if (options.output.empty()) std::cout << header;
  else write_output(options.output, header);
  return ExitCode::ok;
}

}  // namespace

void add_codegen_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<CodegenCommandOptions>();
  CLI::App* command =
      app.add_subcommand("codegen", "Generate a C++ header with one typed struct per object of a catalog");
  command->add_option("catalog", options->catalog, "catalog JSON file or folder, or 'standard'")->required();
  command->add_option("-o,--output", options->output, "header file to write (default: stdout)");
  command->add_option("--namespace", options->namespace_name, "C++ namespace of the generated code");
  command->add_option("--packages", options->packages, "only the objects of these packages, comma-separated")
      ->delimiter(',');
  command->callback([options, &action] { action = [options] { return run_codegen(*options); }; });
}

}  // namespace hotcrm::cli
