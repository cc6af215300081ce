"""Talking to the running loop from another process, through the database.

`status` reads the state row the loop writes on every change; a command is a row in
the commands table, which the loop picks up within seconds and answers with "ok" or
why it did not act. Whether a loop runs at all is decided by its lock, which also
names the log it writes: the state row of a loop killed with -9 never passes for a
live one, a command is never queued for a later loop, and neither needs the config.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from glutewake.errors import LoopError
from glutewake.lock import Holder, running
from glutewake.status import StatusView, view

COMMANDS = ("done", "skip", "snooze", "now", "pause", "resume", "stand", "sit")
NOT_RUNNING = "glutewake is not running: start it with `glutewake start`"


def status(lock_path: Path, now: datetime) -> StatusView | None:
    """The running loop's status, or None when no loop runs (or it was killed)."""
    holder = running(lock_path)
    return _status(holder, now) if holder is not None else None


def _status(holder: Holder, now: datetime) -> StatusView | None:
    # Imported here: with no loop running, `status` in a shell prompt needs no SQLite.
    from glutewake.store import Store, StoreMissing

    try:
        with Store.open(holder.db, create=False) as store:
            state = store.read_state()
    except StoreMissing:
        return None
    if state is None or state.pid != holder.pid:
        return None  # starting up, or the row of an earlier loop
    return view(state, now)


def send(
    lock_path: Path,
    name: str,
    arg: str | None,
    clock: Callable[[], datetime],
    wait_s: float = 5.0,
) -> StatusView:
    """Send a command; return the loop's status once it has acted on it.

    LoopError when no loop runs, when the loop would not act on it (with its reason),
    or when it did not answer in time.
    """
    from glutewake.store import Store

    holder = running(lock_path)
    if holder is None:
        raise LoopError(NOT_RUNNING)
    with Store.open(holder.db) as store:
        command_id = store.send_command(name, arg, clock())
        deadline = time.monotonic() + wait_s
        while (result := store.command_result(command_id)) is None:
            if time.monotonic() > deadline:
                raise LoopError(
                    f"the loop (pid {holder.pid}) did not answer within {wait_s:g}s; "
                    "check `glutewake status` before sending it again"
                )
            time.sleep(0.05)
    current = _status(holder, clock())
    if current is None:
        raise LoopError(NOT_RUNNING)
    if result != "ok":
        raise LoopError(f"{result} ({current.text()})")
    return current


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
