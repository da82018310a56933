// Service processes, each in isolation on the fixture's own objects and then as the standard
// catalog ships them: approval processes (tests/workflow/service_fixture.hpp `expense`, the quote's
// discount levels), assignment rules (`job`, the lead's assignment_rule records) and SLA clocks
// (`incident`, in business time of a New York calendar across nights, a weekend, a holiday and the
// March 2026 DST change). Real database files; failure paths change nothing.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "service_fixture.hpp"

using namespace hotcrm;
using test::ServiceDb;

namespace {

std::vector<std::string> decisions(const ApprovalState& state) {
  std::vector<std::string> out;
  for (const auto& item : state.history) out.push_back(std::to_string(item.step) + ":" + item.approver + ":" + item.decision);
  return out;
}

/// A submitter with a two-level management chain, a hardware desk of two, and expenses to submit.
struct ApprovalDb : ServiceDb {
  std::string boss = user("boss");
  std::string manager = user("manager", boss);
  std::string alice = user("alice", manager);
  std::string loner = user("loner");  // no manager
  std::string tech1 = user("tech1");
  std::string tech2 = user("tech2");
  std::string reviewer = user("reviewer");
  std::string desk = queue("Hardware Desk", "manual", {tech1, tech2});
  Session as_alice = db.session({alice, "default"});

  std::string expense(const std::string& title, int amount, const std::string& category = "travel") {
    return db.insert("expense", {{"title", title}, {"amount", amount}, {"category", category}, {"reviewer_id", reviewer}});
  }
};

}  // namespace

// ---- approvals ---------------------------------------------------------------------------------

TEST_CASE_FIXTURE(ApprovalDb, "approval: entry criteria choose the process, none applying is refused and keeps nothing") {
  auto petty = expense("Taxi", 40);
  auto state = as_alice.submit_for_approval("expense", petty, "ride to the client");
  CHECK(state.process == "petty");
  CHECK(state.status == "pending");
  CHECK(state.submitted_by == alice);
  CHECK(state.pending_approvers == std::vector<std::string>{manager});
  CHECK(text("expense", petty, "state") == "pending");

  auto blank = db.insert("expense", {{"title", "No amount"}});
  auto big = expense("Laptop", 2000);
  const auto before = test::dump_database(path);
  CHECK_THROWS_WITH_AS(as_alice.submit_for_approval("expense", blank),
                       doctest::Contains("meets the entry criteria of no approval process (tried: petty (amount < 100), "
                                         "spend (amount >= 100))"),
                       WorkflowError);
  // A named process whose criteria do not hold, and one that does not exist, are refused the same way.
  CHECK_THROWS_WITH_AS(as_alice.submit_for_approval("expense", big, "", "petty"),
                       doctest::Contains("does not meet the entry criteria of approval process 'petty'"), WorkflowError);
  CHECK_THROWS_WITH_AS(as_alice.submit_for_approval("expense", big, "", "nope"), doctest::Contains("no active approval process 'nope'"),
                       WorkflowError);
  CHECK_THROWS_AS(as_alice.submit_for_approval("expense", "no-such-id"), NotFoundError);
  CHECK_THROWS_AS(as_alice.submit_for_approval("job", "x"), SchemaError);  // no approval process at all
  // Submitting twice while pending is refused.
  CHECK_THROWS_WITH_AS(as_alice.submit_for_approval("expense", petty), doctest::Contains("already pending"), WorkflowError);
  CHECK(test::dump_database(path) == before);
  CHECK(db.approval("expense", blank) == std::nullopt);
  CHECK(text("expense", blank, "state") == "draft");
}

TEST_CASE_FIXTURE(ApprovalDb, "approval: steps whose criteria fail are skipped, approval runs the actions and keeps the fields") {
  set_time("2026-03-02T15:00:00Z");
  auto travel = expense("Flight", 500);  // manager only: not hardware, below 1000
  auto state = as_alice.submit_for_approval("expense", travel, "to Berlin");
  CHECK(state.process == "spend");
  CHECK(state.step == 1);
  CHECK(state.step_name == "manager");
  CHECK(text("expense", travel, "note") == "submitted");
  CHECK(field("expense", travel, "step").as_double() == 1);

  set_time("2026-03-02T16:00:00Z");
  state = db.approve("expense", travel, manager, "fine");
  CHECK(state.status == "approved");
  CHECK(state.step == 0);
  CHECK(state.completed_at == DateTime::parse("2026-03-02T16:00:00Z"));
  CHECK(decisions(state) == std::vector<std::string>{"1:" + manager + ":approved"});
  CHECK(state.history.at(0).comment == "fine");
  auto record = db.get("expense", travel);
  CHECK(record.at("state") == Value("approved"));
  CHECK(record.at("paid") == Value(true));
  CHECK(record.at("approved_by") == Value(manager));
  CHECK(record.at("approved_at") == Value(DateTime::parse("2026-03-02T16:00:00Z")));
  CHECK(record.at("step").as_double() == 0);
  // Decided: nothing pending any more, and the record is editable again.
  CHECK_THROWS_WITH_AS(db.approve("expense", travel, manager), doctest::Contains("no pending approval request (the latest is approved)"),
                       WorkflowError);
  as_alice.update("expense", travel, {{"title", "Flight to Berlin"}});
  CHECK(text("expense", travel, "title") == "Flight to Berlin");
}

