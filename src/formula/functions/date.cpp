// Date and time functions. NOW() and TODAY() read only the EvalContext clock; TODAY() is the date
// at the context's UTC offset. Other datetime parts (HOUR, MINUTE, DATEVALUE) are taken in UTC.
#include <algorithm>
#include <cmath>

#include "formula/internal.hpp"

namespace hotcrm::detail::formula {
namespace {

constexpr std::int64_t micros_per_minute = 60'000'000;
constexpr std::int64_t micros_per_day = 86'400'000'000;

std::int64_t floor_mod(std::int64_t value, std::int64_t divisor) {
  const std::int64_t r = value % divisor;
  return r < 0 ? r + divisor : r;
}

Value invalid_date(CallSite& site) {
  site.fault.raise(FormulaError::invalid_date);
  return Value{};
}

int whole(const Value& value) { return static_cast<int>(std::clamp(std::trunc(value.as_double()), -1e6, 1e6)); }

int days_in_month(int year, int month) {
  const auto first = Date::from_ymd(year, month, 1);
  const auto next = month == 12 ? Date::from_ymd(year + 1, 1, 1) : Date::from_ymd(year, month + 1, 1);
  if (!first || !next) return 31;
  return next->days - first->days;
}

Value today(std::span<const Value>, CallSite& site) {
  const std::int64_t local = site.context.now.micros + site.context.utc_offset_minutes * micros_per_minute;
  return Value(Date{static_cast<std::int32_t>((local - floor_mod(local, micros_per_day)) / micros_per_day)});
}

Value now(std::span<const Value>, CallSite& site) { return Value(site.context.now); }

Value date(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  const int year = whole(args[0]);
  if (year < 1 || year > 9999) return invalid_date(site);
  const auto value = Date::from_ymd(year, whole(args[1]), whole(args[2]));
  return value ? Value(*value) : invalid_date(site);
}

Value datevalue(std::span<const Value> args, CallSite& site) {
  const Value& input = args[0];
  if (input.is_null()) return Value{};
  if (input.is<Date>()) return input;
  if (input.is<DateTime>()) return Value(input.as_datetime().date());
  if (input.as_string().empty()) return Value{};
  if (auto parsed = Date::try_parse(input.as_string())) return Value(*parsed);
  if (auto parsed = DateTime::try_parse(input.as_string())) return Value(parsed->date());
  return invalid_date(site);
}

Value datetimevalue(std::span<const Value> args, CallSite& site) {
  const Value& input = args[0];
  if (input.is_null()) return Value{};
  if (input.is<DateTime>()) return input;
  if (input.is<Date>()) return Value(DateTime::from_date(input.as_date()));
  if (input.as_string().empty()) return Value{};
  if (auto parsed = DateTime::try_parse(input.as_string())) return Value(*parsed);
  if (auto parsed = Date::try_parse(input.as_string())) return Value(DateTime::from_date(*parsed));
  return invalid_date(site);
}

Value year(std::span<const Value> args, CallSite&) {
  return args[0].is_null() ? Value{} : Value(static_cast<double>(args[0].as_date().year()));
}
Value month(std::span<const Value> args, CallSite&) {
  return args[0].is_null() ? Value{} : Value(static_cast<double>(args[0].as_date().month()));
}
Value day(std::span<const Value> args, CallSite&) {
  return args[0].is_null() ? Value{} : Value(static_cast<double>(args[0].as_date().day()));
}

/// 1 = Sunday ... 7 = Saturday. 1970-01-01 (day 0) was a Thursday (5).
Value weekday(std::span<const Value> args, CallSite&) {
  if (args[0].is_null()) return Value{};
  return Value(static_cast<double>(floor_mod(args[0].as_date().days + 4, 7) + 1));
}

Value hour(std::span<const Value> args, CallSite&) {
  if (args[0].is_null()) return Value{};
  return Value(static_cast<double>(floor_mod(args[0].as_datetime().micros, micros_per_day) / (60 * micros_per_minute)));
}
Value minute(std::span<const Value> args, CallSite&) {
  if (args[0].is_null()) return Value{};
  return Value(static_cast<double>(floor_mod(args[0].as_datetime().micros, 60 * micros_per_minute) / micros_per_minute));
}

/// ADDMONTHS: the same day n months later; the last day of a month maps to the last day of the
/// resulting month, and days past the end of a shorter month clamp to its last day.
std::optional<Date> add_months(Date start, int months) {
  const int year = start.year(), month = start.month(), day = start.day();
  const std::int64_t total = static_cast<std::int64_t>(year) * 12 + (month - 1) + months;
  const std::int64_t new_year = total >= 0 ? total / 12 : (total - 11) / 12;
  const int new_month = static_cast<int>(total - new_year * 12) + 1;
  if (new_year < 1 || new_year > 9999) return std::nullopt;
  const int last = days_in_month(static_cast<int>(new_year), new_month);
  const bool start_is_last = day == days_in_month(year, month);
  return Date::from_ymd(static_cast<int>(new_year), new_month, (start_is_last || day > last) ? last : day);
}

Value addmonths(std::span<const Value> args, CallSite& site) {
  if (any_null(args)) return Value{};
  const int months = whole(args[1]);
  if (args[0].is<Date>()) {
    const auto result = add_months(args[0].as_date(), months);
    return result ? Value(*result) : invalid_date(site);
  }
  const DateTime start = args[0].as_datetime();
  const std::int64_t time_of_day = floor_mod(start.micros, micros_per_day);
  const auto result = add_months(start.date(), months);
  if (!result) return invalid_date(site);
  return Value(DateTime{static_cast<std::int64_t>(result->days) * micros_per_day + time_of_day});
}

}  // namespace

void add_date_functions(std::vector<FunctionInfo>& out) {
  out.insert(out.end(), {
      {"TODAY", FunctionId::today, 0, 0, today},
      {"NOW", FunctionId::now, 0, 0, now},
      {"DATE", FunctionId::date, 3, 3, date},
      {"DATEVALUE", FunctionId::datevalue, 1, 1, datevalue},
      {"DATETIMEVALUE", FunctionId::datetimevalue, 1, 1, datetimevalue},
      {"YEAR", FunctionId::year, 1, 1, year},
      {"MONTH", FunctionId::month, 1, 1, month},
      {"DAY", FunctionId::day, 1, 1, day},
      {"HOUR", FunctionId::hour, 1, 1, hour},
      {"MINUTE", FunctionId::minute, 1, 1, minute},
      {"WEEKDAY", FunctionId::weekday, 1, 1, weekday},
      {"ADDMONTHS", FunctionId::addmonths, 2, 2, addmonths},
  });
}

}  // namespace hotcrm::detail::formula
