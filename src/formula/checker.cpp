// Checker: binds names against the schema, types every node, resolves overloads, inserts implicit
// conversions (number -> currency/percent, null -> T) and lowers the Ast to the flat Program both
// evaluators run. Problems become Diagnostics; checking continues past them where it can.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "formula/internal.hpp"

namespace hotcrm::detail::formula {
namespace {

bool is_numeric(FormulaType t) {
  return t == FormulaType::number || t == FormulaType::currency || t == FormulaType::percent;
}
bool is_decimal(FormulaType t) { return t == FormulaType::currency || t == FormulaType::percent; }
bool is_textual(FormulaType t) { return t == FormulaType::text || t == FormulaType::id; }

/// The wider of two numeric types: currency > percent > number.
FormulaType wider_numeric(FormulaType a, FormulaType b) {
  if (a == FormulaType::currency || b == FormulaType::currency) return FormulaType::currency;
  if (a == FormulaType::percent || b == FormulaType::percent) return FormulaType::percent;
  return FormulaType::number;
}

/// A checked expression: its node in the program and its type (nullopt after a reported error).
struct Typed {
  std::uint32_t node = 0;
  std::optional<FormulaType> type;
  std::uint32_t ast = 0;
  bool ok() const { return type.has_value(); }
};

class Checker {
 public:
  Checker(const Schema& schema, std::string_view source, const CompileOptions& options, const Ast& ast,
          Program& program)
      : schema_(schema), source_(source), options_(options), ast_(ast), program_(program) {}

  std::vector<Problem> run(FormulaType& result_type) {
    Typed root = check(ast_.root);
    if (root.ok()) root = check_result(root);
    if (root.ok() && problems_.empty()) {
      program_.root = root.node;
      result_type = *root.type;
    }
    return std::move(problems_);
  }

 private:
  // ---- helpers ----

  const AstNode& ast(std::uint32_t index) const { return ast_.nodes[index]; }
  Typed fail(std::uint32_t ast_index, std::string code, std::string message) {
    return fail_at(ast(ast_index).span, ast_index, std::move(code), std::move(message));
  }
  Typed fail_at(Span span, std::uint32_t ast_index, std::string code, std::string message) {
    problems_.push_back(Problem{std::move(code), span, std::move(message)});
    return Typed{0, std::nullopt, ast_index};
  }

  std::uint32_t emit(Node node, const std::vector<std::uint32_t>& children = {}) {
    node.first_child = static_cast<std::uint32_t>(program_.children.size());
    node.child_count = static_cast<std::uint32_t>(children.size());
    program_.children.insert(program_.children.end(), children.begin(), children.end());
    program_.nodes.push_back(std::move(node));
    return static_cast<std::uint32_t>(program_.nodes.size() - 1);
  }
  Typed typed(Node node, std::uint32_t ast_index, const std::vector<std::uint32_t>& children = {}) {
    const FormulaType type = node.type;
    return Typed{emit(std::move(node), children), type, ast_index};
  }

  /// True when `from` converts implicitly to `to`.
  static bool converts(FormulaType from, FormulaType to) {
    if (from == to || from == FormulaType::null) return true;
    if (from == FormulaType::number && is_decimal(to)) return true;
    if (is_decimal(from) && is_decimal(to)) return true;
    if (from == FormulaType::id && to == FormulaType::text) return true;
    return false;
  }

  /// Inserts a conversion node (folded for literals).
  Typed convert(const Typed& value, FormulaType to) {
    if (!value.ok() || *value.type == to) return value;
    Node& source_node = program_.nodes[value.node];
    if (source_node.op == Op::literal) {
      Fault fault;
      Value folded = *value.type == FormulaType::number && is_decimal(to) && ast(value.ast).kind == AstKind::number
                         ? literal_decimal(value.ast)
                         : convert_value(source_node.literal, to, fault);
      if (fault.error == FormulaError::none) {
        Node literal{Op::literal, to};
        literal.literal = std::move(folded);
        return typed(std::move(literal), value.ast);
      }
    }
    Node node{Op::convert, to};
    return typed(std::move(node), value.ast, {value.node});
  }

  Value literal_decimal(std::uint32_t ast_index) const {
    if (auto exact = Decimal::try_parse(ast(ast_index).text)) return *exact;
    if (auto approx = decimal_from_double(std::strtod(ast(ast_index).text.c_str(), nullptr))) return *approx;
    return Value{};
  }

  std::string type_name(const Typed& t) const { return std::string(to_string(*t.type)); }

  bool is_literal_text(const Typed& t) const {
    return t.ok() && ast(t.ast).kind == AstKind::string;
  }

