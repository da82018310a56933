// The default models shipped with the standard catalog: today the seed's lead score (HotCRM's
// LeadScoringTrigger) as a points model over formulas of the standard lead.
#include <cmath>
#include <limits>

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
  require_field(*lead, "number_of_activities", FieldType::number);
  require_field(*lead, "last_activity_date", FieldType::datetime);

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
  specs.push_back({"data_completeness", fmt::format("ROUND(100 * ({}) / 17, 0)", filled)});

  // Rating: hot 20, warm 12, cold 5; blank counts as cold.
  std::vector<double> rating_points;
  for (const auto& option : rating.options)
    rating_points.push_back(option.value == "hot" ? 20 : option.value == "warm" ? 12 : 5);
  features.push_back({"rating", option_values(rating)});
  rules.push_back({.edges = {}, .points = rating_points, .missing_points = 5});
  specs.push_back({"rating", option_code_formula(rating)});

  // Industry: technology, finance, healthcare 10; any other 5; blank 0.
  std::vector<double> industry_points;
  for (const auto& option : industry.options)
    industry_points.push_back(option.value == "technology" || option.value == "finance" || option.value == "healthcare" ? 10 : 5);
  features.push_back({"industry", option_values(industry)});
  rules.push_back({.edges = {}, .points = industry_points, .missing_points = 0});
  specs.push_back({"industry", option_code_formula(industry)});

  // Employees > 1000: 15, > 500: 12, > 100: 8, > 10: 5.
  features.push_back({"number_of_employees", {}});
  rules.push_back({.edges = {above(10), above(100), above(500), above(1000)}, .points = {0, 5, 8, 12, 15}});
  specs.push_back({"number_of_employees", "number_of_employees"});

  // Annual revenue > 100M: 15, > 50M: 12, > 10M: 8, > 1M: 5.
  features.push_back({"annual_revenue", {}});
  rules.push_back({.edges = {above(1e6), above(1e7), above(5e7), above(1e8)}, .points = {0, 5, 8, 12, 15}});
  specs.push_back({"annual_revenue", "annual_revenue"});

  // Activities > 10: 20, > 5: 15, > 2: 10, > 0: 5.
  features.push_back({"number_of_activities", {}});
  rules.push_back({.edges = {above(0), above(2), above(5), above(10)}, .points = {0, 5, 10, 15, 20}});
  specs.push_back({"number_of_activities", "number_of_activities"});

  // +5 when the last activity is less than 7 days away (the seed takes the ceiling of |days|).
  features.push_back({"days_since_last_activity", {}});
  rules.push_back({.edges = {7}, .points = {5, 0}});
  specs.push_back({"days_since_last_activity", "CEILING(ABS(NOW() - last_activity_date))"});

  RegisteredModel out{ModelInfo{}, Model::points(features, rules, 0.0)};
  out.info.name = "lead_score";
  out.info.version = 0;
  out.info.kind = ModelKind::points;
  out.info.object = "lead";
  out.info.features = std::move(specs);
  out.info.status = ModelStatus::champion;
  out.info.metrics_json = "{}";
  out.info.scale = ScoreScale{.min = 0, .max = 100,
                              .bands = {{80, "hot"}, {60, "warm"}, {40, "cold"}},
                              .below = "unqualified"};
  out.info.description =
      "HotCRM's lead score (LeadScoringTrigger): completeness, rating, industry, size, revenue and activity points, "
      "0 to 100; hot >= 80, warm >= 60, cold >= 40";
  return out;
}

}  // namespace v0
}  // namespace hotcrm
