// Hand-written realism for the platform and crm objects: a sales team, accounts with their
// people, leads, opportunities through the sales stages, and contracts won from them.
#include <array>

#include <fmt/format.h>

#include "sample/profiles.hpp"

namespace hotcrm::inline v0::sample {
namespace {

constexpr std::array<std::string_view, 4> user_titles = {"Account Executive", "Sales Development Representative",
                                                         "Sales Engineer", "Customer Success Manager"};

struct Stage {
  std::string_view value;
  int weight;
  int probability;  // percent
  std::string_view forecast_category;
  bool closed;
};

constexpr std::array<Stage, 7> stages = {{
    {"prospecting", 20, 10, "pipeline", false},
    {"qualification", 15, 20, "pipeline", false},
    {"needs_analysis", 12, 40, "best_case", false},
    {"proposal", 12, 60, "best_case", false},
    {"negotiation", 8, 80, "commit", false},
    {"closed_won", 20, 100, "closed", true},
    {"closed_lost", 13, 0, "omitted", true},
}};

constexpr std::array<std::string_view, 6> deal_products = {"Platform licence", "Support renewal",
                                                           "Analytics add-on", "Expansion seats",
                                                           "Implementation services", "Training package"};
constexpr std::array<std::string_view, 5> next_steps = {"Schedule a demo", "Send the proposal", "Security review",
                                                        "Negotiate terms", "Meet the buying committee"};

/// A "charm" list price (4,999, 12,499, ...) less a whole-percent discount: exact cents, as in real
/// quotes.
Decimal opportunity_amount(SampleRandom& random) {
  const std::int64_t list_dollars = random.between(10, 500) * 500 - 1;
  const std::int64_t discount_percent = random.chance(60) ? random.between(1, 25) : 0;
  return Decimal(list_dollars * (100 - discount_percent), 2);  // dollars * (100 - d) / 100, in cents
}

}  // namespace

void shape_user(RowContext& context) {
  SampleRandom& random = context.random;
  const std::string_view first = pick(random, first_names);
  const std::string_view last = pick(random, last_names);
  const Place& place = pick(random, places);
  const std::string username = context.unique.claim(fmt::format("{}.{}", slug(first), slug(last)), "");
  // The first user leads the team; the rest sell.
  const std::string_view title = context.index == 0 ? "Sales Director" : pick(random, user_titles);
  const bool active = !random.chance(5);
  context.set("username", username);
  context.set("email", username + "@hotcrm-demo.example");
  context.set("first_name", first);
  context.set("last_name", last);
  context.set("title", title);
  context.set("department", "Sales");
  context.set("phone", phone_number(random, place));
  context.set("is_active", active);
  context.set("time_zone", place.time_zone);
  context.set("locale", "en_US");
}

void shape_account(RowContext& context) {
  static constexpr std::array<std::string_view, 5> types = {"customer", "prospect", "partner", "competitor", "other"};
  static constexpr std::array<int, 5> type_weights = {50, 30, 10, 5, 5};
  static constexpr std::array<std::string_view, 3> ratings = {"hot", "warm", "cold"};
  static constexpr std::array<std::string_view, 4> sla_tiers = {"platinum", "gold", "silver", "standard"};
  static constexpr std::array<int, 4> sla_weights = {5, 15, 30, 50};
  SampleRandom& random = context.random;
  const std::string name = context.unique.claim(company_name(random));
  const std::string_view type = pick_weighted(random, types, type_weights);
  const bool customer = type == "customer";
  const Decimal revenue = annual_revenue(random);
  const Place& place = pick(random, places);
  context.set("name", name);
  context.set("account_number", fmt::format("ACC-{:06}", context.index + 1));
  context.set("type", type);
  context.set("industry", pick_weighted(random, industries, industry_weights));
  context.set("annual_revenue", revenue);
  context.set("number_of_employees", employees_for(random, revenue));
  context.set("rating", pick(random, ratings));
  context.set("phone", phone_number(random, place));
  context.set("website", "https://www." + company_domain(name));
  context.set("email", "info@" + company_domain(name));
  for (std::string_view prefix : {"billing_", "shipping_"}) {
    const std::int64_t number = random.between(1, 999);
    context.set(fmt::format("{}street", prefix), fmt::format("{} {}", number, place.street));
    context.set(fmt::format("{}city", prefix), place.city);
    context.set(fmt::format("{}state", prefix), place.state);
    context.set(fmt::format("{}postal_code", prefix), postal_code(random));
    context.set(fmt::format("{}country", prefix), place.country);
  }
  const bool churned = customer && random.chance(15);
  context.set("customer_status", customer ? (churned ? "churned" : "active_customer") : "prospect");
  context.set("sla_tier", customer ? Value(pick_weighted(random, sla_tiers, sla_weights)) : Value());
  context.set("health_score", customer ? Value(random.between(20, 100)) : Value());
  context.set("next_renewal_date", customer ? Value(days_from(context.today, random.between(1, 365))) : Value());
}

void shape_contact(RowContext& context) {
  static constexpr std::array<std::string_view, 4> salutations = {"mr", "ms", "dr", "prof"};
  static constexpr std::array<int, 4> salutation_weights = {45, 45, 8, 2};
  static constexpr std::array<std::string_view, 4> strengths = {"strong", "medium", "weak", "unknown"};
  static constexpr std::array<std::string_view, 3> influence = {"high", "medium", "low"};
  static constexpr std::array<std::string_view, 3> channels = {"email", "phone", "mobile"};
  SampleRandom& random = context.random;
  // Every contact works somewhere.
  if (!context.parent("account_id")) context.link("account_id", context.any("account"));
  const auto account = context.parent("account_id");
  const std::string domain = company_domain(account ? account->text("name") : company_name(random));
  const std::string_view first = pick(random, first_names);
  const std::string_view last = pick(random, last_names);
  const Role& role = pick(random, roles);
  const Place& place = pick(random, places);
  const bool senior = role.level == "c_level" || role.level == "vp";
  const bool decision_maker = senior || (role.level == "director" && random.chance(50));
  context.set("first_name", first);
  context.set("last_name", last);
  context.set("salutation", pick_weighted(random, salutations, salutation_weights));
  context.set("title", role.title);
  context.set("department", role.department);
  context.set("level", role.level);
  context.set("email", unique_email(context.unique, first, last, domain));
  context.set("phone", phone_number(random, place));
  context.set("mobile_phone", random.chance(60) ? Value(phone_number(random, place)) : Value());
  context.set("fax", Value());
  context.set("is_decision_maker", decision_maker);
  context.set("influence_level", senior ? "high" : pick(random, influence));
  context.set("relationship_strength", pick(random, strengths));
  context.set("preferred_contact", pick(random, channels));
}

void shape_lead(RowContext& context) {
  static constexpr std::array<std::string_view, 5> statuses = {"new", "contacted", "qualified", "unqualified",
                                                               "converted"};
  static constexpr std::array<int, 5> status_weights = {30, 25, 20, 15, 10};
  static constexpr std::array<std::string_view, 3> ratings = {"hot", "warm", "cold"};
  static constexpr std::array<std::string_view, 5> sources = {"web", "phone_inquiry", "partner_referral",
                                                              "purchased_list", "other"};
  static constexpr std::array<int, 5> source_weights = {45, 15, 20, 15, 5};
  SampleRandom& random = context.random;
  const std::string_view first = pick(random, first_names);
  const std::string_view last = pick(random, last_names);
  const std::string company = company_name(random);
  const Place& place = pick(random, places);
  const Decimal revenue = annual_revenue(random);
  const std::int64_t lead_score = random.between(0, 100);
  // A lead scoring above 70 is assigned, never left in the public pool (a rule of the lead).
  const bool in_pool = random.chance(10) && lead_score <= 70;
  // Pool entries happened during the last 90 days, at 09:00 UTC.
  const Value pool_entry = in_pool ? Value(at_time(days_from(context.today, -random.between(1, 90)), 9, 0)) : Value();
  context.set("first_name", first);
  context.set("last_name", last);
  context.set("company", company);
  context.set("title", pick(random, roles).title);
  context.set("email", unique_email(context.unique, first, last, company_domain(company)));
  context.set("phone", phone_number(random, place));
  context.set("website", "https://www." + company_domain(company));
  context.set("status", pick_weighted(random, statuses, status_weights));
  context.set("rating", pick(random, ratings));
  context.set("lead_score", lead_score);
  context.set("industry", pick_weighted(random, industries, industry_weights));
  context.set("number_of_employees", employees_for(random, revenue));
  context.set("annual_revenue", revenue);
  context.set("lead_source", pick_weighted(random, sources, source_weights));
  context.set("is_in_public_pool", in_pool);
  context.set("pool_entry_date", pool_entry);
  context.set("claimed_date", Value());
  context.set("street", fmt::format("{} {}", random.between(1, 999), place.street));
  context.set("city", place.city);
  context.set("state", place.state);
  context.set("postal_code", postal_code(random));
  context.set("country", place.country);
}

void shape_opportunity(RowContext& context) {
  static constexpr std::array<std::string_view, 4> types = {"new_business", "existing_business_upgrade",
                                                            "existing_business_renewal", "existing_business_replacement"};
  static constexpr std::array<int, 4> type_weights = {50, 25, 20, 5};
  static constexpr std::array<std::string_view, 6> sources = {"web", "phone_inquiry", "partner_referral", "trade_show",
                                                              "customer_referral", "advertisement"};
  std::array<int, stages.size()> stage_weights{};
  for (std::size_t i = 0; i < stages.size(); ++i) stage_weights[i] = stages[i].weight;
  SampleRandom& random = context.random;
  const auto account = context.parent("account_id");
  const Stage& stage = stages[random.weighted_index(stage_weights)];
  // Closed deals closed in the past year; open ones are expected within six months.
  const std::int64_t close_offset = stage.closed ? -random.between(1, 365) : random.between(7, 180);
  const std::string_view product = pick(random, deal_products);
  context.set("name", truncate_utf8(fmt::format("{} - {}", account ? account->text("name") : "New deal", product), 120));
  context.set("amount", opportunity_amount(random));
  context.set("close_date", days_from(context.today, close_offset));
  context.set("stage", stage.value);
  context.set("probability", Decimal(stage.probability, 0));
  context.set("next_step", stage.closed ? Value() : Value(pick(random, next_steps)));
  context.set("lead_source", pick(random, sources));
  context.set("forecast_category", stage.forecast_category);
  context.set("type", pick_weighted(random, types, type_weights));
}

void shape_contract(RowContext& context) {
  static constexpr std::array<std::string_view, 6> statuses = {"activated", "draft",     "in_approval",
                                                               "on_hold",   "completed", "terminated"};
  static constexpr std::array<int, 6> status_weights = {50, 10, 10, 5, 20, 5};
  static constexpr std::array<std::int64_t, 3> terms = {12, 24, 36};
  SampleRandom& random = context.random;
  // Contracts are signed for won deals: take one of the account's won opportunities when it has one.
  const auto opportunity = context.parent("opportunity_id");
  const bool won = opportunity && opportunity->text("stage") == "closed_won";
  if (opportunity && !won) context.set("opportunity_id", Value());
  std::string_view status = pick_weighted(random, statuses, status_weights);
  const std::int64_t term_months = pick(random, terms);
  const std::int64_t term_days = term_months * 365 / 12;
  // Finished contracts ended in the past; the others run today or start soon.
  const bool finished = status == "completed" || status == "terminated";
  const std::int64_t start_offset = finished ? -term_days - random.between(1, 300)
                                    : status == "draft" || status == "in_approval" ? random.between(1, 60)
                                                                                   : -random.between(0, term_days - 1);
  const Date start = won ? opportunity->value("close_date").as_date() : days_from(context.today, start_offset);
  const Decimal value = won ? opportunity->value("amount").as_decimal()
                            : Decimal(random.between(50, 2000) * 10'000, 2);  // 500.00 .. 20,000.00 in steps of 100
  if (won) status = start.days + term_days < context.today.days ? "completed" : "activated";
  context.set("status", status);
  context.set("start_date", start);
  context.set("end_date", days_from(start, term_days));
  context.set("contract_term", term_months);
  context.set("contract_value", value);
}

}  // namespace hotcrm::inline v0::sample
