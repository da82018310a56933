// Tests for include/hotcrm/time/business_calendar.hpp: edges (outside hours, closings), split days,
// holidays, DST weeks, validation, and property tests against a naive minute-stepping oracle.

#include "hotcrm/time/business_calendar.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "time_test_support.hpp"

using hotcrm::BusinessCalendar;
using hotcrm::Date;
using hotcrm::DateTime;
using hotcrm::ErrorCode;
using hotcrm::Holiday;
using hotcrm::TimeRange;
using hotcrm::TimeZone;
using hotcrm::Weekday;
using hotcrm::WeeklyHours;
using hotcrm::test::contains;
using hotcrm::test::day;
using hotcrm::test::error_message;
using hotcrm::test::hour_micros;
using hotcrm::test::minute_micros;
using hotcrm::test::utc;

namespace {

TimeRange range(std::string_view text) { return TimeRange::parse(text); }

BusinessCalendar nine_to_five(TimeZone zone = TimeZone::utc(), std::vector<Holiday> holidays = {}) {
  return BusinessCalendar(std::move(zone), WeeklyHours::weekdays({range("09:00-17:00")}), std::move(holidays));
}

/// The oracle: is the wall clock reading of `instant` inside the day's ranges (holidays applied)?
/// Equal to the calendar's definition whenever no range boundary falls in a gap or a fold.
bool naive_is_open(const WeeklyHours& hours, const std::vector<Holiday>& holidays, const TimeZone& zone,
                   DateTime instant) {
  const auto local = zone.to_local(instant).local;
  const Date date = local.date();
  const int minute = static_cast<int>(local.micros_of_day() / minute_micros);
  for (const Holiday& holiday : holidays) {
    const bool same_day = holiday.recurring_yearly
                              ? holiday.date.month() == date.month() && holiday.date.day() == date.day()
                              : holiday.date == date;
    if (!same_day) continue;
    if (!holiday.closed) return false;
    if (minute >= holiday.closed->start_minute && minute < holiday.closed->end_minute) return false;
  }
  for (const TimeRange& open : hours.days[static_cast<std::size_t>(hotcrm::weekday_of(date))]) {
    if (minute >= open.start_minute && minute < open.end_minute) return true;
  }
  return false;
}

/// Minute-stepping add: the slow way the fast one must agree with (start on a whole minute).
DateTime naive_add(const WeeklyHours& hours, const std::vector<Holiday>& holidays, const TimeZone& zone,
                   DateTime start, std::int64_t minutes) {
  DateTime at = start;
  while (!naive_is_open(hours, holidays, zone, at)) at.micros += minute_micros;
  for (std::int64_t left = minutes; left > 0; at.micros += minute_micros) {
    if (naive_is_open(hours, holidays, zone, at)) --left;
  }
  return at;
}

}  // namespace

TEST_CASE("TimeRange and WeeklyHours") {
  CHECK(range("09:00-17:00") == TimeRange{540, 1020});
  CHECK(range("00:00-24:00") == TimeRange{0, 1440});
  CHECK(range("09:30-12:15").to_string() == "09:30-12:15");
  CHECK(contains(error_message([] { range("9:00-17:00"); }, ErrorCode::parse), "expected HH:MM-HH:MM"));
  CHECK(contains(error_message([] { range("09:00-24:30"); }, ErrorCode::parse), "\"09:00-24:30\""));
  CHECK(contains(error_message([] { range("09:00 17:00"); }, ErrorCode::parse), "HH:MM-HH:MM"));
  CHECK(contains(error_message([] { range("17:00-09:00"); }, ErrorCode::usage), "start < end"));
  CHECK(contains(error_message([] { range("09:00-09:00"); }, ErrorCode::usage), "start < end"));
  const WeeklyHours week = WeeklyHours::weekdays({range("09:00-17:00")});
  CHECK(week.days[0].empty());
  CHECK(week.days[6].empty());
  CHECK(week.days[3].size() == 1);
  WeeklyHours saturday = week;
  saturday.set(Weekday::saturday, {range("10:00-12:00")});
  CHECK(saturday.days[6].size() == 1);
}

