#pragma once
// Accountability: the field history (an append-only, hash-chained log of every change of tracked
// fields), its verification, and the GDPR export / erasure reports. docs/security.md explains the
// guarantees and the chain's design.

#include <cstdint>
#include <string>
#include <vector>

#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

/// One change of one tracked field of one record, or an audit entry (GDPR export or erasure, field
/// empty). A create or delete is stored as one chained entry for all the record's fields: its
/// fields share the sequence and hash.
struct HistoryEntry {
  std::int64_t sequence = 0;  ///< position of the stored entry in the hash chain, 1, 2, 3, ...
  DateTime at;                ///< the session clock at the write
  std::string actor;          ///< the acting user
  std::string operation;      ///< "create", "update", "delete"; audit entries "gdpr_export", "gdpr_erase"
  std::string object;
  std::string record_id;
  std::string field;          ///< the field changed (empty for audit entries)
  Value old_value;            ///< typed by the field (null on create); audit entries: null
  Value new_value;            ///< typed by the field (null on delete); audit entries: a JSON text
  bool erased = false;        ///< rewritten by erase_person (personal values cleared, free text scrubbed)
  std::string hash;           ///< hex SHA-256 chaining this entry to the previous one
};

/// The result of recomputing the history's hash chain (Database::verify_history).
struct HistoryVerification {
  bool ok = true;
  std::int64_t entries = 0;      ///< entries read
  std::string head;              ///< hex hash of the last entry: keep it elsewhere as an anchor
  std::int64_t broken_at = 0;    ///< sequence of the first entry that fails (0 when ok)
  std::string problem;           ///< why it fails
};

/// What Session::erase_person changed.
struct ErasureReport {
  std::vector<std::pair<std::string, std::string>> records;  ///< (object, id) anonymised
  std::int64_t fields = 0;           ///< personal-data values cleared in records
  std::int64_t history_entries = 0;  ///< history entries whose values were anonymised
  std::int64_t journal_rows = 0;     ///< outbox / workflow-log rows scrubbed of the address
};

}  // namespace v0
}  // namespace hotcrm
