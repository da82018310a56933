// The "score" workflow action: a rule rescoring a record with a registered model inside the save
// pipeline's transaction, its catalog-load checks, its run-time errors and the standard lead's
// auto-scoring rule.
#include <doctest/doctest.h>

#include <string>

#include "hotcrm/hotcrm.hpp"
#include "hotcrm/scoring/registry.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using test::error_of;

namespace {

const char* kScoredCatalog = R"json([
  {"name": "account", "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "employees", "type": "number"},
    {"name": "tier", "type": "select", "options": ["gold", "silver"]},
    {"name": "score", "type": "number", "scale": 0},
    {"name": "exact_score", "type": "currency", "scale": 2},
    {"name": "label", "type": "text"}],
   "workflow_rules": [
    {"name": "rescore", "trigger": "on_create_or_update", "condition": "OR(ISNEW(), ISCHANGED(employees), ISCHANGED(tier))",
     "actions": [{"type": "score", "model": "size", "field": "score"},
                 {"type": "score", "model": "size", "field": "exact_score", "condition": "ISPICKVAL(tier, 'gold')"},
                 {"type": "field_update", "field": "label", "value": {"formula": "IF(score >= 50, 'big', 'small')"}}]}]},
  {"name": "purchase", "fields": [
    {"name": "account_id", "type": "lookup", "reference": "account"},
    {"name": "total", "type": "currency", "scale": 2}]}
])json";

OpenOptions scored_options() {
  OpenOptions options;
  options.catalog = Catalog::from_json(kScoredCatalog, "scored catalog");
  options.clock = fixed_clock(DateTime::parse("2026-03-04T05:06:07Z"));
  options.id_seed = 7;
  return options;
}

/// score = employees / 10 + 5 per purchase (an aggregate) + 12.25 for gold, clamped to 0..100.
void register_size(Database& db, double gold_points = 12.25, ModelStatus status = ModelStatus::challenger,
                   double traffic = 0) {
  RegisterOptions options;
  options.object = "account";
  options.features = {FeatureSpec::of("employees", "BLANKVALUE(employees, 0)"),
                      FeatureSpec::of("orders", FeatureAggregate{.object = "purchase", .via = "account_id"}),
                      FeatureSpec::of("gold", "ISPICKVAL(tier, 'gold')")};
  options.scale.min = 0;
  options.scale.max = 100;
  options.status = status;
  options.traffic = traffic;
  ModelRegistry(db).register_model(
      "size", Model::linear(numeric_features(std::vector<std::string>{"employees", "orders", "gold"}), {0.1, 5, gold_points}, 0),
      options);
}

}  // namespace

TEST_CASE("a score action writes the model's score in the same write, seeing earlier changes" * doctest::test_suite("workflow")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("score.db"), scored_options());
  register_size(db);
  const std::string id = db.insert("account", {{"name", "Acme"}, {"employees", std::int64_t{240}}});
  Record stored = db.get("account", id);
  CHECK(stored.at("score") == Value(std::int64_t{24}));
  CHECK(stored.at("exact_score").is_null());  // its condition (gold) does not hold
  CHECK(stored.at("label") == Value("small"));  // the later action saw the score
  CHECK(stored.at("version") == Value(std::int64_t{2}));  // one write, one re-entry update

  // Children count through the aggregate once the parent is rescored (here: an edit of its inputs).
  db.insert("purchase", {{"account_id", id}, {"total", Decimal(100, 0)}});
  db.insert("purchase", {{"account_id", id}, {"total", Decimal(100, 0)}});
  db.update("account", id, {{"tier", "gold"}});
  stored = db.get("account", id);
  CHECK(stored.at("score") == Value(std::int64_t{24 + 10 + 12}));  // 46.25 at scale 0
  CHECK(stored.at("exact_score") == Value(Decimal(4625, 2)));
  CHECK(stored.at("label") == Value("small"));
  db.update("account", id, {{"employees", std::int64_t{2000}}});
  CHECK(db.get("account", id).at("score") == Value(std::int64_t{100}));  // clamped
  CHECK(db.get("account", id).at("label") == Value("big"));

  // The log names the model, version and score.
  bool logged = false;
  for (const auto& entry : db.workflow_log())
    if (entry.action == "score" && entry.detail.find("\"model\":\"size\"") != std::string::npos) logged = true;
  CHECK(logged);
}

