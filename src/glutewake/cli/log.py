"""`glutewake log`: the breaks you took, skipped and missed, or a per-day summary."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import click

from glutewake import report
from glutewake.cli.base import FormattedHelpOption, command
from glutewake.cli.context import App, pass_app
from glutewake.cli.params import period_options
from glutewake.i18n import N_, _
from glutewake.output import emit, format_option, message, style, to_csv, to_json
from glutewake.store import Store, StoreMissing
from glutewake.text import clip
from glutewake.vocab import OUTCOMES

if TYPE_CHECKING:
    from glutewake.summary import Summary


@command()
@period_options()
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    metavar="OUTCOME",
    cls=FormattedHelpOption,
    help=N_("Only these outcomes ({outcomes}); repeat or separate with commas."),
    help_values=lambda: {"outcomes": ", ".join(LOG_OUTCOMES)},
)
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help=N_("The N most recent."))
@click.option(
    "--summary", is_flag=True, help=N_("Per-day chart, compliance, streaks, top exercises.")
)
@format_option()
@pass_app
def log(
    app: App,
    today: bool,
    week: bool,
    month: bool,
    since: str | None,
    until: str | None,
    outcomes: tuple[str, ...],
    limit: int | None,
    summary: bool,
    fmt: str,
) -> None:
    """Show the break log (default: the last 7 days, today included).

    Each break is one row: date, time, exercise, category, outcome (done, skipped,
    missed, natural when you got up on your own, abandoned when the loop stopped during
    a break, or warmup), snoozes and minutes sat before it. Days and times are local.

    \b
    Examples:
      glutewake log --today
      glutewake log --since 2w --outcome skipped,missed
      glutewake log --week --summary
      glutewake log --month --format csv > breaks.csv
    """
    _check_exclusive(today=today, week=week, month=month, since=since)
    if summary and (outcomes or limit):
        raise click.UsageError(_("--outcome and --limit filter the break list, not --summary"))
    now = datetime.now(timezone.utc)
    try:
        period = report.choose_period(
            now, today=today, week=week, month=month, since=since, until=until
        )
    except report.OptionError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{exc.option}'") from None
    wanted = _outcomes(outcomes)
    store = _open_log(app)
    if store is None:
        from glutewake.lock import running

        message(_(report.NO_BREAKS_YET if running(app.paths.lock_file) else report.NO_BREAKS))
        if fmt == "table":
            return
    try:
        if summary:
            goal = app.settings().goals.daily_breaks
            from glutewake.summary import summarize

            _show_summary(summarize(store, period, goal=goal, now=now), fmt)
        elif fmt in ("csv", "json") and limit is None:
            _export(store, period, wanted, fmt)
        else:
            rows = report.break_rows(store, period, outcomes=wanted, limit=limit) if store else []
            _show_breaks(rows, fmt, period)
    finally:
        if store is not None:
            store.close()


def _open_log(app: App) -> Store | None:
    """The log for reading, or None when there is none yet (nothing is created)."""
    try:
        store = Store.open(app.db_path(), create=False)
    except StoreMissing:
        # A [log] database in a folder that does not exist is a typo, not a log with
        # nothing in it yet: say so, as config check and start do.
        app.log_to_write()
        return None
    try:
        empty = store.first_break_at() is None
    except BaseException:
        store.close()
        raise
    if empty:
        store.close()
        return None
    return store


def _check_exclusive(**chosen: Any) -> None:
    named = [f"--{name}" for name, value in chosen.items() if value]
    if len(named) > 1:
        raise click.UsageError(
            _("{options} each choose the period; give only one").format(
                options=_(" and ").join(named)
            )
        )


# The break outcomes, and `glutewake warmup` routines listed among them.
LOG_OUTCOMES: tuple[str, ...] = (*OUTCOMES, report.WARMUP)


def _outcomes(values: tuple[str, ...]) -> tuple[str, ...]:
    if not values:
        return LOG_OUTCOMES
    wanted = [part.strip() for value in values for part in value.split(",") if part.strip()]
    for name in wanted:
        if name not in LOG_OUTCOMES:
            raise click.BadParameter(
                _("expected one of {choices}, got {value!r}").format(
                    choices=", ".join(LOG_OUTCOMES), value=clip(name)
                ),
                param_hint="'--outcome'",
            )
    return tuple(dict.fromkeys(wanted))


def _export(store: Store | None, period: report.Period, wanted: tuple[str, ...], fmt: str) -> None:
    """CSV or JSON written as the rows are read: a whole history in flat memory."""
    import sys

    from glutewake.export import export_pieces, write_export

    pieces = export_pieces(store, period, outcomes=wanted, fmt=fmt) if store else iter(())
    write_export(sys.stdout, pieces, fmt)
    sys.stdout.flush()


def _show_breaks(rows: list[report.BreakRow], fmt: str, period: report.Period) -> None:
    if fmt == "json":
        click.echo(to_json(rows))
    elif fmt == "csv":
        click.echo(to_csv(rows, report.BREAK_FIELDS), nl=False)
    elif rows:
        emit([report.break_display(row) for row in rows], report.BREAK_TABLE, fmt)
    else:
        message(_("no breaks from {period}").format(period=period.describe()))


def _show_summary(summary: Summary, fmt: str) -> None:
    from glutewake.summary import summary_csv_rows, summary_text

    if fmt == "json":
        click.echo(to_json(summary))
    elif fmt == "csv":
        rows = summary_csv_rows(summary)
        click.echo(to_csv(rows, report.SUMMARY_CSV_FIELDS), nl=False)
    else:
        click.echo(summary_text(summary, style))
