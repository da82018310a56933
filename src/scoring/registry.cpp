// The model registry: model versions in _hotcrm_models, champion/challenger routing, scoring with
// explanations and write-back into _hotcrm_scores, monitoring and training from the database.
#include "core/numeric.hpp"
#include "store/impl.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "hotcrm/scoring/registry.hpp"
#include "scoring/registry_schema.hpp"

namespace hotcrm {
inline namespace v0 {

using nlohmann::json;

std::string_view to_string(ModelStatus status) noexcept {
  switch (status) {
    case ModelStatus::challenger: return "challenger";
    case ModelStatus::champion: return "champion";
    case ModelStatus::retired: return "retired";
  }
  return "unknown";
}

ModelStatus parse_model_status(std::string_view text) {
  for (ModelStatus status : {ModelStatus::challenger, ModelStatus::champion, ModelStatus::retired})
    if (to_string(status) == text) return status;
  throw UsageError(ErrorCode::usage,
                   fmt::format("model status '{}' is not challenger, champion or retired", text));
}

std::string_view to_string(ScoreRounding rounding) noexcept {
  switch (rounding) {
    case ScoreRounding::none: return "none";
    case ScoreRounding::half_up: return "half_up";
    case ScoreRounding::half_down: return "half_down";
  }
  return "unknown";
}

ScoreRounding parse_score_rounding(std::string_view text) {
  for (ScoreRounding rounding : {ScoreRounding::none, ScoreRounding::half_up, ScoreRounding::half_down})
    if (to_string(rounding) == text) return rounding;
  throw UsageError(ErrorCode::usage, fmt::format("score rounding '{}' is not none, half_up or half_down", text));
}

double ScoreScale::apply(double output) const noexcept {
  double score = output;
  if (round == ScoreRounding::half_up) score = std::floor(output + 0.5);
  else if (round == ScoreRounding::half_down) score = std::ceil(output - 0.5);
  return std::clamp(score, min, max);
}

const std::string& ScoreScale::band(double score) const noexcept {
  for (const auto& b : bands)
    if (score >= b.min) return b.label;
  return below;
}

namespace {

using detail::kNaN;
constexpr std::size_t kLookupChunk = 500;   // ids per "IN (...)" look-up of stored scores
constexpr std::size_t kWriteChunk = 8192;   // rows per progress report while writing
constexpr const char* kVersionFeature = "version";  // the record version, read with the features

ModelKind parse_kind(std::string_view text) {
  for (ModelKind kind : {ModelKind::points, ModelKind::linear, ModelKind::logistic, ModelKind::naive_bayes,
                         ModelKind::tree_ensemble})
    if (to_string(kind) == text) return kind;
  throw Error(ErrorCode::internal, fmt::format("stored model kind '{}' is unknown", text));
}

void check_name(std::string_view name) {
  if (name.empty() || name.size() > 100)
    throw UsageError(ErrorCode::usage, "a model name has 1 to 100 characters");
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      throw UsageError(ErrorCode::usage,
                       fmt::format("model name '{}': use letters, digits, '_', '-' and '.' only", name));
}

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

std::string features_to_json(const std::vector<FeatureSpec>& features) { return feature_specs_to_json(features); }

std::vector<FeatureSpec> features_from_json(const std::string& text) { return feature_specs_from_json(text); }

/// The specs that are matrix columns (not hidden aggregates), in order.
std::vector<const FeatureSpec*> visible_specs(const std::vector<FeatureSpec>& features) {
  std::vector<const FeatureSpec*> out;
  for (const auto& f : features)
    if (!f.hidden) out.push_back(&f);
  return out;
}

/// How a feature reads in messages and column names: its formula, or the aggregate it takes.
std::string describe(const FeatureSpec& spec) {
  if (!spec.aggregate) return spec.formula;
  const FeatureAggregate& a = *spec.aggregate;
  std::string text = fmt::format("{} of {}{} by {}", a.function, a.object, a.field.empty() ? "" : "." + a.field, a.via);
  if (!a.filter.empty()) text += " where " + a.filter;
  if (a.within_days > 0) text += fmt::format(" within {} days of {}", a.within_days, a.date_field);
  return text;
}

std::string scale_to_json(const ScoreScale& scale) {
  json bands = json::array();
  for (const auto& band : scale.bands) bands.push_back({{"min", band.min}, {"label", band.label}});
  json out{{"min", number_or_null(scale.min)}, {"max", number_or_null(scale.max)}, {"bands", bands}, {"below", scale.below}};
  if (scale.round != ScoreRounding::none) out["round"] = std::string(to_string(scale.round));
  return out.dump();
}

ScoreScale scale_from_json(const std::string& text) {
  const json j = json::parse(text);
  ScoreScale scale;
  if (j.contains("min") && !j["min"].is_null()) scale.min = j["min"].get<double>();
  if (j.contains("max") && !j["max"].is_null()) scale.max = j["max"].get<double>();
  for (const auto& band : j.value("bands", json::array()))
    scale.bands.push_back({band.at("min").get<double>(), band.at("label").get<std::string>()});
  scale.below = j.value("below", "");
  if (j.contains("round")) scale.round = parse_score_rounding(j["round"].get<std::string>());
  return scale;
}

void check_scale(ScoreScale& scale) {
  if (std::isnan(scale.min) || std::isnan(scale.max) || scale.min > scale.max)
    throw UsageError(ErrorCode::usage, "score scale: min must not exceed max");
  for (const auto& band : scale.bands)
    if (!std::isfinite(band.min)) throw UsageError(ErrorCode::usage, "score scale: band minimums must be finite");
  std::stable_sort(scale.bands.begin(), scale.bands.end(), [](const ScoreBand& a, const ScoreBand& b) { return a.min > b.min; });
}

std::string histogram_to_json(const ScoreHistogram& h) {
  return json{{"edges", h.edges}, {"fractions", h.fractions}, {"count", h.count}}.dump();
}

ScoreHistogram histogram_from_json(const std::string& text) {
  const json j = json::parse(text);
  ScoreHistogram h;
  h.edges = j.value("edges", std::vector<double>{});
  h.fractions = j.value("fractions", std::vector<double>{});
  h.count = j.value("count", std::int64_t{0});
  return h;
}

/// An error's message without its "[hotcrm....] " tag, to re-raise it with more context.
std::string untagged(const Error& error) {
  const std::string message = error.what();
  const auto end = message.find("] ");
  return message.starts_with("[hotcrm.") && end != std::string::npos ? message.substr(end + 2) : message;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<int>(c));
        else out += c;
    }
  }
  out += '"';
}

