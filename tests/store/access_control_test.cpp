// Access control: every path tried by users who must not get through, and by those who must.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/layouts.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

using Names = std::vector<std::string>;

/// Roles ceo > vp > {east, west}; users of each, a viewer without role, an auditor, an admin.
/// company and deal are private, person public-read. company.revenue is controlled by field-level
/// security: the sales set reads it, the finance set edits it, the basic set does not mention it.
template <class Layout>
struct OrgIn {
  test::TempDir dir;
  Database db = Database::open(Layout::location(dir), test::in_layout<Layout>(options()));

  static OpenOptions options() {
    // company tracks its history, so that history reads can be tried too.
    std::string json = test::kTestCatalog;
    const std::string company = R"("name": "company", "label": "Company",)";
    json.replace(json.find(company), company.size(), company + R"( "capabilities": {"track_history": true},)");
    OpenOptions options = test::test_options();
    options.catalog = Catalog::from_json(json, "test catalog");
    return options;
  }
  std::map<std::string, std::string> ids;  // company name -> id

  OrgIn() {
    db.define_role("ceo");
    db.define_role("vp", "ceo");
    db.define_role("east", "vp");
    db.define_role("west", "vp");
    for (auto [user, role] : {std::pair{"boss", "ceo"}, {"vp", "vp"}, {"east", "east"}, {"west", "west"}})
      db.set_user({user, role, false});
    db.set_user({"viewer", "", false});
    db.set_user({"auditor", "", false});
    db.set_user({"admin", "", true});
    for (const char* object : {"company", "deal", "person"}) db.grant("sales", object, ObjectPermissions::crud());
    db.grant_field("sales", "company", "revenue", {true, false});
    db.grant_field("finance", "company", "revenue", {true, true});
    db.grant("basic", "company", ObjectPermissions::read_only());
    db.grant("audit", "company", {false, true, false, false, true, false});
    db.grant("audit", "deal", {false, true, false, false, false, true});
    for (const char* user : {"boss", "vp", "east", "west"}) db.assign_permission_set(user, "sales");
    db.assign_permission_set("boss", "finance");
    db.assign_permission_set("viewer", "basic");
    db.assign_permission_set("auditor", "audit");
    db.set_sharing_model("company", SharingModel::private_);
    db.set_sharing_model("deal", SharingModel::private_);
    db.set_sharing_model("person", SharingModel::public_read);
    for (auto [name, owner, industry] : {std::tuple{"Acme", "east", "technology"}, {"Globex", "west", "finance"},
                                         {"Initech", "vp", "technology"}, {"Hooli", "boss", "retail"},
                                         {"Umbrella", "nobody", "finance"}})
      ids[name] = db.insert("company", {{"name", name}, {"owner_id", owner}, {"industry", industry}, {"revenue", "1000.00"}});
  }

  Session as(const std::string& user, const std::string& tenant = "default") {
    return db.session({user, tenant, AccessMode::user});
  }
  static Names names(Session session, const Filter& filter = Filter::all()) {
    auto result = session.query({.object = "company", .filter = filter, .order_by = {{"name", false}}, .fields = {"name"}});
    Names out;
    for (std::size_t r = 0; r < result.size(); ++r) out.push_back(result.rows.at(r, 0).as_string());
    return out;
  }
};
using Org = OrgIn<test::SingleFile>;

