// The save pipeline's workflow step: after a record is written (and before roll-ups and commit),
// the object's workflow rules run in order; their field updates of the record are written back as
// one update, which re-enters the rules once (as in Salesforce). Rules that would then change a
// field again are a cycle, reported as an error rather than looping.
#include <functional>

#include <fmt/format.h>

#include "store/codec.hpp"
#include "store/rows.hpp"
#include "store/sqlite.hpp"
#include "workflow/actions.hpp"

namespace hotcrm::detail {

namespace {

constexpr int kMaxDepth = 16;  // writes made by actions, nested: deeper means rules feed each other

bool trigger_matches(WorkflowTrigger rule, WriteEvent event) {
  switch (event) {
    case WriteEvent::insert: return rule == WorkflowTrigger::on_create || rule == WorkflowTrigger::on_create_or_update;
    case WriteEvent::update: return rule == WorkflowTrigger::on_update || rule == WorkflowTrigger::on_create_or_update;
    case WriteEvent::remove: return rule == WorkflowTrigger::on_delete;
  }
  return false;
}

bool condition_holds(Session::Impl& impl, const std::string& tenant, DateTime now, const ObjectPlan& plan,
                     const std::vector<Value>& row, const std::vector<Value>* prior, const std::optional<Formula>& condition,
                     SlotResolver::Mode mode = SlotResolver::Mode::write) {
  if (!condition) return true;
  SlotResolver resolver(impl, tenant, now, mode);
  auto result = resolver.evaluate(plan, row, prior, *condition);
  return result.ok() && !result.value.is_null() && result.value.as_bool();
}

class DepthGuard {
 public:
  DepthGuard(WorkflowRuntime& runtime, const ObjectPlan& plan, const std::string& id) : runtime_(runtime) {
    if (++runtime_.depth > kMaxDepth) {
      --runtime_.depth;
      throw WorkflowError(fmt::format("workflow actions nested deeper than {} writes at {} '{}': rules "
                                                   "keep triggering each other (a cycle)", kMaxDepth, plan.object->name, id));
    }
  }
  ~DepthGuard() { --runtime_.depth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  WorkflowRuntime& runtime_;
};

/// When a time trigger's actions are due: its date field plus the offset, or the firing time plus it.
std::optional<DateTime> due_time(const CompiledTimeTrigger& trigger, const std::vector<Value>& row, DateTime now) {
  DateTime base = now;
  if (trigger.field_column >= 0) {
    const auto& value = row[static_cast<std::size_t>(trigger.field_column)];
    if (value.is_null()) return std::nullopt;
    base = value.kind() == ValueKind::date ? DateTime::from_date(value.as_date()) : value.as_datetime();
  }
  return DateTime{base.micros + trigger.def->offset_minutes * kMicrosPerMinute};
}

void schedule_time_triggers(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan,
                            const CompiledRule& rule, ActionRunner& runner) {
  // A rule that fires again replaces its pending actions (their due times may have moved).
  cancel_timers(impl, plan.object->name, runner.record_id(), "rule", rule.def->name);
  for (std::size_t i = 0; i < rule.time_triggers.size(); ++i) {
    auto due = due_time(rule.time_triggers[i], runner.row(), runner.now());
    if (!due) {
      runner.log("rule:" + rule.def->name, "time_trigger", {{"trigger", i + 1}, {"skipped", "date field is blank"}});
      continue;
    }
    schedule_timer(impl, tenant, plan.object->name, runner.record_id(), "rule", rule.def->name,
                   static_cast<std::int64_t>(i), *due, runner.now());
    runner.log("rule:" + rule.def->name, "time_trigger", {{"trigger", i + 1}, {"due", due->to_string()}});
  }
}

/// A pending timed action follows its date field when the field is edited (Salesforce recalculates
/// them too); a blanked date drops it.
void move_timers(Session::Impl& impl, const ObjectPlan& plan, const CompiledRule& rule, const std::vector<Value>& prior,
                 ActionRunner& runner) {
  for (std::size_t i = 0; i < rule.time_triggers.size(); ++i) {
    const auto& trigger = rule.time_triggers[i];
    if (trigger.field_column < 0) continue;
    const auto column = static_cast<std::size_t>(trigger.field_column);
    if (prior[column] == runner.row()[column]) continue;
    auto due = due_time(trigger, runner.row(), runner.now());
    auto& statement = impl.db().prepare(
        due ? "UPDATE _hotcrm_timer SET due_at = ? WHERE object = ? AND record_id = ? AND kind = 'rule' AND name = ? AND step = ?"
            : "DELETE FROM _hotcrm_timer WHERE ? IS NULL AND object = ? AND record_id = ? AND kind = 'rule' AND name = ? AND step = ?");
    if (due) statement.bind_int(1, due->micros);
    else statement.bind_null(1);
    statement.bind_text(2, plan.object->name);
    statement.bind_text(3, runner.record_id());
    statement.bind_text(4, rule.def->name);
    statement.bind_int(5, static_cast<std::int64_t>(i));
    statement.step();
    statement.reset();
  }
}

void run_rules(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, WriteEvent event,
               const std::vector<Value>* prior, const std::vector<Value>& written, ActionRunner& runner) {
  for (const auto& rule : plan.workflow->rules) {
    if (!trigger_matches(rule.def->trigger, event)) continue;
    // Conditions are judged on the record as written, not as earlier rules' updates left it: the
    // re-entry round sees those.
    const auto mode = event == WriteEvent::remove ? SlotResolver::Mode::read : SlotResolver::Mode::write;
    bool meets = condition_holds(impl, tenant, runner.now(), plan, written, prior, rule.condition, mode);
    bool fires = meets;
    if (meets && rule.def->evaluation == Evaluation::newly_meets && prior)
      fires = !condition_holds(impl, tenant, runner.now(), plan, *prior, nullptr, rule.condition, SlotResolver::Mode::read);
    if (!rule.time_triggers.empty() && event != WriteEvent::remove) {
      if (fires) schedule_time_triggers(impl, tenant, plan, rule, runner);
      else if (!meets) cancel_timers(impl, plan.object->name, runner.record_id(), "rule", rule.def->name);
      else if (prior) move_timers(impl, plan, rule, *prior, runner);
    }
    if (!fires) continue;
    const std::string source = "rule:" + rule.def->name;
    runner.log(source, "fired", {{"event", event == WriteEvent::insert ? "insert" : event == WriteEvent::update ? "update" : "delete"}});
    runner.run(rule.actions, source);
  }
}

}  // namespace

bool is_system_write(const Session::Impl& impl) {
  return impl.workflow_runtime && impl.workflow_runtime->system_writes > 0;
}

WorkflowRuntime& runtime(Session::Impl& impl) {
  if (!impl.workflow_runtime) impl.workflow_runtime = std::make_shared<WorkflowRuntime>();
  return *impl.workflow_runtime;
}

PinnedClock::PinnedClock(Session::Impl& impl, std::optional<DateTime> at)
    : runtime_(runtime(impl)), owner_(!runtime_.pinned_now || at) {
  if (owner_) {
    previous_ = runtime_.pinned_now;
    runtime_.pinned_now = at ? *at : impl.clock();
  }
  now_ = *runtime_.pinned_now;
}

PinnedClock::~PinnedClock() {
  if (!owner_) return;
  runtime_.pinned_now = previous_;
  if (!previous_) {  // business hours may change between top-level writes
    runtime_.calendars.clear();
    runtime_.default_business_hours.reset();
  }
}

namespace {

/// Writes the runner's changes as one engine update; `unmark` runs afterwards, whatever happens.
void update_then(Session& session, const ObjectPlan& plan, ActionRunner& runner, const std::function<void()>& unmark) {
  struct Unmark {
    const std::function<void()>& run;
    ~Unmark() { run(); }
  } guard{unmark};
  SystemWrite system(runtime(SessionAccess::impl(session)));
  session.update(plan.object->name, runner.record_id(), runner.changes());
}

}  // namespace

void apply_changes(Session& session, const ObjectPlan& plan, ActionRunner& runner) {
  if (runner.changes().empty()) return;
  auto& runtime = detail::runtime(SessionAccess::impl(session));
  const auto key = std::make_pair(plan.object->name, runner.record_id());
  auto first_round = runtime.reentry.find(key);
  if (first_round == runtime.reentry.end()) {
    // First round: write the updates and let the rules see them once more.
    std::set<std::string> fields;
    for (const auto& [field, value] : runner.changes()) fields.insert(field);
    runtime.reentry.emplace(key, std::move(fields));
    update_then(session, plan, runner, [&] { runtime.reentry.erase(key); });
    return;
  }
  // The re-entry round: new fields are written without a third evaluation; changing a field the
  // first round wrote means the rules undo each other.
  for (const auto& [field, value] : runner.changes())
    if (first_round->second.count(field))
      throw WorkflowError(fmt::format("workflow cycle on {} '{}': after re-evaluation the rules change {} again "
                                      "(to {}); rules must not undo each other's field updates",
                                      plan.object->name, runner.record_id(), field, value.to_json()));
  runtime.settled.insert(key);
  update_then(session, plan, runner, [&] { runtime.settled.erase(key); });
}

void after_write(Session& session, const ObjectPlan& plan, WriteEvent event, const std::vector<Value>* prior,
                 const std::vector<Value>& row) {
  if (!plan.workflow) return;
  auto& impl = SessionAccess::impl(session);
  auto& runtime = detail::runtime(impl);
  const std::string& tenant = SessionAccess::context(session).tenant;
  const std::string id = row[0].as_string();
  if (runtime.settled.count({plan.object->name, id})) return;
  if (event == WriteEvent::remove) {
    cancel_timers(impl, plan.object->name, id);
    forget_sla(impl, tenant, plan, id);
    withdraw_approval(impl, tenant, plan, id);
    if (!plan.workflow->has_rules_for(WorkflowTrigger::on_delete)) return;
  }
  DepthGuard depth(runtime, plan, id);
  const DateTime now = impl.now();
  // Keys carry the written version: each firing posts its messages once.
  ActionRunner runner(session, plan, row, prior, now, "v" + std::to_string(row[7].as_int()));
  if (event == WriteEvent::insert && plan.workflow->machine) {
    const auto& machine = *plan.workflow->machine;
    enter_state(impl, runner, plan, machine, row[static_cast<std::size_t>(machine.state_column)].as_string(), tenant);
  }
  if (event != WriteEvent::remove) track_sla(session, plan, runner, event == WriteEvent::insert);
  run_rules(impl, tenant, plan, event, prior, row, runner);
  if (event != WriteEvent::remove) apply_changes(session, plan, runner);
}

namespace {

/// Rows of a page that some insert rule may fire for (or that enter a state with work to do).
std::vector<bool> rows_needing_workflows(Session::Impl& impl, const std::string& tenant, DateTime now,
                                         const ObjectPlan& plan, const std::vector<std::vector<Value>>& rows) {
  std::vector<bool> needed(rows.size(), false);
  const auto& workflow = *plan.workflow;
  if (workflow.sla) return std::vector<bool>(rows.size(), true);  // every new record starts its clocks
  if (workflow.machine) {
    const auto& machine = *workflow.machine;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& state = rows[r][static_cast<std::size_t>(machine.state_column)];
      auto found = state.is_null() ? machine.states.end() : machine.states.find(state.as_string());
      needed[r] = found != machine.states.end() && (!found->second.on_entry.empty() || found->second.def->timeout);
    }
  }
  SlotResolver resolver(impl, tenant, now);
  for (const auto& rule : workflow.rules) {
    if (!trigger_matches(rule.def->trigger, WriteEvent::insert)) continue;
    if (!rule.condition) return std::vector<bool>(rows.size(), true);
    auto column = evaluate_rows(resolver, plan, rows, *rule.condition, EvalContext{.now = now, .is_new = true});
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (needed[r]) continue;
      auto value = column.value_at(r);
      needed[r] = !value.is_null() && value.as_bool();
    }
  }
  return needed;
}

}  // namespace

