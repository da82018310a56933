// Filter construction and its readable form. The text written by Filter::to_string is the
// where-string syntax read by parse_where (where_parser.cpp), so a filter survives a round trip.

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/store/query.hpp"

namespace hotcrm {
inline namespace v0 {

std::string_view to_string(CompareOp op) noexcept {
  switch (op) {
    case CompareOp::eq: return "=";
    case CompareOp::ne: return "!=";
    case CompareOp::lt: return "<";
    case CompareOp::le: return "<=";
    case CompareOp::gt: return ">";
    case CompareOp::ge: return ">=";
    case CompareOp::in: return "IN";
    case CompareOp::not_in: return "NOT IN";
    case CompareOp::contains: return "CONTAINS";
    case CompareOp::starts_with: return "STARTS_WITH";
    case CompareOp::is_null: return "IS NULL";
    case CompareOp::not_null: return "IS NOT NULL";
  }
  return "?";
}

std::string_view to_string(AggregateFn fn) noexcept {
  switch (fn) {
    case AggregateFn::count: return "count";
    case AggregateFn::sum: return "sum";
    case AggregateFn::avg: return "avg";
    case AggregateFn::min: return "min";
    case AggregateFn::max: return "max";
  }
  return "?";
}

Filter Filter::compare(std::string field, CompareOp op, Value value) {
  Filter filter;
  filter.kind = Kind::compare;
  filter.field = std::move(field);
  filter.op = op;
  // IS [NOT] NULL takes no operand; keeping the (null) value would make two equal conditions differ.
  if (op != CompareOp::is_null && op != CompareOp::not_null) filter.values.push_back(std::move(value));
  return filter;
}

Filter Filter::in(std::string field, std::vector<Value> values) {
  Filter filter;
  filter.kind = Kind::compare;
  filter.field = std::move(field);
  filter.op = CompareOp::in;
  filter.values = std::move(values);
  return filter;
}

Filter Filter::is_null(std::string field) { return compare(std::move(field), CompareOp::is_null); }

Filter Filter::not_null(std::string field) { return compare(std::move(field), CompareOp::not_null); }

namespace {

// (a AND b) AND c means a AND b AND c: flattening keeps trees shallow and makes the tree parsed
// from a where-string independent of how its author grouped a chain of one connective.
Filter connective(Filter::Kind kind, std::vector<Filter> children) {
  if (children.size() == 1) return std::move(children.front());
  Filter filter;
  filter.kind = kind;
  for (Filter& child : children) {
    if (child.kind == kind) {
      for (Filter& grandchild : child.children) filter.children.push_back(std::move(grandchild));
    } else {
      filter.children.push_back(std::move(child));
    }
  }
  return filter;
}

}  // namespace

Filter Filter::and_(std::vector<Filter> children) {
  if (children.empty()) return all();  // the conjunction of nothing holds for every record
  return connective(Kind::and_, std::move(children));
}

Filter Filter::or_(std::vector<Filter> children) {
  // The disjunction of nothing matches no record, which a Filter cannot express.
  if (children.empty()) throw UsageError(ErrorCode::usage, "Filter::or_ needs at least one condition");
  return connective(Kind::or_, std::move(children));
}

Filter Filter::formula(std::string source) {
  Filter filter;
  filter.kind = Kind::formula;
  filter.source = std::move(source);
  return filter;
}

Filter parse_filter(std::string_view text) {
  try {
    return parse_where(text);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::parse) throw;
    return Filter::formula(std::string(text));
  }
}

Filter Filter::not_(Filter child) {
  Filter filter;
  filter.kind = Kind::not_;
  filter.children.push_back(std::move(child));
  return filter;
}

namespace {

// Single quotes are doubled and backslashes escaped, which parse_where reads back unchanged.
std::string quoted_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    if (c == '\'') out += "''";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  out += '\'';
  return out;
}

// Units of a scale-0 decimal that still fit in 64 bits once written with one digit after the point.
constexpr std::int64_t max_units_with_point = INT64_MAX / 10;

// A literal that parse_where reads back as the same Value where the syntax allows it: integers,
// decimals (always with a point, so that 7 as a decimal is not read back as an integer), booleans
// and text. Dates, ids and lists have no literal syntax and are written as text, which the store
// coerces to the field's type.
std::string literal(const Value& value) {
  switch (value.kind()) {
    case ValueKind::null: return "NULL";
    case ValueKind::boolean: return value.as_bool() ? "TRUE" : "FALSE";
    case ValueKind::integer: return std::to_string(value.as_int());
    case ValueKind::real: {
      double number = value.as_double();
      if (!std::isfinite(number)) return quoted_text(fmt::format("{}", number));
      std::string text = fmt::format("{}", number);
      if (text.find_first_of(".eE") == std::string::npos) text += ".0";
      return text;
    }
    case ValueKind::decimal: {
      const Decimal& decimal = value.as_decimal();
      std::string text = decimal.to_string();
      if (decimal.scale() > 0) return text;
      // "7.0" reads back as a decimal; so does "1000000000000000000e0", whose ".0" form would not fit.
      const bool point_fits = decimal.units() <= max_units_with_point && decimal.units() >= -max_units_with_point;
      return text + (point_fits ? ".0" : "e0");
    }
    case ValueKind::text:
    case ValueKind::id: return quoted_text(value.as_string());
    case ValueKind::date:
    case ValueKind::datetime:
    case ValueKind::list: return quoted_text(value.to_display());
  }
  return "NULL";
}

std::string compare_to_string(const Filter& filter) {
  std::string out = filter.field;
  out += ' ';
  out += to_string(filter.op);
  switch (filter.op) {
    case CompareOp::is_null:
    case CompareOp::not_null: return out;
    case CompareOp::in:
    case CompareOp::not_in: {
      out += " (";
      for (std::size_t i = 0; i < filter.values.size(); ++i) {
        if (i > 0) out += ", ";
        out += literal(filter.values[i]);
      }
      out += ')';
      return out;
    }
    default:
      out += ' ';
      out += filter.values.empty() ? std::string("NULL") : literal(filter.values.front());
      return out;
  }
}

void append_filter(std::string& out, const Filter& filter);

void append_connective(std::string& out, const Filter& filter, std::string_view word) {
  // Always parenthesized: the text then reads the same whatever the precedence of its context.
  out += '(';
  for (std::size_t i = 0; i < filter.children.size(); ++i) {
    if (i > 0) out += word;
    append_filter(out, filter.children[i]);
  }
  out += ')';
}

void append_filter(std::string& out, const Filter& filter) {
  switch (filter.kind) {
    case Filter::Kind::all: out += "TRUE"; return;
    case Filter::Kind::compare: out += compare_to_string(filter); return;
    case Filter::Kind::formula: out += filter.source; return;
    case Filter::Kind::and_: append_connective(out, filter, " AND "); return;
    case Filter::Kind::or_: append_connective(out, filter, " OR "); return;
    case Filter::Kind::not_:
      out += "NOT ";
      if (filter.children.empty()) out += "TRUE";
      else append_filter(out, filter.children.front());
      return;
  }
}

}  // namespace

Value ResultColumn::at(std::size_t row) const {
  if (row >= valid.size()) throw UsageError(ErrorCode::usage, fmt::format("row {} of column {} is out of range", row, name));
  if (kind == Kind::value) return values[row];
  if (!valid[row]) return Value{};
  switch (kind) {
    case Kind::integer: return integers[row];
    case Kind::real: return reals[row];
    case Kind::decimal: return Decimal(integers[row], scale);
    case Kind::boolean: return integers[row] != 0;
    case Kind::date: return Date{static_cast<std::int32_t>(integers[row])};
    case Kind::datetime: return DateTime{integers[row]};
    case Kind::text: return std::string(text_at(row));
    case Kind::value: break;
  }
  return values[row];
}

std::string Filter::to_string() const {
  std::string out;
  append_filter(out, *this);
  return out;
}

}  // namespace v0
}  // namespace hotcrm
