// Model: factories that validate parameters, input checks, and dispatch to the kernels.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "scoring/model_data.hpp"

namespace hotcrm::detail {

void fail(ErrorCode code, const std::string& where, const std::string& why) {
  throw UsageError(code, where.empty() ? why : where + ": " + why);
}

std::string untagged_message(const Error& error) {
  const std::string message = error.what();
  const auto tag_end = message.find("] ");
  return tag_end == std::string::npos ? message : message.substr(tag_end + 2);
}

void check_features(const std::vector<Feature>& features, const std::string& where) {
  if (features.empty()) fail(ErrorCode::usage, where, "a model needs at least one feature");
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (features[i].name.empty()) fail(ErrorCode::usage, fmt::format("{}[{}]", where, i), "empty feature name");
    if (!seen.insert(features[i].name).second)
      fail(ErrorCode::usage, fmt::format("{}[{}]", where, i), "duplicate feature name '" + features[i].name + "'");
  }
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

using detail::fail;
using detail::ModelData;

std::string_view to_string(ModelKind kind) noexcept {
  switch (kind) {
    case ModelKind::points: return "points";
    case ModelKind::linear: return "linear";
    case ModelKind::logistic: return "logistic";
    case ModelKind::naive_bayes: return "naive_bayes";
    case ModelKind::tree_ensemble: return "tree_ensemble";
  }
  return "unknown";
}

std::vector<Feature> numeric_features(std::size_t count) {
  std::vector<Feature> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i].name = "f" + std::to_string(i);
  return out;
}

std::vector<Feature> numeric_features(const std::vector<std::string>& names) {
  std::vector<Feature> out(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) out[i].name = names[i];
  return out;
}

std::string Factor::to_string() const { return fmt::format("{} = {}: {:+.2f}", name, value_text, contribution); }

Model::Model(std::shared_ptr<const detail::ModelData> data) : data_(std::move(data)) {
  if (!data_) throw Error(ErrorCode::internal, "Model: null parameters");
}

namespace {

Model make_linear(ModelKind kind, std::vector<Feature> features, std::vector<double> coef, double intercept,
                  std::vector<double> mean) {
  const std::string where(to_string(kind));
  detail::check_features(features, where + " features");
  if (coef.size() != features.size())
    fail(ErrorCode::usage, where, fmt::format("{} coefficients for {} features", coef.size(), features.size()));
  if (mean.empty()) mean.assign(features.size(), 0.0);
  if (mean.size() != features.size())
    fail(ErrorCode::usage, where, fmt::format("{} background means for {} features", mean.size(), features.size()));
  for (std::size_t j = 0; j < coef.size(); ++j) {
    if (!std::isfinite(coef[j])) fail(ErrorCode::usage, fmt::format("{} coef[{}]", where, j), "not a finite number");
    if (!std::isfinite(mean[j])) fail(ErrorCode::usage, fmt::format("{} mean[{}]", where, j), "not a finite number");
  }
  if (!std::isfinite(intercept)) fail(ErrorCode::usage, where + " intercept", "not a finite number");
  auto data = std::make_shared<ModelData>();
  data->kind = kind;
  data->features = std::move(features);
  data->linear = {std::move(coef), intercept, std::move(mean)};
  return Model(std::move(data));
}

void check_shape(const ModelData& m, MatrixView X, const char* what) {
  if (X.cols != m.features.size())
    fail(ErrorCode::usage, what,
         fmt::format("the {} model expects {} feature columns, the matrix has {}", to_string(m.kind),
                     m.features.size(), X.cols));
  if (X.rows > 0 && X.data == nullptr) fail(ErrorCode::usage, what, "null matrix data");
}

/// Linear models propagate NaN into their output; find the first NaN cell to name it.
[[noreturn]] void fail_nan(const ModelData& m, MatrixView X, std::size_t row, const char* what) {
  for (std::size_t c = 0; c < X.cols; ++c)
    if (std::isnan(X(row, c)))
      fail(ErrorCode::usage, what,
           fmt::format("row {}, feature '{}' is missing (NaN); the {} model has no rule for missing values", row,
                       m.features[c].name, to_string(m.kind)));
  fail(ErrorCode::usage, what, fmt::format("row {} gives NaN (an infinite input?)", row));
}

void check_no_nan_in_used(const ModelData& m, MatrixView X, const char* what) {
  const auto& used = m.compiled.used_feature;
  for (std::size_t r = 0; r < X.rows; ++r) {
    const double* row = X.data + r * X.cols;
    bool bad = false;
    for (std::size_t c = 0; c < X.cols; ++c) bad |= used[c] && std::isnan(row[c]);
    if (bad)
      for (std::size_t c = 0; c < X.cols; ++c)
        if (used[c] && std::isnan(row[c]))
          fail(ErrorCode::usage, what,
               fmt::format("row {}, feature '{}' is missing (NaN); this tree ensemble (scikit-learn "
                           "GradientBoosting) does not support missing values",
                           r, m.features[c].name));
  }
}

void raw_into(const ModelData& m, MatrixView X, double* out, const char* what) {
  switch (m.kind) {
    case ModelKind::linear:
    case ModelKind::logistic:
      detail::linear_raw(m.linear, X, out);
      for (std::size_t r = 0; r < X.rows; ++r)
        if (std::isnan(out[r])) fail_nan(m, X, r, what);
      return;
    case ModelKind::points: detail::points_raw(m, X, out); return;
    case ModelKind::naive_bayes: detail::bayes_raw(m.bayes, X, out); return;
    case ModelKind::tree_ensemble:
      if (m.ensemble.missing == MissingRule::error) check_no_nan_in_used(m, X, what);
      detail::trees_raw(m.ensemble, m.compiled, X, out);
      return;
  }
}

}  // namespace

