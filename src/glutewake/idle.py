"""Seconds since the last keyboard or mouse input, or None when that cannot be known.

Never a made-up 0: a back end that cannot answer says None, and the tracker then simply
does not detect natural breaks. Back ends, tried in this order by "auto":

- gnome: D-Bus org.gnome.Mutter.IdleMonitor GetIdletime (GNOME on X11 and Wayland);
- kde: D-Bus org.freedesktop.ScreenSaver GetSessionIdleTime (KDE and others, X11);
- x11: XScreenSaverQueryInfo through ctypes (libX11.so.6 + libXss.so.1);
- macos: CGEventSourceSecondsSinceLastEventType through ctypes;
- windows: GetLastInputInfo through ctypes.

A reader keeps one connection (D-Bus or X display) open between polls, so the loop can
poll every few seconds all day for the price of one round trip: no subprocess, no new
connection per call.

One module over ~450 lines on purpose: five small back ends behind one reader interface
and one "auto" order, each too small to be a module of its own.
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from glutewake.dbus import Unavailable, call, connect_session_bus, one_line
from glutewake.i18n import _
from glutewake.probe import Probe

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection  # type: ignore[import-untyped,unused-ignore]

BACKENDS = ("gnome", "kde", "x11", "macos", "windows")
# A reader whose connection broke tries again at most this often (seconds).
RECONNECT_EVERY = 30.0


class IdleReader(Protocol):
    name: str

    def seconds(self) -> float | None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class IdleProbe(Probe):
    seconds: float | None = None  # the reading that showed it works


def candidates(backend: str, platform: str = sys.platform) -> tuple[str, ...]:
    """The back ends `backend` ("auto", "off" or one name) stands for on `platform`."""
    if backend == "off":
        return ()
    if backend != "auto":
        return (backend,)
    if platform == "darwin":
        return ("macos",)
    if platform in ("win32", "cygwin"):
        return ("windows",)
    return ("gnome", "kde", "x11")


def open_reader(
    backend: str, env: Mapping[str, str], platform: str = sys.platform
) -> IdleReader | None:
    """The first candidate back end that answers, kept open; None if none does."""
    for name in candidates(backend, platform):
        try:
            return _open_answering(name, env, auto=backend == "auto")
        except Unavailable:
            continue
    return None


def probe_all(
    backend: str, env: Mapping[str, str], platform: str = sys.platform
) -> list[IdleProbe]:
    """Try every candidate (for `doctor`): whether it answered, and why it did not."""
    probes = []
    for name in candidates(backend, platform):
        try:
            reader = _open_answering(name, env, auto=backend == "auto")
        except Unavailable as exc:
            probes.append(IdleProbe(False, name, str(exc)))
            continue
        try:
            seconds = reader.seconds()
        finally:
            reader.close()
        if seconds is None:
            probes.append(IdleProbe(False, name, "stopped answering"))
        else:
            probes.append(IdleProbe(True, name, _describe(name, env), seconds))
    return probes


def _describe(name: str, env: Mapping[str, str]) -> str:
    if name == "x11":
        return f"XScreenSaverQueryInfo on display {env.get('DISPLAY')}"
    if name in _DBUS_SERVICES:
        service = _DBUS_SERVICES[name]
        return f"{service.name} {service.method} on the session bus"
    return {"macos": "CGEventSourceSecondsSinceLastEventType", "windows": "GetLastInputInfo"}[name]


def _open_answering(name: str, env: Mapping[str, str], *, auto: bool) -> IdleReader:
    """Open back end `name` and read it once; Unavailable (closed) if it cannot answer."""
    reader = _open(name, env, auto=auto)
    try:
        reader.query()
    except Unavailable:
        reader.close()
        raise
    return reader


def _open(name: str, env: Mapping[str, str], *, auto: bool) -> _Reader:
    if name in _DBUS_SERVICES:
        return DBusReader(name, _DBUS_SERVICES[name], env)
    if name == "x11":
        if auto and (env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland"):
            # XWayland sees only input to X11 windows: typing into a Wayland window would
            # look like being away, and reset the sitting clock. Unknown beats wrong.
            raise Unavailable(
                "Wayland session: X11 sees only input to X11 windows "
                '(set [idle] backend = "x11" to use it anyway)'
            )
        return X11Reader(env)
    if name == "macos":
        return MacReader()
    if name == "windows":
        return WindowsReader()
    raise Unavailable(f"unknown idle back end {name!r}; expected one of {', '.join(BACKENDS)}")


class _Reader:
    """A back end: `query` raises Unavailable with the reason; `seconds` says None."""

    name: str

    def query(self) -> float:
        raise NotImplementedError

    def seconds(self) -> float | None:
        try:
            return self.query()
        except Unavailable:
            return None

    def close(self) -> None:
        return None


# --- D-Bus (GNOME, KDE) ---


@dataclass(frozen=True)
class DBusService:
    name: str
    paths: tuple[str, ...]
    interface: str
    method: str


_DBUS_SERVICES = {
    "gnome": DBusService(
        "org.gnome.Mutter.IdleMonitor",
        ("/org/gnome/Mutter/IdleMonitor/Core",),
        "org.gnome.Mutter.IdleMonitor",
        "GetIdletime",
    ),
    # KDE serves both paths; other desktops may serve only one of them.
    "kde": DBusService(
        "org.freedesktop.ScreenSaver",
        ("/org/freedesktop/ScreenSaver", "/ScreenSaver"),
        "org.freedesktop.ScreenSaver",
        "GetSessionIdleTime",
    ),
}


class DBusReader(_Reader):
    """One method call per poll on a connection opened once (both reply in milliseconds)."""

    def __init__(self, name: str, service: DBusService, env: Mapping[str, str]) -> None:
        self.name = name
        self.service = service
        self._env = dict(env)
        self._path = service.paths[0]
        self._connection: DBusConnection | None = connect_session_bus(self._env)
        self._retry_at = 0.0

    def query(self) -> float:
        connection = self._connected()
        errors = []
        for path in (self._path, *(p for p in self.service.paths if p != self._path)):
            try:
                body = call(
                    connection, self.service.name, path, self.service.interface, self.service.method
                )
            except Unavailable as exc:
                errors.append(str(exc))
                if str(exc).startswith(("lost the session bus", "nothing owns")):
                    break
                continue
            self._path = path
            return _milliseconds(body, self.service)
        self._drop_if_broken(errors)
        raise Unavailable(errors[0])

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connected(self) -> DBusConnection:
        if self._connection is None:
            if time.monotonic() < self._retry_at:
                raise Unavailable("lost the session bus; reconnecting later")
            self._retry_at = time.monotonic() + RECONNECT_EVERY
            self._connection = connect_session_bus(self._env)
        return self._connection

    def _drop_if_broken(self, errors: list[str]) -> None:
        if any(e.startswith("lost the session bus") for e in errors):
            self.close()
            self._retry_at = time.monotonic() + RECONNECT_EVERY


def _milliseconds(body: tuple[Any, ...], service: DBusService) -> float:
    if len(body) != 1 or not isinstance(body[0], int) or isinstance(body[0], bool):
        raise Unavailable(f"{service.name} {service.method} gave an unexpected reply {body!r}")
    return max(0, body[0]) / 1000.0


# --- X11 ---


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = (
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),  # milliseconds since the last input
        ("eventMask", ctypes.c_ulong),
    )


# Xlib's default handlers print and call exit(): a protocol error or a lost X server
# must not end the loop. Kept at module level so the callbacks are never collected.
_X_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_X_IO_EXIT_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_X_IO_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_x_handlers: dict[str, Any] = {}
_dead_displays: set[int] = set()


def _ignore_x_error(display: int | None, event: int | None) -> int:
    return 0


def _x_io_error(display: int | None) -> int:
    if display:
        _dead_displays.add(display)
    return 0


def _x_connection_lost(display: int | None, data: int | None) -> None:
    if display:
        _dead_displays.add(display)


class X11Reader(_Reader):
    """XScreenSaverQueryInfo on one display connection opened once (libX11 + libXss)."""

    name = "x11"

    def __init__(self, env: Mapping[str, str]) -> None:
        self.display_name = env.get("DISPLAY") or ""
        if not self.display_name:
            raise Unavailable(_("DISPLAY is not set (no X11 session)"))
        self._xlib = _load("libX11.so.6", "libX11 (apt-get install libx11-6)")
        self._xss = _load("libXss.so.1", "libXss (apt-get install libxss1)")
        _declare_x11(self._xlib, self._xss)
        self._display: int | None = None
        self._info: Any = None
        self._socket: Any = None
        self._retry_at = 0.0
        self._connect()

    def _connect(self) -> None:
        """Open the display (again, after it was lost); Unavailable if it cannot be."""
        display = self._xlib.XOpenDisplay(self.display_name.encode())
        if not display:
            raise Unavailable(
                _("cannot open X display {display}").format(display=self.display_name)
            )
        self._display = display
        self._install_handlers()
        base, error = ctypes.c_int(), ctypes.c_int()
        if not self._xss.XScreenSaverQueryExtension(
            self._display, ctypes.byref(base), ctypes.byref(error)
        ):
            self.close()
            raise Unavailable(
                _("X display {display} has no MIT-SCREEN-SAVER extension").format(
                    display=self.display_name
                )
            )
        self._root = self._xlib.XDefaultRootWindow(self._display)
        if self._info is None:
            self._info = self._xss.XScreenSaverAllocInfo()
        self._socket = _peek_socket(self._xlib.XConnectionNumber(self._display))

    def _reconnect(self) -> None:
        """A display lost earlier is opened again (the server restarted, a new session),
        at most every RECONNECT_EVERY seconds; Unavailable until then or if it fails."""
        lost = f"lost the X display {self.display_name}"
        if time.monotonic() < self._retry_at:
            raise Unavailable(lost)
        self._retry_at = time.monotonic() + RECONNECT_EVERY
        try:
            self._connect()
        except Unavailable:
            raise Unavailable(lost) from None

    def _install_handlers(self) -> None:
        if "error" not in _x_handlers:
            _x_handlers["error"] = _X_ERROR_HANDLER(_ignore_x_error)
            self._xlib.XSetErrorHandler(_x_handlers["error"])
            _x_handlers["io_exit"] = _X_IO_EXIT_HANDLER(_x_connection_lost)
            _x_handlers["io"] = _X_IO_ERROR_HANDLER(_x_io_error)
            self._xlib.XSetIOErrorHandler(_x_handlers["io"])
        # libX11 >= 1.7: a lost server calls this instead of exit().
        if hasattr(self._xlib, "XSetIOErrorExitHandler"):
            self._xlib.XSetIOErrorExitHandler(self._display, _x_handlers["io_exit"], None)

    def query(self) -> float:
        self._check_connected()
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            raise Unavailable(f"XScreenSaverQueryInfo failed on {self.display_name}")
        if self._display in _dead_displays:
            self._forget()
            raise Unavailable(f"lost the X display {self.display_name}")
        idle_ms: int = self._info.contents.idle
        return idle_ms / 1000.0

    def connection(self) -> tuple[Any, int, int]:
        """libX11, the open Display and its root window, for other questions on the same
        connection (busy.py asks which window is full screen); Unavailable when lost."""
        self._check_connected()
        assert self._display is not None
        return self._xlib, self._display, self._root

    def _check_connected(self) -> None:
        if self._display is None:
            self._reconnect()
        if self._display is None or self._display in _dead_displays or self._server_gone():
            self._forget()
            raise Unavailable(f"lost the X display {self.display_name}")

    def close(self) -> None:
        if self._info:
            self._xlib.XFree(self._info)
            self._info = None
        self._retry_at = float("inf")  # closed: never reopened
        if self._display is None:
            return
        self._xlib.XCloseDisplay(self._display)
        self._display = None
        if self._socket is not None:
            self._socket.close()

    def _server_gone(self) -> bool:
        """Whether the server hung up: checked before each request, because Xlib treats a
        lost connection as fatal."""
        import socket

        try:
            peeked: bytes = self._socket.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False  # nothing to read: alive and idle
        except OSError:
            return True
        return peeked == b""

    def _forget(self) -> None:
        # Xlib must not touch a dead connection again (XCloseDisplay would hit it), so
        # the Display is leaked: a few hundred bytes, once per lost server.
        self._display = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        # Tried again a second later (a restarting server is back soon), then every
        # RECONNECT_EVERY seconds.
        self._retry_at = time.monotonic() + min(1.0, RECONNECT_EVERY)


def _peek_socket(fd: int) -> Any:
    import os
    import socket

    # A duplicate of Xlib's descriptor, only ever read with MSG_PEEK.
    return socket.socket(fileno=os.dup(fd))


def _load(library: str, what: str) -> Any:
    try:
        return ctypes.CDLL(library)
    except OSError:
        raise Unavailable(
            _("{library} not found: install {what}").format(library=library, what=what)
        ) from None


def _declare_x11(xlib: Any, xss: Any) -> None:
    void_p, ulong, c_int = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
    info_p = ctypes.POINTER(_XScreenSaverInfo)
    _sig(xlib.XOpenDisplay, void_p, ctypes.c_char_p)
    _sig(xlib.XCloseDisplay, c_int, void_p)
    _sig(xlib.XDefaultRootWindow, ulong, void_p)
    _sig(xlib.XConnectionNumber, c_int, void_p)
    _sig(xlib.XFree, c_int, void_p)
    _sig(xlib.XSetErrorHandler, void_p, _X_ERROR_HANDLER)
    _sig(xlib.XSetIOErrorHandler, void_p, _X_IO_ERROR_HANDLER)
    if hasattr(xlib, "XSetIOErrorExitHandler"):
        _sig(xlib.XSetIOErrorExitHandler, None, void_p, _X_IO_EXIT_HANDLER, void_p)
    int_p = ctypes.POINTER(c_int)
    _sig(xss.XScreenSaverQueryExtension, c_int, void_p, int_p, int_p)
    _sig(xss.XScreenSaverAllocInfo, info_p)
    _sig(xss.XScreenSaverQueryInfo, c_int, void_p, ulong, info_p)


def _sig(function: Any, restype: Any, *argtypes: Any) -> None:
    function.restype = restype
    function.argtypes = list(argtypes)


# --- macOS ---

_APPLICATION_SERVICES = (
    "/System/Library/Frameworks/ApplicationServices.framework/ApplicationServices"
)
_HID_SYSTEM_STATE = 1  # kCGEventSourceStateHIDSystemState: real hardware input
_ANY_INPUT_EVENT = 0xFFFFFFFF  # kCGAnyInputEventType


class MacReader(_Reader):
    name = "macos"

    def __init__(self) -> None:
        try:
            library = ctypes.CDLL(_APPLICATION_SERVICES)
            function = library.CGEventSourceSecondsSinceLastEventType
        except (OSError, AttributeError):
            raise Unavailable("ApplicationServices (CoreGraphics) is not available") from None
        _sig(function, ctypes.c_double, ctypes.c_int32, ctypes.c_uint32)
        self._function: Callable[[int, int], float] = function

    def query(self) -> float:
        seconds = float(self._function(_HID_SYSTEM_STATE, _ANY_INPUT_EVENT))
        if seconds < 0 or seconds != seconds:
            raise Unavailable(f"CGEventSourceSecondsSinceLastEventType gave {seconds}")
        return seconds


# --- Windows ---


class _LastInputInfo(ctypes.Structure):
    _fields_ = (("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint32))


class WindowsReader(_Reader):
    name = "windows"

    def __init__(self) -> None:
        # getattr: ctypes.WinDLL exists only on Windows.
        win_dll = getattr(ctypes, "WinDLL", None)
        if win_dll is None:
            raise Unavailable("GetLastInputInfo needs Windows")
        try:
            self._user32 = win_dll("user32")
            self._kernel32 = win_dll("kernel32")
        except OSError as exc:
            raise Unavailable(f"cannot load user32/kernel32: {one_line(exc)}") from None
        _sig(self._user32.GetLastInputInfo, ctypes.c_int, ctypes.POINTER(_LastInputInfo))
        _sig(self._kernel32.GetTickCount, ctypes.c_uint32)
        self._info = _LastInputInfo(cbSize=ctypes.sizeof(_LastInputInfo))

    def query(self) -> float:
        if not self._user32.GetLastInputInfo(ctypes.byref(self._info)):
            raise Unavailable("GetLastInputInfo failed")
        # Both are 32-bit millisecond tick counts: the difference survives the 49-day wrap.
        elapsed: int = (self._kernel32.GetTickCount() - self._info.dwTime) & 0xFFFFFFFF
        return elapsed / 1000.0