  Typed picklist_misuse(const Typed& t, std::string_view where) {
    const std::string name = ast(t.ast).kind == AstKind::name ? ast(t.ast).text : "this value";
    const std::string what = *t.type == FormulaType::picklist ? "picklist" : "multi-select picklist";
    std::string hint = *t.type == FormulaType::picklist
                           ? "use ISPICKVAL(" + name + ", 'value'), TEXT(" + name + ") or CASE"
                           : "use INCLUDES(" + name + ", 'value')";
    return fail(t.ast, "E_FORMULA_PICKLIST",
                name + " is a " + what + " field and cannot be used " + std::string(where) + "; " + hint);
  }

  /// Checks a picklist literal against the field's options (when the schema knows them).
  bool check_option(const Typed& field, const Typed& literal) {
    const AstNode& field_ast = ast(field.ast);
    if (field_ast.kind != AstKind::name && !(field_ast.kind == AstKind::call && iequals(field_ast.text, "priorvalue")))
      return true;
    const std::string& name = field_ast.kind == AstKind::name ? field_ast.text : ast(field_ast.children[0]).text;
    std::string ignored;
    const auto resolved = schema_.resolve(name, ignored);
    if (!resolved || resolved->field == nullptr) return true;
    const std::string& value = ast(literal.ast).text;
    if (value.empty() || resolved->field->find_option(value) != nullptr) return true;  // '' tests for blank
    std::string options;
    for (const auto& option : resolved->field->options) options += (options.empty() ? "" : ", ") + option.value;
    fail(literal.ast, "E_FORMULA_PICKLIST_VALUE",
         "'" + value + "' is not a value of picklist " + resolved->path + " (values: " + options + ")");
    return false;
  }

  // ---- expressions ----

  Typed check(std::uint32_t index) {
    const AstNode& node = ast(index);
    switch (node.kind) {
      case AstKind::number: return number_literal(index);
      case AstKind::string: return literal(index, FormulaType::text, Value(node.text));
      case AstKind::boolean: return literal(index, FormulaType::boolean, Value(node.text == "true"));
      case AstKind::null: return literal(index, FormulaType::null, Value{});
      case AstKind::name: return field(index);
      case AstKind::unary: return unary(index);
      case AstKind::binary: return binary(index);
      case AstKind::call: return call(index);
    }
    return fail(index, "E_FORMULA_SYNTAX", "unexpected syntax node");
  }

  Typed literal(std::uint32_t index, FormulaType type, Value value) {
    Node node{Op::literal, type};
    node.literal = std::move(value);
    return typed(std::move(node), index);
  }

  Typed number_literal(std::uint32_t index) {
    const double value = std::strtod(ast(index).text.c_str(), nullptr);
    if (!std::isfinite(value)) return fail(index, "E_FORMULA_NUMBER", "number " + ast(index).text + " is out of range");
    return literal(index, FormulaType::number, Value(value));
  }

  Typed field(std::uint32_t index) {
    std::string message;
    const auto resolved = schema_.resolve(ast(index).text, message);
    if (!resolved) return fail(index, "E_FORMULA_UNKNOWN_FIELD", message);
    Node node{Op::field, resolved->type};
    node.slot = slot_of(*resolved);
    return typed(std::move(node), index);
  }

  std::int32_t slot_of(const FieldResolution& resolved) {
    for (std::size_t i = 0; i < program_.fields.size(); ++i)
      if (program_.fields[i] == resolved.path) return static_cast<std::int32_t>(i);
    program_.fields.push_back(resolved.path);
    program_.field_types.push_back(resolved.type);
    return static_cast<std::int32_t>(program_.fields.size() - 1);
  }

  Typed unary(std::uint32_t index) {
    const AstNode& node = ast(index);
    Typed operand = check(node.children[0]);
    if (!operand.ok()) return operand;
    if (node.op == TokenKind::bang) {
      operand = expect(operand, FormulaType::boolean, "operand of '!'", "E_FORMULA_TYPE_MISMATCH");
      if (!operand.ok()) return operand;
      return typed(Node{Op::logical_not, FormulaType::boolean}, index, {operand.node});
    }
    if (*operand.type == FormulaType::null) operand = convert(operand, FormulaType::number);
    if (is_picklist(operand)) return picklist_misuse(operand, "in arithmetic");
    if (!is_numeric(*operand.type))
      return fail(index, "E_FORMULA_TYPE_MISMATCH", "unary '" + std::string(node.op == TokenKind::minus ? "-" : "+") +
                                                        "' needs a number, found " + type_name(operand));
    if (node.op == TokenKind::plus) return Typed{operand.node, operand.type, index};
    return typed(Node{Op::negate, *operand.type}, index, {operand.node});
  }