Model Model::linear(std::vector<Feature> features, std::vector<double> coef, double intercept,
                    std::vector<double> mean) {
  return make_linear(ModelKind::linear, std::move(features), std::move(coef), intercept, std::move(mean));
}

Model Model::logistic(std::vector<Feature> features, std::vector<double> coef, double intercept,
                      std::vector<double> mean) {
  return make_linear(ModelKind::logistic, std::move(features), std::move(coef), intercept, std::move(mean));
}

Model Model::points(std::vector<Feature> features, std::vector<PointsRule> rules, double base_points) {
  detail::check_features(features, "points features");
  detail::PointsParams params{std::move(rules), base_points};
  if (!std::isfinite(base_points)) fail(ErrorCode::usage, "points base_points", "not a finite number");
  detail::check_points(features, params);
  auto data = std::make_shared<ModelData>();
  data->kind = ModelKind::points;
  data->features = std::move(features);
  data->points = std::move(params);
  return Model(std::move(data));
}

Model Model::tree_ensemble(std::vector<Feature> features, TreeEnsemble ensemble) {
  detail::check_features(features, "tree_ensemble features");
  if (!std::isfinite(ensemble.base_margin)) fail(ErrorCode::usage, "tree_ensemble base_margin", "not a finite number");
  auto data = std::make_shared<ModelData>();
  data->kind = ModelKind::tree_ensemble;
  data->compiled = detail::compile_trees(ensemble, features.size());
  data->features = std::move(features);
  data->ensemble = std::move(ensemble);
  return Model(std::move(data));
}

Model Model::load_xgboost(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "cannot read the XGBoost model file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return from_xgboost_json(text.str());
  } catch (const UsageError& e) {
    throw UsageError(e.code(), path + ": " + detail::untagged_message(e));
  }
}

ModelKind Model::kind() const noexcept { return data_->kind; }
const std::vector<Feature>& Model::features() const noexcept { return data_->features; }
std::size_t Model::feature_count() const noexcept { return data_->features.size(); }

bool Model::outputs_probability() const noexcept {
  switch (data_->kind) {
    case ModelKind::logistic:
    case ModelKind::naive_bayes: return true;
    case ModelKind::tree_ensemble: return data_->ensemble.link == Link::logistic;
    case ModelKind::linear:
    case ModelKind::points: return false;
  }
  return false;
}

void Model::predict_raw(MatrixView X, std::span<double> out) const {
  check_shape(*data_, X, "predict_raw");
  if (out.size() != X.rows)
    fail(ErrorCode::usage, "predict_raw", fmt::format("output has {} values for {} rows", out.size(), X.rows));
  raw_into(*data_, X, out.data(), "predict_raw");
}

