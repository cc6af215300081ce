"""The guided break: walks a person through one exercise in real time.

Pure: every method takes the monotonic time `now` (seconds) and returns what to show or
say; nothing here sleeps, reads a clock or writes. The loop (a break) and `warmup`
drive it with their own clock and terminal.

An exercise becomes a plan of segments: per side a hold counted down ("right side ·
0:20"), reps held and relaxed ("rep 3/10 · squeeze · 0:04"), reps paced by the
exercise's tempo ("rep 4/8"), or, with nothing to pace them, reps counted up until the
person presses Enter. Between sides a short "switch sides" segment gives time to turn
round. A break longer than the exercise ends with "keep moving" until the break is over.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from glutewake.durations import format_clock
from glutewake.i18n import N_, _

if TYPE_CHECKING:
    from glutewake.catalog import Exercise

# Seconds to turn round or change legs between sides.
SWITCH_S = 5
# The countdown says "last 10 s" from here on.
LAST_S = 10
SIDE_NAMES = (N_("right side"), N_("left side"))

# Segment kinds.
WORK = "work"  # a hold, or paced reps, counted down
RELAX = "relax"  # the rest after a held rep
SWITCH = "switch"  # change sides
COUNT = "count"  # reps with no pace: counted up until Enter
MOVE = "move"  # after the exercise, until the break's length is reached
NEXT = "next"  # a routine (warm-up): get ready for the next exercise


@dataclass(frozen=True)
class Segment:
    kind: str
    seconds: int | None  # None: counted up until Enter
    side: int | None = None  # 0 or 1 when the exercise has two sides
    rep: int | None = None  # held reps: which one (1-based)
    reps: int | None = None
    tempo: int | None = None  # paced reps: seconds per rep
    exercise: str = ""  # the exercise's name (a warm-up has several)


@dataclass(frozen=True)
class Cue:
    """Something worth a line of its own (and maybe the bell), not just a redraw."""

    text: str
    bell: bool = False


def plan(exercise: Exercise, *, switch_s: int = SWITCH_S) -> tuple[Segment, ...]:
    """The exercise as segments, sides in turn with a switch between them."""
    sides: Sequence[int | None] = (0, 1) if exercise.sides == 2 else (None,)
    segments: list[Segment] = []
    for side in sides:
        if side == 1:
            segments.append(Segment(SWITCH, switch_s, exercise=exercise.name))
        segments += _one_side(exercise, side)
    return tuple(segments)


def _one_side(exercise: Exercise, side: int | None) -> list[Segment]:
    name = exercise.name
    reps = exercise.reps
    if reps is None:
        return [Segment(WORK, exercise.duration, side=side, exercise=name)]
    if exercise.hold is not None:
        held: list[Segment] = []
        for rep in range(1, reps + 1):
            held.append(Segment(WORK, exercise.hold, side, rep, reps, exercise=name))
            if exercise.rest is not None and rep < reps:
                held.append(Segment(RELAX, exercise.rest, side, rep, reps, exercise=name))
        return held
    if exercise.tempo is not None:
        return [Segment(WORK, reps * exercise.tempo, side, None, reps, exercise.tempo, name)]
    if exercise.duration is not None:
        return [Segment(WORK, exercise.duration, side, None, reps, exercise=name)]
    return [Segment(COUNT, None, side, None, reps, exercise=name)]


# What a rep counted up until Enter (no pace stated) is reckoned to take, for planning.
COUNT_REP_S = 3


def guided_seconds(exercise: Exercise) -> int:
    """How long the guided exercise runs, start to end (switching sides included)."""
    return sum(
        s.seconds if s.seconds is not None else (s.reps or 1) * COUNT_REP_S for s in plan(exercise)
    )


def planned_seconds(segments: Sequence[Segment]) -> int:
    """How long the timed segments take (count-ups add their own time)."""
    return sum(s.seconds or 0 for s in segments)


def clock(seconds: float) -> str:
    """0:05, 1:30, 12:00: a countdown's digits."""
    return format_clock(seconds + 0.999)  # 4.2 s left reads 0:05, as a countdown should


