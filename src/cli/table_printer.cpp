#include "cli/table_printer.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

namespace hotcrm::cli {
namespace {

constexpr std::string_view ellipsis = "\u2026";
constexpr std::string_view column_gap = "  ";

bool is_continuation_byte(char byte) noexcept { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

std::string without_control_characters(const std::string& text) {
  std::string clean = text;
  for (char& c : clean) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return clean;
}

}  // namespace

std::size_t display_width(const std::string& text) noexcept {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation_byte(c); }));
}

std::string fit_cell(const std::string& text, std::size_t width) {
  std::string clean = without_control_characters(text);
  if (display_width(clean) <= width) return clean;
  if (width == 0) return {};
  // Keep width - 1 code points, then the ellipsis.
  std::size_t kept_points = 0;
  std::size_t end = 0;
  while (end < clean.size()) {
    if (!is_continuation_byte(clean[end])) {
      if (kept_points == width - 1) break;
      ++kept_points;
    }
    ++end;
  }
  clean.resize(end);
  clean += ellipsis;
  return clean;
}

std::string row_count_footer(std::size_t rows) { return fmt::format("({} {})", rows, rows == 1 ? "row" : "rows"); }

TablePrinter::TablePrinter(std::vector<std::string> headers, std::size_t max_cell_width)
    : headers_(std::move(headers)), right_aligned_(headers_.size(), false), max_cell_width_(max_cell_width) {
  for (std::string& header : headers_) header = fit_cell(header, max_cell_width_);
}

void TablePrinter::align_right(std::size_t column) {
  if (column < right_aligned_.size()) right_aligned_[column] = true;
}

void TablePrinter::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& cell : cells) cell = fit_cell(cell, max_cell_width_);
  rows_.push_back(std::move(cells));
}

std::vector<std::size_t> TablePrinter::column_widths() const {
  std::vector<std::size_t> widths;
  for (const std::string& header : headers_) widths.push_back(display_width(header));
  for (const auto& row : rows_) {
    for (std::size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], display_width(row[column]));
    }
  }
  return widths;
}

void TablePrinter::print_row(std::ostream& out, const std::vector<std::string>& cells,
                             const std::vector<std::size_t>& widths) const {
  std::string line;
  for (std::size_t column = 0; column < cells.size(); ++column) {
    if (column > 0) line += column_gap;
    const std::string padding(widths[column] - display_width(cells[column]), ' ');
    line += right_aligned_[column] ? padding + cells[column] : cells[column] + padding;
  }
  // Trailing blanks of the last column are noise when the output is copied or diffed.
  line.erase(line.find_last_not_of(' ') + 1);
  out << line << '\n';
}

void TablePrinter::print(std::ostream& out) const {
  const std::vector<std::size_t> widths = column_widths();
  print_row(out, headers_, widths);
  std::vector<std::string> rules;
  for (std::size_t width : widths) rules.emplace_back(width, '-');
  print_row(out, rules, widths);
  for (const auto& row : rows_) print_row(out, row, widths);
}

}  // namespace hotcrm::cli
