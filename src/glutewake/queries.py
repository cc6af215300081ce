"""The log's report queries: day totals, hour-of-week totals, done per day, exercise counts.

The reads behind report.py and report_html.py, apart from store.py (the log's connection,
writes and plain reads). Store keeps one-line methods that call these, imported when first
asked, so `status` and `log` do not load them. Local days come from localdays.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from glutewake.localdays import day_runs, local_day
from glutewake.store import from_text, to_text

if TYPE_CHECKING:
    from glutewake.store import Store


class DayTotals(NamedTuple):
    """One local day's aggregates (see Store.day_totals)."""

    day: str
    done: int = 0
    skipped: int = 0
    missed: int = 0
    natural: int = 0
    snoozes: int = 0
    glutes: int = 0
    hip_flexors: int = 0
    move: int = 0
    seated_s: int = 0
    longest_s: int = 0
    standing_s: int = 0
    held: int = 0  # due breaks held while the user was busy (`held` events)
    held_s: int = 0
    warmups: int = 0  # `glutewake warmup` routines
    breaks: int = 0  # of any outcome, abandoned too: the streaks' `breaks` (done_per_day)


class HourTotals(NamedTuple):
    """The log's sitting in one local hour of the week (Store.hour_totals)."""

    weekday: int  # 0 = Monday
    hour: int
    stretches: int = 0  # sitting stretches that ended in this hour
    seated_s: int = 0  # time seated recorded in this hour, each second once
    ended_s: int = 0  # the whole lengths of the stretches that ended in this hour
    longest_s: int = 0
    skipped: int = 0
    missed: int = 0


class ExerciseCount(NamedTuple):
    exercise_id: str
    name: str | None
    category: str | None
    done: int


def day_totals(store: Store, start: datetime, end: datetime) -> list[DayTotals]:
    """Per local day with anything recorded in [start, end), oldest first.

    Days come from localdays.py, the one engine for local days (not SQLite's
    'localtime'): its day bounds, as runs SQLite can label with date arithmetic
    (_by_day), so a 40-year history is a few hundred indexed queries, not a zone
    lookup per row. A break after a missed one carries the missed one's sitting too
    (a miss does not end the stretch): it counts once in `seated_s` (less carried_s),
    whole in `longest_s`.
    """
    low, high = to_text(start), to_text(end)
    days: dict[str, list[int]] = {}

    def row(day: str) -> list[int]:
        return days.setdefault(day, [0] * (len(DayTotals._fields) - 1))

    sources = (("breaks", "at"), ("sessions", "ended_at"), ("events", "at"), ("warmups", "at"))
    runs = _day_runs(store, low, high, sources)
    for day, *counts, longest, breaks in _by_day(store, _DAY_BREAKS, runs):
        totals = row(day)
        totals[: len(counts)] = counts
        totals[_LONGEST] = max(0, longest)
        totals[_BREAKS] = breaks
    # A stop closes the sitting stretch still open; it counts on the day the loop stopped.
    for day, seated, longest in _by_day(store, _DAY_STOPS, runs, time="ended_at"):
        totals = row(day)
        totals[_SEATED] += seated
        totals[_LONGEST] = max(totals[_LONGEST], longest)
    for day, standing, held, held_s in _by_day(store, _DAY_EVENTS, runs):
        totals = row(day)
        totals[_STANDING : _HELD_S + 1] = standing, held, held_s
    for day, warmups in _by_day(store, _DAY_WARMUPS, runs):
        row(day)[_WARMUPS] = warmups
    return [DayTotals(day, *days[day]) for day in sorted(days)]


def answered_counts(store: Store, start: datetime, end: datetime) -> dict[str, int]:
    """How the breaks in [start, end) were answered (answered_via), by way."""
    rows = store.rows(
        "SELECT answered_via, count(*) FROM breaks WHERE at >= ? AND at < ? "
        "AND answered_via IS NOT NULL GROUP BY answered_via",
        (to_text(start), to_text(end)),
    )
    counts = dict.fromkeys(("terminal", "notification", "command"), 0)
    counts.update({way: n for way, n in rows if way in counts})
    return counts


def done_per_day(store: Store, end: datetime) -> list[tuple[str, int, int]]:
    """(local day, breaks of any outcome, breaks done) for each day with a break before
    `end`, oldest first: a whole history, read from the (at, outcome) index alone."""
    runs = _day_runs(store, "", to_text(end), (("breaks", "at"),))
    return [(day, count, done) for day, count, done in _by_day(store, _DAY_DONE, runs)]


