// Record sharing beyond ownership: shares and rules rolling up the role hierarchy, the per-object
// "grant access using hierarchies" switch, and master-detail children controlled by their parent.
// Every path is tried by a user who must not get through, and by one who must.
#include <doctest/doctest.h>

#include <sstream>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

using Names = std::vector<std::string>;

/// Roles ceo > vp > {east, west}, and "other" beside ceo; group emea = {east}. company and deal
/// are private. visit is a detail of company (history tracked), visit_note a detail of visit
/// (its master field may stay empty), followup an ordinary public-read object looking up a visit.
struct Org {
  test::TempDir dir;
  Database db = Database::open(dir.file("crm.db"), options());
  std::map<std::string, std::string> ids;  // company name -> id

  static OpenOptions options() {
    std::string json = test::kTestCatalog;
    json.erase(json.rfind(']'));
    json += R"(,
  {"name": "visit", "capabilities": {"track_history": true}, "fields": [
    {"name": "subject", "type": "text", "required": true},
    {"name": "company_id", "type": "master_detail", "reference": "company", "required": true}]},
  {"name": "visit_note", "fields": [
    {"name": "body", "type": "text"},
    {"name": "visit_id", "type": "master_detail", "reference": "visit"}]},
  {"name": "attendance", "fields": [
    {"name": "company_id", "type": "master_detail", "reference": "company", "required": true},
    {"name": "person_id", "type": "master_detail", "reference": "person", "required": true}]},
  {"name": "followup", "fields": [
    {"name": "title", "type": "text"},
    {"name": "visit_id", "type": "lookup", "reference": "visit"}]}
])";
    OpenOptions options = test::test_options();
    options.catalog = Catalog::from_json(json, "sharing catalog");
    return options;
  }

  Org() {
    db.define_role("ceo");
    db.define_role("vp", "ceo");
    db.define_role("east", "vp");
    db.define_role("west", "vp");
    db.define_role("other");
    for (auto [user, role] : {std::pair{"boss", "ceo"}, {"vp", "vp"}, {"east", "east"}, {"west", "west"},
                              {"outsider", "other"}}) {
      db.set_user({user, role, false});
      db.assign_permission_set(user, "sales");
    }
    db.set_user({"auditor", "", false});
    db.assign_permission_set("auditor", "audit");
    for (const char* object : {"company", "deal", "person", "visit", "visit_note", "attendance", "followup"})
      db.grant("sales", object, ObjectPermissions::crud());
    db.grant("audit", "visit", {false, true, false, false, true, false});
    db.add_to_group("emea", "east");
    db.set_sharing_model("company", SharingModel::private_);
    db.set_sharing_model("deal", SharingModel::private_);
    db.set_sharing_model("followup", SharingModel::public_read);
    for (auto [name, owner, industry] : {std::tuple{"Acme", "east", "technology"}, {"Globex", "west", "finance"},
                                         {"Initech", "outsider", "technology"}, {"Umbrella", "nobody", "retail"},
                                         {"Hooli", "nobody", "retail"}})
      ids[name] = db.insert("company", {{"name", name}, {"owner_id", owner}, {"industry", industry}});
  }

  Session as(const std::string& user) { return db.session({user, "default", AccessMode::user}); }
  static Names names(Session session, const std::string& object = "company", const std::string& field = "name") {
    auto result = session.query({.object = object, .order_by = {{field, false}}, .fields = {field}});
    Names out;
    for (std::size_t r = 0; r < result.size(); ++r) out.push_back(result.rows.at(r, 0).as_string());
    return out;
  }
  std::string dump() { return test::dump_database(dir.file("crm.db")); }
};

}  // namespace

