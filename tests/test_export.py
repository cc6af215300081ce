"""`log --format csv|json` streams: the same text as building every row in Python, in any
time zone, across clock changes, with any text in the log."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from glutewake import export, report
from glutewake.export import export_pieces, write_export
from glutewake.output import to_csv, to_json
from glutewake.store import BreakRecord, Store, WarmupRecord
from glutewake.text import CONTROL
from glutewake.vocab import OUTCOMES
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
    out = io.StringIO()
    write_export(out, export_pieces(store, period, fmt=fmt), fmt)
    text = out.getvalue()
    return text.removesuffix("\n") if fmt == "json" else text  # to_json ends with no newline


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
    out = io.StringIO()
    write_export(out, export_pieces(store, period, outcomes=kept, fmt="csv"), "csv")
    return out.getvalue()


# The export forks its workers from a process with one thread; pytest-xdist's worker
# process has more, which Python 3.12+ warns about.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.parametrize("workers", [1, 2])
def test_pieces_made_side_by_side_are_the_same_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """Small pieces, cut at warm-ups and clock changes, made here or by worker processes."""
    monkeypatch.setattr(export, "CHUNK", 37)
    with local_zone("Europe/Berlin"), Store.open(tmp_path / "g.db") as store:
        seed(store, 1500)
        period = report.Period(
            datetime(2022, 12, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
        )
        rows = report.break_rows(store, period)
        for fmt, expected in (("csv", to_csv(rows, report.BREAK_FIELDS)), ("json", to_json(rows))):
            out = io.StringIO()
            spooled = 0

            def counted(pieces: Iterator[export.Piece]) -> Iterator[export.Piece]:
                nonlocal spooled
                for piece in pieces:
                    spooled += isinstance(piece, export.Spooled)
                    yield piece

            write_export(out, counted(export_pieces(store, period, fmt=fmt, workers=workers)), fmt)
            # Made by worker processes (Linux), or all here.
            assert bool(spooled) == (workers > 1 and sys.platform == "linux")
            assert out.getvalue().removesuffix("\n" if fmt == "json" else "") == expected


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_more_breaks_at_one_instant_than_a_piece_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "CHUNK", 5)
    at = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    with Store.open(tmp_path / "g.db") as store, store.batch():
        for number in range(23):
            store.add_break(BreakRecord("done", at + timedelta(seconds=number // 12), at, at, 60))
    with Store.open(tmp_path / "g.db", create=False) as store:
        period = report.Period(at - timedelta(days=1), at + timedelta(days=1))
        out = io.StringIO()
        write_export(out, export_pieces(store, period, fmt="csv", workers=2), "csv")
        assert out.getvalue() == to_csv(report.break_rows(store, period), report.BREAK_FIELDS)
        assert len(out.getvalue().splitlines()) == 1 + 23


def test_pieces_go_out_as_utf8_bytes_or_through_the_text_layer(tmp_path: Path) -> None:
    """UTF-8 output takes the bytes as they are; any other encoding gets them as text."""
    with Store.open(tmp_path / "g.db") as store:
        seed(store, 40)
        period = report.Period(
            datetime(2022, 12, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
        )
        expected = to_csv(report.break_rows(store, period, outcomes=OUTCOMES), report.BREAK_FIELDS)
        for encoding in ("utf-8", "latin-1"):
            raw = io.BytesIO()
            out = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            write_export(out, export_pieces(store, period, outcomes=OUTCOMES, fmt="csv"), "csv")
            out.flush()
            assert raw.getvalue() == expected.encode(encoding, errors="replace")


def test_a_terminal_gets_no_control_characters_from_the_log(data_dir: Path) -> None:
    """`log --format csv` keeps the log's text as it is in a file; on a real terminal
    (a pty), escape sequences an older version let into the log are shown escaped,
    never acted on."""
    import pty

    name = "esc\x1b]0;owned\x07 \x9b2J"
    data_dir.mkdir()
    with Store.open(data_dir / "glutewake.db") as store:
        at = datetime.now(timezone.utc) - timedelta(hours=1)
        store.add_break(BreakRecord("done", at, at, at, 60, "x", name))
    argv = [sys.executable, "-m", "glutewake", "log", "--today", "--format", "csv"]
    to_file = subprocess.run(argv, capture_output=True, timeout=30)
    assert name.encode() in to_file.stdout
    leader, follower = pty.openpty()
    with subprocess.Popen(argv, stdout=follower, stderr=subprocess.PIPE) as process:
        os.close(follower)
        shown = b""
        with suppress(OSError):  # EIO once the pty's last writer has gone
            while chunk := os.read(leader, 4096):
                shown += chunk
        assert process.wait(timeout=30) == 0
    os.close(leader)
    text = shown.decode()
    assert "esc" in text and "owned" in text
    assert not CONTROL.search(text.replace("\r\n", "\n")), text


def big_log(path: Path, count: int) -> None:
    """`count` breaks, a minute apart, written in one statement (seconds, not minutes)."""
    Store.open(path).close()
    conn = sqlite3.connect(path)
    start = datetime.now(timezone.utc) - timedelta(minutes=count + 5)
    with conn:
        conn.executemany(
            "INSERT INTO breaks (outcome, at, due_at, seated_s, exercise_name) "
            "VALUES ('done', ?, ?, 1800, 'Glute bridge')",
            (
                ((start + timedelta(minutes=n)).isoformat(timespec="microseconds"),) * 2
                for n in range(count)
            ),
        )
    conn.close()


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def gone(pids: list[int], within: float = 5.0) -> bool:
    """Whether every one of `pids` has ended (a zombie waiting for init counts as ended)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            with suppress(OSError):
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(pid)
        if not alive:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def export_running(
    request: pytest.FixtureRequest, data_dir: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int, list[int]]]:
    """`glutewake log --format json` of a log long enough for worker processes, its
    output a pipe read no further than its first bytes: (process, read end, workers)."""
    if sys.platform != "linux":
        pytest.skip("worker processes are Linux only")
    data_dir.mkdir()
    # By default more pieces than the workers have memory files: some are made only after
    # the test acts, whatever the machine's speed.
    big_log(data_dir / "glutewake.db", getattr(request, "param", 12) * export.CHUNK)
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-m", "glutewake", "log", "--since", "100d", "--format", "json"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell gives a job
    )
    os.close(write_end)
    first = b""
    while len(first) < 10:
        first += os.read(read_end, 10 - len(first))
    assert first == b"[\n  {\n    "
    # Its pipe is full now and stays so: the workers made what they could and wait.
    deadline = time.monotonic() + 10
    while len(workers := children(process.pid)) < export._worker_count():
        assert time.monotonic() < deadline, "no worker processes started"
        time.sleep(0.05)
    try:
        yield process, read_end, workers
    finally:
        with suppress(OSError):
            os.close(read_end)
        with suppress(ProcessLookupError):
            process.kill()
        process.wait()


