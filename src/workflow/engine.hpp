#pragma once
// The workflow engine's private parts: automation metadata compiled once per object when the
// database opens (WorkflowPlan), the per-database runtime (registered callbacks, re-entry state),
// and the hooks the write path calls after each write.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotcrm/store/database.hpp"
#include "store/impl.hpp"

namespace hotcrm::detail {

class Connection;

/// A compiled ActionValue: a literal, a formula, or template parts (text or formula).
struct CompiledValue {
  ActionValue::Kind kind = ActionValue::Kind::literal;
  Value literal;
  std::optional<Formula> formula;
  std::vector<std::pair<std::string, std::optional<Formula>>> parts;  ///< template: text, or a merge field
};

struct CompiledAction {
  const WorkflowAction* def = nullptr;
  std::size_t index = 0;  ///< position in its list (idempotency keys, log)
  std::optional<Formula> condition;
  CompiledValue value;    ///< field_update
  std::vector<std::pair<std::string, CompiledValue>> values;  ///< create_record fields, custom parameters
  std::vector<CompiledValue> recipients;
  CompiledValue subject, body, url;
  nlohmann::json body_template;                ///< webhook body as written
  std::vector<CompiledValue> body_values;      ///< its string / {"formula"} leaves in walk order
};
using CompiledActions = std::vector<CompiledAction>;

struct CompiledTimeTrigger {
  const TimeTrigger* def = nullptr;
  int field_column = -1;  ///< the date field's column; -1: relative to the firing time
  CompiledActions actions;
};

struct CompiledRule {
  const WorkflowRule* def = nullptr;
  std::optional<Formula> condition;
  CompiledActions actions;
  std::vector<CompiledTimeTrigger> time_triggers;
};

struct CompiledState {
  const StateDef* def = nullptr;
  CompiledActions on_entry, on_exit, timeout_actions;
  std::optional<Formula> timeout_condition;
};

struct CompiledTransition {
  const Transition* def = nullptr;
  std::optional<Formula> guard;
  CompiledActions actions;
};

struct CompiledMachine {
  const StateMachine* def = nullptr;
  int state_column = -1;
  std::map<std::string, CompiledState, std::less<>> states;
  std::vector<CompiledTransition> transitions;
};

struct CompiledSchedule {
  const ScheduledRule* def = nullptr;
  std::optional<Formula> filter;
  CompiledActions actions;
};

struct CompiledApprover {
  const Approver* def = nullptr;
  std::optional<Formula> field;  ///< Approver::Kind::field
};

struct CompiledStep {
  const ApprovalStep* def = nullptr;
  std::optional<Formula> criteria;
  std::vector<CompiledApprover> approvers, escalate_to;
  CompiledActions on_escalation;
};

struct CompiledProcess {
  const ApprovalProcess* def = nullptr;
  std::optional<Formula> entry_criteria;
  std::vector<CompiledStep> steps;
  CompiledActions on_submit, on_approve, on_reject, on_recall;
};

struct CompiledAssignment {
  const AssignmentRules* def = nullptr;
  int field_column = -1;
  int queue_column = -1;
  std::optional<Formula> condition, open_condition;
  std::vector<std::optional<Formula>> entry_criteria;  ///< one per entry
};

struct CompiledMilestone {
  const SlaMilestone* def = nullptr;
  std::optional<Formula> start_when, complete_when, target_minutes;
  int due_column = -1;
  CompiledActions on_warning, on_violation, on_completion;
  std::vector<CompiledActions> escalations;
};

struct CompiledSla {
  const SlaDefinition* def = nullptr;
  std::optional<Formula> business_hours, pause_when;
  std::vector<CompiledMilestone> milestones;
};

/// Everything an object's automation needs at run time.
struct WorkflowPlan {
  std::vector<CompiledRule> rules;  ///< active rules, by order then catalog position
  std::optional<CompiledMachine> machine;
  std::vector<CompiledSchedule> schedules;
  std::vector<CompiledProcess> approvals;  ///< active processes, by order then catalog position
  std::optional<CompiledAssignment> assignment;
  std::optional<CompiledSla> sla;
  bool has_rules_for(WorkflowTrigger trigger) const;
  bool locks_records() const;
};

/// Compiles the automation of every object into plan.workflow (called once the formulas are compiled).
void compile_workflows(Session::Impl& impl);
/// Creates the engine's tables (outbox, timers, log, schedules) when missing.
void create_workflow_tables(Connection& connection);

enum class WriteEvent : std::uint8_t { insert, update, remove };

/// Per-database state of the engine while writes run.
struct WorkflowRuntime {
  std::map<std::string, ActionCallback, std::less<>> callbacks;
  int depth = 0;                 ///< nesting of writes made by actions
  std::optional<DateTime> pinned_now;  ///< one clock reading for a whole write and its workflows
  /// Records whose workflow field updates are being re-evaluated (the one allowed re-entry), with
  /// the fields the first round changed.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> reentry;
  /// Records written by the last round of field updates: no further workflow evaluation.
  std::set<std::pair<std::string, std::string>> settled;
  /// Records whose state field may change in the current write (events, not plain updates).
  std::set<std::pair<std::string, std::string>> state_moves;
  bool simulating = false;
  /// Business calendars loaded during the current top-level write (SLA arithmetic), by
  /// business_hours id ("" for the default); dropped when that write ends.
  std::map<std::string, std::shared_ptr<const BusinessCalendar>, std::less<>> calendars;
  /// The default active business_hours record's id ("" : none) once read in the current top-level
  /// write: SLAs without a business_hours formula start every clock in it. Dropped with calendars.
  std::optional<std::string> default_business_hours;
  /// Writes made by the engine's own actions may set read-only fields (escalated_date, closed_date):
  /// read-only means "not by users", as in Salesforce. Host callbacks write as users again.
  int system_writes = 0;
};

/// Marks the writes made while it lives as the engine's own (see WorkflowRuntime::system_writes).
class SystemWrite {
 public:
  explicit SystemWrite(WorkflowRuntime& runtime) : runtime_(runtime) { ++runtime_.system_writes; }
  ~SystemWrite() { --runtime_.system_writes; }
  SystemWrite(const SystemWrite&) = delete;
  SystemWrite& operator=(const SystemWrite&) = delete;

