// Read path: Query / count / aggregate compiled to one SQL statement with bound parameters.
// Lookup paths ("account_id.name") become LEFT JOINs; every identifier comes from the catalog.
#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "model/coerce.hpp"
#include "store/codec.hpp"
#include "store/impl.hpp"
#include "store/rows.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

constexpr int kMaxPathDepth = 5;
constexpr std::int64_t kMaxFilterNodes = 10'000;

/// A resolved field reference: the SQL expression and the field that types it.
struct Column {
  std::string sql;
  const FieldDef* field = nullptr;
  const Formula* formula = nullptr;  ///< a formula field: computed from the full row, not selected
};

const Formula* formula_of(const detail::ObjectPlan& plan, std::string_view name) {
  for (const auto& [field, formula] : plan.formula_fields)
    if (field->name == name) return &formula;
  return nullptr;
}

/// One bound parameter: the value and the field that decides its encoding.
struct Parameter {
  const FieldDef* field = nullptr;  // nullptr: bind as plain text / integer
  Value value;
};

class SqlBuilder {
 public:
  SqlBuilder(const Session::Impl& impl, const detail::ObjectPlan& plan, const std::string& tenant)
      : impl_(impl), root_(plan) {
    where_ = "t0.\"tenant_id\" = ?";
    parameters_.push_back({nullptr, Value(tenant)});
    tenant_ = tenant;
  }

