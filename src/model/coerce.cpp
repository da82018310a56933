#include "model/coerce.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "hotcrm/error.hpp"

namespace hotcrm::detail {

namespace {

std::optional<CoerceFailure> fail(std::string code, std::string message) {
  return CoerceFailure{std::move(code), std::move(message)};
}

std::optional<CoerceFailure> wrong_kind(const FieldDef& field, const Value& input) {
  return fail("type", fmt::format("expected a {} value, got {} {}", to_string(field.type),
                                  to_string(input.kind()), input.to_json()));
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Doubles become decimals through their shortest round-trip text, so 0.1 means 0.1.
std::optional<Decimal> decimal_from(const Value& input) {
  switch (input.kind()) {
    case ValueKind::integer: return Decimal::from_int(input.as_int());
    case ValueKind::decimal: return input.as_decimal();
    case ValueKind::real: {
      double v = input.as_double();
      if (!std::isfinite(v)) return std::nullopt;
      return Decimal::try_parse(fmt::format("{}", v));
    }
    case ValueKind::text: return Decimal::try_parse(input.as_string());
    default: return std::nullopt;
  }
}

int digit_count(std::int64_t units) {
  std::uint64_t magnitude = units < 0 ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
  int digits = 1;
  while (magnitude >= 10) {
    magnitude /= 10;
    ++digits;
  }
  return digits;
}

/// `shown` renders the value for the message; it is called only when a bound fails (rendering every
/// value of a bulk import cost more than checking it).
template <class Shown>
std::optional<CoerceFailure> check_bounds(const FieldDef& field, double value, Shown&& shown) {
  if (field.min && value < *field.min) return fail("min", fmt::format("{} is below the minimum {}", shown(), *field.min));
  if (field.max && value > *field.max) return fail("max", fmt::format("{} is above the maximum {}", shown(), *field.max));
  return std::nullopt;
}

std::optional<CoerceFailure> coerce_text(const FieldDef& field, const Value& input, Value& output) {
  std::string text;
  switch (input.kind()) {
    case ValueKind::text:
    case ValueKind::id: text = input.as_string(); break;
    case ValueKind::integer:
    case ValueKind::decimal: text = input.to_display(); break;
    default: return wrong_kind(field, input);
  }
  if (field.max_length && utf8_length(text) > static_cast<std::size_t>(*field.max_length))
    return fail("max_length", fmt::format("{} characters exceed the maximum length {}", utf8_length(text), *field.max_length));
  if (!text.empty()) {
    if (field.type == FieldType::email && !is_valid_email(text))
      return fail("format", fmt::format("'{}' is not a valid e-mail address", text));
    if (field.type == FieldType::url && !is_valid_url(text))
      return fail("format", fmt::format("'{}' is not a valid URL", text));
    if (field.type == FieldType::phone && !is_valid_phone(text))
      return fail("format", fmt::format("'{}' is not a valid phone number", text));
  }
  output = std::move(text);
  return std::nullopt;
}

std::string option_list(const FieldDef& field) {
  std::string list;
  for (std::size_t i = 0; i < field.options.size(); ++i) {
    if (i == 8) return list + ", ...";
    list += (i ? ", " : "") + field.options[i].value;
  }
  return list;
}

std::optional<CoerceFailure> coerce_select(const FieldDef& field, const Value& input, Value& output) {
  if (input.kind() != ValueKind::text) return wrong_kind(field, input);
  const auto& text = input.as_string();
  if (!field.find_option(text))
    return fail("picklist", fmt::format("'{}' is not one of the options ({})", text, option_list(field)));
  output = text;
  return std::nullopt;
}

std::optional<CoerceFailure> coerce_multiselect(const FieldDef& field, const Value& input, Value& output) {
  StringList items;
  if (input.kind() == ValueKind::list) {
    items = input.as_list();
  } else if (input.kind() == ValueKind::text) {
    // Salesforce's text form of a multi-select: values separated by ';'.
    std::string_view rest = input.as_string();
    while (!rest.empty()) {
      auto cut = rest.find(';');
      auto item = rest.substr(0, cut);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) items.emplace_back(item);
      if (cut == std::string_view::npos) break;
      rest.remove_prefix(cut + 1);
    }
  } else {
    return wrong_kind(field, input);
  }
  StringList unique_items;
  for (auto& item : items) {
    if (!field.find_option(item))
      return fail("picklist", fmt::format("'{}' is not one of the options ({})", item, option_list(field)));
    if (std::find(unique_items.begin(), unique_items.end(), item) == unique_items.end())
      unique_items.push_back(std::move(item));
  }
  output = std::move(unique_items);
  return std::nullopt;
}

std::optional<CoerceFailure> coerce_integer(const FieldDef& field, const Value& input, Value& output) {
  std::optional<std::int64_t> value;
  switch (input.kind()) {
    case ValueKind::integer: value = input.as_int(); break;
    case ValueKind::real: {
      double v = input.as_double();
      if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9.2e18) value = static_cast<std::int64_t>(v);
      break;
    }
    case ValueKind::decimal:
    case ValueKind::text: {
      if (input.kind() == ValueKind::text) value = parse_int(input.as_string());
      if (!value) {
        auto decimal = decimal_from(input);
        if (decimal) {
          if (auto whole = decimal->rescaled_exact(0)) value = whole->units();
        }
      }
      break;
    }
    default: return wrong_kind(field, input);
  }
  if (!value) return fail("type", fmt::format("expected a whole number, got {}", input.to_json()));
  if (field.precision && digit_count(*value) > *field.precision)
    return fail("precision", fmt::format("{} has more than {} digits", *value, *field.precision));
  if (auto bound = check_bounds(field, static_cast<double>(*value), [&] { return std::to_string(*value); })) return bound;
  output = *value;
  return std::nullopt;
}

std::optional<CoerceFailure> coerce_real(const FieldDef& field, const Value& input, Value& output) {
  std::optional<double> value;
  switch (input.kind()) {
    case ValueKind::integer:
    case ValueKind::real:
    case ValueKind::decimal: value = input.as_double(); break;
    case ValueKind::text: value = parse_double(input.as_string()); break;
    default: return wrong_kind(field, input);
  }
  if (!value || !std::isfinite(*value)) return fail("type", fmt::format("expected a number, got {}", input.to_json()));
  // Stored rounded to the field's scale so that reads return what a user sees.
  double factor = std::pow(10.0, field.scale);
  double rounded = std::round(*value * factor) / factor;
  if (auto bound = check_bounds(field, rounded, [&] { return fmt::format("{}", rounded); })) return bound;
  output = rounded;
  return std::nullopt;
}

std::optional<CoerceFailure> coerce_decimal(const FieldDef& field, const Value& input, Value& output) {
  if (input.kind() != ValueKind::integer && input.kind() != ValueKind::real && input.kind() != ValueKind::decimal &&
      input.kind() != ValueKind::text)
    return wrong_kind(field, input);
  auto decimal = decimal_from(input);
  if (!decimal) return fail("type", fmt::format("expected a decimal number, got {}", input.to_json()));
  auto exact = decimal->rescaled_exact(field.scale);
  if (!exact)
    return fail("scale", fmt::format("{} has more than {} digits after the point", decimal->to_string(), field.scale));
  int precision = field.precision.value_or(18);
  if (digit_count(exact->units()) > precision)
    return fail("precision", fmt::format("{} has more than {} significant digits", exact->to_string(), precision));
  if (auto bound = check_bounds(field, exact->to_double(), [&] { return exact->to_string(); })) return bound;
  output = *exact;
  return std::nullopt;
}

std::optional<CoerceFailure> coerce_boolean(const FieldDef& field, const Value& input, Value& output) {
  switch (input.kind()) {
    case ValueKind::boolean: output = input.as_bool(); return std::nullopt;
    case ValueKind::integer:
      if (input.as_int() == 0 || input.as_int() == 1) {
        output = input.as_int() == 1;
        return std::nullopt;
      }
      break;
    case ValueKind::text: {
      auto text = lowercase(input.as_string());
      if (text == "true" || text == "1" || text == "yes") { output = true; return std::nullopt; }
      if (text == "false" || text == "0" || text == "no") { output = false; return std::nullopt; }
      break;
    }
    default: return wrong_kind(field, input);
  }
  return fail("type", fmt::format("expected true or false, got {}", input.to_json()));
}

std::optional<CoerceFailure> coerce_date(const FieldDef& field, const Value& input, Value& output) {
  switch (input.kind()) {
    case ValueKind::date: output = input.as_date(); return std::nullopt;
    case ValueKind::datetime:
      // pandas and numpy deliver dates as midnight datetimes; any other time of day is not a date.
      if (DateTime::from_date(input.as_datetime().date()) == input.as_datetime()) {
        output = input.as_datetime().date();
        return std::nullopt;
      }
      return fail("type", fmt::format("{} is not a date (it has a time of day)", input.to_display()));
    case ValueKind::text:
      if (auto date = Date::try_parse(input.as_string())) { output = *date; return std::nullopt; }
      return fail("type", fmt::format("'{}' is not a date (expected YYYY-MM-DD)", input.as_string()));
    default: return wrong_kind(field, input);
  }
}

std::optional<CoerceFailure> coerce_datetime(const FieldDef& field, const Value& input, Value& output) {
  switch (input.kind()) {
    case ValueKind::datetime: output = input.as_datetime(); return std::nullopt;
    case ValueKind::date: output = DateTime::from_date(input.as_date()); return std::nullopt;
    case ValueKind::text:
      if (auto at = DateTime::try_parse(input.as_string())) { output = *at; return std::nullopt; }
      if (auto date = Date::try_parse(input.as_string())) { output = DateTime::from_date(*date); return std::nullopt; }
      return fail("type", fmt::format("'{}' is not a date-time (expected YYYY-MM-DDTHH:MM:SSZ)", input.as_string()));
    default: return wrong_kind(field, input);
  }
}

std::optional<CoerceFailure> coerce_reference(const FieldDef& field, const Value& input, Value& output) {
  if (input.kind() != ValueKind::text && input.kind() != ValueKind::id) return wrong_kind(field, input);
  if (input.as_string().empty()) return fail("type", "an empty string is not a record id");
  output = input.as_string();
  return std::nullopt;
}

}  // namespace

