// Field history: every write path records the changes of tracked fields in the same transaction,
// typed, with the acting user and the session clock; the hash chain detects tampering with the raw
// table (update, delete, reorder) and names the first broken entry.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const char* kHistoryCatalog = R"json([
  {"name": "account", "capabilities": {"track_history": true}, "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "revenue", "type": "currency", "scale": 2},
    {"name": "founded", "type": "date"},
    {"name": "active", "type": "boolean"},
    {"name": "tags", "type": "multiselect", "options": ["a", "b"]},
    {"name": "notes", "type": "textarea", "track_history": false},
    {"name": "tier", "type": "select", "options": ["bronze", "gold"]},
    {"name": "contact_count", "type": "number", "rollup": {"object": "contact", "via": "account_id", "function": "count"}},
    {"name": "label", "type": "formula", "expression": "name & '!'", "return_type": "text"}
  ],
  "workflow_rules": [
    {"name": "gold_when_rich", "trigger": "on_create_or_update", "condition": "revenue > 1000000",
     "actions": [{"type": "field_update", "field": "tier", "value": "gold"}]}
  ]},
  {"name": "contact", "capabilities": {"track_history": true}, "fields": [
    {"name": "last_name", "type": "text", "required": true},
    {"name": "email", "type": "email", "unique": true},
    {"name": "account_id", "type": "lookup", "reference": "account", "on_delete": "cascade"},
    {"name": "referrer_id", "type": "lookup", "reference": "account"}
  ]},
  {"name": "ticket", "fields": [
    {"name": "subject", "type": "text"},
    {"name": "state", "type": "select", "options": ["open", "closed"], "track_history": true}
  ],
  "state_machine": {"name": "flow", "field": "state", "initial": "open",
    "states": [{"name": "open"}, {"name": "closed", "final": true}],
    "transitions": [{"event": "close", "from": "open", "to": "closed"}]}}
])json";

struct HistoryDb {
  test::TempDir dir;
  std::filesystem::path path = dir.file("history.db");
  std::shared_ptr<DateTime> clock = std::make_shared<DateTime>(DateTime::parse("2026-05-01T09:00:00Z"));
  Database db = open();

  Database open(bool read_only = false) {
    OpenOptions options;
    options.catalog = Catalog::from_json(kHistoryCatalog, "history catalog");
    options.clock = [clock = clock] { return *clock; };
    options.id_seed = 11;
    options.read_only = read_only;
    return Database::open(path, options);
  }
  void set_time(std::string_view text) { *clock = DateTime::parse(text); }

  /// Runs raw SQL on the file through another connection, as someone with the file would.
  void tamper(const std::string& sql) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    char* message = nullptr;
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &message);
    std::string text = message ? message : "";
    sqlite3_free(message);
    sqlite3_close(raw);
    REQUIRE_MESSAGE(rc == SQLITE_OK, text);
  }
};

std::vector<std::string> fields_of(const std::vector<HistoryEntry>& entries, std::string_view operation) {
  std::vector<std::string> out;
  for (const auto& entry : entries)
    if (entry.operation == operation) out.push_back(entry.field);
  std::sort(out.begin(), out.end());
  return out;
}

HistoryEntry only(const std::vector<HistoryEntry>& entries, std::string_view operation, std::string_view field) {
  const HistoryEntry* found = nullptr;
  for (const auto& entry : entries)
    if (entry.operation == operation && entry.field == field) {
      REQUIRE_MESSAGE(found == nullptr, "two entries for ", field);
      found = &entry;
    }
  REQUIRE_MESSAGE(found != nullptr, "no ", operation, " entry for ", field);
  return *found;
}

std::int64_t entry_count(Database& db) { return db.verify_history().entries; }

}  // namespace

