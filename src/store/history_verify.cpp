// Reading the field history back, typed, and recomputing its hash chain.
#include <algorithm>
#include <cstdlib>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "model/coerce.hpp"
#include "store/access.hpp"
#include "store/codec.hpp"
#include "store/field_cipher.hpp"
#include "store/history.hpp"

namespace hotcrm::detail {

namespace {

constexpr const char* kEntryColumns =
    "seq, tenant_id, object, record_id, field, operation, old_value, new_value, actor, at, salt, digest, hash";

std::optional<std::string> optional_column(const Statement& statement, int column) {
  if (statement.column_is_null(column)) return std::nullopt;
  return std::string(statement.column_text(column));
}

ChainEntry read_chain_entry(const Statement& statement) {
  return ChainEntry{statement.column_int(0),
                    std::string(statement.column_text(1)),
                    std::string(statement.column_text(2)),
                    std::string(statement.column_text(3)),
                    std::string(statement.column_text(4)),
                    std::string(statement.column_text(5)),
                    optional_column(statement, 6),
                    optional_column(statement, 7),
                    std::string(statement.column_text(8)),
                    statement.column_int(9)};
}

/// A stored JSON value, typed by the field when the catalog still has it (else as JSON reads).
/// A sealed value of an encrypted field is opened with `cipher` (an error when its key is missing).
Value typed_value(const std::optional<std::string>& stored, const FieldDef* field, const FieldCipher* cipher) {
  if (!stored) return {};
  Value value;
  try {
    value = Value::from_json(*stored);
  } catch (const Error&) {
    return Value(*stored);  // not a value written by the triggers: shown as stored
  }
  if (!field || value.is_null()) return value;
  if (value.kind() == ValueKind::text && value.as_string().starts_with(kSealedPrefix)) {
    const std::string sealed = from_base64(std::string_view(value.as_string()).substr(kSealedPrefix.size()));
    return open_value(cipher, *field, sealed);
  }
  Value typed;
  if (coerce_value(*field, value, typed)) return value;  // the field's type changed since
  return typed;
}

}  // namespace

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

std::vector<HistoryEntry> Session::history(std::string_view object, std::string_view id) {
  std::lock_guard lock(impl_->mutex);
  const auto& plan = impl_->plan(object);
  const ObjectDef& definition = *plan.object;
  const detail::FieldCipher* cipher = impl_->db().cipher();
  // A user reads the history of the records it can read now (a deleted record's history is the
  // administrator's), without the fields hidden from it.
  detail::AccessGuard guard(*impl_, context_);
  auto* scope = guard.scope();
  if (scope && !scope->record_allowed(plan, id, ShareAccess::read)) return {};
  const std::set<std::string> hidden = scope ? scope->object(definition).hidden : std::set<std::string>();
  auto& statement = impl_->db().prepare(fmt::format(
      "SELECT {} FROM _hotcrm_history WHERE object = ? AND record_id = ? AND tenant_id = ? ORDER BY seq",
      detail::kEntryColumns));
  statement.bind_text(1, object);
  statement.bind_text(2, id);
  statement.bind_text(3, context_.tenant);
  std::vector<HistoryEntry> entries;
  while (statement.step()) {
    auto chain = detail::read_chain_entry(statement);
    HistoryEntry entry;
    entry.sequence = chain.sequence;
    entry.at = DateTime{chain.at};
    entry.actor = std::move(chain.actor);
    entry.operation = std::move(chain.operation);
    entry.object = std::move(chain.object);
    entry.record_id = std::move(chain.record_id);
    entry.erased = statement.column_is_null(10);
    entry.hash = detail::to_hex(statement.column_blob(12));
    if (!chain.field.empty() || !detail::is_snapshot(entry.operation)) {
      if (hidden.count(chain.field)) continue;
      const FieldDef* field = definition.find_field(chain.field);
      entry.field = std::move(chain.field);
      entry.old_value = detail::typed_value(chain.old_value, field, cipher);
      entry.new_value = detail::typed_value(chain.new_value, field, cipher);
      entries.push_back(std::move(entry));
      continue;
    }
    // A created or deleted record: one entry per field of the stored JSON object.
    const bool created = entry.operation == "create";
    for (auto& [name, value] : detail::snapshot_values(created ? chain.new_value : chain.old_value)) {
      if (hidden.count(name)) continue;
      HistoryEntry field_entry = entry;
      field_entry.field = name;
      (created ? field_entry.new_value : field_entry.old_value) =
          detail::typed_value(std::optional<std::string>(value), definition.find_field(name), cipher);
      entries.push_back(std::move(field_entry));
    }
  }
  statement.reset();
  return entries;
}

namespace {

/// Walks the chain once, oldest first, keeping only what later checks need.
class ChainVerifier {
 public:
  explicit ChainVerifier(HistoryVerification& report) : report_(report) {}

