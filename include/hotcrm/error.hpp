#pragma once
// Errors: a call that cannot do what it was asked throws hotcrm::Error (or a subclass).
// Each error carries a stable numeric code; the message is for humans, the code for programs.
// Problems found in user data (one per field) are FieldError values collected in a ValidationError.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hotcrm {
inline namespace v0 {

/// Stable error codes. Numbers never change once released; new codes are appended.
/// Groups: 1xxx usage/arguments, 2xxx catalog/schema, 3xxx data validation, 4xxx store, 5xxx io.
enum class ErrorCode : std::uint16_t {
  usage = 1000,           ///< bad argument or misuse of the API
  parse = 1001,           ///< malformed text input (JSON, CSV, filter expression)
  not_supported = 1002,   ///< the operation is not available in this configuration
  cancelled = 1003,       ///< a progress callback or a cancel token asked to stop
  too_large = 1004,       ///< an input over its size limit (formula source, CSV line, catalog JSON)
  deadline = 1005,        ///< a query ran past its deadline
  schema = 2000,          ///< invalid catalog / object definition
  schema_conflict = 2001, ///< the catalog differs destructively from the stored schema
  unknown_object = 2002,  ///< an object name that is not in the catalog
  unknown_field = 2003,   ///< a field name that is not on the object
  validation = 3000,      ///< one or more field errors (see ValidationError::errors)
  workflow = 3100,        ///< automation cannot proceed: an event not allowed, a rule cycle, a missing callback
  not_found = 4000,       ///< no record with this id
  conflict = 4001,        ///< unique violation or stale record version
  constraint = 4002,      ///< a referential constraint (restrict) refuses the change
  store = 4003,           ///< the database engine failed (I/O, corruption, locked)
  permission = 4004,      ///< the acting user may not do this (object permission, sharing, field-level security)
  key = 4005,             ///< an encryption key is missing, or a stored value does not decrypt with it
  busy = 4006,            ///< another connection held the database's write lock past the busy timeout
  io = 5000,              ///< a file could not be read or written
  internal = 9000,        ///< a broken invariant inside the library (a bug)
};

/// The stable dotted name of a code, e.g. "store.not_found".
std::string_view error_code_name(ErrorCode code) noexcept;

/// One problem with one value of one record. `code` is a stable identifier such as "required",
/// "max_length", "unique", "picklist", "type", "format", "min", "max", "lookup", "unknown_field".
struct FieldError {
  std::string object;   ///< object name, e.g. "lead"
  std::string field;    ///< field name, empty when the problem is about the whole record
  std::string rule;     ///< validation rule name, empty for built-in checks
  std::string code;     ///< stable machine-readable code
  std::string message;  ///< human-readable explanation
  std::int64_t row = -1;  ///< 0-based row in a batch / 1-based line in a file; -1 when not applicable
  std::string record_id;  ///< the stored record concerned, when there is one (re-validation)
};

/// Formats a FieldError as "object.field: message [code]" (with "row N: " in front when set).
std::string to_string(const FieldError& error);

/// Base class of every exception thrown by libhotcrm.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

/// Misuse of the API: bad arguments, a closed database, an invalid option.
class UsageError : public Error {
 public:
  using Error::Error;
};

/// The catalog is invalid, or a schema change is refused.
class SchemaError : public Error {
 public:
  using Error::Error;
};

/// A record (or several, in a batch) was rejected; errors() says why, field by field.
class ValidationError : public Error {
 public:
  explicit ValidationError(std::vector<FieldError> errors);
  const std::vector<FieldError>& errors() const noexcept { return errors_; }

 private:
  std::vector<FieldError> errors_;
};

/// No record with the requested id (in the session's tenant).
class NotFoundError : public Error {
 public:
  using Error::Error;
};

/// Automation refused to proceed: an event the state machine does not allow in the record's state,
/// workflow rules that keep undoing each other, a custom action with no callback registered.
/// The write that triggered it is rolled back entirely.
class WorkflowError : public Error {
 public:
  explicit WorkflowError(const std::string& message) : Error(ErrorCode::workflow, message) {}
};

/// A unique value already exists, or the record changed since it was read (stale version).
class ConflictError : public Error {
 public:
  ConflictError(const std::string& message, std::vector<FieldError> errors = {});
  const std::vector<FieldError>& errors() const noexcept { return errors_; }

 private:
  std::vector<FieldError> errors_;
};

/// The acting user of a session in AccessMode::user may not do this: an object permission it lacks
/// (create, edit, delete), a record it may read but not edit, a read-only field, an administration
/// call. Records the user cannot read are NotFoundError and hidden fields unknown fields instead,
/// so that their existence does not leak.
class PermissionError : public Error {
 public:
  explicit PermissionError(const std::string& message) : Error(ErrorCode::permission, message) {}
};

/// The database engine failed (I/O, corruption; BusyError for a lock held past the timeout).
class StoreError : public Error {
 public:
  using Error::Error;
};

/// Another connection (thread or process) held the database's write lock longer than the busy
/// timeout (OpenOptions::busy_timeout_ms) this call waited for it. Nothing of the call was written:
/// the caller may retry it as it is. Code ErrorCode::busy ("store.busy").
class BusyError : public StoreError {
 public:
  explicit BusyError(const std::string& message) : StoreError(ErrorCode::busy, message) {}
};

}  // namespace v0
}  // namespace hotcrm
