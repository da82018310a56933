// Boolean formulas as query filters. The compiled formula is split into its top-level AND
// conjuncts; each conjunct that SQL can express exactly is translated (columns, bound
// parameters, constant sub-expressions folded at translation time), and the remaining conjuncts
// are evaluated by the engine per row through one SQL function call. Either way the result is the
// formula's own: translations reproduce its null rules (text blank == "", other comparisons with
// null are false, NOT of false is true), and anything they cannot reproduce is left to the engine.
#include <fmt/format.h>

#include "formula/internal.hpp"
#include "hotcrm/error.hpp"
#include "store/access.hpp"
#include "store/engine_formula.hpp"
#include "store/sql_builder.hpp"

namespace hotcrm::detail {

namespace fd = formula;

namespace {

bool is_textual(FormulaType type) {
  return type == FormulaType::text || type == FormulaType::picklist || type == FormulaType::id;
}

class FormulaSql {
 public:
  FormulaSql(SqlBuilder& builder, const fd::Program& program)
      : builder_(builder), program_(program), context_{.now = builder.now()} {}

  /// SQL that is true (1) exactly for the rows where the node is TRUE; nullopt when SQL cannot
  /// express it exactly. May add parameters even when it gives up (the caller truncates them).
  std::optional<std::string> condition(std::uint32_t index) {
    const fd::Node& n = node(index);
    if (is_constant(index)) {
      auto result = fd::evaluate_row_at(program_, index, {}, context_);
      return result.ok() && fd::truthy(result.value) ? "1" : "0";
    }
    switch (n.op) {
      case fd::Op::field: {
        auto column = operand(index);
        if (!column) return std::nullopt;
        return column->sql + " = 1";
      }
      case fd::Op::logical_and:
      case fd::Op::logical_or: {
        std::string sql;
        for (std::uint32_t i = 0; i < n.child_count; ++i) {
          auto part = condition(program_.child(n, i));
          if (!part) return std::nullopt;
          sql += (sql.empty() ? "(" : (n.op == fd::Op::logical_and ? " AND " : " OR ")) + *part;
        }
        return sql + ")";
      }
      case fd::Op::logical_not: {
        auto part = condition(program_.child(n, 0));
        if (!part) return std::nullopt;
        return "((" + *part + ") IS NOT 1)";
      }
      case fd::Op::equal:
      case fd::Op::not_equal:
      case fd::Op::less:
      case fd::Op::less_equal:
      case fd::Op::greater:
      case fd::Op::greater_equal: return comparison(n);
      case fd::Op::call: return call(n);
      default: return std::nullopt;
    }
  }

 private:
  /// A comparison operand: a stored column, or a constant already evaluated.
  struct Operand {
    std::string sql;
    const FieldDef* field = nullptr;
    std::optional<Value> constant;
  };

  const fd::Node& node(std::uint32_t index) const { return program_.nodes[index]; }

  /// No field, no prior-state function: the value is the same for every row.
  bool is_constant(std::uint32_t index) const {
    const fd::Node& n = node(index);
    if (n.op == fd::Op::field) return false;
    if (n.op == fd::Op::call && (n.function == fd::FunctionId::isnew || n.function == fd::FunctionId::ischanged ||
                                 n.function == fd::FunctionId::priorvalue))
      return false;
    for (std::uint32_t i = 0; i < n.child_count; ++i)
      if (!is_constant(program_.child(n, i))) return false;
    return true;
  }

  std::optional<Operand> operand(std::uint32_t index) {
    const fd::Node& n = node(index);
    if (is_constant(index)) {
      auto result = fd::evaluate_row_at(program_, index, {}, context_);
      if (!result.ok()) return std::nullopt;
      return Operand{{}, nullptr, result.value};
    }
    if (n.op == fd::Op::field) {
      // "Treat blanks as zero" reads null numbers as 0, which plain columns do not.
      if (program_.blank_as_zero) return std::nullopt;
      const auto& path = program_.fields[static_cast<std::size_t>(n.slot)];
      auto column = builder_.try_resolve(path);
      if (!column) return std::nullopt;
      if (column->field->encrypted) (void)builder_.resolve_clear(path, "filter on");  // throws: ciphertext only
      return Operand{column->sql, column->field, std::nullopt};
    }
    // Picklists and ids compared as text keep their stored text.
    if (n.op == fd::Op::convert && is_textual(n.type)) {
      auto inner = operand(program_.child(n, 0));
      if (inner && inner->field && is_textual(formula_type_of(*inner->field))) return inner;
    }
    return std::nullopt;
  }

