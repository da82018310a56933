// Cron expressions: parsing with field/column diagnostics, and the search for the next run in a
// time zone with Vixie cron's handling of clock changes.

#include "hotcrm/time/cron.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "hotcrm/error.hpp"
#include "core/civil.hpp"
#include "time/zone_data.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

using detail::floor_div;
using detail::micros_per_second;
using detail::seconds_per_day;
using detail::seconds_per_hour;

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const std::array<const char*, 13>* names;  ///< names[value - names_base], or nullptr
  int names_base;
};

constexpr std::array<const char*, 13> month_names = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
                                                      "AUG", "SEP", "OCT", "NOV", "DEC", nullptr};
constexpr std::array<const char*, 13> day_names = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT",
                                                    nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};

constexpr FieldSpec field_specs[5] = {
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day-of-month", 1, 31, nullptr, 0},
    {"month", 1, 12, &month_names, 1},
    {"day-of-week", 0, 7, &day_names, 0},
};

[[noreturn]] void fail(std::string message) { throw Error(ErrorCode::parse, "cron: " + std::move(message)); }

/// One field's text and where it starts in the expression (0-based).
struct FieldText {
  std::string_view text;
  std::size_t offset;
};

class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, FieldText field) : spec_(spec), field_(field) {}

  /// The set of values (bit v = value v) the field names.
  std::uint64_t parse() {
    std::uint64_t bits = 0;
    std::size_t item_start = 0;
    for (std::size_t i = 0; i <= field_.text.size(); ++i) {
      if (i == field_.text.size() || field_.text[i] == ',') {
        if (i == item_start) fail(fmt::format("{} field has an empty list item at column {}", spec_.name, column(item_start)));
        bits |= item(item_start, i);
        item_start = i + 1;
      }
    }
    return bits;
  }

 private:
  std::size_t column(std::size_t position_in_field) const { return field_.offset + position_in_field + 1; }

  /// "*", "*/s", "a", "a-b", "a-b/s".
  std::uint64_t item(std::size_t begin, std::size_t end) {
    const std::string_view text = field_.text.substr(begin, end - begin);
    const std::size_t slash = text.find('/');
    const std::string_view range = text.substr(0, slash);
    int low = spec_.min, high = spec_.max, step = 1;
    if (range == "*") {
      // the whole range
    } else {
      const std::size_t dash = range.find('-');
      low = value(range.substr(0, dash), begin);
      high = low;
      if (dash != std::string_view::npos) {
        high = value(range.substr(dash + 1), begin + dash + 1);
        if (high < low) {
          fail(fmt::format("{} field range '{}' is reversed (write the smaller value first) at column {}", spec_.name,
                           range, column(begin)));
        }
      } else if (slash != std::string_view::npos) {
        fail(fmt::format("{} field step '{}' needs '*' or a range before the '/' at column {}", spec_.name, text,
                         column(begin)));
      }
    }
    if (slash != std::string_view::npos) {
      const std::string_view step_text = text.substr(slash + 1);
      const std::size_t step_column = column(begin + slash + 1);
      const int largest_step = spec_.max - spec_.min + 1;
      const auto parsed = number(step_text);
      if (!parsed) fail(fmt::format("{} field step '{}' is not a number at column {}", spec_.name, step_text, step_column));
      if (*parsed < 1 || *parsed > largest_step) {
        fail(fmt::format("{} field step '{}' out of range 1-{} at column {}", spec_.name, step_text, largest_step,
                         step_column));
      }
      step = *parsed;
    }
    std::uint64_t bits = 0;
    for (int v = low; v <= high; v += step) bits |= std::uint64_t{1} << v;
    return bits;
  }

  static std::optional<int> number(std::string_view text) {
    if (text.empty() || text.size() > 4) return std::nullopt;
    int value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    return value;
  }

  int value(std::string_view text, std::size_t position) {
    if (text.empty()) fail(fmt::format("{} field is missing a value at column {}", spec_.name, column(position)));
    if (spec_.names != nullptr && std::isalpha(static_cast<unsigned char>(text.front()))) {
      for (std::size_t i = 0; i < spec_.names->size() && (*spec_.names)[i] != nullptr; ++i) {
        const std::string_view name = (*spec_.names)[i];
        if (text.size() == 3 && std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) {
              return std::toupper(static_cast<unsigned char>(a)) == b;
            })) {
          return static_cast<int>(i) + spec_.names_base;
        }
      }
      fail(fmt::format("{} field name '{}' is not one of {}-{} at column {}", spec_.name, text, (*spec_.names)[0],
                       spec_.names == &month_names ? "DEC" : "SAT", column(position)));
    }
    const auto parsed = number(text);
    if (!parsed) fail(fmt::format("{} field value '{}' is not a number at column {}", spec_.name, text, column(position)));
    if (*parsed < spec_.min || *parsed > spec_.max) {
      fail(fmt::format("{} field '{}' out of range {}-{} at column {}", spec_.name, text, spec_.min, spec_.max,
                       column(position)));
    }
    return *parsed;
  }

  const FieldSpec& spec_;
  FieldText field_;
};

