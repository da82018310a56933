// Access control: the security tables, the administration calls that change them, and the acting
// user's scope (object permissions, field-level security, record visibility as SQL).
#include "store/access.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "store/codec.hpp"
#include "store/rows.hpp"
#include "store/sql_builder.hpp"

namespace hotcrm {
inline namespace v0 {

std::string_view to_string(SharingModel model) noexcept {
  switch (model) {
    case SharingModel::private_: return "private";
    case SharingModel::public_read: return "public_read";
    case SharingModel::public_read_write: return "public_read_write";
  }
  return "private";
}

SharingModel sharing_model_from_string(std::string_view text) {
  if (text == "private") return SharingModel::private_;
  if (text == "public_read") return SharingModel::public_read;
  if (text == "public_read_write") return SharingModel::public_read_write;
  throw UsageError(ErrorCode::usage,
                   fmt::format("unknown sharing model '{}': expected private, public_read or public_read_write", text));
}

std::string_view to_string(ShareAccess access) noexcept { return access == ShareAccess::edit ? "edit" : "read"; }

ShareAccess share_access_from_string(std::string_view text) {
  if (text == "read") return ShareAccess::read;
  if (text == "edit") return ShareAccess::edit;
  throw UsageError(ErrorCode::usage, fmt::format("unknown share access '{}': expected read or edit", text));
}

namespace {
constexpr std::pair<Grantee::Kind, std::string_view> kGranteeKinds[] = {
    {Grantee::Kind::user, "user"},
    {Grantee::Kind::role, "role"},
    {Grantee::Kind::role_and_subordinates, "role_and_subordinates"},
    {Grantee::Kind::group, "group"},
};
}  // namespace

std::string Grantee::to_string() const {
  for (const auto& [kind_, text] : kGranteeKinds)
    if (kind_ == kind) return std::string(text) + ":" + name;
  return "user:" + name;
}

Grantee Grantee::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && colon + 1 < text.size()) {
    for (const auto& [kind, prefix] : kGranteeKinds)
      if (text.substr(0, colon) == prefix) return {kind, std::string(text.substr(colon + 1))};
  }
  throw UsageError(ErrorCode::usage, fmt::format("grantee '{}': expected user:NAME, role:NAME, "
                                                 "role_and_subordinates:NAME or group:NAME", text));
}

}  // namespace v0
}  // namespace hotcrm

