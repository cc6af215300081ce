"""busy.py: each detector against the real thing where this machine has it (Xvfb, dunst,
a private bus, /proc, a process holding a file open), else a tree or service of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import (
    BusServer,
    Desktop,
    _start_bus,
    make_window,
    set_active,
    set_fullscreen,
    stop_processes,
)
from glutewake.busy import (
    CameraDetector,
    DndDetector,
    Finding,
    FullscreenDetector,
    MacFocusDetector,
    MicrophoneDetector,
    Watch,
    make_detector,
    open_watch,
)
from glutewake.status import held_for

# --- camera --------------------------------------------------------------------------


def proc_tree(root: Path, processes: dict[int, dict[int, str]]) -> Path:
    """A /proc of our own: {pid: {fd: link target}}, each with a comm file."""
    proc = root / "proc"
    (proc / "self").mkdir(parents=True, exist_ok=True)  # not a pid: ignored
    for pid, fds in processes.items():
        (proc / str(pid) / "fd").mkdir(parents=True)
        (proc / str(pid) / "comm").write_text(f"app{pid}\n")
        for fd, target in fds.items():
            os.symlink(target, proc / str(pid) / "fd" / str(fd))
    return proc


def test_camera_busy_when_a_process_holds_a_video_device(tmp_path):
    proc = proc_tree(tmp_path, {100: {0: "/dev/null", 1: "/dev/pts/3"}, 200: {7: "/dev/video2"}})
    finding = CameraDetector(proc).check()
    assert finding.answer == "busy"
    assert finding.reason == "/dev/video2 open by app200 (pid 200)"


@pytest.mark.parametrize("target", ["/dev/videox", "/dev/video", "/dev/video0-old", "/tmp/video0"])
def test_camera_free_for_files_that_are_not_video_devices(tmp_path, target):
    proc = proc_tree(tmp_path, {100: {3: target}, 101: {}})
    assert CameraDetector(proc).check() == Finding("camera", "free", "no process has a camera open")


def test_camera_ignores_pipewire_holding_devices_to_list_them(tmp_path):
    proc = proc_tree(tmp_path, {10: {3: "/dev/video0"}, 11: {4: "/dev/video1"}})
    (proc / "10" / "comm").write_text("pipewire\n")
    (proc / "11" / "comm").write_text("wireplumber\n")
    assert CameraDetector(proc).check().answer == "free"
    (proc / "12" / "fd").mkdir(parents=True)
    (proc / "12" / "comm").write_text("zoom\n")
    os.symlink("/dev/video0", proc / "12" / "fd" / "30")
    assert CameraDetector(proc).check().reason == "/dev/video0 open by zoom (pid 12)"


def test_camera_only_counts_the_users_own_processes(tmp_path):
    proc = proc_tree(tmp_path, {300: {4: "/dev/video0"}})
    assert CameraDetector(proc, uid=os.getuid()).check().answer == "busy"
    assert CameraDetector(proc, uid=os.getuid() + 1).check().answer == "free"


def test_camera_asks_the_last_holder_first_and_notices_it_let_go(tmp_path):
    proc = proc_tree(tmp_path, {100: {}, 200: {5: "/dev/video0"}})
    detector = CameraDetector(proc)
    assert detector.check().answer == "busy"
    (proc / "200" / "fd" / "5").unlink()
    assert detector.check().answer == "free"
    os.symlink("/dev/video1", proc / "100" / "fd" / "9")
    assert "pid 100" in detector.check().reason


def test_camera_without_proc_is_unknown(tmp_path):
    finding = CameraDetector(tmp_path / "nowhere").check()
    assert finding.answer == "unknown" and "nowhere is not available" in finding.reason


def test_camera_sees_a_real_process_holding_a_device_file_open(tmp_path):
    device = tmp_path / "dev" / "video0"
    device.parent.mkdir()
    device.write_bytes(b"")
    detector = CameraDetector(Path("/proc"), devices=str(tmp_path / "dev" / "video"))
    assert detector.check().answer == "free"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; f = open(sys.argv[1]); print('open', flush=True); "
         "sys.stdin.read()", str(device)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        finding = detector.check()
        assert finding.answer == "busy"
        assert f"(pid {holder.pid})" in finding.reason and str(device) in finding.reason
    finally:
        holder.communicate("")
    assert detector.check().answer == "free"


# --- microphone ----------------------------------------------------------------------


def fake_program(folder: Path, name: str, script: str) -> Path:
    folder.mkdir(exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(0o755)
    return folder


SOURCES = (
    "0\talsa_output.pci.analog-stereo.monitor\tmodule-alsa-card.c\ts16le 2ch 44100Hz\t{monitor}\n"
    "1\talsa_input.pci.analog-stereo\tmodule-alsa-card.c\ts16le 2ch 44100Hz\t{mic}\n"
)


def pactl_env(tmp_path: Path, monitor: str, mic: str) -> dict[str, str]:
    listing = tmp_path / "sources.txt"
    listing.write_text(SOURCES.format(monitor=monitor, mic=mic))
    script = f'[ "$*" = "list sources short" ] && exec /bin/cat {listing}; exit 3'
    return {"PATH": str(fake_program(tmp_path / "bin", "pactl", script))}


def test_microphone_busy_when_a_capture_source_runs(tmp_path):
    env = pactl_env(tmp_path, monitor="SUSPENDED", mic="RUNNING")
    finding = MicrophoneDetector(env, proc=tmp_path / "proc").check()
    assert finding == Finding(
        "microphone", "busy", "alsa_input.pci.analog-stereo is recording (pactl)"
    )


@pytest.mark.parametrize(("monitor", "mic"), [("RUNNING", "IDLE"), ("IDLE", "SUSPENDED")])
def test_microphone_free_when_only_a_monitor_or_nothing_records(tmp_path, monitor, mic):
    env = pactl_env(tmp_path, monitor=monitor, mic=mic)
    assert MicrophoneDetector(env, proc=tmp_path / "proc").check().answer == "free"


def asound(proc: Path, state: str) -> None:
    status = proc / "asound" / "card0" / "pcm0c" / "sub0" / "status"
    status.parent.mkdir(parents=True, exist_ok=True)
    status.write_text(f"state: {state}\nowner_pid   : 42\n" if state else "closed\n")


def test_microphone_falls_back_to_alsa_when_pactl_fails(tmp_path):
    env = {
        "PATH": str(
            fake_program(tmp_path / "bin", "pactl", "echo 'Connection refused' >&2; exit 1")
        )
    }
    proc = tmp_path / "proc"
    detector = MicrophoneDetector(env, proc=proc)
    unknown = detector.check()
    assert unknown.answer == "unknown"
    assert unknown.reason == "pactl failed: Connection refused; no ALSA capture device"
    asound(proc, "RUNNING")
    assert detector.check() == Finding(
        "microphone", "busy", "ALSA capture card0/pcm0c/sub0 is running"
    )
    asound(proc, "")
    assert detector.check().answer == "free"


def test_microphone_without_pactl_or_alsa_is_unknown(tmp_path):
    finding = MicrophoneDetector({"PATH": str(tmp_path)}, proc=tmp_path).check()
    assert finding == Finding("microphone", "unknown", "pactl not found; no ALSA capture device")


# --- do not disturb ------------------------------------------------------------------


@pytest.mark.e2e
def test_dnd_follows_dunst_paused(desktop: Desktop):
    detector = DndDetector(desktop.environ())
    try:
        assert detector.check() == Finding("dnd", "free", "dunst: do not disturb is off (paused)")
        desktop.run("dunstctl", "set-paused", "true")
        assert detector.check() == Finding("dnd", "busy", "dunst: do not disturb is on (paused)")
        desktop.run("dunstctl", "set-paused", "false")
        assert detector.check().answer == "free"
    finally:
        detector.close()


def test_dnd_without_a_session_bus_is_unknown():
    finding = DndDetector({}).check()
    assert finding.answer == "unknown" and "no session bus" in finding.reason


class FakeServer(BusServer):
    """A notification server of our own on a private bus: GetServerInformation names it;
    `properties` answer org.freedesktop.DBus.Properties.Get; `methods` any other call."""

    def __init__(
        self,
        address: str,
        server: str,
        properties: dict[tuple[str, str], Callable[[], tuple[str, Any]]],
        methods: dict[str, Callable[[tuple[Any, ...]], tuple[str, tuple[Any, ...]]]] | None = None,
        names: tuple[str, ...] = ("org.freedesktop.Notifications",),
    ) -> None:
        super().__init__(address, names)
        self.server, self.properties = server, properties
        self.methods = methods or {}

    def answer(self, message: Any) -> Any:
        from jeepney import new_error, new_method_return
        from jeepney.low_level import HeaderFields

        member = message.header.fields.get(HeaderFields.member)
        if member == "GetServerInformation":
            return new_method_return(message, "ssss", (self.server, "test", "1", "1.2"))
        if member == "Get" and tuple(message.body) in self.properties:
            return new_method_return(message, "v", (self.properties[tuple(message.body)](),))
        if member in self.methods:
            return new_method_return(message, *self.methods[member](tuple(message.body)))
        return new_error(message, "org.freedesktop.DBus.Error.UnknownProperty", "s", ("no",))


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[str]:
    from helpers import require_programs

    require_programs("dbus-daemon")
    process, address = _start_bus(tmp_path, "")
    try:
        yield address
    finally:
        stop_processes([process])


def test_dnd_reads_kde_inhibited(bus):
    state = {"on": True}
    inhibited = {("org.freedesktop.Notifications", "Inhibited"): lambda: ("b", state["on"])}
    with FakeServer(bus, "Plasma", inhibited):
        detector = DndDetector({"DBUS_SESSION_BUS_ADDRESS": bus})
        assert detector.check() == Finding(
            "dnd", "busy", "Plasma: do not disturb is on (Inhibited)"
        )
        state["on"] = False
        assert detector.check().answer == "free"
        detector.close()


def test_dnd_unknown_for_a_server_without_a_switch(bus):
    with FakeServer(bus, "mako", {}):
        finding = DndDetector({"DBUS_SESSION_BUS_ADDRESS": bus}).check()
    assert finding == Finding("dnd", "unknown", "mako has no do-not-disturb glutewake can read")


def test_dnd_reads_xfconf(bus):
    state = {"on": True}

    def get_property(body: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
        assert body == ("xfce4-notifyd", "/do-not-disturb")
        return "v", (("b", state["on"]),)

    names = ("org.freedesktop.Notifications", "org.xfce.Xfconf")
    with FakeServer(bus, "Xfce Notify Daemon", {}, {"GetProperty": get_property}, names):
        detector = DndDetector({"DBUS_SESSION_BUS_ADDRESS": bus})
        assert detector.check().answer == "busy"
        state["on"] = False
        assert detector.check().reason == (
            "Xfce Notify Daemon: do not disturb is off (/do-not-disturb)"
        )
        detector.close()


@pytest.mark.parametrize(("banners", "answer"), [("true", "free"), ("false", "busy")])
def test_dnd_reads_gnome_show_banners_through_gsettings(bus, tmp_path, banners, answer):
    script = f'[ "$*" = "get org.gnome.desktop.notifications show-banners" ] && echo {banners}'
    path = fake_program(tmp_path / "bin", "gsettings", script)
    with FakeServer(bus, "gnome-shell", {}):
        env = {"DBUS_SESSION_BUS_ADDRESS": bus, "PATH": str(path)}
        finding = DndDetector(env).check()
    assert finding.answer == answer and "show-banners" in finding.reason


def test_dnd_with_nothing_owning_notifications(bus):
    finding = DndDetector({"DBUS_SESSION_BUS_ADDRESS": bus}).check()
    assert finding.answer == "unknown"
    assert "nothing owns org.freedesktop.Notifications" in finding.reason


# --- full screen -----------------------------------------------------------------------


@pytest.fixture
def x_window(desktop: Desktop) -> Iterator[tuple[Desktop, int]]:
    from helpers import require_programs

    require_programs("xmessage", "xprop", "xwininfo")
    process, window = make_window(desktop)
    try:
        yield desktop, window
    finally:
        process.kill()
        process.wait()


@pytest.mark.e2e
def test_fullscreen_follows_the_active_windows_state(x_window):
    desktop, window = x_window
    detector = FullscreenDetector(desktop.environ())
    try:
        first = detector.check()
        assert first.answer == "unknown" and "does not say which window is active" in first.reason
        set_active(desktop, window)
        assert detector.check() == Finding(
            "fullscreen", "free", "the active window is not full screen"
        )
        set_fullscreen(desktop, window)
        assert detector.check() == Finding(
            "fullscreen", "busy", f"the active window {window:#x} is full screen"
        )
        set_fullscreen(desktop, window, on=False)
        assert detector.check().answer == "free"
        set_fullscreen(desktop, window)
        set_active(desktop, 0)
        assert detector.check() == Finding("fullscreen", "free", "no active window")
    finally:
        detector.close()


@pytest.mark.e2e
def test_fullscreen_shares_the_idle_readers_connection(x_window):
    from glutewake.idle import X11Reader

    desktop, window = x_window
    reader = X11Reader(desktop.env)
    try:
        detector = FullscreenDetector(desktop.env, reader)
        set_active(desktop, window)
        set_fullscreen(desktop, window)
        assert detector.check().answer == "busy"
        assert detector._own is None  # no second connection
        assert reader.seconds() is not None  # and idle time still reads on it
    finally:
        reader.close()


@pytest.mark.e2e
def test_fullscreen_under_wayland_only_sees_x11_windows(x_window):
    desktop, window = x_window
    detector = FullscreenDetector({**desktop.env, "WAYLAND_DISPLAY": "wayland-0"})
    set_active(desktop, window)
    finding = detector.check()
    assert finding == Finding("fullscreen", "unknown", "Wayland: only X11 windows can be seen")
    set_fullscreen(desktop, window)
    assert detector.check().answer == "busy"
    detector.close()


def test_fullscreen_without_a_display():
    assert FullscreenDetector({}).check() == Finding(
        "fullscreen", "unknown", "DISPLAY is not set (no X11 session)"
    )
    wayland = FullscreenDetector({"WAYLAND_DISPLAY": "wayland-0"}).check()
    assert wayland.reason == "Wayland: a full-screen window cannot be seen"


@pytest.mark.e2e
def test_a_lost_x_server_is_unknown_then_answers_on_a_new_one(desktop: Desktop):
    detector = FullscreenDetector(desktop.environ())
    assert detector.check().answer == "unknown"  # no _NET_ACTIVE_WINDOW: a bare Xvfb
    import time

    os.kill(desktop.pids["xvfb"], 15)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        finding = detector.check()
        if "lost" in finding.reason or "cannot open" in finding.reason:
            break
        time.sleep(0.05)
    assert finding.answer == "unknown"
    assert "lost the X display" in finding.reason or "cannot open" in finding.reason
    detector.close()


# --- other platforms, and the watch ---------------------------------------------------------


def test_macos_focus_from_assertions_json(tmp_path):
    detector = MacFocusDetector(tmp_path)
    assert detector.check().answer == "unknown"
    folder = tmp_path / "Library" / "DoNotDisturb" / "DB"
    folder.mkdir(parents=True)
    (folder / "Assertions.json").write_text('{"data": [{"storeAssertionRecords": [{"x": 1}]}]}')
    assert detector.check() == Finding("dnd", "busy", "a Focus mode is on")
    (folder / "Assertions.json").write_text('{"data": [{}]}')
    assert detector.check().answer == "free"


@pytest.mark.parametrize("name", ["dnd", "fullscreen", "camera", "microphone"])
@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_other_platforms_answer_without_crashing(tmp_path, name, platform):
    finding = make_detector(name, {"HOME": str(tmp_path)}, platform).check()
    assert finding.detector == name and finding.answer == "unknown" and finding.reason


class Scripted:
    def __init__(self, name: str, answers: list[str] | Exception) -> None:
        self.name, self.answers, self.asked, self.closed = name, answers, 0, False

    def check(self) -> Finding:
        self.asked += 1
        if isinstance(self.answers, Exception):
            raise self.answers
        return Finding(self.name, self.answers.pop(0), "scripted")  # type: ignore[arg-type]

    def close(self) -> None:
        self.closed = True
        raise OSError("closing fails too")


def test_watch_names_the_first_busy_asking_the_preferred_one_first():
    dnd = Scripted("dnd", ["free", "free"])
    camera = Scripted("camera", ["busy", "busy"])
    watch = Watch([dnd, camera])
    assert watch() == "camera" and (dnd.asked, camera.asked) == (1, 1)
    assert watch("camera") == "camera" and (dnd.asked, camera.asked) == (1, 2)


def test_watch_treats_a_failing_detector_as_unknown_and_closes_all():
    broken = Scripted("fullscreen", RuntimeError("odd\nwindow"))
    watch = Watch([broken, Scripted("dnd", ["free"])])
    assert watch() is None
    assert watch.findings()[0] == Finding("fullscreen", "unknown", "odd window")
    watch.close()
    assert all(d.closed for d in watch.detectors)  # type: ignore[attr-defined]


def test_open_watch_builds_the_configured_detectors():
    watch = open_watch(("camera", "dnd"), {}, "linux")
    assert [d.name for d in watch.detectors] == ["camera", "dnd"]
    assert held_for("camera") == held_for("microphone") == "in a call"
    assert held_for("dnd") == "do not disturb"


def test_windows_camera_and_microphone_from_the_consent_store():
    from glutewake.busy import WindowsDeviceInUse, app_in_use

    zoom = r"NonPackaged\C:#Program Files#Zoom#bin#Zoom.exe"
    assert app_in_use([("Microsoft.WindowsCamera_8wekyb3d8bbwe", 133, 140)]) is None
    assert app_in_use([("NonPackaged", 0, 0), (zoom, 133, 0)]) == "Zoom.exe"
    assert app_in_use([("Microsoft.SkypeApp_kzf8qxf38zg5c", 133, 0)]) == (
        "Microsoft.SkypeApp_kzf8qxf38zg5c"
    )
    stores: list[str] = []

    def read(store: str) -> list[tuple[str, int, int]]:
        stores.append(store)
        return [(zoom, 133, 0)] if store == "webcam" else [(zoom, 133, 140)]

    assert WindowsDeviceInUse("camera", read).check() == Finding(
        "camera", "busy", "in use by Zoom.exe"
    )
    assert WindowsDeviceInUse("microphone", read).check() == Finding(
        "microphone", "free", "no app is using it"
    )
    assert stores == ["webcam", "microphone"]
    off_windows = make_detector("camera", {}, "win32").check()
    assert off_windows == Finding(
        "camera", "unknown", "cannot read the consent store: the registry needs Windows"
    )
