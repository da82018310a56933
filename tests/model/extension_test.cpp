// Package extensions: fields and rules a package adds to another package's object, applied when the
// catalog is assembled; conflicts and misplaced extensions are errors naming both packages.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "hotcrm/hotcrm.hpp"

using namespace hotcrm;

namespace {

const char* kBase = R"json([
  {"name": "deal", "package": "sales", "fields": [
    {"name": "title", "type": "text", "required": true},
    {"name": "amount", "type": "currency"},
    {"name": "won", "type": "boolean"}
  ], "validation_rules": [{"name": "amount_positive", "condition": "amount < 0", "message": "no negative amounts"}]},
  {"name": "promo", "package": "ads", "fields": [
    {"name": "name", "type": "text"},
    {"name": "won_total", "type": "currency",
     "rollup": {"object": "deal", "via": "promo_id", "function": "sum", "field": "amount", "filter": "won"}}
  ]}
])json";

const char* kPromoOnDeal = R"json({"extends": "deal", "package": "ads", "description": "the promo behind a deal",
  "fields": [{"name": "promo_id", "type": "lookup", "reference": "promo"}],
  "validation_rules": [{"name": "promo_needs_amount", "condition": "AND(NOT(ISBLANK(promo_id)), ISBLANK(amount))",
                        "message": "a promoted deal needs an amount", "error_field": "amount"}]})json";

/// The catalog of kBase plus the given extension texts; throws SchemaError when invalid.
Catalog assemble(std::initializer_list<const char*> extensions) {
  std::vector<CatalogIssue> issues;
  CatalogDefinitions definitions = Catalog::parse(kBase, "base.json", issues);
  int n = 0;
  for (const char* text : extensions) {
    auto parsed = Catalog::parse(text, "extension" + std::to_string(++n) + ".json", issues);
    for (auto& object : parsed.objects) definitions.objects.push_back(std::move(object));
    for (auto& extension : parsed.extensions) definitions.extensions.push_back(std::move(extension));
  }
  REQUIRE(issues.empty());
  return Catalog::from_definitions(std::move(definitions));
}

std::string schema_error(const std::function<void()>& load) {
  try {
    load();
  } catch (const SchemaError& error) {
    return error.what();
  }
  FAIL("expected a SchemaError");
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an extension adds fields and rules to another package's object" * doctest::test_suite("extension")) {
  const Catalog catalog = assemble({kPromoOnDeal});
  const ObjectDef& deal = catalog.at("deal");
  REQUIRE(deal.fields.size() == 4);
  CHECK(deal.fields.back().name == "promo_id");
  CHECK(deal.fields.back().package == "ads");
  CHECK(deal.find_field("title")->package.empty());
  REQUIRE(deal.validation_rules.size() == 2);
  CHECK(deal.validation_rules.back().name == "promo_needs_amount");
  CHECK(deal.validation_rules.back().package == "ads");
  // The roll-up of the extending package's own object runs through the added lookup.
  CHECK(catalog.at("promo").find_field("won_total")->rollup->via == "promo_id");

  // The canonical JSON keeps where each field came from and reloads without the extension file.
  const std::string json = catalog.to_json();
  CHECK(contains(catalog.object_to_json("deal"), R"("package":"ads")"));
  CHECK(Catalog::from_json(json, "stored").to_json() == json);

  // One source may mix objects and extensions; from_json applies them.
  const std::string mixed = std::string(R"({"objects": [)") + std::string(kBase).substr(1, std::string(kBase).size() - 2) +
                            ", " + kPromoOnDeal + "]}";
  CHECK(Catalog::from_json(mixed, "mixed.json").to_json() == json);
}

