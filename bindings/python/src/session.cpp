// Database, Session, QueryResult, ImportReport and Transaction.
#include <algorithm>
#include <filesystem>
#include <future>
#include <limits>
#include <optional>
#include <system_error>
#include <thread>

#include "common.hpp"

namespace hotcrm::python {

namespace {

// ---- argument parsing ---------------------------------------------------------------------------

std::string path_string(py::handle path, const char* what) {
  if (PyUnicode_Check(path.ptr())) return path.cast<std::string>();
  if (py::hasattr(path, "__fspath__")) {
    py::object text = py::module_::import("os").attr("fspath")(path);
    if (PyUnicode_Check(text.ptr())) return text.cast<std::string>();
  }
  std::string type = py::str(py::type::handle_of(path).attr("__name__"));
  throw UsageError(ErrorCode::usage, std::string(what) + " must be a str or os.PathLike, not " + type);
}

Filter filter_of(const std::optional<std::string>& where) {
  if (!where || where->find_first_not_of(" \t\r\n") == std::string::npos) return Filter::all();
  return parse_filter(*where);
}

std::vector<OrderKey> parse_order(py::handle order_by) {
  std::vector<OrderKey> keys;
  if (order_by.is_none()) return keys;
  if (PyUnicode_Check(order_by.ptr())) return parse_order_by(order_by.cast<std::string>());
  if (!PyList_Check(order_by.ptr()) && !PyTuple_Check(order_by.ptr()))
    throw UsageError(ErrorCode::usage, "order_by must be a str such as \"-annual_revenue,last_name\" or a list of str");
  for (auto item : order_by) {
    if (!PyUnicode_Check(item.ptr())) throw UsageError(ErrorCode::usage, "order_by items must be str");
    auto parsed = parse_order_by(item.cast<std::string>());
    keys.insert(keys.end(), parsed.begin(), parsed.end());
  }
  return keys;
}

std::vector<std::string> parse_names(py::handle names, const char* what) {
  std::vector<std::string> out;
  if (names.is_none()) return out;
  if (PyUnicode_Check(names.ptr())) {
    out.push_back(names.cast<std::string>());
    return out;
  }
  if (!PyList_Check(names.ptr()) && !PyTuple_Check(names.ptr()))
    throw UsageError(ErrorCode::usage, std::string(what) + " must be a list of field names");
  for (auto item : names) {
    if (!PyUnicode_Check(item.ptr())) throw UsageError(ErrorCode::usage, std::string(what) + " items must be str");
    out.push_back(item.cast<std::string>());
  }
  return out;
}

AggregateFn parse_aggregate_fn(const std::string& name) {
  if (name == "count") return AggregateFn::count;
  if (name == "sum") return AggregateFn::sum;
  if (name == "avg" || name == "mean") return AggregateFn::avg;
  if (name == "min") return AggregateFn::min;
  if (name == "max") return AggregateFn::max;
  throw UsageError(ErrorCode::usage, "unknown aggregate function '" + name + "' (expected count, sum, avg, min or max)");
}

std::vector<Aggregate> parse_aggregates(py::handle aggregates) {
  std::vector<Aggregate> out;
  if (aggregates.is_none()) {
    out.push_back(Aggregate{AggregateFn::count, "", ""});
    return out;
  }
  if (!PyList_Check(aggregates.ptr()) && !PyTuple_Check(aggregates.ptr()))
    throw UsageError(ErrorCode::usage, "aggregates must be a list of (function, field[, alias]) tuples");
  for (auto item : aggregates) {
    Aggregate aggregate;
    if (PyUnicode_Check(item.ptr())) {  // "count"
      aggregate.fn = parse_aggregate_fn(item.cast<std::string>());
    } else if (PyTuple_Check(item.ptr()) || PyList_Check(item.ptr())) {
      auto parts = py::reinterpret_borrow<py::sequence>(item);
      if (parts.size() < 1 || parts.size() > 3 || !PyUnicode_Check(parts[0].ptr()))
        throw UsageError(ErrorCode::usage, "an aggregate is (function, field[, alias]), e.g. (\"sum\", \"amount\")");
      aggregate.fn = parse_aggregate_fn(parts[0].cast<std::string>());
      if (parts.size() >= 2 && !parts[1].is_none()) {
        if (!PyUnicode_Check(parts[1].ptr())) throw UsageError(ErrorCode::usage, "an aggregate's field must be a str or None");
        aggregate.field = parts[1].cast<std::string>();
      }
      if (parts.size() == 3 && !parts[2].is_none()) {
        if (!PyUnicode_Check(parts[2].ptr())) throw UsageError(ErrorCode::usage, "an aggregate's alias must be a str");
        aggregate.alias = parts[2].cast<std::string>();
      }
    } else {
      throw UsageError(ErrorCode::usage, "aggregates must be a list of (function, field[, alias]) tuples");
    }
    out.push_back(std::move(aggregate));
  }
  return out;
}

OnError parse_on_error(const std::string& on_error) {
  if (on_error == "abort") return OnError::abort;
  if (on_error == "skip") return OnError::skip;
  throw UsageError(ErrorCode::usage, "on_error must be \"abort\" or \"skip\", not \"" + on_error + "\"");
}

/// The standard catalog plus the objects and extensions of `source` (file, folder or JSON text),
/// which may refer to the standard objects and extend them.
Catalog extended_catalog(const Catalog& standard, const std::optional<std::string>& path,
                         const std::optional<std::string>& json_text) {
  std::vector<CatalogIssue> issues;
  CatalogDefinitions added;
  auto add = [&](CatalogDefinitions parsed) {
    std::move(parsed.objects.begin(), parsed.objects.end(), std::back_inserter(added.objects));
    std::move(parsed.extensions.begin(), parsed.extensions.end(), std::back_inserter(added.extensions));
  };
  if (json_text) add(Catalog::parse(*json_text, "<catalog>", issues));
  if (path) add(Catalog::read(*path, issues));
  if (!issues.empty()) {
    std::string message = "invalid catalog:";
    for (const auto& issue : issues) message += "\n  " + issue.source + " " + issue.path + ": " + issue.message;
    throw SchemaError(ErrorCode::schema, message);
  }
  return standard.extended(std::move(added));
}

// ---- results ----------------------------------------------------------------------------------

struct PyQueryResult {
  QueryResult result;                     ///< fields and cursor always; rows unless columnar
  std::optional<ColumnarResult> columnar; ///< queries: the rows by column
  std::string object;
  std::vector<ColumnKind> kinds;

