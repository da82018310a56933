// Decimal: exact fixed-point arithmetic on 64-bit units.
// Every intermediate result is computed in 128 bits, so an operation either yields the exact
// (or correctly rounded) answer or reports overflow; it never wraps silently.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hotcrm/error.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

// __int128 is a GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef __int128 Wide;
__extension__ typedef unsigned __int128 WideMagnitude;

// The largest power of ten used: a product of two scale-18 units has 36 digits after the point.
constexpr int max_power_of_ten = 38;

constexpr std::array<WideMagnitude, max_power_of_ten + 1> make_powers_of_ten() {
  std::array<WideMagnitude, max_power_of_ten + 1> powers{};
  powers[0] = 1;
  for (std::size_t i = 1; i < powers.size(); ++i) powers[i] = powers[i - 1] * 10;
  return powers;
}
constexpr auto powers_of_ten = make_powers_of_ten();

Wide power_of_ten(int exponent) { return static_cast<Wide>(powers_of_ten[static_cast<std::size_t>(exponent)]); }

// 2^63: the magnitude of INT64_MIN, one more than the magnitude of INT64_MAX.
constexpr WideMagnitude int64_min_magnitude = WideMagnitude{1} << 63;

WideMagnitude magnitude_of(Wide value) {
  return value < 0 ? WideMagnitude{0} - static_cast<WideMagnitude>(value) : static_cast<WideMagnitude>(value);
}

bool fits_in_units(Wide value) { return value >= INT64_MIN && value <= INT64_MAX; }

/// Signed units from a sign and a magnitude, or nullopt when the value leaves the int64 range.
std::optional<std::int64_t> units_from(bool negative, WideMagnitude magnitude) {
  const WideMagnitude limit = negative ? int64_min_magnitude : int64_min_magnitude - 1;
  if (magnitude > limit) return std::nullopt;
  const Wide magnitude_signed = static_cast<Wide>(magnitude);
  return static_cast<std::int64_t>(negative ? -magnitude_signed : magnitude_signed);
}

bool is_valid_scale(int scale) { return scale >= 0 && scale <= Decimal::max_scale; }

void require_valid_scale(int scale) {
  if (!is_valid_scale(scale)) {
    throw UsageError(ErrorCode::usage,
                     fmt::format("decimal scale {} is outside the supported range 0..{}", scale, Decimal::max_scale));
  }
}

/// round(numerator * 10^extra_digits / denominator), half away from zero, on magnitudes.
/// Long division one digit at a time keeps every step inside 128 bits even when
/// numerator * 10^extra_digits would not fit. Gives up (nullopt) while appending digits once the
/// quotient exceeds 2^64, which no caller could use anyway.
std::optional<WideMagnitude> divide_rounded(WideMagnitude numerator, WideMagnitude denominator, int extra_digits) {
  constexpr WideMagnitude useless_quotient = WideMagnitude{1} << 64;
  WideMagnitude quotient = numerator / denominator;
  WideMagnitude remainder = numerator % denominator;
  for (int digit = 0; digit < extra_digits; ++digit) {
    if (quotient > useless_quotient) return std::nullopt;
    // remainder < denominator <= 2^124, so remainder * 10 still fits.
    const WideMagnitude shifted = remainder * 10;
    quotient = quotient * 10 + shifted / denominator;
    remainder = shifted % denominator;
  }
  // Half away from zero on a magnitude: round up when the remainder is at least half the divisor.
  if (remainder >= denominator - remainder) ++quotient;
  return quotient;
}

/// Signed version of divide_rounded with no extra digits; the divisor is a positive power of ten.
Wide divide_by_power_of_ten_rounded(Wide value, int exponent) {
  const auto quotient = divide_rounded(magnitude_of(value), magnitude_of(power_of_ten(exponent)), 0);
  // Without extra digits divide_rounded never gives up, so the quotient always exists.
  const Wide magnitude = static_cast<Wide>(*quotient);
  return value < 0 ? -magnitude : magnitude;
}

/// The value's units expressed at a larger (or equal) scale; exact, fits in 128 bits.
Wide units_at_scale(const Decimal& value, int scale) {
  return static_cast<Wide>(value.units()) * power_of_ten(scale - value.scale());
}

[[noreturn]] void throw_overflow(std::string_view what) {
  throw UsageError(ErrorCode::usage, fmt::format("decimal overflow: {} does not fit in 64-bit units", what));
}

[[noreturn]] void throw_operation_overflow(const Decimal& a, std::string_view operation, const Decimal& b) {
  throw_overflow(fmt::format("{} {} {}", a.to_string(), operation, b.to_string()));
}

// ---- Text scanning -------------------------------------------------------------------------

