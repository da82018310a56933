#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "workflow/workflow_fixture.hpp"

using namespace hotcrm;
using nlohmann::json;
using test::WorkflowDb;

namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string portfolio(Database& db, const std::string& email = "boss@example.com") {
  return db.insert("portfolio", {{"name", "North"}, {"manager_email", email}});
}

}  // namespace

TEST_CASE_FIXTURE(WorkflowDb, "an edge-triggered rule fires on the false -> true edge only") {
  auto p = portfolio(db);
  auto id = db.insert("deal", {{"title", "Small"}, {"portfolio_id", p}, {"amount", "10.00"}});
  CHECK(db.outbox().empty());
  db.update("deal", id, {{"amount", "150000.00"}});  // newly meets: fires
  auto messages = db.outbox();
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].kind == "email");
  auto email = json::parse(messages[0].payload);
  CHECK(email["to"] == json::array({"boss@example.com", "sales@example.com"}));
  CHECK(email["subject"] == "Big deal: Small");
  CHECK(email["body"] == "Amount 150000.00");
  auto hook = json::parse(messages[1].payload);
  CHECK(hook["url"] == "https://hooks.example.com/deals/" + id);
  CHECK(hook["body"]["text"] == "Small is big");
  CHECK(hook["body"]["tags"] == json::array({"crm", "open"}));
  CHECK(hook["body"]["amount"].dump() == json::parse(Value(Decimal::parse("150000.00")).to_json()).dump());
  db.update("deal", id, {{"amount", "200000.00"}});  // still meets: no new edge
  CHECK(db.outbox().size() == 2);
  db.update("deal", id, {{"amount", "5.00"}});
  db.update("deal", id, {{"amount", "100000.00"}});  // a new edge
  CHECK(db.outbox().size() == 4);
}

TEST_CASE_FIXTURE(WorkflowDb, "field updates re-enter the rules once and see the written record") {
  auto id = db.insert("deal", {{"title", "Mid"}, {"amount", "60000.00"}});
  auto deal = db.get("deal", id);
  CHECK(deal.at("priority").as_string() == "high");
  // The re-entry saw ISCHANGED(priority) and filled echo.
  CHECK(deal.at("echo").as_string() == "priority is high");
  CHECK(deal.at("version").as_int() == 3);  // insert, field-update round, re-entry round
  auto actions = test::log_actions(db);
  CHECK(contains(actions, "rule:priority_from_amount fired"));
  CHECK(contains(actions, "rule:echo_priority field_update"));
}

TEST_CASE_FIXTURE(WorkflowDb, "rules undoing each other are a cycle error and leave the record unchanged") {
  auto id = db.insert("deal", {{"title", "Loop"}});
  auto before = db.get("deal", id);
  auto outbox_before = db.outbox().size();
  CHECK_THROWS_AS(db.update("deal", id, {{"flag", "ping"}}), WorkflowError);
  CHECK(db.get("deal", id) == before);
  CHECK(db.outbox().size() == outbox_before);
}

TEST_CASE_FIXTURE(WorkflowDb, "a failing action rolls back the write and everything the rules did") {
  auto log_before = db.workflow_log().size();
  CHECK_THROWS_AS(db.insert("deal", {{"title", "break"}}), ValidationError);
  CHECK(db.count("deal") == 0);
  CHECK(db.workflow_log().size() == log_before);
  // A custom action with no callback registered fails the insert as a whole.
  CHECK_THROWS_AS(db.insert("deal", {{"title", "call me"}}), WorkflowError);
  CHECK(db.count("deal") == 0);
}

TEST_CASE_FIXTURE(WorkflowDb, "custom actions call the host with evaluated parameters inside the transaction") {
  std::vector<std::string> calls;
  db.register_action("notify", [&](ActionContext& context) {
    calls.push_back(context.parameters.at("what").as_string() + "/" + std::to_string(context.parameters.at("n").as_int()));
    context.session.insert("task", {{"subject", "from callback"}, {"deal_id", context.record_id}});
  });
  auto id = db.insert("deal", {{"title", "call me"}});
  CHECK(calls == std::vector<std::string>{"call me/3"});
  CHECK(db.count("task", Filter::compare("deal_id", CompareOp::eq, id)) == 1);
  db.register_action("notify", [](ActionContext&) { throw std::runtime_error("host refused"); });
  CHECK_THROWS_WITH(db.insert("deal", {{"title", "call me"}}), "host refused");
  CHECK(db.count("deal") == 1);
}

TEST_CASE_FIXTURE(WorkflowDb, "parent updates and created records run through their own pipelines") {
  auto p = portfolio(db);
  auto id = db.insert("deal", {{"title", "Acme renewal"}, {"portfolio_id", p}});
  db.update("deal", id, {{"stage", "won"}});
  CHECK(db.get("portfolio", p).at("last_win").as_string() == "Acme renewal");
  auto tasks = db.query(Query{.object = "task", .filter = Filter::compare("deal_id", CompareOp::eq, id)});
  REQUIRE(tasks.rows.row_count() == 1);
  auto task = db.get("task", tasks.rows.at(0, 0).as_string());
  CHECK(task.at("subject").as_string() == "Thank the customer for Acme renewal");
  CHECK(task.at("due").as_date() == Date::parse("2026-03-03"));
}

