"""The guided player: plans, countdowns, sides, reps, Enter, stopping early, Ctrl-C.

Time is plain numbers (monotonic seconds); the driver runs against a screen that
records what it was told and a clock that moves only when the screen "waits".
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from glutewake.catalog import Exercise, load_bundled
from glutewake.player import (
    COUNT,
    MOVE,
    RELAX,
    SWITCH,
    WORK,
    Player,
    Segment,
    clock,
    guide,
    plan,
    planned_seconds,
)


def exercise(**changes: Any) -> Exercise:
    base = Exercise(
        id="x",
        name="Hold",
        category="hip_flexors",
        space="desk",
        duration=None,
        reps=None,
        sides=1,
        level="easy",
        targets=("iliopsoas",),
        steps=("Do this.", "Then that."),
        cue="Tuck first and then shift the hips forward.",
    )
    return replace(base, **changes)


class Screen:
    """A terminal that records lines and status, with keys scripted by time."""

    def __init__(self, keys: dict[float, str] | None = None, *, interactive: bool = True):
        self.interactive = interactive
        self.now = 100.0
        self.keys = dict(keys or {})
        self.lines: list[tuple[float, str]] = []
        self.statuses: list[tuple[float, str]] = []
        self.bells: list[float] = []
        self.interrupt_at: float | None = None

    def clock(self) -> float:
        return self.now

    def status(self, text: str) -> None:
        self.statuses.append((self.now, text))

    def say(self, text: str) -> None:
        self.lines.append((self.now, text))

    def bell(self) -> None:
        self.bells.append(self.now)

    def wait(self, timeout: float) -> str | None:
        due = [t for t in self.keys if self.now < t <= self.now + timeout]
        if self.interrupt_at is not None and self.now + timeout >= self.interrupt_at:
            self.now = self.interrupt_at
            raise KeyboardInterrupt
        if due:
            self.now = min(due)
            return self.keys.pop(self.now)
        self.now += timeout
        return None

    def texts(self) -> list[str]:
        return [text for _, text in self.lines]

    def status_at(self, t: float) -> str:
        return [text for at, text in self.statuses if at <= t][-1]


# --- plans -----------------------------------------------------------------------------


def test_a_two_sided_hold_is_right_switch_left():
    segments = plan(exercise(duration=30, sides=2), switch_s=5)
    assert [(s.kind, s.seconds, s.side) for s in segments] == [
        (WORK, 30, 0),
        (SWITCH, 5, None),
        (WORK, 30, 1),
    ]
    assert planned_seconds(segments) == 65


def test_held_reps_hold_and_relax_with_no_relax_after_the_last():
    segments = plan(exercise(reps=3, hold=5, rest=2))
    assert [(s.kind, s.seconds, s.rep) for s in segments] == [
        (WORK, 5, 1),
        (RELAX, 2, 1),
        (WORK, 5, 2),
        (RELAX, 2, 2),
        (WORK, 5, 3),
    ]


def test_paced_reps_are_one_segment_per_side_and_bare_reps_count_up():
    paced = plan(exercise(reps=8, tempo=4, sides=2), switch_s=5)
    assert [(s.kind, s.seconds, s.reps, s.tempo) for s in paced] == [
        (WORK, 32, 8, 4),
        (SWITCH, 5, None, None),
        (WORK, 32, 8, 4),
    ]
    bare = plan(exercise(reps=10))
    assert [(s.kind, s.seconds) for s in bare] == [(COUNT, None)]


def test_every_bundled_exercise_has_a_timed_plan():
    for item in load_bundled():
        segments = plan(item)
        assert all(s.seconds for s in segments), item.id
        assert 10 <= planned_seconds(segments) <= 6 * 60, item.id


def test_the_countdown_reads_like_a_countdown():
    assert clock(20) == "0:20"
    assert clock(4.2) == "0:05"
    assert clock(90) == "1:30"
    assert clock(-1) == "0:00"


# --- per-side holds --------------------------------------------------------------------


def test_per_side_hold_counts_down_switches_and_ends():
    player = Player(plan(exercise(duration=20, sides=2), switch_s=5), start=0.0)
    assert [c.text for c in player.begin()] == ["Hold · right side"]
    assert player.line(0.0) == "right side · 0:20"
    assert player.line(9.5) == "right side · 0:11"
    assert player.line(10.0) == "right side · 0:10 · last 10 s"
    assert player.advance(19.9) == []
    cues = player.advance(20.0)
    assert [(c.text, c.bell) for c in cues] == [("switch sides", True)]
    assert player.line(21.0) == "switch sides · 0:04"
    assert [c.text for c in player.advance(25.0)] == ["Hold · left side"]
    assert player.line(25.0) == "left side · 0:20"
    assert not player.finished
    cues = player.advance(45.0)
    assert [(c.text, c.bell) for c in cues] == [("break over", True)]
    assert player.finished and player.completed and not player.stopped_early
    assert player.seconds(60.0) == 45
    assert player.line(60.0) == "break over"


def test_a_late_wake_up_catches_up_through_every_segment_it_missed():
    player = Player(plan(exercise(duration=20, sides=2), switch_s=5), start=0.0)
    cues = player.advance(100.0)
    assert [c.text for c in cues] == ["switch sides", "Hold · left side", "break over"]
    # Ended when the plan ended, not when the loop noticed.
    assert player.seconds(100.0) == 45


def test_short_holds_never_say_last_10_s():
    player = Player(plan(exercise(duration=8)), start=0.0)
    assert player.line(0.0) == "Hold · 0:08"


# --- reps ------------------------------------------------------------------------------


def test_held_reps_show_the_rep_and_whether_to_hold_or_relax():
    player = Player(plan(exercise(reps=2, hold=5, rest=2)), start=0.0)
    assert player.line(0.0) == "rep 1/2 · hold · 0:05"
    assert player.advance(5.0) == []  # reps change on screen, not as lines
    assert player.line(5.0) == "rep 1/2 · relax · 0:02"
    player.advance(7.0)
    assert player.line(8.0) == "rep 2/2 · hold · 0:04"
    assert [c.text for c in player.advance(12.0)] == ["break over"]
    assert player.completed


def test_paced_reps_advance_with_the_tempo():
    player = Player(plan(exercise(reps=8, tempo=4, sides=2)), start=0.0)
    assert player.line(0.0) == "right side · rep 1/8 · 0:32"
    assert player.line(3.9) == "right side · rep 1/8 · 0:29"
    assert player.line(4.0) == "right side · rep 2/8 · 0:28"
    assert player.line(31.0) == "right side · rep 8/8 · 0:01 · last 10 s"


def test_count_up_reps_wait_for_enter_then_move_on():
    player = Player(plan(exercise(reps=10, sides=2), switch_s=5), start=0.0)
    assert [c.text for c in player.begin()] == [
        "Hold · right side: press Enter when the reps are done"
    ]
    assert player.advance(500.0) == []  # a count-up never times out
    assert player.line(12.0) == "right side · 10 reps · 0:12 · [Enter] when done"
    assert [c.text for c in player.enter(40.0)] == ["switch sides"]
    player.advance(45.0)
    assert player.line(47.0) == "left side · 10 reps · 0:02 · [Enter] when done"
    assert [c.text for c in player.enter(70.0)] == ["break over"]
    assert player.completed and player.seconds(99.0) == 70


# --- the rest of the break, stopping early ----------------------------------------------


def test_a_break_longer_than_the_exercise_ends_with_keep_moving():
    player = Player(plan(exercise(duration=30)), start=0.0, at_least=180)
    assert [s.kind for s in player.segments] == [WORK, MOVE]
    cues = player.advance(30.0)
    assert [c.text for c in cues] == ["exercise done: keep moving until the break is over"]
    assert player.completed and not player.finished
    assert player.line(31.0) == "exercise done: keep moving, walk a little · 2:29"
    assert Player(plan(exercise(duration=30)), start=0.0).line(1.0) == "Hold · 0:29"
    # Enter in the tail ends the break, and the exercise still counts as completed.
    assert [c.text for c in player.enter(100.0)] == ["break over"]
    assert player.finished and player.completed and not player.stopped_early
    assert player.seconds(200.0) == 100


def test_enter_during_a_hold_stops_early():
    player = Player(plan(exercise(duration=20, sides=2)), start=0.0)
    player.advance(21.0)
    assert [c.text for c in player.enter(22.0)] == ["stopped early"]
    assert player.finished and player.stopped_early and not player.completed
    assert player.seconds(50.0) == 22
    assert player.enter(30.0) == [] and player.stop(30.0) == []


def test_stop_after_the_plan_ran_out_is_not_early():
    player = Player(plan(exercise(duration=20)), start=0.0)
    assert [c.text for c in player.stop(25.0)] == ["break over"]
    assert player.completed and not player.stopped_early and player.seconds(25.0) == 20


# --- the driver: a terminal, plain lines, Ctrl-C ----------------------------------------


def test_guide_on_a_terminal_redraws_each_second_and_rings_at_switch_and_end():
    screen = Screen()
    player = Player(plan(exercise(duration=3, sides=2), switch_s=2), start=screen.now)
    guide(player, screen, screen.clock, bell=True)
    assert screen.texts() == ["Hold · right side", "switch sides", "Hold · left side", "break over"]
    assert screen.bells == [103.0, 108.0]
    assert screen.status_at(100.0) == "right side · 0:03"
    assert screen.status_at(101.0) == "right side · 0:02"
    assert screen.status_at(104.0) == "switch sides · 0:01"
    assert screen.status_at(107.0) == "left side · 0:01"
    assert player.completed and player.seconds(screen.now) == 8


def test_guide_off_a_terminal_is_one_line_per_switch_and_no_bell_when_off():
    screen = Screen(interactive=False)
    player = Player(plan(exercise(reps=3, hold=5, rest=2, sides=2)), start=screen.now)
    guide(player, screen, screen.clock, bell=False)
    assert screen.statuses == []
    assert screen.texts() == ["Hold · right side", "switch sides", "Hold · left side", "break over"]
    assert screen.bells == []


def test_guide_enter_ends_a_count_up_then_stops_a_hold_early():
    screen = Screen(keys={106.0: "done", 115.0: "done"})
    player = Player(plan(exercise(reps=5, sides=2), switch_s=5), start=screen.now)
    guide(player, screen, screen.clock, bell=True)
    assert screen.texts()[-2:] == [
        "Hold · left side: press Enter when the reps are done",
        "break over",
    ]
    assert player.completed and player.seconds(0) == 15

    screen = Screen(keys={104.0: "done", 103.0: "n"})
    player = Player(plan(exercise(duration=30)), start=screen.now)
    guide(player, screen, screen.clock, bell=True)
    assert screen.texts() == ["Hold", "stopped early"]
    assert player.stopped_early and player.seconds(0) == 4


def test_ctrl_c_stops_early_records_the_seconds_and_is_raised_again():
    screen = Screen()
    screen.interrupt_at = 112.5
    player = Player(plan(exercise(duration=20, sides=2)), start=screen.now)
    with pytest.raises(KeyboardInterrupt):
        guide(player, screen, screen.clock, bell=True)
    assert player.finished and player.stopped_early and not player.completed
    assert player.seconds(999.0) == 12  # 12.5 s, rounded half to even
    assert screen.texts()[-1] == "stopped early"


def test_a_plan_can_be_built_by_hand():
    segments = [Segment(WORK, 3, exercise="A"), Segment(WORK, 3, exercise="B")]
    player = Player(segments, start=0.0, end_text="warm-up done")
    assert [c.text for c in player.begin()] == ["A"]
    assert [c.text for c in player.advance(3.0)] == ["B"]
    assert [c.text for c in player.advance(6.0)] == ["warm-up done"]


def test_the_stage_is_what_a_notification_can_show_without_a_clock():
    from glutewake.notify import break_note

    player = Player(plan(exercise(duration=20, sides=2), switch_s=5), start=0.0, at_least=60)
    stages = []
    for t in (0.0, 21.0, 26.0, 46.0, 61.0):
        player.advance(t)
        stages.append(player.stage())
    assert stages == [
        "right side",
        "switch sides",
        "left side",
        "exercise done: keep moving, walk a little",
        "",
    ]
    assert Player(plan(exercise(duration=20)), start=0.0).stage() == ""
    note = break_note(exercise(duration=20, sides=2), "10:42", 45, "left side")
    assert note.summary == "On a break: back to sitting at 10:42"
    assert note.body.splitlines()[0] == "Now: left side"
    assert "Now:" not in break_note(exercise(duration=20), "10:42", 45).body