TEST_CASE("business calendar validation") {
  CHECK(contains(error_message([] { BusinessCalendar(TimeZone::utc(), WeeklyHours{}); }, ErrorCode::usage),
                 "no open hours"));
  WeeklyHours overlapping;
  overlapping.set(Weekday::tuesday, {range("13:00-17:00"), range("09:00-13:30")});
  const std::string overlap = error_message([&] { BusinessCalendar(TimeZone::utc(), overlapping); }, ErrorCode::usage);
  CHECK(contains(overlap, "Tuesday ranges 09:00-13:30 and 13:00-17:00 overlap"));
  WeeklyHours invalid;
  invalid.set(Weekday::monday, {TimeRange{600, 1500}});
  CHECK(contains(error_message([&] { BusinessCalendar(TimeZone::utc(), invalid); }, ErrorCode::usage), "Monday"));
  CHECK(contains(error_message(
                     [] {
                       BusinessCalendar(TimeZone::utc(), WeeklyHours::always_open(),
                                        {Holiday::partial(day("2024-12-24"), TimeRange{900, 800})});
                     },
                     ErrorCode::usage),
                 "holiday 2024-12-24"));
  // Adjacent ranges are one range.
  WeeklyHours adjacent;
  adjacent.set(Weekday::monday, {range("12:00-13:00"), range("09:00-12:00")});
  const BusinessCalendar merged(TimeZone::utc(), adjacent);
  CHECK(merged.add_business_minutes(utc("2024-05-06T09:00:00Z"), 240) == utc("2024-05-06T13:00:00Z"));
  CHECK(merged.is_open(utc("2024-05-06T12:00:00Z")));
}

TEST_CASE("edges: outside hours, openings and closings") {
  const BusinessCalendar calendar = nine_to_five();
  // 2024-05-06 is a Monday.
  CHECK(calendar.add_business_minutes(utc("2024-05-06T09:00:00Z"), 60) == utc("2024-05-06T10:00:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-10T16:30:00Z"), 60) == utc("2024-05-13T09:30:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-11T12:00:00Z"), 60) == utc("2024-05-13T10:00:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-06T06:00:00Z"), 30) == utc("2024-05-06T09:30:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-06T18:00:00Z"), 30) == utc("2024-05-07T09:30:00Z"));
  // Landing exactly at closing stays at closing.
  CHECK(calendar.add_business_minutes(utc("2024-05-06T09:00:00Z"), 480) == utc("2024-05-06T17:00:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-10T09:00:00Z"), 480) == utc("2024-05-10T17:00:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-06T09:00:00Z"), 481) == utc("2024-05-07T09:01:00Z"));
  // Zero minutes: the instant itself when open, else the next opening (a closing is not open).
  CHECK(calendar.add_business_minutes(utc("2024-05-06T10:00:00Z"), 0) == utc("2024-05-06T10:00:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-06T17:00:00Z"), 0) == utc("2024-05-07T09:00:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-11T10:00:00Z"), 0) == utc("2024-05-13T09:00:00Z"));
  CHECK(calendar.next_open(utc("2024-05-11T10:00:00Z")) == utc("2024-05-13T09:00:00Z"));
  CHECK(calendar.next_open(utc("2024-05-06T09:00:00Z")) == utc("2024-05-06T09:00:00Z"));
  CHECK(calendar.is_open(utc("2024-05-06T09:00:00Z")));
  CHECK(calendar.is_open(utc("2024-05-06T16:59:59Z")));
  CHECK_FALSE(calendar.is_open(utc("2024-05-06T17:00:00Z")));
  CHECK_FALSE(calendar.is_open(utc("2024-05-06T08:59:59Z")));
  CHECK_FALSE(calendar.is_open(utc("2024-05-11T12:00:00Z")));
  // Microseconds are kept.
  CHECK(calendar.add_business_micros(utc("2024-05-06T16:59:59Z"), 1'500'000).micros ==
        utc("2024-05-07T09:00:00Z").micros + 500'000);
  CHECK(contains(error_message([&] { calendar.add_business_minutes(utc("2024-05-06T09:00:00Z"), -1); },
                               ErrorCode::usage),
                 ">= 0"));
  CHECK(contains(error_message([&] { calendar.add_business_minutes(utc("2024-05-06T09:00:00Z"), INT64_MAX / 10); },
                               ErrorCode::usage),
                 "out of range"));

  CHECK(calendar.business_minutes_between(utc("2024-05-10T16:00:00Z"), utc("2024-05-13T10:00:00Z")) == 120);
  CHECK(calendar.business_minutes_between(utc("2024-05-13T10:00:00Z"), utc("2024-05-10T16:00:00Z")) == -120);
  CHECK(calendar.business_minutes_between(utc("2024-05-11T10:00:00Z"), utc("2024-05-12T10:00:00Z")) == 0);
  CHECK(calendar.business_minutes_between(utc("2024-05-06T10:00:00Z"), utc("2024-05-06T10:00:00Z")) == 0);
  CHECK(calendar.business_minutes_between(utc("2024-05-06T00:00:00Z"), utc("2024-05-13T00:00:00Z")) == 5 * 480);
  CHECK(calendar.business_minutes_between(utc("2024-05-06T10:00:00Z"), utc("2024-05-06T10:01:59Z")) == 1);
  CHECK(calendar.business_minutes_between(utc("2024-05-06T10:01:59Z"), utc("2024-05-06T10:00:00Z")) == -1);
  CHECK(calendar.business_micros_between(utc("2024-05-06T10:00:00Z"), utc("2024-05-06T10:00:01Z")) == 1'000'000);
  // Years at once (the fast path), exactly.
  CHECK(calendar.business_minutes_between(utc("2024-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z")) == 262 * 480);
}

