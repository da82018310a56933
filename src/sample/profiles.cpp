#include "sample/profiles.hpp"

#include <array>

namespace hotcrm::inline v0::sample {
namespace {

// Volumes per unit of scale, in the proportions of a small sales-and-service company: 5 sellers,
// 100 accounts with 2.5 contacts each, 2 opportunities per account, a quote for half of them with
// about three lines, ... Reference data is fixed.
constexpr std::array<ObjectProfile, 72> profiles = {{
    // platform
    {"role", 6, true, nullptr},
    {"user", 5, false, shape_user},
    {"document", 30, false, nullptr},
    // crm
    {"account", 100, false, shape_account},
    {"contact", 250, false, shape_contact},
    {"lead", 500, false, shape_lead},
    {"opportunity", 200, false, shape_opportunity},
    {"contract", 60, false, shape_contract},
    {"activity", 300, false, nullptr},
    {"task", 200, false, nullptr},
    {"note", 100, false, nullptr},
    {"email_template", 12, true, nullptr},
    // marketing
    {"campaign", 10, false, nullptr},
    {"campaign_member", 300, false, nullptr},
    {"form", 8, false, nullptr},
    {"landing_page", 8, false, nullptr},
    {"marketing_list", 8, false, nullptr},
    {"unsubscribe", 20, false, nullptr},
    // products
    {"product", 40, true, shape_product},
    {"product_bundle", 6, true, nullptr},
    {"product_bundle_component", 18, true, nullptr},
    {"pricebook", 3, true, shape_pricebook},
    {"pricebook_entry", 120, true, shape_pricebook_entry},  // every product in every price book
    {"price_rule", 10, true, nullptr},
    {"discount_schedule", 6, true, nullptr},
    {"quote", 100, false, shape_quote},
    {"quote_line_item", 300, false, shape_quote_line_item},
    {"quote_template", 3, true, nullptr},
    {"approval_request", 20, false, nullptr},
    {"approval_matrix", 2, true, nullptr},
    // finance
    {"invoice", 80, false, shape_invoice},
    {"invoice_line", 240, false, shape_invoice_line},
    {"payment", 120, false, shape_payment},
    // support
    {"support_case", 150, false, shape_support_case},
    {"case_comment", 400, false, shape_case_comment},
    {"asset", 80, false, nullptr},
    {"queue", 5, true, nullptr},
    {"queue_member", 10, true, nullptr},
    {"assignment_rule", 4, true, nullptr},
    {"routing_rule", 5, true, nullptr},
    {"escalation_rule", 4, true, nullptr},
    {"skill", 8, true, nullptr},
    {"agent_skill", 10, false, nullptr},
    {"sla_policy", 4, true, nullptr},
    {"sla_template", 4, true, nullptr},
    {"sla_milestone", 300, false, nullptr},
    {"business_hours", 2, true, nullptr},
    {"holiday", 20, true, nullptr},
    {"holiday_calendar", 2, true, nullptr},
    {"knowledge_article", 30, false, nullptr},
    {"portal_user", 40, false, nullptr},
    {"forum_topic", 20, false, nullptr},
    {"forum_post", 60, false, nullptr},
    {"email_to_case", 2, true, nullptr},
    {"web_to_case", 2, true, nullptr},
    {"social_media_case", 3, true, nullptr},
    // hr
    {"department", 8, true, shape_department},
    {"position", 16, true, shape_position},
    {"employee", 50, false, shape_employee},
    {"candidate", 60, false, shape_candidate},
    {"recruitment", 8, false, shape_recruitment},
    {"application", 80, false, shape_application},
    {"interview", 60, false, nullptr},
    {"offer", 15, false, nullptr},
    {"onboarding", 10, false, nullptr},
    {"attendance", 200, false, nullptr},
    {"time_off", 40, false, nullptr},
    {"payroll", 100, false, nullptr},
    {"performance_review", 30, false, nullptr},
    {"goal", 60, false, nullptr},
    {"training", 30, false, nullptr},
    {"certification", 20, false, nullptr},
}};

}  // namespace

const ObjectProfile* find_profile(std::string_view object) {
  for (const ObjectProfile& profile : profiles) {
    if (profile.object == object) return &profile;
  }
  return nullptr;
}

}  // namespace hotcrm::inline v0::sample
