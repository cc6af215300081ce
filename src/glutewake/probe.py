"""What probing a back end found: whether it works here, and why, in one line.

One shape for every probe (notifications, idle time), so `doctor` reports them alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Probe:
    ok: bool
    backend: str
    reason: str  # why it can / cannot work, one line
