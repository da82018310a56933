// Online backup through SQLite's backup API. The copy is read from one snapshot held by a separate
// read connection: in WAL mode writers (this database's own threads, other processes) go on while
// it runs, and the copy holds exactly the transactions committed when it began. Pages are copied a
// slice at a time so that the destination lock and the progress callback stay responsive.
#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "store/impl.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

/// An sqlite3* closed on scope exit.
struct RawConnection {
  sqlite3* db = nullptr;
  RawConnection() = default;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection() { sqlite3_close_v2(db); }
};

void open_raw(RawConnection& connection, const std::filesystem::path& path, int flags, const char* role,
              int busy_timeout_ms) {
  int rc = sqlite3_open_v2(path.c_str(), &connection.db, flags, nullptr);
  if (rc != SQLITE_OK)
    throw StoreError(ErrorCode::store, fmt::format("backup: cannot open the {} '{}': {}", role, path.string(),
                                                   connection.db ? sqlite3_errmsg(connection.db) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(connection.db, busy_timeout_ms);
}

/// A lock held by another connection past the busy timeout is a BusyError, as for every other call.
void exec_raw(sqlite3* db, const char* sql) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) detail::throw_sqlite(db, rc, "backup");
}

/// Copies `source` into `target` page slice by page slice; `lock_step` runs around each step when
/// the source connection is shared with other threads (an in-memory database).
/// A step that finds a lock taken (after the connection's own busy wait, for BUSY) is retried until
/// `busy_timeout_ms` have passed without progress; then the backup stops with a BusyError.
template <class LockStep>
void copy_pages(sqlite3* source, sqlite3* target, const BackupOptions& options, int busy_timeout_ms,
                LockStep&& lock_step) {
  sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
  if (!backup) throw StoreError(ErrorCode::store, std::string("backup: cannot start: ") + sqlite3_errmsg(target));
  int rc = SQLITE_OK;
  using Clock = std::chrono::steady_clock;
  auto waiting_since = Clock::now();
  while (true) {
    rc = lock_step([&] { return sqlite3_backup_step(backup, options.pages_per_step); });
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (Clock::now() - waiting_since > std::chrono::milliseconds(busy_timeout_ms)) break;  // reported below
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (rc != SQLITE_OK) break;
    waiting_since = Clock::now();
    const auto total = sqlite3_backup_pagecount(backup);
    const auto done = total - sqlite3_backup_remaining(backup);
    if (options.on_progress && !options.on_progress(Progress{"backup", done, total})) {
      sqlite3_backup_finish(backup);
      throw Error(ErrorCode::cancelled, fmt::format("backup cancelled after {} of {} pages", done, total));
    }
  }
  const int finished = sqlite3_backup_finish(backup);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    throw BusyError(fmt::format("backup: another connection held a lock for longer than the busy timeout ({} ms, "
                                "OpenOptions::busy_timeout_ms); nothing was written to the destination",
                                busy_timeout_ms));
  if (rc != SQLITE_DONE)
    throw StoreError(ErrorCode::store, fmt::format("backup failed: {}", sqlite3_errstr(rc)));
  if (finished != SQLITE_OK) throw StoreError(ErrorCode::store, std::string("backup failed: ") + sqlite3_errmsg(target));
}

}  // namespace

void Database::backup(const std::filesystem::path& destination, const BackupOptions& options) {
  if (options.pages_per_step <= 0) throw UsageError(ErrorCode::usage, "backup: pages_per_step must be at least 1");
  if (destination.empty()) throw UsageError(ErrorCode::usage, "backup: the destination path is empty");
  std::error_code error;
  if (std::filesystem::exists(destination, error) && !options.overwrite)
    throw UsageError(ErrorCode::usage, fmt::format("backup: '{}' exists (overwrite it explicitly)", destination.string()));
  if (std::filesystem::is_directory(destination, error))
    throw UsageError(ErrorCode::usage, fmt::format("backup: '{}' is a folder", destination.string()));
  const bool in_memory = impl_->path.empty() || impl_->path == ":memory:";
  if (!in_memory && std::filesystem::equivalent(impl_->path, destination, error))
    throw UsageError(ErrorCode::usage, "backup: the destination is the database itself");
  {
    std::lock_guard lock(impl_->mutex);
    impl_->db();  // UsageError when closed
  }

  // Written beside the destination and renamed when complete: a crash never leaves a half copy
  // under the destination's name.
  auto partial = destination;
  partial += ".partial";
  std::filesystem::remove(partial, error);
  RawConnection target;
  const int busy_timeout_ms = impl_->busy_timeout_ms;
  open_raw(target, partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "destination", busy_timeout_ms);
  try {
    if (in_memory) {
      // Only this connection sees the data: each slice holds the database's lock.
      copy_pages(impl_->db().handle(), target.db, options, busy_timeout_ms, [&](auto&& step) {
        std::lock_guard lock(impl_->mutex);
        return step();
      });
    } else {
      RawConnection source;
      open_raw(source, impl_->path, impl_->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, "database",
               busy_timeout_ms);
      // The read transaction pins one snapshot for every step (the backup reuses it).
      exec_raw(source.db, "BEGIN; SELECT count(*) FROM sqlite_master;");
      copy_pages(source.db, target.db, options, busy_timeout_ms, [](auto&& step) { return step(); });
      exec_raw(source.db, "COMMIT");
    }
  } catch (...) {
    sqlite3_close_v2(target.db);
    target.db = nullptr;
    std::filesystem::remove(partial, error);
    throw;
  }
  sqlite3_close_v2(target.db);
  target.db = nullptr;
  std::filesystem::rename(partial, destination, error);
  if (error)
    throw Error(ErrorCode::io, fmt::format("backup: cannot move the copy to '{}': {}", destination.string(), error.message()));
}

}  // namespace v0
}  // namespace hotcrm
