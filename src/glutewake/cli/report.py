"""`glutewake report`: the log as one HTML page of charts."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from glutewake import report
from glutewake.cli.base import command
from glutewake.cli.context import App, pass_app
from glutewake.cli.log import _check_exclusive, _open_log
from glutewake.cli.params import period_options
from glutewake.errors import GlutewakeError
from glutewake.i18n import N_, _
from glutewake.output import message


@command()
@period_options(
    N_(
        "From a date (2024-03-31), a local time (2024-03-31T14:00), today, yesterday, or the "
        'last N days or weeks ("3d", "2w"; today counts as one). Default: 4w.'
    ),
    today=False,
)
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    help=N_("Where to write the page (- for stdout). Default: glutewake-report-DATE.html here."),
)
@click.option("--open", "open_it", is_flag=True, help=N_("Open the page in your web browser."))
@pass_app
def report_command(
    app: App,
    week: bool,
    month: bool,
    since: str | None,
    until: str | None,
    output: str | None,
    open_it: bool,
) -> None:
    """Write an HTML report of the log: charts of days, hours, streaks and exercises.

    One self-contained page (no network, no script): breaks per day against your goal,
    when in the week you sit longest and skip, a year of days coloured by the goal, the
    balance of glute work and hip-flexor stretches, and the trend week by week. Same
    periods as `log`, local days; the default is the last 4 weeks.

    \b
    Examples:
      glutewake report --open
      glutewake report --month --output november.html
      glutewake report --since 2024-01-01 --until 2024-03-31
    """
    from glutewake import report_html

    _check_exclusive(week=week, month=month, since=since)
    if output == "-" and open_it:
        raise click.UsageError(_("--open needs a file; not with --output -"))
    now = datetime.now(timezone.utc)
    if not (week or month or since):
        since = report_html.DEFAULT_SINCE
    try:
        period = report.choose_period(now, week=week, month=month, since=since, until=until)
    except report.OptionError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{exc.option}'") from None
    target = None if output == "-" else Path(output or report_html.default_name(now))
    if target is not None:
        report_html.check_output(target, app.db_path())
    goal = app.settings().goals.daily_breaks
    store = _open_log(app)
    try:
        data = report_html.gather(store, period, goal=goal, now=now)
    finally:
        if store is not None:
            store.close()
    page = report_html.render(data)
    if target is None:
        click.echo(page, nl=False)
        return
    _write(target, page)
    message(_("wrote {path}").format(path=target))
    if open_it:
        _open(target)


def _write(target: Path, page: str) -> None:
    from glutewake.files import atomic_write

    try:
        atomic_write(target, page)
    except OSError as exc:
        raise GlutewakeError(
            _("{path}: cannot write the report ({reason})").format(
                path=target, reason=exc.strerror or exc
            )
        ) from None


def _open(target: Path) -> None:
    import webbrowser

    if not webbrowser.open(target.resolve().as_uri()):
        raise GlutewakeError(
            _("{path}: written, but no web browser could be opened; open it yourself").format(
                path=target
            )
        )
