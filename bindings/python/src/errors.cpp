// hotcrm exceptions as Python exceptions. Every C++ exception that reaches Python becomes a
// hotcrm.Error subclass carrying .code (the numeric ErrorCode), .code_name and .errors.
#include "common.hpp"

namespace hotcrm::python {

namespace {

struct ErrorTypes {
  PyObject* base = nullptr;
  PyObject* usage = nullptr;
  PyObject* parse = nullptr;
  PyObject* cancelled = nullptr;
  PyObject* schema = nullptr;
  PyObject* validation = nullptr;
  PyObject* not_found = nullptr;
  PyObject* conflict = nullptr;
  PyObject* constraint = nullptr;
  PyObject* store = nullptr;
  PyObject* busy = nullptr;
  PyObject* formula = nullptr;
  PyObject* evaluation = nullptr;
  PyObject* workflow = nullptr;
  PyObject* permission = nullptr;
};
ErrorTypes g_types;

PyObject* make_type(py::module_& m, const char* name, const char* doc, PyObject* base, ErrorCode code) {
  std::string qualified = std::string("hotcrm.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (!type) throw py::error_already_set();
  py::handle handle(type);
  // Class-level defaults, overwritten on every raised instance.
  handle.attr("code") = static_cast<int>(code);
  handle.attr("code_name") = std::string(error_code_name(code));
  handle.attr("errors") = py::tuple();
  m.add_object(name, handle);
  return type;
}

py::object make_instance(PyObject* type, ErrorCode code, const char* message, const std::vector<FieldError>* errors) {
  py::object instance = py::reinterpret_borrow<py::object>(type)(py::str(message));
  instance.attr("code") = static_cast<int>(code);
  instance.attr("code_name") = std::string(error_code_name(code));
  instance.attr("errors") = errors ? field_errors_to_list(*errors) : py::list();
  return instance;
}

void raise(PyObject* type, ErrorCode code, const char* message, const std::vector<FieldError>* errors) {
  py::object instance = make_instance(type, code, message, errors);
  PyErr_SetObject(type, instance.ptr());
}

PyObject* type_for_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::usage:
    case ErrorCode::not_supported: return g_types.usage;
    case ErrorCode::parse: return g_types.parse;
    case ErrorCode::cancelled:
    case ErrorCode::deadline: return g_types.cancelled;
    case ErrorCode::too_large: return g_types.usage;
    case ErrorCode::schema:
    case ErrorCode::schema_conflict:
    case ErrorCode::unknown_object:
    case ErrorCode::unknown_field: return g_types.schema;
    case ErrorCode::validation: return g_types.validation;
    case ErrorCode::workflow: return g_types.workflow;
    case ErrorCode::not_found: return g_types.not_found;
    case ErrorCode::conflict: return g_types.conflict;
    case ErrorCode::constraint: return g_types.constraint;
    case ErrorCode::store:
    case ErrorCode::key: return g_types.store;
    case ErrorCode::busy: return g_types.busy;
    case ErrorCode::permission: return g_types.permission;
    case ErrorCode::io:
    case ErrorCode::internal: return g_types.base;
  }
  return g_types.base;
}

void translate(std::exception_ptr pointer) {
  if (!pointer) return;
  try {
    std::rethrow_exception(pointer);
  } catch (const py::error_already_set&) {
    throw;
  } catch (const py::builtin_exception&) {
    throw;
  } catch (const ValidationError& e) {
    raise(g_types.validation, e.code(), e.what(), &e.errors());
  } catch (const ConflictError& e) {
    raise(g_types.conflict, e.code(), e.what(), &e.errors());
  } catch (const NotFoundError& e) {
    raise(g_types.not_found, e.code(), e.what(), nullptr);
  } catch (const SchemaError& e) {
    raise(g_types.schema, e.code(), e.what(), nullptr);
  } catch (const BusyError& e) {
    raise(g_types.busy, e.code(), e.what(), nullptr);
  } catch (const StoreError& e) {
    raise(g_types.store, e.code(), e.what(), nullptr);
  } catch (const UsageError& e) {
    PyObject* type = type_for_code(e.code());
    raise(type == g_types.base ? g_types.usage : type, e.code(), e.what(), nullptr);
  } catch (const Error& e) {
    raise(type_for_code(e.code()), e.code(), e.what(), nullptr);
  } catch (const std::bad_alloc&) {
    throw;  // MemoryError
  } catch (const std::exception& e) {
    std::string message = std::string("[hotcrm.internal.9000] unexpected C++ exception: ") + e.what();
    raise(g_types.base, ErrorCode::internal, message.c_str(), nullptr);
  }
}

/// "[hotcrm.usage.1000] message", the form of every library error message.
std::string tagged(ErrorCode code, const std::string& message) {
  return "[hotcrm." + std::string(error_code_name(code)) + "." + std::to_string(static_cast<int>(code)) + "] " +
         message;
}

}  // namespace

py::list diagnostics_to_list(const std::vector<Diagnostic>& diagnostics, std::string_view source) {
  py::list out;
  for (const auto& diagnostic : diagnostics) {
    py::dict item;
    item["code"] = diagnostic.code;
    item["line"] = diagnostic.line;
    item["column"] = diagnostic.column;
    item["length"] = diagnostic.length;
    item["message"] = diagnostic.message;
    item["rendered"] = diagnostic.render(source);
    out.append(item);
  }
  return out;
}

