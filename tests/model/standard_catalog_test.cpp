// The standard catalog as a whole: every package, every object, closed under lookups.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "hotcrm/hotcrm.hpp"

using namespace hotcrm;

namespace {

std::vector<std::string> package_names() {
  std::vector<std::string> names;
  for (const auto& package : standard_packages()) names.push_back(package.name);
  return names;
}

// Every object's lookups point to an object of the same catalog.
std::vector<std::string> dangling_lookups(const Catalog& catalog) {
  std::vector<std::string> dangling;
  for (const auto& object : catalog.objects())
    for (const auto& field : object.fields)
      if (field.is_reference() && catalog.find(field.reference) == nullptr)
        dangling.push_back(object.name + "." + field.name + " -> " + field.reference);
  return dangling;
}

}  // namespace

TEST_CASE("the standard catalog holds every HotCRM object in its package" * doctest::test_suite("standard")) {
  const Catalog catalog = Catalog::standard();
  CHECK(Catalog::check(catalog.objects()).empty());
  CHECK(catalog.objects().size() == 72);  // the seed's 65 and 7 objects the seed referenced but never defined

  std::map<std::string, int> per_package;
  for (const auto& object : catalog.objects()) ++per_package[object.package];
  CHECK(per_package == std::map<std::string, int>{{"platform", 3}, {"crm", 9}, {"marketing", 6}, {"products", 12},
                                                  {"finance", 3}, {"support", 23}, {"hr", 16}});
  for (const char* name : {"user", "role", "document", "account", "contact", "lead", "opportunity", "activity", "task",
                           "note", "contract", "campaign", "campaign_member", "quote", "quote_line_item",
                           "pricebook_entry", "invoice", "payment", "support_case", "queue_member", "asset",
                           "employee", "payroll"})
    CHECK_MESSAGE(catalog.find(name) != nullptr, name);
  CHECK(dangling_lookups(catalog).empty());
}

TEST_CASE("every field and rule of the standard catalog is described in English" * doctest::test_suite("standard")) {
  const Catalog catalog = Catalog::standard();
  auto is_ascii = [](const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  };
  for (const auto& object : catalog.objects()) {
    CAPTURE(object.name);
    CHECK_FALSE(object.label.empty());
    CHECK_FALSE(object.plural_label.empty());
    CHECK_FALSE(object.description.empty());
    CHECK(is_ascii(object.label + object.description));
    for (const auto& field : object.fields) {
      CAPTURE(field.name);
      CHECK_FALSE(field.label.empty());
      CHECK(is_ascii(field.label + field.description));
      for (const auto& option : field.options) CHECK(is_ascii(option.label));
    }
    for (const auto& rule : object.validation_rules) CHECK(is_ascii(rule.message));
  }
}

TEST_CASE("opportunity stages carry probability and won/lost flags" * doctest::test_suite("standard")) {
  const auto* stage = Catalog::standard().at("opportunity").find_field("stage");
  REQUIRE(stage != nullptr);
  const std::vector<std::pair<std::string, double>> expected = {
      {"prospecting", 10}, {"qualification", 20}, {"needs_analysis", 40}, {"proposal", 60},
      {"negotiation", 80}, {"closed_won", 100},   {"closed_lost", 0}};
  REQUIRE(stage->options.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(stage->options[i].value == expected[i].first);
    CHECK(stage->options[i].probability == doctest::Approx(expected[i].second));
    CHECK(stage->options[i].is_won == (expected[i].first == "closed_won"));
    CHECK(stage->options[i].is_lost == (expected[i].first == "closed_lost"));
  }
}

TEST_CASE("autonumbers use the seed's formats" * doctest::test_suite("standard")) {
  const Catalog catalog = Catalog::standard();
  const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
      {"support_case", "case_number", "CASE-{YYYY}-{0000}"},   {"invoice", "invoice_number", "INV-{YYYY}-{000000}"},
      {"contract", "contract_number", "CT-{YYYY}{MM}{DD}-{0000}"}, {"quote", "quote_number", "Q-{YYYY}-{MM}-{0000}"},
      {"approval_request", "request_number", "AR-{YYYY}-{MM}-{00000}"},
      {"knowledge_article", "article_number", "KB-{YYYY}-{0000}"}, {"payment", "payment_number", "PAY-{YYYY}-{000000}"},
      {"offer", "offer_number", "OFF-{YYYY}{MM}-{0000}"}};
  for (const auto& [object, field, format] : expected) {
    const auto* definition = catalog.at(object).find_field(field);
    REQUIRE_MESSAGE(definition != nullptr, (object + "." + field));
    CHECK(definition->type == FieldType::autonumber);
    CHECK(definition->format == format);
  }
}

