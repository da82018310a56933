#pragma once
// Running action lists against one record, and the engine's durable journal: the execution log,
// the outbox and the timer queue (all written in the caller's transaction).
#include <cstdint>
#include <string>
#include <vector>

#include "workflow/engine.hpp"

namespace hotcrm::detail {

/// Minutes in workflow definitions (timeouts, offsets, escalations, SLA targets) to DateTime micros.
inline constexpr std::int64_t kMicrosPerMinute = 60'000'000;

/// Runs actions in order for one record. Field updates of the record itself are applied to the
/// in-memory row (later actions and templates see them) and collected in changes(), which the
/// caller writes as one update; every other action takes effect at once, in the transaction.
class ActionRunner {
 public:
  /// `key` makes outbox idempotency keys unique per firing (record version, timer, occurrence).
  ActionRunner(Session& session, const ObjectPlan& plan, std::vector<Value> row, const std::vector<Value>* prior,
               DateTime now, std::string key);

  /// Runs `actions` on behalf of `source` ("rule:lead_assignment", "transition:assign", ...).
  void run(const CompiledActions& actions, const std::string& source);
  /// Sets a field of the record (as a field update would), e.g. the state field on a transition.
  void set(int column, Value value, const std::string& source);

  const Record& changes() const noexcept { return changes_; }
  const std::vector<Value>& row() const noexcept { return row_; }
  const std::string& record_id() const { return id_; }
  DateTime now() const noexcept { return now_; }

  /// True when `condition` is absent or TRUE for the current row (false for null or a fault).
  bool holds(const std::optional<Formula>& condition);
  void log(const std::string& source, const std::string& action, const nlohmann::json& detail);

 private:
  Value evaluate(const CompiledValue& value, const std::string& source);
  /// The value written to `object`.`field`: evaluate(), or the sequence's next number there.
  Value value_for(const CompiledValue& value, const std::string& object, const std::string& field,
                  const std::string& source);
  std::string next_in_sequence(const std::string& format, const std::string& object, const std::string& field);
  Value evaluate_formula(const Formula& formula, const std::string& source);
  std::string render(const CompiledValue& value, const std::string& source);
  nlohmann::json render_body(const nlohmann::json& node, const std::vector<CompiledValue>& leaves, std::size_t& next,
                             const std::string& source);
  void run_one(const CompiledAction& action, const std::string& source);
  void field_update(const CompiledAction& action, const std::string& source);
  void parent_update(const CompiledAction& action, const std::string& source);
  void create_record(const CompiledAction& action, const std::string& source);
  void email(const CompiledAction& action, const std::string& source);
  void webhook(const CompiledAction& action, const std::string& source);
  void custom(const CompiledAction& action, const std::string& source);
  void score(const CompiledAction& action, const std::string& source);
  std::int64_t post(const std::string& kind, const std::string& source, std::size_t index, const nlohmann::json& payload);

  Session& session_;
  Session::Impl& impl_;
  const ObjectPlan& plan_;
  std::vector<Value> row_;
  const std::vector<Value>* prior_;
  DateTime now_;
  std::string key_;
  std::string id_;
  Record changes_;
};

/// Writes the runner's field updates of its record as one update through `session`: the first
/// round re-enters the workflow rules once, the re-entry round is final (changing a field the first
/// round wrote is a cycle error).
void apply_changes(Session& session, const ObjectPlan& plan, ActionRunner& runner);
/// The record enters `state`: its on_entry actions run and its timeout (if any) is scheduled.
void enter_state(Session::Impl& impl, ActionRunner& runner, const ObjectPlan& plan, const CompiledMachine& machine,
                 const std::string& state, const std::string& tenant);

/// Fires `event` on a loaded row (Session::fire and state timeouts); returns the new state.
/// Throws WorkflowError when no transition allows the event or its guard fails.
std::string fire_event(Session& session, const ObjectPlan& plan, std::vector<Value> row, const std::string& event);

/// Starts, pauses, resumes and completes the record's SLA clocks to match the runner's row (the
/// record as written); deadline fields and milestone actions join the runner's changes. A record
/// just `created` has no clocks yet: none are read.
void track_sla(Session& session, const ObjectPlan& plan, ActionRunner& runner, bool created);
/// The escalation timer of an approval step (run_service_timer).
bool run_approval_escalation(Session& session, const ObjectPlan& plan, std::vector<Value> row, std::int64_t timer_id,
                             const std::string& process, std::int64_t step);

/// A field of a record as display text; empty when absent or null.
std::string field_text(const Record& record, const std::string& field);

/// The record of a row: field name -> value (system fields included).
Record row_to_record(const ObjectPlan& plan, const std::vector<Value>& row);

void append_log(Session::Impl& impl, const std::string& tenant, DateTime at, const std::string& object,
                const std::string& record_id, const std::string& source, const std::string& action,
                const nlohmann::json& detail);
void schedule_timer(Session::Impl& impl, const std::string& tenant, const std::string& object,
                    const std::string& record_id, const std::string& kind, const std::string& name, std::int64_t step,
                    DateTime due, DateTime now);
/// Removes a record's pending timers: of one kind and name, or all of them (kind empty).
void cancel_timers(Session::Impl& impl, const std::string& object, const std::string& record_id,
                   const std::string& kind = {}, const std::string& name = {});

}  // namespace hotcrm::detail
