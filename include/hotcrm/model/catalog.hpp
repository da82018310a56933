#pragma once
// The typed, metadata-driven object model: field types, field and object definitions, and the
// Catalog (a validated, immutable set of objects) loaded from JSON.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/model/processes.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

enum class FieldType : std::uint8_t {
  text, textarea, email, phone, url, select, multiselect, number, currency, percent, boolean,
  date, datetime, lookup, master_detail, autonumber, formula,
};

/// "text", "master_detail", ...
std::string_view to_string(FieldType type) noexcept;
std::optional<FieldType> field_type_from_string(std::string_view name) noexcept;

/// What happens to a record pointing to a deleted parent.
enum class DeleteBehavior : std::uint8_t { set_null, restrict, cascade };
std::string_view to_string(DeleteBehavior behavior) noexcept;

/// One option of a picklist: a stable identifier and its display label.
struct PicklistOption {
  std::string value;
  std::string label;
  std::optional<double> probability;  ///< e.g. opportunity stage -> default probability (percent)
  bool is_won = false;                ///< a closed-won stage
  bool is_lost = false;               ///< a closed-lost stage
};

/// A default value: a literal, one of the tokens $now, $today, $current_user, or a formula
/// (`{"formula": "TODAY() + 30"}`) evaluated on insert against the record being inserted.
struct DefaultValue {
  enum class Kind : std::uint8_t { literal, now, today, current_user, formula };
  Kind kind = Kind::literal;
  Value literal;
  std::string formula;  ///< formula: its source
};

/// A roll-up summary: this field holds an aggregate of a child object's records that point here
/// through `via` (quote subtotal = SUM of its lines' totals). Kept exact by the engine in the same
/// transaction as every child insert, update, delete and re-parenting; the field is read-only.
struct Rollup {
  std::string object;    ///< the child object
  std::string via;       ///< the child's lookup (or master-detail) field pointing at this object
  std::string function;  ///< count, sum, min, max, avg
  std::string field;     ///< the child field aggregated (not for count); may be a formula field
  std::string filter;    ///< optional boolean formula over the child: only matching children count
};

struct FieldDef {
  std::string name;
  FieldType type = FieldType::text;
  std::string label;
  std::string description;
  bool required = false;
  bool unique = false;
  bool searchable = false;
  bool indexed = false;
  bool read_only = false;
  std::optional<std::int32_t> max_length;
  std::optional<double> min;
  std::optional<double> max;
  std::optional<std::int32_t> precision;  ///< total significant digits (number, currency, percent)
  std::int32_t scale = 0;                 ///< digits after the point (number, currency, percent)
  std::optional<DefaultValue> default_value;
  std::vector<PicklistOption> options;    ///< select / multiselect
  std::string reference;                  ///< target object (lookup / master_detail)
  DeleteBehavior on_delete = DeleteBehavior::set_null;
  std::string format;                     ///< autonumber format, e.g. "CASE-{YYYY}-{0000}"
  std::string expression;                 ///< formula source (formula fields)
  std::optional<FieldType> return_type;   ///< result type of a formula field
  std::optional<Rollup> rollup;           ///< a roll-up summary of child records (stored, read-only)
  /// Field history: absent follows the object's `track_history` capability; false opts the field
  /// out of a tracked object, true opts it in on an object that does not track (docs/security.md).
  std::optional<bool> track_history;
  /// Holds personal data (names, e-mail, phone, address, birth date): exported and anonymised by
  /// Session::export_person / erase_person.
  bool personal_data = false;
  /// Stored encrypted (XChaCha20-Poly1305, keys from OpenOptions::keys): never in clear in the
  /// file, the history or the logs; cannot be filtered, sorted, grouped, aggregated or unique in SQL.
  bool encrypted = false;
  /// The package that added this field to another package's object (an ObjectExtension, e.g.
  /// "marketing" for opportunity.campaign_id); empty for the object's own fields.
  std::string package;