std::optional<CoerceFailure> coerce_value(const FieldDef& field, const Value& input, Value& output) {
  if (input.is_null()) {
    output = Value{};
    return std::nullopt;
  }
  switch (field.type) {
    case FieldType::text:
    case FieldType::textarea:
    case FieldType::email:
    case FieldType::phone:
    case FieldType::url:
    case FieldType::autonumber: return coerce_text(field, input, output);
    case FieldType::select: return coerce_select(field, input, output);
    case FieldType::multiselect: return coerce_multiselect(field, input, output);
    case FieldType::number:
      return field.is_integer() ? coerce_integer(field, input, output) : coerce_real(field, input, output);
    case FieldType::currency:
    case FieldType::percent: return coerce_decimal(field, input, output);
    case FieldType::boolean: return coerce_boolean(field, input, output);
    case FieldType::date: return coerce_date(field, input, output);
    case FieldType::datetime: return coerce_datetime(field, input, output);
    case FieldType::lookup:
    case FieldType::master_detail: return coerce_reference(field, input, output);
    case FieldType::formula: return fail("read_only", "formula fields are computed and cannot be written");
  }
  return wrong_kind(field, input);
}

std::size_t utf8_length(std::string_view text) noexcept {
  std::size_t count = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++count;
  return count;
}

