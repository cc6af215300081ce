"""The tracker's rules for a break that falls due while the user is busy, with injected
detectors (a function saying who is busy) and plain numbers for time."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from glutewake.config import TimerSettings
from glutewake.tracker import HOLD_CHECK_S, BreakLogged, EventLogged, Notice, Now, Prompt, Tracker

if TYPE_CHECKING:
    from glutewake.catalog import Exercise

WALL0 = 1_800_000_000.0
TIMER = TimerSettings(
    sit=100, break_=20, snooze=30, max_snoozes=2, respond_within=60, natural_break=50
)
MAX_HOLD = 600


@dataclass(frozen=True)
class _Ex:
    id: str
    name: str = "x"
    category: str = "glutes"


def Ex(id: str, name: str = "x", category: str = "glutes") -> Exercise:
    """A stand-in exercise: the tracker only passes exercises along and reads these."""
    return cast("Exercise", _Ex(id, name, category))


class Rig:
    """A tracker, a clock, and `busy`: the detector that says busy now (None: nobody)."""

    def __init__(self, max_hold: float = MAX_HOLD) -> None:
        self.picks = iter(Ex(f"ex{i}") for i in range(1000))
        self.t = 0.0
        self.jump = 0.0
        self.busy: str | None = None
        self.asked: list[tuple[float, str | None]] = []  # (time, preferred) per question
        self.tracker = Tracker(
            TIMER, lambda _not: next(self.picks), self.now, busy=self._busy, max_hold=max_hold
        )

    def _busy(self, prefer: str | None) -> str | None:
        self.asked.append((self.t, prefer))
        return self.busy

    @property
    def now(self) -> Now:
        return Now(mono=self.t, wall=WALL0 + self.t + self.jump)

    def at(self, t: float, idle: float | None = None, on_schedule: bool = True) -> list[Any]:
        self.t = t
        return self.tracker.tick(self.now, idle, on_schedule)

    def run(self, until: float, step: float = 0.5, idle: float | None = None) -> list[Any]:
        """Tick every `step` seconds (as the loop's wake-ups would) up to `until`."""
        actions: list[Any] = []
        while self.t + step <= until + 1e-9:
            actions += self.at(round(self.t + step, 6), idle)
        return actions

    @property
    def state(self) -> str:
        return self.tracker.state


def kinds(actions: list[Any]) -> list[str]:
    out = []
    for a in actions:
        if isinstance(a, Prompt):
            out.append("prompt-again" if a.again else "prompt")
        elif isinstance(a, BreakLogged):
            out.append(a.outcome)
        elif isinstance(a, EventLogged):
            out.append(f"event:{a.kind}")
        elif isinstance(a, Notice):
            out.append(f"notice:{a.kind}")
    return out


def only(actions: list[Any], cls: type, kind: str | None = None) -> Any:
    found = [a for a in actions if isinstance(a, cls) and kind in (None, getattr(a, "kind", None))]
    assert len(found) == 1, actions
    return found[0]


def test_detectors_are_not_asked_before_a_break_is_due():
    rig = Rig()
    rig.busy = "camera"
    rig.run(99.5, step=0.5)
    assert rig.asked == []
    assert rig.tracker.next_mono() == 100


def test_a_due_break_is_held_while_busy_and_prompted_when_it_ends_saying_it_waited():
    rig = Rig()
    rig.busy = "camera"
    assert rig.at(100) == []
    assert rig.state == "seated"
    snap = rig.tracker.snapshot()
    assert snap.held == "camera" and snap.exercise == Ex("ex0")
    assert snap.next_mono == 100 + MAX_HOLD  # shown as "at the latest"
    assert rig.tracker.next_mono() == 100 + HOLD_CHECK_S  # the loop wakes to ask again
    assert rig.run(400) == []
    assert rig.tracker.snapshot().seated_s == 400  # the clock keeps counting
    rig.busy = None
    assert rig.at(400.5) == []  # asked at 400: the answer stands until 401
    actions = rig.at(401)
    assert kinds(actions) == ["event:held", "prompt"]
    assert only(actions, EventLogged) == EventLogged("held", WALL0 + 100, 301, "camera")
    prompt = only(actions, Prompt)
    assert (prompt.exercise, prompt.waited_s, prompt.held_for) == (Ex("ex0"), 301, "camera")
    assert rig.state == "due" and rig.tracker.snapshot().held is None
    rig.tracker.answer("done", rig.now)  # starts the break; it is recorded when over
    record = only(rig.tracker.end_break(rig.now), BreakLogged)
    assert (record.at, record.due_at, record.seated_s) == (WALL0 + 401, WALL0 + 100, 401)


def test_holding_asks_about_once_a_second_the_busy_detector_first():
    rig = Rig()
    rig.busy = "fullscreen"
    rig.at(100)
    rig.run(110, step=0.25)
    times = [t for t, _ in rig.asked]
    assert len(times) == 11 and all(b - a >= HOLD_CHECK_S for a, b in itertools.pairwise(times))
    assert [p for _, p in rig.asked] == [None] + ["fullscreen"] * 10


def test_a_break_on_screen_is_not_withdrawn_when_the_user_becomes_busy():
    rig = Rig()
    assert kinds(rig.at(100)) == ["prompt"]
    rig.busy = "dnd"
    assert rig.run(150) == []
    assert rig.state == "due" and rig.asked == [(100, None)]
    assert kinds(rig.at(160)) == ["missed"]


def test_max_hold_prompts_once_and_the_break_is_not_held_again():
    rig = Rig(max_hold=120)
    rig.busy = "microphone"
    rig.at(100)
    assert rig.run(219.5) == []
    actions = rig.at(220)
    assert kinds(actions) == ["event:held", "prompt"]
    assert only(actions, EventLogged).detail == "microphone (max_hold)"
    assert only(actions, Prompt).waited_s == 120
    rig.tracker.answer("snooze", rig.now)
    asked = len(rig.asked)
    assert kinds(rig.at(250)) == ["prompt-again"]  # still busy, but its hold is used up
    assert len(rig.asked) == asked
    rig.tracker.answer("done", rig.now)
    assert only(rig.tracker.end_break(rig.now), BreakLogged).outcome == "done"
    # The next break has its own max_hold.
    rig.at(270)
    assert rig.at(370) == [] and rig.tracker.snapshot().held == "microphone"


def test_a_snoozed_break_coming_back_during_a_call_is_held_with_what_is_left():
    rig = Rig(max_hold=100)
    rig.busy = "camera"
    rig.at(100)
    rig.busy = None
    rig.run(140)  # asked again at 101: free, so held for 1 s
    assert rig.state == "due"
    rig.tracker.answer("snooze", rig.now)
    rig.busy = "camera"
    assert rig.run(170) == []
    assert rig.tracker.snapshot().held == "camera"
    assert rig.tracker.snapshot().next_mono == 170 + 100 - 1
    assert rig.run(268.5) == []
    actions = rig.run(269)
    assert kinds(actions) == ["event:held", "prompt-again"]
    assert only(actions, Prompt).waited_s == 100


def test_max_hold_zero_never_holds_and_never_asks():
    rig = Rig(max_hold=0)
    rig.busy = "dnd"
    assert kinds(rig.at(100)) == ["prompt"]
    assert rig.asked == []


def test_unknown_or_free_detectors_do_not_hold():
    rig = Rig()
    assert kinds(rig.at(100)) == ["prompt"]
    assert only(rig.tracker.answer("skip", rig.now), BreakLogged).outcome == "skipped"


def test_a_hold_that_meets_a_natural_break_by_idle_with_do_not_disturb():
    rig = Rig()
    rig.busy = "dnd"
    rig.at(100, idle=0)
    actions = rig.at(160, idle=50)
    assert kinds(actions) == ["event:held"]  # the natural break is logged on return
    held = only(actions, EventLogged)
    assert (held.at, held.seconds, held.detail) == (WALL0 + 100, 10, "dnd")  # until they left
    assert rig.state == "away" and rig.tracker.snapshot().held is None
    assert only(rig.at(200, idle=0), BreakLogged).due_at == WALL0 + 100


def test_no_input_during_a_call_or_a_film_is_not_a_natural_break():
    rig = Rig()
    rig.busy = "fullscreen"
    rig.at(100, idle=0)
    assert rig.at(200, idle=100) == []
    assert rig.state == "seated" and rig.tracker.snapshot().held == "fullscreen"
    rig.busy = None
    actions = rig.at(201, idle=0)
    assert kinds(actions) == ["event:held", "prompt"]


def test_a_suspend_during_a_hold_is_a_natural_break():
    rig = Rig()
    rig.busy = "camera"
    rig.at(100)
    rig.jump = 3600
    actions = rig.at(101)
    assert kinds(actions) == ["event:held", "natural", "event:suspend"]
    held = next(a for a in actions if isinstance(a, EventLogged) and a.kind == "held")
    assert held.seconds == 1
    assert rig.state == "seated" and rig.tracker.snapshot().held is None
    assert rig.tracker.snapshot().seated_s == 0


def test_pause_ends_the_hold_and_resume_holds_again_if_still_busy():
    rig = Rig()
    rig.busy = "camera"
    rig.at(100)
    rig.at(130)
    actions = rig.tracker.pause(rig.now)
    assert kinds(actions) == ["event:held", "event:pause"]
    assert only(actions, EventLogged, kind="held").seconds == 30
    assert rig.tracker.snapshot().held is None
    rig.t = 200
    rig.tracker.resume(rig.now)
    assert rig.at(200) == [] and rig.tracker.snapshot().held == "camera"
    assert rig.tracker.snapshot().next_mono == 200 + MAX_HOLD - 30
    rig.busy = None
    actions = rig.run(202)
    assert kinds(actions) == ["event:held", "prompt"]
    assert only(actions, Prompt).waited_s == 31


def test_standing_up_ends_the_hold():
    rig = Rig()
    rig.busy = "dnd"
    rig.at(100)
    rig.t = 110
    assert kinds(rig.tracker.stand(rig.now)) == ["event:held", "event:stand"]


def test_schedule_close_drops_a_held_break_and_logs_the_hold():
    rig = Rig()
    rig.busy = "camera"
    rig.at(100)
    actions = rig.at(150, on_schedule=False)
    assert kinds(actions) == ["event:held", "event:schedule_closed", "notice:schedule_closed"]
    assert rig.state == "off_schedule" and rig.tracker.snapshot().held is None
    rig.busy = None
    assert kinds(rig.at(500)) == ["event:schedule_open", "notice:schedule_open"]
    assert rig.tracker.snapshot().seated_s == 0


def test_break_now_during_a_hold_shows_it_at_once():
    rig = Rig()
    rig.busy = "camera"
    rig.at(100)
    rig.t = 105
    actions = rig.tracker.break_now(rig.now)
    assert kinds(actions) == ["event:held", "prompt"]
    assert only(actions, Prompt).waited_s == 5


def test_stop_during_a_hold_logs_it():
    rig = Rig()
    rig.busy = "dnd"
    rig.at(100)
    rig.t = 140
    actions = rig.tracker.stop(rig.now)
    assert kinds(actions) == ["event:held"]
    assert only(actions, EventLogged).seconds == 40


def test_busy_ends_while_away_then_the_away_rule_holds_it():
    rig = Rig()
    rig.busy = "dnd"
    rig.at(100, idle=0)
    rig.busy = None
    actions = rig.at(102, idle=40)
    assert kinds(actions) == ["event:held"]
    assert rig.tracker.next_mono() is None  # waiting for them to come back
    assert kinds(rig.at(103, idle=1)) == ["prompt"]


def test_a_held_snoozed_break_answered_anyway_ends_the_hold():
    for kind, state in (("done", "break"), ("skip", "seated"), ("another", "due")):
        rig = Rig()
        rig.at(100)
        rig.tracker.answer("snooze", rig.now)
        rig.busy = "camera"
        assert rig.at(130) == [] and rig.tracker.snapshot().held == "camera"
        rig.t = 140
        actions = rig.tracker.answer(kind, rig.now)
        assert kinds(actions)[0] == "event:held", kind
        assert only([a for a in actions if isinstance(a, EventLogged)], EventLogged).seconds == 10
        assert rig.state == state and rig.tracker.snapshot().held is None
        assert rig.tracker.next_mono() != 141  # no longer asking every second


# --- whatever happens: the hold's invariants ---------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ANSWERS = ("done", "skip", "another")
CALLS = {
    "snooze": ("snooze", ()),
    "now": ("break_now", ()),
    "pause": ("pause", ()),
    "resume": ("resume", ()),
    "stand": ("stand", ()),
    "sit": ("sit", ()),
}
BUSY_STEP = st.one_of(
    st.tuples(
        st.just("tick"),
        st.floats(0, 300),  # seconds since the last step
        st.one_of(st.none(), st.floats(0, 600)),  # idle reading, or none this tick
        st.booleans(),  # on schedule
        st.sampled_from([0.0, 0.0, 0.0, 7200.0]),  # wall jump (a suspend)
    ),
    st.tuples(st.just("busy"), st.sampled_from([None, None, "camera", "dnd", "fullscreen"])),
    st.tuples(st.sampled_from([*ANSWERS, *CALLS])),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(BUSY_STEP, max_size=60))
def test_holds_are_logged_once_never_overlong_and_only_while_seated(steps):
    rig = Rig(max_hold=120)
    tracker = rig.tracker
    held_events: list[EventLogged] = []
    for step in steps:
        was_held = tracker.snapshot().held
        if step[0] == "tick":
            _, dt, idle, on, jump = step
            rig.jump += jump
            # As the loop does: never sleep past the tracker's next moment.
            wake = tracker.next_mono()
            target = rig.t + dt if wake is None else min(rig.t + dt, max(wake, rig.t))
            actions = rig.at(target, idle=idle, on_schedule=on)
            deadline = tracker.next_mono()
            assert deadline is None or deadline > rig.t - 1e-6
            for prompt in (a for a in actions if isinstance(a, Prompt)):
                if rig.busy is not None and rig.asked and rig.asked[-1][0] == rig.t:
                    # Shown although asked and busy: only when the hold is used up.
                    assert prompt.waited_s >= 120 - 1, (prompt, actions)
        elif step[0] == "busy":
            rig.busy = step[1]
            continue
        elif step[0] in ANSWERS:
            actions = tracker.answer(step[0], rig.now)
        else:
            method, args = CALLS[step[0]]
            actions = getattr(tracker, method)(rig.now, *args)
        held_events += [a for a in actions if isinstance(a, EventLogged) and a.kind == "held"]
        snap = tracker.snapshot()
        if snap.held is not None:
            assert tracker.state in ("seated", "snoozed"), tracker.state
        if was_held and not snap.held:
            # A hold ends with its event, in the same step.
            assert any(isinstance(a, EventLogged) and a.kind == "held" for a in actions)
    held_events += [a for a in tracker.stop(rig.now) if isinstance(a, EventLogged)]
    assert tracker.snapshot().held is None
    for event in held_events:
        if event.kind == "held":
            assert event.seconds is not None and 0 <= event.seconds <= 120 + 1
            assert event.detail is not None and event.detail.split()[0] in (
                "camera",
                "dnd",
                "fullscreen",
            )
