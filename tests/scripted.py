"""An in-process loop for scenario tests: injected clocks, a real SQLite file, and a
UI whose waiting advances the fake clock and delivers scripted keys and events."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from glutewake.catalog import build_catalog, load_bundled
from glutewake.config import ExerciseSettings, Settings, TimerSettings
from glutewake.loop import Loop
from glutewake.store import Store
from glutewake.terminal import PlainUI
from glutewake.tracker import BusyCheck

T0 = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def mono(self) -> float:
        return self.t

    def wall(self) -> float:
        return T0 + self.t


Script = dict[float, "str | Callable[[], object]"]


class ScriptedUI(PlainUI):
    """Waiting advances the fake clock; at scripted times a key arrives (or something
    happens in the world, as a callable); the run ends at `until` with Ctrl-C."""

    def __init__(self, clock: Clock, keys: Script, until: float) -> None:
        super().__init__(io.StringIO())
        self.clock, self.keys, self.until = clock, dict(keys), until
        self.waits: list[float] = []

    def wait(self, timeout: float, watch: Sequence[int] = ()) -> str | None:
        self.waits.append(timeout)
        due = [t for t in self.keys if t <= self.clock.t + timeout]
        if due:
            at = min(due)
            self.clock.t = max(self.clock.t, at)
            item = self.keys.pop(at)
            if callable(item):
                item()
                return None
            return item
        self.clock.t += timeout
        if self.clock.t >= self.until:
            raise KeyboardInterrupt
        return None

    @property
    def text(self) -> str:
        assert isinstance(self.out, io.StringIO)
        return self.out.getvalue()


def settings(**timer: int) -> Settings:
    base = {"sit": 100, "break_": 10, "snooze": 30, "respond_within": 60}
    return Settings(timer=TimerSettings(**{**base, **timer}))


def _short(category: str) -> dict[str, object]:
    return {
        "id": f"short-{category.replace('_', '-')}",
        "name": f"Short {category}",
        "category": category,
        "space": "desk",
        "duration": "5s",
        "level": "easy",
        "targets": ["gluteus maximus"],
        "steps": ["Do this.", "Then that."],
        "cue": "Squeeze the glutes and keep the lower back still.",
    }


# Exercises shorter than the test's break, so a started break lasts exactly `break`
# (the guided player fills the rest with "keep moving") and timelines stay simple.
SHORT = ExerciseSettings(
    custom=(_short("glutes"), _short("hip_flexors")),
    exclude=tuple(e.id for e in load_bundled()),
)


def make_loop(
    store: Store,
    ui: ScriptedUI,
    clock: Clock,
    s: Settings | None = None,
    *,
    bundled: bool = False,
    busy: BusyCheck | None = None,
) -> Loop:
    """A loop on the fake clock, with no desktop; the two short exercises, or with
    `bundled` the real catalog."""
    return Loop(
        settings=s or settings(),
        catalog=build_catalog(ExerciseSettings() if bundled else SHORT),
        store=store,
        notifier=None,
        idle=None,
        ui=ui,
        pid=4242,
        busy=busy,
        monotonic=clock.mono,
        wall=clock.wall,
    )


def all_breaks(store: Store) -> list[tuple[str, int]]:
    start = datetime.fromtimestamp(T0, timezone.utc) - timedelta(days=1)
    rows = store.breaks_between(start, start + timedelta(days=3))
    return [(b.outcome, b.seated_s) for b in rows]


def at(wall: float) -> datetime:
    """A wall-clock reading as the UTC datetime the store takes."""
    return datetime.fromtimestamp(wall, timezone.utc)


def outcomes(store: Store) -> list[tuple[str, int]]:
    """Every break around T0 as (outcome, snoozes), oldest first."""
    start = at(T0) - timedelta(days=1)
    return [(b.outcome, b.snoozes) for b in store.breaks_between(start, start + timedelta(days=3))]
