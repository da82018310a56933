// Reading the engine's journal (outbox, log, timers), registering callbacks, and dry runs.
#include <fmt/format.h>

#include "store/access.hpp"
#include "store/sqlite.hpp"
#include "store/tenant_directory.hpp"
#include "workflow/actions.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

std::vector<OutboxMessage> read_outbox(detail::Connection& db, const std::string& tenant, const std::string& status,
                                       std::int64_t after, std::int64_t limit) {
  auto& statement = db.prepare(
      "SELECT id, kind, object, record_id, source, payload, idempotency_key, status, created_at FROM _hotcrm_outbox "
      "WHERE tenant_id = ? AND (? = '' OR status = ?) AND id > ? ORDER BY id LIMIT ?");
  statement.bind_text(1, tenant);
  statement.bind_text(2, status);
  statement.bind_text(3, status);
  statement.bind_int(4, after);
  statement.bind_int(5, limit);
  std::vector<OutboxMessage> messages;
  while (statement.step())
    messages.push_back({statement.column_int(0), std::string(statement.column_text(1)),
                        std::string(statement.column_text(2)), std::string(statement.column_text(3)),
                        std::string(statement.column_text(4)), std::string(statement.column_text(5)),
                        std::string(statement.column_text(6)), std::string(statement.column_text(7)),
                        DateTime{statement.column_int(8)}});
  statement.reset();
  return messages;
}

std::vector<WorkflowLogEntry> read_log(detail::Connection& db, const std::string& tenant, std::int64_t after,
                                       std::int64_t limit) {
  auto& statement = db.prepare(
      "SELECT id, at, object, record_id, source, action, detail FROM _hotcrm_workflow_log "
      "WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?");
  statement.bind_text(1, tenant);
  statement.bind_int(2, after);
  statement.bind_int(3, limit);
  std::vector<WorkflowLogEntry> entries;
  while (statement.step())
    entries.push_back({statement.column_int(0), DateTime{statement.column_int(1)}, std::string(statement.column_text(2)),
                       std::string(statement.column_text(3)), std::string(statement.column_text(4)),
                       std::string(statement.column_text(5)), std::string(statement.column_text(6))});
  statement.reset();
  return entries;
}

std::vector<PendingTimer> read_timers(detail::Connection& db, const std::string& tenant, const std::string& object,
                                      const std::string& id, std::int64_t after) {
  // std::string, not string_view: a default string_view has no data and would bind NULL, not ''.
  auto& statement = db.prepare(
      "SELECT id, object, record_id, kind, name, step, due_at FROM _hotcrm_timer WHERE tenant_id = ? "
      "AND (? = '' OR object = ?) AND (? = '' OR record_id = ?) AND id > ? ORDER BY due_at, id");
  statement.bind_text(1, tenant);
  statement.bind_text(2, object);
  statement.bind_text(3, object);
  statement.bind_text(4, id);
  statement.bind_text(5, id);
  statement.bind_int(6, after);
  std::vector<PendingTimer> timers;
  while (statement.step()) {
    std::string kind(statement.column_text(3));
    std::string source = kind + ":" + std::string(statement.column_text(4));
    if (kind == "rule") source += "#" + std::to_string(statement.column_int(5) + 1);
    timers.push_back({statement.column_int(0), std::string(statement.column_text(1)),
                      std::string(statement.column_text(2)), std::move(source), DateTime{statement.column_int(6)}});
  }
  statement.reset();
  return timers;
}

std::int64_t max_id(detail::Connection& db, const char* table) {
  auto& statement = db.prepare(fmt::format("SELECT coalesce(max(id), 0) FROM {}", table));
  statement.step();
  auto id = statement.column_int(0);
  statement.reset();
  return id;
}

}  // namespace

std::vector<OutboxMessage> Session::outbox(std::string_view status, std::int64_t limit) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  guard.require_administrator("read the outbox");
  return read_outbox(impl_->db(), context_.tenant, std::string(status), 0, limit);
}

