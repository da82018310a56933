// Fuzzes CsvReader. Oracles: the reader always advances (no endless loop after an error), lines
// never go backwards, and records read without error survive write_csv_record unchanged.

#include <sstream>
#include <vector>

#include "fuzz_driver.hpp"
#include "hotcrm/io/text_import.hpp"

namespace {

using Records = std::vector<std::vector<std::string>>;

/// Reads every record, skipping bad ones as an import does; true when none was bad.
bool read_records(std::string_view text, Records& records) {
  std::istringstream input{std::string(text)};
  hotcrm::CsvReader reader(input);
  std::vector<std::string> fields;
  bool clean = true;
  std::int64_t last_line = 0;
  // Every call consumes at least one byte, so more calls than bytes means the reader is stuck.
  for (std::size_t calls = 0; calls <= text.size() + 1; ++calls) {
    try {
      if (!reader.next(fields)) return clean;
      records.push_back(fields);
    } catch (const hotcrm::Error& error) {
      hotcrm::fuzz::check(error.code() == hotcrm::ErrorCode::parse, std::string("unexpected error: ") + error.what());
      clean = false;
    }
    hotcrm::fuzz::check(reader.record_line() > last_line, "record_line did not advance");
    last_line = reader.record_line();
  }
  hotcrm::fuzz::check(false, "the reader does not advance");
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  return hotcrm::fuzz::run(argc, argv, "csv", [](std::string_view input) {
    Records records;
    if (!read_records(input, records)) return;
    std::ostringstream out;
    for (const auto& record : records) hotcrm::write_csv_record(out, record);
    Records again;
    hotcrm::fuzz::check(read_records(out.str(), again), "written CSV does not read back");
    // A leading byte order mark is dropped on the first read only.
    if (!records.empty() && !records[0].empty() && records[0][0].starts_with("\xEF\xBB\xBF")) return;
    hotcrm::fuzz::check(again == records, "CSV round trip changed the records");
  });
}
