#pragma once
// Roll-up summary fields: after a write to child records, the roll-ups of the parents they point at
// (before and after the write) are recomputed from the children, inside the same transaction.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "store/impl.hpp"

namespace hotcrm::detail {

class RollupRefresher {
 public:
  RollupRefresher(Session::Impl& impl, const std::string& tenant, DateTime now, const ObjectPlan& child)
      : impl_(impl), tenant_(tenant), now_(now), child_(child), parents_(child.rollup_feeds.size()) {}

  bool active() const noexcept { return !child_.rollup_feeds.empty(); }
  /// Notes the parents a child row (as stored before or after a write) points at.
  void touch(const std::vector<Value>& row);
  /// Recomputes every noted parent's roll-ups, except those of records in `deleted` (gone with
  /// the write); throws ValidationError when a result does not fit its field (e.g. above its max).
  /// With `workflows`, a parent whose roll-ups changed then runs its update workflow rules as an
  /// update from its record before to its record after (Salesforce re-evaluates the master's
  /// rules too): an invoice whose payments now cover it becomes paid.
  void refresh(const std::set<std::string>* deleted = nullptr, Session* workflows = nullptr);

 private:
  Session::Impl& impl_;
  const std::string& tenant_;
  DateTime now_;
  const ObjectPlan& child_;
  std::vector<std::set<std::string>> parents_;  // per feed
};

/// Sets one parent's roll-up `feed` (of `child` records) to its value recomputed from the children.
void recompute_rollup(Session::Impl& impl, const std::string& tenant, DateTime now, const ObjectPlan& child,
                      const RollupFeed& feed, const std::string& parent_id);

/// Recomputes the roll-up `field` of `parent` for every record of every tenant (a migration that
/// adds or changes a roll-up); returns the number of records.
std::int64_t recompute_rollup_everywhere(Session::Impl& impl, DateTime now, const std::string& parent,
                                         const std::string& field);

}  // namespace hotcrm::detail
