"""The log moved aside while the loop runs (the README's advice for a corrupt log), and
one loop per log even when two data folders name the same file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from glutewake.lock import LoopLock, holds
from running import child_env, glutewake_argv, run_cli, wait_until


def outcomes(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT outcome FROM breaks ORDER BY id")]
    finally:
        conn.close()


def test_a_log_moved_aside_keeps_what_was_recorded(
    tmp_path: Path, config_file: Path, data_dir: Path
) -> None:
    config_file.write_text('[timer]\nrespond_within = "2s"\n[idle]\nbackend = "off"\n')
    out = tmp_path / "loop.out"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            glutewake_argv("start", "--sit", "1s", "--break", "1s", "--no-desktop"),
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    log = data_dir / "glutewake.db"
    aside = tmp_path / "aside.db"
    try:
        wait_until(lambda: run_cli("status").stdout.startswith("break due"), 15, "a due break")
        assert run_cli("skip").returncode == 0  # recorded in the write-ahead log for now
        log.rename(aside)
        # A command finds another file (none) where the loop's log was: it says so and
        # makes nothing there.
        result = run_cli("skip")
        assert result.returncode == 1
        assert "moved" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert not log.exists()
        # The loop's next write notices, says so once, and keeps reminding.
        wait_until(lambda: "was moved" in out.read_text(), 15, "the loop to notice")
        wait_until(lambda: out.read_text().count("break due") >= 3, 20, "more reminders")
        assert proc.poll() is None
        # `status` says the loop runs and what to do, in every format, never "not running".
        status = run_cli("status")
        assert status.returncode == 1
        assert status.stdout.startswith(f"glutewake is running (pid {proc.pid}), but its log ")
        assert str(log) in status.stdout and "glutewake stop" in status.stdout
        assert len(status.stdout.strip().splitlines()) == 1 and status.stderr == ""
        short = run_cli("status", "--format", "short")
        assert (short.returncode, short.stdout) == (1, "⚠ log moved\n")
        as_json = run_cli("status", "--format", "json")
        assert as_json.returncode == 1
        fields = json.loads(as_json.stdout)
        assert fields["running"] is True and fields["state"] == "log_moved"
        assert (fields["pid"], fields["log"]) == (proc.pid, str(log))
        # And `stop` ends it, cleanly, though it cannot read a command any more.
        stop = run_cli("stop")
        assert (stop.returncode, stop.stdout) == (0, f"glutewake stopped (pid {proc.pid})\n")
        assert run_cli("status").returncode == 3  # `stop` waited until it had let go
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    text = out.read_text()
    assert text.count("was moved") == 1, text
    assert "Traceback" not in text and "session:" in text
    assert not log.exists()  # nothing new was written where the log was
    assert outcomes(aside)[0] == "skipped"


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="no /proc to ask")
def test_stop_signals_no_process_that_does_not_hold_the_lock(data_dir: Path) -> None:
    # A lock record naming another pid (a new loop that has just taken the lock still
    # shows the record of the one before it, whose pid may be reused): never signalled.
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    lock_path = data_dir / "glutewake.lock"
    lock = LoopLock(lock_path)
    try:
        lock.acquire(bystander.pid, datetime.now(timezone.utc), data_dir / "glutewake.db")
        lock.note_log((1, 1))  # a log that is not at its path any more
        assert holds(os.getpid(), lock_path) is True
        assert holds(bystander.pid, lock_path) is False
        stop = run_cli("stop")
        time.sleep(0.2)
        assert bystander.poll() is None
        assert stop.returncode == 1
        assert stop.stderr == (
            f"Error: {lock_path} names pid {bystander.pid}, which does not hold the lock; "
            "nothing was stopped (try again, or see `glutewake status`)\n"
        )
    finally:
        lock.release()
        bystander.kill()
        bystander.wait()


@pytest.mark.parametrize("through_link", [False, True])
def test_one_loop_per_log_across_data_folders(
    tmp_path: Path, config_file: Path, through_link: bool
) -> None:
    shared = tmp_path / "shared.db"
    config_file.write_text(f'[log]\ndatabase = "{shared}"\n[idle]\nbackend = "off"\n')
    other = tmp_path / "other.toml"
    named = shared
    if through_link:  # the other config names a symbolic link to the same log (dotfiles)
        named = tmp_path / "dotfiles" / "glutewake.db"
        named.parent.mkdir()
        named.symlink_to(shared)
    other.write_text(f'[log]\ndatabase = "{named}"\n[idle]\nbackend = "off"\n')
    first = subprocess.Popen(
        glutewake_argv("start", "--no-desktop"),
        env=child_env(GLUTEWAKE_HOME=str(tmp_path / "one")),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: run_cli("status", GLUTEWAKE_HOME=str(tmp_path / "one")).returncode == 0,
            15,
            "the first loop",
        )
        second = subprocess.run(
            glutewake_argv("start", "--no-desktop"),
            env=child_env(GLUTEWAKE_HOME=str(tmp_path / "two"), GLUTEWAKE_CONFIG=str(other)),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert second.returncode == 1
        assert "already running" in second.stderr and str(named) in second.stderr
        # And a command through the other data folder drives nothing.
        two = {"GLUTEWAKE_HOME": str(tmp_path / "two"), "GLUTEWAKE_CONFIG": str(other)}
        assert run_cli("now", **two).returncode == 1
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=10) == 0
    finally:
        if first.poll() is None:
            first.kill()
