// Unit tests around the golden cases: diagnostics rendering, limits, lexer and parser edge
// cases, the public API contract, and row/batch agreement on large generated batches.
#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <string>

#include "hotcrm/error.hpp"
#include "hotcrm/formula/formula.hpp"

namespace {

using hotcrm::CompileOptions;
using hotcrm::FormulaType;
using hotcrm::Value;

const hotcrm::Catalog& catalog() {
  static const hotcrm::Catalog loaded =
      hotcrm::Catalog::load(std::filesystem::path(HOTCRM_SOURCE_DIR) / "tests/formula/formula_catalog.json");
  return loaded;
}

hotcrm::CompileResult compile(std::string_view source, const CompileOptions& options = {}) {
  return hotcrm::compile_formula(catalog(), "account", source, options);
}

hotcrm::Diagnostic first_diagnostic(std::string_view source, const CompileOptions& options = {}) {
  const auto result = compile(source, options);
  REQUIRE_FALSE(result.ok());
  REQUIRE_FALSE(result.diagnostics.empty());
  return result.diagnostics.front();
}

}  // namespace

TEST_CASE("a diagnostic renders the source line with a caret under the problem" * doctest::test_suite("formula")) {
  const std::string source = "IF(active,\n  revenu * 2, 0)";
  const auto d = first_diagnostic(source);
  CHECK(d.code == "E_FORMULA_UNKNOWN_FIELD");
  CHECK(d.line == 2);
  CHECK(d.column == 3);
  CHECK(d.length == 6);
  CHECK(d.render(source) ==
        "E_FORMULA_UNKNOWN_FIELD at 2:3: unknown field revenu on account; did you mean revenue?\n"
        "    revenu * 2, 0)\n"
        "    ^^^^^^\n");
}

TEST_CASE("a caret at the end of the source is still drawn" * doctest::test_suite("formula")) {
  const std::string source = "1 +";
  const auto d = first_diagnostic(source);
  CHECK(d.code == "E_FORMULA_SYNTAX");
  CHECK(d.render(source).ends_with("  1 +\n     ^\n"));
}

TEST_CASE("unknown names suggest the closest known name" * doctest::test_suite("formula")) {
  CHECK(first_diagnostic("employes").message.find("did you mean employees?") != std::string::npos);
  CHECK(first_diagnostic("LENN(name)").message.find("did you mean LEN?") != std::string::npos);
  CHECK(first_diagnostic("xyzzy").message.find("did you mean") == std::string::npos);
  CHECK(first_diagnostic("SUBSTITUT(name, 'a', 'b')").message.find("SUBSTITUTE") != std::string::npos);
}

TEST_CASE("argument and type messages name what was expected and found" * doctest::test_suite("formula")) {
  CHECK(first_diagnostic("LEFT(name, 'x')").message == "argument 2 of LEFT must be number, found text");
  CHECK(first_diagnostic("LEFT(name)").message == "LEFT takes 2 arguments, found 1");
  CHECK(first_diagnostic("employees + name").message == "operator '+' cannot combine number and text");
  CHECK(first_diagnostic("(1 + 2").message.find("expected ')'") != std::string::npos);
  CHECK(first_diagnostic("industry & 'x'").message.find("ISPICKVAL") != std::string::npos);
  const auto picklist = first_diagnostic("ISPICKVAL(industry, 'banking')");
  CHECK(picklist.message.find("technology, finance, retail") != std::string::npos);
}

TEST_CASE("every problem is reported, in source order" * doctest::test_suite("formula")) {
  const auto result = compile("AND(bogus1 > 1, LEFT(name), bogus2)");
  REQUIRE(result.diagnostics.size() == 3);
  CHECK(result.diagnostics[0].column == 5);
  CHECK(result.diagnostics[1].code == "E_FORMULA_ARGUMENT_COUNT");
  CHECK(result.diagnostics[2].column == 29);
  CHECK_FALSE(result.formula.has_value());
  const auto two_arguments = compile("MID(name, 'a', TRUE)");
  REQUIRE(two_arguments.diagnostics.size() == 2);
  CHECK(two_arguments.diagnostics[0].column == 11);
  CHECK(two_arguments.diagnostics[1].column == 16);
}

