"""`glutewake service`: start the loop at login, stop doing so, and say what is set up."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from glutewake import service as svc
from glutewake.cli.base import group
from glutewake.cli.context import App, pass_app
from glutewake.i18n import N_, _
from glutewake.lock import running
from glutewake.output import emit, format_option

_PLATFORM = svc.platform_name(sys.platform)


@group()
def service() -> None:
    """Start glutewake at every login, or stop doing so.

    Linux: a systemd user unit (an XDG autostart entry without one); macOS: a
    LaunchAgent; Windows: a script in the Startup folder.

    \b
    Examples:
      glutewake service install --dry-run   # show the file and commands first
      glutewake service install
      glutewake service status
      glutewake service uninstall
    """


@service.command()
@click.option(
    "--kind",
    type=click.Choice(svc.KINDS[_PLATFORM]),
    help=N_("How to start it (default: the best one that works here)."),
)
@click.option(
    "--dry-run", is_flag=True, help=N_("Print what would be written and run; change nothing.")
)
@click.option(
    "--force",
    is_flag=True,
    help=N_("Overwrite a file changed since glutewake wrote it, or not written by it."),
)
@pass_app
def install(app: App, kind: svc.Kind | None, dry_run: bool, force: bool) -> None:
    """Run the loop at every login (and now, where the platform allows it).

    It runs `glutewake start` with the current --config, without a terminal: breaks
    come as desktop notifications; answer them with `glutewake done`, `snooze` or `skip`.

    \b
    Examples:
      glutewake service install --dry-run
      glutewake --config ~/dotfiles/glutewake.toml service install
      glutewake service install --kind autostart   # XDG autostart, not systemd
    """
    # A broken config would only show up as a unit that keeps failing at login.
    app.settings()
    host = _host()
    executable = svc.find_executable(sys.argv[0], sys.executable)
    launched = svc.launch(executable, app.paths, os.environ)
    _carry_out(svc.plan_install(host, kind, launched, force=force), dry_run)


@service.command()
@click.option(
    "--dry-run", is_flag=True, help=N_("Print what would be removed and run; change nothing.")
)
@click.option(
    "--force", is_flag=True, help=N_("Also remove files changed since glutewake wrote them.")
)
def uninstall(dry_run: bool, force: bool) -> None:
    """Stop starting glutewake at login: remove what `install` wrote.

    \b
    Examples:
      glutewake service uninstall --dry-run
      glutewake service uninstall
    """
    _carry_out(svc.plan_uninstall(_host(), force=force), dry_run)


@service.command()
@format_option("table", "json")
@pass_app
def status(app: App, fmt: str) -> None:
    """Show what starts glutewake at login and whether the loop runs.

    \b
    Example:
      glutewake service status --format json
    """
    rows: list[dict[str, Any]] = [
        {"kind": item.kind, "state": item.state.value, "where": str(item.path)}
        for item in svc.installed(svc.locations(_PLATFORM, os.environ))
    ]
    holder = running(app.paths.lock_file)
    loop: dict[str, Any] = {"kind": "loop", "state": N_("running") if holder else N_("not running")}
    if holder:
        loop["where"] = _("pid {pid} since {time}").format(
            pid=holder.pid, time=f"{holder.since:%Y-%m-%d %H:%M}"
        )
        loop.update(pid=holder.pid, since=holder.since.isoformat(timespec="seconds"))
    rows.append(loop)
    if fmt == "table":
        rows = [row | {"state": _(row["state"])} for row in rows]
    emit(rows, [("kind", N_("KIND")), ("state", N_("STATE")), ("where", N_("WHERE"))], fmt)


def _host() -> svc.Host:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return svc.detect(_PLATFORM, os.environ, uid=uid)


def _carry_out(plan: svc.Plan, dry_run: bool) -> None:
    if plan.reason:
        click.echo(plan.reason)
    if dry_run:
        for line in svc.describe(plan):
            click.echo(line)
    else:
        svc.apply(plan, svc.run_loud, click.echo)
    for note in plan.notes:
        # A dry run changed nothing: its notes tell what the real run would lead to.
        click.echo(_("then: {note}").format(note=note) if dry_run else note)
