// The write path: coercion, defaults, constraint checks, autonumbers and SQL for insert, update,
// delete and bulk import. Every write runs in a transaction, so an error leaves nothing behind.
#include <array>
#include <charconv>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "model/coerce.hpp"
#include "store/access.hpp"
#include "store/codec.hpp"
#include "store/history.hpp"
#include "store/recycle_bin.hpp"
#include "store/impl.hpp"
#include "store/rollups.hpp"
#include "store/rows.hpp"
#include "workflow/assignment.hpp"
#include "workflow/engine.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

using detail::ObjectPlan;

constexpr std::int64_t kAnalyzeAfterRows = 10'000;
constexpr std::int64_t kDeferIndexesRows = 50'000;
/// Rows checked per hand-over between the checking thread and the writing one (parallel imports).
constexpr std::size_t kCheckBlockRows = 2048;

// System columns, in the order of system_fields().
enum SystemColumn { kId, kCreatedAt, kUpdatedAt, kCreatedBy, kUpdatedBy, kOwnerId, kTenantId, kVersion, kSystemCount };

/// Checks and completes rows for one object; reused across the rows of a batch.
class RowWriter {
 public:
  RowWriter(Session::Impl& impl, const SessionContext& context, std::string_view object)
      : impl_(impl), context_(context), plan_(impl.plan(object)) {}

  const ObjectPlan& plan() const { return plan_; }
  /// After prepare_insert: the insert named no owner (the acting user was filled in).
  bool owner_defaulted() const noexcept { return owner_defaulted_; }

  /// Maps input field names to columns; unknown or unwritable names become errors of every row.
  void bind_fields(const std::vector<std::string>& names, bool for_update, std::vector<FieldError>& errors) {
    positions_.assign(names.size(), -1);
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto it = plan_.column_index.find(names[i]);
      if (it == plan_.column_index.end()) {
        const FieldDef* field = plan_.object->find_field(names[i]);
        if (field && field->type == FieldType::formula)
          errors.push_back(error(names[i], "read_only", "is a formula field, computed and never written"));
        else
          errors.push_back(error(names[i], "unknown_field", fmt::format("'{}' is not a field of {}", names[i], plan_.object->name)));
        continue;
      }
      const FieldDef& field = *plan_.columns[static_cast<std::size_t>(it->second)];
      bool writable_system = field.name == "owner_id";  // ownership can be given and transferred
      bool read_only = field.read_only && !detail::is_system_write(impl_);  // workflows may set them
      if (!writable_system && (is_system_field(field.name) || read_only || field.type == FieldType::autonumber)) {
        errors.push_back(error(field.name, "read_only", for_update ? "is read-only and cannot be changed"
                                                                   : "is read-only and is set by the engine"));
        continue;
      }
      positions_[i] = it->second;
    }
  }

  /// Builds a complete insert row from given values; appends problems to `errors`.
  void prepare_insert(std::span<const Value> values, std::vector<Value>& row, std::vector<bool>& given,
                      std::vector<FieldError>& errors, DateTime now) {
    const auto& columns = plan_.columns;
    row.assign(columns.size(), Value{});
    given.assign(columns.size(), false);
    coerce_given(values, row, given, errors);
    // On insert a null means "no value": defaults apply, as for an empty CSV cell or a NaN.
    for (std::size_t c = kSystemCount; c < columns.size(); ++c)
      if (!given[c] || row[c].is_null()) apply_default(*columns[c], row[c], now);
    detail::default_state(plan_, row, errors);
    // A new parent has no children yet: its counts and sums start at zero (min, max, avg stay null).
    for (std::size_t c = kSystemCount; c < columns.size(); ++c) {
      const auto& rollup = columns[c]->rollup;
      if (rollup && (rollup->function == "count" || rollup->function == "sum"))
        detail::coerce_value(*columns[c], Value(std::int64_t{0}), row[c]);
    }
    row[kCreatedAt] = now;
    row[kUpdatedAt] = now;
    row[kCreatedBy] = context_.user;
    row[kUpdatedBy] = context_.user;
    owner_defaulted_ = !given[kOwnerId] || row[kOwnerId].is_null();
    if (owner_defaulted_) row[kOwnerId] = context_.user;
    row[kTenantId] = context_.tenant;
    row[kVersion] = std::int64_t{1};
    if (!plan_.default_formulas.empty() && errors.empty()) apply_default_formulas(row, given, errors, now);
    check_required(row, errors, /*only_given=*/nullptr);
    check_lookups(row, given, errors);
  }

  /// Applies changes to a stored row; appends problems to `errors`.
  void prepare_update(std::span<const Value> values, std::vector<Value>& row, std::vector<bool>& given,
                      std::vector<FieldError>& errors, DateTime now) {
    given.assign(plan_.columns.size(), false);
    coerce_given(values, row, given, errors);
    row[kUpdatedAt] = now;
    row[kUpdatedBy] = context_.user;
    if (given[kOwnerId] && row[kOwnerId].is_null())
      errors.push_back(error("owner_id", "required", "a record needs an owner"));
    check_required(row, errors, &given);
    check_lookups(row, given, errors);
  }

  /// Fills autonumber fields (after validation, so a rejected row consumes no number).
  void assign_autonumbers(std::vector<Value>& row, DateTime now) {
    for (std::size_t c = kSystemCount; c < plan_.columns.size(); ++c) {
      const FieldDef& field = *plan_.columns[c];
      if (field.type != FieldType::autonumber) continue;
      auto& statement = impl_.db().prepare(
          "INSERT INTO _hotcrm_autonumber (object, field, value) VALUES (?, ?, 1) "
          "ON CONFLICT (object, field) DO UPDATE SET value = value + 1 RETURNING value");
      statement.bind_text(1, plan_.object->name);
      statement.bind_text(2, field.name);
      statement.step();
      auto counter = statement.column_int(0);
      statement.reset();
      row[c] = detail::render_autonumber(field.format, counter, now.date());
    }
  }

  /// Inserts a prepared row. Returns a unique-violation error instead of throwing it.
  std::optional<FieldError> insert(const std::vector<Value>& row) {
    // Looked up once per writer: hashing the long INSERT text for every row costs more than binding.
    if (!insert_statement_) insert_statement_ = &impl_.db().prepare(plan_.insert_sql);
    auto& statement = *insert_statement_;
    // Every parameter is rebound, and `row` outlives the step, so text is bound without copies.
    for (std::size_t c = 0; c < row.size(); ++c)
      detail::bind_value(statement, static_cast<int>(c) + 1, *plan_.columns[c], row[c], /*unowned=*/true);
    int rc = statement.step_allow_constraint();
    std::optional<FieldError> problem;
    if (rc != SQLITE_DONE) problem = constraint_error(statement);
    sqlite3_reset(statement.handle());
    return problem;
  }

  FieldError error(std::string field, std::string code, std::string message) const {
    return FieldError{plan_.object->name, std::move(field), "", std::move(code), std::move(message), -1};
  }

  /// Names the field of a failed UNIQUE constraint ("UNIQUE constraint failed: lead.email").
  FieldError constraint_error(const detail::Statement& statement) const {
    std::string message = sqlite3_errmsg(statement.db());
    int extended = sqlite3_extended_errcode(statement.db());
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
      std::string field;
      if (auto dot = message.rfind('.'); dot != std::string::npos) field = message.substr(dot + 1);
      return error(field, "unique", field.empty() ? "a record with this value already exists"
                                                  : fmt::format("another {} already has this {}", plan_.object->name, field));
    }
    if (extended == SQLITE_CONSTRAINT_FOREIGNKEY) return error("", "lookup", "a lookup refers to a missing record");
    throw StoreError(ErrorCode::store, "constraint failed: " + message);
  }

 private:
  void coerce_given(std::span<const Value> values, std::vector<Value>& row, std::vector<bool>& given,
                    std::vector<FieldError>& errors) {
    for (std::size_t i = 0; i < values.size() && i < positions_.size(); ++i) {
      int column = positions_[i];
      if (column < 0) continue;
      auto c = static_cast<std::size_t>(column);
      given[c] = true;
      const FieldDef& field = *plan_.columns[c];
      if (c == kOwnerId) {
        if (!values[i].is_null() && values[i].kind() != ValueKind::text && values[i].kind() != ValueKind::id)
          errors.push_back(error("owner_id", "type", "expected a user id"));
        else row[c] = values[i].is_null() ? Value{} : Value(values[i].as_string());
        continue;
      }
      if (auto failure = detail::coerce_value(field, values[i], row[c]))
        errors.push_back(error(field.name, failure->code, failure->message));
    }
  }

  void apply_default(const FieldDef& field, Value& slot, DateTime now) {
    if (!field.default_value) return;
    switch (field.default_value->kind) {
      case DefaultValue::Kind::now:
        slot = field.type == FieldType::date ? Value(now.date()) : Value(now);
        return;
      case DefaultValue::Kind::today:
        slot = field.type == FieldType::date ? Value(now.date()) : Value(DateTime::from_date(now.date()));
        return;
      case DefaultValue::Kind::current_user: slot = context_.user; return;
      case DefaultValue::Kind::formula: return;  // after the literal defaults: apply_default_formulas
      case DefaultValue::Kind::literal: slot = literal_default(field); return;
    }
  }

  /// A literal default as stored, coerced once per writer rather than once per row. Checked at
  /// catalog load, so coercion cannot fail here.
  const Value& literal_default(const FieldDef& field) {
    auto [it, added] = literal_defaults_.try_emplace(&field);
    if (added) detail::coerce_value(field, field.default_value->literal, it->second);
    return it->second;
  }

  /// Formula defaults see the record as it will be inserted (given values and literal defaults).
  void apply_default_formulas(std::vector<Value>& row, const std::vector<bool>& given, std::vector<FieldError>& errors,
                              DateTime now) {
    detail::SlotResolver resolver(impl_, context_.tenant, now);
    for (const auto& [field, formula] : plan_.default_formulas) {
      const auto c = static_cast<std::size_t>(plan_.column_index.at(field->name));
      if (given[c] && !row[c].is_null()) continue;
      auto result = resolver.evaluate(plan_, row, nullptr, formula);
      if (!result.ok()) {
        errors.push_back(error(field->name, "default",
                               fmt::format("the default formula failed ({})", error_code_name(result.error))));
        continue;
      }
      if (result.value.is_null()) continue;
      if (auto failure = detail::coerce_value(*field, result.value, row[c]))
        errors.push_back(error(field->name, failure->code, "the default formula gave " + failure->message));
    }
  }

  void check_required(const std::vector<Value>& row, std::vector<FieldError>& errors, const std::vector<bool>* only_given) {
    for (std::size_t c = kSystemCount; c < plan_.columns.size(); ++c) {
      const FieldDef& field = *plan_.columns[c];
      if (!field.required || field.type == FieldType::autonumber || (only_given && !(*only_given)[c])) continue;
      bool blank = row[c].is_null() || (row[c].kind() == ValueKind::text && row[c].as_string().empty());
      if (blank && !already_reported(errors, field.name)) errors.push_back(error(field.name, "required", "is required"));
    }
  }

  static bool already_reported(const std::vector<FieldError>& errors, const std::string& field) {
    for (const auto& e : errors)
      if (e.field == field) return true;
    return false;
  }

  void check_lookups(const std::vector<Value>& row, const std::vector<bool>& given, std::vector<FieldError>& errors) {
    for (std::size_t c = kSystemCount; c < plan_.columns.size(); ++c) {
      const FieldDef& field = *plan_.columns[c];
      if (!field.is_reference() || !given[c] || row[c].is_null()) continue;
      auto& statement = impl_.db().prepare("SELECT 1 FROM " + detail::quote(field.reference) +
                                           " WHERE \"id\" = ? AND \"tenant_id\" = ?");
      statement.bind_text(1, row[c].as_string());
      statement.bind_text(2, context_.tenant);
      bool found = statement.step();
      statement.reset();
      if (!found)
        errors.push_back(error(field.name, "lookup", fmt::format("no {} with id '{}'", field.reference, row[c].as_string())));
    }
  }

  Session::Impl& impl_;
  const SessionContext& context_;
  const ObjectPlan& plan_;
  std::vector<int> positions_;
  bool owner_defaulted_ = false;
  detail::Statement* insert_statement_ = nullptr;  // valid while the statement cache is not cleared
  std::map<const FieldDef*, Value> literal_defaults_;
};

