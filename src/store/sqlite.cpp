#include "store/sqlite.hpp"

#include <atomic>

#include "hotcrm/error.hpp"

namespace hotcrm::detail {

void throw_sqlite(sqlite3* db, int rc, std::string_view context) {
  int primary = rc & 0xFF;
  // SQLite has already waited the busy timeout (sqlite3_busy_timeout) when it returns BUSY: report
  // it as the bound it is, not as SQLite's bare "database is locked".
  if (primary == SQLITE_BUSY)
    throw BusyError(std::string(context) +
                    ": the database is locked by another connection (a thread or process writing to the same "
                    "file) for longer than the busy timeout (OpenOptions::busy_timeout_ms); this transaction wrote "
                    "nothing and may be retried");
  std::string message = std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (primary == SQLITE_CONSTRAINT) throw ConflictError(message);
  if (primary == SQLITE_MISUSE || primary == SQLITE_RANGE) throw UsageError(ErrorCode::usage, message);
  if (primary == SQLITE_READONLY) throw UsageError(ErrorCode::usage, message + " (database opened read-only)");
  throw StoreError(ErrorCode::store, message);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db, rc, "cannot prepare SQL");
  null_bound_.assign(static_cast<std::size_t>(sqlite3_bind_parameter_count(stmt_)), true);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind_null(int index) {
  const bool tracked = index >= 1 && static_cast<std::size_t>(index) <= null_bound_.size();
  if (tracked && null_bound_[static_cast<std::size_t>(index) - 1]) return;
  // Marked only once bound: a refused bind (a statement still running) leaves the old value.
  if (sqlite3_bind_null(stmt_, index) == SQLITE_OK && tracked) null_bound_[static_cast<std::size_t>(index) - 1] = true;
}

void Statement::bind_int(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  mark_bound(index);
}

void Statement::bind_double(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  mark_bound(index);
}

void Statement::bind_text(int index, std::string_view value) {
  int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "cannot bind a value");
  mark_bound(index);
}

void Statement::bind_text_unowned(int index, std::string_view value) {
  int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "cannot bind a value");
  mark_bound(index);
}

void Statement::bind_blob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "cannot bind a value");
  mark_bound(index);
}

void Statement::bind_pointer(int index, void* pointer, const char* type) {
  int rc = sqlite3_bind_pointer(stmt_, index, pointer, type, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "cannot bind a value");
  mark_bound(index);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  throw_sqlite(db_, rc, "statement failed");
}

int Statement::step_allow_constraint() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_DONE || (rc & 0xFF) == SQLITE_CONSTRAINT) return rc;
  if (rc == SQLITE_ROW) return SQLITE_DONE;
  sqlite3_reset(stmt_);
  throw_sqlite(db_, rc, "statement failed");
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  null_bound_.assign(null_bound_.size(), true);
}

std::string_view Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string_view();
}

std::string_view Statement::column_blob(int column) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return bytes ? std::string_view(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
               : std::string_view();
}

Connection::Connection(const std::string& path, bool read_only, bool create, int busy_timeout_ms) {
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create && !read_only) flags |= SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open database '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(ErrorCode::store, message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Connection::~Connection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    // A busy error names the statement that waited ("BEGIN IMMEDIATE"), not SQLite's bare message.
    std::string context = (rc & 0xFF) == SQLITE_BUSY ? text.substr(0, 40) : "SQL failed (" + message + ")";
    throw_sqlite(nullptr, rc, context);
  }
}

Statement& Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
    it->second->set_cipher(cipher_.get());
  }
  it->second->reset();
  return *it->second;
}

Transaction::Transaction(Connection& connection, Mode mode) : connection_(connection) {
  if (connection_.in_transaction()) {
    static std::atomic<std::uint64_t> counter{0};
    savepoint_ = "hotcrm_sp_" + std::to_string(++counter);
    connection_.exec("SAVEPOINT " + savepoint_);
  } else {
    connection_.exec(mode == Mode::read ? "BEGIN" : "BEGIN IMMEDIATE");
  }
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    if (savepoint_.empty()) {
      if (connection_.in_transaction()) connection_.exec("ROLLBACK");
    } else {
      connection_.exec("ROLLBACK TO " + savepoint_);
      connection_.exec("RELEASE " + savepoint_);
    }
  } catch (...) {
    // A failed rollback leaves SQLite to roll back on close; nothing more can be done here.
  }
}

void Transaction::commit() {
  connection_.exec(savepoint_.empty() ? "COMMIT" : "RELEASE " + savepoint_);
  done_ = true;
}

}  // namespace hotcrm::detail