namespace hotcrm::detail {

void create_access_tables(Connection& connection) {
  connection.exec(
      "CREATE TABLE IF NOT EXISTS _hotcrm_role (tenant_id TEXT NOT NULL, name TEXT NOT NULL, parent TEXT, "
      "PRIMARY KEY (tenant_id, name)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_user (tenant_id TEXT NOT NULL, user_name TEXT NOT NULL, role TEXT, "
      "administrator INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, user_name)) STRICT, WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS _hotcrm_user_by_role ON _hotcrm_user (tenant_id, role, user_name);"
      "CREATE TABLE IF NOT EXISTS _hotcrm_group_member (tenant_id TEXT NOT NULL, group_name TEXT NOT NULL, "
      "user_name TEXT NOT NULL, PRIMARY KEY (tenant_id, user_name, group_name)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_permission_assignment (tenant_id TEXT NOT NULL, user_name TEXT NOT NULL, "
      "permission_set TEXT NOT NULL, PRIMARY KEY (tenant_id, user_name, permission_set)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_object_permission (tenant_id TEXT NOT NULL, permission_set TEXT NOT NULL, "
      "object TEXT NOT NULL, can_create INTEGER NOT NULL, can_read INTEGER NOT NULL, can_edit INTEGER NOT NULL, "
      "can_delete INTEGER NOT NULL, view_all INTEGER NOT NULL, modify_all INTEGER NOT NULL, "
      "PRIMARY KEY (tenant_id, object, permission_set)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_field_permission (tenant_id TEXT NOT NULL, permission_set TEXT NOT NULL, "
      "object TEXT NOT NULL, field TEXT NOT NULL, can_read INTEGER NOT NULL, can_edit INTEGER NOT NULL, "
      "PRIMARY KEY (tenant_id, object, field, permission_set)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_sharing_model (tenant_id TEXT NOT NULL, object TEXT NOT NULL, "
      "model TEXT NOT NULL, PRIMARY KEY (tenant_id, object)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_sharing_rule (tenant_id TEXT NOT NULL, object TEXT NOT NULL, "
      "name TEXT NOT NULL, criteria TEXT NOT NULL, grantee TEXT NOT NULL, access TEXT NOT NULL, "
      "PRIMARY KEY (tenant_id, object, name)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_share (tenant_id TEXT NOT NULL, object TEXT NOT NULL, "
      "record_id TEXT NOT NULL, grantee TEXT NOT NULL, access TEXT NOT NULL, "
      "PRIMARY KEY (tenant_id, object, record_id, grantee)) STRICT, WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS _hotcrm_share_by_grantee ON _hotcrm_share (tenant_id, object, grantee, record_id);"
      // A table of its own (not a column of _hotcrm_sharing_model): files from before it need no migration.
      "CREATE TABLE IF NOT EXISTS _hotcrm_sharing_hierarchy (tenant_id TEXT NOT NULL, object TEXT NOT NULL, "
      "enabled INTEGER NOT NULL, PRIMARY KEY (tenant_id, object)) STRICT, WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS _hotcrm_group_hierarchy (tenant_id TEXT NOT NULL, group_name TEXT NOT NULL, "
      "enabled INTEGER NOT NULL, PRIMARY KEY (tenant_id, group_name)) STRICT, WITHOUT ROWID;");
}

namespace {
bool table_exists(Session::Impl& impl, const std::string& name) {
  bool found = false;
  each_row(impl, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {name},
           [&](const Statement&) { found = true; });
  return found;
}
}  // namespace

bool access_tables_exist(Session::Impl& impl) { return table_exists(impl, "_hotcrm_user"); }

std::vector<const FieldDef*> master_fields(const ObjectDef& object) {
  std::vector<const FieldDef*> out;
  for (const auto& field : object.fields)
    if (field.type == FieldType::master_detail) out.push_back(&field);
  return out;
}

void refuse_detail_sharing(const ObjectDef& object, std::string_view what) {
  const auto masters = master_fields(object);
  if (masters.empty()) return;
  const FieldDef& master = *masters.front();
  throw UsageError(ErrorCode::usage,
                   fmt::format("cannot {} on {}: it is a detail of {} (master-detail field {}), so a {} is readable "
                               "and editable exactly when its {} is; configure the sharing of {} instead",
                               what, object.name, master.reference, master.name, object.name, master.reference,
                               master.reference));
}

void each_row(Session::Impl& impl, const std::string& sql, const std::vector<std::string>& parameters,
              const std::function<void(const Statement&)>& on_row) {
  auto& statement = impl.db().prepare(sql);
  for (std::size_t i = 0; i < parameters.size(); ++i) statement.bind_text(static_cast<int>(i + 1), parameters[i]);
  try {
    while (statement.step()) on_row(statement);
  } catch (...) {
    statement.reset();
    throw;
  }
  statement.reset();
}

namespace {

std::string placeholders(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out;
}

[[noreturn]] void denied(const std::string& message) { throw PermissionError(message); }

}  // namespace

AccessScope::AccessScope(Session::Impl& impl, const SessionContext& context)
    : impl_(impl), user_(context.user), tenant_(context.tenant) {
  principals_.push_back(Grantee::user(user_).to_string());
  hierarchy_principals_ = principals_;
  if (!access_tables_exist(impl_)) return;  // a read-only file never given a security model: no rights
  each_row(impl_, "SELECT role FROM _hotcrm_user WHERE tenant_id = ? AND user_name = ?", {tenant_, user_},
           [&](const Statement& row) {
             if (!row.column_is_null(0)) role_ = std::string(row.column_text(0));
           });
  if (!role_.empty()) {
    std::map<std::string, std::string> parent_of;
    std::multimap<std::string, std::string> children_of;
    each_row(impl_, "SELECT name, parent FROM _hotcrm_role WHERE tenant_id = ?", {tenant_}, [&](const Statement& row) {
      std::string name(row.column_text(0));
      std::string parent = row.column_is_null(1) ? std::string() : std::string(row.column_text(1));
      parent_of[name] = parent;
      if (!parent.empty()) children_of.emplace(parent, name);
    });
    principals_.push_back(Grantee::role(role_).to_string());
    // A rule or share for "X and subordinates" reaches this user when X is the role or above it.
    std::set<std::string> seen;
    for (std::string up = role_; !up.empty() && seen.insert(up).second; up = parent_of[up])
      principals_.push_back(Grantee::role_and_subordinates(up).to_string());
    std::vector<std::string> pending{role_};
    std::set<std::string> below;
    while (!pending.empty()) {
      std::string role = std::move(pending.back());
      pending.pop_back();
      auto [first, last] = children_of.equal_range(role);
      for (auto it = first; it != last; ++it)
        if (it->second != role_ && below.insert(it->second).second) pending.push_back(it->second);
    }
    subordinate_roles_.assign(below.begin(), below.end());
  }
  hierarchy_principals_ = principals_;
  each_row(impl_, "SELECT group_name FROM _hotcrm_group_member WHERE tenant_id = ? AND user_name = ?", {tenant_, user_},
           [&](const Statement& row) {
             principals_.push_back(Grantee::group(std::string(row.column_text(0))).to_string());
             hierarchy_principals_.push_back(principals_.back());
           });
  if (!subordinate_roles_.empty()) {
    // What reaches a report reaches its managers (grant access using hierarchies): the roles below,
    // with or without their subordinates, and the groups a report belongs to. Shares to the
    // reports themselves are matched in SQL (there may be thousands of them).
    for (const auto& role : subordinate_roles_) {
      hierarchy_principals_.push_back(Grantee::role(role).to_string());
      hierarchy_principals_.push_back(Grantee::role_and_subordinates(role).to_string());
    }
    // A group whose own switch is off (set_group_hierarchy) reaches its members only. (Files from
    // before that switch have no table for it: every group reaches up.)
    const std::string switched_off =
        table_exists(impl_, "_hotcrm_group_hierarchy")
            ? " AND NOT EXISTS (SELECT 1 FROM _hotcrm_group_hierarchy AS h WHERE h.tenant_id = g.tenant_id "
              "AND h.group_name = g.group_name AND h.enabled = 0)"
            : "";
    std::vector<std::string> parameters{tenant_};
    parameters.insert(parameters.end(), subordinate_roles_.begin(), subordinate_roles_.end());
    each_row(impl_,
             fmt::format("SELECT DISTINCT g.group_name FROM _hotcrm_group_member AS g JOIN _hotcrm_user AS u "
                         "ON u.tenant_id = g.tenant_id AND u.user_name = g.user_name WHERE g.tenant_id = ? AND u.role IN ({}){}",
                         placeholders(subordinate_roles_.size()), switched_off),
             parameters, [&](const Statement& row) {
               auto group = Grantee::group(std::string(row.column_text(0))).to_string();
               if (std::find(principals_.begin(), principals_.end(), group) == principals_.end())
                 hierarchy_principals_.push_back(std::move(group));
             });
  }
  hierarchy_table_ = table_exists(impl_, "_hotcrm_sharing_hierarchy");
  each_row(impl_, "SELECT permission_set FROM _hotcrm_permission_assignment WHERE tenant_id = ? AND user_name = ?",
           {tenant_, user_}, [&](const Statement& row) { permission_sets_.emplace_back(row.column_text(0)); });
}

const ObjectAccess& AccessScope::object(const ObjectDef& object) {
  auto found = objects_.find(object.name);
  if (found != objects_.end()) return found->second;
  ObjectAccess& access = objects_[object.name];
  if (!access_tables_exist(impl_)) return access;
  const std::set<std::string> mine(permission_sets_.begin(), permission_sets_.end());
  auto& p = access.permissions;
  each_row(impl_,
           "SELECT permission_set, can_create, can_read, can_edit, can_delete, view_all, modify_all "
           "FROM _hotcrm_object_permission WHERE tenant_id = ? AND object = ?",
           {tenant_, object.name}, [&](const Statement& row) {
             if (!mine.count(std::string(row.column_text(0)))) return;
             p.create |= row.column_int(1) != 0;
             p.read |= row.column_int(2) != 0;
             p.edit |= row.column_int(3) != 0;
             p.remove |= row.column_int(4) != 0;
             p.view_all |= row.column_int(5) != 0;
             p.modify_all |= row.column_int(6) != 0;
           });
  p.view_all |= p.modify_all;
  p.edit |= p.modify_all;
  p.remove |= p.modify_all;
  p.read |= p.edit || p.remove || p.view_all;
  // Field-level security: only the fields some permission set of the tenant mentions are controlled.
  std::map<std::string, std::pair<bool, bool>> controlled;  // field -> (read, edit) granted to this user
  each_row(impl_,
           "SELECT field, permission_set, can_read, can_edit FROM _hotcrm_field_permission "
           "WHERE tenant_id = ? AND object = ?",
           {tenant_, object.name}, [&](const Statement& row) {
             auto& grant = controlled[std::string(row.column_text(0))];
             if (!mine.count(std::string(row.column_text(1)))) return;
             const bool edit = row.column_int(3) != 0;
             grant.first |= row.column_int(2) != 0 || edit;
             grant.second |= edit;
           });
  for (const auto& field : object.fields) {
    auto it = controlled.find(field.name);
    const bool read = p.read && (it == controlled.end() || it->second.first);
    const bool edit = p.edit && (it == controlled.end() || it->second.second);
    if (!read) access.hidden.insert(field.name);
    else if (!edit) access.read_only.insert(field.name);
  }
  access.masters = master_fields(object);
  // A detail has no sharing of its own: its masters decide (record_condition), so nothing else is read.
  if (!access.masters.empty()) return access;
  each_row(impl_, "SELECT model FROM _hotcrm_sharing_model WHERE tenant_id = ? AND object = ?", {tenant_, object.name},
           [&](const Statement& row) { access.sharing = sharing_model_from_string(row.column_text(0)); });
  if (hierarchy_table_)
    each_row(impl_, "SELECT enabled FROM _hotcrm_sharing_hierarchy WHERE tenant_id = ? AND object = ?",
             {tenant_, object.name}, [&](const Statement& row) { access.hierarchy = row.column_int(0) != 0; });
  std::vector<std::pair<std::string, ObjectAccess::Rule>> candidates;
  each_row(impl_, "SELECT criteria, grantee, access FROM _hotcrm_sharing_rule WHERE tenant_id = ? AND object = ? ORDER BY name",
           {tenant_, object.name}, [&](const Statement& row) {
             candidates.push_back({std::string(row.column_text(1)),
                                   {std::string(row.column_text(0)), share_access_from_string(row.column_text(2))}});
           });
  for (auto& [grantee, rule] : candidates)
    if (reaches(grantee, access.hierarchy)) access.rules.push_back(std::move(rule));
  each_row(impl_, "SELECT 1 FROM _hotcrm_share WHERE tenant_id = ? AND object = ? LIMIT 1", {tenant_, object.name},
           [&](const Statement&) { access.has_shares = true; });
  return access;
}

bool AccessScope::reaches(const std::string& grantee, bool hierarchy) {
  const auto& keys = hierarchy ? hierarchy_principals_ : principals_;
  if (std::find(keys.begin(), keys.end(), grantee) != keys.end()) return true;
  if (!hierarchy || subordinate_roles_.empty() || grantee.rfind("user:", 0) != 0) return false;
  // A rule for one user reaches that user's managers too.
  bool below = false;
  each_row(impl_, "SELECT role FROM _hotcrm_user WHERE tenant_id = ? AND user_name = ?", {tenant_, grantee.substr(5)},
           [&](const Statement& row) {
             below = !row.column_is_null(0) && std::binary_search(subordinate_roles_.begin(), subordinate_roles_.end(),
                                                                   std::string(row.column_text(0)));
           });
  return below;
}

std::string AccessScope::record_condition(SqlBuilder& builder, ShareAccess level) {
  const ObjectDef& definition = *builder.root().object;
  const ObjectAccess& access = object(definition);
  const auto& p = access.permissions;
  if (level == ShareAccess::read) {
    if (!p.read) return "0";
    if (p.view_all) return "";
  } else {
    if (!p.edit) return "0";
    if (p.modify_all) return "";
  }
  if (!access.masters.empty()) {
    // Controlled by parent: a detail is readable (editable) exactly when every master it has is.
    // A detail without its master (a nullable field left empty) is nobody's but view all's.
    std::string sql;
    for (const FieldDef* master : access.masters) {
      const std::string column = "t0." + quote(master->name);
      auto condition = builder.accessible_ids(column, builder.impl().plan(master->reference), level);
      sql += (sql.empty() ? "" : " AND ") + (condition.empty() ? column + " IS NOT NULL" : condition);
      builder.note_visible_master(master->name);
    }
    return sql;
  }
  if (level == ShareAccess::read ? access.sharing != SharingModel::private_
                                 : access.sharing == SharingModel::public_read_write)
    return "";
  // The owner and the managers above the owner: owner_id is indexed with tenant_id.
  std::string sql = "t0.\"owner_id\" = ?";
  builder.add_parameter({nullptr, Value(user_)});
  if (access.hierarchy && !subordinate_roles_.empty()) {
    sql += fmt::format(" OR t0.\"owner_id\" IN (SELECT user_name FROM _hotcrm_user WHERE tenant_id = ? AND role IN ({}))",
                       placeholders(subordinate_roles_.size()));
    builder.add_parameter({nullptr, Value(tenant_)});
    for (const auto& role : subordinate_roles_) builder.add_parameter({nullptr, Value(role)});
  }
  if (access.has_shares) {
    const auto& keys = principals(access);
    const bool reports = access.hierarchy && !subordinate_roles_.empty();
    // Shares to the users below are matched against the user table in SQL, not listed as parameters.
    sql += fmt::format(" OR t0.\"id\" IN (SELECT record_id FROM _hotcrm_share WHERE tenant_id = ? AND object = ? "
                       "AND (grantee IN ({}){}){})",
                       placeholders(keys.size()),
                       reports ? fmt::format(" OR grantee IN (SELECT 'user:' || user_name FROM _hotcrm_user "
                                             "WHERE tenant_id = ? AND role IN ({}))",
                                             placeholders(subordinate_roles_.size()))
                               : std::string(),
                       level == ShareAccess::edit ? " AND access = 'edit'" : "");
    builder.add_parameter({nullptr, Value(tenant_)});
    builder.add_parameter({nullptr, Value(definition.name)});
    for (const auto& principal : keys) builder.add_parameter({nullptr, Value(principal)});
    if (reports) {
      builder.add_parameter({nullptr, Value(tenant_)});
      for (const auto& role : subordinate_roles_) builder.add_parameter({nullptr, Value(role)});
    }
  }
  for (const auto& rule : access.rules) {
    if (level == ShareAccess::edit && rule.access != ShareAccess::edit) continue;
    // Criteria are the administrator's: compiled and evaluated as system (all fields, all parents).
    auto system = builder.system_section();
    sql += " OR (" + formula_filter_sql(builder, rule.criteria) + ")";
  }
  return sql;
}

bool AccessScope::record_allowed(const ObjectPlan& plan, std::string_view id, ShareAccess level) {
  // At edit level the builder keeps only editable records, which are readable too.
  SqlBuilder builder(impl_, plan, tenant_, impl_.now(), this, level);
  builder.add_filter(Filter::compare("id", CompareOp::eq, Value(std::string(id))));
  auto& statement = impl_.db().prepare(fmt::format("SELECT 1 FROM {} WHERE {}", builder.from_clause(), builder.where()));
  builder.bind_all(statement);
  const bool found = statement.step();
  statement.reset();
  return found;
}

void AccessScope::require(const ObjectDef& definition, std::string_view action) {
  const auto& p = object(definition).permissions;
  const bool allowed = action == "create" ? p.create
                       : action == "edit" ? p.edit
                       : action == "delete" ? p.remove
                                            : p.read;
  if (!allowed) denied(fmt::format("user '{}' may not {} {} records", user_, action, definition.name));
}

void AccessScope::require_record(const ObjectPlan& plan, std::string_view id, std::string_view action) {
  const ObjectDef& definition = *plan.object;
  const auto& p = object(definition).permissions;
  // Without read the record does not exist for this user, whatever the action.
  if (!p.read || !record_allowed(plan, id, ShareAccess::read))
    throw NotFoundError(ErrorCode::not_found, fmt::format("no {} with id '{}'", definition.name, id));
  if (action == "read") return;
  require(definition, action);
  if (!record_allowed(plan, id, ShareAccess::edit))
    denied(fmt::format("user '{}' may read {} '{}' but not {} it", user_, definition.name, id, action));
}

void AccessScope::require_masters(const ObjectPlan& plan, const Record& values, bool creating) {
  for (const FieldDef* master : object(*plan.object).masters) {
    auto given = values.find(master->name);
    if (given == values.end() && !creating) continue;  // an update that keeps the master
    const Value* id = given == values.end() ? nullptr : &given->second;
    if (id == nullptr || id->is_null() || (id->kind() == ValueKind::text && id->as_string().empty()))
      denied(fmt::format("user '{}' may not {} {} records without a {} ({}): their access is their {}'s", user_,
                         creating ? "create" : "edit", plan.object->name, master->reference, master->name,
                         master->reference));
    if (id->kind() != ValueKind::text) continue;  // not an id: the write's own checks refuse it
    const auto& master_plan = impl_.plan(master->reference);
    const std::string master_id = id->as_string();
    if (!record_allowed(master_plan, master_id, ShareAccess::read))
      throw NotFoundError(ErrorCode::not_found, fmt::format("no {} with id '{}' (in {}.{})", master->reference,
                                                            master_id, plan.object->name, master->name));
    if (!record_allowed(master_plan, master_id, ShareAccess::edit))
      denied(fmt::format("user '{}' may read {} '{}' but not edit it, so it may not add or move {} records under it",
                         user_, master->reference, master_id, plan.object->name));
  }
}

void AccessScope::require_writable_fields(const ObjectDef& definition, const std::vector<std::string>& fields) {
  const ObjectAccess& access = object(definition);
  std::vector<FieldError> unknown;
  for (const auto& name : fields) {
    if (access.hidden.count(name))
      unknown.push_back({definition.name, name, {}, "unknown_field",
                         fmt::format("'{}' is not a field of {}", name, definition.name), -1, {}});
  }
  if (!unknown.empty()) throw ValidationError(std::move(unknown));
  for (const auto& name : fields)
    if (access.read_only.count(name))
      denied(fmt::format("user '{}' may not edit {}.{}", user_, definition.name, name));
}

EffectiveAccess AccessScope::effective(const ObjectDef& definition) {
  const ObjectAccess& access = object(definition);
  EffectiveAccess out;
  out.object = access.permissions;
  out.sharing = access.sharing;
  out.hierarchy = access.hierarchy;
  for (const FieldDef* master : access.masters) out.controlled_by.push_back(master->name);
  out.hidden_fields.assign(access.hidden.begin(), access.hidden.end());
  out.read_only_fields.assign(access.read_only.begin(), access.read_only.end());
  return out;
}

// ---- AccessGuard ---------------------------------------------------------------------------------

namespace {
bool is_administrator(Session::Impl& impl, const SessionContext& context) {
  if (!access_tables_exist(impl)) return false;
  bool admin = false;
  each_row(impl, "SELECT administrator FROM _hotcrm_user WHERE tenant_id = ? AND user_name = ?",
           {context.tenant, context.user}, [&](const Statement& row) { admin = row.column_int(0) != 0; });
  return admin;
}
}  // namespace

AccessGuard::AccessGuard(Session::Impl& impl, const SessionContext& context) : impl_(impl), previous_(impl.access) {
  outermost_ = impl.access_calls++ == 0;
  if (!outermost_) {
    scope_ = impl.access;  // a nested call keeps the outer call's scope (system inside writes)
    user_session_ = scope_ != nullptr;
    return;
  }
  user_session_ = context.access == AccessMode::user && !is_administrator(impl, context);
  if (user_session_) scope_ = std::make_shared<AccessScope>(impl, context);
  impl.access = scope_;
}

AccessGuard::~AccessGuard() {
  --impl_.access_calls;
  impl_.access = previous_;
}

void AccessGuard::run_as_system() { impl_.access = nullptr; }

void AccessGuard::require_administrator(std::string_view what) const {
  if (scope_) denied(fmt::format("user '{}' may not {}: it needs a system session or an administrator", scope_->user(), what));
}

CompileOptions user_compile_options(const Session::Impl& impl, CompileOptions options) {
  AccessScope* scope = current_access(impl);
  if (!scope) return options;
  const Catalog& catalog = impl.catalog;
  options.field_visible = [scope, &catalog](std::string_view object, std::string_view field) {
    const ObjectDef* definition = catalog.find(object);
    return definition == nullptr || !scope->field_hidden(*definition, field);
  };
  return options;
}

}  // namespace hotcrm::detail

