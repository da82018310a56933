// Row evaluator: a switch interpreter over the flat compiled node vector (no closures, no
// std::function). IF, CASE, AND and OR evaluate only the branches they need.
#include "formula/internal.hpp"

namespace hotcrm::detail::formula {
namespace {

class RowEvaluator {
 public:
  RowEvaluator(const Program& program, std::span<const Value> slots, const EvalContext& context)
      : program_(program), slots_(slots), context_(context) {}

  EvalResult run(std::uint32_t root) {
    Value value = eval(root);
    if (fault_.error != FormulaError::none) return EvalResult{Value{}, fault_.error};
    return EvalResult{std::move(value), FormulaError::none};
  }

 private:
  Value child(const Node& node, std::uint32_t i) { return eval(program_.child(node, i)); }

  /// Like child(), but literals and well-typed field values are returned by reference instead of
  /// copied (most operands of comparisons are one or the other); `scratch` holds anything else.
  const Value& child_ref(const Node& node, std::uint32_t i, Value& scratch) {
    const Node& operand = program_.nodes[program_.child(node, i)];
    if (operand.op == Op::literal) return operand.literal;
    if (operand.op == Op::field) {
      const Value& input = slots_[static_cast<std::size_t>(operand.slot)];
      if (has_runtime_kind(input, operand.type)) return input;
    }
    scratch = child(node, i);
    return scratch;
  }

  static bool has_runtime_kind(const Value& value, FormulaType type) noexcept {
    switch (type) {
      case FormulaType::boolean: return value.kind() == ValueKind::boolean;
      case FormulaType::number: return value.kind() == ValueKind::real;
      case FormulaType::currency:
      case FormulaType::percent: return value.kind() == ValueKind::decimal;
      case FormulaType::text:
      case FormulaType::picklist:
      case FormulaType::id: return value.kind() == ValueKind::text;
      case FormulaType::date: return value.kind() == ValueKind::date;
      case FormulaType::datetime: return value.kind() == ValueKind::datetime;
      case FormulaType::multipicklist: return value.kind() == ValueKind::list;
      case FormulaType::null: return false;
    }
    return false;
  }

  Value eval(std::uint32_t index) {
    const Node& node = program_.nodes[index];
    switch (node.op) {
      case Op::literal: return node.literal;
      case Op::field: return read_field(slots_[static_cast<std::size_t>(node.slot)], node.type, program_.blank_as_zero, fault_);
      case Op::convert: return convert_value(child(node, 0), node.type, fault_);
      case Op::negate: return negate(child(node, 0), fault_);
      case Op::logical_not: return Value(!truthy(child(node, 0)));
      case Op::add:
      case Op::subtract:
      case Op::multiply:
      case Op::divide:
      case Op::power: {
        Value left = child(node, 0);
        Value right = child(node, 1);
        return arithmetic(node.op, left, right, fault_);
      }
      case Op::concat: {
        Value left = child(node, 0);
        Value right = child(node, 1);
        return concat(left, right, fault_);
      }
      case Op::equal:
      case Op::not_equal:
      case Op::less:
      case Op::less_equal:
      case Op::greater:
      case Op::greater_equal: {
        Value left_scratch, right_scratch;
        const Value& left = child_ref(node, 0, left_scratch);
        const Value& right = child_ref(node, 1, right_scratch);
        return Value(compare(node.op, node.operand, left, right));
      }
      case Op::logical_and: return logical(node, false);
      case Op::logical_or: return logical(node, true);
      case Op::if_: return truthy(child(node, 0)) ? child(node, 1) : child(node, 2);
      case Op::case_: return case_of(node);
      case Op::call: return call(node);
    }
    return Value{};
  }

  /// AND stops at the first false, OR at the first true; null counts as false.
  Value logical(const Node& node, bool stop_on) {
    for (std::uint32_t i = 0; i < node.child_count; ++i)
      if (truthy(child(node, i)) == stop_on) return Value(stop_on);
    return Value(!stop_on);
  }

  Value case_of(const Node& node) {
    const Value subject = child(node, 0);
    const auto match_type = node.operand;
    for (std::uint32_t i = 1; i + 1 < node.child_count; i += 2) {
      if (compare(Op::equal, match_type, subject, child(node, i))) return child(node, i + 1);
    }
    return child(node, node.child_count - 1);
  }

  bool has_prior(const Node& node) const {
    return !context_.is_new && context_.prior != nullptr && static_cast<std::size_t>(node.slot) < context_.prior->size();
  }

  /// ISCHANGED / PRIORVALUE. The current value is always read first (as the batch path does), so
  /// a bad current input faults the same way in both paths.
  Value prior_function(const Node& node) {
    Value current = child(node, 0);
    if (!has_prior(node)) return node.function == FunctionId::ischanged ? Value(false) : current;
    const auto slot = static_cast<std::size_t>(node.slot);
    Value prior = read_field((*context_.prior)[slot], program_.field_types[slot], program_.blank_as_zero, fault_);
    if (node.function == FunctionId::ischanged) return Value(!same_value(current, prior));
    return prior;
  }

  Value call(const Node& node) {
    if (node.function == FunctionId::priorvalue || node.function == FunctionId::ischanged) return prior_function(node);
    if (node.function == FunctionId::ispickval) {  // the hot picklist test, without copying either string
      Value field_scratch, value_scratch;
      const Value& field = child_ref(node, 0, field_scratch);
      const Value& wanted = child_ref(node, 1, value_scratch);
      return Value(compare(Op::equal, FormulaType::text, field, wanted));
    }
    // Small argument lists (almost all) live on the stack.
    Value local[4];
    std::vector<Value> heap;
    std::span<Value> args;
    if (node.child_count <= 4) {
      args = std::span<Value>(local, node.child_count);
    } else {
      heap.resize(node.child_count);
      args = heap;
    }
    for (std::uint32_t i = 0; i < node.child_count; ++i) args[i] = child(node, i);
    CallSite site{node, context_, fault_};
    return FunctionLibrary::instance().at(node.function).scalar(args, site);
  }

  const Program& program_;
  std::span<const Value> slots_;
  const EvalContext& context_;
  Fault fault_;
};

}  // namespace

/// ISCHANGED's notion of equality: blank text and null are the same value.
bool same_value(const Value& a, const Value& b) {
  if (is_blank(a) && is_blank(b)) return true;
  return a == b;
}

EvalResult evaluate_row(const Program& program, std::span<const Value> slots, const EvalContext& context) {
  return RowEvaluator(program, slots, context).run(program.root);
}

EvalResult evaluate_row_at(const Program& program, std::uint32_t root, std::span<const Value> slots,
                           const EvalContext& context) {
  return RowEvaluator(program, slots, context).run(root);
}

}  // namespace hotcrm::detail::formula
