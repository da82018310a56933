// Zone lookups (segments, wall time resolution) and POSIX TZ rules.

#include "time/zone_data.hpp"

#include <algorithm>
#include <cctype>

#include "core/civil.hpp"

namespace hotcrm::detail {

namespace {

/// The footer rule's transitions are precomputed into the table up to this year (1 Jan, UTC);
/// the rest of time is computed on the fly.
constexpr std::int64_t extension_end_year = 2400;
/// Table-less files whose rule governs all of time are precomputed from this year.
constexpr std::int64_t rule_only_start_year = 1800;

// ---- POSIX TZ string parsing ----------------------------------------------------------------

class PosixParser {
 public:
  PosixParser(std::string_view text, std::string& problem) : text_(text), problem_(problem) {}

  std::optional<PosixRule> parse() {
    PosixRule rule;
    if (!name(rule.standard.abbreviation, "standard time name")) return std::nullopt;
    std::int32_t west = 0;
    if (!offset(west, "standard time offset")) return std::nullopt;
    rule.standard.offset = -west;
    if (at_end()) return rule;
    LocalType daylight{.offset = rule.standard.offset + 3600, .is_dst = true, .abbreviation = {}};
    if (!name(daylight.abbreviation, "daylight time name")) return std::nullopt;
    if (!at_end() && peek() != ',') {
      if (!offset(west, "daylight time offset")) return std::nullopt;
      daylight.offset = -west;
    }
    rule.daylight = daylight;
    if (at_end()) {
      // POSIX leaves the default to the implementation; tzcode and glibc use the US rules.
      rule.dst_start = {.form = PosixChangeDate::Form::month_week_day, .month = 3, .week = 2, .weekday = 0};
      rule.dst_end = {.form = PosixChangeDate::Form::month_week_day, .month = 11, .week = 1, .weekday = 0};
      return rule;
    }
    if (!expect(',') || !change_date(rule.dst_start) || !expect(',') || !change_date(rule.dst_end)) return std::nullopt;
    if (!at_end()) return fail("unexpected text after the end rule");
    return rule;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  std::nullopt_t fail(std::string why) {
    problem_ = std::move(why) + " at offset " + std::to_string(pos_);
    return std::nullopt;
  }
  bool expect(char c) {
    if (at_end() || peek() != c) {
      fail(std::string("expected '") + c + "'");
      return false;
    }
    ++pos_;
    return true;
  }

  /// "CET" (3+ letters) or "<+0530>" (3+ alphanumerics, '+' or '-').
  bool name(std::string& out, const char* what) {
    const std::size_t start = pos_;
    if (!at_end() && peek() == '<') {
      ++pos_;
      while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '+' || peek() == '-')) ++pos_;
      if (at_end() || peek() != '>') {
        fail(std::string(what) + " is missing its closing '>'");
        return false;
      }
      out = std::string(text_.substr(start + 1, pos_ - start - 1));
      ++pos_;
    } else {
      while (!at_end() && std::isalpha(static_cast<unsigned char>(peek()))) ++pos_;
      out = std::string(text_.substr(start, pos_ - start));
    }
    if (out.size() < 3) {
      pos_ = start;
      fail(std::string(what) + " needs at least 3 characters");
      return false;
    }
    return true;
  }

