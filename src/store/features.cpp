// Feature matrices for scoring: formulas evaluated column-at-a-time over pages of stored records,
// and aggregates of related records computed in SQL per page (GROUP BY the link over the page's
// ids), so memory holds the matrix and one page whatever the table sizes.
#include "core/numeric.hpp"
#include "store/access.hpp"
#include "store/features.hpp"

#include <cctype>
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "store/codec.hpp"
#include "store/rows.hpp"
#include "store/sql_builder.hpp"

namespace hotcrm::detail {

namespace {

constexpr std::size_t kFeaturePage = 4096;
constexpr std::size_t kRowPathRows = 8;  // up to this many rows, formulas run on the row evaluator
constexpr double kMicrosPerDay = 86'400'000'000.0;


bool numeric_result(FormulaType type) {
  switch (type) {
    case FormulaType::number:
    case FormulaType::currency:
    case FormulaType::percent:
    case FormulaType::boolean:
    case FormulaType::date:
    case FormulaType::datetime: return true;
    default: return false;
  }
}

double as_feature(const FormulaColumn& column, std::size_t row) {
  if (!column.valid[row] || column.errors[row] != FormulaError::none) return kNaN;
  switch (column.type) {
    case FormulaType::number: return column.numbers[row];
    case FormulaType::currency:
    case FormulaType::percent: return column.decimals[row].to_double();
    case FormulaType::boolean: return column.booleans[row] ? 1.0 : 0.0;
    case FormulaType::date: return static_cast<double>(column.dates[row].days);
    case FormulaType::datetime: return static_cast<double>(column.datetimes[row].micros) / kMicrosPerDay;
    default: return kNaN;
  }
}

FormulaType formula_type_of_type(FieldType type) {
  FieldDef field;
  field.type = type;
  return formula_type_of(field);
}

bool is_identifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool names_a_field(const ObjectDef& object, std::string_view name) {
  for (const auto& field : object.fields)
    if (same_name(field.name, name)) return true;
  for (const auto& field : system_fields())
    if (same_name(field.name, name)) return true;
  return false;
}

/// An error's message without its "[hotcrm....] " tag, to re-raise it with more context.
std::string untagged(const Error& error) {
  const std::string message = error.what();
  const auto end = message.find("] ");
  return message.starts_with("[hotcrm.") && end != std::string::npos ? message.substr(end + 2) : message;
}

bool known_function(std::string_view function) {
  return function == "count" || function == "sum" || function == "min" || function == "max" || function == "avg";
}

}  // namespace

/// One aggregate of a request, compiled: its SQL over the child table, grouped by the link.
struct FeatureProgram::Aggregate {
  std::string name;
  FeatureAggregate def;  ///< a copy: the program may outlive the specs it was compiled from
  const ObjectPlan* child = nullptr;
  const FieldDef* field = nullptr;  ///< the aggregated field; nullptr for count
  FieldType type = FieldType::number;  ///< what formulas read it as
  std::unique_ptr<SqlBuilder> builder;
  std::string sql;
};

namespace {

/// The type an aggregate reads as: counts and averages are numbers, sums keep their field's exact
/// type (booleans count as numbers), min and max keep the field's type.
FieldType aggregate_type(const std::string& function, const FieldDef* field) {
  if (function == "count" || function == "avg") return FieldType::number;
  if (function == "sum") return field->type == FieldType::boolean ? FieldType::number : field->type;
  return field->type;
}

bool aggregatable(const std::string& function, const FieldDef& field) {
  switch (field.type) {
    case FieldType::number:
    case FieldType::currency:
    case FieldType::percent:
    case FieldType::boolean: return true;
    case FieldType::date:
    case FieldType::datetime: return function == "min" || function == "max";
    default: return false;
  }
}

}  // namespace

FeatureProgram::FeatureProgram(Session::Impl& impl, std::string tenant, DateTime now, const ObjectPlan& plan,
                               const std::vector<FeatureSpec>& specs)
    : impl_(impl), tenant_(std::move(tenant)), now_(now), plan_(plan) {
  // Aggregates first: formulas may read them by name.
  std::map<std::string, FieldType> extra;
  for (const auto& spec : specs) {
    if (!spec.aggregate) {
      if (spec.hidden)
        throw UsageError(ErrorCode::usage, fmt::format("feature '{}': only aggregates can be hidden (a hidden formula "
                                                       "would be computed for nothing)", spec.name));
      continue;
    }
    auto aggregate = compile_aggregate(spec, specs);
    extra.emplace(spec.name, aggregate->type);
    aggregate_index_.emplace(spec.name, aggregates_.size());
    aggregates_.push_back(std::move(aggregate));
  }
  for (const auto& spec : specs) {
    if (spec.hidden) continue;
    names_.push_back(spec.name);
    if (spec.aggregate) {
      columns_.push_back({static_cast<int>(aggregate_index_.at(spec.name)), 0});
      continue;
    }
    columns_.push_back({-1, formulas_.size()});
    formulas_.push_back(compile_feature_formula(spec, extra));
  }
}

Formula FeatureProgram::compile_feature_formula(const FeatureSpec& spec, const std::map<std::string, FieldType>& extra) const {
  auto compiled = compile_formula(impl_.catalog, plan_.object->name, spec.formula, extra, user_compile_options(impl_));
  if (!compiled.ok())
    throw UsageError(ErrorCode::parse, fmt::format("feature '{}' does not compile:\n{}", spec.name,
                                                   render_diagnostics(compiled.diagnostics, spec.formula)));
  if (!numeric_result(compiled.formula->result_type()))
    throw UsageError(ErrorCode::usage, fmt::format("feature '{}' is {}; a feature is a number, currency, percent, "
                                                   "boolean, date or datetime", spec.name,
                                                   to_string(compiled.formula->result_type())));
  return *compiled.formula;
}

std::unique_ptr<FeatureProgram::Aggregate> FeatureProgram::compile_aggregate(const FeatureSpec& spec,
                                                                             const std::vector<FeatureSpec>& specs) {
  const ObjectDef& object = *plan_.object;
  const FeatureAggregate& def = *spec.aggregate;
  const auto where = fmt::format("feature '{}' (an aggregate of {})", spec.name, def.object.empty() ? "?" : def.object);
  if (!is_identifier(spec.name))
    throw UsageError(ErrorCode::usage, fmt::format("{}: an aggregate's name is an identifier (letters, digits, '_'), "
                                                   "so that formulas can name it", where));
  if (names_a_field(object, spec.name))
    throw UsageError(ErrorCode::usage, fmt::format("{}: {} already has a field named '{}'; give the aggregate "
                                                   "another name", where, object.name, spec.name));
  if (std::count_if(specs.begin(), specs.end(), [&](const FeatureSpec& other) { return other.name == spec.name; }) > 1)
    throw UsageError(ErrorCode::usage, fmt::format("{}: the name '{}' is not unique (formulas read an aggregate by "
                                                   "its name)", where, spec.name));
  if (!known_function(def.function))
    throw UsageError(ErrorCode::usage, fmt::format("{}: function '{}' is not count, sum, min, max or avg", where,
                                                   def.function));
  const ObjectDef* child = impl_.catalog.find(def.object);
  if (!child) throw UsageError(ErrorCode::usage, fmt::format("{}: there is no object '{}'", where, def.object));
  auto aggregate = std::make_unique<Aggregate>();
  aggregate->name = spec.name;
  aggregate->def = def;
  aggregate->child = &impl_.plan(def.object);
  // Fields hidden from the user read exactly as fields the child does not have.
  if (auto* scope = current_access(impl_)) {
    scope->require(*child, "read");
    for (const auto* name : {&def.via, &def.field, &def.date_field})
      if (!name->empty() && (!child->find_field(*name) || scope->field_hidden(*child, *name)))
        throw UsageError(ErrorCode::unknown_field, fmt::format("{}: {} has no field '{}'", where, def.object, *name));
  }
  const FieldDef& via = link_field(*child, object, def, where);
  if (def.function == "count") {
    if (!def.field.empty())
      throw UsageError(ErrorCode::usage, fmt::format("{}: count takes no field (it counts records)", where));
  } else {
    aggregate->field = child->find_field(def.field);
    if (def.field.empty() || !aggregate->field || !aggregate->field->is_stored())
      throw UsageError(ErrorCode::usage, fmt::format("{}: {} needs a stored field of {}; '{}' is not one", where,
                                                     def.function, def.object, def.field));
    if (!aggregatable(def.function, *aggregate->field))
      throw UsageError(ErrorCode::usage, fmt::format("{}: cannot take the {} of {}.{} ({})", where, def.function,
                                                     def.object, def.field, to_string(aggregate->field->type)));
  }
  aggregate->type = aggregate_type(def.function, aggregate->field);
  aggregate->builder = std::make_unique<SqlBuilder>(impl_, *aggregate->child, tenant_, now_);
  try {
    if (!def.filter.empty()) aggregate->builder->add_filter(Filter::formula(def.filter));
  } catch (const Error& error) {
    throw UsageError(error.code(), fmt::format("{}: the filter {}", where, untagged(error)));
  }
  if (def.within_days != 0 || !def.date_field.empty()) aggregate->builder->add_filter(window_filter(*child, def, where));
  const std::string link = "t0." + quote(via.name);
  const std::string column = aggregate->field ? "t0." + quote(aggregate->field->name) : std::string();
  std::string values;
  if (def.function == "count") values = "COUNT(*)";
  else if (def.function == "avg") values = fmt::format("SUM({0}), COUNT({0})", column);
  else values = fmt::format("{}({})", def.function == "sum" ? "SUM" : def.function == "min" ? "MIN" : "MAX", column);
  aggregate->sql = fmt::format("SELECT {}, {} FROM {} WHERE {} AND {} IN (SELECT value FROM json_each(?)) GROUP BY {}",
                               link, values, aggregate->builder->from_clause(), aggregate->builder->where(), link, link);
  return aggregate;
}

const FieldDef& FeatureProgram::link_field(const ObjectDef& child, const ObjectDef& object, const FeatureAggregate& def,
                                           const std::string& where) {
  const FieldDef* via = child.find_field(def.via);
  if (!via || !via->is_stored())
    throw UsageError(ErrorCode::usage, fmt::format("{}: {} has no stored field '{}' to link it", where, def.object, def.via));
  if (via->is_reference() ? via->reference != object.name : !(via->type == FieldType::text || via->name == "id"))
    throw UsageError(ErrorCode::usage,
                     fmt::format("{}: {}.{} must be a lookup to {} or a text field holding its ids; it is {}{}", where,
                                 def.object, def.via, object.name, to_string(via->type),
                                 via->is_reference() ? " to " + via->reference : std::string()));
  return *via;
}

Filter FeatureProgram::window_filter(const ObjectDef& child, const FeatureAggregate& def, const std::string& where) const {
  const FieldDef* date = child.find_field(def.date_field);
  if (!date || !(date->type == FieldType::date || date->type == FieldType::datetime))
    throw UsageError(ErrorCode::usage, fmt::format("{}: a time window needs a date or datetime field of {}; '{}' is "
                                                   "not one", where, def.object, def.date_field));
  if (def.within_days <= 0)
    throw UsageError(ErrorCode::usage, fmt::format("{}: within_days must be a positive number of days, not {}", where,
                                                   def.within_days));
  // [now - days, now]: a date field compares with today's date.
  const bool dated = date->type == FieldType::date;
  const Value from = dated ? Value(Date{static_cast<std::int32_t>(now_.date().days - def.within_days)})
                           : Value(DateTime{now_.micros - def.within_days * 86'400'000'000LL});
  const Value to = dated ? Value(now_.date()) : Value(now_);
  return Filter::and_({Filter::compare(def.date_field, CompareOp::ge, from), Filter::compare(def.date_field, CompareOp::le, to)});
}

FeatureProgram::~FeatureProgram() = default;

std::vector<Value> FeatureProgram::aggregate_page(Aggregate& aggregate, const std::vector<std::vector<Value>>& rows) {
  const std::string& function = aggregate.def.function;
  // Records without children: a count or a sum is 0, a minimum, maximum or average is blank.
  Value empty;
  if (function == "count") empty = std::int64_t{0};
  else if (function == "sum") empty = aggregate.field->is_decimal() ? Value(Decimal(0, aggregate.field->scale))
                                      : aggregate.field->type == FieldType::number && aggregate.field->scale > 0
                                          ? Value(0.0)
                                          : Value(std::int64_t{0});
  std::vector<Value> out(rows.size(), empty);
  std::unordered_map<std::string, std::size_t> position;
  nlohmann::json ids = nlohmann::json::array();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string& id = rows[r][0].as_string();
    if (position.emplace(id, r).second) ids.push_back(id);
  }
  auto& statement = impl_.db().prepare(aggregate.sql);
  aggregate.builder->bind_all(statement, {{nullptr, Value(ids.dump())}});
  const FieldDef* field = aggregate.field;
  while (statement.step()) {
    auto it = position.find(std::string(statement.column_text(0)));
    if (it == position.end()) continue;
    Value& value = out[it->second];
    if (function == "count") {
      value = statement.column_int(1);
    } else if (function == "avg") {
      const std::int64_t n = statement.column_int(2);
      if (n == 0) continue;
      const double total = field->is_decimal() ? read_value(statement, 1, *field).as_decimal().to_double()
                                               : statement.column_double(1);
      value = total / static_cast<double>(n);
    } else if (statement.column_is_null(1)) {
      continue;  // only blank values: the sum stays 0, min and max blank
    } else if (function == "sum" && field->type == FieldType::boolean) {
      value = statement.column_int(1);
    } else {
      value = read_value(statement, 1, *field);
    }
  }
  statement.reset();
  return out;
}

void FeatureProgram::evaluate(const std::vector<std::vector<Value>>& rows, std::vector<double>& out) {
  const std::size_t first = out.size();
  const std::size_t width = columns_.size();
  out.resize(first + rows.size() * width, kNaN);
  if (rows.empty()) return;
  std::vector<FormulaColumn> aggregated;
  for (auto& aggregate : aggregates_)
    aggregated.push_back(FormulaColumn::from_values(formula_type_of_type(aggregate->type), aggregate_page(*aggregate, rows)));
  SlotResolver resolver(impl_, tenant_, now_, SlotResolver::Mode::read);
  const EvalContext context{.now = now_};
  std::vector<Value> values(rows.size());
  for (std::size_t c = 0; c < width; ++c) {
    FormulaColumn result;
    const FormulaColumn* column = nullptr;
    if (columns_[c].aggregate >= 0) {
      column = &aggregated[static_cast<std::size_t>(columns_[c].aggregate)];
    } else if (rows.size() <= kRowPathRows) {
      // A record or a few (the workflow's score action): the row evaluator, without the batch
      // evaluator's column buffers.
      const Formula& formula = formulas_[columns_[c].formula];
      std::vector<Value> slots(formula.fields().size());
      result = FormulaColumn::from_values(formula.result_type(), {});
      result.resize(rows.size());
      for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::size_t s = 0; s < slots.size(); ++s) {
          const std::string& path = formula.fields()[s];
          auto it = aggregate_index_.find(path);
          slots[s] = it != aggregate_index_.end() ? aggregated[it->second].value_at(r) : resolver.resolve(plan_, rows[r], path);
        }
        EvalResult one = formula.evaluate(slots, context);
        if (one.ok()) result.set(r, one.value);
      }
      column = &result;
    } else {
      const Formula& formula = formulas_[columns_[c].formula];
      FormulaColumns inputs{.rows = rows.size(), .slots = {}};
      for (std::size_t s = 0; s < formula.fields().size(); ++s) {
        const std::string& path = formula.fields()[s];
        if (auto it = aggregate_index_.find(path); it != aggregate_index_.end()) {
          inputs.slots.push_back(aggregated[it->second]);
          continue;
        }
        for (std::size_t r = 0; r < rows.size(); ++r) values[r] = resolver.resolve(plan_, rows[r], path);
        inputs.slots.push_back(FormulaColumn::from_values(formula.field_types()[s], values));
      }
      result = formula.evaluate_batch(inputs, context);
      column = &result;
    }
    for (std::size_t r = 0; r < rows.size(); ++r) out[first + r * width + c] = as_feature(*column, r);
  }
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

std::vector<FeatureSpec> one_hot_features(const Catalog& catalog, std::string_view object, std::string_view field) {
  const FieldDef* def = catalog.at(object).find_field(field);
  if (!def || def->type != FieldType::select)
    throw UsageError(ErrorCode::usage, fmt::format("one-hot features need a picklist field; {}.{} is not one", object, field));
  std::vector<FeatureSpec> out;
  for (const auto& option : def->options)
    out.push_back(FeatureSpec::of(fmt::format("{}={}", field, option.value), fmt::format("ISPICKVAL({}, '{}')", field, option.value)));
  return out;
}

std::size_t Session::features_in_chunks(std::string_view object, const std::vector<FeatureSpec>& specs,
                                       const Filter& filter, const std::function<bool(const FeatureMatrix&)>& on_chunk,
                                       std::size_t chunk_rows) {
  if (chunk_rows == 0) throw UsageError(ErrorCode::usage, "features_in_chunks: chunk_rows must be at least 1");
  std::lock_guard lock(impl_->mutex);
  const auto& plan = impl_->plan(object);
  const DateTime now = impl_->now();
  // The user's visibility applies to the scored records, the aggregated children and lookups.
  detail::AccessGuard guard(*impl_, context_);
  if (auto* scope = guard.scope()) scope->require(*plan.object, "read");
  detail::FeatureProgram program(*impl_, context_.tenant, now, plan, specs);
  FeatureMatrix chunk;
  chunk.names = program.names();
  detail::SqlBuilder builder(*impl_, plan, context_.tenant, now);
  builder.add_filter(filter);
  const std::string sql = fmt::format("SELECT {}, t0.rowid FROM {} WHERE {} AND t0.rowid > ? ORDER BY t0.rowid LIMIT {}",
                                      plan.select_list, builder.from_clause(), builder.where(), chunk_rows);
  std::vector<std::vector<Value>> rows;
  std::int64_t last_rowid = -1;
  std::size_t delivered = 0;
  while (true) {
    auto& statement = impl_->db().prepare(sql);
    builder.bind_all(statement, {{nullptr, Value(last_rowid)}});
    if (!detail::read_page(statement, plan, rows, last_rowid)) break;
    chunk.ids.clear();
    chunk.values.clear();
    for (const auto& row : rows) chunk.ids.push_back(row[0].as_string());
    program.evaluate(rows, chunk.values);
    delivered += rows.size();
    if (!on_chunk(chunk) || rows.size() < chunk_rows) return delivered;
  }
  if (delivered == 0) on_chunk(chunk);  // no record: one empty block, which still names the columns
  return delivered;
}

FeatureMatrix Session::features(std::string_view object, const std::vector<FeatureSpec>& specs, const Filter& filter) {
  FeatureMatrix matrix;
  features_in_chunks(object, specs, filter, [&](const FeatureMatrix& chunk) {
    if (matrix.names.empty()) matrix.names = chunk.names;
    matrix.ids.insert(matrix.ids.end(), chunk.ids.begin(), chunk.ids.end());
    matrix.values.insert(matrix.values.end(), chunk.values.begin(), chunk.values.end());
    return true;
  }, detail::kFeaturePage);
  return matrix;
}

// ---- JSON form ---------------------------------------------------------------------------------

namespace {

using ordered = nlohmann::ordered_json;

[[noreturn]] void bad(const std::string& pointer, const std::string& why) {
  throw UsageError(ErrorCode::parse, fmt::format("feature specs: {}: {}", pointer, why));
}

std::string text_at(const ordered& node, const std::string& key, const std::string& pointer, bool required) {
  if (!node.contains(key)) {
    if (required) bad(pointer + "/" + key, "missing");
    return {};
  }
  if (!node[key].is_string()) bad(pointer + "/" + key, "expected a string");
  return node[key].get<std::string>();
}

FeatureAggregate aggregate_from(const ordered& node, const std::string& pointer) {
  if (!node.is_object()) bad(pointer, "expected an object {\"object\", \"via\", \"function\", ...}");
  static const char* const kKeys[] = {"object", "via", "function", "field", "filter", "date_field", "within_days"};
  for (auto it = node.begin(); it != node.end(); ++it)
    if (std::find(std::begin(kKeys), std::end(kKeys), it.key()) == std::end(kKeys))
      bad(pointer + "/" + it.key(), "unknown key (object, via, function, field, filter, date_field, within_days)");
  FeatureAggregate out;
  out.object = text_at(node, "object", pointer, true);
  out.via = text_at(node, "via", pointer, true);
  out.function = node.contains("function") ? text_at(node, "function", pointer, true) : "count";
  out.field = text_at(node, "field", pointer, false);
  out.filter = text_at(node, "filter", pointer, false);
  out.date_field = text_at(node, "date_field", pointer, false);
  if (node.contains("within_days")) {
    const auto& days = node["within_days"];
    if (!days.is_number_integer()) bad(pointer + "/within_days", "expected a whole number of days");
    out.within_days = days.get<std::int64_t>();
  }
  return out;
}

/// One spec from its body (everything but the name): a formula string or {"formula"} or
/// {"aggregate", "hidden"}.
FeatureSpec spec_from(std::string name, const ordered& body, const std::string& pointer) {
  if (body.is_string()) return FeatureSpec::of(std::move(name), body.get<std::string>());
  if (!body.is_object()) bad(pointer, "expected a formula string or an object");
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "name" && it.key() != "formula" && it.key() != "aggregate" && it.key() != "hidden")
      bad(pointer + "/" + it.key(), "unknown key (name, formula, aggregate, hidden)");
  const bool has_formula = body.contains("formula"), has_aggregate = body.contains("aggregate");
  if (has_formula == has_aggregate) bad(pointer, "give either \"formula\" or \"aggregate\"");
  bool hidden = false;
  if (body.contains("hidden")) {
    if (!body["hidden"].is_boolean()) bad(pointer + "/hidden", "expected true or false");
    hidden = body["hidden"].get<bool>();
  }
  if (has_formula) {
    FeatureSpec spec = FeatureSpec::of(std::move(name), text_at(body, "formula", pointer, true));
    spec.hidden = hidden;
    return spec;
  }
  return FeatureSpec::of(std::move(name), aggregate_from(body["aggregate"], pointer + "/aggregate"), hidden);
}

}  // namespace

