"""Output conventions in one place.

Machine output (json, csv) goes to stdout, uncoloured and stable; messages go to
stderr; colour only on a TTY and never when NO_COLOR is set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

if TYPE_CHECKING:
    from glutewake.catalog import Exercise

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
        help="Output format.",
    )


def use_colour(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and stream.isatty()


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
    cells = [[_table_cell(row.get(key)) for key, _ in columns] for row in rows]
    headers = [header for _, header in columns]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    head = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    lines = [style(head, bold=True)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _table_cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def emit(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], fmt: str) -> None:
    """Rows in the chosen format on stdout. JSON carries every key of each row."""
    if fmt == "json":
        click.echo(to_json(list(rows)))
    elif fmt == "csv":
        click.echo(to_csv(rows, [key for key, _ in columns]), nl=False)
    else:
        click.echo(to_table(rows, columns))


# --- the exercise card: `exercises show` and the break prompt --------------------------

_CATEGORY_LABELS = {"glutes": "Glutes", "hip_flexors": "Hip flexors", "move": "Move"}
_SPACE_LABELS = {"desk": "at your desk", "standing": "standing", "floor": "on the floor"}


def render_card(exercise: Exercise, width: int = 78) -> str:
    """The whole exercise as plain text wrapped to `width`: what to do, how much, the cue."""
    import textwrap

    title = style(exercise.name, bold=True)
    tag = f"({exercise.id}, your own)" if exercise.custom else f"({exercise.id})"
    facts = [
        _CATEGORY_LABELS.get(exercise.category, exercise.category),
        _SPACE_LABELS.get(exercise.space, exercise.space),
        exercise.level,
        exercise.dose,
    ]
    lines = [f"{title}  {style(tag, dim=True)}", " · ".join(facts)]
    lines += _labelled("Works:", ", ".join(exercise.targets), width, dim=True)
    lines.append("")
    for number, step in enumerate(exercise.steps, 1):
        lines.append(
            textwrap.fill(step, width, initial_indent=f"{number:>3}. ", subsequent_indent="     ")
        )
    lines.append("")
    lines += _labelled("Cue:", exercise.cue, width, fg="green")
    if exercise.caution:
        lines += _labelled("Caution:", exercise.caution, width, fg="yellow")
    return "\n".join(lines)


def _labelled(
    label: str, text: str, width: int, *, fg: str | None = None, dim: bool = False
) -> list[str]:
    """`label text`, wrapped with the text's later lines under its first word."""
    import textwrap

    indent = " " * (len(label) + 1)
    wrapped = textwrap.wrap(f"{label} {text}", width, subsequent_indent=indent)
    styled = style(label, fg=fg, bold=not dim, dim=dim)
    return [styled + wrapped[0][len(label) :], *wrapped[1:]]
