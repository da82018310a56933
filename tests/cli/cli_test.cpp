// End-to-end tests of the `hotcrm` command-line tool: the built binary is run as a child process
// and its stdout, stderr and exit code are checked.

#include <doctest/doctest.h>

#include <sqlite3.h>

#include <sstream>

#include "cli/cli_support.hpp"

namespace {

using hotcrm::test::CliDatabase;
using hotcrm::test::CliResult;
using hotcrm::test::TempDir;
using hotcrm::test::contains;
using hotcrm::test::read_file;
using hotcrm::test::run_cli;
using hotcrm::test::trimmed;
using hotcrm::test::valid_lead;
using hotcrm::test::write_file;
using nlohmann::json;

}  // namespace

TEST_SUITE("cli") {

TEST_CASE("help and usage errors") {
  SUBCASE("--help lists the commands and the exit codes") {
    const CliResult result = run_cli({"--help"});
    CHECK(result.exit_code == 0);
    for (const char* command : {"init", "schema", "insert", "get", "update", "delete", "import", "export", "query",
                                "count", "aggregate", "formula", "validate", "demo", "Exit codes"}) {
      CHECK_MESSAGE(contains(result.out, command), command);
    }
  }
  SUBCASE("a command's --help describes its arguments") {
    const CliResult result = run_cli({"insert", "--help"});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "JSON"));
  }
  SUBCASE("no command") { CHECK(run_cli({}).exit_code == 2); }
  SUBCASE("unknown command") {
    const CliResult result = run_cli({"frobnicate"});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "hotcrm: error:"));
    CHECK(result.out.empty());
  }
  SUBCASE("unknown option") { CHECK(run_cli({"schema", "x.db", "--colour"}).exit_code == 2); }
  SUBCASE("missing argument") { CHECK(run_cli({"insert", "x.db", "lead"}).exit_code == 2); }
  SUBCASE("bad option value") { CHECK(run_cli({"schema", "x.db", "--format", "xml"}).exit_code == 2); }
  SUBCASE("a database that does not exist is not created by a read") {
    TempDir dir;
    const CliResult result = run_cli({"count", dir.file("missing.db").string(), "lead"});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "no database"));
    CHECK_FALSE(std::filesystem::exists(dir.file("missing.db")));
  }
}

