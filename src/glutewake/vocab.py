"""The words config and catalog share: categories, spaces, levels, weekdays, idle back
ends, and reading TOML. Here, not in either, so neither imports the other for them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from glutewake.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CATEGORIES = ("glutes", "hip_flexors", "move")
SPACES = ("desk", "standing", "floor")
LEVELS = ("easy", "moderate")
IDLE_BACKENDS = ("auto", "gnome", "kde", "x11", "macos", "windows", "off")


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """A TOML document; a syntax error is a ConfigError naming `path`, line and column."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None
    return doc
