// Approval processes: a record is submitted, its applicable steps are decided in order by their
// approvers (first response or unanimous), and it ends approved, rejected or recalled. Requests and
// every approver's part are rows of _hotcrm_approval / _hotcrm_approval_item, written in the same
// transaction as the record's field updates, so the record and its request never disagree. While
// a request is pending in a locking process, users cannot edit or delete the record.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "store/access.hpp"
#include "store/rows.hpp"
#include "store/sqlite.hpp"
#include "workflow/actions.hpp"

namespace hotcrm::detail {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "none" : text;
}

/// The stored request row: what the engine needs to continue it.
struct Request {
  std::int64_t id = 0;
  std::string process;
  std::string status;
  std::int64_t step = -1;  ///< 0-based; -1 when not pending
  std::string submitted_by;
  DateTime submitted_at;
  std::optional<DateTime> completed_at;
};

std::optional<Request> latest_request(Session::Impl& impl, const std::string& tenant, std::string_view object,
                                      std::string_view id) {
  auto& statement = impl.db().prepare(
      "SELECT id, process, status, step, submitted_by, submitted_at, completed_at FROM _hotcrm_approval "
      "WHERE tenant_id = ? AND object = ? AND record_id = ? ORDER BY id DESC LIMIT 1");
  statement.bind_text(1, tenant);
  statement.bind_text(2, object);
  statement.bind_text(3, id);
  std::optional<Request> request;
  if (statement.step())
    request = Request{statement.column_int(0), std::string(statement.column_text(1)), std::string(statement.column_text(2)),
                      statement.column_int(3), std::string(statement.column_text(4)), DateTime{statement.column_int(5)},
                      statement.column_is_null(6) ? std::nullopt : std::optional(DateTime{statement.column_int(6)})};
  statement.reset();
  return request;
}

/// Carries one call (submit, approve, reject, recall, escalation) on one record: the record is held
/// in an ActionRunner so the process's actions and the kept fields become one update.
class ApprovalRun {
 public:
  ApprovalRun(Session& session, const ObjectPlan& plan, std::vector<Value> row, std::string key)
      : session_(session),
        impl_(SessionAccess::impl(session)),
        tenant_(SessionAccess::context(session).tenant),
        plan_(plan),
        runner_(session, plan, std::move(row), nullptr, impl_.now(), std::move(key)) {}

  ApprovalState submit(std::string_view process_name, std::string_view comment) {
    if (auto pending = latest_request(impl_, tenant_, plan_.object->name, id()); pending && pending->status == "pending")
      throw WorkflowError(fmt::format("{} '{}' is already pending approval in process '{}'", plan_.object->name, id(),
                                      pending->process));
    process_ = choose_process(process_name);
    auto& insert = impl_.db().prepare(
        "INSERT INTO _hotcrm_approval (tenant_id, object, record_id, process, status, step, submitted_by, submitted_at, "
        "comment) VALUES (?, ?, ?, ?, 'pending', -1, ?, ?, ?)");
    insert.bind_text(1, tenant_);
    insert.bind_text(2, plan_.object->name);
    insert.bind_text(3, id());
    insert.bind_text(4, process_->def->name);
    insert.bind_text(5, SessionAccess::context(session_).user);
    insert.bind_int(6, now().micros);
    insert.bind_text(7, comment);
    insert.step();
    insert.reset();
    request_ = latest_request(impl_, tenant_, plan_.object->name, id());
    runner_.log(source(), "submitted", {{"by", request_->submitted_by}, {"comment", comment}});
    keep_status("pending");
    runner_.run(process_->on_submit, source());
    if (auto first = next_step(0)) enter_step(*first);
    else finish("approved", "", "no step applies");
    return complete();
  }

  ApprovalState decide(bool approved, std::string_view approver, std::string_view comment) {
    load_pending();
    const auto step = request_->step;
    const auto& compiled = process_->steps[static_cast<std::size_t>(step)];
    auto item = pending_item(step, approver);
    if (!item) {
      throw WorkflowError(fmt::format("'{}' is not a pending approver of step '{}' of {} '{}' (pending: {})", approver,
                                      compiled.def->name, plan_.object->name, id(), join(pending_approvers(step))));
    }
    set_item(*item, approved ? "approved" : "rejected", comment);
    runner_.log(source(), approved ? "approved" : "rejected",
                {{"step", compiled.def->name}, {"approver", approver}, {"comment", comment}});
    if (!approved) {
      close_items(step, "not_required");
      reject_at(step, approver);
    } else if (compiled.def->decision == ApprovalDecision::first_response || pending_approvers(step).empty()) {
      close_items(step, "not_required");
      advance_from(step, approver);
    }
    return complete();
  }

