#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

/// Asks a running call to stop, from another thread. Copies share one flag: keep one, hand a copy
/// to the call (Query::limits), and cancel() it whenever; the call throws Error(cancelled).
class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const noexcept { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

/// Bounds on one read (query, query_columns, aggregate, export). A read past its timeout throws
/// Error(deadline); a cancelled one Error(cancelled). Checked inside SQLite (a progress handler,
/// every few thousand virtual-machine steps) and between rows, so a long scan or sort stops
/// promptly. The timeout is a resource bound measured on the monotonic clock, not business time.
struct QueryLimits {
  std::chrono::milliseconds timeout{0};  ///< 0: none
  std::optional<CancelToken> cancel;
};

}  // namespace v0
}  // namespace hotcrm