/// {"base": b, "raw": r, "positive": [{"feature", "value", "contribution"}], "negative": [...]}.
std::string explanation_json(double base, double raw, const TopFactors& top) {
  std::string out = fmt::format("{{\"base\":{},\"raw\":{}", base, raw);
  for (const auto* side : {&top.positive, &top.negative}) {
    out += side == &top.positive ? ",\"positive\":[" : ",\"negative\":[";
    for (std::size_t i = 0; i < side->size(); ++i) {
      const Factor& f = (*side)[i];
      out += i ? ",{\"feature\":" : "{\"feature\":";
      append_json_string(out, f.name);
      out += ",\"value\":";
      append_json_string(out, f.value_text);
      out += fmt::format(",\"contribution\":{}}}", f.contribution);
    }
    out += ']';
  }
  out += '}';
  return out;
}

struct Loaded {
  ModelInfo info;
  Model model;
};

ModelInfo read_info(hotcrm::detail::Statement& s) {
  // Columns: name, version, kind, object, features, metrics, status, traffic, scale, reference,
  // description, created_at (then parameters, when asked for).
  ModelInfo info;
  info.name = std::string(s.column_text(0));
  info.version = s.column_int(1);
  info.kind = parse_kind(s.column_text(2));
  info.object = std::string(s.column_text(3));
  info.features = features_from_json(std::string(s.column_text(4)));
  info.metrics_json = std::string(s.column_text(5));
  info.status = parse_model_status(s.column_text(6));
  info.traffic = s.column_double(7);
  info.scale = scale_from_json(std::string(s.column_text(8)));
  info.reference = histogram_from_json(std::string(s.column_text(9)));
  info.description = std::string(s.column_text(10));
  info.created_at = DateTime{s.column_int(11)};
  return info;
}

constexpr const char* kInfoColumns =
    "name, version, kind, object, features, metrics, status, traffic, scale, reference, description, created_at";

bool registry_tables_exist(hotcrm::detail::Connection& db) {
  auto& s = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_hotcrm_models', '_hotcrm_scores')");
  s.step();
  const bool exist = s.column_int(0) == 2;
  s.reset();
  return exist;
}

/// The union of several models' features: one matrix column per distinct visible spec, and every
/// hidden aggregate they read (once per name: two versions may not define one name differently).
struct FeatureUnion {
  std::vector<FeatureSpec> specs;   // the matrix columns
  std::vector<FeatureSpec> hidden;  // computed for the columns' formulas, not columns
  std::vector<std::vector<std::size_t>> columns;  // per model: union column of each model feature

