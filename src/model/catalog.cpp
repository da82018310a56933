#include "hotcrm/model/catalog.hpp"

#include <algorithm>
#include <unordered_map>

#include "hotcrm/error.hpp"
#include "hotcrm/formula/formula.hpp"
#include "model/automation_check.hpp"
#include "model/embedded_catalog.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {
constexpr std::pair<FieldType, std::string_view> kTypeNames[] = {
    {FieldType::text, "text"},         {FieldType::textarea, "textarea"},
    {FieldType::email, "email"},       {FieldType::phone, "phone"},
    {FieldType::url, "url"},           {FieldType::select, "select"},
    {FieldType::multiselect, "multiselect"}, {FieldType::number, "number"},
    {FieldType::currency, "currency"}, {FieldType::percent, "percent"},
    {FieldType::boolean, "boolean"},   {FieldType::date, "date"},
    {FieldType::datetime, "datetime"}, {FieldType::lookup, "lookup"},
    {FieldType::master_detail, "master_detail"}, {FieldType::autonumber, "autonumber"},
    {FieldType::formula, "formula"},
};

FieldDef system_field(std::string name, FieldType type, std::string label) {
  FieldDef field;
  field.name = std::move(name);
  field.type = type;
  field.label = std::move(label);
  field.read_only = true;
  return field;
}
}  // namespace

std::string_view to_string(FieldType type) noexcept {
  for (const auto& [value, name] : kTypeNames)
    if (value == type) return name;
  return "unknown";
}

std::optional<FieldType> field_type_from_string(std::string_view name) noexcept {
  for (const auto& [value, type_name] : kTypeNames)
    if (type_name == name) return value;
  return std::nullopt;
}

std::string_view to_string(DeleteBehavior behavior) noexcept {
  switch (behavior) {
    case DeleteBehavior::set_null: return "set_null";
    case DeleteBehavior::restrict: return "restrict";
    case DeleteBehavior::cascade: return "cascade";
  }
  return "set_null";
}

const PicklistOption* FieldDef::find_option(std::string_view value) const noexcept {
  for (const auto& option : options)
    if (option.value == value) return &option;
  return nullptr;
}

const std::vector<FieldDef>& system_fields() {
  static const std::vector<FieldDef> fields = {
      system_field("id", FieldType::text, "Record ID"),
      system_field("created_at", FieldType::datetime, "Created At"),
      system_field("updated_at", FieldType::datetime, "Updated At"),
      system_field("created_by", FieldType::text, "Created By"),
      system_field("updated_by", FieldType::text, "Updated By"),
      system_field("owner_id", FieldType::text, "Owner"),
      system_field("tenant_id", FieldType::text, "Tenant"),
      system_field("version", FieldType::number, "Version"),
  };
  return fields;
}

bool is_system_field(std::string_view name) noexcept {
  for (const auto& field : system_fields())
    if (field.name == name) return true;
  return false;
}

const FieldDef* ObjectDef::find_field(std::string_view field_name) const noexcept {
  for (const auto& field : fields)
    if (field.name == field_name) return &field;
  for (const auto& field : system_fields())
    if (field.name == field_name) return &field;
  return nullptr;
}

bool ObjectDef::has_capability(std::string_view capability) const noexcept {
  auto it = capabilities.find(std::string(capability));
  return it != capabilities.end() && it->second;
}

bool tracks_history(const ObjectDef& object, const FieldDef& field) noexcept {
  const bool object_tracks = object.has_capability("track_history");
  if (is_system_field(field.name)) return field.name == "owner_id" && object_tracks;  // ownership transfers
  if (!field.is_stored() || field.rollup) return false;
  return field.track_history.value_or(object_tracks);
}

struct Catalog::State {
  std::vector<ObjectDef> objects;
  std::unordered_map<std::string, std::size_t> index;
};