TEST_CASE("polymorphic references are an object name and an id, set together" * doctest::test_suite("standard")) {
  const Catalog catalog = Catalog::standard();
  for (const auto& [object, prefix] : std::vector<std::pair<std::string, std::string>>{
           {"activity", "who"}, {"activity", "what"}, {"task", "who"}, {"task", "what"}, {"note", "parent"}}) {
    CAPTURE(object);
    CAPTURE(prefix);
    const auto& definition = catalog.at(object);
    const auto* kind = definition.find_field(prefix + "_object");
    const auto* id = definition.find_field(prefix + "_id");
    REQUIRE(kind != nullptr);
    REQUIRE(id != nullptr);
    CHECK(kind->type == FieldType::select);
    CHECK(id->type == FieldType::text);
    for (const auto& option : kind->options) CHECK_MESSAGE(catalog.find(option.value) != nullptr, option.value);
    const bool both_required = kind->required && id->required;
    const bool rule_present =
        std::any_of(definition.validation_rules.begin(), definition.validation_rules.end(),
                    [&](const ValidationRule& rule) { return rule.name == prefix + "_reference_complete"; });
    CHECK((both_required || rule_present));
  }
}

TEST_CASE("packages resolve with their dependencies" * doctest::test_suite("standard")) {
  CHECK(package_names() == std::vector<std::string>{"platform", "crm", "marketing", "products", "finance", "support", "hr"});
  const std::vector<std::string> support{"support"};
  CHECK(resolve_packages(support) == std::vector<std::string>{"platform", "crm", "products", "support"});
  const std::vector<std::string> hr_and_crm{"hr", "crm"};
  CHECK(resolve_packages(hr_and_crm) == std::vector<std::string>{"platform", "crm", "hr"});
  CHECK(resolve_packages(std::span<const std::string>{}).empty());

  // Dependencies come first in standard_packages(), so the list is an install order.
  std::set<std::string> seen;
  for (const auto& package : standard_packages()) {
    for (const auto& dependency : package.depends) CHECK_MESSAGE(seen.count(dependency) == 1, package.name);
    seen.insert(package.name);
  }
}

TEST_CASE("an unknown package is a usage error naming it" * doctest::test_suite("standard")) {
  const std::vector<std::string> packages{"crm", "warehouse"};
  try {
    Catalog::standard(packages);
    FAIL("expected a UsageError");
  } catch (const UsageError& error) {
    CHECK(std::string(error.what()).find("'warehouse'") != std::string::npos);
    CHECK(error.code() == ErrorCode::usage);
  }
}

TEST_CASE("every selection of packages loads and is closed under lookups" * doctest::test_suite("standard")) {
  const auto names = package_names();
  const Catalog full = Catalog::standard();
  std::size_t full_objects = 0;
  for (unsigned mask = 1; mask < (1u << names.size()); ++mask) {
    std::vector<std::string> chosen;
    for (std::size_t i = 0; i < names.size(); ++i)
      if (mask & (1u << i)) chosen.push_back(names[i]);
    CAPTURE(mask);
    const Catalog catalog = Catalog::standard(chosen);  // from_objects: checks and compiles every formula
    CHECK(dangling_lookups(catalog).empty());
    const auto resolved = resolve_packages(chosen);
    for (const auto& object : full.objects()) {
      const bool included = std::find(resolved.begin(), resolved.end(), object.package) != resolved.end();
      CHECK_MESSAGE((catalog.find(object.name) != nullptr) == included, object.name);
    }
    if (catalog.objects().size() == full.objects().size()) ++full_objects;
  }
  CHECK(full_objects > 0);
}

TEST_CASE("each package's lookups stay inside its declared dependencies" * doctest::test_suite("standard")) {
  const Catalog catalog = Catalog::standard();
  for (const auto& package : standard_packages()) {
    const std::vector<std::string> one{package.name};
    const auto allowed = resolve_packages(one);
    for (const auto& object : catalog.objects()) {
      for (const auto& field : object.fields) {
        // A field belongs to the package that declared it: its object's, or the extension's.
        if ((field.package.empty() ? object.package : field.package) != package.name) continue;
        if (!field.is_reference()) continue;
        const auto& target_package = catalog.at(field.reference).package;
        CHECK_MESSAGE(std::find(allowed.begin(), allowed.end(), target_package) != allowed.end(),
                      (object.name + "." + field.name + " -> " + field.reference + " (" + target_package + ")"));
      }
    }
  }
}
