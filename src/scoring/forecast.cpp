// Revenue forecast: the seed's weighted pipeline per month in exact decimals, and exponential
// smoothing (simple or Holt's linear trend, fitted by least squares) of the monthly closed-won
// history with prediction intervals.
#include "core/numeric.hpp"
#include "store/impl.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/scoring/forecast.hpp"

namespace hotcrm {
inline namespace v0 {

std::string_view to_string(SmoothingMethod method) noexcept {
  switch (method) {
    case SmoothingMethod::none: return "none";
    case SmoothingMethod::simple: return "simple";
    case SmoothingMethod::holt: return "holt";
  }
  return "unknown";
}

namespace {

using detail::kNaN;
constexpr double kLow = 1e-4;       // statsmodels' bounds of alpha and beta* as well
constexpr double kHigh = 1 - 1e-4;

/// One pass of the recursions: the one-step errors (and fitted values, final states) for given
/// parameters and initial states.
void recurse(std::span<const double> y, bool trend, double alpha, double beta, double l0, double b0,
             std::vector<double>& errors, double* level = nullptr, double* slope = nullptr,
             std::vector<double>* fitted = nullptr) {
  errors.resize(y.size());
  if (fitted) fitted->resize(y.size());
  double l = l0, b = trend ? b0 : 0.0;
  for (std::size_t t = 0; t < y.size(); ++t) {
    const double f = l + b;
    const double e = y[t] - f;
    if (fitted) (*fitted)[t] = f;
    errors[t] = e;
    l = f + alpha * e;
    if (trend) b += beta * e;
  }
  if (level) *level = l;
  if (slope) *slope = b;
}

struct Profile {
  double sse = std::numeric_limits<double>::infinity();
  double l0 = 0.0;
  double b0 = 0.0;
};

/// The least-squares initial states for (alpha, beta): the errors are affine in them,
/// e = c - u l0 - v b0, so three passes give c, u, v and the normal equations solve the rest.
Profile profile(std::span<const double> y, bool trend, double alpha, double beta) {
  std::vector<double> c, with_level, with_trend;
  recurse(y, trend, alpha, beta, 0, 0, c);
  recurse(y, trend, alpha, beta, 1, 0, with_level);
  double suu = 0, suc = 0, suv = 0, svv = 0, svc = 0;
  if (trend) recurse(y, trend, alpha, beta, 0, 1, with_trend);
  for (std::size_t t = 0; t < y.size(); ++t) {
    const double u = c[t] - with_level[t];
    const double v = trend ? c[t] - with_trend[t] : 0.0;
    suu += u * u;
    suc += u * c[t];
    suv += u * v;
    svv += v * v;
    svc += v * c[t];
  }
  Profile out;
  if (trend) {
    const double det = suu * svv - suv * suv;
    if (!(std::abs(det) > 1e-300)) return out;
    out.l0 = (suc * svv - suv * svc) / det;
    out.b0 = (suu * svc - suv * suc) / det;
  } else {
    if (!(suu > 0)) return out;
    out.l0 = suc / suu;
  }
  // The SSE from a fresh pass (no cancellation in c - u l0 - v b0).
  std::vector<double> e;
  recurse(y, trend, alpha, beta, out.l0, out.b0, e);
  out.sse = 0;
  for (double x : e) out.sse += x * x;
  return out;
}

double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }
double logit(double p) { return std::log(p / (1.0 - p)); }

/// alpha and beta* from search coordinates, inside the bounds.
std::pair<double, double> parameters(double za, double zb) {
  const double alpha = std::clamp(logistic(za), kLow, kHigh);
  const double beta_star = std::clamp(logistic(zb), kLow, kHigh);
  return {alpha, alpha * beta_star};
}

void check_series(std::span<const double> y, std::size_t needed, SmoothingMethod method) {
  if (y.size() < needed)
    throw UsageError(ErrorCode::usage, fmt::format("{} exponential smoothing needs at least {} observations, the series has {}",
                                                   to_string(method), needed, y.size()));
  for (std::size_t t = 0; t < y.size(); ++t)
    if (!std::isfinite(y[t]))
      throw UsageError(ErrorCode::usage, fmt::format("exponential smoothing: observation {} is not a finite number", t));
}

}  // namespace

SmoothingFit run_smoothing(std::span<const double> y, SmoothingMethod method, double alpha, double beta,
                           double initial_level, double initial_trend) {
  if (method == SmoothingMethod::none) throw UsageError(ErrorCode::usage, "run_smoothing: choose simple or holt");
  check_series(y, 1, method);
  if (!(alpha > 0 && alpha < 1) || !(beta >= 0 && beta < 1) || !std::isfinite(initial_level) || !std::isfinite(initial_trend))
    throw UsageError(ErrorCode::usage, fmt::format("smoothing parameters: alpha {} must be in (0, 1), beta {} in [0, 1), "
                                                   "initial states finite", alpha, beta));
  const bool trend = method == SmoothingMethod::holt;
  SmoothingFit fit;
  fit.method = method;
  fit.alpha = alpha;
  fit.beta = trend ? beta : 0.0;
  fit.initial_level = initial_level;
  fit.initial_trend = trend ? initial_trend : 0.0;
  std::vector<double> errors;
  recurse(y, trend, fit.alpha, fit.beta, fit.initial_level, fit.initial_trend, errors, &fit.level, &fit.trend, &fit.fitted);
  for (double e : errors) fit.sse += e * e;
  fit.mse = fit.sse / static_cast<double>(y.size());
  return fit;
}

SmoothingFit fit_smoothing(std::span<const double> y, SmoothingMethod method) {
  if (method == SmoothingMethod::none) throw UsageError(ErrorCode::usage, "fit_smoothing: choose simple or holt");
  const bool trend = method == SmoothingMethod::holt;
  check_series(y, trend ? 4 : 2, method);
  // A grid over logit(alpha) x logit(beta*), then a pattern search that halves its step.
  const double zlo = logit(kLow), zhi = logit(kHigh);
  constexpr int kGrid = 41;
  const double step0 = (zhi - zlo) / (kGrid - 1);
  double best_a = 0, best_b = 0;
  Profile best;
  for (int i = 0; i < kGrid; ++i)
    for (int j = 0; j < (trend ? kGrid : 1); ++j) {
      const double za = zlo + step0 * i, zb = zlo + step0 * j;
      const auto [alpha, beta] = parameters(za, zb);
      const Profile p = profile(y, trend, alpha, trend ? beta : 0.0);
      if (p.sse < best.sse) best = p, best_a = za, best_b = zb;
    }
  for (double step = step0; step > 1e-10; step /= 2) {
    bool moved = true;
    while (moved) {
      moved = false;
      const double moves[4][2] = {{step, 0}, {-step, 0}, {0, step}, {0, -step}};
      for (const auto& move : moves) {
        if (!trend && move[1] != 0) continue;
        const double za = std::clamp(best_a + move[0], zlo, zhi), zb = std::clamp(best_b + move[1], zlo, zhi);
        const auto [alpha, beta] = parameters(za, zb);
        const Profile p = profile(y, trend, alpha, trend ? beta : 0.0);
        if (p.sse < best.sse * (1 - 1e-15)) {
          best = p, best_a = za, best_b = zb;
          moved = true;
        }
      }
    }
  }
  if (!std::isfinite(best.sse)) throw UsageError(ErrorCode::usage, "exponential smoothing: the series cannot be fitted");
  const auto [alpha, beta] = parameters(best_a, best_b);
  return run_smoothing(y, method, alpha, trend ? beta : 0.0, best.l0, best.b0);
}

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) throw UsageError(ErrorCode::usage, fmt::format("normal_quantile: p = {} is not in (0, 1)", p));
  // Bisection on the CDF 0.5 erfc(-x / sqrt 2), then Newton steps to full precision.
  double lo = -40, hi = 40;
  auto cdf = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  for (int i = 0; i < 80; ++i) {
    const double mid = 0.5 * (lo + hi);
    (cdf(mid) < p ? lo : hi) = mid;
  }
  double x = 0.5 * (lo + hi);
  for (int i = 0; i < 3; ++i) {
    const double density = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    if (density < 1e-300) break;
    x -= (cdf(x) - p) / density;
  }
  return x;
}

