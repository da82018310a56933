// Batch evaluator: column-at-a-time over chunks of rows. Each node computes its result for the
// rows of a selection vector; IF, CASE, AND and OR narrow the selection for the branches they
// evaluate, so they are as lazy as the row path (a division guarded by IF never sees the zero).
// Hot operators (field loads, comparisons, number arithmetic, logic, ISPICKVAL) are typed loops
// over the column buffers. The long tail of functions runs the shared scalar implementation row
// by row within the column (a plain function pointer, no virtual call or std::function).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "formula/internal.hpp"

namespace hotcrm::detail::formula {
namespace {

constexpr std::size_t chunk_rows = 2048;
using Selection = std::vector<std::uint32_t>;

/// Where a node's result for chunk row i lives: col rows [offset + i], or row 0 for constants.
struct View {
  const FormulaColumn* column = nullptr;
  std::size_t offset = 0;
  bool constant = false;
  std::size_t at(std::uint32_t i) const noexcept { return constant ? 0 : offset + i; }
  bool valid(std::uint32_t i) const noexcept { return column->valid[at(i)] != 0; }
};

bool is_textual_type(FormulaType t) {
  return t == FormulaType::text || t == FormulaType::id || t == FormulaType::picklist;
}

/// Copies one row between columns of the same type.
void copy_row(const FormulaColumn& from, std::size_t from_row, FormulaColumn& to, std::size_t to_row) {
  to.valid[to_row] = from.valid[from_row];
  if (!from.valid[from_row]) return;
  switch (to.type) {
    case FormulaType::boolean: to.booleans[to_row] = from.booleans[from_row]; break;
    case FormulaType::number: to.numbers[to_row] = from.numbers[from_row]; break;
    case FormulaType::currency:
    case FormulaType::percent: to.decimals[to_row] = from.decimals[from_row]; break;
    case FormulaType::text:
    case FormulaType::picklist:
    case FormulaType::id: to.texts[to_row] = from.texts[from_row]; break;
    case FormulaType::date: to.dates[to_row] = from.dates[from_row]; break;
    case FormulaType::datetime: to.datetimes[to_row] = from.datetimes[from_row]; break;
    case FormulaType::multipicklist: to.lists[to_row] = from.lists[from_row]; break;
    case FormulaType::null: break;
  }
}

template <class T>
bool apply_comparison(Op op, const T& a, const T& b) noexcept {
  switch (op) {
    case Op::equal: return a == b;
    case Op::not_equal: return !(a == b);
    case Op::less: return a < b;
    case Op::less_equal: return a <= b;
    case Op::greater: return a > b;
    default: return a >= b;
  }
}

class BatchEvaluator {
 public:
  BatchEvaluator(const Program& program, const FormulaColumns& inputs, const EvalContext& context)
      : program_(program), inputs_(inputs), context_(context), results_(program.nodes.size()),
        views_(program.nodes.size()) {
    for (std::size_t i = 0; i < program.nodes.size(); ++i) {
      results_[i].type = program.nodes[i].type;
      if (program.nodes[i].op == Op::literal) {
        results_[i].resize(1);
        results_[i].set(0, program.nodes[i].literal);
        views_[i] = View{&results_[i], 0, true};
      } else {
        results_[i].resize(chunk_rows);
      }
    }
  }

  FormulaColumn run() {
    FormulaColumn out;
    out.type = program_.nodes[program_.root].type;
    out.resize(inputs_.rows);
    Selection all;
    for (base_ = 0; base_ < inputs_.rows; base_ += chunk_rows) {
      const std::size_t rows = std::min(chunk_rows, inputs_.rows - base_);
      row_errors_.assign(rows, FormulaError::none);
      all.resize(rows);
      std::iota(all.begin(), all.end(), 0u);
      eval(program_.root, all);
      const View& root = views_[program_.root];
      for (std::uint32_t i = 0; i < rows; ++i) {
        if (row_errors_[i] != FormulaError::none) {
          out.errors[base_ + i] = row_errors_[i];
          out.valid[base_ + i] = 0;
        } else {
          copy_row(*root.column, root.at(i), out, base_ + i);
        }
      }
    }
    return out;
  }

 private:
  void raise(std::uint32_t row, FormulaError error) noexcept {
    if (row_errors_[row] == FormulaError::none) row_errors_[row] = error;
  }
  FormulaColumn& own(std::uint32_t index) {
    views_[index] = View{&results_[index], 0, false};
    return results_[index];
  }
  const View& child_view(const Node& node, std::uint32_t i) const { return views_[program_.child(node, i)]; }
  Value value_of(const View& view, std::uint32_t i) const { return view.column->value_at(view.at(i)); }