  static bool is_picklist(const Typed& t) {
    return t.ok() && (*t.type == FormulaType::picklist || *t.type == FormulaType::multipicklist);
  }

  /// Converts `value` to `type` or reports `code` naming `what`.
  Typed expect(const Typed& value, FormulaType type, const std::string& what, const std::string& code) {
    if (!value.ok()) return value;
    if (is_picklist(value) && type != *value.type) return picklist_misuse(value, "as " + what);
    if (!converts(*value.type, type))
      return fail(value.ast, code, what + " must be " + std::string(to_string(type)) + ", found " + type_name(value));
    return convert(value, type);
  }

  Typed binary(std::uint32_t index) {
    const AstNode& node = ast(index);
    Typed left = check(node.children[0]);
    Typed right = check(node.children[1]);
    if (!left.ok() || !right.ok()) return Typed{0, std::nullopt, index};
    switch (node.op) {
      case TokenKind::and_and:
      case TokenKind::or_or: return logical_binary(index, left, right);
      case TokenKind::ampersand: return concatenation(index, left, right);
      case TokenKind::equal:
      case TokenKind::not_equal:
      case TokenKind::less:
      case TokenKind::less_equal:
      case TokenKind::greater:
      case TokenKind::greater_equal: return comparison(index, left, right);
      default: return arithmetic_binary(index, left, right);
    }
  }

  std::string op_text(std::uint32_t index) const {
    const Span s = ast(index).name_span;
    return std::string(source_.substr(s.offset, s.length));
  }

  Typed mismatch(std::uint32_t index, const Typed& left, const Typed& right) {
    return fail_at(ast(index).name_span, index, "E_FORMULA_TYPE_MISMATCH",
                   "operator '" + op_text(index) + "' cannot combine " + type_name(left) + " and " + type_name(right));
  }

  Typed logical_binary(std::uint32_t index, Typed left, Typed right) {
    const std::string what = "operand of '" + op_text(index) + "'";
    left = expect(left, FormulaType::boolean, what, "E_FORMULA_TYPE_MISMATCH");
    right = expect(right, FormulaType::boolean, what, "E_FORMULA_TYPE_MISMATCH");
    if (!left.ok() || !right.ok()) return Typed{0, std::nullopt, index};
    const Op op = ast(index).op == TokenKind::and_and ? Op::logical_and : Op::logical_or;
    return typed(Node{op, FormulaType::boolean}, index, {left.node, right.node});
  }

  Typed concatenation(std::uint32_t index, Typed left, Typed right) {
    for (Typed* side : {&left, &right}) {
      if (is_picklist(*side)) return picklist_misuse(*side, "with '&'");
      if (*side->type == FormulaType::null || is_textual(*side->type)) {
        *side = convert(*side, FormulaType::text);
        continue;
      }
      return fail(side->ast, "E_FORMULA_TYPE_MISMATCH",
                  "'&' joins text, found " + type_name(*side) + "; convert it with TEXT()");
    }
    return typed(Node{Op::concat, FormulaType::text}, index, {left.node, right.node});
  }

  /// Brings both operands of a comparison to one type, or nullopt when they cannot be compared.
  std::optional<FormulaType> comparable_type(const Typed& left, const Typed& right, bool ordering) {
    const FormulaType a = *left.type, b = *right.type;
    if (a == FormulaType::null && b == FormulaType::null) return FormulaType::number;
    if (a == FormulaType::null) return b;
    if (b == FormulaType::null) return a;
    if (is_numeric(a) && is_numeric(b)) return a == b ? a : wider_numeric(a, b);
    if (is_textual(a) && is_textual(b)) return FormulaType::text;
    if (a == b && a != FormulaType::multipicklist && a != FormulaType::picklist &&
        !(ordering && a == FormulaType::boolean))
      return a;
    return std::nullopt;
  }

  Typed comparison(std::uint32_t index, Typed left, Typed right) {
    const TokenKind token = ast(index).op;
    const bool ordering = token != TokenKind::equal && token != TokenKind::not_equal;
    if (auto picklist = picklist_comparison(index, left, right, ordering)) return *picklist;
    if (is_picklist(left)) return picklist_misuse(left, "in a comparison");
    if (is_picklist(right)) return picklist_misuse(right, "in a comparison");
    const auto type = comparable_type(left, right, ordering);
    if (!type) return mismatch(index, left, right);
    left = convert(left, *type);
    right = convert(right, *type);
    Node node{comparison_op(token), FormulaType::boolean};
    node.operand = *type;  // the operand type decides null handling
    return typed(std::move(node), index, {left.node, right.node});
  }