TEST_CASE("limits: length, depth and size each have their own diagnostic" * doctest::test_suite("formula")) {
  CompileOptions options;
  options.max_length = 20;
  CHECK(first_diagnostic("employees + employees + 1", options).code == "E_FORMULA_TOO_LONG");
  CHECK(compile(std::string(3900, ' ') .replace(0, 1, "1")).ok());
  CHECK(first_diagnostic(std::string(3901, ' ').replace(0, 1, "1")).code == "E_FORMULA_TOO_LONG");

  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "(";
  deep += "1";
  for (int i = 0; i < 70; ++i) deep += ")";
  CHECK(first_diagnostic(deep).code == "E_FORMULA_TOO_DEEP");
  std::string nested_calls;
  for (int i = 0; i < 70; ++i) nested_calls += "ABS(";
  nested_calls += "1" + std::string(70, ')');
  CHECK(first_diagnostic(nested_calls).code == "E_FORMULA_TOO_DEEP");
  CHECK(first_diagnostic(std::string(100, '-') + "1").code == "E_FORMULA_TOO_DEEP");

  options = {};
  options.max_nodes = 50;
  std::string wide = "1";
  for (int i = 0; i < 40; ++i) wide += " + 1";
  CHECK(first_diagnostic(wide, options).code == "E_FORMULA_TOO_LARGE");
  options.max_nodes = 2000;
  CHECK(compile(wide, options).ok());
}

TEST_CASE("a long flat chain within the limits compiles and evaluates" * doctest::test_suite("formula")) {
  std::string sum = "employees";
  for (int i = 0; i < 900; ++i) sum += "+1";
  const auto result = compile(sum);
  REQUIRE(result.ok());
  const std::vector<Value> slots{Value(1)};
  CHECK(result.formula->evaluate(slots, {}).value == Value(901.0));
}

TEST_CASE("lexer edge cases" * doctest::test_suite("formula")) {
  const std::vector<Value> none;
  auto value_of = [&](std::string_view source) {
    const auto result = compile(source);
    REQUIRE_MESSAGE(result.ok(), (result.diagnostics.empty() ? "" : result.diagnostics[0].render(source)));
    return result.formula->evaluate(none, {}).value;
  };
  CHECK(value_of(".5 + 1.") == Value(1.5));
  CHECK(value_of("1E2") == Value(100.0));
  CHECK(value_of("2e-1") == Value(0.2));
  CHECK(value_of("/**/1/**/") == Value(1.0));
  CHECK(value_of("/* a * / b */ 3") == Value(3.0));
  CHECK(value_of("'' & \"\"") == Value(""));
  CHECK(value_of("'tab\\there'") == Value("tab\there"));
  CHECK(value_of("\"mixed 'quotes'\"") == Value("mixed 'quotes'"));
  CHECK(value_of("1<>2") == Value(true));
  CHECK(value_of("1<=1&&2>=2") == Value(true));
  CHECK(value_of("NOT(1=1)||!FALSE") == Value(true));
  CHECK(value_of("\t1\r\n+\n2") == Value(3.0));
  CHECK(value_of("'é' & 'ß'") == Value("éß"));
  CHECK(first_diagnostic("1..2").code == "E_FORMULA_SYNTAX");
  CHECK(first_diagnostic("a.").code == "E_FORMULA_SYNTAX");
  CHECK(first_diagnostic("()").code == "E_FORMULA_SYNTAX");
  CHECK(first_diagnostic("ABS(1,)").code == "E_FORMULA_SYNTAX");
  CHECK(first_diagnostic("ABS(1").code == "E_FORMULA_SYNTAX");
  CHECK(first_diagnostic(std::string("1 +\0 2", 6)).code == "E_FORMULA_SYNTAX");
  CHECK(first_diagnostic("'\\").code == "E_FORMULA_SYNTAX");
}

