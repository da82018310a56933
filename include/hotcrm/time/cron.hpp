#pragma once
// Cron schedules: the standard 5-field expressions of Vixie cron, evaluated in a time zone.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/time/time_zone.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

/// A parsed cron expression bound to a time zone. Immutable; copy and share freely.
///
/// Syntax: "minute hour day-of-month month day-of-week", each field a list ("1,15") of values,
/// ranges ("9-17"), '*' and steps ("*/15", "9-17/2"); month names JAN-DEC and day names SUN-SAT
/// (any case); day-of-week 0-7 where both 0 and 7 are Sunday; or one of the macros @yearly
/// (@annually), @monthly, @weekly, @daily (@midnight), @hourly.
///
/// Day matching follows Vixie cron: when both day-of-month and day-of-week are restricted, a day
/// matches if EITHER does ("0 9 1 * MON": the 1st and every Monday). A field counts as
/// unrestricted when it starts with '*', so "*/2" in one of them makes the match an AND, as in
/// Vixie cron and cronie.
///
/// Clock changes follow Vixie cron. A "fixed-time" schedule (neither minute nor hour starts with
/// '*') whose wall time is skipped by a spring-forward gap runs once, at the instant the clock
/// jumps (02:30 in Paris on the last Sunday of March runs at 03:00 CEST); when the wall time
/// happens twice in a fall-back fold it runs once, at the first occurrence. A "wildcard" schedule
/// ('*' first in minute or hour: "*/15 * * * *", "0 * * * *") runs on elapsed time instead: wall
/// times that do not exist are simply not there, and repeated wall times run both times.
class CronSchedule {
 public:
  /// Parses `expression` for evaluation in `zone`. Throws Error(parse) naming the field, the text
  /// and the 1-based column: "cron: minute field '61' out of range 0-59 at column 1".
  static CronSchedule parse(std::string_view expression, TimeZone zone = TimeZone::utc());

  const std::string& expression() const noexcept { return expression_; }
  const TimeZone& zone() const noexcept { return zone_; }

  /// The first run strictly after `after` (runs are on whole minutes).
  DateTime next_after(DateTime after) const;
  /// The runs in (from, to], oldest first, at most `limit` of them: the runs missed while a
  /// scheduler was down, for catch-up. Empty when to <= from or limit is 0.
  std::vector<DateTime> occurrences_between(DateTime from, DateTime to, std::size_t limit) const;
  /// Whether the wall time's minute is one the fields name (seconds ignored, clock changes not
  /// considered).
  bool matches(LocalDateTime local) const noexcept;

 private:
  CronSchedule() = default;
  bool day_matches(int day_of_month, int month, int weekday) const noexcept;
  std::int64_t next_matching_minute(std::int64_t local_seconds) const;

  std::uint64_t minutes_ = 0;        ///< bit m: minute m (0-59)
  std::uint32_t hours_ = 0;          ///< bit h: hour h (0-23)
  std::uint32_t days_of_month_ = 0;  ///< bit d: day d (1-31)
  std::uint16_t months_ = 0;         ///< bit m: month m (1-12)
  std::uint8_t days_of_week_ = 0;    ///< bit d: weekday d (0 = Sunday)
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
  bool wildcard_time_ = false;  ///< minute or hour starts with '*': runs follow elapsed time
  std::string expression_;
  TimeZone zone_;
};

}  // namespace v0
}  // namespace hotcrm
