// The default models shipped with the standard catalog, each the seed's formula as a points or a
// linear model (additive, so their explanations are exact): lead score (LeadScoringTrigger),
// opportunity win probability (the stage probabilities), account health and churn risk
// (account_ai calculateAccountHealth / predictChurn), case SLA breach risk (sla_prediction
// predictSLABreach) and candidate score (CandidateScoringTrigger).
#include <cmath>
#include <initializer_list>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/scoring/registry.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

/// The smallest double above x: a band edge e with "x >= e" means "x > the threshold".
double above(double x) { return std::nextafter(x, std::numeric_limits<double>::infinity()); }

const FieldDef& require_field(const ObjectDef& lead, std::string_view name, FieldType type) {
  const FieldDef* field = lead.find_field(name);
  if (!field || field->type != type)
    throw UsageError(ErrorCode::usage, fmt::format("the default lead_score model needs the field lead.{} ({})", name,
                                                   to_string(type)));
  return *field;
}

/// CASE(field, 'opt0', 0, 'opt1', 1, ..., -1): the option's code; -1 (not a category) when blank.
std::string option_code_formula(const FieldDef& field) {
  std::string formula = "CASE(" + field.name;
  for (std::size_t i = 0; i < field.options.size(); ++i) formula += fmt::format(", '{}', {}", field.options[i].value, i);
  return formula + ", -1)";
}

std::vector<std::string> option_values(const FieldDef& field) {
  std::vector<std::string> out;
  for (const auto& option : field.options) out.push_back(option.value);
  return out;
}

/// Checks that `object` has each field with one of the expected types; names the model otherwise.
class Needs {
 public:
  Needs(const Catalog& catalog, std::string model, std::string_view object) : catalog_(catalog), model_(std::move(model)) {
    object_ = catalog.find(object);
    if (!object_)
      throw UsageError(ErrorCode::usage, fmt::format("the default {} model needs the object {}", model_, object));
  }
  const FieldDef& field(std::string_view name, std::initializer_list<FieldType> types) const {
    return field_of(*object_, name, types);
  }
  const FieldDef& field_of(const ObjectDef& object, std::string_view name, std::initializer_list<FieldType> types) const {
    const FieldDef* field = object.find_field(name);
    bool typed = false;
    for (FieldType type : types) typed = typed || (field && field->type == type);
    if (!typed)
      throw UsageError(ErrorCode::usage, fmt::format("the default {} model needs the field {}.{} ({})", model_, object.name,
                                                     name, to_string(*types.begin())));
    return *field;
  }
  const ObjectDef& other(std::string_view name) const {
    const ObjectDef* object = catalog_.find(name);
    if (!object) throw UsageError(ErrorCode::usage, fmt::format("the default {} model needs the object {}", model_, name));
    return *object;
  }
  /// The option values must exist: the seed's formulas name them.
  void options(const FieldDef& field, std::initializer_list<std::string_view> values) const {
    for (auto value : values)
      if (!field.find_option(value))
        throw UsageError(ErrorCode::usage, fmt::format("the default {} model needs the option '{}' of {}", model_, value,
                                                       field.name));
  }

 private:
  const Catalog& catalog_;
  std::string model_;
  const ObjectDef* object_ = nullptr;
};

/// Points per option of a picklist, by value; options not listed score `other`.
std::vector<double> option_points(const FieldDef& field, std::initializer_list<std::pair<std::string_view, double>> points,
                                  double other) {
  std::vector<double> out;
  for (const auto& option : field.options) {
    double p = other;
    for (const auto& [value, v] : points)
      if (option.value == value) p = v;
    out.push_back(p);
  }
  return out;
}

RegisteredModel make_default(std::string name, std::string object, Model model, std::vector<FeatureSpec> specs,
                             ScoreScale scale, std::string description) {
  RegisteredModel out{ModelInfo{}, std::move(model)};
  out.info.name = std::move(name);
  out.info.version = 0;
  out.info.kind = out.model.kind();
  out.info.object = std::move(object);
  out.info.features = std::move(specs);
  out.info.status = ModelStatus::champion;
  out.info.metrics_json = "{}";
  out.info.scale = std::move(scale);
  out.info.description = std::move(description);
  return out;
}

}  // namespace

