#include "cli/result_output.hpp"

#include <ostream>

#include "cli/cli_common.hpp"
#include "cli/table_printer.hpp"

namespace hotcrm::cli {
namespace {

bool is_numeric(const Value& value) noexcept {
  return value.kind() == ValueKind::integer || value.kind() == ValueKind::real || value.kind() == ValueKind::decimal;
}

/// A column is numeric when its first non-null value is.
bool is_numeric_column(const QueryResult& result, std::size_t column) {
  for (std::size_t row = 0; row < result.size(); ++row) {
    const Value& value = result.rows.at(row, column);
    if (!value.is_null()) return is_numeric(value);
  }
  return false;
}

void print_table(const QueryResult& result, std::ostream& out) {
  TablePrinter table(result.fields);
  for (std::size_t column = 0; column < result.fields.size(); ++column) {
    if (is_numeric_column(result, column)) table.align_right(column);
  }
  for (std::size_t row = 0; row < result.size(); ++row) {
    std::vector<std::string> cells;
    for (const Value& value : result.rows.row(row)) cells.push_back(display_text(value));
    table.add_row(std::move(cells));
  }
  table.print(out);
  out << row_count_footer(result.size()) << '\n';
}

void print_json(const QueryResult& result, std::ostream& out) {
  if (result.size() == 0) {
    out << "[]\n";
    return;
  }
  out << "[\n";
  for (std::size_t row = 0; row < result.size(); ++row) {
    out << "  " << record_to_json(result.fields, result.rows.row(row)) << (row + 1 < result.size() ? ",\n" : "\n");
  }
  out << "]\n";
}

}  // namespace

void print_result(const QueryResult& result, ResultFormat format, std::ostream& out) {
  if (format == ResultFormat::json) print_json(result, out);
  else print_table(result, out);
}

}  // namespace hotcrm::cli
