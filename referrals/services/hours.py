"""Opening hours as a caseworker needs them: open now, until when, or when it next opens, in the place's own time."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# How far ahead to look for the next opening: the hours repeat every week.
HORIZON_DAYS = 8


@dataclass(frozen=True)
class Opening:
    """Whether a place is open at a moment, and the local times that matter next."""

    open_now: bool
    # Local wall-clock times (ISO 8601, no offset: they are the place's own), None where they do not apply.
    open_until: str | None  # while open; None when always open
    next_opens: str | None  # while closed
    always_open: bool
    time_zone: str

    def as_data(self) -> dict:
        """The JSON form of a result's location."""
        return {
            "open_now": self.open_now,
            "open_until": self.open_until,
            "next_opens": self.next_opens,
            "open_24_7": self.always_open,
        }


def _intervals(schedule, start_day, zone):
    """The schedule's open spans (aware datetimes) on each day from the day before start_day for HORIZON_DAYS + 1
    days: every day, or those of its weekday (at most two of them)."""
    if schedule.weekday is None:
        offsets = range(-1, HORIZON_DAYS)
    else:
        first = (schedule.weekday - start_day.isoweekday()) % 7  # days until its weekday comes (0: today)
        offsets = [offset for offset in (first - 7, first, first + 7) if -1 <= offset < HORIZON_DAYS]
    for offset in offsets:
        day = start_day + timedelta(days=offset)
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        if schedule.all_day:
            yield midnight, midnight + timedelta(days=1)
            continue
        opens = midnight.replace(hour=schedule.opens_at.hour, minute=schedule.opens_at.minute)
        closes = midnight.replace(hour=schedule.closes_at.hour, minute=schedule.closes_at.minute)
        if closes <= opens:  # closes the next morning
            closes += timedelta(days=1)
        yield opens, closes


def opening_at(schedules, time_zone: str, now: datetime | None = None) -> Opening | None:
    """The opening of a place with these weekly schedules (in `time_zone` unless a schedule has its own);
    None when it has no hours at all (unknown, not closed)."""
    schedules = list(schedules)
    if not schedules:
        return None
    place_zone = zoneinfo.ZoneInfo(time_zone)
    now = (now or datetime.now(UTC)).astimezone(place_zone)
    spans = []
    for schedule in schedules:
        zone = zoneinfo.ZoneInfo(schedule.time_zone) if schedule.time_zone else place_zone
        spans.extend(_intervals(schedule, now.astimezone(zone).date(), zone))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        if start <= now < end:
            always = end - now >= timedelta(days=HORIZON_DAYS - 1)
            until = None if always else _local(end, place_zone)
            return Opening(True, until, None, always, time_zone)
    upcoming = next((start for start, _ in merged if start > now), None)
    return Opening(False, None, _local(upcoming, place_zone) if upcoming else None, False, time_zone)


def _local(moment: datetime, zone) -> str:
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")
