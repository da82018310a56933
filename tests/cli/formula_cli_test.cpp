// End-to-end tests of `hotcrm formula` and `hotcrm validate`.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_support.hpp"

namespace {

using hotcrm::test::CliDatabase;
using hotcrm::test::CliResult;
using hotcrm::test::contains;
using hotcrm::test::run_cli;
using hotcrm::test::trimmed;
using hotcrm::test::write_file;
using nlohmann::json;

/// Runs `hotcrm formula` and returns the parsed {"value", "type"} line, requiring success.
json evaluate(const CliDatabase& db, const std::string& object, const std::string& source,
              const std::vector<std::string>& extra) {
  std::vector<std::string> args{"formula", db.path(), object, source};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult result = run_cli(args);
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  return json::parse(result.out);
}

/// The lines of `text` that consist only of spaces and carets (the caret line of a diagnostic).
std::vector<std::string> caret_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    if (line.find('^') != std::string::npos && line.find_first_not_of(" ^") == std::string::npos) {
      lines.push_back(line);
    }
    start = end + 1;
  }
  return lines;
}

/// The standard catalog of `db` with validation rules added to lead, written to rules.json.
// The database's catalog with the lead's validation rules replaced by `rules`, written to `file_name`.
std::string catalog_with_lead_rules(const CliDatabase& db, const json& rules, const std::string& file_name) {
  const CliResult schema = run_cli({"schema", db.path(), "--format", "json"});
  REQUIRE_MESSAGE(schema.exit_code == 0, schema.err);
  json catalog = json::parse(schema.out);
  bool found = false;
  for (json& object : catalog["objects"]) {
    if (object["name"] != "lead") continue;
    found = true;
    object["validation_rules"] = rules;
  }
  REQUIRE(found);
  const std::string path = db.file(file_name).string();
  write_file(path, catalog.dump(2));
  return path;
}

std::string catalog_with_lead_rules(const CliDatabase& db) {
  return catalog_with_lead_rules(db, json::array({
        {{"name", "revenue_not_negative"},
         {"condition", "annual_revenue < 0"},
         {"message", "Annual revenue cannot be negative"},
         {"error_field", "annual_revenue"}},
        {{"name", "reachable"},
         {"condition", "AND(ISBLANK(email), ISBLANK(phone))"},
         {"message", "Give an email address or a phone number"}},
        {{"name", "retired_rule"}, {"condition", "TRUE"}, {"message", "never applied"}, {"active", false}},
    }), "rules.json");
}

}  // namespace

