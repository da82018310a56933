#pragma once
// Word lists and small builders of realistic values (people, companies, places, phone numbers,
// e-mail addresses under the reserved .example domain) shared by the generic and hand-written
// generators.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "hotcrm/value.hpp"
#include "sample/sample_random.hpp"

namespace hotcrm::inline v0::sample {

template <class T, std::size_t N>
const T& pick(SampleRandom& random, const std::array<T, N>& items) {
  return random.pick(std::span<const T>(items));
}

template <std::size_t N>
std::string_view pick_weighted(SampleRandom& random, const std::array<std::string_view, N>& values,
                               const std::array<int, N>& weights) {
  return values[random.weighted_index(weights)];
}

inline constexpr std::array<std::string_view, 40> first_names = {
    "Ada",   "Alan",   "Grace",    "Linus",  "Margaret", "Dennis",  "Barbara", "Ken",     "Frances", "Donald",
    "Radia", "Tim",    "Hedy",     "John",   "Katherine", "Edsger", "Sophie",  "Niklaus", "Karen",   "Bjarne",
    "Anita", "Guido",  "Jean",     "Leslie", "Shafi",    "Whitfield", "Mary",  "Tony",    "Adele",   "Vint",
    "Lynn",  "Robert", "Elena",    "Marco",  "Priya",    "Wei",     "Amara",   "Lucas",   "Yuki",    "Omar"};

inline constexpr std::array<std::string_view, 40> last_names = {
    "Lovelace", "Turing",   "Hopper",   "Torvalds", "Hamilton", "Ritchie",  "Liskov",     "Thompson",
    "Allen",    "Knuth",    "Perlman",  "Berners-Lee", "Lamarr", "McCarthy", "Johnson",   "Dijkstra",
    "Wilson",   "Wirth",    "Jones",    "Stroustrup", "Borg",   "van Rossum", "Sammet",   "Lamport",
    "Goldwasser", "Diffie", "Shaw",     "Hoare",    "Goldberg", "Cerf",     "Conway",     "Kahn",
    "Petrova",  "Rossi",    "Sharma",   "Zhang",    "Okafor",   "Martin",   "Tanaka",     "Haddad"};

struct Place {
  std::string_view city;
  std::string_view state;
  std::string_view country;
  std::string_view phone_prefix;
  std::string_view time_zone;
  std::string_view street;
};

inline constexpr std::array<Place, 16> places = {{
    {"San Francisco", "CA", "United States", "+1 415 555", "America/Los_Angeles", "Market Street"},
    {"New York", "NY", "United States", "+1 212 555", "America/New_York", "Broadway"},
    {"Austin", "TX", "United States", "+1 512 555", "America/Chicago", "Congress Avenue"},
    {"Chicago", "IL", "United States", "+1 312 555", "America/Chicago", "Michigan Avenue"},
    {"Seattle", "WA", "United States", "+1 206 555", "America/Los_Angeles", "Pike Street"},
    {"Boston", "MA", "United States", "+1 617 555", "America/New_York", "Boylston Street"},
    {"Toronto", "ON", "Canada", "+1 416 555", "America/Toronto", "King Street West"},
    {"London", "", "United Kingdom", "+44 20 7946", "Europe/London", "Baker Street"},
    {"Berlin", "BE", "Germany", "+49 30 5550", "Europe/Berlin", "Friedrichstra\u00DFe"},
    {"Paris", "\u00CEle-de-France", "France", "+33 1 5550", "Europe/Paris", "Rue de Rivoli"},
    {"Madrid", "MD", "Spain", "+34 91 555", "Europe/Madrid", "Gran V\u00EDa"},
    {"Sydney", "NSW", "Australia", "+61 2 5550", "Australia/Sydney", "George Street"},
    {"Singapore", "", "Singapore", "+65 6555", "Asia/Singapore", "Orchard Road"},
    {"Tokyo", "Tokyo", "Japan", "+81 3 5550", "Asia/Tokyo", "Chuo-dori"},
    {"Bengaluru", "KA", "India", "+91 80 5550", "Asia/Kolkata", "MG Road"},
    {"S\u00E3o Paulo", "SP", "Brazil", "+55 11 5550", "America/Sao_Paulo", "Avenida Paulista"},
}};

struct Role {
  std::string_view title;
  std::string_view department;
  std::string_view level;  // contact.level option
};

inline constexpr std::array<Role, 14> roles = {{
    {"Chief Executive Officer", "Executive", "c_level"},
    {"Chief Financial Officer", "Finance", "c_level"},
    {"Chief Technology Officer", "Engineering", "c_level"},
    {"VP of Sales", "Sales", "vp"},
    {"VP of Engineering", "Engineering", "vp"},
    {"VP of Operations", "Operations", "vp"},
    {"Director of IT", "IT", "director"},
    {"Director of Procurement", "Procurement", "director"},
    {"Marketing Manager", "Marketing", "manager"},
    {"Procurement Manager", "Procurement", "manager"},
    {"IT Manager", "IT", "manager"},
    {"Business Analyst", "Operations", "individual_contributor"},
    {"Software Engineer", "Engineering", "individual_contributor"},
    {"Accountant", "Finance", "individual_contributor"},
}};

inline constexpr std::array<std::string_view, 10> industries = {"technology", "finance",   "manufacturing", "retail",
                                                                "healthcare", "education", "realestate",    "energy",
                                                                "consulting", "other"};
inline constexpr std::array<int, 10> industry_weights = {25, 14, 12, 10, 10, 6, 5, 6, 8, 4};

/// Neutral business sentences for descriptions, notes and comments.
inline constexpr std::array<std::string_view, 12> business_sentences = {
    "Discussed the rollout plan and agreed on the next milestones.",
    "The customer asked for a detailed breakdown of the pricing.",
    "Follow up with the procurement team before the end of the quarter.",
    "Security review completed; no open findings.",
    "Requested an updated proposal covering the additional seats.",
    "The integration with the ERP system is the main open question.",
    "Budget approved for the next fiscal year.",
    "Training sessions scheduled for the operations team.",
    "Renewal terms under review by the legal department.",
    "Performance issues reported after the last upgrade.",
    "The champion is moving to another role; identify a new sponsor.",
    "Everything is on track; next check-in in two weeks.",
};

/// Lower-case ASCII letters, digits and '-' only: "Berners-Lee" -> "berners-lee", "Blue Sky" -> "bluesky".
std::string slug(std::string_view text);

/// Hands out each name once: a name already taken gets " 2", " 3", ... so unique fields stay
/// unique however large the scale.
class UniqueNames {
 public:
  std::string claim(const std::string& base, std::string_view separator = " ");

