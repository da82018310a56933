#pragma once
#include <optional>
#include <string>
#include <vector>

#include "hotcrm/formula/formula.hpp"
#include "hotcrm/model/catalog.hpp"

namespace hotcrm::detail {

/// Every problem of the catalog's workflow rules, scheduled rules and state machines (formulas
/// compiled against the built catalog, names resolved, states reachable).
std::vector<CatalogIssue> check_automation(const Catalog& catalog);

/// Compiles a template merge field ({!expression}). A bare picklist reads as its value, as
/// TEXT(picklist) would: "{!stage}" is what a template author writes.
CompileResult compile_merge_field(const Catalog& catalog, std::string_view object, const std::string& source);

/// The problems of an action list run on `object`'s records ("where" prefixes each message).
std::vector<CatalogIssue> check_action_list(const Catalog& catalog, const ObjectDef& object,
                                            const std::vector<WorkflowAction>& actions, const std::string& where);

/// Every problem of the catalog's approval processes, assignment rules and SLAs (model/process_check.cpp).
std::vector<CatalogIssue> check_processes(const Catalog& catalog);

/// An issue located at `where` in `object` ("object 'lead' workflow rule 'x'"), as both checkers report them.
CatalogIssue object_issue(const ObjectDef& object, const std::string& where, std::string message);

/// Compiles a formula of `object`'s metadata (expecting `expected`, when given); when it does not
/// compile, appends an issue naming `what` with the rendered diagnostics. Returns the result, for
/// callers that go on to check its type. Shared by the automation and the service-process checks.
CompileResult check_formula(const Catalog& catalog, const ObjectDef& object, const std::string& where,
                            const std::string& what, const std::string& source, std::optional<FormulaType> expected,
                            std::vector<CatalogIssue>& issues);

}  // namespace hotcrm::detail
