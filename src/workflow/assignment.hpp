#pragma once
// Assignment in bulk: what the rows of one import batch share, so that choosing each row's owner
// does not re-read the rules, queues, members, rotations and loads (see assignment.cpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workflow/engine.hpp"

namespace hotcrm::detail {

/// What assignment reads that stays the same for the rows of one bulk import batch: the object's
/// rule records, queues and their eligible members, round-robin cursors (written through on every
/// assignment, so the rotation is persisted as it moves) and members' open-record counts (kept
/// current as the batch's own rows are written: note_inserted). Each batch builds its own, so
/// separate calls see fresh data; rule or member changes made during the batch are not seen.
struct AssignmentCache {
  struct RuleRecord {
    std::string name;
    int column = -1;  ///< the criteria field's column; -1: a field this object lacks (never matches)
    std::string op, value, user, queue;
  };
  struct Member {
    std::string user;
    std::int64_t max_records = 0;  ///< 0: no limit
  };
  struct Queue {
    bool active = false;
    std::string routing;
    std::vector<Member> members;  ///< active members accepting new records, in rotation order
  };
  std::optional<std::vector<RuleRecord>> rule_records;
  std::map<std::string, std::optional<std::string>, std::less<>> queue_ids;  ///< by name; nullopt: none
  std::map<std::string, std::optional<Queue>, std::less<>> queues;           ///< by id; nullopt: none
  std::map<std::string, std::optional<std::string>, std::less<>> cursors;    ///< queue id -> last user
  std::map<std::string, std::int64_t, std::less<>> loads;                    ///< user -> open records
};

/// assign_on_insert for a row of a batch: what it reads comes from (and goes to) `cache`.
void assign_on_insert(Session& session, const ObjectPlan& plan, std::vector<Value>& row, bool owner_given,
                      AssignmentCache& cache);
/// After a row of a batch is written: counts it towards its owner's load when the cache tracks that
/// owner and the row meets the open condition.
void note_inserted(Session& session, const ObjectPlan& plan, AssignmentCache& cache, const std::vector<Value>& row);

}  // namespace hotcrm::detail
