// import_file / import_stream: CSV and JSON Lines read row by row and handed to the store in
// chunks, all inside one transaction so that an import is written whole or not at all.

#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/io/text_import.hpp"
#include "io/chunked_import.hpp"
#include "io/json_line.hpp"

namespace hotcrm {
inline namespace v0 {
namespace {

using io_detail::ChunkedImport;

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

/// The header names the fields; spaces around names are dropped (spreadsheets add them).
std::vector<std::string> read_csv_header(CsvReader& reader) {
  std::vector<std::string> header;
  if (!reader.next(header)) return header;
  for (std::size_t i = 0; i < header.size(); ++i) {
    header[i] = trimmed(header[i]);
    if (header[i].empty()) {
      throw Error(ErrorCode::parse, fmt::format("CSV line {}: column {} of the header has no name", reader.record_line(), i + 1));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (header[j] == header[i]) {
        throw Error(ErrorCode::parse, fmt::format("CSV line {}: column '{}' appears twice in the header",
                                                  reader.record_line(), header[i]));
      }
    }
  }
  return header;
}

void import_csv_rows(CsvReader& reader, const std::vector<std::string>& header, ChunkedImport& chunks) {
  chunks.use_fields(header);
  std::vector<std::string> cells;
  for (;;) {
    try {
      if (!reader.next(cells)) return;
    } catch (const Error& error) {
      if (error.code() != ErrorCode::parse && error.code() != ErrorCode::too_large) throw;
      chunks.reject_line(reader.record_line(), error.code() == ErrorCode::too_large ? "too_large" : "csv",
                         io_detail::untagged_message(error));
      continue;
    }
    if (cells.size() != header.size()) {
      chunks.reject_line(reader.record_line(), "csv",
                         fmt::format("the line has {} cells but the header has {}", cells.size(), header.size()));
      continue;
    }
    std::vector<Value> row;
    row.reserve(cells.size());
    for (std::string& cell : cells) row.push_back(cell.empty() ? Value() : Value(std::move(cell)));
    chunks.add_row(std::move(row), reader.record_line());
  }
}

void import_csv(std::istream& input, ChunkedImport& chunks) {
  CsvReader reader(input);
  std::vector<std::string> header = read_csv_header(reader);
  if (header.empty()) return;  // an empty file imports nothing
  import_csv_rows(reader, header, chunks);
}

bool is_blank(std::string_view line) noexcept { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

/// std::getline that stops keeping bytes past kMaxRecordBytes (the rest of the line is consumed):
/// a huge line costs no more memory than the limit. False at end of input.
bool read_bounded_line(std::istream& input, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  std::streambuf* buffer = input.rdbuf();
  bool any = false;
  for (;;) {
    const auto c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      input.setstate(std::ios::eofbit);
      return any;
    }
    any = true;
    if (c == '\n') return true;
    if (line.size() < kMaxRecordBytes) line += static_cast<char>(c);
    else too_long = true;
  }
}

void import_jsonl(std::istream& input, ChunkedImport& chunks) {
  std::string line;
  std::vector<std::string> fields;
  bool too_long = false;
  for (std::int64_t line_number = 1; read_bounded_line(input, line, too_long); ++line_number) {
    if (too_long) {
      chunks.reject_line(line_number, "too_large",
                         fmt::format("the line is longer than {} bytes (16 MiB, kMaxRecordBytes)", kMaxRecordBytes));
      continue;
    }
    if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (is_blank(line)) continue;
    io_detail::JsonLine parsed = io_detail::parse_json_line(line);
    if (!parsed.ok()) {
      chunks.reject_line(line_number, "json", std::move(parsed.error));
      continue;
    }
    if (parsed.record.empty()) {
      chunks.reject_line(line_number, "json", "the object has no fields");
      continue;
    }
    fields.clear();
    std::vector<Value> row;
    row.reserve(parsed.record.size());
    for (auto& [name, value] : parsed.record) {
      fields.push_back(name);
      row.push_back(std::move(value));
    }
    chunks.use_fields(fields);
    chunks.add_row(std::move(row), line_number);
  }
}

}  // namespace

TextFormat text_format_from_string(std::string_view name) {
  if (equals_ignoring_case(name, "csv")) return TextFormat::csv;
  for (std::string_view jsonl : {"jsonl", "json-lines", "ndjson"}) {
    if (equals_ignoring_case(name, jsonl)) return TextFormat::jsonl;
  }
  throw UsageError(ErrorCode::usage, fmt::format("unknown text format '{}' (expected csv or jsonl)", name));
}

ImportReport import_stream(Session& session, std::string_view object, std::istream& input, TextFormat format,
                           const ImportOptions& options) {
  ImportReport report;
  session.transaction([&] {
    ChunkedImport chunks(session, object, options);
    if (format == TextFormat::csv) import_csv(input, chunks);
    else import_jsonl(input, chunks);
    if (input.bad()) throw Error(ErrorCode::io, fmt::format("reading the input for '{}' failed", object));
    report = chunks.finish();
  });
  return report;
}

ImportReport import_file(Session& session, std::string_view object, const std::filesystem::path& file,
                         TextFormat format, const ImportOptions& options) {
  std::ifstream input(file, std::ios::binary);
  if (!input) {
    throw Error(ErrorCode::io, fmt::format("cannot open '{}': {}", file.string(), std::strerror(errno)));
  }
  try {
    return import_stream(session, object, input, format, options);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::parse && error.code() != ErrorCode::io) throw;
    // Name the file: "CSV line 3" alone does not say which of several imports failed.
    throw Error(error.code(), fmt::format("{}: {}", file.string(), io_detail::untagged_message(error)));
  }
}

}  // namespace v0
}  // namespace hotcrm
