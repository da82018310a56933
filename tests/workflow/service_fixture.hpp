#pragma once
// Service processes in isolation: three small objects of our own on top of the standard support
// package (for its user, queue, queue_member and business_hours objects): `expense` (two approval
// processes), `job` (assignment rules), `incident` (an SLA with two milestones). A real database
// file, a clock the test moves, and users with a management chain.
#include <memory>
#include <string>
#include <vector>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

namespace hotcrm::test {

inline const char* kServiceObjects = R"json([
  {"name": "expense", "fields": [
    {"name": "title", "type": "text", "required": true},
    {"name": "amount", "type": "currency", "scale": 2},
    {"name": "category", "type": "select", "options": ["travel", "hardware"]},
    {"name": "reviewer_id", "type": "lookup", "reference": "user"},
    {"name": "state", "type": "select", "default": "draft", "options": ["draft", "pending", "approved", "rejected", "recalled"]},
    {"name": "step", "type": "number", "default": 0},
    {"name": "approved_by", "type": "text"},
    {"name": "approved_at", "type": "datetime"},
    {"name": "rejected_by", "type": "text"},
    {"name": "rejected_at", "type": "datetime"},
    {"name": "paid", "type": "boolean", "default": false},
    {"name": "note", "type": "text"}
  ],
  "approval_processes": [
    {"name": "petty", "order": 1, "entry_criteria": "amount < 100", "lock": false, "allow_recall": false,
     "fields": {"status": "state"},
     "steps": [{"name": "lead", "approvers": [{"manager": 1}]}],
     "on_approve": [{"type": "field_update", "field": "paid", "value": true}]},
    {"name": "spend", "order": 2, "entry_criteria": "amount >= 100",
     "fields": {"status": "state", "step": "step", "approved_by": "approved_by", "approved_at": "approved_at",
                "rejected_by": "rejected_by", "rejected_at": "rejected_at"},
     "steps": [
       {"name": "manager", "approvers": [{"manager": 1}], "escalate_after": "1 day", "escalate_to": [{"user": "cfo"}],
        "on_escalation": [{"type": "field_update", "field": "note", "value": "escalated"}]},
       {"name": "hardware_desk", "criteria": "ISPICKVAL(category, 'hardware')", "approvers": [{"queue": "Hardware Desk"}]},
       {"name": "finance", "criteria": "amount >= 1000", "decision": "unanimous", "on_reject": "back",
        "approvers": [{"user": "cfo"}, {"field": "reviewer_id"}]}
     ],
     "on_submit": [{"type": "field_update", "field": "note", "value": "submitted"}],
     "on_approve": [{"type": "field_update", "field": "paid", "value": true}],
     "on_reject": [{"type": "field_update", "field": "note", "value": "rejected"}],
     "on_recall": [{"type": "field_update", "field": "note", "value": "recalled"}]}
  ]},
  {"name": "job", "fields": [
    {"name": "title", "type": "text", "required": true},
    {"name": "region", "type": "select", "options": ["emea", "amer", "apac", "other"]},
    {"name": "status", "type": "select", "default": "open", "options": ["open", "done"]},
    {"name": "queue_id", "type": "lookup", "reference": "queue"}
  ],
  "assignment": {"field": "owner_id", "queue_field": "queue_id", "condition": "title <> 'keep'",
    "open_condition": "ISPICKVAL(status, 'open')",
    "entries": [
      {"criteria": "ISPICKVAL(region, 'apac')", "user": "apac-owner"},
      {"criteria": "CONTAINS(title, 'vip')", "user": "vip-owner"},
      {"criteria": "ISPICKVAL(region, 'emea')", "queue": "EMEA Round"},
      {"criteria": "ISPICKVAL(region, 'amer')", "queue": "AMER Load"},
      {"criteria": "ISPICKVAL(region, 'other')", "queue": "Manual Desk"}
    ]}},
  {"name": "incident", "fields": [
    {"name": "subject", "type": "text", "required": true},
    {"name": "priority", "type": "select", "default": "normal", "options": ["urgent", "normal"]},
    {"name": "status", "type": "select", "default": "open", "options": ["open", "waiting", "closed"]},
    {"name": "responded", "type": "boolean", "default": false},
    {"name": "respond_by", "type": "datetime"},
    {"name": "warned", "type": "boolean", "default": false},
    {"name": "breached", "type": "boolean", "default": false},
    {"name": "level", "type": "number", "default": 0},
    {"name": "hours_id", "type": "lookup", "reference": "business_hours"}
  ],
  "sla": {"name": "incident_sla", "business_hours": "hours_id", "pause_when": "ISPICKVAL(status, 'waiting')",
    "milestones": [
      {"name": "response", "target_minutes": "IF(ISPICKVAL(priority, 'urgent'), 60, 240)", "complete_when": "responded",
       "due_field": "respond_by", "warning_percent": 50,
       "on_warning": [{"type": "field_update", "field": "warned", "value": true}],
       "escalations": [
         {"percent": 75, "actions": [{"type": "field_update", "field": "level", "value": 1}]},
         {"percent": 90, "actions": [{"type": "field_update", "field": "level", "value": 2}]}],
       "on_violation": [{"type": "field_update", "field": "breached", "value": true},
                        {"type": "email", "template": "sla_breach", "to": ["desk@example.com"], "subject": "{!subject} overdue"}]},
      {"name": "resolution", "start_when": "responded", "target_minutes": "480",
       "complete_when": "ISPICKVAL(status, 'closed')"}
    ]}}
])json";

/// The standard support package (and what it depends on) plus the three objects above.
inline Catalog service_catalog() {
  std::vector<CatalogIssue> issues;
  auto more = Catalog::parse(kServiceObjects, "service test objects", issues);
  if (!issues.empty()) throw SchemaError(ErrorCode::schema, issues.front().path + ": " + issues.front().message);
  const std::vector<std::string> packages{"support"};
  return Catalog::standard(packages).extended(std::move(more));
}

/// A database on a file whose clock the test sets; `reopen` closes and opens the same file.
struct ServiceDb {
  TempDir dir;
  std::filesystem::path path = dir.file("service.db");
  std::shared_ptr<DateTime> test_clock = std::make_shared<DateTime>(DateTime::parse("2026-03-02T15:00:00Z"));  // Monday
  Catalog catalog = service_catalog();
  Database db = open();

  Database open() {
    OpenOptions options;
    options.catalog = catalog;
    options.clock = [now = test_clock] { return *now; };
    options.id_seed = 21;
    return Database::open(path, options);
  }
  void reopen() {
    db.close();
    db = open();
  }
  void set_time(std::string_view text) { *test_clock = DateTime::parse(text); }

  std::string user(const std::string& name, const std::string& manager = {}) {
    Record record{{"username", name}, {"email", name + "@example.com"}, {"last_name", name}};
    if (!manager.empty()) record.emplace("manager_id", manager);
    return db.insert("user", record);
  }
  std::string queue(const std::string& name, const std::string& routing, const std::vector<std::string>& members) {
    auto id = db.insert("queue", {{"name", name}, {"queue_type", "general"}, {"routing_method", routing}});
    std::int64_t priority = 1;
    for (const auto& member : members)
      db.insert("queue_member", {{"queue_id", id}, {"user_id", member}, {"assignment_priority", priority++}});
    return id;
  }
  Value field(std::string_view object, const std::string& id, const std::string& name) { return db.get(object, id).at(name); }
  std::string text(std::string_view object, const std::string& id, const std::string& name) {
    auto value = field(object, id, name);
    return value.is_null() ? std::string() : value.as_string();
  }
};

}  // namespace hotcrm::test
