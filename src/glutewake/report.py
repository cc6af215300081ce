"""What `glutewake log` shows: periods, break rows, the per-day summary and its chart.

Times come out of the store in UTC; days and hours here are local (the process's time
zone), so a DST day has 23 or 25 hours and a break at 00:10 belongs to the new day.
`now` is always passed in; nothing here reads the clock.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypedDict

from glutewake import localdays
from glutewake.columns import align
from glutewake.durations import format_short
from glutewake.i18n import (
    N_,
    NC_,
    _,
    format_date,
    format_day,
    format_percent,
    language,
    ngettext,
    pgettext,
    weekday,
)
from glutewake.store import BreakRecord, Store, WarmupRecord
from glutewake.text import clip
from glutewake.vocab import OUTCOMES, Outcome, category_label

if TYPE_CHECKING:
    from glutewake.queries import DayTotals, ExerciseCount

NO_BREAKS = N_("no breaks recorded yet — run glutewake start")  # translated where shown
NO_BREAKS_YET = N_("no breaks recorded yet")  # a loop runs: starting one is no advice
DEFAULT_DAYS = 7
TOP_EXERCISES = 5

# (key, header) for the break table (headers translated where shown), and the stable
# keys of each break in json/csv.
BREAK_TABLE: tuple[tuple[str, str], ...] = (
    ("date", N_("date")),
    ("time", N_("time")),
    ("exercise", N_("exercise")),
    ("category", N_("category")),
    ("outcome", N_("outcome")),
    ("snoozes", N_("snoozes")),
    ("seated_min", N_("sat (min)")),
)
# How the table shows an outcome; json/csv keep the values themselves.
OUTCOME_LABELS = {
    "done": N_("done"),
    "skipped": N_("skipped"),
    "missed": N_("missed"),
    "natural": N_("natural"),
    "warmup": N_("warm-up"),
}
BREAK_FIELDS = (
    "id",
    "date",
    "time",
    "at",
    "due_at",
    "answered_at",
    "outcome",
    "exercise_id",
    "exercise",
    "category",
    "snoozes",
    "seated_s",
    "seated_min",
    "away_s",
    "answered_via",
    "break_s",
    "completed",
)
DAY_FIELDS = (
    "date",
    "weekday",
    "done",
    "skipped",
    "missed",
    "natural",
    "due",
    "snoozes",
    "compliance",
    "goal_met",
    "streak",
    "seated_s",
    "longest_s",
    "standing_s",
    "glutes",
    "hip_flexors",
    "move",
)
# Breaks held while the user was busy, and for how long: newer, so after the older columns.
HELD_FIELDS = ("held", "held_s")
# `glutewake warmup` routines per day: newer still.
WARMUP_FIELDS = ("warmups",)
SUMMARY_CSV_FIELDS = (
    *DAY_FIELDS,
    "streak_best",
    "top_exercises",
    *HELD_FIELDS,
    *WARMUP_FIELDS,
)
# A warm-up in the break list: its own outcome (not a break: nothing fell due).
WARMUP: Literal["warmup"] = "warmup"

Paint = Callable[..., str]


def no_paint(text: str, **_: Any) -> str:
    return text


class OptionError(ValueError):
    """A bad --since/--until value; `option` names the flag for the usage message."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


# --- local days -----------------------------------------------------------------------


# localdays.py is the one engine for local days; these names are what report.py's
# callers have always used.
local_day = localdays.local_day
local_midnight = localdays.day_start


def local_iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone().isoformat(timespec="seconds")


# --- periods --------------------------------------------------------------------------


class Period(NamedTuple):
    start: datetime  # inclusive
    end: datetime  # exclusive

    def describe(self) -> str:
        last = (self.end - timedelta(microseconds=1)).astimezone()
        return _("{start} to {end}").format(
            start=format_day(self.start.astimezone().date()), end=format_day(last.date())
        )


