// Service processes (approval processes, assignment rules, SLA) <-> catalog JSON. The JSON form is
// documented in docs/service.md; problems are reported with their JSON pointer, like the rest of
// the catalog.
#include "model/automation_json.hpp"

namespace hotcrm::detail {

namespace {

struct ProcessReader {
  JsonReader& reader;

  void issue(const std::string& path, const std::string& message) { reader.issue(path, message); }

  /// An array under `key` (absent: empty), each element read by `read_one(element, path)`.
  template <class T, class ReadOne>
  std::vector<T> list(const json& node, const char* key, const std::string& path, const char* what, ReadOne read_one) {
    std::vector<T> items;
    auto it = node.find(key);
    if (it == node.end()) return items;
    if (!it->is_array()) {
      issue(path + "/" + key, std::string("expected an array of ") + what);
      return items;
    }
    for (std::size_t i = 0; i < it->size(); ++i) items.push_back(read_one((*it)[i], path + "/" + key + "/" + std::to_string(i)));
    return items;
  }

  std::int32_t percent(const json& node, const char* key, const std::string& path, std::int32_t fallback) {
    auto value = reader.integer(node, key, path);
    if (!value) return fallback;
    if (*value < 1 || *value > 1000) issue(path + "/" + key, "expected a percentage from 1 to 1000");
    return *value;
  }

  // {"user": "u-1"}, {"manager": 1}, {"queue": "Discount Desk"}, {"field": "account_id.owner_id"}
  Approver approver(const json& node, const std::string& path) {
    Approver approver;
    if (!node.is_object() || node.size() != 1) {
      issue(path, "an approver is one of {\"user\": id}, {\"manager\": levels}, {\"queue\": name}, {\"field\": formula}");
      return approver;
    }
    const std::string key = node.begin().key();
    const json& value = node.begin().value();
    if (key == "manager") {
      approver.kind = Approver::Kind::manager;
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 20)
        issue(path + "/manager", "expected how many levels up the submitter's management chain (1 to 20)");
      else
        approver.levels = static_cast<std::int32_t>(value.get<std::int64_t>());
      return approver;
    }
    if (key == "user") approver.kind = Approver::Kind::user;
    else if (key == "queue") approver.kind = Approver::Kind::queue;
    else if (key == "field") approver.kind = Approver::Kind::field;
    else issue(path + "/" + key, "unknown approver kind '" + key + "' (expected user, manager, queue or field)");
    if (value.is_string() && !value.get<std::string>().empty()) approver.value = value.get<std::string>();
    else issue(path + "/" + key, "expected a non-empty string");
    return approver;
  }

  ApprovalStep step(const json& node, const std::string& path) {
    ApprovalStep step;
    if (!node.is_object()) {
      issue(path, "expected an approval step object");
      return step;
    }
    reader.check_keys(node, path, {"name", "description", "criteria", "approvers", "decision", "on_reject",
                                   "escalate_after", "escalate_to", "on_escalation"});
    step.name = reader.text(node, "name", path, true);
    step.criteria = reader.text(node, "criteria", path);
    step.approvers = list<Approver>(node, "approvers", path, "approvers", [&](const json& n, const std::string& p) { return approver(n, p); });
    if (step.approvers.empty()) issue(path + "/approvers", "a step needs at least one approver");
    auto decision = reader.text(node, "decision", path);
    if (decision == "unanimous") step.decision = ApprovalDecision::unanimous;
    else if (!decision.empty() && decision != "first_response")
      issue(path + "/decision", "unknown decision '" + decision + "' (expected first_response or unanimous)");
    auto reject = reader.text(node, "on_reject", path);
    if (reject == "back") step.on_reject = RejectBehavior::back;
    else if (!reject.empty() && reject != "final")
      issue(path + "/on_reject", "unknown on_reject '" + reject + "' (expected final or back)");
    if (auto it = node.find("escalate_after"); it != node.end())
      if (auto minutes = read_duration(reader, *it, path + "/escalate_after")) step.escalate_after_minutes = *minutes;
    step.escalate_to = list<Approver>(node, "escalate_to", path, "approvers", [&](const json& n, const std::string& p) { return approver(n, p); });
    step.on_escalation = read_actions(reader, node, "on_escalation", path);
    if (step.escalate_after_minutes == 0 && (!step.escalate_to.empty() || !step.on_escalation.empty()))
      issue(path + "/escalate_after", "escalate_to and on_escalation need escalate_after");
    return step;
  }