RegisteredModel lead_score_model(const Catalog& catalog) {
  const ObjectDef* lead = catalog.find("lead");
  if (!lead) throw UsageError(ErrorCode::usage, "the default lead_score model needs a lead object");
  // The 17 fields of the seed's data completeness (round(filled / 17 * 100)).
  static constexpr const char* kCompleteness[] = {
      "first_name", "last_name", "company", "title", "email", "phone", "mobile_phone", "street", "city",
      "state", "country", "industry", "lead_source", "rating", "number_of_employees", "annual_revenue", "description"};
  std::string filled;
  for (const char* name : kCompleteness) {
    if (!lead->find_field(name))
      throw UsageError(ErrorCode::usage, fmt::format("the default lead_score model needs the field lead.{}", name));
    filled += fmt::format("{}IF(ISBLANK({}), 0, 1)", filled.empty() ? "" : " + ", name);
  }
  const FieldDef& rating = require_field(*lead, "rating", FieldType::select);
  const FieldDef& industry = require_field(*lead, "industry", FieldType::select);
  require_field(*lead, "number_of_employees", FieldType::number);
  require_field(*lead, "annual_revenue", FieldType::currency);
  // Activities link to leads through activity.who_id (who_object = 'lead'), not a lookup.
  const ObjectDef* activity = catalog.find("activity");
  if (!activity || !activity->find_field("who_id") || !activity->find_field("who_object") ||
      !activity->find_field("activity_date"))
    throw UsageError(ErrorCode::usage, "the default lead_score model needs the activity object (who_id, who_object, "
                                       "activity_date) for its activity points");
  const FeatureAggregate lead_activities{.object = "activity", .via = "who_id", .function = "count",
                                         .filter = "ISPICKVAL(who_object, 'lead')"};
  std::vector<Feature> features;
  std::vector<PointsRule> rules;
  std::vector<FeatureSpec> specs;

  // round(0.2 x completeness): completeness is a whole percentage, so 0.2c rounds to k exactly for
  // c in [5k - 2.5, 5k + 2.5).
  PointsRule completeness;
  for (int k = 0; k < 20; ++k) completeness.edges.push_back(5.0 * k + 2.5);
  for (int k = 0; k <= 20; ++k) completeness.points.push_back(k);
  features.push_back({"data_completeness", {}});
  rules.push_back(completeness);
  specs.push_back(FeatureSpec::of("data_completeness", fmt::format("ROUND(100 * ({}) / 17, 0)", filled)));

  // Rating: hot 20, warm 12, cold 5; blank counts as cold.
  std::vector<double> rating_points;
  for (const auto& option : rating.options)
    rating_points.push_back(option.value == "hot" ? 20 : option.value == "warm" ? 12 : 5);
  features.push_back({"rating", option_values(rating)});
  rules.push_back({.edges = {}, .points = rating_points, .missing_points = 5});
  specs.push_back(FeatureSpec::of("rating", option_code_formula(rating)));

  // Industry: technology, finance, healthcare 10; any other 5; blank 0.
  std::vector<double> industry_points;
  for (const auto& option : industry.options)
    industry_points.push_back(option.value == "technology" || option.value == "finance" || option.value == "healthcare" ? 10 : 5);
  features.push_back({"industry", option_values(industry)});
  rules.push_back({.edges = {}, .points = industry_points, .missing_points = 0});
  specs.push_back(FeatureSpec::of("industry", option_code_formula(industry)));

  // Employees > 1000: 15, > 500: 12, > 100: 8, > 10: 5.
  features.push_back({"number_of_employees", {}});
  rules.push_back({.edges = {above(10), above(100), above(500), above(1000)}, .points = {0, 5, 8, 12, 15}});
  specs.push_back(FeatureSpec::of("number_of_employees", "number_of_employees"));

  // Annual revenue > 100M: 15, > 50M: 12, > 10M: 8, > 1M: 5.
  features.push_back({"annual_revenue", {}});
  rules.push_back({.edges = {above(1e6), above(1e7), above(5e7), above(1e8)}, .points = {0, 5, 8, 12, 15}});
  specs.push_back(FeatureSpec::of("annual_revenue", "annual_revenue"));

  // Activities > 10: 20, > 5: 15, > 2: 10, > 0: 5: the count of the lead's activities.
  features.push_back({"activity_count", {}});
  rules.push_back({.edges = {above(0), above(2), above(5), above(10)}, .points = {0, 5, 10, 15, 20}});
  specs.push_back(FeatureSpec::of("activity_count", lead_activities));

  // +5 when the last activity is less than 7 days away (the seed takes the ceiling of |days|), the
  // last activity being the latest activity_date of the lead's activities.
  FeatureAggregate latest = lead_activities;
  latest.function = "max";
  latest.field = "activity_date";
  specs.push_back(FeatureSpec::of("last_activity_at", latest, true));
  features.push_back({"days_since_last_activity", {}});
  rules.push_back({.edges = {7}, .points = {5, 0}});
  specs.push_back(FeatureSpec::of("days_since_last_activity", "CEILING(ABS(NOW() - last_activity_at))"));

  return make_default("lead_score", "lead", Model::points(features, rules, 0.0), std::move(specs),
                      ScoreScale{.min = 0, .max = 100, .bands = {{80, "hot"}, {60, "warm"}, {40, "cold"}},
                                 .below = "unqualified"},
                      "HotCRM's lead score (LeadScoringTrigger): completeness, rating, industry, size, revenue and "
                      "activity points, 0 to 100; hot >= 80, warm >= 60, cold >= 40");
}