  ApprovalState recall(std::string_view comment) {
    load_pending();
    const auto& user = SessionAccess::context(session_).user;
    if (!process_->def->allow_recall)
      throw WorkflowError(fmt::format("approval process '{}' does not allow recall", process_->def->name));
    if (user != request_->submitted_by && user != "system")
      throw WorkflowError(fmt::format("only the submitter ('{}') can recall the approval of {} '{}'",
                                      request_->submitted_by, plan_.object->name, id()));
    close_items(request_->step, "recalled");
    runner_.log(source(), "recalled", {{"by", user}, {"comment", comment}});
    runner_.run(process_->on_recall, source());
    end_request("recalled");
    return complete();
  }

  /// A step waited too long: its escalation approvers join, its escalation actions run.
  bool escalate(const std::string& process_name, std::int64_t step) {
    auto request = latest_request(impl_, tenant_, plan_.object->name, id());
    if (!request || request->status != "pending" || request->process != process_name || request->step != step) return false;
    request_ = request;
    process_ = find_process(process_name);
    if (!process_ || step >= static_cast<std::int64_t>(process_->steps.size())) return false;
    const auto& compiled = process_->steps[static_cast<std::size_t>(step)];
    auto added = resolve(compiled.escalate_to);
    for (const auto& approver : added)
      if (!pending_item(step, approver)) add_item(step, approver);
    runner_.log(source(), "escalated", {{"step", compiled.def->name}, {"added_approvers", added}});
    runner_.run(compiled.on_escalation, source());
    apply_changes(session_, plan_, runner_);
    return true;
  }

 private:
  const std::string& id() const { return runner_.record_id(); }
  DateTime now() const { return runner_.now(); }
  std::string source() const { return "approval:" + process_->def->name; }

  const CompiledProcess* find_process(std::string_view name) const {
    for (const auto& process : plan_.workflow->approvals)
      if (process.def->name == name) return &process;
    return nullptr;
  }

  const CompiledProcess* choose_process(std::string_view name) {
    if (!name.empty()) {
      const auto* process = find_process(name);
      if (!process) throw WorkflowError(fmt::format("{} has no active approval process '{}'", plan_.object->name, name));
      if (!runner_.holds(process->entry_criteria))
        throw WorkflowError(fmt::format("{} '{}' does not meet the entry criteria of approval process '{}': {}",
                                        plan_.object->name, id(), name, process->def->entry_criteria));
      return process;
    }
    std::vector<std::string> tried;
    for (const auto& process : plan_.workflow->approvals) {
      if (runner_.holds(process.entry_criteria)) return &process;
      tried.push_back(process.def->name + " (" + process.def->entry_criteria + ")");
    }
    throw WorkflowError(fmt::format("{} '{}' meets the entry criteria of no approval process (tried: {})",
                                    plan_.object->name, id(), join(tried)));
  }

  void load_pending() {
    request_ = latest_request(impl_, tenant_, plan_.object->name, id());
    if (!request_ || request_->status != "pending")
      throw WorkflowError(fmt::format("{} '{}' has no pending approval request{}", plan_.object->name, id(),
                                      request_ ? " (the latest is " + request_->status + ")" : ""));
    process_ = find_process(request_->process);
    if (!process_ || request_->step < 0 || request_->step >= static_cast<std::int64_t>(process_->steps.size()))
      throw WorkflowError(fmt::format("approval process '{}' of {} '{}' is no longer active in the catalog",
                                      request_->process, plan_.object->name, id()));
  }

  /// The first step at or after `from` whose criteria hold.
  std::optional<std::int64_t> next_step(std::int64_t from) {
    for (auto step = from; step < static_cast<std::int64_t>(process_->steps.size()); ++step)
      if (runner_.holds(process_->steps[static_cast<std::size_t>(step)].criteria)) return step;
    return std::nullopt;
  }

