"""The pure state machine, driven with plain numbers for time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import pytest

from glutewake.config import TimerSettings
from glutewake.tracker import (
    AWAY_HOLD_S,
    BreakLogged,
    BreakStarted,
    EventLogged,
    Notice,
    Now,
    Prompt,
    Tracker,
)

if TYPE_CHECKING:
    from glutewake.catalog import Exercise

WALL0 = 1_800_000_000.0  # any wall time; kept apart from mono to catch mix-ups


@dataclass(frozen=True)
class _Ex:
    id: str
    name: str = "x"
    category: str = "glutes"


def Ex(id: str, name: str = "x", category: str = "glutes") -> Exercise:
    """A stand-in exercise: the tracker only passes exercises along and reads these."""
    return cast("Exercise", _Ex(id, name, category))


TIMER = TimerSettings(
    sit=100, break_=20, snooze=30, max_snoozes=2, respond_within=60, natural_break=50
)


class Rig:
    """A tracker plus a clock; `at(t)` moves both clocks to t seconds after the start."""

    def __init__(self, timer: TimerSettings = TIMER) -> None:
        self.picks = iter(Ex(f"ex{i}") for i in range(1000))
        self.not_ids: list[str | None] = []
        self.t = 0.0
        self.jump = 0.0  # wall - mono offset grows on suspend / clock changes
        self.tracker = Tracker(timer, self._choose, self.now)

    def _choose(self, not_id: str | None) -> Any:
        self.not_ids.append(not_id)
        return next(self.picks)

    @property
    def now(self) -> Now:
        return Now(mono=self.t, wall=WALL0 + self.t + self.jump)

    def at(self, t: float, idle: float | None = None, on_schedule: bool = True) -> list[Any]:
        self.t = t
        return self.tracker.tick(self.now, idle, on_schedule)

    @property
    def state(self) -> str:
        return self.tracker.state


def kinds(actions: list[Any]) -> list[str]:
    out = []
    for a in actions:
        if isinstance(a, Prompt):
            out.append("prompt-again" if a.again else "prompt")
        elif isinstance(a, BreakStarted):
            out.append("started")
        elif isinstance(a, BreakLogged):
            out.append(a.outcome)
        elif isinstance(a, EventLogged):
            out.append(f"event:{a.kind}")
        elif isinstance(a, Notice):
            out.append(f"notice:{a.kind}")
    return out


def only(actions: list[Any], cls: type) -> Any:
    found = [a for a in actions if isinstance(a, cls)]
    assert len(found) == 1, actions
    return found[0]


def test_seated_until_sit_then_prompt():
    rig = Rig()
    assert rig.at(50) == []
    assert rig.tracker.snapshot().seated_s == 50
    assert rig.tracker.next_mono() == 100
    actions = rig.at(100)
    assert kinds(actions) == ["prompt"]
    assert only(actions, Prompt).exercise == Ex("ex0")
    assert rig.state == "due"


def test_done_starts_the_break_and_records_it_when_it_is_over():
    rig = Rig()
    rig.at(100)
    actions = rig.tracker.answer("done", Now(110, WALL0 + 110))
    assert actions == [BreakStarted(Ex("ex0"), 110, WALL0 + 110)]
    assert rig.state == "break"
    assert rig.tracker.snapshot().exercise == Ex("ex0")
    assert rig.tracker.next_mono() == 130
    assert rig.at(129) == []
    # Nobody guided it: the break's length ran out, so it was taken in full.
    actions = rig.at(130)
    assert kinds(actions) == ["done", "notice:break_over"]
    rec = only(actions, BreakLogged)
    assert (rec.outcome, rec.seated_s, rec.snoozes) == ("done", 110, 0)
    assert (rec.at, rec.due_at, rec.answered_at) == (WALL0 + 100, WALL0 + 100, WALL0 + 110)
    assert (rec.exercise, rec.break_s, rec.completed) == (Ex("ex0"), 20, True)
    assert rig.state == "seated"
    assert rig.tracker.snapshot().seated_s == 0
    assert kinds(rig.at(229)) == []
    assert kinds(rig.at(230)) == ["prompt"]


def test_skip_records_and_restarts():
    rig = Rig()
    rig.at(100)
    rig.t = 105
    rec = only(rig.tracker.answer("skip", rig.now), BreakLogged)
    assert (rec.outcome, rec.seated_s) == ("skipped", 105)
    assert rig.state == "seated" and rig.tracker.snapshot().seated_s == 0


def test_no_answer_within_respond_within_is_missed():
    rig = Rig()
    rig.at(100)
    assert rig.at(159) == []
    rec = only(rig.at(160), BreakLogged)
    assert (rec.outcome, rec.answered_at, rec.seated_s) == ("missed", None, 160)
    assert rig.state == "seated"
    assert rig.tracker.snapshot().seated_s == 160  # nobody got up


def test_snooze_comes_back_and_counts_on_the_break():
    rig = Rig()
    rig.at(100)
    rig.t = 101
    assert rig.tracker.answer("snooze", rig.now) == []
    assert rig.state == "snoozed"
    assert rig.tracker.next_mono() == 131
    assert rig.at(130) == []
    actions = rig.at(131)
    assert kinds(actions) == ["prompt-again"]
    assert only(actions, Prompt).exercise == Ex("ex0")
    rig.t = 140
    rig.tracker.answer("snooze", rig.now)
    rig.at(170)
    rig.t = 175
    refused = rig.tracker.answer("snooze", rig.now)
    assert refused == [Notice("refused", "no snoozes left for this break")]
    assert rig.state == "due"
    rig.tracker.answer("done", rig.now)
    rec = only(rig.tracker.end_break(rig.now), BreakLogged)
    assert (rec.snoozes, rec.at, rec.due_at, rec.seated_s) == (2, WALL0 + 100, WALL0 + 100, 175)


def test_snooze_with_duration_and_refusals_when_nothing_due():
    rig = Rig()
    assert rig.tracker.snooze(rig.now, 5) == [Notice("refused", "no break is due")]
    assert rig.tracker.answer("done", rig.now) == [Notice("refused", "no break is due")]
    rig.at(100)
    rig.tracker.snooze(rig.now, 5)
    assert rig.tracker.next_mono() == 105
    assert kinds(rig.at(105)) == ["prompt-again"]


def test_missed_after_snooze_keeps_snooze_count():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("snooze", rig.now)
    rig.at(130)
    rec = only(rig.at(190), BreakLogged)
    assert (rec.outcome, rec.snoozes) == ("missed", 1)


def test_another_picks_a_different_exercise():
    rig = Rig()
    rig.at(100)
    actions = rig.tracker.answer("another", rig.now)
    assert only(actions, Prompt) == Prompt(Ex("ex1"), again=True, another=True)
    assert rig.not_ids == [None, "ex0"]
    assert only(rig.tracker.answer("done", rig.now), BreakStarted).exercise == Ex("ex1")
    rec = only(rig.tracker.answer("done", rig.now), BreakLogged)  # ends it
    assert rec.exercise == Ex("ex1")


def test_unknown_answer():
    rig = Rig()
    rig.at(100)
    with pytest.raises(ValueError):
        rig.tracker.answer("maybe", rig.now)


def test_break_now_from_seated_and_snoozed():
    rig = Rig()
    rig.at(10)
    assert kinds(rig.tracker.break_now(rig.now)) == ["prompt"]
    assert rig.tracker.break_now(rig.now) == [Notice("refused", "a break is already due")]
    rig.tracker.answer("snooze", rig.now)
    assert kinds(rig.tracker.break_now(rig.now)) == ["prompt-again"]


def test_pause_stops_the_clock_and_resume_continues_it():
    rig = Rig()
    rig.at(40)
    actions = rig.tracker.pause(rig.now)
    assert only(actions, EventLogged) == EventLogged("pause", WALL0 + 40, None, "until resume")
    assert rig.tracker.next_mono() is None
    assert rig.at(1000) == []
    assert rig.tracker.snapshot().seated_s == 40
    # Paused again: the new pause replaces the one under way, from now.
    replaced = rig.tracker.pause(rig.now, 7200)
    assert replaced == [
        EventLogged("pause", WALL0 + 1000, None, "replaced: for 7200s"),
        Notice("pause_replaced"),
    ]
    assert rig.tracker.next_mono() == rig.now.mono + 7200
    rig.tracker.pause(rig.now)  # and back to no end
    assert rig.tracker.next_mono() is None
    actions = rig.tracker.resume(rig.now)
    assert only(actions, EventLogged) == EventLogged("resume", WALL0 + 1000, 960, None)
    assert rig.state == "seated"
    assert kinds(rig.at(1059)) == []
    assert kinds(rig.at(1060)) == ["prompt"]
    assert rig.tracker.resume(rig.now) == [Notice("refused", "not paused")]


def test_timed_pause_suppresses_a_due_break_then_it_comes_back():
    rig = Rig()
    rig.at(100)
    rig.tracker.pause(rig.now, 5)
    assert rig.state == "paused"
    assert rig.at(104) == []
    assert kinds(rig.at(105)) == ["event:resume", "prompt-again"]
    rig.tracker.answer("done", rig.now)
    rec = only(rig.at(125), BreakLogged)
    assert rec.at == WALL0 + 100


def test_pause_during_break_does_not_bring_the_break_back():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("done", rig.now)
    rig.t = 104
    rec = only(rig.tracker.pause(rig.now, 5), BreakLogged)
    assert (rec.outcome, rec.break_s, rec.completed) == ("done", 4, False)
    rig.at(109)
    assert rig.at(110) == []
    assert rig.state == "seated"


def test_standing_keeps_the_sitting_clock_still():
    rig = Rig()
    rig.at(30)
    assert kinds(rig.tracker.stand(rig.now)) == ["event:stand"]
    assert rig.tracker.stand(rig.now) == [Notice("refused", "already standing")]
    rig.at(500)
    assert rig.tracker.snapshot().seated_s == 30
    assert rig.tracker.snapshot().state == "standing"
    actions = rig.tracker.sit(rig.now)
    assert only(actions, EventLogged) == EventLogged("sit", WALL0 + 500, 470)
    assert rig.tracker.sit(rig.now) == [Notice("refused", "not standing")]
    assert kinds(rig.at(569)) == []
    assert kinds(rig.at(570)) == ["prompt"]


def test_pause_while_standing_ends_the_standing():
    rig = Rig()
    rig.tracker.stand(rig.now)
    rig.t = 10
    assert kinds(rig.tracker.pause(rig.now)) == ["event:sit", "event:pause"]


def test_natural_break_from_idle_then_back():
    rig = Rig()
    rig.at(40, idle=10)
    assert rig.at(80, idle=50) == []  # away: recorded on return, with the real absence
    assert rig.state == "away"
    assert rig.tracker.snapshot().seated_s == 0
    assert rig.at(300, idle=270) == []
    actions = rig.at(301, idle=1)
    assert kinds(actions) == ["natural", "event:back", "notice:back"]
    rec = only(actions, BreakLogged)
    # Left at 30, input again at 300: 270 s away, back at 300 (not "5m", not 301).
    assert (rec.outcome, rec.at, rec.away_s, rec.seated_s) == ("natural", WALL0 + 30, 270, 30)
    assert rec.answered_at == WALL0 + 300
    assert rec.exercise is None
    assert only(actions, EventLogged).seconds == 270
    assert rig.state == "seated" and rig.tracker.snapshot().seated_s == 0
    assert kinds(rig.at(401, idle=0)) == ["prompt"]


def test_break_due_while_away_is_not_prompted_but_becomes_natural():
    rig = Rig()
    assert rig.at(100, idle=AWAY_HOLD_S) == []
    assert rig.state == "seated"
    assert rig.at(120, idle=50) == []
    rec = only(rig.at(200, idle=0), BreakLogged)
    assert (rec.outcome, rec.due_at, rec.seated_s, rec.prompted) == (
        "natural",
        WALL0 + 100,
        70,
        False,
    )
    assert rec.away_s == 130


def test_held_break_is_prompted_when_they_return_early():
    rig = Rig()
    assert rig.at(100, idle=40) == []
    assert kinds(rig.at(105, idle=2)) == ["prompt"]


def test_a_held_break_waits_for_a_fresh_idle_reading():
    rig = Rig()
    assert rig.at(100, idle=40) == []
    # Nothing to wake for until the next idle poll: no deadline in the past to spin on.
    assert rig.tracker.next_mono() is None
    # Ticks between idle polls (no reading) keep holding it.
    assert rig.at(101, idle=None) == []
    assert rig.at(102, idle=None) == []
    assert kinds(rig.at(103, idle=1)) == ["prompt"]
    assert rig.tracker.next_mono() == 163


def test_a_held_snooze_waits_too():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("snooze", rig.now)
    assert rig.at(130, idle=35) == []
    assert rig.tracker.next_mono() is None
    assert rig.at(131, idle=None) == []
    assert kinds(rig.at(132, idle=0)) == ["prompt-again"]


def test_idle_after_a_prompt_is_not_an_exercise():
    rig = Rig()
    rig.at(100, idle=0)
    assert rig.at(110, idle=10) == []
    # A break's length without input (reading, a video call) earns no credit.
    assert rig.at(125, idle=25) == []
    assert rig.state == "due"
    # Away from the prompt for natural_break: a natural break, not a break done.
    assert rig.at(155, idle=50) == []
    assert rig.state == "away"
    actions = rig.at(300, idle=0)
    rec = only(actions, BreakLogged)
    assert (rec.outcome, rec.at, rec.due_at, rec.prompted) == (
        "natural",
        WALL0 + 105,
        WALL0 + 100,
        True,
    )
    assert (rec.away_s, rec.answered_at, rec.exercise) == (195, WALL0 + 300, None)
    assert kinds(actions) == ["natural", "event:back", "notice:back"]


def test_idle_at_a_prompt_shorter_than_a_natural_break_is_missed():
    rig = Rig()
    rig.at(100, idle=0)
    rig.at(130, idle=30)
    rec = only(rig.at(160, idle=45), BreakLogged)
    assert rec.outcome == "missed"


def test_snoozed_break_overtaken_by_a_natural_break():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("snooze", rig.now)
    assert rig.at(160, idle=55) == []
    rec = only(rig.at(170, idle=0), BreakLogged)
    assert (rec.outcome, rec.snoozes, rec.due_at, rec.prompted) == ("natural", 1, WALL0 + 100, True)


def test_idle_unknown_never_makes_a_natural_break():
    rig = Rig()
    assert kinds(rig.at(100, idle=None)) == ["prompt"]


def test_suspend_gap_is_a_natural_break():
    rig = Rig()
    rig.at(40)
    rig.jump = 3600  # the machine slept an hour: wall moved, mono did not
    actions = rig.at(41)
    rec = only(actions, BreakLogged)
    assert (rec.outcome, rec.away_s, rec.seated_s) == ("natural", 3600, 41)
    assert rec.at == WALL0 + 41
    assert rec.answered_at == WALL0 + 3641  # woke up: back
    assert only(actions, EventLogged).kind == "suspend"
    assert rig.state == "seated" and rig.tracker.snapshot().seated_s == 0


def test_suspend_while_due_resolves_the_break_as_natural():
    rig = Rig()
    rig.at(100)
    rig.jump = 600
    rec = only(rig.at(101), BreakLogged)
    assert (rec.outcome, rec.due_at) == ("natural", WALL0 + 100)
    assert rig.state == "seated"
    assert rig.at(150) == []  # no stale prompt or miss after waking


def test_clock_set_back_gives_no_burst_and_no_negative_durations():
    rig = Rig()
    rig.at(50)
    rig.jump = -7200
    assert rig.at(60) == []
    assert rig.tracker.snapshot().seated_s == 60
    assert kinds(rig.at(100)) == ["prompt"]


def test_clock_set_forward_less_than_natural_break_is_ignored():
    rig = Rig()
    rig.at(50)
    rig.jump = 49
    assert rig.at(60) == []
    assert rig.tracker.snapshot().seated_s == 60


def test_monotonic_never_goes_backwards_in_our_sums():
    rig = Rig()
    rig.at(50)
    rig.t = 40  # a buggy clock source must not un-sit the user
    rig.tracker.tick(rig.now)
    assert rig.tracker.snapshot().seated_s == 50


def test_schedule_close_and_open_restarts_the_clock():
    rig = Rig()
    rig.at(90)
    actions = rig.at(95, on_schedule=False)
    assert kinds(actions) == ["event:schedule_closed", "notice:schedule_closed"]
    assert rig.state == "off_schedule"
    assert rig.at(5000, on_schedule=False) == []
    assert rig.tracker.snapshot().clock_running is False
    actions = rig.at(5001, on_schedule=True)
    assert kinds(actions) == ["event:schedule_open", "notice:schedule_open"]
    assert rig.tracker.snapshot().seated_s == 0
    assert kinds(rig.at(5101)) == ["prompt"]


def test_schedule_close_waits_for_a_break_on_screen_then_abandons_it():
    rig = Rig()
    rig.at(100)
    assert rig.at(101, on_schedule=False) == []
    assert rig.state == "due"
    rec = only(rig.at(160, on_schedule=False), BreakLogged)
    assert rec.outcome == "abandoned"  # the day ended under it: nobody missed it
    assert kinds(rig.at(161, on_schedule=False)) == [
        "event:schedule_closed",
        "notice:schedule_closed",
    ]


def test_schedule_close_abandons_a_snoozed_break_instead_of_dropping_it():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("snooze", rig.now)
    actions = rig.at(110, on_schedule=False)
    assert kinds(actions) == ["abandoned", "event:schedule_closed", "notice:schedule_closed"]
    rec = only(actions, BreakLogged)
    assert (rec.snoozes, rec.due_at, rec.answered_at) == (1, WALL0 + 100, None)


def test_schedule_close_ends_a_pause_and_standing_without_carrying_the_sitting():
    for start in ("pause", "stand"):
        rig = Rig()
        rig.at(90)
        getattr(rig.tracker, start)(rig.now)
        actions = rig.at(95, on_schedule=False)
        assert rig.state == "off_schedule", start
        expected = "event:resume" if start == "pause" else "event:sit"
        assert kinds(actions) == [expected, "event:schedule_closed", "notice:schedule_closed"]
        rig.at(5000, on_schedule=True)
        assert rig.tracker.snapshot().seated_s == 0  # yesterday's 90 s are gone
        assert kinds(rig.at(5099)) == []
        assert kinds(rig.at(5100)) == ["prompt"]


def test_schedule_close_waits_for_a_break_on_screen():
    rig = Rig()
    rig.at(100)
    assert rig.at(101, on_schedule=False) == []
    assert rig.state == "due"
    rig.tracker.answer("done", rig.now)
    assert kinds(rig.at(121, on_schedule=False)) == ["done", "notice:break_over"]
    assert kinds(rig.at(122, on_schedule=False)) == [
        "event:schedule_closed",
        "notice:schedule_closed",
    ]


def test_stop_closes_what_is_open():
    rig = Rig()
    rig.at(100)
    rec = only(rig.tracker.stop(rig.now), BreakLogged)
    assert rec.outcome == "abandoned"  # stopping is not missing
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("snooze", rig.now)
    rig.t = 110
    rec = only(rig.tracker.stop(rig.now), BreakLogged)
    assert (rec.outcome, rec.snoozes, rec.answered_at) == ("abandoned", 1, None)
    rig = Rig()
    rig.tracker.stand(rig.now)
    rig.t = 30
    assert kinds(rig.tracker.stop(rig.now)) == ["event:sit"]
    rig = Rig()
    rig.tracker.pause(rig.now)
    rig.t = 30
    assert rig.tracker.stop(rig.now) == [EventLogged("resume", WALL0 + 30, 30, "loop stopped")]


def test_refusals_name_the_state():
    rig = Rig()
    rig.tracker.pause(rig.now)
    assert rig.tracker.break_now(rig.now) == [Notice("refused", "paused: resume first")]
    assert rig.tracker.stand(rig.now) == [Notice("refused", "paused: resume first")]


def test_snapshot_fields():
    rig = Rig()
    rig.at(100)
    snap = rig.tracker.snapshot()
    assert (snap.state, snap.since, snap.clock_running, snap.next_mono) == (
        "due",
        WALL0 + 100,
        True,
        160,
    )
    assert snap.exercise == Ex("ex0") and snap.snoozes == 0
    assert rig.tracker.snoozes_left() == 2


# --- invariants over arbitrary days ------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

COMMANDS = {
    "snooze": ("snooze", ()),
    "now": ("break_now", ()),
    "pause": ("pause", ()),
    "pause5": ("pause", (5,)),
    "resume": ("resume", ()),
    "stand": ("stand", ()),
    "sit": ("sit", ()),
    # `glutewake warmup` elsewhere: begun, then over in full or stopped early.
    "warmup_start": ("warmup_started", (300,)),
    "warmup_full": ("warmup_done", (200, True)),
    "warmup_short": ("warmup_done", (5, False)),
}
STEP = st.one_of(
    st.tuples(
        st.just("tick"),
        st.floats(0, 400),  # seconds since the last step
        st.one_of(st.none(), st.floats(0, 600)),  # idle reading, or none this tick
        st.booleans(),  # on schedule
        st.sampled_from([0.0, 0.0, 0.0, 90.0, -3600.0, 7200.0]),  # wall jump
    ),
    st.tuples(
        st.sampled_from(
            [
                "done",
                "snooze",
                "skip",
                "another",
                "now",
                "pause",
                "pause5",
                "resume",
                "stand",
                "sit",
                "warmup_start",
                "warmup_full",
                "warmup_short",
            ]
        )
    ),
)


def _check_prompts_recorded_once(actions: list[Any], open_: bool) -> bool:
    """Walk one step's actions: a first prompt opens a break, its record closes it."""
    for action in actions:
        if isinstance(action, Prompt) and not action.again:
            assert not open_, ("prompted again before the last one was recorded", actions)
            open_ = True
        elif isinstance(action, Prompt):
            assert open_, ("a repeat prompt for no open break", actions)
        elif isinstance(action, BreakLogged) and action.prompted:
            assert open_, ("a prompted record twice, or without a prompt", actions)
            open_ = False
    return open_