  void eval(std::uint32_t index, const Selection& selection) {
    const Node& node = program_.nodes[index];
    switch (node.op) {
      case Op::literal: return;
      case Op::field: return load_field(index, node, selection);
      case Op::logical_and:
      case Op::logical_or: return logical(index, node, selection);
      case Op::logical_not: return logical_not(index, node, selection);
      case Op::if_: return if_else(index, node, selection);
      case Op::case_: return case_of(index, node, selection);
      case Op::equal:
      case Op::not_equal:
      case Op::less:
      case Op::less_equal:
      case Op::greater:
      case Op::greater_equal: return comparison(index, node, selection);
      case Op::add:
      case Op::subtract:
      case Op::multiply:
      case Op::divide:
        if (node.type == FormulaType::number && child_type(node, 0) == FormulaType::number) {
          return number_arithmetic(index, node, selection);
        }
        return generic(index, node, selection);
      case Op::call:
        if (node.function == FunctionId::ispickval) return ispickval(index, node, selection);
        if (node.function == FunctionId::ischanged || node.function == FunctionId::priorvalue)
          return prior_function(index, node, selection);
        return generic(index, node, selection);
      default: return generic(index, node, selection);
    }
  }

  FormulaType child_type(const Node& node, std::uint32_t i) const {
    return program_.nodes[program_.child(node, i)].type;
  }

  // ---- fields ----

  void load_field(std::uint32_t index, const Node& node, const Selection& selection) {
    const FormulaColumn& input = inputs_.slots[static_cast<std::size_t>(node.slot)];
    for (std::uint32_t i : selection)
      if (input.errors[base_ + i] != FormulaError::none) raise(i, input.errors[base_ + i]);
    const bool blank_matters = program_.blank_as_zero && (node.type == FormulaType::number || node.type == FormulaType::currency ||
                                                          node.type == FormulaType::percent || node.type == FormulaType::text);
    if (node.type != FormulaType::boolean && !blank_matters) {
      views_[index] = View{&input, base_, false};  // read in place: no copy
      return;
    }
    FormulaColumn& out = own(index);
    for (std::uint32_t i : selection) {
      const std::size_t row = base_ + i;
      if (node.type == FormulaType::boolean) {  // checkboxes are never blank
        out.valid[i] = 1;
        out.booleans[i] = input.valid[row] && input.booleans[row];
        continue;
      }
      copy_row(input, row, out, i);
      if (input.valid[row] || input.errors[row] != FormulaError::none) continue;
      out.set(i, node.type == FormulaType::number ? Value(0.0)
                        : node.type == FormulaType::text ? Value(std::string())
                                                         : Value(Decimal::from_int(0)));
    }
  }

  // ---- logic ----

  static bool is_true(const View& view, std::uint32_t i) noexcept {
    return view.valid(i) && view.column->booleans[view.at(i)] != 0;
  }

  /// AND / OR: each operand sees only the rows still undecided.
  void logical(std::uint32_t index, const Node& node, const Selection& selection) {
    const bool stop_on = node.op == Op::logical_or;
    FormulaColumn& out = own(index);
    Selection pending = selection;
    for (std::uint32_t i : selection) out.valid[i] = 1, out.booleans[i] = !stop_on;
    for (std::uint32_t c = 0; c < node.child_count && !pending.empty(); ++c) {
      eval(program_.child(node, c), pending);
      const View& operand = child_view(node, c);
      Selection still;
      still.reserve(pending.size());
      for (std::uint32_t i : pending) {
        if (is_true(operand, i) == stop_on) out.booleans[i] = stop_on;
        else still.push_back(i);
      }
      pending.swap(still);
    }
  }

  void logical_not(std::uint32_t index, const Node& node, const Selection& selection) {
    eval(program_.child(node, 0), selection);
    const View& operand = child_view(node, 0);
    FormulaColumn& out = own(index);
    for (std::uint32_t i : selection) out.valid[i] = 1, out.booleans[i] = !is_true(operand, i);
  }

  void if_else(std::uint32_t index, const Node& node, const Selection& selection) {
    eval(program_.child(node, 0), selection);
    const View& condition = child_view(node, 0);
    Selection yes, no;
    for (std::uint32_t i : selection) (is_true(condition, i) ? yes : no).push_back(i);
    FormulaColumn& out = own(index);
    gather(out, node, 1, yes);
    gather(out, node, 2, no);
  }

  /// Evaluates child `c` on `rows` and copies its results into `out`.
  void gather(FormulaColumn& out, const Node& node, std::uint32_t c, const Selection& rows) {
    if (rows.empty()) return;
    eval(program_.child(node, c), rows);
    const View& branch = child_view(node, c);
    for (std::uint32_t i : rows) copy_row(*branch.column, branch.at(i), out, i);
  }