  std::size_t size() const { return columnar ? columnar->rows : result.rows.row_count(); }

  const Value cell(std::size_t r, std::size_t c) const {
    return columnar ? columnar->columns[c].at(r) : result.rows.at(r, c);
  }

  py::array to_numpy(std::size_t c) const {
    if (!columnar) return column_to_numpy(result.rows, c, kinds[c]);
    if (is_values(c)) return column_to_numpy(values_batch(c), 0, kinds[c]);
    return column_to_numpy(columnar->columns[c]);
  }

  py::tuple for_pandas(std::size_t c, bool decimals_as_object) const {
    if (!columnar) return column_for_pandas(result.rows, c, kinds[c], decimals_as_object);
    if (is_values(c)) return column_for_pandas(values_batch(c), 0, kinds[c], decimals_as_object);
    return column_for_pandas(columnar->columns[c], decimals_as_object);
  }

  // Formula and list columns hold one Value per row; they convert as row results do, by kind.
  bool is_values(std::size_t c) const { return columnar->columns[c].kind == ResultColumn::Kind::value; }
  RecordBatch values_batch(std::size_t c) const {
    RecordBatch batch({columnar->columns[c].name});
    batch.reserve(columnar->rows);
    for (const auto& value : columnar->columns[c].values) batch.add_row({value});
    return batch;
  }

  std::size_t column(py::handle key) const {
    if (PyLong_Check(key.ptr())) {
      auto index = key.cast<py::ssize_t>();
      if (index < 0) index += static_cast<py::ssize_t>(result.fields.size());
      if (index < 0 || index >= static_cast<py::ssize_t>(result.fields.size()))
        throw py::index_error("column index out of range");
      return static_cast<std::size_t>(index);
    }
    if (!PyUnicode_Check(key.ptr())) throw UsageError(ErrorCode::usage, "a column is named by a str or an int");
    auto name = key.cast<std::string>();
    auto it = std::find(result.fields.begin(), result.fields.end(), name);
    if (it == result.fields.end())
      throw UsageError(ErrorCode::usage, "'" + name + "' is not a field of this result (fields: " +
                                             [&] {
                                               std::string list;
                                               for (const auto& f : result.fields) list += (list.empty() ? "" : ", ") + f;
                                               return list;
                                             }() + ")");
    return static_cast<std::size_t>(it - result.fields.begin());
  }

  py::list keys() const {
    py::list out;
    for (const auto& field : result.fields) out.append(py::str(field));
    return out;
  }

  py::dict row(std::size_t r, const py::list& names) const {
    py::dict out;
    for (std::size_t c = 0; c < result.fields.size(); ++c) {
      PyObject* value = to_python_raw(cell(r, c));
      if (!value) throw py::error_already_set();
      auto owned = py::reinterpret_steal<py::object>(value);
      if (PyDict_SetItem(out.ptr(), names[c].ptr(), owned.ptr()) != 0) throw py::error_already_set();
    }
    return out;
  }
};

struct PyQueryIterator {
  std::shared_ptr<PyQueryResult> result;
  py::list names;
  std::size_t next = 0;
};

std::shared_ptr<PyQueryResult> wrap_result(QueryResult result, const Catalog& catalog, const std::string& object,
                                           std::size_t resolvable_columns) {
  auto out = std::make_shared<PyQueryResult>();
  out->result = std::move(result);
  out->object = object;
  for (std::size_t c = 0; c < out->result.fields.size(); ++c) {
    const FieldDef* field =
        c < resolvable_columns ? resolve_field(catalog, object, out->result.fields[c]) : nullptr;
    out->kinds.push_back(field ? kind_of_field(*field) : infer_kind(out->result.rows, c, ColumnKind::object));
  }
  return out;
}

std::shared_ptr<PyQueryResult> wrap_columns(ColumnarResult columns, const Catalog& catalog, const std::string& object) {
  auto out = std::make_shared<PyQueryResult>();
  for (const auto& column : columns.columns) {
    out->result.fields.push_back(column.name);
    const FieldDef* field = resolve_field(catalog, object, column.name);
    ColumnKind kind = field ? kind_of_field(*field) : ColumnKind::object;
    if (column.kind == ResultColumn::Kind::value && kind == ColumnKind::object) {
      RecordBatch batch({column.name});
      for (const auto& value : column.values) batch.add_row({value});
      kind = infer_kind(batch, 0, ColumnKind::object);
    }
    out->kinds.push_back(kind);
  }
  out->result.next_cursor = std::move(columns.next_cursor);
  out->columnar = std::move(columns);
  out->object = object;
  return out;
}

// ---- import -----------------------------------------------------------------------------------

struct ImportRun {
  Session& session;
  std::string object;
  ImportOptions options;  // on_error and chunk size of the whole run
  OnError on_error;
  py::object on_progress;
  std::optional<BulkImport> bulk;  // one transaction, rows numbered across chunks

  void start(std::int64_t expected_rows) {
    ImportOptions bulk_options;
    bulk_options.on_error = on_error;
    bulk_options.run_workflows = options.run_workflows;
    bulk.emplace(session.begin_import(object, expected_rows, bulk_options));
  }

  void run_chunk(const RecordBatch& batch) { bulk->add(batch); }

  void progress(std::int64_t done, std::int64_t total) {
    if (on_progress.is_none()) return;
    py::gil_scoped_acquire gil;
    py::object answer = on_progress(done, total);
    if (answer.is(py::bool_(false)))
      throw Error(ErrorCode::cancelled,
                  "import cancelled by on_progress after " + std::to_string(done) + " rows; nothing was kept");
  }

