// Tests for include/hotcrm/value.hpp: Decimal, Date, DateTime and Value.

#include "hotcrm/value.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/error.hpp"

using hotcrm::Date;
using hotcrm::DateTime;
using hotcrm::Decimal;
using hotcrm::Error;
using hotcrm::ErrorCode;
using hotcrm::RecordId;
using hotcrm::StringList;
using hotcrm::Value;
using hotcrm::ValueKind;

namespace doctest {
template <>
struct StringMaker<Decimal> {
  static String convert(const Decimal& value) {
    return (value.to_string() + " (units " + std::to_string(value.units()) + ", scale " +
            std::to_string(value.scale()) + ")")
        .c_str();
  }
};
template <>
struct StringMaker<Date> {
  static String convert(const Date& value) { return value.to_string().c_str(); }
};
template <>
struct StringMaker<DateTime> {
  static String convert(const DateTime& value) { return value.to_string().c_str(); }
};
template <>
struct StringMaker<Value> {
  static String convert(const Value& value) {
    return (std::string(hotcrm::to_string(value.kind())) + " " + value.to_json()).c_str();
  }
};
template <>
struct StringMaker<ErrorCode> {
  static String convert(ErrorCode code) { return std::string(hotcrm::error_code_name(code)).c_str(); }
};
}  // namespace doctest

namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t micros_per_second = 1'000'000;
constexpr std::int64_t micros_per_minute = 60 * micros_per_second;
constexpr std::int64_t micros_per_hour = 60 * micros_per_minute;
constexpr std::int64_t micros_per_day = 24 * micros_per_hour;

/// What an action threw, if it threw a hotcrm::Error.
struct Failure {
  bool thrown = false;
  ErrorCode code{};
  std::string message;
};

template <class Action>
Failure failure_of(Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    return {true, error.code(), error.what()};
  }
  return {};
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

Decimal dec(std::string_view text) { return Decimal::parse(text); }

std::int64_t micros_of(int hours, int minutes, int seconds = 0, std::int64_t micros = 0) {
  return hours * micros_per_hour + minutes * micros_per_minute + seconds * micros_per_second + micros;
}

}  // namespace

// ==== Decimal =================================================================================

TEST_CASE("Decimal: construction keeps units and scale, and checks the scale") {
  const Decimal zero;
  CHECK(zero.units() == 0);
  CHECK(zero.scale() == 0);
  const Decimal price(12345, 2);
  CHECK(price.units() == 12345);
  CHECK(price.scale() == 2);
  CHECK(Decimal::from_int(-7) == Decimal(-7, 0));
  CHECK_NOTHROW(Decimal(1, Decimal::max_scale));

  for (const int bad_scale : {-1, 19, 100}) {
    CAPTURE(bad_scale);
    const Failure failure = failure_of([&] { Decimal(1, bad_scale); });
    CHECK(failure.thrown);
    CHECK(failure.code == ErrorCode::usage);
    CHECK(contains(failure.message, "scale"));
  }
  CHECK_THROWS_AS(Decimal(1, 19), hotcrm::UsageError);
}

TEST_CASE("Decimal: to_string prints exactly scale() digits after the point") {
  CHECK(Decimal(0, 0).to_string() == "0");
  CHECK(Decimal(7, 0).to_string() == "7");
  CHECK(Decimal(123450, 2).to_string() == "1234.50");
  CHECK(Decimal(-5, 2).to_string() == "-0.05");
  CHECK(Decimal(5, 2).to_string() == "0.05");
  CHECK(Decimal(0, 3).to_string() == "0.000");
  CHECK(Decimal(-1, 0).to_string() == "-1");
  CHECK(Decimal(1, 18).to_string() == "0.000000000000000001");
  CHECK(Decimal(int64_max, 0).to_string() == "9223372036854775807");
  CHECK(Decimal(int64_min, 0).to_string() == "-9223372036854775808");
  CHECK(Decimal(int64_min, 18).to_string() == "-9.223372036854775808");
  CHECK(Decimal(int64_max, 18).to_string() == "9.223372036854775807");
}

