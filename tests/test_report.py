"""report.py: periods, break rows and the summary, in local time across DST and midnight."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import cast

import pytest

from glutewake import report
from glutewake.store import EventRecord, Store
from glutewake.summary import bar, summarize, summary_csv_rows, summary_text
from storetools import brk, local_zone, seed_berlin_dst, utc


@pytest.fixture
def berlin() -> Iterator[None]:
    with local_zone("Europe/Berlin"):
        yield


@pytest.fixture
def store(berlin) -> Iterator[Store]:
    with Store.open(":memory:") as store:
        seed_berlin_dst(store)
        yield store


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute).astimezone()


# --- local days -----------------------------------------------------------------------


def test_local_midnights_across_the_spring_change(berlin):
    assert report.local_midnight(date(2024, 3, 31)) == utc(2024, 3, 30, 23)
    assert report.local_midnight(date(2024, 4, 1)) == utc(2024, 3, 31, 22)  # a 23-hour day
    assert report.local_midnight(date(2024, 10, 28)) == utc(2024, 10, 27, 23)  # a 25-hour day
    assert report.local_day(utc(2024, 3, 30, 23, 10)) == date(2024, 3, 31)


# --- periods --------------------------------------------------------------------------

NOW = utc(2024, 4, 3, 10, 0)  # Wednesday 12:00 CEST


@pytest.mark.parametrize(
    ("options", "start", "end"),
    [
        ({}, (2024, 3, 28), (2024, 4, 4)),
        ({"today": True}, (2024, 4, 3), (2024, 4, 4)),
        ({"week": True}, (2024, 4, 1), (2024, 4, 4)),
        ({"month": True}, (2024, 4, 1), (2024, 4, 4)),
        ({"since": "3d"}, (2024, 4, 1), (2024, 4, 4)),
        ({"since": "1d"}, (2024, 4, 3), (2024, 4, 4)),
        ({"since": "2w"}, (2024, 3, 21), (2024, 4, 4)),
        ({"since": "7D"}, (2024, 3, 28), (2024, 4, 4)),
        ({"since": "2024-03-30"}, (2024, 3, 30), (2024, 4, 4)),
        ({"since": "2024-03-31T03:30"}, (2024, 3, 31, 3, 30), (2024, 4, 4)),
        ({"since": "2024-03-31T01:00+00:00"}, "2024-03-31T01:00:00+00:00", (2024, 4, 4)),
        ({"since": "2024-03-30", "until": "2024-03-31"}, (2024, 3, 30), (2024, 4, 1)),
        ({"until": "2024-03-31"}, (2024, 3, 25), (2024, 4, 1)),
        ({"until": "2024-04-01T00:30"}, (2024, 3, 26), (2024, 4, 1, 0, 30)),
        ({"week": True, "until": "2024-04-02"}, (2024, 4, 1), (2024, 4, 3)),
        # today and yesterday include their day, as a date does; spans end where the
        # same --since would start.
        ({"since": "yesterday", "until": "today"}, (2024, 4, 2), (2024, 4, 4)),
        ({"since": "yesterday", "until": "yesterday"}, (2024, 4, 2), (2024, 4, 3)),
        ({"until": "Yesterday"}, (2024, 3, 27), (2024, 4, 3)),
        ({"since": "2w", "until": "1w"}, (2024, 3, 21), (2024, 3, 28)),
        ({"week": True, "until": "1d"}, (2024, 4, 1), (2024, 4, 3)),
    ],
)
def test_periods(berlin, options, start, end):
    # Local times are built here, not at import: the test's time zone is set by now.
    start = datetime.fromisoformat(start) if isinstance(start, str) else local(*start)
    assert report.choose_period(NOW, **options) == report.Period(start, local(*end))


@pytest.mark.parametrize(
    ("options", "option", "text"),
    [
        ({"since": "the day before"}, "--since", "expected a date like 2024-03-31"),
        ({"since": "0d"}, "--since", "expected from 1d to 36600d, got '0d'"),
        ({"since": "3m"}, "--since", "or 3d / 2w; got '3m'"),
        ({"since": "2024-02-30"}, "--since", "got '2024-02-30'"),
        ({"since": "2024-05-01"}, "--since", "expected a time before now, got '2024-05-01'"),
        ({"until": "the day after"}, "--until", "expected a date like 2024-03-31, a date and"),
        ({"until": "0w"}, "--until", "expected from 1d to 36600d, got '0w'"),
        ({"until": ""}, "--until", "got ''"),
        (
            {"since": "2024-04-02", "until": "2024-04-01"},
            "--until",
            "expected a time after the period's start (2024-04-02T00:00:00+02:00), "
            "got '2024-04-01'",
        ),
    ],
)
def test_bad_period_values_name_their_option(berlin, options, option, text):
    with pytest.raises(report.OptionError) as caught:
        report.choose_period(NOW, **options)
    assert caught.value.option == option
    assert text in str(caught.value)


# --- the break list -------------------------------------------------------------------


def test_break_rows_use_local_dates_and_times_across_midnight_and_dst(store):
    period = report.choose_period(NOW, since="2024-03-30", until="2024-04-01")
    rows = report.break_rows(store, period)
    assert [(r["date"], r["time"], r["outcome"]) for r in rows] == [
        ("2024-03-30", "08:00", "done"),
        ("2024-03-30", "09:00", "done"),
        ("2024-03-30", "13:00", "skipped"),
        ("2024-03-30", "16:00", "natural"),
        ("2024-03-30", "23:50", "done"),
        ("2024-03-31", "00:10", "missed"),
        ("2024-03-31", "01:30", "done"),
        ("2024-03-31", "03:30", "done"),
        ("2024-03-31", "23:50", "done"),
        ("2024-04-01", "00:20", "done"),
    ]
    assert rows[6]["at"] == "2024-03-31T01:30:00+01:00"
    assert rows[7]["at"] == "2024-03-31T03:30:00+02:00"


def test_a_break_row_has_every_stable_field(store):
    period = report.choose_period(NOW, since="2024-03-31T00:00", until="2024-03-31T00:15")
    (row,) = report.break_rows(store, period)
    assert tuple(row) == report.BREAK_FIELDS
    assert row == {
        "id": 6,
        "date": "2024-03-31",
        "time": "00:10",
        "at": "2024-03-31T00:10:00+01:00",
        "due_at": "2024-03-31T00:00:00+01:00",
        "answered_at": None,
        "outcome": "missed",
        "exercise_id": "glute-bridge",
        "exercise": "Glute Bridge",
        "category": "glutes",
        "snoozes": 2,
        "seated_s": 1800,
        "seated_min": 30,
        "away_s": None,
        "answered_via": None,
        "break_s": None,
        "completed": None,
    }


def test_break_rows_filter_by_outcome_and_limit_to_the_latest(store):
    period = report.choose_period(NOW, since="2024-03-30", until="2024-04-01")
    rows = report.break_rows(store, period, outcomes=("skipped", "missed"))
    assert [(r["date"], r["outcome"]) for r in rows] == [
        ("2024-03-30", "skipped"),
        ("2024-03-31", "missed"),
    ]
    latest = report.break_rows(store, period, limit=2)
    assert [r["time"] for r in latest] == ["23:50", "00:20"]


def test_the_table_shows_how_long_a_natural_break_lasted(store):
    period = report.choose_period(NOW, since="2024-03-30T16:00", until="2024-03-30T16:01")
    (row,) = report.break_rows(store, period)
    shown = report.break_display(row)
    assert (shown["exercise"], shown["category"], shown["snoozes"]) == ("(away 15m)", None, "")


def test_the_table_says_when_a_break_was_stopped_early():
    base = {"outcome": "done", "exercise": "Glute bridge", "exercise_id": "glute-bridge"}
    row = {**dict.fromkeys(report.BREAK_FIELDS), **base, "date": "2024-03-30"}

    def shown(break_s: int | None, completed: bool | None) -> str:
        taken = cast(report.BreakRow, {**row, "break_s": break_s, "completed": completed})
        return str(report.break_display(taken)["outcome"])

    assert shown(5, False) == "done (5s, stopped early)"
    assert shown(180, True) == shown(None, None) == "done"
    warmup = {**row, "outcome": "warmup", "break_s": 6, "completed": False, "seated_min": 0}
    table = report.break_display(cast(report.BreakRow, warmup))
    assert (table["outcome"], table["seated_min"]) == ("warm-up (6s, stopped early)", None)


# --- the summary ----------------------------------------------------------------------


def day_counts(summary):
    keys = ("date", "done", "skipped", "missed", "natural", "due", "snoozes")
    return [tuple(day[k] for k in keys) for day in summary["days"]]


def test_summary_days_are_local_days_of_23_hours_and_midnight_breaks_land_right(store):
    period = report.choose_period(NOW, since="2024-03-30", until="2024-04-01")
    summary = summarize(store, period, goal=3, now=NOW)
    assert day_counts(summary) == [
        ("2024-03-30", 3, 1, 0, 1, 4, 1),
        ("2024-03-31", 3, 0, 1, 0, 4, 2),
        ("2024-04-01", 1, 0, 0, 0, 1, 1),
    ]
    sat, sun, mon = summary["days"]
    assert (sat["seated_s"], sat["longest_s"]) == (15000, 5400)
    assert (sun["seated_s"], sun["longest_s"]) == (6000, 2700)
    # Monday: one break after 1500 s, then the loop stopped with 2400 s still open.
    assert (mon["seated_s"], mon["longest_s"], mon["standing_s"]) == (3900, 2400, 1800)
    assert (sat["glutes"], sat["hip_flexors"], sun["move"]) == (2, 1, 1)
    assert (sat["weekday"], sun["weekday"], mon["weekday"]) == ("Sat", "Sun", "Mon")
    assert [d["goal_met"] for d in summary["days"]] == [True, True, False]
    assert sat["compliance"] == 0.75


def test_summary_totals(store):
    period = report.choose_period(NOW, since="2024-03-30", until="2024-04-01")
    totals = summarize(store, period, goal=3, now=NOW)["totals"]
    assert totals == {
        "days": 3,
        "days_goal_met": 2,
        "done": 7,
        "skipped": 1,
        "missed": 1,
        "natural": 1,
        "due": 9,
        "snoozes": 4,
        "compliance": 0.778,
        "seated_s": 24900,
        "longest_s": 5400,
        "standing_s": 1800,
        "held": 0,
        "held_s": 0,
        "warmups": 0,
        "answered": {"terminal": 0, "notification": 0, "command": 0},
        "streak_current": 0,
        "streak_best": 2,
        "top_exercises": [
            {"id": "glute-bridge", "name": "Glute Bridge", "category": "glutes", "done": 5},
            {"id": "couch-stretch", "name": "Couch Stretch", "category": "hip_flexors", "done": 1},
            {"id": "march", "name": "March", "category": "move", "done": 1},
        ],
        "balance": {"glutes": 5, "hip_flexors": 1, "move": 1},
    }


def test_today_unfinished_does_not_break_the_streak(store):
    monday_noon = utc(2024, 4, 1, 10)
    period = report.choose_period(monday_noon)
    summary = summarize(store, period, goal=3, now=monday_noon)
    assert [d["streak"] for d in summary["days"]] == [1, 2, 2]
    assert summary["totals"]["streak_current"] == 2
    # The next day Monday is over, and it fell short.
    tuesday = utc(2024, 4, 2, 10)
    summary = summarize(store, report.choose_period(tuesday), goal=3, now=tuesday)
    assert summary["totals"]["streak_current"] == 0
    assert summary["totals"]["streak_best"] == 2


def test_days_with_nothing_recorded_neither_count_nor_break_a_streak(berlin):
    with Store.open(":memory:") as store:
        for day in (1, 2, 5, 6):  # Mon, Tue, then Fri, Sat: a gap of two quiet days
            store.add_break(brk("done", utc(2024, 4, day, 9)))
        now = utc(2024, 4, 6, 12)
        summary = summarize(store, report.choose_period(now), goal=1, now=now)
    assert [(d["date"], d["done"], d["streak"]) for d in summary["days"]] == [
        ("2024-04-01", 1, 1),
        ("2024-04-02", 1, 2),
        ("2024-04-03", 0, 2),
        ("2024-04-04", 0, 2),
        ("2024-04-05", 1, 3),
        ("2024-04-06", 1, 4),
    ]
    assert summary["totals"]["streak_current"] == 4


def test_streaks_look_at_history_before_the_period(store):
    period = report.choose_period(NOW, since="2024-03-31", until="2024-03-31")
    summary = summarize(store, period, goal=3, now=NOW)
    assert [d["streak"] for d in summary["days"]] == [2]
    assert summary["totals"]["streak_best"] == 2


def test_a_whole_history_summary_has_the_streaks_a_later_period_sees(berlin):
    # Over the whole history the summary takes the streaks' days from its own day totals
    # (one read of the log); a later period asks done_per_day. Both must agree, down to
    # a day whose only break was abandoned (it breaks a streak) and one with only events.
    with Store.open(":memory:") as store:
        for at in (utc(2024, 4, 1, 9), utc(2024, 4, 1, 11), utc(2024, 4, 4, 9)):
            store.add_break(brk("done", at))
        store.add_break(brk("abandoned", utc(2024, 4, 2, 9)))
        store.add_event(EventRecord("sit", utc(2024, 4, 3, 9), seconds=600))
        now = utc(2024, 4, 4, 12)
        whole = summarize(store, report.choose_period(now, since="2024-03-01"), goal=1, now=now)
        later = summarize(store, report.choose_period(now, since="2024-04-03"), goal=1, now=now)
        end = report.local_midnight(date(2024, 4, 5))
        in_period = store.day_totals(report.local_midnight(date(2024, 3, 1)), end)
        assert [(t.day, t.breaks, t.done) for t in in_period if t.breaks] == store.done_per_day(end)
    assert [(d["date"], d["streak"]) for d in whole["days"]] == [
        ("2024-04-01", 1),
        ("2024-04-02", 0),
        ("2024-04-03", 0),
        ("2024-04-04", 1),
    ]
    assert [(d["date"], d["streak"]) for d in later["days"]] == [
        (d["date"], d["streak"]) for d in whole["days"][2:]
    ]
    assert whole["totals"]["streak_best"] == later["totals"]["streak_best"] == 1


def test_day_totals_reach_the_end_of_the_calendar(berlin):
    with Store.open(":memory:") as store:
        store.add_break(brk("done", utc(9999, 12, 30, 12)))
        end = utc(9999, 12, 31)
        assert [t[:2] for t in store.day_totals(utc(9999, 1, 1), end)] == [("9999-12-30", 1)]
        assert store.done_per_day(end) == [("9999-12-30", 1, 1)]


def test_summary_starts_at_the_first_break_and_stops_today(store):
    period = report.choose_period(utc(2024, 4, 1, 10), since="2w")
    summary = summarize(store, period, goal=3, now=utc(2024, 4, 1, 10))
    assert [d["date"] for d in summary["days"]] == ["2024-03-30", "2024-03-31", "2024-04-01"]
    assert summary["since"] == "2024-03-19T00:00:00+01:00"
    assert summary["until"] == "2024-04-02T00:00:00+02:00"


def test_summary_of_a_period_starting_mid_day_counts_only_what_follows(store):
    period = report.choose_period(NOW, since="2024-03-30T12:00", until="2024-03-30")
    (day,) = summarize(store, period, goal=3, now=NOW)["days"]
    assert (day["done"], day["skipped"], day["natural"]) == (1, 1, 1)


def test_the_autumn_change_gives_a_25_hour_day(berlin):
    with Store.open(":memory:") as store:
        # 2024-10-27: 03:00 CEST -> 02:00 CET at 01:00 UTC; both 02:30s are Sunday.
        store.add_break(brk("done", utc(2024, 10, 26, 22, 5)))  # 00:05 CEST Sunday
        store.add_break(brk("done", utc(2024, 10, 27, 0, 30)))  # 02:30 CEST
        store.add_break(brk("done", utc(2024, 10, 27, 1, 30)))  # 02:30 CET
        store.add_break(brk("done", utc(2024, 10, 27, 22, 55)))  # 23:55 CET Sunday
        store.add_break(brk("done", utc(2024, 10, 27, 23, 5)))  # 00:05 Monday
        now = utc(2024, 10, 28, 12)
        period = report.choose_period(now, since="2024-10-27")
        summary = summarize(store, period, goal=1, now=now)
        rows = report.break_rows(store, period)
    assert [(d["date"], d["done"]) for d in summary["days"]] == [
        ("2024-10-27", 4),
        ("2024-10-28", 1),
    ]
    assert [(r["at"] or "")[11:] for r in rows[1:3]] == ["02:30:00+02:00", "02:30:00+01:00"]


def test_an_empty_or_missing_log_summarizes_to_zeros(berlin):
    period = report.choose_period(NOW)
    with Store.open(":memory:") as empty:
        summaries = [summarize(s, period, goal=8, now=NOW) for s in (None, empty)]
    for summary in summaries:
        assert summary["days"] == []
        assert summary["totals"]["done"] == 0
        assert summary["totals"]["compliance"] is None
        assert summary["totals"]["top_exercises"] == []


# --- rendering ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "goal", "text"),
    [
        (0, 8, "········"),
        (5, 8, "█████···"),
        (8, 8, "████████"),
        (10, 8, "████████+2"),
        (20, 40, "██████████··········"),
        (1, 40, "█" + "·" * 19),
    ],
)
def test_bar(done, goal, text):
    assert bar(done, goal) == text


def test_bar_colour_comes_only_from_the_paint_given():
    calls: list[tuple[str, dict[str, object]]] = []

    def paint(text: str, **how: object) -> str:
        calls.append((text, how))
        return f"<{text}>"

    assert bar(3, 4, paint) == "<███><·>"
    assert calls == [("███", {"fg": "yellow"}), ("·", {"dim": True})]
    assert bar(4, 4, paint) == "<████><>"


def test_summary_text(store):
    period = report.choose_period(NOW, since="2024-03-30", until="2024-04-01")
    text = summary_text(summarize(store, period, goal=3, now=NOW))
    assert text.splitlines() == [
        "Sat 2024-03-30 to Mon 2024-04-01 · goal 3 breaks a day",
        "",
        "date        day       done  skipped  missed  natural  seated  longest  standing",
        "2024-03-30  Sat  ███  3/3   1        0       1        4h10m   1h30m    -",
        "2024-03-31  Sun  ███  3/3   0        1       0        1h40m   45m      -",
        "2024-04-01  Mon  █··  1/3   0        0       0        1h05m   40m      30m",
        "",
        "compliance  78% (7 done of 9 due; 1 skipped, 1 missed, 4 snoozes)",
        "streak      0 days meeting the goal of 3 (best 2 days)",
        "natural     1 break taken on your own",
        "top         Glute Bridge 5 · Couch Stretch 1 · March 1",
        "balance     glutes 5 · hip flexors 1 · move 1 (83% glutes vs 17% hips)",
        "seated      6h55m (longest stretch 1h30m); standing 30m",
    ]


def test_summary_csv_rows_end_with_a_total(store):
    period = report.choose_period(NOW, since="2024-03-30", until="2024-04-01")
    rows = summary_csv_rows(summarize(store, period, goal=3, now=NOW))
    assert [r["date"] for r in rows] == ["2024-03-30", "2024-03-31", "2024-04-01", "total"]
    total = rows[-1]
    assert set(total) == set(report.SUMMARY_CSV_FIELDS)
    assert (total["done"], total["streak"], total["streak_best"]) == (7, 0, 2)
    assert total["top_exercises"] == "glute-bridge:5;couch-stretch:1;march:1"
    assert (total["glutes"], total["hip_flexors"], total["move"]) == (5, 1, 1)


def test_summary_counts_breaks_held_while_busy(store):
    session = store.begin_session(pid=1, started_at=utc(2024, 3, 31, 8))
    for hour, seconds in ((9, 600), (13, 120)):
        store.add_event(EventRecord("held", utc(2024, 3, 31, hour), seconds, "camera", session))
    period = report.choose_period(NOW, since="2024-03-30", until="2024-04-01")
    summary = summarize(store, period, goal=3, now=NOW)
    assert [(d["date"], d["held"], d["held_s"]) for d in summary["days"]] == [
        ("2024-03-30", 0, 0),
        ("2024-03-31", 2, 720),
        ("2024-04-01", 0, 0),
    ]
    assert (summary["totals"]["held"], summary["totals"]["held_s"]) == (2, 720)
    lines = summary_text(summary).splitlines()
    assert lines[lines.index("natural     1 break taken on your own") + 1] == (
        "held        2 breaks held while you were busy (12m in all)"
    )
    assert summary_csv_rows(summary)[-1]["held"] == 2


def test_a_missed_break_does_not_end_the_stretch_nor_count_twice(berlin):
    with Store.open(":memory:") as store:
        session = store.begin_session(pid=1, started_at=utc(2024, 5, 6, 8))
        # Sat 30 min, missed; sat on: the next break's stretch is 60 min, the whole of it.
        store.add_break(brk("missed", utc(2024, 5, 6, 8, 30), seated_s=1800, session_id=session))
        done = brk("done", utc(2024, 5, 6, 9), seated_s=3600, session_id=session)
        store.add_break(done._replace(carried_s=1800))
        store.add_break(brk("missed", utc(2024, 5, 6, 9, 40), seated_s=2400, session_id=session))
        left = brk("abandoned", utc(2024, 5, 6, 10), seated_s=3600, session_id=session)
        store.add_break(left._replace(carried_s=2400))
        store.end_session(session, ended_at=utc(2024, 5, 6, 10), seated_s=0)
        now = utc(2024, 5, 6, 12)
        (day,) = summarize(store, report.choose_period(now, today=True), goal=1, now=now)["days"]
    assert (day["done"], day["missed"], day["due"]) == (1, 2, 3)  # abandoned is not due
    assert day["seated_s"] == 3600 + 3600  # 8:00-9:00 and 9:00-10:00, each once
    assert day["longest_s"] == 3600


def test_the_stretch_a_stop_closes_after_a_miss_counts_once(berlin):
    with Store.open(":memory:") as store:
        session = store.begin_session(pid=1, started_at=utc(2024, 5, 6, 8))
        store.add_break(brk("missed", utc(2024, 5, 6, 8, 30), seated_s=1800, session_id=session))
        store.end_session(session, ended_at=utc(2024, 5, 6, 9, 15), seated_s=4500, carried_s=1800)
        now = utc(2024, 5, 6, 12)
        (day,) = summarize(store, report.choose_period(now, today=True), goal=1, now=now)["days"]
    assert (day["seated_s"], day["longest_s"]) == (4500, 4500)


def test_the_summary_counts_how_breaks_were_answered_and_says_so_once_it_matters(store):
    period = report.choose_period(NOW, since="2024-03-30", until="2024-04-01")
    quiet = summary_text(summarize(store, period, goal=3, now=NOW))
    assert "from the notification" not in quiet  # only terminal answers (or none): no line
    at = utc(2024, 3, 31, 10)
    for via in ("notification", "notification", "command", "terminal"):
        store.add_break(brk("done", at)._replace(answered_via=via))
    summary = summarize(store, period, goal=3, now=NOW)
    assert summary["totals"]["answered"] == {"terminal": 1, "notification": 2, "command": 1}
    text = summary_text(summary)
    assert "2 from the notification · 1 in the terminal · 1 by command" in text
