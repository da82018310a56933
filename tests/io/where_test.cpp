// parse_where, Filter::to_string and parse_order_by.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hotcrm/error.hpp"
#include "hotcrm/store/query.hpp"

using namespace hotcrm;

namespace {

bool same_tree(const Filter& a, const Filter& b) {
  if (a.kind != b.kind || a.field != b.field || a.values != b.values || a.children.size() != b.children.size()) {
    return false;
  }
  if (a.kind == Filter::Kind::compare && a.op != b.op) return false;
  for (std::size_t i = 0; i < a.children.size(); ++i) {
    if (!same_tree(a.children[i], b.children[i])) return false;
  }
  return true;
}

/// The message of the parse error `text` raises (fails the test when it parses).
std::string where_error(const std::string& text) {
  try {
    Filter filter = parse_where(text);
    FAIL_CHECK("parsed without error: ", text, " -> ", filter.to_string());
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::parse);
    return error.what();
  }
  return {};
}

void check_round_trip(const std::string& text) {
  CAPTURE(text);
  Filter parsed = parse_where(text);
  std::string written = parsed.to_string();
  CAPTURE(written);
  Filter reparsed = parse_where(written);
  CHECK(same_tree(parsed, reparsed));
  CHECK(reparsed.to_string() == written);
}

}  // namespace

TEST_CASE("parse_where: comparisons and literals") {
  Filter f = parse_where("status = 'new'");
  REQUIRE(f.kind == Filter::Kind::compare);
  CHECK(f.field == "status");
  CHECK(f.op == CompareOp::eq);
  REQUIRE(f.values.size() == 1);
  CHECK(f.values[0] == Value("new"));

  struct Case {
    const char* text;
    CompareOp op;
  };
  for (Case c : {Case{"a = 1", CompareOp::eq}, Case{"a == 1", CompareOp::eq}, Case{"a != 1", CompareOp::ne},
                 Case{"a <> 1", CompareOp::ne}, Case{"a < 1", CompareOp::lt}, Case{"a <= 1", CompareOp::le},
                 Case{"a > 1", CompareOp::gt}, Case{"a >= 1", CompareOp::ge}, Case{"a>=1", CompareOp::ge}}) {
    CAPTURE(c.text);
    Filter parsed = parse_where(c.text);
    CHECK(parsed.op == c.op);
    CHECK(parsed.values == std::vector<Value>{Value(1)});
  }

  CHECK(parse_where("n = -42").values[0] == Value(std::int64_t{-42}));
  CHECK(parse_where("n = +7").values[0] == Value(std::int64_t{7}));
  CHECK(parse_where("n = 9223372036854775807").values[0] == Value(std::int64_t{9223372036854775807}));
  CHECK(parse_where("n = -9223372036854775808").values[0].as_int() == INT64_MIN);
  CHECK(parse_where("flag = TRUE").values[0] == Value(true));
  CHECK(parse_where("flag = false").values[0] == Value(false));
  CHECK(parse_where("name = \"double\"").values[0] == Value("double"));
  CHECK(parse_where("name = ''").values[0] == Value(""));
}

TEST_CASE("parse_where: numbers with a point or an exponent are exact decimals") {
  Value amount = parse_where("amount > 1234.50").values[0];
  REQUIRE(amount.kind() == ValueKind::decimal);
  CHECK(amount.as_decimal() == Decimal(123450, 2));
  CHECK(parse_where("x = 0.1").values[0].as_decimal() == Decimal(1, 1));
  CHECK(parse_where("x = -0.05").values[0].as_decimal() == Decimal(-5, 2));
  CHECK(parse_where("x = .5").values[0].as_decimal() == Decimal(5, 1));
  CHECK(parse_where("x = 5.").values[0].as_decimal() == Decimal(5, 0));
  CHECK(parse_where("x = 1e3").values[0].as_decimal() == Decimal(1000, 0));
  CHECK(parse_where("x = 2.5E-2").values[0].as_decimal() == Decimal(25, 3));
}

TEST_CASE("parse_where: text escapes") {
  CHECK(parse_where("name = 'it''s'").values[0] == Value("it's"));
  CHECK(parse_where("name = 'it\\'s'").values[0] == Value("it's"));
  CHECK(parse_where("name = \"say \"\"hi\"\"\"").values[0] == Value("say \"hi\""));
  CHECK(parse_where("name = \"say \\\"hi\\\"\"").values[0] == Value("say \"hi\""));
  CHECK(parse_where("path = 'C:\\data'").values[0] == Value("C:\\data"));
  CHECK(parse_where("path = 'a\\\\b'").values[0] == Value("a\\b"));
  CHECK(parse_where("name = 'Zoë Ågren'").values[0] == Value("Zoë Ågren"));
}

