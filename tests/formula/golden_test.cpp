// Golden formula cases (tests/formula/cases/*.test), each evaluated by the row path and by the
// batch path: the batch holds the case twice between all-null rows, so the two evaluators are
// each other's oracle on the case and on blank records.
//
// Format, one block per case (blank lines between blocks):
//   # name: text/concat_null
//   object: contact                    (an object of tests/formula/formula_catalog.json)
//   options: blank_as_zero             (optional)
//   expect-type: boolean               (optional CompileOptions::expected)
//   now: 2026-03-04T05:06:07Z          (optional; offset: 60 for UTC+01:00; new: true for inserts)
//   record: {"first_name": "Ada", "account_id.industry": "finance"}
//   prior: {"status": "new"}           (optional)
//   formula: first_name & " " & last_name
//   ----
//   "Ada "                             (or expect-error: E_CODE at L:C, or expect-runtime-error: E_CODE)
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hotcrm/formula/formula.hpp"

namespace {

using hotcrm::Value;
using nlohmann::json;

struct GoldenCase {
  std::string file;
  int line = 0;
  std::string name;
  std::string object;
  bool blank_as_zero = false;
  std::optional<hotcrm::FormulaType> expected_type;
  std::string now = "2026-03-04T05:06:07Z";
  int offset_minutes = 0;
  bool is_new = false;
  json record = json::object();
  std::optional<json> prior;
  std::string formula;
  std::string expectation;
};

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && text[start] == ' ') ++start;
  return text.substr(start);
}

std::optional<hotcrm::FormulaType> type_named(const std::string& name) {
  for (int t = 0; t <= static_cast<int>(hotcrm::FormulaType::id); ++t)
    if (hotcrm::to_string(static_cast<hotcrm::FormulaType>(t)) == name) return static_cast<hotcrm::FormulaType>(t);
  return std::nullopt;
}

std::vector<GoldenCase> load_cases(const std::filesystem::path& path) {
  std::ifstream input(path);
  std::vector<GoldenCase> cases;
  GoldenCase current;
  bool in_formula = false, after_separator = false;
  std::string line;
  int number = 0;
  auto flush = [&] {
    if (!current.name.empty()) cases.push_back(current);
    current = GoldenCase{};
    in_formula = after_separator = false;
  };
  while (std::getline(input, line)) {
    ++number;
    if (line.starts_with("# name:")) {
      flush();
      current.file = path.filename().string();
      current.line = number;
      current.name = trim(line.substr(7));
    } else if (after_separator) {
      if (!trim(line).empty()) current.expectation += (current.expectation.empty() ? "" : "\n") + trim(line);
    } else if (line == "----") {
      after_separator = true;
      in_formula = false;
    } else if (line.starts_with("formula:")) {
      current.formula = trim(line.substr(8));
      in_formula = true;
    } else if (in_formula) {
      current.formula += "\n" + line;
    } else if (line.starts_with("object:")) {
      current.object = trim(line.substr(7));
    } else if (line.starts_with("options:")) {
      current.blank_as_zero = trim(line.substr(8)) == "blank_as_zero";
    } else if (line.starts_with("expect-type:")) {
      current.expected_type = type_named(trim(line.substr(12)));
    } else if (line.starts_with("now:")) {
      current.now = trim(line.substr(4));
    } else if (line.starts_with("offset:")) {
      current.offset_minutes = std::stoi(trim(line.substr(7)));
    } else if (line.starts_with("new:")) {
      current.is_new = trim(line.substr(4)) == "true";
    } else if (line.starts_with("record:")) {
      current.record = json::parse(line.substr(7));
    } else if (line.starts_with("prior:")) {
      current.prior = json::parse(line.substr(6));
    }
  }
  flush();
  return cases;
}

const hotcrm::Catalog& test_catalog() {
  static const hotcrm::Catalog catalog =
      hotcrm::Catalog::load(std::filesystem::path(HOTCRM_SOURCE_DIR) / "tests/formula/formula_catalog.json");
  return catalog;
}

std::vector<Value> slot_values(const hotcrm::Formula& formula, const json& record) {
  std::vector<Value> values;
  for (const auto& path : formula.fields()) {
    auto it = record.find(path);
    values.push_back(it == record.end() ? Value{} : Value::from_json(it->dump()));
  }
  return values;
}

/// Does `value` match the expected JSON? Decimals, dates and datetimes are written as strings
/// (exact text, scale included); numbers compare with a relative tolerance.
bool matches(const json& expected, const Value& value) {
  switch (value.kind()) {
    case hotcrm::ValueKind::null: return expected.is_null();
    case hotcrm::ValueKind::boolean: return expected.is_boolean() && expected.get<bool>() == value.as_bool();
    case hotcrm::ValueKind::real: {
      if (!expected.is_number()) return false;
      const double want = expected.get<double>(), got = value.as_double();
      return std::fabs(want - got) <= 1e-9 * std::max(1.0, std::fabs(want));
    }
    case hotcrm::ValueKind::decimal: return expected.is_string() && expected.get<std::string>() == value.as_decimal().to_string();
    case hotcrm::ValueKind::text: return expected.is_string() && expected.get<std::string>() == value.as_string();
    case hotcrm::ValueKind::date: return expected.is_string() && expected.get<std::string>() == value.as_date().to_string();
    case hotcrm::ValueKind::datetime:
      return expected.is_string() && expected.get<std::string>() == value.as_datetime().to_string();
    case hotcrm::ValueKind::list: return expected.is_array() && expected.get<std::vector<std::string>>() == value.as_list();
    default: return false;
  }
}

