#pragma once
// The recycle bin (docs/store.md, "Recycle bin"): a delete copies the record, and every record its
// cascade deletes, into _hotcrm_recycle_bin before SQLite removes them, and notes the references
// its set_null behaviours clear. The records really leave their tables, so no read path (get,
// query, aggregates, roll-ups, unique checks, lookups, features) needs a "deleted" condition;
// restore puts the stored rows back as they were.
#include <string>

#include "store/impl.hpp"

namespace hotcrm::detail {

/// Creates _hotcrm_recycle_bin when missing (writable opens).
void create_recycle_bin_table(Connection& connection);
/// Copies record `id` of `plan` and its cascade into the bin, in the delete's transaction (before
/// the DELETE). Stored values are copied as stored: encrypted ones stay sealed.
void capture_deletion(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, const std::string& id,
                      DateTime now, const std::string& user);
/// Drops the bin entries of these records (erase_person: the bin must not keep what was erased).
void forget_deleted(Session::Impl& impl, const std::string& tenant, const std::vector<std::string>& ids);

}  // namespace hotcrm::detail