/// A syntactically valid decimal literal: (integer_digits "." fraction_digits) * 10^exponent.
/// The digits stay views into the input, so scanning never allocates.
struct DecimalLiteral {
  bool negative = false;
  std::string_view integer_digits;
  std::string_view fraction_digits;
  std::int64_t exponent = 0;

  std::size_t digit_count() const { return integer_digits.size() + fraction_digits.size(); }
  int digit(std::size_t index) const {
    const char c = index < integer_digits.size() ? integer_digits[index]
                                                 : fraction_digits[index - integer_digits.size()];
    return c - '0';
  }
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view take_digits(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  return text.substr(start, pos - start);
}

bool take_sign(std::string_view text, std::size_t& pos) {
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) return text[pos++] == '-';
  return false;
}

/// Exponents beyond this are clamped: they overflow or vanish either way, and clamping keeps
/// the scale arithmetic below far from int64 limits.
constexpr std::int64_t exponent_clamp = 1'000'000'000;

std::int64_t clamped_exponent(bool negative, std::string_view digits) {
  std::int64_t exponent = 0;
  for (const char c : digits) {
    exponent = exponent * 10 + (c - '0');
    if (exponent > exponent_clamp) {
      exponent = exponent_clamp;
      break;
    }
  }
  return negative ? -exponent : exponent;
}

/// Grammar: [+-] digits [. digits] [(e|E) [+-] digits], with at least one mantissa digit.
/// ".5" and "5." are accepted (as strtod does); whitespace, "inf", "nan" and hex are not.
std::optional<DecimalLiteral> scan_literal(std::string_view text) {
  DecimalLiteral literal;
  std::size_t pos = 0;
  literal.negative = take_sign(text, pos);
  literal.integer_digits = take_digits(text, pos);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    literal.fraction_digits = take_digits(text, pos);
  }
  if (literal.digit_count() == 0) return std::nullopt;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    const bool exponent_negative = take_sign(text, pos);
    const std::string_view exponent_digits = take_digits(text, pos);
    if (exponent_digits.empty()) return std::nullopt;
    literal.exponent = clamped_exponent(exponent_negative, exponent_digits);
  }
  if (pos != text.size()) return std::nullopt;
  return literal;
}

struct RoundedUnits {
  std::optional<std::int64_t> units;  ///< nullopt on overflow
  bool exact = true;                  ///< false when a nonzero digit was dropped
};

/// The first `count` digits read as an integer, or nullopt once it exceeds every int64 magnitude.
std::optional<WideMagnitude> leading_digits_value(const DecimalLiteral& literal, std::int64_t count) {
  WideMagnitude magnitude = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    magnitude = magnitude * 10 + static_cast<WideMagnitude>(literal.digit(static_cast<std::size_t>(i)));
    if (magnitude > int64_min_magnitude) return std::nullopt;  // more digits only make it larger
  }
  return magnitude;
}

/// magnitude * 10^exponent, or nullopt once it exceeds every int64 magnitude. Stops early, so a
/// huge exponent costs at most ~20 steps (or none on zero).
std::optional<WideMagnitude> times_power_of_ten(WideMagnitude magnitude, std::int64_t exponent) {
  for (std::int64_t i = 0; i < exponent && magnitude != 0; ++i) {
    magnitude *= 10;
    if (magnitude > int64_min_magnitude) return std::nullopt;
  }
  return magnitude;
}

bool has_nonzero_digit_from(const DecimalLiteral& literal, std::int64_t first) {
  for (auto i = static_cast<std::size_t>(first); i < literal.digit_count(); ++i) {
    if (literal.digit(i) != 0) return true;
  }
  return false;
}

/// The literal's value times 10^scale, rounded half away from zero to an integer.
RoundedUnits round_literal_to_scale(const DecimalLiteral& literal, int scale) {
  // value * 10^scale = all_digits * 10^shift; a negative shift drops that many trailing digits.
  const std::int64_t shift = literal.exponent - static_cast<std::int64_t>(literal.fraction_digits.size()) + scale;
  const auto digit_count = static_cast<std::int64_t>(literal.digit_count());
  if (shift >= 0) {
    auto magnitude = leading_digits_value(literal, digit_count);
    if (magnitude) magnitude = times_power_of_ten(*magnitude, shift);
    return {magnitude ? units_from(literal.negative, *magnitude) : std::nullopt, true};
  }
  const std::int64_t first_dropped = digit_count + shift;  // negative: even leading zeros are dropped
  const std::int64_t kept_count = std::max<std::int64_t>(first_dropped, 0);
  auto magnitude = leading_digits_value(literal, kept_count);
  if (!magnitude) return {std::nullopt, true};
  // Half away from zero depends only on the first dropped digit; below the literal's first digit
  // that is an implicit zero, so the value rounds to zero.
  if (first_dropped >= 0 && literal.digit(static_cast<std::size_t>(first_dropped)) >= 5) ++*magnitude;
  return {units_from(literal.negative, *magnitude), !has_nonzero_digit_from(literal, kept_count)};
}

