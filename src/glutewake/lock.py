"""One loop per data folder: an OS file lock that dies with its process.

The lock file also says who holds it (pid and start time), so a second `start` and
`status` can say where the loop runs. A loop killed with -9 leaves the file behind but
not the lock, so the next `start` simply takes it over.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import IO, NamedTuple

from glutewake.errors import LoopError


class Holder(NamedTuple):
    pid: int
    since: datetime
    # The log the loop writes: other commands talk to it there, whatever their config says.
    db: Path


class LoopLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self, pid: int, since: datetime, db: Path) -> None:
        """Take the lock or raise LoopError naming the loop that holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the loop's life)
        except OSError as exc:
            raise LoopError(
                f"{self.path.parent}: cannot use the data folder ({exc.strerror})"
            ) from None
        # A `status` probe holds the lock for microseconds; a few tries ride that out.
        for _ in range(5):
            if _try_lock(handle):
                break
            time.sleep(0.05)
        else:
            handle.close()
            holder = read_holder(self.path)
            where = f"pid {holder.pid}, since {holder.since:%H:%M}" if holder else "pid unknown"
            raise LoopError(
                f"glutewake is already running ({where}); data folder {self.path.parent}"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"{pid}\n{since.isoformat()}\n{db.resolve()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            self._handle.close()
            self._handle = None


def running(path: Path) -> Holder | None:
    """The loop holding the lock at `path`, or None if no loop holds it (or it was killed)."""
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError:
        return None
    with handle:
        if _try_lock(handle):
            _unlock(handle)
            return None
    return read_holder(path)


def read_holder(path: Path) -> Holder | None:
    try:
        pid_text, since_text, db_text = path.read_text(encoding="utf-8").splitlines()
        return Holder(pid=int(pid_text), since=datetime.fromisoformat(since_text), db=Path(db_text))
    except (OSError, ValueError):
        return None


if sys.platform == "win32":
    import msvcrt

    # Windows locks are mandatory: lock a byte past the text so others can still read it.
    _LOCK_OFFSET = 4096

    def _try_lock(handle: IO[str]) -> bool:
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

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
