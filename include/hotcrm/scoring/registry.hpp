#pragma once
// The model registry: scoring models stored in the database with their feature formulas, routed
// champion/challenger by a stable hash of the record id, scores written back with the model
// version and an explanation, and monitoring of score drift (PSI) and accuracy (AUC, log-loss,
// calibration) as outcomes arrive. See docs/scoring.md, "Registry".
//
// Storage: two system tables, _hotcrm_models (one row per model version) and _hotcrm_scores (the
// latest score of each record per model name). They are shared by every tenant of the file; scoring
// itself reads only the session's tenant. Every timestamp comes from the database clock.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/progress.hpp"
#include "hotcrm/scoring/model.hpp"
#include "hotcrm/store/database.hpp"

namespace hotcrm {
inline namespace v0 {

/// Where a model version stands. One champion per name at most; promoting retires the old one.
enum class ModelStatus : std::uint8_t { challenger, champion, retired };
std::string_view to_string(ModelStatus status) noexcept;
/// "challenger", "champion" or "retired"; throws UsageError otherwise.
ModelStatus parse_model_status(std::string_view text);

/// A score label: scores >= min take `label` (the first band that matches, bands in descending min).
struct ScoreBand {
  double min = 0.0;
  std::string label;
};

/// Rounding of a score to a whole number: none, to nearest with ties up (towards +infinity, as
/// JavaScript's Math.round, which the seed's formulas use) or with ties down (towards -infinity:
/// 100 - a half-up rounded score equals a half-down rounded 100 - score).
enum class ScoreRounding : std::uint8_t { none, half_up, half_down };
std::string_view to_string(ScoreRounding rounding) noexcept;
/// "none", "half_up" or "half_down"; throws UsageError otherwise.
ScoreRounding parse_score_rounding(std::string_view text);

/// What the registry does with a model's output: round it (optionally), clamp it to [min, max] (the
/// explanation stays that of the raw output) and name it with bands ("hot" >= 80, ...; `below` under
/// the last band).
struct ScoreScale {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::vector<ScoreBand> bands;
  std::string below;
  ScoreRounding round = ScoreRounding::none;

  /// The score of an output: rounded, then clamped.
  double apply(double output) const noexcept;
  /// The band label of a score ("" without bands).
  const std::string& band(double score) const noexcept;
};

/// A histogram of scores (the PSI reference): `edges` are the ascending interior cut points (bin i is
/// edges[i-1] <= s < edges[i]), `fractions` the share of scores in each of the edges.size()+1 bins.
struct ScoreHistogram {
  std::vector<double> edges;
  std::vector<double> fractions;
  std::int64_t count = 0;
  bool empty() const noexcept { return count == 0; }
};

/// A histogram with `bins` bins cut at the quantiles of `scores` (equal-count bins; tied cut points
/// are merged, so heavily tied scores give fewer bins). NaN scores are ignored.
ScoreHistogram make_histogram(std::span<const double> scores, int bins = 10);
/// The share of `scores` in each bin of `reference` (same edges).
std::vector<double> histogram_fractions(const ScoreHistogram& reference, std::span<const double> scores);
/// Population stability index of `scores` against `reference`: sum over bins of (c - r) * ln(c / r),
/// with empty-bin shares floored at 1e-4 so that the sum stays finite. NaN when either side is empty.
double population_stability(const ScoreHistogram& reference, std::span<const double> scores);
/// ROC AUC (Mann-Whitney U, ties count half); NaN unless both classes occur. labels are 1/0.
double roc_auc(std::span<const double> scores, std::span<const double> labels);
/// Mean log-loss of probabilities (clipped to [1e-15, 1 - 1e-15]).
double log_loss(std::span<const double> probabilities, std::span<const double> labels);

/// One row of a calibration table: predictions in [low, high), their mean and the observed rate.
struct CalibrationBin {
  double low = 0.0;
  double high = 0.0;
  std::int64_t count = 0;
  double mean_predicted = 0.0;
  double observed_rate = 0.0;
};
/// Calibration of probabilities in `bins` equal-width bins over [0, 1]; empty bins are left out.
std::vector<CalibrationBin> calibration_table(std::span<const double> probabilities, std::span<const double> labels,
                                              int bins = 10);

/// The routing hash: 64-bit FNV-1a of the bytes of `model_name`, a 0 byte, then `record_id`.
/// bucket = hash % 10000 (basis points): stable across runs, platforms and library versions.
std::uint64_t routing_hash(std::string_view model_name, std::string_view record_id) noexcept;

/// A registered model version, without its parameters.
struct ModelInfo {
  std::string name;
  std::int64_t version = 0;
  ModelKind kind = ModelKind::points;
  std::string object;
  std::vector<FeatureSpec> features;
  ModelStatus status = ModelStatus::challenger;
  double traffic = 0.0;  ///< challenger share of records, in percent
  std::string metrics_json = "{}";
  ScoreScale scale;
  ScoreHistogram reference;
  std::string description;
  DateTime created_at;
};

struct RegisteredModel {
  ModelInfo info;
  Model model;
};

/// What register_model stores besides the model.
struct RegisterOptions {
  std::string object;                 ///< the object whose records are scored
  std::vector<FeatureSpec> features;  ///< one formula per model feature, in the model's column order
  std::string metrics_json = "{}";    ///< training metrics (a JSON object)
  std::vector<double> reference_scores;  ///< scores of the training data: the PSI reference
  ScoreScale scale;
  std::string description;
  /// champion: promote at once. challenger (default): becomes champion anyway when the name has
  /// none yet, so the first version of a name is its champion.
  ModelStatus status = ModelStatus::challenger;
  double traffic = 0.0;  ///< percent of records routed to this challenger
};

struct ScoreOptions {
  bool explain = false;  ///< contributions per feature (and, with write, an explanation JSON)
  bool write = false;    ///< store the scores; records already scored at the same record and model version are skipped
  std::size_t top_k = 3; ///< factors kept in the stored explanation per sign
  std::int64_t limit = -1;  ///< score at most this many records (-1: all)
  ProgressCallback on_progress;
};

/// The scores of one run, one row per scored record (with write, records skipped as unchanged are
/// not in it). Columns of `contributions` are `feature_names`: the union of the features of every
/// model version that scored a row (a version's missing features contribute 0).
struct ScoreResult {
  std::string model;
  std::string object;
  std::vector<std::string> ids;
  std::vector<std::int64_t> model_versions;
  std::vector<std::int64_t> record_versions;
  std::vector<double> scores;  ///< after the scale's clamp
  std::vector<double> raw;     ///< the model's raw output (margin, log-odds or points)
  std::vector<std::string> bands;  ///< empty when the model has no bands
  std::vector<std::string> feature_names;
  std::vector<double> base;           ///< per row, with explain
  std::vector<double> contributions;  ///< rows x feature_names, with explain
  std::int64_t skipped = 0;  ///< unchanged records not rescored (write only)
  std::int64_t written = 0;  ///< rows stored (write only)
  std::size_t rows() const noexcept { return ids.size(); }
};

struct MonitorOptions {
  /// A boolean (or 0/1 number) formula over the object giving each record's outcome; blank = not
  /// known yet. Empty: drift only.
  std::string label;
  Filter filter = Filter::all();  ///< records whose outcomes count (e.g. closed ones)
  int bins = 10;
};

/// Drift and accuracy of one model version, from its stored scores.
struct VersionMonitor {
  std::int64_t version = 0;
  ModelStatus status = ModelStatus::challenger;
  std::int64_t scored = 0;            ///< stored scores of this version
  double psi = std::numeric_limits<double>::quiet_NaN();  ///< NaN without a reference
  std::vector<double> reference_fractions;
  std::vector<double> current_fractions;
  std::vector<double> edges;
  std::int64_t labelled = 0;          ///< scored records with a known outcome
  std::int64_t positives = 0;
  double auc = std::numeric_limits<double>::quiet_NaN();
  double log_loss = std::numeric_limits<double>::quiet_NaN();  ///< probability models only
  std::vector<CalibrationBin> calibration;                     ///< probability models only
};

struct MonitorReport {
  std::string model;
  std::vector<VersionMonitor> versions;  ///< ascending version
};

/// Training a logistic model from the database (ModelRegistry::train).
struct TrainRequest {
  std::string object;
  std::vector<FeatureSpec> features;
  std::string label;              ///< boolean or 0/1 formula; records where it is blank are left out
  Filter filter = Filter::all();
  LogisticTrainOptions options;
  ScoreScale scale;
  std::string description;
  ModelStatus status = ModelStatus::challenger;
  double traffic = 0.0;
};

/// The model registry of one database, acting through a session (its tenant's records are scored).
/// Cheap to construct; creates its tables when missing (unless the database is read-only).
class ModelRegistry {
 public:
  explicit ModelRegistry(Session session);

  /// Stores a new version of `name` (versions count 1, 2, ... per name) and returns it. Checks that
  /// every feature compiles against the object and that there is one per model feature, in the same
  /// order of names. Throws UsageError naming the problem.
  ModelInfo register_model(std::string_view name, const Model& model, const RegisterOptions& options);
  /// Every version of every model (or of `name`), by name then version.
  std::vector<ModelInfo> list(std::string_view name = {}) const;
  /// One version; without a version, the champion. Throws NotFoundError.
  RegisteredModel get(std::string_view name, std::optional<std::int64_t> version = std::nullopt) const;
  /// Makes `version` the champion of `name`; the previous champion is retired. Throws NotFoundError.
  void promote(std::string_view name, std::int64_t version);
  /// Sets the share of records (percent, 0..100) routed to a challenger. The challengers of a name
  /// may not share more than 100 % together.
  void set_traffic(std::string_view name, std::int64_t version, double percent);
  /// Retires a version (a champion cannot be retired: promote another first).
  void retire(std::string_view name, std::int64_t version);
  /// Stores the histogram of the version's scores over the records matching `filter` as its PSI
  /// reference (for models registered without training scores, such as the defaults).
  ScoreHistogram set_reference(std::string_view name, std::int64_t version, const Filter& filter = Filter::all());

  /// Scores the records of the model's object that match `filter`: each record goes to the champion
  /// or to a challenger by routing_hash(name, id) % 10000 against the challengers' traffic (in version
  /// order; the rest go to the champion). With explain, checks base + contributions == raw output for
  /// every row (Error(internal) otherwise).
  ScoreResult score(std::string_view name, const Filter& filter = Filter::all(), const ScoreOptions& options = {});

  /// PSI of each version's stored scores against its reference, and accuracy against the label.
  MonitorReport monitor(std::string_view name, const MonitorOptions& options = {});

  /// Trains an L2 logistic regression on the records matching the filter whose label is known and
  /// registers it with its training metrics and the histogram of its training scores.
  ModelInfo train(std::string_view name, const TrainRequest& request);

  /// Registers the default models the standard catalog ships (default_model_names(): the seed's
  /// formulas as points and linear models) whose objects and fields the catalog has, when the name
  /// has no version yet; returns the names installed. score/get/list of a default name install it on
  /// first use.
  std::vector<std::string> install_defaults();

 private:
  Session session_;
  void ensure_tables() const;
  void ensure_default(std::string_view name);
  bool install_default(std::string_view name);
};

/// The seed's lead score as a points model over the standard lead and the feature formulas it reads:
/// round(0.2 x data completeness of 17 fields), rating (hot 20, warm 12, cold or blank 5), industry
/// (technology, finance, healthcare 10, other 5), employees (> 1000: 15, > 500: 12, > 100: 8, > 10: 5),
/// annual revenue (> 100M: 15, > 50M: 12, > 10M: 8, > 1M: 5), number of activities (> 10: 20, > 5: 15,
/// > 2: 10, > 0: 5) and +5 when the last activity is less than 7 days old; clamped to 0..100, bands hot
/// >= 80, warm >= 60, cold >= 40, else unqualified.
RegisteredModel lead_score_model(const Catalog& catalog);

/// The seed's opportunity win probability: the stage's probability (percent) from the stage options'
/// metadata (prospecting 10, qualification 20, needs analysis 40, proposal 60, negotiation 80, closed
/// won 100, closed lost 0), as a points model.
RegisteredModel opportunity_win_probability_model(const Catalog& catalog);
/// The seed's account health (calculateAccountHealth) as a linear model over aggregates of related
/// records: round(0.3 engagement + 0.3 financial + 0.2 support + 15) with engagement = min(100, 5 x
/// activities in the last 30 days), financial = min(100, won opportunity amount / 10,000), support =
/// max(0, 100 - 5 x open cases - 10 x open high/critical cases); excellent >= 80, good >= 60,
/// at_risk >= 40, else critical.
RegisteredModel account_health_model(const Catalog& catalog);
/// The seed's churn risk (predictChurn): 100 - account health; low < 25, medium < 50, high < 75, else critical.
RegisteredModel account_churn_risk_model(const Catalog& catalog);
/// The seed's SLA breach probability (predictSLABreach) as a points model: response target elapsed
/// (critical 60, high 240, medium 480, low 1440 minutes) > 80 %: 40, > 60 %: 25; status new or no
/// owner 30; technical type (problem, incident) 20; critical priority 10; critical >= 70, high >= 50,
/// medium >= 30, else low.
RegisteredModel case_sla_breach_risk_model(const Catalog& catalog);
/// The seed's candidate score (CandidateScoringTrigger) as a points model: education (PhD 25, master
/// 20, bachelor 15, associate 10, high school 5, other 3), experience (>= 10 years 30, >= 7 25, >= 5
/// 20, >= 3 15, >= 1 10, else 5), source (employee referral 15 ... other or blank 5), notice period
/// (immediate 10 ... 3 months 2, blank 0) and 2 points per filled profile field of 10.
RegisteredModel candidate_score_model(const Catalog& catalog);

/// The default models, in install order: lead_score, opportunity_win_probability, account_health,
/// account_churn_risk, case_sla_breach_risk, candidate_score.
const std::vector<std::string>& default_model_names();
/// Default model `name` built for `catalog`: UsageError naming what the catalog lacks for it,
/// NotFoundError for a name that is not a default model.
RegisteredModel default_model(const Catalog& catalog, std::string_view name);

}  // namespace v0
}  // namespace hotcrm
