"""Working days and hours: when breaks may fire. Pure: the caller passes local time."""

from __future__ import annotations

from datetime import datetime, timedelta

from glutewake.config import WEEKDAYS, ScheduleSettings


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
        return local.replace(
            hour=schedule.end.hour, minute=schedule.end.minute, second=0, microsecond=0
        )
    for offset in range(8):
        day = (local + timedelta(days=offset)).replace(
            hour=schedule.start.hour, minute=schedule.start.minute, second=0, microsecond=0
        )
        if WEEKDAYS[day.weekday()] in schedule.days and day > local:
            return day
    return None  # unreachable with a non-empty days list; config validation ensures one