 private:
  std::unordered_set<std::string> used_;
  /// Per base name and separator, the first number not yet tried: a common name's millionth claim starts there
  /// instead of at 2, so claiming stays constant time as the run grows.
  std::unordered_map<std::string, int> next_number_;
};

/// "first.last@domain", numbered on collision ("first.last2@domain").
std::string unique_email(UniqueNames& taken, std::string_view first, std::string_view last, std::string_view domain);
/// "Northwind Logistics Inc."
std::string company_name(SampleRandom& random);
/// The mail domain of a company: "Blue Sky Foods Inc." -> "blueskyfoods.example" (the .example
/// top-level domain is reserved, so no address here can reach anyone).
std::string company_domain(std::string_view name);
std::string phone_number(SampleRandom& random, const Place& place);
std::string postal_code(SampleRandom& random);
/// Company revenue in whole dollars, spread over orders of magnitude as real markets are (many
/// small companies, few giants): a three-digit mantissa times 10^3 .. 10^7.
Decimal annual_revenue(SampleRandom& random);
std::int64_t employees_for(SampleRandom& random, const Decimal& revenue);
/// `today` moved by `offset_days`.
Date days_from(Date today, std::int64_t offset_days);
/// `day` at hh:mm UTC.
DateTime at_time(Date day, int hour, int minute);
/// The first `max_code_points` code points of UTF-8 text.
std::string truncate_utf8(std::string text, std::size_t max_code_points);

}  // namespace hotcrm::inline v0::sample