# What may bring the sitting clock down: a break, a natural break, a schedule opening.
_RESETS = (
    "started",
    "done",
    "skipped",
    "natural",
    "abandoned",
    "notice:break_over",
    "notice:warmup",  # a warm-up in full is a break
    "event:schedule_open",
)


@settings(max_examples=400, deadline=None)
@given(st.lists(STEP, max_size=60))
def test_no_spin_no_negative_times_whatever_happens(steps):
    rig = Rig()
    tracker = rig.tracker
    records = []
    open_ = False  # a prompted break not yet recorded
    for step in steps:
        seated_before, state_before = tracker.snapshot().seated_s, tracker.state
        if step[0] == "tick":
            _, dt, idle, on, jump = step
            rig.jump += jump
            actions = rig.at(rig.t + dt, idle=idle, on_schedule=on)
            deadline = tracker.next_mono()
            # Whatever is due at this instant was handled: nothing left to wake for now
            # (give or take float rounding in sums of seconds).
            assert deadline is None or deadline > rig.t - 1e-6, (tracker.state, deadline, rig.t)
        else:
            name = step[0]
            now = rig.now
            if name in ("done", "skip", "another"):
                actions = tracker.answer(name, now)
            else:
                method, args = COMMANDS[name]
                actions = getattr(tracker, method)(now, *args)
        records += actions
        open_ = _check_prompts_recorded_once(actions, open_)
        seated_after = tracker.snapshot().seated_s
        assert seated_after >= 0
        if seated_after < seated_before - 1e-9:
            # Leaving for an absence is the start of a natural break (recorded on return).
            explained = set(kinds(actions)) & set(_RESETS) or tracker.state == "away"
            assert explained, ("seated time went down", state_before, tracker.state, actions)
        if tracker.state in ("due", "snoozed") and tracker.pending is not None:
            assert open_ == tracker.pending.prompted
    actions = tracker.stop(rig.now)
    records += actions
    open_ = _check_prompts_recorded_once(actions, open_)
    assert not open_, "a prompted break was never recorded"
    for record in records:
        if isinstance(record, BreakLogged):
            assert record.seated_s >= 0
            assert record.away_s is None or record.away_s >= 0
            assert record.outcome in ("done", "skipped", "missed", "natural", "abandoned")
            if record.outcome != "natural":
                assert record.prompted and record.away_s is None
            if record.outcome in ("missed", "abandoned"):
                assert record.answered_at is None
        if isinstance(record, EventLogged):
            assert record.seconds is None or record.seconds >= 0


