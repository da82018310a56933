// Automation metadata <-> JSON. The JSON form is documented in docs/workflow.md; every problem is
// reported with its JSON pointer, like the rest of the catalog.
#include "model/automation_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace hotcrm {
inline namespace v0 {

std::string_view to_string(WorkflowTrigger trigger) noexcept {
  switch (trigger) {
    case WorkflowTrigger::on_create: return "on_create";
    case WorkflowTrigger::on_update: return "on_update";
    case WorkflowTrigger::on_create_or_update: return "on_create_or_update";
    case WorkflowTrigger::on_delete: return "on_delete";
  }
  return "?";
}

std::string_view to_string(Evaluation evaluation) noexcept {
  return evaluation == Evaluation::every_time ? "every_time" : "newly_meets";
}

std::string_view to_string(CatchUp catch_up) noexcept { return catch_up == CatchUp::latest ? "latest" : "all"; }

const StateDef* StateMachine::find_state(std::string_view state) const noexcept {
  for (const auto& candidate : states)
    if (candidate.name == state) return &candidate;
  return nullptr;
}

}  // namespace v0
}  // namespace hotcrm

namespace hotcrm::detail {

namespace {

constexpr std::array<std::pair<std::string_view, WorkflowAction::Kind>, 6> kActionKinds{{
    {"field_update", WorkflowAction::Kind::field_update},
    {"create_record", WorkflowAction::Kind::create_record},
    {"email", WorkflowAction::Kind::email},
    {"webhook", WorkflowAction::Kind::webhook},
    {"custom", WorkflowAction::Kind::custom},
    {"score", WorkflowAction::Kind::score},
}};

constexpr std::array<std::pair<std::string_view, WorkflowTrigger>, 4> kTriggers{{
    {"on_create", WorkflowTrigger::on_create},
    {"on_update", WorkflowTrigger::on_update},
    {"on_create_or_update", WorkflowTrigger::on_create_or_update},
    {"on_delete", WorkflowTrigger::on_delete},
}};

constexpr std::array<std::pair<std::string_view, std::int64_t>, 4> kDurationUnits{{
    {"minute", 1}, {"hour", 60}, {"day", 24 * 60}, {"week", 7 * 24 * 60},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, Enum>, N>& table, Enum value) {
  for (const auto& [name, candidate] : table)
    if (candidate == value) return name;
  return "?";
}

template <class Enum, std::size_t N>
std::string names_of(const std::array<std::pair<std::string_view, Enum>, N>& table) {
  std::string names;
  for (const auto& [name, value] : table) names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

/// Reads automation nodes; `Reader` is the shared catalog JSON reader (issues with JSON pointers).
struct AutomationReader {
  JsonReader& reader;

  void issue(const std::string& path, const std::string& message) { reader.issue(path, message); }

  template <class Enum, std::size_t N>
  std::optional<Enum> choice(const json& node, const char* key, const std::string& path,
                             const std::array<std::pair<std::string_view, Enum>, N>& table) {
    auto text = reader.text(node, key, path);
    if (text.empty()) return std::nullopt;
    for (const auto& [name, value] : table)
      if (name == text) return value;
    issue(path + "/" + key, "unknown " + std::string(key) + " '" + text + "' (expected one of " + names_of(table) + ")");
    return std::nullopt;
  }

  /// "4 hours", "7 days", "30 minutes", "1 week"; `sign` -1 for "before".
  std::optional<std::int64_t> duration(const json& node, const std::string& path) {
    if (!node.is_string()) {
      issue(path, "expected a duration such as \"4 hours\" or \"7 days\"");
      return std::nullopt;
    }
    auto text = node.get<std::string>();
    std::int64_t amount = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
    std::string unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
    if (!unit.empty() && unit.back() == 's') unit.pop_back();
    if (error == std::errc() && amount >= 0 && amount <= 1'000'000)
      for (const auto& [name, minutes] : kDurationUnits)
        if (unit == name) return amount * minutes;
    issue(path, "invalid duration '" + text + "' (expected a count and minutes, hours, days or weeks)");
    return std::nullopt;
  }

  /// A value: a JSON literal, {"formula": "..."} or {"template": "..."}; with `strings_are_templates`
  /// a plain string is a template (subjects, bodies, addresses, URLs), else a literal.
  ActionValue value(const json& node, const std::string& path, bool strings_are_templates) {
    if (node.is_object()) {
      if (node.size() == 1 && node.begin().value().is_string()) {
        if (node.contains("formula")) return ActionValue::formula(node["formula"].get<std::string>());
        if (node.contains("template")) return ActionValue::text_template(node["template"].get<std::string>());
        if (node.contains("sequence")) return ActionValue::sequence(node["sequence"].get<std::string>());
      }
      issue(path, "a value object must be {\"formula\": \"...\"}, {\"template\": \"...\"} or {\"sequence\": \"...\"}");
      return {};
    }
    if (strings_are_templates && node.is_string()) return ActionValue::text_template(node.get<std::string>());
    if (node.is_array()) {
      issue(path, "expected a single value, {\"formula\": ...} or {\"template\": ...}");
      return {};
    }
    return ActionValue::of(reader.literal(node, path));
  }

  std::vector<std::pair<std::string, ActionValue>> named_values(const json& node, const char* key,
                                                                const std::string& path) {
    std::vector<std::pair<std::string, ActionValue>> values;
    auto it = node.find(key);
    if (it == node.end()) return values;
    if (!it->is_object()) {
      issue(path + "/" + key, "expected an object of field: value");
      return values;
    }
    for (const auto& item : it->items())
      values.emplace_back(item.key(), value(item.value(), path + "/" + key + "/" + item.key(), false));
    return values;
  }

  WorkflowAction action(const json& node, const std::string& path) {
    WorkflowAction action;
    if (!node.is_object()) {
      issue(path, "expected an action object");
      return action;
    }
    auto kind = choice(node, "type", path, kActionKinds);
    if (!node.contains("type")) issue(path + "/type", "missing required attribute 'type' (" + names_of(kActionKinds) + ")");
    if (kind) action.kind = *kind;
    action.condition = reader.text(node, "condition", path);
    switch (action.kind) {
      case WorkflowAction::Kind::field_update:
        reader.check_keys(node, path, {"type", "condition", "field", "target", "value"});
        action.field = reader.text(node, "field", path, true);
        action.target = reader.text(node, "target", path);
        if (auto it = node.find("value"); it != node.end()) action.value = value(*it, path + "/value", false);
        else issue(path + "/value", "missing required attribute 'value'");
        break;
      case WorkflowAction::Kind::create_record:
        reader.check_keys(node, path, {"type", "condition", "object", "values"});
        action.object = reader.text(node, "object", path, true);
        action.values = named_values(node, "values", path);
        break;
      case WorkflowAction::Kind::email:
        reader.check_keys(node, path, {"type", "condition", "template", "to", "subject", "body"});
        action.template_name = reader.text(node, "template", path, true);
        if (auto it = node.find("to"); it != node.end() && it->is_array() && !it->empty()) {
          for (std::size_t i = 0; i < it->size(); ++i)
            action.recipients.push_back(value((*it)[i], path + "/to/" + std::to_string(i), true));
        } else {
          issue(path + "/to", "expected a non-empty array of recipients");
        }
        if (auto it = node.find("subject"); it != node.end()) action.subject = value(*it, path + "/subject", true);
        if (auto it = node.find("body"); it != node.end()) action.body = value(*it, path + "/body", true);
        break;
      case WorkflowAction::Kind::webhook:
        reader.check_keys(node, path, {"type", "condition", "method", "url", "body"});
        if (node.contains("method")) action.method = reader.text(node, "method", path);
        if (action.method != "POST" && action.method != "PUT" && action.method != "PATCH" && action.method != "DELETE" &&
            action.method != "GET")
          issue(path + "/method", "unknown HTTP method '" + action.method + "'");
        if (auto it = node.find("url"); it != node.end()) action.url = value(*it, path + "/url", true);
        else issue(path + "/url", "missing required attribute 'url'");
        if (auto it = node.find("body"); it != node.end()) action.body_json = it->dump();
        break;
      case WorkflowAction::Kind::custom:
        reader.check_keys(node, path, {"type", "condition", "name", "parameters"});
        action.name = reader.text(node, "name", path, true);
        action.values = named_values(node, "parameters", path);
        break;
      case WorkflowAction::Kind::score:
        reader.check_keys(node, path, {"type", "condition", "model", "field"});
        action.model = reader.text(node, "model", path, true);
        action.field = reader.text(node, "field", path, true);
        break;
    }
    return action;
  }

  std::vector<WorkflowAction> actions(const json& node, const char* key, const std::string& path) {
    std::vector<WorkflowAction> list;
    auto it = node.find(key);
    if (it == node.end()) return list;
    if (!it->is_array()) {
      issue(path + "/" + key, "expected an array of actions");
      return list;
    }
    for (std::size_t i = 0; i < it->size(); ++i)
      list.push_back(action((*it)[i], path + "/" + key + "/" + std::to_string(i)));
    return list;
  }

  TimeTrigger time_trigger(const json& node, const std::string& path) {
    TimeTrigger trigger;
    if (!node.is_object()) {
      issue(path, "expected a time trigger object");
      return trigger;
    }
    reader.check_keys(node, path, {"after", "before", "field", "actions"});
    if (node.contains("after") == node.contains("before"))
      issue(path, "a time trigger needs exactly one of 'after' or 'before'");
    else if (auto minutes = duration(node.contains("after") ? node["after"] : node["before"],
                                     path + (node.contains("after") ? "/after" : "/before")))
      trigger.offset_minutes = node.contains("after") ? *minutes : -*minutes;
    trigger.field = reader.text(node, "field", path);
    if (node.contains("before") && trigger.field.empty())
      issue(path + "/field", "'before' needs the date field it counts back from");
    trigger.actions = actions(node, "actions", path);
    return trigger;
  }

  WorkflowRule workflow_rule(const json& node, const std::string& path) {
    WorkflowRule rule;
    if (!node.is_object()) {
      issue(path, "expected a workflow rule object");
      return rule;
    }
    reader.check_keys(node, path, {"name", "description", "trigger", "evaluation", "condition", "order", "active",
                                   "actions", "time_triggers"});
    rule.name = reader.text(node, "name", path, true);
    if (auto trigger = choice(node, "trigger", path, kTriggers)) rule.trigger = *trigger;
    auto evaluation = reader.text(node, "evaluation", path);
    if (evaluation == "newly_meets") rule.evaluation = Evaluation::newly_meets;
    else if (!evaluation.empty() && evaluation != "every_time")
      issue(path + "/evaluation", "unknown evaluation '" + evaluation + "' (expected every_time or newly_meets)");
    rule.condition = reader.text(node, "condition", path);
    if (auto order = node.find("order"); order != node.end()) {
      if (order->is_number_integer()) rule.order = static_cast<std::int32_t>(order->get<std::int64_t>());
      else issue(path + "/order", "expected an integer");
    }
    rule.active = node.contains("active") ? reader.flag(node, "active", path) : true;
    rule.actions = actions(node, "actions", path);
    if (auto triggers = node.find("time_triggers"); triggers != node.end()) {
      if (!triggers->is_array()) issue(path + "/time_triggers", "expected an array of time triggers");
      else
        for (std::size_t i = 0; i < triggers->size(); ++i)
          rule.time_triggers.push_back(time_trigger((*triggers)[i], path + "/time_triggers/" + std::to_string(i)));
    }
    if (rule.actions.empty() && rule.time_triggers.empty()) issue(path, "a workflow rule needs actions or time triggers");
    return rule;
  }

  ScheduledRule scheduled_rule(const json& node, const std::string& path) {
    ScheduledRule rule;
    if (!node.is_object()) {
      issue(path, "expected a scheduled rule object");
      return rule;
    }
    reader.check_keys(node, path, {"name", "description", "cron", "time_zone", "filter", "catch_up", "active", "actions"});
    rule.name = reader.text(node, "name", path, true);
    rule.cron = reader.text(node, "cron", path, true);
    if (node.contains("time_zone")) rule.time_zone = reader.text(node, "time_zone", path);
    rule.filter = reader.text(node, "filter", path);
    auto catch_up = reader.text(node, "catch_up", path);
    if (catch_up == "all") rule.catch_up = CatchUp::all;
    else if (!catch_up.empty() && catch_up != "latest")
      issue(path + "/catch_up", "unknown catch_up '" + catch_up + "' (expected latest or all)");
    rule.active = node.contains("active") ? reader.flag(node, "active", path) : true;
    rule.actions = actions(node, "actions", path);
    if (rule.actions.empty()) issue(path + "/actions", "a scheduled rule needs actions");
    return rule;
  }

  StateDef state(const json& node, const std::string& path) {
    StateDef state;
    if (!node.is_object()) {
      issue(path, "expected a state object");
      return state;
    }
    reader.check_keys(node, path, {"name", "description", "final", "on_entry", "on_exit", "timeout"});
    state.name = reader.text(node, "name", path, true);
    state.final = reader.flag(node, "final", path);
    state.on_entry = actions(node, "on_entry", path);
    state.on_exit = actions(node, "on_exit", path);
    if (auto timeout = node.find("timeout"); timeout != node.end()) {
      const auto timeout_path = path + "/timeout";
      StateTimeout parsed;
      if (!timeout->is_object()) {
        issue(timeout_path, "expected a timeout object");
      } else {
        reader.check_keys(*timeout, timeout_path, {"after", "event", "condition", "actions"});
        if (auto it = timeout->find("after"); it != timeout->end()) {
          if (auto minutes = duration(*it, timeout_path + "/after")) parsed.after_minutes = *minutes;
        } else {
          issue(timeout_path + "/after", "missing required attribute 'after'");
        }
        parsed.event = reader.text(*timeout, "event", timeout_path);
        parsed.condition = reader.text(*timeout, "condition", timeout_path);
        parsed.actions = actions(*timeout, "actions", timeout_path);
        if (parsed.event.empty() && parsed.actions.empty())
          issue(timeout_path, "a timeout needs an event or actions");
      }
      state.timeout = std::move(parsed);
    }
    return state;
  }

  Transition transition(const json& node, const std::string& path) {
    Transition transition;
    if (!node.is_object()) {
      issue(path, "expected a transition object");
      return transition;
    }
    reader.check_keys(node, path, {"event", "description", "from", "to", "guard", "actions"});
    transition.event = reader.text(node, "event", path, true);
    transition.to = reader.text(node, "to", path, true);
    transition.guard = reader.text(node, "guard", path);
    if (auto from = node.find("from"); from != node.end()) {
      if (from->is_string()) {
        transition.from.push_back(from->get<std::string>());
      } else if (from->is_array() && std::all_of(from->begin(), from->end(), [](const json& s) { return s.is_string(); })) {
        for (const auto& state : *from) transition.from.push_back(state.get<std::string>());
      } else {
        issue(path + "/from", "expected a state name or an array of state names");
      }
    }
    transition.actions = actions(node, "actions", path);
    return transition;
  }

  StateMachine state_machine(const json& node, const std::string& path) {
    StateMachine machine;
    if (!node.is_object()) {
      issue(path, "expected a state machine object");
      return machine;
    }
    reader.check_keys(node, path, {"name", "description", "field", "initial", "states", "transitions"});
    machine.name = reader.text(node, "name", path, true);
    machine.field = reader.text(node, "field", path, true);
    machine.initial = reader.text(node, "initial", path, true);
    auto states = node.find("states");
    if (states == node.end() || !states->is_array() || states->empty()) issue(path + "/states", "expected an array of states");
    else
      for (std::size_t i = 0; i < states->size(); ++i)
        machine.states.push_back(state((*states)[i], path + "/states/" + std::to_string(i)));
    if (auto transitions = node.find("transitions"); transitions != node.end()) {
      if (!transitions->is_array()) issue(path + "/transitions", "expected an array of transitions");
      else
        for (std::size_t i = 0; i < transitions->size(); ++i)
          machine.transitions.push_back(transition((*transitions)[i], path + "/transitions/" + std::to_string(i)));
    }
    return machine;
  }
};

// ---- writing ----

json value_to_json(const ActionValue& value, bool strings_are_templates) {
  switch (value.kind) {
    case ActionValue::Kind::formula: return json{{"formula", value.source}};
    case ActionValue::Kind::sequence: return json{{"sequence", value.source}};
    case ActionValue::Kind::text_template:
      return strings_are_templates ? json(value.source) : json{{"template", value.source}};
    case ActionValue::Kind::literal: break;
  }
  return json::parse(value.literal.to_json());
}

json duration_to_json(std::int64_t minutes) {
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it)
    if (minutes % it->second == 0) {
      auto count = minutes / it->second;
      return std::to_string(count) + " " + std::string(it->first) + (count == 1 ? "" : "s");
    }
  return std::to_string(minutes) + " minutes";
}

json action_to_json(const WorkflowAction& action) {
  json node{{"type", std::string(name_of(kActionKinds, action.kind))}};
  if (!action.condition.empty()) node["condition"] = action.condition;
  auto named = [](const std::vector<std::pair<std::string, ActionValue>>& values) {
    json object = json::object();
    for (const auto& [name, value] : values) object[name] = value_to_json(value, false);
    return object;
  };
  switch (action.kind) {
    case WorkflowAction::Kind::field_update:
      node["field"] = action.field;
      if (!action.target.empty()) node["target"] = action.target;
      node["value"] = value_to_json(action.value, false);
      break;
    case WorkflowAction::Kind::create_record:
      node["object"] = action.object;
      node["values"] = named(action.values);
      break;
    case WorkflowAction::Kind::email: {
      node["template"] = action.template_name;
      json to = json::array();
      for (const auto& recipient : action.recipients) to.push_back(value_to_json(recipient, true));
      node["to"] = std::move(to);
      if (action.subject.kind != ActionValue::Kind::literal || !action.subject.literal.is_null())
        node["subject"] = value_to_json(action.subject, true);
      if (action.body.kind != ActionValue::Kind::literal || !action.body.literal.is_null())
        node["body"] = value_to_json(action.body, true);
      break;
    }
    case WorkflowAction::Kind::webhook:
      node["method"] = action.method;
      node["url"] = value_to_json(action.url, true);
      if (!action.body_json.empty()) node["body"] = json::parse(action.body_json);
      break;
    case WorkflowAction::Kind::custom:
      node["name"] = action.name;
      if (!action.values.empty()) node["parameters"] = named(action.values);
      break;
    case WorkflowAction::Kind::score:
      node["model"] = action.model;
      node["field"] = action.field;
      break;
  }
  return node;
}

json actions_to_json(const std::vector<WorkflowAction>& actions) {
  json list = json::array();
  for (const auto& action : actions) list.push_back(action_to_json(action));
  return list;
}

json workflow_rule_to_json(const WorkflowRule& rule) {
  json node{{"name", rule.name}, {"trigger", std::string(to_string(rule.trigger))}};
  if (rule.evaluation != Evaluation::every_time) node["evaluation"] = std::string(to_string(rule.evaluation));
  if (!rule.condition.empty()) node["condition"] = rule.condition;
  if (rule.order != 0) node["order"] = rule.order;
  if (!rule.active) node["active"] = false;
  if (!rule.actions.empty()) node["actions"] = actions_to_json(rule.actions);
  if (!rule.time_triggers.empty()) {
    json triggers = json::array();
    for (const auto& trigger : rule.time_triggers) {
      json item;
      item[trigger.offset_minutes < 0 ? "before" : "after"] =
          duration_to_json(trigger.offset_minutes < 0 ? -trigger.offset_minutes : trigger.offset_minutes);
      if (!trigger.field.empty()) item["field"] = trigger.field;
      item["actions"] = actions_to_json(trigger.actions);
      triggers.push_back(std::move(item));
    }
    node["time_triggers"] = std::move(triggers);
  }
  return node;
}

json scheduled_rule_to_json(const ScheduledRule& rule) {
  json node{{"name", rule.name}, {"cron", rule.cron}, {"time_zone", rule.time_zone}};
  if (!rule.filter.empty()) node["filter"] = rule.filter;
  if (rule.catch_up != CatchUp::latest) node["catch_up"] = std::string(to_string(rule.catch_up));
  if (!rule.active) node["active"] = false;
  node["actions"] = actions_to_json(rule.actions);
  return node;
}

json state_machine_to_json(const StateMachine& machine) {
  json states = json::array();
  for (const auto& state : machine.states) {
    json item{{"name", state.name}};
    if (state.final) item["final"] = true;
    if (!state.on_entry.empty()) item["on_entry"] = actions_to_json(state.on_entry);
    if (!state.on_exit.empty()) item["on_exit"] = actions_to_json(state.on_exit);
    if (state.timeout) {
      json timeout{{"after", duration_to_json(state.timeout->after_minutes)}};
      if (!state.timeout->event.empty()) timeout["event"] = state.timeout->event;
      if (!state.timeout->condition.empty()) timeout["condition"] = state.timeout->condition;
      if (!state.timeout->actions.empty()) timeout["actions"] = actions_to_json(state.timeout->actions);
      item["timeout"] = std::move(timeout);
    }
    states.push_back(std::move(item));
  }
  json transitions = json::array();
  for (const auto& transition : machine.transitions) {
    json item{{"event", transition.event}};
    if (transition.from.size() == 1) item["from"] = transition.from.front();
    else if (!transition.from.empty()) item["from"] = transition.from;
    item["to"] = transition.to;
    if (!transition.guard.empty()) item["guard"] = transition.guard;
    if (!transition.actions.empty()) item["actions"] = actions_to_json(transition.actions);
    transitions.push_back(std::move(item));
  }
  return json{{"name", machine.name}, {"field", machine.field}, {"initial", machine.initial},
              {"states", std::move(states)}, {"transitions", std::move(transitions)}};
}

}  // namespace

void read_automation(JsonReader& reader, const json& node, const std::string& path, ObjectDef& object) {
  AutomationReader automation{reader};
  if (auto rules = node.find("workflow_rules"); rules != node.end()) {
    if (!rules->is_array()) reader.issue(path + "/workflow_rules", "expected an array of workflow rules");
    else
      for (std::size_t i = 0; i < rules->size(); ++i)
        object.workflow_rules.push_back(
            automation.workflow_rule((*rules)[i], path + "/workflow_rules/" + std::to_string(i)));
  }
  if (auto rules = node.find("scheduled_rules"); rules != node.end()) {
    if (!rules->is_array()) reader.issue(path + "/scheduled_rules", "expected an array of scheduled rules");
    else
      for (std::size_t i = 0; i < rules->size(); ++i)
        object.scheduled_rules.push_back(
            automation.scheduled_rule((*rules)[i], path + "/scheduled_rules/" + std::to_string(i)));
  }
  if (auto machine = node.find("state_machine"); machine != node.end())
    object.state_machine = automation.state_machine(*machine, path + "/state_machine");
}

void write_automation(const ObjectDef& object, json& node) {
  if (!object.workflow_rules.empty()) {
    json rules = json::array();
    for (const auto& rule : object.workflow_rules) rules.push_back(workflow_rule_to_json(rule));
    node["workflow_rules"] = std::move(rules);
  }
  if (!object.scheduled_rules.empty()) {
    json rules = json::array();
    for (const auto& rule : object.scheduled_rules) rules.push_back(scheduled_rule_to_json(rule));
    node["scheduled_rules"] = std::move(rules);
  }
  if (object.state_machine) node["state_machine"] = state_machine_to_json(*object.state_machine);
}

std::vector<WorkflowAction> read_actions(JsonReader& reader, const json& node, const char* key, const std::string& path) {
  return AutomationReader{reader}.actions(node, key, path);
}

std::optional<std::int64_t> read_duration(JsonReader& reader, const json& node, const std::string& path) {
  return AutomationReader{reader}.duration(node, path);
}

json write_actions(const std::vector<WorkflowAction>& actions) { return actions_to_json(actions); }

json write_duration(std::int64_t minutes) { return duration_to_json(minutes); }

}  // namespace hotcrm::detail
