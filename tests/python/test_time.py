"""Time zones, cron schedules and business calendars from Python."""

from __future__ import annotations

import datetime as dt

import pytest

import hotcrm

UTC = dt.timezone.utc


def test_zone_offsets_follow_daylight_saving():
    paris = hotcrm.TimeZone("Europe/Paris")
    assert paris.utc_offset(dt.datetime(2026, 1, 15, 12, tzinfo=UTC)) == 3600
    assert paris.utc_offset(dt.datetime(2026, 7, 15, 12, tzinfo=UTC)) == 7200
    with pytest.raises(hotcrm.UsageError, match="Mars/Olympus"):
        hotcrm.TimeZone("Mars/Olympus")


def test_cron_runs_at_nine_local_time_across_a_dst_change():
    nurture = hotcrm.CronSchedule("0 9 * * *", "Europe/Paris")
    runs = nurture.occurrences_between(dt.datetime(2026, 3, 27, tzinfo=UTC), dt.datetime(2026, 3, 31, tzinfo=UTC))
    assert [r.hour for r in runs] == [8, 8, 7, 7]  # 09:00 CET, then 09:00 CEST after March 29
    assert nurture.next_after(runs[-1]) == dt.datetime(2026, 3, 31, 7, tzinfo=UTC)
    with pytest.raises(hotcrm.UsageError, match="minute"):
        hotcrm.CronSchedule("61 * * * *")


def test_business_minutes_skip_nights_weekends_and_holidays():
    hours = {day: ["09:00-12:00", "13:00-17:00"] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    calendar = hotcrm.BusinessCalendar("Europe/Paris", hours, holidays=[dt.date(2026, 12, 25),
                                                                         {"date": "2026-12-24", "closed": "13:00-17:00"}])
    thursday_late = dt.datetime(2026, 12, 24, 10, tzinfo=UTC)  # 11:00 Paris on Christmas Eve
    due = calendar.add_minutes(thursday_late, 4 * 60)
    # 1 h left on the 24th (afternoon off), Friday 25th a holiday, weekend: Monday 28th, 3 h more.
    assert due == dt.datetime(2026, 12, 28, 11, tzinfo=UTC)  # 12:00 Paris
    assert calendar.minutes_between(thursday_late, due) == 240
    assert calendar.minutes_between(due, thursday_late) == -240
    assert not calendar.is_open(dt.datetime(2026, 12, 26, 10, tzinfo=UTC))
    assert calendar.next_open(dt.datetime(2026, 12, 26, 10, tzinfo=UTC)) == dt.datetime(2026, 12, 28, 8, tzinfo=UTC)
    with pytest.raises(hotcrm.UsageError):
        hotcrm.BusinessCalendar("UTC", {"funday": ["09:00-17:00"]})
