// Compiling automation metadata once when the database opens: every condition, guard and value
// formula becomes a Formula, every template its parts, so a write never parses anything.
#include <algorithm>

#include "model/automation_check.hpp"
#include "model/template_text.hpp"
#include "store/sqlite.hpp"
#include "workflow/engine.hpp"

namespace hotcrm::detail {

namespace {

class PlanCompiler {
 public:
  PlanCompiler(const Catalog& catalog, const ObjectDef& object) : catalog_(catalog), object_(object) {}

  // The catalog check compiled all of these already; failing here is a broken invariant.
  Formula formula(const std::string& source, std::optional<FormulaType> expected = std::nullopt) const {
    auto compiled = compile_formula(catalog_, object_.name, source, {.expected = expected});
    if (!compiled.ok())
      throw Error(ErrorCode::internal, "workflow formula of " + object_.name + " stopped compiling: " + source);
    return *compiled.formula;
  }

  Formula merge_field(const std::string& source) const {
    auto compiled = compile_merge_field(catalog_, object_.name, source);
    if (!compiled.ok()) throw Error(ErrorCode::internal, "merge field of " + object_.name + " stopped compiling: " + source);
    return *compiled.formula;
  }

  std::optional<Formula> optional_formula(const std::string& source) const {
    if (source.empty()) return std::nullopt;
    return formula(source, FormulaType::boolean);
  }

  CompiledValue value(const ActionValue& value) const {
    CompiledValue compiled{value.kind, value.literal, std::nullopt, {}};
    if (value.kind == ActionValue::Kind::formula) compiled.formula = formula(value.source);
    if (value.kind == ActionValue::Kind::sequence) compiled.literal = Value(value.source);  // the format
    if (value.kind == ActionValue::Kind::text_template) {
      auto parts = parse_template(value.source);
      if (!parts) throw Error(ErrorCode::internal, "workflow template stopped parsing: " + value.source);
      for (const auto& part : *parts)
        compiled.parts.emplace_back(part.is_formula ? std::string() : part.text,
                                    part.is_formula ? std::optional(merge_field(part.text)) : std::nullopt);
    }
    return compiled;
  }

  void body_leaves(const nlohmann::json& node, std::vector<CompiledValue>& out) const {
    if (node.is_string()) {
      out.push_back(value(ActionValue::text_template(node.get<std::string>())));
    } else if (node.is_object() && node.size() == 1 && node.contains("formula") && node["formula"].is_string()) {
      out.push_back(value(ActionValue::formula(node["formula"].get<std::string>())));
    } else if (node.is_structured()) {
      for (const auto& item : node) body_leaves(item, out);
    }
  }

  CompiledActions actions(const std::vector<WorkflowAction>& definitions) const {
    CompiledActions compiled;
    for (std::size_t i = 0; i < definitions.size(); ++i) {
      const auto& def = definitions[i];
      CompiledAction action;
      action.def = &def;
      action.index = i;
      action.condition = optional_formula(def.condition);
      action.value = value(def.value);
      for (const auto& [name, item] : def.values) action.values.emplace_back(name, value(item));
      for (const auto& recipient : def.recipients) action.recipients.push_back(value(recipient));
      action.subject = value(def.subject);
      action.body = value(def.body);
      action.url = value(def.url);
      if (!def.body_json.empty()) {
        action.body_template = nlohmann::json::parse(def.body_json);
        body_leaves(action.body_template, action.body_values);
      }
      compiled.push_back(std::move(action));
    }
    return compiled;
  }

  std::vector<CompiledRule> rules(const ObjectPlan& plan) const {
    std::vector<const WorkflowRule*> active;
    for (const auto& rule : object_.workflow_rules)
      if (rule.active) active.push_back(&rule);
    std::stable_sort(active.begin(), active.end(), [](auto* a, auto* b) { return a->order < b->order; });
    std::vector<CompiledRule> compiled;
    for (const auto* rule : active) {
      CompiledRule item{rule, optional_formula(rule->condition), actions(rule->actions), {}};
      for (const auto& trigger : rule->time_triggers) {
        int column = trigger.field.empty() ? -1 : plan.column_index.at(trigger.field);
        item.time_triggers.push_back({&trigger, column, actions(trigger.actions)});
      }
      compiled.push_back(std::move(item));
    }
    return compiled;
  }

  CompiledMachine machine(const ObjectPlan& plan, const StateMachine& def) const {
    CompiledMachine machine;
    machine.def = &def;
    machine.state_column = plan.column_index.at(def.field);
    for (const auto& state : def.states) {
      CompiledState compiled{&state, actions(state.on_entry), actions(state.on_exit), {}, std::nullopt};
      if (state.timeout) {
        compiled.timeout_actions = actions(state.timeout->actions);
        compiled.timeout_condition = optional_formula(state.timeout->condition);
      }
      machine.states.emplace(state.name, std::move(compiled));
    }
    for (const auto& transition : def.transitions)
      machine.transitions.push_back({&transition, optional_formula(transition.guard), actions(transition.actions)});
    return machine;
  }

  std::vector<CompiledSchedule> schedules() const {
    std::vector<CompiledSchedule> compiled;
    for (const auto& rule : object_.scheduled_rules)
      if (rule.active) compiled.push_back({&rule, optional_formula(rule.filter), actions(rule.actions)});
    return compiled;
  }

  std::vector<CompiledApprover> approvers(const std::vector<Approver>& definitions) const {
    std::vector<CompiledApprover> compiled;
    for (const auto& approver : definitions)
      compiled.push_back({&approver, approver.kind == Approver::Kind::field ? std::optional(formula(approver.value)) : std::nullopt});
    return compiled;
  }

