// SLA clocks: each milestone of a record counts business time from its start until it completes,
// stopping while the record is paused (waiting on the customer). Its warning, escalation levels and
// violation are timers at business-time thresholds, rescheduled on resume, run by run_due. The
// clocks are rows of _hotcrm_sla_clock, changed in the transaction of the write that moved them.
#include <fmt/format.h>

#include "store/access.hpp"
#include "store/rows.hpp"
#include "store/sqlite.hpp"
#include "workflow/actions.hpp"

namespace hotcrm::detail {

namespace {

constexpr std::int64_t kWarningStep = 0;
constexpr std::int64_t kViolationStep = 1;
constexpr std::int64_t kFirstEscalationStep = 2;

struct Clock {
  std::string milestone;
  std::string status;  ///< running, paused, met, missed
  DateTime started_at;
  std::int64_t target_minutes = 0;
  std::string business_hours_id;  ///< "" : always open
  std::int64_t elapsed_micros = 0;  ///< business time before the running segment
  std::optional<DateTime> segment_start, due_at, completed_at;
  bool warned = false, violated = false;
  std::int64_t escalation_level = 0;

  bool open() const { return status == "running" || status == "paused"; }
  std::int64_t target_micros() const { return target_minutes * kMicrosPerMinute; }
};

std::optional<Clock> load_clock(Session::Impl& impl, const std::string& tenant, const std::string& object,
                                const std::string& id, const std::string& milestone) {
  auto& statement = impl.db().prepare(
      "SELECT status, started_at, target_minutes, business_hours_id, elapsed_micros, segment_start, due_at, completed_at, "
      "warned, violated, escalation_level FROM _hotcrm_sla_clock WHERE tenant_id = ? AND object = ? AND record_id = ? "
      "AND milestone = ?");
  statement.bind_text(1, tenant);
  statement.bind_text(2, object);
  statement.bind_text(3, id);
  statement.bind_text(4, milestone);
  std::optional<Clock> clock;
  auto optional_time = [&](int column) {
    return statement.column_is_null(column) ? std::nullopt : std::optional(DateTime{statement.column_int(column)});
  };
  if (statement.step())
    clock = Clock{milestone, std::string(statement.column_text(0)), DateTime{statement.column_int(1)}, statement.column_int(2),
                  std::string(statement.column_text(3)), statement.column_int(4), optional_time(5), optional_time(6),
                  optional_time(7), statement.column_int(8) != 0, statement.column_int(9) != 0, statement.column_int(10)};
  statement.reset();
  return clock;
}

void store_clock(Session::Impl& impl, const std::string& tenant, const std::string& object, const std::string& id,
                 const Clock& clock) {
  auto& statement = impl.db().prepare(
      "INSERT OR REPLACE INTO _hotcrm_sla_clock (tenant_id, object, record_id, milestone, status, started_at, "
      "target_minutes, business_hours_id, elapsed_micros, segment_start, due_at, completed_at, warned, violated, "
      "escalation_level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  auto bind_time = [&](int index, const std::optional<DateTime>& at) {
    if (at) statement.bind_int(index, at->micros);
    else statement.bind_null(index);
  };
  statement.bind_text(1, tenant);
  statement.bind_text(2, object);
  statement.bind_text(3, id);
  statement.bind_text(4, clock.milestone);
  statement.bind_text(5, clock.status);
  statement.bind_int(6, clock.started_at.micros);
  statement.bind_int(7, clock.target_minutes);
  statement.bind_text(8, clock.business_hours_id);
  statement.bind_int(9, clock.elapsed_micros);
  bind_time(10, clock.segment_start);
  bind_time(11, clock.due_at);
  bind_time(12, clock.completed_at);
  statement.bind_int(13, clock.warned ? 1 : 0);
  statement.bind_int(14, clock.violated ? 1 : 0);
  statement.bind_int(15, clock.escalation_level);
  statement.step();
  statement.reset();
}

/// The calendar of a business_hours record ("" : always open), loaded once per top-level write.
const BusinessCalendar& calendar(Session& session, const std::string& business_hours_id) {
  auto& cache = runtime(SessionAccess::impl(session)).calendars;
  auto found = cache.find(business_hours_id);
  if (found == cache.end()) {
    auto loaded = business_hours_id.empty()
                      ? std::make_shared<const BusinessCalendar>(TimeZone::utc(), WeeklyHours::always_open())
                      : std::make_shared<const BusinessCalendar>(session.business_calendar(business_hours_id));
    found = cache.emplace(business_hours_id, std::move(loaded)).first;
  }
  return *found->second;
}

/// One record's clocks, moved by one write or one due timer.
class SlaTracker {
 public:
  SlaTracker(Session& session, const ObjectPlan& plan, ActionRunner& runner)
      : session_(session),
        impl_(SessionAccess::impl(session)),
        tenant_(SessionAccess::context(session).tenant),
        plan_(plan),
        sla_(*plan.workflow->sla),
        runner_(runner) {}

