// CsvReader and write_csv_record, and text_format_from_string.

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "hotcrm/error.hpp"
#include "hotcrm/io/text_import.hpp"

using namespace hotcrm;
using Rows = std::vector<std::vector<std::string>>;

namespace {

Rows read_all(const std::string& text) {
  std::istringstream input(text);
  CsvReader reader(input);
  Rows rows;
  std::vector<std::string> fields;
  while (reader.next(fields)) rows.push_back(fields);
  return rows;
}

/// Reads every record, and the line each started on.
std::vector<std::int64_t> record_lines(const std::string& text) {
  std::istringstream input(text);
  CsvReader reader(input);
  std::vector<std::int64_t> lines;
  std::vector<std::string> fields;
  while (reader.next(fields)) lines.push_back(reader.record_line());
  return lines;
}

std::string csv_error(const std::string& text) {
  std::istringstream input(text);
  CsvReader reader(input);
  std::vector<std::string> fields;
  try {
    while (reader.next(fields)) {
    }
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::parse);
    return error.what();
  }
  FAIL_CHECK("read without error: ", text);
  return {};
}

std::string written(const Rows& rows) {
  std::ostringstream out;
  for (const auto& row : rows) write_csv_record(out, row);
  return out.str();
}

}  // namespace

TEST_CASE("CsvReader: plain records") {
  CHECK(read_all("a,b,c\n1,2,3\n") == Rows{{"a", "b", "c"}, {"1", "2", "3"}});
  CHECK(read_all("a,b\n1,2") == Rows{{"a", "b"}, {"1", "2"}});  // no final newline
  CHECK(read_all("a,,c,\n") == Rows{{"a", "", "c", ""}});
  CHECK(read_all(",\n") == Rows{{"", ""}});
  CHECK(read_all(" a , b \n") == Rows{{" a ", " b "}});  // spaces are data
  CHECK(read_all("").empty());
}

TEST_CASE("CsvReader: quoted fields") {
  CHECK(read_all("\"a,b\",\"say \"\"hi\"\"\"\n") == Rows{{"a,b", "say \"hi\""}});
  CHECK(read_all("\"\",x\n") == Rows{{"", "x"}});
  CHECK(read_all("\"line1\nline2\",z\nnext,row\n") == Rows{{"line1\nline2", "z"}, {"next", "row"}});
  CHECK(read_all("\"crlf\r\ninside\"\r\n") == Rows{{"crlf\r\ninside"}});
  CHECK(read_all("ab\"c,d\n") == Rows{{"ab\"c", "d"}});  // a quote inside an unquoted field is data
  CHECK(read_all("\"x\"") == Rows{{"x"}});
}

TEST_CASE("CsvReader: line ends, blank lines and the byte order mark") {
  CHECK(read_all("a,b\r\n1,2\r\n") == Rows{{"a", "b"}, {"1", "2"}});
  CHECK(read_all("a\r1\r") == Rows{{"a"}, {"1"}});  // classic Mac line ends
  CHECK(read_all("a\n\n\r\n1\n\n") == Rows{{"a"}, {"1"}});
  CHECK(read_all("\xEF\xBB\xBFname,x\nv,y\n") == Rows{{"name", "x"}, {"v", "y"}});
  CHECK(read_all("\xEF\xBB\xBF\"quoted\"\n") == Rows{{"quoted"}});
  // Something that only starts like a byte order mark is data.
  CHECK(read_all("\xEF\xBC\x8C,x\n") == Rows{{"\xEF\xBC\x8C", "x"}});
  CHECK(read_all("\xEF\xBB" "a\n") == Rows{{"\xEF\xBB" "a"}});
  CHECK(read_all("\xEF\n") == Rows{{"\xEF"}});
  // Only the first record may carry one.
  CHECK(read_all("a\n\xEF\xBB\xBF" "b\n") == Rows{{"a"}, {"\xEF\xBB\xBF" "b"}});
}

TEST_CASE("CsvReader: record_line counts physical lines") {
  CHECK(record_lines("h\n1\n\n2\n\"multi\nline\"\n3\n") == std::vector<std::int64_t>{1, 2, 4, 5, 7});
  CHECK(record_lines("h\r\n\"a\r\nb\"\r\nc\r\n") == std::vector<std::int64_t>{1, 2, 4});
}

TEST_CASE("CsvReader: errors name line and column") {
  CHECK(csv_error("a,b\n1,\"open\n2,3\n").find("CSV line 2, column 3: quoted field is never closed") !=
        std::string::npos);
  CHECK(csv_error("a,b\n\"x\"y,2\n").find("CSV line 2, column 4: unexpected 'y' after a closing quote") !=
        std::string::npos);
  CHECK(csv_error("\"x\" \n").find("line 1, column 4: unexpected ' '") != std::string::npos);
  CHECK(csv_error("\"x\"\x01\n").find("unexpected byte 0x01") != std::string::npos);
  CHECK(csv_error("\"é\"z\n").find("column 4") != std::string::npos);  // characters, not bytes
  CHECK(csv_error("\"a\nb\"c\n").find("CSV line 2, column 3") != std::string::npos);
}

TEST_CASE("CsvReader: reading goes on after a bad record") {
  std::istringstream input("a,b\n\"x\"y,2\n3,4\n");
  CsvReader reader(input);
  std::vector<std::string> fields;
  REQUIRE(reader.next(fields));
  CHECK_THROWS_AS(reader.next(fields), Error);
  CHECK(reader.record_line() == 2);
  REQUIRE(reader.next(fields));
  CHECK(fields == std::vector<std::string>{"3", "4"});
  CHECK(reader.record_line() == 3);
  CHECK_FALSE(reader.next(fields));

  std::istringstream unterminated("a\n\"never closed\nmore\n");
  CsvReader reader2(unterminated);
  REQUIRE(reader2.next(fields));
  CHECK_THROWS_AS(reader2.next(fields), Error);
  CHECK_FALSE(reader2.next(fields));
}

TEST_CASE("write_csv_record quotes only what needs it") {
  CHECK(written({{"a", "b c", ""}}) == "a,b c,\n");
  CHECK(written({{"x,y", "say \"hi\"", "two\nlines", "cr\r"}}) == "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\n");
  CHECK(written({{""}}) == "\"\"\n");  // a lone empty field must not become a blank line
  CHECK(written({{}}) == "\n");
}

TEST_CASE("CSV write/read round trip") {
  Rows rows = {{"id", "name", "notes"},
               {"1", "O'Brien, Ltd.", "said \"no\"\nthen \"yes\""},
               {"2", "", "trailing space "},
               {"3", "Zoë", "\r\n"},
               {"4", "\"", ",,"}};
  CHECK(read_all(written(rows)) == rows);
  Rows single = {{""}, {"a"}, {""}};
  CHECK(read_all(written(single)) == single);
}

TEST_CASE("text_format_from_string") {
  CHECK(text_format_from_string("csv") == TextFormat::csv);
  CHECK(text_format_from_string("CSV") == TextFormat::csv);
  CHECK(text_format_from_string("jsonl") == TextFormat::jsonl);
  CHECK(text_format_from_string("json-lines") == TextFormat::jsonl);
  CHECK(text_format_from_string("NDJSON") == TextFormat::jsonl);
  CHECK_THROWS_AS(text_format_from_string("xml"), UsageError);
  CHECK_THROWS_AS(text_format_from_string(""), UsageError);
}