TEST_CASE_FIXTURE(ApprovalDb, "approval: user, manager, queue and field approvers, first response and unanimous") {
  auto laptop = expense("Laptop", 2500, "hardware");  // manager -> hardware desk -> finance
  as_alice.submit_for_approval("expense", laptop);
  auto state = db.approve("expense", laptop, manager);
  CHECK(state.step_name == "hardware_desk");
  CHECK(state.pending_approvers == std::vector<std::string>{tech1, tech2});

  // First response: one member's approval decides; the other's part is no longer required.
  state = db.session({tech2, "default"}).approve("expense", laptop);  // the acting user approves
  CHECK(state.step_name == "finance");
  CHECK(state.pending_approvers == std::vector<std::string>{"cfo", reviewer});
  CHECK(decisions(state) == std::vector<std::string>{"1:" + manager + ":approved", "2:" + tech1 + ":not_required",
                                                     "2:" + tech2 + ":approved", "3:cfo:pending", "3:" + reviewer + ":pending"});
  CHECK_THROWS_WITH_AS(db.approve("expense", laptop, tech1), doctest::Contains("is not a pending approver of step 'finance'"),
                       WorkflowError);

  // Unanimous: the step waits for every approver.
  state = db.approve("expense", laptop, "cfo");
  CHECK(state.status == "pending");
  CHECK(state.pending_approvers == std::vector<std::string>{reviewer});
  CHECK_FALSE(db.get("expense", laptop).at("paid").as_bool());
  state = db.approve("expense", laptop, reviewer);
  CHECK(state.status == "approved");
  CHECK(db.get("expense", laptop).at("paid") == Value(true));
  CHECK(text("expense", laptop, "approved_by") == reviewer);
}

TEST_CASE_FIXTURE(ApprovalDb, "approval: rejection is final at a final step and goes back from a 'back' step") {
  auto laptop = expense("Laptop", 2500, "hardware");
  as_alice.submit_for_approval("expense", laptop);
  db.approve("expense", laptop, manager);
  db.approve("expense", laptop, tech1);
  auto state = db.reject("expense", laptop, "cfo", "too expensive");
  CHECK(state.status == "pending");
  CHECK(state.step_name == "hardware_desk");  // the previous applicable step, asked again
  CHECK(state.pending_approvers == std::vector<std::string>{tech1, tech2});
  CHECK(decisions(state) == std::vector<std::string>{"1:" + manager + ":approved", "2:" + tech1 + ":approved",
                                                     "2:" + tech2 + ":not_required", "3:cfo:rejected",
                                                     "3:" + reviewer + ":not_required", "2:" + tech1 + ":pending",
                                                     "2:" + tech2 + ":pending"});
  CHECK(state.history.at(3).comment == "too expensive");

  auto travel = expense("Hotel", 1500);  // manager -> finance (hardware desk skipped)
  as_alice.submit_for_approval("expense", travel);
  db.approve("expense", travel, manager);
  state = db.reject("expense", travel, reviewer);
  CHECK(state.step_name == "manager");  // back over the skipped step

  set_time("2026-03-03T09:00:00Z");
  state = db.reject("expense", travel, manager, "no");  // the manager step rejects finally
  CHECK(state.status == "rejected");
  auto record = db.get("expense", travel);
  CHECK(record.at("state") == Value("rejected"));
  CHECK(record.at("note") == Value("rejected"));
  CHECK(record.at("rejected_by") == Value(manager));
  CHECK(record.at("rejected_at") == Value(DateTime::parse("2026-03-03T09:00:00Z")));
  CHECK(record.at("paid") == Value(false));
  CHECK(db.approval("expense", travel)->completed_at == DateTime::parse("2026-03-03T09:00:00Z"));
  // A rejected record can be submitted again: a new request.
  auto again = as_alice.submit_for_approval("expense", travel);
  CHECK(again.id != state.id);
  CHECK(again.status == "pending");
}

