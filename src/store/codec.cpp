#include "store/codec.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"

namespace hotcrm::detail {

namespace {
enum class Encoding { text, integer, real, decimal, boolean, date, datetime, list };

Encoding encoding_of(const FieldDef& field) {
  switch (field.type) {
    case FieldType::multiselect: return Encoding::list;
    case FieldType::number: return field.scale == 0 ? Encoding::integer : Encoding::real;
    case FieldType::currency:
    case FieldType::percent: return Encoding::decimal;
    case FieldType::boolean: return Encoding::boolean;
    case FieldType::date: return Encoding::date;
    case FieldType::datetime: return Encoding::datetime;
    default: return Encoding::text;
  }
}

std::int64_t pow10(int exponent) {
  std::int64_t result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}
}  // namespace

const char* column_type(const FieldDef& field) {
  switch (encoding_of(field)) {
    case Encoding::text:
    case Encoding::list: return "TEXT";
    case Encoding::real: return "REAL";
    default: return "INTEGER";
  }
}

void bind_value(Statement& statement, int index, const FieldDef& field, const Value& value, bool unowned) {
  if (value.is_null()) {
    statement.bind_null(index);
    return;
  }
  switch (encoding_of(field)) {
    case Encoding::text:
      if (unowned) statement.bind_text_unowned(index, value.as_string());
      else statement.bind_text(index, value.as_string());
      break;
    case Encoding::integer: statement.bind_int(index, value.as_int()); break;
    case Encoding::real: statement.bind_double(index, value.as_double()); break;
    case Encoding::decimal: statement.bind_int(index, value.as_decimal().rescaled(field.scale).units()); break;
    case Encoding::boolean: statement.bind_int(index, value.as_bool() ? 1 : 0); break;
    case Encoding::date: statement.bind_int(index, value.as_date().days); break;
    case Encoding::datetime: statement.bind_int(index, value.as_datetime().micros); break;
    case Encoding::list: statement.bind_text(index, nlohmann::json(value.as_list()).dump()); break;
  }
}

void bind_filter_value(Statement& statement, int index, const FieldDef& field, const Value& value) {
  if (encoding_of(field) == Encoding::decimal && !value.is_null()) {
    const auto& decimal = value.as_decimal();
    if (auto exact = decimal.rescaled_exact(field.scale)) {
      statement.bind_int(index, exact->units());
    } else {
      statement.bind_double(index, decimal.to_double() * static_cast<double>(pow10(field.scale)));
    }
    return;
  }
  bind_value(statement, index, field, value);
}

Value read_value(const Statement& statement, int column, const FieldDef& field) {
  if (statement.column_is_null(column)) return {};
  switch (encoding_of(field)) {
    case Encoding::text: return std::string(statement.column_text(column));
    case Encoding::integer: return statement.column_int(column);
    case Encoding::real: return statement.column_double(column);
    case Encoding::decimal: return Decimal(statement.column_int(column), field.scale);
    case Encoding::boolean: return statement.column_int(column) != 0;
    case Encoding::date: return Date{static_cast<std::int32_t>(statement.column_int(column))};
    case Encoding::datetime: return DateTime{statement.column_int(column)};
    case Encoding::list: {
      auto parsed = nlohmann::json::parse(statement.column_text(column), nullptr, false);
      StringList list;
      if (parsed.is_array())
        for (const auto& item : parsed)
          if (item.is_string()) list.push_back(item.get<std::string>());
      return list;
    }
  }
  return {};
}

std::string quote(std::string_view identifier) {
  std::string quoted = "\"";
  quoted += identifier;
  quoted += '"';
  return quoted;
}

}  // namespace hotcrm::detail
