// TimeZone: loading (TZif files, UTC, fixed offsets), the zone cache, and conversions between
// instants and wall times. LocalDateTime and Weekday live here too.

#include "hotcrm/time/time_zone.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <system_error>

#include "hotcrm/error.hpp"
#include "core/civil.hpp"
#include "time/zone_data.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

using detail::floor_div;
using detail::floor_mod;
using detail::micros_per_second;

constexpr const char* default_zone_directory = "/usr/share/zoneinfo";
/// Larger files are not zone files (the biggest real one is a few kB); refuse before reading.
constexpr std::uintmax_t max_tzif_size = 1 << 20;

/// a + b, or a UsageError naming the zone and what was being computed (described only on failure:
/// formatting it on every call would cost more than the conversion).
template <class Describe>
std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view zone, const Describe& what) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    throw UsageError(ErrorCode::usage, fmt::format("time zone '{}': {} is out of the representable range", zone, what()));
  }
  return sum;
}

/// Seconds (whole) plus the microseconds below them, as microseconds; throws when out of range.
template <class Describe>
std::int64_t to_micros(std::int64_t seconds, std::int64_t fraction, std::string_view zone, const Describe& what) {
  std::int64_t micros = 0;
  if (__builtin_mul_overflow(seconds, micros_per_second, &micros)) {
    throw UsageError(ErrorCode::usage, fmt::format("time zone '{}': {} is out of the representable range", zone, what()));
  }
  return checked_add(micros, fraction, zone, what);
}

std::string offset_name(std::int32_t offset) {
  const char sign = offset < 0 ? '-' : '+';
  const std::int32_t magnitude = offset < 0 ? -offset : offset;
  const std::int32_t hours = magnitude / 3600, minutes = magnitude % 3600 / 60, seconds = magnitude % 60;
  return seconds == 0 ? fmt::format("{}{:02}:{:02}", sign, hours, minutes)
                      : fmt::format("{}{:02}:{:02}:{:02}", sign, hours, minutes, seconds);
}

/// "+05:30" / "-03:00" -> seconds east of UTC; nullopt when the text is not of that shape.
std::optional<std::int32_t> parse_fixed_offset(std::string_view text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  for (std::size_t i : {1u, 2u, 4u, 5u}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int hours = (text[1] - '0') * 10 + (text[2] - '0');
  const int minutes = (text[4] - '0') * 10 + (text[5] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  const std::int32_t offset = hours * 3600 + minutes * 60;
  return text[0] == '-' ? -offset : offset;
}

/// Zone names become file paths: allow only what IANA names use, so that no name can leave the
/// zone directory ("../etc/passwd") or name something odd.
std::optional<std::string> invalid_name_reason(std::string_view name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > 255) return "the name is longer than 255 characters";
  if (name.front() == '/') return "absolute paths are not zone names";
  std::size_t component_start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      const std::string_view component = name.substr(component_start, i - component_start);
      if (component.empty()) return "the name has an empty path component";
      if (component == "." || component == "..") return "'.' and '..' are not allowed in zone names";
      component_start = i + 1;
      continue;
    }
    const char c = name[i];
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                         c == '-' || c == '+' || c == '.';
    if (!allowed) return fmt::format("character '{}' is not allowed in zone names", c);
  }
  return std::nullopt;
}

