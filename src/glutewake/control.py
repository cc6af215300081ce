"""Talking to the running loop from another process, through the database.

`status` reads the state row the loop writes on every change; the answer commands
append a row to the commands table, which the loop picks up within seconds. Whether
a loop runs at all is decided by its lock, so the state row of a loop killed with -9
never passes for a live one, and a command is never queued for a later loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from glutewake.errors import LoopError
from glutewake.lock import running
from glutewake.status import StatusView, view

# Which states each command makes sense in, and what to say otherwise.
_ALLOWED: dict[str, tuple[set[str], str]] = {
    "done": ({"due"}, "no break is due"),
    "skip": ({"due"}, "no break is due"),
    "snooze": ({"due"}, "no break is due"),
    "now": ({"seated", "snoozed"}, "a break can start now only while seated"),
    "pause": ({"seated", "due", "snoozed", "break", "standing", "away"}, "already paused"),
    "resume": ({"paused"}, "not paused"),
    "stand": ({"seated", "due", "snoozed"}, "standing needs a seated state"),
    "sit": ({"standing"}, "not standing"),
}
COMMANDS = tuple(_ALLOWED)


@dataclass(frozen=True)
class Loop:
    db_path: Path
    lock_path: Path


def status(loop: Loop, now: datetime) -> StatusView | None:
    """The running loop's status, or None when no loop runs (or it was killed)."""
    holder = running(loop.lock_path)
    if holder is None:
        return None
    # Imported here: a shell prompt asking while no loop runs never pays for SQLite.
    from glutewake.store import Store, StoreMissing

    try:
        with Store.open(loop.db_path, create=False) as store:
            state = store.read_state()
    except StoreMissing:
        return None
    if state is None or state.pid != holder.pid:
        return None
    return view(state, now)


def send(
    loop: Loop,
    name: str,
    arg: str | None,
    clock: Callable[[], datetime],
    wait_s: float = 5.0,
) -> StatusView:
    """Send a command; return the loop's status once it has acted on it."""
    current = status(loop, clock())
    if current is None:
        raise LoopError("glutewake is not running: start it with `glutewake start`")
    allowed, why = _ALLOWED[name]
    if current.state not in allowed:
        raise LoopError(f"{why} ({current.text()})")
    if name == "snooze" and current.snoozes_left == 0:
        raise LoopError(f"no snoozes left for this break ({current.text()})")
    from glutewake.store import Store

    sent_at = clock()
    with Store.open(loop.db_path) as store:
        store.send_command(name, arg, sent_at)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            state = store.read_state()
            if state is not None and state.updated_at >= sent_at:
                return view(state, clock())
            time.sleep(0.1)
    raise LoopError(
        f"the loop (pid {current.pid}) did not answer within {wait_s:g}s; "
        "the command is recorded and will be acted on when it does"
    )


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
