// The sample-data generator against real SQLite files: every standard object gets valid,
// referentially consistent records; one more generated record of each object inserts and its
// invalid variants are refused for the right reason; the same seed gives the same data; roll-ups
// equal their recomputation; objects of a user's own catalog get records too.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "hotcrm/hotcrm.hpp"
#include "hotcrm/sample.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using hotcrm::test::TempDir;

namespace {

const DateTime demo_now = DateTime::parse("2026-01-15T09:00:00Z");

Database open_database(const std::filesystem::path& path, Catalog catalog = Catalog::standard()) {
  OpenOptions options;
  options.catalog = std::move(catalog);
  options.clock = fixed_clock(demo_now);
  options.id_seed = 12345;
  return Database::open(path, options);
}

struct LoadedDatabase {
  TempDir dir;
  Database db;
  std::vector<sample::LoadedObject> loaded;
  explicit LoadedDatabase(std::uint64_t seed) : db(open_database(dir.file("sample.db"))) {
    sample::SampleDataOptions options;
    options.seed = seed;
    options.batch_rows = 700;  // several batches per large object, as at higher scales
    loaded = sample::load_sample_data(db, options);
  }
};

/// One database loaded at scale 1 with seed 7, shared by the tests that only read it.
LoadedDatabase& shared_database() {
  static LoadedDatabase loaded(7);
  return loaded;
}

/// Every stored field of every record, ids included, in insertion order: a dump to compare runs.
std::string dump(Database& db) {
  std::string text;
  for (const ObjectDef& object : db.catalog().objects()) {
    Query query;
    query.object = object.name;
    query.fields = {"id"};
    for (const FieldDef& field : object.fields) {
      if (field.is_stored()) query.fields.push_back(field.name);
    }
    const QueryResult result = db.query(query);
    for (std::size_t row = 0; row < result.size(); ++row) {
      text += object.name;
      for (const Value& value : result.rows.row(row)) text += '|' + value.to_json();
      text += '\n';
    }
  }
  return text;
}

bool has_error(const ValidationError& error, const std::string& field, const std::string& code) {
  for (const FieldError& problem : error.errors()) {
    if (problem.field == field && problem.code == code) return true;
  }
  return false;
}

/// Inserting `record` is refused with `code` on `field`.
void check_refused(Database& db, const std::string& object, const Record& record, const std::string& field,
                   const std::string& code) {
  INFO(object << "." << field << " expecting " << code);
  try {
    db.insert(object, record);
    FAIL("the invalid record was inserted");
  } catch (const ValidationError& error) {
    CHECK(error.code() == ErrorCode::validation);
    std::string problems;
    for (const FieldError& problem : error.errors()) problems += to_string(problem) + "; ";
    INFO("problems: " << problems);
    CHECK(has_error(error, field, code));
  }
}

Value too_small(const FieldDef& field) {
  const double below = *field.min - 1;
  if (field.is_decimal()) return Decimal::from_double(below, field.scale);
  if (field.is_integer()) return static_cast<std::int64_t>(below);
  return below;
}

Value too_large(const FieldDef& field) {
  const double above = *field.max + 1;
  if (field.is_decimal()) return Decimal::from_double(above, field.scale);
  if (field.is_integer()) return static_cast<std::int64_t>(above);
  return above;
}

double number_of(const Value& value) { return value.is_null() ? 0.0 : value.as_double(); }

}  // namespace

