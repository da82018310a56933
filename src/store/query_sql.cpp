// Read path: Query / count / aggregate compiled to one SQL statement with bound parameters.
// Lookup paths ("account_id.name") become LEFT JOINs; every identifier comes from the catalog.
#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "model/coerce.hpp"
#include "store/access.hpp"
#include "store/codec.hpp"
#include "store/impl.hpp"
#include "store/rows.hpp"
#include "store/read_limits.hpp"
#include "store/sql_builder.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

using detail::Column;
using detail::Parameter;
using detail::SqlBuilder;

const Formula* formula_of(const detail::ObjectPlan& plan, std::string_view name) {
  for (const auto& [field, formula] : plan.formula_fields)
    if (field->name == name) return &formula;
  return nullptr;
}

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

namespace {
/// A query compiled to SQL: the statement text, its builder (which owns the bound values and the
/// engine-evaluated formulas), the selected columns and the order keys (for the cursor).
struct CompiledQuery {
  std::unique_ptr<SqlBuilder> builder;
  std::string sql;
  std::vector<Parameter> extra;
  std::vector<Column> columns;
  std::vector<std::string> fields;
  std::size_t order_keys = 0;
  bool computes = false;
  const QueryLimits* limits = nullptr;
};

CompiledQuery compile_query(Session::Impl& impl, const detail::ObjectPlan& plan, const std::string& tenant,
                            const Query& query) {
  CompiledQuery compiled;
  compiled.limits = &query.limits;
  compiled.builder = std::make_unique<SqlBuilder>(impl, plan, tenant, impl.now());
  SqlBuilder& builder = *compiled.builder;
  auto& columns = compiled.columns;
  auto& fields = compiled.fields;
  // Fields hidden from the user are left out of "every field", and unknown when named.
  auto* access = builder.access();
  auto hidden = [&](const FieldDef& field) { return access && access->field_hidden(*plan.object, field.name); };
  if (query.fields.empty()) {
    for (const auto* field : plan.columns) {
      if (hidden(*field)) continue;
      columns.push_back({"t0." + detail::quote(field->name), field});
      fields.push_back(field->name);
    }
    for (const auto& [field, formula] : plan.formula_fields) {
      if (hidden(*field)) continue;
      columns.push_back({"NULL", field, &formula});
      fields.push_back(field->name);
    }
  } else {
    for (const auto& name : query.fields) {
      const auto* formula = formula_of(plan, name);
      if (formula && !hidden(*plan.object->find_field(name))) columns.push_back({"NULL", plan.object->find_field(name), formula});
      else columns.push_back(builder.resolve(name));
      fields.push_back(name);
    }
  }
  // Formula fields are computed from the whole stored row, selected after the order keys.
  const bool computes = compiled.computes = std::any_of(columns.begin(), columns.end(), [](const Column& c) { return c.formula != nullptr; });
  builder.add_filter(query.filter);
  std::vector<std::string> order_sql;
  std::vector<bool> descending;
  for (const auto& key : query.order_by) {
    order_sql.push_back(builder.value_expression(key.field));
    descending.push_back(key.descending);
  }
  // The tie-breaker is the rowid in the direction of the last key: every index ends with the
  // rowid, so an index on the last sort key serves the whole ORDER BY without a sort step.
  bool last_descending = !descending.empty() && descending.back();
  order_sql.push_back("t0.rowid");
  descending.push_back(last_descending);

  auto& extra = compiled.extra;
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
  compiled.sql = std::move(sql);
  compiled.order_keys = order_sql.size();
  return compiled;
}
}  // namespace

