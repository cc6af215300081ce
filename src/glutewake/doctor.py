"""Can glutewake do its job here? One check per concern, each with the reason.

Checks only look: the config is loaded, the log is opened read-only (and only if it
exists), folders are tested with access(2). Nothing is created or changed.

The report fails (`glutewake doctor` exits 1) when `glutewake start` could not do its
job here: the config is invalid, the data folder or the log cannot be written, or
reminders have no way to reach the user (no working desktop notification and no
terminal). A missing idle back end or a closed schedule is reported, but not a failure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from glutewake.config import Settings, log_folder_problem
from glutewake.durations import format_short
from glutewake.errors import ConfigError
from glutewake.i18n import _, weekday
from glutewake.idle import IdleProbe, probe_all
from glutewake.paths import Paths


@dataclass(frozen=True)
class Check:
    name: str  # config | data | log | notifications | terminal | idle | schedule | reminders
    ok: bool
    summary: str  # one line: what was found, or why it cannot work
    # A failure here means glutewake cannot do its job (the report fails).
    essential: bool = False
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "essential": self.essential,
            "summary": self.summary,
            **self.details,
        }


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks if check.essential)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [check.to_dict() for check in self.checks]}


def diagnose(
    paths: Paths,
    env: Mapping[str, str],
    *,
    load_settings: Callable[[], Settings],
    db_path: Callable[[], Path],
    now: datetime,
    terminal: bool,
    platform: str = sys.platform,
) -> Report:
    """Run every check. `now` is local time; `terminal`: whether a terminal is attached."""
    config, settings = check_config(paths, load_settings)
    log_file = db_path() if config.ok else paths.default_db
    no_folder = log_folder_problem(settings, paths.default_db) if config.ok else None
    notifications, desktop_reason = check_notifications(settings, env, platform)
    checks = (
        config,
        check_data_folder(paths.data_dir),
        check_log(log_file, no_folder),
        notifications,
        check_terminal(terminal),
        check_idle(settings.idle.backend, env, platform),
        *check_busy(settings, env, platform),
        check_schedule(settings, now),
        check_reminders(desktop_reason, terminal),
    )
    return Report(checks)


def check_config(paths: Paths, load_settings: Callable[[], Settings]) -> tuple[Check, Settings]:
    """The config, and the settings the other checks use (defaults if it is invalid)."""
    path = paths.config_file
    details = {"path": str(path)}
    try:
        settings = load_settings()
    except ConfigError as exc:
        return Check("config", False, str(exc), essential=True, details=details), Settings()
    if path.exists():
        summary = _("{path} is valid").format(path=path)
    else:
        summary = _("{path} does not exist; using defaults").format(path=path)
    return Check("config", True, summary, essential=True, details=details), settings


def check_data_folder(folder: Path) -> Check:
    """The data folder holds the loop's lock (and, by default, the log)."""
    details = {"path": str(folder)}
    problem = _folder_problem(folder)
    if problem:
        return Check("data", False, problem, essential=True, details=details)
    if folder.is_dir():
        summary = _("{path} is writable").format(path=folder)
    else:
        summary = _("{path} will be created on the first start").format(path=folder)
    return Check("data", True, summary, essential=True, details=details)


def check_log(file: Path, no_folder: str | None = None) -> Check:
    """`no_folder`: why the folder [log] database names is missing (it is never made)."""
    details = {"path": str(file), "exists": file.exists()}
    if not file.exists():
        problem = no_folder or _folder_problem(file.parent)
        if problem:
            return Check("log", False, problem, essential=True, details=details)
        summary = _("{path} will be created on the first start").format(path=file)
        return Check("log", True, summary, True, details)
    problem = _log_problem(file)
    if problem:
        return Check("log", False, problem, essential=True, details=details)
    summary = _("{path} is writable").format(path=file)
    return Check("log", True, summary, essential=True, details=details)


