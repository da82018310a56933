// Business calendars: validation of weekly hours and holidays, and the day-by-day walk over open
// spans that answers every query, with whole weeks skipped arithmetically when nothing (holiday or
// clock change) interferes.

#include "hotcrm/time/business_calendar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include "hotcrm/error.hpp"
#include "core/civil.hpp"
#include "time/zone_data.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

using detail::floor_div;
using detail::micros_per_minute;
using detail::micros_per_second;
using detail::seconds_per_day;

constexpr int minutes_per_day = 1440;
constexpr std::int64_t seconds_per_week = 7 * seconds_per_day;
/// Give up looking for open time after this many consecutive closed days (every open day a holiday).
constexpr int max_closed_days = 3660;
/// A wall time is shown by at most two instants within +-26 hours of it (RFC 8536's offset bound);
/// a segment covering [midnight - 27 h, midnight + 51 h] maps every wall time of that day uniquely.
constexpr std::int64_t margin_before = 27 * 3600;
constexpr std::int64_t margin_after = 51 * 3600;

/// Instants within +-2^62 us (about 146,000 years) of 1970: far enough for any business, and near
/// enough that the walk's arithmetic in seconds and microseconds never overflows.
constexpr std::int64_t max_instant_micros = std::int64_t{1} << 62;
constexpr std::int64_t max_walk_day = max_instant_micros / detail::micros_per_day;

constexpr const char* weekday_names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

void validate_range(const TimeRange& range, std::string_view where) {
  if (range.start_minute < 0 || range.end_minute > minutes_per_day || range.start_minute >= range.end_minute) {
    throw UsageError(ErrorCode::usage,
                     fmt::format("business calendar: {} range {}..{} (minutes) is invalid: it needs 0 <= start < end "
                                 "<= 1440 (24:00)",
                                 where, range.start_minute, range.end_minute));
  }
}

std::string minute_text(int minute) { return fmt::format("{:02}:{:02}", minute / 60, minute % 60); }

/// Removes `closed` from the sorted, disjoint `ranges`.
void subtract(std::vector<TimeRange>& ranges, const TimeRange& closed) {
  std::vector<TimeRange> kept;
  kept.reserve(ranges.size() + 1);
  for (const TimeRange& range : ranges) {
    if (range.end_minute <= closed.start_minute || range.start_minute >= closed.end_minute) {
      kept.push_back(range);
      continue;
    }
    if (range.start_minute < closed.start_minute) kept.push_back({range.start_minute, closed.start_minute});
    if (range.end_minute > closed.end_minute) kept.push_back({closed.end_minute, range.end_minute});
  }
  ranges.swap(kept);
}

void check_in_range(DateTime instant) {
  if (instant.micros > max_instant_micros || instant.micros < -max_instant_micros) {
    throw UsageError(ErrorCode::usage, fmt::format("business calendar: instant {} is too far from 1970 (more than "
                                                   "2^62 microseconds)",
                                                   instant.micros));
  }
}

std::int64_t checked_minutes_to_micros(std::int64_t minutes) {
  std::int64_t micros = 0;
  if (__builtin_mul_overflow(minutes, micros_per_minute, &micros)) {
    throw UsageError(ErrorCode::usage, fmt::format("business calendar: {} minutes is out of range", minutes));
  }
  return micros;
}

}  // namespace

// ---- TimeRange, WeeklyHours --------------------------------------------------------------------

