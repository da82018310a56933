// import_file / import_stream / export_records against a real database file.

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hotcrm/error.hpp"
#include "hotcrm/io/text_import.hpp"
#include "hotcrm/model/catalog.hpp"
#include "hotcrm/store/database.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;

namespace {

constexpr const char* widget_catalog = R"({"name": "widget", "label": "Widget", "plural_label": "Widgets", "fields": [
  {"name": "name", "type": "text", "label": "Name", "required": true, "max_length": 20},
  {"name": "qty", "type": "number", "label": "Quantity"},
  {"name": "price", "type": "currency", "label": "Price"},
  {"name": "active", "type": "boolean", "label": "Active", "default": true},
  {"name": "tags", "type": "multiselect", "label": "Tags",
   "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
  {"name": "sku", "type": "text", "label": "SKU", "unique": true, "max_length": 20}
]})";

struct WidgetDb {
  test::TempDir dir;
  Database db = open(dir);

  static Database open(const test::TempDir& folder) {
    OpenOptions options;
    options.catalog = Catalog::from_json(widget_catalog);
    options.clock = fixed_clock(DateTime::parse("2024-05-01T12:00:00Z"));
    options.id_seed = 7;
    return Database::open(folder.file("widgets.db"), std::move(options));
  }

  ImportReport import(const std::string& text, TextFormat format, const ImportOptions& options = {}) {
    std::istringstream input(text);
    return import_stream(db, "widget", input, format, options);
  }

  std::int64_t count() { return db.count("widget"); }

  /// name -> field value, for the widget with that name.
  Value field_of(const std::string& name, const std::string& field) {
    Query query;
    query.object = "widget";
    query.filter = Filter::compare("name", CompareOp::eq, name);
    query.fields = {field};
    QueryResult result = db.query(query);
    REQUIRE(result.size() == 1);
    return result.rows.at(0, 0);
  }
};

std::vector<std::int64_t> rows_of(const std::vector<FieldError>& errors) {
  std::vector<std::int64_t> rows;
  for (const FieldError& error : errors) rows.push_back(error.row);
  return rows;
}