// ---- Administration -------------------------------------------------------------------------------

namespace hotcrm {
inline namespace v0 {

namespace {

using detail::AccessGuard;

/// Checks the caller may administer, then runs `sql` with text / integer parameters in a transaction.
void admin_exec(Session::Impl& impl, const std::string& sql, const std::vector<Value>& parameters) {
  impl.require_writable();
  auto& statement = impl.db().prepare(sql);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    const Value& value = parameters[i];
    if (value.is_null()) statement.bind_null(index);
    else if (value.kind() == ValueKind::integer) statement.bind_int(index, value.as_int());
    else statement.bind_text(index, value.as_string());
  }
  statement.step();
  statement.reset();
}

bool exists(Session::Impl& impl, const std::string& sql, const std::vector<std::string>& parameters) {
  bool found = false;
  detail::each_row(impl, sql, parameters, [&](const detail::Statement&) { found = true; });
  return found;
}

void require_name(std::string_view what, std::string_view name) {
  if (name.empty()) throw UsageError(ErrorCode::usage, fmt::format("{} needs a name", what));
}

void require_role(Session::Impl& impl, const std::string& tenant, const std::string& role) {
  if (!exists(impl, "SELECT 1 FROM _hotcrm_role WHERE tenant_id = ? AND name = ?", {tenant, role}))
    throw UsageError(ErrorCode::usage, fmt::format("no role '{}' in tenant '{}'", role, tenant));
}

void check_grantee(Session::Impl& impl, const std::string& tenant, const Grantee& grantee) {
  require_name("a grantee", grantee.name);
  if (grantee.kind == Grantee::Kind::role || grantee.kind == Grantee::Kind::role_and_subordinates)
    require_role(impl, tenant, grantee.name);
}

int flag(bool value) { return value ? 1 : 0; }

/// What every change of the security model takes: the session's lock, access resolved for the
/// caller, a writable database and an administrator (or a system session).
class AdministrationCall {
 public:
  AdministrationCall(Session::Impl& impl, const SessionContext& context, std::string_view what)
      : lock_(impl.mutex), guard_(impl, context) {
    impl.require_writable();
    guard_.require_administrator(what);
  }

 private:
  std::lock_guard<std::recursive_mutex> lock_;
  AccessGuard guard_;
};

}  // namespace

void Session::define_role(std::string_view role, std::string_view parent) {
  AdministrationCall call(*impl_, context_, "define roles");
  require_name("a role", role);
  const std::string name(role), above(parent);
  if (!above.empty()) {
    require_role(*impl_, context_.tenant, above);
    // Walk up from the new parent: meeting the role itself would close a cycle.
    std::string up = above;
    for (int steps = 0; !up.empty() && steps < 10'000; ++steps) {
      if (up == name)
        throw UsageError(ErrorCode::usage, fmt::format("role '{}' cannot report to '{}': '{}' is below it", name, above, above));
      std::string next;
      detail::each_row(*impl_, "SELECT parent FROM _hotcrm_role WHERE tenant_id = ? AND name = ?", {context_.tenant, up},
                       [&](const detail::Statement& row) {
                         if (!row.column_is_null(0)) next = std::string(row.column_text(0));
                       });
      up = next;
    }
  }
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_role (tenant_id, name, parent) VALUES (?, ?, ?) "
             "ON CONFLICT (tenant_id, name) DO UPDATE SET parent = excluded.parent",
             {Value(context_.tenant), Value(name), above.empty() ? Value() : Value(above)});
}

