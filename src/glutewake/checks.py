"""Checks for values read from TOML, shared by the config and the exercise catalog.

Each check returns the typed value or raises ValueError("expected ..., got ..."); the
caller prefixes the file and key, so every message names where and what.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from glutewake.durations import EXPECTED as DURATION_EXPECTED
from glutewake.durations import format_duration, parse_duration
from glutewake.i18n import N_, _
from glutewake.text import clip

Check = Callable[[Any], Any]


def type_name(value: Any) -> str:
    names = {bool: N_("a boolean"), int: N_("an integer"), float: N_("a number")}
    names |= {str: N_("a string"), list: N_("a list"), dict: N_("a table")}
    name = names.get(type(value))
    return _(name) if name else type(value).__name__


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = closest(word, list(choices), limit=1)
    return _(" (did you mean {choice!r}?)").format(choice=close[0]) if close else ""


def closest(word: str, choices: Sequence[str], limit: int = 3) -> list[str]:
    """The choices most like `word`, best first: "brige" finds "glute-bridge"."""
    if len(word) > 64:  # no choice is that long, and fuzzy matching a megabyte is slow
        return []
    scores = {choice: _likeness(word.lower(), choice) for choice in choices}
    ranked = sorted((c for c in choices if scores[c] >= 0.65), key=lambda c: -scores[c])
    return ranked[:limit]


def _likeness(word: str, choice: str) -> float:
    import difflib  # only when something is wrong: start-up stays cheap

    parts = re.split("[-_]", choice)
    # People remember one word of a name ("bridge", "hold") or its start ("mic"): the word
    # where a part of the choice begins. Inside a part it is another word ("phone").
    if word and re.search(rf"(?:^|[-_]){re.escape(word)}", choice):
        return 1.0 if word == choice else 0.9

    def ratio(target: str) -> float:
        # A slip changes a letter or two; a target far longer or shorter than the word
        # (by more than half its length) shares letters with it, not a spelling.
        if 2 * abs(len(target) - len(word)) > len(word):
            return 0.0
        return difflib.SequenceMatcher(None, word, target).ratio()

    return max(ratio(choice), 0.9 * max(ratio(part) for part in parts))


def one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(
                _("expected one of {choices}, got {what}").format(
                    choices=", ".join(choices), what=type_name(value)
                )
            )
        if value not in choices:
            hint = did_you_mean(value, choices)
            raise ValueError(
                _("expected one of {choices}, got {value!r}{hint}").format(
                    choices=", ".join(choices), value=clip(value), hint=hint
                )
            )
        return value

    return check


def integer(minimum: int, maximum: int) -> Check:
    def check(value: Any) -> int:
        # TOML booleans are Python ints; `true` is not a number of snoozes.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(_("expected an integer, got {what}").format(what=type_name(value)))
        if not minimum <= value <= maximum:
            raise ValueError(
                _("expected an integer from {minimum} to {maximum}, got {value}").format(
                    minimum=minimum, maximum=maximum, value=value
                )
            )
        return value

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(_("expected true or false, got {what}").format(what=type_name(value)))
    return value


def duration(minimum: int = 1, maximum: int | None = None) -> Check:
    """A duration string, in whole seconds, within [minimum, maximum]."""

    def check(value: Any) -> int:
        if not isinstance(value, str):
            raise ValueError(
                _("expected {duration}, got {what}").format(
                    duration=_(DURATION_EXPECTED), what=type_name(value)
                )
            )
        seconds = parse_duration(value)
        if maximum is not None and not minimum <= seconds <= maximum:
            low, high = format_duration(minimum), format_duration(maximum)
            raise ValueError(
                _("expected a duration from {low} to {high}, got {value!r}").format(
                    low=low, high=high, value=clip(value)
                )
            )
        if seconds < minimum:
            low = format_duration(minimum)
            raise ValueError(
                _("expected a duration of at least {low}, got {value!r}").format(
                    low=low, value=clip(value)
                )
            )
        return seconds

    return check
