#pragma once
// The two tenant layouts as test parameters: a test written once runs against one shared file and
// against a tenant directory (TEST_CASE_TEMPLATE(..., Layout, test::SingleFile, test::TenantFiles)).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

namespace hotcrm::test {

struct SingleFile {
  static constexpr StoreLayout layout = StoreLayout::single_file;
  static std::filesystem::path location(const TempDir& dir) { return dir.file("crm.db"); }
};

struct TenantFiles {
  static constexpr StoreLayout layout = StoreLayout::tenant_files;
  static std::filesystem::path location(const TempDir& dir) { return dir.file("tenants"); }
};

/// `options` opened in Layout.
template <class Layout>
OpenOptions in_layout(OpenOptions options) {
  options.layout = Layout::layout;
  return options;
}

/// The raw bytes of a database file and of its write-ahead log (what a reader of the disk sees).
inline std::string raw_bytes(const std::filesystem::path& file) {
  std::string bytes;
  for (const auto& part : {file, std::filesystem::path(file.string() + "-wal")}) {
    std::ifstream in(part, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return bytes;
}

}  // namespace hotcrm::test

TYPE_TO_STRING(hotcrm::test::SingleFile);
TYPE_TO_STRING(hotcrm::test::TenantFiles);
