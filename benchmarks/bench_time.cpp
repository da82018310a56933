// Time benchmark: SLA deadlines (add_business_minutes) and elapsed business time over many start
// instants, cron next runs and zone conversions, each against a floor measured in the same run:
//
// - deadlines on the simplest calendar (Mon-Fri 09:00-17:00, UTC, no holidays) against a
//   hand-written closed-form function for exactly that calendar: what a specialised hand-coded
//   deadline costs; the ratio is the price of generality (any hours, zone, holidays, DST);
// - deadlines on a realistic calendar (Europe/Paris, split days, Saturday mornings, holidays,
//   three DST changes in range) against naive minute stepping on a sample of the same starts;
// - cron next_after and TimeZone::to_local against glibc's localtime_r.
//
//   bench_time [--starts N] [--sample N]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using hotcrm::BusinessCalendar;
using hotcrm::DateTime;
using hotcrm::TimeRange;
using hotcrm::TimeZone;
using hotcrm::WeeklyHours;

constexpr std::int64_t minute = 60'000'000;
constexpr std::int64_t day = 1440 * minute;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Options {
  std::size_t starts = 1'000'000;
  std::size_t sample = 2'000;
};

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--starts") options.starts = static_cast<std::size_t>(std::atoll(argv[i + 1]));
    else if (flag == "--sample") options.sample = static_cast<std::size_t>(std::atoll(argv[i + 1]));
  }
  return options;
}

/// The floor: Mon-Fri 09:00-17:00 UTC without holidays, in closed form.
DateTime closed_form_nine_to_five(DateTime start, std::int64_t minutes) {
  constexpr std::int64_t open = 9 * 60 * minute, close = 17 * 60 * minute, business_day = close - open;
  auto weekday = [](std::int64_t days) { return ((days + 4) % 7 + 7) % 7; };  // 0 = Sunday
  std::int64_t days = start.micros >= 0 ? start.micros / day : (start.micros - day + 1) / day;
  std::int64_t time = start.micros - days * day;
  // Move to business time: before opening -> opening; after closing or weekend -> next opening.
  if (weekday(days) != 0 && weekday(days) != 6 && time < open) time = open;
  if (weekday(days) == 0 || weekday(days) == 6 || time >= close) {
    do ++days;
    while (weekday(days) == 0 || weekday(days) == 6);
    time = open;
  }
  std::int64_t remaining = minutes * minute;
  if (remaining <= close - time) return DateTime{days * day + time + remaining};
  remaining -= close - time;
  const std::int64_t full_days = (remaining - 1) / business_day;  // the landing day keeps 1..480 minutes
  remaining -= full_days * business_day;
  std::int64_t to_advance = full_days + 1;
  days += to_advance / 5 * 7;
  for (to_advance %= 5; to_advance > 0;) {
    ++days;
    if (weekday(days) != 0 && weekday(days) != 6) --to_advance;
  }
  return DateTime{days * day + open + remaining};
}

