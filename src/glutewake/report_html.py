"""`glutewake report`: one self-contained HTML page of charts drawn from the log.

The numbers are the summary `log --summary` prints (summary.py's summarize, same periods, same
local days) plus one more query, the sitting stretches by local weekday and hour
(queries.hour_totals), which add up to the summary's seated time. Each chart has a one-line
takeaway in words above it. The page has no script and loads nothing: inline SVG
(charts.py) and CSS, with a dark scheme and a print style.

Over 450 lines because the page's sections share its helpers and labels: split them off
(sections apart from the page's assembly in render/gather) only together with those.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from glutewake import __version__, charts, report
from glutewake.charts import esc
from glutewake.durations import format_short
from glutewake.errors import GlutewakeError
from glutewake.files import package_text
from glutewake.i18n import N_, WEEKDAYS, _, format_date, format_percent, language, ngettext
from glutewake.queries import HourTotals
from glutewake.store import Store
from glutewake.summary import DayOutcome, DayRow, Summary, Totals, summarize, totals_of
from glutewake.vocab import Category

DEFAULT_SINCE = "4w"
PER_DAY_LIMIT = 92  # columns in the per-day chart; a longer period shows its last days
PER_DAY_SPAN = 28  # days the per-day axis spans at least, when the period has them
TREND_WEEKS = 52
YEAR_DAYS = 365
GENERATOR = f"glutewake {__version__} report"

WEEKDAYS_PLURAL = (
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
)
MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)
OUTCOME_LABELS: tuple[tuple[DayOutcome, str], ...] = (
    ("done", N_("done")),
    ("skipped", N_("skipped")),
    ("missed", N_("missed")),
    ("natural", N_("got up on your own")),
)
CATEGORIES: tuple[tuple[Category, str], ...] = (
    ("glutes", N_("glute work")),
    ("hip_flexors", N_("hip-flexor stretches")),
    ("move", N_("movement breaks")),
)


class Report(NamedTuple):
    """Everything the page shows, gathered from the log in one place."""

    period: report.Period
    now: datetime
    goal: int
    summary: Summary | None  # None: the log has no breaks at all
    year: Summary | None  # the summary of the year up to the period's last day
    hours: list[HourTotals]  # sitting stretches by local weekday and hour
    first: datetime | None


def gather(store: Store | None, period: report.Period, *, goal: int, now: datetime) -> Report:
    first = store.first_break_at() if store is not None else None
    if store is None or first is None:
        return Report(period, now, goal, None, None, [], None)
    summary = summarize(store, period, goal=goal, now=now)
    days = summary["days"]
    hours: list[HourTotals] = []
    year = None
    if days:
        # The summary's own window: from its first day to its last, so the stretches
        # add up to exactly its seated time.
        start = report.local_midnight(date.fromisoformat(days[0]["date"]))
        end = report.local_midnight(date.fromisoformat(days[-1]["date"]) + timedelta(days=1))
        hours = store.hour_totals(start, end)
        year = _year_within(summary, year_period(end), report.local_day(first))
        if year is None:
            year = summarize(store, year_period(end), goal=goal, now=now)
    return Report(period, now, goal, summary, year, hours, first)


def _year_within(summary: Summary, year: report.Period, first: date) -> Summary | None:
    """The calendar's year cut from a summary that covers it (a long period), or None.

    The same days and streaks summarize() would give for the year (streaks always look
    at the whole history), without reading the log again; the calendar uses no other
    totals.
    """
    since = report.local_day(year.start).isoformat()
    days = summary["days"]
    if days[0]["date"] > since and days[0]["date"] != first.isoformat():
        return None
    kept = [day for day in days if day["date"] >= since]
    return {
        "since": report.local_iso(year.start),
        "until": report.local_iso(year.end),
        "goal": summary["goal"],
        "days": kept,
        "totals": totals_of(kept, summary["totals"]["streak_best"], ()),
    }


def year_period(end: datetime) -> report.Period:
    """The calendar's days: a year up to the report's last day (`end` is exclusive)."""
    last = report.local_day(end - timedelta(microseconds=1))
    return report.Period(report.local_midnight(last - timedelta(days=YEAR_DAYS - 1)), end)


# --- the page -------------------------------------------------------------------------


def render(data: Report, *, lang: str | None = None) -> str:
    lang = lang or language()
    title = _("Sitting breaks: {period}").format(period=data.period.describe())
    moment = data.now.astimezone()
    generated = f"{format_date(moment.date())} {moment:%H:%M}"
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f'<meta name="generator" content="{esc(GENERATOR)}">',
        f"<title>{esc(title)}</title>",
        f"<style>{package_text('report.css')}</style>",
        "</head>",
        "<body>",
        "<header>",
        _tag("h1", _("Your sitting breaks")),
        f'<p class="period">{esc(data.period.describe())} · '
        + esc(_("goal {goal} breaks a day").format(goal=data.goal))
        + "</p>",
        "</header>",
        "<main>",
    ]
    summary = data.summary
    if summary is None:
        body = _empty_log()
    elif not _has_breaks(summary):
        body = _empty_period(data)
    else:
        body = _charts(data, summary)
    foot = [
        "</main>",
        "<footer>"
        + esc(
            _("Made by glutewake {version} on {when} from your local log.").format(
                version=__version__, when=generated
            )
        )
        + "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join([*head, *body, *foot]) + "\n"


def _tag(name: str, text: str) -> str:
    return f"<{name}>{esc(text)}</{name}>"


def _has_breaks(summary: Summary) -> bool:
    totals = summary["totals"]
    return bool(totals["due"] + totals["natural"])


def _empty_log() -> list[str]:
    return [
        '<section class="empty" id="empty">',
        _tag("h2", _("No breaks recorded yet")),
        "<p>"
        + esc(
            _(
                "Run glutewake start and leave it running: every break you take, skip or "
                "miss is logged, and this page draws it. Come back after a few days."
            )
        )
        + "</p>",
        "</section>",
    ]


def _empty_period(data: Report) -> list[str]:
    first = data.first.astimezone().date().isoformat() if data.first else ""
    return [
        '<section class="empty" id="empty">',
        _tag("h2", _("No breaks in this period")),
        "<p>"
        + esc(
            _("Your log starts on {first}: try glutewake report --since {first}").format(
                first=first
            )
        )
        + "</p>",
        "</section>",
    ]


def _charts(data: Report, summary: Summary) -> list[str]:
    return [
        _tiles(summary),
        _per_day(summary),
        _heatmaps(data.hours),
        _calendar(data),
        _balance(summary),
        _trend(summary),
    ]


def _section(ident: str, heading: str, takeaway: str, *body: str) -> str:
    return "\n".join(
        [
            f'<section class="chart-card" id="{ident}">',
            f"<h2>{esc(heading)}</h2>",
            f'<p class="takeaway">{esc(takeaway)}</p>',
            *body,
            "</section>",
        ]
    )


def _legend(items: Sequence[tuple[str, str]]) -> str:
    keys = "".join(
        f'<span class="key"><i class="sw {cls}"></i>{esc(label)}</span>' for cls, label in items
    )
    return f'<p class="legend">{keys}</p>'


def _percent(ratio: float | None) -> str:
    return "–" if ratio is None else format_percent(ratio)


def _duration(seconds: float) -> str:
    return format_short(seconds) if seconds else "0m"


def _days(count: int) -> str:
    return ngettext("{count} day", "{count} days", count).format(count=count)


def _day_label(day: date, *, year: bool = False) -> str:
    text = _("{weekday} {month} {day}, {year}") if year else _("{weekday} {month} {day}")
    return text.format(
        weekday=_(WEEKDAYS[day.weekday()]),
        month=_(MONTHS[day.month - 1]),
        day=day.day,
        year=day.year,
    )


# --- the numbers at the top -----------------------------------------------------------


def _tiles(summary: Summary) -> str:
    totals = summary["totals"]
    tiles = [
        ("compliance", _percent(totals["compliance"]), _("of due breaks taken")),
        ("done", str(totals["done"]), _("breaks done")),
        (
            "goal",
            _("{met} of {days}").format(met=totals["days_goal_met"], days=totals["days"]),
            _("days at your goal"),
        ),
        (
            "streak",
            _days(totals["streak_current"]),
            _("streak (best {best})").format(best=_days(totals["streak_best"])),
        ),
        ("longest", _duration(totals["longest_s"]), _("longest time seated")),
        ("natural", str(totals["natural"]), _("times you got up on your own")),
    ]
    # A long value (a decade's counts) gets a smaller type instead of wrapping.
    cells = "".join(
        f'<div class="tile{" long" if len(value) > 10 else ""}" data-tile="{key}">'
        f"<b>{esc(value)}</b><span>{esc(label)}</span></div>"
        for key, value, label in tiles
    )
    return f'<section class="tiles" id="tiles">{cells}</section>'


# --- per day ----------------------------------------------------------------------------


def hours_tick(hours: float) -> str:
    """A right-axis label: whole minutes below an hour (15m, 45m: never a rounded 0.8h),
    then hours (1h, 1.5h)."""
    if hours <= 0:
        return "0"
    if hours < 1:
        return f"{round(hours * 60)}m"
    return f"{charts.num(hours)}h"


def per_day_axis(summary: Summary) -> list[date]:
    """The per-day chart's days: the summary's last PER_DAY_LIMIT, reaching back to cover
    at least PER_DAY_SPAN days of the period, so a new log's few days sit at their place
    on a few weeks' axis instead of filling it."""
    days = summary["days"][-PER_DAY_LIMIT:]
    first, last = date.fromisoformat(days[0]["date"]), date.fromisoformat(days[-1]["date"])
    start = last - timedelta(days=PER_DAY_SPAN - 1)
    if summary["since"] is not None:
        start = max(start, date.fromisoformat(summary["since"][:10]))
    start = min(start, first)
    return [start + timedelta(days=n) for n in range((last - start).days + 1)]


