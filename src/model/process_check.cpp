// Load-time checks of the service processes: every formula type-checks, every field the engine
// keeps exists with a type it can hold, and the objects a process reads (user, queue,
// queue_member, business_hours) are in the catalog with the fields it reads.
#include <set>

#include "model/automation_check.hpp"

namespace hotcrm::detail {

namespace {

bool is_user_reference(const FieldDef& field) {
  return field.name == "owner_id" || (field.is_reference() && field.reference == "user") ||
         field.type == FieldType::text;
}

class ProcessChecker {
 public:
  explicit ProcessChecker(const Catalog& catalog) : catalog_(catalog) {}

  std::vector<CatalogIssue> run() {
    for (const auto& object : catalog_.objects()) {
      std::set<std::string> names;
      for (const auto& process : object.approval_processes) {
        if (!names.insert(process.name).second) issue(object, "approval process '" + process.name + "'", "duplicate name");
        check_process(object, process);
      }
      if (object.assignment) check_assignment(object, *object.assignment);
      if (object.sla) check_sla(object, *object.sla);
    }
    return std::move(issues_);
  }

 private:
  void issue(const ObjectDef& object, const std::string& where, const std::string& message) {
    issues_.push_back(object_issue(object, where, message));
  }

  /// An optional formula (empty: not given) of the expected type.
  void formula(const ObjectDef& object, const std::string& where, const std::string& what, const std::string& source,
               std::optional<FormulaType> expected) {
    if (!source.empty()) check_formula(catalog_, object, where, what, source, expected, issues_);
  }

  /// A formula giving a record or user id: text, or a lookup (id).
  void id_formula(const ObjectDef& object, const std::string& where, const std::string& what, const std::string& source) {
    auto compiled = check_formula(catalog_, object, where, what, source, std::nullopt, issues_);
    if (!compiled.ok()) return;
    auto type = compiled.formula->result_type();
    if (type != FormulaType::text && type != FormulaType::id)
      issue(object, where, what + " '" + source + "' gives " + std::string(to_string(type)) + ", not an id");
  }

  void actions(const ObjectDef& object, const std::vector<WorkflowAction>& list, const std::string& where) {
    auto found = check_action_list(catalog_, object, list, where);
    issues_.insert(issues_.end(), found.begin(), found.end());
  }

  /// `object` must be in the catalog with `fields`; the feature at `where` reads them.
  bool needs_object(const ObjectDef& object, const std::string& where, const std::string& needed,
                std::initializer_list<const char*> fields) {
    const auto* other = catalog_.find(needed);
    if (!other) {
      issue(object, where, "needs the object '" + needed + "' in the catalog");
      return false;
    }
    bool ok = true;
    for (const char* field : fields)
      if (!other->find_field(field)) {
        issue(object, where, "needs the field '" + needed + "." + field + "'");
        ok = false;
      }
    return ok;
  }

  /// A field the engine writes: it must exist, be stored, and have one of the `allowed` types.
  void kept_field(const ObjectDef& object, const std::string& where, const std::string& name,
                  std::initializer_list<FieldType> allowed, const char* expected) {
    if (name.empty()) return;
    const auto* field = object.find_field(name);
    if (!field) {
      issue(object, where, "'" + name + "' is not a field of " + object.name);
      return;
    }
    bool fits = false;
    for (auto type : allowed) fits = fits || field->type == type;
    if (!fits || field->rollup || (is_system_field(name) && name != "owner_id"))
      issue(object, where, object.name + "." + name + " must be " + expected + " the engine can write");
  }

  void check_approvers(const ObjectDef& object, const std::vector<Approver>& approvers, const std::string& where) {
    for (const auto& approver : approvers) {
      switch (approver.kind) {
        case Approver::Kind::user: break;
        case Approver::Kind::manager: break;  // a catalog whose user has no manager_id finds no approver (at submit)
        case Approver::Kind::queue:
          if (needs_object(object, where + " (queue approver)", "queue", {"name"}))
            needs_object(object, where + " (queue approver)", "queue_member", {"queue_id", "user_id", "is_active"});
          break;
        case Approver::Kind::field: id_formula(object, where, "approver field", approver.value); break;
      }
    }
  }

  void check_status_field(const ObjectDef& object, const std::string& where, const std::string& name) {
    kept_field(object, where, name, {FieldType::select, FieldType::text}, "a select or text field");
    const auto* field = object.find_field(name);
    if (!field || field->type != FieldType::select) return;
    for (const char* status : {"pending", "approved", "rejected", "recalled"})
      if (!field->find_option(status))
        issue(object, where, object.name + "." + name + " has no option '" + status + "' for the approval status");
  }

