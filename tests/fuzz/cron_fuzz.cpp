// Fuzzes the cron parser (CronSchedule::parse). Oracle: a schedule that parses finds runs that are
// strictly later than where the search started, in increasing order, and (in UTC, where no clock
// changes) on wall times the schedule matches.

#include <string>

#include "fuzz_driver.hpp"
#include "hotcrm/time/cron.hpp"

int main(int argc, char** argv) {
  const hotcrm::TimeZone paris = hotcrm::TimeZone::load("Europe/Paris");
  return hotcrm::fuzz::run(argc, argv, "cron", [&](std::string_view input) {
    const hotcrm::CronSchedule schedule = hotcrm::CronSchedule::parse(input);
    const hotcrm::DateTime start = hotcrm::DateTime::parse("2024-03-30T22:59:30Z");
    hotcrm::DateTime previous = start;
    for (const hotcrm::DateTime run : schedule.occurrences_between(start, hotcrm::DateTime::parse("2034-01-01T00:00:00Z"), 5)) {
      hotcrm::fuzz::check(previous < run, "runs not increasing for '" + std::string(input) + "'");
      hotcrm::fuzz::check(schedule.matches(hotcrm::LocalDateTime{run.micros}),
                          "run " + run.to_string() + " does not match '" + std::string(input) + "'");
      previous = run;
    }
    // The same fields in a zone with clock changes.
    const hotcrm::CronSchedule local = hotcrm::CronSchedule::parse(input, paris);
    const hotcrm::DateTime next = local.next_after(start);
    hotcrm::fuzz::check(start < next, "next_after in Paris is not after the start for '" + std::string(input) + "'");
  });
}
