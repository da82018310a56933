// GDPR: everything held about a person, found by e-mail address, exported as one JSON document or
// anonymised in place (records, their field history, the engine's journal). docs/security.md.
//
// A person's records are those of this tenant whose personal-data e-mail fields hold the address,
// now or in their history (a deleted lead, a contact whose address changed). Related records are
// the records pointing at one of them through a lookup (cases, ...) or through a polymorphic
// reference, `<x>_object` naming the object and `<x>_id` holding the id (activities, tasks, notes).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "store/access.hpp"
#include "model/coerce.hpp"
#include "store/codec.hpp"
#include "store/history.hpp"
#include "store/recycle_bin.hpp"
#include "store/rows.hpp"
#include "workflow/engine.hpp"

namespace hotcrm::detail {

namespace {

using nlohmann::json;
using RecordKey = std::pair<std::string, std::string>;  ///< (object, id)

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

/// The personal-data e-mail fields of an object: where a person's address is looked for.
std::vector<const FieldDef*> email_fields(const ObjectPlan& plan) {
  std::vector<const FieldDef*> fields;
  for (const FieldDef* field : plan.columns)
    if (field->type == FieldType::email && field->personal_data) fields.push_back(field);
  return fields;
}

/// What is held about one person, found once and used by both export and erasure.
struct PersonFootprint {
  std::vector<RecordKey> records;   ///< stored records holding the address, in catalog order
  std::vector<RecordKey> former;    ///< records known only from history (deleted since)
  std::vector<std::pair<RecordKey, RecordKey>> related;  ///< (child, the person record it points at)
  std::map<RecordKey, std::string> via;                  ///< child -> lookup field

  std::vector<RecordKey> all() const {
    std::vector<RecordKey> keys = records;
    keys.insert(keys.end(), former.begin(), former.end());
    for (const auto& [child, parent] : related) keys.push_back(child);
    return keys;
  }
};

class PersonFinder {
 public:
  PersonFinder(Session::Impl& impl, const std::string& tenant, std::string email)
      : impl_(impl), tenant_(tenant), email_(std::move(email)) {}

  PersonFootprint find() {
    PersonFootprint footprint;
    std::set<RecordKey> seen;
    for (const auto& object : impl_.catalog.objects()) {
      const auto& plan = impl_.plan(object.name);
      for (const FieldDef* field : email_fields(plan)) {
        auto& statement = impl_.db().prepare(fmt::format(
            "SELECT \"id\" FROM {} WHERE lower({}) = lower(?) AND \"tenant_id\" = ? ORDER BY rowid",
            quote(object.name), quote(field->name)));
        statement.bind_text(1, email_);
        statement.bind_text(2, tenant_);
        while (statement.step())
          if (RecordKey key{object.name, std::string(statement.column_text(0))}; seen.insert(key).second)
            footprint.records.push_back(std::move(key));
        statement.reset();
      }
    }
    find_in_history(footprint, seen);
    find_related(footprint, seen);
    return footprint;
  }

 private:
  /// Records whose history shows the address in a personal-data e-mail field.
  void find_in_history(PersonFootprint& footprint, std::set<RecordKey>& seen) {
    // Updates hold the field's JSON value; creates and deletes a JSON object of the record's fields.
    std::string conditions;
    for (const auto& object : impl_.catalog.objects())
      for (const FieldDef* field : email_fields(impl_.plan(object.name)))
        conditions += fmt::format(
            "{0}(object = '{1}' AND ((field = '{2}' AND (lower(old_value) = lower(?2) OR lower(new_value) = lower(?2))) OR "
            "(field = '' AND (lower(CASE WHEN json_valid(old_value) THEN json_extract(old_value, '$.{2}') END) = lower(?3) "
            "OR lower(CASE WHEN json_valid(new_value) THEN json_extract(new_value, '$.{2}') END) = lower(?3)))))",
            conditions.empty() ? "" : " OR ", object.name, field->name);
    if (conditions.empty()) return;
    auto& statement = impl_.db().prepare(fmt::format(
        "SELECT object, record_id FROM _hotcrm_history WHERE tenant_id = ?1 AND ({}) GROUP BY object, record_id "
        "ORDER BY min(seq)",
        conditions));
    statement.bind_text(1, tenant_);
    statement.bind_text(2, Value(email_).to_json());
    statement.bind_text(3, email_);
    while (statement.step()) {
      RecordKey key{std::string(statement.column_text(0)), std::string(statement.column_text(1))};
      if (!seen.insert(key).second) continue;
      if (load_row(impl_, impl_.plan(key.first), key.second, tenant_)) footprint.records.push_back(std::move(key));
      else footprint.former.push_back(std::move(key));
    }
    statement.reset();
  }

