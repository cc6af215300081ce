"""How signals stop the loop: TERM, HUP and INT leave it the way Ctrl-C does, and a
stop once begun runs to its end. Moved out of loop.py (the process has one loop; its
handlers and the loop share `SIGNALS`)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Stop(Exception):
    """SIGTERM or SIGHUP: leave the loop the way Ctrl-C does."""


class _Signals:
    """TERM, HUP and INT end the loop the way Ctrl-C always did, at any moment, with
    two exceptions: once stopping has begun, further signals (Ctrl-C twice, TERM then
    HUP, the hang-up after the terminal already failed) are ignored so the stop runs to
    its end; and inside `shielded()` a signal waits until the block is over, so no step
    is left half done (a session begun but not known to be)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.signalled = False
        self.stopping = False
        self._shielded = 0
        self._pending = False

    def handle(self, signum: int, frame: object) -> None:
        self.signalled = True
        if self.stopping:
            return
        if self._shielded:
            self._pending = True
            return
        self.stopping = True
        raise Stop

    @contextmanager
    def shielded(self) -> Iterator[None]:
        self._shielded += 1
        try:
            yield
        finally:
            self._shielded -= 1
        if not self._shielded and self._pending and not self.stopping:
            self._pending = False
            self.stopping = True
            raise Stop


# The process's one loop and its signal handlers share this.
SIGNALS = _Signals()


@contextmanager
def signals_stop_the_loop() -> Iterator[None]:
    SIGNALS.reset()
    names = ("SIGTERM", "SIGHUP", "SIGINT")
    saved = {
        n: signal.signal(getattr(signal, n), SIGNALS.handle) for n in names if hasattr(signal, n)
    }
    try:
        yield
    finally:
        for name, handler in saved.items():
            # Stopped by a signal, the process is on its way out: one more (TERM then
            # HUP) must not kill it with the default action now.
            signal.signal(getattr(signal, name), signal.SIG_IGN if SIGNALS.signalled else handler)
