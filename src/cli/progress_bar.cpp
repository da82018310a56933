#include "cli/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace hotcrm::cli {
namespace {

constexpr int bar_width = 30;

}  // namespace

ProgressBar::ProgressBar(std::string label, std::FILE* out)
    : label_(std::move(label)), out_(out), started_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

bool ProgressBar::stderr_is_terminal() noexcept { return ::isatty(STDERR_FILENO) == 1; }

bool ProgressBar::update(const Progress& progress) {
  // "\x1b[K" clears what a longer previous line left behind.
  std::fputs(("\r" + render(progress) + "\x1b[K").c_str(), out_);
  std::fflush(out_);
  drawn_ = true;
  return true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
}

ProgressCallback ProgressBar::callback() {
  return [this](const Progress& progress) { return update(progress); };
}

std::string ProgressBar::render(const Progress& progress) const {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const double rate = seconds > 0 ? static_cast<double>(progress.done) / seconds : 0.0;
  if (progress.total <= 0) {
    // Streaming input has no known total: show the count and the rate only.
    return fmt::format("{} {:>10} rows  {:>8.0f} rows/s", label_, progress.done, rate);
  }
  const double fraction = std::min(1.0, static_cast<double>(progress.done) / static_cast<double>(progress.total));
  const int filled = static_cast<int>(fraction * bar_width);
  return fmt::format("{} [{}{}] {:3.0f}%  {}/{}  {:.0f} rows/s", label_, std::string(static_cast<std::size_t>(filled), '#'),
                     std::string(static_cast<std::size_t>(bar_width - filled), ' '), fraction * 100, progress.done,
                     progress.total, rate);
}

}  // namespace hotcrm::cli
