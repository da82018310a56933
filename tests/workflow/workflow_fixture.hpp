#pragma once
// A catalog with workflow rules, time triggers, a schedule and a state machine, and a database on
// a real file with a clock the test moves.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

namespace hotcrm::test {

inline const char* kWorkflowCatalog = R"json([
  {"name": "portfolio", "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "manager_email", "type": "email"},
    {"name": "last_win", "type": "text"}
  ]},
  {"name": "deal", "fields": [
    {"name": "title", "type": "text", "required": true},
    {"name": "portfolio_id", "type": "lookup", "reference": "portfolio"},
    {"name": "amount", "type": "currency", "scale": 2, "min": 0},
    {"name": "stage", "type": "select", "default": "open", "options": ["open", "won", "lost"]},
    {"name": "priority", "type": "select", "options": ["low", "high"]},
    {"name": "edits", "type": "number", "default": 0},
    {"name": "flag", "type": "text"},
    {"name": "echo", "type": "text"},
    {"name": "close_date", "type": "date"},
    {"name": "reminded", "type": "boolean", "default": false}
  ],
  "validation_rules": [
    {"name": "no_negative_edits", "condition": "edits < 0", "message": "edits cannot be negative", "error_field": "edits"}
  ],
  "workflow_rules": [
    {"name": "big_deal_alert", "trigger": "on_create_or_update", "evaluation": "newly_meets",
     "condition": "amount >= 100000", "order": 1,
     "actions": [
       {"type": "email", "template": "big_deal", "to": ["{!portfolio_id.manager_email}", "sales@example.com"],
        "subject": "Big deal: {!title}", "body": "Amount {!amount}"},
       {"type": "webhook", "url": "https://hooks.example.com/deals/{!id}",
        "body": {"text": "{!title} is big", "amount": {"formula": "amount"}, "tags": ["crm", "{!stage}"]}}
     ]},
    {"name": "priority_from_amount", "trigger": "on_create_or_update", "order": 2,
     "condition": "AND(amount >= 50000, NOT(ISPICKVAL(priority, 'high')))",
     "actions": [{"type": "field_update", "field": "priority", "value": "high"}]},
    {"name": "echo_priority", "trigger": "on_update", "order": 3,
     "condition": "ISCHANGED(priority)",
     "actions": [{"type": "field_update", "field": "echo", "value": {"template": "priority is {!TEXT(priority)}"}}]},
    {"name": "won_updates_portfolio", "trigger": "on_update", "order": 4,
     "condition": "AND(ISCHANGED(stage), ISPICKVAL(stage, 'won'))",
     "actions": [
       {"type": "field_update", "target": "portfolio_id", "field": "last_win", "value": {"formula": "title"}},
       {"type": "create_record", "object": "task", "values": {
         "subject": {"template": "Thank the customer for {!title}"}, "deal_id": {"formula": "id"},
         "due": {"formula": "TODAY() + 1"}}}
     ]},
    {"name": "close_reminder", "trigger": "on_create_or_update", "evaluation": "newly_meets", "order": 5,
     "condition": "AND(ISPICKVAL(stage, 'open'), NOT(ISBLANK(close_date)))",
     "time_triggers": [
       {"before": "2 days", "field": "close_date",
        "actions": [{"type": "field_update", "field": "reminded", "value": true}]},
       {"after": "1 day",
        "actions": [{"type": "email", "template": "follow_up", "to": ["owner@example.com"], "subject": "{!title}"}]}
     ]},
    {"name": "bad_edit", "trigger": "on_create", "condition": "title = 'break'",
     "actions": [{"type": "field_update", "field": "edits", "value": -1}]},
    {"name": "ping", "trigger": "on_update", "condition": "flag = 'ping'",
     "actions": [{"type": "field_update", "field": "flag", "value": "pong"}]},
    {"name": "pong", "trigger": "on_update", "condition": "flag = 'pong'",
     "actions": [{"type": "field_update", "field": "flag", "value": "ping"}]},
    {"name": "timed_hook", "trigger": "on_create", "condition": "title = 'timed hook'",
     "time_triggers": [{"after": "1 hour", "actions": [
       {"type": "email", "template": "hook", "to": ["a@example.com"]},
       {"type": "custom", "name": "notify", "parameters": {"what": {"formula": "title"}, "n": 1}}]}]},
    {"name": "deleted_alert", "trigger": "on_delete",
     "actions": [{"type": "webhook", "method": "DELETE", "url": "https://hooks.example.com/deals/{!id}"}]},
    {"name": "custom_hook", "trigger": "on_create", "condition": "title = 'call me'",
     "actions": [{"type": "custom", "name": "notify", "parameters": {"what": {"formula": "title"}, "n": 3}}]}
  ],
  "scheduled_rules": [
    {"name": "nightly_touch", "cron": "0 9 * * *", "time_zone": "Europe/Paris", "filter": "ISPICKVAL(stage, 'open')",
     "catch_up": "all",
     "actions": [{"type": "field_update", "field": "flag", "value": {"template": "touched {!TEXT(NOW())}"}}]}
  ]},
  {"name": "task", "fields": [
    {"name": "subject", "type": "text", "required": true},
    {"name": "deal_id", "type": "lookup", "reference": "deal", "on_delete": "cascade"},
    {"name": "due", "type": "date"}
  ]},
  {"name": "ticket", "fields": [
    {"name": "subject", "type": "text", "required": true},
    {"name": "state", "type": "select",
     "options": ["new", "assigned", "waiting", "resolved", "closed"]},
    {"name": "assignee", "type": "text"},
    {"name": "resolution", "type": "text"},
    {"name": "assigned_at", "type": "datetime"},
    {"name": "reopened", "type": "number", "default": 0}
  ],
  "state_machine": {
    "name": "ticket_lifecycle", "field": "state", "initial": "new",
    "states": [
      {"name": "new", "on_entry": [{"type": "email", "template": "ticket_created", "to": ["help@example.com"]}]},
      {"name": "assigned", "on_entry": [{"type": "field_update", "field": "assigned_at", "value": {"formula": "NOW()"}}],
       "timeout": {"after": "4 hours", "event": "escalate_wait", "condition": "ISBLANK(resolution)"}},
      {"name": "waiting", "timeout": {"after": "7 days", "event": "give_up"}},
      {"name": "resolved", "timeout": {"after": "1 day", "event": "close"}},
      {"name": "closed", "final": true}
    ],
    "transitions": [
      {"event": "assign", "from": "new", "to": "assigned", "guard": "NOT(ISBLANK(assignee))"},
      {"event": "escalate_wait", "from": "assigned", "to": "waiting"},
      {"event": "give_up", "from": "waiting", "to": "closed"},
      {"event": "resolve", "from": ["assigned", "waiting"], "to": "resolved", "guard": "NOT(ISBLANK(resolution))"},
      {"event": "close", "from": "resolved", "to": "closed"},
      {"event": "reopen", "from": ["resolved", "closed"], "to": "assigned",
       "actions": [{"type": "field_update", "field": "reopened", "value": {"formula": "reopened + 1"}}]}
    ]
  }}
])json";

inline Catalog workflow_catalog() { return Catalog::from_json(kWorkflowCatalog, "workflow test catalog"); }

/// A database whose clock the test sets.
struct WorkflowDb {
  TempDir dir;
  std::filesystem::path path = dir.file("workflow.db");
  std::shared_ptr<DateTime> clock = std::make_shared<DateTime>(DateTime::parse("2026-03-02T10:00:00Z"));
  Database db = open(path);

  Database open(const std::filesystem::path& file) {
    OpenOptions options;
    options.catalog = workflow_catalog();
    options.clock = [clock = clock] { return *clock; };
    options.id_seed = 7;
    return Database::open(file, options);
  }
  void set_time(std::string_view text) { *clock = DateTime::parse(text); }
};

inline std::vector<std::string> log_actions(Session& session, std::string_view source = {}) {
  std::vector<std::string> actions;
  for (const auto& entry : session.workflow_log())
    if (source.empty() || entry.source == source) actions.push_back(entry.source + " " + entry.action);
  return actions;
}

}  // namespace hotcrm::test