  void track(bool created) {
    const bool paused = holds(sla_.pause_when);
    for (const auto& milestone : sla_.milestones) {
      auto clock = created ? std::nullopt : load_clock(impl_, tenant_, plan_.object->name, id(), milestone.def->name);
      if (!clock) {
        clock = start(milestone, paused);
        if (!clock) continue;
      } else if (!clock->open()) {
        continue;
      }
      const bool retargeted = retarget(milestone, *clock);
      if (holds(milestone.complete_when)) complete(milestone, *clock);
      else if (paused && clock->status == "running") pause(milestone, *clock);
      else if (!paused && clock->status == "paused") resume(milestone, *clock);
      else if (!retargeted) continue;
      store(*clock);
    }
  }

  bool run_timer(const std::string& name, std::int64_t step) {
    const CompiledMilestone* milestone = nullptr;
    for (const auto& candidate : sla_.milestones)
      if (candidate.def->name == name) milestone = &candidate;
    auto clock = load_clock(impl_, tenant_, plan_.object->name, id(), name);
    if (!milestone || !clock || clock->status != "running") return false;
    const std::string source = this->source(*milestone);
    if (step == kWarningStep && !clock->warned) {
      clock->warned = true;
      runner_.log(source, "sla_warning", {{"due", clock->due_at ? clock->due_at->to_string() : ""}});
      runner_.run(milestone->on_warning, source);
    } else if (step == kViolationStep && !clock->violated) {
      clock->violated = true;
      runner_.log(source, "sla_violation", {{"due", clock->due_at ? clock->due_at->to_string() : ""}});
      runner_.run(milestone->on_violation, source);
    } else if (step >= kFirstEscalationStep && step - kFirstEscalationStep >= clock->escalation_level &&
               step - kFirstEscalationStep < static_cast<std::int64_t>(milestone->escalations.size())) {
      clock->escalation_level = step - kFirstEscalationStep + 1;
      runner_.log(source, "sla_escalation", {{"level", clock->escalation_level}});
      runner_.run(milestone->escalations[static_cast<std::size_t>(clock->escalation_level - 1)], source);
    } else {
      return false;
    }
    store(*clock);
    return true;
  }

 private:
  const std::string& id() const { return runner_.record_id(); }
  DateTime now() const { return runner_.now(); }
  std::string source(const CompiledMilestone& milestone) const { return "sla:" + sla_.def->name + "/" + milestone.def->name; }
  bool holds(const std::optional<Formula>& condition) { return runner_.holds(condition); }
  void store(const Clock& clock) { store_clock(impl_, tenant_, plan_.object->name, id(), clock); }

  /// Read once per write: every milestone the write starts uses the same calendar.
  const std::string& business_hours_id() {
    if (!business_hours_) business_hours_ = find_business_hours();
    return *business_hours_;
  }