std::vector<double> Model::predict_raw(MatrixView X) const {
  std::vector<double> out(X.rows);
  predict_raw(X, out);
  return out;
}

void Model::predict(MatrixView X, std::span<double> out) const {
  check_shape(*data_, X, "predict");
  if (out.size() != X.rows)
    fail(ErrorCode::usage, "predict", fmt::format("output has {} values for {} rows", out.size(), X.rows));
  raw_into(*data_, X, out.data(), "predict");
  if (outputs_probability()) detail::apply_logistic(out.data(), out.size());
}

std::vector<double> Model::predict(MatrixView X) const {
  std::vector<double> out(X.rows);
  predict(X, out);
  return out;
}

double Model::explain(MatrixView X, std::span<double> contributions) const {
  const ModelData& m = *data_;
  check_shape(m, X, "explain");
  if (contributions.size() != X.rows * X.cols)
    fail(ErrorCode::usage, "explain",
         fmt::format("contribution buffer has {} values for {} x {}", contributions.size(), X.rows, X.cols));
  double* out = contributions.data();
  switch (m.kind) {
    case ModelKind::linear:
    case ModelKind::logistic:
      detail::linear_explain(m.linear, X, out);
      for (std::size_t i = 0; i < contributions.size(); ++i)
        if (std::isnan(out[i])) fail_nan(m, X, i / X.cols, "explain");
      return detail::linear_base(m.linear);
    case ModelKind::points: detail::points_explain(m, X, out); return m.points.base_points;
    case ModelKind::naive_bayes: detail::bayes_explain(m.bayes, X, out); return m.bayes.prior_log_odds;
    case ModelKind::tree_ensemble:
      if (m.ensemble.missing == MissingRule::error) check_no_nan_in_used(m, X, "explain");
      return detail::trees_explain(m.ensemble, m.compiled, X, out);
  }
  return 0.0;
}

Explanation Model::explain(MatrixView X) const {
  Explanation e;
  e.rows = X.rows;
  e.cols = X.cols;
  check_shape(*data_, X, "explain");
  e.contributions.resize(X.rows * X.cols);
  e.base = explain(X, e.contributions);
  return e;
}

TopFactors Model::top_factors(MatrixView X, std::size_t row, std::size_t k) const {
  check_shape(*data_, X, "top_factors");
  if (row >= X.rows) fail(ErrorCode::usage, "top_factors", fmt::format("row {} of {} rows", row, X.rows));
  MatrixView one{X.data + row * X.cols, 1, X.cols};
  return top_factors(explain(one), one, 0, k);
}

TopFactors Model::top_factors(const Explanation& explanation, MatrixView X, std::size_t row, std::size_t k) const {
  const ModelData& m = *data_;
  check_shape(m, X, "top_factors");
  if (explanation.cols != X.cols || explanation.rows != X.rows)
    fail(ErrorCode::usage, "top_factors", "the explanation is not of this matrix");
  if (row >= X.rows) fail(ErrorCode::usage, "top_factors", fmt::format("row {} of {} rows", row, X.rows));
  std::vector<Factor> all;
  for (std::size_t c = 0; c < X.cols; ++c) {
    Factor f;
    f.feature = c;
    f.name = m.features[c].name;
    f.value = X(row, c);
    f.contribution = explanation.at(row, c);
    const auto& categories = m.features[c].categories;
    if (std::isnan(f.value)) f.value_text = "missing";
    else if (!categories.empty() && f.value >= 0 && f.value == std::floor(f.value) &&
             f.value < static_cast<double>(categories.size()))
      f.value_text = categories[static_cast<std::size_t>(f.value)];
    else f.value_text = fmt::format("{:g}", f.value);
    all.push_back(std::move(f));
  }
  // Strongest first; ties keep feature order (stable), so the result is deterministic.
  std::stable_sort(all.begin(), all.end(),
                   [](const Factor& a, const Factor& b) { return std::fabs(a.contribution) > std::fabs(b.contribution); });
  TopFactors out;
  for (auto& f : all) {
    if (f.contribution > 0 && out.positive.size() < k) out.positive.push_back(f);
    else if (f.contribution < 0 && out.negative.size() < k) out.negative.push_back(f);
  }
  return out;
}

}  // namespace v0
}  // namespace hotcrm
