// FunctionLibrary: built once from the per-group tables (no static self-registration), then
// immutable. Lookup is case-insensitive, as in Salesforce.
#include <algorithm>
#include <cctype>

#include "formula/internal.hpp"
#include "hotcrm/error.hpp"

namespace hotcrm::detail::formula {

FunctionLibrary::FunctionLibrary() {
  add_logical_functions(functions_);
  add_math_functions(functions_);
  add_text_functions(functions_);
  add_date_functions(functions_);
  std::sort(functions_.begin(), functions_.end(),
            [](const FunctionInfo& a, const FunctionInfo& b) { return a.id < b.id; });
  // at() indexes by id: every FunctionId must appear exactly once.
  for (std::size_t i = 0; i < functions_.size(); ++i) {
    if (static_cast<std::size_t>(functions_[i].id) != i)
      throw Error(ErrorCode::internal, "formula function table is missing or repeats an entry near " +
                                           std::string(functions_[i].name));
  }
}

const FunctionLibrary& FunctionLibrary::instance() {
  static const FunctionLibrary library;  // thread-safe initialization; never mutated afterwards
  return library;
}

const FunctionInfo* FunctionLibrary::find(std::string_view name) const noexcept {
  for (const auto& function : functions_)
    if (iequals(function.name, name)) return &function;
  return nullptr;
}

const FunctionInfo& FunctionLibrary::at(FunctionId id) const noexcept {
  return functions_[static_cast<std::size_t>(id)];
}

}  // namespace hotcrm::detail::formula
