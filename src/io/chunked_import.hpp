#pragma once
// Feeds rows read from a file to one BulkImport in chunks (one transaction, bounded memory),
// numbering every problem by the file line it came from.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/error.hpp"
#include "hotcrm/store/database.hpp"

namespace hotcrm::io_detail {

class ChunkedImport {
 public:
  ChunkedImport(Session& session, std::string_view object, const ImportOptions& options);

  /// Makes `fields` the field list of the rows that follow. Rows already buffered with another
  /// field list are imported first: a batch cannot say "not given" for a missing field.
  void use_fields(const std::vector<std::string>& fields);
  bool has_fields(const std::vector<std::string>& fields) const noexcept { return batch_.fields() == fields; }
  /// Buffers a row read from `line` (1-based), importing the chunk once it is full.
  void add_row(std::vector<Value> row, std::int64_t line);
  /// Records a line that could not be read as a row (code "csv" / "json").
  void reject_line(std::int64_t line, std::string_view code, std::string message);
  /// Imports what is buffered and returns the report. In abort mode, throws ValidationError
  /// listing every problem when there was any.
  ImportReport finish();

 private:
  void flush();
  void report_progress();
  void stop_if_too_many_problems();
  [[noreturn]] void throw_problems(std::vector<FieldError> import_problems);
  void renumber(std::vector<FieldError>& errors) const;

  std::string object_;
  const ImportOptions& options_;
  BulkImport bulk_;
  RecordBatch batch_;
  std::vector<std::int64_t> lines_;        // imported row (across chunks) -> file line
  std::vector<FieldError> line_problems_;  // lines that could not be read as rows
  std::int64_t rows_read_ = 0;
  std::int64_t rows_reported_ = 0;
};

/// The message of a hotcrm::Error without its "[hotcrm.code.n] " tag.
std::string untagged_message(const Error& error);

}  // namespace hotcrm::io_detail
