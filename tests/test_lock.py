"""One loop per data folder: the lock, who holds it, and `status` reading through it."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from glutewake.channel import Channel, LoopState
from glutewake.errors import LoopError
from glutewake.lock import LoopLock, running
from glutewake.store import Store

SINCE = datetime(2025, 3, 4, 9, 15, tzinfo=timezone.utc)


def test_holder_is_who_holds_it_and_nobody_after_release(tmp_path: Path) -> None:
    path = tmp_path / "data" / "glutewake.lock"
    assert running(path) is None
    lock = LoopLock(path)
    lock.acquire(4242, SINCE, tmp_path / "log.db")
    try:
        holder = running(path)
        assert holder is not None
        assert (holder.pid, holder.since, holder.db) == (4242, SINCE, tmp_path / "log.db")
        with pytest.raises(LoopError, match=r"already running \(pid 4242, since 09:15\)"):
            LoopLock(path).acquire(1, SINCE, tmp_path / "other.db")
    finally:
        lock.release()
    assert running(path) is None  # the file stays; the lock does not
    assert path.exists()


def test_status_follows_the_lock_not_the_config(cli, tmp_path, data_dir, config_file) -> None:
    db = tmp_path / "elsewhere.db"
    lock = LoopLock(data_dir / "glutewake.lock")
    lock.acquire(4242, SINCE, db)
    now = datetime.now(timezone.utc)
    with Store.open(db) as store:
        Channel(store).write_state(LoopState(4242, 1, now, "seated", now, now, 600, True, None))
    # A config broken mid-edit (or naming another log) does not hide the running loop.
    config_file.write_text("[timer\n")
    try:
        result = cli("status", "--format", "json")
    finally:
        lock.release()
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["pid"] == 4242


def test_a_dead_loop_never_looks_alive_while_another_status_probes(tmp_path: Path) -> None:
    import fcntl
    import os
    import signal
    import subprocess
    import sys

    path = tmp_path / "data" / "glutewake.lock"
    # A loop that took the lock and was killed with -9: its record stays, its lock goes.
    code = (
        "import sys, time\n"
        "from datetime import datetime, timezone\n"
        "from pathlib import Path\n"
        "from glutewake.lock import LoopLock\n"
        "lock = LoopLock(Path(sys.argv[1]))\n"
        "lock.acquire(4242, datetime.now(timezone.utc), Path('x.db'))\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"locked\n"
    assert running(path) is not None
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert running(path) is None
    # Another `status` probing at this very moment holds the lock file for an instant.
    with open(path, encoding="utf-8") as probe:
        fcntl.flock(probe.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        assert running(path) is None


def test_config_check_says_what_the_running_loop_takes_of_an_edit(
    cli, tmp_path, data_dir, config_file
) -> None:
    lock = LoopLock(data_dir / "glutewake.lock")
    lock.acquire(4242, SINCE, tmp_path / "log.db")  # started before the edit below
    try:
        config_file.write_text('[timer]\nsit = "20m"\n')
        edited = cli("config", "check")
        # Saved a minute ago: the loop, which looks every half a minute, has read it.
        a_minute_ago = datetime.now(timezone.utc).timestamp() - 60
        os.utime(config_file, (a_minute_ago, a_minute_ago))
        taken = cli("config", "check")
        os.utime(config_file, (SINCE.timestamp() - 60, SINCE.timestamp() - 60))
        untouched = cli("config", "check")
    finally:
        lock.release()
    assert edited.exit_code == 0
    assert edited.stdout == f"ok: {config_file}\n"
    assert "note: the running loop (pid 4242, started " in edited.stderr
    assert "takes this change within half a minute, except [idle]" in edited.stderr
    assert (taken.exit_code, taken.stdout) == (0, f"ok: {config_file}\n")
    assert "within half a minute" not in taken.stderr
    assert "has taken this change by now (it looks every half a minute), except" in taken.stderr
    assert untouched.stderr == ""  # read before the loop started: nothing to say
