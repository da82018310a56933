#include <doctest/doctest.h>

#include <fstream>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

// The message of the SchemaError thrown while loading `json`, or "" when it loads.
std::string load_error(const std::string& json) {
  try {
    Catalog::from_json(json);
  } catch (const SchemaError& error) {
    return error.what();
  }
  return "";
}

std::string object_with_fields(const std::string& fields) {
  return R"({"name": "widget", "fields": [)" + fields + "]}";
}

}  // namespace

TEST_CASE("the standard catalog holds the core sales objects" * doctest::test_suite("catalog")) {
  auto catalog = Catalog::standard();
  for (const char* name : {"user", "account", "contact", "lead", "opportunity"}) CHECK(catalog.find(name) != nullptr);
  const auto& lead = catalog.at("lead");
  CHECK(lead.find_field("is_converted") != nullptr);
  CHECK(lead.find_field("id") != nullptr);  // system fields resolve too
  const auto* status = lead.find_field("status");
  REQUIRE(status != nullptr);
  CHECK(status->type == FieldType::select);
  CHECK(status->find_option("new") != nullptr);
  const auto* stage = catalog.at("opportunity").find_field("stage");
  REQUIRE(stage != nullptr);
  const auto* won = stage->find_option("closed_won");
  REQUIRE(won != nullptr);
  CHECK(won->is_won);
  CHECK(won->probability == doctest::Approx(100));
  CHECK_THROWS_AS(catalog.at("nope"), SchemaError);
}

TEST_CASE("catalog JSON round-trips through to_json" * doctest::test_suite("catalog")) {
  auto catalog = Catalog::standard();
  auto again = Catalog::from_json(catalog.to_json());
  CHECK(again.to_json() == catalog.to_json());
  CHECK(again.object_names() == catalog.object_names());
}

TEST_CASE("a valid user object loads with every attribute" * doctest::test_suite("catalog")) {
  auto catalog = Catalog::from_json(R"([
    {"name": "parent", "fields": [{"name": "title", "type": "text", "max_length": 10, "required": true}]},
    {"name": "child", "label": "Child", "capabilities": {"track_history": true}, "fields": [
      {"name": "parent_id", "type": "master_detail", "reference": "parent"},
      {"name": "amount", "type": "currency", "scale": 2, "precision": 12, "min": 0, "default": 1.5},
      {"name": "tags", "type": "multiselect", "options": [{"value": "a", "label": "A"}, "b"]},
      {"name": "code", "type": "autonumber", "format": "W-{YYYY}-{0000}"},
      {"name": "seen", "type": "datetime", "default": "$now"},
      {"name": "doubled", "type": "formula", "expression": "amount * 2", "return_type": "currency"}
    ]}])");
  const auto& child = catalog.at("child");
  CHECK(child.has_capability("track_history"));
  CHECK(child.find_field("parent_id")->on_delete == DeleteBehavior::cascade);
  CHECK(child.find_field("amount")->default_value->literal == Value(Decimal::parse("1.5")));
  CHECK(child.find_field("tags")->options.size() == 2);
  CHECK_FALSE(child.find_field("doubled")->is_stored());
}