TEST_CASE("init creates, then finds nothing to migrate") {
  TempDir dir;
  const std::string path = dir.file("new.db").string();
  const CliResult created = run_cli({"init", path});
  CHECK(created.exit_code == 0);
  CHECK(contains(created.out, "create object lead"));
  const CliResult again = run_cli({"init", path});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "up to date"));

  SUBCASE("an invalid catalog is a usage error") {
    write_file(dir.file("bad.json"), R"({"name": "thing", "fields": [{"name": "x", "type": "nope"}]})");
    const CliResult result = run_cli({"init", dir.file("other.db").string(), "--catalog", dir.file("bad.json").string()});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "hotcrm: error:"));
  }
  SUBCASE("a catalog folder") {
    const CliResult result =
        run_cli({"init", dir.file("core.db").string(), "--catalog", HOTCRM_SOURCE_DIR "/catalog"});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "create object opportunity"));
  }
  SUBCASE("chosen packages with their dependencies") {
    const std::string support_db = dir.file("support.db").string();
    const CliResult result = run_cli({"init", support_db, "--packages", "support"});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "create object support_case"));
    CHECK(contains(result.out, "create object account"));
    CHECK(contains(result.out, "create object product"));
    CHECK_FALSE(contains(result.out, "create object employee"));
    CHECK(contains(run_cli({"init", support_db, "--packages", "support"}).out, "up to date"));
    const CliResult two = run_cli({"init", dir.file("two.db").string(), "--packages", "hr,marketing"});
    CHECK(two.exit_code == 0);
    CHECK(contains(two.out, "create object employee"));
    CHECK(contains(two.out, "create object campaign"));
    CHECK_FALSE(contains(two.out, "create object invoice"));
  }
  SUBCASE("an unknown package is a usage error naming it") {
    const CliResult result = run_cli({"init", dir.file("nope.db").string(), "--packages", "crm,warehouse"});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "'warehouse'"));
  }
  SUBCASE("package extensions come with their package") {
    const std::string crm_db = dir.file("crm.db").string();
    CHECK(run_cli({"init", crm_db, "--packages", "crm"}).exit_code == 0);
    CHECK_FALSE(contains(run_cli({"schema", crm_db, "opportunity"}).out, "campaign_id"));
    const CliResult added = run_cli({"init", crm_db, "--packages", "marketing"});
    CHECK(added.exit_code == 0);
    CHECK(contains(added.out, "add field opportunity.campaign_id"));
    CHECK(contains(added.out, "create object campaign"));
    const std::string schema = run_cli({"schema", crm_db, "opportunity"}).out;
    CHECK(contains(schema, "-> campaign (on_delete set_null), added by marketing"));
    CHECK(contains(run_cli({"schema", crm_db, "campaign"}).out,
                   "rollup=sum(opportunity.amount) via campaign_id where ISPICKVAL(stage, 'closed_won')"));
  }
  SUBCASE("--extend-standard adds a user's objects and extensions to the standard packages") {
    write_file(dir.file("mine.json"), R"([{"extends": "lead", "fields": [{"name": "shoe_size", "type": "number"}]},
      {"name": "visit", "fields": [{"name": "lead_id", "type": "lookup", "reference": "lead"}]}])");
    const std::string mine_db = dir.file("mine.db").string();
    const CliResult result =
        run_cli({"init", mine_db, "--packages", "crm", "--catalog", dir.file("mine.json").string(), "--extend-standard"});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "create object visit"));
    CHECK(contains(run_cli({"schema", mine_db, "lead"}).out, "shoe_size"));
    CHECK_FALSE(contains(result.out, "create object campaign"));
    // Without --extend-standard the file is the whole catalog: the lead it extends is missing.
    const CliResult alone = run_cli({"init", dir.file("alone.db").string(), "--catalog", dir.file("mine.json").string()});
    CHECK(alone.exit_code == 2);
    CHECK(contains(alone.err, "extends unknown object 'lead'"));
    CHECK(run_cli({"init", dir.file("x.db").string(), "--catalog", dir.file("mine.json").string(), "--packages", "crm"})
              .exit_code == 2);
    CHECK(run_cli({"init", dir.file("y.db").string(), "--extend-standard"}).exit_code == 2);
  }
}

TEST_CASE("schema") {
  CliDatabase db;
  SUBCASE("object list") {
    const CliResult result = run_cli({"schema", db.path()});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "opportunity"));
    CHECK(contains(result.out, "(72 rows)"));
    CHECK(contains(result.out, "package"));
    CHECK(contains(result.out, "support_case"));
  }
  SUBCASE("one object's fields") {
    const CliResult result = run_cli({"schema", db.path(), "opportunity"});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "stage"));
    CHECK(contains(result.out, "closed_won"));
    CHECK(contains(result.out, "-> account"));
  }
  SUBCASE("json") {
    const CliResult all = run_cli({"schema", db.path(), "--format", "json"});
    CHECK(all.exit_code == 0);
    CHECK(json::parse(all.out)["objects"].size() == 72);
    const CliResult lead = run_cli({"schema", db.path(), "lead", "--format", "json"});
    CHECK(lead.exit_code == 0);
    CHECK(json::parse(lead.out)["name"] == "lead");
  }
  SUBCASE("unknown object") {
    const CliResult result = run_cli({"schema", db.path(), "spaceship"});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "spaceship"));
  }
}

