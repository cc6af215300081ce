"""`glutewake log` through CliRunner: filters, formats, the summary, bad input and bad files."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from glutewake.report import BREAK_FIELDS, SUMMARY_CSV_FIELDS
from glutewake.store import BreakRecord, Store
from storetools import brk, local_zone, seed_berlin_dst, sha256, utc

NO_BREAKS = "no breaks recorded yet — run glutewake start"
SEEDED = ("--since", "2024-03-30", "--until", "2024-04-01")


@pytest.fixture
def berlin() -> Iterator[None]:
    with local_zone("Europe/Berlin"):
        yield


@pytest.fixture
def db(data_dir: Path) -> Path:
    return data_dir / "glutewake.db"


@pytest.fixture
def seeded(db: Path, berlin) -> Path:
    with Store.open(db) as store:
        seed_berlin_dst(store)
    return db


@pytest.fixture
def goal_3(config_file: Path) -> Path:
    config_file.write_text("[goals]\ndaily_breaks = 3\n")
    return config_file


def lines(text: str) -> list[str]:
    return text.rstrip("\n").splitlines()


# --- no log yet -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "stdout"),
    [
        ((), ""),
        (("--today",), ""),
        (("--summary",), ""),
        (("--format", "json"), "[]\n"),
        (("--format", "csv"), ",".join(BREAK_FIELDS) + "\n"),
    ],
)
def test_a_missing_log_is_a_friendly_line_and_creates_nothing(cli, data_dir, args, stdout):
    result = cli("log", *args)
    assert result.exit_code == 0
    assert result.stderr == NO_BREAKS + "\n"
    assert result.stdout == stdout
    assert not data_dir.exists()


def test_a_missing_log_summary_in_json_is_all_zeros(cli, data_dir):
    result = cli("log", "--summary", "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["days"] == []
    assert summary["totals"]["done"] == 0 and summary["totals"]["compliance"] is None
    assert not data_dir.exists()


def test_a_log_with_no_breaks_yet_is_the_same_friendly_line(cli, db):
    with Store.open(db) as store:
        store.begin_session(pid=1, started_at=utc(2024, 5, 1, 8))
    before = sha256(db)
    result = cli("log")
    assert (result.exit_code, result.output) == (0, NO_BREAKS + "\n")
    assert sha256(db) == before


def test_an_empty_file_is_no_log_yet_and_stays_empty(cli, db):
    db.parent.mkdir(parents=True)
    db.touch()
    result = cli("log")
    assert (result.exit_code, result.output) == (0, NO_BREAKS + "\n")
    assert db.read_bytes() == b""


# --- the break list -------------------------------------------------------------------


def test_table_in_local_time_across_midnight_and_dst(cli, seeded):
    result = cli("log", *SEEDED)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert lines(result.stdout) == [
        "date        time   exercise       category     outcome  snoozes  sat (min)",
        "2024-03-30  08:00  Glute Bridge   glutes       done     1        45",
        "2024-03-30  09:00  Couch Stretch  hip flexors  done              45",
        "2024-03-30  13:00  Glute Bridge   glutes       skipped           50",
        "2024-03-30  16:00  (away 15m)     -            natural           20",
        "2024-03-30  23:50  Glute Bridge   glutes       done              90",
        "2024-03-31  00:10  Glute Bridge   glutes       missed   2        30",
        "2024-03-31  01:30  Glute Bridge   glutes       done              10",
        "2024-03-31  03:30  March          move         done              45",
        "2024-03-31  23:50  Glute Bridge   glutes       done              15",
        "2024-04-01  00:20  Glute Bridge   glutes       done     1        25",
    ]


def test_json_shape_is_stable(cli, seeded):
    result = cli("log", *SEEDED, "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 10
    assert all(tuple(row) == BREAK_FIELDS for row in rows)
    assert rows[3] == {
        "id": 4,
        "date": "2024-03-30",
        "time": "16:00",
        "at": "2024-03-30T16:00:00+01:00",
        "due_at": "2024-03-30T16:00:00+01:00",
        "answered_at": "2024-03-30T16:00:20+01:00",
        "outcome": "natural",
        "exercise_id": None,
        "exercise": None,
        "category": None,
        "snoozes": 0,
        "seated_s": 1200,
        "seated_min": 20,
        "away_s": 900,
        "answered_via": None,
        "break_s": None,
        "completed": None,
    }
    assert [r["at"] for r in rows[6:8]] == [
        "2024-03-31T01:30:00+01:00",
        "2024-03-31T03:30:00+02:00",
    ]


def test_csv_shape_is_stable(cli, seeded):
    result = cli("log", *SEEDED, "--format", "csv")
    assert result.exit_code == 0
    reader = csv.reader(io.StringIO(result.stdout))
    header, *rows = list(reader)
    assert tuple(header) == BREAK_FIELDS
    assert len(rows) == 10
    assert rows[5] == [
        "6",
        "2024-03-31",
        "00:10",
        "2024-03-31T00:10:00+01:00",
        "2024-03-31T00:00:00+01:00",
        "",
        "missed",
        "glute-bridge",
        "Glute Bridge",
        "glutes",
        "2",
        "1800",
        "30",
        "",
        "",
        "",
        "",
    ]


def test_times_follow_the_local_zone(cli, seeded):
    with local_zone("America/New_York"):
        result = cli("log", *SEEDED, "--format", "json")
    first = json.loads(result.stdout)[0]
    assert (first["date"], first["time"], first["at"]) == (
        "2024-03-30",
        "03:00",
        "2024-03-30T03:00:00-04:00",
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (("--outcome", "skipped"), [("2024-03-30", "skipped")]),
        (("--outcome", "missed,skipped"), [("2024-03-30", "skipped"), ("2024-03-31", "missed")]),
        (
            ("--outcome", "missed", "--outcome", "natural"),
            [("2024-03-30", "natural"), ("2024-03-31", "missed")],
        ),
        (("--limit", "2"), [("2024-03-31", "done"), ("2024-04-01", "done")]),
        (("--outcome", "done", "--limit", "1"), [("2024-04-01", "done")]),
    ],
)
def test_outcome_and_limit_filters(cli, seeded, options, expected):
    result = cli("log", *SEEDED, *options, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["date"], r["outcome"]) for r in json.loads(result.stdout)] == expected


def test_until_a_local_time(cli, seeded):
    result = cli("log", "--since", "2024-03-30", "--until", "2024-03-30T23:00", "--format", "json")
    assert [r["time"] for r in json.loads(result.stdout)] == ["08:00", "09:00", "13:00", "16:00"]


def test_since_a_local_time(cli, seeded):
    result = cli("log", "--since", "2024-03-31T03:00", "--until", "2024-03-31", "--format", "json")
    assert [r["time"] for r in json.loads(result.stdout)] == ["03:30", "23:50"]


def test_an_empty_period_says_so(cli, seeded):
    result = cli("log", "--since", "2024-01-01", "--until", "2024-01-02")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "no breaks from Mon 2024-01-01 to Tue 2024-01-02\n"
    result = cli("log", "--since", "2024-01-01", "--until", "2024-01-02", "--format", "json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")


# --- periods relative to the real clock -----------------------------------------------


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day).astimezone()


@pytest.fixture
def around_now(db: Path, berlin) -> dict[str, datetime]:
    """Breaks either side of today's, this week's and this month's start (read at test time)."""
    now = datetime.now(timezone.utc)
    today = now.astimezone().date()
    midnight = local_midnight(today)
    monday = local_midnight(today - timedelta(days=today.weekday()))
    first = local_midnight(today.replace(day=1))
    minute = timedelta(minutes=1)
    moments = {
        "today": midnight + (now - midnight) / 2,
        "yesterday": midnight - minute,
        "monday": monday + minute,
        "before monday": monday - minute,
        "month": first + minute,
        "before month": first - minute,
        "six days ago": local_midnight(today - timedelta(days=6)) + minute,
        "seven days ago": local_midnight(today - timedelta(days=6)) - minute,
        "two days ago": local_midnight(today - timedelta(days=2)) + minute,
        "three days ago": local_midnight(today - timedelta(days=2)) - minute,
    }
    with Store.open(db) as store:
        for name, at in moments.items():
            store.add_break(brk("done", at, exercise=name.replace(" ", "-")))
    return {name: at for name, at in moments.items() if at <= now}


