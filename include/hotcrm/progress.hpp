#pragma once
#include <cstdint>
#include <functional>
#include <string_view>

namespace hotcrm {
inline namespace v0 {

/// Progress of a long batch job. Reported once per chunk, never per row.
struct Progress {
  std::string_view phase;
  std::int64_t done = 0;
  std::int64_t total = -1;  ///< -1 when unknown (streaming input)
};
/// Return false to cancel: the job then stops and throws Error(cancelled) after rolling back.
using ProgressCallback = std::function<bool(const Progress&)>;

}  // namespace v0
}  // namespace hotcrm
