// RecordBatch rows: appended as value vectors or as Records, and read back as Records.

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/store/record.hpp"

namespace hotcrm {
inline namespace v0 {

void RecordBatch::add_row(std::vector<Value> row) {
  if (fields_.empty()) throw UsageError(ErrorCode::usage, "RecordBatch::add_row: the batch has no fields");
  if (row.size() != fields_.size()) {
    throw UsageError(ErrorCode::usage, fmt::format("RecordBatch::add_row: the row has {} values but the batch has {} fields",
                                                   row.size(), fields_.size()));
  }
  for (Value& value : row) values_.push_back(std::move(value));
}

void RecordBatch::add_record(const Record& record) {
  std::vector<Value> row(fields_.size());
  for (const auto& [name, value] : record) {
    auto found = std::find(fields_.begin(), fields_.end(), name);
    if (found == fields_.end()) {
      throw UsageError(ErrorCode::usage, fmt::format("RecordBatch::add_record: field '{}' is not in the batch", name));
    }
    row[static_cast<std::size_t>(found - fields_.begin())] = value;
  }
  add_row(std::move(row));
}

Record RecordBatch::record(std::size_t index) const {
  if (index >= row_count()) {
    throw UsageError(ErrorCode::usage, fmt::format("RecordBatch::record: row {} is out of range ({} rows)", index,
                                                   row_count()));
  }
  Record record;
  for (std::size_t field = 0; field < fields_.size(); ++field) record.emplace(fields_[field], at(index, field));
  return record;
}

}  // namespace v0
}  // namespace hotcrm
