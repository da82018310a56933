// run_due: the engine's notion of time passing. Timed actions (time triggers, state timeouts) and
// scheduled-rule occurrences are processed in time order, each in its own transaction together
// with its removal from the queue (or its schedule's advance), so a crash loses nothing and a
// rerun repeats nothing. Each item runs with its own due time as NOW(): the outcome does not
// depend on how often the host calls run_due.
#include <fmt/format.h>

#include "hotcrm/time/cron.hpp"
#include "store/access.hpp"
#include "store/rows.hpp"
#include "store/codec.hpp"
#include "store/sqlite.hpp"
#include "workflow/actions.hpp"

namespace hotcrm::detail {

namespace {

struct DueTimer {
  std::int64_t id = 0;
  std::string object, record_id, kind, name;
  std::int64_t step = 0;
  DateTime due;
};

struct DueSchedule {
  const ObjectPlan* plan = nullptr;
  const CompiledSchedule* rule = nullptr;
  CronSchedule cron;
  DateTime last;                  ///< the last occurrence run
  std::optional<DateTime> next;   ///< the occurrence to run next (<= now), if any
};

std::optional<DueTimer> next_timer(Session::Impl& impl, const std::string& tenant, DateTime now) {
  auto& statement = impl.db().prepare(
      "SELECT id, object, record_id, kind, name, step, due_at FROM _hotcrm_timer "
      "WHERE tenant_id = ? AND due_at <= ? ORDER BY due_at, id LIMIT 1");
  statement.bind_text(1, tenant);
  statement.bind_int(2, now.micros);
  std::optional<DueTimer> timer;
  if (statement.step())
    timer = DueTimer{statement.column_int(0), std::string(statement.column_text(1)), std::string(statement.column_text(2)),
                     std::string(statement.column_text(3)), std::string(statement.column_text(4)),
                     statement.column_int(5), DateTime{statement.column_int(6)}};
  statement.reset();
  return timer;
}

std::optional<DateTime> last_run(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan,
                                 const std::string& rule) {
  auto& statement = impl.db().prepare(
      "SELECT last_run_at FROM _hotcrm_schedule WHERE tenant_id = ? AND object = ? AND rule = ?");
  statement.bind_text(1, tenant);
  statement.bind_text(2, plan.object->name);
  statement.bind_text(3, rule);
  std::optional<DateTime> at;
  if (statement.step()) at = DateTime{statement.column_int(0)};
  statement.reset();
  return at;
}

void store_last_run(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, const std::string& rule,
                    DateTime at) {
  auto& statement = impl.db().prepare(
      "INSERT INTO _hotcrm_schedule (tenant_id, object, rule, last_run_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (tenant_id, object, rule) DO UPDATE SET last_run_at = excluded.last_run_at");
  statement.bind_text(1, tenant);
  statement.bind_text(2, plan.object->name);
  statement.bind_text(3, rule);
  statement.bind_int(4, at.micros);
  statement.step();
  statement.reset();
}

/// The occurrence a schedule runs next, given the last one run: the next one (catch-up all) or the
/// latest one not after `now` (catch-up latest).
std::optional<DateTime> next_occurrence(const DueSchedule& schedule, DateTime now) {
  auto next = schedule.cron.next_after(schedule.last);
  if (next > now) return std::nullopt;
  if (schedule.rule->def->catch_up == CatchUp::all) return next;
  for (auto later = schedule.cron.next_after(next); later <= now; later = schedule.cron.next_after(later)) next = later;
  return next;
}

class DueRunner {
 public:
  DueRunner(Session& session, DateTime now)
      : session_(session), impl_(SessionAccess::impl(session)), tenant_(SessionAccess::context(session).tenant), now_(now) {}

  RunReport run() {
    load_schedules();
    for (;;) {
      auto timer = next_timer(impl_, tenant_, now_);
      DueSchedule* schedule = earliest_schedule();
      if (!timer && !schedule) break;
      if (timer && (!schedule || timer->due <= *schedule->next)) run_timer(*timer);
      else run_schedule(*schedule);
    }
    return report_;
  }

