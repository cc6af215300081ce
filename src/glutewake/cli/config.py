"""`glutewake config`: write, locate, show and check the config file."""

from __future__ import annotations

from pathlib import Path

import click

from glutewake import config as cfg
from glutewake.cli.base import group
from glutewake.cli.context import App, pass_app
from glutewake.i18n import N_, _
from glutewake.output import format_option, message, to_json


@group()
def config() -> None:
    """Write, locate, show and check the config file.

    \b
    Examples:
      glutewake config init        # write the documented example
      glutewake config check       # exit 1 with the problem, if any
      glutewake config show --format json
    """


@config.command()
@click.option("--force", is_flag=True, help=N_("Overwrite an existing config file."))
@pass_app
def init(app: App, force: bool) -> None:
    """Write the example config (every key, with its default) to the config path.

    \b
    Example:
      glutewake config init && $EDITOR "$(glutewake config path)"
    """
    target = app.paths.config_file
    cfg.write_example(target, force=force, make_folder=app.paths.config_default)
    click.echo(_("wrote {path}").format(path=target))


@config.command()
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help=N_("Also the data folder and the log database, one labelled line each."),
)
@pass_app
def path(app: App, show_all: bool) -> None:
    """Print the path of the config file (which need not exist).

    \b
    Examples:
      $EDITOR "$(glutewake config path)"
      glutewake config path --all    # config, data folder, log database
    """
    if not show_all:
        click.echo(str(app.paths.config_file))  # alone, for scripts
        return
    rows = [
        (_("config"), str(app.paths.config_file)),
        (_("data"), str(app.paths.data_dir)),
        (_("log"), str(app.db_path())),
    ]
    width = max(len(label) for label, _path in rows)
    for label, shown in rows:
        click.echo(f"{label:<{width}}  {shown}")


@config.command()
@format_option("toml", "json")
@pass_app
def show(app: App, fmt: str) -> None:
    """Print the effective settings: the config file over the defaults.

    \b
    Example:
      glutewake config show --format json
    """
    settings = app.settings()
    click.echo(
        to_json(cfg.to_dict(settings)) if fmt == "json" else cfg.to_toml(settings), nl=fmt == "json"
    )


@config.command()
# A plain path: the config loader says what is wrong with it in one line, exit 1, as
# `--config DIR` does (click's own check would be a usage error, exit 2).
@click.argument("file", required=False, type=click.Path(path_type=Path))
@pass_app
def check(app: App, file: Path | None) -> None:
    """Validate a config file (default: the config path); print "ok" or the problem.

    \b
    Examples:
      glutewake config check
      glutewake config check ~/dotfiles/glutewake.toml
    """
    if file is None:
        settings = app.checked_settings()
        source = app.paths.config_file
    else:
        from glutewake.catalog import build_catalog

        settings = cfg.load(file, must_exist=True)
        build_catalog(settings.exercises, source=file)
        source = file
    cfg.check_log_folder(settings, app.paths.default_db)
    click.echo(
        _("ok: {path}").format(path=source)
        if source.exists()
        else _("ok: {path} does not exist; using defaults").format(path=source)
    )
    _warn_if_the_loop_runs_older_settings(app, source)


def _warn_if_the_loop_runs_older_settings(app: App, source: Path) -> None:
    """A running loop reads an edited config again, except the sections it opens once."""
    from glutewake.lock import running

    holder = running(app.paths.lock_file)
    if holder is None or source.resolve() != app.paths.config_file.resolve():
        return
    try:
        changed = source.stat().st_mtime
    except OSError:
        return
    if changed <= holder.since.timestamp():
        return
    import time

    from glutewake.loop import CONFIG_TAKEN_WITHIN_S

    # The loop looks at the file whenever it wakes, at least every half a minute: an
    # edit older than that it has read already (what it said then is in its terminal).
    taken = time.time() - changed > CONFIG_TAKEN_WITHIN_S
    text = (
        N_(
            "note: the running loop (pid {pid}, started {since}) has taken this change by now "
            "(it looks every half a minute), except [idle], [quiet], [log] and [ui]: for "
            "those, glutewake stop, then glutewake start"
        )
        if taken
        else N_(
            "note: the running loop (pid {pid}, started {since}) takes this change within "
            "half a minute, except [idle], [quiet], [log] and [ui]: for those, glutewake "
            "stop, then glutewake start"
        )
    )
    message(_(text).format(pid=holder.pid, since=f"{holder.since.astimezone():%H:%M}"))
