// RFC 4180 CSV: a reader that streams records from an istream and a writer that quotes only
// fields that need it.

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/io/text_import.hpp"

namespace hotcrm {
inline namespace v0 {
namespace {

using Traits = std::char_traits<char>;
constexpr Traits::int_type end_of_input = Traits::eof();

bool is_line_end(Traits::int_type c) noexcept { return c == '\n' || c == '\r'; }

/// Consumes the LF of a CRLF pair whose CR was just read.
void finish_line_end(std::streambuf& buffer, Traits::int_type c) {
  if (c == '\r' && buffer.sgetc() == '\n') buffer.sbumpc();
}

// The column of an error counts characters, not bytes: UTF-8 continuation bytes do not count.
bool starts_character(Traits::int_type c) noexcept { return (c & 0xC0) != 0x80; }

std::string describe_byte(Traits::int_type c) {
  if (c >= 0x20 && c < 0x7F) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02X}", static_cast<unsigned>(c));
}

/// Consumes input up to and including the next line end; true when there was one.
bool skip_rest_of_line(std::streambuf& buffer) {
  for (;;) {
    const Traits::int_type c = buffer.sbumpc();
    if (c == end_of_input) return false;
    if (is_line_end(c)) {
      finish_line_end(buffer, c);
      return true;
    }
  }
}

}  // namespace

CsvReader::CsvReader(std::istream& input) : input_(input) {}

bool CsvReader::next(std::vector<std::string>& fields) {
  std::streambuf* buffer = input_.rdbuf();
  if (buffer == nullptr) return false;
  if (first_) {
    first_ = false;
    // A UTF-8 byte order mark (as Excel writes) is not part of the first field name.
    if (buffer->sgetc() == 0xEF) {
      buffer->sbumpc();
      if (buffer->sgetc() == 0xBB) {
        buffer->sbumpc();
        if (buffer->sgetc() == 0xBF) {
          buffer->sbumpc();
        } else {
          buffer->sungetc();
          buffer->sungetc();
        }
      } else {
        buffer->sungetc();
      }
    }
  }
  // Blank lines are skipped: they hold no record (a trailing newline is not an empty last record).
  for (;;) {
    Traits::int_type c = buffer->sgetc();
    if (c == end_of_input) {
      input_.setstate(std::ios::eofbit);
      return false;
    }
    if (!is_line_end(c)) break;
    buffer->sbumpc();
    finish_line_end(*buffer, c);
    ++line_;
  }

  fields.clear();
  record_line_ = line_;
  enum class State { field_start, unquoted, quoted, after_quote };
  State state = State::field_start;
  std::string field;
  std::int64_t column = 0;
  std::int64_t quote_line = 0;
  std::int64_t quote_column = 0;
  std::size_t bytes = 0;
  for (;;) {
    const Traits::int_type c = buffer->sbumpc();
    if (++bytes > kMaxRecordBytes) {
      // Resynchronize on the next line end (inside a runaway quote, that may be far).
      const std::int64_t error_line = record_line_;
      if (skip_rest_of_line(*buffer)) ++line_;
      throw Error(ErrorCode::too_large, fmt::format("CSV line {}: the record is longer than {} bytes (16 MiB, "
                                                    "kMaxRecordBytes)", error_line, kMaxRecordBytes));
    }
    if (c != end_of_input && starts_character(c)) ++column;
    const bool record_ends = c == end_of_input || is_line_end(c);
    switch (state) {
      case State::field_start:
        if (c == '"') {
          state = State::quoted;
          quote_line = line_;
          quote_column = column;
          continue;
        }
        state = State::unquoted;
        [[fallthrough]];
      case State::unquoted:
      case State::after_quote:
        if (c == ',' || record_ends) {
          fields.push_back(std::move(field));
          field.clear();
          state = State::field_start;
          if (record_ends) {
            if (c != end_of_input) {
              finish_line_end(*buffer, c);
              ++line_;
            }
            return true;
          }
          continue;
        }
        if (state == State::after_quote) {
          // Resynchronize on the next line so that a caller skipping bad records can go on.
          const std::int64_t error_line = line_;
          if (skip_rest_of_line(*buffer)) ++line_;
          throw Error(ErrorCode::parse,
                      fmt::format("CSV line {}, column {}: unexpected {} after a closing quote (write a quote inside "
                                  "a quoted field as \"\")",
                                  error_line, column, describe_byte(c)));
        }
        field += Traits::to_char_type(c);
        continue;
      case State::quoted:
        if (c == end_of_input) {
          throw Error(ErrorCode::parse, fmt::format("CSV line {}, column {}: quoted field is never closed", quote_line,
                                                    quote_column));
        }
        if (c == '"') {
          if (buffer->sgetc() == '"') {
            buffer->sbumpc();
            ++column;
            field += '"';
          } else {
            state = State::after_quote;
          }
          continue;
        }
        field += Traits::to_char_type(c);
        if (c == '\n' || (c == '\r' && buffer->sgetc() != '\n')) {
          ++line_;
          column = 0;
        }
        continue;
    }
  }
}

void write_csv_record(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.put(',');
    const std::string& field = fields[i];
    // A lone empty field is quoted: an empty line would be read back as no record at all.
    const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string::npos || (fields.size() == 1 && field.empty());
    if (!needs_quotes) {
      out << field;
      continue;
    }
    out.put('"');
    for (char c : field) {
      if (c == '"') out.put('"');
      out.put(c);
    }
    out.put('"');
  }
  out.put('\n');
}

}  // namespace v0
}  // namespace hotcrm
