// The seed's applications as default models of the standard catalog, against values computed by
// hand from the seed's rules: opportunity win probability, account health and churn risk, case SLA
// breach risk, candidate score. Each explanation adds up to the raw output.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>

#include "hotcrm/hotcrm.hpp"
#include "hotcrm/scoring/registry.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

/// A standard database whose clock the test moves.
struct StandardDb {
  test::TempDir dir;
  std::shared_ptr<DateTime> now = std::make_shared<DateTime>(DateTime::parse("2026-03-04T12:00:00Z"));
  Database db;
  StandardDb() : db(open()) {}
  Database open() {
    OpenOptions options;
    auto clock = now;
    options.clock = [clock] { return *clock; };
    options.id_seed = 11;
    return Database::open(dir.file("standard.db"), options);
  }
  void at(std::string_view iso) { *now = DateTime::parse(iso); }
};

/// Scores by record id, checking every explanation on the way.
std::map<std::string, std::size_t> by_id(const ScoreResult& result) {
  std::map<std::string, std::size_t> rows;
  const std::size_t k = result.feature_names.size();
  for (std::size_t r = 0; r < result.rows(); ++r) {
    rows[result.ids[r]] = r;
    if (result.contributions.empty()) continue;
    double total = result.base[r];
    for (std::size_t j = 0; j < k; ++j) total += result.contributions[r * k + j];
    CHECK(total == doctest::Approx(result.raw[r]).epsilon(1e-12));
  }
  return rows;
}

std::string account(Database& db, const std::string& name) { return db.insert("account", {{"name", name}}); }

void activity(Database& db, const std::string& account_id, std::string_view when) {
  db.insert("activity", {{"subject", "Call"}, {"type", "call"}, {"what_object", "account"}, {"what_id", account_id},
                         {"activity_date", DateTime::parse(when)}});
}

void opportunity(Database& db, const std::string& account_id, const std::string& stage, std::int64_t amount) {
  db.insert("opportunity", {{"name", "Deal " + stage}, {"account_id", account_id}, {"stage", stage},
                            {"close_date", Date::parse("2026-02-01")}, {"amount", Decimal(amount, 0)}});
}

std::string support_case(Database& db, const std::string& account_id, const std::string& priority,
                         const std::string& status = "new", const std::string& type = "question") {
  Record record{{"subject", "Help"}, {"description", "It broke"}, {"origin", "email"}, {"account_id", account_id},
                {"priority", priority}, {"type", type}};
  if (status == "resolved" || status == "closed") record.emplace("resolution", "Fixed");
  const std::string id = db.insert("support_case", record);
  if (status != "new") db.update("support_case", id, {{"status", status}});
  return id;
}

}  // namespace

TEST_CASE("opportunity win probability is the stage's probability" * doctest::test_suite("defaults")) {
  StandardDb s;
  const std::string a = account(s.db, "Acme");
  const std::map<std::string, double> expected{{"prospecting", 10}, {"qualification", 20}, {"needs_analysis", 40},
                                               {"proposal", 60},    {"negotiation", 80},   {"closed_won", 100},
                                               {"closed_lost", 0}};
  for (const auto& [stage, p] : expected) opportunity(s.db, a, stage, 1000);
  ModelRegistry registry(s.db);
  const ScoreResult r = registry.score("opportunity_win_probability", Filter::all(), {.explain = true});
  REQUIRE(r.rows() == expected.size());
  by_id(r);
  for (std::size_t i = 0; i < r.rows(); ++i) {
    const Record opp = s.db.get("opportunity", r.ids[i]);
    CHECK(r.scores[i] == expected.at(opp.at("stage").as_string()));
  }
}