TEST_CASE("split days and several ranges") {
  const BusinessCalendar calendar(TimeZone::utc(), WeeklyHours::weekdays({range("09:00-12:00"), range("13:00-17:00")}));
  CHECK(calendar.add_business_minutes(utc("2024-05-06T11:30:00Z"), 60) == utc("2024-05-06T13:30:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-06T11:30:00Z"), 30) == utc("2024-05-06T12:00:00Z"));
  CHECK(calendar.add_business_minutes(utc("2024-05-06T12:15:00Z"), 0) == utc("2024-05-06T13:00:00Z"));
  CHECK_FALSE(calendar.is_open(utc("2024-05-06T12:30:00Z")));
  CHECK(calendar.business_minutes_between(utc("2024-05-06T08:00:00Z"), utc("2024-05-06T18:00:00Z")) == 420);
  // 24-hour days chain into one another.
  WeeklyHours weekend_shift;
  weekend_shift.set(Weekday::saturday, {range("00:00-24:00")}).set(Weekday::sunday, {range("00:00-24:00")});
  const BusinessCalendar weekend(TimeZone::utc(), weekend_shift);
  CHECK(weekend.add_business_minutes(utc("2024-05-11T23:00:00Z"), 120) == utc("2024-05-12T01:00:00Z"));
  CHECK(weekend.add_business_minutes(utc("2024-05-12T23:00:00Z"), 120) == utc("2024-05-18T01:00:00Z"));
  CHECK(weekend.add_business_minutes(utc("2024-05-11T00:00:00Z"), 2880) == utc("2024-05-13T00:00:00Z"));
}