TEST_CASE("compiled formulas expose their fields, types and result type" * doctest::test_suite("formula")) {
  const auto result = hotcrm::compile_formula(catalog(), "deal", "IF(amount > 0, contact_id.account_id.name, title) & title");
  REQUIRE(result.ok());
  const hotcrm::Formula formula = *result.formula;
  CHECK(formula.result_type() == FormulaType::text);
  CHECK(formula.fields() == std::vector<std::string>{"amount", "contact_id.account_id.name", "title"});
  CHECK(formula.field_types() == std::vector<FormulaType>{FormulaType::currency, FormulaType::text, FormulaType::text});
  const hotcrm::Formula copy = formula;  // shares the compiled program
  CHECK(copy.source() == formula.source());
  const std::vector<Value> slots{Value("5.00"), Value("Acme"), Value("!")};
  CHECK(copy.evaluate(slots, {}).value == Value("Acme!"));
}

TEST_CASE("API misuse throws, bad data does not" * doctest::test_suite("formula")) {
  CHECK_THROWS_AS(hotcrm::compile_formula(catalog(), "nope", "1"), hotcrm::UsageError);
  const auto result = compile("employees + 1");
  REQUIRE(result.ok());
  const std::vector<Value> too_few;
  CHECK_THROWS_AS(result.formula->evaluate(too_few, {}), hotcrm::UsageError);
  hotcrm::FormulaColumns wrong_type;
  wrong_type.rows = 1;
  const std::vector<Value> one{Value(1)};
  wrong_type.slots.push_back(hotcrm::FormulaColumn::from_values(FormulaType::text, one));
  CHECK_THROWS_AS(result.formula->evaluate_batch(wrong_type, {}), hotcrm::UsageError);
  const std::vector<Value> garbage{Value(hotcrm::StringList{"x"})};
  CHECK(result.formula->evaluate(garbage, {}).error == hotcrm::FormulaError::bad_input);
}

TEST_CASE("schema-free compilation against a name -> type map" * doctest::test_suite("formula")) {
  const std::map<std::string, hotcrm::FieldType> types{{"price", hotcrm::FieldType::currency},
                                                       {"qty", hotcrm::FieldType::number},
                                                       {"kind", hotcrm::FieldType::select},
                                                       {"owner.name", hotcrm::FieldType::text}};
  const auto result = hotcrm::compile_formula(types, "IF(ISPICKVAL(kind, 'anything'), price * qty, 0) ", {});
  REQUIRE(result.ok());
  CHECK(result.formula->result_type() == FormulaType::currency);
  const std::vector<Value> slots{Value("any"), Value("2.50"), Value(4)};
  CHECK(result.formula->fields() == std::vector<std::string>{"kind", "price", "qty"});
  CHECK(result.formula->evaluate(std::vector<Value>{Value("anything"), Value("2.50"), Value(4)}, {}).value ==
        Value(hotcrm::Decimal(1000, 2)));
  CHECK(hotcrm::compile_formula(types, "LEN(owner.name)", {}).ok());
  const auto unknown = hotcrm::compile_formula(types, "prise", {});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.diagnostics[0].message.find("did you mean price?") != std::string::npos);
}

TEST_CASE("the benchmark condition compiles against the standard lead" * doctest::test_suite("formula")) {
  CompileOptions options;
  options.expected = FormulaType::boolean;
  const auto result = hotcrm::compile_formula(
      hotcrm::Catalog::standard(), "lead",
      "AND(ISPICKVAL(status,'qualified'), annual_revenue > 1000000, OR(industry = 'technology', "
      "number_of_employees > 500))",
      options);
  REQUIRE(result.ok());
  CHECK(result.formula->fields() ==
        std::vector<std::string>{"status", "annual_revenue", "industry", "number_of_employees"});
}