const FieldError* find_code(const std::vector<FieldError>& errors, std::string_view code) {
  for (const FieldError& error : errors) {
    if (error.code == code) return &error;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("import CSV: values are coerced and empty cells are null") {
  WidgetDb w;
  ImportReport report = w.import("name,qty,price,active,tags\n"
                                 "bolt,10,19.99,true,a;b\n"
                                 "nut,,0.05,false,\n",
                                 TextFormat::csv);
  CHECK(report.inserted == 2);
  CHECK(report.ids.size() == 2);
  CHECK(report.rejected.empty());
  CHECK(w.count() == 2);
  CHECK(w.field_of("bolt", "qty") == Value(10));
  CHECK(w.field_of("bolt", "price") == Value(Decimal(1999, 2)));
  CHECK(w.field_of("bolt", "tags") == Value(StringList{"a", "b"}));
  CHECK(w.field_of("nut", "qty").is_null());
  CHECK(w.field_of("nut", "active") == Value(false));
  CHECK(w.db.get("widget", report.ids[0]).at("name") == Value("bolt"));
}

TEST_CASE("import CSV: header with a byte order mark, CRLF and spaces around names") {
  WidgetDb w;
  ImportReport report = w.import("\xEF\xBB\xBF name , qty\r\n\"multi\nline\",3\r\n", TextFormat::csv);
  CHECK(report.inserted == 1);
  CHECK(w.field_of("multi\nline", "qty") == Value(3));
}

TEST_CASE("import CSV: skip mode reports bad lines by file line and goes on") {
  WidgetDb w;
  ImportOptions options;
  options.on_error = OnError::skip;
  ImportReport report = w.import("name,qty,sku\n"                        // line 1
                                 "ok1,1,s1\n"                            // 2
                                 "too,many,cells,here\n"                 // 3
                                 "\"bad\"quote,2,s2\n"                   // 4
                                 "\n"                                    // 5 (blank: skipped)
                                 "a-name-much-longer-than-twenty,3,s3\n" // 6 (max_length)
                                 "\"two\nlines\",4,s4\n"                 // 7-8
                                 "ok2,five,s5\n"                         // 9 (type)
                                 "dup,6,s1\n"                            // 10 (unique)
                                 "ok3,7,s7\n",                           // 11
                                 TextFormat::csv, options);
  CHECK(report.inserted == 3);
  CHECK(report.ids.size() == 3);
  CHECK(w.count() == 3);
  CHECK(report.rejected_rows() == 5);
  std::vector<std::int64_t> rows = rows_of(report.rejected);
  CHECK(rows == std::vector<std::int64_t>{3, 4, 6, 9, 10});
  const FieldError* cells = find_code(report.rejected, "csv");
  REQUIRE(cells != nullptr);
  CHECK(cells->object == "widget");
  CHECK(cells->field.empty());
  CHECK(cells->message == "the line has 4 cells but the header has 3");
  CHECK(report.rejected[1].code == "csv");
  CHECK(report.rejected[1].message.find("after a closing quote") != std::string::npos);
  CHECK(report.rejected[2].field == "name");
  CHECK(report.rejected[3].field == "qty");
  CHECK(w.field_of("two\nlines", "qty") == Value(4));
}

TEST_CASE("import CSV: abort mode writes nothing and lists every problem by line") {
  WidgetDb w;
  try {
    w.import("name,qty\nok,1\nbroken\nthis-name-is-far-too-long-for-it,2\nok2,2\n", TextFormat::csv);
    FAIL("expected a ValidationError");
  } catch (const ValidationError& error) {
    CHECK(rows_of(error.errors()) == std::vector<std::int64_t>{3, 4});
    CHECK(error.errors()[0].code == "csv");
  }
  CHECK(w.count() == 0);
}

TEST_CASE("import CSV: a malformed header stops the import") {
  WidgetDb w;
  CHECK_THROWS_AS(w.import("name,,qty\nx,,1\n", TextFormat::csv), Error);
  CHECK_THROWS_WITH_AS(w.import("name,qty,name\n", TextFormat::csv),
                       doctest::Contains("column 'name' appears twice"), Error);
  CHECK(w.import("", TextFormat::csv).inserted == 0);
  CHECK(w.count() == 0);
}

TEST_CASE("import JSONL: exact numbers, lists, and missing keys take defaults") {
  WidgetDb w;
  ImportOptions options;
  options.on_error = OnError::skip;
  ImportReport report = w.import(R"({"name": "bolt", "qty": 10, "price": 19.99, "tags": ["a", "b"]}
{"name": "nut", "qty": 3, "price": 0.1, "tags": ["b"]}

{"name": "washer", "active": false, "price": 1e2}
["not", "an", "object"]
{"name": "gear", "qty": 1, "nested": {"x": 1}}
{"name": "cog", "price": null}
{"name": "broken"
{}
{"name": "spring", "qty": 4, "tags": [1]}
)",
                                 TextFormat::jsonl, options);
  CHECK(report.inserted == 4);
  CHECK(rows_of(report.rejected) == std::vector<std::int64_t>{5, 6, 8, 9, 10});
  for (const FieldError& error : report.rejected) CHECK(error.code == "json");
  CHECK(report.rejected[0].message == "a line must hold one JSON object");
  CHECK(report.rejected[1].message.find("nested objects") != std::string::npos);
  CHECK(report.rejected[2].message.find("invalid JSON") != std::string::npos);
  CHECK(w.field_of("bolt", "price") == Value(Decimal(1999, 2)));
  CHECK(w.field_of("nut", "price") == Value(Decimal(10, 2)));
  CHECK(w.field_of("washer", "price") == Value(Decimal(10000, 2)));
  CHECK(w.field_of("bolt", "tags") == Value(StringList{"a", "b"}));
  CHECK(w.field_of("bolt", "active") == Value(true));  // missing key: the default applies
  CHECK(w.field_of("washer", "active") == Value(false));
  CHECK(w.field_of("cog", "price").is_null());
}

TEST_CASE("import JSONL: abort mode numbers rejected rows by line") {
  WidgetDb w;
  try {
    w.import("{\"name\": \"a\"}\n{\"qty\": 1}\nnot json\n", TextFormat::jsonl);
    FAIL("expected a ValidationError");
  } catch (const ValidationError& error) {
    CHECK(rows_of(error.errors()) == std::vector<std::int64_t>{2, 3});
    CHECK(error.errors()[0].field == "name");
  }
  CHECK(w.count() == 0);
}

TEST_CASE("import: chunks, progress and cancellation") {
  WidgetDb w;
  std::string csv = "name,qty\n";
  for (int i = 0; i < 5; ++i) csv += "w" + std::to_string(i) + "," + std::to_string(i) + "\n";

  ImportOptions options;
  options.chunk_rows = 2;
  std::vector<std::int64_t> done;
  options.on_progress = [&](const Progress& progress) {
    CHECK(progress.phase == "import");
    CHECK(progress.total == -1);
    done.push_back(progress.done);
    return true;
  };
  ImportReport report = w.import(csv, TextFormat::csv, options);
  CHECK(report.inserted == 5);
  CHECK(report.ids.size() == 5);
  CHECK(done == std::vector<std::int64_t>{2, 4, 5});

  WidgetDb fresh;
  options.on_progress = [](const Progress& progress) { return progress.done < 4; };
  try {
    fresh.import(csv, TextFormat::csv, options);
    FAIL("expected cancellation");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::cancelled);
  }
  CHECK(fresh.count() == 0);  // the whole import rolled back

  options.chunk_rows = 0;
  CHECK_THROWS_AS(fresh.import(csv, TextFormat::csv, options), UsageError);
}

TEST_CASE("import_file: files, missing files and named errors") {
  WidgetDb w;
  std::filesystem::path file = w.dir.file("widgets.csv");
  std::ofstream(file) << "name,qty\nfrom-file,1\n";
  CHECK(import_file(w.db, "widget", file, TextFormat::csv).inserted == 1);

  try {
    import_file(w.db, "widget", w.dir.file("missing.csv"), TextFormat::csv);
    FAIL("expected an io error");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::io);
    CHECK(std::string(error.what()).find("missing.csv") != std::string::npos);
  }

  std::filesystem::path bad = w.dir.file("bad.csv");
  std::ofstream(bad) << "name,name\n";
  CHECK_THROWS_WITH_AS(import_file(w.db, "widget", bad, TextFormat::csv), doctest::Contains("bad.csv"), Error);
}

