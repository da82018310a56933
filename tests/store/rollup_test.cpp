// Roll-up summary fields: after random child inserts, updates, re-parentings, deletes, imports and
// cascading or detaching parent deletes, every parent's roll-ups equal a recomputation from scratch.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <random>

#include "hotcrm/hotcrm.hpp"
#include "support/fixtures.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

const char* kRollupCatalog = R"json([
  {"name": "purchase", "fields": [
    {"name": "title", "type": "text"},
    {"name": "line_count", "type": "number", "rollup": {"object": "line", "via": "purchase_id", "function": "count"}},
    {"name": "total", "type": "currency", "scale": 2,
     "rollup": {"object": "line", "via": "purchase_id", "function": "sum", "field": "amount"}},
    {"name": "big_total", "type": "currency", "scale": 2,
     "rollup": {"object": "line", "via": "purchase_id", "function": "sum", "field": "amount", "filter": "amount > 100"}},
    {"name": "doubled_total", "type": "currency", "scale": 2,
     "rollup": {"object": "line", "via": "purchase_id", "function": "sum", "field": "doubled"}},
    {"name": "first_due", "type": "date", "rollup": {"object": "line", "via": "purchase_id", "function": "min", "field": "due"}},
    {"name": "max_qty", "type": "number", "rollup": {"object": "line", "via": "purchase_id", "function": "max", "field": "qty"}},
    {"name": "mean_amount", "type": "currency", "scale": 4,
     "rollup": {"object": "line", "via": "purchase_id", "function": "avg", "field": "amount"}}
  ]},
  {"name": "line", "fields": [
    {"name": "purchase_id", "type": "lookup", "reference": "purchase", "on_delete": "cascade"},
    {"name": "amount", "type": "currency", "scale": 2},
    {"name": "qty", "type": "number"},
    {"name": "due", "type": "date"},
    {"name": "doubled", "type": "formula", "expression": "amount * 2", "return_type": "currency"}
  ]}
])json";

struct Expected {
  std::int64_t count = 0;
  Decimal total = Decimal::from_int(0), big = Decimal::from_int(0);
  std::int64_t amounts = 0;
  std::optional<Date> first_due;
  std::optional<std::int64_t> max_qty;
};

/// The roll-ups of every purchase, recomputed from the stored lines.
std::map<std::string, Expected> recompute(Database& db) {
  std::map<std::string, Expected> out;
  auto purchases = db.query({.object = "purchase", .fields = {"id"}});
  for (std::size_t r = 0; r < purchases.size(); ++r) out[purchases.rows.at(r, 0).as_string()];
  auto lines = db.query({.object = "line", .fields = {"purchase_id", "amount", "qty", "due"}});
  for (std::size_t r = 0; r < lines.size(); ++r) {
    if (lines.rows.at(r, 0).is_null()) continue;
    Expected& e = out[lines.rows.at(r, 0).as_string()];
    ++e.count;
    if (const Value& amount = lines.rows.at(r, 1); !amount.is_null()) {
      e.total = e.total + amount.as_decimal();
      ++e.amounts;
      if (amount.as_decimal() > Decimal::from_int(100)) e.big = e.big + amount.as_decimal();
    }
    if (const Value& qty = lines.rows.at(r, 2); !qty.is_null())
      e.max_qty = std::max(e.max_qty.value_or(qty.as_int()), qty.as_int());
    if (const Value& due = lines.rows.at(r, 3); !due.is_null())
      if (!e.first_due || due.as_date().days < e.first_due->days) e.first_due = due.as_date();
  }
  return out;
}

void check_rollups(Database& db) {
  for (const auto& [id, e] : recompute(db)) {
    CAPTURE(id);
    auto stored = db.get("purchase", id);
    CHECK(stored.at("line_count") == Value(e.count));
    CHECK(stored.at("total").as_decimal() == e.total);
    CHECK(stored.at("big_total").as_decimal() == e.big);
    CHECK(stored.at("doubled_total").as_decimal() == e.total * Decimal::from_int(2));
    CHECK(stored.at("first_due") == (e.first_due ? Value(*e.first_due) : Value{}));
    CHECK(stored.at("max_qty") == (e.max_qty ? Value(*e.max_qty) : Value{}));
    if (e.amounts == 0) CHECK(stored.at("mean_amount").is_null());
    else CHECK(stored.at("mean_amount").as_decimal() == Decimal::divide(e.total, Decimal::from_int(e.amounts), 4));
  }
}

}  // namespace