namespace {
std::string issues_message(const std::vector<CatalogIssue>& issues) {
  std::string message = "invalid catalog (" + std::to_string(issues.size()) + " problem" +
                        (issues.size() == 1 ? "" : "s") + "):";
  for (const auto& issue : issues) message += "\n  " + issue.source + " " + issue.path + ": " + issue.message;
  return message;
}
std::vector<CatalogIssue> check_formulas(const Catalog& catalog) {
  std::vector<CatalogIssue> issues;
  for (const auto& object : catalog.objects()) {
    for (const auto& rule : object.validation_rules) {
      auto compiled = compile_formula(catalog, object.name, rule.condition, {.expected = FormulaType::boolean});
      if (!compiled.ok())
        issues.push_back({"catalog", "object '" + object.name + "' rule '" + rule.name + "'",
                          "condition does not compile:\n" + render_diagnostics(compiled.diagnostics, rule.condition)});
    }
    for (const auto& field : object.fields) {
      if (field.default_value && field.default_value->kind == DefaultValue::Kind::formula) {
        const auto& source = field.default_value->formula;
        auto compiled = compile_formula(catalog, object.name, source, {.expected = default_formula_type(field)});
        if (!compiled.ok())
          issues.push_back({"catalog", "object '" + object.name + "' field '" + field.name + "'",
                            "default formula does not compile:\n" + render_diagnostics(compiled.diagnostics, source)});
      }
      if (field.rollup && !field.rollup->filter.empty() && catalog.find(field.rollup->object)) {
        const auto& source = field.rollup->filter;
        auto compiled = compile_formula(catalog, field.rollup->object, source, {.expected = FormulaType::boolean});
        if (!compiled.ok())
          issues.push_back({"catalog", "object '" + object.name + "' field '" + field.name + "'",
                            "roll-up filter does not compile:\n" + render_diagnostics(compiled.diagnostics, source)});
      }
      if (field.type != FieldType::formula) continue;
      CompileOptions options;
      if (field.return_type) {
        FieldDef typed;
        typed.type = *field.return_type;
        options.expected = formula_type_of(typed);
      }
      auto compiled = compile_formula(catalog, object.name, field.expression, options);
      if (!compiled.ok())
        issues.push_back({"catalog", "object '" + object.name + "' field '" + field.name + "'",
                          "expression does not compile:\n" + render_diagnostics(compiled.diagnostics, field.expression)});
    }
  }
  return issues;
}

/// Who adds a field or rule: "package 'marketing'", or an extension outside any package (a user's).
std::string adder_phrase(const ObjectExtension& extension) {
  return extension.package.empty() ? "an extension without a package" : "package '" + extension.package + "'";
}

/// Who defined an existing field or rule of `object`: the package that added it, else the object's.
std::string owner_phrase(const ObjectDef& object, const std::string& added_by) {
  const std::string& package = added_by.empty() ? object.package : added_by;
  return package.empty() ? "the object" : "package '" + package + "'";
}

/// Adds each extension's fields and rules to the object it extends. A name the object already has
/// is refused, naming the package that defined it and the one that added it again.
void apply_extensions(std::vector<ObjectDef>& objects, const std::vector<ObjectExtension>& extensions,
                      std::vector<CatalogIssue>& issues) {
  for (const auto& extension : extensions) {
    const std::string at = extension.path.empty() ? "/" : extension.path;
    auto target = std::find_if(objects.begin(), objects.end(),
                               [&](const ObjectDef& object) { return object.name == extension.object; });
    if (target == objects.end()) {
      issues.push_back({extension.source, at,
                        "extends unknown object '" + extension.object + "'" +
                            (extension.package.empty() ? ""
                                                       : " (package '" + extension.package +
                                                             "' extends it; the package defining it must be part of the catalog)")});
      continue;
    }
    ObjectDef& object = *target;
    if (!extension.package.empty() && extension.package == object.package) {
      issues.push_back({extension.source, at,
                        "package '" + object.package + "' extends its own object '" + object.name +
                            "': declare the fields and rules in the object itself"});
      continue;
    }
    for (std::size_t i = 0; i < extension.fields.size(); ++i) {
      const FieldDef& field = extension.fields[i];
      auto existing = std::find_if(object.fields.begin(), object.fields.end(),
                                   [&](const FieldDef& other) { return other.name == field.name; });
      if (existing == object.fields.end()) {
        object.fields.push_back(field);
        continue;
      }
      issues.push_back({extension.source, extension.path + "/fields/" + std::to_string(i),
                        "object '" + object.name + "' field '" + field.name + "': " + adder_phrase(extension) +
                            " adds a field that " + owner_phrase(object, existing->package) + " already defines"});
    }
    for (std::size_t i = 0; i < extension.validation_rules.size(); ++i) {
      const ValidationRule& rule = extension.validation_rules[i];
      auto existing = std::find_if(object.validation_rules.begin(), object.validation_rules.end(),
                                   [&](const ValidationRule& other) { return other.name == rule.name; });
      if (existing == object.validation_rules.end()) {
        object.validation_rules.push_back(rule);
        continue;
      }
      issues.push_back({extension.source, extension.path + "/validation_rules/" + std::to_string(i),
                        "object '" + object.name + "' rule '" + rule.name + "': " + adder_phrase(extension) +
                            " adds a rule that " + owner_phrase(object, existing->package) + " already defines"});
    }
    for (std::size_t i = 0; i < extension.workflow_rules.size(); ++i) {
      const WorkflowRule& rule = extension.workflow_rules[i];
      const bool taken = std::any_of(object.workflow_rules.begin(), object.workflow_rules.end(),
                                     [&](const WorkflowRule& other) { return other.name == rule.name; });
      if (!taken) {
        object.workflow_rules.push_back(rule);
        continue;
      }
      issues.push_back({extension.source, extension.path + "/workflow_rules/" + std::to_string(i),
                        "object '" + object.name + "' workflow rule '" + rule.name + "': " + adder_phrase(extension) +
                            " adds a workflow rule the object already has"});
    }
  }
}

}  // namespace

Catalog::Catalog() : state_(std::make_shared<State>()) {}