class Player:
    """One guided run through `segments`, started at `start` (monotonic seconds)."""

    def __init__(
        self,
        segments: Sequence[Segment],
        start: float,
        *,
        at_least: float = 0.0,
        end_text: str = N_("break over"),
    ) -> None:
        self.segments = list(segments)
        # A break is at least this long: what the exercise leaves is "keep moving".
        tail = at_least - planned_seconds(self.segments)
        if tail >= 1 and not any(s.kind == COUNT for s in self.segments):
            self.segments.append(Segment(MOVE, int(tail)))
        self.start = start
        self.index = 0
        self.segment_start = start
        self.ended_at: float | None = None
        self.stopped_early = False
        self.end_text = end_text
        self._exercise_done_at: float | None = None

    # --- queries -----------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.ended_at is not None

    @property
    def completed(self) -> bool:
        """Every side and rep of the exercise was done (the "keep moving" tail aside)."""
        return self._exercise_done_at is not None

    @property
    def current(self) -> Segment | None:
        return None if self.finished else self.segments[self.index]

    def seconds(self, now: float) -> int:
        """How long the break has taken so far (or took)."""
        end = self.ended_at if self.ended_at is not None else now
        return round(max(0.0, end - self.start))

    def next_change(self, now: float) -> float | None:
        """When the display next changes without input (a second tick or a segment end)."""
        segment = self.current
        if segment is None:
            return None
        in_segment = now - self.segment_start
        return now + (1.0 - in_segment % 1.0)

    def stage(self) -> str:
        """The part under way, without the clock, for a notification that cannot tick:
        "right side", "switch sides", "next: Clamshell", "keep moving" ("" for none)."""
        segment = self.current
        if segment is None:
            return ""
        if segment.kind == SWITCH:
            return _("switch sides")
        if segment.kind == NEXT:
            return _("next: {name}").format(name=segment.exercise)
        if segment.kind == MOVE:
            return _("exercise done: keep moving, walk a little")
        if segment.side is not None:
            return _(SIDE_NAMES[segment.side])
        return ""

    def line(self, now: float) -> str:
        """The progress line: "right side · 0:20", "rep 3/10 · squeeze · 0:04", ..."""
        segment = self.current
        if segment is None:
            return _(self.end_text)
        in_segment = now - self.segment_start
        parts: list[str] = []
        if segment.kind == SWITCH:
            parts.append(_("switch sides"))
        elif segment.kind == NEXT:
            parts.append(_("next: {name}").format(name=segment.exercise))
        elif segment.kind == MOVE:
            parts.append(_("exercise done: keep moving, walk a little"))
        else:
            if segment.side is not None:
                parts.append(_(SIDE_NAMES[segment.side]))
            parts += self._reps_part(segment, in_segment)
            if not parts and segment.exercise:
                parts.append(segment.exercise)  # a bare "0:45" says nothing
        if segment.seconds is None:
            parts.append(format_clock(in_segment))
            parts.append(_("[Enter] when done"))
        else:
            left = segment.seconds - in_segment
            parts.append(clock(left))
            if left <= LAST_S and segment.kind == WORK and segment.seconds > LAST_S:
                parts.append(_("last 10 s"))
        return " · ".join(parts)

    def _reps_part(self, segment: Segment, in_segment: float) -> list[str]:
        if segment.reps is None:
            return []
        if segment.rep is not None:
            rep = _("rep {rep}/{reps}").format(rep=segment.rep, reps=segment.reps)
            return [rep, _("relax") if segment.kind == RELAX else _("hold")]
        if segment.tempo is not None:
            current = min(segment.reps, int(in_segment // segment.tempo) + 1)
            return [_("rep {rep}/{reps}").format(rep=current, reps=segment.reps)]
        return [_("{reps} reps").format(reps=segment.reps)]

    # --- inputs ------------------------------------------------------------------------

    def begin(self) -> list[Cue]:
        """What to say as the break starts."""
        segment = self.current
        return [] if segment is None else [self._announce(segment)]

    def advance(self, now: float) -> list[Cue]:
        """Move on through every segment whose time is up; say what changed."""
        cues: list[Cue] = []
        while not self.finished:
            segment = self.segments[self.index]
            if segment.seconds is None:
                break
            end = self.segment_start + segment.seconds
            if end > now:
                break
            cues += self._next(end)
        return cues

    def enter(self, now: float) -> list[Cue]:
        """Enter: ends a count-up (the reps are done); anywhere else, ends the break."""
        cues = self.advance(now)
        segment = self.current
        if segment is None:
            return cues
        if segment.kind in (COUNT, NEXT):
            return cues + self._next(now)  # reps done; or ready for the next exercise
        if segment.kind == MOVE:
            return cues + self._end(now, early=False)
        return cues + self.stop(now)

    def stop(self, now: float) -> list[Cue]:
        """Ended before the plan ran out: `glutewake done`, Enter, Ctrl-C."""
        if self.finished:
            return []
        cues = self.advance(now)
        if self.finished:
            return cues
        return cues + self._end(now, early=self._exercise_done_at is None)

    # --- internals ---------------------------------------------------------------------

    def _next(self, at: float) -> list[Cue]:
        self.index += 1
        self.segment_start = at
        exercise_over = self.index >= len(self.segments) or self.segments[self.index].kind == MOVE
        if exercise_over and self._exercise_done_at is None:
            self._exercise_done_at = at
        if self.index >= len(self.segments):
            return self._end(at, early=False)
        segment = self.segments[self.index]
        if segment.kind == SWITCH:
            return [Cue(_("switch sides"), bell=True)]
        if segment.kind == NEXT:
            return [Cue(_("next: {name}").format(name=segment.exercise), bell=True)]
        if segment.kind == MOVE:
            return [Cue(_("exercise done: keep moving until the break is over"), bell=True)]
        previous = self.segments[self.index - 1]
        if segment.side != previous.side or segment.exercise != previous.exercise:
            return [self._announce(segment)]
        return []

    def _announce(self, segment: Segment) -> Cue:
        what = segment.exercise
        if segment.side is not None:
            side = _(SIDE_NAMES[segment.side])
            what = f"{what} · {side}" if what else side
        if segment.seconds is None:
            return Cue(_("{what}: press Enter when the reps are done").format(what=what))
        return Cue(what) if what else Cue(_("go"))

    def _end(self, at: float, *, early: bool) -> list[Cue]:
        self.ended_at = at
        self.stopped_early = early
        if early:
            return [Cue(_("stopped early"))]
        return [Cue(_(self.end_text), bell=True)]


class Screen(Protocol):
    """Where a guided run shows itself: the loop's terminal UI fits."""

    interactive: bool

    def status(self, text: str) -> None: ...
    def say(self, text: str) -> None: ...
    def bell(self) -> None: ...
    def wait(self, timeout: float) -> str | None: ...


def tell(screen: Screen, cues: Sequence[Cue], *, bell: bool) -> None:
    """Each cue as a line of its own; the bell where the cue asks for it and bell is on."""
    for cue in cues:
        screen.say(cue.text)
        if cue.bell and bell:
            screen.bell()


def guide(
    player: Player,
    screen: Screen,
    clock: Callable[[], float],
    *,
    bell: bool,
    enter: Collection[str] = ("done",),
) -> None:
    """Run `player` to its end in the foreground, redrawing its line each second.

    A key in `enter` is Enter (see Player.enter). Ctrl-C stops the run early and is
    raised again, so the caller records what was done and then exits as Ctrl-C does.
    """
    try:
        tell(screen, player.begin(), bell=bell)
        while True:
            now = clock()
            tell(screen, player.advance(now), bell=bell)
            if player.finished:
                return
            if screen.interactive:
                screen.status(player.line(now))
            wake = player.next_change(now)
            key = screen.wait(max(0.02, (wake if wake is not None else now + 1.0) - now))
            if key in enter:
                tell(screen, player.enter(clock()), bell=bell)
    except KeyboardInterrupt:
        tell(screen, player.stop(clock()), bell=False)
        raise