TEST_CASE_FIXTURE(ApprovalDb, "approval: the record is locked while pending, recall unlocks it") {
  auto flight = expense("Flight", 300);
  as_alice.submit_for_approval("expense", flight);
  try {
    as_alice.update("expense", flight, {{"amount", 3000}});
    FAIL("a pending record was edited");
  } catch (const ConflictError& error) {
    CHECK(std::string(error.what()).find("locked while approval process 'spend' is pending") != std::string::npos);
    REQUIRE(error.errors().size() == 1);
    CHECK(error.errors()[0].code == "locked");
  }
  CHECK_THROWS_AS(as_alice.remove("expense", flight), ConflictError);
  CHECK(field("expense", flight, "amount").as_double() == 300.0);
  // A process that does not lock (petty) leaves the record editable.
  auto taxi = expense("Taxi", 20);
  as_alice.submit_for_approval("expense", taxi);
  as_alice.update("expense", taxi, {{"title", "Taxi home"}});
  CHECK(text("expense", taxi, "title") == "Taxi home");
  CHECK_THROWS_WITH_AS(as_alice.recall("expense", taxi), doctest::Contains("does not allow recall"), WorkflowError);

  // Only the submitter (or the system user) recalls.
  CHECK_THROWS_WITH_AS(db.session({manager, "default"}).recall("expense", flight),
                       doctest::Contains("only the submitter"), WorkflowError);
  auto state = as_alice.recall("expense", flight, "wrong amount");
  CHECK(state.status == "recalled");
  CHECK(decisions(state) == std::vector<std::string>{"1:" + manager + ":recalled"});
  CHECK(text("expense", flight, "note") == "recalled");
  CHECK(text("expense", flight, "state") == "recalled");
  as_alice.update("expense", flight, {{"amount", 3000}});  // unlocked
  CHECK_THROWS_WITH_AS(as_alice.recall("expense", flight), doctest::Contains("no pending approval request"), WorkflowError);
  auto queue = db.approval_queue(manager);
  REQUIRE(queue.size() == 1);  // the taxi only
  CHECK(queue[0].record_id == taxi);
}

TEST_CASE_FIXTURE(ApprovalDb, "approval: a refused decision or a step without approver changes nothing") {
  auto flight = expense("Flight", 300);
  as_alice.submit_for_approval("expense", flight);
  auto before = test::dump_database(path);
  CHECK_THROWS_WITH_AS(db.approve("expense", flight, "mallory"),
                       doctest::Contains("'mallory' is not a pending approver of step 'manager' of expense"), WorkflowError);
  CHECK_THROWS_AS(db.reject("expense", flight, "mallory"), WorkflowError);
  CHECK(test::dump_database(path) == before);

  // The loner has no manager: the first step has no approver, so nothing is submitted.
  auto lonely = db.insert("expense", {{"title", "Chair"}, {"amount", 150}});
  before = test::dump_database(path);
  CHECK_THROWS_WITH_AS(db.session({loner, "default"}).submit_for_approval("expense", lonely),
                       doctest::Contains("step 'manager' of approval process 'spend' has no approver for expense"), WorkflowError);
  CHECK(test::dump_database(path) == before);
  CHECK(db.approval("expense", lonely) == std::nullopt);
  CHECK(text("expense", lonely, "state") == "draft");
  db.update("expense", lonely, {{"title", "Desk chair"}});  // not locked
}

TEST_CASE_FIXTURE(ApprovalDb, "approval: deleting a record withdraws its pending request") {
  auto taxi = expense("Taxi", 20);  // petty does not lock: the record can be deleted while pending
  as_alice.submit_for_approval("expense", taxi);
  REQUIRE(db.approval_queue(manager).size() == 1);
  set_time("2026-03-02T18:00:00Z");
  as_alice.remove("expense", taxi);
  CHECK(db.approval_queue(manager).empty());
  auto state = db.approval("expense", taxi);
  REQUIRE(state);
  CHECK(state->status == "recalled");
  CHECK(state->completed_at == DateTime::parse("2026-03-02T18:00:00Z"));
  CHECK(decisions(*state) == std::vector<std::string>{"1:" + manager + ":recalled"});
  CHECK_THROWS_AS(db.approve("expense", taxi, manager), NotFoundError);
}

TEST_CASE_FIXTURE(ApprovalDb, "approval: a step waiting too long escalates when run_due reaches its timer") {
  set_time("2026-03-02T15:00:00Z");
  auto flight = expense("Flight", 300);
  as_alice.submit_for_approval("expense", flight);
  REQUIRE(db.timers("expense", flight).size() == 1);
  CHECK(db.timers("expense", flight)[0].due_at == DateTime::parse("2026-03-03T15:00:00Z"));

  CHECK(db.run_due(DateTime::parse("2026-03-03T14:59:00Z")).timers_run == 0);
  CHECK(db.approval("expense", flight)->pending_approvers == std::vector<std::string>{manager});
  CHECK(db.run_due(DateTime::parse("2026-03-03T15:00:00Z")).timers_run == 1);
  auto state = *db.approval("expense", flight);
  CHECK(state.pending_approvers == std::vector<std::string>{manager, "cfo"});
  CHECK(text("expense", flight, "note") == "escalated");
  CHECK(db.approval_queue("cfo").size() == 1);
  state = db.approve("expense", flight, "cfo");  // the escalation approver decides the step
  CHECK(state.status == "approved");
  CHECK(db.timers("expense", flight).empty());

  // A step decided in time cancels its escalation.
  auto hotel = expense("Hotel", 300);
  as_alice.submit_for_approval("expense", hotel);
  db.approve("expense", hotel, manager);
  CHECK(db.timers("expense", hotel).empty());
  CHECK(db.run_due(DateTime::parse("2026-03-09T00:00:00Z")).timers_run == 0);
  CHECK(text("expense", hotel, "note") == "submitted");
}