TEST_CASE("extension errors name the packages and the source" * doctest::test_suite("extension")) {
  // Without the extension, the roll-up's lookup is missing: the object needs its extension.
  CHECK(contains(schema_error([] { assemble({}); }), "'via' must be a lookup of deal to promo"));

  const std::string unknown = schema_error([] {
    assemble({kPromoOnDeal, R"({"extends": "invoice", "package": "ads", "fields": [{"name": "x", "type": "text"}]})"});
  });
  CHECK(contains(unknown, "extension2.json /: extends unknown object 'invoice' (package 'ads' extends it"));

  const std::string own_field = schema_error([] {
    assemble({kPromoOnDeal, R"({"extends": "deal", "package": "ads", "fields": [{"name": "amount", "type": "number"}]})"});
  });
  CHECK(contains(own_field, "extension2.json /fields/0"));
  CHECK(contains(own_field, "object 'deal' field 'amount': package 'ads' adds a field that package 'sales' already defines"));

  const std::string two_packages = schema_error([] {
    assemble({kPromoOnDeal, R"({"extends": "deal", "package": "web", "fields": [{"name": "promo_id", "type": "text"}]})"});
  });
  CHECK(contains(two_packages, "object 'deal' field 'promo_id': package 'web' adds a field that package 'ads' already defines"));

  const std::string rule = schema_error([] {
    assemble({kPromoOnDeal, R"({"extends": "deal", "package": "web", "validation_rules": [
      {"name": "amount_positive", "condition": "FALSE", "message": "m"}]})"});
  });
  CHECK(contains(rule, "object 'deal' rule 'amount_positive': package 'web' adds a rule that package 'sales' already defines"));

  const std::string own_object = schema_error([] {
    assemble({kPromoOnDeal, R"({"extends": "deal", "package": "sales", "fields": [{"name": "note", "type": "text"}]})"});
  });
  CHECK(contains(own_object, "package 'sales' extends its own object 'deal'"));

  // Problems inside an added field are the object's problems, naming the package that added it.
  const std::string bad_field = schema_error([] {
    assemble({kPromoOnDeal, R"({"extends": "deal", "package": "web", "fields": [{"name": "hits", "type": "number", "max_length": 3}]})"});
  });
  CHECK(contains(bad_field, "object 'deal' field 'hits' (added by package 'web'): 'max_length' applies only to text fields"));

  // An added rule compiles against the extended object, with the other packages' fields.
  const std::string bad_rule = schema_error([] {
    assemble({kPromoOnDeal, R"({"extends": "deal", "package": "web", "validation_rules": [
      {"name": "odd", "condition": "LEN(nothing) > 1", "message": "m"}]})"});
  });
  CHECK(contains(bad_rule, "object 'deal' rule 'odd'"));
}

TEST_CASE("extension JSON is read strictly" * doctest::test_suite("extension")) {
  auto issues_of = [](const char* text) {
    std::vector<CatalogIssue> issues;
    (void)Catalog::parse(text, "x.json", issues);
    std::string all;
    for (const auto& issue : issues) all += issue.path + ": " + issue.message + "\n";
    return all;
  };
  CHECK(contains(issues_of(R"({"extends": "deal", "package": "ads"})"), "an extension adds at least one field, validation rule or workflow rule"));
  CHECK(contains(issues_of(R"({"extends": "deal", "fields": [{"name": "a", "type": "text"}], "state_machine": {}})"),
                 "/state_machine: unknown attribute 'state_machine'"));
  CHECK(contains(issues_of(R"({"extends": "deal", "package": "ads", "fields": [{"name": "a", "type": "text", "package": "web"}]})"),
                 "/fields/0/package: 'web' differs from the extension's package 'ads'"));
  CHECK(contains(issues_of(R"({"extends": 7, "fields": [{"name": "a", "type": "text"}]})"), "/extends: expected a string"));
  CHECK(contains(issues_of(R"([{"extends": "deal", "fields": {}}])"), "/0/fields: expected an array of fields"));

  // parse_objects reads objects only and says where an extension was left out.
  std::vector<CatalogIssue> issues;
  auto objects = Catalog::parse_objects(kPromoOnDeal, "ext.json", issues);
  CHECK(objects.empty());
  REQUIRE(issues.size() == 1);
  CHECK(contains(issues[0].message, "an extension of 'deal'"));
}