def _per_day(summary: Summary) -> str:
    goal = summary["goal"]
    by_date = {day["date"]: day for day in summary["days"][-PER_DAY_LIMIT:]}
    axis = per_day_axis(summary)
    ticks = day_ticks(axis)
    columns: list[charts.Column] = []
    for when in axis:
        day = by_date.get(when.isoformat())
        if day is None:  # before the log starts
            columns.append(charts.Column(ticks[len(columns)], (), None, "", {}))
            continue
        title = _(
            "{day}: {done} done, {skipped} skipped, {missed} missed, {natural} on your own; "
            "seated {seated}"
        ).format(
            day=_day_label(when),
            done=day["done"],
            skipped=day["skipped"],
            missed=day["missed"],
            natural=day["natural"],
            seated=_duration(day["seated_s"]),
        )
        columns.append(
            charts.Column(
                tick=ticks[len(columns)],
                values=[(key, day[key]) for key, _label in OUTCOME_LABELS],
                # No line through days with nothing recorded (weekends, holidays).
                line=day["seated_s"] / 3600 if _recorded(day) or day["seated_s"] else None,
                title=title,
                data={
                    "date": day["date"],
                    "done": day["done"],
                    "skipped": day["skipped"],
                    "missed": day["missed"],
                    "natural": day["natural"],
                    "seated-s": day["seated_s"],
                },
            )
        )
    svg = charts.stacked_columns(
        columns,
        label=_("Breaks per day against the goal, with hours seated"),
        goal=goal,
        goal_label=_("goal {goal}").format(goal=goal),
        line_format=hours_tick,
    )
    legend = _legend(
        [(key, _(label)) for key, label in OUTCOME_LABELS]
        + [("goal-key", _("daily goal")), ("seated-key", _("hours seated (right axis)"))]
    )
    note = ""
    if len(summary["days"]) > PER_DAY_LIMIT:
        note = _note(
            _("The last {count} days of the period are shown.").format(count=PER_DAY_LIMIT)
        )
    return _section("per-day", _("Every day"), _per_day_takeaway(summary), legend, svg, note)


