"""Working days and hours, in local time, across a DST change."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from datetime import time as clock

import pytest

from glutewake.config import ScheduleSettings
from glutewake.schedule import is_open, next_change

WORKDAYS = ScheduleSettings(True, ("mon", "tue", "wed", "thu", "fri"), clock(9), clock(18))


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute).astimezone()


def test_disabled_is_always_open() -> None:
    off = ScheduleSettings()
    assert is_open(off, local(2024, 3, 30, 3, 0))
    assert next_change(off, local(2024, 3, 30, 3, 0)) is None


@pytest.mark.usefixtures("berlin")
@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ((2024, 3, 25, 8, 59), False),  # Monday, before start
        ((2024, 3, 25, 9, 0), True),
        ((2024, 3, 25, 17, 59), True),
        ((2024, 3, 25, 18, 0), False),  # end is exclusive
        ((2024, 3, 30, 12, 0), False),  # Saturday
    ],
)
def test_is_open(moment: tuple[int, ...], expected: bool) -> None:
    assert is_open(WORKDAYS, local(*moment)) is expected


@pytest.mark.usefixtures("berlin")
def test_next_change_while_open_is_todays_end() -> None:
    assert next_change(WORKDAYS, local(2024, 3, 25, 10, 0)) == local(2024, 3, 25, 18, 0)


@pytest.mark.usefixtures("berlin")
def test_next_opening_after_a_weekend_with_a_dst_change() -> None:
    friday_evening = local(2024, 3, 29, 19, 0)  # CET, +01:00
    opening = next_change(WORKDAYS, friday_evening)
    assert opening is not None
    assert opening.isoformat() == "2024-04-01T09:00:00+02:00"  # CEST after the change


@pytest.mark.usefixtures("berlin")
def test_before_start_opens_the_same_day() -> None:
    assert next_change(WORKDAYS, local(2024, 3, 26, 7, 0)) == local(2024, 3, 26, 9, 0)
