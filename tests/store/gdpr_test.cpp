// GDPR on the standard catalog: export_person finds a person's records by e-mail (now or in their
// history), the records related to them and their history; erase_person anonymises personal data
// in records, history and journal, keeps everything else, and the chain still verifies. After an
// erasure the address is nowhere in the database file.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using nlohmann::json;

namespace {

struct GdprDb {
  test::TempDir dir;
  std::filesystem::path path = dir.file("gdpr.db");
  Database db = open();
  std::string lead, contact, activity, other_contact, candidate, case_id;

  Database open(bool read_only = false) {
    OpenOptions options;
    const std::vector<std::string> packages{"crm", "hr", "support"};
    options.catalog = Catalog::standard(packages);
    options.clock = fixed_clock(DateTime::parse("2026-04-01T12:00:00Z"));
    options.id_seed = 5;
    options.read_only = read_only;
    return Database::open(path, options);
  }

  void populate() {
    Session ana = db.session({.user = "ana"});
    lead = ana.insert("lead", {{"first_name", "Ada"}, {"last_name", "Lovelace"}, {"company", "Analytical Engines"},
                               {"email", "ada@example.com"}, {"phone", "+44 20 7946 0000"}, {"city", "London"},
                               {"rating", "hot"}});
    ana.update("lead", lead, {{"phone", "+44 20 7946 0001"}, {"status", "contacted"}});
    contact = ana.insert("contact", {{"first_name", "Ada"}, {"last_name", "Lovelace"}, {"email", "ADA@Example.com"},
                                     {"mobile_phone", "+44 7700 900000"}});
    activity = ana.insert("activity", {{"subject", "Intro call"}, {"type", "call"},
                                       {"activity_date", DateTime::parse("2026-04-02T09:00:00Z")},
                                       {"who_object", "contact"}, {"who_id", contact},
                                       {"email_to_address", "ada@example.com"}});
    const std::string account = ana.insert("account", {{"name", "Engines Ltd"}});
    case_id = ana.insert("support_case", {{"subject", "Cannot log in"}, {"description", "The portal refuses the password"},
                                          {"origin", "web"}, {"account_id", account}, {"contact_id", contact}});
    other_contact = ana.insert("contact", {{"first_name", "Bob"}, {"last_name", "Babbage"}, {"email", "bob@example.com"}});
    // A candidate who held the address and was deleted: known only from history.
    candidate = ana.insert("candidate", {{"first_name", "Ada"}, {"last_name", "King"}, {"email", "ada@example.com"},
                                         {"mobile_phone", "+44 7700 900001"}});
    ana.remove("candidate", candidate);
  }

