#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "workflow/workflow_fixture.hpp"

using namespace hotcrm;
using test::WorkflowDb;

TEST_CASE_FIXTURE(WorkflowDb, "a record starts in the initial state and runs its entry actions") {
  auto id = db.insert("ticket", {{"subject", "Printer"}});
  CHECK(db.get("ticket", id).at("state").as_string() == "new");
  auto messages = db.outbox();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].source == "state:new");
  CHECK_THROWS_AS(db.insert("ticket", {{"subject", "x"}, {"state", "bogus"}}), ValidationError);
}

TEST_CASE_FIXTURE(WorkflowDb, "events move states through guards, others are refused and change nothing") {
  auto id = db.insert("ticket", {{"subject", "Printer"}});
  // The guard needs an assignee.
  CHECK_THROWS_WITH_AS(db.fire("ticket", id, "assign"), doctest::Contains("guard is not met"), WorkflowError);
  CHECK_THROWS_WITH_AS(db.fire("ticket", id, "close"), doctest::Contains("not allowed"), WorkflowError);
  CHECK_THROWS_WITH_AS(db.fire("ticket", id, "close"), doctest::Contains("allowed: assign"), WorkflowError);
  // Plain updates cannot move the state.
  CHECK_THROWS_AS(db.update("ticket", id, {{"state", "closed"}}), ValidationError);
  CHECK(db.get("ticket", id).at("state").as_string() == "new");
  db.update("ticket", id, {{"assignee", "ana"}});
  CHECK(db.fire("ticket", id, "assign") == "assigned");
  auto ticket = db.get("ticket", id);
  CHECK(ticket.at("state").as_string() == "assigned");
  CHECK(ticket.at("assigned_at").as_datetime() == DateTime::parse("2026-03-02T10:00:00Z"));
  CHECK(db.timers("ticket", id).size() == 1);  // the 4-hour timeout of 'assigned'
  db.update("ticket", id, {{"resolution", "replaced toner"}});
  CHECK(db.fire("ticket", id, "resolve") == "resolved");
  CHECK(db.timers("ticket", id).size() == 1);  // left 'assigned' (its timer went), entered 'resolved'
  CHECK(db.timers("ticket", id)[0].source == "state:resolved");
  CHECK(db.fire("ticket", id, "reopen") == "assigned");
  CHECK(db.get("ticket", id).at("reopened").as_int() == 1);
  CHECK_THROWS_AS(db.fire("ticket", "nope", "assign"), NotFoundError);
  CHECK_THROWS_AS(db.fire("deal", id, "assign"), SchemaError);
}

TEST_CASE_FIXTURE(WorkflowDb, "state timeouts fire their event when due, with their condition re-checked") {
  auto id = db.insert("ticket", {{"subject", "Printer"}, {"assignee", "ana"}});
  db.fire("ticket", id, "assign");
  // 4 hours later, still unresolved: escalate_wait moves it to waiting, whose 7-day timeout closes it.
  auto report = db.run_due(DateTime::parse("2026-03-02T14:00:00Z"));
  CHECK(report.timers_run == 1);
  CHECK(db.get("ticket", id).at("state").as_string() == "waiting");
  CHECK(db.run_due(DateTime::parse("2026-03-09T13:59:00Z")).timers_run == 0);
  CHECK(db.run_due(DateTime::parse("2026-03-09T14:00:00Z")).timers_run == 1);
  auto ticket = db.get("ticket", id);
  CHECK(ticket.at("state").as_string() == "closed");
  CHECK(ticket.at("updated_at").as_datetime() == DateTime::parse("2026-03-09T14:00:00Z"));

  // A resolution given before the timeout drops it (the condition no longer holds).
  auto other = db.insert("ticket", {{"subject", "Screen"}, {"assignee", "bo"}});
  db.fire("ticket", other, "assign");
  db.update("ticket", other, {{"resolution", "reseated cable"}});
  report = db.run_due(DateTime::parse("2026-03-09T20:00:00Z"));
  CHECK(report.timers_dropped == 1);
  CHECK(db.get("ticket", other).at("state").as_string() == "assigned");
}