  ApprovalFields fields(const json& node, const std::string& path) {
    ApprovalFields fields;
    auto it = node.find("fields");
    if (it == node.end()) return fields;
    const auto at = path + "/fields";
    if (!it->is_object()) {
      issue(at, "expected an object naming the fields the engine keeps");
      return fields;
    }
    reader.check_keys(*it, at, {"status", "step", "approved_by", "approved_at", "rejected_by", "rejected_at"});
    fields.status = reader.text(*it, "status", at);
    fields.step = reader.text(*it, "step", at);
    fields.approved_by = reader.text(*it, "approved_by", at);
    fields.approved_at = reader.text(*it, "approved_at", at);
    fields.rejected_by = reader.text(*it, "rejected_by", at);
    fields.rejected_at = reader.text(*it, "rejected_at", at);
    return fields;
  }

  ApprovalProcess approval_process(const json& node, const std::string& path) {
    ApprovalProcess process;
    if (!node.is_object()) {
      issue(path, "expected an approval process object");
      return process;
    }
    reader.check_keys(node, path, {"name", "description", "entry_criteria", "order", "active", "lock", "allow_recall",
                                   "fields", "steps", "on_submit", "on_approve", "on_reject", "on_recall"});
    process.name = reader.text(node, "name", path, true);
    process.description = reader.text(node, "description", path);
    process.entry_criteria = reader.text(node, "entry_criteria", path);
    if (auto order = reader.integer(node, "order", path)) process.order = *order;
    process.active = node.contains("active") ? reader.flag(node, "active", path) : true;
    process.lock = node.contains("lock") ? reader.flag(node, "lock", path) : true;
    process.allow_recall = node.contains("allow_recall") ? reader.flag(node, "allow_recall", path) : true;
    process.fields = fields(node, path);
    process.steps = list<ApprovalStep>(node, "steps", path, "steps", [&](const json& n, const std::string& p) { return step(n, p); });
    if (process.steps.empty()) issue(path + "/steps", "an approval process needs at least one step");
    process.on_submit = read_actions(reader, node, "on_submit", path);
    process.on_approve = read_actions(reader, node, "on_approve", path);
    process.on_reject = read_actions(reader, node, "on_reject", path);
    process.on_recall = read_actions(reader, node, "on_recall", path);
    return process;
  }

  AssignmentEntry assignment_entry(const json& node, const std::string& path) {
    AssignmentEntry entry;
    if (!node.is_object()) {
      issue(path, "expected an assignment entry object");
      return entry;
    }
    reader.check_keys(node, path, {"criteria", "user", "queue", "description"});
    entry.criteria = reader.text(node, "criteria", path);
    entry.user = reader.text(node, "user", path);
    entry.queue = reader.text(node, "queue", path);
    if (entry.user.empty() == entry.queue.empty()) issue(path, "an assignment entry needs exactly one of 'user' or 'queue'");
    return entry;
  }

  AssignmentRules assignment(const json& node, const std::string& path) {
    AssignmentRules rules;
    if (!node.is_object()) {
      issue(path, "expected an assignment object");
      return rules;
    }
    reader.check_keys(node, path, {"field", "queue_field", "condition", "open_condition", "rule_records", "entries", "description"});
    rules.description = reader.text(node, "description", path);
    if (node.contains("field")) rules.field = reader.text(node, "field", path);
    rules.queue_field = reader.text(node, "queue_field", path);
    rules.condition = reader.text(node, "condition", path);
    rules.open_condition = reader.text(node, "open_condition", path);
    rules.rule_records = reader.flag(node, "rule_records", path);
    rules.entries = list<AssignmentEntry>(node, "entries", path, "entries",
                                          [&](const json& n, const std::string& p) { return assignment_entry(n, p); });
    if (rules.entries.empty() && !rules.rule_records) issue(path, "assignment needs entries or rule_records");
    return rules;
  }