SmoothingForecast forecast_smoothing(const SmoothingFit& fit, int horizon, double coverage) {
  if (fit.method == SmoothingMethod::none) throw UsageError(ErrorCode::usage, "forecast_smoothing: the fit has no method");
  if (horizon < 0) throw UsageError(ErrorCode::usage, fmt::format("forecast horizon {} is negative", horizon));
  if (!(coverage > 0 && coverage < 1))
    throw UsageError(ErrorCode::usage, fmt::format("interval coverage {} is not in (0, 1)", coverage));
  SmoothingForecast out;
  out.coverage = coverage;
  const double z = normal_quantile(0.5 + coverage / 2);
  const double a = fit.alpha, b = fit.beta;
  for (int step = 1; step <= horizon; ++step) {
    const double h = step;
    const double mean = fit.level + h * fit.trend;
    const double relative = fit.method == SmoothingMethod::holt
                                ? 1 + (h - 1) * (a * a + a * b * h + b * b * h * (2 * h - 1) / 6)
                                : 1 + (h - 1) * a * a;
    const double half = z * std::sqrt(fit.mse * relative);
    out.mean.push_back(mean);
    out.lower.push_back(mean - half);
    out.upper.push_back(mean + half);
  }
  return out;
}

// ---- the revenue forecast ----------------------------------------------------------------------

