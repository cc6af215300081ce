"""The break notification answered where it appears: a real dunst's actions, in place
updates, closing, and a server without buttons (a tiny server on the private bus)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop import NOTIFICATIONS, BusServer, Desktop, Notifications, stop_processes, wait_for_name
from glutewake.catalog import load_bundled
from glutewake.channel import Channel
from glutewake.freedesktop import FreedesktopNotifier
from glutewake.notify import SAMPLE_TIMEOUT_S, due_note, open_notifier, over_note, sample_note
from glutewake.store import Store
from running import (
    breaks,
    child_env,
    glutewake_argv,
    headless_loop,
    run_cli,
    wait_for_text,
    wait_until,
)
from terminal import Tmux

pytestmark = pytest.mark.e2e

CONFIG = """
[timer]
sit = "1s"
break = "2s"
snooze = "2s"
respond_within = "1m"
natural_break = "1h"
[notify]
bell = false
[idle]
backend = "off"
"""

PICK = """#!/bin/sh
# dunst's context menu: one line per action on stdin; print the one to invoke.
cat > "{menu}.part"
grep -i -- "$(cat "{choice}")" "{menu}.part" | head -1
mv "{menu}.part" "{menu}"
"""


@dataclass
class ActionDunst:
    """dunst with a dmenu script: `choose("snooze")` invokes that action, as a click would."""

    desktop: Desktop
    folder: Path
    process: subprocess.Popen[Any] | None = None
    menus: list[str] = field(default_factory=list)

    def choose(self, label: str) -> None:
        menu = self.folder / "menu"
        menu.unlink(missing_ok=True)
        (self.folder / "choice").write_text(label)
        self.desktop.run("dunstctl", "context")  # returns before dunst runs the script
        wait_until(menu.exists, timeout=5, what="dunst's context menu")
        self.menus.append(menu.read_text())

    def displayed(self) -> int:
        return int(self.desktop.run("dunstctl", "count", "displayed").stdout)


@pytest.fixture
def dunst(desktop: Desktop, tmp_path: Path) -> Iterator[ActionDunst]:
    folder = tmp_path / "dunst"
    folder.mkdir()
    pick = folder / "pick.sh"
    pick.write_text(PICK.format(menu=folder / "menu", choice=folder / "choice"))
    pick.chmod(0o755)
    (folder / "dunstrc").write_text(f"[global]\n    dmenu = {pick}\n")
    # The fixture's dunst has no dmenu: replace it (by its pid) with one that has.
    os.kill(desktop.pids["dunst"], signal.SIGTERM)  # the fixture's own dunst, by its pid
    wait_until(lambda: not _owned(desktop), what="the first dunst to go")
    process = subprocess.Popen(
        ["dunst", "-config", str(folder / "dunstrc")],
        env=desktop.environ(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_name(desktop.bus_address, NOTIFICATIONS, process=process)
        yield ActionDunst(desktop, folder, process)
    finally:
        stop_processes([process])


def _state(data_dir: Path) -> str | None:
    with Store.open(data_dir / "glutewake.db", create=False) as store:
        state = Channel(store).read_state()
    return None if state is None else state.state


def _owned(desktop: Desktop) -> bool:
    from jeepney import DBus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(desktop.bus_address) as connection:
        reply = connection.send_and_get_reply(DBus().NameHasOwner(NOTIFICATIONS), timeout=1)
        return bool(reply.body[0])


def test_a_break_answered_from_its_notification_then_by_a_command(
    dunst: ActionDunst,
    notifications: Notifications,
    config_file: Path,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    config_file.write_text(CONFIG)
    env = child_env(**dunst.desktop.env)
    with headless_loop(tmp_path, env, wait=False) as (loop, out):
        wait_for_text(out, "break due: ")
        wait_until(lambda: dunst.displayed() == 1, what="the break notification")

        # Snooze from the notification: acted on within a second.
        dunst.choose("snooze")
        sent = time.monotonic()
        # Read in-process (no `glutewake status` start-up in the measurement).
        wait_until(lambda: _state(data_dir) == "snoozed", timeout=5, what="snoozed")
        assert time.monotonic() - sent < 1.0
        menu = dunst.menus[-1]
        assert "#Start (" in menu and "#Snooze 2s (" in menu and "#Skip (" in menu
        first_id = menu.split("[")[1].split(",")[0]

        # Back again: the same notification, updated in place, never a second one.
        wait_for_text(out, "break due again: ")
        wait_until(lambda: dunst.displayed() == 1, what="the notification, again")
        dunst.choose("start")
        assert "Due again: " in dunst.menus[-1]
        assert f"[{first_id},start]" in dunst.menus[-1]
        wait_for_text(out, "ends it early")  # the break started, guided
        shown = notifications()  # closes it to read it; the loop copes
        assert shown[-1]["summary"].startswith("On a break: back to sitting at ")
        assert str(shown[-1]["id"]) == first_id

        # Ended from another terminal (the guided break would run its full length).
        assert run_cli("done").returncode == 0
        wait_for_text(out, "done: ")
        # The next break, answered from another terminal: its notification goes.
        wait_for_text(out, "break over")
        wait_until(lambda: "break due: " in out.read_text().split("break over")[-1])
        wait_until(lambda: dunst.displayed() == 1, what="the next break's notification")
        assert run_cli("skip").returncode == 0
        assert dunst.displayed() == 0

        # Stopped (SIGTERM) with a break on screen: the notification goes too.
        wait_until(lambda: "break due: " in out.read_text().split("skipped: ")[-1])
        wait_until(lambda: dunst.displayed() == 1, what="a third notification")
        loop.terminate()
        assert loop.wait(timeout=10) == 0
        assert dunst.displayed() == 0
    done, skipped, abandoned = breaks(data_dir)
    assert (done.outcome, done.snoozes, done.answered_via) == ("done", 1, "notification")
    assert (skipped.outcome, skipped.answered_via) == ("skipped", "command")
    # Stopping is not missing: the break on screen at SIGTERM is abandoned.
    assert (abandoned.outcome, abandoned.answered_via) == ("abandoned", None)
    log = run_cli("log", "--format", "json")
    assert [row["answered_via"] for row in json.loads(log.stdout)] == [
        "notification",
        "command",
        None,
    ]


def test_a_key_in_the_terminal_closes_the_notification(
    dunst: ActionDunst, tmux: Tmux, config_file: Path, data_dir: Path
) -> None:
    config_file.write_text(CONFIG.replace('sit = "1s"', 'sit = "2s"'))
    tmux.start(glutewake_argv("start"), child_env(**dunst.desktop.env))
    tmux.wait_for("break due:")
    wait_until(lambda: dunst.displayed() == 1, what="the break notification")
    tmux.keys("x")
    tmux.wait_for("skipped: ")
    wait_until(lambda: dunst.displayed() == 0, timeout=2, what="the notification to close")
    tmux.keys("C-c")
    wait_until(lambda: breaks(data_dir) and breaks(data_dir)[0].answered_via, what="the log")
    assert breaks(data_dir)[0].answered_via == "terminal"


# --- a server without buttons, and others, on the private bus ---------------------------


class TinyServer(BusServer):
    """org.freedesktop.Notifications with the capabilities and name a test gives it."""

    def __init__(self, address: str, name: str, capabilities: list[str]) -> None:
        super().__init__(address, (NOTIFICATIONS,))
        self.name, self.capabilities = name, capabilities
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._next_id = 7

    def answer(self, message: Any) -> Any:
        from jeepney import new_method_return
        from jeepney.low_level import HeaderFields

        member = message.header.fields.get(HeaderFields.member)
        self.calls.append((member, message.body))
        if member == "GetCapabilities":
            return new_method_return(message, "as", (self.capabilities,))
        if member == "GetServerInformation":
            return new_method_return(message, "ssss", (self.name, "tests", "1.0", "1.2"))
        if member == "Notify":
            notification = message.body[1] or self._next_id
            self._next_id += 1
            return new_method_return(message, "u", (notification,))
        return new_method_return(message)

    def notifies(self) -> list[tuple[Any, ...]]:
        return [body for member, body in self.calls if member == "Notify"]


@pytest.fixture
def bare_bus(desktop: Desktop) -> Desktop:
    """The desktop's bus with nobody serving notifications (its dunst stopped)."""
    os.kill(desktop.pids["dunst"], signal.SIGTERM)  # the fixture's own dunst, by its pid
    wait_until(lambda: not _owned(desktop), what="dunst to go")
    return desktop


