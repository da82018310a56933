// Load-time checks of automation metadata: every formula type-checks, every field, object, state
// and event a rule names exists, and every state of a machine can be reached. A broken rule fails
// when the catalog loads, never when the first record triggers it.
#include "model/automation_check.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "hotcrm/formula/formula.hpp"
#include "hotcrm/time/cron.hpp"
#include "model/coerce.hpp"
#include "model/template_text.hpp"

namespace hotcrm::detail {

namespace {

bool is_text_like(FieldType type) {
  switch (type) {
    case FieldType::text: case FieldType::textarea: case FieldType::email: case FieldType::phone:
    case FieldType::url: return true;
    default: return false;
  }
}

/// Fields an action may write: stored, not computed by the engine, not system-managed (owner_id excepted).
std::optional<std::string> write_problem(const FieldDef& field) {
  if (field.type == FieldType::formula) return "is a formula field";
  if (field.rollup) return "is a roll-up field";
  if (field.type == FieldType::autonumber) return "is an autonumber";
  if (is_system_field(field.name) && field.name != "owner_id") return "is a system field";
  return std::nullopt;
}

class AutomationChecker {
 public:
  explicit AutomationChecker(const Catalog& catalog) : catalog_(catalog) {}

  std::vector<CatalogIssue> run() {
    for (const auto& object : catalog_.objects()) {
      std::set<std::string> names;
      for (const auto& rule : object.workflow_rules) {
        if (!names.insert(rule.name).second) issue(object, "workflow rule '" + rule.name + "'", "duplicate rule name");
        check_workflow_rule(object, rule);
      }
      for (const auto& rule : object.scheduled_rules) {
        if (!names.insert(rule.name).second) issue(object, "scheduled rule '" + rule.name + "'", "duplicate rule name");
        check_scheduled_rule(object, rule);
      }
      if (object.state_machine) check_state_machine(object, *object.state_machine);
    }
    return std::move(issues_);
  }

  /// The problems of one action list (shared with the service processes' checks).
  std::vector<CatalogIssue> actions_only(const ObjectDef& object, const std::vector<WorkflowAction>& actions,
                                         const std::string& where) {
    check_actions(object, actions, where);
    return std::move(issues_);
  }

 private:
  void issue(const ObjectDef& object, const std::string& where, const std::string& message) {
    issues_.push_back(object_issue(object, where, message));
  }

  void formula(const ObjectDef& object, const std::string& where, const std::string& what, const std::string& source,
               std::optional<FormulaType> expected) {
    check_formula(catalog_, object, where, what, source, expected, issues_);
  }

  void text_template(const ObjectDef& object, const std::string& where, const std::string& source) {
    std::string problem;
    auto parts = parse_template(source, &problem);
    if (!parts) {
      issue(object, where, "template '" + source + "': " + problem);
      return;
    }
    for (const auto& part : *parts) {
      if (!part.is_formula) continue;
      auto compiled = compile_merge_field(catalog_, object.name, part.text);
      if (!compiled.ok())
        issue(object, where, "merge field {!" + part.text + "} does not compile:\n" +
                                 render_diagnostics(compiled.diagnostics, part.text));
    }
  }

  /// A value written to `field` (of the created or updated object), computed on `object`'s record.
  void value(const ObjectDef& object, const std::string& where, const ActionValue& value, const FieldDef* field) {
    switch (value.kind) {
      case ActionValue::Kind::literal: break;  // checked like any input when written
      case ActionValue::Kind::formula:
        formula(object, where, "value formula", value.source,
                field ? std::optional(default_formula_type(*field)) : std::nullopt);
        break;
      case ActionValue::Kind::text_template:
        if (field && !is_text_like(field->type))
          issue(object, where, "a template gives text; field '" + field->name + "' is " + std::string(to_string(field->type)));
        text_template(object, where, value.source);
        break;
      case ActionValue::Kind::sequence: sequence(object, where, value.source, field); break;
    }
  }

