#pragma once
// The field history's private parts: the _hotcrm_history table, the temporary triggers that record
// every change of a tracked field inside the statement that makes it, the SQL functions those
// triggers call, and the hash chain (docs/security.md, "Field history").
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sha256.hpp"
#include "store/impl.hpp"

namespace hotcrm::detail {

/// Per-database state read by the history triggers' SQL functions.
struct HistoryState {
  /// An object's tracked fields, in column order (the triggers pass their values in this order).
  struct Tracked {
    const ObjectDef* object = nullptr;
    std::vector<const FieldDef*> fields;
  };
  Session::Impl* impl = nullptr;
  std::vector<Tracked> objects;         ///< by the index the triggers pass
  std::vector<std::string> actors;      ///< acting users of the writes in progress, innermost last
  int paused = 0;                       ///< >0 while erase_person rewrites values (no entries)
  std::array<std::uint8_t, 32> salt_key{};  ///< per-connection secret the entry salts derive from
};

/// Creates _hotcrm_history when missing (writable opens).
void create_history_table(Connection& connection);
/// Registers the SQL functions and installs one temporary trigger per tracked object and operation.
/// Called once the plans are built; the triggers live as long as the connection.
void install_history(Session::Impl& impl);

/// Names the acting user of the writes made while it lives (nested writes keep the outer one's
/// actor unless they name their own).
class ActingUser {
 public:
  ActingUser(Session::Impl& impl, const std::string& user);
  ~ActingUser();
  ActingUser(const ActingUser&) = delete;
  ActingUser& operator=(const ActingUser&) = delete;

 private:
  HistoryState* state_;
};

/// Suspends history entries while it lives: erasure rewrites personal values and must not copy
/// them into new entries.
class HistoryPause {
 public:
  explicit HistoryPause(Session::Impl& impl);
  ~HistoryPause();
  HistoryPause(const HistoryPause&) = delete;
  HistoryPause& operator=(const HistoryPause&) = delete;

 private:
  HistoryState* state_;
};

/// The content of one entry that the chain hashes (everything but the hash itself).
struct ChainEntry {
  std::int64_t sequence = 0;
  std::string tenant;
  std::string object;
  std::string record_id;
  std::string field;
  std::string operation;
  std::optional<std::string> old_value;  ///< JSON text, or SQL NULL
  std::optional<std::string> new_value;
  std::string actor;
  std::int64_t at = 0;
};

/// True for the operations stored as one entry per record (field empty, value a JSON object).
inline bool is_snapshot(std::string_view operation) { return operation == "create" || operation == "delete"; }
/// The fields of a create / delete entry's JSON object, in stored order, each as JSON text.
std::vector<std::pair<std::string, std::string>> snapshot_values(const std::optional<std::string>& json);
/// The same object written back (what erasure stores after clearing or scrubbing values).
std::string snapshot_json(const std::vector<std::pair<std::string, std::string>>& values);

/// SHA-256 over the salt and both values: what the chain covers of an entry's values, so that
/// they can later be erased while the chain still verifies (the digest is kept, the salt dropped).
Digest value_digest(std::string_view salt, const std::optional<std::string>& old_value,
                    const std::optional<std::string>& new_value);
/// SHA-256 of the previous entry's hash (empty for the first) and the entry's canonical content.
Digest chain_hash(std::string_view previous, const ChainEntry& entry, const Digest& values);

/// The digest of an erased entry's anonymised values, as the gdpr_erase entry that erased it
/// records them (hex): verification checks the values against it.
inline std::string erased_values_digest(const std::optional<std::string>& old_value,
                                        const std::optional<std::string>& new_value) {
  return to_hex(value_digest("", old_value, new_value));
}

/// Appends an audit entry (operation gdpr_export / gdpr_erase; `detail` a JSON document without
/// personal data) to the chain, in the transaction open on the connection.
void append_audit_entry(Session::Impl& impl, const std::string& tenant, const std::string& actor,
                        const std::string& operation, const std::string& detail);

}  // namespace hotcrm::detail