  ImportReport finish() {
    auto report = bulk->finish();
    bulk.reset();
    return report;
  }
};

ImportReport import_columns(ImportRun& run, py::object frame_columns) {
  // frame_columns: (names, arrays, masks, rows) from hotcrm._frame.
  auto parts = frame_columns.cast<py::tuple>();
  auto names = parts[0].cast<std::vector<std::string>>();
  auto arrays = parts[1].cast<py::list>();
  auto masks = parts[2].cast<py::list>();
  auto rows = parts[3].cast<std::int64_t>();
  const ObjectDef& def = run.session.catalog().at(run.object);
  std::vector<InputColumn> columns;
  columns.reserve(names.size());
  bool needs_gil = false;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto array = py::array::ensure(arrays[i]);
    if (!array) throw UsageError(ErrorCode::usage, "column '" + names[i] + "' is not array-like");
    columns.emplace_back(names[i], array, masks[i], def.find_field(names[i]));
    if (columns.back().size() != static_cast<std::size_t>(rows))
      throw UsageError(ErrorCode::usage, "column '" + names[i] + "' does not have " + std::to_string(rows) + " rows");
    needs_gil = needs_gil || columns.back().needs_gil();
  }
  if (names.empty() || rows == 0) return {};
  const std::int64_t chunk = std::max<std::int64_t>(1, run.options.chunk_rows);
  // Converts rows [start, start + chunk) into `batch`, a spent one whose values are freed here
  // (off the writing thread) and whose storage is reused. Columns of Python objects are read under
  // the GIL, numeric ones straight from their buffers.
  auto convert = [&](std::int64_t start, RecordBatch batch) {
    const std::int64_t end = std::min(rows, start + chunk);
    if (batch.fields().empty()) batch = RecordBatch(names);
    batch.clear();
    batch.reserve(static_cast<std::size_t>(end - start));
    std::optional<py::gil_scoped_acquire> gil;
    if (needs_gil) gil.emplace();
    for (std::int64_t r = start; r < end; ++r) {
      auto row = batch.append_row();
      for (std::size_t c = 0; c < columns.size(); ++c) row[c] = columns[c].cell(static_cast<std::size_t>(r));
    }
    return batch;
  };
  // Chunk k+1 is converted on a second thread while chunk k is checked and written: the writing
  // thread is the import's bottleneck, and it holds no GIL while it writes.
  auto convert_ahead = [&](std::int64_t start, RecordBatch spent) {
    try {
      return std::async(std::launch::async, convert, start, std::move(spent));
    } catch (const std::system_error&) {  // no thread to be had: convert on this one, when needed
      return std::async(std::launch::deferred, convert, start, std::move(spent));
    }
  };
  return without_gil([&] {
    run.start(rows);
    // Declared after everything the conversion uses, and inside without_gil: if a write throws,
    // its destructor waits for the conversion, which may need the GIL, before the GIL is taken back.
    RecordBatch spent;
    std::future<RecordBatch> next = convert_ahead(0, RecordBatch());
    for (std::int64_t start = 0; start < rows; start += chunk) {
      RecordBatch batch = next.get();
      if (start + chunk < rows) next = convert_ahead(start + chunk, std::move(spent));
      run.run_chunk(batch);
      run.progress(std::min(rows, start + chunk), rows);
      spent = std::move(batch);
    }
    return run.finish();
  });
}

ImportReport import_rows(ImportRun& run, py::handle data) {
  run.session.catalog().at(run.object);  // unknown object: SchemaError before reading anything
  std::int64_t total = -1;
  if (py::hasattr(data, "__len__")) total = static_cast<std::int64_t>(py::len(data));
  py::object iterator = py::reinterpret_steal<py::object>(PyObject_GetIter(data.ptr()));
  if (!iterator) throw py::error_already_set();
  const std::int64_t chunk = std::max<std::int64_t>(1, run.options.chunk_rows);
  // Rows with the same keys are imported together; a key that a row lacks takes its default, as in
  // insert(), rather than becoming a null column of the batch.
  std::optional<Record> pending;
  std::int64_t next_row = 0;
  bool exhausted = false;
  auto read_next = [&]() -> bool {  // GIL held
    if (pending) return true;
    if (exhausted) return false;
    PyObject* item = PyIter_Next(iterator.ptr());
    if (!item) {
      if (PyErr_Occurred()) throw py::error_already_set();
      exhausted = true;
      return false;
    }
    auto owned = py::reinterpret_steal<py::object>(item);
    pending = to_record(owned, run.object);
    return true;
  };
  return without_gil([&] {
    run.start(total);
    {
      while (true) {
        RecordBatch batch;
        std::int64_t first = next_row;
        {
          py::gil_scoped_acquire gil;
          if (!read_next()) break;
          std::vector<std::string> fields;
          for (const auto& [name, value] : *pending) fields.push_back(name);
          // RecordBatch needs a field: an empty record becomes {owner_id: None}, which means "the
          // acting user", exactly what an empty insert does.
          bool empty = fields.empty();
          if (empty) fields.push_back("owner_id");
          batch = RecordBatch(fields);
          while (next_row - first < chunk && read_next()) {
            std::vector<Value> values;
            values.reserve(fields.size());
            if (empty) {
              if (!pending->empty()) break;
              values.emplace_back();
            } else {
              if (pending->size() != fields.size()) break;
              bool same = true;
              for (const auto& [name, value] : *pending) {
                if (name != fields[values.size()]) {
                  same = false;
                  break;
                }
                values.push_back(value);
              }
              if (!same) break;
            }
            batch.add_row(std::move(values));
            pending.reset();
            ++next_row;
          }
        }
        run.run_chunk(batch);
        run.progress(next_row, total);
      }
    }
    return run.finish();
  });
}

ImportReport import_records(Session& session, const std::string& object, py::object data, const std::string& on_error,
                            std::int64_t chunk_rows, py::object on_progress, bool workflows) {
  if (chunk_rows <= 0) throw UsageError(ErrorCode::usage, "chunk_rows must be positive");
  if (!on_progress.is_none() && !PyCallable_Check(on_progress.ptr()))
    throw UsageError(ErrorCode::usage, "on_progress must be a callable(done, total) or None");
  ImportRun run{session, object, ImportOptions{}, parse_on_error(on_error), on_progress, std::nullopt};
  run.options.chunk_rows = chunk_rows;
  run.options.run_workflows = workflows;
  py::module_ frame = py::module_::import("hotcrm._frame");
  py::object columns = frame.attr("as_columns")(data);
  if (!columns.is_none()) return import_columns(run, columns);
  if (PyUnicode_Check(data.ptr()) || PyBytes_Check(data.ptr()) || !py::hasattr(data, "__iter__"))
    throw UsageError(ErrorCode::usage,
                     "import_records takes a pandas DataFrame, a dict of columns or an iterable of dicts");
  return import_rows(run, data);
}

// ---- describe ---------------------------------------------------------------------------------

py::object optional_or_none(const auto& value) {
  if (value) return py::cast(*value);
  return py::none();
}

py::dict describe_field(const FieldDef& field, bool system) {
  py::dict out;
  out["type"] = std::string(to_string(field.type));
  out["label"] = field.label;
  out["description"] = field.description;
  out["required"] = field.required;
  out["unique"] = field.unique;
  out["read_only"] = field.read_only || system;
  out["searchable"] = field.searchable;
  out["indexed"] = field.indexed;
  out["system"] = system;
  out["max_length"] = optional_or_none(field.max_length);
  out["min"] = optional_or_none(field.min);
  out["max"] = optional_or_none(field.max);
  if (field.type == FieldType::number || field.is_decimal()) {
    out["precision"] = optional_or_none(field.precision);
    out["scale"] = field.scale;
  }
  if (field.default_value) {
    switch (field.default_value->kind) {
      case DefaultValue::Kind::literal: out["default"] = to_python(field.default_value->literal); break;
      case DefaultValue::Kind::now: out["default"] = "$now"; break;
      case DefaultValue::Kind::today: out["default"] = "$today"; break;
      case DefaultValue::Kind::current_user: out["default"] = "$current_user"; break;
      case DefaultValue::Kind::formula: {
        py::dict formula;
        formula["formula"] = field.default_value->formula;
        out["default"] = formula;
        break;
      }
    }
  } else {
    out["default"] = py::none();
  }
  if (field.type == FieldType::select || field.type == FieldType::multiselect) {
    py::list values, details;
    py::dict labels;
    for (const auto& option : field.options) {
      values.append(option.value);
      labels[py::str(option.value)] = option.label;
      py::dict detail;
      detail["value"] = option.value;
      detail["label"] = option.label;
      detail["probability"] = optional_or_none(option.probability);
      detail["is_won"] = option.is_won;
      detail["is_lost"] = option.is_lost;
      details.append(detail);
    }
    out["options"] = values;
    out["option_labels"] = labels;
    out["option_details"] = details;
  }
  if (field.is_reference()) {
    out["reference"] = field.reference;
    out["on_delete"] = std::string(to_string(field.on_delete));
  }
  if (field.type == FieldType::autonumber) out["format"] = field.format;
  if (field.type == FieldType::formula) {
    out["expression"] = field.expression;
    out["return_type"] = field.return_type ? py::cast(std::string(to_string(*field.return_type))) : py::none();
  }
  if (field.rollup) {
    py::dict rollup;
    rollup["object"] = field.rollup->object;
    rollup["via"] = field.rollup->via;
    rollup["function"] = field.rollup->function;
    rollup["field"] = field.rollup->field.empty() ? py::object(py::none()) : py::str(field.rollup->field);
    rollup["filter"] = field.rollup->filter.empty() ? py::object(py::none()) : py::str(field.rollup->filter);
    out["rollup"] = rollup;
  }
  out["package"] = field.package.empty() ? py::object(py::none()) : py::object(py::str(field.package));
  return out;
}

py::dict describe(const Session& session, const std::string& object) {
  const ObjectDef& def = session.catalog().at(object);
  py::dict out;
  out["name"] = def.name;
  out["label"] = def.label;
  out["plural_label"] = def.plural_label;
  out["description"] = def.description;
  out["package"] = def.package;
  out["capabilities"] = py::cast(def.capabilities);
  py::dict fields;
  for (const auto& field : system_fields()) fields[py::str(field.name)] = describe_field(field, true);
  for (const auto& field : def.fields) fields[py::str(field.name)] = describe_field(field, false);
  out["fields"] = fields;
  py::list rules;
  for (const auto& rule : def.validation_rules) {
    py::dict item;
    item["name"] = rule.name;
    item["condition"] = rule.condition;
    item["message"] = rule.message;
    item["error_field"] = rule.error_field.empty() ? py::object(py::none()) : py::object(py::str(rule.error_field));
    item["active"] = rule.active;
    item["package"] = rule.package.empty() ? py::object(py::none()) : py::object(py::str(rule.package));
    rules.append(item);
  }
  out["rules"] = rules;
  return out;
}

// ---- transaction context manager --------------------------------------------------------------

class PyTransaction {
 public:
  explicit PyTransaction(Session session) : session_(std::move(session)) {}
  PyTransaction(const PyTransaction&) = delete;
  PyTransaction& operator=(const PyTransaction&) = delete;
  ~PyTransaction() {
    // An abandoned block rolls back; the lock must be released by the thread that took it.
    if (transaction_ && owner_ == std::this_thread::get_id()) transaction_.reset();
    else if (transaction_) transaction_.release();  // leaked deliberately rather than unlocking on a foreign thread
  }