std::vector<std::string> record_names(const Record& record) {
  std::vector<std::string> names;
  names.reserve(record.size());
  for (const auto& [name, value] : record) names.push_back(name);
  return names;
}

std::vector<Value> record_values(const Record& record) {
  std::vector<Value> values;
  values.reserve(record.size());
  for (const auto& [name, value] : record) values.push_back(value);
  return values;
}

Record to_record(const ObjectPlan& plan, std::vector<Value>&& row) {
  Record record;
  for (std::size_t c = 0; c < plan.columns.size(); ++c) record.emplace(plan.columns[c]->name, std::move(row[c]));
  return record;
}

/// Rows of `table` when its planner statistics were last gathered, or 0 if never.
std::int64_t analyzed_rows(detail::Connection& db, const std::string& table) {
  auto& has_stats = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'");
  bool exists = has_stats.step();
  has_stats.reset();
  if (!exists) return 0;
  // Each line starts with its index's entries; a partial index holds fewer than the table.
  auto& statement = db.prepare("SELECT coalesce(max(CAST(stat AS INTEGER)), 0) FROM sqlite_stat1 WHERE tbl = ?");
  statement.bind_text(1, table);
  std::int64_t rows = statement.step() ? statement.column_int(0) : 0;
  statement.reset();
  return rows;
}

/// Index entries SQLite reads per index for sampled statistics (PRAGMA analysis_limit).
constexpr std::int64_t kAnalysisSample = 2000;

std::int64_t count_rows(detail::Connection& db, const std::string& sql) {
  auto& statement = db.prepare(sql);
  statement.step();
  const std::int64_t rows = statement.column_int(0);
  statement.reset();
  return rows;
}

/// One sqlite_stat1 line: "rows avg1 avg2 ... [other tokens]".
struct IndexStatistics {
  std::int64_t rows = 0;
  std::vector<std::int64_t> averages;  ///< rows per distinct value of each prefix of the index's columns
  std::string rest;                    ///< tokens after the numbers, kept as SQLite wrote them
};

