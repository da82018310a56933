// Assignment rules: who owns a new record. Entries are tried in order (the object's assignment_rule
// records first, when the catalog says so, then its declared entries); the first match names a
// user, or a queue whose routing method picks one of its members: round-robin (the rotation is a
// row of _hotcrm_assignment_cursor, so restarts continue it) or load-balanced (fewest open records).
#include <algorithm>

#include <fmt/format.h>

#include "store/access.hpp"
#include "store/rows.hpp"
#include "store/sqlite.hpp"
#include "workflow/actions.hpp"
#include "workflow/assignment.hpp"

namespace hotcrm::detail {

namespace {

/// Where a record goes: a user, and the queue it went through (either may be empty).
struct Assignee {
  std::string user;
  std::string queue_id;
  std::string reason;  ///< the entry or rule that matched, for the log
};

bool truthy(const EvalResult& result) { return result.ok() && !result.value.is_null() && result.value.as_bool(); }

/// The seed's rule records compare a field's display text with a text value: = and != loosely,
/// > and < as numbers when both sides are numbers (else as text), contains as a substring. A blank
/// field matches nothing.
bool rule_record_matches(const Value& field, const std::string& op, const std::string& expected) {
  if (field.is_null()) return false;
  const std::string actual = field.to_display();
  if (op == "equals") return actual == expected;
  if (op == "not_equals") return actual != expected;
  if (op == "contains") return actual.find(expected) != std::string::npos;
  char* end_a = nullptr;
  char* end_b = nullptr;
  const double a = std::strtod(actual.c_str(), &end_a);
  const double b = std::strtod(expected.c_str(), &end_b);
  const bool numeric = !actual.empty() && !expected.empty() && *end_a == '\0' && *end_b == '\0';
  if (op == "greater_than") return numeric ? a > b : actual > expected;
  if (op == "less_than") return numeric ? a < b : actual < expected;
  return false;
}

/// Chooses the assignee of one record. Everything it reads about rules, queues, rotations and loads
/// goes through an AssignmentCache: the caller's (the rows of one import batch share it) or its own,
/// which lives as long as this one call.
class Assigner {
 public:
  Assigner(Session& session, const ObjectPlan& plan, DateTime now, AssignmentCache* cache = nullptr)
      : session_(session),
        impl_(SessionAccess::impl(session)),
        tenant_(SessionAccess::context(session).tenant),
        plan_(plan),
        rules_(*plan.workflow->assignment),
        now_(now),
        cache_(cache ? *cache : own_cache_) {}

  std::optional<Assignee> choose(const std::vector<Value>& row) {
    if (rules_.def->rule_records && impl_.catalog.find("assignment_rule"))
      if (auto found = from_rule_records(row)) return found;
    SlotResolver resolver(impl_, tenant_, now_);
    for (std::size_t i = 0; i < rules_.def->entries.size(); ++i) {
      const auto& criteria = rules_.entry_criteria[i];
      if (criteria && !truthy(resolver.evaluate(plan_, row, nullptr, *criteria))) continue;
      const auto& entry = rules_.def->entries[i];
      const std::string reason = fmt::format("entry {}", i + 1);
      if (!entry.user.empty()) return Assignee{entry.user, {}, reason};
      const auto& queue = queue_by_name(entry.queue);
      if (!queue) throw WorkflowError(fmt::format("assignment of {}: no queue named '{}'", plan_.object->name, entry.queue));
      return through_queue(*queue, reason);
    }
    return std::nullopt;
  }

 private:
  std::optional<Assignee> from_rule_records(const std::vector<Value>& row) {
    for (const auto& rule : rule_records()) {
      if (rule.column < 0) continue;  // a rule about a field this object lacks never matches
      if (!rule_record_matches(row[static_cast<std::size_t>(rule.column)], rule.op, rule.value)) continue;
      const std::string reason = "assignment_rule '" + rule.name + "'";
      if (!rule.user.empty()) return Assignee{rule.user, {}, reason};
      if (!rule.queue.empty()) return through_queue(rule.queue, reason);
    }
    return std::nullopt;
  }

  /// The object's active assignment_rule records, by sort_order.
  const std::vector<AssignmentCache::RuleRecord>& rule_records() {
    if (cache_.rule_records) return *cache_.rule_records;
    auto rules = session_.query(Query{
        .object = "assignment_rule",
        .filter = Filter::and_({Filter::compare("object_name", CompareOp::eq, plan_.object->name),
                                Filter::compare("active", CompareOp::eq, true)}),
        .order_by = {{"sort_order", false}},
        .fields = {"name", "criteria_field", "criteria_operator", "criteria_value", "assign_to_user_id", "assign_to_queue_id"}});
    auto& records = cache_.rule_records.emplace();
    for (std::size_t r = 0; r < rules.size(); ++r) {
      auto text = [&](std::size_t f) { return rules.rows.at(r, f).is_null() ? std::string() : rules.rows.at(r, f).to_display(); };
      auto column = plan_.column_index.find(text(1));
      records.push_back({text(0), column == plan_.column_index.end() ? -1 : column->second, text(2), text(3), text(4), text(5)});
    }
    return records;
  }

