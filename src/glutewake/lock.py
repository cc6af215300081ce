"""One loop per data folder and per log: OS file locks that die with their process.

The lock file also says who holds it (pid and start time), so a second `start` and
`status` can say where the loop runs. A loop killed with -9 leaves the file behind but
not the lock, so the next `start` simply takes it over.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from glutewake.errors import LoopError
from glutewake.i18n import _


class Holder(NamedTuple):
    pid: int
    since: datetime
    # The log the loop writes: other commands talk to it there, whatever their config says.
    db: Path
    # (device, inode) of that log once opened: a command finding another file at `db`
    # (the log moved aside, a new one made) must not write to it.
    identity: tuple[int, int] | None = None


class LoopLock:
    def __init__(self, path: Path, what: str | None = None) -> None:
        self.path = path
        # What the lock guards, for the message when it is taken: the data folder, a log.
        self.what = what
        self._handle: IO[str] | None = None
        self._record: dict[str, Any] = {}

    def acquire(self, pid: int, since: datetime, db: Path) -> None:
        """Take the lock or raise LoopError naming the loop that holds it."""
        from glutewake.files import UnreadableFile, open_private, private_dir

        try:
            private_dir(self.path.parent)
            fd = open_private(self.path)
        except UnreadableFile as exc:
            raise LoopError(
                _("{path}: {reason}; glutewake will not use it as its lock").format(
                    path=self.path, reason=exc.reason
                )
            ) from None
        except OSError as exc:
            raise LoopError(
                _("{path}: cannot use the data folder ({why})").format(
                    path=self.path.parent, why=exc.strerror
                )
            ) from None
        # Held for the loop's life; the text says who holds it.
        handle = open(fd, "r+", encoding="utf-8")  # noqa: SIM115
        # A `status` probe holds the lock for microseconds; a few tries ride that out.
        for _attempt in range(5):
            if _try_lock(handle):
                break
            time.sleep(0.05)
        else:
            handle.close()
            holder = read_holder(self.path)
            where = f"pid {holder.pid}, since {holder.since:%H:%M}" if holder else "pid unknown"
            what = self.what or _("data folder {path}").format(path=self.path.parent)
            raise LoopError(
                _("glutewake is already running ({where}); {what}").format(where=where, what=what)
            )
        self._handle = handle
        # JSON: a path with a newline or bytes that are not UTF-8 survives the round trip.
        self._record = {"pid": pid, "since": since.isoformat(), "db": os.fsdecode(db.resolve())}
        self._save()

    def note_log(self, identity: tuple[int, int] | None) -> None:
        """Say which file the log is, once the loop has opened it."""
        if self._handle is not None and identity is not None:
            self._record["identity"] = list(identity)
            self._save()

    def _save(self) -> None:
        assert self._handle is not None
        self._handle.seek(0)
        self._handle.truncate()
        import json  # lazily: with no loop running, `status` never reads a lock

        self._handle.write(json.dumps(self._record) + "\n")
        self._handle.flush()

    def release(self) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            self._handle.close()
            self._handle = None


def running(path: Path) -> Holder | None:
    """The loop holding the lock at `path`, or None if no loop holds it (or it was killed)."""
    try:
        # Only a regular file: a FIFO planted at the lock's path must not hang `status`.
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        handle = open(  # noqa: SIM115
            os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), encoding="utf-8"
        )
    except OSError:
        return None
    with handle:
        # A shared lock: two probes at once both get it, so neither takes the other for a
        # live loop (a loop killed with -9 held the only exclusive one, and it is gone).
        if _try_lock(handle, shared=True):
            _unlock(handle)
            return None
    return read_holder(path)


def holds(pid: int, path: Path) -> bool | None:
    """Whether process `pid` holds the exclusive lock on the file at `path`, as /proc
    tells (one of its open files is that file, with a FLOCK WRITE lock on it); None
    where there is no /proc to ask. A lock file names its holder's pid, but for a moment
    while a new loop starts it still names the one before, whose pid may be reused."""
    proc = Path("/proc")
    if not (proc / "self" / "fdinfo").is_dir():
        return None
    fds = proc / str(pid) / "fd"
    try:
        target = os.stat(path)
        names = os.listdir(fds)
    except OSError:
        return False  # gone, or another user's process: not our loop
    for name in names:
        try:
            info = os.stat(fds / name)
            if (info.st_dev, info.st_ino) != (target.st_dev, target.st_ino):
                continue
            lines = (proc / str(pid) / "fdinfo" / name).read_text().splitlines()
        except OSError:
            continue
        if any(line.startswith("lock:") and "FLOCK" in line and "WRITE" in line for line in lines):
            return True
    return False


def read_holder(path: Path) -> Holder | None:
    from glutewake.files import read_regular

    record: dict[str, Any]
    try:
        text = read_regular(path, limit=64 * 1024).decode("utf-8")
        if not text.startswith("{"):  # written by an older version: three lines
            pid_text, since_text, db_text = text.splitlines()
            record = {"pid": int(pid_text), "since": since_text, "db": db_text}
        else:
            import json

            record = json.loads(text)
        identity = record.get("identity")
        return Holder(
            pid=int(record["pid"]),
            since=datetime.fromisoformat(record["since"]),
            db=Path(record["db"]),
            identity=(int(identity[0]), int(identity[1])) if identity else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


if sys.platform == "win32":
    import msvcrt

    # Windows locks are mandatory: lock a byte past the text so others can still read it.
    _LOCK_OFFSET = 4096

    def _try_lock(handle: IO[str], shared: bool = False) -> bool:
        # msvcrt has no shared locks; a probe holds its lock for microseconds.
        handle.seek(_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str], shared: bool = False) -> bool:
        try:
            fcntl.flock(
                handle.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
            )
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
