"""How other terminals talk to the running loop: its state row and the commands table.

Both live in the log's SQLite file. The loop writes its state row on every change and
`status` reads it; `done`, `snooze` and the rest are rows in the commands table, which the
loop picks up and answers with "ok" or why it did not act, and the sender waits for that
answer. Whether a loop runs at all is decided by its lock, which also names the log it
writes: the state row of a loop killed with -9 never passes for a live one, a command is
never queued for a later loop, and neither needs the config.

A command is acted on at once: after writing its row the sender rings the loop's
doorbell, a FIFO beside the lock (`Wakeup`), which the loop's wait watches. Where there
are no FIFOs (Windows) the loop reads the commands table every COMMAND_POLL_S instead.

The sending side (`status`, `send`) imports the store only once it knows a loop runs:
`glutewake status` in a shell prompt with no loop needs no SQLite.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, cast

from glutewake.errors import LoopError
from glutewake.i18n import N_, _
from glutewake.lock import Holder, running
from glutewake.status import StatusView, view

if TYPE_CHECKING:
    from glutewake.store import Store
    from glutewake.vocab import CommandName, State

NOT_RUNNING = N_("glutewake is not running: start it with `glutewake start`")
# Without a doorbell, the loop reads commands this often (the issue asked for 2 s).
COMMAND_POLL_S = 1.9
# Answered commands older than this are deleted (the sender has long read its answer).
KEEP_ANSWERED_S = 3600


class LogMoved(LoopError):
    """The loop runs, but its log was moved, replaced or deleted: it records nothing
    more, and nothing can be sent to it through the log; `glutewake stop` still ends it."""

    def __init__(self, holder: Holder) -> None:
        self.holder = holder
        super().__init__(
            _(
                "glutewake is running (pid {pid}), but its log {path} was moved, replaced or "
                "deleted, so nothing more is recorded: end it with `glutewake stop`, then "
                "`glutewake start` again for a new log"
            ).format(pid=holder.pid, path=holder.db)
        )


class LoopState(NamedTuple):
    pid: int
    session_id: int
    started_at: datetime
    state: State
    since: datetime
    updated_at: datetime
    seated_s: int
    clock_running: bool
    next_at: datetime | None
    exercise_id: str | None = None
    exercise_name: str | None = None
    snoozes: int = 0
    max_snoozes: int = 0
    held: str | None = None  # a due break held while the user is busy: the detector


class Command(NamedTuple):
    id: int
    at: datetime
    name: str
    arg: str | None


_STATE_COLUMNS = (
    "pid, session_id, started_at, state, since, updated_at, seated_s, clock_running, next_at, "
    "exercise_id, exercise_name, snoozes, max_snoozes, held"
)


class Channel:
    """The state row and the commands table of an open log; failures raise StoreError."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- the state row ---

    def write_state(self, state: LoopState) -> None:
        from glutewake.store import maybe_text, to_text

        self.store.write(
            f"INSERT OR REPLACE INTO state (id, {_STATE_COLUMNS}) "
            "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                state.pid,
                state.session_id,
                to_text(state.started_at),
                state.state,
                to_text(state.since),
                to_text(state.updated_at),
                state.seated_s,
                int(state.clock_running),
                maybe_text(state.next_at),
                state.exercise_id,
                state.exercise_name,
                state.snoozes,
                state.max_snoozes,
                state.held,
            ),
        )

    def clear_state(self, pid: int) -> None:
        self.store.write("DELETE FROM state WHERE pid = ?", (pid,))

    def read_state(self) -> LoopState | None:
        from glutewake.store import from_text, maybe_time

        rows = self.store.rows(f"SELECT {_STATE_COLUMNS} FROM state WHERE id = 1")
        if not rows:
            return None
        (pid, session_id, started, state, since, updated, seated, running, next_at, *rest) = rows[0]
        # _STATE_COLUMNS are LoopState's fields in order: only the times, the state (only
        # the loop writes it) and the flag need converting; the rest pass through as stored.
        return LoopState(
            pid, session_id, from_text(started), cast("State", state), from_text(since),
            from_text(updated), seated, bool(running), maybe_time(next_at), *rest
        )  # fmt: skip

    # --- commands ---

    def send_command(self, name: CommandName, arg: str | None, at: datetime) -> int:
        from glutewake.store import to_text

        return self.store.insert(
            "INSERT INTO commands (at, name, arg) VALUES (?, ?, ?)", (to_text(at), name, arg)
        )

    def answer_command(self, command_id: int, result: str, at: datetime) -> None:
        """The loop's verdict on a command: "ok", or why it was not acted on."""
        from glutewake.store import to_text

        self.store.write(
            "UPDATE commands SET handled_at = ?, result = ? WHERE id = ?",
            (to_text(at), result, command_id),
        )

    def command_result(self, command_id: int) -> str | None:
        """The loop's answer to a command; None while it has not looked at it yet."""
        rows = self.store.rows("SELECT result FROM commands WHERE id = ?", (command_id,))
        result: str | None = rows[0][0] if rows else None
        return result

    def commands_after(self, command_id: int) -> list[Command]:
        from glutewake.store import from_text

        rows = self.store.rows(
            "SELECT id, at, name, arg FROM commands WHERE id > ? ORDER BY id", (command_id,)
        )
        return [Command(id=i, at=from_text(at), name=name, arg=arg) for i, at, name, arg in rows]

    def prune(self, before: datetime) -> None:
        """Delete commands answered before `before`: they have done their job."""
        from glutewake.store import to_text

        self.store.write(
            "DELETE FROM commands WHERE handled_at IS NOT NULL AND handled_at < ?",
            (to_text(before),),
        )

    def last_command_id(self, before: datetime | None = None) -> int:
        """The newest command's id (with `before`: the newest sent before then)."""
        from glutewake.store import to_text

        if before is None:
            rows = self.store.rows("SELECT coalesce(max(id), 0) FROM commands")
        else:
            rows = self.store.rows(
                "SELECT coalesce(max(id), 0) FROM commands WHERE at < ?", (to_text(before),)
            )
        last: int = rows[0][0]
        return last

    def data_version(self) -> int:
        rows = self.store.rows("PRAGMA data_version")
        version: int = rows[0][0]
        return version