def test_the_property_test_would_catch_a_missed_break_resetting_the_clock():
    """A miss resets nothing: the stretch goes on (and shows on the next record)."""
    rig = Rig()
    rig.at(100)
    rec = only(rig.at(160), BreakLogged)
    assert (rec.outcome, rec.seated_s) == ("missed", 160)
    assert rig.tracker.snapshot().seated_s == 160
    # The next prompt comes after another `sit` of sitting, counted from the miss.
    assert rig.tracker.next_mono() == 260
    assert kinds(rig.at(259)) == []
    assert kinds(rig.at(260)) == ["prompt"]
    rig.t = 270
    rig.tracker.answer("done", rig.now)
    rec = only(rig.tracker.end_break(rig.now), BreakLogged)
    assert rec.seated_s == 270  # the whole stretch, missed break included
    assert rec.carried_s == 160  # counted once: the missed record has those seconds


# --- found in review ----------------------------------------------------------------------


def test_stop_leaves_only_the_unrecorded_stretch():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("done", rig.now)
    rig.t = 105  # stopped during the break: the stretch is on the done break already
    rec = only(rig.tracker.stop(rig.now), BreakLogged)
    assert (rec.outcome, rec.seated_s, rec.break_s, rec.completed) == ("done", 100, 5, False)
    assert rig.tracker.seated_s == 0
    rig = Rig()
    rig.at(100)
    rig.t = 110
    rec = only(rig.tracker.stop(rig.now), BreakLogged)
    assert (rec.outcome, rec.seated_s, rig.tracker.seated_s) == ("abandoned", 110, 110)
    # The row holds the stretch: the session's end carries it, as after a missed break.
    assert rig.tracker.carried_s == 110
    rig = Rig()
    rig.at(40)
    assert rig.tracker.stop(rig.now) == [] and rig.tracker.seated_s == 40