TEST_CASE("insert, get, update, delete") {
  CliDatabase db;
  // More digits than a double holds: the CLI must pass the literal on exactly.
  const std::string id =
      db.insert("lead", R"({"last_name": "Lovelace", "company": "Analytical Engines", "annual_revenue": 9007199254740993.01,
                           "industry": "technology", "email": "ada@engines.example",
                           "lead_score": 42, "is_in_public_pool": true})");
  CHECK(id.size() > 0);

  const CliResult got = run_cli({"get", db.path(), "lead", id});
  REQUIRE(got.exit_code == 0);
  const json record = json::parse(got.out);
  CHECK(record["id"] == id);
  CHECK(record["annual_revenue"] == "9007199254740993.01");
  CHECK(record["lead_score"] == 42);
  CHECK(record["is_in_public_pool"] == true);
  CHECK(record["status"] == "new");  // default applied
  CHECK(record["version"] == 1);

  const CliResult table = run_cli({"get", db.path(), "lead", id, "--format", "table"});
  CHECK(table.exit_code == 0);
  CHECK(contains(table.out, "Lovelace"));

  const CliResult updated = run_cli({"update", db.path(), "lead", id, R"({"status": "qualified"})", "--version", "1"});
  CHECK(updated.exit_code == 0);
  CHECK(trimmed(updated.out) == "2");
  CHECK(json::parse(run_cli({"get", db.path(), "lead", id}).out)["status"] == "qualified");

  SUBCASE("a stale version is a conflict") {
    const CliResult stale = run_cli({"update", db.path(), "lead", id, R"({"status": "contacted"})", "--version", "1"});
    CHECK(stale.exit_code == 1);
    CHECK(contains(stale.err, "version"));
  }
  SUBCASE("delete, then the record is gone") {
    CHECK(run_cli({"delete", db.path(), "lead", id}).exit_code == 0);
    CHECK(db.count("lead") == 0);
    const CliResult missing = run_cli({"get", db.path(), "lead", id});
    CHECK(missing.exit_code == 1);
    CHECK(contains(missing.err, "hotcrm: error:"));
    CHECK(run_cli({"delete", db.path(), "lead", id}).exit_code == 1);
  }
  SUBCASE("a list given to a text field is rejected data, not a crash") {
    const CliResult result = run_cli({"update", db.path(), "lead", id, R"({"company": ["a", "b"]})"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "lead.company"));
  }
}

TEST_CASE("delete refused by a restricting child") {
  CliDatabase db;
  const std::string account = db.insert("account", R"({"name": "Globex"})");
  db.insert("opportunity", R"({"name": "Deal", "account_id": ")" + account +
                               R"(", "close_date": "2026-03-31", "stage": "proposal", "amount": 1999.99})");
  const CliResult result = run_cli({"delete", db.path(), "account", account});
  CHECK(result.exit_code == 1);
  CHECK(contains(result.err, "hotcrm: error:"));
  CHECK(db.count("account") == 1);
  CHECK(db.count("opportunity", "amount = 1999.99") == 1);
}

