// The generator's text: a golden header for a small user catalog, determinism, the standard
// catalog's headers in the build tree, and the errors of bad options.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "hotcrm/hotcrm.hpp"

using namespace hotcrm;

namespace {

const std::filesystem::path kSourceDir = HOTCRM_SOURCE_DIR;
const std::filesystem::path kGolden = kSourceDir / "tests/codegen/expected/small_catalog.hpp";

std::string read_text(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  REQUIRE_MESSAGE(input, "cannot read " << path);
  return {std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>()};
}

std::string small_catalog_header() {
  const Catalog catalog = Catalog::load(kSourceDir / "tests/codegen/fixtures/small_catalog.json");
  return generate_header(catalog, {.namespace_name = "inventory", .source = "small_catalog.json"});
}

std::string usage_error(const CodegenOptions& options, const Catalog& catalog = Catalog::standard()) {
  try {
    (void)generate_header(catalog, options);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("the header for a small user catalog matches its golden file" * doctest::test_suite("codegen")) {
  const std::string header = small_catalog_header();
  // HOTCRM_UPDATE_GOLDEN=1 rewrites the golden file after a deliberate change of the output.
  if (std::getenv("HOTCRM_UPDATE_GOLDEN")) std::ofstream(kGolden, std::ios::binary) << header;
  CHECK_MESSAGE(header == read_text(kGolden),
                "the generated text differs from " << kGolden << " (HOTCRM_UPDATE_GOLDEN=1 rewrites it)");
}

TEST_CASE("the same catalog gives byte-identical output" * doctest::test_suite("codegen")) {
  CHECK(small_catalog_header() == small_catalog_header());
  const CodegenOptions options{.namespace_name = "x::y"};
  CHECK(generate_header(Catalog::standard(), options) == generate_header(Catalog::standard(), options));
}

TEST_CASE("the build's standard headers are the generator's output, one per package" * doctest::test_suite("codegen")) {
  for (const PackageInfo& package : standard_packages()) {
    CAPTURE(package.name);
    const std::string expected = generate_header(Catalog::standard(),
                                                 {.namespace_name = "hotcrm::" + package.name,
                                                  .packages = {package.name},
                                                  .source = "the standard catalog, package " + package.name});
    CHECK(read_text(std::filesystem::path(HOTCRM_BINARY_DIR) / "include/hotcrm/catalog" / (package.name + ".hpp")) ==
          expected);
  }
}

TEST_CASE("a package selects only its objects" * doctest::test_suite("codegen")) {
  const std::string crm = generate_header(Catalog::standard(), {.namespace_name = "n", .packages = {"crm"}});
  CHECK(crm.find("struct Lead {") != std::string::npos);
  CHECK(crm.find("struct SupportCase {") == std::string::npos);
  CHECK(crm.find("namespace n {") != std::string::npos);
  // The fields other packages add to crm's objects are in crm's structs, saying where they come from.
  CHECK(crm.find("std::optional<std::string> campaign_id;  ///< Campaign (lookup -> campaign id, added by package "
                 "marketing)") != std::string::npos);
  CHECK(crm.find("::hotcrm::ReadOnly<std::int64_t> quote_count;  ///< Quote Count (number, read-only: roll-up, added "
                 "by package products)") != std::string::npos);
}

TEST_CASE("bad options are usage errors that say what is wrong" * doctest::test_suite("codegen")) {
  CHECK(usage_error({.namespace_name = ""}).find("namespace '' is empty") != std::string::npos);
  CHECK(usage_error({.namespace_name = "acme::"}).find("empty component") != std::string::npos);
  CHECK(usage_error({.namespace_name = "acme::class"}).find("C++ keyword 'class'") != std::string::npos);
  CHECK(usage_error({.namespace_name = "acme-crm"}).find("character '-'") != std::string::npos);
  CHECK(usage_error({.namespace_name = "std"}).find("must not be inside std") != std::string::npos);
  CHECK(usage_error({.namespace_name = "__x"}).find("reserved") != std::string::npos);
  CHECK(usage_error({.namespace_name = "n", .packages = {"sales"}})
            .find("no object of the catalog is in package 'sales' (packages: crm, finance, hr, marketing, platform, "
                  "products, support)") != std::string::npos);
  CHECK(usage_error({.namespace_name = "n"}, Catalog()).find("the catalog has no objects") != std::string::npos);
}
