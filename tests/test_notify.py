"""notify.py's plyer back end against a real dunst on a private bus, and without one."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from desktop import stop_processes, wait_for_name
from glutewake.notify import NOTIFICATIONS, NotifyProbe, PlyerNotifier, _escape, probe
from helpers import require_programs

BOLD = "<b>Bold</b> & co"


def rendered(note: dict) -> str:
    """The text dunst draws: its Pango markup ("message") without the tags."""
    return "".join(ET.fromstring(f"<m>{note['message']}</m>").itertext())


@pytest.fixture
def notify_env(desktop):
    """What the loop's environment looks like on a desktop: PATH plus the session."""

    require_programs("notify-send")
    return {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], **desktop.env}


@pytest.mark.e2e
def test_send_reaches_dunst_with_the_exact_text(notify_env, notifications):
    notifier = PlyerNotifier(notify_env)
    assert (notifier.available, notifier.backend) == (True, "notify-send")
    assert notifier.send("Time to stand up", "Glute bridge · 2m") is None
    [note] = notifications.wait(1)
    assert (note["appname"], note["summary"], note["body"]) == (
        "glutewake",
        "Time to stand up",
        "Glute bridge · 2m",
    )
    assert rendered(note) == "Time to stand up\nGlute bridge · 2m"


@pytest.mark.e2e
def test_markup_in_a_custom_exercise_arrives_literally(notify_env, notifications):
    assert PlyerNotifier(notify_env).send(BOLD, f"{BOLD} · 30s") is None
    [note] = notifications.wait(1)
    assert rendered(note) == f"{BOLD}\n{BOLD} · 30s"


@pytest.mark.e2e
def test_text_starting_with_a_dash_is_not_taken_for_an_option(notify_env, notifications):
    assert PlyerNotifier(notify_env).send("-t sit less", "-- hip flexor stretch") is None
    [note] = notifications.wait(1)
    assert rendered(note).replace("\u2060", "") == "-t sit less\n-- hip flexor stretch"


@pytest.mark.e2e
def test_the_child_sees_the_notifier_env_and_os_environ_is_left_alone(notify_env, notifications):
    before = dict(os.environ)
    assert "DBUS_SESSION_BUS_ADDRESS" not in before
    assert PlyerNotifier(notify_env).send("Break", "Walk") is None
    assert dict(os.environ) == before
    assert len(notifications.wait(1)) == 1


@pytest.mark.e2e
def test_stays_usable_after_the_daemon_dies_and_comes_back(desktop, notify_env, notifications):
    notifier = PlyerNotifier(notify_env)
    os.kill(desktop.pids["dunst"], 15)
    wait_gone(notify_env)
    reason = notifier.send("Break", "gone")
    assert reason == f"no notification daemon on the session bus (nothing owns {NOTIFICATIONS})"
    assert notifier.available  # still worth trying at the next break
    with another_dunst(desktop):
        assert notifier.send("Break", "back") is None
        assert [n["body"] for n in notifications.wait(1)] == ["back"]


@pytest.mark.e2e
def test_a_daemon_that_starts_later_is_used(desktop, notify_env, notifications):
    os.kill(desktop.pids["dunst"], 15)
    wait_gone(notify_env)
    notifier = PlyerNotifier(notify_env)
    assert not notifier.available
    with another_dunst(desktop):
        assert notifier.send("Break", "late") is None
        assert (notifier.available, notifier.reason) == (
            True,
            f"notify-send to {NOTIFICATIONS}",
        )


@pytest.mark.e2e
def test_a_failing_back_end_is_a_reason_not_an_exception(desktop, tmp_path):
    broken = tmp_path / "bin" / "notify-send"
    broken.parent.mkdir()
    broken.write_text("#!/nonexistent/interpreter\n", encoding="utf-8")
    broken.chmod(0o755)
    notifier = PlyerNotifier({"PATH": str(broken.parent), **desktop.env})
    assert notifier.available
    reason = notifier.send("Break", "Walk")
    assert reason is not None
    assert reason.startswith("notify-send: FileNotFoundError: ")
    assert "\n" not in reason


