// Value: typed access, display text and JSON conversion of the dynamically typed value.
// Decimal lives in decimal.cpp, Date and DateTime in calendar.cpp.

#include "hotcrm/value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "hotcrm/error.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

[[noreturn]] void throw_wrong_kind(std::string_view expected, ValueKind actual) {
  throw UsageError(ErrorCode::usage, fmt::format("expected {}, got {}", expected, to_string(actual)));
}

template <class T>
const T& get_or_throw(const Value::Storage& storage, std::string_view expected, ValueKind actual) {
  if (const T* held = std::get_if<T>(&storage)) return *held;
  throw_wrong_kind(expected, actual);
}

std::string join_with_semicolons(const StringList& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) text += ';';
    text += items[i];
  }
  return text;
}

nlohmann::json to_json_tree(const Value::Storage& storage) {
  return std::visit(Overloaded{
                        [](std::monostate) { return nlohmann::json(nullptr); },
                        [](bool v) { return nlohmann::json(v); },
                        [](std::int64_t v) { return nlohmann::json(v); },
                        // nlohmann prints the shortest round-trip form, keeps ".0" on integral
                        // values (so they read back as real) and writes NaN/inf as null.
                        [](double v) { return nlohmann::json(v); },
                        // Decimals travel as strings: a JSON number would be read back as a double.
                        [](const Decimal& v) { return nlohmann::json(v.to_string()); },
                        [](const std::string& v) { return nlohmann::json(v); },
                        [](Date v) { return nlohmann::json(v.to_string()); },
                        [](DateTime v) { return nlohmann::json(v.to_string()); },
                        [](const RecordId& v) { return nlohmann::json(v.value); },
                        [](const StringList& v) { return nlohmann::json(v); },
                    },
                    storage);
}

/// "parse error at line 1, column 3: syntax error ..." -> "syntax error ...": keeps the reason
/// from nlohmann's message but drops its own location prefix, which we report ourselves.
std::string_view parse_error_reason(std::string_view message) {
  const auto column = message.find("column ");
  const auto separator = message.find(": ", column == std::string_view::npos ? 0 : column);
  return separator == std::string_view::npos ? message : message.substr(separator + 2);
}

[[noreturn]] void throw_malformed_json(std::string_view json, const nlohmann::json::parse_error& error) {
  // error.byte is 1-based and points at the last character read.
  const std::size_t end = std::min<std::size_t>(error.byte == 0 ? 0 : error.byte - 1, json.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < end; ++i) {
    if (json[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  const std::size_t column = end - line_start + 1;
  throw Error(ErrorCode::parse,
              fmt::format("malformed JSON at line {}, column {}: {}", line, column, parse_error_reason(error.what())));
}

std::string_view trim_json_whitespace(std::string_view json) {
  constexpr std::string_view whitespace = " \t\r\n";
  const auto first = json.find_first_not_of(whitespace);
  if (first == std::string_view::npos) return {};
  return json.substr(first, json.find_last_not_of(whitespace) - first + 1);
}

bool looks_like_integer_literal(std::string_view json) {
  return json.find_first_of(".eE") == std::string_view::npos;
}

[[noreturn]] void throw_integer_out_of_range(std::string_view json) {
  throw Error(ErrorCode::parse,
              fmt::format("JSON integer {} does not fit in a signed 64-bit integer", trim_json_whitespace(json)));
}

StringList string_list_from(const nlohmann::json& array) {
  StringList items;
  items.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string()) {
      throw Error(ErrorCode::parse, fmt::format("JSON array element {} is {}; only arrays of strings are supported", i,
                                                array[i].type_name()));
    }
    items.push_back(array[i].get<std::string>());
  }
  return items;
}

}  // namespace

// ---- Typed access ----------------------------------------------------------------------------

