"""The loop holds a due break while the user is busy: in-process with injected detectors
and time, then end to end under Xvfb with dunst (a full-screen window, do not disturb)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import pytest

from desktop import Desktop, Notifications, make_window, set_active, set_fullscreen
from glutewake.channel import Channel
from glutewake.config import QuietSettings, Settings
from glutewake.loop import Loop
from glutewake.store import Store
from glutewake.tracker import BusyCheck
from running import (
    child_env,
    glutewake_argv,
    headless_loop,
    status_json,
    wait_for_text,
    wait_until,
)
from scripted import Clock, ScriptedUI, make_loop, settings
from terminal import Tmux


def held_events(store: Store) -> list[tuple[int | None, str | None]]:
    rows = store.rows("SELECT seconds, detail FROM events WHERE kind = 'held' ORDER BY id")
    return [(seconds, detail) for seconds, detail in rows]


def busy_loop(store: Store, ui: ScriptedUI, clock: Clock, busy: BusyCheck, s: Settings) -> Loop:
    return make_loop(store, ui, clock, s, bundled=True, busy=busy)


def test_a_break_waits_for_the_call_and_says_so(tmp_path: Path) -> None:
    clock = Clock()
    busy_until = {"t": 400.0}
    asked: list[float] = []

    def busy(prefer: str | None) -> str | None:
        asked.append(clock.t)
        return "camera" if clock.t < busy_until["t"] else None

    seen: dict[str, object] = {}

    def look() -> None:
        state = Channel(store).read_state()
        assert state is not None
        seen["held"], seen["state"] = state.held, state.state

    ui = ScriptedUI(clock, {250.0: look}, until=700)
    with Store.open(tmp_path / "g.db") as store:
        busy_loop(store, ui, clock, busy, settings()).run()
        events = held_events(store)
    # Asked once for the heads-up (warn_before ahead, 30 s), then only from when it is due.
    warn = settings().notify.warn_before
    assert [t for t in asked if t < 100] == [100 - warn]
    assert seen == {"held": "camera", "state": "seated"}
    text = ui.text
    after = text.split("break due: ", 1)[1]
    assert "waited 5m" in after.splitlines()[1]
    assert "(in a call)" in after.splitlines()[1]
    assert events == [(300, "camera")]
    # While held the loop asks again once a second (it wakes for that), no more often.
    during = [t for t in asked if 100 <= t <= 400]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    assert len(during) == 301 and all(abs(gap - 1.0) < 1e-6 for gap in gaps)


def test_max_hold_from_the_config_prompts_anyway(tmp_path: Path) -> None:
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=400)
    s = settings()._replace(quiet=QuietSettings(max_hold=120))
    with Store.open(tmp_path / "g.db") as store:
        busy_loop(store, ui, clock, lambda prefer: "dnd", s).run()
        events = held_events(store)
    # The first break waits its 2m and is shown (missed at 280); the next one, due at
    # 380, is held afresh until the loop stops.
    assert events == [(120, "dnd (max_hold)"), (20, "dnd")]
    assert "waited 2m (do not disturb)" in ui.text


# --- end to end: a real loop, Xvfb, dunst -------------------------------------------------

CONFIG = """
[timer]
sit = "2s"
respond_within = "1m"
[notify]
bell = false
[idle]
backend = "off"
"""


def wait_held(reason: str, words: str) -> None:
    def held() -> dict[str, Any] | None:
        status = status_json()
        return status if status.get("held") == reason else None

    status = wait_until(held, timeout=10, what="a held break")
    assert status is not None and status["text"] == f"held: {words} · break when it ends"


@pytest.mark.e2e
def test_a_full_screen_window_holds_the_break_until_it_leaves_full_screen(
    desktop: Desktop, notifications: Notifications, config_file: Path, tmp_path: Path
) -> None:
    from helpers import require_programs

    require_programs("xmessage", "xprop", "xwininfo")
    config_file.write_text(CONFIG)
    window, wid = make_window(desktop)
    try:
        set_active(desktop, wid)
        set_fullscreen(desktop, wid)
        with headless_loop(tmp_path, child_env(**desktop.env)) as (_, out):
            wait_held("fullscreen", "full screen")
            time.sleep(1.5)  # held through several checks
            assert "break due" not in out.read_text()
            assert notifications() == []  # nothing reached dunst
            set_fullscreen(desktop, wid, on=False)
            cleared = time.monotonic()
            text = wait_for_text(out, "break due: ", timeout=5)
            shown = notifications.wait(1, timeout=5)
            assert time.monotonic() - cleared < 2.0
            assert "(full screen)" in text.split("break due: ", 1)[1]
            assert "waited " in shown[0]["body"] and "(full screen)" in shown[0]["body"]
            assert status_json()["state"] == "due"
    finally:
        window.kill()
        window.wait()


@pytest.mark.e2e
def test_do_not_disturb_on_dunst_holds_the_break_the_same_way(
    desktop: Desktop, notifications: Notifications, config_file: Path, tmp_path: Path
) -> None:
    config_file.write_text(CONFIG)
    desktop.run("dunstctl", "set-paused", "true")
    with headless_loop(tmp_path, child_env(**desktop.env)) as (_, out):
        wait_held("dnd", "do not disturb")
        time.sleep(1.5)
        assert "break due" not in out.read_text()
        assert desktop.run("dunstctl", "count", "waiting").stdout.strip() == "0"
        desktop.run("dunstctl", "set-paused", "false")
        cleared = time.monotonic()
        text = wait_for_text(out, "break due: ", timeout=5)
        notifications.wait(1, timeout=5)
        assert time.monotonic() - cleared < 2.0
        assert "(do not disturb)" in text.split("break due: ", 1)[1]


@pytest.mark.e2e
def test_the_terminal_status_line_says_why_and_shows_no_card_while_held(
    desktop: Desktop, tmux: Tmux, config_file: Path
) -> None:
    config_file.write_text(CONFIG)
    desktop.run("dunstctl", "set-paused", "true")
    tmux.start(glutewake_argv("start"), child_env(**desktop.env))
    tmux.wait_for("held: do not disturb · break when it ends", timeout=15)
    time.sleep(1.5)
    screen = tmux.screen()
    assert "break due" not in screen and "[Enter] start" not in screen
    desktop.run("dunstctl", "set-paused", "false")
    screen = tmux.wait_for("[Enter] start", timeout=5)
    assert "(do not disturb)" in screen.split("break due: ", 1)[1]


def test_a_real_process_holding_a_camera_device_holds_the_break(tmp_path: Path) -> None:
    import subprocess
    import sys

    from glutewake.busy import CameraDetector, Watch

    device = tmp_path / "dev" / "video0"
    device.parent.mkdir()
    device.write_bytes(b"")
    script = "import sys; f = open(sys.argv[1]); print('open', flush=True); sys.stdin.read()"
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(device)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "open\n"
    watch = Watch([CameraDetector(devices=str(tmp_path / "dev" / "video"))])
    clock = Clock()
    ui = ScriptedUI(clock, {300.0: lambda: holder.communicate("")}, until=400)
    try:
        with Store.open(tmp_path / "g.db") as store:
            busy_loop(store, ui, clock, watch, settings()).run()
            events = held_events(store)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    # Held from 100 s (due) until the first question after the process let go at 300 s.
    assert [detail for _, detail in events] == ["camera"]
    assert events[0][0] is not None and 200 <= events[0][0] <= 201
    assert "(in a call)" in ui.text.split("break due: ", 1)[1]
