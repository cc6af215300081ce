"""`glutewake exercises`: the catalog as a table or JSON, and one exercise's card."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

import click
from click.core import ParameterSource
from click.shell_completion import CompletionItem

from glutewake.card import card_width, render_card, reps_text
from glutewake.catalog import (
    NOT_OFFERED_FILTERS,
    NOT_OFFERED_TOO_LONG,
    Catalog,
    Exercise,
    load_bundled,
    not_offered,
)
from glutewake.cli.base import group
from glutewake.cli.context import App, pass_app
from glutewake.durations import format_duration, format_seconds
from glutewake.errors import GlutewakeError
from glutewake.i18n import N_, NC_, _, pgettext
from glutewake.output import Column, emit, format_option, message, terminal_columns
from glutewake.paths import resolve
from glutewake.vocab import CATEGORIES, SPACES, category_label

F = TypeVar("F", bound=Callable[..., Any])

# Headers translated where shown; lower case and bold, as every glutewake table has them
# (`log`, its summary).
COLUMNS: list[Column] = [
    ("id", N_("id")),
    ("name", N_("name")),
    ("category", N_("category")),
    ("space", N_("space")),
    ("time", N_("time")),
]

# A space in a table cell: one word (the card says "at your desk").
SPACE_WORDS = {"desk": NC_("space", "desk"), "standing": NC_("space", "standing")}
SPACE_WORDS |= {"floor": NC_("space", "floor")}
_LIST_OPTIONS = ("categories", "spaces", "fmt")


def list_options(command: F) -> F:
    """--category, --space and --format, shared by `exercises` and `exercises list`."""
    command = format_option("table", "json")(command)
    for flag, dest, choices, help_text in (
        ("--space", "spaces", SPACES, N_("Only exercises done in this space (repeatable).")),
        ("--category", "categories", CATEGORIES, N_("Only this category (repeatable).")),
    ):
        choice = click.Choice(choices)
        command = click.option(flag, dest, multiple=True, type=choice, help=help_text)(command)
    return command


@group(invoke_without_command=True)
@list_options
@pass_app
def exercises(app: App, categories: tuple[str, ...], spaces: tuple[str, ...], fmt: str) -> None:
    """List the exercise catalog (the default), or show one exercise.

    The catalog is the bundled exercises plus your own from [[exercises.custom]] in
    the config file.

    \b
    Examples:
      glutewake exercises                      # the whole catalog
      glutewake exercises --space desk --space standing
      glutewake exercises --format json
      glutewake exercises show glute-bridge
    """
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is None:
        _list(app, categories, spaces, fmt)
        return
    given = [
        name for name in _LIST_OPTIONS if ctx.get_parameter_source(name) != ParameterSource.DEFAULT
    ]
    if given:
        raise click.UsageError(
            _(
                "--category, --space and --format go after `list`: "
                "glutewake exercises list --format json"
            )
        )


@exercises.command("list")
@list_options
@pass_app
def list_(app: App, categories: tuple[str, ...], spaces: tuple[str, ...], fmt: str) -> None:
    """List exercises: id, name, category, space and how long.

    JSON has every field (duration in seconds), plus `dose` as shown in the card,
    `eligible`: whether a break may choose it, and `not_offered`: why not, "filters"
    (your [exercises] settings) or "too_long" (it does not fit in [timer] break).

    \b
    Examples:
      glutewake exercises list --category hip_flexors
      glutewake exercises list --format json | jq '.[].id'
    """
    _list(app, categories, spaces, fmt)


def complete_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Exercise ids starting with what has been typed, with their names as help."""
    catalog = _catalog_for_completion(ctx)
    return [
        CompletionItem(e.id, help=e.name) for e in catalog.exercises if e.id.startswith(incomplete)
    ]


@exercises.command()
@click.argument("exercise_id", metavar="ID", shell_complete=complete_ids)
@pass_app
def show(app: App, exercise_id: str) -> None:
    """Show one exercise's card: steps, how much, and the cue that makes it work.

    This is the card a break shows. Tab completes the id (see your shell's
    click completion setup).

    \b
    Examples:
      glutewake exercises show glute-bridge
      glutewake exercises show hip-flexor-stretch
    """
    width = card_width(terminal_columns())
    click.echo(render_card(app.catalog().get(exercise_id), width))


def _list(app: App, categories: tuple[str, ...], spaces: tuple[str, ...], fmt: str) -> None:
    catalog = app.catalog()
    chosen = catalog.select(categories, spaces)
    if not chosen and fmt == "table":
        message(_("no exercise matches these --category and --space options"))
        return
    break_s = app.settings().timer.break_
    why_not = not_offered(catalog, break_s)
    rows = [_row(e, why_not.get(e.id)) for e in chosen]
    if fmt == "table":
        rows = [row | _table_cells(e) for row, e in zip(rows, chosen, strict=True)]
    emit(rows, COLUMNS, fmt)
    if fmt == "table":
        _not_offered_notes(rows, break_s)


def _not_offered_notes(rows: list[dict[str, Any]], break_s: int) -> None:
    """Which ones a break never chooses (JSON carries `eligible`), and why; lines under
    the table rather than a column, which would not fit 80 columns."""
    notes = []
    filtered = [row["id"] for row in rows if row["not_offered"] == NOT_OFFERED_FILTERS]
    if filtered:
        notes.append(
            _("not offered by your [exercises] settings ({count}): {ids}").format(
                count=len(filtered), ids=", ".join(filtered)
            )
        )
    too_long = [row["id"] for row in rows if row["not_offered"] == NOT_OFFERED_TOO_LONG]
    if too_long:
        notes.append(
            _("not offered, longer than [timer] break {length} ({count}): {ids}").format(
                length=format_duration(break_s), count=len(too_long), ids=", ".join(too_long)
            )
        )
    width = min(100, terminal_columns() or 80)
    for note in notes:
        click.echo("\n" + textwrap.fill(note, width=width, break_on_hyphens=False))


def _table_cells(exercise: Exercise) -> dict[str, str]:
    """The cells people read: words in their language, a short dose (holds are on the card)."""
    per_side = exercise.sides == 2
    reps = reps_text(exercise, short=True)
    parts = [reps] if reps else []
    if exercise.duration is not None:
        time = format_seconds(exercise.duration)
        parts.append(_("{time}/side").format(time=time) if per_side and not parts else time)
    space = SPACE_WORDS.get(exercise.space)
    return {
        "time": " · ".join(parts),
        "category": category_label(exercise.category),
        "space": pgettext("space", space) if space else exercise.space,
    }


def _row(exercise: Exercise, why_not: str | None) -> dict[str, Any]:
    row = asdict(exercise)
    row["targets"] = list(exercise.targets)
    row["steps"] = list(exercise.steps)
    row["dose"] = exercise.dose
    # Whether a break may choose it, by the chooser's own rule; if not, why.
    row["eligible"] = why_not is None
    row["not_offered"] = why_not
    return row


def _catalog_for_completion(ctx: click.Context) -> Catalog:
    # While completing, click parses but does not run `main`, so there is no App yet.
    app = ctx.find_object(App)
    try:
        if app is None:
            config_flag = ctx.find_root().params.get("config_path")
            app = App(paths=resolve(config_flag, os.environ))
        return app.catalog()
    except GlutewakeError:
        return Catalog(load_bundled())
