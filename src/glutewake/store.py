"""The break log: sessions, breaks and events in one SQLite file.

Times are timezone-aware UTC datetimes in Python and fixed-width UTC ISO 8601 text in the
file (microseconds included, so text order is time order and range queries use indexes).
The schema migrates itself on open (migrations.py); the same file carries the loop's state
row and the commands other terminals send it (channel.py). The report's aggregate queries
are in queries.py.

A file that is not ours to change is never written: a corrupt or non-SQLite file, a newer
schema, someone else's database. Every failure is a StoreError with one line naming the file.

Over ~450 lines on purpose: opening (the file checks, the private modes, the moved-file
check) and every write share one connection and one error translation, and splitting them
would make the paths that must never lose data harder to read side by side.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from glutewake.errors import StoreError
from glutewake.i18n import N_, _
from glutewake.migrations import APPLICATION_ID, MIGRATIONS, migrate, schema_version
from glutewake.vocab import OUTCOMES, Outcome

if TYPE_CHECKING:
    from glutewake.queries import DayTotals, ExerciseCount, HourTotals

BUSY_TIMEOUT = 5.0


class StoreMoved(StoreError):
    """The log file was moved, replaced or deleted while open: nothing more is written."""


class StoreMissing(StoreError):
    """There is no log yet: no file, or a file with no glutewake tables (read-only open)."""


# NamedTuples, not frozen dataclasses: as immutable, and about seven times cheaper to
# define, a cost `glutewake log` pays at every start (see bench/README.md).


class BreakRecord(NamedTuple):
    outcome: Outcome
    at: datetime
    due_at: datetime
    answered_at: datetime | None
    seated_s: int
    exercise_id: str | None = None
    exercise_name: str | None = None
    category: str | None = None
    snoozes: int = 0
    away_s: int | None = None
    session_id: int | None = None
    id: int | None = None
    answered_via: str | None = None  # terminal | notification | command
    break_s: int | None = None
    completed: bool | None = None
    # Of seated_s, what an earlier (missed) break of the same stretch already counted.
    carried_s: int = 0


class EventRecord(NamedTuple):
    kind: str
    at: datetime
    seconds: int | None = None
    detail: str | None = None
    session_id: int | None = None
    id: int | None = None


class WarmupRecord(NamedTuple):
    """One `glutewake warmup` routine."""

    at: datetime  # when it started
    seconds: int
    completed: bool  # ran to its end (not stopped early)
    minutes: int  # the length asked for
    exercises: tuple[str, ...]  # ids, in order
    id: int | None = None


# --- time as text ---------------------------------------------------------------------


def to_text(moment: datetime) -> str:
    """Fixed-width UTC ISO 8601, so comparing the text compares the times."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"glutewake stores aware datetimes only, got naive {moment!r}")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


def maybe_text(moment: datetime | None) -> str | None:
    return None if moment is None else to_text(moment)


def maybe_time(text: str | None) -> datetime | None:
    return None if text is None else from_text(text)


# --- errors ---------------------------------------------------------------------------

_BUSY, _LOCKED, _READONLY, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 11, 13, 14, 26
# Python 3.10 has no sqlite_errorcode; the messages are SQLite's own, stable for decades.
_CODE_BY_TEXT = {
    "database is locked": _BUSY,
    "database table is locked": _LOCKED,
    "attempt to write a readonly database": _READONLY,
    "database disk image is malformed": _CORRUPT,
    "database or disk is full": _FULL,
    "unable to open database file": _CANTOPEN,
    "file is not a database": _NOTADB,
}


def _primary_code(exc: sqlite3.Error) -> int | None:
    code: int | None = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    return _CODE_BY_TEXT.get(str(exc))


READ_ONLY = N_("{path}: cannot write the log: the file is read-only")


