"""Local days in zones whose clocks skip midnight, 2010-2030: no break misplaced."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from glutewake import localdays, report
from glutewake.config import ScheduleSettings
from glutewake.schedule import next_change
from glutewake.store import Store
from storetools import brk, local_zone

# Each has had its DST change at midnight, so some local days begin at 01:00.
SKIPPING_ZONES = (
    "America/Santiago",
    "Asia/Beirut",
    "America/Havana",
    "America/Asuncion",
    "Africa/Cairo",
)
FIRST, LAST = date(2010, 1, 1), date(2030, 12, 31)


def every_day() -> list[date]:
    return [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def days_that_matter(zone: ZoneInfo) -> list[date]:
    """Every day within two of a clock change, and every seventh day besides."""
    days = every_day()

    def offset(day: date) -> timedelta | None:
        return datetime(day.year, day.month, day.day, 12, tzinfo=zone).utcoffset()

    changes = {i for i in range(1, len(days)) if offset(days[i]) != offset(days[i - 1])}
    near = {j for i in changes for j in range(i - 3, i + 3)}
    return [day for i, day in enumerate(days) if i in near or i % 7 == 0]


def late_and_early(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """00:30 and 23:30 local on `day` (zoneinfo resolves a skipped 00:30 to 01:30)."""
    early = datetime(day.year, day.month, day.day, 0, 30, tzinfo=zone)
    late = datetime(day.year, day.month, day.day, 23, 30, tzinfo=zone)
    return early.astimezone(timezone.utc), late.astimezone(timezone.utc)


@pytest.mark.parametrize("name", SKIPPING_ZONES)
def test_every_break_lands_on_its_own_day(name: str, tmp_path: Path) -> None:
    zone = ZoneInfo(name)
    days = days_that_matter(zone)
    moments = {day: late_and_early(zone, day) for day in days}
    with local_zone(name):
        skipped = [d for d in days if localdays.day_start(d).time() != clock(0)]
        assert skipped, f"{name} never skipped midnight: the test would prove nothing"
        db = tmp_path / "glutewake.db"
        with Store.open(db) as store, store.batch():
            for day in days:
                for at in moments[day]:
                    store.add_break(brk("done", at))
        with Store.open(db, create=False) as store:
            # The summary's per-day counts and the streaks' whole history.
            totals = store.day_totals(localdays.day_start(FIRST), localdays.day_start(LAST))
            assert {t.day: t.done for t in totals} == {d.isoformat(): 2 for d in days if d != LAST}
            history = store.done_per_day(localdays.day_start(LAST + timedelta(days=1)))
            assert history == [(d.isoformat(), 2, 2) for d in days]
            # `log --since D --until D` holds that day's two breaks and nothing else.
            now = datetime(2031, 1, 1, tzinfo=timezone.utc)
            wrong: list[tuple[date, object]] = []
            for day in days:
                period = report.choose_period(now, since=day.isoformat(), until=day.isoformat())
                early, late = moments[day]
                if not period.start <= early < late < period.end:
                    wrong.append((day, period))
                for other in (day - timedelta(days=1), day + timedelta(days=1)):
                    if other in moments and any(
                        period.start <= m < period.end for m in moments[other]
                    ):
                        wrong.append((day, other))
            assert wrong == []
            # The log's date column: each day's two breaks under that day.
            everything = report.choose_period(now, since=FIRST.isoformat(), until=LAST.isoformat())
            dates = [row["date"] for row in report.break_rows(store, everything)]
            assert dates == [d.isoformat() for d in days for _ in (0, 1)]


@pytest.mark.parametrize("name", SKIPPING_ZONES)
def test_a_day_starts_at_its_first_instant(name: str) -> None:
    with local_zone(name):
        for day in every_day():
            start = localdays.day_start(day)
            assert localdays.local_day(start) == day
            assert localdays.local_day(start - timedelta(seconds=1)) == day - timedelta(days=1)


def test_a_schedule_opening_at_a_skipped_midnight_opens_at_the_jump() -> None:
    # Santiago, 2024-09-08: clocks go from 00:00 to 01:00. Saturday 23:30, a schedule
    # opening Sunday at 00:00 opens at the jump, not an hour in the past (and a day late).
    sundays = ScheduleSettings(True, ("sun",), clock(0), clock(12))
    with local_zone("America/Santiago"):
        saturday_night = datetime(2024, 9, 7, 23, 30).astimezone()
        opening = next_change(sundays, saturday_night)
        assert opening is not None
        assert opening.isoformat() == "2024-09-08T01:00:00-03:00"


def test_since_today_and_yesterday() -> None:
    with local_zone("Europe/Berlin"):
        now = datetime(2024, 3, 31, 12, 0).astimezone()  # the day clocks change
        today = report.choose_period(now, since="today")
        assert today.start.isoformat() == "2024-03-31T00:00:00+01:00"
        yesterday = report.choose_period(now, since="Yesterday")
        assert yesterday.start.isoformat() == "2024-03-30T00:00:00+01:00"
        assert today.end == yesterday.end


# day_starts() computes thousands of day bounds at once; these zones also set clocks back
# across midnight (St. John's until 2011, at 00:01), change at midnight going back (Sao
# Paulo before 2019: Saturday 23:00-24:00 twice), skip a whole day
# (Apia, 2011-12-30), move by 30 minutes (Lord Howe) or sit at a non-hour offset.
FAST_PATH_ZONES = (
    *SKIPPING_ZONES,
    "Europe/Berlin",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Pacific/Apia",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "UTC",
)


@pytest.mark.parametrize("name", FAST_PATH_ZONES)
def test_day_starts_are_day_start_of_every_day(name: str) -> None:
    with local_zone(name):
        days = [*every_day(), LAST + timedelta(days=1)]
        slow = [int(localdays.day_start(day).timestamp()) for day in days]
        assert localdays.day_starts(FIRST, LAST) == slow


@pytest.mark.parametrize("name", FAST_PATH_ZONES)
def test_day_runs_label_every_instant_of_a_day_with_that_day(name: str) -> None:
    with local_zone(name):
        runs = localdays.day_runs(FIRST, LAST)
        starts = localdays.day_starts(FIRST, LAST)
        assert [runs[0][0], runs[-1][1]] == [starts[0], starts[-1]]
        assert all(a[1] == b[0] for a, b in pairwise(runs)), "runs leave no gap"
        wrong = []
        for day, start, end in zip(every_day(), starts, starts[1:], strict=False):
            for moment in {start, start + 3600, (start + end) // 2, end - 3601, end - 1}:
                if not start <= moment < end:
                    continue  # a day the clocks skipped whole has no instant
                ((_, _, shift, fixed),) = [r for r in runs if r[0] <= moment < r[1]]
                shifted = datetime.fromtimestamp(moment + shift, timezone.utc).date()
                if (fixed or shifted) != day:
                    wrong.append((day, moment, shift, fixed))
        assert wrong == []
        # A run or two per clock change (21 years: at most 42 changes), not one per day.
        assert len(runs) <= 4 * 21
        assert len(runs) == 1 if name in ("UTC", "Asia/Kathmandu") else len(runs) > 2


def test_a_repeated_hour_after_midnight_belongs_to_the_new_day(tmp_path: Path) -> None:
    # St. John's, 2010-11-07 00:01 NDT: clocks back to Saturday 23:01 NST. Sunday began
    # at the first midnight (day_start), so the second 23:30 falls in Sunday's span: in the
    # summary as in `log --since 2010-11-07 --until 2010-11-07`, whatever the order.
    first_time = datetime(2010, 11, 7, 2, 0, tzinfo=timezone.utc)  # 23:30 NDT, Saturday
    second_time = datetime(2010, 11, 7, 3, 0, tzinfo=timezone.utc)  # 23:30 NST, Sunday
    with local_zone("America/St_Johns"):
        saturday, sunday = date(2010, 11, 6), date(2010, 11, 7)
        assert localdays.day_start(sunday) < second_time < localdays.day_start(date(2010, 11, 8))
        db = tmp_path / "glutewake.db"
        with Store.open(db) as store, store.batch():
            for at in (second_time, first_time):
                store.add_break(brk("done", at))
        with Store.open(db, create=False) as store:
            totals = store.day_totals(localdays.day_start(saturday), second_time + timedelta(1))
            assert [(t.day, t.done) for t in totals] == [("2010-11-06", 1), ("2010-11-07", 1)]
            history = store.done_per_day(second_time + timedelta(days=1))
            assert history == [("2010-11-06", 1, 1), ("2010-11-07", 1, 1)]
            now = datetime(2010, 12, 1, tzinfo=timezone.utc)
            period = report.choose_period(now, since="2010-11-07", until="2010-11-07")
            assert [row["id"] for row in report.break_rows(store, period)] == [1]