  /// True for number fields stored as integers (scale 0).
  bool is_integer() const noexcept { return type == FieldType::number && scale == 0; }
  /// True for fields whose values are exact decimals (currency, percent).
  bool is_decimal() const noexcept { return type == FieldType::currency || type == FieldType::percent; }
  bool is_reference() const noexcept {
    return type == FieldType::lookup || type == FieldType::master_detail;
  }
  /// False for formula fields, which are computed and have no column.
  bool is_stored() const noexcept { return type != FieldType::formula; }
  const PicklistOption* find_option(std::string_view value) const noexcept;
};

/// System fields present on every record, in this order, before the object's own fields.
/// id, created_at, updated_at, created_by, updated_by, owner_id, tenant_id, version.
const std::vector<FieldDef>& system_fields();
bool is_system_field(std::string_view name) noexcept;

/// A validation rule: when `condition` (a boolean formula) is TRUE the record is invalid and the
/// write is rejected with `message`, attached to `error_field` (or to the whole record).
struct ValidationRule {
  std::string name;
  std::string condition;
  std::string message;
  std::string error_field;
  bool active = true;
  /// The package that added this rule to another package's object; empty for the object's own rules.
  std::string package;
};

struct ObjectDef {
  std::string name;
  std::string label;
  std::string plural_label;
  std::string description;
  std::string package;                    ///< e.g. "crm"; empty for user objects
  std::map<std::string, bool> capabilities;  ///< track_history, searchable, activities, ...
  std::vector<FieldDef> fields;           ///< the object's own fields (system fields excluded)
  std::vector<ValidationRule> validation_rules;
  std::vector<WorkflowRule> workflow_rules;
  std::vector<ScheduledRule> scheduled_rules;
  std::optional<StateMachine> state_machine;
  std::vector<ApprovalProcess> approval_processes;
  std::optional<AssignmentRules> assignment;
  std::optional<SlaDefinition> sla;

  /// The own field or system field with this name, or nullptr.
  const FieldDef* find_field(std::string_view field_name) const noexcept;
  bool has_capability(std::string_view capability) const noexcept;
};

/// True when changes of `field` (an own field or owner_id) are recorded in the field history:
/// stored, not a roll-up, and tracked by the field's `track_history` or else by the object's.
bool tracks_history(const ObjectDef& object, const FieldDef& field) noexcept;
/// Fields and validation rules that a package adds to an object of another package, so that the
/// object's own package need not depend on it: marketing adds `campaign_id` to crm's opportunity,
/// and crm alone still installs. Written as a JSON file with "extends" instead of "name"
/// (docs/catalog-format.md); applied when the catalog is assembled, and only when the extended
/// object is part of it. The added fields and rules carry the extension's package.
struct ObjectExtension {
  std::string object;   ///< the object extended ("extends")
  std::string package;  ///< the extending package; empty for a user's own extension
  std::string description;
  std::vector<FieldDef> fields;
  std::vector<ValidationRule> validation_rules;
  std::vector<WorkflowRule> workflow_rules;  ///< automation the package adds (contract activation billing)
  std::string source;   ///< where it was read (file name), for messages
  std::string path;     ///< its JSON pointer in that source ("" for the whole source)
};

/// Catalog definitions as read from JSON, before extensions are applied and before validation.
struct CatalogDefinitions {
  std::vector<ObjectDef> objects;
  std::vector<ObjectExtension> extensions;
};

/// One problem found while loading a catalog, located by its JSON path ("/objects/2/fields/5/type").
struct CatalogIssue {
  std::string source;  ///< file name, or "<string>"
  std::string path;    ///< JSON pointer into that source
  std::string message;
};

/// One package of the standard catalog: a group of objects a user can choose to install.
struct PackageInfo {
  std::string name;                  ///< "platform", "crm", "marketing", ...; the objects' `package`
  std::string label;
  std::string description;
  std::vector<std::string> depends;  ///< packages whose objects this one's lookups point to
};

/// The standard catalog's packages, each listed after the packages it depends on:
/// platform, crm, marketing, products, finance, support, hr.
const std::vector<PackageInfo>& standard_packages();