def explain(path: str, exc: sqlite3.Error, *, timeout: float, writing: bool) -> StoreError:
    """The one-line StoreError a user sees for a SQLite failure on `path`."""
    code = _primary_code(exc)
    if code in (_BUSY, _LOCKED):
        return StoreError(
            _("{path}: the log is locked by another process (waited {seconds:g}s)").format(
                path=path, seconds=timeout
            )
        )
    if code == _READONLY:
        return StoreError(_(READ_ONLY).format(path=path))
    if code == _FULL:
        return StoreError(_("{path}: cannot write the log: the disk is full").format(path=path))
    if code in (_CORRUPT, _NOTADB):
        return StoreError(
            _(
                "{path}: the log is corrupt or not a SQLite database ({error}); it was left "
                "untouched (move it aside to start a new log)"
            ).format(path=path, error=exc)
        )
    if code == _CANTOPEN:
        return StoreError(
            _("{path}: cannot open the log (is its folder writable?)").format(path=path)
        )
    if writing:
        return StoreError(_("{path}: cannot write the log: {error}").format(path=path, error=exc))
    return StoreError(_("{path}: cannot read the log: {error}").format(path=path, error=exc))


# --- the store ------------------------------------------------------------------------

_BREAK_COLUMNS = (
    "id, session_id, outcome, at, due_at, answered_at, seated_s, exercise_id, exercise_name, "
    "category, snoozes, away_s, answered_via, break_s, completed, carried_s"
)