  std::optional<std::int64_t> previous_step(std::int64_t before) {
    for (auto step = before - 1; step >= 0; --step)
      if (runner_.holds(process_->steps[static_cast<std::size_t>(step)].criteria)) return step;
    return std::nullopt;
  }

  // ---- approvers ----

  std::optional<std::string> manager_of(const std::string& user) {
    const auto* users = impl_.catalog.find("user");
    if (!users || !users->find_field("manager_id")) return std::nullopt;
    auto record = session_.find("user", user);
    if (!record) return std::nullopt;
    auto manager = field_text(*record, "manager_id");
    return manager.empty() ? std::nullopt : std::optional(manager);
  }

  std::vector<std::string> queue_members(const std::string& queue_name) {
    auto queues = session_.query(Query{.object = "queue", .filter = Filter::compare("name", CompareOp::eq, queue_name),
                                       .fields = {"id"}});
    std::vector<std::string> members;
    if (queues.size() == 0) return members;
    auto rows = session_.query(Query{.object = "queue_member",
                                     .filter = Filter::and_({Filter::compare("queue_id", CompareOp::eq, queues.rows.at(0, 0)),
                                                             Filter::compare("is_active", CompareOp::eq, true)}),
                                     .fields = {"user_id"}});
    for (std::size_t r = 0; r < rows.size(); ++r)
      if (!rows.rows.at(r, 0).is_null()) members.push_back(rows.rows.at(r, 0).as_string());
    return members;
  }

  std::vector<std::string> resolve(const std::vector<CompiledApprover>& approvers) {
    std::vector<std::string> users;
    auto add = [&](const std::string& user) {
      if (!user.empty() && std::find(users.begin(), users.end(), user) == users.end()) users.push_back(user);
    };
    for (const auto& approver : approvers) {
      switch (approver.def->kind) {
        case Approver::Kind::user: add(approver.def->value); break;
        case Approver::Kind::manager: {
          std::optional<std::string> user = request_->submitted_by;
          for (int level = 0; level < approver.def->levels && user; ++level) user = manager_of(*user);
          if (user) add(*user);
          break;
        }
        case Approver::Kind::queue:
          for (const auto& member : queue_members(approver.def->value)) add(member);
          break;
        case Approver::Kind::field: {
          SlotResolver resolver(impl_, tenant_, now(), SlotResolver::Mode::read);
          auto result = resolver.evaluate(plan_, runner_.row(), nullptr, *approver.field);
          if (result.ok() && !result.value.is_null()) add(result.value.as_string());
          break;
        }
      }
    }
    return users;
  }

  // ---- items ----

  std::optional<std::int64_t> pending_item(std::int64_t step, std::string_view approver) {
    auto& statement = impl_.db().prepare(
        "SELECT id FROM _hotcrm_approval_item WHERE approval_id = ? AND step = ? AND approver = ? AND decision = 'pending'");
    statement.bind_int(1, request_->id);
    statement.bind_int(2, step);
    statement.bind_text(3, approver);
    std::optional<std::int64_t> item;
    if (statement.step()) item = statement.column_int(0);
    statement.reset();
    return item;
  }

  std::vector<std::string> pending_approvers(std::int64_t step) {
    auto& statement = impl_.db().prepare(
        "SELECT approver FROM _hotcrm_approval_item WHERE approval_id = ? AND step = ? AND decision = 'pending' ORDER BY id");
    statement.bind_int(1, request_->id);
    statement.bind_int(2, step);
    std::vector<std::string> approvers;
    while (statement.step()) approvers.emplace_back(statement.column_text(0));
    statement.reset();
    return approvers;
  }

  void add_item(std::int64_t step, const std::string& approver) {
    auto& statement = impl_.db().prepare(
        "INSERT INTO _hotcrm_approval_item (approval_id, step, approver, decision, created_at) VALUES (?, ?, ?, 'pending', ?)");
    statement.bind_int(1, request_->id);
    statement.bind_int(2, step);
    statement.bind_text(3, approver);
    statement.bind_int(4, now().micros);
    statement.step();
    statement.reset();
  }

