#pragma once
// What the workflow engine reports and accepts: outbox messages (e-mail and webhooks the host
// delivers), the execution log, host callbacks for custom actions, and the results of run_due and
// simulate. The engine itself runs inside Session writes; see docs/workflow.md.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hotcrm/store/record.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

class Session;

/// A message for the host to deliver. Written in the transaction of the change that caused it, so
/// it exists exactly when the change was committed.
struct OutboxMessage {
  std::int64_t id = 0;
  std::string kind;             ///< "email" or "webhook"
  std::string object;           ///< the record that caused it
  std::string record_id;
  std::string source;           ///< "rule:<name>", "transition:<event>", "state:<name>", "schedule:<name>", ...
  std::string payload;          ///< JSON: email {template, to, subject, body}; webhook {method, url, body}
  std::string idempotency_key;  ///< unique; deliver a key at most once
  std::string status;           ///< "pending", "sent" or "failed"
  DateTime created_at;
};

/// One thing the engine did: a rule or transition that fired, or one of their actions.
struct WorkflowLogEntry {
  std::int64_t sequence = 0;
  DateTime at;
  std::string object;
  std::string record_id;
  std::string source;  ///< as in OutboxMessage::source
  std::string action;  ///< "fired", "field_update", "create_record", "email", "webhook", "custom", "transition", ...
  std::string detail;  ///< JSON: field, before and after values; created ids; message ids
};

/// A durable timed action waiting in the database (time triggers and state timeouts).
struct PendingTimer {
  std::int64_t id = 0;
  std::string object;
  std::string record_id;
  std::string source;  ///< "rule:<name>#<trigger>" or "state:<name>"
  DateTime due_at;
};

/// What a custom action callback receives. Writes through `session` join the transaction of the
/// change that triggered the action; throwing aborts that change entirely.
struct ActionContext {
  Session& session;
  std::string object;
  std::string record_id;
  Record record;       ///< the record as the action sees it (pending field updates applied)
  Record parameters;   ///< the action's parameters, evaluated
  DateTime now;
};
using ActionCallback = std::function<void(ActionContext&)>;

/// What run_due did.
struct RunReport {
  std::int64_t timers_run = 0;      ///< timed actions and state timeouts executed
  std::int64_t timers_dropped = 0;  ///< due, but their record or condition no longer holds
  std::int64_t schedule_runs = 0;   ///< scheduled-rule occurrences run
  std::int64_t records_touched = 0; ///< records a scheduled rule ran its actions on
};

/// What a change would trigger (Session::simulate): nothing of it is kept.
struct Simulation {
  std::optional<Record> record;          ///< the record after the change and its workflows
  std::vector<WorkflowLogEntry> log;
  std::vector<OutboxMessage> outbox;
  std::vector<PendingTimer> timers;      ///< timed actions it would schedule
};

/// How a lead is converted (Session::convert_lead).
struct LeadConversionOptions {
  bool create_opportunity = true;
  std::string opportunity_name;            ///< empty: "<company> - Deal"
  std::optional<std::string> owner_id;     ///< owner of what is created; absent: the lead's owner
  std::optional<std::string> account_id;   ///< attach to this existing account instead of creating one
};

/// What a lead became.
struct LeadConversion {
  std::string account_id;
  std::string contact_id;
  std::optional<std::string> opportunity_id;
  bool account_created = true;
};

/// One approver's part in a request: a decision ("pending", "approved", "rejected") or why none
/// is needed any more ("not_required" after a first response, "recalled").
struct ApprovalItem {
  std::int32_t step = 0;  ///< 1-based
  std::string step_name;
  std::string approver;
  std::string decision;
  std::optional<DateTime> decided_at;
  std::string comment;
};

/// An approval request and where it stands.
struct ApprovalState {
  std::int64_t id = 0;
  std::string object;
  std::string record_id;
  std::string process;
  std::string status;          ///< "pending", "approved", "rejected" or "recalled"
  std::int32_t step = 0;       ///< the pending step (1-based); 0 when not pending
  std::string step_name;
  std::string submitted_by;
  DateTime submitted_at;
  std::optional<DateTime> completed_at;
  std::vector<std::string> pending_approvers;  ///< who can decide the pending step now
  std::vector<ApprovalItem> history;           ///< every approver's part, in order
};

/// One SLA milestone of a record. Times are business time of the SLA's calendar.
struct SlaClock {
  std::string milestone;
  std::string status;            ///< "running", "paused", "met" (completed in time) or "missed"
  DateTime started_at;
  std::int64_t target_minutes = 0;
  std::int64_t elapsed_minutes = 0;  ///< business minutes counted so far (pauses excluded)
  std::optional<DateTime> due_at;    ///< the deadline while running
  std::optional<DateTime> completed_at;
  bool warned = false;
  bool violated = false;
  std::int32_t escalation_level = 0;
};

}  // namespace v0
}  // namespace hotcrm