@contextmanager
def another_dunst(desktop) -> Iterator[None]:
    """A new notification daemon on the desktop's bus, for the block."""
    dunst = subprocess.Popen(
        ["dunst", "-config", "/dev/null"],
        env=desktop.environ(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_name(desktop.bus_address, NOTIFICATIONS, process=dunst)
        yield
    finally:
        stop_processes([dunst])


def wait_gone(env):
    import time

    deadline = time.monotonic() + 5
    while probe(env).ok:
        assert time.monotonic() < deadline, "dunst did not go away"
        time.sleep(0.02)


def test_no_session_bus_says_why_and_send_does_not_raise(monkeypatch):
    require_programs("notify-send")  # the reason is the notify-send path's
    env = {"PATH": os.environ["PATH"], "XDG_RUNTIME_DIR": os.environ["XDG_RUNTIME_DIR"]}
    found = probe(env, "linux")
    assert found == NotifyProbe(
        False, "notify-send", "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    )
    notifier = PlyerNotifier(env, platform="linux")
    assert not notifier.available
    assert notifier.reason == found.reason
    assert notifier.send("Break", "Walk") == found.reason
    assert notifier.send("Break", "Walk") == found.reason  # and again: still no exception


def test_a_dead_bus_address_is_a_reason_not_an_exception(tmp_path):
    require_programs("notify-send")  # the reason is the notify-send path's
    env = {"PATH": os.environ["PATH"], "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/gone"}
    found = probe(env, "linux")
    assert not found.ok
    assert found.reason.startswith(f"cannot connect to the session bus unix:path={tmp_path}/gone")
    assert PlyerNotifier(env).send("Break", "Walk") == found.reason


def test_the_runtime_dir_bus_is_used_when_the_address_is_unset(desktop, tmp_path):
    # libdbus and GLib fall back to $XDG_RUNTIME_DIR/bus; so does the probe.
    runtime = tmp_path / "rt"
    runtime.mkdir()
    os.symlink(desktop.bus_address.split("path=")[1].split(",")[0], runtime / "bus")

    require_programs("notify-send")
    found = probe({"PATH": os.environ["PATH"], "XDG_RUNTIME_DIR": str(runtime)}, "linux")
    assert found.ok, found.reason


def test_no_notify_send_on_path():
    found = probe({"PATH": "/nonexistent", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}, "linux")
    assert found == NotifyProbe(
        False,
        "none",
        "no notification back end: install notify-send (libnotify-bin) or dbus-python",
    )


@pytest.mark.e2e
def test_a_bus_without_a_notification_daemon(desktop, notify_env):
    os.kill(desktop.pids["dunst"], 15)
    wait_gone(notify_env)
    found = probe(notify_env, "linux")
    assert found == NotifyProbe(
        False,
        "notify-send",
        f"no notification daemon on the session bus (nothing owns {NOTIFICATIONS})",
    )


def test_disabled_never_sends():
    notifier = PlyerNotifier({}, enabled=False)
    assert not notifier.available
    assert notifier.reason == "disabled ([notify] desktop = false, or --no-desktop)"
    assert notifier.send("Break", "Walk") == notifier.reason


def test_other_platforms_mirror_plyer():
    assert probe({}, "win32") == NotifyProbe(True, "windows", "Windows balloon tip")
    assert probe({}, "freebsd13") == NotifyProbe(
        False, "none", "plyer has no notification back end for freebsd13"
    )
    mac = probe({}, "darwin")
    assert mac.backend == "macos"
    assert mac.ok == (__import__("importlib").util.find_spec("pyobjus") is not None)


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("notify-send", (BOLD, "&lt;b&gt;Bold&lt;/b&gt; &amp; co")),
        ("dbus-python", (BOLD, "&lt;b&gt;Bold&lt;/b&gt; &amp; co")),
        ("flatpak-portal", (BOLD, BOLD)),
        ("windows", (BOLD, BOLD)),
        ("macos", (BOLD, BOLD)),
    ],
)
def test_escaping_follows_the_back_end(backend, expected):
    assert _escape(BOLD, BOLD, NotifyProbe(True, backend, "")) == expected


def test_portal_text_is_a_valid_gvariant_string():
    title, body = _escape("it's", "a\\b", NotifyProbe(True, "flatpak-portal", ""))
    assert (title, body) == ("it\\'s", "a\\\\b")


# --- a long first step is cut between clauses, never inside one; the cue is whole ---


def _catalog_lines(language: str) -> list[str]:
    from glutewake import i18n
    from glutewake.catalog import load_bundled

    i18n.set_language(language)  # conftest sets English again after the test
    return [e.steps[0] for e in load_bundled()]


@pytest.mark.parametrize("language", ["en", "de"])
def test_notification_lines_of_the_real_catalog_end_between_clauses(language: str) -> None:
    from glutewake.notify import LINE_MAX, shorten

    cut = 0
    for line in _catalog_lines(language):
        whole, shown = " ".join(line.split()), shorten(line)
        assert len(shown) <= LINE_MAX, shown
        if shown == whole:
            continue
        cut += 1
        kept = shown.removesuffix("…")
        assert shown.endswith("…") and whole.startswith(kept), shown
        # The text after what is kept starts with a sentence or clause mark and a space.
        rest = whole[len(kept) :]
        assert rest[0] in ".!?;:,", shown
        assert rest[1] == " ", shown
    assert cut or language == "en"  # some German first steps are over LINE_MAX


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_cue_is_given_whole(language: str) -> None:
    """The cue makes the glutes do the work: "…und das Gesäß dich…" lost its verb, and
    a cut after a clause loses the half that says what to do about it."""
    from glutewake.catalog import load_bundled
    from glutewake.notify import due_note

    _catalog_lines(language)  # the catalog of that language
    for exercise in load_bundled():
        body = due_note(exercise, snooze_s=300).body.splitlines()
        assert body[-1] == " ".join(exercise.cue.split()), exercise.id


def test_shorten_prefers_a_sentence_end_and_never_cuts_inside_a_clause() -> None:
    from glutewake.notify import shorten

    cue = (
        "Drive up through the front heel; if you feel it mostly in your thigh, lean your "
        "chest a little further forward."
    )
    assert shorten(cue) == "Drive up through the front heel…"  # not "…in your thigh…"
    assert shorten("Halte z. B. das Becken gerade, " + "x " * 60) == (
        "Halte z. B. das Becken gerade…"  # "z." and "B." end no sentence
    )
    one_clause = "Push " + "the floor away " * 10 + "until you stand."
    assert shorten(one_clause) == one_clause  # whole rather than cut inside it