  std::vector<CompiledProcess> approvals() const {
    std::vector<const ApprovalProcess*> active;
    for (const auto& process : object_.approval_processes)
      if (process.active) active.push_back(&process);
    std::stable_sort(active.begin(), active.end(), [](auto* a, auto* b) { return a->order < b->order; });
    std::vector<CompiledProcess> compiled;
    for (const auto* process : active) {
      CompiledProcess item{process, optional_formula(process->entry_criteria), {}, actions(process->on_submit),
                           actions(process->on_approve), actions(process->on_reject), actions(process->on_recall)};
      for (const auto& step : process->steps)
        item.steps.push_back({&step, optional_formula(step.criteria), approvers(step.approvers), approvers(step.escalate_to),
                              actions(step.on_escalation)});
      compiled.push_back(std::move(item));
    }
    return compiled;
  }

  CompiledAssignment assignment(const ObjectPlan& plan, const AssignmentRules& def) const {
    CompiledAssignment compiled{&def, plan.column_index.at(def.field),
                                def.queue_field.empty() ? -1 : plan.column_index.at(def.queue_field),
                                optional_formula(def.condition), optional_formula(def.open_condition), {}};
    for (const auto& entry : def.entries) compiled.entry_criteria.push_back(optional_formula(entry.criteria));
    return compiled;
  }

  CompiledSla sla(const ObjectPlan& plan, const SlaDefinition& def) const {
    CompiledSla compiled{&def, def.business_hours.empty() ? std::nullopt : std::optional(formula(def.business_hours)),
                         optional_formula(def.pause_when), {}};
    for (const auto& milestone : def.milestones) {
      CompiledMilestone item{&milestone, optional_formula(milestone.start_when), optional_formula(milestone.complete_when),
                             formula(milestone.target_minutes, FormulaType::number),
                             milestone.due_field.empty() ? -1 : plan.column_index.at(milestone.due_field),
                             actions(milestone.on_warning), actions(milestone.on_violation),
                             actions(milestone.on_completion), {}};
      for (const auto& level : milestone.escalations) item.escalations.push_back(actions(level.actions));
      compiled.milestones.push_back(std::move(item));
    }
    return compiled;
  }

 private:
  const Catalog& catalog_;
  const ObjectDef& object_;
};

}  // namespace

bool WorkflowPlan::locks_records() const {
  return std::any_of(approvals.begin(), approvals.end(), [](const CompiledProcess& process) { return process.def->lock; });
}

bool WorkflowPlan::has_rules_for(WorkflowTrigger trigger) const {
  return std::any_of(rules.begin(), rules.end(), [&](const CompiledRule& rule) {
    auto t = rule.def->trigger;
    if (t == trigger) return true;
    return t == WorkflowTrigger::on_create_or_update &&
           (trigger == WorkflowTrigger::on_create || trigger == WorkflowTrigger::on_update);
  });
}

void compile_workflows(Session::Impl& impl) {
  for (auto& [name, plan] : impl.plans) {
    const auto& object = *plan.object;
    if (object.workflow_rules.empty() && object.scheduled_rules.empty() && !object.state_machine &&
        object.approval_processes.empty() && !object.assignment && !object.sla)
      continue;
    PlanCompiler compiler(impl.catalog, object);
    auto workflow = std::make_shared<WorkflowPlan>();
    workflow->rules = compiler.rules(plan);
    if (object.state_machine) workflow->machine = compiler.machine(plan, *object.state_machine);
    workflow->schedules = compiler.schedules();
    workflow->approvals = compiler.approvals();
    if (object.assignment) workflow->assignment = compiler.assignment(plan, *object.assignment);
    if (object.sla) workflow->sla = compiler.sla(plan, *object.sla);
    plan.workflow = std::move(workflow);
  }
}

void create_workflow_tables(Connection& connection) {
  connection.exec(
      "CREATE TABLE IF NOT EXISTS _hotcrm_outbox (id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, kind TEXT NOT NULL, "
      "object TEXT NOT NULL, record_id TEXT NOT NULL, source TEXT NOT NULL, payload TEXT NOT NULL, "
      "idempotency_key TEXT NOT NULL UNIQUE, status TEXT NOT NULL DEFAULT 'pending', created_at INTEGER NOT NULL, "
      "acked_at INTEGER) STRICT;"
      "CREATE INDEX IF NOT EXISTS _hotcrm_outbox_by_status ON _hotcrm_outbox (tenant_id, status, id);"
      "CREATE TABLE IF NOT EXISTS _hotcrm_timer (id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, object TEXT NOT NULL, "
      "record_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, step INTEGER NOT NULL, "
      "due_at INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;"
      "CREATE INDEX IF NOT EXISTS _hotcrm_timer_by_due ON _hotcrm_timer (tenant_id, due_at, id);"
      "CREATE INDEX IF NOT EXISTS _hotcrm_timer_by_record ON _hotcrm_timer (object, record_id);"
      "CREATE TABLE IF NOT EXISTS _hotcrm_workflow_log (id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, "
      "at INTEGER NOT NULL, object TEXT NOT NULL, record_id TEXT NOT NULL, source TEXT NOT NULL, "
      "action TEXT NOT NULL, detail TEXT NOT NULL) STRICT;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_schedule (tenant_id TEXT NOT NULL, object TEXT NOT NULL, rule TEXT NOT NULL, "
      "last_run_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, object, rule)) STRICT, WITHOUT ROWID;");
  create_service_tables(connection);
}

}  // namespace hotcrm::detail