def shown(result) -> set[str]:
    assert result.exit_code == 0, result.output
    return {row["exercise_id"].replace("-", " ") for row in json.loads(result.stdout)}


@pytest.mark.parametrize(
    ("options", "start"),
    [
        ((), "six days ago"),
        (("--today",), "today"),
        (("--week",), "monday"),
        (("--month",), "month"),
        (("--since", "3d"), "two days ago"),
        (("--since", "7d"), "six days ago"),
        (("--since", "1w"), "six days ago"),
    ],
)
def test_periods_end_today_and_start_at_a_local_midnight(cli, around_now, options, start):
    # From the local midnight of that moment's day (on a Monday, "today" and "monday"
    # are the same day).
    since = local_midnight(around_now[start].astimezone().date())
    expected = {name for name, at in around_now.items() if at >= since}
    assert shown(cli("log", *options, "--format", "json")) == expected


@pytest.mark.parametrize(
    ("options", "first", "after"),
    [
        (("--since", "yesterday", "--until", "today"), 1, -1),
        (("--since", "yesterday", "--until", "yesterday"), 1, 0),
        (("--since", "today", "--until", "today"), 0, -1),
        (("--since", "7d", "--until", "3d"), 6, 2),
    ],
)
def test_until_takes_the_words_since_takes(cli, around_now, options, first, after):
    # today and yesterday include their whole day, as a date does; a span ends the
    # period where the same --since would start it: from the local midnight `first`
    # days ago up to the one `after` days ago (-1: tomorrow's).
    today = datetime.now(timezone.utc).astimezone().date()
    since = local_midnight(today - timedelta(days=first))
    until = local_midnight(today - timedelta(days=after))
    expected = {name for name, at in around_now.items() if since <= at < until}
    assert expected  # yesterday's break at least
    assert shown(cli("log", *options, "--format", "json")) == expected