TEST_SUITE("sample") {

TEST_CASE("every standard object receives valid records") {
  LoadedDatabase& shared = shared_database();
  Database& db = shared.db;
  REQUIRE(shared.loaded.size() == db.catalog().objects().size());
  std::set<std::string> loaded_objects;
  for (const sample::LoadedObject& step : shared.loaded) {
    INFO(step.object);
    loaded_objects.insert(step.object);
    CHECK(step.rows > 0);
    CHECK(step.rejected == 0);
    CHECK(step.rows == sample::record_count(db.catalog(), step.object, 1));
    CHECK(db.count(step.object) == step.rows);
    // The rules hold for the stored records too (formulas re-evaluated by the store).
    CHECK(db.validate_stored(step.object).empty());
  }
  CHECK(loaded_objects.size() == 72);
  CHECK(db.count("account") == 100);
  CHECK(db.count("opportunity") == 200);
  CHECK(db.count("quote_line_item") == 300);
}

TEST_CASE("lookups point at stored records and follow their parents") {
  Database& db = shared_database().db;
  for (const ObjectDef& object : db.catalog().objects()) {
    for (const FieldDef& field : object.fields) {
      if (!field.is_reference()) continue;
      INFO(object.name << "." << field.name << " -> " << field.reference);
      // A lookup whose target record does not exist reads as a null name through the path.
      CHECK(db.count(object.name, parse_where(field.name + " IS NOT NULL AND " + field.name + ".id IS NULL")) == 0);
    }
  }
  // Consistency across lookups: a record's contact works at the record's account.
  CHECK(db.count("opportunity", Filter::formula("AND(NOT(ISBLANK(contact_id)), contact_id.account_id <> account_id)")) == 0);
  CHECK(db.count("support_case", Filter::formula("AND(NOT(ISBLANK(contact_id)), contact_id.account_id <> account_id)")) == 0);
  CHECK(db.count("quote", Filter::formula("opportunity_id.account_id <> account_id")) == 0);
  CHECK(db.count("payment", Filter::formula("contract_id.account_id <> account_id")) == 0);
  CHECK(db.count("quote_line_item", Filter::formula("pricebook_entry_id.pricebook_id <> quote_id.pricebook_id")) == 0);
  CHECK(db.count("employee", Filter::formula("position_id.department_id <> department_id")) == 0);
  // Every contact has an account; some accounts have a parent account.
  CHECK(db.count("contact", parse_where("account_id IS NULL")) == 0);
  CHECK(db.count("account", parse_where("parent_id IS NOT NULL")) > 0);
}

TEST_CASE("business flows are realistic") {
  Database& db = shared_database().db;
  // Quotes exist only for deals that reached a proposal; accepted ones belong to won deals.
  CHECK(db.count("quote", parse_where("opportunity_id.stage IN ('prospecting', 'qualification', 'needs_analysis')")) == 0);
  CHECK(db.count("quote", parse_where("status = 'accepted' AND opportunity_id.stage != 'closed_won'")) == 0);
  CHECK(db.count("quote", parse_where("subtotal > 0")) > 0);
  CHECK(db.count("contract", parse_where("status = 'activated'")) > 0);
  CHECK(db.count("invoice", parse_where("total_amount > 0")) > 0);
  CHECK(db.count("payment", parse_where("status = 'received'")) > 0);
  CHECK(db.count("support_case", parse_where("status = 'closed' AND resolution IS NULL")) == 0);
  CHECK(db.count("employee", parse_where("employment_status = 'terminated' AND termination_date IS NULL")) == 0);
  CHECK(db.count("lead", parse_where("email IS NULL")) == 0);
}

TEST_CASE("roll-ups equal their recomputation from the children") {
  Database& db = shared_database().db;
  int rollups = 0;
  for (const ObjectDef& parent : db.catalog().objects()) {
    for (const FieldDef& field : parent.fields) {
      if (!field.rollup) continue;
      ++rollups;
      const Rollup& rollup = *field.rollup;
      INFO(parent.name << "." << field.name);
      // Recomputed here from the children (formula fields included), not by the store's aggregates.
      Query children{.object = rollup.object,
                     .filter = rollup.filter.empty() ? Filter::all() : Filter::formula(rollup.filter),
                     .fields = {rollup.via}};
      if (rollup.function != "count") children.fields.push_back(rollup.field);
      std::map<std::string, std::vector<double>> values_by_parent;
      const QueryResult rows = db.query(children);
      for (std::size_t row = 0; row < rows.size(); ++row) {
        const Value& parent_id = rows.rows.at(row, 0);
        if (parent_id.is_null()) continue;
        auto& values = values_by_parent[parent_id.as_string()];
        if (rollup.function == "count") values.push_back(1);
        else if (!rows.rows.at(row, 1).is_null()) values.push_back(rows.rows.at(row, 1).as_double());
      }
      std::map<std::string, double> recomputed;
      for (const auto& [parent_id, values] : values_by_parent) {
        double result = 0;
        if (rollup.function == "min") result = *std::min_element(values.begin(), values.end());
        else if (rollup.function == "max") result = *std::max_element(values.begin(), values.end());
        else for (double value : values) result += value;
        if (rollup.function == "avg" && !values.empty()) result /= static_cast<double>(values.size());
        recomputed[parent_id] = result;
      }
      const QueryResult stored = db.query({.object = parent.name, .fields = {"id", field.name}});
      int nonzero = 0;
      for (std::size_t row = 0; row < stored.size(); ++row) {
        const auto found = recomputed.find(stored.rows.at(row, 0).as_string());
        const double expected = found == recomputed.end() ? 0.0 : found->second;
        const double actual = number_of(stored.rows.at(row, 1));
        CHECK(std::abs(actual - expected) < 0.005);
        if (actual != 0) ++nonzero;
      }
      CHECK(nonzero > 0);
    }
  }
  CHECK(rollups >= 3);
}

TEST_CASE("one more generated record of every object inserts, its invalid variants are refused") {
  LoadedDatabase loaded(11);
  Database& db = loaded.db;
  std::map<std::string, int> refused_by_code;
  for (const ObjectDef& object : db.catalog().objects()) {
    INFO(object.name);
    const Record valid = sample::generate_record(db, object.name, 99);
    int variants = 0;
    for (const FieldDef& field : object.fields) {
      if (field.required && !field.default_value && !field.read_only && field.is_stored() &&
          field.type != FieldType::autonumber && variants < 1) {
        Record missing = valid;
        missing.erase(field.name);
        check_refused(db, object.name, missing, field.name, "required");
        ++refused_by_code["required"];
        ++variants;
      }
    }
    for (const FieldDef& field : object.fields) {
      if (field.read_only || !field.is_stored()) continue;
      if (field.type == FieldType::select) {
        Record bad = valid;
        bad[field.name] = "not_an_option";
        check_refused(db, object.name, bad, field.name, "picklist");
        ++refused_by_code["picklist"];
        ++variants;
        break;
      }
    }
    for (const FieldDef& field : object.fields) {
      if (field.read_only || !field.is_stored() || (!field.min && !field.max)) continue;
      Record bad = valid;
      bad[field.name] = field.max ? too_large(field) : too_small(field);
      check_refused(db, object.name, bad, field.name, field.max ? "max" : "min");
      ++refused_by_code[field.max ? "max" : "min"];
      ++variants;
      break;
    }
    for (const FieldDef& field : object.fields) {
      if (field.read_only || !field.max_length || field.type == FieldType::email || field.type == FieldType::url ||
          field.type == FieldType::phone)
        continue;
      Record bad = valid;
      bad[field.name] = std::string(static_cast<std::size_t>(*field.max_length) + 1, 'x');
      check_refused(db, object.name, bad, field.name, "max_length");
      ++refused_by_code["max_length"];
      ++variants;
      break;
    }
    CHECK(variants >= 1);
    // The valid record itself inserts (after its variants, so that its unique values are still free).
    std::string id;
    CHECK_NOTHROW(id = db.insert(object.name, valid));
    CHECK(db.find(object.name, id).has_value());
  }
  CHECK(refused_by_code["required"] >= 70);
  CHECK(refused_by_code["picklist"] >= 60);
  CHECK(refused_by_code["max"] + refused_by_code["min"] >= 5);
  CHECK(refused_by_code["max_length"] >= 60);
}

TEST_CASE("a rule the generated record breaks is refused with the rule's field") {
  Database& db = shared_database().db;
  Record contract = sample::generate_record(db, "contract", 5);
  contract["end_date"] = Date{contract.at("start_date").as_date().days - 1};
  try {
    db.insert("contract", contract);
    FAIL("an end before the start was accepted");
  } catch (const ValidationError& error) {
    REQUIRE(!error.errors().empty());
    CHECK(error.errors().front().rule == "end_not_before_start");
    CHECK(error.errors().front().field == "end_date");
  }
}

TEST_CASE("generate_records makes a batch of valid records of one object, repeatably") {
  Database& db = shared_database().db;
  auto same = [](const RecordBatch& a, const RecordBatch& b) {
    if (a.fields() != b.fields() || a.row_count() != b.row_count()) return false;
    for (std::size_t row = 0; row < a.row_count(); ++row)
      for (std::size_t field = 0; field < a.field_count(); ++field)
        if (!(a.at(row, field) == b.at(row, field))) return false;
    return true;
  };
  const RecordBatch deals = sample::generate_records(db, "opportunity", 300, 11);
  REQUIRE(deals.row_count() == 300);
  CHECK(same(deals, sample::generate_records(db, "opportunity", 300, 11)));  // same seed, same stored data
  CHECK_FALSE(same(deals, sample::generate_records(db, "opportunity", 300, 12)));
  // Every deal points at a stored account and is valid: an import in abort mode keeps them all (in a
  // transaction rolled back, so the shared database stays as loaded).
  const auto account = static_cast<std::size_t>(
      std::find(deals.fields().begin(), deals.fields().end(), "account_id") - deals.fields().begin());
  REQUIRE(account < deals.field_count());
  for (std::size_t row = 0; row < deals.row_count(); ++row)
    CHECK(db.find("account", deals.at(row, account).as_string()).has_value());
  {
    Transaction transaction = db.begin();
    CHECK(db.import_records("opportunity", deals).inserted == 300);
    transaction.rollback();
  }
  // With nothing stored to point at, optional lookups stay empty and the records are still valid.
  TempDir dir;
  Database empty = Database::open(dir.file("empty.db"));
  const RecordBatch leads = sample::generate_records(empty, "lead", 50, 3);
  CHECK(empty.import_records("lead", leads).inserted == 50);
  CHECK(sample::generate_records(empty, "lead", 0).row_count() == 0);
  CHECK_THROWS_AS(sample::generate_records(empty, "lead", -1), UsageError);
  CHECK_THROWS_AS(sample::generate_records(empty, "no_such_object", 1), SchemaError);
}

/// The first line where two dumps differ ("" when they are equal), to keep failures readable.
std::string first_difference(const std::string& left, const std::string& right) {
  std::size_t start = 0;
  while (start < left.size() && start < right.size()) {
    const std::size_t left_end = left.find('\n', start);
    const std::size_t right_end = right.find('\n', start);
    if (left.compare(start, left_end - start, right, start, right_end - start) != 0)
      return left.substr(start, left_end - start) + "\n  vs\n" + right.substr(start, right_end - start);
    start = left_end + 1;
  }
  return left.size() == right.size() ? "" : "one dump is longer";
}

TEST_CASE("the same seed gives the same records, another seed others") {
  LoadedDatabase first(21);
  LoadedDatabase second(21);
  const std::string first_dump = dump(first.db);
  const std::string second_dump = dump(second.db);
  CHECK(first_dump.size() > 100'000);
  CHECK(first_difference(first_dump, second_dump) == "");
  CHECK(std::hash<std::string>{}(first_dump) == std::hash<std::string>{}(second_dump));
  TempDir dir;
  Database other = open_database(dir.file("other.db"), Catalog::standard(std::vector<std::string>{"crm"}));
  sample::SampleDataOptions options;
  options.seed = 22;
  sample::load_sample_data(other, options);
  CHECK(dump(other) != first_dump);
}

TEST_CASE("objects of a user's own catalog get valid records from their metadata") {
  const char* custom_json = R"json([
    {"name": "vehicle", "label": "Vehicle", "fields": [
      {"name": "registration", "type": "text", "required": true, "unique": true, "max_length": 12},
      {"name": "account_id", "type": "lookup", "reference": "account", "required": true, "on_delete": "cascade"},
      {"name": "contact_id", "type": "lookup", "reference": "contact"},
      {"name": "kind", "type": "select", "required": true,
       "options": [{"value": "car", "label": "Car"}, {"value": "van", "label": "Van"}, {"value": "truck", "label": "Truck"}]},
      {"name": "seats", "type": "number", "min": 1, "max": 9},
      {"name": "mileage", "type": "number", "precision": 7},
      {"name": "list_price", "type": "currency", "min": 0},
      {"name": "first_registered", "type": "date"},
      {"name": "retired", "type": "date"},
      {"name": "retired_reason", "type": "textarea", "max_length": 200},
      {"name": "replaces_id", "type": "lookup", "reference": "vehicle"}
    ],
    "validation_rules": [
      {"name": "retired_after_registration", "condition": "retired < first_registered", "error_field": "retired",
       "message": "A vehicle retires after its registration"},
      {"name": "retired_needs_reason", "condition": "AND(NOT(ISBLANK(retired)), ISBLANK(retired_reason))",
       "error_field": "retired_reason", "message": "Say why the vehicle retired"},
      {"name": "vans_seat_few", "condition": "AND(ISPICKVAL(kind, 'van'), seats > 3)", "error_field": "seats",
       "message": "A van seats three"}
    ]},
    {"name": "service_visit", "fields": [
      {"name": "vehicle_id", "type": "master_detail", "reference": "vehicle"},
      {"name": "started", "type": "datetime", "required": true},
      {"name": "finished", "type": "datetime", "required": true},
      {"name": "cost", "type": "currency", "required": true}
    ],
    "validation_rules": [{"name": "finished_after_start", "condition": "finished < started", "error_field": "finished",
                          "message": "A visit finishes after it starts"}]}
  ])json";
  // The user's objects point to standard ones: parsed, then validated together with them.
  std::vector<CatalogIssue> issues;
  std::vector<ObjectDef> objects = Catalog::standard(std::vector<std::string>{"crm"}).objects();
  for (ObjectDef& object : Catalog::parse_objects(custom_json, "custom.json", issues)) objects.push_back(std::move(object));
  REQUIRE(issues.empty());
  TempDir dir;
  Database db = open_database(dir.file("custom.db"), Catalog::from_objects(std::move(objects)));
  const auto loaded = sample::load_sample_data(db);
  std::map<std::string, sample::LoadedObject> by_object;
  for (const auto& step : loaded) by_object[step.object] = step;
  CHECK(by_object.at("vehicle").rows == 300);         // three per account (100), the object it belongs to
  CHECK(by_object.at("service_visit").rows == 900);  // three per vehicle
  for (const auto& step : loaded) {
    INFO(step.object);
    CHECK(step.rejected == 0);
    CHECK(db.validate_stored(step.object).empty());
  }
  const auto order = sample::load_order(db.catalog());
  const auto position = [&](const std::string& object) { return std::find(order.begin(), order.end(), object) - order.begin(); };
  CHECK(position("account") < position("vehicle"));
  CHECK(position("vehicle") < position("service_visit"));
  CHECK(db.count("vehicle", Filter::formula("AND(NOT(ISBLANK(contact_id)), contact_id.account_id <> account_id)")) == 0);
  CHECK(db.count("vehicle", parse_where("replaces_id IS NOT NULL")) > 0);
}

}  // TEST_SUITE
