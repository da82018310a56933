// Pratt parser: tokens -> Ast (an arena of nodes with source spans). Precedence, loosest first:
//   ||   &&   = == != <> < <= > >=   &   + -   * /   unary - + !   ^ (right-associative)
#include <string>

#include "formula/internal.hpp"

namespace hotcrm::detail::formula {
namespace {

struct BindingPower {
  int left = 0;   ///< 0: not a binary operator
  int right = 0;
};

BindingPower binary_power(TokenKind kind) {
  switch (kind) {
    case TokenKind::or_or: return {10, 11};
    case TokenKind::and_and: return {20, 21};
    case TokenKind::equal:
    case TokenKind::not_equal:
    case TokenKind::less:
    case TokenKind::less_equal:
    case TokenKind::greater:
    case TokenKind::greater_equal: return {30, 31};
    case TokenKind::ampersand: return {40, 41};
    case TokenKind::plus:
    case TokenKind::minus: return {50, 51};
    case TokenKind::star:
    case TokenKind::slash: return {60, 61};
    case TokenKind::caret: return {81, 80};  // right-associative: 2^3^2 = 2^(3^2)
    default: return {};
  }
}
constexpr int unary_power = 70;

bool is_keyword(const Token& token, std::string_view word) {
  return token.kind == TokenKind::identifier && iequals(token.text, word);
}

class Parser {
 public:
  Parser(std::string_view source, const CompileOptions& options, std::vector<Token> tokens, Ast& ast)
      : source_(source), options_(options), tokens_(std::move(tokens)), ast_(ast) {}

  bool run(Problem& problem) {
    if (tokens_.back().kind == TokenKind::error && tokens_.size() == 1) return fail_with(tokens_.back(), problem);
    const auto root = expression(0);
    if (!root) {
      problem = problem_;
      return false;
    }
    if (current().kind != TokenKind::end) {
      if (current().kind == TokenKind::error) return fail_with(current(), problem);
      problem = syntax(current(), "expected an operator or end of formula, found " + found(current()));
      return false;
    }
    ast_.root = *root;
    return true;
  }

 private:
  const Token& current() const { return tokens_[position_]; }
  void advance() {
    if (position_ + 1 < tokens_.size()) ++position_;
  }
  std::string found(const Token& token) const {
    if (token.kind == TokenKind::end || token.kind == TokenKind::error) return std::string(describe(token.kind));
    return "'" + std::string(source_.substr(token.span.offset, token.span.length)) + "'";
  }
  static Problem syntax(const Token& token, std::string message) {
    return Problem{"E_FORMULA_SYNTAX", token.span.length ? token.span : Span{token.span.offset, 1},
                   std::move(message)};
  }
  bool fail_with(const Token& error_token, Problem& problem) {
    problem = syntax(error_token, error_token.text);
    return false;
  }
  std::optional<std::uint32_t> failure(Problem problem) {
    if (problem_.code.empty()) problem_ = std::move(problem);
    return std::nullopt;
  }

  std::optional<std::uint32_t> add(AstNode node) {
    if (ast_.nodes.size() >= options_.max_nodes) {
      return failure(Problem{"E_FORMULA_TOO_LARGE", node.span,
                             "formula has more than " + std::to_string(options_.max_nodes) + " syntax nodes"});
    }
    ast_.nodes.push_back(std::move(node));
    return static_cast<std::uint32_t>(ast_.nodes.size() - 1);
  }

  static Span join(Span a, Span b) { return Span{a.offset, b.offset + b.length - a.offset}; }

  std::optional<std::uint32_t> expression(int min_power) {
    if (++depth_ > options_.max_depth) {
      return failure(Problem{"E_FORMULA_TOO_DEEP", current().span.length ? current().span : Span{current().span.offset, 1},
                             "formula nests deeper than " + std::to_string(options_.max_depth) + " levels"});
    }
    auto left = prefix();
    while (left) {
      const BindingPower power = binary_power(current().kind);
      if (power.left == 0 || power.left < min_power) break;
      const Token op = current();
      advance();
      auto right = expression(power.right);
      if (!right) return std::nullopt;
      AstNode node{AstKind::binary, op.kind, join(ast_.nodes[*left].span, ast_.nodes[*right].span), op.span, {},
                   {*left, *right}};
      left = add(std::move(node));
    }
    --depth_;
    return left;
  }

