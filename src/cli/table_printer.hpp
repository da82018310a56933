#pragma once
// Aligned text tables for terminal output: a header row, a rule, then the rows. Long cells are
// cut so that one wide value (a description, an address) cannot push every other column away.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace hotcrm::cli {

class TablePrinter {
 public:
  static constexpr std::size_t default_max_cell_width = 40;

  explicit TablePrinter(std::vector<std::string> headers, std::size_t max_cell_width = default_max_cell_width);

  /// Numbers read better aligned on their last digit.
  void align_right(std::size_t column);
  /// Adds a row; missing cells are blank, extra cells are ignored.
  void add_row(std::vector<std::string> cells);
  std::size_t row_count() const noexcept { return rows_.size(); }

  void print(std::ostream& out) const;

 private:
  std::vector<std::size_t> column_widths() const;
  void print_row(std::ostream& out, const std::vector<std::string>& cells,
                 const std::vector<std::size_t>& widths) const;

  std::vector<std::string> headers_;
  std::vector<bool> right_aligned_;
  std::vector<std::vector<std::string>> rows_;
  std::size_t max_cell_width_;
};

/// Display width of UTF-8 text in terminal columns, counting one per code point (good enough for
/// the Latin, Greek and Cyrillic text a CRM mostly holds).
std::size_t display_width(const std::string& text) noexcept;
/// The text cut to at most `width` columns, ending in "…" when something was cut; control
/// characters (newlines in a textarea) become spaces so that a cell stays on one line.
std::string fit_cell(const std::string& text, std::size_t width);

/// "(1 row)" / "(N rows)".
std::string row_count_footer(std::size_t rows);

}  // namespace hotcrm::cli
