"""The log moved aside while the loop runs (the README's advice for a corrupt log), and
one loop per log even when two data folders name the same file."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

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
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    text = out.read_text()
    assert text.count("was moved") == 1, text
    assert "Traceback" not in text
    assert not log.exists()  # nothing new was written where the log was
    assert outcomes(aside)[0] == "skipped"


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
