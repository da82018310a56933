// Revenue forecast (the seed's weighted pipeline, exponential smoothing with intervals), product
// recommendations from basket co-occurrence and lexicon sentiment, against hand-computed values.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>

#include "hotcrm/hotcrm.hpp"
#include "hotcrm/scoring/forecast.hpp"
#include "hotcrm/scoring/insights.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

Database standard_db(const test::TempDir& dir, std::string_view now) {
  OpenOptions options;
  options.clock = fixed_clock(DateTime::parse(now));
  options.id_seed = 5;
  return Database::open(dir.file("insights.db"), options);
}

std::string opportunity(Database& db, const std::string& account, const std::string& stage, Decimal amount,
                        std::string_view close, std::optional<Decimal> probability = std::nullopt) {
  Record record{{"name", "Deal"}, {"account_id", account}, {"stage", stage}, {"amount", amount},
                {"close_date", Date::parse(close)}};
  if (probability) record.emplace("probability", *probability);
  return db.insert("opportunity", record);
}

}  // namespace

TEST_CASE("exponential smoothing fits, forecasts and bounds its forecasts" * doctest::test_suite("forecast")) {
  // A straight line is fitted exactly by Holt (any gains, initial level 8 and trend 2).
  std::vector<double> line;
  for (int t = 0; t < 12; ++t) line.push_back(10 + 2.0 * t);
  const SmoothingFit holt = fit_smoothing(line, SmoothingMethod::holt);
  CHECK(holt.sse == doctest::Approx(0).epsilon(1e-9));
  CHECK(holt.initial_level == doctest::Approx(8));
  CHECK(holt.initial_trend == doctest::Approx(2));
  const SmoothingForecast f = forecast_smoothing(holt, 3);
  CHECK(f.mean[0] == doctest::Approx(34));
  CHECK(f.mean[2] == doctest::Approx(38));
  CHECK(f.upper[2] - f.lower[2] == doctest::Approx(0).epsilon(1e-6));
  // The recursions by hand: alpha 0.5, beta 0.25, l = 10, b = 1 over 12, 11.
  const SmoothingFit run = run_smoothing(std::vector<double>{12, 11}, SmoothingMethod::holt, 0.5, 0.25, 10, 1);
  // t0: f = 11, e = 1, l = 11.5, b = 1.25; t1: f = 12.75, e = -1.75, l = 11.875, b = 0.8125.
  CHECK(run.fitted == std::vector<double>{11, 12.75});
  CHECK(run.level == 11.875);
  CHECK(run.trend == 0.8125);
  CHECK(run.sse == 1 + 1.75 * 1.75);
  const SmoothingForecast g = forecast_smoothing(run, 2, 0.95);
  const double z = normal_quantile(0.975);
  CHECK(z == doctest::Approx(1.959963984540054).epsilon(1e-14));
  CHECK(g.mean[1] == 11.875 + 2 * 0.8125);
  // h = 2: 1 + (alpha^2 + alpha beta 2 + beta^2 2 (3) / 6) = 1 + 0.25 + 0.25 + 0.0625.
  CHECK(g.upper[1] - g.mean[1] == doctest::Approx(z * std::sqrt(run.mse * 1.5625)));
  // Simple smoothing of a constant: the constant, no error.
  const SmoothingFit flat = fit_smoothing(std::vector<double>{5, 5, 5, 5}, SmoothingMethod::simple);
  CHECK(forecast_smoothing(flat, 1).mean[0] == doctest::Approx(5));
  CHECK(flat.beta == 0);
  // Refusals.
  CHECK_THROWS_WITH_AS(fit_smoothing(std::vector<double>{1, 2, 3}, SmoothingMethod::holt),
                       doctest::Contains("at least 4 observations"), UsageError);
  CHECK_THROWS_WITH_AS(fit_smoothing(std::vector<double>{1, std::nan(""), 3, 4}, SmoothingMethod::simple),
                       doctest::Contains("observation 1"), UsageError);
  CHECK_THROWS_AS(forecast_smoothing(flat, 1, 1.5), UsageError);
  CHECK_THROWS_AS(run_smoothing(line, SmoothingMethod::holt, 1.2, 0.1, 0, 0), UsageError);
  CHECK_THROWS_AS(normal_quantile(0), UsageError);
}