  void check_process(const ObjectDef& object, const ApprovalProcess& process) {
    const std::string where = "approval process '" + process.name + "'";
    formula(object, where, "entry criteria", process.entry_criteria, FormulaType::boolean);
    const auto& fields = process.fields;
    check_status_field(object, where + " fields.status", fields.status);
    kept_field(object, where + " fields.step", fields.step, {FieldType::number}, "a number field");
    kept_field(object, where + " fields.approved_by", fields.approved_by, {FieldType::text, FieldType::lookup}, "a text or lookup field");
    kept_field(object, where + " fields.rejected_by", fields.rejected_by, {FieldType::text, FieldType::lookup}, "a text or lookup field");
    kept_field(object, where + " fields.approved_at", fields.approved_at, {FieldType::datetime}, "a datetime field");
    kept_field(object, where + " fields.rejected_at", fields.rejected_at, {FieldType::datetime}, "a datetime field");
    std::set<std::string> steps;
    for (const auto& step : process.steps) {
      const std::string step_where = where + " step '" + step.name + "'";
      if (!steps.insert(step.name).second) issue(object, step_where, "duplicate step name");
      formula(object, step_where, "criteria", step.criteria, FormulaType::boolean);
      check_approvers(object, step.approvers, step_where);
      check_approvers(object, step.escalate_to, step_where + " escalate_to");
      actions(object, step.on_escalation, step_where + " on_escalation");
    }
    actions(object, process.on_submit, where + " on_submit");
    actions(object, process.on_approve, where + " on_approve");
    actions(object, process.on_reject, where + " on_reject");
    actions(object, process.on_recall, where + " on_recall");
  }

  void check_assignment(const ObjectDef& object, const AssignmentRules& rules) {
    const std::string where = "assignment";
    const auto* field = object.find_field(rules.field);
    if (!field || !is_user_reference(*field) || field->type == FieldType::formula)
      issue(object, where, "'" + rules.field + "' is not a user field of " + object.name + " (owner_id, or a lookup to user)");
    if (!rules.queue_field.empty()) {
      const auto* queue = object.find_field(rules.queue_field);
      if (!queue || !queue->is_reference() || queue->reference != "queue")
        issue(object, where, "queue_field '" + rules.queue_field + "' is not a lookup to queue");
    }
    formula(object, where, "condition", rules.condition, FormulaType::boolean);
    formula(object, where, "open_condition", rules.open_condition, FormulaType::boolean);
    bool queues = false;
    for (std::size_t i = 0; i < rules.entries.size(); ++i) {
      formula(object, where + " entry " + std::to_string(i + 1), "criteria", rules.entries[i].criteria, FormulaType::boolean);
      queues = queues || !rules.entries[i].queue.empty();
    }
    if (queues && needs_object(object, where, "queue", {"name", "routing_method", "is_active"}))
      needs_object(object, where, "queue_member", {"queue_id", "user_id", "is_active", "accept_new_cases", "assignment_priority"});
  }

  void check_sla(const ObjectDef& object, const SlaDefinition& sla) {
    const std::string where = "sla '" + sla.name + "'";
    if (!sla.business_hours.empty()) {
      id_formula(object, where, "business_hours", sla.business_hours);
      needs_object(object, where, "business_hours", {"time_zone", "is_default"});
    }
    formula(object, where, "pause_when", sla.pause_when, FormulaType::boolean);
    std::set<std::string> names;
    for (const auto& milestone : sla.milestones) {
      const std::string at = where + " milestone '" + milestone.name + "'";
      if (!names.insert(milestone.name).second) issue(object, at, "duplicate milestone name");
      formula(object, at, "start_when", milestone.start_when, FormulaType::boolean);
      formula(object, at, "target_minutes", milestone.target_minutes, FormulaType::number);
      formula(object, at, "complete_when", milestone.complete_when, FormulaType::boolean);
      kept_field(object, at + " due_field", milestone.due_field, {FieldType::datetime}, "a datetime field");
      if (milestone.warning_percent >= 100) issue(object, at, "warning_percent must be below 100");
      actions(object, milestone.on_warning, at + " on_warning");
      actions(object, milestone.on_violation, at + " on_violation");
      actions(object, milestone.on_completion, at + " on_completion");
      for (const auto& level : milestone.escalations) actions(object, level.actions, at + " escalation");
    }
  }

  const Catalog& catalog_;
  std::vector<CatalogIssue> issues_;
};

}  // namespace

std::vector<CatalogIssue> check_processes(const Catalog& catalog) { return ProcessChecker(catalog).run(); }

}  // namespace hotcrm::detail
