// Date and DateTime: ISO-8601 text <-> days / microseconds since the Unix epoch (UTC).
// Calendar arithmetic is core/civil.hpp's; this file only parses and formats.

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hotcrm/error.hpp"
#include "hotcrm/value.hpp"
#include "core/civil.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

using detail::floor_div;
using detail::micros_per_day;
using detail::micros_per_hour;
using detail::micros_per_minute;
using detail::micros_per_second;

constexpr int min_year = 1;
constexpr int max_year = 9999;
constexpr std::size_t date_length = 10;  // "YYYY-MM-DD"
constexpr int max_fraction_digits = 6;   // microseconds

/// Reads a fixed-width unsigned number of exactly `width` ASCII digits starting at `pos`.
std::optional<int> read_fixed_digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int number = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    number = number * 10 + (text[i] - '0');
  }
  return number;
}

bool has_char_at(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

/// Parses "YYYY-MM-DD" at the start of `text` (what follows is the caller's business).
std::optional<Date> parse_date_prefix(std::string_view text) {
  const auto year = read_fixed_digits(text, 0, 4);
  const auto month = read_fixed_digits(text, 5, 2);
  const auto day = read_fixed_digits(text, 8, 2);
  if (!year || !month || !day || !has_char_at(text, 4, '-') || !has_char_at(text, 7, '-')) return std::nullopt;
  return Date::from_ymd(*year, *month, *day);
}

/// Parses "HH:MM" at `pos` into minutes, with `max_hour` as the largest accepted hour.
std::optional<std::int64_t> parse_hours_minutes(std::string_view text, std::size_t pos, int max_hour) {
  const auto hours = read_fixed_digits(text, pos, 2);
  const auto minutes = read_fixed_digits(text, pos + 3, 2);
  if (!hours || !minutes || !has_char_at(text, pos + 2, ':') || *hours > max_hour || *minutes > 59) {
    return std::nullopt;
  }
  return std::int64_t{*hours} * 60 + *minutes;
}

/// Parses ":SS" and an optional ".f" to ".ffffff" at `pos`; advances `pos` past them.
std::optional<std::int64_t> parse_seconds_as_micros(std::string_view text, std::size_t& pos) {
  const auto seconds = read_fixed_digits(text, pos + 1, 2);
  if (!seconds || *seconds > 59) return std::nullopt;  // leap seconds are not representable
  pos += 3;
  std::int64_t micros = *seconds * micros_per_second;
  if (!has_char_at(text, pos, '.')) return micros;
  ++pos;
  std::int64_t fraction = 0;
  int digit_count = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (++digit_count > max_fraction_digits) return std::nullopt;  // refuse rather than truncate
    fraction = fraction * 10 + (text[pos++] - '0');
  }
  if (digit_count == 0) return std::nullopt;
  for (int padding = digit_count; padding < max_fraction_digits; ++padding) fraction *= 10;
  return micros + fraction;
}

/// Parses the zone suffix at `pos` (nothing, "Z", "+HH:MM" or "-HH:MM") into micros east of UTC.
std::optional<std::int64_t> parse_utc_offset_micros(std::string_view text, std::size_t pos) {
  if (pos == text.size()) return 0;  // no suffix: the text is already UTC
  if (text[pos] == 'Z') return pos + 1 == text.size() ? std::optional<std::int64_t>{0} : std::nullopt;
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  constexpr std::size_t offset_length = 6;  // "+HH:MM"
  if (text.size() - pos != offset_length) return std::nullopt;
  const auto minutes = parse_hours_minutes(text, pos + 1, 23);
  if (!minutes) return std::nullopt;
  const std::int64_t offset = *minutes * micros_per_minute;
  return text[pos] == '-' ? -offset : offset;
}

std::optional<DateTime> parse_date_time(std::string_view text) {
  const auto date = parse_date_prefix(text);
  if (!date || !(has_char_at(text, date_length, 'T') || has_char_at(text, date_length, ' '))) return std::nullopt;
  std::size_t pos = date_length + 1;
  const auto minutes_of_day = parse_hours_minutes(text, pos, 23);
  if (!minutes_of_day) return std::nullopt;
  pos += 5;  // "HH:MM"
  std::int64_t seconds_micros = 0;
  if (has_char_at(text, pos, ':')) {
    const auto parsed = parse_seconds_as_micros(text, pos);
    if (!parsed) return std::nullopt;
    seconds_micros = *parsed;
  }
  const auto offset = parse_utc_offset_micros(text, pos);
  if (!offset) return std::nullopt;
  // Local wall time minus its offset east of UTC is the UTC instant.
  const std::int64_t local_micros =
      DateTime::from_date(*date).micros + *minutes_of_day * micros_per_minute + seconds_micros;
  return DateTime{local_micros - *offset};
}

}  // namespace

// ---- Date ------------------------------------------------------------------------------------

Date Date::parse(std::string_view text) {
  if (auto date = try_parse(text)) return *date;
  throw Error(ErrorCode::parse, fmt::format("invalid date \"{}\": expected a real calendar date as YYYY-MM-DD", text));
}

std::optional<Date> Date::try_parse(std::string_view text) noexcept {
  if (text.size() != date_length) return std::nullopt;
  return parse_date_prefix(text);
}

std::optional<Date> Date::from_ymd(int year, int month, int day) noexcept {
  if (year < min_year || year > max_year || month < 1 || month > 12 || day < 1 ||
      day > detail::days_in_month(year, month)) {
    return std::nullopt;  // 2023-02-29, 2024-04-31, ...
  }
  return Date{static_cast<std::int32_t>(detail::days_from_civil(year, month, day))};
}

int Date::year() const noexcept { return static_cast<int>(detail::civil_from_days(days).year); }
int Date::month() const noexcept { return detail::civil_from_days(days).month; }
int Date::day() const noexcept { return detail::civil_from_days(days).day; }

std::string Date::to_string() const {
  const detail::CivilDay civil = detail::civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}", civil.year, civil.month, civil.day);
}

// ---- DateTime --------------------------------------------------------------------------------

DateTime DateTime::parse(std::string_view text) {
  if (auto instant = try_parse(text)) return *instant;
  throw Error(ErrorCode::parse,
              fmt::format("invalid datetime \"{}\": expected YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional "
                          "\"Z\", \"+HH:MM\" or \"-HH:MM\"",
                          text));
}

std::optional<DateTime> DateTime::try_parse(std::string_view text) noexcept { return parse_date_time(text); }

Date DateTime::date() const noexcept { return Date{static_cast<std::int32_t>(floor_div(micros, micros_per_day))}; }

std::string DateTime::to_string() const {
  const Date day = date();
  // A floored remainder: non-negative even before 1970 (and computed without the day count,
  // which could overflow when multiplied back near the int64 limits).
  const std::int64_t truncated_remainder = micros % micros_per_day;
  const std::int64_t micros_of_day = truncated_remainder < 0 ? truncated_remainder + micros_per_day : truncated_remainder;
  const std::int64_t hours = micros_of_day / micros_per_hour;
  const std::int64_t minutes = micros_of_day % micros_per_hour / micros_per_minute;
  const std::int64_t seconds = micros_of_day % micros_per_minute / micros_per_second;
  const std::int64_t fraction = micros_of_day % micros_per_second;
  std::string text = fmt::format("{}T{:02}:{:02}:{:02}", day.to_string(), hours, minutes, seconds);
  if (fraction != 0) text += fmt::format(".{:06}", fraction);
  text += 'Z';
  return text;
}

}  // namespace v0
}  // namespace hotcrm
