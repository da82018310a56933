#include "cli/query_arguments.hpp"

#include <algorithm>
#include <chrono>

namespace hotcrm::cli {

Query QueryArguments::to_query() const {
  Query query;
  query.object = object;
  if (!where.empty()) query.filter = parse_filter(where);
  if (!order_by.empty()) query.order_by = parse_order_by(order_by);
  query.limit = limit;
  query.offset = offset;
  query.fields = split_list(fields);
  if (timeout_seconds > 0)
    query.limits.timeout = std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(timeout_seconds * 1000)));
  return query;
}

void add_query_arguments(CLI::App& command, QueryArguments& arguments) {
  command.add_option("db", arguments.database, "database file")->required();
  command.add_option("object", arguments.object, "object name, e.g. lead")->required();
  command.add_option("--where", arguments.where,
                     "filter: a where-string, e.g. \"status = 'new' AND annual_revenue > 1000000\", or any boolean formula, e.g. \"AND(ISPICKVAL(status, 'new'), LEN(company) > 3)\"; "
                     "lookup paths such as account_id.name work too");
  command.add_option("--order-by", arguments.order_by, "sort fields, '-' for descending, e.g. -amount,name");
  command.add_option("--limit", arguments.limit, "at most this many records")->check(CLI::NonNegativeNumber);
  command.add_option("--offset", arguments.offset, "skip this many records first")->check(CLI::NonNegativeNumber);
  command.add_option("--fields", arguments.fields, "comma-separated fields or lookup paths to output");
  command.add_option("--as", arguments.as_user,
                     "read as this user: its permissions, field-level security and record sharing apply");
  command.add_option("--tenant", arguments.tenant, "the tenant to read (default: the global --tenant, or default)");
  command.add_option("--timeout", arguments.timeout_seconds, "stop the read after this many seconds (exit code 3)")
      ->check(CLI::NonNegativeNumber);
}

Session QueryArguments::session(const Database& db) const {
  const std::string& chosen = tenant.empty() ? db.context().tenant : tenant;
  if (as_user.empty()) return db.session({"system", chosen});
  return db.session({as_user, chosen, AccessMode::user});
}

}  // namespace hotcrm::cli
