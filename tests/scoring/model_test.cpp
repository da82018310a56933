// Tests for include/hotcrm/scoring/model.hpp: hand-computed models, exact Shapley values,
// serialisation and errors.

#include "hotcrm/scoring/model.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "hotcrm/error.hpp"
#include "support/fixtures.hpp"

using namespace hotcrm;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

double sigmoid(double m) { return 1.0 / (1.0 + std::exp(-m)); }

MatrixView view(const std::vector<double>& data, std::size_t cols) { return {data.data(), data.size() / cols, cols}; }

/// base + sum(contributions) == raw output, for every row.
void check_additive(const Model& model, MatrixView X, double tolerance = 1e-12) {
  const Explanation e = model.explain(X);
  const std::vector<double> raw = model.predict_raw(X);
  REQUIRE(e.rows == X.rows);
  REQUIRE(e.cols == X.cols);
  for (std::size_t r = 0; r < X.rows; ++r) {
    double sum = e.base;
    for (std::size_t c = 0; c < X.cols; ++c) sum += e.at(r, c);
    INFO("row " << r);
    CHECK(sum == doctest::Approx(raw[r]).epsilon(tolerance));
  }
}

// (Named so because two test cases below name their own parse-and-report lambdas error_of.)
std::string message_of(const std::function<void()>& fn) { return test::error_of(fn); }

}  // namespace

TEST_CASE("linear model: hand-computed outputs and explanation" * doctest::test_suite("scoring")) {
  const Model m = Model::linear(numeric_features({"a", "b"}), {2.0, -1.0}, 0.5, {1.0, 1.0});
  const std::vector<double> x = {3, 4, 0, 0, -1, 2.5};
  const auto X = view(x, 2);
  CHECK(m.kind() == ModelKind::linear);
  CHECK_FALSE(m.outputs_probability());
  const auto out = m.predict(X);
  CHECK(out[0] == 2.5);  // 0.5 + 6 - 4
  CHECK(out[1] == 0.5);
  CHECK(out[2] == -4.0);  // 0.5 - 2 - 2.5
  const Explanation e = m.explain(X);
  CHECK(e.base == 1.5);  // w·mean + b
  CHECK(e.at(0, 0) == 4.0);
  CHECK(e.at(0, 1) == -3.0);
  CHECK(e.at(2, 0) == -4.0);
  CHECK(e.at(2, 1) == -1.5);
  check_additive(m, X);
}

TEST_CASE("logistic model: probability out, log-odds explanation" * doctest::test_suite("scoring")) {
  const Model m = Model::logistic(numeric_features({"a", "b", "c", "d", "e"}), {0.5, -0.25, 1, 0, 2}, -1.0);
  std::vector<double> x(5 * 7);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<double>(i)) * 3;
  const auto X = view(x, 5);
  const auto p = m.predict(X);
  const auto raw = m.predict_raw(X);
  for (std::size_t r = 0; r < X.rows; ++r) {
    const double margin = -1.0 + 0.5 * X(r, 0) - 0.25 * X(r, 1) + X(r, 2) + 2 * X(r, 4);
    CHECK(raw[r] == doctest::Approx(margin).epsilon(1e-14));
    CHECK(p[r] == doctest::Approx(sigmoid(margin)).epsilon(1e-14));
  }
  CHECK(m.outputs_probability());
  check_additive(m, X);
}

TEST_CASE("linear models refuse bad shapes, NaN and bad parameters" * doctest::test_suite("scoring")) {
  const Model m = Model::logistic(numeric_features({"a", "b"}), {1, 2}, 0);
  const std::vector<double> three = {1, 2, 3};
  CHECK(message_of([&] { (void)m.predict(view(three, 3)); }).find("expects 2 feature columns, the matrix has 3") !=
        std::string::npos);
  const std::vector<double> with_nan = {1, 2, 3, kNaN};
  const std::string nan_message = message_of([&] { (void)m.predict(view(with_nan, 2)); });
  CHECK(nan_message.find("row 1, feature 'b' is missing") != std::string::npos);
  CHECK(message_of([&] { (void)m.explain(view(with_nan, 2)); }).find("feature 'b'") != std::string::npos);
  std::vector<double> out(1);
  CHECK_THROWS_AS(m.predict(view(three, 3)), UsageError);
  CHECK_THROWS_AS(m.predict(MatrixView{three.data(), 1, 2}, std::span<double>(out.data(), 0)), UsageError);
  CHECK_THROWS_AS(Model::linear(numeric_features(2), {1}, 0), UsageError);
  CHECK_THROWS_AS(Model::linear(numeric_features(2), {1, kNaN}, 0), UsageError);
  CHECK_THROWS_AS(Model::linear({{"a", {}}, {"a", {}}}, {1, 2}, 0), UsageError);
  CHECK_THROWS_AS(Model::linear({}, {}, 0), UsageError);
}

