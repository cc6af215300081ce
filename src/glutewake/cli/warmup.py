"""`glutewake warmup`: a guided glute activation routine, in the foreground."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import click

from glutewake.cli.base import command
from glutewake.cli.context import App, pass_app
from glutewake.i18n import N_, _, ngettext
from glutewake.vocab import SPACES
from glutewake.warmup import DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES

if TYPE_CHECKING:
    from glutewake.catalog import Exercise
    from glutewake.player import Segment

# Ctrl-C: the shell's convention for "ended by SIGINT".
EXIT_INTERRUPTED = 130


@command()
@click.option(
    "--space",
    "spaces",
    multiple=True,
    type=click.Choice(SPACES),
    help=N_("Where you can do it (repeatable); default: [exercises] spaces."),
)
@click.option(
    "--minutes",
    type=click.IntRange(MIN_MINUTES, MAX_MINUTES),
    default=DEFAULT_MINUTES,
    show_default=True,
    metavar="N",
    help=N_("Fit the routine to about N minutes."),
)
@click.option("--list", "list_only", is_flag=True, help=N_("Print the routine; do not run it."))
@pass_app
@click.pass_context
def warmup(
    ctx: click.Context, app: App, spaces: tuple[str, ...], minutes: int, list_only: bool
) -> None:
    """Wake the glutes before a workout: a guided routine of easy activation exercises.

    This terminal counts each exercise down (sides, holds, reps) and says when to move
    on to the next; Enter ends it early. It is logged as a warm-up (`glutewake log`),
    and a running `glutewake start` counts it as a break taken when it runs to its end
    or at least [timer] break; stopped sooner, it is not a break.

    \b
    Examples:
      glutewake warmup                     # about 5 minutes, your [exercises] spaces
      glutewake warmup --space floor --space standing --minutes 6
      glutewake warmup --list
    """
    from glutewake.warmup import routine, segments

    settings = app.settings()
    if not list_only:
        app.log_to_write()  # before the routine: a [log] database in a missing folder
    chosen = routine(app.catalog(), spaces or settings.exercises.spaces, minutes)
    plan = segments(chosen)
    total = sum(s.seconds or 0 for s in plan)
    click.echo(_overview(chosen, total))
    if list_only:
        return
    stopped = _run(app, plan, chosen, minutes, bell=settings.notify.bell)
    if stopped:
        ctx.exit(EXIT_INTERRUPTED)


def _overview(chosen: Sequence[Exercise], total: int) -> str:
    import textwrap

    from glutewake.card import card_width, dose_text
    from glutewake.durations import format_duration
    from glutewake.output import terminal_columns

    width = card_width(terminal_columns())

    lines = [
        ngettext(
            "Warm-up: {n} exercise, about {time}",
            "Warm-up: {n} exercises, about {time}",
            len(chosen),
        ).format(n=len(chosen), time=format_duration(max(60, round(total / 60) * 60)))
    ]
    for number, exercise in enumerate(chosen, 1):
        lines.append(f"{number:>3}. {exercise.name} · {dose_text(exercise)}")
        lines += textwrap.wrap(
            exercise.cue,
            width,
            initial_indent="     ",
            subsequent_indent="     ",
            break_on_hyphens=False,
        )
    return "\n".join(lines)


def _run(
    app: App, plan: Sequence[Segment], chosen: Sequence[Exercise], minutes: int, *, bell: bool
) -> bool:
    """Run the routine; record it; tell a running loop. True when Ctrl-C stopped it."""
    from glutewake.player import Player, guide
    from glutewake.terminal import make_ui

    started = datetime.now(timezone.utc)
    _tell_the_loop_it_began(app, plan)
    player = Player(plan, start=time.monotonic(), end_text=N_("warm-up done"))
    interrupted = False
    with make_ui(sys.stdout, sys.stdin) as ui:
        ui.say(_("Enter ends the warm-up early; Ctrl-C stops it"))
        try:
            guide(player, ui, time.monotonic, bell=bell)
        except KeyboardInterrupt:
            interrupted = True
    seconds = player.seconds(time.monotonic())
    _record(app, started, seconds, player.completed, minutes, [e.id for e in chosen])
    _tell_the_loop(app, seconds, player.completed)
    return interrupted


def _record(
    app: App, at: datetime, seconds: int, completed: bool, minutes: int, ids: list[str]
) -> None:
    from glutewake.errors import GlutewakeError
    from glutewake.output import message
    from glutewake.store import Store, WarmupRecord

    record = WarmupRecord(at, seconds, completed, minutes, tuple(ids))
    try:
        log = app.log_to_write()
        # The data folder (the default log's) is ours to make; a folder named in the
        # config was checked before the routine.
        with Store.open(log, make_folder=log.parent == app.paths.data_dir) as store:
            store.add_warmup(record)
    except GlutewakeError as exc:
        message(_("warning: the warm-up was not logged: {why}").format(why=exc))


# A warm-up that ran this much past its plan (Enter-paced reps, a phone call) is taken
# as abandoned by the loop, which then lets its sitting clock run again.
WARMUP_GRACE_S = 600


def _tell_the_loop_it_began(app: App, plan: Sequence[Segment]) -> None:
    """A running loop holds its sitting clock while the warm-up runs, so no break falls
    due in the middle of it; told the planned length, with some grace, as the limit."""
    from glutewake import channel
    from glutewake.errors import LoopError
    from glutewake.lock import running
    from glutewake.output import message
    from glutewake.player import planned_seconds

    if running(app.paths.lock_file) is None:
        return
    limit = planned_seconds(plan) + WARMUP_GRACE_S
    try:
        channel.send(app.paths.lock_file, "warmup_start", str(limit), channel.utc_now)
    except LoopError as exc:
        message(_("the running glutewake does not hold its clock for it: {why}").format(why=exc))


def _tell_the_loop(app: App, seconds: int, completed: bool) -> None:
    from glutewake import channel
    from glutewake.errors import LoopError
    from glutewake.lock import running
    from glutewake.output import message

    if running(app.paths.lock_file) is None:
        return
    try:
        channel.send(app.paths.lock_file, "warmup", f"{seconds}:{int(completed)}", channel.utc_now)
        message(_("the running glutewake counts it as a break"))
    except LoopError as exc:
        message(_("the running glutewake did not count it as a break: {why}").format(why=exc))