  /// False once an entry fails (the report names it).
  bool check(const detail::Statement& row) {
    const auto entry = detail::read_chain_entry(row);
    ++report_.entries;
    if (entry.sequence != expected_) {
      return fail(expected_, entry.sequence > expected_
                                 ? fmt::format("entry {} is missing: the next stored entry is {} (entries were deleted)",
                                               expected_, entry.sequence)
                                 : fmt::format("entry {} is stored out of order", entry.sequence));
    }
    const auto salt = row.column_blob(10);
    const auto digest = row.column_blob(11);
    const bool erased = row.column_is_null(10);
    detail::Digest values{};
    if (erased) {
      if (digest.size() != values.size()) return fail(entry.sequence, "an erased entry has lost its values digest");
      std::copy(digest.begin(), digest.end(), reinterpret_cast<char*>(values.data()));
      erased_.emplace(entry.sequence, detail::erased_values_digest(entry.old_value, entry.new_value));
    } else {
      if (!row.column_is_null(11)) return fail(entry.sequence, "an entry has both a salt and an erasure digest");
      values = detail::value_digest(salt, entry.old_value, entry.new_value);
    }
    const auto hash = detail::chain_hash(previous_, entry, values);
    const auto stored = row.column_blob(12);
    if (stored.size() != hash.size() || !std::equal(hash.begin(), hash.end(), reinterpret_cast<const std::uint8_t*>(stored.data())))
      return fail(entry.sequence, "its hash does not match its content and the previous entry's hash (the entry was "
                                  "changed, or entries were reordered or removed before it)");
    if (entry.operation == "gdpr_erase" && !read_erasure(entry)) return false;
    previous_.assign(reinterpret_cast<const char*>(hash.data()), hash.size());
    report_.head = detail::to_hex(hash);
    ++expected_;
    return true;
  }

  /// Every erased entry must be vouched for by a later erasure entry, values included.
  void finish() {
    for (const auto& [sequence, digest] : erased_) {
      auto claim = claims_.find(sequence);
      if (claim == claims_.end()) {
        fail(sequence, "its values were erased, but no gdpr_erase entry lists it");
        return;
      }
      if (claim->second != digest) {
        fail(sequence, "its values were changed after they were erased");
        return;
      }
    }
  }

 private:
  bool read_erasure(const detail::ChainEntry& entry) {
    auto detail = nlohmann::json::parse(entry.new_value.value_or(""), nullptr, false);
    auto erased = detail.is_object() ? detail.find("erased") : detail.end();
    if (erased == detail.end() || !erased->is_object()) return fail(entry.sequence, "a gdpr_erase entry without its list");
    for (const auto& [key, value] : erased->items()) {
      const auto sequence = std::strtoll(key.c_str(), nullptr, 10);
      if (sequence <= 0 || sequence >= entry.sequence || !value.is_string())
        return fail(entry.sequence, "a gdpr_erase entry lists an entry that does not precede it");
      claims_[sequence] = value.get<std::string>();
    }
    return true;
  }

  bool fail(std::int64_t sequence, std::string problem) {
    report_.ok = false;
    report_.broken_at = sequence;
    report_.problem = std::move(problem);
    return false;
  }

  HistoryVerification& report_;
  std::int64_t expected_ = 1;
  std::string previous_;
  std::map<std::int64_t, std::string> erased_;  ///< erased entry -> digest of its current values
  std::map<std::int64_t, std::string> claims_;  ///< erased entry -> digest its latest erasure recorded
};

}  // namespace

HistoryVerification Database::verify_history() {
  std::lock_guard lock(impl_->mutex);
  HistoryVerification report;
  auto& exists = impl_->db().prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_hotcrm_history'");
  const bool has_history = exists.step();
  exists.reset();
  if (!has_history) return report;  // a file no writable session has opened since history came
  // One read transaction: a writer of another connection cannot make the walk see half a write.
  detail::Transaction snapshot(impl_->db(), detail::Transaction::Mode::read);
  auto& statement = impl_->db().prepare(fmt::format("SELECT {} FROM _hotcrm_history ORDER BY seq", detail::kEntryColumns));
  ChainVerifier verifier(report);
  bool intact = true;
  while (intact && statement.step()) intact = verifier.check(statement);
  statement.reset();
  if (intact) verifier.finish();
  return report;
}

}  // namespace v0
}  // namespace hotcrm
