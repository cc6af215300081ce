"""`glutewake start` on a pty (terminal modes restored, options), off schedule, bad logs."""

from __future__ import annotations

import fcntl
import hashlib
import os
import pty
import select
import shlex
import signal
import subprocess
import termios
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from running import child_env, glutewake_argv, headless_loop, run_cli, status_json, wait_until


class PtyReader:
    """Everything the child wrote to the terminal so far, read as it arrives."""

    def __init__(self, fd: int) -> None:
        self.fd, self.seen = fd, b""

    def until(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not seen in {self.seen!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    break
        return self.seen.decode(errors="replace")


def _take_as_controlling_terminal() -> None:
    # As in a terminal window: a session of its own, in the terminal's foreground.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_terminal_modes_are_restored_and_options_apply(config_file: Path, stop: int) -> None:
    config_file.write_text('[notify]\nbell = false\n[idle]\nbackend = "off"\n')
    leader, follower = pty.openpty()
    before = termios.tcgetattr(follower)
    proc = subprocess.Popen(
        glutewake_argv("start", "--sit", "1s", "--break", "3s", "--no-desktop"),
        env=child_env(),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        preexec_fn=_take_as_controlling_terminal,
    )
    screen = PtyReader(leader)
    try:
        # No bundled exercise takes 3 s: the greeting does not promise it.
        screen.until("a break every 1s of sitting, 30s or more each (no exercise fits in ")
        # How it arrives and the keys, where the log is, what to do in a meeting.
        out = screen.until("it comes here; keys: Enter = start, s = snooze 5m")
        out += screen.until("Ctrl-C to stop")
        assert "log: " in out and "glutewake.db" in out and "glutewake pause 1h" in out
        out += screen.until("desktop notifications off: disabled")
        screen.until("[Enter] start")  # the break, due
        # cbreak mode while running: no echo, no line buffering
        during = termios.tcgetattr(follower)
        assert not during[3] & termios.ECHO and not during[3] & termios.ICANON
        os.write(leader, b"\r")  # start the break: it is guided, counting down
        screen.until("Enter ends it early")
        os.write(leader, b"\r")  # and end it
        screen.until("done: ")
        proc.send_signal(stop)
        tail = screen.until("session: ")
        assert proc.wait(timeout=10) == 0
        assert "Traceback" not in tail
        assert termios.tcgetattr(follower) == before
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
        os.close(follower)


@pytest.mark.e2e
def test_off_schedule_nothing_fires_and_status_says_when(
    config_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%a").lower()
    config_file.write_text(
        '[timer]\nsit = "1s"\n[notify]\ndesktop = false\n[idle]\nbackend = "off"\n'
        f'[schedule]\nenabled = true\ndays = ["{tomorrow}"]\nstart = "00:00"\nend = "23:59"\n'
    )
    # One real round trip; that nothing fires off schedule, over many sit lengths, is
    # test_loop.py's test_the_schedule_reads_the_injected_wall_clock.
    with headless_loop(tmp_path):
        wait_until(lambda: status_json()["state"] == "off_schedule", what="off schedule")
        assert run_cli("status").stdout == f"off schedule until {tomorrow.title()} 00:00\n"
    text = (tmp_path / "loop.out").read_text()
    assert "outside working hours" in text
    assert "break due" not in text


def test_start_with_a_corrupt_log_refuses_and_leaves_it_alone(cli, data_dir: Path) -> None:
    data_dir.mkdir()
    db = data_dir / "glutewake.db"
    db.write_bytes(b"this is not a database at all" * 100)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    result = cli("start", "--no-desktop")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {db}: the log is corrupt or not a SQLite database")
    assert result.output.count("\n") == 1
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    # The lock was released: status is "not running", and a later start can take it.
    assert cli("status").exit_code == 3


@pytest.mark.e2e
def test_start_in_the_background_of_a_shell_keeps_running(tmux, config_file: Path) -> None:
    config_file.write_text('[timer]\nsit = "1h"\n[notify]\ndesktop = false\n')
    # An interactive shell, as a person has: its background jobs may not touch the
    # terminal's modes (SIGTTOU would stop the loop with its lock held).
    tmux.start(["bash", "--norc", "--noprofile", "-i"], child_env(PS1="$ "))
    tmux.keys(shlex.join(glutewake_argv("start")) + " &", "Enter")
    greeting = tmux.wait_for("a break every 1h of sitting")
    # In the background Ctrl-C cannot reach it: the greeting says how to stop it instead.
    greeting = tmux.wait_for("glutewake stop to stop")
    assert "Ctrl-C" not in greeting
    time.sleep(0.5)
    tmux.keys("jobs -l", "Enter")
    screen = tmux.wait_for("Running")
    assert "Stopped" not in screen
    tmux.keys("kill %1; wait; echo gone", "Enter")
    tmux.wait_for("session: 0 done")


def test_start_with_an_unusable_data_folder_says_so(cli, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be\n")
    monkeypatch.setenv("GLUTEWAKE_HOME", str(blocker / "data"))
    result = cli("start", "--no-desktop")
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {blocker / 'data'}: cannot use the data folder (Not a directory)\n"
    )


def test_the_greeting_wraps_at_words_in_a_narrow_pane(tmux, config_file: Path) -> None:
    config_file.write_text(
        '[notify]\ndesktop = false\n[idle]\nbackend = "off"\n[quiet]\nwhen = []\n'
    )
    tmux.start(glutewake_argv("start"), child_env(), width=60)
    wait_until(
        lambda: "Ctrl-C to stop" in " ".join(tmux.screen().split()), 15, "the whole greeting"
    )
    shown = tmux._tmux("capture-pane", "-p", "-t", "s").splitlines()  # as the pane wraps
    greeting = [line.rstrip() for line in shown if line.strip()][:-1]  # not the status line
    # Only a word longer than a line (the log's path here) is left to the terminal.
    too_wide = [line for line in greeting if len(line) >= 60 and " " in line.strip()]
    assert greeting and not too_wide, "\n".join(shown)
    text = " ".join(" ".join(greeting).split())
    assert "a break every 30m of sitting" in text and "keys: Enter = start, s = snooze" in text
    tmux.keys("C-c")


def test_start_with_a_log_in_a_folder_that_does_not_exist_makes_nothing(
    cli, config_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    config_file.write_text(f'[log]\ndatabase = "{tmp_path}/typo/dir/x.db"\n')
    result = cli("start", "--no-desktop")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {config_file}: [log] database: folder does not exist: {tmp_path}/typo/dir\n"
    )
    assert not (tmp_path / "typo").exists()


def test_the_loop_itself_makes_no_folder_for_a_named_log(tmp_path: Path) -> None:
    from glutewake import remind
    from glutewake.catalog import build_catalog
    from glutewake.config import ExerciseSettings, Settings
    from glutewake.errors import StoreError

    db = tmp_path / "typo" / "x.db"
    with pytest.raises(StoreError, match=f"^{db}: folder does not exist: {db.parent}$"):
        remind.run(
            Settings(),
            build_catalog(ExerciseSettings()),
            db_path=db,
            lock_path=tmp_path / "data" / "glutewake.lock",
            env={},
            desktop=False,
            out=None,
            inp=None,
        )
    assert not (tmp_path / "typo").exists() and not (tmp_path / "data").exists()
