#pragma once
// Private pieces of the formula pipeline: tokens, the syntax tree (an arena of nodes with source
// spans), the compiled program shared by the row and batch evaluators, and the function library.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/formula/formula.hpp"

namespace hotcrm::detail::formula {

struct Span {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
};

// ---- Lexer -------------------------------------------------------------------------------------

enum class TokenKind : std::uint8_t {
  end, identifier, number, string, left_paren, right_paren, comma, plus, minus, star, slash, caret,
  ampersand, equal, not_equal, less, less_equal, greater, greater_equal, and_and, or_or, bang, dot, error,
};

struct Token {
  TokenKind kind = TokenKind::end;
  Span span;
  std::string text;  ///< identifier spelling, decoded string literal, number spelling, error message
};

/// Splits the whole source into tokens; the last is `end`, or `error` (text says why) at the first
/// problem.
std::vector<Token> tokenize(std::string_view source);
std::string_view describe(TokenKind kind) noexcept;

// ---- Syntax tree -------------------------------------------------------------------------------

enum class AstKind : std::uint8_t { number, string, boolean, null, name, unary, binary, call };

struct AstNode {
  AstKind kind = AstKind::null;
  TokenKind op = TokenKind::end;  ///< unary / binary operator
  Span span;                      ///< the whole expression
  Span name_span;                 ///< call: the function name
  std::string text;               ///< literal spelling / decoded text / dotted name / function name
  std::vector<std::uint32_t> children;
};

struct Ast {
  std::vector<AstNode> nodes;  ///< arena; children refer to indices
  std::uint32_t root = 0;
};

struct Problem {
  std::string code;
  Span span;
  std::string message;
};

/// Parses tokens into an Ast; on failure returns the first problem (syntax or a limit).
bool parse(std::string_view source, const CompileOptions& options, Ast& ast, Problem& problem);

// ---- Compiled program --------------------------------------------------------------------------

enum class FunctionId : std::uint8_t {
  and_, or_, not_, if_, case_, isblank, isnull, blankvalue, nullvalue, isnumber, ispickval, includes, isnew,
  ischanged, priorvalue, len, left, right, mid, upper, lower, trim, contains, begins, find, substitute, text,
  value, lpad, rpad, regex, abs, round, ceiling, floor, trunc, max, min, mod, sqrt, power, exp, ln, log, today,
  now, date, datevalue, datetimevalue, year, month, day, hour, minute, weekday, addmonths,
};

enum class Op : std::uint8_t {
  literal, field, convert, negate, logical_not, add, subtract, multiply, divide, power, concat,
  equal, not_equal, less, less_equal, greater, greater_equal, logical_and, logical_or, if_, case_, call,
};

class CompiledRegex;

struct Node {
  Op op = Op::literal;
  FormulaType type = FormulaType::null;
  FunctionId function = FunctionId::and_;
  std::uint32_t first_child = 0;  ///< index into Program::children
  std::uint32_t child_count = 0;
  std::int32_t slot = -1;         ///< field, ischanged, priorvalue
  FormulaType operand = FormulaType::null;  ///< comparisons and CASE: the type operands compare as
  Value literal;                  ///< literal (already of the node's runtime kind)
  std::shared_ptr<const CompiledRegex> regex;  ///< REGEX with a literal pattern
};

struct Program {
  std::vector<Node> nodes;
  std::vector<std::uint32_t> children;
  std::uint32_t root = 0;
  bool blank_as_zero = false;
  std::vector<std::string> fields;
  std::vector<FormulaType> field_types;