template <class Fn>
std::string error_text(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE_FIXTURE(Org, "private sharing: owner, managers up the hierarchy, never siblings" * doctest::test_suite("access")) {
  CHECK(names(as("east")) == Names{"Acme"});
  CHECK(names(as("west")) == Names{"Globex"});
  CHECK(names(as("vp")) == Names{"Acme", "Globex", "Initech"});
  CHECK(names(as("boss")) == Names{"Acme", "Globex", "Hooli", "Initech"});
  CHECK(names(as("viewer")).empty());
  // Without the read permission, reading the object is refused outright.
  CHECK_THROWS_WITH_AS(as("viewer").count("deal"), doctest::Contains("may not read deal"), PermissionError);
  // Administrators and system sessions bypass, explicitly.
  CHECK(names(as("admin")).size() == 5);
  CHECK(names(db).size() == 5);
  CHECK(names(db.session({"east", "default", AccessMode::system})).size() == 5);
  // A user the security model does not know has no permission at all.
  CHECK_THROWS_AS(names(as("stranger")), PermissionError);
  CHECK(as("east").count("company") == 1);
  CHECK(as("vp").count("company", parse_where("industry = 'technology'")) == 2);
}

TEST_CASE_FIXTURE(Org, "records the user cannot read do not exist for it" * doctest::test_suite("access")) {
  auto east = as("east");
  CHECK(east.find("company", ids["Acme"]).has_value());
  CHECK_FALSE(east.find("company", ids["Globex"]).has_value());
  CHECK_THROWS_AS(east.get("company", ids["Globex"]), NotFoundError);
  CHECK_THROWS_AS(east.update("company", ids["Globex"], {{"name", "Mine"}}), NotFoundError);
  CHECK_THROWS_AS(east.remove("company", ids["Globex"]), NotFoundError);
  CHECK(east.history("company", ids["Globex"]).empty());
  CHECK_FALSE(east.history("company", ids["Acme"]).empty());
  CHECK(db.get("company", ids["Globex"]).at("name").as_string() == "Globex");
  // The manager reads and edits the report's record.
  CHECK(as("vp").update("company", ids["Acme"], {{"industry", "retail"}}) == 2);
}

TEST_CASE_FIXTURE(Org, "object permissions: create, edit, delete refused with PermissionError" * doctest::test_suite("access")) {
  auto viewer = as("viewer");
  db.set_sharing_model("company", SharingModel::public_read);
  CHECK(names(viewer).size() == 5);
  const auto before = test::dump_database(dir.file("crm.db"));
  CHECK_THROWS_AS(viewer.insert("company", {{"name", "Mine"}}), PermissionError);
  CHECK_THROWS_AS(viewer.update("company", ids["Acme"], {{"name", "Mine"}}), PermissionError);
  CHECK_THROWS_AS(viewer.remove("company", ids["Acme"]), PermissionError);
  RecordBatch batch({"name"});
  batch.add_row({"Imported"});
  CHECK_THROWS_AS(viewer.import_records("company", batch), PermissionError);
  std::istringstream csv("name\nFromCsv\n");
  CHECK_THROWS_AS(import_stream(viewer, "company", csv, TextFormat::csv), PermissionError);
  CHECK(test::dump_database(dir.file("crm.db")) == before);
  // Public read does not give edit: east reads Globex but may not change it.
  auto east = as("east");
  CHECK(east.get("company", ids["Globex"]).at("name").as_string() == "Globex");
  CHECK_THROWS_WITH_AS(east.update("company", ids["Globex"], {{"name", "Mine"}}),
                       doctest::Contains("may read company"), PermissionError);
  CHECK_THROWS_AS(east.remove("company", ids["Globex"]), PermissionError);
  // Public read/write gives edit to those with the edit permission.
  db.set_sharing_model("company", SharingModel::public_read_write);
  CHECK(east.update("company", ids["Globex"], {{"industry", "retail"}}) == 2);
  CHECK_THROWS_AS(viewer.update("company", ids["Globex"], {{"industry", "retail"}}), PermissionError);
}

TEST_CASE_FIXTURE(Org, "owners create, edit and delete, delete needs the delete permission" * doctest::test_suite("access")) {
  auto east = as("east");
  auto id = east.insert("company", {{"name", "EastCo"}});
  CHECK(east.get("company", id).at("owner_id").as_string() == "east");
  CHECK(names(east) == Names{"Acme", "EastCo"});
  CHECK(names(as("west")) == Names{"Globex"});
  RecordBatch batch({"name", "industry"});
  batch.add_row({"EastTwo", "retail"});
  CHECK(east.import_records("company", batch).inserted == 1);
  db.grant("sales", "company", {true, true, true, false, false, false});
  CHECK_THROWS_WITH_AS(east.remove("company", id), doctest::Contains("may not delete company"), PermissionError);
  db.grant("sales", "company", ObjectPermissions::crud());
  east.remove("company", id);
  CHECK_FALSE(db.find("company", id).has_value());
}

TEST_CASE_FIXTURE(Org, "recycle bin: who deleted it, or view all / modify all, purge is administration" * doctest::test_suite("access")) {
  auto east = as("east");
  east.remove("company", ids["Acme"]);
  auto listed = [](Session session) {
    Names out;
    for (const auto& entry : session.recycle_bin("company")) out.push_back(entry.id);
    return out;
  };
  CHECK(listed(east) == Names{ids["Acme"]});
  CHECK(listed(as("west")).empty());
  CHECK(listed(as("viewer")).empty());
  CHECK(listed(as("auditor")) == Names{ids["Acme"]});  // view all on company
  // Restoring needs the delete permission and the record: west cannot see it, the auditor may not delete.
  CHECK_THROWS_AS(as("west").restore("company", ids["Acme"]), NotFoundError);
  CHECK_THROWS_AS(as("viewer").restore("company", ids["Acme"]), PermissionError);
  CHECK_THROWS_AS(as("auditor").restore("company", ids["Acme"]), PermissionError);
  CHECK_THROWS_AS(as("east").purge(DateTime::parse("2100-01-01T00:00:00Z"), std::chrono::hours(0)), PermissionError);
  CHECK(db.recycle_bin("company").size() == 1);  // the refusals changed nothing
  CHECK(east.restore("company", ids["Acme"]) == 1);
  CHECK(east.get("company", ids["Acme"]).at("name").as_string() == "Acme");
  // An administrator purges.
  east.remove("company", ids["Acme"]);
  CHECK(as("admin").purge(DateTime::parse("2100-01-01T00:00:00Z"), std::chrono::hours(0)) == 1);
  CHECK(db.recycle_bin().empty());
}

TEST_CASE_FIXTURE(Org, "manual shares, read or edit, to a user, a role, a group" * doctest::test_suite("access")) {
  auto west = as("west");
  // Only someone who may edit the record may share it.
  CHECK_THROWS_AS(west.share("company", ids["Acme"], Grantee::user("west")), NotFoundError);
  as("east").share("company", ids["Acme"], Grantee::user("west"), ShareAccess::read);
  CHECK(names(west) == Names{"Acme", "Globex"});
  CHECK_THROWS_AS(west.update("company", ids["Acme"], {{"industry", "retail"}}), PermissionError);
  db.share("company", ids["Acme"], Grantee::user("west"), ShareAccess::edit);
  CHECK(west.update("company", ids["Acme"], {{"industry", "retail"}}) == 2);
  CHECK(db.shares("company", ids["Acme"]).size() == 1);
  db.unshare("company", ids["Acme"], Grantee::user("west"));
  CHECK(names(west) == Names{"Globex"});
  // A role share reaches the role's users; a group share the members.
  db.share("company", ids["Hooli"], Grantee::role("west"));
  CHECK(names(west) == Names{"Globex", "Hooli"});
  CHECK(names(as("east")) == Names{"Acme"});
  db.add_to_group("readers", "viewer");
  db.share("company", ids["Umbrella"], Grantee::group("readers"));
  CHECK(names(as("viewer")) == Names{"Umbrella"});
  db.remove_from_group("readers", "viewer");
  CHECK(names(as("viewer")).empty());
  CHECK_THROWS_AS(db.share("company", "nosuchid", Grantee::user("west")), NotFoundError);
  CHECK_THROWS_AS(db.share("company", ids["Acme"], Grantee::role("nosuchrole")), UsageError);
}

TEST_CASE_FIXTURE(Org, "sharing rules: criteria compiled into the query's SQL" * doctest::test_suite("access")) {
  db.add_sharing_rule({"finance_to_east", "company", "ISPICKVAL(industry, 'finance')",
                       Grantee::role_and_subordinates("vp"), ShareAccess::read});
  CHECK(names(as("east")) == Names{"Acme", "Globex", "Umbrella"});
  CHECK(names(as("west")) == Names{"Globex", "Umbrella"});
  CHECK(names(as("viewer")).empty());  // not in the vp subtree
  // Read only: the rule does not give edit.
  CHECK_THROWS_AS(as("east").update("company", ids["Umbrella"], {{"industry", "retail"}}), PermissionError);
  // Never fetch-then-filter: the visibility is part of the statement SQLite runs.
  auto plan = as("east").explain({.object = "company"});
  CHECK(plan.find("\"owner_id\" = ?") != std::string::npos);
  CHECK(plan.find("\"industry\"") != std::string::npos);
  // Rules for a group, with edit; criteria the SQL translation cannot express run in the engine
  // inside the same statement, and give the same answer.
  db.add_to_group("auditors", "viewer");
  db.add_sharing_rule({"long_names", "company", "LEN(name) > 6 && MOD(LEN(name), 1) = 0", Grantee::group("auditors"),
                       ShareAccess::edit});
  CHECK(names(as("viewer")) == Names{"Initech", "Umbrella"});
  CHECK(as("viewer").explain({.object = "company"}).find("hotcrm_engine") != std::string::npos);
  db.remove_sharing_rule("company", "long_names");
  CHECK(names(as("viewer")).empty());
  CHECK_THROWS_AS(db.add_sharing_rule({"bad", "company", "nosuch = 1", Grantee::group("g"), ShareAccess::read}), UsageError);
  CHECK_THROWS_AS(db.add_sharing_rule({"bad", "company", "name", Grantee::group("g"), ShareAccess::read}), UsageError);
}

TEST_CASE_FIXTURE(Org, "view all and modify all ignore sharing" * doctest::test_suite("access")) {
  auto auditor = as("auditor");
  CHECK(names(auditor).size() == 5);
  CHECK_THROWS_AS(auditor.update("company", ids["Acme"], {{"industry", "retail"}}), PermissionError);
  auto deal = db.insert("deal", {{"title", "Big"}, {"company_id", ids["Acme"]}, {"owner_id", "east"}});
  CHECK(auditor.update("deal", deal, {{"title", "Bigger"}}) == 2);
  CHECK(as("west").count("deal") == 0);
  auditor.remove("deal", deal);
}

TEST_CASE_FIXTURE(Org, "hidden fields are absent and unknown on every path" * doctest::test_suite("access")) {
  db.set_sharing_model("company", SharingModel::public_read);
  auto viewer = as("viewer");
  auto result = viewer.query({.object = "company"});
  CHECK(std::find(result.fields.begin(), result.fields.end(), "revenue") == result.fields.end());
  CHECK(std::find(result.fields.begin(), result.fields.end(), "industry") != result.fields.end());
  auto columns = viewer.query_columns({.object = "company"});
  for (const auto& column : columns.columns) CHECK(column.name != "revenue");
  CHECK(viewer.get("company", ids["Acme"]).count("revenue") == 0);
  // Named anywhere, it is an unknown field, like a field that does not exist.
  auto unknown = [&](auto&& fn) {
    try {
      fn();
    } catch (const Error& error) {
      CHECK(error.code() == ErrorCode::unknown_field);
      return std::string(error.what());
    }
    FAIL("no error");
    return std::string();
  };
  CHECK(unknown([&] { viewer.query({.object = "company", .fields = {"revenue"}}); }).find("unknown field 'revenue'") != std::string::npos);
  unknown([&] { viewer.query({.object = "company", .filter = parse_where("revenue > 1")}); });
  unknown([&] { viewer.query({.object = "company", .order_by = {{"revenue", true}}}); });
  unknown([&] { viewer.aggregate({.object = "company", .aggregates = {{AggregateFn::sum, "revenue", ""}}}); });
  unknown([&] { viewer.aggregate({.object = "company", .group_by = {"revenue"}, .aggregates = {{}}}); });
  db.grant("basic", "deal", ObjectPermissions::read_only());
  unknown([&] { viewer.query({.object = "deal", .fields = {"company_id.revenue"}}); });
  // In formulas: the diagnostics read as for a missing field and do not suggest it.
  auto hidden = error_text([&] { viewer.count("company", Filter::formula("revenue > 0")); });
  CHECK(hidden.find("unknown field revenue on company") != std::string::npos);
  auto missing = error_text([&] { viewer.count("company", Filter::formula("revenu > 0")); });
  CHECK(missing.find("unknown field revenu on company") != std::string::npos);
  CHECK(missing.find("did you mean revenue") == std::string::npos);
  CHECK(db.check_formula("company", "revenu > 0").diagnostics.front().message.find("revenue") != std::string::npos);
  CHECK_FALSE(viewer.check_formula("company", "revenue > 0").ok());
  CHECK(db.check_formula("company", "revenue > 0").ok());
  CHECK_THROWS_AS(viewer.features("company", {FeatureSpec::of("r", "revenue")}), UsageError);
  CHECK_THROWS_AS(viewer.evaluate("company", "revenue * 2", {}), UsageError);
  // Exports and history leave it out.
  std::ostringstream csv;
  export_records(viewer, {.object = "company"}, csv, TextFormat::csv);
  CHECK(csv.str().find("revenue") == std::string::npos);
  CHECK(csv.str().find("Acme") != std::string::npos);
  auto east = as("east");
  east.update("company", ids["Acme"], {{"industry", "retail"}});
  db.update("company", ids["Acme"], {{"revenue", "2000.00"}});
  bool revenue_in_history = false;
  for (const auto& entry : as("viewer").history("company", ids["Acme"])) revenue_in_history |= entry.field == "revenue";
  CHECK_FALSE(revenue_in_history);
  for (const auto& entry : east.history("company", ids["Acme"])) revenue_in_history |= entry.field == "revenue";
  CHECK(revenue_in_history);
  auto access = viewer.access("company");
  CHECK(access.hidden_fields == Names{"revenue"});
  CHECK_FALSE(access.bypass);
}

TEST_CASE_FIXTURE(Org, "read-only fields: readable, edit refused, writes naming hidden fields are unknown fields" * doctest::test_suite("access")) {
  auto east = as("east");
  CHECK(east.get("company", ids["Acme"]).at("revenue").as_decimal().to_string() == "1000.00");
  CHECK_THROWS_WITH_AS(east.update("company", ids["Acme"], {{"revenue", "5.00"}}),
                       doctest::Contains("may not edit company.revenue"), PermissionError);
  CHECK_THROWS_AS(east.insert("company", {{"name", "X"}, {"revenue", "5.00"}}), PermissionError);
  CHECK(as("boss").update("company", ids["Acme"], {{"revenue", "5.00"}}) == 2);
  db.set_sharing_model("company", SharingModel::public_read_write);
  db.grant("basic", "company", ObjectPermissions::crud());
  auto viewer = as("viewer");
  CHECK(test::rejection_codes([&] { viewer.update("company", ids["Acme"], {{"revenue", "5.00"}}); }) ==
        std::vector<std::string>{"revenue:unknown_field"});
  RecordBatch batch({"name", "revenue"});
  batch.add_row({"Hidden", "1.00"});
  CHECK(test::rejection_codes([&] { viewer.import_records("company", batch); }) ==
        std::vector<std::string>{"revenue:unknown_field"});
  // Without the hidden field the viewer's import goes through.
  RecordBatch plain({"name"});
  plain.add_row({"Visible"});
  CHECK(viewer.import_records("company", plain).inserted == 1);
}

TEST_CASE_FIXTURE(Org, "lookups reach only parents the user can read, in SQL and in the engine alike" * doctest::test_suite("access")) {
  // east's deal points at Globex, which east cannot read.
  auto deal = db.insert("deal", {{"title", "Cross"}, {"company_id", ids["Globex"]}, {"owner_id", "east"}});
  db.insert("deal", {{"title", "Home"}, {"company_id", ids["Acme"]}, {"owner_id", "east"}});
  auto east = as("east");
  auto rows = east.query({.object = "deal", .order_by = {{"title", false}}, .fields = {"title", "company_id.name"}});
  REQUIRE(rows.size() == 2);
  CHECK(rows.rows.at(0, 1).is_null());
  CHECK(rows.rows.at(1, 1).as_string() == "Acme");
  // The comparison runs in SQL; the LEN one in the formula engine: both see no Globex.
  CHECK(east.count("deal", parse_where("company_id.name = 'Globex'")) == 0);
  CHECK(east.count("deal", Filter::formula("LEN(company_id.name) = 6 && MOD(1, 1) = 0")) == 0);
  CHECK(db.session({"east"}).count("deal", Filter::formula("LEN(company_id.name) = 6 && MOD(1, 1) = 0")) == 1);
  CHECK(east.evaluate("deal", "ISBLANK(company_id.name)", {{"company_id", ids["Globex"]}}).value.as_bool());
  CHECK_FALSE(east.evaluate("deal", "ISBLANK(company_id.name)", {{"company_id", ids["Acme"]}}).value.as_bool());
  // Batch evaluation (features) agrees with the row path.
  auto matrix = east.features("deal", {FeatureSpec::of("named", "NOT(ISBLANK(company_id.name))")});
  REQUIRE(matrix.rows() == 2);
  double named = matrix.values[0] + matrix.values[1];
  CHECK(named == 1.0);
  CHECK(as("west").count("deal") == 0);
  CHECK(db.get("deal", deal).at("title").as_string() == "Cross");
}

TEST_CASE_FIXTURE(Org, "aggregates, columns and features see only visible records" * doctest::test_suite("access")) {
  auto vp = as("vp");
  auto totals = vp.aggregate({.object = "company", .group_by = {"industry"}, .aggregates = {{AggregateFn::count, "", "n"}}});
  std::int64_t counted = 0;
  for (std::size_t r = 0; r < totals.size(); ++r) counted += totals.rows.at(r, 1).as_int();
  CHECK(counted == 3);
  CHECK(vp.query_columns({.object = "company"}).rows == 3);
  CHECK(vp.features("company", {FeatureSpec::of("one", "1")}).rows() == 3);
  FeatureAggregate deals{.object = "deal", .via = "company_id"};
  db.insert("deal", {{"title", "A"}, {"company_id", ids["Acme"]}, {"owner_id", "east"}});
  db.insert("deal", {{"title", "B"}, {"company_id", ids["Acme"]}, {"owner_id", "nobody"}});
  auto matrix = as("east").features("company", {FeatureSpec::of("deals", deals)});
  REQUIRE(matrix.rows() == 1);
  CHECK(matrix.values[0] == 1.0);  // the deal owned by nobody is not counted for east
  CHECK(db.features("company", {FeatureSpec::of("deals", deals)}, parse_where("name = 'Acme'")).values[0] == 2.0);
}

TEST_CASE_TEMPLATE("tenants: a session in one tenant never sees another" * doctest::test_suite("access"), Layout,
                   test::SingleFile, test::TenantFiles) {
  OrgIn<Layout> org;
  auto& db = org.db;
  auto& ids = org.ids;
  auto as = [&](const std::string& user, const std::string& tenant = "default") { return org.as(user, tenant); };
  auto names = [](Session session) { return OrgIn<Layout>::names(std::move(session)); };
  auto other = db.session({"system", "other"});
  other.define_role("east");
  other.set_user({"east", "east", false});
  other.grant("sales", "company", ObjectPermissions::crud());
  other.assign_permission_set("east", "sales");
  other.insert("company", {{"name", "OtherCo"}, {"owner_id", "east"}});
  CHECK(names(as("east", "other")) == Names{"OtherCo"});
  CHECK(names(as("east")) == Names{"Acme"});
  CHECK_FALSE(as("east", "other").find("company", ids["Acme"]).has_value());
  // The security model is per tenant: boss has no entry in "other".
  CHECK_THROWS_AS(names(as("boss", "other")), PermissionError);
  // So is the administrator flag: admin of "default" is nobody in "other".
  CHECK_THROWS_AS(as("admin", "other").count("company"), PermissionError);
}

TEST_CASE_FIXTURE(Org, "administration needs a system session or an administrator" * doctest::test_suite("access")) {
  auto east = as("east");
  CHECK_THROWS_AS(east.grant("sales", "company", ObjectPermissions::crud()), PermissionError);
  CHECK_THROWS_AS(east.set_user({"east", "ceo", true}), PermissionError);
  CHECK_THROWS_AS(east.define_role("mine"), PermissionError);
  CHECK_THROWS_AS(east.set_sharing_model("company", SharingModel::public_read_write), PermissionError);
  CHECK_THROWS_AS(east.export_person("ada@example.com"), PermissionError);
  CHECK_THROWS_AS(east.erase_person("ada@example.com"), PermissionError);
  CHECK_THROWS_AS(east.outbox(), PermissionError);
  CHECK_THROWS_AS(east.run_due(DateTime::parse("2026-03-05T00:00:00Z")), PermissionError);
  CHECK_THROWS_AS(east.validate_stored("company"), PermissionError);
  auto admin = as("admin");
  admin.grant("sales", "person", ObjectPermissions::read_only());
  CHECK(admin.access("company").bypass);
  CHECK_NOTHROW(admin.outbox());
  // Bad administration input.
  CHECK_THROWS_AS(db.define_role("x", "nosuch"), UsageError);
  db.define_role("top");
  db.define_role("mid", "top");
  CHECK_THROWS_AS(db.define_role("top", "mid"), UsageError);  // a cycle
  CHECK_THROWS_AS(db.set_user({"u", "nosuch", false}), UsageError);
  CHECK_THROWS_AS(db.grant("s", "nosuch", {}), SchemaError);
  CHECK_THROWS_AS(db.grant_field("s", "company", "nosuch", {}), UsageError);
  CHECK_THROWS_AS(db.grant_field("s", "company", "owner_id", {}), UsageError);
  CHECK(db.user_access("east") == UserAccess{"east", "east", false});
  CHECK_FALSE(db.user_access("nobody").has_value());
  CHECK(Grantee::parse("role_and_subordinates:vp") == Grantee::role_and_subordinates("vp"));
  CHECK_THROWS_AS(Grantee::parse("team:x"), UsageError);
  CHECK_THROWS_AS(sharing_model_from_string("open"), UsageError);
}

TEST_CASE_FIXTURE(Org, "public read objects: every user with read, edit by sharing only" * doctest::test_suite("access")) {
  auto person = db.insert("person", {{"last_name", "Lovelace"}, {"owner_id", "east"}});
  CHECK(as("west").count("person") == 1);
  CHECK_THROWS_AS(as("west").update("person", person, {{"last_name", "X"}}), PermissionError);
  CHECK(as("east").update("person", person, {{"last_name", "Byron"}}) == 2);
  CHECK(as("vp").update("person", person, {{"last_name", "King"}}) == 3);
  CHECK_THROWS_AS(as("viewer").count("person"), PermissionError);  // no read permission on person
}
