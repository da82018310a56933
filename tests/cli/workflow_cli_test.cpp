#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_support.hpp"
#include "support/temp_db.hpp"
#include "workflow/workflow_fixture.hpp"

using namespace hotcrm;
using test::contains;
using test::run_cli;

TEST_CASE("hotcrm fire, run, outbox and simulate drive the workflow engine") {
  test::TempDir dir;
  const auto catalog = dir.file("catalog.json");
  test::write_file(catalog, test::kWorkflowCatalog);
  const auto db = dir.file("wf.db").string();
  REQUIRE(run_cli({"init", db, "--catalog", catalog.string()}).exit_code == 0);
  const auto ticket = test::trimmed(run_cli({"insert", db, "ticket", R"({"subject": "Printer", "assignee": "ana"})"}).out);

  auto fired = run_cli({"fire", db, "ticket", ticket, "assign"});
  CHECK(fired.exit_code == 0);
  CHECK(test::trimmed(fired.out) == "assigned");
  auto refused = run_cli({"fire", db, "ticket", ticket, "close"});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "not allowed"));

  auto ran = run_cli({"run", db, "--now", "2099-01-01T00:00:00Z"});
  CHECK(ran.exit_code == 0);
  CHECK(nlohmann::json::parse(ran.out)["timers_run"].get<int>() >= 1);
  CHECK(run_cli({"run", db, "--now", "not a time"}).exit_code != 0);

  auto outbox = run_cli({"outbox", db});
  CHECK(outbox.exit_code == 0);
  auto first = nlohmann::json::parse(outbox.out.substr(0, outbox.out.find('\n')));
  CHECK(first["kind"] == "email");
  CHECK(run_cli({"outbox", db, "--ack", std::to_string(first["id"].get<std::int64_t>())}).exit_code == 0);
  CHECK(contains(run_cli({"outbox", db, "--status", "sent"}).out, first["idempotency_key"].get<std::string>()));
  CHECK(run_cli({"outbox", db, "--ack", "999999"}).exit_code != 0);

  auto simulated = run_cli({"simulate", db, "deal", R"({"title": "What if", "amount": "60000.00"})"});
  CHECK(simulated.exit_code == 0);
  CHECK(contains(simulated.out, "rule:priority_from_amount"));
  CHECK(test::trimmed(run_cli({"count", db, "deal"}).out) == "0");
}

TEST_CASE("hotcrm convert-lead converts once") {
  test::TempDir dir;
  const auto db = dir.file("crm.db").string();
  REQUIRE(run_cli({"init", db}).exit_code == 0);
  const auto lead = test::trimmed(
      run_cli({"insert", db, "lead", R"({"last_name": "Lovelace", "company": "Engines", "email": "ada@e.example"})"}).out);
  auto converted = run_cli({"convert-lead", db, lead});
  CHECK(converted.exit_code == 0);
  auto ids = nlohmann::json::parse(converted.out);
  CHECK(ids["opportunity_id"].is_string());
  auto again = run_cli({"convert-lead", db, lead});
  CHECK(again.exit_code != 0);
  CHECK(contains(again.err, "already converted"));
}