std::shared_ptr<const detail::ZoneData> read_zone_file(std::string_view name, const std::filesystem::path& directory) {
  if (auto reason = invalid_name_reason(name)) {
    throw UsageError(ErrorCode::usage, fmt::format("time zone '{}': invalid name: {}", name, *reason));
  }
  const std::filesystem::path path = directory / std::filesystem::path(std::string(name));
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) {
    throw UsageError(ErrorCode::usage, fmt::format("time zone '{}': unknown zone (no file {})", name, path.string()));
  }
  if (std::filesystem::is_directory(status)) {
    throw UsageError(ErrorCode::usage, fmt::format("time zone '{}': {} is a folder of zones, not a zone", name, path.string()));
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    throw Error(ErrorCode::io, fmt::format("time zone '{}': cannot read {}: {}", name, path.string(), error.message()));
  }
  if (size > max_tzif_size) {
    throw Error(ErrorCode::parse, fmt::format("time zone '{}': file {} is not a valid TZif file: {} bytes is too large",
                                              name, path.string(), size));
  }
  std::ifstream input(path, std::ios::binary);
  if (!input) throw Error(ErrorCode::io, fmt::format("time zone '{}': cannot open {}", name, path.string()));
  const std::string bytes((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
  if (input.bad()) throw Error(ErrorCode::io, fmt::format("time zone '{}': error while reading {}", name, path.string()));
  return std::make_shared<const detail::ZoneData>(detail::parse_tzif(name, bytes, "file " + path.string()));
}

std::shared_ptr<const detail::ZoneData> utc_data() {
  static const auto data = std::make_shared<const detail::ZoneData>(detail::fixed_offset_zone("UTC", 0, "UTC"));
  return data;
}

/// Loaded zones by "directory\0name": loading a zone once per process is enough (zone files
/// change with system updates only, and a restart picks those up).
class ZoneCache {
 public:
  std::shared_ptr<const detail::ZoneData> get(std::string_view name, const std::filesystem::path& directory) {
    std::string key = directory.string();
    key += '\0';
    key += name;
    {
      const std::lock_guard lock(mutex_);
      if (auto found = zones_.find(key); found != zones_.end()) return found->second;
    }
    // Read outside the lock: a slow disk must not block lookups of other zones. Two threads may
    // both read the same zone once; the first to insert wins and both get equal data.
    auto data = read_zone_file(name, directory);
    const std::lock_guard lock(mutex_);
    return zones_.emplace(std::move(key), std::move(data)).first->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const detail::ZoneData>, std::less<>> zones_;
};

ZoneCache& zone_cache() {
  static ZoneCache cache;
  return cache;
}

}  // namespace

// ---- Weekday, LocalDateTime, ZonedTime -------------------------------------------------------

Weekday weekday_of(Date date) noexcept { return static_cast<Weekday>(detail::weekday_from_days(date.days)); }

LocalDateTime LocalDateTime::of(Date date, int hour, int minute, int second) {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    throw UsageError(ErrorCode::usage, fmt::format("local time {}T{:02}:{:02}:{:02} is not a valid wall time "
                                                   "(hour 0-23, minute 0-59, second 0-59)",
                                                   date.to_string(), hour, minute, second));
  }
  return {DateTime::from_date(date).micros + ((hour * 60LL + minute) * 60 + second) * micros_per_second};
}

LocalDateTime LocalDateTime::parse(std::string_view text) {
  // DateTime's grammar without its zone suffix: a suffix would make it an instant, not a wall time.
  const bool has_zone = text.size() > 10 && text.substr(10).find_first_of("Zz+-") != std::string_view::npos;
  const auto instant = has_zone ? std::nullopt : DateTime::try_parse(text);
  if (!instant) {
    throw Error(ErrorCode::parse,
                fmt::format("invalid local time \"{}\": expected YYYY-MM-DDTHH:MM[:SS[.ffffff]] without a zone", text));
  }
  return {instant->micros};
}

Date LocalDateTime::date() const noexcept { return DateTime{micros}.date(); }
std::int64_t LocalDateTime::micros_of_day() const noexcept { return floor_mod(micros, detail::micros_per_day); }
int LocalDateTime::hour() const noexcept { return static_cast<int>(micros_of_day() / (3600 * micros_per_second)); }
int LocalDateTime::minute() const noexcept {
  return static_cast<int>(micros_of_day() / detail::micros_per_minute % 60);
}
int LocalDateTime::second() const noexcept { return static_cast<int>(micros_of_day() / micros_per_second % 60); }

std::string LocalDateTime::to_string() const {
  std::string text = DateTime{micros}.to_string();
  text.pop_back();  // the "Z": a wall time has no zone
  return text;
}

std::string ZonedTime::to_string() const { return local.to_string() + offset_name(offset_seconds); }

// ---- TimeZone --------------------------------------------------------------------------------

TimeZone::TimeZone() : data_(utc_data()) {}

TimeZone TimeZone::utc() { return TimeZone(); }

TimeZone TimeZone::fixed(std::int32_t offset_seconds) {
  if (offset_seconds <= -86'400 || offset_seconds >= 86'400) {
    throw UsageError(ErrorCode::usage,
                     fmt::format("fixed time zone offset {} s is not less than 24 hours from UTC", offset_seconds));
  }
  std::string name = offset_name(offset_seconds);
  std::string abbreviation = name;
  return TimeZone(std::make_shared<const detail::ZoneData>(
      detail::fixed_offset_zone(std::move(name), offset_seconds, std::move(abbreviation))));
}

TimeZone TimeZone::load(std::string_view name) {
  const char* tzdir = std::getenv("TZDIR");
  return load(name, tzdir != nullptr && *tzdir != '\0' ? std::filesystem::path(tzdir)
                                                        : std::filesystem::path(default_zone_directory));
}

