// The model registry against real SQLite files: versions, promotion, champion/challenger routing,
// write-back without rescoring unchanged records, explanations, monitoring, the default lead score.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cmath>
#include <map>
#include <string>

#include "hotcrm/hotcrm.hpp"
#include "hotcrm/scoring/registry.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using test::error_of;

namespace {

const std::vector<FeatureSpec> kCompanyFeatures = {
    {"revenue_m", "BLANKVALUE(revenue, 0) / 1000000"},
    {"employees", "BLANKVALUE(employees, 0)"},
    {"tech", "ISPICKVAL(industry, 'technology')"},
};

Model company_model(double w0 = 0.5, double w1 = 0.001) {
  return Model::logistic(numeric_features(std::vector<std::string>{"revenue_m", "employees", "tech"}), {w0, w1, 0.8}, -1.0);
}

void load_companies(Database& db, int n) {
  const char* industries[] = {"technology", "finance", "retail"};
  RecordBatch batch({"name", "industry", "revenue", "employees", "active"});
  for (int i = 0; i < n; ++i)
    batch.add_row({"C" + std::to_string(i), Value(industries[i % 3]), Value(Decimal(std::int64_t{(i * 7919) % 5000} * 100000, 2)),
                   std::int64_t{(i * 31) % 900}, i % 4 != 0});
  db.import_records("company", batch);
}

RegisterOptions company_options() {
  RegisterOptions options;
  options.object = "company";
  options.features = kCompanyFeatures;
  return options;
}

}  // namespace

TEST_CASE("routing hash is FNV-1a 64 of name, a zero byte and the record id" * doctest::test_suite("registry")) {
  CHECK(routing_hash("lead_score", "abc") == 13079847330059629650ULL);  // computed independently
  CHECK(routing_hash("lead_score", "abc") % 10000 == 9650);
  CHECK(routing_hash("a", "bc") != routing_hash("ab", "c"));
}

TEST_CASE("PSI, AUC, log-loss and calibration on hand-computed cases" * doctest::test_suite("registry")) {
  const std::vector<double> reference_scores = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  ScoreHistogram h = make_histogram(reference_scores, 2);
  REQUIRE(h.edges == std::vector<double>{6});
  CHECK(h.fractions == std::vector<double>{0.5, 0.5});
  // current shares 0.75 / 0.25: 0.25 ln 1.5 + (-0.25) ln 0.5
  const std::vector<double> current = {1, 2, 3, 7};
  CHECK(population_stability(h, current) == doctest::Approx(0.25 * std::log(1.5) + 0.25 * std::log(2.0)));
  CHECK(population_stability(h, reference_scores) == 0.0);
  // An empty bin is floored at 1e-4.
  const std::vector<double> low = {1, 2};
  CHECK(population_stability(h, low) == doctest::Approx((1 - 0.5) * std::log(1 / 0.5) + (1e-4 - 0.5) * std::log(1e-4 / 0.5)));
  CHECK(make_histogram(reference_scores, 10).edges.size() == 9);
  CHECK(make_histogram(std::vector<double>{5, 5, 5, 5}, 10).edges.empty());  // ties merge

  const std::vector<double> s = {0.1, 0.4, 0.35, 0.8}, y = {0, 0, 1, 1};
  CHECK(roc_auc(s, y) == doctest::Approx(0.75));
  CHECK(roc_auc(std::vector<double>{0.5, 0.5}, std::vector<double>{0, 1}) == doctest::Approx(0.5));  // ties half
  CHECK(std::isnan(roc_auc(s, std::vector<double>{1, 1, 1, 1})));
  CHECK(log_loss(std::vector<double>{0.9, 0.2}, std::vector<double>{1, 0}) ==
        doctest::Approx(-(std::log(0.9) + std::log(0.8)) / 2));
  auto table = calibration_table(std::vector<double>{0.05, 0.15, 0.12, 0.95}, std::vector<double>{0, 1, 0, 1}, 10);
  REQUIRE(table.size() == 3);
  CHECK(table[1].count == 2);
  CHECK(table[1].mean_predicted == doctest::Approx(0.135));
  CHECK(table[1].observed_rate == doctest::Approx(0.5));
  CHECK(error_of([&] { roc_auc(s, std::vector<double>{1}); }).find("4 scores for 1 labels") != std::string::npos);
}