class Store:
    """The log database. Open with Store.open(); every write is one transaction."""

    def __init__(self, conn: sqlite3.Connection, path: str, *, timeout: float) -> None:
        self._conn = conn
        self.path = path
        self.timeout = timeout
        # (device, inode) of the file opened for writing: every write first checks that
        # the path still names it, so nothing is written into a file we did not open.
        self.identity: tuple[int, int] | None = None
        self._moved = False

    # --- opening ---

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        timeout: float = BUSY_TIMEOUT,
        existing: bool = False,
        make_folder: bool = True,
    ) -> Store:
        """Open (and with `create`, make and migrate) the log at `path`.

        create=False opens an existing file read-only for queries and raises StoreMissing
        when there is nothing to read, so merely reading never creates a file.
        existing=True opens for writing only a log that is already there (the commands
        that talk to a running loop: they never make a new file where its log was).
        make_folder=False: a missing folder is an error rather than made (`start` and
        `warmup` pass it for a log the config names: a typo must not start a new log).
        """
        name = str(path)
        if name == ":memory:":
            conn = _connect(name, timeout=timeout, uri=False)
            store = cls(conn, name, timeout=timeout)
            store._guard(store._prepare, writing=True)
            return store
        file = Path(path)
        if file.is_dir():
            raise StoreError(
                _("{path}: is a folder, expected the log database file").format(path=file)
            )
        _check_regular(file)
        if existing and not file.exists():
            raise StoreError(_("{path}: the log is gone (moved or deleted?)").format(path=file))
        if create:
            return cls._open_for_writing(file, timeout, make_folder)
        return cls._open_for_reading(file, timeout)

    @classmethod
    def _open_for_writing(cls, file: Path, timeout: float, make_folder: bool) -> Store:
        _create_private(file, make_folder)
        try:
            # Probing O_RDWR catches read-only files (even for root: chattr +i, read-only
            # mounts) before SQLite quietly falls back to a read-only connection.
            os.close(os.open(file, os.O_RDWR))
        except PermissionError:
            raise StoreError(_(READ_ONLY).format(path=file)) from None
        except OSError as exc:
            raise StoreError(
                _("{path}: cannot open the log ({why})").format(path=file, why=exc.strerror)
            ) from None
        return cls._connected(file, str(file), timeout, writing=True)

    @classmethod
    def _open_for_reading(cls, file: Path, timeout: float) -> Store:
        if not file.exists():
            raise StoreMissing(f"{file}: no log yet")
        if not os.access(file, os.R_OK):
            raise StoreError(_("{path}: cannot read the log: permission denied").format(path=file))
        # mode=ro: reading never writes, not even a checkpoint of another process's WAL.
        uri = "file:" + _quote_uri_path(file.resolve()) + "?mode=ro"
        if not file.with_name(file.name + "-shm").exists() and not os.access(file.parent, os.W_OK):
            # A WAL log is read through its -shm file, which SQLite cannot create in a
            # read-only folder (mount, chattr +i); with none there, nobody is writing the
            # log now, so read it as it stands.
            uri += "&immutable=1"
        return cls._connected(file, uri, timeout, writing=False)

    @classmethod
    def _connected(cls, file: Path, target: str, timeout: float, *, writing: bool) -> Store:
        """Connect to `target` (a path, or a URI when reading) and check the file is ours."""
        try:
            conn = _connect(target, timeout=timeout, uri=not writing)
        except sqlite3.Error as exc:
            raise explain(str(file), exc, timeout=timeout, writing=writing) from None
        store = cls(conn, str(file), timeout=timeout)
        try:
            store._guard(store._prepare if writing else store._check_readable, writing=writing)
            if writing:
                info = os.stat(file)
                store.identity = (info.st_dev, info.st_ino)
        except BaseException:
            store.close()
            raise
        return store

    def _identify(self) -> int:
        """The file's schema version, after checking it is ours and not from the future."""
        conn = self._conn
        version = schema_version(conn)
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        }
        fresh = version == 0 and app_id == 0 and not tables
        if not fresh and app_id != APPLICATION_ID:
            raise StoreError(
                f"{self.path}: a SQLite database, but not a glutewake log; it was left untouched"
            )
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: the log was written by a newer glutewake (schema version "
                f"{version}, this one knows up to {len(MIGRATIONS)}); upgrade glutewake. "
                "The file was left untouched"
            )
        return version

    def _prepare(self) -> None:
        self._identify()
        mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if self.path != ":memory:" and str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch the log to WAL mode (got {mode})")
        migrate(self._conn)

    def _check_readable(self) -> None:
        version = self._identify()
        if version == 0:
            raise StoreMissing(f"{self.path}: no log yet")
        if version < len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: the log has schema version {version} and needs upgrading to "
                f"{len(MIGRATIONS)}; run `glutewake start` once to upgrade it"
            )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- plumbing (also channel.py's way in: one connection, one error family) ---

    def _guard(self, action: Callable[[], Any], *, writing: bool) -> Any:
        try:
            return action()
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise explain(self.path, exc, timeout=self.timeout, writing=writing) from None

    def check_in_place(self) -> None:
        """Raise StoreMoved if the path no longer names the file this store opened.

        The first time, what is still in the write-ahead log is folded into the file we
        opened (wherever it is now), so the moved file is complete on its own."""
        if self.identity is None or self._conn.in_transaction:
            return  # in a batch: checked when it began
        if not self._moved:
            try:
                info = os.stat(self.path)
                if (info.st_dev, info.st_ino) == self.identity:
                    return
            except OSError:
                pass
            self._moved = True
            with suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raise StoreMoved(
            _(
                "{path}: the log was moved, replaced or deleted while glutewake ran; what it "
                "recorded is in the moved file, and nothing more is written (restart "
                "glutewake start for a new log)"
            ).format(path=self.path)
        )

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        self.check_in_place()

        def run() -> int:
            rowid = self._conn.execute(sql, params).lastrowid
            assert rowid is not None
            return rowid

        result: int = self._guard(run, writing=True)
        return result

    def write(self, sql: str, params: Sequence[Any]) -> None:
        self.check_in_place()
        self._guard(lambda: self._conn.execute(sql, params), writing=True)

    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        rows: list[Any] = self._guard(
            lambda: self._conn.execute(sql, params).fetchall(), writing=False
        )
        return rows

    # --- writes (each one transaction; failures raise StoreError) ---

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Make the writes inside one transaction, all or none: bulk imports, the benchmark's
        synthetic log (100,000 breaks as one commit rather than 100,000 fsyncs)."""
        self.check_in_place()
        self._guard(lambda: self._conn.execute("BEGIN IMMEDIATE"), writing=True)
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise
        self._guard(lambda: self._conn.execute("COMMIT"), writing=True)

    def begin_session(self, *, pid: int, started_at: datetime) -> int:
        return self.insert(
            "INSERT INTO sessions (pid, started_at) VALUES (?, ?)", (pid, to_text(started_at))
        )

    def end_session(
        self, session_id: int, *, ended_at: datetime, seated_s: int, carried_s: int = 0
    ) -> None:
        """`seated_s`: the stretch still open; `carried_s`: what a missed break of it counted."""
        self.write(
            "UPDATE sessions SET ended_at = ?, seated_s = ?, carried_s = ? WHERE id = ?",
            (to_text(ended_at), seated_s, carried_s, session_id),
        )

    def add_break(self, record: BreakRecord) -> int:
        if record.outcome not in OUTCOMES:
            raise StoreError(
                f"{self.path}: cannot record a break with outcome {record.outcome!r}; "
                f"expected one of {', '.join(OUTCOMES)}"
            )
        return self.insert(
            "INSERT INTO breaks (session_id, outcome, at, due_at, answered_at, seated_s, "
            "exercise_id, exercise_name, category, snoozes, away_s, answered_via, break_s, "
            "completed, carried_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.session_id,
                record.outcome,
                to_text(record.at),
                to_text(record.due_at),
                maybe_text(record.answered_at),
                record.seated_s,
                record.exercise_id,
                record.exercise_name,
                record.category,
                record.snoozes,
                record.away_s,
                record.answered_via,
                record.break_s,
                None if record.completed is None else int(record.completed),
                record.carried_s,
            ),
        )

    def add_event(self, record: EventRecord) -> int:
        return self.insert(
            "INSERT INTO events (session_id, kind, at, seconds, detail) VALUES (?, ?, ?, ?, ?)",
            (record.session_id, record.kind, to_text(record.at), record.seconds, record.detail),
        )

    # --- reads for the loop ---

    def recent_exercise_ids(self, limit: int) -> list[str]:
        rows = self.rows(
            "SELECT exercise_id FROM breaks WHERE exercise_id IS NOT NULL "
            "ORDER BY at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [row[0] for row in rows]

    def last_done_at(self) -> dict[str, datetime]:
        rows = self.rows(
            "SELECT exercise_id, max(at) FROM breaks "
            "WHERE outcome = 'done' AND exercise_id IS NOT NULL GROUP BY exercise_id"
        )
        return {exercise_id: from_text(at) for exercise_id, at in rows}

    # --- reads for report.py ---

    def first_break_at(self) -> datetime | None:
        """The first break or warm-up recorded."""
        rows = self.rows(
            "SELECT min(at) FROM (SELECT min(at) AS at FROM breaks "
            "UNION ALL SELECT min(at) FROM warmups)"
        )
        return maybe_time(rows[0][0])

    def add_warmup(self, record: WarmupRecord) -> int:
        return self.insert(
            "INSERT INTO warmups (at, seconds, completed, minutes, exercises) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                to_text(record.at),
                record.seconds,
                int(record.completed),
                record.minutes,
                ",".join(record.exercises),
            ),
        )

    def warmups_between(
        self, start: datetime, end: datetime, *, limit: int | None = None
    ) -> list[WarmupRecord]:
        """Warm-ups with start <= at < end, oldest first; with `limit`, the most recent."""
        rows = self.rows(
            "SELECT id, at, seconds, completed, minutes, exercises FROM warmups "
            "WHERE at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?",
            (to_text(start), to_text(end), -1 if limit is None else limit),
        )
        return [
            WarmupRecord(
                at=from_text(at),
                seconds=seconds,
                completed=bool(completed),
                minutes=minutes,
                exercises=tuple(filter(None, exercises.split(","))),
                id=id_,
            )
            for id_, at, seconds, completed, minutes, exercises in reversed(rows)
        ]

    def breaks_between(
        self,
        start: datetime,
        end: datetime,
        *,
        outcomes: Sequence[str] = OUTCOMES,
        limit: int | None = None,
    ) -> list[BreakRecord]:
        """Breaks with start <= at < end, oldest first; with `limit`, the most recent ones."""
        marks = ", ".join("?" for _ in outcomes)
        rows = self.rows(
            f"SELECT {_BREAK_COLUMNS} FROM breaks "
            f"WHERE at >= ? AND at < ? AND outcome IN ({marks}) "
            "ORDER BY at DESC, id DESC LIMIT ?",
            (to_text(start), to_text(end), *outcomes, -1 if limit is None else limit),
        )
        return [_break(row) for row in reversed(rows)]

    # --- report queries (queries.py, loaded when first asked) ---

    def day_totals(self, start: datetime, end: datetime) -> list[DayTotals]:
        from glutewake import queries

        return queries.day_totals(self, start, end)

    def answered_counts(self, start: datetime, end: datetime) -> dict[str, int]:
        from glutewake import queries

        return queries.answered_counts(self, start, end)

    def done_per_day(self, end: datetime) -> list[tuple[str, int, int]]:
        from glutewake import queries

        return queries.done_per_day(self, end)

    def top_exercises(self, start: datetime, end: datetime, limit: int) -> list[ExerciseCount]:
        from glutewake import queries

        return queries.top_exercises(self, start, end, limit)

    def hour_totals(self, start: datetime, end: datetime) -> list[HourTotals]:
        from glutewake import queries

        return queries.hour_totals(self, start, end)

    def offset_runs(self, low: str, high: str) -> list[tuple[str, str, int | None]]:
        from glutewake import queries

        return queries.offset_runs(self, low, high)

    def stream(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Iterator[Any]:
        """The rows of a query one at a time: memory stays flat however many there are."""
        cursor = self._guard(lambda: self._conn.execute(sql, params), writing=False)
        while True:
            batch = self._guard(lambda: cursor.fetchmany(4096), writing=False)
            if not batch:
                return
            yield from batch

    def iter_breaks(self, low: str, high: str, outcomes: Sequence[str]) -> Iterator[BreakRecord]:
        """Breaks with low <= at < high (UTC text), oldest first, streamed."""
        marks = ", ".join("?" for _ in outcomes)
        for row in self.stream(
            f"SELECT {_BREAK_COLUMNS} FROM breaks WHERE at >= ? AND at < ? "
            f"AND outcome IN ({marks}) ORDER BY at, id",
            (low, high, *outcomes),
        ):
            yield _break(row)


def _break(row: Sequence[Any]) -> BreakRecord:
    (id_, session_id, outcome, at, due_at, answered_at, seated_s, *rest) = row
    (exercise_id, exercise_name, category, snoozes, away_s, answered_via, *taken) = rest
    break_s, completed, carried_s = taken
    return BreakRecord(
        outcome=cast(Outcome, outcome),  # the table's CHECK admits nothing else
        at=from_text(at),
        due_at=from_text(due_at),
        answered_at=maybe_time(answered_at),
        seated_s=seated_s,
        exercise_id=exercise_id,
        exercise_name=exercise_name,
        category=category,
        snoozes=snoozes,
        away_s=away_s,
        session_id=session_id,
        id=id_,
        answered_via=answered_via,
        break_s=break_s,
        completed=None if completed is None else bool(completed),
        carried_s=carried_s,
    )


def _connect(target: str, *, timeout: float, uri: bool) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves; a lone statement is its own
    # transaction, which is exactly "one transaction per event".
    return sqlite3.connect(target, timeout=timeout, isolation_level=None, uri=uri)


def _check_regular(file: Path) -> None:
    """A named pipe or a device named as the log would hang SQLite's first read."""
    import stat

    try:
        mode = os.stat(file).st_mode
    except OSError:
        return  # missing (made later) or unreachable: the open says why
    if not stat.S_ISREG(mode):
        from glutewake.files import kind_of

        raise StoreError(
            _("{path}: {reason}, expected the log database file").format(
                path=file, reason=kind_of(mode)
            )
        )


def _create_private(file: Path, make_folder: bool) -> None:
    """Create an empty file with mode 0600 (an empty file is a valid, empty database);
    its folder too with `make_folder`.

    In a folder others can write to, refuse a symlink or another user's file at the log's
    path or at its -wal/-shm companions: SQLite would follow them."""
    from glutewake.files import (
        UnreadableFile,
        check_ours,
        missing_folder,
        no_folder_message,
        open_private,
        private_dir,
    )

    folder = None if make_folder else missing_folder(file)
    if folder is not None:
        raise StoreError(no_folder_message(file, folder))
    checked = file  # the one a refusal names: the log, or its -wal or -shm
    try:
        if make_folder:
            private_dir(file.parent)
        for path in (file, *(file.with_name(file.name + end) for end in ("-wal", "-shm"))):
            checked = path
            check_ours(path)
        if file.exists():
            return
        checked = file
        os.close(open_private(file))
    except UnreadableFile as exc:
        raise StoreError(
            _("{path}: {reason}; glutewake will not write the log there").format(
                path=checked, reason=exc.reason
            )
        ) from None
    except OSError as exc:
        raise StoreError(
            _("{path}: cannot create the log ({why})").format(path=file, why=exc.strerror)
        ) from None


def _quote_uri_path(file: Path) -> str:
    # The characters a SQLite URI path gives meaning to ("%" first: it is the escape).
    text = str(file)
    for char, code in (("%", "%25"), ("?", "%3F"), ("#", "%23")):
        text = text.replace(char, code)
    return text