  std::string bind(const FieldDef* field, Value value) {
    builder_.add_parameter({field, std::move(value)});
    return "?";
  }

  static const char* sql_operator(fd::Op op) {
    switch (op) {
      case fd::Op::equal: return "=";
      case fd::Op::not_equal: return "<>";
      case fd::Op::less: return "<";
      case fd::Op::less_equal: return "<=";
      case fd::Op::greater: return ">";
      default: return ">=";
    }
  }

  std::optional<std::string> comparison(const fd::Node& n) {
    auto left = operand(program_.child(n, 0));
    if (!left) return std::nullopt;
    auto right = operand(program_.child(n, 1));
    if (!right) return std::nullopt;
    const char* op = sql_operator(n.op);
    if (is_textual(n.operand)) return text_comparison(n.op, *left, *right);
    // Every other comparison with a null operand is false, as SQL's NULL is in a WHERE clause.
    if ((left->constant && left->constant->is_null()) || (right->constant && right->constant->is_null())) return "0";
    switch (n.operand) {
      case FormulaType::number: {
        auto side = [&](const Operand& o) -> std::optional<std::string> {
          if (!o.constant) return o.sql;
          if (o.constant->kind() != ValueKind::real) return std::nullopt;
          return bind(nullptr, *o.constant);
        };
        auto a = side(*left);
        if (!a) return std::nullopt;
        auto b = side(*right);
        if (!b) return std::nullopt;
        return fmt::format("{} {} {}", *a, op, *b);
      }
      case FormulaType::currency:
      case FormulaType::percent: {
        // Stored as units of the field's scale: constants bind exactly against the other side's
        // field; two columns compare directly only at the same scale.
        if (left->field && right->field) {
          if (left->field->scale != right->field->scale) return std::nullopt;
          return fmt::format("{} {} {}", left->sql, op, right->sql);
        }
        const Operand& column = left->field ? *left : *right;
        const Operand& constant = left->field ? *right : *left;
        if (!column.field->is_decimal() || constant.constant->kind() != ValueKind::decimal) return std::nullopt;
        if (left->field) return fmt::format("{} {} {}", column.sql, op, bind(column.field, *constant.constant));
        auto placeholder = bind(column.field, *constant.constant);
        return fmt::format("{} {} {}", placeholder, op, column.sql);
      }
      case FormulaType::date:
      case FormulaType::datetime:
      case FormulaType::boolean: {
        auto side = [&](const Operand& o) -> std::optional<std::string> {
          if (!o.constant) return n.operand == FormulaType::boolean ? "COALESCE(" + o.sql + ", 0)" : o.sql;
          const Value& v = *o.constant;
          if (v.kind() == ValueKind::date && n.operand == FormulaType::date) return bind(nullptr, Value(std::int64_t{v.as_date().days}));
          if (v.kind() == ValueKind::datetime && n.operand == FormulaType::datetime)
            return bind(nullptr, Value(v.as_datetime().micros));
          if (v.kind() == ValueKind::boolean && n.operand == FormulaType::boolean)
            return bind(nullptr, Value(std::int64_t{v.as_bool() ? 1 : 0}));
          return std::nullopt;
        };
        if ((left->field && formula_type_of(*left->field) != n.operand) ||
            (right->field && formula_type_of(*right->field) != n.operand))
          return std::nullopt;
        auto a = side(*left);
        if (!a) return std::nullopt;
        auto b = side(*right);
        if (!b) return std::nullopt;
        return fmt::format("{} {} {}", *a, op, *b);
      }
      default: return std::nullopt;
    }
  }