  /// Children through lookups, and through polymorphic references: a select field `<x>_object`
  /// naming the object beside a text field `<x>_id` holding the id (activity.who_object/who_id).
  void find_related(PersonFootprint& footprint, std::set<RecordKey>& seen) {
    struct Reference {
      const ObjectDef* child;
      std::string sql;    ///< selects the children's ids; binds the parent's object, id, tenant
      std::string field;  ///< named in the export's "via"
    };
    std::map<std::string, std::vector<Reference>> references;  // parent object -> ways to reach children
    for (const auto& child : impl_.catalog.objects()) {
      for (const auto& field : child.fields) {
        if (field.is_reference())
          references[field.reference].push_back(
              {&child,
               fmt::format("SELECT \"id\" FROM {} WHERE ?1 IS NOT NULL AND {} = ?2 AND \"tenant_id\" = ?3 ORDER BY rowid",
                           quote(child.name), quote(field.name)),
               field.name});
        if (field.type != FieldType::select || !field.name.ends_with("_object")) continue;
        const std::string id_field = field.name.substr(0, field.name.size() - 7) + "_id";
        const FieldDef* ids = child.find_field(id_field);
        if (!ids || ids->type != FieldType::text) continue;
        for (const auto& option : field.options)
          references[option.value].push_back(
              {&child,
               fmt::format("SELECT \"id\" FROM {} WHERE {} = ?1 AND {} = ?2 AND \"tenant_id\" = ?3 ORDER BY rowid",
                           quote(child.name), quote(field.name), quote(id_field)),
               id_field});
      }
    }
    for (const auto& parent : footprint.records) {
      auto found = references.find(parent.first);
      if (found == references.end()) continue;
      for (const auto& reference : found->second) {
        auto& statement = impl_.db().prepare(reference.sql);
        statement.bind_text(1, parent.first);
        statement.bind_text(2, parent.second);
        statement.bind_text(3, tenant_);
        while (statement.step()) {
          RecordKey key{reference.child->name, std::string(statement.column_text(0))};
          if (!seen.insert(key).second) continue;
          footprint.via[key] = reference.field;
          footprint.related.emplace_back(std::move(key), parent);
        }
        statement.reset();
      }
    }
  }

