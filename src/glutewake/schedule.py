"""Working days and hours: when breaks may fire. Pure: the caller passes local time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from glutewake.config import ScheduleSettings
from glutewake.localdays import at_local_time
from glutewake.vocab import WEEKDAYS


def is_open(schedule: ScheduleSettings, local: datetime) -> bool:
    if not schedule.enabled:
        return True
    day = WEEKDAYS[local.weekday()]
    return day in schedule.days and schedule.start <= local.time() < schedule.end


def next_change(schedule: ScheduleSettings, local: datetime) -> datetime | None:
    """When is_open() next flips: the close time while open, the next opening while closed."""
    if not schedule.enabled:
        return None
    if is_open(schedule, local):
        return _at(local.date(), schedule.end, local)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        opening = _at(day, schedule.start, local)
        if WEEKDAYS[day.weekday()] in schedule.days and opening > local:
            return opening
    return None  # unreachable with a non-empty days list; config validation ensures one


def _at(day: date, when: time, like: datetime) -> datetime:
    """`when` on `day`, naive or aware as `like` is."""
    naive = datetime.combine(day, when)
    # Localized on its own day, each moment gets that day's UTC offset (DST changes); a
    # time the clocks skip (00:00 in Santiago) opens at the jump, as localdays decides.
    return naive if like.tzinfo is None else at_local_time(day, when)
