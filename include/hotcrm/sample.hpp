#pragma once
// Deterministic sample data: realistic, referentially consistent records for every object of a
// catalog, for demos (`hotcrm demo`), tutorials, benchmarks and tests.
//
//   auto db = hotcrm::Database::open("demo.db");
//   for (const auto& loaded : hotcrm::sample::load_sample_data(db, {.scale = 10}))
//     std::cout << loaded.object << ": " << loaded.rows << '\n';
//
// Objects are generated in dependency order (parents before the children pointing at them) and
// imported in batches. Every field is filled from the catalog's metadata: required fields always,
// picklists with their options, numbers within min / max and precision, text within max_length,
// unique fields unique, lookups pointing at generated parents consistent with each other (a case's
// contact works at the case's account); validation rules are checked with the formula engine and
// broken records repaired before import. The standard objects get hand-written realism on top
// (accounts -> contacts -> opportunities -> quotes -> quote lines, contracts, invoices -> lines ->
// payments, cases -> comments, departments -> positions -> employees, candidates -> applications).
// Objects of a user's own catalog get the metadata-driven records.
//
// The same seed gives the same records on every platform: the engine is std::mt19937_64, whose
// output the standard fixes, and the distributions are implemented by the library. Record ids
// come from the database (OpenOptions::id_seed makes them repeatable too).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/model/catalog.hpp"
#include "hotcrm/store/database.hpp"
#include "hotcrm/store/record.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {
namespace sample {

/// The day sample dates are spread around unless told otherwise, so that generated data does not
/// depend on when it is generated.
inline constexpr Date default_today{20468};  // 2026-01-15

struct SampleDataOptions {
  std::int64_t scale = 1;          ///< multiplies the volume (reference data such as roles stays fixed)
  std::uint64_t seed = 42;         ///< the same seed gives the same records
  Date today = default_today;      ///< dates are spread around this day (renewals, close dates, hires)
  std::int64_t batch_rows = 5000;  ///< rows per import batch
};

/// What loading one object took.
struct LoadedObject {
  std::string object;
  std::int64_t rows = 0;      ///< records stored
  std::int64_t rejected = 0;  ///< generated records the store refused even after repair (0 for the standard catalog)
  std::chrono::nanoseconds elapsed{0};
};
using LoadedCallback = std::function<void(const LoadedObject&)>;

/// The session's catalog's objects in generation order: every object after the objects its required
/// lookups point to, and as far as possible after those its optional lookups point to.
std::vector<std::string> load_order(const Catalog& catalog);

/// How many records of `object` a load at `scale` generates (at least one).
std::int64_t record_count(const Catalog& catalog, std::string_view object, std::int64_t scale);

/// Generates and imports records of every object of the session's catalog, in load_order. A record
/// the store still refuses after repair is left out and counted in LoadedObject::rejected.
/// `on_loaded` is called after each object.
std::vector<LoadedObject> load_sample_data(Session& session, const SampleDataOptions& options = {},
                                           const LoadedCallback& on_loaded = {});

/// One valid record of `object`, not inserted: its lookups point at records already stored (the
/// first few hundred of each target object), its unique fields hold values not stored yet. The same
/// seed and stored data give the same record.
Record generate_record(Session& session, std::string_view object, std::uint64_t seed, Date today = default_today);

/// `count` valid records of `object`, not inserted, as one batch whose fields are those the
/// generator fills (load_sample_data's records of that object): lookups point at records already
/// stored (the first few hundred of each target object; none stored, none set), unique fields are
/// unique within the batch, and the same seed and stored data give the same batch. For benchmarks
/// and bulk tests that need many realistic rows of one object.
RecordBatch generate_records(Session& session, std::string_view object, std::int64_t count,
                             std::uint64_t seed = 42, Date today = default_today);

}  // namespace sample
}  // namespace v0
}  // namespace hotcrm
