// Crash safety of the field history: a process killed (SIGKILL) at random moments while it imports,
// updates and deletes (with cascades) leaves a file whose history chain verifies and explains the
// data: replaying each record's entries gives exactly its stored values.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <random>

#include "hotcrm/hotcrm.hpp"
#include "support/crash.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const char* kHistoryCrashCatalog = R"json([
  {"name": "account", "capabilities": {"track_history": true}, "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "revenue", "type": "currency", "scale": 2}
  ]},
  {"name": "contact", "capabilities": {"track_history": true}, "fields": [
    {"name": "last_name", "type": "text", "required": true},
    {"name": "score", "type": "number"},
    {"name": "account_id", "type": "lookup", "reference": "account", "on_delete": "cascade"}
  ]}
])json";

Database open_db(const std::filesystem::path& path) {
  OpenOptions options;
  options.catalog = Catalog::from_json(kHistoryCrashCatalog, "crash catalog");
  return Database::open(path, options);
}

/// The writer: accounts with contacts imported in bulk, single updates, deletes that cascade.
void write_forever(const std::filesystem::path& path, unsigned seed) {
  Database db = open_db(path);
  std::mt19937 random(seed);
  for (int round = 0;; ++round) {
    const std::string account = db.insert("account", {{"name", "A" + std::to_string(round)}});
    RecordBatch batch({"last_name", "score", "account_id"});
    for (int i = 0; i < 50; ++i) batch.add_row({"C" + std::to_string(i), std::int64_t{i}, account});
    auto imported = db.import_records("contact", batch);
    for (int i = 0; i < 5; ++i)
      db.update("contact", imported.ids[random() % imported.ids.size()], {{"score", std::int64_t(random() % 1000)}});
    db.update("account", account, {{"revenue", Decimal(static_cast<std::int64_t>(random() % 100000), 2)}});
    if (round % 3 == 2) db.remove("account", account);  // cascades to its 50 contacts
  }
}

/// The record as its history tells it: the created values, then each update.
std::map<std::string, Value> replay(const std::vector<HistoryEntry>& entries) {
  std::map<std::string, Value> values;
  for (const auto& entry : entries) {
    if (entry.operation == "create" || entry.operation == "update") values[entry.field] = entry.new_value;
    if (entry.operation == "delete") values.clear();
  }
  return values;
}

}  // namespace

TEST_CASE("history: a process killed while writing leaves a chain that verifies and explains the data" *
          doctest::test_suite("store")) {
  test::TempDir dir;
  const auto path = dir.file("crash.db");
  open_db(path).close();  // created before forking: a connection must not cross fork()
  int killed = 0;
  unsigned seed = 1;
  for (int delay : {60, 150, 90, 220, 120}) {
    const unsigned run_seed = seed++;
    killed += test::run_and_kill([&] { write_forever(path, run_seed); }, std::chrono::milliseconds(delay)) ? 1 : 0;
  }
  CHECK(killed > 0);
  CHECK(test::integrity_check(path) == "ok");

  Database db = open_db(path);
  auto report = db.verify_history();
  CHECK(report.ok);
  CHECK(report.entries > 0);
  std::int64_t checked = 0;
  for (const char* object : {"account", "contact"}) {
    auto rows = db.query({.object = object});
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const std::string id = rows.rows.at(r, 0).as_string();
      auto told = replay(db.history(object, id));
      REQUIRE_MESSAGE(!told.empty(), object, " ", id, " has no history");
      const Record stored = db.get(object, id);
      for (const auto& field : db.catalog().at(object).fields) {
        auto it = told.find(field.name);
        CHECK_MESSAGE((it == told.end() ? Value() : it->second) == stored.at(field.name), object, ".", field.name);
      }
      CHECK(told.at("owner_id") == stored.at("owner_id"));
      ++checked;
    }
  }
  CHECK(checked > 0);
  // The writer's last transaction died with it: the next write extends the chain cleanly.
  db.insert("account", {{"name", "after"}});
  CHECK(db.verify_history().ok);
}
