// Catalog validation: every object and field is checked and every problem is reported with its
// location, so that only consistent catalogs ever reach the store (whose SQL identifiers come
// exclusively from validated names).
#include <set>

#include <fmt/format.h>

#include "hotcrm/model/catalog.hpp"
#include "model/coerce.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

// SQL keywords and names that would make generated SQL ambiguous; refused as object or field names.
const std::set<std::string_view>& reserved_words() {
  static const std::set<std::string_view> words = {
      "abort", "action", "add", "after", "all", "alter", "always", "analyze", "and", "as", "asc", "attach",
      "autoincrement", "before", "begin", "between", "by", "cascade", "case", "cast", "check", "collate",
      "column", "commit", "conflict", "constraint", "create", "cross", "current", "current_date",
      "current_time", "current_timestamp", "database", "default", "deferrable", "deferred", "delete", "desc",
      "detach", "distinct", "do", "drop", "each", "else", "end", "escape", "except", "exclude", "exclusive",
      "exists", "explain", "fail", "filter", "first", "following", "for", "foreign", "from", "full",
      "generated", "glob", "group", "groups", "having", "if", "ignore", "immediate", "in", "index", "indexed",
      "initially", "inner", "insert", "instead", "intersect", "into", "is", "isnull", "join", "key", "last",
      "left", "like", "limit", "match", "materialized", "natural", "no", "not", "nothing", "notnull", "null",
      "nulls", "of", "offset", "on", "or", "order", "others", "outer", "over", "partition", "plan", "pragma",
      "preceding", "primary", "query", "raise", "range", "recursive", "references", "regexp", "reindex",
      "release", "rename", "replace", "restrict", "returning", "right", "rollback", "row", "rowid", "rows",
      "savepoint", "select", "set", "table", "temp", "temporary", "then", "ties", "to", "transaction",
      "trigger", "true", "false", "unbounded", "union", "unique", "update", "using", "vacuum", "values",
      "view", "virtual", "when", "where", "window", "with", "without", "oid", "_rowid_"};
  return words;
}

std::optional<std::string> identifier_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > 63) return "is longer than 63 characters";
  if (!(name[0] >= 'a' && name[0] <= 'z')) return "must start with a lowercase letter a-z";
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return fmt::format("has the character '{}' (allowed: a-z, 0-9, _)", c);
  if (reserved_words().count(name)) return "is a reserved SQL word";
  if (name.starts_with("sqlite_") || name.starts_with("hotcrm_")) return "uses a reserved prefix";
  return std::nullopt;
}

bool is_text_like(FieldType type) {
  return type == FieldType::text || type == FieldType::textarea || type == FieldType::email ||
         type == FieldType::phone || type == FieldType::url;
}

struct Checker {
  const std::vector<ObjectDef>& objects;
  std::vector<CatalogIssue> issues;
  std::set<std::string> object_names;

  void issue(const ObjectDef& object, const std::string& where, const std::string& message) {
    issues.push_back({"catalog", "object '" + object.name + "'" + (where.empty() ? "" : " " + where), message});
  }

  void check_all() {
    for (const auto& object : objects) {
      if (auto problem = identifier_problem(object.name))
        issue(object, "", "object name '" + object.name + "' " + *problem);
      else if (!object_names.insert(object.name).second)
        issue(object, "", "duplicate object name");
    }
    for (const auto& object : objects) check_object(object);
  }

  /// Problems of a field or rule another package added name that package.
  static std::string added_by(const std::string& package) {
    return package.empty() ? "" : " (added by package '" + package + "')";
  }

  void check_object(const ObjectDef& object) {
    std::set<std::string> rule_names;
    for (const auto& rule : object.validation_rules) {
      std::string where = "rule '" + rule.name + "'" + added_by(rule.package);
      if (auto problem = identifier_problem(rule.name)) issue(object, where, "rule name " + *problem);
      else if (!rule_names.insert(rule.name).second) issue(object, where, "duplicate rule name");
      if (!rule.error_field.empty() && !object.find_field(rule.error_field))
        issue(object, where, "error_field '" + rule.error_field + "' is not a field of the object");
      if (rule.message.empty()) issue(object, where, "a rule needs a message");
    }
    std::set<std::string> field_names;
    for (const auto& field : object.fields) {
      std::string where = "field '" + field.name + "'" + added_by(field.package);
      if (auto problem = identifier_problem(field.name)) issue(object, where, "field name " + *problem);
      else if (is_system_field(field.name)) issue(object, where, "is a system field name and cannot be redefined");
      else if (!field_names.insert(field.name).second) issue(object, where, "duplicate field name");
      check_field(object, field, where);
    }
  }