  Session::Impl& impl_;
  const std::string& tenant_;
  std::string email_;
};

json record_json(const Record& record) {
  json fields = json::object();
  for (const auto& [name, value] : record) fields[name] = json::parse(value.to_json());
  return fields;
}

json history_json(const std::vector<HistoryEntry>& entries) {
  json out = json::array();
  for (const auto& entry : entries)
    out.push_back({{"sequence", entry.sequence}, {"at", entry.at.to_string()}, {"actor", entry.actor},
                   {"operation", entry.operation}, {"object", entry.object}, {"record_id", entry.record_id},
                   {"field", entry.field}, {"old_value", json::parse(entry.old_value.to_json())},
                   {"new_value", json::parse(entry.new_value.to_json())}, {"erased", entry.erased}});
  return out;
}

json keys_json(const std::vector<RecordKey>& keys) {
  json out = json::array();
  for (const auto& [object, id] : keys) out.push_back({{"object", object}, {"id", id}});
  return out;
}

/// Outbox messages and log entries about the records, or whose text holds the address.
json journal_json(Session::Impl& impl, const std::string& tenant, const std::set<RecordKey>& keys, const std::string& email) {
  json outbox = json::array(), log = json::array();
  auto& messages = impl.db().prepare(
      "SELECT id, kind, object, record_id, source, payload, status, created_at FROM _hotcrm_outbox "
      "WHERE tenant_id = ? ORDER BY id");
  messages.bind_text(1, tenant);
  auto holds = [&](std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string needle = email;
    std::transform(needle.begin(), needle.end(), needle.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find(needle) != std::string::npos;
  };
  while (messages.step()) {
    RecordKey key{std::string(messages.column_text(2)), std::string(messages.column_text(3))};
    if (!keys.count(key) && !holds(messages.column_text(5))) continue;
    outbox.push_back({{"id", messages.column_int(0)}, {"kind", messages.column_text(1)}, {"object", key.first},
                      {"record_id", key.second}, {"source", messages.column_text(4)},
                      {"payload", json::parse(messages.column_text(5), nullptr, false)}, {"status", messages.column_text(6)},
                      {"created_at", DateTime{messages.column_int(7)}.to_string()}});
  }
  messages.reset();
  auto& entries = impl.db().prepare(
      "SELECT id, at, object, record_id, source, action, detail FROM _hotcrm_workflow_log WHERE tenant_id = ? ORDER BY id");
  entries.bind_text(1, tenant);
  while (entries.step()) {
    RecordKey key{std::string(entries.column_text(2)), std::string(entries.column_text(3))};
    if (!keys.count(key) && !holds(entries.column_text(6))) continue;
    log.push_back({{"sequence", entries.column_int(0)}, {"at", DateTime{entries.column_int(1)}.to_string()},
                   {"object", key.first}, {"record_id", key.second}, {"source", entries.column_text(4)},
                   {"action", entries.column_text(5)}, {"detail", json::parse(entries.column_text(6), nullptr, false)}});
  }
  entries.reset();
  return {{"outbox", std::move(outbox)}, {"workflow_log", std::move(log)}};
}

/// The value a personal-data field takes when erased: blank, or a placeholder when required
/// (unique ones made unique by the record id).
Value anonymised(const FieldDef& field, const std::string& id) {
  if (!field.required) return {};
  switch (field.type) {
    case FieldType::email: return Value("erased-" + id + "@erased.invalid");
    case FieldType::text:
    case FieldType::textarea:
    case FieldType::url: return Value(field.unique ? "erased-" + id : std::string("erased"));
    case FieldType::phone: return Value("000");
    case FieldType::date: return Value(Date{0});
    case FieldType::datetime: return Value(DateTime{0});
    default: return {};
  }
}

bool is_free_text(const FieldDef& field) { return field.type == FieldType::text || field.type == FieldType::textarea; }

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower_ascii);
  return out;
}

/// A byte that continues a word: ASCII letters and digits, and any byte of a multi-byte UTF-8
/// character (so that a match never cuts a non-ASCII word).
bool word_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return std::isalnum(byte) || byte >= 0x80;
}

/// `text` with every whole-word, case-insensitive occurrence of a needle (lowercase) replaced.
std::string scrubbed(const std::string& text, const std::vector<std::string>& needles, std::string_view replacement) {
  std::string out = text;
  for (const auto& needle : needles) {
    std::string lower = lowercase(out);
    std::size_t at = lower.find(needle);
    if (at == std::string::npos) continue;
    std::string next;
    std::size_t copied = 0;
    for (; at != std::string::npos; at = lower.find(needle, at + 1)) {
      const bool starts = at == 0 || !word_byte(out[at - 1]) || !word_byte(needle.front());
      const std::size_t stop = at + needle.size();
      const bool ends = stop == out.size() || !word_byte(out[stop]) || !word_byte(needle.back());
      if (!starts || !ends || at < copied) continue;
      next.append(out, copied, at - copied);
      next += replacement;
      copied = stop;
    }
    next.append(out, copied, std::string::npos);
    out = std::move(next);
  }
  return out;
}