TEST_CASE("a write blocked by another connection's lock fails after --busy-timeout, writing nothing") {
  CliDatabase db;
  db.insert("lead", valid_lead);
  // Another connection (as another process would) holds the write lock.
  sqlite3* holder = nullptr;
  REQUIRE(sqlite3_open(db.path().c_str(), &holder) == SQLITE_OK);
  REQUIRE(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

  const std::string second = R"({"last_name": "Hopper", "company": "Navy", "email": "grace@navy.example"})";
  const CliResult blocked = run_cli({"--busy-timeout", "50", "insert", db.path(), "lead", second});
  CHECK(blocked.exit_code == 3);
  CHECK(contains(blocked.err, "busy timeout"));
  CHECK(blocked.out.empty());
  const CliResult bad = run_cli({"--busy-timeout", "-1", "count", db.path(), "lead"});
  CHECK(bad.exit_code == 2);

  REQUIRE(sqlite3_exec(holder, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(holder);
  CHECK(db.count("lead") == 1);  // the blocked insert wrote nothing
  CHECK(run_cli({"--busy-timeout", "50", "insert", db.path(), "lead", second}).exit_code == 0);
  CHECK(db.count("lead") == 2);
}

TEST_CASE("insert failures") {
  CliDatabase db;
  SUBCASE("a missing required field names the field") {
    const CliResult result = run_cli({"insert", db.path(), "lead", R"({"company": "Nameless"})"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "lead.last_name"));
    CHECK(contains(result.err, "[required]"));
    CHECK(result.out.empty());
  }
  SUBCASE("every problem is listed, one per line") {
    const CliResult result = run_cli({"insert", db.path(), "lead", R"({"email": "not-an-address", "status": "zzz"})"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "lead.email"));
    CHECK(contains(result.err, "lead.status"));
    CHECK(contains(result.err, "lead.company"));
  }
  SUBCASE("a unique value taken twice") {
    db.insert("lead", valid_lead);
    const CliResult result = run_cli({"insert", db.path(), "lead", valid_lead});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "lead.email"));
    CHECK(db.count("lead") == 1);
  }
  SUBCASE("malformed JSON is a usage error") {
    const CliResult result = run_cli({"insert", db.path(), "lead", R"({"last_name": )"});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "invalid JSON"));
  }
  SUBCASE("JSON that is not an object is a usage error") {
    CHECK(run_cli({"insert", db.path(), "lead", "[1, 2]"}).exit_code == 2);
    CHECK(run_cli({"insert", db.path(), "lead", "42"}).exit_code == 2);
    CHECK(run_cli({"insert", db.path(), "lead", R"({"a": {"b": 1}})"}).exit_code == 2);
    CHECK(run_cli({"insert", db.path(), "lead", R"({"a": 1, "a": 2})"}).exit_code == 2);
  }
  SUBCASE("unknown object") {
    const CliResult result = run_cli({"insert", db.path(), "spaceship", valid_lead});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "spaceship"));
  }
  SUBCASE("a lookup to a record that does not exist") {
    const CliResult result = run_cli({"insert", db.path(), "contact", R"({"last_name": "X", "account_id": "nope"})"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "contact.account_id"));
  }
}

TEST_CASE("import") {
  CliDatabase db;
  // Line 3 has a character after a closing quote, line 5 too few cells: both malformed.
  const std::string csv =
      "last_name,company,email,annual_revenue\n"
      "Hopper,Navy,grace@navy.example,1000.50\n"
      "Broken,\"Quote\"d,broken@x.example,1\n"
      "Knuth,\"Stanford, CA\",don@stanford.example,2000\n"
      "Short,row\n";
  write_file(db.file("leads.csv"), csv);
  const std::string file = db.file("leads.csv").string();

  SUBCASE("skip mode imports the good rows and names the bad lines") {
    const CliResult result = run_cli({"import", db.path(), "lead", file, "--on-error", "skip"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.out, "imported 2 lead records, rejected 2 rows"));
    CHECK(contains(result.err, file + ":3: lead"));
    CHECK(contains(result.err, file + ":5: lead"));
    CHECK(db.count("lead") == 2);
    CHECK(db.count("lead", "company = 'Stanford, CA'") == 1);
  }
  SUBCASE("abort mode imports nothing") {
    const CliResult result = run_cli({"import", db.path(), "lead", file});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, file + ":3:"));
    CHECK(contains(result.err, "nothing imported"));
    CHECK(db.count("lead") == 0);
  }
  SUBCASE("a clean file") {
    write_file(db.file("good.csv"), "last_name,company,phone\nA,Alpha,+1 555 0100\nB,Beta,+1 555 0101\n");
    const CliResult result = run_cli({"import", db.path(), "lead", db.file("good.csv").string()});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "imported 2 lead records, rejected 0 rows"));
    CHECK(result.err.empty());  // no progress bar: stderr is not a terminal
  }
  SUBCASE("validation errors carry the file line") {
    write_file(db.file("missing.csv"), "last_name,company\nA,Alpha\nB,\n");
    const CliResult result =
        run_cli({"import", db.path(), "lead", db.file("missing.csv").string(), "--on-error", "skip"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, db.file("missing.csv").string() + ":3: lead.company: "));
    CHECK(contains(result.err, "[required]"));
  }
  SUBCASE("JSON Lines, format from the extension") {
    write_file(db.file("leads.jsonl"), R"({"last_name": "J", "company": "K", "phone": "+1 555 0100", "annual_revenue": 10.25})"
                                       "\n{not json}\n");
    const CliResult result =
        run_cli({"import", db.path(), "lead", db.file("leads.jsonl").string(), "--on-error", "skip"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "leads.jsonl:2:"));
    CHECK(db.count("lead", "annual_revenue = 10.25") == 1);
  }
  SUBCASE("an unknown extension needs --format") {
    write_file(db.file("leads.txt"), csv);
    CHECK(run_cli({"import", db.path(), "lead", db.file("leads.txt").string()}).exit_code == 2);
    CHECK(run_cli({"import", db.path(), "lead", db.file("leads.txt").string(), "--format", "csv", "--on-error", "skip"})
              .exit_code == 1);
    CHECK(db.count("lead") == 2);
  }
  SUBCASE("unknown object, missing file") {
    CHECK(run_cli({"import", db.path(), "spaceship", file}).exit_code == 2);
    CHECK(run_cli({"import", db.path(), "lead", db.file("nope.csv").string()}).exit_code == 2);
  }
}

