// Models to and from JSON: our own format, and XGBoost's JSON model files (xgboost 1.x
// `save_model("x.json")`). Every malformed element is reported with its JSON pointer.
#include <cmath>
#include <cstdio>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scoring/model_data.hpp"

namespace hotcrm {
inline namespace v0 {

using nlohmann::json;
using detail::fail;

namespace {

constexpr int kModelFormatVersion = 1;

[[noreturn]] void bad(const std::string& pointer, const std::string& why) {
  fail(ErrorCode::parse, pointer.empty() ? "/" : pointer, why);
}

json parse_text(std::string_view text, const char* what) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail(ErrorCode::parse, what, fmt::format("not valid JSON (byte {})", e.byte));
  }
}

/// A node of the document and its JSON pointer.
struct At {
  const json& node;
  std::string pointer;

  At operator[](const char* key) const {
    if (!node.is_object()) bad(pointer, "expected an object");
    auto it = node.find(key);
    if (it == node.end()) bad(pointer + "/" + key, "missing");
    return {*it, pointer + "/" + key};
  }
  At operator[](std::size_t i) const { return {node[i], pointer + "/" + std::to_string(i)}; }
  bool has(const char* key) const { return node.is_object() && node.contains(key); }

  const json& array() const {
    if (!node.is_array()) bad(pointer, "expected an array");
    return node;
  }
  std::size_t size() const { return array().size(); }
  double number() const {
    if (!node.is_number()) bad(pointer, "expected a number");
    return node.get<double>();
  }
  /// A number, or a string holding one (XGBoost writes most scalars as strings).
  double number_or_text() const {
    if (node.is_number()) return node.get<double>();
    if (node.is_string()) {
      const auto& s = node.get_ref<const std::string&>();
      try {
        std::size_t used = 0;
        double v = std::stod(s, &used);
        if (used == s.size()) return v;
      } catch (const std::exception&) {
      }
      bad(pointer, "'" + s + "' is not a number");
    }
    bad(pointer, "expected a number");
  }
  std::int64_t integer() const {
    if (!node.is_number_integer()) bad(pointer, "expected an integer");
    return node.get<std::int64_t>();
  }
  bool boolean() const {
    if (node.is_boolean()) return node.get<bool>();
    if (node.is_number_integer() && (node.get<std::int64_t>() == 0 || node.get<std::int64_t>() == 1))
      return node.get<std::int64_t>() == 1;
    bad(pointer, "expected true/false (or 0/1)");
  }
  std::string text() const {
    if (!node.is_string()) bad(pointer, "expected a string");
    return node.get<std::string>();
  }
  std::vector<double> numbers() const {
    std::vector<double> out(size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = (*this)[i].number();
    return out;
  }
  std::vector<std::int64_t> integers() const {
    std::vector<std::int64_t> out(size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = (*this)[i].integer();
    return out;
  }
};

/// Runs a model factory; its UsageError becomes a parse error at `pointer`, or, when the message
/// names a tree ("trees[3].nodes[5]: ..."), at that tree under `trees_pointer`.
template <class F>
Model build_at(const std::string& pointer, const std::string& trees_pointer, F&& build) {
  try {
    return build();
  } catch (const UsageError& e) {
    if (e.code() == ErrorCode::parse) throw;
    const std::string message = detail::untagged_message(e);
    unsigned tree = 0;
    if (!trees_pointer.empty() && std::sscanf(message.c_str(), "trees[%u]", &tree) == 1)
      bad(fmt::format("{}/{}", trees_pointer, tree), message);
    bad(pointer, message);
  }
}

// ---- our format ------------------------------------------------------------------------------

json features_json(const std::vector<Feature>& features) {
  json out = json::array();
  for (const auto& f : features) {
    json item = {{"name", f.name}};
    if (!f.categories.empty()) item["categories"] = f.categories;
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<Feature> read_features(const At& at) {
  std::vector<Feature> out(at.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    At item = at[i];
    out[i].name = item["name"].text();
    if (item.has("categories")) {
      At categories = item["categories"];
      for (std::size_t c = 0; c < categories.size(); ++c) out[i].categories.push_back(categories[c].text());
    }
  }
  return out;
}

const char* split_name(TreeSplit s) {
  switch (s) {
    case TreeSplit::less_f32: return "less_f32";
    case TreeSplit::less_equal: return "less_equal";
    case TreeSplit::less_equal_f32: return "less_equal_f32";
  }
  return "?";
}

json trees_json(const TreeEnsemble& e) {
  json trees = json::array();
  for (const Tree& tree : e.trees) {
    json left = json::array(), right = json::array(), feature = json::array(), threshold = json::array(),
         value = json::array(), cover = json::array(), default_left = json::array();
    for (const TreeNode& n : tree.nodes) {
      left.push_back(n.left);
      right.push_back(n.right);
      feature.push_back(n.feature);
      // JSON has no infinity: +-inf thresholds (scikit-learn splits missing values off with
      // threshold inf) are written as the strings "inf" / "-inf".
      if (std::isinf(n.threshold)) threshold.push_back(n.threshold > 0 ? "inf" : "-inf");
      else threshold.push_back(n.threshold);
      value.push_back(n.value);
      cover.push_back(n.cover);
      default_left.push_back(n.default_left);
    }
    trees.push_back({{"left", left}, {"right", right}, {"feature", feature}, {"threshold", threshold},
                     {"value", value}, {"cover", cover}, {"default_left", default_left}});
  }
  return trees;
}

TreeEnsemble read_ensemble(const At& root) {
  TreeEnsemble e;
  e.base_margin = root["base_margin"].number();
  const std::string link = root["link"].text();
  if (link == "logistic") e.link = Link::logistic;
  else if (link == "identity") e.link = Link::identity;
  else bad(root["link"].pointer, "expected 'logistic' or 'identity', not '" + link + "'");
  const std::string split = root["split"].text();
  if (split == "less_f32") e.split = TreeSplit::less_f32;
  else if (split == "less_equal") e.split = TreeSplit::less_equal;
  else if (split == "less_equal_f32") e.split = TreeSplit::less_equal_f32;
  else bad(root["split"].pointer, "expected 'less_f32', 'less_equal' or 'less_equal_f32', not '" + split + "'");
  const std::string missing = root["missing"].text();
  if (missing == "default_child") e.missing = MissingRule::default_child;
  else if (missing == "error") e.missing = MissingRule::error;
  else bad(root["missing"].pointer, "expected 'default_child' or 'error', not '" + missing + "'");
  At trees = root["trees"];
  e.trees.resize(trees.size());
  for (std::size_t t = 0; t < e.trees.size(); ++t) {
    At tree = trees[t];
    At left = tree["left"];
    const std::size_t n = left.size();
    auto sized = [&](const char* key) {
      At a = tree[key];
      if (a.size() != n) bad(a.pointer, fmt::format("{} entries, 'left' has {}", a.size(), n));
      return a;
    };
    At right = sized("right"), feature = sized("feature"), threshold = sized("threshold"), value = sized("value"),
       cover = sized("cover"), default_left = sized("default_left");
    auto& nodes = e.trees[t].nodes;
    nodes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto narrow = [](const At& a) {
        const auto v = a.integer();
        if (v < -1 || v > std::numeric_limits<std::int32_t>::max()) bad(a.pointer, "out of range");
        return static_cast<std::int32_t>(v);
      };
      nodes[i].left = narrow(left[i]);
      nodes[i].right = narrow(right[i]);
      nodes[i].feature = narrow(feature[i]);
      nodes[i].threshold = threshold[i].number_or_text();
      nodes[i].value = value[i].number();
      nodes[i].cover = cover[i].number();
      nodes[i].default_left = default_left[i].boolean();
    }
  }
  return e;
}

}  // namespace

std::string Model::to_json(int indent) const {
  const auto& m = *data_;
  json out = {{"format", "hotcrm.model"}, {"version", kModelFormatVersion}, {"kind", std::string(to_string(m.kind))},
              {"features", features_json(m.features)}};
  switch (m.kind) {
    case ModelKind::linear:
    case ModelKind::logistic:
      out["coef"] = m.linear.coef;
      out["intercept"] = m.linear.intercept;
      out["mean"] = m.linear.mean;
      break;
    case ModelKind::points: {
      out["base_points"] = m.points.base_points;
      json rules = json::array();
      for (const auto& rule : m.points.rules)
        rules.push_back({{"edges", rule.edges}, {"points", rule.points}, {"missing_points", rule.missing_points},
                         {"weight", rule.weight}});
      out["rules"] = rules;
      break;
    }
    case ModelKind::naive_bayes:
      out["smoothing"] = detail::NaiveBayesParams::smoothing;
      out["won_total"] = m.bayes.won_total;
      out["lost_total"] = m.bayes.lost_total;
      out["won"] = m.bayes.won;
      out["lost"] = m.bayes.lost;
      break;
    case ModelKind::tree_ensemble:
      out["base_margin"] = m.ensemble.base_margin;
      out["link"] = m.ensemble.link == Link::logistic ? "logistic" : "identity";
      out["split"] = split_name(m.ensemble.split);
      out["missing"] = m.ensemble.missing == MissingRule::error ? "error" : "default_child";
      out["trees"] = trees_json(m.ensemble);
      break;
  }
  return out.dump(indent);
}

Model Model::from_json(std::string_view text) {
  const json doc = parse_text(text, "model JSON");
  At root{doc, ""};
  if (!doc.is_object()) bad("", "expected an object");
  if (root["format"].text() != "hotcrm.model") bad("/format", "expected \"hotcrm.model\"");
  const auto version = root["version"].integer();
  if (version != kModelFormatVersion)
    fail(ErrorCode::not_supported, "/version", fmt::format("model format version {} is not supported (this library reads {})", version, kModelFormatVersion));
  const std::string kind = root["kind"].text();
  std::vector<Feature> features = read_features(root["features"]);
  if (kind == "linear" || kind == "logistic") {
    std::vector<double> coef = root["coef"].numbers();
    const double intercept = root["intercept"].number();
    std::vector<double> mean = root.has("mean") ? root["mean"].numbers() : std::vector<double>{};
    return build_at("", "", [&] {
      return kind == "linear" ? linear(std::move(features), std::move(coef), intercept, std::move(mean))
                              : logistic(std::move(features), std::move(coef), intercept, std::move(mean));
    });
  }
  if (kind == "points") {
    At rules_at = root["rules"];
    std::vector<PointsRule> rules(rules_at.size());
    for (std::size_t j = 0; j < rules.size(); ++j) {
      At r = rules_at[j];
      rules[j].edges = r.has("edges") ? r["edges"].numbers() : std::vector<double>{};
      rules[j].points = r["points"].numbers();
      if (r.has("missing_points")) rules[j].missing_points = r["missing_points"].number();
      if (r.has("weight")) rules[j].weight = r["weight"].number();
    }
    const double base = root.has("base_points") ? root["base_points"].number() : 0.0;
    return build_at("/rules", "", [&] { return points(std::move(features), std::move(rules), base); });
  }
  if (kind == "naive_bayes") {
    if (root.has("smoothing") && root["smoothing"].number() != detail::NaiveBayesParams::smoothing)
      bad("/smoothing", "only the smoothing 0.1 is supported");
    auto data = std::make_shared<detail::ModelData>();
    data->kind = ModelKind::naive_bayes;
    data->bayes.won_total = root["won_total"].number();
    data->bayes.lost_total = root["lost_total"].number();
    for (const char* key : {"won", "lost"}) {
      At table = root[key];
      auto& target = std::string_view(key) == "won" ? data->bayes.won : data->bayes.lost;
      for (std::size_t f = 0; f < table.size(); ++f) target.push_back(table[f].numbers());
    }
    return build_at("", "", [&] {
      detail::check_features(features, "features");
      data->features = std::move(features);
      detail::compile_bayes(data->features, data->bayes);
      return Model(data);
    });
  }
  if (kind == "tree_ensemble") {
    TreeEnsemble e = read_ensemble(root);
    return build_at("/trees", "/trees", [&] { return tree_ensemble(std::move(features), std::move(e)); });
  }
  bad("/kind", "unknown model kind '" + kind + "' (expected points, linear, logistic, naive_bayes or tree_ensemble)");
}

// ---- XGBoost ---------------------------------------------------------------------------------

Model Model::from_xgboost_json(std::string_view text) {
  const json doc = parse_text(text, "XGBoost model JSON");
  At root{doc, ""};
  At learner = root["learner"];
  At params = learner["learner_model_param"];
  const double num_class = params.has("num_class") ? params["num_class"].number_or_text() : 0;
  if (num_class > 1)
    fail(ErrorCode::not_supported, params["num_class"].pointer, "multi-class XGBoost models are not supported");
  if (params.has("num_target") && params["num_target"].number_or_text() > 1)
    fail(ErrorCode::not_supported, params["num_target"].pointer, "multi-target XGBoost models are not supported");
  const double num_feature = params["num_feature"].number_or_text();
  if (!(num_feature >= 1) || num_feature != std::floor(num_feature) || num_feature > 1e6)
    bad(params["num_feature"].pointer, "expected a positive feature count");
  const double base_score = params["base_score"].number_or_text();

  const std::string objective = learner["objective"]["name"].text();
  TreeEnsemble e;
  e.split = TreeSplit::less_f32;
  e.missing = MissingRule::default_child;
  if (objective == "binary:logistic" || objective == "reg:logistic") {
    e.link = Link::logistic;
    if (!(base_score > 0 && base_score < 1)) bad(params["base_score"].pointer, "must be in (0, 1) for " + objective);
    // XGBoost's ProbToMargin, in single precision as XGBoost computes it.
    const float p = static_cast<float>(base_score);
    e.base_margin = static_cast<double>(-std::log(1.0f / p - 1.0f));
  } else if (objective == "reg:squarederror" || objective == "reg:linear" || objective == "binary:logitraw" ||
             objective == "reg:pseudohubererror" || objective == "reg:absoluteerror") {
    e.link = Link::identity;
    e.base_margin = static_cast<double>(static_cast<float>(base_score));
  } else {
    fail(ErrorCode::not_supported, learner["objective"]["name"].pointer,
         "objective '" + objective + "' is not supported (binary:logistic, reg:logistic, reg:squarederror, "
         "binary:logitraw)");
  }

  At booster = learner["gradient_booster"];
  const std::string booster_name = booster["name"].text();
  if (booster_name != "gbtree")
    fail(ErrorCode::not_supported, booster["name"].pointer, "booster '" + booster_name + "' is not supported (gbtree)");
  At model = booster["model"];
  At trees = model["trees"];
  if (model.has("tree_info")) {
    At info = model["tree_info"];
    for (std::size_t i = 0; i < info.size(); ++i)
      if (info[i].integer() != 0) fail(ErrorCode::not_supported, info[i].pointer, "multi-class tree groups are not supported");
  }
  e.trees.resize(trees.size());
  for (std::size_t t = 0; t < trees.size(); ++t) {
    At tree = trees[t];
    At left = tree["left_children"];
    const std::size_t n = left.size();
    auto sized = [&](const char* key) {
      At a = tree[key];
      if (a.size() != n) bad(a.pointer, fmt::format("{} entries, left_children has {}", a.size(), n));
      return a;
    };
    At right = sized("right_children"), index = sized("split_indices"), condition = sized("split_conditions"),
       default_left = sized("default_left"), hessian = sized("sum_hessian");
    sized("base_weights");
    if (tree.has("split_type")) {
      At split_type = tree["split_type"];
      for (std::size_t i = 0; i < split_type.size(); ++i)
        if (split_type[i].integer() != 0)
          fail(ErrorCode::not_supported, split_type[i].pointer, "categorical splits are not supported");
    }
    auto& nodes = e.trees[t].nodes;
    nodes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto l = left[i].integer(), r = right[i].integer(), f = index[i].integer();
      if (l < -1 || l > std::numeric_limits<std::int32_t>::max()) bad(left[i].pointer, "out of range");
      if (r < -1 || r > std::numeric_limits<std::int32_t>::max()) bad(right[i].pointer, "out of range");
      if (f < 0 || f >= static_cast<std::int64_t>(num_feature))
        bad(index[i].pointer, fmt::format("feature {} is not below num_feature {}", f, num_feature));
      TreeNode& node = nodes[i];
      node.left = static_cast<std::int32_t>(l);
      node.right = static_cast<std::int32_t>(r);
      // XGBoost keeps every value in single precision and prints the shortest decimal that reads
      // back as that float: read it back as that float too.
      node.cover = static_cast<double>(static_cast<float>(hessian[i].number()));
      node.default_left = default_left[i].boolean();
      const double c = static_cast<double>(static_cast<float>(condition[i].number()));
      if (l < 0) {
        node.value = c;  // a leaf's split_condition holds its (scaled) leaf value
        node.feature = -1;
        node.right = -1;
      } else {
        node.feature = static_cast<std::int32_t>(f);
        node.threshold = c;
      }
    }
  }

  std::vector<Feature> features;
  if (learner.has("feature_names") && learner["feature_names"].size() == static_cast<std::size_t>(num_feature)) {
    At names = learner["feature_names"];
    for (std::size_t i = 0; i < names.size(); ++i) features.push_back({names[i].text(), {}});
  } else {
    features = numeric_features(static_cast<std::size_t>(num_feature));
  }
  return build_at("/learner", "/learner/gradient_booster/model/trees",
                  [&] { return tree_ensemble(std::move(features), std::move(e)); });
}

}  // namespace v0
}  // namespace hotcrm
