"""Helpers for the store, report and log tests: time zones, seeded logs, a writer process.

Run as a script, it is the writer whose kill -9 the store tests survive:
    python storetools.py burst DB COUNT    # prints each committed break id, one a line
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import cast

from glutewake.store import BreakRecord, EventRecord, Store
from glutewake.vocab import Outcome

UTC = timezone.utc


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@contextmanager
def local_zone(name: str) -> Iterator[None]:
    """Run with TZ=name (both Python's and SQLite's local time follow tzset)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def brk(
    outcome: str,  # any string: tests also write outcomes the store must refuse
    at: datetime,
    *,
    seated_s: int = 45 * 60,
    exercise: str | None = "glute-bridge",
    category: str | None = "glutes",
    snoozes: int = 0,
    away_s: int | None = None,
    session_id: int | None = None,
) -> BreakRecord:
    """A break as the loop records it; natural breaks carry no exercise."""
    natural = outcome == "natural"
    return BreakRecord(
        outcome=cast(Outcome, outcome),
        at=at,
        due_at=at - timedelta(seconds=300 * snoozes),
        answered_at=None if outcome == "missed" else at + timedelta(seconds=20),
        seated_s=seated_s,
        exercise_id=None if natural else exercise,
        exercise_name=None if natural or exercise is None else exercise.replace("-", " ").title(),
        category=None if natural else category,
        snoozes=snoozes,
        away_s=(away_s or 600) if natural else None,
        session_id=session_id,
    )


def seed_berlin_dst(store: Store) -> None:
    """Europe/Berlin around the spring change (2024-03-31 02:00 CET -> 03:00 CEST).

    Local days: Sat 30 Mar (24 h), Sun 31 Mar (23 h), Mon 1 Apr. Each break sits a few
    minutes either side of a local midnight or the change, where UTC dates differ.
    """
    session = store.begin_session(pid=4242, started_at=utc(2024, 3, 30, 7, 0))
    records = [
        # Sat 30 Mar, local 08:00 .. 23:50 (UTC+1)
        brk("done", utc(2024, 3, 30, 7, 0), seated_s=2700, snoozes=1),
        brk("done", utc(2024, 3, 30, 8, 0), exercise="couch-stretch", category="hip_flexors"),
        brk("skipped", utc(2024, 3, 30, 12, 0), seated_s=3000),
        brk("natural", utc(2024, 3, 30, 15, 0), seated_s=1200, away_s=900),
        brk("done", utc(2024, 3, 30, 22, 50), seated_s=5400),  # 23:50 local, still Saturday
        # Sun 31 Mar: 00:10 local is still 30 Mar in UTC
        brk("missed", utc(2024, 3, 30, 23, 10), seated_s=1800, snoozes=2),
        brk("done", utc(2024, 3, 31, 0, 30), seated_s=600),  # 01:30 CET, before the change
        brk("done", utc(2024, 3, 31, 1, 30), exercise="march", category="move"),  # 03:30 CEST
        brk("done", utc(2024, 3, 31, 21, 50), seated_s=900),  # 23:50 CEST, still Sunday
        # Mon 1 Apr: 00:20 CEST is 22:20 UTC on 31 Mar
        brk("done", utc(2024, 3, 31, 22, 20), seated_s=1500, snoozes=1),
    ]
    for record in records:
        store.add_break(record)
    store.add_event(EventRecord("stand", utc(2024, 3, 31, 22, 25), session_id=session))
    store.add_event(EventRecord("sit", utc(2024, 3, 31, 22, 55), seconds=1800, session_id=session))
    # The loop stopped at 01:00 CEST on Monday with 40 minutes still open.
    store.end_session(session, ended_at=utc(2024, 3, 31, 23, 0), seated_s=2400)


def burst(db: str, count: int) -> None:
    """Write breaks as fast as possible, printing each id once its transaction committed."""
    start = utc(2024, 1, 1, 9)
    with Store.open(db) as store:
        for n in range(count):
            at = start + timedelta(seconds=n)
            record_id = store.add_break(brk("done", at, seated_s=n))
            sys.stdout.write(f"{record_id}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "burst":
        burst(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: storetools.py burst DB COUNT")