  /// `picklist = 'literal'` (either side): the literal is checked against the options.
  std::optional<Typed> picklist_comparison(std::uint32_t index, Typed& left, Typed& right, bool ordering) {
    const bool left_pick = left.ok() && *left.type == FormulaType::picklist;
    const bool right_pick = right.ok() && *right.type == FormulaType::picklist;
    if (left_pick == right_pick || ordering) return std::nullopt;
    Typed& pick = left_pick ? left : right;
    Typed& other = left_pick ? right : left;
    if (!is_literal_text(other)) return std::nullopt;
    if (!check_option(pick, other)) return Typed{0, std::nullopt, index};
    Node node{comparison_op(ast(index).op), FormulaType::boolean};
    node.operand = FormulaType::text;
    return typed(std::move(node), index, {left.node, right.node});
  }

  static Op comparison_op(TokenKind token) {
    switch (token) {
      case TokenKind::equal: return Op::equal;
      case TokenKind::not_equal: return Op::not_equal;
      case TokenKind::less: return Op::less;
      case TokenKind::less_equal: return Op::less_equal;
      case TokenKind::greater: return Op::greater;
      default: return Op::greater_equal;
    }
  }

  Typed arithmetic_binary(std::uint32_t index, Typed left, Typed right) {
    const TokenKind token = ast(index).op;
    if (is_picklist(left)) return picklist_misuse(left, "in arithmetic");
    if (is_picklist(right)) return picklist_misuse(right, "in arithmetic");
    if (*left.type == FormulaType::null) left = convert(left, null_partner(*right.type));
    if (*right.type == FormulaType::null) right = convert(right, null_partner(*left.type));
    const FormulaType a = *left.type, b = *right.type;
    if (token == TokenKind::plus && is_textual(a) && is_textual(b)) {
      return typed(Node{Op::concat, FormulaType::text}, index,
                   {convert(left, FormulaType::text).node, convert(right, FormulaType::text).node});
    }
    if (is_numeric(a) && is_numeric(b)) return numeric_binary(index, left, right);
    return temporal_binary(index, left, right);
  }

  /// The type a NULL operand takes next to `other` in arithmetic.
  static FormulaType null_partner(FormulaType other) {
    if (other == FormulaType::date || other == FormulaType::datetime) return FormulaType::number;
    return other == FormulaType::null ? FormulaType::number : other;
  }

  Typed numeric_binary(std::uint32_t index, Typed left, Typed right) {
    const TokenKind token = ast(index).op;
    if (token == TokenKind::caret) {
      left = convert(left, FormulaType::number);
      right = convert(right, FormulaType::number);
      return typed(Node{Op::power, FormulaType::number}, index, {left.node, right.node});
    }
    const FormulaType result = wider_numeric(*left.type, *right.type);
    left = convert(left, result);
    right = convert(right, result);
    const Op op = token == TokenKind::plus    ? Op::add
                  : token == TokenKind::minus ? Op::subtract
                  : token == TokenKind::star  ? Op::multiply
                                              : Op::divide;
    return typed(Node{op, result}, index, {left.node, right.node});
  }

  /// date + number, number + date, date - number, date - date, and the same for datetime.
  Typed temporal_binary(std::uint32_t index, Typed left, Typed right) {
    const TokenKind token = ast(index).op;
    const FormulaType a = *left.type, b = *right.type;
    const bool a_time = a == FormulaType::date || a == FormulaType::datetime;
    const bool b_time = b == FormulaType::date || b == FormulaType::datetime;
    if (token == TokenKind::plus && a_time && is_numeric(b))
      return typed(Node{Op::add, a}, index, {left.node, convert(right, FormulaType::number).node});
    if (token == TokenKind::plus && is_numeric(a) && b_time)
      return typed(Node{Op::add, b}, index, {right.node, convert(left, FormulaType::number).node});
    if (token == TokenKind::minus && a_time && is_numeric(b))
      return typed(Node{Op::subtract, a}, index, {left.node, convert(right, FormulaType::number).node});
    if (token == TokenKind::minus && a_time && a == b)
      return typed(Node{Op::subtract, FormulaType::number}, index, {left.node, right.node});
    return mismatch(index, left, right);
  }

  // ---- function calls ----

  Typed call(std::uint32_t index) {
    const AstNode& node = ast(index);
    const FunctionInfo* info = FunctionLibrary::instance().find(node.text);
    if (info == nullptr) return unknown_function(index);
    const int count = static_cast<int>(node.children.size());
    if (count < info->min_args || (info->max_args >= 0 && count > info->max_args)) return wrong_count(index, *info);
    if (info->id == FunctionId::ischanged || info->id == FunctionId::priorvalue) return prior_function(index, *info);
    std::vector<Typed> args;
    bool all_ok = true;
    for (std::uint32_t child : node.children) {
      args.push_back(check(child));
      all_ok = all_ok && args.back().ok();
    }
    if (!all_ok) return Typed{0, std::nullopt, index};
    return typed_call(index, *info, args);
  }

