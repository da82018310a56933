#include "store/rollups.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "model/coerce.hpp"
#include "store/codec.hpp"
#include "store/rows.hpp"
#include "store/sql_builder.hpp"
#include "workflow/engine.hpp"

namespace hotcrm::detail {

namespace {

/// count / sum / min / max / avg over values, exact for decimals. Nulls are skipped (count counts
/// records).
class Aggregator {
 public:
  explicit Aggregator(const std::string& function) : function_(function) {}

  void add(const Value& value) {
    ++records_;
    if (value.is_null()) return;
    ++values_;
    if (function_ == "sum" || function_ == "avg") {
      if (value.kind() == ValueKind::decimal) decimal_sum_ = decimal_sum_ + value.as_decimal(), any_decimal_ = true;
      else real_sum_ += value.as_double();
      return;
    }
    if (function_ == "min" || function_ == "max") {
      if (best_.is_null() || (function_ == "min" ? less(value, best_) : less(best_, value))) best_ = value;
    }
  }

  /// The aggregate; decimal averages are divided straight to `scale` (one rounding).
  Value result(int scale) const {
    if (function_ == "count") return std::int64_t{records_};
    if (function_ == "min" || function_ == "max") return best_;
    if (function_ == "sum") {
      if (values_ == 0) return std::int64_t{0};
      return any_decimal_ ? Value(decimal_sum_ + Decimal::from_double(real_sum_, 6)) : Value(real_sum_);
    }
    if (values_ == 0) return {};  // avg of nothing
    if (any_decimal_) {
      Decimal total = decimal_sum_ + Decimal::from_double(real_sum_, 6);
      return Decimal::divide(total, Decimal::from_int(values_), scale);
    }
    return real_sum_ / static_cast<double>(values_);
  }

 private:
  static bool less(const Value& a, const Value& b) {
    if (a.kind() == ValueKind::decimal && b.kind() == ValueKind::decimal) return a.as_decimal() < b.as_decimal();
    if (a.kind() == ValueKind::date && b.kind() == ValueKind::date) return a.as_date().days < b.as_date().days;
    if (a.kind() == ValueKind::datetime && b.kind() == ValueKind::datetime)
      return a.as_datetime().micros < b.as_datetime().micros;
    return a.as_double() < b.as_double();
  }

  const std::string& function_;
  std::int64_t records_ = 0;
  std::int64_t values_ = 0;
  Decimal decimal_sum_ = Decimal::from_int(0);
  double real_sum_ = 0.0;
  bool any_decimal_ = false;
  Value best_;
};

}  // namespace

void RollupRefresher::touch(const std::vector<Value>& row) {
  for (std::size_t f = 0; f < child_.rollup_feeds.size(); ++f) {
    const Value& link = row[static_cast<std::size_t>(child_.rollup_feeds[f].via_column)];
    if (!link.is_null()) parents_[f].insert(link.as_string());
  }
}

namespace {

bool runs_update_rules(const ObjectPlan& plan) {
  return plan.workflow && (plan.workflow->has_rules_for(WorkflowTrigger::on_update) ||
                           plan.workflow->has_rules_for(WorkflowTrigger::on_create_or_update));
}

}  // namespace

void RollupRefresher::refresh(const std::set<std::string>* deleted, Session* workflows) {
  // Parents with update rules are read before and after, once each however many feeds reach them.
  std::map<std::pair<const ObjectPlan*, std::string>, std::vector<Value>> before;
  for (std::size_t f = 0; f < child_.rollup_feeds.size(); ++f) {
    const auto& feed = child_.rollup_feeds[f];
    for (const auto& parent : parents_[f]) {
      if (deleted && deleted->count(parent)) continue;
      const auto key = std::make_pair(feed.parent, parent);
      if (workflows && runs_update_rules(*feed.parent) && !before.count(key))
        if (auto row = load_row(impl_, *feed.parent, parent, tenant_)) before.emplace(key, std::move(*row));
      recompute_rollup(impl_, tenant_, now_, child_, feed, parent);
    }
    parents_[f].clear();
  }
  for (const auto& [key, prior] : before) {
    auto row = load_row(impl_, *key.first, key.second, tenant_);
    if (row && *row != prior) after_write(*workflows, *key.first, WriteEvent::update, &prior, *row);
  }
}

void recompute_rollup(Session::Impl& impl, const std::string& tenant, DateTime now, const ObjectPlan& child,
                      const RollupFeed& feed, const std::string& parent_id) {
  // The children of this parent that pass the filter, through the query engine's SQL (the filter's
  // SQL-expressible parts become SQL, the rest runs in the formula engine).
  SqlBuilder builder(impl, child, tenant, now);
  builder.add_filter(Filter::compare(feed.rollup->via, CompareOp::eq, Value(parent_id)));
  if (feed.filter) builder.add_filter(Filter::formula(feed.rollup->filter));
  auto& statement = impl.db().prepare(
      fmt::format("SELECT {} FROM {} WHERE {}", child.select_list, builder.from_clause(), builder.where()));
  builder.bind_all(statement);
  Aggregator aggregate(feed.rollup->function);
  SlotResolver resolver(impl, tenant, now, SlotResolver::Mode::read);
  std::vector<Value> row;
  while (statement.step()) {
    read_row(statement, child, row);
    if (feed.field_column >= 0) aggregate.add(row[static_cast<std::size_t>(feed.field_column)]);
    else if (feed.field_formula) aggregate.add(resolver.evaluate(child, row, nullptr, *feed.field_formula).value);
    else aggregate.add(Value{});
  }
  statement.reset();

  const FieldDef& target = *feed.target;
  Value stored;
  if (auto failure = coerce_value(target, aggregate.result(target.scale), stored)) {
    throw ValidationError({FieldError{feed.parent->object->name, target.name, "", "rollup",
                                      fmt::format("the {} of {}.{} for {} '{}' does not fit: {}", feed.rollup->function,
                                                  child.object->name, feed.rollup->field, feed.parent->object->name,
                                                  parent_id, failure->message),
                                      -1, parent_id}});
  }
  auto& update = impl.db().prepare(fmt::format("UPDATE {} SET {} = ? WHERE \"id\" = ? AND \"tenant_id\" = ?",
                                               quote(feed.parent->object->name), quote(target.name)));
  bind_value(update, 1, target, stored);
  update.bind_text(2, parent_id);
  update.bind_text(3, tenant);
  update.step();
  update.reset();
}

std::int64_t recompute_rollup_everywhere(Session::Impl& impl, DateTime now, const std::string& parent,
                                         const std::string& field) {
  const ObjectPlan& parent_plan = impl.plan(parent);
  const FieldDef* target = parent_plan.object->find_field(field);
  const ObjectPlan& child = impl.plan(target->rollup->object);
  const auto feed = std::find_if(child.rollup_feeds.begin(), child.rollup_feeds.end(),
                                 [&](const RollupFeed& candidate) { return candidate.target == target; });
  // The ids are read first: the recomputation updates the table being read.
  std::vector<std::pair<std::string, std::string>> records;  // tenant, id
  auto& select = impl.db().prepare(fmt::format("SELECT \"tenant_id\", \"id\" FROM {}", quote(parent)));
  while (select.step()) records.emplace_back(select.column_text(0), select.column_text(1));
  select.reset();
  for (const auto& [tenant, id] : records) recompute_rollup(impl, tenant, now, child, *feed, id);
  return static_cast<std::int64_t>(records.size());
}

}  // namespace hotcrm::detail