TEST_SUITE("cli") {

TEST_CASE("formula: check prints the result type") {
  CliDatabase db;
  SUBCASE("boolean") {
    const CliResult result = run_cli({"formula", db.path(), "lead", "annual_revenue > 1000000"});
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(result.out == "boolean\n");
    CHECK(result.err.empty());
  }
  SUBCASE("currency and text") {
    CHECK(run_cli({"formula", db.path(), "lead", "annual_revenue * 2"}).out == "currency\n");
    CHECK(run_cli({"formula", db.path(), "lead", "last_name & ', ' & company"}).out == "text\n");
  }
  SUBCASE("a lookup path") {
    const CliResult result = run_cli({"formula", db.path(), "opportunity", "account_id.name"});
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(result.out == "text\n");
  }
}

TEST_CASE("formula: compile problems exit 1 with a caret under the spot") {
  CliDatabase db;
  SUBCASE("syntax error") {
    const CliResult result = run_cli({"formula", db.path(), "lead", "annual_revenue > "});
    CHECK(result.exit_code == 1);
    CHECK(result.out.empty());
    CHECK(contains(result.err, "hotcrm: error: the formula does not compile"));
    CHECK(contains(result.err, "E_FORMULA_SYNTAX at 1:"));
    CHECK(contains(result.err, "  annual_revenue > \n"));
    CHECK(caret_lines(result.err).size() == 1);
  }
  SUBCASE("unknown field with did-you-mean, on the second line") {
    const CliResult result = run_cli({"formula", db.path(), "lead", "IF(is_converted,\n  anual_revenue * 2, 0)"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "E_FORMULA_UNKNOWN_FIELD at 2:3:"));
    CHECK(contains(result.err, "did you mean annual_revenue"));
    CHECK(contains(result.err, "\n    anual_revenue * 2, 0)\n"));
    const std::vector<std::string> carets = caret_lines(result.err);
    REQUIRE(carets.size() == 1);
    CHECK(carets[0] == "    ^^^^^^^^^^^^^");  // two spaces of indent, two of the source, the field name
  }
  SUBCASE("several problems are all reported") {
    const CliResult result = run_cli({"formula", db.path(), "lead", "nosuch + 1 > FROB(2)"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "problems)"));
    CHECK(contains(result.err, "E_FORMULA_UNKNOWN_FIELD"));
    CHECK(contains(result.err, "E_FORMULA_UNKNOWN_FUNCTION"));
  }
  SUBCASE("also when evaluating") {
    const CliResult result =
        run_cli({"formula", db.path(), "lead", "annual_revenu > 0", "--record", R"({"annual_revenue": 5})"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "did you mean annual_revenue"));
  }
}

TEST_CASE("formula: usage errors exit 2") {
  CliDatabase db;
  CHECK(run_cli({"formula", db.path(), "no_such_object", "TRUE"}).exit_code == 2);
  CHECK(run_cli({"formula", db.path(), "lead", "TRUE", "--record", "{not json"}).exit_code == 2);
  CHECK(run_cli({"formula", db.path(), "lead", "TRUE", "--prior", "{}"}).exit_code == 2);  // --prior without --record
  CHECK(run_cli({"formula", db.file("missing.db").string(), "lead", "TRUE"}).exit_code == 2);
  CHECK(run_cli({"formula", db.path(), "lead"}).exit_code == 2);
}

TEST_CASE("formula: evaluation prints the value as JSON and the type") {
  CliDatabase db;
  SUBCASE("boolean") {
    const json result = evaluate(db, "lead", "annual_revenue > 1000000", {"--record", R"({"annual_revenue": 2500000.50})"});
    CHECK(result["type"] == "boolean");
    CHECK(result["value"] == true);
  }
  SUBCASE("exact currency") {
    const json result = evaluate(db, "lead", "annual_revenue * 3", {"--record", R"({"annual_revenue": 0.10})"});
    CHECK(result["type"] == "currency");
    CHECK(result["value"] == "0.30");  // exact decimals are JSON strings, as `hotcrm get` prints them
  }
  SUBCASE("text") {
    const json result = evaluate(db, "lead", "last_name & ', ' & company",
                                 {"--record", R"({"last_name": "Lovelace", "company": "Engines"})"});
    CHECK(result["value"] == "Lovelace, Engines");
    CHECK(result["type"] == "text");
  }
  SUBCASE("missing fields are blank; --blank-as-zero reads them as 0") {
    CHECK(evaluate(db, "lead", "annual_revenue + 1", {"--record", "{}"})["value"].is_null());
    const json zero = evaluate(db, "lead", "annual_revenue + 1", {"--record", "{}", "--blank-as-zero"});
    CHECK(zero["value"] == "1");
  }
  SUBCASE("ISNEW without --prior, ISCHANGED with it") {
    CHECK(evaluate(db, "lead", "ISNEW()", {"--record", R"({"status": "new"})"})["value"] == true);
    const json changed = evaluate(db, "lead", "ISCHANGED(status)",
                                  {"--record", R"({"status": "contacted"})", "--prior", R"({"status": "new"})"});
    CHECK(changed["value"] == true);
    const json same = evaluate(db, "lead", "ISCHANGED(status)",
                               {"--record", R"({"status": "new"})", "--prior", R"({"status": "new"})"});
    CHECK(same["value"] == false);
  }
  SUBCASE("lookup paths are read from the database") {
    const std::string account = db.insert("account", R"({"name": "Analytical Engines"})");
    const json result =
        evaluate(db, "opportunity", "UPPER(account_id.name)", {"--record", json{{"account_id", account}}.dump()});
    CHECK(result["value"] == "ANALYTICAL ENGINES");
  }
}

TEST_CASE("formula: a runtime fault prints its code and exits 1") {
  CliDatabase db;
  const CliResult result = run_cli({"formula", db.path(), "lead", "annual_revenue / number_of_employees", "--record",
                                    R"({"annual_revenue": 100, "number_of_employees": 0})"});
  CHECK(result.exit_code == 1);
  CHECK(result.out.empty());
  CHECK(contains(result.err, "E_DIV_ZERO"));
  // The lazy IF guards the division.
  const json guarded = evaluate(db, "lead", "IF(number_of_employees = 0, 0, annual_revenue / number_of_employees)",
                                {"--record", R"({"annual_revenue": 100, "number_of_employees": 0})"});
  CHECK(guarded["value"] == "0");
}

TEST_CASE("validate: stored records against rules added later") {
  CliDatabase db;
  // Written before the rules exist (the standard lead's own rules are taken away): nothing refuses them yet.
  const CliResult no_rules = run_cli({"init", db.path(), "--catalog", catalog_with_lead_rules(db, json::array(), "none.json")});
  REQUIRE_MESSAGE(no_rules.exit_code == 0, no_rules.err);
  const std::string negative =
      db.insert("lead", R"({"last_name": "Minus", "company": "Debt Ltd", "email": "m@debt.example", "annual_revenue": -5})");
  const std::string unreachable = db.insert("lead", R"({"last_name": "Ghost", "company": "Nowhere"})");
  const std::string both = db.insert("lead", R"({"last_name": "Both", "company": "Worse", "annual_revenue": -1})");
  db.insert("lead", R"({"last_name": "Fine", "company": "Good", "phone": "+44 20 7946 0000", "annual_revenue": 10})");

  SUBCASE("no rules yet: no violations") {
    const CliResult result = run_cli({"validate", db.path(), "lead"});
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(trimmed(result.out) == "4 records, 0 violations");
  }

  const std::string catalog = catalog_with_lead_rules(db);
  const CliResult init = run_cli({"init", db.path(), "--catalog", catalog});
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  CHECK(db.count("lead") == 4);  // a metadata change: the records stay

  SUBCASE("table") {
    const CliResult result = run_cli({"validate", db.path(), "lead"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.out, "record_id"));
    CHECK(contains(result.out, "4 records, 4 violations"));
    CHECK(contains(result.out, negative));
    CHECK(contains(result.out, unreachable));
    CHECK(contains(result.out, both));
    CHECK(contains(result.out, "revenue_not_negative"));
    CHECK(contains(result.out, "reachable"));
    CHECK(contains(result.out, "Annual revenue cannot be negative"));
    CHECK_FALSE(contains(result.out, "retired_rule"));
  }
  SUBCASE("json") {
    const CliResult result = run_cli({"validate", db.path(), "lead", "--format", "json"});
    CHECK(result.exit_code == 1);
    const json violations = json::parse(result.out);
    REQUIRE(violations.size() == 4);
    int negative_revenue = 0;
    for (const json& violation : violations) {
      CHECK(violation["code"] == "rule");
      CHECK(violation["record_id"].get<std::string>().size() > 0);
      if (violation["rule"] == "revenue_not_negative") {
        ++negative_revenue;
        CHECK(violation["field"] == "annual_revenue");
        CHECK((violation["record_id"] == negative || violation["record_id"] == both));
      } else {
        CHECK(violation["rule"] == "reachable");
        CHECK(violation["field"] == "");
        CHECK((violation["record_id"] == unreachable || violation["record_id"] == both));
      }
    }
    CHECK(negative_revenue == 2);
  }
  SUBCASE("an object without violations") {
    const CliResult result = run_cli({"validate", db.path(), "account"});
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(trimmed(result.out) == "0 records, 0 violations");
    const CliResult as_json = run_cli({"validate", db.path(), "account", "--format", "json"});
    CHECK(as_json.exit_code == 0);
    CHECK(trimmed(as_json.out) == "[]");
  }
  SUBCASE("the rules now refuse new writes") {
    const CliResult result = run_cli(
        {"insert", db.path(), "lead", R"({"last_name": "New", "company": "Co", "email": "n@co.example", "annual_revenue": -3})"});
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "Annual revenue cannot be negative"));
    CHECK(db.count("lead") == 4);
    const CliResult update = run_cli({"update", db.path(), "lead", negative, R"({"annual_revenue": 7})"});
    CHECK_MESSAGE(update.exit_code == 0, update.err);
    CHECK(contains(run_cli({"validate", db.path(), "lead"}).out, "4 records, 3 violations"));
  }
  SUBCASE("a rule that cannot be evaluated counts as violated") {
    const std::string zero = db.insert(
        "lead", R"({"last_name": "Zero", "company": "Z", "email": "z@z.example", "annual_revenue": 100, "number_of_employees": 0})");
    json edited = json::parse(hotcrm::test::read_file(catalog));
    for (json& object : edited["objects"]) {
      if (object["name"] != "lead") continue;
      object["validation_rules"] = json::array({{{"name", "per_employee"},
                                                 {"condition", "annual_revenue / number_of_employees > 1000000"},
                                                 {"message", "Implausible revenue per employee"}}});
    }
    write_file(catalog, edited.dump());
    REQUIRE(run_cli({"init", db.path(), "--catalog", catalog}).exit_code == 0);
    const CliResult result = run_cli({"validate", db.path(), "lead", "--format", "json"});
    CHECK(result.exit_code == 1);
    const json violations = json::parse(result.out);
    REQUIRE(violations.size() == 1);
    CHECK(violations[0]["code"] == "rule_error");
    CHECK(violations[0]["record_id"] == zero);
    CHECK(contains(violations[0]["message"].get<std::string>(), "E_DIV_ZERO"));
  }
  SUBCASE("usage errors") {
    CHECK(run_cli({"validate", db.path(), "no_such_object"}).exit_code == 2);
    CHECK(run_cli({"validate", db.path(), "lead", "--format", "xml"}).exit_code == 2);
  }
}

}  // TEST_SUITE