TEST_CASE_FIXTURE(Org, "manual shares to a report roll up to its managers, on every path" * doctest::test_suite("access")) {
  db.share("company", ids["Initech"], Grantee::user("east"), ShareAccess::read);
  CHECK(names(as("east")) == Names{"Acme", "Initech"});
  CHECK(names(as("vp")) == Names{"Acme", "Globex", "Initech"});
  CHECK(names(as("boss")) == Names{"Acme", "Globex", "Initech"});
  CHECK(names(as("west")) == Names{"Globex"});  // a sibling of the grantee: nothing rolls sideways
  CHECK(names(as("outsider")) == Names{"Initech"});
  // The inherited access is the share's: read only, until the share gives edit.
  CHECK_THROWS_WITH_AS(as("vp").update("company", ids["Initech"], {{"industry", "retail"}}),
                       doctest::Contains("may read company"), PermissionError);
  db.share("company", ids["Initech"], Grantee::user("east"), ShareAccess::edit);
  CHECK(as("vp").update("company", ids["Initech"], {{"industry", "finance"}}) == 2);
  // Shares to a report's role, role and subordinates, or group reach the managers too.
  db.share("company", ids["Umbrella"], Grantee::role("west"));
  db.share("company", ids["Hooli"], Grantee::group("emea"));
  CHECK(names(as("vp")) == Names{"Acme", "Globex", "Hooli", "Initech", "Umbrella"});
  CHECK(names(as("east")) == Names{"Acme", "Hooli", "Initech"});
  CHECK(names(as("west")) == Names{"Globex", "Umbrella"});
  CHECK(names(as("outsider")) == Names{"Initech"});
  // west, who must not get through to Initech, is refused on every path.
  auto west = as("west");
  const auto before = dump();
  CHECK_THROWS_AS(west.get("company", ids["Initech"]), NotFoundError);
  CHECK_FALSE(west.find("company", ids["Initech"]).has_value());
  CHECK(west.count("company", parse_where("name = 'Initech'")) == 0);
  auto totals = west.aggregate({.object = "company", .group_by = {"industry"}, .aggregates = {{AggregateFn::count, "", "n"}}});
  std::int64_t counted = 0;
  for (std::size_t r = 0; r < totals.size(); ++r) counted += totals.rows.at(r, 1).as_int();
  CHECK(counted == 2);
  CHECK_THROWS_AS(west.update("company", ids["Initech"], {{"industry", "retail"}}), NotFoundError);
  CHECK_THROWS_AS(west.remove("company", ids["Initech"]), NotFoundError);
  CHECK_THROWS_AS(west.share("company", ids["Initech"], Grantee::user("west")), NotFoundError);
  CHECK(west.history("company", ids["Initech"]).empty());
  CHECK(west.features("company", {FeatureSpec::of("one", "1")}).rows() == 2);
  CHECK(dump() == before);
  // Lookups, in SQL and in the formula engine: west's deal on Initech shows no parent; vp's does.
  db.insert("deal", {{"title", "Cross"}, {"company_id", ids["Initech"]}, {"owner_id", "west"}});
  auto parent = [](Session session) {
    return session.query({.object = "deal", .fields = {"company_id.name"}}).rows.at(0, 0);
  };
  CHECK(parent(west).is_null());
  CHECK(parent(as("vp")).as_string() == "Initech");
  CHECK(west.count("deal", Filter::formula("LEN(company_id.name) = 7 && MOD(1, 1) = 0")) == 0);
  CHECK(as("vp").count("deal", Filter::formula("LEN(company_id.name) = 7 && MOD(1, 1) = 0")) == 1);
  CHECK(west.evaluate("deal", "ISBLANK(company_id.name)", {{"company_id", ids["Initech"]}}).value.as_bool());
  CHECK_FALSE(as("vp").evaluate("deal", "ISBLANK(company_id.name)", {{"company_id", ids["Initech"]}}).value.as_bool());
  CHECK(west.features("deal", {FeatureSpec::of("named", "NOT(ISBLANK(company_id.name))")}).values.at(0) == 0.0);
  // Never fetch-then-filter: the reports' shares are matched inside the statement.
  CHECK(as("vp").explain({.object = "company"}).find("_hotcrm_share") != std::string::npos);
}