  std::string raw_file() {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
};

bool has_record(const json& list, const std::string& object, const std::string& id) {
  for (const auto& item : list)
    if (item["object"] == object && item["id"] == id) return true;
  return false;
}

const HistoryEntry* last_entry(const std::vector<HistoryEntry>& entries, std::string_view field) {
  const HistoryEntry* found = nullptr;
  for (const auto& entry : entries)
    if (entry.field == field) found = &entry;
  return found;
}

}  // namespace

TEST_CASE("gdpr: export gathers the person's records, related records, history and journal" * doctest::test_suite("store")) {
  GdprDb g;
  g.populate();
  const json document = json::parse(g.db.session({.user = "dpo"}).export_person("  Ada@EXAMPLE.com "));
  CHECK(document["email"] == "Ada@EXAMPLE.com");
  // Every record holding the address in a personal-data e-mail field, the activity's included.
  CHECK(document["records"].size() == 3);
  CHECK(has_record(document["records"], "lead", g.lead));
  CHECK(has_record(document["records"], "contact", g.contact));
  CHECK(has_record(document["records"], "activity", g.activity));
  CHECK_FALSE(has_record(document["records"], "contact", g.other_contact));
  for (const auto& record : document["records"])
    if (record["object"] == "lead") {
      CHECK(record["fields"]["company"] == "Analytical Engines");
      CHECK(record["fields"]["phone"] == "+44 20 7946 0001");
    }
  // Related: the case (a lookup) and the lead's follow-up task created by the standard workflow
  // (a polymorphic reference, who_object = lead).
  CHECK(has_record(document["related"], "support_case", g.case_id));
  bool task_found = false;
  for (const auto& item : document["related"]) {
    if (item["object"] == "support_case") CHECK(item["via"] == json{{"field", "contact_id"}, {"object", "contact"}, {"id", g.contact}});
    if (item["object"] == "task") task_found = item["via"] == json{{"field", "who_id"}, {"object", "lead"}, {"id", g.lead}};
  }
  CHECK(task_found);
  CHECK(document["deleted_records"] == json::array({{{"object", "candidate"}, {"id", g.candidate}}}));
  // History of all of them, in chain order, the deleted candidate's included.
  bool phone_change = false, candidate_delete = false;
  std::int64_t previous = 0;
  for (const auto& entry : document["history"]) {
    CHECK(entry["sequence"].get<std::int64_t>() >= previous);  // a created record: one entry, several fields
    previous = entry["sequence"];
    if (entry["record_id"] == g.lead && entry["field"] == "phone" && entry["operation"] == "update")
      phone_change = entry["old_value"] == "+44 20 7946 0000" && entry["new_value"] == "+44 20 7946 0001";
    if (entry["record_id"] == g.candidate && entry["operation"] == "delete" && entry["field"] == "email")
      candidate_delete = entry["old_value"] == "ada@example.com";
  }
  CHECK(phone_change);
  CHECK(candidate_delete);
  bool alert = false;  // the standard hot-lead alert about the lead
  for (const auto& message : document["outbox"]) alert = alert || message["record_id"] == g.lead;
  CHECK(alert);
  // The export is logged, naming records, not the address.
  auto verified = g.db.verify_history();
  CHECK(verified.ok);
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(g.path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(raw, "SELECT actor, new_value FROM _hotcrm_history WHERE operation = 'gdpr_export'", -1, &statement, nullptr);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))) == "dpo");
  const std::string logged = reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
  CHECK(logged.find(g.lead) != std::string::npos);
  CHECK(logged.find("ada") == std::string::npos);
  sqlite3_finalize(statement);
  sqlite3_close(raw);

  // Nobody with that address: an empty document, still logged.
  const json nobody = json::parse(g.db.export_person("nobody@example.com"));
  CHECK(nobody["records"].empty());
  CHECK(nobody["history"].empty());
  CHECK(g.db.verify_history().entries == verified.entries + 1);
}

