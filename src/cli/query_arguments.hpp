#pragma once
// The options that select records (--where, --order-by, --limit, --offset, --fields), shared by
// `query` and `export` so that both read the same way.

#include <cstdint>
#include <optional>
#include <string>

#include "cli/cli_common.hpp"

namespace hotcrm::cli {

struct QueryArguments {
  std::string database;
  std::string object;
  std::string where;
  std::string order_by;
  std::optional<std::int64_t> limit;
  std::int64_t offset = 0;
  std::string fields;
  std::string as_user;             ///< --as: read as this user, with its access control
  std::string tenant;          ///< --tenant; empty: the global --tenant (default: default)
  double timeout_seconds = 0;  ///< 0: none

  /// The library query these arguments describe. Throws hotcrm::Error(parse) for a bad where- or
  /// order-by string.
  Query to_query() const;
  /// The session to read with: system, or the --as user with its permissions and sharing.
  Session session(const Database& db) const;
};

/// Adds DB OBJECT and the selection options to `command`, storing into `arguments`.
void add_query_arguments(CLI::App& command, QueryArguments& arguments);

}  // namespace hotcrm::cli
