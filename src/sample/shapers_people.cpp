// Hand-written realism for support (cases and their comments) and hr (departments, positions,
// employees, candidates, recruitments and applications).
#include <array>

#include <fmt/format.h>

#include "sample/profiles.hpp"

namespace hotcrm::inline v0::sample {
namespace {

struct Issue {
  std::string_view subject;
  std::string_view type;
  std::string_view resolution;
};

constexpr std::array<Issue, 10> issues = {{
    {"Cannot log in after password reset", "problem", "Cleared the locked session and reset the password again."},
    {"Report export times out", "incident", "Raised the export timeout and added an index on the report filter."},
    {"How do I add a custom field?", "question", "Sent the administrator guide section on custom fields."},
    {"Invoice PDF shows the wrong currency", "problem", "Corrected the price book currency of the account."},
    {"Request: bulk edit of opportunities", "feature_request", "Logged as a product idea; workaround: import with update."},
    {"Sync with the mail server stopped", "incident", "Renewed the expired OAuth token of the mailbox."},
    {"Training for new sales reps", "training", "Scheduled two end-user training sessions."},
    {"Dashboard loads slowly", "problem", "Reduced the dashboard date range and cached the widgets."},
    {"Planned maintenance window", "maintenance", "Maintenance completed without downtime."},
    {"API rate limit reached", "question", "Explained batching and raised the limit for the integration user."},
}};

constexpr std::array<std::string_view, 8> comment_bodies = {
    "Thanks for reporting this. We are looking into it.",
    "Could you send a screenshot of the error message?",
    "We reproduced the problem in our test environment.",
    "A fix has been deployed; please confirm it works for you.",
    "The customer confirmed the workaround is acceptable.",
    "Escalated to the second-level support team.",
    "Waiting for the customer's log files.",
    "Closing this case as resolved. Feel free to reopen it.",
};

struct Department {
  std::string_view name;
  std::string_view code;
  std::string_view family;  // position.job_family option
};

constexpr std::array<Department, 8> departments = {{
    {"Sales", "SLS", "sales"},
    {"Marketing", "MKT", "marketing"},
    {"Engineering", "ENG", "technical"},
    {"Customer Support", "SUP", "customer_service"},
    {"Finance", "FIN", "finance"},
    {"Human Resources", "HR", "hr"},
    {"Operations", "OPS", "operations"},
    {"Executive Office", "EXE", "management"},
}};

struct Level {
  std::string_view title_prefix;
  std::string_view level;  // position.level option
  std::int64_t min_salary;
};

constexpr std::array<Level, 2> position_levels = {{{"Head of", "director", 110'000}, {"Specialist,", "staff", 55'000}}};

}  // namespace

namespace {

/// The case lifecycle state a case with this status is in (its state machine moves both together).
std::string_view lifecycle_state_for(std::string_view status) {
  if (status == "open" || status == "in_progress") return "assigned";
  if (status == "waiting_on_customer") return "waiting_customer";
  return status;  // new, escalated, resolved, closed share their names
}

}  // namespace

void shape_support_case(RowContext& context) {
  static constexpr std::array<std::string_view, 7> statuses = {"new", "open", "in_progress", "waiting_on_customer",
                                                               "escalated", "resolved", "closed"};
  static constexpr std::array<int, 7> status_weights = {10, 15, 15, 10, 5, 15, 30};
  static constexpr std::array<std::string_view, 4> priorities = {"critical", "high", "medium", "low"};
  static constexpr std::array<int, 4> priority_weights = {5, 20, 50, 25};
  static constexpr std::array<std::string_view, 4> severities = {"s1", "s2", "s3", "s4"};
  SampleRandom& random = context.random;
  const Issue& issue = pick(random, issues);
  const std::string_view status = pick_weighted(random, statuses, status_weights);
  const std::size_t priority = random.weighted_index(priority_weights);
  const bool done = status == "resolved" || status == "closed";
  context.set("subject", issue.subject);
  context.set("description", fmt::format("{} Reported by the customer; first seen {} days ago.", issue.subject,
                                         random.between(1, 30)));
  context.set("type", issue.type);
  context.set("status", status);
  context.set("lifecycle_state", lifecycle_state_for(status));
  context.set("priority", priorities[priority]);
  context.set("severity", severities[priority]);
  context.set("is_escalated", status == "escalated");
  context.set("escalation_reason", status == "escalated" ? Value("Customer impact above the SLA threshold.") : Value());
  context.set("resolution", done ? Value(issue.resolution) : Value());
  context.set("root_cause", Value());
  context.set("parent_case_id", Value());
}

void shape_case_comment(RowContext& context) {
  static constexpr std::array<std::string_view, 4> types = {"agent", "customer", "internal", "email"};
  SampleRandom& random = context.random;
  if (!context.parent("case_id")) context.link("case_id", context.any("support_case"));
  const auto support_case = context.parent("case_id");
  const std::string_view type = pick(random, types);
  context.set("comment_type", type);
  context.set("body", pick(random, comment_bodies));
  context.set("is_internal", type == "internal");
  context.set("is_public", type != "internal");
  context.set("parent_comment_id", Value());
  if (support_case) context.set("contact_id", support_case->value("contact_id"));
}

void shape_department(RowContext& context) {
  const Department& department = departments[static_cast<std::size_t>(context.index) % departments.size()];
  const std::int64_t round = context.index / static_cast<std::int64_t>(departments.size());
  context.set("name", round == 0 ? std::string(department.name) : fmt::format("{} {}", department.name, round + 1));
  context.set("code", round == 0 ? std::string(department.code) : fmt::format("{}{}", department.code, round + 1));
  context.set("type", context.index == 0 ? "headquarters" : "department");
  context.set("parent_id", Value());
  context.set("status", "active");
  context.set("budget_amount", Decimal(context.random.between(200, 3000) * 1000 * 100, 2));
}

void shape_position(RowContext& context) {
  // Two positions per department: its head and its specialists.
  const ObjectRows* department_rows = context.generated.find("department");
  if (department_rows == nullptr || department_rows->empty()) return;
  const std::size_t department_row = static_cast<std::size_t>(context.index / 2) % department_rows->size();
  const Level& level = position_levels[static_cast<std::size_t>(context.index % 2)];
  const Department& department = departments[department_row % departments.size()];
  context.link("department_id", ParentRow{department_rows, department_row});
  context.set("title", fmt::format("{} {}", level.title_prefix, department_rows->text(department_row, "name")));
  context.set("code", fmt::format("POS-{:03}", context.index + 1));
  context.set("level", level.level);
  context.set("job_family", department.family);
  context.set("employment_type", "full_time");
  context.set("headcount", level.level == "director" ? 1 : context.random.between(3, 12));
  context.set("min_salary", Decimal(level.min_salary * 100, 2));
  context.set("max_salary", Decimal(level.min_salary * 160, 2));
  context.set("reports_to_id", Value());
}

void shape_employee(RowContext& context) {
  static constexpr std::array<std::string_view, 4> statuses = {"active", "probation", "on_leave", "terminated"};
  static constexpr std::array<int, 4> status_weights = {80, 8, 4, 8};
  SampleRandom& random = context.random;
  const std::string_view first = pick(random, first_names);
  const std::string_view last = pick(random, last_names);
  const Place& place = pick(random, places);
  const std::string_view status = pick_weighted(random, statuses, status_weights);
  const Date hired = days_from(context.today, -random.between(status == "probation" ? 1 : 90, 8 * 365));
  const auto position = context.parent("position_id");
  const Value& min_salary = position ? position->value("min_salary") : Value();
  const std::int64_t raise_percent = random.between(100, 150);
  context.set("employee_number", fmt::format("EMP-{:05}", context.index + 1));
  context.set("first_name", first);
  context.set("last_name", last);
  context.set("email", unique_email(context.unique, first, last, "hotcrm-demo.example"));
  context.set("mobile_phone", phone_number(random, place));
  context.set("hire_date", hired);
  context.set("employment_status", status);
  context.set("termination_date", status == "terminated" ? Value(days_from(hired, random.between(30, 700))) : Value());
  context.set("base_salary", min_salary.is_null() ? Value()
                                                  : Value(Decimal::divide(min_salary.as_decimal() * Decimal(raise_percent, 0),
                                                                          Decimal(100, 0), 2)));
  context.set("work_location", place.city);
  context.set("city", place.city);
  context.set("state", place.state);
  context.set("country", place.country);
}

void shape_candidate(RowContext& context) {
  static constexpr std::array<std::string_view, 6> statuses = {"new", "under_review", "interviewing", "hired",
                                                               "rejected", "withdrawn"};
  static constexpr std::array<int, 6> status_weights = {25, 20, 25, 10, 15, 5};
  SampleRandom& random = context.random;
  const std::string_view first = pick(random, first_names);
  const std::string_view last = pick(random, last_names);
  const Place& place = pick(random, places);
  const Role& role = pick(random, roles);
  const std::string company = company_name(random);
  const std::int64_t experience = random.between(1, 25);
  const std::int64_t salary = random.between(40, 180) * 1000;
  context.set("first_name", first);
  context.set("last_name", last);
  context.set("email", unique_email(context.unique, first, last, "candidates.example"));
  context.set("mobile_phone", phone_number(random, place));
  context.set("current_company", company);
  context.set("current_title", role.title);
  context.set("years_of_experience", experience);
  context.set("current_salary", Decimal(salary * 100, 2));
  context.set("expected_salary", Decimal(salary * 115, 2));
  context.set("status", pick_weighted(random, statuses, status_weights));
  context.set("linkedin_url", fmt::format("https://www.linkedin.example/in/{}-{}", slug(first), slug(last)));
  context.set("city", place.city);
  context.set("country", place.country);
}

void shape_recruitment(RowContext& context) {
  SampleRandom& random = context.random;
  const auto position = context.parent("position_id");
  if (position) context.set("department_id", position->value("department_id"));
  const Value& min_salary = position ? position->value("min_salary") : Value();
  const Date posted = days_from(context.today, -random.between(5, 120));
  context.set("title", position ? position->text("title") : "Open position");
  context.set("requisition_number", fmt::format("REQ-{:04}", context.index + 1));
  context.set("headcount", random.between(1, 3));
  context.set("posted_date", posted);
  context.set("close_date", days_from(posted, 90));
  context.set("target_start_date", days_from(posted, 120));
  context.set("salary_range_min", min_salary);
  context.set("salary_range_max", position ? position->value("max_salary") : Value());
}

void shape_application(RowContext& context) {
  static constexpr std::array<std::string_view, 8> statuses = {"submitted",  "screening",      "interview_scheduled",
                                                               "interviewing", "shortlisted",  "offer_extended",
                                                               "rejected",   "withdrawn"};
  static constexpr std::array<int, 8> status_weights = {20, 15, 10, 15, 10, 5, 20, 5};
  SampleRandom& random = context.random;
  const auto recruitment = context.parent("recruitment_id");
  const Date posted = recruitment && !recruitment->value("posted_date").is_null()
                          ? recruitment->value("posted_date").as_date()
                          : days_from(context.today, -60);
  const std::string_view status = pick_weighted(random, statuses, status_weights);
  context.set("application_number", fmt::format("APP-{:05}", context.index + 1));
  context.set("applied_date", std::min(context.today, days_from(posted, random.between(0, 30))));
  context.set("status", status);
  context.set("rejection_reason", status == "rejected" ? Value("Another candidate was a closer match.") : Value());
}

}  // namespace hotcrm::inline v0::sample