/// `packages` plus every package they depend on, directly or not, in standard_packages() order.
/// Throws UsageError naming the first unknown package.
std::vector<std::string> resolve_packages(std::span<const std::string> packages);

/// The largest catalog JSON text (one string, or one file of a folder) accepted; the standard
/// catalog's files together are about 0.5 MiB.
inline constexpr std::size_t kMaxCatalogJsonBytes = std::size_t{64} << 20;

/// A validated, immutable set of object definitions. Cheap to copy (shared state).
class Catalog {
 public:
  Catalog();  ///< empty catalog

  /// Builds a catalog from definitions, validating all of them; throws SchemaError listing every issue.
  static Catalog from_objects(std::vector<ObjectDef> objects);
  /// Builds a catalog from objects and the extensions to apply to them (in order), then validates
  /// it. An extension of an object that is not among `objects`, or one adding a field or rule
  /// whose name the object already has, is a SchemaError naming both packages.
  static Catalog from_definitions(CatalogDefinitions definitions);
  /// Parses JSON text: one object `{"name":..,"fields":[..]}`, an array of them, or `{"objects":[..]}`;
  /// extensions (`{"extends":..}`) among them are applied to its objects.
  /// Throws UsageError(too_large) for a text over kMaxCatalogJsonBytes.
  static Catalog from_json(std::string_view json_text, std::string_view source_name = "<string>");
  /// Loads a .json file, or every *.json file under a folder (sorted, recursively).
  static Catalog load(const std::filesystem::path& path);
  /// The catalog compiled into the library: every object of every standard package, with every
  /// package's extensions applied.
  static Catalog standard();
  /// The standard catalog restricted to `packages` and the packages they depend on (see
  /// resolve_packages); e.g. {"support"} gives support, products, crm and platform. Throws
  /// UsageError naming an unknown package. Only the extensions of selected packages apply.
  static Catalog standard(std::span<const std::string> packages);
  /// The standard catalog's extensions: what each package adds to other packages' objects.
  static const std::vector<ObjectExtension>& standard_extensions();

  /// This catalog plus `other`: objects of `other` are added, or replace those with the same name.
  Catalog merged(const Catalog& other) const;
  /// This catalog plus `more`: its objects are added (or replace those with the same name), then its
  /// extensions are applied, e.g. a user's fields on the standard lead. Validated like from_definitions.
  Catalog extended(CatalogDefinitions more) const;

  /// Parses JSON (objects and extensions) without validating references, to assemble several files.
  static CatalogDefinitions parse(std::string_view json_text, std::string_view source_name,
                                  std::vector<CatalogIssue>& issues);
  /// Reads a .json file, or every *.json file under a folder (sorted, recursively), like load()
  /// but without applying or validating anything. Throws Error(io) for a missing path.
  static CatalogDefinitions read(const std::filesystem::path& path, std::vector<CatalogIssue>& issues);
  /// The objects of `json_text` only; an extension in it is reported as an issue (use parse()).
  static std::vector<ObjectDef> parse_objects(std::string_view json_text, std::string_view source_name,
                                              std::vector<CatalogIssue>& issues);
  /// Validates definitions; returns every issue found (empty when valid).
  static std::vector<CatalogIssue> check(const std::vector<ObjectDef>& objects);

  const std::vector<ObjectDef>& objects() const noexcept;
  const ObjectDef* find(std::string_view object_name) const noexcept;
  /// Throws SchemaError(unknown_object) naming the object when absent.
  const ObjectDef& at(std::string_view object_name) const;
  std::vector<std::string> object_names() const;

  /// Canonical JSON of the whole catalog ({"objects":[...]}), loadable by from_json.
  std::string to_json(int indent = -1) const;
  /// Canonical JSON of one object.
  std::string object_to_json(std::string_view object_name, int indent = -1) const;

 private:
  static Catalog checked(CatalogDefinitions definitions, std::vector<CatalogIssue> issues);
  struct State;
  std::shared_ptr<const State> state_;
};

}  // namespace v0
}  // namespace hotcrm