TEST_CASE("Decimal: parse accepts signs, fractions and exponents") {
  struct Case {
    std::string_view text;
    std::int64_t units;
    int scale;
  };
  const Case cases[] = {
      {"-123.45", -12345, 2},
      {"+0.5", 5, 1},
      {"1e3", 1000, 0},
      {"1E+3", 1000, 0},
      {"1.5E-2", 15, 3},
      {"1.50e1", 150, 1},
      {"123e-2", 123, 2},
      {"0", 0, 0},
      {"-0", 0, 0},
      {"007.50", 750, 2},
      {".5", 5, 1},
      {"5.", 5, 0},
      {"1234.50", 123450, 2},
      {"0.000000000000000001", 1, 18},
      {"1e-18", 1, 18},
      {"9223372036854775807", int64_max, 0},
      {"-9223372036854775808", int64_min, 0},
      {"-9.223372036854775808", int64_min, 18},
      {"0e999999999999999999999", 0, 0},
      // More than 18 fraction digits are fine when the extra ones are zeros.
      {"1.000000000000000000000", 1'000'000'000'000'000'000, 18},
      {"0.5000000000000000000000000", 500'000'000'000'000'000, 18},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const Decimal parsed = Decimal::parse(c.text);
    CHECK(parsed.units() == c.units);
    CHECK(parsed.scale() == c.scale);
    const auto tried = Decimal::try_parse(c.text);
    REQUIRE(tried.has_value());
    CHECK(tried->units() == c.units);
    CHECK(tried->scale() == c.scale);
  }
}

TEST_CASE("Decimal: parse rejects malformed text with Error(parse)") {
  const std::string_view malformed[] = {
      "",     "-",    "+",     ".",     "-.",   "1.2.3", "1..2",    "1e",     "1e+",   "1e-",  "e5",
      "1e2.5", " 1",  "1 ",    " ",     "1,5",  "1_000", "0x10",    "inf",    "-inf",  "nan",  "NaN",
      "--1",  "+-1",  "1-",    "1+1",   "1e2e3", "1.5f",  "１",      "\t1",    "1\n",   "1ee2", "abc",
      "$5",   "5%",   "1 000", "1.0.",  "e",    "E1",    "1.e",     "1.2e3.4"};
  for (const std::string_view text : malformed) {
    CAPTURE(text);
    const Failure failure = failure_of([&] { Decimal::parse(text); });
    CHECK(failure.thrown);
    CHECK(failure.code == ErrorCode::parse);
    CHECK(contains(failure.message, "malformed decimal"));
    CHECK_FALSE(Decimal::try_parse(text).has_value());
  }
  // A NUL byte inside the view is not a terminator.
  CHECK_FALSE(Decimal::try_parse(std::string_view("12\0" "3", 4)).has_value());
}

TEST_CASE("Decimal: parse rejects values that do not fit") {
  SUBCASE("too many units") {
    for (const std::string_view text :
         {"9223372036854775808", "-9223372036854775809", "1e19", "99999999999999999999999", "1e400",
          "1e99999999999999999999", "9.223372036854775808"}) {
      CAPTURE(text);
      const Failure failure = failure_of([&] { Decimal::parse(text); });
      CHECK(failure.code == ErrorCode::parse);
      CHECK(contains(failure.message, "does not fit"));
      CHECK_FALSE(Decimal::try_parse(text).has_value());
    }
  }
  SUBCASE("more than 18 significant fraction digits") {
    for (const std::string_view text : {"0.0000000000000000001", "1e-19", "1.5e-18", "1e-400", "0.1234567890123456789"}) {
      CAPTURE(text);
      const Failure failure = failure_of([&] { Decimal::parse(text); });
      CHECK(failure.code == ErrorCode::parse);
      CHECK(contains(failure.message, "18 digits"));
      CHECK_FALSE(Decimal::try_parse(text).has_value());
    }
  }
}

TEST_CASE("Decimal: try_parse never throws") {
  static_assert(noexcept(Decimal::try_parse("")));
  CHECK(Decimal::try_parse("12.5") == Decimal(125, 1));
  CHECK_FALSE(Decimal::try_parse("12,5").has_value());
}

TEST_CASE("Decimal: parse and to_string round trip") {
  for (const std::string_view text : {"0", "7", "-0.05", "1234.50", "0.000000000000000001", "-9223372036854775808",
                                      "9223372036854775807", "-9.223372036854775808", "100.000"}) {
    CAPTURE(text);
    CHECK(Decimal::parse(text).to_string() == text);
  }
}

TEST_CASE("Decimal: from_double rounds the shortest decimal form half away from zero") {
  CHECK(Decimal::from_double(2.675, 2).to_string() == "2.68");  // binary 2.67499999... but written 2.675
  CHECK(Decimal::from_double(-2.675, 2).to_string() == "-2.68");
  CHECK(Decimal::from_double(1.005, 2).to_string() == "1.01");
  CHECK(Decimal::from_double(0.1 + 0.2, 2).to_string() == "0.30");
  CHECK(Decimal::from_double(0.1 + 0.2, 17).to_string() == "0.30000000000000004");
  CHECK(Decimal::from_double(0.1 + 0.2, 18).to_string() == "0.300000000000000040");
  CHECK(Decimal::from_double(0.5, 0).to_string() == "1");
  CHECK(Decimal::from_double(-0.5, 0).to_string() == "-1");
  CHECK(Decimal::from_double(-0.4, 0).to_string() == "0");
  CHECK(Decimal::from_double(1.5e-7, 7).to_string() == "0.0000002");
  CHECK(Decimal::from_double(1e-20, 2).to_string() == "0.00");
  CHECK(Decimal::from_double(-0.0, 2).to_string() == "0.00");
  CHECK(Decimal::from_double(123.0, 0).to_string() == "123");
  CHECK(Decimal::from_double(1234.5, 2).to_string() == "1234.50");
  CHECK(Decimal::from_double(1e18, 0).units() == 1'000'000'000'000'000'000);
  CHECK(Decimal::from_double(9.2e18, 0).units() == 9'200'000'000'000'000'000);
  CHECK(Decimal::from_double(-9.2e18, 0).units() == -9'200'000'000'000'000'000);
  CHECK(Decimal::from_double(0.999, 2).to_string() == "1.00");  // rounding carries into the integer part
}

TEST_CASE("Decimal: from_double refuses NaN, infinities, overflow and bad scales") {
  const double bad_inputs[] = {std::nan(""), std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity()};
  for (const double input : bad_inputs) {
    CAPTURE(input);
    const Failure failure = failure_of([&] { Decimal::from_double(input, 2); });
    CHECK(failure.code == ErrorCode::usage);
    CHECK(contains(failure.message, "cannot convert"));
  }
  for (const double too_large : {1e19, -1e19, 9.3e18, 1e300, std::numeric_limits<double>::max()}) {
    CAPTURE(too_large);
    const Failure failure = failure_of([&] { Decimal::from_double(too_large, 0); });
    CHECK(failure.code == ErrorCode::usage);
    CHECK(contains(failure.message, "overflow"));
  }
  CHECK(failure_of([] { Decimal::from_double(10.0, 18); }).code == ErrorCode::usage);  // 10 * 10^18 units
  CHECK(failure_of([] { Decimal::from_double(1.0, 19); }).code == ErrorCode::usage);
  CHECK(failure_of([] { Decimal::from_double(1.0, -1); }).code == ErrorCode::usage);
}

TEST_CASE("Decimal: rescaled rounds half away from zero") {
  CHECK(dec("1.25").rescaled(1) == dec("1.3"));
  CHECK(dec("1.25").rescaled(1).scale() == 1);
  CHECK(dec("-1.25").rescaled(1).to_string() == "-1.3");
  CHECK(dec("1.24").rescaled(1).to_string() == "1.2");
  CHECK(dec("-1.24").rescaled(1).to_string() == "-1.2");
  CHECK(dec("-1.35").rescaled(1).to_string() == "-1.4");
  CHECK(dec("0.5").rescaled(0).to_string() == "1");
  CHECK(dec("-0.5").rescaled(0).to_string() == "-1");
  CHECK(dec("-0.4").rescaled(0).to_string() == "0");
  CHECK(dec("0.049").rescaled(1).to_string() == "0.0");
  CHECK(dec("9.99").rescaled(1).to_string() == "10.0");
  CHECK(dec("-9.95").rescaled(1).to_string() == "-10.0");
  CHECK(dec("0.000000000000000005").rescaled(17).to_string() == "0.00000000000000001");
  CHECK(Decimal(int64_min, 1).rescaled(0).units() == -922337203685477581);  // ...80.8 -> ...81
  CHECK(Decimal(int64_max, 18).rescaled(0).units() == 9);
  CHECK(Decimal(int64_min, 18).rescaled(0).units() == -9);
}

TEST_CASE("Decimal: rescaled to more digits pads with zeros and detects overflow") {
  CHECK(dec("1.5").rescaled(4).to_string() == "1.5000");
  CHECK(dec("-1.5").rescaled(18).to_string() == "-1.500000000000000000");
  CHECK(dec("7").rescaled(7).to_string() == "7.0000000");
  CHECK(dec("7.25").rescaled(2).to_string() == "7.25");

  const Failure overflow = failure_of([] { Decimal(int64_max, 0).rescaled(1); });
  CHECK(overflow.code == ErrorCode::usage);
  CHECK(contains(overflow.message, "overflow"));
  CHECK(failure_of([] { dec("10").rescaled(18); }).code == ErrorCode::usage);
  CHECK(failure_of([] { dec("1").rescaled(19); }).code == ErrorCode::usage);
  CHECK(failure_of([] { dec("1").rescaled(-1); }).code == ErrorCode::usage);
}

TEST_CASE("Decimal: rescaled_exact only succeeds without losing digits") {
  static_assert(noexcept(Decimal().rescaled_exact(2)));
  CHECK(dec("1.50").rescaled_exact(1) == dec("1.5"));
  CHECK(dec("1.50").rescaled_exact(1)->scale() == 1);
  CHECK(dec("1.50").rescaled_exact(4)->to_string() == "1.5000");
  CHECK(dec("-3.000").rescaled_exact(0)->to_string() == "-3");
  CHECK_FALSE(dec("1.55").rescaled_exact(1).has_value());
  CHECK_FALSE(dec("-0.01").rescaled_exact(0).has_value());
  CHECK_FALSE(Decimal(int64_max, 0).rescaled_exact(1).has_value());
  CHECK_FALSE(dec("1").rescaled_exact(19).has_value());
  CHECK_FALSE(dec("1").rescaled_exact(-1).has_value());
}

TEST_CASE("Decimal: to_double") {
  static_assert(noexcept(Decimal().to_double()));
  CHECK(Decimal(15, 1).to_double() == 1.5);
  CHECK(Decimal(1, 1).to_double() == 0.1);
  CHECK(Decimal(-5, 2).to_double() == -0.05);
  CHECK(Decimal(0, 18).to_double() == 0.0);
  CHECK(Decimal(123456789, 0).to_double() == 123456789.0);
  // Beyond 2^53 units the conversion must still be correctly rounded.
  CHECK(Decimal(int64_max, 18).to_double() == 9.223372036854775807);
  CHECK(Decimal(int64_min, 0).to_double() == -9223372036854775808.0);
  CHECK(Decimal(1234567890123456789, 10).to_double() == 123456789.0123456789);
  CHECK(Decimal(-1234567890123456789, 18).to_double() == -1.234567890123456789);
}

TEST_CASE("Decimal: addition and subtraction align to the larger scale") {
  const Decimal sum = dec("1.5") + dec("2.25");
  CHECK(sum.to_string() == "3.75");
  CHECK(sum.scale() == 2);
  CHECK((dec("-1") + dec("0.001")).to_string() == "-0.999");
  CHECK((dec("5") - dec("7.5")).to_string() == "-2.5");
  CHECK((dec("0.10") - dec("0.1")).to_string() == "0.00");
  CHECK((dec("0.1") + dec("0.2")) == dec("0.3"));  // exact, unlike double
  CHECK((Decimal(int64_max, 0) + Decimal(int64_min, 0)).to_string() == "-1");
  CHECK((Decimal(int64_max - 1, 0) + Decimal(1, 0)).units() == int64_max);
  CHECK((Decimal(int64_min + 1, 0) - Decimal(1, 0)).units() == int64_min);
}

TEST_CASE("Decimal: addition and subtraction overflow throws Error(usage)") {
  const Failure plus = failure_of([] { Decimal(int64_max, 0) + Decimal(1, 0); });
  CHECK(plus.thrown);
  CHECK(plus.code == ErrorCode::usage);
  CHECK(contains(plus.message, "overflow"));
  CHECK(contains(plus.message, "9223372036854775807 + 1"));

  CHECK(failure_of([] { Decimal(int64_min, 0) - Decimal(1, 0); }).code == ErrorCode::usage);
  CHECK(failure_of([] { Decimal(int64_min, 0) + Decimal(-1, 0); }).code == ErrorCode::usage);
  CHECK(failure_of([] { Decimal(int64_max, 0) - Decimal(-1, 0); }).code == ErrorCode::usage);
  // The operands fit, but aligning 922337203685477581 to scale 1 does not.
  CHECK(failure_of([] { Decimal(int64_max / 10 + 1, 0) + Decimal(1, 1); }).code == ErrorCode::usage);
  CHECK_THROWS_AS(Decimal(int64_max, 0) + Decimal(1, 0), hotcrm::UsageError);
}

TEST_CASE("Decimal: multiplication is exact with the sum of the scales") {
  const Decimal product = dec("1.5") * dec("2.25");
  CHECK(product.to_string() == "3.375");
  CHECK(product.scale() == 3);
  CHECK((dec("-1.5") * dec("2")).to_string() == "-3.0");
  CHECK((dec("-1.5") * dec("-2.0")).to_string() == "3.00");
  CHECK((dec("0") * dec("-123.45")).to_string() == "0.00");
  CHECK((Decimal(int64_max, 0) * Decimal(1, 0)).units() == int64_max);
  CHECK((Decimal(int64_min, 0) * Decimal(1, 0)).units() == int64_min);
}

TEST_CASE("Decimal: multiplication beyond scale 18 rounds half away from zero") {
  // 0.0000000015^2 = 0.00000000000000000225 -> 0.000000000000000002
  const Decimal small = Decimal(15, 10) * Decimal(15, 10);
  CHECK(small.scale() == 18);
  CHECK(small.units() == 2);
  // -0.0000000025 * 0.000000001 = -0.0000000000000000025 -> -0.000000000000000003
  const Decimal negative = Decimal(-25, 10) * Decimal(1, 9);
  CHECK(negative.scale() == 18);
  CHECK(negative.units() == -3);
  CHECK((Decimal(5, 18) * Decimal(1, 1)).units() == 1);  // 0.5e-18 -> 1e-18
  CHECK((Decimal(-4, 18) * Decimal(1, 1)).units() == 0);
}

TEST_CASE("Decimal: multiplication keeps exact results that only need fewer trailing zeros") {
  // 3 * 4 at scale 9 each is 12 at scale 18, i.e. 12 * 10^18 units: too many units, but exact at scale 17.
  const Decimal product = Decimal(3'000'000'000, 9) * Decimal(4'000'000'000, 9);
  CHECK(product == dec("12"));
  CHECK(product.scale() == 17);
}

TEST_CASE("Decimal: multiplication overflow throws Error(usage)") {
  const Failure failure = failure_of([] { Decimal(int64_max, 0) * Decimal(2, 0); });
  CHECK(failure.code == ErrorCode::usage);
  CHECK(contains(failure.message, "overflow"));
  CHECK(contains(failure.message, "*"));
  CHECK(failure_of([] { Decimal(4294967296, 0) * Decimal(4294967296, 0); }).code == ErrorCode::usage);
  CHECK(failure_of([] { Decimal(int64_min, 0) * Decimal(-1, 0); }).code == ErrorCode::usage);
  CHECK(failure_of([] { Decimal(int64_max, 9) * Decimal(int64_max, 9); }).code == ErrorCode::usage);
}

TEST_CASE("Decimal: divide rounds to the requested scale half away from zero") {
  CHECK(Decimal::divide(dec("1"), dec("3"), 4).to_string() == "0.3333");
  CHECK(Decimal::divide(dec("2"), dec("3"), 4).to_string() == "0.6667");
  CHECK(Decimal::divide(dec("-2"), dec("3"), 4).to_string() == "-0.6667");
  CHECK(Decimal::divide(dec("2"), dec("-3"), 4).to_string() == "-0.6667");
  CHECK(Decimal::divide(dec("-2"), dec("-3"), 4).to_string() == "0.6667");
  CHECK(Decimal::divide(dec("1"), dec("-8"), 2).to_string() == "-0.13");
  CHECK(Decimal::divide(dec("1"), dec("8"), 2).to_string() == "0.13");
  CHECK(Decimal::divide(dec("10"), dec("4"), 0).to_string() == "3");
  CHECK(Decimal::divide(dec("-10"), dec("4"), 0).to_string() == "-3");
  CHECK(Decimal::divide(dec("10"), dec("4"), 3).to_string() == "2.500");
  CHECK(Decimal::divide(dec("1.2345"), dec("1"), 2).to_string() == "1.23");
  CHECK(Decimal::divide(dec("1.2355"), dec("1"), 2).to_string() == "1.24");
  CHECK(Decimal::divide(dec("0"), dec("-7"), 2).to_string() == "0.00");
  CHECK(Decimal::divide(dec("7.50"), dec("2.5"), 1).to_string() == "3.0");
  CHECK(Decimal::divide(dec("1"), dec("0.000000000000000001"), 0).units() == 1'000'000'000'000'000'000);
  CHECK(Decimal::divide(dec("0.000000000000000001"), dec("3"), 18).units() == 0);
  CHECK(Decimal::divide(dec("0.000000000000000002"), dec("3"), 18).units() == 1);
  CHECK(Decimal::divide(Decimal(int64_min, 0), dec("1"), 0).units() == int64_min);
  CHECK(Decimal::divide(Decimal(int64_max, 18), Decimal(int64_max, 18), 18).to_string() == "1.000000000000000000");
}

TEST_CASE("Decimal: divide failures") {
  const Failure by_zero = failure_of([] { Decimal::divide(dec("1"), dec("0.00"), 2); });
  CHECK(by_zero.code == ErrorCode::usage);
  CHECK(contains(by_zero.message, "division by zero"));
  CHECK(failure_of([] { Decimal::divide(dec("0"), dec("0"), 2); }).code == ErrorCode::usage);

  const Failure overflow = failure_of([] { Decimal::divide(dec("10"), dec("0.000000000000000001"), 0); });
  CHECK(overflow.code == ErrorCode::usage);
  CHECK(contains(overflow.message, "overflow"));
  // Needs 36 extra digits: must fail cleanly rather than overflow 128 bits internally.
  CHECK(failure_of([] { Decimal::divide(Decimal(int64_max, 0), Decimal(1, 18), 18); }).code == ErrorCode::usage);
  CHECK(failure_of([] { Decimal::divide(Decimal(int64_min, 0), dec("-1"), 0); }).code == ErrorCode::usage);
  CHECK(failure_of([] { Decimal::divide(dec("1"), dec("3"), 19); }).code == ErrorCode::usage);
  CHECK(failure_of([] { Decimal::divide(dec("1"), dec("3"), -1); }).code == ErrorCode::usage);
}

TEST_CASE("Decimal: negation") {
  CHECK((-dec("0.5")).to_string() == "-0.5");
  CHECK((-dec("-12.30")).to_string() == "12.30");
  CHECK((-dec("0")).to_string() == "0");
  CHECK((-Decimal(int64_max, 3)).units() == -int64_max);
  CHECK(failure_of([] { -Decimal(int64_min, 0); }).code == ErrorCode::usage);
}

TEST_CASE("Decimal: comparison is numeric and independent of scale") {
  CHECK(dec("1.50") == dec("1.5"));
  CHECK((dec("1.50") <=> dec("1.5")) == std::strong_ordering::equal);
  CHECK(dec("0.000") == dec("0"));
  CHECK(dec("-0") == dec("0.0"));
  CHECK(dec("1.5") != dec("1.51"));
  CHECK(dec("1.5") < dec("1.51"));
  CHECK(dec("-1") < dec("0.5"));
  CHECK(dec("-1.5") < dec("-1.49"));
  CHECK(dec("10") > dec("9.99999999999999999"));
  CHECK(Decimal(int64_max, 0) > Decimal(int64_max, 18));
  CHECK(Decimal(int64_min, 0) < Decimal(int64_min, 18));
  CHECK(Decimal(int64_min, 0) < Decimal(int64_max, 0));

  const Decimal samples[] = {dec("-2"), dec("-1.50"), dec("-1.5"), dec("0"), dec("0.00"), dec("1.5"), dec("1.500")};
  for (const Decimal& a : samples) {
    for (const Decimal& b : samples) {
      CAPTURE(a);
      CAPTURE(b);
      CHECK((a == b) == ((a <=> b) == 0));
      CHECK((a < b) == (b > a));
    }
  }
}

// ==== Date ====================================================================================

TEST_CASE("Date: parse valid dates") {
  CHECK(Date::parse("1970-01-01").days == 0);
  CHECK(Date::parse("1970-01-02").days == 1);
  CHECK(Date::parse("1969-12-31").days == -1);
  CHECK(Date::parse("2024-05-01").days == 19844);
  CHECK(Date::parse("2024-02-29").days == 19782);  // leap year
  CHECK(Date::parse("2000-02-29").to_string() == "2000-02-29");  // divisible by 400: leap
  CHECK(Date::parse("0001-01-01").days == -719162);
  CHECK(Date::parse("9999-12-31").days == 2932896);

  const Date date = Date::parse("2024-02-29");
  CHECK(date.year() == 2024);
  CHECK(date.month() == 2);
  CHECK(date.day() == 29);
  const Date old = Date::parse("1969-07-20");
  CHECK(old.year() == 1969);
  CHECK(old.month() == 7);
  CHECK(old.day() == 20);
}

TEST_CASE("Date: parse rejects invalid text and impossible dates") {
  const std::string_view invalid[] = {
      "2023-02-29",  // not a leap year
      "1900-02-29",  // divisible by 100, not by 400
      "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "0000-01-01",
      "2024-4-01",   "24-04-01",   "2024/04/01", " 2024-04-01", "2024-04-01 ", "2024-04-01T00:00", "",
      "20240401",    "+024-04-01", "2024-04-0a", "2024-04--1", "-2024-04-01", "2024_04_01", "12024-04-01",
      "2024-04-1",   "2024-004-01"};
  for (const std::string_view text : invalid) {
    CAPTURE(text);
    const Failure failure = failure_of([&] { Date::parse(text); });
    CHECK(failure.thrown);
    CHECK(failure.code == ErrorCode::parse);
    CHECK(contains(failure.message, "invalid date"));
    CHECK_FALSE(Date::try_parse(text).has_value());
  }
  static_assert(noexcept(Date::try_parse("")));
}

TEST_CASE("Date: to_string round trips") {
  for (const std::string_view text : {"0001-01-01", "0999-03-04", "1969-12-31", "1970-01-01", "2024-02-29", "9999-12-31"}) {
    CAPTURE(text);
    CHECK(Date::parse(text).to_string() == text);
  }
}

TEST_CASE("Date: values outside 0001..9999 still print their true calendar date") {
  // Dates that parse() refuses can still be built from raw days; they must not print garbage.
  CHECK(Date{-719163}.to_string() == "0000-12-31");
  CHECK(Date{-719162 - 146097}.to_string() == "-399-01-01");
  CHECK(Date{2932897}.to_string() == "10000-01-01");
  CHECK(Date{std::numeric_limits<std::int32_t>::max()}.to_string() == "5881580-07-11");
  CHECK(Date{std::numeric_limits<std::int32_t>::min()}.to_string() == "-5877641-06-23");
  CHECK(Date{std::numeric_limits<std::int32_t>::min()}.year() == -5877641);
  CHECK(Date{std::numeric_limits<std::int32_t>::min()}.month() == 6);
  CHECK(Date{std::numeric_limits<std::int32_t>::min()}.day() == 23);
}

TEST_CASE("Date: from_ymd validates every component") {
  CHECK(Date::from_ymd(2024, 2, 29) == Date::parse("2024-02-29"));
  CHECK(Date::from_ymd(1970, 1, 1) == Date{0});
  CHECK_FALSE(Date::from_ymd(2023, 2, 29).has_value());
  CHECK_FALSE(Date::from_ymd(2024, 257, 1).has_value());  // would wrap to January in an 8-bit month
  CHECK_FALSE(Date::from_ymd(2024, 1, 257).has_value());
  CHECK_FALSE(Date::from_ymd(2024, -1, 1).has_value());
  CHECK_FALSE(Date::from_ymd(2024, 1, -1).has_value());
  CHECK_FALSE(Date::from_ymd(2024, 0, 1).has_value());
  CHECK_FALSE(Date::from_ymd(0, 1, 1).has_value());
  CHECK_FALSE(Date::from_ymd(10000, 1, 1).has_value());
  CHECK_FALSE(Date::from_ymd(-5, 1, 1).has_value());
  CHECK(Date::from_ymd(9999, 12, 31).has_value());
}

TEST_CASE("Date: ordering follows the calendar") {
  CHECK(Date::parse("1969-12-31") < Date::parse("1970-01-01"));
  CHECK(Date::parse("2024-02-29") < Date::parse("2024-03-01"));
  CHECK(Date::parse("2024-02-29") == Date{19782});
}

// ==== DateTime ================================================================================

TEST_CASE("DateTime: parse accepted forms") {
  const std::int64_t may_first = std::int64_t{19844} * micros_per_day;
  CHECK(DateTime::parse("1970-01-01T00:00").micros == 0);
  CHECK(DateTime::parse("1970-01-01T00:00:00Z").micros == 0);
  CHECK(DateTime::parse("2024-05-01T12:34").micros == may_first + micros_of(12, 34));
  CHECK(DateTime::parse("2024-05-01T12:34:56").micros == may_first + micros_of(12, 34, 56));
  CHECK(DateTime::parse("2024-05-01T12:34:56Z").micros == may_first + micros_of(12, 34, 56));
  CHECK(DateTime::parse("2024-05-01 12:34:56").micros == may_first + micros_of(12, 34, 56));
  CHECK(DateTime::parse("2024-05-01T12:34Z").micros == may_first + micros_of(12, 34));
  CHECK(DateTime::parse("2024-05-01T12:34:56.5Z").micros == may_first + micros_of(12, 34, 56, 500000));
  CHECK(DateTime::parse("2024-05-01T12:34:56.05").micros == may_first + micros_of(12, 34, 56, 50000));
  CHECK(DateTime::parse("2024-05-01T12:34:56.123456Z").micros == may_first + micros_of(12, 34, 56, 123456));
  CHECK(DateTime::parse("2024-05-01T12:34:56.000001").micros == may_first + micros_of(12, 34, 56, 1));
  CHECK(DateTime::parse("2024-05-01T23:59:59.999999Z").micros == may_first + micros_per_day - 1);
  CHECK(DateTime::parse("2024-02-29T00:00").date() == Date::parse("2024-02-29"));
}

TEST_CASE("DateTime: UTC offsets are converted to UTC") {
  const std::int64_t may_first = std::int64_t{19844} * micros_per_day;
  CHECK(DateTime::parse("2024-05-01T12:00+02:00").micros == may_first + micros_of(10, 0));
  CHECK(DateTime::parse("2024-05-01T12:00:30.25-02:00").micros == may_first + micros_of(14, 0, 30, 250000));
  CHECK(DateTime::parse("2024-05-01T12:00+00:00").micros == may_first + micros_of(12, 0));
  CHECK(DateTime::parse("2024-05-01T12:00-00:00").micros == may_first + micros_of(12, 0));
  // Offsets move the instant across midnight in both directions.
  CHECK(DateTime::parse("2024-05-01T01:00+02:00").to_string() == "2024-04-30T23:00:00Z");
  CHECK(DateTime::parse("2024-05-01T23:30-05:30").to_string() == "2024-05-02T05:00:00Z");
  CHECK(DateTime::parse("2024-03-01T00:30+01:00").to_string() == "2024-02-29T23:30:00Z");
  CHECK(DateTime::parse("1970-01-01T00:00+05:45").micros == -micros_of(5, 45));
  CHECK(DateTime::parse("2024-05-01T12:00+14:00").to_string() == "2024-04-30T22:00:00Z");
}

TEST_CASE("DateTime: parse rejects malformed text") {
  const std::string_view invalid[] = {
      "",
      "2024-05-01",
      "2024-05-01T",
      "2024-05-01T12",
      "2024-05-01T12:",
      "2024-05-01T1:00",
      "2024-05-01T12:0",
      "2024-05-01t12:00",
      "2024-05-01_12:00",
      "2024-05-01T24:00",
      "2024-05-01T12:60",
      "2024-05-01T12:00:60",
      "2024-05-01T12:00:5",
      "2024-05-01T12:00:",
      "2024-05-01T12:00:00.",
      "2024-05-01T12:00:00.1234567",
      "2024-05-01T12:00.5",
      "2024-05-01T12:00:00,5",
      "2024-02-30T00:00",
      "2023-02-29T00:00",
      "2024-05-01T12:00z",
      "2024-05-01T12:00ZZ",
      "2024-05-01T12:00Z ",
      " 2024-05-01T12:00",
      "2024-05-01T12:00+0200",
      "2024-05-01T12:00+02",
      "2024-05-01T12:00+2:00",
      "2024-05-01T12:00+24:00",
      "2024-05-01T12:00+02:60",
      "2024-05-01T12:00+02:00Z",
      "2024-05-01T12:00Z+02:00",
      "2024-05-01T12:00 +02:00",
      "2024-05-01T12:00:00.5.5",
      "2024-05-01T12:00:00 Z",
      "2024-05-01T-1:00",
      "2024-05-01  12:00",
  };
  for (const std::string_view text : invalid) {
    CAPTURE(text);
    const Failure failure = failure_of([&] { DateTime::parse(text); });
    CHECK(failure.thrown);
    CHECK(failure.code == ErrorCode::parse);
    CHECK(contains(failure.message, "invalid datetime"));
    CHECK_FALSE(DateTime::try_parse(text).has_value());
  }
  static_assert(noexcept(DateTime::try_parse("")));
}

TEST_CASE("DateTime: to_string prints UTC with microseconds only when needed") {
  CHECK(DateTime{0}.to_string() == "1970-01-01T00:00:00Z");
  CHECK(DateTime::parse("2024-05-01T12:34:56.5").to_string() == "2024-05-01T12:34:56.500000Z");
  CHECK(DateTime::parse("2024-05-01T12:34:56.000001").to_string() == "2024-05-01T12:34:56.000001Z");
  CHECK(DateTime::parse("2024-05-01T12:34").to_string() == "2024-05-01T12:34:00Z");
  CHECK(DateTime::parse("2024-05-01 12:34:56.000000").to_string() == "2024-05-01T12:34:56Z");
}

TEST_CASE("DateTime: instants before 1970 use floor division") {
  CHECK(DateTime::parse("1969-12-31T23:59:59Z").micros == -micros_per_second);
  CHECK(DateTime::parse("1969-12-31T23:59:59.999999Z").micros == -1);
  CHECK(DateTime{-1}.to_string() == "1969-12-31T23:59:59.999999Z");
  CHECK(DateTime{-1}.date() == Date::parse("1969-12-31"));
  CHECK(DateTime{-micros_per_day}.to_string() == "1969-12-31T00:00:00Z");
  CHECK(DateTime{-micros_per_day}.date() == Date::parse("1969-12-31"));
  CHECK(DateTime{-micros_per_day - 1}.date() == Date::parse("1969-12-30"));
  CHECK(DateTime{-micros_per_second / 2}.to_string() == "1969-12-31T23:59:59.500000Z");
  CHECK(DateTime::parse("1969-07-20T20:17:40Z").to_string() == "1969-07-20T20:17:40Z");
  CHECK(DateTime::parse("1900-01-01T00:00Z").micros == std::int64_t{-25567} * micros_per_day);
}

TEST_CASE("DateTime: round trips across the supported range") {
  for (const std::string_view text :
       {"0001-01-01T00:00:00Z", "1899-12-31T23:59:59.000001Z", "1969-12-31T12:00:00Z", "1970-01-01T00:00:00.000001Z",
        "2000-02-29T06:07:08Z", "2038-01-19T03:14:08Z", "9999-12-31T23:59:59.999999Z"}) {
    CAPTURE(text);
    CHECK(DateTime::parse(text).to_string() == text);
  }
}

TEST_CASE("DateTime: the int64 extremes print without overflow") {
  CHECK(DateTime{int64_min}.to_string() == "-290308-12-21T19:59:05.224192Z");
  CHECK(DateTime{int64_max}.to_string() == "294247-01-10T04:00:54.775807Z");
  CHECK(DateTime{int64_min}.date().year() == -290308);
}

TEST_CASE("DateTime: from_date and date") {
  const Date date = Date::parse("1969-12-30");
  CHECK(DateTime::from_date(date).to_string() == "1969-12-30T00:00:00Z");
  CHECK(DateTime::from_date(date).date() == date);
  CHECK(DateTime::parse("2024-05-01T23:59:59.999999").date() == Date::parse("2024-05-01"));
  CHECK(DateTime::parse("2024-05-01T00:00").date() == Date::parse("2024-05-01"));
  CHECK(DateTime::parse("2024-05-01T12:00") < DateTime::parse("2024-05-01T12:00:00.000001"));
}

// ==== Value ===================================================================================

TEST_CASE("Value: constructors select the kind") {
  CHECK(Value().kind() == ValueKind::null);
  CHECK(Value().is_null());
  CHECK(Value(nullptr).kind() == ValueKind::null);
  CHECK(Value(true).kind() == ValueKind::boolean);
  CHECK(Value(5).kind() == ValueKind::integer);
  CHECK(Value(std::int64_t{5}).kind() == ValueKind::integer);
  CHECK(Value(1.5).kind() == ValueKind::real);
  CHECK(Value(dec("1.5")).kind() == ValueKind::decimal);
  CHECK(Value("text").kind() == ValueKind::text);
  CHECK(Value(std::string("text")).kind() == ValueKind::text);
  CHECK(Value(std::string_view("text")).kind() == ValueKind::text);
  CHECK(Value(Date{0}).kind() == ValueKind::date);
  CHECK(Value(DateTime{0}).kind() == ValueKind::datetime);
  CHECK(Value(RecordId{"001"}).kind() == ValueKind::id);
  CHECK(Value(StringList{"a"}).kind() == ValueKind::list);
  CHECK_FALSE(Value(0).is_null());
  CHECK(Value(5).is<std::int64_t>());
  CHECK_FALSE(Value(5).is<double>());
}

TEST_CASE("Value: typed accessors return the held value") {
  CHECK(Value(true).as_bool());
  CHECK_FALSE(Value(false).as_bool());
  CHECK(Value(-42).as_int() == -42);
  CHECK(Value(int64_min).as_int() == int64_min);
  CHECK(Value(2.5).as_double() == 2.5);
  CHECK(Value(7).as_double() == 7.0);
  CHECK(Value(dec("1.25")).as_double() == 1.25);
  CHECK(Value(dec("1.50")).as_decimal().to_string() == "1.50");
  CHECK(Value("hello").as_string() == "hello");
  CHECK(Value(RecordId{"001xyz"}).as_string() == "001xyz");
  CHECK(Value(Date::parse("2024-02-29")).as_date() == Date::parse("2024-02-29"));
  CHECK(Value(DateTime{-1}).as_datetime() == DateTime{-1});
  CHECK(Value(StringList{"a", "b"}).as_list() == StringList{"a", "b"});
}

TEST_CASE("Value: accessors of the wrong kind throw Error(usage) naming both kinds") {
  struct Case {
    Failure failure;
    std::string_view expected_message;
  };
  const Case cases[] = {
      {failure_of([] { Value("x").as_decimal(); }), "expected decimal, got text"},
      {failure_of([] { Value().as_bool(); }), "expected boolean, got null"},
      {failure_of([] { Value(1.5).as_int(); }), "expected integer, got real"},
      {failure_of([] { Value(true).as_int(); }), "expected integer, got boolean"},
      {failure_of([] { Value("1.5").as_double(); }), "expected integer, real or decimal, got text"},
      {failure_of([] { Value(3).as_string(); }), "expected text or id, got integer"},
      {failure_of([] { Value(DateTime{0}).as_date(); }), "expected date, got datetime"},
      {failure_of([] { Value(Date{0}).as_datetime(); }), "expected datetime, got date"},
      {failure_of([] { Value("a;b").as_list(); }), "expected list, got text"},
      {failure_of([] { Value(StringList{}).as_string(); }), "expected text or id, got list"},
      {failure_of([] { Value(RecordId{"1"}).as_int(); }), "expected integer, got id"},
      {failure_of([] { Value(dec("1")).as_int(); }), "expected integer, got decimal"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.expected_message);
    CHECK(c.failure.thrown);
    CHECK(c.failure.code == ErrorCode::usage);
    CHECK(contains(c.failure.message, c.expected_message));
  }
  CHECK_THROWS_AS(Value().as_int(), hotcrm::UsageError);
}

TEST_CASE("Value: to_display") {
  CHECK(Value().to_display() == "");
  CHECK(Value(true).to_display() == "true");
  CHECK(Value(false).to_display() == "false");
  CHECK(Value(-12).to_display() == "-12");
  CHECK(Value(int64_min).to_display() == "-9223372036854775808");
  CHECK(Value(1.5).to_display() == "1.5");
  CHECK(Value(0.1 + 0.2).to_display() == "0.30000000000000004");
  CHECK(Value(1.0).to_display() == "1");
  CHECK(Value(dec("1234.50")).to_display() == "1234.50");
  CHECK(Value("plain text").to_display() == "plain text");
  CHECK(Value(Date::parse("2024-02-29")).to_display() == "2024-02-29");
  CHECK(Value(DateTime::parse("1969-12-31T23:00+01:00")).to_display() == "1969-12-31T22:00:00Z");
  CHECK(Value(RecordId{"001"}).to_display() == "001");
  CHECK(Value(StringList{"a", "b", "c"}).to_display() == "a;b;c");
  CHECK(Value(StringList{"only"}).to_display() == "only");
  CHECK(Value(StringList{}).to_display() == "");
}

TEST_CASE("Value: to_json") {
  CHECK(Value().to_json() == "null");
  CHECK(Value(true).to_json() == "true");
  CHECK(Value(false).to_json() == "false");
  CHECK(Value(12).to_json() == "12");
  CHECK(Value(-7).to_json() == "-7");
  CHECK(Value(int64_max).to_json() == "9223372036854775807");
  CHECK(Value(1.5).to_json() == "1.5");
  CHECK(Value(0.1).to_json() == "0.1");
  CHECK(Value(1.0).to_json() == "1.0");  // keeps the fraction so it reads back as real
  CHECK(Value(std::nan("")).to_json() == "null");
  CHECK(Value(std::numeric_limits<double>::infinity()).to_json() == "null");
  CHECK(Value(-std::numeric_limits<double>::infinity()).to_json() == "null");
  CHECK(Value(dec("1234.50")).to_json() == "\"1234.50\"");
  CHECK(Value(dec("-0.05")).to_json() == "\"-0.05\"");
  CHECK(Value(Date::parse("2024-05-01")).to_json() == "\"2024-05-01\"");
  CHECK(Value(DateTime::parse("2024-05-01T12:00:00.5Z")).to_json() == "\"2024-05-01T12:00:00.500000Z\"");
  CHECK(Value(RecordId{"001"}).to_json() == "\"001\"");
  CHECK(Value(StringList{"a", "b"}).to_json() == "[\"a\",\"b\"]");
  CHECK(Value(StringList{}).to_json() == "[]");
}

TEST_CASE("Value: to_json escapes strings") {
  CHECK(Value("say \"hi\"").to_json() == R"("say \"hi\"")");
  CHECK(Value("back\\slash").to_json() == R"("back\\slash")");
  CHECK(Value("line\nbreak\ttab").to_json() == R"("line\nbreak\ttab")");
  CHECK(Value(std::string("nul\0byte", 8)).to_json() == R"("nul\u0000byte")");
  CHECK(Value("\x01").to_json() == R"("\u0001")");
  CHECK(Value("caf\xc3\xa9").to_json() == "\"caf\xc3\xa9\"");  // UTF-8 passes through
  CHECK(Value(StringList{"a\"b", "c;d"}).to_json() == R"(["a\"b","c;d"])");
  CHECK(Value(RecordId{"id\"1"}).to_json() == R"("id\"1")");
  // Invalid UTF-8 must not make serialization throw; it becomes U+FFFD.
  std::string json;
  CHECK_NOTHROW(json = Value("bad \xff byte").to_json());
  CHECK(json == "\"bad \xef\xbf\xbd byte\"");
}