TEST_CASE("history: create, update and delete of tracked fields, typed, with actor and clock" * doctest::test_suite("store")) {
  HistoryDb h;
  Session ana = h.db.session({.user = "ana"});
  const std::string id = ana.insert("account", {{"name", "Acme"}, {"revenue", Decimal::parse("1200.50")},
                                                {"founded", Date::parse("2001-02-03")}, {"active", true},
                                                {"tags", StringList{"a", "b"}}, {"notes", "private"}});
  auto entries = ana.history("account", id);
  // Every tracked field that holds a value, owner_id included; not the opted-out notes, the
  // roll-up (derived), the formula (not stored) or the blank tier.
  CHECK(fields_of(entries, "create") == std::vector<std::string>{"active", "founded", "name", "owner_id", "revenue", "tags"});
  const auto& revenue = only(entries, "create", "revenue");
  CHECK(revenue.new_value == Value(Decimal::parse("1200.50")));
  CHECK(revenue.old_value.is_null());
  CHECK(revenue.actor == "ana");
  CHECK(revenue.at == DateTime::parse("2026-05-01T09:00:00Z"));
  CHECK(only(entries, "create", "founded").new_value == Value(Date::parse("2001-02-03")));
  CHECK(only(entries, "create", "active").new_value == Value(true));
  CHECK(only(entries, "create", "tags").new_value == Value(StringList{"a", "b"}));
  CHECK(only(entries, "create", "owner_id").new_value == Value("ana"));
  CHECK(revenue.hash.size() == 64);

  h.set_time("2026-05-02T10:30:00Z");
  Session bo = h.db.session({.user = "bo"});
  bo.update("account", id, {{"revenue", Decimal::parse("900")}, {"name", "Acme"}, {"notes", "still private"}});
  entries = bo.history("account", id);
  // An unchanged value (name) and an untracked field (notes) leave no entry.
  CHECK(fields_of(entries, "update") == std::vector<std::string>{"revenue"});
  const auto& change = only(entries, "update", "revenue");
  CHECK(change.old_value == Value(Decimal::parse("1200.50")));
  CHECK(change.new_value == Value(Decimal::parse("900.00")));
  CHECK(change.actor == "bo");
  CHECK(change.at == DateTime::parse("2026-05-02T10:30:00Z"));
  CHECK(change.sequence > revenue.sequence);

  h.set_time("2026-05-03T08:00:00Z");
  h.db.session({.user = "cy"}).remove("account", id);
  entries = h.db.history("account", id);  // still readable after the record is gone
  CHECK(fields_of(entries, "delete") == std::vector<std::string>{"active", "founded", "name", "owner_id", "revenue", "tags"});
  CHECK(only(entries, "delete", "revenue").old_value == Value(Decimal::parse("900.00")));
  CHECK(only(entries, "delete", "revenue").new_value.is_null());
  CHECK(only(entries, "delete", "name").actor == "cy");
  CHECK(only(entries, "delete", "name").at == DateTime::parse("2026-05-03T08:00:00Z"));
  // A created or deleted record is one chained entry shown field by field (same sequence and hash).
  for (std::size_t i = 1; i < entries.size(); ++i) {
    CHECK(entries[i].sequence >= entries[i - 1].sequence);
    if (entries[i].sequence == entries[i - 1].sequence) CHECK(entries[i].hash == entries[i - 1].hash);
  }
  CHECK(entries.front().sequence == entries[5].sequence);
  auto verified = h.db.verify_history();
  CHECK(verified.ok);
  CHECK(verified.entries == 3);  // create, update, delete
  CHECK(verified.head == entries.back().hash);
}

