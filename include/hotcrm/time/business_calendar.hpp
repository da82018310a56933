#pragma once
// Business hours and holidays in a time zone, and exact arithmetic on business time: SLA deadlines
// ("4 business hours after the case was opened") and elapsed business time between two instants.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/time/time_zone.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

/// Wall-clock minutes [start_minute, end_minute) of one day; 0 <= start < end <= 1440, and 1440
/// ("24:00") is the following midnight.
struct TimeRange {
  int start_minute = 0;
  int end_minute = 0;

  /// Parses "09:00-17:00" ("00:00-24:00" for a whole day). Throws Error(parse) on malformed text,
  /// UsageError when the range is empty or reversed.
  static TimeRange parse(std::string_view text);
  std::string to_string() const;  ///< "09:00-17:00"
  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

/// Opening hours for each day of the week: any number of ranges per day, none for a closed day.
struct WeeklyHours {
  std::array<std::vector<TimeRange>, 7> days;  ///< indexed by Weekday (Sunday = 0)

  WeeklyHours& set(Weekday day, std::vector<TimeRange> ranges);
  /// The same ranges Monday to Friday, closed at weekends.
  static WeeklyHours weekdays(const std::vector<TimeRange>& ranges);
  /// Open all the time (24x7).
  static WeeklyHours always_open();
};

/// A day (or part of a day) when the business is closed although its weekly hours say open.
struct Holiday {
  Date date;
  /// nullopt: closed the whole day. Otherwise closed only during these wall-clock minutes (an
  /// afternoon off on December 24).
  std::optional<TimeRange> closed;
  /// Every year on date's month and day (a February 29 holiday then falls in leap years only).
  bool recurring_yearly = false;

  static Holiday full_day(Date date, bool recurring_yearly = false) { return {date, std::nullopt, recurring_yearly}; }
  static Holiday partial(Date date, TimeRange closed, bool recurring_yearly = false) {
    return {date, closed, recurring_yearly};
  }
};

/// Business hours in a time zone. Immutable after construction; safe to share across threads.
///
/// Open time is real elapsed time: an open range maps to the instants from when the wall clock
/// first shows its start to when it first shows its end, so a range crossing a clock change is an
/// hour shorter or longer, and a 24x7 calendar counts exactly the elapsed time. A range boundary
/// that a spring-forward gap skips maps to the instant of the jump.
///
/// Edges: ranges are half-open, [opening, closing). Arithmetic that starts outside business hours
/// counts from the next opening; a result that lands exactly on a closing stays at the closing
/// rather than moving to the next opening (as Salesforce's BusinessHours.add does).
class BusinessCalendar {
 public:
  /// Throws UsageError when a range is invalid, two ranges of a day overlap, a holiday's range is
  /// invalid, or the week has no open time at all.
  BusinessCalendar(TimeZone zone, WeeklyHours hours, std::vector<Holiday> holidays = {});

  const TimeZone& zone() const noexcept { return zone_; }

  /// Whether `instant` is within business hours (an opening counts as open, a closing does not).
  bool is_open(DateTime instant) const;
  /// `instant` itself when open, else the next opening.
  DateTime next_open(DateTime instant) const;
  /// The instant at which `minutes` minutes of business time have passed since `start` (counted
  /// from the next opening when `start` is outside hours). 0 gives next_open(start). A result
  /// exactly at a closing stays there. Throws UsageError for negative minutes, and when no open
  /// time is found within ten years (every open day a holiday).
  DateTime add_business_minutes(DateTime start, std::int64_t minutes) const;
  /// The same with a duration in microseconds.
  DateTime add_business_micros(DateTime start, std::int64_t micros) const;
  /// Business time in [a, b), in whole minutes truncated toward zero; negative when a > b.
  std::int64_t business_minutes_between(DateTime a, DateTime b) const;
  /// Business time in [a, b) in microseconds; negative when a > b.
  std::int64_t business_micros_between(DateTime a, DateTime b) const;

 private:
  struct Span {
    std::int64_t begin;  ///< micros, inclusive
    std::int64_t end;    ///< micros, exclusive
  };
  class Walker;
  friend class Walker;

  std::int64_t next_holiday_day(std::int64_t day) const;
  void closures_on(std::int64_t day, std::vector<TimeRange>& out) const;

  TimeZone zone_;
  WeeklyHours hours_;  ///< validated, sorted, adjacent ranges merged
  std::int64_t week_micros_ = 0;
  struct DatedHoliday {
    std::int64_t day;
    std::optional<TimeRange> closed;
  };
  std::vector<DatedHoliday> dated_holidays_;      ///< sorted by day
  struct YearlyHoliday {
    int month;
    int day;
    std::optional<TimeRange> closed;
  };
  std::vector<YearlyHoliday> yearly_holidays_;  ///< sorted by month and day
  std::array<std::uint32_t, 13> yearly_days_{};  ///< bit d of [m]: a yearly holiday on m/d (a quick filter)
  bool has_holidays_ = false;
};

}  // namespace v0
}  // namespace hotcrm
