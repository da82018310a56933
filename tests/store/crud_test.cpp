#include <doctest/doctest.h>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/layouts.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using test::rejection_codes;

namespace {
template <class Layout>
struct FixtureIn {
  test::TempDir dir;
  std::filesystem::path path = Layout::location(dir);
  Database db = Database::open(path, test::in_layout<Layout>(test::test_options()));
  std::string acme = db.insert("company", {{"name", "Acme"}, {"industry", "technology"}, {"revenue", "1500000.50"}});
};
using Fixture = FixtureIn<test::SingleFile>;

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}
}  // namespace

TEST_CASE_FIXTURE(Fixture, "insert stores typed values, system fields and defaults" * doctest::test_suite("store")) {
  auto id = db.insert("person", {{"last_name", "Ng"}, {"email", "ng@acme.io"}, {"company_id", acme}, {"discount", 12.5}});
  auto person = db.get("person", id);
  CHECK(person.at("id").as_string() == id);
  CHECK(person.at("version").as_int() == 1);
  CHECK(person.at("created_by").as_string() == "system");
  CHECK(person.at("owner_id").as_string() == "system");
  CHECK(person.at("tenant_id").as_string() == "default");
  CHECK(person.at("created_at") == Value(DateTime::parse("2026-03-04T05:06:07Z")));
  CHECK(person.at("last_seen") == Value(DateTime::parse("2026-03-04T05:06:07Z")));
  CHECK(person.at("signed_up") == Value(Date::parse("2026-03-04")));
  CHECK(person.at("assistant").as_string() == "system");
  CHECK(person.at("discount") == Value(Decimal::parse("12.50")));
  CHECK(person.at("phone").is_null());
  auto company = db.get("company", acme);
  CHECK(company.at("revenue").as_decimal().to_string() == "1500000.50");
  CHECK(company.at("active").as_bool());
}

TEST_CASE_FIXTURE(Fixture, "money stays exact" * doctest::test_suite("store")) {
  auto a = db.insert("deal", {{"title", "A"}, {"company_id", acme}, {"amount", 0.1}});
  auto b = db.insert("deal", {{"title", "B"}, {"company_id", acme}, {"amount", Decimal::parse("0.2")}});
  auto total = db.get("deal", a).at("amount").as_decimal() + db.get("deal", b).at("amount").as_decimal();
  CHECK(total == Decimal::parse("0.3"));
  auto sum = db.aggregate({.object = "deal", .aggregates = {{AggregateFn::sum, "amount", "total"}}});
  CHECK(sum.rows.at(0, 0).as_decimal().to_string() == "0.30");
  CHECK(rejection_codes([&] { db.insert("deal", {{"title", "C"}, {"company_id", acme}, {"amount", "0.001"}}); }) ==
        std::vector<std::string>{"amount:scale"});
}

TEST_CASE_FIXTURE(Fixture, "every constraint rejects with its code and writes nothing" * doctest::test_suite("store")) {
  auto before = test::dump_database(path);
  auto codes = [&](Record record) { return rejection_codes([&] { db.insert("company", record); }); };
  CHECK(codes({{"industry", "technology"}}) == std::vector<std::string>{"name:required"});
  CHECK(codes({{"name", ""}}) == std::vector<std::string>{"name:required"});
  CHECK(codes({{"name", std::string(41, 'x')}}) == std::vector<std::string>{"name:max_length"});
  CHECK(codes({{"name", "B"}, {"industry", "Technology"}}) == std::vector<std::string>{"industry:picklist"});
  CHECK(codes({{"name", "B"}, {"revenue", -1}}) == std::vector<std::string>{"revenue:min"});
  CHECK(codes({{"name", "B"}, {"employees", 2000000}}) == std::vector<std::string>{"employees:max"});
  CHECK(codes({{"name", "B"}, {"employees", "many"}}) == std::vector<std::string>{"employees:type"});
  CHECK(codes({{"name", "B"}, {"employees", 1.5}}) == std::vector<std::string>{"employees:type"});
  CHECK(codes({{"name", "B"}, {"revenue", "12345678901234.00"}}) == std::vector<std::string>{"revenue:precision"});
  CHECK(codes({{"name", "B"}, {"website", "not a url"}}) == std::vector<std::string>{"website:format"});
  CHECK(codes({{"name", "B"}, {"founded", "2023-02-29"}}) == std::vector<std::string>{"founded:type"});
  CHECK(codes({{"name", "B"}, {"active", "maybe"}}) == std::vector<std::string>{"active:type"});
  CHECK(codes({{"name", "B"}, {"tags", StringList{"b2b", "nope"}}}) == std::vector<std::string>{"tags:picklist"});
  CHECK(codes({{"name", "B"}, {"parent_id", "missing-id"}}) == std::vector<std::string>{"parent_id:lookup"});
  CHECK(codes({{"name", "B"}, {"colour", "red"}}) == std::vector<std::string>{"colour:unknown_field"});
  CHECK(codes({{"name", "B"}, {"version", 7}}) == std::vector<std::string>{"version:read_only"});
  CHECK(codes({{"name", "Acme"}}) == std::vector<std::string>{"name:unique"});
  CHECK(rejection_codes([&] { db.insert("person", {{"last_name", "X"}, {"email", "x@@y"}}); }) ==
        std::vector<std::string>{"email:format"});
  CHECK(rejection_codes([&] { db.insert("person", {{"last_name", "X"}, {"phone", "call me"}}); }) ==
        std::vector<std::string>{"phone:format"});
  CHECK(rejection_codes([&] { db.insert("deal", {{"title", "X"}, {"company_id", acme}, {"number", "D-1"}}); }) ==
        std::vector<std::string>{"number:read_only"});
  CHECK(test::dump_database(path) == before);
}

