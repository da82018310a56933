// Session.history / export_person / erase_person and Database.verify_history / backup.
#include "common.hpp"

namespace hotcrm::python {

namespace {

py::dict entry_to_dict(const HistoryEntry& entry) {
  py::dict out;
  out["sequence"] = entry.sequence;
  out["at"] = to_python(Value(entry.at));
  out["actor"] = entry.actor;
  out["operation"] = entry.operation;
  out["object"] = entry.object;
  out["record_id"] = entry.record_id;
  out["field"] = entry.field;
  out["old_value"] = to_python(entry.old_value);
  out["new_value"] = to_python(entry.new_value);
  out["erased"] = entry.erased;
  out["hash"] = entry.hash;
  return out;
}

std::string path_text(py::handle path) {
  if (PyUnicode_Check(path.ptr())) return path.cast<std::string>();
  if (py::hasattr(path, "__fspath__")) return py::module_::import("os").attr("fspath")(path).cast<std::string>();
  throw UsageError(ErrorCode::usage, "path must be a str or os.PathLike");
}

}  // namespace

void bind_security_methods(py::class_<Session>& session) {
  session
      .def(
          "history",
          [](Session& self, const std::string& object, const std::string& id) {
            auto entries = without_gil([&] { return self.history(object, id); });
            py::list out;
            for (const auto& entry : entries) out.append(entry_to_dict(entry));
            return out;
          },
          py::arg("object"), py::arg("id"),
          "The field history of a record, oldest first, as a list of dicts (pandas.DataFrame(...) makes a\n"
          "table): sequence, at, actor, operation (create / update / delete), object, record_id, field,\n"
          "old_value, new_value (typed like the field), erased, hash. Deleted records keep their history.\n"
          "Raises SchemaError for an unknown object.")
      .def(
          "export_person",
          [](Session& self, const std::string& email) {
            auto document = without_gil([&] { return self.export_person(email); });
            return py::module_::import("json").attr("loads")(document);
          },
          py::arg("email"),
          "Everything held about the person with this e-mail address, as a dict: records (the ones\n"
          "holding the address in a personal-data e-mail field), related (records pointing at them),\n"
          "deleted_records, history, outbox, workflow_log. Logged as a gdpr_export audit entry.")
      .def(
          "erase_person",
          [](Session& self, const std::string& email) {
            auto report = without_gil([&] { return self.erase_person(email); });
            py::dict out;
            py::list records;
            for (const auto& [object, id] : report.records) records.append(py::make_tuple(object, id));
            out["records"] = records;
            out["fields"] = report.fields;
            out["history_entries"] = report.history_entries;
            out["journal_rows"] = report.journal_rows;
            return out;
          },
          py::arg("email"),
          "Anonymises the person with this e-mail address: personal-data fields of the records export_person\n"
          "finds are cleared (placeholders for required ones) in the records and their history; the address\n"
          "is scrubbed from the outbox and workflow log. Returns {records: [(object, id)], fields,\n"
          "history_entries, journal_rows}. The history chain still verifies (a gdpr_erase entry lists the\n"
          "erased entries).");
}

void bind_database_security(py::class_<Database, Session>& database) {
  database
      .def(
          "verify_history",
          [](Database& self) {
            auto report = without_gil([&] { return self.verify_history(); });
            py::dict out;
            out["ok"] = report.ok;
            out["entries"] = report.entries;
            out["head"] = report.head;
            out["broken_at"] = report.ok ? py::object(py::none()) : py::object(py::int_(report.broken_at));
            out["problem"] = report.problem;
            return out;
          },
          "Recomputes the field history's hash chain: {ok, entries, head, broken_at, problem}. broken_at is the\n"
          "first entry that fails (changed, deleted or reordered). Keep `head` elsewhere: removing the newest\n"
          "entries is only detectable against it.")
      .def(
          "backup",
          [](Database& self, py::object path, bool overwrite, std::int32_t pages_per_step) {
            BackupOptions options;
            options.overwrite = overwrite;
            options.pages_per_step = pages_per_step;
            const std::string destination = path_text(path);
            without_gil([&] { self.backup(destination, options); });
          },
          py::arg("path"), py::kw_only(), py::arg("overwrite") = false, py::arg("pages_per_step") = 256,
          "Copies the database to `path` with SQLite's online backup API while other threads and processes\n"
          "go on writing; the copy holds the transactions committed when it began. Raises UsageError when\n"
          "`path` exists (unless overwrite=True).");
}

}  // namespace hotcrm::python
