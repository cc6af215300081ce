"""The exercise card: what `exercises show` and a due break print.

Wrapped to the width it is given (the terminal's, never below MIN_WIDTH), and never at a
hyphen: "sit-to-stand" or "hip-width" split over two lines reads as two words.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from glutewake.durations import format_seconds
from glutewake.i18n import N_, _, ngettext
from glutewake.output import style
from glutewake.vocab import category_label

if TYPE_CHECKING:
    from glutewake.catalog import Exercise

MIN_WIDTH = 40
DEFAULT_WIDTH = 78
# Past this a line is too long to read comfortably, however wide the terminal.
MAX_WIDTH = 100

SPACE_LABELS = {
    "desk": N_("at your desk"),
    "standing": N_("standing"),
    "floor": N_("on the floor"),
}
LEVEL_LABELS = {"easy": N_("easy"), "moderate": N_("moderate")}
# Stretches end with it: a stretch should pull, never hurt, and bouncing into it strains.
PAIN_RULE = N_("A firm pull, never pain; no bouncing.")
STRETCH_CATEGORY = "hip_flexors"


def _first_upper(text: str) -> str:
    # Not str.capitalize: it would lower the rest ("Hip Flexors", German nouns).
    return text[:1].upper() + text[1:]


def card_width(columns: int | None) -> int:
    """The width to wrap a card to in a terminal `columns` wide (None: not a terminal)."""
    if columns is None or columns <= 0:
        return DEFAULT_WIDTH
    return max(MIN_WIDTH, min(columns, MAX_WIDTH))


def is_stretch(exercise: Exercise) -> bool:
    return exercise.category == STRETCH_CATEGORY


def reps_text(exercise: Exercise, *, short: bool = False) -> str | None:
    """ "10 reps per side" ("10 reps/side" where `short`, a table cell); None without reps."""
    n = exercise.reps
    if n is None:
        return None
    if exercise.sides != 2:
        return ngettext("{n} rep", "{n} reps", n).format(n=n)
    if short:
        return ngettext("{n} rep/side", "{n} reps/side", n).format(n=n)
    return ngettext("{n} rep per side", "{n} reps per side", n).format(n=n)


def dose_text(exercise: Exercise) -> str:
    """How much, for a person: "10 reps per side · hold 10s" (translated)."""
    parts: list[str] = []
    per_side = exercise.sides == 2
    reps = reps_text(exercise)
    if reps:
        parts.append(reps)
    if exercise.hold is not None:
        parts.append(_("hold {seconds}s").format(seconds=exercise.hold))
    if exercise.duration is not None:
        text = format_seconds(exercise.duration)
        if per_side and not parts:
            text = _("{time} per side").format(time=text)
        parts.append(text)
    return " · ".join(parts)


def render_card(exercise: Exercise, width: int = DEFAULT_WIDTH) -> str:
    """The whole exercise as plain text wrapped to `width`: what to do, how much, the cue."""
    width = max(MIN_WIDTH, width)
    title = style(exercise.name, bold=True)
    tag = _("({id}, your own)").format(id=exercise.id) if exercise.custom else f"({exercise.id})"
    facts = [
        _first_upper(category_label(exercise.category)),
        _(SPACE_LABELS[exercise.space]),
        _(LEVEL_LABELS[exercise.level]),
        dose_text(exercise),
    ]
    lines = [f"{title}  {style(tag, dim=True)}"]
    lines += _wrap(" · ".join(facts), width)
    works = _("Stretches:") if is_stretch(exercise) else _("Works:")
    lines += _labelled(works, ", ".join(exercise.targets), width, dim=True)
    lines.append("")
    for number, step in enumerate(exercise.steps, 1):
        lines += _wrap(step, width, initial_indent=f"{number:>3}. ", subsequent_indent="     ")
    lines.append("")
    lines += _labelled(_("Cue:"), exercise.cue, width, fg="green")
    if exercise.caution:
        lines += _labelled(_("Caution:"), exercise.caution, width, fg="yellow")
    if is_stretch(exercise):
        lines += _wrap(_(PAIN_RULE), width)
    return "\n".join(lines)


def _wrap(
    text: str, width: int, initial_indent: str = "", subsequent_indent: str = ""
) -> list[str]:
    lines = textwrap.wrap(
        text,
        width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return lines or [""]


def _labelled(
    label: str, text: str, width: int, *, fg: str | None = None, dim: bool = False
) -> list[str]:
    """`label text`, wrapped with the text's later lines under its first word."""
    indent = " " * (len(label) + 1)
    wrapped = _wrap(f"{label} {text}", width, subsequent_indent=indent)
    styled = style(label, fg=fg, bold=not dim, dim=dim)
    return [styled + wrapped[0][len(label) :], *wrapped[1:]]
