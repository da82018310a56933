// Session.submit / approve / reject / recall / approval / approval_queue / assign / sla: the
// service processes (docs/service.md). Results are plain dicts and lists of dicts, like the outbox
// and the workflow log; times are aware UTC datetimes.
#include "common.hpp"

namespace hotcrm::python {

namespace {

py::object optional_time(const std::optional<DateTime>& at) { return at ? to_python(Value(*at)) : py::none(); }

py::dict item_to_dict(const ApprovalItem& item) {
  py::dict out;
  out["step"] = item.step;
  out["step_name"] = item.step_name;
  out["approver"] = item.approver;
  out["decision"] = item.decision;
  out["decided_at"] = optional_time(item.decided_at);
  out["comment"] = item.comment;
  return out;
}

py::dict approval_to_dict(const ApprovalState& state) {
  py::dict out;
  out["id"] = state.id;
  out["object"] = state.object;
  out["record_id"] = state.record_id;
  out["process"] = state.process;
  out["status"] = state.status;
  out["step"] = state.step;
  out["step_name"] = state.step_name;
  out["submitted_by"] = state.submitted_by;
  out["submitted_at"] = to_python(Value(state.submitted_at));
  out["completed_at"] = optional_time(state.completed_at);
  out["pending_approvers"] = state.pending_approvers;
  py::list history;
  for (const auto& item : state.history) history.append(item_to_dict(item));
  out["history"] = history;
  return out;
}

py::dict clock_to_dict(const SlaClock& clock) {
  py::dict out;
  out["milestone"] = clock.milestone;
  out["status"] = clock.status;
  out["started_at"] = to_python(Value(clock.started_at));
  out["target_minutes"] = clock.target_minutes;
  out["elapsed_minutes"] = clock.elapsed_minutes;
  out["due_at"] = optional_time(clock.due_at);
  out["completed_at"] = optional_time(clock.completed_at);
  out["warned"] = clock.warned;
  out["violated"] = clock.violated;
  out["escalation_level"] = clock.escalation_level;
  return out;
}

}  // namespace

void bind_service_methods(py::class_<Session>& session) {
  session
      .def(
          "submit",
          [](Session& self, const std::string& object, const std::string& id, const std::string& comment,
             const std::string& process) {
            auto state = without_gil([&] { return self.submit_for_approval(object, id, comment, process); });
            return approval_to_dict(state);
          },
          py::arg("object"), py::arg("id"), py::kw_only(), py::arg("comment") = "", py::arg("process") = "",
          "Submits a record for approval, as the session's user: to the first active approval process\n"
          "(by order) whose entry criteria it meets, or to `process`. The first step whose criteria hold\n"
          "becomes pending (none: approved at once). Returns the request as approval() does. Raises\n"
          "WorkflowError (already pending, no process applies, a step with no approver: nothing kept),\n"
          "NotFoundError and SchemaError (the object has no approval process).")
      .def(
          "approve",
          [](Session& self, const std::string& object, const std::string& id, const std::string& approver,
             const std::string& comment) {
            auto state = without_gil([&] { return self.approve(object, id, approver, comment); });
            return approval_to_dict(state);
          },
          py::arg("object"), py::arg("id"), py::kw_only(), py::arg("approver") = "", py::arg("comment") = "",
          "Approves the pending step as `approver` (default: the session's user). The next applicable\n"
          "step becomes pending (first response, or once every approver of a unanimous step approved),\n"
          "or the record is approved and the process's on_approve actions run. Returns the request.\n"
          "Raises WorkflowError when nothing is pending or `approver` is not a pending approver.")
      .def(
          "reject",
          [](Session& self, const std::string& object, const std::string& id, const std::string& approver,
             const std::string& comment) {
            auto state = without_gil([&] { return self.reject(object, id, approver, comment); });
            return approval_to_dict(state);
          },
          py::arg("object"), py::arg("id"), py::kw_only(), py::arg("approver") = "", py::arg("comment") = "",
          "Rejects the pending step as `approver` (default: the session's user): the record is\n"
          "rejected, or sent back to the previous applicable step when the step says on_reject 'back'.\n"
          "Returns the request. Raises WorkflowError like approve().")
      .def(
          "recall",
          [](Session& self, const std::string& object, const std::string& id, const std::string& comment) {
            auto state = without_gil([&] { return self.recall(object, id, comment); });
            return approval_to_dict(state);
          },
          py::arg("object"), py::arg("id"), py::kw_only(), py::arg("comment") = "",
          "Withdraws a pending request (the submitter, or the system user); the record is unlocked.\n"
          "Raises WorkflowError when nothing is pending, the process forbids recall, or the session's\n"
          "user did not submit it.")
      .def(
          "approval",
          [](Session& self, const std::string& object, const std::string& id) -> py::object {
            auto state = without_gil([&] { return self.approval(object, id); });
            return state ? py::object(approval_to_dict(*state)) : py::none();
          },
          py::arg("object"), py::arg("id"),
          "The record's latest approval request, or None when it was never submitted: a dict with id,\n"
          "object, record_id, process, status ('pending', 'approved', 'rejected', 'recalled'), step\n"
          "(1-based; 0 when not pending), step_name, submitted_by, submitted_at, completed_at,\n"
          "pending_approvers and history (each approver's part: step, step_name, approver, decision,\n"
          "decided_at, comment).")
      .def(
          "approval_queue",
          [](Session& self, const std::string& approver) {
            auto states = without_gil([&] { return self.approval_queue(approver); });
            py::list out;
            for (const auto& state : states) out.append(approval_to_dict(state));
            return out;
          },
          py::arg("approver"), "The pending requests waiting on `approver`, oldest first, as approval() dicts.")
      .def(
          "assign",
          [](Session& self, const std::string& object, const std::string& id) -> py::object {
            auto user = without_gil([&] { return self.assign(object, id); });
            return user.empty() ? py::none() : py::object(py::str(user));
          },
          py::arg("object"), py::arg("id"),
          "Runs the object's assignment rules on a stored record now and writes the result. Returns the\n"
          "user assigned, or None when the record went to a queue only. Raises WorkflowError when no\n"
          "entry matches, SchemaError when the object has no assignment rules.")
      .def(
          "sla",
          [](Session& self, const std::string& object, const std::string& id) {
            auto clocks = without_gil([&] { return self.sla(object, id); });
            py::list out;
            for (const auto& clock : clocks) out.append(clock_to_dict(clock));
            return out;
          },
          py::arg("object"), py::arg("id"),
          "The record's SLA milestones as dicts: milestone, status ('running', 'paused', 'met',\n"
          "'missed'), started_at, target_minutes, elapsed_minutes (business minutes so far, pauses\n"
          "excluded), due_at (while running), completed_at, warned, violated, escalation_level.\n"
          "Raises SchemaError when the object has no SLA.");
}

}  // namespace hotcrm::python