TEST_CASE("points scorecard: bands, categories, missing, weights" * doctest::test_suite("scoring")) {
  std::vector<Feature> features = {{"employees", {}}, {"industry", {"technology", "finance", "retail"}}};
  std::vector<PointsRule> rules(2);
  rules[0] = {{10, 100}, {0, 5, 10}, -2, 1.0};  // <10: 0, [10,100): 5, >=100: 10, missing: -2
  rules[1] = {{}, {20, 10, 0}, 1, 0.5};          // weighted by one half
  const Model m = Model::points(features, rules, 50);
  const std::vector<double> x = {5, 0, 10, 1, 99.9, 2, 100, kNaN, kNaN, 7, 1e9, 1.5};
  const auto X = view(x, 2);
  const auto out = m.predict(X);
  CHECK(out[0] == 50 + 0 + 10);
  CHECK(out[1] == 50 + 5 + 5);
  CHECK(out[2] == 50 + 5 + 0);
  CHECK(out[3] == 50 + 10 + 0.5);  // missing category
  CHECK(out[4] == 50 - 2 + 0.5);   // missing number, unknown code
  CHECK(out[5] == 50 + 10 + 0.5);  // 1.5 is not a code
  const Explanation e = m.explain(X);
  CHECK(e.base == 50);
  CHECK(e.at(0, 1) == 10);
  CHECK(e.at(4, 0) == -2);
  check_additive(m, X);

  const TopFactors top = m.top_factors(X, 0, 2);
  REQUIRE(top.positive.size() == 1);
  CHECK(top.positive[0].to_string() == "industry = technology: +10.00");
  CHECK(top.negative.empty());
  CHECK(m.top_factors(X, 4, 1).negative.at(0).to_string() == "employees = missing: -2.00");

  rules[0].edges = {100, 10};
  CHECK(message_of([&] { (void)Model::points(features, rules); }).find("strictly ascending") != std::string::npos);
  rules[0] = {{10}, {1, 2, 3}, 0, 1};
  CHECK(message_of([&] { (void)Model::points(features, rules); }).find("1 band edges need 2 points") !=
        std::string::npos);
}

TEST_CASE("naive Bayes: Odoo-style frequencies, incremental == rebuild" * doctest::test_suite("scoring")) {
  std::vector<Feature> features = {{"source", {"web", "referral", "event"}}, {"country", {"fr", "be"}}};
  // 6 leads: (source, country, won)
  const std::vector<double> x = {0, 0, 0, 1, 1, 0, 2, kNaN, 1, 1, 0, 0};
  const std::vector<double> y = {1, 0, 1, 1, 0, 0};
  NaiveBayesTable rebuilt(features);
  rebuilt.observe(view(x, 2), y);
  NaiveBayesTable incremental(features);
  for (std::size_t r = 0; r < 6; ++r) incremental.observe(view(x, 2).row(r), y[r] == 1);
  CHECK(incremental == rebuilt);
  CHECK(rebuilt.won_total() == 3);
  CHECK(rebuilt.lost_total() == 3);
  CHECK(rebuilt.won(0, 0) == 1);   // web won once (row 0)
  CHECK(rebuilt.lost(0, 0) == 2);  // rows 1, 5
  CHECK(rebuilt.won(1, 0) == 2);   // fr: rows 0 and 2 won, row 5 lost
  const Model m = rebuilt.model();
  CHECK(m.kind() == ModelKind::naive_bayes);

  // Hand computation for (web, be): prior (3.1/3.1) * ((1.1/3.1)/(2.1/3.1)) * ((be won + .1)/(be lost + .1))
  const double be_won = rebuilt.won(1, 1), be_lost = rebuilt.lost(1, 1);
  const double odds = (3.1 / 3.1) * ((1.1 / 3.1) / (2.1 / 3.1)) * (((be_won + 0.1) / 3.1) / ((be_lost + 0.1) / 3.1));
  const std::vector<double> q = {0, 1, kNaN, kNaN, 2, 7};
  const auto p = m.predict(view(q, 2));
  CHECK(p[0] == doctest::Approx(odds / (1 + odds)).epsilon(1e-14));
  CHECK(p[1] == doctest::Approx(0.5));  // nothing known: the prior, 3 won / 3 lost
  check_additive(m, view(q, 2));
  CHECK(m.explain(view(q, 2)).at(2, 1) == 0.0);  // unknown code 7 contributes nothing

  // Updating the model incrementally by one outcome == rebuilding with that row appended.
  std::vector<double> x2 = x;
  x2.insert(x2.end(), {2, 1});
  std::vector<double> y2 = y;
  y2.push_back(1);
  NaiveBayesTable again(features);
  again.observe(view(x2, 2), y2);
  incremental.observe(std::vector<double>{2, 1}, true);
  CHECK(incremental == again);
  CHECK(incremental.model().predict(view(q, 2)) == again.model().predict(view(q, 2)));
  incremental.forget(std::vector<double>{2, 1}, true);
  CHECK(incremental == rebuilt);

  CHECK_THROWS_AS(incremental.observe(std::vector<double>{3, 0}, true), UsageError);
  CHECK(incremental == rebuilt);  // refused rows change nothing
  CHECK_THROWS_AS(incremental.forget(std::vector<double>{2, 1}, false), UsageError);
  CHECK_THROWS_AS(NaiveBayesTable(numeric_features(2)), UsageError);
  const std::vector<double> bad_y = {1, 0, 2, 1, 0, 0};
  CHECK_THROWS_AS(rebuilt.observe(view(x, 2), bad_y), UsageError);
}