EXERCISE = next(e for e in load_bundled() if e.id == "glute-bridge")


def test_a_server_without_actions_gets_the_content_without_buttons(bare_bus: Desktop) -> None:
    with TinyServer(bare_bus.bus_address, "tiny", ["body"]) as server:
        notifier = open_notifier(bare_bus.env, platform="linux")
        assert isinstance(notifier, FreedesktopNotifier)
        assert notifier.capabilities == {"body"}
        assert notifier.show(due_note(EXERCISE, snooze_s=300)) is None
        assert notifier.show(over_note()) is None
        notifier.close()
        assert notifier.answers() == []
        notifier.shutdown()
    first, second = server.notifies()
    app, replaces, _, summary, body, actions, hints, expire = first
    assert (app, replaces, actions, expire) == ("glutewake", 0, [], 0)
    assert summary == f"{EXERCISE.name} · {EXERCISE.dose}"
    assert EXERCISE.cue.split()[0] in body
    assert hints == {}  # no sound without "sound", no critical urgency outside GNOME
    assert second[1] == 7  # replaced in place
    assert second[7] == 15000  # "break over" expires by itself
    assert ("CloseNotification", (7,)) in server.calls


@pytest.mark.parametrize(
    ("name", "capabilities", "expected"),
    [
        ("gnome-shell", ["actions", "body"], {"urgency": ("y", 2)}),
        ("mako", ["actions", "body", "sound"], {"sound-name": ("s", "alarm-clock-elapsed")}),
    ],
)
def test_sticky_on_gnome_is_critical_and_sound_only_where_the_server_has_it(
    bare_bus: Desktop, name: str, capabilities: list[str], expected: dict[str, Any]
) -> None:
    with TinyServer(bare_bus.bus_address, name, capabilities) as server:
        notifier = FreedesktopNotifier(bare_bus.env)
        assert notifier.show(due_note(EXERCISE, snooze_s=None, sound=True)) is None
        notifier.shutdown()
    [notify] = server.notifies()
    assert notify[6] == expected
    labels = notify[5][1::2]
    assert labels == ["Start", "Skip", "Another"]  # no snooze left: no Snooze button