  Column resolve(const std::string& path) {
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
      if (dot == std::string::npos) {
        if (!field->is_stored())
          throw UsageError(ErrorCode::not_supported,
                           fmt::format("formula field {}.{} can be selected but not yet filtered, sorted, "
                                       "grouped or read through a lookup", object->name, name));
        return {alias + "." + detail::quote(name), field};
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

  void add_filter(const Filter& filter) {
    std::int64_t nodes = 0;
    auto condition = compile(filter, nodes);
    if (!condition.empty()) where_ += " AND (" + condition + ")";
  }

  std::string from_clause() const { return detail::quote(root_.object->name) + " AS t0" + joins_; }
  const std::string& where() const { return where_; }

 private:
  std::string join(const std::string& path, const std::string& from_alias, const FieldDef& field) {
    auto it = aliases_.find(path);
    if (it != aliases_.end()) return it->second;
    std::string alias = "t" + std::to_string(aliases_.size() + 1);
    // The tenant condition sits in the ON clause, so a parent of another tenant reads as null.
    joins_ += fmt::format(" LEFT JOIN {} AS {} ON {}.\"id\" = {}.{} AND {}.\"tenant_id\" = ?",
                          detail::quote(field.reference), alias, alias, from_alias, detail::quote(field.name), alias);
    join_parameters_.push_back(tenant_);
    aliases_.emplace(path, alias);
    return alias;
  }

  Value literal(const Column& column, const Value& value, const std::string& path) {
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
    if (auto failure = detail::coerce_value(loose, value, converted)) {
      throw UsageError(ErrorCode::usage, fmt::format("filter on {}: {}", path, failure->message));
    }
    return converted;
  }

  Parameter parameter_for(const Column& column, const Value& value) {
    const FieldDef* field = column.field;
    // Integers compared with a real literal are bound as reals (the column is INTEGER).
    if (field->type == FieldType::number && field->scale == 0 && value.kind() == ValueKind::real)
      return {nullptr, value};
    return {field, value};
  }

  std::string compile(const Filter& filter, std::int64_t& nodes) {
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
    }
    return "";
  }

  std::string compile_compare(const Filter& filter) {
    Column column = resolve(filter.field);
    const FieldDef& field = *column.field;
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
        if (std::string_view(detail::column_type(field)) != "TEXT" || value.kind() != ValueKind::text)
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

 public:
  /// Join parameters precede the WHERE parameters in the SQL text.
  std::vector<Parameter> ordered_parameters() const {
    std::vector<Parameter> ordered;
    for (const auto& tenant : join_parameters_) ordered.push_back({nullptr, Value(tenant)});
    ordered.insert(ordered.end(), parameters_.begin(), parameters_.end());
    return ordered;
  }

  void bind_all(detail::Statement& statement, const std::vector<Parameter>& extra = {}) const {
    int index = 1;
    auto bind_one = [&](const Parameter& parameter) {
      if (parameter.field) detail::bind_filter_value(statement, index++, *parameter.field, parameter.value);
      else if (parameter.value.kind() == ValueKind::integer) statement.bind_int(index++, parameter.value.as_int());
      else if (parameter.value.kind() == ValueKind::real) statement.bind_double(index++, parameter.value.as_double());
      else if (parameter.value.is_null()) statement.bind_null(index++);
      else statement.bind_text(index++, parameter.value.as_string());
    };
    for (const auto& parameter : ordered_parameters()) bind_one(parameter);
    for (const auto& parameter : extra) bind_one(parameter);
  }

 private:
  const Session::Impl& impl_;
  const detail::ObjectPlan& root_;
  std::string tenant_;
  std::string joins_;
  std::vector<std::string> join_parameters_;
  std::string where_;
  std::vector<Parameter> parameters_;
  std::map<std::string, std::string> aliases_;
};

/// Raw SQL value of a result column, for keyset cursors.
Value raw_value(const detail::Statement& statement, int column) {
  switch (statement.column_type(column)) {
    case SQLITE_INTEGER: return statement.column_int(column);
    case SQLITE_FLOAT: return statement.column_double(column);
    case SQLITE_NULL: return {};
    default: return std::string(statement.column_text(column));
  }
}

std::string cursor_text(const std::vector<Value>& keys) {
  auto cursor = nlohmann::json::array();
  for (const auto& key : keys) {
    switch (key.kind()) {
      case ValueKind::integer: cursor.push_back(key.as_int()); break;
      case ValueKind::real: cursor.push_back(key.as_double()); break;
      case ValueKind::null: cursor.push_back(nullptr); break;
      default: cursor.push_back(key.as_string()); break;
    }
  }
  return cursor.dump();
}

Value cursor_value(const nlohmann::json& item) {
  if (item.is_null()) return {};
  if (item.is_number_integer()) return item.get<std::int64_t>();
  if (item.is_number()) return item.get<double>();
  if (item.is_string()) return item.get<std::string>();
  throw UsageError(ErrorCode::usage, "malformed query cursor");
}

/// "Strictly after the cursor row" in the order given, null-aware (SQLite sorts NULL first).
std::string keyset_condition(const std::vector<std::string>& keys, const std::vector<bool>& descending,
                             const std::vector<Value>& cursor, std::vector<Parameter>& parameters) {
  std::string any;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    std::string all;
    for (std::size_t e = 0; e < k; ++e) {
      all += fmt::format("{} IS ? AND ", keys[e]);
      parameters.push_back({nullptr, cursor[e]});
    }
    const auto& value = cursor[k];
    std::string after;
    if (!descending[k]) {
      if (value.is_null()) after = keys[k] + " IS NOT NULL";
      else {
        after = keys[k] + " > ?";
        parameters.push_back({nullptr, value});
      }
    } else {
      if (value.is_null()) after = "0";
      else {
        after = fmt::format("({0} < ? OR {0} IS NULL)", keys[k]);
        parameters.push_back({nullptr, value});
      }
    }
    any += (any.empty() ? "(" : " OR (") + all + after + ")";
  }
  return "(" + any + ")";
}

}  // namespace