  void enter() {
    if (transaction_) throw UsageError(ErrorCode::usage, "this transaction is already open; use a new db.transaction()");
    without_gil([&] { transaction_ = std::make_unique<Transaction>(session_.begin()); });
    owner_ = std::this_thread::get_id();
  }

  void exit(bool commit) {
    if (!transaction_) throw UsageError(ErrorCode::usage, "the transaction is not open");
    if (owner_ != std::this_thread::get_id())
      throw UsageError(ErrorCode::usage, "a transaction must be closed by the thread that opened it");
    auto transaction = std::move(transaction_);
    without_gil([&] {
      if (commit) transaction->commit();
      else transaction->rollback();
    });
  }

  bool active() const noexcept { return static_cast<bool>(transaction_); }

 private:
  Session session_;
  std::unique_ptr<Transaction> transaction_;
  std::thread::id owner_;
};

QueryLimits query_limits(std::optional<double> timeout, std::optional<CancelToken> cancel) {
  QueryLimits limits;
  if (timeout) {
    if (!(*timeout > 0)) throw UsageError(ErrorCode::usage, "timeout must be a positive number of seconds");
    limits.timeout = std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(*timeout * 1000.0)));
  }
  limits.cancel = std::move(cancel);
  return limits;
}

// ---- open -------------------------------------------------------------------------------------

