// The standard catalog's package extensions in a real database: campaign actual revenue from won
// opportunities, the quote count and the Proposal rule, lead conversion keeping the campaign, and
// the migration of a database created before the extensions existed.
#include <doctest/doctest.h>

#include <algorithm>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

OpenOptions standard_options(std::optional<Catalog> catalog = std::nullopt) {
  OpenOptions options;
  options.catalog = catalog ? *catalog : Catalog::standard();
  options.clock = fixed_clock(DateTime::parse("2026-03-04T05:06:07Z"));
  options.id_seed = 7;
  return options;
}

/// The standard catalog as it was before package extensions: no fields or rules added by other
/// packages, and campaign.actual_revenue a plain read-only field.
Catalog catalog_before_extensions() {
  std::vector<ObjectDef> objects = Catalog::standard().objects();
  for (auto& object : objects) {
    std::erase_if(object.fields, [](const FieldDef& field) { return !field.package.empty(); });
    std::erase_if(object.validation_rules, [](const ValidationRule& rule) { return !rule.package.empty(); });
    for (auto& field : object.fields)
      if (object.name == "campaign" && field.name == "actual_revenue") field.rollup.reset();
  }
  return Catalog::from_objects(std::move(objects));
}

std::string insert_opportunity(Database& db, const std::string& account, const std::string& stage, const char* amount,
                               std::optional<std::string> campaign = std::nullopt) {
  Record record{{"name", "Deal"}, {"account_id", account}, {"close_date", Date::parse("2026-06-30")},
                {"stage", stage}, {"amount", Decimal::parse(amount)}};
  if (campaign) record["campaign_id"] = *campaign;
  return db.insert("opportunity", record);
}

std::string insert_quote(Database& db, const std::string& account, const std::string& opportunity,
                         const std::string& pricebook) {
  return db.insert("quote", {{"name", "Q"}, {"opportunity_id", opportunity}, {"account_id", account},
                             {"pricebook_id", pricebook}, {"quote_date", Date::parse("2026-03-01")},
                             {"expiration_date", Date::parse("2026-04-01")}});
}

Value revenue(Database& db, const std::string& campaign) { return db.get("campaign", campaign).at("actual_revenue"); }

}  // namespace

TEST_CASE("campaign actual revenue is the sum of its won opportunities" * doctest::test_suite("extension")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("crm.db"), standard_options());
  const auto account = db.insert("account", {{"name", "Acme"}});
  const auto spring = db.insert("campaign", {{"name", "Spring"}});
  const auto autumn = db.insert("campaign", {{"name", "Autumn"}});
  CHECK(revenue(db, spring) == Value(Decimal::parse("0")));  // a sum starts at zero

  const auto won = insert_opportunity(db, account, "closed_won", "1000.50", spring);
  const auto open = insert_opportunity(db, account, "negotiation", "700", spring);
  insert_opportunity(db, account, "closed_won", "99", std::nullopt);  // no campaign: counts nowhere
  CHECK(revenue(db, spring) == Value(Decimal::parse("1000.50")));

  db.update("opportunity", open, {{"stage", "closed_won"}});  // becomes won
  CHECK(revenue(db, spring) == Value(Decimal::parse("1700.50")));
  db.update("opportunity", won, {{"amount", Decimal::parse("2000")}});  // amount changed while won
  CHECK(revenue(db, spring) == Value(Decimal::parse("2700.00")));
  db.update("opportunity", won, {{"stage", "closed_lost"}});  // leaves won
  CHECK(revenue(db, spring) == Value(Decimal::parse("700")));
  db.update("opportunity", open, {{"campaign_id", autumn}});  // re-attributed
  CHECK(revenue(db, spring) == Value(Decimal::parse("0")));
  CHECK(revenue(db, autumn) == Value(Decimal::parse("700")));
  db.remove("opportunity", open);
  CHECK(revenue(db, autumn) == Value(Decimal::parse("0")));
  // Users cannot write it; deleting the campaign detaches its opportunities (set_null).
  CHECK(test::rejection_codes([&] { db.update("campaign", spring, {{"actual_revenue", "5"}}); }) ==
        std::vector<std::string>{"actual_revenue:read_only"});
  db.remove("campaign", spring);
  CHECK(db.get("opportunity", won).at("campaign_id").is_null());
}

