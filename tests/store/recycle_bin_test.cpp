// Recycle bin: a delete moves the record and its cascade aside; restore brings them back as they
// were (ids, values, versions, roll-ups, cleared references); purge removes them for good.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const char* kRecycleBinCatalog = R"json([
  {"name": "account", "capabilities": {"track_history": true}, "fields": [
    {"name": "name", "type": "text", "required": true},
    {"name": "code", "type": "text", "unique": true},
    {"name": "contact_count", "type": "number", "rollup": {"object": "contact", "via": "account_id", "function": "count"}},
    {"name": "deal_total", "type": "currency", "rollup": {"object": "deal", "via": "account_id", "function": "sum", "field": "amount"}}
  ]},
  {"name": "contact", "capabilities": {"track_history": true}, "fields": [
    {"name": "last_name", "type": "text", "required": true},
    {"name": "account_id", "type": "lookup", "reference": "account", "on_delete": "cascade"}
  ]},
  {"name": "note", "fields": [
    {"name": "body", "type": "text"},
    {"name": "contact_id", "type": "master_detail", "reference": "contact"}
  ]},
  {"name": "deal", "fields": [
    {"name": "amount", "type": "currency"},
    {"name": "account_id", "type": "lookup", "reference": "account"}
  ]}
])json";

struct BinDb {
  test::TempDir dir;
  std::shared_ptr<DateTime> clock = std::make_shared<DateTime>(DateTime::parse("2026-03-01T10:00:00Z"));
  Database db = [this] {
    OpenOptions options;
    options.catalog = Catalog::from_json(kRecycleBinCatalog, "bin catalog");
    options.clock = [clock = clock] { return *clock; };
    options.id_seed = 3;
    return Database::open(dir.file("bin.db"), options);
  }();
  std::string account, contact, note, deal;

  void fill() {
    account = db.insert("account", {{"name", "Acme"}, {"code", "ACME"}});
    contact = db.insert("contact", {{"last_name", "Ng"}, {"account_id", account}});
    note = db.insert("note", {{"body", "met at the fair"}, {"contact_id", contact}});
    deal = db.insert("deal", {{"amount", Decimal::parse("250.00")}, {"account_id", account}});
  }
};

}  // namespace

TEST_CASE("recycle bin: delete hides the record and its cascade, restore brings all back" * doctest::test_suite("store")) {
  BinDb b;
  b.fill();
  const Record before = b.db.get("account", b.account);
  const Record contact_before = b.db.get("contact", b.contact);
  CHECK(before.at("contact_count") == Value(std::int64_t{1}));

  b.db.session({.user = "ana"}).remove("account", b.account);
  // Gone from every read path: get, query, count, roll-ups of others, the deal's lookup.
  CHECK_THROWS_AS(b.db.get("account", b.account), NotFoundError);
  CHECK_THROWS_AS(b.db.get("contact", b.contact), NotFoundError);
  CHECK_THROWS_AS(b.db.get("note", b.note), NotFoundError);
  CHECK(b.db.count("account") == 0);
  CHECK(b.db.count("contact") == 0);
  CHECK(b.db.get("deal", b.deal).at("account_id").is_null());  // set_null
  // A unique value of a deleted record is free (documented choice).
  CHECK(b.db.count("account", parse_where("code = 'ACME'")) == 0);

  auto bin = b.db.recycle_bin();
  REQUIRE(bin.size() == 3);
  CHECK(bin.back().object == "account");  // newest first; the root was captured first
  for (const auto& entry : bin) {
    CHECK(entry.deleted_by == "ana");
    CHECK(entry.deleted_at == DateTime::parse("2026-03-01T10:00:00Z"));
    if (entry.object == "account") CHECK(entry.deleted_with_id.empty());
    else CHECK(entry.deleted_with_id == b.account);
  }
  CHECK(b.db.recycle_bin("note").size() == 1);
  CHECK_THROWS_WITH_AS(b.db.restore("contact", b.contact), doctest::Contains("restore that record"), UsageError);

  *b.clock = DateTime::parse("2026-03-02T08:00:00Z");
  CHECK(b.db.session({.user = "bo"}).restore("account", b.account) == 3);
  const Record after = b.db.get("account", b.account);
  CHECK(after.at("name") == before.at("name"));
  CHECK(after.at("version") == before.at("version"));
  CHECK(after.at("created_at") == before.at("created_at"));
  CHECK(after.at("contact_count") == Value(std::int64_t{1}));
  CHECK(after.at("deal_total") == Value(Decimal::parse("250.00")));  // the deal re-linked, roll-up back
  CHECK(b.db.get("contact", b.contact).at("last_name") == contact_before.at("last_name"));
  CHECK(b.db.get("note", b.note).at("body") == Value("met at the fair"));
  CHECK(b.db.get("deal", b.deal).at("account_id") == Value(b.account));
  CHECK(b.db.recycle_bin().empty());
  CHECK_THROWS_AS(b.db.restore("account", b.account), NotFoundError);
  // The history tells the story: created, deleted, created again by the restoring user.
  auto history = b.db.history("account", b.account);
  REQUIRE(!history.empty());
  CHECK(history.back().operation == "create");
  CHECK(history.back().actor == "bo");
  CHECK(b.db.verify_history().ok);
}

