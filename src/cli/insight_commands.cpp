// `hotcrm forecast`, `hotcrm recommend` and `hotcrm sentiment`: thin shells over
// forecast_revenue, recommend_for_quote and score_sentiment / analyze_sentiment.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_common.hpp"
#include "hotcrm/scoring/forecast.hpp"
#include "hotcrm/scoring/insights.hpp"

namespace hotcrm::cli {
namespace {

using nlohmann::json;

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// ---- forecast ------------------------------------------------------------------------------------

struct ForecastArguments {
  std::string database;
  ForecastOptions options;
  bool no_trend = false;
  std::string now;
  std::string format = "table";
};

ExitCode run_forecast(ForecastArguments arguments) {
  // The forecast starts at the current month: --now pins it (replays, reports as of a date).
  OpenOptions open;
  open.create = false;
  open.read_only = true;
  if (!arguments.now.empty()) open.clock = fixed_clock(DateTime::parse(arguments.now));
  if (!std::filesystem::exists(arguments.database))
    throw CommandLineError(fmt::format("no database at '{}' (create one with: hotcrm init {})", arguments.database,
                                       arguments.database));
  apply_global_options(open);
  Database database = Database::open(arguments.database, open);
  arguments.options.trend = !arguments.no_trend;
  const RevenueForecast f = forecast_revenue(database, arguments.options);
  if (arguments.format == "json") {
    for (const auto& m : f.months)
      std::cout << json{{"month", m.month.to_string()}, {"opportunities", m.opportunities},
                        {"pipeline", m.pipeline.to_string()}, {"weighted", m.weighted.to_string()},
                        {"forecast", m.forecast.to_string()}, {"confidence", m.confidence},
                        {"expected_closed_deals", m.expected_closed_deals}, {"smoothed", number_or_null(m.smoothed)},
                        {"lower", number_or_null(m.lower)}, {"upper", number_or_null(m.upper)}}
                       .dump()
                << '\n';
  } else {
    std::cout << fmt::format("{:<10} {:>5} {:>16} {:>16} {:>16} {:>5} {:>14} {:>14} {:>14}\n", "month", "opps", "pipeline",
                             "weighted", "forecast", "conf", "smoothed", "lower", "upper");
    auto real = [](double x) { return std::isfinite(x) ? fmt::format("{:.2f}", x) : std::string("-"); };
    for (const auto& m : f.months)
      std::cout << fmt::format("{:<10} {:>5} {:>16} {:>16} {:>16} {:>5} {:>14} {:>14} {:>14}\n", m.month.to_string(),
                               m.opportunities, m.pipeline.to_string(), m.weighted.to_string(), m.forecast.to_string(),
                               m.confidence, real(m.smoothed), real(m.lower), real(m.upper));
  }
  // The summary goes to stderr, so that stdout stays one row per month.
  std::cerr << fmt::format("win rate {:.3f} ({} won of {} closed in 365 days); total {} (optimistic {}, conservative {})\n",
                           f.win_rate, f.won, f.closed, f.total.to_string(), f.optimistic.to_string(),
                           f.conservative.to_string());
  if (f.smoothing.method != SmoothingMethod::none)
    std::cerr << fmt::format("smoothing: {} over {} months of closed-won history, alpha {:.4f}, beta {:.4f}, {:.0f}% intervals\n",
                             to_string(f.smoothing.method), f.history.size(), f.smoothing.alpha, f.smoothing.beta,
                             100 * arguments.options.coverage);
  else
    std::cerr << fmt::format("smoothing: none ({} months of closed-won history; 3 are needed)\n", f.history.size());
  return ExitCode::ok;
}

// ---- recommend -----------------------------------------------------------------------------------

struct RecommendArguments {
  std::string database;
  std::string quote;
  RecommendOptions options;
  std::string format = "table";
};

ExitCode run_recommend(const RecommendArguments& arguments) {
  Database database = open_existing_database(arguments.database, false);
  const auto items = recommend_for_quote(database, arguments.quote, arguments.options);
  if (arguments.format == "json") {
    for (const auto& r : items)
      std::cout << json{{"product_id", r.product_id}, {"name", r.name}, {"score", r.score},
                        {"co_occurrences", r.co_occurrences}, {"baskets", r.baskets}, {"because", r.because},
                        {"because_cosine", r.because_cosine}}
                       .dump()
                << '\n';
    return ExitCode::ok;
  }
  std::cout << fmt::format("{:<18} {:<30} {:>7} {:>8} {:>8}  {}\n", "product_id", "name", "score", "together", "baskets",
                           "because");
  for (const auto& r : items)
    std::cout << fmt::format("{:<18} {:<30} {:>7.3f} {:>8} {:>8}  {} ({:.3f})\n", r.product_id, r.name, r.score,
                             r.co_occurrences, r.baskets, r.because, r.because_cosine);
  if (items.empty()) std::cerr << "no product is bought often enough with this quote's products\n";
  return ExitCode::ok;
}

// ---- sentiment -----------------------------------------------------------------------------------

struct SentimentArguments {
  std::string database;
  std::string object;
  std::string field;
  std::string where;
  std::string write;
  std::string text;
  std::string format = "table";
};

ExitCode run_sentiment(const SentimentArguments& arguments) {
  if (!arguments.text.empty()) {
    const Sentiment s = analyze_sentiment(arguments.text);
    json terms = json::array();
    for (const auto& t : s.terms)
      terms.push_back({{"word", t.word}, {"valence", t.valence}, {"weight", t.weight}, {"negated", t.negated},
                       {"contribution", t.contribution}});
    if (arguments.format == "json") {
      std::cout << json{{"score", s.score}, {"total", s.total}, {"label", s.label}, {"terms", terms}}.dump() << '\n';
    } else {
      std::cout << fmt::format("{} {:+.3f}\n", s.label, s.score);
      for (const auto& t : s.terms)
        std::cout << fmt::format("  {}{}: {:+.2f}\n", t.negated ? "not " : "", t.word, t.contribution);
    }
    return ExitCode::ok;
  }
  if (arguments.database.empty() || arguments.object.empty() || arguments.field.empty())
    throw CommandLineError("sentiment: give DB OBJECT FIELD, or --text TEXT");
  Database database = open_existing_database(arguments.database, !arguments.write.empty());
  SentimentOptions options;
  options.write_field = arguments.write;
  const SentimentRun run = score_sentiment(database, arguments.object, arguments.field,
                                           arguments.where.empty() ? Filter::all() : parse_filter(arguments.where), options);
  for (std::size_t r = 0; r < run.ids.size(); ++r) {
    if (arguments.format == "json")
      std::cout << json{{"id", run.ids[r]}, {"score", run.scores[r]}, {"label", run.labels[r]}}.dump() << '\n';
    else
      std::cout << fmt::format("{:<20} {:>7.3f}  {}\n", run.ids[r], run.scores[r], run.labels[r]);
  }
  if (!arguments.write.empty()) std::cerr << fmt::format("{} labels written to {}\n", run.written, arguments.write);
  return ExitCode::ok;
}

}  // namespace

void add_insight_commands(CLI::App& app, Action& action) {
  {
    auto a = std::make_shared<ForecastArguments>();
    CLI::App* c = app.add_subcommand("forecast", "Revenue forecast per month: weighted pipeline and smoothed closed-won history");
    c->add_option("db", a->database, "database file")->required();
    c->add_option("--months", a->options.months, "months forecast, from the current one");
    c->add_option("--account", a->options.account_id, "only this account's opportunities");
    c->add_option("--history", a->options.history_months, "months of closed-won history for the smoothing");
    c->add_flag("--no-trend", a->no_trend, "simple exponential smoothing instead of Holt's linear trend");
    c->add_option("--coverage", a->options.coverage, "prediction interval coverage");
    c->add_option("--now", a->now, "the forecast's now, ISO 8601 (default: the system clock)");
    c->add_option("--format", a->format, "output format")->check(CLI::IsMember({"table", "json"}));
    c->callback([a, &action] { action = [a] { return run_forecast(*a); }; });
  }
  {
    auto a = std::make_shared<RecommendArguments>();
    CLI::App* c = app.add_subcommand("recommend", "Products often bought with a quote's products");
    c->add_option("db", a->database, "database file")->required();
    c->add_option("quote", a->quote, "quote id")->required();
    c->add_option("--limit", a->options.limit, "recommendations shown");
    c->add_option("--min-support", a->options.min_support, "baskets a pair must share");
    c->add_option("--format", a->format, "output format")->check(CLI::IsMember({"table", "json"}));
    c->callback([a, &action] { action = [a] { return run_recommend(*a); }; });
  }
  {
    auto a = std::make_shared<SentimentArguments>();
    CLI::App* c = app.add_subcommand("sentiment", "Sentiment of a text field of records, or of --text");
    c->add_option("db", a->database, "database file");
    c->add_option("object", a->object, "object, e.g. case_comment");
    c->add_option("field", a->field, "text field, e.g. body");
    c->add_option("--where", a->where, "records to read");
    c->add_option("--write", a->write, "picklist field to store the labels in, e.g. ai_sentiment");
    c->add_option("--text", a->text, "score this text instead of records");
    c->add_option("--format", a->format, "output format")->check(CLI::IsMember({"table", "json"}));
    c->callback([a, &action] { action = [a] { return run_sentiment(*a); }; });
  }
}

}  // namespace hotcrm::cli
