"""Small SVG charts for the HTML report: inline, styled by the page's CSS, no JavaScript.

Our own code rather than a charting library: the report needs a stacked column chart with
a second axis, two week-by-hour heatmaps and a year calendar, drawn as plain SVG whose
colours come from CSS classes (so dark mode and printing are the page's CSS, not baked-in
colours). Every mark carries a <title> (a tooltip without script) and data-* attributes
with its numbers, which the tests compare with `log --summary --format json`.

Nothing here knows about breaks: callers pass labels, numbers and CSS classes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING, NamedTuple, TypedDict

if TYPE_CHECKING:
    from typing_extensions import Unpack

Data = Mapping[str, object]


class Tip(TypedDict, total=False):
    """What a mark may carry besides its shape: a tooltip and data-* attributes."""

    title: str | None
    data: Data | None


def esc(text: object) -> str:
    """Text safe inside an element or a quoted attribute, in HTML and inline SVG alike."""
    return escape(str(text), quote=True)


def num(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros (keeps big charts small)."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


NICE = (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10)  # each splits into 4 readable ticks


def nice_ceiling(value: float) -> float:
    """The smallest round number at least `value` (min 1) whose quarters read well."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return float(next(step * power for step in NICE if value <= step * power + 1e-9))


def ticks(top: float, count: int = 4) -> list[float]:
    """Evenly spaced axis values from 0 to `top` inclusive."""
    return [top * n / count for n in range(count + 1)]


def _data(data: Data | None) -> str:
    if not data:
        return ""
    return "".join(f' data-{key}="{esc(_data_value(value))}"' for key, value in data.items())


