// Public API glue: compile_formula overloads (schema resolvers), Formula accessors, Diagnostic
// rendering, FormulaColumn helpers and type names.
#include "hotcrm/formula/formula.hpp"

#include <algorithm>
#include <cctype>

#include "formula/internal.hpp"
#include "hotcrm/error.hpp"

namespace hotcrm {
inline namespace v0 {

namespace fd = detail::formula;

std::string_view to_string(FormulaType type) noexcept {
  switch (type) {
    case FormulaType::null: return "null";
    case FormulaType::boolean: return "boolean";
    case FormulaType::number: return "number";
    case FormulaType::currency: return "currency";
    case FormulaType::percent: return "percent";
    case FormulaType::text: return "text";
    case FormulaType::date: return "date";
    case FormulaType::datetime: return "datetime";
    case FormulaType::picklist: return "picklist";
    case FormulaType::multipicklist: return "multipicklist";
    case FormulaType::id: return "id";
  }
  return "unknown";
}

namespace {
FormulaType formula_type_of_field_type(FieldType type) noexcept {
  switch (type) {
    case FieldType::select: return FormulaType::picklist;
    case FieldType::multiselect: return FormulaType::multipicklist;
    case FieldType::number: return FormulaType::number;
    case FieldType::currency: return FormulaType::currency;
    case FieldType::percent: return FormulaType::percent;
    case FieldType::boolean: return FormulaType::boolean;
    case FieldType::date: return FormulaType::date;
    case FieldType::datetime: return FormulaType::datetime;
    case FieldType::lookup:
    case FieldType::master_detail: return FormulaType::id;
    default: return FormulaType::text;
  }
}
}  // namespace

FormulaType default_formula_type(const FieldDef& field) noexcept {
  const FormulaType type = formula_type_of(field);
  return type == FormulaType::picklist || type == FormulaType::id ? FormulaType::text : type;
}

FormulaType formula_type_of(const FieldDef& field) noexcept {
  if (field.type == FieldType::formula && field.return_type) return formula_type_of_field_type(*field.return_type);
  return formula_type_of_field_type(field.type);
}

std::string_view error_code_name(FormulaError error) noexcept {
  switch (error) {
    case FormulaError::none: return "";
    case FormulaError::division_by_zero: return "E_DIV_ZERO";
    case FormulaError::overflow: return "E_OVERFLOW";
    case FormulaError::invalid_number: return "E_INVALID_NUMBER";
    case FormulaError::invalid_date: return "E_INVALID_DATE";
    case FormulaError::invalid_argument: return "E_INVALID_ARGUMENT";
    case FormulaError::regex: return "E_REGEX";
    case FormulaError::text_too_long: return "E_TEXT_TOO_LONG";
    case FormulaError::bad_input: return "E_BAD_INPUT";
  }
  return "E_UNKNOWN";
}

std::string render_diagnostics(const std::vector<Diagnostic>& diagnostics, std::string_view source) {
  std::string out;
  for (const auto& diagnostic : diagnostics) out += diagnostic.render(source);
  if (!out.empty()) out.pop_back();  // each rendering ends its caret line with a newline
  return out;
}

std::string Diagnostic::render(std::string_view source) const {
  std::string out = code + " at " + std::to_string(line) + ":" + std::to_string(column) + ": " + message + "\n";
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    const std::size_t newline = source.find('\n', start);
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  const std::size_t end = std::min(source.find('\n', start), source.size());
  const std::string_view text = source.substr(std::min(start, source.size()), end - std::min(start, source.size()));
  out += "  ";
  out += text;
  out += "\n  ";
  // Tabs stay tabs so the caret lines up under the same spot in a terminal.
  for (int c = 1; c < column && static_cast<std::size_t>(c - 1) < text.size(); ++c)
    out += text[static_cast<std::size_t>(c - 1)] == '\t' ? '\t' : ' ';
  const std::size_t available = text.size() >= static_cast<std::size_t>(column) ? text.size() - (column - 1) : 1;
  out += std::string(std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(length), available)), '^');
  out += "\n";
  return out;
}

// ---- Formula ------------------------------------------------------------------------------------

FormulaType Formula::result_type() const noexcept { return impl_->result_type; }
const std::string& Formula::source() const noexcept { return impl_->source; }
const std::vector<std::string>& Formula::fields() const noexcept { return impl_->program.fields; }
const std::vector<FormulaType>& Formula::field_types() const noexcept { return impl_->program.field_types; }

EvalResult Formula::evaluate(std::span<const Value> slots, const EvalContext& context) const {
  if (slots.size() != impl_->program.fields.size())
    throw UsageError(ErrorCode::usage, "formula reads " + std::to_string(impl_->program.fields.size()) +
                                           " fields but " + std::to_string(slots.size()) + " values were given");
  return fd::evaluate_row(impl_->program, slots, context);
}

