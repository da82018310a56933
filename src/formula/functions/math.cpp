// Math functions. Number arguments are doubles; currency/percent arguments are exact Decimals and
// keep their type (ROUND(amount, 1) is still currency). Rounding is half away from zero.
#include <algorithm>
#include <cmath>

#include "formula/internal.hpp"
#include "hotcrm/error.hpp"

namespace hotcrm::detail::formula {
namespace {

/// Digits argument of ROUND / TRUNC: whole, clamped to what a Decimal can express.
int digits_of(std::span<const Value> args, std::size_t index) {
  if (index >= args.size()) return 0;
  return static_cast<int>(std::clamp(std::trunc(args[index].as_double()), -18.0, 18.0));
}

std::int64_t power_of_ten(int exponent) {
  std::int64_t p = 1;
  for (int i = 0; i < exponent; ++i) p *= 10;
  return p;
}

enum class Rounding { half_away, toward_zero, away_from_zero };

std::int64_t divide_rounded(std::int64_t units, std::int64_t divisor, Rounding mode) {
  const std::int64_t quotient = units / divisor;
  const std::int64_t remainder = units % divisor;
  if (remainder == 0) return quotient;
  const std::int64_t step = units < 0 ? -1 : 1;
  switch (mode) {
    case Rounding::toward_zero: return quotient;
    case Rounding::away_from_zero: return quotient + step;
    case Rounding::half_away: {
      const std::int64_t twice = remainder < 0 ? -remainder : remainder;
      return twice >= divisor - twice ? quotient + step : quotient;
    }
  }
  return quotient;
}

/// Rounds an exact decimal to `digits` places (negative: tens, hundreds, ...).
Value round_decimal(const Decimal& value, int digits, Rounding mode, Fault& fault) {
  try {
    if (digits >= value.scale()) return Value(value);
    // One division, so ROUND(1249.5, -2) is 1200 (rounding twice would give 1300).
    const int tens = digits < 0 ? -digits : 0;
    const int dropped = value.scale() - std::max(digits, 0) + tens;
    if (dropped > 18) throw UsageError(ErrorCode::usage, "overflow");
    const std::int64_t units = divide_rounded(value.units(), power_of_ten(dropped), mode);
    if (digits >= 0) return Value(Decimal(units, digits));
    const std::int64_t unit = power_of_ten(tens);
    if (units > INT64_MAX / unit || units < INT64_MIN / unit) throw UsageError(ErrorCode::usage, "overflow");
    return Value(Decimal(units * unit, 0));
  } catch (const Error&) {
    fault.raise(FormulaError::overflow);
    return Value{};
  }
}

/// Rounds a double through its shortest decimal spelling, so ROUND(2.675, 2) is 2.68 as written.
Value round_number(double value, int digits, Rounding mode, Fault& fault) {
  const auto exact = decimal_from_double(value);
  if (!exact) return number_result(value, fault);  // beyond 64-bit units: already whole
  const Value rounded = round_decimal(*exact, digits, mode, fault);
  if (rounded.is_null()) return rounded;
  return number_result(rounded.as_decimal().to_double(), fault);
}

Value round_value(const Value& value, int digits, Rounding mode, Fault& fault) {
  if (value.kind() == ValueKind::decimal) return round_decimal(value.as_decimal(), digits, mode, fault);
  return round_number(value.as_double(), digits, mode, fault);
}

Value abs_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  if (args[0].kind() == ValueKind::real) return Value(std::fabs(args[0].as_double()));
  const Decimal& d = args[0].as_decimal();
  return d.units() < 0 ? negate(args[0], site.fault) : args[0];
}

Value round_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  return round_value(args[0], digits_of(args, 1), Rounding::half_away, site.fault);
}

Value trunc_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  return round_value(args[0], digits_of(args, 1), Rounding::toward_zero, site.fault);
}

