#pragma once
// The parameters of a Model and the structures compiled from them for the kernels. Private.

#include <cstdint>
#include <string>
#include <vector>

#include "hotcrm/error.hpp"
#include "hotcrm/scoring/model.hpp"

namespace hotcrm::detail {

struct LinearParams {
  std::vector<double> coef;
  double intercept = 0.0;
  std::vector<double> mean;  // background for explanations
};

struct PointsParams {
  std::vector<PointsRule> rules;
  double base_points = 0.0;
};

/// Naive Bayes: the raw counts (serialised) and the log-likelihood-ratio table compiled from them.
struct NaiveBayesParams {
  static constexpr double smoothing = 0.1;
  double won_total = 0.0;
  double lost_total = 0.0;
  std::vector<std::vector<double>> won;   // [feature][category]
  std::vector<std::vector<double>> lost;  // [feature][category]
  // compiled
  double prior_log_odds = 0.0;
  std::vector<std::vector<double>> term;  // [feature][category] log-likelihood ratio
};

/// A tree ensemble laid out for prediction. Trees of depth <= kMaxPerfectDepth are stored as
/// perfect binary trees (node i has children 2i+1 and 2i+2; a leaf above the last level is
/// replicated into every leaf slot below it), which makes traversal branch-free and a fixed number
/// of steps. Deeper trees keep their node arrays (`deep`).
struct CompiledTrees {
  static constexpr int kMaxPerfectDepth = 10;
  struct PerfectTree {
    int depth = 0;
    std::size_t node_offset = 0;  // into feature/threshold/default_left: 2^depth - 1 entries
    std::size_t leaf_offset = 0;  // into leaf: 2^depth entries
  };
  std::vector<PerfectTree> perfect;
  std::vector<std::int32_t> feature;
  std::vector<double> threshold;        // go left when x <= threshold (see less_equal_threshold)
  std::vector<std::uint8_t> default_left;
  std::vector<double> leaf;
  std::vector<std::size_t> deep;        // indices of trees kept as node arrays
  std::vector<std::vector<double>> node_mean;  // per tree, per node: cover-weighted mean (TreeSHAP)
  int max_depth = 0;
  std::vector<std::uint8_t> used_feature;  // features some split reads
};

struct ModelData {
  ModelKind kind = ModelKind::linear;
  std::vector<Feature> features;
  LinearParams linear;
  PointsParams points;
  NaiveBayesParams bayes;
  TreeEnsemble ensemble;
  CompiledTrees compiled;
};

// ---- construction and checks (model.cpp) -----------------------------------------------------

/// Throws UsageError(code) with "where: why".
[[noreturn]] void fail(ErrorCode code, const std::string& where, const std::string& why);
/// An error's message without its "[hotcrm.usage.1000] " tag, to re-raise it with more context.
std::string untagged_message(const Error& error);
/// Checks the features: non-empty unique names.
void check_features(const std::vector<Feature>& features, const std::string& where);

// ---- kernels ---------------------------------------------------------------------------------

// linear.cpp: linear and logistic
void linear_raw(const LinearParams& p, MatrixView X, double* out) noexcept;
void linear_explain(const LinearParams& p, MatrixView X, double* contributions) noexcept;
double linear_base(const LinearParams& p) noexcept;

// points.cpp
void points_raw(const ModelData& m, MatrixView X, double* out) noexcept;
void points_explain(const ModelData& m, MatrixView X, double* contributions) noexcept;
void check_points(const std::vector<Feature>& features, const PointsParams& p);

// naive_bayes.cpp
void compile_bayes(const std::vector<Feature>& features, NaiveBayesParams& p);
void bayes_raw(const NaiveBayesParams& p, MatrixView X, double* out) noexcept;
void bayes_explain(const NaiveBayesParams& p, MatrixView X, double* contributions) noexcept;

// trees.cpp
/// Checks the ensemble against the features and compiles it (throws UsageError naming the node).
CompiledTrees compile_trees(const TreeEnsemble& ensemble, std::size_t feature_count);
void trees_raw(const TreeEnsemble& e, const CompiledTrees& c, MatrixView X, double* out) noexcept;
/// Path-dependent TreeSHAP; returns the base value (base margin + expected tree outputs).
double trees_explain(const TreeEnsemble& e, const CompiledTrees& c, MatrixView X, double* contributions);
double trees_base(const TreeEnsemble& e, const CompiledTrees& c) noexcept;

/// Applies the logistic function in place (xtensor, vectorised).
void apply_logistic(double* values, std::size_t n) noexcept;

}  // namespace hotcrm::detail
