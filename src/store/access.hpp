#pragma once
// Access control inside the engine: the acting user's rights loaded from the security tables, and
// turned into SQL conditions (record visibility), field sets (field-level security) and checks
// (object permissions). A public call of a session in AccessMode::user installs its AccessScope on
// the database (AccessGuard) for the duration of the call; the read path (SqlBuilder, SlotResolver,
// formula compilation) consults it, and writes drop to system once their checks passed, so that
// workflows, roll-ups and validation rules run as system.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hotcrm/store/access.hpp"
#include "store/impl.hpp"

namespace hotcrm::detail {

class SqlBuilder;

/// Creates the security tables (idempotent).
void create_access_tables(Connection& connection);
/// False for a file opened read-only that was never given a security model.
bool access_tables_exist(Session::Impl& impl);
/// Runs `sql` with text parameters, calling on_row for each result row.
void each_row(Session::Impl& impl, const std::string& sql, const std::vector<std::string>& parameters,
              const std::function<void(const Statement&)>& on_row);

/// The user's rights on one object.
struct ObjectAccess {
  ObjectPermissions permissions;
  SharingModel sharing = SharingModel::private_;
  std::set<std::string> hidden;     ///< fields without read
  std::set<std::string> read_only;  ///< readable fields without edit
  struct Rule {
    std::string criteria;
    ShareAccess access;
  };
  std::vector<Rule> rules;  ///< sharing rules of the object that reach this user
  bool has_shares = false;  ///< manual shares exist for the object (else the share term is left out)
  bool hierarchy = true;    ///< grant access using hierarchies: what reaches the user's reports reaches it
  std::vector<const FieldDef*> masters;  ///< master-detail fields: a detail's access is its masters'
};

/// The master-detail fields of `object` (a detail has no sharing of its own).
std::vector<const FieldDef*> master_fields(const ObjectDef& object);
/// UsageError when `object` is a detail: sharing models, rules and shares belong to its master.
void refuse_detail_sharing(const ObjectDef& object, std::string_view what);

class AccessScope {
 public:
  AccessScope(Session::Impl& impl, const SessionContext& context);

  const std::string& user() const noexcept { return user_; }
  const std::string& tenant() const noexcept { return tenant_; }
  const ObjectAccess& object(const ObjectDef& object);
  bool field_hidden(const ObjectDef& object, std::string_view field) { return this->object(object).hidden.count(std::string(field)) > 0; }

  /// The SQL condition over `builder`'s root (alias t0) true for the records the user may read
  /// (or edit); "" when every record of the tenant qualifies. Parameters are added to the builder
  /// in text order; sharing-rule criteria are compiled with the builder in system mode.
  std::string record_condition(SqlBuilder& builder, ShareAccess level);
  /// True when the stored record `id` is visible at `level`.
  bool record_allowed(const ObjectPlan& plan, std::string_view id, ShareAccess level);

  /// PermissionError unless the object permission holds ("create", "read", "edit", "delete").
  void require(const ObjectDef& object, std::string_view action);
  /// NotFoundError when the user cannot read the record; PermissionError when `level` is edit and
  /// the user may read but not edit it (or lacks the edit / delete permission).
  void require_record(const ObjectPlan& plan, std::string_view id, std::string_view action);
  /// For a write of a detail (insert: `creating`, else an update's changes): each master it names
  /// must be one the user may edit (NotFoundError when it cannot read it, PermissionError when it
  /// may only read it), and a detail is never left without its master (PermissionError).
  void require_masters(const ObjectPlan& plan, const Record& values, bool creating);
  /// For a write naming `fields`: a hidden field is an unknown field (ValidationError, so its
  /// existence does not leak), a read-only one a PermissionError.
  void require_writable_fields(const ObjectDef& object, const std::vector<std::string>& fields);

  EffectiveAccess effective(const ObjectDef& object);

 private:
  Session::Impl& impl_;
  std::string user_;
  std::string tenant_;
  std::string role_;
  /// The grantee keys that reach this user, and on objects granting access using hierarchies also
  /// those that reach its reports (besides the users of the roles below, matched in SQL).
  const std::vector<std::string>& principals(const ObjectAccess& access) const {
    return access.hierarchy ? hierarchy_principals_ : principals_;
  }
  /// Whether a sharing rule's grantee reaches this user (or, with `hierarchy`, one of its reports).
  bool reaches(const std::string& grantee, bool hierarchy);

  std::vector<std::string> subordinate_roles_;  ///< strictly below the user's role
  std::vector<std::string> principals_;        ///< grantee keys that reach this user
  std::vector<std::string> hierarchy_principals_;  ///< principals_ plus the roles and groups of its reports
  bool hierarchy_table_ = false;                ///< the file has _hotcrm_sharing_hierarchy
  std::vector<std::string> permission_sets_;
  std::map<std::string, ObjectAccess> objects_;
};

/// The access scope of the public call in progress: installs the session's scope (AccessMode::user,
/// not an administrator) on the database, unless a call is already in progress (a nested call, e.g.
/// a workflow's write inside a user's write, keeps the outer call's scope). Restores on exit.
class AccessGuard {
 public:
  AccessGuard(Session::Impl& impl, const SessionContext& context);
  ~AccessGuard();
  AccessGuard(const AccessGuard&) = delete;
  AccessGuard& operator=(const AccessGuard&) = delete;

  /// The scope to check against; nullptr for a system session or administrator.
  AccessScope* scope() const noexcept { return scope_.get(); }
  const std::shared_ptr<AccessScope>& shared_scope() const noexcept { return scope_; }
  /// Called by writes once their checks passed: the rest of the call runs as system.
  void run_as_system();
  /// PermissionError unless the session bypasses access control (administration calls).
  void require_administrator(std::string_view what) const;

 private:
  Session::Impl& impl_;
  std::shared_ptr<AccessScope> previous_;
  std::shared_ptr<AccessScope> scope_;
  bool outermost_ = false;
  bool user_session_ = false;
};

/// The opening of a public call about one record (fire, assign, approvals, sla): the session's
/// lock, its access scope, the user's `action` access to the record checked ("read" or "edit":
/// NotFoundError / PermissionError), then system for the rest of the call, because what the engine
/// does next (workflows, roll-ups, the approval's own writes) is not the user's to be refused.
class RecordCall {
 public:
  RecordCall(Session::Impl& impl, const SessionContext& context, std::string_view object, std::string_view id,
             std::string_view action)
      : lock_(impl.mutex), guard_(impl, context) {
    if (auto* scope = guard_.scope()) scope->require_record(impl.plan(object), id, action);
    guard_.run_as_system();
  }

 private:
  std::lock_guard<std::recursive_mutex> lock_;
  AccessGuard guard_;
};

/// The current call's scope (nullptr: system).
inline AccessScope* current_access(const Session::Impl& impl) { return impl.access.get(); }

/// Compile options for a formula the user wrote: fields hidden from the user do not resolve.
CompileOptions user_compile_options(const Session::Impl& impl, CompileOptions options = {});

}  // namespace hotcrm::detail
