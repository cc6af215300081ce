"""`glutewake start`: the foreground loop."""

from __future__ import annotations

import os

import click

from glutewake.cli.base import command
from glutewake.cli.context import App, pass_app
from glutewake.cli.params import DURATION
from glutewake.config import Settings, load, with_overrides
from glutewake.i18n import N_


@command()
@click.option("--sit", type=DURATION, help=N_("Seated time before a break, for this run."))
@click.option("--break", "break_", type=DURATION, help=N_("Break length, for this run."))
@click.option("--no-desktop", is_flag=True, help=N_("No desktop notifications; the terminal only."))
@pass_app
def start(app: App, sit: int | None, break_: int | None, no_desktop: bool) -> None:
    """Remind me to get up: runs in this terminal until Ctrl-C.

    At each break a desktop notification names the exercise, and this terminal shows
    its steps and cue and waits for one key: Enter start, s snooze, n another, x skip.
    Not on a terminal (a service, nohup), answer with `glutewake done|snooze|skip`.

    \b
    Examples:
      glutewake start
      glutewake start --sit 30m --break 3m
      nohup glutewake start --no-desktop >> ~/glutewake.out &
    """
    from glutewake import remind

    overrides = {k: v for k, v in (("sit", sit), ("break_", break_)) if v is not None}
    settings = with_overrides(app.settings(), **overrides)
    path = app.paths.config_file

    def read_again() -> Settings:
        # An edit reaches the running loop; the command line's options still win.
        return with_overrides(load(path, must_exist=app.paths.config_explicit), **overrides)

    tally = remind.run(
        settings,
        app.catalog(),
        db_path=app.log_to_write(),
        lock_path=app.paths.lock_file,
        env=os.environ,
        desktop=not no_desktop,
        config=(path, read_again),
    )
    click.echo(tally.line())
