#include "hotcrm/error.hpp"

#include <fmt/format.h>

namespace hotcrm {
inline namespace v0 {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::usage: return "usage";
    case ErrorCode::parse: return "usage.parse";
    case ErrorCode::not_supported: return "usage.not_supported";
    case ErrorCode::cancelled: return "usage.cancelled";
    case ErrorCode::too_large: return "usage.too_large";
    case ErrorCode::deadline: return "usage.deadline";
    case ErrorCode::schema: return "schema";
    case ErrorCode::schema_conflict: return "schema.conflict";
    case ErrorCode::unknown_object: return "schema.unknown_object";
    case ErrorCode::unknown_field: return "schema.unknown_field";
    case ErrorCode::validation: return "data.validation";
    case ErrorCode::workflow: return "data.workflow";
    case ErrorCode::not_found: return "store.not_found";
    case ErrorCode::conflict: return "store.conflict";
    case ErrorCode::constraint: return "store.constraint";
    case ErrorCode::store: return "store";
    case ErrorCode::permission: return "store.permission";
    case ErrorCode::key: return "store.key";
    case ErrorCode::busy: return "store.busy";
    case ErrorCode::io: return "io";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

namespace {
std::string tagged(ErrorCode code, const std::string& message) {
  return fmt::format("[hotcrm.{}.{}] {}", error_code_name(code), static_cast<int>(code), message);
}

std::string summarize(const std::vector<FieldError>& errors) {
  if (errors.empty()) return "record rejected";
  std::string text = to_string(errors.front());
  if (errors.size() > 1) text += fmt::format(" (and {} more)", errors.size() - 1);
  return text;
}
}  // namespace

std::string to_string(const FieldError& error) {
  std::string text;
  if (error.row >= 0) text += fmt::format("row {}: ", error.row);
  text += error.object;
  if (!error.field.empty()) text += "." + error.field;
  text += ": " + error.message;
  if (!error.rule.empty()) text += fmt::format(" (rule {})", error.rule);
  if (!error.code.empty()) text += fmt::format(" [{}]", error.code);
  return text;
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(tagged(code, message)), code_(code) {}

ValidationError::ValidationError(std::vector<FieldError> errors)
    : Error(ErrorCode::validation, summarize(errors)), errors_(std::move(errors)) {}

ConflictError::ConflictError(const std::string& message, std::vector<FieldError> errors)
    : Error(ErrorCode::conflict, message), errors_(std::move(errors)) {}

}  // namespace v0
}  // namespace hotcrm