def test_a_timed_pause_ends_by_the_wall_clock_through_a_suspend():
    rig = Rig()
    rig.at(10)
    rig.tracker.pause(rig.now, 3600)
    rig.jump = 3000  # asleep for 50 minutes of the hour
    actions = rig.at(20)
    # Asleep counts as it would while seated: a natural break; the pause goes on.
    assert kinds(actions) == ["natural", "event:suspend"]
    assert (only(actions, BreakLogged).seated_s, rig.state) == (10, "paused")
    assert rig.tracker.snapshot().seated_s == 0
    assert rig.tracker.next_mono() == pytest.approx(10 + 3600 - 3000)
    assert kinds(rig.at(610)) == ["event:resume"]


def test_going_away_after_done_is_one_break_not_two():
    rig = Rig()
    rig.at(100, idle=0)
    rig.tracker.answer("done", rig.now)  # at 100, then they walk off
    assert kinds(rig.at(120, idle=20)) == ["done", "notice:break_over"]
    assert rig.at(160, idle=60) == []  # no natural break: it is the same absence
    assert rig.state == "away"
    # Back, but no natural break was logged: no "that was a natural break".
    assert kinds(rig.at(400, idle=1)) == ["event:back", "notice:returned"]
    assert rig.state == "seated"


def test_a_new_absence_after_the_break_is_a_natural_break():
    rig = Rig()
    rig.at(100, idle=0)
    rig.tracker.answer("done", rig.now)
    rig.at(120, idle=0)
    assert kinds(rig.at(180, idle=50)) == []
    assert rig.state == "away"
    assert kinds(rig.at(200, idle=0)) == ["natural", "event:back", "notice:back"]


