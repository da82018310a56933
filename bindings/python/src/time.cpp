// hotcrm time: zones, cron schedules and business calendars (include/hotcrm/time/) for Python.
// Instants are datetime.datetime (naive values are read as UTC, as elsewhere in the module).
#include "common.hpp"

#include "hotcrm/time/business_calendar.hpp"
#include "hotcrm/time/cron.hpp"
#include "hotcrm/time/time_zone.hpp"

namespace hotcrm::python {

namespace {

DateTime instant_of(py::handle object, const char* what) {
  Value value = to_value(object, what);
  if (value.kind() != ValueKind::datetime)
    throw UsageError(ErrorCode::usage, std::string(what) + " must be a datetime.datetime");
  return value.as_datetime();
}

Date date_of(py::handle object, const char* what) {
  Value value = to_value(object, what);
  if (value.kind() == ValueKind::date) return value.as_date();
  if (value.kind() == ValueKind::text) return Date::parse(value.as_string());
  throw UsageError(ErrorCode::usage, std::string(what) + " must be a datetime.date or 'YYYY-MM-DD'");
}

TimeZone zone_of(py::handle zone) {
  if (py::isinstance<TimeZone>(zone)) return zone.cast<TimeZone>();
  return TimeZone::load(zone.cast<std::string>());
}

std::vector<TimeRange> ranges_of(py::handle ranges) {
  std::vector<TimeRange> out;
  if (PyUnicode_Check(ranges.ptr())) {
    out.push_back(TimeRange::parse(ranges.cast<std::string>()));
    return out;
  }
  for (auto range : ranges) out.push_back(TimeRange::parse(range.cast<std::string>()));
  return out;
}

/// {"monday": ["09:00-12:00", "13:00-17:00"], ...}; days not named are closed.
WeeklyHours hours_of(const py::dict& hours) {
  static const char* names[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  WeeklyHours weekly;
  for (auto [key, ranges] : hours) {
    auto name = key.cast<std::string>();
    auto found = std::find(std::begin(names), std::end(names), name);
    if (found == std::end(names))
      throw UsageError(ErrorCode::usage, "'" + name + "' is not a weekday (sunday ... saturday, lower case)");
    weekly.set(static_cast<Weekday>(found - std::begin(names)), ranges_of(ranges));
  }
  return weekly;
}

/// A date, or a dict {"date", "closed": "12:00-17:00" (optional), "yearly": bool (optional)}.
Holiday holiday_of(py::handle item) {
  if (!PyDict_Check(item.ptr())) return Holiday::full_day(date_of(item, "holiday"));
  auto spec = item.cast<py::dict>();
  if (!spec.contains("date")) throw UsageError(ErrorCode::usage, "a holiday dict needs a 'date'");
  const Date date = date_of(spec["date"], "holiday date");
  const bool yearly = spec.contains("yearly") && spec["yearly"].cast<bool>();
  if (spec.contains("closed") && !spec["closed"].is_none())
    return Holiday::partial(date, TimeRange::parse(spec["closed"].cast<std::string>()), yearly);
  return Holiday::full_day(date, yearly);
}

}  // namespace

void bind_time(py::module_& m) {
  py::class_<TimeZone>(m, "TimeZone",
                       "A time zone from the system's tz database (\"Europe/Paris\"), \"UTC\" or a fixed offset\n"
                       "(\"+05:30\"). Raises UsageError for an unknown zone.")
      .def(py::init([](const std::string& name) { return TimeZone::load(name); }), py::arg("name"))
      .def_property_readonly("name", &TimeZone::name, "The zone's name.")
      .def(
          "utc_offset",
          [](const TimeZone& self, py::handle at) { return self.offset_at(instant_of(at, "at")); }, py::arg("at"),
          "Seconds east of UTC in force at the instant `at`.")
      .def(
          "local",
          [](const TimeZone& self, py::handle at) { return self.to_local(instant_of(at, "at")).to_string(); },
          py::arg("at"), "The local time at instant `at`, as ISO text with its offset and abbreviation.")
      .def("__repr__", [](const TimeZone& self) { return "<hotcrm.TimeZone '" + self.name() + "'>"; });

  py::class_<CronSchedule>(m, "CronSchedule",
                           "A 5-field cron expression (minute hour day month weekday, names, ranges, steps,\n"
                           "@daily ...) in a time zone; see docs/time.md for the daylight-saving rules.")
      .def(py::init([](const std::string& expression, py::handle zone) {
             return CronSchedule::parse(expression, zone_of(zone));
           }),
           py::arg("expression"), py::arg("zone") = "UTC",
           "Raises ParseError naming the field and column of a malformed expression.")
      .def_property_readonly("expression", &CronSchedule::expression, "The expression as given.")
      .def(
          "next_after",
          [](const CronSchedule& self, py::handle after) {
            return to_python(Value(self.next_after(instant_of(after, "after"))));
          },
          py::arg("after"), "The first run strictly after `after` (a UTC datetime).")
      .def(
          "occurrences_between",
          [](const CronSchedule& self, py::handle start, py::handle end, std::size_t limit) {
            py::list out;
            for (DateTime at : self.occurrences_between(instant_of(start, "start"), instant_of(end, "end"), limit))
              out.append(to_python(Value(at)));
            return out;
          },
          py::arg("start"), py::arg("end"), py::arg("limit") = 1000,
          "Runs in (start, end], at most `limit` of them: what a scheduler that was down missed.");

  py::class_<BusinessCalendar>(m, "BusinessCalendar",
                               "Business hours in a time zone with holidays, and exact business-time arithmetic\n"
                               "across nights, weekends, holidays and daylight-saving changes.")
      .def(py::init([](py::handle zone, const py::dict& hours, py::object holidays) {
             std::vector<Holiday> list;
             if (!holidays.is_none())
               for (auto item : holidays) list.push_back(holiday_of(item));
             return BusinessCalendar(zone_of(zone), hours_of(hours), std::move(list));
           }),
           py::arg("zone"), py::arg("hours"), py::arg("holidays") = py::none(),
           "zone: a TimeZone or its name. hours: {\"monday\": [\"09:00-12:00\", \"13:00-17:00\"], ...}\n"
           "(days not named are closed). holidays: dates, or dicts {\"date\", \"closed\": \"12:00-17:00\",\n"
           "\"yearly\": True}. Raises UsageError for a week with no open hours.")
      .def(
          "is_open", [](const BusinessCalendar& self, py::handle at) { return self.is_open(instant_of(at, "at")); },
          py::arg("at"), "True when `at` falls in business hours (not on a holiday).")
      .def(
          "next_open",
          [](const BusinessCalendar& self, py::handle at) { return to_python(Value(self.next_open(instant_of(at, "at")))); },
          py::arg("at"), "`at` itself when open, else the next opening.")
      .def(
          "add_minutes",
          [](const BusinessCalendar& self, py::handle start, std::int64_t minutes) {
            return to_python(Value(self.add_business_minutes(instant_of(start, "start"), minutes)));
          },
          py::arg("start"), py::arg("minutes"),
          "The instant `minutes` business minutes after `start` (an SLA deadline).")
      .def(
          "minutes_between",
          [](const BusinessCalendar& self, py::handle a, py::handle b) {
            return self.business_minutes_between(instant_of(a, "a"), instant_of(b, "b"));
          },
          py::arg("a"), py::arg("b"), "Business minutes from a to b (negative when b is earlier).");
}

}  // namespace hotcrm::python