def test_the_default_is_the_last_seven_days(cli, around_now):
    names = shown(cli("log", "--format", "json"))
    assert "six days ago" in names and "seven days ago" not in names
    assert "today" in names and "yesterday" in names


# --- the summary ----------------------------------------------------------------------


def test_summary_table_with_the_goal_from_the_config(cli, seeded, goal_3):
    result = cli("log", "--summary", *SEEDED)
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert out[0] == "Sat 2024-03-30 to Mon 2024-04-01 · goal 3 breaks a day"
    assert out[3:6] == [
        "2024-03-30  Sat  ███  3/3   1        0       1        4h10m   1h30m    -",
        "2024-03-31  Sun  ███  3/3   0        1       0        1h40m   45m      -",
        "2024-04-01  Mon  █··  1/3   0        0       0        1h05m   40m      30m",
    ]
    assert "compliance  78% (7 done of 9 due; 1 skipped, 1 missed, 4 snoozes)" in out
    assert "\x1b" not in result.stdout  # not a TTY: no colour


def test_summary_json_shape(cli, seeded, goal_3):
    result = cli("log", "--summary", *SEEDED, "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert list(summary) == ["since", "until", "goal", "days", "totals"]
    assert (summary["since"], summary["until"], summary["goal"]) == (
        "2024-03-30T00:00:00+01:00",
        "2024-04-02T00:00:00+02:00",
        3,
    )
    assert [day["date"] for day in summary["days"]] == ["2024-03-30", "2024-03-31", "2024-04-01"]
    totals_only = ("streak_best", "top_exercises")
    assert list(summary["days"][0]) == [f for f in SUMMARY_CSV_FIELDS if f not in totals_only]
    assert list(summary["totals"]) == [
        "days",
        "days_goal_met",
        "done",
        "skipped",
        "missed",
        "natural",
        "due",
        "snoozes",
        "compliance",
        "seated_s",
        "longest_s",
        "standing_s",
        "streak_current",
        "streak_best",
        "top_exercises",
        "balance",
        "held",
        "held_s",
        "warmups",
        "answered",
    ]
    assert summary["totals"]["balance"] == {"glutes": 5, "hip_flexors": 1, "move": 1}


def test_summary_csv_shape(cli, seeded, goal_3):
    result = cli("log", "--summary", *SEEDED, "--format", "csv")
    assert result.exit_code == 0
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(header) == SUMMARY_CSV_FIELDS
    assert [row[0] for row in rows] == ["2024-03-30", "2024-03-31", "2024-04-01", "total"]
    sunday = dict(zip(header, rows[1], strict=True))
    assert sunday["goal_met"] == "true" and sunday["compliance"] == "0.75"
    total = dict(zip(header, rows[-1], strict=True))
    assert total["done"] == "7" and total["streak_best"] == "2"
    assert total["top_exercises"] == "glute-bridge:5;couch-stretch:1;march:1"


def test_summary_uses_the_default_goal_without_a_config(cli, seeded):
    result = cli("log", "--summary", *SEEDED, "--format", "json")
    assert json.loads(result.stdout)["goal"] == 8


def test_a_relative_log_database_setting_is_used(cli, config_file, berlin):
    config_file.write_text('[log]\ndatabase = "elsewhere/breaks.db"\n')
    with Store.open(config_file.parent / "elsewhere" / "breaks.db") as store:
        store.add_break(brk("done", datetime.now(timezone.utc) - timedelta(seconds=1)))
    result = cli("log", "--today", "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 1


# --- bad input: usage errors, exit 2 naming the option --------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "last week"), "Invalid value for '--since': expected a date like 2024-03-31"),
        (("--since", "0d"), "Invalid value for '--since': expected from 1d to 36600d, got '0d'"),
        (("--since", "99999999d"), "Invalid value for '--since': expected from 1d to 36600d"),
        (
            ("--until", "9999-12-31"),
            "Invalid value for '--until': expected a date from 1970-01-02 to 9999-12-30",
        ),
        (
            ("--until", "0001-01-01"),
            "Invalid value for '--until': expected a date from 1970-01-02 to 9999-12-30",
        ),
        (("--since", "2099-01-01"), "Invalid value for '--since': expected a time before now"),
        (("--until", "next week"), "Invalid value for '--until': expected a date like 2024-03-31"),
        (("--until", "0d"), "Invalid value for '--until': expected from 1d to 36600d, got '0d'"),
        (("--since", "today", "--until", "yesterday"), "expected a time after the period's start"),
        (("--until", "2024-13-01"), "Invalid value for '--until'"),
        (("--since", "1970-01-01"), "expected a date from 1970-01-02 to 9999-12-30; got '1970"),
        (
            ("--since", "2024-04-02", "--until", "2024-04-01"),
            "Invalid value for '--until': expected a time after the period's start",
        ),
        (("--outcome", "snoozed"), "Invalid value for '--outcome': expected one of done, skipped"),
        (("--outcome", "done,nope"), "got 'nope'"),
        (("--limit", "0"), "Invalid value for '--limit'"),
        (("--limit", "many"), "Invalid value for '--limit'"),
        (("--format", "xml"), "Invalid value for '--format'"),
        (("--today", "--week"), "--today and --week each choose the period; give only one"),
        (("--month", "--since", "3d"), "--month and --since each choose the period"),
        (("--summary", "--outcome", "done"), "--outcome and --limit filter the break list"),
        (("--summary", "--limit", "3"), "--outcome and --limit filter the break list"),
        (("--frobnicate",), "No such option '--frobnicate'"),
    ],
)
def test_bad_options_are_usage_errors(cli, data_dir, args, message):
    result = cli("log", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not data_dir.exists()


# --- bad files: one line, exit 1, the file untouched ----------------------------------


def error_line(result) -> str:
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = lines(result.stderr)
    return line


def test_a_corrupt_log_is_exit_1_and_untouched(cli, db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"\x00garbage" * 1000)
    before = sha256(db)
    for args in ((), ("--summary",), ("--format", "json")):
        assert error_line(cli("log", *args)) == (
            f"Error: {db}: the log is corrupt or not a SQLite database (file is not a "
            "database); it was left untouched (move it aside to start a new log)"
        )
    assert sha256(db) == before


def test_a_log_from_a_newer_glutewake_is_exit_1_and_untouched(cli, seeded):
    conn = sqlite3.connect(seeded)
    conn.execute("PRAGMA user_version = 42")
    conn.close()
    before = sha256(seeded)
    assert "written by a newer glutewake (schema version 42" in error_line(cli("log"))
    assert "upgrade glutewake" in error_line(cli("log", "--summary"))
    assert sha256(seeded) == before


def test_someone_elses_database_is_exit_1(cli, db):
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text)")
    conn.commit()
    conn.close()
    assert error_line(cli("log")) == (
        f"Error: {db}: a SQLite database, but not a glutewake log; it was left untouched"
    )