void Session::set_user(const UserAccess& user) {
  AdministrationCall call(*impl_, context_, "define users");
  require_name("a user", user.user);
  if (!user.role.empty()) require_role(*impl_, context_.tenant, user.role);
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_user (tenant_id, user_name, role, administrator) VALUES (?, ?, ?, ?) "
             "ON CONFLICT (tenant_id, user_name) DO UPDATE SET role = excluded.role, administrator = excluded.administrator",
             {Value(context_.tenant), Value(user.user), user.role.empty() ? Value() : Value(user.role),
              Value(std::int64_t{flag(user.administrator)})});
}

std::optional<UserAccess> Session::user_access(std::string_view user) {
  std::lock_guard lock(impl_->mutex);
  std::optional<UserAccess> out;
  if (!detail::access_tables_exist(*impl_)) return out;
  detail::each_row(*impl_, "SELECT role, administrator FROM _hotcrm_user WHERE tenant_id = ? AND user_name = ?",
                   {context_.tenant, std::string(user)}, [&](const detail::Statement& row) {
                     out = UserAccess{std::string(user), row.column_is_null(0) ? "" : std::string(row.column_text(0)),
                                      row.column_int(1) != 0};
                   });
  return out;
}

void Session::add_to_group(std::string_view group, std::string_view user) {
  AdministrationCall call(*impl_, context_, "change groups");
  require_name("a group", group);
  require_name("a group member", user);
  admin_exec(*impl_, "INSERT OR IGNORE INTO _hotcrm_group_member (tenant_id, group_name, user_name) VALUES (?, ?, ?)",
             {Value(context_.tenant), Value(std::string(group)), Value(std::string(user))});
}