  /// A sequence numbers a plain text field: the format's counter comes last, so the numbers of
  /// the stored values can be read back after the prefix.
  void sequence(const ObjectDef& object, const std::string& where, const std::string& format, const FieldDef* field) {
    if (!field) {
      issue(object, where, "a sequence value numbers a field; only field_update and create_record values can be one");
      return;
    }
    if (field->type != FieldType::text)
      issue(object, where, "a sequence gives text; field '" + field->name + "' is " + std::string(to_string(field->type)));
    if (auto problem = detail::autonumber_format_problem(format))
      issue(object, where, "sequence format '" + format + "': " + *problem);
    else if (format.empty() || format.back() != '}' || format.substr(format.rfind('{') + 1).find_first_not_of("0}") != std::string::npos)
      issue(object, where, "sequence format '" + format + "' must end with its counter, such as {0000}");
  }

  void webhook_body(const ObjectDef& object, const std::string& where, const nlohmann::json& node) {
    if (node.is_string()) {
      text_template(object, where, node.get<std::string>());
    } else if (node.is_object() && node.size() == 1 && node.contains("formula") && node["formula"].is_string()) {
      formula(object, where, "body formula", node["formula"].get<std::string>(), std::nullopt);
    } else if (node.is_structured()) {
      for (const auto& item : node) webhook_body(object, where, item);
    }
  }

  const FieldDef* writable_field(const ObjectDef& object, const ObjectDef& owner, const std::string& name,
                                 const std::string& where) {
    const auto* field = owner.find_field(name);
    if (!field) {
      issue(object, where, "'" + name + "' is not a field of " + owner.name);
      return nullptr;
    }
    if (auto problem = write_problem(*field)) issue(object, where, owner.name + "." + name + " " + *problem + " and cannot be written");
    return field;
  }

  void check_field_update(const ObjectDef& object, const WorkflowAction& action, const std::string& where) {
    const ObjectDef* owner = &object;
    if (!action.target.empty()) {
      const auto* lookup = object.find_field(action.target);
      if (!lookup || !lookup->is_reference()) {
        issue(object, where, "target '" + action.target + "' is not a lookup field of " + object.name);
        return;
      }
      owner = catalog_.find(lookup->reference);
      if (!owner) return;  // the catalog check reports the unknown reference
    }
    const auto* field = writable_field(object, *owner, action.field, where);
    if (owner->state_machine && owner->state_machine->field == action.field)
      issue(object, where, owner->name + "." + action.field + " holds a state machine's state; only events move it");
    value(object, where, action.value, field);
  }

  void check_create_record(const ObjectDef& object, const WorkflowAction& action, const std::string& where) {
    const auto* created = catalog_.find(action.object);
    if (!created) {
      issue(object, where, "creates unknown object '" + action.object + "'");
      return;
    }
    std::set<std::string> given;
    for (const auto& [name, item] : action.values) {
      given.insert(name);
      const auto* field = writable_field(object, *created, name, where);
      value(object, where, item, field);
    }
    for (const auto& field : created->fields)
      if (field.required && !field.default_value && field.type != FieldType::autonumber && !given.count(field.name))
        issue(object, where, "creates " + created->name + " without its required field '" + field.name + "'");
  }

  void check_action(const ObjectDef& object, const WorkflowAction& action, const std::string& where) {
    if (!action.condition.empty()) formula(object, where, "action condition", action.condition, FormulaType::boolean);
    switch (action.kind) {
      case WorkflowAction::Kind::field_update: check_field_update(object, action, where); break;
      case WorkflowAction::Kind::create_record: check_create_record(object, action, where); break;
      case WorkflowAction::Kind::email:
        for (const auto& recipient : action.recipients) value(object, where, recipient, nullptr);
        value(object, where, action.subject, nullptr);
        value(object, where, action.body, nullptr);
        break;
      case WorkflowAction::Kind::webhook:
        value(object, where, action.url, nullptr);
        if (!action.body_json.empty()) {
          auto body = nlohmann::json::parse(action.body_json, nullptr, false);
          if (body.is_discarded()) issue(object, where, "webhook body is not valid JSON");
          else webhook_body(object, where, body);
        }
        break;
      case WorkflowAction::Kind::custom:
        if (action.name.empty()) issue(object, where, "a custom action needs the name of a registered action");
        for (const auto& [name, item] : action.values) value(object, where + " parameter '" + name + "'", item, nullptr);
        break;
      case WorkflowAction::Kind::score: check_score(object, action, where); break;
    }
  }