  SlaMilestone milestone(const json& node, const std::string& path) {
    SlaMilestone milestone;
    if (!node.is_object()) {
      issue(path, "expected a milestone object");
      return milestone;
    }
    reader.check_keys(node, path, {"name", "description", "start_when", "target_minutes", "complete_when", "due_field",
                                   "warning_percent", "on_warning", "on_violation", "on_completion", "escalations"});
    milestone.name = reader.text(node, "name", path, true);
    milestone.start_when = reader.text(node, "start_when", path);
    milestone.target_minutes = reader.text(node, "target_minutes", path, true);
    milestone.complete_when = reader.text(node, "complete_when", path, true);
    milestone.due_field = reader.text(node, "due_field", path);
    milestone.warning_percent = node.contains("warning_percent") ? percent(node, "warning_percent", path, 0) : 0;
    milestone.on_warning = read_actions(reader, node, "on_warning", path);
    milestone.on_violation = read_actions(reader, node, "on_violation", path);
    milestone.on_completion = read_actions(reader, node, "on_completion", path);
    milestone.escalations = list<SlaMilestone::Escalation>(node, "escalations", path, "escalation levels",
                                                           [&](const json& n, const std::string& p) {
      SlaMilestone::Escalation level;
      if (!n.is_object()) {
        issue(p, "expected an escalation level object");
        return level;
      }
      reader.check_keys(n, p, {"percent", "actions"});
      level.percent = percent(n, "percent", p, 100);
      level.actions = read_actions(reader, n, "actions", p);
      if (level.actions.empty()) issue(p + "/actions", "an escalation level needs actions");
      return level;
    });
    return milestone;
  }

