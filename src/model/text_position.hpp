#pragma once
#include <cstdint>
#include <string_view>

namespace hotcrm::detail {
struct TextPosition {
  std::int64_t line = 1;
  std::int64_t column = 1;
};
/// 1-based line and column of byte `offset` in `text` (columns count bytes).
inline TextPosition line_column(std::string_view text, std::size_t offset) {
  TextPosition position;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}
}  // namespace hotcrm::detail