// ---- trees -----------------------------------------------------------------------------------

namespace {

TreeNode split(std::int32_t feature, double threshold, std::int32_t left, std::int32_t right, double cover,
               bool default_left = true) {
  TreeNode n;
  n.feature = feature;
  n.threshold = threshold;
  n.left = left;
  n.right = right;
  n.cover = cover;
  n.default_left = default_left;
  return n;
}

TreeNode leaf(double value, double cover) {
  TreeNode n;
  n.value = value;
  n.cover = cover;
  return n;
}

/// A random tree over `features` features, up to `depth` levels, covers consistent (parent = sum).
void grow(Tree& tree, std::mt19937_64& rng, int depth, std::size_t features, std::size_t at, double cover) {
  std::uniform_real_distribution<double> unit(0, 1);
  if (depth == 0 || unit(rng) < 0.15) {
    tree.nodes[at] = leaf(std::round(unit(rng) * 200 - 100) / 16, cover);
    return;
  }
  const auto left = static_cast<std::int32_t>(tree.nodes.size());
  tree.nodes.resize(tree.nodes.size() + 2);
  const double share = std::round((0.1 + 0.8 * unit(rng)) * 64) / 64;  // exact binary fractions
  tree.nodes[at] = split(static_cast<std::int32_t>(rng() % features), std::round(unit(rng) * 8 - 4) / 4, left,
                         left + 1, cover, rng() % 2 == 0);
  grow(tree, rng, depth - 1, features, static_cast<std::size_t>(left), cover * share);
  grow(tree, rng, depth - 1, features, static_cast<std::size_t>(left) + 1, cover * (1 - share));
}

/// Reference traversal: x <= t goes left (less_equal), NaN follows default_left.
double walk(const Tree& tree, const double* x) {
  std::size_t i = 0;
  while (!tree.nodes[i].is_leaf()) {
    const TreeNode& n = tree.nodes[i];
    const double v = x[n.feature];
    const bool left = std::isnan(v) ? n.default_left : v <= n.threshold;
    i = static_cast<std::size_t>(left ? n.left : n.right);
  }
  return tree.nodes[i].value;
}

/// E[f(x) | x_S] as TreeSHAP defines it (Lundberg et al. 2018, Algorithm 1): features in S follow
/// x, the others average their children by cover.
double expected_value(const Tree& tree, std::size_t node, const double* x, unsigned subset) {
  const TreeNode& n = tree.nodes[node];
  if (n.is_leaf()) return n.value;
  if (subset & (1u << n.feature)) {
    const double v = x[n.feature];
    const bool left = std::isnan(v) ? n.default_left : v <= n.threshold;
    return expected_value(tree, static_cast<std::size_t>(left ? n.left : n.right), x, subset);
  }
  const auto& l = tree.nodes[static_cast<std::size_t>(n.left)];
  const auto& r = tree.nodes[static_cast<std::size_t>(n.right)];
  return (expected_value(tree, static_cast<std::size_t>(n.left), x, subset) * l.cover +
          expected_value(tree, static_cast<std::size_t>(n.right), x, subset) * r.cover) /
         n.cover;
}

/// Shapley values by enumerating every coalition.
std::vector<double> brute_force_shap(const std::vector<Tree>& trees, const double* x, std::size_t m) {
  std::vector<double> phi(m, 0.0);
  std::vector<double> factorial(m + 1, 1.0);
  for (std::size_t i = 1; i <= m; ++i) factorial[i] = factorial[i - 1] * static_cast<double>(i);
  for (std::size_t i = 0; i < m; ++i)
    for (unsigned s = 0; s < (1u << m); ++s) {
      if (s & (1u << i)) continue;
      const auto size = static_cast<std::size_t>(__builtin_popcount(s));
      const double weight = factorial[size] * factorial[m - size - 1] / factorial[m];
      for (const Tree& t : trees)
        phi[i] += weight * (expected_value(t, 0, x, s | (1u << i)) - expected_value(t, 0, x, s));
    }
  return phi;
}

}  // namespace

