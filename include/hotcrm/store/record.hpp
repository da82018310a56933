#pragma once
// Records as they cross the API: a single Record (field name -> Value) and a columnar-friendly
// RecordBatch (fixed field list, flat row-major values) for bulk work without a map per row.

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/value.hpp"

namespace hotcrm {
inline namespace v0 {

/// One record: field name -> value. Missing fields are "not given" (defaults apply on insert,
/// unchanged on update); a present null clears the field.
using Record = std::map<std::string, Value, std::less<>>;

/// Many records sharing one field list, stored row-major in one flat vector.
class RecordBatch {
 public:
  RecordBatch() = default;
  explicit RecordBatch(std::vector<std::string> fields) : fields_(std::move(fields)) {}

  const std::vector<std::string>& fields() const noexcept { return fields_; }
  std::size_t field_count() const noexcept { return fields_.size(); }
  std::size_t row_count() const noexcept { return fields_.empty() ? 0 : values_.size() / fields_.size(); }

  /// Appends a row; throws UsageError unless it has exactly field_count() values.
  void add_row(std::vector<Value> row);
  /// Appends a row given as a Record; fields of the record outside fields() throw UsageError,
  /// fields of fields() missing from the record are null.
  void add_record(const Record& record);
  /// Appends a row of nulls and returns it, to be filled in place (no copy of the values).
  std::span<Value> append_row() {
    values_.resize(values_.size() + fields_.size());
    return row(row_count() - 1);
  }
  void reserve(std::size_t rows) { values_.reserve(rows * fields_.size()); }
  void clear() noexcept { values_.clear(); }

  std::span<const Value> row(std::size_t index) const {
    return {values_.data() + index * fields_.size(), fields_.size()};
  }
  std::span<Value> row(std::size_t index) {
    return {values_.data() + index * fields_.size(), fields_.size()};
  }
  const Value& at(std::size_t row_index, std::size_t field_index) const {
    return values_[row_index * fields_.size() + field_index];
  }
  /// The row as a Record (nulls included).
  Record record(std::size_t index) const;

 private:
  std::vector<std::string> fields_;
  std::vector<Value> values_;
};

}  // namespace v0
}  // namespace hotcrm