TimeRange TimeRange::parse(std::string_view text) {
  auto clock = [&](std::size_t at) -> int {
    if (at + 5 > text.size() || text[at + 2] != ':') return -1;
    for (std::size_t i : {at, at + 1, at + 3, at + 4}) {
      if (text[i] < '0' || text[i] > '9') return -1;
    }
    const int hours = (text[at] - '0') * 10 + (text[at + 1] - '0');
    const int minutes = (text[at + 3] - '0') * 10 + (text[at + 4] - '0');
    if (hours > 24 || minutes > 59 || (hours == 24 && minutes != 0)) return -1;
    return hours * 60 + minutes;
  };
  const int start = text.size() == 11 && text[5] == '-' ? clock(0) : -1;
  const int end = start >= 0 ? clock(6) : -1;
  if (start < 0 || end < 0) {
    throw Error(ErrorCode::parse, fmt::format("business calendar: invalid time range \"{}\": expected HH:MM-HH:MM "
                                              "such as 09:00-17:00 (24:00 for midnight at the end)",
                                              text));
  }
  TimeRange range{start, end};
  validate_range(range, fmt::format("time range \"{}\"", text));
  return range;
}

std::string TimeRange::to_string() const { return minute_text(start_minute) + "-" + minute_text(end_minute); }

WeeklyHours& WeeklyHours::set(Weekday day, std::vector<TimeRange> ranges) {
  days[static_cast<std::size_t>(day)] = std::move(ranges);
  return *this;
}

WeeklyHours WeeklyHours::weekdays(const std::vector<TimeRange>& ranges) {
  WeeklyHours hours;
  for (int day = 1; day <= 5; ++day) hours.days[static_cast<std::size_t>(day)] = ranges;
  return hours;
}

WeeklyHours WeeklyHours::always_open() {
  WeeklyHours hours;
  for (auto& day : hours.days) day = {TimeRange{0, minutes_per_day}};
  return hours;
}

// ---- BusinessCalendar: construction -------------------------------------------------------------

BusinessCalendar::BusinessCalendar(TimeZone zone, WeeklyHours hours, std::vector<Holiday> holidays)
    : zone_(std::move(zone)), hours_(std::move(hours)) {
  for (std::size_t day = 0; day < 7; ++day) {
    auto& ranges = hours_.days[day];
    for (const TimeRange& range : ranges) validate_range(range, weekday_names[day]);
    std::sort(ranges.begin(), ranges.end(),
              [](const TimeRange& a, const TimeRange& b) { return a.start_minute < b.start_minute; });
    std::vector<TimeRange> merged;
    for (const TimeRange& range : ranges) {
      if (!merged.empty() && range.start_minute < merged.back().end_minute) {
        throw UsageError(ErrorCode::usage, fmt::format("business calendar: {} ranges {} and {} overlap",
                                                       weekday_names[day], merged.back().to_string(), range.to_string()));
      }
      if (!merged.empty() && range.start_minute == merged.back().end_minute) {
        merged.back().end_minute = range.end_minute;  // 09:00-12:00 and 12:00-13:00 are one range
      } else {
        merged.push_back(range);
      }
      week_micros_ += std::int64_t{range.end_minute - range.start_minute} * micros_per_minute;
    }
    ranges = std::move(merged);
  }
  if (week_micros_ == 0) {
    throw UsageError(ErrorCode::usage,
                     fmt::format("business calendar in zone '{}' has no open hours: every weekday is closed, so no "
                                 "deadline could ever be reached",
                                 zone_.name()));
  }
  for (const Holiday& holiday : holidays) {
    if (holiday.closed) validate_range(*holiday.closed, "holiday " + holiday.date.to_string());
    has_holidays_ = true;
    if (holiday.recurring_yearly) {
      yearly_holidays_.push_back({holiday.date.month(), holiday.date.day(), holiday.closed});
      yearly_days_[static_cast<std::size_t>(holiday.date.month())] |= 1u << holiday.date.day();
    } else {
      dated_holidays_.push_back({holiday.date.days, holiday.closed});
    }
  }
  std::sort(dated_holidays_.begin(), dated_holidays_.end(),
            [](const DatedHoliday& a, const DatedHoliday& b) { return a.day < b.day; });
  std::sort(yearly_holidays_.begin(), yearly_holidays_.end(), [](const YearlyHoliday& a, const YearlyHoliday& b) {
    return a.month != b.month ? a.month < b.month : a.day < b.day;
  });
}

