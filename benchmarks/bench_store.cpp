// Store benchmark: bulk insert of leads from the sample generator with every check (types,
// required, formats, picklists, unique, defaults, validation rules) and an indexed filtered + sorted
// query, each against raw SQLite prepared statements doing the same work on the same schema (the
// same encoded rows, defaults filled) in the same run.
//
//   bench_store [--rows N] [--queries Q] [--dir PATH]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"
#include "hotcrm/sample.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Options {
  std::int64_t rows = 1'000'000;
  int queries = 200;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "hotcrm-bench";
};

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--rows") options.rows = std::atoll(argv[i + 1]);
    else if (flag == "--queries") options.queries = std::atoi(argv[i + 1]);
    else if (flag == "--dir") options.dir = argv[i + 1];
  }
  return options;
}

const char* kStatuses[] = {"new", "contacted", "qualified", "unqualified", "converted"};

/// A column value as raw SQLite stores it, encoded once before the timed load.
using RawValue = std::variant<std::monostate, std::int64_t, double, std::string>;

/// The encoding hotcrm's store uses (docs/catalog-format.md, Storage): text as text, picklists as
/// their value, integers, currency and percent as integer units at the field's scale, booleans as
/// 0/1, dates as days and datetimes as microseconds since the epoch.
RawValue encode(const hotcrm::FieldDef& field, const hotcrm::Value& value) {
  using hotcrm::FieldType;
  if (value.is_null()) return {};
  switch (field.type) {
    case FieldType::number:
      if (field.scale == 0) return value.as_int();
      return value.as_double();
    case FieldType::currency:
    case FieldType::percent: return value.as_decimal().rescaled(field.scale).units();
    case FieldType::boolean: return std::int64_t{value.as_bool() ? 1 : 0};
    case FieldType::date: return std::int64_t{value.as_date().days};
    case FieldType::datetime: return value.as_datetime().micros;
    case FieldType::multiselect: return value.to_json();
    default: return value.as_string();
  }
}

/// The rows raw SQLite inserts: every stored column of the lead in table order, the generated value
/// or else the field's literal default (what hotcrm fills in), the system columns as hotcrm sets them.
struct RawRows {
  std::vector<std::string> columns;
  std::vector<RawValue> values;  ///< row-major, columns.size() per row
};

RawRows encode_rows(const hotcrm::ObjectDef& lead, const hotcrm::RecordBatch& batch) {
  RawRows raw;
  std::vector<const hotcrm::FieldDef*> fields;
  std::vector<int> source;  // the batch column of each lead field, or -1
  for (const auto& field : lead.fields) {
    if (!field.is_stored()) continue;
    raw.columns.push_back(field.name);
    fields.push_back(&field);
    const auto& names = batch.fields();
    const auto found = std::find(names.begin(), names.end(), field.name);
    source.push_back(found == names.end() ? -1 : static_cast<int>(found - names.begin()));
  }
  raw.values.reserve(batch.row_count() * fields.size());
  for (std::size_t row = 0; row < batch.row_count(); ++row) {
    for (std::size_t f = 0; f < fields.size(); ++f) {
      const hotcrm::Value* value = source[f] >= 0 ? &batch.at(row, static_cast<std::size_t>(source[f])) : nullptr;
      const auto& fallback = fields[f]->default_value;
      if ((!value || value->is_null()) && fallback && fallback->kind == hotcrm::DefaultValue::Kind::literal)
        value = &fallback->literal;
      raw.values.push_back(value ? encode(*fields[f], *value) : RawValue{});
    }
  }
  return raw;
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fmt::print(stderr, "raw sqlite failed at {}: {}\n", what, sqlite3_errmsg(db));
    std::exit(3);
  }
}

void exec(sqlite3* db, const std::string& sql) { check(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), db, sql.c_str()); }

/// The schema exactly as hotcrm generated it (the lead's lookups need their target tables too).
std::vector<std::string> lead_schema(const std::filesystem::path& hotcrm_file) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(hotcrm_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                     "ORDER BY type DESC",
                     -1, &statement, nullptr);
  std::vector<std::string> ddl;
  while (sqlite3_step(statement) == SQLITE_ROW) ddl.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return ddl;
}

