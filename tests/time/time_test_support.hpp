#pragma once
// Shared helpers for the time tests: readable doctest output, short constructors and a builder of
// TZif bytes for synthetic zones.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/error.hpp"
#include "hotcrm/time/time_zone.hpp"
#include "hotcrm/value.hpp"

namespace doctest {
template <>
struct StringMaker<hotcrm::DateTime> {
  static String convert(const hotcrm::DateTime& value) { return value.to_string().c_str(); }
};
template <>
struct StringMaker<hotcrm::LocalDateTime> {
  static String convert(const hotcrm::LocalDateTime& value) { return value.to_string().c_str(); }
};
template <>
struct StringMaker<hotcrm::Date> {
  static String convert(const hotcrm::Date& value) { return value.to_string().c_str(); }
};
}  // namespace doctest

namespace hotcrm::test {

inline DateTime utc(std::string_view text) { return DateTime::parse(text); }
inline LocalDateTime wall(std::string_view text) { return LocalDateTime::parse(text); }
inline Date day(std::string_view text) { return Date::parse(text); }
inline constexpr std::int64_t minute_micros = 60'000'000;
inline constexpr std::int64_t hour_micros = 60 * minute_micros;

/// The message of the hotcrm::Error `call` throws, checking its code; fails the test if none.
template <class Call>
std::string error_message(Call&& call, ErrorCode expected_code) {
  try {
    call();
  } catch (const Error& error) {
    CHECK(error.code() == expected_code);
    return error.what();
  }
  FAIL("expected a hotcrm::Error");
  return {};
}

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

/// Builds TZif bytes: a v1 block with the same data (32-bit) and, for versions 2+, the 64-bit
/// block and the footer.
struct TzifBuilder {
  struct Type {
    std::int32_t offset;
    bool is_dst;
    std::string abbreviation;
  };
  char version = '2';
  std::vector<std::int64_t> times;
  std::vector<std::uint8_t> type_indexes;
  std::vector<Type> types{{0, false, "UTC"}};
  std::string footer;

  static void put32(std::string& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
  }
  static void put64(std::string& out, std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
  }

  std::string block(bool wide) const {
    std::string characters;
    std::vector<std::uint8_t> indexes;
    for (const Type& type : types) {
      indexes.push_back(static_cast<std::uint8_t>(characters.size()));
      characters += type.abbreviation;
      characters.push_back('\0');
    }
    std::string out = "TZif";
    out.push_back(version == '1' ? '\0' : version);
    out.append(15, '\0');
    put32(out, 0);  // isutcnt
    put32(out, 0);  // isstdcnt
    put32(out, 0);  // leapcnt
    put32(out, static_cast<std::uint32_t>(times.size()));
    put32(out, static_cast<std::uint32_t>(types.size()));
    put32(out, static_cast<std::uint32_t>(characters.size()));
    for (std::int64_t time : times) {
      if (wide) put64(out, static_cast<std::uint64_t>(time));
      else put32(out, static_cast<std::uint32_t>(static_cast<std::int32_t>(time)));
    }
    for (std::uint8_t index : type_indexes) out.push_back(static_cast<char>(index));
    for (std::size_t i = 0; i < types.size(); ++i) {
      put32(out, static_cast<std::uint32_t>(types[i].offset));
      out.push_back(types[i].is_dst ? '\1' : '\0');
      out.push_back(static_cast<char>(indexes[i]));
    }
    out += characters;
    return out;
  }

  std::string bytes() const {
    std::string out = block(false);
    if (version == '1') return out;
    out += block(true);
    out += "\n" + footer + "\n";
    return out;
  }
};

}  // namespace hotcrm::test