def _log_problem(file: Path) -> str | None:
    from glutewake.errors import StoreError
    from glutewake.store import Store, StoreMissing

    if file.is_dir():
        return _("{path}: is a folder, expected the log database file").format(path=file)
    try:
        Store.open(file, create=False).close()  # read-only: never writes
    except StoreMissing:
        pass  # an empty file: the first start sets it up
    except StoreError as exc:
        return str(exc)
    try:
        # Opening for writing without O_CREAT/O_TRUNC changes nothing, and catches what
        # access(2) does not (read-only mounts, immutable files).
        os.close(os.open(file, os.O_RDWR))
    except OSError as exc:
        return _("{path}: cannot write the log ({why})").format(path=file, why=exc.strerror)
    if not os.access(file.parent, os.W_OK | os.X_OK):
        return _("{path}: not writable (SQLite keeps its journal next to the log)").format(
            path=file.parent
        )
    return None


def _folder_problem(folder: Path) -> str | None:
    """Why `folder` cannot be written (or created), or None."""
    if folder.exists():
        if not folder.is_dir():
            return _("{path}: is not a folder").format(path=folder)
        if not os.access(folder, os.W_OK | os.X_OK):
            return _("{path}: not writable").format(path=folder)
        return None
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return _("{path}: cannot be created, {parent} is not a folder").format(
            path=folder, parent=parent
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        return _("{path}: cannot be created, {parent} is not writable").format(
            path=folder, parent=parent
        )
    return None


def check_notifications(
    settings: Settings, env: Mapping[str, str], platform: str
) -> tuple[Check, str | None]:
    """The check, and why desktop notifications cannot reach the user (None if they can)."""
    if not settings.notify.desktop:
        reason = _("turned off ([notify] desktop = false)")
        return Check("notifications", True, reason, details={"backend": "off"}), reason
    if platform.startswith("linux"):
        direct = _check_freedesktop(env)
        if direct is not None:
            return direct, None
    from glutewake.notify import probe

    found = probe(env, platform)
    details = {"backend": found.backend}
    if found.ok:
        return Check("notifications", True, found.reason, details=details), None
    summary = found.reason if found.backend == "none" else f"{found.backend}: {found.reason}"
    return Check("notifications", False, summary, details=details), found.reason


# The capabilities that change what glutewake does, and what it does with each.
NOTIFY_CAPABILITIES = ("actions", "body-markup", "persistence", "sound")


def _check_freedesktop(env: Mapping[str, str]) -> Check | None:
    """The notification server glutewake talks to directly, and what it makes of it;
    None when none answers (the plyer probe then says why)."""
    from glutewake.dbus import Unavailable
    from glutewake.freedesktop import server_info

    try:
        info = server_info(env)
    except Unavailable:
        return None
    has = info.capabilities
    uses = [
        _("buttons Start, Snooze, Skip, Another")
        if "actions" in has
        else _("no buttons: answer in the terminal or with `glutewake done|snooze|skip`"),
        _("stays until answered")
        if "persistence" in has or info.name != "gnome-shell"
        else _("stays until answered (critical urgency)"),
    ]
    if "sound" in has:
        uses.append(_("sound with [notify] sound = true"))
    summary = _("{name} {version} over D-Bus: {uses}").format(
        name=info.name, version=info.version, uses="; ".join(uses)
    )
    details = {
        "backend": "freedesktop",
        "server": info.name,
        "vendor": info.vendor,
        "version": info.version,
        "spec_version": info.spec_version,
        "capabilities": sorted(has),
        **{name.replace("-", "_"): name in has for name in NOTIFY_CAPABILITIES},
    }
    return Check("notifications", True, summary, details=details)


def check_terminal(terminal: bool) -> Check:
    if terminal:
        return Check("terminal", True, _("start shows breaks and reads keys in this terminal"))
    return Check(
        "terminal", False, _("no terminal: start would print plain lines and read no keys")
    )


def check_idle(backend: str, env: Mapping[str, str], platform: str) -> Check:
    if backend == "off":
        return Check(
            "idle",
            True,
            _("turned off ([idle] backend = off): natural breaks are not detected"),
            details={"backend": "off", "seconds": None, "tried": []},
        )
    probes = probe_all(backend, env, platform)
    tried = [{"backend": p.backend, "ok": p.ok, "reason": p.reason} for p in probes]
    chosen = next((p for p in probes if p.ok), None)
    if chosen is None or chosen.seconds is None:
        return Check(
            "idle",
            False,
            _("none answers, natural breaks are not detected ({tried})").format(
                tried=_grouped(probes)
            ),
            details={"backend": None, "seconds": None, "tried": tried},
        )
    return Check(
        "idle",
        True,
        _("{backend}: idle for {time} ({reason})").format(
            backend=chosen.backend, time=format_short(chosen.seconds), reason=chosen.reason
        ),
        details={"backend": chosen.backend, "seconds": round(chosen.seconds, 3), "tried": tried},
    )


def check_busy(settings: Settings, env: Mapping[str, str], platform: str) -> list[Check]:
    """One line per busy detector: whether it can tell here, what it sees, or why not."""
    from glutewake.busy import DETECTORS, Finding, make_detector
    from glutewake.dbus import one_line

    quiet = settings.quiet
    checks = []
    for name in DETECTORS:
        if quiet.max_hold <= 0 or name not in quiet.when:
            why = "[quiet] max_hold = 0s" if quiet.max_hold <= 0 else _("not in [quiet] when")
            summary = _("off ({why}): never holds a break").format(why=why)
            checks.append(Check(name, True, summary, details={"answer": None}))
            continue
        detector = make_detector(name, env, platform)
        try:
            found = detector.check()
        except Exception as exc:  # doctor reports; it never crashes on an odd desktop
            found = Finding(name, "unknown", one_line(exc))
        finally:
            detector.close()
        details = {"answer": found.answer}
        if found.answer == "unknown":
            summary = _("unknown: {reason}; never holds a break").format(reason=found.reason)
            checks.append(Check(name, False, summary, details=details))
        else:
            words = _("busy now") if found.answer == "busy" else _("works here")
            checks.append(Check(name, True, f"{words}: {found.reason}", details=details))
    return checks


def _grouped(probes: list[IdleProbe]) -> str:
    """ "gnome, kde: no session bus; x11: DISPLAY is not set": one reason, once."""
    by_reason: dict[str, list[str]] = {}
    for found in probes:
        by_reason.setdefault(found.reason, []).append(found.backend)
    return "; ".join(f"{', '.join(names)}: {reason}" for reason, names in by_reason.items())


def check_schedule(settings: Settings, now: datetime) -> Check:
    from glutewake.schedule import is_open, next_change

    schedule = settings.schedule
    if not schedule.enabled:
        return Check("schedule", True, _("off: breaks at any time"), details={"open": True})
    hours = f"{','.join(schedule.days)} {schedule.start:%H:%M}-{schedule.end:%H:%M}"
    is_open_now = is_open(schedule, now)
    change = next_change(schedule, now)
    when = f"{weekday(change)} {change:%H:%M}" if change else _("never")
    if is_open_now:
        summary = _("open now, until {when}").format(when=when)
    else:
        summary = _("closed now, opens {when}").format(when=when)
    details = {"open": is_open_now, "next_change": change.isoformat() if change else None}
    return Check("schedule", True, f"{summary} ({hours})", details=details)


def check_reminders(desktop_problem: str | None, terminal: bool) -> Check:
    """The verdict: can a break reminder reach the user at all?"""
    if desktop_problem is None:
        if terminal:
            summary = _("reach you by a desktop notification and this terminal")
        else:
            summary = _("reach you by a desktop notification")
        return Check("reminders", True, summary, essential=True)
    if terminal:
        return Check(
            "reminders",
            True,
            _("reach you in this terminal only (no desktop notification: {why})").format(
                why=desktop_problem
            ),
            essential=True,
        )
    return Check(
        "reminders",
        False,
        _("cannot reach you: no terminal, and no desktop notification: {why}").format(
            why=desktop_problem
        ),
        essential=True,
    )