TEST_CASE("export CSV and JSONL, and re-import") {
  WidgetDb w;
  w.import("name,qty,price,tags\n\"comma, name\",1,2.50,a;b\nplain,,0.10,\n", TextFormat::csv);

  Query query;
  query.object = "widget";
  query.fields = {"name", "qty", "price", "tags"};
  query.order_by = parse_order_by("name");

  std::ostringstream csv;
  CHECK(export_records(w.db, query, csv, TextFormat::csv) == 2);
  CHECK(csv.str() == "name,qty,price,tags\n\"comma, name\",1,2.50,a;b\nplain,,0.10,\n");

  std::ostringstream jsonl;
  CHECK(export_records(w.db, query, jsonl, TextFormat::jsonl) == 2);
  CHECK(jsonl.str() == "{\"name\":\"comma, name\",\"qty\":1,\"price\":\"2.50\",\"tags\":[\"a\",\"b\"]}\n"
                       "{\"name\":\"plain\",\"qty\":null,\"price\":\"0.10\",\"tags\":null}\n");

  WidgetDb copy;
  CHECK(copy.import(csv.str(), TextFormat::csv).inserted == 2);
  CHECK(copy.field_of("comma, name", "price") == Value(Decimal(250, 2)));
  WidgetDb json_copy;
  CHECK(json_copy.import(jsonl.str(), TextFormat::jsonl).inserted == 2);
  CHECK(json_copy.field_of("plain", "price") == Value(Decimal(10, 2)));

  std::ostringstream empty;
  query.filter = parse_where("name = 'nobody'");
  CHECK(export_records(w.db, query, empty, TextFormat::csv) == 0);
  CHECK(empty.str() == "name,qty,price,tags\n");
}

TEST_CASE("export pages through large results") {
  WidgetDb w;
  std::string csv = "name,qty\n";
  for (int i = 0; i < 10'050; ++i) csv += "w" + std::to_string(i) + "," + std::to_string(i) + "\n";
  REQUIRE(w.import(csv, TextFormat::csv).inserted == 10'050);

  Query query;
  query.object = "widget";
  query.fields = {"qty"};
  query.order_by = parse_order_by("qty");
  std::ostringstream out;
  CHECK(export_records(w.db, query, out, TextFormat::csv) == 10'050);
  std::string text = out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 10'051);
  CHECK(text.ends_with("\n10049\n"));

  query.limit = 10'020;
  query.offset = 10;
  std::ostringstream limited;
  CHECK(export_records(w.db, query, limited, TextFormat::csv) == 10'020);
  std::string limited_text = limited.str();
  CHECK(limited_text.starts_with("qty\n10\n"));
  CHECK(limited_text.ends_with("\n10029\n"));
}