TEST_CASE("gdpr: erase anonymises personal data everywhere and the history still verifies" * doctest::test_suite("store")) {
  GdprDb g;
  g.populate();
  const auto before = g.db.verify_history();
  REQUIRE(before.ok);
  const auto bob_before = g.db.get("contact", g.other_contact);
  const auto report = g.db.session({.user = "dpo"}).erase_person("ada@example.com");
  CHECK(report.records.size() >= 5);  // lead, contact, candidate (deleted), activity, case, task
  CHECK(report.fields > 0);
  CHECK(report.history_entries > 0);

  const auto lead = g.db.get("lead", g.lead);
  CHECK(lead.at("email").is_null());
  CHECK(lead.at("first_name").is_null());
  CHECK(lead.at("last_name") == Value("erased"));  // required: a placeholder
  CHECK(lead.at("phone").is_null());
  CHECK(lead.at("city").is_null());
  CHECK(lead.at("company") == Value("Analytical Engines"));  // not personal data
  CHECK(lead.at("status") == Value("contacted"));
  CHECK(lead.at("updated_by") == Value("dpo"));
  const auto contact = g.db.get("contact", g.contact);
  CHECK(contact.at("email").is_null());
  CHECK(contact.at("mobile_phone").is_null());
  const auto activity = g.db.get("activity", g.activity);
  CHECK(activity.at("email_to_address").is_null());
  CHECK(activity.at("subject") == Value("Intro call"));
  CHECK(activity.at("who_id") == Value(g.contact));
  CHECK(g.db.get("contact", g.other_contact) == bob_before);  // someone else is untouched

  // History: personal values erased, other values kept; no entry copies the erased values.
  const auto entries = g.db.history("lead", g.lead);
  for (const auto& entry : entries) {
    if (entry.field == "email" || entry.field == "phone" || entry.field == "first_name") {
      CHECK(entry.erased);
      CHECK(entry.old_value.is_null());
      CHECK(entry.new_value.is_null());
    }
  }
  // The lead's creation is one entry: rewritten (erased), with its non-personal values kept.
  CHECK(last_entry(entries, "company")->erased);
  CHECK(last_entry(entries, "company")->new_value == Value("Analytical Engines"));
  CHECK(last_entry(entries, "city")->new_value.is_null());
  CHECK(last_entry(entries, "status")->new_value == Value("contacted"));
  for (const auto& entry : g.db.history("candidate", g.candidate))
    if (entry.field == "email") CHECK(entry.erased);

  const auto after = g.db.verify_history();
  CHECK(after.ok);
  CHECK(after.entries == before.entries + 1);  // the gdpr_erase entry

  // A second erasure finds the records by their history only, and changes nothing more.
  const auto again = g.db.erase_person("ada@example.com");
  CHECK(again.fields == 0);
  CHECK(again.history_entries == 0);
  CHECK(g.db.verify_history().ok);

  // The address is gone from the file itself (freed space is zeroed, the log checkpointed).
  g.db.close();
  const std::string file = g.raw_file();
  CHECK(file.find("ada@example.com") == std::string::npos);
  CHECK(file.find("ADA@Example.com") == std::string::npos);
  CHECK(file.find("Lovelace") == std::string::npos);
  CHECK(file.find("Analytical Engines") != std::string::npos);  // the search itself can succeed
}

TEST_CASE("gdpr: tampering with erased entries is detected" * doctest::test_suite("store")) {
  GdprDb g;
  g.populate();
  g.db.erase_person("ada@example.com");
  std::int64_t erased_seq = 0;
  for (const auto& entry : g.db.history("lead", g.lead))
    if (entry.erased) erased_seq = entry.sequence;
  REQUIRE(erased_seq > 0);
  g.db.close();
  auto tamper_and_verify = [&](const std::string& sql) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(g.path.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    return g.open(true).verify_history();
  };
  SUBCASE("a value written into an erased entry") {
    auto report = tamper_and_verify("UPDATE _hotcrm_history SET new_value = '\"forged\"' WHERE seq = " +
                                    std::to_string(erased_seq));
    CHECK_FALSE(report.ok);
    CHECK(report.broken_at == erased_seq);
    CHECK(report.problem.find("changed after they were erased") != std::string::npos);
  }
  SUBCASE("an erasure entry removed") {
    auto report = tamper_and_verify("DELETE FROM _hotcrm_history WHERE operation = 'gdpr_erase'");
    CHECK_FALSE(report.ok);
  }
}

TEST_CASE("gdpr: bad input and read-only databases are refused clearly" * doctest::test_suite("store")) {
  GdprDb g;
  g.populate();
  const auto before = g.db.verify_history();
  CHECK_THROWS_WITH_AS(g.db.export_person("   "), doctest::Contains("the e-mail address is blank"), UsageError);
  CHECK_THROWS_WITH_AS(g.db.erase_person("not an address"), doctest::Contains("'not an address' is not an e-mail address"),
                       UsageError);
  CHECK(g.db.verify_history().entries == before.entries);
  g.db.close();
  Database reader = g.open(/*read_only=*/true);
  CHECK_THROWS_WITH_AS(reader.export_person("ada@example.com"), doctest::Contains("read-only"), UsageError);
  CHECK_THROWS_WITH_AS(reader.erase_person("ada@example.com"), doctest::Contains("read-only"), UsageError);
}