TimeZone TimeZone::load(std::string_view name, const std::filesystem::path& directory) {
  if (name == "UTC") return utc();
  if (!name.empty() && (name.front() == '+' || name.front() == '-')) {
    const auto offset = parse_fixed_offset(name);
    if (!offset) {
      throw UsageError(ErrorCode::usage,
                       fmt::format("time zone '{}': a fixed offset must be written +HH:MM or -HH:MM with hours 00-23", name));
    }
    return fixed(*offset);
  }
  return TimeZone(zone_cache().get(name, directory));
}

TimeZone TimeZone::from_tzif(std::string_view name, std::string_view bytes) {
  return TimeZone(std::make_shared<const detail::ZoneData>(detail::parse_tzif(name, bytes, "the data")));
}

const std::string& TimeZone::name() const noexcept { return data_->name; }

std::int32_t TimeZone::offset_at(DateTime instant) const noexcept {
  return data_->type_at(floor_div(instant.micros, micros_per_second)).offset;
}

ZonedTime TimeZone::to_local(DateTime instant) const {
  const detail::LocalType& type = data_->type_at(floor_div(instant.micros, micros_per_second));
  const std::int64_t local = checked_add(instant.micros, std::int64_t{type.offset} * micros_per_second, data_->name,
                                         [&] { return "the local time of " + instant.to_string(); });
  return ZonedTime{.instant = instant,
                   .local = LocalDateTime{local},
                   .offset_seconds = type.offset,
                   .is_dst = type.is_dst,
                   .abbreviation = type.abbreviation};
}

LocalTimeResolution TimeZone::resolve(LocalDateTime local) const {
  const std::int64_t seconds = floor_div(local.micros, micros_per_second);
  const std::int64_t fraction = floor_mod(local.micros, micros_per_second);
  const detail::ZoneData::Resolution found = data_->resolve(seconds);
  const auto what = [&] { return "the instant of " + local.to_string(); };
  return LocalTimeResolution{.kind = found.kind,
                             .first = DateTime{to_micros(found.first, fraction, data_->name, what)},
                             .second = DateTime{to_micros(found.second, fraction, data_->name, what)},
                             .transition = DateTime{to_micros(found.transition, found.kind == LocalTimeResolution::Kind::unique ? fraction : 0,
                                                              data_->name, what)}};
}

DateTime TimeZone::to_utc(LocalDateTime local, Disambiguation policy) const {
  const LocalTimeResolution found = resolve(local);
  if (found.kind == LocalTimeResolution::Kind::unique) return found.first;
  if (policy == Disambiguation::reject) {
    const bool skipped = found.kind == LocalTimeResolution::Kind::skipped;
    throw UsageError(ErrorCode::usage,
                     fmt::format("time zone '{}': local time {} {} (clocks changed at {})", data_->name,
                                 local.to_string(),
                                 skipped ? "does not exist: it falls in the gap where clocks were set forward"
                                         : "is ambiguous: it happens twice because clocks were set back",
                                 found.transition.to_string()));
  }
  return policy == Disambiguation::earlier ? found.first : found.second;
}

std::optional<DateTime> TimeZone::next_transition(DateTime after) const {
  const std::int64_t seconds = floor_div(after.micros, micros_per_second);
  detail::Segment segment = data_->segment_at(seconds);
  // Skip boundaries where nothing visible changes (the table's and the rule's no-op entries). A
  // rule that keeps DST all year has only such boundaries: give up after a few centuries of them.
  for (int guard = 0; guard < 1000; ++guard) {
    if (segment.end == detail::no_later_transition) return std::nullopt;
    const detail::Segment next = data_->segment_at(segment.end);
    if (!data_->types[next.type].same_clock(data_->types[segment.type])) {
      return DateTime{to_micros(segment.end, 0, data_->name, [] { return std::string("the next transition"); })};
    }
    segment = next;
  }
  return std::nullopt;
}

bool operator==(const TimeZone& a, const TimeZone& b) noexcept {
  if (a.data_ == b.data_) return true;
  const detail::ZoneData& x = *a.data_;
  const detail::ZoneData& y = *b.data_;
  if (x.name != y.name || x.times != y.times || x.types_from != y.types_from || x.types.size() != y.types.size()) {
    return false;
  }
  for (std::size_t i = 0; i < x.types.size(); ++i) {
    if (!x.types[i].same_clock(y.types[i])) return false;
  }
  return x.rule.has_value() == y.rule.has_value() && x.extended_until == y.extended_until;
}

}  // namespace v0
}  // namespace hotcrm
