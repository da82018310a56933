// Workflow commands: fire (state-machine events), run (everything due up to a time), outbox (read
// and acknowledge messages), simulate (what a change would trigger). Output is JSON lines, for hosts
// that pipe the outbox into their own delivery.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_common.hpp"

namespace hotcrm::cli {
namespace {

struct WorkflowOptions {
  std::string database;
  std::string object;
  std::string id;
  std::string event;
  std::string now;
  std::string json;
  std::string status = "pending";
  std::int64_t limit = 1000;
  std::vector<std::int64_t> ack;
  bool failed = false;
  bool no_opportunity = false;
  std::string opportunity_name;
  std::string account;
};

nlohmann::json message_json(const OutboxMessage& message) {
  return {{"id", message.id},          {"kind", message.kind},     {"object", message.object},
          {"record_id", message.record_id}, {"source", message.source},
          {"payload", nlohmann::json::parse(message.payload)}, {"idempotency_key", message.idempotency_key},
          {"status", message.status},  {"created_at", message.created_at.to_string()}};
}

nlohmann::json log_json(const WorkflowLogEntry& entry) {
  return {{"sequence", entry.sequence}, {"at", entry.at.to_string()}, {"object", entry.object},
          {"record_id", entry.record_id}, {"source", entry.source}, {"action", entry.action},
          {"detail", nlohmann::json::parse(entry.detail)}};
}

ExitCode run_fire(const WorkflowOptions& options) {
  Database database = open_existing_database(options.database, true);
  std::cout << database.fire(options.object, options.id, options.event) << '\n';
  return ExitCode::ok;
}

ExitCode run_due(const WorkflowOptions& options) {
  const DateTime now = DateTime::parse(options.now);  // before opening: a typo costs nothing
  Database database = open_existing_database(options.database, true);
  auto report = database.run_due(now);
  std::cout << nlohmann::json{{"timers_run", report.timers_run}, {"timers_dropped", report.timers_dropped},
                              {"schedule_runs", report.schedule_runs}, {"records_touched", report.records_touched}}
                   .dump()
            << '\n';
  return ExitCode::ok;
}

ExitCode run_outbox(const WorkflowOptions& options) {
  Database database = open_existing_database(options.database, !options.ack.empty());
  if (!options.ack.empty()) {
    database.ack(options.ack, options.failed ? "failed" : "sent");
    return ExitCode::ok;
  }
  for (const auto& message : database.outbox(options.status == "all" ? "" : options.status, options.limit))
    std::cout << message_json(message).dump() << '\n';
  return ExitCode::ok;
}

ExitCode run_convert(const WorkflowOptions& options) {
  Database database = open_existing_database(options.database, true);
  LeadConversionOptions conversion;
  conversion.create_opportunity = !options.no_opportunity;
  conversion.opportunity_name = options.opportunity_name;
  if (!options.account.empty()) conversion.account_id = options.account;
  auto result = database.convert_lead(options.id, conversion);
  std::cout << nlohmann::json{{"account_id", result.account_id}, {"contact_id", result.contact_id},
                              {"opportunity_id", result.opportunity_id ? nlohmann::json(*result.opportunity_id)
                                                                       : nlohmann::json()},
                              {"account_created", result.account_created}}
                   .dump()
            << '\n';
  return ExitCode::ok;
}

ExitCode run_simulate(const WorkflowOptions& options) {
  const Record changes = parse_record_json(options.json);
  Database database = open_existing_database(options.database, true);
  auto simulation = database.simulate(options.object, options.id, changes);
  nlohmann::json out{{"log", nlohmann::json::array()}, {"outbox", nlohmann::json::array()},
                     {"timers", nlohmann::json::array()}};
  for (const auto& entry : simulation.log) out["log"].push_back(log_json(entry));
  for (const auto& message : simulation.outbox) out["outbox"].push_back(message_json(message));
  for (const auto& timer : simulation.timers)
    out["timers"].push_back({{"source", timer.source}, {"record_id", timer.record_id}, {"due_at", timer.due_at.to_string()}});
  std::cout << out.dump(2) << '\n';
  return ExitCode::ok;
}

}  // namespace

void add_workflow_commands(CLI::App& app, Action& action) {
  auto options = std::make_shared<WorkflowOptions>();

  CLI::App* fire = app.add_subcommand("fire", "Fire a state-machine event on a record; prints its new state");
  fire->add_option("db", options->database, "database file")->required();
  fire->add_option("object", options->object, "object name, e.g. support_case")->required();
  fire->add_option("id", options->id, "record id")->required();
  fire->add_option("event", options->event, "event name, e.g. assign")->required();
  fire->callback([options, &action] { action = [options] { return run_fire(*options); }; });

  CLI::App* run = app.add_subcommand("run", "Run the time triggers, state timeouts and schedules due up to --now");
  run->add_option("db", options->database, "database file")->required();
  run->add_option("--now", options->now, "the time to run up to, ISO 8601 (e.g. 2026-03-02T09:00:00Z)")->required();
  run->callback([options, &action] { action = [options] { return run_due(*options); }; });

  CLI::App* outbox = app.add_subcommand("outbox", "Print outbox messages as JSON lines, or acknowledge them");
  outbox->add_option("db", options->database, "database file")->required();
  outbox->add_option("--status", options->status, "pending (default), sent, failed or all")
      ->check(CLI::IsMember({"pending", "sent", "failed", "all"}));
  outbox->add_option("--limit", options->limit, "at most this many messages");
  outbox->add_option("--ack", options->ack, "mark these message ids as sent (or failed, with --failed)");
  outbox->add_flag("--failed", options->failed, "with --ack: mark the messages failed");
  outbox->callback([options, &action] { action = [options] { return run_outbox(*options); }; });

  CLI::App* convert = app.add_subcommand(
      "convert-lead", "Convert a lead into an account, a contact and an opportunity; prints their ids as JSON");
  convert->add_option("db", options->database, "database file")->required();
  convert->add_option("id", options->id, "lead id")->required();
  convert->add_flag("--no-opportunity", options->no_opportunity, "create no opportunity");
  convert->add_option("--opportunity-name", options->opportunity_name, "default: '<company> - Deal'");
  convert->add_option("--account", options->account, "attach to this existing account instead of creating one");
  convert->callback([options, &action] { action = [options] { return run_convert(*options); }; });

  CLI::App* simulate =
      app.add_subcommand("simulate", "Show what inserting (or, with --id, updating) a record would trigger; keeps nothing");
  simulate->add_option("db", options->database, "database file")->required();
  simulate->add_option("object", options->object, "object name")->required();
  simulate->add_option("json", options->json, "the record or the changes as a JSON object")->required();
  simulate->add_option("--id", options->id, "update this record instead of inserting one");
  simulate->callback([options, &action] { action = [options] { return run_simulate(*options); }; });
}

}  // namespace hotcrm::cli