TEST_CASE("tree ensemble: a hand-computed stump and its Shapley value" * doctest::test_suite("scoring")) {
  TreeEnsemble e;
  e.split = TreeSplit::less_equal;
  e.link = Link::identity;
  e.base_margin = 0.25;
  e.trees.push_back({{split(0, 1.5, 1, 2, 4, false), leaf(1, 3), leaf(5, 1)}});
  const Model m = Model::tree_ensemble(numeric_features({"x", "unused"}), e);
  const std::vector<double> x = {1.5, 9, 2, 9, kNaN, 9};
  const auto out = m.predict(view(x, 2));
  CHECK(out == std::vector<double>{1.25, 5.25, 5.25});  // NaN goes right (default_left = false)
  const Explanation ex = m.explain(view(x, 2));
  CHECK(ex.base == 0.25 + 2.0);  // expected leaf: (1*3 + 5*1) / 4
  CHECK(ex.at(0, 0) == -1.0);
  CHECK(ex.at(1, 0) == 3.0);
  CHECK(ex.at(0, 1) == 0.0);
}

TEST_CASE("tree ensemble: split rules follow each library" * doctest::test_suite("scoring")) {
  // threshold 0.1 as a double; float(0.1) > 0.1, so x = 0.1 goes left for less_f32 (0.1f < 0.1f is
  // false... both round to the same float: right), and for less_equal_f32 float(0.1) > 0.1: right.
  const double t = 0.1;
  TreeEnsemble e;
  e.link = Link::identity;
  e.trees.push_back({{split(0, t, 1, 2, 2), leaf(-1, 1), leaf(1, 1)}});
  const std::vector<double> x = {0.1, 0.09999999, std::nextafter(0.1, 1.0)};
  e.split = TreeSplit::less_equal;
  CHECK(Model::tree_ensemble(numeric_features(1), e).predict(view(x, 1)) == std::vector<double>{-1, -1, 1});
  e.split = TreeSplit::less_f32;  // float(x) < float(t): 0.1 and 0.1+ulp both round to float(0.1)
  CHECK(Model::tree_ensemble(numeric_features(1), e).predict(view(x, 1)) == std::vector<double>{1, -1, 1});
  e.split = TreeSplit::less_equal_f32;  // double(float(x)) <= 0.1: float(0.1) = 0.100000001 > 0.1
  CHECK(Model::tree_ensemble(numeric_features(1), e).predict(view(x, 1)) == std::vector<double>{1, -1, 1});

  e.split = TreeSplit::less_equal_f32;
  e.missing = MissingRule::error;
  const Model gb = Model::tree_ensemble(numeric_features({"a", "b"}), e);
  const std::vector<double> nan_unused = {0.0, kNaN};
  CHECK(gb.predict(view(nan_unused, 2)) == std::vector<double>{-1});  // b is never split on
  const std::vector<double> nan_used = {0.0, 1.0, kNaN, 1.0};
  CHECK(message_of([&] { (void)gb.predict(view(nan_used, 2)); }).find("row 1, feature 'a' is missing") !=
        std::string::npos);
  CHECK_THROWS_AS((void)gb.explain(view(nan_used, 2)), UsageError);
}