def _day_runs(
    store: Store, low: str, high: str, sources: Sequence[tuple[str, str]]
) -> list[Mapping[str, str | None]]:
    """The local days of what `sources` ((table, time column)) hold in [low, high),
    as localdays runs clipped to that span: the parameters of a _by_day query."""
    found = [
        moment
        for table, column in sources
        for order in ("", " DESC")
        for (moment,) in store.rows(
            f"SELECT {column} FROM {table} WHERE {column} >= ? AND {column} < ? "
            f"ORDER BY {column}{order} LIMIT 1",
            (low, high),
        )
    ]
    if not found:
        return []
    # A day either side: which day an instant falls on is decided by the day bounds
    # (the day whose span holds it), which can differ from its wall date where the
    # clocks are set back across midnight.
    first = local_day(from_text(min(found)))
    first -= timedelta(days=1 if first > date.min else 0)
    # day_runs() reads the start of the day after `last`: stay within the calendar.
    last = min(local_day(from_text(max(found))), date.max - timedelta(days=2))
    last += timedelta(days=1)
    runs: list[Mapping[str, str | None]] = []
    for start, end, shift, day in day_runs(first, last):
        run_low = max(low, to_text(datetime.fromtimestamp(start, timezone.utc)))
        run_high = min(high, to_text(datetime.fromtimestamp(end, timezone.utc)))
        if run_low < run_high:
            runs.append(
                {
                    "low": run_low,
                    "high": run_high,
                    "day": None if day is None else day.isoformat(),
                    "shift": f"{shift:+d} seconds",
                }
            )
    return runs


def _by_day(
    store: Store, sql: str, runs: Sequence[Mapping[str, str | None]], *, time: str = "at"
) -> Iterator[Any]:
    """The rows of `sql` (grouped by {day}, the local day of its `time` column, over
    :low to :high) for every run, in time order: each local day is in one run only."""
    sql = sql.format(day=_DAY_OF.format(time=time))
    for run in runs:
        yield from store.rows(sql, run)


def top_exercises(store: Store, start: datetime, end: datetime, limit: int) -> list[ExerciseCount]:
    # SQLite takes the bare columns from the row with max(at): the latest name wins.
    rows = store.rows(
        """SELECT exercise_id, exercise_name, category, count(*) AS n, max(at)
        FROM breaks WHERE outcome = 'done' AND exercise_id IS NOT NULL AND at >= ? AND at < ?
        GROUP BY exercise_id ORDER BY n DESC, exercise_id LIMIT ?""",
        (to_text(start), to_text(end), limit),
    )
    return [ExerciseCount(i, name, category, n) for i, name, category, n, _ in rows]