TEST_CASE("registered models get versions per name, promote retires the old champion" * doctest::test_suite("registry")) {
  test::TempDir dir;
  const auto path = dir.file("registry.db");
  {
    Database db = Database::open(path, test::test_options());
    ModelRegistry registry(db);
    ModelInfo v1 = registry.register_model("churn", company_model(), company_options());
    CHECK(v1.version == 1);
    CHECK(v1.status == ModelStatus::champion);  // the first version of a name is its champion
    CHECK(v1.created_at == DateTime::parse("2026-03-04T05:06:07Z"));  // the database clock
    ModelInfo v2 = registry.register_model("churn", company_model(0.7), company_options());
    CHECK(v2.version == 2);
    CHECK(v2.status == ModelStatus::challenger);
    CHECK(registry.register_model("other", company_model(), company_options()).version == 1);
  }
  // Reopened: everything was stored.
  Database db = Database::open(path, test::test_options());
  ModelRegistry registry(db);
  auto all = registry.list("churn");
  REQUIRE(all.size() == 2);
  CHECK(all[0].features.size() == 3);
  CHECK(all[0].features[2].formula == "ISPICKVAL(industry, 'technology')");
  CHECK(registry.get("churn").info.version == 1);
  CHECK(registry.get("churn", 2).model.to_json() == company_model(0.7).to_json());
  registry.promote("churn", 2);
  CHECK(registry.get("churn").info.version == 2);
  CHECK(registry.get("churn", 1).info.status == ModelStatus::retired);
  CHECK(registry.list().size() == 3);

  CHECK_THROWS_AS(registry.promote("churn", 9), NotFoundError);
  CHECK(error_of([&] { registry.promote("churn", 9); }).find("model 'churn' has no version 9") != std::string::npos);
  CHECK(error_of([&] { registry.get("nope"); }).find("no model named 'nope'") != std::string::npos);
  CHECK(error_of([&] { registry.score("nope"); }).find("no model named 'nope'") != std::string::npos);
  CHECK(error_of([&] { registry.retire("churn", 2); }).find("is the champion") != std::string::npos);
  CHECK(error_of([&] { registry.set_traffic("churn", 1, 10); }).find("only a challenger") != std::string::npos);
}

TEST_CASE("register_model refuses features that do not compile or do not match the model" * doctest::test_suite("registry")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("bad.db"), test::test_options());
  ModelRegistry registry(db);
  RegisterOptions options = company_options();
  options.features[1].formula = "employes + 1";
  const std::string bad = error_of([&] { registry.register_model("m", company_model(), options); });
  CHECK(bad.find("register_model 'm'") != std::string::npos);
  CHECK(bad.find("feature 'employees' does not compile") != std::string::npos);
  options = company_options();
  options.features[1].name = "staff";
  CHECK(error_of([&] { registry.register_model("m", company_model(), options); })
            .find("feature formula 1 is named 'staff', the model's feature 1 is 'employees'") != std::string::npos);
  options = company_options();
  options.features.pop_back();
  CHECK(error_of([&] { registry.register_model("m", company_model(), options); })
            .find("2 feature formulas for a model of 3 features") != std::string::npos);
  options = company_options();
  options.object = "planet";
  CHECK_THROWS_AS(registry.register_model("m", company_model(), options), SchemaError);
  CHECK(error_of([&] { registry.register_model("bad name!", company_model(), company_options()); })
            .find("letters, digits") != std::string::npos);
  CHECK(registry.list("m").empty());  // nothing was stored
}

