#pragma once
// Generated DDL and in-place migrations from the stored catalog to the one in force.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hotcrm/model/catalog.hpp"
#include "store/sqlite.hpp"

namespace hotcrm::detail {

constexpr std::int32_t kApplicationId = 0x48435243;  // "HCRC"
/// 2: the field history (_hotcrm_history). A library that predates it must not write to a file
/// whose changes are being recorded, so the version goes up on the first writable open.
/// 3: unique values are unique per tenant (indexes on tenant_id and the field); a writable open of
/// an older file rebuilds those indexes.
/// 4: lookup indexes are partial (WHERE the lookup IS NOT NULL); a writable open of an older file
/// rebuilds them.
constexpr std::int32_t kFormatVersion = 4;

/// PRAGMA user_version: 0 for a new file.
std::int32_t stored_format_version(Connection& connection);

/// The catalog stored in the file, or nullopt for a database hotcrm has not initialised.
/// Throws SchemaError for a file that belongs to another application or a newer format.
std::optional<Catalog> read_stored_catalog(Connection& connection);

struct SchemaPlan {
  std::vector<std::string> steps;         ///< human-readable, in order
  std::vector<std::string> refused;       ///< destructive changes not allowed
  std::vector<std::string> sql;           ///< statements to run inside one transaction
  /// Roll-ups (object, field) whose stored values must be recomputed: new ones, and ones whose
  /// definition or aggregated child field changed.
  std::vector<std::pair<std::string, std::string>> rollups;
};

/// Compares the stored catalog with the target and plans the DDL. Destructive changes are listed
/// in `refused` unless allowed.
SchemaPlan plan_schema(Connection& connection, const std::optional<Catalog>& stored, const Catalog& target,
                       bool allow_destructive);
/// Sets PRAGMA user_version to kFormatVersion when it is lower (writable opens).
void mark_format_version(Connection& connection);
/// Runs a plan atomically (foreign keys checked before commit) and stores the target catalog;
/// `before_commit` (the roll-up recomputation) runs inside the same transaction, after the DDL.
void apply_schema(Connection& connection, const SchemaPlan& plan, const Catalog& target,
                  const std::function<void()>& before_commit = {});

}  // namespace hotcrm::detail
