"""A real terminal for end-to-end tests: a private tmux server, driven by send-keys."""

from __future__ import annotations

import shlex
import subprocess
import time
import uuid
from collections.abc import Mapping
from pathlib import Path


class Tmux:
    """One tmux session on a private server (-L), so nothing touches the user's tmux."""

    def __init__(self, tmp_path: Path) -> None:
        self.server = f"gw-{uuid.uuid4().hex[:8]}"
        self.tmp_path = tmp_path
        self.started = False

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.server, *args], capture_output=True, text=True, timeout=10
        )
        return result.stdout

    def start(
        self,
        argv: list[str],
        env: Mapping[str, str],
        width: int = 100,
        stderr: Path | None = None,
    ) -> None:
        # tmux does not pass its client's environment to the pane: spell it out.
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        redirect = f" 2>{shlex.quote(str(stderr))}" if stderr else ""
        command = f"env {exports} {shlex.join(argv)}{redirect}; echo '[exited '$?']'; sleep 600"
        self._tmux("new-session", "-d", "-s", "s", "-x", str(width), "-y", "50", command)
        self.started = True

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "s", *keys)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-J", "-S", "-10000", "-t", "s")

    def wait_for(self, text: str, timeout: float = 10.0, count: int = 1) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if screen.count(text) >= count:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{text!r} (x{count}) not on screen after {timeout}s:\n{screen}"
                )
            time.sleep(0.1)

    def wait_for_words(self, text: str, timeout: float = 10.0) -> str:
        """`wait_for`, for text the loop may have wrapped at words to the pane's width."""
        wanted = " ".join(text.split())
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if wanted in " ".join(screen.split()):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{screen}")
            time.sleep(0.1)

    def kill_pane(self) -> None:
        """Close the pane as a user closing the window would: SIGHUP, then EIO."""
        self._tmux("kill-pane", "-t", "s")

    def kill(self) -> None:
        if self.started:
            self._tmux("kill-server")
            self.started = False
