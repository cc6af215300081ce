"""Desktop notifications on Linux, spoken directly to org.freedesktop.Notifications.

One jeepney connection, opened when the loop starts and kept: `Notify` with
`replaces_id` updates the one break notification in place, `CloseNotification` takes it
away when the break is answered anywhere else, and the `ActionInvoked` and
`NotificationClosed` signals arrive on the same socket, which the loop's wait watches
(`fileno`), so a button press is acted on at once. Why not plyer here: see notify.py.

What the server can do is read once per connection (`GetCapabilities`,
`GetServerInformation`): buttons only where it has "actions", the sound hint only where
it has "sound". Every failure is one line (never an exception out of this module), and a
lost bus or daemon is tried again at the next notification.
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from glutewake.dbus import Unavailable, call, connect_session_bus, one_line

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection  # type: ignore[import-untyped,unused-ignore]

    from glutewake.notify import Note

NOTIFICATIONS = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
# The freedesktop sound naming spec's name for a reminder going off.
SOUND_NAME = "alarm-clock-elapsed"
URGENCY_CRITICAL = 2
CALL_TIMEOUT = 2.0


class ServerInfo(NamedTuple):
    name: str
    vendor: str
    version: str
    spec_version: str
    capabilities: frozenset[str]


def server_info(env: Mapping[str, str], *, auto_start: bool = False) -> ServerInfo:
    """Who serves notifications here and what it can do; Unavailable (one line) if nobody.

    Without `auto_start` asking never starts a daemon (doctor looks, it does not touch).
    """
    connection = connect_session_bus(env)
    try:
        return _server_info(connection, auto_start=auto_start)
    finally:
        connection.close()


def _server_info(connection: DBusConnection, *, auto_start: bool = True) -> ServerInfo:
    def ask(method: str) -> tuple[Any, ...]:
        return call(
            connection,
            NOTIFICATIONS,
            OBJECT_PATH,
            NOTIFICATIONS,
            method,
            timeout=CALL_TIMEOUT,
            auto_start=auto_start,
        )

    (capabilities,) = ask("GetCapabilities")
    name, vendor, version, spec_version = ask("GetServerInformation")
    return ServerInfo(name, vendor, version, spec_version, frozenset(capabilities))


class FreedesktopNotifier:
    """The loop's notifier on Linux: one notification at a time, replaced, closed, answered.

    `answers()` returns the action keys pressed on the current notification since the
    last call. Only keys we offered count: a click on the body ("default") never answers.
    """

    backend = "freedesktop"

    def __init__(self, env: Mapping[str, str], *, app_name: str = "glutewake") -> None:
        self.env = dict(env)
        self.enabled = True
        self.app_name = app_name
        self.server: ServerInfo | None = None
        self._connection: DBusConnection | None = None
        self._signals: deque[Any] = deque()
        self._id = 0
        self._offered: frozenset[str] = frozenset()
        self._answers: list[str] = []
        try:
            self._connect()
            self.available, self.reason = True, self._describe()
        except Unavailable as exc:
            self.available, self.reason = False, str(exc)

    # --- what the loop uses ---

    @property
    def capabilities(self) -> frozenset[str]:
        return self.server.capabilities if self.server else frozenset()

    def show(self, note: Note) -> str | None:
        """Show `note` in place of the current notification: None, or why it failed."""
        try:
            connection = self._connect()
        except Unavailable as exc:
            self.available, self.reason = False, str(exc)
            return self.reason
        self._drain()  # a press on the old one, read before it is replaced, still counts
        capabilities = self.capabilities
        offered = note.actions if "actions" in capabilities else ()
        actions = [part for key_label in offered for part in key_label]
        hints: dict[str, tuple[str, Any]] = {}
        if note.sticky and self._needs_critical():
            hints["urgency"] = ("y", URGENCY_CRITICAL)
        if note.sound and "sound" in capabilities:
            hints["sound-name"] = ("s", SOUND_NAME)
        # expire_timeout: -1 the server's default, 0 never, else milliseconds.
        expire = -1 if note.timeout_s is None else round(note.timeout_s * 1000)
        if note.sticky:
            expire = 0
        # The summary is plain text by the spec; the body may be markup, rendered by
        # daemons that do not all advertise "body-markup" (dunst): escape it always.
        text = html.escape(note.body, quote=False)
        body = (self.app_name, self._id, "", note.summary, text, actions, hints, expire)
        try:
            (self._id,) = call(
                connection,
                NOTIFICATIONS,
                OBJECT_PATH,
                NOTIFICATIONS,
                "Notify",
                "susssasa{sv}i",
                body,
                timeout=CALL_TIMEOUT,
                auto_start=True,
            )
        except Unavailable as exc:
            self._forget_server(str(exc))
            return self.reason
        self._offered = frozenset(key for key, _ in offered)
        self.available, self.reason = True, self._describe()
        return None

    def close(self) -> None:
        """Take the current notification away (the break was answered, or the loop stops)."""
        if self._id == 0 or self._connection is None:
            self._id = 0
            return
        self._drain()
        notification, self._id, self._offered = self._id, 0, frozenset()
        try:
            call(
                self._connection,
                NOTIFICATIONS,
                OBJECT_PATH,
                NOTIFICATIONS,
                "CloseNotification",
                "u",
                (notification,),
                timeout=CALL_TIMEOUT,
            )
        except Unavailable as exc:
            self._forget_server(str(exc))

    def fileno(self) -> int | None:
        """The bus socket, for the loop's select(); None while not connected."""
        return None if self._connection is None else int(self._connection.sock.fileno())

    def answers(self) -> list[str]:
        self._drain()
        answers, self._answers = self._answers, []
        return answers

    def shutdown(self) -> None:
        self.close()
        self._drop()

    def detach(self) -> None:
        """Let go of the bus, leaving the notification on screen (doctor's sample)."""
        self._drop()

    # --- the connection ---

    def _connect(self) -> DBusConnection:
        if self._connection is not None and self.server is not None:
            return self._connection
        if self._connection is None:
            connection = connect_session_bus(self.env)
            try:
                self._listen(connection)
            except Unavailable:
                connection.close()
                raise
            self._connection = connection
        try:
            self.server = _server_info(self._connection)
        except Unavailable as exc:
            self._forget_server(str(exc))
            raise
        return self._connection

    def _listen(self, connection: DBusConnection) -> None:
        from jeepney import MatchRule  # type: ignore[import-untyped,unused-ignore]

        rule = MatchRule(type="signal", interface=NOTIFICATIONS, path=OBJECT_PATH)
        call(
            connection,
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "AddMatch",
            "s",
            (rule.serialise(),),
            timeout=CALL_TIMEOUT,
        )
        # Signals that arrive while we wait for a method's reply land here, not on the floor.
        self._signals = deque()
        connection.filter(rule, queue=self._signals)

    def _drain(self) -> None:
        """Read whatever the bus has sent, without waiting, and act on our signals."""
        connection = self._connection
        if connection is None:
            return
        try:
            while True:
                connection.recv_messages(timeout=0)
        except TimeoutError:
            pass
        except (OSError, ValueError) as exc:  # the bus went away
            self._drop()
            self.available, self.reason = False, f"lost the session bus: {one_line(exc)}"
        while self._signals:
            self._signal(self._signals.popleft())

    def _signal(self, message: Any) -> None:
        from jeepney.low_level import HeaderFields  # type: ignore[import-untyped,unused-ignore]

        member = message.header.fields.get(HeaderFields.member)
        body = message.body
        if not body or body[0] != self._id or self._id == 0:
            return  # someone else's notification, or one we already replaced
        if member == "ActionInvoked" and len(body) == 2 and body[1] in self._offered:
            self._answers.append(body[1])
        elif member == "NotificationClosed":
            self._id, self._offered = 0, frozenset()

    def _needs_critical(self) -> bool:
        # GNOME Shell ignores expire_timeout and keeps only critical notifications on
        # screen; everyone else honours expire_timeout = 0, which is the spec's "sticky"
        # without the side effects of critical (it passes do-not-disturb on most servers).
        return self.server is not None and self.server.name.lower() == "gnome-shell"

    def _forget_server(self, reason: str) -> None:
        # Asked again at the next notification: the daemon may be restarting, or replaced
        # by another one with other capabilities.
        self.server = None
        self.available, self.reason = False, reason
        if reason.startswith("lost the session bus"):
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self.server = None
        self._id, self._offered = 0, frozenset()

    def _describe(self) -> str:
        server = self.server
        if server is None:
            return f"{NOTIFICATIONS} on the session bus"
        return f"{server.name} {server.version} on the session bus (D-Bus, direct)"