void Session::remove_from_group(std::string_view group, std::string_view user) {
  AdministrationCall call(*impl_, context_, "change groups");
  admin_exec(*impl_, "DELETE FROM _hotcrm_group_member WHERE tenant_id = ? AND group_name = ? AND user_name = ?",
             {Value(context_.tenant), Value(std::string(group)), Value(std::string(user))});
}

void Session::grant(std::string_view permission_set, std::string_view object, const ObjectPermissions& p) {
  AdministrationCall call(*impl_, context_, "grant permissions");
  require_name("a permission set", permission_set);
  impl_->plan(object);  // SchemaError for an unknown object
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_object_permission (tenant_id, permission_set, object, can_create, can_read, can_edit, "
             "can_delete, view_all, modify_all) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (tenant_id, object, permission_set) DO UPDATE SET can_create = excluded.can_create, "
             "can_read = excluded.can_read, can_edit = excluded.can_edit, can_delete = excluded.can_delete, "
             "view_all = excluded.view_all, modify_all = excluded.modify_all",
             {Value(context_.tenant), Value(std::string(permission_set)), Value(std::string(object)),
              Value(std::int64_t{flag(p.create)}), Value(std::int64_t{flag(p.read)}), Value(std::int64_t{flag(p.edit)}),
              Value(std::int64_t{flag(p.remove)}), Value(std::int64_t{flag(p.view_all)}),
              Value(std::int64_t{flag(p.modify_all)})});
}

