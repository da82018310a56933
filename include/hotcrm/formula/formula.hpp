#pragma once
// Formulas: a Salesforce-style expression language compiled against an object's schema and
// evaluated one record at a time (row path) or a column at a time (batch path).
//
//   CompileResult compiled = compile_formula(catalog, "lead", "AND(ISPICKVAL(status, 'qualified'), ...)");
//   if (!compiled.ok()) for (auto& d : compiled.diagnostics) std::cerr << d.render(source);
//   EvalResult r = compiled.formula->evaluate(slot_values, EvalContext{.now = clock_now});
//
// Compiling never throws for bad formula text: problems come back as Diagnostic values.
// Evaluation never throws for bad data: runtime faults (division by zero, invalid date, ...) come
// back as a FormulaError code per evaluation / per row. See docs/formula.md for the language.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/model/catalog.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

/// The static type of a formula expression.
enum class FormulaType : std::uint8_t {
  null, boolean, number, currency, percent, text, date, datetime, picklist, multipicklist, id,
};
/// "boolean", "number", ... (the names used in diagnostics and docs).
std::string_view to_string(FormulaType type) noexcept;
/// The formula type a field of this catalog type reads as (formula fields: their return_type).
FormulaType formula_type_of(const FieldDef& field) noexcept;
/// The type a default-value formula of this field must have: the field's own formula type, but
/// text for picklists, lookups and the text-like types (the written value is then checked as input).
FormulaType default_formula_type(const FieldDef& field) noexcept;

/// A compile-time problem, located in the source (1-based line and column, length in bytes).
struct Diagnostic {
  std::string code;  ///< stable, e.g. "E_FORMULA_UNKNOWN_FIELD"
  int line = 1;
  int column = 1;
  int length = 1;
  std::string message;
  /// "code at L:C: message", the offending source line, and a caret line under the spot.
  std::string render(std::string_view source) const;
};

/// Every diagnostic rendered (see Diagnostic::render), one after another, without a final newline.
std::string render_diagnostics(const std::vector<Diagnostic>& diagnostics, std::string_view source);

/// Compile-time options. The limits bound compile time, memory and evaluation recursion.
struct CompileOptions {
  std::optional<FormulaType> expected;  ///< required result type (boolean for rules and filters)
  bool blank_as_zero = false;  ///< null number/currency/percent fields read as 0 (Salesforce's option)
  std::size_t max_length = 3900;  ///< source bytes (Salesforce's formula field limit)
  int max_depth = 64;             ///< nesting of parentheses, calls and operators
  std::size_t max_nodes = 2000;   ///< syntax tree nodes
  /// When set, a field for which it returns false (object name, field name) does not resolve: it
  /// reads as an unknown field, and is not suggested (field-level security for a user's formulas).
  std::function<bool(std::string_view object, std::string_view field)> field_visible;
};

/// A runtime fault of one evaluation. Never thrown: the value is null and this code says why.
enum class FormulaError : std::uint8_t {
  none, division_by_zero, overflow, invalid_number, invalid_date, invalid_argument, regex, text_too_long,
  bad_input,
};
/// "E_DIV_ZERO", "E_OVERFLOW", "E_INVALID_NUMBER", "E_INVALID_DATE", "E_INVALID_ARGUMENT",
/// "E_REGEX", "E_TEXT_TOO_LONG", "E_BAD_INPUT"; "" for none.
std::string_view error_code_name(FormulaError error) noexcept;

struct FormulaColumns;

/// What a formula may read besides the record: an injected clock (no wall-clock reads), the time
/// zone TODAY() uses, and the prior state of the record for ISCHANGED / PRIORVALUE.
struct EvalContext {
  DateTime now{};               ///< NOW(); TODAY() is its date at utc_offset_minutes
  int utc_offset_minutes = 0;   ///< fixed offset of the user's time zone, e.g. 60 for UTC+01:00
  bool is_new = false;          ///< an insert: ISNEW() is true, ISCHANGED() false
  /// Prior values by slot (row path); null when there is no prior state.
  const std::vector<Value>* prior = nullptr;
  /// Prior values by slot (batch path), same row count as the inputs; null when none.
  const FormulaColumns* prior_columns = nullptr;
};