  explicit FeatureUnion(const std::vector<Loaded>& models) {
    for (const auto& m : models) {
      std::vector<std::size_t> cols;
      for (const auto& f : m.info.features) {
        if (f.hidden) continue;
        auto it = std::find(specs.begin(), specs.end(), f);
        if (it == specs.end()) {
          cols.push_back(specs.size());
          specs.push_back(f);
        } else {
          cols.push_back(static_cast<std::size_t>(it - specs.begin()));
        }
      }
      columns.push_back(std::move(cols));
    }
    for (const auto& m : models)
      for (const auto& f : m.info.features) {
        if (!f.hidden) continue;
        auto same_name = [&](const FeatureSpec& o) { return o.name == f.name && (o.aggregate || o.hidden); };
        auto it = std::find_if(hidden.begin(), hidden.end(), same_name);
        auto shown = std::find_if(specs.begin(), specs.end(), same_name);
        const FeatureSpec* other = it != hidden.end() ? &*it : shown != specs.end() ? &*shown : nullptr;
        if (!other) hidden.push_back(f);
        else if (other->aggregate != f.aggregate)
          throw UsageError(ErrorCode::usage, fmt::format("model '{}' version {}: aggregate '{}' ({}) is defined differently "
                                                         "by another version in play ({}); rename one",
                                                         m.info.name, m.info.version, f.name, describe(f), describe(*other)));
      }
  }
  /// The specs to extract: the columns, then the hidden aggregates.
  std::vector<FeatureSpec> request() const {
    std::vector<FeatureSpec> out = specs;
    out.insert(out.end(), hidden.begin(), hidden.end());
    return out;
  }
  std::vector<std::string> display_names() const {
    std::vector<std::string> out;
    for (const auto& s : specs) {
      std::string name = s.name;
      const auto same = std::count_if(specs.begin(), specs.end(), [&](const FeatureSpec& o) { return o.name == s.name; });
      if (same > 1) name += " [" + describe(s) + "]";
      out.push_back(std::move(name));
    }
    return out;
  }
};

}  // namespace

// ---- the registry ------------------------------------------------------------------------------

ModelRegistry::ModelRegistry(Session session) : session_(std::move(session)) { ensure_tables(); }

void ModelRegistry::ensure_tables() const {
  std::lock_guard lock(session_.impl_->mutex);
  auto& db = session_.impl_->db();
  if (session_.impl_->read_only || registry_tables_exist(db)) return;
  db.exec(registry_schema::kRegistryDdl);
}

ModelInfo ModelRegistry::register_model(std::string_view name, const Model& model, const RegisterOptions& options) {
  check_name(name);
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  if (impl.read_only) throw UsageError(ErrorCode::usage, "register_model: the database is read-only");
  impl.plan(options.object);  // SchemaError for an unknown object
  const std::string where = fmt::format("register_model '{}'", name);
  const auto columns = visible_specs(options.features);
  if (columns.size() != model.feature_count())
    throw UsageError(ErrorCode::usage, fmt::format("{}: {} feature formulas for a model of {} features", where,
                                                   columns.size(), model.feature_count()));
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i]->name != model.features()[i].name)
      throw UsageError(ErrorCode::usage, fmt::format("{}: feature formula {} is named '{}', the model's feature {} is '{}'",
                                                     where, i, columns[i]->name, i, model.features()[i].name));
  try {
    // Compiles every feature (and checks its type) without reading a record.
    session_.features(options.object, options.features, Filter::compare("id", CompareOp::eq, Value("")));
  } catch (const UsageError& error) {
    throw UsageError(error.code(), fmt::format("{}: {}", where, untagged(error)));
  }
  json metrics;
  try {
    metrics = json::parse(options.metrics_json);
  } catch (const json::exception& error) {
    throw UsageError(ErrorCode::parse, fmt::format("{}: metrics are not JSON: {}", where, error.what()));
  }
  if (!metrics.is_object()) throw UsageError(ErrorCode::usage, fmt::format("{}: metrics must be a JSON object", where));
  ScoreScale scale = options.scale;
  check_scale(scale);
  if (!(options.traffic >= 0 && options.traffic <= 100))
    throw UsageError(ErrorCode::usage, fmt::format("{}: traffic {} is not a percentage (0 to 100)", where, options.traffic));
  const ScoreHistogram reference = make_histogram(options.reference_scores);

  auto& db = impl.db();
  hotcrm::detail::Transaction transaction(db);
  auto& next = db.prepare("SELECT COALESCE(MAX(version), 0) + 1, "
                          "(SELECT count(*) FROM _hotcrm_models WHERE name = ?1 AND status = 'champion') "
                          "FROM _hotcrm_models WHERE name = ?1");
  next.bind_text(1, name);
  next.step();
  const std::int64_t version = next.column_int(0);
  const bool has_champion = next.column_int(1) > 0;
  next.reset();
  ModelStatus status = options.status;
  if (!has_champion && status != ModelStatus::retired) status = ModelStatus::champion;
  if (status == ModelStatus::champion && has_champion) {
    auto& retire = db.prepare("UPDATE _hotcrm_models SET status = 'retired', traffic = 0 WHERE name = ? AND status = 'champion'");
    retire.bind_text(1, name);
    retire.step();
    retire.reset();
  }
  const double traffic = status == ModelStatus::challenger ? options.traffic : 0.0;
  if (traffic > 0) {
    auto& total = db.prepare("SELECT COALESCE(SUM(traffic), 0) FROM _hotcrm_models WHERE name = ? AND status = 'challenger'");
    total.bind_text(1, name);
    total.step();
    const double used = total.column_double(0);
    total.reset();
    if (used + traffic > 100 + 1e-9)
      throw UsageError(ErrorCode::usage, fmt::format("{}: the challengers of '{}' would take {}% of the records (more than 100%)",
                                                     where, name, used + traffic));
  }
  ModelInfo info;
  info.name = std::string(name);
  info.version = version;
  info.kind = model.kind();
  info.object = options.object;
  info.features = options.features;
  info.status = status;
  info.traffic = traffic;
  info.metrics_json = metrics.dump();
  info.scale = scale;
  info.reference = reference;
  info.description = options.description;
  info.created_at = impl.clock();
  auto& insert = db.prepare(
      "INSERT INTO _hotcrm_models (name, version, kind, object, features, parameters, metrics, status, traffic, scale, "
      "reference, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind_text(1, info.name);
  insert.bind_int(2, version);
  insert.bind_text(3, to_string(info.kind));
  insert.bind_text(4, info.object);
  insert.bind_text(5, features_to_json(info.features));
  insert.bind_text(6, model.to_json());
  insert.bind_text(7, info.metrics_json);
  insert.bind_text(8, to_string(status));
  insert.bind_double(9, traffic);
  insert.bind_text(10, scale_to_json(scale));
  insert.bind_text(11, histogram_to_json(reference));
  insert.bind_text(12, info.description);
  insert.bind_int(13, info.created_at.micros);
  insert.step();
  insert.reset();
  transaction.commit();
  return info;
}

