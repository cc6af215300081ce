"""The loop's terminal: an interactive one (status line, single keys) or plain lines.

On a TTY the status line is redrawn in place and answers are single key presses read in
cbreak mode, which is restored on every exit path. Anywhere else (nohup, a service, CI)
there is no key reading and output is plain timestamped lines without control codes.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from typing import Any, NamedTuple, TextIO

from glutewake.i18n import N_, _


class AnswerKey(NamedTuple):
    label: str  # as the help shows it
    chars: str  # what pressing it reads
    answer: str  # what the tracker is told
    text: str  # the help's words; {snooze} is the snooze length


# One table for the key map and the help line, so they cannot disagree. The keys stay
# the same in every language (muscle memory, the README); the words are translated.
ANSWER_KEYS = (
    AnswerKey(N_("Enter"), "\n\r", "done", N_("start")),  # starts the break (logged as done)
    AnswerKey("s", "s", "snooze", N_("snooze {snooze}")),
    AnswerKey("n", "n", "another", N_("another")),
    AnswerKey("x", "x", "skip", N_("skip")),
)
_KEYMAP = {char: key.answer for key in ANSWER_KEYS for char in key.chars}


def keys_help(snooze: str, *, can_snooze: bool = True) -> str:
    """The help line ("[Enter] start  [s] snooze 5m ..."); no snooze when none is left."""
    return "  ".join(
        f"[{_(key.label)}] {_(key.text).format(snooze=snooze)}"
        for key in ANSWER_KEYS
        if can_snooze or key.answer != "snooze"
    )


def keys_list(snooze: str, *, can_snooze: bool = True) -> str:
    """The keys in words, for the greeting ("Enter = start, s = snooze 5m, ..."); unlike
    keys_help, not the line a due break shows."""
    return ", ".join(
        f"{_(key.label)} = {_(key.text).format(snooze=snooze)}"
        for key in ANSWER_KEYS
        if can_snooze or key.answer != "snooze"
    )


def fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells ("…" ends a cut one); wide characters take 2."""
    import unicodedata

    def cells(char: str) -> int:
        return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1

    if sum(cells(c) for c in text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        if used + cells(char) > width - 1:
            break
        kept.append(char)
        used += cells(char)
    return "".join(kept) + "…" if width > 0 else ""


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


class PlainUI:
    """No TTY: one timestamped line per message, nothing redrawn, no keys."""

    interactive = False

    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        # The terminal went away (closed window, killed pane): the loop stops.
        self.gone = False

    def __enter__(self) -> PlainUI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Leave the terminal as it was found (nothing to undo off a terminal)."""
        return None

    def status(self, text: str) -> None:
        return None  # a log file or journal wants events, not a ticking clock

    def say(self, text: str) -> None:
        self._write(f"{_stamp()} {text}\n")

    def show(self, block: str) -> None:
        self._write(block.rstrip("\n") + "\n")

    def bell(self) -> None:
        return None

    def columns(self) -> int | None:
        """The terminal's width, or None off a terminal."""
        return None

    def wait(self, timeout: float, watch: Sequence[int] = ()) -> str | None:
        """Sleep up to `timeout`, or until one of the `watch` descriptors is readable."""
        _wait_for(list(watch), timeout)
        return None

    def _write(self, text: str) -> None:
        if self.out is None:  # started with stdout closed: notifications only
            return
        try:
            self.out.write(text)
            self.out.flush()
        except (OSError, ValueError) as exc:
            # A closed pipe, a full disk under a nohup file, /dev/full: the reminders
            # (notifications, the log) go on without this output.
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        return None


class TerminalUI(PlainUI):
    """A TTY: status line redrawn in place, answers as single keys."""

    interactive = True

    def __init__(self, out: TextIO, inp: TextIO) -> None:
        super().__init__(out)
        self.out: TextIO
        self.fd = inp.fileno()
        self._saved: Any = None
        self._status_shown = False

    def __enter__(self) -> TerminalUI:
        if sys.platform != "win32":
            import termios
            import tty

            self._saved = termios.tcgetattr(self.fd)
            # cbreak, not raw: Ctrl-C still sends SIGINT, output still translates \n.
            tty.setcbreak(self.fd)
        return self

    def close(self) -> None:
        self._clear_status()
        if self._saved is not None:
            import termios

            saved, self._saved = self._saved, None
            # A terminal that is gone has no modes left to restore.
            with suppress(OSError, termios.error):
                termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)

    def status(self, text: str) -> None:
        # Never wider than the terminal: a wrapped line cannot be redrawn in place. The
        # width is asked at every draw (once a second), so a resize takes effect at once.
        width = self.columns()
        if width:
            text = fit(text, width - 1)
        self._write(f"\r\x1b[2K\x1b[2m{text}\x1b[0m")
        self._status_shown = True

    def say(self, text: str) -> None:
        self._clear_status()
        width = self.columns()
        stamp = _stamp()
        if not width or len(stamp) + 1 + len(text) < width:
            self._write(f"{stamp} {text}\n")
            return
        # Wider than the pane: wrapped at words, under the text rather than the time, so
        # the terminal does not cut a word in two. A path longer than a line stays whole.
        import textwrap

        lines = textwrap.wrap(
            text,
            width=width - 1,
            initial_indent=f"{stamp} ",
            subsequent_indent=" " * (len(stamp) + 1),
            break_long_words=False,
            break_on_hyphens=False,
        )
        self._write("\n".join(lines) + "\n")

    def show(self, block: str) -> None:
        self._clear_status()
        super().show(block)

    def bell(self) -> None:
        self._write("\a")

    def columns(self) -> int | None:
        try:
            return os.get_terminal_size(self.out.fileno()).columns
        except (OSError, ValueError):
            return None

    def wait(self, timeout: float, watch: Sequence[int] = ()) -> str | None:
        if self.gone:
            return None
        try:
            key = _read_key(self.fd, timeout, watch)
        except (OSError, EOFError):
            self.gone = True  # EIO, or end of input on a hung-up terminal
            return None
        return _KEYMAP.get(key.lower()) if key else None

    def _failed(self, exc: Exception) -> None:
        # On a terminal every write failure (EIO after a hang-up, EPIPE) means it is gone.
        self.gone = True

    def _clear_status(self) -> None:
        if self._status_shown:
            self._write("\r\x1b[2K")
            self._status_shown = False