std::int64_t BusinessCalendar::next_holiday_day(std::int64_t day) const {
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  const auto dated = std::lower_bound(dated_holidays_.begin(), dated_holidays_.end(), day,
                                      [](const DatedHoliday& holiday, std::int64_t d) { return holiday.day < d; });
  if (dated != dated_holidays_.end()) best = dated->day;
  if (!yearly_holidays_.empty()) {
    const std::int64_t year = detail::civil_from_days(day).year;
    for (const YearlyHoliday& holiday : yearly_holidays_) {
      // February 29 recurs in leap years only: look up to 8 years ahead (2096 -> 2104).
      for (std::int64_t y = year; y <= year + 8; ++y) {
        if (holiday.day > detail::days_in_month(y, holiday.month)) continue;
        const std::int64_t candidate = detail::days_from_civil(y, holiday.month, holiday.day);
        if (candidate >= day) {
          best = std::min(best, candidate);
          break;
        }
      }
    }
  }
  return best;
}

void BusinessCalendar::closures_on(std::int64_t day, std::vector<TimeRange>& out) const {
  out.clear();
  const auto dated = std::lower_bound(dated_holidays_.begin(), dated_holidays_.end(), day,
                                      [](const DatedHoliday& holiday, std::int64_t d) { return holiday.day < d; });
  for (auto it = dated; it != dated_holidays_.end() && it->day == day; ++it) {
    out.push_back(it->closed.value_or(TimeRange{0, minutes_per_day}));
  }
  if (!yearly_holidays_.empty()) {
    const detail::CivilDay civil = detail::civil_from_days(day);
    if (!((yearly_days_[static_cast<std::size_t>(civil.month)] >> civil.day) & 1u)) return;
    for (const YearlyHoliday& holiday : yearly_holidays_) {
      if (holiday.month == civil.month && holiday.day == civil.day) {
        out.push_back(holiday.closed.value_or(TimeRange{0, minutes_per_day}));
      }
    }
  }
}

// ---- BusinessCalendar: the walk ---------------------------------------------------------------

/// Produces the open spans (UTC microseconds) of successive local days, remembering the zone
/// segment in force so that days far from any clock change cost no zone lookup.
class BusinessCalendar::Walker {
 public:
  explicit Walker(const BusinessCalendar& calendar) : calendar_(calendar), zone_(calendar.zone_.data()) {}

  /// Calls visit(Span) for each open span of local day `day` (days since 1970-01-01), in order,
  /// empty ones dropped, until visit returns true; returns true when it did. No allocation unless
  /// a holiday closes part of the day.
  template <class Visit>
  bool visit_spans(std::int64_t day, Visit&& visit) {
    const auto& weekly = calendar_.hours_.days[static_cast<std::size_t>(detail::weekday_from_days(day))];
    if (weekly.empty()) return false;
    const std::vector<TimeRange>* ranges = &weekly;
    if (calendar_.has_holidays_) {
      calendar_.closures_on(day, closures_);
      if (!closures_.empty()) {
        trimmed_ = weekly;
        for (const TimeRange& closed : closures_) subtract(trimmed_, closed);
        ranges = &trimmed_;
      }
    }
    const std::int64_t midnight = day * seconds_per_day;  // local seconds
    const std::optional<std::int32_t> offset = uniform_offset(midnight);
    for (const TimeRange& range : *ranges) {
      const std::int64_t start_local = midnight + range.start_minute * 60LL;
      const std::int64_t end_local = midnight + range.end_minute * 60LL;
      const std::int64_t begin = offset ? start_local - *offset : first_reading(start_local);
      const std::int64_t end = offset ? end_local - *offset : first_reading(end_local);
      if (begin < end && visit(Span{begin * micros_per_second, end * micros_per_second})) return true;
    }
    return false;
  }

