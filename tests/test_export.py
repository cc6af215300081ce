"""`log --format csv|json` streams: the same text as building every row in Python, in any
time zone, across clock changes, with any text in the log."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from glutewake import report
from glutewake.export import export_breaks
from glutewake.output import to_csv, to_json
from glutewake.store import BreakRecord, Store, WarmupRecord
from storetools import local_zone

NAMES = [
    "Glute bridge",
    'Say "cheese", then squeeze',
    "Hüftbeuger-Dehnung",
    "tab\there, back\\slash",
    "new\nline",
    "esc\x1b[31m and del\x7f",
    "",
    None,
]


def seed(store: Store, count: int = 3000) -> None:
    rng = random.Random(19)
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    with store.batch():
        for number in range(count):
            # Every ~3 hours with jitter: two years, both clock changes each year.
            at = start + timedelta(seconds=number * 10_000 + rng.randrange(0, 4000))
            at = at.replace(microsecond=rng.randrange(1_000_000))
            outcome = rng.choice(["done", "skipped", "missed", "natural", "abandoned"])
            completed = rng.choice([True, False, None]) if outcome == "done" else None
            store.add_break(
                BreakRecord(
                    outcome=outcome,  # type: ignore[arg-type]
                    at=at,
                    due_at=at - timedelta(seconds=rng.choice([0, 300, 3599, 7300])),
                    answered_at=None if outcome == "missed" else at + timedelta(seconds=59),
                    seated_s=rng.choice([0, 30, 90, 150, 2700, 2730, 2790, 5430]),
                    exercise_id=rng.choice(["glute-bridge", None]),
                    exercise_name=rng.choice(NAMES),
                    category=rng.choice(["glutes", "hip_flexors", None]),
                    snoozes=rng.randrange(3),
                    away_s=rng.choice([None, 0, 600]),
                    answered_via=rng.choice(["terminal", "command", None]),
                    break_s=rng.choice([None, 0, 75]) if outcome == "done" else None,
                    completed=completed,
                )
            )
            if number % 97 == 0:  # a warm-up now and then, merged in by time
                store.add_warmup(WarmupRecord(at, 300, number % 2 == 0, 5, ("glute-bridge",)))


def streamed(store: Store, period: report.Period, fmt: str) -> str:
    rows = list(export_breaks(store, period, fmt=fmt))
    if fmt == "json":
        return "[\n" + ",\n".join(rows) + "\n]" if rows else "[]"
    return ",".join(report.BREAK_FIELDS) + "\n" + "".join(rows)


@pytest.mark.parametrize(
    "zone",
    ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"],
)
def test_streamed_export_is_the_same_text(tmp_path: Path, zone: str) -> None:
    with local_zone(zone), Store.open(tmp_path / "g.db") as store:
        seed(store)
        period = report.Period(
            datetime(2022, 12, 1, tzinfo=timezone.utc), datetime(2025, 2, 1, tzinfo=timezone.utc)
        )
        rows = report.break_rows(store, period)
        assert len(rows) == 3000 + 31
        assert streamed(store, period, "csv") == to_csv(rows, report.BREAK_FIELDS)
        assert streamed(store, period, "json") == to_json(rows)
        # A period that starts and ends mid-run, and a filter.
        inner = report.Period(
            datetime(2023, 3, 26, 0, 30, tzinfo=timezone.utc),
            datetime(2024, 11, 3, 5, 0, tzinfo=timezone.utc),
        )
        kept = ("done", "natural")
        rows = report.break_rows(store, inner, outcomes=kept)
        exported = streamed_period(store, inner, kept)
        assert exported == to_csv(rows, report.BREAK_FIELDS)
        assert exported.count("\n") > 100


def streamed_period(store: Store, period: report.Period, kept: tuple[str, ...]) -> str:
    lines = export_breaks(store, period, outcomes=kept, fmt="csv")
    return ",".join(report.BREAK_FIELDS) + "\n" + "".join(lines)


def test_the_log_command_streams_an_empty_period(cli, data_dir: Path) -> None:
    data_dir.mkdir()
    with Store.open(data_dir / "glutewake.db") as store:
        seed(store, 10)
    assert cli("log", "--today", "--format", "json").output == "[]\n"
    assert cli("log", "--today", "--format", "csv").output == ",".join(report.BREAK_FIELDS) + "\n"
