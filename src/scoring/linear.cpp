// Linear and logistic regression: kernels over row-major matrices, and the deterministic
// L2-regularised Newton (IRLS) trainer.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>
#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "hotcrm/scoring/registry.hpp"  // roc_auc
#include "scoring/model_data.hpp"

namespace hotcrm::detail {

namespace {

/// Dot product of one row with w, in a fixed order: four interleaved partial sums (vectorisable
/// without -ffast-math, and identical for every call).
inline double dot(const double* x, const double* w, std::size_t n) noexcept {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += x[j] * w[j];
    s1 += x[j + 1] * w[j + 1];
    s2 += x[j + 2] * w[j + 2];
    s3 += x[j + 3] * w[j + 3];
  }
  for (; j < n; ++j) s0 += x[j] * w[j];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

void apply_logistic(double* values, std::size_t n) noexcept {
  auto v = xt::adapt(values, n, xt::no_ownership(), std::array<std::size_t, 1>{n});
  v = 1.0 / (1.0 + xt::exp(-v));
}

void linear_raw(const LinearParams& p, MatrixView X, double* out) noexcept {
  const double* w = p.coef.data();
  const std::size_t n = X.cols;
  const double b = p.intercept;
  for (std::size_t r = 0; r < X.rows; ++r) out[r] = b + dot(X.data + r * n, w, n);
}

void linear_explain(const LinearParams& p, MatrixView X, double* contributions) noexcept {
  const std::array<std::size_t, 2> shape{X.rows, X.cols};
  auto x = xt::adapt(X.data, X.rows * X.cols, xt::no_ownership(), shape);
  auto phi = xt::adapt(contributions, X.rows * X.cols, xt::no_ownership(), shape);
  const std::array<std::size_t, 1> cshape{X.cols};
  auto w = xt::adapt(p.coef.data(), X.cols, xt::no_ownership(), cshape);
  auto mean = xt::adapt(p.mean.data(), X.cols, xt::no_ownership(), cshape);
  phi = (x - mean) * w;  // broadcast over rows
}

double linear_base(const LinearParams& p) noexcept {
  return p.intercept + dot(p.mean.data(), p.coef.data(), p.coef.size());
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

namespace {

/// Solves A x = b for a symmetric positive definite A (n x n, row-major) by Cholesky; A is
/// overwritten. Returns false when A is not positive definite.
bool cholesky_solve(std::vector<double>& A, std::vector<double>& b, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = A[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= A[j * n + k] * A[j * n + k];
    if (!(d > 0)) return false;
    d = std::sqrt(d);
    A[j * n + j] = d;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = A[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / d;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {  // L y = b
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= A[i * n + k] * b[k];
    b[i] = s / A[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {  // L^T x = y
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= A[k * n + i] * b[k];
    b[i] = s / A[i * n + i];
  }
  return true;
}

/// log(1 + exp(m)) without overflow.
inline double softplus(double m) noexcept { return m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)); }

struct Objective {
  double value;
  std::vector<double> margin;
};

/// sum_i [softplus(m_i) - y_i m_i] + l2/2 |w|^2, with the margins.
Objective objective(MatrixView X, std::span<const double> y, const std::vector<double>& theta, bool intercept,
                    double l2) {
  const std::size_t d = X.cols;
  Objective o{0.0, std::vector<double>(X.rows)};
  const double b = intercept ? theta[d] : 0.0;
  for (std::size_t r = 0; r < X.rows; ++r) {
    const double m = b + detail::dot(X.data + r * d, theta.data(), d);
    o.margin[r] = m;
    o.value += softplus(m) - y[r] * m;
  }
  double penalty = 0;
  for (std::size_t j = 0; j < d; ++j) penalty += theta[j] * theta[j];
  o.value += 0.5 * l2 * penalty;
  return o;
}

}  // namespace

TrainedModel train_logistic(std::vector<Feature> features, MatrixView X, std::span<const double> y,
                            const LogisticTrainOptions& options) {
  using detail::fail;
  detail::check_features(features, "train_logistic features");
  if (X.cols != features.size())
    fail(ErrorCode::usage, "train_logistic",
         fmt::format("{} features but the matrix has {} columns", features.size(), X.cols));
  if (X.rows == 0) fail(ErrorCode::usage, "train_logistic", "no training rows");
  if (y.size() != X.rows)
    fail(ErrorCode::usage, "train_logistic", fmt::format("{} labels for {} rows", y.size(), X.rows));
  if (!(options.l2 >= 0) || !std::isfinite(options.l2))
    fail(ErrorCode::usage, "train_logistic l2", "must be a finite number >= 0");
  if (options.max_iterations < 1) fail(ErrorCode::usage, "train_logistic max_iterations", "must be >= 1");
  for (std::size_t r = 0; r < X.rows; ++r) {
    if (y[r] != 0.0 && y[r] != 1.0)
      fail(ErrorCode::usage, "train_logistic", fmt::format("label {} of row {} is not 0 or 1", y[r], r));
    for (std::size_t c = 0; c < X.cols; ++c)
      if (!std::isfinite(X(r, c)))
        fail(ErrorCode::usage, "train_logistic",
             fmt::format("row {}, feature '{}' is not a finite number", r, features[c].name));
  }

  const std::size_t d = X.cols;
  const bool fit_b = options.fit_intercept;
  const std::size_t p = d + (fit_b ? 1 : 0);
  std::vector<double> theta(p, 0.0);
  Objective current = objective(X, y, theta, fit_b, options.l2);
  const double tolerance = options.tolerance * std::max(1.0, static_cast<double>(X.rows));

  TrainMetrics metrics;
  std::vector<double> gradient(p), hessian(p * p), step(p), xi(p);
  double last_step = 0.0;  // max |change of theta| / max(1, max |theta|) of the last iteration
  for (int iteration = 0;; ++iteration) {
    // Gradient and Hessian at theta, accumulated row by row in a fixed order.
    std::fill(gradient.begin(), gradient.end(), 0.0);
    std::fill(hessian.begin(), hessian.end(), 0.0);
    for (std::size_t r = 0; r < X.rows; ++r) {
      const double* row = X.data + r * d;
      std::copy(row, row + d, xi.begin());
      if (fit_b) xi[d] = 1.0;
      const double prob = 1.0 / (1.0 + std::exp(-current.margin[r]));
      const double residual = prob - y[r];
      const double weight = prob * (1.0 - prob);
      for (std::size_t i = 0; i < p; ++i) {
        gradient[i] += residual * xi[i];
        const double wi = weight * xi[i];
        for (std::size_t j = 0; j <= i; ++j) hessian[i * p + j] += wi * xi[j];
      }
    }
    for (std::size_t j = 0; j < d; ++j) {
      gradient[j] += options.l2 * theta[j];
      hessian[j * p + j] += options.l2;
    }
    for (std::size_t i = 0; i < p; ++i)
      for (std::size_t j = i + 1; j < p; ++j) hessian[i * p + j] = hessian[j * p + i];
    double gmax = 0;
    for (double g : gradient) gmax = std::max(gmax, std::fabs(g));
    metrics.gradient_norm = gmax;
    metrics.iterations = iteration;
    // Converged: a stationary point, reached by steps that have become small. (On separable data
    // without L2 the gradient also vanishes, but the weights keep growing: not converged.)
    if (gmax <= tolerance && last_step <= 1e-6) {
      metrics.converged = true;
      break;
    }
    if (iteration >= options.max_iterations) break;

    // Newton step H s = g (a tiny ridge keeps H definite when l2 = 0 and the data are degenerate).
    step = gradient;
    std::vector<double> h = hessian;
    if (!cholesky_solve(h, step, p)) {
      h = hessian;
      step = gradient;
      for (std::size_t i = 0; i < p; ++i) h[i * p + i] += 1e-8 * std::max(1.0, hessian[i * p + i]);
      if (!cholesky_solve(h, step, p)) break;
    }
    // Step halving until the objective does not increase.
    double t = 1.0;
    std::vector<double> candidate(p);
    bool moved = false;
    for (int halving = 0; halving < 60; ++halving, t *= 0.5) {
      for (std::size_t i = 0; i < p; ++i) candidate[i] = theta[i] - t * step[i];
      Objective next = objective(X, y, candidate, fit_b, options.l2);
      if (next.value <= current.value) {
        double change = 0, size = 1;
        for (std::size_t i = 0; i < p; ++i) {
          change = std::max(change, std::fabs(candidate[i] - theta[i]));
          size = std::max(size, std::fabs(candidate[i]));
        }
        last_step = change / size;
        theta = candidate;
        current = std::move(next);
        moved = true;
        break;
      }
    }
    if (!moved) {  // no descent possible at machine precision: a stationary point
      metrics.iterations = iteration + 1;
      metrics.converged = gmax <= 1e3 * tolerance;
      break;
    }
  }

  // Metrics on the training data.
  double loss = 0;
  for (std::size_t r = 0; r < X.rows; ++r) loss += softplus(current.margin[r]) - y[r] * current.margin[r];
  metrics.log_loss = loss / static_cast<double>(X.rows);
  metrics.auc = roc_auc(current.margin, y);

  // Background: the column means, summed in row order.
  const std::array<std::size_t, 2> shape{X.rows, X.cols};
  auto x = xt::adapt(X.data, X.rows * X.cols, xt::no_ownership(), shape);
  xt::xtensor<double, 1> means = xt::zeros<double>({d});
  for (std::size_t r = 0; r < X.rows; ++r) means += xt::view(x, r, xt::all());
  means /= static_cast<double>(X.rows);

  std::vector<double> coef(theta.begin(), theta.begin() + static_cast<std::ptrdiff_t>(d));
  const double intercept = fit_b ? theta[d] : 0.0;
  return {Model::logistic(std::move(features), std::move(coef), intercept,
                          std::vector<double>(means.begin(), means.end())),
          metrics};
}

}  // namespace v0
}  // namespace hotcrm