class Inbox:
    """The loop's end of the channel: the commands sent since it started, oldest first.

    `since`: when the loop took its lock. A sender finds the loop by its lock, so every
    command sent from then on is this loop's, even one sent while it was still starting
    (before this inbox existed); the ones before it are not.
    """

    def __init__(self, channel: Channel, since: datetime | None = None) -> None:
        self.channel = channel
        self._last = channel.last_command_id(before=since)  # earlier commands are not ours
        self._version: int | None = None  # unknown: the first call reads the table

    def new(self) -> list[Command]:
        """Commands not seen yet (StoreError if the log cannot be read: nothing is lost,
        the next call reads them again)."""
        version = self.channel.data_version()
        if version == self._version:
            return []  # nobody else wrote since the last good read: nothing to read
        commands = self.channel.commands_after(self._last)
        self._version = version  # only now: a read that failed is tried again
        if commands:
            self._last = commands[-1].id
        return commands


# --- the doorbell -------------------------------------------------------------------------


def wake_path(lock_path: Path) -> Path:
    """The loop's doorbell lives beside its lock: every sender finds the lock first."""
    return lock_path.with_name(lock_path.stem + ".wake")


class Wakeup:
    """The loop's end of the doorbell: a FIFO it reads without blocking.

    Opened read-write: with the loop as a writer too, the FIFO never reads as
    end-of-file when the last sender closes it (select would return at once, forever).
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def open(cls, path: Path) -> Wakeup | None:
        """The doorbell at `path`, made if need be; None where it cannot be (Windows, or
        something else is at that path): the loop then polls."""
        if not hasattr(os, "mkfifo"):
            return None
        try:
            os.mkfifo(path, 0o600)
        except FileExistsError:
            pass
        except OSError:
            return None
        flags = os.O_RDWR | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags)
        except OSError:
            return None
        info = os.fstat(fd)
        if not stat.S_ISFIFO(info.st_mode) or info.st_uid != os.getuid():
            os.close(fd)
            return None
        return cls(fd)

    def fileno(self) -> int:
        return self.fd

    def drain(self) -> bool:
        """Whether anyone rang since the last call."""
        rang = False
        while True:
            try:
                data = os.read(self.fd, 512)
            except (BlockingIOError, InterruptedError):
                return rang
            except OSError:
                return True  # read the commands anyway
            if not data:
                return rang
            rang = True

    def close(self) -> None:
        os.close(self.fd)


def ring(path: Path) -> None:
    """Wake the loop now; nothing happens if nobody listens (it then polls)."""
    flags = os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)  # ENXIO: no reader; ENOENT: no doorbell
    except OSError:
        return
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):  # never write into a file put there
            os.write(fd, b"\n")
    except OSError:
        pass  # EAGAIN: the FIFO is full of rings the loop has not read yet; one is enough
    finally:
        os.close(fd)


# --- the sending side: `status` and the commands, from any terminal ---------------------


def status(lock_path: Path, now: datetime) -> StatusView | None:
    """The running loop's status, or None when no loop runs (or it was killed).

    LogMoved when the loop runs but its log is no longer where it opened it."""
    holder = running(lock_path)
    if holder is None:
        return None
    _check_same_log(holder)
    return _status(holder, now)


def _status(holder: Holder, now: datetime) -> StatusView | None:
    from glutewake.store import Store, StoreMissing

    try:
        with Store.open(holder.db, create=False) as store:
            state = Channel(store).read_state()
    except StoreMissing:
        return None
    if state is None or state.pid != holder.pid:
        return None  # starting up, or the row of an earlier loop
    return view(state, now)


def send(
    lock_path: Path,
    name: CommandName,
    arg: str | None,
    clock: Callable[[], datetime],
    wait_s: float = 5.0,
) -> StatusView:
    """Send a command; return the loop's status once it has acted on it.

    LoopError when no loop runs, when the loop would not act on it (with its reason),
    or when it did not answer in time.
    """
    holder = _running(lock_path)
    result = _deliver(lock_path, holder, name, arg, clock, wait_s)
    current = _status(holder, clock())
    if current is None:
        raise LoopError(_(NOT_RUNNING))
    if result != "ok":
        raise LoopError(f"{_(result)} ({current.text()})")
    return current


def _running(lock_path: Path) -> Holder:
    holder = running(lock_path)
    if holder is None:
        raise LoopError(_(NOT_RUNNING))
    return holder


def _deliver(
    lock_path: Path,
    holder: Holder,
    name: CommandName,
    arg: str | None,
    clock: Callable[[], datetime],
    wait_s: float,
) -> str:
    """Write the command, ring the loop, wait for its answer."""
    from glutewake.store import Store

    _check_same_log(holder)
    with Store.open(holder.db, existing=True) as store:
        channel = Channel(store)
        command_id = channel.send_command(name, arg, clock())
        ring(wake_path(lock_path))
        deadline = time.monotonic() + wait_s
        while (result := channel.command_result(command_id)) is None:
            if time.monotonic() > deadline:
                raise LoopError(
                    _(
                        "the loop (pid {pid}) did not answer within {seconds:g}s; "
                        "check `glutewake status` before sending it again"
                    ).format(pid=holder.pid, seconds=wait_s)
                )
            time.sleep(0.02)
    return result


def stop(lock_path: Path, clock: Callable[[], datetime], wait_s: float = 10.0) -> int:
    """Ask the running loop to stop and wait until it has; return its pid.

    A loop whose log was moved aside cannot read the command: it gets SIGTERM instead,
    which it takes as Ctrl-C (a clean stop), once it is known to hold the lock.
    LoopError when no loop runs or it did not stop in time.
    """
    holder = _running(lock_path)
    if log_moved(holder):
        _terminate(lock_path, holder)
    else:
        _deliver(lock_path, holder, "stop", None, clock, wait_s)
    deadline = time.monotonic() + wait_s
    while running(lock_path) is not None:
        if time.monotonic() > deadline:
            raise LoopError(
                _("the loop (pid {pid}) did not stop within {wait}s").format(
                    pid=holder.pid, wait=f"{wait_s:g}"
                )
            )
        time.sleep(0.02)
    return holder.pid


def _terminate(lock_path: Path, holder: Holder) -> None:
    """SIGTERM to the loop the lock names, never to a process that merely took its pid."""
    import signal

    from glutewake.lock import holds

    # (Windows refuses to move or delete a file that is open: no loop there gets here.)
    if holds(holder.pid, lock_path) is False:
        raise LoopError(
            _(
                "{path} names pid {pid}, which does not hold the lock; nothing was stopped "
                "(try again, or see `glutewake status`)"
            ).format(path=lock_path, pid=holder.pid)
        )
    try:
        os.kill(holder.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # it ended on its own meanwhile
    except OSError as exc:
        raise LoopError(
            _("cannot stop the loop (pid {pid}): {why}").format(pid=holder.pid, why=exc.strerror)
        ) from None


def log_moved(holder: Holder) -> bool:
    """Whether the loop's log path no longer names the file it opened: moved aside,
    replaced or deleted. A command written there would start a new log under its feet."""
    if holder.identity is None:
        return False  # an older loop, or one still opening its log
    try:
        info = os.stat(holder.db)
    except OSError:
        return True
    return (info.st_dev, info.st_ino) != holder.identity


def _check_same_log(holder: Holder) -> None:
    if log_moved(holder):
        raise LogMoved(holder)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
