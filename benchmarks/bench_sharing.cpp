// Record-sharing benchmark: the cost of access control on the read path. One database holds
// `--rows` deals owned by 10,000 users placed in a 5-level role hierarchy (1 + 4 + 16 + 64 + 256
// roles), deals private, plus manual shares to a leaf role and to single users all over the
// hierarchy (which managers inherit: a share to a report reaches its managers), and `--rows` / 2
// deal lines, a master-detail child whose access is its deal's. The same queries (a filtered,
// sorted page; a count; a grouped sum; on lines a count and a sum grouped by the deal's stage) run
// for an administrator, for managers at levels 2 and 4 (who see the deals of the users below them)
// and for a user at the bottom, in the same run. The ratio user / administrator is the price of
// the visibility condition compiled into the SQL (target: within 2x).
//
//   bench_sharing [--rows N] [--users U] [--repeat R] [--dir PATH]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/hotcrm.hpp"

namespace {

using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

struct Options {
  std::int64_t rows = 200'000;
  std::int64_t users = 10'000;
  int repeat = 20;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "hotcrm-bench";
};

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--rows") options.rows = std::atoll(argv[i + 1]);
    else if (flag == "--users") options.users = std::atoll(argv[i + 1]);
    else if (flag == "--repeat") options.repeat = std::atoi(argv[i + 1]);
    else if (flag == "--dir") options.dir = argv[i + 1];
  }
  options.users = std::max<std::int64_t>(options.users, 300);  // every role has a user, leaves several
  return options;
}

constexpr const char* kCatalog = R"([{"name": "deal", "fields": [
  {"name": "title", "type": "text", "required": true},
  {"name": "stage", "type": "select", "options": ["open", "won", "lost"], "indexed": true},
  {"name": "amount", "type": "currency", "scale": 2},
  {"name": "region", "type": "text"}
]}, {"name": "deal_line", "fields": [
  {"name": "deal_id", "type": "master_detail", "reference": "deal", "required": true},
  {"name": "quantity", "type": "number"},
  {"name": "price", "type": "currency", "scale": 2}
]}])";

/// Role names level by level: "r" at the top, then "r.0" .. "r.3", "r.0.0" ...; leaves last.
std::vector<std::vector<std::string>> define_roles(hotcrm::Session& admin) {
  std::vector<std::vector<std::string>> levels{{"r"}};
  admin.define_role("r");
  for (int level = 1; level < 5; ++level) {
    levels.emplace_back();
    for (const auto& parent : levels[static_cast<std::size_t>(level - 1)])
      for (int child = 0; child < 4; ++child) {
        levels.back().push_back(fmt::format("{}.{}", parent, child));
        admin.define_role(levels.back().back(), parent);
      }
  }
  return levels;
}

struct Timing {
  double page = 0, count = 0, aggregate = 0, lines = 0;
  std::int64_t visible = 0, visible_lines = 0;
  double total() const { return page + count + aggregate; }
};

