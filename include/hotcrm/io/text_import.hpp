#pragma once
// Streaming CSV (RFC 4180) and JSON Lines import and export between files and the store.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/store/database.hpp"

namespace hotcrm {
inline namespace v0 {

enum class TextFormat : std::uint8_t { csv, jsonl };
/// "csv" / "jsonl" (also "json-lines", "ndjson"); throws UsageError otherwise.
TextFormat text_format_from_string(std::string_view name);

/// The largest CSV record (all its fields, quoted newlines included) or JSONL line accepted: a
/// longer one is refused with Error(too_large) before it is held in memory whole.
inline constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

/// Reads RFC 4180 CSV records one at a time: quoted fields may hold commas, quotes ("") and
/// newlines; CRLF and LF line ends; a UTF-8 byte order mark is skipped.
class CsvReader {
 public:
  explicit CsvReader(std::istream& input);
  /// Reads the next record into `fields`; false at end of input. Throws Error(parse) naming the
  /// line and column of an unterminated quote or a character after a closing quote, and
  /// Error(too_large) for a record over kMaxRecordBytes (skipping to the next line).
  bool next(std::vector<std::string>& fields);
  /// 1-based line on which the last record returned by next() started.
  std::int64_t record_line() const noexcept { return record_line_; }

 private:
  std::istream& input_;
  std::int64_t line_ = 1;
  std::int64_t record_line_ = 0;
  bool first_ = true;
};

/// Writes one CSV record, quoting only fields that need it.
void write_csv_record(std::ostream& out, const std::vector<std::string>& fields);

/// Imports a CSV file (first line = field names) or a JSONL file (one JSON object per line) into
/// `object`. Empty CSV cells are null. Rows are numbered by their 1-based line in the file; a
/// malformed line is a rejected row (code "csv" / "json") in skip mode and aborts the import (with
/// nothing written) in abort mode.
ImportReport import_file(Session& session, std::string_view object, const std::filesystem::path& file,
                         TextFormat format, const ImportOptions& options = {});
ImportReport import_stream(Session& session, std::string_view object, std::istream& input,
                           TextFormat format, const ImportOptions& options = {});

/// Writes the rows of `query` as CSV (header line, then one line per record) or JSONL.
/// Returns the number of records written.
std::int64_t export_records(Session& session, const Query& query, std::ostream& out, TextFormat format);

}  // namespace v0
}  // namespace hotcrm