  SlaDefinition sla(const json& node, const std::string& path) {
    SlaDefinition sla;
    if (!node.is_object()) {
      issue(path, "expected an SLA object");
      return sla;
    }
    reader.check_keys(node, path, {"name", "description", "business_hours", "pause_when", "milestones"});
    sla.name = reader.text(node, "name", path, true);
    sla.description = reader.text(node, "description", path);
    sla.business_hours = reader.text(node, "business_hours", path);
    sla.pause_when = reader.text(node, "pause_when", path);
    sla.milestones = list<SlaMilestone>(node, "milestones", path, "milestones",
                                        [&](const json& n, const std::string& p) { return milestone(n, p); });
    if (sla.milestones.empty()) issue(path + "/milestones", "an SLA needs at least one milestone");
    return sla;
  }
};

// ---- writing ----

json approver_to_json(const Approver& approver) {
  switch (approver.kind) {
    case Approver::Kind::user: return {{"user", approver.value}};
    case Approver::Kind::manager: return {{"manager", approver.levels}};
    case Approver::Kind::queue: return {{"queue", approver.value}};
    case Approver::Kind::field: return {{"field", approver.value}};
  }
  return {};
}

json approvers_to_json(const std::vector<Approver>& approvers) {
  json list = json::array();
  for (const auto& approver : approvers) list.push_back(approver_to_json(approver));
  return list;
}

void put_text(json& node, const char* key, const std::string& value) {
  if (!value.empty()) node[key] = value;
}

void put_actions(json& node, const char* key, const std::vector<WorkflowAction>& actions) {
  if (!actions.empty()) node[key] = write_actions(actions);
}

json step_to_json(const ApprovalStep& step) {
  json node{{"name", step.name}};
  put_text(node, "criteria", step.criteria);
  node["approvers"] = approvers_to_json(step.approvers);
  if (step.decision == ApprovalDecision::unanimous) node["decision"] = "unanimous";
  if (step.on_reject == RejectBehavior::back) node["on_reject"] = "back";
  if (step.escalate_after_minutes > 0) node["escalate_after"] = write_duration(step.escalate_after_minutes);
  if (!step.escalate_to.empty()) node["escalate_to"] = approvers_to_json(step.escalate_to);
  put_actions(node, "on_escalation", step.on_escalation);
  return node;
}

json process_to_json(const ApprovalProcess& process) {
  json node{{"name", process.name}};
  put_text(node, "description", process.description);
  put_text(node, "entry_criteria", process.entry_criteria);
  if (process.order != 0) node["order"] = process.order;
  if (!process.active) node["active"] = false;
  if (!process.lock) node["lock"] = false;
  if (!process.allow_recall) node["allow_recall"] = false;
  json fields = json::object();
  put_text(fields, "status", process.fields.status);
  put_text(fields, "step", process.fields.step);
  put_text(fields, "approved_by", process.fields.approved_by);
  put_text(fields, "approved_at", process.fields.approved_at);
  put_text(fields, "rejected_by", process.fields.rejected_by);
  put_text(fields, "rejected_at", process.fields.rejected_at);
  if (!fields.empty()) node["fields"] = std::move(fields);
  json steps = json::array();
  for (const auto& step : process.steps) steps.push_back(step_to_json(step));
  node["steps"] = std::move(steps);
  put_actions(node, "on_submit", process.on_submit);
  put_actions(node, "on_approve", process.on_approve);
  put_actions(node, "on_reject", process.on_reject);
  put_actions(node, "on_recall", process.on_recall);
  return node;
}

json assignment_to_json(const AssignmentRules& rules) {
  json node{{"field", rules.field}};
  put_text(node, "description", rules.description);
  put_text(node, "queue_field", rules.queue_field);
  put_text(node, "condition", rules.condition);
  put_text(node, "open_condition", rules.open_condition);
  if (rules.rule_records) node["rule_records"] = true;
  json entries = json::array();
  for (const auto& entry : rules.entries) {
    json item = json::object();
    put_text(item, "criteria", entry.criteria);
    put_text(item, "user", entry.user);
    put_text(item, "queue", entry.queue);
    entries.push_back(std::move(item));
  }
  if (!entries.empty()) node["entries"] = std::move(entries);
  return node;
}

json sla_to_json(const SlaDefinition& sla) {
  json node{{"name", sla.name}};
  put_text(node, "description", sla.description);
  put_text(node, "business_hours", sla.business_hours);
  put_text(node, "pause_when", sla.pause_when);
  json milestones = json::array();
  for (const auto& milestone : sla.milestones) {
    json item{{"name", milestone.name}};
    put_text(item, "start_when", milestone.start_when);
    item["target_minutes"] = milestone.target_minutes;
    item["complete_when"] = milestone.complete_when;
    put_text(item, "due_field", milestone.due_field);
    if (milestone.warning_percent > 0) item["warning_percent"] = milestone.warning_percent;
    put_actions(item, "on_warning", milestone.on_warning);
    put_actions(item, "on_violation", milestone.on_violation);
    put_actions(item, "on_completion", milestone.on_completion);
    if (!milestone.escalations.empty()) {
      json levels = json::array();
      for (const auto& level : milestone.escalations)
        levels.push_back({{"percent", level.percent}, {"actions", write_actions(level.actions)}});
      item["escalations"] = std::move(levels);
    }
    milestones.push_back(std::move(item));
  }
  node["milestones"] = std::move(milestones);
  return node;
}

}  // namespace

void read_processes(JsonReader& reader, const json& node, const std::string& path, ObjectDef& object) {
  ProcessReader processes{reader};
  object.approval_processes = processes.list<ApprovalProcess>(
      node, "approval_processes", path, "approval processes",
      [&](const json& n, const std::string& p) { return processes.approval_process(n, p); });
  if (auto it = node.find("assignment"); it != node.end()) object.assignment = processes.assignment(*it, path + "/assignment");
  if (auto it = node.find("sla"); it != node.end()) object.sla = processes.sla(*it, path + "/sla");
}

void write_processes(const ObjectDef& object, json& node) {
  if (!object.approval_processes.empty()) {
    json list = json::array();
    for (const auto& process : object.approval_processes) list.push_back(process_to_json(process));
    node["approval_processes"] = std::move(list);
  }
  if (object.assignment) node["assignment"] = assignment_to_json(*object.assignment);
  if (object.sla) node["sla"] = sla_to_json(*object.sla);
}

}  // namespace hotcrm::detail
