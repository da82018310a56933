#include "sample/generated_rows.hpp"

#include <algorithm>

namespace hotcrm::inline v0::sample {

ObjectRows::ObjectRows(std::vector<std::string> fields) : fields_(fields), rows_(std::move(fields)) {}

void ObjectRows::append(const RecordBatch& rows, std::span<const std::string> ids) {
  rows_.reserve(rows_.row_count() + rows.row_count());
  for (std::size_t row = 0; row < rows.row_count(); ++row) {
    std::span<const Value> values = rows.row(row);
    rows_.add_row(std::vector<Value>(values.begin(), values.end()));
  }
  for (const std::string& id : ids) {
    row_of_id_.emplace(id, ids_.size());
    ids_.push_back(id);
  }
  children_.clear();
}

const Value& ObjectRows::value(std::size_t row, std::string_view field) const {
  static const Value null_value;
  const auto column = std::find(fields_.begin(), fields_.end(), field);
  if (column == fields_.end()) return null_value;
  return rows_.at(row, static_cast<std::size_t>(column - fields_.begin()));
}

std::string ObjectRows::text(std::size_t row, std::string_view field) const {
  const Value& found = value(row, field);
  return found.is_null() ? std::string() : found.to_display();
}

std::optional<std::size_t> ObjectRows::row_of(std::string_view id) const {
  const auto found = row_of_id_.find(std::string(id));
  if (found == row_of_id_.end()) return std::nullopt;
  return found->second;
}

const std::vector<std::size_t>& ObjectRows::rows_where(std::string_view field, std::string_view id) const {
  static const std::vector<std::size_t> none;
  auto index = children_.find(field);
  if (index == children_.end()) {
    index = children_.emplace(std::string(field), std::unordered_map<std::string, std::vector<std::size_t>>()).first;
    for (std::size_t row = 0; row < size(); ++row) {
      const Value& parent = value(row, field);
      if (!parent.is_null()) index->second[parent.as_string()].push_back(row);
    }
  }
  const auto rows = index->second.find(std::string(id));
  return rows == index->second.end() ? none : rows->second;
}

const ObjectRows* GeneratedRows::find(std::string_view object) const {
  const auto found = objects_.find(object);
  return found == objects_.end() ? nullptr : &found->second;
}

ObjectRows& GeneratedRows::of(std::string_view object, const std::vector<std::string>& fields) {
  auto found = objects_.find(object);
  if (found == objects_.end()) found = objects_.emplace(std::string(object), ObjectRows(fields)).first;
  return found->second;
}

}  // namespace hotcrm::inline v0::sample
