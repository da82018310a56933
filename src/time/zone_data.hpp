#pragma once
// The immutable data behind a TimeZone, and the lookups the time code shares: which local time type
// is in force at an instant (a "segment" between two transitions), and how a wall time maps back.
// Times here are whole seconds since the epoch: TZif and POSIX TZ rules never go finer.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/time/time_zone.hpp"

namespace hotcrm::detail {

inline constexpr std::int64_t no_earlier_transition = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t no_later_transition = std::numeric_limits<std::int64_t>::max();
/// RFC 8536 bounds a UT offset to (-25 h, +26 h); anything farther is refused as corrupt.
inline constexpr std::int32_t min_utc_offset = -89'999;
inline constexpr std::int32_t max_utc_offset = 93'599;

/// One local time type: what the wall clock is set to between two transitions.
struct LocalType {
  std::int32_t offset = 0;  ///< seconds east of UTC
  bool is_dst = false;
  std::string abbreviation;
  bool same_clock(const LocalType& other) const noexcept {
    return offset == other.offset && is_dst == other.is_dst && abbreviation == other.abbreviation;
  }
};

/// The day of a POSIX TZ rule change ("J60", "59", "M3.5.0") and the local time it happens at.
struct PosixChangeDate {
  enum class Form : std::uint8_t {
    julian_without_leap_day,  ///< Jn: 1-365, February 29 is never counted
    zero_based_day,           ///< n: 0-365, February 29 counted in leap years
    month_week_day,           ///< Mm.w.d: weekday d of week w (5 = last) of month m
  };
  Form form = Form::month_week_day;
  int day_number = 0;  ///< Jn and n forms
  int month = 0, week = 0, weekday = 0;
  std::int32_t local_time = 2 * 3600;  ///< seconds after local midnight; -167 h to +167 h (TZif v3)

  /// Days since 1970-01-01 of the change in `year` (before adding local_time).
  std::int64_t day_in(std::int64_t year) const noexcept;
};

/// A POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3" (the TZif footer).
struct PosixRule {
  LocalType standard;
  std::optional<LocalType> daylight;  ///< none for zones without DST ("<+0530>-5:30")
  PosixChangeDate dst_start, dst_end;

  /// Parses the string; on failure returns nullopt and says why in `problem`.
  static std::optional<PosixRule> parse(std::string_view text, std::string& problem);

  /// The instants (seconds) at which DST starts and ends in `year`.
  std::int64_t dst_start_in(std::int64_t year) const noexcept;
  std::int64_t dst_end_in(std::int64_t year) const noexcept;
};

/// The stretch of time between two transitions, and the local time type in force over it.
struct Segment {
  std::int64_t begin = no_earlier_transition;  ///< inclusive
  std::int64_t end = no_later_transition;      ///< exclusive
  std::uint16_t type = 0;
};

struct ZoneData {
  std::string name;
  std::vector<LocalType> types;  ///< never empty; types[0] is in force before the first transition
  /// Transition instants, strictly ascending, with the type in force from each. The file's own table
  /// is extended with the footer rule's transitions up to `extended_until`, so that common lookups
  /// are one binary search; beyond it (and before the first transition of a table-less file with a
  /// rule) the rule is evaluated on the fly.
  std::vector<std::int64_t> times;
  std::vector<std::uint16_t> types_from;
  std::optional<PosixRule> rule;
  std::uint16_t rule_standard_type = 0, rule_daylight_type = 0;
  std::int64_t extended_until = no_later_transition;
  /// The rule governs from the file's last transition on (all of time for a file without any);
  /// between there and the first precomputed transition it is evaluated on the fly too.
  std::int64_t table_end = no_earlier_transition;
  std::int64_t extension_begin = no_later_transition;
  /// suffix_min_offset[i] / suffix_max_offset[i]: offset bounds over segments i-1, i, ... (index 0 is
  /// the segment before the first transition), the rule's types included.
  std::vector<std::int32_t> suffix_min_offset, suffix_max_offset;

  /// The segment containing instant `t` (seconds).
  Segment segment_at(std::int64_t t) const noexcept;
  const LocalType& type_at(std::int64_t t) const noexcept { return types[segment_at(t).type]; }
  /// Offset bounds over every instant at or after `t`.
  std::int32_t min_offset_from(std::int64_t t) const noexcept;
  std::int32_t max_offset_from(std::int64_t t) const noexcept;
  /// How the local wall time `local_seconds` maps onto instants (results in seconds).
  struct Resolution {
    LocalTimeResolution::Kind kind = LocalTimeResolution::Kind::unique;
    std::int64_t first = 0, second = 0, transition = 0;
  };
  Resolution resolve(std::int64_t local_seconds) const noexcept;

  /// Fills `times`, `types_from` past the table from `rule`, and the offset bounds. Called once by
  /// the builders after `types`, the file's transitions and `rule` are set.
  void finish();

 private:
  Segment rule_segment_at(std::int64_t t) const noexcept;
  std::int32_t global_min_offset() const noexcept { return suffix_min_offset.front(); }
  std::int32_t global_max_offset() const noexcept { return suffix_max_offset.front(); }
};

/// Parses TZif bytes (RFC 8536, versions 1 to 4) into zone data named `name`. `source` says where
/// the bytes came from in messages ("file /usr/share/zoneinfo/X"). Throws Error(parse).
ZoneData parse_tzif(std::string_view name, std::string_view bytes, std::string_view source);

/// Zone data for a zone that is always `offset` seconds east of UTC.
ZoneData fixed_offset_zone(std::string name, std::int32_t offset, std::string abbreviation);

}  // namespace hotcrm::detail
