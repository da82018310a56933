// The recycle bin: deleted records are copied aside, restored as stored, purged after retention.
#include "store/recycle_bin.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "store/access.hpp"
#include "store/codec.hpp"
#include "store/field_cipher.hpp"
#include "store/history.hpp"
#include "store/rollups.hpp"
#include "store/rows.hpp"
#include "workflow/engine.hpp"

namespace hotcrm::detail {

namespace {

using Json = nlohmann::json;

/// A stored column as JSON: integers, reals and text as themselves, a BLOB (a sealed value) as
/// {"blob": base64}, so that restore binds exactly what was stored.
Json raw_column(const Statement& statement, int column) {
  switch (statement.column_type(column)) {
    case SQLITE_NULL: return nullptr;
    case SQLITE_INTEGER: return statement.column_int(column);
    case SQLITE_FLOAT: return statement.column_double(column);
    case SQLITE_BLOB: return Json{{"blob", to_base64(statement.column_blob(column))}};
    default: return std::string(statement.column_text(column));
  }
}

void bind_raw(Statement& statement, int index, const Json& value) {
  if (value.is_null()) statement.bind_null(index);
  else if (value.is_number_integer()) statement.bind_int(index, value.get<std::int64_t>());
  else if (value.is_number()) statement.bind_double(index, value.get<double>());
  else if (value.is_object()) statement.bind_blob(index, from_base64(value.at("blob").get<std::string>()));
  else statement.bind_text(index, value.get<std::string>());
}

std::vector<std::string> child_ids(Session::Impl& impl, const std::string& tenant, const ObjectDef& child,
                                   const FieldDef& via, const std::string& parent_id) {
  auto& statement = impl.db().prepare(fmt::format("SELECT \"id\" FROM {} WHERE {} = ? AND \"tenant_id\" = ?",
                                                  quote(child.name), quote(via.name)));
  statement.bind_text(1, parent_id);
  statement.bind_text(2, tenant);
  std::vector<std::string> ids;
  while (statement.step()) ids.emplace_back(statement.column_text(0));
  statement.reset();
  return ids;
}

/// One deleted batch: the root (deleted by the call) and what its delete reached.
class BinWriter {
 public:
  BinWriter(Session::Impl& impl, const std::string& tenant, const ObjectPlan& root, const std::string& root_id,
            DateTime now, const std::string& user)
      : impl_(impl), tenant_(tenant), root_(root), root_id_(root_id), now_(now), user_(user) {}

  void record(const ObjectPlan& plan, const std::string& id) {
    std::string columns;
    Json names = Json::array();
    for (const auto* field : plan.columns) {
      columns += (columns.empty() ? "" : ", ") + quote(field->name);
      names.push_back(field->name);
    }
    auto& select = impl_.db().prepare(fmt::format("SELECT {} FROM {} WHERE \"id\" = ? AND \"tenant_id\" = ?", columns,
                                                  quote(plan.object->name)));
    select.bind_text(1, id);
    select.bind_text(2, tenant_);
    if (!select.step()) {
      select.reset();
      return;
    }
    Json values = Json::array();
    for (int c = 0; c < static_cast<int>(plan.columns.size()); ++c) values.push_back(raw_column(select, c));
    select.reset();
    write("record", plan.object->name, id, Json{{"columns", std::move(names)}, {"values", std::move(values)}});
  }

  void relink(const ObjectDef& child, const std::string& id, const FieldDef& via, const std::string& parent_id) {
    write("relink", child.name, id, Json{{"field", via.name}, {"value", parent_id}});
  }

