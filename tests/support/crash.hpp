#pragma once
// Crash and concurrency helpers shared by the tests that fork writers: a child process killed with
// SIGKILL after a delay, children run to completion, and SQLite's own integrity check of a file.
// A SQLite connection must not cross fork(): callers close every Database before forking.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

namespace hotcrm::test {

/// Forks a child that runs `body` (exit status 0, or 2 when it throws: the message goes to stderr).
inline pid_t spawn(const std::function<void()>& body) {
  std::fflush(nullptr);  // buffered output must not be written twice
  pid_t child = ::fork();
  if (child == 0) {
    int status = 0;
    try {
      body();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "child %d failed: %s\n", static_cast<int>(::getpid()), error.what());
      status = 2;
    } catch (...) {
      status = 2;
    }
    ::_exit(status);  // skips the parent's doctest state and destructors
  }
  return child;
}

/// The child's exit status, or -signal when a signal ended it.
inline int wait_for(pid_t child) {
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

/// Runs `body` in a child process and kills it (SIGKILL) after `delay`; true when the kill landed
/// before the child finished on its own.
inline bool run_and_kill(const std::function<void()>& body, std::chrono::milliseconds delay) {
  pid_t child = spawn(body);
  std::this_thread::sleep_for(delay);
  ::kill(child, SIGKILL);
  return wait_for(child) == -SIGKILL;
}

/// Like run_and_kill, but the delay counts from the moment the child has reported `steps` steps of
/// progress (one byte each written to the descriptor `body` receives). However slowly the child
/// starts (a loaded machine, a sanitized build), the kill lands inside the work, not before it.
inline bool run_and_kill_after(const std::function<void(int progress_fd)>& body, int steps,
                               std::chrono::microseconds delay) {
  int progress[2];
  if (::pipe(progress) != 0) return false;
  pid_t child = spawn([&] {
    ::close(progress[0]);
    body(progress[1]);
  });
  ::close(progress[1]);
  char byte = 0;
  for (int seen = 0; seen < steps && ::read(progress[0], &byte, 1) == 1;) ++seen;
  std::this_thread::sleep_for(delay);
  ::kill(child, SIGKILL);
  ::close(progress[0]);
  return wait_for(child) == -SIGKILL;
}

/// PRAGMA integrity_check of a file, through a connection of its own: "ok" for a sound file.
inline std::string integrity_check(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  std::string result = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      result = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return result;
}

}  // namespace hotcrm::test
