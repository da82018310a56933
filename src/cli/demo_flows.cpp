// `hotcrm demo`, second part: the seed's end-to-end flows on the generated data. A simulated clock
// moves hour by hour; at each hour the people of the story act (leads arrive, managers approve
// discounts, customers accept quotes and pay, agents answer cases) through ordinary writes, events
// and approval calls, and run_due processes what fell due (SLA warnings and violations, state
// timeouts, schedules). The behaviour of each person is a fixed rule of the record's position, so
// the same seed prints the same story.

#include "cli/demo_flows.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace hotcrm::cli {
namespace {

constexpr std::int64_t kHour = 3'600'000'000LL;
constexpr std::int64_t kDay = 24 * kHour;

DateTime plus_hours(DateTime at, std::int64_t hours) { return DateTime{at.micros + hours * kHour}; }
DateTime at_hour(Date day, int hour) { return DateTime{DateTime::from_date(day).micros + hour * kHour}; }
/// 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday).
int weekday(Date day) { return static_cast<int>(((day.days % 7) + 7 + 4) % 7); }
bool is_weekday(Date day) { return weekday(day) >= 1 && weekday(day) <= 5; }

/// The demo's office hours: weekdays 09:00-17:00 UTC, except the holiday.
struct Office {
  Date holiday;
  bool open(DateTime at) const {
    const Date day = at.date();
    const auto hour = (at.micros - DateTime::from_date(day).micros) / kHour;
    return is_weekday(day) && day.days != holiday.days && hour >= 9 && hour < 17;
  }
  /// `at` if the office is open then, else the next opening hour (agents work office hours).
  DateTime next_open(DateTime at) const {
    while (!open(at)) at = DateTime{(at.micros / kHour + 1) * kHour};
    return at;
  }
  /// `hours` working hours after `at`.
  DateTime after_working_hours(DateTime at, int hours) const {
    at = next_open(at);
    for (int i = 0; i < hours; ++i) at = next_open(plus_hours(at, 1));
    return at;
  }
};

std::string text_of(const Record& record, const std::string& field) {
  auto found = record.find(field);
  return found == record.end() || found->second.is_null() ? std::string() : found->second.to_display();
}

std::vector<std::string> ids_of(Session& session, Query query) {
  query.fields = {"id"};
  auto result = session.query(query);
  std::vector<std::string> ids;
  for (std::size_t r = 0; r < result.size(); ++r) ids.push_back(result.rows.at(r, 0).as_string());
  return ids;
}

struct SlaTally {
  std::int64_t met = 0, warned = 0, violated = 0, open = 0;
};

/// What happened, for the report.
struct Story {
  std::int64_t leads_new = 0, leads_routed = 0, leads_converted = 0, opportunities = 0;
  Decimal pipeline = Decimal::from_int(0);
  std::int64_t quotes = 0, quotes_without_approval = 0, submitted = 0, decisions = 0, approved = 0, rejected = 0;
  std::int64_t sent_back = 0, resubmitted = 0;
  std::int64_t quotes_sent = 0, quotes_accepted = 0, quotes_declined = 0, contracts = 0, contracts_activated = 0;
  std::int64_t invoices = 0, payments = 0;
  Decimal invoiced = Decimal::from_int(0), received = Decimal::from_int(0);
  std::int64_t cases = 0, cases_routed = 0, cases_queued = 0, cases_routed_later = 0, escalated_by_managers = 0;
  std::int64_t cases_resolved = 0;
  std::int64_t offers_extended = 0, offers_accepted = 0, offers_declined = 0;
  std::int64_t timers_run = 0, timers_dropped = 0, schedule_runs = 0;
  std::map<std::string, std::pair<std::int64_t, std::string>> refused;  ///< step -> count, first reason
};

class SeedFlows {
 public:
  SeedFlows(Database& database, const std::shared_ptr<DateTime>& clock, const FlowOptions& options)
      : db_(database), clock_(clock), options_(options), start_(*clock) {}