namespace {

Date month_start(int year, int month) {
  while (month > 12) month -= 12, ++year;
  while (month < 1) month += 12, --year;
  return *Date::from_ymd(year, month, 1);
}

/// Months from `base` (a first of month) to the month of `d`.
int month_index(Date base, Date d) { return (d.year() - base.year()) * 12 + (d.month() - base.month()); }

struct OpportunityFields {
  std::string won;
  std::string lost;
};

OpportunityFields check_opportunity(const Catalog& catalog) {
  const ObjectDef* opportunity = catalog.find("opportunity");
  auto need = [&](std::string_view name, std::initializer_list<FieldType> types) -> const FieldDef& {
    const FieldDef* field = opportunity ? opportunity->find_field(name) : nullptr;
    bool ok = false;
    for (FieldType type : types) ok = ok || (field && field->type == type);
    if (!ok)
      throw UsageError(ErrorCode::usage, fmt::format("the revenue forecast needs the field opportunity.{} ({})", name,
                                                     to_string(*types.begin())));
    return *field;
  };
  const FieldDef& stage = need("stage", {FieldType::select});
  need("amount", {FieldType::currency});
  need("probability", {FieldType::percent, FieldType::number});
  need("close_date", {FieldType::date});
  need("account_id", {FieldType::lookup, FieldType::master_detail});
  OpportunityFields out;
  for (const auto& option : stage.options) {
    if (option.is_won && out.won.empty()) out.won = option.value;
    if (option.is_lost && out.lost.empty()) out.lost = option.value;
  }
  if (out.won.empty() || out.lost.empty())
    throw UsageError(ErrorCode::usage, "the revenue forecast needs a won and a lost stage (stage options flagged "
                                       "is_won / is_lost)");
  return out;
}

/// Calls fn(row, columns) for every row of the query, 50,000 at a time.
template <class Fn>
void for_each_row(Session& session, Query query, Fn&& fn) {
  query.limit = 50'000;
  while (true) {
    const ColumnarResult page = session.query_columns(query);
    for (std::size_t r = 0; r < page.rows; ++r) fn(r, page.columns);
    if (page.rows < static_cast<std::size_t>(*query.limit) || page.next_cursor.empty()) break;
    query.after = page.next_cursor;
  }
}

Decimal decimal_at(const ResultColumn& column, std::size_t row) {
  if (!column.valid[row]) return Decimal(0, column.scale);
  if (column.kind == ResultColumn::Kind::decimal) return Decimal(column.integers[row], column.scale);
  if (column.kind == ResultColumn::Kind::integer) return Decimal::from_int(column.integers[row]);
  return Decimal::from_double(column.reals[row], 6);
}

}  // namespace

