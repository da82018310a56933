// Columnar conversions: query results to numpy arrays (no Python object per numeric cell) and
// numpy input columns to Values for bulk import.
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "common.hpp"

namespace hotcrm::python {

namespace {

constexpr std::int64_t kNaT = std::numeric_limits<std::int64_t>::min();

ColumnKind kind_of_value(ValueKind kind) noexcept {
  switch (kind) {
    case ValueKind::boolean: return ColumnKind::boolean;
    case ValueKind::integer: return ColumnKind::integer;
    case ValueKind::real: return ColumnKind::real;
    case ValueKind::decimal: return ColumnKind::decimal;
    case ValueKind::text:
    case ValueKind::id: return ColumnKind::text;
    case ValueKind::date: return ColumnKind::date;
    case ValueKind::datetime: return ColumnKind::datetime;
    case ValueKind::list: return ColumnKind::list;
    case ValueKind::null: break;
  }
  return ColumnKind::object;
}

bool has_nulls(const RecordBatch& rows, std::size_t c) {
  for (std::size_t r = 0; r < rows.row_count(); ++r)
    if (rows.at(r, c).is_null()) return true;
  return false;
}

double as_real(const Value& value) {
  switch (value.kind()) {
    case ValueKind::integer:
    case ValueKind::real:
    case ValueKind::decimal: return value.as_double();
    case ValueKind::boolean: return value.as_bool() ? 1.0 : 0.0;
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

py::array_t<double> real_array(const RecordBatch& rows, std::size_t c) {
  const std::size_t n = rows.row_count();
  py::array_t<double> out(static_cast<py::ssize_t>(n));
  double* data = out.mutable_data();
  for (std::size_t r = 0; r < n; ++r) data[r] = as_real(rows.at(r, c));
  return out;
}

py::array temporal_array(const RecordBatch& rows, std::size_t c, bool dates) {
  const std::size_t n = rows.row_count();
  py::array out(py::dtype(dates ? "datetime64[D]" : "datetime64[us]"), py::array::ShapeContainer{static_cast<py::ssize_t>(n)});
  auto* data = static_cast<std::int64_t*>(out.mutable_data());
  for (std::size_t r = 0; r < n; ++r) {
    const Value& v = rows.at(r, c);
    if (v.kind() == ValueKind::date) data[r] = dates ? v.as_date().days : v.as_date().days * kMicrosPerDay;
    else if (v.kind() == ValueKind::datetime)
      data[r] = dates ? v.as_datetime().date().days : v.as_datetime().micros;
    else data[r] = kNaT;
  }
  return out;
}

py::array object_array(const RecordBatch& rows, std::size_t c) {
  const std::size_t n = rows.row_count();
  py::array out(py::dtype("O"), py::array::ShapeContainer{static_cast<py::ssize_t>(n)});
  auto** data = static_cast<PyObject**>(out.mutable_data());
  for (std::size_t r = 0; r < n; ++r) {
    PyObject* item = to_python_raw(rows.at(r, c));
    if (!item) throw py::error_already_set();
    PyObject* old = data[r];
    data[r] = item;
    Py_XDECREF(old);
  }
  return out;
}

template <class T, class Get>
py::array_t<T> typed_array(const RecordBatch& rows, std::size_t c, Get get) {
  const std::size_t n = rows.row_count();
  py::array_t<T> out(static_cast<py::ssize_t>(n));
  T* data = out.mutable_data();
  for (std::size_t r = 0; r < n; ++r) data[r] = get(rows.at(r, c));
  return out;
}

py::array_t<bool> null_mask(const RecordBatch& rows, std::size_t c) {
  return typed_array<bool>(rows, c, [](const Value& v) { return v.is_null(); });
}

std::int64_t int_or_zero(const Value& v) {
  if (v.kind() == ValueKind::integer) return v.as_int();
  if (v.kind() == ValueKind::boolean) return v.as_bool() ? 1 : 0;
  if (v.kind() == ValueKind::real) return static_cast<std::int64_t>(std::get<double>(v.storage()));
  return 0;
}

bool bool_or_false(const Value& v) { return v.kind() == ValueKind::boolean && v.as_bool(); }

}  // namespace

const char* to_string(ColumnKind kind) noexcept {
  switch (kind) {
    case ColumnKind::text: return "text";
    case ColumnKind::integer: return "integer";
    case ColumnKind::real: return "real";
    case ColumnKind::decimal: return "decimal";
    case ColumnKind::boolean: return "boolean";
    case ColumnKind::date: return "date";
    case ColumnKind::datetime: return "datetime";
    case ColumnKind::list: return "list";
    case ColumnKind::object: return "object";
  }
  return "object";
}

ColumnKind kind_of_field(const FieldDef& field) noexcept {
  FieldType type = field.type == FieldType::formula && field.return_type ? *field.return_type : field.type;
  switch (type) {
    case FieldType::text:
    case FieldType::textarea:
    case FieldType::email:
    case FieldType::phone:
    case FieldType::url:
    case FieldType::select:
    case FieldType::lookup:
    case FieldType::master_detail:
    case FieldType::autonumber: return ColumnKind::text;
    case FieldType::multiselect: return ColumnKind::list;
    case FieldType::number: return field.scale == 0 ? ColumnKind::integer : ColumnKind::real;
    case FieldType::currency:
    case FieldType::percent: return ColumnKind::decimal;
    case FieldType::boolean: return ColumnKind::boolean;
    case FieldType::date: return ColumnKind::date;
    case FieldType::datetime: return ColumnKind::datetime;
    case FieldType::formula: return ColumnKind::object;
  }
  return ColumnKind::object;
}

const FieldDef* resolve_field(const Catalog& catalog, std::string_view object, std::string_view path) {
  const ObjectDef* current = catalog.find(object);
  while (current) {
    auto dot = path.find('.');
    const FieldDef* field = current->find_field(path.substr(0, dot));
    if (!field || dot == std::string_view::npos) return field;
    if (!field->is_reference()) return nullptr;
    current = catalog.find(field->reference);
    path.remove_prefix(dot + 1);
  }
  return nullptr;
}

ColumnKind infer_kind(const RecordBatch& rows, std::size_t c, ColumnKind fallback) {
  bool seen = false;
  ColumnKind kind = fallback;
  for (std::size_t r = 0; r < rows.row_count(); ++r) {
    const Value& v = rows.at(r, c);
    if (v.is_null()) continue;
    ColumnKind k = kind_of_value(v.kind());
    if (!seen) {
      kind = k;
      seen = true;
    } else if (k != kind) {
      auto numeric = [](ColumnKind x) {
        return x == ColumnKind::integer || x == ColumnKind::real || x == ColumnKind::decimal;
      };
      if (numeric(k) && numeric(kind)) kind = (k == ColumnKind::real || kind == ColumnKind::real) ? ColumnKind::real
                                                                                                 : ColumnKind::decimal;
      else return ColumnKind::object;
    }
  }
  return kind;
}

py::array column_to_numpy(const RecordBatch& rows, std::size_t c, ColumnKind kind) {
  switch (kind) {
    case ColumnKind::real:
    case ColumnKind::decimal: return real_array(rows, c);
    case ColumnKind::integer:
      if (has_nulls(rows, c)) return real_array(rows, c);
      return typed_array<std::int64_t>(rows, c, int_or_zero);
    case ColumnKind::boolean:
      if (has_nulls(rows, c)) return object_array(rows, c);
      return typed_array<bool>(rows, c, bool_or_false);
    case ColumnKind::date: return temporal_array(rows, c, true);
    case ColumnKind::datetime: return temporal_array(rows, c, false);
    case ColumnKind::text:
    case ColumnKind::list:
    case ColumnKind::object: return object_array(rows, c);
  }
  return object_array(rows, c);
}

py::tuple column_for_pandas(const RecordBatch& rows, std::size_t c, ColumnKind kind, bool decimals_as_object) {
  switch (kind) {
    case ColumnKind::integer: {
      auto values = typed_array<std::int64_t>(rows, c, int_or_zero);
      if (has_nulls(rows, c)) return py::make_tuple(values, null_mask(rows, c));
      return py::make_tuple(values, py::none());
    }
    case ColumnKind::boolean: {
      auto values = typed_array<bool>(rows, c, bool_or_false);
      if (has_nulls(rows, c)) return py::make_tuple(values, null_mask(rows, c));
      return py::make_tuple(values, py::none());
    }
    case ColumnKind::decimal:
      if (decimals_as_object) return py::make_tuple(object_array(rows, c), py::none());
      return py::make_tuple(real_array(rows, c), py::none());
    default: return py::make_tuple(column_to_numpy(rows, c, kind), py::none());
  }
}

// ---- columnar results -------------------------------------------------------------------------

namespace {

bool any_null(const ResultColumn& column) {
  return std::find(column.valid.begin(), column.valid.end(), std::uint8_t{0}) != column.valid.end();
}

py::array_t<double> reals_of(const ResultColumn& column) {
  const std::size_t n = column.size();
  py::array_t<double> out(static_cast<py::ssize_t>(n));
  double* data = out.mutable_data();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  using Kind = ResultColumn::Kind;
  if (column.kind == Kind::real) {
    for (std::size_t r = 0; r < n; ++r) data[r] = column.valid[r] ? column.reals[r] : nan;
  } else {
    double unit = 1.0;
    if (column.kind == Kind::decimal)
      for (int i = 0; i < column.scale; ++i) unit *= 10.0;
    for (std::size_t r = 0; r < n; ++r) data[r] = column.valid[r] ? static_cast<double>(column.integers[r]) / unit : nan;
  }
  return out;
}

template <class T>
py::array_t<T> integers_as(const ResultColumn& column) {
  const std::size_t n = column.size();
  py::array_t<T> out(static_cast<py::ssize_t>(n));
  T* data = out.mutable_data();
  for (std::size_t r = 0; r < n; ++r) data[r] = static_cast<T>(column.integers[r]);
  return out;
}

py::array_t<bool> nulls_of(const ResultColumn& column) {
  const std::size_t n = column.size();
  py::array_t<bool> out(static_cast<py::ssize_t>(n));
  bool* data = out.mutable_data();
  for (std::size_t r = 0; r < n; ++r) data[r] = column.valid[r] == 0;
  return out;
}

py::array temporal_of(const ResultColumn& column) {
  const bool dates = column.kind == ResultColumn::Kind::date;
  const std::size_t n = column.size();
  py::array out(py::dtype(dates ? "datetime64[D]" : "datetime64[us]"), py::array::ShapeContainer{static_cast<py::ssize_t>(n)});
  auto* data = static_cast<std::int64_t*>(out.mutable_data());
  for (std::size_t r = 0; r < n; ++r) data[r] = column.valid[r] ? column.integers[r] : kNaT;
  return out;
}

/// Text cells as str objects. A column that repeats its values (picklists, company names) reuses one
/// object per distinct value; a column that does not (names, e-mails) stops looking after a sample.
py::array texts_of(const ResultColumn& column) {
  constexpr std::size_t max_interned = 1 << 16;
  constexpr std::size_t sample_rows = 4096;
  const std::size_t n = column.size();
  py::array out(py::dtype("O"), py::array::ShapeContainer{static_cast<py::ssize_t>(n)});
  auto** data = static_cast<PyObject**>(out.mutable_data());
  std::unordered_map<std::string_view, PyObject*> seen;
  bool interning = true;
  for (std::size_t r = 0; r < n; ++r) {
    if (interning && r == sample_rows && seen.size() > sample_rows / 2) interning = false;
    PyObject* item = nullptr;
    if (!column.valid[r]) {
      item = Py_None;
      Py_INCREF(item);
    } else {
      const std::string_view text = column.text_at(r);
      auto found = interning ? seen.find(text) : seen.end();
      if (found != seen.end()) {
        item = found->second;
        Py_INCREF(item);
      } else {
        item = PyUnicode_DecodeUTF8(text.data(), static_cast<py::ssize_t>(text.size()), "replace");
        if (!item) throw py::error_already_set();
        if (interning && seen.size() < max_interned) seen.emplace(text, item);  // the array holds the reference
      }
    }
    PyObject* old = data[r];
    data[r] = item;
    Py_XDECREF(old);
  }
  return out;
}

py::array objects_of(const ResultColumn& column) {
  const std::size_t n = column.size();
  py::array out(py::dtype("O"), py::array::ShapeContainer{static_cast<py::ssize_t>(n)});
  auto** data = static_cast<PyObject**>(out.mutable_data());
  for (std::size_t r = 0; r < n; ++r) {
    PyObject* item = to_python_raw(column.at(r));
    if (!item) throw py::error_already_set();
    PyObject* old = data[r];
    data[r] = item;
    Py_XDECREF(old);
  }
  return out;
}

}  // namespace

py::array column_to_numpy(const ResultColumn& column) {
  using Kind = ResultColumn::Kind;
  switch (column.kind) {
    case Kind::real:
    case Kind::decimal: return reals_of(column);
    case Kind::integer: return any_null(column) ? py::array(reals_of(column)) : py::array(integers_as<std::int64_t>(column));
    case Kind::boolean: return any_null(column) ? objects_of(column) : py::array(integers_as<bool>(column));
    case Kind::date:
    case Kind::datetime: return temporal_of(column);
    case Kind::text: return texts_of(column);
    case Kind::value: return objects_of(column);
  }
  return objects_of(column);
}

py::tuple column_for_pandas(const ResultColumn& column, bool decimals_as_object) {
  using Kind = ResultColumn::Kind;
  switch (column.kind) {
    case Kind::integer:
      return py::make_tuple(integers_as<std::int64_t>(column), any_null(column) ? py::object(nulls_of(column)) : py::none());
    case Kind::boolean:
      return py::make_tuple(integers_as<bool>(column), any_null(column) ? py::object(nulls_of(column)) : py::none());
    case Kind::decimal:
      return py::make_tuple(decimals_as_object ? objects_of(column) : py::array(reals_of(column)), py::none());
    default: return py::make_tuple(column_to_numpy(column), py::none());
  }
}

// ---- input columns ----------------------------------------------------------------------------

InputColumn::InputColumn(std::string name, py::array values, py::object mask, const FieldDef* field)
    : name_(std::move(name)), array_(std::move(values)), mask_holder_(std::move(mask)) {
  if (array_.ndim() != 1)
    throw UsageError(ErrorCode::usage, "column '" + name_ + "' must be one-dimensional");
  size_ = static_cast<std::size_t>(array_.shape(0));
  data_ = static_cast<const char*>(array_.data());
  stride_ = array_.strides(0);
  std::string kind = py::str(array_.dtype().attr("kind"));
  auto itemsize = array_.dtype().itemsize();
  if (kind == "f" && itemsize == 8) kind_ = Kind::real;
  else if (kind == "i" && itemsize == 8) kind_ = Kind::integer;
  else if (kind == "b" && itemsize == 1) kind_ = Kind::boolean;
  else if (kind == "M" && py::str(array_.dtype().attr("str")).cast<std::string>().find("[us]") != std::string::npos)
    kind_ = Kind::datetime;
  else if (kind == "O") kind_ = Kind::object;
  else
    throw UsageError(ErrorCode::usage, "column '" + name_ + "' has the unsupported numpy dtype " +
                                           py::str(array_.dtype()).cast<std::string>() +
                                           " (expected float64, int64, bool, datetime64[us] or object)");
  if (!mask_holder_.is_none()) {
    auto mask_array = py::array::ensure(mask_holder_);
    if (!mask_array || mask_array.ndim() != 1 || static_cast<std::size_t>(mask_array.shape(0)) != size_ ||
        py::str(mask_array.dtype().attr("kind")).cast<std::string>() != "b")
      throw UsageError(ErrorCode::usage, "the null mask of column '" + name_ + "' must be a bool array of the same length");
    mask_holder_ = mask_array;
    mask_ = static_cast<const char*>(mask_array.data());
    mask_stride_ = mask_array.strides(0);
  }
  to_date_ = field && field->type == FieldType::date;
}

Value InputColumn::cell(std::size_t i) const {
  if (mask_ && *reinterpret_cast<const bool*>(mask_ + static_cast<std::ptrdiff_t>(i) * mask_stride_)) return {};
  const char* p = data_ + static_cast<std::ptrdiff_t>(i) * stride_;
  Value value;
  switch (kind_) {
    case Kind::real: {
      double v;
      std::memcpy(&v, p, sizeof v);
      if (std::isnan(v)) return {};
      value = v;
      break;
    }
    case Kind::integer: {
      std::int64_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    case Kind::boolean: return *reinterpret_cast<const bool*>(p);
    case Kind::datetime: {
      std::int64_t v;
      std::memcpy(&v, p, sizeof v);
      if (v == kNaT) return {};
      value = DateTime{v};
      break;
    }
    case Kind::object: {
      PyObject* object;
      std::memcpy(&object, p, sizeof object);
      if (!object) return {};
      value = to_value(py::handle(object), name_);
      break;
    }
  }
  // A datetime at midnight UTC (what pandas makes of a date) fills a date field as that date.
  if (to_date_ && value.kind() == ValueKind::datetime && value.as_datetime().micros % kMicrosPerDay == 0)
    return Date{static_cast<std::int32_t>(value.as_datetime().micros / kMicrosPerDay)};
  return value;
}

}  // namespace hotcrm::python