  Typed unknown_function(std::uint32_t index) {
    const std::string& name = ast(index).text;
    std::string best;
    std::size_t best_distance = 3;
    for (const auto& function : FunctionLibrary::instance().all()) {
      const std::size_t d = edit_distance(name, function.name);
      if (d < best_distance) best_distance = d, best = function.name;
    }
    return fail_at(ast(index).name_span, index, "E_FORMULA_UNKNOWN_FUNCTION",
                   "unknown function " + name + (best.empty() ? "" : "; did you mean " + best + "?"));
  }

  Typed wrong_count(std::uint32_t index, const FunctionInfo& info) {
    std::string expected;
    if (info.max_args < 0) expected = "at least " + std::to_string(info.min_args);
    else if (info.min_args == info.max_args) expected = std::to_string(info.min_args);
    else expected = std::to_string(info.min_args) + " to " + std::to_string(info.max_args);
    if (info.id == FunctionId::case_) expected = "an even number (at least 4)";
    return fail_at(ast(index).name_span, index, "E_FORMULA_ARGUMENT_COUNT",
                   std::string(info.name) + " takes " + expected + " argument" + (expected == "1" ? "" : "s") +
                       ", found " + std::to_string(ast(index).children.size()));
  }

  /// ISCHANGED(field) / PRIORVALUE(field): the argument must name a field.
  Typed prior_function(std::uint32_t index, const FunctionInfo& info) {
    const std::uint32_t argument = ast(index).children[0];
    if (ast(argument).kind != AstKind::name)
      return fail(argument, "E_FORMULA_NOT_A_FIELD", std::string(info.name) + " needs a field name as its argument");
    Typed field_value = field(argument);
    if (!field_value.ok()) return field_value;
    Node node{Op::call, info.id == FunctionId::ischanged ? FormulaType::boolean : *field_value.type, info.id};
    node.slot = program_.nodes[field_value.node].slot;
    return typed(std::move(node), index, {field_value.node});
  }

  Typed arg_error(const Typed& arg, const FunctionInfo& info, std::size_t position, std::string_view wanted) {
    if (is_picklist(arg)) return picklist_misuse(arg, "in " + std::string(info.name));
    return fail(arg.ast, "E_FORMULA_ARGUMENT_TYPE",
                "argument " + std::to_string(position + 1) + " of " + std::string(info.name) + " must be " +
                    std::string(wanted) + ", found " + type_name(arg));
  }

  /// Converts argument `i` to `type` (or reports it).
  bool want(std::vector<Typed>& args, std::size_t i, FormulaType type, const FunctionInfo& info) {
    if (is_picklist(args[i]) || !converts(*args[i].type, type)) {
      args[i] = arg_error(args[i], info, i, to_string(type));
      return false;
    }
    args[i] = convert(args[i], type);
    return true;
  }
  bool want_numeric(std::vector<Typed>& args, std::size_t i, const FunctionInfo& info) {
    if (*args[i].type == FormulaType::null) args[i] = convert(args[i], FormulaType::number);
    if (is_numeric(*args[i].type)) return true;
    args[i] = arg_error(args[i], info, i, "a number, currency or percent");
    return false;
  }

  Typed finish_call(std::uint32_t index, const FunctionInfo& info, FormulaType result, const std::vector<Typed>& args) {
    std::vector<std::uint32_t> children;
    for (const Typed& arg : args) children.push_back(arg.node);
    return typed(Node{Op::call, result, info.id}, index, children);
  }

  Typed typed_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    switch (info.id) {
      case FunctionId::and_:
      case FunctionId::or_: return logical_call(index, info, args);
      case FunctionId::not_:
        if (!want(args, 0, FormulaType::boolean, info)) return args[0];
        return typed(Node{Op::logical_not, FormulaType::boolean}, index, {args[0].node});
      case FunctionId::if_: return if_call(index, info, args);
      case FunctionId::case_: return case_call(index, info, args);
      case FunctionId::isblank:
      case FunctionId::isnull: return finish_call(index, info, FormulaType::boolean, args);
      case FunctionId::blankvalue:
      case FunctionId::nullvalue: return unified_call(index, info, args);
      case FunctionId::ispickval: return pick_call(index, info, args, FormulaType::picklist);
      case FunctionId::includes: return pick_call(index, info, args, FormulaType::multipicklist);
      case FunctionId::isnew:
      case FunctionId::today:
      case FunctionId::now: return finish_call(index, info, result_of(info.id), args);
      default: return library_call(index, info, args);
    }
  }