_SPAN = re.compile(r"(\d+)\s*([dw])", re.IGNORECASE)
_SINCE_EXPECTED = N_(
    "a date like 2024-03-31, a date and time like 2024-03-31T14:00, today, yesterday, or 3d / 2w"
)
_UNTIL_EXPECTED = N_("a date like 2024-03-31 or a date and time like 2024-03-31T14:00")
_DAY_WORDS = {"today": 0, "yesterday": 1}


# Far enough back for any log; near enough that date arithmetic cannot overflow.
_MAX_DAYS = 100 * 366


def parse_since(text: str, now: datetime) -> datetime:
    """Start of a period: an ISO date (local midnight), an ISO time, or the last N days/weeks.

    "3d" is today and the two days before it, so the default period is "7d".
    """
    word = text.strip().lower()
    if word in _DAY_WORDS:
        return local_midnight(local_day(now) - timedelta(days=_DAY_WORDS[word]))
    span = _SPAN.fullmatch(text.strip())
    if span:
        count = int(span.group(1)) * (7 if span.group(2).lower() == "w" else 1)
        if not 1 <= count <= _MAX_DAYS:
            raise ValueError(
                _("expected from 1d to {days}d, got {text!r}").format(
                    days=_MAX_DAYS, text=clip(text)
                )
            )
        return local_midnight(local_day(now) - timedelta(days=count - 1))
    moment = _parse_iso(text)
    if moment is None:
        raise ValueError(
            _("expected {what}; got {text!r}").format(what=_(_SINCE_EXPECTED), text=clip(text))
        )
    return moment if isinstance(moment, datetime) else local_midnight(moment)


def parse_until(text: str) -> datetime:
    """End of a period (exclusive): a date includes that whole day."""
    moment = _parse_iso(text)
    if moment is None:
        raise ValueError(
            _("expected {what}; got {text!r}").format(what=_(_UNTIL_EXPECTED), text=clip(text))
        )
    if isinstance(moment, datetime):
        return moment
    return local_midnight(moment + timedelta(days=1))


def _parse_iso(text: str) -> date | datetime | None:
    text = text.strip()
    try:
        day = date.fromisoformat(text)
        return day if _EARLIEST <= day <= _LATEST else None
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not _EARLIEST <= moment.date() <= _LATEST:
        return None
    # A time without an offset is local time.
    return moment if moment.tzinfo is not None else localdays.first_instant(moment)


# Dates a log can hold, with room for local-time arithmetic at both ends.
_EARLIEST, _LATEST = date(1970, 1, 2), date(9999, 12, 30)


def choose_period(
    now: datetime,
    *,
    today: bool = False,
    week: bool = False,
    month: bool = False,
    since: str | None = None,
    until: str | None = None,
) -> Period:
    """The period a `log` invocation asks for; default: the last 7 days, today included.

    --week starts on Monday, --month on the 1st. Raises OptionError naming the option.
    """
    day = local_day(now)
    end = local_midnight(day + timedelta(days=1))
    if until is not None:
        try:
            end = parse_until(until)
        except ValueError as exc:
            raise OptionError("--until", str(exc)) from None
    if today:
        start = local_midnight(day)
    elif week:
        start = local_midnight(day - timedelta(days=day.weekday()))
    elif month:
        start = local_midnight(day.replace(day=1))
    elif since is not None:
        try:
            start = parse_since(since, now)
        except ValueError as exc:
            raise OptionError("--since", str(exc)) from None
    else:
        last = local_day(end - timedelta(microseconds=1))
        start = local_midnight(last - timedelta(days=DEFAULT_DAYS - 1))
    if end <= start:
        if until is None:
            raise OptionError(
                "--since",
                _("expected a time before now, got {value!r}").format(value=clip(since or "")),
            )
        raise OptionError(
            "--until",
            _("expected a time after the period's start ({start}), got {value!r}").format(
                start=local_iso(start), value=clip(until)
            ),
        )
    return Period(start=start, end=end)


# --- the break list -------------------------------------------------------------------


