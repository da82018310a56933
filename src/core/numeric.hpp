#pragma once
// Numeric constants shared by the scoring and feature code.
#include <limits>

namespace hotcrm::detail {

/// Missing value in float64 feature and score columns (numpy's NaN convention).
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace hotcrm::detail