namespace {
/// Rows held by the payload buffer of the column's type (must match valid.size()).
std::size_t payload_size(const FormulaColumn& column) noexcept {
  switch (column.type) {
    case FormulaType::boolean: return column.booleans.size();
    case FormulaType::number: return column.numbers.size();
    case FormulaType::currency:
    case FormulaType::percent: return column.decimals.size();
    case FormulaType::text:
    case FormulaType::picklist:
    case FormulaType::id: return column.texts.size();
    case FormulaType::date: return column.dates.size();
    case FormulaType::datetime: return column.datetimes.size();
    case FormulaType::multipicklist: return column.lists.size();
    case FormulaType::null: return column.valid.size();
  }
  return 0;
}

bool well_formed(const FormulaColumn& column, std::size_t rows, FormulaType type) noexcept {
  return column.type == type && column.valid.size() == rows && column.errors.size() == rows &&
         payload_size(column) == rows;
}
}  // namespace

FormulaColumn Formula::evaluate_batch(const FormulaColumns& inputs, const EvalContext& context) const {
  const auto& program = impl_->program;
  if (inputs.slots.size() != program.fields.size())
    throw UsageError(ErrorCode::usage, "formula reads " + std::to_string(program.fields.size()) + " fields but " +
                                           std::to_string(inputs.slots.size()) + " columns were given");
  for (std::size_t i = 0; i < inputs.slots.size(); ++i) {
    const bool prior_ok = context.prior_columns == nullptr ||
                          (context.prior_columns->slots.size() == inputs.slots.size() &&
                           context.prior_columns->rows == inputs.rows &&
                           well_formed(context.prior_columns->slots[i], inputs.rows, program.field_types[i]));
    if (!well_formed(inputs.slots[i], inputs.rows, program.field_types[i]) || !prior_ok)
      throw UsageError(ErrorCode::usage, "column for " + program.fields[i] + " must be " +
                                             std::string(to_string(program.field_types[i])) + " with " +
                                             std::to_string(inputs.rows) + " rows (inputs and prior columns)");
  }
  return fd::evaluate_batch(program, inputs, context);
}

// ---- FormulaColumn ------------------------------------------------------------------------------

void FormulaColumn::resize(std::size_t rows) {
  valid.resize(rows, 0);
  errors.resize(rows, FormulaError::none);
  switch (type) {
    case FormulaType::boolean: booleans.resize(rows, 0); break;
    case FormulaType::number: numbers.resize(rows, 0.0); break;
    case FormulaType::currency:
    case FormulaType::percent: decimals.resize(rows); break;
    case FormulaType::text:
    case FormulaType::picklist:
    case FormulaType::id: texts.resize(rows); break;
    case FormulaType::date: dates.resize(rows); break;
    case FormulaType::datetime: datetimes.resize(rows); break;
    case FormulaType::multipicklist: lists.resize(rows); break;
    case FormulaType::null: break;
  }
}

Value FormulaColumn::value_at(std::size_t row) const {
  if (!valid[row] || errors[row] != FormulaError::none) return Value{};
  switch (type) {
    case FormulaType::boolean: return Value(booleans[row] != 0);
    case FormulaType::number: return Value(numbers[row]);
    case FormulaType::currency:
    case FormulaType::percent: return Value(decimals[row]);
    case FormulaType::text:
    case FormulaType::picklist:
    case FormulaType::id: return Value(texts[row]);
    case FormulaType::date: return Value(dates[row]);
    case FormulaType::datetime: return Value(datetimes[row]);
    case FormulaType::multipicklist: return Value(lists[row]);
    case FormulaType::null: return Value{};
  }
  return Value{};
}

void FormulaColumn::set(std::size_t row, const Value& value) {
  valid[row] = value.is_null() ? 0 : 1;
  if (value.is_null()) return;
  switch (type) {
    case FormulaType::boolean: booleans[row] = value.as_bool(); break;
    case FormulaType::number: numbers[row] = value.as_double(); break;
    case FormulaType::currency:
    case FormulaType::percent: decimals[row] = value.as_decimal(); break;
    case FormulaType::text:
    case FormulaType::picklist:
    case FormulaType::id: texts[row] = value.as_string(); break;
    case FormulaType::date: dates[row] = value.as_date(); break;
    case FormulaType::datetime: datetimes[row] = value.as_datetime(); break;
    case FormulaType::multipicklist: lists[row] = value.as_list(); break;
    case FormulaType::null: valid[row] = 0; break;
  }
}

FormulaColumn FormulaColumn::from_values(FormulaType column_type, std::span<const Value> values) {
  FormulaColumn column;
  column.type = column_type;
  column.resize(values.size());
  for (std::size_t row = 0; row < values.size(); ++row) {
    fd::Fault fault;
    const Value value = fd::normalize_input(values[row], column_type, fault);
    if (fault.error != FormulaError::none) {
      column.errors[row] = fault.error;
      continue;
    }
    column.set(row, value);
  }
  return column;
}

// ---- compile_formula ------------------------------------------------------------------------------