Timing measure(hotcrm::Session session, int repeat) {
  using namespace hotcrm;
  Timing timing;
  const Query page{.object = "deal", .filter = parse_where("stage = 'open' AND amount > 1000"),
                   .order_by = {{"amount", true}}, .limit = 50, .fields = {"id", "title", "amount", "owner_id"}};
  const AggregateQuery sums{.object = "deal", .group_by = {"stage"}, .aggregates = {{AggregateFn::sum, "amount", ""}}};
  timing.visible = session.count("deal");
  for (int r = 0; r < repeat; ++r) {
    auto start = Steady::now();
    auto rows = session.query(page);
    timing.page += seconds_since(start);
    start = Steady::now();
    auto open = session.count("deal", parse_where("stage = 'open'"));
    timing.count += seconds_since(start);
    start = Steady::now();
    auto totals = session.aggregate(sums);
    timing.aggregate += seconds_since(start);
    if (rows.size() > 50 || open < 0 || totals.size() > 3) std::abort();
  }
  // Deal lines: no sharing of their own, the deal's visibility as a subquery on deal_id.
  const AggregateQuery by_stage{.object = "deal_line", .group_by = {"deal_id.stage"},
                                .aggregates = {{AggregateFn::sum, "price", ""}}};
  timing.visible_lines = session.count("deal_line");
  for (int r = 0; r < repeat; ++r) {
    auto start = Steady::now();
    auto lines = session.count("deal_line");
    auto totals = session.aggregate(by_stage);
    timing.lines += seconds_since(start);
    if (lines < 0 || totals.size() > 4) std::abort();
  }
  return timing;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hotcrm;
  const Options options = parse_args(argc, argv);
  std::filesystem::create_directories(options.dir);
  const auto file = options.dir / "sharing.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  OpenOptions open_options;
  open_options.catalog = Catalog::from_json(kCatalog, "bench");
  open_options.clock = fixed_clock(DateTime::parse("2026-01-01T00:00:00Z"));
  open_options.id_seed = 7;
  auto db = Database::open(file, open_options);

  auto start = Steady::now();
  std::vector<std::string> users;
  std::vector<std::vector<std::string>> levels;
  db.transaction([&] {
    levels = define_roles(db);
    // Users: one per role above the leaves, the rest spread over the 256 leaf roles.
    std::size_t u = 0;
    for (std::size_t level = 0; level < 4; ++level)
      for (const auto& role : levels[level]) {
        users.push_back(fmt::format("user{}", u++));
        db.set_user({users.back(), role, false});
      }
    const auto& leaves = levels[4];
    while (static_cast<std::int64_t>(users.size()) < options.users) {
      users.push_back(fmt::format("user{}", u));
      db.set_user({users.back(), leaves[u % leaves.size()], false});
      ++u;
    }
    db.set_user({"admin", "", true});
    db.grant("sales", "deal", ObjectPermissions::crud());
    db.grant("sales", "deal_line", ObjectPermissions::crud());
    for (const auto& user : users) db.assign_permission_set(user, "sales");
    db.set_sharing_model("deal", SharingModel::private_);
  });
  const double setup_seconds = seconds_since(start);

  std::mt19937_64 random(11);
  const char* stages[] = {"open", "won", "lost"};
  RecordBatch batch({"title", "stage", "amount", "region", "owner_id"});
  batch.reserve(static_cast<std::size_t>(options.rows));
  for (std::int64_t i = 0; i < options.rows; ++i)
    batch.add_row({fmt::format("Deal {}", i), stages[random() % 3],
                   Decimal(static_cast<std::int64_t>(random() % 10'000'000), 2), fmt::format("region{}", random() % 50),
                   users[random() % users.size()]});
  ImportOptions import_options;
  import_options.run_workflows = false;
  start = Steady::now();
  auto report = db.import_records("deal", batch, import_options);
  RecordBatch lines({"deal_id", "quantity", "price"});
  for (std::size_t i = 0; i < report.ids.size(); i += 2)
    lines.add_row({report.ids[i], static_cast<std::int64_t>(random() % 20 + 1),
                   Decimal(static_cast<std::int64_t>(random() % 100'000), 2)});
  db.import_records("deal_line", lines, import_options);
  const double import_seconds = seconds_since(start);
  // Users are numbered level by level: users[1] holds a level-2 role (a quarter of the users are
  // below it), the first level-4 role's user manages 4 leaf roles (~150 users at 10,000), and the
  // leaf user is the first user of the first leaf role (user256: leaf users are placed round-robin).
  const std::string vp = users[1];
  const std::string level4 = users[1 + 4 + 16];
  const std::string leaf = users[levels[4].size()];
  // Manual shares with the leaf user's role, so the share term is part of its condition, and with
  // single users: the managers above them inherit those, matched in SQL against the users below.
  db.transaction([&] {
    for (std::size_t i = 0; i < 1000 && i < report.ids.size(); ++i)
      db.share("deal", report.ids[i * 97 % report.ids.size()], Grantee::role(levels[4][0]));
    for (std::size_t i = 0; i < 1000 && i < report.ids.size(); ++i)
      db.share("deal", report.ids[(i * 131 + 7) % report.ids.size()], Grantee::user(users[i * 7 % users.size()]));
  });

  const auto admin = measure(db.session({"admin", "default", AccessMode::user}), options.repeat);
  const auto upper = measure(db.session({vp, "default", AccessMode::user}), options.repeat);
  const auto middle = measure(db.session({level4, "default", AccessMode::user}), options.repeat);
  const auto bottom = measure(db.session({leaf, "default", AccessMode::user}), options.repeat);

  fmt::print("bench_sharing: {} deals, {} users, 5-level hierarchy ({} roles), private sharing, 2000 manual shares (role, users)\n",
             options.rows, users.size(), 1 + 4 + 16 + 64 + 256);
  fmt::print("  setup {:.2f} s, import {:.2f} s; {} repeats of page + count + grouped sum\n", setup_seconds,
             import_seconds, options.repeat);
  auto line = [&](const char* who, const Timing& t) {
    fmt::print("  {:<26} sees {:>7} deals  page {:7.2f} ms  count {:7.2f} ms  sum {:7.2f} ms  per round {:7.2f} ms\n", who,
               t.visible, 1e3 * t.page / options.repeat, 1e3 * t.count / options.repeat,
               1e3 * t.aggregate / options.repeat, 1e3 * t.total() / options.repeat);
  };
  line("administrator (floor)", admin);
  line("level-2 manager", upper);
  line("level-4 manager", middle);
  line("leaf user", bottom);
  const double worst = std::max({upper.total(), middle.total(), bottom.total()}) / admin.total();
  fmt::print("ratio (slowest user / administrator): {:.2f}x (target: within 2x)\n", worst);
  auto line_of_lines = [&](const char* who, const Timing& t) {
    fmt::print("  {:<26} sees {:>7} lines  count + sum by deal stage {:7.2f} ms per round\n", who, t.visible_lines,
               1e3 * t.lines / options.repeat);
  };
  line_of_lines("administrator (floor)", admin);
  line_of_lines("level-2 manager", upper);
  line_of_lines("level-4 manager", middle);
  line_of_lines("leaf user", bottom);
  const double worst_lines = std::max({upper.lines, middle.lines, bottom.lines}) / admin.lines;
  fmt::print("ratio on master-detail lines (slowest user / administrator): {:.2f}x (target: within 2x)\n", worst_lines);
  return 0;
}
