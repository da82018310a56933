#pragma once
// Calendar arithmetic on plain integers, shared by Date/DateTime and the time code: days since
// 1970-01-01 <-> year/month/day for any day count of int64 (Howard Hinnant's algorithms; chrono's
// year stops at +-32767), floor division, and the units of time.

#include <cstdint>

namespace hotcrm::detail {

inline constexpr std::int64_t seconds_per_minute = 60;
inline constexpr std::int64_t seconds_per_hour = 3600;
inline constexpr std::int64_t seconds_per_day = 86'400;
inline constexpr std::int64_t micros_per_second = 1'000'000;
inline constexpr std::int64_t micros_per_minute = 60 * micros_per_second;
inline constexpr std::int64_t micros_per_hour = 60 * micros_per_minute;
inline constexpr std::int64_t micros_per_day = seconds_per_day * micros_per_second;

/// Rounds toward negative infinity (plain `/` truncates toward zero, wrong before 1970).
constexpr std::int64_t floor_div(std::int64_t dividend, std::int64_t divisor) noexcept {
  const std::int64_t quotient = dividend / divisor;
  return (dividend % divisor != 0 && ((dividend < 0) != (divisor < 0))) ? quotient - 1 : quotient;
}

/// The remainder that goes with floor_div (the divisor's sign). Computed from `%`, not as
/// dividend - quotient * divisor, which overflows near the int64 limits.
constexpr std::int64_t floor_mod(std::int64_t dividend, std::int64_t divisor) noexcept {
  const std::int64_t remainder = dividend % divisor;
  return (remainder != 0 && ((remainder < 0) != (divisor < 0))) ? remainder + divisor : remainder;
}

struct CivilDay {
  std::int64_t year;
  int month;  ///< 1-12
  int day;    ///< 1-31
};

constexpr std::int64_t days_from_civil(std::int64_t year, int month, int day) noexcept {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(year, 400);
  const std::int64_t year_of_era = year - era * 400;
  const std::int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;
}

constexpr CivilDay civil_from_days(std::int64_t days) noexcept {
  days += 719'468;
  const std::int64_t era = floor_div(days, 146'097);
  const std::int64_t day_of_era = days - era * 146'097;
  const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * month_index + 2) / 5 + 1);
  const int month = static_cast<int>(month_index < 10 ? month_index + 3 : month_index - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

constexpr bool is_leap_year(std::int64_t year) noexcept {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int days_in_month(std::int64_t year, int month) noexcept {
  constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : lengths[month - 1];
}

/// 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday.
constexpr int weekday_from_days(std::int64_t days) noexcept { return static_cast<int>(floor_mod(days + 4, 7)); }

}  // namespace hotcrm::detail
