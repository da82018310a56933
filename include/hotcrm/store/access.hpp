#pragma once
// Access control: the security model of a tenant (users with roles in a hierarchy, groups,
// permission sets with object and field permissions, org-wide sharing defaults, sharing rules and
// manual shares) and what a session acting for a user may do with it. docs/security.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hotcrm {
inline namespace v0 {

/// Whose rules a session follows. `system` bypasses access control (the host application,
/// workflows, timers, administration); `user` applies the acting user's permission sets and
/// record sharing to every call, unless the security model marks that user an administrator.
enum class AccessMode : std::uint8_t { system, user };

/// What a permission set allows on one object. `view_all` reads every record of the object,
/// `modify_all` also edits and deletes every record (both ignore sharing). edit, remove and the
/// "all" permissions imply read; modify_all implies edit, remove and view_all.
struct ObjectPermissions {
  bool create = false;
  bool read = false;
  bool edit = false;
  bool remove = false;
  bool view_all = false;
  bool modify_all = false;
  bool operator==(const ObjectPermissions&) const = default;
  static ObjectPermissions read_only() { return {false, true, false, false, false, false}; }
  /// create, read, edit and delete (the usual grant of a working user).
  static ObjectPermissions crud() { return {true, true, true, true, false, false}; }
};

/// Field-level security of one field in a permission set. A field that no permission set of the
/// tenant mentions follows the object's permissions; once one does, only the sets granting it
/// give read (or edit, which implies read) to their users.
struct FieldPermissions {
  bool read = true;
  bool edit = false;
  bool operator==(const FieldPermissions&) const = default;
};

/// Who the organisation-wide default lets see a record besides those sharing gives it to.
enum class SharingModel : std::uint8_t {
  private_,           ///< the owner, the owner's managers up the role hierarchy, and shares
  public_read,        ///< every user with read permission reads every record; edit needs sharing
  public_read_write,  ///< every user reads and edits (as their object permissions allow)
};
std::string_view to_string(SharingModel model) noexcept;
/// "private", "public_read", "public_read_write"; throws UsageError otherwise.
SharingModel sharing_model_from_string(std::string_view text);

/// The access a share or sharing rule gives.
enum class ShareAccess : std::uint8_t { read, edit };
std::string_view to_string(ShareAccess access) noexcept;
/// "read" or "edit"; throws UsageError otherwise.
ShareAccess share_access_from_string(std::string_view text);

/// Who a share or sharing rule gives access to.
struct Grantee {
  enum class Kind : std::uint8_t {
    user,                   ///< one user
    role,                   ///< the users holding the role
    role_and_subordinates,  ///< the users holding the role or any role below it
    group,                  ///< the members of a group
  };
  Kind kind = Kind::user;
  std::string name;
  bool operator==(const Grantee&) const = default;
  static Grantee user(std::string name) { return {Kind::user, std::move(name)}; }
  static Grantee role(std::string name) { return {Kind::role, std::move(name)}; }
  static Grantee role_and_subordinates(std::string name) { return {Kind::role_and_subordinates, std::move(name)}; }
  static Grantee group(std::string name) { return {Kind::group, std::move(name)}; }
  /// "user:alice", "role:sales", "role_and_subordinates:sales", "group:emea".
  std::string to_string() const;
  /// Parses to_string's form; throws UsageError otherwise.
  static Grantee parse(std::string_view text);
};

/// A user of the security model: the name sessions act as (SessionContext::user, which is also
/// what owner_id holds), a role (empty: none) and the administrator flag.
struct UserAccess {
  std::string user;
  std::string role;
  bool administrator = false;  ///< bypasses access control, like a system session
  bool operator==(const UserAccess&) const = default;
};

/// A criteria-based sharing rule: the records of `object` for which the boolean formula
/// `criteria` holds are shared with `grantee`, for read or edit.
struct SharingRule {
  std::string name;
  std::string object;
  std::string criteria;
  Grantee grantee;
  ShareAccess access = ShareAccess::read;
  bool operator==(const SharingRule&) const = default;
};

/// A manual share: one record shared with a grantee.
struct RecordShare {
  std::string object;
  std::string record_id;
  Grantee grantee;
  ShareAccess access = ShareAccess::read;
  bool operator==(const RecordShare&) const = default;
};

/// What a user may do with one object, as computed from the security model (Session::access).
struct EffectiveAccess {
  bool bypass = false;  ///< system session or administrator: everything below is true
  ObjectPermissions object;
  SharingModel sharing = SharingModel::private_;
  /// "Grant access using hierarchies": managers get their reports' access (owned, shared, by rule).
  bool hierarchy = true;
  /// For a detail object, its master-detail fields ("deal_id"): a record is readable (editable)
  /// exactly when the records they point at are; the object has no sharing of its own.
  std::vector<std::string> controlled_by;
  std::vector<std::string> hidden_fields;     ///< no read: absent everywhere for this user
  std::vector<std::string> read_only_fields;  ///< readable, not editable
};

}  // namespace v0
}  // namespace hotcrm