std::vector<ModelInfo> ModelRegistry::list(std::string_view name) const {
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  if (name.empty()) {
    for (const auto& each : default_model_names()) const_cast<ModelRegistry*>(this)->ensure_default(each);
  } else {
    const_cast<ModelRegistry*>(this)->ensure_default(name);
  }
  auto& db = impl.db();
  std::vector<ModelInfo> out;
  if (!registry_tables_exist(db)) return out;
  auto& s = db.prepare(fmt::format("SELECT {} FROM _hotcrm_models WHERE ?1 = '' OR name = ?1 ORDER BY name, version", kInfoColumns));
  s.bind_text(1, std::string(name));  // never a null pointer: an empty name binds '', not NULL
  while (s.step()) out.push_back(read_info(s));
  s.reset();
  return out;
}

RegisteredModel ModelRegistry::get(std::string_view name, std::optional<std::int64_t> version) const {
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  const_cast<ModelRegistry*>(this)->ensure_default(name);
  auto& db = impl.db();
  if (!registry_tables_exist(db)) throw NotFoundError(ErrorCode::not_found, fmt::format("no model named '{}'", name));
  auto& s = db.prepare(fmt::format("SELECT {}, parameters FROM _hotcrm_models WHERE name = ?1 AND "
                                   "(?2 IS NULL AND status = 'champion' OR version = ?2)",
                                   kInfoColumns));
  s.bind_text(1, name);
  if (version) s.bind_int(2, *version);
  else s.bind_null(2);
  if (!s.step()) {
    s.reset();
    auto& any = db.prepare("SELECT count(*) FROM _hotcrm_models WHERE name = ?");
    any.bind_text(1, name);
    any.step();
    const bool known = any.column_int(0) > 0;
    any.reset();
    if (!known) throw NotFoundError(ErrorCode::not_found, fmt::format("no model named '{}'", name));
    if (version) throw NotFoundError(ErrorCode::not_found, fmt::format("model '{}' has no version {}", name, *version));
    throw NotFoundError(ErrorCode::not_found, fmt::format("model '{}' has no champion", name));
  }
  ModelInfo info = read_info(s);
  const std::string parameters(s.column_text(12));
  s.reset();
  try {
    return {std::move(info), Model::from_json(parameters)};
  } catch (const Error& error) {
    throw Error(ErrorCode::internal, fmt::format("stored parameters of model '{}' version {} are invalid: {}", name,
                                                 info.version, error.what()));
  }
}

void ModelRegistry::promote(std::string_view name, std::int64_t version) {
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  const RegisteredModel target = get(name, version);  // NotFoundError names what is missing
  if (target.info.status == ModelStatus::champion) return;
  auto& db = impl.db();
  hotcrm::detail::Transaction transaction(db);
  auto& retire = db.prepare("UPDATE _hotcrm_models SET status = 'retired', traffic = 0 WHERE name = ? AND status = 'champion'");
  retire.bind_text(1, name);
  retire.step();
  retire.reset();
  auto& promote = db.prepare("UPDATE _hotcrm_models SET status = 'champion', traffic = 0 WHERE name = ? AND version = ?");
  promote.bind_text(1, name);
  promote.bind_int(2, version);
  promote.step();
  promote.reset();
  transaction.commit();
}