RegisteredModel opportunity_win_probability_model(const Catalog& catalog) {
  Needs needs(catalog, "opportunity_win_probability", "opportunity");
  const FieldDef& stage = needs.field("stage", {FieldType::select});
  // Each stage's probability from the catalog's option metadata (prospecting 10 ... closed_won 100).
  std::vector<double> points;
  for (const auto& option : stage.options) points.push_back(option.probability.value_or(0.0));
  return make_default("opportunity_win_probability", "opportunity",
                      Model::points({{"stage", option_values(stage)}}, {{.edges = {}, .points = points, .missing_points = 0}}),
                      {FeatureSpec::of("stage", option_code_formula(stage))}, ScoreScale{.min = 0, .max = 100},
                      "Win probability in percent from the opportunity's stage (the stage probabilities of the seed's "
                      "opportunity schema: prospecting 10, qualification 20, needs analysis 40, proposal 60, negotiation "
                      "80, closed won 100, closed lost 0)");
}

namespace {

/// The features of the seed's account health (account_ai calculateAccountHealth): engagement
/// min(100, 5 x activities in the last 30 days), financial min(100, won amount / 100,000 x 10),
/// support max(0, 100 - 5 x open cases - 10 x open high/critical cases).
std::vector<FeatureSpec> account_health_features(const Catalog& catalog, const std::string& model) {
  Needs needs(catalog, model, "account");
  const ObjectDef& activity = needs.other("activity");
  needs.field_of(activity, "what_id", {FieldType::text});
  needs.options(needs.field_of(activity, "what_object", {FieldType::select}), {"account"});
  needs.field_of(activity, "activity_date", {FieldType::datetime, FieldType::date});
  const ObjectDef& opportunity = needs.other("opportunity");
  needs.field_of(opportunity, "account_id", {FieldType::lookup, FieldType::master_detail});
  needs.field_of(opportunity, "amount", {FieldType::currency});
  needs.options(needs.field_of(opportunity, "stage", {FieldType::select}), {"closed_won"});
  const ObjectDef& cases = needs.other("support_case");
  needs.field_of(cases, "account_id", {FieldType::lookup, FieldType::master_detail});
  needs.options(needs.field_of(cases, "status", {FieldType::select}), {"resolved", "closed", "auto_closed", "auto_resolved"});
  needs.options(needs.field_of(cases, "priority", {FieldType::select}), {"high", "critical"});
  const std::string open = "NOT(OR(ISPICKVAL(status, 'resolved'), ISPICKVAL(status, 'closed'), "
                           "ISPICKVAL(status, 'auto_closed'), ISPICKVAL(status, 'auto_resolved')))";
  return {
      FeatureSpec::of("activities_30d", FeatureAggregate{.object = "activity", .via = "what_id", .function = "count",
                                                         .filter = "ISPICKVAL(what_object, 'account')",
                                                         .date_field = "activity_date", .within_days = 30},
                      true),
      FeatureSpec::of("won_amount", FeatureAggregate{.object = "opportunity", .via = "account_id", .function = "sum",
                                                     .field = "amount", .filter = "ISPICKVAL(stage, 'closed_won')"},
                      true),
      FeatureSpec::of("open_cases", FeatureAggregate{.object = "support_case", .via = "account_id", .filter = open}, true),
      FeatureSpec::of("open_urgent_cases",
                      FeatureAggregate{.object = "support_case", .via = "account_id",
                                       .filter = "AND(" + open + ", OR(ISPICKVAL(priority, 'high'), ISPICKVAL(priority, 'critical')))"},
                      true),
      FeatureSpec::of("engagement", "MIN(100, 5 * activities_30d)"),
      FeatureSpec::of("financial", "MIN(100, won_amount / 100000 * 10)"),
      FeatureSpec::of("support", "MAX(0, 100 - 5 * open_cases - 10 * open_urgent_cases)"),
  };
}

}  // namespace

