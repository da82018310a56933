// `hotcrm forecast`, `hotcrm recommend` and `hotcrm sentiment` on a standard database.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_support.hpp"
#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using test::contains;
using test::run_cli;

TEST_CASE("hotcrm forecast, recommend and sentiment") {
  test::TempDir dir;
  const auto path = dir.file("crm.db");
  std::string quote;
  {
    OpenOptions options;
    options.clock = fixed_clock(DateTime::parse("2026-03-15T12:00:00Z"));
    Database db = Database::open(path, options);
    const std::string account = db.insert("account", {{"name", "Acme"}});
    const std::string opp = db.insert("opportunity", {{"name", "Deal"}, {"account_id", account}, {"stage", "proposal"},
                                                      {"amount", Decimal(10000, 0)}, {"close_date", Date::parse("2026-03-20")}});
    const std::string book = db.insert("pricebook", {{"name", "Standard"}});
    const std::string a = db.insert("product", {{"name", "Alpha"}});
    const std::string b = db.insert("product", {{"name", "Beta"}});
    for (int i = 0; i < 3; ++i) {
      quote = db.insert("quote", {{"name", "Q"}, {"opportunity_id", opp}, {"account_id", account}, {"pricebook_id", book},
                                  {"expiration_date", Date::parse("2026-04-30")}});
      std::int64_t line = 0;
      for (const auto& product : i < 2 ? std::vector<std::string>{a, b} : std::vector<std::string>{a})
        db.insert("quote_line_item", {{"quote_id", quote}, {"product_id", product}, {"line_number", ++line},
                                      {"list_price", Decimal(1, 0)}, {"unit_price", Decimal(1, 0)}});
    }
    const std::string c = db.insert("support_case", {{"subject", "Help"}, {"description", "d"}, {"origin", "email"},
                                                     {"account_id", account}});
    db.insert("case_comment", {{"case_id", c}, {"body", "Thanks, great support"}});
  }
  const std::string db = path.string();

  auto forecast = run_cli({"forecast", db, "--months", "2", "--now", "2026-03-15T00:00:00Z", "--format", "json"});
  REQUIRE(forecast.exit_code == 0);
  const auto march = nlohmann::json::parse(forecast.out.substr(0, forecast.out.find('\n')));
  CHECK(march["month"] == "2026-03-01");
  CHECK(march["weighted"] == "6000.000000");  // 10,000 x 60 %
  CHECK(march["forecast"] == "4560.00");      // x (0.7 + 0.3 x 0.2)
  CHECK(contains(forecast.err, "win rate 0.200"));
  CHECK(run_cli({"forecast", db, "--months", "0"}).exit_code == 2);
  CHECK(run_cli({"forecast", db, "--now", "yesterday"}).exit_code == 2);

  auto recommend = run_cli({"recommend", db, quote, "--format", "json"});
  REQUIRE(recommend.exit_code == 0);
  CHECK(nlohmann::json::parse(recommend.out.substr(0, recommend.out.find('\n')))["name"] == "Beta");
  CHECK(run_cli({"recommend", db, "nope"}).exit_code == 1);

  auto text = run_cli({"sentiment", "--text", "not good at all", "--format", "json"});
  REQUIRE(text.exit_code == 0);
  CHECK(nlohmann::json::parse(text.out)["label"] == "negative");
  auto records = run_cli({"sentiment", db, "case_comment", "body", "--write", "ai_sentiment"});
  CHECK(records.exit_code == 0);
  CHECK(contains(records.out, "positive"));
  CHECK(contains(records.err, "1 labels written"));
  CHECK(run_cli({"sentiment", db, "case_comment", "is_public"}).exit_code == 2);
  CHECK(run_cli({"sentiment"}).exit_code == 2);
}
