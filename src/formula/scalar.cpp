// Scalar semantics shared by the row and the batch evaluator: input normalization, implicit
// conversions, arithmetic, comparison and text conversion. The batch kernels for hot cases must
// agree with these; the golden tests check that they do.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "formula/internal.hpp"
#include "hotcrm/error.hpp"

namespace hotcrm::detail::formula {
namespace {

constexpr double micros_per_day = 86'400'000'000.0;
constexpr std::int32_t min_days = -719'162;   // 0001-01-01
constexpr std::int32_t max_days = 2'932'896;  // 9999-12-31

std::optional<double> parse_double(std::string_view text) {
  std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

Value normalize_number(const Value& input, Fault& fault) {
  switch (input.kind()) {
    case ValueKind::integer: return Value(static_cast<double>(input.as_int()));
    case ValueKind::real: return input;
    case ValueKind::decimal: return Value(input.as_decimal().to_double());
    case ValueKind::text:
      if (auto parsed = parse_double(input.as_string())) return Value(*parsed);
      break;
    default: break;
  }
  fault.raise(FormulaError::bad_input);
  return Value{};
}

Value normalize_decimal(const Value& input, Fault& fault) {
  std::optional<Decimal> decimal;
  switch (input.kind()) {
    case ValueKind::decimal: return input;
    case ValueKind::integer: decimal = Decimal::from_int(input.as_int()); break;
    case ValueKind::real: decimal = decimal_from_double(input.as_double()); break;
    case ValueKind::text: decimal = Decimal::try_parse(input.as_string()); break;
    default: break;
  }
  if (decimal) return Value(*decimal);
  fault.raise(FormulaError::bad_input);
  return Value{};
}

Value normalize_list(const Value& input, Fault& fault) {
  if (input.kind() == ValueKind::list) return input;
  if (input.kind() != ValueKind::text) {
    fault.raise(FormulaError::bad_input);
    return Value{};
  }
  StringList items;
  const std::string& text = input.as_string();
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t semicolon = std::min(text.find(';', start), text.size());
    items.push_back(text.substr(start, semicolon - start));
    start = semicolon + 1;
  }
  return Value(std::move(items));
}

bool in_date_range(std::int64_t days) { return days >= min_days && days <= max_days; }

Value decimal_arithmetic(Op op, const Decimal& a, const Decimal& b, Fault& fault) {
  try {
    switch (op) {
      case Op::add: return Value(a + b);
      case Op::subtract: return Value(a - b);
      case Op::multiply: return Value(a * b);
      case Op::divide: {
        if (b.units() == 0) {
          fault.raise(FormulaError::division_by_zero);
          return Value{};
        }
        // Ten digits more than the operands, capped at 18; fewer when the quotient is too big
        // for 64-bit units. Trailing zeros beyond the operands' scale are dropped.
        const int floor_scale = std::max(a.scale(), b.scale());
        for (int scale = std::min(Decimal::max_scale, floor_scale + 10); scale >= 0; --scale) {
          try {
            Decimal q = Decimal::divide(a, b, scale);
            while (q.scale() > floor_scale) {
              auto shorter = q.rescaled_exact(q.scale() - 1);
              if (!shorter) break;
              q = *shorter;
            }
            return Value(q);
          } catch (const Error&) {
          }
        }
        fault.raise(FormulaError::overflow);
        return Value{};
      }
      default: break;
    }
  } catch (const Error&) {
    fault.raise(FormulaError::overflow);
  }
  return Value{};
}

Value number_arithmetic(Op op, double a, double b, Fault& fault) {
  switch (op) {
    case Op::add: return number_result(a + b, fault);
    case Op::subtract: return number_result(a - b, fault);
    case Op::multiply: return number_result(a * b, fault);
    case Op::divide:
      if (b == 0.0) {
        fault.raise(FormulaError::division_by_zero);
        return Value{};
      }
      return number_result(a / b, fault);
    case Op::power: return number_result(std::pow(a, b), fault);
    default: return Value{};
  }
}

Value temporal_arithmetic(Op op, const Value& a, const Value& b, Fault& fault) {
  if (a.is<Date>() && b.is<Date>()) return Value(static_cast<double>(a.as_date().days - b.as_date().days));
  if (a.is<DateTime>() && b.is<DateTime>())
    return Value(static_cast<double>(a.as_datetime().micros - b.as_datetime().micros) / micros_per_day);
  const double amount = op == Op::subtract ? -b.as_double() : b.as_double();
  if (a.is<Date>()) {
    // Whole days only: the fraction of a day is dropped (toward zero), as Salesforce does.
    const double days = static_cast<double>(a.as_date().days) + std::trunc(amount);
    if (!in_date_range(static_cast<std::int64_t>(std::clamp(days, -1e9, 1e9)))) {
      fault.raise(FormulaError::invalid_date);
      return Value{};
    }
    return Value(Date{static_cast<std::int32_t>(days)});
  }
  const double micros = static_cast<double>(a.as_datetime().micros) + std::round(amount * micros_per_day);
  if (micros < min_days * micros_per_day || micros >= (max_days + 1.0) * micros_per_day) {
    fault.raise(FormulaError::invalid_date);
    return Value{};
  }
  return Value(DateTime{static_cast<std::int64_t>(micros)});
}

int three_way(const Value& a, const Value& b) {
  switch (a.kind()) {
    case ValueKind::real: {
      const double x = a.as_double(), y = b.as_double();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case ValueKind::decimal: {
      const auto order = a.as_decimal() <=> b.as_decimal();
      return order < 0 ? -1 : (order > 0 ? 1 : 0);
    }
    case ValueKind::text: return a.as_string().compare(b.as_string()) < 0 ? -1 : (a.as_string() == b.as_string() ? 0 : 1);
    case ValueKind::date: return a.as_date().days < b.as_date().days ? -1 : (a.as_date().days > b.as_date().days ? 1 : 0);
    case ValueKind::datetime: {
      const auto x = a.as_datetime().micros, y = b.as_datetime().micros;
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case ValueKind::boolean: return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    default: return a == b ? 0 : 1;
  }
}

std::string format_datetime(DateTime value) {
  std::int64_t fraction = value.micros % 1'000'000;  // TEXT shows whole seconds
  if (fraction < 0) fraction += 1'000'000;
  std::string iso = DateTime{value.micros - fraction}.to_string();
  // "YYYY-MM-DDTHH:MM:SSZ" -> Salesforce's TEXT(datetime) "YYYY-MM-DD HH:MM:SSZ"
  if (iso.size() > 10 && iso[10] == 'T') iso[10] = ' ';
  return iso;
}

}  // namespace

/// Plain decimal notation of the shortest round-trip digits: 1e20 -> "100000000000000000000",
/// 1e-7 -> "0.0000001" (never an exponent, never trailing zeros).
std::string format_number(double value) {
  if (value == 0.0) return "0";
  const std::string shortest = fmt::format("{}", value);
  const std::size_t e = shortest.find('e');
  if (e == std::string::npos) return shortest;
  const bool negative = shortest[0] == '-';
  const std::string mantissa = shortest.substr(negative ? 1 : 0, e - (negative ? 1 : 0));
  const int exponent = std::atoi(shortest.c_str() + e + 1);
  const std::size_t dot = mantissa.find('.');
  std::string digits = mantissa;
  if (dot != std::string::npos) digits.erase(dot, 1);
  // Position of the decimal point within `digits` after applying the exponent.
  const long point = static_cast<long>(dot == std::string::npos ? mantissa.size() : dot) + exponent;
  std::string out;
  if (point <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (static_cast<std::size_t>(point) >= digits.size()) {
    out = digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    out = digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
  }
  return negative ? "-" + out : out;
}

std::optional<Decimal> decimal_from_double(double value) noexcept {
  if (!std::isfinite(value)) return std::nullopt;
  try {
    return Decimal::try_parse(fmt::format("{}", value));
  } catch (...) {
    return std::nullopt;
  }
}

Value number_result(double value, Fault& fault) noexcept {
  if (std::isnan(value)) {
    fault.raise(FormulaError::invalid_argument);
    return Value{};
  }
  if (!std::isfinite(value)) {
    fault.raise(FormulaError::overflow);
    return Value{};
  }
  return Value(value == 0.0 ? 0.0 : value);  // no negative zero
}

Value normalize_input(const Value& input, FormulaType type, Fault& fault) {
  if (input.is_null()) return input;
  switch (type) {
    case FormulaType::boolean:
      if (input.kind() == ValueKind::boolean) return input;
      if (input.kind() == ValueKind::integer) return Value(input.as_int() != 0);
      if (input.kind() == ValueKind::text && (input.as_string() == "true" || input.as_string() == "false"))
        return Value(input.as_string() == "true");
      break;
    case FormulaType::number: return normalize_number(input, fault);
    case FormulaType::currency:
    case FormulaType::percent: return normalize_decimal(input, fault);
    case FormulaType::text:
    case FormulaType::picklist:
    case FormulaType::id:
      if (input.kind() == ValueKind::text) return input;
      if (input.kind() == ValueKind::id) return Value(input.as_string());
      break;
    case FormulaType::date:
      if (input.kind() == ValueKind::date) return input;
      if (input.kind() == ValueKind::text) {
        if (auto date = Date::try_parse(input.as_string())) return Value(*date);
      }
      break;
    case FormulaType::datetime:
      if (input.kind() == ValueKind::datetime) return input;
      if (input.kind() == ValueKind::date) return Value(DateTime::from_date(input.as_date()));
      if (input.kind() == ValueKind::text) {
        if (auto datetime = DateTime::try_parse(input.as_string())) return Value(*datetime);
        if (auto date = Date::try_parse(input.as_string())) return Value(DateTime::from_date(*date));
      }
      break;
    case FormulaType::multipicklist: return normalize_list(input, fault);
    case FormulaType::null: return Value{};
  }
  fault.raise(FormulaError::bad_input);
  return Value{};
}

Value read_field(const Value& input, FormulaType type, bool blank_as_zero, Fault& fault) {
  Value value = normalize_input(input, type, fault);
  if (!value.is_null()) return value;
  if (type == FormulaType::boolean) return Value(false);  // checkboxes are never blank
  if (!blank_as_zero || fault.error != FormulaError::none) return value;
  switch (type) {
    case FormulaType::number: return Value(0.0);
    case FormulaType::currency:
    case FormulaType::percent: return Value(Decimal::from_int(0));
    case FormulaType::text: return Value(std::string());
    default: return value;
  }
}

Value convert_value(const Value& value, FormulaType to, Fault& fault) {
  if (value.is_null()) return value;
  if ((to == FormulaType::currency || to == FormulaType::percent) && value.kind() == ValueKind::real) {
    if (auto decimal = decimal_from_double(value.as_double())) return Value(*decimal);
    fault.raise(FormulaError::overflow);
    return Value{};
  }
  if (to == FormulaType::number && value.kind() == ValueKind::decimal) return Value(value.as_decimal().to_double());
  return value;
}

Value arithmetic(Op op, const Value& a, const Value& b, Fault& fault) {
  if (a.is_null() || b.is_null()) return Value{};
  if (a.kind() == ValueKind::decimal && b.kind() == ValueKind::decimal)
    return decimal_arithmetic(op, a.as_decimal(), b.as_decimal(), fault);
  if (a.kind() == ValueKind::real && b.kind() == ValueKind::real)
    return number_arithmetic(op, a.as_double(), b.as_double(), fault);
  if (a.kind() == ValueKind::text && b.kind() == ValueKind::text) return concat(a, b, fault);
  return temporal_arithmetic(op, a, b, fault);
}

bool compare(Op op, FormulaType operand_type, const Value& a, const Value& b) noexcept {
  const bool textual = operand_type == FormulaType::text || operand_type == FormulaType::id ||
                       operand_type == FormulaType::picklist;
  int order = 0;
  if (textual) {
    // Text is never null in Salesforce formulas: a blank text field equals "".
    static const std::string empty;
    const std::string& x = a.is_null() ? empty : a.as_string();
    const std::string& y = b.is_null() ? empty : b.as_string();
    order = x.compare(y);
  } else {
    if (a.is_null() || b.is_null()) return false;
    order = three_way(a, b);
  }
  switch (op) {
    case Op::equal: return order == 0;
    case Op::not_equal: return order != 0;
    case Op::less: return order < 0;
    case Op::less_equal: return order <= 0;
    case Op::greater: return order > 0;
    default: return order >= 0;
  }
}

Value concat(const Value& a, const Value& b, Fault& fault) {
  static const std::string empty;
  const std::string& x = a.is_null() ? empty : a.as_string();
  const std::string& y = b.is_null() ? empty : b.as_string();
  if (x.size() + y.size() > max_text_length) {
    fault.raise(FormulaError::text_too_long);
    return Value{};
  }
  return Value(x + y);
}

Value negate(const Value& a, Fault& fault) {
  if (a.is_null()) return a;
  if (a.kind() == ValueKind::real) return Value(a.as_double() == 0.0 ? 0.0 : -a.as_double());
  try {
    return Value(-a.as_decimal());
  } catch (const Error&) {
    fault.raise(FormulaError::overflow);
    return Value{};
  }
}

bool is_blank(const Value& value) noexcept {
  if (value.is_null()) return true;
  if (value.kind() == ValueKind::text) return std::get<std::string>(value.storage()).empty();
  if (value.kind() == ValueKind::list) return std::get<StringList>(value.storage()).empty();
  return false;
}

bool truthy(const Value& value) noexcept {
  return value.kind() == ValueKind::boolean && std::get<bool>(value.storage());
}

std::string to_text(const Value& value) {
  switch (value.kind()) {
    case ValueKind::null: return {};
    case ValueKind::boolean: return value.as_bool() ? "true" : "false";
    case ValueKind::integer: return std::to_string(value.as_int());
    case ValueKind::real: return format_number(value.as_double());
    case ValueKind::decimal: return value.as_decimal().to_string();
    case ValueKind::text:
    case ValueKind::id: return value.as_string();
    case ValueKind::date: return value.as_date().to_string();
    case ValueKind::datetime: return format_datetime(value.as_datetime());
    case ValueKind::list: {
      std::string joined;
      for (const auto& item : value.as_list()) joined += (joined.empty() ? "" : ";") + item;
      return joined;
    }
  }
  return {};
}

}  // namespace hotcrm::detail::formula