TEST_CASE("TreeSHAP equals brute-force Shapley values and prediction a reference walk" *
          doctest::test_suite("scoring")) {
  std::mt19937_64 rng(20240501);
  const std::size_t m = 5;
  for (int depth : {1, 3, 6, 12}) {  // 12: deeper than the perfect layout, the node-array path
    TreeEnsemble e;
    e.split = TreeSplit::less_equal;
    e.link = Link::logistic;
    e.base_margin = -0.5;
    for (int t = 0; t < 6; ++t) {
      Tree tree;
      tree.nodes.resize(1);
      grow(tree, rng, depth, m, 0, 1024);
      e.trees.push_back(std::move(tree));
    }
    const Model model = Model::tree_ensemble(numeric_features(m), e);
    std::vector<double> x(m * 40);
    std::uniform_real_distribution<double> value(-5, 5);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = i % 7 == 3 ? kNaN : std::round(value(rng) * 4) / 4;
    const auto X = view(x, m);
    const auto raw = model.predict_raw(X);
    const auto prob = model.predict(X);
    const Explanation ex = model.explain(X);
    double expected_base = e.base_margin;
    for (const Tree& tree : e.trees) expected_base += expected_value(tree, 0, X.data, 0);
    CHECK(ex.base == doctest::Approx(expected_base).epsilon(1e-12));
    for (std::size_t r = 0; r < X.rows; ++r) {
      INFO("depth " << depth << " row " << r);
      double reference = e.base_margin;
      for (const Tree& tree : e.trees) reference += walk(tree, X.data + r * m);
      CHECK(raw[r] == doctest::Approx(reference).epsilon(1e-14));
      CHECK(prob[r] == doctest::Approx(sigmoid(reference)).epsilon(1e-14));
      const auto phi = brute_force_shap(e.trees, X.data + r * m, m);
      for (std::size_t c = 0; c < m; ++c) CHECK(ex.at(r, c) == doctest::Approx(phi[c]).epsilon(1e-10));
    }
    check_additive(model, X, 1e-10);
  }
}

TEST_CASE("tree ensembles refuse malformed trees, naming the node" * doctest::test_suite("scoring")) {
  TreeEnsemble e;
  e.trees.push_back({{split(0, 1, 1, 2, 2), leaf(1, 1), leaf(2, 1)}});
  e.trees.push_back({{split(0, 1, 1, 0, 2), leaf(1, 1)}});
  CHECK(message_of([&] { (void)Model::tree_ensemble(numeric_features(1), e); })
            .find("trees[1].nodes[0]: child 0 must be a node after this one") != std::string::npos);
  e.trees[1] = {{split(3, 1, 1, 2, 2), leaf(1, 1), leaf(2, 1)}};
  CHECK(message_of([&] { (void)Model::tree_ensemble(numeric_features(1), e); })
            .find("split feature 3 is not one of the model's 1 features") != std::string::npos);
  e.trees[1] = {{split(0, 1, 1, 2, 0), leaf(1, 1), leaf(2, 1)}};
  CHECK(message_of([&] { (void)Model::tree_ensemble(numeric_features(1), e); }).find("cover > 0") !=
        std::string::npos);
  e.trees[1] = {{leaf(1, 1), leaf(2, 1)}};
  CHECK(message_of([&] { (void)Model::tree_ensemble(numeric_features(1), e); }).find("unreachable") !=
        std::string::npos);
}

// ---- trainer ---------------------------------------------------------------------------------

namespace {

struct Dataset {
  std::vector<double> x;
  std::vector<double> y;
};

/// n rows, 3 features; labels from a noisy (or exact, when separable) linear rule.
Dataset make_dataset(std::size_t n, bool separable, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  Dataset d;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = normal(rng), b = normal(rng), c = normal(rng) * 3 + 1;
    d.x.insert(d.x.end(), {a, b, c});
    const double margin = 1.5 * a - 2 * b + 0.1 * c + (separable ? 0 : normal(rng) * 1.5);
    d.y.push_back(margin > (separable ? 0.0 : 0.2) ? 1 : 0);
  }
  return d;
}

}  // namespace

TEST_CASE("train_logistic: converges, is deterministic, reports metrics" * doctest::test_suite("scoring")) {
  const Dataset noisy = make_dataset(2000, false, 7);
  const auto X = view(noisy.x, 3);
  const TrainedModel a = train_logistic(numeric_features({"a", "b", "c"}), X, noisy.y, {.l2 = 1.0});
  const TrainedModel b = train_logistic(numeric_features({"a", "b", "c"}), X, noisy.y, {.l2 = 1.0});
  CHECK(a.metrics.converged);
  CHECK(a.metrics.iterations < 15);
  CHECK(a.model.to_json() == b.model.to_json());  // bit-identical
  CHECK(a.metrics.log_loss == b.metrics.log_loss);
  CHECK(a.metrics.auc > 0.8);
  CHECK(a.metrics.auc < 1.0);
  // Stationarity: the gradient of the objective is zero at the solution.
  const auto p = a.model.predict(X);
  std::vector<double> gradient(4, 0.0);
  for (std::size_t r = 0; r < X.rows; ++r) {
    for (std::size_t c = 0; c < 3; ++c) gradient[c] += (p[r] - noisy.y[r]) * X(r, c);
    gradient[3] += p[r] - noisy.y[r];
  }
  const Explanation e = a.model.explain(X);
  std::vector<double> w(3);
  {
    // Recover w from the explanation of a unit step: phi_j(x + e_j) - phi_j(x) = w_j.
    std::vector<double> unit = {0, 0, 0, 1, 1, 1};
    const Explanation u = a.model.explain(view(unit, 3));
    for (std::size_t c = 0; c < 3; ++c) w[c] = u.at(1, c) - u.at(0, c);
  }
  for (std::size_t c = 0; c < 3; ++c) CHECK(std::fabs(gradient[c] + 1.0 * w[c]) < 1e-5);
  CHECK(std::fabs(gradient[3]) < 1e-5);
  CHECK(w[0] > 0.5);
  CHECK(w[1] < -0.5);
  check_additive(a.model, X, 1e-12);
  // The background is the column means: the mean explanation is zero.
  for (std::size_t c = 0; c < 3; ++c) {
    double mean = 0;
    for (std::size_t r = 0; r < X.rows; ++r) mean += e.at(r, c);
    CHECK(std::fabs(mean / static_cast<double>(X.rows)) < 1e-12);
  }
}