RegisteredModel account_health_model(const Catalog& catalog) {
  // health = round(0.3 engagement + 0.3 financial + 0.2 support + 0.2 x 75), 75 being the seed's
  // constant product adoption: the intercept 15.
  return make_default("account_health", "account",
                      Model::linear(numeric_features(std::vector<std::string>{"engagement", "financial", "support"}),
                                    {0.3, 0.3, 0.2}, 0.2 * 75),
                      account_health_features(catalog, "account_health"),
                      ScoreScale{.min = 0, .max = 100,
                                 .bands = {{80, "excellent"}, {60, "good"}, {40, "at_risk"}},
                                 .below = "critical", .round = ScoreRounding::half_up},
                      "HotCRM's account health (calculateAccountHealth), 0 to 100: 0.3 engagement (5 per activity in "
                      "30 days) + 0.3 financial (won amount) + 0.2 support (open cases) + 15 (product adoption 75); "
                      "excellent >= 80, good >= 60, at_risk >= 40, else critical");
}

RegisteredModel account_churn_risk_model(const Catalog& catalog) {
  // churn = max(0, 100 - health): the negated health model; ties round down so that it is exactly
  // 100 minus the half-up rounded health.
  return make_default("account_churn_risk", "account",
                      Model::linear(numeric_features(std::vector<std::string>{"engagement", "financial", "support"}),
                                    {-0.3, -0.3, -0.2}, 100 - 0.2 * 75),
                      account_health_features(catalog, "account_churn_risk"),
                      ScoreScale{.min = 0, .max = 100,
                                 .bands = {{75, "critical"}, {50, "high"}, {25, "medium"}},
                                 .below = "low", .round = ScoreRounding::half_down},
                      "HotCRM's churn risk (predictChurn): 100 - account health; low < 25, medium < 50, high < 75, "
                      "else critical");
}

RegisteredModel case_sla_breach_risk_model(const Catalog& catalog) {
  Needs needs(catalog, "case_sla_breach_risk", "support_case");
  const FieldDef& priority = needs.field("priority", {FieldType::select});
  needs.options(priority, {"critical", "high", "medium", "low"});
  needs.options(needs.field("status", {FieldType::select}), {"new"});
  needs.options(needs.field("type", {FieldType::select}), {"problem", "incident"});
  std::vector<Feature> features{{"elapsed_percent", {}}, {"new_or_unowned", {}}, {"technical", {}}, {"critical", {}}};
  std::vector<PointsRule> rules{
      // Share of the response target elapsed: > 80 %: 40, > 60 %: 25.
      {.edges = {above(60), above(80)}, .points = {0, 25, 40}},
      {.edges = {0.5}, .points = {0, 30}},
      {.edges = {0.5}, .points = {0, 20}},
      {.edges = {0.5}, .points = {0, 10}},
  };
  std::vector<FeatureSpec> specs{
      // Minutes since the case was created over the priority's response target (critical 60,
      // high 240, medium 480, low 1440, blank 480), in percent.
      FeatureSpec::of("elapsed_percent", "(NOW() - created_at) * 1440 / CASE(priority, 'critical', 60, 'high', 240, "
                                         "'low', 1440, 480) * 100"),
      FeatureSpec::of("new_or_unowned", "OR(ISPICKVAL(status, 'new'), ISBLANK(owner_id))"),
      // The seed's technical types (Technical Issue, Integration, Bug Report) are not case types of
      // its schema; problem and incident are the schema's technical ones.
      FeatureSpec::of("technical", "OR(ISPICKVAL(type, 'problem'), ISPICKVAL(type, 'incident'))"),
      FeatureSpec::of("critical", "ISPICKVAL(priority, 'critical')"),
  };
  return make_default("case_sla_breach_risk", "support_case", Model::points(features, rules), std::move(specs),
                      ScoreScale{.min = 0, .max = 100, .bands = {{70, "critical"}, {50, "high"}, {30, "medium"}}, .below = "low"},
                      "HotCRM's SLA breach probability (predictSLABreach), 0 to 100: response target elapsed > 80 %: 40, "
                      "> 60 %: 25; new or unowned 30; technical type (problem, incident) 20; critical 10; critical >= 70, "
                      "high >= 50, medium >= 30, else low");
}