def test_no_daemon_yet_is_a_reason_and_a_later_one_is_used(bare_bus: Desktop) -> None:
    notifier = open_notifier(bare_bus.env, platform="linux")
    assert isinstance(notifier, FreedesktopNotifier)  # the bus answers: ours, for later
    assert not notifier.available
    failure = notifier.show(over_note())
    assert failure is not None and "\n" not in failure
    with TinyServer(bare_bus.bus_address, "late", ["body"]) as server:
        assert notifier.show(over_note()) is None
        assert notifier.available
        notifier.shutdown()
    assert len(server.notifies()) == 1


# --- from any terminal: the card, and a sample ---------------------------------------------


def test_show_prints_the_due_breaks_card_from_another_terminal(
    desktop: Desktop, config_file: Path, tmp_path: Path
) -> None:
    assert run_cli("show").returncode == 3  # no loop
    config_file.write_text(CONFIG)
    with headless_loop(tmp_path, child_env(**desktop.env), wait=False) as (_, out):
        text = wait_for_text(out, "break due: ")
        name = text.split("break due: ")[1].splitlines()[0]
        shown = run_cli("show")
    exercise = next(e for e in load_bundled() if e.name == name)
    assert shown.returncode == 0, shown.stderr
    assert exercise.name in shown.stdout
    assert exercise.cue.split()[0] in shown.stdout
    assert shown.stdout.rstrip().endswith(
        "answer: glutewake done (start it) | glutewake snooze | glutewake skip"
    )


def test_doctor_notify_sends_a_sample_that_says_so_and_goes_by_itself(
    dunst: ActionDunst,
) -> None:
    result = run_cli("doctor", "--notify", **dunst.desktop.env)
    assert "sample notification sent (" in result.stderr, result.stderr
    assert "a real break has buttons here" in result.stderr  # dunst has actions
    assert dunst.displayed() == 1
    # Nobody closes it: it expires (SAMPLE_TIMEOUT_S), not left looking like a real break.
    wait_until(lambda: dunst.displayed() == 0, timeout=SAMPLE_TIMEOUT_S + 10, what="expiry")
    history = json.loads(dunst.desktop.run("dunstctl", "history").stdout)["data"][0]
    assert [n["summary"]["data"].startswith("Sample: ") for n in history] == [True]


def test_the_sample_is_labelled_brief_and_has_no_buttons_nobody_answers() -> None:
    exercise = next(e for e in load_bundled() if e.id == "glute-bridge")
    real = due_note(exercise, snooze_s=300)
    sample = sample_note(exercise, 300)
    assert sample.summary == f"Sample: {real.summary}" and sample.body == real.body
    assert real.actions and sample.actions == ()
    assert sample.timeout_s == SAMPLE_TIMEOUT_S and not sample.sticky


def test_doctor_notify_without_a_bus_says_why_and_fails() -> None:
    result = run_cli("doctor", "--notify")
    assert result.returncode == 1
    assert "sample notification not sent: " in result.stderr
    assert "Traceback" not in result.stderr


def test_a_real_dunst_gets_the_whole_german_cue(
    desktop: Desktop, notifications: Notifications
) -> None:
    from glutewake import i18n

    i18n.set_language("de")  # conftest sets English again after the test
    squat = next(e for e in load_bundled() if e.id == "bodyweight-squat")
    notifier = open_notifier(desktop.env, platform="linux")
    assert notifier.show(due_note(squat, snooze_s=300)) is None
    (shown,) = notifications.wait(1)
    notifier.shutdown()
    step, cue = shown["body"].splitlines()
    assert step == " ".join(squat.steps[0].split())
    assert cue == " ".join(squat.cue.split())
    assert cue.endswith("hochdrückt.")  # was cut at "…das Gesäß dich…"