TEST_CASE("train_logistic on separable data: L2 keeps it finite, without L2 it cannot converge" *
          doctest::test_suite("scoring")) {
  const Dataset sep = make_dataset(300, true, 11);
  const auto X = view(sep.x, 3);
  const TrainedModel ridge = train_logistic(numeric_features(3), X, sep.y, {.l2 = 0.1});
  CHECK(ridge.metrics.converged);
  CHECK(ridge.metrics.auc == 1.0);
  const TrainedModel none = train_logistic(numeric_features(3), X, sep.y, {.l2 = 0.0, .max_iterations = 25});
  CHECK_FALSE(none.metrics.converged);
  CHECK(none.metrics.log_loss < ridge.metrics.log_loss);
  CHECK(none.metrics.log_loss < 1e-3);

  const std::vector<double> bad_y(300, 0.5);
  CHECK_THROWS_AS(train_logistic(numeric_features(3), X, bad_y), UsageError);
  std::vector<double> with_nan = sep.x;
  with_nan[4] = kNaN;
  CHECK(message_of([&] { (void)train_logistic(numeric_features(3), view(with_nan, 3), sep.y); })
            .find("row 1, feature 'f1' is not a finite number") != std::string::npos);
}

// ---- JSON ------------------------------------------------------------------------------------

TEST_CASE("every model kind round-trips through JSON" * doctest::test_suite("scoring")) {
  std::vector<Feature> cat = {{"source", {"web", "referral"}}, {"size", {}}};
  std::vector<PointsRule> rules = {{{}, {3, 7}, 0, 2}, {{10, 20}, {1, 2, 3}, -1, 1}};
  NaiveBayesTable table({{"source", {"web", "referral"}}, {"country", {"fr", "be", "de"}}});
  table.observe(std::vector<double>{0, 2}, true);
  table.observe(std::vector<double>{1, kNaN}, false);
  TreeEnsemble e;
  e.split = TreeSplit::less_f32;
  e.base_margin = 0.125;
  e.trees.push_back({{split(1, 15, 1, 2, 3, false), leaf(0.5, 2), leaf(-0.75, 1)}});
  const std::vector<Model> models = {
      Model::linear(numeric_features({"a", "b"}), {1.5, -2}, 0.25, {0.1, 0.2}),
      Model::logistic(numeric_features({"a", "b"}), {0.1 + 0.2, -1e-17}, 3),
      Model::points(cat, rules, 10),
      table.model(),
      Model::tree_ensemble(numeric_features({"a", "b"}), e),
  };
  const std::vector<double> x = {0, 12, 1, 25, kNaN, kNaN, 1, 3};
  for (const Model& m : models) {
    INFO(to_string(m.kind()));
    const Model back = Model::from_json(m.to_json(2));
    CHECK(back.kind() == m.kind());
    CHECK(back.features() == m.features());
    CHECK(back.to_json() == m.to_json());
    if (m.kind() == ModelKind::linear || m.kind() == ModelKind::logistic) continue;  // NaN refused
    CHECK(back.predict(view(x, 2)) == m.predict(view(x, 2)));
    CHECK(back.explain(view(x, 2)).contributions == m.explain(view(x, 2)).contributions);
  }
}