  std::string find_business_hours() {
    if (sla_.business_hours) {
      SlotResolver resolver(impl_, tenant_, now(), SlotResolver::Mode::read);
      auto result = resolver.evaluate(plan_, runner_.row(), nullptr, *sla_.business_hours);
      if (result.ok() && !result.value.is_null()) return result.value.as_string();
    }
    return default_business_hours();
  }

  /// Read once per top-level write (an import's workflow step included), like the calendars: the
  /// same for every record, and a query per record was a fifth of what starting the clocks cost.
  const std::string& default_business_hours() {
    auto& cached = runtime(impl_).default_business_hours;
    if (cached) return *cached;
    if (!impl_.catalog.find("business_hours")) return cached.emplace();
    auto rows = session_.query(Query{.object = "business_hours",
                                     .filter = Filter::and_({Filter::compare("is_default", CompareOp::eq, true),
                                                             Filter::compare("is_active", CompareOp::eq, true)}),
                                     .limit = 1, .fields = {"id"}});
    return cached.emplace(rows.size() == 0 ? std::string() : rows.rows.at(0, 0).as_string());
  }

  /// The milestone's target for the record as it is now; nullopt when it gives none (blank, <= 0).
  std::optional<std::int64_t> target_minutes(const CompiledMilestone& milestone) {
    SlotResolver resolver(impl_, tenant_, now());
    auto target = resolver.evaluate(plan_, runner_.row(), nullptr, *milestone.target_minutes);
    if (!target.ok() || target.value.is_null()) return std::nullopt;
    const auto minutes = static_cast<std::int64_t>(target.value.as_double());
    return minutes > 0 ? std::optional(minutes) : std::nullopt;
  }

  std::optional<Clock> start(const CompiledMilestone& milestone, bool paused) {
    if (!holds(milestone.start_when)) return std::nullopt;
    const auto minutes = target_minutes(milestone);
    if (!minutes) return std::nullopt;  // no target for this record (yet)
    Clock clock{milestone.def->name, paused ? "paused" : "running", now(), *minutes, business_hours_id(), 0,
                std::nullopt, std::nullopt, std::nullopt, false, false, 0};
    runner_.log(source(milestone), "sla_started", {{"target_minutes", *minutes}, {"business_hours", clock.business_hours_id}});
    if (!paused) run_segment(milestone, clock);
    store(clock);
    return clock;
  }

  /// The clock runs from now: its deadline and the timers of the thresholds not yet passed.
  void run_segment(const CompiledMilestone& milestone, Clock& clock) {
    const auto& business = calendar(session_, clock.business_hours_id);
    clock.status = "running";
    clock.segment_start = now();
    auto at = [&](std::int64_t threshold_micros) {
      return business.add_business_micros(now(), std::max<std::int64_t>(0, threshold_micros - clock.elapsed_micros));
    };
    if (!clock.violated) {
      clock.due_at = at(clock.target_micros());
      if (milestone.due_column >= 0) runner_.set(milestone.due_column, *clock.due_at, source(milestone));
    }
    auto schedule = [&](std::int64_t step, std::int64_t threshold_micros) {
      schedule_timer(impl_, tenant_, plan_.object->name, id(), "sla", milestone.def->name, step, at(threshold_micros), now());
    };
    const auto target = clock.target_micros();
    if (milestone.def->warning_percent > 0 && !clock.warned) schedule(kWarningStep, target * milestone.def->warning_percent / 100);
    if (!clock.violated) schedule(kViolationStep, target);
    const auto& levels = milestone.def->escalations;
    for (auto level = clock.escalation_level; level < static_cast<std::int64_t>(levels.size()); ++level)
      schedule(kFirstEscalationStep + level, target * levels[static_cast<std::size_t>(level)].percent / 100);
  }