TEST_CASE("champion/challenger split is stable and follows the configured share" * doctest::test_suite("registry")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("split.db"), test::test_options());
  load_companies(db, 10'000);
  ModelRegistry registry(db);
  registry.register_model("win", company_model(), company_options());
  RegisterOptions challenger = company_options();
  challenger.traffic = 20;
  registry.register_model("win", company_model(0.9), challenger);
  ScoreResult first = registry.score("win");
  REQUIRE(first.rows() == 10'000);
  std::map<std::int64_t, int> counts;
  for (std::size_t r = 0; r < first.rows(); ++r) {
    ++counts[first.model_versions[r]];
    const bool to_challenger = routing_hash("win", first.ids[r]) % 10000 < 2000;
    CHECK(first.model_versions[r] == (to_challenger ? 2 : 1));
  }
  CHECK(counts[2] == doctest::Approx(2000).epsilon(0.1));  // 20 % of 10,000 within 10 % relative
  ScoreResult second = registry.score("win");
  CHECK(second.ids == first.ids);
  CHECK(second.model_versions == first.model_versions);
  CHECK(second.scores == first.scores);
  CHECK_THROWS_WITH_AS(registry.set_traffic("win", 2, 101), doctest::Contains("not a percentage"), UsageError);
  RegisterOptions third = company_options();
  third.traffic = 90;
  CHECK(error_of([&] { registry.register_model("win", company_model(), third); }).find("more than 100%") != std::string::npos);
  registry.set_traffic("win", 2, 0);
  ScoreResult all_champion = registry.score("win", parse_where("employees < 100"));
  for (auto v : all_champion.model_versions) CHECK(v == 1);
}

TEST_CASE("scores are written once, only changed records are rescored" * doctest::test_suite("registry")) {
  test::TempDir dir;
  const auto path = dir.file("write.db");
  Database db = Database::open(path, test::test_options());
  load_companies(db, 300);
  ModelRegistry registry(db);
  registry.register_model("win", company_model(), company_options());
  ScoreResult first = registry.score("win", Filter::all(), {.explain = true, .write = true});
  CHECK(first.written == 300);
  CHECK(first.skipped == 0);
  ScoreResult again = registry.score("win", Filter::all(), {.explain = true, .write = true});
  CHECK(again.written == 0);
  CHECK(again.skipped == 300);
  CHECK(again.rows() == 0);
  const std::string changed = first.ids[17];
  db.update("company", changed, {{"employees", std::int64_t{5}}});
  ScoreResult third = registry.score("win", Filter::all(), {.write = true});
  REQUIRE(third.rows() == 1);
  CHECK(third.ids[0] == changed);
  CHECK(third.record_versions[0] == 2);
  CHECK(third.skipped == 299);
  // A new champion version rescores everything.
  registry.register_model("win", company_model(0.1), [] {
    RegisterOptions o = company_options();
    o.status = ModelStatus::champion;
    return o;
  }());
  CHECK(registry.score("win", Filter::all(), {.write = true}).written == 300);

  // The stored row: model version, record version, score and the explanation JSON.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT model_version, record_version, score, explanation FROM _hotcrm_scores "
                                  "WHERE model = 'win' AND record_id = ?", -1, &s, nullptr) == SQLITE_OK);
  sqlite3_bind_text(s, 1, first.ids[3].c_str(), -1, SQLITE_TRANSIENT);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(s, 0) == 2);
  CHECK(sqlite3_column_int64(s, 1) == 1);
  CHECK(sqlite3_column_type(s, 3) == SQLITE_NULL);  // the last run had no explain
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

TEST_CASE("explanations add up and name their factors" * doctest::test_suite("registry")) {
  test::TempDir dir;
  const auto path = dir.file("explain.db");
  Database db = Database::open(path, test::test_options());
  load_companies(db, 200);
  ModelRegistry registry(db);
  registry.register_model("win", company_model(), company_options());
  RegisterOptions challenger = company_options();
  challenger.features = {{"revenue_m", "BLANKVALUE(revenue, 0) / 1000000"}, {"active", "active"}};
  challenger.traffic = 50;
  registry.register_model("win", Model::logistic(numeric_features(std::vector<std::string>{"revenue_m", "active"}), {0.3, 1.0}, 0.2),
                          challenger);
  ScoreResult result = registry.score("win", Filter::all(), {.explain = true, .write = true});
  REQUIRE(result.feature_names == std::vector<std::string>{"revenue_m", "employees", "tech", "active"});
  const std::size_t k = result.feature_names.size();
  for (std::size_t r = 0; r < result.rows(); ++r) {
    double total = result.base[r];
    for (std::size_t j = 0; j < k; ++j) total += result.contributions[r * k + j];
    CHECK(total == doctest::Approx(result.raw[r]).epsilon(1e-12));
    CHECK(result.scores[r] == doctest::Approx(1 / (1 + std::exp(-result.raw[r]))));
    if (result.model_versions[r] == 2) CHECK(result.contributions[r * k + 1] == 0.0);  // not a feature of v2
  }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT explanation FROM _hotcrm_scores WHERE model_version = 1 LIMIT 1", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  const std::string json(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  CHECK(json.find("\"base\":") != std::string::npos);
  CHECK(json.find("\"positive\":[{\"feature\":") != std::string::npos);
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

