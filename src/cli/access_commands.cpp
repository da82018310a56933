// Access control administration: `hotcrm access role | user | group | grant | field | assign |
// sharing | rule | share | show`. The CLI opens the file itself, so it acts as system (docs/cli.md).
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli_common.hpp"

namespace hotcrm::cli {
namespace {

struct AccessOptions {
  std::string database;
  std::string tenant;  // empty: the global --tenant
  std::string name;      // role, user, group, permission set, rule
  std::string second;    // parent role, user, object
  std::string third;     // object, field, criteria, id
  std::string fourth;    // permissions, grantee
  std::string role;
  std::string access = "read";
  std::string user;
  bool administrator = false;
  bool remove = false;
  bool edit = false;
  bool hidden = false;
  bool hierarchy = false;     // sharing, group --hierarchy
  bool no_hierarchy = false;  // sharing, group --no-hierarchy
};

ObjectPermissions parse_permissions(const std::string& list) {
  ObjectPermissions p;
  std::stringstream items(list);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item == "create") p.create = true;
    else if (item == "read") p.read = true;
    else if (item == "edit") p.edit = true;
    else if (item == "delete") p.remove = true;
    else if (item == "view_all") p.view_all = true;
    else if (item == "modify_all") p.modify_all = true;
    else if (!item.empty())
      throw UsageError(ErrorCode::usage, "unknown permission '" + item +
                                             "': expected create, read, edit, delete, view_all or modify_all");
  }
  return p;
}

template <class Fn>
ExitCode administer(const AccessOptions& options, Fn&& fn) {
  Database database = open_existing_database(options.database, true);
  Session session = database.session({"system", options.tenant.empty() ? database.context().tenant : options.tenant});
  fn(session);
  return ExitCode::ok;
}

ExitCode run_show(const AccessOptions& options) {
  Database database = open_existing_database(options.database, false);
  const std::string tenant = options.tenant.empty() ? database.context().tenant : options.tenant;
  auto access = database.session({options.user, tenant, AccessMode::user}).access(options.name);
  const auto& p = access.object;
  nlohmann::json permissions = nlohmann::json::array();
  for (auto [on, name] : {std::pair{p.create, "create"}, {p.read, "read"}, {p.edit, "edit"}, {p.remove, "delete"},
                          {p.view_all, "view_all"}, {p.modify_all, "modify_all"}})
    if (on) permissions.push_back(name);
  std::cout << nlohmann::json{{"user", options.user},
                              {"object", options.name},
                              {"bypass", access.bypass},
                              {"permissions", permissions},
                              {"sharing", std::string(to_string(access.sharing))},
                              {"hierarchy", access.hierarchy},
                              {"controlled_by", access.controlled_by},
                              {"hidden_fields", access.hidden_fields},
                              {"read_only_fields", access.read_only_fields}}
                   .dump()
            << '\n';
  return ExitCode::ok;
}

CLI::App* command(CLI::App* parent, const char* name, const char* help, const std::shared_ptr<AccessOptions>& options) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->add_option("db", options->database, "database file")->required();
  sub->add_option("--tenant", options->tenant, "the tenant whose security model changes (default: the global --tenant)");
  return sub;
}

}  // namespace