  void case_of(std::uint32_t index, const Node& node, const Selection& selection) {
    eval(program_.child(node, 0), selection);
    const View& subject = child_view(node, 0);
    const auto match_type = node.operand;
    FormulaColumn& out = own(index);
    Selection pending = selection;
    for (std::uint32_t c = 1; c + 1 < node.child_count && !pending.empty(); c += 2) {
      eval(program_.child(node, c), pending);
      const View& candidate = child_view(node, c);
      Selection matched, rest;
      for (std::uint32_t i : pending) {
        const bool equal = compare(Op::equal, match_type, value_of(subject, i), value_of(candidate, i));
        (equal ? matched : rest).push_back(i);
      }
      gather(out, node, c + 1, matched);
      pending.swap(rest);
    }
    gather(out, node, node.child_count - 1, pending);
  }

  // ---- comparisons ----

  template <class Get>
  static void compare_loop(FormulaColumn& out, Op op, const View& a, const View& b, const Selection& selection,
                           Get get) noexcept {
    for (std::uint32_t i : selection) {
      out.valid[i] = 1;
      out.booleans[i] = a.valid(i) && b.valid(i) && apply_comparison(op, get(a, i), get(b, i));
    }
  }

  void comparison(std::uint32_t index, const Node& node, const Selection& selection) {
    eval(program_.child(node, 0), selection);
    eval(program_.child(node, 1), selection);
    const View& a = child_view(node, 0);
    const View& b = child_view(node, 1);
    FormulaColumn& out = own(index);
    const auto operand_type = node.operand;
    const Op op = node.op;
    switch (operand_type) {
      case FormulaType::number:
        return compare_loop(out, op, a, b, selection, [](const View& v, std::uint32_t i) { return v.column->numbers[v.at(i)]; });
      case FormulaType::currency:
      case FormulaType::percent: return compare_decimals(out, op, a, b, selection);
      case FormulaType::date:
        return compare_loop(out, op, a, b, selection, [](const View& v, std::uint32_t i) { return v.column->dates[v.at(i)].days; });
      case FormulaType::datetime:
        return compare_loop(out, op, a, b, selection,
                            [](const View& v, std::uint32_t i) { return v.column->datetimes[v.at(i)].micros; });
      case FormulaType::boolean:
        return compare_loop(out, op, a, b, selection, [](const View& v, std::uint32_t i) { return v.column->booleans[v.at(i)]; });
      default:
        if (is_textual_type(operand_type)) return compare_texts(out, op, a, b, selection);
        for (std::uint32_t i : selection) out.valid[i] = 1, out.booleans[i] = compare(op, operand_type, value_of(a, i), value_of(b, i));
    }
  }

  /// Same-scale decimals compare by units. A constant operand (a literal such as 1000000 against
  /// a scale-2 currency field) is rescaled once to the column's scale, so the common case stays an
  /// integer comparison; anything else falls back to Decimal's ordering.
  static void compare_decimals(FormulaColumn& out, Op op, const View& a, const View& b, const Selection& selection) noexcept {
    std::optional<Decimal> a_constant, b_constant;  // the constant side at the other side's scale
    for (std::uint32_t i : selection) {
      out.valid[i] = 1;
      if (!a.valid(i) || !b.valid(i)) {
        out.booleans[i] = 0;
        continue;
      }
      const Decimal* x = &a.column->decimals[a.at(i)];
      const Decimal* y = &b.column->decimals[b.at(i)];
      if (x->scale() != y->scale()) {
        if (b.constant && (b_constant || (b_constant = y->rescaled_exact(x->scale()))) && b_constant->scale() == x->scale())
          y = &*b_constant;
        else if (a.constant && (a_constant || (a_constant = x->rescaled_exact(y->scale()))) && a_constant->scale() == y->scale())
          x = &*a_constant;
      }
      out.booleans[i] = x->scale() == y->scale() ? apply_comparison(op, x->units(), y->units()) : apply_comparison(op, *x, *y);
    }
  }

  /// Text never is null in comparisons: a blank reads as "".
  static void compare_texts(FormulaColumn& out, Op op, const View& a, const View& b, const Selection& selection) noexcept {
    static const std::string empty;
    for (std::uint32_t i : selection) {
      const std::string& x = a.valid(i) ? a.column->texts[a.at(i)] : empty;
      const std::string& y = b.valid(i) ? b.column->texts[b.at(i)] : empty;
      out.valid[i] = 1;
      out.booleans[i] = apply_comparison(op, x, y);
    }
  }

  void ispickval(std::uint32_t index, const Node& node, const Selection& selection) {
    eval(program_.child(node, 0), selection);
    eval(program_.child(node, 1), selection);
    compare_texts(own(index), Op::equal, child_view(node, 0), child_view(node, 1), selection);
  }

  // ---- arithmetic ----

