// Fuzzes the TZif reader (TimeZone::from_tzif). Oracle: a zone that loads answers every query at
// sample instants consistently: the wall time shown is instant + offset, that wall time resolves
// back to a range holding the instant, and the next transition is later than the instant.

#include <cstdint>
#include <string>

#include "fuzz_driver.hpp"
#include "hotcrm/time/time_zone.hpp"

int main(int argc, char** argv) {
  return hotcrm::fuzz::run(argc, argv, "tzif", [](std::string_view input) {
    const hotcrm::TimeZone zone = hotcrm::TimeZone::from_tzif("Fuzz/Zone", input);
    constexpr std::int64_t samples[] = {-(std::int64_t{1} << 40), -5'000'000'000, -1, 0, 1'000'000'000,
                                        1'711'846'800, 4'102'444'800, 15'000'000'000, std::int64_t{1} << 40};
    for (const std::int64_t seconds : samples) {
      const hotcrm::DateTime instant{seconds * 1'000'000};
      const hotcrm::ZonedTime local = zone.to_local(instant);
      hotcrm::fuzz::check(local.local.micros == instant.micros + std::int64_t{local.offset_seconds} * 1'000'000,
                          "to_local's wall time is not instant + offset at " + std::to_string(seconds));
      hotcrm::fuzz::check(local.offset_seconds > -90'000 && local.offset_seconds < 93'600,
                          "offset out of range: " + std::to_string(local.offset_seconds));
      const hotcrm::LocalTimeResolution back = zone.resolve(local.local);
      hotcrm::fuzz::check(back.kind != hotcrm::LocalTimeResolution::Kind::skipped,
                          "a wall time shown at " + std::to_string(seconds) + " resolves as skipped");
      hotcrm::fuzz::check(back.first <= instant && instant <= back.second,
                          "resolve misses the instant " + std::to_string(seconds));
      if (const auto next = zone.next_transition(instant)) {
        hotcrm::fuzz::check(instant < *next, "next_transition is not after " + std::to_string(seconds));
      }
      (void)zone.to_utc(hotcrm::LocalDateTime{local.local.micros + 1'800'000'000}, hotcrm::Disambiguation::later);
    }
  });
}