def _data_value(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value


def _title(title: str | None) -> str:
    return f"<title>{esc(title)}</title>" if title else ""


class Svg:
    """An <svg> element built from parts; scales to its container's width (viewBox)."""

    def __init__(self, width: float, height: float, label: str, cls: str = "chart") -> None:
        self.width, self.height = width, height
        self.label, self.cls = label, cls
        self.parts: list[str] = []

    def rect(
        self, x: float, y: float, w: float, h: float, cls: str, *, rx: float = 0, **tip: Unpack[Tip]
    ) -> None:
        radius = f' rx="{num(rx)}"' if rx else ""
        size = f'x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}"{radius}'
        self._mark("rect", size, cls, tip)

    def text(self, x: float, y: float, text: str, cls: str = "tick", anchor: str = "start") -> None:
        middle = "" if anchor == "start" else f' text-anchor="{anchor}"'
        self.parts.append(
            f'<text x="{num(x)}" y="{num(y)}" class="{cls}"{middle}>{esc(text)}</text>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str) -> None:
        self.parts.append(
            f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" class="{cls}"/>'
        )

    def polyline(self, points: Sequence[tuple[float, float]], cls: str) -> None:
        coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        self.parts.append(f'<polyline points="{coords}" class="{cls}"/>')

    def circle(self, cx: float, cy: float, r: float, cls: str, **tip: Unpack[Tip]) -> None:
        self._mark("circle", f'cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}"', cls, tip)

    def _mark(self, tag: str, shape: str, cls: str, tip: Tip) -> None:
        """A rect or circle, with its tooltip as a <title> child when it has one."""
        title = tip.get("title")
        head = f'<{tag} {shape} class="{cls}"{_data(tip.get("data"))}'
        self.parts.append(f"{head}>{_title(title)}</{tag}>" if title else f"{head}/>")

    def open_group(self, cls: str, *, title: str | None = None, data: Data | None = None) -> None:
        self.parts.append(f'<g class="{cls}"{_data(data)}>{_title(title)}')

    def close_group(self) -> None:
        self.parts.append("</g>")

    def render(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(self.width)} '
            f'{num(self.height)}" class="{self.cls}" role="img" aria-label="{esc(self.label)}">'
            f"<title>{esc(self.label)}</title>" + "".join(self.parts) + "</svg>"
        )


# --- stacked columns with a goal and a line on a second axis ---------------------------


class Column(NamedTuple):
    tick: str  # the label under the column ("" for none: the caller spaces them)
    values: Sequence[tuple[str, float]]  # (css class, value), bottom first
    line: float | None  # the value of the line at this column, on the right axis
    title: str  # "": a place on the axis with nothing to show (no mark at all)
    data: Data


def _canvas(
    width: float, height: float, label: str, margins: tuple[float, float, float, float]
) -> tuple[Svg, float, float]:
    """A chart's <svg> and the width and height left to plot inside (left, right, top, bottom)."""
    left, right, top, bottom = margins
    return Svg(width, height, label), width - left - right, height - top - bottom


def stacked_columns(
    columns: Sequence[Column],
    *,
    label: str,
    goal: float | None = None,
    goal_label: str = "",
    line_format: Callable[[float], str] = num,
    width: float = 960,
    height: float = 300,
    bar_max: float = 40,
) -> str:
    """One column per place on the axis, evenly spaced; a column is at most `bar_max`
    wide however few there are, so one day is a bar, not a wall."""
    left, _, top_pad, _ = margins = (36.0, 52.0, 14.0, 34.0)  # left, right, top, bottom
    svg, plot_w, plot_h = _canvas(width, height, label, margins)
    highest = max([sum(v for _, v in c.values) for c in columns] + [goal or 0, 1])
    top = nice_ceiling(highest)
    line_values = [c.line for c in columns if c.line is not None]
    line_top = nice_ceiling(max(line_values, default=0))
    base = top_pad + plot_h

    def y(value: float) -> float:
        return base - value * plot_h / top

    def y_line(value: float) -> float:
        return base - value * plot_h / line_top

    for tick in ticks(top):
        svg.line(left, y(tick), left + plot_w, y(tick), "grid")
        svg.text(left - 6, y(tick) + 4, num(tick), anchor="end")
    if line_values:
        for tick in ticks(line_top):
            svg.text(left + plot_w + 6, y_line(tick) + 4, line_format(tick), "tick line-tick")
    step = plot_w / max(len(columns), 1)
    bar_w = min(max(step * 0.72, 1.0), bar_max)
    runs: list[list[tuple[float, float]]] = [[]]
    for index, column in enumerate(columns):
        x = left + index * step + (step - bar_w) / 2
        if column.title:
            svg.open_group("column", title=column.title, data=column.data)
            stacked = 0.0
            for cls, value in column.values:
                if value > 0:
                    svg.rect(x, y(stacked + value), bar_w, value * plot_h / top, cls)
                stacked += value
            svg.close_group()
        centre = x + bar_w / 2
        if column.line is not None:
            runs[-1].append((centre, y_line(column.line)))
        elif runs[-1]:
            runs.append([])  # a gap in the line
        if column.tick:
            svg.text(centre, base + 16, column.tick, anchor="middle")
    if goal:
        svg.line(left, y(goal), left + plot_w, y(goal), "goal")
        svg.text(left + plot_w - 4, y(goal) - 5, goal_label, "goal-label", anchor="end")
    for run in runs:
        if len(run) > 1:
            svg.polyline(run, "seated-line")
        if len(columns) <= 62:
            for px, py in run:
                svg.circle(px, py, 2.6, "seated-dot")
    svg.line(left, base, left + plot_w, base, "axis")
    return svg.render()


# --- heatmap ------------------------------------------------------------------------------


class Cell(NamedTuple):
    value: float  # what the shade shows; 0 is an empty cell
    title: str
    data: Data


LEVELS = 5  # shades besides "empty"


def level(value: float, highest: float, lowest: float = 0.0) -> int:
    """0 for nothing, else 1..LEVELS by where `value` lies between `lowest` and `highest`."""
    if value <= 0 or highest <= 0:
        return 0
    if highest <= lowest:
        return LEVELS
    return max(1, min(LEVELS, math.ceil((value - lowest) / (highest - lowest) * LEVELS)))


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[Cell | None]],
    *,
    label: str,
    scheme: str,
    relative: bool = False,
    width: float = 960,
) -> str:
    """rows x columns shaded cells; `cells[r][c]` None is a cell with nothing in it.

    Shades run from 0 to the highest value, or with `relative` from the lowest value
    shown to the highest (when every value is large, the differences are the news).
    """
    left, top_pad, gap = 44.0, 20.0, 3.0
    cell_w = (width - left) / max(len(columns), 1)
    cell_h = 26.0
    height = top_pad + len(rows) * cell_h + 4
    svg = Svg(width, height, label)
    values = [c.value for row in cells for c in row if c is not None and c.value > 0]
    highest = max(values, default=0.0)
    # Half a shade below the lowest, so the lowest cell still shows.
    lowest = min(values) - (highest - min(values)) / (2 * LEVELS) if relative and values else 0.0
    every = 1 if cell_w >= 30 else 2
    for c, name in enumerate(columns):
        if name and c % every == 0:
            svg.text(left + c * cell_w + cell_w / 2, 13, name, anchor="middle")
    for r, name in enumerate(rows):
        y = top_pad + r * cell_h
        svg.text(left - 8, y + cell_h / 2 + 4, name, anchor="end")
        for c, cell in enumerate(cells[r]):
            x = left + c * cell_w
            shade = 0 if cell is None else level(cell.value, highest, lowest)
            svg.rect(
                x + gap / 2,
                y + gap / 2,
                cell_w - gap,
                cell_h - gap,
                f"{scheme} l{shade}",
                title=None if cell is None else cell.title,
                data=None if cell is None else cell.data,
                rx=3,
            )
    return svg.render()


# --- a year of days ---------------------------------------------------------------------


class Day(NamedTuple):
    day: date
    shade: int  # 0 (nothing recorded) .. LEVELS
    title: str
    data: Data