  void number_arithmetic(std::uint32_t index, const Node& node, const Selection& selection) {
    eval(program_.child(node, 0), selection);
    eval(program_.child(node, 1), selection);
    number_kernel(node.op, child_view(node, 0), child_view(node, 1), own(index), selection, row_errors_);
  }

  /// Tight loops over the double buffers; faults are found in a second pass.
  static void number_kernel(Op op, const View& a, const View& b, FormulaColumn& out, const Selection& selection,
                            std::vector<FormulaError>& row_errors) noexcept {
    const auto raise_at = [&](std::uint32_t i, FormulaError error) {
      if (row_errors[i] == FormulaError::none) row_errors[i] = error;
      out.valid[i] = 0;
    };
    const double* x = a.column->numbers.data();
    const double* y = b.column->numbers.data();
    double* result = out.numbers.data();
    for (std::uint32_t i : selection) out.valid[i] = a.valid(i) && b.valid(i);
    switch (op) {
      case Op::add: for (std::uint32_t i : selection) result[i] = x[a.at(i)] + y[b.at(i)]; break;
      case Op::subtract: for (std::uint32_t i : selection) result[i] = x[a.at(i)] - y[b.at(i)]; break;
      case Op::multiply: for (std::uint32_t i : selection) result[i] = x[a.at(i)] * y[b.at(i)]; break;
      default:
        for (std::uint32_t i : selection) {
          const double divisor = y[b.at(i)];
          result[i] = divisor == 0.0 ? 0.0 : x[a.at(i)] / divisor;
          if (divisor == 0.0 && out.valid[i]) raise_at(i, FormulaError::division_by_zero);
        }
    }
    for (std::uint32_t i : selection) {
      if (!out.valid[i]) continue;
      if (!std::isfinite(result[i])) raise_at(i, std::isnan(result[i]) ? FormulaError::invalid_argument : FormulaError::overflow);
      else if (result[i] == 0.0) result[i] = 0.0;  // no negative zero, as in the row path
    }
  }

  // ---- record state ----

  void prior_function(std::uint32_t index, const Node& node, const Selection& selection) {
    eval(program_.child(node, 0), selection);
    const View& current = child_view(node, 0);
    FormulaColumn& out = own(index);
    const auto slot = static_cast<std::size_t>(node.slot);
    const bool has_prior = !context_.is_new && context_.prior_columns != nullptr &&
                           slot < context_.prior_columns->slots.size();
    for (std::uint32_t i : selection) {
      Value now = value_of(current, i);
      Value before = now;
      if (has_prior) {
        Fault fault;
        before = read_field(context_.prior_columns->slots[slot].value_at(base_ + i), program_.field_types[slot],
                            program_.blank_as_zero, fault);
        const FormulaError prior_error = context_.prior_columns->slots[slot].errors[base_ + i];
        if (prior_error != FormulaError::none) raise(i, prior_error);
      }
      if (node.function == FunctionId::ischanged) out.set(i, Value(has_prior && !same_value(now, before)));
      else out.set(i, before);
    }
  }

  // ---- everything else: the scalar semantics, row by row within the column ----

  void generic(std::uint32_t index, const Node& node, const Selection& selection) {
    for (std::uint32_t c = 0; c < node.child_count; ++c) eval(program_.child(node, c), selection);
    FormulaColumn& out = own(index);
    const ScalarFunction function =
        node.op == Op::call ? FunctionLibrary::instance().at(node.function).scalar : nullptr;
    std::vector<Value> args(node.child_count);
    for (std::uint32_t i : selection) {
      for (std::uint32_t c = 0; c < node.child_count; ++c) args[c] = value_of(child_view(node, c), i);
      Fault fault;
      out.set(i, apply(node, function, args, fault));
      if (fault.error != FormulaError::none) raise(i, fault.error);
    }
  }

  Value apply(const Node& node, ScalarFunction function, std::span<const Value> args, Fault& fault) const {
    switch (node.op) {
      case Op::convert: return convert_value(args[0], node.type, fault);
      case Op::negate: return negate(args[0], fault);
      case Op::concat: return concat(args[0], args[1], fault);
      case Op::add:
      case Op::subtract:
      case Op::multiply:
      case Op::divide:
      case Op::power: return arithmetic(node.op, args[0], args[1], fault);
      case Op::call: {
        CallSite site{node, context_, fault};
        return function(args, site);
      }
      default: return Value{};
    }
  }

  const Program& program_;
  const FormulaColumns& inputs_;
  const EvalContext& context_;
  std::vector<FormulaColumn> results_;
  std::vector<View> views_;
  std::vector<FormulaError> row_errors_;
  std::size_t base_ = 0;
};

}  // namespace

FormulaColumn evaluate_batch(const Program& program, const FormulaColumns& inputs, const EvalContext& context) {
  return BatchEvaluator(program, inputs, context).run();
}

}  // namespace hotcrm::detail::formula