  /// Text never reads as null in formulas: a blank field equals "".
  std::optional<std::string> text_comparison(fd::Op op, const Operand& left, const Operand& right) {
    auto text_of = [](const Operand& o) -> std::optional<std::string> {
      if (o.constant->is_null()) return std::string();
      if (o.constant->kind() != ValueKind::text && o.constant->kind() != ValueKind::id) return std::nullopt;
      return o.constant->as_string();
    };
    if (left.field && right.constant) {
      auto text = text_of(right);
      if (!text) return std::nullopt;
      // The indexable forms: a blank column never equals a non-empty constant.
      if (op == fd::Op::equal && !text->empty()) return left.sql + " = " + bind(nullptr, Value(*text));
      if (op == fd::Op::not_equal && !text->empty()) return left.sql + " IS NOT " + bind(nullptr, Value(*text));
      return fmt::format("COALESCE({}, '') {} {}", left.sql, sql_operator(op), bind(nullptr, Value(*text)));
    }
    if (left.constant) {
      auto text = text_of(left);
      if (!text) return std::nullopt;
      auto placeholder = bind(nullptr, Value(*text));
      return fmt::format("{} {} COALESCE({}, '')", placeholder, sql_operator(op), right.sql);
    }
    return fmt::format("COALESCE({}, '') {} COALESCE({}, '')", left.sql, sql_operator(op), right.sql);
  }

  /// The functions with exact SQL forms, applied to a column and constant arguments.
  std::optional<std::string> call(const fd::Node& n) {
    auto column_argument = [&]() -> std::optional<Operand> {
      auto o = operand(program_.child(n, 0));
      if (!o || !o->field) return std::nullopt;
      return o;
    };
    auto text_argument = [&](std::uint32_t i) -> std::optional<std::string> {
      auto o = operand(program_.child(n, i));
      if (!o || !o->constant) return std::nullopt;
      if (o->constant->is_null()) return std::string();
      if (o->constant->kind() != ValueKind::text) return std::nullopt;
      return o->constant->as_string();
    };
    switch (n.function) {
      case fd::FunctionId::isblank:
      case fd::FunctionId::isnull: {
        auto column = column_argument();
        if (!column) return std::nullopt;
        const FormulaType type = formula_type_of(*column->field);
        if (is_textual(type)) return fmt::format("({0} IS NULL OR {0} = '')", column->sql);
        if (type == FormulaType::boolean || type == FormulaType::multipicklist) return std::nullopt;
        return column->sql + " IS NULL";
      }
      case fd::FunctionId::ispickval: {
        auto column = column_argument();
        if (!column) return std::nullopt;
        auto text = text_argument(1);
        if (!text) return std::nullopt;
        if (text->empty()) return fmt::format("({0} IS NULL OR {0} = '')", column->sql);
        return column->sql + " = " + bind(nullptr, Value(*text));
      }
      case fd::FunctionId::contains:
      case fd::FunctionId::begins: {
        auto column = column_argument();
        if (!column || !is_textual(formula_type_of(*column->field))) return std::nullopt;
        auto text = text_argument(1);
        if (!text || text->empty()) return std::nullopt;
        if (n.function == fd::FunctionId::contains) return fmt::format("instr({}, {}) > 0", column->sql, bind(nullptr, Value(*text)));
        auto length = bind(nullptr, Value(*text));
        return fmt::format("substr({}, 1, length({})) = {}", column->sql, length, bind(nullptr, Value(*text)));
      }
      case fd::FunctionId::includes: {
        auto column = column_argument();
        if (!column || formula_type_of(*column->field) != FormulaType::multipicklist) return std::nullopt;
        auto text = text_argument(1);
        if (!text) return std::nullopt;
        return fmt::format("EXISTS (SELECT 1 FROM json_each({}) WHERE value = {})", column->sql, bind(nullptr, Value(*text)));
      }
      default: return std::nullopt;
    }
  }