TEST_CASE_FIXTURE(ApprovalDb, "approval: the queue lists what waits on an approver, oldest first") {
  auto first = expense("First", 300);
  auto second = expense("Second", 40);
  auto third = expense("Third", 500);
  set_time("2026-03-02T15:00:00Z");
  as_alice.submit_for_approval("expense", second);
  set_time("2026-03-02T15:05:00Z");
  as_alice.submit_for_approval("expense", first);
  set_time("2026-03-02T15:10:00Z");
  as_alice.submit_for_approval("expense", third);
  auto queue = db.approval_queue(manager);
  REQUIRE(queue.size() == 3);
  CHECK(queue[0].record_id == second);
  CHECK(queue[1].record_id == first);
  CHECK(queue[2].record_id == third);
  CHECK(queue[0].process == "petty");
  db.approve("expense", first, manager);
  queue = db.approval_queue(manager);
  REQUIRE(queue.size() == 2);
  CHECK(queue[0].record_id == second);
  CHECK(queue[1].record_id == third);
  CHECK(db.approval_queue("nobody").empty());
  CHECK(db.approval_queue(alice).empty());  // submitting is not approving
}

namespace {

/// The standard catalog's quote with a six-level management chain above the sales rep.
struct QuoteDb : ServiceDb {
  std::vector<std::string> chain = make_chain();  // chain[0] is the rep, chain[n] their n-th manager
  std::string account = db.insert("account", {{"name", "Acme"}});
  std::string opportunity = db.insert("opportunity", {{"name", "Acme deal"}, {"account_id", account},
                                                      {"close_date", Date::parse("2026-06-30")}, {"stage", "prospecting"}});
  std::string pricebook = db.insert("pricebook", {{"name", "Standard"}});
  Session rep = db.session({chain[0], "default"});

  std::vector<std::string> make_chain() {
    std::vector<std::string> users{user("ceo")};
    for (const char* name : {"vp", "director", "manager", "lead", "rep"}) users.push_back(user(name, users.back()));
    std::reverse(users.begin(), users.end());
    return users;
  }
  std::string quote(const char* discount) {
    return rep.insert("quote", {{"name", "Q"}, {"opportunity_id", opportunity}, {"account_id", account},
                                {"pricebook_id", pricebook}, {"expiration_date", Date::parse("2026-04-30")},
                                {"discount_percent", Decimal::parse(discount)}});
  }
};

}  // namespace

TEST_CASE_FIXTURE(QuoteDb, "approval: the standard quote discount levels climb the submitter's management chain") {
  struct Case {
    const char* discount;
    std::int64_t level;
  };
  for (auto [discount, level] : {Case{"7", 1}, Case{"15", 2}, Case{"25", 3}, Case{"35", 4}, Case{"45", 5}}) {
    CAPTURE(discount);
    auto id = quote(discount);
    auto state = rep.submit_for_approval("quote", id);
    CHECK(state.process == "discount_approval");
    CHECK(text("quote", id, "status") == "in_review");
    for (std::int64_t step = 1; step <= level; ++step) {
      REQUIRE(state.status == "pending");
      CHECK(state.step == step);
      CHECK(state.pending_approvers == std::vector<std::string>{chain[static_cast<std::size_t>(step)]});
      state = db.approve("quote", id, chain[static_cast<std::size_t>(step)]);
    }
    CHECK(state.status == "approved");
    CHECK(text("quote", id, "approval_status") == "approved");
    CHECK(text("quote", id, "status") == "approved");
    CHECK(text("quote", id, "approved_by_id") == chain[static_cast<std::size_t>(level)]);
  }
  // 5 % needs no approval: no process applies.
  auto small = quote("5");
  CHECK_THROWS_AS(rep.submit_for_approval("quote", small), WorkflowError);
}

TEST_CASE_FIXTURE(QuoteDb, "approval: a quote rejected above level 1 goes back one level, a recall restores the draft") {
  auto id = quote("25");
  rep.submit_for_approval("quote", id);
  db.approve("quote", id, chain[1]);
  db.approve("quote", id, chain[2]);
  auto state = db.reject("quote", id, chain[3]);
  CHECK(state.step == 2);
  CHECK(state.pending_approvers == std::vector<std::string>{chain[2]});
  state = db.reject("quote", id, chain[2]);
  CHECK(state.step == 1);
  state = db.reject("quote", id, chain[1]);  // level 1 rejects finally
  CHECK(state.status == "rejected");
  CHECK(text("quote", id, "status") == "rejected");
  CHECK(text("quote", id, "rejected_by_id") == chain[1]);

  auto other = quote("12");
  rep.submit_for_approval("quote", other);
  CHECK_THROWS_AS(rep.update("quote", other, {{"discount_percent", Decimal::parse("3")}}), ConflictError);
  rep.recall("quote", other);
  CHECK(text("quote", other, "status") == "draft");
  CHECK(text("quote", other, "approval_status") == "recalled");
  rep.update("quote", other, {{"discount_percent", Decimal::parse("3")}});
}

// ---- assignment --------------------------------------------------------------------------------

namespace {

struct AssignmentDb : ServiceDb {
  std::string u1 = user("u1");
  std::string u2 = user("u2");
  std::string u3 = user("u3");
  std::string emea = queue("EMEA Round", "round_robin", {u1, u2, u3});
  std::string amer = queue("AMER Load", "load_balanced", {u1, u2});
  std::string manual = queue("Manual Desk", "manual", {u3});

