"""The loop against a real desktop: dunst notifications and X11 idle time under Xvfb."""

from __future__ import annotations

import html
import json
import time
from pathlib import Path

import pytest

from desktop import Desktop, Notifications
from glutewake.catalog import load_bundled
from glutewake.notify import shorten
from running import breaks, child_env, headless_loop, status_json, wait_for_text

pytestmark = pytest.mark.e2e

BASE = """
[timer]
sit = "{sit}"
break = "1s"
respond_within = "1m"
natural_break = "{natural}"
[notify]
bell = false
[idle]
backend = "{idle}"
"""


def test_break_notification_names_the_exercise(
    desktop: Desktop, notifications: Notifications, config_file: Path, tmp_path: Path
) -> None:
    config_file.write_text(BASE.format(sit="1s", natural="1h", idle="off"))
    with headless_loop(tmp_path, child_env(**desktop.env), wait=False) as (_, out):
        text = wait_for_text(out, "break due: ")
        name = text.split("break due: ")[1].splitlines()[0]
        shown = notifications.wait(1)
    assert "desktop notifications off" not in text
    assert shown[0]["appname"] == "glutewake"
    exercise = next(e for e in load_bundled() if e.name == name)
    # The summary names it and says how much; the body says how (first step and cue).
    assert shown[0]["summary"] == f"{name} · {exercise.dose}"
    assert shown[0]["body"] == html.escape(
        f"{shorten(exercise.steps[0])}\n{shorten(exercise.cue)}", quote=False
    )


def test_custom_exercise_markup_arrives_literally(
    desktop: Desktop, notifications: Notifications, config_file: Path, tmp_path: Path
) -> None:
    others = [e.id for e in load_bundled() if e.category == "glutes" and e.space == "desk"]
    config_file.write_text(
        BASE.format(sit="1s", natural="1h", idle="off")
        + f"""
[exercises]
categories = ["glutes"]
spaces = ["desk"]
exclude = {json.dumps(others)}

[[exercises.custom]]
id = "bold-squeeze"
name = "<b>Bold</b> & co"
category = "glutes"
space = "desk"
reps = 10
level = "easy"
targets = ["gluteus maximus"]
steps = ["Sit tall.", "Squeeze both glutes for two seconds, then relax."]
cue = "Squeeze as if to lift yourself an inch off the seat."
"""
    )
    with headless_loop(tmp_path, child_env(**desktop.env), wait=False) as (_, out):
        wait_for_text(out, "break due: <b>Bold</b> & co")
        shown = notifications.wait(1)
    assert shown[0]["summary"] == "<b>Bold</b> & co · 10 reps"


def test_without_a_session_bus_the_terminal_still_prompts(
    config_file: Path, tmp_path: Path
) -> None:
    config_file.write_text(BASE.format(sit="1s", natural="1h", idle="off"))
    with headless_loop(tmp_path, child_env(), wait=False) as (_, out):
        text = wait_for_text(out, "break due: ")
    notice = next(line for line in text.splitlines() if "desktop notifications off:" in line)
    assert "reminders show here" in notice
    # Which reason depends on what is installed: no bus, or no notify-send to use one.
    assert "no session bus" in notice or "no notification back end" in notice


def test_natural_break_from_x11_idle(
    desktop: Desktop, config_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    config_file.write_text(BASE.format(sit="1h", natural="2s", idle="x11"))
    desktop.run("xdotool", "mousemove", "10", "10")
    with headless_loop(tmp_path, child_env(**desktop.env), wait=False) as (_, out):
        wait_for_text(out, "glutewake: a break every")
        # No input: after natural_break (2 s) the user is away ...
        deadline = time.monotonic() + 8
        while status_json().get("state") != "away":
            assert time.monotonic() < deadline, "never went away"
            time.sleep(0.2)
        time.sleep(2)  # away a while longer than it took to notice
        # ... and input brings them back: the natural break is logged now, with the
        # whole absence (not the 2 s it took to notice) and the moment they came back.
        desktop.run("xdotool", "mousemove", "200", "200")
        wait_for_text(out, "welcome back: that was a natural break", timeout=8)
        natural = [b for b in breaks(data_dir) if b.outcome == "natural"]
        assert len(natural) == 1 and natural[0].away_s is not None and natural[0].away_s >= 4
        assert natural[0].answered_at is not None
        time.sleep(0.2)
        status = status_json()
        assert status["state"] == "seated"
        assert status["seated_s"] <= 3
