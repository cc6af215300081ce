"""Output conventions in one place.

Machine output (json, csv) goes to stdout, uncoloured and stable; messages go to
stderr; colour only on a TTY and never when NO_COLOR is set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO, TypeVar

import click

from glutewake.i18n import N_, _

F = TypeVar("F", bound=Callable[..., Any])

Column = tuple[str, str]  # (key in the row, header shown in a table)


def format_option(*choices: str, default: str | None = None) -> Callable[[F], F]:
    """The shared --format option; the first choice is the default."""
    choices = choices or ("table", "json", "csv")
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help=N_("Output format."),
        callback=_machine_output_in_english,
    )


MACHINE_FORMATS = ("json", "csv")


def _machine_output_in_english(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """JSON and CSV are for programs: the same in every language (names, reasons, labels)."""
    if value in MACHINE_FORMATS:
        from glutewake.i18n import set_language

        set_language("en")
    return value


def use_colour(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    if stream is None:  # stdout closed: nobody to show colour to
        return False
    try:
        return "NO_COLOR" not in os.environ and stream.isatty()
    except ValueError:  # a closed file
        return False


def style(
    text: str,
    *,
    fg: str | None = None,
    bold: bool = False,
    dim: bool = False,
    stream: TextIO | None = None,
) -> str:
    if not use_colour(stream):
        return text
    return click.style(text, fg=fg, bold=bold, dim=dim)


def terminal_columns(stream: TextIO | None = None) -> int | None:
    """The width of the terminal `stream` writes to, or None when it is not one."""
    stream = stream or sys.stdout
    try:
        return os.get_terminal_size(stream.fileno()).columns if stream.isatty() else None
    except (OSError, ValueError, AttributeError):
        return None


def message(text: str) -> None:
    """A human message (progress, warnings): stderr, so stdout stays machine-readable."""
    click.echo(text, err=True)


def to_json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(row.get(k)) for k in columns})
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return value


def to_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """Left-aligned columns separated by two spaces, headers in bold on a TTY."""
    from glutewake.columns import align

    headers = [_(header) for _key, header in columns]
    cells = [[_table_cell(row.get(key)) for key, _header in columns] for row in rows]
    head, *body = align([headers, *cells])
    return "\n".join([style(head, bold=True), *body])


def _table_cell(value: Any) -> str:
    from glutewake.text import one_line

    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        return one_line(", ".join(str(v) for v in value))
    # Cells come from the log and the config: nothing in them may drive the terminal.
    return one_line(str(value))


def emit(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], fmt: str) -> None:
    """Rows in the chosen format on stdout. JSON carries every key of each row."""
    if fmt == "json":
        click.echo(to_json(list(rows)))
    elif fmt == "csv":
        click.echo(to_csv(rows, [key for key, _ in columns]), nl=False)
    else:
        click.echo(to_table(rows, columns))
