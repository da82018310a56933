#pragma once
// Text templates with merge fields: "Follow up {!first_name} at {!account_id.name}". Each {!...}
// holds a formula over the record; the rest is literal text. Shared by the catalog check (every
// merge field must compile) and the workflow engine (which renders them).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotcrm::detail {

struct TemplatePart {
  bool is_formula = false;
  std::string text;         ///< literal text, or the formula source
  std::size_t offset = 0;   ///< byte offset of the part in the template
};

/// Splits a template into parts; an unclosed "{!" is reported in `problem` (nullopt result).
inline std::optional<std::vector<TemplatePart>> parse_template(std::string_view text, std::string* problem = nullptr) {
  std::vector<TemplatePart> parts;
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find("{!", at);
    if (open == std::string_view::npos) {
      parts.push_back({false, std::string(text.substr(at)), at});
      break;
    }
    if (open > at) parts.push_back({false, std::string(text.substr(at, open - at)), at});
    auto close = text.find('}', open + 2);
    if (close == std::string_view::npos) {
      if (problem) *problem = "merge field at byte " + std::to_string(open) + " is not closed with '}'";
      return std::nullopt;
    }
    parts.push_back({true, std::string(text.substr(open + 2, close - open - 2)), open + 2});
    at = close + 1;
  }
  return parts;
}

}  // namespace hotcrm::detail
