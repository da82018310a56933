#pragma once
// Automation metadata (workflow rules, scheduled rules, the state machine) <-> catalog JSON.
#include <string>

#include <nlohmann/json.hpp>

#include "hotcrm/model/catalog.hpp"
#include "model/json_reader.hpp"

namespace hotcrm::detail {

/// Reads the "workflow_rules", "scheduled_rules" and "state_machine" attributes of an object node
/// at `path` into `object`, recording every problem in the reader.
void read_automation(JsonReader& reader, const nlohmann::json& node, const std::string& path, ObjectDef& object);
/// Writes those attributes of `object` into `node` (nothing when it has none): the canonical form,
/// which read_automation reads back to the same definitions.
void write_automation(const ObjectDef& object, nlohmann::json& node);

}  // namespace hotcrm::detail