TEST_CASE("recycle bin: a restore that conflicts restores nothing" * doctest::test_suite("store")) {
  BinDb b;
  b.fill();
  b.db.remove("account", b.account);
  const std::string other = b.db.insert("account", {{"name", "Acme 2"}, {"code", "ACME"}});
  CHECK_THROWS_WITH_AS(b.db.restore("account", b.account), doctest::Contains("unique"), ConflictError);
  CHECK(b.db.count("contact") == 0);  // nothing of the batch came back
  CHECK(b.db.recycle_bin().size() == 3);
  b.db.update("account", other, {{"code", "ACME-2"}});
  CHECK(b.db.restore("account", b.account) == 3);
  CHECK(b.db.get("account", b.account).at("code") == Value("ACME"));
}

TEST_CASE("recycle bin: a child restored without its parent is refused" * doctest::test_suite("store")) {
  BinDb b;
  b.fill();
  b.db.remove("note", b.note);
  b.db.remove("contact", b.contact);
  CHECK_THROWS_WITH_AS(b.db.restore("note", b.note), doctest::Contains("restore that one first"), Error);
  CHECK(b.db.restore("contact", b.contact) == 1);
  CHECK(b.db.restore("note", b.note) == 1);
  CHECK(b.db.get("account", b.account).at("contact_count") == Value(std::int64_t{1}));
}

TEST_CASE("recycle bin: purge removes what was deleted before the retention" * doctest::test_suite("store")) {
  BinDb b;
  b.fill();
  b.db.remove("deal", b.deal);
  *b.clock = DateTime::parse("2026-04-15T10:00:00Z");
  b.db.remove("account", b.account);
  const DateTime now = DateTime::parse("2026-04-20T00:00:00Z");
  CHECK(b.db.purge(now, std::chrono::days{30}) == 1);  // the deal, deleted 50 days before
  CHECK_THROWS_AS(b.db.restore("deal", b.deal), NotFoundError);
  CHECK(b.db.recycle_bin().size() == 3);
  CHECK(b.db.session({.tenant = "other"}).purge(now, std::chrono::days{0}) == 0);  // tenants apart
  CHECK(b.db.session({.tenant = "other"}).recycle_bin().empty());
  CHECK_THROWS_AS(b.db.session({.tenant = "other"}).restore("account", b.account), NotFoundError);
  CHECK_THROWS_AS(b.db.purge(now, std::chrono::days{-1}), UsageError);
  CHECK(b.db.purge(now, std::chrono::days{0}) == 3);
  CHECK(b.db.recycle_bin().empty());
}