void add_access_commands(CLI::App& app, Action& action) {
  auto o = std::make_shared<AccessOptions>();
  CLI::App* access = app.add_subcommand("access", "Users, roles, permission sets and record sharing (docs/security.md)");
  access->require_subcommand(1);

  CLI::App* role = command(access, "role", "Create a role, or move it under --parent", o);
  role->add_option("name", o->name, "role name")->required();
  role->add_option("--parent", o->second, "the role it reports to");
  role->callback([o, &action] { action = [o] { return administer(*o, [&](Session& s) { s.define_role(o->name, o->second); }); }; });

  CLI::App* user = command(access, "user", "Create or replace a user: its role and administrator flag", o);
  user->add_option("name", o->name, "user name (what sessions act as and owner_id holds)")->required();
  user->add_option("--role", o->role, "the user's role");
  user->add_flag("--admin", o->administrator, "an administrator bypasses access control");
  user->callback([o, &action] {
    action = [o] { return administer(*o, [&](Session& s) { s.set_user({o->name, o->role, o->administrator}); }); };
  });

  CLI::App* group = command(access, "group",
                            "Add a user to a group (--remove: take it out) and/or set whether the group grants access "
                            "using hierarchies", o);
  group->add_option("group", o->name, "group name")->required();
  group->add_option("user", o->second, "user name (optional with --[no-]hierarchy)");
  group->add_flag("--remove", o->remove, "remove the user from the group");
  auto* up = group->add_flag("--hierarchy", o->hierarchy, "what is shared with the group reaches its members' managers (the default)");
  group->add_flag("--no-hierarchy", o->no_hierarchy, "what is shared with the group reaches its members only")->excludes(up);
  group->callback([o, &action] {
    action = [o] {
      if (o->second.empty() && (o->remove || (!o->hierarchy && !o->no_hierarchy)))
        throw UsageError(ErrorCode::usage, "access group " + o->name + ": give a user, --hierarchy or --no-hierarchy");
      return administer(*o, [&](Session& s) {
        if (!o->second.empty()) {
          if (o->remove) s.remove_from_group(o->name, o->second);
          else s.add_to_group(o->name, o->second);
        }
        if (o->hierarchy || o->no_hierarchy) s.set_group_hierarchy(o->name, o->hierarchy);
      });
    };
  });

  CLI::App* grant = command(access, "grant", "Set a permission set's permissions on an object", o);
  grant->add_option("permission_set", o->name, "permission set name")->required();
  grant->add_option("object", o->second, "object name")->required();
  grant->add_option("permissions", o->fourth, "comma list of create,read,edit,delete,view_all,modify_all (may be empty)")
      ->required();
  grant->callback([o, &action] {
    action = [o] { return administer(*o, [&](Session& s) { s.grant(o->name, o->second, parse_permissions(o->fourth)); }); };
  });

  CLI::App* field = command(access, "field", "Field-level security: a permission set reads (--edit: edits) a field", o);
  field->add_option("permission_set", o->name, "permission set name")->required();
  field->add_option("object", o->second, "object name")->required();
  field->add_option("field", o->third, "field name")->required();
  field->add_flag("--edit", o->edit, "also edit the field");
  field->add_flag("--hidden", o->hidden, "neither read nor edit (controls the field without granting it)");
  field->callback([o, &action] {
    action = [o] {
      return administer(*o, [&](Session& s) { s.grant_field(o->name, o->second, o->third, {!o->hidden, o->edit && !o->hidden}); });
    };
  });

  CLI::App* assign = command(access, "assign", "Give a user a permission set (--remove: take it away)", o);
  assign->add_option("user", o->name, "user name")->required();
  assign->add_option("permission_set", o->second, "permission set name")->required();
  assign->add_flag("--remove", o->remove, "revoke instead");
  assign->callback([o, &action] {
    action = [o] {
      return administer(*o, [&](Session& s) {
        if (o->remove) s.revoke_permission_set(o->name, o->second);
        else s.assign_permission_set(o->name, o->second);
      });
    };
  });

  CLI::App* sharing = command(access, "sharing",
                              "Set an object's org-wide default and/or whether it grants access using hierarchies", o);
  sharing->add_option("object", o->name, "object name")->required();
  sharing->add_option("model", o->second, "private, public_read or public_read_write (optional with --[no-]hierarchy)");
  auto* on = sharing->add_flag("--hierarchy", o->hierarchy, "managers get their reports' access (the default)");
  sharing->add_flag("--no-hierarchy", o->no_hierarchy, "managers get no access through the role hierarchy")->excludes(on);
  sharing->callback([o, &action] {
    action = [o] {
      if (o->second.empty() && !o->hierarchy && !o->no_hierarchy)
        throw UsageError(ErrorCode::usage, "access sharing " + o->name + ": give a sharing model, --hierarchy or --no-hierarchy");
      return administer(*o, [&](Session& s) {
        if (!o->second.empty()) s.set_sharing_model(o->name, sharing_model_from_string(o->second));
        if (o->hierarchy || o->no_hierarchy) s.set_sharing_hierarchy(o->name, o->hierarchy);
      });
    };
  });

  CLI::App* rule = command(access, "rule", "Add or replace a criteria-based sharing rule (--remove: delete it)", o);
  rule->add_option("object", o->second, "object name")->required();
  rule->add_option("name", o->name, "rule name")->required();
  rule->add_option("criteria", o->third, "boolean formula over the object");
  rule->add_option("grantee", o->fourth, "role:X, role_and_subordinates:X, group:X or user:X");
  rule->add_option("--access", o->access, "read or edit")->check(CLI::IsMember({"read", "edit"}));
  rule->add_flag("--remove", o->remove, "remove the rule");
  rule->callback([o, &action] {
    action = [o] {
      return administer(*o, [&](Session& s) {
        if (o->remove) return s.remove_sharing_rule(o->second, o->name);
        s.add_sharing_rule({o->name, o->second, o->third, Grantee::parse(o->fourth), share_access_from_string(o->access)});
      });
    };
  });

  CLI::App* share = command(access, "share", "Share one record with a grantee (--remove: unshare)", o);
  share->add_option("object", o->second, "object name")->required();
  share->add_option("id", o->third, "record id")->required();
  share->add_option("grantee", o->fourth, "role:X, role_and_subordinates:X, group:X or user:X")->required();
  share->add_option("--access", o->access, "read or edit")->check(CLI::IsMember({"read", "edit"}));
  share->add_flag("--remove", o->remove, "remove the share");
  share->callback([o, &action] {
    action = [o] {
      return administer(*o, [&](Session& s) {
        if (o->remove) return s.unshare(o->second, o->third, Grantee::parse(o->fourth));
        s.share(o->second, o->third, Grantee::parse(o->fourth), share_access_from_string(o->access));
      });
    };
  });

  CLI::App* show = access->add_subcommand("show", "Print what a user may do with an object (JSON)");
  show->add_option("db", o->database, "database file")->required();
  show->add_option("object", o->name, "object name")->required();
  show->add_option("--user", o->user, "the user")->required();
  show->add_option("--tenant", o->tenant, "the tenant");
  show->callback([o, &action] { action = [o] { return run_show(*o); }; });
}

}  // namespace hotcrm::cli