RevenueForecast forecast_revenue(Session& session, const ForecastOptions& options) {
  if (options.months < 1 || options.months > 120)
    throw UsageError(ErrorCode::usage, fmt::format("forecast months {} must be between 1 and 120", options.months));
  if (options.history_months < 0 || options.history_months > 600)
    throw UsageError(ErrorCode::usage, fmt::format("history months {} must be between 0 and 600", options.history_months));
  if (!(options.coverage > 0 && options.coverage < 1))
    throw UsageError(ErrorCode::usage, fmt::format("interval coverage {} is not in (0, 1)", options.coverage));
  const OpportunityFields stages = check_opportunity(session.catalog());
  const Date today = SessionInternals::impl(session).now().date();
  const Date first = month_start(today.year(), today.month());
  const Date end = month_start(today.year(), today.month() + options.months);
  auto scoped = [&](std::vector<Filter> parts) {
    if (!options.account_id.empty()) parts.push_back(Filter::compare("account_id", CompareOp::eq, Value(options.account_id)));
    return Filter::and_(std::move(parts));
  };

  RevenueForecast out;
  // Win rate over the opportunities closed in the last 365 days.
  const Filter last_year = Filter::and_({Filter::compare("close_date", CompareOp::ge, Value(Date{today.days - 365})),
                                         Filter::compare("close_date", CompareOp::le, Value(today))});
  out.won = session.count("opportunity", scoped({last_year, Filter::compare("stage", CompareOp::eq, Value(stages.won))}));
  out.closed = session.count("opportunity", scoped({last_year, Filter::in("stage", {Value(stages.won), Value(stages.lost)})}));
  if (out.closed > 0) out.win_rate = static_cast<double>(out.won) / static_cast<double>(out.closed);
  // forecast = weighted x (0.7 + 0.3 won / closed) = weighted x (7 closed + 3 won) / (10 closed), exactly.
  const Decimal factor_numerator = out.closed > 0 ? Decimal::from_int(7 * out.closed + 3 * out.won) : Decimal::from_int(76);
  const Decimal factor_denominator = out.closed > 0 ? Decimal::from_int(10 * out.closed) : Decimal::from_int(100);

  // The pipeline: every opportunity not lost that closes in the forecast months.
  out.months.resize(static_cast<std::size_t>(options.months));
  for (int m = 0; m < options.months; ++m) {
    auto& month = out.months[static_cast<std::size_t>(m)];
    month.month = month_start(first.year(), first.month() + m);
    month.pipeline = Decimal(0, 2);
    month.weighted = Decimal(0, 2);
  }
  Query pipeline{.object = "opportunity",
                 .filter = scoped({Filter::compare("stage", CompareOp::ne, Value(stages.lost)),
                                   Filter::compare("close_date", CompareOp::ge, Value(first)),
                                   Filter::compare("close_date", CompareOp::lt, Value(end))}),
                 .fields = {"amount", "probability", "stage", "close_date"}};
  for_each_row(session, pipeline, [&](std::size_t r, const std::vector<ResultColumn>& c) {
    const int m = month_index(first, Date{static_cast<std::int32_t>(c[3].integers[r])});
    auto& month = out.months[static_cast<std::size_t>(m)];
    const Decimal amount = decimal_at(c[0], r);
    // The seed's `probability || (won ? 100 : 50)`: a blank or zero probability takes the default.
    Decimal probability = decimal_at(c[1], r);
    if (probability == Decimal::from_int(0))
      probability = Decimal::from_int(c[2].valid[r] && c[2].text_at(r) == stages.won ? 100 : 50);
    const Decimal product = amount * probability;  // / 100: two more decimal places
    month.weighted = month.weighted + (product.scale() + 2 <= Decimal::max_scale ? Decimal(product.units(), product.scale() + 2)
                                                                                 : Decimal::divide(product, Decimal::from_int(100), Decimal::max_scale));
    month.pipeline = month.pipeline + amount;
    ++month.opportunities;
  });
  out.total = Decimal(0, 2);
  for (auto& month : out.months) {
    month.forecast = Decimal::divide(month.weighted * factor_numerator, factor_denominator, 2);
    month.confidence = month.opportunities == 0 ? 30 : static_cast<int>(std::min<std::int64_t>(95, 50 + 5 * month.opportunities));
    month.expected_closed_deals = std::llround(static_cast<double>(month.opportunities) * out.win_rate);
    out.total = out.total + month.forecast;
  }
  out.optimistic = (out.total * Decimal(13, 1)).rescaled(2);
  out.conservative = (out.total * Decimal(7, 1)).rescaled(2);

  // Closed-won history per month before the current one.
  if (options.history_months > 0) {
    const Date history_start = month_start(first.year(), first.month() - options.history_months);
    std::vector<MonthRevenue> months(static_cast<std::size_t>(options.history_months));
    for (int m = 0; m < options.history_months; ++m) {
      months[static_cast<std::size_t>(m)].month = month_start(history_start.year(), history_start.month() + m);
      months[static_cast<std::size_t>(m)].won = Decimal(0, 2);
    }
    Query won{.object = "opportunity",
              .filter = scoped({Filter::compare("stage", CompareOp::eq, Value(stages.won)),
                                Filter::compare("close_date", CompareOp::ge, Value(history_start)),
                                Filter::compare("close_date", CompareOp::lt, Value(first))}),
              .fields = {"amount", "close_date"}};
    for_each_row(session, won, [&](std::size_t r, const std::vector<ResultColumn>& c) {
      auto& month = months[static_cast<std::size_t>(month_index(history_start, Date{static_cast<std::int32_t>(c[1].integers[r])}))];
      month.won = month.won + decimal_at(c[0], r);
      ++month.deals;
    });
    auto first_win = std::find_if(months.begin(), months.end(), [](const MonthRevenue& m) { return m.deals > 0; });
    out.history.assign(first_win, months.end());
  }
  std::vector<double> y;
  for (const auto& month : out.history) y.push_back(month.won.to_double());
  const SmoothingMethod method = options.trend && y.size() >= 6 ? SmoothingMethod::holt
                                 : y.size() >= 3                 ? SmoothingMethod::simple
                                                                 : SmoothingMethod::none;
  if (method != SmoothingMethod::none) {
    out.smoothing = fit_smoothing(y, method);
    const SmoothingForecast f = forecast_smoothing(out.smoothing, options.months, options.coverage);
    for (std::size_t m = 0; m < out.months.size(); ++m) {
      out.months[m].smoothed = f.mean[m];
      out.months[m].lower = f.lower[m];
      out.months[m].upper = f.upper[m];
    }
  }
  return out;
}

}  // namespace v0
}  // namespace hotcrm
