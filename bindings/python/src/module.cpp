// hotcrm._core: the compiled part of the Python package `hotcrm`.
#include "common.hpp"

namespace hotcrm::python {
void bind_session(py::module_& m);
void bind_time(py::module_& m);
void bind_scoring(py::module_& m);
void bind_sample(py::module_& m);
void bind_registry(py::module_& m);
void bind_insights(py::module_& m);
void bind_key_functions(py::module_& m);
}  // namespace hotcrm::python

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using namespace hotcrm::python;
  m.doc() = "hotcrm._core: bindings of libhotcrm, the embeddable CRM engine. Use the `hotcrm` package.";
  init_convert();
  register_errors(m);
  bind_session(m);
  bind_time(m);
  bind_formula_functions(m);
  bind_scoring(m);
  bind_sample(m);
  bind_registry(m);  // after bind_session: adds methods to Session
  bind_insights(m);  // likewise
  bind_key_functions(m);
  m.attr("__version__") = HOTCRM_PYTHON_VERSION;
  m.def(
      "error_codes",
      [] {
        py::dict out;
        using hotcrm::ErrorCode;
        for (ErrorCode code :
             {ErrorCode::usage, ErrorCode::parse, ErrorCode::not_supported, ErrorCode::cancelled, ErrorCode::too_large,
              ErrorCode::deadline, ErrorCode::schema,
              ErrorCode::schema_conflict, ErrorCode::unknown_object, ErrorCode::unknown_field, ErrorCode::validation, ErrorCode::workflow,
              ErrorCode::not_found, ErrorCode::conflict, ErrorCode::constraint, ErrorCode::store, ErrorCode::permission,
              ErrorCode::key, ErrorCode::busy, ErrorCode::io,
              ErrorCode::internal})
          out[py::str(std::string(hotcrm::error_code_name(code)))] = static_cast<int>(code);
        return out;
      },
      "{code_name: number} for every hotcrm ErrorCode (e.g. 'store.not_found': 4000).");
  m.def(
      "standard_catalog_json", [](int indent) { return hotcrm::Catalog::standard().to_json(indent); },
      py::arg("indent") = 2, "Canonical JSON of the standard catalog compiled into the library.");
}
