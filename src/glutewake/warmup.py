"""`glutewake warmup`: a short guided routine that wakes the glutes before a workout.

Low-intensity activation first, as the article advises: bridge, clamshell or side-lying
raise, standing squeeze, wall hip hinge, and so on, the ones the allowed spaces permit.
The routine is fitted to the minutes asked for by scaling each exercise's reps (or
time); the guided player runs it. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from glutewake.catalog import MAX_REPS
from glutewake.errors import GlutewakeError
from glutewake.i18n import _
from glutewake.player import NEXT, Segment, plan, planned_seconds

if TYPE_CHECKING:
    from glutewake.catalog import Catalog, Exercise

# Easy glute activation, in the order a routine uses them: lying first (where allowed),
# then standing, the big muscle before the side of the hip.
WARMUP_IDS = (
    "glute-bridge",
    "clamshell",
    "side-lying-leg-raise",
    "standing-squeeze",
    "wall-hip-hinge",
    "wall-hip-press",
    "side-leg-raise",
    "standing-kickback",
    "seated-glute-squeeze",
)
DEFAULT_MINUTES = 5
MIN_MINUTES, MAX_MINUTES = 2, 30
NEXT_S = 10  # to get into place for the next exercise
MAX_DURATION = 300  # seconds of one timed exercise in a warm-up
MIN_EXERCISES, MAX_EXERCISES = 3, 6
MIN_REPS = 3  # fewer wake nothing, and "1 rep per side" reads as a mistake


class WarmupError(GlutewakeError):
    pass


def pool(catalog: Catalog, spaces: Sequence[str]) -> list[Exercise]:
    """The warm-up's exercises that `spaces` allow, in routine order (user's own versions
    of them included; excluded ones left out)."""
    chosen = []
    for exercise_id in WARMUP_IDS:
        if exercise_id not in catalog.ids or exercise_id in catalog.exclude:
            continue
        exercise = catalog.get(exercise_id)
        if exercise.space in spaces:
            chosen.append(exercise)
    return chosen


def routine(catalog: Catalog, spaces: Sequence[str], minutes: int) -> list[Exercise]:
    """The exercises for a warm-up of about `minutes`, each dose scaled to fit."""
    available = pool(catalog, spaces)
    if not available:
        raise WarmupError(
            _(
                "no warm-up exercise for space {spaces}; try --space floor or --space standing"
            ).format(spaces=", ".join(spaces))
        )
    # About one exercise a minute, so each gets enough reps to wake the muscle.
    count = min(len(available), max(MIN_EXERCISES, min(MAX_EXERCISES, minutes)))
    target = minutes * 60 - NEXT_S * (count - 1)
    share = target / count
    # One that cannot do MIN_REPS in its share (a long hold on each side, in 2 minutes)
    # makes way for the next that can; the routine keeps its order.
    fits = [e for e in available if _least_seconds(e) <= share * 1.2]
    chosen = (fits + [e for e in available if e not in fits])[:count]
    chosen.sort(key=available.index)
    return [fit(exercise, share) for exercise in chosen]


def _least_seconds(exercise: Exercise) -> float:
    if exercise.reps is None:
        return 0.0
    return planned_seconds(plan(replace(exercise, reps=min(exercise.reps, MIN_REPS))))


def fit(exercise: Exercise, seconds: float) -> Exercise:
    """`exercise` with its reps (or time) changed so that it takes about `seconds`."""
    if exercise.reps is not None:
        if exercise.hold is None and exercise.tempo is None and exercise.duration is None:
            return exercise  # counted up until Enter: nothing to scale by
        least = min(exercise.reps, MIN_REPS)  # never "1 rep per side"
        options = [replace(exercise, reps=reps) for reps in range(least, MAX_REPS + 1)]
    elif exercise.duration is not None:
        options = [replace(exercise, duration=d) for d in range(5, MAX_DURATION + 1, 5)]
    else:
        return exercise
    return min(options, key=lambda e: abs(planned_seconds(plan(e)) - seconds))


def segments(exercises: Sequence[Exercise]) -> list[Segment]:
    """The whole routine for the player: each exercise, with a pause to get ready between."""
    out: list[Segment] = []
    for number, exercise in enumerate(exercises):
        if number:
            out.append(Segment(NEXT, NEXT_S, exercise=exercise.name))
        out += plan(exercise)
    return out