  std::string job(const std::string& title, const std::string& region, Record extra = {}) {
    extra.emplace("title", title);
    if (!region.empty()) extra.emplace("region", region);
    return db.insert("job", extra);
  }
  std::string owner(const std::string& id) { return text("job", id, "owner_id"); }
};

}  // namespace

TEST_CASE_FIXTURE(AssignmentDb, "assignment: the first matching entry wins, users and queues") {
  CHECK(owner(job("Setup", "apac")) == "apac-owner");
  CHECK(owner(job("vip setup", "apac")) == "apac-owner");  // entries 1 and 2 match: the first wins
  auto vip = job("vip setup", "emea");
  CHECK(owner(vip) == "vip-owner");  // entry 2 before the emea queue
  CHECK(text("job", vip, "queue_id").empty());
  auto routed = job("Setup", "emea");
  CHECK(owner(routed) == u1);
  CHECK(text("job", routed, "queue_id") == emea);
  // A manual queue keeps the record in the queue: the owner stays the creator.
  auto queued = job("Setup", "other");
  CHECK(owner(queued) == "system");
  CHECK(text("job", queued, "queue_id") == manual);
  // No entry matches: nothing changes on insert.
  auto unmatched = job("Setup", "");
  CHECK(owner(unmatched) == "system");
  CHECK(text("job", unmatched, "queue_id").empty());
  // The rules' condition does not hold: no assignment.
  CHECK(owner(job("keep", "apac")) == "system");
  bool logged = false;
  for (const auto& entry : db.workflow_log())
    if (entry.record_id == routed && entry.action == "assigned")
      logged = nlohmann::json::parse(entry.detail)["matched"] == "entry 3";
  CHECK(logged);
}

TEST_CASE_FIXTURE(AssignmentDb, "assignment: round-robin continues across closing and reopening the database") {
  CHECK(owner(job("a", "emea")) == u1);
  CHECK(owner(job("b", "emea")) == u2);
  reopen();
  CHECK(owner(job("c", "emea")) == u3);
  CHECK(owner(job("d", "emea")) == u1);
  // An owner given explicitly is kept and does not move the rotation.
  auto given = job("e", "emea", {{"owner_id", "boss"}});
  CHECK(owner(given) == "boss");
  CHECK(text("job", given, "queue_id").empty());
  CHECK(owner(job("f", "emea")) == u2);
  // An inactive member is passed over.
  auto member = db.query(Query{.object = "queue_member",
                               .filter = Filter::and_({Filter::compare("queue_id", CompareOp::eq, emea),
                                                       Filter::compare("user_id", CompareOp::eq, u3)}),
                               .fields = {"id"}});
  db.update("queue_member", member.rows.at(0, 0).as_string(), {{"is_active", false}});
  CHECK(owner(job("g", "emea")) == u1);
}

TEST_CASE_FIXTURE(AssignmentDb, "assignment: load-balanced picks the member with the fewest open records") {
  job("x1", "", {{"owner_id", u1}});
  job("x2", "", {{"owner_id", u1}});
  job("y1", "", {{"owner_id", u2}});
  for (int i = 0; i < 3; ++i) job("done", "", {{"owner_id", u2}, {"status", "done"}});  // closed: not counted
  auto picked = job("new", "amer");
  CHECK(owner(picked) == u2);  // 1 open against 2
  CHECK(text("job", picked, "queue_id") == amer);
  CHECK(owner(job("next", "amer")) == u1);  // tie 2:2 -> the members' order
  // A member at max_cases is passed over.
  auto member = db.query(Query{.object = "queue_member",
                               .filter = Filter::and_({Filter::compare("queue_id", CompareOp::eq, amer),
                                                       Filter::compare("user_id", CompareOp::eq, u1)}),
                               .fields = {"id"}});
  db.update("queue_member", member.rows.at(0, 0).as_string(), {{"max_cases", 3}});
  CHECK(owner(job("third", "amer")) == u2);  // u1 has 3 open: full
}

TEST_CASE_FIXTURE(AssignmentDb, "assignment: a bulk import assigns every row, explicit owners are kept") {
  RecordBatch batch({"title", "region", "owner_id"});
  batch.add_row({"r1", "emea", Value{}});
  batch.add_row({"r2", "emea", Value("boss")});
  batch.add_row({"r3", "emea", Value{}});
  batch.add_row({"r4", "apac", Value{}});
  batch.add_row({"r5", "emea", Value{}});
  batch.add_row({"r6", "emea", Value{}});
  auto report = db.import_records("job", batch);
  REQUIRE(report.ids.size() == 6);
  std::vector<std::string> owners;
  for (const auto& id : report.ids) owners.push_back(owner(id));
  CHECK(owners == std::vector<std::string>{u1, "boss", u2, "apac-owner", u3, u1});
}