TEST_CASE("query, export, count, aggregate") {
  CliDatabase db;
  db.insert("lead", R"({"last_name": "Hopper", "company": "Navy", "email": "hopper@navy.example", "status": "new", "annual_revenue": 300})");
  db.insert("lead", R"({"last_name": "Turing", "company": "Bletchley", "email": "turing@bletchley.example", "status": "new", "annual_revenue": 100.5})");
  db.insert("lead", R"({"last_name": "Knuth", "company": "Stanford", "email": "knuth@stanford.example", "status": "qualified", "annual_revenue": 200})");

  SUBCASE("table with a row count") {
    const CliResult result =
        run_cli({"query", db.path(), "lead", "--order-by", "-annual_revenue", "--fields", "last_name,annual_revenue"});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "(3 rows)"));
    CHECK(result.out.find("Hopper") < result.out.find("Knuth"));
    CHECK(result.out.find("Knuth") < result.out.find("Turing"));
  }
  SUBCASE("json is an array of records") {
    const CliResult result = run_cli({"query", db.path(), "lead", "--where", "status = 'new'", "--order-by",
                                      "last_name", "--format", "json"});
    CHECK(result.exit_code == 0);
    const json rows = json::parse(result.out);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["last_name"] == "Hopper");
    CHECK(rows[1]["annual_revenue"] == "100.50");
    CHECK(rows[0].contains("created_at"));
  }
  SUBCASE("empty json result") {
    const CliResult result = run_cli({"query", db.path(), "lead", "--where", "status = 'converted'", "--format", "json"});
    CHECK(result.exit_code == 0);
    CHECK(json::parse(result.out).empty());
  }
  SUBCASE("limit, offset, csv") {
    const CliResult result = run_cli({"query", db.path(), "lead", "--order-by", "last_name", "--limit", "1",
                                      "--offset", "1", "--fields", "last_name", "--format", "csv"});
    CHECK(result.exit_code == 0);
    CHECK(result.out == "last_name\nKnuth\n");
  }
  SUBCASE("--where takes any boolean formula") {
    const CliResult result = run_cli({"query", db.path(), "lead", "--where",
                                      "AND(ISPICKVAL(status, 'new'), LEN(company) > 4)", "--fields", "last_name",
                                      "--format", "csv"});
    CHECK(result.exit_code == 0);
    CHECK(result.out == "last_name\nTuring\n");
    const CliResult counted = run_cli({"count", db.path(), "lead", "--where", "OR(annual_revenue > 250, CONTAINS(company, 'ford'))"});
    CHECK(counted.exit_code == 0);
    CHECK(counted.out == "2\n");
    const CliResult broken = run_cli({"query", db.path(), "lead", "--where", "AND(ISPICKVAL(status, 'new'), LEN(compny) > 4)"});
    CHECK(broken.exit_code == 2);
    CHECK(contains(broken.err, "E_FORMULA_UNKNOWN_FIELD"));
    CHECK(contains(broken.err, "^"));
  }
  SUBCASE("bad where-string, unknown field") {
    const CliResult bad_where = run_cli({"query", db.path(), "lead", "--where", "status = "});
    CHECK(bad_where.exit_code == 2);
    CHECK(contains(bad_where.err, "hotcrm: error:"));
    CHECK(run_cli({"query", db.path(), "lead", "--fields", "shoe_size"}).exit_code == 2);
    CHECK(run_cli({"count", db.path(), "lead", "--where", "shoe_size = 3"}).exit_code == 2);
  }
  SUBCASE("export csv and jsonl") {
    const CliResult csv =
        run_cli({"export", db.path(), "lead", "--fields", "last_name,company", "--where", "status = 'qualified'"});
    CHECK(csv.exit_code == 0);
    CHECK(csv.out == "last_name,company\nKnuth,Stanford\n");
    const CliResult jsonl = run_cli({"export", db.path(), "lead", "--format", "jsonl"});
    CHECK(jsonl.exit_code == 0);
    std::istringstream lines(jsonl.out);
    int count = 0;
    for (std::string line; std::getline(lines, line); ++count) CHECK(json::parse(line).contains("last_name"));
    CHECK(count == 3);
  }
  SUBCASE("count") {
    CHECK(db.count("lead") == 3);
    CHECK(db.count("lead", "status = 'new' AND annual_revenue > 150") == 1);
  }
  SUBCASE("aggregate") {
    const CliResult result = run_cli({"aggregate", db.path(), "lead", "--group-by", "status", "--agg",
                                      "count,sum:annual_revenue", "--format", "json"});
    CHECK(result.exit_code == 0);
    const json rows = json::parse(result.out);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["status"] == "new");
    CHECK(rows[0]["count"] == 2);
    CHECK(rows[0]["sum_annual_revenue"] == "400.50");
    CHECK(run_cli({"aggregate", db.path(), "lead", "--agg", "median:annual_revenue"}).exit_code == 2);
    CHECK(run_cli({"aggregate", db.path(), "lead", "--agg", "sum"}).exit_code == 2);
  }
}