/// Rewrites what is held about a person. `needles` are the person's own text values (lowercase,
/// at least 3 characters: names, addresses, phone numbers, e-mail addresses), which free text about
/// them may repeat ("Follow up with Ada Lovelace").
class Eraser {
 public:
  Eraser(Session::Impl& impl, const SessionContext& context, DateTime now, std::vector<std::string> needles)
      : impl_(impl), context_(context), now_(now), needles_(std::move(needles)) {}

  /// Clears the record's personal-data fields (placeholders for required ones) and scrubs the
  /// person's values from its free text. Returns the number of values changed.
  std::int64_t erase_record(const RecordKey& key) {
    const auto& plan = impl_.plan(key.first);
    auto row = load_row(impl_, plan, key.second, context_.tenant);
    if (!row) return 0;
    std::vector<std::pair<const FieldDef*, Value>> changes;
    for (std::size_t c = 0; c < plan.columns.size(); ++c) {
      const FieldDef& field = *plan.columns[c];
      const Value& current = (*row)[c];
      if (current.is_null() || is_system_field(field.name)) continue;
      Value replaced = current;
      if (field.personal_data) {
        Value blank = anonymised(field, key.second);
        replaced = Value();
        if (!blank.is_null() && coerce_value(field, blank, replaced)) replaced = Value();
      } else if (is_free_text(field) && current.kind() == ValueKind::text) {
        replaced = Value(scrubbed(current.as_string(), needles_, "[erased]"));
      }
      if (replaced != current) changes.emplace_back(&field, std::move(replaced));
    }
    if (changes.empty()) return 0;
    std::string assignments = "\"updated_at\" = ?, \"updated_by\" = ?, \"version\" = \"version\" + 1";
    for (const auto& [field, value] : changes) assignments += ", " + quote(field->name) + " = ?";
    auto& statement = impl_.db().prepare(fmt::format("UPDATE {} SET {} WHERE \"id\" = ? AND \"tenant_id\" = ?",
                                                     quote(key.first), assignments));
    int index = 1;
    statement.bind_int(index++, now_.micros);
    statement.bind_text(index++, context_.user);
    for (const auto& [field, value] : changes) bind_value(statement, index++, *field, value);
    statement.bind_text(index++, key.second);
    statement.bind_text(index++, context_.tenant);
    statement.step();
    statement.reset();
    return static_cast<std::int64_t>(changes.size());
  }