TEST_CASE("the score action follows promotions and champion/challenger routing" * doctest::test_suite("workflow")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("routes.db"), scored_options());
  register_size(db);
  register_size(db, 50.0, ModelStatus::challenger, 50);  // half of the records go to version 2
  ModelRegistry registry(db);
  RecordBatch batch({"name", "employees", "tier"});
  for (int i = 0; i < 40; ++i) batch.add_row({"A" + std::to_string(i), std::int64_t{100}, "gold"});
  const auto ids = db.import_records("account", batch).ids;
  // Each record carries the score of the version the registry routes it to.
  ScoreResult expected = registry.score("size");
  int challenger = 0;
  for (std::size_t r = 0; r < expected.rows(); ++r) {
    CAPTURE(expected.ids[r]);
    CHECK(db.get("account", expected.ids[r]).at("score") == Value(static_cast<std::int64_t>(expected.scores[r])));
    challenger += expected.model_versions[r] == 2;
  }
  CHECK(challenger > 5);
  CHECK(challenger < 35);
  registry.promote("size", 2);
  db.update("account", ids[0], {{"employees", std::int64_t{101}}});
  CHECK(db.get("account", ids[0]).at("score") == Value(std::int64_t{60}));  // 10.1 + 50 -> 60
}

TEST_CASE("an unknown model fails the write naming the model, nothing is kept" * doctest::test_suite("workflow")) {
  test::TempDir dir;
  const auto path = dir.file("unknown.db");
  Database db = Database::open(path, scored_options());
  const std::string before = test::dump_database(path);
  const std::string message = error_of([&] { db.insert("account", {{"name", "Acme"}}); });
  CHECK(message.find("model 'size'") != std::string::npos);
  CHECK(message.find("rule:rescore") != std::string::npos);
  CHECK(test::dump_database(path) == before);
  CHECK_THROWS_AS(db.insert("account", {{"name", "Acme"}}), WorkflowError);
  // A model of another object is refused the same way.
  RegisterOptions options;
  options.object = "purchase";
  options.features = {FeatureSpec::of("total", "BLANKVALUE(total, 0)")};
  ModelRegistry(db).register_model("size", Model::linear(numeric_features(std::vector<std::string>{"total"}), {1}, 0), options);
  CHECK(error_of([&] { db.insert("account", {{"name", "Acme"}}); }).find("scores purchase records, not account") !=
        std::string::npos);
}

TEST_CASE("score actions are checked when the catalog loads" * doctest::test_suite("workflow")) {
  auto issues_of = [](const std::string& action) {
    const std::string text = std::string(R"json({"name": "thing", "fields": [
      {"name": "n", "type": "number"}, {"name": "t", "type": "text"},
      {"name": "f", "type": "formula", "expression": "n * 2", "return_type": "number"}],
      "workflow_rules": [{"name": "r", "trigger": "on_create", "actions": [)json") + action + "]}]}";
    try {
      Catalog::from_json(text, "c");
    } catch (const SchemaError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  CHECK(issues_of(R"({"type": "score", "model": "m", "field": "n"})") == "accepted");
  CHECK(issues_of(R"({"type": "score", "model": "m", "field": "t"})").find("writes a number; thing.t is text") != std::string::npos);
  CHECK(issues_of(R"({"type": "score", "model": "m", "field": "nope"})").find("'nope' is not a field of thing") != std::string::npos);
  CHECK(issues_of(R"({"type": "score", "model": "m", "field": "f"})").find("is a formula field") != std::string::npos);
  CHECK(issues_of(R"({"type": "score", "field": "n"})").find("model") != std::string::npos);
  CHECK(issues_of(R"({"type": "score", "model": "m"})").find("field") != std::string::npos);
  CHECK(issues_of(R"({"type": "score", "model": "m", "field": "n", "value": 3})").find("value") != std::string::npos);
  // The JSON form round-trips.
  const Catalog catalog = Catalog::from_json(R"json({"name": "thing", "fields": [{"name": "n", "type": "number"}],
      "workflow_rules": [{"name": "r", "trigger": "on_create", "actions": [{"type": "score", "model": "m", "field": "n"}]}]})json");
  CHECK(catalog.object_to_json("thing").find(R"("model":"m")") != std::string::npos);
  CHECK(Catalog::from_json(catalog.to_json()).at("thing").workflow_rules[0].actions[0].kind == WorkflowAction::Kind::score);
}
