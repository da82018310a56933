// Records that a delete cascades to run their own on_delete workflow rules and lose their timers,
// in the delete's transaction, as if each had been deleted on its own.
#include <doctest/doctest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using nlohmann::json;

namespace {

const char* kCatalog = R"json([
  {"name": "client", "fields": [{"name": "name", "type": "text", "required": true}]},
  {"name": "project", "fields": [
    {"name": "title", "type": "text", "required": true},
    {"name": "client_id", "type": "lookup", "reference": "client", "on_delete": "cascade"},
    {"name": "due", "type": "date"}
  ],
  "workflow_rules": [
    {"name": "project_gone", "trigger": "on_delete",
     "actions": [{"type": "webhook", "method": "DELETE", "url": "https://hooks.example.com/projects/{!id}",
                  "body": {"title": "{!title}", "client": {"formula": "client_id.name"}}}]},
    {"name": "due_reminder", "trigger": "on_create", "condition": "NOT(ISBLANK(due))",
     "time_triggers": [{"before": "1 day", "field": "due",
                        "actions": [{"type": "email", "template": "due", "to": ["pm@example.com"]}]}]}
  ]},
  {"name": "milestone", "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "project_id", "type": "lookup", "reference": "project", "on_delete": "cascade"},
    {"name": "important", "type": "boolean", "default": false}
  ],
  "workflow_rules": [
    {"name": "important_milestone_gone", "trigger": "on_delete", "condition": "important",
     "actions": [{"type": "email", "template": "milestone_deleted", "to": ["pm@example.com"], "subject": "{!name}"}]},
    {"name": "leave_a_trace", "trigger": "on_delete", "condition": "name = 'traced'",
     "actions": [{"type": "create_record", "object": "trace", "values": {"project_id": {"formula": "project_id"}}}]}
  ]},
  {"name": "trace", "fields": [{"name": "project_id", "type": "lookup", "reference": "project"}]}
])json";

struct CascadeDb {
  test::TempDir dir;
  std::filesystem::path path = dir.file("cascade.db");
  Database db = open();

  Database open() {
    OpenOptions options;
    options.catalog = Catalog::from_json(kCatalog, "cascade catalog");
    options.clock = fixed_clock(DateTime::parse("2026-03-02T10:00:00Z"));
    options.id_seed = 3;
    return Database::open(path, options);
  }
};

}  // namespace

TEST_CASE_FIXTURE(CascadeDb, "cascaded records run their on_delete rules and lose their timers") {
  auto client = db.insert("client", {{"name", "Acme"}});
  auto alpha = db.insert("project", {{"title", "Alpha"}, {"client_id", client}, {"due", "2026-04-01"}});
  auto beta = db.insert("project", {{"title", "Beta"}, {"client_id", client}});
  db.insert("milestone", {{"name", "kick-off"}, {"project_id", alpha}, {"important", true}});
  db.insert("milestone", {{"name", "minor"}, {"project_id", alpha}});
  db.insert("milestone", {{"name", "launch"}, {"project_id", beta}, {"important", true}});
  CHECK(db.timers("project", alpha).size() == 1);

  db.remove("client", client);
  CHECK(db.count("project") == 0);
  CHECK(db.count("milestone") == 0);
  CHECK(db.timers("project", alpha).empty());  // not left to fire for a deleted record

  std::multiset<std::string> posted;
  for (const auto& message : db.outbox()) {
    auto payload = json::parse(message.payload);
    if (message.kind == "webhook") {
      posted.insert("webhook " + payload["body"]["title"].get<std::string>());
      CHECK(payload["body"]["client"].is_null());  // the client went first: its name reads as null
    } else {
      posted.insert("email " + payload["subject"].get<std::string>());
    }
  }
  CHECK(posted == std::multiset<std::string>{"webhook Alpha", "webhook Beta", "email kick-off", "email launch"});
}

TEST_CASE_FIXTURE(CascadeDb, "a cascaded record's failing on_delete action refuses the whole delete") {
  auto client = db.insert("client", {{"name", "Acme"}});
  auto project = db.insert("project", {{"title", "Alpha"}, {"client_id", client}});
  db.insert("milestone", {{"name", "traced"}, {"project_id", project}});
  auto before = test::dump_database(path);
  // The trace would point at the project being deleted: the lookup check refuses it, and with it
  // the delete of the client, the project and the milestone.
  CHECK_THROWS_AS(db.remove("client", client), Error);
  CHECK(test::dump_database(path) == before);
  // Deleting the milestone alone, its project still there, leaves the trace.
  auto milestone = db.query({.object = "milestone", .fields = {"id"}}).rows.at(0, 0).as_string();
  db.remove("milestone", milestone);
  CHECK(db.count("trace") == 1);
}