  static FormulaType result_of(FunctionId id) {
    if (id == FunctionId::today) return FormulaType::date;
    if (id == FunctionId::now) return FormulaType::datetime;
    return FormulaType::boolean;
  }

  Typed logical_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    bool ok = true;
    for (std::size_t i = 0; i < args.size(); ++i) ok = want(args, i, FormulaType::boolean, info) && ok;
    if (!ok) return Typed{0, std::nullopt, index};
    std::vector<std::uint32_t> children;
    for (const Typed& arg : args) children.push_back(arg.node);
    return typed(Node{info.id == FunctionId::and_ ? Op::logical_and : Op::logical_or, FormulaType::boolean}, index,
                 children);
  }

  /// The common type of several branch values, or nullopt.
  std::optional<FormulaType> unify(const std::vector<const Typed*>& values) {
    std::optional<FormulaType> common;
    for (const Typed* value : values) {
      const FormulaType t = *value->type;
      if (t == FormulaType::null) continue;
      if (!common || *common == t) {
        common = t;
      } else if (is_numeric(*common) && is_numeric(t)) {
        common = wider_numeric(*common, t);
      } else if (is_textual(*common) && is_textual(t)) {
        common = FormulaType::text;
      } else {
        return std::nullopt;
      }
    }
    return common.value_or(FormulaType::null);
  }

  Typed branches_mismatch(std::uint32_t index, const FunctionInfo& info, const std::vector<const Typed*>& values) {
    std::string types;
    for (const Typed* value : values) types += (types.empty() ? "" : ", ") + type_name(*value);
    return fail(index, "E_FORMULA_ARGUMENT_TYPE",
                "the results of " + std::string(info.name) + " must have one type, found " + types);
  }

