"""`status` and the commands that answer the running loop from any terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from glutewake import channel
from glutewake.cli.base import command
from glutewake.cli.context import App, pass_app
from glutewake.cli.params import DURATION
from glutewake.durations import format_short
from glutewake.i18n import N_, _
from glutewake.output import format_option, to_json
from glutewake.status import DAY_S, NOT_RUNNING, clock_at

if TYPE_CHECKING:
    from glutewake.status import StatusView
    from glutewake.vocab import CommandName

EXIT_NOT_RUNNING = 3
# The loop runs but its log was moved aside: nothing is recorded, and it needs a restart.
EXIT_LOG_MOVED = 1


@command()
@format_option("text", "short", "json")
@pass_app
@click.pass_context
def status(ctx: click.Context, app: App, fmt: str) -> None:
    """What the running loop is doing: seated for, next break in, paused, standing.

    Exit code 3 when no loop runs; 1 when it runs but its log was moved aside (it
    records nothing more until restarted).

    \b
    Examples:
      glutewake status                 # seated 23m · break in 22m
      glutewake status --format short  # in tmux: #(glutewake status --format short)
      glutewake status --format json
    """
    try:
        current = channel.status(app.paths.lock_file, channel.utc_now())
    except channel.LogMoved as moved:
        click.echo(_moved(moved, fmt))
        ctx.exit(EXIT_LOG_MOVED)
        return
    if current is None:
        click.echo(to_json({"running": False, "state": None}) if fmt == "json" else _(NOT_RUNNING))
        ctx.exit(EXIT_NOT_RUNNING)
    elif fmt == "json":
        click.echo(to_json(current.as_dict()))
    else:
        click.echo(current.short() if fmt == "short" else current.text())


def _moved(moved: channel.LogMoved, fmt: str) -> str:
    if fmt == "json":
        holder = moved.holder
        return to_json(
            {
                "running": True,
                "state": "log_moved",
                "pid": holder.pid,
                "started_at": holder.since.isoformat(),
                "log": str(holder.db),
                "text": str(moved),
            }
        )
    return _("⚠ log moved") if fmt == "short" else str(moved)


@command()
@pass_app
@click.pass_context
def show(ctx: click.Context, app: App) -> None:
    """The current break's full card: steps, cue, caution, and how to answer it.

    For a loop that runs without a terminal (started at login), whose break is only a
    desktop notification: the card it cannot print. Exit code 3 when no loop runs.

    \b
    Example:
      glutewake show
    """
    import shutil

    from glutewake.card import card_width, render_card
    from glutewake.errors import CatalogError

    current = channel.status(app.paths.lock_file, channel.utc_now())
    if current is None:
        click.echo(_(NOT_RUNNING))
        ctx.exit(EXIT_NOT_RUNNING)
        return
    if current.exercise_id is None:
        click.echo(_("no break right now: {status}").format(status=current.text()))
        return
    try:
        exercise = app.catalog().get(current.exercise_id)
    except CatalogError:  # the config changed since the loop chose it
        click.echo(current.exercise_name or current.exercise_id)
        return
    # Wrapped to the terminal's width; off a terminal (a pipe), to the card's default.
    columns = shutil.get_terminal_size((0, 0)).columns
    click.echo(render_card(exercise, card_width(columns or None)))
    click.echo("")
    click.echo(_answer_line(current))


def _answer_line(current: StatusView) -> str:
    state = current.state
    if state == "due":
        if current.snoozes_left:
            return _("answer: glutewake done (start it) | glutewake snooze | glutewake skip")
        return _("answer: glutewake done (start it) | glutewake skip")
    if state == "break":
        return _("on a break: glutewake done ends it early")
    if state == "snoozed":
        if current.next_at is None:  # held while away
            return _(
                "snoozed: back when you are; take it now: glutewake done | skip it: glutewake skip"
            )
        if (current.next_in_s or 0) >= DAY_S:
            return _(
                "snoozed: back at {time}; take it now: glutewake done | skip it: glutewake skip"
            ).format(time=clock_at(current.next_at, current.now, with_day=True))
        return _(
            "snoozed: back in {left}; take it now: glutewake done | skip it: glutewake skip"
        ).format(left=format_short(current.next_in_s or 0))
    if state == "standing":
        return _("put off until you sit: glutewake sit brings it back")
    if state == "paused" and current.held == "warmup":
        return _("put off until the warm-up ends: done if the warm-up runs its course")
    if state == "paused":
        return _("put off until the pause ends: glutewake resume brings it back")
    return _("next break; take it now with: glutewake now")


def _send(app: App, name: CommandName, arg: str | None = None) -> None:
    current = channel.send(app.paths.lock_file, name, arg, channel.utc_now)
    click.echo(current.text())


@command()
@pass_app
def done(app: App) -> None:
    """Start the due break; during a break, end it.

    The break is guided in the loop's terminal and recorded as done when it is over,
    with the seconds it took and whether the exercise ran to its end.

    \b
    Example:
      glutewake done      # start the break (as Enter does)
      glutewake done      # again, during the break: end it early
    """
    _send(app, "done")


@command()
@click.argument("duration", type=DURATION, required=False)
@pass_app
def snooze(app: App, duration: int | None) -> None:
    """Put the due break off, by [timer] snooze or DURATION.

    \b
    Examples:
      glutewake snooze
      glutewake snooze 10m
    """
    _send(app, "snooze", str(duration) if duration else None)


@command()
@pass_app
def skip(app: App) -> None:
    """Skip the due break (recorded as skipped; the sitting clock restarts).

    \b
    Example:
      glutewake skip
    """
    _send(app, "skip")


@command()
@pass_app
def now(app: App) -> None:
    """Make a break due now, without waiting for the sitting clock.

    Its exercise is shown as when a break falls due, and you answer it the same way:
    Enter or glutewake done starts it, or snooze or skip it.

    \b
    Example:
      glutewake now
      glutewake done   # and the break starts
    """
    _send(app, "now")


@command()
@click.argument("duration", type=DURATION, required=False)
@click.option(
    "--until",
    "until",
    metavar="HH:MM",
    help=N_("Pause until this time of day (the next time it comes round)."),
)
@pass_app
def pause(app: App, duration: int | None, until: str | None) -> None:
    """Pause the sitting clock (meetings, lunch): for DURATION, until a time, or until
    resume.

    \b
    Examples:
      glutewake pause 1h
      glutewake pause --until 14:00
      glutewake pause && glutewake resume
    """
    if until is not None:
        if duration is not None:
            raise click.UsageError(_("give a DURATION or --until, not both"))
        duration = _seconds_until(until)
    before = channel.status(app.paths.lock_file, channel.utc_now())
    current = channel.send(
        app.paths.lock_file, "pause", str(duration) if duration else None, channel.utc_now
    )
    if before is not None and before.state == "paused":
        click.echo(_("pause replaced: {status}").format(status=current.text()))
    else:
        click.echo(current.text())


def _seconds_until(text: str) -> int:
    """Seconds from now to the next HH:MM local time (today, or tomorrow if it has passed)."""
    import math
    from datetime import datetime, time, timedelta

    from glutewake.localdays import at_local_time

    try:
        hour, minute = (int(part) for part in text.strip().split(":"))
        when = time(hour, minute)
    except ValueError:
        raise click.BadParameter(
            _("expected a time of day like 14:00, got {text!r}").format(text=text),
            param_hint="'--until'",
        ) from None
    now = datetime.now().astimezone()
    target = at_local_time(now.date(), when)
    if target <= now:
        target = at_local_time(now.date() + timedelta(days=1), when)
    # Rounded up: the pause ends at that minute, never the one before.
    return max(1, math.ceil((target - now).total_seconds()))


@command()
@pass_app
def resume(app: App) -> None:
    """Resume after a pause.

    \b
    Example:
      glutewake resume
    """
    _send(app, "resume")


@command()
@pass_app
def stop(app: App) -> None:
    """Stop the running loop, from any terminal (as Ctrl-C in its own does).

    A break still due or snoozed is logged as abandoned.

    \b
    Example:
      glutewake stop
    """
    pid = channel.stop(app.paths.lock_file, channel.utc_now)
    click.echo(_("glutewake stopped (pid {pid})").format(pid=pid))


@command()
@pass_app
def stand(app: App) -> None:
    """Standing desk up: the sitting clock stops while you stand.

    \b
    Example:
      glutewake stand
    """
    _send(app, "stand")


@command()
@pass_app
def sit(app: App) -> None:
    """Sitting down again: the sitting clock runs again.

    \b
    Example:
      glutewake sit
    """
    _send(app, "sit")