TEST_CASE("history: workflow field updates, state transitions, cascades and set-null are recorded" * doctest::test_suite("store")) {
  HistoryDb h;
  Session ana = h.db.session({.user = "ana"});
  const std::string rich = ana.insert("account", {{"name", "Rich"}, {"revenue", Decimal::parse("5000000")}});
  const std::string other = ana.insert("account", {{"name", "Other"}});
  // The workflow rule's field update is a second write of the same record, by the same user.
  const auto& tier = only(ana.history("account", rich), "update", "tier");
  CHECK(tier.old_value.is_null());
  CHECK(tier.new_value == Value("gold"));
  CHECK(tier.actor == "ana");

  const std::string ticket = ana.insert("ticket", {{"subject", "Broken"}});
  CHECK(only(ana.history("ticket", ticket), "create", "state").new_value == Value("open"));
  h.db.session({.user = "bo"}).fire("ticket", ticket, "close");
  const auto& moved = only(ana.history("ticket", ticket), "update", "state");
  CHECK(moved.old_value == Value("open"));
  CHECK(moved.new_value == Value("closed"));
  CHECK(moved.actor == "bo");
  // Only the opted-in field of an object without the capability is tracked.
  CHECK(fields_of(ana.history("ticket", ticket), "create") == std::vector<std::string>{"state"});

  const std::string child = ana.insert("contact", {{"last_name", "Kid"}, {"account_id", rich}, {"referrer_id", other}});
  const std::string referred = ana.insert("contact", {{"last_name", "Ref"}, {"referrer_id", rich}});
  h.set_time("2026-06-01T00:00:00Z");
  h.db.session({.user = "cy"}).remove("account", rich);

  // SQLite ran the cascade and the set-null: both are in the history, attributed to the deleter.
  auto gone = ana.history("contact", child);
  CHECK(fields_of(gone, "delete") == std::vector<std::string>{"account_id", "last_name", "owner_id", "referrer_id"});
  CHECK(only(gone, "delete", "account_id").actor == "cy");
  CHECK(only(gone, "delete", "account_id").at == DateTime::parse("2026-06-01T00:00:00Z"));
  const auto& cleared = only(ana.history("contact", referred), "update", "referrer_id");
  CHECK(cleared.old_value == Value(rich));
  CHECK(cleared.new_value.is_null());
  CHECK(cleared.actor == "cy");
  CHECK(h.db.verify_history().ok);
}

TEST_CASE("history: a rejected or rolled-back write leaves no entry" * doctest::test_suite("store")) {
  HistoryDb h;
  const std::string id = h.db.insert("contact", {{"last_name", "One"}, {"email", "one@example.com"}});
  const auto before = entry_count(h.db);
  CHECK_THROWS_AS(h.db.insert("contact", {{"last_name", "Two"}, {"email", "one@example.com"}}), ConflictError);
  CHECK_THROWS_AS(h.db.insert("contact", {{"email", "two@example.com"}}), ValidationError);
  CHECK_THROWS_AS(h.db.update("contact", id, {{"last_name", "Changed"}}, std::int64_t{7}), ConflictError);
  CHECK_THROWS_AS(h.db.transaction([&] {
    h.db.update("contact", id, {{"last_name", "Changed"}});
    throw std::runtime_error("abandon");
  }), std::runtime_error);
  {
    auto transaction = h.db.begin();
    h.db.insert("contact", {{"last_name", "Three"}});
    transaction.rollback();
  }
  CHECK(entry_count(h.db) == before);
  CHECK(h.db.get("contact", id).at("last_name") == Value("One"));
  // The next entry follows the last kept one: no gap where the rolled-back entries were.
  h.db.update("contact", id, {{"last_name", "Kept"}});
  auto verified = h.db.verify_history();
  CHECK(verified.ok);
  CHECK(verified.entries == before + 1);
}