  /// Adds the running segment to the elapsed business time and stops the timers.
  void stop_segment(const CompiledMilestone& milestone, Clock& clock) {
    if (clock.status == "running" && clock.segment_start)
      clock.elapsed_micros += calendar(session_, clock.business_hours_id).business_micros_between(*clock.segment_start, now());
    clock.segment_start.reset();
    cancel_timers(impl_, plan_.object->name, id(), "sla", milestone.def->name);
  }

  /// The target reads the record (priority, tier): when it now gives another one, the deadline and
  /// the thresholds not yet passed move with it; the business time already used is kept. A target
  /// that became blank leaves the clock as it was.
  bool retarget(const CompiledMilestone& milestone, Clock& clock) {
    const auto minutes = target_minutes(milestone);
    if (!minutes || *minutes == clock.target_minutes) return false;
    runner_.log(source(milestone), "sla_retargeted", {{"from_minutes", clock.target_minutes}, {"to_minutes", *minutes}});
    clock.target_minutes = *minutes;
    if (clock.status == "running") {
      stop_segment(milestone, clock);
      run_segment(milestone, clock);
    }
    return true;
  }

  void pause(const CompiledMilestone& milestone, Clock& clock) {
    stop_segment(milestone, clock);
    clock.status = "paused";
    runner_.log(source(milestone), "sla_paused", {{"elapsed_minutes", clock.elapsed_micros / kMicrosPerMinute}});
  }

  void resume(const CompiledMilestone& milestone, Clock& clock) {
    run_segment(milestone, clock);
    runner_.log(source(milestone), "sla_resumed",
                {{"due", clock.due_at ? clock.due_at->to_string() : ""}, {"elapsed_minutes", clock.elapsed_micros / kMicrosPerMinute}});
  }

  void complete(const CompiledMilestone& milestone, Clock& clock) {
    stop_segment(milestone, clock);
    // Late is late even when the violation timer has not run yet (run_due not called since).
    if (clock.elapsed_micros > clock.target_micros()) clock.violated = true;
    clock.status = clock.violated ? "missed" : "met";
    clock.completed_at = now();
    runner_.log(source(milestone), "sla_completed",
                {{"status", clock.status}, {"elapsed_minutes", clock.elapsed_micros / kMicrosPerMinute}});
    runner_.run(milestone.on_completion, source(milestone));
  }

