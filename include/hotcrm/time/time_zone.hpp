#pragma once
// Time zones: the IANA database read from TZif files (RFC 8536), UTC and fixed offsets.
// g++ 12's libstdc++ has no std::chrono::tzdb, so libhotcrm carries its own reader. Every function
// takes the instant it works on: nothing here reads a clock.

#include <compare>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hotcrm/value.hpp"

namespace hotcrm {

namespace detail {
struct ZoneData;  // private: src/time/zone_data.hpp
}

inline namespace v0 {

/// Days of the week, numbered as cron numbers them (Sunday = 0).
enum class Weekday : std::uint8_t { sunday, monday, tuesday, wednesday, thursday, friday, saturday };

/// The weekday of a calendar date.
Weekday weekday_of(Date date) noexcept;

/// A wall-clock reading with no zone attached: microseconds since 1970-01-01T00:00 on that same wall
/// clock. Arithmetic on it is calendar arithmetic (a local day is always 24 hours here).
struct LocalDateTime {
  std::int64_t micros = 0;

  /// The wall time `hour:minute:second` on `date`. Throws UsageError unless 0 <= hour <= 23,
  /// 0 <= minute <= 59 and 0 <= second <= 59.
  static LocalDateTime of(Date date, int hour, int minute, int second = 0);
  /// Parses "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" (a space may replace the "T"). A zone suffix ("Z",
  /// "+02:00") is refused: a local time has none. Throws Error(parse) on malformed text.
  static LocalDateTime parse(std::string_view text);

  Date date() const noexcept;
  std::int64_t micros_of_day() const noexcept;  ///< in [0, 86'400'000'000)
  int hour() const noexcept;
  int minute() const noexcept;
  int second() const noexcept;
  std::string to_string() const;  ///< "YYYY-MM-DDTHH:MM:SS", with ".ffffff" when not whole seconds

  friend auto operator<=>(const LocalDateTime&, const LocalDateTime&) = default;
};

/// What the wall clock of a zone shows at one instant.
struct ZonedTime {
  DateTime instant;
  LocalDateTime local;
  std::int32_t offset_seconds = 0;  ///< east of UTC: local = instant + offset
  bool is_dst = false;
  std::string abbreviation;  ///< "CEST", "EST", "+0530"; as the zone database spells it

  /// "2024-03-31T03:00:00+02:00" (ISO 8601 with the numeric offset).
  std::string to_string() const;
};

/// How TimeZone::to_utc resolves a wall time that happens twice (a fold: clocks set back) or never
/// (a gap: clocks set forward). Unique wall times ignore the policy.
enum class Disambiguation : std::uint8_t {
  /// Fold: the first occurrence. Gap: the wall time read with the offset in force after the gap,
  /// which lands before the gap (02:30 in Paris' spring gap becomes 01:30 CET).
  earlier,
  /// Fold: the second occurrence. Gap: the wall time read with the offset in force before the gap,
  /// which lands after it (02:30 becomes 03:30 CEST), as java.time and Temporal do by default.
  later,
  /// Throw UsageError naming the zone and the wall time.
  reject,
};

/// Everything about how one wall time maps onto instants.
struct LocalTimeResolution {
  enum class Kind : std::uint8_t {
    unique,   ///< exactly one instant (first == second)
    skipped,  ///< in a gap: no instant shows this wall time
    repeated, ///< in a fold: two instants show it
  };
  Kind kind = Kind::unique;
  /// unique: the instant. repeated: the first occurrence. skipped: Disambiguation::earlier's answer.
  DateTime first;
  /// unique: the instant. repeated: the second occurrence. skipped: Disambiguation::later's answer.
  DateTime second;
  /// skipped and repeated: the instant of the clock change. unique: equal to first.
  /// For a skipped time this is the first instant at which the wall clock shows a later time.
  DateTime transition;
};

/// A time zone: a cheap, copyable, thread-safe handle on immutable data (loaded zones are cached).
class TimeZone {
 public:
  /// UTC. Also what a default-constructed TimeZone is.
  TimeZone();

  /// Loads a zone by IANA name ("Europe/Paris"), or builds "UTC" or a fixed offset ("+05:30",
  /// "-03:00") without touching the disk. Zone files are read from $TZDIR when it is set, else
  /// /usr/share/zoneinfo. Throws UsageError for an invalid or unknown name, Error(parse) for a file
  /// that is not valid TZif, Error(io) for a file that cannot be read; each message names the zone
  /// and why.
  static TimeZone load(std::string_view name);
  /// The same, reading zone files from `directory`.
  static TimeZone load(std::string_view name, const std::filesystem::path& directory);
  /// Builds a zone from the bytes of a TZif file; `name` is used in messages and by name().
  /// Throws Error(parse) naming the zone and the problem when the bytes are not valid TZif.
  static TimeZone from_tzif(std::string_view name, std::string_view bytes);
  static TimeZone utc();
  /// A zone that is always `offset_seconds` east of UTC, named "+HH:MM" (or "+HH:MM:SS").
  /// Throws UsageError unless |offset_seconds| < 24 hours.
  static TimeZone fixed(std::int32_t offset_seconds);

  /// The name it was loaded under ("Europe/Paris", "UTC", "+05:30").
  const std::string& name() const noexcept;

  /// The wall time, offset, DST flag and abbreviation in force at `instant`.
  ZonedTime to_local(DateTime instant) const;
  /// Seconds east of UTC in force at `instant` (the cheap part of to_local).
  std::int32_t offset_at(DateTime instant) const noexcept;
  /// How `local` maps onto instants: once, never (gap) or twice (fold).
  LocalTimeResolution resolve(LocalDateTime local) const;
  /// The instant showing `local`, gaps and folds resolved by `policy`.
  DateTime to_utc(LocalDateTime local, Disambiguation policy) const;
  /// The first instant strictly after `after` at which the offset, DST flag or abbreviation changes;
  /// nullopt when there is none (UTC, fixed offsets, zones without rules past their last change).
  std::optional<DateTime> next_transition(DateTime after) const;

  /// Two zones are equal when they were loaded from the same data (same name and same rules).
  friend bool operator==(const TimeZone& a, const TimeZone& b) noexcept;

  /// For the library's own time code (cron, business calendars); not for applications.
  const detail::ZoneData& data() const noexcept { return *data_; }

 private:
  explicit TimeZone(std::shared_ptr<const detail::ZoneData> data) : data_(std::move(data)) {}
  std::shared_ptr<const detail::ZoneData> data_;
};

}  // namespace v0
}  // namespace hotcrm
