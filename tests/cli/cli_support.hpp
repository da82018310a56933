#pragma once
// Running the built `hotcrm` binary from doctest cases: a child process per call, with its stdout,
// stderr and exit code captured. Shared by the tests of tests/cli/.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/temp_db.hpp"

extern char** environ;

namespace hotcrm::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  std::ostringstream text;
  text << input.rdbuf();
  return text.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream output(path, std::ios::binary);
  output << text;
}

/// Runs the CLI with `args`. Output goes to files rather than pipes, so that a chatty child can
/// never block on a full pipe while the test waits for it.
inline CliResult run_cli(const std::vector<std::string>& args) {
  static TempDir capture_dir;
  static std::atomic<int> run_number{0};
  const int run = run_number++;
  const std::string out_path = capture_dir.file("out-" + std::to_string(run)).string();
  const std::string err_path = capture_dir.file("err-" + std::to_string(run)).string();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);

  std::vector<std::string> argv_strings{HOTCRM_CLI_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, HOTCRM_CLI_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(spawned == 0, "cannot start " HOTCRM_CLI_PATH);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);

  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// A fresh database in its own temporary folder.
class CliDatabase {
 public:
  CliDatabase() {
    const CliResult init = run_cli({"init", path()});
    REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  }
  std::string path() const { return dir_.file("crm.db").string(); }
  std::filesystem::path file(const std::string& name) const { return dir_.file(name); }

  std::int64_t count(const std::string& object, const std::string& where = "") const {
    std::vector<std::string> args{"count", path(), object};
    if (!where.empty()) args.insert(args.end(), {"--where", where});
    const CliResult result = run_cli(args);
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    return std::stoll(result.out);
  }

  std::string insert(const std::string& object, const std::string& record_json) const {
    const CliResult result = run_cli({"insert", path(), object, record_json});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    return trimmed(result.out);
  }

 private:
  TempDir dir_;
};

inline const std::string valid_lead = R"({"last_name": "Lovelace", "company": "Analytical Engines", "email": "ada@engines.example"})";

}  // namespace hotcrm::test