  std::optional<std::uint32_t> prefix() {
    const Token token = current();
    switch (token.kind) {
      case TokenKind::number: advance(); return add(AstNode{AstKind::number, {}, token.span, {}, token.text, {}});
      case TokenKind::string: advance(); return add(AstNode{AstKind::string, {}, token.span, {}, token.text, {}});
      case TokenKind::identifier: return name_or_call();
      case TokenKind::left_paren: return parenthesized();
      case TokenKind::minus:
      case TokenKind::plus:
      case TokenKind::bang: {
        advance();
        auto operand = expression(unary_power);
        if (!operand) return std::nullopt;
        return add(AstNode{AstKind::unary, token.kind, join(token.span, ast_.nodes[*operand].span), token.span, {},
                           {*operand}});
      }
      case TokenKind::error: return failure(syntax(token, token.text));
      default: return failure(syntax(token, "expected a value, a name or '(', found " + found(token)));
    }
  }

  std::optional<std::uint32_t> parenthesized() {
    const Token open = current();
    advance();
    auto inner = expression(0);
    if (!inner) return std::nullopt;
    if (current().kind != TokenKind::right_paren) {
      if (current().kind == TokenKind::error) return failure(syntax(current(), current().text));
      return failure(syntax(current(), "expected ')' to close the '(' at column " +
                                           std::to_string(open.span.offset + 1) + ", found " + found(current())));
    }
    ast_.nodes[*inner].span = join(open.span, current().span);
    advance();
    return inner;
  }

  std::optional<std::uint32_t> name_or_call() {
    const Token name = current();
    advance();
    if (current().kind != TokenKind::left_paren) {
      if (is_keyword(name, "true") || is_keyword(name, "false"))
        return add(AstNode{AstKind::boolean, {}, name.span, {}, is_keyword(name, "true") ? "true" : "false", {}});
      if (is_keyword(name, "null")) return add(AstNode{AstKind::null, {}, name.span, {}, {}, {}});
      return add(AstNode{AstKind::name, {}, name.span, name.span, name.text, {}});
    }
    advance();  // '('
    std::vector<std::uint32_t> arguments;
    if (current().kind != TokenKind::right_paren) {
      while (true) {
        auto argument = expression(0);
        if (!argument) return std::nullopt;
        arguments.push_back(*argument);
        if (current().kind == TokenKind::comma) {
          advance();
          continue;
        }
        if (current().kind == TokenKind::right_paren) break;
        if (current().kind == TokenKind::error) return failure(syntax(current(), current().text));
        return failure(syntax(current(), "expected ',' or ')' in the arguments of " + name.text + ", found " +
                                             found(current())));
      }
    }
    const Span whole = join(name.span, current().span);
    advance();  // ')'
    return add(AstNode{AstKind::call, {}, whole, name.span, name.text, std::move(arguments)});
  }

  std::string_view source_;
  const CompileOptions& options_;
  std::vector<Token> tokens_;
  Ast& ast_;
  std::size_t position_ = 0;
  int depth_ = 0;
  Problem problem_;
};

}  // namespace

bool parse(std::string_view source, const CompileOptions& options, Ast& ast, Problem& problem) {
  if (source.size() > options.max_length) {
    problem = Problem{"E_FORMULA_TOO_LONG", Span{static_cast<std::uint32_t>(options.max_length), 1},
                      "formula is " + std::to_string(source.size()) + " characters long; the limit is " +
                          std::to_string(options.max_length)};
    return false;
  }
  Parser parser(source, options, tokenize(source), ast);
  return parser.run(problem);
}

}  // namespace hotcrm::detail::formula