def test_losing_idle_time_while_away_brings_the_user_back():
    rig = Rig()
    rig.at(60, idle=55)
    assert rig.state == "away"
    rig.t = 70
    actions = rig.tracker.idle_lost(rig.now)
    rec = only(actions, BreakLogged)
    # Away at least 65 s; when they came back nobody can tell.
    assert (rec.outcome, rec.away_s, rec.answered_at) == ("natural", 65, None)
    assert rig.state == "seated" and rig.tracker.snapshot().seated_s == 0


def test_losing_idle_time_releases_a_held_break():
    rig = Rig()
    assert rig.at(100, idle=40) == []
    rig.tracker.idle_lost(rig.now)
    assert kinds(rig.at(101)) == ["prompt"]


def test_a_key_after_a_suspend_records_the_natural_break_first():
    rig = Rig()
    rig.at(100)
    rig.jump = 3600
    rig.t = 101
    actions = rig.tracker.answer("done", rig.now)
    assert kinds(actions) == ["natural", "event:suspend", "notice:refused"]


def test_away_since_is_when_they_left():
    rig = Rig()
    rig.at(80, idle=60)
    assert rig.tracker.snapshot().since == WALL0 + 20


@pytest.mark.parametrize("via", ["terminal", "notification", "command"])
def test_an_answer_records_where_it_came_from_and_a_miss_records_none(via):
    rig = Rig()
    rig.at(100)
    rec = only(rig.tracker.answer("skip", Now(105, WALL0 + 105), via=via), BreakLogged)
    assert (rec.outcome, rec.answered_via) == ("skipped", via)
    rig.at(205)
    missed = only(rig.at(265), BreakLogged)
    assert (missed.outcome, missed.answered_via) == ("missed", None)