TEST_CASE_FIXTURE(Fixture, "all problems of a record are reported together" * doctest::test_suite("store")) {
  auto codes = rejection_codes([&] {
    db.insert("company", {{"industry", "bogus"}, {"employees", -5}, {"website", "x y"}});
  });
  CHECK(codes.size() == 4);
  CHECK(contains(codes, "name:required"));
  CHECK(contains(codes, "industry:picklist"));
  CHECK(contains(codes, "employees:min"));
  CHECK(contains(codes, "website:format"));
  try {
    db.insert("company", {{"industry", "bogus"}});
  } catch (const ValidationError& error) {
    CHECK(error.code() == ErrorCode::validation);
    CHECK(std::string(error.what()).find("company.") != std::string::npos);
    CHECK(error.errors().front().object == "company");
  }
}

TEST_CASE_FIXTURE(Fixture, "SQL injection strings are stored as data" * doctest::test_suite("store")) {
  const std::string hostile = "'); DROP TABLE company; --";
  auto id = db.insert("company", {{"name", hostile}});
  CHECK(db.get("company", id).at("name").as_string() == hostile);
  auto found = db.query({.object = "company", .filter = Filter::compare("name", CompareOp::eq, hostile)});
  CHECK(found.size() == 1);
  CHECK(db.count("company") == 2);
  CHECK_THROWS_AS(db.query({.object = "company", .fields = {"name\"; DROP TABLE company; --"}}), Error);
  CHECK(db.count("company") == 2);
}

TEST_CASE_FIXTURE(Fixture, "update is partial, versioned and validated" * doctest::test_suite("store")) {
  auto id = db.insert("person", {{"last_name", "Ng"}, {"email", "ng@acme.io"}});
  CHECK(db.update("person", id, {{"phone", "+1 555 0100"}}) == 2);
  auto person = db.get("person", id);
  CHECK(person.at("email").as_string() == "ng@acme.io");
  CHECK(person.at("phone").as_string() == "+1 555 0100");
  CHECK(person.at("version").as_int() == 2);
  CHECK(db.update("person", id, {{"phone", nullptr}}, 2) == 3);
  CHECK(db.get("person", id).at("phone").is_null());

  auto before = test::dump_database(path);
  CHECK_THROWS_AS(db.update("person", id, {{"phone", "+1 555 0101"}}, 2), ConflictError);
  CHECK(rejection_codes([&] { db.update("person", id, {{"last_name", nullptr}}); }) ==
        std::vector<std::string>{"last_name:required"});
  CHECK(rejection_codes([&] { db.update("person", id, {{"created_at", "2020-01-01"}}); }) ==
        std::vector<std::string>{"created_at:read_only"});
  auto other = db.insert("person", {{"last_name", "Li"}, {"email", "li@acme.io"}});
  before = test::dump_database(path);
  CHECK(rejection_codes([&] { db.update("person", other, {{"email", "ng@acme.io"}}); }) ==
        std::vector<std::string>{"email:unique"});
  CHECK_THROWS_AS(db.update("person", "no-such-id", {{"phone", "123"}}), NotFoundError);
  CHECK(test::dump_database(path) == before);
}

