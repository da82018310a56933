#pragma once
// Value: the one dynamically typed value that crosses the API (records, filters, bound parameters).
// Money is Decimal (fixed-point, exact); dates are days and datetimes microseconds since the Unix epoch, UTC.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hotcrm {
inline namespace v0 {

/// Exact fixed-point decimal: value = units / 10^scale, with 0 <= scale <= 18.
/// Arithmetic is exact where the result fits in 64-bit units and throws Error(usage) on overflow;
/// rescaling rounds half away from zero (as Salesforce's ROUND does).
class Decimal {
 public:
  static constexpr int max_scale = 18;

  constexpr Decimal() = default;
  /// units / 10^scale. Throws UsageError if scale is outside [0, 18].
  Decimal(std::int64_t units, int scale);

  /// Parses "-123.45", "1e3", "+0.5". Throws Error(parse) on malformed text.
  static Decimal parse(std::string_view text);
  /// Parses without throwing; nullopt on malformed text.
  static std::optional<Decimal> try_parse(std::string_view text) noexcept;
  /// The nearest decimal with `scale` digits after the point (half away from zero).
  static Decimal from_double(double value, int scale);
  static Decimal from_int(std::int64_t value) { return Decimal(value, 0); }

  std::int64_t units() const noexcept { return units_; }
  int scale() const noexcept { return scale_; }

  /// Same value at another scale, rounding half away from zero when digits are dropped.
  /// Throws Error(usage) when the result does not fit.
  Decimal rescaled(int scale) const;
  /// Same value at another scale only if no digit is lost; nullopt otherwise.
  std::optional<Decimal> rescaled_exact(int scale) const noexcept;
  double to_double() const noexcept;
  /// Canonical text with exactly scale() digits after the point: "1234.50", "-0.05", "7".
  std::string to_string() const;

  friend Decimal operator+(const Decimal& a, const Decimal& b);
  friend Decimal operator-(const Decimal& a, const Decimal& b);
  friend Decimal operator*(const Decimal& a, const Decimal& b);
  /// Division to `scale` digits (half away from zero). Throws Error(usage) when b is zero.
  static Decimal divide(const Decimal& a, const Decimal& b, int scale);
  Decimal operator-() const;

  /// Numeric comparison, independent of scale (1.50 == 1.5).
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) noexcept;
  friend bool operator==(const Decimal& a, const Decimal& b) noexcept;

 private:
  std::int64_t units_ = 0;
  int scale_ = 0;
};

/// A calendar date (proleptic Gregorian), stored as days since 1970-01-01.
struct Date {
  std::int32_t days = 0;
  /// Throws Error(parse) unless the text is a valid "YYYY-MM-DD".
  static Date parse(std::string_view text);
  static std::optional<Date> try_parse(std::string_view text) noexcept;
  static std::optional<Date> from_ymd(int year, int month, int day) noexcept;
  int year() const noexcept;
  int month() const noexcept;
  int day() const noexcept;
  std::string to_string() const;  ///< "YYYY-MM-DD"
  friend auto operator<=>(const Date&, const Date&) = default;
};

/// An instant, stored as microseconds since 1970-01-01T00:00:00Z.
struct DateTime {
  std::int64_t micros = 0;
  /// Accepts "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" followed by "Z", "+HH:MM" or nothing (UTC);
  /// a space may replace the "T". Throws Error(parse) otherwise.
  static DateTime parse(std::string_view text);
  static std::optional<DateTime> try_parse(std::string_view text) noexcept;
  static DateTime from_date(Date date) noexcept { return {std::int64_t{date.days} * 86'400'000'000LL}; }
  Date date() const noexcept;  ///< the UTC calendar date of this instant
  std::string to_string() const;  ///< "YYYY-MM-DDTHH:MM:SSZ", with ".ffffff" when not whole seconds
  friend auto operator<=>(const DateTime&, const DateTime&) = default;
};

/// The id of a record: a stable opaque string.
struct RecordId {
  std::string value;
  friend auto operator<=>(const RecordId&, const RecordId&) = default;
};

using StringList = std::vector<std::string>;

/// The kinds a Value can hold, in the order of the variant alternatives.
enum class ValueKind : std::uint8_t { null, boolean, integer, real, decimal, text, date, datetime, id, list };

/// A dynamically typed value. Null is the default.
class Value {
 public:
  using Storage = std::variant<std::monostate, bool, std::int64_t, double, Decimal, std::string, Date,
                               DateTime, RecordId, StringList>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool v) : data_(v) {}
  Value(int v) : data_(std::int64_t{v}) {}
  Value(std::int64_t v) : data_(v) {}
  Value(double v) : data_(v) {}
  Value(Decimal v) : data_(v) {}
  Value(std::string v) : data_(std::move(v)) {}
  Value(std::string_view v) : data_(std::string(v)) {}
  Value(const char* v) : data_(std::string(v)) {}
  Value(Date v) : data_(v) {}
  Value(DateTime v) : data_(v) {}
  Value(RecordId v) : data_(std::move(v)) {}
  Value(StringList v) : data_(std::move(v)) {}

  ValueKind kind() const noexcept { return static_cast<ValueKind>(data_.index()); }
  bool is_null() const noexcept { return data_.index() == 0; }
  explicit operator bool() const = delete;  // ambiguous: use is_null() or as_bool()

  template <class T>
  bool is() const noexcept { return std::holds_alternative<T>(data_); }
  /// Typed access; throws Error(usage) naming both kinds when the value holds another kind.
  bool as_bool() const;
  std::int64_t as_int() const;
  double as_double() const;  ///< integer, real or decimal, converted
  const Decimal& as_decimal() const;
  const std::string& as_string() const;  ///< text or id
  Date as_date() const;
  DateTime as_datetime() const;
  const StringList& as_list() const;

  const Storage& storage() const noexcept { return data_; }

  /// Human-readable text: "" for null, "true"/"false", canonical numbers, ISO dates, "a;b" for lists.
  std::string to_display() const;
  /// JSON text: null, true, 12, 1.5, "1234.50" (decimals as strings keep them exact), "2024-05-01", [..].
  std::string to_json() const;
  /// Parses a JSON scalar or array of strings into a Value without schema knowledge
  /// (numbers with a fraction become real). Throws Error(parse) on malformed JSON.
  static Value from_json(std::string_view json);

  friend bool operator==(const Value& a, const Value& b) = default;

 private:
  Storage data_;
};

std::string_view to_string(ValueKind kind) noexcept;

}  // namespace v0
}  // namespace hotcrm