TEST_CASE("a user's extension of the standard catalog" * doctest::test_suite("extension")) {
  std::vector<CatalogIssue> issues;
  auto more = Catalog::parse(R"json([
    {"extends": "lead", "fields": [{"name": "shoe_size", "type": "number", "min": 20, "max": 60}],
     "validation_rules": [{"name": "no_tiny_shoes", "condition": "shoe_size < 30", "message": "too small"}]},
    {"name": "visit", "fields": [{"name": "lead_id", "type": "lookup", "reference": "lead", "on_delete": "cascade"}]}
  ])json", "mine.json", issues);
  REQUIRE(issues.empty());
  const Catalog catalog = Catalog::standard().extended(std::move(more));
  CHECK(catalog.at("lead").find_field("shoe_size") != nullptr);
  CHECK(catalog.at("lead").find_field("shoe_size")->package.empty());
  CHECK(catalog.find("visit") != nullptr);
  CHECK(catalog.at("lead").find_field("campaign_id")->package == "marketing");  // the standard extension stays

  // A user's field clashing with a package's: the message names the package that has it.
  auto clash = Catalog::parse(R"({"extends": "opportunity", "fields": [{"name": "campaign_id", "type": "text"}]})", "mine.json", issues);
  CHECK(contains(schema_error([&] { (void)Catalog::standard().extended(std::move(clash)); }),
                 "an extension without a package adds a field that package 'marketing' already defines"));
}

TEST_CASE("the standard catalog's extensions follow the packages" * doctest::test_suite("extension")) {
  const Catalog full = Catalog::standard();
  const ObjectDef& opportunity = full.at("opportunity");
  CHECK(opportunity.find_field("campaign_id")->package == "marketing");
  CHECK(opportunity.find_field("campaign_id")->reference == "campaign");
  CHECK(opportunity.find_field("quote_count")->package == "products");
  CHECK(opportunity.find_field("quote_count")->rollup->function == "count");
  CHECK(full.at("lead").find_field("campaign_id")->package == "marketing");
  const auto& revenue = *full.at("campaign").find_field("actual_revenue");
  REQUIRE(revenue.rollup);
  CHECK(revenue.rollup->object == "opportunity");
  CHECK(revenue.rollup->via == "campaign_id");
  CHECK(revenue.rollup->filter == "ISPICKVAL(stage, 'closed_won')");
  CHECK(std::any_of(opportunity.validation_rules.begin(), opportunity.validation_rules.end(),
                    [](const ValidationRule& rule) { return rule.name == "proposal_requires_quote" && rule.package == "products"; }));

  const std::vector<std::string> crm{"crm"};
  const Catalog crm_catalog = Catalog::standard(crm);  // kept alive: `bare` refers into it
  const ObjectDef& bare = crm_catalog.at("opportunity");
  CHECK(bare.find_field("campaign_id") == nullptr);
  CHECK(bare.find_field("quote_count") == nullptr);
  CHECK(bare.validation_rules.size() == opportunity.validation_rules.size() - 1);
  const std::vector<std::string> products{"products"};
  const Catalog with_products = Catalog::standard(products);
  CHECK(with_products.at("opportunity").find_field("quote_count") != nullptr);
  CHECK(with_products.at("opportunity").find_field("campaign_id") == nullptr);

  // finance adds the contract's billing rule: crm alone has no rule that creates invoices.
  const auto has_billing = [](const Catalog& catalog) {
    const auto& rules = catalog.at("contract").workflow_rules;
    return std::any_of(rules.begin(), rules.end(), [](const auto& rule) { return rule.name == "contract_billing"; });
  };
  CHECK(has_billing(full));
  const std::vector<std::string> crm_only{"crm"};
  CHECK_FALSE(has_billing(Catalog::standard(crm_only)));

  // Each extension's package depends on the extended object's package, so selecting it selects both.
  REQUIRE(Catalog::standard_extensions().size() == 4);
  for (const auto& extension : Catalog::standard_extensions()) {
    CAPTURE(extension.source);
    const std::vector<std::string> one{extension.package};
    const auto needed = resolve_packages(one);
    CHECK(std::find(needed.begin(), needed.end(), full.at(extension.object).package) != needed.end());
    CHECK(extension.source.starts_with(extension.package + "/extends/" + extension.object));
  }
}
