// Value conversions behind the generated typed structs (hotcrm/store/typed.hpp): one function per
// member type, each naming the object and field when a record's value does not fit.
#include "hotcrm/store/typed.hpp"

#include <fmt/format.h>

#include "hotcrm/error.hpp"

namespace hotcrm {
inline namespace v0 {
namespace typed {
namespace {

/// The value of `field`, or nullptr when the record lacks it or holds null.
const Value* present_value(const Record& record, std::string_view field) {
  auto it = record.find(field);
  if (it == record.end() || it->second.is_null()) return nullptr;
  return &it->second;
}

[[noreturn]] void throw_wrong_kind(std::string_view object, std::string_view field, std::string_view expected,
                                   const Value& found) {
  throw SchemaError(ErrorCode::schema,
                    fmt::format("{}.{}: expected {}, found {} {} (does the record match the catalog the typed "
                                "struct was generated from?)",
                                object, field, expected, to_string(found.kind()), found.to_json()));
}

}  // namespace

void read(const Record& record, std::string_view object, std::string_view field, std::optional<std::string>& out) {
  out.reset();
  const Value* value = present_value(record, field);
  if (!value) return;
  if (value->is<std::string>()) out = value->as_string();
  else if (value->is<RecordId>()) out = value->as_string();  // lookups may come back as ids
  else throw_wrong_kind(object, field, "text", *value);
}

void read(const Record& record, std::string_view object, std::string_view field, std::optional<std::int64_t>& out) {
  out.reset();
  const Value* value = present_value(record, field);
  if (!value) return;
  if (!value->is<std::int64_t>()) throw_wrong_kind(object, field, "an integer", *value);
  out = value->as_int();
}

void read(const Record& record, std::string_view object, std::string_view field, std::optional<double>& out) {
  out.reset();
  const Value* value = present_value(record, field);
  if (!value) return;
  // A double member holds numbers with decimals; formula results may arrive as integer or decimal.
  if (!value->is<double>() && !value->is<std::int64_t>() && !value->is<Decimal>())
    throw_wrong_kind(object, field, "a number", *value);
  out = value->as_double();
}

void read(const Record& record, std::string_view object, std::string_view field, std::optional<Decimal>& out) {
  out.reset();
  const Value* value = present_value(record, field);
  if (!value) return;
  if (value->is<Decimal>()) out = value->as_decimal();
  else if (value->is<std::int64_t>()) out = Decimal::from_int(value->as_int());
  else throw_wrong_kind(object, field, "a decimal", *value);  // a double would not be exact
}

void read(const Record& record, std::string_view object, std::string_view field, std::optional<bool>& out) {
  out.reset();
  const Value* value = present_value(record, field);
  if (!value) return;
  if (!value->is<bool>()) throw_wrong_kind(object, field, "a boolean", *value);
  out = value->as_bool();
}

void read(const Record& record, std::string_view object, std::string_view field, std::optional<Date>& out) {
  out.reset();
  const Value* value = present_value(record, field);
  if (!value) return;
  if (!value->is<Date>()) throw_wrong_kind(object, field, "a date", *value);
  out = value->as_date();
}

void read(const Record& record, std::string_view object, std::string_view field, std::optional<DateTime>& out) {
  out.reset();
  const Value* value = present_value(record, field);
  if (!value) return;
  if (!value->is<DateTime>()) throw_wrong_kind(object, field, "a datetime", *value);
  out = value->as_datetime();
}

void read(const Record& record, std::string_view, std::string_view field, std::optional<Value>& out) {
  out.reset();
  if (const Value* value = present_value(record, field)) out = *value;
}

std::vector<std::string> read_option_list(const Record& record, std::string_view object, std::string_view field) {
  const Value* value = present_value(record, field);
  if (!value) return {};
  if (!value->is<StringList>()) throw_wrong_kind(object, field, "a list of options", *value);
  return value->as_list();
}

void throw_unknown_option(std::string_view object, std::string_view field, std::string_view text) {
  throw SchemaError(ErrorCode::schema,
                    fmt::format("{}.{}: '{}' is not an option of the picklist (regenerate the typed struct from "
                                "the database's catalog?)",
                                object, field, text));
}

}  // namespace typed
}  // namespace v0
}  // namespace hotcrm