TEST_CASE("the revenue forecast follows the seed's forecastRevenue in exact decimals" * doctest::test_suite("forecast")) {
  test::TempDir dir;
  Database db = standard_db(dir, "2026-03-15T12:00:00Z");
  const std::string acme = db.insert("account", {{"name", "Acme"}});
  const std::string other = db.insert("account", {{"name", "Other"}});
  // Closed in the last 365 days: 4 won (one of them in March, so also in the pipeline), 1 lost: 0.8.
  opportunity(db, acme, "closed_won", Decimal(1000, 0), "2025-12-10");
  opportunity(db, acme, "closed_won", Decimal(3000, 0), "2026-01-20");
  opportunity(db, acme, "closed_won", Decimal(2000, 0), "2026-02-05");
  opportunity(db, acme, "closed_lost", Decimal(5000, 0), "2026-02-10");
  opportunity(db, acme, "closed_won", Decimal(900, 0), "2024-01-01");  // too old for either
  // March: proposal (60 %) 10,000; negotiation with probability 0 (the seed's `||`: 50 %) 2,000;
  // closed won (100 %) 4,000. April: only a lost one. May: prospecting (10 %) 7,777.77.
  opportunity(db, acme, "proposal", Decimal(10000, 0), "2026-03-20");
  opportunity(db, acme, "negotiation", Decimal(2000, 0), "2026-03-31", Decimal(0, 0));
  opportunity(db, acme, "closed_won", Decimal(4000, 0), "2026-03-02");
  opportunity(db, acme, "closed_lost", Decimal(9999, 0), "2026-04-10");
  opportunity(db, other, "prospecting", Decimal(777777, 2), "2026-05-31");
  opportunity(db, acme, "qualification", Decimal(50000, 0), "2026-06-01");  // after the 3 months

  const RevenueForecast f = forecast_revenue(db, {.months = 3});
  CHECK(f.won == 4);
  CHECK(f.closed == 5);
  CHECK(f.win_rate == 0.8);
  REQUIRE(f.months.size() == 3);
  const MonthForecast& march = f.months[0];
  CHECK(march.month == Date::parse("2026-03-01"));
  CHECK(march.opportunities == 3);
  CHECK(march.pipeline == Decimal(16000, 0));
  CHECK(march.weighted == Decimal(11000, 0));
  CHECK(march.forecast == Decimal(1034000, 2));  // 11,000 x (0.7 + 0.3 x 0.8)
  CHECK(march.confidence == 65);
  CHECK(march.expected_closed_deals == 2);       // round(3 x 0.8)
  CHECK(f.months[1].opportunities == 0);
  CHECK(f.months[1].confidence == 30);
  CHECK(f.months[1].forecast == Decimal(0, 0));
  CHECK(f.months[2].weighted == Decimal(777777000, 6));  // 7,777.77 x 10 %
  CHECK(f.months[2].forecast == Decimal(73111, 2));      // 731.11038 to the cent
  CHECK(f.months[2].expected_closed_deals == 1);
  CHECK(f.total == Decimal(1107111, 2));
  CHECK(f.optimistic == Decimal(1439244, 2));    // x 1.3 = 14,392.443
  CHECK(f.conservative == Decimal(774978, 2));   // x 0.7 = 7,749.777
  // History: December to February (the first win opens it), too short for a trend: simple smoothing.
  REQUIRE(f.history.size() == 3);
  CHECK(f.history[0].month == Date::parse("2025-12-01"));
  CHECK(f.history[1].won == Decimal(3000, 0));
  CHECK(f.smoothing.method == SmoothingMethod::simple);
  CHECK(std::isfinite(march.smoothed));
  CHECK(march.lower <= march.smoothed);
  CHECK(march.smoothed <= march.upper);
  // One account; without any closed deal the win rate is the seed's 0.2 (factor 0.76).
  const RevenueForecast mine = forecast_revenue(db, {.months = 3, .account_id = other});
  CHECK(mine.closed == 0);
  CHECK(mine.win_rate == 0.2);
  CHECK(mine.months[2].forecast == Decimal(59111, 2));  // 777.777 x 0.76 = 591.11052
  CHECK(mine.smoothing.method == SmoothingMethod::none);
  CHECK(std::isnan(mine.months[0].smoothed));
  CHECK_THROWS_WITH_AS(forecast_revenue(db, {.months = 0}), doctest::Contains("between 1 and 120"), UsageError);
  CHECK_THROWS_WITH_AS(forecast_revenue(db, {.coverage = 1}), doctest::Contains("coverage"), UsageError);
}

