#pragma once
// Automation metadata of an object: workflow rules (what happens when a record is written), scheduled
// rules (what happens at cron times), and a state machine (events moving a record between states).
// Like validation rules, they are catalog data loaded from JSON and executed by the engine; see
// docs/workflow.md for the JSON form and the save pipeline that runs them.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

/// A value an action writes or sends: a literal, a formula over the triggering record, a text
/// template whose `{!expression}` merge fields are formulas ("Follow up {!first_name} {!last_name}"),
/// or the next number of a sequence in the text field written ("EMP{YYYY}{0000}": 1 + the highest
/// number among the records whose value has this year's prefix; the seed's employee numbers).
struct ActionValue {
  enum class Kind : std::uint8_t { literal, formula, text_template, sequence };
  Kind kind = Kind::literal;
  Value literal;
  std::string source;  ///< formula or template text; sequence: the format (autonumber tokens, counter last)

  static ActionValue of(Value value) { return {Kind::literal, std::move(value), {}}; }
  static ActionValue formula(std::string text) { return {Kind::formula, {}, std::move(text)}; }
  static ActionValue text_template(std::string text) { return {Kind::text_template, {}, std::move(text)}; }
  static ActionValue sequence(std::string format) { return {Kind::sequence, {}, std::move(format)}; }
};

/// One step a rule, transition or state takes, in order.
struct WorkflowAction {
  enum class Kind : std::uint8_t {
    field_update,   ///< set `field` (on the record, or on the parent through lookup `target`) to `value`
    create_record,  ///< insert a record of `object` with `values`
    email,          ///< an e-mail alert written to the outbox: `template_name`, `recipients`, `subject`, `body`
    webhook,        ///< an HTTP call written to the outbox: `method`, `url`, `body` (JSON with templates)
    custom,         ///< the host callback registered under `name`, with `values` as parameters
    score,          ///< set numeric `field` to the record's score by registered model `model` (docs/scoring.md)
  };
  Kind kind = Kind::field_update;
  std::string condition;  ///< optional boolean formula: the action runs only when it holds
  std::string field;      ///< field_update: the field written
  std::string target;     ///< field_update: empty for the record itself, else a lookup to the parent written
  ActionValue value;      ///< field_update: the new value
  std::string object;     ///< create_record: the object created
  std::vector<std::pair<std::string, ActionValue>> values;  ///< create_record fields; custom parameters
  std::string template_name;          ///< email: the template's name, sent along for the host
  std::vector<ActionValue> recipients;  ///< email: addresses (formulas such as owner_id.email, or literals)
  ActionValue subject;                ///< email
  ActionValue body;                   ///< email: the text; webhook: unused (see body_json)
  std::string method = "POST";        ///< webhook
  ActionValue url;                    ///< webhook
  std::string body_json;              ///< webhook: JSON whose string leaves are templates and
                                      ///< {"formula": ...} leaves formulas
  std::string name;                   ///< custom: the registered action's name
  std::string model;                  ///< score: the registered model's name (its champion, or a routed challenger)
};

/// When a workflow rule fires, on which writes.
enum class WorkflowTrigger : std::uint8_t { on_create, on_update, on_create_or_update, on_delete };
std::string_view to_string(WorkflowTrigger trigger) noexcept;

/// Salesforce's evaluation criteria: every time the condition holds, or only on the edge where a
/// record newly meets it (true now, false for the record before the edit).
enum class Evaluation : std::uint8_t { every_time, newly_meets };
std::string_view to_string(Evaluation evaluation) noexcept;

/// Actions that run a fixed time before or after a date/datetime field of the record (or after the
/// moment the rule fired), stored durably; re-checked against the rule's condition when due.
struct TimeTrigger {
  std::int64_t offset_minutes = 0;  ///< negative: before
  std::string field;                ///< date or datetime field; empty: the time the rule fired
  std::vector<WorkflowAction> actions;
};

struct WorkflowRule {
  std::string name;
  WorkflowTrigger trigger = WorkflowTrigger::on_create_or_update;
  Evaluation evaluation = Evaluation::every_time;
  std::string condition;  ///< boolean formula; empty: always
  std::int32_t order = 0;  ///< rules run by order, then by position in the catalog
  bool active = true;
  std::vector<WorkflowAction> actions;
  std::vector<TimeTrigger> time_triggers;
};

/// What run_due does with cron times missed while nothing ran (the host was down).
enum class CatchUp : std::uint8_t {
  latest,  ///< run once, for the latest missed time
  all,     ///< run once per missed time, in order
};
std::string_view to_string(CatchUp catch_up) noexcept;

/// A rule run at cron times over the records of its object that match `filter`.
struct ScheduledRule {
  std::string name;
  std::string cron;               ///< five-field cron expression
  std::string time_zone = "UTC";  ///< IANA name the cron times are read in
  std::string filter;             ///< boolean formula; empty: every record
  CatchUp catch_up = CatchUp::latest;
  bool active = true;
  std::vector<WorkflowAction> actions;
};

/// An event fired automatically when a record has stayed in a state for `after_minutes`.
struct StateTimeout {
  std::int64_t after_minutes = 0;
  std::string event;      ///< fired when due; empty: only `actions` run (a reminder)
  std::string condition;  ///< optional boolean formula checked when due
  std::vector<WorkflowAction> actions;
};

struct StateDef {
  std::string name;
  bool final = false;
  std::vector<WorkflowAction> on_entry;
  std::vector<WorkflowAction> on_exit;
  std::optional<StateTimeout> timeout;
};

struct Transition {
  std::string event;
  std::vector<std::string> from;  ///< source states; empty: any state
  std::string to;
  std::string guard;  ///< optional boolean formula
  std::vector<WorkflowAction> actions;
};

/// States kept in `field` (a picklist of the state names, or text); moved only by events.
struct StateMachine {
  std::string name;
  std::string field;
  std::string initial;
  std::vector<StateDef> states;
  std::vector<Transition> transitions;
  const StateDef* find_state(std::string_view state) const noexcept;
};

}  // namespace v0
}  // namespace hotcrm
