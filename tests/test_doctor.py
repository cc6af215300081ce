"""`glutewake doctor`: each check with and without a desktop, and the exit status rule."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from glutewake import config as cfg
from glutewake.cli.context import App
from glutewake.doctor import Report, check_log, check_schedule, diagnose
from glutewake.paths import resolve
from glutewake.store import Store
from helpers import read_only, require_programs

MONDAY_10 = datetime(2024, 3, 4, 10, 0)  # a Monday, inside 09:00-18:00
SATURDAY_10 = datetime(2024, 3, 9, 10, 0)
BUSY = ["dnd", "fullscreen", "camera", "microphone"]
NAMES = [
    *("config", "data", "log", "notifications", "terminal", "idle"),
    *BUSY,
    *("schedule", "reminders"),
]


def run(env, *, terminal=False, config_flag=None, now=MONDAY_10) -> Report:
    """diagnose() as the CLI calls it, for the paths `env` names."""
    app = App(paths=resolve(config_flag, env))
    return diagnose(
        app.paths,
        env,
        load_settings=app.settings,
        db_path=app.db_path,
        now=now,
        terminal=terminal,
    )


def by_name(report: Report):
    return {check.name: check for check in report.checks}


@pytest.fixture
def env(tmp_path):
    """No desktop: what a test process sees (conftest removed DISPLAY and the bus)."""
    return dict(os.environ)


@pytest.fixture
def desktop_env(desktop, env):

    require_programs("notify-send")
    return {**env, **desktop.env}


# --- the verdict ---


def test_without_a_desktop_or_terminal_reminders_cannot_reach_you(env, data_dir):
    require_programs("notify-send")  # the reason is the notify-send path's
    report = run(env)
    assert [c.name for c in report.checks] == NAMES
    checks = by_name(report)
    assert not report.ok
    assert checks["reminders"].summary == (
        "cannot reach you: no terminal, and no desktop notification: "
        "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    )
    assert checks["notifications"].summary == (
        "notify-send: no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    )
    assert checks["idle"].summary == (
        "none answers, natural breaks are not detected (gnome, kde: no session bus "
        "(DBUS_SESSION_BUS_ADDRESS is not set); x11: DISPLAY is not set (no X11 session))"
    )
    assert not data_dir.exists()  # looking created nothing


def test_a_terminal_alone_is_enough(env):
    require_programs("notify-send")  # the reason is the notify-send path's
    report = run(env, terminal=True)
    assert report.ok
    assert by_name(report)["reminders"].summary == (
        "reach you in this terminal only (no desktop notification: "
        "no session bus (DBUS_SESSION_BUS_ADDRESS is not set))"
    )
    assert not by_name(report)["notifications"].ok  # a warning, not a failure


@pytest.mark.e2e
def test_with_a_desktop_every_check_passes_but_the_terminal(desktop, desktop_env):
    report = run(desktop_env)
    checks = by_name(report)
    assert report.ok
    # Linux talks to the server directly: doctor names it and says what it does with it.
    notifications = checks["notifications"]
    assert notifications.summary.startswith("dunst ")
    assert notifications.summary.endswith(
        " over D-Bus: buttons Start, Snooze, Skip, Another; stays until answered"
    )
    details = notifications.details
    assert (details["backend"], details["server"], details["vendor"]) == (
        "freedesktop", "dunst", "knopwob"
    )  # fmt: skip
    assert "actions" in details["capabilities"] and details["actions"] is True
    assert details["sound"] is ("sound" in details["capabilities"])
    assert checks["idle"].ok
    assert checks["idle"].details["backend"] == "x11"
    assert checks["idle"].summary.startswith("x11: idle for ")
    assert checks["idle"].summary.endswith(f"(XScreenSaverQueryInfo on display {desktop.display})")
    assert checks["reminders"].summary == "reach you by a desktop notification"
    assert checks["dnd"].summary == "works here: dunst: do not disturb is off (paused)"
    assert checks["camera"].ok and checks["camera"].summary.startswith("works here: ")
    # A bare Xvfb has no window manager to say which window is active.
    assert checks["fullscreen"].summary == (
        "unknown: the window manager does not say which window is active; never holds a break"
    )
    failed = [c.name for c in report.checks if not c.ok]
    assert failed in (["terminal", "fullscreen"], ["terminal", "fullscreen", "microphone"])


@pytest.mark.e2e
def test_idle_seconds_come_from_the_desktop(desktop, desktop_env):
    time.sleep(1.1)
    idle = by_name(run(desktop_env))["idle"]
    assert idle.details["seconds"] >= 1.0
    assert re.match(r"x11: idle for \d+s \(XScreenSaverQueryInfo on display :\d+\)$", idle.summary)


def test_notifications_turned_off_leave_only_the_terminal(env, config_file):
    config_file.write_text("[notify]\ndesktop = false\n", encoding="utf-8")
    checks = by_name(run(env))
    assert checks["notifications"].ok
    assert checks["notifications"].summary == "turned off ([notify] desktop = false)"
    assert not checks["reminders"].ok
    assert checks["reminders"].summary == (
        "cannot reach you: no terminal, and no desktop notification: "
        "turned off ([notify] desktop = false)"
    )


# --- config ---


def test_missing_config_means_defaults(env, config_file):
    config = by_name(run(env))["config"]
    assert (config.ok, config.summary) == (True, f"{config_file} does not exist; using defaults")


def test_valid_config(env, config_file):
    config_file.write_text('[timer]\nsit = "30m"\n', encoding="utf-8")
    assert by_name(run(env))["config"].summary == f"{config_file} is valid"


def test_invalid_config_fails_and_the_rest_still_runs(env, config_file):
    config_file.write_text('[timer]\nsit = "soon"\n', encoding="utf-8")
    report = run(env, terminal=True)
    config = by_name(report)["config"]
    assert not report.ok
    assert (config.ok, config.essential) == (False, True)
    assert config.summary.startswith(f"{config_file}: [timer] sit: expected a duration")
    assert [c.name for c in report.checks] == NAMES


def test_explicit_config_that_does_not_exist(env, tmp_path):
    report = run(env, terminal=True, config_flag=str(tmp_path / "nope.toml"))
    assert not report.ok
    assert by_name(report)["config"].summary == f"{tmp_path / 'nope.toml'}: no such config file"


# --- data folder and log ---


def test_existing_log_is_checked_read_only(env, data_dir):
    Store.open(data_dir / "glutewake.db").close()
    before = sha256(data_dir / "glutewake.db")
    checks = by_name(run(env, terminal=True))
    assert checks["data"].summary == f"{data_dir} is writable"
    assert checks["log"].summary == f"{data_dir / 'glutewake.db'} is writable"
    assert sha256(data_dir / "glutewake.db") == before


def test_corrupt_log_fails_and_is_left_untouched(env, data_dir):
    data_dir.mkdir()
    db = data_dir / "glutewake.db"
    db.write_bytes(b"this is not SQLite " * 64)
    before = sha256(db)
    report = run(env, terminal=True)
    log = by_name(report)["log"]
    assert not report.ok
    assert log.summary.startswith(f"{db}: ")
    assert "left untouched" in log.summary
    assert sha256(db) == before


def test_someone_elses_database(tmp_path):
    import sqlite3

    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (text)")
    conn.close()
    log = check_log(db)
    assert (log.ok, log.summary) == (
        False,
        f"{db}: a SQLite database, but not a glutewake log; it was left untouched",
    )


def test_log_path_from_the_config(env, config_file, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    config_file.write_text(f'[log]\ndatabase = "{tmp_path}/elsewhere/log.db"\n', encoding="utf-8")
    log = by_name(run(env, terminal=True))["log"]
    assert log.summary == f"{tmp_path}/elsewhere/log.db will be created on the first start"
    assert not (tmp_path / "elsewhere" / "log.db").exists()


def test_a_log_in_a_folder_that_does_not_exist_fails(env, config_file, tmp_path):
    # A typo in [log] database must not start a new, empty log: start never makes that
    # folder, and doctor says so rather than "will be created".
    config_file.write_text(f'[log]\ndatabase = "{tmp_path}/typo/log.db"\n', encoding="utf-8")
    report = run(env, terminal=True)
    log = by_name(report)["log"]
    assert not report.ok and not log.ok
    assert log.summary == (
        f"{config_file}: [log] database: folder does not exist: {tmp_path / 'typo'}"
    )
    assert not (tmp_path / "typo").exists()


def test_a_data_folder_named_by_glutewake_home_will_be_created(tmp_path, env):
    # GLUTEWAKE_HOME names the data folder itself: ours to make, however deep.
    home = tmp_path / "not" / "yet" / "data"
    checks = by_name(run({**env, "GLUTEWAKE_HOME": str(home)}, terminal=True))
    assert checks["data"].ok and checks["log"].ok
    assert checks["log"].summary == f"{home / 'glutewake.db'} will be created on the first start"


def test_a_file_where_the_data_folder_should_be(env, data_dir):
    data_dir.write_text("oops", encoding="utf-8")
    report = run(env, terminal=True)
    checks = by_name(report)
    assert not report.ok
    assert checks["data"].summary == f"{data_dir}: is not a folder"
    assert checks["log"].summary == f"{data_dir}: is not a folder"


def test_a_data_folder_that_cannot_be_created(tmp_path, env):
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    env = {**env, "GLUTEWAKE_HOME": str(blocker / "sub" / "data")}
    data = by_name(run(env, terminal=True))["data"]
    assert data.summary == (
        f"{blocker / 'sub' / 'data'}: cannot be created, {blocker} is not a folder"
    )


def test_a_read_only_data_folder(env, data_dir):
    data_dir.mkdir()
    # Not writable even for root (who ignores mode bits): an immutable folder.
    with read_only(data_dir):
        assert by_name(run(env, terminal=True))["data"].summary == f"{data_dir}: not writable"


# --- idle and schedule ---


def test_idle_turned_off(env, config_file):
    config_file.write_text('[idle]\nbackend = "off"\n', encoding="utf-8")
    idle = by_name(run(env))["idle"]
    assert (idle.ok, idle.summary) == (
        True,
        "turned off ([idle] backend = off): natural breaks are not detected",
    )


@pytest.mark.parametrize(
    ("now", "summary"),
    [
        (MONDAY_10, "open now, until Mon 18:00 (mon,tue,wed,thu,fri 09:00-18:00)"),
        (SATURDAY_10, "closed now, opens Mon 09:00 (mon,tue,wed,thu,fri 09:00-18:00)"),
    ],
)
def test_schedule(now, summary):
    settings = cfg.Settings(schedule=cfg.ScheduleSettings(enabled=True))
    check = check_schedule(settings, now)
    assert (check.ok, check.summary) == (True, summary)


def test_schedule_off():
    assert check_schedule(cfg.Settings(), MONDAY_10).summary == "off: breaks at any time"


# --- the command ---


@pytest.mark.e2e
def test_cli_with_a_desktop(cli, desktop_env, monkeypatch):
    for key, value in desktop_env.items():
        monkeypatch.setenv(key, value)
    result = cli("doctor")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[1] for line in lines] == [
        "config", "data", "log", "notifications", "terminal", "idle",
        "dnd", "full", "camera", "microphone", "schedule", "reminders",
    ]  # fmt: skip
    assert lines[3].startswith("✓ notifications  dunst ")
    assert "over D-Bus: buttons Start, Snooze, Skip, Another" in lines[3]
    assert lines[6] == "✓ dnd            works here: dunst: do not disturb is off (paused)"
    assert lines[11] == "✓ reminders      reach you by a desktop notification" + (
        " and this terminal" if lines[4].startswith("✓") else ""
    )


@pytest.mark.e2e
def test_cli_json_has_every_check_as_an_object(cli, desktop_env, monkeypatch):
    for key, value in desktop_env.items():
        monkeypatch.setenv(key, value)
    result = cli("doctor", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ok"] is True
    assert [check["name"] for check in data["checks"]] == NAMES
    for check in data["checks"]:
        assert {"name", "ok", "essential", "summary"} <= set(check)
    idle = data["checks"][NAMES.index("idle")]
    assert idle["backend"] == "x11" and isinstance(idle["seconds"], float)
    assert [t["backend"] for t in idle["tried"]] == ["gnome", "kde", "x11"]


def test_cli_without_desktop_or_terminal_exits_1(tmp_path):
    require_programs("notify-send")  # the reason is the notify-send path's
    # A new session has no controlling terminal, like a service or nohup.
    result = subprocess.run(
        [sys.executable, "-m", "glutewake", "doctor"],
        capture_output=True,
        text=True,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1] == (
        "✗ reminders      cannot reach you: no terminal, and no desktop notification: "
        "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    )


def test_cli_in_a_terminal_without_desktop_exits_0():
    output, status = run_in_pty([sys.executable, "-m", "glutewake", "doctor"])
    assert status == 0, output
    assert "✓ terminal       start shows breaks and reads keys in this terminal" in output
    assert "reach you in this terminal only" in output


def test_cli_bad_config_exits_1(tmp_path, config_file):
    config_file.write_text("[timer\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "glutewake", "doctor", "--format", "json"],
        capture_output=True,
        text=True,
        start_new_session=True,
    )
    assert result.returncode == 1
    config = json.loads(result.stdout)["checks"][0]
    assert config["ok"] is False
    assert config["summary"].startswith(f"{config_file}: TOML syntax error")


def test_cli_bad_format_is_a_usage_error(cli):
    result = cli("doctor", "--format", "yaml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def run_in_pty(argv: list[str]) -> tuple[str, int]:
    """Run argv with a pty as its controlling terminal; its output and exit status."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the pty
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    output = b"".join(chunks).decode().replace("\r\n", "\n")
    # Colour codes appear on a TTY; compare plain text.
    return re.sub(r"\x1b\[[0-9;]*m", "", output), os.waitstatus_to_exitcode(status)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_busy_detectors_without_a_desktop_say_why(env):
    checks = by_name(run(env, terminal=True))
    assert checks["dnd"].summary == (
        "unknown: no session bus (DBUS_SESSION_BUS_ADDRESS is not set); never holds a break"
    )
    assert checks["fullscreen"].summary == (
        "unknown: DISPLAY is not set (no X11 session); never holds a break"
    )
    assert checks["camera"].details == {"answer": "free"}  # /proc is there
    assert not any(checks[name].essential for name in BUSY)


def test_busy_detectors_turned_off(env, config_file):
    config_file.write_text('[quiet]\nwhen = ["camera"]\n', encoding="utf-8")
    checks = by_name(run(env, terminal=True))
    assert checks["dnd"].summary == "off (not in [quiet] when): never holds a break"
    assert checks["camera"].summary.startswith("works here: ")
    config_file.write_text('[quiet]\nmax_hold = "0s"\n', encoding="utf-8")
    checks = by_name(run(env, terminal=True))
    assert all(
        checks[name].summary == "off ([quiet] max_hold = 0s): never holds a break" for name in BUSY
    )


@pytest.mark.e2e
def test_busy_detectors_see_dunst_paused(desktop, desktop_env):
    desktop.run("dunstctl", "set-paused", "true")
    dnd = by_name(run(desktop_env))["dnd"]
    assert dnd.summary == "busy now: dunst: do not disturb is on (paused)"
    assert dnd.details == {"answer": "busy"}
