// Monitoring statistics of the registry: score histograms, PSI, ROC AUC, log-loss, calibration, and
// the routing hash.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "core/numeric.hpp"
#include "hotcrm/error.hpp"
#include "hotcrm/scoring/registry.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {
using detail::kNaN;
constexpr double kPsiFloor = 1e-4;

void check_same_size(std::span<const double> a, std::span<const double> b, const char* where) {
  if (a.size() != b.size())
    throw UsageError(ErrorCode::usage, fmt::format("{}: {} scores for {} labels", where, a.size(), b.size()));
}
}  // namespace

std::uint64_t routing_hash(std::string_view model_name, std::string_view record_id) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;  // FNV-1a 64 prime
  };
  for (char c : model_name) mix(static_cast<unsigned char>(c));
  mix(0);
  for (char c : record_id) mix(static_cast<unsigned char>(c));
  return hash;
}

ScoreHistogram make_histogram(std::span<const double> scores, int bins) {
  if (bins < 1 || bins > 1000) throw UsageError(ErrorCode::usage, fmt::format("histogram: {} bins (1 to 1000)", bins));
  std::vector<double> sorted;
  sorted.reserve(scores.size());
  for (double s : scores)
    if (!std::isnan(s)) sorted.push_back(s);
  ScoreHistogram out;
  if (sorted.empty()) return out;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  for (int i = 1; i < bins; ++i) {
    // The cut point is the smallest score of the upper part at quantile i / bins.
    const double edge = sorted[std::min(n - 1, n * static_cast<std::size_t>(i) / static_cast<std::size_t>(bins))];
    if (edge > sorted.front() && (out.edges.empty() || edge > out.edges.back())) out.edges.push_back(edge);
  }
  out.count = static_cast<std::int64_t>(n);
  out.fractions = histogram_fractions(out, sorted);
  return out;
}

std::vector<double> histogram_fractions(const ScoreHistogram& reference, std::span<const double> scores) {
  std::vector<double> counts(reference.edges.size() + 1, 0.0);
  double total = 0;
  for (double s : scores) {
    if (std::isnan(s)) continue;
    const auto bin = static_cast<std::size_t>(std::upper_bound(reference.edges.begin(), reference.edges.end(), s) -
                                              reference.edges.begin());
    counts[bin] += 1;
    total += 1;
  }
  if (total > 0)
    for (double& c : counts) c /= total;
  return counts;
}

double population_stability(const ScoreHistogram& reference, std::span<const double> scores) {
  if (reference.empty() || reference.fractions.size() != reference.edges.size() + 1) return kNaN;
  const std::vector<double> current = histogram_fractions(reference, scores);
  bool any = false;
  for (double s : scores) any = any || !std::isnan(s);
  if (!any) return kNaN;
  double psi = 0;
  for (std::size_t i = 0; i < current.size(); ++i) {
    const double c = std::max(current[i], kPsiFloor);
    const double r = std::max(reference.fractions[i], kPsiFloor);
    psi += (c - r) * std::log(c / r);
  }
  return psi;
}

double roc_auc(std::span<const double> scores, std::span<const double> labels) {
  check_same_size(scores, labels, "roc_auc");
  const std::size_t n = scores.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double positives = 0, rank_sum = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]] > 0.5) {
        rank_sum += average_rank;
        positives += 1;
      }
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

double log_loss(std::span<const double> probabilities, std::span<const double> labels) {
  check_same_size(probabilities, labels, "log_loss");
  if (probabilities.empty()) return kNaN;
  double sum = 0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double p = std::clamp(probabilities[i], 1e-15, 1 - 1e-15);
    sum -= labels[i] > 0.5 ? std::log(p) : std::log1p(-p);
  }
  return sum / static_cast<double>(probabilities.size());
}

std::vector<CalibrationBin> calibration_table(std::span<const double> probabilities, std::span<const double> labels,
                                              int bins) {
  check_same_size(probabilities, labels, "calibration_table");
  if (bins < 1 || bins > 1000) throw UsageError(ErrorCode::usage, fmt::format("calibration: {} bins (1 to 1000)", bins));
  std::vector<CalibrationBin> table(static_cast<std::size_t>(bins));
  for (int i = 0; i < bins; ++i) {
    table[static_cast<std::size_t>(i)].low = static_cast<double>(i) / bins;
    table[static_cast<std::size_t>(i)].high = static_cast<double>(i + 1) / bins;
  }
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double p = probabilities[i];
    if (std::isnan(p)) continue;
    const auto bin = static_cast<std::size_t>(std::clamp(static_cast<int>(std::floor(p * bins)), 0, bins - 1));
    auto& b = table[bin];
    b.count += 1;
    b.mean_predicted += p;
    b.observed_rate += labels[i] > 0.5 ? 1.0 : 0.0;
  }
  std::vector<CalibrationBin> out;
  for (auto& b : table) {
    if (b.count == 0) continue;
    b.mean_predicted /= static_cast<double>(b.count);
    b.observed_rate /= static_cast<double>(b.count);
    out.push_back(b);
  }
  return out;
}

}  // namespace v0
}  // namespace hotcrm
