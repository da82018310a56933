// Logical and record functions. IF, CASE, AND, OR, NOT, ISCHANGED and PRIORVALUE are evaluated
// structurally by the evaluators (laziness, prior state), so they have no scalar implementation.
#include <algorithm>

#include "formula/internal.hpp"

namespace hotcrm::detail::formula {
namespace {

Value isblank(std::span<const Value> args, CallSite&) { return Value(is_blank(args[0])); }
Value isnull(std::span<const Value> args, CallSite&) { return Value(args[0].is_null()); }

/// BLANKVALUE / NULLVALUE evaluate both arguments (eagerly, in both evaluators).
Value blankvalue(std::span<const Value> args, CallSite&) { return is_blank(args[0]) ? args[1] : args[0]; }
Value nullvalue(std::span<const Value> args, CallSite&) { return args[0].is_null() ? args[1] : args[0]; }

Value ispickval(std::span<const Value> args, CallSite&) {
  static const std::string blank;
  const std::string& current = args[0].is_null() ? blank : args[0].as_string();
  const std::string& wanted = args[1].is_null() ? blank : args[1].as_string();
  return Value(current == wanted);
}

Value includes(std::span<const Value> args, CallSite&) {
  if (args[0].is_null() || args[1].is_null()) return Value(false);
  const auto& items = args[0].as_list();
  return Value(std::find(items.begin(), items.end(), args[1].as_string()) != items.end());
}

Value isnew(std::span<const Value>, CallSite& site) { return Value(site.context.is_new); }

}  // namespace

void add_logical_functions(std::vector<FunctionInfo>& out) {
  out.insert(out.end(), {
      {"AND", FunctionId::and_, 1, -1, nullptr},
      {"OR", FunctionId::or_, 1, -1, nullptr},
      {"NOT", FunctionId::not_, 1, 1, nullptr},
      {"IF", FunctionId::if_, 3, 3, nullptr},
      {"CASE", FunctionId::case_, 4, -1, nullptr},
      {"ISBLANK", FunctionId::isblank, 1, 1, isblank},
      {"ISNULL", FunctionId::isnull, 1, 1, isnull},
      {"BLANKVALUE", FunctionId::blankvalue, 2, 2, blankvalue},
      {"NULLVALUE", FunctionId::nullvalue, 2, 2, nullvalue},
      {"ISPICKVAL", FunctionId::ispickval, 2, 2, ispickval},
      {"INCLUDES", FunctionId::includes, 2, 2, includes},
      {"ISNEW", FunctionId::isnew, 0, 0, isnew},
      {"ISCHANGED", FunctionId::ischanged, 1, 1, nullptr},
      {"PRIORVALUE", FunctionId::priorvalue, 1, 1, nullptr},
  });
}

}  // namespace hotcrm::detail::formula