  const std::optional<std::string>& queue_by_name(const std::string& name) {
    auto [found, fresh] = cache_.queue_ids.try_emplace(name);
    if (!fresh) return found->second;
    auto queues = session_.query(Query{.object = "queue", .filter = Filter::compare("name", CompareOp::eq, name), .fields = {"id"}});
    if (queues.size() > 0) found->second = queues.rows.at(0, 0).as_string();
    return found->second;
  }

  const std::optional<AssignmentCache::Queue>& queue(const std::string& queue_id) {
    auto [found, fresh] = cache_.queues.try_emplace(queue_id);
    if (!fresh) return found->second;
    auto record = session_.find("queue", queue_id);
    if (!record) return found->second;
    auto& queue = found->second.emplace();
    queue.active = record->at("is_active") != Value(false);
    queue.routing = field_text(*record, "routing_method");
    if (queue.active) queue.members = eligible_members(queue_id);
    return found->second;
  }

  Assignee through_queue(const std::string& queue_id, const std::string& reason) {
    Assignee assignee{{}, queue_id, reason};
    const auto& queue = this->queue(queue_id);
    if (!queue || !queue->active || queue->members.empty()) return assignee;
    if (queue->routing == "round_robin") assignee.user = next_in_rotation(queue_id, queue->members);
    else if (queue->routing == "load_balanced") assignee.user = least_loaded(queue->members);
    return assignee;  // manual, skill-based and AI routing leave the record in the queue
  }

  std::vector<AssignmentCache::Member> eligible_members(const std::string& queue_id) {
    auto rows = session_.query(Query{
        .object = "queue_member",
        .filter = Filter::and_({Filter::compare("queue_id", CompareOp::eq, queue_id), Filter::compare("is_active", CompareOp::eq, true),
                                Filter::compare("accept_new_cases", CompareOp::eq, true)}),
        .order_by = {{"assignment_priority", false}, {"user_id", false}},
        .fields = {"user_id", "max_cases"}});
    std::vector<AssignmentCache::Member> members;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (rows.rows.at(r, 0).is_null()) continue;
      const auto& max = rows.rows.at(r, 1);
      members.push_back({rows.rows.at(r, 0).as_string(), max.is_null() ? 0 : max.as_int()});
    }
    return members;
  }

  /// The member after the last one assigned from this queue (by the members' order). The cursor is
  /// read once per cache and written on every move, so the rotation survives whatever comes next.
  std::string next_in_rotation(const std::string& queue_id, const std::vector<AssignmentCache::Member>& members) {
    auto [last, fresh] = cache_.cursors.try_emplace(queue_id);
    if (fresh) {
      auto& read = impl_.db().prepare("SELECT last_user FROM _hotcrm_assignment_cursor WHERE tenant_id = ? AND queue_id = ?");
      read.bind_text(1, tenant_);
      read.bind_text(2, queue_id);
      if (read.step()) last->second = std::string(read.column_text(0));
      read.reset();
    }
    std::size_t next = 0;
    if (last->second) {
      auto it = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.user == *last->second; });
      if (it != members.end()) next = static_cast<std::size_t>(it - members.begin() + 1) % members.size();
    }
    auto& write = impl_.db().prepare(
        "INSERT INTO _hotcrm_assignment_cursor (tenant_id, queue_id, last_user) VALUES (?, ?, ?) "
        "ON CONFLICT (tenant_id, queue_id) DO UPDATE SET last_user = excluded.last_user");
    write.bind_text(1, tenant_);
    write.bind_text(2, queue_id);
    write.bind_text(3, members[next].user);
    write.step();
    write.reset();
    last->second = members[next].user;
    return members[next].user;
  }

  /// The member with the fewest open records of this object (ties: the members' order); members at
  /// their maximum are passed over.
  std::string least_loaded(const std::vector<AssignmentCache::Member>& members) {
    std::string best;
    std::int64_t best_load = 0;
    for (const auto& member : members) {
      const auto load = open_records(member.user);
      if (member.max_records > 0 && load >= member.max_records) continue;
      if (best.empty() || load < best_load) {
        best = member.user;
        best_load = load;
      }
    }
    return best;
  }

  /// Counted once per cache; note_inserted keeps the count current as a batch's rows are written.
  std::int64_t open_records(const std::string& user) {
    auto [load, fresh] = cache_.loads.try_emplace(user, 0);
    if (!fresh) return load->second;
    std::vector<Filter> filters{Filter::compare(rules_.def->field, CompareOp::eq, user)};
    if (!rules_.def->open_condition.empty()) filters.push_back(Filter::formula(rules_.def->open_condition));
    load->second = session_.count(plan_.object->name, Filter::and_(std::move(filters)));
    return load->second;
  }

  Session& session_;
  Session::Impl& impl_;
  const std::string& tenant_;
  const ObjectPlan& plan_;
  const CompiledAssignment& rules_;
  DateTime now_;
  AssignmentCache own_cache_;
  AssignmentCache& cache_;
};