class BreakRow(TypedDict):
    """One break of `log` (BREAK_FIELDS, in this order); JSON and CSV carry it as is."""

    id: int | None
    date: str
    time: str
    at: str | None
    due_at: str | None
    answered_at: str | None
    outcome: Outcome | Literal["warmup"]  # warmup: a `glutewake warmup`, not a break
    exercise_id: str | None
    exercise: str | None
    category: str | None
    snoozes: int
    seated_s: int
    seated_min: int
    away_s: int | None
    answered_via: str | None
    break_s: int | None
    completed: bool | None


def break_rows(
    store: Store,
    period: Period,
    *,
    outcomes: Sequence[str] = (*OUTCOMES, WARMUP),
    limit: int | None = None,
) -> list[BreakRow]:
    """One stable dict per break (BREAK_FIELDS), oldest first; warm-ups among them as
    rows whose outcome is "warmup" (when `outcomes` has it)."""
    records = store.breaks_between(
        period.start, period.end, outcomes=[o for o in outcomes if o != WARMUP], limit=limit
    )
    rows = [break_row(record) for record in records]
    if WARMUP in outcomes:
        warmups = store.warmups_between(period.start, period.end, limit=limit)
        rows += [warmup_row(w) for w in warmups]
        rows.sort(key=lambda row: datetime.fromisoformat(row["at"] or ""))
        if limit is not None:
            rows = rows[-limit:] if limit else []
    return rows


def warmup_row(record: WarmupRecord) -> BreakRow:
    """A warm-up as a row of the break list (BREAK_FIELDS), outcome "warmup"."""
    at = record.at.astimezone()
    return {
        "id": record.id,
        "date": at.date().isoformat(),
        "time": f"{at:%H:%M}",
        "at": local_iso(at),
        "due_at": None,
        "answered_at": None,
        "outcome": WARMUP,
        "exercise_id": None,
        "exercise": "Warm-up",
        "category": "glutes",
        "snoozes": 0,
        "seated_s": 0,
        "seated_min": 0,
        "away_s": None,
        "answered_via": None,
        "break_s": record.seconds,
        "completed": record.completed,
    }


def break_row(record: BreakRecord) -> BreakRow:
    at = record.at.astimezone()
    return {
        "id": record.id,
        "date": at.date().isoformat(),
        "time": f"{at:%H:%M}",
        "at": local_iso(at),
        "due_at": local_iso(record.due_at),
        "answered_at": local_iso(record.answered_at),
        "outcome": record.outcome,
        "exercise_id": record.exercise_id,
        "exercise": record.exercise_name,
        "category": record.category,
        "snoozes": record.snoozes,
        "seated_s": record.seated_s,
        "seated_min": round(record.seated_s / 60),
        "away_s": record.away_s,
        "answered_via": record.answered_via,
        "break_s": record.break_s,
        "completed": record.completed,
    }


# --- streaming export: `log --format csv|json` of any size --------------------------------
#
# A whole history can be a million breaks: they go out as they are read, never held in a
# list, and SQLite makes each row's whole text (local times, rounding, CSV quoting or JSON)
# in C, so Python only passes lines along. The local offset comes from Python (C's
# localtime, as break_row's astimezone() asks it) once per run of UTC dates that share
# one; the few dates on which the clocks change go through break_row itself. Both paths
# give the same text as to_csv/to_json of break_rows (tests/test_export.py compares them).

_HALF_EVEN_MIN = (
    "(CASE WHEN seated_s % 60 = 30 THEN seated_s / 60 + (seated_s / 60) % 2 "
    "ELSE (seated_s + 30) / 60 END)"
)
# The inner query names the local time of `at` lt ("2024-03-31T14:00:00", no offset); ?1
# is the offset as a modifier ("+120 minutes"), ?2 its ISO suffix ("+02:00"). Stored text
# is fixed-width UTC: its first 19 characters drop the microseconds, as isoformat(
# timespec="seconds") does (SQLite would round them).
_LT = "replace(datetime(substr(at, 1, 19), ?1), ' ', 'T') AS lt"