/// One typed column: payload by type, a validity mask and a per-row error code.
/// Exactly one payload vector is used, chosen by `type`:
/// boolean -> booleans (0/1); number -> numbers; currency/percent -> decimals;
/// text/picklist/id -> texts; date -> dates; datetime -> datetimes; multipicklist -> lists.
struct FormulaColumn {
  FormulaType type = FormulaType::null;
  std::vector<std::uint8_t> valid;   ///< 1 when the row has a value
  std::vector<FormulaError> errors;  ///< none unless the row failed
  std::vector<std::uint8_t> booleans;
  std::vector<double> numbers;
  std::vector<Decimal> decimals;
  std::vector<std::string> texts;
  std::vector<Date> dates;
  std::vector<DateTime> datetimes;
  std::vector<StringList> lists;

  std::size_t size() const noexcept { return valid.size(); }
  /// Resizes every buffer of this column's type (new rows are null).
  void resize(std::size_t rows);
  /// The row as a Value (null when invalid or failed).
  Value value_at(std::size_t row) const;
  /// Stores `value` (already of this column's kind, or null) at `row`.
  void set(std::size_t row, const Value& value);
  /// Builds a column of `type`, converting each value as a field of that type is read
  /// (e.g. "12.50" or 12.5 for currency, "2026-01-31" for date); unconvertible values become
  /// null with FormulaError::bad_input.
  static FormulaColumn from_values(FormulaType type, std::span<const Value> values);
};

/// Inputs of a batch evaluation: one column per slot (Formula::fields() order), all of `rows` rows.
struct FormulaColumns {
  std::size_t rows = 0;
  std::vector<FormulaColumn> slots;
};

/// The outcome of one row evaluation: a value, or a runtime error code (then value is null).
struct EvalResult {
  Value value;
  FormulaError error = FormulaError::none;
  bool ok() const noexcept { return error == FormulaError::none; }
};

/// A compiled formula: immutable, thread-safe, cheap to copy.
class Formula {
 public:
  FormulaType result_type() const noexcept;
  const std::string& source() const noexcept;
  /// Field paths read, in slot order: "status", "account_id.industry", ...
  const std::vector<std::string>& fields() const noexcept;
  /// The formula type of each slot, parallel to fields().
  const std::vector<FormulaType>& field_types() const noexcept;

  /// Row path: `slots` holds one value per field path (fields() order); values are converted as
  /// FormulaColumn::from_values does.
  EvalResult evaluate(std::span<const Value> slots, const EvalContext& context) const;
  /// Batch path: evaluates every row of `inputs`, column-at-a-time in chunks.
  FormulaColumn evaluate_batch(const FormulaColumns& inputs, const EvalContext& context) const;

  struct Impl;
  explicit Formula(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  /// The compiled form (opaque outside the library; the store translates it to SQL).
  const Impl& impl() const noexcept { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

struct CompileResult {
  std::optional<Formula> formula;  ///< set exactly when there are no diagnostics
  std::vector<Diagnostic> diagnostics;
  bool ok() const noexcept { return formula.has_value(); }
};

/// Compiles `source` against object `object` of `catalog`; lookup paths ("account_id.industry")
/// follow reference fields through the catalog. Throws only for an unknown object (UsageError).
CompileResult compile_formula(const Catalog& catalog, std::string_view object, std::string_view source,
                              const CompileOptions& options = {});
/// Compiles against object `object` of `catalog` plus named extra inputs read like fields of the
/// given types (Session::features passes aggregates of related records this way). An extra name is
/// matched before the object's fields (case-insensitively); it has no dotted form.
CompileResult compile_formula(const Catalog& catalog, std::string_view object, std::string_view source,
                              const std::map<std::string, FieldType>& extra, const CompileOptions& options = {});
/// Compiles against ad-hoc typed fields: names (or dotted paths) to field types. Picklist option
/// values are unknown here, so picklist literals are not checked.
CompileResult compile_formula(const std::map<std::string, FieldType>& types, std::string_view source,
                              const CompileOptions& options = {});

}  // namespace v0
}  // namespace hotcrm