TEST_CASE("parse_where: IN, NOT IN, IS NULL, CONTAINS, STARTS_WITH") {
  Filter in = parse_where("status IN ('new', 'open', 3)");
  CHECK(in.op == CompareOp::in);
  CHECK(in.values == std::vector<Value>{Value("new"), Value("open"), Value(3)});

  Filter not_in = parse_where("status not in ('closed')");
  CHECK(not_in.op == CompareOp::not_in);
  CHECK(not_in.values == std::vector<Value>{Value("closed")});

  Filter is_null = parse_where("email IS NULL");
  CHECK(is_null.op == CompareOp::is_null);
  CHECK(is_null.values.empty());
  CHECK(parse_where("email is not null").op == CompareOp::not_null);

  Filter contains = parse_where("name CONTAINS 'acme'");
  CHECK(contains.op == CompareOp::contains);
  CHECK(contains.values[0] == Value("acme"));
  CHECK(parse_where("name starts_with \"Ac\"").op == CompareOp::starts_with);
}

TEST_CASE("parse_where: lookup paths") {
  Filter f = parse_where("account_id.owner_id.name = 'x'");
  CHECK(f.field == "account_id.owner_id.name");
}

TEST_CASE("parse_where: precedence NOT > AND > OR") {
  Filter f = parse_where("a = 1 OR b = 2 AND NOT c = 3");
  REQUIRE(f.kind == Filter::Kind::or_);
  REQUIRE(f.children.size() == 2);
  CHECK(f.children[0].field == "a");
  const Filter& conjunction = f.children[1];
  REQUIRE(conjunction.kind == Filter::Kind::and_);
  CHECK(conjunction.children[0].field == "b");
  REQUIRE(conjunction.children[1].kind == Filter::Kind::not_);
  CHECK(conjunction.children[1].children[0].field == "c");

  Filter grouped = parse_where("(a = 1 OR b = 2) && !(c = 3 || d = 4)");
  REQUIRE(grouped.kind == Filter::Kind::and_);
  CHECK(grouped.children[0].kind == Filter::Kind::or_);
  CHECK(grouped.children[1].kind == Filter::Kind::not_);
  CHECK(grouped.children[1].children[0].kind == Filter::Kind::or_);
}

TEST_CASE("parse_where: chains of one connective are flattened") {
  Filter f = parse_where("(a = 1 AND b = 2) AND (c = 3 AND d = 4)");
  REQUIRE(f.kind == Filter::Kind::and_);
  CHECK(f.children.size() == 4);
  CHECK(parse_where("a = 1 or (b = 2 or c = 3)").children.size() == 3);
  CHECK(parse_where("((a = 1))").kind == Filter::Kind::compare);
}

TEST_CASE("parse_where: empty text and TRUE match everything") {
  CHECK(parse_where("").kind == Filter::Kind::all);
  CHECK(parse_where("  \t\n").kind == Filter::Kind::all);
  CHECK(parse_where("TRUE").kind == Filter::Kind::all);
}