 private:
  void load_schedules() {
    for (const auto& [name, plan] : impl_.plans) {
      if (!plan.workflow) continue;
      for (const auto& rule : plan.workflow->schedules) {
        auto zone = rule.def->time_zone == "UTC" ? TimeZone::utc() : TimeZone::load(rule.def->time_zone);
        DueSchedule schedule{&plan, &rule, CronSchedule::parse(rule.def->cron, zone), now_, std::nullopt};
        auto last = last_run(impl_, tenant_, plan, rule.def->name);
        if (!last) {
          // A schedule starts counting at the first run_due that sees it: nothing before is "missed".
          // Read again under the write lock: another connection's run_due may have started it.
          Transaction transaction(impl_.db());
          last = last_run(impl_, tenant_, plan, rule.def->name);
          if (!last) {
            store_last_run(impl_, tenant_, plan, rule.def->name, now_);
            last = now_;
          }
          transaction.commit();
        }
        schedule.last = *last;
        schedule.next = next_occurrence(schedule, now_);
        schedules_.push_back(std::move(schedule));
      }
    }
  }

  DueSchedule* earliest_schedule() {
    DueSchedule* earliest = nullptr;
    for (auto& schedule : schedules_)
      if (schedule.next && (!earliest || *schedule.next < *earliest->next)) earliest = &schedule;
    return earliest;
  }

  void run_timer(const DueTimer& timer) {
    PinnedClock clock(impl_, timer.due);
    Transaction transaction(impl_.db());
    // The timer was read before this transaction: another connection running run_due on the same
    // file may have run it since (and a new timer may have taken its id). Only the runner whose
    // delete removes it runs it, so no timed action runs twice.
    auto& remove = impl_.db().prepare(
        "DELETE FROM _hotcrm_timer WHERE id = ? AND tenant_id = ? AND object = ? AND record_id = ? AND kind = ? "
        "AND name = ? AND step = ? AND due_at = ?");
    remove.bind_int(1, timer.id);
    remove.bind_text(2, tenant_);
    remove.bind_text(3, timer.object);
    remove.bind_text(4, timer.record_id);
    remove.bind_text(5, timer.kind);
    remove.bind_text(6, timer.name);
    remove.bind_int(7, timer.step);
    remove.bind_int(8, timer.due.micros);
    remove.step();
    remove.reset();
    if (sqlite3_changes(impl_.db().handle()) == 0) return;  // taken by another runner
    bool ran = false;
    const auto* plan = impl_.plans.count(timer.object) ? &impl_.plans.at(timer.object) : nullptr;
    auto row = plan && plan->workflow ? load_row(impl_, *plan, timer.record_id, tenant_) : std::nullopt;
    if (row && (timer.kind == "approval" || timer.kind == "sla"))
      ran = run_service_timer(session_, *plan, std::move(*row), timer.id, timer.kind, timer.name, timer.step, timer.due);
    else if (row)
      ran = timer.kind == "state" ? run_state_timeout(*plan, std::move(*row), timer) : run_time_trigger(*plan, std::move(*row), timer);
    else append_log(impl_, tenant_, timer.due, timer.object, timer.record_id, timer.kind + ":" + timer.name, "dropped",
                    {{"reason", "the record no longer exists"}});
    transaction.commit();
    ++(ran ? report_.timers_run : report_.timers_dropped);
  }

  bool run_time_trigger(const ObjectPlan& plan, std::vector<Value> row, const DueTimer& timer) {
    const std::string source = "rule:" + timer.name;
    ActionRunner runner(session_, plan, std::move(row), nullptr, timer.due, "timer" + std::to_string(timer.id));
    const CompiledRule* rule = nullptr;
    for (const auto& candidate : plan.workflow->rules)
      if (candidate.def->name == timer.name) rule = &candidate;
    const auto step = static_cast<std::size_t>(timer.step);
    if (!rule || step >= rule->time_triggers.size()) {
      runner.log(source, "dropped", {{"trigger", timer.step + 1}, {"reason", "the rule no longer exists"}});
      return false;
    }
    // Re-checked when due: a record that stopped meeting the criteria drops its timed actions.
    if (!runner.holds(rule->condition)) {
      runner.log(source, "dropped", {{"trigger", timer.step + 1}, {"reason", "the condition no longer holds"}});
      return false;
    }
    runner.log(source, "time_trigger_fired", {{"trigger", timer.step + 1}});
    runner.run(rule->time_triggers[step].actions, source);
    apply_changes(session_, plan, runner);
    return true;
  }

