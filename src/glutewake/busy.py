"""Is the user busy? Detectors that let a due break wait for the end of a call or a film.

Each detector answers busy, free or unknown, with a one-line reason:

- dnd: do not disturb on the notification server: dunst (`paused`), KDE Plasma and
  others (the `Inhibited` property of org.freedesktop.Notifications), XFCE (xfconf
  `/do-not-disturb`), GNOME (`show-banners` through gsettings); macOS Focus (its
  Assertions.json, when readable); Windows presentation mode;
- fullscreen: the active X11 window has _NET_WM_STATE_FULLSCREEN (on the X connection
  idle.py opens through ctypes); Windows SHQueryUserNotificationState;
- camera: a /dev/video* device held open by one of the user's processes (/proc/*/fd);
  Windows: an app that started using it and has not stopped (the consent store);
- microphone: a capture source in use (PulseAudio/PipeWire through `pactl`, else the
  ALSA capture devices in /proc/asound); Windows: the consent store as for the camera.

They are asked only when a break falls due and, while one is held, about once a second
until it can be shown (the detector that said busy first, the others only when it says
free): never on a timer while nothing is due, so they cost nothing at rest. "Unknown"
never holds a break. No detector may end the loop: any failure is "unknown".

One module over ~450 lines on purpose: the four detectors, each with its per-platform
variants, share the verdict type, the reasons and the asking order, and read as one.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from glutewake.dbus import one_line
from glutewake.i18n import _

if TYPE_CHECKING:
    from glutewake.idle import X11Reader

DETECTORS = ("dnd", "fullscreen", "camera", "microphone")
Answer = Literal["busy", "free", "unknown"]
# A subprocess (pactl, gsettings) gets this long; longer means "unknown", not a hang.
COMMAND_TIMEOUT = 1.0


class Finding(NamedTuple):
    detector: str
    answer: Answer
    reason: str  # one line: what was seen, or why it cannot be known


class Detector(Protocol):
    name: str

    def check(self) -> Finding: ...

    def close(self) -> None: ...


class Watch:
    """The detectors the config asks for; `watch(prefer)` names the first that says busy."""

    def __init__(self, detectors: Sequence[Detector]) -> None:
        self.detectors = list(detectors)

    def __call__(self, prefer: str | None = None) -> str | None:
        # The one that held the break last is asked first: while a call goes on, one
        # cheap question a second, not a scan of every process.
        ordered = sorted(self.detectors, key=lambda d: d.name != prefer)
        for detector in ordered:
            if _safe_check(detector).answer == "busy":
                return detector.name
        return None

    def findings(self) -> list[Finding]:
        """Every detector's answer (for `doctor`)."""
        return [_safe_check(d) for d in self.detectors]

    def close(self) -> None:
        for detector in self.detectors:
            # Closing must not fail a loop that is ending.
            with contextlib.suppress(Exception):
                detector.close()


def _safe_check(detector: Detector) -> Finding:
    try:
        return detector.check()
    except Exception as exc:  # a detector's bug or an odd desktop must not end the loop
        return Finding(detector.name, "unknown", one_line(exc))


def open_watch(
    when: Iterable[str],
    env: Mapping[str, str],
    platform: str = sys.platform,
    *,
    x11: X11Reader | None = None,
) -> Watch:
    """The detectors named in `when` for `platform`; `x11`: an idle reader to share."""
    return Watch([make_detector(name, env, platform, x11=x11) for name in when])


def make_detector(
    name: str, env: Mapping[str, str], platform: str = sys.platform, *, x11: X11Reader | None = None
) -> Detector:
    if platform in ("win32", "cygwin"):
        return _windows_detector(name)
    if platform == "darwin":
        if name == "dnd":
            return MacFocusDetector(Path(env.get("HOME", "~")).expanduser())
        return Unknown(name, _("not detectable on macOS"))
    if name == "dnd":
        return DndDetector(env)
    if name == "fullscreen":
        return FullscreenDetector(env, x11)
    if name == "camera":
        return CameraDetector()
    if name == "microphone":
        return MicrophoneDetector(env)
    return Unknown(name, _("unknown detector"))


class Unknown:
    """A detector that cannot work here, and says why."""

    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason

    def check(self) -> Finding:
        return Finding(self.name, "unknown", self.reason)

    def close(self) -> None:
        return None


# --- camera: /proc/*/fd ---------------------------------------------------------------


