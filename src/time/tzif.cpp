// TZif reader (RFC 8536, versions 1 to 4). The input may be hostile: every count is checked
// against the bytes that are really there before anything is read or allocated.

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "hotcrm/error.hpp"
#include "time/zone_data.hpp"

namespace hotcrm::detail {

namespace {

struct TzifFailure {
  std::string why;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  std::size_t position() const noexcept { return pos_; }

  void require(std::uint64_t count, std::string_view what) const {
    if (count > remaining()) {
      throw TzifFailure{fmt::format("{} needs {} bytes at offset {} but only {} remain", what, count, pos_, remaining())};
    }
  }
  std::string_view take(std::size_t count, std::string_view what) {
    require(count, what);
    const std::string_view out = bytes_.substr(pos_, count);
    pos_ += count;
    return out;
  }
  std::uint8_t u8(std::string_view what) { return static_cast<std::uint8_t>(take(1, what)[0]); }
  std::uint32_t u32(std::string_view what) {
    const std::string_view b = take(4, what);
    std::uint32_t value = 0;
    for (char c : b) value = (value << 8) | static_cast<std::uint8_t>(c);
    return value;
  }
  std::int64_t i64(std::string_view what) {
    const std::string_view b = take(8, what);
    std::uint64_t value = 0;
    for (char c : b) value = (value << 8) | static_cast<std::uint8_t>(c);
    return static_cast<std::int64_t>(value);
  }
  std::int32_t i32(std::string_view what) { return static_cast<std::int32_t>(u32(what)); }
  void skip(std::uint64_t count, std::string_view what) { take(static_cast<std::size_t>(count), what); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

struct Header {
  char version = 0;  // 0 for version 1, else '2', '3', '4'
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  /// Bytes of the data block that follows this header, with `time_size`-byte times.
  std::uint64_t data_size(std::uint64_t time_size) const {
    return std::uint64_t{timecnt} * time_size + timecnt + std::uint64_t{typecnt} * 6 + charcnt +
           std::uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};

Header read_header(ByteReader& reader, std::string_view which) {
  Header header;
  const std::size_t at = reader.position();
  if (reader.remaining() < 44) {
    throw TzifFailure{fmt::format("{} header needs 44 bytes at offset {} but only {} remain", which, at, reader.remaining())};
  }
  if (reader.take(4, "magic") != "TZif") throw TzifFailure{fmt::format("no \"TZif\" magic at offset {}", at)};
  header.version = static_cast<char>(reader.u8("version"));
  if (header.version != 0 && (header.version < '2' || header.version > '4')) {
    throw TzifFailure{fmt::format("unsupported version byte 0x{:02x}", static_cast<unsigned char>(header.version))};
  }
  reader.skip(15, "reserved bytes");
  header.isutcnt = reader.u32("isutcnt");
  header.isstdcnt = reader.u32("isstdcnt");
  header.leapcnt = reader.u32("leapcnt");
  header.timecnt = reader.u32("timecnt");
  header.typecnt = reader.u32("typecnt");
  header.charcnt = reader.u32("charcnt");
  if (header.typecnt == 0) throw TzifFailure{fmt::format("{} header has no local time types (typecnt 0)", which)};
  // Transition type indexes are one byte: more types could never be used.
  if (header.typecnt > 256) throw TzifFailure{fmt::format("{} header has {} local time types, more than 256", which, header.typecnt)};
  if (header.charcnt == 0) throw TzifFailure{fmt::format("{} header has no abbreviation characters (charcnt 0)", which)};
  if (header.isutcnt != 0 && header.isutcnt != header.typecnt) {
    throw TzifFailure{fmt::format("isutcnt {} is neither 0 nor typecnt {}", header.isutcnt, header.typecnt)};
  }
  if (header.isstdcnt != 0 && header.isstdcnt != header.typecnt) {
    throw TzifFailure{fmt::format("isstdcnt {} is neither 0 nor typecnt {}", header.isstdcnt, header.typecnt)};
  }
  if (header.leapcnt != 0) {
    // libhotcrm instants count POSIX seconds; "right/" zones count leap seconds too.
    throw TzifFailure{fmt::format("{} leap-second records: leap-second (\"right/\") zones are not supported", header.leapcnt)};
  }
  return header;
}

void read_data(ByteReader& reader, const Header& header, int time_size, ZoneData& zone) {
  reader.require(header.data_size(static_cast<std::uint64_t>(time_size)), "the data block");
  zone.times.reserve(header.timecnt);
  for (std::uint32_t i = 0; i < header.timecnt; ++i) {
    const std::int64_t time = time_size == 8 ? reader.i64("transition time") : reader.i32("transition time");
    // zic writes -2^59 for "the big bang"; farther instants are meaningless and would overflow
    // calendar arithmetic.
    if (time < -(std::int64_t{1} << 60) || time > (std::int64_t{1} << 60)) {
      throw TzifFailure{fmt::format("transition {} at {} s is out of range (beyond +-2^60 s)", i, time)};
    }
    if (!zone.times.empty() && time <= zone.times.back()) {
      throw TzifFailure{fmt::format("transition {} ({}) is not after transition {} ({})", i, time, i - 1, zone.times.back())};
    }
    zone.times.push_back(time);
  }
  zone.types_from.reserve(header.timecnt);
  for (std::uint32_t i = 0; i < header.timecnt; ++i) {
    const std::uint8_t type = reader.u8("transition type");
    if (type >= header.typecnt) {
      throw TzifFailure{fmt::format("transition {} uses local time type {} but only {} exist", i, type, header.typecnt)};
    }
    zone.types_from.push_back(type);
  }
  struct RawType {
    std::int32_t offset;
    bool is_dst;
    std::uint8_t abbreviation_index;
  };
  std::vector<RawType> raw(header.typecnt);
  for (std::uint32_t i = 0; i < header.typecnt; ++i) {
    raw[i].offset = reader.i32("UT offset");
    if (raw[i].offset < min_utc_offset || raw[i].offset > max_utc_offset) {
      throw TzifFailure{fmt::format("local time type {} has UT offset {} s, outside -89999..93599", i, raw[i].offset)};
    }
    const std::uint8_t dst = reader.u8("DST flag");
    if (dst > 1) throw TzifFailure{fmt::format("local time type {} has DST flag {}, not 0 or 1", i, dst)};
    raw[i].is_dst = dst == 1;
    raw[i].abbreviation_index = reader.u8("abbreviation index");
  }
  const std::string_view characters = reader.take(header.charcnt, "abbreviation characters");
  zone.types.clear();
  for (std::uint32_t i = 0; i < header.typecnt; ++i) {
    if (raw[i].abbreviation_index >= characters.size()) {
      throw TzifFailure{fmt::format("local time type {} abbreviation index {} is past the {} characters", i,
                                    raw[i].abbreviation_index, characters.size())};
    }
    const std::string_view tail = characters.substr(raw[i].abbreviation_index);
    const std::size_t nul = tail.find('\0');
    if (nul == std::string_view::npos) throw TzifFailure{fmt::format("local time type {} abbreviation is not NUL-terminated", i)};
    zone.types.push_back(LocalType{.offset = raw[i].offset, .is_dst = raw[i].is_dst, .abbreviation = std::string(tail.substr(0, nul))});
  }
  // Leap-second records were refused in the header; the standard/wall and UT/local indicators only
  // matter to POSIX-TZ-string emulation of old files, which the footer makes unnecessary.
  reader.skip(std::uint64_t{header.isstdcnt} + header.isutcnt, "indicators");
}

}  // namespace

ZoneData parse_tzif(std::string_view name, std::string_view bytes, std::string_view source) {
  ZoneData zone;
  zone.name = std::string(name);
  try {
    ByteReader reader(bytes);
    const Header first = read_header(reader, "version 1");
    if (first.version == 0) {
      read_data(reader, first, 4, zone);
    } else {
      // Version 2+: skip the 32-bit block, use the 64-bit one and the footer.
      reader.require(first.data_size(4), "the version 1 data block");
      reader.skip(first.data_size(4), "the version 1 data block");
      const Header second = read_header(reader, "version 2+");
      read_data(reader, second, 8, zone);
      if (reader.remaining() == 0 || reader.u8("footer") != '\n') throw TzifFailure{"the footer does not start with a newline"};
      const std::string_view rest = bytes.substr(reader.position());
      const std::size_t newline = rest.find('\n');
      if (newline == std::string_view::npos) throw TzifFailure{"the footer does not end with a newline"};
      const std::string_view tz_string = rest.substr(0, newline);
      if (!tz_string.empty()) {
        std::string problem;
        zone.rule = PosixRule::parse(tz_string, problem);
        if (!zone.rule) throw TzifFailure{fmt::format("footer TZ string \"{}\" is invalid: {}", tz_string, problem)};
        const auto out_of_range = [](const LocalType& type) {
          return type.offset < min_utc_offset || type.offset > max_utc_offset;
        };
        if (out_of_range(zone.rule->standard) || (zone.rule->daylight && out_of_range(*zone.rule->daylight))) {
          throw TzifFailure{fmt::format("footer TZ string \"{}\" has an offset outside -25..+26 hours", tz_string)};
        }
      }
    }
  } catch (const TzifFailure& failure) {
    throw Error(ErrorCode::parse,
                fmt::format("time zone '{}': {} is not a valid TZif file: {}", name, source, failure.why));
  }
  zone.finish();
  return zone;
}

}  // namespace hotcrm::detail
