"""Click parameter types shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from glutewake.durations import parse_duration
from glutewake.i18n import N_

F = TypeVar("F", bound=Callable[..., Any])


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

SINCE_HELP = N_(
    "From a date (2024-03-31), a local time (2024-03-31T14:00), today, yesterday, or the "
    'last N days or weeks ("3d", "2w"; today counts as one).'
)
UNTIL_HELP = N_(
    "Up to and including a date, today or yesterday, or up to a local time. 3d and 2w end "
    "where they would start a period: --since 2w --until 1w is the 7 days before the last 7."
)


def period_options(since_help: str = SINCE_HELP, *, today: bool = True) -> Callable[[F], F]:
    """[--today] --week --month --since --until, in that order (`log` and `report`)."""
    options = [
        click.option("--week", is_flag=True, help=N_("This week, from Monday.")),
        click.option("--month", is_flag=True, help=N_("This month, from the 1st.")),
        click.option("--since", metavar="WHEN", help=since_help),
        click.option("--until", metavar="WHEN", help=UNTIL_HELP),
    ]
    if today:
        options.insert(0, click.option("--today", is_flag=True, help=N_("Only today.")))

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
