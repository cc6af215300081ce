"""The start-at-login files themselves: a systemd user unit, an XDG autostart entry, a
macOS LaunchAgent and a Windows Startup-folder script, each quoted by its format's rules.

Each file carries a hash of its own text, which is how a later `install` or `uninstall`
tells a file glutewake wrote from one the user has since changed (or wrote themselves).
Where they go and how they are activated is service.py.
"""

from __future__ import annotations

import hashlib
import plistlib
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Literal

from glutewake.errors import GlutewakeError
from glutewake.i18n import N_, _

Kind = Literal["systemd", "autostart", "launchd", "startup"]

UNIT = "glutewake.service"
# The unit starts with the desktop session: the session manager has imported DISPLAY,
# WAYLAND_DISPLAY and the session bus into the user manager by then, so notifications
# and idle detection reach the desktop without copying this login's values into the file.
SESSION_TARGET = "graphical-session.target"
LABEL = "io.github.glutewake"

_HEADER = "Written by `glutewake service install`; `glutewake service uninstall` removes it."
_STAMP_KEY = "glutewake-sha256:"
_STAMP = re.compile(r"^.*" + _STAMP_KEY + r" ([0-9a-f]{64}).*(?:\n|$)", re.MULTILINE)


class ServiceError(GlutewakeError):
    """Start-at-login files cannot be written or removed as asked."""


class FileState(Enum):
    # The values are English in JSON; tables and messages translate them where shown.
    ABSENT = N_("not installed")
    INSTALLED = N_("installed")
    CHANGED = N_("changed since install")
    FOREIGN = N_("not written by glutewake")


@dataclass(frozen=True)
class Launch:
    """What runs at login: a command line and the environment it needs."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


def render(kind: Kind, launched: Launch, log_file: Path) -> str:
    """The file of `kind` that starts `launched` (`log_file`: launchd's output)."""
    if kind == "systemd":
        return systemd_unit(launched)
    if kind == "autostart":
        return desktop_entry(launched)
    if kind == "launchd":
        return launch_agent(launched, log_file)
    return startup_script(launched)


def systemd_unit(launched: Launch) -> str:
    environment = [("PYTHONUNBUFFERED", "1"), *launched.env]
    lines = [
        f"# {_HEADER}",
        "[Unit]",
        "Description=glutewake sitting-break reminder",
        f"PartOf={SESSION_TARGET}",
        f"After={SESSION_TARGET}",
        # A loop that keeps failing (a config error, another loop running) gives up.
        "StartLimitIntervalSec=10min",
        "StartLimitBurst=5",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(_systemd_word(arg) for arg in launched.argv),
        *(f"Environment={_systemd_env(name, value)}" for name, value in environment),
        "Restart=on-failure",
        "RestartSec=10",
        "",
        "[Install]",
        f"WantedBy={SESSION_TARGET}",
    ]
    return _stamped(lines, 1, "# {}")


def _systemd_word(arg: str) -> str:
    # `%` starts a specifier and `$` a variable reference in ExecStart.
    text = arg.replace("%", "%%").replace("$", "$$")
    if re.fullmatch(r"[\w/.:@+,=-]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _systemd_env(name: str, value: str) -> str:
    text = f"{name}={value}".replace("%", "%%")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def desktop_entry(launched: Launch) -> str:
    command = [*(("env", *(f"{k}={v}" for k, v in launched.env)) if launched.env else ())]
    words = [*command, *launched.argv]
    lines = [
        f"# {_HEADER}",
        "[Desktop Entry]",
        "Type=Application",
        "Name=glutewake",
        "Comment=Sitting-break reminders: wake your glutes, stretch your hip flexors",
        "Exec=" + _desktop_string(" ".join(_desktop_word(word) for word in words)),
        "Terminal=false",
        "NoDisplay=true",
        "X-GNOME-Autostart-enabled=true",
    ]
    return _stamped(lines, 1, "# {}")


# Characters the Desktop Entry spec reserves in Exec: an argument holding one is quoted.
_DESKTOP_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


def _desktop_word(word: str) -> str:
    if any(char in _DESKTOP_RESERVED for char in word):
        word = '"' + re.sub(r'(["`$\\])', r"\\\1", word) + '"'
    return word.replace("%", "%%")


def _desktop_string(value: str) -> str:
    # The string-value escape is applied before Exec's own quoting rule.
    return value.replace("\\", "\\\\")


def launch_agent(launched: Launch, log_file: Path) -> str:
    agent = {
        "Label": LABEL,
        "ProgramArguments": list(launched.argv),
        "EnvironmentVariables": {"PYTHONUNBUFFERED": "1", **dict(launched.env)},
        "RunAtLoad": True,
        # Like Restart=on-failure: start it again only if it exited with an error.
        "KeepAlive": {"SuccessfulExit": False},
        "StandardOutPath": str(log_file),
        "StandardErrorPath": str(log_file),
    }
    lines = plistlib.dumps(agent).decode("utf-8").splitlines()
    lines.insert(2, f"<!-- {_HEADER} -->")
    return _stamped(lines, 3, "<!-- {} -->")


def startup_script(launched: Launch) -> str:
    setters = [f'set "{_cmd_text(name)}={_cmd_text(value)}"' for name, value in launched.env]
    lines = [
        "@echo off",
        # Batch files are read in the console code page; paths may not be ASCII.
        "chcp 65001 >nul",
        f"rem {_HEADER}",
        *setters,
        'start "glutewake" /min ' + " ".join(_cmd_word(arg) for arg in launched.argv),
    ]
    return _stamped(lines, 3, "rem {}")


def _cmd_text(text: str) -> str:
    return text.replace("%", "%%")


def _cmd_word(arg: str) -> str:
    if '"' in arg:
        # Windows file names cannot hold one, and cmd has no way to quote it.
        raise ServiceError(
            _("cannot start {value!r} from a .cmd file: it contains a double quote").format(
                value=arg
            )
        )
    if re.fullmatch(r"[\w\\/.:+,=-]+", arg):
        return _cmd_text(arg)
    return f'"{_cmd_text(arg)}"'


def _stamped(lines: list[str], at: int, template: str) -> str:
    """The file text with a line holding the hash of everything else inserted at `at`."""
    body = "\n".join(lines) + "\n"
    stamp = template.format(f"{_STAMP_KEY} {_digest(body)}")
    return "\n".join([*lines[:at], stamp, *lines[at:]]) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_state(path: Path) -> FileState:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return FileState.ABSENT
    except UnicodeDecodeError:
        return FileState.FOREIGN
    except OSError as exc:
        raise ServiceError(
            _("{path}: cannot read it ({why})").format(path=path, why=exc.strerror or exc)
        ) from None
    match = _STAMP.search(text)
    if match is None:
        return FileState.FOREIGN
    body = text[: match.start()] + text[match.end() :]
    return FileState.INSTALLED if _digest(body) == match.group(1) else FileState.CHANGED
