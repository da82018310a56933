// Lexer: source text -> tokens. Identifiers may contain dots (lookup paths are one token), string
// literals use '..' or ".." with backslash escapes, comments are /* ... */.
#include <cctype>
#include <string>

#include "formula/internal.hpp"

namespace hotcrm::detail::formula {
namespace {

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      Token token = next();
      const bool done = token.kind == TokenKind::end || token.kind == TokenKind::error;
      tokens.push_back(std::move(token));
      if (done) return tokens;
    }
  }

 private:
  Token make(TokenKind kind, std::size_t start, std::string text = {}) const {
    return Token{kind, Span{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(pos_ - start)},
                 std::move(text)};
  }
  Token fail(std::size_t start, std::string message) {
    if (pos_ == start) pos_ = std::min(start + 1, source_.size());
    return make(TokenKind::error, start, std::move(message));
  }
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < source_.size() ? source_[pos_ + ahead] : '\0'; }

  /// Skips whitespace and comments; returns false (and sets `error`) on an unterminated comment.
  bool skip_trivia(Token& error) {
    while (pos_ < source_.size()) {
      const char c = source_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '/' && peek(1) == '*') {
        const std::size_t start = pos_;
        const std::size_t close = source_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) {
          pos_ = source_.size();
          error = make(TokenKind::error, start, "unterminated comment: expected */");
          error.span.length = 2;
          return false;
        }
        pos_ = close + 2;
      } else {
        return true;
      }
    }
    return true;
  }

  Token next() {
    Token error;
    if (!skip_trivia(error)) return error;
    const std::size_t start = pos_;
    if (pos_ >= source_.size()) return make(TokenKind::end, start);
    const char c = source_[pos_];
    if (is_identifier_start(c)) return identifier(start);
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) return number(start);
    if (c == '\'' || c == '"') return string(start, c);
    return punctuation(start, c);
  }

  Token identifier(std::size_t start) {
    // A dotted path is one token: account_id.industry. A dot must be followed by a name.
    while (true) {
      while (pos_ < source_.size() && is_identifier_char(source_[pos_])) ++pos_;
      if (peek() == '.' && is_identifier_start(peek(1))) {
        ++pos_;
        continue;
      }
      break;
    }
    return make(TokenKind::identifier, start, std::string(source_.substr(start, pos_ - start)));
  }

  Token number(std::size_t start) {
    while (is_digit(peek())) ++pos_;
    if (peek() == '.') {
      ++pos_;
      while (is_digit(peek())) ++pos_;
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
      pos_ += 2;
      while (is_digit(peek())) ++pos_;
    }
    if (is_identifier_char(peek())) {
      while (is_identifier_char(peek())) ++pos_;
      return make(TokenKind::error, start, "malformed number '" + std::string(source_.substr(start, pos_ - start)) + "'");
    }
    return make(TokenKind::number, start, std::string(source_.substr(start, pos_ - start)));
  }

  Token string(std::size_t start, char quote) {
    ++pos_;
    std::string text;
    while (pos_ < source_.size() && source_[pos_] != quote) {
      if (source_[pos_] != '\\') {
        text += source_[pos_++];
        continue;
      }
      if (pos_ + 1 >= source_.size()) break;
      const char escaped = source_[pos_ + 1];
      const char decoded = decode_escape(escaped);
      if (decoded == '\0') {
        const std::size_t at = pos_;
        pos_ += 2;
        Token bad = make(TokenKind::error, at, std::string("unknown escape \\") + escaped +
                                                   " in a string literal (use \\\\ \\' \\\" \\n \\r \\t \\b \\f)");
        return bad;
      }
      text += decoded;
      pos_ += 2;
    }
    if (pos_ >= source_.size() || source_[pos_] != quote) {  // also a lone trailing backslash
      pos_ = source_.size();
      Token bad = make(TokenKind::error, start, std::string("unterminated string literal: expected ") + quote);
      bad.span.length = 1;
      return bad;
    }
    ++pos_;
    return make(TokenKind::string, start, std::move(text));
  }

  static char decode_escape(char c) {
    switch (c) {
      case '\\': return '\\';
      case '\'': return '\'';
      case '"': return '"';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'b': return '\b';
      case 'f': return '\f';
      default: return '\0';
    }
  }

  Token punctuation(std::size_t start, char c) {
    auto one = [&](TokenKind kind) {
      ++pos_;
      return make(kind, start);
    };
    auto two = [&](TokenKind kind) {
      pos_ += 2;
      return make(kind, start);
    };
    switch (c) {
      case '(': return one(TokenKind::left_paren);
      case ')': return one(TokenKind::right_paren);
      case ',': return one(TokenKind::comma);
      case '+': return one(TokenKind::plus);
      case '-': return one(TokenKind::minus);
      case '*': return one(TokenKind::star);
      case '/': return one(TokenKind::slash);
      case '^': return one(TokenKind::caret);
      case '&': return peek(1) == '&' ? two(TokenKind::and_and) : one(TokenKind::ampersand);
      case '|':
        if (peek(1) == '|') return two(TokenKind::or_or);
        return fail(start, "unexpected '|': did you mean '||'?");
      case '=': return peek(1) == '=' ? two(TokenKind::equal) : one(TokenKind::equal);
      case '!': return peek(1) == '=' ? two(TokenKind::not_equal) : one(TokenKind::bang);
      case '<':
        if (peek(1) == '=') return two(TokenKind::less_equal);
        if (peek(1) == '>') return two(TokenKind::not_equal);
        return one(TokenKind::less);
      case '>': return peek(1) == '=' ? two(TokenKind::greater_equal) : one(TokenKind::greater);
      default: break;
    }
    std::string shown = std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "byte " + std::to_string(static_cast<unsigned char>(c));
    return fail(start, "unexpected character '" + shown + "'");
  }

  std::string_view source_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

std::string_view describe(TokenKind kind) noexcept {
  switch (kind) {
    case TokenKind::end: return "end of formula";
    case TokenKind::identifier: return "a name";
    case TokenKind::number: return "a number";
    case TokenKind::string: return "a string";
    case TokenKind::left_paren: return "'('";
    case TokenKind::right_paren: return "')'";
    case TokenKind::comma: return "','";
    case TokenKind::plus: return "'+'";
    case TokenKind::minus: return "'-'";
    case TokenKind::star: return "'*'";
    case TokenKind::slash: return "'/'";
    case TokenKind::caret: return "'^'";
    case TokenKind::ampersand: return "'&'";
    case TokenKind::equal: return "'='";
    case TokenKind::not_equal: return "'<>'";
    case TokenKind::less: return "'<'";
    case TokenKind::less_equal: return "'<='";
    case TokenKind::greater: return "'>'";
    case TokenKind::greater_equal: return "'>='";
    case TokenKind::and_and: return "'&&'";
    case TokenKind::or_or: return "'||'";
    case TokenKind::bang: return "'!'";
    case TokenKind::dot: return "'.'";
    case TokenKind::error: return "an invalid token";
  }
  return "a token";
}

}  // namespace hotcrm::detail::formula
