#pragma once
// Printing a QueryResult as an aligned table with a row count, or as a JSON array of objects.

#include <iosfwd>

#include "hotcrm/store/query.hpp"

namespace hotcrm::cli {

enum class ResultFormat { table, json };

/// table: aligned columns (numbers right-aligned, long cells cut) and a "(N rows)" footer.
/// json: an array of objects, one record per line, values through Value::to_json.
void print_result(const QueryResult& result, ResultFormat format, std::ostream& out);

}  // namespace hotcrm::cli
