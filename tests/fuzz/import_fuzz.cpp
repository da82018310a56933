// Fuzz target: CSV and JSONL import (import_stream) into a small catalog, in skip mode. Oracle:
// every input either imports or is refused with hotcrm::Error; the rows counted in the table equal
// the report's inserted rows; rejected rows name a line of the input; nothing survives the
// rollback (one database serves every input).
#include <sstream>
#include <string>

#include "fuzz_driver.hpp"
#include "hotcrm/hotcrm.hpp"

namespace {

const char* kCatalog = R"json([{"name": "contact", "fields": [
  {"name": "last_name", "type": "text", "required": true, "max_length": 40},
  {"name": "email", "type": "email", "unique": true},
  {"name": "score", "type": "number", "min": 0, "max": 100},
  {"name": "balance", "type": "currency"},
  {"name": "born", "type": "date"},
  {"name": "active", "type": "boolean"},
  {"name": "tier", "type": "select", "options": ["gold", "silver"]},
  {"name": "tags", "type": "multiselect", "options": ["a", "b"]}
]}])json";

void import_as(hotcrm::Database& db, std::string_view input, hotcrm::TextFormat format) {
  auto transaction = db.begin();
  std::istringstream stream{std::string(input)};
  hotcrm::ImportOptions options;
  options.on_error = hotcrm::OnError::skip;
  options.chunk_rows = 7;  // several chunks even for small inputs
  hotcrm::ImportReport report;
  try {
    report = hotcrm::import_stream(db, "contact", stream, format, options);
  } catch (const hotcrm::Error&) {
    transaction.rollback();
    throw;  // a refused file (bad header, ...) is the documented rejection
  }
  hotcrm::fuzz::check(db.count("contact") == report.inserted, "rows stored differ from the report's inserted rows");
  hotcrm::fuzz::check(static_cast<std::int64_t>(report.ids.size()) == report.inserted, "ids do not match inserted");
  for (const auto& problem : report.rejected)
    hotcrm::fuzz::check(problem.row >= 1 && problem.row <= static_cast<std::int64_t>(input.size()) + 1,
                        "a rejected row names no line of the input");
  transaction.rollback();
  hotcrm::fuzz::check(db.count("contact") == 0, "the rollback left rows behind");
}

}  // namespace

int main(int argc, char** argv) {
  hotcrm::OpenOptions options;
  options.catalog = hotcrm::Catalog::from_json(kCatalog, "import fuzz catalog");
  options.id_seed = 1;
  options.clock = hotcrm::fixed_clock(hotcrm::DateTime::parse("2026-01-01T00:00:00Z"));
  hotcrm::Database db = hotcrm::Database::open(":memory:", options);
  return hotcrm::fuzz::run(argc, argv, "import", [&](std::string_view input) {
    // Both readers see every input: a JSONL line is a CSV record too, and the reverse.
    try {
      import_as(db, input, hotcrm::TextFormat::csv);
    } catch (const hotcrm::Error&) {
    }
    import_as(db, input, hotcrm::TextFormat::jsonl);
  });
}
