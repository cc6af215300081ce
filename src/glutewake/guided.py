"""The guided break, driven from the loop: started when a break is, moved on at each
wake-up, ended early or at its end, its cues told on the terminal.

Functions of the running Loop, moved out of loop.py so that module keeps the waiting and
dispatching.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from glutewake.durations import format_duration
from glutewake.i18n import _

if TYPE_CHECKING:
    from glutewake.loop import Loop
    from glutewake.player import Cue
    from glutewake.tracker import Action, BreakStarted, Now


def start_guide(loop: Loop, started: BreakStarted) -> None:
    from glutewake.player import Player, guided_seconds, plan

    loop.player = Player(
        plan(started.exercise), start=started.mono, at_least=loop.settings.timer.break_
    )
    ends = [s.seconds for s in loop.player.segments]
    planned = None if None in ends else started.mono + sum(s or 0 for s in ends)
    loop.tracker.guide_break(planned)
    takes = guided_seconds(started.exercise)
    if takes > loop.settings.timer.break_:
        loop.ui.say(
            _("this exercise takes {time}, longer than [timer] break {length}").format(
                time=format_duration(takes), length=format_duration(loop.settings.timer.break_)
            )
        )
    loop.ui.say(
        _("break: {name}; Enter ends it early").format(name=started.exercise.name)
        if loop.ui.interactive
        else _("break: {name}; `glutewake done` ends it early").format(name=started.exercise.name)
    )
    tell(loop, loop.player.begin())


def guide(loop: Loop, now: Now) -> None:
    """Move the guided break on; when it is over, the tracker records it."""
    player = loop.player
    if player is None:
        return
    if loop.tracker.state != "break":
        loop.player = None  # ended some other way (pause, schedule): already recorded
        return
    tell(loop, player.advance(now.mono))
    if player.completed:
        loop.tracker.exercise_completed()
    if player.finished:
        close_guided(loop, now)


def end_guided(loop: Loop, now: Now) -> list[Action]:
    assert loop.player is not None
    tell(loop, loop.player.stop(now.mono))
    return close_guided(loop, now, carry_out=False)


def close_guided(loop: Loop, now: Now, *, carry_out: bool = True) -> list[Action]:
    player = loop.player
    assert player is not None
    loop.player = None
    actions = loop.tracker.end_break(
        now, seconds=player.seconds(now.mono), completed=player.completed
    )
    if carry_out:
        loop._carry_out(actions)
        return []
    return actions


def tell(loop: Loop, cues: Sequence[Cue]) -> None:
    from glutewake.player import tell

    player = loop.player
    if player is not None and player.finished and cues:
        # The break's end is said once, by the tracker's "break over" notice; the
        # bell still rings for it.
        *cues, _end = cues
        if loop.settings.notify.bell:
            loop.ui.bell()
    tell(loop.ui, cues, bell=loop.settings.notify.bell)