void Session::grant_field(std::string_view permission_set, std::string_view object, std::string_view field,
                          const FieldPermissions& p) {
  AdministrationCall call(*impl_, context_, "grant field permissions");
  require_name("a permission set", permission_set);
  const ObjectDef& definition = *impl_->plan(object).object;
  const FieldDef* target = definition.find_field(field);
  if (!target)
    throw UsageError(ErrorCode::unknown_field, fmt::format("unknown field '{}' on {}", field, definition.name));
  if (is_system_field(target->name))
    throw UsageError(ErrorCode::usage, fmt::format("{}.{} is a system field: it follows the object's permissions",
                                                   definition.name, target->name));
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_field_permission (tenant_id, permission_set, object, field, can_read, can_edit) "
             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, object, field, permission_set) DO UPDATE SET "
             "can_read = excluded.can_read, can_edit = excluded.can_edit",
             {Value(context_.tenant), Value(std::string(permission_set)), Value(definition.name), Value(target->name),
              Value(std::int64_t{flag(p.read || p.edit)}), Value(std::int64_t{flag(p.edit)})});
}

void Session::assign_permission_set(std::string_view user, std::string_view permission_set) {
  AdministrationCall call(*impl_, context_, "assign permission sets");
  require_name("a user", user);
  require_name("a permission set", permission_set);
  admin_exec(*impl_,
             "INSERT OR IGNORE INTO _hotcrm_permission_assignment (tenant_id, user_name, permission_set) VALUES (?, ?, ?)",
             {Value(context_.tenant), Value(std::string(user)), Value(std::string(permission_set))});
}

