"""Nothing lost when the terminal goes away, the output cannot be written, or signals
arrive at any moment: the break is recorded, the session ended, no traceback."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import sqlite3
import subprocess
import termios
import time
from datetime import timedelta
from pathlib import Path

import pytest

from running import child_env, glutewake_argv, run_cli, wait_until

FAST = ("start", "--sit", "1s", "--break", "3s", "--no-desktop")


def _controlling_terminal() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def log_rows(data_dir: Path) -> tuple[list[tuple[str, ...]], list[tuple[object, ...]], int]:
    """(break outcomes, sessions' (ended_at,), state rows) straight from the file."""
    conn = sqlite3.connect(f"file:{data_dir / 'glutewake.db'}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "sessions" not in tables:  # stopped before the log was made
            return [], [], 0
        breaks = conn.execute("SELECT outcome FROM breaks ORDER BY id").fetchall()
        sessions = conn.execute("SELECT ended_at FROM sessions ORDER BY id").fetchall()
        states = conn.execute("SELECT count(*) FROM state").fetchone()[0]
    finally:
        conn.close()
    return breaks, sessions, states


def assert_clean_stop(data_dir: Path, errors: Path) -> None:
    text = errors.read_text()
    assert "Traceback" not in text and "Aborted" not in text, text
    _breaks, sessions, states = log_rows(data_dir)
    assert sessions and all(ended is not None for (ended,) in sessions), sessions
    assert states == 0


def quiet_config(config_file: Path) -> None:
    config_file.write_text('[notify]\nbell = false\n[idle]\nbackend = "off"\n')


def test_a_terminal_closed_while_a_break_is_due(
    tmp_path: Path, config_file: Path, data_dir: Path
) -> None:
    quiet_config(config_file)
    leader, follower = pty.openpty()
    errors = tmp_path / "stderr"
    with errors.open("w") as err:
        proc = subprocess.Popen(
            glutewake_argv(*FAST),
            env=child_env(),
            stdin=follower,
            stdout=follower,
            stderr=err,
            preexec_fn=_controlling_terminal,
        )
    os.close(follower)
    try:
        seen = b""
        deadline = time.monotonic() + 15
        while b"[Enter]" not in seen:
            assert time.monotonic() < deadline, seen
            seen += os.read(leader, 4096)
        os.close(leader)  # the window is closed: SIGHUP, then EIO on every write
        assert proc.wait(timeout=15) in (0, 1)
    finally:
        if proc.poll() is None:
            proc.kill()
    breaks, _sessions, _states = log_rows(data_dir)
    assert breaks == [("abandoned",)]  # recorded, not lost with the terminal
    assert_clean_stop(data_dir, errors)


def test_a_tmux_pane_killed_while_a_break_is_due(
    tmux, tmp_path: Path, config_file: Path, data_dir: Path
) -> None:
    quiet_config(config_file)
    errors = tmp_path / "stderr"
    tmux.start([*glutewake_argv(*FAST)], child_env(), stderr=errors)
    tmux.wait_for("[Enter]", timeout=15)
    holder = wait_until(lambda: (data_dir / "glutewake.lock").read_text(), what="the lock")
    tmux.kill_pane()
    wait_until(lambda: run_cli("status").returncode == 3, timeout=15, what="the loop to end")
    assert '"pid"' in holder
    breaks, _sessions, _states = log_rows(data_dir)
    assert breaks == [("abandoned",)]
    assert_clean_stop(data_dir, errors)


def spawn(tmp_path: Path, *, stdout: object, args: tuple[str, ...] = FAST, **popen: object):
    errors = tmp_path / "stderr"
    err = errors.open("w")
    proc = subprocess.Popen(
        glutewake_argv(*args),
        env=child_env(),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=err,
        **popen,  # type: ignore[call-overload]
    )
    err.close()
    return proc, errors


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_output_to_dev_full_keeps_reminding(tmp_path: Path, config_file: Path, data_dir: Path):
    quiet_config(config_file)
    with open("/dev/full", "w") as full:
        proc, errors = spawn(tmp_path, stdout=full)
    try:
        wait_until(lambda: run_cli("status").stdout.startswith("break due"), 15, "a due break")
        assert run_cli("skip").returncode == 0
        wait_until(lambda: run_cli("status").stdout.startswith("break due"), 15, "the next one")
        assert proc.poll() is None  # still reminding
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 1  # the session summary could not be written
    finally:
        if proc.poll() is None:
            proc.kill()
    breaks, _sessions, _states = log_rows(data_dir)
    assert breaks[0] == ("skipped",)
    lines = errors.read_text().strip().splitlines()
    assert lines == ["Error: cannot write the output (No space left on device)"]
    assert_clean_stop(data_dir, errors)


FULL = ["Error: cannot write the output (No space left on device)"]
CLOSED = ["Error: standard output is closed; nothing can be shown"]


def run_with_stdout(args: tuple[str, ...], stdout: str) -> tuple[int, list[str]]:
    """glutewake ARGS with stdout on /dev/full or closed: (exit code, stderr lines)."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            glutewake_argv(*args),
            env=child_env(),
            stdout=full if stdout == "full" else None,
            stderr=subprocess.PIPE,
            text=True,
            timeout=20,
            preexec_fn=(lambda: os.close(1)) if stdout == "closed" else None,
        )
    return result.returncode, result.stderr.strip().splitlines()


@pytest.mark.parametrize("args", [("config", "path"), ("status",), ("exercises", "list")])
def test_commands_with_unwritable_output_say_so_in_one_line(args: tuple[str, ...]) -> None:
    assert run_with_stdout(args, "full") == (1, FULL)
    assert run_with_stdout(args, "closed") == (1, CLOSED)


@pytest.mark.parametrize("args", [("--help",), ("log", "-h"), ("--version",)])
def test_help_and_version_with_stdout_closed_say_so_in_one_line(args: tuple[str, ...]) -> None:
    assert run_with_stdout(args, "closed") == (1, CLOSED)


@pytest.mark.parametrize("option", ["--help", "-h", "--version"])
def test_top_level_help_and_version_to_dev_full_say_so_in_one_line(option: str) -> None:
    """They print while the arguments are parsed, before any command runs."""
    assert run_with_stdout((option,), "full") == (1, FULL)


def test_the_loop_runs_with_stdin_and_stdout_closed(tmp_path: Path, data_dir: Path) -> None:
    def close_both() -> None:
        os.close(0)
        os.close(1)

    proc, errors = spawn(tmp_path, stdout=subprocess.DEVNULL, preexec_fn=close_both)
    try:
        wait_until(lambda: run_cli("status").stdout.startswith("break due"), 15, "a due break")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert_clean_stop(data_dir, errors)
    assert (data_dir / "glutewake.db").stat().st_size > 0


@pytest.mark.parametrize(
    "signals",
    [
        (signal.SIGTERM, signal.SIGHUP),
        (signal.SIGINT, signal.SIGINT),
        (signal.SIGTERM, signal.SIGTERM),
    ],
)
def test_a_second_signal_while_stopping(tmp_path: Path, data_dir: Path, signals) -> None:
    for attempt in range(4):
        proc, errors = spawn(tmp_path, stdout=subprocess.DEVNULL)
        try:
            wait_until(lambda: run_cli("status").returncode == 0, 15, "the loop to start")
            first, second = signals
            proc.send_signal(first)
            time.sleep(0.002 * attempt)
            proc.send_signal(second)
            assert proc.wait(timeout=10) == 0, errors.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
        assert_clean_stop(data_dir, errors)


def test_term_at_any_moment_of_start_up(tmp_path: Path, data_dir: Path) -> None:
    for delay in (0.05, 0.15, 0.25, 0.35, 0.45, 0.6):
        proc, errors = spawn(tmp_path, stdout=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
        # Before glutewake's handler is in place the default action ends it (-15).
        assert code in (0, -signal.SIGTERM), (delay, code, errors.read_text())
        assert "Traceback" not in errors.read_text()
        if (data_dir / "glutewake.db").exists():
            _breaks, sessions, states = log_rows(data_dir)
            assert all(ended is not None for (ended,) in sessions), (delay, sessions)
            assert states == 0


@pytest.mark.parametrize("args", [("log", "--format", "json"), ("exercises", "--format", "json")])
def test_a_reader_that_stops_early_gets_no_error(data_dir: Path, args: tuple[str, ...]) -> None:
    """`glutewake log --format json | head -2`: head has what it wanted; nothing went wrong."""
    from glutewake.store import Store
    from storetools import brk, utc

    with Store.open(data_dir / "glutewake.db") as store:
        for minute in range(0, 60 * 24 * 6, 30):
            at = utc(2026, 11, 23) + timedelta(minutes=minute)
            store.add_break(brk("done", at))
    proc = subprocess.Popen(
        glutewake_argv(*args, "--since", "2026-11-01")
        if args[0] == "log"
        else glutewake_argv(*args),
        env=child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.readline()
    proc.stdout.close()  # as head does after two lines
    errors = proc.stderr.read().decode()
    assert proc.wait(timeout=20) in (0, 141)
    assert "Error" not in errors and "Broken pipe" not in errors and "Traceback" not in errors
