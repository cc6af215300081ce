"""The log's schema: an ordered list of migrations and the upgrade that applies them.

As in llm and sqlite-utils: PRAGMA user_version counts the migrations a file has had,
and opening a file runs the ones it has not, in one transaction. Append only: a
released version's migration never changes; a new column or table is a new function
at the END of MIGRATIONS.
Their steps look alike (add a column, copy a table) and stay written out one by one:
a shared helper would let an edit change what an old migration does to an old file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

# "GLWK": marks the file as a glutewake log, so we never migrate someone else's database.
APPLICATION_ID = int.from_bytes(b"GLWK", "big")

Migration = Callable[[sqlite3.Connection], None]


def _m001_initial(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            seated_s INTEGER
        )"""
    )
    conn.execute("CREATE INDEX sessions_ended_at ON sessions(ended_at)")
    conn.execute(
        """CREATE TABLE breaks (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            outcome TEXT NOT NULL CHECK (outcome IN ('done', 'skipped', 'missed', 'natural')),
            at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            answered_at TEXT,
            seated_s INTEGER NOT NULL,
            exercise_id TEXT,
            exercise_name TEXT,
            category TEXT,
            snoozes INTEGER NOT NULL DEFAULT 0,
            away_s INTEGER
        )"""
    )
    # (at, outcome) covers the per-day counts of a whole history without touching rows.
    conn.execute("CREATE INDEX breaks_at ON breaks(at, outcome)")
    conn.execute("CREATE INDEX breaks_outcome_at ON breaks(outcome, at)")
    conn.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            seconds INTEGER,
            detail TEXT
        )"""
    )
    conn.execute("CREATE INDEX events_at ON events(at)")
    conn.execute("CREATE INDEX events_kind_at ON events(kind, at)")
    # One row at most: what the running loop is doing, for `status`.
    conn.execute(
        """CREATE TABLE state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pid INTEGER NOT NULL,
            session_id INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            state TEXT NOT NULL,
            since TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            seated_s INTEGER NOT NULL,
            clock_running INTEGER NOT NULL,
            next_at TEXT,
            exercise_id TEXT,
            exercise_name TEXT,
            snoozes INTEGER NOT NULL,
            max_snoozes INTEGER NOT NULL,
            snooze_s INTEGER NOT NULL
        )"""
    )
    # AUTOINCREMENT: a command id is never reused, so "commands after N" stays true.
    conn.execute(
        """CREATE TABLE commands (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            name TEXT NOT NULL,
            arg TEXT
        )"""
    )


def _m002_command_results(conn: sqlite3.Connection) -> None:
    # The loop answers each command, so the sender can say whether it was acted on.
    conn.execute("ALTER TABLE commands ADD COLUMN handled_at TEXT")
    conn.execute("ALTER TABLE commands ADD COLUMN result TEXT")


def _m003_state_without_snooze_s(conn: sqlite3.Connection) -> None:
    # Nothing ever read the snooze length from the state row. The row is rewritten at
    # every change of the loop, so the table is made again rather than copied.
    conn.execute("DROP TABLE state")
    conn.execute(
        """CREATE TABLE state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pid INTEGER NOT NULL,
            session_id INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            state TEXT NOT NULL,
            since TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            seated_s INTEGER NOT NULL,
            clock_running INTEGER NOT NULL,
            next_at TEXT,
            exercise_id TEXT,
            exercise_name TEXT,
            snoozes INTEGER NOT NULL,
            max_snoozes INTEGER NOT NULL
        )"""
    )


def _m004_state_held(conn: sqlite3.Connection) -> None:
    # Why a due break waits (busy.py's detector name), for `status` in other terminals.
    conn.execute("ALTER TABLE state ADD COLUMN held TEXT")


def _m005_answered_via(conn: sqlite3.Connection) -> None:
    # How a break was answered: terminal | notification | command; NULL when nobody answered
    # (missed, natural) and for breaks recorded before this column existed.
    conn.execute(
        "ALTER TABLE breaks ADD COLUMN answered_via TEXT "
        "CHECK (answered_via IN ('terminal', 'notification', 'command'))"
    )


def _m006_break_taken(conn: sqlite3.Connection) -> None:
    # A started break is recorded when it is over: how long it took, and whether the
    # exercise ran to its end (1) or was stopped early (0). NULL for older rows.
    conn.execute("ALTER TABLE breaks ADD COLUMN break_s INTEGER")
    conn.execute("ALTER TABLE breaks ADD COLUMN completed INTEGER")


def _m007_abandoned(conn: sqlite3.Connection) -> None:
    # A break still open when the loop stops is `abandoned`, not `missed`. SQLite cannot
    # change a CHECK constraint in place: the table is rebuilt with the same rows and ids.
    conn.execute(
        """CREATE TABLE breaks_new (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            outcome TEXT NOT NULL
                CHECK (outcome IN ('done', 'skipped', 'missed', 'natural', 'abandoned')),
            at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            answered_at TEXT,
            seated_s INTEGER NOT NULL,
            exercise_id TEXT,
            exercise_name TEXT,
            category TEXT,
            snoozes INTEGER NOT NULL DEFAULT 0,
            away_s INTEGER,
            answered_via TEXT CHECK (answered_via IN ('terminal', 'notification', 'command')),
            break_s INTEGER,
            completed INTEGER,
            carried_s INTEGER NOT NULL DEFAULT 0
        )"""
    )
    columns = (
        "id, session_id, outcome, at, due_at, answered_at, seated_s, exercise_id, "
        "exercise_name, category, snoozes, away_s, answered_via, break_s, completed"
    )
    conn.execute(f"INSERT INTO breaks_new ({columns}) SELECT {columns} FROM breaks")
    conn.execute("DROP TABLE breaks")
    conn.execute("ALTER TABLE breaks_new RENAME TO breaks")
    conn.execute("CREATE INDEX breaks_at ON breaks(at, outcome)")
    conn.execute("CREATE INDEX breaks_outcome_at ON breaks(outcome, at)")
    # A miss no longer ends the sitting stretch: a record's seated_s is the whole stretch,
    # and carried_s the part of it an earlier (missed) record already counted. Rows from
    # before, whose stretches a miss did end, carry nothing.
    conn.execute("ALTER TABLE sessions ADD COLUMN carried_s INTEGER NOT NULL DEFAULT 0")


def _m008_warmups(conn: sqlite3.Connection) -> None:
    # `glutewake warmup`: a routine of its own kind, not a break (nothing fell due).
    conn.execute(
        """CREATE TABLE warmups (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            seconds INTEGER NOT NULL,
            completed INTEGER NOT NULL,
            minutes INTEGER NOT NULL,
            exercises TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX warmups_at ON warmups(at)")


# Append only: a released version's migration never changes; user_version = how many ran.
MIGRATIONS: tuple[Migration, ...] = (
    _m001_initial,
    _m002_command_results,
    _m003_state_without_snooze_s,
    _m004_state_held,
    _m005_answered_via,
    _m006_break_taken,
    _m007_abandoned,
    _m008_warmups,
)


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the pending migrations in one transaction; return the new schema version.

    `conn` must be in autocommit mode (isolation_level=None). The version is read again
    under the write lock, so two processes opening a new file at once migrate it once.
    """
    if schema_version(conn) >= len(migrations):
        return schema_version(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(conn)
        for number in range(version, len(migrations)):
            migrations[number](conn)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(migrations)
