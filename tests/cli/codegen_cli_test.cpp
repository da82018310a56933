// `hotcrm codegen`: typed headers from a user catalog file, the standard catalog, and the errors.

#include <doctest/doctest.h>

#include "cli/cli_support.hpp"

namespace {

using hotcrm::test::CliResult;
using hotcrm::test::TempDir;
using hotcrm::test::contains;
using hotcrm::test::read_file;
using hotcrm::test::run_cli;
using hotcrm::test::write_file;

const std::string kSmallCatalog = HOTCRM_SOURCE_DIR "/tests/codegen/fixtures/small_catalog.json";

}  // namespace

TEST_CASE("codegen writes a user catalog's structs to stdout or a file" * doctest::test_suite("cli")) {
  const CliResult printed = run_cli({"codegen", kSmallCatalog, "--namespace", "acme::inventory"});
  REQUIRE_MESSAGE(printed.exit_code == 0, printed.err);
  CHECK(printed.err.empty());
  CHECK(contains(printed.out, "namespace acme::inventory {"));
  CHECK(contains(printed.out, "struct Gadget {"));
  CHECK(contains(printed.out, "enum class Class { new_, _24x7, new_2, closed_won };"));

  TempDir dir;
  const auto header = dir.file("inventory.hpp");
  const CliResult written = run_cli({"codegen", kSmallCatalog, "--namespace", "acme::inventory", "-o", header.string()});
  REQUIRE_MESSAGE(written.exit_code == 0, written.err);
  CHECK(written.out.empty());
  CHECK(read_file(header) == printed.out);
}

TEST_CASE("codegen of the standard catalog, whole or by package" * doctest::test_suite("cli")) {
  const CliResult crm = run_cli({"codegen", "standard", "--packages", "crm", "--namespace", "app::crm"});
  REQUIRE_MESSAGE(crm.exit_code == 0, crm.err);
  CHECK(contains(crm.out, "struct Lead {"));
  CHECK_FALSE(contains(crm.out, "struct SupportCase {"));
  const CliResult all = run_cli({"codegen", "standard"});
  REQUIRE_MESSAGE(all.exit_code == 0, all.err);
  CHECK(contains(all.out, "namespace hotcrm::objects {"));
  CHECK(contains(all.out, "struct SupportCase {"));
}

TEST_CASE("codegen refuses a malformed catalog with a clear error" * doctest::test_suite("cli")) {
  TempDir dir;
  const auto bad_type = dir.file("bad_type.json");
  write_file(bad_type, R"({"objects": [{"name": "gizmo", "fields": [{"name": "size", "type": "nmuber"}]}]})");
  CliResult result = run_cli({"codegen", bad_type.string()});
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(contains(result.err, "hotcrm: error: invalid catalog"));
  CHECK(contains(result.err, "nmuber"));

  const auto broken_json = dir.file("broken.json");
  write_file(broken_json, R"({"objects": [{"name": "gizmo", )");
  result = run_cli({"codegen", broken_json.string(), "-o", dir.file("out.hpp").string()});
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "broken.json"));
  CHECK_FALSE(std::filesystem::exists(dir.file("out.hpp")));  // nothing is written on error
}

TEST_CASE("codegen usage errors" * doctest::test_suite("cli")) {
  CliResult result = run_cli({"codegen", "/no/such/catalog.json"});
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "no catalog at '/no/such/catalog.json'"));
  result = run_cli({"codegen", kSmallCatalog, "--namespace", "acme::class"});
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "the namespace 'acme::class' has the C++ keyword 'class'"));
  result = run_cli({"codegen", "standard", "--packages", "sales"});
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "no object of the catalog is in package 'sales'"));
  result = run_cli({"codegen"});
  CHECK(result.exit_code == 2);
}