TEST_CASE_FIXTURE(WorkflowDb, "on_delete rules post to the outbox, the deleted record's timers go too") {
  auto id = db.insert("deal", {{"title", "Gone"}, {"close_date", "2026-03-20"}});
  CHECK(db.timers("deal", id).size() == 2);
  db.remove("deal", id);
  CHECK(db.timers("deal", id).empty());
  auto messages = db.outbox();
  REQUIRE(!messages.empty());
  auto hook = json::parse(messages.back().payload);
  CHECK(hook["method"] == "DELETE");
  CHECK(hook["url"] == "https://hooks.example.com/deals/" + id);
}

TEST_CASE_FIXTURE(WorkflowDb, "time triggers are scheduled from date fields, re-checked when due, and cancelled") {
  auto id = db.insert("deal", {{"title", "Timed"}, {"close_date", "2026-03-20"}});
  auto timers = db.timers("deal", id);
  REQUIRE(timers.size() == 2);
  CHECK(timers[0].due_at == DateTime::parse("2026-03-03T10:00:00Z"));  // 1 day after the firing
  CHECK(timers[1].due_at == DateTime::parse("2026-03-18T00:00:00Z"));  // 2 days before close_date
  // Moving the date moves the timer (the rule fires again and replaces its actions).
  db.update("deal", id, {{"close_date", "2026-03-25"}});
  timers = db.timers("deal", id);
  REQUIRE(timers.size() == 2);
  CHECK(timers[1].due_at == DateTime::parse("2026-03-23T00:00:00Z"));

  auto report = db.run_due(DateTime::parse("2026-03-10T00:00:00Z"));
  CHECK(report.timers_run == 1);
  CHECK(db.timers("deal", id).size() == 1);
  auto follow_up = db.outbox().back();
  CHECK(json::parse(follow_up.payload)["template"] == "follow_up");
  CHECK(follow_up.created_at == DateTime::parse("2026-03-03T10:00:00Z"));  // ran at its due time

  // No longer meeting the criteria cancels what is pending.
  db.update("deal", id, {{"stage", "lost"}});
  CHECK(db.timers("deal", id).empty());
  CHECK(db.run_due(DateTime::parse("2026-04-01T00:00:00Z")).timers_run == 0);
  CHECK_FALSE(db.get("deal", id).at("reminded").as_bool());
}

TEST_CASE_FIXTURE(WorkflowDb, "due time triggers run their actions with their due time as NOW()") {
  auto id = db.insert("deal", {{"title", "Timed"}, {"close_date", "2026-03-20"}});
  auto report = db.run_due(DateTime::parse("2026-03-19T00:00:00Z"));
  CHECK(report.timers_run == 2);
  auto deal = db.get("deal", id);
  CHECK(deal.at("reminded").as_bool());
  CHECK(deal.at("updated_at").as_datetime() == DateTime::parse("2026-03-18T00:00:00Z"));
  CHECK(contains(test::log_actions(db, "rule:close_reminder"), "rule:close_reminder time_trigger_fired"));
}

TEST_CASE_FIXTURE(WorkflowDb, "the outbox is read, acknowledged, and idempotent per firing") {
  auto p = portfolio(db);
  auto id = db.insert("deal", {{"title", "Big"}, {"portfolio_id", p}, {"amount", "500000.00"}});
  auto pending = db.outbox();
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].idempotency_key != pending[1].idempotency_key);
  CHECK(pending[0].record_id == id);
  CHECK(pending[0].source == "rule:big_deal_alert");
  db.ack({pending[0].id});
  db.ack({pending[1].id}, "failed");
  CHECK(db.outbox().empty());
  CHECK(db.outbox("sent").size() == 1);
  CHECK(db.outbox("failed").size() == 1);
  CHECK_THROWS_AS(db.ack({999999}), NotFoundError);
  CHECK_THROWS_AS(db.ack({pending[0].id}, "lost"), UsageError);
}

TEST_CASE_FIXTURE(WorkflowDb, "simulate shows what a change would trigger and keeps nothing") {
  auto p = portfolio(db);
  auto before = test::dump_database(path);
  auto simulation = db.simulate("deal", "", {{"title", "What if"}, {"portfolio_id", p}, {"amount", "120000.00"}});
  REQUIRE(simulation.record);
  CHECK(simulation.record->at("priority").as_string() == "high");
  CHECK(simulation.outbox.size() == 2);
  CHECK(simulation.timers.empty());
  auto timed = db.simulate("deal", "", {{"title", "Timed"}, {"close_date", "2026-03-20"}});
  CHECK(timed.timers.size() == 2);
  CHECK(db.timers().empty());
  CHECK_FALSE(simulation.log.empty());
  CHECK(test::dump_database(path) == before);
  CHECK(db.count("deal") == 0);
}

