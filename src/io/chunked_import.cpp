#include "io/chunked_import.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

namespace hotcrm::io_detail {
namespace {

// In abort mode problems are collected to report them all at once; past this many the import
// stops early rather than hold an unbounded list for a file that is wrong throughout.
constexpr std::size_t max_abort_errors = 1000;

// Unreadable lines are found as they are read, invalid rows only when their chunk is imported:
// sorting lists both in file order. Problems without a line (-1) come last.
std::vector<FieldError> in_line_order(std::vector<FieldError> errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const FieldError& a, const FieldError& b) {
    auto key = [](std::int64_t row) { return row < 0 ? INT64_MAX : row; };
    return key(a.row) < key(b.row);
  });
  return errors;
}

}  // namespace

std::string untagged_message(const Error& error) {
  std::string_view what = error.what();
  if (what.starts_with("[hotcrm.")) {
    auto end = what.find("] ");
    if (end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return std::string(what);
}

namespace {
ImportOptions bulk_options(const ImportOptions& options) {
  if (options.chunk_rows <= 0) {
    throw UsageError(ErrorCode::usage, fmt::format("ImportOptions::chunk_rows must be positive, not {}", options.chunk_rows));
  }
  ImportOptions bulk;
  bulk.on_error = options.on_error;  // progress is reported here, by file rows
  return bulk;
}
}  // namespace

ChunkedImport::ChunkedImport(Session& session, std::string_view object, const ImportOptions& options)
    : object_(object), options_(options), bulk_(session.begin_import(object, -1, bulk_options(options))) {}

void ChunkedImport::use_fields(const std::vector<std::string>& fields) {
  if (has_fields(fields)) return;
  flush();
  batch_ = RecordBatch(fields);
}

void ChunkedImport::add_row(std::vector<Value> row, std::int64_t line) {
  ++rows_read_;
  batch_.add_row(std::move(row));
  lines_.push_back(line);
  if (static_cast<std::int64_t>(batch_.row_count()) >= options_.chunk_rows) flush();
  if (rows_read_ - rows_reported_ >= options_.chunk_rows) report_progress();
}

void ChunkedImport::reject_line(std::int64_t line, std::string_view code, std::string message) {
  ++rows_read_;
  line_problems_.push_back(FieldError{object_, "", "", std::string(code), std::move(message), line});
  stop_if_too_many_problems();
  if (rows_read_ - rows_reported_ >= options_.chunk_rows) report_progress();
}

ImportReport ChunkedImport::finish() {
  flush();
  if (rows_read_ > rows_reported_) report_progress();
  // Abort mode: an unreadable line condemns the import before anything is committed.
  if (options_.on_error == OnError::abort && !line_problems_.empty()) throw_problems(bulk_.problems());
  ImportReport report;
  try {
    report = bulk_.finish();
  } catch (const ValidationError& error) {
    throw_problems(error.errors());
  }
  renumber(report.rejected);
  for (FieldError& problem : line_problems_) report.rejected.push_back(std::move(problem));
  report.rejected = in_line_order(std::move(report.rejected));
  return report;
}

void ChunkedImport::flush() {
  if (batch_.row_count() == 0) return;
  bulk_.add(batch_);
  batch_.clear();
  stop_if_too_many_problems();
}

void ChunkedImport::report_progress() {
  rows_reported_ = rows_read_;
  if (!options_.on_progress) return;
  if (!options_.on_progress(Progress{"import", rows_read_, -1})) {
    throw Error(ErrorCode::cancelled, fmt::format("import into '{}' cancelled after {} rows", object_, rows_read_));
  }
}

void ChunkedImport::stop_if_too_many_problems() {
  if (options_.on_error != OnError::abort) return;
  if (line_problems_.size() + bulk_.problems().size() < max_abort_errors) return;
  line_problems_.push_back(FieldError{object_, "", "", "too_many_errors",
                                      fmt::format("import stopped after {} problems", max_abort_errors), -1});
  throw_problems(bulk_.problems());
}

void ChunkedImport::throw_problems(std::vector<FieldError> import_problems) {
  renumber(import_problems);
  for (FieldError& problem : line_problems_) import_problems.push_back(std::move(problem));
  throw ValidationError(in_line_order(std::move(import_problems)));
}

void ChunkedImport::renumber(std::vector<FieldError>& errors) const {
  for (FieldError& error : errors) {
    if (error.row >= 0 && static_cast<std::size_t>(error.row) < lines_.size()) {
      error.row = lines_[static_cast<std::size_t>(error.row)];
    }
  }
}

}  // namespace hotcrm::io_detail