def _recorded(day: DayRow) -> bool:
    return bool(day["due"] + day["natural"])


def day_ticks(days: Sequence[date], most: int = 14) -> list[str]:
    """Labels under the day columns: every few days counted back from the last (the
    newest day is always named), the month named where it changes."""
    every = max(1, -(-len(days) // most))
    ticks = []
    month = None
    for index, day in enumerate(days):
        if (len(days) - 1 - index) % every:
            ticks.append("")
        elif day.month != month:
            month = day.month
            ticks.append(_("{month} {day}").format(month=_(MONTHS[day.month - 1]), day=day.day))
        else:
            ticks.append(str(day.day))
    return ticks


def _per_day_takeaway(summary: Summary) -> str:
    totals, goal = summary["totals"], summary["goal"]
    days = summary["days"]
    best = max(days, key=lambda day: (day["done"], day["date"]))
    met, count = totals["days_goal_met"], totals["days"]
    if met == count:
        text = ngettext(
            "You met your goal of {goal} breaks on the one day so far.",
            "You met your goal of {goal} breaks on every one of {count} days.",
            count,
        )
    else:
        text = ngettext(
            "You met your goal of {goal} breaks on {met} of {count} day.",
            "You met your goal of {goal} breaks on {met} of {count} days.",
            count,
        )
    best_text = ngettext(
        "Best day: {day}, with {done} break done.",
        "Best day: {day}, with {done} breaks done.",
        best["done"],
    )
    first = text.format(goal=goal, met=met, count=count)
    return (
        first
        + " "
        + best_text.format(
            day=_day_label(date.fromisoformat(best["date"]), year=len(days) > 300),
            done=best["done"],
        )
    )


# --- week by hour -----------------------------------------------------------------------


# A heatmap's takeaway names an hour only with this many skips and misses (or stretches):
# "1 of 1" is no pattern.
PATTERN_MIN = 5


def _heatmaps(hours: Sequence[HourTotals]) -> str:
    grid = {(cell.weekday, cell.hour): cell for cell in hours}
    # The whole day whatever hours have data: an hour is as wide in every report.
    columns = list(range(24))
    ticks = [f"{hour:02d}" for hour in columns]
    rows = [_(name) for name in WEEKDAYS]
    sitting: list[list[charts.Cell | None]] = []
    skips: list[list[charts.Cell | None]] = []
    for weekday in range(7):
        sitting.append([])
        skips.append([])
        for hour in columns:
            cell = grid.get((weekday, hour))
            if cell is None:
                sitting[-1].append(None)
                skips[-1].append(None)
                continue
            where = _("{weekdays} {start:02d}:00–{end:02d}:00").format(
                weekdays=_(WEEKDAYS_PLURAL[weekday]), start=hour, end=(hour + 1) % 24
            )
            mean = cell.ended_s / cell.stretches if cell.stretches else 0
            sitting[-1].append(
                charts.Cell(
                    mean,
                    _("{where}: {count} stretches, {mean} on average, longest {longest}").format(
                        where=where,
                        count=cell.stretches,
                        mean=_duration(mean),
                        longest=_duration(cell.longest_s),
                    ),
                    {
                        "weekday": weekday,
                        "hour": hour,
                        "stretches": cell.stretches,
                        "seated-s": cell.seated_s,
                        "ended-s": cell.ended_s,
                        "longest-s": cell.longest_s,
                    },
                )
            )
            skips[-1].append(
                charts.Cell(
                    cell.skipped + cell.missed,
                    _("{where}: {skipped} skipped, {missed} missed of {count}").format(
                        where=where, skipped=cell.skipped, missed=cell.missed, count=cell.stretches
                    ),
                    {
                        "weekday": weekday,
                        "hour": hour,
                        "skipped": cell.skipped,
                        "missed": cell.missed,
                    },
                )
            )
    sit_svg = charts.heatmap(
        rows,
        ticks,
        sitting,
        label=_("Time seated before a break, by weekday and hour"),
        scheme="sit",
        relative=True,
    )
    skip_svg = charts.heatmap(
        rows, ticks, skips, label=_("Skipped and missed breaks, by weekday and hour"), scheme="skip"
    )
    scale_sit = _scale("sit", _("shorter"), _("longer"))
    scale_skip = _scale("skip", _("fewer"), _("more"))
    return "\n".join(
        [
            _section(
                "sitting-hours",
                _("When you sit longest"),
                _sitting_takeaway(grid),
                scale_sit,
                sit_svg,
            ),
            _section(
                "skip-hours",
                _("When breaks get skipped or missed"),
                _skip_takeaway(grid),
                scale_skip,
                skip_svg,
            ),
        ]
    )


def _scale(scheme: str, low: str, high: str) -> str:
    swatches = "".join(
        f'<svg viewBox="0 0 14 14" class="swatch"><rect width="14" height="14" rx="3" '
        f'class="{scheme} l{shade}"/></svg>'
        for shade in range(1, charts.LEVELS + 1)
    )
    return f'<p class="legend scale">{esc(low)} {swatches} {esc(high)}</p>'


def _sitting_takeaway(grid: dict[tuple[int, int], HourTotals]) -> str:
    ended = {key: cell for key, cell in grid.items() if cell.stretches}
    if not ended:
        return _("No sitting stretches ended in this period.")
    count = sum(cell.stretches for cell in ended.values())
    if count < PATTERN_MIN:
        return ngettext(
            "Only {count} sitting stretch so far: too few to say when you sit longest.",
            "Only {count} sitting stretches so far: too few to say when you sit longest.",
            count,
        ).format(count=count)
    # A single long stretch is an accident: name only an hour that happened more than once.
    repeated = {key: cell for key, cell in ended.items() if cell.stretches > 1}
    if not repeated:
        return _(
            "No weekday and hour has two sitting stretches yet: too few to say when you "
            "sit longest."
        )
    (weekday, hour), cell = max(
        repeated.items(), key=lambda item: (item[1].ended_s / item[1].stretches, item[0])
    )
    return _(
        "You sit longest before breaks at {hour:02d}:00 on {weekdays}: {mean} on average "
        "(longest {longest})."
    ).format(
        hour=hour,
        weekdays=_(WEEKDAYS_PLURAL[weekday]),
        mean=_duration(cell.ended_s / cell.stretches),
        longest=_duration(cell.longest_s),
    )


def _skip_takeaway(grid: dict[tuple[int, int], HourTotals]) -> str:
    total = sum(cell.skipped + cell.missed for cell in grid.values())
    if not total:
        return _("No break was skipped or missed in this period.")
    by_hour: dict[int, int] = {}
    for (_weekday, hour), cell in grid.items():
        by_hour[hour] = by_hour.get(hour, 0) + cell.skipped + cell.missed
    if total < PATTERN_MIN:
        return ngettext(
            "Only {total} break skipped or missed so far: too few to say when they happen.",
            "Only {total} breaks skipped or missed so far: too few to say when they happen.",
            total,
        ).format(total=total)
    hour, count = max(by_hour.items(), key=lambda item: (item[1], -item[0]))
    if count < 2:
        return ngettext(
            "Your {total} skipped or missed break is spread over the day: no hour has two.",
            "Your {total} skipped or missed breaks are spread over the day: no hour has two.",
            total,
        ).format(total=total)
    return ngettext(
        "Skipped and missed breaks cluster at {hour:02d}:00: {count} of {total}.",
        "Skipped and missed breaks cluster at {hour:02d}:00: {count} of {total}.",
        total,
    ).format(hour=hour, count=count, total=total)


# --- the year -------------------------------------------------------------------------


def calendar_shade(done: int, due: int, goal: int) -> int:
    """0 nothing recorded, 1 none done, 2 under half the goal, 3 under the goal, 4 met."""
    if done >= goal:
        return 4
    if done * 2 >= goal:
        return 3
    if done:
        return 2
    return 1 if due else 0


def _calendar(data: Report) -> str:
    year = data.year
    if year is None:
        return ""
    goal = year["goal"]
    by_date = {day["date"]: day for day in year["days"]}
    assert year["until"] is not None  # a summary's period always has an end
    period = year_period(datetime.fromisoformat(year["until"]))
    first = report.local_day(period.start)
    last = report.local_day(period.end - timedelta(microseconds=1))
    days = []
    for offset in range((last - first).days + 1):
        when = first + timedelta(days=offset)
        row = by_date.get(when.isoformat())
        label = _day_label(when)
        if row is None or not row["due"] + row["natural"]:
            days.append(charts.Day(when, 0, _("{day}: nothing recorded").format(day=label), {}))
            continue
        shade = calendar_shade(row["done"], row["due"], goal)
        title = _("{day}: {done} of {goal} done").format(day=label, done=row["done"], goal=goal)
        days.append(
            charts.Day(
                when,
                shade,
                title,
                {
                    "date": row["date"],
                    "done": row["done"],
                    "due": row["due"],
                    "goal-met": row["goal_met"],
                    "streak": row["streak"],
                },
            )
        )
    svg = charts.calendar(
        days,
        label=_("A year of days, coloured by the goal"),
        weekdays=[_(name) for name in WEEKDAYS],
        months=[_(name) for name in MONTHS],
    )
    legend = _legend(
        [
            ("cal l0", _("nothing recorded")),
            ("cal l1", _("none done")),
            ("cal l2", _("under half the goal")),
            ("cal l3", _("half the goal or more")),
            ("cal l4", _("goal met")),
        ]
    )
    totals = year["totals"]
    recorded = sum(1 for day in year["days"] if day["due"] + day["natural"])
    takeaway = ngettext(
        "Goal met on {met} of {recorded} day with breaks this year; "
        "current streak {streak} (best {best}).",
        "Goal met on {met} of {recorded} days with breaks this year; "
        "current streak {streak} (best {best}).",
        recorded,
    ).format(
        met=totals["days_goal_met"],
        recorded=recorded,
        streak=_days(totals["streak_current"]),
        best=_days(totals["streak_best"]),
    )
    return _section(
        "calendar",
        _("Your year"),
        takeaway,
        legend,
        f'<div class="scroll">{svg}</div>',
    )


# --- what you did -----------------------------------------------------------------------


def _balance(summary: Summary) -> str:
    totals = summary["totals"]
    balance = totals["balance"]
    parts = [
        charts.Bar(
            _(label),
            balance[key],
            key,
            _("{what}: {count} done").format(what=_(label), count=balance[key]),
            {"category": key, "done": balance[key]},
        )
        for key, label in CATEGORIES
    ]
    share = charts.share_bar(
        parts, label=_("Glute work, hip-flexor stretches and movement"), percent=format_percent
    )
    names: dict[str, str] = {key: _(label) for key, label in CATEGORIES}
    top = [
        charts.Bar(
            entry["name"] or entry["id"],
            entry["done"],
            entry["category"] or "other",
            _("{name} ({category}): {count} done").format(
                name=entry["name"] or entry["id"],
                category=names.get(entry["category"] or "", entry["category"] or "–"),
                count=entry["done"],
            ),
            {"id": entry["id"], "done": entry["done"]},
        )
        for entry in totals["top_exercises"]
    ]
    body = [_legend([(key, _(label)) for key, label in CATEGORIES]), share]
    if top:
        body += [
            _tag("h3", _("Top exercises")),
            charts.ranked_bars(top, label=_("The exercises you did most")),
        ]
    return _section("balance", _("What you did"), _balance_takeaway(totals), *body)


# The balance takeaway advises only with this many glute and hip-flexor exercises done.
BALANCE_MIN = 4


def _balance_takeaway(totals: Totals) -> str:
    glutes, hips = totals["balance"]["glutes"], totals["balance"]["hip_flexors"]
    if not glutes + hips + totals["balance"]["move"]:
        return _("No exercise was done in this period yet.")
    if glutes + hips < BALANCE_MIN:
        # One bridge is no imbalance to correct.
        return ngettext(
            "{count} glute or hip-flexor exercise so far: too few to weigh one against the other.",
            "{count} glute and hip-flexor exercises so far: too few to weigh one against the "
            "other.",
            glutes + hips,
        ).format(count=glutes + hips)
    share = glutes / (glutes + hips)
    if share > 0.6:
        text = _(
            "More glute work than hip-flexor stretches ({glutes} to {hips}): "
            "make the next few stretches."
        )
    elif share < 0.4:
        text = _(
            "More hip-flexor stretches than glute work ({hips} to {glutes}): "
            "let the next few wake the glutes."
        )
    else:
        text = _("Glute work and hip-flexor stretches are in balance ({glutes} to {hips}).")
    return text.format(glutes=glutes, hips=hips)


# --- week by week -----------------------------------------------------------------------


# A week joins the trend only with this much data (breaks due, days with one).
TREND_MIN_BREAKS = 5
TREND_MIN_DAYS = 2


class Week(NamedTuple):
    monday: date
    done: int
    due: int
    longest_s: int
    days: int = 0  # days with a break due

    @property
    def enough_for_trend(self) -> bool:
        """Whether the week says something: a few minutes of data are not a trend."""
        return self.due >= TREND_MIN_BREAKS and self.days >= TREND_MIN_DAYS

    @property
    def compliance(self) -> float | None:
        return self.done / self.due if self.due else None


def weeks(days: Sequence[DayRow]) -> list[Week]:
    """The summary's days grouped into weeks from Monday, oldest first."""
    grouped: dict[date, list[int]] = {}
    for day in days:
        when = date.fromisoformat(day["date"])
        monday = when - timedelta(days=when.weekday())
        week = grouped.setdefault(monday, [0, 0, 0, 0])
        week[0] += day["done"]
        week[1] += day["due"]
        week[2] = max(week[2], day["longest_s"])
        week[3] += 1 if day["due"] else 0
    return [Week(monday, *values) for monday, values in sorted(grouped.items())]


def _trend(summary: Summary) -> str:
    every = weeks(summary["days"])
    shown = every[-TREND_WEEKS:]
    counted = [week for week in shown if week.enough_for_trend]
    if len(counted) < 2:
        return _section(
            "trend",
            _("Week by week"),
            _(
                "The trend needs two weeks with breaks on at least {days} days and "
                "{breaks} breaks each: come back next week."
            ).format(days=TREND_MIN_DAYS, breaks=TREND_MIN_BREAKS),
        )
    compliance_points = []
    longest_points = []
    for week in shown:
        label = _("week of {day}").format(day=_day_label(week.monday))
        tick = _("{month} {day}").format(
            month=_(MONTHS[week.monday.month - 1]), day=week.monday.day
        )
        data = {
            "week": week.monday.isoformat(),
            "done": week.done,
            "due": week.due,
            "longest-s": week.longest_s,
        }
        compliance = week.compliance
        compliance_points.append(
            charts.Point(
                tick,
                None if compliance is None else compliance * 100,
                _("{week}: {percent} ({done} of {due})").format(
                    week=label, percent=_percent(compliance), done=week.done, due=week.due
                ),
                data,
            )
        )
        longest_points.append(
            charts.Point(
                tick,
                week.longest_s / 60 if week.due else None,
                _("{week}: longest {longest}").format(
                    week=label, longest=_duration(week.longest_s)
                ),
                data,
            )
        )
    top_minutes = charts.nice_ceiling(max(week.longest_s for week in shown) / 60)
    left = charts.line_chart(
        compliance_points,
        label=_("Compliance week by week"),
        top=100,
        tick_format=lambda value: format_percent(value / 100),
        cls="compliance",
    )
    right = charts.line_chart(
        longest_points,
        label=_("Longest stretch week by week"),
        top=top_minutes,
        tick_format=lambda value: _duration(value * 60),
        cls="longest",
    )
    # Outside the f-string: message extraction does not look into f-strings.
    compliance_caption, longest_caption = _("Compliance"), _("Longest stretch")
    pair = (
        '<div class="pair">'
        f"<figure>{_tag('figcaption', compliance_caption)}{left}</figure>"
        f"<figure>{_tag('figcaption', longest_caption)}{right}</figure>"
        "</div>"
    )
    note = ""
    if len(every) > TREND_WEEKS:
        note = _note(_("The last {count} weeks of the period are shown.").format(count=TREND_WEEKS))
    return _section("trend", _("Week by week"), _trend_takeaway(counted), pair, note)


def _note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def fitted_ends(values: Sequence[float]) -> tuple[float, float]:
    """A least-squares line through the values: its value at the first and the last."""
    count = len(values)
    mean_x = (count - 1) / 2
    mean_y = sum(values) / count
    spread = sum((x - mean_x) ** 2 for x in range(count))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread
    return mean_y - slope * mean_x, mean_y + slope * mean_x


def _trend_takeaway(counted: Sequence[Week]) -> str:
    count = len(counted)
    start, end = fitted_ends([week.done / week.due for week in counted])
    start, end = min(max(start, 0.0), 1.0), min(max(end, 0.0), 1.0)
    if end - start >= 0.05:
        first = ngettext(
            "Compliance rose from about {start} to {end} over {count} week.",
            "Compliance rose from about {start} to {end} over {count} weeks.",
            count,
        )
    elif start - end >= 0.05:
        first = ngettext(
            "Compliance fell from about {start} to {end} over {count} week.",
            "Compliance fell from about {start} to {end} over {count} weeks.",
            count,
        )
    else:
        first = ngettext(
            "Compliance held steady at about {end} over {count} week.",
            "Compliance held steady at about {end} over {count} weeks.",
            count,
        )
    long_start, long_end = fitted_ends([week.longest_s for week in counted])
    long_start, long_end = max(long_start, 0.0), max(long_end, 0.0)
    if long_end <= long_start * 0.9:
        second = _("Your longest stretch got shorter, from about {start} to {end}.")
    elif long_end >= long_start * 1.1:
        second = _("Your longest stretch got longer, from about {start} to {end}.")
    else:
        second = _("Your longest stretch stayed at about {end}.")
    return (
        first.format(start=_percent(start), end=_percent(end), count=count)
        + " "
        + second.format(start=_duration(long_start), end=_duration(long_end))
    )


# --- where it goes ----------------------------------------------------------------------


def default_name(now: datetime) -> str:
    return f"glutewake-report-{now.astimezone():%Y-%m-%d}.html"


def check_output(target: Path, log: Path) -> None:
    """Refuse a target that is the log, is not a regular file, is someone's other file,
    or is in a folder that does not exist.

    A report is replaced only by a report (its generator tag), so a typo in --output
    cannot replace a document or the log itself.
    """
    if target.is_dir():
        raise GlutewakeError(
            _("{path}: is a folder; give a file name for the report").format(path=target)
        )
    from glutewake.files import missing_folder, no_folder_message

    folder = missing_folder(target)
    if folder is not None:  # a typo in the folder: never made
        raise GlutewakeError(no_folder_message(target, folder))
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_file():
        raise GlutewakeError(
            _("{path}: not a regular file; give another name for the report").format(path=target)
        )
    for part in (log, *(log.with_name(log.name + end) for end in ("-wal", "-shm", "-journal"))):
        try:
            if part.exists() and target.samefile(part):
                raise GlutewakeError(
                    _("{path}: that is the log; give another name for the report").format(
                        path=target
                    )
                )
        except OSError:
            continue
    try:
        with target.open("rb") as handle:
            start = handle.read(2048)
    except OSError as exc:
        raise GlutewakeError(
            _("{path}: cannot read it ({reason})").format(path=target, reason=exc.strerror)
        ) from None
    if b'name="generator" content="glutewake' not in start:
        raise GlutewakeError(
            _(
                "{path}: exists and is not a glutewake report; give another name or remove it"
            ).format(path=target)
        )
