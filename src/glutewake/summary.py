"""`glutewake log --summary`: the per-day summary, its totals and streaks, and its text.

Apart from report.py (periods and the break list): the summary is computed here from
queries.py's day totals, rendered as the text table and chart here, and drawn as the HTML
report by report_html.py.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from glutewake.columns import align
from glutewake.durations import format_short
from glutewake.i18n import (
    NC_,
    _,
    format_date,
    format_percent,
    language,
    ngettext,
    pgettext,
    weekday,
)
from glutewake.report import (
    DAY_FIELDS,
    HELD_FIELDS,
    TOP_EXERCISES,
    WARMUP_FIELDS,
    Paint,
    Period,
    exercise_names,
    local_day,
    local_iso,
    local_midnight,
    no_paint,
)
from glutewake.store import Store
from glutewake.text import one_line

if TYPE_CHECKING:
    from glutewake.queries import DayTotals, ExerciseCount

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
    # Names from the log, perhaps written by an older version: no escapes reach a terminal.
    top = " · ".join(
        f"{one_line(names.get(t['id']) or t['name'] or t['id'])} {t['done']}"
        for t in totals["top_exercises"]
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
