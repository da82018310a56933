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

ChunkedImport::ChunkedImport(Session& session, std::string_view object, const ImportOptions& options)
    : session_(session), object_(object), options_(options), chunk_options_(options) {
  if (options.chunk_rows <= 0) {
    throw UsageError(ErrorCode::usage, fmt::format("ImportOptions::chunk_rows must be positive, not {}", options.chunk_rows));
  }
  chunk_options_.on_progress = nullptr;  // progress is reported here, by file rows
}

void ChunkedImport::use_fields(const std::vector<std::string>& fields) {
  if (has_fields(fields)) return;
  flush();
  batch_ = RecordBatch(fields);
}

void ChunkedImport::add_row(std::vector<Value> row, std::int64_t line) {
  ++rows_read_;
  batch_.add_row(std::move(row));
  batch_lines_.push_back(line);
  if (static_cast<std::int64_t>(batch_.row_count()) >= options_.chunk_rows) flush();
  if (rows_read_ - rows_reported_ >= options_.chunk_rows) report_progress();
}

void ChunkedImport::reject_line(std::int64_t line, std::string_view code, std::string message) {
  ++rows_read_;
  add_problem(FieldError{object_, "", "", std::string(code), std::move(message), line});
  if (rows_read_ - rows_reported_ >= options_.chunk_rows) report_progress();
}

ImportReport ChunkedImport::finish() {
  flush();
  if (rows_read_ > rows_reported_) report_progress();
  if (!abort_errors_.empty()) throw ValidationError(in_line_order(std::move(abort_errors_)));
  report_.rejected = in_line_order(std::move(report_.rejected));
  return std::move(report_);
}

void ChunkedImport::flush() {
  if (batch_.row_count() == 0) return;
  try {
    merge(session_.import_records(object_, batch_, chunk_options_));
  } catch (const ValidationError& error) {
    // Abort mode: the chunk wrote nothing; keep its problems and go on to find the others.
    std::vector<FieldError> errors = error.errors();
    renumber(errors);
    for (FieldError& problem : errors) add_problem(std::move(problem));
  }
  batch_.clear();
  batch_lines_.clear();
}

void ChunkedImport::report_progress() {
  rows_reported_ = rows_read_;
  if (!options_.on_progress) return;
  if (!options_.on_progress(Progress{"import", rows_read_, -1})) {
    throw Error(ErrorCode::cancelled, fmt::format("import into '{}' cancelled after {} rows", object_, rows_read_));
  }
}

void ChunkedImport::merge(ImportReport chunk_report) {
  report_.inserted += chunk_report.inserted;
  for (std::string& id : chunk_report.ids) report_.ids.push_back(std::move(id));
  renumber(chunk_report.rejected);
  for (FieldError& problem : chunk_report.rejected) add_problem(std::move(problem));
}

void ChunkedImport::add_problem(FieldError error) {
  if (options_.on_error == OnError::skip) {
    report_.rejected.push_back(std::move(error));
    return;
  }
  abort_errors_.push_back(std::move(error));
  if (abort_errors_.size() >= max_abort_errors) {
    abort_errors_.push_back(FieldError{object_, "", "", "too_many_errors",
                                       fmt::format("import stopped after {} problems", max_abort_errors), -1});
    throw ValidationError(in_line_order(std::move(abort_errors_)));
  }
}

void ChunkedImport::renumber(std::vector<FieldError>& errors) const {
  for (FieldError& error : errors) {
    if (error.row >= 0 && static_cast<std::size_t>(error.row) < batch_lines_.size()) {
      error.row = batch_lines_[static_cast<std::size_t>(error.row)];
    }
  }
}

}  // namespace hotcrm::io_detail