  /// Anonymises the record's history entries the same way: personal-data values go, free text is
  /// scrubbed. The digest the chain covers stays and the salt goes; `erased` receives each entry
  /// with the digest of what is left, which the gdpr_erase entry records.
  void erase_history(const RecordKey& key, std::map<std::int64_t, std::string>& erased) {
    const ObjectDef* object = impl_.catalog.find(key.first);
    auto& select = impl_.db().prepare(
        "SELECT seq, field, salt, old_value, new_value, operation FROM _hotcrm_history WHERE object = ? AND record_id = ? "
        "AND tenant_id = ? AND salt IS NOT NULL ORDER BY seq");
    select.bind_text(1, key.first);
    select.bind_text(2, key.second);
    select.bind_text(3, context_.tenant);
    struct Rewrite {
      std::int64_t sequence;
      Digest digest;
      std::optional<std::string> old_value, new_value;
    };
    std::vector<Rewrite> rewrites;
    while (select.step()) {
      if (!object) continue;
      const FieldDef* field = object->find_field(select.column_text(1));
      auto text = [&](int column) -> std::optional<std::string> {
        if (select.column_is_null(column)) return std::nullopt;
        return std::string(select.column_text(column));
      };
      Rewrite rewrite{select.column_int(0), value_digest(select.column_blob(2), text(3), text(4)), text(3), text(4)};
      if (!field && select.column_text(1).empty() && is_snapshot(operation_of(select))) {
        rewrite.old_value = anonymised_snapshot(*object, rewrite.old_value);
        rewrite.new_value = anonymised_snapshot(*object, rewrite.new_value);
        if (rewrite.old_value == text(3) && rewrite.new_value == text(4)) continue;
      } else if (!field) {
        continue;
      } else if (field->personal_data) {
        rewrite.old_value = rewrite.new_value = std::nullopt;
      } else if (is_free_text(*field)) {
        rewrite.old_value = scrub_json(rewrite.old_value);
        rewrite.new_value = scrub_json(rewrite.new_value);
        if (rewrite.old_value == text(3) && rewrite.new_value == text(4)) continue;
      } else {
        continue;
      }
      rewrites.push_back(std::move(rewrite));
    }
    select.reset();
    for (const auto& rewrite : rewrites) {
      auto& update = impl_.db().prepare(
          "UPDATE _hotcrm_history SET old_value = ?, new_value = ?, salt = NULL, digest = ? WHERE seq = ?");
      bind_optional(update, 1, rewrite.old_value);
      bind_optional(update, 2, rewrite.new_value);
      update.bind_blob(3, std::string_view(reinterpret_cast<const char*>(rewrite.digest.data()), rewrite.digest.size()));
      update.bind_int(4, rewrite.sequence);
      update.step();
      update.reset();
      erased[rewrite.sequence] = erased_values_digest(rewrite.old_value, rewrite.new_value);
    }
  }

  /// Scrubs the outbox payloads and workflow log details: those about `keys` of every needle, the
  /// others of this tenant of the address only. Returns the rows changed.
  std::int64_t scrub_journal(const std::set<RecordKey>& keys, const std::string& address) {
    std::int64_t rows = 0;
    const std::vector<std::string> just_address{lowercase(address)};
    for (const auto& [table, column] : {std::pair{"_hotcrm_outbox", "payload"}, std::pair{"_hotcrm_workflow_log", "detail"}}) {
      auto& select = impl_.db().prepare(fmt::format("SELECT id, object, record_id, {} FROM {} WHERE tenant_id = ?",
                                                    column, table));
      select.bind_text(1, context_.tenant);
      std::vector<std::pair<std::int64_t, std::string>> changed;
      while (select.step()) {
        const bool about = keys.count({std::string(select.column_text(1)), std::string(select.column_text(2))}) > 0;
        const std::string text(select.column_text(3));
        std::string clean = scrubbed(text, about ? needles_ : just_address, "[erased]");
        if (clean != text) changed.emplace_back(select.column_int(0), std::move(clean));
      }
      select.reset();
      for (const auto& [id, text] : changed) {
        auto& update = impl_.db().prepare(fmt::format("UPDATE {} SET {} = ? WHERE id = ?", table, column));
        update.bind_text(1, text);
        update.bind_int(2, id);
        update.step();
        update.reset();
      }
      rows += static_cast<std::int64_t>(changed.size());
    }
    return rows;
  }

 private:
  static std::string operation_of(const Statement& select) { return std::string(select.column_text(5)); }

  /// A create / delete entry's object with personal values cleared and free text scrubbed.
  std::optional<std::string> anonymised_snapshot(const ObjectDef& object, const std::optional<std::string>& json_text) const {
    if (!json_text) return json_text;
    auto values = snapshot_values(json_text);
    for (auto& [name, value] : values) {
      const FieldDef* field = object.find_field(name);
      if (!field) continue;
      if (field->personal_data) value = "null";
      else if (is_free_text(*field)) value = scrub_json(value).value_or("null");
    }
    return snapshot_json(values);
  }

  std::optional<std::string> scrub_json(const std::optional<std::string>& json_text) const {
    if (!json_text) return json_text;
    auto value = json::parse(*json_text, nullptr, false);
    if (!value.is_string()) return json_text;
    return json(scrubbed(value.get<std::string>(), needles_, "[erased]")).dump();
  }