TEST_CASE("parse_where: errors name the column") {
  CHECK(where_error("status = ").find("column 10: expected a value, found end of input") != std::string::npos);
  CHECK(where_error("status").find("column 7: expected an operator") != std::string::npos);
  CHECK(where_error("a = 1 b = 2").find("column 7: expected AND, OR or end of input, found 'b'") != std::string::npos);
  CHECK(where_error("a = NULL").find("column 5: '= NULL' is never true; use IS NULL") != std::string::npos);
  CHECK(where_error("a != null").find("use IS NOT NULL") != std::string::npos);
  CHECK(where_error("a <> NULL").find("use IS NOT NULL") != std::string::npos);
  CHECK(where_error("a < NULL").find("cannot compare with NULL using '<'") != std::string::npos);
  CHECK(where_error("a = 'open").find("column 5: unterminated text literal") != std::string::npos);
  CHECK(where_error("a = \"open").find("unterminated text literal") != std::string::npos);
  CHECK(where_error("(a = 1").find("column 1: '(' is never closed") != std::string::npos);
  CHECK(where_error("a = 1)").find("column 6: unbalanced ')'") != std::string::npos);
  CHECK(where_error("()").find("empty parentheses") != std::string::npos);
  CHECK(where_error("(a = 1 b").find("expected ')', AND or OR") != std::string::npos);
  CHECK(where_error("a IN ()").find("IN needs at least one value") != std::string::npos);
  CHECK(where_error("a IN 1").find("expected '(' after IN") != std::string::npos);
  CHECK(where_error("a IN (1,)").find("expected a value, found ')'") != std::string::npos);
  CHECK(where_error("a IN (1 2)").find("expected ',' or ')' in the IN list") != std::string::npos);
  CHECK(where_error("a IN (1, NULL)").find("NULL cannot be in an IN list") != std::string::npos);
  CHECK(where_error("a NOT LIKE 'x'").find("expected IN after NOT") != std::string::npos);
  CHECK(where_error("a IS 'x'").find("expected NULL after IS") != std::string::npos);
  CHECK(where_error("a IS NOT 1").find("expected NULL after IS") != std::string::npos);
  CHECK(where_error("a CONTAINS 5").find("CONTAINS needs a quoted text") != std::string::npos);
  CHECK(where_error("a STARTS_WITH b").find("STARTS_WITH needs a quoted text") != std::string::npos);
  CHECK(where_error("a = b").find("expected a value, found the name 'b'") != std::string::npos);
  CHECK(where_error("a = 1 AND").find("expected a condition, found end of input") != std::string::npos);
  CHECK(where_error("AND a = 1").find("column 1: expected a field name, NOT or '('") != std::string::npos);
  CHECK(where_error("a. = 1").find("column 3: expected a field name after '.'") != std::string::npos);
  CHECK(where_error("a = 1 ; b = 2").find("column 7: unexpected character ';'") != std::string::npos);
  CHECK(where_error("a = 1\x01").find("unexpected character (byte 0x01)") != std::string::npos);
  CHECK(where_error("a = 12abc").find("malformed number '12a'") != std::string::npos);
  CHECK(where_error("a = 1.2.3").find("malformed number") != std::string::npos);
  CHECK(where_error("a = 1e").find("expected digits in the exponent") != std::string::npos);
  CHECK(where_error("a = 99999999999999999999").find("does not fit in 64 bits") != std::string::npos);
  CHECK(where_error("a = 0.0000000000000000000001").find("cannot be held exactly") != std::string::npos);
  CHECK(where_error("a = - 1").find("unexpected character '-'") != std::string::npos);
}

TEST_CASE("parse_where: columns count characters, not bytes") {
  CHECK(where_error("name = 'é' x").find("column 12:") != std::string::npos);
}

