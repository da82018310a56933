#pragma once
// One line of a JSON Lines file as a Record, keeping numbers exact.

#include <string>
#include <string_view>

#include "hotcrm/store/record.hpp"

namespace hotcrm::io_detail {

struct JsonLine {
  Record record;
  std::string error;  ///< why the line is not a flat JSON object; empty on success
  bool ok() const noexcept { return error.empty(); }
};

/// Parses a line holding one JSON object whose members are scalars or arrays of strings.
/// Integers become int64, other numbers exact Decimals (double only when no Decimal can hold them),
/// strings text, arrays of strings StringList. Never throws for malformed input: see `error`.
JsonLine parse_json_line(std::string_view line);

}  // namespace hotcrm::io_detail
