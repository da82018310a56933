// Service-process commands (docs/service.md): `approval submit|approve|reject|recall|show|queue`,
// `assign` and `sla`. Each is one library call on a session acting for --user, with the database
// clock pinned by --now; results print as a table or, with --format json, as JSON.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/cli_common.hpp"
#include "cli/table_printer.hpp"

namespace hotcrm::cli {
namespace {

using nlohmann::json;

struct ServiceOptions {
  std::string database;
  std::string object;
  std::string id;
  std::string approver;
  std::string comment;
  std::string process;
  std::string user = "system";
  std::string now;
  std::string format = "table";
};

json time_json(const std::optional<DateTime>& at) { return at ? json(at->to_string()) : json(nullptr); }
std::string time_text(const std::optional<DateTime>& at) { return at ? at->to_string() : std::string(); }

/// --now is parsed before the database is opened: a typo costs nothing.
std::optional<DateTime> pinned_now(const ServiceOptions& options) {
  if (options.now.empty()) return std::nullopt;
  return DateTime::parse(options.now);
}

json approval_json(const ApprovalState& state) {
  json history = json::array();
  for (const auto& item : state.history)
    history.push_back({{"step", item.step}, {"step_name", item.step_name}, {"approver", item.approver},
                       {"decision", item.decision}, {"decided_at", time_json(item.decided_at)}, {"comment", item.comment}});
  return {{"id", state.id},
          {"object", state.object},
          {"record_id", state.record_id},
          {"process", state.process},
          {"status", state.status},
          {"step", state.step},
          {"step_name", state.step_name},
          {"submitted_by", state.submitted_by},
          {"submitted_at", state.submitted_at.to_string()},
          {"completed_at", time_json(state.completed_at)},
          {"pending_approvers", state.pending_approvers},
          {"history", history}};
}

void print_approval(const ApprovalState& state, const std::string& format) {
  if (format == "json") {
    std::cout << approval_json(state).dump() << '\n';
    return;
  }
  std::cout << fmt::format("{} {}: {} ({}), submitted by {} at {}\n", state.object, state.record_id, state.status,
                           state.process, state.submitted_by, state.submitted_at.to_string());
  if (state.status == "pending")
    std::cout << fmt::format("pending step {} ({}): {}\n", state.step, state.step_name,
                             fmt::join(state.pending_approvers, ", "));
  TablePrinter table({"step", "name", "approver", "decision", "decided_at", "comment"});
  table.align_right(0);
  for (const auto& item : state.history)
    table.add_row({std::to_string(item.step), item.step_name, item.approver, item.decision, time_text(item.decided_at),
                   item.comment});
  table.print(std::cout);
}

ExitCode run_approval_call(const ServiceOptions& options, const std::string& call) {
  const auto now = pinned_now(options);
  Database database = open_existing_database(options.database, true, now);
  Session session = database.session({options.user, "default"});
  ApprovalState state;
  if (call == "submit") state = session.submit_for_approval(options.object, options.id, options.comment, options.process);
  else if (call == "approve") state = session.approve(options.object, options.id, options.approver, options.comment);
  else if (call == "reject") state = session.reject(options.object, options.id, options.approver, options.comment);
  else state = session.recall(options.object, options.id, options.comment);
  print_approval(state, options.format);
  return ExitCode::ok;
}

ExitCode run_show(const ServiceOptions& options) {
  Database database = open_existing_database(options.database, false);
  auto state = database.approval(options.object, options.id);
  if (!state) {
    // Nothing to show is an answer, not a failure: scripts test for null.
    if (options.format == "json") std::cout << "null\n";
    else std::cout << fmt::format("{} {} was never submitted for approval\n", options.object, options.id);
    return ExitCode::ok;
  }
  print_approval(*state, options.format);
  return ExitCode::ok;
}

ExitCode run_queue(const ServiceOptions& options) {
  Database database = open_existing_database(options.database, false);
  const auto queue = database.approval_queue(options.approver);
  if (options.format == "json") {
    for (const auto& state : queue) std::cout << approval_json(state).dump() << '\n';
    return ExitCode::ok;
  }
  TablePrinter table({"object", "record_id", "process", "step", "step_name", "submitted_by", "submitted_at"});
  table.align_right(3);
  for (const auto& state : queue)
    table.add_row({state.object, state.record_id, state.process, std::to_string(state.step), state.step_name,
                   state.submitted_by, state.submitted_at.to_string()});
  table.print(std::cout);
  std::cout << row_count_footer(table.row_count()) << '\n';
  return ExitCode::ok;
}

ExitCode run_assign(const ServiceOptions& options) {
  const auto now = pinned_now(options);
  Database database = open_existing_database(options.database, true, now);
  Session session = database.session({options.user, "default"});
  const std::string user = session.assign(options.object, options.id);
  if (options.format == "json") std::cout << json{{"user", user.empty() ? json(nullptr) : json(user)}}.dump() << '\n';
  else std::cout << (user.empty() ? "(queued, no user)" : user) << '\n';
  return ExitCode::ok;
}

ExitCode run_sla(const ServiceOptions& options) {
  const auto now = pinned_now(options);
  Database database = open_existing_database(options.database, false, now);
  const auto clocks = database.sla(options.object, options.id);
  if (options.format == "json") {
    for (const auto& clock : clocks)
      std::cout << json{{"milestone", clock.milestone},
                        {"status", clock.status},
                        {"started_at", clock.started_at.to_string()},
                        {"target_minutes", clock.target_minutes},
                        {"elapsed_minutes", clock.elapsed_minutes},
                        {"due_at", time_json(clock.due_at)},
                        {"completed_at", time_json(clock.completed_at)},
                        {"warned", clock.warned},
                        {"violated", clock.violated},
                        {"escalation_level", clock.escalation_level}}
                       .dump()
                << '\n';
    return ExitCode::ok;
  }
  TablePrinter table({"milestone", "status", "target_min", "elapsed_min", "due_at", "completed_at", "warned", "violated",
                      "escalation"});
  for (std::size_t column : {2, 3, 8}) table.align_right(column);
  for (const auto& clock : clocks)
    table.add_row({clock.milestone, clock.status, std::to_string(clock.target_minutes), std::to_string(clock.elapsed_minutes),
                   time_text(clock.due_at), time_text(clock.completed_at), clock.warned ? "yes" : "no",
                   clock.violated ? "yes" : "no", std::to_string(clock.escalation_level)});
  table.print(std::cout);
  std::cout << row_count_footer(table.row_count()) << '\n';
  return ExitCode::ok;
}

void add_record_arguments(CLI::App* command, ServiceOptions& options) {
  command->add_option("db", options.database, "database file")->required();
  command->add_option("object", options.object, "object name, e.g. quote")->required();
  command->add_option("id", options.id, "record id")->required();
}

void add_format(CLI::App* command, ServiceOptions& options) {
  command->add_option("--format", options.format, "output format")->check(CLI::IsMember({"table", "json"}));
}

void add_actor(CLI::App* command, ServiceOptions& options) {
  command->add_option("--user", options.user, "the acting user (a user record id for manager approvers)");
  command->add_option("--now", options.now, "the time the call happens, ISO 8601 (default: the system clock)");
}

}  // namespace

void add_service_commands(CLI::App& app, Action& action) {
  auto options = std::make_shared<ServiceOptions>();

  CLI::App* approval = app.add_subcommand("approval", "Approval processes: submit, decide, recall, show, queue");
  approval->require_subcommand(1);
  const char* calls[][2] = {{"submit", "Submit a record for approval as --user; prints the request"},
                            {"approve", "Approve the pending step as --approver (default --user)"},
                            {"reject", "Reject the pending step as --approver (default --user)"},
                            {"recall", "Withdraw a pending request (its submitter, or system)"}};
  for (const auto& [name, help] : calls) {
    CLI::App* command = approval->add_subcommand(name, help);
    add_record_arguments(command, *options);
    add_actor(command, *options);
    add_format(command, *options);
    command->add_option("--comment", options->comment, "a comment kept with the decision");
    const std::string call = name;
    if (call == "submit") command->add_option("--process", options->process, "submit to this process (default: the first that applies)");
    if (call == "approve" || call == "reject") command->add_option("--approver", options->approver, "who decides (default: --user)");
    command->callback([options, call, &action] { action = [options, call] { return run_approval_call(*options, call); }; });
  }
  CLI::App* show = approval->add_subcommand("show", "Print a record's latest approval request with its history");
  add_record_arguments(show, *options);
  add_format(show, *options);
  show->callback([options, &action] { action = [options] { return run_show(*options); }; });
  CLI::App* queue = approval->add_subcommand("queue", "List the pending requests waiting on an approver, oldest first");
  queue->add_option("db", options->database, "database file")->required();
  queue->add_option("approver", options->approver, "approver (user id)")->required();
  add_format(queue, *options);
  queue->callback([options, &action] { action = [options] { return run_queue(*options); }; });

  CLI::App* assign = app.add_subcommand("assign", "Run the object's assignment rules on a record; prints the user assigned");
  add_record_arguments(assign, *options);
  add_actor(assign, *options);
  add_format(assign, *options);
  assign->callback([options, &action] { action = [options] { return run_assign(*options); }; });

  CLI::App* sla = app.add_subcommand("sla", "Print a record's SLA milestones: target, deadline, business time used");
  add_record_arguments(sla, *options);
  sla->add_option("--now", options->now, "count elapsed business time up to this time, ISO 8601");
  add_format(sla, *options);
  sla->callback([options, &action] { action = [options] { return run_sla(*options); }; });
}

}  // namespace hotcrm::cli