/// The macro's standard expansion, or nullopt for an unknown macro.
std::optional<std::string_view> expand_macro(std::string_view macro) {
  std::string lower(macro);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "@yearly" || lower == "@annually") return "0 0 1 1 *";
  if (lower == "@monthly") return "0 0 1 * *";
  if (lower == "@weekly") return "0 0 * * 0";
  if (lower == "@daily" || lower == "@midnight") return "0 0 * * *";
  if (lower == "@hourly") return "0 * * * *";
  return std::nullopt;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::vector<FieldText> split_fields(std::string_view text) {
  std::vector<FieldText> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_blank(text[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && !is_blank(text[i])) ++i;
    fields.push_back({text.substr(start, i - start), start});
  }
  return fields;
}

int lowest_bit(std::uint64_t bits) { return __builtin_ctzll(bits); }

}  // namespace

CronSchedule CronSchedule::parse(std::string_view expression, TimeZone zone) {
  for (std::size_t i = 0; i < expression.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(expression[i]);
    if (c < 0x20 && c != '\t') fail(fmt::format("control character 0x{:02x} at column {}", c, i + 1));
    if (c >= 0x7F) fail(fmt::format("non-ASCII byte 0x{:02x} at column {}", c, i + 1));
  }
  std::vector<FieldText> fields = split_fields(expression);
  std::string expanded;
  if (!fields.empty() && fields.front().text.front() == '@') {
    if (fields.size() != 1) {
      fail(fmt::format("macro '{}' takes no fields after it, found '{}' at column {}", fields[0].text, fields[1].text,
                       fields[1].offset + 1));
    }
    const auto expansion = expand_macro(fields.front().text);
    if (!expansion) {
      fail(fmt::format("unknown macro '{}' at column {} (known: @yearly, @annually, @monthly, @weekly, @daily, "
                       "@midnight, @hourly)",
                       fields.front().text, fields.front().offset + 1));
    }
    // Columns in an expansion are meaningless but never reported: expansions are valid.
    expanded = std::string(*expansion);
    fields = split_fields(expanded);
  }
  if (fields.size() != 5) {
    fail(fmt::format("expected 5 fields (minute hour day-of-month month day-of-week), found {} in '{}'",
                     fields.size(), expression));
  }
  CronSchedule schedule;
  schedule.expression_ = std::string(expression);
  schedule.zone_ = std::move(zone);
  schedule.minutes_ = FieldParser(field_specs[0], fields[0]).parse();
  schedule.hours_ = static_cast<std::uint32_t>(FieldParser(field_specs[1], fields[1]).parse());
  schedule.days_of_month_ = static_cast<std::uint32_t>(FieldParser(field_specs[2], fields[2]).parse());
  schedule.months_ = static_cast<std::uint16_t>(FieldParser(field_specs[3], fields[3]).parse());
  std::uint64_t weekdays = FieldParser(field_specs[4], fields[4]).parse();
  if (weekdays & (1u << 7)) weekdays = (weekdays | 1u) & 0x7Fu;  // 7 is Sunday too
  schedule.days_of_week_ = static_cast<std::uint8_t>(weekdays);
  schedule.wildcard_time_ = fields[0].text.front() == '*' || fields[1].text.front() == '*';
  schedule.day_of_month_star_ = fields[2].text.front() == '*';
  schedule.day_of_week_star_ = fields[4].text.front() == '*';

  // With day-of-week unrestricted only day-of-month picks days: refuse dates that never exist
  // ("0 0 30 2 *"), which would otherwise make next_after search forever.
  if (schedule.day_of_week_star_) {
    bool possible = false;
    for (int month = 1; month <= 12 && !possible; ++month) {
      if (!(schedule.months_ & (1u << month))) continue;
      const int longest = detail::days_in_month(2000, month);  // a leap year: February 29 counts
      possible = (schedule.days_of_month_ & ((std::uint64_t{2} << longest) - 2)) != 0;
    }
    if (!possible) {
      fail(fmt::format("day-of-month field '{}' never falls in month field '{}': the schedule would never run, "
                       "at column {}",
                       fields[2].text, fields[3].text, fields[2].offset + 1));
    }
  }
  return schedule;
}

bool CronSchedule::day_matches(int day_of_month, int month, int weekday) const noexcept {
  if (!(months_ & (1u << month))) return false;
  const bool by_day_of_month = (days_of_month_ >> day_of_month) & 1u;
  const bool by_day_of_week = (days_of_week_ >> weekday) & 1u;
  // Vixie cron: OR when both fields are restricted, AND (i.e. only the restricted one) otherwise.
  if (day_of_month_star_ || day_of_week_star_) return by_day_of_month && by_day_of_week;
  return by_day_of_month || by_day_of_week;
}