def hour_totals(store: Store, start: datetime, end: datetime) -> list[HourTotals]:
    """The log's sitting in [start, end) by local weekday and hour of the record.

    Every break and every loop stop with sitting still open adds its share of time
    seated, counted once as day_totals counts it (less the carried_s a missed break
    of the same stretch already counted), so the cells add up to the summary's
    seated_s and their largest longest_s is its longest_s. A stretch ends at each
    break but a missed one (a miss does not end it) and at each stop: `stretches`
    counts those and `ended_s` sums their whole lengths, so ended_s / stretches is
    how long a stretch that ended in that hour had run.

    Local time is Python's (C's localtime, as datetime.astimezone() asks it): the
    offset is looked up once per UTC date, and SQLite sums each run of dates that
    share one offset, so a 100,000-break history is one indexed scan, not a zone
    lookup per break. Dates on which the clocks change are read break by break.
    """
    cells: dict[tuple[int, int], list[int]] = {}

    def add(key: tuple[int, int], *counts: int) -> None:
        # counts: stretches, seated_s, ended_s, longest_s (a maximum), skipped, missed
        cell = cells.setdefault(key, [0, 0, 0, 0, 0, 0])
        for index, value in enumerate(counts):
            cell[index] = max(cell[index], value) if index == 3 else cell[index] + value

    low, high = to_text(start), to_text(end)
    for first, last, offset in _offset_runs(store, low, high):
        span = (max(low, first), min(high, last))
        if offset is None:
            for at, how, seated, carried in store.rows(_STRETCHES, span * 2):
                local = from_text(at).astimezone()
                seated, ends = seated or 0, how != "missed"
                add(
                    (local.weekday(), local.hour),
                    ends,
                    max(0, seated - (carried or 0)),
                    seated if ends else 0,
                    seated,
                    how == "skipped",
                    how == "missed",
                )
            continue
        # Whole hours since Thursday 1970-01-01 00:00 local, modulo a week.
        rows = store.rows(
            f"""SELECT (CAST(strftime('%s', at) AS INTEGER) + ?) / 3600 % 168 AS slot,
                sum(how != 'missed'), sum(max(0, seated_s - carried_s)),
                sum(CASE WHEN how != 'missed' THEN seated_s ELSE 0 END), max(seated_s),
                sum(how = 'skipped'), sum(how = 'missed')
            FROM ({_STRETCHES}) GROUP BY slot""",
            (offset * 60, *span, *span),
        )
        for slot, *counts in rows:
            add(((slot // 24 + 3) % 7, slot % 24), *(value or 0 for value in counts))
    return [HourTotals(*key, *cells[key]) for key in sorted(cells)]


def offset_runs(store: Store, low: str, high: str) -> list[tuple[str, str, int | None]]:
    return _offset_runs(store, low, high)


def _offset_runs(store: Store, low: str, high: str) -> list[tuple[str, str, int | None]]:
    """[first, last) UTC text spans of whole UTC dates, each with the local offset in
    minutes that holds all of it, or None for a date on which the clocks change."""
    ends = [
        store.rows(sql, (low, high))
        for sql in (
            "SELECT at FROM breaks WHERE at >= ? AND at < ? ORDER BY at LIMIT 1",
            "SELECT at FROM breaks WHERE at >= ? AND at < ? ORDER BY at DESC LIMIT 1",
            "SELECT ended_at FROM sessions WHERE ended_at >= ? AND ended_at < ? "
            "ORDER BY ended_at LIMIT 1",
            "SELECT ended_at FROM sessions WHERE ended_at >= ? AND ended_at < ? "
            "ORDER BY ended_at DESC LIMIT 1",
        )
    ]
    found = [rows[0][0] for rows in ends if rows]
    if not found:
        return []
    day = date.fromisoformat(min(found)[:10])
    final = date.fromisoformat(max(found)[:10])
    runs: list[list[Any]] = []  # [first date, last date, offset]
    while day <= final:
        offset = _steady_offset(day)
        if offset is not None and runs and runs[-1][2] == offset:
            runs[-1][1] = day
        else:
            runs.append([day, day, offset])
        day += timedelta(days=1)
    return [
        (f"{first.isoformat()}T00", f"{(last + timedelta(days=1)).isoformat()}T00", offset)
        for first, last, offset in runs
    ]


# Every record that adds to the time seated in [?, ?), twice over: breaks, then loop
# stops with sitting still open; each with what a missed break already counted.
_STRETCHES = """SELECT at, outcome AS how, seated_s, carried_s FROM breaks
    WHERE at >= ? AND at < ?
    UNION ALL
    SELECT ended_at, 'stop', seated_s, carried_s FROM sessions
    WHERE ended_at >= ? AND ended_at < ? AND seated_s > 0"""
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# The local day of the row's time ({day} in the _by_day queries), for one run of days: a
# fixed day, or the UTC date of the time (in whole seconds: the day bounds are whole
# seconds, and SQLite would round microseconds to milliseconds) moved by the run's shift.
_DAY_OF = "coalesce(:day, date(substr({time}, 1, 19), :shift))"
_DAY_BREAKS = """SELECT {day} AS day, sum(outcome = 'done'), sum(outcome = 'skipped'),
    sum(outcome = 'missed'), sum(outcome = 'natural'), sum(snoozes),
    sum(outcome = 'done' AND category = 'glutes'),
    sum(outcome = 'done' AND category = 'hip_flexors'),
    sum(outcome = 'done' AND category = 'move'),
    sum(max(0, seated_s - carried_s)), max(seated_s), count(*)
    FROM breaks WHERE at >= :low AND at < :high GROUP BY day"""
_DAY_STOPS = """SELECT {day} AS day, sum(max(0, coalesce(seated_s, 0) - carried_s)),
    max(coalesce(seated_s, 0))
    FROM sessions WHERE ended_at >= :low AND ended_at < :high GROUP BY day"""
_DAY_EVENTS = """SELECT {day} AS day,
    sum(CASE kind WHEN 'sit' THEN coalesce(seconds, 0) ELSE 0 END), sum(kind = 'held'),
    sum(CASE kind WHEN 'held' THEN coalesce(seconds, 0) ELSE 0 END)
    FROM events WHERE kind IN ('sit', 'held') AND at >= :low AND at < :high GROUP BY day"""
# Where these sit in a DayTotals less its day (_DAY_BREAKS's counts come first).
_SEATED, _LONGEST, _STANDING, _HELD_S, _WARMUPS, _BREAKS = (
    DayTotals._fields.index(f) - 1
    for f in ("seated_s", "longest_s", "standing_s", "held_s", "warmups", "breaks")
)
_DAY_WARMUPS = """SELECT {day} AS day, count(*)
    FROM warmups WHERE at >= :low AND at < :high GROUP BY day"""
_DAY_DONE = """SELECT {day} AS day, count(*), sum(outcome = 'done')
    FROM breaks WHERE at >= :low AND at < :high GROUP BY day ORDER BY day"""


def _steady_offset(day: date) -> int | None:
    """The local offset in minutes if it holds the whole UTC date, else None (the clocks
    change that date, or the offset is not whole minutes)."""
    midnight = (day.toordinal() - _EPOCH_ORDINAL) * 86400
    try:
        first = time.localtime(midnight).tm_gmtoff
        last = time.localtime(midnight + 86399).tm_gmtoff
    except (OSError, OverflowError, ValueError):
        return None
    if first != last or first % 60:
        return None
    return first // 60