TEST_CASE("holidays: full days, partial days, yearly") {
  const std::vector<Holiday> holidays = {
      Holiday::full_day(day("2024-05-08")),                                // a Wednesday
      Holiday::full_day(day("2020-12-25"), true),                          // every Christmas
      Holiday::partial(day("2021-12-24"), range("12:00-24:00"), true),     // Christmas Eve afternoons
      Holiday::partial(day("2024-05-10"), range("09:00-10:00")),           // a late Friday start
      Holiday::full_day(day("2024-02-29"), true),                          // leap days only
  };
  const BusinessCalendar calendar = nine_to_five(TimeZone::utc(), holidays);
  CHECK(calendar.add_business_minutes(utc("2024-05-07T16:00:00Z"), 120) == utc("2024-05-09T10:00:00Z"));
  CHECK_FALSE(calendar.is_open(utc("2024-05-08T12:00:00Z")));
  CHECK_FALSE(calendar.is_open(utc("2024-05-10T09:30:00Z")));
  CHECK(calendar.next_open(utc("2024-05-10T09:30:00Z")) == utc("2024-05-10T10:00:00Z"));
  CHECK(calendar.business_minutes_between(utc("2024-05-06T00:00:00Z"), utc("2024-05-13T00:00:00Z")) == 4 * 480 - 60);
  // 2026-12-24 is a Thursday (morning only), the 25th a Friday (closed).
  CHECK(calendar.add_business_minutes(utc("2026-12-24T11:00:00Z"), 120) == utc("2026-12-28T10:00:00Z"));
  CHECK(calendar.business_minutes_between(utc("2026-12-21T00:00:00Z"), utc("2026-12-28T00:00:00Z")) == 3 * 480 + 180);
  CHECK_FALSE(calendar.is_open(utc("2024-02-29T10:00:00Z")));
  CHECK(calendar.is_open(utc("2028-02-29T10:00:00Z")) == false);  // a Tuesday, and a leap day
  CHECK(calendar.is_open(utc("2028-02-28T10:00:00Z")));
  CHECK(calendar.is_open(utc("2023-03-01T10:00:00Z")));  // no Feb 29 in 2023: nothing moves to March 1
  // A year with a skipped week (quiet weeks before and after a holiday) agrees with day-by-day sums.
  std::int64_t sum = 0;
  for (DateTime at = utc("2026-01-01T00:00:00Z"); at < utc("2027-01-01T00:00:00Z"); at.micros += 24 * hour_micros) {
    sum += calendar.business_micros_between(at, DateTime{at.micros + 24 * hour_micros});
  }
  CHECK(calendar.business_micros_between(utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")) == sum);
}

TEST_CASE("a calendar whose every open day is a holiday fails clearly instead of looping") {
  WeeklyHours mondays;
  mondays.set(Weekday::monday, {range("09:00-17:00")});
  std::vector<Holiday> every_day;
  for (std::int32_t d = day("2024-01-01").days; d < day("2025-01-01").days; ++d) {
    every_day.push_back(Holiday::full_day(Date{d}, true));
  }
  const BusinessCalendar never(TimeZone::utc(), mondays, every_day);
  const std::string message =
      error_message([&] { never.add_business_minutes(utc("2024-05-06T09:00:00Z"), 10); }, ErrorCode::usage);
  CHECK(contains(message, "no open business hours within 3660 days"));
  CHECK(contains(message, "every open day is a holiday"));
  CHECK_THROWS_AS(never.next_open(utc("2024-05-06T09:00:00Z")), hotcrm::UsageError);
  CHECK_FALSE(never.is_open(utc("2024-05-06T10:00:00Z")));
  CHECK(never.business_minutes_between(utc("2024-01-01T00:00:00Z"), utc("2030-01-01T00:00:00Z")) == 0);
}

TEST_CASE("DST weeks: business time is real elapsed time") {
  SUBCASE("24x7 in Europe/Paris: a day of 23 and a day of 25 hours") {
    const BusinessCalendar always(TimeZone::load("Europe/Paris"), WeeklyHours::always_open());
    // Local midnight to local midnight.
    CHECK(always.business_minutes_between(utc("2024-03-30T23:00:00Z"), utc("2024-03-31T22:00:00Z")) == 23 * 60);
    CHECK(always.business_minutes_between(utc("2024-10-26T22:00:00Z"), utc("2024-10-27T23:00:00Z")) == 25 * 60);
    CHECK(always.add_business_minutes(utc("2024-03-30T23:00:00Z"), 1440) == utc("2024-03-31T23:00:00Z"));
    CHECK(always.business_minutes_between(utc("2024-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z")) == 366 * 1440);
    CHECK(always.is_open(utc("2024-10-27T01:30:00Z")));
  }
  SUBCASE("9 to 5 in Europe/Paris keeps 8-hour days through the change") {
    const BusinessCalendar paris = nine_to_five(TimeZone::load("Europe/Paris"));
    // Friday 2024-03-29 16:00 CET (15:00Z) + 120 min -> Monday 2024-04-01 10:00 CEST (08:00Z).
    CHECK(paris.add_business_minutes(utc("2024-03-29T15:00:00Z"), 120) == utc("2024-04-01T08:00:00Z"));
    CHECK(paris.business_minutes_between(utc("2024-03-29T15:00:00Z"), utc("2024-04-01T08:00:00Z")) == 120);
    CHECK(paris.add_business_minutes(utc("2024-10-25T14:00:00Z"), 120) == utc("2024-10-28T09:00:00Z"));
  }
  SUBCASE("ranges crossing the change are shorter or longer") {
    WeeklyHours night;
    night.set(Weekday::sunday, {range("01:00-04:00")});
    const BusinessCalendar paris(TimeZone::load("Europe/Paris"), night);
    // 2024-03-31: 01:00 CET .. 04:00 CEST is 2 real hours; 2024-10-27: 01:00 CEST .. 04:00 CET is 4.
    CHECK(paris.business_minutes_between(utc("2024-03-30T00:00:00Z"), utc("2024-04-01T00:00:00Z")) == 120);
    CHECK(paris.business_minutes_between(utc("2024-10-26T00:00:00Z"), utc("2024-10-28T00:00:00Z")) == 240);
    CHECK(paris.add_business_minutes(utc("2024-03-30T00:00:00Z"), 120) == utc("2024-03-31T02:00:00Z"));
    WeeklyHours in_gap;
    in_gap.set(Weekday::sunday, {range("02:00-02:30"), range("03:00-04:00")});
    const BusinessCalendar gap(TimeZone::load("Europe/Paris"), in_gap);
    // 02:00-02:30 does not exist on 2024-03-31: only 03:00-04:00 CEST counts.
    CHECK(gap.business_minutes_between(utc("2024-03-30T00:00:00Z"), utc("2024-04-01T00:00:00Z")) == 60);
    CHECK(gap.next_open(utc("2024-03-30T00:00:00Z")) == utc("2024-03-31T01:00:00Z"));
  }
  SUBCASE("America/New_York") {
    const BusinessCalendar new_york = nine_to_five(TimeZone::load("America/New_York"));
    // Friday 16:30 EST + 60 min -> Monday 09:30 EDT.
    CHECK(new_york.add_business_minutes(utc("2024-03-08T21:30:00Z"), 60) == utc("2024-03-11T13:30:00Z"));
    CHECK(new_york.add_business_minutes(utc("2024-11-01T20:00:00Z"), 120) == utc("2024-11-04T15:00:00Z"));
    const BusinessCalendar always(TimeZone::load("America/New_York"), WeeklyHours::always_open());
    CHECK(always.business_minutes_between(utc("2024-03-10T05:00:00Z"), utc("2024-03-11T04:00:00Z")) == 23 * 60);
  }
}

TEST_CASE("property: between(a, add(a, m)) == m and add(a, between(a, x)) == x") {
  struct Setup {
    const char* zone;
    WeeklyHours hours;
    std::vector<Holiday> holidays;
  };
  WeeklyHours split = WeeklyHours::weekdays({range("08:30-12:00"), range("13:00-17:45")});
  split.set(Weekday::saturday, {range("10:00-13:00")});
  const std::vector<Holiday> holidays = {Holiday::full_day(day("2024-01-01"), true),
                                         Holiday::full_day(day("2024-07-14"), true),
                                         Holiday::full_day(day("2024-12-25"), true),
                                         Holiday::partial(day("2024-12-24"), range("12:00-24:00"), true),
                                         Holiday::full_day(day("2025-05-29")),
                                         Holiday::full_day(day("2026-04-06"))};
  const Setup setups[] = {
      {"Europe/Paris", WeeklyHours::weekdays({range("09:00-17:00")}), {}},
      {"Europe/Paris", split, holidays},
      {"America/New_York", split, holidays},
      {"America/New_York", WeeklyHours::always_open(), holidays},
      {"Australia/Lord_Howe", WeeklyHours::weekdays({range("07:00-19:00")}), holidays},
      {"UTC", WeeklyHours::weekdays({range("00:00-24:00")}), holidays},
  };
  std::mt19937_64 random(7);
  const std::int64_t from = utc("2023-06-01T00:00:00Z").micros;
  const std::int64_t span = utc("2027-06-01T00:00:00Z").micros - from;
  for (const Setup& setup : setups) {
    const std::string zone_name = setup.zone;
    CAPTURE(zone_name);
    const BusinessCalendar calendar(TimeZone::load(setup.zone), setup.hours, setup.holidays);
    for (int i = 0; i < 3000; ++i) {
      const DateTime a{from + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(span))};
      const std::int64_t minutes = static_cast<std::int64_t>(random() % (i % 3 == 0 ? 100'000 : 3'000));
      CAPTURE(a.to_string());
      CAPTURE(minutes);
      const DateTime deadline = calendar.add_business_minutes(a, minutes);
      REQUIRE(calendar.business_minutes_between(a, deadline) == minutes);
      CHECK(calendar.business_micros_between(a, deadline) == minutes * minute_micros);
      CHECK(calendar.business_minutes_between(deadline, a) == -minutes);
      if (minutes > 0) CHECK((calendar.is_open(DateTime{deadline.micros - 1})));

      const DateTime x{from + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(span))};
      if (x >= a && calendar.is_open(x) && calendar.is_open(DateTime{x.micros - 1})) {
        CAPTURE(x.to_string());
        CHECK(calendar.add_business_micros(a, calendar.business_micros_between(a, x)) == x);
      }
    }
  }
}

