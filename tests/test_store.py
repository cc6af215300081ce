"""The store on real files: schema and migrations, round trips, concurrency, bad states."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from glutewake.channel import Channel, LoopState
from glutewake.errors import StoreError
from glutewake.migrations import APPLICATION_ID, MIGRATIONS, migrate, schema_version
from glutewake.store import BreakRecord, EventRecord, Store, StoreMissing, explain
from helpers import read_only
from storetools import brk, sha256, utc

STORETOOLS = Path(__file__).with_name("storetools.py")
TABLES = {"sessions", "breaks", "events", "state", "commands", "warmups"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "glutewake.db"


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    conn.close()
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def a_log(path: Path, breaks: int = 3) -> Path:
    with Store.open(path) as store:
        for n in range(breaks):
            store.add_break(brk("done", utc(2024, 5, 1, 9) + timedelta(hours=n)))
    return path


# --- creating and migrating -----------------------------------------------------------


def test_open_creates_a_private_wal_database_with_the_current_schema(db):
    with Store.open(db):
        pass
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert pragma(db, "journal_mode") == "wal"
    assert pragma(db, "user_version") == len(MIGRATIONS)
    assert pragma(db, "application_id") == APPLICATION_ID
    assert tables(db) == TABLES


def test_reopening_is_idempotent_and_keeps_the_data(db):
    a_log(db)
    before = sha256(db)
    for _ in range(3):
        with Store.open(db) as store:
            assert len(store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1))) == 3
    assert pragma(db, "user_version") == len(MIGRATIONS)
    assert sha256(db) == before


@pytest.mark.parametrize("kind", ["empty file", "empty sqlite database"])
def test_a_version_0_file_migrates_to_the_current_schema(db, kind):
    db.parent.mkdir(parents=True)
    if kind == "empty file":
        db.touch()
    else:
        conn = sqlite3.connect(db)
        conn.execute("VACUUM")  # writes a valid header and nothing else
        conn.close()
    assert pragma(db, "user_version") == 0
    with Store.open(db) as store:
        store.add_break(brk("done", utc(2024, 5, 1, 9)))
    assert pragma(db, "user_version") == len(MIGRATIONS)
    assert tables(db) == TABLES


def test_a_version_1_log_migrates_keeping_its_rows(db):
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    at = "2024-05-01T09:00:00.000000+00:00"
    conn.execute("INSERT INTO commands (at, name, arg) VALUES (?, 'done', NULL)", (at,))
    conn.execute(
        "INSERT INTO breaks (outcome, at, due_at, seated_s) VALUES ('done', ?, ?, 2700)", (at, at)
    )
    conn.close()
    assert pragma(db, "user_version") == 1
    with Store.open(db) as store:
        assert pragma(db, "user_version") == len(MIGRATIONS)
        channel = Channel(store)
        assert channel.command_result(1) is None
        channel.answer_command(1, "ok", utc(2024, 5, 1, 9))
        assert channel.command_result(1) == "ok"
        assert [b.seated_s for b in store.breaks_between(utc(2024, 5, 1), utc(2024, 5, 2))] == [
            2700
        ]
        # A break from before the guided break has no seconds or completion.
        (old,) = store.breaks_between(utc(2024, 5, 1), utc(2024, 5, 2))
        assert (old.break_s, old.completed) == (None, None)


def test_a_done_break_keeps_its_seconds_and_whether_it_ran_to_the_end(tmp_path):
    with Store.open(tmp_path / "g.db") as store:
        at = utc(2024, 5, 1, 9)
        for completed in (True, False):
            store.add_break(
                BreakRecord("done", at, at, at, 1800, "clamshell", break_s=95, completed=completed)
            )
        rows = store.breaks_between(utc(2024, 5, 1), utc(2024, 5, 2))
        assert [(b.break_s, b.completed) for b in rows] == [(95, True), (95, False)]


def test_a_version_2_state_row_gives_way_to_the_table_without_snooze_s(db):
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, MIGRATIONS[:2])
    at = "2024-05-01T09:00:00.000000+00:00"
    conn.execute(
        "INSERT INTO state VALUES "
        "(1, 42, 1, ?, 'seated', ?, ?, 60, 1, NULL, NULL, NULL, 0, 2, 300)",
        (at, at, at),
    )
    conn.close()
    with Store.open(db) as store:
        channel = Channel(store)
        # The row of a loop from before the upgrade is gone; the loop writes it again.
        assert channel.read_state() is None
        state = LoopState(
            42, 1, utc(2024, 5, 1), "seated", utc(2024, 5, 1), utc(2024, 5, 1), 60, True, None
        )
        channel.write_state(state)
        assert channel.read_state() == state
    columns = [row[1] for row in sqlite3.connect(db).execute("PRAGMA table_info(state)")]
    assert "snooze_s" not in columns


def test_a_version_5_log_learns_abandoned_keeping_rows_and_ids(db):
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, MIGRATIONS[:5])
    at = "2024-05-01T09:00:00.000000+00:00"
    for outcome, via in (("skipped", "command"), ("done", "terminal"), ("missed", None)):
        conn.execute(
            "INSERT INTO breaks (outcome, at, due_at, seated_s, answered_via) "
            "VALUES (?, ?, ?, 2700, ?)",
            (outcome, at, at, via),
        )
    conn.execute("DELETE FROM breaks WHERE outcome = 'skipped'")  # ids need not start at 1
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO breaks (outcome, at, due_at, seated_s) VALUES ('abandoned', ?, ?, 1)",
            (at, at),
        )
    conn.close()
    with Store.open(db) as store:
        store.add_break(brk("abandoned", utc(2024, 5, 1, 10)))
        rows = store.breaks_between(utc(2024, 5, 1), utc(2024, 5, 2))
    assert [(b.id, b.outcome, b.answered_via) for b in rows] == [
        (2, "done", "terminal"),
        (3, "missed", None),
        (4, "abandoned", None),
    ]
    assert tables(db) == TABLES


def test_migrate_applies_every_pending_step_in_order_from_any_version():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    ran: list[int] = []
    steps = [lambda c, n=n: ran.append(n) for n in range(1, 5)]
    assert migrate(conn, steps[:2]) == 2
    assert migrate(conn, steps) == 4
    assert migrate(conn, steps) == 4
    assert ran == [1, 2, 3, 4]
    assert schema_version(conn) == 4


def test_a_failing_migration_leaves_the_earlier_version_whole():
    conn = sqlite3.connect(":memory:", isolation_level=None)

    def add_table(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE t (x)")

    def add_another(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE v (x)")

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE u (x)")
        c.execute("THIS IS NOT SQL")

    migrate(conn, [add_table])
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, [add_table, add_another, broken])
    assert schema_version(conn) == 1
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names == {"t"}


def test_memory_store_works_for_tests():
    with Store.open(":memory:") as store:
        store.add_break(brk("done", utc(2024, 5, 1, 9)))
        assert store.first_break_at() == utc(2024, 5, 1, 9)


# --- round trips ----------------------------------------------------------------------


def test_a_break_round_trips_with_its_id_and_utc_times(db):
    record = brk("done", utc(2024, 5, 1, 9, 0, 0, 123456), snoozes=2, seated_s=2701)
    with Store.open(db) as store:
        session = store.begin_session(pid=7, started_at=utc(2024, 5, 1, 8))
        record = BreakRecord(**{**record._asdict(), "session_id": session})
        record_id = store.add_break(record)
        (back,) = store.breaks_between(utc(2024, 5, 1), utc(2024, 5, 2))
    assert back == BreakRecord(**{**record._asdict(), "id": record_id})
    assert back.at.tzinfo is not None and back.at.utcoffset() == timedelta(0)


def test_times_in_other_zones_are_stored_as_the_same_instant(db):
    from datetime import timezone

    berlin_summer = timezone(timedelta(hours=2))
    at = utc(2024, 5, 1, 9).astimezone(berlin_summer)
    with Store.open(db) as store:
        store.add_break(brk("done", at))
        (back,) = store.breaks_between(utc(2024, 5, 1, 9), utc(2024, 5, 1, 9, 0, 1))
    assert back.at == at and back.at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db):
    from datetime import datetime

    with Store.open(db) as store, pytest.raises(ValueError, match="naive"):
        store.add_break(brk("done", datetime(2024, 5, 1, 9)))


def test_an_unknown_outcome_is_a_store_error(db):
    with Store.open(db) as store, pytest.raises(StoreError, match="outcome 'snoozed'"):
        store.add_break(brk("snoozed", utc(2024, 5, 1, 9)))


def test_breaks_between_filters_and_limits_to_the_most_recent(db):
    with Store.open(db) as store:
        for n, outcome in enumerate(["done", "skipped", "missed", "natural", "done"]):
            store.add_break(brk(outcome, utc(2024, 5, 1, 9 + n)))
        window = (utc(2024, 5, 1, 10), utc(2024, 5, 1, 13))
        assert [b.outcome for b in store.breaks_between(*window)] == [
            "skipped",
            "missed",
            "natural",
        ]
        done = store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1), outcomes=["done"])
        assert [b.at.hour for b in done] == [9, 13]
        last_two = store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1), limit=2)
        assert [b.at.hour for b in last_two] == [12, 13]


def test_events_sessions_and_sessions_end(db):
    with Store.open(db) as store:
        session = store.begin_session(pid=99, started_at=utc(2024, 5, 1, 8))
        event_id = store.add_event(
            EventRecord("resume", utc(2024, 5, 1, 9), seconds=600, session_id=session)
        )
        store.end_session(session, ended_at=utc(2024, 5, 1, 17), seated_s=1200)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT kind, seconds, session_id FROM events WHERE id = ?", (event_id,))
    assert conn.execute("SELECT pid, ended_at, seated_s FROM sessions").fetchall() == [
        (99, "2024-05-01T17:00:00.000000+00:00", 1200)
    ]
    conn.close()


def test_how_a_break_was_answered_round_trips_and_only_known_ways_are_stored(db):
    with Store.open(db) as store:
        for via in ("terminal", "notification", "command", None):
            store.add_break(brk("done", utc(2024, 5, 1, 9))._replace(answered_via=via))
        found = store.breaks_between(utc(2024, 5, 1), utc(2024, 5, 2))
        assert [b.answered_via for b in found] == ["terminal", "notification", "command", None]
        with pytest.raises(StoreError):
            store.add_break(brk("done", utc(2024, 5, 1, 9))._replace(answered_via="carrier pigeon"))


def test_recent_exercises_and_last_done(db):
    with Store.open(db) as store:
        store.add_break(brk("done", utc(2024, 5, 1, 9), exercise="clamshell"))
        store.add_break(brk("skipped", utc(2024, 5, 1, 10), exercise="couch-stretch"))
        store.add_break(brk("natural", utc(2024, 5, 1, 11)))
        store.add_break(brk("done", utc(2024, 5, 1, 12), exercise="glute-bridge"))
        store.add_break(brk("done", utc(2024, 5, 1, 13), exercise="clamshell"))
        assert store.recent_exercise_ids(3) == ["clamshell", "glute-bridge", "couch-stretch"]
        assert store.last_done_at() == {
            "clamshell": utc(2024, 5, 1, 13),
            "glute-bridge": utc(2024, 5, 1, 12),
        }


# --- reading without writing ----------------------------------------------------------


def test_reading_a_missing_log_creates_nothing(tmp_path):
    db = tmp_path / "nowhere" / "glutewake.db"
    with pytest.raises(StoreMissing):
        Store.open(db, create=False)
    assert not db.parent.exists()


def test_reading_an_empty_file_is_no_log_yet_and_leaves_it_alone(db):
    db.parent.mkdir(parents=True)
    db.touch()
    with pytest.raises(StoreMissing):
        Store.open(db, create=False)
    assert db.read_bytes() == b""


def test_a_folder_is_not_a_log(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


def test_a_read_only_store_does_not_write_even_a_checkpoint(db):
    a_log(db)
    before = sha256(db)
    with Store.open(db, create=False) as store:
        assert store.first_break_at() == utc(2024, 5, 1, 9)
        with pytest.raises(StoreError, match="read-only"):
            store.add_break(brk("done", utc(2024, 6, 1, 9)))
    assert sha256(db) == before


# --- bad states: one line naming the file, the file untouched ---------------------------


def test_a_file_that_is_not_sqlite_is_refused_and_untouched(db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"these are my notes, not a database\n" * 200)
    before = sha256(db)
    for create in (True, False):
        with pytest.raises(StoreError) as caught:
            Store.open(db, create=create)
        message = str(caught.value)
        assert message == (
            f"{db}: the log is corrupt or not a SQLite database (file is not a database); "
            "it was left untouched (move it aside to start a new log)"
        )
        assert "\n" not in message
    assert sha256(db) == before
    assert not Path(f"{db}-wal").exists()


def test_a_log_with_corrupt_pages_is_refused_and_never_repaired(db):
    a_log(db, breaks=300)
    data = bytearray(db.read_bytes())
    page = pragma(db, "page_size")
    assert isinstance(page, int)
    for offset in range(page, len(data), 7):  # everything after the schema page
        data[offset] = 0xA5
    db.write_bytes(bytes(data))
    before = sha256(db)
    corrupt = "corrupt or not a SQLite database"
    with pytest.raises(StoreError, match=corrupt), Store.open(db, create=False) as store:
        store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1))
    with pytest.raises(StoreError, match=corrupt), Store.open(db) as store:
        store.add_break(brk("done", utc(2024, 6, 1, 9)))
    assert sha256(db) == before


def test_a_newer_schema_is_refused_and_untouched(db):
    a_log(db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = sha256(db)
    for create in (True, False):
        with pytest.raises(StoreError) as caught:
            Store.open(db, create=create)
        assert str(caught.value) == (
            f"{db}: the log was written by a newer glutewake (schema version 99, this one "
            f"knows up to {len(MIGRATIONS)}); upgrade glutewake. The file was left untouched"
        )
    assert sha256(db) == before


def test_someone_elses_database_is_not_migrated(db):
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = sha256(db)
    with pytest.raises(StoreError, match="a SQLite database, but not a glutewake log"):
        Store.open(db)
    assert sha256(db) == before
    assert tables(db) == {"recipes"}


def test_a_read_only_log_can_be_read_but_not_opened_for_writing(db):
    a_log(db)
    before = sha256(db)
    with read_only(db):
        with pytest.raises(StoreError) as caught:
            Store.open(db)
        assert str(caught.value) == f"{db}: cannot write the log: the file is read-only"
        with Store.open(db, create=False) as store:
            assert len(store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1))) == 3
    assert sha256(db) == before


def test_a_write_locked_longer_than_the_timeout_is_a_store_error(db):
    a_log(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(db, timeout=0.2) as store:
            started = time.monotonic()
            with pytest.raises(StoreError) as caught:
                store.add_break(brk("done", utc(2024, 6, 1, 9)))
            assert 0.15 < time.monotonic() - started < 3
            assert str(caught.value) == (
                f"{db}: the log is locked by another process (waited 0.2s)"
            )
            # Readers are never blocked by a writer (WAL).
            assert len(store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1))) == 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Store.open(db) as store:
        store.add_break(brk("done", utc(2024, 6, 1, 9)))


def test_a_new_log_locked_during_its_migration_is_a_store_error(db):
    db.parent.mkdir(parents=True)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another process"):
            Store.open(db, timeout=0.1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_full_disk_fails_the_write_and_the_log_carries_on(db):
    a_log(db)
    with Store.open(db) as store:
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        # SQLite's own cap on the file size: the write fails exactly as on a full disk.
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError) as caught:
            for n in range(500):
                store.add_break(brk("done", utc(2024, 6, 1, 9) + timedelta(minutes=n)))
        assert str(caught.value) == f"{db}: cannot write the log: the disk is full"
        written = len(store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1)))
        store._conn.execute(f"PRAGMA max_page_count = {pages * 100}")
        store.add_break(brk("done", utc(2024, 7, 1, 9)))
        assert len(store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1))) == written + 1
    assert pragma(db, "integrity_check") == "ok"


# --- concurrency and kill -9 ----------------------------------------------------------


def writer(db: Path, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(STORETOOLS), "burst", str(db), str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_reader_sees_a_consistent_growing_log_while_the_loop_writes(db):
    a_log(db, breaks=0)
    process = writer(db, 400)
    seen: list[int] = []
    try:
        while process.poll() is None or not seen or seen[-1] < 400:
            with Store.open(db, create=False) as store:
                rows = store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1))
            # Committed rows only, in order, none half-written.
            assert [b.seated_s for b in rows] == list(range(len(rows)))
            seen.append(len(rows))
            if process.poll() is not None and seen[-1] == 400:
                break
    finally:
        process.wait(timeout=30)
    assert process.returncode == 0
    assert seen == sorted(seen) and seen[-1] == 400
    assert len(set(seen)) > 1, "the reader never ran while the writer wrote"


def test_a_writer_killed_mid_burst_leaves_every_committed_row(db):
    a_log(db, breaks=0)
    process = writer(db, 1_000_000)
    assert process.stdout is not None
    committed = [int(process.stdout.readline()) for _ in range(300)]
    os.kill(process.pid, signal.SIGKILL)
    committed += [int(line) for line in process.stdout.read().split()]
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert pragma(db, "integrity_check") == "ok"
    with Store.open(db, create=False) as store:
        ids = {b.id for b in store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1))}
    assert set(committed) <= ids
    assert len(ids) - len(committed) <= 1  # at most the one committed as it was killed


def test_a_batch_commits_all_its_writes_or_none(db):
    with Store.open(db) as store:
        with store.batch():
            for n in range(3):
                store.add_break(brk("done", utc(2024, 5, 1, 9 + n)))
        with pytest.raises(RuntimeError), store.batch():
            store.add_break(brk("done", utc(2024, 5, 2, 9)))
            raise RuntimeError("stop half way")
        assert [b.at.day for b in store.breaks_between(utc(2024, 1, 1), utc(2025, 1, 1))] == [
            1,
            1,
            1,
        ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database is locked", "the log is locked by another process (waited 5s)"),
        ("attempt to write a readonly database", "cannot write the log: the file is read-only"),
        ("database or disk is full", "cannot write the log: the disk is full"),
        ("file is not a database", "the log is corrupt or not a SQLite database"),
        ("database disk image is malformed", "the log is corrupt or not a SQLite database"),
        ("unable to open database file", "cannot open the log (is its folder writable?)"),
        ("something new", "cannot write the log: something new"),
    ],
)
def test_errors_are_explained_from_sqlites_message_when_python_has_no_error_code(text, expected):
    # Python 3.10's sqlite3 errors carry no sqlite_errorcode; these carry none either.
    explained = str(
        explain("/x/glutewake.db", sqlite3.OperationalError(text), timeout=5, writing=True)
    )
    assert explained.startswith(f"/x/glutewake.db: {expected}")
