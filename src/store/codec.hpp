#pragma once
// How each field type is laid out in SQLite, and conversion between canonical Values and columns.
#include <string>

#include "hotcrm/model/catalog.hpp"
#include "hotcrm/value.hpp"
#include "store/sqlite.hpp"

namespace hotcrm::detail {

/// "TEXT", "INTEGER", "REAL" or "BLOB" (encrypted): the STRICT column type of a stored field.
const char* column_type(const FieldDef& field);
/// Binds a canonical value (as produced by coerce_value) of `field` at 1-based `index`.
/// With `unowned`, text is not copied: `value` must outlive the statement's next reset.
void bind_value(Statement& statement, int index, const FieldDef& field, const Value& value, bool unowned = false);
/// Binds a filter literal that may not fit the field's exact encoding (e.g. 1000.555 against a
/// currency with scale 2, bound as the real 100055.5 so comparisons stay exact in SQLite).
void bind_filter_value(Statement& statement, int index, const FieldDef& field, const Value& value);
/// Reads column `column` of the current row as a value of `field`.
Value read_value(const Statement& statement, int column, const FieldDef& field);
/// Reads an SQL function argument holding a stored value of `field`; an encrypted field's value is
/// opened with `cipher` (an error names the field when there is none).
Value read_value(sqlite3_value* value, const FieldDef& field, const FieldCipher* cipher = nullptr);
/// The value of `field` a sealed BLOB holds (throws StoreError(key) when it does not open).
Value open_value(const FieldCipher* cipher, const FieldDef& field, std::string_view sealed);
/// The BLOB an encrypted field stores for a non-null canonical `value`.
std::string seal_value(const FieldCipher* cipher, const FieldDef& field, const Value& value);
/// SQL-quoted identifier ("name"). Names come only from the validated catalog.
std::string quote(std::string_view identifier);

}  // namespace hotcrm::detail