 private:
  void write(const char* kind, const std::string& object, const std::string& id, const Json& data) {
    auto& insert = impl_.db().prepare(
        "INSERT INTO _hotcrm_recycle_bin (tenant_id, root_object, root_id, kind, object, record_id, data, deleted_at, "
        "deleted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind_text(1, tenant_);
    insert.bind_text(2, root_.object->name);
    insert.bind_text(3, root_id_);
    insert.bind_text(4, kind);
    insert.bind_text(5, object);
    insert.bind_text(6, id);
    insert.bind_text(7, data.dump());
    insert.bind_int(8, now_.micros);
    insert.bind_text(9, user_);
    insert.step();
    insert.reset();
  }

  Session::Impl& impl_;
  const std::string& tenant_;
  const ObjectPlan& root_;
  const std::string& root_id_;
  DateTime now_;
  const std::string& user_;
};

struct BinRow {
  std::string kind;
  std::string object;
  std::string id;
  Json data;
};

[[noreturn]] void refuse_restore(sqlite3* db, const std::string& object, const std::string& id) {
  const int code = sqlite3_extended_errcode(db);
  const std::string message = sqlite3_errmsg(db);
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
    throw ConflictError(fmt::format("cannot restore {} '{}': another record now holds one of its unique values ({})",
                                    object, id, message));
  throw Error(ErrorCode::constraint,
              fmt::format("cannot restore {} '{}': a record it refers to is gone (restore that one first; {})", object,
                          id, message));
}

/// The bin entry of a deleted record: the record whose delete took it, and who deleted it.
struct BinEntry {
  std::string root_object;
  std::string root_id;
  std::string deleted_by;
};

std::optional<BinEntry> find_bin_entry(Session::Impl& impl, const std::string& tenant, std::string_view object,
                                       std::string_view id) {
  auto& find = impl.db().prepare(
      "SELECT root_object, root_id, deleted_by FROM _hotcrm_recycle_bin WHERE tenant_id = ? AND object = ? AND "
      "record_id = ? AND kind = 'record' ORDER BY seq DESC LIMIT 1");
  find.bind_text(1, tenant);
  find.bind_text(2, object);
  find.bind_text(3, id);
  std::optional<BinEntry> entry;
  if (find.step())
    entry = BinEntry{std::string(find.column_text(0)), std::string(find.column_text(1)), std::string(find.column_text(2))};
  find.reset();
  return entry;
}

/// The rows one delete put in the bin, in the order it wrote them (parents before children).
std::vector<BinRow> load_bin_batch(Session::Impl& impl, const std::string& tenant, const std::string& root_object,
                                   const std::string& root_id) {
  std::vector<BinRow> rows;
  auto& batch = impl.db().prepare(
      "SELECT kind, object, record_id, data FROM _hotcrm_recycle_bin WHERE tenant_id = ? AND root_object = ? AND "
      "root_id = ? ORDER BY seq");
  batch.bind_text(1, tenant);
  batch.bind_text(2, root_object);
  batch.bind_text(3, root_id);
  while (batch.step())
    rows.push_back({std::string(batch.column_text(0)), std::string(batch.column_text(1)),
                    std::string(batch.column_text(2)), nlohmann::json::parse(batch.column_text(3))});
  batch.reset();
  return rows;
}

void drop_bin_batch(Session::Impl& impl, const std::string& tenant, const std::string& root_object,
                    const std::string& root_id) {
  auto& drop = impl.db().prepare("DELETE FROM _hotcrm_recycle_bin WHERE tenant_id = ? AND root_object = ? AND root_id = ?");
  drop.bind_text(1, tenant);
  drop.bind_text(2, root_object);
  drop.bind_text(3, root_id);
  drop.step();
  drop.reset();
}

/// Puts bin rows back: records as stored (the columns that still exist), cleared references
/// re-linked when still empty; then the roll-ups of the parents they feed.
class BinRestorer {
 public:
  BinRestorer(Session::Impl& impl, const std::string& tenant, DateTime now) : impl_(impl), tenant_(tenant), now_(now) {}

  void put_back(const BinRow& row) {
    const auto* definition = impl_.catalog.find(row.object);
    if (definition == nullptr) return;  // the object left the catalog since
    const auto& plan = impl_.plan(row.object);
    if (row.kind == "relink" ? relink(*definition, row) : insert(plan, row)) touched_.emplace_back(&plan, row.id);
  }

  void refresh_rollups() {
    std::map<const ObjectPlan*, RollupRefresher> refreshers;
    for (const auto& [plan, record_id] : touched_) {
      if (plan->rollup_feeds.empty()) continue;
      auto stored = load_row(impl_, *plan, record_id, tenant_);
      if (stored) refreshers.try_emplace(plan, impl_, tenant_, now_, *plan).first->second.touch(*stored);
    }
    for (auto& [plan, refresher] : refreshers) refresher.refresh();
  }

  std::int64_t restored() const noexcept { return restored_; }

 private:
  /// False when the field left the catalog since.
  bool relink(const ObjectDef& definition, const BinRow& row) {
    const auto* field = definition.find_field(row.data.at("field").get<std::string>());
    if (field == nullptr) return false;
    auto& statement = impl_.db().prepare(fmt::format(
        "UPDATE {0} SET {1} = ?, \"version\" = \"version\" + 1 WHERE \"id\" = ? AND \"tenant_id\" = ? AND {1} IS NULL",
        quote(row.object), quote(field->name)));
    statement.bind_text(1, row.data.at("value").get<std::string>());
    statement.bind_text(2, row.id);
    statement.bind_text(3, tenant_);
    statement.step();
    statement.reset();
    return true;
  }