TEST_CASE("history: bulk imports record each row, rejected rows none, and the chain continues across reopen" * doctest::test_suite("store")) {
  HistoryDb h;
  RecordBatch batch({"last_name", "email"});
  batch.add_row({"A", "a@example.com"});
  batch.add_row({Value(), "b@example.com"});  // rejected: last_name is required
  batch.add_row({"C", "a@example.com"});      // rejected: the e-mail is taken by row 0
  batch.add_row({"D", Value()});
  ImportOptions skip;
  skip.on_error = OnError::skip;
  auto report = h.db.session({.user = "loader"}).import_records("contact", batch, skip);
  REQUIRE(report.inserted == 2);
  CHECK(fields_of(h.db.history("contact", report.ids[0]), "create") ==
        std::vector<std::string>{"email", "last_name", "owner_id"});
  CHECK(fields_of(h.db.history("contact", report.ids[1]), "create") == std::vector<std::string>{"last_name", "owner_id"});
  CHECK(only(h.db.history("contact", report.ids[1]), "create", "last_name").actor == "loader");
  CHECK(entry_count(h.db) == 2);  // one entry per created record
  CHECK_THROWS_AS(h.db.import_records("contact", batch), ValidationError);  // abort: nothing kept
  CHECK(entry_count(h.db) == 2);

  // A new connection (new salt key) extends the same chain.
  h.db.close();
  Database again = h.open();
  again.update("contact", report.ids[1], {{"email", "d@example.com"}});
  auto verified = again.verify_history();
  CHECK(verified.ok);
  CHECK(verified.entries == 3);
  again.close();
  Database reader = h.open(/*read_only=*/true);
  CHECK(reader.verify_history().ok);
  CHECK(only(reader.history("contact", report.ids[1]), "update", "email").new_value == Value("d@example.com"));
  CHECK_THROWS_AS(reader.history("nothing", report.ids[1]), SchemaError);
  CHECK(reader.history("contact", "no-such-id").empty());
}

TEST_CASE("history: tampering with the raw table is detected at the first broken entry" * doctest::test_suite("store")) {
  HistoryDb h;
  const std::string id = h.db.insert("account", {{"name", "Acme"}, {"revenue", Decimal::parse("10")}});
  h.db.update("account", id, {{"revenue", Decimal::parse("20")}});
  h.db.update("account", id, {{"revenue", Decimal::parse("30")}});
  h.db.update("account", id, {{"name", "Acme Ltd"}});
  const auto clean = h.db.verify_history();
  REQUIRE(clean.ok);
  REQUIRE(clean.entries == 4);  // the created record (one entry), three field updates
  h.db.close();

  auto verify = [&] {
    Database db = h.open(/*read_only=*/true);
    return db.verify_history();
  };
  SUBCASE("a changed value") {
    h.tamper("UPDATE _hotcrm_history SET new_value = '\"99.00\"' WHERE seq = 4");
    auto report = verify();
    CHECK_FALSE(report.ok);
    CHECK(report.broken_at == 4);
    CHECK(report.problem.find("hash does not match") != std::string::npos);
  }
  SUBCASE("a changed actor, time or field") {
    h.tamper("UPDATE _hotcrm_history SET actor = 'someone else' WHERE seq = 2");
    CHECK(verify().broken_at == 2);
  }
  SUBCASE("a changed value with its salt dropped, posing as erased") {
    h.tamper("UPDATE _hotcrm_history SET new_value = NULL, salt = NULL, digest = randomblob(32) WHERE seq = 3");
    CHECK(verify().broken_at == 3);
  }
  SUBCASE("a deleted entry") {
    h.tamper("DELETE FROM _hotcrm_history WHERE seq = 3");
    auto report = verify();
    CHECK(report.broken_at == 3);
    CHECK(report.problem.find("missing") != std::string::npos);
  }
  SUBCASE("the first entry deleted") {
    h.tamper("DELETE FROM _hotcrm_history WHERE seq = 1");
    CHECK(verify().broken_at == 1);
  }
  SUBCASE("two entries swapped") {
    h.tamper("UPDATE _hotcrm_history SET seq = -2 WHERE seq = 2; UPDATE _hotcrm_history SET seq = 2 WHERE seq = 3; "
             "UPDATE _hotcrm_history SET seq = 3 WHERE seq = -2");
    CHECK(verify().broken_at == 2);
  }
  SUBCASE("an entry's hash recomputed by hand without the rest of the chain") {
    h.tamper("UPDATE _hotcrm_history SET hash = (SELECT hash FROM _hotcrm_history WHERE seq = 2) WHERE seq = 3");
    CHECK(verify().broken_at == 3);
  }
  SUBCASE("the newest entry removed: only the head anchor tells") {
    h.tamper("DELETE FROM _hotcrm_history WHERE seq = 4");
    auto report = verify();
    CHECK(report.ok);
    CHECK(report.entries == 3);
    CHECK(report.head != clean.head);
  }
}

