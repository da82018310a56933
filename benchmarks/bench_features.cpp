// Bounded memory of feature extraction: N records (default 10,000,000) and one child record per
// ten of them, then, each in a fresh process (so that memory the load freed cannot hide anything),
// Session::features_in_chunks over every record with five formula features and an aggregate of the
// children, block by block, and Session::features building the whole matrix (the floor: what a
// matrix in memory costs). Reports the peak resident memory each added after opening the database,
// and the matrix's own size (N x 6 doubles). Linux only (reads /proc/self/status).
//
//   bench_features [--rows N] [--chunk ROWS]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"

namespace {

using Steady = std::chrono::steady_clock;
using namespace hotcrm;

double seconds_since(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

/// A field of /proc/self/status in bytes ("VmRSS", "VmHWM").
double status_bytes(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::atof(line.c_str() + key.size() + 1) * 1024.0;
  return std::nan("");
}

const char* kCatalog = R"json([
  {"name": "meter", "fields": [
    {"name": "reading", "type": "number", "scale": 2},
    {"name": "price", "type": "currency", "scale": 2},
    {"name": "installed", "type": "date"},
    {"name": "active", "type": "boolean"},
    {"name": "kind", "type": "select", "options": ["water", "power", "gas"]}]},
  {"name": "alarm", "fields": [
    {"name": "meter_id", "type": "lookup", "reference": "meter"},
    {"name": "severity", "type": "number"}]}
])json";

/// The extraction in this (fresh) process: prints "result <added bytes> <seconds> <rows>".
int extract(const std::filesystem::path& path, const std::string& mode, std::size_t chunk) {
  OpenOptions open;
  open.create = false;
  open.clock = fixed_clock(DateTime::parse("2026-03-04T00:00:00Z"));
  Database db = Database::open(path, open);
  const std::vector<FeatureSpec> specs = {
      FeatureSpec::of("reading", "reading"),
      FeatureSpec::of("price", "price * 1.2"),
      FeatureSpec::of("age_days", "TODAY() - installed"),
      FeatureSpec::of("active", "active"),
      FeatureSpec::of("power", "ISPICKVAL(kind, 'power')"),
      FeatureSpec::of("alarms", FeatureAggregate{.object = "alarm", .via = "meter_id", .function = "count"})};
  db.count("meter");  // warm the connection and its statement cache
  const double before = status_bytes("VmRSS");
  const auto start = Steady::now();
  std::size_t rows = 0;
  double checksum = 0;
  if (mode == "chunks") {
    rows = db.features_in_chunks("meter", specs, Filter::all(), [&](const FeatureMatrix& block) {
      for (double x : block.values) checksum += std::isnan(x) ? 0 : x;
      return true;
    }, chunk);
  } else {
    const FeatureMatrix matrix = db.features("meter", specs);
    rows = matrix.rows();
    for (double x : matrix.values) checksum += std::isnan(x) ? 0 : x;
  }
  const double seconds = seconds_since(start);
  fmt::print("result {:.0f} {:.3f} {} {:.6g}\n", status_bytes("VmHWM") - before, seconds, rows, checksum);
  return 0;
}

struct Measure {
  double added = 0;
  double seconds = 0;
  double rows = 0;
  double checksum = 0;
};

/// Runs this program again in extraction mode and reads its result line.
Measure run_child(const std::string& self, const std::filesystem::path& path, const std::string& mode, std::size_t chunk) {
  const std::string command = fmt::format("'{}' --extract '{}' --mode {} --chunk {}", self, path.string(), mode, chunk);
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot start " + command);
  char line[512] = {};
  Measure m;
  bool found = false;
  while (std::fgets(line, sizeof line, pipe))
    if (std::sscanf(line, "result %lf %lf %lf %lf", &m.added, &m.seconds, &m.rows, &m.checksum) == 4) found = true;
  if (::pclose(pipe) != 0 || !found) throw std::runtime_error("extraction failed: " + command);
  return m;
}

void load(const std::filesystem::path& path, std::int64_t rows) {
  OpenOptions open;
  open.catalog = Catalog::from_json(kCatalog);
  open.clock = fixed_clock(DateTime::parse("2026-03-04T00:00:00Z"));
  open.id_seed = 9;
  Database db = Database::open(path, open);
  const char* kinds[] = {"water", "power", "gas"};
  ImportOptions options;
  options.run_workflows = false;
  std::vector<std::string> ids;
  {
    auto import = db.begin_import("meter", rows, options);
    for (std::int64_t first = 0; first < rows; first += 100'000) {
      RecordBatch batch({"reading", "price", "installed", "active", "kind"});
      for (std::int64_t i = first; i < std::min(rows, first + 100'000); ++i)
        batch.add_row({static_cast<double>(i % 1000) / 4, Decimal(i % 100'000, 2),
                       Date{static_cast<std::int32_t>(18'000 + i % 2000)}, i % 3 == 0, kinds[i % 3]});
      import.add(batch);
    }
    ids = import.finish().ids;
  }
  const std::int64_t children = rows / 10;
  auto import = db.begin_import("alarm", children, options);
  for (std::int64_t first = 0; first < children; first += 100'000) {
    RecordBatch batch({"meter_id", "severity"});
    for (std::int64_t i = first; i < std::min(children, first + 100'000); ++i)
      batch.add_row({ids[static_cast<std::size_t>((i * 7919) % rows)], std::int64_t{i % 5}});
    import.add(batch);
  }
  import.finish();
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 10'000'000;
  std::size_t chunk = 4096;
  std::string extract_path, mode = "chunks";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") rows = std::atoll(argv[i + 1]);
    else if (flag == "--chunk") chunk = static_cast<std::size_t>(std::atoll(argv[i + 1]));
    else if (flag == "--extract") extract_path = argv[i + 1];
    else if (flag == "--mode") mode = argv[i + 1];
  }
  try {
    if (!extract_path.empty()) return extract(extract_path, mode, chunk);
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench_features: {}\n", error.what());
    return 1;
  }
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("hotcrm_bench_features_{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto path = dir / "features.db";
  try {
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    auto start = Steady::now();
    load(path, rows);
    fmt::print("loaded {} records and {} children in {:.1f} s\n", rows, rows / 10, seconds_since(start));
    const double matrix = static_cast<double>(rows) * 6 * sizeof(double);
    const Measure chunked = run_child(self, path, "chunks", chunk);
    const Measure whole = run_child(self, path, "matrix", chunk);
    if (chunked.rows != static_cast<double>(rows) || whole.rows != chunked.rows || whole.checksum != chunked.checksum)
      throw std::runtime_error("the two extractions disagree");
    constexpr double MiB = 1024.0 * 1024.0;
    fmt::print("features of {} records x 6 (5 formulas, 1 aggregate), checksum {:.6g}\n", rows, chunked.checksum);
    fmt::print("  features_in_chunks (blocks of {}): {:.1f} s ({:.0f} rows/s), peak memory added {:.1f} MiB\n", chunk,
               chunked.seconds, chunked.rows / chunked.seconds, chunked.added / MiB);
    fmt::print("  features (whole matrix, floor):    {:.1f} s ({:.0f} rows/s), peak memory added {:.1f} MiB\n",
               whole.seconds, whole.rows / whole.seconds, whole.added / MiB);
    fmt::print("  the matrix itself: {:.1f} MiB\n", matrix / MiB);
    fmt::print("  ratio: streaming added {:.4f}x the memory of the whole matrix ({:.4f}x the matrix's size)\n",
               chunked.added / whole.added, chunked.added / matrix);
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench_features: {}\n", error.what());
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);
  return 0;
}