  void check_field(const ObjectDef& object, const FieldDef& field, const std::string& where) {
    check_numbers(object, field, where);
    check_options(object, field, where);
    check_reference(object, field, where);
    if (field.type == FieldType::autonumber) {
      if (auto problem = detail::autonumber_format_problem(field.format))
        issue(object, where, "bad autonumber format '" + field.format + "': " + *problem);
    } else if (!field.format.empty()) {
      issue(object, where, "'format' applies only to autonumber fields");
    }
    if (field.type == FieldType::formula) {
      if (field.expression.empty()) issue(object, where, "a formula field needs an 'expression'");
      if (field.required || field.unique || field.default_value)
        issue(object, where, "a formula field cannot be required, unique or have a default");
    } else if (!field.expression.empty()) {
      issue(object, where, "'expression' applies only to formula fields");
    }
    if (field.max_length && !is_text_like(field.type))
      issue(object, where, "'max_length' applies only to text fields");
    if (field.max_length && *field.max_length == 0) issue(object, where, "'max_length' must be at least 1");
    if (field.unique && !(is_text_like(field.type) || field.type == FieldType::number ||
                          field.type == FieldType::autonumber || field.type == FieldType::date))
      issue(object, where, fmt::format("a {} field cannot be unique", to_string(field.type)));
    check_default(object, field, where);
    if (field.rollup) check_rollup(object, field, where);
    // History and anonymisation act on stored values: a formula or roll-up only derives from them.
    if (field.track_history.value_or(false) && (field.type == FieldType::formula || field.rollup))
      issue(object, where, "a formula or roll-up field is derived and cannot track history (track the fields it reads)");
    if (field.personal_data && (field.type == FieldType::formula || field.rollup))
      issue(object, where, "a formula or roll-up field is derived and cannot be personal_data (mark the fields it reads)");
    if (field.encrypted) check_encrypted(object, field, where);
  }

  /// SQL sees only ciphertext (docs/security.md): an encrypted field cannot be a key, an index, a
  /// unique value or the input of an SQL aggregate.
  void check_encrypted(const ObjectDef& object, const FieldDef& field, const std::string& where) {
    switch (field.type) {
      case FieldType::formula:
      case FieldType::autonumber:
      case FieldType::lookup:
      case FieldType::master_detail:
        issue(object, where, fmt::format("a {} field cannot be encrypted (only stored values the engine writes "
                                         "as given: text, number, currency, percent, date, datetime, ...)",
                                         to_string(field.type)));
        return;
      default: break;
    }
    if (field.rollup) issue(object, where, "a roll-up cannot be encrypted (SQL computes it)");
    if (field.unique) issue(object, where, "an encrypted field cannot be unique (SQL sees only ciphertext, never equal twice)");
    if (field.indexed || field.searchable)
      issue(object, where, "an encrypted field cannot be indexed or searchable (SQL sees only ciphertext)");
    for (const auto& other : objects)
      for (const auto& parent_field : other.fields)
        if (parent_field.rollup && parent_field.rollup->object == object.name &&
            (parent_field.rollup->field == field.name || parent_field.rollup->via == field.name))
          issue(object, where, fmt::format("is encrypted, so roll-up {}.{} cannot aggregate it in SQL", other.name,
                                           parent_field.name));
  }

  const ObjectDef* find_object(const std::string& name) const {
    for (const auto& candidate : objects)
      if (candidate.name == name) return &candidate;
    return nullptr;
  }

  void check_rollup(const ObjectDef& object, const FieldDef& field, const std::string& where) {
    const Rollup& rollup = *field.rollup;
    const auto& function = rollup.function;
    if (function != "count" && function != "sum" && function != "min" && function != "max" && function != "avg") {
      issue(object, where, "roll-up function '" + function + "' is not count, sum, min, max or avg");
      return;
    }
    if (field.type == FieldType::formula || field.type == FieldType::autonumber || field.default_value || field.required)
      issue(object, where, "a roll-up is a stored field without default, and is never required");
    const ObjectDef* child = find_object(rollup.object);
    if (!child) {
      issue(object, where, "roll-up of unknown object '" + rollup.object + "'");
      return;
    }
    const FieldDef* via = child->find_field(rollup.via);
    if (!via || !via->is_reference() || via->reference != object.name)
      issue(object, where, "roll-up 'via' must be a lookup of " + child->name + " to " + object.name + ", not '" +
                               rollup.via + "'");
    if (function == "count") {
      if (!rollup.field.empty()) issue(object, where, "a count roll-up takes no 'field'");
      if (field.type != FieldType::number || field.scale != 0) issue(object, where, "a count roll-up is a number field with scale 0");
      return;
    }
    const FieldDef* summed = child->find_field(rollup.field);
    if (!summed) {
      issue(object, where, "roll-up field '" + rollup.field + "' is not a field of " + child->name);
      return;
    }
    const FieldType summed_type = summed->type == FieldType::formula && summed->return_type ? *summed->return_type : summed->type;
    const bool numeric = summed_type == FieldType::number || summed_type == FieldType::currency || summed_type == FieldType::percent;
    const bool temporal = summed_type == FieldType::date || summed_type == FieldType::datetime;
    if (function == "sum" || function == "avg") {
      if (!numeric) issue(object, where, "a " + function + " roll-up needs a number, currency or percent child field");
    } else if (!numeric && !temporal) {
      issue(object, where, "a " + function + " roll-up needs a number, currency, percent, date or datetime child field");
    }
    if (numeric && !(field.type == FieldType::number || field.is_decimal()))
      issue(object, where, "the roll-up of a numeric field must be a number, currency or percent field");
    if (temporal && field.type != summed_type) issue(object, where, "the roll-up of a date field must have the same type");
  }

