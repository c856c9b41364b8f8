"""A search result says whether each place is open now and until when, or when it next opens, in its own time."""

from datetime import UTC, datetime, time

import pytest

from referrals.models import Schedule
from referrals.services.hours import opening_at
from tests.helpers import add_hours, make_location, make_organization, make_service

pytestmark = pytest.mark.django_db


def _hours(*rows, time_zone="Asia/Bangkok"):
    return [
        Schedule(weekday=weekday, all_day=all_day, opens_at=opens, closes_at=closes, time_zone=time_zone)
        for weekday, all_day, opens, closes in rows
    ]


# Tuesday 1 December 2026, 10:00 in Bangkok (03:00 UTC).
TUESDAY_TEN = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_open_now_until_the_days_closing_time():
    weekdays = _hours(*[(day, False, time(8, 30), time(17)) for day in range(1, 6)])
    opening = opening_at(weekdays, "Asia/Bangkok", TUESDAY_TEN)
    assert (opening.open_now, opening.open_until, opening.next_opens) == (True, "2026-12-01T17:00", None)


def test_closed_says_when_it_next_opens_across_the_weekend():
    weekdays = _hours(*[(day, False, time(8, 30), time(17)) for day in range(1, 6)])
    friday_night = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)  # 20:00 in Bangkok
    opening = opening_at(weekdays, "Asia/Bangkok", friday_night)
    assert (opening.open_now, opening.next_opens) == (False, "2026-12-07T08:30")


def test_overnight_hours_run_into_the_next_morning():
    nights = _hours((None, False, time(20), time(6)))
    two_am = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)  # 02:00 on Wednesday in Bangkok
    opening = opening_at(nights, "Asia/Bangkok", two_am)
    assert (opening.open_now, opening.open_until) == (True, "2026-12-02T06:00")
    assert opening_at(nights, "Asia/Bangkok", TUESDAY_TEN).next_opens == "2026-12-01T20:00"


def test_all_day_every_day_is_open_24_7_and_no_hours_is_unknown():
    always = opening_at(_hours((None, True, None, None)), "Asia/Bangkok", TUESDAY_TEN)
    assert (always.open_now, always.always_open, always.open_until) == (True, True, None)
    assert opening_at([], "Asia/Bangkok", TUESDAY_TEN) is None


def test_each_place_is_judged_in_its_own_time_zone():
    # 10:00 in Bangkok is 15:00 in Suva: an office open 08:00-12:00 there is closed, here open.
    mornings = _hours((None, False, time(8), time(12)), time_zone="Pacific/Fiji")
    opening = opening_at(mornings, "Pacific/Fiji", TUESDAY_TEN)
    assert (opening.open_now, opening.next_opens) == (False, "2026-12-02T08:00")


def test_search_results_carry_the_opening_of_each_location(api):
    organization = make_organization(name="Hours Trust")
    office = make_location(organization, name="Office")
    service = make_service(organization, name="Drop-in", at=office)
    add_hours(service, office, all_day=True)
    hotline = make_service(organization, name="Nothing said", at=(13.7, 100.5))
    assert hotline.pk
    results = {item["name"]: item for item in api.get("/api/v1/services/").json()["results"]}
    place = results["Drop-in"]["locations"][0]
    assert (place["open_now"], place["open_24_7"], place["open_until"]) == (True, True, None)
    unknown = results["Nothing said"]["locations"][0]
    assert (unknown["open_now"], unknown["next_opens"]) == (None, None)


def test_hours_saved_without_a_time_zone_count_as_closed_rather_than_failing_the_search(api):
    service = make_service(at=(13.75, 100.5))
    add_hours(service, weekday=None, all_day=True)  # around clean(): no location, no time zone
    response = api.get("/api/v1/services/", {"lat": 13.75, "lng": 100.5, "open_now": "true"})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_a_schedules_spans_are_those_of_its_weekday_on_each_day_of_the_horizon():
    """`_intervals` visits only its weekday's days (at most two), and gives the spans a walk over every day of the
    horizon gives."""
    import zoneinfo
    from datetime import date, time, timedelta
    from types import SimpleNamespace

    from referrals.services import hours

    def every_day(schedule, start_day, zone):
        """Each day of the horizon whose weekday is the schedule's: the span it opens on that day."""
        days = [start_day + timedelta(days=offset) for offset in range(-1, hours.HORIZON_DAYS)]
        spans = []
        for day in days:
            if schedule.weekday in (None, day.isoweekday()):
                start = datetime.combine(day, schedule.opens_at or time(0), tzinfo=zone)
                overnight = schedule.all_day or schedule.closes_at <= schedule.opens_at
                end_day = day + timedelta(days=1) if overnight else day
                spans.append((start, datetime.combine(end_day, schedule.closes_at or time(0), tzinfo=zone)))
        return spans

    zone = zoneinfo.ZoneInfo("Asia/Bangkok")
    for weekday in (None, *range(1, 8)):
        for opens, closes, all_day in (((9, 0), (17, 0), False), ((22, 0), (6, 0), False), (None, None, True)):
            schedule = SimpleNamespace(
                weekday=weekday,
                all_day=all_day,
                opens_at=time(*opens) if opens else None,
                closes_at=time(*closes) if closes else None,
            )
            for start in range(14):
                start_day = date(2026, 12, 1) + timedelta(days=start)
                expected = sorted(every_day(schedule, start_day, zone))
                assert sorted(hours._intervals(schedule, start_day, zone)) == expected, (weekday, opens, start_day)
