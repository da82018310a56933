// Feature matrices for scoring: formulas evaluated column-at-a-time over pages of stored records.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "store/rows.hpp"
#include "store/sql_builder.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

constexpr std::size_t kFeaturePage = 4096;
constexpr double kMicrosPerDay = 86'400'000'000.0;

bool numeric_result(FormulaType type) {
  switch (type) {
    case FormulaType::number:
    case FormulaType::currency:
    case FormulaType::percent:
    case FormulaType::boolean:
    case FormulaType::date:
    case FormulaType::datetime: return true;
    default: return false;
  }
}

double as_feature(const FormulaColumn& column, std::size_t row) {
  if (!column.valid[row] || column.errors[row] != FormulaError::none) return std::numeric_limits<double>::quiet_NaN();
  switch (column.type) {
    case FormulaType::number: return column.numbers[row];
    case FormulaType::currency:
    case FormulaType::percent: return column.decimals[row].to_double();
    case FormulaType::boolean: return column.booleans[row] ? 1.0 : 0.0;
    case FormulaType::date: return static_cast<double>(column.dates[row].days);
    case FormulaType::datetime: return static_cast<double>(column.datetimes[row].micros) / kMicrosPerDay;
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace

std::vector<FeatureSpec> one_hot_features(const Catalog& catalog, std::string_view object, std::string_view field) {
  const FieldDef* def = catalog.at(object).find_field(field);
  if (!def || def->type != FieldType::select)
    throw UsageError(ErrorCode::usage, fmt::format("one-hot features need a picklist field; {}.{} is not one", object, field));
  std::vector<FeatureSpec> out;
  for (const auto& option : def->options)
    out.push_back({fmt::format("{}={}", field, option.value), fmt::format("ISPICKVAL({}, '{}')", field, option.value)});
  return out;
}

FeatureMatrix Session::features(std::string_view object, const std::vector<FeatureSpec>& specs, const Filter& filter) {
  std::lock_guard lock(impl_->mutex);
  const auto& plan = impl_->plan(object);
  std::vector<Formula> formulas;
  FeatureMatrix matrix;
  for (const auto& spec : specs) {
    auto compiled = compile_formula(impl_->catalog, object, spec.formula);
    if (!compiled.ok())
      throw UsageError(ErrorCode::parse, fmt::format("feature '{}' does not compile:\n{}", spec.name,
                                                     render_diagnostics(compiled.diagnostics, spec.formula)));
    if (!numeric_result(compiled.formula->result_type()))
      throw UsageError(ErrorCode::usage, fmt::format("feature '{}' is {}; a feature is a number, currency, percent, "
                                                     "boolean, date or datetime", spec.name,
                                                     to_string(compiled.formula->result_type())));
    formulas.push_back(*compiled.formula);
    matrix.names.push_back(spec.name);
  }
  const DateTime now = impl_->now();
  detail::SqlBuilder builder(*impl_, plan, context_.tenant, now);
  builder.add_filter(filter);
  const std::string sql = fmt::format("SELECT {}, t0.rowid FROM {} WHERE {} AND t0.rowid > ? ORDER BY t0.rowid LIMIT {}",
                                      plan.select_list, builder.from_clause(), builder.where(), kFeaturePage);
  detail::SlotResolver resolver(*impl_, context_.tenant, now, detail::SlotResolver::Mode::read);
  const EvalContext context{.now = now};
  std::vector<std::vector<Value>> rows;
  std::int64_t last_rowid = -1;
  const std::size_t columns = formulas.size();
  while (true) {
    auto& statement = impl_->db().prepare(sql);
    builder.bind_all(statement, {{nullptr, Value(last_rowid)}});
    if (!detail::read_page(statement, plan, rows, last_rowid)) break;
    const std::size_t first = matrix.ids.size();
    for (const auto& row : rows) matrix.ids.push_back(row[0].as_string());
    matrix.values.resize(matrix.ids.size() * columns);
    for (std::size_t f = 0; f < columns; ++f) {
      const FormulaColumn result = detail::evaluate_rows(resolver, plan, rows, formulas[f], context);
      for (std::size_t r = 0; r < rows.size(); ++r) matrix.values[(first + r) * columns + f] = as_feature(result, r);
    }
    if (rows.size() < kFeaturePage) break;
  }
  return matrix;
}

}  // namespace v0
}  // namespace hotcrm