TEST_CASE("Value: from_json scalars and arrays") {
  CHECK(Value::from_json("null") == Value());
  CHECK(Value::from_json(" \n true \t") == Value(true));
  CHECK(Value::from_json("false") == Value(false));
  CHECK(Value::from_json("12") == Value(12));
  CHECK(Value::from_json("-12") == Value(-12));
  CHECK(Value::from_json("0") == Value(0));
  CHECK(Value::from_json("9223372036854775807") == Value(int64_max));
  CHECK(Value::from_json("-9223372036854775808") == Value(int64_min));
  CHECK(Value::from_json("1.5") == Value(1.5));
  CHECK(Value::from_json("1.0") == Value(1.0));
  CHECK(Value::from_json("1e2") == Value(100.0));
  CHECK(Value::from_json("-2.5E-3") == Value(-0.0025));
  CHECK(Value::from_json("\"x\"") == Value("x"));
  CHECK(Value::from_json(R"("caf\u00e9 \"q\"")") == Value("caf\xc3\xa9 \"q\""));
  CHECK(Value::from_json(R"(["a", "b"])") == Value(StringList{"a", "b"}));
  CHECK(Value::from_json("[]") == Value(StringList{}));
  CHECK(Value::from_json("12").kind() == ValueKind::integer);
  CHECK(Value::from_json("12.0").kind() == ValueKind::real);
}

