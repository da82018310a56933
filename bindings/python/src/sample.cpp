// hotcrm.sample_data(db, scale=1, seed=42): the library's deterministic sample-data generator.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

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
  m.def(
      "sample_records",
      [](Session& session, const std::string& object, std::int64_t rows, std::uint64_t seed, const std::string& today,
         std::optional<std::vector<std::string>> fields) {
        if (rows < 0) throw UsageError(ErrorCode::usage, "rows must not be negative");
        RecordBatch batch;
        {
          py::gil_scoped_release release;
          batch = sample::generate_records(session, object, rows, seed, Date::parse(today));
        }
        std::vector<std::size_t> chosen;
        const auto& names = batch.fields();
        for (std::size_t f = 0; f < names.size(); ++f)
          if (!fields) chosen.push_back(f);
        for (const auto& name : fields.value_or(std::vector<std::string>{})) {
          const auto found = std::find(names.begin(), names.end(), name);
          if (found == names.end())
            throw UsageError(ErrorCode::usage, "sample_records: '" + name + "' is not a generated field of " + object);
          chosen.push_back(static_cast<std::size_t>(found - names.begin()));
        }
        py::dict columns;
        for (std::size_t f : chosen) {
          py::list values(batch.row_count());
          for (std::size_t r = 0; r < batch.row_count(); ++r) values[r] = to_python(batch.at(r, f));
          columns[py::str(names[f])] = values;
        }
        return columns;
      },
      py::arg("db"), py::arg("object"), py::arg("rows"), py::arg("seed") = 42, py::arg("today") = "2026-01-15",
      py::arg("fields") = py::none(),
      "`rows` valid records of `object`, not inserted, as a dict of columns {field: [values]} (what\n"
      "import_records and pandas.DataFrame take): the generator's records for that object, lookups\n"
      "pointing at records already stored, unique fields unique within the batch. fields= keeps only\n"
      "those columns (the records are generated whole: leaving out a field a validation rule reads may\n"
      "make them invalid). For benchmarks and bulk tests.");
}

}  // namespace hotcrm::python
