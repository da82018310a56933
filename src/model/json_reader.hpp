#pragma once
// Reading catalog JSON: typed accessors that record a CatalogIssue (with its JSON pointer) for every
// problem instead of stopping at the first, so a user fixes a catalog file in one pass.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hotcrm/model/catalog.hpp"

namespace hotcrm::detail {

using nlohmann::json;

struct JsonReader {
  std::string_view source;
  std::vector<CatalogIssue>& issues;

  void issue(const std::string& path, const std::string& message) {
    issues.push_back({std::string(source), path.empty() ? "/" : path, message});
  }

  // Reports keys outside `allowed`: a misspelt "requried" must not silently do nothing.
  void check_keys(const json& node, const std::string& path, const std::set<std::string_view>& allowed) {
    for (const auto& item : node.items())
      if (!allowed.count(item.key())) issue(path + "/" + item.key(), "unknown attribute '" + item.key() + "'");
  }

  std::string text(const json& node, const char* key, const std::string& path, bool required = false) {
    auto it = node.find(key);
    if (it == node.end()) {
      if (required) issue(path + "/" + key, std::string("missing required attribute '") + key + "'");
      return {};
    }
    if (!it->is_string()) {
      issue(path + "/" + key, "expected a string");
      return {};
    }
    return it->get<std::string>();
  }

  bool flag(const json& node, const char* key, const std::string& path) {
    auto it = node.find(key);
    if (it == node.end()) return false;
    if (!it->is_boolean()) {
      issue(path + "/" + key, "expected true or false");
      return false;
    }
    return it->get<bool>();
  }

  std::optional<double> number(const json& node, const char* key, const std::string& path) {
    auto it = node.find(key);
    if (it == node.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) {
      issue(path + "/" + key, "expected a number");
      return std::nullopt;
    }
    return it->get<double>();
  }

  std::optional<std::int32_t> integer(const json& node, const char* key, const std::string& path) {
    auto it = node.find(key);
    if (it == node.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 1'000'000'000) {
      issue(path + "/" + key, "expected a non-negative integer");
      return std::nullopt;
    }
    return static_cast<std::int32_t>(it->get<std::int64_t>());
  }

  Value literal(const json& node, const std::string& path) {
    switch (node.type()) {
      case json::value_t::null: return {};
      case json::value_t::boolean: return node.get<bool>();
      case json::value_t::number_integer: return node.get<std::int64_t>();
      case json::value_t::number_unsigned:
      case json::value_t::number_float: {
        if (node.is_number_unsigned() && node.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX))
          return node.get<std::int64_t>();
        if (auto decimal = Decimal::try_parse(node.dump())) return *decimal;
        issue(path, "the number " + node.dump() + " cannot be held exactly");
        return {};
      }
      case json::value_t::string: return node.get<std::string>();
      case json::value_t::array: {
        StringList list;
        for (const auto& element : node) {
          if (!element.is_string()) {
            issue(path, "a list default may hold only strings");
            return {};
          }
          list.push_back(element.get<std::string>());
        }
        return list;
      }
      default: issue(path, "expected a literal default value"); return {};
    }
  }
};

}  // namespace hotcrm::detail