  void set_item(std::int64_t item, std::string_view decision, std::string_view comment) {
    auto& statement = impl_.db().prepare("UPDATE _hotcrm_approval_item SET decision = ?, decided_at = ?, comment = ? WHERE id = ?");
    statement.bind_text(1, decision);
    statement.bind_int(2, now().micros);
    statement.bind_text(3, comment);
    statement.bind_int(4, item);
    statement.step();
    statement.reset();
  }

  /// The step's undecided items no longer need an answer.
  void close_items(std::int64_t step, std::string_view why) {
    auto& statement = impl_.db().prepare(
        "UPDATE _hotcrm_approval_item SET decision = ?, decided_at = ? WHERE approval_id = ? AND step = ? AND decision = 'pending'");
    statement.bind_text(1, why);
    statement.bind_int(2, now().micros);
    statement.bind_int(3, request_->id);
    statement.bind_int(4, step);
    statement.step();
    statement.reset();
    cancel_timers(impl_, plan_.object->name, id(), "approval", process_->def->name);
  }

  // ---- steps and outcomes ----

  void enter_step(std::int64_t step) {
    const auto& compiled = process_->steps[static_cast<std::size_t>(step)];
    auto approvers = resolve(compiled.approvers);
    if (approvers.empty())
      throw WorkflowError(fmt::format("step '{}' of approval process '{}' has no approver for {} '{}' (submitted by '{}')",
                                      compiled.def->name, process_->def->name, plan_.object->name, id(),
                                      request_->submitted_by));
    for (const auto& approver : approvers) add_item(step, approver);
    set_request_step(step);
    keep(process_->def->fields.step, Value(step + 1));
    if (compiled.def->escalate_after_minutes > 0)
      schedule_timer(impl_, tenant_, plan_.object->name, id(), "approval", process_->def->name, step,
                     DateTime{now().micros + compiled.def->escalate_after_minutes * kMicrosPerMinute}, now());
    runner_.log(source(), "step", {{"step", compiled.def->name}, {"approvers", approvers}});
  }

  void advance_from(std::int64_t step, std::string_view approver) {
    if (auto next = next_step(step + 1)) enter_step(*next);
    else finish("approved", approver, "");
  }

  void reject_at(std::int64_t step, std::string_view approver) {
    if (process_->steps[static_cast<std::size_t>(step)].def->on_reject == RejectBehavior::back)
      if (auto previous = previous_step(step)) {
        runner_.log(source(), "sent_back", {{"to_step", process_->steps[static_cast<std::size_t>(*previous)].def->name}});
        enter_step(*previous);
        return;
      }
    finish("rejected", approver, "");
  }

  void finish(const std::string& outcome, std::string_view approver, std::string_view note) {
    const auto& fields = process_->def->fields;
    const bool approved = outcome == "approved";
    keep(approved ? fields.approved_by : fields.rejected_by, approver.empty() ? Value{} : Value(std::string(approver)));
    keep(approved ? fields.approved_at : fields.rejected_at, Value(now()));
    runner_.log(source(), outcome, {{"by", approver}, {"note", note}});
    runner_.run(approved ? process_->on_approve : process_->on_reject, source());
    end_request(outcome);
  }

  void end_request(const std::string& status) {
    auto& statement = impl_.db().prepare("UPDATE _hotcrm_approval SET status = ?, step = -1, completed_at = ? WHERE id = ?");
    statement.bind_text(1, status);
    statement.bind_int(2, now().micros);
    statement.bind_int(3, request_->id);
    statement.step();
    statement.reset();
    keep_status(status);
    keep(process_->def->fields.step, Value(std::int64_t{0}));
  }

  void set_request_step(std::int64_t step) {
    auto& statement = impl_.db().prepare("UPDATE _hotcrm_approval SET step = ? WHERE id = ?");
    statement.bind_int(1, step);
    statement.bind_int(2, request_->id);
    statement.step();
    statement.reset();
    request_->step = step;
  }

  void keep_status(const std::string& status) { keep(process_->def->fields.status, Value(status)); }

  void keep(const std::string& field, Value value) {
    if (!field.empty()) runner_.set(plan_.column_index.at(field), std::move(value), source());
  }