void Session::revoke_permission_set(std::string_view user, std::string_view permission_set) {
  AdministrationCall call(*impl_, context_, "revoke permission sets");
  admin_exec(*impl_, "DELETE FROM _hotcrm_permission_assignment WHERE tenant_id = ? AND user_name = ? AND permission_set = ?",
             {Value(context_.tenant), Value(std::string(user)), Value(std::string(permission_set))});
}

void Session::set_sharing_model(std::string_view object, SharingModel model) {
  AdministrationCall call(*impl_, context_, "set sharing models");
  detail::refuse_detail_sharing(*impl_->plan(object).object, "set a sharing model");
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_sharing_model (tenant_id, object, model) VALUES (?, ?, ?) "
             "ON CONFLICT (tenant_id, object) DO UPDATE SET model = excluded.model",
             {Value(context_.tenant), Value(std::string(object)), Value(std::string(to_string(model)))});
}

void Session::set_sharing_hierarchy(std::string_view object, bool grant_access_using_hierarchies) {
  AdministrationCall call(*impl_, context_, "set sharing hierarchies");
  detail::refuse_detail_sharing(*impl_->plan(object).object, "grant access using hierarchies");
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_sharing_hierarchy (tenant_id, object, enabled) VALUES (?, ?, ?) "
             "ON CONFLICT (tenant_id, object) DO UPDATE SET enabled = excluded.enabled",
             {Value(context_.tenant), Value(std::string(object)), Value(std::int64_t{flag(grant_access_using_hierarchies)})});
}

