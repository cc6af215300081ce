"""A private Xvfb, for the tests' desktop and the benchmark's idle source (one starter).

Importable as `xvfb` from bench/ (scripts run there) and from tests/ (pyproject's
pytest `pythonpath`).
"""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any

SETUP_TIMEOUT = 10.0


def start_xvfb(screen: str = "1280x800x24") -> tuple[subprocess.Popen[bytes], str]:
    """An Xvfb on a free display, ready for clients; returns it and its DISPLAY (":N")."""
    # -displayfd: Xvfb picks a free display and writes its number once it accepts clients,
    # so there is neither a race for a number nor a sleep. -noreset: without it the server
    # resets (and zeroes the idle time) whenever its last client disconnects.
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        [
            *("Xvfb", "-displayfd", str(write_end), "-noreset", "-nolisten", "tcp"),
            *("-screen", "0", screen),
        ],
        pass_fds=(write_end,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        number = read_line(read_end, xvfb, "Xvfb")
    except BaseException:
        stop(xvfb)
        raise
    finally:
        os.close(read_end)
    return xvfb, f":{number}"


def read_line(fd: int, process: subprocess.Popen[Any], name: str) -> str:
    """The first line `process` writes to `fd`, or RuntimeError if it dies or takes too long."""
    import selectors

    data = b""
    deadline = time.monotonic() + SETUP_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"{name} did not start within {SETUP_TIMEOUT:.0f}s")
            if selector.select(min(left, 0.1)):
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise RuntimeError(f"{name} exited (code {process.wait()}) before it was ready")
                data += chunk
    return data.decode().splitlines()[0].strip()


def stop(process: subprocess.Popen[Any]) -> None:
    """TERM, then KILL if it is still there after 3 s."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