TEST_CASE_FIXTURE(AssignmentDb, "assignment: Session::assign reruns the rules on a stored record") {
  auto id = job("keep", "emea");  // the condition kept it unassigned
  CHECK(owner(id) == "system");
  CHECK(db.assign("job", id) == u1);  // assign ignores the condition
  CHECK(owner(id) == u1);
  CHECK(text("job", id, "queue_id") == emea);
  auto queued = job("keep", "other");
  CHECK(db.assign("job", queued).empty());
  CHECK(text("job", queued, "queue_id") == manual);

  auto unmatched = job("Setup", "");
  auto before = test::dump_database(path);
  CHECK_THROWS_WITH_AS(db.assign("job", unmatched), doctest::Contains("no assignment entry matches job"), WorkflowError);
  CHECK_THROWS_AS(db.assign("job", "missing"), NotFoundError);
  CHECK_THROWS_WITH_AS(db.assign("expense", "x"), doctest::Contains("expense has no assignment rules"), SchemaError);
  CHECK(test::dump_database(path) == before);
}

TEST_CASE_FIXTURE(ServiceDb, "assignment: the standard lead rules read the assignment_rule records by sort order") {
  auto webby = user("webby");
  auto r1 = user("r1");
  auto r2 = user("r2");
  auto round = queue("Big Leads", "round_robin", {r1, r2});
  db.insert("assignment_rule", {{"name", "big"}, {"object_name", "lead"}, {"sort_order", 1}, {"criteria_field", "annual_revenue"},
                                {"criteria_operator", "greater_than"}, {"criteria_value", "1000000"}, {"assign_to_queue_id", round}});
  db.insert("assignment_rule", {{"name", "web"}, {"object_name", "lead"}, {"sort_order", 2}, {"criteria_field", "lead_source"},
                                {"criteria_operator", "equals"}, {"criteria_value", "web"}, {"assign_to_user_id", webby}});
  db.insert("assignment_rule", {{"name", "off"}, {"object_name", "lead"}, {"sort_order", 0}, {"active", false},
                                {"criteria_field", "lead_source"}, {"criteria_operator", "equals"}, {"criteria_value", "web"},
                                {"assign_to_user_id", r2}});
  int leads = 0;
  auto lead = [&](Record extra) {
    extra.emplace("last_name", "Ng");
    extra.emplace("company", "Acme");
    extra.emplace("email", "ng" + std::to_string(++leads) + "@acme.example");
    return db.insert("lead", extra);
  };
  auto big_web = lead({{"lead_source", "web"}, {"annual_revenue", Decimal::parse("5000000")}});
  CHECK(text("lead", big_web, "owner_id") == r1);  // sort order 1 before 2; the inactive rule ignored
  CHECK(text("lead", lead({{"lead_source", "web"}}), "owner_id") == webby);
  CHECK(text("lead", lead({{"annual_revenue", Decimal::parse("2000000")}}), "owner_id") == r2);
  CHECK(text("lead", lead({{"lead_source", "other"}}), "owner_id") == "system");  // no rule matches
  CHECK(text("lead", lead({{"lead_source", "web"}, {"status", "contacted"}}), "owner_id") == "system");  // not new
  CHECK(text("lead", lead({{"lead_source", "web"}, {"owner_id", r2}}), "owner_id") == r2);  // given owner kept
}

// ---- SLA ---------------------------------------------------------------------------------------

namespace {

/// Business hours 09:00-18:00 Monday to Friday in New York, with Monday 2026-03-09 a holiday: the
/// Monday after the US clocks move forward (Sunday 2026-03-08, 02:00 EST -> 03:00 EDT).
struct SlaDb : ServiceDb {
  std::string holidays = db.insert("holiday_calendar", {{"name", "US 2026"}, {"country", "us"}, {"year", 2026}});
  std::string closed = db.insert("holiday", {{"calendar_id", holidays}, {"name", "Company day"},
                                             {"holiday_date", Date::parse("2026-03-09")}, {"holiday_type", "company"}});
  std::string hours = db.insert("business_hours", {{"name", "New York"}, {"time_zone", "america_new_york"},
                                                   {"exclude_holidays", true}, {"holiday_calendar_id", holidays}});

  std::string incident(const std::string& priority, Record extra = {}) {
    extra.emplace("subject", "Printer on fire");
    extra.emplace("priority", priority);
    extra.emplace("hours_id", hours);
    return db.insert("incident", extra);
  }
  std::optional<SlaClock> clock_of(const std::string& id, const std::string& milestone) {
    for (auto& clock : db.sla("incident", id))
      if (clock.milestone == milestone) return clock;
    return std::nullopt;
  }
  static DateTime at(const char* text) { return DateTime::parse(text); }
  std::size_t breach_messages() {
    std::size_t count = 0;
    for (const auto& message : db.outbox("")) count += nlohmann::json::parse(message.payload)["template"] == "sla_breach";
    return count;
  }
};

}  // namespace

