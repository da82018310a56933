#include "store/schema_sync.hpp"
#include "scoring/registry_schema.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "store/codec.hpp"

namespace hotcrm::detail {

namespace {

std::string column_definition(const FieldDef& field) {
  std::string definition = quote(field.name) + " " + column_type(field);
  if (field.is_reference()) {
    const char* action = field.on_delete == DeleteBehavior::cascade    ? "CASCADE"
                         : field.on_delete == DeleteBehavior::restrict ? "RESTRICT"
                                                                       : "SET NULL";
    definition += fmt::format(" REFERENCES {}(\"id\") ON DELETE {}", quote(field.reference), action);
  }
  return definition;
}

std::string create_table_sql(const ObjectDef& object, const std::string& table) {
  std::string sql = "CREATE TABLE " + quote(table) + " (\n"
                    "  \"id\" TEXT PRIMARY KEY NOT NULL,\n"
                    "  \"created_at\" INTEGER NOT NULL,\n"
                    "  \"updated_at\" INTEGER NOT NULL,\n"
                    "  \"created_by\" TEXT,\n"
                    "  \"updated_by\" TEXT,\n"
                    "  \"owner_id\" TEXT,\n"
                    "  \"tenant_id\" TEXT NOT NULL,\n"
                    "  \"version\" INTEGER NOT NULL";
  for (const auto& field : object.fields)
    if (field.is_stored()) sql += ",\n  " + column_definition(field);
  return sql + "\n) STRICT";
}

// Everything about a field that shapes its column; a change here needs a table rebuild.
std::string storage_signature(const FieldDef& field) {
  std::string signature = column_type(field);
  signature += "/" + std::string(to_string(field.type == FieldType::master_detail ? FieldType::lookup : field.type));
  if (field.is_decimal()) signature += "/" + std::to_string(field.scale);
  if (field.type == FieldType::number) signature += field.scale == 0 ? "/int" : "/real";
  return signature;
}

std::string reference_signature(const FieldDef& field) {
  return field.is_reference() ? field.reference + "/" + std::string(to_string(field.on_delete)) : "";
}

struct IndexSpec {
  std::string name;
  std::string sql;
};

std::vector<IndexSpec> desired_indexes(const ObjectDef& object) {
  std::vector<IndexSpec> indexes;
  auto table = quote(object.name);
  indexes.push_back({"ix_" + object.name + "__tenant_owner",
                     fmt::format("CREATE INDEX {} ON {}(\"tenant_id\", \"owner_id\")",
                                 quote("ix_" + object.name + "__tenant_owner"), table)});
  for (const auto& field : object.fields) {
    if (!field.is_stored()) continue;
    if (field.unique) {
      // Unique within a tenant: another tenant's value is neither a conflict nor revealed by one.
      auto name = "ux_" + object.name + "__" + field.name;
      indexes.push_back({name, fmt::format("CREATE UNIQUE INDEX {} ON {}(\"tenant_id\", {})", quote(name), table,
                                           quote(field.name))});
    } else if (field.is_reference()) {
      // Partial: most lookups are empty on most records (a lead's campaign, its converted account),
      // and an empty one has nothing to find. Writing such a record skips the index, and a bulk
      // import that leaves the lookup empty keeps the index instead of rebuilding it. Equality,
      // IN and joins on the lookup, and SQLite's own foreign-key actions, still use it.
      auto name = "ix_" + object.name + "__" + field.name;
      indexes.push_back({name, fmt::format("CREATE INDEX {0} ON {1}({2}) WHERE {2} IS NOT NULL", quote(name), table,
                                           quote(field.name))});
    } else if (field.indexed || field.searchable) {
      auto name = "ix_" + object.name + "__" + field.name;
      indexes.push_back({name, fmt::format("CREATE INDEX {} ON {}({})", quote(name), table, quote(field.name))});
    }
  }
  return indexes;
}

/// The table's indexes made by CREATE INDEX, by name, with their SQL.
std::map<std::string, std::string> existing_indexes(Connection& connection, const std::string& table) {
  std::map<std::string, std::string> indexes;
  auto& statement = connection.prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL");
  statement.bind_text(1, table);
  while (statement.step()) indexes.emplace(statement.column_text(0), statement.column_text(1));
  statement.reset();
  return indexes;
}

bool table_exists(Connection& connection, const std::string& table) {
  auto& statement = connection.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  statement.bind_text(1, table);
  bool exists = statement.step();
  statement.reset();
  return exists;
}

struct Planner {
  Connection& connection;
  const std::optional<Catalog>& stored;
  const Catalog& target;
  bool allow_destructive;
  SchemaPlan plan;

  void destructive(const std::string& step, std::vector<std::string> sql) {
    if (!allow_destructive) {
      plan.refused.push_back(step);
      return;
    }
    plan.steps.push_back(step);
    for (auto& statement : sql) plan.sql.push_back(std::move(statement));
  }

