"""`glutewake doctor`: which notification, idle and busy back ends work here, where files live."""

from __future__ import annotations

import os
import sys
from datetime import datetime

import click

from glutewake.cli.base import command
from glutewake.cli.context import App, pass_app
from glutewake.doctor import Report, diagnose
from glutewake.i18n import N_, _
from glutewake.output import format_option, style, to_json

# Translated where shown.
LABELS = {
    "config": N_("config"),
    "data": N_("data folder"),
    "log": N_("log"),
    "notifications": N_("notifications"),
    "terminal": N_("terminal"),
    "idle": N_("idle time"),
    "dnd": N_("dnd"),
    "fullscreen": N_("full screen"),
    "camera": N_("camera"),
    "microphone": N_("microphone"),
    "schedule": N_("schedule"),
    "reminders": N_("reminders"),
}


@command()
@format_option("text", "json")
@click.option(
    "--notify",
    "sample",
    is_flag=True,
    help=N_("Also send a sample break notification, to see one now (it goes by itself)."),
)
@pass_app
def doctor(app: App, fmt: str, sample: bool) -> None:
    """Check that glutewake can remind you here: one line per check, ✓ or ✗ and why.

    Checks the config file, the data folder and log database (without creating or
    changing anything), the desktop notification server (on Linux: its name, version,
    and whether it shows buttons; elsewhere the back end plyer would use), the
    idle-time back end and the current
    idle seconds, each detector that holds a break while you are busy (do not disturb,
    full screen, camera, microphone: what it sees now, or why it cannot tell), and
    whether the schedule is open. With --notify, it also sends a sample break
    notification, so you see one now rather than at the first break.

    Exit status 1 when `glutewake start` could not do its job here: the config is
    invalid, the data folder or the log cannot be written, or reminders cannot reach
    you (no working desktop notification and no terminal). Other ✗ lines (no idle
    back end, no terminal while notifications work) are warnings: exit status 0.

    \b
    Examples:
      glutewake doctor
      glutewake doctor --notify
      glutewake doctor --format json | jq '.checks[] | select(.ok | not)'
    """
    report = diagnose(
        app.paths,
        os.environ,
        load_settings=app.checked_settings,
        db_path=app.db_path,
        now=datetime.now().astimezone(),
        terminal=_has_terminal(),
    )
    click.echo(to_json(report.to_dict()) if fmt == "json" else _text(report))
    failed = sample and not _sample(app)
    if not report.ok or failed:
        sys.exit(1)


def _sample(app: App) -> bool:
    from glutewake.notify import SAMPLE_TIMEOUT_S, send_sample

    settings = app.checked_settings()
    exercises = app.catalog().eligible() or app.catalog().exercises
    exercise = next((e for e in exercises if e.id == "glute-bridge"), exercises[0])
    failure, capabilities = send_sample(os.environ, exercise, settings.timer.snooze)
    if failure:
        click.echo(_("sample notification not sent: {reason}").format(reason=failure), err=True)
        return False
    buttons = "actions" in capabilities
    click.echo(
        _(
            "sample notification sent ({exercise}), for {seconds}s; a real break has buttons here"
        ).format(exercise=exercise.name, seconds=round(SAMPLE_TIMEOUT_S))
        if buttons
        else _(
            "sample notification sent ({exercise}), for {seconds}s; this server shows no buttons"
        ).format(exercise=exercise.name, seconds=round(SAMPLE_TIMEOUT_S)),
        err=True,
    )
    return True


def _text(report: Report) -> str:
    labels = {name: _(label) for name, label in LABELS.items()}
    width = max(len(label) for label in labels.values())
    lines = []
    for check in report.checks:
        mark = style("✓", fg="green") if check.ok else style("✗", fg="red", bold=True)
        lines.append(f"{mark} {labels.get(check.name, check.name):<{width}}  {check.summary}")
    return "\n".join(lines)


def _has_terminal() -> bool:
    """Whether a person at a terminal would see `start`: the controlling terminal, so a
    piped `doctor --format json | jq` still counts, and nohup/services/cron do not."""
    if sys.platform == "win32":
        return sys.stdin.isatty()
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True