TEST_CASE("the catalog refuses broken automation with every problem named") {
  auto broken = R"json([{"name": "thing", "fields": [
      {"name": "state", "type": "select", "options": ["a", "b", "c"]},
      {"name": "due_on", "type": "date"}, {"name": "total", "type": "number"}],
    "workflow_rules": [
      {"name": "r1", "trigger": "on_update", "condition": "total + 'x'",
       "actions": [{"type": "field_update", "field": "missing", "value": 1},
                   {"type": "field_update", "field": "state", "value": "b"},
                   {"type": "create_record", "object": "nowhere", "values": {}},
                   {"type": "email", "template": "t", "to": ["{!unknown_field}"]}]},
      {"name": "r2", "trigger": "on_update", "time_triggers": [{"after": "2 days", "actions": [
        {"type": "webhook", "url": "https://x/{!total"}]}]}
    ],
    "scheduled_rules": [{"name": "s1", "cron": "61 * * * *", "actions": [{"type": "field_update", "field": "total", "value": 1}]}],
    "state_machine": {"name": "m", "field": "state", "initial": "a",
      "states": [{"name": "a", "timeout": {"after": "1 hour", "event": "nowhere"}}, {"name": "b"}, {"name": "c"}],
      "transitions": [{"event": "go", "from": "a", "to": "b", "guard": "total"}]}
  }])json";
  try {
    (void)Catalog::from_json(broken, "broken.json");
    FAIL("the catalog loaded");
  } catch (const SchemaError& error) {
    std::string message = error.what();
    CHECK(message.find("condition does not compile") != std::string::npos);
    CHECK(message.find("'missing' is not a field of thing") != std::string::npos);
    CHECK(message.find("only events move it") != std::string::npos);
    CHECK(message.find("creates unknown object 'nowhere'") != std::string::npos);
    CHECK(message.find("merge field {!unknown_field} does not compile") != std::string::npos);
    CHECK(message.find("is not closed") != std::string::npos);
    CHECK(message.find("time triggers need a rule that fires once") != std::string::npos);
    CHECK(message.find("cron") != std::string::npos);
    CHECK(message.find("timeout event 'nowhere' has no transition") != std::string::npos);
    CHECK(message.find("state 'c' cannot be reached") != std::string::npos);
    CHECK(message.find("guard does not compile") != std::string::npos);
  }
}

TEST_CASE("malformed automation JSON is reported with its JSON pointer") {
  auto malformed = R"json([{"name": "thing", "fields": [{"name": "total", "type": "number"}],
    "workflow_rules": [{"name": "r3", "trigger": "sometimes", "actions": [{"type": "teleport"}],
                        "time_triggers": [{"after": "3 fortnights", "actions": []}]}]}])json";
  try {
    (void)Catalog::from_json(malformed, "malformed.json");
    FAIL("the catalog loaded");
  } catch (const SchemaError& error) {
    std::string message = error.what();
    CHECK(message.find("malformed.json /0/workflow_rules/0/trigger: unknown trigger 'sometimes'") != std::string::npos);
    CHECK(message.find("/0/workflow_rules/0/actions/0/type: unknown type 'teleport'") != std::string::npos);
    CHECK(message.find("invalid duration '3 fortnights'") != std::string::npos);
  }
}

TEST_CASE("automation round-trips through the catalog JSON") {
  auto catalog = test::workflow_catalog();
  auto again = Catalog::from_json(catalog.to_json());
  CHECK(again.to_json() == catalog.to_json());
  const auto& ticket = again.at("ticket");
  REQUIRE(ticket.state_machine);
  CHECK(ticket.state_machine->states.size() == 5);
  CHECK(ticket.state_machine->find_state("waiting")->timeout->after_minutes == 7 * 24 * 60);
  CHECK(again.at("deal").workflow_rules.size() == catalog.at("deal").workflow_rules.size());
}