 private:
  WorkflowRuntime& runtime_;
};

/// True while the engine's own actions write.
bool is_system_write(const Session::Impl& impl);

/// The session's runtime (created on first use).
WorkflowRuntime& runtime(Session::Impl& impl);

/// Pins the clock for a top-level write: every nested write and action sees the same NOW().
class PinnedClock {
 public:
  PinnedClock(Session::Impl& impl, std::optional<DateTime> at = std::nullopt);
  ~PinnedClock();
  PinnedClock(const PinnedClock&) = delete;
  PinnedClock& operator=(const PinnedClock&) = delete;
  DateTime now() const noexcept { return now_; }

 private:
  WorkflowRuntime& runtime_;
  bool owner_;
  std::optional<DateTime> previous_;
  DateTime now_;
};

/// The write path's hook, called after the row is written and before roll-ups and commit. Runs the
/// matching workflow rules and the state machine's entry actions (inserts); field updates of the
/// record come back as one update through `session`, re-evaluated at most once.
void after_write(Session& session, const ObjectPlan& plan, WriteEvent event, const std::vector<Value>* prior,
                 const std::vector<Value>& row);
/// The workflow step of a bulk import: rows with rowid in [first_rowid, last_rowid] (the import's
/// own rows, read back in pages) run the insert pipeline's workflow step in input order. Rule
/// conditions are evaluated a page at a time on the batch path; only rows that meet a condition
/// (or enter a state with entry actions or a timeout) go through the per-record step.
void after_import(Session& session, const ObjectPlan& plan, std::int64_t first_rowid, std::int64_t last_rowid);
/// Checks a plain update of the state field (only events move states); throws ValidationError.
void check_state_write(Session::Impl& impl, const ObjectPlan& plan, const std::vector<Value>& prior,
                       const std::vector<Value>& row);
/// On insert: the state field takes the machine's initial state when not given; a value that is not
/// a state is an error.
void default_state(const ObjectPlan& plan, std::vector<Value>& row, std::vector<FieldError>& errors);

// ---- service processes (approvals.cpp, assignment.cpp, sla.cpp) ----

/// Refuses a user's edit or delete of a record pending approval in a locking process (ConflictError).
void check_not_locked(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant, std::string_view id,
                      std::string_view operation);
/// The insert step of assignment rules: when the insert named no owner and the rules' condition
/// holds, sets the owner (and queue) fields of `row` before it is written.
void assign_on_insert(Session& session, const ObjectPlan& plan, std::vector<Value>& row, bool owner_given);
/// Drops a deleted record's SLA clocks.
void forget_sla(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, const std::string& id);
/// Withdraws a deleted record's pending approval request (status recalled), so that no approver's
/// queue keeps a request nobody can decide.
void withdraw_approval(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, const std::string& id);
/// Runs a due timer of a service process ("approval" or "sla"); false when it no longer applies.
bool run_service_timer(Session& session, const ObjectPlan& plan, std::vector<Value> row, std::int64_t timer_id,
                       const std::string& kind, const std::string& name, std::int64_t step, DateTime due);
/// Creates the service processes' tables when missing.
void create_service_tables(Connection& connection);

}  // namespace hotcrm::detail
