#pragma once
// Converting user input to a field's canonical value, and the per-value constraint checks.
#include <optional>
#include <string>

#include "hotcrm/model/catalog.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm::detail {

/// Why a value was refused: a stable code ("type", "max_length", "picklist", "format", "min",
/// "max", "scale", "precision") and a message that names the offending value.
struct CoerceFailure {
  std::string code;
  std::string message;
};

/// Converts `input` to the canonical kind of `field` and checks the value's own constraints.
/// Canonical kinds: text-like, select, lookup, autonumber -> text; multiselect -> list; number ->
/// integer (scale 0) or real; currency, percent -> decimal at the field's scale; boolean; date;
/// datetime. Null stays null (required-ness is the caller's check). Text input is parsed, so CSV
/// cells coerce to every type.
std::optional<CoerceFailure> coerce_value(const FieldDef& field, const Value& input, Value& output);

/// Number of Unicode code points in UTF-8 text (max_length counts characters, not bytes).
std::size_t utf8_length(std::string_view text) noexcept;
bool is_valid_email(std::string_view text) noexcept;
bool is_valid_url(std::string_view text) noexcept;
bool is_valid_phone(std::string_view text) noexcept;

/// Autonumber format check: literal text, {YYYY} {YY} {MM} {DD}, exactly one {0...0} counter.
std::optional<std::string> autonumber_format_problem(std::string_view format);
/// Renders an autonumber: the counter zero-padded to the counter's width, date tokens from `date`.
std::string render_autonumber(std::string_view format, std::int64_t counter, Date date);

}  // namespace hotcrm::detail
