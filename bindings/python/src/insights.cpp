// Forecasts, recommendations and sentiment for Python: Session.forecast / recommend / sentiment and
// hotcrm.exponential_smoothing / hotcrm.sentiment. Every library call releases the GIL.
#include <cmath>
#include <cstring>

#include "common.hpp"
#include "hotcrm/scoring/forecast.hpp"
#include "hotcrm/scoring/insights.hpp"

namespace hotcrm::python {
using namespace pybind11::literals;

namespace {

py::array_t<double> doubles(const std::vector<double>& values) {
  py::array_t<double> out(static_cast<py::ssize_t>(values.size()));
  if (!values.empty()) std::memcpy(out.mutable_data(), values.data(), values.size() * sizeof(double));
  return out;
}

py::dict fit_to_dict(const SmoothingFit& fit) {
  py::dict d;
  d["method"] = std::string(to_string(fit.method));
  d["alpha"] = fit.alpha;
  d["beta"] = fit.beta;
  d["initial_level"] = fit.initial_level;
  d["initial_trend"] = fit.initial_trend;
  d["level"] = fit.level;
  d["trend"] = fit.trend;
  d["sse"] = fit.sse;
  d["mse"] = fit.mse;
  d["fitted"] = doubles(fit.fitted);
  return d;
}

py::dict sentiment_to_dict(const Sentiment& s) {
  py::dict d;
  d["score"] = s.score;
  d["total"] = s.total;
  d["label"] = s.label;
  py::list terms;
  for (const auto& t : s.terms)
    terms.append(py::dict("word"_a = t.word, "valence"_a = t.valence, "weight"_a = t.weight, "negated"_a = t.negated,
                          "contribution"_a = t.contribution));
  d["terms"] = terms;
  return d;
}

py::list recommendations_to_list(const std::vector<ProductRecommendation>& items) {
  py::list out;
  for (const auto& r : items)
    out.append(py::dict("product_id"_a = r.product_id, "name"_a = r.name, "score"_a = r.score,
                        "co_occurrences"_a = r.co_occurrences, "baskets"_a = r.baskets, "because"_a = r.because,
                        "because_cosine"_a = r.because_cosine));
  return out;
}

std::vector<double> series(const py::object& y) {
  auto array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(y);
  if (!array || array.ndim() != 1) throw UsageError(ErrorCode::usage, "exponential_smoothing: y is a 1-D array of numbers");
  return {array.data(), array.data() + array.size()};
}

}  // namespace

void bind_insights(py::module_& m) {
  m.def(
      "exponential_smoothing",
      [](const py::object& y, int horizon, bool trend, double coverage, const py::object& params) {
        const std::vector<double> values = series(y);
        const SmoothingMethod method = trend ? SmoothingMethod::holt : SmoothingMethod::simple;
        SmoothingFit fit;
        {
          py::gil_scoped_release release;
          if (params.is_none()) {
            fit = fit_smoothing(values, method);
          } else {
            py::gil_scoped_acquire acquire;
            py::dict p = params.cast<py::dict>();
            const double alpha = p["alpha"].cast<double>();
            const double beta = p.contains("beta") ? p["beta"].cast<double>() : 0.0;
            const double level = p["initial_level"].cast<double>();
            const double slope = p.contains("initial_trend") ? p["initial_trend"].cast<double>() : 0.0;
            py::gil_scoped_release again;
            fit = run_smoothing(values, method, alpha, beta, level, slope);
          }
        }
        const SmoothingForecast f = forecast_smoothing(fit, horizon, coverage);
        py::dict d = fit_to_dict(fit);
        d["mean"] = doubles(f.mean);
        d["lower"] = doubles(f.lower);
        d["upper"] = doubles(f.upper);
        d["coverage"] = f.coverage;
        return d;
      },
      py::arg("y"), py::arg("horizon") = 12, py::kw_only(), py::arg("trend") = true, py::arg("coverage") = 0.95,
      py::arg("params") = py::none(),
      "Exponential smoothing of a series: Holt's linear trend (trend=True, ETS(A,A,N)) or simple (ETS(A,N,N)),\n"
      "fitted by least squares (maximum likelihood, as statsmodels' ETSModel), or run with fixed params\n"
      "{alpha, beta, initial_level, initial_trend}. Returns {method, alpha, beta (the state-space trend gain),\n"
      "initial_level, initial_trend, level, trend, sse, mse, fitted, mean, lower, upper, coverage}: horizon\n"
      "point forecasts and prediction intervals.");
  m.def(
      "sentiment", [](const std::string& text) { return sentiment_to_dict(without_gil([&] { return analyze_sentiment(text); })); },
      py::arg("text"),
      "Lexicon-based sentiment of a text (hotcrm's own lexicon, with negation, intensifiers, contrast and\n"
      "emphasis): {score in [-1, 1], total, label (positive, neutral, negative, angry), terms: [{word,\n"
      "valence, weight, negated, contribution}]}; the contributions add up to total, score = tanh(total / 4).");

  auto session = py::reinterpret_borrow<py::class_<Session>>(m.attr("Session"));
  session
      .def(
          "forecast",
          [](Session& self, int months, std::optional<std::string> account_id, int history_months, bool trend,
             double coverage) {
            ForecastOptions options;
            options.months = months;
            options.account_id = account_id.value_or("");
            options.history_months = history_months;
            options.trend = trend;
            options.coverage = coverage;
            const RevenueForecast f = without_gil([&] { return forecast_revenue(self, options); });
            py::dict d;
            d["won"] = f.won;
            d["closed"] = f.closed;
            d["win_rate"] = f.win_rate;
            d["total"] = to_python(Value(f.total));
            d["optimistic"] = to_python(Value(f.optimistic));
            d["conservative"] = to_python(Value(f.conservative));
            d["smoothing"] = fit_to_dict(f.smoothing);
            py::list rows;
            for (const auto& month : f.months)
              rows.append(py::dict("month"_a = to_python(Value(month.month)), "opportunities"_a = month.opportunities,
                                   "pipeline"_a = to_python(Value(month.pipeline)),
                                   "weighted"_a = to_python(Value(month.weighted)),
                                   "forecast"_a = to_python(Value(month.forecast)), "confidence"_a = month.confidence,
                                   "expected_closed_deals"_a = month.expected_closed_deals, "smoothed"_a = month.smoothed,
                                   "lower"_a = month.lower, "upper"_a = month.upper));
            d["months"] = rows;
            py::list history;
            for (const auto& month : f.history)
              history.append(py::dict("month"_a = to_python(Value(month.month)), "won"_a = to_python(Value(month.won)),
                                      "deals"_a = month.deals));
            d["history"] = history;
            return d;
          },
          py::arg("months") = 12, py::kw_only(), py::arg("account_id") = py::none(), py::arg("history_months") = 24,
          py::arg("trend") = true, py::arg("coverage") = 0.95,
          "Revenue forecast per month from the current month (database clock): the seed's weighted\n"
          "pipeline (amount x probability, x (0.7 + 0.3 x win rate of the last 365 days)) as Decimals, and\n"
          "exponential smoothing of the monthly closed-won history (Holt with 6+ months, else simple) with\n"
          "prediction intervals. Returns {won, closed, win_rate, total, optimistic, conservative, smoothing,\n"
          "months: [{month, opportunities, pipeline, weighted, forecast, confidence, expected_closed_deals,\n"
          "smoothed, lower, upper}], history: [{month, won, deals}]}.")
      .def(
          "recommend",
          [](Session& self, std::optional<std::string> quote_id, std::optional<std::vector<std::string>> products,
             std::size_t limit, std::int64_t min_support, bool quotes, bool invoices) {
            if (quote_id.has_value() == products.has_value())
              throw UsageError(ErrorCode::usage, "recommend: give a quote_id or a list of products, not both");
            RecommendOptions options{.limit = limit, .min_support = min_support, .quotes = quotes, .invoices = invoices};
            auto result = without_gil([&] {
              return quote_id ? recommend_for_quote(self, *quote_id, options) : recommend_products(self, *products, options);
            });
            return recommendations_to_list(result);
          },
          py::arg("quote_id") = py::none(), py::kw_only(), py::arg("products") = py::none(), py::arg("limit") = 5,
          py::arg("min_support") = 2, py::arg("quotes") = true, py::arg("invoices") = true,
          "Products often bought with a quote's products (or `products`): cosine similarity of baskets\n"
          "(quotes and invoices), summed over the basket's products, pairs sharing at least min_support\n"
          "baskets. Returns [{product_id, name, score, co_occurrences, baskets, because, because_cosine}].")
      .def(
          "sentiment",
          [](Session& self, const std::string& object, const std::string& field, std::optional<std::string> where,
             std::optional<std::string> write) {
            SentimentOptions options;
            options.write_field = write.value_or("");
            const Filter filter = where ? parse_filter(*where) : Filter::all();
            const SentimentRun run = without_gil([&] { return score_sentiment(self, object, field, filter, options); });
            py::dict d;
            d["ids"] = run.ids;
            d["scores"] = doubles(run.scores);
            d["labels"] = run.labels;
            d["written"] = run.written;
            return d;
          },
          py::arg("object"), py::arg("field"), py::kw_only(), py::arg("where") = py::none(), py::arg("write") = py::none(),
          "Sentiment of the text field `field` of the matching records: {ids, scores (numpy), labels,\n"
          "written}. write: a picklist field to store the labels in (e.g. case_comment.ai_sentiment).");
}

}  // namespace hotcrm::python