TEST_CASE("an opportunity enters Proposal only with a quote (products)" * doctest::test_suite("extension")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("crm.db"), standard_options());
  const auto account = db.insert("account", {{"name", "Acme"}});
  const auto pricebook = db.insert("pricebook", {{"name", "Standard"}});
  const auto deal = insert_opportunity(db, account, "qualification", "500");
  CHECK(db.get("opportunity", deal).at("quote_count") == Value(std::int64_t{0}));

  auto before = test::dump_database(dir.file("crm.db"));
  try {
    db.update("opportunity", deal, {{"stage", "proposal"}});
    FAIL("expected a ValidationError");
  } catch (const ValidationError& error) {
    REQUIRE(error.errors().size() == 1);
    CHECK(error.errors()[0].rule == "proposal_requires_quote");
    CHECK(error.errors()[0].field == "stage");
  }
  CHECK(test::dump_database(dir.file("crm.db")) == before);

  const auto quote = insert_quote(db, account, deal, pricebook);
  CHECK(db.get("opportunity", deal).at("quote_count") == Value(std::int64_t{1}));
  db.update("opportunity", deal, {{"stage", "proposal"}});
  // Other saves of a deal already in Proposal, and records created there (imports of history), pass.
  db.remove("quote", quote);
  CHECK(db.get("opportunity", deal).at("quote_count") == Value(std::int64_t{0}));
  db.update("opportunity", deal, {{"next_step", "Call back"}});
  insert_opportunity(db, account, "proposal", "10");

  // Without the products package the rule and the count do not exist: crm alone moves freely.
  const std::vector<std::string> crm{"crm"};
  Database bare = Database::open(dir.file("bare.db"), standard_options(Catalog::standard(crm)));
  const auto bare_account = bare.insert("account", {{"name", "Acme"}});
  const auto bare_deal = insert_opportunity(bare, bare_account, "qualification", "500");
  bare.update("opportunity", bare_deal, {{"stage", "proposal"}});
  CHECK(bare.get("opportunity", bare_deal).count("quote_count") == 0);
  CHECK(test::rejection_codes([&] { insert_opportunity(bare, bare_account, "prospecting", "1", bare_account); }) ==
        std::vector<std::string>{"campaign_id:unknown_field"});
}

TEST_CASE("lead conversion keeps the lead's campaign when marketing is installed" * doctest::test_suite("extension")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("crm.db"), standard_options());
  const auto campaign = db.insert("campaign", {{"name", "Webinar"}});
  const auto lead = db.insert("lead", {{"last_name", "Ng"}, {"company", "Acme"}, {"email", "ng@acme.io"},
                                       {"campaign_id", campaign}, {"annual_revenue", Decimal::parse("50000")}});
  const auto converted = db.convert_lead(lead);
  REQUIRE(converted.opportunity_id);
  CHECK(db.get("opportunity", *converted.opportunity_id).at("campaign_id") == Value(campaign));
  db.update("opportunity", *converted.opportunity_id, {{"stage", "closed_won"}});
  CHECK(revenue(db, campaign) == Value(Decimal::parse("5000.00")));

  const std::vector<std::string> crm{"crm"};
  Database bare = Database::open(dir.file("bare.db"), standard_options(Catalog::standard(crm)));
  const auto bare_lead = bare.insert("lead", {{"last_name", "Ng"}, {"company", "Acme"}, {"email", "ng@acme.io"}});
  CHECK(bare.convert_lead(bare_lead).opportunity_id.has_value());
}

TEST_CASE("a database created before the extensions migrates and computes the new roll-ups" *
          doctest::test_suite("extension")) {
  test::TempDir dir;
  const auto path = dir.file("old.db");
  std::string account, won, other, campaign;
  {
    Database db = Database::open(path, standard_options(catalog_before_extensions()));
    account = db.insert("account", {{"name", "Acme"}});
    const auto pricebook = db.insert("pricebook", {{"name", "Standard"}});
    won = insert_opportunity(db, account, "closed_won", "1200");
    other = insert_opportunity(db, account, "prospecting", "300");
    insert_quote(db, account, won, pricebook);
    insert_quote(db, account, won, pricebook);
    campaign = db.insert("campaign", {{"name", "Old"}});
    CHECK(db.get("campaign", campaign).at("actual_revenue").is_null());
    CHECK(db.get("opportunity", won).count("campaign_id") == 0);
  }
  const auto dry_run = Database::plan_migration(path, Catalog::standard());
  const std::vector<std::string> expected_steps = {
      "add field lead.campaign_id", "add field opportunity.campaign_id", "add field opportunity.quote_count",
      "create index ix_lead__campaign_id", "create index ix_opportunity__campaign_id",
      "recompute roll-up campaign.actual_revenue", "recompute roll-up opportunity.quote_count"};
  for (const auto& step : expected_steps)
    CHECK_MESSAGE(std::find(dry_run.steps.begin(), dry_run.steps.end(), step) != dry_run.steps.end(), step);

  Database db = Database::open(path, standard_options());
  CHECK(db.migration().steps == dry_run.steps);
  CHECK(db.get("opportunity", won).at("quote_count") == Value(std::int64_t{2}));
  CHECK(db.get("opportunity", other).at("quote_count") == Value(std::int64_t{0}));
  CHECK(revenue(db, campaign) == Value(Decimal::parse("0")));
  db.update("opportunity", won, {{"campaign_id", campaign}});
  CHECK(revenue(db, campaign) == Value(Decimal::parse("1200")));
  CHECK(test::rejection_codes([&] { db.update("opportunity", other, {{"stage", "proposal"}}); }) ==
        std::vector<std::string>{"stage:rule"});  // it has no quote
  // Reopening with the catalog now stored changes nothing.
  db.close();
  CHECK(Database::open(path, standard_options()).migration().steps.empty());
}