void ModelRegistry::set_traffic(std::string_view name, std::int64_t version, double percent) {
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  const RegisteredModel target = get(name, version);
  if (target.info.status != ModelStatus::challenger)
    throw UsageError(ErrorCode::usage, fmt::format("model '{}' version {} is the {}: only a challenger takes a traffic share",
                                                   name, version, to_string(target.info.status)));
  if (!(percent >= 0 && percent <= 100))
    throw UsageError(ErrorCode::usage, fmt::format("traffic {} is not a percentage (0 to 100)", percent));
  auto& db = impl.db();
  hotcrm::detail::Transaction transaction(db);
  auto& total = db.prepare(
      "SELECT COALESCE(SUM(traffic), 0) FROM _hotcrm_models WHERE name = ? AND status = 'challenger' AND version != ?");
  total.bind_text(1, name);
  total.bind_int(2, version);
  total.step();
  const double others = total.column_double(0);
  total.reset();
  if (others + percent > 100 + 1e-9)
    throw UsageError(ErrorCode::usage, fmt::format("the challengers of '{}' would take {}% of the records (more than 100%)",
                                                   name, others + percent));
  auto& update = db.prepare("UPDATE _hotcrm_models SET traffic = ? WHERE name = ? AND version = ?");
  update.bind_double(1, percent);
  update.bind_text(2, name);
  update.bind_int(3, version);
  update.step();
  update.reset();
  transaction.commit();
}

void ModelRegistry::retire(std::string_view name, std::int64_t version) {
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  const RegisteredModel target = get(name, version);
  if (target.info.status == ModelStatus::champion)
    throw UsageError(ErrorCode::usage, fmt::format("model '{}' version {} is the champion: promote another version first",
                                                   name, version));
  auto& update = impl.db().prepare("UPDATE _hotcrm_models SET status = 'retired', traffic = 0 WHERE name = ? AND version = ?");
  update.bind_text(1, name);
  update.bind_int(2, version);
  update.step();
  update.reset();
}

