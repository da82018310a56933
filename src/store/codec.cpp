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

namespace {
/// Decodes one stored value through `source`, which reads either a result column or a function
/// argument (the two SQLite APIs have the same shape).
template <class Source>
Value decode(const Source& source, const FieldDef& field) {
  if (source.is_null()) return {};
  switch (encoding_of(field)) {
    case Encoding::text: return std::string(source.text());
    case Encoding::integer: return source.integer();
    case Encoding::real: return source.real();
    case Encoding::decimal: return Decimal(source.integer(), field.scale);
    case Encoding::boolean: return source.integer() != 0;
    case Encoding::date: return Date{static_cast<std::int32_t>(source.integer())};
    case Encoding::datetime: return DateTime{source.integer()};
    case Encoding::list: {
      auto parsed = nlohmann::json::parse(source.text(), nullptr, false);
      StringList list;
      if (parsed.is_array())
        for (const auto& item : parsed)
          if (item.is_string()) list.push_back(item.template get<std::string>());
      return list;
    }
  }
  return {};
}

struct ColumnSource {
  const Statement& statement;
  int column;
  bool is_null() const { return statement.column_is_null(column); }
  std::string_view text() const { return statement.column_text(column); }
  std::int64_t integer() const { return statement.column_int(column); }
  double real() const { return statement.column_double(column); }
};

struct ArgumentSource {
  sqlite3_value* value;
  bool is_null() const { return sqlite3_value_type(value) == SQLITE_NULL; }
  std::string_view text() const {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_value_text(value));
    return bytes ? std::string_view(bytes, static_cast<std::size_t>(sqlite3_value_bytes(value))) : std::string_view();
  }
  std::int64_t integer() const { return sqlite3_value_int64(value); }
  double real() const { return sqlite3_value_double(value); }
};
}  // namespace

Value read_value(const Statement& statement, int column, const FieldDef& field) {
  return decode(ColumnSource{statement, column}, field);
}

Value read_value(sqlite3_value* value, const FieldDef& field) { return decode(ArgumentSource{value}, field); }

std::string quote(std::string_view identifier) {
  std::string quoted = "\"";
  quoted += identifier;
  quoted += '"';
  return quoted;
}

}  // namespace hotcrm::detail