QueryResult Session::query(const Query& query) {
  std::lock_guard lock(impl_->mutex);
  const auto& plan = impl_->plan(query.object);
  SqlBuilder builder(*impl_, plan, context_.tenant);
  QueryResult result;
  std::vector<Column> columns;
  if (query.fields.empty()) {
    for (const auto* field : plan.columns) {
      columns.push_back({"t0." + detail::quote(field->name), field});
      result.fields.push_back(field->name);
    }
    for (const auto& [field, formula] : plan.formula_fields) {
      columns.push_back({"NULL", field, &formula});
      result.fields.push_back(field->name);
    }
  } else {
    for (const auto& name : query.fields) {
      if (const auto* formula = formula_of(plan, name)) columns.push_back({"NULL", plan.object->find_field(name), formula});
      else columns.push_back(builder.resolve(name));
      result.fields.push_back(name);
    }
  }
  // Formula fields are computed from the whole stored row, selected after the order keys.
  bool computes = std::any_of(columns.begin(), columns.end(), [](const Column& c) { return c.formula != nullptr; });
  builder.add_filter(query.filter);
  std::vector<std::string> order_sql;
  std::vector<bool> descending;
  for (const auto& key : query.order_by) {
    order_sql.push_back(builder.resolve(key.field).sql);
    descending.push_back(key.descending);
  }
  // The tie-breaker is the rowid in the direction of the last key: every index ends with the
  // rowid, so an index on the last sort key serves the whole ORDER BY without a sort step.
  bool last_descending = !descending.empty() && descending.back();
  order_sql.push_back("t0.rowid");
  descending.push_back(last_descending);

  std::vector<Parameter> extra;
  std::string where = builder.where();
  if (!query.after.empty()) {
    auto parsed = nlohmann::json::parse(query.after, nullptr, false);
    if (!parsed.is_array() || parsed.size() != order_sql.size())
      throw UsageError(ErrorCode::usage, "the query cursor does not match this query's order");
    std::vector<Value> cursor;
    for (const auto& item : parsed) cursor.push_back(cursor_value(item));
    std::vector<Parameter> keyset_parameters;
    where += " AND " + keyset_condition(order_sql, descending, cursor, keyset_parameters);
    extra = std::move(keyset_parameters);
  }
  std::string select;
  for (const auto& column : columns) select += (select.empty() ? "" : ", ") + column.sql;
  for (const auto& key : order_sql) select += ", " + key;
  if (computes) select += ", " + plan.select_list;
  std::string order;
  for (std::size_t k = 0; k < order_sql.size(); ++k)
    order += (k ? ", " : "") + order_sql[k] + (descending[k] ? " DESC" : "");
  std::string sql = fmt::format("SELECT {} FROM {} WHERE {} ORDER BY {}", select, builder.from_clause(), where, order);
  if (query.limit || query.offset > 0) {
    if (query.limit && *query.limit < 0) throw UsageError(ErrorCode::usage, "limit must not be negative");
    if (query.offset < 0) throw UsageError(ErrorCode::usage, "offset must not be negative");
    sql += " LIMIT ? OFFSET ?";
    extra.push_back({nullptr, Value(query.limit.value_or(-1))});
    extra.push_back({nullptr, Value(query.offset)});
  }
  auto& statement = impl_->db().prepare(sql);
  builder.bind_all(statement, extra);
  result.rows = RecordBatch(result.fields);
  if (query.limit) result.rows.reserve(static_cast<std::size_t>(std::min<std::int64_t>(*query.limit, 100'000)));
  std::vector<Value> last_keys(order_sql.size());
  bool any_row = false;
  std::vector<Value> full_row;
  std::optional<detail::SlotResolver> resolver;
  if (computes) resolver.emplace(*impl_, context_.tenant, impl_->clock());
  const int full_row_start = static_cast<int>(columns.size() + order_sql.size());
  while (statement.step()) {
    if (computes) {
      full_row.resize(plan.columns.size());
      for (std::size_t c = 0; c < plan.columns.size(); ++c)
        full_row[c] = detail::read_value(statement, full_row_start + static_cast<int>(c), *plan.columns[c]);
    }
    auto row = result.rows.append_row();
    for (std::size_t c = 0; c < columns.size(); ++c)
      row[c] = columns[c].formula ? resolver->evaluate(plan, full_row, nullptr, *columns[c].formula).value
                                  : detail::read_value(statement, static_cast<int>(c), *columns[c].field);
    // Only the last row's keys make the cursor; keep them as plain values, not JSON, per row.
    for (std::size_t k = 0; k < order_sql.size(); ++k)
      last_keys[k] = raw_value(statement, static_cast<int>(columns.size() + k));
    any_row = true;
  }
  statement.reset();
  if (any_row) result.next_cursor = cursor_text(last_keys);
  return result;
}

std::int64_t Session::count(std::string_view object, const Filter& filter) {
  std::lock_guard lock(impl_->mutex);
  SqlBuilder builder(*impl_, impl_->plan(object), context_.tenant);
  builder.add_filter(filter);
  auto& statement = impl_->db().prepare(fmt::format("SELECT count(*) FROM {} WHERE {}", builder.from_clause(), builder.where()));
  builder.bind_all(statement);
  statement.step();
  auto total = statement.column_int(0);
  statement.reset();
  return total;
}

QueryResult Session::aggregate(const AggregateQuery& query) {
  std::lock_guard lock(impl_->mutex);
  SqlBuilder builder(*impl_, impl_->plan(query.object), context_.tenant);
  QueryResult result;
  std::vector<Column> groups;
  std::string select, group_by;
  for (const auto& name : query.group_by) {
    groups.push_back(builder.resolve(name));
    select += (select.empty() ? "" : ", ") + groups.back().sql;
    group_by += (group_by.empty() ? "" : ", ") + groups.back().sql;
    result.fields.push_back(name);
  }
  struct Output {
    AggregateFn fn;
    const FieldDef* field;
  };
  std::vector<Output> outputs;
  for (const auto& aggregate : query.aggregates) {
    const FieldDef* field = nullptr;
    std::string argument = "*";
    if (!aggregate.field.empty()) {
      auto column = builder.resolve(aggregate.field);
      field = column.field;
      argument = column.sql;
    } else if (aggregate.fn != AggregateFn::count) {
      throw UsageError(ErrorCode::usage, fmt::format("{} needs a field", to_string(aggregate.fn)));
    }
    bool numeric = field && (field->type == FieldType::number || field->is_decimal());
    if ((aggregate.fn == AggregateFn::sum || aggregate.fn == AggregateFn::avg) && !numeric)
      throw UsageError(ErrorCode::usage, fmt::format("{} needs a number, currency or percent field", to_string(aggregate.fn)));
    // Decimal averages are computed exactly from SUM and COUNT below.
    if (aggregate.fn == AggregateFn::avg)
      select += fmt::format("{}sum({}), count({})", select.empty() ? "" : ", ", argument, argument);
    else
      select += fmt::format("{}{}({})", select.empty() ? "" : ", ", to_string(aggregate.fn), argument);
    std::string alias = aggregate.alias.empty()
                            ? std::string(to_string(aggregate.fn)) + (aggregate.field.empty() ? "" : "_" + aggregate.field)
                            : aggregate.alias;
    for (auto& c : alias)
      if (c == '.') c = '_';
    result.fields.push_back(alias);
    outputs.push_back({aggregate.fn, field});
  }
  if (outputs.empty()) throw UsageError(ErrorCode::usage, "an aggregate query needs at least one aggregate");
  builder.add_filter(query.filter);
  std::string sql = fmt::format("SELECT {} FROM {} WHERE {}", select, builder.from_clause(), builder.where());
  if (!group_by.empty()) sql += " GROUP BY " + group_by + " ORDER BY " + group_by;
  auto& statement = impl_->db().prepare(sql);
  builder.bind_all(statement);
  result.rows = RecordBatch(result.fields);
  std::vector<Value> row;
  while (statement.step()) {
    row.clear();
    int c = 0;
    for (const auto& group : groups) row.push_back(detail::read_value(statement, c++, *group.field));
    for (const auto& output : outputs) {
      if (output.fn == AggregateFn::count) {
        row.push_back(statement.column_int(c++));
      } else if (output.fn == AggregateFn::avg) {
        int sum_column = c++;
        auto n = statement.column_int(c++);
        if (n == 0 || statement.column_is_null(sum_column)) row.push_back(Value{});
        else if (output.field->is_decimal()) {
          Decimal sum(statement.column_int(sum_column), output.field->scale);
          row.push_back(Decimal::divide(sum, Decimal::from_int(n), std::min(output.field->scale + 4, Decimal::max_scale)));
        } else {
          row.push_back(statement.column_double(sum_column) / static_cast<double>(n));
        }
      } else {
        row.push_back(detail::read_value(statement, c++, *output.field));
      }
    }
    result.rows.add_row(row);
  }
  statement.reset();
  return result;
}

}  // namespace v0
}  // namespace hotcrm