IndexStatistics parse_statistics(std::string_view stat) {
  IndexStatistics parsed;
  std::vector<std::int64_t> numbers;
  while (!stat.empty()) {
    auto space = stat.find(' ');
    auto token = stat.substr(0, space);
    std::int64_t number = 0;
    auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), number);
    if (error != std::errc() || end != token.data() + token.size()) {
      parsed.rest = std::string(stat);
      break;
    }
    numbers.push_back(number);
    stat = space == std::string_view::npos ? std::string_view() : stat.substr(space + 1);
  }
  if (!numbers.empty()) {
    parsed.rows = numbers.front();
    parsed.averages.assign(numbers.begin() + 1, numbers.end());
  }
  return parsed;
}

/// The columns of `index`, in order; empty when one of them is an expression (not an index of ours).
std::vector<std::string> index_columns(detail::Connection& db, const std::string& index) {
  std::vector<std::string> columns;
  auto& info = db.prepare("SELECT name FROM pragma_index_info(?) ORDER BY seqno");
  info.bind_text(1, index);
  bool plain = true;
  while (info.step()) {
    if (info.column_is_null(0)) plain = false;
    else columns.emplace_back(info.column_text(0));
  }
  info.reset();
  if (!plain) columns.clear();
  return columns;
}

/// " WHERE ..." of a partial index's CREATE INDEX (ours: "WHERE lookup IS NOT NULL"), or "".
std::string partial_condition(std::string_view index_sql) {
  const auto where = index_sql.find(" WHERE ");
  return where == std::string_view::npos ? "" : std::string(index_sql.substr(where));
}

/// partial_condition of the index named `index`.
std::string index_condition(detail::Connection& db, const std::string& index) {
  auto& definition = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?");
  definition.bind_text(1, index);
  std::string condition = definition.step() && !definition.column_is_null(0) ? partial_condition(definition.column_text(0)) : "";
  definition.reset();
  return condition;
}

/// `sampled` with exact row counts and exact averages for the prefixes the sample capped.
std::string corrected_statistics(detail::Connection& db, const std::string& table, const std::string& index,
                                 std::string_view sampled, std::int64_t table_rows) {
  auto stats = parse_statistics(sampled);
  const auto columns = index_columns(db, index);
  if (columns.empty() || stats.averages.size() > columns.size()) return std::string(sampled);  // not ours
  // A partial index holds only the rows its condition admits.
  const std::string condition = index_condition(db, index);
  const std::string source = fmt::format("{} INDEXED BY {}{}", detail::quote(table), detail::quote(index), condition);
  stats.rows = condition.empty() ? table_rows : count_rows(db, "SELECT count(*) FROM " + source);
  std::string prefix;
  for (std::size_t c = 0; c < stats.averages.size(); ++c) {
    prefix += (c ? ", " : "") + detail::quote(columns[c]);
    if (stats.averages[c] <= kAnalysisSample) continue;
    const auto distinct = std::max<std::int64_t>(
        1, count_rows(db, fmt::format("SELECT count(*) FROM (SELECT DISTINCT {} FROM {})", prefix, source)));
    stats.averages[c] = (stats.rows + distinct - 1) / distinct;  // as ANALYZE rounds
  }
  std::string line = std::to_string(stats.rows);
  for (auto average : stats.averages) line += " " + std::to_string(std::max<std::int64_t>(1, average));
  if (!stats.rest.empty()) line += " " + stats.rest;
  return line;
}

/// Sampled statistics read the first kAnalysisSample entries of each index, so a prefix whose
/// first value fills the sample (the tenant of a one-tenant table, a status) comes out as
/// kAnalysisSample + 1 rows per value where the truth may be the whole table: the planner then
/// takes the tenant index for selective. Those prefixes are counted exactly: SELECT DISTINCT on an
/// index with few values skips from value to value, so that costs a few seeks. Row counts
/// (estimated by sampling) are counted too. Averages under the cap keep the sample's estimate.
void correct_sampled_statistics(detail::Connection& db, const std::string& table) {
  const std::int64_t table_rows = count_rows(db, "SELECT count(*) FROM " + detail::quote(table));
  std::vector<std::pair<std::string, std::string>> lines;  // index, stat
  auto& read = db.prepare("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = ? AND idx IS NOT NULL");
  read.bind_text(1, table);
  while (read.step()) lines.emplace_back(read.column_text(0), read.column_text(1));
  read.reset();
  for (const auto& [index, sampled] : lines) {
    const std::string line = corrected_statistics(db, table, index, sampled, table_rows);
    auto& update = db.prepare("UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx = ?");
    update.bind_text(1, line);
    update.bind_text(2, table);
    update.bind_text(3, index);
    update.step();
    update.reset();
  }
}

/// After an import that at least doubles a table, gathers fresh planner statistics so that
/// queries pick the right index for the new data (a sort key's index rather than a weak filter's).
/// Sampled, then corrected where sampling caps (correct_sampled_statistics): at a million leads
/// that took 15 ms where reading every index in full took 0.6-0.9 s, with the same averages
/// wherever sampling is capped.
void refresh_statistics(detail::Connection& db, const std::string& table, std::int64_t inserted) {
  if (inserted < analyzed_rows(db, table)) return;
  db.exec(fmt::format("PRAGMA analysis_limit = {}; ANALYZE {}", kAnalysisSample, detail::quote(table)));
  correct_sampled_statistics(db, table);
  // Loads the corrected lines into the planner; the limit goes back to SQLite's default.
  db.exec("PRAGMA analysis_limit = 0; ANALYZE sqlite_schema");
  db.clear_cache();  // prepared statements re-plan with the new statistics
}

}  // namespace

// Named, not anonymous: BulkImport::State (a class with linkage) holds one.
namespace bulk_import {

/// While it lives, SQLite's sorter works in runs of a few MiB: it hands each run to a worker thread
/// (PRAGMA threads) and merges them on several threads. With the whole page cache as its budget it
/// sorts an index of a million rows in one piece on the calling thread; in runs the builds after an
/// import took 35-45 % less time on two cores (docs/benchmarks.md). The cache is restored after.
class SortInRuns {
 public:
  explicit SortInRuns(detail::Connection& db) : db_(db) {
    auto& size = db.prepare("PRAGMA cache_size");
    size.step();
    saved_ = size.column_int(0);
    size.reset();
    db_.exec(fmt::format("PRAGMA cache_size = {}", kRunCache));
  }
  ~SortInRuns() {
    try {
      db_.exec(fmt::format("PRAGMA cache_size = {}", saved_));
    } catch (...) {  // the connection keeps the smaller cache: slower, not wrong
    }
  }
  SortInRuns(const SortInRuns&) = delete;
  SortInRuns& operator=(const SortInRuns&) = delete;

 private:
  static constexpr std::int64_t kRunCache = -8192;  // 8 MiB (negative: KiB)
  detail::Connection& db_;
  std::int64_t saved_ = 0;
};

/// Secondary indexes of a table that a large import at least doubles are dropped for the load and
/// built once at the end: a sorted index build is far cheaper than maintaining the B-trees row by row.
/// Unique indexes are deferred too when `include_unique`; duplicates are then found at the end.
/// Both steps run inside the import's transaction, so a failed import leaves the indexes as they were.
class DeferredIndexes {
 public:
  DeferredIndexes(detail::Connection& db, const ObjectPlan& plan, bool include_unique)
      : db_(db), plan_(plan), table_(plan.object->name), include_unique_(include_unique) {
    auto& size = db.prepare("SELECT coalesce(max(rowid), 0) FROM " + detail::quote(table_));
    size.step();
    existing_ = size.column_int(0);
    size.reset();
  }