TEST_CASE("malformed model JSON names the JSON path" * doctest::test_suite("scoring")) {
  const std::string good = Model::logistic(numeric_features({"a", "b"}), {1, 2}, 0).to_json();
  auto error_of = [](const std::string& text) { return message_of([&] { (void)Model::from_json(text); }); };
  CHECK(error_of("{").find("not valid JSON") != std::string::npos);
  CHECK(error_of(R"({"format": "hotcrm.model", "version": 1, "kind": "logistic", "features": [{"name": "a"}],
                   "coef": [1, "x"], "intercept": 0})")
            .find("/coef/1: expected a number") != std::string::npos);
  CHECK(error_of(R"({"format": "hotcrm.model", "version": 1, "kind": "logistic", "features": [{"nome": "a"}],
                   "coef": [1], "intercept": 0})")
            .find("/features/0/name: missing") != std::string::npos);
  CHECK(error_of(R"({"format": "hotcrm.model", "version": 1, "kind": "forest", "features": []})")
            .find("/kind: unknown model kind 'forest'") != std::string::npos);
  CHECK(error_of(R"({"format": "hotcrm.model", "version": 1, "kind": "tree_ensemble", "features": [{"name": "a"}],
                   "base_margin": 0, "link": "logistic", "split": "less_f32", "missing": "default_child",
                   "trees": [{"left": [1, -1], "right": [2, -1], "feature": [0, -1], "threshold": [0, 0],
                              "value": [0, 1], "cover": [1, 1], "default_left": [1, 0]}]})")
            .find("/trees/0: trees[0].nodes[0]: child 2 must be a node after this one (and < 2)") !=
        std::string::npos);
  CHECK(error_of(R"({"format": "hotcrm.model", "version": 1, "kind": "tree_ensemble", "features": [{"name": "a"}],
                   "base_margin": 0, "link": "logistic", "split": "less_f32", "missing": "default_child",
                   "trees": [{"left": [-1], "right": [-1, 2], "feature": [0], "threshold": [0],
                              "value": [0], "cover": [1], "default_left": [1]}]})")
            .find("/trees/0/right: 2 entries, 'left' has 1") != std::string::npos);
  CHECK(error_of(R"({"format": "hotcrm.model", "version": 1, "kind": "points", "features": [{"name": "a"}],
                   "rules": [{"edges": [1], "points": [1]}]})")
            .find("/rules: points rules[0] ('a'): 1 band edges need 2 points") != std::string::npos);
  std::string wrong_version = good;
  wrong_version.replace(wrong_version.find("\"version\":1"), 11, "\"version\":9");
  CHECK(error_of(wrong_version).find("model format version 9 is not supported") != std::string::npos);
  try {
    (void)Model::from_json("[]");
    FAIL("no error");
  } catch (const UsageError& e) {
    CHECK(e.code() == ErrorCode::parse);
  }
}

TEST_CASE("XGBoost JSON: a hand-written two-tree model" * doctest::test_suite("scoring")) {
  // Tree 0 splits f1 < 0.5 (missing -> left); tree 1 is a single leaf.
  const std::string doc = R"({"learner": {
    "feature_names": ["age", "visits"],
    "learner_model_param": {"base_score": "2.5E-1", "num_class": "0", "num_feature": "2", "num_target": "1"},
    "objective": {"name": "binary:logistic"},
    "gradient_booster": {"name": "gbtree", "model": {"tree_info": [0, 0], "trees": [
      {"left_children": [1, -1, -1], "right_children": [2, -1, -1], "split_indices": [1, 0, 0],
       "split_conditions": [0.5, -0.4, 0.3], "default_left": [1, 0, 0], "base_weights": [0, -1, 1],
       "sum_hessian": [10, 4, 6]},
      {"left_children": [-1], "right_children": [-1], "split_indices": [0], "split_conditions": [0.1],
       "default_left": [0], "base_weights": [0.3], "sum_hessian": [10]}]}}},
    "version": [1, 7, 4]})";
  const Model m = Model::from_xgboost_json(doc);
  CHECK(m.kind() == ModelKind::tree_ensemble);
  CHECK(m.features()[1].name == "visits");
  const double base = -std::log(1.0f / 0.25f - 1.0f);
  const std::vector<double> x = {0, 0.25, 0, 0.5, 0, kNaN};
  const auto raw = m.predict_raw(view(x, 2));
  CHECK(raw[0] == doctest::Approx(base - 0.4 + 0.1));
  CHECK(raw[1] == doctest::Approx(base + 0.3 + 0.1));
  CHECK(raw[2] == doctest::Approx(base - 0.4 + 0.1));
  const Explanation e = m.explain(view(x, 2));
  CHECK(e.base == doctest::Approx(base + (-0.4 * 4 + 0.3 * 6) / 10 + 0.1));
  CHECK(e.at(0, 1) == doctest::Approx(-0.4 - 0.02));
  check_additive(m, view(x, 2));

  auto error_of = [](const std::string& text) { return message_of([&] { (void)Model::from_xgboost_json(text); }); };
  std::string broken = doc;
  broken.replace(broken.find("\"split_indices\": [1, 0, 0]"), 26, "\"split_indices\": [1, 0, 9]");
  CHECK(error_of(broken).find("/learner/gradient_booster/model/trees/0/split_indices/2: feature 9 is not below") !=
        std::string::npos);
  std::string multiclass = doc;
  multiclass.replace(multiclass.find("\"num_class\": \"0\""), 16, "\"num_class\": \"3\"");
  CHECK(error_of(multiclass).find("multi-class XGBoost models are not supported") != std::string::npos);
  std::string objective = doc;
  objective.replace(objective.find("binary:logistic"), 15, "rank:pairwise");
  CHECK(error_of(objective).find("/learner/objective/name: objective 'rank:pairwise' is not supported") !=
        std::string::npos);
  CHECK(error_of(R"({"learner": {}})").find("/learner/learner_model_param: missing") != std::string::npos);
  CHECK_THROWS_AS(Model::load_xgboost("/nonexistent/model.json"), Error);
}