namespace {

/// Scores `filter`'s records with `models` (models[0] is the default route; the others take their
/// traffic share by routing hash). The core of score() and set_reference().
ScoreResult run_scoring(Session& session, Session::Impl& impl, std::string_view name, const std::vector<Loaded>& models,
                        const Filter& filter, const ScoreOptions& options) {
  const std::string& object = models.front().info.object;
  FeatureUnion features(models);
  std::vector<FeatureSpec> specs = features.request();
  specs.push_back(FeatureSpec::of(kVersionFeature, "version"));
  FeatureMatrix matrix = session.features(object, specs, filter);
  const std::size_t width = matrix.names.size();
  const std::size_t n_union = features.specs.size();
  std::size_t rows = matrix.rows();
  if (options.limit >= 0) rows = std::min(rows, static_cast<std::size_t>(options.limit));
  if (options.on_progress && !options.on_progress({"features", static_cast<std::int64_t>(rows), static_cast<std::int64_t>(rows)}))
    throw Error(ErrorCode::cancelled, "scoring was cancelled");

  // Route: the challengers (models[1..]) take consecutive ranges of the 10,000 buckets.
  std::vector<std::uint16_t> route(rows, 0);
  if (models.size() > 1) {
    std::vector<double> upper;
    double acc = 0;
    for (std::size_t m = 1; m < models.size(); ++m) upper.push_back(acc += models[m].info.traffic * 100.0);
    for (std::size_t r = 0; r < rows; ++r) {
      const auto bucket = static_cast<double>(routing_hash(name, matrix.ids[r]) % 10000);
      for (std::size_t m = 0; m < upper.size(); ++m)
        if (bucket < upper[m]) {
          route[r] = static_cast<std::uint16_t>(m + 1);
          break;
        }
    }
  }
  std::vector<std::int64_t> record_version(rows);
  for (std::size_t r = 0; r < rows; ++r) record_version[r] = static_cast<std::int64_t>(matrix.values[r * width + n_union]);

  // Unchanged records (same record version, same model version as stored) are skipped.
  std::vector<std::uint8_t> keep(rows, 1);
  std::int64_t skipped = 0;
  if (options.write) {
    auto& db = impl.db();
    for (std::size_t first = 0; first < rows; first += kLookupChunk) {
      const std::size_t count = std::min(kLookupChunk, rows - first);
      std::string marks;
      for (std::size_t i = 0; i < count; ++i) marks += i ? ",?" : "?";
      auto& s = db.prepare(fmt::format(
          "SELECT record_id, record_version, model_version FROM _hotcrm_scores WHERE model = ? AND record_id IN ({})", marks));
      s.bind_text(1, name);
      std::unordered_map<std::string_view, std::size_t> index;
      for (std::size_t i = 0; i < count; ++i) {
        s.bind_text_unowned(static_cast<int>(i + 2), matrix.ids[first + i]);
        index.emplace(matrix.ids[first + i], first + i);
      }
      while (s.step()) {
        auto it = index.find(s.column_text(0));
        if (it == index.end()) continue;
        const std::size_t r = it->second;
        if (s.column_int(1) == record_version[r] && s.column_int(2) == models[route[r]].info.version) {
          keep[r] = 0;
          ++skipped;
        }
      }
      s.reset();
    }
  }

  ScoreResult result;
  result.model = std::string(name);
  result.object = object;
  result.skipped = skipped;
  std::vector<std::size_t> out_row(rows, SIZE_MAX);
  for (std::size_t r = 0; r < rows; ++r)
    if (keep[r]) {
      out_row[r] = result.ids.size();
      result.ids.push_back(matrix.ids[r]);
      result.model_versions.push_back(models[route[r]].info.version);
      result.record_versions.push_back(record_version[r]);
    }
  const std::size_t n_out = result.ids.size();
  result.scores.assign(n_out, kNaN);
  result.raw.assign(n_out, kNaN);
  bool any_bands = false;
  for (const auto& m : models) any_bands = any_bands || !m.info.scale.bands.empty();
  if (any_bands) result.bands.assign(n_out, std::string());
  result.feature_names = features.display_names();
  if (options.explain) {
    result.base.assign(n_out, 0.0);
    result.contributions.assign(n_out * n_union, 0.0);
  }
  std::vector<std::string> explanations(options.write && options.explain ? n_out : 0);

  for (std::size_t m = 0; m < models.size(); ++m) {
    const Loaded& loaded = models[m];
    std::vector<std::size_t> members;  // rows of the matrix routed here and kept
    for (std::size_t r = 0; r < rows; ++r)
      if (keep[r] && route[r] == m) members.push_back(r);
    if (members.empty()) continue;
    const auto& cols = features.columns[m];
    const std::size_t k = cols.size();
    std::vector<double> X(members.size() * k);
    for (std::size_t i = 0; i < members.size(); ++i)
      for (std::size_t j = 0; j < k; ++j) X[i * k + j] = matrix.values[members[i] * width + cols[j]];
    const MatrixView view{X.data(), members.size(), k};
    std::vector<double> raw = loaded.model.predict_raw(view);
    std::vector<double> score = loaded.model.outputs_probability() ? loaded.model.predict(view) : raw;
    Explanation explanation;
    if (options.explain) explanation = loaded.model.explain(view);
    for (std::size_t i = 0; i < members.size(); ++i) {
      const std::size_t o = out_row[members[i]];
      const double s = loaded.info.scale.apply(score[i]);
      result.scores[o] = s;
      result.raw[o] = raw[i];
      if (any_bands) result.bands[o] = loaded.info.scale.band(s);
      if (!options.explain) continue;
      double total = explanation.base;
      for (std::size_t j = 0; j < k; ++j) {
        result.contributions[o * n_union + cols[j]] += explanation.at(i, j);
        total += explanation.at(i, j);
      }
      result.base[o] = explanation.base;
      if (!(std::abs(total - raw[i]) <= 1e-9 * std::max(1.0, std::abs(raw[i]))) && !std::isnan(raw[i]))
        throw Error(ErrorCode::internal,
                    fmt::format("model '{}' version {}: the explanation of record {} adds up to {}, its output is {}",
                                name, loaded.info.version, result.ids[o], total, raw[i]));
      if (!explanations.empty())
        explanations[o] = explanation_json(explanation.base, raw[i], loaded.model.top_factors(explanation, view, i, options.top_k));
    }
  }

  if (options.write && n_out > 0) {
    auto& db = impl.db();
    const std::int64_t now = impl.clock().micros;
    hotcrm::detail::Transaction transaction(db);
    auto& upsert = db.prepare(
        "INSERT INTO _hotcrm_scores (model, record_id, object, model_version, record_version, score, raw, band, explanation, "
        "scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, record_id) DO UPDATE SET "
        "object = excluded.object, model_version = excluded.model_version, record_version = excluded.record_version, "
        "score = excluded.score, raw = excluded.raw, band = excluded.band, explanation = excluded.explanation, "
        "scored_at = excluded.scored_at");
    for (std::size_t o = 0; o < n_out; ++o) {
      upsert.bind_text(1, name);
      upsert.bind_text_unowned(2, result.ids[o]);
      upsert.bind_text(3, object);
      upsert.bind_int(4, result.model_versions[o]);
      upsert.bind_int(5, result.record_versions[o]);
      // NaN (a model that cannot score a record) is stored as NULL.
      if (std::isnan(result.scores[o])) upsert.bind_null(6);
      else upsert.bind_double(6, result.scores[o]);
      if (std::isnan(result.raw[o])) upsert.bind_null(7);
      else upsert.bind_double(7, result.raw[o]);
      if (any_bands) upsert.bind_text_unowned(8, result.bands[o]);
      else upsert.bind_null(8);
      if (explanations.empty()) upsert.bind_null(9);
      else upsert.bind_text_unowned(9, explanations[o]);
      upsert.bind_int(10, now);
      upsert.step();
      upsert.reset();
      if (options.on_progress && (o + 1) % kWriteChunk == 0 &&
          !options.on_progress({"write", static_cast<std::int64_t>(o + 1), static_cast<std::int64_t>(n_out)}))
        throw Error(ErrorCode::cancelled, "scoring was cancelled: nothing was written");
    }
    transaction.commit();
    result.written = static_cast<std::int64_t>(n_out);
    if (options.on_progress) options.on_progress({"write", static_cast<std::int64_t>(n_out), static_cast<std::int64_t>(n_out)});
  }
  return result;
}

}  // namespace