namespace {

std::string suggestion(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (std::string_view candidate : candidates) {
    const std::size_t d = fd::edit_distance(name, candidate);
    if (d < best_distance) best_distance = d, best = std::string(candidate);
  }
  return best.empty() ? std::string() : "; did you mean " + best + "?";
}

std::vector<std::string_view> split_path(std::string_view dotted) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    parts.push_back(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

/// Resolves names against a catalog object, following reference fields for dotted paths.
class CatalogSchema final : public fd::Schema {
 public:
  using Visible = std::function<bool(std::string_view object, std::string_view field)>;
  CatalogSchema(const Catalog& catalog, const ObjectDef& object, const Visible& visible)
      : catalog_(catalog), object_(object), visible_(visible) {}

  std::optional<fd::FieldResolution> resolve(std::string_view dotted, std::string& message) const override {
    const ObjectDef* object = &object_;
    std::string path;
    const auto parts = split_path(dotted);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const FieldDef* field = find(*object, parts[i], i + 1 < parts.size());
      // A field hidden from the user reads exactly as one that does not exist.
      if (field != nullptr && visible_ && !visible_(object->name, field->name)) field = nullptr;
      if (field == nullptr) {
        message = "unknown field " + std::string(parts[i]) + " on " + object->name + suggestion(parts[i], names(*object));
        return std::nullopt;
      }
      path += (path.empty() ? "" : ".") + field->name;
      if (i + 1 == parts.size()) return fd::FieldResolution{path, formula_type_of(*field), field};
      if (!field->is_reference()) {
        message = field->name + " on " + object->name + " is not a lookup field, so " + std::string(dotted) +
                  " cannot follow it";
        return std::nullopt;
      }
      object = catalog_.find(field->reference);
      if (object == nullptr) {
        message = "lookup " + path + " refers to unknown object " + field->reference;
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

 private:
  /// Exact name, then case-insensitive; a relationship segment may omit "_id" (account.name).
  static const FieldDef* find(const ObjectDef& object, std::string_view name, bool relationship) {
    if (const FieldDef* exact = object.find_field(name)) return exact;
    for (const auto& field : object.fields)
      if (fd::iequals(field.name, name)) return &field;
    for (const auto& field : system_fields())
      if (fd::iequals(field.name, name)) return &field;
    if (relationship) {
      for (const auto& field : object.fields)
        if (field.is_reference() && fd::iequals(field.name, std::string(name) + "_id")) return &field;
    }
    return nullptr;
  }
  std::vector<std::string_view> names(const ObjectDef& object) const {
    std::vector<std::string_view> out;
    for (const auto& field : object.fields)
      if (!visible_ || visible_(object.name, field.name)) out.push_back(field.name);
    for (const auto& field : system_fields()) out.push_back(field.name);
    return out;
  }

  const Catalog& catalog_;
  const ObjectDef& object_;
  const Visible& visible_;
};

/// Resolves names (or whole dotted paths) against a plain name -> type map.
class MapSchema final : public fd::Schema {
 public:
  explicit MapSchema(const std::map<std::string, FieldType>& types) : types_(types) {}

  std::optional<fd::FieldResolution> resolve(std::string_view dotted, std::string& message) const override {
    for (const auto& [name, type] : types_) {
      if (fd::iequals(name, dotted)) return fd::FieldResolution{name, formula_type_of_field_type(type), nullptr};
    }
    std::vector<std::string_view> candidates;
    for (const auto& entry : types_) candidates.push_back(entry.first);
    message = "unknown field " + std::string(dotted) + suggestion(dotted, candidates);
    return std::nullopt;
  }

 private:
  const std::map<std::string, FieldType>& types_;
};

/// Extra named inputs first, then the object's fields and lookup paths.
class LayeredSchema final : public fd::Schema {
 public:
  LayeredSchema(const std::map<std::string, FieldType>& extra, const fd::Schema& fields) : extra_(extra), fields_(fields) {}

  std::optional<fd::FieldResolution> resolve(std::string_view dotted, std::string& message) const override {
    for (const auto& [name, type] : extra_)
      if (fd::iequals(name, dotted)) return fd::FieldResolution{name, formula_type_of_field_type(type), nullptr};
    return fields_.resolve(dotted, message);
  }

 private:
  const std::map<std::string, FieldType>& extra_;
  const fd::Schema& fields_;
};

}  // namespace

CompileResult compile_formula(const Catalog& catalog, std::string_view object, std::string_view source,
                              const std::map<std::string, FieldType>& extra, const CompileOptions& options) {
  const ObjectDef* definition = catalog.find(object);
  if (definition == nullptr) throw UsageError(ErrorCode::unknown_object, "unknown object " + std::string(object));
  const CatalogSchema fields(catalog, *definition, options.field_visible);
  return fd::compile(LayeredSchema(extra, fields), source, options);
}

CompileResult compile_formula(const Catalog& catalog, std::string_view object, std::string_view source,
                              const CompileOptions& options) {
  const ObjectDef* definition = catalog.find(object);
  if (definition == nullptr) throw UsageError(ErrorCode::unknown_object, "unknown object " + std::string(object));
  return fd::compile(CatalogSchema(catalog, *definition, options.field_visible), source, options);
}

CompileResult compile_formula(const std::map<std::string, FieldType>& types, std::string_view source,
                              const CompileOptions& options) {
  return fd::compile(MapSchema(types), source, options);
}

}  // namespace v0
}  // namespace hotcrm

namespace hotcrm::detail::formula {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace hotcrm::detail::formula