# PipeWire and its session managers open every video device to list it, and may keep it
# open all day: that is not a call. An app using the camera through PipeWire is missed,
# which is the safe side (a break shown, not one held for nothing).
MEDIA_SERVERS = frozenset({"pipewire", "wireplumber", "pipewire-media-session"})


class CameraDetector:
    """A video device held open by any of the user's processes.

    `proc` and `devices` (the path prefix a device's name starts with, digits after it)
    are parameters so that a test can build its own /proc tree or open its own file.
    """

    name = "camera"

    def __init__(
        self,
        proc: Path = Path("/proc"),
        devices: str = "/dev/video",
        uid: int | None = None,
    ) -> None:
        self.proc, self.devices = proc, devices
        self.uid = os.getuid() if uid is None and hasattr(os, "getuid") else uid
        self._holder: str | None = None  # the pid seen holding one last time

    def check(self) -> Finding:
        if not self.proc.is_dir():
            return Finding(
                self.name, "unknown", _("{proc} is not available").format(proc=self.proc)
            )
        if self._holder is not None:
            device = self._held_by(self._holder)
            if device is not None:
                return self._busy(self._holder, device)
            self._holder = None
        for pid in self._pids():
            device = self._held_by(pid)
            if device is not None:
                self._holder = pid
                return self._busy(pid, device)
        return Finding(self.name, "free", _("no process has a camera open"))

    def close(self) -> None:
        return None

    def _pids(self) -> Iterable[str]:
        try:
            entries = list(os.scandir(self.proc))
        except OSError:
            return []
        pids = []
        for entry in entries:
            if not entry.name.isdigit():
                continue
            if self.uid is not None:
                try:
                    if entry.stat().st_uid != self.uid:
                        continue
                except OSError:
                    continue  # gone meanwhile
            pids.append(entry.name)
        return pids

    def _held_by(self, pid: str) -> str | None:
        if self._command(pid) in MEDIA_SERVERS:
            return None
        try:
            fds = list(os.scandir(self.proc / pid / "fd"))
        except OSError:
            return None  # gone, or not ours to read
        for fd in fds:
            try:
                target = os.readlink(fd.path)
            except OSError:
                continue
            if target.startswith(self.devices) and target[len(self.devices) :].isdigit():
                return target
        return None

    def _command(self, pid: str) -> str:
        try:
            return (self.proc / pid / "comm").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return "?"

    def _busy(self, pid: str, device: str) -> Finding:
        reason = _("{device} open by {command} (pid {pid})").format(
            device=device, command=self._command(pid), pid=pid
        )
        return Finding(self.name, "busy", reason)


# --- microphone: pactl, else /proc/asound -----------------------------------------------


