#pragma once
// A thin RAII layer over the SQLite C API (private: sqlite3.h never reaches public headers).
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hotcrm::detail {

class FieldCipher;

/// Throws StoreError (or ConflictError / UsageError where the code says so) with SQLite's message.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds NULL. A parameter already NULL (never bound, cleared, or bound NULL since) is left as it
  /// is: SQLite keeps bindings across sqlite3_reset, so a bulk insert re-binding the same statement
  /// skips the calls for the columns its rows leave empty.
  void bind_null(int index);
  void bind_int(int index, std::int64_t value);
  void bind_double(int index, double value);
  void bind_text(int index, std::string_view value);
  /// Binds without copying: `value` must stay alive until the statement is reset.
  void bind_text_unowned(int index, std::string_view value);
  void bind_blob(int index, std::string_view bytes);
  /// sqlite3_bind_pointer, for SQL functions that receive an engine object.
  void bind_pointer(int index, void* pointer, const char* type);
  /// Steps once: true when a row is available, false when done. Throws on error.
  bool step();
  /// Steps a statement that must not return rows; returns sqlite's result code (SQLITE_DONE or a
  /// constraint code) without throwing on constraint violations, so callers can report them per row.
  int step_allow_constraint();
  /// Resets and clears every binding.
  void reset() noexcept;

  int column_type(int column) const { return sqlite3_column_type(stmt_, column); }
  bool column_is_null(int column) const { return column_type(column) == SQLITE_NULL; }
  std::int64_t column_int(int column) const { return sqlite3_column_int64(stmt_, column); }
  double column_double(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string_view column_text(int column) const;
  std::string_view column_blob(int column) const;
  int column_count() const { return sqlite3_column_count(stmt_); }

  sqlite3_stmt* handle() const noexcept { return stmt_; }
  sqlite3* db() const noexcept { return db_; }
  /// Seals and opens encrypted fields' values (src/store/codec.cpp); the connection's, or null.
  const FieldCipher* cipher() const noexcept { return cipher_; }
  void set_cipher(const FieldCipher* cipher) noexcept { cipher_ = cipher; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  const FieldCipher* cipher_ = nullptr;
  /// Per parameter (index - 1): true while it is bound to NULL. Every bind goes through this class.
  std::vector<bool> null_bound_;

  void mark_bound(int index) noexcept {
    if (index >= 1 && static_cast<std::size_t>(index) <= null_bound_.size()) null_bound_[static_cast<std::size_t>(index) - 1] = false;
  }
};

/// An open connection with a cache of prepared statements keyed by their SQL text.
class Connection {
 public:
  Connection(const std::string& path, bool read_only, bool create, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(std::string_view sql);
  /// A cached prepared statement, reset and with bindings cleared.
  Statement& prepare(const std::string& sql);
  /// Drops cached statements (after DDL that changes the schema they were compiled against).
  void clear_cache() { cache_.clear(); }
  sqlite3* handle() const noexcept { return db_; }
  bool in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }
  /// The cipher of encrypted fields, handed to every statement this connection prepares. Set once,
  /// right after opening (before any statement is cached).
  void set_cipher(std::shared_ptr<const FieldCipher> cipher) { cipher_ = std::move(cipher); }
  const FieldCipher* cipher() const noexcept { return cipher_.get(); }

 private:
  sqlite3* db_ = nullptr;
  std::shared_ptr<const FieldCipher> cipher_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

/// BEGIN IMMEDIATE ... COMMIT, or a SAVEPOINT when a transaction is already open. Rolls back in the
/// destructor unless commit() was called, so an exception never leaves a partial write.
/// Mode::read begins a deferred transaction instead: one consistent snapshot for several reads.
class Transaction {
 public:
  enum class Mode : std::uint8_t { write, read };
  explicit Transaction(Connection& connection, Mode mode = Mode::write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  std::string savepoint_;  // empty for a top-level transaction
  bool done_ = false;
};

}  // namespace hotcrm::detail