void raise_formula_error(const std::vector<Diagnostic>& diagnostics, std::string_view source) {
  std::string message = "the formula does not compile:\n" + render_diagnostics(diagnostics, source);
  message = tagged(ErrorCode::usage, message);
  py::object instance = make_instance(g_types.formula, ErrorCode::usage, message.c_str(), nullptr);
  instance.attr("diagnostics") = diagnostics_to_list(diagnostics, source);
  PyErr_SetObject(g_types.formula, instance.ptr());
  throw py::error_already_set();
}

void raise_evaluation_error(FormulaError error) {
  const std::string name(error_code_name(error));
  const std::string message = tagged(ErrorCode::validation, name + ": the formula failed on this record");
  py::object instance = make_instance(g_types.evaluation, ErrorCode::validation, message.c_str(), nullptr);
  instance.attr("formula_code") = name;
  PyErr_SetObject(g_types.evaluation, instance.ptr());
  throw py::error_already_set();
}

void register_errors(py::module_& m) {
  g_types.base = make_type(m, "Error",
                           "Base class of every hotcrm exception.\n\n"
                           "Attributes: code (int, the stable hotcrm ErrorCode number), code_name (e.g.\n"
                           "'store.not_found') and errors (list of field-error dicts; empty unless the\n"
                           "error is about record values).",
                           PyExc_RuntimeError, ErrorCode::internal);
  g_types.usage = make_type(m, "UsageError",
                            "Misuse of the API: a bad argument, a closed or read-only database, a bad option.",
                            g_types.base, ErrorCode::usage);
  g_types.parse = make_type(m, "ParseError",
                            "Malformed text input: a where-string, a cursor, JSON, a decimal literal.",
                            g_types.usage, ErrorCode::parse);
  g_types.cancelled = make_type(m, "CancelledError", "A progress callback asked a batch job to stop.",
                                g_types.usage, ErrorCode::cancelled);
  g_types.schema = make_type(m, "SchemaError",
                             "An invalid catalog, a refused schema migration, or an unknown object or field.",
                             g_types.base, ErrorCode::schema);
  g_types.validation = make_type(m, "ValidationError",
                                 "Record values were rejected. .errors lists every problem as a dict with the\n"
                                 "keys object, field, rule, code, message (and row, for batches).",
                                 g_types.base, ErrorCode::validation);
  g_types.workflow = make_type(m, "WorkflowError",
                               "Automation refused to proceed: an event not allowed in the record's state or whose\n"
                               "guard fails, workflow rules undoing each other, a custom action with no callback.\n"
                               "The change that triggered it is rolled back entirely.",
                               g_types.base, ErrorCode::workflow);
  g_types.not_found = make_type(m, "NotFoundError", "No record with the requested id.", g_types.base,
                                ErrorCode::not_found);
  g_types.conflict = make_type(m, "ConflictError",
                               "A unique value is already taken, or the record changed since it was read\n"
                               "(stale version). .errors names the field for unique violations.",
                               g_types.base, ErrorCode::conflict);
  g_types.constraint = make_type(m, "ConstraintError",
                                 "A referential constraint (on_delete restrict) refuses the change.", g_types.base,
                                 ErrorCode::constraint);
  g_types.store = make_type(m, "StoreError", "The database engine failed (I/O, corruption; BusyError when locked).",
                            g_types.base, ErrorCode::store);
  g_types.busy = make_type(m, "BusyError",
                           "Another connection (thread or process) held the database's write lock longer than the\n"
                           "busy timeout (busy_timeout_ms of open) this call waited. The transaction that waited\n"
                           "wrote nothing, so the call may be retried as it is. .code is 4006 ('store.busy').",
                           g_types.store, ErrorCode::busy);
  g_types.permission = make_type(m, "PermissionError",
                                 "The session's user (a session opened with access=\"user\") may not do this: an\n"
                                 "object permission it lacks, a record it may read but not edit, a read-only field, an\n"
                                 "administration call. Records it cannot read raise NotFoundError, and fields hidden\n"
                                 "from it are unknown fields, so that their existence does not leak.",
                                 g_types.base, ErrorCode::permission);
  g_types.formula = make_type(m, "FormulaError",
                              "A formula does not compile. .diagnostics lists every problem as a dict with the\n"
                              "keys code ('E_FORMULA_SYNTAX', ...), line, column, length (1-based, in bytes),\n"
                              "message and rendered (the message, the source line and a caret line).",
                              g_types.usage, ErrorCode::usage);
  py::handle(g_types.formula).attr("diagnostics") = py::list();
  g_types.evaluation = make_type(m, "EvaluationError",
                                 "A formula compiled but failed at run time on the given values. .formula_code\n"
                                 "names the fault: 'E_DIV_ZERO', 'E_OVERFLOW', 'E_INVALID_NUMBER', 'E_INVALID_DATE',\n"
                                 "'E_INVALID_ARGUMENT', 'E_REGEX', 'E_TEXT_TOO_LONG' or 'E_BAD_INPUT' (a value\n"
                                 "that does not convert to its field's type). .code is ErrorCode.validation:\n"
                                 "the fault comes from the record's values.",
                                 g_types.base, ErrorCode::validation);
  py::handle(g_types.evaluation).attr("formula_code") = "";
  py::register_exception_translator(&translate);
}

}  // namespace hotcrm::python
