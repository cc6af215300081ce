"""The desktop notification kept in step with the loop's tracker.

One notification per break, replaced in place (heads-up, due, due again, on a break,
break over) and closed when the break is answered anywhere else or the loop stops
(`sync_note`); its buttons' answers go back to the tracker (`take_note_answers`).
Functions of the running Loop, moved out of loop.py so that module keeps the waiting and
dispatching.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from glutewake import guided
from glutewake.i18n import _
from glutewake.status import clock_at, local_at

if TYPE_CHECKING:
    from glutewake.loop import Loop
    from glutewake.notify import Note
    from glutewake.tracker import Now

# A notification button's key -> the tracker's answer.
NOTE_ANSWERS = {"start": "done", "snooze": "snooze", "skip": "skip", "another": "another"}


def warn_s(loop: Loop) -> int:
    warn = loop.settings.notify.warn_before
    # A heads-up for a 1-minute sitting stretch would be most of the stretch.
    return warn if loop.settings.timer.sit >= 2 * warn else 0


def heads_up(loop: Loop, now: Now) -> None:
    """Name the coming break `warn_before` ahead (chosen now, so the break keeps it)."""
    warn = warn_s(loop)
    if not warn or loop._warned_for is not None or loop.tracker.state != "seated":
        return
    deadline = loop.tracker.next_mono()
    if deadline is None or deadline - now.mono > warn or deadline <= now.mono:
        return
    busy = loop.tracker.busy
    if busy is not None and busy(None) is not None:
        loop._warned_for = ""  # busy (a call, full screen): no heads-up to interrupt it
        return
    exercise = loop.tracker.upcoming()
    if exercise is not None:
        loop._warned_for = exercise.id


def sync_note(loop: Loop, now: Now) -> None:
    """Make the notification on screen match the tracker: shown, replaced or closed."""
    tracker = loop.tracker
    pending, state = tracker.pending, tracker.state
    if state != "seated":
        loop._warned_for = None
    key: tuple[Any, ...] | None = None
    if state == "due" and pending is not None:
        key = ("due", pending.exercise.id, pending.snoozes, pending.prompt_mono)
    elif state == "snoozed" and pending is not None:
        key = ("snoozed", pending.exercise.id, pending.snoozes)
    elif state == "break" and tracker.on_break is not None:
        # The guided break's stage too: the notification follows its sides.
        stage = loop.player.stage() if loop.player is not None else ""
        key = ("break", tracker.on_break.id, tracker.deadline, stage)
    elif state == "seated" and pending is not None and loop._warned_for:
        key = ("warn", pending.exercise.id)
    elif loop._note_key == ("over",) and state == "seated":
        key = loop._note_key  # expires by itself
    if key == loop._note_key:
        return
    loop._note_key = key
    note = None if key is None else note_for(loop, key[0], now)
    if note is None:
        if loop.notifier is not None:
            loop.notifier.close()
    else:
        show(loop, note)


def note_for(loop: Loop, kind: str, now: Now) -> Note | None:
    from glutewake.notify import break_note, due_note, snoozed_note, warn_note

    tracker, notify = loop.tracker, loop.settings.notify
    pending = tracker.pending
    if kind == "due" and pending is not None:
        snooze = loop.settings.timer.snooze if tracker.snoozes_left() else None
        again = pending.snoozes > 0
        return due_note(
            pending.exercise,
            again=again,
            snooze_s=snooze,
            sticky=notify.sticky,
            sound=notify.sound and not again,
            extra=loop._waited,
        )
    if kind == "snoozed" and pending is not None and tracker.deadline is not None:
        left = max(0.0, tracker.deadline - now.mono)
        # HH:MM as every other time shown; the seconds only when it is under a minute
        # away ("at 00:00" for 00:00:35, said at 23:59:50, would read as a wrong time).
        back = clock_at(local_at(now.wall + left), local_at(now.wall), seconds=left < 60)
        return snoozed_note(pending.exercise, back, round(left))
    if kind == "warn" and pending is not None:
        due = tracker.next_mono()
        seconds = round(due - now.mono) if due is not None else warn_s(loop)
        return warn_note(pending.exercise, max(1, seconds))
    if kind == "break" and tracker.on_break is not None and tracker.deadline is not None:
        left = max(0.0, tracker.deadline - now.mono)
        back_at = clock_at(local_at(now.wall + left), local_at(now.wall))
        stage = loop.player.stage() if loop.player is not None else ""
        return break_note(tracker.on_break, back_at, round(left), stage)
    return None


def show(loop: Loop, note: Note) -> None:
    # Tried even when it failed before: a notification daemon may come up later.
    if loop.notifier is None or not loop.notifier.enabled:
        return
    failure = loop.notifier.show(note)
    if failure:
        loop._warn_once(
            f"notify:{failure}",
            _("desktop notification failed: {why}").format(why=failure),
        )


def take_note_answers(loop: Loop) -> None:
    """Act on the notification's buttons pressed since the last look."""
    if loop.notifier is None:
        return
    for key in loop.notifier.answers():
        answer = NOTE_ANSWERS.get(key)
        if answer is None:
            continue
        loop.ui.say(_("from the notification: {answer}").format(answer=key))
        if answer == "done" and loop.player is not None:
            loop._carry_out(guided.end_guided(loop, loop._now()))  # during a break: end it
        else:
            loop._carry_out(loop.tracker.answer(answer, loop._now(), via="notification"))
        sync_note(loop, loop._now())
