#pragma once
// Private state of a Database shared by its sessions.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hotcrm/formula/formula.hpp"
#include "hotcrm/store/database.hpp"
#include "store/sqlite.hpp"

namespace hotcrm::detail {

/// Hashes std::string and std::string_view alike, so that maps keyed by names can be searched with a
/// view (no string built per lookup on per-row paths).
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const noexcept { return std::hash<std::string_view>{}(name); }
};

class AccessScope;
struct HistoryState;
struct TenantDirectory;
struct ObjectPlan;
struct WorkflowPlan;
struct WorkflowRuntime;
struct RowScoringCache;

/// A roll-up this object feeds: the parent field to keep equal to an aggregate of this object's records.
struct RollupFeed {
  const ObjectPlan* parent = nullptr;
  const FieldDef* target = nullptr;       ///< the roll-up field of the parent
  const Rollup* rollup = nullptr;
  int via_column = -1;                    ///< this object's lookup to the parent, in columns
  int field_column = -1;                  ///< the aggregated stored field; -1 for count or a formula field
  const Formula* field_formula = nullptr; ///< the aggregated formula field
  std::optional<Formula> filter;
};

/// Per-object SQL compiled once from the catalog: the column list and the prepared-statement texts.
struct ObjectPlan {
  const ObjectDef* object = nullptr;
  std::vector<const FieldDef*> columns;              ///< system fields, then stored own fields
  std::unordered_map<std::string, int, NameHash, std::equal_to<>> column_index; ///< field name -> position in columns
  std::string insert_sql;
  std::string select_by_id_sql;
  std::string select_list;                           ///< "t0.\"id\", t0.\"created_at\", ..."
  /// Children that point at this object: (child object, lookup field).
  std::vector<std::pair<const ObjectDef*, const FieldDef*>> referrers;
  /// Active validation rules, compiled once when the database opens.
  std::vector<std::pair<const ValidationRule*, Formula>> rules;
  /// Formula fields, compiled once: computed on read, never stored.
  std::vector<std::pair<const FieldDef*, Formula>> formula_fields;
  /// Fields whose default is a formula, in field order (a later one may read an earlier one).
  std::vector<std::pair<const FieldDef*, Formula>> default_formulas;
  /// Roll-ups of parents that this object's records feed.
  std::vector<RollupFeed> rollup_feeds;
  /// For each formula compiled for this object (keyed by its program): per input slot, the column
  /// that a plain field reference reads, or -1 for paths through lookups and formula fields. Filled
  /// once with the plan, so evaluating a rule per row reads its inputs without looking names up.
  std::unordered_map<const void*, std::vector<int>> slot_columns;
  /// Workflow rules, state machine and schedules, compiled once (src/workflow).
  std::shared_ptr<const WorkflowPlan> workflow;
  /// Deleting a record of this object reaches, through SQLite's cascades and set_nulls, records
  /// whose roll-ups or workflows the engine must follow up (see records.cpp, DeleteFallout).
  bool cascade_follow_up = false;

  /// True when this object's records feed roll-ups through a lookup other than `via`: deleting or
  /// detaching a record from its `via` parent changes those other parents' roll-ups.
  bool feeds_besides(const FieldDef& via) const noexcept {
    for (const auto& feed : rollup_feeds)
      if (feed.rollup->via != via.name) return true;
    return false;
  }
  /// True when the engine has work for a record of this object that a cascade through `via`
  /// deletes: its on_delete workflow rules (and timer cancellation), or roll-ups of other parents.
  bool acts_when_cascaded(const FieldDef& via) const noexcept { return workflow != nullptr || feeds_besides(via); }
};

/// Record ids, 17 characters of lowercase Crockford base32: 10 for the creation time in
/// milliseconds, then 7 for a sequence that starts at a random (or seeded) point and counts up.
/// Ids made later sort later, so the primary-key index grows at its right edge instead of taking
/// random page writes (ULID's idea); a fixed seed and clock replay the same ids.
class IdGenerator {
 public:
  explicit IdGenerator(std::uint64_t seed);
  std::string next(DateTime now);

 private:
  std::uint64_t sequence_;
  std::int64_t last_millis_ = 0;
};

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

struct Session::Impl {
  std::filesystem::path path;
  /// Field history (src/store/history.cpp): read by SQL functions of the connection, so declared
  /// before it and destroyed after it. Null when opened read-only.
  std::shared_ptr<detail::HistoryState> history;
  std::unique_ptr<detail::Connection> connection;
  Catalog catalog;
  Clock clock;
  detail::IdGenerator ids{1};
  MigrationReport migration;
  bool read_only = false;
  int busy_timeout_ms = 5000;  ///< OpenOptions::busy_timeout_ms, also for the connections backup opens
  std::unordered_map<std::string, detail::ObjectPlan> plans;
  std::recursive_mutex mutex;  // serialises calls from several threads (Python releases the GIL)
  std::shared_ptr<detail::WorkflowRuntime> workflow_runtime;
  std::shared_ptr<detail::RowScoringCache> row_scoring;  // compiled models of the score action (src/scoring)
  /// The access scope of the public call in progress (src/store/access.cpp); null: system.
  std::shared_ptr<detail::AccessScope> access;
  int access_calls = 0;  ///< public calls in progress (nested calls keep the outermost's scope)
  /// The tenant directory this file belongs to (StoreLayout::tenant_files), for what its tenants
  /// share (registered actions). Weak: the directory owns its files' states.
  std::weak_ptr<detail::TenantDirectory> directory;
  /// Why a state without connection cannot be used (a read-only tenant directory's missing file);
  /// empty: "the database is closed".
  std::string unavailable;

  detail::Connection& db();
  const detail::ObjectPlan& plan(std::string_view object) const;
  void build_plans();
  void compile_formulas();
  void mark_cascade_follow_ups();
  /// Throws UsageError when the database is opened read-only (before any write).
  void require_writable() const;
  /// The clock, or the time pinned for the write (and its workflows) in progress.
  DateTime now();
};

}  // namespace v0
}  // namespace hotcrm

namespace hotcrm {
inline namespace v0 {

/// The library's own access to a Session's state (kept out of the public header).
struct SessionInternals {
  static Session::Impl& impl(const Session& session) { return *session.impl_; }
  static const SessionContext& context(const Session& session) { return session.context_; }
  static Session make(std::shared_ptr<Session::Impl> impl, SessionContext context) {
    return Session(std::move(impl), std::move(context));
  }
};

}  // namespace v0
}  // namespace hotcrm

namespace hotcrm::detail {
using SessionAccess = SessionInternals;

/// Opens (creates, migrates) one database file: Database::open of the single-file layout, and of
/// each file of a tenant directory. `tenant` is the tenant the file serves (mixed into a fixed id seed
/// when the file is one of a directory's).
std::shared_ptr<Session::Impl> open_store_file(const std::filesystem::path& path, const OpenOptions& options,
                                               std::string_view seed_tenant = {});
/// Closes a file's connection; later calls through any session of it throw UsageError.
void close_store_file(Session::Impl& impl);
}  // namespace hotcrm::detail
