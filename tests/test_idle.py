"""idle.py: X11 against Xvfb, GNOME and KDE against small services on a private bus."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from desktop import FakeDBusService
from glutewake.idle import IdleProbe, X11Reader, candidates, open_reader, probe_all
from helpers import require_programs

GNOME = (
    "org.gnome.Mutter.IdleMonitor",
    ("/org/gnome/Mutter/IdleMonitor/Core",),
    "org.gnome.Mutter.IdleMonitor",
    "GetIdletime",
    "t",
)
KDE = ("org.freedesktop.ScreenSaver",)
KDE_METHOD = ("org.freedesktop.ScreenSaver", "GetSessionIdleTime", "u")


def gnome_service(desktop, value=lambda: 7500):
    return FakeDBusService(desktop.bus_address, *GNOME, value)


def kde_service(desktop, path="/org/freedesktop/ScreenSaver", value=lambda: 61000):
    return FakeDBusService(desktop.bus_address, *KDE, (path,), *KDE_METHOD, value)


def xprintidle(desktop) -> float:
    return int(desktop.run("xprintidle").stdout) / 1000


@pytest.fixture
def x11_tools(desktop):
    from helpers import require_programs

    require_programs("xdotool", "xprintidle")
    return desktop


# --- X11 ---


@pytest.mark.e2e
def test_x11_reads_the_xvfb_idle_time_and_input_resets_it(x11_tools):
    desktop = x11_tools
    reader = open_reader("x11", desktop.env)
    assert reader is not None and reader.name == "x11"
    try:
        time.sleep(0.6)
        before, reference = reader.seconds(), xprintidle(desktop)
        assert before is not None and before >= 0.5
        assert abs(before - reference) < 0.3
        desktop.run("xdotool", "key", "shift")
        after_key = reader.seconds()
        assert after_key is not None and after_key < 0.3 < before
        assert abs(after_key - xprintidle(desktop)) < 0.3
        time.sleep(0.5)
        desktop.run("xdotool", "mousemove", "200", "300")
        after_mouse = reader.seconds()
        assert after_mouse is not None and after_mouse < 0.3
    finally:
        reader.close()


@pytest.mark.e2e
def test_x11_keeps_one_display_connection_and_polls_cheaply(desktop):
    reader = open_reader("x11", desktop.env)
    assert isinstance(reader, X11Reader)
    try:
        display = reader._display
        start = time.perf_counter()
        values = [reader.seconds() for _ in range(500)]
        elapsed = time.perf_counter() - start
        assert reader._display == display
        assert all(v is not None for v in values)
        assert elapsed < 0.5  # a few microseconds a poll in practice
    finally:
        reader.close()


@pytest.mark.e2e
def test_a_lost_x_server_gives_none_and_does_not_end_the_process(desktop):
    reader = open_reader("x11", desktop.env)
    assert reader is not None
    os.kill(desktop.pids["xvfb"], 9)
    time.sleep(0.2)
    assert reader.seconds() is None
    assert reader.seconds() is None
    reader.close()


def _start_xvfb_on(display: str) -> subprocess.Popen[bytes]:
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-displayfd", str(write_end), "-noreset", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as ready:
        assert ready.readline().strip() == display.lstrip(":"), f"Xvfb could not take {display}"
    return xvfb


def _high_free_display() -> str:
    # Far above the numbers other tests' Xvfbs take (-displayfd picks the lowest free
    # one): a display killed here is not taken by a parallel test before it comes back.
    for number in range(700, 800):
        if not any(
            os.path.exists(p) for p in (f"/tmp/.X{number}-lock", f"/tmp/.X11-unix/X{number}")
        ):
            return f":{number}"
    raise AssertionError("no free X display number in :700-:799")


@pytest.mark.e2e
def test_a_restarted_x_server_is_read_again(monkeypatch):
    from glutewake import idle

    require_programs("Xvfb")
    monkeypatch.setattr(idle, "RECONNECT_EVERY", 0.2)
    display = _high_free_display()
    first = _start_xvfb_on(display)
    reader = open_reader("x11", {"DISPLAY": display})
    assert reader is not None
    first.kill()
    first.wait()
    time.sleep(0.2)
    assert reader.seconds() is None
    # The same display comes back (a restarted server, a new login).
    xvfb = _start_xvfb_on(display)
    try:
        deadline = time.monotonic() + 5
        while (seconds := reader.seconds()) is None:
            assert time.monotonic() < deadline, "never read the restarted display"
            time.sleep(0.1)
        assert seconds >= 0
    finally:
        reader.close()
        xvfb.kill()
        xvfb.wait()


def test_x11_without_a_display():
    assert open_reader("x11", {}) is None
    assert probe_all("x11", {}) == [IdleProbe(False, "x11", "DISPLAY is not set (no X11 session)")]
    [unreachable] = probe_all("x11", {"DISPLAY": ":987"})
    assert unreachable == IdleProbe(False, "x11", "cannot open X display :987")


@pytest.mark.e2e
def test_auto_skips_x11_in_a_wayland_session_but_x11_can_be_forced(desktop):
    env = {**desktop.env, "WAYLAND_DISPLAY": "wayland-0"}
    assert open_reader("auto", env) is None
    x11 = probe_all("auto", env)[-1]
    assert x11.backend == "x11" and not x11.ok
    assert x11.reason.startswith("Wayland session: X11 sees only input to X11 windows")
    reader = open_reader("x11", env)
    assert reader is not None
    reader.close()


# --- D-Bus: GNOME and KDE ---


@pytest.mark.e2e
def test_gnome_idle_monitor_in_milliseconds(desktop):
    idle_ms = [7500]
    with gnome_service(desktop, lambda: idle_ms[0]) as service:
        reader = open_reader("gnome", desktop.env)
        assert reader is not None and reader.name == "gnome"
        try:
            assert reader.seconds() == 7.5
            idle_ms[0] = 120
            assert reader.seconds() == 0.12
            assert service.calls == 3  # the opening read, then one call a poll
        finally:
            reader.close()


@pytest.mark.e2e
def test_dbus_reader_keeps_one_bus_connection(desktop):
    with gnome_service(desktop):
        reader = open_reader("gnome", desktop.env)
        assert reader is not None
        try:
            names_before = bus_names(desktop)
            for _ in range(20):
                assert reader.seconds() == 7.5
            assert bus_names(desktop) == names_before
        finally:
            reader.close()


@pytest.mark.e2e
@pytest.mark.parametrize("path", ["/org/freedesktop/ScreenSaver", "/ScreenSaver"])
def test_kde_screensaver_on_either_path(desktop, path):
    with kde_service(desktop, path):
        reader = open_reader("kde", desktop.env)
        assert reader is not None and reader.name == "kde"
        try:
            assert reader.seconds() == 61.0
        finally:
            reader.close()


@pytest.mark.e2e
def test_auto_prefers_gnome_then_kde_then_x11(desktop):
    with kde_service(desktop), gnome_service(desktop):
        assert name_of(open_reader("auto", desktop.env)) == "gnome"
    with kde_service(desktop):
        assert name_of(open_reader("auto", desktop.env)) == "kde"
    assert name_of(open_reader("auto", desktop.env)) == "x11"


@pytest.mark.e2e
def test_probe_all_says_why_each_back_end_did_or_did_not_answer(desktop):
    with kde_service(desktop, "/elsewhere"):
        gnome, kde, x11 = probe_all("auto", desktop.env, "linux")
    assert gnome == IdleProbe(
        False, "gnome", "nothing owns org.gnome.Mutter.IdleMonitor on the session bus"
    )
    assert kde.backend == "kde" and not kde.ok and kde.seconds is None
    assert kde.reason.startswith(
        "org.freedesktop.ScreenSaver GetSessionIdleTime failed: "
        "org.freedesktop.DBus.Error.UnknownMethod"
    )
    assert x11.ok and x11.reason == f"XScreenSaverQueryInfo on display {desktop.display}"
    assert x11.seconds is not None and x11.seconds >= 0


@pytest.mark.e2e
def test_a_service_that_leaves_gives_none_then_answers_again(desktop):
    with gnome_service(desktop):
        reader = open_reader("gnome", desktop.env)
    assert reader is not None
    try:
        assert reader.seconds() is None  # not a made-up 0
        with gnome_service(desktop, lambda: 3000):
            assert reader.seconds() == 3.0
    finally:
        reader.close()


@pytest.mark.e2e
def test_a_lost_session_bus_gives_none(desktop):
    with gnome_service(desktop):
        reader = open_reader("gnome", desktop.env)
        assert reader is not None
        os.kill(desktop.pids["dbus"], 9)
        time.sleep(0.1)
        try:
            assert reader.seconds() is None
            assert reader.seconds() is None  # and no reconnect storm: it waits to retry
        finally:
            reader.close()


@pytest.mark.e2e
def test_a_garbled_reply_is_unknown_not_zero(desktop):
    with FakeDBusService(desktop.bus_address, *GNOME[:4], "s", lambda: "soon"):
        [gnome] = probe_all("gnome", desktop.env)
    assert not gnome.ok
    assert gnome.reason == (
        "org.gnome.Mutter.IdleMonitor GetIdletime gave an unexpected reply ('soon',)"
    )


def test_dbus_without_a_session_bus():
    assert open_reader("gnome", {}) is None
    assert probe_all("kde", {}) == [
        IdleProbe(False, "kde", "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    ]


# --- choosing ---


def test_off_means_no_reader_and_nothing_to_probe():
    assert candidates("off") == ()
    assert open_reader("off", {"DISPLAY": ":0"}) is None
    assert probe_all("off", {"DISPLAY": ":0"}) == []


def test_candidates_per_platform():
    assert candidates("auto", "linux") == ("gnome", "kde", "x11")
    assert candidates("auto", "freebsd14") == ("gnome", "kde", "x11")
    assert candidates("auto", "darwin") == ("macos",)
    assert candidates("auto", "win32") == ("windows",)
    assert candidates("kde", "darwin") == ("kde",)


def test_nothing_answers_on_a_bare_machine():
    assert open_reader("auto", {}, "linux") is None
    assert [(p.backend, p.ok) for p in probe_all("auto", {}, "linux")] == [
        ("gnome", False),
        ("kde", False),
        ("x11", False),
    ]


@pytest.mark.skipif(os.name == "nt", reason="checks the non-Windows answer")
def test_windows_back_end_elsewhere_says_why():
    assert probe_all("auto", {}, "win32") == [
        IdleProbe(False, "windows", "GetLastInputInfo needs Windows")
    ]


@pytest.mark.skipif(os.uname().sysname == "Darwin", reason="checks the non-macOS answer")
def test_macos_back_end_elsewhere_says_why():
    assert probe_all("auto", {}, "darwin") == [
        IdleProbe(False, "macos", "ApplicationServices (CoreGraphics) is not available")
    ]


def name_of(reader) -> str | None:
    if reader is None:
        return None
    reader.close()
    return reader.name


def bus_names(desktop) -> list[str]:
    from jeepney import DBus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(desktop.bus_address) as connection:
        names = connection.send_and_get_reply(DBus().ListNames(), timeout=1).body[0]
        mine = connection.unique_name
    return sorted(n for n in names if n != mine)
