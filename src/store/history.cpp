// The field history: recorded by temporary SQL triggers, so that every write path (insert, update,
// delete, bulk import, workflow field updates, state transitions, and the cascades and set-nulls
// SQLite runs for deleted parents) writes its entries inside the statement that makes the change,
// hence in its transaction (a failed statement takes its entries with it); chained by SHA-256.
//
// Why triggers rather than C++ calls in each write path: a cascade is performed by SQLite itself,
// and a write path added later (by the workflow engine or anyone) is covered without knowing about
// history. Each trigger is one call per row of hotcrm_history_row(), which compares, encodes,
// hashes and inserts the entries with a prepared statement: trigger bodies stay small (opening a
// database compiles them), and the chain head is read once per row. The triggers are TEMP (this
// connection only): they call this library's function, which other programs opening the file lack.
#include "store/history.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "model/coerce.hpp"
#include "store/codec.hpp"
#include "store/field_cipher.hpp"

namespace hotcrm::detail {

namespace {

constexpr std::size_t kSaltBytes = 16;

// ---- canonical encoding --------------------------------------------------------------------

void put_integer(Sha256& hasher, std::int64_t value) {
  std::array<std::uint8_t, 8> bytes;
  for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (56 - 8 * i));
  hasher.update(bytes.data(), bytes.size());
}

void put_length(Sha256& hasher, std::uint32_t length) {
  const std::array<std::uint8_t, 4> bytes{static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
                                          static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
  hasher.update(bytes.data(), bytes.size());
}

/// Length-prefixed, so that no two different field sequences hash the same bytes.
void put_text(Sha256& hasher, std::string_view text) {
  put_length(hasher, static_cast<std::uint32_t>(text.size()));
  hasher.update(text);
}

void put_optional(Sha256& hasher, const std::optional<std::string>& text) {
  if (!text) put_length(hasher, 0xFFFFFFFF);  // SQL NULL differs from every text, "null" included
  else put_text(hasher, *text);
}

std::string_view as_bytes(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::array<std::uint8_t, kSaltBytes> derive_salt(const HistoryState& state, std::int64_t sequence) {
  // A keyed digest of the entry's position: random to anyone without the connection's key, which
  // is never stored (one SHA-256 block).
  Sha256 hasher;
  hasher.update(state.salt_key.data(), state.salt_key.size());
  put_integer(hasher, sequence);
  auto digest = hasher.finish();
  std::array<std::uint8_t, kSaltBytes> salt;
  std::copy_n(digest.begin(), kSaltBytes, salt.begin());
  return salt;
}

/// JSON of a stored value as Value::to_json writes it, without building a Value for the common
/// cases (ASCII text, integers, booleans): the history encodes every value of a bulk import.
std::optional<std::string> json_of(sqlite3_value* value, const FieldDef& field) {
  const int type = sqlite3_value_type(value);
  if (type == SQLITE_NULL) return std::nullopt;
  if (field.encrypted) {
    // The sealed bytes as they are stored, never the clear value: reading the history opens them
    // (so a retired key stays needed for old entries), and an erasure clears them like any value.
    const auto* bytes = static_cast<const char*>(sqlite3_value_blob(value));
    const std::string_view sealed(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_value_bytes(value)));
    return Value(std::string(kSealedPrefix) + to_base64(sealed)).to_json();
  }
  if (type == SQLITE_INTEGER && (field.is_integer() || field.type == FieldType::autonumber))
    return std::to_string(sqlite3_value_int64(value));
  if (type == SQLITE_INTEGER && field.type == FieldType::boolean)
    return std::string(sqlite3_value_int64(value) != 0 ? "true" : "false");
  if (type == SQLITE_TEXT && field.type != FieldType::multiselect) {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_value_text(value));
    const std::string_view text(bytes, static_cast<std::size_t>(sqlite3_value_bytes(value)));
    std::string quoted;
    quoted.reserve(text.size() + 2);
    quoted += '"';
    for (char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x80) return read_value(value, field).to_json();  // UTF-8 checks: Value::to_json
      if (byte < 0x20) {
        quoted += fmt::format("\\u{:04x}", byte);
      } else {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
    }
    quoted += '"';
    return quoted;
  }
  return read_value(value, field).to_json();
}

/// Appends entries to the chain: reads the head once, then chains in memory. Used by the triggers'
/// function for the entries of one row, and for audit entries.
class ChainAppender {
 public:
  explicit ChainAppender(HistoryState& state)
      : state_(state),
        insert_(state.impl->db().prepare(
            "INSERT INTO _hotcrm_history (seq, tenant_id, object, record_id, field, operation, old_value, new_value, "
            "actor, at, salt, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
    auto& head = state.impl->db().prepare("SELECT seq, hash FROM _hotcrm_history ORDER BY seq DESC LIMIT 1");
    if (head.step()) {
      sequence_ = head.column_int(0);
      previous_ = head.column_blob(1);
    }
    head.reset();
  }

  /// Appends `entry` (its sequence is assigned here).
  void append(ChainEntry& entry) {
    entry.sequence = ++sequence_;
    const auto salt = derive_salt(state_, entry.sequence);
    const std::string_view salt_bytes(reinterpret_cast<const char*>(salt.data()), salt.size());
    const auto hash = chain_hash(previous_, entry, value_digest(salt_bytes, entry.old_value, entry.new_value));
    insert_.bind_int(1, entry.sequence);
    insert_.bind_text_unowned(2, entry.tenant);
    insert_.bind_text_unowned(3, entry.object);
    insert_.bind_text_unowned(4, entry.record_id);
    insert_.bind_text_unowned(5, entry.field);
    insert_.bind_text_unowned(6, entry.operation);
    if (entry.old_value) insert_.bind_text_unowned(7, *entry.old_value);
    else insert_.bind_null(7);
    if (entry.new_value) insert_.bind_text_unowned(8, *entry.new_value);
    else insert_.bind_null(8);
    insert_.bind_text_unowned(9, entry.actor);
    insert_.bind_int(10, entry.at);
    insert_.bind_blob(11, salt_bytes);
    insert_.bind_blob(12, as_bytes(hash));
    insert_.step();
    insert_.reset();
    previous_.assign(reinterpret_cast<const char*>(hash.data()), hash.size());
  }

 private:
  HistoryState& state_;
  Statement& insert_;  // cached by the connection; no DDL runs while a row is recorded
  std::int64_t sequence_ = 0;
  std::string previous_;
};

// ---- the SQL function the triggers call ----------------------------------------------------

constexpr const char* kOperations[] = {"create", "update", "delete"};
constexpr int kFixedArguments = 6;      // object, operation, first field, id, tenant, at
constexpr std::size_t kChunkValues = 100;  // values per call: SQLite allows 127 arguments

std::string text_of(sqlite3_value* value) {
  const auto* bytes = reinterpret_cast<const char*>(sqlite3_value_text(value));
  return std::string(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_value_bytes(value)));
}

/// IS NOT for two stored values of one column (STRICT tables: one storage class per column).
bool same_value(sqlite3_value* a, sqlite3_value* b) {
  const int type = sqlite3_value_type(a);
  if (type != sqlite3_value_type(b)) return false;
  switch (type) {
    case SQLITE_NULL: return true;
    case SQLITE_INTEGER: return sqlite3_value_int64(a) == sqlite3_value_int64(b);
    case SQLITE_FLOAT: return sqlite3_value_double(a) == sqlite3_value_double(b);
    default: return text_of(a) == text_of(b);
  }
}

/// hotcrm_history_row(object, operation, first field, id, tenant, at, values...): the entries of
/// one written row, for the object's tracked fields from `first field` on. Values are the new
/// ones (create), the old ones (delete), or old and new pairs (update). `at` NULL: the session clock.
/// A create or delete is one entry whose value is a JSON object of the fields holding a value (field
/// empty): a bulk import writes one entry per row. An update is one entry per changed field.
void history_row(sqlite3_context* context, int argc, sqlite3_value** argv) {
  auto& state = *static_cast<HistoryState*>(sqlite3_user_data(context));
  if (state.paused > 0) return sqlite3_result_null(context);
  try {
    const auto object_index = static_cast<std::size_t>(sqlite3_value_int64(argv[0]));
    const auto operation = sqlite3_value_int(argv[1]);
    const auto first = static_cast<std::size_t>(sqlite3_value_int64(argv[2]));
    if (object_index >= state.objects.size() || operation < 0 || operation > 2)
      return sqlite3_result_error(context, "hotcrm_history_row: bad arguments", -1);
    const auto& tracked = state.objects[object_index];
    const bool pairs = operation == 1;
    const auto count = static_cast<std::size_t>(argc - kFixedArguments) / (pairs ? 2 : 1);
    if (first + count > tracked.fields.size()) return sqlite3_result_error(context, "hotcrm_history_row: bad arguments", -1);
    ChainEntry entry;
    entry.tenant = text_of(argv[4]);
    entry.object = tracked.object->name;
    entry.record_id = text_of(argv[3]);
    entry.operation = kOperations[operation];
    entry.actor = state.actors.empty() ? std::string("system") : state.actors.back();
    entry.at = sqlite3_value_type(argv[5]) == SQLITE_NULL ? state.impl->now().micros : sqlite3_value_int64(argv[5]);
    if (!pairs) {
      // A created or deleted record: one entry holding every tracked value as a JSON object.
      std::string values;
      for (std::size_t i = 0; i < count; ++i) {
        auto value_json = json_of(argv[kFixedArguments + i], *tracked.fields[first + i]);
        if (!value_json) continue;
        values += values.empty() ? "{\"" : ",\"";
        values += tracked.fields[first + i]->name;
        values += "\":";
        values += *value_json;
      }
      if (values.empty()) return sqlite3_result_null(context);
      values += '}';
      (operation == 0 ? entry.new_value : entry.old_value) = std::move(values);
      ChainAppender(state).append(entry);
      return sqlite3_result_null(context);
    }
    std::optional<ChainAppender> chain;  // the head is read once a row has something to record
    for (std::size_t i = 0; i < count; ++i) {
      const FieldDef& field = *tracked.fields[first + i];
      sqlite3_value* before = argv[kFixedArguments + 2 * i];
      sqlite3_value* after = argv[kFixedArguments + 2 * i + 1];
      if (same_value(before, after)) continue;
      if (!chain) chain.emplace(state);
      entry.field = field.name;
      entry.old_value = json_of(before, field);
      entry.new_value = json_of(after, field);
      chain->append(entry);
    }
    sqlite3_result_null(context);
  } catch (const std::exception& error) {
    // The write fails with it: no change goes unrecorded.
    sqlite3_result_error(context, (std::string("field history: ") + error.what()).c_str(), -1);
  }
}

// ---- triggers ------------------------------------------------------------------------------

/// One trigger statement per chunk of fields: SELECT hotcrm_history_row(...).
std::string row_calls(std::size_t object_index, int operation, const std::vector<const FieldDef*>& fields) {
  const bool pairs = operation == 1;
  const std::size_t chunk = pairs ? kChunkValues / 2 : kChunkValues;
  const char* row = operation == 2 ? "old" : "new";
  const std::string at = operation == 0   ? "new.\"updated_at\""
                         : operation == 1 ? "CASE WHEN new.\"updated_at\" IS NOT old.\"updated_at\" THEN new.\"updated_at\" END"
                                          : "NULL";
  std::string body;
  for (std::size_t first = 0; first < fields.size(); first += chunk) {
    std::string values;
    for (std::size_t i = first; i < std::min(fields.size(), first + chunk); ++i) {
      const std::string column = quote(fields[i]->name);
      if (pairs) values += ", old." + column + ", new." + column;
      else values += fmt::format(", {}.{}", row, column);
    }
    body += fmt::format("SELECT hotcrm_history_row({}, {}, {}, {}.\"id\", {}.\"tenant_id\", {}{});\n", object_index,
                        operation, first, row, row, at, values);
  }
  return body;
}

void install_triggers(Connection& connection, HistoryState& state, const ObjectPlan& plan) {
  const ObjectDef& object = *plan.object;
  HistoryState::Tracked tracked{&object, {}};
  for (const FieldDef* field : plan.columns)
    if (tracks_history(object, *field)) tracked.fields.push_back(field);
  if (tracked.fields.empty()) return;
  const std::size_t index = state.objects.size();
  std::string columns;
  for (const FieldDef* field : tracked.fields) columns += (columns.empty() ? "" : ", ") + quote(field->name);
  const std::string table = "main." + quote(object.name);
  const std::string name = "_hotcrm_history_" + object.name;
  connection.exec(fmt::format(
      "CREATE TEMP TRIGGER {} AFTER INSERT ON {} BEGIN\n{}END;\n"
      "CREATE TEMP TRIGGER {} AFTER UPDATE OF {} ON {} BEGIN\n{}END;\n"
      "CREATE TEMP TRIGGER {} AFTER DELETE ON {} BEGIN\n{}END;",
      quote(name + "_insert"), table, row_calls(index, 0, tracked.fields), quote(name + "_update"), columns, table,
      row_calls(index, 1, tracked.fields), quote(name + "_delete"), table,
      row_calls(index, 2, tracked.fields)));
  state.objects.push_back(std::move(tracked));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> snapshot_values(const std::optional<std::string>& json) {
  std::vector<std::pair<std::string, std::string>> values;
  if (!json) return values;
  auto parsed = nlohmann::ordered_json::parse(*json, nullptr, false);
  if (!parsed.is_object()) return values;
  for (auto& [name, value] : parsed.items()) values.emplace_back(name, value.dump());
  return values;
}

std::string snapshot_json(const std::vector<std::pair<std::string, std::string>>& values) {
  std::string json = "{";
  for (const auto& [name, value] : values) {
    if (json.size() > 1) json += ',';
    json += nlohmann::json(name).dump() + ":" + value;
  }
  return json + "}";
}

Digest value_digest(std::string_view salt, const std::optional<std::string>& old_value,
                    const std::optional<std::string>& new_value) {
  Sha256 hasher;
  hasher.update("V1");  // domain separation: a values digest is never a chain hash
  put_text(hasher, salt);
  put_optional(hasher, old_value);
  put_optional(hasher, new_value);
  return hasher.finish();
}

Digest chain_hash(std::string_view previous, const ChainEntry& entry, const Digest& values) {
  Sha256 hasher;
  hasher.update("H1");
  put_text(hasher, previous);
  put_integer(hasher, entry.sequence);
  put_text(hasher, entry.tenant);
  put_text(hasher, entry.object);
  put_text(hasher, entry.record_id);
  put_text(hasher, entry.field);
  put_text(hasher, entry.operation);
  put_text(hasher, entry.actor);
  put_integer(hasher, entry.at);
  hasher.update(values.data(), values.size());
  return hasher.finish();
}

void create_history_table(Connection& connection) {
  connection.exec(
      "CREATE TABLE IF NOT EXISTS _hotcrm_history (seq INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, "
      "object TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL, operation TEXT NOT NULL, old_value TEXT, "
      "new_value TEXT, actor TEXT NOT NULL, at INTEGER NOT NULL, salt BLOB, digest BLOB, hash BLOB NOT NULL) STRICT;"
      "CREATE INDEX IF NOT EXISTS _hotcrm_history_by_record ON _hotcrm_history (object, record_id);");
}

void install_history(Session::Impl& impl) {
  auto state = std::make_shared<HistoryState>();
  state->impl = &impl;
  std::random_device device;
  for (std::size_t i = 0; i < state->salt_key.size(); i += 4) {
    const auto word = device();
    for (std::size_t j = 0; j < 4; ++j) state->salt_key[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
  }
  int rc = sqlite3_create_function_v2(impl.db().handle(), "hotcrm_history_row", -1, SQLITE_UTF8, state.get(), history_row,
                                      nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(impl.db().handle(), rc, "cannot register the history function");
  for (const auto& object : impl.catalog.objects()) install_triggers(impl.db(), *state, impl.plan(object.name));
  impl.db().clear_cache();  // statements prepared before the triggers existed are compiled without them
  impl.history = std::move(state);
}

ActingUser::ActingUser(Session::Impl& impl, const std::string& user) : state_(impl.history.get()) {
  if (state_) state_->actors.push_back(user);
}

ActingUser::~ActingUser() {
  if (state_) state_->actors.pop_back();
}

HistoryPause::HistoryPause(Session::Impl& impl) : state_(impl.history.get()) {
  if (state_) ++state_->paused;
}

HistoryPause::~HistoryPause() {
  if (state_) --state_->paused;
}

void append_audit_entry(Session::Impl& impl, const std::string& tenant, const std::string& actor,
                        const std::string& operation, const std::string& detail) {
  if (!impl.history) throw UsageError(ErrorCode::usage, "the database is opened read-only");
  ChainEntry entry{0, tenant, "", "", "", operation, std::nullopt, detail, actor, impl.now().micros};
  ChainAppender(*impl.history).append(entry);
}

}  // namespace hotcrm::detail