std::string describe(const Value& value) { return value.to_json(); }

/// Rows: blank, case, blank, case. Blank rows must agree with the row path on a blank record.
hotcrm::FormulaColumns batch_inputs(const hotcrm::Formula& formula, const std::vector<Value>& values) {
  hotcrm::FormulaColumns columns;
  columns.rows = 4;
  for (std::size_t slot = 0; slot < values.size(); ++slot) {
    const std::vector<Value> column{Value{}, values[slot], Value{}, values[slot]};
    columns.slots.push_back(hotcrm::FormulaColumn::from_values(formula.field_types()[slot], column));
  }
  return columns;
}

void run_case(const GoldenCase& c) {
  INFO(c.file << ":" << c.line << " [" << c.name << "] " << c.formula);
  hotcrm::CompileOptions options;
  options.blank_as_zero = c.blank_as_zero;
  options.expected = c.expected_type;
  const auto compiled = hotcrm::compile_formula(test_catalog(), c.object, c.formula, options);

  if (c.expectation.starts_with("expect-error:")) {
    std::istringstream spec(c.expectation.substr(13));
    std::string code, at, location;
    spec >> code >> at >> location;
    CHECK_FALSE(compiled.ok());
    if (compiled.diagnostics.empty()) return;
    const auto& d = compiled.diagnostics.front();
    INFO(d.render(c.formula));
    CHECK(d.code == code);
    CHECK(std::to_string(d.line) + ":" + std::to_string(d.column) == location);
    return;
  }
  if (!compiled.ok()) {
    std::string rendered;
    for (const auto& d : compiled.diagnostics) rendered += d.render(c.formula);
    FAIL_CHECK("does not compile:\n" << rendered);
    return;
  }
  const hotcrm::Formula& formula = *compiled.formula;

  const std::vector<Value> values = slot_values(formula, c.record);
  const std::vector<Value> blanks(values.size());
  std::vector<Value> prior_values = c.prior ? slot_values(formula, *c.prior) : std::vector<Value>{};
  hotcrm::EvalContext context;
  context.now = hotcrm::DateTime::parse(c.now);
  context.utc_offset_minutes = c.offset_minutes;
  context.is_new = c.is_new;
  if (c.prior) context.prior = &prior_values;

  const hotcrm::EvalResult row = formula.evaluate(values, context);
  hotcrm::EvalContext blank_context = context;  // blank rows of the batch have blank prior state too
  if (c.prior) blank_context.prior = &blanks;
  const hotcrm::EvalResult blank_row = formula.evaluate(blanks, blank_context);

  hotcrm::FormulaColumns inputs = batch_inputs(formula, values);
  hotcrm::FormulaColumns prior_columns;
  if (c.prior) {
    prior_columns = batch_inputs(formula, prior_values);
    context.prior_columns = &prior_columns;
  }
  const hotcrm::FormulaColumn batch = formula.evaluate_batch(inputs, context);
  CHECK(batch.size() == 4);
  if (batch.size() != 4) return;

  if (c.expectation.starts_with("expect-runtime-error:")) {
    const std::string code = trim(c.expectation.substr(21));
    CHECK(std::string(hotcrm::error_code_name(row.error)) == code);
    CHECK(std::string(hotcrm::error_code_name(batch.errors[1])) == code);
    CHECK(std::string(hotcrm::error_code_name(batch.errors[3])) == code);
  } else {
    const json expected = json::parse(c.expectation);
    INFO("row path: " << describe(row.value) << " " << hotcrm::error_code_name(row.error));
    INFO("batch path: " << describe(batch.value_at(1)) << " " << hotcrm::error_code_name(batch.errors[1]));
    CHECK(row.ok());
    CHECK(matches(expected, row.value));
    CHECK(batch.errors[1] == hotcrm::FormulaError::none);
    CHECK(matches(expected, batch.value_at(1)));
    CHECK(matches(expected, batch.value_at(3)));
  }
  // Blank records: the batch agrees with the row path (value and error).
  const Value blank_batch = batch.value_at(0);
  INFO("blank record: row " << describe(blank_row.value) << " " << hotcrm::error_code_name(blank_row.error)
                            << ", batch " << describe(blank_batch) << " " << hotcrm::error_code_name(batch.errors[0]));
  CHECK(blank_row.error == batch.errors[0]);
  CHECK(blank_row.error == batch.errors[2]);
  CHECK(blank_row.value == blank_batch);
  CHECK(blank_row.value == batch.value_at(2));
}

std::vector<std::filesystem::path> case_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(HOTCRM_SOURCE_DIR) / "tests/formula/cases"))
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("golden formula cases: row path and batch path agree with the expectations" * doctest::test_suite("formula")) {
  std::size_t total = 0;
  for (const auto& file : case_files()) {
    const auto cases = load_cases(file);
    CHECK_MESSAGE(!cases.empty(), file.string() << " has no cases");
    for (const auto& c : cases) {
      run_case(c);
      ++total;
    }
  }
  MESSAGE("golden formula cases: " << total);
  CHECK(total > 0);
}