TEST_CASE("Value: from_json failures throw Error(parse)") {
  SUBCASE("malformed JSON reports line and column") {
    for (const std::string_view json : {"", "   ", "{", "[", "tru", "1 2", "\"unterminated", "[\"a\",]", "01",
                                        "NaN", "'single'", "[\"a\" \"b\"]", "// comment\n1"}) {
      CAPTURE(json);
      const Failure failure = failure_of([&] { Value::from_json(json); });
      CHECK(failure.thrown);
      CHECK(failure.code == ErrorCode::parse);
      CHECK(contains(failure.message, "malformed JSON at line "));
      CHECK(contains(failure.message, ", column "));
    }
  }
  SUBCASE("the location points at the offending line") {
    const Failure failure = failure_of([] { Value::from_json("[\n  \"a\",\n  xyz]"); });
    CHECK(failure.code == ErrorCode::parse);
    CHECK(contains(failure.message, "line 3, column "));
    const Failure first_line = failure_of([] { Value::from_json("[1,,2]"); });
    CHECK(contains(first_line.message, "line 1, column 4"));
  }
  SUBCASE("objects and non-string array elements are refused") {
    const Failure object = failure_of([] { Value::from_json(R"({"a": 1})"); });
    CHECK(object.code == ErrorCode::parse);
    CHECK(contains(object.message, "object"));
    CHECK(failure_of([] { Value::from_json("{}"); }).code == ErrorCode::parse);

    const Failure number_element = failure_of([] { Value::from_json(R"(["a", 1])"); });
    CHECK(number_element.code == ErrorCode::parse);
    CHECK(contains(number_element.message, "element 1"));
    for (const std::string_view json : {"[1]", "[null]", "[true]", "[[\"a\"]]", "[{}]", "[\"a\", \"b\", 2.5]"}) {
      CAPTURE(json);
      CHECK(failure_of([&] { Value::from_json(json); }).code == ErrorCode::parse);
    }
  }
  SUBCASE("reals beyond the double range are refused") {
    for (const std::string_view json : {"1e400", "-1e400", "[\"a\", 1e400]"}) {
      CAPTURE(json);
      const Failure failure = failure_of([&] { Value::from_json(json); });
      CHECK(failure.thrown);
      CHECK(failure.code == ErrorCode::parse);
    }
  }
  SUBCASE("integers beyond 64 bits are refused, not approximated") {
    for (const std::string_view json : {"9223372036854775808", "18446744073709551615", "100000000000000000000",
                                        "-9223372036854775809", " 18446744073709551616 "}) {
      CAPTURE(json);
      const Failure failure = failure_of([&] { Value::from_json(json); });
      CHECK(failure.code == ErrorCode::parse);
      CHECK(contains(failure.message, "does not fit"));
    }
  }
}

