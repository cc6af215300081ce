"""The loop's status line on a real pty: cut to the terminal's width, which may change."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import termios

from glutewake.terminal import TerminalUI, fit

LONG = "snoozed Water refill walk: back in 0:09 · seated 1:02:03 · and more words to wrap"


def set_columns(fd: int, columns: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))


def drawn(leader: int) -> str:
    text = os.read(leader, 4096).decode()
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]|\r", "", text)


def test_the_status_line_never_wraps_and_follows_a_resize() -> None:
    leader, follower = pty.openpty()
    try:
        with open(follower, "w", encoding="utf-8", closefd=False) as out:
            ui = TerminalUI(out, out)
            set_columns(follower, 30)
            ui.status(LONG)
            narrow = drawn(leader)
            assert len(narrow) == 29 and narrow.endswith("…")
            assert narrow.startswith("snoozed Water refill walk")
            set_columns(follower, 60)  # the window grew
            ui.status(LONG)
            wide = drawn(leader)
            assert len(wide) == 59 and wide.startswith(narrow[:-1])
            set_columns(follower, 120)
            ui.status(LONG)
            assert drawn(leader) == LONG
    finally:
        os.close(leader)
        os.close(follower)


def test_fit_counts_wide_characters_twice() -> None:
    assert fit("seated 0:05", 20) == "seated 0:05"
    assert fit("休憩休憩休憩", 7) == "休憩休…"
    assert fit("abcdef", 4) == "abc…"