TEST_CASE("infinite thresholds survive JSON and top factors come from an explanation" * doctest::test_suite("scoring")) {
  // scikit-learn splits missing values off with threshold +inf: every number goes left.
  TreeEnsemble e;
  e.split = TreeSplit::less_equal;
  e.link = Link::identity;
  e.trees.push_back({{split(0, std::numeric_limits<double>::infinity(), 1, 2, 4, false), leaf(1, 3), leaf(-2, 1)}});
  const Model m = Model::tree_ensemble({{"industry", {"technology", "finance"}}}, e);
  const std::string text = m.to_json();
  CHECK(text.find("\"threshold\":[\"inf\",0.0,0.0]") != std::string::npos);
  const Model back = Model::from_json(text);
  const std::vector<double> x = {1e300, kNaN, 0};
  CHECK(back.predict(view(x, 1)) == std::vector<double>{1, -2, 1});
  CHECK(back.predict(view(x, 1)) == m.predict(view(x, 1)));
  const Explanation ex = m.explain(view(x, 1));
  const TopFactors top = m.top_factors(ex, view(x, 1), 1, 3);
  REQUIRE(top.negative.size() == 1);
  CHECK(top.negative[0].to_string() == "industry = missing: -2.25");
  CHECK(m.top_factors(ex, view(x, 1), 2).positive.at(0).to_string() == "industry = technology: +0.75");
  CHECK_THROWS_AS((void)m.top_factors(ex, view(x, 1), 3), UsageError);
}

TEST_CASE("the prediction kernel's double thresholds reproduce float32 comparisons exactly" *
          doctest::test_suite("scoring")) {
  // The kernel compares x <= t' with t' derived from each library's rule; check it on the values
  // where float rounding decides: the threshold, its neighbours, float neighbours and midpoints.
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> mantissa(1, 2);
  std::uniform_int_distribution<int> exponent(-30, 30);
  for (TreeSplit rule : {TreeSplit::less_f32, TreeSplit::less_equal_f32, TreeSplit::less_equal}) {
    for (int trial = 0; trial < 300; ++trial) {
      double t = std::ldexp(mantissa(rng), exponent(rng)) * (trial % 2 ? -1 : 1);
      if (trial % 3 == 0) t = static_cast<double>(static_cast<float>(t));  // a float threshold
      TreeEnsemble e;
      e.split = rule;
      e.link = Link::identity;
      e.trees.push_back({{split(0, t, 1, 2, 2), leaf(-1, 1), leaf(1, 1)}});
      const Model m = Model::tree_ensemble(numeric_features(1), e);
      const float f = static_cast<float>(t);
      const float below = std::nextafter(f, -INFINITY), above = std::nextafter(f, INFINITY);
      std::vector<double> x = {t, std::nextafter(t, -INFINITY), std::nextafter(t, INFINITY), f, below, above,
                               (static_cast<double>(f) + below) / 2, (static_cast<double>(f) + above) / 2, 0.0,
                               -0.0, INFINITY, -INFINITY};
      for (std::size_t i = 0, n = x.size(); i < n; ++i) {
        x.push_back(std::nextafter(x[i], -INFINITY));
        x.push_back(std::nextafter(x[i], INFINITY));
      }
      const auto out = m.predict(MatrixView{x.data(), x.size(), 1});
      for (std::size_t i = 0; i < x.size(); ++i) {
        bool left;
        if (rule == TreeSplit::less_f32) left = static_cast<float>(x[i]) < f;
        else if (rule == TreeSplit::less_equal_f32) left = static_cast<double>(static_cast<float>(x[i])) <= t;
        else left = x[i] <= t;
        INFO("rule " << static_cast<int>(rule) << " t " << t << " x " << x[i]);
        CHECK(out[i] == (left ? -1.0 : 1.0));
      }
    }
  }
}
