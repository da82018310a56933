// Points scorecards: per-feature bands or categories -> points, times a weight, summed.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "scoring/model_data.hpp"

namespace hotcrm::detail {

void check_points(const std::vector<Feature>& features, const PointsParams& p) {
  if (p.rules.size() != features.size())
    fail(ErrorCode::usage, "points", fmt::format("{} rules for {} features", p.rules.size(), features.size()));
  for (std::size_t j = 0; j < features.size(); ++j) {
    const PointsRule& rule = p.rules[j];
    const std::string where = fmt::format("points rules[{}] ('{}')", j, features[j].name);
    if (!std::isfinite(rule.weight) || !std::isfinite(rule.missing_points))
      fail(ErrorCode::usage, where, "weight and missing_points must be finite");
    for (double v : rule.points)
      if (!std::isfinite(v)) fail(ErrorCode::usage, where, "points must be finite");
    if (!features[j].categories.empty()) {
      if (!rule.edges.empty()) fail(ErrorCode::usage, where, "a categorical feature takes no band edges");
      if (rule.points.size() != features[j].categories.size())
        fail(ErrorCode::usage, where,
             fmt::format("{} points for {} categories", rule.points.size(), features[j].categories.size()));
      continue;
    }
    if (rule.points.size() != rule.edges.size() + 1)
      fail(ErrorCode::usage, where,
           fmt::format("{} band edges need {} points, got {}", rule.edges.size(), rule.edges.size() + 1,
                       rule.points.size()));
    for (std::size_t i = 0; i < rule.edges.size(); ++i) {
      if (!std::isfinite(rule.edges[i])) fail(ErrorCode::usage, where, "band edges must be finite");
      if (i > 0 && !(rule.edges[i - 1] < rule.edges[i]))
        fail(ErrorCode::usage, where, "band edges must be strictly ascending");
    }
  }
}

namespace {

/// The feature's points (before the weight) for value x.
inline double rule_points(const PointsRule& rule, bool categorical, double x) noexcept {
  if (std::isnan(x)) return rule.missing_points;
  if (categorical) {
    if (x >= 0 && x < static_cast<double>(rule.points.size()) && x == std::floor(x))
      return rule.points[static_cast<std::size_t>(x)];
    return rule.missing_points;
  }
  // band = number of edges <= x
  const auto band = static_cast<std::size_t>(std::upper_bound(rule.edges.begin(), rule.edges.end(), x) -
                                             rule.edges.begin());
  return rule.points[band];
}

}  // namespace

void points_explain(const ModelData& m, MatrixView X, double* contributions) noexcept {
  const auto& rules = m.points.rules;
  for (std::size_t r = 0; r < X.rows; ++r) {
    const double* row = X.data + r * X.cols;
    double* out = contributions + r * X.cols;
    for (std::size_t j = 0; j < X.cols; ++j)
      out[j] = rules[j].weight * rule_points(rules[j], !m.features[j].categories.empty(), row[j]);
  }
}

void points_raw(const ModelData& m, MatrixView X, double* out) noexcept {
  const auto& rules = m.points.rules;
  for (std::size_t r = 0; r < X.rows; ++r) {
    const double* row = X.data + r * X.cols;
    double sum = m.points.base_points;
    for (std::size_t j = 0; j < X.cols; ++j)
      sum += rules[j].weight * rule_points(rules[j], !m.features[j].categories.empty(), row[j]);
    out[r] = sum;
  }
}

}  // namespace hotcrm::detail
