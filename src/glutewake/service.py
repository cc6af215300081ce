"""Start glutewake at login: a systemd user unit, an XDG autostart entry, a macOS
LaunchAgent or a Windows Startup-folder script.

Everything is computed from what the caller passes in (platform name, environment
mapping, executable, paths), so all four kinds are built and tested on any OS. The files
themselves (their formats, quoting and the hash that marks them as ours) are
service_files.py; this is where they go, and installing and removing them.

Just over ~450 lines on purpose: planning the install and uninstall of four kinds of
login start and applying those plans is one concern; the file formats already moved out.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from glutewake.files import atomic_write
from glutewake.i18n import N_, _
from glutewake.paths import APP, Paths

# Kind, Launch, FileState and ServiceError are part of this module's API too.
from glutewake.service_files import LABEL, SESSION_TARGET, UNIT, file_state, render
from glutewake.service_files import FileState as FileState
from glutewake.service_files import Kind as Kind
from glutewake.service_files import Launch as Launch
from glutewake.service_files import ServiceError as ServiceError

Platform = Literal["linux", "darwin", "win32"]

# Where the running loop learns about the same files as the shell that installed it.
CARRIED_ENV = ("GLUTEWAKE_HOME", "GLUTEWAKE_CONFIG")

KINDS: dict[Platform, tuple[Kind, ...]] = {
    "linux": ("systemd", "autostart"),
    "darwin": ("launchd",),
    "win32": ("startup",),
}
ALL_KINDS: tuple[Kind, ...] = ("systemd", "autostart", "launchd", "startup")
# Translated where shown.
DESCRIPTIONS: dict[Kind, str] = {
    "systemd": N_("systemd user unit"),
    "autostart": N_("XDG autostart entry"),
    "launchd": N_("launchd LaunchAgent"),
    "startup": N_("Startup-folder script"),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class SystemdState:
    reachable: bool = False
    # graphical-session.target active: the desktop starts units wanted by it at login.
    graphical: bool = False


@dataclass(frozen=True)
class Host:
    platform: Platform
    files: Mapping[Kind, Path]
    log_file: Path  # launchd's stdout/stderr; only macOS uses it
    systemd: SystemdState = SystemdState()
    uid: int = 0

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return KINDS[self.platform]

    @property
    def wants_link(self) -> Path:
        """The symlink `systemctl --user enable` makes for the unit."""
        return self.files["systemd"].parent / f"{SESSION_TARGET}.wants" / UNIT


@dataclass(frozen=True)
class Write:
    path: Path
    text: str


@dataclass(frozen=True)
class Remove:
    path: Path


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    # Stopping something that may not be loaded: a failure is reported, not fatal.
    may_fail: bool = False


Step = Write | Remove | Run


@dataclass(frozen=True)
class Plan:
    kind: Kind | None
    steps: tuple[Step, ...] = ()
    # Told before the steps (which kind, and why) and after them (what is left to do).
    reason: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Installed:
    kind: Kind
    path: Path
    state: FileState


Runner = Callable[[Sequence[str]], int]


# --- where things are -------------------------------------------------------------


def platform_name(sys_platform: str) -> Platform:
    """Map `sys.platform` to a kind family; other Unixes get the XDG (Linux) kinds."""
    if sys_platform == "darwin":
        return "darwin"
    if sys_platform in ("win32", "cygwin"):
        return "win32"
    return "linux"


def detect(
    platform: Platform, env: Mapping[str, str], uid: int = 0, probe: Runner | None = None
) -> Host:
    """The host as seen from `env`; on Linux `probe` asks systemctl about the user manager."""
    systemd = systemd_state(probe or run_quiet) if platform == "linux" else SystemdState()
    home = _home(env)
    return Host(
        platform=platform,
        files=locations(platform, env),
        log_file=home / "Library" / "Logs" / f"{APP}.log",
        systemd=systemd,
        uid=uid,
    )


def locations(platform: Platform, env: Mapping[str, str]) -> dict[Kind, Path]:
    home = _home(env)
    if platform == "darwin":
        return {"launchd": home / "Library" / "LaunchAgents" / f"{LABEL}.plist"}
    if platform == "win32":
        appdata = _absolute(env.get("APPDATA")) or home / "AppData" / "Roaming"
        startup = appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
        return {"startup": startup / f"{APP}.cmd"}
    config = _absolute(env.get("XDG_CONFIG_HOME")) or home / ".config"
    return {
        "systemd": config / "systemd" / "user" / UNIT,
        "autostart": config / "autostart" / f"{APP}.desktop",
    }


def _home(env: Mapping[str, str]) -> Path:
    home = _absolute(env.get("HOME")) or _absolute(env.get("USERPROFILE"))
    if home is None:
        raise ServiceError(_("cannot tell your home folder: set HOME to an absolute path"))
    return home


def _absolute(value: str | None) -> Path | None:
    # The XDG spec says a relative value is invalid and must be ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return None


def systemd_state(probe: Runner) -> SystemdState:
    if probe(("systemctl", "--user", "show-environment")) != 0:
        return SystemdState()
    graphical = probe(("systemctl", "--user", "is-active", "--quiet", SESSION_TARGET)) == 0
    return SystemdState(reachable=True, graphical=graphical)


def find_executable(argv0: str, python: str) -> tuple[str, ...]:
    """The command that runs this very glutewake, as an absolute path.

    The console script that is running, else the one installed beside this interpreter,
    else `python -m glutewake` with this interpreter. A `glutewake` found on PATH is not
    used: it may belong to another installation than the one doing the install.
    """
    script = Path(argv0)
    if script.stem == APP and script.suffix.lower() in ("", ".exe"):
        # abspath, not resolve(): a pipx or Homebrew symlink survives upgrades, while
        # the versioned folder it points into does not.
        found = _first_file([Path(os.path.abspath(script)), Path(os.path.abspath(argv0 + ".exe"))])
        if found:
            return (found,)
    if not python:
        raise ServiceError(_("cannot tell which Python runs glutewake (sys.executable is empty)"))
    interpreter = Path(os.path.abspath(python))
    folders = [interpreter.parent, interpreter.parent / "Scripts"]
    found = _first_file([folder / name for folder in folders for name in (APP, f"{APP}.exe")])
    return (found,) if found else (str(interpreter), "-m", APP)


def _first_file(candidates: Sequence[Path]) -> str | None:
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    return None


def launch(executable: Sequence[str], paths: Paths, env: Mapping[str, str]) -> Launch:
    """`glutewake [--config PATH] start`, with the GLUTEWAKE_* variables this shell set."""
    config = ["--config", str(paths.config_file.absolute())] if paths.config_explicit else []
    resolved = {
        "GLUTEWAKE_HOME": str(paths.data_dir.absolute()),
        "GLUTEWAKE_CONFIG": str(paths.config_file.absolute()),
    }
    carried = tuple(
        (name, resolved[name])
        for name in CARRIED_ENV
        if env.get(name) and not (name == "GLUTEWAKE_CONFIG" and paths.config_explicit)
    )
    launched = Launch(argv=(*executable, *config, "start"), env=carried)
    for value in (*launched.argv, *(v for _name, v in launched.env)):
        if _CONTROL.search(value):
            raise ServiceError(
                _("cannot start {value!r} at login: it contains a control character").format(
                    value=value
                )
            )
    return launched


def installed(files: Mapping[Kind, Path]) -> list[Installed]:
    return [Installed(kind, path, file_state(path)) for kind, path in files.items()]


# --- install and uninstall ---------------------------------------------------------


def choose_kind(host: Host, asked: Kind | None) -> tuple[Kind, str]:
    """The kind to install and why, in words for the user."""
    if asked is not None:
        if asked not in host.kinds:
            raise ServiceError(
                _("--kind {kind} does not work on {platform}; use {choices}").format(
                    kind=asked, platform=host.platform, choices=_(" or ").join(host.kinds)
                )
            )
        return asked, _("as asked with --kind")
    if host.platform != "linux":
        return host.kinds[0], _("the way {platform} starts programs at login").format(
            platform=host.platform
        )
    if host.systemd.reachable and host.systemd.graphical:
        return "systemd", _("the systemd user manager runs and {target} is active").format(
            target=SESSION_TARGET
        )
    if host.systemd.reachable:
        return "autostart", _(
            "{target} is not active here, so a unit wanted by it would never start"
        ).format(target=SESSION_TARGET)
    return "autostart", _("no systemd user manager answers here")


def plan_install(host: Host, asked: Kind | None, launched: Launch, *, force: bool) -> Plan:
    kind, why = choose_kind(host, asked)
    path = host.files[kind]
    state = file_state(path)
    _check_ours(path, state, force, "overwrite")
    text = render(kind, launched, host.log_file)
    unchanged = state is FileState.INSTALLED and path.read_text(encoding="utf-8") == text
    steps: list[Step] = []
    notes: list[str] = []
    for other in host.kinds:
        if other == kind:
            continue
        other_state = file_state(host.files[other])
        if other_state is FileState.INSTALLED:
            steps += _removal(other, host)
        elif other_state is not FileState.ABSENT:
            notes.append(
                _("left {path} alone ({state})").format(
                    path=host.files[other], state=_(other_state.value)
                )
            )
    if not unchanged:
        steps.append(Write(path, text))
    steps_after, notes_after = _activation(
        kind, host, fresh=state is FileState.ABSENT, unchanged=unchanged
    )
    if unchanged:
        notes.append(_("{path} is up to date").format(path=path))
    reason = f"{_(DESCRIPTIONS[kind])}: {why}"
    return Plan(kind, tuple(steps + steps_after), reason, tuple(notes + notes_after))


def _check_ours(path: Path, state: FileState, force: bool, verb: str) -> None:
    if force or state in (FileState.ABSENT, FileState.INSTALLED):
        return
    message = (
        _("{path}: {state}; use --force to overwrite it")
        if verb == "overwrite"
        else _("{path}: {state}; use --force to remove it")
    )
    raise ServiceError(message.format(path=path, state=_(state.value)))


def _activation(
    kind: Kind, host: Host, *, fresh: bool, unchanged: bool
) -> tuple[list[Step], list[str]]:
    path = host.files[kind]
    if kind == "systemd":
        if not host.systemd.reachable:
            return [], [
                _(
                    "no systemd user manager answers here; in your desktop session run: "
                    "systemctl --user daemon-reload && systemctl --user enable --now {unit}"
                ).format(unit=UNIT)
            ]
        reload = [] if unchanged else [Run(_systemctl("daemon-reload"))]
        if fresh or unchanged:
            return [*reload, Run(_systemctl("enable", "--now", UNIT))], []
        return [*reload, Run(_systemctl("enable", UNIT)), Run(_systemctl("restart", UNIT))], []
    if kind == "launchd":
        domain = f"gui/{host.uid}"
        return [
            Run(("launchctl", "bootout", domain, str(path)), may_fail=True),
            Run(("launchctl", "bootstrap", domain, str(path))),
        ], []
    if kind == "autostart":
        note = _("glutewake starts at your next login; run `glutewake start` to start it now")
    else:
        note = _("glutewake starts at your next sign-in; run `glutewake start` to start it now")
    return [], [note]


def plan_uninstall(host: Host, *, force: bool) -> Plan:
    found = [item for item in installed(host.files) if item.state is not FileState.ABSENT]
    for item in found:
        _check_ours(item.path, item.state, force, "remove")
    steps = [step for item in found for step in _removal(item.kind, host)]
    notes: list[str] = []
    if not found:
        notes.append(_("nothing to remove: glutewake is not set to start at login"))
    elif any(item.kind == "systemd" for item in found) and not host.systemd.reachable:
        notes.append(
            _("no systemd user manager answers here; a glutewake it started runs until logout")
        )
    return Plan(found[0].kind if found else None, tuple(steps), notes=tuple(notes))


def _removal(kind: Kind, host: Host) -> list[Step]:
    path = host.files[kind]
    if kind == "systemd":
        if host.systemd.reachable:
            return [
                Run(_systemctl("disable", "--now", UNIT), may_fail=True),
                Remove(path),
                Run(_systemctl("daemon-reload")),
            ]
        link = host.wants_link
        # Without a manager to run `disable`, remove its symlink ourselves, but only
        # if it is the one `enable` made for our unit.
        ours = link.is_symlink() and _link_target(link) == path
        return [*([Remove(link)] if ours else []), Remove(path)]
    if kind == "launchd":
        return [
            Run(("launchctl", "bootout", f"gui/{host.uid}", str(path)), may_fail=True),
            Remove(path),
        ]
    return [Remove(path)]


def _link_target(link: Path) -> Path:
    return Path(os.path.normpath(link.parent / os.readlink(link)))


def _systemctl(*args: str) -> tuple[str, ...]:
    return ("systemctl", "--user", *args)


# --- carrying a plan out ----------------------------------------------------------


def describe(plan: Plan) -> list[str]:
    """What the plan would do, as lines: file contents in full, commands as typed."""
    lines: list[str] = []
    for step in plan.steps:
        if isinstance(step, Write):
            lines.append(_("would write {path}:").format(path=step.path))
            lines += [f"    {line}" if line else "" for line in step.text.splitlines()]
        elif isinstance(step, Remove):
            lines.append(_("would remove {path}").format(path=step.path))
        else:
            lines.append(_("would run: {command}").format(command=shlex.join(step.argv)))
    return lines


def apply(plan: Plan, run: Runner, report: Callable[[str], None]) -> None:
    """Carry out each step in order, reporting each path touched and command run."""
    for step in plan.steps:
        if isinstance(step, Write):
            _write(step)
            report(_("wrote {path}").format(path=step.path))
        elif isinstance(step, Remove):
            _remove(step.path)
            report(_("removed {path}").format(path=step.path))
        else:
            command = shlex.join(step.argv)
            code = run(step.argv)
            if code == 0:
                report(_("ran: {command}").format(command=command))
            elif step.may_fail:
                report(
                    _("ran: {command} (exit code {code}; carrying on)").format(
                        command=command, code=code
                    )
                )
            else:
                raise ServiceError(
                    _("{command} failed with exit code {code}").format(command=command, code=code)
                )


def _write(step: Write) -> None:
    try:
        # The service manager's own folders (~/.config/systemd/user, LaunchAgents).
        atomic_write(step.path, step.text, make_folder=True)
    except OSError as exc:
        raise ServiceError(
            _("{path}: cannot write it ({why})").format(path=step.path, why=exc.strerror or exc)
        ) from None


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise ServiceError(
            _("{path}: cannot remove it ({why})").format(path=path, why=exc.strerror or exc)
        ) from None


def run_loud(argv: Sequence[str]) -> int:
    """Run a command with its output shown; 127 if it is not there."""
    return _run(argv, quiet=False)


def run_quiet(argv: Sequence[str]) -> int:
    return _run(argv, quiet=True)


def _run(argv: Sequence[str], *, quiet: bool) -> int:
    sink = subprocess.DEVNULL if quiet else None
    try:
        completed = subprocess.run(
            list(argv),
            stdout=sink,
            stderr=sink,
            stdin=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return 127
    return completed.returncode