def test_the_upcoming_exercise_is_chosen_early_and_is_the_one_that_falls_due():
    rig = Rig()
    rig.at(70)
    assert rig.tracker.upcoming() == Ex("ex0")
    assert rig.tracker.upcoming() == Ex("ex0")  # chosen once
    assert rig.state == "seated"
    prompt = only(rig.at(100), Prompt)
    assert prompt.exercise == Ex("ex0")
    rig.tracker.answer("done", Now(101, WALL0 + 101))
    assert rig.tracker.upcoming() is None  # on a break: nothing is coming
    rec = only(rig.tracker.end_break(Now(102, WALL0 + 102)), BreakLogged)
    assert rec.due_at == WALL0 + 100  # when it fell due, not when it was named


# --- a guided break (issue 14) ------------------------------------------------------------


def test_a_guided_break_ends_when_the_loop_says_with_its_seconds():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("done", rig.now)
    rig.tracker.guide_break(end_mono=190.0)  # a plan longer than `break`
    assert rig.tracker.next_mono() is None  # the loop ends it, not the tracker
    assert rig.tracker.snapshot().next_mono == 190.0  # shown to other terminals
    assert rig.at(150) == []
    assert rig.state == "break"
    rig.tracker.exercise_completed()
    rig.t = 170
    actions = rig.tracker.end_break(rig.now, seconds=70)
    assert kinds(actions) == ["done", "notice:break_over"]
    rec = only(actions, BreakLogged)
    assert (rec.answered_at, rec.seated_s, rec.break_s, rec.completed) == (
        WALL0 + 100,
        100,
        70,
        True,
    )
    assert rig.state == "seated" and rig.tracker.snapshot().seated_s == 0
    assert rig.tracker.end_break(rig.now) == [Notice("refused", "not on a break")]


