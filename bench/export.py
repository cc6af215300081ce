"""Time `glutewake log --format csv|json` over a log of a million breaks (issue 19).

    python bench/export.py [--breaks 1000000] [--keep DIR]

Writes a dense synthetic log (a break every 9 minutes around the clock, so a million
fit in the 100 years `--since` reaches back), then exports all of it as CSV and as JSON
with the `glutewake` next to this Python, and prints wall time, CPU time and peak
memory (max RSS) of each run; a tenth of the rows as well, to show memory stays flat.
Standard library only; the log goes in a temporary folder unless --keep names one.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

from glutewake.store import Store

OUTCOMES = ("done", "done", "done", "skipped", "missed", "natural")
NAMES = (
    "Glute bridge",
    "Hip flexor stretch",
    "Clamshell",
    "Walk",
    "Standing glute squeeze",
    "Half-kneeling stretch, arms up",  # a comma: CSV quotes it
)


def make(db: Path, breaks: int) -> None:
    Store.open(db).close()  # the schema, through the project's own store
    import sqlite3

    rng = random.Random(19)
    end = datetime.now(timezone.utc).replace(microsecond=0)
    start = end - timedelta(minutes=9 * breaks)

    def rows() -> Iterator[tuple[object, ...]]:
        for number in range(breaks):
            at = start + timedelta(
                minutes=9 * number,
                seconds=rng.randrange(60),
                microseconds=rng.randrange(1_000_000),
            )
            outcome = OUTCOMES[number % len(OUTCOMES)]
            snoozes = number % 3
            done = outcome == "done"
            # As the loop records them: due before any snooze, answered when the break
            # began (a done break is logged when it ends), nothing for a missed one.
            due = at - timedelta(seconds=snoozes * 300 + rng.randrange(30, 600))
            answered = None if outcome == "missed" else at - timedelta(seconds=120 if done else 0)
            yield (
                outcome,
                at.isoformat(timespec="microseconds"),
                due.isoformat(timespec="microseconds"),
                answered.isoformat(timespec="microseconds") if answered else None,
                1800 + number % 1800,
                "glute-bridge",
                NAMES[number % len(NAMES)],
                "glutes",
                snoozes,
                600 if outcome == "natural" else None,
                "terminal" if answered else None,
                120 if done else None,
                (number % 2) if done else None,
            )

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO breaks (outcome, at, due_at, answered_at, seated_s, exercise_id, "
        "exercise_name, category, snoozes, away_s, answered_via, break_s, completed) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    conn.execute("COMMIT")
    conn.close()


def run(glutewake: str, home: Path, args: list[str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, max RSS in MB, bytes written) of one export."""
    env = {**os.environ, "GLUTEWAKE_HOME": str(home), "GLUTEWAKE_CONFIG": str(home / "none")}
    out = home / "out"
    with out.open("wb") as sink:
        started = time.perf_counter()
        child = subprocess.Popen([glutewake, "log", *args], env=env, stdout=sink)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"glutewake log {' '.join(args)} failed")
    size = out.stat().st_size
    out.unlink()
    scale = 1 if sys.platform == "darwin" else 1024
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss * scale / 1e6, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--breaks", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the log here and keep it")
    options = parser.parse_args()
    glutewake = str(Path(sys.executable).with_name("glutewake"))
    with tempfile.TemporaryDirectory() as scratch:
        home = options.keep or Path(scratch)
        home.mkdir(parents=True, exist_ok=True)
        db = home / "glutewake.db"
        if not db.exists():
            started = time.perf_counter()
            make(db, options.breaks)
            print(
                f"log of {options.breaks:,} breaks written in {time.perf_counter() - started:.1f}s"
            )
        days = 9 * options.breaks // 1440 + 2
        for fmt in ("csv", "json"):
            for label, since in (("all", f"{days}d"), ("a tenth", f"{days // 10}d")):
                wall, cpu, rss, size = run(glutewake, home, ["--since", since, "--format", fmt])
                figures = (
                    f"{wall:6.2f} s wall  {cpu:6.2f} s CPU  {rss:6.1f} MB max RSS  "
                    f"{size / 1e6:7.1f} MB out"
                )
                print(f"{fmt:4} {label:8} {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
