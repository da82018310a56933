// Tree ensembles: checks, the branch-free perfect-tree layout for prediction, and path-dependent
// TreeSHAP (Lundberg, Erion and Lee 2018, Algorithm 2) as XGBoost implements it (node means and
// zero fractions from the covers), so contributions match XGBoost's pred_contribs.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "scoring/model_data.hpp"

namespace hotcrm::detail {

namespace {

template <TreeSplit S>
inline bool goes_left(double x, double threshold, float threshold_f32, bool default_left) noexcept {
  if (std::isnan(x)) return default_left;
  if constexpr (S == TreeSplit::less_f32) return static_cast<float>(x) < threshold_f32;
  else if constexpr (S == TreeSplit::less_equal) return x <= threshold;
  else return static_cast<double>(static_cast<float>(x)) <= threshold;
}

template <TreeSplit S>
inline bool goes_left(const TreeNode& n, double x) noexcept {
  return goes_left<S>(x, n.threshold, static_cast<float>(n.threshold), n.default_left);
}

/// Doubles in order as unsigned keys (-inf < ... < -0 < +0 < ... < +inf; NaN outside).
inline std::uint64_t order_key(double x) noexcept {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  return (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
}
inline double from_order_key(std::uint64_t key) noexcept {
  return std::bit_cast<double>((key >> 63) ? key & ~(std::uint64_t{1} << 63) : ~key);
}

/// The double t' with goes_left<S>(x, t) == (x <= t') for every non-NaN x. The rule is monotone
/// in x (rounding to float is monotone), so a binary search over the ordered doubles finds the
/// largest x that goes left. NaN when no number goes left. This turns XGBoost's and
/// scikit-learn's float32 comparisons into one double comparison in the prediction kernel.
template <TreeSplit S>
double less_equal_threshold(double t) noexcept {
  if constexpr (S == TreeSplit::less_equal) {
    return t;
  } else {
    const float tf = static_cast<float>(t);
    auto left = [&](double x) { return goes_left<S>(x, t, tf, false); };
    std::uint64_t lo = order_key(-std::numeric_limits<double>::infinity());
    std::uint64_t hi = order_key(std::numeric_limits<double>::infinity());
    if (!left(from_order_key(lo))) return std::numeric_limits<double>::quiet_NaN();
    if (left(from_order_key(hi))) return std::numeric_limits<double>::infinity();
    while (hi - lo > 1) {  // invariant: left(lo), !left(hi)
      const std::uint64_t mid = lo + (hi - lo) / 2;
      (left(from_order_key(mid)) ? lo : hi) = mid;
    }
    return from_order_key(lo);
  }
}

double less_equal_threshold(TreeSplit split, double t) noexcept {
  switch (split) {
    case TreeSplit::less_f32: return less_equal_threshold<TreeSplit::less_f32>(t);
    case TreeSplit::less_equal: return less_equal_threshold<TreeSplit::less_equal>(t);
    case TreeSplit::less_equal_f32: return less_equal_threshold<TreeSplit::less_equal_f32>(t);
  }
  return t;
}

int tree_depth(const Tree& tree, std::size_t node) {
  const TreeNode& n = tree.nodes[node];
  if (n.is_leaf()) return 0;
  return 1 + std::max(tree_depth(tree, static_cast<std::size_t>(n.left)),
                      tree_depth(tree, static_cast<std::size_t>(n.right)));
}

/// XGBoost's FillNodeMeanValue: the cover-weighted mean of the leaves below each node.
double fill_mean(const Tree& tree, std::size_t node, std::vector<double>& mean) {
  const TreeNode& n = tree.nodes[node];
  double result;
  if (n.is_leaf()) {
    result = n.value;
  } else {
    const auto l = static_cast<std::size_t>(n.left), r = static_cast<std::size_t>(n.right);
    result = fill_mean(tree, l, mean) * tree.nodes[l].cover;
    result += fill_mean(tree, r, mean) * tree.nodes[r].cover;
    result /= n.cover;
  }
  mean[node] = result;
  return result;
}

/// Writes the subtree at `node` into the perfect layout at position `pos` (depth `level` of `depth`).
void lay_out(const Tree& tree, TreeSplit split, std::size_t node, std::size_t pos, int level, int depth,
             CompiledTrees& c, std::size_t node_offset, std::size_t leaf_offset) {
  const TreeNode& n = tree.nodes[node];
  const std::size_t internal = (std::size_t{1} << depth) - 1;
  if (level == depth) {
    c.leaf[leaf_offset + pos - internal] = n.value;
    return;
  }
  if (n.is_leaf()) {
    // A leaf above the last level: a dummy split (feature 0) whose every descendant is this leaf.
    const std::size_t width = std::size_t{1} << (depth - level);
    std::size_t first = pos;
    for (int l = level; l < depth; ++l) first = 2 * first + 1;
    for (std::size_t k = 0; k < width; ++k) c.leaf[leaf_offset + first - internal + k] = n.value;
    // dummy internal nodes keep their zero-initialised feature/threshold
    return;
  }
  c.feature[node_offset + pos] = n.feature;
  c.threshold[node_offset + pos] = less_equal_threshold(split, n.threshold);
  c.default_left[node_offset + pos] = n.default_left ? 1 : 0;
  lay_out(tree, split, static_cast<std::size_t>(n.left), 2 * pos + 1, level + 1, depth, c, node_offset, leaf_offset);
  lay_out(tree, split, static_cast<std::size_t>(n.right), 2 * pos + 2, level + 1, depth, c, node_offset,
          leaf_offset);
}

}  // namespace

CompiledTrees compile_trees(const TreeEnsemble& e, std::size_t feature_count) {
  CompiledTrees c;
  c.used_feature.assign(feature_count, 0);
  c.node_mean.resize(e.trees.size());
  for (std::size_t t = 0; t < e.trees.size(); ++t) {
    const Tree& tree = e.trees[t];
    if (tree.nodes.empty()) fail(ErrorCode::usage, fmt::format("trees[{}]", t), "a tree needs at least one node");
    std::vector<std::uint8_t> has_parent(tree.nodes.size(), 0);
    const auto count = static_cast<std::int64_t>(tree.nodes.size());
    for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
      const TreeNode& n = tree.nodes[i];
      const std::string where = fmt::format("trees[{}].nodes[{}]", t, i);
      if (!std::isfinite(n.cover) || n.cover < 0) fail(ErrorCode::usage, where, "cover must be a finite number >= 0");
      if (n.is_leaf()) {
        if (n.right >= 0) fail(ErrorCode::usage, where, "a node has either two children or none");
        if (!std::isfinite(n.value)) fail(ErrorCode::usage, where, "leaf value must be finite");
        continue;
      }
      if (n.right < 0) fail(ErrorCode::usage, where, "a node has either two children or none");
      // Children after their parent: no cycles, every node reached once.
      for (std::int32_t child : {n.left, n.right}) {
        if (child <= static_cast<std::int64_t>(i) || child >= count)
          fail(ErrorCode::usage, where,
               fmt::format("child {} must be a node after this one (and < {})", child, tree.nodes.size()));
        if (has_parent[static_cast<std::size_t>(child)]++)
          fail(ErrorCode::usage, where, fmt::format("node {} has two parents", child));
      }
      if (n.left == n.right) fail(ErrorCode::usage, where, "left and right children are the same node");
      if (n.feature < 0 || static_cast<std::size_t>(n.feature) >= feature_count)
        fail(ErrorCode::usage, where,
             fmt::format("split feature {} is not one of the model's {} features", n.feature, feature_count));
      if (std::isnan(n.threshold)) fail(ErrorCode::usage, where, "threshold is NaN");
      if (!(n.cover > 0)) fail(ErrorCode::usage, where, "a split needs cover > 0 (TreeSHAP weights by cover)");
      c.used_feature[static_cast<std::size_t>(n.feature)] = 1;
    }
    for (std::size_t i = 1; i < tree.nodes.size(); ++i)
      if (!has_parent[i]) fail(ErrorCode::usage, fmt::format("trees[{}].nodes[{}]", t, i), "node is unreachable");

    const int depth = tree_depth(tree, 0);
    c.max_depth = std::max(c.max_depth, depth);
    c.node_mean[t].assign(tree.nodes.size(), 0.0);
    fill_mean(tree, 0, c.node_mean[t]);
    if (depth <= CompiledTrees::kMaxPerfectDepth) {
      CompiledTrees::PerfectTree p{depth, c.feature.size(), c.leaf.size()};
      const std::size_t internal = (std::size_t{1} << depth) - 1;
      c.feature.resize(c.feature.size() + internal, 0);
      c.threshold.resize(c.threshold.size() + internal, 0.0);
      c.default_left.resize(c.default_left.size() + internal, 0);
      c.leaf.resize(c.leaf.size() + internal + 1, 0.0);
      lay_out(tree, e.split, 0, 0, 0, depth, c, p.node_offset, p.leaf_offset);
      c.perfect.push_back(p);
    } else {
      c.deep.push_back(t);
    }
  }
  return c;
}

namespace {

constexpr std::size_t kBlockRows = 512;  // rows per pass over the trees (64 KB of 16 columns: L2)

inline bool left_of(double x, double threshold, std::uint8_t default_left) noexcept {
  return (x <= threshold) | (std::isnan(x) & (default_left != 0));  // comparisons with NaN are false
}

/// One perfect tree over a block of rows. kLanes rows descend together, level by level, so the
/// core overlaps their independent load -> compare -> index chains. Thresholds were converted so
/// that one double comparison implements every library's rule (less_equal_threshold).
void perfect_tree_block(const CompiledTrees& c, const CompiledTrees::PerfectTree& t, const double* X,
                        std::size_t cols, std::size_t rows, double* out) noexcept {
  constexpr std::size_t kLanes = 8;
  const std::int32_t* feature = c.feature.data() + t.node_offset;
  const double* threshold = c.threshold.data() + t.node_offset;
  const std::uint8_t* default_left = c.default_left.data() + t.node_offset;
  const double* leaf = c.leaf.data() + t.leaf_offset - ((std::size_t{1} << t.depth) - 1);
  const int depth = t.depth;
  std::size_t r = 0;
  for (; r + kLanes <= rows; r += kLanes) {
    const double* base = X + r * cols;
    std::size_t i[kLanes] = {};
    for (int d = 0; d < depth; ++d)
      for (std::size_t k = 0; k < kLanes; ++k) {
        const std::size_t n = i[k];
        const bool left = left_of(base[k * cols + static_cast<std::size_t>(feature[n])], threshold[n], default_left[n]);
        i[k] = 2 * n + 2 - static_cast<std::size_t>(left);
      }
    for (std::size_t k = 0; k < kLanes; ++k) out[r + k] += leaf[i[k]];
  }
  for (; r < rows; ++r) {
    const double* row = X + r * cols;
    std::size_t n = 0;
    for (int d = 0; d < depth; ++d)
      n = 2 * n + 2 - static_cast<std::size_t>(left_of(row[feature[n]], threshold[n], default_left[n]));
    out[r] += leaf[n];
  }
}

template <TreeSplit S>
double deep_tree(const Tree& tree, const double* row) noexcept {
  const TreeNode* nodes = tree.nodes.data();
  std::int32_t i = 0;
  while (nodes[i].left >= 0) {
    const TreeNode& n = nodes[i];
    i = goes_left<S>(n, row[n.feature]) ? n.left : n.right;
  }
  return nodes[i].value;
}

template <TreeSplit S>
void trees_raw_impl(const TreeEnsemble& e, const CompiledTrees& c, MatrixView X, double* out) noexcept {
  for (std::size_t r0 = 0; r0 < X.rows; r0 += kBlockRows) {
    const std::size_t rows = std::min(kBlockRows, X.rows - r0);
    const double* block = X.data + r0 * X.cols;
    double* o = out + r0;
    std::fill(o, o + rows, e.base_margin);
    for (const auto& t : c.perfect) perfect_tree_block(c, t, block, X.cols, rows, o);
    for (std::size_t t : c.deep)
      for (std::size_t r = 0; r < rows; ++r) o[r] += deep_tree<S>(e.trees[t], block + r * X.cols);
  }
}

// ---- TreeSHAP --------------------------------------------------------------------------------

struct PathElement {
  std::int64_t feature;
  double zero_fraction;
  double one_fraction;
  double weight;
};

/// The recursion's constants: inv[k] = 1/k, so the inner loops multiply instead of divide (the
/// divisions were most of TreeSHAP's time).
struct ShapContext {
  const double* inv;
};

void extend_path(const ShapContext& ctx, PathElement* path, std::size_t depth, double zero_fraction,
                 double one_fraction, std::int64_t feature) noexcept {
  path[depth] = {feature, zero_fraction, one_fraction, depth == 0 ? 1.0 : 0.0};
  const double inv_d1 = ctx.inv[depth + 1];
  for (std::size_t i = depth; i-- > 0;) {
    path[i + 1].weight += one_fraction * path[i].weight * static_cast<double>(i + 1) * inv_d1;
    path[i].weight = zero_fraction * path[i].weight * static_cast<double>(depth - i) * inv_d1;
  }
}

void unwind_path(const ShapContext& ctx, PathElement* path, std::size_t depth, std::size_t index) noexcept {
  const double one_fraction = path[index].one_fraction;
  const double zero_fraction = path[index].zero_fraction;
  double next_one_portion = path[depth].weight;
  const double d1 = static_cast<double>(depth + 1);
  const double inv_d1 = ctx.inv[depth + 1];
  if (one_fraction != 0) {
    const double inv_one = 1.0 / one_fraction;
    for (std::size_t i = depth; i-- > 0;) {
      const double tmp = path[i].weight;
      path[i].weight = next_one_portion * d1 * ctx.inv[i + 1] * inv_one;
      next_one_portion = tmp - path[i].weight * zero_fraction * static_cast<double>(depth - i) * inv_d1;
    }
  } else {
    const double inv_zero = 1.0 / zero_fraction;
    for (std::size_t i = depth; i-- > 0;) path[i].weight = path[i].weight * d1 * inv_zero * ctx.inv[depth - i];
  }
  for (std::size_t i = index; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero_fraction = path[i + 1].zero_fraction;
    path[i].one_fraction = path[i + 1].one_fraction;
  }
}

double unwound_path_sum(const ShapContext& ctx, const PathElement* path, std::size_t depth,
                        std::size_t index) noexcept {
  const double one_fraction = path[index].one_fraction;
  const double zero_fraction = path[index].zero_fraction;
  double next_one_portion = path[depth].weight;
  double total = 0;
  const double d1 = static_cast<double>(depth + 1);
  const double inv_d1 = ctx.inv[depth + 1];
  if (one_fraction != 0) {
    const double scale = d1 / one_fraction;
    for (std::size_t i = depth; i-- > 0;) {
      const double tmp = next_one_portion * scale * ctx.inv[i + 1];
      total += tmp;
      next_one_portion = path[i].weight - tmp * zero_fraction * (static_cast<double>(depth - i) * inv_d1);
    }
  } else if (zero_fraction != 0) {
    const double scale = d1 / zero_fraction;
    for (std::size_t i = depth; i-- > 0;) total += path[i].weight * scale * ctx.inv[depth - i];
  }
  return total;
}

template <TreeSplit S>
void tree_shap(const ShapContext& ctx, const Tree& tree, const double* x, double* phi, std::size_t node,
               std::size_t depth, PathElement* parent_path, double parent_zero_fraction, double parent_one_fraction,
               std::int64_t parent_feature) noexcept {
  const TreeNode& n = tree.nodes[node];
  PathElement* path = parent_path + depth + 1;
  std::copy(parent_path, parent_path + depth + 1, path);
  extend_path(ctx, path, depth, parent_zero_fraction, parent_one_fraction, parent_feature);

  if (n.is_leaf()) {
    for (std::size_t i = 1; i <= depth; ++i) {
      const double w = unwound_path_sum(ctx, path, depth, i);
      const PathElement& el = path[i];
      phi[el.feature] += w * (el.one_fraction - el.zero_fraction) * n.value;
    }
    return;
  }
  const auto feature = static_cast<std::size_t>(n.feature);
  const std::size_t hot = static_cast<std::size_t>(goes_left<S>(n, x[feature]) ? n.left : n.right);
  const std::size_t cold = static_cast<std::size_t>(hot == static_cast<std::size_t>(n.left) ? n.right : n.left);
  const double w = n.cover;
  const double hot_zero_fraction = tree.nodes[hot].cover / w;
  const double cold_zero_fraction = tree.nodes[cold].cover / w;
  double incoming_zero_fraction = 1;
  double incoming_one_fraction = 1;

  // Split on this feature before: undo that split, to redo it here.
  std::size_t index = 0;
  for (; index <= depth; ++index)
    if (path[index].feature == n.feature) break;
  if (index != depth + 1) {
    incoming_zero_fraction = path[index].zero_fraction;
    incoming_one_fraction = path[index].one_fraction;
    unwind_path(ctx, path, depth, index);
    depth -= 1;
  }
  tree_shap<S>(ctx, tree, x, phi, hot, depth + 1, path, hot_zero_fraction * incoming_zero_fraction,
               incoming_one_fraction, n.feature);
  tree_shap<S>(ctx, tree, x, phi, cold, depth + 1, path, cold_zero_fraction * incoming_zero_fraction, 0,
               n.feature);
}

template <TreeSplit S>
void trees_explain_impl(const TreeEnsemble& e, const CompiledTrees& c, MatrixView X, double* contributions) {
  const std::size_t maxd = static_cast<std::size_t>(c.max_depth) + 2;
  std::vector<PathElement> path((maxd * (maxd + 1)) / 2 + 1);
  std::vector<double> inv(maxd + 2, 0.0);
  for (std::size_t k = 1; k < inv.size(); ++k) inv[k] = 1.0 / static_cast<double>(k);
  const ShapContext ctx{inv.data()};
  std::fill(contributions, contributions + X.rows * X.cols, 0.0);
  for (std::size_t r = 0; r < X.rows; ++r) {
    const double* x = X.data + r * X.cols;
    double* phi = contributions + r * X.cols;
    for (const Tree& tree : e.trees)
      if (!tree.nodes[0].is_leaf()) tree_shap<S>(ctx, tree, x, phi, 0, 0, path.data(), 1, 1, -1);
  }
}

}  // namespace

void trees_raw(const TreeEnsemble& e, const CompiledTrees& c, MatrixView X, double* out) noexcept {
  switch (e.split) {
    case TreeSplit::less_f32: trees_raw_impl<TreeSplit::less_f32>(e, c, X, out); return;
    case TreeSplit::less_equal: trees_raw_impl<TreeSplit::less_equal>(e, c, X, out); return;
    case TreeSplit::less_equal_f32: trees_raw_impl<TreeSplit::less_equal_f32>(e, c, X, out); return;
  }
}

double trees_base(const TreeEnsemble& e, const CompiledTrees& c) noexcept {
  double base = e.base_margin;
  for (const auto& mean : c.node_mean) base += mean[0];
  return base;
}

double trees_explain(const TreeEnsemble& e, const CompiledTrees& c, MatrixView X, double* contributions) {
  switch (e.split) {
    case TreeSplit::less_f32: trees_explain_impl<TreeSplit::less_f32>(e, c, X, contributions); break;
    case TreeSplit::less_equal: trees_explain_impl<TreeSplit::less_equal>(e, c, X, contributions); break;
    case TreeSplit::less_equal_f32: trees_explain_impl<TreeSplit::less_equal_f32>(e, c, X, contributions); break;
  }
  return trees_base(e, c);
}

}  // namespace hotcrm::detail