  /// How many whole weeks from local day `day` on contain no holiday and no clock change, so that
  /// each is worth exactly week_micros_ and shifts instants by exactly 7 days; 0 when unsure.
  std::int64_t quiet_weeks_from(std::int64_t day) {
    const std::int64_t midnight = day * seconds_per_day;
    const std::optional<std::int32_t> offset = uniform_offset(midnight);
    if (!offset) return 0;
    const std::int64_t utc_midnight = midnight - *offset;
    std::int64_t weeks = std::numeric_limits<std::int64_t>::max();
    if (segment_.end != detail::no_later_transition) {
      weeks = (segment_.end - utc_midnight - margin_after) / seconds_per_week;
    }
    // The first holiday on or after `day` stays the answer for every day up to it.
    if (!(holiday_asked_from_ <= day && day <= next_holiday_)) {
      holiday_asked_from_ = day;
      next_holiday_ = calendar_.next_holiday_day(day);
    }
    const std::int64_t holiday = next_holiday_;
    if (holiday != std::numeric_limits<std::int64_t>::max()) weeks = std::min(weeks, (holiday - day) / 7);
    return std::max<std::int64_t>(weeks, 0);
  }

  /// UTC seconds of local midnight of `day` when its offset is uniform (see uniform_offset).
  std::optional<std::int64_t> utc_midnight(std::int64_t day) {
    const std::int64_t midnight = day * seconds_per_day;
    const auto offset = uniform_offset(midnight);
    if (!offset) return std::nullopt;
    return midnight - *offset;
  }

 private:
  /// The offset that maps every wall time of the local day starting at `midnight` (local seconds),
  /// when one segment covers all instants that could show them; nullopt near a clock change.
  std::optional<std::int32_t> uniform_offset(std::int64_t midnight) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (has_segment_) {
        const std::int32_t offset = zone_.types[segment_.type].offset;
        const std::int64_t utc = midnight - offset;
        if (segment_.begin <= utc - margin_before && utc + margin_after < segment_.end) return offset;
      }
      if (attempt == 0) {
        // Probe where the day's instants would be with the offset in force a day earlier.
        const std::int64_t probe = midnight - zone_.type_at(midnight - seconds_per_day).offset;
        segment_ = zone_.segment_at(probe);
        has_segment_ = true;
      }
    }
    return std::nullopt;
  }

  /// The first instant at which the wall clock shows `local` or later: the first occurrence in a
  /// fold, the jump in a gap. Monotone in `local`, so spans never overlap or go backwards.
  std::int64_t first_reading(std::int64_t local) const {
    const detail::ZoneData::Resolution found = zone_.resolve(local);
    return found.kind == LocalTimeResolution::Kind::skipped ? found.transition : found.first;
  }

  const BusinessCalendar& calendar_;
  const detail::ZoneData& zone_;
  detail::Segment segment_;
  bool has_segment_ = false;
  std::int64_t holiday_asked_from_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t next_holiday_ = std::numeric_limits<std::int64_t>::min();
  std::vector<TimeRange> closures_;
  std::vector<TimeRange> trimmed_;
};

namespace {
std::int64_t local_day_of(const TimeZone& zone, DateTime instant) {
  return floor_div(floor_div(instant.micros, micros_per_second) + zone.offset_at(instant), seconds_per_day);
}
}  // namespace

bool BusinessCalendar::is_open(DateTime instant) const {
  check_in_range(instant);
  Walker walker(*this);
  const std::int64_t day = local_day_of(zone_, instant);
  // The neighbours too: around a fold at midnight an instant's wall date and its range's date differ.
  for (std::int64_t d = day - 1; d <= day + 1; ++d) {
    const bool inside = walker.visit_spans(
        d, [&](const Span& span) { return span.begin <= instant.micros && instant.micros < span.end; });
    if (inside) return true;
  }
  return false;
}

DateTime BusinessCalendar::next_open(DateTime instant) const { return add_business_micros(instant, 0); }