  Typed if_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    if (!want(args, 0, FormulaType::boolean, info)) return args[0];
    for (std::size_t i : {1u, 2u})
      if (is_picklist(args[i])) return picklist_misuse(args[i], "as a result of IF");
    const auto common = unify({&args[1], &args[2]});
    if (!common) return branches_mismatch(index, info, {&args[1], &args[2]});
    args[1] = convert(args[1], *common);
    args[2] = convert(args[2], *common);
    return typed(Node{Op::if_, *common}, index, {args[0].node, args[1].node, args[2].node});
  }

  /// BLANKVALUE / NULLVALUE: the value and its replacement unify.
  Typed unified_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    for (const Typed& arg : args)
      if (is_picklist(arg)) return picklist_misuse(arg, "in " + std::string(info.name));
    const auto common = unify({&args[0], &args[1]});
    if (!common) return branches_mismatch(index, info, {&args[0], &args[1]});
    args[0] = convert(args[0], *common);
    args[1] = convert(args[1], *common);
    return typed(Node{Op::call, *common, info.id}, index, {args[0].node, args[1].node});
  }

  Typed case_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    if (args.size() % 2 != 0) return wrong_count(index, info);
    Typed& subject = args[0];
    const bool picklist = *subject.type == FormulaType::picklist;
    if (*subject.type == FormulaType::multipicklist) return picklist_misuse(subject, "in CASE");
    const FormulaType match_type = picklist ? FormulaType::text : *subject.type;
    if (picklist) subject = Typed{subject.node, FormulaType::text, subject.ast};
    bool ok = true;
    for (std::size_t i = 1; i + 1 < args.size(); i += 2) {
      if (picklist && is_literal_text(args[i])) ok = check_option(Typed{0, FormulaType::picklist, args[0].ast}, args[i]) && ok;
      const auto type = comparable_type(subject, args[i], false);
      if (!type || *type != match_type) {
        ok = false;
        fail(args[i].ast, "E_FORMULA_ARGUMENT_TYPE",
             "CASE value must be " + std::string(to_string(match_type)) + " like the expression, found " + type_name(args[i]));
        continue;
      }
      args[i] = convert(args[i], match_type);
    }
    if (!ok) return Typed{0, std::nullopt, index};
    std::vector<const Typed*> results;
    for (std::size_t i = 2; i < args.size(); i += 2) results.push_back(&args[i]);
    results.push_back(&args.back());
    for (const Typed* result : results)
      if (is_picklist(*result)) return picklist_misuse(*result, "as a result of CASE");
    const auto common = unify(results);
    if (!common) return branches_mismatch(index, info, results);
    for (std::size_t i = 2; i < args.size(); i += 2) args[i] = convert(args[i], *common);
    args.back() = convert(args.back(), *common);
    std::vector<std::uint32_t> children;
    for (const Typed& arg : args) children.push_back(arg.node);
    Node node{Op::case_, *common};
    node.operand = match_type;
    return typed(std::move(node), index, children);
  }

  /// ISPICKVAL(picklist, text) / INCLUDES(multipicklist, text).
  Typed pick_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args, FormulaType wanted) {
    if (*args[0].type != wanted && *args[0].type != FormulaType::null)
      return fail(args[0].ast, "E_FORMULA_ARGUMENT_TYPE",
                  "argument 1 of " + std::string(info.name) + " must be a " +
                      (wanted == FormulaType::picklist ? "picklist" : "multi-select picklist") + " field, found " +
                      type_name(args[0]));
    if (!want(args, 1, FormulaType::text, info)) return args[1];
    if (is_literal_text(args[1]) && !check_option(args[0], args[1])) return Typed{0, std::nullopt, index};
    return finish_call(index, info, FormulaType::boolean, args);
  }

  /// Functions with fixed signatures (text, math, date).
  Typed library_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    using T = FormulaType;
    const auto all_ok = [&](std::initializer_list<std::pair<std::size_t, T>> wanted) {
      bool ok = true;
      for (auto [i, type] : wanted)
        if (i < args.size()) ok = want(args, i, type, info) && ok;
      return ok;
    };
    const auto done = [&](bool ok, T result) {
      return ok ? finish_call(index, info, result, args) : Typed{0, std::nullopt, index};
    };
    switch (info.id) {
      case FunctionId::isnumber: return done(all_ok({{0, T::text}}), T::boolean);
      case FunctionId::len: return done(all_ok({{0, T::text}}), T::number);
      case FunctionId::left:
      case FunctionId::right: return done(all_ok({{0, T::text}, {1, T::number}}), T::text);
      case FunctionId::mid: return done(all_ok({{0, T::text}, {1, T::number}, {2, T::number}}), T::text);
      case FunctionId::upper:
      case FunctionId::lower:
      case FunctionId::trim: return done(all_ok({{0, T::text}}), T::text);
      case FunctionId::contains:
      case FunctionId::begins: return done(all_ok({{0, T::text}, {1, T::text}}), T::boolean);
      case FunctionId::find: return done(all_ok({{0, T::text}, {1, T::text}, {2, T::number}}), T::number);
      case FunctionId::substitute: return done(all_ok({{0, T::text}, {1, T::text}, {2, T::text}}), T::text);
      case FunctionId::text: return text_call(index, info, args);
      case FunctionId::value: return done(all_ok({{0, T::text}}), T::number);
      case FunctionId::lpad:
      case FunctionId::rpad: return done(all_ok({{0, T::text}, {1, T::number}, {2, T::text}}), T::text);
      case FunctionId::regex: return regex_call(index, info, args);
      case FunctionId::abs:
      case FunctionId::ceiling:
      case FunctionId::floor:
      case FunctionId::round:
      case FunctionId::trunc: return numeric_same(index, info, args, 1);
      case FunctionId::max:
      case FunctionId::min:
      case FunctionId::mod: return numeric_same(index, info, args, args.size());
      case FunctionId::sqrt:
      case FunctionId::exp:
      case FunctionId::ln:
      case FunctionId::log:
      case FunctionId::power: return numeric_as_number(index, info, args);
      case FunctionId::date: return done(all_ok({{0, T::number}, {1, T::number}, {2, T::number}}), T::date);
      case FunctionId::datevalue: return temporal_conversion(index, info, args, T::date);
      case FunctionId::datetimevalue: return temporal_conversion(index, info, args, T::datetime);
      case FunctionId::year:
      case FunctionId::month:
      case FunctionId::day:
      case FunctionId::weekday: return done(all_ok({{0, T::date}}), T::number);
      case FunctionId::hour:
      case FunctionId::minute: return done(all_ok({{0, T::datetime}}), T::number);
      case FunctionId::addmonths: return addmonths_call(index, info, args);
      default: return fail(index, "E_FORMULA_UNKNOWN_FUNCTION", "function " + std::string(info.name) + " is not typed");
    }
  }

  Typed text_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    if (*args[0].type == FormulaType::multipicklist) return picklist_misuse(args[0], "in TEXT");
    return finish_call(index, info, FormulaType::text, args);
  }

  Typed regex_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    if (!want(args, 0, FormulaType::text, info) || !want(args, 1, FormulaType::text, info))
      return Typed{0, std::nullopt, index};
    Typed call_node = finish_call(index, info, FormulaType::boolean, args);
    if (is_literal_text(args[1])) {
      std::string message;
      auto compiled = CompiledRegex::compile(ast(args[1].ast).text, message);
      if (!compiled) return fail(args[1].ast, "E_FORMULA_REGEX", "invalid regular expression: " + message);
      program_.nodes[call_node.node].regex = std::move(compiled);
    }
    return call_node;
  }

  /// ABS, ROUND, TRUNC, CEILING, FLOOR, MAX, MIN, MOD: the first `unified` arguments share the
  /// widest numeric type, which is also the result; the rest (digits) are numbers.
  Typed numeric_same(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args, std::size_t unified) {
    bool ok = true;
    std::optional<FormulaType> result;
    for (std::size_t i = 0; i < unified; ++i) {
      ok = want_numeric(args, i, info) && ok;
      if (args[i].ok()) result = result ? wider_numeric(*result, *args[i].type) : *args[i].type;
    }
    for (std::size_t i = unified; i < args.size(); ++i) ok = want(args, i, FormulaType::number, info) && ok;
    if (!ok) return Typed{0, std::nullopt, index};
    for (std::size_t i = 0; i < unified; ++i) args[i] = convert(args[i], *result);
    return finish_call(index, info, *result, args);
  }

  Typed numeric_as_number(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    bool ok = true;
    for (std::size_t i = 0; i < args.size(); ++i) ok = want_numeric(args, i, info) && ok;
    if (!ok) return Typed{0, std::nullopt, index};
    for (auto& arg : args) arg = to_number(arg);
    return finish_call(index, info, FormulaType::number, args);
  }

  /// Decimal -> number is explicit in math functions (they compute in double).
  Typed to_number(const Typed& value) {
    if (*value.type == FormulaType::number) return value;
    return typed(Node{Op::convert, FormulaType::number}, value.ast, {value.node});
  }

  Typed temporal_conversion(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args, FormulaType result) {
    const FormulaType t = *args[0].type;
    if (t == FormulaType::null || t == FormulaType::id) args[0] = convert(args[0], FormulaType::text);
    else if (t != FormulaType::text && t != FormulaType::date && t != FormulaType::datetime)
      return arg_error(args[0], info, 0, "text, date or datetime");
    return finish_call(index, info, result, args);
  }

  Typed addmonths_call(std::uint32_t index, const FunctionInfo& info, std::vector<Typed>& args) {
    const FormulaType t = *args[0].type == FormulaType::null ? FormulaType::date : *args[0].type;
    if (t != FormulaType::date && t != FormulaType::datetime) return arg_error(args[0], info, 0, "date or datetime");
    args[0] = convert(args[0], t);
    if (!want(args, 1, FormulaType::number, info)) return args[1];
    return finish_call(index, info, t, args);
  }

  // ---- result ----

  Typed check_result(const Typed& root) {
    if (!options_.expected) {
      if (is_picklist(root)) return picklist_misuse(root, "as the result of a formula");
      return root;
    }
    const FormulaType expected = *options_.expected;
    if (*root.type == expected) return root;
    if (expected == FormulaType::boolean)
      return fail(ast_.root, "E_FORMULA_NOT_BOOLEAN",
                  "the formula must return boolean (true or false), but it returns " + type_name(root));
    if (!converts(*root.type, expected) || is_picklist(root))
      return fail(ast_.root, "E_FORMULA_RESULT_TYPE",
                  "the formula must return " + std::string(to_string(expected)) + ", but it returns " + type_name(root));
    return convert(root, expected);
  }

  const Schema& schema_;
  std::string_view source_;
  const CompileOptions& options_;
  const Ast& ast_;
  Program& program_;
  std::vector<Problem> problems_;
};

