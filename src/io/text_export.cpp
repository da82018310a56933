// export_records: query results written as CSV or JSON Lines, page by page so that memory stays
// bounded however many records the query matches.

#include <algorithm>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "hotcrm/io/text_import.hpp"

namespace hotcrm {
inline namespace v0 {
namespace {

constexpr std::int64_t export_page_rows = 10'000;

class RecordWriter {
 public:
  RecordWriter(std::ostream& out, TextFormat format) : out_(out), format_(format) {}

  void write_page(const QueryResult& page) {
    if (!started_) start(page.fields);
    for (std::size_t row = 0; row < page.size(); ++row) {
      if (format_ == TextFormat::csv) write_csv_row(page, row);
      else write_json_row(page, row);
    }
    if (!out_) throw Error(ErrorCode::io, "writing the export failed");
  }

 private:
  void start(const std::vector<std::string>& fields) {
    started_ = true;
    if (format_ == TextFormat::csv) {
      write_csv_record(out_, fields);
    } else {
      // Member names are escaped once here rather than for every row.
      json_keys_.reserve(fields.size());
      for (const std::string& field : fields) json_keys_.push_back(nlohmann::json(field).dump() + ":");
    }
  }

  void write_csv_row(const QueryResult& page, std::size_t row) {
    cells_.clear();
    for (const Value& value : page.rows.row(row)) cells_.push_back(value.is_null() ? std::string() : value.to_display());
    write_csv_record(out_, cells_);
  }

  void write_json_row(const QueryResult& page, std::size_t row) {
    std::string line = "{";
    std::span<const Value> values = page.rows.row(row);
    for (std::size_t field = 0; field < values.size(); ++field) {
      if (field > 0) line += ',';
      line += json_keys_[field];
      line += values[field].to_json();
    }
    line += "}\n";
    out_ << line;
  }

  std::ostream& out_;
  TextFormat format_;
  bool started_ = false;
  std::vector<std::string> cells_;
  std::vector<std::string> json_keys_;
};

}  // namespace

std::int64_t export_records(Session& session, const Query& query, std::ostream& out, TextFormat format) {
  RecordWriter writer(out, format);
  Query page_query = query;
  std::int64_t written = 0;
  for (;;) {
    std::int64_t page_rows = export_page_rows;
    if (query.limit) page_rows = std::min(page_rows, *query.limit - written);
    page_query.limit = std::max<std::int64_t>(page_rows, 0);
    QueryResult page = session.query(page_query);
    writer.write_page(page);  // the first page writes the header even when it is empty
    written += static_cast<std::int64_t>(page.size());
    if (static_cast<std::int64_t>(page.size()) < page_rows || page.next_cursor.empty()) break;
    if (query.limit && written >= *query.limit) break;
    // Later pages continue after the last row seen; the offset applied to the first page only.
    page_query.after = page.next_cursor;
    page_query.offset = 0;
  }
  return written;
}

}  // namespace v0
}  // namespace hotcrm