/// Raw inserts of the same rows. With `defer_indexes`, the non-unique indexes are created after
/// the load, as hotcrm does for large imports: the floor that does exactly hotcrm's SQL work.
double raw_insert(const std::filesystem::path& file, const std::vector<std::string>& ddl, const RawRows& rows,
                  bool defer_indexes) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
           "PRAGMA cache_size = -65536");  // the same page cache as hotcrm's default
  std::vector<std::string> deferred;
  for (const auto& statement : ddl) {
    bool secondary = statement.starts_with("CREATE INDEX");
    if (defer_indexes && secondary) deferred.push_back(statement);
    else exec(db, statement);
  }
  std::string columns = "id, created_at, updated_at, created_by, updated_by, owner_id, tenant_id, version";
  std::string marks = "?, ?, ?, ?, ?, ?, ?, 1";
  for (const auto& column : rows.columns) columns += ", \"" + column + "\"", marks += ", ?";
  const std::size_t width = rows.columns.size();
  auto start = Clock::now();
  exec(db, "BEGIN IMMEDIATE");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, fmt::format("INSERT INTO lead ({}) VALUES ({})", columns, marks).c_str(), -1, &insert, nullptr);
  const std::int64_t now = 1'767'225'600'000'000;
  const std::size_t count = width == 0 ? 0 : rows.values.size() / width;
  for (std::size_t i = 0; i < count; ++i) {
    auto id = fmt::format("{:017x}", i);  // ordered ids, as hotcrm's are
    sqlite3_bind_text(insert, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 2, now);
    sqlite3_bind_int64(insert, 3, now);
    sqlite3_bind_text(insert, 4, "system", 6, SQLITE_STATIC);
    sqlite3_bind_text(insert, 5, "system", 6, SQLITE_STATIC);
    sqlite3_bind_text(insert, 6, "system", 6, SQLITE_STATIC);
    sqlite3_bind_text(insert, 7, "default", 7, SQLITE_STATIC);
    for (std::size_t c = 0; c < width; ++c) {
      const int index = static_cast<int>(8 + c);
      const RawValue& value = rows.values[i * width + c];
      if (const auto* integer = std::get_if<std::int64_t>(&value)) sqlite3_bind_int64(insert, index, *integer);
      else if (const auto* real = std::get_if<double>(&value)) sqlite3_bind_double(insert, index, *real);
      else if (const auto* text = std::get_if<std::string>(&value))
        sqlite3_bind_text(insert, index, text->data(), static_cast<int>(text->size()), SQLITE_STATIC);
      else sqlite3_bind_null(insert, index);
    }
    check(sqlite3_step(insert), db, "insert");
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  for (const auto& statement : deferred) exec(db, statement);
  exec(db, "COMMIT");
  double elapsed = seconds_since(start);
  exec(db, "ANALYZE lead");  // outside the timing: the raw side gets good plans for free
  sqlite3_close(db);
  return elapsed;
}

const char* kQuerySql =
    "SELECT last_name, company, email, annual_revenue FROM lead WHERE tenant_id = ? AND status = ? AND "
    "annual_revenue > ? ORDER BY annual_revenue DESC, rowid DESC LIMIT 50";

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

std::vector<double> raw_queries(const std::filesystem::path& file, int queries, std::size_t& rows_seen) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, kQuerySql, -1, &statement, nullptr);
  std::vector<double> samples;
  for (int q = 0; q < queries; ++q) {
    auto start = Clock::now();
    sqlite3_bind_text(statement, 1, "default", -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 2, kStatuses[q % 5], -1, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 3, 100'000'000);
    rows_seen = 0;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      std::string last_name(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
      std::string company(reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)));
      std::string email(reinterpret_cast<const char*>(sqlite3_column_text(statement, 2)));
      volatile auto revenue = sqlite3_column_int64(statement, 3);
      (void)revenue;
      ++rows_seen;
    }
    sqlite3_reset(statement);
    samples.push_back(seconds_since(start));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return samples;
}