  static void bind_optional(Statement& statement, int index, const std::optional<std::string>& text) {
    if (text) statement.bind_text(index, *text);
    else statement.bind_null(index);
  }

  Session::Impl& impl_;
  const SessionContext& context_;
  DateTime now_;
  std::vector<std::string> needles_;
};

/// The person's own text values, lowercase, longest first (so that "Ada Lovelace" goes before
/// "Ada"): the address, and the personal-data text values of their records, current and past.
std::vector<std::string> person_needles(Session::Impl& impl, const std::string& tenant, const PersonFootprint& footprint,
                                        const std::string& address) {
  std::set<std::string> texts{lowercase(address)};
  auto add = [&](std::string_view text) {
    if (utf8_length(text) >= 3) texts.insert(lowercase(text));
  };
  std::vector<RecordKey> people = footprint.records;
  people.insert(people.end(), footprint.former.begin(), footprint.former.end());
  for (const auto& key : people) {
    const auto& plan = impl.plan(key.first);
    if (auto row = load_row(impl, plan, key.second, tenant))
      for (std::size_t c = 0; c < plan.columns.size(); ++c)
        if (plan.columns[c]->personal_data && (*row)[c].kind() == ValueKind::text) add((*row)[c].as_string());
    auto& history = impl.db().prepare(
        "SELECT field, old_value, new_value FROM _hotcrm_history WHERE object = ? AND record_id = ? AND tenant_id = ? "
        "AND salt IS NOT NULL");
    history.bind_text(1, key.first);
    history.bind_text(2, key.second);
    history.bind_text(3, tenant);
    while (history.step()) {
      const std::string name(history.column_text(0));
      for (int column : {1, 2}) {
        if (history.column_is_null(column)) continue;
        std::vector<std::pair<std::string, std::string>> values;
        if (name.empty()) values = snapshot_values(std::string(history.column_text(column)));
        else values.emplace_back(name, std::string(history.column_text(column)));
        for (const auto& [field_name, json_text] : values) {
          const FieldDef* field = plan.object->find_field(field_name);
          if (!field || !field->personal_data) continue;
          auto value = json::parse(json_text, nullptr, false);
          if (value.is_string()) add(value.get<std::string>());
        }
      }
    }
    history.reset();
  }
  std::vector<std::string> needles(texts.begin(), texts.end());
  std::stable_sort(needles.begin(), needles.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return needles;
}

/// PRAGMA secure_delete while it lives: SQLite zeroes the space of overwritten and deleted content.
class SecureDelete {
 public:
  explicit SecureDelete(Connection& connection) : connection_(connection) { connection_.exec("PRAGMA secure_delete = ON"); }
  ~SecureDelete() {
    try {
      connection_.exec("PRAGMA secure_delete = OFF");
    } catch (...) {
      // Leaves the connection zeroing freed space: slower, never wrong.
    }
  }
  SecureDelete(const SecureDelete&) = delete;
  SecureDelete& operator=(const SecureDelete&) = delete;

 private:
  Connection& connection_;
};

std::string normalized_email(std::string_view email, const char* operation) {
  std::string address = trimmed(email);
  if (address.empty()) throw UsageError(ErrorCode::usage, fmt::format("{}: the e-mail address is blank", operation));
  if (!is_valid_email(address))
    throw UsageError(ErrorCode::usage, fmt::format("{}: '{}' is not an e-mail address", operation, address));
  return address;
}

}  // namespace

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

