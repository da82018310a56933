#pragma once
// A small catalog exercising every field type and delete behaviour, and a helper that dumps a
// whole database so a test can prove that a failed operation changed nothing.
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "hotcrm/hotcrm.hpp"

namespace hotcrm::test {

inline const char* kTestCatalog = R"([
  {"name": "company", "label": "Company", "fields": [
    {"name": "name", "type": "text", "required": true, "unique": true, "max_length": 40},
    {"name": "industry", "type": "select", "indexed": true,
     "options": [{"value": "technology", "label": "Technology"}, {"value": "finance", "label": "Finance"},
                 {"value": "retail", "label": "Retail"}]},
    {"name": "revenue", "type": "currency", "scale": 2, "precision": 15, "min": 0},
    {"name": "employees", "type": "number", "min": 0, "max": 1000000},
    {"name": "rating", "type": "number", "scale": 1, "min": 0, "max": 5},
    {"name": "website", "type": "url"},
    {"name": "founded", "type": "date"},
    {"name": "active", "type": "boolean", "default": true},
    {"name": "tags", "type": "multiselect", "options": ["b2b", "b2c", "public"]},
    {"name": "parent_id", "type": "lookup", "reference": "company"}
  ]},
  {"name": "person", "fields": [
    {"name": "last_name", "type": "text", "required": true},
    {"name": "email", "type": "email", "unique": true},
    {"name": "phone", "type": "phone"},
    {"name": "company_id", "type": "lookup", "reference": "company", "on_delete": "cascade"},
    {"name": "discount", "type": "percent", "scale": 2, "min": 0, "max": 100},
    {"name": "last_seen", "type": "datetime", "default": "$now"},
    {"name": "signed_up", "type": "date", "default": "$today"},
    {"name": "assistant", "type": "text", "default": "$current_user"}
  ]},
  {"name": "deal", "fields": [
    {"name": "title", "type": "text", "required": true},
    {"name": "company_id", "type": "lookup", "reference": "company", "on_delete": "restrict", "required": true},
    {"name": "contact_id", "type": "lookup", "reference": "person"},
    {"name": "amount", "type": "currency", "scale": 2},
    {"name": "number", "type": "autonumber", "format": "D-{YYYY}-{0000}"},
    {"name": "stage", "type": "select", "default": "open", "options": ["open", "won", "lost"]}
  ]}
])";

inline Catalog test_catalog() { return Catalog::from_json(kTestCatalog, "test catalog"); }

inline OpenOptions test_options() {
  OpenOptions options;
  options.catalog = test_catalog();
  options.clock = fixed_clock(DateTime::parse("2026-03-04T05:06:07Z"));
  options.id_seed = 42;
  return options;
}

/// Every row of every table, as text: equal dumps mean an unchanged database.
inline std::string dump_database(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string out;
  auto collect = [](void* target, int columns, char** values, char** names) {
    auto& text = *static_cast<std::string*>(target);
    for (int i = 0; i < columns; ++i) text += std::string(names[i]) + "=" + (values[i] ? values[i] : "NULL") + ";";
    text += "\n";
    return 0;
  };
  std::string tables;
  sqlite3_exec(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type='table' ORDER BY name)",
               [](void* target, int, char** values, char**) {
                 *static_cast<std::string*>(target) = values[0] ? values[0] : "";
                 return 0;
               },
               &tables, nullptr);
  out += "tables: " + tables + "\n";
  std::size_t start = 0;
  while (start < tables.size()) {
    auto end = tables.find(',', start);
    auto table = tables.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string sql = "SELECT * FROM \"" + table + "\" ORDER BY 1";
    sqlite3_exec(db, sql.c_str(), collect, &out, nullptr);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  sqlite3_close(db);
  return out;
}

/// The rows of `sql` (one text parameter) read straight from the file, every column as text
/// (NULL reads as ""). A file that does not open or SQL that does not prepare throws, so that a
/// test expecting no rows cannot pass on an error.
inline std::vector<std::vector<std::string>> raw_rows(const std::filesystem::path& path, const char* sql,
                                                      const std::string& parameter) {
  sqlite3* db = nullptr;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("raw_rows: " + path.string() + ": " + message);
  }
  sqlite3_bind_text(statement, 1, parameter.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < sqlite3_column_count(statement); ++c) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
      row.emplace_back(text ? text : "");
    }
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

/// Runs `sql` on the file through a connection of its own (to make old file formats, say);
/// returns SQLite's result code.
inline int raw_exec(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open(path.c_str(), &db);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

/// The message of the hotcrm::Error `fn` throws, or "(no error)" when it returns normally.
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

/// The codes of a ValidationError / ConflictError thrown by `fn`, as "field:code" strings.
template <class Fn>
std::vector<std::string> rejection_codes(Fn&& fn) {
  try {
    fn();
  } catch (const ValidationError& error) {
    std::vector<std::string> codes;
    for (const auto& e : error.errors()) codes.push_back(e.field + ":" + e.code);
    return codes;
  } catch (const ConflictError& error) {
    std::vector<std::string> codes;
    for (const auto& e : error.errors()) codes.push_back(e.field + ":" + e.code);
    if (codes.empty()) codes.push_back("conflict");
    return codes;
  }
  return {};
}

}  // namespace hotcrm::test