  void run() {
    if (stored) plan_dropped_objects();
    for (const auto& object : target.objects()) {
      const ObjectDef* before = stored ? stored->find(object.name) : nullptr;
      bool fresh_table = true;
      if (!before || !table_exists(connection, object.name)) {
        plan.steps.push_back("create object " + object.name);
        plan.sql.push_back(create_table_sql(object, object.name));
      } else {
        fresh_table = plan_object_change(*before, object);
      }
      plan_indexes(object, !fresh_table);
    }
  }

  void plan_dropped_objects() {
    for (const auto& object : stored->objects())
      if (!target.find(object.name))
        destructive("drop object " + object.name + " and all its records", {"DROP TABLE " + quote(object.name)});
  }

  // Returns true when the table is rebuilt (so all its indexes must be created again).
  bool plan_object_change(const ObjectDef& before, const ObjectDef& after) {
    bool rebuild = false;
    std::vector<std::string> lossy;
    for (const auto& old_field : before.fields) {
      if (!old_field.is_stored()) continue;
      const FieldDef* new_field = after.find_field(old_field.name);
      if (!new_field || !new_field->is_stored()) {
        lossy.push_back("drop field " + after.name + "." + old_field.name);
      } else if (storage_signature(old_field) != storage_signature(*new_field)) {
        lossy.push_back(fmt::format("retype field {}.{} from {} to {} (its values are cleared)", after.name,
                                    old_field.name, storage_signature(old_field), storage_signature(*new_field)));
      } else if (reference_signature(old_field) != reference_signature(*new_field)) {
        plan.steps.push_back(fmt::format("change lookup {}.{} to {}", after.name, old_field.name,
                                         reference_signature(*new_field)));
        rebuild = true;
      }
    }
    if (!lossy.empty()) {
      std::string step;
      for (const auto& item : lossy) step += (step.empty() ? "" : "; ") + item;
      destructive(step, rebuild_sql(before, after));
      return allow_destructive;
    }
    if (rebuild) {
      for (auto& statement : rebuild_sql(before, after)) plan.sql.push_back(std::move(statement));
      return true;
    }
    for (const auto& field : after.fields) {
      const FieldDef* old_field = before.find_field(field.name);
      if (field.is_stored() && (!old_field || !old_field->is_stored())) {
        plan.steps.push_back("add field " + after.name + "." + field.name);
        plan.sql.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {}", quote(after.name), column_definition(field)));
      }
    }
    return false;
  }

  // SQLite's documented rebuild: new table, copy the columns that keep their storage, swap.
  std::vector<std::string> rebuild_sql(const ObjectDef& before, const ObjectDef& after) {
    std::string scratch = after.name + "__hotcrm_rebuild";
    std::string columns = "\"id\", \"created_at\", \"updated_at\", \"created_by\", \"updated_by\", \"owner_id\", "
                          "\"tenant_id\", \"version\"";
    for (const auto& field : after.fields) {
      const FieldDef* old_field = before.find_field(field.name);
      if (field.is_stored() && old_field && old_field->is_stored() &&
          storage_signature(*old_field) == storage_signature(field))
        columns += ", " + quote(field.name);
    }
    return {"DROP TABLE IF EXISTS " + quote(scratch), create_table_sql(after, scratch),
            fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM {2}", quote(scratch), columns, quote(after.name)),
            "DROP TABLE " + quote(after.name),
            fmt::format("ALTER TABLE {} RENAME TO {}", quote(scratch), quote(after.name))};
  }