/// CEILING rounds away from zero and FLOOR toward zero, as Salesforce documents them
/// (CEILING(-2.5) = -3, FLOOR(-2.5) = -2).
Value ceiling_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  return round_value(args[0], 0, Rounding::away_from_zero, site.fault);
}
Value floor_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  return round_value(args[0], 0, Rounding::toward_zero, site.fault);
}

Value extreme(std::span<const Value> args, bool want_max) {
  if (any_null(args)) return Value{};
  Value best = args[0];
  for (std::size_t i = 1; i < args.size(); ++i) {
    const bool greater = compare(Op::greater, FormulaType::number, args[i], best);
    if (greater == want_max && !compare(Op::equal, FormulaType::number, args[i], best)) best = args[i];
  }
  return best;
}
Value max_fn(std::span<const Value> args, CallSite&) { return extreme(args, true); }
Value min_fn(std::span<const Value> args, CallSite&) { return extreme(args, false); }

/// MOD keeps the sign of the dividend (MOD(-7, 3) = -1).
Value mod_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  if (args[0].kind() == ValueKind::real) {
    if (args[1].as_double() == 0.0) {
      site.fault.raise(FormulaError::division_by_zero);
      return Value{};
    }
    return number_result(std::fmod(args[0].as_double(), args[1].as_double()), site.fault);
  }
  const Decimal& a = args[0].as_decimal();
  const Decimal& b = args[1].as_decimal();
  if (b.units() == 0) {
    site.fault.raise(FormulaError::division_by_zero);
    return Value{};
  }
  const int scale = std::max(a.scale(), b.scale());
  const auto x = a.rescaled_exact(scale), y = b.rescaled_exact(scale);
  if (!x || !y) {
    site.fault.raise(FormulaError::overflow);
    return Value{};
  }
  if (y->units() == -1) return Value(Decimal(0, scale));  // INT64_MIN % -1 would overflow
  return Value(Decimal(x->units() % y->units(), scale));
}

Value sqrt_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  return number_result(std::sqrt(args[0].as_double()), site.fault);
}
Value exp_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  return number_result(std::exp(args[0].as_double()), site.fault);
}
Value logarithm(std::span<const Value> args, CallSite& site, double (*log_fn)(double)) {
  if (any_null(args)) return Value{};
  if (args[0].as_double() <= 0.0) {
    site.fault.raise(FormulaError::invalid_argument);
    return Value{};
  }
  return number_result(log_fn(args[0].as_double()), site.fault);
}
Value ln_fn(std::span<const Value> args, CallSite& site) { return logarithm(args, site, [](double x) { return std::log(x); }); }
Value log_fn(std::span<const Value> args, CallSite& site) { return logarithm(args, site, [](double x) { return std::log10(x); }); }
Value power_fn(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  return number_result(std::pow(args[0].as_double(), args[1].as_double()), site.fault);
}

}  // namespace

void add_math_functions(std::vector<FunctionInfo>& out) {
  out.insert(out.end(), {
      {"ABS", FunctionId::abs, 1, 1, abs_fn},
      {"ROUND", FunctionId::round, 2, 2, round_fn},
      {"CEILING", FunctionId::ceiling, 1, 1, ceiling_fn},
      {"FLOOR", FunctionId::floor, 1, 1, floor_fn},
      {"TRUNC", FunctionId::trunc, 1, 2, trunc_fn},
      {"MAX", FunctionId::max, 1, -1, max_fn},
      {"MIN", FunctionId::min, 1, -1, min_fn},
      {"MOD", FunctionId::mod, 2, 2, mod_fn},
      {"SQRT", FunctionId::sqrt, 1, 1, sqrt_fn},
      {"POWER", FunctionId::power, 2, 2, power_fn},
      {"EXP", FunctionId::exp, 1, 1, exp_fn},
      {"LN", FunctionId::ln, 1, 1, ln_fn},
      {"LOG", FunctionId::log, 1, 1, log_fn},
  });
}

}  // namespace hotcrm::detail::formula
