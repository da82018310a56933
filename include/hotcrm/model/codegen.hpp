#pragma once
// Typed C++ access: generates a header with one struct per catalog object (std::optional members,
// an enum class per picklist, to_record / from_record), so that a misspelt field or picklist option
// is a compile error. The build runs it for the standard catalog (<hotcrm/catalog/PACKAGE.hpp>);
// `hotcrm codegen` runs it for a user's catalog. See docs/codegen.md.

#include <string>
#include <vector>

#include "hotcrm/model/catalog.hpp"

namespace hotcrm {
inline namespace v0 {

struct CodegenOptions {
  /// C++ namespace of the generated code, nested with "::" (e.g. "acme::crm").
  std::string namespace_name = "hotcrm::objects";
  /// Only the objects of these packages (ObjectDef::package); empty: every object of the catalog.
  std::vector<std::string> packages;
  /// Where the catalog came from, quoted in the header's first line ("the standard catalog", a path).
  std::string source = "a catalog";
};

/// The text of a self-contained header for the selected objects of `catalog`. Deterministic: the
/// same catalog and options give the same bytes. Throws UsageError for a namespace that is not a
/// C++ qualified name, a package no object of the catalog belongs to, or an empty selection.
std::string generate_header(const Catalog& catalog, const CodegenOptions& options);

}  // namespace v0
}  // namespace hotcrm
