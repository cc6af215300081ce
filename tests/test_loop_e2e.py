"""`glutewake start` for real: in a tmux terminal, and headless with commands from outside."""

from __future__ import annotations

import json
import os
import signal
from datetime import datetime, timedelta
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
def test_terminal_round_trip(tmux: Tmux, config_file: Path, data_dir: Path) -> None:
    # One real terminal: keys read in cbreak mode, the card and help drawn, Ctrl-C ends it.
    # Every answer's rules run in-process in test_loop_scenarios.py.
    write_config(config_file, sit="1s", respond="1m")
    tmux.start(glutewake_argv("start"), child_env())
    tmux.wait_for("a break every 1s of sitting")
    screen = tmux.wait_for("[Enter] start  [s] snooze 2s  [n] another  [x] skip")
    assert "Cue:" in screen
    first = screen.split("break due: ")[1].splitlines()[0]
    tmux.keys("n")
    screen = tmux.wait_for("another exercise: ")
    assert screen.split("another exercise: ")[1].splitlines()[0] != first
    tmux.keys("Enter")  # start: the break is guided
    tmux.wait_for("Enter ends it early")
    tmux.keys("Enter")  # and ended early
    tmux.wait_for("done: ")
    tmux.keys("C-c")
    screen = tmux.wait_for("[exited 0]")
    assert "session: 1 done, 0 skipped, 0 missed" in screen
    assert [(b.outcome, b.snoozes, b.completed) for b in breaks(data_dir)] == [("done", 0, False)]

    log = run_cli("log", "--today", "--format", "json")
    assert log.returncode == 0, log.stderr
    assert [r["outcome"] for r in json.loads(log.stdout)] == ["done"]


@pytest.mark.e2e
def test_headless_round_trip(config_file: Path, data_dir: Path, tmp_path: Path) -> None:
    # One real loop off any terminal answered by real commands; every command's rules
    # run in-process in test_loop_scenarios.py.
    write_config(config_file, sit="1h", respond="1m")
    with headless_loop(tmp_path) as (proc, proc_out):
        assert status_json()["pid"] == proc.pid
        assert run_cli("now").returncode == 0
        wait_until(lambda: status_json()["state"] == "due", what="a due break")
        done = run_cli("done")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("on a break: ")
        ended = run_cli("done")  # during the break: ends it
        assert ended.returncode == 0, ended.stderr
        refused = run_cli("done")  # nothing due, no break under way
        assert refused.returncode == 1
        assert refused.stderr.startswith("Error: no break is due (")
    text = proc_out.read_text()
    assert "\x1b" not in text  # no control codes off a terminal
    assert "from another terminal: done" in text
    assert "`glutewake done` ends it early" in text and "stopped early" in text
    assert text.rstrip().splitlines()[-1].startswith("session: 1 done, 0 skipped, 0 missed")
    assert [(b.outcome, b.snoozes, b.completed) for b in breaks(data_dir)] == [("done", 0, False)]
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


GUIDED = """
[timer]
sit = "1s"
break = "1s"
respond_within = "1m"
natural_break = "1h"
[notify]
desktop = false
bell = false
[idle]
backend = "off"
[exercises]
exclude = [{exclude}]

[[exercises.custom]]
id = "short-hold"
name = "Short hold"
category = "hip_flexors"
space = "desk"
duration = "3s"
level = "easy"
targets = ["iliopsoas"]
steps = ["Stand in a split stance.", "Tuck your tailbone under and hold."]
cue = "Tuck first, then shift your hips forward a little."
"""


@pytest.mark.e2e
def test_a_guided_break_from_enter_to_break_over(
    tmux: Tmux, config_file: Path, data_dir: Path
) -> None:
    # The only exercise: a 3-second hold. Enter starts it; the terminal counts it down and
    # says when the break is over. One real round trip: sides, switching and every other
    # kind of exercise are played with injected time in test_player.py.
    from glutewake.catalog import load_bundled

    exclude = ", ".join(f'"{e.id}"' for e in load_bundled())
    config_file.write_text(GUIDED.format(exclude=exclude), encoding="utf-8")
    tmux.start(glutewake_argv("start"), child_env())
    tmux.wait_for("[Enter] start")
    tmux.keys("Enter")
    tmux.wait_for("Short hold")
    # The countdown as the status line draws it, second by second.
    screen = tmux.wait_for("Short hold · 0:0", timeout=5)
    shown = screen.split("Short hold · 0:0")[-1][:1]
    assert shown in "123"
    tmux.wait_for("break over", timeout=6)
    screen = tmux.wait_for("done: Short hold · ", timeout=3)
    assert "completed" in screen.split("done: Short hold · ")[1].splitlines()[0]
    tmux.keys("C-c")
    tmux.wait_for("[exited 0]")
    log = run_cli("log", "--today", "--format", "json")
    (row,) = json.loads(log.stdout)
    assert (row["outcome"], row["exercise_id"], row["completed"]) == ("done", "short-hold", True)
    # 3 s, give or take the loop's wake-ups.
    assert 3 <= row["break_s"] <= 5


@pytest.mark.e2e
def test_stop_ends_the_loop_from_another_terminal(
    config_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    write_config(config_file, sit="1h", respond="1m")
    with headless_loop(tmp_path) as (proc, proc_out):
        # A pause with an end, then asked how long it has lasted.
        until = f"{datetime.now() + timedelta(hours=2):%H:%M}"
        paused = run_cli("pause", "--until", until)
        assert paused.returncode == 0, paused.stderr
        assert paused.stdout.startswith("paused · until ") and until in paused.stdout
        # Paused again: the new pause replaces the first, and the reply says so.
        sent = f"{datetime.now() + timedelta(hours=3):%H:%M}"
        again = run_cli("pause", "3h")
        later = f"{datetime.now() + timedelta(hours=3):%H:%M}"
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith("pause replaced: paused · until ")
        assert sent in again.stdout or later in again.stdout
        assert run_cli("resume").returncode == 0
        assert run_cli("now").returncode == 0
        stopped = run_cli("stop")
        assert stopped.returncode == 0, stopped.stderr
        assert stopped.stdout == f"glutewake stopped (pid {proc.pid})\n"
        assert proc.wait(timeout=10) == 0
    assert run_cli("status").returncode == 3
    # The break on screen when it stopped is abandoned, not missed.
    assert [b.outcome for b in breaks(data_dir)] == ["abandoned"]
    assert "from another terminal: stop" in proc_out.read_text()
    again = run_cli("stop")
    assert (again.returncode, again.stderr) == (
        1,
        "Error: glutewake is not running: start it with `glutewake start`\n",
    )


def test_top_level_typos_get_a_suggestion(cli) -> None:
    result = cli("stpo")
    assert result.exit_code == 2
    assert "No such command 'stpo'. (Did you mean 'stop'?)" in result.output
    assert "Did you mean" not in cli("frobnicate").output
