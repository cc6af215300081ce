"""Helpers that test modules share (import them from here, never from conftest or
another test module)."""

from __future__ import annotations

import os
import shutil
import subprocess
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
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o600)
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
