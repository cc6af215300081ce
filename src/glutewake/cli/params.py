"""Click parameter types shared by several commands."""

from __future__ import annotations

from typing import Any

import click

from glutewake.durations import parse_duration


# click 8.2+ makes ParamType generic; older clicks are not subscriptable at run time.
class Duration(click.ParamType):  # type: ignore[type-arg]
    """A duration like "90s", "45m" or "1h30m", converted to whole seconds."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            seconds = parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if seconds <= 0:
            self.fail(f"expected a duration longer than 0s, got {value!r}", param, ctx)
        return seconds


DURATION = Duration()