  ApprovalState complete() {
    apply_changes(session_, plan_, runner_);
    return *load_state(impl_, tenant_, *plan_.workflow, plan_.object->name, id());
  }

 public:
  static std::optional<ApprovalState> load_state(Session::Impl& impl, const std::string& tenant, const WorkflowPlan& workflow,
                                                 std::string_view object, std::string_view id);

 private:
  Session& session_;
  Session::Impl& impl_;
  const std::string& tenant_;
  const ObjectPlan& plan_;
  ActionRunner runner_;
  const CompiledProcess* process_ = nullptr;
  std::optional<Request> request_;
};

std::string step_name(const WorkflowPlan& workflow, const std::string& process, std::int64_t step) {
  for (const auto& candidate : workflow.approvals)
    if (candidate.def->name == process && step >= 0 && step < static_cast<std::int64_t>(candidate.steps.size()))
      return candidate.steps[static_cast<std::size_t>(step)].def->name;
  return {};
}

std::optional<ApprovalState> ApprovalRun::load_state(Session::Impl& impl, const std::string& tenant, const WorkflowPlan& workflow,
                                                     std::string_view object, std::string_view id) {
  auto request = latest_request(impl, tenant, object, id);
  if (!request) return std::nullopt;
  ApprovalState state{request->id, std::string(object), std::string(id), request->process, request->status,
                      static_cast<std::int32_t>(request->step + 1), step_name(workflow, request->process, request->step),
                      request->submitted_by, request->submitted_at, request->completed_at, {}, {}};
  auto& statement = impl.db().prepare(
      "SELECT step, approver, decision, decided_at, comment FROM _hotcrm_approval_item WHERE approval_id = ? ORDER BY id");
  statement.bind_int(1, request->id);
  while (statement.step()) {
    ApprovalItem item{static_cast<std::int32_t>(statement.column_int(0) + 1),
                      step_name(workflow, request->process, statement.column_int(0)), std::string(statement.column_text(1)),
                      std::string(statement.column_text(2)),
                      statement.column_is_null(3) ? std::nullopt : std::optional(DateTime{statement.column_int(3)}),
                      statement.column_is_null(4) ? std::string() : std::string(statement.column_text(4))};
    if (item.decision == "pending" && request->status == "pending") state.pending_approvers.push_back(item.approver);
    state.history.push_back(std::move(item));
  }
  statement.reset();
  return state;
}

const ObjectPlan& approval_plan(Session::Impl& impl, std::string_view object) {
  const auto& plan = impl.plan(object);
  if (!plan.workflow || plan.workflow->approvals.empty())
    throw SchemaError(ErrorCode::schema, fmt::format("{} has no active approval process", object));
  return plan;
}

/// Runs `call` on the stored record inside one transaction with a pinned clock.
template <class Call>
ApprovalState on_record(Session& session, std::string_view object, std::string_view id, const char* what, Call call) {
  auto& impl = SessionAccess::impl(session);
  impl.require_writable();
  const auto& plan = approval_plan(impl, object);
  PinnedClock clock(impl);
  Transaction transaction(impl.db());
  auto row = load_row(impl, plan, id, SessionAccess::context(session).tenant);
  if (!row) throw NotFoundError(ErrorCode::not_found, fmt::format("no {} with id '{}'", object, id));
  const std::string key = fmt::format("v{}/{}", (*row)[7].as_int(), what);
  ApprovalRun run(session, plan, std::move(*row), key);
  auto state = call(run);
  transaction.commit();
  return state;
}

}  // namespace

void check_not_locked(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant, std::string_view id,
                      std::string_view operation) {
  if (!plan.workflow || !plan.workflow->locks_records() || is_system_write(impl)) return;
  auto request = latest_request(impl, tenant, plan.object->name, id);
  if (!request || request->status != "pending") return;
  for (const auto& process : plan.workflow->approvals)
    if (process.def->name == request->process && !process.def->lock) return;
  throw ConflictError(fmt::format("cannot {} {} '{}': it is locked while approval process '{}' is pending "
                                  "(submitted by '{}'; recall it to edit)",
                                  operation, plan.object->name, id, request->process, request->submitted_by),
                      {FieldError{plan.object->name, "", request->process, "locked", "the record is pending approval", -1,
                                  std::string(id)}});
}