TEST_CASE_FIXTURE(Fixture, "delete follows each lookup's delete behaviour" * doctest::test_suite("store")) {
  auto child = db.insert("company", {{"name", "Acme Sub"}, {"parent_id", acme}});
  auto person = db.insert("person", {{"last_name", "Ng"}, {"company_id", child}});
  auto deal = db.insert("deal", {{"title", "Big"}, {"company_id", acme}, {"contact_id", person}});

  auto before = test::dump_database(path);
  CHECK_THROWS_WITH_AS(db.remove("company", acme), doctest::Contains("deal.company_id"), Error);
  CHECK(test::dump_database(path) == before);

  db.remove("deal", deal);
  db.remove("company", child);  // cascades to the person
  CHECK_FALSE(db.find("person", person).has_value());
  db.remove("company", acme);
  CHECK(db.count("company") == 0);
  CHECK_THROWS_AS(db.remove("company", acme), NotFoundError);
  CHECK_THROWS_AS(db.get("company", acme), NotFoundError);

  auto parent = db.insert("company", {{"name", "P"}});
  auto kid = db.insert("company", {{"name", "K"}, {"parent_id", parent}});
  db.remove("company", parent);  // set_null
  CHECK(db.get("company", kid).at("parent_id").is_null());
}

TEST_CASE_FIXTURE(Fixture, "autonumbers are gap-free and survive reopening" * doctest::test_suite("store")) {
  auto first = db.insert("deal", {{"title", "A"}, {"company_id", acme}});
  CHECK(db.get("deal", first).at("number").as_string() == "D-2026-0001");
  CHECK_THROWS(db.insert("deal", {{"title", "B"}, {"company_id", "missing"}}));  // rejected: no number used
  auto second = db.insert("deal", {{"title", "B"}, {"company_id", acme}});
  CHECK(db.get("deal", second).at("number").as_string() == "D-2026-0002");
  db.close();
  auto reopened = Database::open(path, test::test_options());
  auto third = reopened.insert("deal", {{"title", "C"}, {"company_id", acme}});
  CHECK(reopened.get("deal", third).at("number").as_string() == "D-2026-0003");
}

TEST_CASE_TEMPLATE("sessions record the acting user and isolate tenants" * doctest::test_suite("store"), Layout,
                   test::SingleFile, test::TenantFiles) {
  FixtureIn<Layout> fixture;
  auto& db = fixture.db;
  const auto& acme = fixture.acme;
  auto alice = db.session({.user = "u-17", .tenant = "default"});
  auto id = alice.insert("person", {{"last_name", "Ng"}});
  auto person = db.get("person", id);
  CHECK(person.at("created_by").as_string() == "u-17");
  CHECK(person.at("owner_id").as_string() == "u-17");
  CHECK(person.at("assistant").as_string() == "u-17");
  db.update("person", id, {{"owner_id", "u-18"}});
  CHECK(db.get("person", id).at("owner_id").as_string() == "u-18");
  CHECK(db.get("person", id).at("updated_by").as_string() == "system");

  auto other = db.session({.user = "eve", .tenant = "globex"});
  CHECK_FALSE(other.find("person", id).has_value());
  CHECK(other.count("person") == 0);
  CHECK_THROWS_AS(other.update("person", id, {{"last_name", "X"}}), NotFoundError);
  CHECK_THROWS_AS(other.remove("person", id), NotFoundError);
  // A lookup to another tenant's record is as good as missing.
  CHECK(rejection_codes([&] { other.insert("person", {{"last_name", "E"}, {"company_id", acme}}); }) ==
        std::vector<std::string>{"company_id:lookup"});
  CHECK_THROWS_AS(db.session({.user = "x", .tenant = ""}), UsageError);
}

TEST_CASE_FIXTURE(Fixture, "transactions commit together or not at all" * doctest::test_suite("store")) {
  auto before = test::dump_database(path);
  CHECK_THROWS_AS(db.transaction([&] {
    db.insert("person", {{"last_name", "One"}});
    db.insert("person", {{"last_name", "Two"}});
    db.insert("person", {{"email", "no-last-name@x.io"}});
  }),
                  ValidationError);
  CHECK(test::dump_database(path) == before);
  db.transaction([&] {
    db.insert("person", {{"last_name", "One"}});
    db.transaction([&] { db.insert("person", {{"last_name", "Two"}}); });
  });
  CHECK(db.count("person") == 2);
}

