#include "sample/sample_random.hpp"

#include <limits>

namespace hotcrm::inline v0::sample {

std::uint64_t SampleRandom::uniform_below(std::uint64_t bound) {
  // Draws above the largest multiple of `bound` would favour small results; draw again instead.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t draw = engine_();
  while (draw >= limit) draw = engine_();
  return draw % bound;
}

std::int64_t SampleRandom::between(std::int64_t low, std::int64_t high) {
  if (high <= low) return low;
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

}  // namespace hotcrm::inline v0::sample
