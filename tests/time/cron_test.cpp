// Tests for include/hotcrm/time/cron.hpp: syntax, diagnostics, Vixie day matching, clock changes
// (checked against a minute-by-minute oracle) and catch-up of missed runs.

#include "hotcrm/time/cron.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "time_test_support.hpp"

using hotcrm::CronSchedule;
using hotcrm::DateTime;
using hotcrm::ErrorCode;
using hotcrm::LocalDateTime;
using hotcrm::LocalTimeResolution;
using hotcrm::TimeZone;
using hotcrm::test::contains;
using hotcrm::test::error_message;
using hotcrm::test::minute_micros;
using hotcrm::test::utc;
using hotcrm::test::wall;

namespace {

std::string parse_error(std::string_view expression) {
  try {
    CronSchedule::parse(expression);
  } catch (const hotcrm::Error& error) {
    CHECK(error.code() == ErrorCode::parse);
    return error.what();
  }
  FAIL("'" << expression << "' parsed");
  return {};
}

std::vector<std::string> runs(const CronSchedule& schedule, std::string_view from, int count) {
  std::vector<std::string> out;
  DateTime at = utc(from);
  for (int i = 0; i < count; ++i) {
    at = schedule.next_after(at);
    out.push_back(at.to_string());
  }
  return out;
}

/// The oracle: walk real time minute by minute and apply the documented rules directly.
std::vector<DateTime> brute_force_runs(const CronSchedule& schedule, DateTime from, DateTime to, bool wildcard) {
  const TimeZone& zone = schedule.zone();
  std::vector<DateTime> out;
  for (std::int64_t micros = from.micros + minute_micros; micros <= to.micros; micros += minute_micros) {
    const DateTime instant{micros};
    const LocalDateTime local = zone.to_local(instant).local;
    bool run = false;
    if (schedule.matches(local)) {
      run = wildcard || zone.resolve(local).first == instant;  // fixed time: first occurrence only
    }
    if (!wildcard && !run) {
      // A fixed-time run skipped by a gap that ends at this instant runs now.
      const LocalDateTime before = zone.to_local(DateTime{micros - minute_micros}).local;
      if (local.micros - before.micros > minute_micros) {
        for (std::int64_t skipped = before.micros + minute_micros; skipped < local.micros; skipped += minute_micros) {
          if (schedule.matches(LocalDateTime{skipped})) run = true;
        }
      }
    }
    if (run) out.push_back(instant);
  }
  return out;
}

}  // namespace

