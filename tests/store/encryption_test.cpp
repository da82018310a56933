// Field-level encryption: values of fields marked "encrypted" never reach the database file, its
// write-ahead log or the field history in clear; they read back through the key provider, old
// keys keep working after a rotation, and a missing or wrong key is a clear error.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const char* kEncryptionCatalog = R"json([
  {"name": "employee", "capabilities": {"track_history": true}, "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "email", "type": "email", "personal_data": true},
    {"name": "national_id", "type": "text", "encrypted": true, "personal_data": true},
    {"name": "salary", "type": "currency", "encrypted": true},
    {"name": "hired", "type": "date", "encrypted": true},
    {"name": "id_prefix", "type": "formula", "expression": "LEFT(national_id, 3)", "return_type": "text"}
  ],
  "workflow_rules": [
    {"name": "badge", "trigger": "on_create", "condition": "name = 'Rule'",
     "actions": [{"type": "field_update", "field": "national_id", "value": {"formula": "'SET-BY-' & 'RULE-77'"}}]}
  ]}
])json";

const std::string kKeyA(32, 'a');
const std::string kKeyB(32, 'b');

std::shared_ptr<const KeyProvider> keys(std::map<std::string, std::string> keys, std::string current) {
  return std::make_shared<StaticKeyProvider>(std::move(keys), std::move(current));
}

struct EncryptedDb {
  test::TempDir dir;
  std::filesystem::path path = dir.file("encrypted.db");

  Database open(std::shared_ptr<const KeyProvider> provider) const {
    OpenOptions options;
    options.catalog = Catalog::from_json(kEncryptionCatalog, "encryption catalog");
    options.keys = std::move(provider);
    options.id_seed = 5;
    return Database::open(path, options);
  }

  /// Every byte on disk: the database file and, when present, its write-ahead log.
  std::string raw_bytes() const {
    std::string bytes;
    for (const auto& file : {path, std::filesystem::path(path.string() + "-wal")}) {
      std::ifstream in(file, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), {});
    }
    return bytes;
  }
};

}  // namespace

TEST_CASE("encryption: clear values are absent from the file, the WAL and the history" * doctest::test_suite("store")) {
  EncryptedDb e;
  std::string id;
  {
    Database db = e.open(keys({{"k1", kKeyA}}, "k1"));
    id = db.insert("employee", {{"name", "Ada"}, {"national_id", "ZX-4471-SECRET"},
                                {"salary", Decimal::parse("98765.43")}, {"hired", Date::parse("2021-03-04")}});
    db.update("employee", id, {{"national_id", "QW-9932-HIDDEN"}});
    // Before a checkpoint, the writes sit in the WAL: it must not hold them in clear either.
    const std::string raw = e.raw_bytes();
    CHECK(raw.find("Ada") != std::string::npos);  // the scan itself works: an unencrypted value is there
    CHECK(raw.find("ZX-4471-SECRET") == std::string::npos);
    CHECK(raw.find("QW-9932-HIDDEN") == std::string::npos);
    CHECK(raw.find("98765.43") == std::string::npos);  // as an unencrypted history entry would hold it

    auto record = db.get("employee", id);
    CHECK(record.at("national_id") == Value("QW-9932-HIDDEN"));
    CHECK(record.at("salary") == Value(Decimal::parse("98765.43")));
    CHECK(record.at("hired") == Value(Date::parse("2021-03-04")));
    CHECK(record.at("id_prefix") == Value("QW-"));  // formula fields compute on the clear value

    // The history holds the sealed bytes and reads back in clear.
    auto history = db.history("employee", id);
    bool saw_update = false;
    for (const auto& entry : history)
      if (entry.operation == "update" && entry.field == "national_id") {
        saw_update = true;
        CHECK(entry.old_value == Value("ZX-4471-SECRET"));
        CHECK(entry.new_value == Value("QW-9932-HIDDEN"));
      }
    CHECK(saw_update);
    CHECK(db.verify_history().ok);
    // GDPR export decrypts.
    db.update("employee", id, {{"email", "ada@example.com"}});
    const std::string exported = db.export_person("ada@example.com");
    CHECK(exported.find("QW-9932-HIDDEN") != std::string::npos);
  }
  const std::string raw = e.raw_bytes();
  CHECK(raw.find("ZX-4471-SECRET") == std::string::npos);
  CHECK(raw.find("QW-9932-HIDDEN") == std::string::npos);
}