  bool number(int& out, int max_digits) {
    int digits = 0;
    out = 0;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek())) && digits < max_digits) {
      out = out * 10 + (peek() - '0');
      ++pos_;
      ++digits;
    }
    return digits > 0;
  }

  /// [+-]hh[:mm[:ss]] with hours up to max_hours, as signed seconds.
  bool signed_duration(std::int32_t& out, int max_hours, const char* what) {
    int sign = 1;
    if (!at_end() && (peek() == '+' || peek() == '-')) sign = text_[pos_++] == '-' ? -1 : 1;
    int hours = 0, minutes = 0, seconds = 0;
    if (!number(hours, 3) || hours > max_hours) {
      fail(std::string(what) + ": hours missing or above " + std::to_string(max_hours));
      return false;
    }
    if (!at_end() && peek() == ':') {
      ++pos_;
      if (!number(minutes, 2) || minutes > 59) {
        fail(std::string(what) + ": minutes missing or above 59");
        return false;
      }
      if (!at_end() && peek() == ':') {
        ++pos_;
        if (!number(seconds, 2) || seconds > 59) {
          fail(std::string(what) + ": seconds missing or above 59");
          return false;
        }
      }
    }
    out = sign * (hours * 3600 + minutes * 60 + seconds);
    return true;
  }

  bool offset(std::int32_t& out, const char* what) { return signed_duration(out, 24, what); }

  bool change_date(PosixChangeDate& date) {
    int value = 0;
    if (!at_end() && peek() == 'J') {
      ++pos_;
      if (!number(value, 3) || value < 1 || value > 365) return fail("Jn day must be 1-365"), false;
      date.form = PosixChangeDate::Form::julian_without_leap_day;
      date.day_number = value;
    } else if (!at_end() && peek() == 'M') {
      ++pos_;
      if (!number(date.month, 2) || date.month < 1 || date.month > 12) return fail("Mm.w.d month must be 1-12"), false;
      if (!expect('.')) return false;
      if (!number(date.week, 1) || date.week < 1 || date.week > 5) return fail("Mm.w.d week must be 1-5"), false;
      if (!expect('.')) return false;
      if (!number(date.weekday, 1) || date.weekday > 6) return fail("Mm.w.d weekday must be 0-6"), false;
      date.form = PosixChangeDate::Form::month_week_day;
    } else {
      if (!number(value, 3) || value > 365) return fail("day must be Jn, n (0-365) or Mm.w.d"), false;
      date.form = PosixChangeDate::Form::zero_based_day;
      date.day_number = value;
    }
    date.local_time = 2 * 3600;
    if (!at_end() && peek() == '/') {
      ++pos_;
      // RFC 8536 section 3.3.1 (TZif v3) extends POSIX: the time may be negative and up to 167 h.
      if (!signed_duration(date.local_time, 167, "change time")) return false;
    }
    return true;
  }

  std::string_view text_;
  std::string& problem_;
  std::size_t pos_ = 0;
};

}  // namespace

std::int64_t PosixChangeDate::day_in(std::int64_t year) const noexcept {
  const std::int64_t january_first = days_from_civil(year, 1, 1);
  switch (form) {
    case Form::julian_without_leap_day:
      return january_first + day_number - 1 + (is_leap_year(year) && day_number >= 60 ? 1 : 0);
    case Form::zero_based_day:
      return january_first + day_number;
    case Form::month_week_day: {
      const std::int64_t month_first = days_from_civil(year, month, 1);
      std::int64_t day = month_first + (weekday - weekday_from_days(month_first) + 7) % 7 + 7 * (week - 1);
      while (day >= month_first + days_in_month(year, month)) day -= 7;  // week 5 means "the last"
      return day;
    }
  }
  return january_first;
}

std::optional<PosixRule> PosixRule::parse(std::string_view text, std::string& problem) {
  return PosixParser(text, problem).parse();
}

std::int64_t PosixRule::dst_start_in(std::int64_t year) const noexcept {
  // The change to DST happens at a wall time read on standard time.
  return dst_start.day_in(year) * seconds_per_day + dst_start.local_time - standard.offset;
}

std::int64_t PosixRule::dst_end_in(std::int64_t year) const noexcept {
  return dst_end.day_in(year) * seconds_per_day + dst_end.local_time - daylight->offset;
}

// ---- ZoneData --------------------------------------------------------------------------------

namespace {

struct RuleEvent {
  std::int64_t time;
  bool to_daylight;
};

/// The rule's changes in years [first_year, last_year], in order; at equal instants the end of DST
/// comes first, so that "DST all year" rules (J365/25 ending where next year's DST begins) stay DST.
std::vector<RuleEvent> rule_events(const PosixRule& rule, std::int64_t first_year, std::int64_t last_year) {
  std::vector<RuleEvent> events;
  events.reserve(static_cast<std::size_t>(2 * (last_year - first_year + 1)));
  for (std::int64_t year = first_year; year <= last_year; ++year) {
    events.push_back({rule.dst_start_in(year), true});
    events.push_back({rule.dst_end_in(year), false});
  }
  std::stable_sort(events.begin(), events.end(), [](const RuleEvent& a, const RuleEvent& b) {
    return a.time != b.time ? a.time < b.time : (!a.to_daylight && b.to_daylight);
  });
  return events;
}

std::int64_t year_of_seconds(std::int64_t t, std::int32_t offset) {
  return civil_from_days(floor_div(t + offset, seconds_per_day)).year;
}

}  // namespace

