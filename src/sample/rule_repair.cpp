#include "sample/rule_repair.hpp"

#include <algorithm>

namespace hotcrm::inline v0::sample {
namespace {

constexpr int max_repair_attempts = 12;

bool reads_through_lookup(const Formula& formula) {
  const auto& fields = formula.fields();
  return std::any_of(fields.begin(), fields.end(), [](const std::string& path) { return path.find('.') != std::string::npos; });
}

/// The rule's fields that the generator may change, in the order the rule reads them.
std::vector<const FieldDef*> changeable_fields(const ObjectDef& object, const Formula& formula) {
  std::vector<const FieldDef*> fields;
  for (const std::string& path : formula.fields()) {
    const FieldDef* field = object.find_field(path);
    if (field != nullptr && !is_system_field(path) && is_generated(*field) && !field->is_reference())
      fields.push_back(field);
  }
  return fields;
}

}  // namespace

RuleRepair::RuleRepair(const Catalog& catalog, const ObjectDef& object, Date today) : object_(object), today_(today) {
  CompileOptions options;
  options.expected = FormulaType::boolean;
  for (const ValidationRule& rule : object.validation_rules) {
    if (!rule.active) continue;
    CompileResult compiled = compile_formula(catalog, object.name, rule.condition, options);
    if (compiled.ok() && !reads_through_lookup(*compiled.formula)) rules_.push_back({&rule, *compiled.formula});
  }
}

bool RuleRepair::breaks(const CompiledRule& rule, const Record& record) const {
  EvalContext context;
  context.now = at_time(today_, 9, 0);
  context.is_new = true;
  std::vector<Value> slots;
  for (const std::string& path : rule.formula.fields()) {
    const auto given = record.find(path);
    const FieldDef* field = object_.find_field(path);
    // A field left out takes its default on insert: check what will be stored.
    slots.push_back(given != record.end() ? given->second : (field != nullptr ? known_default(*field, today_) : Value()));
  }
  const EvalResult result = rule.formula.evaluate(slots, context);
  // A rule whose condition faults counts as broken, as on writes.
  return !result.ok() || (!result.value.is_null() && result.value.as_bool());
}

const RuleRepair::CompiledRule* RuleRepair::first_broken(const Record& record) const {
  for (const CompiledRule& rule : rules_) {
    if (breaks(rule, record)) return &rule;
  }
  return nullptr;
}

std::vector<std::string> RuleRepair::broken(const Record& record) const {
  std::vector<std::string> names;
  for (const CompiledRule& rule : rules_) {
    if (breaks(rule, record)) names.push_back(rule.rule->name);
  }
  return names;
}

void RuleRepair::change(RowContext& context, const CompiledRule& rule, int attempt) const {
  const std::vector<const FieldDef*> fields = changeable_fields(object_, rule.formula);
  if (attempt == 0 && fields.size() == 2 && fields[0]->type == fields[1]->type) {
    const Value first = context.get(fields[0]->name);
    const Value second = context.get(fields[1]->name);
    context.set(fields[0]->name, second);
    context.set(fields[1]->name, first);
    return;
  }
  const FieldDef* blamed = object_.find_field(rule.rule->error_field);
  if (attempt <= 1 && blamed != nullptr && !blamed->required && context.writable(blamed->name)) {
    context.set(blamed->name, Value());
    return;
  }
  const bool last_attempt = attempt == max_repair_attempts - 1;
  for (const FieldDef* field : fields) {
    if (last_attempt) {
      if (!field->required) context.set(field->name, Value());
    } else {
      context.set(field->name, generic_value(context, *field));
    }
  }
}

bool RuleRepair::repair(RowContext& context) const {
  for (int attempt = 0; attempt < max_repair_attempts; ++attempt) {
    const CompiledRule* rule = first_broken(context.record);
    if (rule == nullptr) return true;
    change(context, *rule, attempt);
  }
  return first_broken(context.record) == nullptr;
}

}  // namespace hotcrm::inline v0::sample