TEST_CASE("open refuses foreign files and read-only writes" * doctest::test_suite("store")) {
  test::TempDir dir;
  auto foreign = dir.file("foreign.db");
  {
    sqlite3* raw = nullptr;
    sqlite3_open(foreign.c_str(), &raw);
    sqlite3_exec(raw, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
  }
  CHECK_THROWS_WITH_AS(Database::open(foreign), doctest::Contains("not a hotcrm database"), SchemaError);

  auto path = dir.file("crm.db");
  { auto db = Database::open(path, test::test_options()); }
  OpenOptions read_only;
  read_only.read_only = true;
  auto db = Database::open(path, read_only);
  CHECK(db.catalog().find("deal") != nullptr);  // the stored catalog, not the standard one
  CHECK_THROWS_AS(db.insert("company", {{"name", "X"}}), UsageError);
  CHECK_THROWS_AS(db.insert("nothing", {{"name", "X"}}), SchemaError);
  db.close();
  CHECK_THROWS_AS(db.count("company"), UsageError);
}

TEST_CASE("an in-memory database works with the standard catalog" * doctest::test_suite("store")) {
  auto db = Database::open(":memory:");
  auto id = db.insert("lead", {{"last_name", "Ng"}, {"company", "Acme"}, {"email", "ng@acme.io"}});
  CHECK(db.get("lead", id).at("status").as_string() == "new");
  auto account = db.insert("account", {{"name", "Acme"}});
  auto opportunity = db.insert("opportunity", {{"name", "Deal"},
                                               {"account_id", account},
                                               {"stage", "prospecting"},
                                               {"close_date", "2026-06-30"},
                                               {"amount", "25000.00"}});
  auto rows = db.query({.object = "opportunity", .fields = {"name", "account_id.name"}});
  CHECK(rows.rows.at(0, 1).as_string() == "Acme");
  CHECK(db.get("opportunity", opportunity).at("amount").as_decimal().to_string() == "25000.00");
}

TEST_CASE_FIXTURE(Fixture, "explicit transactions commit, roll back and nest" * doctest::test_suite("store")) {
  auto before = test::dump_database(path);
  {
    auto transaction = db.begin();
    db.insert("person", {{"last_name", "Gone"}});
    CHECK(transaction.active());
  }  // destroyed without commit: rolled back
  CHECK(test::dump_database(path) == before);
  {
    auto outer = db.begin();
    db.insert("person", {{"last_name", "Kept"}});
    auto inner = db.begin();
    db.insert("person", {{"last_name", "Dropped"}});
    inner.rollback();
    CHECK_FALSE(inner.active());
    CHECK_THROWS_AS(inner.commit(), UsageError);
    outer.commit();
  }
  auto names = db.query({.object = "person", .fields = {"last_name"}});
  REQUIRE(names.size() == 1);
  CHECK(names.rows.at(0, 0).as_string() == "Kept");
}

TEST_CASE_FIXTURE(Fixture, "on insert a null takes the default, dates accept midnight datetimes" * doctest::test_suite("store")) {
  auto id = db.insert("company", {{"name", "Nully"}, {"active", nullptr}, {"founded", DateTime::parse("2001-02-03T00:00:00Z")}});
  auto company = db.get("company", id);
  CHECK(company.at("active").as_bool());
  CHECK(company.at("founded") == Value(Date::parse("2001-02-03")));
  CHECK(rejection_codes([&] { db.insert("company", {{"name", "Late"}, {"founded", DateTime::parse("2001-02-03T10:00:00Z")}}); }) ==
        std::vector<std::string>{"founded:type"});
}

TEST_CASE("record ids are unique, sort by creation and replay with a fixed seed" * doctest::test_suite("store")) {
  test::TempDir dir;
  auto make_ids = [&](const std::string& name) {
    auto options = test::test_options();
    std::int64_t tick = 0;
    options.clock = [&tick] { return DateTime{1'700'000'000'000'000 + (tick++ / 3) * 1000}; };
    auto db = Database::open(dir.file(name), options);
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(db.insert("person", {{"last_name", "P" + std::to_string(i)}}));
    return ids;
  };
  auto first = make_ids("a.db");
  CHECK(first == make_ids("b.db"));
  CHECK(std::is_sorted(first.begin(), first.end()));
  CHECK(std::adjacent_find(first.begin(), first.end()) == first.end());
  CHECK(first.front().size() == 17);
}
