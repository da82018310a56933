// A SAX handler, because the DOM parser turns every fractional number into a double before we
// see it; the SAX callback for numbers also hands over the literal as written.

#include "io/json_line.hpp"

#include <cstdint>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hotcrm::io_detail {
namespace {

using Json = nlohmann::json;

class FlatObjectBuilder {
 public:
  explicit FlatObjectBuilder(JsonLine& result) : result_(result) {}

  bool start_object(std::size_t /*elements*/) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return reject(fmt::format("field '{}': nested objects are not supported", key_));
  }
  bool end_object() {
    depth_ = 0;
    return true;
  }
  bool key(std::string& name) {
    if (result_.record.contains(name)) return reject(fmt::format("field '{}' appears twice", name));
    key_ = name;
    return true;
  }
  bool start_array(std::size_t /*elements*/) {
    if (depth_ == 0) return reject_not_object();
    if (depth_ == 2) return reject(fmt::format("field '{}': nested arrays are not supported", key_));
    depth_ = 2;
    list_.clear();
    return true;
  }
  bool end_array() {
    depth_ = 1;
    return store(Value(std::move(list_)));
  }
  bool string(std::string& text) {
    if (depth_ == 2) {
      list_.push_back(std::move(text));
      return true;
    }
    return store(Value(std::move(text)));
  }
  bool null() { return store_scalar(Value()); }
  bool boolean(bool flag) { return store_scalar(Value(flag)); }
  bool number_integer(std::int64_t number) { return store_scalar(Value(number)); }
  bool number_unsigned(std::uint64_t number) {
    if (number <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return store_scalar(Value(static_cast<std::int64_t>(number)));
    }
    return store_scalar(Value(static_cast<double>(number)));
  }
  bool number_float(double number, const std::string& literal) {
    if (std::optional<Decimal> exact = Decimal::try_parse(literal)) return store_scalar(Value(*exact));
    return store_scalar(Value(number));
  }
  bool binary(Json::binary_t& /*bytes*/) { return reject("binary values are not supported"); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const nlohmann::detail::exception& error) {
    if (result_.error.empty()) result_.error = fmt::format("invalid JSON at column {}: {}", position, reason(error.what()));
    return false;
  }

 private:
  // nlohmann's text reads "[json.exception.parse_error.101] parse error at line 1, column 5: why";
  // the line and column are those of the single line parsed, so only "why" is kept.
  static std::string reason(std::string_view what) {
    auto colon = what.find(": ");
    return std::string(colon == std::string_view::npos ? what : what.substr(colon + 2));
  }

  bool store_scalar(Value value) {
    if (depth_ == 2) return reject(fmt::format("field '{}': arrays may hold only strings", key_));
    return store(std::move(value));
  }
  bool store(Value value) {
    if (depth_ == 0) return reject_not_object();
    result_.record.insert_or_assign(key_, std::move(value));
    return true;
  }
  bool reject_not_object() { return reject("a line must hold one JSON object"); }
  bool reject(std::string why) {
    result_.error = std::move(why);
    return false;
  }

  JsonLine& result_;
  int depth_ = 0;  // 0 outside the object, 1 in it, 2 in an array member
  std::string key_;
  StringList list_;
};

}  // namespace

JsonLine parse_json_line(std::string_view line) {
  JsonLine result;
  FlatObjectBuilder builder(result);
  const bool parsed = Json::sax_parse(line.begin(), line.end(), &builder);
  if (!parsed && result.error.empty()) result.error = "invalid JSON";
  if (!result.ok()) result.record.clear();
  return result;
}

}  // namespace hotcrm::io_detail