  /// Drops the indexes once the import is known to bring `incoming` rows (the expected total, or
  /// the rows seen so far when the total is unknown, as for files read as they go). A partial
  /// lookup index whose lookup an import of `fields` leaves empty stays: its rows skip it, so
  /// keeping it costs nothing, where rebuilding it would scan the whole table.
  void defer_if_large(std::int64_t incoming, const std::vector<std::string>& fields) {
    if (deferred_ || incoming < kDeferIndexesRows || existing_ > incoming) return;
    deferred_ = true;
    const auto left_empty = lookups_left_empty(fields);
    auto& indexes = db_.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND "
        "(substr(name, 1, 3) = 'ix_' OR (? AND substr(name, 1, 3) = 'ux_'))");
    indexes.bind_text(1, table_);
    indexes.bind_int(2, include_unique_ ? 1 : 0);
    while (indexes.step()) {
      Dropped index{std::string(indexes.column_text(0)), std::string(indexes.column_text(1))};
      if (!partial_condition(index.sql).empty() && left_empty.count(indexed_field(index.name))) continue;
      dropped_.push_back(std::move(index));
    }
    indexes.reset();
    for (const auto& index : dropped_) db_.exec("DROP INDEX " + detail::quote(index.name));
    if (!dropped_.empty()) db_.clear_cache();
  }

  /// Rows (by rowid) that repeat an earlier row's value of a unique field, with that field.
  struct Duplicate {
    std::int64_t rowid;
    std::string field;
  };

  /// Builds the unique indexes; a value that repeats makes the build fail, and then the later rows
  /// holding it are returned (the caller deletes them and calls rebuild() again).
  std::vector<Duplicate> build_unique() {
    SortInRuns runs(db_);
    std::vector<Duplicate> duplicates;
    for (auto& index : dropped_) {
      if (index.built || !index.name.starts_with("ux_")) continue;
      try {
        db_.exec(index.sql);
        index.built = true;
      } catch (const Error& failure) {
        if (failure.code() != ErrorCode::conflict && failure.code() != ErrorCode::constraint) throw;
        find_duplicates(index, duplicates);
      }
    }
    return duplicates;
  }

  void build_rest() {
    SortInRuns runs(db_);
    for (auto& index : dropped_)
      if (!index.built) db_.exec(index.sql);
    if (!dropped_.empty()) db_.clear_cache();
    dropped_.clear();
  }

 private:
  struct Dropped {
    std::string name;
    std::string sql;
    bool built = false;
  };

  /// Lookups an import of `fields` leaves empty: neither given nor defaulted. (Only a guess: a
  /// workflow could still fill one, which costs time, never correctness.)
  std::set<std::string> lookups_left_empty(const std::vector<std::string>& fields) const {
    std::set<std::string> empty;
    for (const FieldDef* field : plan_.columns)
      if (field->is_reference() && !field->default_value && std::find(fields.begin(), fields.end(), field->name) == fields.end())
        empty.insert(field->name);
    return empty;
  }

  /// ix_<table>__<field> and ux_<table>__<field> name their field (schema_sync.cpp).
  std::string indexed_field(const std::string& index_name) const { return index_name.substr(3 + table_.size() + 2); }

  void find_duplicates(const Dropped& index, std::vector<Duplicate>& out) {
    const std::string field = indexed_field(index.name);
    const std::string column = detail::quote(field);
    const std::string table = detail::quote(table_);
    const std::string helper = detail::quote("hotcrm_dups_" + table_ + "__" + field);
    db_.exec(fmt::format("CREATE INDEX {} ON {} (\"tenant_id\", {})", helper, table, column));
    auto& statement = db_.prepare(fmt::format(
        "SELECT a.rowid FROM {0} AS a WHERE a.{1} IS NOT NULL AND EXISTS (SELECT 1 FROM {0} AS b WHERE "
        "b.\"tenant_id\" = a.\"tenant_id\" AND b.{1} = a.{1} AND b.rowid < a.rowid) ORDER BY a.rowid",
        table, column));
    while (statement.step()) out.push_back({statement.column_int(0), field});
    statement.reset();
    db_.exec("DROP INDEX " + helper);
    db_.clear_cache();
  }

  detail::Connection& db_;
  const ObjectPlan& plan_;
  std::string table_;
  bool include_unique_;
  std::int64_t existing_ = 0;
  bool deferred_ = false;
  std::vector<Dropped> dropped_;
};

}  // namespace bulk_import

namespace {

[[noreturn]] void throw_not_found(std::string_view object, std::string_view id) {
  throw NotFoundError(ErrorCode::not_found, fmt::format("no {} with id '{}'", object, id));
}

/// What deleting one record takes with it: SQLite deletes the children that cascade (recursively)
/// and clears the lookups that set_null, so the engine reads those records first, as stored, to run
/// afterwards what their own writes would have run: the cascaded records' on_delete workflow rules
/// and the roll-ups that they, and the detached records, feed on parents that stay.
struct DeleteFallout {
  using Rows = std::vector<std::pair<const ObjectPlan*, std::vector<Value>>>;
  Rows cascaded;                  ///< deleted by cascade, parents before their children
  Rows detached;                  ///< their lookup to a deleted record cleared (set_null)
  std::set<std::string> deleted;  ///< ids of every deleted record, the root's included

  /// Reads the fallout of deleting `id` of `plan`, following only the lookups that lead to records
  /// the engine has work for (ObjectPlan::cascade_follow_up).
  static DeleteFallout of(Session::Impl& impl, const std::string& tenant, const ObjectPlan& plan, const std::string& id) {
    DeleteFallout fallout;
    fallout.deleted.insert(id);
    std::deque<std::pair<const ObjectPlan*, std::string>> pending{{&plan, id}};
    while (!pending.empty()) {
      auto [parent, parent_id] = std::move(pending.front());
      pending.pop_front();
      if (!parent->cascade_follow_up) continue;
      for (const auto& [child, field] : parent->referrers) {
        const ObjectPlan& child_plan = impl.plan(child->name);
        if (field->on_delete == DeleteBehavior::cascade) {
          if (!child_plan.acts_when_cascaded(*field) && !child_plan.cascade_follow_up) continue;
          for (auto& row : children(impl, tenant, child_plan, *field, parent_id)) {
            std::string child_id = row[kId].as_string();
            if (!fallout.deleted.insert(child_id).second) continue;  // reached along another path
            pending.emplace_back(&child_plan, child_id);
            fallout.cascaded.emplace_back(&child_plan, std::move(row));
          }
        } else if (field->on_delete == DeleteBehavior::set_null && child_plan.feeds_besides(*field)) {
          for (auto& row : children(impl, tenant, child_plan, *field, parent_id))
            fallout.detached.emplace_back(&child_plan, std::move(row));
        }
      }
    }
    // A record both detached from one deleted parent and deleted with another is deleted.
    std::erase_if(fallout.detached, [&](const auto& entry) { return fallout.deleted.count(entry.second[kId].as_string()) > 0; });
    return fallout;
  }