TEST_CASE("parse_where: limits") {
  std::string deep(64, '(');
  deep += "a = 1" + std::string(64, ')');
  CHECK(where_error(deep).find("nested deeper than 64 levels") != std::string::npos);
  std::string ok_depth(63, '(');
  ok_depth += "a = 1" + std::string(63, ')');
  CHECK(parse_where(ok_depth).kind == Filter::Kind::compare);

  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "NOT ";
  CHECK(where_error(nots + "a = 1").find("nested deeper") != std::string::npos);

  // Precedence nests nodes without parentheses; to_string would write them, so the tree is bounded too.
  std::string nots_63;
  for (int i = 0; i < 63; ++i) nots_63 += "NOT ";
  check_round_trip(nots_63 + "a = 1");
  CHECK(where_error(nots_63 + "a = 1 AND b = 2").find("column 253: conditions nested deeper than 64 levels") !=
        std::string::npos);

  std::string long_text = "a = '" + std::string(70'000, 'x') + "'";
  CHECK(where_error(long_text).find("too long (70006 bytes; the limit is 65536)") != std::string::npos);

  // Long flat chains are not nesting: they parse however many terms they have.
  std::string chain = "a = 0";
  for (int i = 1; i < 2000; ++i) chain += " OR a = " + std::to_string(i);
  CHECK(parse_where(chain).children.size() == 2000);
}

TEST_CASE("Filter::to_string") {
  Filter f = Filter::and_({Filter::compare("status", CompareOp::eq, "new"),
                           Filter::compare("annual_revenue", CompareOp::gt, 1000000)});
  CHECK(f.to_string() == "(status = 'new' AND annual_revenue > 1000000)");
  CHECK(Filter::in("s", {"a", 1}).to_string() == "s IN ('a', 1)");
  CHECK(Filter::is_null("e").to_string() == "e IS NULL");
  CHECK(Filter::not_null("e").to_string() == "e IS NOT NULL");
  CHECK(Filter::not_(Filter::compare("n", CompareOp::le, Decimal(7, 0))).to_string() == "NOT n <= 7.0");
  CHECK(Filter::compare("t", CompareOp::contains, "it's \\ here").to_string() == "t CONTAINS 'it''s \\\\ here'");
  CHECK(Filter::or_({Filter::compare("b", CompareOp::ne, true), Filter::all()}).to_string() == "(b != TRUE OR TRUE)");
  CHECK(Filter::all().to_string() == "TRUE");
}

TEST_CASE("Filter constructors") {
  CHECK(Filter::and_({}).kind == Filter::Kind::all);
  CHECK(Filter::and_({Filter::is_null("a")}).kind == Filter::Kind::compare);
  CHECK_THROWS_AS(Filter::or_({}), UsageError);
  Filter nested = Filter::and_({Filter::and_({Filter::is_null("a"), Filter::is_null("b")}), Filter::is_null("c")});
  CHECK(nested.children.size() == 3);
  CHECK(Filter::compare("a", CompareOp::is_null).values.empty());
}

TEST_CASE("Filter::to_string round trips through parse_where") {
  for (const char* text : {
           "status = 'new'",
           "a = 1 OR b = 2 AND NOT c = 3",
           "(a = 1 OR b = 2) AND NOT (c = 3 OR d = 4)",
           "NOT NOT a = 1",
           "amount >= 1234.50 AND amount < 1e6 AND ratio = .25",
           "name = 'O''Brien \\\\ co' OR name = \"say \\\"hi\\\"\"",
           "s IN ('a', 'b', 3, 4.5, TRUE) AND t NOT IN (-1)",
           "e IS NULL OR e IS NOT NULL",
           "n CONTAINS 'x' AND n STARTS_WITH 'y'",
           "account_id.name != 'Acme' AND (x <> 0 OR NOT y <= -0.001)",
           "TRUE",
           "NOT TRUE",
           "a = 1 AND (TRUE OR b = 2)",
       }) {
    check_round_trip(text);
  }
  Filter built = Filter::and_({Filter::compare("d", CompareOp::eq, Decimal(5, 0)),
                               Filter::in("x", {Value(std::int64_t{-9223372036854775807LL - 1})})});
  CHECK(same_tree(parse_where(built.to_string()), built));
}

TEST_CASE("parse_order_by") {
  std::vector<OrderKey> keys = parse_order_by("name, -amount ,+created_at,-account_id.name");
  REQUIRE(keys.size() == 4);
  CHECK(keys[0].field == "name");
  CHECK_FALSE(keys[0].descending);
  CHECK(keys[1].field == "amount");
  CHECK(keys[1].descending);
  CHECK(keys[2].field == "created_at");
  CHECK_FALSE(keys[2].descending);
  CHECK(keys[3].field == "account_id.name");
  CHECK(keys[3].descending);
  CHECK(parse_order_by("").empty());
  CHECK(parse_order_by("   ").empty());

  auto order_error = [](const char* text) -> std::string {
    try {
      parse_order_by(text);
    } catch (const Error& error) {
      CHECK(error.code() == ErrorCode::parse);
      return error.what();
    }
    FAIL_CHECK("parsed without error: ", text);
    return {};
  };
  CHECK(order_error("a,,b").find("column 3: expected a field name") != std::string::npos);
  CHECK(order_error("a,").find("column 3: expected a field name") != std::string::npos);
  CHECK(order_error("a b").find("column 3: expected ',' between fields") != std::string::npos);
  CHECK(order_error("-").find("expected a field name") != std::string::npos);
  CHECK(order_error("a.").find("expected a field name") != std::string::npos);
  CHECK(order_error("1a").find("column 1") != std::string::npos);
}

TEST_CASE("Filter::to_string keeps large whole decimals parseable") {
  Filter big = Filter::compare("x", CompareOp::lt, Decimal(1'000'000'000'000'000'000, 0));
  CHECK(big.to_string() == "x < 1000000000000000000e0");
  CHECK(same_tree(parse_where(big.to_string()), big));
  check_round_trip("y < 1e18");
}
