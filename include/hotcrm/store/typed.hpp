#pragma once
// Typed access: the small runtime that structs generated from a catalog (`hotcrm codegen`, and the
// standard catalog's headers <hotcrm/catalog/PACKAGE.hpp>) build on. A generated struct has one
// std::optional member per field, an enum class per picklist, `object_name`, `from_record`,
// `clear(Clearable)` (marks a field to be set to null) and a free `to_record`; this header gives
// them read-only members, the value conversions (which name the object and field when a value does
// not fit) and the TypedObject concept that Session's typed overloads (db.insert(lead),
// db.get<Lead>(id), ...) accept. See docs/codegen.md.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hotcrm/store/query.hpp"
#include "hotcrm/store/record.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

/// A member the engine sets and the application only reads: system fields (id, version,
/// created_at, ...), formula and roll-up fields, autonumbers and fields marked read_only. It reads
/// like a const std::optional<T>; assigning a plain value does not compile, so a write the store
/// would refuse is caught by the compiler, and to_record never sends it.
template <class T>
class ReadOnly {
 public:
  using value_type = T;

  ReadOnly() = default;
  /// Deliberately explicit: only conversions from a record (from_record) fill it.
  explicit ReadOnly(std::optional<T> value) : value_(std::move(value)) {}

  bool has_value() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return value_.has_value(); }
  const T& operator*() const noexcept { return *value_; }
  const T* operator->() const noexcept { return &*value_; }
  /// Throws std::bad_optional_access when empty.
  const T& value() const { return value_.value(); }
  template <class U>
  T value_or(U&& fallback) const {
    return value_.value_or(std::forward<U>(fallback));
  }
  const std::optional<T>& get() const noexcept { return value_; }
  operator const std::optional<T>&() const noexcept { return value_; }  // NOLINT: reads as the optional

  friend bool operator==(const ReadOnly&, const ReadOnly&) = default;
  /// Like std::optional: equal to a value when it holds an equal one.
  friend bool operator==(const ReadOnly& read_only, const T& value) { return read_only.value_ == value; }

 private:
  std::optional<T> value_;
};

/// A struct generated from a catalog object: its object name, conversion from a record, and a
/// to_record found by argument-dependent lookup.
template <class T>
concept TypedObject = requires(const T& object, const Record& record) {
  { T::object_name } -> std::convertible_to<std::string_view>;
  { T::from_record(record) } -> std::same_as<T>;
  { to_record(object) } -> std::same_as<Record>;
};

/// The rows of a query result as typed structs (fields the result lacks stay empty).
template <TypedObject T>
std::vector<T> rows_as(const QueryResult& result) {
  std::vector<T> objects;
  objects.reserve(result.size());
  for (std::size_t row = 0; row < result.size(); ++row) objects.push_back(T::from_record(result.rows.record(row)));
  return objects;
}

/// The conversions generated code calls. Reading: a field absent from the record or null leaves the
/// member empty; a value of another kind throws SchemaError naming object, field, expected and found
/// kind (the record does not match the catalog the struct was generated from). Numbers widen when
/// no digit is lost (an integer into a double or Decimal member).
namespace typed {

void read(const Record& record, std::string_view object, std::string_view field, std::optional<std::string>& out);
void read(const Record& record, std::string_view object, std::string_view field, std::optional<std::int64_t>& out);
void read(const Record& record, std::string_view object, std::string_view field, std::optional<double>& out);
void read(const Record& record, std::string_view object, std::string_view field, std::optional<Decimal>& out);
void read(const Record& record, std::string_view object, std::string_view field, std::optional<bool>& out);
void read(const Record& record, std::string_view object, std::string_view field, std::optional<Date>& out);
void read(const Record& record, std::string_view object, std::string_view field, std::optional<DateTime>& out);
/// Any value (formula fields without a declared return type).
void read(const Record& record, std::string_view object, std::string_view field, std::optional<Value>& out);
/// The option values of a multiselect field, in stored order; empty when absent or null.
std::vector<std::string> read_option_list(const Record& record, std::string_view object, std::string_view field);

/// Throws SchemaError: `text` is not an option of the picklist `field` of `object`.
[[noreturn]] void throw_unknown_option(std::string_view object, std::string_view field, std::string_view text);

/// A picklist member: `parse` maps stored text to the enum (e.g. Lead::status_from_string).
template <class Enum, class Parse>
void read_option(const Record& record, std::string_view object, std::string_view field, std::optional<Enum>& out,
                 Parse parse) {
  std::optional<std::string> text;
  read(record, object, field, text);
  if (!text) return out.reset();
  std::optional<Enum> option = parse(*text);
  if (!option) throw_unknown_option(object, field, *text);
  out = *option;
}

/// A multiselect member: every stored option must be one the enum knows.
template <class Enum, class Parse>
void read_options(const Record& record, std::string_view object, std::string_view field, std::vector<Enum>& out,
                  Parse parse) {
  out.clear();
  for (const std::string& text : read_option_list(record, object, field)) {
    std::optional<Enum> option = parse(text);
    if (!option) throw_unknown_option(object, field, text);
    out.push_back(*option);
  }
}

/// Read-only members are read like the others.
template <class T>
void read(const Record& record, std::string_view object, std::string_view field, ReadOnly<T>& out) {
  std::optional<T> value;
  read(record, object, field, value);
  out = ReadOnly<T>(std::move(value));
}
template <class Enum, class Parse>
void read_option(const Record& record, std::string_view object, std::string_view field, ReadOnly<Enum>& out,
                 Parse parse) {
  std::optional<Enum> value;
  read_option(record, object, field, value, parse);
  out = ReadOnly<Enum>(value);
}
template <class Enum, class Parse>
void read_options(const Record& record, std::string_view object, std::string_view field,
                  ReadOnly<std::vector<Enum>>& out, Parse parse) {
  std::vector<Enum> values;
  read_options(record, object, field, values, parse);
  out = ReadOnly<std::vector<Enum>>(values.empty() ? std::nullopt : std::optional(std::move(values)));
}

/// Writing: only members that hold a value go into the record, so an insert leaves defaults to the
/// engine and an update changes only what was set; fields marked with the struct's clear() go in as
/// null, so an update clears them.
template <class T>
void write(Record& record, std::string_view field, const std::optional<T>& value) {
  if (value) record.insert_or_assign(std::string(field), Value(*value));
}
template <class Enum>
void write_option(Record& record, std::string_view field, const std::optional<Enum>& value) {
  if (value) record.insert_or_assign(std::string(field), Value(std::string(to_string(*value))));
}
/// Null for every field in `cleared` (a generated struct's clear() list; to_string gives the
/// field's name), so that an update clears it.
template <class Clearable>
void write_cleared(Record& record, const std::vector<Clearable>& cleared) {
  for (Clearable field : cleared) record.insert_or_assign(std::string(to_string(field)), Value{});
}
template <class Enum>
void write_options(Record& record, std::string_view field, const std::vector<Enum>& values) {
  if (values.empty()) return;
  StringList texts;
  texts.reserve(values.size());
  for (Enum value : values) texts.emplace_back(to_string(value));
  record.insert_or_assign(std::string(field), Value(std::move(texts)));
}

}  // namespace typed
}  // namespace v0
}  // namespace hotcrm