  /// After the delete: on_delete workflow rules of the cascaded records, then the roll-ups of the
  /// parents that remain, each recomputed once.
  void follow_up(Session& session, Session::Impl& impl, const std::string& tenant, DateTime now) const {
    for (const auto& [plan, row] : cascaded) detail::after_write(session, *plan, detail::WriteEvent::remove, nullptr, row);
    std::map<const ObjectPlan*, detail::RollupRefresher> refreshers;
    auto touch = [&](const ObjectPlan* plan, const std::vector<Value>& row) {
      if (plan->rollup_feeds.empty()) return;
      refreshers.try_emplace(plan, impl, tenant, now, *plan).first->second.touch(row);
    };
    for (const auto& [plan, row] : cascaded) touch(plan, row);
    for (const auto& [plan, row] : detached) touch(plan, row);
    for (auto& [plan, refresher] : refreshers) refresher.refresh(&deleted, &session);
  }

 private:
  static std::vector<std::vector<Value>> children(Session::Impl& impl, const std::string& tenant, const ObjectPlan& child,
                                                  const FieldDef& via, const std::string& parent_id) {
    auto& statement = impl.db().prepare(fmt::format("SELECT {} FROM {} AS t0 WHERE t0.{} = ? AND t0.\"tenant_id\" = ?",
                                                    child.select_list, detail::quote(child.object->name),
                                                    detail::quote(via.name)));
    statement.bind_text(1, parent_id);
    statement.bind_text(2, tenant);
    std::vector<std::vector<Value>> rows;
    while (statement.step()) detail::read_row(statement, child, rows.emplace_back());
    statement.reset();
    return rows;
  }
};

}  // namespace

std::string Session::insert(std::string_view object, const Record& record) {
  std::lock_guard lock(impl_->mutex);
  RowWriter writer(*impl_, context_, object);
  impl_->require_writable();
  detail::AccessGuard guard(*impl_, context_);
  if (auto* scope = guard.scope()) {
    scope->require(*writer.plan().object, "create");
    scope->require_writable_fields(*writer.plan().object, record_names(record));
    scope->require_masters(writer.plan(), record, true);
  }
  guard.run_as_system();  // defaults, rules, workflows and roll-ups run as system
  detail::ActingUser actor(*impl_, context_.user);
  std::vector<FieldError> errors;
  writer.bind_fields(record_names(record), false, errors);
  std::vector<Value> row;
  std::vector<bool> given;
  auto values = record_values(record);
  detail::PinnedClock clock(*impl_);
  const DateTime now = clock.now();
  detail::Transaction transaction(impl_->db());
  writer.prepare_insert(values, row, given, errors, now);
  row[kId] = impl_->ids.next(now);
  // Rules run on values that passed the field checks, so they never see a malformed value.
  detail::SlotResolver resolver(*impl_, context_.tenant, now);
  if (errors.empty()) detail::check_rules(resolver, writer.plan(), row, nullptr, errors);
  if (!errors.empty()) throw ValidationError(std::move(errors));
  detail::assign_on_insert(*this, writer.plan(), row, !writer.owner_defaulted());
  writer.assign_autonumbers(row, now);
  if (auto problem = writer.insert(row)) throw ConflictError(to_string(*problem), {*problem});
  detail::after_write(*this, writer.plan(), detail::WriteEvent::insert, nullptr, row);
  detail::RollupRefresher rollups(*impl_, context_.tenant, now, writer.plan());
  if (rollups.active()) {
    rollups.touch(row);
    rollups.refresh(nullptr, this);
  }
  transaction.commit();
  return row[kId].as_string();
}

std::optional<Record> Session::find(std::string_view object, std::string_view id) {
  std::lock_guard lock(impl_->mutex);
  const auto& plan = impl_->plan(object);
  detail::AccessGuard guard(*impl_, context_);
  auto* scope = guard.scope();
  // A record the user cannot read does not exist for the user.
  if (scope && !scope->record_allowed(plan, id, ShareAccess::read)) return std::nullopt;
  auto row = detail::load_row(*impl_, plan, id, context_.tenant);
  if (!row) return std::nullopt;
  // Formula fields are computed on read, so they are never stale.
  std::vector<std::pair<std::string, Value>> computed;
  if (!plan.formula_fields.empty()) {
    detail::SlotResolver resolver(*impl_, context_.tenant, impl_->now(), detail::SlotResolver::Mode::read);
    for (const auto& [field, formula] : plan.formula_fields)
      computed.emplace_back(field->name, resolver.evaluate(plan, *row, nullptr, formula).value);
  }
  auto record = to_record(plan, std::move(*row));
  for (auto& [name, value] : computed) record.emplace(name, std::move(value));
  if (scope)
    for (const auto& hidden : scope->object(*plan.object).hidden) record.erase(hidden);
  return record;
}

Record Session::get(std::string_view object, std::string_view id) {
  auto record = find(object, id);
  if (!record) throw_not_found(object, id);
  return std::move(*record);
}

std::int64_t Session::update(std::string_view object, std::string_view id, const Record& changes,
                             std::optional<std::int64_t> expected_version) {
  std::lock_guard lock(impl_->mutex);
  RowWriter writer(*impl_, context_, object);
  impl_->require_writable();
  const auto& plan = writer.plan();
  detail::AccessGuard guard(*impl_, context_);
  if (auto* scope = guard.scope()) {
    scope->require_record(plan, id, "edit");
    scope->require_writable_fields(*plan.object, record_names(changes));
    scope->require_masters(plan, changes, false);
  }
  guard.run_as_system();
  detail::ActingUser actor(*impl_, context_.user);
  std::vector<FieldError> errors;
  writer.bind_fields(record_names(changes), true, errors);
  detail::PinnedClock clock(*impl_);
  detail::Transaction transaction(impl_->db());
  auto row = detail::load_row(*impl_, plan, id, context_.tenant);
  if (!row) throw_not_found(object, id);
  std::int64_t stored_version = (*row)[kVersion].as_int();
  if (expected_version && *expected_version != stored_version)
    throw ConflictError(fmt::format("{} '{}' was changed by someone else: version {} is stored, {} was expected",
                                    object, id, stored_version, *expected_version));
  std::vector<bool> given;
  const std::vector<Value> prior = *row;
  const DateTime now = clock.now();
  writer.prepare_update(record_values(changes), *row, given, errors, now);
  detail::check_not_locked(*impl_, plan, context_.tenant, id, "edit");
  if (errors.empty()) detail::check_state_write(*impl_, plan, prior, *row);
  detail::SlotResolver resolver(*impl_, context_.tenant, now);
  if (errors.empty()) detail::check_rules(resolver, plan, *row, &prior, errors);
  if (!errors.empty()) throw ValidationError(std::move(errors));

  std::string assignments = "\"updated_at\" = ?, \"updated_by\" = ?, \"version\" = \"version\" + 1";
  std::vector<std::size_t> changed;
  for (std::size_t c = kSystemCount; c < plan.columns.size(); ++c)
    if (given[c]) changed.push_back(c);
  if (given[kOwnerId]) changed.push_back(kOwnerId);
  for (auto c : changed) assignments += ", " + detail::quote(plan.columns[c]->name) + " = ?";
  auto& statement = impl_->db().prepare(fmt::format("UPDATE {} SET {} WHERE \"id\" = ? AND \"tenant_id\" = ?",
                                                    detail::quote(plan.object->name), assignments));
  int index = 1;
  detail::bind_value(statement, index++, *plan.columns[kUpdatedAt], (*row)[kUpdatedAt]);
  detail::bind_value(statement, index++, *plan.columns[kUpdatedBy], (*row)[kUpdatedBy]);
  for (auto c : changed) detail::bind_value(statement, index++, *plan.columns[c], (*row)[c]);
  statement.bind_text(index++, id);
  statement.bind_text(index++, context_.tenant);
  if (statement.step_allow_constraint() != SQLITE_DONE) {
    auto problem = writer.constraint_error(statement);
    statement.reset();
    throw ConflictError(to_string(problem), {problem});
  }
  statement.reset();
  (*row)[kVersion] = stored_version + 1;
  detail::after_write(*this, plan, detail::WriteEvent::update, &prior, *row);
  // Both parents count when a child moves: the one it left and the one it joined.
  detail::RollupRefresher rollups(*impl_, context_.tenant, now, plan);
  if (rollups.active()) {
    rollups.touch(prior);
    rollups.touch(*row);
    rollups.refresh(nullptr, this);
  }
  transaction.commit();
  return stored_version + 1;
}