void ZoneData::finish() {
  if (rule) {
    if (rule->daylight) {
      LocalType standard = rule->standard;
      LocalType daylight = *rule->daylight;
      auto type_index = [this](const LocalType& wanted) {
        for (std::size_t i = 0; i < types.size(); ++i) {
          if (types[i].same_clock(wanted)) return static_cast<std::uint16_t>(i);
        }
        types.push_back(wanted);
        return static_cast<std::uint16_t>(types.size() - 1);
      };
      rule_standard_type = type_index(standard);
      rule_daylight_type = type_index(daylight);
      table_end = times.empty() ? no_earlier_transition : times.back();
      const std::size_t table_size = times.size();
      // Precompute from the year before the table ends, but not before 1800: a hostile file whose
      // table ends in the distant past must not make us generate millions of years.
      const std::int64_t first_year =
          times.empty() ? rule_only_start_year
                        : std::max(rule_only_start_year, year_of_seconds(times.back(), rule->standard.offset) - 1);
      const std::int64_t last_year = std::max(first_year, extension_end_year - 1);
      auto append = [this](std::int64_t time, std::uint16_t type) {
        if (!times.empty() && time < times.back()) return;  // the file's own table is authoritative
        if (!times.empty() && time == times.back()) {
          types_from.back() = type;
          return;
        }
        const std::uint16_t current = times.empty() ? std::uint16_t{0} : types_from.back();
        if (!times.empty() && types[current].same_clock(types[type])) return;
        times.push_back(time);
        types_from.push_back(type);
      };
      for (const RuleEvent& event : rule_events(*rule, first_year, last_year)) {
        append(event.time, event.to_daylight ? rule_daylight_type : rule_standard_type);
      }
      extended_until = days_from_civil(last_year + 1, 1, 1) * seconds_per_day;
      extension_begin = times.size() > table_size ? times[table_size] : extended_until;
    } else {
      // A rule without DST: standard time from the last transition on.
      std::uint16_t index = 0;
      bool found = false;
      for (std::size_t i = 0; i < types.size() && !found; ++i) {
        if (types[i].same_clock(rule->standard)) index = static_cast<std::uint16_t>(i), found = true;
      }
      if (!found) {
        types.push_back(rule->standard);
        index = static_cast<std::uint16_t>(types.size() - 1);
      }
      rule_standard_type = rule_daylight_type = index;
      if (times.empty()) {
        types[0] = rule->standard;  // no table: the rule is the whole story
      } else if (!types[types_from.back()].same_clock(types[index])) {
        types_from.back() = index;  // the footer decides from the last transition on
      }
    }
  }

  // Offset bounds from each segment on (segment 0 is the one before the first transition). The
  // rule's types count everywhere: the rule governs past the precomputed table.
  const std::size_t segments = times.size() + 1;
  suffix_min_offset.assign(segments, 0);
  suffix_max_offset.assign(segments, 0);
  std::int32_t low = types[0].offset, high = types[0].offset;
  if (rule) {
    low = std::min(types[rule_standard_type].offset, types[rule_daylight_type].offset);
    high = std::max(types[rule_standard_type].offset, types[rule_daylight_type].offset);
  }
  for (std::size_t i = segments; i-- > 0;) {
    const std::int32_t offset = types[i == 0 ? 0 : types_from[i - 1]].offset;
    low = std::min(low, offset);
    high = std::max(high, offset);
    suffix_min_offset[i] = low;
    suffix_max_offset[i] = high;
  }
}

