#include "store/codec.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "store/field_cipher.hpp"

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
  if (field.encrypted) return "BLOB";  // sealed values (store/field_cipher.hpp)
  switch (encoding_of(field)) {
    case Encoding::text:
    case Encoding::list: return "TEXT";
    case Encoding::real: return "REAL";
    default: return "INTEGER";
  }
}

namespace {
/// The plaintext of an encrypted field's value: what its column would hold unencrypted, as text
/// (integers in decimal, reals with round-trip precision, lists as JSON).
std::string plaintext_of(const FieldDef& field, const Value& value) {
  switch (encoding_of(field)) {
    case Encoding::text: return value.as_string();
    case Encoding::integer: return std::to_string(value.as_int());
    case Encoding::real: return fmt::format("{}", value.as_double());
    case Encoding::decimal: return std::to_string(value.as_decimal().rescaled(field.scale).units());
    case Encoding::boolean: return value.as_bool() ? "1" : "0";
    case Encoding::date: return std::to_string(value.as_date().days);
    case Encoding::datetime: return std::to_string(value.as_datetime().micros);
    case Encoding::list: return nlohmann::json(value.as_list()).dump();
  }
  return {};
}

const FieldCipher& cipher_of(const FieldCipher* cipher, const FieldDef& field) {
  if (cipher == nullptr)
    throw StoreError(ErrorCode::key, fmt::format("field '{}' is encrypted, but this connection has no cipher", field.name));
  return *cipher;
}
}  // namespace

std::string seal_value(const FieldCipher* cipher, const FieldDef& field, const Value& value) {
  return cipher_of(cipher, field).seal(field, plaintext_of(field, value));
}

void bind_value(Statement& statement, int index, const FieldDef& field, const Value& value, bool unowned) {
  if (value.is_null()) {
    statement.bind_null(index);
    return;
  }
  if (field.encrypted) {
    statement.bind_blob(index, seal_value(statement.cipher(), field, value));
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
  if (field.encrypted)  // SqlBuilder refuses these first; a filter never compares ciphertext
    throw UsageError(ErrorCode::not_supported, fmt::format("field '{}' is encrypted: SQL cannot compare it", field.name));
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

/// An opened (decrypted) value: the unencrypted column's content as text (see plaintext_of).
struct PlainSource {
  std::string_view plain;
  bool is_null() const { return false; }
  std::string_view text() const { return plain; }
  std::int64_t integer() const {
    std::int64_t number = 0;
    std::from_chars(plain.data(), plain.data() + plain.size(), number);
    return number;
  }
  double real() const { return std::strtod(std::string(plain).c_str(), nullptr); }
};

template <class Source>
Value decode_stored(const Source& source, const FieldDef& field, const FieldCipher* cipher) {
  if (!field.encrypted || source.is_null()) return decode(source, field);
  const std::string plain = cipher_of(cipher, field).open(field, source.blob());
  return decode(PlainSource{plain}, field);
}

struct ColumnSource {
  const Statement& statement;
  int column;
  bool is_null() const { return statement.column_is_null(column); }
  std::string_view text() const { return statement.column_text(column); }
  std::string_view blob() const { return statement.column_blob(column); }
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
  std::string_view blob() const {
    const auto* bytes = static_cast<const char*>(sqlite3_value_blob(value));
    return bytes ? std::string_view(bytes, static_cast<std::size_t>(sqlite3_value_bytes(value))) : std::string_view();
  }
  std::int64_t integer() const { return sqlite3_value_int64(value); }
  double real() const { return sqlite3_value_double(value); }
};
}  // namespace

Value read_value(const Statement& statement, int column, const FieldDef& field) {
  return decode_stored(ColumnSource{statement, column}, field, statement.cipher());
}

Value open_value(const FieldCipher* cipher, const FieldDef& field, std::string_view sealed) {
  const std::string plain = cipher_of(cipher, field).open(field, sealed);
  return decode(PlainSource{plain}, field);
}

Value read_value(sqlite3_value* value, const FieldDef& field, const FieldCipher* cipher) {
  return decode_stored(ArgumentSource{value}, field, cipher);
}

std::string quote(std::string_view identifier) {
  std::string quoted = "\"";
  quoted += identifier;
  quoted += '"';
  return quoted;
}

}  // namespace hotcrm::detail
