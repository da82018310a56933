#pragma once
// Revenue forecast per month: the seed's weighted pipeline (HotCRM's forecastRevenue: amount x
// probability, times 0.7 + 0.3 x the historical win rate), next to exponential smoothing of the
// monthly closed-won history with prediction intervals. See docs/scoring.md, "Revenue forecast".

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/store/database.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

/// Exponential smoothing with additive errors: simple (a level, ETS(A,N,N)) or Holt's linear trend
/// (a level and a trend, ETS(A,A,N)).
enum class SmoothingMethod : std::uint8_t { none, simple, holt };
std::string_view to_string(SmoothingMethod method) noexcept;

/// A smoothing model fitted to (or run over) a series y_0 .. y_{n-1}, in the state-space form:
///   forecast  f_t = l_{t-1} + b_{t-1},   error e_t = y_t - f_t,
///   level     l_t = l_{t-1} + b_{t-1} + alpha e_t,   trend b_t = b_{t-1} + beta e_t
/// (simple: b = 0, beta = 0). l_{-1} and b_{-1} are the initial states.
struct SmoothingFit {
  SmoothingMethod method = SmoothingMethod::none;
  double alpha = 0.0;
  double beta = 0.0;  ///< the state-space trend gain; Holt's beta* is beta / alpha
  double initial_level = 0.0;
  double initial_trend = 0.0;
  double level = 0.0;  ///< l_{n-1}: the state after the last observation
  double trend = 0.0;  ///< b_{n-1}
  double sse = 0.0;    ///< sum of squared one-step errors
  double mse = 0.0;    ///< sse / n: the error variance of the prediction intervals
  std::vector<double> fitted;  ///< f_t, the one-step-ahead forecasts
};

/// Fits by least squares, which is maximum likelihood for Gaussian additive errors (statsmodels'
/// ETSModel maximises the same likelihood): for each (alpha, beta) the initial states are the exact
/// least-squares solution (the errors are affine in them); alpha and beta* = beta / alpha are
/// searched over [1e-4, 1 - 1e-4] by a grid and then a shrinking pattern search. Deterministic.
/// Needs 2 observations for simple, 4 for holt (UsageError otherwise); NaN values are refused.
SmoothingFit fit_smoothing(std::span<const double> y, SmoothingMethod method);
/// Runs the recursions with the given parameters and initial states (no fitting).
SmoothingFit run_smoothing(std::span<const double> y, SmoothingMethod method, double alpha, double beta,
                           double initial_level, double initial_trend);

/// Point forecasts and prediction intervals for h = 1 .. horizon steps after the series.
struct SmoothingForecast {
  std::vector<double> mean;
  std::vector<double> lower;
  std::vector<double> upper;
  double coverage = 0.95;
};
/// mean_h = l + h b; the interval is mean_h -/+ z sqrt(mse v_h), z the normal quantile of
/// (1 + coverage) / 2 and v_h = 1 + (h-1)(alpha^2 + alpha beta h + beta^2 h (2h-1) / 6) (Hyndman and
/// Athanasopoulos, Forecasting: principles and practice, for ETS(A,A,N); simple: 1 + (h-1) alpha^2).
SmoothingForecast forecast_smoothing(const SmoothingFit& fit, int horizon, double coverage = 0.95);

/// The quantile of the standard normal distribution (p in (0, 1)).
double normal_quantile(double p);

struct ForecastOptions {
  int months = 12;             ///< months forecast, from the current month of the database clock
  std::string account_id;      ///< only this account's opportunities (empty: all)
  int history_months = 24;     ///< months of closed-won history before the current month
  bool trend = true;           ///< Holt's linear trend (with at least 6 months of history), else simple
  double coverage = 0.95;      ///< of the prediction intervals
};

/// One month of the forecast.
struct MonthForecast {
  Date month;                           ///< its first day
  std::int64_t opportunities = 0;       ///< not closed-lost opportunities closing in the month
  Decimal pipeline;                     ///< their amounts
  Decimal weighted;                     ///< sum of amount x probability (blank or 0: 100 if won, else 50) / 100
  Decimal forecast;                     ///< weighted x (0.7 + 0.3 x win rate), to the cent
  int confidence = 30;                  ///< min(95, 50 + 5 x opportunities), 30 without any
  std::int64_t expected_closed_deals = 0;  ///< round(opportunities x win rate)
  double smoothed = std::numeric_limits<double>::quiet_NaN();  ///< smoothing of the closed-won history
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
};

/// Closed-won revenue of one past month.
struct MonthRevenue {
  Date month;
  Decimal won;
  std::int64_t deals = 0;
};

struct RevenueForecast {
  std::int64_t won = 0;      ///< opportunities won with a close date in the last 365 days
  std::int64_t closed = 0;   ///< won or lost in the last 365 days
  double win_rate = 0.2;     ///< won / closed; 0.2 without any closed
  std::vector<MonthForecast> months;
  Decimal total;             ///< sum of the months' forecasts
  Decimal optimistic;        ///< total x 1.3
  Decimal conservative;      ///< total x 0.7
  std::vector<MonthRevenue> history;  ///< from the first month with a win in the window, zeros included
  SmoothingFit smoothing;    ///< method none with fewer than 3 months of history
};

/// The forecast of the standard opportunity object (stage options flagged won / lost, amount,
/// probability, close_date, account_id) at the database clock. Throws UsageError for bad options
/// or a catalog without those fields.
RevenueForecast forecast_revenue(Session& session, const ForecastOptions& options = {});

}  // namespace v0
}  // namespace hotcrm
