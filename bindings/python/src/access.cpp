// Access control administration: roles, users, groups, permission sets, sharing (docs/security.md).
#include "common.hpp"

namespace hotcrm::python {

namespace {

ObjectPermissions permissions_from(const std::vector<std::string>& names) {
  ObjectPermissions p;
  for (const auto& name : names) {
    if (name == "create") p.create = true;
    else if (name == "read") p.read = true;
    else if (name == "edit") p.edit = true;
    else if (name == "delete") p.remove = true;
    else if (name == "view_all") p.view_all = true;
    else if (name == "modify_all") p.modify_all = true;
    else
      throw UsageError(ErrorCode::usage, "unknown permission '" + name +
                                             "': expected create, read, edit, delete, view_all or modify_all");
  }
  return p;
}

py::list permission_names(const ObjectPermissions& p) {
  py::list out;
  for (auto [on, name] : {std::pair{p.create, "create"}, {p.read, "read"}, {p.edit, "edit"}, {p.remove, "delete"},
                          {p.view_all, "view_all"}, {p.modify_all, "modify_all"}})
    if (on) out.append(name);
  return out;
}

}  // namespace

void bind_access_methods(py::class_<Session>& session) {
  session
      .def("define_role", [](Session& self, const std::string& role, const std::string& parent) {
             without_gil([&] { self.define_role(role, parent); });
           }, py::arg("role"), py::arg("parent") = "",
           "Creates a role, or moves it under `parent` ('' : the top of the hierarchy). Managers (roles\n"
           "above) read and edit the records their reports own under private sharing.")
      .def("set_user", [](Session& self, const std::string& user, const std::string& role, bool administrator) {
             without_gil([&] { self.set_user({user, role, administrator}); });
           }, py::arg("user"), py::arg("role") = "", py::arg("administrator") = false,
           "Creates or replaces a user of the security model (the name sessions act as and owner_id\n"
           "holds): its role and whether it is an administrator (which bypasses access control).")
      .def("user_access", [](Session& self, const std::string& user) -> py::object {
             auto found = without_gil([&] { return self.user_access(user); });
             if (!found) return py::none();
             py::dict out;
             out["user"] = found->user;
             out["role"] = found->role;
             out["administrator"] = found->administrator;
             return out;
           }, py::arg("user"), "The user's entry as a dict (user, role, administrator), or None.")
      .def("add_to_group", [](Session& self, const std::string& group, const std::string& user) {
             without_gil([&] { self.add_to_group(group, user); });
           }, py::arg("group"), py::arg("user"), "Adds a user to a group (sharing rules and shares may name groups).")
      .def("remove_from_group", [](Session& self, const std::string& group, const std::string& user) {
             without_gil([&] { self.remove_from_group(group, user); });
           }, py::arg("group"), py::arg("user"), "Removes a user from a group.")
      .def("grant", [](Session& self, const std::string& permission_set, const std::string& object,
                       const std::vector<std::string>& permissions) {
             without_gil([&] { self.grant(permission_set, object, permissions_from(permissions)); });
           }, py::arg("permission_set"), py::arg("object"), py::arg("permissions"),
           "Sets what a permission set allows on an object: a list of 'create', 'read', 'edit', 'delete',\n"
           "'view_all', 'modify_all' (replacing its earlier grant for the object).")
      .def("grant_field", [](Session& self, const std::string& permission_set, const std::string& object,
                             const std::string& field, bool read, bool edit) {
             without_gil([&] { self.grant_field(permission_set, object, field, {read, edit}); });
           }, py::arg("permission_set"), py::arg("object"), py::arg("field"), py::arg("read") = true,
           py::arg("edit") = false,
           "Field-level security. Once any permission set mentions a field, only the sets granting it read\n"
           "(or edit) let their users see (or change) it; to others it is an unknown field.")
      .def("assign_permission_set", [](Session& self, const std::string& user, const std::string& permission_set) {
             without_gil([&] { self.assign_permission_set(user, permission_set); });
           }, py::arg("user"), py::arg("permission_set"), "Gives a user a permission set.")
      .def("revoke_permission_set", [](Session& self, const std::string& user, const std::string& permission_set) {
             without_gil([&] { self.revoke_permission_set(user, permission_set); });
           }, py::arg("user"), py::arg("permission_set"), "Takes a permission set from a user.")
      .def("set_sharing_model", [](Session& self, const std::string& object, const std::string& model) {
             without_gil([&] { self.set_sharing_model(object, sharing_model_from_string(model)); });
           }, py::arg("object"), py::arg("model"),
           "The organisation-wide default of an object: 'private' (the default), 'public_read' or\n"
           "'public_read_write'. UsageError for a detail object (its access is its master's).")
      .def("set_sharing_hierarchy", [](Session& self, const std::string& object, bool enabled) {
             without_gil([&] { self.set_sharing_hierarchy(object, enabled); });
           }, py::arg("object"), py::arg("enabled"),
           "'Grant access using hierarchies' for an object (on until set): when on, managers up the role\n"
           "hierarchy get the access their reports have as owners, through manual shares and through\n"
           "sharing rules; when off, only 'role_and_subordinates:' grantees reach below. UsageError for a\n"
           "detail object.")
      .def("set_group_hierarchy", [](Session& self, const std::string& group, bool enabled) {
             without_gil([&] { self.set_group_hierarchy(group, enabled); });
           }, py::arg("group"), py::arg("enabled"),
           "'Grant access using hierarchies' for a public group (on until set): when off, what is shared\n"
           "with the group (shares and sharing rules) reaches its members only, not their managers.")
      .def("add_sharing_rule", [](Session& self, const std::string& name, const std::string& object,
                                  const std::string& criteria, const std::string& grantee, const std::string& access) {
             without_gil([&] {
               self.add_sharing_rule({name, object, criteria, Grantee::parse(grantee), share_access_from_string(access)});
             });
           }, py::arg("name"), py::arg("object"), py::arg("criteria"), py::arg("grantee"), py::arg("access") = "read",
           "Shares the records of `object` for which the boolean formula `criteria` holds with `grantee`\n"
           "('role:NAME', 'role_and_subordinates:NAME', 'group:NAME', 'user:NAME'), for 'read' or 'edit'.\n"
           "The criteria are compiled into the SQL of every query of the users it reaches.")
      .def("remove_sharing_rule", [](Session& self, const std::string& object, const std::string& name) {
             without_gil([&] { self.remove_sharing_rule(object, name); });
           }, py::arg("object"), py::arg("name"), "Removes a sharing rule.")
      .def("share", [](Session& self, const std::string& object, const std::string& id, const std::string& grantee,
                       const std::string& access) {
             without_gil([&] { self.share(object, id, Grantee::parse(grantee), share_access_from_string(access)); });
           }, py::arg("object"), py::arg("id"), py::arg("grantee"), py::arg("access") = "read",
           "Shares one record with a grantee ('user:NAME', 'role:NAME', ...) for 'read' or 'edit'. Takes\n"
           "edit access to the record.")
      .def("unshare", [](Session& self, const std::string& object, const std::string& id, const std::string& grantee) {
             without_gil([&] { self.unshare(object, id, Grantee::parse(grantee)); });
           }, py::arg("object"), py::arg("id"), py::arg("grantee"), "Removes a manual share.")
      .def("shares", [](Session& self, const std::string& object, const std::string& id) {
             auto shares = without_gil([&] { return self.shares(object, id); });
             py::list out;
             for (const auto& s : shares) {
               py::dict d;
               d["grantee"] = s.grantee.to_string();
               d["access"] = std::string(to_string(s.access));
               out.append(d);
             }
             return out;
           }, py::arg("object"), py::arg("id"), "The manual shares of a record: dicts with grantee and access.")
      .def("access", [](Session& self, const std::string& object) {
             auto access = without_gil([&] { return self.access(object); });
             py::dict out;
             out["bypass"] = access.bypass;
             out["permissions"] = permission_names(access.object);
             out["sharing"] = std::string(to_string(access.sharing));
             out["hierarchy"] = access.hierarchy;
             out["controlled_by"] = access.controlled_by;
             out["hidden_fields"] = access.hidden_fields;
             out["read_only_fields"] = access.read_only_fields;
             return out;
           }, py::arg("object"),
           "What this session's user may do with `object`: bypass (system or administrator),\n"
           "permissions, sharing (the org-wide default), hierarchy (grant access using hierarchies),\n"
           "controlled_by (a detail's master-detail fields: its access is its masters'), hidden_fields,\n"
           "read_only_fields.");
}

}  // namespace hotcrm::python