def test_done_during_a_break_ends_it_early():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("done", rig.now)
    rig.tracker.guide_break(end_mono=None)
    rig.t = 108
    actions = rig.tracker.answer("done", rig.now)
    rec = only(actions, BreakLogged)
    assert (rec.break_s, rec.completed) == (8, False)
    assert rig.state == "seated"
    assert rig.tracker.answer("done", rig.now) == [Notice("refused", "no break is due")]


def test_a_started_break_records_how_it_was_started():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("done", rig.now, via="notification")
    rig.t = 110
    rec = only(rig.tracker.end_break(rig.now), BreakLogged)
    assert (rec.outcome, rec.answered_via, rec.break_s) == ("done", "notification", 10)


def test_pausing_while_away_records_the_return():
    rig = Rig()
    rig.at(60, idle=55)
    assert rig.state == "away"
    rig.t = 200
    actions = rig.tracker.pause(rig.now)
    assert kinds(actions) == ["natural", "event:back", "event:pause"]
    rec = only(actions, BreakLogged)
    assert (rec.away_s, rec.answered_at) == (195, WALL0 + 200)
    rig.tracker.resume(rig.now)
    assert rig.tracker.snapshot().seated_s == 0


def test_standing_through_a_suspend_is_a_natural_break_too():
    rig = Rig()
    rig.at(40)
    rig.tracker.stand(rig.now)
    rig.jump = 600
    assert kinds(rig.at(41)) == ["natural", "event:suspend"]
    assert rig.state == "standing"
    rig.tracker.sit(rig.now)
    assert rig.tracker.snapshot().seated_s == 0


def test_a_snoozed_break_can_be_taken_skipped_or_swapped():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("snooze", rig.now)
    rig.t = 105
    assert kinds(rig.tracker.answer("done", rig.now)) == ["started"]
    assert rig.state == "break"
    rec = only(rig.tracker.end_break(rig.now), BreakLogged)
    assert (rec.outcome, rec.snoozes, rec.answered_at) == ("done", 1, WALL0 + 105)
    rig = Rig()
    rig.at(100)
    rig.tracker.snooze(rig.now, 10)
    assert kinds(rig.tracker.answer("skip", rig.now)) == ["skipped"]
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("snooze", rig.now)
    assert kinds(rig.tracker.answer("another", rig.now)) == ["prompt-again"]
    assert rig.state == "due"
    rig.tracker.answer("snooze", rig.now)
    assert rig.tracker.snoozes_left() == 0