std::pair<int, int> line_and_column(std::string_view source, std::uint32_t offset) {
  int line = 1, column = 1;
  for (std::uint32_t i = 0; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') ++line, column = 1;
    else ++column;
  }
  return {line, column};
}

Diagnostic to_diagnostic(std::string_view source, const Problem& problem) {
  const auto [line, column] = line_and_column(source, problem.span.offset);
  return Diagnostic{problem.code, line, column, std::max<int>(1, static_cast<int>(problem.span.length)), problem.message};
}

}  // namespace

CompileResult compile(const Schema& schema, std::string_view source, const CompileOptions& options) {
  CompileResult result;
  Ast ast;
  Problem problem;
  if (!parse(source, options, ast, problem)) {
    result.diagnostics.push_back(to_diagnostic(source, problem));
    return result;
  }
  auto impl = std::make_shared<Formula::Impl>();
  impl->source = std::string(source);
  impl->program.blank_as_zero = options.blank_as_zero;
  Checker checker(schema, source, options, ast, impl->program);
  std::vector<Problem> problems = checker.run(impl->result_type);
  // Arguments are checked before their call, so report in source order instead of discovery order.
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Problem& a, const Problem& b) { return a.span.offset < b.span.offset; });
  for (const Problem& p : problems) result.diagnostics.push_back(to_diagnostic(source, p));
  if (result.diagnostics.empty()) result.formula = Formula(std::move(impl));
  return result;
}

}  // namespace hotcrm::detail::formula
