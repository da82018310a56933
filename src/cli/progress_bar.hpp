#pragma once
// A one-line progress display on stderr for long imports. It redraws in place with '\r', so it is
// only shown when stderr is a terminal: in a pipe or a log file it would be garbage.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "hotcrm/progress.hpp"

namespace hotcrm::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label, std::FILE* out = stderr);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// True when stderr is a terminal (the only place a progress bar belongs).
  static bool stderr_is_terminal() noexcept;

  /// Redraws the line; always returns true (the CLI never cancels from here).
  bool update(const Progress& progress);
  /// Ends the line so that later output starts on a fresh one.
  void finish();

  /// A callback for ImportOptions::on_progress drawing on this bar (which must outlive it).
  ProgressCallback callback();

 private:
  std::string render(const Progress& progress) const;

  std::string label_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point started_;
  bool drawn_ = false;
};

}  // namespace hotcrm::cli