std::string Session::export_person(std::string_view email) {
  const std::string address = detail::normalized_email(email, "export_person");
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  guard.require_administrator("export a person's data");
  impl_->require_writable();  // the export is logged
  detail::PinnedClock clock(*impl_);
  detail::Transaction transaction(impl_->db());
  auto footprint = detail::PersonFinder(*impl_, context_.tenant, address).find();
  nlohmann::json records = nlohmann::json::array(), related = nlohmann::json::array(), changes = nlohmann::json::array();
  for (const auto& [object, id] : footprint.records)
    records.push_back({{"object", object}, {"id", id}, {"fields", detail::record_json(get(object, id))}});
  for (const auto& [child, parent] : footprint.related)
    related.push_back({{"object", child.first}, {"id", child.second},
                       {"via", {{"field", footprint.via.at(child)}, {"object", parent.first}, {"id", parent.second}}},
                       {"fields", detail::record_json(get(child.first, child.second))}});
  const auto keys = footprint.all();
  for (const auto& [object, id] : keys)
    for (auto& entry : detail::history_json(history(object, id))) changes.push_back(std::move(entry));
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a["sequence"].template get<std::int64_t>() < b["sequence"].template get<std::int64_t>(); });
  nlohmann::json document = {
      {"email", address},
      {"tenant", context_.tenant},
      {"exported_at", clock.now().to_string()},
      {"records", std::move(records)},
      {"related", std::move(related)},
      {"deleted_records", detail::keys_json(footprint.former)},
      {"history", std::move(changes)},
  };
  auto journal = detail::journal_json(*impl_, context_.tenant, {keys.begin(), keys.end()}, address);
  document["outbox"] = std::move(journal["outbox"]);
  document["workflow_log"] = std::move(journal["workflow_log"]);
  // The log names the records, never the address: it must survive the person's erasure.
  nlohmann::json audit = {{"records", detail::keys_json(footprint.records)},
                          {"deleted_records", detail::keys_json(footprint.former)},
                          {"related", footprint.related.size()}};
  detail::append_audit_entry(*impl_, context_.tenant, context_.user, "gdpr_export", audit.dump());
  transaction.commit();
  return document.dump(2);
}

ErasureReport Session::erase_person(std::string_view email) {
  const std::string address = detail::normalized_email(email, "erase_person");
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  guard.require_administrator("erase a person's data");
  impl_->require_writable();
  // Overwritten values must not survive in freed pages of the file.
  detail::SecureDelete secure(impl_->db());
  detail::PinnedClock clock(*impl_);
  detail::Transaction transaction(impl_->db());
  auto footprint = detail::PersonFinder(*impl_, context_.tenant, address).find();
  const auto keys = footprint.all();
  detail::Eraser eraser(*impl_, context_, clock.now(),
                        detail::person_needles(*impl_, context_.tenant, footprint, address));
  ErasureReport report;
  report.journal_rows = eraser.scrub_journal({keys.begin(), keys.end()}, address);
  {
    // The anonymising writes are not history: copying the values into new entries would defeat
    // the erasure. The gdpr_erase entry below accounts for them.
    detail::HistoryPause pause(*impl_);
    for (const auto& key : keys) report.fields += eraser.erase_record(key);
  }
  std::map<std::int64_t, std::string> erased;
  for (const auto& key : keys) eraser.erase_history(key, erased);
  report.history_entries = static_cast<std::int64_t>(erased.size());
  // A deleted record of the person waits in the recycle bin with its values: it goes for good.
  std::vector<std::string> ids;
  for (const auto& key : keys) ids.push_back(key.second);
  detail::forget_deleted(*impl_, context_.tenant, ids);
  report.records = keys;
  nlohmann::json listed = nlohmann::json::object();
  for (const auto& [sequence, digest] : erased) listed[std::to_string(sequence)] = digest;
  nlohmann::json audit = {{"records", detail::keys_json(keys)}, {"fields", report.fields}, {"erased", std::move(listed)}};
  detail::append_audit_entry(*impl_, context_.tenant, context_.user, "gdpr_erase", audit.dump());
  transaction.commit();
  // The write-ahead log still holds the pages as they were before: copy the new ones into the file
  // and empty it (best effort: a reader of another connection may keep old frames until it ends).
  if (!impl_->db().in_transaction()) {
    try {
      impl_->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const Error&) {
      // a busy checkpoint is retried by SQLite's automatic checkpoints later
    }
  }
  return report;
}

}  // namespace v0
}  // namespace hotcrm