def test_a_read_only_log_can_still_be_read(cli, seeded):
    from helpers import read_only

    before = sha256(seeded)
    with read_only(seeded):
        result = cli("log", *SEEDED, "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 10
    assert sha256(seeded) == before


def test_help_has_examples(cli):
    result = cli("log", "--help")
    assert result.exit_code == 0
    assert "glutewake log --week --summary" in result.output


def test_break_records_from_the_loop_show_up(cli, db, berlin):
    """The loop's own record shape (answered later, snoozed) reads back as written."""
    at = datetime.now(timezone.utc) - timedelta(seconds=5)
    with Store.open(db) as store:
        session = store.begin_session(pid=1, started_at=at - timedelta(hours=1))
        store.add_break(
            BreakRecord(
                outcome="done",
                at=at,
                due_at=at - timedelta(minutes=10),
                answered_at=at + timedelta(seconds=3),
                seated_s=3300,
                exercise_id="clamshell",
                exercise_name="Clamshell",
                category="glutes",
                snoozes=2,
                session_id=session,
            )
        )
    (row,) = json.loads(cli("log", "--today", "--format", "json").stdout)
    assert (row["exercise"], row["snoozes"], row["seated_min"]) == ("Clamshell", 2, 55)


def test_since_today_and_yesterday_are_words_log_understands(cli, data_dir):
    result = cli("log", "--since", "yesterday")
    assert result.exit_code == 0, result.output
    assert cli("log", "--since", "today").exit_code == 0


def test_with_a_loop_running_no_breaks_yet_does_not_say_to_start_one(cli, data_dir, db) -> None:
    from glutewake.lock import LoopLock

    assert cli("log").stderr.strip() == NO_BREAKS  # no loop: starting one is the advice
    lock = LoopLock(data_dir / "glutewake.lock")
    lock.acquire(4242, datetime.now(timezone.utc), db)
    try:
        result = cli("log")
    finally:
        lock.release()
    assert result.exit_code == 0
    assert result.stderr.strip() == "no breaks recorded yet"


def test_help_lists_every_outcome_the_filter_accepts(cli) -> None:
    from glutewake.cli.log import LOG_OUTCOMES

    help_text = " ".join(cli("log", "--help").stdout.split())
    listed = help_text.split("Only these outcomes (")[1].split(")")[0]
    assert listed.split(", ") == list(LOG_OUTCOMES)
    assert "abandoned" in LOG_OUTCOMES


def test_summary_rounds_seated_time_to_the_nearest_minute(cli, db) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with Store.open(db) as store:
        store.add_break(brk("done", now - timedelta(minutes=5), seated_s=113))
    result = cli("log", "--summary", "--today")
    assert result.exit_code == 0
    seated = [line for line in lines(result.stdout) if line.lstrip().startswith("seated")]
    assert seated and "2m (longest stretch 2m)" in seated[0], result.stdout