TEST_CASE("train from the database, then monitor drift and accuracy" * doctest::test_suite("registry")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("monitor.db"), test::test_options());
  load_companies(db, 2000);
  ModelRegistry registry(db);
  TrainRequest request;
  request.object = "company";
  request.features = kCompanyFeatures;
  request.label = "active";
  ModelInfo trained = registry.train("active", request);
  CHECK(trained.kind == ModelKind::logistic);
  CHECK(trained.reference.count == 2000);
  CHECK(trained.metrics_json.find("\"rows\":2000") != std::string::npos);
  CHECK(error_of([&] { registry.train("x", {.object = "company", .features = kCompanyFeatures, .label = "revnue > 1"}); })
            .find("does not compile") != std::string::npos);

  // Nothing stored yet: no drift, no accuracy.
  MonitorReport empty = registry.monitor("active", {.label = "active"});
  REQUIRE(empty.versions.size() == 1);
  CHECK(empty.versions[0].scored == 0);
  CHECK(std::isnan(empty.versions[0].psi));

  ScoreResult scored = registry.score("active", Filter::all(), {.write = true});
  MonitorReport report = registry.monitor("active", {.label = "active"});
  const VersionMonitor& v = report.versions.at(0);
  CHECK(v.scored == 2000);
  CHECK(v.psi == doctest::Approx(0.0));  // the same records as the training reference
  CHECK(v.labelled == 2000);
  std::vector<double> labels;
  for (const auto& id : scored.ids) labels.push_back(db.get("company", id).at("active").as_bool() ? 1.0 : 0.0);
  CHECK(v.auc == doctest::Approx(roc_auc(scored.scores, labels)));
  CHECK(v.log_loss == doctest::Approx(log_loss(scored.scores, labels)));
  std::int64_t in_table = 0;
  for (const auto& bin : v.calibration) in_table += bin.count;
  CHECK(in_table == 2000);
  // Only records matching the filter count as labelled.
  CHECK(registry.monitor("active", {.label = "active", .filter = parse_where("employees < 100")}).versions[0].labelled ==
        db.count("company", parse_where("employees < 100")));
  // Drift: new records unlike the training ones.
  RecordBatch shifted({"name", "industry", "revenue", "employees"});
  for (int i = 0; i < 2000; ++i)
    shifted.add_row({"S" + std::to_string(i), Value("technology"), Value(Decimal(std::int64_t{900'000'000}, 2)), std::int64_t{800}});
  db.import_records("company", shifted);
  registry.score("active", Filter::all(), {.write = true});
  CHECK(registry.monitor("active").versions[0].psi > 0.25);
  CHECK(error_of([&] { registry.monitor("active", {.label = "nme"}); }).find("label") != std::string::npos);
}

