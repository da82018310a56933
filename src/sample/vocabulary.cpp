#include "sample/vocabulary.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace hotcrm::inline v0::sample {
namespace {

constexpr std::array<std::string_view, 30> company_stems = {
    "Northwind", "Contoso",  "Globex",     "Initech",   "Umbrella", "Stark",      "Wayne",   "Acme",
    "Hooli",     "Vandelay", "Soylent",    "Tyrell",    "Cyberdyne", "Wonka",     "Oscorp",  "Aperture",
    "Massive",   "Blue Sky", "Silver Lake", "Red Rock", "Green Valley", "Bright Path", "Summit", "Harbor",
    "Pioneer",   "Evergreen", "Atlas",     "Nimbus",    "Quantum",  "Orion"};

constexpr std::array<std::string_view, 16> company_trades = {
    "Systems", "Logistics", "Analytics", "Health",  "Capital",  "Energy",   "Foods",   "Robotics",
    "Media",   "Labs",      "Networks",  "Partners", "Manufacturing", "Retail", "Learning", "Consulting"};

constexpr std::array<std::string_view, 6> company_suffixes = {"Inc.", "LLC", "Ltd.", "GmbH", "Corp.", "Group"};

}  // namespace

std::string slug(std::string_view text) {
  std::string result;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') result += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') result += c;
  }
  return result;
}

std::string UniqueNames::claim(const std::string& base, std::string_view separator) {
  if (used_.insert(base).second) return base;
  int& next = next_number_.try_emplace(base + '\0' + std::string(separator), 2).first->second;
  for (;; ++next) {
    std::string candidate = fmt::format("{}{}{}", base, separator, next);
    if (used_.insert(candidate).second) {
      ++next;
      return candidate;
    }
  }
}

std::string unique_email(UniqueNames& taken, std::string_view first, std::string_view last, std::string_view domain) {
  return taken.claim(fmt::format("{}.{}", slug(first), slug(last)), "") + "@" + std::string(domain);
}

std::string company_name(SampleRandom& random) {
  const std::string_view stem = pick(random, company_stems);
  const std::string_view trade = pick(random, company_trades);
  const std::string_view suffix = pick(random, company_suffixes);
  return fmt::format("{} {} {}", stem, trade, suffix);
}

std::string company_domain(std::string_view name) {
  const auto suffix = name.rfind(' ');
  return slug(name.substr(0, suffix)) + ".example";
}

std::string phone_number(SampleRandom& random, const Place& place) {
  return fmt::format("{} {:04}", place.phone_prefix, random.between(0, 9999));
}

std::string postal_code(SampleRandom& random) { return fmt::format("{:05}", random.between(1000, 99999)); }

Decimal annual_revenue(SampleRandom& random) {
  static constexpr std::array<int, 5> magnitude_weights = {15, 35, 30, 15, 5};
  std::int64_t dollars = random.between(100, 999);
  const std::size_t magnitude = random.weighted_index(magnitude_weights);
  for (std::size_t i = 0; i < magnitude + 3; ++i) dollars *= 10;
  return Decimal(dollars * 100, 2);
}

std::int64_t employees_for(SampleRandom& random, const Decimal& revenue) {
  const std::int64_t dollars = revenue.units() / 100;
  return std::max<std::int64_t>(1, dollars / random.between(80'000, 400'000));
}

Date days_from(Date today, std::int64_t offset_days) { return Date{static_cast<std::int32_t>(today.days + offset_days)}; }

DateTime at_time(Date day, int hour, int minute) {
  return DateTime{DateTime::from_date(day).micros + (hour * 60LL + minute) * 60'000'000LL};
}

std::string truncate_utf8(std::string text, std::size_t max_code_points) {
  std::size_t code_points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (code_points++ == max_code_points) {
      text.resize(i);
      break;
    }
  }
  return text;
}

}  // namespace hotcrm::inline v0::sample