TEST_CASE("cron syntax: values, lists, ranges, steps, names, macros") {
  const CronSchedule every_minute = CronSchedule::parse("* * * * *");
  CHECK(every_minute.next_after(utc("2024-05-01T10:00:30Z")) == utc("2024-05-01T10:01:00Z"));
  CHECK(every_minute.next_after(utc("2024-05-01T10:00:00Z")) == utc("2024-05-01T10:01:00Z"));
  CHECK(every_minute.next_after(DateTime{utc("2024-05-01T10:00:00Z").micros - 1}) == utc("2024-05-01T10:00:00Z"));

  CHECK(runs(CronSchedule::parse("*/20 9-10 * * *"), "2024-05-01T09:30:00Z", 5) ==
        std::vector<std::string>{"2024-05-01T09:40:00Z", "2024-05-01T10:00:00Z", "2024-05-01T10:20:00Z",
                                 "2024-05-01T10:40:00Z", "2024-05-02T09:00:00Z"});
  CHECK(runs(CronSchedule::parse("5,35 8-12/2 * * *"), "2024-05-01T00:00:00Z", 4) ==
        std::vector<std::string>{"2024-05-01T08:05:00Z", "2024-05-01T08:35:00Z", "2024-05-01T10:05:00Z",
                                 "2024-05-01T10:35:00Z"});
  CHECK(runs(CronSchedule::parse("0 0 29 feb *"), "2024-03-01T00:00:00Z", 2) ==
        std::vector<std::string>{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("0 12 31 * *"), "2024-04-01T00:00:00Z", 2) ==
        std::vector<std::string>{"2024-05-31T12:00:00Z", "2024-07-31T12:00:00Z"});
  CHECK(runs(CronSchedule::parse("0 9 * JAN-MAR,Dec Mon-fri"), "2024-03-29T10:00:00Z", 2) ==
        std::vector<std::string>{"2024-12-02T09:00:00Z", "2024-12-03T09:00:00Z"});
  // 7 and 0 are both Sunday; ranges may end on 7.
  CHECK(CronSchedule::parse("0 0 * * 7").next_after(utc("2024-05-01T00:00:00Z")) == utc("2024-05-05T00:00:00Z"));
  CHECK(runs(CronSchedule::parse("0 0 * * 5-7"), "2024-05-01T00:00:00Z", 4) ==
        std::vector<std::string>{"2024-05-03T00:00:00Z", "2024-05-04T00:00:00Z", "2024-05-05T00:00:00Z",
                                 "2024-05-10T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("0 0 * * SUN"), "2024-05-01T00:00:00Z", 1) ==
        std::vector<std::string>{"2024-05-05T00:00:00Z"});

  CHECK(runs(CronSchedule::parse("@hourly"), "2024-05-01T10:20:00Z", 1) == std::vector<std::string>{"2024-05-01T11:00:00Z"});
  CHECK(runs(CronSchedule::parse("@daily"), "2024-05-01T10:20:00Z", 1) == std::vector<std::string>{"2024-05-02T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("@midnight"), "2024-05-01T10:20:00Z", 1) == std::vector<std::string>{"2024-05-02T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("@weekly"), "2024-05-01T10:20:00Z", 1) == std::vector<std::string>{"2024-05-05T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("@monthly"), "2024-05-01T10:20:00Z", 1) == std::vector<std::string>{"2024-06-01T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("@yearly"), "2024-05-01T10:20:00Z", 1) == std::vector<std::string>{"2025-01-01T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("@ANNUALLY"), "2024-05-01T10:20:00Z", 1) == std::vector<std::string>{"2025-01-01T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("  0\t9  * *   1  "), "2024-05-01T00:00:00Z", 1) ==
        std::vector<std::string>{"2024-05-06T09:00:00Z"});
  CHECK(CronSchedule::parse("0 9 * * 1").expression() == "0 9 * * 1");
}

TEST_CASE("cron day matching follows Vixie cron") {
  // Both restricted: the 1st OR a Monday.
  CHECK(runs(CronSchedule::parse("0 0 1 * MON"), "2024-04-01T00:00:00Z", 5) ==
        std::vector<std::string>{"2024-04-08T00:00:00Z", "2024-04-15T00:00:00Z", "2024-04-22T00:00:00Z",
                                 "2024-04-29T00:00:00Z", "2024-05-01T00:00:00Z"});
  // A field starting with '*' counts as unrestricted: odd days AND Mondays.
  CHECK(runs(CronSchedule::parse("0 0 */2 * MON"), "2024-04-01T00:00:00Z", 3) ==
        std::vector<std::string>{"2024-04-15T00:00:00Z", "2024-04-29T00:00:00Z", "2024-05-13T00:00:00Z"});
  // Only one restricted: that one decides.
  CHECK(runs(CronSchedule::parse("0 0 13 * *"), "2024-04-01T00:00:00Z", 1) == std::vector<std::string>{"2024-04-13T00:00:00Z"});
  CHECK(runs(CronSchedule::parse("0 0 * * FRI"), "2024-04-01T00:00:00Z", 1) == std::vector<std::string>{"2024-04-05T00:00:00Z"});
  // Friday the 13th would need AND semantics; Vixie gives every 13th and every Friday.
  CHECK(runs(CronSchedule::parse("0 0 13 * 5"), "2024-04-01T00:00:00Z", 2) ==
        std::vector<std::string>{"2024-04-05T00:00:00Z", "2024-04-12T00:00:00Z"});
  // A day-of-month that is impossible alone is fine when the weekday can match instead.
  CHECK(runs(CronSchedule::parse("0 0 30 2 1"), "2024-01-01T00:00:00Z", 1) == std::vector<std::string>{"2024-02-05T00:00:00Z"});
  CHECK(CronSchedule::parse("0 0 * * *").matches(wall("2024-01-01T00:00:59")));
  CHECK_FALSE(CronSchedule::parse("0 0 * * *").matches(wall("2024-01-01T00:01:00")));
}

TEST_CASE("cron parse errors name the field, the text and the column") {
  CHECK(parse_error("61 * * * *") == "[hotcrm.usage.parse.1001] cron: minute field '61' out of range 0-59 at column 1");
  CHECK(contains(parse_error("0 24 * * *"), "hour field '24' out of range 0-23 at column 3"));
  CHECK(contains(parse_error("0 0 0 * *"), "day-of-month field '0' out of range 1-31 at column 5"));
  CHECK(contains(parse_error("0 0 * 13 *"), "month field '13' out of range 1-12 at column 7"));
  CHECK(contains(parse_error("0 0 * * 8"), "day-of-week field '8' out of range 0-7 at column 9"));
  CHECK(contains(parse_error("0 0 * * 1,2,9"), "day-of-week field '9' out of range 0-7 at column 13"));
  CHECK(contains(parse_error("0 0 * * 1-9"), "day-of-week field '9' out of range 0-7 at column 11"));
  CHECK(contains(parse_error("0 0 * * MON-SUNDAY"), "day-of-week field name 'SUNDAY' is not one of SUN-SAT at column 13"));
  CHECK(contains(parse_error("0 0 * FOO *"), "month field name 'FOO' is not one of JAN-DEC at column 7"));
  CHECK(contains(parse_error("0 0 * * JAN"), "day-of-week field name 'JAN'"));
  CHECK(contains(parse_error("MON 0 * * *"), "minute field value 'MON' is not a number at column 1"));
  CHECK(contains(parse_error("1x 0 * * *"), "minute field value '1x' is not a number at column 1"));
  CHECK(contains(parse_error("0 0 * * 5-1"), "day-of-week field range '5-1' is reversed"));
  CHECK(contains(parse_error("*/0 * * * *"), "minute field step '0' out of range 1-60 at column 3"));
  CHECK(contains(parse_error("*/61 * * * *"), "minute field step '61' out of range 1-60"));
  CHECK(contains(parse_error("*/x * * * *"), "minute field step 'x' is not a number at column 3"));
  CHECK(contains(parse_error("5/15 * * * *"), "needs '*' or a range before the '/'"));
  CHECK(contains(parse_error("1,,2 * * * *"), "minute field has an empty list item at column 3"));
  CHECK(contains(parse_error("1, * * * *"), "empty list item at column 3"));
  CHECK(contains(parse_error("0 1- * * *"), "hour field is missing a value at column 5"));
  CHECK(contains(parse_error("0 -1 * * *"), "hour field is missing a value at column 3"));
  CHECK(contains(parse_error("99999999999 * * * *"), "minute field value '99999999999' is not a number"));
  CHECK(contains(parse_error("* * * *"), "expected 5 fields (minute hour day-of-month month day-of-week), found 4"));
  CHECK(contains(parse_error("* * * * * *"), "found 6"));
  CHECK(contains(parse_error(""), "found 0"));
  CHECK(contains(parse_error("   "), "found 0"));
  CHECK(contains(parse_error("@reboot"), "unknown macro '@reboot' at column 1"));
  CHECK(contains(parse_error("@daily 5"), "macro '@daily' takes no fields after it, found '5' at column 8"));
  CHECK(contains(parse_error("0 0 30 2 *"), "day-of-month field '30' never falls in month field '2'"));
  CHECK(contains(parse_error("0 0 31 4,6,9,11 *"), "never"));
  CHECK(contains(parse_error("0 0 * * *\n"), "control character 0x0a at column 10"));
  CHECK(contains(parse_error("0 0 * * \xC3\xA9"), "non-ASCII"));
}

TEST_CASE("cron across Europe/Paris clock changes") {
  const TimeZone paris = TimeZone::load("Europe/Paris");
  SUBCASE("a fixed time in the spring gap runs once, when the clock jumps") {
    const CronSchedule at_0230 = CronSchedule::parse("30 2 * * *", paris);
    CHECK(runs(at_0230, "2024-03-29T12:00:00Z", 3) ==
          std::vector<std::string>{"2024-03-30T01:30:00Z", "2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z"});
    // Several skipped times still run once.
    const CronSchedule twice = CronSchedule::parse("0,30 2 * * *", paris);
    CHECK(runs(twice, "2024-03-30T12:00:00Z", 3) ==
          std::vector<std::string>{"2024-03-31T01:00:00Z", "2024-04-01T00:00:00Z", "2024-04-01T00:30:00Z"});
    // 02:xx and 03:00 both land on the jump: one run.
    const CronSchedule two_and_three = CronSchedule::parse("0 2,3 * * *", paris);
    CHECK(runs(two_and_three, "2024-03-30T12:00:00Z", 2) ==
          std::vector<std::string>{"2024-03-31T01:00:00Z", "2024-04-01T00:00:00Z"});
  }
  SUBCASE("a fixed time in the autumn fold runs once, the first time") {
    const CronSchedule at_0230 = CronSchedule::parse("30 2 * * *", paris);
    CHECK(runs(at_0230, "2024-10-26T12:00:00Z", 2) ==
          std::vector<std::string>{"2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z"});
    // Asking from between the two occurrences does not find the second one.
    CHECK(at_0230.next_after(utc("2024-10-27T01:00:00Z")) == utc("2024-10-28T01:30:00Z"));
  }
  SUBCASE("wildcard schedules follow elapsed time") {
    const CronSchedule half_hourly = CronSchedule::parse("*/30 * * * *", paris);
    const auto spring = half_hourly.occurrences_between(utc("2024-03-30T23:50:00Z"), utc("2024-03-31T02:10:00Z"), 100);
    CHECK(spring.size() == 5);  // 00:00Z 00:30Z 01:00Z (03:00 CEST) 01:30Z 02:00Z: no gap, no duplicate
    for (std::size_t i = 1; i < spring.size(); ++i) CHECK(spring[i].micros - spring[i - 1].micros == 30 * minute_micros);
    const auto autumn = half_hourly.occurrences_between(utc("2024-10-26T23:50:00Z"), utc("2024-10-27T02:10:00Z"), 100);
    CHECK(autumn.size() == 5);  // 02:00 CEST, 02:30 CEST, 02:00 CET, 02:30 CET, 03:00 CET
    for (std::size_t i = 1; i < autumn.size(); ++i) CHECK(autumn[i].micros - autumn[i - 1].micros == 30 * minute_micros);
    const CronSchedule hourly = CronSchedule::parse("@hourly", paris);
    CHECK(runs(hourly, "2024-10-26T23:30:00Z", 3) ==
          std::vector<std::string>{"2024-10-27T00:00:00Z", "2024-10-27T01:00:00Z", "2024-10-27T02:00:00Z"});
    // Every minute of hour 2 is a wildcard schedule: the skipped hour has no run at all.
    const CronSchedule every_minute_at_2 = CronSchedule::parse("* 2 * * *", paris);
    CHECK(every_minute_at_2.next_after(utc("2024-03-30T12:00:00Z")) == utc("2024-04-01T00:00:00Z"));
  }
}

TEST_CASE("cron across America/New_York clock changes") {
  const TimeZone new_york = TimeZone::load("America/New_York");
  const CronSchedule at_two = CronSchedule::parse("0 2 * * *", new_york);
  CHECK(runs(at_two, "2024-03-09T12:00:00Z", 3) ==
        std::vector<std::string>{"2024-03-10T07:00:00Z", "2024-03-11T06:00:00Z", "2024-03-12T06:00:00Z"});
  const CronSchedule at_one_thirty = CronSchedule::parse("30 1 * * *", new_york);
  CHECK(runs(at_one_thirty, "2024-11-02T12:00:00Z", 2) ==
        std::vector<std::string>{"2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"});
  const CronSchedule weekdays = CronSchedule::parse("0 9 * * 1-5", new_york);
  CHECK(runs(weekdays, "2024-03-08T15:00:00Z", 2) ==
        std::vector<std::string>{"2024-03-11T13:00:00Z", "2024-03-12T13:00:00Z"});
}

TEST_CASE("next_after matches a minute-by-minute oracle around clock changes") {
  const char* minutes[] = {"*", "*/7", "0", "15,45", "0-10/5", "30", "59"};
  const char* hours[] = {"*", "2", "1-3", "*/2", "2,14", "0", "23"};
  const char* days_of_month[] = {"*", "1", "27", "*/10", "31", "24-31"};
  const char* months[] = {"*", "3,10", "MAR", "*/3", "OCT-DEC", "4"};
  const char* days_of_week[] = {"*", "0", "SUN", "1-5", "6,7", "*/3"};
  std::mt19937 random(42);
  auto pick = [&](const auto& options) { return options[random() % std::size(options)]; };
  struct Window {
    const char* zone;
    const char* from;
    const char* to;
  };
  const Window windows[] = {
      {"Europe/Paris", "2024-03-29T00:00:00Z", "2024-04-02T00:00:00Z"},
      {"Europe/Paris", "2024-10-25T00:00:00Z", "2024-10-29T00:00:00Z"},
      {"America/New_York", "2024-03-08T00:00:00Z", "2024-03-12T00:00:00Z"},
      {"America/New_York", "2024-11-01T00:00:00Z", "2024-11-05T00:00:00Z"},
      {"Australia/Lord_Howe", "2024-10-04T00:00:00Z", "2024-10-08T00:00:00Z"},
      {"Australia/Lord_Howe", "2024-04-05T00:00:00Z", "2024-04-09T00:00:00Z"},
  };
  for (const Window& window : windows) {
    const TimeZone zone = TimeZone::load(window.zone);
    for (int i = 0; i < 40; ++i) {
      const std::string minute = pick(minutes), hour = pick(hours);
      std::string expression = minute + " " + hour + " " + pick(days_of_month) + " " + pick(months) + " " +
                               pick(days_of_week);
      const std::string zone_name = window.zone;
      CAPTURE(zone_name);
      CAPTURE(expression);
      if (contains(expression, " 31 4 ")) continue;  // never runs: parse refuses it (tested above)
      const CronSchedule schedule = CronSchedule::parse(expression, zone);
      const bool wildcard = minute.front() == '*' || hour.front() == '*';
      const auto expected = brute_force_runs(schedule, utc(window.from), utc(window.to), wildcard);
      const auto actual = schedule.occurrences_between(utc(window.from), utc(window.to), 100'000);
      std::vector<std::string> expected_text, actual_text;
      for (auto at : expected) expected_text.push_back(at.to_string());
      for (auto at : actual) actual_text.push_back(at.to_string());
      CHECK(actual_text == expected_text);
    }
  }
}

TEST_CASE("occurrences_between: catch-up of missed runs") {
  const CronSchedule quarter = CronSchedule::parse("*/15 * * * *");
  const auto missed = quarter.occurrences_between(utc("2024-05-01T10:00:00Z"), utc("2024-05-01T11:00:00Z"), 10);
  CHECK(missed.size() == 4);  // (from, to]: 10:15, 10:30, 10:45, 11:00
  CHECK(missed.front() == utc("2024-05-01T10:15:00Z"));
  CHECK(missed.back() == utc("2024-05-01T11:00:00Z"));
  CHECK(quarter.occurrences_between(utc("2024-05-01T10:00:00Z"), utc("2024-05-01T11:00:00Z"), 2).size() == 2);
  CHECK(quarter.occurrences_between(utc("2024-05-01T10:00:00Z"), utc("2024-05-01T11:00:00Z"), 0).empty());
  CHECK(quarter.occurrences_between(utc("2024-05-01T11:00:00Z"), utc("2024-05-01T10:00:00Z"), 10).empty());
  CHECK(quarter.occurrences_between(utc("2024-05-01T10:00:00Z"), utc("2024-05-01T10:14:59Z"), 10).empty());
  const auto year = CronSchedule::parse("0 0 * * *").occurrences_between(utc("2023-12-31T12:00:00Z"),
                                                                           utc("2024-12-31T12:00:00Z"), 1000);
  CHECK(year.size() == 366);
}

TEST_CASE("cron far from 1970: before the epoch and past the precomputed zone table") {
  const TimeZone paris = TimeZone::load("Europe/Paris");
  CHECK(CronSchedule::parse("0 12 * * *").next_after(utc("1969-12-31T13:00:00Z")) == utc("1970-01-01T12:00:00Z"));
  // Year 2500: the zone's footer rule is evaluated on the fly; the gap still runs at the jump.
  CHECK(CronSchedule::parse("30 2 * * *", paris).next_after(utc("2500-03-27T12:00:00Z")) == utc("2500-03-28T01:00:00Z"));
}