namespace {
/// Runs a compiled query, calling on_row(statement, full_row, resolver) for each row (full_row and
/// resolver serve formula columns: the stored row and the evaluator that computes them). Returns the
/// cursor after the last row ("" when there is none).
template <class OnRow>
std::string for_each_row(Session::Impl& impl, const detail::ObjectPlan& plan, const std::string& tenant,
                         CompiledQuery& compiled, OnRow&& on_row) {
  auto& statement = impl.db().prepare(compiled.sql);
  compiled.builder->bind_all(statement, compiled.extra);
  std::vector<Value> last_keys(compiled.order_keys);
  bool any_row = false;
  std::vector<Value> full_row;
  std::optional<detail::SlotResolver> resolver;
  if (compiled.computes) resolver.emplace(impl, tenant, impl.now(), detail::SlotResolver::Mode::read);
  const int keys_start = static_cast<int>(compiled.columns.size());
  const int full_row_start = keys_start + static_cast<int>(compiled.order_keys);
  detail::ReadGuard guard(impl.db(), *compiled.limits, "query on " + plan.object->name);
  try {
    while (statement.step()) {
      if (compiled.computes) {
        full_row.resize(plan.columns.size());
        for (std::size_t c = 0; c < plan.columns.size(); ++c)
          full_row[c] = detail::read_value(statement, full_row_start + static_cast<int>(c), *plan.columns[c]);
      }
      on_row(statement, full_row, resolver ? &*resolver : nullptr);
      // Only the last row's keys make the cursor; keep them as plain values, not JSON, per row.
      for (std::size_t k = 0; k < compiled.order_keys; ++k)
        last_keys[k] = raw_value(statement, keys_start + static_cast<int>(k));
      any_row = true;
      guard.check();
    }
  } catch (const Error&) {
    statement.reset();
    guard.explain_interruption();
    throw;
  }
  statement.reset();
  return any_row ? cursor_text(last_keys) : std::string();
}

ResultColumn::Kind result_kind(const FieldDef& field) {
  using Kind = ResultColumn::Kind;
  if (field.encrypted) return Kind::value;  // opened value by value (read_value), typed like the field
  switch (field.type) {
    case FieldType::number: return field.scale == 0 ? Kind::integer : Kind::real;
    case FieldType::currency:
    case FieldType::percent: return Kind::decimal;
    case FieldType::boolean: return Kind::boolean;
    case FieldType::date: return Kind::date;
    case FieldType::datetime: return Kind::datetime;
    case FieldType::multiselect:
    case FieldType::formula: return Kind::value;
    default: return Kind::text;
  }
}

/// Appends result column `c` of the current row to `column`.
void append_cell(ResultColumn& column, const detail::Statement& statement, int c) {
  using Kind = ResultColumn::Kind;
  if (column.kind == Kind::text) {
    // A large read is dominated by these calls: text and length are two of them, and a null pointer
    // is a NULL cell (or a failed allocation, which the type then tells apart).
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement.handle(), c));
    const bool valid = text != nullptr;
    if (valid) column.text.append(text, static_cast<std::size_t>(sqlite3_column_bytes(statement.handle(), c)));
    else if (!statement.column_is_null(c)) throw StoreError(ErrorCode::store, "out of memory reading a text column");
    column.valid.push_back(valid ? 1 : 0);
    column.offsets.push_back(column.text.size());
    return;
  }
  const bool valid = !statement.column_is_null(c);
  column.valid.push_back(valid ? 1 : 0);
  switch (column.kind) {
    case Kind::real: column.reals.push_back(valid ? statement.column_double(c) : 0.0); return;
    case Kind::value: return;  // filled by the caller
    default: column.integers.push_back(valid ? statement.column_int(c) : 0); return;
  }
}

/// Result column `c` of the current row as a Value: read, or computed when it is a formula field.
Value cell_value(const Column& column, const detail::ObjectPlan& plan, const detail::Statement& statement, int c,
                 const std::vector<Value>& full_row, detail::SlotResolver* resolver) {
  if (column.formula) return resolver->evaluate(plan, full_row, nullptr, *column.formula).value;
  return detail::read_value(statement, c, *column.field);
}
}  // namespace