TEST_CASE_FIXTURE(Org, "sharing rules for a report roll up, and the hierarchy switch turns all of it off" * doctest::test_suite("access")) {
  db.add_sharing_rule({"tech_to_east", "company", "ISPICKVAL(industry, 'technology')", Grantee::role("east"),
                       ShareAccess::read});
  CHECK(names(as("east")) == Names{"Acme", "Initech"});
  CHECK(names(as("vp")) == Names{"Acme", "Globex", "Initech"});
  CHECK(names(as("west")) == Names{"Globex"});
  CHECK(as("vp").explain({.object = "company"}).find("\"industry\"") != std::string::npos);
  db.add_sharing_rule({"retail_to_west", "company", "ISPICKVAL(industry, 'retail')", Grantee::user("west"),
                       ShareAccess::edit});
  CHECK(names(as("boss")) == Names{"Acme", "Globex", "Hooli", "Initech", "Umbrella"});
  CHECK(as("vp").update("company", ids["Hooli"], {{"name", "Hooli2"}}) == 2);
  CHECK(names(as("east")) == Names{"Acme", "Initech"});
  CHECK(names(as("outsider")) == Names{"Initech"});
  // Switched off for company: managers keep only their own access; the reports keep theirs.
  CHECK(as("vp").access("company").hierarchy);
  db.set_sharing_hierarchy("company", false);
  CHECK_FALSE(as("vp").access("company").hierarchy);
  CHECK(names(as("vp")).empty());
  CHECK(names(as("boss")).empty());
  CHECK(names(as("east")) == Names{"Acme", "Initech"});
  CHECK(names(as("west")) == Names{"Globex", "Hooli2", "Umbrella"});
  const auto before = dump();
  CHECK_THROWS_AS(as("vp").get("company", ids["Acme"]), NotFoundError);
  CHECK_THROWS_AS(as("vp").update("company", ids["Hooli"], {{"name", "Hooli3"}}), NotFoundError);
  CHECK_THROWS_AS(as("vp").remove("company", ids["Acme"]), NotFoundError);
  CHECK(as("vp").history("company", ids["Acme"]).empty());
  CHECK(as("vp").count("company") == 0);
  CHECK(dump() == before);
  // Shares to a report are not inherited either; an explicit "role and subordinates" grantee still reaches.
  db.share("company", ids["Umbrella"], Grantee::user("east"));
  CHECK(names(as("vp")).empty());
  db.share("company", ids["Umbrella"], Grantee::role_and_subordinates("vp"));
  CHECK(names(as("vp")) == Names{"Umbrella"});
  // Other objects keep the default; switching back on restores the managers' view.
  db.insert("deal", {{"title", "East deal"}, {"company_id", ids["Acme"]}, {"owner_id", "east"}});
  CHECK(as("vp").count("deal") == 1);
  db.set_sharing_hierarchy("company", true);
  CHECK(names(as("vp")) == Names{"Acme", "Globex", "Hooli2", "Initech", "Umbrella"});
  // Administration: users are refused, unknown objects are schema errors.
  CHECK_THROWS_AS(as("east").set_sharing_hierarchy("company", false), PermissionError);
  CHECK_THROWS_AS(db.set_sharing_hierarchy("nosuch", false), SchemaError);
}