TEST_CASE_FIXTURE(WorkflowDb, "the same writes with the same clock give the same log") {
  auto replay = [&](const std::filesystem::path& file) {
    auto copy = open(file);
    auto p = copy.insert("portfolio", {{"name", "P"}, {"manager_email", "m@example.com"}});
    auto id = copy.insert("deal", {{"title", "D"}, {"portfolio_id", p}, {"amount", "70000.00"}, {"close_date", "2026-03-09"}});
    copy.update("deal", id, {{"amount", "120000.00"}});
    copy.update("deal", id, {{"stage", "won"}});
    copy.run_due(DateTime::parse("2026-03-12T00:00:00Z"));
    std::string log;
    for (const auto& entry : copy.workflow_log())
      log += entry.at.to_string() + " " + entry.object + " " + entry.record_id + " " + entry.source + " " + entry.action +
             " " + entry.detail + "\n";
    return log;
  };
  auto first = replay(dir.file("a.db"));
  auto second = replay(dir.file("b.db"));
  CHECK(first == second);
  CHECK(first.find("rule:won_updates_portfolio create_record") != std::string::npos);
}

TEST_CASE_FIXTURE(WorkflowDb, "scheduled rules run at cron times in their time zone, catching up every missed run") {
  auto open_deal = db.insert("deal", {{"title", "Open"}});
  auto lost_deal = db.insert("deal", {{"title", "Lost"}, {"stage", "lost"}});
  // The first run_due starts the schedule; nothing before it counts as missed.
  CHECK(db.run_due(DateTime::parse("2026-03-27T12:00:00Z")).schedule_runs == 0);
  // 09:00 Paris is 08:00 UTC in winter and 07:00 UTC from Sunday 29 March (DST).
  auto report = db.run_due(DateTime::parse("2026-03-30T12:00:00Z"));
  CHECK(report.schedule_runs == 3);  // the 28th, 29th and 30th
  CHECK(report.records_touched == 3);
  CHECK(db.get("deal", open_deal).at("flag").as_string() == "touched 2026-03-30 07:00:00Z");
  CHECK(db.get("deal", lost_deal).at("flag").is_null());
  std::vector<std::string> runs;
  for (const auto& entry : db.workflow_log())
    if (entry.source == "schedule:nightly_touch" && entry.action == "run") runs.push_back(entry.at.to_string());
  CHECK(runs == std::vector<std::string>{"2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"});
  CHECK(db.run_due(DateTime::parse("2026-03-30T12:00:00Z")).schedule_runs == 0);  // nothing runs twice
}

TEST_CASE_FIXTURE(WorkflowDb, "a failure in the middle of run_due keeps the item queued, the rerun runs it once") {
  auto id = db.insert("deal", {{"title", "timed hook"}});
  REQUIRE(db.timers("deal", id).size() == 1);
  int calls = 0;
  db.register_action("notify", [&](ActionContext&) {
    ++calls;
    throw std::runtime_error("host down");
  });
  db.run_due(DateTime::parse("2026-03-02T10:30:00Z"));  // nothing due yet; starts the schedule
  auto before = test::dump_database(path);
  CHECK_THROWS_WITH(db.run_due(DateTime::parse("2026-03-04T00:00:00Z")), "host down");
  CHECK(test::dump_database(path) == before);  // the e-mail of the same item was not kept either
  db.register_action("notify", [&](ActionContext&) { ++calls; });
  CHECK(db.run_due(DateTime::parse("2026-03-04T00:00:00Z")).timers_run == 1);
  CHECK(db.run_due(DateTime::parse("2026-03-05T00:00:00Z")).timers_run == 0);
  CHECK(calls == 2);
  CHECK(db.outbox().size() == 1);
  CHECK(db.timers("deal", id).empty());
}

TEST_CASE_FIXTURE(WorkflowDb, "bulk imports run the workflow step for the rows that meet a rule, in input order") {
  RecordBatch batch({"title", "amount"});
  for (int i = 0; i < 3000; ++i)
    batch.add_row({Value("deal " + std::to_string(i)), Value(Decimal::parse(i % 1000 == 7 ? "150000.00" : "10.00"))});
  auto report = db.import_records("deal", batch);
  CHECK(report.inserted == 3000);
  auto messages = db.outbox();
  REQUIRE(messages.size() == 6);  // 3 big deals x (e-mail + webhook)
  CHECK(messages[0].record_id == report.ids[7]);
  CHECK(messages[2].record_id == report.ids[1007]);
  CHECK(db.get("deal", report.ids[7]).at("priority").as_string() == "high");
  CHECK(db.get("deal", report.ids[8]).at("priority").is_null());
  // A failing action aborts the whole import.
  RecordBatch broken({"title"});
  broken.add_row({Value("fine")});
  broken.add_row({Value("break")});
  CHECK_THROWS_AS(db.import_records("deal", broken), ValidationError);
  CHECK(db.count("deal") == 3000);
}