void Session::ack(const std::vector<std::int64_t>& ids, std::string_view status) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  guard.require_administrator("acknowledge outbox messages");
  if (status != "sent" && status != "failed")
    throw UsageError(ErrorCode::usage, fmt::format("an outbox message is acknowledged as 'sent' or 'failed', not '{}'", status));
  detail::Transaction transaction(impl_->db());
  auto& statement = impl_->db().prepare(
      "UPDATE _hotcrm_outbox SET status = ?, acked_at = ? WHERE id = ? AND tenant_id = ?");
  for (auto id : ids) {
    statement.bind_text(1, status);
    statement.bind_int(2, impl_->clock().micros);
    statement.bind_int(3, id);
    statement.bind_text(4, context_.tenant);
    statement.step();
    statement.reset();
    if (sqlite3_changes(impl_->db().handle()) == 0)
      throw NotFoundError(ErrorCode::not_found, fmt::format("no outbox message with id {}", id));
  }
  transaction.commit();
}

std::vector<WorkflowLogEntry> Session::workflow_log(std::int64_t after, std::int64_t limit) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  guard.require_administrator("read the workflow log");
  return read_log(impl_->db(), context_.tenant, after, limit);
}

std::vector<PendingTimer> Session::timers(std::string_view object, std::string_view id) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  guard.require_administrator("read the timers");
  return read_timers(impl_->db(), context_.tenant, std::string(object), std::string(id), 0);
}

void Session::register_action(const std::string& name, ActionCallback callback) {
  {
    std::lock_guard lock(impl_->mutex);
    detail::AccessGuard guard(*impl_, context_);
    guard.require_administrator("register custom actions");
    if (!callback) throw UsageError(ErrorCode::usage, "register_action needs a callback for '" + name + "'");
    detail::runtime(*impl_).callbacks.insert_or_assign(name, callback);
  }
  detail::share_action(*impl_, name, callback);  // the other tenants' files of a tenant directory
}

Simulation Session::simulate(std::string_view object, std::string_view id, const Record& changes) {
  std::lock_guard lock(impl_->mutex);
  {
    detail::AccessGuard guard(*impl_, context_);
    if (auto* scope = guard.scope()) {
      const auto& plan = impl_->plan(object);
      if (id.empty()) scope->require(*plan.object, "create");
      else scope->require_record(plan, id, "edit");
      std::vector<std::string> names;
      for (const auto& [name, value] : changes) names.push_back(name);
      scope->require_writable_fields(*plan.object, names);
      scope->require_masters(plan, changes, id.empty());
    }
  }
  detail::AccessGuard guard(*impl_, SessionContext{});  // what the write would run, as system
  auto& runtime = detail::runtime(*impl_);
  auto& db = impl_->db();
  // Everything happens for real inside a transaction that is never committed.
  detail::Transaction transaction(db);
  const auto log_mark = max_id(db, "_hotcrm_workflow_log");
  const auto outbox_mark = max_id(db, "_hotcrm_outbox");
  const auto timer_mark = max_id(db, "_hotcrm_timer");
  const bool was_simulating = runtime.simulating;
  runtime.simulating = true;
  Simulation result;
  try {
    std::string record_id(id);
    if (id.empty()) record_id = insert(object, changes);
    else update(object, id, changes);
    result.record = find(object, record_id);
  } catch (...) {
    runtime.simulating = was_simulating;
    throw;
  }
  runtime.simulating = was_simulating;
  result.log = read_log(db, context_.tenant, log_mark, std::numeric_limits<std::int64_t>::max());
  result.outbox = read_outbox(db, context_.tenant, "", outbox_mark, std::numeric_limits<std::int64_t>::max());
  result.timers = read_timers(db, context_.tenant, {}, {}, timer_mark);
  return result;
}

}  // namespace v0
}  // namespace hotcrm
