#pragma once
// Queries: a filter tree (built in code, parsed from a where-string, or a boolean formula),
// ordering, paging, field selection, counts and grouped aggregates.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/progress.hpp"
#include "hotcrm/store/record.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

enum class CompareOp : std::uint8_t { eq, ne, lt, le, gt, ge, in, not_in, contains, starts_with, is_null, not_null };
std::string_view to_string(CompareOp op) noexcept;

/// A boolean condition over one object's records. A field may be a path through lookups:
/// "account_id.name" reads the name of the opportunity's account. A `formula` filter holds any
/// boolean formula (docs/formula.md), compiled against the object when the query runs: the parts
/// SQL can express exactly run as SQL, the rest in the formula engine, with the same result.
struct Filter {
  enum class Kind : std::uint8_t { all, compare, and_, or_, not_, formula };
  Kind kind = Kind::all;
  std::string field;            ///< compare: field or lookup path
  CompareOp op = CompareOp::eq; ///< compare: operator
  std::vector<Value> values;    ///< compare: operand(s); IN takes several, IS NULL none
  std::vector<Filter> children; ///< and_/or_: two or more; not_: exactly one
  std::string source;           ///< formula: the formula text

  static Filter all() { return {}; }
  static Filter compare(std::string field, CompareOp op, Value value = {});
  static Filter in(std::string field, std::vector<Value> values);
  static Filter is_null(std::string field);
  static Filter not_null(std::string field);
  static Filter and_(std::vector<Filter> children);
  static Filter or_(std::vector<Filter> children);
  static Filter not_(Filter child);
  static Filter formula(std::string source);

  /// Readable form, parseable by parse_where: "(status = 'new' AND annual_revenue > 1000000)".
  /// A formula filter is written as its source (which parse_filter reads back).
  std::string to_string() const;
};

/// Parses a where-string: comparisons `field op literal` with = == != <> < <= > >=,
/// `field IN (v, ...)`, `field NOT IN (...)`, `field IS [NOT] NULL`, `field CONTAINS 'x'`,
/// `field STARTS_WITH 'x'`, joined by AND / OR / NOT (also && || !) with parentheses.
/// Literals: 'text' or "text", numbers, TRUE, FALSE, NULL. Throws Error(parse) naming the column.
Filter parse_where(std::string_view text);

/// What `--where` and Python's `where=` accept: a where-string when the text is one (parse_where),
/// otherwise any boolean formula (Filter::formula; compiled, with diagnostics, when the query runs).
Filter parse_filter(std::string_view text);

struct OrderKey {
  std::string field;     ///< field or lookup path
  bool descending = false;
};
/// Parses "a,-b" / {"a", "-b"}: a leading '-' means descending.
std::vector<OrderKey> parse_order_by(std::string_view text);

struct Query {
  std::string object;
  Filter filter;
  std::vector<OrderKey> order_by;     ///< insertion order breaks ties, so the order is total
  std::optional<std::int64_t> limit;
  std::int64_t offset = 0;
  std::vector<std::string> fields;    ///< empty: every stored field (system fields included)
  /// Keyset pagination: the `cursor` of the last row of the previous page (QueryResult::next_cursor).
  std::string after;
  QueryLimits limits;                 ///< a timeout and / or a cancel token
};

/// Rows of a query, in order, with a fixed field list.
struct QueryResult {
  std::vector<std::string> fields;
  RecordBatch rows;
  /// Opaque cursor positioned after the last row (for Query::after); empty when there are no rows.
  std::string next_cursor;
  std::size_t size() const noexcept { return rows.row_count(); }
};

/// One column of a columnar query result (Session::query_columns), stored contiguously by kind, so
/// that a million rows cost a few buffers rather than a million values.
struct ResultColumn {
  enum class Kind : std::uint8_t {
    integer,   ///< integers: number fields of scale 0
    real,      ///< reals: number fields with decimals
    decimal,   ///< integers hold units of 10^-scale: currency, percent
    boolean,   ///< integers hold 0 / 1
    date,      ///< integers hold days since 1970-01-01
    datetime,  ///< integers hold microseconds since 1970-01-01T00:00:00Z
    text,      ///< text/offsets: text, picklist, e-mail, phone, url, ids and lookups
    value,     ///< values: one Value per row (formula fields, multiselect lists)
  };
  std::string name;
  Kind kind = Kind::value;
  int scale = 0;                       ///< decimal
  std::vector<std::uint8_t> valid;     ///< 1 where the row has a value
  std::vector<std::int64_t> integers;
  std::vector<double> reals;
  std::string text;                    ///< the UTF-8 bytes of every row, back to back
  std::vector<std::uint64_t> offsets;  ///< row r is text[offsets[r], offsets[r + 1]); size rows + 1
  std::vector<Value> values;

  std::size_t size() const noexcept { return valid.size(); }
  std::string_view text_at(std::size_t row) const noexcept {
    return std::string_view(text).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
  /// The cell as a Value (null where not valid).
  Value at(std::size_t row) const;
};

/// A query result by column (Session::query_columns): same rows, order and cursor as query().
struct ColumnarResult {
  std::vector<ResultColumn> columns;
  std::size_t rows = 0;
  std::string next_cursor;
};

enum class AggregateFn : std::uint8_t { count, sum, avg, min, max };
std::string_view to_string(AggregateFn fn) noexcept;

struct Aggregate {
  AggregateFn fn = AggregateFn::count;
  std::string field;  ///< empty with count: COUNT(*)
  std::string alias;  ///< result column name; default "fn_field" (e.g. "sum_amount", "count")
};

struct AggregateQuery {
  std::string object;
  Filter filter;
  std::vector<std::string> group_by;
  std::vector<Aggregate> aggregates;
  QueryLimits limits;                 ///< a timeout and / or a cancel token
};

}  // namespace v0
}  // namespace hotcrm