  void run(std::ostream& out) {
    set_up();
    out << fmt::format("\nThe seed's flows on this data, simulated clock {} -> {} ({} days, run_due every hour;\n"
                       "office hours Mon-Fri 09-17 UTC, holiday {}):\n",
                       start_.to_string(), plus_hours(start_, options_.days * 24).to_string(), options_.days,
                       office_.holiday.to_string());
    plan_days();
    for (DateTime now = start_; now.micros <= start_.micros + options_.days * kDay; now = plus_hours(now, 1)) {
      *clock_ = now;
      while (!agenda_.empty() && agenda_.begin()->first <= now.micros) {
        auto step = std::move(agenda_.begin()->second);
        agenda_.erase(agenda_.begin());
        step();
      }
      const RunReport due = db_.run_due(now);
      story_.timers_run += due.timers_run;
      story_.timers_dropped += due.timers_dropped;
      story_.schedule_runs += due.schedule_runs;
    }
    report(out);
  }

 private:
  // ---- the cast and the office ----

  void set_up() {
    // The first Monday after the start is a company holiday.
    Date holiday{start_.date().days + 1};
    while (weekday(holiday) != 1) ++holiday.days;
    office_.holiday = holiday;
    for (const auto& id : ids_of(db_, Query{.object = "business_hours", .filter = Filter::compare("is_default", CompareOp::eq, true)}))
      db_.update("business_hours", id, {{"is_default", false}});
    const auto calendar = db_.insert("holiday_calendar", {{"name", "Demo company holidays"}, {"country", "us"},
                                                          {"year", holiday.year()}});
    db_.insert("holiday", {{"calendar_id", calendar}, {"name", "Company holiday"}, {"holiday_date", holiday},
                           {"holiday_type", "company"}});
    Record hours{{"name", "Demo office hours"}, {"time_zone", "utc"}, {"is_active", true}, {"is_default", true},
                 {"exclude_holidays", true}, {"holiday_calendar_id", calendar}};
    for (const char* day : {"monday", "tuesday", "wednesday", "thursday", "friday"}) {
      hours.emplace(std::string(day) + "_enabled", true);
      hours.emplace(std::string(day) + "_start_time", "09:00");
      hours.emplace(std::string(day) + "_end_time", "17:00");
    }
    for (const char* day : {"saturday", "sunday"}) hours.emplace(std::string(day) + "_enabled", false);
    db_.insert("business_hours", hours);

    // A sales hierarchy deep enough for every discount level, and a support team.
    std::string manager;
    for (const char* name : {"vera.vp", "dan.director", "mia.manager", "tom.teamlead"}) manager = user(name, manager);
    for (const char* name : {"rita.rep", "raj.rep", "rosa.rep"}) reps_.push_back(user(name, manager));
    for (const char* name : {"alex.agent", "bea.agent", "cy.agent"}) agents_.push_back(user(name, {}));
    // The demo's routing replaces the generated assignment rules.
    for (const auto& id : ids_of(db_, Query{.object = "assignment_rule", .filter = Filter::compare("active", CompareOp::eq, true)}))
      db_.update("assignment_rule", id, {{"active", false}});
    // The customers who write to support: contacts with their accounts (and the account's SLA tier).
    auto contacts = db_.query(Query{.object = "contact", .filter = Filter::compare("account_id", CompareOp::not_null),
                                    .order_by = {{"last_name", false}}, .limit = 10, .fields = {"id", "account_id"}});
    for (std::size_t r = 0; r < contacts.size(); ++r)
      customers_.emplace_back(contacts.rows.at(r, 1).as_string(), contacts.rows.at(r, 0).as_string());
    route("lead", "Inside sales", "round_robin", reps_, "last_name");
    route("support_case", "Support desk", "load_balanced", agents_, "subject");
  }