enum class ParseOutcome { ok, malformed, out_of_range, too_many_fraction_digits };

/// Parses without throwing; the outcome says why it failed so parse() can explain.
ParseOutcome parse_decimal(std::string_view text, Decimal& out) {
  const auto literal = scan_literal(text);
  if (!literal) return ParseOutcome::malformed;
  // The literal's own scale: its fraction digits, less what a positive exponent absorbs.
  const std::int64_t natural_scale =
      std::max<std::int64_t>(static_cast<std::int64_t>(literal->fraction_digits.size()) - literal->exponent, 0);
  const int scale = static_cast<int>(std::min<std::int64_t>(natural_scale, Decimal::max_scale));
  const RoundedUnits rounded = round_literal_to_scale(*literal, scale);
  // Beyond scale 18 only trailing zeros may be dropped: parsing never rounds silently.
  if (!rounded.exact) return ParseOutcome::too_many_fraction_digits;
  if (!rounded.units) return ParseOutcome::out_of_range;
  out = Decimal(*rounded.units, scale);
  return ParseOutcome::ok;
}

}  // namespace

// ---- Construction ----------------------------------------------------------------------------

Decimal::Decimal(std::int64_t units, int scale) : units_(units), scale_(scale) { require_valid_scale(scale); }

Decimal Decimal::parse(std::string_view text) {
  Decimal result;
  switch (parse_decimal(text, result)) {
    case ParseOutcome::ok: return result;
    case ParseOutcome::malformed:
      throw Error(ErrorCode::parse, fmt::format("malformed decimal \"{}\"", text));
    case ParseOutcome::out_of_range:
      throw Error(ErrorCode::parse, fmt::format("decimal \"{}\" does not fit in 64-bit units", text));
    case ParseOutcome::too_many_fraction_digits:
      throw Error(ErrorCode::parse,
                  fmt::format("decimal \"{}\" has more than {} digits after the point", text, max_scale));
  }
  throw Error(ErrorCode::internal, "unhandled decimal parse outcome");
}

std::optional<Decimal> Decimal::try_parse(std::string_view text) noexcept {
  Decimal result;
  if (parse_decimal(text, result) != ParseOutcome::ok) return std::nullopt;
  return result;
}

Decimal Decimal::from_double(double value, int scale) {
  require_valid_scale(scale);
  if (!std::isfinite(value)) {
    throw UsageError(ErrorCode::usage, fmt::format("cannot convert {} to a decimal", value));
  }
  // Round the shortest text that reads back as `value`, not its binary expansion: 2.675 is stored
  // as 2.67499999..., yet a person who typed 2.675 expects 2.68 at scale 2.
  const std::string shortest = fmt::format("{}", value);
  const auto literal = scan_literal(shortest);
  if (!literal) throw Error(ErrorCode::internal, fmt::format("unexpected double text \"{}\"", shortest));
  const RoundedUnits rounded = round_literal_to_scale(*literal, scale);
  if (!rounded.units) throw_overflow(fmt::format("{} at scale {}", shortest, scale));
  return Decimal(*rounded.units, scale);
}

// ---- Conversion ------------------------------------------------------------------------------

Decimal Decimal::rescaled(int scale) const {
  require_valid_scale(scale);
  if (scale >= scale_) {
    const Wide units = units_at_scale(*this, scale);
    if (!fits_in_units(units)) throw_overflow(fmt::format("{} at scale {}", to_string(), scale));
    return Decimal(static_cast<std::int64_t>(units), scale);
  }
  // Dropping digits only shrinks the magnitude, so the result always fits.
  const Wide units = divide_by_power_of_ten_rounded(units_, scale_ - scale);
  return Decimal(static_cast<std::int64_t>(units), scale);
}

std::optional<Decimal> Decimal::rescaled_exact(int scale) const noexcept {
  if (!is_valid_scale(scale)) return std::nullopt;
  if (scale >= scale_) {
    const Wide units = units_at_scale(*this, scale);
    if (!fits_in_units(units)) return std::nullopt;
    return Decimal(static_cast<std::int64_t>(units), scale);
  }
  const Wide divisor = power_of_ten(scale_ - scale);
  if (units_ % divisor != 0) return std::nullopt;
  return Decimal(static_cast<std::int64_t>(units_ / divisor), scale);
}