TEST_CASE("roll-ups stay equal to their recomputation through random child writes" * doctest::test_suite("rollup")) {
  test::TempDir dir;
  OpenOptions options = test::test_options();
  options.catalog = Catalog::from_json(kRollupCatalog, "rollups");
  Database db = Database::open(dir.file("rollups.db"), options);
  std::mt19937 random(11);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  std::vector<std::string> purchases, lines;
  for (int i = 0; i < 6; ++i) purchases.push_back(db.insert("purchase", {{"title", "P" + std::to_string(i)}}));
  auto random_line = [&]() {
    Record line{{"purchase_id", purchases[static_cast<std::size_t>(pick(static_cast<int>(purchases.size())))]}};
    if (pick(5)) line["amount"] = Decimal::parse(std::to_string(pick(300)) + "." + std::to_string(10 + pick(90)));
    if (pick(4)) line["qty"] = std::int64_t{pick(50)};
    if (pick(3)) line["due"] = Date{20000 + pick(400)};
    return line;
  };
  for (int step = 0; step < 300; ++step) {
    const int action = lines.empty() ? 0 : pick(10);
    if (action < 4) {
      lines.push_back(db.insert("line", random_line()));
    } else if (action < 6) {
      db.update("line", lines[static_cast<std::size_t>(pick(static_cast<int>(lines.size())))],
                {{"amount", pick(4) ? Value(Decimal::parse(std::to_string(pick(400)) + ".05")) : Value{}}});
    } else if (action < 8) {  // re-parent, or orphan
      db.update("line", lines[static_cast<std::size_t>(pick(static_cast<int>(lines.size())))],
                {{"purchase_id", pick(6) ? Value(purchases[static_cast<std::size_t>(pick(6))]) : Value{}}});
    } else if (action < 9) {
      auto index = static_cast<std::size_t>(pick(static_cast<int>(lines.size())));
      db.remove("line", lines[index]);
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(index));
    } else {
      RecordBatch batch({"purchase_id", "amount", "qty", "due"});
      for (int k = 0; k < 5; ++k) {
        Record line = random_line();
        batch.add_row({line["purchase_id"], line.count("amount") ? line["amount"] : Value{},
                       line.count("qty") ? line["qty"] : Value{}, line.count("due") ? line["due"] : Value{}});
      }
      auto report = db.import_records("line", batch);
      lines.insert(lines.end(), report.ids.begin(), report.ids.end());
    }
    if (step % 25 == 0) check_rollups(db);
  }
  check_rollups(db);
  CHECK(recompute(db).size() == 6);
}

