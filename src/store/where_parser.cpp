// parse_where and parse_order_by: a small recursive-descent parser over a hand-written lexer.
//
//   or_expr    := and_expr (("OR" | "||") and_expr)*
//   and_expr   := unary (("AND" | "&&") unary)*
//   unary      := ("NOT" | "!") unary | "(" or_expr ")" | "TRUE" | comparison
//   comparison := field ( cmp_op literal | ["NOT"] "IN" "(" literal ("," literal)* ")"
//                       | "IS" ["NOT"] "NULL" | ("CONTAINS" | "STARTS_WITH") text )
//
// A bare TRUE is the filter that matches everything (Filter::all), which Filter::to_string
// writes as TRUE. Errors name the 1-based column (in characters) where the problem starts.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/store/query.hpp"

namespace hotcrm {
inline namespace v0 {
namespace {

constexpr std::size_t max_where_length = 64 * 1024;
constexpr int max_nesting_depth = 64;

bool is_identifier_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_identifier_char(char c) noexcept { return is_identifier_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

/// 1-based column of a byte offset, counting UTF-8 characters rather than bytes.
std::size_t column_of(std::string_view text, std::size_t offset) noexcept {
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

[[noreturn]] void fail(std::string_view text, std::size_t offset, std::string_view why) {
  throw Error(ErrorCode::parse, fmt::format("invalid where-string at column {}: {}", column_of(text, offset), why));
}

enum class TokenKind : std::uint8_t {
  end, identifier, text, number, left_paren, right_paren, comma, compare_op,
  kw_and, kw_or, kw_not, kw_in, kw_is, kw_null, kw_contains, kw_starts_with, kw_true, kw_false,
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::size_t offset = 0;   ///< byte offset of the token in the input
  std::string_view source;  ///< the token as written
  std::string text;         ///< text literal: the unescaped value
  CompareOp op = CompareOp::eq;
};

struct Keyword {
  std::string_view word;
  TokenKind kind;
};
constexpr Keyword keywords[] = {
    {"and", TokenKind::kw_and},     {"or", TokenKind::kw_or},
    {"not", TokenKind::kw_not},     {"in", TokenKind::kw_in},
    {"is", TokenKind::kw_is},       {"null", TokenKind::kw_null},
    {"contains", TokenKind::kw_contains}, {"starts_with", TokenKind::kw_starts_with},
    {"true", TokenKind::kw_true},   {"false", TokenKind::kw_false},
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    Token token;
    token.offset = pos_;
    if (pos_ >= text_.size()) return token;
    char c = text_[pos_];
    if (is_identifier_start(c)) lex_word(token);
    else if (c == '\'' || c == '"') lex_text(token);
    else if (starts_number(pos_)) lex_number(token);
    else lex_punctuation(token);
    token.source = text_.substr(token.offset, pos_ - token.offset);
    return token;
  }

 private:
  bool starts_number(std::size_t at) const noexcept {
    if (at < text_.size() && (text_[at] == '-' || text_[at] == '+')) ++at;
    if (at < text_.size() && text_[at] == '.') ++at;
    return at < text_.size() && is_digit(text_[at]);
  }

  void lex_word(Token& token) {
    lex_identifier();
    std::string_view word = text_.substr(token.offset, pos_ - token.offset);
    for (const Keyword& keyword : keywords) {
      if (equals_ignoring_case(word, keyword.word)) {
        token.kind = keyword.kind;
        return;
      }
    }
    token.kind = TokenKind::identifier;
    // A lookup path: account_id.name
    while (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= text_.size() || !is_identifier_start(text_[pos_])) fail(text_, pos_, "expected a field name after '.'");
      lex_identifier();
    }
  }

  void lex_identifier() {
    while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;
  }

  // 'it''s', 'it\'s' and "say \"hi\"" all work; a backslash before anything other than a quote or
  // a backslash is kept as written, so that paths like C:\data need no escaping.
  void lex_text(Token& token) {
    const char quote = text_[pos_++];
    token.kind = TokenKind::text;
    for (;;) {
      if (pos_ >= text_.size()) fail(text_, token.offset, "unterminated text literal");
      char c = text_[pos_++];
      if (c == quote) {
        if (pos_ < text_.size() && text_[pos_] == quote) {
          token.text += quote;
          ++pos_;
          continue;
        }
        return;
      }
      if (c == '\\' && pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"' || text_[pos_] == '\\')) {
        token.text += text_[pos_++];
        continue;
      }
      token.text += c;
    }
  }

  void lex_number(Token& token) {
    token.kind = TokenKind::number;
    if (text_[pos_] == '-' || text_[pos_] == '+') ++pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t exponent = pos_ + 1;
      if (exponent < text_.size() && (text_[exponent] == '-' || text_[exponent] == '+')) ++exponent;
      if (exponent >= text_.size() || !is_digit(text_[exponent])) fail(text_, pos_, "expected digits in the exponent");
      pos_ = exponent;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (is_identifier_char(text_[pos_]) || text_[pos_] == '.')) {
      fail(text_, token.offset, fmt::format("malformed number '{}'", text_.substr(token.offset, pos_ + 1 - token.offset)));
    }
  }

  void lex_punctuation(Token& token) {
    auto two = text_.substr(pos_, 2);
    auto take = [&](TokenKind kind, std::size_t length, CompareOp op = CompareOp::eq) {
      token.kind = kind;
      token.op = op;
      pos_ += length;
    };
    if (two == "==") return take(TokenKind::compare_op, 2, CompareOp::eq);
    if (two == "!=" || two == "<>") return take(TokenKind::compare_op, 2, CompareOp::ne);
    if (two == "<=") return take(TokenKind::compare_op, 2, CompareOp::le);
    if (two == ">=") return take(TokenKind::compare_op, 2, CompareOp::ge);
    if (two == "&&") return take(TokenKind::kw_and, 2);
    if (two == "||") return take(TokenKind::kw_or, 2);
    switch (text_[pos_]) {
      case '=': return take(TokenKind::compare_op, 1, CompareOp::eq);
      case '<': return take(TokenKind::compare_op, 1, CompareOp::lt);
      case '>': return take(TokenKind::compare_op, 1, CompareOp::gt);
      case '!': return take(TokenKind::kw_not, 1);
      case '(': return take(TokenKind::left_paren, 1);
      case ')': return take(TokenKind::right_paren, 1);
      case ',': return take(TokenKind::comma, 1);
      default: break;
    }
    const auto byte = static_cast<unsigned char>(text_[pos_]);
    if (byte < 0x20 || byte >= 0x7F) fail(text_, pos_, fmt::format("unexpected character (byte 0x{:02X})", byte));
    fail(text_, pos_, fmt::format("unexpected character '{}'", text_[pos_]));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

/// How a token is named in an error message.
std::string describe(const Token& token) {
  if (token.kind == TokenKind::end) return "end of input";
  constexpr std::size_t shown = 24;
  if (token.source.size() > shown) return fmt::format("'{}...'", token.source.substr(0, shown));
  return fmt::format("'{}'", token.source);
}

class WhereParser {
 public:
  explicit WhereParser(std::string_view text) : text_(text), lexer_(text) { advance(); }

  Filter parse() {
    if (current_.kind == TokenKind::end) return Filter::all();
    Filter filter = parse_or(0);
    if (current_.kind == TokenKind::right_paren) fail_here("unbalanced ')'");
    if (current_.kind != TokenKind::end) fail_here(fmt::format("expected AND, OR or end of input, found {}", describe(current_)));
    std::size_t leaf_index = 0;
    check_tree_depth(filter, 0, leaf_index);
    return filter;
  }

 private:
  void advance() { current_ = lexer_.next(); }

  [[noreturn]] static void fail_too_deep(std::string_view text, std::size_t offset) {
    fail(text, offset, fmt::format("conditions nested deeper than {} levels", max_nesting_depth));
  }

  // Precedence lets "a OR b AND NOT c" nest three nodes without a parenthesis, and to_string writes
  // one level of nesting per node. Bounding the tree as well as the text keeps every parsed filter's
  // to_string parseable. Leaves are visited in the order they were parsed, which names the column.
  void check_tree_depth(const Filter& filter, int depth, std::size_t& leaf_index) const {
    if (filter.children.empty()) {
      const std::size_t offset = leaf_index < leaf_offsets_.size() ? leaf_offsets_[leaf_index] : 0;
      ++leaf_index;
      if (depth >= max_nesting_depth) fail_too_deep(text_, offset);
      return;
    }
    for (const Filter& child : filter.children) check_tree_depth(child, depth + 1, leaf_index);
  }

  [[noreturn]] void fail_here(std::string_view why) const { fail(text_, current_.offset, why); }

  Filter parse_or(int depth) {
    std::vector<Filter> terms;
    terms.push_back(parse_and(depth));
    while (current_.kind == TokenKind::kw_or) {
      advance();
      terms.push_back(parse_and(depth));
    }
    return Filter::or_(std::move(terms));
  }

  Filter parse_and(int depth) {
    std::vector<Filter> factors;
    factors.push_back(parse_unary(depth));
    while (current_.kind == TokenKind::kw_and) {
      advance();
      factors.push_back(parse_unary(depth));
    }
    return Filter::and_(std::move(factors));
  }

  Filter parse_unary(int depth) {
    // Each NOT and parenthesis recurses; the limit bounds stack use on hostile input.
    if (depth >= max_nesting_depth) fail_too_deep(text_, current_.offset);
    switch (current_.kind) {
      case TokenKind::kw_not:
        advance();
        return Filter::not_(parse_unary(depth + 1));
      case TokenKind::left_paren: return parse_parenthesized(depth);
      case TokenKind::kw_true:
        leaf_offsets_.push_back(current_.offset);
        advance();
        return Filter::all();
      case TokenKind::identifier:
        leaf_offsets_.push_back(current_.offset);
        return parse_comparison();
      case TokenKind::end: fail_here("expected a condition, found end of input");
      default: fail_here(fmt::format("expected a field name, NOT or '(', found {}", describe(current_)));
    }
  }

  Filter parse_parenthesized(int depth) {
    const std::size_t open = current_.offset;
    advance();
    if (current_.kind == TokenKind::right_paren) fail_here("empty parentheses");
    Filter inner = parse_or(depth + 1);
    if (current_.kind != TokenKind::right_paren) {
      if (current_.kind == TokenKind::end) fail(text_, open, "'(' is never closed");
      fail_here(fmt::format("expected ')', AND or OR, found {}", describe(current_)));
    }
    advance();
    return inner;
  }

  Filter parse_comparison() {
    std::string field(current_.source);
    advance();
    switch (current_.kind) {
      case TokenKind::compare_op: return parse_operator_comparison(std::move(field));
      case TokenKind::kw_in: advance(); return in_list(std::move(field), CompareOp::in);
      case TokenKind::kw_not:
        advance();
        if (current_.kind != TokenKind::kw_in) fail_here(fmt::format("expected IN after NOT, found {}", describe(current_)));
        advance();
        return in_list(std::move(field), CompareOp::not_in);
      case TokenKind::kw_is: return parse_is_null(std::move(field));
      case TokenKind::kw_contains: return parse_text_match(std::move(field), CompareOp::contains);
      case TokenKind::kw_starts_with: return parse_text_match(std::move(field), CompareOp::starts_with);
      default:
        fail_here(fmt::format("expected an operator (=, !=, <, <=, >, >=, IN, NOT IN, IS, CONTAINS, STARTS_WITH) "
                              "after '{}', found {}", field, describe(current_)));
    }
  }

  Filter parse_operator_comparison(std::string field) {
    const CompareOp op = current_.op;
    const std::string_view written = current_.source;
    advance();
    const std::size_t value_offset = current_.offset;
    Value value = parse_literal();
    if (value.is_null()) {
      if (op == CompareOp::eq) fail(text_, value_offset, fmt::format("'{} NULL' is never true; use IS NULL", written));
      if (op == CompareOp::ne) fail(text_, value_offset, fmt::format("'{} NULL' is never true; use IS NOT NULL", written));
      fail(text_, value_offset, fmt::format("cannot compare with NULL using '{}'", written));
    }
    return Filter::compare(std::move(field), op, std::move(value));
  }

  Filter in_list(std::string field, CompareOp op) {
    if (current_.kind != TokenKind::left_paren) fail_here(fmt::format("expected '(' after IN, found {}", describe(current_)));
    advance();
    if (current_.kind == TokenKind::right_paren) fail_here("IN needs at least one value");
    std::vector<Value> values;
    for (;;) {
      const std::size_t value_offset = current_.offset;
      Value value = parse_literal();
      if (value.is_null()) fail(text_, value_offset, "NULL cannot be in an IN list; use IS NULL");
      values.push_back(std::move(value));
      if (current_.kind == TokenKind::right_paren) break;
      if (current_.kind != TokenKind::comma) fail_here(fmt::format("expected ',' or ')' in the IN list, found {}", describe(current_)));
      advance();
    }
    advance();
    Filter filter = Filter::in(std::move(field), std::move(values));
    filter.op = op;
    return filter;
  }

  Filter parse_is_null(std::string field) {
    advance();
    CompareOp op = CompareOp::is_null;
    if (current_.kind == TokenKind::kw_not) {
      op = CompareOp::not_null;
      advance();
    }
    if (current_.kind != TokenKind::kw_null) fail_here(fmt::format("expected NULL after IS, found {}", describe(current_)));
    advance();
    return Filter::compare(std::move(field), op);
  }

  Filter parse_text_match(std::string field, CompareOp op) {
    advance();
    if (current_.kind != TokenKind::text) {
      fail_here(fmt::format("{} needs a quoted text, found {}", to_string(op), describe(current_)));
    }
    Value value(std::move(current_.text));
    advance();
    return Filter::compare(std::move(field), op, std::move(value));
  }

  Value parse_literal() {
    Value value;
    switch (current_.kind) {
      case TokenKind::text: value = Value(std::move(current_.text)); break;
      case TokenKind::number: value = parse_number(); break;
      case TokenKind::kw_true: value = Value(true); break;
      case TokenKind::kw_false: value = Value(false); break;
      case TokenKind::kw_null: break;
      case TokenKind::identifier:
        fail_here(fmt::format("expected a value, found the name {} (quote text values: '{}')", describe(current_),
                              current_.source));
      default: fail_here(fmt::format("expected a value, found {}", describe(current_)));
    }
    advance();
    return value;
  }

  // Integers are int64; anything with a point or an exponent is an exact Decimal, never a double,
  // so that money compares exactly.
  Value parse_number() const {
    std::string_view source = current_.source;
    if (source.find_first_of(".eE") == std::string_view::npos) {
      std::string_view digits = source.front() == '+' ? source.substr(1) : source;
      std::int64_t number = 0;
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
      if (error != std::errc() || end != digits.data() + digits.size()) {
        fail_here(fmt::format("integer {} does not fit in 64 bits", source));
      }
      return Value(number);
    }
    std::optional<Decimal> decimal = Decimal::try_parse(normalized_decimal(source));
    if (!decimal) fail_here(fmt::format("number {} cannot be held exactly (at most 18 digits after the point)", source));
    return Value(*decimal);
  }

  // ".5" -> "0.5" and "5." -> "5.0": the lexer accepts them, Decimal::parse need not.
  static std::string normalized_decimal(std::string_view source) {
    std::string text;
    std::size_t i = 0;
    if (source[i] == '-' || source[i] == '+') text += source[i++];
    if (source[i] == '.') text += '0';
    for (; i < source.size(); ++i) {
      text += source[i];
      bool point_without_digits = source[i] == '.' && (i + 1 == source.size() || !is_digit(source[i + 1]));
      if (point_without_digits) text += '0';
    }
    return text;
  }

  std::string_view text_;
  Lexer lexer_;
  Token current_;
  std::vector<std::size_t> leaf_offsets_;  // offset of each comparison / TRUE, in parse order
};

}  // namespace

Filter parse_where(std::string_view text) {
  if (text.size() > max_where_length) {
    throw Error(ErrorCode::parse, fmt::format("where-string is too long ({} bytes; the limit is {})", text.size(),
                                              max_where_length));
  }
  return WhereParser(text).parse();
}

std::vector<OrderKey> parse_order_by(std::string_view text) {
  if (text.size() > max_where_length) {
    throw Error(ErrorCode::parse, fmt::format("order-by is too long ({} bytes; the limit is {})", text.size(),
                                              max_where_length));
  }
  std::vector<OrderKey> keys;
  std::size_t pos = 0;
  auto skip_spaces = [&] { while (pos < text.size() && is_space(text[pos])) ++pos; };
  auto order_fail = [&](std::size_t at, std::string_view why) {
    throw Error(ErrorCode::parse, fmt::format("invalid order-by at column {}: {}", column_of(text, at), why));
  };
  skip_spaces();
  if (pos == text.size()) return keys;
  for (;;) {
    skip_spaces();
    OrderKey key;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) key.descending = text[pos++] == '-';
    skip_spaces();
    const std::size_t start = pos;
    for (;;) {
      if (pos >= text.size() || !is_identifier_start(text[pos])) order_fail(pos, "expected a field name");
      while (pos < text.size() && is_identifier_char(text[pos])) ++pos;
      if (pos >= text.size() || text[pos] != '.') break;
      ++pos;
    }
    key.field = std::string(text.substr(start, pos - start));
    keys.push_back(std::move(key));
    skip_spaces();
    if (pos == text.size()) return keys;
    if (text[pos] != ',') order_fail(pos, "expected ',' between fields");
    ++pos;
  }
}

}  // namespace v0
}  // namespace hotcrm