QueryResult Session::query(const Query& query) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  const auto& plan = impl_->plan(query.object);
  if (auto* scope = guard.scope()) scope->require(*plan.object, "read");
  auto compiled = compile_query(*impl_, plan, context_.tenant, query);
  const auto& columns = compiled.columns;
  QueryResult result;
  result.fields = compiled.fields;
  result.rows = RecordBatch(result.fields);
  if (query.limit) result.rows.reserve(static_cast<std::size_t>(std::min<std::int64_t>(*query.limit, 100'000)));
  result.next_cursor = for_each_row(*impl_, plan, context_.tenant, compiled,
                                    [&](const detail::Statement& statement, const std::vector<Value>& full_row,
                                        detail::SlotResolver* resolver) {
                                      auto row = result.rows.append_row();
                                      for (std::size_t c = 0; c < columns.size(); ++c)
                                        row[c] = cell_value(columns[c], plan, statement, static_cast<int>(c), full_row,
                                                            resolver);
                                    });
  return result;
}

ColumnarResult Session::query_columns(const Query& query) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  const auto& plan = impl_->plan(query.object);
  if (auto* scope = guard.scope()) scope->require(*plan.object, "read");
  auto compiled = compile_query(*impl_, plan, context_.tenant, query);
  const auto& columns = compiled.columns;
  ColumnarResult result;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    ResultColumn column;
    column.name = compiled.fields[c];
    column.kind = columns[c].formula ? ResultColumn::Kind::value : result_kind(*columns[c].field);
    column.scale = columns[c].field->scale;
    if (column.kind == ResultColumn::Kind::text) column.offsets.push_back(0);
    result.columns.push_back(std::move(column));
  }
  result.next_cursor = for_each_row(
      *impl_, plan, context_.tenant, compiled,
      [&](const detail::Statement& statement, const std::vector<Value>& full_row, detail::SlotResolver* resolver) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
          ResultColumn& column = result.columns[c];
          append_cell(column, statement, static_cast<int>(c));
          if (column.kind != ResultColumn::Kind::value) continue;
          column.values.push_back(cell_value(columns[c], plan, statement, static_cast<int>(c), full_row, resolver));
          column.valid.back() = column.values.back().is_null() ? 0 : 1;
        }
        ++result.rows;
      });
  return result;
}

std::string Session::explain(const Query& query) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  const auto& plan = impl_->plan(query.object);
  if (auto* scope = guard.scope()) scope->require(*plan.object, "read");
  auto compiled = compile_query(*impl_, plan, context_.tenant, query);
  auto& statement = impl_->db().prepare("EXPLAIN QUERY PLAN " + compiled.sql);
  compiled.builder->bind_all(statement, compiled.extra);
  std::string out = compiled.sql + "\n";
  while (statement.step()) out += fmt::format("-- {}\n", statement.column_text(3));
  statement.reset();
  return out;
}

std::int64_t Session::count(std::string_view object, const Filter& filter) {
  std::lock_guard lock(impl_->mutex);
  detail::AccessGuard guard(*impl_, context_);
  if (auto* scope = guard.scope()) scope->require(*impl_->plan(object).object, "read");
  SqlBuilder builder(*impl_, impl_->plan(object), context_.tenant, impl_->now());
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
  detail::AccessGuard guard(*impl_, context_);
  if (auto* scope = guard.scope()) scope->require(*impl_->plan(query.object).object, "read");
  SqlBuilder builder(*impl_, impl_->plan(query.object), context_.tenant, impl_->now());
  QueryResult result;
  std::vector<Column> groups;
  std::string select, group_by;
  for (const auto& name : query.group_by) {
    groups.push_back(builder.resolve_clear(name, "group by"));
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
      auto column = aggregate.fn == AggregateFn::count ? builder.resolve(aggregate.field)
                                                       : builder.resolve_clear(aggregate.field, "aggregate");
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
  detail::ReadGuard read_guard(impl_->db(), query.limits, "aggregate of " + query.object);
  auto step = [&] {
    try {
      return statement.step();
    } catch (const Error&) {
      statement.reset();
      read_guard.explain_interruption();
      throw;
    }
  };
  while (step()) {
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
