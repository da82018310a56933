// Formulas and validation rules: Session.check / evaluate / validate, and the database-free
// module functions hotcrm.check / hotcrm.evaluate.
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"

namespace hotcrm::python {

namespace {

CompileOptions compile_options(bool blank_as_zero) {
  CompileOptions options;
  options.blank_as_zero = blank_as_zero;
  return options;
}

/// {"ok", "type", "diagnostics"} for a compile result.
py::dict check_result(const CompileResult& compiled, std::string_view source) {
  py::dict out;
  out["ok"] = compiled.ok();
  out["type"] = compiled.ok() ? py::object(py::str(std::string(to_string(compiled.formula->result_type()))))
                              : py::object(py::none());
  out["diagnostics"] = diagnostics_to_list(compiled.diagnostics, source);
  return out;
}

/// The value of an evaluation, or EvaluationError.
py::object eval_value(const EvalResult& result) {
  if (!result.ok()) raise_evaluation_error(result.error);
  return to_python(result.value);
}

/// A type name of `types`: a catalog field type ("currency", "select", ...) or a formula type name
/// for the three that differ ("picklist", "multipicklist", "id").
FieldType field_type_named(const std::string& field, const std::string& name) {
  if (name == "picklist") return FieldType::select;
  if (name == "multipicklist") return FieldType::multiselect;
  if (name == "id") return FieldType::lookup;
  if (name != "formula") {
    if (auto type = field_type_from_string(name)) return *type;
  }
  throw UsageError(ErrorCode::usage,
                   "types['" + field + "']: '" + name +
                       "' is not a field type (expected text, textarea, email, phone, url, select, multiselect, "
                       "number, currency, percent, boolean, date, datetime, lookup, autonumber, or picklist, "
                       "multipicklist, id)");
}

/// The field type a Python value reads as, for fields that `types` leaves out.
std::optional<FieldType> inferred_type(const Value& value) {
  switch (value.kind()) {
    case ValueKind::boolean: return FieldType::boolean;
    case ValueKind::integer:
    case ValueKind::real: return FieldType::number;
    case ValueKind::decimal: return FieldType::currency;
    case ValueKind::text: return FieldType::text;
    case ValueKind::date: return FieldType::date;
    case ValueKind::datetime: return FieldType::datetime;
    case ValueKind::id: return FieldType::lookup;
    case ValueKind::list: return FieldType::multiselect;
    case ValueKind::null: return std::nullopt;
  }
  return std::nullopt;
}

/// types (a mapping {name: type name} or None) plus the types inferred from `record`'s values.
std::map<std::string, FieldType> field_types(py::handle types, const Record& record) {
  std::map<std::string, FieldType> out;
  if (!types.is_none()) {
    if (!PyDict_Check(types.ptr()) && !py::hasattr(types, "items"))
      throw UsageError(ErrorCode::usage, "types must be a dict {field: type name}");
    for (auto item : types.attr("items")()) {
      auto pair = py::reinterpret_borrow<py::tuple>(item);
      if (!PyUnicode_Check(pair[0].ptr()) || !PyUnicode_Check(pair[1].ptr()))
        throw UsageError(ErrorCode::usage, "types must map field names (str) to type names (str)");
      const auto name = pair[0].cast<std::string>();
      out.emplace(name, field_type_named(name, pair[1].cast<std::string>()));
    }
  }
  for (const auto& [name, value] : record) {
    if (out.contains(name)) continue;
    if (auto type = inferred_type(value)) out.emplace(name, *type);
  }
  return out;
}

/// NOW() and the time zone of TODAY() from `now`: an aware datetime keeps its own offset, a naive
/// one is UTC; None is the current time in UTC.
void set_clock(EvalContext& context, py::handle now) {
  py::object at = py::reinterpret_borrow<py::object>(now);
  if (at.is_none()) {
    // The library never reads the clock; the Python edge does, once per call.
    py::module_ datetime = py::module_::import("datetime");
    at = datetime.attr("datetime").attr("now")(datetime.attr("timezone").attr("utc"));
  }
  Value value = to_value(at, "now");
  if (value.kind() != ValueKind::datetime) throw UsageError(ErrorCode::usage, "now must be a datetime.datetime or None");
  context.now = value.as_datetime();
  py::object offset = at.attr("utcoffset")();
  if (!offset.is_none()) {
    const auto seconds = offset.attr("total_seconds")().cast<double>();
    context.utc_offset_minutes = static_cast<int>(seconds / 60.0);
  }
}

Record optional_record(py::handle record, std::string_view what) {
  if (record.is_none()) return {};
  return to_record(record, what);
}

}  // namespace

void bind_formula_methods(py::class_<Session>& session) {
  session
      .def(
          "check",
          [](const Session& self, const std::string& object, const std::string& expr, bool blank_as_zero) {
            CompileResult compiled =
                without_gil([&] { return self.check_formula(object, expr, compile_options(blank_as_zero)); });
            return check_result(compiled, expr);
          },
          py::arg("object"), py::arg("expr"), py::arg("blank_as_zero") = false,
          "Compiles a formula against `object` without evaluating it. Returns {\"ok\": bool, \"type\":\n"
          "result type name or None, \"diagnostics\": [{code, line, column, length, message, rendered}]}.\n"
          "Never raises for bad formula text; raises SchemaError for an unknown object.")
      .def(
          "evaluate",
          [](Session& self, const std::string& object, const std::string& expr, py::object record, py::object prior,
             bool blank_as_zero) {
            Record values = optional_record(record, object);
            std::optional<Record> prior_values;
            if (!prior.is_none()) prior_values = to_record(prior, object);
            const CompileOptions options = compile_options(blank_as_zero);
            CompileResult compiled = without_gil([&] { return self.check_formula(object, expr, options); });
            if (!compiled.ok()) raise_formula_error(compiled.diagnostics, expr);
            EvalResult result = without_gil([&] { return self.evaluate(object, expr, values, prior_values, options); });
            return eval_value(result);
          },
          py::arg("object"), py::arg("expr"), py::arg("record") = py::none(), py::arg("prior") = py::none(),
          py::arg("blank_as_zero") = false,
          "Evaluates a formula for `record` (dict {field: value}; missing fields are blank; lookup paths\n"
          "such as account_id.name are read from the database). `prior` is the record's previous state\n"
          "for ISCHANGED / PRIORVALUE (None: evaluated as an insert, ISNEW() is true). NOW() is the\n"
          "database clock (open(now=...)). Returns the value as Decimal, date, datetime, str, bool,\n"
          "float, list or None. Raises FormulaError (with .diagnostics) when the formula does not\n"
          "compile, EvaluationError (with .formula_code, e.g. 'E_DIV_ZERO') when it fails on the values.")
      .def(
          "validate",
          [](Session& self, const std::string& object) {
            std::vector<FieldError> violations = without_gil([&] { return self.validate_stored(object); });
            py::list out;
            for (const auto& violation : violations) {
              py::dict item = field_error_to_dict(violation);
              item["record_id"] = violation.record_id;
              out.append(item);
            }
            return out;
          },
          py::arg("object"),
          "Re-checks every stored record of `object` against its active validation rules (useful after\n"
          "adding a rule to the catalog). Returns one dict per violation: record_id, object, rule, field\n"
          "(the rule's error_field, or \"\"), code (\"rule\") and message. Empty when every record passes.")
      .def(
          "features",
          [](Session& self, const std::string& object, py::object features, std::optional<std::string> where,
             std::vector<std::string> one_hot) {
            std::vector<FeatureSpec> specs = feature_specs(features, "features");
            for (const auto& field : one_hot)
              for (auto& spec : one_hot_features(self.catalog(), object, field)) specs.push_back(std::move(spec));
            Filter filter = where ? parse_filter(*where) : Filter::all();
            FeatureMatrix matrix = without_gil([&] { return self.features(object, specs, filter); });
            py::array_t<double> values({static_cast<py::ssize_t>(matrix.rows()), static_cast<py::ssize_t>(matrix.names.size())});
            if (!matrix.values.empty())
              std::memcpy(values.mutable_data(), matrix.values.data(), matrix.values.size() * sizeof(double));
            return py::make_tuple(values, matrix.names, matrix.ids);
          },
          py::arg("object"), py::arg("features"), py::arg("where") = py::none(),
          py::arg("one_hot") = std::vector<std::string>{},
          "A feature matrix for scoring: returns (X, names, ids), X a float64 numpy array with one row per\n"
          "record matching `where` (insertion order) and one column per feature. features: {name: formula}\n"
          "giving a number, currency, percent, boolean (1/0), date or datetime (days), or {name:\n"
          "hotcrm.aggregate(...)}: an aggregate of related records (count, sum, min, max or avg of a child\n"
          "object's records linked to each record, optionally filtered and within the last N days), which\n"
          "formulas of the same call may read by name (hidden=True: read, not a column); one_hot: picklist\n"
          "fields expanded into one 0/1 column per option (\"industry=technology\"). Blank results and\n"
          "runtime faults are NaN. Records are read a page at a time; the GIL is released. X goes straight\n"
          "to a model: hotcrm.models...predict(X).")
      .def(
          "features_in_chunks",
          [](Session& self, const std::string& object, py::object features, const py::function& on_chunk,
             std::optional<std::string> where, std::size_t chunk_rows) {
            std::vector<FeatureSpec> specs = feature_specs(features, "features");
            Filter filter = where ? parse_filter(*where) : Filter::all();
            return without_gil([&] {
              return self.features_in_chunks(object, specs, filter, [&](const FeatureMatrix& chunk) {
                py::gil_scoped_acquire acquire;
                py::array_t<double> values(
                    {static_cast<py::ssize_t>(chunk.rows()), static_cast<py::ssize_t>(chunk.names.size())});
                if (!chunk.values.empty())
                  std::memcpy(values.mutable_data(), chunk.values.data(), chunk.values.size() * sizeof(double));
                py::object keep_going = on_chunk(values, chunk.names, chunk.ids);
                return keep_going.is_none() || keep_going.cast<bool>();
              }, chunk_rows);
            });
          },
          py::arg("object"), py::arg("features"), py::arg("on_chunk"), py::arg("where") = py::none(),
          py::arg("chunk_rows") = 4096,
          "Streams the feature matrix: on_chunk(X, names, ids) is called with consecutive blocks of at most\n"
          "chunk_rows rows (one empty block when nothing matches); returning False stops. Memory holds one\n"
          "block whatever the number of records. Returns the number of rows delivered.");
}

void bind_formula_functions(py::module_& m) {
  m.def(
      "check",
      [](const std::string& expr, py::object types, bool blank_as_zero) {
        const auto typed = field_types(types, {});
        CompileResult compiled = without_gil([&] { return compile_formula(typed, expr, compile_options(blank_as_zero)); });
        return check_result(compiled, expr);
      },
      py::arg("expr"), py::arg("types") = py::none(), py::kw_only(), py::arg("blank_as_zero") = false,
      "Compiles a formula without a database, against `types` ({field or path: type name}, e.g.\n"
      "{\"amount\": \"currency\", \"stage\": \"picklist\"}). Returns the same dict as Session.check.");
  m.def(
      "evaluate",
      [](const std::string& expr, py::object record, py::object types, bool blank_as_zero, py::object now) {
        const Record values = optional_record(record, "record");
        const auto typed = field_types(types, values);
        EvalContext context;
        set_clock(context, now);
        context.is_new = true;  // no prior state: ISNEW() is true, ISCHANGED() false
        const CompileOptions options = compile_options(blank_as_zero);
        CompileResult compiled = without_gil([&] { return compile_formula(typed, expr, options); });
        if (!compiled.ok()) raise_formula_error(compiled.diagnostics, expr);
        const Formula& formula = *compiled.formula;
        std::vector<Value> slots;
        slots.reserve(formula.fields().size());
        for (const auto& path : formula.fields()) {
          auto it = values.find(path);
          slots.push_back(it == values.end() ? Value() : it->second);
        }
        EvalResult result = without_gil([&] { return formula.evaluate(slots, context); });
        return eval_value(result);
      },
      py::arg("expr"), py::arg("record") = py::none(), py::arg("types") = py::none(), py::kw_only(),
      py::arg("blank_as_zero") = false, py::arg("now") = py::none(),
      "Evaluates a formula without a database. record: {field or path: value} (missing: blank).\n"
      "types: {field or path: type name} (text, number, currency, percent, boolean, date, datetime,\n"
      "select/picklist, multiselect/multipicklist, lookup/id, ...); a field left out takes the type of\n"
      "its value in `record` (int/float: number, Decimal: currency, str: text, bool: boolean, date,\n"
      "datetime, list: multiselect). now: NOW() (default: datetime.now(timezone.utc), read here, at\n"
      "the Python edge: the library never reads the clock); TODAY() is the date of `now` in its own\n"
      "time zone (UTC when naive). ISNEW() is true.\n"
      "Raises FormulaError or EvaluationError as Session.evaluate does.");
}

}  // namespace hotcrm::python
