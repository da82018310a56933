// The typed-struct generator (hotcrm/model/codegen.hpp). Two stages: plan every object (C++ names,
// member types, enums) so that name clashes are settled before any text is written, then emit the
// header from the plans. Everything is ordered by the catalog, so the output is byte-identical for
// the same input.
#include "hotcrm/model/codegen.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "hotcrm/error.hpp"

namespace hotcrm {
inline namespace v0 {
namespace {

// ---------------------------------------------------------------------------------------------
// C++ identifiers

/// Words a generated name must not be: C++20 keywords and alternative tokens, names the generated
/// code itself relies on (std, hotcrm), and macros that common platforms predefine (linux, unix
/// under GNU extensions) or the C library defines (errno).
const std::set<std::string, std::less<>>& reserved_identifiers() {
  static const std::set<std::string, std::less<>> words = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
      "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      "std", "hotcrm", "errno", "linux", "unix", "i386"};
  return words;
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

/// `name` unless it is reserved, then `name_` (the convention for keyword-like names).
std::string escape_reserved(std::string name) {
  if (reserved_identifiers().count(name)) name += '_';
  return name;
}

/// "support_case" -> "SupportCase".
std::string pascal_case(std::string_view snake) {
  std::string result;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    result += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return result;
}

/// A snake_case enumerator for a picklist value of any text: "Closed Won" -> closed_won,
/// "24x7" -> _24x7, "new" -> new_. Never empty, never starts with "__" or "_" + capital.
std::string enumerator_name(std::string_view value) {
  std::string name;
  for (char c : value) {
    if (is_ascii_letter(c) || is_ascii_digit(c)) name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    else if (!name.empty() && name.back() != '_') name += '_';
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (name.empty()) name = "option";
  if (is_ascii_digit(name.front())) name.insert(name.begin(), '_');
  return escape_reserved(std::move(name));
}

/// Hands out names within one C++ scope: a taken candidate gets the first free numeric suffix.
class ScopeNames {
 public:
  explicit ScopeNames(std::initializer_list<std::string> taken = {}) : taken_(taken) {}
  std::string claim(const std::string& candidate) {
    std::string name = candidate;
    const std::string stem = candidate.ends_with('_') ? candidate : candidate + "_";
    for (int suffix = 2; taken_.count(name); ++suffix) name = stem + std::to_string(suffix);
    taken_.insert(name);
    return name;
  }

 private:
  std::set<std::string> taken_;
};

void check_namespace(std::string_view qualified) {
  auto refuse = [&](std::string_view why) {
    throw UsageError(ErrorCode::usage, fmt::format("codegen: the namespace '{}' {}", qualified, why));
  };
  if (qualified.empty()) refuse("is empty");
  std::size_t start = 0;
  while (true) {
    std::size_t end = qualified.find("::", start);
    std::string_view part = qualified.substr(start, end == std::string_view::npos ? end : end - start);
    if (part.empty()) refuse("has an empty component (write a::b)");
    if (!is_ascii_letter(part.front()) && part.front() != '_') refuse("has a component not starting with a letter");
    for (char c : part)
      if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_') refuse(fmt::format("has the character '{}'", c));
    if (part.starts_with("_") && part.size() > 1 && (part[1] == '_' || (part[1] >= 'A' && part[1] <= 'Z')))
      refuse("uses a name reserved to the implementation");
    if (part.find("__") != std::string_view::npos) refuse("uses a name reserved to the implementation (\"__\")");
    if (reserved_identifiers().count(part) && part != "std" && part != "hotcrm")
      refuse(fmt::format("has the C++ keyword '{}'", part));
    if (part == "std") refuse("must not be inside std");
    if (end == std::string_view::npos) break;
    start = end + 2;
  }
}

// ---------------------------------------------------------------------------------------------
// Text

/// A C++ string literal holding `text` exactly; non-ASCII bytes as octal escapes so the header is
/// independent of the compiler's source character set.
std::string string_literal(std::string_view text) {
  std::string literal = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') literal += {'\\', c};
    else if (byte < 0x20 || byte >= 0x7f) literal += fmt::format("\\{:03o}", byte);
    else literal += c;
  }
  return literal + "\"";
}

/// One line of comment text: line breaks become spaces, and no trailing backslash (which would
/// splice the next line into the comment).
std::string comment_text(std::string_view text) {
  std::string line;
  for (char c : text) line += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\\')) line.pop_back();
  return line;
}

// ---------------------------------------------------------------------------------------------
// Plans

enum class Shape : std::uint8_t { scalar, option, options };

struct EnumPlan {
  const FieldDef* field = nullptr;  ///< the picklist
  std::string type_name;    ///< nested in the struct: Lead::Status
  std::string parser_name;  ///< static member: Lead::status_from_string
  std::vector<std::pair<std::string, std::string>> options;  ///< enumerator, stored value
};

struct MemberPlan {
  const FieldDef* field = nullptr;
  std::string name;
  std::string value_type;       ///< T of std::optional<T> / ReadOnly<T>; the enum for picklists
  Shape shape = Shape::scalar;
  std::optional<std::size_t> enum_index;  ///< into ObjectPlan::enums
  std::string read_only_reason;  ///< empty: written by to_record
};

struct ObjectPlan {
  const ObjectDef* object = nullptr;
  std::string struct_name;
  std::string record_parameter;  ///< from_record's parameter, clear of member names (-Wshadow)
  std::string result_local;      ///< from_record's local
  std::string text_parameter;    ///< the enum parsers' parameter
  std::string object_parameter;  ///< to_record's parameter
  std::string clearable_type;    ///< the enum of the fields an update may clear: Lead::Clearable
  std::string clear_function;    ///< the member function marking one: lead.clear(...)
  std::string cleared_member;    ///< the fields it marked: lead.cleared
  std::string field_parameter;   ///< clear's parameter
  std::vector<EnumPlan> enums;
  std::vector<MemberPlan> system_members;
  std::vector<MemberPlan> members;
};

/// The C++ type of a non-picklist value of `type`; `field` gives number's scale.
std::string scalar_type(FieldType type, const FieldDef& field) {
  switch (type) {
    case FieldType::number: return field.scale == 0 && field.type == FieldType::number ? "std::int64_t" : "double";
    case FieldType::currency:
    case FieldType::percent: return "::hotcrm::Decimal";
    case FieldType::boolean: return "bool";
    case FieldType::date: return "::hotcrm::Date";
    case FieldType::datetime: return "::hotcrm::DateTime";
    case FieldType::formula: return "::hotcrm::Value";  // no declared return type
    default: return "std::string";  // text-like, autonumber, ids of lookups, picklists of formulas
  }
}

std::string read_only_reason(const FieldDef& field) {
  if (is_system_field(field.name)) return field.name == "owner_id" ? "" : "system field";
  if (field.type == FieldType::formula) return "formula";
  if (field.rollup) return "roll-up";
  if (field.type == FieldType::autonumber) return "autonumber";
  if (field.read_only) return "set by the engine";
  return "";
}

EnumPlan plan_enum(const FieldDef& field, ScopeNames& type_names) {
  EnumPlan plan;
  plan.field = &field;
  plan.type_name = type_names.claim(pascal_case(field.name));
  ScopeNames enumerators;
  for (const PicklistOption& option : field.options)
    plan.options.emplace_back(enumerators.claim(enumerator_name(option.value)), option.value);
  return plan;
}

MemberPlan plan_member(const FieldDef& field, ObjectPlan& object, ScopeNames& type_names, ScopeNames& member_names) {
  MemberPlan member;
  member.field = &field;
  member.name = member_names.claim(escape_reserved(field.name));
  member.read_only_reason = read_only_reason(field);
  if (field.type == FieldType::select || field.type == FieldType::multiselect) {
    member.shape = field.type == FieldType::select ? Shape::option : Shape::options;
    member.enum_index = object.enums.size();
    object.enums.push_back(plan_enum(field, type_names));
    member.value_type = object.enums.back().type_name;
  } else {
    const FieldType type = field.type == FieldType::formula && field.return_type ? *field.return_type : field.type;
    member.value_type = scalar_type(type, field);
  }
  return member;
}

ObjectPlan plan_object(const ObjectDef& object, ScopeNames& struct_names) {
  ObjectPlan plan;
  plan.object = &object;
  plan.struct_name = struct_names.claim(pascal_case(object.name));
  ScopeNames type_names{plan.struct_name};  // a nested type may not have the struct's own name
  // Fields keep their own names; everything the generator adds to the scope afterwards yields.
  ScopeNames member_names{"object_name", "from_record"};
  for (const FieldDef& field : system_fields())
    plan.system_members.push_back(plan_member(field, plan, type_names, member_names));
  for (const FieldDef& field : object.fields)
    plan.members.push_back(plan_member(field, plan, type_names, member_names));
  for (EnumPlan& enum_plan : plan.enums)
    enum_plan.parser_name = member_names.claim(enum_plan.field->name + "_from_string");
  plan.clearable_type = type_names.claim("Clearable");
  plan.clear_function = member_names.claim("clear");
  plan.cleared_member = member_names.claim("cleared");
  plan.field_parameter = member_names.claim("field");
  // Names of from_record's parameter and local may not shadow a member (-Wshadow).
  plan.record_parameter = member_names.claim("record");
  plan.result_local = member_names.claim("result");
  plan.text_parameter = member_names.claim("text");
  ScopeNames free_names{"record"};  // to_record's local
  plan.object_parameter = free_names.claim(escape_reserved(object.name));
  return plan;
}

std::vector<const ObjectDef*> select_objects(const Catalog& catalog, const std::vector<std::string>& packages) {
  std::set<std::string> known;
  for (const ObjectDef& object : catalog.objects()) known.insert(object.package);
  for (const std::string& package : packages) {
    if (!known.count(package)) {
      std::string list;
      for (const std::string& name : known) list += (list.empty() ? "" : ", ") + (name.empty() ? "(none)" : name);
      throw UsageError(ErrorCode::usage,
                       fmt::format("codegen: no object of the catalog is in package '{}' (packages: {})", package,
                                   list));
    }
  }
  std::vector<const ObjectDef*> selected;
  for (const ObjectDef& object : catalog.objects())
    if (packages.empty() || std::find(packages.begin(), packages.end(), object.package) != packages.end())
      selected.push_back(&object);
  if (selected.empty()) throw UsageError(ErrorCode::usage, "codegen: the catalog has no objects");
  return selected;
}

// ---------------------------------------------------------------------------------------------
// Emission

using Out = std::back_insert_iterator<std::string>;

/// A member an update may set to null: written by to_record, and not required (owner_id never is).
bool is_clearable(const MemberPlan& member) {
  return member.read_only_reason.empty() && !member.field->required && !is_system_field(member.field->name);
}

std::string member_type(const MemberPlan& member) {
  std::string value = member.shape == Shape::options ? "std::vector<" + member.value_type + ">" : member.value_type;
  if (!member.read_only_reason.empty()) return "::hotcrm::ReadOnly<" + value + ">";
  return member.shape == Shape::options ? value : "std::optional<" + value + ">";
}

std::string member_comment(const MemberPlan& member) {
  const FieldDef& field = *member.field;
  std::string type(to_string(field.type));
  if (field.type == FieldType::formula && field.return_type) type += " -> " + std::string(to_string(*field.return_type));
  if (field.is_reference()) type += " -> " + field.reference + " id";
  if (field.type == FieldType::number && field.scale > 0) type += fmt::format(", scale {}", field.scale);
  if (field.is_decimal()) type += fmt::format(", scale {}", field.scale);
  if (field.required) type += ", required";
  if (!member.read_only_reason.empty()) type += ", read-only: " + member.read_only_reason;
  if (!field.package.empty()) type += ", added by package " + field.package;
  std::string text = comment_text(field.label.empty() ? field.name : field.label) + " (" + type + ")";
  if (!field.description.empty()) text += ". " + comment_text(field.description);
  return text;
}

void emit_enum(Out out, const EnumPlan& plan) {
  fmt::format_to(out, "  /// The options of {} (to_string gives the stored text).\n  enum class {} {{", plan.field->name,
                 plan.type_name);
  for (std::size_t i = 0; i < plan.options.size(); ++i)
    fmt::format_to(out, "{}{}", i == 0 ? " " : ", ", plan.options[i].first);
  fmt::format_to(out, "{}}};\n", plan.options.empty() ? "" : " ");
}

void emit_members(Out out, const std::vector<MemberPlan>& members) {
  for (const MemberPlan& member : members)
    fmt::format_to(out, "  {} {};  ///< {}\n", member_type(member), member.name, member_comment(member));
}

void emit_struct(Out out, const ObjectPlan& plan) {
  const ObjectDef& object = *plan.object;
  std::string summary = comment_text(object.label.empty() ? object.name : object.label);
  if (!object.description.empty()) summary += ": " + comment_text(object.description);
  fmt::format_to(out, "/// {}\nstruct {} {{\n  static constexpr std::string_view object_name = {};\n\n",
                 summary, plan.struct_name, string_literal(object.name));
  for (const EnumPlan& enum_plan : plan.enums) emit_enum(out, enum_plan);
  fmt::format_to(out, "  /// The fields an update may set to null (the writable ones that are not required), for {}().\n"
                      "  enum class {} {{", plan.clear_function, plan.clearable_type);
  bool first = true;
  for (const MemberPlan& member : plan.members) {
    if (!is_clearable(member)) continue;
    fmt::format_to(out, "{}{}", first ? " " : ", ", member.name);
    first = false;
  }
  fmt::format_to(out, "{}}};\n\n", first ? "" : " ");
  fmt::format_to(out, "  // System fields: set by the engine (owner_id may be given and changed).\n");
  emit_members(out, plan.system_members);
  fmt::format_to(out, "\n  // Fields of {}.\n", object.name);
  emit_members(out, plan.members);
  fmt::format_to(out,
                 "\n  /// The fields {}() marked: to_record sends null for each one not given a value since, so an\n"
                 "  /// update clears the stored field. Empty it to forget them.\n"
                 "  std::vector<{}> {};\n",
                 plan.clear_function, plan.clearable_type, plan.cleared_member);
  fmt::format_to(out,
                 "\n  /// Reads a record (from get, find or a query); throws SchemaError naming the field whose\n"
                 "  /// value does not fit. Fields the struct does not know are ignored.\n"
                 "  static {} from_record(const ::hotcrm::Record& {});\n"
                 "  /// Empties the member of `{}` and adds it to {}: the next update sets the field to null.\n"
                 "  {}& {}({} {});\n",
                 plan.struct_name, plan.record_parameter, plan.field_parameter, plan.cleared_member, plan.struct_name,
                 plan.clear_function, plan.clearable_type, plan.field_parameter);
  for (const EnumPlan& enum_plan : plan.enums)
    fmt::format_to(out, "  /// The option stored as this text, or nullopt.\n"
                        "  static constexpr std::optional<{}> {}(std::string_view {}) noexcept;\n",
                   enum_plan.type_name, enum_plan.parser_name, plan.text_parameter);
  fmt::format_to(out, "\n  friend bool operator==(const {}&, const {}&) = default;\n}};\n\n", plan.struct_name,
                 plan.struct_name);
}

void emit_enum_functions(Out out, const ObjectPlan& plan) {
  for (const EnumPlan& enum_plan : plan.enums) {
    const std::string type = plan.struct_name + "::" + enum_plan.type_name;
    fmt::format_to(out,
                   "/// The stored value of an option of {}.\n"
                   "constexpr std::string_view to_string({} value) noexcept {{\n  switch (value) {{\n",
                   type, type);
    for (const auto& [enumerator, value] : enum_plan.options)
      fmt::format_to(out, "    case {}::{}: return {};\n", type, enumerator, string_literal(value));
    fmt::format_to(out, "  }}\n  return {{}};\n}}\n\n");
    // An enum without options would leave the parameter unused (-Wunused-parameter): leave it unnamed.
    fmt::format_to(out, "constexpr std::optional<{}> {}::{}(std::string_view{}{}) noexcept {{\n", type,
                   plan.struct_name, enum_plan.parser_name, enum_plan.options.empty() ? "" : " ",
                   enum_plan.options.empty() ? "" : plan.text_parameter);
    for (const auto& [enumerator, value] : enum_plan.options)
      fmt::format_to(out, "  if ({} == {}) return {}::{};\n", plan.text_parameter, string_literal(value), type,
                     enumerator);
    fmt::format_to(out, "  return std::nullopt;\n}}\n\n");
  }
}

/// to_string(Lead::Clearable) (the field's name in the catalog) and Lead::clear.
void emit_clear_functions(Out out, const ObjectPlan& plan) {
  const std::string type = plan.struct_name + "::" + plan.clearable_type;
  fmt::format_to(out,
                 "/// The catalog name of a field of {}.\n"
                 "constexpr std::string_view to_string({} {}) noexcept {{\n  switch ({}) {{\n",
                 type, type, plan.field_parameter, plan.field_parameter);
  for (const MemberPlan& member : plan.members)
    if (is_clearable(member))
      fmt::format_to(out, "    case {}::{}: return {};\n", type, member.name, string_literal(member.field->name));
  fmt::format_to(out, "  }}\n  return {{}};\n}}\n\n");
  fmt::format_to(out, "inline {}& {}::{}({} {}) {{\n  switch ({}) {{\n", plan.struct_name, plan.struct_name,
                 plan.clear_function, plan.clearable_type, plan.field_parameter, plan.field_parameter);
  for (const MemberPlan& member : plan.members)
    if (is_clearable(member))
      fmt::format_to(out, "    case {}::{}: {}.{}(); break;\n", plan.clearable_type, member.name, member.name,
                     member.shape == Shape::options ? "clear" : "reset");
  fmt::format_to(out, "  }}\n  {}.push_back({});\n  return *this;\n}}\n\n", plan.cleared_member, plan.field_parameter);
}

void emit_to_record(Out out, const ObjectPlan& plan) {
  fmt::format_to(out, "/// The writable members that hold a value, and null for the cleared ones, as a record for\n"
                      "/// insert or update.\n"
                      "inline ::hotcrm::Record to_record(const {}& {}) {{\n  ::hotcrm::Record record;\n"
                      "  ::hotcrm::typed::write_cleared(record, {}.{});  // first: a value given after clear() wins\n",
                 plan.struct_name, plan.object_parameter, plan.object_parameter, plan.cleared_member);
  for (const auto* group : {&plan.system_members, &plan.members}) {
    for (const MemberPlan& member : *group) {
      if (!member.read_only_reason.empty()) continue;
      const char* writer = member.shape == Shape::scalar   ? "write"
                           : member.shape == Shape::option ? "write_option"
                                                           : "write_options";
      fmt::format_to(out, "  ::hotcrm::typed::{}(record, {}, {}.{});\n", writer, string_literal(member.field->name),
                     plan.object_parameter, member.name);
    }
  }
  fmt::format_to(out, "  return record;\n}}\n\n");
}

void emit_from_record(Out out, const ObjectPlan& plan) {
  fmt::format_to(out, "inline {} {}::from_record(const ::hotcrm::Record& {}) {{\n  {} {};\n", plan.struct_name,
                 plan.struct_name, plan.record_parameter, plan.struct_name, plan.result_local);
  for (const auto* group : {&plan.system_members, &plan.members}) {
    for (const MemberPlan& member : *group) {
      const std::string field = string_literal(member.field->name);
      if (member.shape == Shape::scalar) {
        fmt::format_to(out, "  ::hotcrm::typed::read({}, object_name, {}, {}.{});\n", plan.record_parameter, field,
                       plan.result_local, member.name);
      } else {
        fmt::format_to(out, "  ::hotcrm::typed::{}({}, object_name, {}, {}.{}, {});\n",
                       member.shape == Shape::option ? "read_option" : "read_options", plan.record_parameter, field,
                       plan.result_local, member.name, plan.enums[*member.enum_index].parser_name);
      }
    }
  }
  fmt::format_to(out, "  return {};\n}}\n\n", plan.result_local);
}

}  // namespace

std::string generate_header(const Catalog& catalog, const CodegenOptions& options) {
  check_namespace(options.namespace_name);
  std::vector<ObjectPlan> plans;
  ScopeNames struct_names;
  for (const ObjectDef* object : select_objects(catalog, options.packages))
    plans.push_back(plan_object(*object, struct_names));

  std::string text;
  Out out(text);
  fmt::format_to(out,
                 "// Generated by `hotcrm codegen` from {}: one struct per object, for typed access\n"
                 "// (docs/codegen.md). Do not edit: regenerate it when the catalog changes.\n"
                 "#pragma once\n\n"
                 "#include <cstdint>\n#include <optional>\n#include <string>\n#include <string_view>\n"
                 "#include <vector>\n\n#include <hotcrm/store/typed.hpp>\n\nnamespace {} {{\n\n",
                 comment_text(options.source), options.namespace_name);
  for (const ObjectPlan& plan : plans) emit_struct(out, plan);
  for (const ObjectPlan& plan : plans) {
    emit_enum_functions(out, plan);
    emit_clear_functions(out, plan);
    emit_to_record(out, plan);
    emit_from_record(out, plan);
  }
  fmt::format_to(out, "}}  // namespace {}\n", options.namespace_name);
  return text;
}

}  // namespace v0
}  // namespace hotcrm