  Session& session_;
  Session::Impl& impl_;
  const std::string& tenant_;
  const ObjectPlan& plan_;
  const CompiledSla& sla_;
  ActionRunner& runner_;
  std::optional<std::string> business_hours_;
};

}  // namespace

void track_sla(Session& session, const ObjectPlan& plan, ActionRunner& runner, bool created) {
  if (plan.workflow && plan.workflow->sla) SlaTracker(session, plan, runner).track(created);
}

void forget_sla(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, const std::string& id) {
  if (!plan.workflow || !plan.workflow->sla) return;
  auto& statement = impl.db().prepare("DELETE FROM _hotcrm_sla_clock WHERE tenant_id = ? AND object = ? AND record_id = ?");
  statement.bind_text(1, tenant);
  statement.bind_text(2, plan.object->name);
  statement.bind_text(3, id);
  statement.step();
  statement.reset();
}

bool run_service_timer(Session& session, const ObjectPlan& plan, std::vector<Value> row, std::int64_t timer_id,
                       const std::string& kind, const std::string& name, std::int64_t step, DateTime due) {
  if (kind == "approval") return run_approval_escalation(session, plan, std::move(row), timer_id, name, step);
  if (kind != "sla" || !plan.workflow->sla) return false;
  ActionRunner runner(session, plan, std::move(row), nullptr, due, "timer" + std::to_string(timer_id));
  if (!SlaTracker(session, plan, runner).run_timer(name, step)) return false;
  apply_changes(session, plan, runner);
  return true;
}

void create_service_tables(Connection& connection) {
  connection.exec(
      "CREATE TABLE IF NOT EXISTS _hotcrm_approval (id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, object TEXT NOT NULL, "
      "record_id TEXT NOT NULL, process TEXT NOT NULL, status TEXT NOT NULL, step INTEGER NOT NULL, "
      "submitted_by TEXT NOT NULL, submitted_at INTEGER NOT NULL, completed_at INTEGER, comment TEXT) STRICT;"
      "CREATE INDEX IF NOT EXISTS _hotcrm_approval_by_record ON _hotcrm_approval (tenant_id, object, record_id, id);"
      "CREATE UNIQUE INDEX IF NOT EXISTS _hotcrm_approval_one_pending ON _hotcrm_approval (tenant_id, object, record_id) "
      "WHERE status = 'pending';"
      "CREATE TABLE IF NOT EXISTS _hotcrm_approval_item (id INTEGER PRIMARY KEY, approval_id INTEGER NOT NULL "
      "REFERENCES _hotcrm_approval (id), step INTEGER NOT NULL, approver TEXT NOT NULL, decision TEXT NOT NULL, "
      "decided_at INTEGER, comment TEXT, created_at INTEGER NOT NULL) STRICT;"
      "CREATE INDEX IF NOT EXISTS _hotcrm_approval_item_by_request ON _hotcrm_approval_item (approval_id, step);"
      "CREATE INDEX IF NOT EXISTS _hotcrm_approval_item_by_approver ON _hotcrm_approval_item (approver, decision);"
      "CREATE TABLE IF NOT EXISTS _hotcrm_assignment_cursor (tenant_id TEXT NOT NULL, queue_id TEXT NOT NULL, "
      "last_user TEXT NOT NULL, PRIMARY KEY (tenant_id, queue_id)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_sla_clock (tenant_id TEXT NOT NULL, object TEXT NOT NULL, record_id TEXT NOT NULL, "
      "milestone TEXT NOT NULL, status TEXT NOT NULL, started_at INTEGER NOT NULL, target_minutes INTEGER NOT NULL, "
      "business_hours_id TEXT NOT NULL, elapsed_micros INTEGER NOT NULL, segment_start INTEGER, due_at INTEGER, "
      "completed_at INTEGER, warned INTEGER NOT NULL, violated INTEGER NOT NULL, escalation_level INTEGER NOT NULL, "
      "PRIMARY KEY (tenant_id, object, record_id, milestone)) STRICT, WITHOUT ROWID;");
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

std::vector<SlaClock> Session::sla(std::string_view object, std::string_view id) {
  detail::RecordCall call(*impl_, context_, object, id, "read");
  const auto& plan = impl_->plan(object);
  if (!plan.workflow || !plan.workflow->sla) throw SchemaError(ErrorCode::schema, fmt::format("{} has no SLA", object));
  detail::PinnedClock clock(*impl_);  // also scopes the calendar cache to this call
  const DateTime now = clock.now();
  std::vector<SlaClock> clocks;
  for (const auto& milestone : plan.workflow->sla->milestones) {
    auto stored = detail::load_clock(*impl_, context_.tenant, plan.object->name, std::string(id), milestone.def->name);
    if (!stored) continue;
    auto elapsed = stored->elapsed_micros;
    if (stored->status == "running" && stored->segment_start && now > *stored->segment_start)
      elapsed += detail::calendar(*this, stored->business_hours_id).business_micros_between(*stored->segment_start, now);
    clocks.push_back({stored->milestone, stored->status, stored->started_at, stored->target_minutes,
                      elapsed / detail::kMicrosPerMinute, stored->status == "running" ? stored->due_at : std::nullopt,
                      stored->completed_at, stored->warned, stored->violated, static_cast<std::int32_t>(stored->escalation_level)});
  }
  // No clock: say whether the record has none yet or does not exist (deleted records have none).
  if (clocks.empty() && !detail::load_row(*impl_, plan, id, context_.tenant))
    throw NotFoundError(ErrorCode::not_found, fmt::format("no {} with id '{}'", object, id));
  return clocks;
}

}  // namespace v0
}  // namespace hotcrm