def _local(column: str, whole_hours: bool) -> str:
    full = f"replace(datetime(substr({column}, 1, 19), ?1), ' ', 'T') || ?2"
    if not whole_hours:
        return full
    # Most due and answer times share `at`'s UTC hour: with a whole-hour offset, its local
    # hour is lt's and the minutes and seconds are the stored ones.
    return (
        f"CASE WHEN substr({column}, 1, 13) = substr(at, 1, 13) "
        f"THEN substr(lt, 1, 13) || substr({column}, 14, 6) || ?2 ELSE {full} END"
    )


def _csv_text(column: str) -> str:
    # As the csv module quotes (QUOTE_MINIMAL): a delimiter, quote or line break inside.
    return (
        f"CASE WHEN {column} GLOB '*[,\"'||char(10)||char(13)||']*' "
        f"THEN '\"' || replace({column}, '\"', '\"\"') || '\"' ELSE ifnull({column}, '') END"
    )


def _csv_select(whole_hours: bool) -> str:
    fields = [
        "id",
        "substr(lt, 1, 10)",
        "substr(lt, 12, 5)",
        "lt || ?2",
        f"ifnull({_local('due_at', whole_hours)}, '')",
        f"ifnull({_local('answered_at', whole_hours)}, '')",
        "outcome",  # one of OUTCOMES: the table's CHECK says so
        _csv_text("exercise_id"),
        _csv_text("exercise_name"),
        _csv_text("category"),
        "snoozes",
        "seated_s",
        _HALF_EVEN_MIN,
        "ifnull(away_s, '')",
        _csv_text("answered_via"),
        "ifnull(break_s, '')",
        "CASE completed WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE '' END",
    ]
    return "SELECT " + " || ',' || ".join(fields) + " || char(10)"


def _json_select(whole_hours: bool) -> str:
    def text(sql: str) -> str:
        return f"ifnull(json_quote({sql}), 'null')"

    def number(sql: str) -> str:
        return f"ifnull({sql}, 'null')"

    fields = [
        ("id", "id"),
        ("date", "json_quote(substr(lt, 1, 10))"),
        ("time", "json_quote(substr(lt, 12, 5))"),
        ("at", "json_quote(lt || ?2)"),
        ("due_at", text(_local("due_at", whole_hours))),
        ("answered_at", text(_local("answered_at", whole_hours))),
        ("outcome", "json_quote(outcome)"),
        ("exercise_id", text("exercise_id")),
        ("exercise", text("exercise_name")),
        ("category", text("category")),
        ("snoozes", "snoozes"),
        ("seated_s", "seated_s"),
        ("seated_min", _HALF_EVEN_MIN),
        ("away_s", number("away_s")),
        ("answered_via", text("answered_via")),
        ("break_s", number("break_s")),
        ("completed", "CASE completed WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END"),
    ]
    # As json.dumps(rows, indent=2) lays out each item of a list.
    body = " || ',' || char(10) || ".join(f"'    \"{key}\": ' || {sql}" for key, sql in fields)
    return f"SELECT '  {{' || char(10) || {body} || char(10) || '  }}'"


