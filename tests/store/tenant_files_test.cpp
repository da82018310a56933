// StoreLayout::tenant_files: one database file per tenant behind the same Session API. The
// isolation tests read the raw files; the layout-parameterised tests elsewhere (crud, access
// control, features) run the same tenant scenarios against both layouts.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/layouts.hpp"
#include "support/temp_db.hpp"
#include "workflow/workflow_fixture.hpp"

using namespace hotcrm;
using test::error_of;
namespace fs = std::filesystem;

namespace {

const DateTime kStart = DateTime::parse("2026-03-02T10:00:00Z");

/// The workflow test catalog with field history on deals: writes reach records, history, outbox,
/// timers and the workflow log.
Catalog tracked_workflow_catalog() {
  std::string json = test::kWorkflowCatalog;
  const std::string deal = R"({"name": "deal", )";
  json.replace(json.find(deal), deal.size(), deal + R"("capabilities": {"track_history": true}, )");
  return Catalog::from_json(json, "tracked workflow catalog");
}

OpenOptions workflow_options(StoreLayout layout) {
  OpenOptions options;
  options.catalog = tracked_workflow_catalog();
  options.clock = fixed_clock(kStart);
  options.id_seed = 7;
  options.layout = layout;
  return options;
}

/// Everything a tenant can write, each value carrying the tenant's name: records, an import,
/// history, outbox and timers (and their runs), the security model, a GDPR export's audit entry.
void write_everything(Session session) {
  const std::string& tenant = session.context().tenant;
  session.register_action("notify", [](ActionContext&) {});
  auto portfolio = session.insert("portfolio", {{"name", tenant + "-portfolio"}, {"manager_email", tenant + "@example.com"}});
  auto deal = session.insert("deal", {{"title", tenant + "-deal"}, {"portfolio_id", portfolio}, {"amount", "200000.00"},
                                      {"close_date", "2026-03-20"}});
  session.update("deal", deal, {{"stage", "won"}});
  RecordBatch batch({"title", "portfolio_id"});
  batch.add_row({Value(tenant + "-imported"), Value(portfolio)});
  session.import_records("deal", batch);
  session.insert("deal", {{"title", "timed hook"}, {"flag", tenant + "-flag"}});
  session.define_role(tenant + "-role");
  session.set_user({tenant + "-user", tenant + "-role", false});
  session.run_due(DateTime::parse("2026-03-25T00:00:00Z"));
  std::vector<std::int64_t> delivered;
  for (const auto& message : session.outbox()) delivered.push_back(message.id);
  session.ack(delivered);
  session.export_person(tenant + "@example.com");
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("tenant files: nothing of one tenant reaches another tenant's file" * doctest::test_suite("tenants")) {
  test::TempDir dir;
  const fs::path root = dir.file("tenants");
  {
    Database db = Database::open(root, workflow_options(StoreLayout::tenant_files));
    write_everything(db.session({.user = "system", .tenant = "zqalpha"}));
    write_everything(db.session({.user = "system", .tenant = "zqbeta"}));
    CHECK(db.session({"system", "zqalpha"}).count("deal") == 3);
    CHECK(db.tenants() == std::vector<std::string>{"default", "zqalpha", "zqbeta"});
  }
  const std::string alpha = test::raw_bytes(root / "zqalpha.db");
  const std::string beta = test::raw_bytes(root / "zqbeta.db");
  const std::string own = test::raw_bytes(root / "default.db");
  for (const char* marker : {"zqalpha-deal", "zqalpha-imported", "zqalpha@example.com", "zqalpha-role", "zqalpha-flag"}) {
    CAPTURE(marker);
    CHECK(contains(alpha, marker));
  }
  CHECK(contains(beta, "zqbeta-deal"));
  CHECK(contains(beta, "zqbeta-user"));
  // Not the data, nor even the tenant's name (the tenant_id of every row, history and journal entry).
  CHECK_FALSE(contains(alpha, "zqbeta"));
  CHECK_FALSE(contains(beta, "zqalpha"));
  CHECK_FALSE(contains(own, "zqalpha"));
  CHECK_FALSE(contains(own, "zqbeta"));
}

TEST_CASE("tenant files: the raw check finds a tenant's data where the single file mixes them" *
          doctest::test_suite("tenants")) {
  // The same scenario in one shared file: both tenants' names are in it, so the check above can fail.
  test::TempDir dir;
  {
    Database db = Database::open(dir.file("crm.db"), workflow_options(StoreLayout::single_file));
    write_everything(db.session({"system", "zqalpha"}));
    write_everything(db.session({"system", "zqbeta"}));
    CHECK(db.tenants() == std::vector<std::string>{"zqalpha", "zqbeta"});
    CHECK(db.layout() == StoreLayout::single_file);
  }
  const std::string bytes = test::raw_bytes(dir.file("crm.db"));
  CHECK(contains(bytes, "zqalpha-deal"));
  CHECK(contains(bytes, "zqbeta-deal"));
}

TEST_CASE_TEMPLATE("run_due for every tenant is one loop over tenants() in both layouts" * doctest::test_suite("tenants"),
                   Layout, test::SingleFile, test::TenantFiles) {
  test::TempDir dir;
  Database db = Database::open(Layout::location(dir), test::in_layout<Layout>(workflow_options(Layout::layout)));
  for (const char* tenant : {"north", "south"})
    db.session({"system", tenant}).insert("deal", {{"title", std::string(tenant) + " deal"}, {"close_date", "2026-03-20"}});
  std::int64_t timers_run = 0;
  for (const auto& tenant : db.tenants()) timers_run += db.session({"system", tenant}).run_due(DateTime::parse("2026-03-25T00:00:00Z")).timers_run;
  CHECK(timers_run == 4);  // each deal: the reminder two days before close_date and the follow-up a day after
  for (const char* tenant : {"north", "south"}) {
    auto session = db.session({"system", tenant});
    CHECK(session.timers().empty());
    CHECK(session.count("deal", parse_where("reminded = true")) == 1);
    CHECK(session.outbox().size() == 1);
  }
}

TEST_CASE("tenant files: files are created on first use, cached, and listed" * doctest::test_suite("tenants")) {
  test::TempDir dir;
  const fs::path root = dir.file("tenants");
  Database db = Database::open(root, test::in_layout<test::TenantFiles>(test::test_options()));
  CHECK(db.layout() == StoreLayout::tenant_files);
  CHECK(db.path() == root);
  CHECK(fs::exists(root / "catalog.json"));
  CHECK(fs::exists(root / "default.db"));  // the Database's own session
  CHECK_FALSE(fs::exists(root / "acme.db"));
  auto acme = db.session({"u-1", "acme"});
  CHECK(fs::exists(root / "acme.db"));
  auto id = acme.insert("company", {{"name", "Acme"}});
  // A second session of the same tenant shares the open file; the Database's own tenant is another file.
  CHECK(db.session({"u-2", "acme"}).get("company", id).at("created_by").as_string() == "u-1");
  CHECK_FALSE(db.find("company", id).has_value());
  // Each file has its own unique indexes: a unique value is unique within its tenant.
  CHECK_NOTHROW(db.insert("company", {{"name", "Acme"}}));
  // Fixed seeds are mixed with the tenant: files do not replay each other's ids.
  CHECK(db.session({"system", "other"}).insert("company", {{"name", "Acme"}}) != id);
  CHECK(db.tenants() == std::vector<std::string>{"acme", "default", "other"});
  // Each tenant file is a database of its own.
  db.close();
  CHECK(contains(error_of([&] { acme.count("company"); }), "closed"));
  CHECK_THROWS_AS(db.session({"u", "acme"}), UsageError);
  Database alone = Database::open(root / "acme.db", test::test_options());
  CHECK(alone.session({"system", "acme"}).count("company") == 1);
}

TEST_CASE_TEMPLATE("unique values are unique per tenant in both layouts" * doctest::test_suite("tenants"), Layout,
                   test::SingleFile, test::TenantFiles) {
  test::TempDir dir;
  Database db = Database::open(Layout::location(dir), test::in_layout<Layout>(test::test_options()));
  auto acme = db.session({"system", "acme"});
  acme.insert("company", {{"name", "Same"}});
  auto globex = db.session({"system", "globex"});
  CHECK_NOTHROW(globex.insert("company", {{"name", "Same"}}));  // another tenant's value is no conflict
  CHECK_THROWS_AS(globex.insert("company", {{"name", "Same"}}), ConflictError);
  CHECK_THROWS_AS(acme.insert("company", {{"name", "Same"}}), ConflictError);
}

TEST_CASE("tenant files: a name that could leave the directory is refused clearly" * doctest::test_suite("tenants")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("tenants"), test::in_layout<test::TenantFiles>(test::test_options()));
  for (const std::string& bad : std::vector<std::string>{"../escape", "a/b", "..", ".hidden", "x.db", "Acme", "with space", "back\\slash",
                          std::string(65, 'a'), std::string("nul\0x", 5), "-dash"}) {
    CAPTURE(bad);
    const std::string message = error_of([&] { db.session({"u", bad}); });
    CHECK(contains(message, "invalid tenant name"));
  }
  CHECK(contains(error_of([&] { db.session({"u", ""}); }), "needs a tenant"));
  CHECK(db.tenants() == std::vector<std::string>{"default"});
  CHECK_FALSE(fs::exists(dir.file("escape.db")));
  CHECK(contains(error_of([&] {
                   OpenOptions options = test::in_layout<test::TenantFiles>(test::test_options());
                   options.tenant = "../up";
                   Database::open(dir.file("other"), options);
                 }),
                 "invalid tenant name '../up'"));
  // The single-file layout keeps accepting any tenant id (it never becomes a file name).
  Database single = Database::open(dir.file("crm.db"), test::test_options());
  CHECK(single.session({"u", "Acme Corp/EU"}).count("company") == 0);
}

TEST_CASE("tenant files: the path must be a directory that is, or may become, a tenant directory" *
          doctest::test_suite("tenants")) {
  test::TempDir dir;
  auto options = test::in_layout<test::TenantFiles>(test::test_options());
  std::ofstream(dir.file("plain.txt")) << "not a database";
  CHECK(contains(error_of([&] { Database::open(dir.file("plain.txt"), options); }), "is a file, not a tenant directory"));
  // A single-file database is not a directory either.
  Database::open(dir.file("crm.db"), test::test_options()).close();
  CHECK_THROWS_AS(Database::open(dir.file("crm.db"), options), UsageError);
  // An unrelated folder is left alone.
  fs::create_directories(dir.file("photos"));
  std::ofstream(dir.file("photos") / "cat.jpg") << "meow";
  CHECK(contains(error_of([&] { Database::open(dir.file("photos"), options); }), "not a tenant directory"));
  CHECK(std::distance(fs::directory_iterator(dir.file("photos")), fs::directory_iterator()) == 1);
  // Missing: created unless create = false.
  auto no_create = options;
  no_create.create = false;
  CHECK(contains(error_of([&] { Database::open(dir.file("missing"), no_create); }), "no tenant directory"));
  CHECK_FALSE(fs::exists(dir.file("missing")));
  CHECK_THROWS_AS(Database::open(":memory:", options), UsageError);
}

TEST_CASE("tenant files: a read-only directory reads existing tenants and creates nothing" * doctest::test_suite("tenants")) {
  test::TempDir dir;
  const fs::path root = dir.file("tenants");
  auto options = test::in_layout<test::TenantFiles>(test::test_options());
  {
    Database db = Database::open(root, options);
    db.session({"system", "acme"}).insert("company", {{"name", "Acme"}});
  }
  fs::remove(root / "default.db");
  auto read_only = options;
  read_only.read_only = true;
  Database db = Database::open(root, read_only);
  CHECK(db.session({"u", "acme"}).count("company") == 1);
  CHECK_THROWS_AS(db.session({"u", "acme"}).insert("company", {{"name", "X"}}), UsageError);
  CHECK(contains(error_of([&] { db.session({"u", "nobody"}); }), "tenant 'nobody' has no file"));
  CHECK_FALSE(fs::exists(root / "nobody.db"));
  // The Database's own tenant has no file: its calls say so.
  CHECK(contains(error_of([&] { db.count("company"); }), "tenant 'default' has no file"));
  CHECK(db.tenants() == std::vector<std::string>{"acme"});
  // A catalog change needs a writable directory.
  auto changed = read_only;
  changed.catalog = test::workflow_catalog();
  CHECK(contains(error_of([&] { Database::open(root, changed); }), "read-only"));
}

TEST_CASE("tenant files: a directory the process may not write is a clear error" * doctest::test_suite("tenants")) {
  if (::geteuid() == 0) return;  // root writes anywhere: nothing to check
  test::TempDir dir;
  const fs::path root = dir.file("tenants");
  Database db = Database::open(root, test::in_layout<test::TenantFiles>(test::test_options()));
  fs::permissions(root, fs::perms::owner_read | fs::perms::owner_exec);
  const std::string message = error_of([&] { db.session({"u", "late"}); });
  fs::permissions(root, fs::perms::owner_all);
  CHECK(contains(message, "tenant 'late'"));
}

TEST_CASE("tenant files: a new catalog migrates every tenant file on open, or none" * doctest::test_suite("tenants")) {
  test::TempDir dir;
  const fs::path root = dir.file("tenants");
  auto options = test::in_layout<test::TenantFiles>(test::test_options());
  {
    Database db = Database::open(root, options);
    for (const char* tenant : {"acme", "globex"}) db.session({"system", tenant}).insert("company", {{"name", tenant}});
  }
  // Adding a field: each tenant file gets it when the directory opens.
  std::string json = test::kTestCatalog;
  const std::string field = R"({"name": "website", "type": "url"},)";
  std::string added = json;
  added.replace(added.find(field), field.size(), field + R"({"name": "motto", "type": "text"},)");
  auto extended = options;
  extended.catalog = Catalog::from_json(added, "extended");
  {
    Database db = Database::open(root, extended);
    const auto& steps = db.migration().steps;
    for (const char* tenant : {"acme", "default", "globex"}) {
      CAPTURE(tenant);
      CHECK(std::any_of(steps.begin(), steps.end(), [&](const std::string& step) {
        return step == "tenant " + std::string(tenant) + ": add field company.motto";
      }));
    }
    db.session({"system", "globex"}).update("company", db.session({"system", "globex"}).query({.object = "company"}).rows.at(0, 0).as_string(),
                                            {{"motto", "go"}});
  }
  // Reopened without a catalog: the directory's own (catalog.json) applies; nothing to migrate.
  {
    Database db = Database::open(root, test::in_layout<test::TenantFiles>(OpenOptions{}));
    CHECK(db.migration().steps.empty());
    CHECK(db.catalog().at("company").find_field("motto") != nullptr);
  }
  // Dropping the field loses data: refused before any file changes.
  auto before = test::dump_database(root / "acme.db") + test::dump_database(root / "globex.db");
  const std::string refusal = error_of([&] { Database::open(root, options); });
  CHECK(contains(refusal, "none was changed"));
  CHECK(contains(refusal, "tenant globex: REFUSED"));
  CHECK(test::dump_database(root / "acme.db") + test::dump_database(root / "globex.db") == before);
  CHECK(Database::open(root, test::in_layout<test::TenantFiles>(OpenOptions{})).catalog().at("company").find_field("motto"));
}

TEST_CASE("tenant files: a file made with another catalog is migrated when opened, or refused naming it" *
          doctest::test_suite("tenants")) {
  test::TempDir dir;
  const fs::path root = dir.file("tenants");
  Database db = Database::open(root, test::in_layout<test::TenantFiles>(test::test_options()));
  // Older: a catalog without deal; opening it under the directory's catalog adds the object.
  std::string json = test::kTestCatalog;
  OpenOptions older;
  older.catalog = Catalog::from_json(json.substr(0, json.find(R"(,
  {"name": "deal")")) + "]", "older");
  Database::open(root / "old.db", older).close();
  auto old_session = db.session({"system", "old"});
  CHECK_NOTHROW(old_session.count("deal"));
  // Other: an object the directory's catalog lacks, holding a record: refused, naming the tenant.
  OpenOptions other;
  other.catalog = test::workflow_catalog();
  {
    Database foreign = Database::open(root / "foreign.db", other);
    foreign.session({"system", "foreign"}).insert("ticket", {{"subject", "keep me"}});
  }
  const std::string message = error_of([&] { db.session({"system", "foreign"}); });
  CHECK(contains(message, "tenant 'foreign'"));
  CHECK(contains(message, "allow_destructive"));
  CHECK(Database::open(root / "foreign.db", other).session({"system", "foreign"}).count("ticket") == 1);
}

TEST_CASE("tenant files: custom actions registered once serve every tenant's file" * doctest::test_suite("tenants")) {
  test::TempDir dir;
  Database db = Database::open(dir.file("tenants"), workflow_options(StoreLayout::tenant_files));
  std::vector<std::string> calls;
  auto early = db.session({"system", "early"});
  early.register_action("notify", [&](ActionContext& context) { calls.push_back(context.session.context().tenant); });
  early.insert("deal", {{"title", "call me"}});
  db.session({"system", "late"}).insert("deal", {{"title", "call me"}});  // opened after the registration
  db.insert("deal", {{"title", "call me"}});
  CHECK(calls == std::vector<std::string>{"early", "late", "default"});
}

TEST_CASE("tenant files: backup and history verification work on the own tenant's file" * doctest::test_suite("tenants")) {
  test::TempDir dir;
  auto options = workflow_options(StoreLayout::tenant_files);
  options.tenant = "acme";
  Database db = Database::open(dir.file("tenants"), options);
  CHECK(db.context().tenant == "acme");
  db.insert("deal", {{"title", "Tracked"}});
  db.session({"system", "beta"}).insert("deal", {{"title", "Elsewhere"}});
  CHECK(db.verify_history().ok);
  CHECK(db.verify_history().entries > 0);
  db.backup(dir.file("acme-copy.db"));
  Database copy = Database::open(dir.file("acme-copy.db"), workflow_options(StoreLayout::single_file));
  CHECK(copy.session({"system", "acme"}).count("deal") == 1);
  CHECK(copy.tenants() == std::vector<std::string>{"acme"});
}
