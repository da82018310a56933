// The read path's SQL builder: lookup paths become LEFT JOINs (tenant-scoped in their ON clause),
// comparison filters become SQL with bound parameters, formula filters go through
// formula_sql.cpp, which translates what it can and leaves the rest to the engine.
#include "store/sql_builder.hpp"

#include <sqlite3.h>

#include <algorithm>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "model/coerce.hpp"
#include "store/access.hpp"
#include "store/codec.hpp"
#include "store/engine_formula.hpp"

namespace hotcrm::detail {

namespace {
constexpr int kMaxPathDepth = 5;
constexpr std::int64_t kMaxFilterNodes = 10'000;
}  // namespace

SqlBuilder::SqlBuilder(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant, DateTime now)
    : SqlBuilder(impl, plan, tenant, now, current_access(impl)) {}

SqlBuilder::SqlBuilder(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant, DateTime now,
                       AccessScope* access, ShareAccess level)
    : impl_(impl), root_(plan), tenant_(tenant), now_(now), access_(access) {
  where_ = "t0.\"tenant_id\" = ?";
  parameters_.push_back({nullptr, Value(tenant)});
  if (access_) {
    // Record visibility is part of the statement itself: never fetched first and filtered after.
    auto visible = access_->record_condition(*this, level);
    if (!visible.empty()) add_sql_condition(visible);
  }
}

SqlBuilder::SqlBuilder(SqlBuilder& outer, const ObjectPlan& plan, ShareAccess level)
    : impl_(outer.impl_), root_(plan), tenant_(outer.tenant_), now_(outer.now_), access_(outer.access_),
      engine_owner_(outer.engine_owner_), nesting_(outer.nesting_ + 1) {
  where_ = "t0.\"tenant_id\" = ?";
  parameters_.push_back({nullptr, Value(tenant_)});
  auto visible = access_->record_condition(*this, level);
  if (!visible.empty()) add_sql_condition(visible);
}

std::string SqlBuilder::nested_subquery(const ObjectPlan& plan, ShareAccess level, std::vector<Parameter>& out) {
  // Deeper than any lookup path may go: only a master-detail cycle gets here, and it grants nothing.
  if (nesting_ >= kMaxPathDepth * 2) return "SELECT NULL WHERE 0";
  auto nested = std::unique_ptr<SqlBuilder>(new SqlBuilder(*this, plan, level));
  std::string sql;
  if (nested->where() != "t0.\"tenant_id\" = ?") {
    sql = fmt::format("SELECT t0.\"id\" FROM {} WHERE {}", nested->from_clause(), nested->where());
    auto parameters = nested->ordered_parameters();
    out.insert(out.end(), parameters.begin(), parameters.end());
  }
  nested_.push_back(std::move(nested));
  return sql;
}

std::string SqlBuilder::accessible_ids(const std::string& column, const ObjectPlan& plan, ShareAccess level) {
  std::vector<Parameter> parameters;
  auto subquery = nested_subquery(plan, level, parameters);
  if (subquery.empty()) return "";
  for (auto& parameter : parameters) add_parameter(std::move(parameter));
  return fmt::format("{} IN ({})", column, subquery);
}

void SqlBuilder::check_visible(const ObjectDef& object, const std::string& name, const std::string& path) const {
  if (system_mode()) return;
  if (access_->field_hidden(object, name))
    throw UsageError(ErrorCode::unknown_field, fmt::format("unknown field '{}' on {} (in '{}')", name, object.name, path));
}

SqlBuilder::~SqlBuilder() = default;

std::string SqlBuilder::from_clause() const { return quote(root_.object->name) + " AS t0" + joins_; }

void SqlBuilder::add_filter(const Filter& filter) {
  std::int64_t nodes = 0;
  auto condition = compile(filter, nodes);
  if (!condition.empty()) where_ += " AND (" + condition + ")";
}

std::optional<Column> SqlBuilder::try_resolve(const std::string& path) {
  // Walk the path first so that unknown fields still fail loudly; only formula fields give way.
  const ObjectDef* object = root_.object;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    const FieldDef* field = object->find_field(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (field == nullptr) break;  // resolve() reports it
    check_visible(*object, field->name, path);
    if (!field->is_stored()) return std::nullopt;
    if (dot == std::string::npos || !field->is_reference()) break;
    object = impl_.catalog.find(field->reference);
    if (object == nullptr) break;
    start = dot + 1;
  }
  return resolve(path);
}

namespace {
void refuse_encrypted(const Column& column, const std::string& path, std::string_view use) {
  if (column.field && column.field->encrypted)
    throw UsageError(ErrorCode::not_supported,
                     fmt::format("cannot {} '{}': the field is encrypted, and SQL sees only its ciphertext (read it, "
                                 "or test it with IS NULL / IS NOT NULL)", use, path));
}
}  // namespace

Column SqlBuilder::resolve_clear(const std::string& path, std::string_view use) {
  Column column = resolve(path);
  refuse_encrypted(column, path, use);
  return column;
}

std::string SqlBuilder::value_expression(const std::string& path) {
  if (auto column = try_resolve(path)) {
    refuse_encrypted(*column, path, "sort by");
    return column->sql;
  }
  return engine_call(EngineFormula::value_of(impl_, root_, tenant_, now_, path, access()));
}

std::string SqlBuilder::engine_call(std::unique_ptr<EngineFormula> engine) {
  // Named, so that the call may sit anywhere in the statement (SELECT list, ORDER BY) without
  // shifting the positional parameters; bind_all binds it by name.
  auto& engines = engine_owner_->engines_;
  engines.push_back(std::move(engine));
  return fmt::format("{}(:hotcrm_engine_{}, {})", EngineFormula::sql_function_name, engines.size() - 1,
                     root_.select_list);
}

std::string SqlBuilder::compile_formula_filter(const std::string& source) { return formula_filter_sql(*this, source); }

Column SqlBuilder::resolve(const std::string& path) {
  const ObjectDef* object = root_.object;
  std::string alias = "t0";
  std::string prefix;
  std::size_t start = 0;
  for (int depth = 0;; ++depth) {
    auto dot = path.find('.', start);
    std::string name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const FieldDef* field = object->find_field(name);
    if (!field)
      throw UsageError(ErrorCode::unknown_field, fmt::format("unknown field '{}' on {} (in '{}')", name, object->name, path));
    check_visible(*object, name, path);
    if (dot == std::string::npos) {
      if (!field->is_stored())
        throw UsageError(ErrorCode::not_supported,
                         fmt::format("formula field {}.{} has no column: it can be selected, filtered and "
                                     "sorted on, but not grouped or aggregated", object->name, name));
      return {alias + "." + quote(name), field};
    }
    if (!field->is_reference())
      throw UsageError(ErrorCode::usage, fmt::format("'{}' in '{}' is not a lookup, so it has no fields", name, path));
    if (depth + 1 >= kMaxPathDepth)
      throw UsageError(ErrorCode::usage, fmt::format("'{}' goes through more than {} lookups", path, kMaxPathDepth - 1));
    prefix += (prefix.empty() ? "" : ".") + name;
    alias = join(prefix, alias, *field);
    object = &impl_.catalog.at(field->reference);
    start = dot + 1;
  }
}

std::string SqlBuilder::join(const std::string& path, const std::string& from_alias, const FieldDef& field) {
  // A system join (sharing-rule criteria) is not restricted, so it is never shared with a user's.
  const std::string key = (system_mode() ? "!" : "") + path;
  auto it = aliases_.find(key);
  if (it != aliases_.end()) return it->second;
  std::string alias = "t" + std::to_string(aliases_.size() + 1);
  // The tenant condition sits in the ON clause, so a parent of another tenant reads as null.
  joins_ += fmt::format(" LEFT JOIN {} AS {} ON {}.\"id\" = {}.{} AND {}.\"tenant_id\" = ?",
                        quote(field.reference), alias, alias, from_alias, quote(field.name), alias);
  join_parameters_.push_back({nullptr, Value(tenant_)});
  const bool master_checked = from_alias == "t0" && std::find(visible_masters_.begin(), visible_masters_.end(),
                                                               field.name) != visible_masters_.end();
  if (!system_mode() && !master_checked) {
    // So does the user's visibility of the parent: one the user cannot read reads as null.
    auto subquery = nested_subquery(impl_.plan(field.reference), ShareAccess::read, join_parameters_);
    if (!subquery.empty()) joins_ += fmt::format(" AND {}.\"id\" IN ({})", alias, subquery);
  }
  aliases_.emplace(key, alias);
  return alias;
}

Value SqlBuilder::literal(const Column& column, const Value& value, const std::string& path) {
  if (value.is_null()) return value;
  const FieldDef& field = *column.field;
  // Filters convert literals to the field's type but skip value constraints: `score > 1000`
  // is a fine question even when 100 is the maximum.
  FieldDef loose = field;
  loose.max_length.reset();
  loose.min.reset();
  loose.max.reset();
  loose.precision.reset();
  loose.options.clear();
  if (field.is_decimal()) {
    // Kept at the literal's own scale; bind_filter_value compares it exactly with the units.
    if (value.kind() == ValueKind::decimal) return value;
    if (value.kind() == ValueKind::integer) return Decimal::from_int(value.as_int());
    auto text = value.kind() == ValueKind::real ? fmt::format("{}", value.as_double())
                                                : (value.kind() == ValueKind::text ? value.as_string() : "");
    if (auto decimal = Decimal::try_parse(text)) return *decimal;
    throw UsageError(ErrorCode::usage, fmt::format("filter on {}: expected a decimal number, got {}", path, value.to_json()));
  }
  if (field.type == FieldType::select || field.type == FieldType::multiselect || field.type == FieldType::email ||
      field.type == FieldType::url || field.type == FieldType::phone)
    loose.type = FieldType::text;
  if (field.type == FieldType::number && field.scale == 0 && value.kind() != ValueKind::integer) loose.scale = 1;
  Value converted;
  if (auto failure = coerce_value(loose, value, converted)) {
    throw UsageError(ErrorCode::usage, fmt::format("filter on {}: {}", path, failure->message));
  }
  return converted;
}

Parameter SqlBuilder::parameter_for(const Column& column, const Value& value) {
  const FieldDef* field = column.field;
  // Integers compared with a real literal are bound as reals (the column is INTEGER).
  if (field->type == FieldType::number && field->scale == 0 && value.kind() == ValueKind::real)
    return {nullptr, value};
  return {field, value};
}

std::string SqlBuilder::compile(const Filter& filter, std::int64_t& nodes) {
  if (++nodes > kMaxFilterNodes) throw UsageError(ErrorCode::usage, "the filter is too large");
  switch (filter.kind) {
    case Filter::Kind::all: return "";
    case Filter::Kind::and_:
    case Filter::Kind::or_: {
      if (filter.children.empty()) return filter.kind == Filter::Kind::and_ ? "1" : "0";
      std::string sql;
      for (const auto& child : filter.children) {
        auto part = compile(child, nodes);
        if (part.empty()) part = "1";
        sql += (sql.empty() ? "(" : (filter.kind == Filter::Kind::and_ ? " AND " : " OR ")) + part;
      }
      return sql + ")";
    }
    case Filter::Kind::not_: {
      if (filter.children.size() != 1) throw UsageError(ErrorCode::usage, "NOT takes exactly one condition");
      auto part = compile(filter.children.front(), nodes);
      // NOT of a comparison with null operands is null in SQL; IS NOT 1 keeps two-valued logic.
      return "((" + (part.empty() ? std::string("1") : part) + ") IS NOT 1)";
    }
    case Filter::Kind::compare: return compile_compare(filter);
    case Filter::Kind::formula: return compile_formula_filter(filter.source);
  }
  return "";
}

std::string SqlBuilder::compile_compare(const Filter& filter) {
  // A formula field has no column: the comparison is asked of the formula engine instead.
  if (!try_resolve(filter.field)) return compile_formula_filter(formula_source_of(filter));
  Column column = resolve(filter.field);
  const FieldDef& field = *column.field;
  if (filter.op != CompareOp::is_null && filter.op != CompareOp::not_null) refuse_encrypted(column, filter.field, "filter on");
  auto single = [&]() -> Value {
    if (filter.values.size() != 1)
      throw UsageError(ErrorCode::usage, fmt::format("'{} {}' takes one value", filter.field, to_string(filter.op)));
    if (filter.values.front().is_null())
      throw UsageError(ErrorCode::usage, fmt::format("'{} {} NULL' is never true: use IS NULL / IS NOT NULL",
                                                     filter.field, to_string(filter.op)));
    return literal(column, filter.values.front(), filter.field);
  };
  auto push = [&](const Value& value) { parameters_.push_back(parameter_for(column, value)); };
  const char* op = nullptr;
  switch (filter.op) {
    case CompareOp::eq: op = "="; break;
    case CompareOp::ne: op = "IS NOT"; break;  // SOQL semantics: != includes null values
    case CompareOp::lt: op = "<"; break;
    case CompareOp::le: op = "<="; break;
    case CompareOp::gt: op = ">"; break;
    case CompareOp::ge: op = ">="; break;
    case CompareOp::is_null: return column.sql + " IS NULL";
    case CompareOp::not_null: return column.sql + " IS NOT NULL";
    case CompareOp::in:
    case CompareOp::not_in: {
      if (filter.values.empty()) return filter.op == CompareOp::in ? "0" : "1";
      std::string list;
      for (const auto& value : filter.values) {
        if (value.is_null()) throw UsageError(ErrorCode::usage, "IN lists cannot hold NULL: use IS NULL");
        push(literal(column, value, filter.field));
        list += list.empty() ? "?" : ", ?";
      }
      if (filter.op == CompareOp::in) return fmt::format("{} IN ({})", column.sql, list);
      return fmt::format("({0} IS NULL OR {0} NOT IN ({1}))", column.sql, list);
    }
    case CompareOp::contains:
    case CompareOp::starts_with: {
      auto value = single();
      if (field.type == FieldType::multiselect && filter.op == CompareOp::contains) {
        parameters_.push_back({nullptr, value.kind() == ValueKind::list && !value.as_list().empty()
                                            ? Value(value.as_list().front())
                                            : value});
        return fmt::format("EXISTS (SELECT 1 FROM json_each({}) WHERE value = ?)", column.sql);
      }
      if (std::string_view(column_type(field)) != "TEXT" || value.kind() != ValueKind::text)
        throw UsageError(ErrorCode::usage, fmt::format("{} applies to text fields; {} is {}", to_string(filter.op),
                                                       filter.field, to_string(field.type)));
      parameters_.push_back({nullptr, value});
      if (filter.op == CompareOp::contains) return fmt::format("instr({}, ?) > 0", column.sql);
      parameters_.push_back({nullptr, value});
      return fmt::format("substr({}, 1, length(?)) = ?", column.sql);
    }
  }
  push(single());
  return fmt::format("{} {} ?", column.sql, op);
}

std::vector<Parameter> SqlBuilder::ordered_parameters() const {
  std::vector<Parameter> ordered;
  ordered.insert(ordered.end(), join_parameters_.begin(), join_parameters_.end());
  ordered.insert(ordered.end(), parameters_.begin(), parameters_.end());
  return ordered;
}

void SqlBuilder::bind_all(Statement& statement, const std::vector<Parameter>& extra) const {
  auto positional = ordered_parameters();
  positional.insert(positional.end(), extra.begin(), extra.end());
  std::size_t next = 0;
  const int count = sqlite3_bind_parameter_count(statement.handle());
  for (int index = 1; index <= count; ++index) {
    if (const char* name = sqlite3_bind_parameter_name(statement.handle(), index)) {
      constexpr std::string_view prefix = ":hotcrm_engine_";
      const std::string_view spelled(name);
      const auto which = static_cast<std::size_t>(std::stoul(std::string(spelled.substr(prefix.size()))));
      statement.bind_pointer(index, engines_.at(which).get(), EngineFormula::pointer_type);
      continue;
    }
    if (next >= positional.size()) throw StoreError(ErrorCode::internal, "query has more parameters than values");
    const Parameter& parameter = positional[next++];
    if (parameter.field) bind_filter_value(statement, index, *parameter.field, parameter.value);
    else if (parameter.value.kind() == ValueKind::integer) statement.bind_int(index, parameter.value.as_int());
    else if (parameter.value.kind() == ValueKind::real) statement.bind_double(index, parameter.value.as_double());
    else if (parameter.value.is_null()) statement.bind_null(index);
    else statement.bind_text(index, parameter.value.as_string());
  }
}

}  // namespace hotcrm::detail