void withdraw_approval(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, const std::string& id) {
  if (!plan.workflow || plan.workflow->approvals.empty()) return;
  auto request = latest_request(impl, tenant, plan.object->name, id);
  if (!request || request->status != "pending") return;
  const DateTime now = impl.now();
  for (const char* sql : {"UPDATE _hotcrm_approval_item SET decision = 'recalled', decided_at = ? WHERE approval_id = ? "
                          "AND decision = 'pending'",
                          "UPDATE _hotcrm_approval SET status = 'recalled', step = -1, completed_at = ? WHERE id = ?"}) {
    auto& statement = impl.db().prepare(sql);
    statement.bind_int(1, now.micros);
    statement.bind_int(2, request->id);
    statement.step();
    statement.reset();
  }
  append_log(impl, tenant, now, plan.object->name, id, "approval:" + request->process, "recalled", {{"by", "record deleted"}});
}

bool run_approval_escalation(Session& session, const ObjectPlan& plan, std::vector<Value> row, std::int64_t timer_id,
                             const std::string& process, std::int64_t step) {
  ApprovalRun run(session, plan, std::move(row), "timer" + std::to_string(timer_id));
  return run.escalate(process, step);
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

ApprovalState Session::submit_for_approval(std::string_view object, std::string_view id, std::string_view comment,
                                           std::string_view process) {
  detail::RecordCall call(*impl_, context_, object, id, "edit");
  return detail::on_record(*this, object, id, "submit", [&](detail::ApprovalRun& run) { return run.submit(process, comment); });
}

ApprovalState Session::approve(std::string_view object, std::string_view id, std::string_view approver,
                               std::string_view comment) {
  detail::RecordCall call(*impl_, context_, object, id, "read");
  const std::string who = approver.empty() ? context_.user : std::string(approver);
  return detail::on_record(*this, object, id, "approve", [&](detail::ApprovalRun& run) { return run.decide(true, who, comment); });
}

ApprovalState Session::reject(std::string_view object, std::string_view id, std::string_view approver,
                              std::string_view comment) {
  detail::RecordCall call(*impl_, context_, object, id, "read");
  const std::string who = approver.empty() ? context_.user : std::string(approver);
  return detail::on_record(*this, object, id, "reject", [&](detail::ApprovalRun& run) { return run.decide(false, who, comment); });
}

ApprovalState Session::recall(std::string_view object, std::string_view id, std::string_view comment) {
  detail::RecordCall call(*impl_, context_, object, id, "edit");
  return detail::on_record(*this, object, id, "recall", [&](detail::ApprovalRun& run) { return run.recall(comment); });
}

std::optional<ApprovalState> Session::approval(std::string_view object, std::string_view id) {
  detail::RecordCall call(*impl_, context_, object, id, "read");
  const auto& plan = detail::approval_plan(*impl_, object);
  return detail::ApprovalRun::load_state(*impl_, context_.tenant, *plan.workflow, object, id);
}

std::vector<ApprovalState> Session::approval_queue(std::string_view approver) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  if (approver != context_.user) guard.require_administrator("read another user's approval queue");
  guard.run_as_system();
  auto& statement = impl_->db().prepare(
      "SELECT DISTINCT a.object, a.record_id, a.id FROM _hotcrm_approval a JOIN _hotcrm_approval_item i "
      "ON i.approval_id = a.id AND i.step = a.step WHERE a.tenant_id = ? AND a.status = 'pending' AND i.approver = ? "
      "AND i.decision = 'pending' ORDER BY a.id");
  statement.bind_text(1, context_.tenant);
  statement.bind_text(2, approver);
  std::vector<std::pair<std::string, std::string>> records;
  while (statement.step()) records.emplace_back(statement.column_text(0), statement.column_text(1));
  statement.reset();
  std::vector<ApprovalState> queue;
  for (const auto& [object, id] : records) {
    const auto* plan = impl_->plans.count(object) ? &impl_->plans.at(object) : nullptr;
    if (plan && plan->workflow)
      queue.push_back(*detail::ApprovalRun::load_state(*impl_, context_.tenant, *plan->workflow, object, id));
  }
  return queue;
}

}  // namespace v0
}  // namespace hotcrm