TEST_CASE("encryption: a workflow field update logs no clear value" * doctest::test_suite("store")) {
  EncryptedDb e;
  Database db = e.open(keys({{"k1", kKeyA}}, "k1"));
  const std::string id = db.insert("employee", {{"name", "Rule"}});
  CHECK(db.get("employee", id).at("national_id") == Value("SET-BY-RULE-77"));
  bool logged = false;
  for (const auto& entry : db.workflow_log()) {
    CHECK(entry.detail.find("SET-BY-RULE-77") == std::string::npos);
    if (entry.action == "field_update") logged = entry.detail.find("[encrypted]") != std::string::npos;
  }
  CHECK(logged);
  // The catalog stored in the file holds the rule's formula, never the value it computes.
  CHECK(e.raw_bytes().find("SET-BY-RULE-77") == std::string::npos);
}

TEST_CASE("encryption: SQL never compares ciphertext" * doctest::test_suite("store")) {
  EncryptedDb e;
  Database db = e.open(keys({{"k1", kKeyA}}, "k1"));
  db.insert("employee", {{"name", "Ada"}, {"national_id", "A-1"}, {"salary", Decimal::parse("10")}});
  db.insert("employee", {{"name", "Bob"}});
  auto refused = [&](const Query& query) {
    CHECK_THROWS_WITH_AS(db.query(query), doctest::Contains("encrypted"), UsageError);
  };
  refused({.object = "employee", .filter = parse_where("national_id = 'A-1'")});
  refused({.object = "employee", .filter = parse_where("salary > 5")});
  refused({.object = "employee", .filter = Filter::formula("national_id = 'A-1'")});
  refused({.object = "employee", .order_by = {{"national_id", false}}});
  CHECK_THROWS_WITH_AS(db.aggregate({.object = "employee", .group_by = {"hired"}}), doctest::Contains("encrypted"),
                       UsageError);
  CHECK_THROWS_WITH_AS(db.aggregate({.object = "employee", .aggregates = {{AggregateFn::sum, "salary"}}}),
                       doctest::Contains("encrypted"), UsageError);
  // Presence is not secret: IS NULL / IS NOT NULL and counts work.
  CHECK(db.count("employee", parse_where("national_id IS NOT NULL")) == 1);
  CHECK(db.count("employee", parse_where("national_id IS NULL")) == 1);
  // Selecting returns clear values.
  auto rows = db.query({.object = "employee", .order_by = {{"name", false}}, .fields = {"name", "national_id"}});
  REQUIRE(rows.size() == 2);
}

TEST_CASE("encryption: the catalog refuses what SQL would need in clear" * doctest::test_suite("store")) {
  auto refused = [](const std::string& field, const std::string& why) {
    const std::string json = R"([{"name": "thing", "fields": [)" + field + "]}]";
    CHECK_THROWS_WITH_AS(Catalog::from_json(json, "catalog"), doctest::Contains(why.c_str()), SchemaError);
  };
  refused(R"({"name": "code", "type": "text", "encrypted": true, "unique": true})", "cannot be unique");
  refused(R"({"name": "code", "type": "text", "encrypted": true, "indexed": true})", "cannot be indexed");
  refused(R"({"name": "n", "type": "autonumber", "format": "N-{0000}", "encrypted": true})", "cannot be encrypted");
  refused(R"({"name": "f", "type": "formula", "expression": "1", "return_type": "number", "encrypted": true})",
          "cannot be encrypted");
  refused(R"({"name": "p", "type": "lookup", "reference": "thing", "encrypted": true})", "cannot be encrypted");
  CHECK_THROWS_WITH_AS(Catalog::from_json(R"([
      {"name": "parent", "fields": [{"name": "total", "type": "currency",
        "rollup": {"object": "child", "via": "parent_id", "function": "sum", "field": "amount"}}]},
      {"name": "child", "fields": [{"name": "parent_id", "type": "lookup", "reference": "parent"},
                                   {"name": "amount", "type": "currency", "encrypted": true}]}])", "catalog"),
                       doctest::Contains("cannot aggregate it in SQL"), SchemaError);
  // The flag survives the catalog's JSON round trip (it is stored in the database).
  auto catalog = Catalog::from_json(kEncryptionCatalog, "catalog");
  CHECK(Catalog::from_json(catalog.to_json(), "again").at("employee").find_field("salary")->encrypted);
}

