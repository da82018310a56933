// Tests for include/hotcrm/time/time_zone.hpp: loading, TZif parsing (and refusing corrupt files),
// POSIX TZ footers, conversions both ways with gaps and folds, checked against glibc's localtime_r.

#include "hotcrm/time/time_zone.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "time_test_support.hpp"

using hotcrm::Date;
using hotcrm::DateTime;
using hotcrm::Disambiguation;
using hotcrm::ErrorCode;
using hotcrm::LocalDateTime;
using hotcrm::LocalTimeResolution;
using hotcrm::TimeZone;
using hotcrm::Weekday;
using hotcrm::test::contains;
using hotcrm::test::day;
using hotcrm::test::error_message;
using hotcrm::test::hour_micros;
using hotcrm::test::TzifBuilder;
using hotcrm::test::utc;
using hotcrm::test::wall;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(input), {});
}

/// glibc's view of an instant in a zone: the oracle for to_local.
struct GlibcLocal {
  long offset;
  bool is_dst;
  std::string abbreviation;
};

GlibcLocal glibc_local(const std::string& zone, std::int64_t seconds) {
  static std::string current;
  if (current != zone) {
    setenv("TZ", (":" + zone).c_str(), 1);
    tzset();
    current = zone;
  }
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  REQUIRE(localtime_r(&time, &parts) != nullptr);
  return {parts.tm_gmtoff, parts.tm_isdst > 0, parts.tm_zone};
}

}  // namespace

TEST_CASE("LocalDateTime parses, builds and prints wall times") {
  const LocalDateTime noon = wall("2024-03-31T12:34:56");
  CHECK(noon.date() == day("2024-03-31"));
  CHECK(noon.hour() == 12);
  CHECK(noon.minute() == 34);
  CHECK(noon.second() == 56);
  CHECK(noon.to_string() == "2024-03-31T12:34:56");
  CHECK(LocalDateTime::of(day("2024-03-31"), 12, 34, 56) == noon);
  CHECK(wall("1969-12-31T23:00").date() == day("1969-12-31"));
  CHECK(wall("1969-12-31T23:00").hour() == 23);
  CHECK(wall("2024-01-01 00:00:00.250000").to_string() == "2024-01-01T00:00:00.250000");
  CHECK(contains(error_message([] { wall("2024-03-31T12:00Z"); }, ErrorCode::parse), "without a zone"));
  CHECK(contains(error_message([] { wall("2024-03-31T12:00+02:00"); }, ErrorCode::parse), "2024-03-31T12:00+02:00"));
  CHECK(contains(error_message([] { wall("2024-02-30T12:00"); }, ErrorCode::parse), "invalid local time"));
  CHECK(contains(error_message([] { LocalDateTime::of(day("2024-01-01"), 24, 0); }, ErrorCode::usage), "hour 0-23"));
  CHECK(contains(error_message([] { LocalDateTime::of(day("2024-01-01"), 1, 60); }, ErrorCode::usage), "minute"));
  CHECK(hotcrm::weekday_of(day("1970-01-01")) == Weekday::thursday);
  CHECK(hotcrm::weekday_of(day("2024-03-31")) == Weekday::sunday);
  CHECK(hotcrm::weekday_of(day("1969-12-29")) == Weekday::monday);
}

