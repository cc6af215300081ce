"""Durations as people write them: "90s", "45m", "1h30m", "1h 30m"."""

from __future__ import annotations

import re

from glutewake.i18n import N_, _
from glutewake.text import clip

_DURATION = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?", re.IGNORECASE)

EXPECTED = N_('a duration like "90s", "45m" or "1h30m"')  # translated where shown
# A week: longer than any sitting, break or pause, and far from any clock's overflow.
MAX_SECONDS = 7 * 24 * 3600


def parse_duration(text: str) -> int:
    """Return whole seconds; raise ValueError with what is expected otherwise."""
    # No duration is 40 characters long; the length check keeps the regex and int() cheap.
    match = _DURATION.fullmatch(text.strip()) if len(text) <= 40 else None
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(
            _("expected {duration}, got {text!r}").format(duration=_(EXPECTED), text=clip(text))
        )
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total > MAX_SECONDS:
        raise ValueError(
            _("expected a duration of at most {hours}h, got {text!r}").format(
                hours=MAX_SECONDS // 3600, text=clip(text)
            )
        )
    return total


def format_duration(seconds: float) -> str:
    """The inverse of parse_duration, rounded to whole seconds: 5400 -> "1h30m"."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"


def format_seconds(seconds: int) -> str:
    """An exercise's time: "60s" and "90s" read better than "1m" and "1m30s"; then 2m30s."""
    return f"{seconds}s" if seconds < 120 else format_duration(seconds)


def format_clock(seconds: float) -> str:
    """A running clock for the status line: 23:12, 0:09, or 1:05:09 past an hour."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_short(seconds: float) -> str:
    """Coarse and compact, where minutes are enough (status, summaries): 45s, 23m, 1h05m."""
    total = max(0, int(seconds))
    if total < 60:
        return f"{total}s"
    # To the nearest minute, half up: 113 s is 2m, not 1m (a cut would lose up to 59 s).
    minutes = (total + 30) // 60
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h{minutes % 60:02d}m"