std::unique_ptr<Database> open_database(py::object path, py::object catalog, bool extend_standard,
                                        std::optional<std::vector<std::string>> packages, bool allow_destructive,
                                        bool read_only, bool create, std::int32_t busy_timeout_ms, std::uint64_t id_seed,
                                        py::object now, py::object keys, std::optional<std::string> current_key,
                                        bool tenant_files, const std::string& tenant) {
  if (packages && !catalog.is_none() && !extend_standard)
    throw UsageError(ErrorCode::usage, "packages= selects standard objects: give it alone or with extend_standard=True");
  OpenOptions options;
  options.allow_destructive = allow_destructive;
  options.read_only = read_only;
  options.create = create;
  options.busy_timeout_ms = busy_timeout_ms;
  options.id_seed = id_seed;
  options.keys = key_provider(keys, current_key);
  options.layout = tenant_files ? StoreLayout::tenant_files : StoreLayout::single_file;
  options.tenant = tenant;
  if (!now.is_none()) {
    Value at = to_value(now, "now");
    if (at.kind() != ValueKind::datetime) throw UsageError(ErrorCode::usage, "now must be a datetime.datetime or None");
    options.clock = fixed_clock(at.as_datetime());
  }
  std::string file = path_string(path, "path");
  std::optional<std::string> catalog_path, catalog_json;
  if (!catalog.is_none()) {
    if (PyDict_Check(catalog.ptr()) || PyList_Check(catalog.ptr()))
      catalog_json = py::module_::import("json").attr("dumps")(catalog).cast<std::string>();
    else catalog_path = path_string(catalog, "catalog");
  }
  return without_gil([&] {
    auto standard = [&] { return packages ? Catalog::standard(*packages) : Catalog::standard(); };
    if (catalog_path || catalog_json) {
      if (extend_standard) options.catalog = extended_catalog(standard(), catalog_path, catalog_json);
      else if (catalog_json) options.catalog = Catalog::from_json(*catalog_json, "<catalog>");
      else options.catalog = Catalog::load(*catalog_path);
    } else if (extend_standard || packages) {
      options.catalog = standard();
    }
    return std::make_unique<Database>(Database::open(file, std::move(options)));
  });
}

std::string repr_list(const std::vector<std::string>& items, std::size_t limit = 6) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) out += (i ? ", '" : "'") + items[i] + "'";
  if (items.size() > limit) out += ", ...";
  return out + "]";
}

}  // namespace