  void plan_indexes(const ObjectDef& object, bool existed) {
    auto current = existed ? existing_indexes(connection, object.name) : std::map<std::string, std::string>{};
    std::set<std::string> wanted;
    for (const auto& index : desired_indexes(object)) {
      wanted.insert(index.name);
      auto found = current.find(index.name);
      if (found == current.end()) {
        if (existed) plan.steps.push_back("create index " + index.name);
        plan.sql.push_back(index.sql);
      } else if (found->second != index.sql) {
        // Same name, other definition (files from before unique values became per tenant, or
        // before lookup indexes became partial): rebuild.
        plan.steps.push_back("rebuild index " + index.name);
        plan.sql.push_back("DROP INDEX " + quote(index.name));
        plan.sql.push_back(index.sql);
      }
    }
    for (const auto& [name, sql] : current)
      if (!wanted.count(name) && (name.starts_with("ix_") || name.starts_with("ux_"))) {
        plan.steps.push_back("drop index " + name);
        plan.sql.insert(plan.sql.begin(), "DROP INDEX IF EXISTS " + quote(name));
      }
  }
};

}  // namespace

std::optional<Catalog> read_stored_catalog(Connection& connection) {
  auto& app = connection.prepare("PRAGMA application_id");
  app.step();
  auto application_id = static_cast<std::int32_t>(app.column_int(0));
  app.reset();
  const auto format_version = stored_format_version(connection);
  if (application_id != 0 && application_id != kApplicationId)
    throw SchemaError(ErrorCode::schema, "the file is an SQLite database of another application, not hotcrm");
  if (format_version > kFormatVersion)
    throw SchemaError(ErrorCode::schema, fmt::format("the database has format version {}, newer than this library's {}",
                                                     format_version, kFormatVersion));
  if (!table_exists(connection, "_hotcrm_catalog")) {
    auto& tables = connection.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    tables.step();
    auto count = tables.column_int(0);
    tables.reset();
    if (count > 0)
      throw SchemaError(ErrorCode::schema, "the file holds tables but no hotcrm catalog: not a hotcrm database");
    return std::nullopt;
  }
  auto& statement = connection.prepare("SELECT json FROM _hotcrm_catalog WHERE id = 1");
  if (!statement.step()) {
    statement.reset();
    return std::nullopt;
  }
  std::string json(statement.column_text(0));
  statement.reset();
  try {
    return Catalog::from_json(json, "stored catalog");
  } catch (const SchemaError& error) {
    throw SchemaError(ErrorCode::schema, std::string("the catalog stored in the database is invalid: ") + error.what());
  }
}

namespace {

/// What a roll-up's stored values depend on: its definition and the aggregated child field's.
std::string rollup_signature(const Catalog& catalog, const FieldDef& field) {
  const Rollup& rollup = *field.rollup;
  std::string signature = fmt::format("{}|{}|{}|{}|{}|{}", rollup.object, rollup.via, rollup.function, rollup.field,
                                      rollup.filter, storage_signature(field));
  if (const ObjectDef* child = catalog.find(rollup.object)) {
    if (const FieldDef* summed = child->find_field(rollup.field))
      signature += "|" + storage_signature(*summed) + "|" + summed->expression;
  }
  return signature;
}

/// The roll-ups of `target` whose stored values no longer hold: new ones (on a new or an existing
/// field) and changed ones. A new database has no records, so nothing to recompute.
std::vector<std::pair<std::string, std::string>> changed_rollups(const std::optional<Catalog>& stored,
                                                                 const Catalog& target) {
  std::vector<std::pair<std::string, std::string>> changed;
  if (!stored) return changed;
  for (const auto& object : target.objects()) {
    const ObjectDef* before = stored->find(object.name);
    if (!before) continue;  // a new table: its records start with a roll-up of nothing
    for (const auto& field : object.fields) {
      if (!field.rollup) continue;
      const FieldDef* old_field = before->find_field(field.name);
      if (!old_field || !old_field->rollup ||
          rollup_signature(*stored, *old_field) != rollup_signature(target, field))
        changed.emplace_back(object.name, field.name);
    }
  }
  return changed;
}

}  // namespace

SchemaPlan plan_schema(Connection& connection, const std::optional<Catalog>& stored, const Catalog& target,
                       bool allow_destructive) {
  Planner planner{connection, stored, target, allow_destructive, {}};
  planner.run();
  planner.plan.rollups = changed_rollups(stored, target);
  for (const auto& [object, field] : planner.plan.rollups)
    planner.plan.steps.push_back("recompute roll-up " + object + "." + field);
  return std::move(planner.plan);
}

std::int32_t stored_format_version(Connection& connection) {
  auto& version = connection.prepare("PRAGMA user_version");
  version.step();
  const auto stored = static_cast<std::int32_t>(version.column_int(0));
  version.reset();
  return stored;
}

void mark_format_version(Connection& connection) {
  if (stored_format_version(connection) < kFormatVersion) connection.exec(fmt::format("PRAGMA user_version = {}", kFormatVersion));
}

void apply_schema(Connection& connection, const SchemaPlan& plan, const Catalog& target,
                  const std::function<void()>& before_commit) {
  // Table rebuilds need foreign keys off (a PRAGMA that only works outside a transaction);
  // integrity is re-checked with foreign_key_check before commit.
  connection.exec("PRAGMA foreign_keys = OFF");
  try {
    Transaction transaction(connection);
    connection.exec(
        "CREATE TABLE IF NOT EXISTS _hotcrm_catalog (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL) STRICT;"
        "CREATE TABLE IF NOT EXISTS _hotcrm_autonumber (object TEXT NOT NULL, field TEXT NOT NULL, "
        "value INTEGER NOT NULL, PRIMARY KEY (object, field)) STRICT, WITHOUT ROWID;");
    connection.exec(registry_schema::kRegistryDdl);
    for (const auto& sql : plan.sql) connection.exec(sql);
    auto& check = connection.prepare("PRAGMA foreign_key_check");
    if (check.step()) {
      std::string table(check.column_text(0));
      check.reset();
      throw SchemaError(ErrorCode::schema_conflict,
                        "the migration would leave records of '" + table + "' pointing at missing parents");
    }
    check.reset();
    if (before_commit) before_commit();
    auto& store = connection.prepare("INSERT OR REPLACE INTO _hotcrm_catalog (id, json) VALUES (1, ?)");
    store.bind_text(1, target.to_json());
    store.step();
    store.reset();
    connection.exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}", kApplicationId, kFormatVersion));
    transaction.commit();
  } catch (...) {
    connection.clear_cache();
    connection.exec("PRAGMA foreign_keys = ON");
    throw;
  }
  connection.clear_cache();
  connection.exec("PRAGMA foreign_keys = ON");
}

}  // namespace hotcrm::detail