bool is_valid_email(std::string_view text) noexcept {
  if (text.size() > 254) return false;
  auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) return false;
  auto local = text.substr(0, at);
  auto domain = text.substr(at + 1);
  if (local.size() > 64 || domain.size() < 3) return false;
  auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  if (domain.find("..") != std::string_view::npos || local.find("..") != std::string_view::npos) return false;
  if (local.front() == '.' || local.back() == '.' || domain.front() == '-' || domain.front() == '.') return false;
  for (unsigned char c : local)
    if (c <= ' ' || c == '(' || c == ')' || c == ',' || c == ':' || c == ';' || c == '<' || c == '>' || c == '[' ||
        c == ']' || c == '\\' || c == '"')
      return false;
  for (unsigned char c : domain)
    if (!(std::isalnum(c) || c == '-' || c == '.' || c >= 0x80)) return false;
  return true;
}

bool is_valid_url(std::string_view text) noexcept {
  if (text.size() > 2048) return false;
  for (unsigned char c : text)
    if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\') return false;
  auto scheme_end = text.find("://");
  std::string_view rest = text;
  if (scheme_end != std::string_view::npos) {
    auto scheme = text.substr(0, scheme_end);
    if (scheme.empty() || !std::isalpha(static_cast<unsigned char>(scheme[0]))) return false;
    for (unsigned char c : scheme)
      if (!(std::isalnum(c) || c == '+' || c == '-' || c == '.')) return false;
    rest = text.substr(scheme_end + 3);
  }
  auto host = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  if (auto colon = host.rfind(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  if (host.empty()) return false;
  return host == "localhost" || host.find('.') != std::string_view::npos;
}

bool is_valid_phone(std::string_view text) noexcept {
  if (text.size() > 40) return false;
  int digits = 0;
  for (unsigned char c : text) {
    if (std::isdigit(c)) ++digits;
    else if (!(c == ' ' || c == '+' || c == '(' || c == ')' || c == '-' || c == '.' || c == '/' || c == 'x' ||
               c == 'X'))
      return false;
  }
  return digits >= 3;
}

std::optional<std::string> autonumber_format_problem(std::string_view format) {
  int counters = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '}') return "unmatched '}' at position " + std::to_string(i + 1);
    if (format[i] != '{') continue;
    auto close = format.find('}', i);
    if (close == std::string_view::npos) return "unclosed '{' at position " + std::to_string(i + 1);
    auto token = format.substr(i + 1, close - i - 1);
    bool zeros = !token.empty() && token.size() <= 10 && token.find_first_not_of('0') == std::string_view::npos;
    if (zeros) ++counters;
    else if (token != "YYYY" && token != "YY" && token != "MM" && token != "DD")
      return "unknown token {" + std::string(token) + "} (expected {YYYY}, {YY}, {MM}, {DD} or {0000})";
    i = close;
  }
  if (counters != 1) return "needs exactly one counter token such as {0000}";
  return std::nullopt;
}

std::string render_autonumber(std::string_view format, std::int64_t counter, Date date) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '{') {
      out += format[i];
      continue;
    }
    auto close = format.find('}', i);
    auto token = format.substr(i + 1, close - i - 1);
    if (token == "YYYY") out += fmt::format("{:04d}", date.year());
    else if (token == "YY") out += fmt::format("{:02d}", date.year() % 100);
    else if (token == "MM") out += fmt::format("{:02d}", date.month());
    else if (token == "DD") out += fmt::format("{:02d}", date.day());
    else out += fmt::format("{:0{}d}", counter, token.size());
    i = close;
  }
  return out;
}

}  // namespace hotcrm::detail