std::string feature_specs_to_json(const std::vector<FeatureSpec>& specs) {
  ordered out = ordered::array();
  for (const auto& spec : specs) {
    ordered item{{"name", spec.name}};
    if (!spec.aggregate) {
      item["formula"] = spec.formula;
    } else {
      const FeatureAggregate& a = *spec.aggregate;
      ordered body{{"object", a.object}, {"via", a.via}, {"function", a.function}};
      if (!a.field.empty()) body["field"] = a.field;
      if (!a.filter.empty()) body["filter"] = a.filter;
      if (!a.date_field.empty()) body["date_field"] = a.date_field;
      if (a.within_days != 0) body["within_days"] = a.within_days;
      item["aggregate"] = std::move(body);
    }
    if (spec.hidden) item["hidden"] = true;
    out.push_back(std::move(item));
  }
  return out.dump();
}

std::vector<FeatureSpec> feature_specs_from_json(std::string_view json) {
  ordered document;
  try {
    document = ordered::parse(json);
  } catch (const nlohmann::json::exception& error) {
    throw UsageError(ErrorCode::parse, fmt::format("feature specs are not JSON: {}", error.what()));
  }
  std::vector<FeatureSpec> out;
  if (document.is_object()) {
    for (auto it = document.begin(); it != document.end(); ++it)
      out.push_back(spec_from(it.key(), it.value(), "/" + it.key()));
    return out;
  }
  if (!document.is_array()) bad("", "expected an array of features or an object {name: formula}");
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::string pointer = "/" + std::to_string(i);
    const auto& item = document[i];
    if (!item.is_object()) bad(pointer, "expected an object {\"name\", \"formula\" | \"aggregate\"}");
    out.push_back(spec_from(text_at(item, "name", pointer, true), item, pointer));
  }
  return out;
}

}  // namespace v0
}  // namespace hotcrm