TEST_CASE("SQL in values and where-strings stays data") {
  CliDatabase db;
  const std::string attack = "'); DROP TABLE lead; --";
  const std::string record = json{{"last_name", attack}, {"company", attack}, {"phone", "+1 555 0100"}}.dump();
  db.insert("lead", record);

  // As a double-quoted literal the attack is just a value to compare with.
  const CliResult found = run_cli({"query", db.path(), "lead", "--where", "last_name = \"" + attack + "\"",
                                   "--format", "json"});
  CHECK(found.exit_code == 0);
  const json rows = json::parse(found.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["company"] == attack);

  // Spliced into the where-string it is a syntax error, never SQL.
  const CliResult spliced = run_cli({"query", db.path(), "lead", "--where", "last_name = '" + attack + "'"});
  CHECK(spliced.exit_code == 2);
  CHECK(run_cli({"count", db.path(), "lead", "--where", "last_name = 'x' OR 1=1; DROP TABLE lead; --"}).exit_code == 2);

  CHECK(db.count("lead") == 1);  // the table is still there
  CHECK(run_cli({"schema", db.path(), "lead"}).exit_code == 0);
}

TEST_CASE("demo") {
  TempDir dir;
  const std::string path = dir.file("demo.db").string();
  // The generated data only (the flows change it; the next test case runs them).
  const CliResult result = run_cli({"demo", "--db", path, "--scale", "1", "--seed", "7", "--days", "0"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  CHECK_FALSE(contains(result.out, "The seed's flows"));
  CHECK(contains(result.out, "Pipeline by stage"));
  CHECK(contains(result.out, "Leads by status"));
  CHECK(contains(result.out, "Top 5 accounts"));
  CHECK(contains(result.out, "rows/s"));

  auto count = [&](const std::string& object, const std::string& where = "") {
    std::vector<std::string> args{"count", path, object};
    if (!where.empty()) args.insert(args.end(), {"--where", where});
    const CliResult counted = run_cli(args);
    REQUIRE_MESSAGE(counted.exit_code == 0, counted.err);
    return std::stoll(counted.out);
  };
  CHECK(count("user") == 5);
  CHECK(count("account") == 100);
  CHECK(count("contact") == 250);
  CHECK(count("lead") == 500);
  CHECK(count("opportunity") == 200);
  // Referentially consistent: every contact and opportunity points at a stored account.
  CHECK(count("contact", "account_id.name IS NULL") == 0);
  CHECK(count("opportunity", "account_id.name IS NULL") == 0);
  CHECK(count("lead", "email IS NULL") == 0);

  SUBCASE("the same seed gives the same records") {
    const std::string other = dir.file("other.db").string();
    REQUIRE(run_cli({"demo", "--db", other, "--seed", "7", "--days", "0"}).exit_code == 0);
    const CliResult first = run_cli({"export", path, "opportunity", "--order-by", "name"});
    const CliResult second = run_cli({"export", other, "opportunity", "--order-by", "name"});
    CHECK(first.exit_code == 0);
    CHECK(first.out == second.out);
  }
  SUBCASE("rerunning replaces the earlier demo database") {
    REQUIRE(run_cli({"demo", "--db", path, "--seed", "8", "--days", "0"}).exit_code == 0);
    CHECK(count("lead") == 500);
  }
  SUBCASE("a file that is not a hotcrm database is left alone") {
    write_file(dir.file("notes.db"), "my precious notes");
    const CliResult refused = run_cli({"demo", "--db", dir.file("notes.db").string()});
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "not a hotcrm database"));
    CHECK(read_file(dir.file("notes.db")) == "my precious notes");
  }
  SUBCASE("days out of range") {
    CHECK(run_cli({"demo", "--db", path, "--days", "-1"}).exit_code == 2);
  }
}