TEST_CASE("malformed catalogs are refused with the location of every problem" * doctest::test_suite("catalog")) {
  SUBCASE("malformed JSON names line and column") {
    auto message = load_error("{\n  \"name\": \"x\",\n  \"fields\": [\n}");
    CHECK(message.find("line 4") != std::string::npos);
    CHECK(message.find("malformed JSON") != std::string::npos);
  }
  SUBCASE("unknown type") {
    CHECK(load_error(object_with_fields(R"({"name": "a", "type": "blob"})")).find("unknown field type 'blob'") !=
          std::string::npos);
  }
  SUBCASE("misspelt attribute") {
    CHECK(load_error(object_with_fields(R"({"name": "a", "type": "text", "requried": true})"))
              .find("/fields/0/requried: unknown attribute") != std::string::npos);
  }
  SUBCASE("duplicate field") {
    CHECK(load_error(object_with_fields(R"({"name": "a", "type": "text"}, {"name": "a", "type": "number"})"))
              .find("duplicate field name") != std::string::npos);
  }
  SUBCASE("default not among options") {
    CHECK(load_error(object_with_fields(
                         R"({"name": "s", "type": "select", "default": "New", "options": [{"value": "new"}]})"))
              .find("is not one of the options") != std::string::npos);
  }
  SUBCASE("lookup to an unknown object") {
    CHECK(load_error(object_with_fields(R"({"name": "a_id", "type": "lookup", "reference": "ghost"})"))
              .find("lookup to unknown object 'ghost'") != std::string::npos);
  }
  SUBCASE("bad autonumber format") {
    CHECK(load_error(object_with_fields(R"({"name": "n", "type": "autonumber", "format": "X-{YYYY}"})"))
              .find("exactly one counter") != std::string::npos);
    CHECK(load_error(object_with_fields(R"({"name": "n", "type": "autonumber", "format": "X-{Q}{00}"})"))
              .find("unknown token {Q}") != std::string::npos);
  }
  SUBCASE("reserved and invalid identifiers") {
    CHECK(load_error(object_with_fields(R"({"name": "select", "type": "text"})")).find("reserved SQL word") !=
          std::string::npos);
    CHECK(load_error(object_with_fields(R"({"name": "Bad-Name", "type": "text"})")).find("must start with") !=
          std::string::npos);
    CHECK(load_error(object_with_fields(R"({"name": "version", "type": "text"})")).find("system field") !=
          std::string::npos);
    CHECK(load_error(R"({"name": "x\"; DROP TABLE lead; --", "fields": []})").find("has the character") !=
          std::string::npos);
  }
  SUBCASE("option values must be identifiers, constraints must fit the type") {
    CHECK(load_error(object_with_fields(R"({"name": "s", "type": "select", "options": ["Closed Won"]})"))
              .find("lowercase identifier") != std::string::npos);
    CHECK(load_error(object_with_fields(R"({"name": "t", "type": "boolean", "max_length": 4})"))
              .find("'max_length' applies only to text") != std::string::npos);
    CHECK(load_error(object_with_fields(R"({"name": "n", "type": "number", "min": 5, "max": 1})"))
              .find("'min' is greater than 'max'") != std::string::npos);
  }
  SUBCASE("every problem is reported at once") {
    auto message = load_error(object_with_fields(R"({"name": "a", "type": "blob"}, {"name": "b", "type": "lookup"})"));
    CHECK(message.find("2 problems") != std::string::npos);
  }
}

TEST_CASE("catalogs load from files and folders" * doctest::test_suite("catalog")) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("objects/sub"));
  std::ofstream(dir.file("objects/a.json")) << R"({"name": "alpha", "fields": [{"name": "title", "type": "text"}]})";
  std::ofstream(dir.file("objects/sub/b.json"))
      << R"({"objects": [{"name": "beta", "fields": [{"name": "alpha_id", "type": "lookup", "reference": "alpha"}]}]})";
  auto catalog = Catalog::load(dir.file("objects"));
  CHECK(catalog.object_names() == std::vector<std::string>{"alpha", "beta"});
  auto single = Catalog::load(dir.file("objects/a.json"));
  CHECK(single.object_names() == std::vector<std::string>{"alpha"});
  CHECK_THROWS_AS(Catalog::load(dir.file("missing.json")), Error);
  std::filesystem::create_directories(dir.file("empty"));
  CHECK_THROWS_AS(Catalog::load(dir.file("empty")), SchemaError);
}

TEST_CASE("merged catalogs add and replace objects" * doctest::test_suite("catalog")) {
  auto extra = Catalog::from_json(R"([{"name": "user", "fields": [{"name": "nick", "type": "text"}]},
                                      {"name": "widget", "fields": [{"name": "owner_user", "type": "lookup", "reference": "user"}]}])");
  auto merged = Catalog::standard().merged(extra);
  CHECK(merged.find("widget") != nullptr);
  CHECK(merged.at("user").find_field("nick") != nullptr);
  CHECK(merged.at("user").find_field("username") == nullptr);
}