class MicrophoneDetector:
    """A capture source in use: `pactl list sources short` says RUNNING for a source that
    is not a monitor of an output; without pactl (or its server), the ALSA capture
    substreams in /proc/asound say whether one is running."""

    name = "microphone"

    def __init__(self, env: Mapping[str, str], proc: Path = Path("/proc")) -> None:
        self.env = dict(env)
        self.proc = proc
        self.pactl = shutil.which("pactl", path=env.get("PATH", os.defpath))

    def check(self) -> Finding:
        pactl_problem = None
        if self.pactl is not None:
            found = self._pactl()
            if isinstance(found, Finding):
                return found
            pactl_problem = found
        asound = self._asound()
        if asound is not None:
            return asound
        why = pactl_problem or _("pactl not found")
        return Finding(self.name, "unknown", _("{why}; no ALSA capture device").format(why=why))

    def close(self) -> None:
        return None

    def _pactl(self) -> Finding | str:
        assert self.pactl is not None
        try:
            done = subprocess.run(
                [self.pactl, "list", "sources", "short"],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return _("pactl failed: {error}").format(error=one_line(exc))
        if done.returncode != 0:
            return _("pactl failed: {error}").format(error=one_line(done.stderr or done.returncode))
        running = [
            fields[1]
            for fields in (line.split("\t") for line in done.stdout.splitlines())
            if len(fields) >= 5
            and fields[4].strip() == "RUNNING"
            and not fields[1].endswith(".monitor")
        ]
        if running:
            reason = _("{source} is recording (pactl)").format(source=running[0])
            return Finding(self.name, "busy", reason)
        return Finding(self.name, "free", _("no microphone is recording (pactl)"))

    def _asound(self) -> Finding | None:
        statuses = sorted((self.proc / "asound").glob("card*/pcm*c/sub*/status"))
        if not statuses:
            return None
        for status in statuses:
            try:
                text = status.read_text(encoding="ascii", errors="replace")
            except OSError:
                continue
            if "RUNNING" in text.split("state:", 1)[-1].split("\n", 1)[0]:
                device = "/".join(status.parts[-4:-1])
                reason = _("ALSA capture {device} is running").format(device=device)
                return Finding(self.name, "busy", reason)
        return Finding(self.name, "free", _("no ALSA capture device is running"))


# --- do not disturb: the notification server over D-Bus ----------------------------------

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"


class DndDetector:
    """Asks the notification server which one it is, then its own do-not-disturb switch.

    The session bus connection is opened at the first check and kept (one or two round
    trips per check); a lost bus is opened again at the next.
    """

    name = "dnd"

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self._connection: Any = None

    def check(self) -> Finding:
        from glutewake.dbus import Unavailable

        try:
            return self._check()
        except Unavailable as exc:
            if str(exc).startswith("lost the session bus"):
                self.close()
            return Finding(self.name, "unknown", str(exc))

    def _check(self) -> Finding:
        from glutewake.dbus import Unavailable, call, connect_session_bus, get_property, variant

        if self._connection is None:
            self._connection = connect_session_bus(self.env)
        server = str(
            call(
                self._connection,
                NOTIFICATIONS,
                NOTIFICATIONS_PATH,
                NOTIFICATIONS,
                "GetServerInformation",
            )[0]
        )
        if server == "dunst":
            paused = get_property(
                self._connection,
                NOTIFICATIONS,
                NOTIFICATIONS_PATH,
                "org.dunstproject.cmd0",
                "paused",
            )
            return self._answer(bool(paused), server, "paused")
        if server == "gnome-shell":
            return self._gnome()
        if server.lower().startswith("xfce"):
            value = call(
                self._connection,
                "org.xfce.Xfconf",
                "/org/xfce/Xfconf",
                "org.xfce.Xfconf",
                "GetProperty",
                "ss",
                ("xfce4-notifyd", "/do-not-disturb"),
            )[0]
            return self._answer(bool(variant(value)), server, "/do-not-disturb")
        try:
            inhibited = get_property(
                self._connection, NOTIFICATIONS, NOTIFICATIONS_PATH, NOTIFICATIONS, "Inhibited"
            )
        except Unavailable:
            reason = _("{server} has no do-not-disturb glutewake can read").format(server=server)
            return Finding(self.name, "unknown", reason)
        return self._answer(bool(inhibited), server, "Inhibited")

    def _gnome(self) -> Finding:
        gsettings = shutil.which("gsettings", path=self.env.get("PATH", os.defpath))
        if gsettings is None:
            return Finding(self.name, "unknown", _("gnome-shell: gsettings not found"))
        try:
            done = subprocess.run(
                [gsettings, "get", "org.gnome.desktop.notifications", "show-banners"],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Finding(self.name, "unknown", one_line(exc))
        value = done.stdout.strip()
        if done.returncode != 0 or value not in ("true", "false"):
            reason = _("gsettings failed: {error}").format(error=one_line(done.stderr or value))
            return Finding(self.name, "unknown", reason)
        return self._answer(value == "false", "gnome-shell", "show-banners")

    def _answer(self, on: bool, server: str, switch: str) -> Finding:
        if on:
            reason = _("{server}: do not disturb is on ({switch})")
            return Finding(self.name, "busy", reason.format(server=server, switch=switch))
        reason = _("{server}: do not disturb is off ({switch})")
        return Finding(self.name, "free", reason.format(server=server, switch=switch))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


# --- full screen: X11 -----------------------------------------------------------------------


class FullscreenDetector:
    """Whether the active window (_NET_ACTIVE_WINDOW on the root) is full screen.

    Uses the idle reader's X connection when it has one, else opens its own at the first
    check and keeps it. Under Wayland only X11 windows can be seen: a full-screen X11
    window still holds a break, anything else is unknown.
    """

    name = "fullscreen"

    def __init__(self, env: Mapping[str, str], x11: X11Reader | None = None) -> None:
        self.env = dict(env)
        self.wayland = bool(env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland")
        self._shared = x11
        self._own: X11Reader | None = None

    def check(self) -> Finding:
        from glutewake.dbus import Unavailable

        try:
            answer = self._x11()
        except Unavailable as exc:
            if self.wayland:
                return Finding(
                    self.name, "unknown", _("Wayland: a full-screen window cannot be seen")
                )
            return Finding(self.name, "unknown", str(exc))
        if self.wayland and answer.answer != "busy":
            reason = _("Wayland: only X11 windows can be seen")
            return Finding(self.name, "unknown", reason)
        return answer

    def _x11(self) -> Finding:
        from glutewake.dbus import Unavailable
        from glutewake.idle import X11Reader

        reader = self._shared
        if reader is None:
            if self._own is None:
                self._own = X11Reader(self.env)
            reader = self._own
        try:
            xlib, display, root = reader.connection()
        except Unavailable:
            if reader is self._own:
                self.close()  # opened again at the next check
            raise
        return _fullscreen(xlib, display, root, self.name)

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


_ANY_PROPERTY_TYPE = 0


def _fullscreen(xlib: Any, display: int, root: int, name: str) -> Finding:
    _declare_properties(xlib)
    active_atom = xlib.XInternAtom(display, b"_NET_ACTIVE_WINDOW", True)
    state_atom = xlib.XInternAtom(display, b"_NET_WM_STATE", True)
    full_atom = xlib.XInternAtom(display, b"_NET_WM_STATE_FULLSCREEN", True)
    if not active_atom:
        return Finding(name, "unknown", _("the window manager does not say which window is active"))
    active = _windowget_property(xlib, display, root, active_atom)
    if active is None:
        return Finding(name, "unknown", _("the window manager does not say which window is active"))
    if not active or not active[0]:
        return Finding(name, "free", _("no active window"))
    window = active[0]
    states = _windowget_property(xlib, display, window, state_atom) if state_atom else None
    if full_atom and states and full_atom in states:
        reason = _("the active window {window:#x} is full screen").format(window=window)
        return Finding(name, "busy", reason)
    return Finding(name, "free", _("the active window is not full screen"))


def _windowget_property(xlib: Any, display: int, window: int, atom: int) -> list[int] | None:
    """A 32-bit property's values (ids, atoms); None if the window has no such property."""
    import ctypes

    actual_type, actual_format = ctypes.c_ulong(), ctypes.c_int()
    count, after = ctypes.c_ulong(), ctypes.c_ulong()
    data = ctypes.POINTER(ctypes.c_ulong)()
    status = xlib.XGetWindowProperty(
        display, window, atom, 0, 64, False, _ANY_PROPERTY_TYPE,
        ctypes.byref(actual_type), ctypes.byref(actual_format),
        ctypes.byref(count), ctypes.byref(after), ctypes.byref(data),
    )  # fmt: skip
    if status != 0:  # BadWindow: the active window went away meanwhile
        return []
    try:
        if not actual_type.value or actual_format.value != 32 or not data:
            return None
        # Format-32 data comes as C longs, whatever the property's type.
        return [int(data[i]) for i in range(count.value)]
    finally:
        if data:
            xlib.XFree(data)


def _declare_properties(xlib: Any) -> None:
    import ctypes

    if getattr(xlib, "_glutewake_properties", False):
        return
    void_p, ulong = ctypes.c_void_p, ctypes.c_ulong
    xlib.XInternAtom.restype = ulong
    xlib.XInternAtom.argtypes = [void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XGetWindowProperty.restype = ctypes.c_int
    xlib.XGetWindowProperty.argtypes = [
        *(void_p, ulong, ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int, ulong),
        *(ctypes.POINTER(ulong), ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ulong)),
        *(ctypes.POINTER(ulong), ctypes.POINTER(ctypes.POINTER(ulong))),
    ]
    xlib._glutewake_properties = True


# --- macOS -----------------------------------------------------------------------------------


class MacFocusDetector:
    """Focus (do not disturb) on macOS 12+: active assertions in Assertions.json. Reading
    it may need Full Disk Access; without it the answer is unknown."""

    name = "dnd"

    def __init__(self, home: Path) -> None:
        self.file = home / "Library" / "DoNotDisturb" / "DB" / "Assertions.json"

    def check(self) -> Finding:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            records = data["data"][0].get("storeAssertionRecords") or []
        except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            reason = _("cannot read Focus state: {error}").format(error=one_line(exc))
            return Finding(self.name, "unknown", reason)
        if records:
            return Finding(self.name, "busy", _("a Focus mode is on"))
        return Finding(self.name, "free", _("no Focus mode is on"))

    def close(self) -> None:
        return None


# --- Windows ---------------------------------------------------------------------------------

# SHQueryUserNotificationState: QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_APP (a
# full-screen store app) and QUNS_PRESENTATION_MODE mean "do not show anything now".
_QUNS_FULLSCREEN = {2: "a full-screen application", 3: "a full-screen Direct3D application",
                    7: "a full-screen app"}  # fmt: skip
_QUNS_PRESENTATION = 4


def _windows_detector(name: str) -> Detector:
    if name in ("fullscreen", "dnd"):
        return WindowsNotificationState(name)
    if name in _CONSENT_STORES:
        return WindowsDeviceInUse(name)
    return Unknown(name, _("not detectable on Windows"))


# Windows 10 1903+ records, per app, when it last started and stopped using the camera or
# microphone (the privacy settings show "currently in use" from the same values).
_CONSENT = r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
_CONSENT_STORES = {"camera": "webcam", "microphone": "microphone"}
# (app, LastUsedTimeStart, LastUsedTimeStop) for each app under a consent store.
Usage = tuple[str, int, int]


def app_in_use(usages: Iterable[Usage]) -> str | None:
    """The app using the device now: it started and has not stopped (stop is 0)."""
    for app, start, stop in usages:
        if start and not stop:
            return app.replace("#", "\\").rsplit("\\", 1)[-1]  # non-packaged: a path
    return None


class WindowsDeviceInUse:
    """Camera or microphone in use, from the consent store's per-app usage times."""

    name: str

    def __init__(self, name: str, read: Callable[[str], list[Usage]] | None = None) -> None:
        self.name = name
        self._read = read or _read_consent_store

    def check(self) -> Finding:
        try:
            usages = self._read(_CONSENT_STORES[self.name])
        except OSError as exc:
            reason = _("cannot read the consent store: {error}").format(error=one_line(exc))
            return Finding(self.name, "unknown", reason)
        app = app_in_use(usages)
        if app is not None:
            return Finding(self.name, "busy", _("in use by {app}").format(app=app))
        return Finding(self.name, "free", _("no app is using it"))

    def close(self) -> None:
        return None


def _read_consent_store(store: str) -> list[Usage]:
    """Every app's usage times under HKCU's consent store `store` (OSError off Windows)."""
    try:
        # Through importlib: typeshed declares winreg only when type-checking for Windows.
        winreg: Any = importlib.import_module("winreg")
    except ImportError:
        raise OSError("the registry needs Windows") from None
    usages: list[Usage] = []
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, rf"{_CONSENT}\{store}") as root:
        for path in _subkeys(winreg, root, ""):
            with winreg.OpenKey(root, path) as key:
                try:
                    start = int(winreg.QueryValueEx(key, "LastUsedTimeStart")[0])
                    stop = int(winreg.QueryValueEx(key, "LastUsedTimeStop")[0])
                except OSError:
                    continue  # a folder (NonPackaged), not an app
                usages.append((path, start, stop))
    return usages


def _subkeys(winreg: Any, key: Any, prefix: str) -> list[str]:
    """Apps, and one level down for NonPackaged (desktop programs by path)."""
    names: list[str] = []
    index = 0
    while True:
        try:
            name = winreg.EnumKey(key, index)
        except OSError:
            return names
        index += 1
        path = f"{prefix}{name}"
        names.append(path)
        if name == "NonPackaged" and not prefix:
            with winreg.OpenKey(key, name) as inner:
                names += _subkeys(winreg, inner, f"{name}\\")


class WindowsNotificationState:
    name: str

    def __init__(self, name: str) -> None:
        self.name = name

    def check(self) -> Finding:
        import ctypes

        win_dll = getattr(ctypes, "WinDLL", None)
        if win_dll is None:
            return Finding(self.name, "unknown", _("SHQueryUserNotificationState needs Windows"))
        state = ctypes.c_int()
        if win_dll("shell32").SHQueryUserNotificationState(ctypes.byref(state)) != 0:
            return Finding(self.name, "unknown", _("SHQueryUserNotificationState failed"))
        value = state.value
        if self.name == "fullscreen" and value in _QUNS_FULLSCREEN:
            return Finding(self.name, "busy", _QUNS_FULLSCREEN[value])
        if self.name == "dnd" and value == _QUNS_PRESENTATION:
            return Finding(self.name, "busy", _("presentation mode"))
        if self.name == "dnd":
            return Finding(self.name, "unknown", _("Focus assist cannot be read"))
        return Finding(self.name, "free", _("no full-screen application"))

    def close(self) -> None:
        return None
