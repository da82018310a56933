// The model registry for Python: Session.register_model / models / model / promote / set_traffic /
// retire / set_reference / score / monitor / train, and hotcrm.ScoreResult (numpy arrays). Every call
// into the registry releases the GIL.
#include <cmath>
#include <cstring>

#include "common.hpp"
#include "hotcrm/scoring/registry.hpp"

namespace hotcrm::python {
using namespace pybind11::literals;

std::vector<FeatureSpec> feature_specs(const py::handle& features, const char* what) {
  // Python values -> the JSON form of feature specs (one parser, one set of messages).
  auto entry = [&](const py::handle& name, const py::handle& body) {
    if (!py::isinstance<py::str>(name)) throw UsageError(ErrorCode::usage, std::string(what) + ": a feature name is a string");
    py::dict item;
    item["name"] = name;
    if (py::isinstance<py::str>(body)) {
      item["formula"] = body;
    } else if (py::isinstance<py::dict>(body)) {
      for (auto [key, value] : body.cast<py::dict>())
        if (py::str(key).cast<std::string>() != "name") item[key] = value;
    } else {
      throw UsageError(ErrorCode::usage, std::string(what) + ": feature '" + py::str(name).cast<std::string>() +
                                             "' is a formula string or a dict such as hotcrm.aggregate(...) gives");
    }
    return item;
  };
  py::list items;
  if (py::isinstance<py::dict>(features)) {
    for (auto [name, body] : features.cast<py::dict>()) items.append(entry(name, body));
  } else {
    if (py::isinstance<py::str>(features))
      throw UsageError(ErrorCode::usage, std::string(what) + ": give {name: formula} or a list of (name, formula) pairs");
    for (const py::handle item : features) {
      if (py::isinstance<py::dict>(item)) {
        items.append(item);
        continue;
      }
      if (!py::isinstance<py::tuple>(item) && !py::isinstance<py::list>(item))
        throw UsageError(ErrorCode::usage, std::string(what) + ": give {name: formula} or a list of (name, formula) pairs");
      auto pair = item.cast<py::sequence>();
      if (py::len(pair) != 2) throw UsageError(ErrorCode::usage, std::string(what) + ": a feature is a (name, formula) pair");
      items.append(entry(pair[0], pair[1]));
    }
  }
  std::string text;
  try {
    text = py::module_::import("json").attr("dumps")(items).cast<std::string>();
  } catch (const py::error_already_set& error) {
    throw UsageError(ErrorCode::usage, std::string(what) + ": a feature holds a value that is not JSON: " + error.what());
  }
  try {
    return feature_specs_from_json(text);
  } catch (const UsageError& error) {
    throw UsageError(error.code(), std::string(what) + ": " + error.what());
  }
}

py::dict feature_specs_to_python(const std::vector<FeatureSpec>& specs) {
  py::dict out;
  py::list items = py::module_::import("json").attr("loads")(feature_specs_to_json(specs));
  for (const py::handle item : items) {
    py::dict body = item.cast<py::dict>();
    py::object name = body.attr("pop")("name");
    out[name] = body.contains("formula") && py::len(body) == 1 ? py::object(body["formula"]) : py::object(body);
  }
  return out;
}

namespace {

ScoreScale scale_from(const py::object& bands, const py::object& clip, const std::string& below, const std::string& round) {
  ScoreScale scale;
  scale.round = parse_score_rounding(round);
  if (!clip.is_none()) {
    auto pair = clip.cast<std::pair<double, double>>();
    scale.min = pair.first;
    scale.max = pair.second;
  }
  if (!bands.is_none())
    for (auto [label, minimum] : bands.cast<py::dict>()) scale.bands.push_back({minimum.cast<double>(), py::str(label)});
  scale.below = below;
  return scale;
}

py::object json_loads(const std::string& text) { return py::module_::import("json").attr("loads")(text); }

py::dict info_to_dict(const ModelInfo& info) {
  py::dict d;
  d["name"] = info.name;
  d["version"] = info.version;
  d["kind"] = std::string(to_string(info.kind));
  d["object"] = info.object;
  d["features"] = feature_specs_to_python(info.features);
  d["status"] = std::string(to_string(info.status));
  d["traffic"] = info.traffic;
  d["metrics"] = json_loads(info.metrics_json);
  py::dict bands;
  for (const auto& b : info.scale.bands) bands[py::str(b.label)] = b.min;
  d["bands"] = bands;
  d["clip"] = std::isfinite(info.scale.min) || std::isfinite(info.scale.max)
                  ? py::object(py::make_tuple(info.scale.min, info.scale.max))
                  : py::object(py::none());
  py::dict reference;
  reference["edges"] = info.reference.edges;
  reference["fractions"] = info.reference.fractions;
  reference["count"] = info.reference.count;
  d["reference"] = reference;
  d["round"] = std::string(to_string(info.scale.round));
  d["description"] = info.description;
  d["created_at"] = to_python(Value(info.created_at));
  return d;
}

template <class T>
py::array_t<T> to_array(const std::vector<T>& values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  if (!values.empty()) std::memcpy(out.mutable_data(), values.data(), values.size() * sizeof(T));
  return out;
}

py::array strings_array(const std::vector<std::string>& values) {
  py::list items;
  for (const auto& v : values) items.append(py::str(v));
  return py::module_::import("numpy").attr("array")(items, "dtype"_a = "object");
}

py::dict version_to_dict(const VersionMonitor& v) {
  py::dict d;
  d["version"] = v.version;
  d["status"] = std::string(to_string(v.status));
  d["scored"] = v.scored;
  d["psi"] = v.psi;
  d["edges"] = v.edges;
  d["reference_fractions"] = v.reference_fractions;
  d["current_fractions"] = v.current_fractions;
  d["labelled"] = v.labelled;
  d["positives"] = v.positives;
  d["auc"] = v.auc;
  d["log_loss"] = v.log_loss;
  py::list calibration;
  for (const auto& bin : v.calibration) {
    py::dict b;
    b["low"] = bin.low;
    b["high"] = bin.high;
    b["count"] = bin.count;
    b["mean_predicted"] = bin.mean_predicted;
    b["observed_rate"] = bin.observed_rate;
    calibration.append(b);
  }
  d["calibration"] = calibration;
  return d;
}

Filter filter_from(const std::optional<std::string>& where) { return where ? parse_filter(*where) : Filter::all(); }

}  // namespace

void bind_registry(py::module_& m) {
  using namespace pybind11::literals;
  py::class_<ScoreResult>(m, "ScoreResult",
                          "Scores of one Session.score run: numpy arrays, one row per scored record.")
      .def_property_readonly("model", [](const ScoreResult& r) { return r.model; }, "The model name.")
      .def_property_readonly("object", [](const ScoreResult& r) { return r.object; }, "The scored object.")
      .def_property_readonly("ids", [](const ScoreResult& r) { return strings_array(r.ids); }, "Record ids (object array).")
      .def_property_readonly("scores", [](const ScoreResult& r) { return to_array(r.scores); },
                             "Scores (probability or value, clamped to the model's clip range).")
      .def_property_readonly("raw", [](const ScoreResult& r) { return to_array(r.raw); }, "Raw model outputs.")
      .def_property_readonly("model_versions", [](const ScoreResult& r) { return to_array(r.model_versions); },
                             "The model version that scored each record (champion or challenger).")
      .def_property_readonly("record_versions", [](const ScoreResult& r) { return to_array(r.record_versions); },
                             "The version of each record when it was scored.")
      .def_property_readonly("bands", [](const ScoreResult& r) -> py::object {
        if (r.bands.empty()) return py::none();
        return strings_array(r.bands);
      }, "Band labels ('hot', 'warm', ...) or None when the model has no bands.")
      .def_property_readonly("feature_names", [](const ScoreResult& r) { return r.feature_names; },
                             "Columns of `contributions`.")
      .def_property_readonly("base", [](const ScoreResult& r) -> py::object {
        if (r.base.empty() && !r.ids.empty()) return py::none();
        return to_array(r.base);
      }, "Base value of each row's explanation (explain=True), else None.")
      .def_property_readonly("contributions", [](const ScoreResult& r) -> py::object {
        if (r.contributions.empty() && !(r.ids.empty() || r.feature_names.empty())) return py::none();
        py::array_t<double> out({static_cast<py::ssize_t>(r.rows()), static_cast<py::ssize_t>(r.feature_names.size())});
        if (!r.contributions.empty())
          std::memcpy(out.mutable_data(), r.contributions.data(), r.contributions.size() * sizeof(double));
        return out;
      }, "rows x features Shapley contributions (explain=True), else None: base + sum == raw.")
      .def_property_readonly("skipped", [](const ScoreResult& r) { return r.skipped; },
                             "Records not rescored because neither they nor their model version changed (write=True).")
      .def_property_readonly("written", [](const ScoreResult& r) { return r.written; }, "Rows stored (write=True).")
      .def("__len__", [](const ScoreResult& r) { return r.rows(); })
      .def(
          "to_pandas",
          [](const ScoreResult& r) {
            py::object pandas = py::module_::import("pandas");
            py::dict columns;
            columns["id"] = strings_array(r.ids);
            columns["score"] = to_array(r.scores);
            if (!r.bands.empty()) columns["band"] = strings_array(r.bands);
            columns["raw"] = to_array(r.raw);
            columns["model_version"] = to_array(r.model_versions);
            columns["record_version"] = to_array(r.record_versions);
            if (!r.base.empty()) {
              columns["base"] = to_array(r.base);
              const std::size_t k = r.feature_names.size();
              for (std::size_t j = 0; j < k; ++j) {
                std::vector<double> column(r.rows());
                for (std::size_t i = 0; i < r.rows(); ++i) column[i] = r.contributions[i * k + j];
                columns[py::str("contribution:" + r.feature_names[j])] = to_array(column);
              }
            }
            return pandas.attr("DataFrame")(columns);
          },
          "A DataFrame: id, score, band, raw, model_version, record_version and, with explain, base and\n"
          "one 'contribution:<feature>' column per feature.")
      .def("__repr__", [](const ScoreResult& r) {
        return "<hotcrm.ScoreResult " + r.model + " on " + r.object + ": " + std::to_string(r.rows()) + " rows>";
      });

  auto session = py::reinterpret_borrow<py::class_<Session>>(m.attr("Session"));
  session
      .def(
          "register_model",
          [](Session& self, const std::string& name, const Model& model, const py::object& features, const std::string& object,
             const py::object& metrics, const py::object& reference, const py::object& bands, const py::object& clip,
             const std::string& below, const std::string& round, const std::string& status, double traffic,
             const std::string& description) {
            RegisterOptions options;
            options.object = object;
            options.features = feature_specs(features, "features");
            if (!metrics.is_none())
              options.metrics_json = py::module_::import("json").attr("dumps")(metrics).cast<std::string>();
            if (!reference.is_none()) {
              auto scores = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(reference);
              if (!scores) throw UsageError(ErrorCode::usage, "reference: expected an array of scores");
              options.reference_scores.assign(scores.data(), scores.data() + scores.size());
            }
            options.scale = scale_from(bands, clip, below, round);
            options.status = parse_model_status(status);
            options.traffic = traffic;
            options.description = description;
            ModelInfo info = without_gil([&] { return ModelRegistry(self).register_model(name, model, options); });
            return info_to_dict(info);
          },
          py::arg("name"), py::arg("model"), py::kw_only(), py::arg("features"), py::arg("object"),
          py::arg("metrics") = py::none(), py::arg("reference") = py::none(), py::arg("bands") = py::none(),
          py::arg("clip") = py::none(), py::arg("below") = "", py::arg("round") = "none", py::arg("status") = "challenger",
          py::arg("traffic") = 0.0, py::arg("description") = "",
          "Stores `model` as the next version of `name` (1, 2, ...). features: {name: formula} (or (name,\n"
          "formula) pairs) in the model's column order, plus any hotcrm.aggregate(...) they read; object: the\n"
          "object scored; metrics: a JSON-able dict; reference: training scores (the PSI reference); bands:\n"
          "{label: minimum score}; clip: (min, max); round: 'none', 'half_up' or 'half_down' (to a whole score);\n"
          "status: 'challenger' (the first version of a name becomes champion) or 'champion'; traffic: percent\n"
          "of records routed to this challenger. Returns the model's info dict.")
      .def(
          "models",
          [](Session& self, const std::string& name) {
            auto infos = without_gil([&] { return ModelRegistry(self).list(name); });
            py::list out;
            for (const auto& info : infos) out.append(info_to_dict(info));
            return out;
          },
          py::arg("name") = "", "Every registered model version (or those of `name`) as info dicts.")
      .def(
          "model",
          [](Session& self, const std::string& name, std::optional<std::int64_t> version) {
            RegisteredModel got = without_gil([&] { return ModelRegistry(self).get(name, version); });
            return py::make_tuple(got.model, info_to_dict(got.info));
          },
          py::arg("name"), py::arg("version") = py::none(),
          "(Model, info) of a version; without a version, of the champion. Raises NotFoundError.")
      .def(
          "promote",
          [](Session& self, const std::string& name, std::int64_t version) {
            without_gil([&] { ModelRegistry(self).promote(name, version); });
          },
          py::arg("name"), py::arg("version"), "Makes a version the champion; the previous champion is retired.")
      .def(
          "set_traffic",
          [](Session& self, const std::string& name, std::int64_t version, double percent) {
            without_gil([&] { ModelRegistry(self).set_traffic(name, version, percent); });
          },
          py::arg("name"), py::arg("version"), py::arg("percent"), "Routes `percent` of records to a challenger.")
      .def(
          "retire",
          [](Session& self, const std::string& name, std::int64_t version) {
            without_gil([&] { ModelRegistry(self).retire(name, version); });
          },
          py::arg("name"), py::arg("version"), "Retires a (non-champion) version.")
      .def(
          "set_reference",
          [](Session& self, const std::string& name, std::int64_t version, std::optional<std::string> where) {
            const Filter filter = filter_from(where);
            ScoreHistogram h = without_gil([&] { return ModelRegistry(self).set_reference(name, version, filter); });
            return py::make_tuple(h.edges, h.fractions);
          },
          py::arg("name"), py::arg("version"), py::arg("where") = py::none(),
          "Stores the score histogram of the matching records as the version's PSI reference: (edges, fractions).")
      .def(
          "score",
          [](Session& self, const std::string& name, std::optional<std::string> where, bool explain, bool write,
             std::optional<std::int64_t> limit, std::size_t top_k) {
            ScoreOptions options;
            options.explain = explain;
            options.write = write;
            options.limit = limit.value_or(-1);
            options.top_k = top_k;
            const Filter filter = filter_from(where);
            return without_gil([&] { return ModelRegistry(self).score(name, filter, options); });
          },
          py::arg("name"), py::arg("where") = py::none(), py::kw_only(), py::arg("explain") = false,
          py::arg("write") = false, py::arg("limit") = py::none(), py::arg("top_k") = 3,
          "Scores the model's object with the registered model `name` (champion, and challengers by their\n"
          "traffic share, routed by a stable hash of the record id). explain: per-feature contributions;\n"
          "write: stores scores (and, with explain, the top factors) in the scores table, skipping records\n"
          "whose record and model versions are unchanged. Returns a ScoreResult. 'lead_score' is built in.")
      .def(
          "monitor",
          [](Session& self, const std::string& name, std::optional<std::string> label, std::optional<std::string> where,
             int bins) {
            MonitorOptions options;
            options.label = label.value_or("");
            options.filter = filter_from(where);
            options.bins = bins;
            MonitorReport report = without_gil([&] { return ModelRegistry(self).monitor(name, options); });
            py::list versions;
            for (const auto& v : report.versions) versions.append(version_to_dict(v));
            py::dict out;
            out["model"] = report.model;
            out["versions"] = versions;
            return out;
          },
          py::arg("name"), py::kw_only(), py::arg("label") = py::none(), py::arg("where") = py::none(),
          py::arg("bins") = 10,
          "Drift and accuracy of each version from its stored scores: {'model', 'versions': [{version,\n"
          "status, scored, psi, edges, reference_fractions, current_fractions, labelled, positives, auc,\n"
          "log_loss, calibration}]}. label: outcome formula (e.g. \"ISPICKVAL(status, 'converted')\"), blank\n"
          "= unknown; where: the records whose outcomes count.")
      .def(
          "train",
          [](Session& self, const std::string& name, const std::string& object, const py::object& features,
             const std::string& label, std::optional<std::string> where, double l2, const std::string& status,
             double traffic, const std::string& description) {
            TrainRequest request;
            request.object = object;
            request.features = feature_specs(features, "features");
            request.label = label;
            request.filter = filter_from(where);
            request.options.l2 = l2;
            request.status = parse_model_status(status);
            request.traffic = traffic;
            request.description = description;
            ModelInfo info = without_gil([&] { return ModelRegistry(self).train(name, request); });
            return info_to_dict(info);
          },
          py::arg("name"), py::kw_only(), py::arg("object"), py::arg("features"), py::arg("label"),
          py::arg("where") = py::none(), py::arg("l2") = 1.0, py::arg("status") = "challenger",
          py::arg("traffic") = 0.0, py::arg("description") = "",
          "Trains an L2 logistic regression on the matching records whose label is known and registers it\n"
          "with its training metrics and the histogram of its training scores. Returns the info dict.")
      .def(
          "install_default_models",
          [](Session& self) { return without_gil([&] { return ModelRegistry(self).install_defaults(); }); },
          "Registers the default models of the standard catalog (lead_score) when missing; returns the names installed.");

  m.def("default_model_names", [] { return default_model_names(); },
        "The default models of the standard catalog (the seed's applications), in install order.");
  m.def("routing_hash", &routing_hash, py::arg("model_name"), py::arg("record_id"),
        "FNV-1a 64 of model_name, a zero byte and record_id: the champion/challenger routing hash (bucket = hash % 10000).");
  m.def(
      "psi",
      [](const py::object& reference, const py::object& current, int bins) {
        auto r = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(reference);
        auto c = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(current);
        if (!r || !c) throw UsageError(ErrorCode::usage, "psi: expected arrays of scores");
        const ScoreHistogram h = make_histogram({r.data(), static_cast<std::size_t>(r.size())}, bins);
        return population_stability(h, {c.data(), static_cast<std::size_t>(c.size())});
      },
      py::arg("reference"), py::arg("current"), py::arg("bins") = 10,
      "Population stability index of `current` scores against quantile bins of `reference`.");
}

}  // namespace hotcrm::python