TEST_CASE("Value: JSON round trips") {
  SUBCASE("kinds that JSON represents natively come back identical") {
    const Value values[] = {Value(),
                            Value(true),
                            Value(false),
                            Value(0),
                            Value(-12),
                            Value(int64_max),
                            Value(int64_min),
                            Value(1.5),
                            Value(1.0),
                            Value(-0.0025),
                            Value(0.1 + 0.2),
                            Value(1e300),
                            Value(-1e-300),
                            Value(5e-324),
                            Value(std::numeric_limits<double>::max()),
                            Value(""),
                            Value("text with \"quotes\", \\ and \n"),
                            Value("caf\xc3\xa9"),
                            Value(StringList{}),
                            Value(StringList{"a", "b;c", "\"d\""})};
    for (const Value& value : values) {
      CAPTURE(value);
      const Value back = Value::from_json(value.to_json());
      CHECK(back.kind() == value.kind());
      CHECK(back == value);
    }
  }
  SUBCASE("decimal, date, datetime and id come back as their canonical text") {
    CHECK(Value::from_json(Value(dec("1234.50")).to_json()) == Value("1234.50"));
    CHECK(Decimal::parse(Value::from_json(Value(dec("-0.05")).to_json()).as_string()).to_string() == "-0.05");
    const Date date = Date::parse("2024-02-29");
    CHECK(Date::parse(Value::from_json(Value(date).to_json()).as_string()) == date);
    const DateTime instant = DateTime::parse("1969-12-31T23:59:59.999999Z");
    CHECK(DateTime::parse(Value::from_json(Value(instant).to_json()).as_string()) == instant);
    CHECK(Value::from_json(Value(RecordId{"001"}).to_json()) == Value("001"));
  }
  SUBCASE("non-finite reals become null") {
    CHECK(Value::from_json(Value(std::nan("")).to_json()).is_null());
  }
}

