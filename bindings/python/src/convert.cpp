// Conversions between Python objects and hotcrm::Value.
// The datetime C API (PyDateTimeAPI) is a per-translation-unit static, so every use of it lives here.
#include "common.hpp"

#include <datetime.h>

#include <cmath>
#include <cstring>

namespace hotcrm::python {

namespace {

PyObject* g_decimal_type = nullptr;  // decimal.Decimal (a strong reference kept for the process)
PyObject* g_numpy_generic = nullptr; // numpy.generic

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {m <= 2 ? y + 1 : y, m, d};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool type_name_ends_with(PyObject* object, const char* suffix) {
  const char* name = Py_TYPE(object)->tp_name;
  std::size_t n = std::strlen(name), k = std::strlen(suffix);
  return n >= k && std::strcmp(name + n - k, suffix) == 0;
}

[[noreturn]] void refuse(py::handle object, const std::string& what, const std::string& why = {}) {
  std::string type = py::str(py::type::handle_of(object).attr("__name__"));
  throw UsageError(ErrorCode::usage, "cannot store a Python " + type + " value in " + what +
                                         (why.empty() ? std::string() : ": " + why));
}

Value datetime_to_value(PyObject* p) {
  std::int64_t days = days_from_civil(PyDateTime_GET_YEAR(p), static_cast<unsigned>(PyDateTime_GET_MONTH(p)),
                                      static_cast<unsigned>(PyDateTime_GET_DAY(p)));
  std::int64_t micros = days * kMicrosPerDay +
                        ((PyDateTime_DATE_GET_HOUR(p) * 60LL + PyDateTime_DATE_GET_MINUTE(p)) * 60LL +
                         PyDateTime_DATE_GET_SECOND(p)) * 1'000'000LL +
                        PyDateTime_DATE_GET_MICROSECOND(p);
  py::object offset = py::reinterpret_borrow<py::object>(p).attr("utcoffset")();
  if (!offset.is_none()) {
    PyObject* o = offset.ptr();
    micros -= (PyDateTime_DELTA_GET_DAYS(o) * 86'400LL + PyDateTime_DELTA_GET_SECONDS(o)) * 1'000'000LL +
              PyDateTime_DELTA_GET_MICROSECONDS(o);
  }
  return DateTime{micros};
}

Value decimal_to_value(py::handle object, const std::string& what) {
  if (!object.attr("is_finite")().cast<bool>()) {
    if (object.attr("is_nan")().cast<bool>()) return {};
    refuse(object, what, "infinity is not a decimal value");
  }
  // format(d, "f") never uses an exponent, so "1E+3" arrives as "1000".
  std::string text = py::str(py::module_::import("builtins").attr("format")(object, "f"));
  try {
    return Decimal::parse(text);
  } catch (const Error& e) {
    refuse(object, what, e.what());
  }
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void init_convert() {
  PyDateTime_IMPORT;
  if (!PyDateTimeAPI) throw py::error_already_set();
  g_decimal_type = py::object(py::module_::import("decimal").attr("Decimal")).release().ptr();
  g_numpy_generic = py::object(py::module_::import("numpy").attr("generic")).release().ptr();
}

Value to_value(py::handle object, const std::string& what) {
  PyObject* p = object.ptr();
  if (p == Py_None) return {};
  if (PyBool_Check(p)) return p == Py_True;
  if (PyLong_Check(p)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (overflow != 0) refuse(object, what, "the integer does not fit in 64 bits");
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    return static_cast<std::int64_t>(v);
  }
  if (PyFloat_Check(p)) {
    double v = PyFloat_AS_DOUBLE(p);
    if (std::isnan(v)) return {};
    if (!std::isfinite(v)) refuse(object, what, "infinity is not a number value");
    return v;
  }
  if (PyUnicode_Check(p)) {
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(p, &size);
    if (!text) {
      PyErr_Clear();
      refuse(object, what, "the text cannot be encoded as UTF-8");
    }
    return std::string(text, static_cast<std::size_t>(size));
  }
  if (PyDateTime_Check(p)) {
    if (type_name_ends_with(p, "NaTType")) return {};  // pandas.NaT subclasses datetime
    return datetime_to_value(p);
  }
  if (PyDate_Check(p)) {
    return Date{static_cast<std::int32_t>(days_from_civil(PyDateTime_GET_YEAR(p),
                                                          static_cast<unsigned>(PyDateTime_GET_MONTH(p)),
                                                          static_cast<unsigned>(PyDateTime_GET_DAY(p))))};
  }
  if (PyObject_IsInstance(p, g_decimal_type) == 1) return decimal_to_value(object, what);
  if (PyList_Check(p) || PyTuple_Check(p)) {
    StringList items;
    for (auto item : py::reinterpret_borrow<py::sequence>(object)) {
      if (!PyUnicode_Check(item.ptr())) refuse(object, what, "a list value may hold only str items");
      items.push_back(item.cast<std::string>());
    }
    return items;
  }
  if (PyObject_IsInstance(p, g_numpy_generic) == 1) {
    py::object np_object = py::reinterpret_borrow<py::object>(object);
    std::string kind = py::str(np_object.attr("dtype").attr("kind"));
    if (kind == "M") return to_value(np_object.attr("astype")("datetime64[us]").attr("item")(), what);
    if (kind == "b" || kind == "i" || kind == "u" || kind == "f" || kind == "U" || kind == "O")
      return to_value(np_object.attr("item")(), what);
    refuse(object, what);
  }
  if (type_name_ends_with(p, "NAType")) return {};  // pandas.NA
  if (type_name_ends_with(p, "NaTType")) return {};
  refuse(object, what);
}

PyObject* to_python_raw(const Value& value) {
  switch (value.kind()) {
    case ValueKind::null: Py_RETURN_NONE;
    case ValueKind::boolean:
      if (value.as_bool()) Py_RETURN_TRUE;
      Py_RETURN_FALSE;
    case ValueKind::integer: return PyLong_FromLongLong(value.as_int());
    case ValueKind::real: return PyFloat_FromDouble(std::get<double>(value.storage()));
    case ValueKind::decimal: {
      std::string text = value.as_decimal().to_string();
      PyObject* arg = PyUnicode_FromStringAndSize(text.data(), static_cast<Py_ssize_t>(text.size()));
      if (!arg) return nullptr;
      PyObject* result = PyObject_CallOneArg(g_decimal_type, arg);
      Py_DECREF(arg);
      return result;
    }
    case ValueKind::text:
    case ValueKind::id: {
      const std::string& text = value.as_string();
      return PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
    }
    case ValueKind::date: {
      Civil c = civil_from_days(value.as_date().days);
      if (c.year < 1 || c.year > 9999) {
        PyErr_Format(PyExc_OverflowError, "date %s is outside Python's date range", value.to_display().c_str());
        return nullptr;
      }
      return PyDate_FromDate(static_cast<int>(c.year), static_cast<int>(c.month), static_cast<int>(c.day));
    }
    case ValueKind::datetime: {
      std::int64_t micros = value.as_datetime().micros;
      std::int64_t days = floor_div(micros, kMicrosPerDay);
      std::int64_t rest = micros - days * kMicrosPerDay;
      Civil c = civil_from_days(days);
      if (c.year < 1 || c.year > 9999) {
        PyErr_Format(PyExc_OverflowError, "date-time %s is outside Python's datetime range",
                     value.to_display().c_str());
        return nullptr;
      }
      auto seconds = static_cast<int>(rest / 1'000'000);
      return PyDateTimeAPI->DateTime_FromDateAndTime(
          static_cast<int>(c.year), static_cast<int>(c.month), static_cast<int>(c.day), seconds / 3600,
          (seconds / 60) % 60, seconds % 60, static_cast<int>(rest % 1'000'000), PyDateTime_TimeZone_UTC,
          PyDateTimeAPI->DateTimeType);
    }
    case ValueKind::list: {
      const auto& items = value.as_list();
      PyObject* list = PyList_New(static_cast<Py_ssize_t>(items.size()));
      if (!list) return nullptr;
      for (std::size_t i = 0; i < items.size(); ++i) {
        PyObject* item = PyUnicode_DecodeUTF8(items[i].data(), static_cast<Py_ssize_t>(items[i].size()), "replace");
        if (!item) {
          Py_DECREF(list);
          return nullptr;
        }
        PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), item);
      }
      return list;
    }
  }
  Py_RETURN_NONE;
}

py::object to_python(const Value& value) {
  PyObject* result = to_python_raw(value);
  if (!result) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(result);
}

Record to_record(py::handle mapping, std::string_view object) {
  if (!PyDict_Check(mapping.ptr()) && !py::hasattr(mapping, "items")) {
    std::string type = py::str(py::type::handle_of(mapping).attr("__name__"));
    throw UsageError(ErrorCode::usage, "a record must be a dict {field: value}, not a " + type);
  }
  Record record;
  py::object items = mapping.attr("items")();
  for (auto item : items) {
    auto pair = py::reinterpret_borrow<py::tuple>(item);
    py::handle key = pair[0];
    if (!PyUnicode_Check(key.ptr())) {
      std::string type = py::str(py::type::handle_of(key).attr("__name__"));
      throw UsageError(ErrorCode::usage, "field names must be str, not " + type);
    }
    std::string name = key.cast<std::string>();
    Value value = to_value(pair[1], std::string(object) + "." + name);
    record.insert_or_assign(std::move(name), std::move(value));
  }
  return record;
}

py::dict record_to_dict(const Record& record, const ObjectDef* object) {
  py::dict out;
  if (object) {
    for (const auto& field : system_fields())
      if (auto it = record.find(field.name); it != record.end()) out[py::str(field.name)] = to_python(it->second);
    for (const auto& field : object->fields)
      if (auto it = record.find(field.name); it != record.end()) out[py::str(field.name)] = to_python(it->second);
  }
  for (const auto& [name, value] : record) {
    py::str key(name);
    if (!out.contains(key)) out[key] = to_python(value);
  }
  return out;
}

py::dict field_error_to_dict(const FieldError& error, bool always_row) {
  py::dict out;
  if (always_row || error.row >= 0) out["row"] = error.row;
  out["object"] = error.object;
  out["field"] = error.field;
  out["rule"] = error.rule;
  out["code"] = error.code;
  out["message"] = error.message;
  return out;
}

py::list field_errors_to_list(const std::vector<FieldError>& errors, bool always_row) {
  py::list out;
  for (const auto& error : errors) out.append(field_error_to_dict(error, always_row));
  return out;
}

}  // namespace hotcrm::python