TEST_CASE_FIXTURE(Org, "a group's own hierarchy switch keeps what is shared with it among its members" *
                           doctest::test_suite("access")) {
  db.share("company", ids["Hooli"], Grantee::group("emea"));
  db.add_sharing_rule({"umbrella_to_emea", "company", "name = 'Umbrella'", Grantee::group("emea"), ShareAccess::read});
  db.add_to_group("apac", "west");
  db.share("company", ids["Initech"], Grantee::group("apac"));
  CHECK(names(as("vp")) == Names{"Acme", "Globex", "Hooli", "Initech", "Umbrella"});
  db.set_group_hierarchy("emea", false);
  // emea's share and rule stop at east; apac's share still reaches west's managers, and the
  // reports' own records still reach theirs (the per-object switch is on).
  CHECK(names(as("east")) == Names{"Acme", "Hooli", "Umbrella"});
  CHECK(names(as("vp")) == Names{"Acme", "Globex", "Initech"});
  CHECK(names(as("boss")) == Names{"Acme", "Globex", "Initech"});
  const auto before = dump();
  CHECK_THROWS_AS(as("vp").get("company", ids["Hooli"]), NotFoundError);
  CHECK_THROWS_AS(as("vp").update("company", ids["Umbrella"], {{"name", "Umbrella2"}}), NotFoundError);
  CHECK(as("vp").count("company", parse_where("name = 'Hooli'")) == 0);
  CHECK(dump() == before);
  // A manager who is a member gets the group's access as a member.
  db.add_to_group("emea", "vp");
  CHECK(names(as("vp")) == Names{"Acme", "Globex", "Hooli", "Initech", "Umbrella"});
  CHECK(names(as("boss")) == Names{"Acme", "Globex", "Initech"});
  db.remove_from_group("emea", "vp");
  // Switched back on, emea reaches up again; the per-object switch still wins over it.
  db.set_group_hierarchy("emea", true);
  CHECK(names(as("boss")) == Names{"Acme", "Globex", "Hooli", "Initech", "Umbrella"});
  db.set_sharing_hierarchy("company", false);
  CHECK(names(as("boss")).empty());
  db.set_sharing_hierarchy("company", true);
  // Administration: users are refused, a group needs a name.
  CHECK_THROWS_AS(as("east").set_group_hierarchy("emea", false), PermissionError);
  CHECK_THROWS_AS(db.set_group_hierarchy("", false), UsageError);
}