  std::string user(const std::string& name, const std::string& manager) {
    return db_.insert("user", {{"username", "demo." + name}, {"email", name + "@demo.hotcrm.example"},
                               {"last_name", name}, {"is_active", true},
                               {"manager_id", manager.empty() ? Value() : Value(manager)}});
  }

  void route(const std::string& object, const std::string& queue_name, const std::string& method,
             const std::vector<std::string>& members, const std::string& field) {
    const auto queue = db_.insert("queue", {{"name", queue_name}, {"queue_type", "general"}, {"routing_method", method},
                                            {"is_active", true}});
    for (std::size_t i = 0; i < members.size(); ++i)
      db_.insert("queue_member", {{"queue_id", queue}, {"user_id", members[i]}, {"is_active", true},
                                  {"accept_new_cases", true}, {"assignment_priority", static_cast<std::int64_t>(i + 1)}});
    db_.insert("assignment_rule", {{"name", queue_name + " gets everything"}, {"object_name", object}, {"active", true},
                                   {"sort_order", 0}, {"criteria_field", field}, {"criteria_operator", "not_equals"},
                                   {"criteria_value", "-"}, {"assign_to_queue_id", queue}});
  }

  // ---- the calendar of the story ----

  void at(DateTime when, std::string step, std::function<void()> action) {
    agenda_.emplace(when.micros, [this, step = std::move(step), action = std::move(action)] { attempt(step, action); });
  }

  /// Runs one person's action; a refusal by the engine is part of the story, counted per step.
  void attempt(const std::string& step, const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& error) {
      auto& [count, first] = story_.refused[step];
      if (count++ == 0) first = error.what();
    }
  }

  void plan_days() {
    at(plus_hours(start_, 1), "quotes prepared", [this] { prepare_quotes(); });
    at(plus_hours(start_, 2), "offers prepared", [this] { prepare_offers(); });
    for (std::int64_t d = 0; d < options_.days; ++d) {
      const Date day{start_.date().days + static_cast<std::int32_t>(d)};
      for (int hour : {10, 13, 16, 21})  // customers write every day, also out of hours
        at(at_hour(day, hour), "case opened", [this] { open_cases(); });
      if (!is_weekday(day) || day.days == office_.holiday.days) continue;
      at(at_hour(day, 8), "lead created", [this] { new_leads(); });
      at(at_hour(day, 9), "lead converted", [this] { convert_leads(); });
      at(at_hour(day, 9), "case escalated", [this] { escalate_violations(); });
      at(at_hour(day, 9), "case assigned from the queue", [this] { drain_queue(); });
      at(at_hour(day, 10), "approval decided", [this] { decide_approvals(); });
      at(at_hour(day, 11), "quote answered", [this] { answer_quotes(); });
      at(at_hour(day, 12), "contract activated", [this] { activate_contracts(); });
      at(at_hour(day, 15), "quote sent", [this] { send_approved_quotes(); });
      at(at_hour(day, 16), "offer answered", [this] { answer_offers(); });
    }
  }

  // ---- lead to opportunity ----

