// Formulas in the store: slot resolution through lookups and formula fields, validation rules on
// the write path, formula fields on read, ad-hoc evaluation and batch re-validation of stored rows.
#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "formula/internal.hpp"
#include "model/coerce.hpp"
#include "store/access.hpp"
#include "store/codec.hpp"
#include "store/rows.hpp"

namespace hotcrm::detail {

constexpr std::size_t kValidationChunk = 2048;

SlotResolver::SlotResolver(Session::Impl& impl, const std::string& tenant, DateTime now, Mode mode)
    : SlotResolver(impl, tenant, now, mode, current_access(impl)) {}

const std::vector<Value>* SlotResolver::parent(const ObjectPlan& parent_plan, const std::string& id) {
  auto key = std::make_pair(parent_plan.object->name, id);
  auto it = parents_.find(key);
  if (it == parents_.end()) {
    // A parent the user cannot read reads as absent, as the SQL joins of the same query do.
    std::optional<std::vector<Value>> row;
    if (!access_ || access_->record_allowed(parent_plan, id, ShareAccess::read))
      row = load_row(impl_, parent_plan, id, tenant_);
    it = parents_.emplace(key, std::move(row)).first;
  }
  return it->second ? &*it->second : nullptr;
}

Value SlotResolver::resolve(const ObjectPlan& plan, const std::vector<Value>& row, std::string_view path, int depth) {
  if (depth > kMaxFormulaDepth) return {};
  auto dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  if (dot == std::string_view::npos) {
    if (auto it = plan.column_index.find(head); it != plan.column_index.end())
      return row[static_cast<std::size_t>(it->second)];
    for (const auto& [field, formula] : plan.formula_fields)
      if (field->name == head) return evaluate(plan, row, nullptr, formula, depth + 1).value;
    return {};
  }
  auto it = plan.column_index.find(head);
  if (it == plan.column_index.end()) return {};
  const auto& link = row[static_cast<std::size_t>(it->second)];
  const FieldDef& field = *plan.columns[static_cast<std::size_t>(it->second)];
  if (link.is_null() || !field.is_reference()) return {};
  const auto& parent_plan = impl_.plan(field.reference);
  const auto* parent_row = parent(parent_plan, link.as_string());
  if (!parent_row) return {};
  return resolve(parent_plan, *parent_row, path.substr(dot + 1), depth + 1);
}

EvalResult SlotResolver::evaluate(const ObjectPlan& plan, const std::vector<Value>& row,
                                  const std::vector<Value>* prior, const Formula& formula, int depth) {
  return evaluate_node(plan, row, prior, formula, formula.impl().program.root, depth);
}

EvalResult SlotResolver::evaluate_node(const ObjectPlan& plan, const std::vector<Value>& row,
                                       const std::vector<Value>* prior, const Formula& formula, std::uint32_t node,
                                       int depth) {
  if (depth > kMaxFormulaDepth) return {{}, FormulaError::invalid_argument};
  const auto& paths = formula.fields();
  const auto known = plan.slot_columns.find(&formula.impl());
  const std::vector<int>* columns = known == plan.slot_columns.end() ? nullptr : &known->second;
  auto slot = [&](const std::vector<Value>& source, std::size_t s) {
    const int column = columns ? (*columns)[s] : -1;
    return column >= 0 ? source[static_cast<std::size_t>(column)] : resolve(plan, source, paths[s], depth);
  };
  std::vector<Value> values;
  values.reserve(paths.size());
  for (std::size_t s = 0; s < paths.size(); ++s) values.push_back(slot(row, s));
  std::vector<Value> prior_values;
  EvalContext context{.now = now_, .is_new = prior == nullptr && mode_ == Mode::write};
  if (prior) {
    prior_values.reserve(paths.size());
    for (std::size_t s = 0; s < paths.size(); ++s) prior_values.push_back(slot(*prior, s));
    context.prior = &prior_values;
  }
  return formula::evaluate_row_at(formula.impl().program, node, values, context);
}

std::string keyset_page_sql(const ObjectPlan& plan, std::string_view condition, std::size_t limit) {
  return fmt::format("SELECT {}, t0.rowid FROM {} AS t0 WHERE {} AND t0.rowid > ? ORDER BY t0.rowid LIMIT {}",
                     plan.select_list, quote(plan.object->name), condition, limit);
}

bool read_page(Statement& statement, const ObjectPlan& plan, std::vector<std::vector<Value>>& rows,
               std::int64_t& last_rowid) {
  rows.clear();
  while (statement.step()) {
    rows.emplace_back();
    read_row(statement, plan, rows.back());
    last_rowid = statement.column_int(static_cast<int>(plan.columns.size()));
  }
  statement.reset();
  return !rows.empty();
}

FormulaColumn evaluate_rows(SlotResolver& resolver, const ObjectPlan& plan, const std::vector<std::vector<Value>>& rows,
                            const Formula& formula, const EvalContext& context) {
  FormulaColumns inputs{.rows = rows.size(), .slots = {}};
  std::vector<Value> values(rows.size());
  for (std::size_t s = 0; s < formula.fields().size(); ++s) {
    for (std::size_t r = 0; r < rows.size(); ++r) values[r] = resolver.resolve(plan, rows[r], formula.fields()[s]);
    inputs.slots.push_back(FormulaColumn::from_values(formula.field_types()[s], values));
  }
  return formula.evaluate_batch(inputs, context);
}

FieldError rule_violation(const ObjectPlan& plan, const ValidationRule& rule, const EvalResult& result) {
  FieldError error{plan.object->name, rule.error_field, rule.name, "rule", rule.message, -1, {}};
  if (!result.ok()) {
    error.code = "rule_error";
    error.message = fmt::format("rule {} could not be evaluated ({}): {}", rule.name, error_code_name(result.error),
                                rule.message);
  }
  return error;
}

bool rule_violated(const EvalResult& result) {
  return !result.ok() || (result.value.kind() == ValueKind::boolean && result.value.as_bool());
}

void check_rules(SlotResolver& resolver, const ObjectPlan& plan, const std::vector<Value>& row,
                 const std::vector<Value>* prior, std::vector<FieldError>& errors) {
  for (const auto& [rule, formula] : plan.rules) {
    auto result = resolver.evaluate(plan, row, prior, formula);
    if (rule_violated(result)) errors.push_back(rule_violation(plan, *rule, result));
  }
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

CompileResult Session::check_formula(std::string_view object, std::string_view source,
                                     const CompileOptions& options) const {
  std::lock_guard lock(impl_->mutex);
  impl_->plan(object);  // SchemaError for an unknown object
  detail::AccessGuard guard(*impl_, context_);
  return compile_formula(impl_->catalog, object, source, detail::user_compile_options(*impl_, options));
}

namespace {
/// A stored-row shaped vector from a user's record: values placed by column, formula inputs as given.
std::vector<Value> row_from_record(const detail::ObjectPlan& plan, const Record& record) {
  std::vector<Value> row(plan.columns.size());
  for (const auto& [name, value] : record) {
    auto it = plan.column_index.find(name);
    if (it == plan.column_index.end())
      throw UsageError(ErrorCode::unknown_field, fmt::format("'{}' is not a field of {}", name, plan.object->name));
    // Values are read as a write would store them (so "12.5" is the currency 12.50).
    const FieldDef& field = *plan.columns[static_cast<std::size_t>(it->second)];
    Value& slot = row[static_cast<std::size_t>(it->second)];
    if (is_system_field(name)) slot = value;
    else if (auto failure = detail::coerce_value(field, value, slot))
      throw UsageError(ErrorCode::usage, fmt::format("{}.{}: {}", plan.object->name, name, failure->message));
  }
  return row;
}
}  // namespace

EvalResult Session::evaluate(std::string_view object, std::string_view source, const Record& record,
                             const std::optional<Record>& prior, const CompileOptions& options) {
  std::lock_guard lock(impl_->mutex);
  const auto& plan = impl_->plan(object);
  detail::AccessGuard guard(*impl_, context_);
  auto compiled = compile_formula(impl_->catalog, object, source, detail::user_compile_options(*impl_, options));
  if (!compiled.ok())
    throw UsageError(ErrorCode::parse, "the formula does not compile:\n" + render_diagnostics(compiled.diagnostics, source));
  auto row = row_from_record(plan, record);
  detail::SlotResolver resolver(*impl_, context_.tenant, impl_->now());
  if (!prior) return resolver.evaluate(plan, row, nullptr, *compiled.formula);
  auto prior_row = row_from_record(plan, *prior);
  return resolver.evaluate(plan, row, &prior_row, *compiled.formula);
}

std::vector<FieldError> Session::validate_stored(std::string_view object) {
  std::lock_guard lock(impl_->mutex);
  const auto& plan = impl_->plan(object);
  detail::AccessGuard guard(*impl_, context_);
  guard.require_administrator("re-validate stored records");
  std::vector<FieldError> violations;
  if (plan.rules.empty()) return violations;
  detail::SlotResolver resolver(*impl_, context_.tenant, impl_->now());
  // Rows are read in keyset pages and each rule runs on the batch path over the whole page.
  const std::string sql = detail::keyset_page_sql(plan, "t0.\"tenant_id\" = ?", detail::kValidationChunk);
  std::int64_t last_rowid = -1;
  std::vector<std::vector<Value>> rows;
  std::vector<std::string> ids;
  for (;;) {
    auto& statement = impl_->db().prepare(sql);
    statement.bind_text(1, context_.tenant);
    statement.bind_int(2, last_rowid);
    if (!detail::read_page(statement, plan, rows, last_rowid)) break;
    for (const auto& [rule, formula] : plan.rules) {
      auto result = detail::evaluate_rows(resolver, plan, rows, formula, EvalContext{.now = resolver.now()});
      for (std::size_t r = 0; r < rows.size(); ++r) {
        EvalResult outcome{result.value_at(r), result.errors[r]};
        if (!detail::rule_violated(outcome)) continue;
        auto error = detail::rule_violation(plan, *rule, outcome);
        error.record_id = rows[r][0].as_string();
        violations.push_back(std::move(error));
      }
    }
    if (rows.size() < detail::kValidationChunk) break;
  }
  return violations;
}

}  // namespace v0
}  // namespace hotcrm