TEST_CASE("recommendations rank products by summed cosine over baskets" * doctest::test_suite("recommend")) {
  test::TempDir dir;
  Database db = standard_db(dir, "2026-03-15T12:00:00Z");
  const std::string account = db.insert("account", {{"name", "Acme"}});
  const std::string opp = opportunity(db, account, "proposal", Decimal(1000, 0), "2026-04-01");
  const std::string book = db.insert("pricebook", {{"name", "Standard"}});
  std::map<std::string, std::string> product;
  for (const char* name : {"A", "B", "C", "D", "E", "F"})
    product[name] = db.insert("product", {{"name", std::string("Product ") + name}, {"is_active", std::string(name) != "F"}});
  auto quote = [&](std::initializer_list<const char*> items) {
    const std::string id = db.insert("quote", {{"name", "Q"}, {"opportunity_id", opp}, {"account_id", account},
                                               {"pricebook_id", book}, {"expiration_date", Date::parse("2026-04-30")}});
    std::int64_t line = 0;
    for (const char* item : items)
      db.insert("quote_line_item", {{"quote_id", id}, {"product_id", product[item]}, {"line_number", ++line},
                                    {"list_price", Decimal(100, 0)}, {"unit_price", Decimal(100, 0)}});
    return id;
  };
  auto invoice = [&](std::initializer_list<const char*> items) {
    const std::string id = db.insert("invoice", {{"account_id", account}});
    for (const char* item : items)
      db.insert("invoice_line", {{"invoice_id", id}, {"product_id", product[item]}, {"quantity", std::int64_t{1}}});
  };
  quote({"A", "B", "C"});
  quote({"A", "B"});
  quote({"A", "C"});
  quote({"B", "D"});
  quote({"A", "B", "A"});  // a product twice on one quote is one basket
  invoice({"A", "B"});
  invoice({"C", "E"});
  quote({"A", "F"});
  quote({"A", "F"});
  // Baskets: A 7, B 5, C 3, D 1, E 1, F 2 (inactive). With A: B 4 times, C twice, F twice.
  auto names = [](const std::vector<ProductRecommendation>& items) {
    std::string out;
    for (const auto& r : items) out += r.name.substr(8);
    return out;
  };
  const std::vector<std::string> a{product["A"]};
  const auto for_a = recommend_products(db, a);
  CHECK(names(for_a) == "BC");
  CHECK(for_a[0].score == doctest::Approx(4 / std::sqrt(7.0 * 5)));
  CHECK(for_a[0].co_occurrences == 4);
  CHECK(for_a[0].baskets == 5);
  CHECK(for_a[0].because == product["A"]);
  CHECK(for_a[1].score == doctest::Approx(2 / std::sqrt(7.0 * 3)));
  // A new quote with A and B is a basket too (A 8, B 6): C with A twice (B and C once: under the
  // minimum support), D with B once.
  const std::string q = quote({"A", "B"});
  const auto for_quote = recommend_for_quote(db, q);
  CHECK(names(for_quote) == "C");
  CHECK(for_quote[0].score == doctest::Approx(2 / std::sqrt(8.0 * 3)));
  const auto loose = recommend_for_quote(db, q, {.min_support = 1});
  CHECK(names(loose) == "CD");
  CHECK(loose[0].score == doctest::Approx(2 / std::sqrt(8.0 * 3) + 1 / std::sqrt(6.0 * 3)));
  CHECK(loose[0].because == product["A"]);
  CHECK(loose[1].score == doctest::Approx(1 / std::sqrt(6.0)));
  CHECK(recommend_for_quote(db, q, {.limit = 1, .min_support = 1}).size() == 1);
  // Invoices only: A and B share one basket.
  CHECK(names(recommend_products(db, a, {.min_support = 1, .quotes = false})) == "B");
  CHECK(recommend_products(db, a, {.min_support = 1, .quotes = false})[0].score == doctest::Approx(1.0));
  CHECK(recommend_products(db, std::vector<std::string>{}).empty());
  CHECK_THROWS_AS(recommend_for_quote(db, "nope"), NotFoundError);
  CHECK_THROWS_WITH_AS(recommend_products(db, a, {.min_support = 0}), doctest::Contains("min_support"), UsageError);
  CHECK_THROWS_WITH_AS(recommend_products(db, a, {.quotes = false, .invoices = false}), doctest::Contains("quote_line_item"),
                       UsageError);
}

