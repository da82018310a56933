// Business calendars from the catalog's business_hours and holiday records, for SLA arithmetic.
#include <cctype>

#include <fmt/format.h>

#include "workflow/actions.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

constexpr const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

/// "america_new_york" -> "America/New_York", "utc" -> "UTC": the picklist's identifiers name IANA zones.
std::string zone_name(const std::string& option) {
  if (option.empty() || option == "utc") return "UTC";
  std::string name;
  bool upper = true;
  for (char c : option) {
    if (c == '_' && name.find('/') == std::string::npos) {
      name += '/';
      upper = true;
    } else if (c == '_') {
      name += '_';
      upper = true;
    } else {
      name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return name;
}

bool flag(const Record& record, const std::string& field) {
  auto it = record.find(field);
  return it != record.end() && it->second == Value(true);
}

TimeRange time_range(const std::string& start, const std::string& end, const std::string& where) {
  try {
    return TimeRange::parse(start + "-" + end);
  } catch (const Error& error) {
    throw UsageError(ErrorCode::usage, fmt::format("{}: '{}'-'{}' is not a time range ({})", where, start, end, error.what()));
  }
}

}  // namespace

BusinessCalendar Session::business_calendar(std::string_view business_hours_id) {
  const Record hours = get("business_hours", business_hours_id);
  WeeklyHours weekly;
  for (int day = 0; day < 7; ++day) {
    const std::string name = kDays[day];
    if (!flag(hours, name + "_enabled")) continue;
    const std::string start = detail::field_text(hours, name + "_start_time");
    const std::string end = detail::field_text(hours, name + "_end_time");
    weekly.set(static_cast<Weekday>(day),
               {time_range(start, end, fmt::format("business_hours '{}' {}", business_hours_id, name))});
  }
  std::vector<Holiday> holidays;
  const std::string calendar = detail::field_text(hours, "holiday_calendar_id");
  if (flag(hours, "exclude_holidays") && !calendar.empty()) {
    auto rows = query(Query{.object = "holiday", .filter = Filter::compare("calendar_id", CompareOp::eq, calendar)});
    const auto& fields = rows.rows.fields();
    for (std::size_t r = 0; r < rows.rows.row_count(); ++r) {
      Record holiday;
      for (std::size_t f = 0; f < fields.size(); ++f) holiday.emplace(fields[f], rows.rows.at(r, f));
      auto date = holiday.find("holiday_date");
      if (date == holiday.end() || date->second.is_null()) continue;
      Holiday closed{date->second.as_date(), std::nullopt, flag(holiday, "is_recurring")};
      if (holiday.count("is_full_day") && holiday.at("is_full_day") == Value(false))
        closed.closed = time_range(detail::field_text(holiday, "start_time"), detail::field_text(holiday, "end_time"),
                                   fmt::format("holiday '{}'", detail::field_text(holiday, "id")));
      holidays.push_back(closed);
    }
  }
  const std::string zone = zone_name(detail::field_text(hours, "time_zone"));
  return BusinessCalendar(zone == "UTC" ? TimeZone::utc() : TimeZone::load(zone), std::move(weekly), std::move(holidays));
}

}  // namespace v0
}  // namespace hotcrm