TEST_CASE("property: the fast walk agrees with naive minute stepping, DST weeks and holidays included") {
  std::vector<Holiday> holidays = {Holiday::full_day(day("2024-05-01"), true), Holiday::full_day(day("2024-11-11")),
                                   Holiday::partial(day("2024-12-24"), range("13:00-24:00"), true)};
  WeeklyHours hours = WeeklyHours::weekdays({range("09:00-12:30"), range("13:30-18:00")});
  hours.set(Weekday::saturday, {range("09:00-12:00")});
  std::mt19937_64 random(11);
  for (const char* zone_name : {"Europe/Paris", "America/New_York"}) {
    const TimeZone zone = TimeZone::load(zone_name);
    const BusinessCalendar calendar(zone, hours, holidays);
    // Starts in the weeks of the 2024 clock changes and around the holidays.
    for (const char* week : {"2024-03-05T00:00:00Z", "2024-03-25T00:00:00Z", "2024-10-22T00:00:00Z",
                             "2024-10-31T00:00:00Z", "2024-12-20T00:00:00Z", "2024-04-28T00:00:00Z"}) {
      for (int i = 0; i < 12; ++i) {
        const DateTime start{utc(week).micros + static_cast<std::int64_t>(random() % (7 * 24 * 60)) * minute_micros};
        const std::int64_t minutes = i == 0 ? 100'000 : static_cast<std::int64_t>(random() % 4000);
        CAPTURE(zone_name);
        CAPTURE(start.to_string());
        CAPTURE(minutes);
        CHECK(calendar.add_business_minutes(start, minutes) == naive_add(hours, holidays, zone, start, minutes));
        CHECK(calendar.is_open(start) == naive_is_open(hours, holidays, zone, start));
      }
    }
  }
}