void after_import(Session& session, const ObjectPlan& plan, std::int64_t first_rowid, std::int64_t last_rowid) {
  if (!plan.workflow || last_rowid < first_rowid) return;
  auto& impl = SessionAccess::impl(session);
  const auto& tenant = SessionAccess::context(session).tenant;
  PinnedClock clock(impl);
  const std::string sql = keyset_page_sql(plan, "t0.rowid <= ?", 1000);
  std::int64_t last = first_rowid - 1;
  std::vector<std::vector<Value>> rows;
  for (;;) {
    // Actions may write to this table: the page is read completely before any of them runs, and
    // rows they create lie above last_rowid.
    auto& statement = impl.db().prepare(sql);
    statement.bind_int(1, last_rowid);
    statement.bind_int(2, last);
    if (!read_page(statement, plan, rows, last)) break;
    auto needed = rows_needing_workflows(impl, tenant, clock.now(), plan, rows);
    for (std::size_t r = 0; r < rows.size(); ++r)
      if (needed[r]) after_write(session, plan, WriteEvent::insert, nullptr, rows[r]);
  }
}

void check_state_write(Session::Impl& impl, const ObjectPlan& plan, const std::vector<Value>& prior,
                       const std::vector<Value>& row) {
  if (!plan.workflow || !plan.workflow->machine) return;
  const auto& machine = *plan.workflow->machine;
  const auto column = static_cast<std::size_t>(machine.state_column);
  if (row[column] == prior[column]) return;
  const std::string id = row[0].as_string();
  if (runtime(impl).state_moves.count({plan.object->name, id})) return;
  throw ValidationError({FieldError{plan.object->name, machine.def->field, machine.def->name, "state_machine",
                                    fmt::format("{}.{} is the state of state machine '{}' and moves only by events "
                                                "(fire); '{}' -> '{}' was written directly",
                                                plan.object->name, machine.def->field, machine.def->name,
                                                prior[column].is_null() ? "" : prior[column].to_display(),
                                                row[column].is_null() ? "" : row[column].to_display()),
                                    -1, id}});
}

void default_state(const ObjectPlan& plan, std::vector<Value>& row, std::vector<FieldError>& errors) {
  if (!plan.workflow || !plan.workflow->machine) return;
  const auto& machine = *plan.workflow->machine;
  auto& state = row[static_cast<std::size_t>(machine.state_column)];
  if (state.is_null() || (state.kind() == ValueKind::text && state.as_string().empty())) {
    state = machine.def->initial;
    return;
  }
  if (state.kind() != ValueKind::text || !machine.states.count(state.as_string()))
    errors.push_back(FieldError{plan.object->name, machine.def->field, machine.def->name, "state_machine",
                                fmt::format("'{}' is not a state of state machine '{}'", state.to_display(),
                                            machine.def->name)});
}

}  // namespace hotcrm::detail