TEST_CASE_FIXTURE(SlaDb, "sla: a deadline in business time across a night, a weekend, a holiday and a DST change") {
  set_time("2026-03-06T21:00:00Z");  // Friday 16:00 EST
  auto id = incident("normal");      // 240 business minutes
  auto clock = clock_of(id, "response");
  REQUIRE(clock);
  CHECK(clock->status == "running");
  CHECK(clock->target_minutes == 240);
  CHECK(clock->started_at == at("2026-03-06T21:00:00Z"));
  // Friday 16:00-18:00 (120), the weekend, the Monday holiday, then Tuesday 09:00-11:00 EDT (120).
  CHECK(clock->due_at == at("2026-03-10T15:00:00Z"));
  CHECK(field("incident", id, "respond_by") == Value(at("2026-03-10T15:00:00Z")));
  CHECK_FALSE(clock_of(id, "resolution"));  // starts when responded

  // Thresholds: warning at 50 % lands on Friday's closing; escalations at 75 % and 90 %.
  std::vector<DateTime> due;
  for (const auto& timer : db.timers("incident", id)) due.push_back(timer.due_at);
  std::sort(due.begin(), due.end());
  CHECK(due == std::vector<DateTime>{at("2026-03-06T23:00:00Z"), at("2026-03-10T14:00:00Z"), at("2026-03-10T14:36:00Z"),
                                     at("2026-03-10T15:00:00Z")});

  // Elapsed business time stops over the weekend and the holiday.
  set_time("2026-03-09T20:00:00Z");
  CHECK(clock_of(id, "response")->elapsed_minutes == 120);
  set_time("2026-03-10T14:00:00Z");  // Tuesday 10:00 EDT
  CHECK(clock_of(id, "response")->elapsed_minutes == 180);
}

TEST_CASE_FIXTURE(SlaDb, "sla: warning, escalation levels and violation run as run_due reaches them") {
  set_time("2026-03-06T21:00:00Z");
  auto id = incident("normal");
  CHECK(db.run_due(at("2026-03-06T22:59:00Z")).timers_run == 0);
  CHECK(db.run_due(at("2026-03-06T23:00:00Z")).timers_run == 1);
  CHECK(field("incident", id, "warned") == Value(true));
  CHECK(clock_of(id, "response")->warned);
  CHECK(field("incident", id, "level").as_double() == 0);

  CHECK(db.run_due(at("2026-03-10T14:00:00Z")).timers_run == 1);
  CHECK(field("incident", id, "level").as_double() == 1);
  CHECK(clock_of(id, "response")->escalation_level == 1);
  CHECK(db.run_due(at("2026-03-10T14:36:00Z")).timers_run == 1);
  CHECK(field("incident", id, "level").as_double() == 2);
  CHECK(field("incident", id, "breached") == Value(false));
  CHECK(breach_messages() == 0);

  CHECK(db.run_due(at("2026-03-10T15:00:00Z")).timers_run == 1);
  CHECK(field("incident", id, "breached") == Value(true));
  auto clock = clock_of(id, "response");
  CHECK(clock->violated);
  CHECK(clock->status == "running");  // still to be answered, late
  CHECK(breach_messages() == 1);
  CHECK(db.run_due(at("2026-03-20T00:00:00Z")).timers_run == 0);  // every threshold ran once

  // Answered late: missed. The resolution milestone starts then.
  set_time("2026-03-10T16:00:00Z");
  db.update("incident", id, {{"responded", true}});
  clock = clock_of(id, "response");
  CHECK(clock->status == "missed");
  CHECK(clock->completed_at == at("2026-03-10T16:00:00Z"));
  CHECK(clock->elapsed_minutes == 300);
  auto resolution = clock_of(id, "resolution");
  REQUIRE(resolution);
  CHECK(resolution->status == "running");
  CHECK(resolution->due_at == at("2026-03-11T15:00:00Z"));  // 480 minutes: 12:00-18:00 today, 09:00-11:00 tomorrow EDT
}

TEST_CASE_FIXTURE(SlaDb, "sla: met in time, a milestone completed before run_due still counts as late when it was") {
  set_time("2026-03-02T15:00:00Z");  // Monday 10:00 EST
  auto quick = incident("urgent");   // 60 minutes
  set_time("2026-03-02T15:45:00Z");
  db.update("incident", quick, {{"responded", true}});
  auto clock = clock_of(quick, "response");
  CHECK(clock->status == "met");
  CHECK(clock->elapsed_minutes == 45);
  CHECK_FALSE(clock->violated);
  CHECK(clock->due_at == std::nullopt);  // no deadline once completed
  CHECK(db.run_due(at("2026-03-03T00:00:00Z")).timers_run == 0);  // its timers were cancelled
  CHECK(field("incident", quick, "breached") == Value(false));
  // Completing the resolution too.
  set_time("2026-03-02T17:00:00Z");
  db.update("incident", quick, {{"status", "closed"}});
  CHECK(clock_of(quick, "resolution")->status == "met");

  set_time("2026-03-02T15:00:00Z");
  auto slow = incident("urgent");
  set_time("2026-03-02T16:30:00Z");  // 90 minutes, run_due never called
  db.update("incident", slow, {{"responded", true}});
  clock = clock_of(slow, "response");
  CHECK(clock->status == "missed");
  CHECK(clock->violated);
}