ScoreResult ModelRegistry::score(std::string_view name, const Filter& filter, const ScoreOptions& options) {
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  if (options.write && impl.read_only) throw UsageError(ErrorCode::usage, "score: cannot write scores, the database is read-only");
  const RegisteredModel champion = get(name);
  std::vector<Loaded> models{{champion.info, champion.model}};
  for (const auto& info : list(name))
    if (info.status == ModelStatus::challenger && info.traffic > 0) {
      if (info.object != champion.info.object)
        throw UsageError(ErrorCode::usage, fmt::format("model '{}': challenger version {} scores {}, the champion {}", name,
                                                       info.version, info.object, champion.info.object));
      RegisteredModel challenger = get(name, info.version);
      models.push_back({challenger.info, challenger.model});
    }
  return run_scoring(session_, impl, name, models, filter, options);
}

ScoreHistogram ModelRegistry::set_reference(std::string_view name, std::int64_t version, const Filter& filter) {
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  if (impl.read_only) throw UsageError(ErrorCode::usage, "set_reference: the database is read-only");
  const RegisteredModel target = get(name, version);
  const ScoreResult result = run_scoring(session_, impl, name, {{target.info, target.model}}, filter, {});
  const ScoreHistogram reference = make_histogram(result.scores);
  auto& update = impl.db().prepare("UPDATE _hotcrm_models SET reference = ? WHERE name = ? AND version = ?");
  update.bind_text(1, histogram_to_json(reference));
  update.bind_text(2, name);
  update.bind_int(3, version);
  update.step();
  update.reset();
  return reference;
}

MonitorReport ModelRegistry::monitor(std::string_view name, const MonitorOptions& options) {
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  const std::vector<ModelInfo> versions = list(name);
  if (versions.empty()) throw NotFoundError(ErrorCode::not_found, fmt::format("no model named '{}'", name));
  // Stored scores of this tenant's records, per version.
  std::map<std::int64_t, std::vector<std::pair<std::string, double>>> stored;
  auto& s = impl.db().prepare("SELECT record_id, model_version, score FROM _hotcrm_scores WHERE model = ? ORDER BY record_id");
  s.bind_text(1, name);
  while (s.step())
    if (!s.column_is_null(2)) stored[s.column_int(1)].emplace_back(std::string(s.column_text(0)), s.column_double(2));
  s.reset();
  std::unordered_map<std::string, double> labels;
  if (!options.label.empty()) {
    FeatureMatrix outcome;
    try {
      outcome = session_.features(versions.front().object, {{"label", options.label}}, options.filter);
    } catch (const UsageError& error) {
      throw UsageError(error.code(), fmt::format("monitor '{}': the label {}", name, untagged(error)));
    }
    for (std::size_t r = 0; r < outcome.rows(); ++r)
      if (!std::isnan(outcome.values[r])) labels.emplace(outcome.ids[r], outcome.values[r] != 0 ? 1.0 : 0.0);
  }
  MonitorReport report;
  report.model = std::string(name);
  for (const auto& info : versions) {
    auto it = stored.find(info.version);
    if (it == stored.end() && info.status == ModelStatus::retired) continue;
    VersionMonitor v;
    v.version = info.version;
    v.status = info.status;
    std::vector<double> scores;
    if (it != stored.end())
      for (const auto& [id, score] : it->second) scores.push_back(score);
    v.scored = static_cast<std::int64_t>(scores.size());
    v.edges = info.reference.edges;
    v.reference_fractions = info.reference.fractions;
    if (!info.reference.empty() && !scores.empty()) {
      v.current_fractions = histogram_fractions(info.reference, scores);
      v.psi = population_stability(info.reference, scores);
    }
    if (!labels.empty() && it != stored.end()) {
      std::vector<double> predicted, observed;
      for (const auto& [id, score] : it->second)
        if (auto label = labels.find(id); label != labels.end()) {
          predicted.push_back(score);
          observed.push_back(label->second);
        }
      v.labelled = static_cast<std::int64_t>(predicted.size());
      v.positives = static_cast<std::int64_t>(std::count(observed.begin(), observed.end(), 1.0));
      v.auc = roc_auc(predicted, observed);
      const bool probability = get(name, info.version).model.outputs_probability();
      if (probability && !predicted.empty()) {
        v.log_loss = log_loss(predicted, observed);
        v.calibration = calibration_table(predicted, observed, options.bins);
      }
    }
    report.versions.push_back(std::move(v));
  }
  return report;
}