void log_assignment(Session::Impl& impl, const std::string& tenant, DateTime now, const ObjectPlan& plan,
                    const std::string& id, const Assignee& assignee) {
  append_log(impl, tenant, now, plan.object->name, id, "assignment", "assigned",
             {{"user", assignee.user}, {"queue", assignee.queue_id}, {"matched", assignee.reason}});
}

/// The insert step with the rules, queues and loads of `cache` (null: this call's own).
void assign_with(Session& session, const ObjectPlan& plan, std::vector<Value>& row, bool owner_given,
                 AssignmentCache* cache) {
  if (owner_given || !plan.workflow || !plan.workflow->assignment) return;
  auto& impl = SessionAccess::impl(session);
  const auto& rules = *plan.workflow->assignment;
  const auto& tenant = SessionAccess::context(session).tenant;
  const DateTime now = impl.now();
  if (rules.condition) {
    SlotResolver resolver(impl, tenant, now);
    if (!truthy(resolver.evaluate(plan, row, nullptr, *rules.condition))) return;
  }
  auto assignee = Assigner(session, plan, now, cache).choose(row);
  if (!assignee) return;
  if (!assignee->user.empty()) row[static_cast<std::size_t>(rules.field_column)] = assignee->user;
  if (rules.queue_column >= 0 && !assignee->queue_id.empty())
    row[static_cast<std::size_t>(rules.queue_column)] = assignee->queue_id;
  log_assignment(impl, tenant, now, plan, row[0].as_string(), *assignee);
}

}  // namespace

void assign_on_insert(Session& session, const ObjectPlan& plan, std::vector<Value>& row, bool owner_given) {
  assign_with(session, plan, row, owner_given, nullptr);
}

void assign_on_insert(Session& session, const ObjectPlan& plan, std::vector<Value>& row, bool owner_given,
                      AssignmentCache& cache) {
  assign_with(session, plan, row, owner_given, &cache);
}

void note_inserted(Session& session, const ObjectPlan& plan, AssignmentCache& cache, const std::vector<Value>& row) {
  if (cache.loads.empty()) return;
  const auto& rules = *plan.workflow->assignment;
  const auto& owner = row[static_cast<std::size_t>(rules.field_column)];
  if (owner.kind() != ValueKind::text) return;
  auto load = cache.loads.find(owner.as_string());
  if (load == cache.loads.end()) return;
  if (rules.open_condition) {
    auto& impl = SessionAccess::impl(session);
    SlotResolver resolver(impl, SessionAccess::context(session).tenant, impl.now());
    if (!truthy(resolver.evaluate(plan, row, nullptr, *rules.open_condition))) return;
  }
  ++load->second;
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

std::string Session::assign(std::string_view object, std::string_view id) {
  detail::RecordCall call(*impl_, context_, object, id, "edit");
  impl_->require_writable();
  const auto& plan = impl_->plan(object);
  if (!plan.workflow || !plan.workflow->assignment)
    throw SchemaError(ErrorCode::schema, fmt::format("{} has no assignment rules", object));
  detail::PinnedClock clock(*impl_);
  detail::Transaction transaction(impl_->db());
  auto row = detail::load_row(*impl_, plan, id, context_.tenant);
  if (!row) throw NotFoundError(ErrorCode::not_found, fmt::format("no {} with id '{}'", object, id));
  auto assignee = detail::Assigner(*this, plan, clock.now()).choose(*row);
  if (!assignee) throw WorkflowError(fmt::format("no assignment entry matches {} '{}'", object, id));
  const auto& rules = *plan.workflow->assignment;
  Record changes;
  if (!assignee->user.empty()) changes.emplace(rules.def->field, assignee->user);
  if (!rules.def->queue_field.empty() && !assignee->queue_id.empty()) changes.emplace(rules.def->queue_field, assignee->queue_id);
  detail::log_assignment(*impl_, context_.tenant, clock.now(), plan, std::string(id), *assignee);
  if (!changes.empty()) {
    detail::SystemWrite system(detail::runtime(*impl_));
    update(object, id, changes);
  }
  transaction.commit();
  return assignee->user;
}

}  // namespace v0
}  // namespace hotcrm
