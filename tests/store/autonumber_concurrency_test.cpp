// Autonumbers stay unique and gap-free when several processes and threads insert into one file.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

TEST_CASE("autonumbers are unique and gap-free under concurrent inserts from processes and threads") {
  constexpr int kProcesses = 4, kThreads = 2, kInserts = 40;
  test::TempDir dir;
  const auto path = dir.file("numbers.db");
  std::string company;
  {
    Database db = Database::open(path, test::test_options());
    company = db.insert("company", {{"name", "Acme"}});
  }  // closed before forking
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t child = fork();
    if (child == 0) {
      std::atomic<int> failures = 0;
      try {
        auto options = test::test_options();
        options.id_seed = 1000 + static_cast<std::uint64_t>(p);  // fixed seeds shared by processes would share ids
        Database db = Database::open(path, options);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
          threads.emplace_back([&, t] {
            Session session = db.session({.user = "u" + std::to_string(t), .tenant = "default"});
            for (int i = 0; i < kInserts; ++i) {
              try {
                session.insert("deal", {{"title", "deal"}, {"company_id", company}});
              } catch (const std::exception& error) {
                std::fprintf(stderr, "insert failed: %s\n", error.what());
                ++failures;
              }
            }
          });
        for (auto& thread : threads) thread.join();
      } catch (...) {
        _exit(3);
      }
      _exit(failures == 0 ? 0 : 1);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  Database db = Database::open(path, test::test_options());
  auto result = db.query(Query{.object = "deal", .fields = {"number"}});
  const auto total = static_cast<std::size_t>(kProcesses * kThreads * kInserts);
  REQUIRE(result.rows.row_count() == total);
  std::set<std::string> numbers;
  for (std::size_t r = 0; r < result.rows.row_count(); ++r) numbers.insert(result.rows.at(r, 0).as_string());
  CHECK(numbers.size() == total);  // unique
  std::set<std::string> expected;
  for (std::size_t n = 1; n <= total; ++n) expected.insert(fmt::format("D-2026-{:04}", n));
  CHECK(numbers == expected);  // gap-free
}
