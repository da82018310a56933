// Formula benchmark: the lead-qualification condition
//   AND(ISPICKVAL(status,'qualified'), annual_revenue > 1000000,
//       OR(industry = 'technology', number_of_employees > 500))
// over N generated rows of the standard catalog's lead, evaluated by the batch path and by a
// hand-written C++ loop over the same columns in the same run (the floor), plus the row path's
// cost per call.
//
//   bench_formula [--rows N] [--single N] [--repeat R]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"
#include "hotcrm/formula/formula.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

constexpr const char* kCondition =
    "AND(ISPICKVAL(status,'qualified'), annual_revenue > 1000000, "
    "OR(industry = 'technology', number_of_employees > 500))";

struct Options {
  std::size_t rows = 1'000'000;
  std::size_t single = 200'000;
  int repeat = 3;
};

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") options.rows = static_cast<std::size_t>(std::atoll(argv[i + 1]));
    else if (flag == "--single") options.single = static_cast<std::size_t>(std::atoll(argv[i + 1]));
    else if (flag == "--repeat") options.repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  return options;
}

const char* kStatuses[] = {"new", "contacted", "qualified", "unqualified", "converted"};
const char* kIndustries[] = {"technology", "finance", "manufacturing", "retail", "healthcare",
                             "education", "realestate", "energy", "consulting", "other"};

/// Columns in slot order (status, annual_revenue, industry, number_of_employees), ~5% nulls.
hotcrm::FormulaColumns generate(const hotcrm::Formula& formula, std::size_t rows) {
  std::mt19937_64 random(7);
  hotcrm::FormulaColumns columns;
  columns.rows = rows;
  for (hotcrm::FormulaType type : formula.field_types()) {
    hotcrm::FormulaColumn column;
    column.type = type;
    column.resize(rows);
    columns.slots.push_back(std::move(column));
  }
  auto& status = columns.slots[0];
  auto& revenue = columns.slots[1];
  auto& industry = columns.slots[2];
  auto& employees = columns.slots[3];
  for (std::size_t i = 0; i < rows; ++i) {
    status.valid[i] = random() % 20 != 0;
    status.texts[i] = kStatuses[random() % 5];
    revenue.valid[i] = random() % 20 != 0;
    revenue.decimals[i] = hotcrm::Decimal(static_cast<std::int64_t>(random() % 500'000'000ULL), 2);
    industry.valid[i] = random() % 20 != 0;
    industry.texts[i] = kIndustries[random() % 10];
    employees.valid[i] = random() % 20 != 0;
    employees.numbers[i] = static_cast<double>(random() % 2000);
  }
  return columns;
}

/// The same condition written by hand against the same buffers: the floor to compare with.
std::size_t hand_written(const hotcrm::FormulaColumns& c, std::vector<std::uint8_t>& out) {
  const auto& status = c.slots[0];
  const auto& revenue = c.slots[1];
  const auto& industry = c.slots[2];
  const auto& employees = c.slots[3];
  const hotcrm::Decimal threshold(100'000'000, 2);
  std::size_t matches = 0;
  for (std::size_t i = 0; i < c.rows; ++i) {
    const bool qualified = status.valid[i] && status.texts[i] == "qualified";
    const bool rich = revenue.valid[i] && revenue.decimals[i] > threshold;
    const bool fits = (industry.valid[i] && industry.texts[i] == "technology") ||
                      (employees.valid[i] && employees.numbers[i] > 500);
    out[i] = qualified && rich && fits;
    matches += out[i];
  }
  return matches;
}

template <class Body>
double best_of(int repeat, Body body) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    body();
    best = std::min(best, seconds_since(start));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_args(argc, argv);
  hotcrm::CompileOptions compile_options;
  compile_options.expected = hotcrm::FormulaType::boolean;
  const auto compiled = hotcrm::compile_formula(hotcrm::Catalog::standard(), "lead", kCondition, compile_options);
  if (!compiled.ok()) {
    for (const auto& d : compiled.diagnostics) fmt::print(stderr, "{}", d.render(kCondition));
    return 1;
  }
  const hotcrm::Formula& formula = *compiled.formula;
  const hotcrm::FormulaColumns columns = generate(formula, options.rows);
  const hotcrm::EvalContext context;

  hotcrm::FormulaColumn batch;
  const double batch_seconds = best_of(options.repeat, [&] { batch = formula.evaluate_batch(columns, context); });
  std::vector<std::uint8_t> expected(options.rows);
  std::size_t hand_matches = 0;
  const double hand_seconds = best_of(options.repeat, [&] { hand_matches = hand_written(columns, expected); });

  std::size_t batch_matches = 0;
  for (std::size_t i = 0; i < options.rows; ++i) {
    const bool value = batch.valid[i] && batch.booleans[i];
    if (value != (expected[i] != 0)) {
      fmt::print(stderr, "row {}: batch says {}, the hand-written loop {}\n", i, value, expected[i] != 0);
      return 1;
    }
    batch_matches += value;
  }

  // Row path: one evaluate() per record, slots as Values.
  const std::size_t single_rows = std::min(options.single, options.rows);
  std::vector<std::vector<hotcrm::Value>> records(single_rows);
  for (std::size_t i = 0; i < single_rows; ++i)
    for (const auto& column : columns.slots) records[i].push_back(column.value_at(i));
  std::size_t row_matches = 0;
  const double row_seconds = best_of(options.repeat, [&] {
    row_matches = 0;
    for (const auto& record : records) row_matches += formula.evaluate(record, context).value == hotcrm::Value(true);
  });

  fmt::print("formula: {}\n", kCondition);
  fmt::print("rows: {}  matches: {} (hand-written: {})\n", options.rows, batch_matches, hand_matches);
  fmt::print("batch path:        {:8.2f} ms  {:7.2f} ns/row\n", batch_seconds * 1e3, batch_seconds * 1e9 / double(options.rows));
  fmt::print("hand-written loop: {:8.2f} ms  {:7.2f} ns/row\n", hand_seconds * 1e3, hand_seconds * 1e9 / double(options.rows));
  fmt::print("batch / hand-written ratio: {:.2f}x (target: within 3x)\n", batch_seconds / hand_seconds);
  fmt::print("row path: {:.1f} ns/call over {} records ({} matches)\n", row_seconds * 1e9 / double(single_rows),
             single_rows, row_matches);
  return 0;
}