  bool run_state_timeout(const ObjectPlan& plan, std::vector<Value> row, const DueTimer& timer) {
    const auto& machine = *plan.workflow->machine;
    const std::string source = "state:" + timer.name;
    const auto column = static_cast<std::size_t>(machine.state_column);
    auto state = machine.states.find(timer.name);
    bool still_there = !row[column].is_null() && row[column].as_string() == timer.name;
    ActionRunner runner(session_, plan, row, nullptr, timer.due, "timer" + std::to_string(timer.id));
    if (state == machine.states.end() || !still_there || !runner.holds(state->second.timeout_condition)) {
      runner.log(source, "dropped", {{"reason", still_there ? "the timeout condition does not hold" : "the state was left"}});
      return false;
    }
    runner.log(source, "timeout", {{"after_minutes", state->second.def->timeout->after_minutes}});
    runner.run(state->second.timeout_actions, source);
    apply_changes(session_, plan, runner);
    const auto& event = state->second.def->timeout->event;
    if (event.empty()) return true;
    auto current = load_row(impl_, plan, timer.record_id, tenant_);
    try {
      fire_event(session_, plan, std::move(*current), event);
    } catch (const WorkflowError& refused) {
      // A guard that fails at timeout time is an outcome, not a fault of run_due.
      append_log(impl_, tenant_, timer.due, plan.object->name, timer.record_id, source, "event_refused",
                 {{"event", event}, {"reason", refused.what()}});
    }
    return true;
  }

  std::vector<std::string> matching_ids(const ObjectPlan& plan, const CompiledSchedule& rule, DateTime at) {
    std::vector<std::string> ids;
    const std::string sql = keyset_page_sql(plan, "t0.\"tenant_id\" = ?", 1000);
    SlotResolver resolver(impl_, tenant_, at, SlotResolver::Mode::read);
    std::int64_t last_rowid = -1;
    std::vector<std::vector<Value>> rows;
    for (;;) {
      auto& statement = impl_.db().prepare(sql);
      statement.bind_text(1, tenant_);
      statement.bind_int(2, last_rowid);
      if (!read_page(statement, plan, rows, last_rowid)) break;
      if (!rule.filter) {
        for (const auto& row : rows) ids.push_back(row[0].as_string());
        continue;
      }
      auto result = evaluate_rows(resolver, plan, rows, *rule.filter, EvalContext{.now = at});
      for (std::size_t r = 0; r < rows.size(); ++r) {
        auto value = result.value_at(r);
        if (!value.is_null() && value.as_bool()) ids.push_back(rows[r][0].as_string());
      }
    }
    return ids;
  }

  void run_schedule(DueSchedule& schedule) {
    const DateTime at = *schedule.next;
    const auto& plan = *schedule.plan;
    const std::string source = "schedule:" + schedule.rule->def->name;
    {
      PinnedClock clock(impl_, at);
      Transaction transaction(impl_.db());
      // Another connection's run_due may have run this occurrence since the schedule was loaded:
      // catch up with it instead of running the occurrence twice.
      if (auto stored = last_run(impl_, tenant_, plan, schedule.rule->def->name); stored && *stored >= at) {
        schedule.last = *stored;
        schedule.next = next_occurrence(schedule, now_);
        return;
      }
      store_last_run(impl_, tenant_, plan, schedule.rule->def->name, at);
      auto ids = matching_ids(plan, *schedule.rule, at);
      append_log(impl_, tenant_, at, plan.object->name, "", source, "run", {{"at", at.to_string()}, {"records", ids.size()}});
      for (const auto& id : ids) {
        auto row = load_row(impl_, plan, id, tenant_);
        ActionRunner runner(session_, plan, std::move(*row), nullptr, at, "schedule@" + at.to_string());
        runner.run(schedule.rule->actions, source);
        apply_changes(session_, plan, runner);
      }
      transaction.commit();
      report_.records_touched += static_cast<std::int64_t>(ids.size());
    }
    ++report_.schedule_runs;
    schedule.last = at;
    schedule.next = next_occurrence(schedule, now_);
  }

  Session& session_;
  Session::Impl& impl_;
  const std::string& tenant_;
  DateTime now_;
  std::vector<DueSchedule> schedules_;
  RunReport report_;
};

}  // namespace

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

RunReport Session::run_due(DateTime now) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  guard.require_administrator("run due workflow actions");
  guard.run_as_system();
  impl_->require_writable();
  return detail::DueRunner(*this, now).run();
}

}  // namespace v0
}  // namespace hotcrm