TEST_CASE("Value: equality") {
  CHECK(Value(dec("1.50")) == Value(dec("1.5")));  // decimals compare numerically
  CHECK(Value(1) != Value(1.0));                    // different kinds never compare equal
  CHECK(Value("a") != Value(RecordId{"a"}));
  CHECK(Value() == Value(nullptr));
  CHECK(Value(StringList{"a"}) == Value(StringList{"a"}));
  CHECK(Value(StringList{"a"}) != Value(StringList{"a", "b"}));
}

TEST_CASE("to_string(ValueKind) names every kind") {
  using hotcrm::to_string;
  CHECK(to_string(ValueKind::null) == "null");
  CHECK(to_string(ValueKind::boolean) == "boolean");
  CHECK(to_string(ValueKind::integer) == "integer");
  CHECK(to_string(ValueKind::real) == "real");
  CHECK(to_string(ValueKind::decimal) == "decimal");
  CHECK(to_string(ValueKind::text) == "text");
  CHECK(to_string(ValueKind::date) == "date");
  CHECK(to_string(ValueKind::datetime) == "datetime");
  CHECK(to_string(ValueKind::id) == "id");
  CHECK(to_string(ValueKind::list) == "list");
  // Kinds follow the order of the variant alternatives.
  CHECK(Value(RecordId{"x"}).kind() == ValueKind::id);
  CHECK(static_cast<int>(ValueKind::list) == 9);
}