  SqlBuilder& builder_;
  const fd::Program& program_;
  EvalContext context_;
};

void conjuncts(const fd::Program& program, std::uint32_t index, std::vector<std::uint32_t>& out) {
  const fd::Node& n = program.nodes[index];
  if (n.op != fd::Op::logical_and) {
    out.push_back(index);
    return;
  }
  for (std::uint32_t i = 0; i < n.child_count; ++i) conjuncts(program, program.child(n, i), out);
}

std::string formula_text(const Value& value) {
  switch (value.kind()) {
    case ValueKind::null: return "NULL";
    case ValueKind::boolean: return value.as_bool() ? "TRUE" : "FALSE";
    case ValueKind::integer: return std::to_string(value.as_int());
    case ValueKind::real: return fmt::format("{}", value.as_double());
    case ValueKind::decimal: return value.as_decimal().to_string();
    case ValueKind::date: return "DATEVALUE('" + value.as_date().to_string() + "')";
    case ValueKind::datetime: return "DATETIMEVALUE('" + value.as_datetime().to_string() + "')";
    case ValueKind::list: return value.as_list().empty() ? "''" : formula_text(Value(value.as_list().front()));
    case ValueKind::text:
    case ValueKind::id: {
      std::string out = "'";
      for (char c : value.as_string()) {
        if (c == '\'' || c == '\\') out += '\\';
        if (c == '\n') {
          out += "\\n";
          continue;
        }
        out += c;
      }
      return out + "'";
    }
  }
  return "NULL";
}

}  // namespace

std::string formula_source_of(const Filter& compare) {
  const std::string& f = compare.field;
  auto first = [&] { return compare.values.empty() ? std::string("NULL") : formula_text(compare.values.front()); };
  auto any_equal = [&] {
    std::string out = "OR(FALSE";
    for (const auto& value : compare.values) out += ", " + f + " = " + formula_text(value);
    return out + ")";
  };
  switch (compare.op) {
    case CompareOp::eq: return f + " = " + first();
    // The filter language's != keeps records where the field is blank (SOQL's rule).
    case CompareOp::ne: return "OR(ISBLANK(" + f + "), " + f + " != " + first() + ")";
    case CompareOp::lt: return f + " < " + first();
    case CompareOp::le: return f + " <= " + first();
    case CompareOp::gt: return f + " > " + first();
    case CompareOp::ge: return f + " >= " + first();
    case CompareOp::in: return any_equal();
    case CompareOp::not_in: return "NOT(" + any_equal() + ")";
    case CompareOp::contains: return "CONTAINS(" + f + ", " + first() + ")";
    case CompareOp::starts_with: return "BEGINS(" + f + ", " + first() + ")";
    case CompareOp::is_null: return "ISBLANK(" + f + ")";
    case CompareOp::not_null: return "NOT(ISBLANK(" + f + "))";
  }
  return "FALSE";
}

std::string formula_filter_sql(SqlBuilder& builder, const std::string& source) {
  const ObjectPlan& plan = builder.root();
  CompileOptions options;
  options.expected = FormulaType::boolean;
  // A user's filter cannot name fields hidden from the user; sharing-rule criteria (system) can.
  if (builder.access()) options = user_compile_options(builder.impl(), options);
  auto compiled = compile_formula(builder.impl().catalog, plan.object->name, source, options);
  if (!compiled.ok()) {
    std::string message = fmt::format("the filter on {} is not a valid formula:\n{}", plan.object->name,
                                      render_diagnostics(compiled.diagnostics, source));
    try {
      (void)parse_where(source);
    } catch (const Error& not_where) {
      message += "\n(nor is it a where-string: " + std::string(not_where.what()) + ")";
    }
    throw UsageError(ErrorCode::parse, message);
  }
  const Formula& formula = *compiled.formula;
  const fd::Program& program = formula.impl().program;
  std::vector<std::uint32_t> parts;
  conjuncts(program, program.root, parts);
  FormulaSql translator(builder, program);
  std::string sql;
  std::vector<std::uint32_t> engine_nodes;
  for (std::uint32_t part : parts) {
    const std::size_t mark = builder.parameter_count();
    if (auto translated = translator.condition(part)) {
      sql += (sql.empty() ? "" : " AND ") + *translated;
    } else {
      builder.truncate_parameters(mark);
      engine_nodes.push_back(part);
    }
  }
  if (!engine_nodes.empty()) {
    auto call = builder.engine_call(EngineFormula::condition(builder.impl(), plan, builder.tenant(), builder.now(), formula,
                                                             std::move(engine_nodes), builder.access()));
    sql += (sql.empty() ? "" : " AND ") + call + " = 1";
  }
  return sql.empty() ? "1" : sql;
}

}  // namespace hotcrm::detail
