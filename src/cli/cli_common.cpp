#include "cli/cli_common.hpp"

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hotcrm::cli {

ExitCode exit_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::validation:
    case ErrorCode::workflow:
    case ErrorCode::conflict:
    case ErrorCode::constraint:
    case ErrorCode::not_found:
    case ErrorCode::permission:
      return ExitCode::rejected;
    case ErrorCode::usage:
    case ErrorCode::parse:
    case ErrorCode::not_supported:
    case ErrorCode::too_large:
    case ErrorCode::schema:
    case ErrorCode::schema_conflict:
    case ErrorCode::unknown_object:
    case ErrorCode::unknown_field:
      return ExitCode::usage;
    case ErrorCode::cancelled:
    case ErrorCode::deadline:
    case ErrorCode::store:
    case ErrorCode::key:
    case ErrorCode::busy:
    case ErrorCode::io:
    case ErrorCode::internal:
      return ExitCode::runtime;
  }
  return ExitCode::runtime;
}

std::string untagged_message(const std::exception& error) {
  std::string_view what = error.what();
  if (what.starts_with("[hotcrm.")) {
    if (auto end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return std::string(what);
}

void print_error(std::string_view message) { std::cerr << "hotcrm: error: " << message << '\n'; }

void print_field_errors(std::span<const FieldError> errors) {
  for (const FieldError& error : errors) std::cerr << to_string(error) << '\n';
}

GlobalOptions& global_options() {
  static GlobalOptions options;
  return options;
}

void apply_global_options(OpenOptions& options) {
  options.busy_timeout_ms = global_options().busy_timeout_ms;
  const std::string& key_file = global_options().key_file;
  if (key_file.empty()) return;
  options.keys = std::make_shared<StaticKeyProvider>(StaticKeyProvider::from_file(key_file));
}

Database open_existing_database(const std::string& path, bool writable, std::optional<DateTime> now) {
  if (!std::filesystem::exists(path)) {
    throw CommandLineError(fmt::format("no database at '{}' (create one with: hotcrm init {})", path, path));
  }
  OpenOptions options;
  options.create = false;
  options.read_only = !writable;
  options.tenant = global_options().tenant;
  if (std::filesystem::is_directory(path)) options.layout = StoreLayout::tenant_files;
  if (now) options.clock = fixed_clock(*now);
  apply_global_options(options);
  return Database::open(path, options);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    const auto last = item.find_last_not_of(" \t");
    items.emplace_back(item.substr(first, last - first + 1));
  }
  return items;
}

namespace {

/// Builds a Record straight from the SAX events, because the DOM parser keeps only the double of a
/// number and "19.99" must reach a currency field exactly.
class RecordJsonReader : public nlohmann::json::json_sax_t {
 public:
  using json = nlohmann::json;

  bool null() override { return put(Value()); }
  bool boolean(bool value) override { return put(Value(value)); }
  bool number_integer(json::number_integer_t value) override { return put(Value(std::int64_t{value})); }
  bool number_unsigned(json::number_unsigned_t value) override {
    if (value > static_cast<json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return fail(fmt::format("field '{}': {} does not fit in a 64-bit integer", key_, value));
    }
    return put(Value(static_cast<std::int64_t>(value)));
  }
  bool number_float(json::number_float_t value, const json::string_t& literal) override {
    if (std::optional<Decimal> exact = Decimal::try_parse(literal)) return put(Value(*exact));
    return put(Value(value));  // more digits than a Decimal holds: only a number field can take it
  }
  bool string(json::string_t& value) override {
    if (list_) {
      list_->push_back(std::move(value));
      return true;
    }
    return put(Value(std::move(value)));
  }
  bool binary(json::binary_t&) override { return fail("binary values are not supported"); }
  bool start_object(std::size_t) override {
    if (depth_ > 0) return fail(fmt::format("field '{}': nested objects are not supported", key_));
    depth_ = 1;
    return true;
  }
  bool key(json::string_t& name) override {
    if (record_.contains(name)) return fail(fmt::format("field '{}' appears twice", name));
    key_ = std::move(name);
    return true;
  }
  bool end_object() override {
    depth_ = 0;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return fail("expected a JSON object, got an array");
    if (list_) return fail(fmt::format("field '{}': nested arrays are not supported", key_));
    list_.emplace();
    return true;
  }
  bool end_array() override {
    record_.insert_or_assign(key_, Value(std::move(*list_)));
    list_.reset();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
    return fail(untagged_json_message(error.what()));
  }

  Record take_record() { return std::move(record_); }
  const std::string& error() const { return error_; }

 private:
  bool put(Value value) {
    if (depth_ == 0) return fail(fmt::format("expected a JSON object, got {}", value.to_json()));
    if (list_) return fail(fmt::format("field '{}': a list holds only strings, not {}", key_, value.to_json()));
    record_.insert_or_assign(key_, std::move(value));
    return true;
  }
  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  static std::string untagged_json_message(std::string_view what) {
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at line 1, ..."
    if (what.starts_with("[json.")) {
      if (auto end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
    }
    return std::string(what);
  }

  Record record_;
  std::string key_;
  int depth_ = 0;
  std::optional<StringList> list_;
  std::string error_;
};

}  // namespace

Record parse_record_json(std::string_view json_text) {
  RecordJsonReader reader;
  const bool parsed = nlohmann::json::sax_parse(json_text, &reader);
  if (!parsed || !reader.error().empty()) {
    const std::string reason = reader.error().empty() ? std::string("not valid JSON") : reader.error();
    throw Error(ErrorCode::parse, "invalid JSON record: " + reason);
  }
  return reader.take_record();
}

std::vector<std::string> stored_field_names(const ObjectDef& object, bool include_system_fields) {
  std::vector<std::string> names;
  for (const FieldDef& field : system_fields()) {
    if (include_system_fields || field.name == "id") names.push_back(field.name);
  }
  for (const FieldDef& field : object.fields) {
    if (field.is_stored()) names.push_back(field.name);
  }
  return names;
}

std::string record_to_json(std::span<const std::string> fields, std::span<const Value> values, int indent) {
  const std::string separator = indent < 0 ? "," : ",\n";
  const std::string padding = indent < 0 ? "" : std::string(static_cast<std::size_t>(indent), ' ');
  std::string text = indent < 0 ? "{" : "{\n";
  for (std::size_t i = 0; i < fields.size() && i < values.size(); ++i) {
    if (i > 0) text += separator;
    text += padding + nlohmann::json(fields[i]).dump() + (indent < 0 ? ":" : ": ") + values[i].to_json();
  }
  text += indent < 0 ? "}" : "\n}";
  return text;
}

std::string display_text(const Value& value) { return value.is_null() ? std::string() : value.to_display(); }

}  // namespace hotcrm::cli