RegisteredModel candidate_score_model(const Catalog& catalog) {
  Needs needs(catalog, "candidate_score", "candidate");
  const FieldDef& education = needs.field("highest_education", {FieldType::select});
  const FieldDef& source = needs.field("source", {FieldType::select});
  const FieldDef& notice = needs.field("notice_period", {FieldType::select});
  needs.field("years_of_experience", {FieldType::number});
  static constexpr const char* kProfile[] = {"first_name", "last_name", "email", "mobile_phone", "current_company",
                                             "current_title", "years_of_experience", "highest_education",
                                             "expected_salary", "resume_url"};
  std::string filled;
  for (const char* name : kProfile) {
    if (!needs.other("candidate").find_field(name))
      throw UsageError(ErrorCode::usage, fmt::format("the default candidate_score model needs the field candidate.{}", name));
    filled += fmt::format("{}IF(ISBLANK({}), 0, 1)", filled.empty() ? "" : " + ", name);
  }
  PointsRule completeness;  // round(filled / 10 x 20) = 2 per filled field
  for (int k = 0; k < 10; ++k) completeness.edges.push_back(k + 0.5);
  for (int k = 0; k <= 10; ++k) completeness.points.push_back(2.0 * k);
  std::vector<Feature> features{{"highest_education", option_values(education)},
                                {"years_of_experience", {}},
                                {"source", option_values(source)},
                                {"notice_period", option_values(notice)},
                                {"filled_fields", {}}};
  std::vector<PointsRule> rules{
      {.edges = {}, .points = option_points(education, {{"phd", 25}, {"master", 20}, {"bachelor", 15}, {"associate", 10},
                                                        {"high_school", 5}, {"other", 3}}, 3),
       .missing_points = 0},
      // >= 10 years: 30, >= 7: 25, >= 5: 20, >= 3: 15, >= 1: 10, else (or blank) 5.
      {.edges = {1, 3, 5, 7, 10}, .points = {5, 10, 15, 20, 25, 30}, .missing_points = 5},
      {.edges = {}, .points = option_points(source, {{"employee_referral", 15}, {"headhunter", 12}, {"campus", 10},
                                                     {"job_board", 8}, {"social_media", 7}, {"direct_application", 6}}, 5),
       .missing_points = 5},
      {.edges = {}, .points = option_points(notice, {{"immediate", 10}, {"1_week", 9}, {"2_weeks", 8}, {"1_month", 6},
                                                     {"2_months", 4}, {"3_months", 2}}, 0),
       .missing_points = 0},
      completeness,
  };
  std::vector<FeatureSpec> specs{FeatureSpec::of("highest_education", option_code_formula(education)),
                                 FeatureSpec::of("years_of_experience", "years_of_experience"),
                                 FeatureSpec::of("source", option_code_formula(source)),
                                 FeatureSpec::of("notice_period", option_code_formula(notice)),
                                 FeatureSpec::of("filled_fields", filled)};
  return make_default("candidate_score", "candidate", Model::points(features, rules), std::move(specs),
                      ScoreScale{.min = 0, .max = 100},
                      "HotCRM's candidate score (CandidateScoringTrigger), 0 to 100: education, experience, source, "
                      "notice period and 2 points per filled profile field (10 fields)");
}

const std::vector<std::string>& default_model_names() {
  static const std::vector<std::string> names{"lead_score", "opportunity_win_probability", "account_health",
                                              "account_churn_risk", "case_sla_breach_risk", "candidate_score"};
  return names;
}

RegisteredModel default_model(const Catalog& catalog, std::string_view name) {
  if (name == "lead_score") return lead_score_model(catalog);
  if (name == "opportunity_win_probability") return opportunity_win_probability_model(catalog);
  if (name == "account_health") return account_health_model(catalog);
  if (name == "account_churn_risk") return account_churn_risk_model(catalog);
  if (name == "case_sla_breach_risk") return case_sla_breach_risk_model(catalog);
  if (name == "candidate_score") return candidate_score_model(catalog);
  throw NotFoundError(ErrorCode::not_found, fmt::format("there is no default model named '{}'", name));
}

}  // namespace v0
}  // namespace hotcrm
