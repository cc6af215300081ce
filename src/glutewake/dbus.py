"""The session bus, through jeepney: connecting, calling, and errors as one line.

Shared by the idle readers (GNOME, KDE), the notifier and the busy detectors. Every
failure is Unavailable with a one-line reason a person can act on; nothing here raises
jeepney's own exceptions to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glutewake.i18n import _

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection  # type: ignore[import-untyped,unused-ignore]

DBUS_TIMEOUT = 1.0


class Unavailable(Exception):
    """A back end cannot work here; the message says why, in one line."""


def session_bus_address(env: Mapping[str, str]) -> str | None:
    """The session bus a D-Bus client would use: $DBUS_SESSION_BUS_ADDRESS, else the
    systemd-style $XDG_RUNTIME_DIR/bus (what libdbus and GLib fall back to)."""
    address = env.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime, "bus").is_socket():
        return f"unix:path={Path(runtime, 'bus')}"
    return None


def connect_session_bus(env: Mapping[str, str], timeout: float = DBUS_TIMEOUT) -> DBusConnection:
    """A jeepney connection to the session bus of `env`; Unavailable if there is none."""
    address = session_bus_address(env)
    if address is None:
        raise Unavailable(_("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"))
    try:
        from jeepney.io.blocking import (  # type: ignore[import-untyped,unused-ignore]
            open_dbus_connection,
        )
    except ImportError:
        raise Unavailable(_("the jeepney package (D-Bus client) is not installed")) from None
    try:
        connection: DBusConnection = open_dbus_connection(address, auth_timeout=timeout)
    except (OSError, RuntimeError, ValueError) as exc:
        raise Unavailable(
            _("cannot connect to the session bus {address}: {error}").format(
                address=address, error=one_line(exc)
            )
        ) from None
    return connection


def call(
    connection: DBusConnection,
    destination: str,
    path: str,
    interface: str,
    method: str,
    signature: str | None = None,
    args: tuple[Any, ...] = (),
    *,
    timeout: float = DBUS_TIMEOUT,
    auto_start: bool = False,
) -> tuple[Any, ...]:
    """Call a method (with `args` of D-Bus `signature`, if any) and return the reply body;
    Unavailable on any error.

    NO_AUTO_START unless `auto_start`: asking must never launch a service (a second
    notification daemon, a screensaver) as a side effect. Showing a notification may:
    that is what D-Bus activation of a notification daemon is for.
    """
    from jeepney import (  # type: ignore[import-untyped,unused-ignore]
        DBusAddress,
        MessageFlag,
        MessageType,
        new_method_call,
    )

    address = DBusAddress(path, bus_name=destination, interface=interface)
    message = new_method_call(address, method, signature, args)
    if not auto_start:
        message.header.flags |= MessageFlag.no_auto_start
    try:
        reply = connection.send_and_get_reply(message, timeout=timeout)
    except TimeoutError:
        raise Unavailable(f"{destination} did not answer {method} within {timeout:g}s") from None
    except (OSError, ValueError) as exc:  # ValueError: a garbled or closed stream
        raise Unavailable(f"lost the session bus: {one_line(exc)}") from None
    if reply.header.message_type == MessageType.error:
        raise Unavailable(_dbus_error(destination, method, reply))
    answer: tuple[Any, ...] = reply.body
    return answer


def get_property(
    connection: DBusConnection, destination: str, path: str, interface: str, name: str
) -> Any:
    """org.freedesktop.DBus.Properties.Get, unwrapped from its variant."""
    body = call(
        connection, destination, path, "org.freedesktop.DBus.Properties", "Get", "ss",
        (interface, name),
    )  # fmt: skip
    return variant(body[0])


def variant(value: Any) -> Any:
    """A variant's value (jeepney gives a variant as (signature, value))."""
    return value[1] if isinstance(value, tuple) and len(value) == 2 else value


def _dbus_error(destination: str, method: str, reply: Any) -> str:
    from jeepney.low_level import HeaderFields  # type: ignore[import-untyped,unused-ignore]

    error = reply.header.fields.get(HeaderFields.error_name, "an error")
    if error in (
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
    ):
        return f"nothing owns {destination} on the session bus"
    detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
    return one_line(f"{destination} {method} failed: {error} {detail}".strip())


def one_line(value: object) -> str:
    return " ".join(str(value).split()) or type(value).__name__