TEST_CASE("encryption: rotation keeps old values readable and re-encrypts them" * doctest::test_suite("store")) {
  EncryptedDb e;
  std::string first, second;
  {
    Database db = e.open(keys({{"k1", kKeyA}}, "k1"));
    first = db.insert("employee", {{"name", "Ada"}, {"national_id", "OLD-KEY-VALUE"}});
  }
  {
    // k2 is current, k1 retired but still provided: both values read.
    Database db = e.open(keys({{"k1", kKeyA}, {"k2", kKeyB}}, "k2"));
    second = db.insert("employee", {{"name", "Bob"}, {"national_id", "NEW-KEY-VALUE"}});
    CHECK(db.get("employee", first).at("national_id") == Value("OLD-KEY-VALUE"));
    CHECK(db.get("employee", second).at("national_id") == Value("NEW-KEY-VALUE"));
    const auto version = db.get("employee", first).at("version");
    const auto entries = db.verify_history().entries;
    CHECK(db.reencrypt() == 1);  // only the value k1 sealed
    CHECK(db.reencrypt() == 0);
    CHECK(db.get("employee", first).at("version") == version);
    CHECK(db.verify_history().entries == entries);  // no entry: the clear value did not change
  }
  {
    // Without k1 the records read (history entries sealed by k1 would still need it).
    Database db = e.open(keys({{"k2", kKeyB}}, "k2"));
    CHECK(db.get("employee", first).at("national_id") == Value("OLD-KEY-VALUE"));
    CHECK_THROWS_WITH_AS(db.history("employee", first), doctest::Contains("no key 'k1'"), StoreError);
  }
}

TEST_CASE("encryption: a missing or wrong key is a clear error, and nothing is written" * doctest::test_suite("store")) {
  EncryptedDb e;
  std::string id;
  {
    Database db = e.open(keys({{"k1", kKeyA}}, "k1"));
    id = db.insert("employee", {{"name", "Ada"}, {"national_id", "SECRET-1"}});
  }
  {
    Database db = e.open(nullptr);
    CHECK_THROWS_WITH_AS(db.get("employee", id), doctest::Contains("without a key provider"), StoreError);
    CHECK_THROWS_WITH_AS(db.insert("employee", {{"name", "Bob"}, {"national_id", "X"}}),
                         doctest::Contains("without a key provider"), StoreError);
    // A record without encrypted values is still writable and its other fields readable.
    db.insert("employee", {{"name", "Cy"}});
    CHECK(db.query({.object = "employee", .fields = {"name"}}).size() == 2);
  }
  {
    Database db = e.open(keys({{"k1", kKeyB}}, "k1"));  // same id, different bytes
    try {
      db.get("employee", id);
      FAIL("a wrong key must not decrypt");
    } catch (const StoreError& error) {
      CHECK(error.code() == ErrorCode::key);
      CHECK(std::string(error.what()).find("does not decrypt with key 'k1'") != std::string::npos);
      CHECK(std::string(error.what()).find(kKeyB) == std::string::npos);  // never a key byte in a message
    }
  }
  {
    // Tampering with the sealed bytes is detected (Poly1305 tag).
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(e.path.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, "UPDATE employee SET national_id = CAST(substr(national_id, 1, length(national_id) - 1) || "
                              "CASE WHEN substr(national_id, -1) = x'00' THEN x'01' ELSE x'00' END AS BLOB) "
                              "WHERE national_id IS NOT NULL", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    Database db = e.open(keys({{"k1", kKeyA}}, "k1"));
    CHECK_THROWS_WITH_AS(db.get("employee", id), doctest::Contains("does not decrypt"), StoreError);
  }
}

TEST_CASE("encryption: key files and providers" * doctest::test_suite("store")) {
  const std::string hex_a(64, '1'), hex_b(64, '2');
  auto provider = StaticKeyProvider::parse("# keys\nold " + hex_a + "\n\nnew " + hex_b + "\n");
  CHECK(provider.current_key_id() == "new");  // the last one listed
  CHECK(provider.key("old")->size() == kEncryptionKeyBytes);
  CHECK_FALSE(provider.key("other"));
  CHECK_THROWS_WITH_AS(StaticKeyProvider::parse("k1 abc\n"), doctest::Contains("line 1"), UsageError);
  CHECK_THROWS_WITH_AS(StaticKeyProvider::parse("k1 " + hex_a + "\nk1 " + hex_b), doctest::Contains("twice"),
                       UsageError);
  CHECK_THROWS_WITH_AS(StaticKeyProvider::parse("# nothing\n"), doctest::Contains("no key"), UsageError);
  CHECK_THROWS_AS(StaticKeyProvider({{"k", "short"}}, "k"), UsageError);
  CHECK_THROWS_AS(StaticKeyProvider({{"k", kKeyA}}, "other"), UsageError);
  const auto generated = generate_key_hex();
  CHECK(generated.size() == 64);
  CHECK(generated != generate_key_hex());
  CHECK(StaticKeyProvider::parse("g " + generated).key("g")->size() == 32);
}
