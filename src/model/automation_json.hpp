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

/// Shared with the service processes' JSON (model/process_json.cpp): an action list under `key`,
/// a duration ("4 hours"), and their canonical JSON.
std::vector<WorkflowAction> read_actions(JsonReader& reader, const nlohmann::json& node, const char* key,
                                         const std::string& path);
std::optional<std::int64_t> read_duration(JsonReader& reader, const nlohmann::json& node, const std::string& path);
nlohmann::json write_actions(const std::vector<WorkflowAction>& actions);
nlohmann::json write_duration(std::int64_t minutes);

/// The "approval_processes", "assignment" and "sla" attributes (model/process_json.cpp).
void read_processes(JsonReader& reader, const nlohmann::json& node, const std::string& path, ObjectDef& object);
void write_processes(const ObjectDef& object, nlohmann::json& node);

}  // namespace hotcrm::detail
