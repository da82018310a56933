#pragma once
// Scoring one record in memory with a registered model, for the workflow's "score" action: the
// record as the save pipeline holds it (field updates of earlier actions included), the model's
// champion or the challenger its id routes to (ModelRegistry::score's routing), its features from
// the row and the children stored under its id.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/impl.hpp"

namespace hotcrm::detail {

struct RowScore {
  std::int64_t version = 0;  ///< the model version that scored the record
  double score = 0.0;        ///< after the model's scale (rounding, clamp); NaN when it cannot score
  double raw = 0.0;          ///< the model's raw output
  std::string band;          ///< "" when the model has no bands
};

/// Throws NotFoundError for an unknown model, UsageError when it scores another object.
RowScore score_row(Session& session, std::string_view model, const ObjectPlan& plan, const std::vector<Value>& row,
                   DateTime now);

}  // namespace hotcrm::detail
