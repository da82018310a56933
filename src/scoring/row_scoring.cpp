// One record scored in memory (the workflow's "score" action); see row_scoring.hpp.
#include "store/impl.hpp"
#include "scoring/row_scoring.hpp"
#include "store/features.hpp"
#include "store/sqlite.hpp"

#include <map>
#include <memory>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/scoring/registry.hpp"

namespace hotcrm::detail {

// Named, not anonymous: RowScoringCache (a type with linkage) holds them.
namespace row_scoring {

/// A registered version compiled for scoring rows: its model, scale and feature program.
struct CompiledVersion {
  std::int64_t version = 0;
  double traffic = 0.0;  ///< challengers: percent of the routing buckets
  Model model;
  ScoreScale scale;
  std::unique_ptr<FeatureProgram> features;
};

/// A model's versions in play, compiled for one tenant and one "now". The score action reuses it
/// while the registry's rows of the model (versions, statuses, traffic) stay the same: over every
/// record of a bulk import (whose clock is pinned) it compiles once.
struct CompiledScorer {
  std::string signature;
  std::string tenant;
  std::int64_t now = 0;
  std::string object;
  std::vector<CompiledVersion> challengers;  ///< with traffic, in version order
  std::unique_ptr<CompiledVersion> champion;
};

}  // namespace row_scoring

struct RowScoringCache {
  std::map<std::string, row_scoring::CompiledScorer, std::less<>> models;
};

namespace {

using row_scoring::CompiledScorer;
using row_scoring::CompiledVersion;

/// What identifies the model's registry rows: version, status, traffic, creation time and the sizes
/// of the stored documents of each ("" when it has none). Versions are immutable, so a change of
/// champion or traffic, or a version registered again after a rollback, changes it.
std::string signature_of(Session::Impl& impl, std::string_view model) {
  auto& s = impl.db().prepare(
      "SELECT COALESCE(group_concat(version || ':' || status || ':' || traffic || ':' || created_at || ':' || "
      "length(parameters) || ':' || length(features) || ':' || length(scale), ','), '') FROM "
      "(SELECT * FROM _hotcrm_models WHERE name = ? ORDER BY version)");
  s.bind_text(1, model);
  s.step();
  std::string out(s.column_text(0));
  s.reset();
  return out;
}

CompiledVersion compile_version(Session::Impl& impl, const std::string& tenant, DateTime now,
                                const ObjectPlan& plan, RegisteredModel registered) {
  CompiledVersion out{registered.info.version, registered.info.traffic, registered.model, registered.info.scale, nullptr};
  out.features = std::make_unique<FeatureProgram>(impl, tenant, now, plan, registered.info.features);
  return out;
}

/// The scorer of `model` for this tenant and now, compiled again when the registry changed.
CompiledScorer& scorer(Session& session, std::string_view model, const ObjectPlan& plan, DateTime now) {
  auto& impl = SessionInternals::impl(session);
  const std::string& tenant = SessionInternals::context(session).tenant;
  if (!impl.row_scoring) impl.row_scoring = std::make_shared<RowScoringCache>();
  auto found = impl.row_scoring->models.find(model);
  // A cached scorer means the registry's tables exist: one query tells whether it is still current.
  if (found != impl.row_scoring->models.end() && !impl.read_only && found->second.tenant == tenant &&
      found->second.now == now.micros && !found->second.signature.empty() &&
      found->second.signature == signature_of(impl, model))
    return found->second;
  ModelRegistry registry(session);
  const auto versions = registry.list(model);  // installs a default model on first use
  if (versions.empty()) throw NotFoundError(ErrorCode::not_found, fmt::format("no model named '{}'", model));
  CompiledScorer fresh;
  fresh.tenant = tenant;
  fresh.now = now.micros;
  for (const auto& info : versions) {
    if (info.status == ModelStatus::champion) {
      fresh.object = info.object;
      if (info.object != plan.object->name) break;
      fresh.champion = std::make_unique<CompiledVersion>(compile_version(impl, tenant, now, plan, registry.get(model, info.version)));
    }
  }
  if (fresh.object.empty()) throw NotFoundError(ErrorCode::not_found, fmt::format("model '{}' has no champion", model));
  if (fresh.object != plan.object->name)
    throw UsageError(ErrorCode::usage, fmt::format("model '{}' scores {} records, not {}", model, fresh.object,
                                                   plan.object->name));
  for (const auto& info : versions)
    if (info.status == ModelStatus::challenger && info.traffic > 0) {
      if (info.object != plan.object->name)
        throw UsageError(ErrorCode::usage, fmt::format("model '{}': challenger version {} scores {}, not {}", model,
                                                       info.version, info.object, plan.object->name));
      fresh.challengers.push_back(compile_version(impl, tenant, now, plan, registry.get(model, info.version)));
    }
  fresh.signature = impl.read_only ? std::string() : signature_of(impl, model);  // after a default's install
  auto& slot = impl.row_scoring->models[std::string(model)];
  slot = std::move(fresh);
  return slot;
}

}  // namespace

RowScore score_row(Session& session, std::string_view model, const ObjectPlan& plan, const std::vector<Value>& row,
                   DateTime now) {
  auto& compiled = scorer(session, model, plan, now);
  // Routing as ModelRegistry::score: the challengers take consecutive ranges of the 10,000
  // buckets in version order, the champion the rest.
  const CompiledVersion* chosen = compiled.champion.get();
  const auto bucket = static_cast<double>(routing_hash(model, row[0].as_string()) % 10000);
  double upper = 0;
  for (const auto& challenger : compiled.challengers) {
    upper += challenger.traffic * 100.0;
    if (bucket < upper) {
      chosen = &challenger;
      break;
    }
  }
  std::vector<double> x;
  chosen->features->evaluate({row}, x);
  const MatrixView view{x.data(), 1, x.size()};
  RowScore out;
  out.version = chosen->version;
  out.raw = chosen->model.predict_raw(view)[0];
  const double score = chosen->model.outputs_probability() ? chosen->model.predict(view)[0] : out.raw;
  out.score = chosen->scale.apply(score);
  out.band = chosen->scale.bands.empty() ? std::string() : chosen->scale.band(out.score);
  return out;
}

}  // namespace hotcrm::detail
