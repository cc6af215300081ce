"""A real, private, headless desktop for tests: Xvfb + a session bus + dunst.

`desktop` starts Xvfb on a free display (it picks the number itself, `-displayfd`), a
private `dbus-daemon --session` and dunst, waits until dunst owns
org.freedesktop.Notifications, and stops all three by pid afterwards. The bus has no
service directories, so nothing is ever D-Bus-activated behind a test's back (no second
dunst, no "daemon appeared from nowhere" when a test wants none).

`notifications` reads what reached dunst (`dunstctl close-all`, then `dunstctl history`).
`FakeDBusService` answers one method on the private bus, for back ends (GNOME, KDE idle
time) that a headless machine does not have.

Expose them to a test module through conftest.py:
    from desktop import desktop, notifications  # noqa: F401
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from xvfb import SETUP_TIMEOUT, read_line, start_xvfb

NOTIFICATIONS = "org.freedesktop.Notifications"
PROGRAMS = ("Xvfb", "dbus-daemon", "dunst", "dunstctl")

# The stock session.conf minus the service directories (no D-Bus activation).
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={socket_dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class Desktop:
    display: str  # ":N"
    bus_address: str
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """The variables a desktop client needs; merge into a subprocess env or monkeypatch."""
        return {"DISPLAY": self.display, "DBUS_SESSION_BUS_ADDRESS": self.bus_address}

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """`base` (default: os.environ) with this desktop's variables on top."""
        return {**(os.environ if base is None else base), **self.env}

    def run(
        self, *args: str, check: bool = True, timeout: float = 10.0
    ) -> subprocess.CompletedProcess[str]:
        """Run a program (xdotool, notify-send, ...) inside this desktop; with `check`,
        raise if it fails."""
        return subprocess.run(
            args, env=self.environ(), capture_output=True, text=True, check=check, timeout=timeout
        )