void Session::remove(std::string_view object, std::string_view id) {
  std::lock_guard lock(impl_->mutex);
  impl_->require_writable();
  const auto& plan = impl_->plan(object);
  detail::AccessGuard guard(*impl_, context_);
  if (auto* scope = guard.scope()) scope->require_record(plan, id, "delete");
  guard.run_as_system();  // cascades, workflows and roll-ups run as system
  detail::ActingUser actor(*impl_, context_.user);
  detail::PinnedClock clock(*impl_);
  detail::Transaction transaction(impl_->db());
  auto stored = detail::load_row(*impl_, plan, id, context_.tenant);
  if (!stored) throw_not_found(object, id);
  detail::check_not_locked(*impl_, plan, context_.tenant, id, "delete");
  // A restricting child gets a message naming it; SQLite's own check stays as the safety net.
  for (const auto& [child, field] : plan.referrers) {
    if (field->on_delete != DeleteBehavior::restrict) continue;
    auto& count = impl_->db().prepare(fmt::format("SELECT count(*) FROM {} WHERE {} = ?", detail::quote(child->name),
                                                  detail::quote(field->name)));
    count.bind_text(1, id);
    count.step();
    auto children = count.column_int(0);
    count.reset();
    if (children > 0)
      throw Error(ErrorCode::constraint,
                  fmt::format("cannot delete {} '{}': {} {} record{} to it through {}.{} (on_delete restrict)",
                              object, id, children, child->name, children == 1 ? " refers" : "s refer", child->name,
                              field->name));
  }
  const std::string root_id = (*stored)[kId].as_string();
  const DeleteFallout fallout = DeleteFallout::of(*impl_, context_.tenant, plan, root_id);
  detail::capture_deletion(*impl_, context_.tenant, plan, root_id, clock.now(), context_.user);
  auto& statement = impl_->db().prepare(
      fmt::format("DELETE FROM {} WHERE \"id\" = ? AND \"tenant_id\" = ?", detail::quote(plan.object->name)));
  statement.bind_text(1, id);
  statement.bind_text(2, context_.tenant);
  if (statement.step_allow_constraint() != SQLITE_DONE) {
    std::string message = sqlite3_errmsg(statement.db());
    statement.reset();
    throw Error(ErrorCode::constraint, fmt::format("cannot delete {} '{}': a restricting child record refers to "
                                                   "one of the records it would cascade to ({})", object, id, message));
  }
  statement.reset();
  detail::after_write(*this, plan, detail::WriteEvent::remove, nullptr, *stored);
  detail::RollupRefresher rollups(*impl_, context_.tenant, clock.now(), plan);
  if (rollups.active()) {
    rollups.touch(*stored);
    rollups.refresh(&fallout.deleted, this);
  }
  fallout.follow_up(*this, *impl_, context_.tenant, clock.now());
  transaction.commit();
}

struct BulkImport::State {
  std::shared_ptr<Session::Impl> impl;
  std::unique_lock<std::recursive_mutex> lock;
  SessionContext context;
  std::string object;
  ImportOptions options;
  std::int64_t expected_rows = -1;
  std::unique_ptr<detail::Transaction> transaction;
  std::unique_ptr<bulk_import::DeferredIndexes> deferred;
  std::unique_ptr<detail::RollupRefresher> rollups;  ///< parents of the imported rows, refreshed at the end
  std::shared_ptr<detail::AccessScope> access;  ///< the importing user's (null: system): field checks per batch
  ImportReport report;
  std::vector<std::int64_t> rowids;      ///< parallel to report.ids
  std::vector<std::int64_t> input_rows;  ///< parallel to report.ids
  std::int64_t rows = 0;

  /// Rows [first, last) of `batch`.
  void add(const RecordBatch& batch, std::size_t first, std::size_t last);
  /// Completes and checks one input row (types, defaults, required, lookups, validation rules);
  /// `readable`: the scope whose parents lookup paths in rules may read (nullptr: all).
  void check_row(RowWriter& writer, std::span<const Value> input, std::vector<Value>& row, std::vector<bool>& given,
                 std::vector<FieldError>& errors, DateTime now, detail::AccessScope* readable);
  /// Writes a checked row or reports its problems: (row, owner given, problems, clock reading).
  using WriteRow = void(std::vector<Value>&, bool, std::vector<FieldError>&, DateTime);
  /// Rows [first, last) with the checks of one block on a second thread while the previous block
  /// is written: on two cores the checks cost no time beside SQLite's inserts.
  void add_checked_in_parallel(const RecordBatch& batch, std::size_t first, std::size_t last,
                               const std::function<WriteRow>& write);
  ImportReport finish();
  void reject_duplicates(const std::vector<bulk_import::DeferredIndexes::Duplicate>& duplicates);
};

BulkImport::BulkImport(std::unique_ptr<State> state) : state_(std::move(state)) {}
BulkImport::BulkImport(BulkImport&&) noexcept = default;
BulkImport& BulkImport::operator=(BulkImport&&) noexcept = default;
BulkImport::~BulkImport() = default;  // the transaction rolls back, then the lock is released

std::int64_t BulkImport::rows() const noexcept { return state_ ? state_->rows : 0; }

const std::vector<FieldError>& BulkImport::problems() const noexcept {
  static const std::vector<FieldError> none;
  return state_ ? state_->report.rejected : none;
}

void BulkImport::add(const RecordBatch& batch) {
  if (!state_ || !state_->transaction) throw UsageError(ErrorCode::usage, "this bulk import is finished");
  state_->add(batch, 0, batch.row_count());
}

ImportReport BulkImport::finish() {
  if (!state_ || !state_->transaction) throw UsageError(ErrorCode::usage, "this bulk import is finished");
  return state_->finish();
}

