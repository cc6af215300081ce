"""A real terminal for end-to-end tests: a private tmux server, driven by send-keys."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
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

    def start(self, argv: list[str], env: Mapping[str, str], width: int = 100) -> None:
        # tmux does not pass its client's environment to the pane: spell it out.
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"env {exports} {shlex.join(argv)}; echo '[exited '$?']'; sleep 600"
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

    def kill(self) -> None:
        if self.started:
            self._tmux("kill-server")
            self.started = False


def glutewake_argv(*args: str) -> list[str]:
    """Run the installed package with this interpreter, whatever PATH says."""
    return [sys.executable, "-m", "glutewake", *args]


def child_env(**extra: str) -> dict[str, str]:
    """The isolated test environment (conftest set it in os.environ) plus extras."""
    keep = (
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_RUNTIME_DIR",
        "GLUTEWAKE_HOME",
        "GLUTEWAKE_CONFIG",
        "PATH",
        "LANG",
        "LC_ALL",
        "TZ",
        "PYTHONPATH",
        "VIRTUAL_ENV",
    )
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env.update(extra)
    return env
