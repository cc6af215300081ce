"""What the loop says and counts over a session: the greeting, the due break's card and
its answer help, each recorded break's line, the tracker's notices, the session tally.

Functions of the running Loop, moved out of loop.py so that module keeps the waiting and
dispatching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from glutewake import notesync
from glutewake.catalog import log_name
from glutewake.durations import format_duration
from glutewake.i18n import N_, _
from glutewake.status import clock_at, held_for, local_at, utc_at
from glutewake.store import BreakRecord
from glutewake.terminal import keys_help, keys_list

if TYPE_CHECKING:
    from glutewake.loop import Loop
    from glutewake.tracker import BreakLogged, Notice, Prompt
    from glutewake.vocab import NoticeKind, Outcome

NOTICES: dict[NoticeKind, str] = {
    "break_over": N_("break over: back to it"),
    # Only when a natural break was logged; back from a break already on the log: returned.
    "back": N_("welcome back: that was a natural break; the sitting clock starts again"),
    "returned": N_("welcome back: the sitting clock starts again"),
    "schedule_closed": N_("outside working hours: no reminders until the schedule opens"),
    "schedule_open": N_("working hours: the sitting clock starts now"),
    "warmup": N_("warm-up done: it counts as a break; the sitting clock starts again"),
    "warmup_short": N_(
        "warm-up stopped early: not a break; the sitting clock goes on where it was"
    ),
    "pause_replaced": N_("the pause under way is replaced by the new one"),
    "snooze_replaced": N_("the snooze under way is replaced by the new one"),
    "warmup_started": N_(
        "a warm-up began (glutewake warmup): the sitting clock waits until it ends"
    ),
}

# Outcomes as the session tally and the loop's lines say them (translated where shown).
SESSION_OUTCOMES = {
    "done": N_("done"),
    "skipped": N_("skipped"),
    "missed": N_("missed"),
    "natural": N_("natural"),
    "abandoned": N_("abandoned"),
}


@dataclass
class Tally:
    outcomes: dict[Outcome, int] = field(default_factory=dict)
    seated_s: int = 0

    def add(self, record: BreakLogged) -> None:
        self.outcomes[record.outcome] = self.outcomes.get(record.outcome, 0) + 1
        self.close(record.seated_s, record.carried_s)

    def close(self, stretch_s: int, carried_s: int = 0) -> None:
        """Count a stretch that ends here, less what a missed break of it already counted."""
        self.seated_s += max(0, stretch_s - carried_s)

    def line(self) -> str:
        extra: tuple[Outcome, ...] = ("natural", "abandoned")
        kinds: list[Outcome] = ["done", "skipped", "missed"]
        kinds += [kind for kind in extra if self.outcomes.get(kind, 0)]
        parts = [
            _("{count} {outcome}").format(count=self.outcomes.get(kind, 0), outcome=_(label))
            for kind in kinds
            for label in [SESSION_OUTCOMES[kind]]
        ]
        return _("session: {outcomes} · seated {time}").format(
            outcomes=", ".join(parts), time=format_duration(self.seated_s)
        )


def prompt(loop: Loop, prompt: Prompt) -> None:
    from glutewake.card import card_width, render_card

    exercise = prompt.exercise
    loop._waited = ""
    if prompt.held_for:
        loop._waited = _("waited {time} ({reason})").format(
            time=format_duration(prompt.waited_s), reason=held_for(prompt.held_for)
        )
    # The desktop notification follows in notesync.sync_note, from the state this led to.
    if loop.settings.notify.bell:
        loop.ui.bell()
    if prompt.another:
        due = _("another exercise: {name}")
    else:
        due = _("break due again: {name}") if prompt.again else _("break due: {name}")
    loop.ui.say(due.format(name=exercise.name))
    if loop._waited:
        loop.ui.say(loop._waited)
    loop.ui.show(render_card(exercise, card_width(loop.ui.columns())))
    loop.ui.show(answer_help(loop))


def answer_help(loop: Loop) -> str:
    if loop.ui.interactive:
        snooze = format_duration(loop.settings.timer.snooze)
        return keys_help(snooze, can_snooze=bool(loop.tracker.snoozes_left()))
    if not loop.tracker.snoozes_left():
        return _("answer from another terminal: glutewake done | skip")
    return _("answer from another terminal: glutewake done | snooze | skip")


def record_break(loop: Loop, record: BreakLogged) -> None:
    loop.tally.add(record)
    exercise = record.exercise
    # Recorded first, then told: a terminal that is gone must not cost the record.
    loop._write(
        "break",
        lambda: loop.store.add_break(
            BreakRecord(
                outcome=record.outcome,
                at=utc_at(record.at),
                due_at=utc_at(record.due_at),
                answered_at=utc_at(record.answered_at) if record.answered_at else None,
                seated_s=record.seated_s,
                exercise_id=exercise.id if exercise else None,
                exercise_name=log_name(exercise) if exercise else None,
                category=exercise.category if exercise else None,
                snoozes=record.snoozes,
                away_s=record.away_s,
                session_id=loop.session_id,
                answered_via=record.answered_via,
                break_s=record.break_s,
                completed=record.completed,
                carried_s=record.carried_s,
            )
        ),
    )
    if record.outcome == "done" and exercise is not None:
        loop.picker.done(exercise.id, record.answered_at or record.at)
        taken = format_duration(record.break_s) if record.break_s else "0s"
        if record.break_s is None:
            loop.ui.say(_("done: {name}").format(name=exercise.name))
        elif record.completed:
            loop.ui.say(
                _("done: {name} · {taken}, completed").format(name=exercise.name, taken=taken)
            )
        else:
            loop.ui.say(
                _("done: {name} · {taken}, stopped early").format(name=exercise.name, taken=taken)
            )
    elif record.outcome == "natural":
        loop.ui.say(
            _("natural break: away {time}").format(time=format_duration(record.away_s or 0))
        )
    elif record.outcome == "abandoned":
        name = exercise.name if exercise else _("break")
        loop.ui.say(_("left open: {name} (logged as abandoned, not missed)").format(name=name))
    else:
        label = SESSION_OUTCOMES.get(record.outcome)
        loop.ui.say(
            _("{outcome}: {name}").format(
                outcome=_(label) if label else record.outcome,
                name=exercise.name if exercise else _("break"),
            )
        )


# A break on screen that waits: the notice names it (its detail).
PUT_OFF: dict[NoticeKind, str] = {
    "put_off_standing": N_("break put off until you sit: {name}"),
    "put_off_paused": N_("break put off until the pause ends: {name}"),
    "put_off_warmup": N_(
        "break put off until the warm-up ends: {name} (done if the warm-up runs its course)"
    ),
}


def notice(loop: Loop, notice: Notice) -> None:
    if notice.kind == "refused":
        loop.ui.say(_("not now: {why}").format(why=_(notice.detail)))
    elif notice.kind in PUT_OFF:
        loop.ui.say(_(PUT_OFF[notice.kind]).format(name=notice.detail))
    else:
        loop.ui.say(_(NOTICES[notice.kind]) if notice.kind in NOTICES else notice.kind)
    if notice.kind == "break_over":
        from glutewake.notify import over_note

        # Replaces "on a break" in place and goes away by itself: nothing to close.
        loop._note_key = ("over",)
        notesync.show(loop, over_note())


def greet(loop: Loop) -> None:
    """Everything a first run needs: when, how, which keys, where the log is."""
    from glutewake.catalog import shortest_over

    timer = loop.settings.timer
    first = local_at(loop.wall() + timer.sit)
    # A break lasts as long as its exercise: promise [timer] break only when one fits.
    shortest = shortest_over(loop.picker.catalog, timer.break_)
    greeting = (
        _("glutewake: a break every {sit} of sitting, {length} each; the first at {at}")
        if shortest is None
        else _(
            "glutewake: a break every {sit} of sitting, {shortest} or more each (no "
            "exercise fits in [timer] break {length}); the first at {at}"
        )
    )
    loop.ui.say(
        greeting.format(
            sit=format_duration(timer.sit),
            length=format_duration(timer.break_),
            shortest=format_duration(shortest or 0),
            # Seconds for a first break minutes away: "at 02:00" for 02:00:58 misleads.
            at=clock_at(first, local_at(loop.wall()), seconds=timer.sit < 600),
        )
    )
    desktop = loop.notifier is not None and loop.notifier.available
    # max_snoozes = 0: snoozing is not offered, so it is not mentioned either.
    can_snooze = timer.max_snoozes > 0
    if loop.ui.interactive:
        how = (
            _("it comes as a desktop notification and here; keys: {keys}")
            if desktop
            else _("it comes here; keys: {keys}")
        )
        keys = keys_list(format_duration(timer.snooze), can_snooze=can_snooze)
        loop.ui.say(how.format(keys=keys))
    elif can_snooze:
        loop.ui.say(
            _("it comes as a desktop notification; answer with glutewake done | snooze | skip")
            if desktop
            else _("it comes as a line here; answer with glutewake done | snooze | skip")
        )
    else:
        loop.ui.say(
            _("it comes as a desktop notification; answer with glutewake done | skip")
            if desktop
            else _("it comes as a line here; answer with glutewake done | skip")
        )
    # Ctrl-C reaches only a loop in the foreground of its terminal (not `start &`).
    stop = _("Ctrl-C to stop") if loop.ui.interactive else _("glutewake stop to stop")
    loop.ui.say(
        _("log: {path} · a meeting? glutewake pause 1h · {stop}").format(
            path=loop.store.path, stop=stop
        )
    )
    if loop.notifier is not None and not loop.notifier.available:
        loop.ui.say(
            _("desktop notifications off: {why}; reminders show here").format(
                why=loop.notifier.reason
            )
        )
        loop._warned.add(f"notify:{loop.notifier.reason}")  # said once is enough
    if loop.idle is None and loop.settings.idle.backend != "off":
        loop.ui.say(_("idle time unavailable here: natural breaks are not detected"))