namespace {
/// Every row of an import of details must name a master the importer may edit; checked for the
/// whole batch before any row is written, each master once.
void require_masters(detail::AccessScope& access, const detail::ObjectPlan& plan, const RecordBatch& batch,
                     std::size_t first, std::size_t last) {
  std::vector<std::size_t> columns;
  for (const FieldDef* master : detail::master_fields(*plan.object)) {
    const auto& fields = batch.fields();
    const auto at = std::find(fields.begin(), fields.end(), master->name);
    if (at == fields.end()) return access.require_masters(plan, {}, true);  // refused: no master at all
    columns.push_back(static_cast<std::size_t>(at - fields.begin()));
  }
  if (columns.empty()) return;
  std::set<std::vector<std::string>> checked;
  for (std::size_t r = first; r < last; ++r) {
    const auto row = batch.row(r);
    Record masters;
    std::vector<std::string> key;
    for (std::size_t c : columns) {
      masters.emplace(batch.fields()[c], row[c]);
      key.push_back(row[c].to_json());
    }
    if (checked.insert(key).second) access.require_masters(plan, masters, true);
  }
}

/// True when a field path or a formula field it names reads a parent record (a lookup path).
bool reads_parents(const ObjectPlan& plan, const Formula& formula, int depth = 0) {
  if (depth > detail::kMaxFormulaDepth) return true;  // deeper than resolution follows: assume the worst
  for (const auto& path : formula.fields()) {
    if (path.find('.') != std::string::npos) return true;
    for (const auto& [field, nested] : plan.formula_fields)
      if (field->name == path && reads_parents(plan, nested, depth + 1)) return true;
  }
  return false;
}

/// True when checking rows that give `fields` reads nothing but the rows: no given lookup is
/// verified against its target, and no validation rule or default formula follows a lookup.
/// Those checks may then run on another thread than the connection's.
bool checks_stay_in_memory(const ObjectPlan& plan, const std::vector<std::string>& fields) {
  for (const auto& name : fields) {
    auto it = plan.column_index.find(name);
    if (it != plan.column_index.end() && plan.columns[static_cast<std::size_t>(it->second)]->is_reference()) return false;
  }
  for (const auto& [rule, formula] : plan.rules)
    if (reads_parents(plan, formula)) return false;
  for (const auto& [field, formula] : plan.default_formulas)
    if (reads_parents(plan, formula)) return false;
  return true;
}

}  // namespace

void BulkImport::State::add(const RecordBatch& batch, std::size_t first, std::size_t last) {
  RowWriter writer(*impl, context, object);
  if (access) {
    access->require_writable_fields(*writer.plan().object, batch.fields());
    require_masters(*access, writer.plan(), batch, first, last);
  }
  detail::AccessGuard system(*impl, SessionContext{});  // defaults, rules, assignment as system
  detail::ActingUser actor(*impl, context.user);
  std::vector<FieldError> field_errors;
  writer.bind_fields(batch.fields(), false, field_errors);
  const auto count = static_cast<std::int64_t>(last - first);
  // A bad column name condemns every row: report it once and insert nothing.
  if (!field_errors.empty()) {
    if (count > 0) throw ValidationError(std::move(field_errors));
    return;
  }
  if (!deferred) {
    const bool numbered = std::any_of(writer.plan().columns.begin(), writer.plan().columns.end(),
                                      [](const FieldDef* f) { return f->type == FieldType::autonumber; });
    // Deleting a duplicate found at the end would leave a gap in an autonumber: those objects keep
    // their unique indexes during the load.
    deferred = std::make_unique<bulk_import::DeferredIndexes>(impl->db(), writer.plan(), !numbered);
    rollups = std::make_unique<detail::RollupRefresher>(*impl, context.tenant, impl->now(), writer.plan());
  }
  deferred->defer_if_large(std::max(expected_rows, rows + count), batch.fields());
  // Assignment rules pick each row's owner before it is written (in input order, so a round-robin
  // rotation follows the file). Their rules, queues, members and loads are read once per batch.
  std::optional<Session> assigner;
  detail::AssignmentCache assignments;
  if (options.run_workflows && writer.plan().workflow && writer.plan().workflow->assignment)
    assigner.emplace(SessionInternals::make(impl, context));
  sqlite3* db = impl->db().handle();
  // Writes a checked row (or reports its problems) as input row number `rows`.
  auto write = [&](std::vector<Value>& row, bool owner_given, std::vector<FieldError>& row_errors, DateTime now) {
    if (row_errors.empty()) {
      row[kId] = impl->ids.next(now);
      if (assigner) detail::assign_on_insert(*assigner, writer.plan(), row, owner_given, assignments);
      writer.assign_autonumbers(row, now);
      if (auto problem = writer.insert(row)) row_errors.push_back(*problem);
      else if (assigner) detail::note_inserted(*assigner, writer.plan(), assignments, row);
    }
    if (row_errors.empty()) {
      if (rollups->active()) rollups->touch(row);
      report.ids.push_back(row[kId].as_string());
      rowids.push_back(sqlite3_last_insert_rowid(db));
      input_rows.push_back(rows);
      ++report.inserted;
    } else {
      for (auto& e : row_errors) {
        e.row = rows;
        report.rejected.push_back(std::move(e));
      }
    }
    ++rows;
  };
  if (!assigner && last - first >= 2 * kCheckBlockRows && checks_stay_in_memory(writer.plan(), batch.fields()) &&
      std::thread::hardware_concurrency() > 1) {
    add_checked_in_parallel(batch, first, last, write);
  } else {
    std::vector<Value> row;
    std::vector<bool> given;
    std::vector<FieldError> row_errors;
    for (std::size_t r = first; r < last; ++r) {
      row_errors.clear();
      const DateTime now = impl->now();
      check_row(writer, batch.row(r), row, given, row_errors, now, detail::current_access(*impl));
      write(row, !writer.owner_defaulted(), row_errors, now);
    }
  }
  if (options.on_progress && !options.on_progress(Progress{"import", rows, expected_rows}))
    throw Error(ErrorCode::cancelled, fmt::format("import cancelled after {} rows; nothing was kept", rows));
}

void BulkImport::State::check_row(RowWriter& writer, std::span<const Value> input, std::vector<Value>& row,
                                  std::vector<bool>& given, std::vector<FieldError>& errors, DateTime now,
                                  detail::AccessScope* readable) {
  writer.prepare_insert(input, row, given, errors, now);
  if (errors.empty() && !writer.plan().rules.empty()) {
    detail::SlotResolver resolver(*impl, context.tenant, now, detail::SlotResolver::Mode::write, readable);
    detail::check_rules(resolver, writer.plan(), row, nullptr, errors);
  }
}

/// Rows checked on the checking thread, handed to the writing one. Two are used in turn, so
/// their rows keep their storage from block to block.
struct CheckedBlock {
  std::vector<std::vector<Value>> rows;
  std::vector<std::vector<FieldError>> errors;
  std::vector<DateTime> nows;  ///< each row's clock reading, taken on the writing thread
};