TEST_CASE("history: catalog attributes track_history and personal_data" * doctest::test_suite("store")) {
  auto catalog = Catalog::from_json(kHistoryCatalog, "history catalog");
  const auto& account = catalog.at("account");
  CHECK(tracks_history(account, *account.find_field("name")));
  CHECK(tracks_history(account, *account.find_field("owner_id")));
  CHECK_FALSE(tracks_history(account, *account.find_field("updated_at")));
  CHECK_FALSE(tracks_history(account, *account.find_field("notes")));
  CHECK_FALSE(tracks_history(account, *account.find_field("contact_count")));
  CHECK_FALSE(tracks_history(account, *account.find_field("label")));
  const auto& ticket = catalog.at("ticket");
  CHECK(tracks_history(ticket, *ticket.find_field("state")));
  CHECK_FALSE(tracks_history(ticket, *ticket.find_field("subject")));
  CHECK_FALSE(tracks_history(ticket, *ticket.find_field("owner_id")));
  // The attributes round-trip through the canonical JSON.
  auto again = Catalog::from_json(catalog.to_json());
  CHECK(again.at("account").find_field("notes")->track_history == std::optional<bool>(false));
  CHECK(again.to_json() == catalog.to_json());

  auto fails = [](const char* text, const char* expected) {
    try {
      (void)Catalog::from_json(text, "bad.json");
      FAIL("loaded: ", text);
    } catch (const SchemaError& error) {
      CHECK_MESSAGE(std::string(error.what()).find(expected) != std::string::npos, error.what());
    }
  };
  fails(R"({"name": "x", "fields": [{"name": "f", "type": "text", "track_history": "yes"}]})",
        "/fields/0/track_history: expected true or false");
  fails(R"({"name": "x", "fields": [{"name": "f", "type": "text", "personal_data": 1}]})",
        "/fields/0/personal_data: expected true or false");
  fails(R"({"name": "x", "fields": [{"name": "f", "type": "text"},
           {"name": "g", "type": "formula", "expression": "f", "return_type": "text", "track_history": true}]})",
        "cannot track history");
  fails(R"({"name": "x", "fields": [{"name": "f", "type": "text"},
           {"name": "g", "type": "formula", "expression": "f", "return_type": "text", "personal_data": true}]})",
        "cannot be personal_data");
}

TEST_CASE("history: objects wider than one trigger call (120 tracked fields)" * doctest::test_suite("store")) {
  std::string fields;
  for (int i = 0; i < 120; ++i) fields += (i ? "," : "") + fmt::format(R"({{"name": "f{}", "type": "text"}})", i);
  test::TempDir dir;
  OpenOptions options;
  options.catalog = Catalog::from_json(R"({"name": "wide", "capabilities": {"track_history": true}, "fields": [)" + fields + "]}");
  Database db = Database::open(dir.file("wide.db"), options);
  Record record;
  for (int i = 0; i < 120; ++i) record[fmt::format("f{}", i)] = fmt::format("v{}", i);
  const std::string id = db.insert("wide", record);
  db.update("wide", id, {{"f3", "changed"}, {"f60", "changed"}, {"f119", "changed"}});
  auto entries = db.history("wide", id);
  CHECK(fields_of(entries, "create").size() == 121);  // 120 fields and owner_id, in two stored entries
  CHECK(fields_of(entries, "update") == std::vector<std::string>{"f119", "f3", "f60"});
  CHECK(only(entries, "update", "f119").old_value == Value("v119"));
  db.remove("wide", id);
  CHECK(fields_of(db.history("wide", id), "delete").size() == 121);
  auto verified = db.verify_history();
  CHECK(verified.ok);
  CHECK(verified.entries == 2 + 3 + 2);
}