void bind_session(py::module_& m) {
  // ---- QueryResult ----
  py::class_<PyQueryIterator>(m, "_QueryResultIterator", "Iterator over the rows of a QueryResult, as dicts.")
      .def("__iter__", [](PyQueryIterator& self) -> PyQueryIterator& { return self; })
      .def("__next__", [](PyQueryIterator& self) {
        if (self.next >= self.result->size()) throw py::stop_iteration();
        return self.result->row(self.next++, self.names);
      });

  py::class_<PyQueryResult, std::shared_ptr<PyQueryResult>>(
      m, "QueryResult",
      "Rows of a query or an aggregate, in order, with a fixed field list.\n\n"
      "len(result), iteration (dicts), result[i] (a dict; negative indices count from the end),\n"
      "result.to_numpy(field) and result.to_pandas() read it.")
      .def("__len__", &PyQueryResult::size, "Number of rows.")
      .def("__bool__", [](const PyQueryResult& self) { return self.size() > 0; }, "True when there are rows.")
      .def("__iter__",
           [](const std::shared_ptr<PyQueryResult>& self) { return PyQueryIterator{self, self->keys(), 0}; },
           "Iterates the rows as dicts {field: value}.")
      .def("__getitem__",
           [](const PyQueryResult& self, py::ssize_t index) {
             auto n = static_cast<py::ssize_t>(self.size());
             if (index < 0) index += n;
             if (index < 0 || index >= n) throw py::index_error("row index out of range");
             return self.row(static_cast<std::size_t>(index), self.keys());
           },
           py::arg("index"), "Row `index` as a dict {field: value}.")
      .def_property_readonly(
          "fields", [](const PyQueryResult& self) { return self.result.fields; }, "The field names, in column order.")
      .def_property_readonly(
          "object", [](const PyQueryResult& self) { return self.object; }, "The object that was queried.")
      .def_property_readonly(
          "next_cursor",
          [](const PyQueryResult& self) -> py::object {
            if (self.result.next_cursor.empty()) return py::none();
            return py::str(self.result.next_cursor);
          },
          "Opaque cursor after the last row: pass it as query(..., after=cursor) for the next page.\n"
          "None when the result has no rows.")
      .def_property_readonly(
          "kinds",
          [](const PyQueryResult& self) {
            py::dict out;
            for (std::size_t c = 0; c < self.kinds.size(); ++c) out[py::str(self.result.fields[c])] = to_string(self.kinds[c]);
            return out;
          },
          "{field: kind}: the column kinds that decide numpy/pandas dtypes (text, integer, real,\n"
          "decimal, boolean, date, datetime, list, object).")
      .def(
          "to_numpy",
          [](const PyQueryResult& self, py::object field) {
            return self.to_numpy(self.column(field));
          },
          py::arg("field"),
          "One column as a 1-D numpy array, built in C++ without a Python object per numeric cell.\n\n"
          "real, decimal (currency, percent): float64, NaN for null. integer: int64 when the column has\n"
          "no null, else float64 with NaN. boolean: bool when no null, else object (True/False/None).\n"
          "datetime: datetime64[us] (UTC), date: datetime64[D], NaT for null. text, list: object.")
      .def(
          "to_pandas",
          [](py::object self, const std::string& decimals) {
            return py::module_::import("hotcrm._frame").attr("to_pandas")(self, decimals);
          },
          py::arg("decimals") = "float",
          "The rows as a pandas.DataFrame (pandas is imported on first use).\n\n"
          "integer: int64, or nullable Int64 when there are nulls; boolean: bool, or nullable boolean;\n"
          "real: float64; decimal (currency, percent): float64 by default, decimal.Decimal objects with\n"
          "decimals=\"object\"; date: datetime64[ns]; datetime: datetime64[ns, UTC]; text, list: object.")
      .def(
          "_pandas_columns",
          [](const PyQueryResult& self, bool decimals_as_object) {
            py::list out;
            for (std::size_t c = 0; c < self.result.fields.size(); ++c) {
              auto values_mask = self.for_pandas(c, decimals_as_object);
              out.append(py::make_tuple(self.result.fields[c], to_string(self.kinds[c]), values_mask[0], values_mask[1]));
            }
            return out;
          },
          py::arg("decimals_as_object"), "Internal: [(field, kind, values, mask or None)] for to_pandas.")
      .def("__repr__", [](const PyQueryResult& self) {
        return "<hotcrm.QueryResult object='" + self.object + "' rows=" + std::to_string(self.size()) +
               " fields=" + repr_list(self.result.fields) + ">";
      });

  // ---- ImportReport ----
  py::class_<ImportReport>(m, "ImportReport", "What import_records did: rows inserted and rows rejected.")
      .def_readonly("inserted", &ImportReport::inserted, "Number of rows inserted.")
      .def_property_readonly(
          "rejected", [](const ImportReport& self) { return field_errors_to_list(self.rejected, true); },
          "One dict per problem: row (0-based input row), field, code, message, object, rule.\n"
          "A row with several problems appears several times.")
      .def_property_readonly("rejected_rows", &ImportReport::rejected_rows, "Number of distinct rejected rows.")
      .def_readonly("ids", &ImportReport::ids, "Ids of the inserted rows, in input order.")
      .def("__repr__", [](const ImportReport& self) {
        return "<hotcrm.ImportReport inserted=" + std::to_string(self.inserted) +
               " rejected_rows=" + std::to_string(self.rejected_rows()) + ">";
      });

  // ---- Transaction ----
  py::class_<PyTransaction>(m, "Transaction",
                            "An atomic block: `with db.transaction(): ...` commits when the block ends and rolls\n"
                            "back when an exception leaves it. Nested blocks use savepoints. While open, the\n"
                            "database is reserved for the thread that opened it.")
      .def("__enter__", [](PyTransaction& self) -> PyTransaction& { self.enter(); return self; },
           py::return_value_policy::reference_internal, "Begins the transaction.")
      .def(
          "__exit__",
          [](PyTransaction& self, py::object type, py::object, py::object) {
            self.exit(type.is_none());
            return false;
          },
          py::arg("exc_type"), py::arg("exc_value"), py::arg("traceback"),
          "Commits (no exception) or rolls back (exception); never swallows the exception.")
      .def_property_readonly("active", &PyTransaction::active, "True inside the with block.")
      .def("__repr__", [](const PyTransaction& self) {
        return std::string("<hotcrm.Transaction ") + (self.active() ? "active" : "inactive") + ">";
      });

  // ---- Session ----
  py::class_<Session> session(m, "Session",
                              "Operations on behalf of one user in one tenant (db.session(user=...)).\n"
                              "The acting user is recorded in created_by, updated_by and owner_id.\n"
                              "Usable as a context manager (`with db.session(user=\"u-17\") as s:`).");
  session
      .def_property_readonly("user", [](const Session& self) { return self.context().user; }, "The acting user.")
      .def_property_readonly("tenant", [](const Session& self) { return self.context().tenant; }, "The tenant.")
      .def(
          "insert",
          [](Session& self, const std::string& object, py::object record) {
            Record values = to_record(record, object);
            return without_gil([&] { return self.insert(object, values); });
          },
          py::arg("object"), py::arg("record"),
          "Inserts a record (dict {field: value}) and returns its id. Missing fields take their defaults.\n"
          "Raises ValidationError (every field problem at once), ConflictError (a unique value is taken),\n"
          "SchemaError (unknown object). Nothing is written on error.")
      .def(
          "get",
          [](Session& self, const std::string& object, const std::string& id) {
            Record record = without_gil([&] { return self.get(object, id); });
            return record_to_dict(record, self.catalog().find(object));
          },
          py::arg("object"), py::arg("id"),
          "The record as a dict of typed values (system fields first). Raises NotFoundError.")
      .def(
          "find",
          [](Session& self, const std::string& object, const std::string& id) -> py::object {
            auto record = without_gil([&] { return self.find(object, id); });
            if (!record) return py::none();
            return record_to_dict(*record, self.catalog().find(object));
          },
          py::arg("object"), py::arg("id"), "The record as a dict, or None when there is no record with this id.")
      .def(
          "update",
          [](Session& self, const std::string& object, const std::string& id, py::object changes,
             std::optional<std::int64_t> expected_version) {
            Record values = to_record(changes, object);
            return without_gil([&] { return self.update(object, id, values, expected_version); });
          },
          py::arg("object"), py::arg("id"), py::arg("changes"), py::arg("expected_version") = py::none(),
          "Changes the given fields (None clears a field) and returns the new version. With\n"
          "expected_version, raises ConflictError when the stored version differs. Raises NotFoundError,\n"
          "ValidationError, ConflictError (unique value taken).")
      .def(
          "delete",
          [](Session& self, const std::string& object, const std::string& id) {
            without_gil([&] { self.remove(object, id); });
          },
          py::arg("object"), py::arg("id"),
          "Deletes the record, following each lookup's on_delete for its children; the record and its\n"
          "cascade go to the recycle bin (restore, purge). Raises NotFoundError, ConstraintError (a\n"
          "restricting child refers to it).")
      .def(
          "query",
          [](Session& self, const std::string& object, std::optional<std::string> where, py::object order_by,
             std::optional<std::int64_t> limit, std::int64_t offset, py::object fields, std::optional<std::string> after,
             std::optional<double> timeout, std::optional<CancelToken> cancel) {
            Query query;
            query.object = object;
            query.filter = filter_of(where);
            query.order_by = parse_order(order_by);
            query.limit = limit;
            query.offset = offset;
            query.fields = parse_names(fields, "fields");
            query.after = after.value_or("");
            query.limits = query_limits(timeout, std::move(cancel));
            ColumnarResult result = without_gil([&] { return self.query_columns(query); });
            return wrap_columns(std::move(result), self.catalog(), object);
          },
          py::arg("object"), py::arg("where") = py::none(), py::arg("order_by") = py::none(),
          py::arg("limit") = py::none(), py::arg("offset") = 0, py::arg("fields") = py::none(),
          py::arg("after") = py::none(), py::arg("timeout") = py::none(), py::arg("cancel") = py::none(),
          "Reads records of `object`.\n\n"
          "where: a where-string, \"status = 'contacted' AND annual_revenue > 1000000\" (=, !=, <, <=, >,\n"
          ">=, IN (...), NOT IN, IS [NOT] NULL, CONTAINS, STARTS_WITH, AND/OR/NOT, parentheses; fields\n"
          "may be lookup paths such as account_id.name), or any boolean formula, \"AND(ISPICKVAL(status,\n"
          "'contacted'), LEN(company) > 3)\": the parts SQL can express run as SQL, the rest in the\n"
          "formula engine. Formula fields may be filtered and sorted on. order_by: [\"-annual_revenue\",\n"
          "\"last_name\"] or \"-annual_revenue,last_name\" ('-' = descending). limit/offset page;\n"
          "after=result.next_cursor pages by keyset. fields: the columns to return (default: every field).\n"
          "timeout (seconds) bounds the read: past it, CancelledError (code 1005); cancel=a CancelToken\n"
          "whose cancel() (from another thread) stops it with CancelledError (code 1003).\n"
          "Raises ParseError (a UsageError) for a filter that is neither, with the formula's diagnostics,\n"
          "SchemaError for unknown names.")
      .def(
          "explain",
          [](Session& self, const std::string& object, std::optional<std::string> where, py::object order_by,
             py::object fields) {
            Query query;
            query.object = object;
            query.filter = filter_of(where);
            query.order_by = parse_order(order_by);
            query.fields = parse_names(fields, "fields");
            return without_gil([&] { return self.explain(query); });
          },
          py::arg("object"), py::arg("where") = py::none(), py::arg("order_by") = py::none(),
          py::arg("fields") = py::none(),
          "The SQL a query runs and SQLite's plan for it, as text (formula parts the engine evaluates\n"
          "appear as hotcrm_engine(...) calls).")
      .def(
          "count",
          [](Session& self, const std::string& object, std::optional<std::string> where) {
            Filter filter = filter_of(where);
            return without_gil([&] { return self.count(object, filter); });
          },
          py::arg("object"), py::arg("where") = py::none(), "Number of records of `object` matching `where`.")
      .def(
          "aggregate",
          [](Session& self, const std::string& object, py::object group_by, py::object aggregates,
             std::optional<std::string> where, std::optional<double> timeout, std::optional<CancelToken> cancel) {
            AggregateQuery query;
            query.object = object;
            query.group_by = parse_names(group_by, "group_by");
            query.aggregates = parse_aggregates(aggregates);
            query.filter = filter_of(where);
            query.limits = query_limits(timeout, std::move(cancel));
            QueryResult result = without_gil([&] { return self.aggregate(query); });
            return wrap_result(std::move(result), self.catalog(), object, query.group_by.size());
          },
          py::arg("object"), py::arg("group_by") = py::none(), py::arg("aggregates") = py::none(),
          py::arg("where") = py::none(), py::arg("timeout") = py::none(), py::arg("cancel") = py::none(),
          "Grouped aggregates as a QueryResult: one row per group, the group_by fields then one column\n"
          "per aggregate. aggregates: [(\"sum\", \"amount\"), (\"count\", None), (\"avg\", \"amount\", \"mean\")];\n"
          "functions count, sum, avg, min, max; columns are named fn_field (\"sum_amount\") or \"count\"\n"
          "unless an alias is given. Sums and averages of currency fields are exact decimals.")
      .def(
          "import_records",
          [](Session& self, const std::string& object, py::object data, const std::string& on_error,
             std::int64_t chunk_rows, py::object on_progress, bool workflows) {
            return import_records(self, object, std::move(data), on_error, chunk_rows, std::move(on_progress),
                                  workflows);
          },
          py::arg("object"), py::arg("data"), py::arg("on_error") = "abort", py::arg("chunk_rows") = 50'000,
          py::arg("on_progress") = py::none(), py::arg("workflows") = true,
          "Inserts many records in one transaction and returns an ImportReport.\n\n"
          "data: a pandas DataFrame or a dict of columns (converted column by column in C++: float64,\n"
          "int64, bool, datetime64, object; NaN/None/NaT/pd.NA are null), or an iterable of dicts.\n"
          "A null cell is an explicit null (defaults apply only to absent columns / keys).\n"
          "on_error=\"abort\": all or nothing, raises ValidationError listing every problem (with row);\n"
          "on_error=\"skip\": inserts the valid rows, report.rejected lists the others.\n"
          "on_progress(done, total) is called once per chunk of chunk_rows rows; returning False\n"
          "cancels (CancelledError, nothing kept). The GIL is released while rows are written.\n"
          "workflows=False skips the objects' workflow rules and state-machine entries (loading history).")
      .def(
          "import_file",
          [](Session& self, const std::string& object, py::object path, std::optional<std::string> format,
             const std::string& on_error) {
            std::string file = path_string(path, "path");
            ImportOptions options;
            options.on_error = parse_on_error(on_error);
            TextFormat text_format = format ? text_format_from_string(*format)
                                            : text_format_from_string(
                                                  std::filesystem::path(file).extension().string().substr(
                                                      std::min<std::size_t>(1, std::filesystem::path(file).extension().string().size())));
            return without_gil([&] { return hotcrm::import_file(self, object, file, text_format, options); });
          },
          py::arg("object"), py::arg("path"), py::arg("format") = py::none(), py::arg("on_error") = "abort",
          "Imports a CSV (header line = field names) or JSON Lines file; the format defaults to the file\n"
          "extension (.csv, .jsonl). Rows are numbered by their line in the file.")
      .def(
          "transaction", [](const Session& self) { return std::make_unique<PyTransaction>(self); },
          "A context manager for an atomic block: `with db.transaction(): ...`.")
      .def("objects", [](const Session& self) { return self.catalog().object_names(); },
           "Names of the objects in the catalog.")
      .def("describe", &describe, py::arg("object"),
           "The definition of `object` as a dict: name, label, plural_label, description, package,\n"
           "capabilities, fields {name: {type, label, required, unique, read_only, system, options, ...}}\n"
           "(system fields first) and rules (the validation rules: [{name, condition, message,\n"
           "error_field (None: the whole record), active}]).")
      .def(
          "catalog_json",
          [](const Session& self, std::optional<std::string> object, int indent) {
            return object ? self.catalog().object_to_json(*object, indent) : self.catalog().to_json(indent);
          },
          py::arg("object") = py::none(), py::arg("indent") = 2,
          "Canonical JSON of the catalog in force (or of one object), loadable as a catalog.")
      .def("__enter__", [](Session& self) -> Session& { return self; }, py::return_value_policy::reference_internal,
           "Returns the session itself.")
      .def(
          "__exit__", [](Session&, py::object, py::object, py::object) { return false; }, py::arg("exc_type"),
          py::arg("exc_value"), py::arg("traceback"), "Does nothing (a session owns no resource).")
      .def("__repr__", [](const Session& self) {
        return "<hotcrm.Session user='" + self.context().user + "' tenant='" + self.context().tenant + "'>";
      });
  bind_formula_methods(session);
  bind_workflow_methods(session);
  bind_service_methods(session);
  bind_security_methods(session);
  bind_access_methods(session);

  // ---- Database ----
  py::class_<Database, Session> database(m, "Database",
                                "An open database (hotcrm.open). It is also the default Session (user \"system\",\n"
                                "tenant \"default\"). Closed by close(), by leaving a `with` block, or when collected.");
  database
      .def(
          "session",
          [](const Database& self, const std::string& user, const std::string& tenant, const std::string& access) {
            if (user.empty()) throw UsageError(ErrorCode::usage, "a session needs a user");
            if (access != "system" && access != "user")
              throw UsageError(ErrorCode::usage, "access must be \"system\" or \"user\", not \"" + access + "\"");
            // With tenant_files this may open (create, migrate) the tenant's file: other threads go on.
            return without_gil([&] {
              return self.session(SessionContext{user, tenant, access == "user" ? AccessMode::user : AccessMode::system});
            });
          },
          py::arg("user"), py::arg("tenant") = "default", py::arg("access") = "system",
          "A Session acting for `user` in `tenant`, recorded in created_by / updated_by / owner_id.\n"
          "access=\"user\" applies the user's permission sets, field-level security and record sharing\n"
          "to every call (docs/security.md); \"system\" (the default) bypasses them, for the host\n"
          "application itself. With tenant_files, the session works on the tenant's own file (opened,\n"
          "and created unless read-only, on first use); an invalid tenant name raises UsageError.")
      .def("close", [](Database& self) { without_gil([&] { self.close(); }); },
           "Closes the connection; later calls raise UsageError. Idempotent.")
      .def_property_readonly("path", [](const Database& self) { return self.path().string(); },
                             "The database file (or \":memory:\"), or the tenant directory.")
      .def_property_readonly("tenant_files",
                             [](const Database& self) { return self.layout() == StoreLayout::tenant_files; },
                             "True when opened as a tenant directory (one file per tenant).")
      .def("tenants", [](Database& self) { return without_gil([&] { return self.tenants(); }); },
           "The tenants holding data, sorted: with tenant_files the tenant files of the directory, else\n"
           "the distinct tenant_id of the object tables. Work across tenants (run_due for every tenant)\n"
           "loops over them with db.session(...), the same code in both layouts.")
      .def_property_readonly("migration", [](const Database& self) { return self.migration().steps; },
                             "The schema steps opening this database applied (empty when none).")
      .def("__enter__", [](Database& self) -> Database& { return self; }, py::return_value_policy::reference_internal,
           "Returns the database itself.")
      .def(
          "__exit__",
          [](Database& self, py::object, py::object, py::object) {
            without_gil([&] { self.close(); });
            return false;
          },
          py::arg("exc_type"), py::arg("exc_value"), py::arg("traceback"), "Closes the database.")
      .def("__repr__", [](const Database& self) {
        return "<hotcrm.Database path='" + self.path().string() + "'" +
               (self.layout() == StoreLayout::tenant_files ? " tenant_files tenant='" + self.context().tenant + "'" : "") + ">";
      });
  bind_database_security(database);

  m.def("open", &open_database, py::arg("path"), py::arg("catalog") = py::none(), py::kw_only(),
        py::arg("extend_standard") = false, py::arg("packages") = py::none(), py::arg("allow_destructive") = false,
        py::arg("read_only") = false,
        py::arg("create") = true, py::arg("busy_timeout_ms") = 5000, py::arg("id_seed") = 0,
        py::arg("now") = py::none(), py::arg("keys") = py::none(), py::arg("current_key") = py::none(),
        py::arg("tenant_files") = false, py::arg("tenant") = "default",
        "Opens (creating and migrating as needed) a database file, or \":memory:\".\n\n"
        "tenant_files=True opens `path` as a tenant directory instead: one file per tenant\n"
        "(DIR/<tenant>.db, created on first use) sharing the catalog of DIR/catalog.json; every tenant\n"
        "file is migrated on open when the catalog changes. db.session(user=..., tenant=...) then works\n"
        "on that tenant's file. tenant names the Database's own session's tenant (default \"default\").\n"
        "catalog: None (the catalog stored in the file, or the standard catalog for a new file), a\n"
        "path to a .json file or a folder of .json files, or the definitions as a dict / list.\n"
        "extend_standard=True adds the given objects to the standard catalog (they may refer to\n"
        "account, contact, ...) and applies the given extensions ({\"extends\": \"lead\", \"fields\": [...]})\n"
        "to its objects. packages=[\"crm\", \"support\"] restricts the standard catalog to\n"
        "those packages and the ones they depend on (hotcrm.packages() lists them).\n"
        "allow_destructive permits migrations that drop or retype fields.\n"
        "id_seed fixes the record-id generator; now (a datetime) freezes the clock (tests).\n"
        "keys: the keys of encrypted fields: a dict {key_id: 32 bytes} (current_key names the one that\n"
        "seals new values; optional with one key), a callable key_id -> bytes or None (current_key\n"
        "required; called once per key id), or the path of a key file (the last key listed is current).\n"
        "Raises SchemaError (invalid catalog, refused migration), StoreError (cannot open), UsageError\n"
        "(tenant_files: a path that is a file or an unrelated folder, an invalid tenant name).");

  m.def(
      "packages",
      [] {
        py::list out;
        for (const auto& package : standard_packages()) {
          py::dict item;
          item["name"] = package.name;
          item["label"] = package.label;
          item["description"] = package.description;
          item["depends"] = package.depends;
          py::list extends;
          for (const auto& extension : Catalog::standard_extensions()) {
            if (extension.package != package.name) continue;
            py::dict added;
            added["object"] = extension.object;
            py::list fields, rules;
            for (const auto& field : extension.fields) fields.append(field.name);
            for (const auto& rule : extension.validation_rules) rules.append(rule.name);
            added["fields"] = fields;
            added["validation_rules"] = rules;
            extends.append(added);
          }
          item["extends"] = extends;
          out.append(item);
        }
        return out;
      },
      "The standard catalog's packages, dependencies first: [{name, label, description, depends, extends}].\n"
      "extends lists what the package adds to other packages' objects: [{object, fields, validation_rules}]\n"
      "(marketing adds campaign_id to opportunity and lead).");

  m.def(
      "check_where",
      [](const std::string& where) { return parse_where(where).to_string(); }, py::arg("where"),
      "Parses a where-string and returns its canonical form; raises ParseError naming the column.");
}

}  // namespace hotcrm::python