if sys.platform == "win32":
    import msvcrt

    def _wait_for(watch: list[int], timeout: float) -> None:
        # No FIFOs nor a D-Bus socket to watch on Windows: the loop polls there.
        time.sleep(max(0.0, timeout))

    def _read_key(fd: int, timeout: float, watch: Sequence[int] = ()) -> str | None:
        # No select() on a Windows console; poll at a rate a person cannot notice.
        deadline = time.monotonic() + timeout
        while True:
            if msvcrt.kbhit():
                return msvcrt.getwch()
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

else:
    import select

    def _wait_for(watch: list[int], timeout: float) -> None:
        if watch:
            select.select(watch, [], [], max(0.0, timeout))
        else:
            time.sleep(max(0.0, timeout))

    def _read_key(fd: int, timeout: float, watch: Sequence[int] = ()) -> str | None:
        ready, _, _ = select.select([fd, *watch], [], [], max(0.0, timeout))
        if fd not in ready:
            return None  # nothing typed: a watched descriptor woke us, or the time is up
        data = os.read(fd, 32)
        if not data:  # end of input on a terminal: it was hung up
            raise EOFError
        # One press can arrive with others (a paste, an escape sequence): act on the first.
        return data[:1].decode("utf-8", "replace")


def make_ui(out: TextIO | None, inp: TextIO | None) -> PlainUI:
    if out is None or inp is None:  # started with stdout or stdin closed
        return PlainUI(out)
    if out.isatty() and inp.isatty() and _in_foreground(inp):
        return TerminalUI(out, inp)
    return PlainUI(out)


def _in_foreground(inp: TextIO) -> bool:
    # `glutewake start &`: changing the terminal's modes from the background would
    # stop the process (SIGTTOU) with the lock held. Keys need the foreground anyway.
    if sys.platform == "win32":
        return True
    try:
        return os.tcgetpgrp(inp.fileno()) == os.getpgrp()
    except OSError:
        return False