TEST_CASE_FIXTURE(Org, "a detail is read and written exactly as its master" * doctest::test_suite("access")) {
  // Owners do not matter: each visit follows its company.
  const auto acme_visit = db.insert("visit", {{"subject", "Acme kickoff"}, {"company_id", ids["Acme"]}, {"owner_id", "west"}});
  const auto globex_visit = db.insert("visit", {{"subject", "Globex review"}, {"company_id", ids["Globex"]}, {"owner_id", "east"}});
  db.insert("visit", {{"subject", "Initech demo"}, {"company_id", ids["Initech"]}, {"owner_id", "east"}});
  CHECK(names(as("east"), "visit", "subject") == Names{"Acme kickoff"});
  CHECK(names(as("west"), "visit", "subject") == Names{"Globex review"});
  CHECK(names(as("vp"), "visit", "subject") == Names{"Acme kickoff", "Globex review"});
  CHECK(as("east").access("visit").controlled_by == Names{"company_id"});
  CHECK(db.access("visit").controlled_by == Names{"company_id"});
  // The master's condition is part of the statement.
  CHECK(as("east").explain({.object = "visit"}).find("\"company_id\" IN (SELECT") != std::string::npos);
  // east, who must not get through to Globex's visit, is refused on every path.
  auto east = as("east");
  const auto before = dump();
  CHECK_THROWS_AS(east.get("visit", globex_visit), NotFoundError);
  CHECK(east.count("visit") == 1);
  auto totals = east.aggregate({.object = "visit", .group_by = {"company_id"}, .aggregates = {{AggregateFn::count, "", "n"}}});
  CHECK(totals.size() == 1);
  CHECK(east.query_columns({.object = "visit"}).rows == 1);
  CHECK(east.features("visit", {FeatureSpec::of("one", "1")}).rows() == 1);
  CHECK_THROWS_AS(east.update("visit", globex_visit, {{"subject", "Mine"}}), NotFoundError);
  CHECK_THROWS_AS(east.remove("visit", globex_visit), NotFoundError);
  CHECK(east.history("visit", globex_visit).empty());
  CHECK_FALSE(east.history("visit", acme_visit).empty());
  std::ostringstream csv;
  export_records(east, {.object = "visit"}, csv, TextFormat::csv);
  CHECK(csv.str().find("Acme kickoff") != std::string::npos);
  CHECK(csv.str().find("Globex") == std::string::npos);
  // Writes need edit access to the master: none at all, another's, or none given.
  CHECK_THROWS_AS(east.insert("visit", {{"subject", "Sneak"}, {"company_id", ids["Globex"]}}), NotFoundError);
  CHECK_THROWS_WITH_AS(east.insert("visit", {{"subject", "Orphan"}}), doctest::Contains("without a company"),
                       PermissionError);
  CHECK_THROWS_AS(east.update("visit", acme_visit, {{"company_id", ids["Globex"]}}), NotFoundError);
  CHECK_THROWS_AS(east.update("visit", acme_visit, {{"company_id", Value()}}), PermissionError);
  RecordBatch batch({"subject", "company_id"});
  batch.add_row({Value("Mine"), Value(ids["Acme"])});
  batch.add_row({Value("Theirs"), Value(ids["Globex"])});
  CHECK_THROWS_AS(east.import_records("visit", batch), NotFoundError);
  RecordBatch no_master({"subject"});
  no_master.add_row({Value("Loose")});
  CHECK_THROWS_AS(east.import_records("visit", no_master), PermissionError);
  std::istringstream jsonl("{\"subject\": \"Streamed\", \"company_id\": \"" + ids["Initech"] + "\"}\n");
  CHECK_THROWS_AS(import_stream(east, "visit", jsonl, TextFormat::jsonl), NotFoundError);
  CHECK(dump() == before);
  // Read access to the master gives read, not write.
  db.share("company", ids["Globex"], Grantee::user("east"), ShareAccess::read);
  CHECK(east.get("visit", globex_visit).at("subject").as_string() == "Globex review");
  CHECK_THROWS_WITH_AS(east.update("visit", globex_visit, {{"subject", "Mine"}}), doctest::Contains("may read visit"),
                       PermissionError);
  CHECK_THROWS_AS(east.remove("visit", globex_visit), PermissionError);
  CHECK_THROWS_WITH_AS(east.insert("visit", {{"subject", "Sneak"}, {"company_id", ids["Globex"]}}),
                       doctest::Contains("may read company"), PermissionError);
  CHECK_THROWS_AS(east.update("visit", acme_visit, {{"company_id", ids["Globex"]}}), PermissionError);
  CHECK_THROWS_AS(east.simulate("visit", "", {{"subject", "Sneak"}, {"company_id", ids["Globex"]}}), PermissionError);
  // Edit access to the master gives everything, whoever owns the visit.
  db.share("company", ids["Globex"], Grantee::user("east"), ShareAccess::edit);
  CHECK(east.update("visit", globex_visit, {{"subject", "Globex review 2"}}) == 2);
  CHECK(east.update("visit", acme_visit, {{"company_id", ids["Globex"]}}) == 2);
  CHECK(east.import_records("visit", batch).inserted == 2);
  CHECK_FALSE(east.insert("visit", {{"subject", "New"}, {"company_id", ids["Acme"]}}).empty());
  east.remove("visit", globex_visit);
  CHECK(db.count("visit", parse_where("subject = 'Globex review 2'")) == 0);
  // The recycle bin follows: east deleted it and may restore it; west may not even see the entry.
  CHECK(as("west").recycle_bin("visit").empty());
  CHECK_THROWS_AS(as("west").restore("visit", globex_visit), NotFoundError);
  // Nor may east bring it back once its company is no longer east's to edit.
  db.share("company", ids["Globex"], Grantee::user("east"), ShareAccess::read);
  CHECK_THROWS_AS(east.restore("visit", globex_visit), PermissionError);
  db.unshare("company", ids["Globex"], Grantee::user("east"));
  CHECK_THROWS_AS(east.restore("visit", globex_visit), NotFoundError);
  CHECK(db.recycle_bin("visit").size() == 1);
  db.share("company", ids["Globex"], Grantee::user("east"), ShareAccess::edit);
  CHECK(east.restore("visit", globex_visit) == 1);
  CHECK(east.get("visit", globex_visit).at("subject").as_string() == "Globex review 2");
}