def start_desktop(workdir: Path) -> tuple[Desktop, list[subprocess.Popen[Any]]]:
    """Xvfb, then the bus (with DISPLAY set), then dunst; wait until dunst owns its name."""
    processes: list[subprocess.Popen[Any]] = []
    try:
        xvfb, display = start_xvfb()
        processes.append(xvfb)
        bus, address = _start_bus(workdir, display)
        processes.append(bus)
        env = {**os.environ, "DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": address}
        dunst = subprocess.Popen(
            ["dunst", "-config", "/dev/null"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(dunst)
        wait_for_name(address, NOTIFICATIONS, process=dunst)
    except BaseException:
        stop_processes(processes)
        raise
    pids = {"xvfb": xvfb.pid, "dbus": bus.pid, "dunst": dunst.pid}
    return Desktop(display=display, bus_address=address, pids=pids), processes


def _start_bus(workdir: Path, display: str) -> tuple[subprocess.Popen[bytes], str]:
    config = workdir / "bus.conf"
    # unix:dir= wants a short path (sockets are limited to ~108 bytes).
    socket_dir = Path(os.environ.get("TMPDIR", "/tmp"))
    config.write_text(BUS_CONFIG.format(socket_dir=socket_dir), encoding="utf-8")
    read_end, write_end = os.pipe()
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", f"--print-address={write_end}"],
        env={**os.environ, "DISPLAY": display},
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        address = read_line(read_end, bus, "dbus-daemon")
    finally:
        os.close(read_end)
    return bus, address


def wait_for_name(
    address: str,
    name: str,
    *,
    process: subprocess.Popen[Any] | None = None,
    timeout: float = SETUP_TIMEOUT,
) -> None:
    """Poll NameHasOwner on the bus at `address` until `name` has an owner."""
    from jeepney import DBus
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + timeout
    with open_dbus_connection(address) as connection:
        bus = DBus()
        while True:
            reply = connection.send_and_get_reply(bus.NameHasOwner(name), timeout=1.0)
            if reply.body[0]:
                return
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name}'s owner exited (code {process.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing owned {name} within {timeout:.0f}s")
            time.sleep(0.02)


def stop_processes(processes: list[subprocess.Popen[Any]]) -> None:
    """Stop by pid, newest first: TERM, then KILL whatever is still there after 3 s."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in reversed(processes):
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    """A fresh private desktop per test (about 0.2 s): Xvfb + session bus + dunst."""
    from helpers import require_programs

    require_programs(*PROGRAMS)
    workdir = tmp_path / "desktop"
    workdir.mkdir()
    session, processes = start_desktop(workdir)
    try:
        yield session
    finally:
        stop_processes(processes)


# --- notifications that reached dunst ---


def read_notifications(desktop: Desktop) -> list[dict[str, Any]]:
    """Every notification dunst has received so far, oldest first, as flat dicts."""
    # History holds only closed notifications: close the open ones first.
    desktop.run("dunstctl", "close-all")
    history = json.loads(desktop.run("dunstctl", "history").stdout)
    flat = [{key: value["data"] for key, value in n.items()} for n in history["data"][0]]
    return sorted(flat, key=lambda n: n["id"])


class Notifications:
    """`notifications()` lists what reached dunst; `notifications.wait(n)` polls for n."""

    def __init__(self, desktop: Desktop) -> None:
        self.desktop = desktop

    def __call__(self) -> list[dict[str, Any]]:
        return read_notifications(self.desktop)

    def wait(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = self()
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} notification(s), got {found}"
                return found
            time.sleep(0.05)


@pytest.fixture
def notifications(desktop: Desktop) -> Notifications:
    return Notifications(desktop)


# --- a tiny service on the private bus ---


class BusServer:
    """A D-Bus service of a test's own: owns `names` on the bus at `address` and answers
    each method call with `answer(message)`, in a thread with its own jeepney connection.
    Use as a context manager."""

    def __init__(self, address: str, names: tuple[str, ...]) -> None:
        self.address, self.names = address, names
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Any:
        from jeepney import DBus
        from jeepney.io.blocking import open_dbus_connection

        self._connection = open_dbus_connection(self.address)
        for name in self.names:
            reply = self._connection.send_and_get_reply(DBus().RequestName(name), timeout=2)
            assert reply.body[0] == 1, f"could not own {name}: {reply.body}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._connection.close()

    def answer(self, message: Any) -> Any:
        raise NotImplementedError

    def _serve(self) -> None:
        from jeepney import MessageType

        while not self._stop.is_set():
            try:
                message = self._connection.receive(timeout=0.05)
            except TimeoutError:
                continue
            except OSError:
                return
            if message.header.message_type == MessageType.method_call:
                self._connection.send(self.answer(message))


class FakeDBusService(BusServer):
    """Owns `name` on the bus and answers `interface.method` at `paths` with `value()`;
    any other call gets an UnknownMethod error, as a real service would."""

    def __init__(
        self,
        address: str,
        name: str,
        paths: tuple[str, ...],
        interface: str,
        method: str,
        signature: str,
        value: Callable[[], Any],
    ) -> None:
        super().__init__(address, (name,))
        self.paths = paths
        self.interface = interface
        self.method = method
        self.signature = signature
        self.value = value
        self.calls = 0

    def answer(self, message: Any) -> Any:
        from jeepney import new_error, new_method_return
        from jeepney.low_level import HeaderFields

        fields = message.header.fields
        if (
            fields.get(HeaderFields.path) in self.paths
            and fields.get(HeaderFields.interface) in (self.interface, None)
            and fields.get(HeaderFields.member) == self.method
        ):
            self.calls += 1
            return new_method_return(message, self.signature, (self.value(),))
        return new_error(
            message,
            "org.freedesktop.DBus.Error.UnknownMethod",
            "s",
            (f"no {fields.get(HeaderFields.member)} here",),
        )


# --- windows, for the full-screen detector (Xvfb has no window manager) ---


def make_window(desktop: Desktop) -> tuple[subprocess.Popen[bytes], int]:
    """An xmessage window and its X id: something to mark full screen or active."""
    window = subprocess.Popen(["xmessage", "hi"], env=desktop.environ())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        tree = desktop.run("xwininfo", "-root", "-children").stdout
        ids = [line.split()[0] for line in tree.splitlines() if '"xmessage"' in line]
        if ids:
            return window, int(ids[0], 16)
        time.sleep(0.05)
    window.kill()
    raise AssertionError("no xmessage window appeared")


def set_fullscreen(desktop: Desktop, window: int, on: bool = True) -> None:
    value = "_NET_WM_STATE_FULLSCREEN" if on else "_NET_WM_STATE_ABOVE"
    desktop.run("xprop", "-id", hex(window), "-f", "_NET_WM_STATE", "32a",
                "-set", "_NET_WM_STATE", value)  # fmt: skip


def set_active(desktop: Desktop, window: int) -> None:
    desktop.run("xprop", "-root", "-f", "_NET_ACTIVE_WINDOW", "32x",
                "-set", "_NET_ACTIVE_WINDOW", hex(window))  # fmt: skip