double Decimal::to_double() const noexcept {
  // Below 2^53 both operands are exact doubles (10^18 < 10^22 is too), so one IEEE division
  // gives the correctly rounded result.
  constexpr std::int64_t exact_double_limit = std::int64_t{1} << 53;
  if (units_ >= -exact_double_limit && units_ <= exact_double_limit) {
    return static_cast<double>(units_) / static_cast<double>(powers_of_ten[static_cast<std::size_t>(scale_)]);
  }
  // Larger units: let from_chars round the exact decimal text once, instead of rounding twice.
  std::array<char, 48> buffer{};
  char* end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), units_).ptr;
  end = fmt::format_to(end, "e-{}", scale_);
  double result = 0;
  std::from_chars(buffer.data(), end, result);
  return result;
}

std::string Decimal::to_string() const {
  WideMagnitude magnitude = magnitude_of(units_);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  // Pad so there is at least one digit before the point: 5 at scale 2 is "0.05".
  const auto min_length = static_cast<std::size_t>(scale_) + 1;
  if (digits.size() < min_length) digits.insert(0, min_length - digits.size(), '0');
  if (scale_ > 0) digits.insert(digits.size() - static_cast<std::size_t>(scale_), 1, '.');
  return units_ < 0 ? "-" + digits : digits;
}

// ---- Arithmetic ------------------------------------------------------------------------------

Decimal operator+(const Decimal& a, const Decimal& b) {
  const int scale = std::max(a.scale(), b.scale());
  const Wide sum = units_at_scale(a, scale) + units_at_scale(b, scale);
  if (!fits_in_units(sum)) throw_operation_overflow(a, "+", b);
  return Decimal(static_cast<std::int64_t>(sum), scale);
}

Decimal operator-(const Decimal& a, const Decimal& b) {
  const int scale = std::max(a.scale(), b.scale());
  const Wide difference = units_at_scale(a, scale) - units_at_scale(b, scale);
  if (!fits_in_units(difference)) throw_operation_overflow(a, "-", b);
  return Decimal(static_cast<std::int64_t>(difference), scale);
}

Decimal operator*(const Decimal& a, const Decimal& b) {
  // |a| * |b| <= 2^126: the exact product always fits in 128 bits.
  Wide product = static_cast<Wide>(a.units()) * static_cast<Wide>(b.units());
  int scale = a.scale() + b.scale();
  if (scale > Decimal::max_scale) {
    product = divide_by_power_of_ten_rounded(product, scale - Decimal::max_scale);
    scale = Decimal::max_scale;
  }
  // 3.000000000 * 4.000000000 is 12 at scale 18, which overflows 64-bit units although the value
  // is tiny; dropping trailing zeros keeps such results exact instead of failing.
  while (!fits_in_units(product) && scale > 0 && product % 10 == 0) {
    product /= 10;
    --scale;
  }
  if (!fits_in_units(product)) throw_operation_overflow(a, "*", b);
  return Decimal(static_cast<std::int64_t>(product), scale);
}

Decimal Decimal::divide(const Decimal& a, const Decimal& b, int scale) {
  require_valid_scale(scale);
  if (b.units_ == 0) {
    throw UsageError(ErrorCode::usage, fmt::format("decimal division by zero: {} / {}", a.to_string(), b.to_string()));
  }
  // a/b at `scale` = a.units * 10^(scale - a.scale + b.scale) / b.units
  const int exponent = scale - a.scale_ + b.scale_;
  WideMagnitude numerator = magnitude_of(a.units_);
  WideMagnitude denominator = magnitude_of(b.units_);
  if (exponent < 0) denominator *= static_cast<WideMagnitude>(power_of_ten(-exponent));
  const auto quotient = divide_rounded(numerator, denominator, std::max(exponent, 0));
  const bool negative = (a.units_ < 0) != (b.units_ < 0);
  const auto units = quotient ? units_from(negative, *quotient) : std::nullopt;
  if (!units) throw_overflow(fmt::format("{} / {} at scale {}", a.to_string(), b.to_string(), scale));
  return Decimal(*units, scale);
}

Decimal Decimal::operator-() const {
  if (units_ == INT64_MIN) throw_overflow(fmt::format("-({})", to_string()));
  return Decimal(-units_, scale_);
}

// ---- Comparison ------------------------------------------------------------------------------

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) noexcept {
  const int scale = std::max(a.scale(), b.scale());
  const Wide left = units_at_scale(a, scale);
  const Wide right = units_at_scale(b, scale);
  if (left < right) return std::strong_ordering::less;
  if (left > right) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

bool operator==(const Decimal& a, const Decimal& b) noexcept { return (a <=> b) == 0; }

}  // namespace v0
}  // namespace hotcrm