void Session::set_group_hierarchy(std::string_view group, bool grant_access_using_hierarchies) {
  AdministrationCall call(*impl_, context_, "set sharing hierarchies");
  require_name("a group", group);
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_group_hierarchy (tenant_id, group_name, enabled) VALUES (?, ?, ?) "
             "ON CONFLICT (tenant_id, group_name) DO UPDATE SET enabled = excluded.enabled",
             {Value(context_.tenant), Value(std::string(group)), Value(std::int64_t{flag(grant_access_using_hierarchies)})});
}

void Session::add_sharing_rule(const SharingRule& rule) {
  AdministrationCall call(*impl_, context_, "define sharing rules");
  require_name("a sharing rule", rule.name);
  detail::refuse_detail_sharing(*impl_->plan(rule.object).object, "define a sharing rule");
  check_grantee(*impl_, context_.tenant, rule.grantee);
  auto compiled = compile_formula(impl_->catalog, rule.object, rule.criteria, {.expected = FormulaType::boolean});
  if (!compiled.ok())
    throw UsageError(ErrorCode::parse, fmt::format("sharing rule {} on {}: the criteria do not compile:\n{}", rule.name,
                                                   rule.object, render_diagnostics(compiled.diagnostics, rule.criteria)));
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_sharing_rule (tenant_id, object, name, criteria, grantee, access) VALUES (?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (tenant_id, object, name) DO UPDATE SET criteria = excluded.criteria, "
             "grantee = excluded.grantee, access = excluded.access",
             {Value(context_.tenant), Value(rule.object), Value(rule.name), Value(rule.criteria),
              Value(rule.grantee.to_string()), Value(std::string(to_string(rule.access)))});
}

void Session::remove_sharing_rule(std::string_view object, std::string_view name) {
  AdministrationCall call(*impl_, context_, "remove sharing rules");
  admin_exec(*impl_, "DELETE FROM _hotcrm_sharing_rule WHERE tenant_id = ? AND object = ? AND name = ?",
             {Value(context_.tenant), Value(std::string(object)), Value(std::string(name))});
}

void Session::share(std::string_view object, std::string_view id, const Grantee& grantee, ShareAccess access) {
  std::lock_guard lock(impl_->mutex);
  AccessGuard guard(*impl_, context_);
  const auto& plan = impl_->plan(object);
  detail::refuse_detail_sharing(*plan.object, "share a record");
  check_grantee(*impl_, context_.tenant, grantee);
  // Whoever may edit the record may share it; the record must exist in this tenant.
  if (auto* scope = guard.scope()) scope->require_record(plan, id, "edit");
  else if (!detail::load_row(*impl_, plan, id, context_.tenant))
    throw NotFoundError(ErrorCode::not_found, fmt::format("no {} with id '{}'", object, id));
  admin_exec(*impl_,
             "INSERT INTO _hotcrm_share (tenant_id, object, record_id, grantee, access) VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT (tenant_id, object, record_id, grantee) DO UPDATE SET access = excluded.access",
             {Value(context_.tenant), Value(std::string(object)), Value(std::string(id)), Value(grantee.to_string()),
              Value(std::string(to_string(access)))});
}

void Session::unshare(std::string_view object, std::string_view id, const Grantee& grantee) {
  std::lock_guard lock(impl_->mutex);
  AccessGuard guard(*impl_, context_);
  const auto& plan = impl_->plan(object);
  if (auto* scope = guard.scope()) scope->require_record(plan, id, "edit");
  admin_exec(*impl_, "DELETE FROM _hotcrm_share WHERE tenant_id = ? AND object = ? AND record_id = ? AND grantee = ?",
             {Value(context_.tenant), Value(std::string(object)), Value(std::string(id)), Value(grantee.to_string())});
}

std::vector<RecordShare> Session::shares(std::string_view object, std::string_view id) {
  std::lock_guard lock(impl_->mutex);
  AccessGuard guard(*impl_, context_);
  const auto& plan = impl_->plan(object);
  if (auto* scope = guard.scope()) scope->require_record(plan, id, "read");
  std::vector<RecordShare> out;
  detail::each_row(*impl_,
                   "SELECT grantee, access FROM _hotcrm_share WHERE tenant_id = ? AND object = ? AND record_id = ? "
                   "ORDER BY grantee",
                   {context_.tenant, std::string(object), std::string(id)}, [&](const detail::Statement& row) {
                     out.push_back({std::string(object), std::string(id), Grantee::parse(row.column_text(0)),
                                    share_access_from_string(row.column_text(1))});
                   });
  return out;
}

EffectiveAccess Session::access(std::string_view object) {
  std::lock_guard lock(impl_->mutex);
  AccessGuard guard(*impl_, context_);
  const auto& plan = impl_->plan(object);
  if (auto* scope = guard.scope()) return scope->effective(*plan.object);
  EffectiveAccess all;
  all.bypass = true;
  for (const FieldDef* master : detail::master_fields(*plan.object)) all.controlled_by.push_back(master->name);
  all.object = {true, true, true, true, true, true};
  all.sharing = SharingModel::public_read_write;
  return all;
}

}  // namespace v0
}  // namespace hotcrm