  void check_numbers(const ObjectDef& object, const FieldDef& field, const std::string& where) {
    bool numeric = field.type == FieldType::number || field.is_decimal();
    if (!numeric) {
      if (field.min || field.max || field.precision || field.scale != 0)
        issue(object, where, "'min', 'max', 'precision' and 'scale' apply only to number, currency and percent");
      return;
    }
    if (field.scale < 0 || field.scale > Decimal::max_scale) issue(object, where, "'scale' must be between 0 and 18");
    if (field.precision && (*field.precision < 1 || *field.precision > 18))
      issue(object, where, "'precision' must be between 1 and 18");
    if (field.precision && *field.precision < field.scale) issue(object, where, "'precision' is smaller than 'scale'");
    if (field.min && field.max && *field.min > *field.max) issue(object, where, "'min' is greater than 'max'");
  }

  void check_options(const ObjectDef& object, const FieldDef& field, const std::string& where) {
    bool picklist = field.type == FieldType::select || field.type == FieldType::multiselect;
    if (!picklist) {
      if (!field.options.empty()) issue(object, where, "'options' apply only to select and multiselect fields");
      return;
    }
    if (field.type == FieldType::select && field.options.empty()) issue(object, where, "a select field needs options");
    std::set<std::string> values;
    for (const auto& option : field.options) {
      if (option.value.empty()) issue(object, where, "an option has an empty value");
      for (char c : option.value)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
          issue(object, where, "option value '" + option.value + "' must be a lowercase identifier [a-z0-9_]");
          break;
        }
      if (!values.insert(option.value).second) issue(object, where, "duplicate option value '" + option.value + "'");
    }
  }

  void check_reference(const ObjectDef& object, const FieldDef& field, const std::string& where) {
    if (!field.is_reference()) {
      if (!field.reference.empty()) issue(object, where, "'reference' applies only to lookup and master_detail fields");
      if (field.on_delete != DeleteBehavior::set_null) issue(object, where, "'on_delete' applies only to lookups");
      return;
    }
    if (field.reference.empty()) issue(object, where, "a lookup needs a 'reference' object");
    else if (!object_names.count(field.reference))
      issue(object, where, "lookup to unknown object '" + field.reference + "'");
    if (field.on_delete == DeleteBehavior::set_null && field.required)
      issue(object, where, "a required lookup cannot use on_delete set_null (use restrict or cascade)");
  }

  void check_default(const ObjectDef& object, const FieldDef& field, const std::string& where) {
    if (!field.default_value) return;
    using Kind = DefaultValue::Kind;
    switch (field.default_value->kind) {
      case Kind::now:
        if (field.type != FieldType::datetime && field.type != FieldType::date)
          issue(object, where, "$now is a default only for date and datetime fields");
        return;
      case Kind::today:
        if (field.type != FieldType::date && field.type != FieldType::datetime)
          issue(object, where, "$today is a default only for date and datetime fields");
        return;
      case Kind::current_user:
        if (!(field.type == FieldType::lookup || field.type == FieldType::text))
          issue(object, where, "$current_user is a default only for lookup and text fields");
        return;
      case Kind::formula:
        // Compiled (and type-checked against the field) with the other formulas of the catalog.
        if (field.type == FieldType::autonumber || field.type == FieldType::formula || field.type == FieldType::multiselect)
          issue(object, where, "this field type cannot have a default formula");
        return;
      case Kind::literal: break;
    }
    if (field.type == FieldType::autonumber || field.type == FieldType::formula) {
      issue(object, where, "this field type cannot have a default");
      return;
    }
    Value coerced;
    if (auto failure = detail::coerce_value(field, field.default_value->literal, coerced))
      issue(object, where, "default " + field.default_value->literal.to_json() + " is invalid: " + failure->message);
  }
};

}  // namespace

std::vector<CatalogIssue> Catalog::check(const std::vector<ObjectDef>& objects) {
  Checker checker{objects, {}, {}};
  checker.check_all();
  return std::move(checker.issues);
}

}  // namespace v0
}  // namespace hotcrm
