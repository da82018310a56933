// Fuzzes the formula compiler and both evaluators. Oracles: compiling never throws and every
// diagnostic is located inside the source; a compiled formula evaluates without crashing on
// blank, typical and edge records; and the batch path agrees with the row path on each of them.

#include <string>
#include <vector>

#include "fuzz_driver.hpp"
#include "hotcrm/formula/formula.hpp"

namespace {

using hotcrm::FormulaType;
using hotcrm::Value;

/// One value per type for each record flavour: 0 blank, 1 typical, 2 edge.
Value sample(FormulaType type, int flavour) {
  if (flavour == 0) return Value{};
  const bool edge = flavour == 2;
  switch (type) {
    case FormulaType::boolean: return Value(!edge);
    case FormulaType::number: return Value(edge ? 0.0 : 42.5);
    case FormulaType::currency:
    case FormulaType::percent: return Value(hotcrm::Decimal(edge ? -1 : 123456, 2));
    case FormulaType::text:
    case FormulaType::id: return Value(edge ? std::string() : std::string("Acme Caf\xC3\xA9 42"));
    case FormulaType::picklist: return Value(edge ? "" : "qualified");
    case FormulaType::date: return Value(hotcrm::Date{edge ? -719'162 : 20'500});
    case FormulaType::datetime: return Value(hotcrm::DateTime{edge ? -1 : 1'772'600'000'000'000});
    case FormulaType::multipicklist: return Value(hotcrm::StringList{"a", "b"});
    case FormulaType::null: return Value{};
  }
  return Value{};
}

void check_diagnostics(const hotcrm::CompileResult& result, std::string_view source) {
  hotcrm::fuzz::check(!result.ok() || result.diagnostics.empty(), "a formula compiled with diagnostics");
  hotcrm::fuzz::check(result.ok() || !result.diagnostics.empty(), "a failed compile without diagnostics");
  int lines = 1;
  for (char c : source) lines += c == '\n';
  for (const auto& d : result.diagnostics) {
    hotcrm::fuzz::check(d.code.starts_with("E_FORMULA_") && d.line >= 1 && d.line <= lines && d.column >= 1 &&
                            d.length >= 1 && !d.message.empty(),
                        "bad diagnostic " + d.code + " at " + std::to_string(d.line) + ":" + std::to_string(d.column));
    (void)d.render(source);
  }
}

void check_evaluators_agree(const hotcrm::Formula& formula) {
  constexpr int flavours = 3;
  hotcrm::FormulaColumns inputs;
  inputs.rows = flavours;
  std::vector<std::vector<Value>> records(flavours);
  for (std::size_t slot = 0; slot < formula.fields().size(); ++slot) {
    std::vector<Value> column;
    for (int flavour = 0; flavour < flavours; ++flavour) {
      column.push_back(sample(formula.field_types()[slot], flavour));
      records[static_cast<std::size_t>(flavour)].push_back(column.back());
    }
    inputs.slots.push_back(hotcrm::FormulaColumn::from_values(formula.field_types()[slot], column));
  }
  // Every row's prior state is the typical record.
  hotcrm::FormulaColumns prior;
  prior.rows = flavours;
  for (std::size_t slot = 0; slot < formula.fields().size(); ++slot) {
    const std::vector<Value> column(flavours, records[1][slot]);
    prior.slots.push_back(hotcrm::FormulaColumn::from_values(formula.field_types()[slot], column));
  }
  for (const bool with_prior : {false, true}) {
    hotcrm::EvalContext context;
    context.now = hotcrm::DateTime{1'772'600'000'000'000};
    context.utc_offset_minutes = -300;
    context.prior = with_prior ? &records[1] : nullptr;
    context.prior_columns = with_prior ? &prior : nullptr;
    const hotcrm::FormulaColumn batch = formula.evaluate_batch(inputs, context);
    for (std::size_t row = 0; row < flavours; ++row) {
      const hotcrm::EvalResult single = formula.evaluate(records[row], context);
      hotcrm::fuzz::check(single.error == batch.errors[row] && single.value == batch.value_at(row),
                          "row and batch disagree on record " + std::to_string(row) + ": " + single.value.to_json() +
                              " " + std::string(hotcrm::error_code_name(single.error)) + " vs " +
                              batch.value_at(row).to_json() + " " +
                              std::string(hotcrm::error_code_name(batch.errors[row])));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const hotcrm::Catalog catalog = hotcrm::Catalog::standard();
  return hotcrm::fuzz::run(argc, argv, "formula", [&](std::string_view input) {
    for (const char* object : {"opportunity", "lead"}) {
      for (const bool blank_as_zero : {false, true}) {
        hotcrm::CompileOptions options;
        options.blank_as_zero = blank_as_zero;
        const hotcrm::CompileResult result = hotcrm::compile_formula(catalog, object, input, options);
        check_diagnostics(result, input);
        if (result.ok()) check_evaluators_agree(*result.formula);
      }
    }
  });
}