def test_a_reader_that_stops_early_ends_the_workers_quietly(export_running) -> None:
    """`log --format json | head`: exit 141 with nothing said, and no worker left behind."""
    process, read_end, workers = export_running
    os.close(read_end)
    assert process.wait(timeout=30) == 141
    assert process.stderr is not None and process.stderr.read() == b""
    assert gone(workers)


def test_ctrl_c_ends_an_export_and_its_workers_quietly(export_running) -> None:
    """Ctrl-C reaches the whole group: the export exits 130, no "Aborted!", no traceback."""
    process, _read_end, workers = export_running
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=30) == 130
    assert process.stderr is not None and process.stderr.read() == b""
    assert gone(workers)


def test_workers_end_with_an_export_killed_outright(export_running) -> None:
    """They find their task pipe closed and leave: nothing of the export runs on."""
    process, _read_end, workers = export_running
    process.kill()  # SIGKILL to the parent alone: nothing of it runs any more
    process.wait(timeout=30)
    assert gone(workers)


def test_a_worker_that_dies_ends_the_export_with_one_line(export_running) -> None:
    """The OOM killer takes a worker: its pieces fail, one line says so, exit 1; no hang."""
    process, read_end, workers = export_running
    os.kill(workers[0], signal.SIGKILL)
    while os.read(read_end, 1 << 16):  # the rest of what was made, then the end
        pass
    assert process.wait(timeout=30) == 1
    assert process.stderr is not None
    err = process.stderr.read().decode()
    assert err.count("\n") == 1 and "a worker process ended unexpectedly" in err, err
    assert gone(workers)


@pytest.mark.parametrize("export_running", [4], indirect=True)
def test_a_worker_killed_once_every_piece_is_made_hangs_nothing(export_running) -> None:
    """All four pieces made, the workers wait for more: one killed there leaves the task
    queue's lock taken. The export still ends: whole, or with its one line."""
    process, read_end, workers = export_running
    time.sleep(0.5)  # the pieces are made
    os.kill(workers[0], signal.SIGKILL)
    out = b"[\n  {\n    "
    while chunk := os.read(read_end, 1 << 16):
        out += chunk
    assert process.wait(timeout=30) in (0, 1)
    if process.returncode == 0:  # whole: every break of the period, the last one last
        assert [row["id"] for row in json.loads(out)] == list(range(1, 4 * export.CHUNK + 1))
    assert gone(workers)


def test_the_log_command_streams_an_empty_period(cli, data_dir: Path) -> None:
    data_dir.mkdir()
    with Store.open(data_dir / "glutewake.db") as store:
        seed(store, 10)
    assert cli("log", "--today", "--format", "json").output == "[]\n"
    assert cli("log", "--today", "--format", "csv").output == ",".join(report.BREAK_FIELDS) + "\n"
