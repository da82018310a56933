#pragma once
// Scoring models over dense matrices: points scorecards, linear and logistic regression, naive
// Bayes frequency tables and gradient-boosted tree ensembles (XGBoost, scikit-learn), with exact
// Shapley explanations. Inputs are row-major double matrices viewed without copying; outputs are
// written into caller buffers or returned vectors. A Model is immutable and cheap to copy (its
// parameters are shared), so one model can serve many threads.
//
// Missing values are NaN. What a model does with them is part of the model: see each kind.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hotcrm {

namespace detail {
struct ModelData;
}  // namespace detail

inline namespace v0 {

/// A read-only, row-major, dense matrix of doubles: element (r, c) is data[r * cols + c].
struct MatrixView {
  const double* data = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;

  double operator()(std::size_t r, std::size_t c) const noexcept { return data[r * cols + c]; }
  /// Row r as a span of `cols` values.
  std::span<const double> row(std::size_t r) const noexcept { return {data + r * cols, cols}; }
};

/// The kinds of model.
enum class ModelKind : std::uint8_t {
  points,         ///< rule-based additive scorecard
  linear,         ///< linear regression: w·x + b
  logistic,       ///< logistic regression: sigmoid(w·x + b)
  naive_bayes,    ///< won/lost frequency tables (Odoo-style predictive lead scoring)
  tree_ensemble,  ///< gradient-boosted trees (XGBoost, scikit-learn)
};

/// "points", "linear", "logistic", "naive_bayes" or "tree_ensemble".
std::string_view to_string(ModelKind kind) noexcept;

/// One input column of a model. When `categories` is not empty the feature is categorical: the
/// matrix holds the category code (0, 1, 2, ...) and categories[code] is its label.
struct Feature {
  std::string name;
  std::vector<std::string> categories;

  bool operator==(const Feature&) const = default;
};

/// Features named "f0", "f1", ... (numeric).
std::vector<Feature> numeric_features(std::size_t count);
/// Numeric features with the given names.
std::vector<Feature> numeric_features(const std::vector<std::string>& names);

/// Points for one feature of a scorecard. Numeric features are cut into bands by ascending
/// `edges`: band 0 is x < edges[0], band i is edges[i-1] <= x < edges[i], the last band is
/// x >= edges.back(); `points` has edges.size() + 1 entries. Categorical features have one entry of
/// `points` per category and no edges. NaN (and, for categories, a code that is not a category)
/// scores `missing_points`. The feature's term is weight * points.
struct PointsRule {
  std::vector<double> edges;
  std::vector<double> points;
  double missing_points = 0.0;
  double weight = 1.0;
};

/// How a tree ensemble compares a feature value x with a node's threshold t to go left.
enum class TreeSplit : std::uint8_t {
  less_f32,        ///< XGBoost: float(x) < float(t)
  less_equal,      ///< scikit-learn HistGradientBoosting: x <= t
  less_equal_f32,  ///< scikit-learn DecisionTree (GradientBoosting): double(float(x)) <= t
};

/// What a tree ensemble does with NaN.
enum class MissingRule : std::uint8_t {
  default_child,  ///< follow the node's default child (TreeNode::default_left)
  error,          ///< NaN is refused (scikit-learn GradientBoosting): predict/explain throw UsageError
};

/// Output transformation of a margin: identity (regression) or the logistic function.
enum class Link : std::uint8_t { identity, logistic };

/// One node of a tree. A leaf has left == right == -1 and carries `value`; a split sends rows to
/// `left` or `right` by comparing feature `feature` with `threshold`. `cover` is the training
/// weight that reached the node (XGBoost sum_hessian, scikit-learn sample counts): TreeSHAP needs it.
struct TreeNode {
  std::int32_t left = -1;
  std::int32_t right = -1;
  std::int32_t feature = -1;
  double threshold = 0.0;
  double value = 0.0;
  double cover = 0.0;
  bool default_left = true;

  bool is_leaf() const noexcept { return left < 0; }
};

/// A tree: nodes[0] is the root.
struct Tree {
  std::vector<TreeNode> nodes;
};

/// A gradient-boosted ensemble: margin = base_margin + sum of the leaf values reached in each tree.
struct TreeEnsemble {
  std::vector<Tree> trees;
  double base_margin = 0.0;
  Link link = Link::logistic;
  TreeSplit split = TreeSplit::less_f32;
  MissingRule missing = MissingRule::default_child;
};

/// Exact Shapley explanation of a batch: for every row r,
/// base + sum_c contributions[r * cols + c] == the model's raw output (margin / log-odds / points).
struct Explanation {
  double base = 0.0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> contributions;  ///< rows x cols, row-major

  double at(std::size_t r, std::size_t c) const noexcept { return contributions[r * cols + c]; }
};

/// One term of an explanation, readable: "industry = technology: +0.42".
struct Factor {
  std::size_t feature = 0;
  std::string name;
  double value = 0.0;
  std::string value_text;  ///< the category label, the number, or "missing"
  double contribution = 0.0;

  std::string to_string() const;
};

/// The k largest positive and k most negative contributions of one row, strongest first.
struct TopFactors {
  std::vector<Factor> positive;
  std::vector<Factor> negative;
};

/// A scoring model. Construct with the factories (or from JSON); every factory validates its
/// parameters and throws UsageError naming the problem.
class Model {
 public:
  /// Linear regression w·x + b. `mean` is the background used by explain (default zeros):
  /// contribution_j = w_j (x_j - mean_j), base = w·mean + b. NaN input throws UsageError.
  static Model linear(std::vector<Feature> features, std::vector<double> coef, double intercept,
                      std::vector<double> mean = {});
  /// Logistic regression: probability sigmoid(w·x + b); explanations are in log-odds, as for linear.
  static Model logistic(std::vector<Feature> features, std::vector<double> coef, double intercept,
                        std::vector<double> mean = {});
  /// Scorecard: base_points + sum_j rules[j].weight * points_j(x_j). Explanation: base = base_points,
  /// contribution_j = the feature's term.
  static Model points(std::vector<Feature> features, std::vector<PointsRule> rules, double base_points = 0.0);
  /// A tree ensemble (see TreeEnsemble). Checks every node (children, features, no cycles).
  static Model tree_ensemble(std::vector<Feature> features, TreeEnsemble ensemble);
  /// Loads an XGBoost model saved as JSON (`save_model("x.json")`, xgboost 1.x; objectives
  /// binary:logistic, reg:squarederror, reg:logistic). Feature names come from the file when it has
  /// them, else "f0", "f1", ... Throws UsageError with ErrorCode::parse naming the JSON pointer of
  /// a malformed element, or ErrorCode::not_supported for multi-class, categorical or DART models.
  static Model from_xgboost_json(std::string_view json);
  /// from_xgboost_json of a file's content. Throws Error(io) when the file cannot be read.
  static Model load_xgboost(const std::string& path);
  /// A model from our own JSON (to_json). Throws UsageError with ErrorCode::parse naming the JSON
  /// pointer of a bad element ("/trees/2/threshold/0: expected a number").
  static Model from_json(std::string_view json);
  /// Our JSON: {"format": "hotcrm.model", "version": 1, "kind": ..., "features": [...], ...}.
  /// indent < 0 gives one line.
  std::string to_json(int indent = -1) const;

  ModelKind kind() const noexcept;
  const std::vector<Feature>& features() const noexcept;
  std::size_t feature_count() const noexcept;
  /// True when predict returns a probability (logistic link), false when it returns the raw output.
  bool outputs_probability() const noexcept;

  /// Scores of every row into out (out.size() == X.rows): probability or value.
  void predict(MatrixView X, std::span<double> out) const;
  std::vector<double> predict(MatrixView X) const;
  /// Raw outputs (margin, log-odds or points) into out.
  void predict_raw(MatrixView X, std::span<double> out) const;
  std::vector<double> predict_raw(MatrixView X) const;
  /// Exact Shapley values in raw-output units; see Explanation.
  Explanation explain(MatrixView X) const;
  /// The base value and contributions into a caller buffer of X.rows * X.cols values.
  double explain(MatrixView X, std::span<double> contributions) const;
  /// The top k positive and negative factors of row `row` of X.
  TopFactors top_factors(MatrixView X, std::size_t row, std::size_t k = 3) const;
  /// The top factors of row `row` of a computed explanation; X is the explained matrix.
  TopFactors top_factors(const Explanation& explanation, MatrixView X, std::size_t row, std::size_t k = 3) const;

  /// Wraps compiled parameters; used by the factories (throws Error(internal) for nullptr).
  explicit Model(std::shared_ptr<const detail::ModelData> data);

 private:
  std::shared_ptr<const detail::ModelData> data_;
};

/// Options of train_logistic. The objective is sum_i logloss_i + l2/2 * |w|^2 (the intercept is
/// not penalised): scikit-learn's LogisticRegression(C = 1/l2) minimises the same function.
struct LogisticTrainOptions {
  double l2 = 1.0;
  int max_iterations = 100;
  double tolerance = 1e-9;  ///< stop when max |gradient| <= tolerance * max(1, n)
  bool fit_intercept = true;
};

/// What training found.
struct TrainMetrics {
  double log_loss = 0.0;  ///< mean log-loss on the training data
  double auc = 0.0;       ///< ROC AUC on the training data (ties count half); NaN with one class
  int iterations = 0;     ///< Newton iterations run
  bool converged = false;
  double gradient_norm = 0.0;  ///< max |gradient| at the end
};

struct TrainedModel {
  Model model;
  TrainMetrics metrics;
};

/// Deterministic L2-regularised logistic regression by Newton's method (IRLS) with step halving:
/// no randomness, a fixed summation order, so the same data gives bit-identical models. y holds
/// 0/1 labels. The model's background (explain) is the column means of X.
TrainedModel train_logistic(std::vector<Feature> features, MatrixView X, std::span<const double> y,
                            const LogisticTrainOptions& options = {});

/// Won/lost frequency tables for naive Bayes scoring (Odoo's predictive lead scoring): every
/// feature is categorical (matrix cells hold category codes, NaN = missing and not counted).
/// observe() one outcome at a time and rebuild from a whole matrix give identical tables.
class NaiveBayesTable {
 public:
  /// Every feature must be categorical (have categories).
  explicit NaiveBayesTable(std::vector<Feature> features);
  /// Counts one record's values as won or lost. Throws UsageError for a code that is not a category.
  void observe(std::span<const double> row, bool won);
  /// Counts every row of X with outcome y (1 = won, 0 = lost).
  void observe(MatrixView X, std::span<const double> y);
  /// Removes one observed outcome (a lead reopened); throws UsageError when it was never counted.
  void forget(std::span<const double> row, bool won);

  const std::vector<Feature>& features() const noexcept { return features_; }
  double won_total() const noexcept { return won_total_; }
  double lost_total() const noexcept { return lost_total_; }
  /// Raw (unsmoothed) counts of feature f, category c.
  double won(std::size_t f, std::size_t c) const { return won_.at(f).at(c); }
  double lost(std::size_t f, std::size_t c) const { return lost_.at(f).at(c); }
  bool operator==(const NaiveBayesTable&) const = default;

  /// The scoring model of the current tables. log-odds = log((W+s)/(L+s)) + sum over features
  /// with a known value of log((won_v+s)/(W+s)) - log((lost_v+s)/(L+s)), s = 0.1; predict gives
  /// the probability, explain the per-feature terms (base = the prior log-odds).
  Model model() const;

 private:
  void add(std::span<const double> row, bool won, double delta);
  std::vector<Feature> features_;
  std::vector<std::vector<double>> won_;
  std::vector<std::vector<double>> lost_;
  double won_total_ = 0.0;
  double lost_total_ = 0.0;
};

}  // namespace v0
}  // namespace hotcrm