TEST_CASE("sentiment: lexicon, negation, intensifiers, contrast, emphasis" * doctest::test_suite("sentiment")) {
  const Sentiment good = analyze_sentiment("Thanks, the fix works great.");
  CHECK(good.label == "positive");
  REQUIRE(good.terms.size() == 3);  // thanks, works, great
  double total = 0;
  for (const auto& t : good.terms) total += t.contribution;
  CHECK(total == good.total);
  CHECK(good.score == doctest::Approx(std::tanh(good.total / 4)));
  // Negation flips and damps; a double negation is undone.
  const Sentiment not_good = analyze_sentiment("The update is not good");
  CHECK(not_good.terms.at(0).negated);
  CHECK(not_good.total == doctest::Approx(-0.6 * analyze_sentiment("The update is good").total));
  CHECK(analyze_sentiment("I don't think it's bad").total > 0);
  CHECK(analyze_sentiment("never not good").terms.at(0).negated == false);
  CHECK(analyze_sentiment("I don't think that this is bad").total < 0);  // beyond three words
  // A negation does not reach across a clause.
  CHECK(analyze_sentiment("No, it is good").total > 0);
  // Intensifiers and softeners.
  CHECK(analyze_sentiment("very slow").total == doctest::Approx(1.3 * analyze_sentiment("slow").total));
  CHECK(analyze_sentiment("a bit slow").total == doctest::Approx(0.7 * analyze_sentiment("slow").total));
  CHECK(analyze_sentiment("kind of slow").terms.size() == 1);  // "kind" is a modifier here, not a kind word
  CHECK(analyze_sentiment("really very slow").total == doctest::Approx(1.25 * 1.3 * analyze_sentiment("slow").total));
  // After "but" the clause counts more than before it.
  const Sentiment mixed = analyze_sentiment("The support was helpful but the product is broken");
  CHECK(mixed.total < 0);
  CHECK(mixed.label == "negative");
  // Capitals and exclamation marks add weight; anger words make it angry.
  CHECK(analyze_sentiment("it is BROKEN").total < analyze_sentiment("it is broken").total);
  CHECK(analyze_sentiment("it is broken!!").total < analyze_sentiment("it is broken").total);
  CHECK(analyze_sentiment("This is unacceptable, I want a refund").label == "angry");
  CHECK(analyze_sentiment("Broken again!! Worst service!!").label == "angry");
  // Inflections find their lexicon form; unknown words and empty text are neutral.
  CHECK(analyze_sentiment("it crashed").terms.at(0).valence < 0);
  CHECK(analyze_sentiment("we are thrilled").label == "positive");
  CHECK(analyze_sentiment("Please send the invoice for order 42").label == "neutral");
  CHECK(analyze_sentiment("").terms.empty());
  CHECK(analyze_sentiment("très bien").label == "neutral");
}

TEST_CASE("sentiment of stored comments, written into their picklist" * doctest::test_suite("sentiment")) {
  test::TempDir dir;
  Database db = standard_db(dir, "2026-03-15T12:00:00Z");
  const std::string account = db.insert("account", {{"name", "Acme"}});
  const std::string c = db.insert("support_case", {{"subject", "Help"}, {"description", "d"}, {"origin", "email"},
                                                   {"account_id", account}});
  const std::string happy = db.insert("case_comment", {{"case_id", c}, {"body", "Thank you, that solved it!"}});
  const std::string angry = db.insert("case_comment", {{"case_id", c}, {"body", "This is ridiculous, still broken"}});
  const std::string plain = db.insert("case_comment", {{"case_id", c}, {"body", "See the attached log"}});
  const SentimentRun run = score_sentiment(db, "case_comment", "body", Filter::all(), {.write_field = "ai_sentiment"});
  REQUIRE(run.ids.size() == 3);
  CHECK(run.labels == std::vector<std::string>{"positive", "angry", "neutral"});
  CHECK(run.written == 3);
  CHECK(db.get("case_comment", angry).at("ai_sentiment") == Value("angry"));
  CHECK(db.get("case_comment", happy).at("ai_sentiment") == Value("positive"));
  // Unchanged labels are not written again.
  CHECK(score_sentiment(db, "case_comment", "body", Filter::all(), {.write_field = "ai_sentiment"}).written == 0);
  CHECK_THROWS_WITH_AS(score_sentiment(db, "case_comment", "is_public"), doctest::Contains("text or textarea"), UsageError);
  CHECK_THROWS_WITH_AS(score_sentiment(db, "case_comment", "body", Filter::all(), {.write_field = "body"}),
                       doctest::Contains("picklist"), UsageError);
  (void)plain;
}