bool Value::as_bool() const { return get_or_throw<bool>(data_, "boolean", kind()); }
std::int64_t Value::as_int() const { return get_or_throw<std::int64_t>(data_, "integer", kind()); }
const Decimal& Value::as_decimal() const { return get_or_throw<Decimal>(data_, "decimal", kind()); }
Date Value::as_date() const { return get_or_throw<Date>(data_, "date", kind()); }
DateTime Value::as_datetime() const { return get_or_throw<DateTime>(data_, "datetime", kind()); }
const StringList& Value::as_list() const { return get_or_throw<StringList>(data_, "list", kind()); }

double Value::as_double() const {
  if (const auto* real = std::get_if<double>(&data_)) return *real;
  if (const auto* integer = std::get_if<std::int64_t>(&data_)) return static_cast<double>(*integer);
  if (const auto* decimal = std::get_if<Decimal>(&data_)) return decimal->to_double();
  throw_wrong_kind("integer, real or decimal", kind());
}

const std::string& Value::as_string() const {
  if (const auto* text = std::get_if<std::string>(&data_)) return *text;
  if (const auto* id = std::get_if<RecordId>(&data_)) return id->value;
  throw_wrong_kind("text or id", kind());
}

// ---- Text and JSON ---------------------------------------------------------------------------

std::string Value::to_display() const {
  return std::visit(Overloaded{
                        [](std::monostate) { return std::string(); },
                        [](bool v) { return std::string(v ? "true" : "false"); },
                        [](std::int64_t v) { return fmt::format("{}", v); },
                        [](double v) { return fmt::format("{}", v); },  // shortest round-trip form
                        [](const Decimal& v) { return v.to_string(); },
                        [](const std::string& v) { return v; },
                        [](Date v) { return v.to_string(); },
                        [](DateTime v) { return v.to_string(); },
                        [](const RecordId& v) { return v.value; },
                        [](const StringList& v) { return join_with_semicolons(v); },
                    },
                    data_);
}

std::string Value::to_json() const {
  // Invalid UTF-8 in a text becomes U+FFFD instead of an exception: serializing must not fail.
  return to_json_tree(data_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Value Value::from_json(std::string_view json) {
  nlohmann::json tree;
  try {
    tree = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::parse_error& error) {
    throw_malformed_json(json, error);
  } catch (const nlohmann::json::exception& error) {
    // Well-formed but unrepresentable, e.g. 1e400 overflows a double (out_of_range.406).
    throw Error(ErrorCode::parse, fmt::format("unsupported JSON: {}", error.what()));
  }
  switch (tree.type()) {
    case nlohmann::json::value_t::null: return Value();
    case nlohmann::json::value_t::boolean: return Value(tree.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(tree.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto number = tree.get<std::uint64_t>();
      if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw_integer_out_of_range(json);
      }
      return Value(static_cast<std::int64_t>(number));
    }
    case nlohmann::json::value_t::number_float:
      // nlohmann reads integers beyond 64 bits as floats; silently turning an id-like number
      // into an approximate real would lose data, so they are refused like other overflows.
      if (looks_like_integer_literal(json)) throw_integer_out_of_range(json);
      return Value(tree.get<double>());
    case nlohmann::json::value_t::string: return Value(tree.get<std::string>());
    case nlohmann::json::value_t::array: return Value(string_list_from(tree));
    default:
      throw Error(ErrorCode::parse,
                  fmt::format("JSON {} cannot be converted to a value; expected a scalar or an array of strings",
                              tree.type_name()));
  }
}

std::string_view to_string(ValueKind kind) noexcept {
  switch (kind) {
    case ValueKind::null: return "null";
    case ValueKind::boolean: return "boolean";
    case ValueKind::integer: return "integer";
    case ValueKind::real: return "real";
    case ValueKind::decimal: return "decimal";
    case ValueKind::text: return "text";
    case ValueKind::date: return "date";
    case ValueKind::datetime: return "datetime";
    case ValueKind::id: return "id";
    case ValueKind::list: return "list";
  }
  return "unknown";
}

}  // namespace v0
}  // namespace hotcrm