def calendar(
    days: Sequence[Day],
    *,
    label: str,
    weekdays: Sequence[str],
    months: Sequence[str],
    scheme: str = "cal",
) -> str:
    """GitHub-style: one column per week (Monday on top), one square per day."""
    if not days:
        return Svg(0, 0, label).render()
    size, gap, left, top_pad = 14.0, 3.0, 34.0, 18.0
    first_monday = days[0].day - timedelta(days=days[0].day.weekday())
    weeks = (days[-1].day - first_monday).days // 7 + 1
    width = left + weeks * (size + gap)
    height = top_pad + 7 * (size + gap)
    svg = Svg(width, height, label, cls="chart calendar")
    for row in (0, 2, 4):
        svg.text(left - 6, top_pad + row * (size + gap) + size - 3, weekdays[row], anchor="end")
    last_month = None
    for entry in days:
        week = (entry.day - first_monday).days // 7
        x = left + week * (size + gap)
        y = top_pad + entry.day.weekday() * (size + gap)
        if entry.day.month != last_month and entry.day.day <= 7 and x + 28 <= width:
            svg.text(x, 12, months[entry.day.month - 1])
        last_month = entry.day.month if entry.day.day <= 7 else last_month
        svg.rect(
            x, y, size, size, f"{scheme} l{entry.shade}", title=entry.title, data=entry.data, rx=2.5
        )
    return svg.render()


# --- shares and ranked bars -------------------------------------------------------------


class Bar(NamedTuple):
    label: str
    value: float
    cls: str
    title: str
    data: Data


def share_bar(
    parts: Sequence[Bar],
    *,
    label: str,
    percent: Callable[[float], str] = lambda ratio: f"{ratio:.0%}",
    width: float = 960,
) -> str:
    """One bar split by share (a 100 % stacked bar), each part labelled inside when it fits."""
    height = 34.0
    svg = Svg(width, height, label)
    total = sum(part.value for part in parts)
    x = 0.0
    for part in parts:
        w = width * part.value / total if total else 0.0
        if w <= 0:
            continue
        svg.rect(x, 0, w, height, part.cls, title=part.title, data=part.data)
        share = percent(part.value / total)
        for text in (f"{part.label} {share}", share):
            if w >= len(text) * 8.2 + 14:
                svg.text(x + 10, height / 2 + 5, text, "inside")
                break
        x += w
    return svg.render()


def ranked_bars(bars: Sequence[Bar], *, label: str, width: float = 960) -> str:
    """Horizontal bars, longest first as given, the label left and the value at the end."""
    row, left, right = 28.0, 300.0, 56.0
    svg = Svg(width, max(len(bars), 1) * row, label)
    highest = max((bar.value for bar in bars), default=0.0)
    for index, bar in enumerate(bars):
        y = index * row
        svg.text(left - 10, y + row / 2 + 5, _clip(bar.label, 38), "bar-label", anchor="end")
        w = (width - left - right) * bar.value / highest if highest else 0.0
        svg.rect(left, y + 5, max(w, 1.0), row - 10, bar.cls, title=bar.title, data=bar.data, rx=3)
        svg.text(left + w + 8, y + row / 2 + 5, num(bar.value), "bar-value")
    return svg.render()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- a line over time -------------------------------------------------------------------


class Point(NamedTuple):
    tick: str
    value: float | None  # None: no value that week (a gap in the line)
    title: str
    data: Data


def line_chart(
    points: Sequence[Point],
    *,
    label: str,
    top: float,
    tick_format: Callable[[float], str],
    cls: str,
    width: float = 460,
    height: float = 220,
) -> str:
    left, _, top_pad, _ = margins = (48.0, 26.0, 12.0, 30.0)  # left, right, top, bottom
    svg, plot_w, plot_h = _canvas(width, height, label, margins)
    base = top_pad + plot_h

    def y(value: float) -> float:
        return base - value * plot_h / top

    for tick in ticks(top):
        svg.line(left, y(tick), left + plot_w, y(tick), "grid")
        svg.text(left - 6, y(tick) + 4, tick_format(tick), anchor="end")
    step = plot_w / max(len(points) - 1, 1)
    every = max(1, math.ceil(len(points) / 6))
    run: list[tuple[float, float]] = []
    for index, point in enumerate(points):
        x = left + index * step if len(points) > 1 else left + plot_w / 2
        if point.tick and (index % every == 0 or index == len(points) - 1):
            svg.text(x, base + 18, point.tick, anchor="middle")
        if point.value is None:
            if len(run) > 1:
                svg.polyline(run, f"trend {cls}")
            run = []
            continue
        run.append((x, y(point.value)))
    if len(run) > 1:
        svg.polyline(run, f"trend {cls}")
    for index, point in enumerate(points):
        if point.value is None:
            continue
        x = left + index * step if len(points) > 1 else left + plot_w / 2
        radius = 3.2 if len(points) <= 60 else 1.6
        svg.circle(x, y(point.value), radius, f"dot {cls}", title=point.title, data=point.data)
    svg.line(left, base, left + plot_w, base, "axis")
    return svg.render()
