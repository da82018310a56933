// Field-history benchmark: the cost of recording history on the write paths. The same leads are
// imported into the standard lead (track_history: every stored field, owner_id included) and into
// the same catalog with history turned off, in the same run; then single-record updates of two
// tracked fields, both ways. The ratio is the price of accountability.
//
//   bench_history [--rows N] [--updates U] [--dir PATH]
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Options {
  std::int64_t rows = 200'000;
  std::int64_t updates = 20'000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "hotcrm-bench";
};

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--rows") options.rows = std::atoll(argv[i + 1]);
    else if (flag == "--updates") options.updates = std::atoll(argv[i + 1]);
    else if (flag == "--dir") options.dir = argv[i + 1];
  }
  return options;
}

/// Leads with nine given fields plus the defaulted ones (status, scores, flags): about fifteen
/// tracked values per row.
hotcrm::RecordBatch leads(std::int64_t rows) {
  const char* statuses[] = {"new", "contacted", "qualified", "unqualified"};
  const char* industries[] = {"technology", "finance", "retail", "energy", "other"};
  std::mt19937_64 random(3);
  hotcrm::RecordBatch batch({"first_name", "last_name", "company", "email", "phone", "status", "industry", "city",
                             "annual_revenue"});
  batch.reserve(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i)
    batch.add_row({fmt::format("First{}", random() % 5000), fmt::format("Surname{}", random() % 50000),
                   fmt::format("Company {} Ltd", random() % 200000), fmt::format("lead{}@example.com", i),
                   fmt::format("+1 555 {:04d}", random() % 10000), statuses[random() % 4], industries[random() % 5],
                   "Lisbon", hotcrm::Decimal(static_cast<std::int64_t>(random() % 5'000'000'000ULL), 2)});
  return batch;
}

hotcrm::Catalog without_history() {
  std::vector<hotcrm::ObjectDef> objects = hotcrm::Catalog::standard().objects();
  for (auto& object : objects) object.capabilities["track_history"] = false;
  return hotcrm::Catalog::from_objects(std::move(objects));
}

struct Run {
  double import_seconds = 0;
  double update_seconds = 0;
  std::int64_t history_entries = 0;
};

Run measure(const std::filesystem::path& file, std::optional<hotcrm::Catalog> catalog, const hotcrm::RecordBatch& batch,
            std::int64_t updates) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  hotcrm::OpenOptions options;
  options.catalog = std::move(catalog);
  options.clock = hotcrm::fixed_clock(hotcrm::DateTime::parse("2026-01-01T00:00:00Z"));
  auto db = hotcrm::Database::open(file, options);
  hotcrm::ImportOptions import_options;
  import_options.run_workflows = false;  // bench_workflow's subject
  Run run;
  auto start = Clock::now();
  auto report = db.import_records("lead", batch, import_options);
  run.import_seconds = seconds_since(start);
  if (report.inserted != static_cast<std::int64_t>(batch.row_count())) {
    fmt::print(stderr, "inserted {} of {} rows\n", report.inserted, batch.row_count());
    std::exit(1);
  }
  start = Clock::now();
  for (std::int64_t u = 0; u < updates; ++u) {
    const auto& id = report.ids[static_cast<std::size_t>(u * 7919 % static_cast<std::int64_t>(report.ids.size()))];
    db.update("lead", id, {{"city", fmt::format("City {}", u)}, {"lead_score", u % 100}});
  }
  run.update_seconds = seconds_since(start);
  run.history_entries = db.verify_history().entries;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_args(argc, argv);
  std::filesystem::create_directories(options.dir);
  fmt::print("bench_history: import {} leads, then {} updates of two fields\n", options.rows, options.updates);
  const auto batch = leads(options.rows);
  const Run off = measure(options.dir / "bench-history-off.db", without_history(), batch, options.updates);
  const Run on = measure(options.dir / "bench-history-on.db", std::nullopt, batch, options.updates);
  if (off.history_entries != 0 || on.history_entries < options.rows) {
    fmt::print(stderr, "unexpected history: {} entries without tracking, {} with\n", off.history_entries, on.history_entries);
    return 1;
  }
  auto rate = [](std::int64_t n, double seconds) { return static_cast<double>(n) / seconds; };
  fmt::print("import  without history: {:>9.0f} rows/s ({:.2f} s)\n", rate(options.rows, off.import_seconds), off.import_seconds);
  fmt::print("import  with history:    {:>9.0f} rows/s ({:.2f} s), {} entries ({:.1f} per row)\n",
             rate(options.rows, on.import_seconds), on.import_seconds, on.history_entries,
             static_cast<double>(on.history_entries) / static_cast<double>(options.rows));
  fmt::print("import  ratio with/without history (time): {:.2f}x\n", on.import_seconds / off.import_seconds);
  fmt::print("update  without history: {:>9.0f} updates/s\n", rate(options.updates, off.update_seconds));
  fmt::print("update  with history:    {:>9.0f} updates/s\n", rate(options.updates, on.update_seconds));
  fmt::print("update  ratio with/without history (time): {:.2f}x\n", on.update_seconds / off.update_seconds);
  return 0;
}