TEST_CASE("the default lead_score follows the seed's rules" * doctest::test_suite("registry")) {
  test::TempDir dir;
  const auto path = dir.file("leads.db");
  OpenOptions options;
  options.clock = fixed_clock(DateTime::parse("2026-03-04T12:00:00Z"));
  options.id_seed = 3;
  Database db = Database::open(path, options);
  // Every field of the completeness list: 17 of 17 = 100 % -> 20 points.
  const std::string full = db.insert(
      "lead", {{"first_name", "Sarah"}, {"last_name", "Johnson"}, {"company", "TechCorp"}, {"title", "CTO"},
               {"email", "s@techcorp.io"}, {"phone", "+1 555 0100"}, {"mobile_phone", "+1 555 0101"},
               {"street", "1 Main St"}, {"city", "Austin"}, {"state", "TX"}, {"country", "US"},
               {"industry", "technology"}, {"lead_source", "web"}, {"rating", "hot"},
               {"number_of_employees", std::int64_t{1200}}, {"annual_revenue", Decimal(std::int64_t{200'000'000}, 0)},
               {"description", "Evaluating"}});
  // last_name, company, phone, rating warm, employees 500 (not > 500), revenue exactly 1M (not > 1M): 6 of 17.
  const std::string sparse = db.insert("lead", {{"last_name", "Lee"}, {"company", "Small"}, {"phone", "+1 555 0102"}, {"rating", "warm"},
                                                {"number_of_employees", std::int64_t{500}},
                                                {"annual_revenue", Decimal(std::int64_t{1'000'000}, 0)}});
  // Blank rating counts as cold (5); other industry 5; 4 of 17 -> round(23.5) = 24 -> round(4.8) = 5.
  const std::string other = db.insert("lead", {{"last_name", "Ode"}, {"company", "Retail Co"}, {"email", "o@r.co"},
                                               {"industry", "retail"}});
  // Twelve activities on the full lead (the latest 3 days before now), one on a contact that shares
  // nothing with it, and none on the others: activity points come from aggregates of activity.
  for (int i = 0; i < 12; ++i)
    db.insert("activity", {{"subject", "Call " + std::to_string(i)}, {"type", "call"}, {"who_object", "lead"},
                           {"who_id", full},
                           {"activity_date", i == 11 ? DateTime::parse("2026-03-01T09:00:00Z")
                                                     : DateTime::parse("2026-01-0" + std::to_string(1 + i % 9) + "T09:00:00Z")}});
  db.insert("activity", {{"subject", "Elsewhere"}, {"type", "call"}, {"who_object", "contact"}, {"who_id", sparse},
                         {"activity_date", DateTime::parse("2026-03-04T09:00:00Z")}});
  ModelRegistry registry(db);
  ScoreResult result = registry.score("lead_score", Filter::all(), {.explain = true});  // installed on first use
  REQUIRE(result.rows() == 3);
  std::map<std::string, std::size_t> row;
  for (std::size_t r = 0; r < result.rows(); ++r) row[result.ids[r]] = r;
  // 20 + 20 + 10 + 15 + 15 + 20 + 5 = 105, clamped to 100.
  CHECK(result.raw[row[full]] == 105);
  CHECK(result.scores[row[full]] == 100);
  CHECK(result.bands[row[full]] == "hot");
  // round(0.2 * round(600/17 = 35.3)) = 7; warm 12; no industry 0; 500 employees 8 (> 100, not > 500); 1M revenue 0.
  CHECK(result.scores[row[sparse]] == 7 + 12 + 0 + 8 + 0);
  CHECK(result.bands[row[sparse]] == "unqualified");
  CHECK(result.scores[row[other]] == 5 + 5 + 5);
  const auto& names = result.feature_names;
  REQUIRE(names.size() == 7);
  CHECK(names[0] == "data_completeness");
  CHECK(result.contributions[row[full] * 7 + 6] == 5);  // recent activity
  auto info = registry.list("lead_score");
  REQUIRE(info.size() == 1);
  CHECK(info[0].status == ModelStatus::champion);
  CHECK(info[0].scale.bands.size() == 3);
  // A trained replacement takes over when promoted.
  RegisterOptions replacement;
  replacement.object = "lead";
  replacement.features = {{"revenue_m", "BLANKVALUE(annual_revenue, 0) / 1000000"}};
  replacement.status = ModelStatus::champion;
  registry.register_model("lead_score", Model::linear(numeric_features(std::vector<std::string>{"revenue_m"}), {0.5}, 10),
                          replacement);
  CHECK(registry.score("lead_score").model_versions[0] == 2);
  // The other defaults install at once (or on first use); a second call installs nothing.
  CHECK(registry.install_defaults() == std::vector<std::string>{"opportunity_win_probability", "account_health",
                                                                "account_churn_risk", "case_sla_breach_risk",
                                                                "candidate_score"});
  CHECK(registry.install_defaults().empty());
}

