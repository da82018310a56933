#pragma once
// Random draws that are the same on every platform for a given seed: the engine is
// std::mt19937_64, whose output the standard fixes, and the distributions are implemented here,
// because std::uniform_int_distribution and friends differ between standard libraries.
//
// Callers make one draw per statement (or inside a braced list, which is evaluated in order):
// the order in which function arguments are evaluated is unspecified, and the sequence of draws
// must not depend on the compiler.

#include <cstdint>
#include <random>
#include <span>
#include <string_view>

namespace hotcrm::inline v0::sample {

class SampleRandom {
 public:
  explicit SampleRandom(std::uint64_t seed) : engine_(seed) {}

  /// Uniform integer in [low, high], both inclusive, without modulo bias.
  std::int64_t between(std::int64_t low, std::int64_t high);
  /// True with probability percent / 100.
  bool chance(int percent);
  /// An index into `weights`, drawn with probability proportional to its weight.
  std::size_t weighted_index(std::span<const int> weights);
  /// A uniform index below `size` (size > 0).
  std::size_t index_below(std::size_t size) { return static_cast<std::size_t>(uniform_below(size)); }
  /// A uniformly chosen element.
  template <class T>
  const T& pick(std::span<const T> items) {
    return items[index_below(items.size())];
  }

 private:
  /// Uniform in [0, bound), bound > 0: rejection sampling on the top of the 64-bit range.
  std::uint64_t uniform_below(std::uint64_t bound);

  std::mt19937_64 engine_;
};

/// A seed per object derived from the run's seed, so that changing how one object is generated
/// does not reshuffle the others.
std::uint64_t derive_seed(std::uint64_t seed, std::string_view object);

}  // namespace hotcrm::inline v0::sample