std::vector<double> hotcrm_queries(hotcrm::Database& db, int queries, std::size_t& rows_seen) {
  std::vector<double> samples;
  for (int q = 0; q < queries; ++q) {
    auto start = Clock::now();
    auto result = db.query({.object = "lead",
                            .filter = hotcrm::parse_where(fmt::format(
                                "status = '{}' AND annual_revenue > 1000000", kStatuses[q % 5])),
                            .order_by = {{"annual_revenue", true}},
                            .limit = 50,
                            .fields = {"last_name", "company", "email", "annual_revenue"}});
    rows_seen = result.size();
    samples.push_back(seconds_since(start));
  }
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_args(argc, argv);
  std::filesystem::create_directories(options.dir);
  auto hotcrm_file = options.dir / "bench-hotcrm.db";
  auto raw_file = options.dir / "bench-raw.db";
  for (const auto& file : {hotcrm_file, raw_file})
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);

  fmt::print("bench_store: {} lead records, {} queries\n", options.rows, options.queries);
  hotcrm::OpenOptions open_options;
  open_options.clock = hotcrm::fixed_clock(hotcrm::DateTime::parse("2026-01-01T00:00:00Z"));
  // The same SQL work as the raw side: the field history the standard lead records is
  // bench_history's subject (measured there against this same import without it).
  std::vector<hotcrm::ObjectDef> objects = hotcrm::Catalog::standard().objects();
  for (auto& object : objects) object.capabilities["track_history"] = false;
  open_options.catalog = hotcrm::Catalog::from_objects(std::move(objects));
  auto db = hotcrm::Database::open(hotcrm_file, open_options);
  // Realistic leads from the sample generator (names, addresses, revenues, statuses consistent with
  // each other and with the lead's rules), generated before anything is timed.
  auto generation_start = Clock::now();
  const auto batch = hotcrm::sample::generate_records(db, "lead", options.rows, 7);
  const auto encoded = encode_rows(db.catalog().at("lead"), batch);
  fmt::print("generate  {} leads with {} fields: {:.2f} s (not part of any figure)\n", batch.row_count(),
             batch.field_count(), seconds_since(generation_start));
  // The store's write path only: the standard lead's workflow rules (a follow-up task and an e-mail
  // per new lead) are bench_workflow's subject, not this one's.
  hotcrm::ImportOptions import_options;
  import_options.run_workflows = false;
  auto start = Clock::now();
  auto report = db.import_records("lead", batch, import_options);
  double hotcrm_seconds = seconds_since(start);
  if (report.inserted != options.rows) {
    fmt::print(stderr, "hotcrm inserted {} of {} rows\n", report.inserted, options.rows);
    return 1;
  }
  auto schema = lead_schema(hotcrm_file);
  auto scratch_file = options.dir / "bench-raw-deferred.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(scratch_file.string() + suffix);
  double deferred_seconds = raw_insert(scratch_file, schema, encoded, true);
  double raw_seconds = raw_insert(raw_file, schema, encoded, false);
  auto rate = [&](double seconds) { return static_cast<double>(options.rows) / seconds; };
  fmt::print("insert  hotcrm import_records (all checks, no workflows): {:>4.0f} rows/s ({:.2f} s)\n", rate(hotcrm_seconds), hotcrm_seconds);
  fmt::print("insert  raw SQLite, indexes built after the load: {:>10.0f} rows/s ({:.2f} s)\n", rate(deferred_seconds), deferred_seconds);
  fmt::print("insert  raw SQLite, indexes maintained per row:   {:>10.0f} rows/s ({:.2f} s)\n", rate(raw_seconds), raw_seconds);
  fmt::print("insert  ratio hotcrm/raw (same SQL work): {:.2f}x (target >= 0.5x)\n", deferred_seconds / hotcrm_seconds);
  fmt::print("insert  ratio hotcrm/raw (per-row indexes): {:.2f}x\n", raw_seconds / hotcrm_seconds);

  std::size_t hotcrm_rows = 0, raw_rows = 0;
  auto hotcrm_samples = hotcrm_queries(db, options.queries, hotcrm_rows);
  auto raw_samples = raw_queries(raw_file, options.queries, raw_rows);
  double hotcrm_median = median(hotcrm_samples) * 1e3;
  double raw_median = median(raw_samples) * 1e3;
  fmt::print("query   hotcrm median: {:.3f} ms ({} rows)\n", hotcrm_median, hotcrm_rows);
  fmt::print("query   raw SQLite median: {:.3f} ms ({} rows)\n", raw_median, raw_rows);
  fmt::print("query   ratio hotcrm/raw time: {:.2f}x (target: hotcrm median < 1 ms)\n", hotcrm_median / raw_median);
  if (hotcrm_rows != raw_rows) {
    fmt::print(stderr, "row counts differ: hotcrm {} raw {}\n", hotcrm_rows, raw_rows);
    return 1;
  }
  return 0;
}
