// Naive Bayes frequency scoring in the style of Odoo's predictive lead scoring: won/lost counts
// per (feature, value), +0.1 smoothing, log-odds = prior + sum of per-feature log-likelihood ratios.
#include <cmath>

#include <fmt/format.h>

#include "scoring/model_data.hpp"

namespace hotcrm::detail {

namespace {

/// The category index of x, or -1 for NaN and anything that is not a category code.
inline std::ptrdiff_t category(double x, std::size_t count) noexcept {
  if (!(x >= 0) || x >= static_cast<double>(count) || x != std::floor(x)) return -1;
  return static_cast<std::ptrdiff_t>(x);
}

}  // namespace

void compile_bayes(const std::vector<Feature>& features, NaiveBayesParams& p) {
  const double s = NaiveBayesParams::smoothing;
  if (p.won.size() != features.size() || p.lost.size() != features.size())
    fail(ErrorCode::usage, "naive_bayes", "won/lost tables need one entry per feature");
  if (!(p.won_total >= 0) || !(p.lost_total >= 0))
    fail(ErrorCode::usage, "naive_bayes", "won_total and lost_total must be counts >= 0");
  p.prior_log_odds = std::log((p.won_total + s) / (p.lost_total + s));
  p.term.assign(features.size(), {});
  for (std::size_t f = 0; f < features.size(); ++f) {
    const std::size_t k = features[f].categories.size();
    const std::string where = fmt::format("naive_bayes feature {} ('{}')", f, features[f].name);
    if (k == 0) fail(ErrorCode::usage, where, "naive Bayes features must be categorical (have categories)");
    if (p.won[f].size() != k || p.lost[f].size() != k)
      fail(ErrorCode::usage, where, fmt::format("tables need {} counts (one per category)", k));
    p.term[f].resize(k);
    for (std::size_t c = 0; c < k; ++c) {
      const double won = p.won[f][c], lost = p.lost[f][c];
      if (!(won >= 0) || !(lost >= 0) || !std::isfinite(won) || !std::isfinite(lost))
        fail(ErrorCode::usage, where, fmt::format("category {}: counts must be finite and >= 0", c));
      p.term[f][c] = std::log((won + s) / (p.won_total + s)) - std::log((lost + s) / (p.lost_total + s));
    }
  }
}

void bayes_raw(const NaiveBayesParams& p, MatrixView X, double* out) noexcept {
  for (std::size_t r = 0; r < X.rows; ++r) {
    const double* row = X.data + r * X.cols;
    double sum = p.prior_log_odds;
    for (std::size_t f = 0; f < X.cols; ++f) {
      const auto c = category(row[f], p.term[f].size());
      if (c >= 0) sum += p.term[f][static_cast<std::size_t>(c)];
    }
    out[r] = sum;
  }
}

void bayes_explain(const NaiveBayesParams& p, MatrixView X, double* contributions) noexcept {
  for (std::size_t r = 0; r < X.rows; ++r) {
    const double* row = X.data + r * X.cols;
    double* out = contributions + r * X.cols;
    for (std::size_t f = 0; f < X.cols; ++f) {
      const auto c = category(row[f], p.term[f].size());
      out[f] = c >= 0 ? p.term[f][static_cast<std::size_t>(c)] : 0.0;
    }
  }
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

NaiveBayesTable::NaiveBayesTable(std::vector<Feature> features) : features_(std::move(features)) {
  detail::check_features(features_, "naive_bayes features");
  for (std::size_t f = 0; f < features_.size(); ++f) {
    if (features_[f].categories.empty())
      detail::fail(ErrorCode::usage, fmt::format("naive_bayes feature {} ('{}')", f, features_[f].name),
                   "naive Bayes features must be categorical (have categories)");
    won_.emplace_back(features_[f].categories.size(), 0.0);
    lost_.emplace_back(features_[f].categories.size(), 0.0);
  }
}

void NaiveBayesTable::add(std::span<const double> row, bool won, double delta) {
  if (row.size() != features_.size())
    detail::fail(ErrorCode::usage, "naive_bayes observe",
                 fmt::format("{} values for {} features", row.size(), features_.size()));
  // Check everything first, so a refused row changes nothing.
  for (std::size_t f = 0; f < row.size(); ++f) {
    if (std::isnan(row[f])) continue;
    const auto c = detail::category(row[f], features_[f].categories.size());
    if (c < 0)
      detail::fail(ErrorCode::usage, "naive_bayes observe",
                   fmt::format("feature '{}': {} is not a category code (0..{})", features_[f].name, row[f],
                               features_[f].categories.size() - 1));
    if (delta < 0 && (won ? won_ : lost_)[f][static_cast<std::size_t>(c)] < 1)
      detail::fail(ErrorCode::usage, "naive_bayes forget",
                   fmt::format("feature '{}' = '{}' was never counted as {}", features_[f].name,
                               features_[f].categories[static_cast<std::size_t>(c)], won ? "won" : "lost"));
  }
  if (delta < 0 && (won ? won_total_ : lost_total_) < 1)
    detail::fail(ErrorCode::usage, "naive_bayes forget", std::string("no ") + (won ? "won" : "lost") + " outcome counted");
  for (std::size_t f = 0; f < row.size(); ++f) {
    if (std::isnan(row[f])) continue;
    (won ? won_ : lost_)[f][static_cast<std::size_t>(detail::category(row[f], features_[f].categories.size()))] +=
        delta;
  }
  (won ? won_total_ : lost_total_) += delta;
}

void NaiveBayesTable::observe(std::span<const double> row, bool won) { add(row, won, 1.0); }
void NaiveBayesTable::forget(std::span<const double> row, bool won) { add(row, won, -1.0); }

void NaiveBayesTable::observe(MatrixView X, std::span<const double> y) {
  if (X.cols != features_.size())
    detail::fail(ErrorCode::usage, "naive_bayes observe",
                 fmt::format("the matrix has {} columns for {} features", X.cols, features_.size()));
  if (y.size() != X.rows)
    detail::fail(ErrorCode::usage, "naive_bayes observe", fmt::format("{} outcomes for {} rows", y.size(), X.rows));
  for (std::size_t r = 0; r < X.rows; ++r)
    if (y[r] != 0.0 && y[r] != 1.0)
      detail::fail(ErrorCode::usage, "naive_bayes observe", fmt::format("outcome {} of row {} is not 0 or 1", y[r], r));
  NaiveBayesTable copy = *this;  // all rows or none
  for (std::size_t r = 0; r < X.rows; ++r) copy.observe(X.row(r), y[r] == 1.0);
  *this = std::move(copy);
}

Model NaiveBayesTable::model() const {
  auto data = std::make_shared<detail::ModelData>();
  data->kind = ModelKind::naive_bayes;
  data->features = features_;
  data->bayes.won_total = won_total_;
  data->bayes.lost_total = lost_total_;
  data->bayes.won = won_;
  data->bayes.lost = lost_;
  detail::compile_bayes(data->features, data->bayes);
  return Model(std::move(data));
}

}  // namespace v0
}  // namespace hotcrm