TEST_CASE_FIXTURE(SlaDb, "sla: waiting on the customer pauses the clock, resuming moves the deadline by the pause") {
  set_time("2026-03-02T15:00:00Z");  // Monday 10:00 EST
  auto id = incident("urgent");
  CHECK(clock_of(id, "response")->due_at == at("2026-03-02T16:00:00Z"));
  set_time("2026-03-02T15:30:00Z");
  db.update("incident", id, {{"status", "waiting"}});
  auto clock = clock_of(id, "response");
  CHECK(clock->status == "paused");
  CHECK(clock->elapsed_minutes == 30);
  CHECK(clock->due_at == std::nullopt);
  CHECK(db.timers("incident", id).empty());
  CHECK(db.run_due(at("2026-03-02T17:00:00Z")).timers_run == 0);  // no violation while paused
  set_time("2026-03-03T12:00:00Z");
  CHECK(clock_of(id, "response")->elapsed_minutes == 30);  // still paused a day later

  set_time("2026-03-03T19:00:00Z");  // Tuesday 14:00 EST
  db.update("incident", id, {{"status", "open"}});
  clock = clock_of(id, "response");
  CHECK(clock->status == "running");
  CHECK(clock->due_at == at("2026-03-03T19:30:00Z"));  // the 30 minutes left
  CHECK(field("incident", id, "respond_by") == Value(at("2026-03-03T19:30:00Z")));
  set_time("2026-03-03T19:20:00Z");
  db.update("incident", id, {{"responded", true}});
  clock = clock_of(id, "response");
  CHECK(clock->status == "met");
  CHECK(clock->elapsed_minutes == 50);

  // Created while waiting: the clock starts paused.
  auto waiting = incident("normal", {{"status", "waiting"}});
  CHECK(clock_of(waiting, "response")->status == "paused");
  CHECK(clock_of(waiting, "response")->due_at == std::nullopt);
}

TEST_CASE_FIXTURE(SlaDb, "sla: a priority change retargets the running clock, keeping the time used") {
  set_time("2026-03-02T15:00:00Z");  // Monday 10:00 EST
  auto id = incident("normal");
  CHECK(clock_of(id, "response")->due_at == at("2026-03-02T19:00:00Z"));
  set_time("2026-03-02T15:20:00Z");
  db.update("incident", id, {{"priority", "urgent"}});
  auto clock = clock_of(id, "response");
  CHECK(clock->target_minutes == 60);
  CHECK(clock->due_at == at("2026-03-02T16:00:00Z"));
  CHECK(clock->elapsed_minutes == 20);
  CHECK(field("incident", id, "respond_by") == Value(at("2026-03-02T16:00:00Z")));
  std::vector<DateTime> due;
  for (const auto& timer : db.timers("incident", id)) due.push_back(timer.due_at);
  std::sort(due.begin(), due.end());
  CHECK(due == std::vector<DateTime>{at("2026-03-02T15:30:00Z"), at("2026-03-02T15:45:00Z"), at("2026-03-02T15:54:00Z"),
                                     at("2026-03-02T16:00:00Z")});
  CHECK(db.run_due(at("2026-03-02T16:00:00Z")).timers_run == 4);
  CHECK(field("incident", id, "breached") == Value(true));

  // Lowering the priority of a paused clock changes its target, not its state.
  auto paused = incident("urgent", {{"status", "waiting"}});
  db.update("incident", paused, {{"priority", "normal"}});
  clock = clock_of(paused, "response");
  CHECK(clock->status == "paused");
  CHECK(clock->target_minutes == 240);
  bool logged = false;
  for (const auto& entry : db.workflow_log())
    logged = logged || (entry.record_id == paused && entry.action == "sla_retargeted");
  CHECK(logged);
}

TEST_CASE_FIXTURE(SlaDb, "sla: without a business_hours id the default record applies, else the clock is 24x7") {
  set_time("2026-03-07T12:00:00Z");  // Saturday
  auto always = db.insert("incident", {{"subject", "Weekend"}});
  CHECK(clock_of(always, "response")->due_at == at("2026-03-07T16:00:00Z"));  // no default record: 24x7
  db.update("business_hours", hours, {{"is_default", true}});
  auto business = db.insert("incident", {{"subject", "Weekend"}});
  CHECK(clock_of(business, "response")->due_at == at("2026-03-10T17:00:00Z"));  // Tuesday 09:00 EDT + 240
  CHECK_THROWS_AS(db.sla("expense", always), SchemaError);
  CHECK_THROWS_WITH_AS(db.sla("incident", "missing"), doctest::Contains("no incident with id 'missing'"), NotFoundError);
  // Deleting the record forgets its clocks and timers.
  db.remove("incident", business);
  CHECK_THROWS_AS(db.sla("incident", business), NotFoundError);
  CHECK(db.timers("incident", business).empty());
}

TEST_CASE_FIXTURE(SlaDb, "sla: malformed business hours refuse the write that would start a clock, naming the field") {
  auto broken = db.insert("business_hours", {{"name", "Broken"}, {"time_zone", "utc"}, {"monday_start_time", "9h00"}});
  const auto before = test::dump_database(path);
  const std::string problem = "business_hours '" + broken + "' monday: '9h00'-'18:00' is not a time range";
  CHECK_THROWS_WITH_AS(db.insert("incident", {{"subject", "Down"}, {"hours_id", broken}}), doctest::Contains(problem.c_str()),
                       UsageError);
  CHECK(test::dump_database(path) == before);
  CHECK(db.count("incident") == 0);
}