/// The naive way: step minute by minute, asking is_open each time.
DateTime minute_stepping(const BusinessCalendar& calendar, DateTime start, std::int64_t minutes) {
  DateTime at = start;
  while (!calendar.is_open(at)) at.micros += minute;
  for (std::int64_t left = minutes; left > 0; at.micros += minute) {
    if (calendar.is_open(at)) --left;
  }
  return at;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_args(argc, argv);
  std::mt19937_64 random(2024);
  const std::int64_t from = DateTime::parse("2024-01-01T00:00:00Z").micros;
  const std::int64_t to = DateTime::parse("2026-01-01T00:00:00Z").micros;
  constexpr std::int64_t sla_minutes[] = {60, 240, 480, 2'400, 9'600};  // 1 h, 4 h, 1 day, 1 week, 1 month
  std::vector<DateTime> starts(options.starts);
  std::vector<std::int64_t> slas(options.starts);
  for (std::size_t i = 0; i < options.starts; ++i) {
    starts[i] = DateTime{from + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(to - from)) / minute * minute};
    slas[i] = sla_minutes[random() % std::size(sla_minutes)];
  }
  std::vector<DateTime> deadlines(options.starts);
  fmt::print("starts: {} instants over 2024-2025, SLAs of 1 h, 4 h, 1 day, 1 week, 1 month of business time\n\n",
             options.starts);

  // 1. The simplest calendar against its closed form.
  {
    const BusinessCalendar simple(TimeZone::utc(), WeeklyHours::weekdays({TimeRange::parse("09:00-17:00")}));
    auto clock = Clock::now();
    for (std::size_t i = 0; i < options.starts; ++i) deadlines[i] = simple.add_business_minutes(starts[i], slas[i]);
    const double ours = seconds_since(clock);
    clock = Clock::now();
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < options.starts; ++i) {
      mismatches += closed_form_nine_to_five(starts[i], slas[i]) != deadlines[i] ? 1 : 0;
    }
    const double floor = seconds_since(clock);
    fmt::print("deadlines, Mon-Fri 09:00-17:00 UTC, no holidays\n");
    fmt::print("  add_business_minutes:        {:8.1f} ms  {:7.1f} ns/deadline\n", ours * 1e3, ours * 1e9 / double(options.starts));
    fmt::print("  hand-written closed form:    {:8.1f} ms  {:7.1f} ns/deadline  ({} disagreements)\n", floor * 1e3,
               floor * 1e9 / double(options.starts), mismatches);
    fmt::print("  ratio to the closed form (the floor): {:.1f}x\n\n", ours / floor);
    if (mismatches != 0) return 1;
  }

  // 2. A realistic calendar against naive minute stepping.
  {
    const std::vector<TimeRange> split = {TimeRange::parse("09:00-12:30"), TimeRange::parse("13:30-18:00")};
    WeeklyHours hours = WeeklyHours::weekdays(split);
    hours.set(hotcrm::Weekday::saturday, {TimeRange::parse("09:00-12:00")});
    std::vector<hotcrm::Holiday> holidays;
    for (const char* date : {"2024-01-01", "2024-05-01", "2024-05-08", "2024-07-14", "2024-08-15", "2024-11-01",
                             "2024-11-11", "2024-12-25"}) {
      holidays.push_back(hotcrm::Holiday::full_day(hotcrm::Date::parse(date), true));
    }
    holidays.push_back(hotcrm::Holiday::full_day(hotcrm::Date::parse("2024-04-01")));
    holidays.push_back(hotcrm::Holiday::full_day(hotcrm::Date::parse("2025-04-21")));
    holidays.push_back(hotcrm::Holiday::partial(hotcrm::Date::parse("2024-12-24"), TimeRange::parse("12:30-24:00"), true));
    const BusinessCalendar paris(TimeZone::load("Europe/Paris"), hours, holidays);
    auto clock = Clock::now();
    for (std::size_t i = 0; i < options.starts; ++i) deadlines[i] = paris.add_business_minutes(starts[i], slas[i]);
    const double ours = seconds_since(clock);
    const std::size_t sample = std::min(options.sample, options.starts);
    clock = Clock::now();
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < sample; ++i) mismatches += minute_stepping(paris, starts[i], slas[i]) != deadlines[i] ? 1 : 0;
    const double naive = seconds_since(clock);
    clock = Clock::now();
    std::int64_t total = 0;
    for (std::size_t i = 0; i < options.starts; ++i) total += paris.business_minutes_between(starts[i], deadlines[i]);
    const double between = seconds_since(clock);
    std::int64_t expected_total = 0;
    for (std::size_t i = 0; i < options.starts; ++i) expected_total += slas[i];
    const double ours_per = ours * 1e9 / double(options.starts), naive_per = naive * 1e9 / double(sample);
    fmt::print("deadlines, Europe/Paris, split days + Saturday mornings, 11 holidays, DST changes\n");
    fmt::print("  add_business_minutes:        {:8.1f} ms  {:7.1f} ns/deadline\n", ours * 1e3, ours_per);
    fmt::print("  naive minute stepping:       {:8.1f} ms  {:7.0f} ns/deadline on {} of the starts ({} disagreements)\n",
               naive * 1e3, naive_per, sample, mismatches);
    fmt::print("  speed-up over minute stepping: {:.0f}x\n", naive_per / ours_per);
    fmt::print("  business_minutes_between:    {:8.1f} ms  {:7.1f} ns/pair (sum {} = sum of SLAs {})\n\n", between * 1e3,
               between * 1e9 / double(options.starts), total, expected_total);
    if (mismatches != 0 || total != expected_total) return 1;
  }

  // 3. Cron and zone conversion against glibc's localtime_r.
  {
    const TimeZone paris = TimeZone::load("Europe/Paris");
    const auto schedule = hotcrm::CronSchedule::parse("*/15 9-17 * * MON-FRI", paris);
    auto clock = Clock::now();
    std::int64_t checksum = 0;
    for (std::size_t i = 0; i < options.starts; ++i) checksum += schedule.next_after(starts[i]).micros % 7;
    const double cron = seconds_since(clock);
    clock = Clock::now();
    for (std::size_t i = 0; i < options.starts; ++i) checksum += paris.to_local(starts[i]).offset_seconds;
    const double to_local = seconds_since(clock);
    setenv("TZ", ":Europe/Paris", 1);
    tzset();
    clock = Clock::now();
    for (std::size_t i = 0; i < options.starts; ++i) {
      const std::time_t seconds = static_cast<std::time_t>(starts[i].micros / 1'000'000);
      std::tm parts{};
      localtime_r(&seconds, &parts);
      checksum += parts.tm_gmtoff;
    }
    const double glibc = seconds_since(clock);
    const double per = 1e9 / double(options.starts);
    fmt::print("zone conversion and cron, Europe/Paris\n");
    fmt::print("  TimeZone::to_local:          {:8.1f} ms  {:7.1f} ns/call\n", to_local * 1e3, to_local * per);
    fmt::print("  glibc localtime_r:           {:8.1f} ms  {:7.1f} ns/call\n", glibc * 1e3, glibc * per);
    fmt::print("  to_local / localtime_r: {:.2f}x\n", to_local / glibc);
    fmt::print("  cron '*/15 9-17 * * MON-FRI' next_after: {:7.1f} ns/call = {:.1f}x localtime_r  (checksum {})\n",
               cron * per, cron / glibc, checksum % 1000);
  }
  return 0;
}