  /// A score action writes a number: its field must be a writable number, currency or percent field.
  /// The model is looked up when the action runs (models live in the database, not the catalog).
  void check_score(const ObjectDef& object, const WorkflowAction& action, const std::string& where) {
    if (action.model.empty()) issue(object, where, "a score action needs the name of a registered model");
    const auto* field = writable_field(object, object, action.field, where);
    if (field && field->type != FieldType::number && field->type != FieldType::currency && field->type != FieldType::percent)
      issue(object, where, "a score action writes a number; " + object.name + "." + field->name + " is " +
                               std::string(to_string(field->type)));
  }

  void check_actions(const ObjectDef& object, const std::vector<WorkflowAction>& actions, const std::string& where) {
    for (std::size_t i = 0; i < actions.size(); ++i)
      check_action(object, actions[i], where + " action " + std::to_string(i + 1));
  }

  void check_workflow_rule(const ObjectDef& object, const WorkflowRule& rule) {
    std::string where = "workflow rule '" + rule.name + "'";
    if (!rule.condition.empty()) formula(object, where, "condition", rule.condition, FormulaType::boolean);
    check_actions(object, rule.actions, where);
    if (rule.trigger == WorkflowTrigger::on_delete) {
      for (const auto& action : rule.actions)
        if ((action.kind == WorkflowAction::Kind::field_update && action.target.empty()) ||
            action.kind == WorkflowAction::Kind::score)
          issue(object, where, "an on_delete rule cannot update the deleted record (use a target lookup)");
      if (!rule.time_triggers.empty()) issue(object, where, "an on_delete rule cannot have time triggers");
    }
    if (rule.evaluation == Evaluation::newly_meets && rule.trigger == WorkflowTrigger::on_delete)
      issue(object, where, "newly_meets needs an edit to compare with; it cannot apply to deletes");
    // As in Salesforce: a rule firing on every edit would queue its timed actions again on each one.
    if (!rule.time_triggers.empty() && rule.trigger != WorkflowTrigger::on_create &&
        rule.evaluation != Evaluation::newly_meets)
      issue(object, where, "time triggers need a rule that fires once per episode: trigger on_create, or "
                           "evaluation newly_meets");
    for (std::size_t i = 0; i < rule.time_triggers.size(); ++i) {
      const auto& trigger = rule.time_triggers[i];
      std::string trigger_where = where + " time trigger " + std::to_string(i + 1);
      if (!trigger.field.empty()) {
        const auto* field = object.find_field(trigger.field);
        if (!field || (field->type != FieldType::date && field->type != FieldType::datetime))
          issue(object, trigger_where, "'" + trigger.field + "' is not a date or datetime field of " + object.name);
      }
      if (trigger.actions.empty()) issue(object, trigger_where, "a time trigger needs actions");
      check_actions(object, trigger.actions, trigger_where);
    }
  }

  void check_scheduled_rule(const ObjectDef& object, const ScheduledRule& rule) {
    std::string where = "scheduled rule '" + rule.name + "'";
    try {
      (void)CronSchedule::parse(rule.cron);
    } catch (const Error& error) {
      issue(object, where, std::string("cron: ") + error.what());
    }
    if (rule.time_zone.empty()) issue(object, where, "needs a time zone (an IANA name such as Europe/Paris, or UTC)");
    if (!rule.filter.empty()) formula(object, where, "filter", rule.filter, FormulaType::boolean);
    check_actions(object, rule.actions, where);
  }

  void check_state_field(const ObjectDef& object, const StateMachine& machine, const std::string& where) {
    const auto* field = object.find_field(machine.field);
    if (!field) {
      issue(object, where, "state field '" + machine.field + "' is not a field of " + object.name);
      return;
    }
    if (field->type == FieldType::select) {
      for (const auto& state : machine.states)
        if (!field->find_option(state.name))
          issue(object, where, "state '" + state.name + "' is not an option of " + object.name + "." + field->name);
    } else if (field->type != FieldType::text) {
      issue(object, where, "state field '" + machine.field + "' must be a select or text field");
    }
  }

