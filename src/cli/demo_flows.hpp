#pragma once
// The seed's end-to-end flows run by `hotcrm demo` on its generated data, with a simulated clock:
// lead to opportunity, quote to order, order to invoice, invoice to payment, case resolution and
// recruitment. Everything they do goes through the engine's writes, events, approvals and run_due.
#include <cstdint>
#include <memory>
#include <ostream>

#include "hotcrm/hotcrm.hpp"

namespace hotcrm::cli {

struct FlowOptions {
  std::int64_t scale = 1;  ///< how many leads, cases, quotes... per day
  std::int64_t days = 14;  ///< how long the clock runs
};

/// Runs the flows on `database`, moving `clock` (the database's clock) hour by hour from its
/// current value and calling run_due at each step; prints what happened to `out`.
void run_seed_flows(Database& database, const std::shared_ptr<DateTime>& clock, const FlowOptions& options,
                    std::ostream& out);

}  // namespace hotcrm::cli
