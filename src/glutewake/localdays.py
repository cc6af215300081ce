"""Local days: the one place that turns instants into local dates and back.

The log, the summary and the schedule all ask "which day is this?" and "when does this
day (or this hour of it) begin?". Some zones skip midnight when their clocks change
(America/Santiago, Asia/Beirut, America/Havana, America/Asuncion, Africa/Cairo): the day
then begins at 01:00, and a naive local midnight does not exist. C's mktime (behind
`datetime.astimezone()` for a naive time) resolves such a time to an instant on the day
before, which put a break at 23:30 on the next day. Here a wall time that does not exist
means the first instant after it that does: the moment the clocks jumped.

Everything uses the process's local time zone (TZ, DST included), as the rest of Python
does; nothing here reads the environment itself.
"""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time, timezone
from itertools import pairwise

# No zone moves its clocks by more than this at once; the search for a skipped wall time
# looks this far either side of mktime's guess.
_MAX_JUMP_S = 3 * 3600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_S = 86400


def local_day(moment: datetime) -> date:
    """The local date an aware instant falls on."""
    return moment.astimezone().date()


def first_instant(wall: datetime) -> datetime:
    """The first aware instant whose local wall time is `wall` or later (`wall` naive).

    An ambiguous wall time (clocks set back) gives its first occurrence; a skipped one
    (clocks set forward) gives the instant the clocks jumped.
    """
    guess = wall.astimezone()
    if guess.replace(tzinfo=None) == wall:
        return guess
    # Skipped: find the first second whose local time reaches `wall`. Within a few hours
    # of one transition local time only moves forward, so bisection finds it.
    low = int(guess.timestamp()) - _MAX_JUMP_S
    high = low + 2 * _MAX_JUMP_S
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, tz=timezone.utc).astimezone()


def day_start(day: date) -> datetime:
    """The instant a local day begins (midnight, or the jump when midnight is skipped)."""
    return first_instant(datetime.combine(day, time()))


def at_local_time(day: date, when: time) -> datetime:
    """`when` o'clock on `day`, as an aware instant (the jump, if that time is skipped)."""
    return first_instant(datetime.combine(day, when))


def day_starts(first: date, last: date) -> list[int]:
    """day_start() of every day from `first` to the day after `last`, as POSIX seconds:
    the bounds of those local days, in order (a day the clocks skip whole is empty).

    The same instants as day_start(), made for thousands of days at once: a midnight
    with one UTC offset over the hours before it (nothing skipped, nothing repeated) is
    plain arithmetic checked by two localtime() calls; any other goes to day_start().
    """
    starts: list[int] = []
    offset: int | None = None
    for ordinal in range(first.toordinal(), last.toordinal() + 2):
        midnight = (ordinal - _EPOCH_ORDINAL) * _DAY_S  # the wall time, read as if UTC
        if offset is None:
            offset = clock.localtime(midnight).tm_gmtoff
        moment = midnight - offset
        if (
            clock.localtime(moment).tm_gmtoff != offset
            or clock.localtime(moment - _MAX_JUMP_S).tm_gmtoff != offset
        ):
            moment = int(day_start(date.fromordinal(ordinal)).timestamp())
            offset = clock.localtime(moment).tm_gmtoff
        starts.append(moment)
    return starts


# (start, end, shift, day): [start, end) in POSIX seconds, a run of whole local days that
# one rule labels: every instant t in it falls on `day`, or (when `day` is None) on the UTC
# date of t + shift. A day longer than 24 hours (the clocks set back) has no such shift.
# A plain tuple: a NamedTuple class would cost `glutewake log` start-up (bench/README.md).
DayRun = tuple[int, int, int, date | None]


def day_runs(first: date, last: date) -> list[DayRun]:
    """The local days from `first` to `last` as a few runs (two or so a year where the
    clocks change), so a query can label millions of instants with date arithmetic
    instead of asking the zone about each one. Day bounds are day_starts()'."""
    starts = day_starts(first, last)
    runs: list[DayRun] = []
    low, shift = 0, None  # the run of shifted days under way: [low, start) by `shift`
    for index, (start, end) in enumerate(pairwise(starts)):
        ordinal = first.toordinal() + index
        if end - start > _DAY_S:
            if shift is not None:
                runs.append((low, start, shift, None))
                shift = None
            runs.append((start, end, 0, date.fromordinal(ordinal)))
        elif end > start:
            # t in [start, end) gives t + shift in [midnight, midnight + end - start):
            # within the day's UTC date, as the day lasts at most 24 hours.
            day_shift = (ordinal - _EPOCH_ORDINAL) * _DAY_S - start
            if shift is not None and shift != day_shift:
                runs.append((low, start, shift, None))
                shift = None
            if shift is None:
                low, shift = start, day_shift
    if shift is not None:
        runs.append((low, starts[-1], shift, None))
    return runs