  void check_state_machine(const ObjectDef& object, const StateMachine& machine) {
    std::string where = "state machine '" + machine.name + "'";
    check_state_field(object, machine, where);
    std::set<std::string> states;
    for (const auto& state : machine.states)
      if (!states.insert(state.name).second) issue(object, where, "duplicate state '" + state.name + "'");
    if (!states.count(machine.initial)) issue(object, where, "initial state '" + machine.initial + "' is not a state");
    std::map<std::string, std::set<std::string>> next;  // state -> states reachable in one transition
    for (const auto& transition : machine.transitions) {
      std::string transition_where = where + " transition '" + transition.event + "'";
      if (!states.count(transition.to)) issue(object, transition_where, "target '" + transition.to + "' is not a state");
      for (const auto& from : transition.from)
        if (!states.count(from)) issue(object, transition_where, "source '" + from + "' is not a state");
      if (!transition.guard.empty()) formula(object, transition_where, "guard", transition.guard, FormulaType::boolean);
      check_actions(object, transition.actions, transition_where);
      if (transition.from.empty())
        for (const auto& state : states) next[state].insert(transition.to);
      for (const auto& from : transition.from) next[from].insert(transition.to);
    }
    for (const auto& state : machine.states) {
      std::string state_where = where + " state '" + state.name + "'";
      check_actions(object, state.on_entry, state_where + " on_entry");
      check_actions(object, state.on_exit, state_where + " on_exit");
      if (!state.timeout) continue;
      const auto& timeout = *state.timeout;
      if (timeout.after_minutes <= 0) issue(object, state_where, "a timeout must be positive");
      if (!timeout.condition.empty()) formula(object, state_where, "timeout condition", timeout.condition, FormulaType::boolean);
      check_actions(object, timeout.actions, state_where + " timeout");
      if (!timeout.event.empty() && !has_transition(machine, state.name, timeout.event))
        issue(object, state_where, "timeout event '" + timeout.event + "' has no transition from this state");
    }
    report_unreachable(object, machine, where, next);
  }

  static bool has_transition(const StateMachine& machine, const std::string& state, const std::string& event) {
    for (const auto& transition : machine.transitions)
      if (transition.event == event &&
          (transition.from.empty() || std::find(transition.from.begin(), transition.from.end(), state) != transition.from.end()))
        return true;
    return false;
  }

  void report_unreachable(const ObjectDef& object, const StateMachine& machine, const std::string& where,
                          std::map<std::string, std::set<std::string>>& next) {
    std::set<std::string> reached{machine.initial};
    std::deque<std::string> pending{machine.initial};
    while (!pending.empty()) {
      auto state = pending.front();
      pending.pop_front();
      for (const auto& target : next[state])
        if (reached.insert(target).second) pending.push_back(target);
    }
    for (const auto& state : machine.states)
      if (!reached.count(state.name))
        issue(object, where, "state '" + state.name + "' cannot be reached from '" + machine.initial + "'");
  }

  const Catalog& catalog_;
  std::vector<CatalogIssue> issues_;
};

}  // namespace

std::vector<CatalogIssue> check_automation(const Catalog& catalog) {
  auto issues = AutomationChecker(catalog).run();
  auto processes = check_processes(catalog);
  issues.insert(issues.end(), processes.begin(), processes.end());
  return issues;
}

CatalogIssue object_issue(const ObjectDef& object, const std::string& where, std::string message) {
  return {"catalog", "object '" + object.name + "' " + where, std::move(message)};
}

CompileResult check_formula(const Catalog& catalog, const ObjectDef& object, const std::string& where,
                            const std::string& what, const std::string& source, std::optional<FormulaType> expected,
                            std::vector<CatalogIssue>& issues) {
  auto compiled = compile_formula(catalog, object.name, source, {.expected = expected});
  if (!compiled.ok())
    issues.push_back(object_issue(object, where, what + " does not compile:\n" + render_diagnostics(compiled.diagnostics, source)));
  return compiled;
}

std::vector<CatalogIssue> check_action_list(const Catalog& catalog, const ObjectDef& object,
                                            const std::vector<WorkflowAction>& actions, const std::string& where) {
  return AutomationChecker(catalog).actions_only(object, actions, where);
}

CompileResult compile_merge_field(const Catalog& catalog, std::string_view object, const std::string& source) {
  auto compiled = compile_formula(catalog, object, source);
  bool picklist = std::any_of(compiled.diagnostics.begin(), compiled.diagnostics.end(),
                              [](const Diagnostic& d) { return d.code == "E_FORMULA_PICKLIST"; });
  if (compiled.ok() || !picklist) return compiled;
  auto as_text = compile_formula(catalog, object, "TEXT(" + source + ")");
  return as_text.ok() ? as_text : compiled;
}

}  // namespace hotcrm::detail
