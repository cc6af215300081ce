"""Running glutewake as a user would, in other processes: the loop off any terminal,
and the commands that talk to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

from glutewake.store import BreakRecord, Store

T = TypeVar("T")


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


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        glutewake_argv(*args), env=child_env(**env), capture_output=True, text=True, timeout=30
    )


def status_json() -> dict[str, Any]:
    result = run_cli("status", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    status: dict[str, Any] = json.loads(result.stdout)
    return status


def breaks(data_dir: Path) -> list[BreakRecord]:
    """Every break in the log around now, oldest first, read from the real file."""
    now = datetime.now(timezone.utc)
    with Store.open(data_dir / "glutewake.db", create=False) as store:
        return store.breaks_between(now - timedelta(days=1), now + timedelta(days=1))


def spawn_loop(
    env: dict[str, str] | None = None, out: Any = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """`glutewake start` with no terminal and no input, as a service or nohup runs it."""
    return subprocess.Popen(
        glutewake_argv("start"),
        env=env or child_env(),
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


@contextmanager
def headless_loop(
    tmp_path: Path, env: dict[str, str] | None = None, wait: bool = True
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A headless loop for the block; its output goes to a file. It must stop with exit 0."""
    out_path = tmp_path / "loop.out"
    with out_path.open("w") as out:
        proc = spawn_loop(env, out)
        try:
            if wait:
                wait_until(lambda: run_cli("status").returncode == 0, what="the loop to start")
            yield proc, out_path
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0


def wait_for_text(path: Path, text: str, timeout: float = 10.0) -> str:
    def output() -> str:
        out = path.read_text()
        return out if text in out else ""

    return wait_until(output, timeout, f"{text!r} in output")