TEST_CASE_FIXTURE(Org, "details follow their master through lookups, chains, the hierarchy and view all" * doctest::test_suite("access")) {
  const auto acme_visit = db.insert("visit", {{"subject", "Acme kickoff"}, {"company_id", ids["Acme"]}});
  const auto globex_visit = db.insert("visit", {{"subject", "Globex review"}, {"company_id", ids["Globex"]}});
  // A lookup to a detail the user cannot read is null, in SQL and in the engine.
  db.insert("followup", {{"title", "Call back"}, {"visit_id", acme_visit}, {"owner_id", "west"}});
  auto subject = [](Session session) {
    return session.query({.object = "followup", .fields = {"visit_id.subject"}}).rows.at(0, 0);
  };
  CHECK(subject(as("west")).is_null());
  CHECK(subject(as("east")).as_string() == "Acme kickoff");
  CHECK(as("west").count("followup", Filter::formula("LEN(visit_id.subject) > 0 && MOD(1, 1) = 0")) == 0);
  CHECK(as("east").count("followup", Filter::formula("LEN(visit_id.subject) > 0 && MOD(1, 1) = 0")) == 1);
  CHECK(as("west").evaluate("followup", "ISBLANK(visit_id.subject)", {{"visit_id", acme_visit}}).value.as_bool());
  CHECK(as("west").features("followup", {FeatureSpec::of("s", "IF(ISBLANK(visit_id.subject), 0, 1)")}).values.at(0) == 0.0);
  CHECK(as("east").features("followup", {FeatureSpec::of("s", "IF(ISBLANK(visit_id.subject), 0, 1)")}).values.at(0) == 1.0);
  // Feature aggregates over details count only the visible ones.
  FeatureAggregate visits{.object = "visit", .via = "company_id"};
  db.share("company", ids["Globex"], Grantee::user("east"));
  CHECK(as("east").features("company", {FeatureSpec::of("visits", visits)}).values == std::vector<double>{1.0, 1.0});
  db.unshare("company", ids["Globex"], Grantee::user("east"));
  // A chain: a note follows its visit, which follows its company. A note without a visit is nobody's.
  const auto acme_note = db.insert("visit_note", {{"body", "acme"}, {"visit_id", acme_visit}});
  const auto globex_note = db.insert("visit_note", {{"body", "globex"}, {"visit_id", globex_visit}});
  db.insert("visit_note", {{"body", "loose"}});
  CHECK(names(as("east"), "visit_note", "body") == Names{"acme"});
  CHECK(names(as("west"), "visit_note", "body") == Names{"globex"});
  CHECK(names(as("vp"), "visit_note", "body") == Names{"acme", "globex"});
  CHECK_THROWS_AS(as("west").get("visit_note", acme_note), NotFoundError);
  CHECK_THROWS_AS(as("west").update("visit_note", acme_note, {{"body", "x"}}), NotFoundError);
  CHECK(as("east").update("visit_note", acme_note, {{"body", "acme 2"}}) == 2);
  CHECK_THROWS_AS(as("east").insert("visit_note", {{"body", "loose too"}}), PermissionError);
  CHECK_THROWS_AS(as("east").insert("visit_note", {{"body", "x"}, {"visit_id", globex_visit}}), NotFoundError);
  // The managers' view follows the master's hierarchy switch.
  CHECK(names(as("vp"), "visit", "subject") == Names{"Acme kickoff", "Globex review"});
  db.set_sharing_hierarchy("company", false);
  CHECK(as("vp").count("visit") == 0);
  CHECK(as("vp").count("visit_note") == 0);
  CHECK_THROWS_AS(as("vp").get("visit", acme_visit), NotFoundError);
  db.set_sharing_hierarchy("company", true);
  // A join through the master reads it for whoever reads the visit; view all on the visit does not
  // open the company (the auditor reads companies but owns none), in SQL and in the engine.
  auto masters = [](Session session) {
    auto rows = session.query({.object = "visit", .order_by = {{"subject", false}}, .fields = {"company_id.name"}});
    Names out;
    for (std::size_t r = 0; r < rows.size(); ++r) out.push_back(rows.rows.at(r, 0).is_null() ? "-" : rows.rows.at(r, 0).as_string());
    return out;
  };
  CHECK(masters(as("east")) == Names{"Acme"});
  CHECK(masters(as("vp")) == Names{"Acme", "Globex"});
  db.grant("audit", "company", ObjectPermissions::read_only());
  CHECK(masters(as("auditor")) == Names{"-", "-"});
  CHECK(as("auditor").count("visit", Filter::formula("ISBLANK(company_id.name) && MOD(1, 1) = 0")) == 2);
  CHECK(as("auditor").count("visit", parse_where("company_id.name = 'Acme'")) == 0);
  // View all on the detail object reads every visit (not edit: modify all would).
  CHECK(as("auditor").count("visit") == 2);
  CHECK_THROWS_AS(as("auditor").update("visit", acme_visit, {{"subject", "x"}}), PermissionError);
  CHECK_THROWS_AS(as("auditor").count("visit_note"), PermissionError);  // no permission on notes at all
  (void)globex_note;
}

