#include "cli/sample_data.hpp"

#include <array>
#include <limits>
#include <unordered_set>

#include <fmt/format.h>

namespace hotcrm::sample {

// ---------------------------------------------------------------------------------------------
// Distributions

std::uint64_t SampleRandom::uniform_below(std::uint64_t bound) {
  // Draws above the largest multiple of `bound` would favour small results; draw again instead.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t draw = engine_();
  while (draw >= limit) draw = engine_();
  return draw % bound;
}

std::int64_t SampleRandom::between(std::int64_t low, std::int64_t high) {
  const std::uint64_t span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low) + 1;
  return low + static_cast<std::int64_t>(uniform_below(span));
}

bool SampleRandom::chance(int percent) { return between(1, 100) <= percent; }

std::size_t SampleRandom::weighted_index(std::span<const int> weights) {
  std::int64_t total = 0;
  for (int weight : weights) total += weight;
  std::int64_t draw = between(0, total - 1);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (draw < weights[i]) return i;
    draw -= weights[i];
  }
  return weights.size() - 1;
}

std::uint64_t derive_seed(std::uint64_t seed, std::string_view object) {
  // FNV-1a over the object name, mixed with the seed by a SplitMix64 finaliser.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : object) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  std::uint64_t z = seed ^ hash;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

SampleCounts sample_counts(std::int64_t scale) {
  return {5 * scale, 100 * scale, 250 * scale, 500 * scale, 200 * scale};
}

namespace {

// ---------------------------------------------------------------------------------------------
// Word lists

constexpr std::array<std::string_view, 40> first_names = {
    "Ada",   "Alan",   "Grace",    "Linus",  "Margaret", "Dennis",  "Barbara", "Ken",     "Frances", "Donald",
    "Radia", "Tim",    "Hedy",     "John",   "Katherine", "Edsger", "Sophie",  "Niklaus", "Karen",   "Bjarne",
    "Anita", "Guido",  "Jean",     "Leslie", "Shafi",    "Whitfield", "Mary",  "Tony",    "Adele",   "Vint",
    "Lynn",  "Robert", "Elena",    "Marco",  "Priya",    "Wei",     "Amara",   "Lucas",   "Yuki",    "Omar"};

constexpr std::array<std::string_view, 40> last_names = {
    "Lovelace", "Turing",   "Hopper",   "Torvalds", "Hamilton", "Ritchie",  "Liskov",     "Thompson",
    "Allen",    "Knuth",    "Perlman",  "Berners-Lee", "Lamarr", "McCarthy", "Johnson",   "Dijkstra",
    "Wilson",   "Wirth",    "Jones",    "Stroustrup", "Borg",   "van Rossum", "Sammet",   "Lamport",
    "Goldwasser", "Diffie", "Shaw",     "Hoare",    "Goldberg", "Cerf",     "Conway",     "Kahn",
    "Petrova",  "Rossi",    "Sharma",   "Zhang",    "Okafor",   "Martin",   "Tanaka",     "Haddad"};

constexpr std::array<std::string_view, 30> company_stems = {
    "Northwind", "Contoso",  "Globex",     "Initech",   "Umbrella", "Stark",      "Wayne",   "Acme",
    "Hooli",     "Vandelay", "Soylent",    "Tyrell",    "Cyberdyne", "Wonka",     "Oscorp",  "Aperture",
    "Massive",   "Blue Sky", "Silver Lake", "Red Rock", "Green Valley", "Bright Path", "Summit", "Harbor",
    "Pioneer",   "Evergreen", "Atlas",     "Nimbus",    "Quantum",  "Orion"};

constexpr std::array<std::string_view, 16> company_trades = {
    "Systems", "Logistics", "Analytics", "Health",  "Capital",  "Energy",   "Foods",   "Robotics",
    "Media",   "Labs",      "Networks",  "Partners", "Manufacturing", "Retail", "Learning", "Consulting"};

constexpr std::array<std::string_view, 6> company_suffixes = {"Inc.", "LLC", "Ltd.", "GmbH", "Corp.", "Group"};

struct Place {
  std::string_view city;
  std::string_view state;
  std::string_view country;
  std::string_view phone_prefix;
  std::string_view time_zone;
};

constexpr std::array<Place, 16> places = {{
    {"San Francisco", "CA", "United States", "+1 415 555", "America/Los_Angeles"},
    {"New York", "NY", "United States", "+1 212 555", "America/New_York"},
    {"Austin", "TX", "United States", "+1 512 555", "America/Chicago"},
    {"Chicago", "IL", "United States", "+1 312 555", "America/Chicago"},
    {"Seattle", "WA", "United States", "+1 206 555", "America/Los_Angeles"},
    {"Boston", "MA", "United States", "+1 617 555", "America/New_York"},
    {"Toronto", "ON", "Canada", "+1 416 555", "America/Toronto"},
    {"London", "", "United Kingdom", "+44 20 7946", "Europe/London"},
    {"Berlin", "BE", "Germany", "+49 30 5550", "Europe/Berlin"},
    {"Paris", "\u00CEle-de-France", "France", "+33 1 5550", "Europe/Paris"},
    {"Madrid", "MD", "Spain", "+34 91 555", "Europe/Madrid"},
    {"Sydney", "NSW", "Australia", "+61 2 5550", "Australia/Sydney"},
    {"Singapore", "", "Singapore", "+65 6555", "Asia/Singapore"},
    {"Tokyo", "Tokyo", "Japan", "+81 3 5550", "Asia/Tokyo"},
    {"Bengaluru", "KA", "India", "+91 80 5550", "Asia/Kolkata"},
    {"S\u00E3o Paulo", "SP", "Brazil", "+55 11 5550", "America/Sao_Paulo"},
}};

struct Role {
  std::string_view title;
  std::string_view department;
  std::string_view level;  // contact.level option
};

constexpr std::array<Role, 14> roles = {{
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

constexpr std::array<std::string_view, 4> user_titles = {"Account Executive", "Sales Development Representative",
                                                         "Sales Engineer", "Customer Success Manager"};

constexpr std::array<std::string_view, 10> industries = {"technology", "finance",   "manufacturing", "retail",
                                                         "healthcare", "education", "realestate",    "energy",
                                                         "consulting", "other"};
constexpr std::array<int, 10> industry_weights = {25, 14, 12, 10, 10, 6, 5, 6, 8, 4};

struct Stage {
  std::string_view value;
  int weight;
  int probability;  // percent
  std::string_view forecast_category;
  bool closed;
};

constexpr std::array<Stage, 7> stages = {{
    {"prospecting", 20, 10, "pipeline", false},
    {"qualification", 15, 20, "pipeline", false},
    {"needs_analysis", 12, 40, "best_case", false},
    {"proposal", 12, 60, "best_case", false},
    {"negotiation", 8, 80, "commit", false},
    {"closed_won", 20, 100, "closed", true},
    {"closed_lost", 13, 0, "omitted", true},
}};

constexpr std::array<std::string_view, 6> products = {"Platform licence", "Support renewal",    "Analytics add-on",
                                                      "Expansion seats",  "Implementation services", "Training package"};
constexpr std::array<std::string_view, 5> next_steps = {"Schedule a demo", "Send the proposal", "Security review",
                                                        "Negotiate terms", "Meet the buying committee"};

// ---------------------------------------------------------------------------------------------
// Helpers

template <class T, std::size_t N>
const T& pick(SampleRandom& random, const std::array<T, N>& items) {
  return random.pick(std::span<const T>(items));
}

template <std::size_t N>
std::string_view pick_weighted(SampleRandom& random, const std::array<std::string_view, N>& values,
                               const std::array<int, N>& weights) {
  return values[random.weighted_index(weights)];
}

/// Lower-case ASCII letters, digits and '-' only: "Berners-Lee" -> "berners-lee", "Blue Sky" -> "bluesky".
std::string slug(std::string_view text) {
  std::string result;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') result += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') result += c;
  }
  return result;
}

/// Hands out each name once: a name already taken gets " 2", " 3", ... so unique fields stay unique
/// however large the scale.
class UniqueNames {
 public:
  std::string claim(const std::string& base, std::string_view separator = " ") {
    if (used_.insert(base).second) return base;
    for (int n = 2;; ++n) {
      std::string candidate = fmt::format("{}{}{}", base, separator, n);
      if (used_.insert(candidate).second) return candidate;
    }
  }

 private:
  std::unordered_set<std::string> used_;
};

/// "first.last@domain", numbered on collision ("first.last2@domain").
std::string unique_email(UniqueNames& taken, std::string_view first, std::string_view last, std::string_view domain) {
  return taken.claim(fmt::format("{}.{}", slug(first), slug(last)), "") + "@" + std::string(domain);
}

std::string company_name(SampleRandom& random) {
  // One draw per statement: the order in which function arguments are evaluated is unspecified,
  // and the sequence of draws must not depend on the compiler.
  const std::string_view stem = pick(random, company_stems);
  const std::string_view trade = pick(random, company_trades);
  const std::string_view suffix = pick(random, company_suffixes);
  return fmt::format("{} {} {}", stem, trade, suffix);
}

/// The mail domain of a company: "Blue Sky Foods Inc." -> "blueskyfoods.example" (the .example
/// top-level domain is reserved, so no address here can reach anyone).
std::string company_domain(std::string_view name) {
  const auto suffix = name.rfind(' ');
  return slug(name.substr(0, suffix)) + ".example";
}

std::string phone_number(SampleRandom& random, const Place& place) {
  return fmt::format("{} {:04}", place.phone_prefix, random.between(0, 9999));
}

std::string postal_code(SampleRandom& random) { return fmt::format("{:05}", random.between(1000, 99999)); }

/// Company revenue in whole dollars, spread over orders of magnitude as real markets are (many
/// small companies, few giants): a three-digit mantissa times 10^3 .. 10^7.
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

/// A "charm" list price (4,999, 12,499, ...) less a whole-percent discount: exact cents, as in real
/// quotes.
Decimal opportunity_amount(SampleRandom& random) {
  const std::int64_t list_dollars = random.between(10, 500) * 500 - 1;
  const std::int64_t discount_percent = random.chance(60) ? random.between(1, 25) : 0;
  return Decimal(list_dollars * (100 - discount_percent), 2);  // dollars * (100 - d) / 100, in cents
}

Value date_from(Date today, std::int64_t offset_days) {
  return Value(Date{static_cast<std::int32_t>(today.days + offset_days)});
}

/// A column of a batch as strings (used to pass generated names on to child objects).
std::vector<std::string> text_column(const RecordBatch& batch, std::string_view field) {
  std::vector<std::string> values;
  for (std::size_t column = 0; column < batch.field_count(); ++column) {
    if (batch.fields()[column] != field) continue;
    for (std::size_t row = 0; row < batch.row_count(); ++row) values.push_back(batch.at(row, column).as_string());
  }
  return values;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Generators

RecordBatch generate_users(SampleRandom& random, std::int64_t count) {
  RecordBatch batch({"username", "email", "first_name", "last_name", "title", "department", "phone", "is_active",
                     "time_zone", "locale"});
  UniqueNames usernames;
  for (std::int64_t i = 0; i < count; ++i) {
    const std::string_view first = pick(random, first_names);
    const std::string_view last = pick(random, last_names);
    const Place& place = pick(random, places);
    const std::string username = usernames.claim(fmt::format("{}.{}", slug(first), slug(last)), "");
    // The first user leads the team; the rest sell.
    const std::string_view title = i == 0 ? "Sales Director" : pick(random, user_titles);
    batch.add_row({username, username + "@hotcrm-demo.example", first, last, title, "Sales",
                   phone_number(random, place), !random.chance(5), place.time_zone, "en_US"});
  }
  return batch;
}

RecordBatch generate_accounts(SampleRandom& random, std::int64_t count, Date today) {
  static constexpr std::array<std::string_view, 5> types = {"customer", "prospect", "partner", "competitor", "other"};
  static constexpr std::array<int, 5> type_weights = {50, 30, 10, 5, 5};
  static constexpr std::array<std::string_view, 3> ratings = {"hot", "warm", "cold"};
  static constexpr std::array<std::string_view, 4> sla_tiers = {"platinum", "gold", "silver", "standard"};
  static constexpr std::array<int, 4> sla_weights = {5, 15, 30, 50};
  RecordBatch batch({"name", "account_number", "type", "industry", "annual_revenue", "number_of_employees", "rating",
                     "phone", "website", "billing_city", "billing_state", "billing_postal_code", "billing_country",
                     "customer_status", "sla_tier", "health_score", "next_renewal_date"});
  UniqueNames names;
  for (std::int64_t i = 0; i < count; ++i) {
    const std::string name = names.claim(company_name(random));
    const std::string_view type = pick_weighted(random, types, type_weights);
    const bool customer = type == "customer";
    const Decimal revenue = annual_revenue(random);
    const Place& place = pick(random, places);
    batch.add_row({name, fmt::format("ACC-{:06}", i + 1), type, pick_weighted(random, industries, industry_weights),
                   revenue, employees_for(random, revenue), pick(random, ratings), phone_number(random, place),
                   "https://www." + company_domain(name), place.city, place.state, postal_code(random), place.country,
                   customer ? (random.chance(85) ? "active_customer" : "churned") : "prospect",
                   customer ? Value(pick_weighted(random, sla_tiers, sla_weights)) : Value(),
                   customer ? Value(random.between(20, 100)) : Value(),
                   customer ? date_from(today, random.between(1, 365)) : Value()});
  }
  return batch;
}

GeneratedContacts generate_contacts(SampleRandom& random, std::int64_t count, std::span<const std::string> account_ids,
                                    std::span<const std::string> account_names) {
  static constexpr std::array<std::string_view, 4> salutations = {"mr", "ms", "dr", "prof"};
  static constexpr std::array<int, 4> salutation_weights = {45, 45, 8, 2};
  static constexpr std::array<std::string_view, 4> strengths = {"strong", "medium", "weak", "unknown"};
  static constexpr std::array<std::string_view, 3> influence = {"high", "medium", "low"};
  static constexpr std::array<std::string_view, 3> channels = {"email", "phone", "mobile"};
  GeneratedContacts contacts{RecordBatch({"first_name", "last_name", "salutation", "account_id", "title", "department",
                                          "level", "email", "phone", "mobile_phone", "is_decision_maker",
                                          "influence_level", "relationship_strength", "preferred_contact"}),
                             {}};
  UniqueNames emails;
  for (std::int64_t i = 0; i < count && !account_ids.empty(); ++i) {
    const std::size_t account = static_cast<std::size_t>(random.between(0, static_cast<std::int64_t>(account_ids.size()) - 1));
    const std::string_view first = pick(random, first_names);
    const std::string_view last = pick(random, last_names);
    const Role& role = pick(random, roles);
    const Place& place = pick(random, places);
    const bool senior = role.level == "c_level" || role.level == "vp";
    const bool decision_maker = senior || (role.level == "director" && random.chance(50));
    contacts.rows.add_row({first, last, pick_weighted(random, salutations, salutation_weights), account_ids[account],
                           role.title, role.department, role.level,
                           unique_email(emails, first, last, company_domain(account_names[account])),
                           phone_number(random, place), random.chance(60) ? Value(phone_number(random, place)) : Value(),
                           decision_maker, senior ? "high" : pick(random, influence), pick(random, strengths),
                           pick(random, channels)});
    contacts.account_index.push_back(account);
  }
  return contacts;
}

RecordBatch generate_leads(SampleRandom& random, std::int64_t count, Date today) {
  static constexpr std::array<std::string_view, 5> statuses = {"new", "contacted", "qualified", "unqualified",
                                                               "converted"};
  static constexpr std::array<int, 5> status_weights = {30, 25, 20, 15, 10};
  static constexpr std::array<std::string_view, 3> ratings = {"hot", "warm", "cold"};
  static constexpr std::array<std::string_view, 5> sources = {"web", "phone_inquiry", "partner_referral",
                                                              "purchased_list", "other"};
  static constexpr std::array<int, 5> source_weights = {45, 15, 20, 15, 5};
  RecordBatch batch({"first_name", "last_name", "company", "title", "email", "phone", "website", "status", "rating",
                     "lead_score", "industry", "number_of_employees", "annual_revenue", "lead_source",
                     "is_in_public_pool", "pool_entry_date", "city", "state", "postal_code", "country"});
  UniqueNames emails;
  for (std::int64_t i = 0; i < count; ++i) {
    const std::string_view first = pick(random, first_names);
    const std::string_view last = pick(random, last_names);
    const std::string company = company_name(random);
    const Place& place = pick(random, places);
    const Decimal revenue = annual_revenue(random);
    const std::int64_t lead_score = random.between(0, 100);
    // A lead scoring above 70 is assigned, never left in the public pool (a rule of the lead).
    const bool in_pool = random.chance(10) && lead_score <= 70;
    // Pool entries happened during the last 90 days, at 09:00 UTC.
    const Value pool_entry = in_pool ? Value(DateTime{DateTime::from_date(today).micros -
                                                      random.between(1, 90) * 86'400'000'000LL + 9 * 3'600'000'000LL})
                                     : Value();
    batch.add_row({first, last, company, pick(random, roles).title,
                   unique_email(emails, first, last, company_domain(company)), phone_number(random, place),
                   "https://www." + company_domain(company), pick_weighted(random, statuses, status_weights),
                   pick(random, ratings), lead_score, pick_weighted(random, industries, industry_weights),
                   employees_for(random, revenue), revenue, pick_weighted(random, sources, source_weights), in_pool,
                   pool_entry, place.city, place.state, postal_code(random), place.country});
  }
  return batch;
}

RecordBatch generate_opportunities(SampleRandom& random, std::int64_t count, const OpportunityParents& parents,
                                   Date today) {
  static constexpr std::array<std::string_view, 4> types = {"new_business", "existing_business_upgrade",
                                                            "existing_business_renewal", "existing_business_replacement"};
  static constexpr std::array<int, 4> type_weights = {50, 25, 20, 5};
  static constexpr std::array<std::string_view, 6> sources = {"web", "phone_inquiry", "partner_referral", "trade_show",
                                                              "customer_referral", "advertisement"};
  std::array<int, stages.size()> stage_weights{};
  for (std::size_t i = 0; i < stages.size(); ++i) stage_weights[i] = stages[i].weight;
  RecordBatch batch({"name", "account_id", "contact_id", "amount", "close_date", "stage", "probability", "next_step",
                     "lead_source", "forecast_category", "type"});
  const auto account_count = static_cast<std::int64_t>(parents.account_ids.size());
  for (std::int64_t i = 0; i < count && account_count > 0; ++i) {
    const auto account = static_cast<std::size_t>(random.between(0, account_count - 1));
    const std::vector<std::string>& contacts = parents.contact_ids_by_account[account];
    const Stage& stage = stages[random.weighted_index(stage_weights)];
    // Closed deals closed in the past year; open ones are expected within six months.
    const std::int64_t close_offset = stage.closed ? -random.between(1, 365) : random.between(7, 180);
    batch.add_row({fmt::format("{} - {}", parents.account_names[account], pick(random, products)),
                   parents.account_ids[account],
                   contacts.empty() ? Value() : Value(random.pick(std::span<const std::string>(contacts))),
                   opportunity_amount(random), date_from(today, close_offset), stage.value,
                   Decimal(stage.probability, 0), stage.closed ? Value() : Value(pick(random, next_steps)),
                   pick(random, sources), stage.forecast_category, pick_weighted(random, types, type_weights)});
  }
  return batch;
}

// ---------------------------------------------------------------------------------------------
// Loading

namespace {

/// Imports `rows` in slices of `batch_rows`; returns the new ids in row order.
std::vector<std::string> import_in_batches(Session& session, std::string_view object, const RecordBatch& rows,
                                           std::int64_t batch_rows) {
  std::vector<std::string> ids;
  ids.reserve(rows.row_count());
  const auto slice_rows = static_cast<std::size_t>(std::max<std::int64_t>(1, batch_rows));
  for (std::size_t first = 0; first < rows.row_count(); first += slice_rows) {
    RecordBatch slice(rows.fields());
    const std::size_t end = std::min(rows.row_count(), first + slice_rows);
    slice.reserve(end - first);
    for (std::size_t row = first; row < end; ++row) {
      std::span<const Value> values = rows.row(row);
      slice.add_row(std::vector<Value>(values.begin(), values.end()));
    }
    ImportReport report = session.import_records(object, slice);
    for (std::string& id : report.ids) ids.push_back(std::move(id));
  }
  return ids;
}

/// Times generation plus import of one object, reports it, and returns the new ids.
template <class Generate>
std::vector<std::string> load_object(Session& session, std::string_view object, const SampleDataOptions& options,
                                     std::vector<LoadedObject>& loaded, const LoadedCallback& on_loaded,
                                     Generate generate) {
  const auto started = std::chrono::steady_clock::now();
  SampleRandom random(derive_seed(options.seed, object));
  const RecordBatch rows = generate(random);
  std::vector<std::string> ids = import_in_batches(session, object, rows, options.batch_rows);
  LoadedObject step{std::string(object), static_cast<std::int64_t>(ids.size()),
                    std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started)};
  if (on_loaded) on_loaded(step);
  loaded.push_back(std::move(step));
  return ids;
}

}  // namespace

std::vector<LoadedObject> load_sample_data(Session& session, const SampleDataOptions& options,
                                           const LoadedCallback& on_loaded) {
  const SampleCounts counts = sample_counts(options.scale);
  std::vector<LoadedObject> loaded;
  load_object(session, "user", options, loaded, on_loaded,
              [&](SampleRandom& random) { return generate_users(random, counts.users); });

  std::vector<std::string> account_names;
  const std::vector<std::string> account_ids =
      load_object(session, "account", options, loaded, on_loaded, [&](SampleRandom& random) {
        RecordBatch rows = generate_accounts(random, counts.accounts, options.today);
        account_names = text_column(rows, "name");
        return rows;
      });

  std::vector<std::size_t> contact_account;
  const std::vector<std::string> contact_ids =
      load_object(session, "contact", options, loaded, on_loaded, [&](SampleRandom& random) {
        GeneratedContacts contacts = generate_contacts(random, counts.contacts, account_ids, account_names);
        contact_account = std::move(contacts.account_index);
        return std::move(contacts.rows);
      });

  load_object(session, "lead", options, loaded, on_loaded,
              [&](SampleRandom& random) { return generate_leads(random, counts.leads, options.today); });

  OpportunityParents parents{account_ids, account_names, std::vector<std::vector<std::string>>(account_ids.size())};
  for (std::size_t contact = 0; contact < contact_ids.size(); ++contact) {
    parents.contact_ids_by_account[contact_account[contact]].push_back(contact_ids[contact]);
  }
  load_object(session, "opportunity", options, loaded, on_loaded, [&](SampleRandom& random) {
    return generate_opportunities(random, counts.opportunities, parents, options.today);
  });
  return loaded;
}

}  // namespace hotcrm::sample
