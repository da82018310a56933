// Catalog <-> JSON. Parsing collects every problem with its JSON pointer instead of stopping at the
// first, so a user fixes a catalog file in one pass.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "hotcrm/model/catalog.hpp"
#include "model/automation_json.hpp"
#include "model/json_reader.hpp"
#include "model/text_position.hpp"

namespace hotcrm {
inline namespace v0 {

using nlohmann::json;

namespace {

struct Reader : detail::JsonReader {
  std::optional<DefaultValue> default_value(const json& node, const std::string& path) {
    auto it = node.find("default");
    if (it == node.end()) return std::nullopt;
    DefaultValue value;
    if (it->is_object()) {
      auto formula = it->find("formula");
      if (formula == it->end() || !formula->is_string() || it->size() != 1) {
        issue(path + "/default", "an object default must be {\"formula\": \"...\"}");
        return std::nullopt;
      }
      value.kind = DefaultValue::Kind::formula;
      value.formula = formula->get<std::string>();
      return value;
    }
    if (it->is_string()) {
      const auto& token = it->get_ref<const std::string&>();
      if (token == "$now") value.kind = DefaultValue::Kind::now;
      else if (token == "$today") value.kind = DefaultValue::Kind::today;
      else if (token == "$current_user") value.kind = DefaultValue::Kind::current_user;
      else if (!token.empty() && token[0] == '$')
        issue(path + "/default", "unknown default token '" + token + "' (expected $now, $today or $current_user)");
    }
    if (value.kind == DefaultValue::Kind::literal) value.literal = literal(*it, path + "/default");
    return value;
  }

  PicklistOption option(const json& node, const std::string& path) {
    PicklistOption option;
    if (node.is_string()) {
      option.value = node.get<std::string>();
      option.label = option.value;
      return option;
    }
    if (!node.is_object()) {
      issue(path, "expected an option {\"value\", \"label\"} or a string");
      return option;
    }
    check_keys(node, path, {"value", "label", "probability", "is_won", "is_lost"});
    option.value = text(node, "value", path, true);
    option.label = text(node, "label", path);
    if (option.label.empty()) option.label = option.value;
    option.probability = number(node, "probability", path);
    option.is_won = flag(node, "is_won", path);
    option.is_lost = flag(node, "is_lost", path);
    return option;
  }

  FieldDef field(const json& node, const std::string& path) {
    FieldDef field;
    if (!node.is_object()) {
      issue(path, "expected a field object");
      return field;
    }
    check_keys(node, path,
               {"name", "type", "label", "description", "required", "unique", "searchable", "indexed",
                "read_only", "max_length", "min", "max", "precision", "scale", "default", "options",
                "reference", "on_delete", "format", "expression", "return_type", "rollup", "track_history",
                "personal_data", "encrypted", "package"});
    field.name = text(node, "name", path, true);
    auto type_name = text(node, "type", path, true);
    if (auto type = field_type_from_string(type_name)) field.type = *type;
    else if (!type_name.empty()) issue(path + "/type", "unknown field type '" + type_name + "'");
    field.label = text(node, "label", path);
    field.description = text(node, "description", path);
    field.package = text(node, "package", path);
    field.required = flag(node, "required", path);
    field.unique = flag(node, "unique", path);
    field.searchable = flag(node, "searchable", path);
    field.indexed = flag(node, "indexed", path);
    field.read_only = flag(node, "read_only", path);
    if (node.contains("track_history")) field.track_history = flag(node, "track_history", path);
    field.personal_data = flag(node, "personal_data", path);
    field.encrypted = flag(node, "encrypted", path);
    field.max_length = integer(node, "max_length", path);
    field.min = number(node, "min", path);
    field.max = number(node, "max", path);
    field.precision = integer(node, "precision", path);
    auto scale = integer(node, "scale", path);
    bool decimal_type = field.type == FieldType::currency || field.type == FieldType::percent;
    field.scale = scale ? *scale : (decimal_type ? 2 : 0);
    field.default_value = default_value(node, path);
    if (auto options = node.find("options"); options != node.end()) {
      if (!options->is_array()) issue(path + "/options", "expected an array of options");
      else
        for (std::size_t i = 0; i < options->size(); ++i)
          field.options.push_back(option((*options)[i], path + "/options/" + std::to_string(i)));
    }
    field.reference = text(node, "reference", path);
    auto on_delete = text(node, "on_delete", path);
    if (on_delete == "cascade") field.on_delete = DeleteBehavior::cascade;
    else if (on_delete == "restrict") field.on_delete = DeleteBehavior::restrict;
    else if (on_delete.empty() || on_delete == "set_null") field.on_delete = DeleteBehavior::set_null;
    else issue(path + "/on_delete", "unknown delete behaviour '" + on_delete + "' (expected set_null, restrict or cascade)");
    if (field.type == FieldType::master_detail) field.on_delete = DeleteBehavior::cascade;
    field.format = text(node, "format", path);
    field.expression = text(node, "expression", path);
    auto return_type = text(node, "return_type", path);
    if (!return_type.empty()) {
      if (auto type = field_type_from_string(return_type)) field.return_type = type;
      else issue(path + "/return_type", "unknown return type '" + return_type + "'");
    }
    if (auto it = node.find("rollup"); it != node.end()) {
      const std::string at = path + "/rollup";
      if (!it->is_object()) {
        issue(at, "expected {\"object\", \"via\", \"function\", \"field\", \"filter\"}");
      } else {
        check_keys(*it, at, {"object", "via", "function", "field", "filter"});
        Rollup rollup;
        rollup.object = text(*it, "object", at, true);
        rollup.via = text(*it, "via", at, true);
        rollup.function = text(*it, "function", at, true);
        rollup.field = text(*it, "field", at);
        rollup.filter = text(*it, "filter", at);
        field.rollup = std::move(rollup);
        field.read_only = true;  // only the engine writes a roll-up
      }
    }
    return field;
  }

  ObjectDef object(const json& node, const std::string& path) {
    ObjectDef object;
    if (!node.is_object()) {
      issue(path, "expected an object definition");
      return object;
    }
    check_keys(node, path,
               {"name", "label", "plural_label", "description", "package", "capabilities", "fields", "validation_rules",
                "workflow_rules", "scheduled_rules", "state_machine", "approval_processes", "assignment", "sla"});
    object.name = text(node, "name", path, true);
    object.label = text(node, "label", path);
    object.plural_label = text(node, "plural_label", path);
    object.description = text(node, "description", path);
    object.package = text(node, "package", path);
    if (auto caps = node.find("capabilities"); caps != node.end()) {
      if (!caps->is_object()) issue(path + "/capabilities", "expected an object of flags");
      else
        for (const auto& item : caps->items()) {
          if (item.value().is_boolean()) object.capabilities[item.key()] = item.value().get<bool>();
          else issue(path + "/capabilities/" + item.key(), "expected true or false");
        }
    }
    auto fields = node.find("fields");
    if (fields == node.end() || !fields->is_array()) {
      issue(path + "/fields", "expected an array of fields");
      return object;
    }
    for (std::size_t i = 0; i < fields->size(); ++i)
      object.fields.push_back(field((*fields)[i], path + "/fields/" + std::to_string(i)));
    if (auto rules = node.find("validation_rules"); rules != node.end()) {
      if (!rules->is_array()) issue(path + "/validation_rules", "expected an array of rules");
      else
        for (std::size_t i = 0; i < rules->size(); ++i)
          object.validation_rules.push_back(rule((*rules)[i], path + "/validation_rules/" + std::to_string(i)));
    }
    detail::read_automation(*this, node, path, object);
    detail::read_processes(*this, node, path, object);
    return object;
  }

  ValidationRule rule(const json& node, const std::string& path) {
    ValidationRule rule;
    if (!node.is_object()) {
      issue(path, "expected a rule object");
      return rule;
    }
    check_keys(node, path, {"name", "condition", "message", "error_field", "active", "description", "package"});
    rule.name = text(node, "name", path, true);
    rule.condition = text(node, "condition", path, true);
    rule.message = text(node, "message", path, true);
    rule.error_field = text(node, "error_field", path);
    rule.active = node.contains("active") ? flag(node, "active", path) : true;
    rule.package = text(node, "package", path);
    return rule;
  }

  /// `{"extends": "opportunity", "package": "marketing", "fields": [...], "validation_rules": [...]}`.
  ObjectExtension extension(const json& node, const std::string& path) {
    ObjectExtension extension;
    extension.source = std::string(source);
    extension.path = path;
    check_keys(node, path, {"extends", "package", "description", "fields", "validation_rules", "workflow_rules"});
    extension.object = text(node, "extends", path, true);
    extension.package = text(node, "package", path);
    extension.description = text(node, "description", path);
    // The added fields and rules belong to the extending package: they say so themselves, and a
    // different package written on one of them is a mistake.
    auto owned = [&](std::string& package, const std::string& at) {
      if (!package.empty() && package != extension.package)
        issue(at + "/package", "'" + package + "' differs from the extension's package '" + extension.package + "'");
      package = extension.package;
    };
    auto fields = node.find("fields");
    if (fields != node.end() && !fields->is_array()) issue(path + "/fields", "expected an array of fields");
    else if (fields != node.end())
      for (std::size_t i = 0; i < fields->size(); ++i) {
        const std::string at = path + "/fields/" + std::to_string(i);
        extension.fields.push_back(field((*fields)[i], at));
        owned(extension.fields.back().package, at);
      }
    auto rules = node.find("validation_rules");
    if (rules != node.end() && !rules->is_array()) issue(path + "/validation_rules", "expected an array of rules");
    else if (rules != node.end())
      for (std::size_t i = 0; i < rules->size(); ++i) {
        const std::string at = path + "/validation_rules/" + std::to_string(i);
        extension.validation_rules.push_back(rule((*rules)[i], at));
        owned(extension.validation_rules.back().package, at);
      }
    // Workflow rules a package adds to another package's object (finance bills contracts of crm).
    ObjectDef automation;
    detail::read_automation(*this, node, path, automation);
    extension.workflow_rules = std::move(automation.workflow_rules);
    if (extension.fields.empty() && extension.validation_rules.empty() && extension.workflow_rules.empty())
      issue(path, "an extension adds at least one field, validation rule or workflow rule");
    return extension;
  }

  /// An object definition, or an extension of one (it has "extends" instead of "name").
  void definition(const json& node, const std::string& path, CatalogDefinitions& out) {
    if (node.is_object() && node.contains("extends")) out.extensions.push_back(extension(node, path));
    else out.objects.push_back(object(node, path));
  }
};

json literal_to_json(const Value& value) { return json::parse(value.to_json()); }

json field_to_json(const FieldDef& field) {
  json node;
  node["name"] = field.name;
  node["type"] = std::string(to_string(field.type));
  if (!field.label.empty()) node["label"] = field.label;
  if (!field.description.empty()) node["description"] = field.description;
  if (field.required) node["required"] = true;
  if (field.unique) node["unique"] = true;
  if (field.searchable) node["searchable"] = true;
  if (field.indexed) node["indexed"] = true;
  if (field.read_only) node["read_only"] = true;
  if (field.max_length) node["max_length"] = *field.max_length;
  if (field.min) node["min"] = *field.min;
  if (field.max) node["max"] = *field.max;
  if (field.precision) node["precision"] = *field.precision;
  if (field.scale != 0 || field.is_decimal()) node["scale"] = field.scale;
  if (field.default_value) {
    switch (field.default_value->kind) {
      case DefaultValue::Kind::now: node["default"] = "$now"; break;
      case DefaultValue::Kind::today: node["default"] = "$today"; break;
      case DefaultValue::Kind::current_user: node["default"] = "$current_user"; break;
      case DefaultValue::Kind::literal: node["default"] = literal_to_json(field.default_value->literal); break;
      case DefaultValue::Kind::formula: node["default"] = json{{"formula", field.default_value->formula}}; break;
    }
  }
  if (!field.options.empty()) {
    json options = json::array();
    for (const auto& option : field.options) {
      json item{{"value", option.value}, {"label", option.label}};
      if (option.probability) item["probability"] = *option.probability;
      if (option.is_won) item["is_won"] = true;
      if (option.is_lost) item["is_lost"] = true;
      options.push_back(std::move(item));
    }
    node["options"] = std::move(options);
  }
  if (!field.reference.empty()) node["reference"] = field.reference;
  if (field.type == FieldType::lookup && field.on_delete != DeleteBehavior::set_null)
    node["on_delete"] = std::string(to_string(field.on_delete));
  if (!field.format.empty()) node["format"] = field.format;
  if (!field.expression.empty()) node["expression"] = field.expression;
  if (field.return_type) node["return_type"] = std::string(to_string(*field.return_type));
  if (field.rollup) {
    json rollup{{"object", field.rollup->object}, {"via", field.rollup->via}, {"function", field.rollup->function}};
    if (!field.rollup->field.empty()) rollup["field"] = field.rollup->field;
    if (!field.rollup->filter.empty()) rollup["filter"] = field.rollup->filter;
    node["rollup"] = rollup;
  }
  if (field.track_history) node["track_history"] = *field.track_history;
  if (field.personal_data) node["personal_data"] = true;
  if (field.encrypted) node["encrypted"] = true;
  if (!field.package.empty()) node["package"] = field.package;
  return node;
}

json object_to_json_node(const ObjectDef& object) {
  json node;
  node["name"] = object.name;
  if (!object.label.empty()) node["label"] = object.label;
  if (!object.plural_label.empty()) node["plural_label"] = object.plural_label;
  if (!object.description.empty()) node["description"] = object.description;
  if (!object.package.empty()) node["package"] = object.package;
  if (!object.capabilities.empty()) node["capabilities"] = object.capabilities;
  json fields = json::array();
  for (const auto& field : object.fields) fields.push_back(field_to_json(field));
  node["fields"] = std::move(fields);
  if (!object.validation_rules.empty()) {
    json rules = json::array();
    for (const auto& rule : object.validation_rules) {
      json item{{"name", rule.name}, {"condition", rule.condition}, {"message", rule.message}};
      if (!rule.error_field.empty()) item["error_field"] = rule.error_field;
      if (!rule.active) item["active"] = false;
      if (!rule.package.empty()) item["package"] = rule.package;
      rules.push_back(std::move(item));
    }
    node["validation_rules"] = std::move(rules);
  }
  detail::write_automation(object, node);
  detail::write_processes(object, node);
  return node;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "cannot read catalog file '" + path.string() + "'");
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxCatalogJsonBytes)  // refused before it is read into memory
    throw UsageError(ErrorCode::too_large, fmt::format("catalog file '{}' has {} bytes; the limit is {} (64 MiB)",
                                                       path.string(), size, kMaxCatalogJsonBytes));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

CatalogDefinitions Catalog::parse(std::string_view json_text, std::string_view source_name,
                                     std::vector<CatalogIssue>& issues) {
  if (json_text.size() > kMaxCatalogJsonBytes)
    throw UsageError(ErrorCode::too_large, fmt::format("catalog {} has {} bytes; the limit is {} (64 MiB)", source_name,
                                                       json_text.size(), kMaxCatalogJsonBytes));
  Reader reader{{source_name, issues}};
  json root;
  try {
    root = json::parse(json_text.begin(), json_text.end());
  } catch (const json::parse_error& error) {
    auto position = detail::line_column(json_text, error.byte == 0 ? 0 : error.byte - 1);
    std::string what = error.what();
    if (auto colon = what.rfind(": "); colon != std::string::npos) what = what.substr(colon + 2);
    reader.issue("", "malformed JSON at line " + std::to_string(position.line) + ", column " +
                         std::to_string(position.column) + ": " + what);
    return {};
  } catch (const json::exception& error) {
    // e.g. a number too large for a double: valid JSON syntax that no catalog can hold.
    reader.issue("", std::string("unreadable JSON: ") + error.what());
    return {};
  }
  CatalogDefinitions definitions;
  auto read_array = [&](const json& array, const std::string& path) {
    for (std::size_t i = 0; i < array.size(); ++i) reader.definition(array[i], path + "/" + std::to_string(i), definitions);
  };
  if (root.is_array()) read_array(root, "");
  else if (root.is_object() && root.contains("objects") && !root.contains("fields")) {
    reader.check_keys(root, "", {"objects", "format_version"});
    if (root["objects"].is_array()) read_array(root["objects"], "/objects");
    else reader.issue("/objects", "expected an array of objects");
  } else reader.definition(root, "", definitions);
  return definitions;
}

std::vector<ObjectDef> Catalog::parse_objects(std::string_view json_text, std::string_view source_name,
                                              std::vector<CatalogIssue>& issues) {
  auto definitions = parse(json_text, source_name, issues);
  for (const auto& extension : definitions.extensions)
    issues.push_back({extension.source, extension.path.empty() ? "/" : extension.path,
                      "an extension of '" + extension.object + "' where only objects are read (use Catalog::parse)"});
  return std::move(definitions.objects);
}

CatalogDefinitions Catalog::read(const std::filesystem::path& path, std::vector<CatalogIssue>& issues) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path))
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw SchemaError(ErrorCode::schema, "no *.json catalog files under '" + path.string() + "'");
  } else if (std::filesystem::exists(path, ec)) {
    files.push_back(path);
  } else {
    throw Error(ErrorCode::io, "catalog path '" + path.string() + "' does not exist");
  }
  CatalogDefinitions definitions;
  for (const auto& file : files) {
    auto parsed = parse(read_file(file), file.string(), issues);
    std::move(parsed.objects.begin(), parsed.objects.end(), std::back_inserter(definitions.objects));
    std::move(parsed.extensions.begin(), parsed.extensions.end(), std::back_inserter(definitions.extensions));
  }
  return definitions;
}

Catalog Catalog::load(const std::filesystem::path& path) {
  std::vector<CatalogIssue> issues;
  auto definitions = read(path, issues);
  return checked(std::move(definitions), std::move(issues));
}

std::string Catalog::to_json(int indent) const {
  json root;
  root["format_version"] = 1;
  json objects = json::array();
  for (const auto& object : this->objects()) objects.push_back(object_to_json_node(object));
  root["objects"] = std::move(objects);
  return root.dump(indent);
}

std::string Catalog::object_to_json(std::string_view object_name, int indent) const {
  return object_to_json_node(at(object_name)).dump(indent);
}

}  // namespace v0
}  // namespace hotcrm