void BulkImport::State::add_checked_in_parallel(const RecordBatch& batch, std::size_t first, std::size_t last,
                                                const std::function<WriteRow>& write) {
  // The checking thread has its own writer (a writer caches defaults as it goes) and touches
  // neither the connection nor the clock: checks_stay_in_memory() holds, and the writing thread
  // reads the clock for it. Each block is checked while the one before it is written.
  RowWriter checker(*impl, context, object);
  std::vector<FieldError> unused;
  checker.bind_fields(batch.fields(), false, unused);
  std::array<CheckedBlock, 2> blocks;
  auto check_block = [&](CheckedBlock& block, std::size_t begin) {
    std::vector<bool> given;
    for (std::size_t i = 0; i < block.nows.size(); ++i) {
      block.errors[i].clear();
      check_row(checker, batch.row(begin + i), block.rows[i], given, block.errors[i], block.nows[i], nullptr);
    }
  };
  auto start = [&](CheckedBlock& block, std::size_t begin) {
    const std::size_t count = std::min(kCheckBlockRows, last - begin);
    block.rows.resize(count);
    block.errors.resize(count);
    block.nows.resize(count);
    for (auto& now : block.nows) now = impl->now();
    try {
      return std::async(std::launch::async, check_block, std::ref(block), begin);
    } catch (const std::system_error&) {  // no thread to be had: the block is checked here, when needed
      return std::async(std::launch::deferred, check_block, std::ref(block), begin);
    }
  };
  // Declared after everything the task uses: if writing throws, its destructor waits for the task.
  std::future<void> next = start(blocks[0], first);
  for (std::size_t begin = first, turn = 0; begin < last; begin += kCheckBlockRows, turn ^= 1) {
    next.get();
    CheckedBlock& block = blocks[turn];
    if (begin + kCheckBlockRows < last) next = start(blocks[turn ^ 1], begin + kCheckBlockRows);
    for (std::size_t i = 0; i < block.rows.size(); ++i)
      write(block.rows[i], /*owner_given=*/false, block.errors[i], block.nows[i]);  // no assignment here
  }
}

void BulkImport::State::reject_duplicates(const std::vector<bulk_import::DeferredIndexes::Duplicate>& duplicates) {
  std::vector<std::int64_t> doomed;
  for (const auto& duplicate : duplicates) {
    auto at = std::lower_bound(rowids.begin(), rowids.end(), duplicate.rowid);
    if (at == rowids.end() || *at != duplicate.rowid) throw StoreError(ErrorCode::internal, "a duplicate row is not one of the import's");
    const auto index = static_cast<std::size_t>(at - rowids.begin());
    report.rejected.push_back(FieldError{object, duplicate.field, "", "unique",
                                         fmt::format("another {} already has this {}", object, duplicate.field),
                                         input_rows[index], {}});
    doomed.push_back(duplicate.rowid);
  }
  std::sort(doomed.begin(), doomed.end());
  doomed.erase(std::unique(doomed.begin(), doomed.end()), doomed.end());
  auto& remove = impl->db().prepare("DELETE FROM " + detail::quote(object) + " WHERE rowid = ?");
  for (auto rowid : doomed) {
    remove.bind_int(1, rowid);
    remove.step();
    remove.reset();
  }
  // Drop the deleted rows from the report, keeping input order.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < rowids.size(); ++i) {
    if (std::binary_search(doomed.begin(), doomed.end(), rowids[i])) continue;
    report.ids[kept] = std::move(report.ids[i]);
    rowids[kept] = rowids[i];
    input_rows[kept] = input_rows[i];
    ++kept;
  }
  report.ids.resize(kept);
  rowids.resize(kept);
  input_rows.resize(kept);
  report.inserted = static_cast<std::int64_t>(kept);
}

ImportReport BulkImport::State::finish() {
  detail::AccessGuard system(*impl, SessionContext{});  // the imported rows' workflows run as system
  detail::ActingUser actor(*impl, context.user);  // duplicates removed, workflows of the imported rows
  if (deferred && (options.on_error == OnError::skip || report.rejected.empty())) {
    auto duplicates = deferred->build_unique();
    if (!duplicates.empty()) {
      reject_duplicates(duplicates);
      if (!deferred->build_unique().empty()) throw StoreError(ErrorCode::internal, "duplicates remained after their removal");
    }
  }
  std::stable_sort(report.rejected.begin(), report.rejected.end(),
                   [](const FieldError& a, const FieldError& b) { return a.row < b.row; });
  if (options.on_error == OnError::abort && !report.rejected.empty()) throw ValidationError(std::move(report.rejected));
  if (deferred) deferred->build_rest();
  Session session = SessionInternals::make(impl, context);
  if (!rowids.empty() && options.run_workflows) {
    auto [first, last] = std::minmax_element(rowids.begin(), rowids.end());
    detail::after_import(session, impl->plan(object), *first, *last);
  }
  if (rollups && rollups->active()) rollups->refresh(nullptr, options.run_workflows ? &session : nullptr);
  if (report.inserted >= kAnalyzeAfterRows) refresh_statistics(impl->db(), object, report.inserted);
  transaction->commit();
  transaction.reset();
  return std::move(report);
}

BulkImport Session::begin_import(std::string_view object, std::int64_t expected_rows, const ImportOptions& options) {
  auto state = std::make_unique<BulkImport::State>();
  state->lock = std::unique_lock(impl_->mutex);
  impl_->require_writable();
  const auto& plan = impl_->plan(object);  // SchemaError for an unknown object, before anything is written
  {
    detail::AccessGuard guard(*impl_, context_);
    if (auto* scope = guard.scope()) {
      scope->require(*plan.object, "create");
      state->access = guard.shared_scope();
    }
  }
  state->impl = impl_;
  state->context = context_;
  state->object = std::string(object);
  state->options = options;
  state->expected_rows = expected_rows;
  state->transaction = std::make_unique<detail::Transaction>(impl_->db());
  return BulkImport(std::move(state));
}

ImportReport Session::import_records(std::string_view object, const RecordBatch& batch, const ImportOptions& options) {
  ImportOptions whole = options;
  const auto rows = static_cast<std::int64_t>(batch.row_count());
  const std::int64_t chunk = std::max<std::int64_t>(1, options.chunk_rows);
  whole.on_progress = nullptr;
  auto bulk = begin_import(object, rows, whole);
  if (rows == 0) {
    bulk.add(batch);  // still checks the field names
    return bulk.finish();
  }
  // Fed in slices so that progress is reported (and cancellation honoured) every chunk_rows rows.
  for (std::int64_t start = 0; start < rows; start += chunk) {
    const std::int64_t done = std::min(rows, start + chunk);
    bulk.state_->add(batch, static_cast<std::size_t>(start), static_cast<std::size_t>(done));
    if (options.on_progress && !options.on_progress(Progress{"import", done, rows}))
      throw Error(ErrorCode::cancelled, fmt::format("import cancelled after {} of {} rows; nothing was kept", done, rows));
  }
  return bulk.finish();
}

}  // namespace v0
}  // namespace hotcrm

namespace hotcrm::detail {

void read_row(const Statement& statement, const ObjectPlan& plan, std::vector<Value>& row) {
  row.resize(plan.columns.size());
  for (std::size_t c = 0; c < plan.columns.size(); ++c)
    row[c] = read_value(statement, static_cast<int>(c), *plan.columns[c]);
}

std::optional<std::vector<Value>> load_row(Session::Impl& impl, const ObjectPlan& plan, std::string_view id,
                                           const std::string& tenant) {
  auto& statement = impl.db().prepare(plan.select_by_id_sql);
  statement.bind_text(1, id);
  statement.bind_text(2, tenant);
  if (!statement.step()) {
    statement.reset();
    return std::nullopt;
  }
  std::vector<Value> row;
  read_row(statement, plan, row);
  statement.reset();
  return row;
}

}  // namespace hotcrm::detail