def _offset_suffix(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def export_breaks(
    store: Store, period: Period, *, outcomes: Sequence[str] = (*OUTCOMES, WARMUP), fmt: str
) -> Iterator[str]:
    """The rows of break_rows, oldest first: each a CSV line (no header), or with
    fmt="json" the JSON text of each row indented as to_json indents a list's items."""
    import heapq

    from glutewake.store import to_text

    kinds = [o for o in outcomes if o != WARMUP]
    breaks = _export_breaks(store, period, kinds, fmt) if kinds else iter(())
    if WARMUP not in outcomes:
        yield from (text for _at, text in breaks)
        return
    # Warm-ups are a handful a day: read as a list and merged in by time (ties: the break
    # first, as break_rows' stable sort has it).
    render = _json_row if fmt == "json" else _csv_line
    warmups = [
        (to_text(w.at), render(warmup_row(w)))
        for w in store.warmups_between(period.start, period.end)
    ]
    for _at, text in heapq.merge(breaks, warmups, key=lambda pair: pair[0]):
        yield text


def _export_breaks(
    store: Store, period: Period, outcomes: Sequence[str], fmt: str
) -> Iterator[tuple[str, str]]:
    """(stored UTC time, text) of each break in `period`, oldest first."""
    from glutewake.store import to_text

    low, high = to_text(period.start), to_text(period.end)
    marks = ", ".join("?" for _ in outcomes)
    # +outcome: the range scan of the (at, outcome) index is already in time order, where
    # the outcome index would need the rows sorted (a temporary B-tree of every row).
    where = f"FROM breaks WHERE at >= ?3 AND at < ?4 AND +outcome IN ({marks})"
    for first, last, offset in store.offset_runs(low, high):
        span = (max(low, first), min(high, last))
        if offset is None:  # the clocks change this date: row by row, in Python
            for record in store.iter_breaks(*span, outcomes):
                row = break_row(record)
                yield to_text(record.at), (_json_row(row) if fmt == "json" else _csv_line(row))
            continue
        whole_hours = offset % 60 == 0
        select = _json_select(whole_hours) if fmt == "json" else _csv_select(whole_hours)
        sql = f"{select}, at FROM (SELECT *, {_LT} {where} ORDER BY at, outcome, id)"
        params = (f"{offset:+d} minutes", _offset_suffix(offset), *span, *outcomes)
        for text, at in store.stream(sql, params):
            yield at, text


def _csv_line(row: Mapping[str, Any]) -> str:
    from glutewake.output import to_csv

    return to_csv([row], BREAK_FIELDS).split("\n", 1)[1]


def _json_row(row: Mapping[str, Any]) -> str:
    import json

    return "  " + json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n  ")


@functools.cache
def exercise_names(lang: str) -> dict[str, str]:
    """Bundled exercises' names in `lang`, by id: the log keeps the name shown at the time.

    Empty in English, where those are the names already (and `log` reads no catalog).
    """
    if lang == "en":
        return {}
    from glutewake.catalog import load_bundled

    return {exercise.id: exercise.name for exercise in load_bundled()}


def break_display(row: BreakRow) -> dict[str, Any]:
    """A break row as the table shows it: readable names, natural breaks say how long away."""
    shown: dict[str, Any] = dict(row)
    if row["outcome"] == "natural":
        away = row["away_s"]
        shown["exercise"] = (
            _("(away {time})").format(time=format_short(away)) if away else _("(got up)")
        )
    elif row["outcome"] == WARMUP:
        shown["exercise"] = _("Warm-up")
    elif row["exercise"] is None:
        shown["exercise"] = row["exercise_id"]
    else:
        names = exercise_names(language())
        shown["exercise"] = names.get(row["exercise_id"] or "", row["exercise"])
    shown["date"] = format_date(date.fromisoformat(row["date"]))
    label = OUTCOME_LABELS.get(row["outcome"])
    shown["outcome"] = _(label) if label else row["outcome"]
    shown["category"] = category_label(row["category"]) if row["category"] else None
    shown["snoozes"] = row["snoozes"] or ""
    return shown


# --- the summary ----------------------------------------------------------------------


class DayRow(TypedDict):
    """One local day of `log --summary` (DAY_FIELDS and HELD_FIELDS, in this order)."""

    date: str
    weekday: str
    done: int
    skipped: int
    missed: int
    natural: int
    due: int
    snoozes: int
    compliance: float | None
    goal_met: bool
    streak: int
    seated_s: int
    longest_s: int
    standing_s: int
    glutes: int
    hip_flexors: int
    move: int
    held: int
    held_s: int
    warmups: int


# The outcomes a DayRow counts (an abandoned break is neither due nor done).
DayOutcome = Literal["done", "skipped", "missed", "natural"]
# The DayRow counts that add up over days.
Count = Literal[
    "done", "skipped", "missed", "natural", "due", "snoozes", "seated_s", "standing_s",
    "glutes", "hip_flexors", "move", "held", "held_s", "warmups",
]  # fmt: skip


class TopExercise(TypedDict):
    id: str
    name: str | None
    category: str | None
    done: int


class Balance(TypedDict):
    glutes: int
    hip_flexors: int
    move: int


class Answered(TypedDict):
    """How the period's done and skipped breaks were answered (answered_via)."""

    terminal: int
    notification: int
    command: int


class Totals(TypedDict):
    days: int
    days_goal_met: int
    done: int
    skipped: int
    missed: int
    natural: int
    due: int
    snoozes: int
    compliance: float | None
    seated_s: int
    longest_s: int
    standing_s: int
    streak_current: int
    streak_best: int
    top_exercises: list[TopExercise]
    balance: Balance
    held: int
    held_s: int
    warmups: int
    answered: Answered


class Summary(TypedDict):
    """`log --summary` (its JSON is exactly this)."""

    since: str | None
    until: str | None
    goal: int
    days: list[DayRow]
    totals: Totals


def summarize(store: Store | None, period: Period, *, goal: int, now: datetime) -> Summary:
    """Per-day rows and totals for `period` (see the README for the shape).

    Days run from the first recorded break (or the period's start, if later) to today (or
    the period's end, if earlier). Streaks look at the whole history up to the last day:
    days with nothing recorded (weekends) neither count nor break a streak, and today
    breaks nothing until it is over.
    """
    first = store.first_break_at() if store is not None else None
    days: list[DayRow] = []
    best = 0
    top: list[ExerciseCount] = []
    answered: Answered | None = None
    if store is not None and first is not None:
        from glutewake.queries import DayTotals

        end = min(period.end, local_midnight(local_day(now) + timedelta(days=1)))
        in_period = store.day_totals(period.start, end)
        if period.start <= first:
            # The period holds the whole history: its days are the streaks' days, so the
            # log is not read a second time (a 40-year log is 100,000 breaks).
            history = [(t.day, t.breaks, t.done) for t in in_period if t.breaks]
        else:
            history = store.done_per_day(end)
        streak, best = _streaks(history, goal, today=local_day(now))
        totals = {t.day: t for t in in_period}
        first_day = max(local_day(period.start), local_day(first))
        last_day = local_day(end - timedelta(microseconds=1))
        for label in _labels(first_day, last_day):
            days.append(_day_row(totals.get(label) or DayTotals(label), goal, streak(label)))
        top = store.top_exercises(period.start, end, TOP_EXERCISES)
        ways = store.answered_counts(period.start, end)
        answered = {
            "terminal": ways["terminal"],
            "notification": ways["notification"],
            "command": ways["command"],
        }
    return {
        "since": local_iso(period.start),
        "until": local_iso(period.end),
        "goal": goal,
        "days": days,
        "totals": totals_of(days, best, top, answered),
    }


def _labels(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _streaks(
    history: Sequence[tuple[str, int, int]], goal: int, *, today: date
) -> tuple[Callable[[str], int], int]:
    """The streak as of any day (a function of its label), and the best streak."""
    current = best = 0
    labels: list[str] = []
    values: list[int] = []
    for label, breaks, done in history:
        if done >= goal:
            current += 1
            best = max(best, current)
        elif breaks and label != today.isoformat():
            current = 0
        labels.append(label)
        values.append(current)

    def as_of(label: str) -> int:
        # A day with nothing recorded keeps the streak of the last day that had something.
        index = bisect_right(labels, label)
        return values[index - 1] if index else 0

    return as_of, best


# A day row's `weekday`: English, as JSON and CSV stay (what strftime's %a gave in the C
# locale Python keeps, at a fraction of its cost over 15,000 days).
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _day_row(totals: DayTotals, goal: int, streak: int) -> DayRow:
    due = totals.done + totals.skipped + totals.missed
    return {
        "date": totals.day,
        "weekday": _WEEKDAYS[date.fromisoformat(totals.day).weekday()],
        "done": totals.done,
        "skipped": totals.skipped,
        "missed": totals.missed,
        "natural": totals.natural,
        "due": due,
        "snoozes": totals.snoozes,
        "compliance": _ratio(totals.done, due),
        "goal_met": totals.done >= goal,
        "streak": streak,
        "seated_s": totals.seated_s,
        "longest_s": totals.longest_s,
        "standing_s": totals.standing_s,
        "glutes": totals.glutes,
        "hip_flexors": totals.hip_flexors,
        "move": totals.move,
        "held": totals.held,
        "held_s": totals.held_s,
        "warmups": totals.warmups,
    }


def totals_of(
    days: Sequence[DayRow],
    best: int,
    top: Sequence[ExerciseCount],
    answered: Answered | None = None,
) -> Totals:
    def total(key: Count) -> int:
        return sum(day[key] for day in days)

    done, due = total("done"), total("due")
    return {
        "days": len(days),
        "days_goal_met": sum(1 for day in days if day["goal_met"]),
        "done": done,
        "skipped": total("skipped"),
        "missed": total("missed"),
        "natural": total("natural"),
        "due": due,
        "snoozes": total("snoozes"),
        "compliance": _ratio(done, due),
        "seated_s": total("seated_s"),
        "longest_s": max((day["longest_s"] for day in days), default=0),
        "standing_s": total("standing_s"),
        "streak_current": days[-1]["streak"] if days else 0,
        "streak_best": best,
        "top_exercises": [
            {"id": t.exercise_id, "name": t.name, "category": t.category, "done": t.done}
            for t in top
        ],
        "balance": {
            "glutes": total("glutes"),
            "hip_flexors": total("hip_flexors"),
            "move": total("move"),
        },
        "held": total("held"),
        "held_s": total("held_s"),
        "warmups": total("warmups"),
        "answered": answered or {"terminal": 0, "notification": 0, "command": 0},
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


# --- rendering ------------------------------------------------------------------------

BAR_CELLS = 20
# Translated where shown; "standing" here is time stood, not a place, hence the context.
DAY_HEADERS = (
    NC_("summary column", "date"),
    NC_("summary column", "day"),
    "",
    NC_("summary column", "done"),
    NC_("summary column", "skipped"),
    NC_("summary column", "missed"),
    NC_("summary column", "natural"),
    NC_("summary column", "seated"),
    NC_("summary column", "longest"),
    NC_("summary column", "standing"),
)


def bar(done: int, goal: int, paint: Paint = no_paint) -> str:
    """Breaks done against the goal: one cell per break (scaled when the goal is large)."""
    cells = min(goal, BAR_CELLS)
    # Never an empty bar for a day with a break in it, however large the goal.
    filled = min(cells, max(done * cells // goal, 1 if done else 0))
    extra = f"+{done - goal}" if done > goal else ""
    colour = "green" if done >= goal else "yellow"
    text = paint("█" * filled + extra, fg=colour) if filled or extra else ""
    return text + paint("·" * (cells - filled), dim=True)


def summary_text(summary: Summary, paint: Paint = no_paint) -> str:
    goal = summary["goal"]
    totals = summary["totals"]
    lines = [
        paint(
            ngettext(
                "{span} · goal {goal} break a day", "{span} · goal {goal} breaks a day", goal
            ).format(span=_span(summary), goal=goal),
            bold=True,
        ),
        "",
        *_day_table(summary["days"], goal, paint),
        "",
        *_totals_lines(totals, goal),
    ]
    return "\n".join(lines)


def _span(summary: Summary) -> str:
    since, until = summary["since"], summary["until"]
    assert since is not None and until is not None  # a period always has both ends
    return Period(datetime.fromisoformat(since), datetime.fromisoformat(until)).describe()


def _day_table(days: Sequence[DayRow], goal: int, paint: Paint) -> list[str]:
    headers = [pgettext("summary column", header) if header else "" for header in DAY_HEADERS]
    rows = [
        (
            format_date(date.fromisoformat(day["date"])),
            weekday(date.fromisoformat(day["date"])),
            bar(day["done"], goal),
            f"{day['done']}/{goal}",
            str(day["skipped"]),
            str(day["missed"]),
            str(day["natural"]),
            _short(day["seated_s"]),
            _short(day["longest_s"]),
            _short(day["standing_s"]),
        )
        for day in days
    ]

    def coloured_bar(row: int, column: int, cell: str) -> str:
        return bar(days[row - 1]["done"], goal, paint) if row and column == 2 else cell

    head, *body = align([headers, *rows], coloured_bar)
    return [paint(head, bold=True), *body]


def _totals_lines(totals: Totals, goal: int) -> list[str]:
    compliance = totals["compliance"]
    percent = "-" if compliance is None else format_percent(compliance)
    names = exercise_names(language())
    top = " · ".join(
        f"{names.get(t['id']) or t['name'] or t['id']} {t['done']}" for t in totals["top_exercises"]
    )
    balance = totals["balance"]
    rows = [
        (
            _("compliance"),
            _(
                "{percent} ({done} done of {due} due; {skipped} skipped, {missed} missed, "
                "{snoozes} snoozes)"
            ).format(percent=percent, **totals),
        ),
        (
            _("streak"),
            _("{current} meeting the goal of {goal} (best {best})").format(
                current=_days(totals["streak_current"]),
                goal=goal,
                best=_days(totals["streak_best"]),
            ),
        ),
        (
            _("natural"),
            ngettext(
                "{n} break taken on your own", "{n} breaks taken on your own", totals["natural"]
            ).format(n=totals["natural"]),
        ),
        (_("top"), top or "-"),
        (_("balance"), _balance(balance)),
        (
            _("seated"),
            _("{seated} (longest stretch {longest}); standing {standing}").format(
                seated=_short(totals["seated_s"]),
                longest=_short(totals["longest_s"]),
                standing=_short(totals["standing_s"]),
            ),
        ),
    ]
    if totals["held"]:  # only for those whose breaks ever waited for a call
        held = ngettext(
            "{n} break held while you were busy ({time} in all)",
            "{n} breaks held while you were busy ({time} in all)",
            totals["held"],
        )
        rows.insert(3, (_("held"), held.format(n=totals["held"], time=_short(totals["held_s"]))))
    ways = totals["answered"]
    if ways["notification"] or ways["command"]:  # only once answering elsewhere happened
        answered = _(
            "{notification} from the notification · {terminal} in the terminal · "
            "{command} by command"
        ).format(**ways)
        rows.append((_("answered"), answered))
    if totals["warmups"]:
        warmups = ngettext("{n} warm-up", "{n} warm-ups", totals["warmups"])
        rows.append((_("warm-ups"), warmups.format(n=totals["warmups"])))
    # The labels line up whatever their length in the language.
    width = max(len(label) for label, _text in rows) + 2
    return [f"{label:<{width}}{text}" for label, text in rows]


def _balance(balance: Balance) -> str:
    glutes, hips = balance["glutes"], balance["hip_flexors"]
    text = _("glutes {glutes} · hip flexors {hips} · move {move}").format(
        glutes=glutes, hips=hips, move=balance["move"]
    )
    if glutes + hips:
        text += _(" ({glutes} glutes vs {hips} hips)").format(
            glutes=format_percent(glutes / (glutes + hips)),
            hips=format_percent(hips / (glutes + hips)),
        )
    return text


def _days(count: int) -> str:
    return ngettext("{n} day", "{n} days", count).format(n=count)


def _short(seconds: int) -> str:
    return format_short(seconds) if seconds else "-"


def summary_csv_rows(summary: Summary) -> list[Mapping[str, Any]]:
    """The day rows plus a final row with date "total" (SUMMARY_CSV_FIELDS)."""
    totals = summary["totals"]
    top = ";".join(f"{t['id']}:{t['done']}" for t in totals["top_exercises"])
    total_row = {key: totals.get(key) for key in (*DAY_FIELDS, *HELD_FIELDS, *WARMUP_FIELDS)}
    total_row |= {
        "date": "total",
        "weekday": None,
        "goal_met": None,
        "longest_s": totals["longest_s"],
        "streak": totals["streak_current"],
        "streak_best": totals["streak_best"],
        "top_exercises": top,
        **totals["balance"],
    }
    return [*summary["days"], total_row]
