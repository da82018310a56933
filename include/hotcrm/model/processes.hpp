#pragma once
// Service processes of an object, declared in the catalog like its workflow rules: approval
// processes (submit, approve, reject, recall; the record locked while pending), assignment rules
// (who owns a new record: a user, or a queue member by round-robin or load), and SLA milestones
// (deadlines in business time with warning, violation and escalation actions, paused while the
// record waits on the customer). See docs/service.md for the JSON form and the semantics.
#include <cstdint>
#include <string>
#include <vector>

#include "hotcrm/model/automation.hpp"

namespace hotcrm {
inline namespace v0 {

/// Who may decide an approval step.
struct Approver {
  enum class Kind : std::uint8_t {
    user,     ///< `value` is a user id
    manager,  ///< the submitter's manager (user.manager_id), `levels` up the chain
    queue,    ///< the active members of the queue named `value`
    field,    ///< `value` is a formula over the record giving a user id ("owner_id", "account_id.owner_id")
  };
  Kind kind = Kind::user;
  std::string value;
  std::int32_t levels = 1;
};

/// How the approvers of a step decide: the first answer counts, or every approver must approve.
enum class ApprovalDecision : std::uint8_t { first_response, unanimous };
/// What a rejection at a step does: reject the record, or send it back to the previous step.
enum class RejectBehavior : std::uint8_t { final, back };

struct ApprovalStep {
  std::string name;
  std::string criteria;  ///< boolean formula; a step whose criteria do not hold is skipped
  std::vector<Approver> approvers;
  ApprovalDecision decision = ApprovalDecision::first_response;
  RejectBehavior on_reject = RejectBehavior::final;
  std::int64_t escalate_after_minutes = 0;  ///< 0: never
  std::vector<Approver> escalate_to;        ///< approvers added when the step escalates
  std::vector<WorkflowAction> on_escalation;
};

/// Fields of the record the engine itself keeps current (each optional; empty: not kept).
struct ApprovalFields {
  std::string status;       ///< select or text: pending, approved, rejected, recalled
  std::string step;         ///< number: the current step (1-based), 0 when none is pending
  std::string approved_by;  ///< text or lookup to user: who gave the final approval
  std::string approved_at;  ///< datetime
  std::string rejected_by;
  std::string rejected_at;
};

struct ApprovalProcess {
  std::string name;
  std::string description;
  std::string entry_criteria;  ///< boolean formula a record must meet to be submitted
  std::int32_t order = 0;      ///< processes are tried by order: the first whose entry criteria hold
  bool active = true;
  bool lock = true;            ///< users cannot edit or delete the record while it is pending
  bool allow_recall = true;
  ApprovalFields fields;
  std::vector<ApprovalStep> steps;
  std::vector<WorkflowAction> on_submit, on_approve, on_reject, on_recall;
};

/// One entry of an object's assignment rules: when `criteria` holds, the record goes to `user`
/// or to the queue named `queue` (whose routing method picks the member).
struct AssignmentEntry {
  std::string criteria;  ///< boolean formula; empty: always
  std::string user;
  std::string queue;
};

/// Who owns a new record. Runs on insert when the insert names no owner and `condition` holds, and
/// on demand (Session::assign). Entries are tried in order, first match wins; with `rule_records`
/// the object's assignment_rule records (the seed's form) are tried before them.
struct AssignmentRules {
  std::string description;
  std::string field = "owner_id";  ///< the user field assigned
  std::string queue_field;         ///< optional lookup to queue: the queue the record went through
  std::string condition;           ///< boolean formula; empty: always
  std::string open_condition;      ///< boolean formula: records that count towards a member's load
  bool rule_records = false;
  std::vector<AssignmentEntry> entries;
};

/// One SLA target of a record, measured in business time.
struct SlaMilestone {
  struct Escalation {
    std::int32_t percent = 100;  ///< of the target, when the level is reached
    std::vector<WorkflowAction> actions;
  };
  std::string name;
  std::string start_when;      ///< boolean formula; empty: the clock starts when the record is created
  std::string target_minutes;  ///< number formula: the target in business minutes (per priority, tier, ...)
  std::string complete_when;   ///< boolean formula: the milestone is met (or completed late) when it holds
  std::string due_field;       ///< optional datetime field the deadline is written to
  std::int32_t warning_percent = 0;  ///< 0: no warning
  std::vector<WorkflowAction> on_warning, on_violation, on_completion;
  std::vector<Escalation> escalations;
};

struct SlaDefinition {
  std::string name;
  std::string description;
  std::string business_hours;  ///< formula giving a business_hours id; empty: the default record, else 24x7
  std::string pause_when;      ///< boolean formula: the clocks stop while it holds
  std::vector<SlaMilestone> milestones;
};

}  // namespace v0
}  // namespace hotcrm
