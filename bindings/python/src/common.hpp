#pragma once
// Shared declarations of the hotcrm._core extension module.
// Conventions: every call into a hotcrm::Session releases the GIL (the library serialises calls
// with its own mutex, so a thread waiting for it must never hold the GIL); Python objects are only
// touched with the GIL held.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hotcrm/hotcrm.hpp"

namespace hotcrm::python {

namespace py = pybind11;

/// DateTime micros in one day: datetime64[D] <-> datetime64[us] and date <-> datetime conversions.
inline constexpr std::int64_t kMicrosPerDay = 86'400'000'000LL;

/// Runs fn with the GIL released.
template <class F>
decltype(auto) without_gil(F&& fn) {
  py::gil_scoped_release release;
  return fn();
}

// ---- values (convert.cpp) -------------------------------------------------------------------

/// Imports the datetime C API and caches decimal.Decimal. Called once from the module init.
void init_convert();

/// Python -> Value: None, bool, int, float (NaN -> null), decimal.Decimal, str, datetime.date,
/// datetime.datetime (naive = UTC), list/tuple of str, numpy scalars, pandas NA/NaT (-> null).
/// `what` names the value in error messages ("lead.email"). Throws UsageError.
Value to_value(py::handle object, const std::string& what);
/// Value -> Python: Decimal -> decimal.Decimal, Date -> date, DateTime -> aware UTC datetime.
py::object to_python(const Value& value);
/// Value -> Python without creating a new reference for null (used in hot loops).
PyObject* to_python_raw(const Value& value);

/// A Python mapping {field: value} -> Record.
Record to_record(py::handle mapping, std::string_view object);
/// A record as a dict, in catalog column order when the object is known.
py::dict record_to_dict(const Record& record, const ObjectDef* object);
/// FieldError -> {"object", "field", "rule", "code", "message"[, "row"]}.
py::dict field_error_to_dict(const FieldError& error, bool always_row = false);
py::list field_errors_to_list(const std::vector<FieldError>& errors, bool always_row = false);

/// days since 1970-01-01 -> (y, m, d) and back (proleptic Gregorian, Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept;

// ---- errors (errors.cpp) ----------------------------------------------------------------------

void register_errors(py::module_& m);
/// Diagnostics as dicts {code, line, column, length, message, rendered}.
py::list diagnostics_to_list(const std::vector<Diagnostic>& diagnostics, std::string_view source);
/// Raises hotcrm.FormulaError (a UsageError) carrying .diagnostics. Needs the GIL.
[[noreturn]] void raise_formula_error(const std::vector<Diagnostic>& diagnostics, std::string_view source);
/// Raises hotcrm.EvaluationError carrying .formula_code ("E_DIV_ZERO", ...). Needs the GIL.
[[noreturn]] void raise_evaluation_error(FormulaError error);

// ---- feature specs (registry.cpp) ----------------------------------------------------------------

/// {name: formula | {"aggregate": {...}, "hidden": bool}} or a list of (name, formula | dict) pairs or
/// of {"name", ...} dicts -> specs (the JSON form's rules). `what` prefixes error messages.
std::vector<FeatureSpec> feature_specs(const py::handle& features, const char* what);
/// specs -> {name: formula | {"aggregate": {...}[, "hidden": True]}}.
py::dict feature_specs_to_python(const std::vector<FeatureSpec>& specs);

// ---- formulas (formulas.cpp) -------------------------------------------------------------------

/// Session.check / evaluate / validate.
void bind_formula_methods(py::class_<Session>& session);
/// Session.fire / run_due / outbox / ack / workflow_log / timers / register_action / simulate.
void bind_workflow_methods(py::class_<Session>& session);
/// Session.submit / approve / reject / recall / approval / approval_queue / assign / sla (service.cpp).
void bind_service_methods(py::class_<Session>& session);
/// Session.history / export_person / erase_person (security.cpp).
void bind_security_methods(py::class_<Session>& session);
void bind_access_methods(py::class_<Session>& session);
/// Database.verify_history / backup (security.cpp).
void bind_database_security(py::class_<Database, Session>& database);
/// The KeyProvider of hotcrm.open(keys=..., current_key=...): None, a dict, a callable or a key file path.
std::shared_ptr<const KeyProvider> key_provider(py::object keys, const std::optional<std::string>& current_key);
/// hotcrm.check / hotcrm.evaluate (no database).
void bind_formula_functions(py::module_& m);

// ---- columns (columns.cpp) --------------------------------------------------------------------

/// The Python-facing kind of one result column, decided from the catalog (or the values).
enum class ColumnKind : std::uint8_t { text, integer, real, decimal, boolean, date, datetime, list, object };
const char* to_string(ColumnKind kind) noexcept;
ColumnKind kind_of_field(const FieldDef& field) noexcept;
/// Resolves "field" or a lookup path "account_id.name" on `object`; nullptr when unknown.
const FieldDef* resolve_field(const Catalog& catalog, std::string_view object, std::string_view path);
/// The kind inferred from the values of column `c` (used when the catalog cannot tell).
ColumnKind infer_kind(const RecordBatch& rows, std::size_t c, ColumnKind fallback);

/// Column `c` as a 1-D numpy array (see QueryResult.to_numpy).
py::array column_to_numpy(const RecordBatch& rows, std::size_t c, ColumnKind kind);
/// (values, mask or None) for to_pandas; decimals_as_object keeps decimal.Decimal values.
py::tuple column_for_pandas(const RecordBatch& rows, std::size_t c, ColumnKind kind, bool decimals_as_object);
/// The same conversions from a column of a columnar query result (contiguous typed buffers).
py::array column_to_numpy(const ResultColumn& column);
py::tuple column_for_pandas(const ResultColumn& column, bool decimals_as_object);

/// One input column prepared for import: a 1-D numpy array of float64, int64, bool, datetime64[us]
/// or object, plus an optional boolean null mask. Reads cells as Values without the GIL for the
/// numeric kinds.
class InputColumn {
 public:
  InputColumn(std::string name, py::array values, py::object mask, const FieldDef* field);
  const std::string& name() const noexcept { return name_; }
  std::size_t size() const noexcept { return size_; }
  /// Cell i as a Value. Object columns need the GIL; the other kinds do not.
  Value cell(std::size_t i) const;
  bool needs_gil() const noexcept { return kind_ == Kind::object; }

 private:
  enum class Kind : std::uint8_t { real, integer, boolean, datetime, object };
  std::string name_;
  py::array array_;
  py::object mask_holder_;
  const char* data_ = nullptr;
  std::ptrdiff_t stride_ = 0;
  const char* mask_ = nullptr;
  std::ptrdiff_t mask_stride_ = 0;
  std::size_t size_ = 0;
  Kind kind_ = Kind::object;
  bool to_date_ = false;  // datetime64 into a date field: whole days become Dates
};

}  // namespace hotcrm::python
