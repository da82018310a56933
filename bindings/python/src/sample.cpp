// hotcrm.sample_data(db, scale=1, seed=42): the library's deterministic sample-data generator.
#include <string>

#include "common.hpp"
#include "hotcrm/sample.hpp"

namespace hotcrm::python {

void bind_sample(py::module_& m) {
  m.def(
      "sample_data",
      [](Session& session, std::int64_t scale, std::uint64_t seed, const std::string& today) {
        if (scale < 1) throw UsageError(ErrorCode::usage, "scale must be at least 1");
        sample::SampleDataOptions options;
        options.scale = scale;
        options.seed = seed;
        options.today = Date::parse(today);
        std::vector<sample::LoadedObject> loaded;
        {
          py::gil_scoped_release release;
          loaded = sample::load_sample_data(session, options);
        }
        py::dict counts;
        for (const sample::LoadedObject& step : loaded) counts[py::str(step.object)] = step.rows;
        return counts;
      },
      py::arg("db"), py::arg("scale") = 1, py::arg("seed") = 42, py::arg("today") = "2026-01-15",
      "Generates and imports realistic, referentially consistent records for every object of the catalog "
      "(in dependency order, in batches); returns {object: records stored}. The same seed gives the same "
      "records; `today` is the day dates are spread around.");
}

}  // namespace hotcrm::python
