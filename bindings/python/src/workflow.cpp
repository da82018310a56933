// Session.fire / run_due / outbox / ack / workflow_log / timers / register_action / simulate.
#include <nlohmann/json.hpp>

#include "common.hpp"

namespace hotcrm::python {

namespace {

DateTime to_datetime(py::handle when) {
  Value value = to_value(when, "now");
  if (value.kind() == ValueKind::datetime) return value.as_datetime();
  if (value.kind() == ValueKind::date) return DateTime::from_date(value.as_date());
  if (value.kind() == ValueKind::text) {
    if (auto parsed = DateTime::try_parse(value.as_string())) return *parsed;
  }
  throw UsageError(ErrorCode::usage, "now must be a datetime.datetime (naive means UTC) or an ISO 8601 string");
}

py::object json_value(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

py::dict message_to_dict(const OutboxMessage& message) {
  py::dict out;
  out["id"] = message.id;
  out["kind"] = message.kind;
  out["object"] = message.object;
  out["record_id"] = message.record_id;
  out["source"] = message.source;
  out["payload"] = json_value(message.payload);
  out["idempotency_key"] = message.idempotency_key;
  out["status"] = message.status;
  out["created_at"] = to_python(Value(message.created_at));
  return out;
}

py::dict log_entry_to_dict(const WorkflowLogEntry& entry) {
  py::dict out;
  out["sequence"] = entry.sequence;
  out["at"] = to_python(Value(entry.at));
  out["object"] = entry.object;
  out["record_id"] = entry.record_id;
  out["source"] = entry.source;
  out["action"] = entry.action;
  out["detail"] = json_value(entry.detail);
  return out;
}

py::dict timer_to_dict(const PendingTimer& timer) {
  py::dict out;
  out["id"] = timer.id;
  out["object"] = timer.object;
  out["record_id"] = timer.record_id;
  out["source"] = timer.source;
  out["due_at"] = to_python(Value(timer.due_at));
  return out;
}

template <class T, class F>
py::list to_list(const std::vector<T>& items, F convert) {
  py::list out;
  for (const auto& item : items) out.append(convert(item));
  return out;
}

}  // namespace

void bind_workflow_methods(py::class_<Session>& session) {
  session
      .def(
          "fire",
          [](Session& self, const std::string& object, const std::string& id, const std::string& event) {
            return without_gil([&] { return self.fire(object, id, event); });
          },
          py::arg("object"), py::arg("id"), py::arg("event"),
          "Fires a state-machine event on a record and returns its new state. Raises WorkflowError when\n"
          "the event is not allowed in the record's state or its guard fails (the record is unchanged).")
      .def(
          "run_due",
          [](Session& self, py::object now) {
            DateTime at = to_datetime(now);
            RunReport report = without_gil([&] { return self.run_due(at); });
            py::dict out;
            out["timers_run"] = report.timers_run;
            out["timers_dropped"] = report.timers_dropped;
            out["schedule_runs"] = report.schedule_runs;
            out["records_touched"] = report.records_touched;
            return out;
          },
          py::arg("now"),
          "Runs everything due up to `now` (time-trigger actions, state timeouts, scheduled rules), in\n"
          "time order, each item in its own transaction. Returns counts: timers_run, timers_dropped,\n"
          "schedule_runs, records_touched.")
      .def(
          "outbox",
          [](Session& self, const std::string& status, std::int64_t limit) {
            auto messages = without_gil([&] { return self.outbox(status, limit); });
            return to_list(messages, message_to_dict);
          },
          py::arg("status") = "pending", py::arg("limit") = 1000,
          "Outbox messages (e-mails and webhooks for the host to deliver) as dicts with a decoded\n"
          "payload; status 'pending' (default), 'sent', 'failed' or '' for all.")
      .def(
          "ack",
          [](Session& self, const std::vector<std::int64_t>& ids, const std::string& status) {
            without_gil([&] { self.ack(ids, status); });
          },
          py::arg("ids"), py::arg("status") = "sent",
          "Marks outbox messages as delivered ('sent') or given up ('failed'). Raises NotFoundError.")
      .def(
          "workflow_log",
          [](Session& self, std::int64_t after, std::int64_t limit) {
            auto entries = without_gil([&] { return self.workflow_log(after, limit); });
            return to_list(entries, log_entry_to_dict);
          },
          py::arg("after") = 0, py::arg("limit") = 10000,
          "The execution log after sequence `after`: every rule, transition and action with its detail.")
      .def(
          "timers",
          [](Session& self, const std::string& object, const std::string& id) {
            auto timers = without_gil([&] { return self.timers(object, id); });
            return to_list(timers, timer_to_dict);
          },
          py::arg("object") = "", py::arg("id") = "", "Timed actions waiting for run_due.")
      .def(
          "register_action",
          [](Session& self, const std::string& name, py::function callback) {
            self.register_action(name, [callback](ActionContext& context) {
              py::gil_scoped_acquire gil;
              const ObjectDef* object = context.session.catalog().find(context.object);
              py::dict record = record_to_dict(context.record, object);
              py::dict parameters = record_to_dict(context.parameters, nullptr);
              py::dict info;
              info["object"] = context.object;
              info["id"] = context.record_id;
              info["record"] = record;
              info["parameters"] = parameters;
              info["now"] = to_python(Value(context.now));
              info["session"] = py::cast(context.session, py::return_value_policy::reference);
              callback(info);
            });
          },
          py::arg("name"), py::arg("callback"),
          "Registers the host callback of custom actions named `name`. It receives a dict with object,\n"
          "id, record, parameters, now and session (writes through it join the triggering change);\n"
          "raising aborts that change entirely.")
      .def(
          "business_time_add",
          [](Session& self, const std::string& business_hours_id, py::object start, std::int64_t minutes) {
            DateTime at = to_datetime(start);
            DateTime due = without_gil([&] { return self.business_calendar(business_hours_id).add_business_minutes(at, minutes); });
            return to_python(Value(due));
          },
          py::arg("business_hours_id"), py::arg("start"), py::arg("minutes"),
          "The instant `minutes` business minutes after `start` under a business_hours record (its time\n"
          "zone, weekly hours and holiday calendar): exact across nights, weekends, holidays and DST.")
      .def(
          "business_minutes_between",
          [](Session& self, const std::string& business_hours_id, py::object a, py::object b) {
            DateTime from = to_datetime(a);
            DateTime to = to_datetime(b);
            return without_gil([&] { return self.business_calendar(business_hours_id).business_minutes_between(from, to); });
          },
          py::arg("business_hours_id"), py::arg("a"), py::arg("b"),
          "Business minutes between two instants under a business_hours record.")
      .def(
          "convert_lead",
          [](Session& self, const std::string& lead_id, bool opportunity, const std::string& opportunity_name,
             std::optional<std::string> owner, std::optional<std::string> account_id) {
            LeadConversionOptions options{opportunity, opportunity_name, std::move(owner), std::move(account_id)};
            LeadConversion result = without_gil([&] { return self.convert_lead(lead_id, options); });
            py::dict out;
            out["account_id"] = result.account_id;
            out["contact_id"] = result.contact_id;
            out["opportunity_id"] = result.opportunity_id ? py::object(py::str(*result.opportunity_id)) : py::none();
            out["account_created"] = result.account_created;
            return out;
          },
          py::arg("lead_id"), py::arg("opportunity") = true, py::arg("opportunity_name") = "",
          py::arg("owner") = py::none(), py::arg("account_id") = py::none(),
          "Converts a lead atomically into an account (or attaches it to account_id), a contact and, with\n"
          "opportunity=True, an opportunity (prospecting, closing in 30 days, 10 % of the annual revenue);\n"
          "returns the ids. Raises WorkflowError when the lead is already converted.")
      .def(
          "simulate",
          [](Session& self, const std::string& object, py::object changes, const std::string& id) {
            Record values = to_record(changes, object);
            Simulation result = without_gil([&] { return self.simulate(object, id, values); });
            py::dict out;
            out["record"] = result.record ? py::object(record_to_dict(*result.record, self.catalog().find(object)))
                                          : py::object(py::none());
            out["log"] = to_list(result.log, log_entry_to_dict);
            out["outbox"] = to_list(result.outbox, message_to_dict);
            out["timers"] = to_list(result.timers, timer_to_dict);
            return out;
          },
          py::arg("object"), py::arg("changes"), py::arg("id") = "",
          "What inserting `changes` (or updating record `id` with them) would trigger, computed for real\n"
          "and rolled back: {record, log, outbox, timers}. Custom actions are not called.");
}

}  // namespace hotcrm::python
