#pragma once
// Formulas the query engine evaluates itself, called from SQL: one SQL function receives a handle
// (sqlite3_bind_pointer) and the row's stored columns, decodes the row and evaluates the formula
// with the same SlotResolver the write path uses (lookups and formula fields included), so a filter
// evaluated here means exactly what it means on the save path.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "store/rows.hpp"

namespace hotcrm::detail {

class EngineFormula {
 public:
  static constexpr const char* sql_function_name = "hotcrm_engine";
  static constexpr const char* pointer_type = "hotcrm_engine_formula";

  /// True (1) for a row when every listed node of `formula` (boolean sub-expressions) is TRUE;
  /// a runtime fault (division by zero, ...) counts as not matching.
  /// `access` is the user whose visibility the lookups inside the formula follow (nullptr: system).
  static std::unique_ptr<EngineFormula> condition(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant,
                                                  DateTime now, Formula formula, std::vector<std::uint32_t> nodes,
                                                  AccessScope* access);
  /// The value of `path` (a formula field, possibly through lookups) as a sortable SQL value.
  static std::unique_ptr<EngineFormula> value_of(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant,
                                                 DateTime now, std::string path, AccessScope* access);

  /// Implements the SQL function for one row.
  void call(sqlite3_context* context, int argc, sqlite3_value** argv);

 private:
  EngineFormula(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant, DateTime now, AccessScope* access)
      : plan_(plan), tenant_(tenant), resolver_(impl, tenant_, now, SlotResolver::Mode::read, access),
        cipher_(impl.connection->cipher()) {}

  const ObjectPlan& plan_;
  std::string tenant_;
  SlotResolver resolver_;
  const FieldCipher* cipher_;  ///< opens encrypted columns: formulas compute on clear values
  std::optional<Formula> formula_;
  std::vector<std::uint32_t> nodes_;
  std::string path_;
  std::vector<Value> row_;
};

}  // namespace hotcrm::detail