TEST_CASE("UTC and fixed offsets need no zone files") {
  const TimeZone utc_zone = TimeZone::utc();
  CHECK(utc_zone.name() == "UTC");
  CHECK(TimeZone::load("UTC") == utc_zone);
  CHECK(TimeZone() == utc_zone);
  const auto at = utc_zone.to_local(utc("2024-06-01T10:00:00Z"));
  CHECK(at.local == wall("2024-06-01T10:00"));
  CHECK(at.offset_seconds == 0);
  CHECK(at.abbreviation == "UTC");
  CHECK_FALSE(utc_zone.next_transition(utc("2024-01-01T00:00:00Z")).has_value());

  const TimeZone india = TimeZone::load("+05:30", "/nonexistent");
  CHECK(india.name() == "+05:30");
  CHECK(india.to_local(utc("2024-06-01T10:00:00Z")).local == wall("2024-06-01T15:30"));
  CHECK(india.to_local(utc("2024-06-01T10:00:00Z")).to_string() == "2024-06-01T15:30:00+05:30");
  CHECK(india.to_utc(wall("2024-06-01T15:30"), Disambiguation::reject) == utc("2024-06-01T10:00:00Z"));
  const TimeZone west = TimeZone::load("-03:00");
  CHECK(west.offset_at(utc("2024-06-01T10:00:00Z")) == -3 * 3600);
  CHECK(TimeZone::fixed(-(3 * 3600 + 30 * 60 + 15)).name() == "-03:30:15");
  CHECK(contains(error_message([] { TimeZone::load("+24:00"); }, ErrorCode::usage), "+HH:MM"));
  CHECK(contains(error_message([] { TimeZone::load("+5:30"); }, ErrorCode::usage), "'+5:30'"));
  CHECK(contains(error_message([] { TimeZone::fixed(86'400); }, ErrorCode::usage), "24 hours"));
}

TEST_CASE("Europe/Paris: offsets, abbreviations and both clock changes of 2024") {
  const TimeZone paris = TimeZone::load("Europe/Paris");
  CHECK(paris.name() == "Europe/Paris");
  auto winter = paris.to_local(utc("2024-03-31T00:59:59Z"));
  CHECK(winter.local == wall("2024-03-31T01:59:59"));
  CHECK(winter.abbreviation == "CET");
  CHECK_FALSE(winter.is_dst);
  auto summer = paris.to_local(utc("2024-03-31T01:00:00Z"));
  CHECK(summer.local == wall("2024-03-31T03:00:00"));
  CHECK(summer.abbreviation == "CEST");
  CHECK(summer.is_dst);
  CHECK(summer.offset_seconds == 7200);
  CHECK(summer.to_string() == "2024-03-31T03:00:00+02:00");

  SUBCASE("spring forward: 02:30 does not exist") {
    const LocalTimeResolution gap = paris.resolve(wall("2024-03-31T02:30"));
    CHECK(gap.kind == LocalTimeResolution::Kind::skipped);
    CHECK(gap.first == utc("2024-03-31T00:30:00Z"));   // 01:30 CET
    CHECK(gap.second == utc("2024-03-31T01:30:00Z"));  // 03:30 CEST
    CHECK(gap.transition == utc("2024-03-31T01:00:00Z"));
    CHECK(paris.to_utc(wall("2024-03-31T02:30"), Disambiguation::earlier) == utc("2024-03-31T00:30:00Z"));
    CHECK(paris.to_utc(wall("2024-03-31T02:30"), Disambiguation::later) == utc("2024-03-31T01:30:00Z"));
    const std::string message =
        error_message([&] { paris.to_utc(wall("2024-03-31T02:30"), Disambiguation::reject); }, ErrorCode::usage);
    CHECK(contains(message, "Europe/Paris"));
    CHECK(contains(message, "2024-03-31T02:30:00"));
    CHECK(contains(message, "does not exist"));
    // The edges of the gap: 02:00 is skipped, 03:00 is the first wall time after it.
    CHECK(paris.resolve(wall("2024-03-31T02:00")).kind == LocalTimeResolution::Kind::skipped);
    CHECK(paris.resolve(wall("2024-03-31T01:59:59")).kind == LocalTimeResolution::Kind::unique);
    CHECK(paris.to_utc(wall("2024-03-31T03:00"), Disambiguation::reject) == utc("2024-03-31T01:00:00Z"));
  }
  SUBCASE("fall back: 02:30 happens twice") {
    const LocalTimeResolution fold = paris.resolve(wall("2024-10-27T02:30"));
    CHECK(fold.kind == LocalTimeResolution::Kind::repeated);
    CHECK(fold.first == utc("2024-10-27T00:30:00Z"));   // 02:30 CEST
    CHECK(fold.second == utc("2024-10-27T01:30:00Z"));  // 02:30 CET
    CHECK(fold.transition == utc("2024-10-27T01:00:00Z"));
    CHECK(paris.to_utc(wall("2024-10-27T02:30:00.5"), Disambiguation::earlier).micros ==
          utc("2024-10-27T00:30:00Z").micros + 500'000);
    const std::string message =
        error_message([&] { paris.to_utc(wall("2024-10-27T02:30"), Disambiguation::reject); }, ErrorCode::usage);
    CHECK(contains(message, "ambiguous"));
    CHECK(contains(message, "Europe/Paris"));
    CHECK(paris.resolve(wall("2024-10-27T03:00")).kind == LocalTimeResolution::Kind::unique);
    CHECK(paris.resolve(wall("2024-10-27T02:00")).kind == LocalTimeResolution::Kind::repeated);
  }
  SUBCASE("next_transition walks the changes") {
    auto next = paris.next_transition(utc("2024-01-01T00:00:00Z"));
    REQUIRE(next);
    CHECK(*next == utc("2024-03-31T01:00:00Z"));
    next = paris.next_transition(*next);
    REQUIRE(next);
    CHECK(*next == utc("2024-10-27T01:00:00Z"));
    // Far past the precomputed table (year 2400) the footer rule still answers.
    next = paris.next_transition(utc("2500-01-01T00:00:00Z"));
    REQUIRE(next);
    CHECK(*next == utc("2500-03-28T01:00:00Z"));  // last Sunday of March 2500
  }
  SUBCASE("history: Paris mean time before 1911") {
    const auto old = paris.to_local(utc("1900-01-01T00:00:00Z"));
    CHECK(old.offset_seconds == 561);
    CHECK(old.abbreviation == "PMT");
  }
}

TEST_CASE("America/New_York and southern, half-hour and day-skipping zones") {
  const TimeZone new_york = TimeZone::load("America/New_York");
  CHECK(new_york.resolve(wall("2024-03-10T02:30")).kind == LocalTimeResolution::Kind::skipped);
  CHECK(new_york.to_utc(wall("2024-03-10T02:30"), Disambiguation::later) == utc("2024-03-10T07:30:00Z"));
  const auto fold = new_york.resolve(wall("2024-11-03T01:30"));
  CHECK(fold.kind == LocalTimeResolution::Kind::repeated);
  CHECK(fold.first == utc("2024-11-03T05:30:00Z"));
  CHECK(fold.second == utc("2024-11-03T06:30:00Z"));
  CHECK(new_york.to_local(utc("2024-07-04T16:00:00Z")).abbreviation == "EDT");

  const TimeZone sydney = TimeZone::load("Australia/Sydney");
  CHECK(sydney.to_local(utc("2024-01-15T00:00:00Z")).offset_seconds == 11 * 3600);
  CHECK(sydney.to_local(utc("2024-07-15T00:00:00Z")).offset_seconds == 10 * 3600);
  CHECK(sydney.resolve(wall("2024-10-06T02:30")).kind == LocalTimeResolution::Kind::skipped);
  CHECK(sydney.resolve(wall("2024-04-07T02:30")).kind == LocalTimeResolution::Kind::repeated);

  const TimeZone lord_howe = TimeZone::load("Australia/Lord_Howe");  // 30-minute DST
  CHECK(lord_howe.to_local(utc("2024-01-15T00:00:00Z")).offset_seconds == 11 * 3600);
  CHECK(lord_howe.to_local(utc("2024-07-15T00:00:00Z")).offset_seconds == 10 * 3600 + 1800);
  CHECK(lord_howe.resolve(wall("2024-10-06T02:15")).kind == LocalTimeResolution::Kind::skipped);
  CHECK(lord_howe.resolve(wall("2024-10-06T02:31")).kind == LocalTimeResolution::Kind::unique);

  const TimeZone kolkata = TimeZone::load("Asia/Kolkata");
  CHECK(kolkata.to_local(utc("2024-01-15T00:00:00Z")).offset_seconds == 5 * 3600 + 1800);
  CHECK_FALSE(kolkata.next_transition(utc("2000-01-01T00:00:00Z")).has_value());

  // Samoa skipped Friday 2011-12-30 entirely when it moved across the date line.
  const TimeZone apia = TimeZone::load("Pacific/Apia");
  const auto skipped_day = apia.resolve(wall("2011-12-30T12:00"));
  CHECK(skipped_day.kind == LocalTimeResolution::Kind::skipped);
  CHECK(skipped_day.transition == utc("2011-12-30T10:00:00Z"));
  CHECK(apia.to_local(skipped_day.transition).local == wall("2011-12-31T00:00"));
}

TEST_CASE("to_local agrees with glibc localtime_r on random instants, 1850-2600") {
  std::mt19937_64 random(20240331);
  const std::int64_t from = utc("1850-01-01T00:00:00Z").micros / 1'000'000;
  const std::int64_t to = utc("2600-01-01T00:00:00Z").micros / 1'000'000;
  for (const std::string name : {"Europe/Paris", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
                                 "America/Sao_Paulo", "Asia/Tehran", "Pacific/Apia", "America/Santiago",
                                 "Africa/Casablanca", "Europe/Dublin", "Pacific/Chatham", "America/Godthab"}) {
    CAPTURE(name);
    const TimeZone zone = TimeZone::load(name);
    int mismatches = 0;
    for (int i = 0; i < 4000; ++i) {
      const std::int64_t seconds = from + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(to - from));
      const auto ours = zone.to_local(DateTime{seconds * 1'000'000});
      const GlibcLocal theirs = glibc_local(name, seconds);
      if (ours.offset_seconds != theirs.offset || ours.is_dst != theirs.is_dst ||
          ours.abbreviation != theirs.abbreviation) {
        if (++mismatches <= 3) {
          FAIL_CHECK("at " << DateTime{seconds * 1'000'000}.to_string() << " ours " << ours.offset_seconds << " "
                           << ours.abbreviation << " glibc " << theirs.offset << " " << theirs.abbreviation);
        }
      }
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("resolve is the inverse of to_local around every transition") {
  for (const std::string name : {"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia",
                                 "Africa/Casablanca", "America/Santiago"}) {
    CAPTURE(name);
    const TimeZone zone = TimeZone::load(name);
    auto transition = zone.next_transition(utc("1990-01-01T00:00:00Z"));
    for (int count = 0; transition && *transition < utc("2450-01-01T00:00:00Z"); ++count) {
      for (std::int64_t delta_minutes = -150; delta_minutes <= 150; delta_minutes += 15) {
        const DateTime instant{transition->micros + delta_minutes * 60'000'000};
        const LocalDateTime local = zone.to_local(instant).local;
        const LocalTimeResolution found = zone.resolve(local);
        CAPTURE(local.to_string());
        REQUIRE(found.kind != LocalTimeResolution::Kind::skipped);  // it is shown at `instant`
        CHECK((found.first == instant || found.second == instant));
        CHECK(zone.to_local(found.first).local == local);
        CHECK(zone.to_local(found.second).local == local);
        // Wall times between the two sides of a gap resolve to a gap whose answers straddle it.
        const LocalDateTime shifted{local.micros + 30 * 60'000'000};
        const LocalTimeResolution other = zone.resolve(shifted);
        if (other.kind == LocalTimeResolution::Kind::skipped) {
          CHECK(other.first < other.transition);
          CHECK(other.transition <= other.second);
          CHECK(zone.to_local(DateTime{other.transition.micros - 1'000'000}).local < shifted);
          CHECK(zone.to_local(other.transition).local > shifted);
        }
      }
      transition = zone.next_transition(*transition);
    }
  }
}

TEST_CASE("POSIX TZ footers: all the rule forms") {
  auto zone_with_footer = [](const std::string& footer) {
    TzifBuilder builder;
    builder.footer = footer;
    return TimeZone::from_tzif("Test/" + footer, builder.bytes());
  };
  SUBCASE("no transitions, a plain rule: the rule governs all of time") {
    const TimeZone zone = zone_with_footer("CET-1CEST,M3.5.0,M10.5.0/3");
    CHECK(zone.to_local(utc("2024-07-01T00:00:00Z")).abbreviation == "CEST");
    CHECK(zone.to_local(utc("1700-07-01T00:00:00Z")).offset_seconds == 7200);
    CHECK(zone.to_local(utc("2024-03-31T00:59:59Z")).offset_seconds == 3600);
    CHECK(zone.to_local(utc("2024-03-31T01:00:00Z")).offset_seconds == 7200);
    CHECK(zone.to_local(utc("2024-10-27T00:59:59Z")).offset_seconds == 7200);
    CHECK(zone.to_local(utc("2024-10-27T01:00:00Z")).offset_seconds == 3600);
  }
  SUBCASE("a table that ends long before the precomputed years: the rule fills the gap") {
    TzifBuilder builder;
    builder.types = {{600, false, "LMT"}, {3600, false, "CET"}};
    builder.times = {utc("1700-01-01T00:00:00Z").micros / 1'000'000};
    builder.type_indexes = {1};
    builder.footer = "CET-1CEST,M3.5.0,M10.5.0/3";
    const TimeZone zone = TimeZone::from_tzif("Test/Old", builder.bytes());
    CHECK(zone.to_local(utc("1650-07-01T00:00:00Z")).abbreviation == "LMT");
    CHECK(zone.to_local(utc("1700-01-02T00:00:00Z")).abbreviation == "CET");
    CHECK(zone.to_local(utc("1750-07-01T00:00:00Z")).abbreviation == "CEST");
    CHECK(zone.to_local(utc("1750-12-01T00:00:00Z")).abbreviation == "CET");
    CHECK(zone.to_local(utc("2024-07-01T00:00:00Z")).abbreviation == "CEST");
    auto next = zone.next_transition(utc("1700-06-01T00:00:00Z"));
    REQUIRE(next);
    CHECK(*next == utc("1700-10-31T01:00:00Z"));  // last Sunday of October 1700 (Julian calendars aside)
    CHECK(zone.resolve(hotcrm::test::wall("1750-03-29T02:30")).kind == LocalTimeResolution::Kind::skipped);
  }
  SUBCASE("Jn never counts February 29; n does") {
    // DST from day J60 (March 1, always) / day 59 (March 1, or Feb 29 in leap years) at 00:00.
    const TimeZone julian = zone_with_footer("AAA0BBB,J60/0,J300/0");
    CHECK(julian.to_local(utc("2024-02-29T12:00:00Z")).abbreviation == "AAA");
    CHECK(julian.to_local(utc("2024-03-01T00:00:00Z")).abbreviation == "BBB");
    const TimeZone zero_based = zone_with_footer("AAA0BBB,59/0,300/0");
    CHECK(zero_based.to_local(utc("2024-02-29T12:00:00Z")).abbreviation == "BBB");
    CHECK(zero_based.to_local(utc("2023-02-28T12:00:00Z")).abbreviation == "AAA");
    CHECK(zero_based.to_local(utc("2023-03-01T00:00:00Z")).abbreviation == "BBB");
  }
  SUBCASE("negative and over-24-hour change times (TZif v3)") {
    // America/Godthab's style: -2 h local on the last Saturday of March means Saturday 22:00 of the day before.
    const TimeZone negative = zone_with_footer("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    // 2024: last Sunday of March is the 31st; -1 h is Saturday 23:00 at -02 = 2024-03-31T01:00Z.
    CHECK(negative.to_local(utc("2024-03-31T00:59:59Z")).offset_seconds == -7200);
    CHECK(negative.to_local(utc("2024-03-31T01:00:00Z")).offset_seconds == -3600);
    CHECK(negative.to_local(utc("2024-03-31T01:00:00Z")).abbreviation == "-01");
    // Change at 26:00 (2 a.m. the next day) on the first Sunday of April.
    const TimeZone late = zone_with_footer("XST3XDT,M4.1.0/26,M10.1.0/-1:30");
    // 2024-04-07 is the first Sunday; 26:00 at -03 = 2024-04-08T05:00Z.
    CHECK(late.to_local(utc("2024-04-08T04:59:59Z")).offset_seconds == -3 * 3600);
    CHECK(late.to_local(utc("2024-04-08T05:00:00Z")).offset_seconds == -2 * 3600);
    // 2024-10-06 is the first Sunday of October; -1:30 is 22:30 on the 5th at -02 = 00:30Z on the 6th.
    CHECK(late.to_local(utc("2024-10-06T00:29:59Z")).offset_seconds == -2 * 3600);
    CHECK(late.to_local(utc("2024-10-06T00:30:00Z")).offset_seconds == -3 * 3600);
  }
  SUBCASE("DST all year (J365/25 meets next year's 0/0)") {
    const TimeZone always = zone_with_footer("EST5EDT,0/0,J365/25");
    for (const char* at : {"2024-01-01T05:00:00Z", "2024-07-01T00:00:00Z", "2024-12-31T23:59:59Z",
                           "2025-01-01T05:30:00Z", "2700-01-01T05:30:00Z"}) {
      CAPTURE(at);
      CHECK(always.to_local(utc(at)).abbreviation == "EDT");
    }
  }
  SUBCASE("the default US rule when only a DST name is given") {
    const TimeZone zone = zone_with_footer("EST5EDT");
    CHECK(zone.to_local(utc("2024-03-10T06:59:59Z")).abbreviation == "EST");
    CHECK(zone.to_local(utc("2024-03-10T07:00:00Z")).abbreviation == "EDT");
    CHECK(zone.to_local(utc("2024-11-03T06:00:00Z")).abbreviation == "EST");
  }
  SUBCASE("quoted names and explicit DST offsets") {
    const TimeZone zone = zone_with_footer("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    CHECK(zone.to_local(utc("2024-01-15T00:00:00Z")).offset_seconds == 11 * 3600);
    CHECK(zone.to_local(utc("2024-07-15T00:00:00Z")).abbreviation == "+1030");
  }
}

TEST_CASE("corrupt TZif bytes are refused with the zone and the reason") {
  const std::string paris = read_file("/usr/share/zoneinfo/Europe/Paris");
  REQUIRE(paris.size() > 100);
  auto problem = [](std::string bytes) {
    return error_message([&] { TimeZone::from_tzif("Bad/Zone", bytes); }, ErrorCode::parse);
  };
  CHECK(contains(problem(""), "Bad/Zone"));
  CHECK(contains(problem(""), "header needs 44 bytes"));
  CHECK(contains(problem("TZjf" + paris.substr(4)), "magic"));
  CHECK(contains(problem(paris.substr(0, 4) + "9" + paris.substr(5)), "version"));
  for (std::size_t length : {44UL, 60UL, 500UL, paris.size() / 2, paris.size() - 40, paris.size() - 1}) {
    CAPTURE(length);
    CHECK(contains(problem(paris.substr(0, length)), "not a valid TZif file"));
  }
  TzifBuilder builder;
  builder.types = {{3600, false, "AAA"}, {7200, true, "BBB"}};
  builder.times = {100, 200};
  builder.type_indexes = {1, 0};
  builder.footer = "AAA-1";
  CHECK_NOTHROW(TimeZone::from_tzif("Good/Zone", builder.bytes()));

  TzifBuilder descending = builder;
  descending.times = {200, 100};
  CHECK(contains(problem(descending.bytes()), "is not after transition"));
  TzifBuilder bad_index = builder;
  bad_index.type_indexes = {1, 2};
  CHECK(contains(problem(bad_index.bytes()), "uses local time type 2 but only 2 exist"));
  TzifBuilder huge_offset = builder;
  huge_offset.types[1].offset = 100'000;
  CHECK(contains(problem(huge_offset.bytes()), "UT offset 100000"));
  TzifBuilder far_away = builder;
  far_away.times = {-(std::int64_t{1} << 61), 200};
  CHECK(contains(problem(far_away.bytes()), "out of range"));
  TzifBuilder bad_footer = builder;
  bad_footer.footer = "AAA-1BBB,M13.1.0,M10.5.0";
  CHECK(contains(problem(bad_footer.bytes()), "footer TZ string"));
  CHECK(contains(problem(bad_footer.bytes()), "month must be 1-12"));
  for (const char* footer : {"AA-1", "AAA", "AAA-1BBB,M3.5.0", "AAA-25", "AAA-1BBB,M3.5.7,M10.5.0", "AAA-1BBB,J0,J10",
                             "AAA-1BBB,366,J10", "AAA-1BBB,M3.5.0/168,M10.5.0", "<AAA-1", "AAA-1BBB,M3.5.0,M10.5.0x"}) {
    CAPTURE(footer);
    TzifBuilder broken = builder;
    broken.footer = footer;
    CHECK(contains(problem(broken.bytes()), "footer TZ string"));
  }
  // No footer newline, no type, bad DST flag, unterminated abbreviation.
  std::string no_footer = builder.bytes();
  no_footer.pop_back();
  CHECK(contains(problem(no_footer), "footer does not end"));
  std::string no_types = builder.bytes();
  no_types[20 + 4 * 4 + 3] = 0;  // the low byte of typecnt, the 5th count of the v1 header
  CHECK(contains(problem(no_types), "local time types"));

  const std::string leap = read_file("/usr/share/zoneinfo/right/UTC");
  if (!leap.empty()) CHECK(contains(problem(leap), "leap-second"));
}

TEST_CASE("loading: names, folders, TZDIR, unknown zones and the cache") {
  CHECK(contains(error_message([] { TimeZone::load("Mars/Olympus_Mons"); }, ErrorCode::usage), "unknown zone"));
  CHECK(contains(error_message([] { TimeZone::load("Mars/Olympus_Mons"); }, ErrorCode::usage), "Mars/Olympus_Mons"));
  CHECK(contains(error_message([] { TimeZone::load("../../etc/passwd"); }, ErrorCode::usage), "'..'"));
  CHECK(contains(error_message([] { TimeZone::load("/etc/passwd"); }, ErrorCode::usage), "absolute"));
  CHECK(contains(error_message([] { TimeZone::load("Europe//Paris"); }, ErrorCode::usage), "empty path component"));
  CHECK(contains(error_message([] { TimeZone::load(""); }, ErrorCode::usage), "empty"));
  CHECK(contains(error_message([] { TimeZone::load("Europe/Par is"); }, ErrorCode::usage), "not allowed"));
  CHECK(contains(error_message([] { TimeZone::load("Europe"); }, ErrorCode::usage), "folder"));
  CHECK(contains(error_message([] { TimeZone::load("zone.tab"); }, ErrorCode::parse), "not a valid TZif file"));

  const auto folder = std::filesystem::temp_directory_path() / ("hotcrm-tz-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(folder / "Test");
  std::filesystem::copy_file("/usr/share/zoneinfo/Europe/Paris", folder / "Test" / "Paris",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(folder / "Test" / "Broken", std::ios::binary) << "TZif2 not really";
  const TimeZone copied = TimeZone::load("Test/Paris", folder);
  CHECK(copied.to_local(utc("2024-07-01T00:00:00Z")).abbreviation == "CEST");
  const std::string broken = error_message([&] { TimeZone::load("Test/Broken", folder); }, ErrorCode::parse);
  CHECK(contains(broken, "Test/Broken"));
  CHECK(contains(broken, (folder / "Test" / "Broken").string()));

  const char* saved = std::getenv("TZDIR");
  const std::string saved_value = saved ? saved : "";
  setenv("TZDIR", folder.c_str(), 1);
  CHECK(TimeZone::load("Test/Paris") == copied);
  CHECK(contains(error_message([] { TimeZone::load("Europe/Paris_Not_Here"); }, ErrorCode::usage),
                 folder.string()));
  if (saved) setenv("TZDIR", saved_value.c_str(), 1);
  else unsetenv("TZDIR");
  std::filesystem::remove_all(folder);

  // The cache hands out the same data, from many threads at once.
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &ok] {
      for (int i = 0; i < 50; ++i) {
        const TimeZone zone = TimeZone::load(i % 2 ? "Europe/Paris" : "Asia/Tokyo");
        ok[static_cast<std::size_t>(t)] += zone.to_local(DateTime{}).offset_seconds > 0 ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : ok) CHECK(count == 50);
  CHECK(TimeZone::load("Europe/Paris") == TimeZone::load("Europe/Paris"));
  CHECK_FALSE(TimeZone::load("Europe/Paris") == TimeZone::load("Europe/Berlin"));
}

TEST_CASE("version 1 files use their 32-bit data") {
  TzifBuilder builder;
  builder.version = '1';
  builder.types = {{3600, false, "AAA"}, {7200, true, "BBB"}};
  builder.times = {1'000'000'000};
  builder.type_indexes = {1};
  const TimeZone zone = TimeZone::from_tzif("Old/Zone", builder.bytes());
  CHECK(zone.to_local(DateTime{999'999'999LL * 1'000'000}).abbreviation == "AAA");
  CHECK(zone.to_local(DateTime{1'000'000'000LL * 1'000'000}).abbreviation == "BBB");
  CHECK(zone.to_local(utc("2200-01-01T00:00:00Z")).abbreviation == "BBB");
  CHECK(zone.resolve(LocalDateTime{(1'000'000'000LL + 3600 + 1800) * 1'000'000}).kind ==
        LocalTimeResolution::Kind::skipped);
}

TEST_CASE("instants at the edges of the representable range are refused, not wrapped") {
  const TimeZone tokyo = TimeZone::load("Asia/Tokyo");
  CHECK(contains(error_message([&] { tokyo.to_local(DateTime{INT64_MAX - 10}); }, ErrorCode::usage), "range"));
  CHECK(contains(error_message([&] { tokyo.to_utc(LocalDateTime{INT64_MIN + 10}, Disambiguation::earlier); },
                               ErrorCode::usage),
                 "range"));
}