DateTime BusinessCalendar::add_business_minutes(DateTime start, std::int64_t minutes) const {
  if (minutes < 0) {
    throw UsageError(ErrorCode::usage,
                     fmt::format("business calendar: cannot add {} minutes: business time to add must be >= 0", minutes));
  }
  return add_business_micros(start, checked_minutes_to_micros(minutes));
}

DateTime BusinessCalendar::add_business_micros(DateTime start, std::int64_t micros) const {
  if (micros < 0) {
    throw UsageError(ErrorCode::usage, fmt::format("business calendar: cannot add {} microseconds: business time to "
                                                   "add must be >= 0",
                                                   micros));
  }
  check_in_range(start);
  Walker walker(*this);
  std::int64_t remaining = micros;
  const std::int64_t start_day = local_day_of(zone_, start);
  int closed_days = 0;
  for (std::int64_t day = start_day - 1;; ++day) {
    // Whole quiet weeks strictly after the start are worth week_micros_ each: skip them, keeping
    // at least one microsecond to place by walking.
    if (day > start_day && remaining > week_micros_) {
      const std::int64_t weeks = std::min(walker.quiet_weeks_from(day), (remaining - 1) / week_micros_);
      if (weeks > 0) {
        remaining -= weeks * week_micros_;
        day += weeks * 7;
      }
    }
    if (day > max_walk_day) {
      throw UsageError(ErrorCode::usage, fmt::format("business calendar: adding {} us of business time to {} goes "
                                                     "beyond the representable range",
                                                     micros, start.to_string()));
    }
    bool open_time_seen = false;
    std::int64_t result = 0;
    const bool done = walker.visit_spans(day, [&](const Span& span) {
      if (span.end <= start.micros) return false;
      open_time_seen = true;
      const std::int64_t from = std::max(span.begin, start.micros);
      const std::int64_t length = span.end - from;
      if (remaining == 0 || length >= remaining) {
        result = from + remaining;
        return true;
      }
      remaining -= length;
      return false;
    });
    if (done) return DateTime{result};
    if (open_time_seen || day < start_day) {
      closed_days = 0;
    } else if (++closed_days > max_closed_days) {
      throw UsageError(ErrorCode::usage,
                       fmt::format("business calendar in zone '{}': no open business hours within {} days after {} "
                                   "(every open day is a holiday)",
                                   zone_.name(), max_closed_days, start.to_string()));
    }
  }
}

std::int64_t BusinessCalendar::business_micros_between(DateTime a, DateTime b) const {
  if (b < a) return -business_micros_between(b, a);
  check_in_range(a);
  check_in_range(b);
  Walker walker(*this);
  const std::int64_t first_day = local_day_of(zone_, a);
  const std::int64_t last_day = local_day_of(zone_, b) + 1;
  const std::int64_t b_seconds = floor_div(b.micros, micros_per_second);
  std::int64_t total = 0;
  for (std::int64_t day = first_day - 1; day <= last_day; ++day) {
    if (day > first_day) {
      if (const auto midnight = walker.utc_midnight(day); midnight && b_seconds - *midnight >= seconds_per_week) {
        const std::int64_t weeks = std::min(walker.quiet_weeks_from(day), (b_seconds - *midnight) / seconds_per_week);
        if (weeks > 0) {
          total += weeks * week_micros_;
          day += weeks * 7;
          if (day > last_day) break;
        }
      }
    }
    const bool past_b = walker.visit_spans(day, [&](const Span& span) {
      if (span.begin >= b.micros) return true;
      const std::int64_t from = std::max(span.begin, a.micros);
      const std::int64_t to = std::min(span.end, b.micros);
      if (to > from) total += to - from;
      return false;
    });
    if (past_b) return total;
  }
  return total;
}

std::int64_t BusinessCalendar::business_minutes_between(DateTime a, DateTime b) const {
  return business_micros_between(a, b) / micros_per_minute;
}

}  // namespace v0
}  // namespace hotcrm