ModelInfo ModelRegistry::train(std::string_view name, const TrainRequest& request) {
  check_name(name);
  if (request.label.empty()) throw UsageError(ErrorCode::usage, fmt::format("train '{}': a label formula is required", name));
  std::vector<FeatureSpec> specs = request.features;
  specs.push_back(FeatureSpec::of("__label", request.label));
  FeatureMatrix matrix = session_.features(request.object, specs, request.filter);
  const std::size_t width = matrix.names.size();
  const auto columns = visible_specs(request.features);
  const std::size_t d = columns.size();
  std::vector<double> X, y;
  for (std::size_t r = 0; r < matrix.rows(); ++r) {
    const double label = matrix.values[r * width + d];
    if (std::isnan(label)) continue;
    for (std::size_t j = 0; j < d; ++j) {
      const double x = matrix.values[r * width + j];
      if (std::isnan(x))
        throw UsageError(ErrorCode::usage, fmt::format("train '{}': feature '{}' is blank for record {}; wrap it in "
                                                       "BLANKVALUE(..., 0) or filter the record out",
                                                       name, columns[j]->name, matrix.ids[r]));
      X.push_back(x);
    }
    y.push_back(label != 0 ? 1.0 : 0.0);
  }
  if (y.empty()) throw UsageError(ErrorCode::usage, fmt::format("train '{}': no record matches with a known label", name));
  std::vector<std::string> names;
  for (const auto* f : columns) names.push_back(f->name);
  const MatrixView view{X.data(), y.size(), d};
  TrainedModel trained = train_logistic(numeric_features(names), view, y, request.options);
  const double positives = std::count(y.begin(), y.end(), 1.0);
  json metrics = {{"rows", y.size()},
                  {"positives", positives},
                  {"log_loss", trained.metrics.log_loss},
                  {"auc", number_or_null(trained.metrics.auc)},
                  {"iterations", trained.metrics.iterations},
                  {"converged", trained.metrics.converged},
                  {"l2", request.options.l2}};
  RegisterOptions options;
  options.object = request.object;
  options.features = request.features;
  options.metrics_json = metrics.dump();
  options.reference_scores = trained.model.predict(view);
  options.scale = request.scale;
  options.description = request.description;
  options.status = request.status;
  options.traffic = request.traffic;
  return register_model(name, trained.model, options);
}

std::vector<std::string> ModelRegistry::install_defaults() {
  std::vector<std::string> installed;
  auto& impl = *session_.impl_;
  std::lock_guard lock(impl.mutex);
  if (impl.read_only) return installed;
  for (const auto& name : default_model_names())
    if (install_default(name)) installed.push_back(name);
  return installed;
}

bool ModelRegistry::install_default(std::string_view name) {
  auto& s = session_.impl_->db().prepare("SELECT count(*) FROM _hotcrm_models WHERE name = ?");
  s.bind_text(1, name);
  s.step();
  const bool present = s.column_int(0) > 0;
  s.reset();
  if (present) return false;
  std::optional<RegisteredModel> model;
  try {
    model = default_model(session_.impl_->catalog, name);
  } catch (const UsageError&) {
    return false;  // the catalog lacks an object or field of this default: it has no such model
  }
  RegisterOptions options;
  options.object = model->info.object;
  options.features = model->info.features;
  options.metrics_json = model->info.metrics_json;
  options.scale = model->info.scale;
  options.description = model->info.description;
  options.status = ModelStatus::champion;
  register_model(model->info.name, model->model, options);
  return true;
}

void ModelRegistry::ensure_default(std::string_view name) {
  const auto& names = default_model_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) return;
  if (session_.impl_->read_only) return;
  try {
    install_default(name);
  } catch (const SchemaError&) {
  }
}

}  // namespace v0
}  // namespace hotcrm