TEST_CASE("instants too far from 1970 are refused, not wrapped") {
  const BusinessCalendar always(TimeZone::load("Europe/Paris"), WeeklyHours::always_open());
  CHECK(contains(error_message([&] { always.is_open(DateTime{INT64_MAX}); }, ErrorCode::usage), "too far"));
  CHECK(contains(error_message([&] { always.next_open(DateTime{INT64_MIN}); }, ErrorCode::usage), "too far"));
  CHECK(contains(error_message([&] { always.business_micros_between(DateTime{}, DateTime{INT64_MAX}); },
                               ErrorCode::usage),
                 "too far"));
  CHECK(contains(error_message([&] { always.add_business_micros(utc("2024-01-01T00:00:00Z"), INT64_MAX); },
                               ErrorCode::usage),
                 "beyond the representable range"));
}

TEST_CASE("a fixed-offset and a far-future calendar") {
  const BusinessCalendar india = nine_to_five(TimeZone::load("+05:30"));
  CHECK(india.add_business_minutes(utc("2024-05-06T03:30:00Z"), 60) == utc("2024-05-06T04:30:00Z"));
  const BusinessCalendar paris = nine_to_five(TimeZone::load("Europe/Paris"));
  // Past the zone's precomputed table (2400): the walk still works, just without the week skip.
  CHECK(paris.business_minutes_between(utc("2500-03-22T00:00:00Z"), utc("2500-04-05T00:00:00Z")) == 10 * 480);
  // Friday 16:00 CET + 120 min -> Monday 10:00 CEST, DST having started on Sunday 2500-03-28.
  CHECK(paris.add_business_minutes(utc("2500-03-26T15:00:00Z"), 120) == utc("2500-03-29T08:00:00Z"));
}