TEST_CASE_FIXTURE(Org, "a detail has no sharing of its own to configure" * doctest::test_suite("access")) {
  const auto visit = db.insert("visit", {{"subject", "Acme kickoff"}, {"company_id", ids["Acme"]}});
  const auto before = dump();
  auto refused = [](auto&& fn) {
    try {
      fn();
    } catch (const UsageError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(refused([&] { db.set_sharing_model("visit", SharingModel::public_read); }).find("detail of company") !=
        std::string::npos);
  CHECK(refused([&] { db.set_sharing_hierarchy("visit", false); }).find("company_id") != std::string::npos);
  CHECK(refused([&] {
          db.add_sharing_rule({"all", "visit", "TRUE", Grantee::role("west"), ShareAccess::read});
        }).find("detail of company") != std::string::npos);
  CHECK(refused([&] { db.share("visit", visit, Grantee::user("west")); }).find("detail of company") != std::string::npos);
  CHECK(refused([&] { as("east").share("visit", visit, Grantee::user("west")); }).find("detail") != std::string::npos);
  CHECK(dump() == before);
  CHECK(names(as("west"), "visit", "subject").empty());
}

TEST_CASE_FIXTURE(Org, "a junction object needs every master" * doctest::test_suite("access")) {
  const auto person = db.insert("person", {{"last_name", "West"}, {"owner_id", "west"}});
  const auto attendance = db.insert("attendance", {{"company_id", ids["Acme"]}, {"person_id", person}});
  auto east = as("east");
  CHECK(as("east").access("attendance").controlled_by == Names{"company_id", "person_id"});
  // east edits Acme but cannot read the person: the attendance does not exist for east.
  CHECK(east.count("attendance") == 0);
  CHECK_THROWS_AS(east.get("attendance", attendance), NotFoundError);
  CHECK_THROWS_AS(east.insert("attendance", {{"company_id", ids["Acme"]}, {"person_id", person}}), NotFoundError);
  // west reads the person but not Acme: nothing either.
  CHECK(as("west").count("attendance") == 0);
  // Read on the person: east reads it, and may not change it or add another.
  db.share("person", person, Grantee::user("east"), ShareAccess::read);
  CHECK(east.count("attendance") == 1);
  CHECK_THROWS_AS(east.update("attendance", attendance, {{"company_id", ids["Acme"]}}), PermissionError);
  CHECK_THROWS_AS(east.remove("attendance", attendance), PermissionError);
  CHECK_THROWS_AS(east.insert("attendance", {{"company_id", ids["Acme"]}, {"person_id", person}}), PermissionError);
  // Edit on both: everything.
  db.share("person", person, Grantee::user("east"), ShareAccess::edit);
  CHECK_FALSE(east.insert("attendance", {{"company_id", ids["Acme"]}, {"person_id", person}}).empty());
  east.remove("attendance", attendance);
  CHECK(db.count("attendance") == 1);
  // The manager of both owners sees them; the one of neither does not.
  CHECK(as("vp").count("attendance") == 1);
  CHECK(as("outsider").count("attendance") == 0);
}