TEST_CASE("account health and churn risk follow calculateAccountHealth and predictChurn" * doctest::test_suite("defaults")) {
  StandardDb s;
  // A: 3 activities in the last 30 days (one 40 days ago does not count), won 250,000 + 50,000 (a
  // lost 1,000,000 does not count), 2 open cases of which one high, 1 closed critical case.
  const std::string a = account(s.db, "A");
  for (auto when : {"2026-03-03T10:00:00Z", "2026-02-20T10:00:00Z", "2026-02-02T12:00:00Z", "2026-01-23T10:00:00Z"})
    activity(s.db, a, when);
  opportunity(s.db, a, "closed_won", 250'000);
  opportunity(s.db, a, "closed_won", 50'000);
  opportunity(s.db, a, "closed_lost", 1'000'000);
  support_case(s.db, a, "high");
  support_case(s.db, a, "low", "in_progress");
  support_case(s.db, a, "critical", "closed");
  // B: nothing at all.
  const std::string b = account(s.db, "B");
  // C: 25 recent activities, won 5,000,000, 30 open cases.
  const std::string c = account(s.db, "C");
  for (int i = 0; i < 25; ++i) activity(s.db, c, "2026-03-01T09:00:00Z");
  opportunity(s.db, c, "closed_won", 5'000'000);
  for (int i = 0; i < 30; ++i) support_case(s.db, c, "medium");

  ModelRegistry registry(s.db);
  const ScoreResult health = registry.score("account_health", Filter::all(), {.explain = true});
  auto row = by_id(health);
  REQUIRE(health.feature_names == std::vector<std::string>{"engagement", "financial", "support"});
  // A: engagement min(100, 5 x 3) = 15, financial min(100, 300,000 / 100,000 x 10) = 30, support
  // 100 - 5 x 2 - 10 x 1 = 80: round(4.5 + 9 + 16 + 15) = round(44.5) = 45 (half up), at risk.
  CHECK(health.raw[row[a]] == doctest::Approx(44.5));
  CHECK(health.scores[row[a]] == 45);
  CHECK(health.bands[row[a]] == "at_risk");
  CHECK(health.contributions[row[a] * 3 + 0] == doctest::Approx(4.5));
  CHECK(health.contributions[row[a] * 3 + 1] == doctest::Approx(9));
  CHECK(health.contributions[row[a] * 3 + 2] == doctest::Approx(16));
  CHECK(health.base[row[a]] == 15);
  // B: 0 + 0 + 0.2 x 100 + 15 = 35, critical. C: 30 + 30 + 0 + 15 = 75, good.
  CHECK(health.scores[row[b]] == 35);
  CHECK(health.bands[row[b]] == "critical");
  CHECK(health.scores[row[c]] == 75);
  CHECK(health.bands[row[c]] == "good");

  const ScoreResult churn = registry.score("account_churn_risk", Filter::all(), {.explain = true});
  auto churn_row = by_id(churn);
  // churn = max(0, 100 - health): 55 high, 65 high, 25 medium.
  CHECK(churn.scores[churn_row[a]] == 55);
  CHECK(churn.bands[churn_row[a]] == "high");
  CHECK(churn.scores[churn_row[b]] == 65);
  CHECK(churn.scores[churn_row[c]] == 25);
  CHECK(churn.bands[churn_row[c]] == "medium");
  for (const auto& [id, r] : row) CHECK(churn.scores[churn_row[id]] == 100 - health.scores[r]);
}

TEST_CASE("case SLA breach risk follows predictSLABreach" * doctest::test_suite("defaults")) {
  StandardDb s;
  const std::string a = account(s.db, "A");
  s.at("2026-03-04T10:00:00Z");
  const std::string critical = support_case(s.db, a, "critical", "new", "problem");
  const std::string low = support_case(s.db, a, "low", "in_progress", "question");
  const std::string exactly = support_case(s.db, a, "critical", "in_progress", "question");
  s.at("2026-03-04T10:12:00Z");
  const std::string high = support_case(s.db, a, "high", "in_progress", "incident");
  s.at("2026-03-04T09:20:00Z");
  const std::string medium = support_case(s.db, a, "medium", "in_progress", "other");
  s.at("2026-03-04T10:50:00Z");  // now
  ModelRegistry registry(s.db);
  const ScoreResult r = registry.score("case_sla_breach_risk", Filter::all(), {.explain = true});
  auto row = by_id(r);
  // critical, new, technical, 50 of 60 minutes (83 %): 40 + 30 + 20 + 10 = 100.
  CHECK(r.scores[row[critical]] == 100);
  CHECK(r.bands[row[critical]] == "critical");
  // low, being worked, a question, 50 of 1440 minutes: 0.
  CHECK(r.scores[row[low]] == 0);
  CHECK(r.bands[row[low]] == "low");
  // critical question, 50 of 60 minutes: 40 + 10.
  CHECK(r.scores[row[exactly]] == 50);
  // high incident, 38 of 240 minutes (15.8 %): 20.
  CHECK(r.scores[row[high]] == 20);
  // medium, 90 of 480 minutes (18.75 %): 0.
  CHECK(r.scores[row[medium]] == 0);
  // Exactly 80 % is not "more than 80 %": 48 of 60 minutes gives 25.
  s.at("2026-03-04T10:48:00Z");
  const ScoreResult edge = registry.score("case_sla_breach_risk", Filter::compare("id", CompareOp::eq, Value(exactly)));
  CHECK(edge.scores[0] == 25 + 10);
}

TEST_CASE("candidate score follows CandidateScoringTrigger" * doctest::test_suite("defaults")) {
  StandardDb s;
  auto candidate = [&](Record extra) {
    Record record{{"first_name", "Li"}, {"last_name", "Ming"}, {"mobile_phone", "+86 138 0000 0000"}};
    static int n = 0;
    record.emplace("email", "c" + std::to_string(n++) + "@example.com");
    for (auto& [k, v] : extra) record.insert_or_assign(k, v);
    return s.db.insert("candidate", record);
  };
  // The seed's complete profile: master 20, 8 years 25, referral 15, immediate 10, 10 of 10 fields 20.
  const std::string complete = candidate({{"highest_education", "master"}, {"years_of_experience", std::int64_t{8}},
                                          {"source", "employee_referral"}, {"notice_period", "immediate"},
                                          {"current_company", "Acme"}, {"current_title", "Engineer"},
                                          {"expected_salary", Decimal(150'000, 0)}, {"resume_url", "https://cv.example.com/1"}});
  // PhD 25, 15 years 30, no source 5, no notice 0, 7 fields 14.
  const std::string phd = candidate({{"highest_education", "phd"}, {"years_of_experience", std::int64_t{15}},
                                     {"resume_url", "https://cv.example.com/2"}});
  const std::string bachelor = candidate({{"highest_education", "bachelor"}, {"years_of_experience", std::int64_t{15}},
                                          {"resume_url", "https://cv.example.com/3"}});
  // High school 5, 1 year 10, source other 5, notice 3 months 2, 6 fields 12.
  const std::string junior = candidate({{"highest_education", "high_school"}, {"years_of_experience", std::int64_t{1}},
                                        {"source", "other"}, {"notice_period", "3_months"}});
  // No education 0, no experience 5, no source 5, 4 fields 8.
  const std::string bare = candidate({});
  ModelRegistry registry(s.db);
  const ScoreResult r = registry.score("candidate_score", Filter::all(), {.explain = true});
  auto row = by_id(r);
  CHECK(r.scores[row[complete]] == 90);
  CHECK(r.scores[row[phd]] == 25 + 30 + 5 + 0 + 14);
  CHECK(r.scores[row[bachelor]] == 15 + 30 + 5 + 0 + 14);
  CHECK(r.scores[row[junior]] == 5 + 10 + 5 + 2 + 12);
  CHECK(r.scores[row[bare]] == 0 + 5 + 5 + 0 + 8);
}

TEST_CASE("default models are replaceable and need their catalog" * doctest::test_suite("defaults")) {
  StandardDb s;
  ModelRegistry registry(s.db);
  account(s.db, "Solo");
  CHECK(registry.score("account_health").scores[0] == 35);  // the default, installed on first use
  // A trained (here: hand-made) replacement becomes the champion.
  RegisterOptions options;
  options.object = "account";
  options.features = {FeatureSpec::of("employees", "BLANKVALUE(number_of_employees, 0)")};
  options.status = ModelStatus::champion;
  registry.register_model("account_health", Model::linear(numeric_features(std::vector<std::string>{"employees"}), {0.01}, 50),
                          options);
  const ScoreResult r = registry.score("account_health");
  CHECK(r.model_versions[0] == 2);
  CHECK(r.scores[0] == 50);
  // Without the support package there is no case model (and no account health: it reads cases).
  CHECK_THROWS_WITH_AS(case_sla_breach_risk_model(Catalog::standard(std::vector<std::string>{"crm"})),
                       doctest::Contains("needs the object support_case"), UsageError);
  CHECK_THROWS_WITH_AS(default_model(Catalog::standard(), "nope"), doctest::Contains("no default model named 'nope'"),
                       NotFoundError);
  test::TempDir dir;
  OpenOptions crm_only;
  crm_only.catalog = Catalog::standard(std::vector<std::string>{"crm"});
  Database small = Database::open(dir.file("crm.db"), crm_only);
  CHECK(ModelRegistry(small).install_defaults() == std::vector<std::string>{"lead_score", "opportunity_win_probability"});
  CHECK_THROWS_WITH_AS(ModelRegistry(small).score("candidate_score"), doctest::Contains("no model named 'candidate_score'"),
                       NotFoundError);
}
