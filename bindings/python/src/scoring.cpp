// Scoring models for Python: hotcrm._core.Model and NaiveBayesTable, the model factories and the
// trainer. Matrices come in as float64 C-contiguous numpy arrays read in place (other inputs are
// converted once); results are numpy arrays filled by the library with the GIL released.
#include <cmath>

#include "common.hpp"

namespace hotcrm::python {

namespace {

using Matrix = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// X as a 2-D float64 C-contiguous array: no copy when it already is one.
Matrix as_matrix(const py::handle& object, const char* what) {
  Matrix m = Matrix::ensure(object);
  if (!m) {
    PyErr_Clear();
    throw UsageError(ErrorCode::usage, std::string(what) + ": expected a numeric array, got " +
                                           std::string(py::str(py::type::of(object).attr("__name__"))));
  }
  if (m.ndim() != 2)
    throw UsageError(ErrorCode::usage, std::string(what) + ": expected a 2-D array (rows x features), got " +
                                           std::to_string(m.ndim()) + " dimension(s)");
  return m;
}

MatrixView view_of(const Matrix& m) {
  return {m.data(), static_cast<std::size_t>(m.shape(0)), static_cast<std::size_t>(m.shape(1))};
}

std::vector<double> as_vector(const py::handle& object, const char* what) {
  Matrix m = Matrix::ensure(object);
  if (!m) {
    PyErr_Clear();
    throw UsageError(ErrorCode::usage, std::string(what) + ": expected a sequence of numbers");
  }
  if (m.ndim() != 1)
    throw UsageError(ErrorCode::usage,
                     std::string(what) + ": expected a 1-D array, got " + std::to_string(m.ndim()) + " dimensions");
  return {m.data(), m.data() + m.shape(0)};
}

std::vector<Feature> features_from(const py::object& names, std::size_t count, const char* what) {
  if (names.is_none()) return numeric_features(count);
  std::vector<Feature> out;
  for (const py::handle item : names) {
    if (py::isinstance<py::str>(item)) out.push_back({item.cast<std::string>(), {}});
    else if (py::isinstance<py::tuple>(item) && py::len(item) == 2)
      out.push_back({item.cast<py::tuple>()[0].cast<std::string>(),
                     item.cast<py::tuple>()[1].cast<std::vector<std::string>>()});
    else throw UsageError(ErrorCode::usage, std::string(what) + ": a feature is a name or a (name, categories) pair");
  }
  return out;
}

py::list features_to_list(const std::vector<Feature>& features) {
  py::list out;
  for (const auto& f : features) {
    py::dict item;
    item["name"] = f.name;
    item["categories"] = f.categories;
    out.append(item);
  }
  return out;
}

py::dict factor_to_dict(const Factor& f) {
  py::dict d;
  d["feature"] = f.feature;
  d["name"] = f.name;
  d["value"] = f.value;
  d["value_text"] = f.value_text;
  d["contribution"] = f.contribution;
  d["text"] = f.to_string();
  return d;
}

py::dict metrics_to_dict(const TrainMetrics& m) {
  py::dict d;
  d["log_loss"] = m.log_loss;
  d["auc"] = m.auc;
  d["iterations"] = m.iterations;
  d["converged"] = m.converged;
  d["gradient_norm"] = m.gradient_norm;
  return d;
}

py::array_t<double> predict_with(const Model& model, const py::handle& X, bool raw) {
  Matrix m = as_matrix(X, raw ? "predict_raw" : "predict");
  const MatrixView v = view_of(m);
  py::array_t<double> out(static_cast<py::ssize_t>(v.rows));
  double* data = out.mutable_data();
  without_gil([&] {
    if (raw) model.predict_raw(v, {data, v.rows});
    else model.predict(v, {data, v.rows});
  });
  return out;
}

std::string repr(const Model& model) {
  std::string names;
  for (std::size_t i = 0; i < model.features().size() && i < 6; ++i)
    names += (i ? ", " : "") + model.features()[i].name;
  if (model.features().size() > 6) names += ", ...";
  return "<hotcrm.Model " + std::string(to_string(model.kind())) + " of " + std::to_string(model.feature_count()) +
         " features [" + names + "]>";
}

}  // namespace

void bind_scoring(py::module_& m) {
  py::class_<Model>(m, "Model",
                    "A scoring model (points, linear, logistic, naive_bayes or tree_ensemble). Immutable.\n\n"
                    "Build one with the functions of hotcrm.models. X arguments are 2-D float64 arrays\n"
                    "(rows x features, C-contiguous: other arrays are converted once); NaN is a missing value.")
      .def_property_readonly("kind", [](const Model& self) { return std::string(to_string(self.kind())); },
                             "The model kind: 'points', 'linear', 'logistic', 'naive_bayes' or 'tree_ensemble'.")
      .def_property_readonly(
          "feature_names",
          [](const Model& self) {
            std::vector<std::string> names;
            for (const auto& f : self.features()) names.push_back(f.name);
            return names;
          },
          "The feature names, in column order.")
      .def_property_readonly("features", [](const Model& self) { return features_to_list(self.features()); },
                             "The features as dicts {name, categories} (categories empty for numeric features).")
      .def_property_readonly("n_features", &Model::feature_count, "The number of feature columns X must have.")
      .def_property_readonly("outputs_probability", &Model::outputs_probability,
                             "True when predict returns probabilities (logistic link), False for raw values.")
      .def(
          "predict", [](const Model& self, const py::object& X) { return predict_with(self, X, false); },
          py::arg("X"), "Scores of every row (probability or value) as a 1-D float64 array. Releases the GIL.")
      .def(
          "predict_raw", [](const Model& self, const py::object& X) { return predict_with(self, X, true); },
          py::arg("X"), "Raw outputs of every row (margin, log-odds or points) as a 1-D float64 array.")
      .def(
          "explain",
          [](const Model& self, const py::object& X) {
            Matrix matrix = as_matrix(X, "explain");
            const MatrixView v = view_of(matrix);
            py::array_t<double> contributions(
                {static_cast<py::ssize_t>(v.rows), static_cast<py::ssize_t>(v.cols)});
            double* data = contributions.mutable_data();
            const double base = without_gil([&] { return self.explain(v, {data, v.rows * v.cols}); });
            py::array_t<double> bases(static_cast<py::ssize_t>(v.rows));
            std::fill(bases.mutable_data(), bases.mutable_data() + v.rows, base);
            return py::make_tuple(bases, contributions);
          },
          py::arg("X"),
          "Exact Shapley values: (base values, contributions), a 1-D array of rows and a rows x features\n"
          "array with base + contributions.sum(axis=1) == predict_raw(X). Releases the GIL.")
      .def(
          "top_factors",
          [](const Model& self, const py::object& X, std::size_t row, std::size_t k) {
            Matrix matrix = as_matrix(X, "top_factors");
            const TopFactors top = without_gil([&] { return self.top_factors(view_of(matrix), row, k); });
            py::dict out;
            py::list positive, negative;
            for (const auto& f : top.positive) positive.append(factor_to_dict(f));
            for (const auto& f : top.negative) negative.append(factor_to_dict(f));
            out["positive"] = positive;
            out["negative"] = negative;
            return out;
          },
          py::arg("X"), py::arg("row") = 0, py::arg("k") = 3,
          "The k strongest positive and negative contributions of one row: {'positive': [...],\n"
          "'negative': [...]}, each a dict {feature, name, value, value_text, contribution, text} with\n"
          "text like 'industry = technology: +0.42'.")
      .def(
          "to_json",
          [](const Model& self, const py::object& indent) {
            return self.to_json(indent.is_none() ? -1 : indent.cast<int>());
          },
          py::arg("indent") = py::none(), "The model as JSON of ours (hotcrm.models.from_json reads it back).")
      .def(py::pickle([](const Model& self) { return py::make_tuple(self.to_json()); },
                      [](const py::tuple& state) {
                        if (state.size() != 1) throw UsageError(ErrorCode::usage, "Model: bad pickle state");
                        return Model::from_json(state[0].cast<std::string>());
                      }))
      .def("__repr__", &repr);

  m.def(
      "model_from_json", [](const std::string& text) { return without_gil([&] { return Model::from_json(text); }); },
      py::arg("text"), "A model from our JSON (Model.to_json). Raises ParseError naming the JSON path.");
  m.def(
      "load_xgboost", [](const std::string& path) { return without_gil([&] { return Model::load_xgboost(path); }); },
      py::arg("path"), "A tree ensemble from an XGBoost JSON model file (save_model('x.json')).");
  m.def(
      "xgboost_from_json",
      [](const std::string& text) { return without_gil([&] { return Model::from_xgboost_json(text); }); },
      py::arg("text"), "A tree ensemble from the text of an XGBoost JSON model.");
  // linear_model / logistic_model: the same arguments, two factories.
  using Factory = Model (*)(std::vector<Feature>, std::vector<double>, double, std::vector<double>);
  auto bind_linear = [&m](const char* name, Factory factory, const char* doc) {
    m.def(
        name,
        [factory](const py::object& coef, double intercept, const py::object& feature_names, const py::object& mean) {
          std::vector<double> w = as_vector(coef, "coef");
          std::vector<double> mu = mean.is_none() ? std::vector<double>{} : as_vector(mean, "mean");
          auto features = features_from(feature_names, w.size(), "feature_names");
          return factory(std::move(features), std::move(w), intercept, std::move(mu));
        },
        py::arg("coef"), py::arg("intercept") = 0.0, py::arg("feature_names") = py::none(),
        py::arg("mean") = py::none(), doc);
  };
  bind_linear("linear_model", &Model::linear,
              "Linear regression w·x + b; mean is the explanation background (default zeros).");
  bind_linear("logistic_model", &Model::logistic,
              "Logistic regression sigmoid(w·x + b); explanations in log-odds against the background mean.");
  m.def(
      "train_logistic",
      [](const py::object& X, const py::object& y, double l2, int max_iterations, double tolerance,
         bool fit_intercept, const py::object& feature_names) {
        Matrix matrix = as_matrix(X, "train_logistic");
        std::vector<double> labels = as_vector(y, "y");
        const MatrixView v = view_of(matrix);
        auto features = features_from(feature_names, v.cols, "feature_names");
        LogisticTrainOptions options{l2, max_iterations, tolerance, fit_intercept};
        TrainedModel trained =
            without_gil([&] { return train_logistic(std::move(features), v, labels, options); });
        return py::make_tuple(trained.model, metrics_to_dict(trained.metrics));
      },
      py::arg("X"), py::arg("y"), py::arg("l2") = 1.0, py::arg("max_iterations") = 100, py::arg("tolerance") = 1e-9,
      py::arg("fit_intercept") = true, py::arg("feature_names") = py::none(),
      "Deterministic L2 logistic regression (Newton/IRLS): (model, metrics) with metrics\n"
      "{log_loss, auc, iterations, converged, gradient_norm}. l2 = 1/C of scikit-learn.");

  py::class_<NaiveBayesTable>(m, "NaiveBayesTable",
                              "Won/lost frequency tables of categorical features (Odoo-style predictive lead\n"
                              "scoring). Cells hold category codes; NaN is missing and not counted.")
      .def(py::init([](const py::object& features) {
             return NaiveBayesTable(features_from(features, 0, "features"));
           }),
           py::arg("features"), "features: a list of (name, [category labels]) pairs.")
      .def(
          "observe",
          [](NaiveBayesTable& self, const py::object& X, const py::object& y) {
            Matrix matrix = as_matrix(X, "observe");
            std::vector<double> labels = as_vector(y, "y");
            self.observe(view_of(matrix), labels);
          },
          py::arg("X"), py::arg("y"), "Counts every row of X with its outcome y (1 = won, 0 = lost).")
      .def(
          "observe_one",
          [](NaiveBayesTable& self, const py::object& row, bool won) { self.observe(as_vector(row, "row"), won); },
          py::arg("row"), py::arg("won"), "Counts one record's outcome (incremental update).")
      .def(
          "forget", [](NaiveBayesTable& self, const py::object& row, bool won) { self.forget(as_vector(row, "row"), won); },
          py::arg("row"), py::arg("won"), "Removes one counted outcome.")
      .def_property_readonly("won_total", &NaiveBayesTable::won_total, "Outcomes counted as won.")
      .def_property_readonly("lost_total", &NaiveBayesTable::lost_total, "Outcomes counted as lost.")
      .def(
          "counts",
          [](const NaiveBayesTable& self, std::size_t feature) {
            if (feature >= self.features().size())
              throw UsageError(ErrorCode::usage, "counts: no feature " + std::to_string(feature));
            std::vector<double> won, lost;
            for (std::size_t c = 0; c < self.features()[feature].categories.size(); ++c) {
              won.push_back(self.won(feature, c));
              lost.push_back(self.lost(feature, c));
            }
            return py::make_tuple(won, lost);
          },
          py::arg("feature"), "(won counts, lost counts) per category of one feature.")
      .def("model", &NaiveBayesTable::model, "The naive Bayes scoring Model of the current tables.")
      .def("__eq__", [](const NaiveBayesTable& a, const NaiveBayesTable& b) { return a == b; }, py::arg("other"))
      .def("__repr__", [](const NaiveBayesTable& self) {
        return "<hotcrm.NaiveBayesTable " + std::to_string(self.features().size()) + " features, " +
               std::to_string(static_cast<long long>(self.won_total())) + " won, " +
               std::to_string(static_cast<long long>(self.lost_total())) + " lost>";
      });
}

}  // namespace hotcrm::python