namespace {

/// Random values for a slot type, with about one in four null (and some zeros to divide by).
Value random_value(FormulaType type, std::mt19937_64& random) {
  if (random() % 4 == 0) return Value{};
  switch (type) {
    case FormulaType::number: return Value(static_cast<double>(static_cast<int>(random() % 7) - 2));
    case FormulaType::currency:
    case FormulaType::percent: return Value(hotcrm::Decimal(static_cast<std::int64_t>(random() % 2001) - 1000, 2));
    case FormulaType::boolean: return Value(random() % 2 == 0);
    case FormulaType::picklist: {
      const char* options[] = {"technology", "finance", "retail"};
      return Value(options[random() % 3]);
    }
    case FormulaType::text: {
      const char* texts[] = {"", "a", "Acme", "12", "x-y-z", "Café"};
      return Value(texts[random() % 6]);
    }
    case FormulaType::date: return Value(hotcrm::Date{static_cast<std::int32_t>(20000 + random() % 400)});
    case FormulaType::datetime: return Value(hotcrm::DateTime{static_cast<std::int64_t>(random() % 100'000'000'000'000ULL)});
    case FormulaType::multipicklist: return Value(hotcrm::StringList{"b2b"});
    default: return Value{};
  }
}

}  // namespace

TEST_CASE("row and batch paths agree on large random batches (several chunks)" * doctest::test_suite("formula")) {
  const char* formulas[] = {
      "IF(employees = 0, -1, revenue / employees)",
      "AND(employees > 1, OR(ISPICKVAL(industry, 'finance'), revenue > 100), NOT(active))",
      "CASE(industry, 'technology', employees * 2, 'finance', 10 / employees, rating)",
      "BLANKVALUE(name, 'none') & '/' & TEXT(revenue) & '/' & TEXT(founded + employees)",
      "MOD(employees, 3) + ROUND(rating / 3, 2) - LEN(name)",
      "IF(ISBLANK(last_seen), founded - DATE(2020, 1, 1), DATEVALUE(last_seen) - founded)",
      "employees / rating",
      "revenue * discount / 100 > 5 || industry = 'retail'",
      "ADDMONTHS(founded, employees)",
      "REGEX(name, '[A-Z].*') && CONTAINS(name, 'c')",
      "NULLVALUE(employees, 0) ^ 2",
      "MAX(revenue, discount, employees)",
  };
  std::mt19937_64 random(42);
  for (const bool blank_as_zero : {false, true}) {
    for (const char* source : formulas) {
      INFO(source << (blank_as_zero ? " (blank as zero)" : ""));
      CompileOptions options;
      options.blank_as_zero = blank_as_zero;
      const auto result = compile(source, options);
      REQUIRE(result.ok());
      const hotcrm::Formula& formula = *result.formula;
      const std::size_t rows = 5000;
      std::vector<std::vector<Value>> columns(formula.fields().size());
      hotcrm::FormulaColumns inputs;
      inputs.rows = rows;
      for (std::size_t slot = 0; slot < columns.size(); ++slot) {
        for (std::size_t row = 0; row < rows; ++row) columns[slot].push_back(random_value(formula.field_types()[slot], random));
        inputs.slots.push_back(hotcrm::FormulaColumn::from_values(formula.field_types()[slot], columns[slot]));
      }
      hotcrm::EvalContext context;
      context.now = hotcrm::DateTime::parse("2026-03-04T05:06:07Z");
      const hotcrm::FormulaColumn batch = formula.evaluate_batch(inputs, context);
      REQUIRE(batch.size() == rows);
      std::size_t mismatches = 0;
      for (std::size_t row = 0; row < rows; ++row) {
        std::vector<Value> slots;
        for (const auto& column : columns) slots.push_back(column[row]);
        const hotcrm::EvalResult single = formula.evaluate(slots, context);
        if (single.error != batch.errors[row] || single.value != batch.value_at(row)) {
          if (++mismatches <= 3)
            FAIL_CHECK("row " << row << ": row path " << single.value.to_json() << " "
                              << hotcrm::error_code_name(single.error) << ", batch " << batch.value_at(row).to_json()
                              << " " << hotcrm::error_code_name(batch.errors[row]));
        }
      }
      CHECK(mismatches == 0);
    }
  }
}