Segment ZoneData::rule_segment_at(std::int64_t t) const noexcept {
  const std::int64_t year = year_of_seconds(t, rule->standard.offset);
  // Two years either side: a v3 change time of up to 167 h can move a change into the next year.
  const std::vector<RuleEvent> events = rule_events(*rule, year - 2, year + 2);
  Segment segment{.begin = no_earlier_transition, .end = no_later_transition, .type = rule_standard_type};
  for (const RuleEvent& event : events) {
    if (event.time <= t) {
      segment.begin = event.time;
      segment.type = event.to_daylight ? rule_daylight_type : rule_standard_type;
    } else {
      segment.end = event.time;
      break;
    }
  }
  return segment;
}

Segment ZoneData::segment_at(std::int64_t t) const noexcept {
  if (rule && rule->daylight && t >= table_end && (t >= extended_until || t < extension_begin)) {
    Segment segment = rule_segment_at(t);
    segment.begin = std::max(segment.begin, table_end);
    if (t < extension_begin) segment.end = std::min(segment.end, extension_begin);
    return segment;
  }
  const auto after = std::upper_bound(times.begin(), times.end(), t);
  const std::size_t next = static_cast<std::size_t>(after - times.begin());
  Segment segment;
  if (next == 0) {
    segment.type = 0;
  } else {
    segment.begin = times[next - 1];
    segment.type = types_from[next - 1];
  }
  if (next < times.size()) {
    segment.end = times[next];
  } else if (rule && rule->daylight) {
    segment.end = extended_until;  // a boundary without a change; the rule takes over there
  }
  return segment;
}

namespace {
std::size_t segment_index(const std::vector<std::int64_t>& times, std::int64_t t) {
  return static_cast<std::size_t>(std::upper_bound(times.begin(), times.end(), t) - times.begin());
}
}  // namespace

std::int32_t ZoneData::min_offset_from(std::int64_t t) const noexcept {
  return suffix_min_offset[segment_index(times, t)];
}

std::int32_t ZoneData::max_offset_from(std::int64_t t) const noexcept {
  return suffix_max_offset[segment_index(times, t)];
}

ZoneData::Resolution ZoneData::resolve(std::int64_t local_seconds) const noexcept {
  // Every instant showing this wall time lies in [local - max offset, local - min offset]: walk the
  // segments over that window (each step moves strictly forward, so the walk ends), keeping the
  // instants that fall inside the segment that produced them.
  const std::int64_t window_begin = local_seconds - global_max_offset();
  const std::int64_t window_end = local_seconds - global_min_offset();
  std::size_t count = 0;
  std::int64_t first = 0, last = 0, last_segment_begin = 0;
  Resolution resolution;
  bool gap_seen = false;
  Segment segment = segment_at(window_begin);
  for (;;) {
    const std::int32_t offset = types[segment.type].offset;
    const std::int64_t candidate = local_seconds - offset;
    if (candidate >= segment.begin && candidate < segment.end) {
      if (count++ == 0) first = candidate;
      last = candidate;
      last_segment_begin = segment.begin;
    }
    if (segment.end == no_later_transition || segment.end > window_end) break;
    const Segment next = segment_at(segment.end);
    const std::int32_t next_offset = types[next.type].offset;
    // Clocks jumped over this wall time at this boundary?
    if (!gap_seen && segment.end + offset <= local_seconds && local_seconds < segment.end + next_offset) {
      gap_seen = true;
      resolution.first = local_seconds - next_offset;
      resolution.second = local_seconds - offset;
      resolution.transition = segment.end;
    }
    segment = next;
  }
  if (count == 0) {
    resolution.kind = LocalTimeResolution::Kind::skipped;
    // No instant and no jump over it cannot happen with consistent segments; answer something sane.
    if (!gap_seen) resolution.first = resolution.second = resolution.transition = local_seconds;
    return resolution;
  }
  resolution.first = first;
  resolution.second = last;
  resolution.kind = count == 1 ? LocalTimeResolution::Kind::unique : LocalTimeResolution::Kind::repeated;
  resolution.transition = count == 1 ? first : last_segment_begin;
  return resolution;
}

ZoneData fixed_offset_zone(std::string name, std::int32_t offset, std::string abbreviation) {
  ZoneData zone;
  zone.name = std::move(name);
  zone.types.push_back(LocalType{.offset = offset, .is_dst = false, .abbreviation = std::move(abbreviation)});
  zone.finish();
  return zone;
}

}  // namespace hotcrm::detail