TEST_CASE("registered models read aggregates of related records, hidden ones are not columns" * doctest::test_suite("registry")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("agg.db"), test::test_options());
  const std::string a = db.insert("company", {{"name", "A"}});
  const std::string b = db.insert("company", {{"name", "B"}});
  for (int i = 0; i < 3; ++i)
    db.insert("deal", {{"title", "W" + std::to_string(i)}, {"company_id", a}, {"stage", "won"},
                       {"amount", Decimal(std::int64_t{250'000}, 2)}});
  db.insert("deal", {{"title", "L"}, {"company_id", b}, {"stage", "lost"}, {"amount", Decimal(std::int64_t{100}, 0)}});
  const FeatureAggregate won{.object = "deal", .via = "company_id", .function = "sum", .field = "amount",
                             .filter = "ISPICKVAL(stage, 'won')"};
  RegisterOptions options;
  options.object = "company";
  options.features = {FeatureSpec::of("won_amount", won, true), FeatureSpec::of("won_k", "won_amount / 1000"),
                      FeatureSpec::of("deals", FeatureAggregate{.object = "deal", .via = "company_id"})};
  options.scale = {.min = 0, .max = 100, .bands = {}, .below = {}, .round = ScoreRounding::half_up};
  ModelRegistry registry(db);
  // Two model columns: the hidden aggregate is not one of them.
  CHECK(error_of([&] { registry.register_model("value", Model::linear(numeric_features(3), {1, 1, 1}, 0), options); })
            .find("2 feature formulas for a model of 3 features") != std::string::npos);
  registry.register_model("value", Model::linear(numeric_features(std::vector<std::string>{"won_k", "deals"}), {1.0, 0.25}, 0),
                          options);
  ScoreResult r = registry.score("value", Filter::all(), {.explain = true});
  REQUIRE(r.rows() == 2);
  CHECK(r.feature_names == std::vector<std::string>{"won_k", "deals"});
  CHECK(r.raw[0] == 7.5 + 0.75);   // 3 x 2,500.00 = 7.5 thousand, 3 deals
  CHECK(r.scores[0] == 8);         // 8.25 rounded
  CHECK(r.raw[1] == 0.25);         // the lost deal sums nothing
  CHECK(r.scores[1] == 0);
  CHECK(r.contributions[1] == 0.75);
  // The stored spec keeps the aggregate and its hidden flag.
  CHECK(registry.get("value").info.features == options.features);
  // A challenger defining the hidden aggregate differently cannot score alongside.
  RegisterOptions other = options;
  other.features[0].aggregate->filter = "ISPICKVAL(stage, 'lost')";
  other.traffic = 50;
  registry.register_model("value", Model::linear(numeric_features(std::vector<std::string>{"won_k", "deals"}), {1.0, 0.0}, 0),
                          other);
  CHECK(error_of([&] { registry.score("value"); }).find("aggregate 'won_amount'") != std::string::npos);
}

TEST_CASE("score rounding: half up, half down, then the clamp" * doctest::test_suite("registry")) {
  ScoreScale up{.min = 0, .max = 100, .bands = {{50, "high"}}, .below = "low", .round = ScoreRounding::half_up};
  CHECK(up.apply(2.5) == 3);
  CHECK(up.apply(-2.5) == 0);  // -2 before the clamp
  CHECK(up.apply(49.5) == 50);
  CHECK(up.band(up.apply(49.5)) == "high");
  CHECK(up.apply(100.4) == 100);
  ScoreScale down = up;
  down.round = ScoreRounding::half_down;
  CHECK(down.apply(2.5) == 2);
  CHECK(down.apply(2.51) == 3);
  // 100 - half_up(h) == half_down(100 - h), which churn = 100 - health relies on.
  for (double h : {0.5, 17.5, 33.25, 66.5, 99.5}) CHECK(100 - up.apply(h) == down.apply(100 - h));
  CHECK(std::isnan(up.apply(std::nan(""))));
  CHECK(parse_score_rounding("half_down") == ScoreRounding::half_down);
  CHECK_THROWS_AS(parse_score_rounding("bankers"), UsageError);
}
