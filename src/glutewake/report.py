"""What `glutewake log` shows: periods and the break list.

The per-day summary and its text chart are in summary.py, the streamed csv/json export of
any size in export.py; both build on the periods and break rows here.

Times come out of the store in UTC; days and hours here are local (the process's time
zone), so a DST day has 23 or 25 hours and a break at 00:10 belongs to the new day.
`now` is always passed in; nothing here reads the clock.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal, NamedTuple, TypedDict

from glutewake import localdays
from glutewake.durations import format_short
from glutewake.i18n import (
    N_,
    _,
    format_date,
    format_day,
    language,
)
from glutewake.store import BreakRecord, Store, WarmupRecord
from glutewake.text import clip
from glutewake.vocab import OUTCOMES, Outcome, category_label

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
_WHEN_EXPECTED = N_(
    "a date like 2024-03-31, a date and time like 2024-03-31T14:00, today, yesterday, or 3d / 2w"
)
_DAY_WORDS = {"today": 0, "yesterday": 1}


# Far enough back for any log; near enough that date arithmetic cannot overflow.
_MAX_DAYS = 100 * 366


def parse_since(text: str, now: datetime) -> datetime:
    """Start of a period: an ISO date (local midnight), an ISO time, or the last N days/weeks.

    "3d" is today and the two days before it, so the default period is "7d".
    """
    start = _day_start(text, now)
    if start is not None:
        return start
    moment = _parse_iso(text)
    if moment is None:
        raise ValueError(_expected(text))
    return moment if isinstance(moment, datetime) else local_midnight(moment)


def parse_until(text: str, now: datetime) -> datetime:
    """End of a period (exclusive): a date, "today" or "yesterday" includes that whole
    day (as a user who names a day means it); a span ends where the same --since would
    start ("--since 2w --until 1w" is the seven days before the last seven)."""
    word = text.strip().lower()
    if word in _DAY_WORDS:
        return local_midnight(local_day(now) - timedelta(days=_DAY_WORDS[word] - 1))
    start = _day_start(text, now)
    if start is not None:
        return start
    moment = _parse_iso(text)
    if moment is None:
        raise ValueError(_expected(text))
    if isinstance(moment, datetime):
        return moment
    return local_midnight(moment + timedelta(days=1))


def _day_start(text: str, now: datetime) -> datetime | None:
    """The local midnight "today", "yesterday", "3d" or "2w" names; None for anything else."""
    word = text.strip().lower()
    if word in _DAY_WORDS:
        return local_midnight(local_day(now) - timedelta(days=_DAY_WORDS[word]))
    span = _SPAN.fullmatch(text.strip())
    if span is None:
        return None
    count = int(span.group(1)) * (7 if span.group(2).lower() == "w" else 1)
    if not 1 <= count <= _MAX_DAYS:
        raise ValueError(
            _("expected from 1d to {days}d, got {text!r}").format(days=_MAX_DAYS, text=clip(text))
        )
    return local_midnight(local_day(now) - timedelta(days=count - 1))


def _expected(text: str) -> str:
    return _("expected {what}; got {text!r}").format(what=_(_WHEN_EXPECTED), text=clip(text))


def _parse_iso(text: str) -> date | datetime | None:
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        _check_range(day, text)
        return day
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    _check_range(moment.date(), text)
    # A time without an offset is local time.
    return moment if moment.tzinfo is not None else localdays.first_instant(moment)


def _check_range(day: date, text: str) -> None:
    if not _EARLIEST <= day <= _LATEST:
        raise ValueError(
            _("expected a date from {earliest} to {latest}; got {text!r}").format(
                earliest=_EARLIEST.isoformat(), latest=_LATEST.isoformat(), text=clip(text)
            )
        )


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
            end = parse_until(until, now)
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
    if row["outcome"] in ("done", WARMUP) and row["completed"] is False and row["break_s"]:
        # Taken, but cut short: the table says so, as JSON/CSV do with completed false.
        early = (
            _("done ({taken}, stopped early)")
            if row["outcome"] == "done"
            else _("warm-up ({taken}, stopped early)")
        )
        shown["outcome"] = early.format(taken=format_short(row["break_s"]))
    if row["outcome"] == WARMUP:
        shown["seated_min"] = None  # no sitting is recorded on a warm-up
    shown["category"] = category_label(row["category"]) if row["category"] else None
    shown["snoozes"] = row["snoozes"] or ""
    return shown