  std::uint32_t child(const Node& node, std::uint32_t i) const noexcept { return children[node.first_child + i]; }
};

// ---- Runtime helpers shared by both evaluators --------------------------------------------------

/// Records the first runtime fault of an evaluation (later ones do not overwrite it).
struct Fault {
  FormulaError error = FormulaError::none;
  void raise(FormulaError e) noexcept {
    if (error == FormulaError::none) error = e;
  }
};

/// Converts an input value to the runtime kind of `type`; bad input raises bad_input and gives null.
Value normalize_input(const Value& input, FormulaType type, Fault& fault);
/// A field value as formulas read it: normalized, null booleans false, blanks 0 when asked.
Value read_field(const Value& input, FormulaType type, bool blank_as_zero, Fault& fault);
/// Applies an implicit conversion inserted by the checker (number -> currency/percent, null -> T,
/// id/picklist -> text).
Value convert_value(const Value& value, FormulaType to, Fault& fault);
/// Exact decimal from a double (its shortest round-trip spelling); overflow raises.
std::optional<Decimal> decimal_from_double(double value) noexcept;

/// The operands' runtime kinds pick the semantics: number, decimal, text (+ concatenates) or
/// date/datetime arithmetic. Null in, null out.
Value arithmetic(Op op, const Value& a, const Value& b, Fault& fault);
bool compare(Op op, FormulaType operand_type, const Value& a, const Value& b) noexcept;
std::string format_number(double value);
Value concat(const Value& a, const Value& b, Fault& fault);
Value negate(const Value& a, Fault& fault);
bool is_blank(const Value& value) noexcept;
bool same_value(const Value& a, const Value& b);
bool truthy(const Value& value) noexcept;  ///< non-null true
/// TEXT(x) for every runtime kind.
std::string to_text(const Value& value);
/// Checks a finite double result; raises overflow (or invalid_argument for NaN) otherwise.
Value number_result(double value, Fault& fault) noexcept;

/// What an eager function implementation sees besides its arguments.
struct CallSite {
  const Node& node;
  const EvalContext& context;
  Fault& fault;
};
using ScalarFunction = Value (*)(std::span<const Value> args, CallSite& site);

// ---- Function library ---------------------------------------------------------------------------

/// A function's name, arity and row implementation. Type rules live in the checker; lazy functions
/// (IF, CASE, AND, OR, BLANKVALUE, NULLVALUE, ISCHANGED, PRIORVALUE) have no scalar implementation
/// because both evaluators handle them structurally.
struct FunctionInfo {
  std::string_view name;
  FunctionId id;
  int min_args;
  int max_args;  ///< -1: unbounded
  ScalarFunction scalar;
};

/// Built once (first use) from the per-group tables; immutable afterwards.
class FunctionLibrary {
 public:
  static const FunctionLibrary& instance();
  const FunctionInfo* find(std::string_view name) const noexcept;  ///< case-insensitive
  const FunctionInfo& at(FunctionId id) const noexcept;
  const std::vector<FunctionInfo>& all() const noexcept { return functions_; }

 private:
  FunctionLibrary();
  std::vector<FunctionInfo> functions_;
};

void add_logical_functions(std::vector<FunctionInfo>& out);
/// True when one of a call's arguments is null: most functions then return null themselves.
inline bool any_null(std::span<const Value> args) {
  for (const auto& arg : args)
    if (arg.is_null()) return true;
  return false;
}

void add_math_functions(std::vector<FunctionInfo>& out);
void add_text_functions(std::vector<FunctionInfo>& out);
void add_date_functions(std::vector<FunctionInfo>& out);

// ---- Regular expressions -------------------------------------------------------------------------

/// A Thompson-NFA (Pike VM) matcher for a regex subset: linear time in the subject, no recursion
/// at match time, so hostile patterns cannot blow the stack or run exponentially.
class CompiledRegex {
 public:
  /// nullptr and a message when the pattern is malformed or too large.
  static std::shared_ptr<const CompiledRegex> compile(std::string_view pattern, std::string& error);
  /// True when the whole subject matches (Salesforce's REGEX is a full match).
  bool full_match(std::string_view subject) const;

  struct Instruction;
  CompiledRegex();
  ~CompiledRegex();

 private:
  std::vector<Instruction> program_;
};

constexpr std::size_t max_text_length = 1 << 20;  ///< runtime text results larger fail
constexpr std::size_t max_regex_pattern = 1000;

// ---- Evaluators ----------------------------------------------------------------------------------

EvalResult evaluate_row(const Program& program, std::span<const Value> slots, const EvalContext& context);
/// Evaluates the sub-expression rooted at node `root` (query filters evaluate some conjuncts in
/// the engine and the rest in SQL; constant sub-expressions are folded before binding).
EvalResult evaluate_row_at(const Program& program, std::uint32_t root, std::span<const Value> slots,
                           const EvalContext& context);
FormulaColumn evaluate_batch(const Program& program, const FormulaColumns& inputs, const EvalContext& context);

/// Compiles, used by both public compile_formula overloads.
struct FieldResolution {
  std::string path;  ///< canonical dotted path
  FormulaType type = FormulaType::null;
  const FieldDef* field = nullptr;  ///< for picklist options; null in schema-free mode
};
class Schema {
 public:
  virtual ~Schema() = default;
  /// Resolves a dotted name; on failure fills `problem_message` and `suggestion`.
  virtual std::optional<FieldResolution> resolve(std::string_view dotted, std::string& problem_message) const = 0;
};
CompileResult compile(const Schema& schema, std::string_view source, const CompileOptions& options);

/// Levenshtein distance, case-insensitive (for "did you mean").
std::size_t edit_distance(std::string_view a, std::string_view b);
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace hotcrm::detail::formula

namespace hotcrm {
inline namespace v0 {
struct Formula::Impl {
  std::string source;
  FormulaType result_type = FormulaType::null;
  detail::formula::Program program;
};
}  // namespace v0
}  // namespace hotcrm