TEST_CASE("roll-up fields are read-only, checked at load, and a result that does not fit is refused" *
          doctest::test_suite("rollup")) {
  test::TempDir dir;
  OpenOptions options = test::test_options();
  options.catalog = Catalog::from_json(kRollupCatalog, "rollups");
  Database db = Database::open(dir.file("rollups.db"), options);
  auto id = db.insert("purchase", {{"title", "P"}});
  CHECK(test::rejection_codes([&] { db.update("purchase", id, {{"total", "5"}}); }) ==
        std::vector<std::string>{"total:read_only"});

  auto broken = [](const std::string& rollup) {
    return std::string(R"json([{"name": "p", "fields": [{"name": "n", "type": "number", "rollup": )json") + rollup +
           R"json(}]}, {"name": "c", "fields": [{"name": "p_id", "type": "lookup", "reference": "p"},
           {"name": "d", "type": "date"}, {"name": "t", "type": "text"}]}])json";
  };
  CHECK_THROWS_WITH_AS(Catalog::from_json(broken(R"({"object": "c", "via": "p_id", "function": "median", "field": "d"})"), "x"),
                       doctest::Contains("median"), SchemaError);
  CHECK_THROWS_WITH_AS(Catalog::from_json(broken(R"({"object": "nope", "via": "p_id", "function": "count"})"), "x"),
                       doctest::Contains("unknown object 'nope'"), SchemaError);
  CHECK_THROWS_WITH_AS(Catalog::from_json(broken(R"({"object": "c", "via": "t", "function": "count"})"), "x"),
                       doctest::Contains("'via' must be a lookup"), SchemaError);
  CHECK_THROWS_WITH_AS(Catalog::from_json(broken(R"({"object": "c", "via": "p_id", "function": "sum", "field": "t"})"), "x"),
                       doctest::Contains("needs a number"), SchemaError);
  CHECK_THROWS_WITH_AS(Catalog::from_json(broken(R"({"object": "c", "via": "p_id", "function": "count", "filter": "LEN(zz) > 1"})"), "x"),
                       doctest::Contains("roll-up filter does not compile"), SchemaError);

  // A count that would exceed the field's maximum rejects the child write and keeps nothing.
  options.catalog = Catalog::from_json(R"json([
    {"name": "box", "fields": [{"name": "items", "type": "number", "max": 2,
       "rollup": {"object": "item", "via": "box_id", "function": "count"}}]},
    {"name": "item", "fields": [{"name": "box_id", "type": "lookup", "reference": "box"}]}])json", "boxes");
  Database boxes = Database::open(dir.file("boxes.db"), options);
  auto box = boxes.insert("box", {});
  boxes.insert("item", {{"box_id", box}});
  boxes.insert("item", {{"box_id", box}});
  auto before = test::dump_database(dir.file("boxes.db"));
  CHECK(test::rejection_codes([&] { boxes.insert("item", {{"box_id", box}}); }) == std::vector<std::string>{"items:rollup"});
  CHECK(test::dump_database(dir.file("boxes.db")) == before);
  CHECK(boxes.get("box", box).at("items") == Value(std::int64_t{2}));
}

namespace {

// Lines belong to a purchase (cascade), which belongs to a batch (cascade); they also feed a
// bucket (set_null) and may carry a tag (set_null). Deleting a purchase or a batch deletes lines
// through SQLite's cascades, and deleting a tag clears their tag_id: the buckets, which stay, must
// follow in the same transaction.
const char* kCascadeCatalog = R"json([
  {"name": "batch", "fields": [{"name": "name", "type": "text"}]},
  {"name": "purchase", "fields": [
    {"name": "batch_id", "type": "lookup", "reference": "batch", "on_delete": "cascade"},
    {"name": "line_count", "type": "number", "rollup": {"object": "line", "via": "purchase_id", "function": "count"}}
  ]},
  {"name": "bucket", "fields": [
    {"name": "line_count", "type": "number", "rollup": {"object": "line", "via": "bucket_id", "function": "count"}},
    {"name": "total", "type": "currency", "scale": 2,
     "rollup": {"object": "line", "via": "bucket_id", "function": "sum", "field": "amount"}},
    {"name": "tagged_total", "type": "currency", "scale": 2,
     "rollup": {"object": "line", "via": "bucket_id", "function": "sum", "field": "amount", "filter": "NOT(ISBLANK(tag_id))"}},
    {"name": "max_amount", "type": "currency", "scale": 2,
     "rollup": {"object": "line", "via": "bucket_id", "function": "max", "field": "amount"}}
  ]},
  {"name": "tag", "fields": [{"name": "name", "type": "text"}]},
  {"name": "line", "fields": [
    {"name": "purchase_id", "type": "lookup", "reference": "purchase", "on_delete": "cascade"},
    {"name": "bucket_id", "type": "lookup", "reference": "bucket", "on_delete": "set_null"},
    {"name": "tag_id", "type": "lookup", "reference": "tag", "on_delete": "set_null"},
    {"name": "amount", "type": "currency", "scale": 2}
  ]}
])json";

struct BucketExpected {
  std::int64_t count = 0;
  Decimal total = Decimal::from_int(0), tagged = Decimal::from_int(0);
  std::optional<Decimal> max;
};

