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

std::string hex_to_bytes(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

std::string path_text(py::handle path) {
  if (PyUnicode_Check(path.ptr())) return path.cast<std::string>();
  if (py::hasattr(path, "__fspath__")) return py::module_::import("os").attr("fspath")(path).cast<std::string>();
  throw UsageError(ErrorCode::usage, "path must be a str or os.PathLike");
}

/// Keys from a Python callable: asked once per key id (the engine caches what it returns), with
/// the GIL taken for the call.
class CallableKeyProvider final : public KeyProvider {
 public:
  CallableKeyProvider(py::object callable, std::string current) : callable_(std::move(callable)), current_(std::move(current)) {}
  ~CallableKeyProvider() override {
    py::gil_scoped_acquire gil;
    callable_ = py::object();
  }
  std::string current_key_id() const override { return current_; }
  std::optional<std::string> key(const std::string& id) const override {
    py::gil_scoped_acquire gil;
    py::object result = callable_(id);
    if (result.is_none()) return std::nullopt;
    if (!PyBytes_Check(result.ptr()))
      throw UsageError(ErrorCode::usage, "the keys callable must return bytes or None (key '" + id + "')");
    return result.cast<std::string>();
  }

 private:
  py::object callable_;
  std::string current_;
};

}  // namespace

std::shared_ptr<const KeyProvider> key_provider(py::object keys, const std::optional<std::string>& current_key) {
  if (keys.is_none()) {
    if (current_key) throw UsageError(ErrorCode::usage, "current_key= needs keys=");
    return nullptr;
  }
  if (PyDict_Check(keys.ptr())) {
    std::map<std::string, std::string> map;
    for (auto [id, bytes] : keys.cast<py::dict>()) {
      if (!PyBytes_Check(bytes.ptr()))
        throw UsageError(ErrorCode::usage, "keys= maps a key id to 32 bytes (key '" + py::str(id).cast<std::string>() + "')");
      map.emplace(py::str(id).cast<std::string>(), bytes.cast<std::string>());
    }
    std::string current = current_key.value_or(map.size() == 1 ? map.begin()->first : "");
    if (current.empty()) throw UsageError(ErrorCode::usage, "keys= holds several keys: name the current one with current_key=");
    return std::make_shared<StaticKeyProvider>(std::move(map), std::move(current));
  }
  if (PyCallable_Check(keys.ptr())) {
    if (!current_key) throw UsageError(ErrorCode::usage, "keys= is a callable: name the current key with current_key=");
    return std::make_shared<CallableKeyProvider>(keys, *current_key);
  }
  if (current_key) throw UsageError(ErrorCode::usage, "a key file names its current key (the last one listed)");
  return std::make_shared<StaticKeyProvider>(StaticKeyProvider::from_file(path_text(keys)));
}

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
          "erased entries).")
      .def(
          "restore",
          [](Session& self, const std::string& object, const std::string& id) {
            return without_gil([&] { return self.restore(object, id); });
          },
          py::arg("object"), py::arg("id"),
          "Brings a deleted record back from the recycle bin with its id, values and version, with the\n"
          "records its delete cascaded to; cleared references are re-linked, roll-ups recomputed. Returns the\n"
          "number of records restored. Raises NotFoundError (not in the bin), UsageError (deleted by another\n"
          "record's cascade: restore that one), ConflictError (a unique value is taken now), ConstraintError.")
      .def(
          "recycle_bin",
          [](Session& self, std::optional<std::string> object) {
            auto records = without_gil([&] { return self.recycle_bin(object.value_or("")); });
            py::list out;
            for (const auto& record : records) {
              py::dict row;
              row["object"] = record.object;
              row["id"] = record.id;
              row["deleted_at"] = to_python(Value(record.deleted_at));
              row["deleted_by"] = record.deleted_by;
              row["deleted_with_object"] = record.deleted_with_object.empty() ? py::object(py::none())
                                                                              : py::object(py::str(record.deleted_with_object));
              row["deleted_with_id"] = record.deleted_with_id.empty() ? py::object(py::none())
                                                                      : py::object(py::str(record.deleted_with_id));
              out.append(row);
            }
            return out;
          },
          py::arg("object") = py::none(),
          "The deleted records of this tenant, newest first: [{object, id, deleted_at, deleted_by,\n"
          "deleted_with_object, deleted_with_id}] (deleted_with_*: the record whose delete cascaded here).")
      .def(
          "purge",
          [](Session& self, py::object now, py::object retention) {
            Value at = to_value(now, "now");
            if (at.kind() != ValueKind::datetime) throw UsageError(ErrorCode::usage, "now must be a datetime.datetime");
            if (!py::isinstance(retention, py::module_::import("datetime").attr("timedelta")))
              throw UsageError(ErrorCode::usage, "retention must be a datetime.timedelta");
            const auto micros = std::chrono::microseconds(
                static_cast<std::int64_t>(retention.attr("days").cast<std::int64_t>() * 86'400'000'000LL +
                                          retention.attr("seconds").cast<std::int64_t>() * 1'000'000LL +
                                          retention.attr("microseconds").cast<std::int64_t>()));
            return without_gil([&] { return self.purge(at.as_datetime(), micros); });
          },
          py::arg("now"), py::arg("retention"),
          "Removes for good the recycle-bin entries of records deleted before now - retention (a\n"
          "datetime.timedelta); returns how many records were purged.");
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
          "`path` exists (unless overwrite=True).")
      .def(
          "reencrypt", [](Database& self) { return without_gil([&] { return self.reencrypt(); }); },
          "Key rotation: re-seals every value of the encrypted fields that an older key sealed with the current\n"
          "key (open with the new key current and the old ones still given); returns how many. No history entry\n"
          "is written; old history entries keep needing the key that sealed them.");
}

void bind_key_functions(py::module_& m) {
  py::class_<CancelToken>(m, "CancelToken",
                          "Stops a running query from another thread: pass it as cancel= and call cancel().")
      .def(py::init<>())
      .def("cancel", &CancelToken::cancel, "Asks the reads holding this token to stop (CancelledError).")
      .def_property_readonly("cancelled", &CancelToken::cancelled, "True once cancel() was called.");
  m.def(
      "generate_key", [] { return py::bytes(hex_to_bytes(generate_key_hex())); },
      "A new random 32-byte key for encrypted fields (from the operating system's generator).");
}

}  // namespace hotcrm::python
