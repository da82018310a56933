#pragma once
#include <string_view>
#include <vector>

namespace hotcrm::detail {
struct EmbeddedFile {
  std::string_view path;     ///< relative to catalog/, e.g. "crm/lead.json"
  std::string_view content;
};
/// The catalog JSON files compiled into the library, sorted by path.
const std::vector<EmbeddedFile>& embedded_catalog_files();
}  // namespace hotcrm::detail
