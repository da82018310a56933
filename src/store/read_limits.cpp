#include "store/read_limits.hpp"

#include <fmt/format.h>

#include "hotcrm/error.hpp"

namespace hotcrm::detail {

namespace {
// SQLite calls the handler every this many virtual-machine instructions: a few microseconds of
// work, so a cancel or a deadline is noticed well within a millisecond.
constexpr int kProgressInstructions = 4000;
}  // namespace

ReadGuard::ReadGuard(Connection& connection, const QueryLimits& limits, std::string what)
    : connection_(connection), limits_(limits), what_(std::move(what)) {
  if (limits_.timeout.count() < 0) throw UsageError(ErrorCode::usage, "a query timeout cannot be negative");
  active_ = limits_.timeout.count() > 0 || limits_.cancel.has_value();
  if (!active_) return;
  started_ = std::chrono::steady_clock::now();
  deadline_ = started_ + limits_.timeout;
  check();  // a token cancelled before the read starts stops it at once
  sqlite3_progress_handler(connection_.handle(), kProgressInstructions, &ReadGuard::on_progress, this);
}

ReadGuard::~ReadGuard() {
  if (active_) sqlite3_progress_handler(connection_.handle(), 0, nullptr, nullptr);
}

bool ReadGuard::must_stop() noexcept {
  if (limits_.cancel && limits_.cancel->cancelled()) reason_ = 1;
  else if (limits_.timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline_) reason_ = 2;
  return reason_ != 0;
}

int ReadGuard::on_progress(void* self) noexcept { return static_cast<ReadGuard*>(self)->must_stop() ? 1 : 0; }

void ReadGuard::check() {
  if (active_ && must_stop()) stop();
}

void ReadGuard::explain_interruption() {
  if (active_ && reason_ != 0) stop();
}

void ReadGuard::stop() {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count();
  if (reason_ == 1) throw Error(ErrorCode::cancelled, fmt::format("{} cancelled after {} ms", what_, elapsed));
  throw Error(ErrorCode::deadline, fmt::format("{} stopped at its timeout of {} ms (ran {} ms)", what_,
                                               limits_.timeout.count(), elapsed));
}

}  // namespace hotcrm::detail