/// The demo's report of the seed's flows, without its timing line.
std::string flows_report(const std::string& out) {
  auto start = out.find("The seed's flows");
  if (start == std::string::npos) return {};
  std::string report;
  std::istringstream lines(out.substr(start));
  for (std::string line; std::getline(lines, line);)
    if (line.find(" s]") == std::string::npos && line.rfind("Try:", 0) != 0) report += line + "\n";
  return report;
}

TEST_CASE("demo runs the seed's flows on its data") {
  TempDir dir;
  const std::string path = dir.file("flows.db").string();
  const CliResult result = run_cli({"demo", "--db", path, "--seed", "7"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  const std::string report = flows_report(result.out);
  INFO(report);
  for (const char* line : {"Lead to opportunity", "Quote to order", "Order to invoice", "Invoice to payment",
                           "Case resolution", "SLA first_response", "SLA resolution", "Recruitment", "run_due:"})
    CHECK(contains(report, line));
  CHECK_FALSE(contains(report, "refused"));

  auto count = [&](const std::string& object, const std::string& where) {
    const CliResult counted = run_cli({"count", path, object, "--where", where});
    REQUIRE_MESSAGE(counted.exit_code == 0, counted.err);
    return std::stoll(counted.out);
  };
  // What the story did is in the database: routed leads and cases, conversions, approvals,
  // contracts billed and paid, SLA violations, hires.
  CHECK(count("user", "username = 'demo.rita.rep' AND manager_id.username = 'demo.tom.teamlead'") == 1);
  CHECK(count("lead", "is_converted = true") > 0);
  CHECK(count("quote", "approval_status = 'approved'") > 0);
  CHECK(count("contract", "status = 'activated'") > 0);
  CHECK(count("invoice", "billing_source = 'contract_activation' AND status = 'paid'") > 0);
  CHECK(count("support_case", "assigned_to_queue_id.name = 'Support desk'") >= 40);
  CHECK(count("support_case", "is_sla_violated = true") > 0);
  CHECK(count("support_case", "lifecycle_state = 'auto_closed'") > 0);
  CHECK(count("employee", "employee_number = 'EMP20260001'") == 1);

  // The same seed tells the same story.
  const CliResult again = run_cli({"demo", "--db", dir.file("again.db").string(), "--seed", "7"});
  REQUIRE(again.exit_code == 0);
  CHECK(flows_report(again.out) == report);
}

}  // TEST_SUITE