/// Every bucket's and purchase's roll-ups, recomputed from the stored lines, compared with the stored ones.
void check_cascade_rollups(Database& db) {
  std::map<std::string, BucketExpected> buckets;
  std::map<std::string, std::int64_t> purchases;
  auto bucket_rows = db.query({.object = "bucket", .fields = {"id"}});
  for (std::size_t r = 0; r < bucket_rows.size(); ++r) buckets[bucket_rows.rows.at(r, 0).as_string()];
  auto purchase_rows = db.query({.object = "purchase", .fields = {"id"}});
  for (std::size_t r = 0; r < purchase_rows.size(); ++r) purchases[purchase_rows.rows.at(r, 0).as_string()];
  auto lines = db.query({.object = "line", .fields = {"purchase_id", "bucket_id", "tag_id", "amount"}});
  for (std::size_t r = 0; r < lines.size(); ++r) {
    if (!lines.rows.at(r, 0).is_null()) ++purchases.at(lines.rows.at(r, 0).as_string());
    if (lines.rows.at(r, 1).is_null()) continue;
    BucketExpected& e = buckets.at(lines.rows.at(r, 1).as_string());
    ++e.count;
    if (const Value& amount = lines.rows.at(r, 3); !amount.is_null()) {
      e.total = e.total + amount.as_decimal();
      if (!lines.rows.at(r, 2).is_null()) e.tagged = e.tagged + amount.as_decimal();
      if (!e.max || *e.max < amount.as_decimal()) e.max = amount.as_decimal();
    }
  }
  for (const auto& [id, e] : buckets) {
    CAPTURE(id);
    auto stored = db.get("bucket", id);
    CHECK(stored.at("line_count") == Value(e.count));
    CHECK(stored.at("total").as_decimal() == e.total);
    CHECK(stored.at("tagged_total").as_decimal() == e.tagged);
    CHECK(stored.at("max_amount") == (e.max ? Value(*e.max) : Value{}));
  }
  for (const auto& [id, count] : purchases) CHECK(db.get("purchase", id).at("line_count") == Value(count));
}

}  // namespace

TEST_CASE("roll-ups of other parents follow cascading and detaching deletes" * doctest::test_suite("rollup")) {
  test::TempDir dir;
  OpenOptions options = test::test_options();
  options.catalog = Catalog::from_json(kCascadeCatalog, "cascades");
  Database db = Database::open(dir.file("cascades.db"), options);
  std::mt19937 random(23);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % static_cast<unsigned>(n)); };
  std::vector<std::string> batches, purchases, buckets, tags, lines;
  auto alive = [&](const std::string& object, std::vector<std::string>& ids) {
    std::erase_if(ids, [&](const std::string& id) { return !db.find(object, id); });
  };
  auto any_of = [&](const std::vector<std::string>& ids, bool allow_null) {
    return ids.empty() || (allow_null && pick(5) == 0) ? Value{} : Value(ids[pick(ids.size())]);
  };
  for (int i = 0; i < 3; ++i) buckets.push_back(db.insert("bucket", {}));
  int cascades = 0, detaches = 0;
  for (int step = 0; step < 400; ++step) {
    // Keep parents available: deletes below take them away.
    if (batches.size() < 2) batches.push_back(db.insert("batch", {{"name", "B"}}));
    if (purchases.size() < 4) purchases.push_back(db.insert("purchase", {{"batch_id", batches[pick(batches.size())]}}));
    if (tags.size() < 2) tags.push_back(db.insert("tag", {{"name", "T"}}));
    if (buckets.size() < 2) buckets.push_back(db.insert("bucket", {}));
    const std::size_t action = lines.empty() ? 0 : pick(20);
    auto random_amount = [&] { return pick(6) ? Value(Decimal::parse(std::to_string(pick(500)) + "." + std::to_string(10 + pick(90)))) : Value{}; };
    if (action < 7) {
      lines.push_back(db.insert("line", {{"purchase_id", purchases[pick(purchases.size())]}, {"bucket_id", any_of(buckets, true)},
                                         {"tag_id", any_of(tags, true)}, {"amount", random_amount()}}));
    } else if (action < 9) {
      db.update("line", lines[pick(lines.size())], {{"amount", random_amount()}});
    } else if (action < 11) {  // re-parent: another purchase, bucket or tag
      const auto& line = lines[pick(lines.size())];
      switch (pick(3)) {
        case 0: db.update("line", line, {{"purchase_id", purchases[pick(purchases.size())]}}); break;
        case 1: db.update("line", line, {{"bucket_id", any_of(buckets, true)}}); break;
        default: db.update("line", line, {{"tag_id", any_of(tags, true)}}); break;
      }
    } else if (action < 13) {
      const auto index = pick(lines.size());
      db.remove("line", lines[index]);
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(index));
    } else if (action < 15) {  // cascade: the purchase's lines go
      const auto index = pick(purchases.size());
      db.remove("purchase", purchases[index]);
      purchases.erase(purchases.begin() + static_cast<std::ptrdiff_t>(index));
      ++cascades;
    } else if (action < 16) {  // two levels of cascade: batch -> purchases -> lines
      const auto index = pick(batches.size());
      db.remove("batch", batches[index]);
      batches.erase(batches.begin() + static_cast<std::ptrdiff_t>(index));
      alive("purchase", purchases);
      ++cascades;
    } else if (action < 17) {  // set_null: tagged totals of the buckets change
      const auto index = pick(tags.size());
      db.remove("tag", tags[index]);
      tags.erase(tags.begin() + static_cast<std::ptrdiff_t>(index));
      ++detaches;
    } else if (action < 18) {  // set_null of the roll-up's own lookup: the bucket goes, its lines stay
      const auto index = pick(buckets.size());
      db.remove("bucket", buckets[index]);
      buckets.erase(buckets.begin() + static_cast<std::ptrdiff_t>(index));
    } else {
      RecordBatch batch({"purchase_id", "bucket_id", "tag_id", "amount"});
      for (int k = 0; k < 4; ++k)
        batch.add_row({purchases[pick(purchases.size())], any_of(buckets, true), any_of(tags, true), random_amount()});
      auto report = db.import_records("line", batch);
      lines.insert(lines.end(), report.ids.begin(), report.ids.end());
    }
    alive("line", lines);
    if (step % 20 == 0) check_cascade_rollups(db);
  }
  check_cascade_rollups(db);
  CHECK(cascades > 20);
  CHECK(detaches > 5);
}

