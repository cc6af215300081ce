"""`glutewake report`: the page parses, every chart's numbers are the summary's, escaping,
empty and tiny logs, the output file, and the SVG helpers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from glutewake import charts, report, report_html
from glutewake.queries import HourTotals
from glutewake.store import Store
from glutewake.vocab import OUTCOMES
from report_screenshot import LAST_DAY, end_of, seed_log, zone
from storetools import brk, local_zone, seed_berlin_dst, utc

SINCE = "2024-02-01"
UNTIL = LAST_DAY.isoformat()  # 2024-04-05: across the spring DST change
PERIOD = ("--since", SINCE, "--until", UNTIL)
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "source", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], section: str | None) -> None:
        self.tag, self.attrs, self.section = tag, attrs, section
        self.text = ""


class Page(HTMLParser):
    """Every element with its attributes and the id of the <section> it is in; checks that
    every element is closed in order (html.parser itself forgives anything)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.errors: list[str] = []
        self.data: list[tuple[str | None, str]] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {[e.tag for e in self.stack]}")

    def _section(self) -> str | None:
        for element in reversed(self.stack):
            if element.tag == "section":
                return element.attrs.get("id")
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self._section())
        if tag == "section":
            element.section = element.attrs.get("id")
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}, self._section()))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1].tag != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1].tag if self.stack else None}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text += data
        self.data.append((self._section(), data))

    def find(self, section: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.section == section and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def with_data(self, section: str, key: str) -> list[dict[str, str]]:
        return [e.attrs for e in self.elements if e.section == section and f"data-{key}" in e.attrs]

    def text_of(self, section: str) -> str:
        return "".join(text for where, text in self.data if where == section)


# --- a real log, the same period through `log --summary` and `report` -------------------


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seeded")
    with zone():
        seed_log(folder / "glutewake.db", breaks=1500)
    return folder / "glutewake.db"


@pytest.fixture
def berlin() -> Iterator[None]:
    with local_zone("Europe/Berlin"):
        yield


@pytest.fixture
def seeded(seeded_db: Path, data_dir: Path, berlin: None) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "glutewake.db"
    target.write_bytes(seeded_db.read_bytes())
    return target


def summary(cli: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = cli("log", "--summary", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def page_of(cli: Callable[..., Result], tmp_path: Path, *args: str) -> tuple[str, Page]:
    out = tmp_path / "out.html"
    result = cli("report", *args, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}\n"
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert page.errors == []
    return text, page


@pytest.fixture
def seeded_page(cli, seeded, tmp_path) -> tuple[str, Page, dict[str, Any]]:
    text, page = page_of(cli, tmp_path, *PERIOD)
    return text, page, summary(cli, *PERIOD)


def test_the_page_is_self_contained_html_with_every_chart(seeded_page):
    text, page, _summary = seeded_page
    assert text.startswith("<!DOCTYPE html>\n<html lang=")
    assert [e.attrs["id"] for e in page.elements if e.tag == "section"] == [
        "tiles",
        "per-day",
        "sitting-hours",
        "skip-hours",
        "calendar",
        "balance",
        "trend",
    ]
    assert [e.tag for e in page.elements].count("svg") >= 6
    for card in (e for e in page.elements if "chart-card" in e.attrs.get("class", "")):
        takeaways = page.find(card.attrs["id"], **{"class": "takeaway"})
        assert len(takeaways) == 1 and takeaways[0].text.strip().endswith(".")
    # Nothing to load and nothing to run: no script, no external reference.
    assert not [e for e in page.elements if e.tag in ("script", "img", "link", "iframe")]
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text and "url(" not in text and " on" + "load=" not in text
    assert "@media (prefers-color-scheme:dark)" in text and "@media print" in text


def test_per_day_columns_are_the_summary_days(seeded_page):
    _text, page, expected = seeded_page
    columns = page.with_data("per-day", "date")
    assert [c["data-date"] for c in columns] == [d["date"] for d in expected["days"]]
    for column, day in zip(columns, expected["days"], strict=True):
        for key in ("done", "skipped", "missed", "natural"):
            assert int(column[f"data-{key}"]) == day[key], (day["date"], key)
        assert int(column["data-seated-s"]) == day["seated_s"]
    # The bars are drawn to scale: each column's rects are its counts times one height.
    groups = [e for e in page.elements if e.section == "per-day" and e.tag == "g"]
    heights: Counter[str] = Counter()
    index = page.elements.index(groups[0])
    for element in page.elements[index:]:
        if element.tag == "rect" and element.attrs.get("class") in OUTCOMES:
            heights[element.attrs["class"]] += round(float(element.attrs["height"]) * 10)
    totals = expected["totals"]
    # The chart draws the outcomes the summary counts (an abandoned break is none of them).
    drawn = ("done", "skipped", "missed", "natural")
    units = {key: heights[key] / totals[key] for key in drawn}
    assert max(units.values()) - min(units.values()) < 0.05 * max(units.values())


def test_the_heatmaps_add_up_to_the_summary(seeded_page):
    _text, page, expected = seeded_page
    totals = expected["totals"]
    sitting = page.with_data("sitting-hours", "seated-s")
    assert sum(int(c["data-seated-s"]) for c in sitting) == totals["seated_s"]
    assert max(int(c["data-longest-s"]) for c in sitting) == totals["longest_s"]
    # A stretch ends at every break but a missed one, and at a stop.
    ended = totals["done"] + totals["skipped"] + totals["natural"]
    assert sum(int(c["data-stretches"]) for c in sitting) >= ended
    for c in sitting:
        assert int(c["data-ended-s"]) <= int(c["data-stretches"]) * totals["longest_s"]
    skips = page.with_data("skip-hours", "skipped")
    assert sum(int(c["data-skipped"]) for c in skips) == totals["skipped"]
    assert sum(int(c["data-missed"]) for c in skips) == totals["missed"]
    assert {(c["data-weekday"], c["data-hour"]) for c in skips} == {
        (c["data-weekday"], c["data-hour"]) for c in sitting
    }


@pytest.mark.parametrize("since", [SINCE, "2020-01-01"], ids=["short", "whole-log"])
def test_the_calendar_is_the_summary_of_the_year(cli, seeded, tmp_path, since):
    # A short period reads the year from the log; a long one cuts it from its summary.
    _text, page = page_of(cli, tmp_path, "--since", since, "--until", UNTIL)
    first = LAST_DAY - timedelta(days=report_html.YEAR_DAYS - 1)
    year = summary(cli, "--since", first.isoformat(), "--until", UNTIL)
    cells = page.with_data("calendar", "date")
    recorded = {d["date"]: d for d in year["days"] if d["due"] + d["natural"]}
    assert [c["data-date"] for c in cells] == sorted(recorded)
    for cell in cells:
        day = recorded[cell["data-date"]]
        assert int(cell["data-done"]) == day["done"] and int(cell["data-due"]) == day["due"]
        assert cell["data-goal-met"] == str(int(day["goal_met"]))
        assert int(cell["data-streak"]) == day["streak"]
    squares = [e for e in page.find("calendar") if e.tag == "rect" and "cal" in e.attrs["class"]]
    assert len(squares) == report_html.YEAR_DAYS
    met = year["totals"]["days_goal_met"]
    assert f"Goal met on {met} of {len(recorded)} days" in page.text_of("calendar")


def test_balance_and_top_exercises_are_the_summary(seeded_page):
    _text, page, expected = seeded_page
    totals = expected["totals"]
    shares = {
        c["data-category"]: int(c["data-done"]) for c in page.with_data("balance", "category")
    }
    assert shares == totals["balance"]
    top = [(c["data-id"], int(c["data-done"])) for c in page.with_data("balance", "id")]
    assert top == [(t["id"], t["done"]) for t in totals["top_exercises"]]
    labels = [e.text for e in page.find("balance", **{"class": "bar-label"})]
    assert labels == [t["name"] for t in totals["top_exercises"]]


def test_the_trend_is_the_summary_week_by_week(seeded_page):
    _text, page, expected = seeded_page
    weeks: dict[str, list[int]] = {}
    for day in expected["days"]:
        when = date.fromisoformat(day["date"])
        week = weeks.setdefault((when - timedelta(days=when.weekday())).isoformat(), [0, 0, 0])
        week[0] += day["done"]
        week[1] += day["due"]
        week[2] = max(week[2], day["longest_s"])
    points = page.with_data("trend", "week")
    drawn = {
        p["data-week"]: [int(p["data-done"]), int(p["data-due"]), int(p["data-longest-s"])]
        for p in points
    }
    assert drawn == {week: values for week, values in weeks.items() if values[1]}
    assert "Compliance " in page.text_of("trend")


def test_the_tiles_are_the_totals(seeded_page):
    _text, page, expected = seeded_page
    totals = expected["totals"]
    tiles = {e.attrs["data-tile"]: e.text for e in page.elements if "data-tile" in e.attrs}
    assert tiles["compliance"].startswith(f"{totals['compliance']:.0%}")
    assert tiles["done"].startswith(str(totals["done"]))
    assert tiles["goal"].startswith(f"{totals['days_goal_met']} of {totals['days']}")
    assert f"best {totals['streak_best']} day" in tiles["streak"]


@pytest.mark.parametrize("option", ["--week", "--month", "--since=3d"])
def test_periods_are_logs_periods(cli, data_dir, tmp_path, berlin, option):
    data_dir.mkdir(parents=True)
    seed_log(data_dir / "glutewake.db", breaks=400, last_day=date.today())
    expected = summary(cli, option)
    if not expected["totals"]["due"] + expected["totals"]["natural"]:
        pytest.skip("nothing in this period of the log (e.g. --week on a Monday morning)")
    _text, page = page_of(cli, tmp_path, option)
    assert [c["data-date"] for c in page.with_data("per-day", "date")] == [
        d["date"] for d in expected["days"]
    ]


# --- escaping ---------------------------------------------------------------------------

NASTY = '</title><script>alert("x")</script> & <b>bold</b> "quoted" \'single\''


def test_exercise_names_with_markup_stay_text(cli, data_dir, tmp_path, berlin):
    data_dir.mkdir(parents=True)
    now = datetime.now().astimezone()
    with Store.open(data_dir / "glutewake.db") as store:
        for minutes in (90, 60, 30):
            record = brk("done", now - timedelta(minutes=minutes), exercise="my-own")
            store.add_break(record._replace(exercise_name=NASTY, category="glutes"))
    text, page = page_of(cli, tmp_path, "--since", "2d")
    assert "<script>" not in text and "<b>bold" not in text
    assert not [e for e in page.elements if e.tag == "script"]
    assert not [e for e in page.elements if e.tag == "b" and e.section != "tiles"]
    labels = [e.text for e in page.find("balance", **{"class": "bar-label"})]
    assert labels == [charts._clip(NASTY, 38)]
    titles = [e.text for e in page.elements if e.tag == "title" and e.section == "balance"]
    assert any(NASTY in title for title in titles)


# --- empty and tiny logs ----------------------------------------------------------------


def test_no_log_gets_a_friendly_page(cli, tmp_path, data_dir):
    _text, page = page_of(cli, tmp_path)
    assert [e.attrs.get("id") for e in page.elements if e.tag == "section"] == ["empty"]
    assert "No breaks recorded yet" in page.text_of("empty")
    assert not [e for e in page.elements if e.tag == "svg"]
    assert not data_dir.exists()  # reading never creates a log


def test_an_empty_period_names_where_the_log_starts(cli, seeded, tmp_path):
    _text, page = page_of(cli, tmp_path, "--since", "2030-01-01", "--until", "2030-01-31")
    text = page.text_of("empty")
    assert "No breaks in this period" in text
    assert "--since 2023-" in text or "--since 2024-" in text


def test_a_single_break_today_draws_without_a_trend(cli, data_dir, tmp_path, berlin):
    data_dir.mkdir(parents=True)
    with Store.open(data_dir / "glutewake.db") as store:
        store.add_break(brk("skipped", datetime.now().astimezone() - timedelta(minutes=5)))
    _text, page = page_of(cli, tmp_path)
    columns = page.with_data("per-day", "date")
    # One column, or two when today began within the last five minutes.
    assert [c["data-date"] for c in columns] == [d["date"] for d in summary(cli)["days"]]
    assert len(columns) in (1, 2) and sum(int(c["data-skipped"]) for c in columns) == 1
    assert "two weeks" in page.text_of("trend")
    assert not page.find("trend", **{"class": "pair"})
    assert "No exercise was done" in page.text_of("balance")
    assert sum(int(c["data-skipped"]) for c in page.with_data("skip-hours", "skipped")) == 1


# --- a new log: a day or two of breaks -------------------------------------------------


FIRST_DAY = date(2024, 11, 30)  # a Saturday
FOUR_WEEKS = ("--since", "2024-11-03", "--until", FIRST_DAY.isoformat())


@pytest.fixture
def first_day(data_dir: Path, berlin: None) -> None:
    """A new user's log: a handful of breaks on one day, one of them skipped."""
    data_dir.mkdir(parents=True)
    with Store.open(data_dir / "glutewake.db") as store:
        for hour, outcome in ((9, "done"), (10, "skipped"), (13, "done")):
            at = datetime(2024, 11, 30, hour, 10).astimezone()
            store.add_break(brk(outcome, at, seated_s=45 * 60))


def _bottom_ticks(page: Page, section: str) -> list[str]:
    return [
        e.text
        for e in page.find(section, **{"class": "tick", "text-anchor": "middle"})
        if e.tag == "text"
    ]


def test_a_first_day_is_a_narrow_bar_at_its_place_on_the_axis(cli, first_day, tmp_path):
    _text, page = page_of(cli, tmp_path, *FOUR_WEEKS)
    assert [c["data-date"] for c in page.with_data("per-day", "date")] == ["2024-11-30"]
    bars = [e.attrs for e in page.find("per-day") if e.tag == "rect"]
    assert len(bars) == 2  # done and skipped
    # The axis is the period's four weeks (36 to 908 of 960): the bar is in the last place.
    assert all(float(bar["width"]) <= 31 for bar in bars)
    assert all(float(bar["x"]) >= 36 + 872 * 27 / 28 for bar in bars)
    ticks = _bottom_ticks(page, "per-day")
    assert len(ticks) == 14 and ticks[-1] == "30"
    # A period of that one day: one place on the axis, a bar of at most 40, in the middle.
    _text, page = page_of(cli, tmp_path, "--since", "2024-11-30", "--until", "2024-11-30")
    bars = [e.attrs for e in page.find("per-day") if e.tag == "rect"]
    assert all(float(bar["width"]) == 40 for bar in bars)
    assert all(float(bar["x"]) + 20 == pytest.approx(36 + 872 / 2, abs=0.1) for bar in bars)


@pytest.mark.parametrize("section", ["sitting-hours", "skip-hours"])
def test_the_heatmaps_are_the_whole_day_whatever_hours_have_data(cli, first_day, tmp_path, section):
    _text, page = page_of(cli, tmp_path, *FOUR_WEEKS)
    assert _bottom_ticks(page, section) == [f"{hour:02d}" for hour in range(24)]
    cells = [e.attrs for e in page.find(section) if e.tag == "rect" and "x" in e.attrs]
    assert len(cells) == 7 * 24
    assert len({cell["width"] for cell in cells}) == 1
    assert float(cells[0]["width"]) < 40
    marked = {(c["data-weekday"], c["data-hour"]) for c in cells if "data-hour" in c}
    assert marked == {("5", "9"), ("5", "10"), ("5", "13")}


def test_a_few_breaks_make_no_pattern_takeaway(cli, first_day, tmp_path):
    _text, page = page_of(cli, tmp_path, *FOUR_WEEKS)
    skips = page.find("skip-hours", **{"class": "takeaway"})[0].text
    assert skips == "Only 1 break skipped or missed so far: too few to say when they happen."
    sitting = page.find("sitting-hours", **{"class": "takeaway"})[0].text
    assert sitting == "Only 3 sitting stretches so far: too few to say when you sit longest."


def _hours(*cells: tuple[int, int, int]) -> dict[tuple[int, int], HourTotals]:
    """(weekday, hour, count) cells, each count both stretches of 30m and skips."""
    return {
        (weekday, hour): HourTotals(
            weekday, hour, stretches=count, ended_s=count * 1800, longest_s=1800, skipped=count
        )
        for weekday, hour, count in cells
    }


def test_pattern_takeaways_need_enough_data():
    sitting, skip = report_html._sitting_takeaway, report_html._skip_takeaway
    assert "cluster at 10:00: 4 of 6" in skip(_hours((0, 10, 3), (1, 10, 1), (2, 11, 2)))
    spread = _hours(*((0, hour, 1) for hour in range(9, 15)))
    assert skip(spread) == (
        "Your 6 skipped or missed breaks are spread over the day: no hour has two."
    )
    assert skip(_hours((0, 10, 4))).startswith("Only 4 breaks skipped or missed so far")
    assert sitting(_hours((0, 10, 3), (2, 11, 2))).startswith(
        "You sit longest before breaks at 11:00 on Wednesdays"
    )
    assert "two sitting stretches" in sitting(spread)
    assert sitting(_hours((0, 10, 1))).startswith("Only 1 sitting stretch so far")


# --- local days and hours ---------------------------------------------------------------


def test_hours_are_local_across_the_dst_change(berlin):
    with Store.open(":memory:") as store:
        seed_berlin_dst(store)
        hours = store.hour_totals(utc(2024, 3, 30), utc(2024, 4, 2))
    grid = {(cell.weekday, cell.hour): cell for cell in hours}
    # 01:30 UTC on 31 Mar is 03:30 CEST (Sunday); 22:20 UTC that day is Monday 00:20.
    assert grid[(6, 3)].stretches == 1
    assert grid[(0, 0)].stretches == 1
    # 23:10 UTC on Saturday is Sunday 00:10 CET: a missed break, which ends no stretch.
    assert (grid[(6, 0)].missed, grid[(6, 0)].stretches, grid[(6, 0)].seated_s) == (1, 0, 1800)
    # The loop's stop (01:00 CEST Monday) closes a 40-minute stretch.
    assert grid[(0, 1)].seated_s == 2400
    assert sum(cell.stretches for cell in hours) == 10


def test_a_miss_does_not_end_the_stretch_nor_count_twice(berlin):
    with Store.open(":memory:") as store:
        session = store.begin_session(pid=1, started_at=utc(2024, 5, 6, 7))
        store.add_break(brk("missed", utc(2024, 5, 6, 8), seated_s=2700, session_id=session))
        # The next prompt: the sitting went on through the miss (45 + 30 minutes), of
        # which the miss already counted 45.
        done = brk("done", utc(2024, 5, 6, 8, 40), seated_s=4500, session_id=session)
        store.add_break(done._replace(carried_s=2700))
        store.end_session(session, ended_at=utc(2024, 5, 6, 9), seated_s=600)
        hours = store.hour_totals(utc(2024, 5, 6), utc(2024, 5, 7))
        (day,) = store.day_totals(utc(2024, 5, 6), utc(2024, 5, 7))
    grid = {(cell.weekday, cell.hour): cell for cell in hours}
    # 10:00 and 10:40 CEST: one stretch ended, 75 minutes long, each second counted once.
    assert grid[(0, 10)] == (0, 10, 1, 2700 + 1800, 4500, 4500, 0, 1)
    assert grid[(0, 11)] == (0, 11, 1, 600, 600, 600, 0, 0)  # the stop at 11:00
    assert sum(cell.seated_s for cell in hours) == day.seated_s == 5100
    assert max(cell.longest_s for cell in hours) == day.longest_s == 4500


ZONES = ["Europe/Berlin", "America/Santiago", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"]


@pytest.mark.parametrize("name", ZONES)
def test_hours_agree_with_python_at_every_hour_of_years(name):
    """Every 37 minutes of 2023-2024 (each zone's changes included), one per break: 37 is
    prime to 60, so the breaks fall at every minute of the hour in turn."""
    start = utc(2023, 1, 1)
    moments = [start + timedelta(minutes=37 * n + 7) for n in range(24 * 60 * 731 // 37)]
    with local_zone(name), Store.open(":memory:") as store, store.batch():
        for moment in moments:
            store.add_break(brk("done", moment, seated_s=1))
        hours = store.hour_totals(moments[0], moments[-1] + timedelta(seconds=1))
        expected = Counter((m.astimezone().weekday(), m.astimezone().hour) for m in moments)
    assert {(c.weekday, c.hour): c.stretches for c in hours} == expected


def test_the_calendar_year_ends_on_the_reports_last_day(berlin):
    year = report_html.year_period(end_of(date(2024, 4, 1)))
    assert report.local_day(year.start) == date(2023, 4, 3)
    assert year.end == report.local_midnight(date(2024, 4, 2))


# --- the output file --------------------------------------------------------------------


def test_default_file_in_the_current_folder(cli, seeded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("report", *PERIOD)
    assert result.exit_code == 0, result.output
    name = f"glutewake-report-{datetime.now().astimezone():%Y-%m-%d}.html"
    assert result.stderr == f"wrote {name}\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [name]
    # Again: a report replaces the report, and no temporary file is left behind.
    assert cli("report", *PERIOD).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [name]


def test_stdout_with_a_dash(cli, seeded):
    result = cli("report", *PERIOD, "--output", "-")
    assert result.exit_code == 0 and result.stderr == ""
    assert Page(result.stdout).errors == []


@pytest.mark.parametrize("kind", ["log", "wal", "document", "folder"])
def test_never_overwrites_what_is_not_a_report(cli, seeded, tmp_path, kind):
    target = {
        "log": seeded,
        "wal": seeded.with_name(seeded.name + "-wal"),
        "document": tmp_path / "notes.html",
        "folder": tmp_path,
    }[kind]
    if kind == "wal":
        target.write_bytes(b"")
    if kind == "document":
        target.write_text("<html>my notes</html>")
    before = None if target.is_dir() else target.read_bytes()
    result = cli("report", *PERIOD, "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {target}: ") and result.stderr.count("\n") == 1
    if before is not None:
        assert target.read_bytes() == before


def test_an_unwritable_folder_is_one_line(cli, seeded, tmp_path):
    target = tmp_path / "file" / "report.html"
    (tmp_path / "file").write_text("a file, not a folder")
    result = cli("report", *PERIOD, "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--week", "--month"), "--week and --month each choose the period"),
        (("--since", "tomorrow-ish"), "Invalid value for '--since'"),
        (("--open", "--output", "-"), "--open needs a file"),
    ],
)
def test_bad_options_are_usage_errors(cli, args, message):
    result = cli("report", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_open_hands_the_file_to_the_browser(seeded, tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n')
    browser.chmod(0o755)
    out = tmp_path / "r.html"
    env = {**os.environ, "BROWSER": str(browser), "TZ": "Europe/Berlin"}
    argv = [sys.executable, "-m", "glutewake", "report", *PERIOD, "-o", str(out), "--open"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    for _ in range(100):  # webbrowser may start the program in the background
        if opened.exists() and opened.read_text():
            break
        time.sleep(0.05)
    assert opened.read_text() == out.resolve().as_uri()


def test_open_without_any_browser_says_so(seeded, tmp_path):
    out = tmp_path / "r.html"
    env = {**os.environ, "BROWSER": str(tmp_path / "no-such-browser"), "PATH": "/nonexistent"}
    env.pop("DISPLAY", None)
    argv = [sys.executable, "-m", "glutewake", "report", *PERIOD, "-o", str(out), "--open"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert out.exists()
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].endswith("no web browser could be opened; open it yourself")


# --- the SVG helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (7, 8), (9, 10), (11, 12), (12.5, 16), (31, 40), (101, 120)]
)
def test_nice_ceiling(value, top):
    assert charts.nice_ceiling(value) == top


def test_levels_and_numbers():
    assert [charts.level(v, 10) for v in (0, 0.1, 2, 5, 10, 12)] == [0, 1, 1, 3, 5, 5]
    assert charts.level(45, 50, 40) == 3 and charts.level(41, 50, 40) == 1
    assert charts.level(7, 7, 7) == charts.LEVELS
    assert [charts.num(v) for v in (0, -0.01, 1.0, 2.25, 3.333)] == ["0", "0", "1", "2.2", "3.3"]


def test_svg_escapes_text_titles_and_data():
    svg = charts.Svg(10, 10, 'a "label" <x>')
    svg.rect(0, 0, 1, 1, "c", title="<t> & t", data={"name": '"q" <n>', "flag": True, "no": None})
    svg.text(0, 0, "</svg><script>")
    page = Page(svg.render())
    assert page.errors == []
    rect = next(e for e in page.elements if e.tag == "rect")
    assert rect.attrs["data-name"] == '"q" <n>' and rect.attrs["data-flag"] == "1"
    assert rect.attrs["data-no"] == ""
    assert [e.text for e in page.elements if e.tag == "title"] == ['a "label" <x>', "<t> & t"]
    assert next(e for e in page.elements if e.tag == "text").text == "</svg><script>"


def test_fitted_ends_follow_the_line():
    assert report_html.fitted_ends([1, 2, 3, 4]) == pytest.approx((1, 4))
    assert report_html.fitted_ends([5, 5]) == pytest.approx((5, 5))


def test_day_ticks_name_the_month_where_it_changes():
    days = [date(2024, 1, 28) + timedelta(days=n) for n in range(10)]
    expected = ["Jan 28", "29", "30", "31", "Feb 1", "2", "3", "4", "5", "6"]
    assert report_html.day_ticks(days) == expected
    many = [date(2024, 1, 1) + timedelta(days=n) for n in range(60)]
    ticks = report_html.day_ticks(many)
    assert len([t for t in ticks if t]) <= 14 and ticks[-1] == "29"
    assert [t for t in ticks if t][:2] == ["Jan 5", "10"]
    # The newest day is named: where a new log's few days end the axis.
    four_weeks = [date(2026, 11, 3) + timedelta(days=n) for n in range(28)]
    assert report_html.day_ticks(four_weeks)[-1] == "30"


def test_a_long_period_draws_its_last_days(cli, seeded, tmp_path):
    long = ("--since", "2020-01-01", "--until", UNTIL)
    _text, page = page_of(cli, tmp_path, *long)
    expected = summary(cli, *long)["days"][-report_html.PER_DAY_LIMIT :]
    assert [c["data-date"] for c in page.with_data("per-day", "date")] == [
        d["date"] for d in expected
    ]
    assert f"The last {report_html.PER_DAY_LIMIT} days" in page.text_of("per-day")


def test_the_seated_axis_reads_in_exact_round_values() -> None:
    from glutewake import charts
    from glutewake.report_html import hours_tick

    assert [hours_tick(t) for t in charts.ticks(charts.nice_ceiling(0.9))] == [
        "0",
        "15m",
        "30m",
        "45m",
        "1h",
    ]
    assert [hours_tick(t) for t in charts.ticks(charts.nice_ceiling(5.5))] == [
        "0",
        "1.5h",
        "3h",
        "4.5h",
        "6h",
    ]


def test_minutes_of_data_across_a_week_boundary_claim_no_trend(cli, data_dir, tmp_path, berlin):
    """12 minutes either side of a Monday midnight are two weeks, but no trend."""
    data_dir.mkdir(parents=True)
    with Store.open(data_dir / "glutewake.db") as store:
        for minutes, outcome in ((-12, "done"), (-8, "done"), (-4, "skipped"), (4, "missed")):
            # local midnight Sun 22 -> Mon 23 Nov 2026 is 23:00 UTC
            store.add_break(brk(outcome, utc(2026, 11, 22, 23) + timedelta(minutes=minutes)))
    _text, page = page_of(cli, tmp_path, "--since", "2026-11-16", "--until", "2026-11-29")
    trend = page.text_of("trend")
    assert "Compliance" not in trend and "fell" not in trend
    assert "two weeks" in trend


def test_the_balance_takeaway_advises_only_with_enough_exercises():
    from typing import cast

    from glutewake.report_html import BALANCE_MIN, _balance_takeaway
    from glutewake.summary import Totals

    def said(glutes: int, hips: int) -> str:
        balance = {"glutes": glutes, "hip_flexors": hips, "move": 0}
        return _balance_takeaway(cast(Totals, {"balance": balance}))

    assert (
        said(1, 0)
        == "1 glute or hip-flexor exercise so far: too few to weigh one against the other."
    )
    assert "too few" in said(BALANCE_MIN - 1, 0)
    assert said(BALANCE_MIN, 0).startswith("More glute work than hip-flexor stretches (4 to 0)")


def test_an_output_in_a_folder_that_does_not_exist_is_one_line_and_makes_none(
    cli, seeded, tmp_path
):
    target = tmp_path / "typo" / "report.html"
    result = cli("report", *PERIOD, "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target}: folder does not exist: {tmp_path / 'typo'}\n"
    assert not (tmp_path / "typo").exists()