Catalog Catalog::checked(CatalogDefinitions definitions, std::vector<CatalogIssue> issues) {
  auto objects = std::move(definitions.objects);
  apply_extensions(objects, definitions.extensions, issues);
  // Parse problems and consistency problems are reported together, so one pass fixes a file.
  auto more = check(objects);
  issues.insert(issues.end(), more.begin(), more.end());
  if (!issues.empty()) throw SchemaError(ErrorCode::schema, issues_message(issues));
  auto state = std::make_shared<State>();
  state->objects = std::move(objects);
  for (std::size_t i = 0; i < state->objects.size(); ++i) state->index.emplace(state->objects[i].name, i);
  Catalog catalog;
  catalog.state_ = std::move(state);
  // Formulas bind against the whole catalog (lookup paths), so they are checked once it is built:
  // a broken rule or formula field fails here, at load, never on the first record.
  auto formula_issues = check_formulas(catalog);
  auto automation_issues = detail::check_automation(catalog);
  formula_issues.insert(formula_issues.end(), automation_issues.begin(), automation_issues.end());
  if (!formula_issues.empty()) throw SchemaError(ErrorCode::schema, issues_message(formula_issues));
  return catalog;
}

Catalog Catalog::from_objects(std::vector<ObjectDef> objects) { return checked({std::move(objects), {}}, {}); }

Catalog Catalog::from_definitions(CatalogDefinitions definitions) { return checked(std::move(definitions), {}); }

Catalog Catalog::from_json(std::string_view json_text, std::string_view source_name) {
  std::vector<CatalogIssue> issues;
  auto definitions = parse(json_text, source_name, issues);
  return checked(std::move(definitions), std::move(issues));
}

namespace {
/// The embedded files, parsed once per process: they never change.
const CatalogDefinitions& standard_definitions() {
  static const CatalogDefinitions definitions = [] {
    std::vector<CatalogIssue> issues;
    CatalogDefinitions all;
    for (const auto& file : detail::embedded_catalog_files()) {
      auto parsed = Catalog::parse(file.content, file.path, issues);
      std::move(parsed.objects.begin(), parsed.objects.end(), std::back_inserter(all.objects));
      std::move(parsed.extensions.begin(), parsed.extensions.end(), std::back_inserter(all.extensions));
    }
    if (!issues.empty()) throw SchemaError(ErrorCode::internal, issues_message(issues));
    // Extensions apply in package order (a package's fields follow those of the packages it
    // depends on), whatever their file names.
    const auto& packages = standard_packages();
    auto rank = [&](const ObjectExtension& extension) {
      return std::find_if(packages.begin(), packages.end(),
                          [&](const PackageInfo& info) { return info.name == extension.package; }) - packages.begin();
    };
    std::stable_sort(all.extensions.begin(), all.extensions.end(),
                     [&](const ObjectExtension& a, const ObjectExtension& b) { return rank(a) < rank(b); });
    return all;
  }();
  return definitions;
}
}  // namespace

Catalog Catalog::standard() {
  static const Catalog catalog = from_definitions(standard_definitions());
  return catalog;
}

const std::vector<ObjectExtension>& Catalog::standard_extensions() { return standard_definitions().extensions; }

Catalog Catalog::standard(std::span<const std::string> packages) {
  const auto selected = resolve_packages(packages);
  auto is_selected = [&](const std::string& package) {
    return std::find(selected.begin(), selected.end(), package) != selected.end();
  };
  CatalogDefinitions definitions;
  for (const auto& object : standard_definitions().objects)
    if (is_selected(object.package)) definitions.objects.push_back(object);
  // An extension comes with its package: marketing's campaign_id on opportunity only with marketing.
  for (const auto& extension : standard_definitions().extensions)
    if (is_selected(extension.package)) definitions.extensions.push_back(extension);
  return from_definitions(std::move(definitions));
}

Catalog Catalog::merged(const Catalog& other) const { return extended({other.objects(), {}}); }

Catalog Catalog::extended(CatalogDefinitions more) const {
  std::vector<ObjectDef> objects = state_->objects;
  for (auto& object : more.objects) {
    auto it = std::find_if(objects.begin(), objects.end(),
                           [&](const ObjectDef& existing) { return existing.name == object.name; });
    if (it != objects.end())
      *it = std::move(object);
    else
      objects.push_back(std::move(object));
  }
  return from_definitions({std::move(objects), std::move(more.extensions)});
}

const std::vector<ObjectDef>& Catalog::objects() const noexcept { return state_->objects; }

const ObjectDef* Catalog::find(std::string_view object_name) const noexcept {
  auto it = state_->index.find(std::string(object_name));
  return it == state_->index.end() ? nullptr : &state_->objects[it->second];
}

const ObjectDef& Catalog::at(std::string_view object_name) const {
  if (const auto* object = find(object_name)) return *object;
  throw SchemaError(ErrorCode::unknown_object, "unknown object '" + std::string(object_name) + "'");
}

std::vector<std::string> Catalog::object_names() const {
  std::vector<std::string> names;
  names.reserve(state_->objects.size());
  for (const auto& object : state_->objects) names.push_back(object.name);
  return names;
}

}  // namespace v0
}  // namespace hotcrm
