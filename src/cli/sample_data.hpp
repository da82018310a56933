#pragma once
// Deterministic sample CRM data for demos, tutorials and benchmarks: users, accounts, contacts
// linked to accounts, leads, and opportunities linked to accounts and their contacts.
//
// Written against the public API only (pure functions over a Session), so that it can move into
// the library unchanged. The same seed gives the same records on every platform: the engine is
// std::mt19937_64, whose output the standard fixes, and the distributions are implemented here,
// because std::uniform_int_distribution and friends differ between standard libraries.

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// error.hpp first: database.hpp uses FieldError without including it (library header bug).
#include "hotcrm/error.hpp"
#include "hotcrm/store/database.hpp"
#include "hotcrm/store/record.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm::sample {

/// Random draws that are identical on every platform for a given seed.
class SampleRandom {
 public:
  explicit SampleRandom(std::uint64_t seed) : engine_(seed) {}

  /// Uniform integer in [low, high], both inclusive, without modulo bias.
  std::int64_t between(std::int64_t low, std::int64_t high);
  /// True with probability percent / 100.
  bool chance(int percent);
  /// An index into `weights`, drawn with probability proportional to its weight.
  std::size_t weighted_index(std::span<const int> weights);
  /// A uniformly chosen element.
  template <class T>
  const T& pick(std::span<const T> items) {
    return items[uniform_below(items.size())];
  }

 private:
  /// Uniform in [0, bound), bound > 0: rejection sampling on the top of the 64-bit range.
  std::uint64_t uniform_below(std::uint64_t bound);

  std::mt19937_64 engine_;
};

/// A seed per object derived from the run's seed, so that changing how one object is generated
/// does not reshuffle the others.
std::uint64_t derive_seed(std::uint64_t seed, std::string_view object);

/// How many records of each object a scale factor gives: 5 users, 100 accounts, 250 contacts,
/// 500 leads and 200 opportunities per unit of scale.
struct SampleCounts {
  std::int64_t users = 0;
  std::int64_t accounts = 0;
  std::int64_t contacts = 0;
  std::int64_t leads = 0;
  std::int64_t opportunities = 0;
  std::int64_t total() const noexcept { return users + accounts + contacts + leads + opportunities; }
};
SampleCounts sample_counts(std::int64_t scale);

// Generators: rows of one object, as a RecordBatch ready for Session::import_records. Reference
// fields take the ids of records already stored, so that the data is referentially consistent.

RecordBatch generate_users(SampleRandom& random, std::int64_t count);
RecordBatch generate_accounts(SampleRandom& random, std::int64_t count, Date today);

struct GeneratedContacts {
  RecordBatch rows;
  std::vector<std::size_t> account_index;  ///< contact row -> index into the account ids
};
GeneratedContacts generate_contacts(SampleRandom& random, std::int64_t count, std::span<const std::string> account_ids,
                                    std::span<const std::string> account_names);
RecordBatch generate_leads(SampleRandom& random, std::int64_t count, Date today);

/// Opportunities of stored accounts; the contact, when there is one, works at the same account.
struct OpportunityParents {
  std::span<const std::string> account_ids;
  std::span<const std::string> account_names;
  std::vector<std::vector<std::string>> contact_ids_by_account;  ///< parallel to account_ids
};
RecordBatch generate_opportunities(SampleRandom& random, std::int64_t count, const OpportunityParents& parents,
                                   Date today);

struct SampleDataOptions {
  std::int64_t scale = 1;
  std::uint64_t seed = 42;
  Date today;                      ///< dates are spread around this day (renewals, close dates)
  std::int64_t batch_rows = 5000;  ///< rows per import_records call
};

/// What loading one object took.
struct LoadedObject {
  std::string object;
  std::int64_t rows = 0;
  std::chrono::nanoseconds elapsed{0};
};
using LoadedCallback = std::function<void(const LoadedObject&)>;

/// Generates and imports every object in dependency order (users, accounts, contacts, leads,
/// opportunities). Batches are imported in abort mode: a rejected row is a generator bug and throws
/// ValidationError. `on_loaded` is called after each object.
std::vector<LoadedObject> load_sample_data(Session& session, const SampleDataOptions& options,
                                           const LoadedCallback& on_loaded = {});

}  // namespace hotcrm::sample
