#pragma once
// Bounds on one read (QueryLimits): a timeout and a cancel token, checked inside SQLite through its
// progress handler and between the rows the engine reads.
#include <chrono>
#include <string>

#include "hotcrm/progress.hpp"
#include "store/sqlite.hpp"

namespace hotcrm::detail {

class ReadGuard {
 public:
  /// Installs the progress handler while it lives, when `limits` set anything (otherwise costs
  /// nothing). `what` names the read in errors ("query on lead").
  ReadGuard(Connection& connection, const QueryLimits& limits, std::string what);
  ~ReadGuard();
  ReadGuard(const ReadGuard&) = delete;
  ReadGuard& operator=(const ReadGuard&) = delete;

  /// Between rows: throws Error(cancelled) / Error(deadline) when the read must stop.
  void check();
  /// After a failed step: rethrows SQLite's interruption as the error that caused it; returns when
  /// the failure was something else (the caller rethrows it).
  void explain_interruption();

 private:
  static int on_progress(void* self) noexcept;
  bool must_stop() noexcept;
  [[noreturn]] void stop();

  Connection& connection_;
  const QueryLimits& limits_;
  std::string what_;
  bool active_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point deadline_;
  int reason_ = 0;  // 0 none, 1 cancelled, 2 deadline
};

}  // namespace hotcrm::detail