def test_a_snooze_while_snoozed_replaces_it_from_now_and_spends_none():
    """`glutewake snooze 30s` while snoozed: back in 30 s, not "already snoozed"."""
    rig = Rig(TIMER._replace(max_snoozes=2))
    rig.at(100)
    assert rig.tracker.snooze(rig.now, 600) == []
    rig.t = 160
    assert rig.tracker.snooze(rig.now, 30) == [Notice("snooze_replaced")]
    assert (rig.state, rig.tracker.snoozes_left()) == ("snoozed", 1)
    assert rig.tracker.next_mono() == 190
    rig.at(190)
    assert rig.state == "due"
    rig = Rig(TIMER._replace(max_snoozes=1))
    rig.at(100)
    rig.tracker.snooze(rig.now)
    assert rig.tracker.snooze(rig.now) == [Notice("snooze_replaced")]  # none spent
    assert rig.tracker.snooze(rig.now, 5) == [Notice("snooze_replaced")]


def test_a_wall_clock_step_is_not_a_suspend_where_a_boot_clock_exists():
    """NTP or a manual change moves wall time only; a suspend moves the boot clock too."""
    rig = Rig()
    slept = {"s": 0.0}

    def now() -> Now:
        return Now(mono=rig.t, wall=WALL0 + rig.t + rig.jump, boot=rig.t + slept["s"])

    rig.tracker = Tracker(rig.tracker.timer, rig._choose, now())
    rig.t = 40
    assert rig.tracker.tick(now()) == []
    rig.jump = 3600  # the clock was set an hour forward: no one got up
    rig.t = 41
    assert rig.tracker.tick(now()) == []
    assert rig.tracker.snapshot().seated_s == 41
    slept["s"] = 900  # then the machine really slept 15 minutes
    rig.t = 42
    rec = only(rig.tracker.tick(now()), BreakLogged)
    assert (rec.outcome, rec.away_s) == ("natural", 900)


# --- a break on screen put off by standing or a pause (trial finding 4) -------------------


def test_standing_at_a_due_break_puts_it_off_until_you_sit_and_says_so():
    rig = Rig()
    rig.at(10)
    rig.tracker.break_now(rig.now)  # `glutewake now`: due before the clock says so
    rig.t = 15
    actions = rig.tracker.stand(rig.now)
    assert actions == [EventLogged("stand", WALL0 + 15), Notice("put_off_standing", "x")]
    assert rig.tracker.snapshot().exercise == Ex("ex0")  # status names the break waiting
    assert rig.tracker.answer("done", rig.now) == [
        Notice("refused", "the break is put off until you sit")
    ]
    assert rig.at(500) == []  # nothing is recorded while it waits
    rig.t = 520
    actions = rig.tracker.sit(rig.now)
    # Back at once, not when the clock gets to `sit`, and still the same break.
    assert kinds(actions) == ["event:sit", "prompt-again"]
    assert only(actions, Prompt).exercise == Ex("ex0") and rig.state == "due"
    rec = only(rig.tracker.answer("skip", rig.now), BreakLogged)
    assert (rec.outcome, rec.at, rec.seated_s) == ("skipped", WALL0 + 10, 15)


def test_a_pause_puts_a_snoozed_break_off_until_it_ends():
    rig = Rig()
    rig.at(100)
    rig.tracker.answer("snooze", rig.now)
    rig.t = 110
    actions = rig.tracker.pause(rig.now, 300)
    assert kinds(actions) == ["event:pause", "notice:put_off_paused"]
    assert rig.tracker.snoozes_left() == 1
    assert kinds(rig.at(410)) == ["event:resume", "prompt-again"]
    rig.t = 420
    rig.tracker.stand(rig.now)
    rig.t = 430
    rig.tracker.pause(rig.now)  # standing ends; the break now waits for the pause
    assert rig.tracker.answer("skip", rig.now) == [
        Notice("refused", "the break is put off until the pause ends")
    ]
    # Still open when the loop stops: abandoned, with its snooze, not lost.
    rec = only(rig.tracker.stop(rig.now), BreakLogged)
    assert (rec.outcome, rec.snoozes, rec.prompted) == ("abandoned", 1, True)


def test_standing_or_a_pause_with_no_break_on_screen_says_nothing_of_one():
    rig = Rig()
    rig.at(60)
    rig.tracker.upcoming()  # chosen early for a heads-up, never shown
    assert kinds(rig.tracker.stand(rig.now)) == ["event:stand"]
    assert rig.tracker.snapshot().exercise is None
    assert kinds(rig.tracker.sit(rig.now)) == ["event:sit"]
    assert kinds(rig.tracker.pause(rig.now)) == ["event:pause"]
    assert kinds(rig.tracker.resume(rig.now)) == ["event:resume"]
    assert rig.tracker.next_mono() == 100
