"""The words config and catalog share: categories, spaces, levels, weekdays, idle back
ends, and reading TOML. Here, not in either, so neither imports the other for them."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from glutewake.errors import ConfigError
from glutewake.i18n import N_, _

if TYPE_CHECKING:
    import re

# The loop's states (tracker.py describes each).
State = Literal["seated", "due", "snoozed", "break", "away", "paused", "standing", "off_schedule"]
Category = Literal["glutes", "hip_flexors", "move"]
# How a break ended, as the log records it (abandoned: still open when the loop stopped
# or the schedule closed; not a miss).
Outcome = Literal["done", "skipped", "missed", "natural", "abandoned"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
# What the tracker tells the user besides a prompt (the loop words each).
NoticeKind = Literal[
    "break_over",
    "back",
    "returned",
    "withdrawn",
    "refused",
    "schedule_closed",
    "schedule_open",
    "warmup",
    "pause_replaced",
    "snooze_replaced",
    "warmup_started",
    "warmup_short",
    "put_off_standing",
    "put_off_paused",
    "put_off_warmup",
]
# What other terminals send the running loop.
CommandName = Literal[
    "done",
    "skip",
    "snooze",
    "now",
    "pause",
    "resume",
    "stand",
    "sit",
    "warmup",
    "warmup_start",
    "stop",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CATEGORIES = ("glutes", "hip_flexors", "move")
SPACES = ("desk", "standing", "floor")
LEVELS = ("easy", "moderate")
# How a category reads in text for people (tables, the card); translated where shown.
CATEGORY_LABELS = {"glutes": N_("glutes"), "hip_flexors": N_("hip flexors"), "move": N_("move")}
IDLE_BACKENDS = ("auto", "gnome", "kde", "x11", "macos", "windows", "off")


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """A TOML document; a syntax error is a ConfigError naming `path`, line and column."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    # A byte-order mark is what some Windows editors put first; TOML itself forbids it.
    text = text.removeprefix("\ufeff")
    _reject_deep_keys(text, path)
    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{path}: TOML syntax error: {error}").format(path=path, error=exc)
        ) from None
    except RecursionError:
        raise ConfigError(_("{path}: TOML nested too deeply to read").format(path=path)) from None
    except ValueError:
        # Python refuses integers of more than 4300 digits (int_max_str_digits).
        raise ConfigError(
            _("{path}: TOML value too large to read (a number with thousands of digits?)").format(
                path=path
            )
        ) from None
    _reject_control_characters(doc, path)
    return doc


# tomllib builds a key part by part (a tuple grown by one each time) and, for a dotted
# key, every prefix of it: time grows with the square of the parts in one key. 100,000
# parts ([a.a.a…], 200 KB) take 14 s; a megabyte would take most of an hour. No config
# needs more than [exercises.custom]; keys of 32 parts cost tomllib nothing special.
MAX_KEY_PARTS = 32
_deep_key: re.Pattern[str] | None = None


def _reject_deep_keys(text: str, path: Path) -> None:
    """Refuse, before tomllib sees it, a key ([table] name, dotted key, inline-table key)
    of more than MAX_KEY_PARTS parts.

    A key lies on one line, so only lines with that many dots are looked at (a config
    has none). There a key starts the line, or follows "[", "[[", or "{" or "," in an
    inline table; strings are not told apart (32 dotted words in a row would be an odd
    text). Linear: the scan starts only at those places, and each part is one token."""
    if text.count(".") < MAX_KEY_PARTS:
        return
    lines = [line for line in text.split("\n") if line.count(".") >= MAX_KEY_PARTS]
    if not lines:
        return
    global _deep_key
    if _deep_key is None:
        import re

        part = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
        _deep_key = re.compile(
            rf"(?:^|[\[{{,])[ \t]*(?:{part}[ \t]*\.[ \t]*){{{MAX_KEY_PARTS}}}", re.MULTILINE
        )
    if _deep_key.search("\n".join(lines)):
        raise ConfigError(
            _("{path}: TOML nested too deeply: a key with more than {limit} dotted parts").format(
                path=path, limit=MAX_KEY_PARTS
            )
        )


def category_label(category: str) -> str:
    """A category for people ("hip flexors"), in their language; unknown ones as they are."""
    label = CATEGORY_LABELS.get(category)
    return _(label) if label else category


def _reject_control_characters(doc: Mapping[str, Any], path: Path) -> None:
    """Text from the config reaches terminals and notifications: no escape sequences.

    Walked with a stack, not recursion: dotted keys ([a.a.a…]) nest tables thousands
    deep without tomllib recursing. A key's place is built only when it is named."""
    from glutewake.text import CONTROL, clip

    Where = tuple[Any, str]  # (the parent's place, this step) or () at the top
    stack: list[tuple[Any, Where | tuple[()]]] = [(doc, ())]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            found = CONTROL.search(value)
            if found:
                raise ConfigError(
                    _("{path}: {key}: control character {char} not allowed in text").format(
                        path=path, key=clip(_place(where)), char=repr(found.group())
                    )
                )
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append((item, (where, f".{key}" if where else key)))
                stack.append((key, where))
        elif isinstance(value, list):
            for number, item in reversed(list(enumerate(value, 1))):
                stack.append((item, (where, f"[{number}]")))


def _place(where: Any) -> str:
    """ "exercises.custom[1].name" from its chain of steps."""
    steps: list[str] = []
    while where:
        where, step = where
        steps.append(step)
    return "".join(reversed(steps))