  bool insert(const ObjectPlan& plan, const BinRow& row) {
    // Columns that still exist, by name: a migration since the delete added or dropped some.
    const auto& names = row.data.at("columns");
    const auto& values = row.data.at("values");
    std::string columns, marks;
    std::vector<const Json*> bound;
    for (std::size_t c = 0; c < names.size(); ++c) {
      if (!plan.column_index.contains(names[c].get<std::string>())) continue;
      columns += (columns.empty() ? "" : ", ") + quote(names[c].get<std::string>());
      marks += marks.empty() ? "?" : ", ?";
      bound.push_back(&values[c]);
    }
    auto& connection = impl_.db();
    auto& statement = connection.prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", quote(row.object), columns, marks));
    for (std::size_t b = 0; b < bound.size(); ++b) bind_raw(statement, static_cast<int>(b) + 1, *bound[b]);
    if (statement.step_allow_constraint() != SQLITE_DONE) {
      statement.reset();
      refuse_restore(connection.handle(), row.object, row.id);
    }
    statement.reset();
    ++restored_;
    return true;
  }

  Session::Impl& impl_;
  const std::string& tenant_;
  DateTime now_;
  std::vector<std::pair<const ObjectPlan*, std::string>> touched_;
  std::int64_t restored_ = 0;
};

}  // namespace

void create_recycle_bin_table(Connection& connection) {
  connection.exec(
      "CREATE TABLE IF NOT EXISTS _hotcrm_recycle_bin (seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, "
      "root_object TEXT NOT NULL, root_id TEXT NOT NULL, kind TEXT NOT NULL, object TEXT NOT NULL, "
      "record_id TEXT NOT NULL, data TEXT NOT NULL, deleted_at INTEGER NOT NULL, deleted_by TEXT NOT NULL) STRICT;"
      "CREATE INDEX IF NOT EXISTS _hotcrm_recycle_bin_record ON _hotcrm_recycle_bin (tenant_id, record_id);"
      "CREATE INDEX IF NOT EXISTS _hotcrm_recycle_bin_root ON _hotcrm_recycle_bin (tenant_id, root_id);"
      "CREATE INDEX IF NOT EXISTS _hotcrm_recycle_bin_age ON _hotcrm_recycle_bin (tenant_id, deleted_at)");
}

void capture_deletion(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, const std::string& id,
                      DateTime now, const std::string& user) {
  BinWriter bin(impl, tenant, plan, id, now, user);
  std::set<std::string> deleted{id};
  std::vector<std::tuple<const ObjectDef*, std::string, const FieldDef*, std::string>> detached;
  // Parents before children, as restore inserts them (their lookups must find the parent).
  std::deque<std::pair<const ObjectPlan*, std::string>> pending{{&plan, id}};
  while (!pending.empty()) {
    auto [parent, parent_id] = std::move(pending.front());
    pending.pop_front();
    bin.record(*parent, parent_id);
    for (const auto& [child, field] : parent->referrers) {
      if (field->on_delete == DeleteBehavior::cascade) {
        for (auto& child_id : child_ids(impl, tenant, *child, *field, parent_id))
          if (deleted.insert(child_id).second) pending.emplace_back(&impl.plan(child->name), std::move(child_id));
      } else if (field->on_delete == DeleteBehavior::set_null) {
        for (auto& child_id : child_ids(impl, tenant, *child, *field, parent_id))
          detached.emplace_back(child, std::move(child_id), field, parent_id);
      }
    }
  }
  for (const auto& [child, child_id, field, parent_id] : detached)
    if (!deleted.contains(child_id)) bin.relink(*child, child_id, *field, parent_id);
}

void forget_deleted(Session::Impl& impl, const std::string& tenant, const std::vector<std::string>& ids) {
  auto& statement = impl.db().prepare("DELETE FROM _hotcrm_recycle_bin WHERE tenant_id = ? AND record_id = ?");
  for (const auto& id : ids) {
    statement.bind_text(1, tenant);
    statement.bind_text(2, id);
    statement.step();
    statement.reset();
  }
}

/// Whether a user may see, and restore, a record in the recycle bin: the one who deleted it, or a
/// user with modify all (restore) / view all (list) on its object. Restoring also needs the delete
/// permission, as in the platforms this engine follows: undeleting is the inverse of deleting.
bool bin_entry_visible(AccessScope& scope, const ObjectDef& object, std::string_view deleted_by, bool to_restore) {
  const auto& permissions = scope.object(object).permissions;
  if (!permissions.read) return false;
  if (deleted_by == scope.user()) return true;
  return to_restore ? permissions.modify_all : (permissions.view_all || permissions.modify_all);
}

/// A detail comes back only under a master the user may edit now, as creating it would need.
void require_restored_masters(AccessScope& scope, const ObjectPlan& plan, const std::vector<BinRow>& batch,
                              std::string_view id) {
  if (master_fields(*plan.object).empty()) return;
  for (const auto& row : batch) {
    if (row.kind != "record" || row.object != plan.object->name || row.id != id) continue;
    Record masters;
    const auto& names = row.data.at("columns");
    const auto& values = row.data.at("values");
    for (const FieldDef* master : master_fields(*plan.object))
      for (std::size_t c = 0; c < names.size(); ++c)
        if (names[c] == master->name)
          masters.emplace(master->name, values[c].is_string() ? Value(values[c].get<std::string>()) : Value());
    scope.require_masters(plan, masters, true);
  }
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

std::int64_t Session::restore(std::string_view object, std::string_view id) {
  std::lock_guard lock(impl_->mutex);
  impl_->require_writable();
  const ObjectDef& definition = *impl_->plan(object).object;  // SchemaError for an unknown object
  detail::AccessGuard guard(*impl_, context_);
  if (auto* scope = guard.scope()) scope->require(definition, "delete");
  detail::ActingUser actor(*impl_, context_.user);
  detail::PinnedClock clock(*impl_);
  detail::Transaction transaction(impl_->db());
  const auto entry = detail::find_bin_entry(*impl_, context_.tenant, object, id);
  if (!entry || (guard.scope() && !detail::bin_entry_visible(*guard.scope(), definition, entry->deleted_by, true)))
    throw NotFoundError(ErrorCode::not_found, fmt::format("no deleted {} '{}' in the recycle bin", object, id));
  if (entry->root_object != object || entry->root_id != id)
    throw UsageError(ErrorCode::usage, fmt::format("{} '{}' was deleted with {} '{}': restore that record", object, id,
                                                   entry->root_object, entry->root_id));
  const auto batch = detail::load_bin_batch(*impl_, context_.tenant, entry->root_object, entry->root_id);
  if (auto* scope = guard.scope()) detail::require_restored_masters(*scope, impl_->plan(object), batch, id);
  guard.run_as_system();  // the cascade's children and roll-ups come back whole, as the delete took them
  detail::BinRestorer restorer(*impl_, context_.tenant, clock.now());
  for (const auto& row : batch) restorer.put_back(row);
  restorer.refresh_rollups();
  detail::drop_bin_batch(*impl_, context_.tenant, entry->root_object, entry->root_id);
  transaction.commit();
  return restorer.restored();
}

std::vector<DeletedRecord> Session::recycle_bin(std::string_view object) {
  std::lock_guard lock(impl_->mutex);
  if (!object.empty()) (void)impl_->plan(object);
  detail::AccessGuard guard(*impl_, context_);
  auto& connection = impl_->db();
  auto& exists = connection.prepare("SELECT 1 FROM sqlite_master WHERE name = '_hotcrm_recycle_bin'");
  const bool present = exists.step();
  exists.reset();
  std::vector<DeletedRecord> records;
  if (!present) return records;  // a read-only open of a file from before the bin
  auto& statement = connection.prepare(
      "SELECT object, record_id, deleted_at, deleted_by, root_object, root_id FROM _hotcrm_recycle_bin "
      "WHERE tenant_id = ? AND kind = 'record' AND (? = '' OR object = ?) ORDER BY seq DESC");
  const std::string name(object);  // an empty view may have no data: bound as NULL, not ''
  statement.bind_text(1, context_.tenant);
  statement.bind_text(2, name);
  statement.bind_text(3, name);
  while (statement.step()) {
    DeletedRecord record;
    record.object = statement.column_text(0);
    record.id = statement.column_text(1);
    record.deleted_at = DateTime{statement.column_int(2)};
    record.deleted_by = statement.column_text(3);
    if (auto* scope = guard.scope()) {
      const ObjectDef* definition = impl_->catalog.find(record.object);
      if (definition == nullptr || !detail::bin_entry_visible(*scope, *definition, record.deleted_by, false)) continue;
    }
    if (statement.column_text(4) != record.object || statement.column_text(5) != record.id) {
      record.deleted_with_object = statement.column_text(4);
      record.deleted_with_id = statement.column_text(5);
    }
    records.push_back(std::move(record));
  }
  statement.reset();
  return records;
}

std::int64_t Session::purge(DateTime now, std::chrono::microseconds retention) {
  std::lock_guard lock(impl_->mutex);
  impl_->require_writable();
  detail::AccessGuard(*impl_, context_).require_administrator("purge the recycle bin");
  if (retention.count() < 0) throw UsageError(ErrorCode::usage, "purge: the retention cannot be negative");
  detail::Transaction transaction(impl_->db());
  auto& statement = impl_->db().prepare(
      "DELETE FROM _hotcrm_recycle_bin WHERE tenant_id = ? AND deleted_at < ? RETURNING kind = 'record'");
  statement.bind_text(1, context_.tenant);
  statement.bind_int(2, now.micros - retention.count());
  std::int64_t purged = 0;
  while (statement.step()) purged += statement.column_int(0);
  statement.reset();
  transaction.commit();
  return purged;
}

}  // namespace v0
}  // namespace hotcrm
