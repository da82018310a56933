#pragma once
// The records generated so far, by object, with their stored ids: what lookups of later objects
// point at, and what hand-written generators read to keep children consistent with their parents
// (a quote's account is its opportunity's account).

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hotcrm/store/record.hpp"
#include "hotcrm/value.hpp"

namespace hotcrm::inline v0::sample {

/// The generated rows of one object (only the fields the generator wrote) and their ids.
class ObjectRows {
 public:
  ObjectRows() = default;
  explicit ObjectRows(std::vector<std::string> fields);

  /// Adds stored rows: `rows` has this object's field list, `ids` one id per row.
  void append(const RecordBatch& rows, std::span<const std::string> ids);
  std::size_t size() const noexcept { return ids_.size(); }
  bool empty() const noexcept { return ids_.empty(); }
  const std::string& id(std::size_t row) const { return ids_[row]; }
  /// The field's value in `row`; null when the field was not generated.
  const Value& value(std::size_t row, std::string_view field) const;
  /// The field as text ("" when null): for names and lookup ids.
  std::string text(std::size_t row, std::string_view field) const;
  std::optional<std::size_t> row_of(std::string_view id) const;
  /// Rows whose `field` (a lookup) holds `id`: the children of a parent record.
  const std::vector<std::size_t>& rows_where(std::string_view field, std::string_view id) const;

 private:
  std::vector<std::string> fields_;
  RecordBatch rows_;
  std::vector<std::string> ids_;
  std::unordered_map<std::string, std::size_t> row_of_id_;
  // field -> parent id -> rows; built on first use and dropped when rows are added.
  mutable std::map<std::string, std::unordered_map<std::string, std::vector<std::size_t>>, std::less<>> children_;
};

class GeneratedRows {
 public:
  /// The rows of `object`, or nullptr when none were generated.
  const ObjectRows* find(std::string_view object) const;
  ObjectRows& of(std::string_view object, const std::vector<std::string>& fields);

 private:
  std::map<std::string, ObjectRows, std::less<>> objects_;
};

}  // namespace hotcrm::inline v0::sample
