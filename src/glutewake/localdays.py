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

from datetime import date, datetime, time, timedelta, timezone

# No zone moves its clocks by more than this at once; the search for a skipped wall time
# looks this far either side of mktime's guess.
_MAX_JUMP_S = 3 * 3600


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


def day_span(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day."""
    return day_start(day), day_start(day + timedelta(days=1))