bool CronSchedule::matches(LocalDateTime local) const noexcept {
  const std::int64_t days = floor_div(local.micros, detail::micros_per_day);
  const detail::CivilDay civil = detail::civil_from_days(days);
  return day_matches(civil.day, civil.month, detail::weekday_from_days(days)) && ((hours_ >> local.hour()) & 1u) &&
         ((minutes_ >> local.minute()) & 1u);
}

std::int64_t CronSchedule::next_matching_minute(std::int64_t local_seconds) const {
  std::int64_t at = floor_div(local_seconds + 59, 60) * 60;  // round up to a whole minute
  // Each step skips a whole month, day, hour or minute; parse() refused schedules that never
  // match, so the longest search (February 29 of a year that also suits the weekday) is short.
  for (int guard = 0; guard < 1'000'000; ++guard) {
    const std::int64_t days = floor_div(at, seconds_per_day);
    const std::int64_t second_of_day = at - days * seconds_per_day;
    const detail::CivilDay civil = detail::civil_from_days(days);
    if (!(months_ & (1u << civil.month))) {
      const bool december = civil.month == 12;
      at = detail::days_from_civil(civil.year + (december ? 1 : 0), december ? 1 : civil.month + 1, 1) * seconds_per_day;
      continue;
    }
    if (!day_matches(civil.day, civil.month, detail::weekday_from_days(days))) {
      at = (days + 1) * seconds_per_day;
      continue;
    }
    const int hour = static_cast<int>(second_of_day / seconds_per_hour);
    if (!((hours_ >> hour) & 1u)) {
      at = days * seconds_per_day + (hour + 1) * seconds_per_hour;
      continue;
    }
    const int minute = static_cast<int>(second_of_day % seconds_per_hour / 60);
    const std::uint64_t later_minutes = minutes_ >> minute << minute;
    if (later_minutes == 0) {
      at = days * seconds_per_day + (hour + 1) * seconds_per_hour;
      continue;
    }
    return days * seconds_per_day + hour * seconds_per_hour + lowest_bit(later_minutes) * 60;
  }
  throw Error(ErrorCode::internal, fmt::format("cron: no match found for '{}' (a bug: parse should have refused it)",
                                               expression_));
}

DateTime CronSchedule::next_after(DateTime after) const {
  const detail::ZoneData& zone = zone_.data();
  const std::int64_t after_seconds = floor_div(after.micros, micros_per_second);
  // A run after `after` shows a wall time of at least after + (smallest offset from then on), and a
  // wall time L can only produce instants from L - (largest offset) on: that bounds the search.
  const std::int64_t smallest_offset = zone.min_offset_from(after_seconds);
  const std::int64_t largest_offset = zone.max_offset_from(after_seconds);
  std::optional<std::int64_t> best;
  auto consider = [&](std::int64_t instant) {
    // Runs are on whole seconds, so "after `after`" (which may have microseconds) is "after its second".
    if (instant > after_seconds && (!best || instant < *best)) best = instant;
  };
  // Without a clock change between `after` and the best run so far, no later wall time can give an
  // earlier run (wall times map onto instants in order): the common case needs one candidate.
  const std::int64_t quiet_until = zone.segment_at(after_seconds).end;
  std::int64_t local = next_matching_minute(after_seconds + smallest_offset);
  for (int guard = 0; guard < 100'000; ++guard) {
    if (best && (local - largest_offset > *best || *best < quiet_until)) break;
    const detail::ZoneData::Resolution found = zone.resolve(local);
    switch (found.kind) {
      case LocalTimeResolution::Kind::unique:
        consider(found.first);
        break;
      case LocalTimeResolution::Kind::repeated:
        consider(found.first);
        if (wildcard_time_) consider(found.second);
        break;
      case LocalTimeResolution::Kind::skipped:
        if (!wildcard_time_) consider(found.transition);
        break;
    }
    local = next_matching_minute(local + 60);
  }
  if (!best) {
    throw Error(ErrorCode::internal, fmt::format("cron: no run found for '{}' after {}", expression_, after.to_string()));
  }
  std::int64_t micros = 0;
  if (__builtin_mul_overflow(*best, micros_per_second, &micros)) {
    throw UsageError(ErrorCode::usage, fmt::format("cron: the run of '{}' after {} is out of the representable range",
                                                   expression_, after.to_string()));
  }
  return DateTime{micros};
}

std::vector<DateTime> CronSchedule::occurrences_between(DateTime from, DateTime to, std::size_t limit) const {
  std::vector<DateTime> runs;
  DateTime cursor = from;
  while (runs.size() < limit && cursor < to) {
    const DateTime next = next_after(cursor);
    if (next > to) break;
    runs.push_back(next);
    cursor = next;
  }
  return runs;
}

}  // namespace v0
}  // namespace hotcrm
