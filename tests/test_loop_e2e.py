"""`glutewake start` for real: in a tmux terminal, and headless with commands from outside."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from glutewake.channel import Channel
from glutewake.store import Store
from running import (
    breaks,
    child_env,
    glutewake_argv,
    headless_loop,
    run_cli,
    spawn_loop,
    status_json,
    wait_until,
)
from terminal import Tmux

FAST = """
[timer]
sit = "{sit}"
break = "1s"
snooze = "2s"
max_snoozes = 1
respond_within = "{respond}"
natural_break = "1h"
[notify]
desktop = false
bell = false
[idle]
backend = "off"
"""


def write_config(path: Path, sit: str = "2s", respond: str = "4s") -> None:
    path.write_text(FAST.format(sit=sit, respond=respond), encoding="utf-8")


@pytest.mark.e2e
def test_terminal_break_cycle(tmux: Tmux, config_file: Path, data_dir: Path) -> None:
    write_config(config_file)
    tmux.start(glutewake_argv("start"), child_env())
    tmux.wait_for("a break every 2s of sitting")

    # 1: Enter = done
    screen = tmux.wait_for("[Enter] done  [s] snooze 2s  [n] another  [x] skip")
    assert "Cue:" in screen or "cue" in screen.lower()
    tmux.keys("Enter")
    tmux.wait_for("done: ")
    tmux.wait_for("break over: back to it")

    # 2: s = snooze, it comes back (no snoozes left: the key is gone), then Enter
    tmux.wait_for("break due:", count=2)
    tmux.keys("s")
    tmux.wait_for("break due again:")
    tmux.wait_for("[Enter] done  [n] another  [x] skip")
    tmux.keys("Enter")
    tmux.wait_for("done: ", count=2)

    # 3: x = skip
    tmux.wait_for("break due:", count=3)
    tmux.keys("x")
    tmux.wait_for("skipped: ")

    # 4: silence = missed after respond_within
    tmux.wait_for("break due:", count=4)
    tmux.wait_for("missed: ", timeout=10)

    tmux.keys("C-c")
    screen = tmux.wait_for("[exited 0]")
    assert "session: 2 done, 1 skipped, 1 missed" in screen

    outcomes = [(b.outcome, b.snoozes) for b in breaks(data_dir)]
    assert outcomes[:4] == [("done", 0), ("done", 1), ("skipped", 0), ("missed", 0)]

    log = run_cli("log", "--today", "--format", "json")
    assert log.returncode == 0, log.stderr
    rows = json.loads(log.stdout)
    assert [r["outcome"] for r in rows][:4] == ["done", "done", "skipped", "missed"]
    assert [r["snoozes"] for r in rows][:2] == [0, 1]


@pytest.mark.e2e
def test_another_shows_a_different_exercise(tmux: Tmux, config_file: Path) -> None:
    write_config(config_file, respond="1m")
    tmux.start(glutewake_argv("start"), child_env())
    tmux.wait_for("[x] skip")
    first = tmux.screen().split("break due: ")[1].splitlines()[0]
    tmux.keys("n")
    screen = tmux.wait_for("break due again: ")
    second = screen.split("break due again: ")[1].splitlines()[0]
    assert first != second
    tmux.keys("C-c")
    tmux.wait_for("[exited 0]")


@pytest.mark.e2e
def test_headless_loop_answered_from_another_process(
    config_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    write_config(config_file, sit="3s", respond="1m")
    with headless_loop(tmp_path) as (proc, proc_out):
        first = status_json()
        assert first["state"] == "seated" and first["running"] is True
        assert first["pid"] == proc.pid

        # done answers a due break; the log says done
        wait_until(lambda: status_json()["state"] == "due", what="a due break")
        done = run_cli("done")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("on a break: ")
        # nothing due any more: a clear message, exit 1
        refused = run_cli("done")
        assert refused.returncode == 1
        assert refused.stderr.startswith("Error: no break is due (")
        wait_until(lambda: [b.outcome for b in breaks(data_dir)] == ["done"], what="done")

        # snooze 3s brings it back
        wait_until(lambda: status_json()["state"] == "due", what="the next break")
        snoozed = run_cli("snooze", "3s")
        assert snoozed.returncode == 0, snoozed.stderr
        assert snoozed.stdout.startswith("snoozed: ")
        t0 = time.monotonic()
        wait_until(lambda: status_json()["state"] == "due", what="the snooze to end")
        assert time.monotonic() - t0 >= 2.0
        again = run_cli("snooze")
        assert again.returncode == 1
        assert again.stderr.startswith("Error: no snoozes left for this break")
        assert run_cli("skip").returncode == 0

        # pause 5s suppresses a due break, then it comes back
        wait_until(lambda: status_json()["state"] == "due", what="a break to pause")
        assert run_cli("pause", "5s").stdout.startswith("paused until ")
        time.sleep(3.5)
        assert status_json()["state"] == "paused"
        wait_until(lambda: status_json()["state"] == "due", timeout=8, what="after pause")
        assert run_cli("done").returncode == 0

        # stand keeps the sitting clock still while standing
        wait_until(lambda: status_json()["state"] == "seated", what="seated after break")
        assert run_cli("stand").stdout.startswith("standing since ")
        before = status_json()["seated_s"]
        time.sleep(4)
        still = status_json()
        assert still["state"] == "standing" and still["seated_s"] == before
        assert run_cli("stand").stderr.startswith("Error: already standing (standing since ")
    text = proc_out.read_text()
    assert "\x1b" not in text  # no control codes off a terminal
    assert "from another terminal: done" in text
    assert text.rstrip().splitlines()[-1].startswith("session: 2 done, 1 skipped, 0 missed")
    outcomes = [(b.outcome, b.snoozes) for b in breaks(data_dir)]
    assert outcomes == [("done", 0), ("skipped", 1), ("done", 0)]
    with Store.open(data_dir / "glutewake.db", create=False) as store:
        assert Channel(store).read_state() is None  # a clean exit leaves no state behind


@pytest.mark.e2e
def test_one_loop_per_data_folder_and_stale_lock(config_file: Path, data_dir: Path) -> None:
    write_config(config_file, sit="1h")
    first = spawn_loop()
    try:
        wait_until(lambda: run_cli("status").returncode == 0, what="the first loop")
        second = run_cli("start")
        assert second.returncode == 1
        assert second.stderr.startswith(
            f"Error: glutewake is already running (pid {first.pid}, since "
        )
        assert "Traceback" not in second.stderr
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()

    # The killed loop's state row is still there, but it is not running.
    with Store.open(data_dir / "glutewake.db", create=False) as store:
        assert Channel(store).read_state() is not None
    stale = run_cli("status")
    assert (stale.returncode, stale.stdout) == (3, "not running\n")
    assert run_cli("done").stderr.startswith("Error: glutewake is not running")

    # ... and its lock is taken over by the next start.
    third = spawn_loop()
    try:
        wait_until(lambda: run_cli("status").returncode == 0, what="the takeover")
        assert status_json()["pid"] == third.pid
    finally:
        third.send_signal(signal.SIGINT)
        assert third.wait(timeout=10) == 0


def test_status_not_running(cli, data_dir: Path) -> None:
    result = cli("status")
    assert (result.exit_code, result.output) == (3, "not running\n")
    result = cli("status", "--format", "json")
    assert result.exit_code == 3
    assert json.loads(result.output) == {"running": False, "state": None}
    assert not (data_dir / "glutewake.db").exists()  # reading creates nothing


@pytest.mark.parametrize(
    "command", ["done", "skip", "snooze", "now", "pause", "resume", "stand", "sit"]
)
def test_commands_without_a_loop(cli, command: str) -> None:
    result = cli(command)
    assert result.exit_code == 1
    assert result.output == "Error: glutewake is not running: start it with `glutewake start`\n"


@pytest.mark.parametrize("bad", ["soon", "0s", "5 minutes"])
def test_bad_durations_are_usage_errors(cli, bad: str) -> None:
    result = cli("snooze", bad)
    assert result.exit_code == 2
    assert "Invalid value for '[DURATION]'" in result.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("snooze", "9999h"), "DURATION"),
        (("pause", "99999999h"), "DURATION"),
        (("start", "--sit", "9999999999h"), "--sit"),
    ],
)
def test_huge_durations_are_usage_errors(cli, args: tuple[str, ...], option: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert "expected a duration of at most 168h" in result.output
    assert option in result.output