TEST_CASE("a cascade whose bucket roll-up no longer fits is refused as a whole" * doctest::test_suite("rollup")) {
  // A bucket's total may not go below zero: deleting the purchase of the positive line would leave
  // it at -60, so the delete and its cascade are refused, and nothing changes.
  test::TempDir dir;
  OpenOptions options = test::test_options();
  options.catalog = Catalog::from_json(R"json([
    {"name": "purchase", "fields": [{"name": "title", "type": "text"}]},
    {"name": "bucket", "fields": [{"name": "total", "type": "currency", "scale": 2, "min": 0,
       "rollup": {"object": "line", "via": "bucket_id", "function": "sum", "field": "amount"}}]},
    {"name": "line", "fields": [
      {"name": "purchase_id", "type": "lookup", "reference": "purchase", "on_delete": "cascade"},
      {"name": "bucket_id", "type": "lookup", "reference": "bucket"},
      {"name": "amount", "type": "currency", "scale": 2}]}])json", "fits");
  Database db = Database::open(dir.file("fits.db"), options);
  auto bucket = db.insert("bucket", {});
  auto credit = db.insert("purchase", {{"title", "credit"}});
  auto debit = db.insert("purchase", {{"title", "debit"}});
  db.insert("line", {{"purchase_id", credit}, {"bucket_id", bucket}, {"amount", Decimal::parse("100")}});
  db.insert("line", {{"purchase_id", debit}, {"bucket_id", bucket}, {"amount", Decimal::parse("-60")}});
  CHECK(db.get("bucket", bucket).at("total").as_decimal() == Decimal::parse("40"));
  auto before = test::dump_database(dir.file("fits.db"));
  CHECK(test::rejection_codes([&] { db.remove("purchase", credit); }) == std::vector<std::string>{"total:rollup"});
  CHECK(test::dump_database(dir.file("fits.db")) == before);
  db.remove("purchase", debit);  // the other way round fits
  CHECK(db.get("bucket", bucket).at("total").as_decimal() == Decimal::parse("100"));
}
