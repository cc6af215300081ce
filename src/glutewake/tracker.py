"""The sitting clock and break state machine: pure, driven by injected time.

Longer than most modules on purpose: it is a single pure state machine, and its
transitions (and the properties below that they keep) read best together.

Nothing here sleeps, reads a clock or does I/O. The loop feeds it `tick(now, ...)`,
answers and commands; it returns actions (prompt, record a break, log an event,
tell the user something). Intervals use the monotonic clock, which does not advance
while the machine is suspended; records are stamped with wall time.

States:
  seated        the sitting clock runs; at `sit` a break falls due
  due           prompted, waiting for done / snooze / skip / another (clock still runs)
  snoozed       the due break comes back after `snooze` (clock still runs; done / skip
                / another still answer it)
  break         started (answered done); the loop guides it and ends it, or it ends
                after `break` (clock stopped, reset after); recorded when it is over
  away          no input for `natural_break`: a natural break, recorded on return with
                the real absence (clock reset when they left)
  paused        meetings, lunch (clock stopped)
  standing      standing desk (clock stopped)
  off_schedule  outside working hours (clock stopped, reset when they open)

A break that falls due while the user is busy (do not disturb, a full-screen window, a
call: the injected `busy` asks busy.py's detectors) is held: the state stays seated or
snoozed, the clock keeps counting, nothing is shown. It is asked again every
HOLD_CHECK_S and prompted as soon as nobody says busy, or after `max_hold` (once: a
break that used up its hold is not held again). A break already on screen is never
withdrawn; detectors are asked only at those moments, never at rest.

What the log must never say (tests/test_tracker.py states these as properties):
  - every prompted break is recorded exactly once, with one outcome;
  - being idle is never an exercise: away from a prompt is a natural break or missed;
  - a missed break does not reset the sitting clock (nobody got up); the next prompt
    comes after another `sit` of sitting, counted from the miss;
  - stopping the loop or the schedule closing is not missing: a break still open is
    recorded as `abandoned`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from glutewake.i18n import N_

if TYPE_CHECKING:
    from glutewake.catalog import Exercise
    from glutewake.config import TimerSettings
    from glutewake.vocab import NoticeKind, Outcome, State

# A due break is held back, not prompted, while the user has been idle this long: they
# are probably away, and a prompt waiting on return is the complaint we design against.
AWAY_HOLD_S = 30.0
# While a break is held for a busy user, how often to ask whether they still are: the
# prompt follows the end of a call within this long.
HOLD_CHECK_S = 1.0
# Busy for these reasons, no input is not absence: they watch or talk at the screen.
_AT_THE_SCREEN = frozenset({"camera", "microphone", "fullscreen"})


class Now(NamedTuple):
    mono: float  # monotonic seconds: for every interval
    wall: float  # unix seconds: for records
    # Seconds on a clock that runs on through a suspend (CLOCK_BOOTTIME) and, unlike wall
    # time, is not stepped by NTP or a manual change; None where the platform has none.
    boot: float | None = None


# --- actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    """Show the break: desktop notification, bell, card, keys."""

    exercise: Exercise
    again: bool = False  # shown before (snooze over, "another", resumed)
    waited_s: int = 0  # held this long while the user was busy
    held_for: str | None = None  # the detector that held it (busy.py names)
    another: bool = False  # the user asked for another exercise


@dataclass(frozen=True)
class BreakLogged:
    outcome: Outcome
    at: float  # wall: the prompt, or when the user left (natural)
    due_at: float  # wall: when it first fell due
    answered_at: float | None  # answered; natural: when they came back (None: not seen)
    # The sitting stretch before it. A missed break does not end the stretch, so the
    # record after a miss includes the missed one's seconds (report.py counts them once).
    seated_s: int
    exercise: Exercise | None
    snoozes: int = 0
    away_s: int | None = None
    answered_via: str | None = None  # terminal | notification | command; None if unanswered
    prompted: bool = False  # the user was shown this break (it resolves that prompt)
    carried_s: int = 0  # of seated_s, what an earlier (missed) record already counted
    break_s: int | None = None  # done: seconds the break actually took
    completed: bool | None = None  # done: the exercise ran to its end (not stopped early)


@dataclass(frozen=True)
class BreakStarted:
    """A due break was started: the loop guides it and tells the tracker when it ends."""

    exercise: Exercise
    mono: float
    wall: float


@dataclass(frozen=True)
class EventLogged:
    kind: str
    at: float
    seconds: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Notice:
    """Something to tell the user that is not a prompt; `kind` picks the wording."""

    kind: NoticeKind
    detail: str = ""


Action = Prompt | BreakStarted | BreakLogged | EventLogged | Notice


@dataclass(frozen=True)
class Snapshot:
    """What the loop is doing, for the status line and for other processes."""

    state: State
    since: float  # wall time the state began
    seated_s: float
    clock_running: bool
    next_mono: float | None  # when something happens without input
    exercise: Exercise | None
    snoozes: int
    held: str | None = None  # held while busy: the detector that says so; "warmup": paused for one


@dataclass(frozen=True)
class _Absence:
    """A natural break in progress: recorded when it ends, with the real time away."""

    left_wall: float
    seated_s: int
    due_wall: float | None
    snoozes: int
    prompted: bool
    carried_s: int = 0


@dataclass
class _Pending:
    """A break that fell due and has not been resolved yet."""

    exercise: Exercise
    due_wall: float
    prompt_mono: float = 0.0
    prompt_wall: float = 0.0
    snoozes: int = 0
    prompted: bool = False
    held_s: float = 0.0  # held while busy so far (max_hold is per break)
    held_for: str | None = None  # the last busy reason, for the prompt that follows
    early: bool = False  # chosen before it fell due (a heads-up named it)


@dataclass
class _BusyHold:
    reason: str
    since_mono: float
    since_wall: float
    next_check: float


@dataclass
class _Break:
    """A break under way: recorded as done when it is over."""

    pending: _Pending
    start: Now
    seated_s: int  # the sitting clock when it started
    carried_s: int = 0  # of that, what a missed break of the stretch recorded
    completed: bool = False
    guided: bool = False  # the loop ends it; `break` does not
    via: str | None = None  # how it was started: terminal | notification | command


Chooser = Callable[[str | None], "Exercise"]
# busy(prefer) -> the detector that says the user is busy (asking `prefer` first), or None.
BusyCheck = Callable[[str | None], str | None]


class Tracker:
    def __init__(
        self,
        timer: TimerSettings,
        choose: Chooser,
        now: Now,
        busy: BusyCheck | None = None,
        max_hold: float = 0.0,
    ) -> None:
        self.timer = timer
        self.choose = choose  # choose(not_id) -> the next exercise
        self.busy = busy
        self.max_hold = max_hold  # 0: never hold for busy
        self.busy_hold: _BusyHold | None = None
        self.state: State = "seated"
        self.since_wall = now.wall
        self.seated_s = 0.0
        self.due_s = float(timer.sit)  # seated_s at which the next break falls due
        self.carried_s = 0  # of seated_s, what a missed break of this stretch recorded
        self.pending: _Pending | None = None
        self.absence: _Absence | None = None
        self.on_schedule = True
        self.deadline: float | None = None  # mono: snooze/break/pause end
        self.paused_at_mono = 0.0
        self.pause_reason: str | None = None  # "warmup": held for `glutewake warmup`
        self.stood_at_mono = 0.0
        self.away_since_wall = 0.0
        self.away_since_mono = 0.0
        self.on_break: Exercise | None = None
        self.current_break: _Break | None = None
        self.held = False  # a due prompt held back while the user is away
        self.break_end_mono = -math.inf
        self._last = now

    # --- inputs ----------------------------------------------------------------------

    def tick(self, now: Now, idle_s: float | None = None, on_schedule: bool = True) -> list[Action]:
        self.on_schedule = on_schedule
        actions = self._catch_up(now)
        actions += self._schedule(now, on_schedule)
        actions += self._idle(now, idle_s)
        # One transition can make the next one due at once (a pause ends on a due break).
        for _ in range(3):
            step = self._deadlines(now, idle_s)
            actions += step
            if not step:
                break
        return actions

    def answer(self, kind: str, now: Now, via: str | None = None) -> list[Action]:
        """The user's answer to a due break: done, snooze, skip or another.

        `via` says where it came from (terminal, notification, command), for the log.
        """
        actions = self._catch_up(now)
        pending = self.pending
        if kind == "done" and self.state == "break":
            return actions + self.end_break(now)  # "during a break, end it"
        # A snoozed break is still the user's to take, skip or swap; only snoozing it
        # again needs it on screen.
        answerable = self.state == "due" or (self.state == "snoozed" and kind != "snooze")
        if not answerable or pending is None:
            return [*actions, Notice("refused", self._why_not_due())]
        actions += self._end_busy_hold(now)  # a held snoozed break, answered anyway
        if kind == "done":
            self.pending = None
            self.on_break = pending.exercise
            self.current_break = _Break(
                pending, now, seated_s=round(self.seated_s), carried_s=self.carried_s, via=via
            )
            self.seated_s = 0.0  # recorded on the break; the clock restarts after it
            self.carried_s = 0
            self.deadline = now.mono + self.timer.break_
            self._enter("break", now)
            actions.append(BreakStarted(pending.exercise, now.mono, now.wall))
        elif kind == "skip":
            actions.append(self._log(pending, "skipped", now, via=via))
            self._reset_seated(now)
        elif kind == "snooze":
            actions += self._snooze(pending, now, None)
        elif kind == "another":
            pending.exercise = self.choose(pending.exercise.id)
            if self.state == "snoozed":
                actions += [
                    replace(p, another=True) if isinstance(p, Prompt) else p
                    for p in self._prompt(now)
                ]
            else:
                actions.append(Prompt(pending.exercise, again=True, another=True))
        else:
            raise ValueError(f"unknown answer {kind!r}")
        return actions

    def guide_break(self, end_mono: float | None) -> None:
        """The loop guides the break under way and ends it; `end_mono` is the plan's end
        (None: open-ended), shown to other terminals but not acted on here."""
        if self.current_break is not None:
            self.current_break.guided = True
            self.deadline = end_mono

    def exercise_completed(self) -> None:
        """The break's exercise ran to its end (the break itself may go on)."""
        if self.current_break is not None:
            self.current_break.completed = True

    def end_break(
        self, now: Now, *, seconds: float | None = None, completed: bool | None = None
    ) -> list[Action]:
        """The break under way is over: record it as done and start the sitting clock."""
        actions = self._catch_up(now)
        if self.state != "break":
            return [*actions, Notice("refused", N_("not on a break"))]
        actions.append(self._close_break(now, seconds, completed))
        self.break_end_mono = now.mono
        self._reset_seated(now)
        return [*actions, Notice("break_over")]

    def warmup_started(self, now: Now, limit_s: int) -> list[Action]:
        """`glutewake warmup` began elsewhere: hold the sitting clock (a pause for the
        warm-up; a break due is put off until it ends) until it ends, or at most
        `limit_s` (a warm-up that was killed never says it ended)."""
        actions = self._catch_up(now)
        if self.state in ("paused", "off_schedule", "break"):
            return [*actions, Notice("refused", _REFUSE_NOW.get(self.state, self.state))]
        paused = self.pause(now, limit_s)
        detail = f"warm-up, at most {limit_s}s"
        paused = [
            replace(a, detail=detail)
            if isinstance(a, EventLogged) and a.kind == "pause"
            else replace(a, kind="put_off_warmup")
            if isinstance(a, Notice) and a.kind == "put_off_paused"
            else a
            for a in paused
        ]
        self.pause_reason = "warmup"
        return [*actions, *paused, Notice("warmup_started")]

    def warmup_done(self, now: Now, seconds: int, completed: bool) -> list[Action]:
        """`glutewake warmup` just ended elsewhere.

        One that ran to its end, or at least `break` long, is a break taken: a break due
        (on screen, snoozed or put off) is recorded as done, and the sitting clock starts
        again. One stopped sooner is no break: nothing is recorded, the sitting clock goes
        on where it was (it waited while the warm-up ran), and a break due comes back.
        """
        actions = self._catch_up(now)
        if self.state == "paused" and self.pause_reason == "warmup":
            actions += self._resume(now, detail="warm-up over", bring_back=False)
        if self.state not in ("seated", "due", "snoozed"):
            return [*actions, Notice("refused", _REFUSE_NOW.get(self.state, self.state))]
        if not completed and seconds < self.timer.break_:
            actions.append(
                Notice("warmup_short", N_("it stopped before its end and before [timer] break"))
            )
            if self._put_off():
                actions += self._due(now, None)
            return actions
        actions += self._end_busy_hold(now)
        pending = self.pending
        if pending is not None and pending.prompted:
            record = self._log(pending, "done", now, via="command")
            actions.append(replace(record, break_s=seconds, completed=completed))
        self.break_end_mono = now.mono
        self._reset_seated(now)
        return [*actions, Notice("warmup")]

    def snooze(self, now: Now, seconds: int | None = None) -> list[Action]:
        actions = self._catch_up(now)
        if self.state == "snoozed" and self.pending is not None and self.deadline is not None:
            # A new snooze replaces the one under way (from now), as a new pause does:
            # "snooze 10m" while snoozed means "back in ten minutes", and spends none.
            self.deadline = now.mono + (seconds or self.timer.snooze)
            return [*actions, Notice("snooze_replaced")]
        if self.state != "due" or self.pending is None:
            return [*actions, Notice("refused", self._why_not_due())]
        return actions + self._snooze(self.pending, now, seconds)

    def break_now(self, now: Now) -> list[Action]:
        actions = self._catch_up(now)
        if self.state not in ("seated", "snoozed"):
            return [*actions, Notice("refused", _REFUSE_NOW.get(self.state, self.state))]
        if self.pending is None:
            self.pending = _Pending(self.choose(None), due_wall=now.wall)
        return actions + self._end_busy_hold(now) + self._prompt(now)

    def pause(self, now: Now, seconds: int | None = None) -> list[Action]:
        actions = self._catch_up(now)
        if self.state == "off_schedule":
            return [*actions, Notice("refused", N_("already off schedule"))]
        if self.state == "paused":
            # A new pause replaces the one under way (from now): "pause 2h" while paused
            # means "until two hours from now", not "already paused".
            self.deadline = now.mono + seconds if seconds else None
            self.pause_reason = None  # the user's pause now, even over a warm-up's
            detail = f"for {seconds}s" if seconds else "until resume"
            return [
                *actions,
                EventLogged("pause", now.wall, detail=f"replaced: {detail}"),
                Notice("pause_replaced"),
            ]
        if self.state == "away":
            actions += self._end_absence(now, returned=True)  # a command: they are back
        actions += self._leave_posture(now) + self._end_busy_hold(now)
        if self.state == "break":
            # The break was taken; the pause only cuts it short.
            actions.append(self._close_break(now))
            self._reset_seated(now)
        self.deadline = now.mono + seconds if seconds else None
        self.paused_at_mono = now.mono
        self._enter("paused", now)
        detail = f"for {seconds}s" if seconds else "until resume"
        return [*actions, EventLogged("pause", now.wall, detail=detail), *self._put_off_notice()]

    def resume(self, now: Now) -> list[Action]:
        actions = self._catch_up(now)
        if self.state != "paused":
            return [*actions, Notice("refused", N_("not paused"))]
        return actions + self._resume(now, detail=None)

    def stand(self, now: Now) -> list[Action]:
        actions = self._catch_up(now)
        if self.state in ("standing", "paused", "off_schedule", "break", "away"):
            return [*actions, Notice("refused", _REFUSE_POSTURE.get(self.state, self.state))]
        actions += self._end_busy_hold(now)
        self.stood_at_mono = now.mono
        self._enter("standing", now)
        return [*actions, EventLogged("stand", now.wall), *self._put_off_notice()]

    def sit(self, now: Now) -> list[Action]:
        actions = self._catch_up(now)
        if self.state != "standing":
            return [*actions, Notice("refused", N_("not standing"))]
        return actions + self._leave_posture(now) + self._back_to_sitting(now, bring_back=True)

    def idle_lost(self, now: Now) -> list[Action]:
        """Idle time can no longer be read: stop waiting for a reading that will not come."""
        actions = self._catch_up(now)
        self.held = False
        if self.state == "away":
            # Nobody can tell when they come back: the absence ends here, return unseen.
            actions += self._end_absence(now, returned=False)
            actions += self._back_to_sitting(now, reset=True)
        return actions

    def stop(self, now: Now) -> list[Action]:
        """The loop is ending: close whatever is open so the log is complete.

        Afterwards `seated_s` is the sitting not recorded on any break: the open stretch.
        """
        actions = self._catch_up(now)
        actions += self._leave_posture(now) + self._end_busy_hold(now)
        if self.state == "paused":
            seconds = round(now.mono - self.paused_at_mono)
            actions.append(EventLogged("resume", now.wall, seconds, "loop stopped"))
        if self.state == "away":
            actions += self._end_absence(now, returned=False)
        if self.state == "break":
            actions.append(self._close_break(now))
        if self.pending is not None and self.pending.prompted:
            # Stopping is not missing: nobody ignored it, the loop ended under it.
            actions.append(self._log(self.pending, "abandoned", now, answered=False))
            self.pending = None
            # That row holds the stretch so far, as a missed break's does: the session's
            # end carries it, so the stretch counts once in the totals (and whole in the
            # longest).
            self.carried_s = round(self.seated_s)
        if self.state in ("away", "off_schedule", "break"):
            self.seated_s = 0.0
        return actions

    # --- queries ---------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        pending = self.pending
        return Snapshot(
            state=self.state,
            since=self.since_wall,
            seated_s=self.seated_s,
            clock_running=self.state in _CLOCK_RUNS,
            # A guided break's planned end, for other terminals; nothing happens at it here.
            next_mono=(
                self._latest_release()
                if self.busy_hold
                else self.deadline
                if self._guided()
                else self.next_mono()
            ),
            # Paused or standing, a break chosen early for a heads-up is not shown: only
            # one put off from the screen.
            exercise=(
                pending.exercise
                if pending and (pending.prompted or self.state not in ("paused", "standing"))
                else self.on_break
            ),
            snoozes=pending.snoozes if pending else 0,
            held=(
                self.busy_hold.reason
                if self.busy_hold
                else "warmup"
                if self.state == "paused" and self.pause_reason == "warmup"
                else None
            ),
        )

    def _guided(self) -> bool:
        return self.state == "break" and bool(self.current_break and self.current_break.guided)

    def next_mono(self) -> float | None:
        """When something happens without any input, on the monotonic clock."""
        if self.busy_hold is not None:
            return self.busy_hold.next_check  # ask again whether they are still busy
        if self.held and self.state in ("seated", "snoozed"):
            return None  # waiting for an idle reading that says they are back
        if self.state == "seated" and self._put_off():
            return self._last.mono  # put off, and back from the pause or the standing
        if self.state == "seated":
            return self._last.mono + max(0.0, self.due_s - self.seated_s)
        if self.state == "due" and self.pending is not None:
            return self.pending.prompt_mono + self.timer.respond_within
        if self._guided():
            return None  # the loop ends it
        if self.state in ("snoozed", "break", "paused"):
            return self.deadline
        return None

    def upcoming(self) -> Exercise | None:
        """The exercise of the break due next, chosen now so a heads-up can name it."""
        if self.state != "seated":
            return None
        if self.pending is None:
            self.pending = _Pending(self.choose(None), due_wall=self._last.wall, early=True)
        return self.pending.exercise

    def snoozes_left(self) -> int:
        used = self.pending.snoozes if self.pending else 0
        return max(0, self.timer.max_snoozes - used)

    # --- internals -------------------------------------------------------------------

    def _catch_up(self, now: Now) -> list[Action]:
        """Bring the clocks to `now`; a suspend long enough is a natural break."""
        gap = self._advance(now)
        if gap is None:
            return []
        # Asleep during a pause or while standing is as much a break as asleep at the
        # desk: the sitting before it is over (the pause or the standing goes on).
        return self._natural_break(now, away_s=gap, at=now.wall - gap, suspended=True)

    def _advance(self, now: Now) -> float | None:
        """Move the clocks forward; return a suspend gap worth a natural break, if any."""
        d_mono = max(0.0, now.mono - self._last.mono)
        if now.boot is not None and self._last.boot is not None:
            d_awake = now.boot - self._last.boot
        else:
            d_awake = now.wall - self._last.wall
        self._last = now
        if self.state in _CLOCK_RUNS:
            self.seated_s += d_mono
        # Time that the monotonic clock did not see: the machine slept. Where there is no
        # boot clock, wall time stands in; clock changes (NTP, a manual set) move it too,
        # so only long gaps count.
        gap = d_awake - d_mono
        if gap > 0 and self.deadline is not None and self.state in ("paused", "break"):
            self.deadline -= gap  # "pause 1h" means an hour of the day, asleep or not
        if gap >= self.timer.natural_break and self.state in _NATURAL_BREAK_STATES:
            return gap
        return None

    def _schedule(self, now: Now, on_schedule: bool) -> list[Action]:
        if self.state == "off_schedule" and on_schedule:
            self._restart_clock()
            self._enter("seated", now)
            return [EventLogged("schedule_open", now.wall), Notice("schedule_open")]
        # A break on screen or under way finishes first (on screen: answered, or
        # abandoned when it times out); everything else closes with the day.
        if on_schedule or self.state not in ("seated", "snoozed", "away", "paused", "standing"):
            return []
        actions: list[Action] = []
        if self.state == "away":
            actions += self._end_absence(now, returned=False)
        if self.state == "paused":
            seconds = round(now.mono - self.paused_at_mono)
            actions.append(EventLogged("resume", now.wall, seconds, "schedule closed"))
        actions += self._leave_posture(now)
        actions += self._end_busy_hold(now)
        if self.pending is not None and self.pending.prompted:
            actions.append(self._log(self.pending, "abandoned", now, answered=False))
        self.pending = None
        self.deadline = None
        self._enter("off_schedule", now)
        return [*actions, EventLogged("schedule_closed", now.wall), Notice("schedule_closed")]

    def _idle(self, now: Now, idle_s: float | None) -> list[Action]:
        if idle_s is None:
            return []
        if self.state == "away":
            # Still away, idle time keeps pace with the absence; input resets it.
            if idle_s + _BACK_SLACK_S < now.mono - self.away_since_mono:
                # Input came idle_s ago: that is when they came back.
                back = Now(now.mono - idle_s, now.wall - idle_s)
                natural = self.absence is not None
                actions = self._end_absence(back, returned=True)
                actions.append(Notice("back" if natural else "returned"))
                return actions + self._back_to_sitting(now, reset=True)
            return []
        # Idle is never an exercise: away from a prompt long enough is a natural break,
        # not a break done (reading or a video call earns no credit).
        if self.state in ("seated", "snoozed", "due") and idle_s >= self.timer.natural_break:
            if self.busy_hold is not None and self.busy_hold.reason in _AT_THE_SCREEN:
                return []  # in a call or watching: still sitting, just not typing
            if now.mono - idle_s <= self.break_end_mono:
                # Gone since the break they answered "done": the same absence, already
                # on the log as that break, not a second (natural) one.
                self.seated_s = 0.0
                self._go_away(now, idle_s)
                return []
            return self._natural_break(now, away_s=idle_s, at=now.wall - idle_s, suspended=False)
        return []

    def _natural_break(self, now: Now, away_s: float, at: float, suspended: bool) -> list[Action]:
        held = self._end_busy_hold(now, at=at)
        pending = self.pending
        # Idle: the clock ran while they were already gone, and that was not sitting.
        # Suspended: the monotonic clock, and so the sitting clock, stood still.
        seated = round(max(0.0, self.seated_s - (0.0 if suspended else away_s)))
        absence = _Absence(
            left_wall=at,
            seated_s=seated,
            due_wall=pending.due_wall if pending else None,
            snoozes=pending.snoozes if pending else 0,
            prompted=pending is not None and pending.prompted,
            carried_s=min(self.carried_s, seated),
        )
        self.pending = None
        self._restart_clock()
        if not suspended:
            # Recorded when they come back, with the time they were really away.
            self.absence = absence
            self._go_away(now, away_s)
            return held
        # Waking from sleep is itself input: the absence is over, sitting starts now.
        self.absence = absence
        actions = held + self._end_absence(now, returned=True, event=False)
        actions.append(EventLogged("suspend", at, round(away_s)))
        if self.state not in ("paused", "standing"):
            self._enter("seated", now)
        return actions

    def _end_absence(self, now: Now, returned: bool, event: bool = True) -> list[Action]:
        """The away state ends: log the natural break (if one began) and the return."""
        actions: list[Action] = []
        absence, self.absence = self.absence, None
        if absence is not None:
            actions.append(
                BreakLogged(
                    outcome="natural",
                    at=absence.left_wall,
                    due_at=absence.due_wall if absence.due_wall is not None else absence.left_wall,
                    answered_at=now.wall if returned else None,
                    seated_s=absence.seated_s,
                    exercise=None,
                    snoozes=absence.snoozes,
                    away_s=round(max(0.0, now.wall - absence.left_wall)),
                    prompted=absence.prompted,
                    carried_s=absence.carried_s,
                )
            )
        if event and returned:
            actions.append(self._back_event(now))
        return actions

    def _deadlines(self, now: Now, idle_s: float | None) -> list[Action]:
        state, pending = self.state, self.pending
        expired = self.deadline is not None and now.mono >= self.deadline
        if state == "seated" and (self.seated_s >= self.due_s or self._put_off()):
            if self.pending is None:
                self.pending = _Pending(self.choose(None), due_wall=now.wall)
            elif self.pending.early:
                self.pending.due_wall = now.wall  # chosen early for a heads-up; due now
                self.pending.early = False
            return self._due(now, idle_s)
        if state == "snoozed" and expired:
            return self._due(now, idle_s)
        if state == "due" and pending is not None:
            if now.mono >= pending.prompt_mono + self.timer.respond_within:
                if not self.on_schedule:
                    # Left on screen when the schedule closed: the day ended under it.
                    actions: list[Action] = [self._log(pending, "abandoned", now, answered=False)]
                    self._reset_seated(now)
                    return actions
                actions = [self._log(pending, "missed", now, answered=False)]
                # Nobody got up: the stretch goes on, and so does the sitting clock. The
                # next prompt comes after another `sit` of it.
                self.pending = None
                self.due_s = self.seated_s + self.timer.sit
                self.carried_s = round(self.seated_s)  # on the missed record now
                self.deadline = None
                self._enter("seated", now)
                return actions
            return []
        if state == "break" and expired and not self._guided():
            # Nobody guided it: the break's length ran out, so it counts as taken in full.
            return self.end_break(now, completed=True)
        if state == "paused" and expired:
            # A warm-up that never said it ended (killed, or left running): not a break.
            over = "warm-up abandoned" if self.pause_reason == "warmup" else "pause over"
            return self._resume(now, detail=over)
        return []

    def _why_not_due(self) -> str:
        if self._put_off():
            return _PUT_OFF_UNTIL.get(self.state, N_("no break is due"))
        return N_("already snoozed") if self.state == "snoozed" else N_("no break is due")

    def _put_off(self) -> bool:
        """A break that was on screen waits while the user stands or pauses (or, seated,
        for its prompt to come back)."""
        return self.pending is not None and self.pending.prompted and self.state in _PUT_OFF

    def _due(self, now: Now, idle_s: float | None) -> list[Action]:
        """A break is due now: hold it while the user is busy or away, else prompt."""
        hold = self.busy_hold
        if hold is not None and now.mono < hold.next_check:
            return []  # asked a moment ago: the answer stands
        reason = self._ask_busy(now)
        if reason is not None:
            if hold is None:
                self.busy_hold = _BusyHold(reason, now.mono, now.wall, now.mono + HOLD_CHECK_S)
            else:
                hold.reason, hold.next_check = reason, now.mono + HOLD_CHECK_S
            return []
        actions = self._end_busy_hold(now)
        if self._hold(idle_s):
            return actions
        return actions + self._prompt(now)

    def _ask_busy(self, now: Now) -> str | None:
        """The reason to hold the pending break now, or None (not busy, or hold used up)."""
        if self.busy is None or self.pending is None or self._hold_left(now) <= 0:
            return None
        return self.busy(self.busy_hold.reason if self.busy_hold else None)

    def _hold_left(self, now: Now) -> float:
        assert self.pending is not None
        used = self.pending.held_s
        if self.busy_hold is not None:
            used += now.mono - self.busy_hold.since_mono
        return self.max_hold - used

    def _latest_release(self) -> float | None:
        """When the current busy hold ends at the latest (max_hold)."""
        if self.busy_hold is None or self.pending is None:
            return None
        return self.busy_hold.since_mono + self.max_hold - self.pending.held_s

    def _end_busy_hold(self, now: Now, at: float | None = None) -> list[Action]:
        """Close a busy hold (busy over, max_hold, pause, a natural break...): log it.

        `at`: wall time it ended, when that was before now (a natural break began then).
        """
        hold, pending = self.busy_hold, self.pending
        if hold is None:
            return []
        self.busy_hold = None
        end_wall = now.wall if at is None else max(hold.since_wall, at)
        seconds = max(0.0, min(now.mono - hold.since_mono, end_wall - hold.since_wall))
        detail = hold.reason
        if pending is not None:
            pending.held_s += seconds
            pending.held_for = hold.reason
            if self.max_hold - pending.held_s <= 0:
                detail += " (max_hold)"
        return [EventLogged("held", hold.since_wall, round(seconds), detail)]

    def _hold(self, idle_s: float | None) -> bool:
        """Whether a due prompt waits: the user seems away, and may not be back soon.

        Only a fresh idle reading changes the answer; between readings (None) it stands.
        """
        if idle_s is not None:
            self.held = idle_s >= min(AWAY_HOLD_S, self.timer.natural_break)
        return self.held

    def _prompt(self, now: Now) -> list[Action]:
        pending = self.pending
        assert pending is not None
        again = pending.prompted
        pending.prompted = True
        pending.prompt_mono = now.mono
        if not again:
            pending.prompt_wall = now.wall
        self.deadline = None
        self._enter("due", now)
        held_for, pending.held_for = pending.held_for, None  # said once, on this prompt
        waited = round(pending.held_s) if held_for else 0
        return [Prompt(pending.exercise, again=again, waited_s=waited, held_for=held_for)]

    def _snooze(self, pending: _Pending, now: Now, seconds: int | None) -> list[Action]:
        if pending.snoozes >= self.timer.max_snoozes:
            return [Notice("refused", N_("no snoozes left for this break"))]
        pending.snoozes += 1
        self.deadline = now.mono + (seconds or self.timer.snooze)
        self._enter("snoozed", now)
        return []

    def _resume(self, now: Now, detail: str | None, bring_back: bool = True) -> list[Action]:
        self.pause_reason = None
        seconds = round(now.mono - self.paused_at_mono)
        actions: list[Action] = [EventLogged("resume", now.wall, seconds, detail)]
        return actions + self._back_to_sitting(now, bring_back=bring_back)

    def _back_to_sitting(
        self, now: Now, reset: bool = False, bring_back: bool = False
    ) -> list[Action]:
        if reset:
            self._restart_clock()
        self.deadline = None
        self._enter("seated", now)
        # A break put off by the pause or the standing is due again now, whether the
        # clock or `now` made it due; one due but never shown comes at the next tick.
        if bring_back and self._put_off():
            return self._due(now, None)
        return []

    def _put_off_notice(self) -> list[Action]:
        """Say that the break on screen waits, rather than let it vanish."""
        if not self._put_off():
            return []
        assert self.pending is not None
        kind: NoticeKind = "put_off_standing" if self.state == "standing" else "put_off_paused"
        return [Notice(kind, self.pending.exercise.name)]

    def _leave_posture(self, now: Now) -> list[Action]:
        if self.state != "standing":
            return []
        seconds = round(now.mono - self.stood_at_mono)
        return [EventLogged("sit", now.wall, seconds)]

    def _go_away(self, now: Now, idle_s: float) -> None:
        self.away_since_wall = now.wall - idle_s
        self.away_since_mono = now.mono - idle_s
        self._enter("away", now)
        self.since_wall = self.away_since_wall  # "away since" is when they left

    def _back_event(self, now: Now) -> EventLogged:
        return EventLogged("back", now.wall, round(max(0.0, now.wall - self.away_since_wall)))

    def _close_break(
        self, now: Now, seconds: float | None = None, completed: bool | None = None
    ) -> BreakLogged:
        taken = self.current_break
        assert taken is not None, "only called in the break state"
        self.current_break = None
        pending = taken.pending
        if seconds is None:
            seconds = now.mono - taken.start.mono
        return BreakLogged(
            outcome="done",
            at=pending.prompt_wall,
            due_at=pending.due_wall,
            answered_at=taken.start.wall,
            seated_s=taken.seated_s,
            exercise=pending.exercise,
            snoozes=pending.snoozes,
            answered_via=taken.via,
            break_s=round(max(0.0, seconds)),
            completed=taken.completed if completed is None else completed,
            prompted=pending.prompted,
            carried_s=taken.carried_s,
        )

    def _reset_seated(self, now: Now) -> None:
        self.pending = None
        self.on_break = None
        self.current_break = None
        self._restart_clock()
        self.deadline = None
        self._enter("seated", now)

    def _log(
        self,
        pending: _Pending,
        outcome: Outcome,
        now: Now,
        answered: bool = True,
        via: str | None = None,
    ) -> BreakLogged:
        return BreakLogged(
            outcome=outcome,
            at=pending.prompt_wall,
            due_at=pending.due_wall,
            answered_at=now.wall if answered else None,
            seated_s=round(self.seated_s),
            exercise=pending.exercise,
            snoozes=pending.snoozes,
            answered_via=via if answered else None,
            prompted=pending.prompted,
            carried_s=min(self.carried_s, round(self.seated_s)),
        )

    def _restart_clock(self) -> None:
        """A new sitting stretch: nothing sat, nothing carried, the next break `sit` away."""
        self.seated_s = 0.0
        self.due_s = float(self.timer.sit)
        self.carried_s = 0

    def _enter(self, state: State, now: Now) -> None:
        if state not in ("seated", "snoozed"):
            self.held = False
            # Every way out of a hold logs it first (_end_busy_hold); this only makes
            # sure no state but seated or snoozed ever looks held.
            self.busy_hold = None
        if state != self.state:
            self.state = state
            self.since_wall = now.wall


# Idle readings and our clock may disagree by a poll's worth; more than this is input.
_BACK_SLACK_S = 2.0
_CLOCK_RUNS = frozenset({"seated", "due", "snoozed"})
# Where a break shown before waits, put off, rather than being on screen or snoozed.
_PUT_OFF = frozenset({"seated", "paused", "standing"})
_PUT_OFF_UNTIL = {
    "standing": N_("the break is put off until you sit"),
    "paused": N_("the break is put off until the pause ends"),
}
_NATURAL_BREAK_STATES = frozenset({"seated", "due", "snoozed", "paused", "standing"})
# Why a command is refused: English here (the tracker is pure and the answer travels
# through the log), marked so the terminal that shows it translates it.
_REFUSE_NOW = {
    "due": N_("a break is already due"),
    "break": N_("you are on a break"),
    "paused": N_("paused: resume first"),
    "standing": N_("standing: sit first"),
    "away": N_("you are away"),
    "off_schedule": N_("outside the schedule"),
}
_REFUSE_POSTURE = {
    "standing": N_("already standing"),
    "paused": N_("paused: resume first"),
    "off_schedule": N_("outside the schedule"),
    "break": N_("you are on a break"),
    "away": N_("you are away"),
}
