"""Helpers that test modules share (import them from here, never from conftest or
another test module)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REQUIRE_E2E = os.environ.get("GLUTEWAKE_REQUIRE_E2E") == "1"


def require_programs(*names: str) -> None:
    """Skip (or, under GLUTEWAKE_REQUIRE_E2E=1, fail) when a system program is missing."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        reason = f"needs {', '.join(missing)} on PATH (apt-get install; see .ci/run)"
        if REQUIRE_E2E:
            pytest.fail(f"GLUTEWAKE_REQUIRE_E2E=1 but {reason}")
        pytest.skip(reason)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make `path` unwritable, even for root (who ignores mode bits): chattr +i."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode & 0o777
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
        pytest.skip("running as root and cannot chattr +i here")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def custom_entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "office-stairs",
        "name": "Office stairs",
        "category": "move",
        "space": "standing",
        "duration": "2m",
        "level": "easy",
        "targets": ["glutes", "calves"],
        "steps": ["Walk to the stairwell.", "Climb two flights, pushing through your heels."],
        "cue": "Drive each step up through the heel of the leading leg.",
    }
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not None}


# An unprivileged user for the child that drops root: "nobody" on most systems.
NOBODY = 65534


def run_without_root(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """`glutewake ARGS` in a forked child that gives up root first, so file modes apply
    (root ignores them); (exit code, stdout and stderr). glutewake is already imported,
    so the other user needs no access to the Python install or the source tree. Not
    root: the same, without changing user."""
    from glutewake.cli import main

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            os.dup2(write_end, 2)
            # pytest's capture replaced the streams: write to the pipe itself.
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            os.environ.clear()
            os.environ.update(env)
            main.main(args=args, prog_name="glutewake")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as output:
        chunks.append(output.read())
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode()


@contextmanager
def reachable_folder() -> Iterator[Path]:
    """A fresh folder any user can enter (pytest's tmp_path is root's alone when root)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="glutewake-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)