  void new_leads() {
    static constexpr std::array<const char*, 5> industries = {"technology", "finance", "healthcare", "retail", "energy"};
    for (std::int64_t i = 0; i < 5 * options_.scale; ++i) {
      const auto n = story_.leads_new++;
      attempt("lead created", [&] {
        const auto id = db_.insert("lead", {{"first_name", "Demo"}, {"last_name", fmt::format("Prospect {}", n + 1)},
                                            {"company", fmt::format("Prospect Co {}", n + 1)},
                                            {"email", fmt::format("prospect{}@demo.example", n + 1)},
                                            {"industry", industries[static_cast<std::size_t>(n) % industries.size()]},
                                            {"annual_revenue", Decimal::from_int(250'000 * (n % 40 + 1))}});
        const auto owner = text_of(db_.get("lead", id), "owner_id");
        if (std::find(reps_.begin(), reps_.end(), owner) != reps_.end()) ++story_.leads_routed;
        // A third of them qualify after a call the next working day.
        if (n % 3 == 0)
          at(office_.after_working_hours(*clock_, 8), "lead qualified",
             [this, id] { db_.update("lead", id, {{"status", "qualified"}, {"rating", "hot"}}); });
      });
    }
  }

  void convert_leads() {
    auto ready = ids_of(db_, Query{.object = "lead",
                                   .filter = Filter::and_({Filter::compare("status", CompareOp::eq, "qualified"),
                                                           Filter::compare("is_converted", CompareOp::eq, false)}),
                                   .order_by = {{"annual_revenue", true}},
                                   .limit = 3 * options_.scale});
    for (const auto& id : ready) {
      attempt("lead converted", [&] {
        // As the seed does: a company that is already an account is converted into that account.
        LeadConversionOptions options;
        const auto company = db_.get("lead", id).at("company");
        auto existing = ids_of(db_, Query{.object = "account", .filter = Filter::compare("name", CompareOp::eq, company),
                                          .limit = 1});
        if (!existing.empty()) options.account_id = existing.front();
        const auto converted = db_.convert_lead(id, options);
        ++story_.leads_converted;
        if (!converted.opportunity_id) return;
        ++story_.opportunities;
        const auto amount = db_.get("opportunity", *converted.opportunity_id).at("amount");
        if (!amount.is_null()) story_.pipeline = story_.pipeline + amount.as_decimal();
      });
    }
  }

  // ---- quote to order ----

  void prepare_quotes() {
    quotes_ = ids_of(db_, Query{.object = "quote",
                                .filter = Filter::and_({Filter::compare("status", CompareOp::eq, "draft"),
                                                        Filter::compare("subtotal", CompareOp::gt, std::int64_t{0})}),
                                .order_by = {{"quote_number", false}},
                                .limit = 8 * options_.scale});
    for (std::size_t i = 0; i < quotes_.size(); ++i) {
      const auto& id = quotes_[i];
      const auto& rep = reps_[i % reps_.size()];
      attempt("quote prepared", [&] {
        db_.update("quote", id, {{"owner_id", rep}});
        ++story_.quotes;
        if (db_.get("quote", id).at("approval_level").as_double() < 1) {
          ++story_.quotes_without_approval;
          db_.update("quote", id, {{"status", "sent"}});
          sent_on_[id] = clock_->date().days;
          ++story_.quotes_sent;
          return;
        }
        db_.session(SessionContext{.user = rep}).submit_for_approval("quote", id);
        ++story_.submitted;
      });
    }
  }

  /// Each pending step's approver decides: the manager (level 2) sends discounts above 15 % back to
  /// the team lead, who then rejects them; the rep resubmits at 10 %. Everything else is approved.
  void decide_approvals() {
    for (const auto& id : quotes_) {
      auto state = db_.approval("quote", id);
      if (!state || state->status != "pending" || state->pending_approvers.empty()) continue;
      attempt("approval decided", [&] {
        const auto discount = db_.get("quote", id).at("discount_percent").as_decimal();
        const auto& approver = state->pending_approvers.front();
        const bool sent_back = std::any_of(state->history.begin(), state->history.end(),
                                           [](const ApprovalItem& item) { return item.decision == "rejected"; });
        ++story_.decisions;
        if (state->step == 2 && discount > Decimal::from_int(15)) {
          db_.reject("quote", id, approver, "too deep: back to the team lead");
          ++story_.sent_back;
        } else if (state->step == 1 && sent_back) {
          db_.reject("quote", id, approver, "the manager refused this discount");
          ++story_.rejected;
          at(office_.after_working_hours(*clock_, 1), "quote resubmitted", [this, id] { resubmit(id); });
        } else if (db_.approve("quote", id, approver).status == "approved") {
          ++story_.approved;
        }
      });
    }
  }

  void resubmit(const std::string& id) {
    const auto owner = text_of(db_.get("quote", id), "owner_id");
    Session rep = db_.session(SessionContext{.user = owner});
    rep.update("quote", id, {{"discount_percent", Decimal::from_int(10)}});
    rep.submit_for_approval("quote", id);
    ++story_.resubmitted;
  }

  void send_approved_quotes() {
    for (const auto& id : quotes_) {
      if (sent_on_.count(id) || text_of(db_.get("quote", id), "status") != "approved") continue;
      attempt("quote sent", [&] {
        db_.update("quote", id, {{"status", "sent"}});
        sent_on_[id] = clock_->date().days;
        ++story_.quotes_sent;
      });
    }
  }

  /// Customers answer the day after a quote was sent: one in five declines.
  void answer_quotes() {
    for (std::size_t i = 0; i < quotes_.size(); ++i) {
      const auto& id = quotes_[i];
      auto sent = sent_on_.find(id);
      if (sent == sent_on_.end() || sent->second >= clock_->date().days || answered_.count(id)) continue;
      answered_.insert(id);
      attempt("quote answered", [&] {
        if (i % 5 == 4) {
          db_.update("quote", id, {{"status", "declined"}});
          ++story_.quotes_declined;
          return;
        }
        const auto before = db_.count("contract");
        db_.update("quote", id, {{"status", "accepted"}});
        ++story_.quotes_accepted;
        story_.contracts += db_.count("contract") - before;
      });
    }
  }

  // ---- order to invoice, invoice to payment ----

  void activate_contracts() {
    auto drafts = ids_of(db_, Query{.object = "contract",
                                    .filter = Filter::and_({Filter::compare("status", CompareOp::eq, "draft"),
                                                            Filter::compare("created_at", CompareOp::gt, start_),
                                                            Filter::compare("created_at", CompareOp::lt,
                                                                            DateTime::from_date(clock_->date()))})});
    for (const auto& id : drafts) {
      attempt("contract activated", [&] {
        db_.update("contract", id, {{"status", "activated"}});
        ++story_.contracts_activated;
        const auto raised = Filter::and_({Filter::compare("contract_id", CompareOp::eq, id),
                                          Filter::compare("billing_source", CompareOp::eq, "contract_activation")});
        for (const auto& invoice : ids_of(db_, Query{.object = "invoice", .filter = raised})) bill(invoice);
      });
    }
  }

  /// The invoice is posted; the customer pays it in full after a week, in two halves, or not yet.
  void bill(const std::string& invoice) {
    const auto n = story_.invoices++;
    db_.update("invoice", invoice, {{"status", "posted"}});
    const auto stored = db_.get("invoice", invoice);
    const Decimal total = stored.at("total_amount").as_decimal();
    story_.invoiced = story_.invoiced + total;
    if (n % 4 == 3) return;  // overdue at the end of the story
    if (n % 4 == 1) {
      const Decimal half = Decimal::divide(total, Decimal::from_int(2), 2);
      pay(invoice, stored, half, office_.after_working_hours(*clock_, 16));
      pay(invoice, stored, total - half, office_.after_working_hours(*clock_, 48));
    } else {
      pay(invoice, stored, total, office_.after_working_hours(*clock_, 40));
    }
  }

  void pay(const std::string& invoice, const Record& stored, Decimal amount, DateTime when) {
    at(when, "payment received", [this, invoice, stored, amount] {
      const Date today = clock_->date();
      db_.insert("payment", {{"name", "Payment of " + text_of(stored, "invoice_number")}, {"type", "milestone_payment"},
                             {"status", "received"}, {"account_id", stored.at("account_id")},
                             {"contract_id", stored.at("contract_id")}, {"invoice_id", invoice}, {"planned_amount", amount},
                             {"planned_date", today}, {"received_amount", amount}, {"actual_date", today},
                             {"payment_method", "bank_transfer"}});
      ++story_.payments;
      story_.received = story_.received + amount;
    });
  }

  // ---- case resolution ----

  void open_cases() {
    static constexpr std::array<const char*, 5> priorities = {"medium", "high", "low", "critical", "medium"};
    for (std::int64_t k = 0; k < options_.scale; ++k) {
      const auto n = story_.cases++;
      attempt("case opened", [&] {
        Record values{{"subject", fmt::format("Demo case {}", n + 1)}, {"description", "The customer reports a problem"},
                      {"origin", "email"}, {"priority", priorities[static_cast<std::size_t>(n) % priorities.size()]}};
        if (!customers_.empty()) {
          const auto& [account, contact] = customers_[static_cast<std::size_t>(n) % customers_.size()];
          values.emplace("account_id", account);
          values.emplace("contact_id", contact);
        }
        const auto id = db_.insert("support_case", values);
        cases_.push_back(id);
        const auto owner = text_of(db_.get("support_case", id), "owner_id");
        if (std::find(agents_.begin(), agents_.end(), owner) == agents_.end()) {
          ++story_.cases_queued;  // every agent is at max_cases: the case waits in the queue
          queued_.emplace(id, n);
          return;
        }
        ++story_.cases_routed;
        db_.fire("support_case", id, "assign");
        handle_case(id, n);
      });
    }
  }

  /// Every morning the cases waiting in the queue are offered to the agents again (Session::assign).
  void drain_queue() {
    for (auto it = queued_.begin(); it != queued_.end();) {
      const auto [id, n] = *it;
      std::string agent;
      attempt("case assigned from the queue", [&] { agent = db_.assign("support_case", id); });
      if (agent.empty()) {
        ++it;
        continue;
      }
      it = queued_.erase(it);
      ++story_.cases_routed_later;
      attempt("case assigned from the queue", [&] {
        db_.fire("support_case", id, "assign");
        handle_case(id, n);
      });
    }
  }

  /// How the agent (working office hours) and the customer handle case n.
  void handle_case(const std::string& id, std::int64_t n) {
    const DateTime opened = *clock_;
    // Events only where the case still is (it may have been escalated meanwhile).
    auto fire_from = [this, id](const char* state, const char* event) {
      return [this, id, state, event] {
        if (text_of(db_.get("support_case", id), "lifecycle_state") == state) db_.fire("support_case", id, event);
      };
    };
    auto respond = [this, id] { db_.update("support_case", id, {{"owner_responded", true}}); };
    auto resolve = [this, id] {
      const auto state = text_of(db_.get("support_case", id), "lifecycle_state");
      if (state != "assigned" && state != "escalated") return;
      db_.update("support_case", id, {{"resolution", "Fixed and explained to the customer"}});
      db_.fire("support_case", id, "resolve");
      ++story_.cases_resolved;
    };
    switch (n % 6) {
      case 0:  // answered and fixed quickly
        at(office_.after_working_hours(opened, 1), "case answered", respond);
        at(office_.after_working_hours(opened, 3), "case resolved", resolve);
        break;
      case 1:  // needs information from the customer, who answers the next day
        at(office_.after_working_hours(opened, 2), "case answered", respond);
        at(office_.after_working_hours(opened, 3), "case waiting", fire_from("assigned", "request_info"));
        at(plus_hours(office_.after_working_hours(opened, 3), 20), "customer answered",
           fire_from("waiting_customer", "customer_responded"));
        at(office_.after_working_hours(plus_hours(office_.after_working_hours(opened, 3), 20), 2), "case resolved", resolve);
        break;
      case 2:  // a busy day: answered late (after the warning), fixed the next day
        at(office_.after_working_hours(opened, 7), "case answered", respond);
        at(office_.after_working_hours(opened, 14), "case resolved", resolve);
        break;
      case 3:  // forgotten for two days
        at(office_.after_working_hours(opened, 16), "case answered", respond);
        at(office_.after_working_hours(opened, 24), "case resolved", resolve);
        break;
      case 4:  // the customer never answers the question: closed automatically after 7 days
        at(office_.after_working_hours(opened, 1), "case answered", respond);
        at(office_.after_working_hours(opened, 2), "case waiting", fire_from("assigned", "request_info"));
        break;
      default:
        at(office_.after_working_hours(opened, 3), "case answered", respond);
        at(office_.after_working_hours(opened, 5), "case resolved", resolve);
        break;
    }
  }

  /// Every morning a manager escalates the assigned cases whose SLA is violated.
  void escalate_violations() {
    for (const auto& id : cases_) {
      const auto record = db_.get("support_case", id);
      if (text_of(record, "lifecycle_state") != "assigned" || record.at("is_sla_violated") != Value(true)) continue;
      attempt("case escalated", [&] {
        db_.fire("support_case", id, "escalate");
        ++story_.escalated_by_managers;
      });
    }
  }

  // ---- recruitment ----

  void prepare_offers() {
    offers_ = ids_of(db_, Query{.object = "offer", .filter = Filter::compare("status", CompareOp::eq, "draft"),
                                .order_by = {{"offer_number", false}}, .limit = 4 * options_.scale});
    for (const auto& id : offers_) {
      attempt("offer extended", [&] {
        db_.update("offer", id, {{"status", "extended"}});
        ++story_.offers_extended;
      });
    }
  }

  /// Candidates answer two days after the offer: one in four declines.
  void answer_offers() {
    if (clock_->micros < start_.micros + 2 * kDay) return;
    for (std::size_t i = 0; i < offers_.size(); ++i) {
      const auto& id = offers_[i];
      if (text_of(db_.get("offer", id), "status") != "extended") continue;
      attempt("offer answered", [&] {
        if (i % 4 == 3) {
          db_.update("offer", id, {{"status", "rejected"}, {"rejection_reason", "Accepted another offer"}});
          ++story_.offers_declined;
        } else {
          db_.update("offer", id, {{"status", "accepted"}});
          ++story_.offers_accepted;
        }
      });
    }
  }

  // ---- the report ----

  SlaTally tally(const std::string& milestone) {
    SlaTally tally;
    for (const auto& id : cases_) {
      for (const auto& clock : db_.sla("support_case", id)) {
        if (clock.milestone != milestone) continue;
        if (clock.violated) ++tally.violated;
        else if (clock.status == "met") ++(clock.warned ? tally.warned : tally.met);
        else ++tally.open;
      }
    }
    return tally;
  }

  std::int64_t count_since(const std::string& object, Filter filter = Filter::all()) {
    // The generated records were all created at the start: the story's come after.
    return db_.count(object, Filter::and_({Filter::compare("created_at", CompareOp::gt, start_), std::move(filter)}));
  }

  void report(std::ostream& out) {
    const auto& s = story_;
    auto row = [&](std::string_view flow, const std::string& text) { out << fmt::format("  {:<20} {}\n", flow, text); };
    row("Lead to opportunity", fmt::format("{} new leads, {} routed round-robin to 3 reps; {} converted, {} opportunities "
                                           "({} in pipeline)", s.leads_new, s.leads_routed, s.leads_converted,
                                           s.opportunities, s.pipeline.to_string()));
    row("Quote to order", fmt::format("{} quotes: {} needed no approval, {} submitted for discount approval; {} decisions: "
                                      "{} approved, {} sent back a level, {} rejected and resubmitted at 10 %",
                                      s.quotes, s.quotes_without_approval, s.submitted, s.decisions, s.approved,
                                      s.sent_back, s.resubmitted));
    row("", fmt::format("{} sent, {} accepted ({} opportunities Closed Won, {} 12-month contracts), {} declined",
                        s.quotes_sent, s.quotes_accepted, s.quotes_accepted, s.contracts, s.quotes_declined));
    row("Order to invoice", fmt::format("{} contracts activated, {} Net 30 invoices raised for {}", s.contracts_activated,
                                        s.invoices, s.invoiced.to_string()));
    const auto paid = count_since("invoice", Filter::compare("status", CompareOp::eq, "paid"));
    const auto partly = count_since("invoice", Filter::and_({Filter::compare("status", CompareOp::ne, "paid"),
                                                             Filter::compare("amount_paid", CompareOp::gt, std::int64_t{0})}));
    row("Invoice to payment", fmt::format("{} payments received ({}), {} invoices paid, {} partly paid, {} unpaid",
                                          s.payments, s.received.to_string(), paid, partly, s.invoices - paid - partly));
    auto state_count = [&](const char* state) {
      std::int64_t n = 0;
      for (const auto& id : cases_) n += text_of(db_.get("support_case", id), "lifecycle_state") == state;
      return n;
    };
    std::int64_t escalated = 0;
    for (const auto& id : cases_) escalated += db_.get("support_case", id).at("is_escalated") == Value(true);
    const std::string queued = s.cases_queued == 0 ? std::string()
                               : fmt::format(" ({} waited in the queue with every agent at max_cases, {} of them "
                                             "assigned on a later morning)", s.cases_queued, s.cases_routed_later);
    row("Case resolution", fmt::format("{} cases, {} routed load-balanced to 3 agents{}; {} escalated ({} by managers "
                                       "after a violation, the rest automatically); {} resolved, {} closed, {} "
                                       "auto-closed (no customer answer), {} open", s.cases, s.cases_routed, queued, escalated,
                                       s.escalated_by_managers, s.cases_resolved, state_count("closed"),
                                       state_count("auto_closed"),
                                       static_cast<std::int64_t>(cases_.size()) - state_count("closed") -
                                           state_count("auto_closed") - state_count("resolved")));
    for (const char* milestone : {"first_response", "resolution"}) {
      const auto t = tally(milestone);
      row("", fmt::format("SLA {:<15} met {}, met after a warning {}, violated {}, still running {}", milestone, t.met,
                          t.warned, t.violated, t.open));
    }
    auto hired = db_.query(Query{.object = "employee", .filter = Filter::compare("created_at", CompareOp::gt, start_),
                                 .order_by = {{"employee_number", false}}, .fields = {"employee_number"}});
    std::string numbers;
    if (hired.size() > 0)
      numbers = fmt::format(" ({} .. {})", hired.rows.at(0, 0).to_display(), hired.rows.at(hired.size() - 1, 0).to_display());
    row("Recruitment", fmt::format("{} offers extended, {} accepted, {} declined; {} employees hired{}", s.offers_extended,
                                   s.offers_accepted, s.offers_declined, hired.size(), numbers));
    row("Engine", fmt::format("run_due: {} timed actions run, {} dropped, {} schedule runs; {} e-mails and webhooks in "
                              "the outbox", s.timers_run, s.timers_dropped, s.schedule_runs,
                              db_.outbox("pending", 1'000'000).size()));
    for (const auto& [step, refused] : s.refused)
      row("", fmt::format("refused by the engine: {} x {} (first: {})", refused.first, step, refused.second));
  }

  Database& db_;
  std::shared_ptr<DateTime> clock_;
  FlowOptions options_;
  DateTime start_;
  Office office_;
  Story story_;
  std::vector<std::string> reps_, agents_, quotes_, cases_, offers_;
  std::vector<std::pair<std::string, std::string>> customers_;  ///< account, contact
  std::map<std::string, std::int64_t> queued_;                  ///< cases waiting for an agent, by position
  std::map<std::string, std::int32_t> sent_on_;  ///< quote -> day it was sent
  std::set<std::string> answered_;
  std::multimap<std::int64_t, std::function<void()>> agenda_;  ///< in time order, then in the order planned
};

}  // namespace

void run_seed_flows(Database& database, const std::shared_ptr<DateTime>& clock, const FlowOptions& options,
                    std::ostream& out) {
  SeedFlows(database, clock, options).run(out);
}

}  // namespace hotcrm::cli
