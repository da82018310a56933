#pragma once
// The registry's system tables (see include/hotcrm/scoring/registry.hpp). Created with the catalog's
// own tables when a database is initialised or migrated, and on first use of the registry in files
// made before it existed.

namespace hotcrm::registry_schema {

inline constexpr const char* kRegistryDdl =
    "CREATE TABLE IF NOT EXISTS _hotcrm_models ("
    "name TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, object TEXT NOT NULL, "
    "features TEXT NOT NULL, parameters TEXT NOT NULL, metrics TEXT NOT NULL, "
    "status TEXT NOT NULL CHECK (status IN ('challenger', 'champion', 'retired')), "
    "traffic REAL NOT NULL DEFAULT 0 CHECK (traffic >= 0 AND traffic <= 100), "
    "scale TEXT NOT NULL, reference TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', "
    "created_at INTEGER NOT NULL, PRIMARY KEY (name, version)) STRICT;"
    "CREATE UNIQUE INDEX IF NOT EXISTS _hotcrm_models_champion ON _hotcrm_models (name) WHERE status = 'champion';"
    "CREATE TABLE IF NOT EXISTS _hotcrm_scores ("
    "model TEXT NOT NULL, record_id TEXT NOT NULL, object TEXT NOT NULL, model_version INTEGER NOT NULL, "
    "record_version INTEGER NOT NULL, score REAL, raw REAL, band TEXT, explanation TEXT, "
    "scored_at INTEGER NOT NULL, PRIMARY KEY (model, record_id)) STRICT;";

}  // namespace hotcrm::registry_schema
