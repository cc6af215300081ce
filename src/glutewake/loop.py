"""The real loop around the tracker: clocks, keys, idle time, notifications, the log.

It sleeps until something can happen (the next deadline, a key press, an idle poll,
a command from another terminal ringing its doorbell, a notification button, the 1 s
status refresh on a TTY), feeds the tracker, and carries out its actions. Any failure to
record is reported and the reminders go on.

The desktop notification follows the tracker's state (`_sync_note`): one notification per
break, replaced in place (heads-up, due, due again, on a break, break over) and closed
when the break is answered anywhere else or the loop stops.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from glutewake import schedule
from glutewake.catalog import log_name
from glutewake.channel import COMMAND_POLL_S, KEEP_ANSWERED_S, Channel, Command, Inbox, LoopState
from glutewake.durations import format_duration
from glutewake.errors import GlutewakeError, StoreError
from glutewake.i18n import N_, _
from glutewake.lock import LoopLock
from glutewake.status import clock_at, held_for, view
from glutewake.store import BreakRecord, EventRecord, Store, StoreMoved
from glutewake.terminal import PlainUI, keys_help, keys_list, make_ui
from glutewake.tracker import (
    Action,
    BreakLogged,
    BreakStarted,
    BusyCheck,
    EventLogged,
    Notice,
    Now,
    Prompt,
    Tracker,
)

if TYPE_CHECKING:
    from glutewake.catalog import Catalog
    from glutewake.channel import Wakeup
    from glutewake.config import Settings
    from glutewake.idle import IdleReader
    from glutewake.notify import Note, Notifier
    from glutewake.player import Cue, Player
    from glutewake.vocab import NoticeKind, Outcome

__all__ = ["COMMAND_POLL_S", "Loop", "run"]
# A notification button's key -> the tracker's answer.
NOTE_ANSWERS = {"start": "done", "snooze": "snooze", "skip": "skip", "another": "another"}
# The longest the loop sleeps even with nothing to do; keeps wall-clock jumps (suspend)
# and schedule edges noticed promptly without costing anything measurable.
MAX_SLEEP_S = 30.0
# An idle source unavailable at start (or never opened) is tried again this often.
IDLE_REOPEN_S = 60.0
# How often, at most, the loop looks whether its config file changed (one stat). It looks
# when it wakes anyway (every second on a terminal, at least every MAX_SLEEP_S without
# one): no wake-up of its own, which the wake-up budget would see (bench/README.md).
CONFIG_CHECK_S = 2.0
# Sections a running loop cannot take over: opened once at start.
_RESTART_SECTIONS = ("idle", "quiet", "log", "ui")
# The longest a `glutewake warmup` holds the sitting clock (its own plan says less).
WARMUP_HOLD_MAX_S = 3600
# Away, idle time is read this often to notice the return (it says "welcome back").
AWAY_POLL_S = 10.0

NOTICES: dict[NoticeKind, str] = {
    "break_over": N_("break over: back to it"),
    # Only when a natural break was logged; back from a break already on the log: returned.
    "back": N_("welcome back: that was a natural break; the sitting clock starts again"),
    "returned": N_("welcome back: the sitting clock starts again"),
    "schedule_closed": N_("outside working hours: no reminders until the schedule opens"),
    "schedule_open": N_("working hours: the sitting clock starts now"),
    "warmup": N_("warm-up done: it counts as a break; the sitting clock starts again"),
    "pause_replaced": N_("the pause under way is replaced by the new one"),
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
# What _write failed to record, in words (translated where shown).
WRITE_WHAT = {
    "break": N_("break"),
    "event": N_("event"),
    "state": N_("state"),
    "answer": N_("answer"),
    "old commands": N_("old commands"),
    "session end": N_("session end"),
}


class Stop(Exception):
    """SIGTERM or SIGHUP: leave the loop the way Ctrl-C does."""


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


class Loop:
    def __init__(
        self,
        *,
        settings: Settings,
        catalog: Catalog,
        store: Store,
        notifier: Notifier | None,
        idle: IdleReader | None,
        ui: PlainUI,
        pid: int,
        busy: BusyCheck | None = None,
        wakeup: Wakeup | None = None,
        commands_since: datetime | None = None,
        open_idle: Callable[[], IdleReader | None] | None = None,
        config: tuple[Path, Callable[[], Settings]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        boot: Callable[[], float] | None = None,
    ) -> None:
        self.settings, self.store, self.notifier, self.idle, self.ui = (
            settings,
            store,
            notifier,
            idle,
            ui,
        )
        self.pid, self.monotonic, self.wall = pid, monotonic, wall
        # Suspends are told from wall-clock steps by a clock that counts sleep; the real
        # clocks get the system's (CLOCK_BOOTTIME on Linux), injected ones none unless given.
        if boot is None and monotonic is time.monotonic:
            boot = boot_clock()
        self.boot = boot
        self.wakeup = wakeup
        # When the lock was taken: commands from then on are this loop's (default: now).
        self.commands_since = commands_since
        # No idle source at start (no display yet, a bus still starting): tried again.
        self.open_idle = open_idle
        self._next_idle_open = 0.0
        # The config file and how to read it again (with the command line's overrides).
        self.config = config
        self._config_seen = _file_stamp(config[0]) if config else None
        self._next_config_check = 0.0
        self.tally = Tally()
        self.session_id = 0
        self.started = _utc(wall())
        from glutewake.catalog import Picker

        self.picker = Picker(
            catalog,
            recent=store.recent_exercise_ids(50),
            last_done={k: v.timestamp() for k, v in store.last_done_at().items()},
            avoid_repeat=settings.exercises.avoid_repeat,
            rng=random.Random(),
            fit_s=settings.timer.break_,
        )
        self.tracker = Tracker(
            settings.timer, self.picker, self._now(), busy=busy, max_hold=settings.quiet.max_hold
        )
        self._warned: set[str] = set()
        self._last_state: tuple[Any, ...] | None = None
        self.channel = Channel(store)
        self._inbox: Inbox | None = None
        # Commands may wait unread: sent while the loop started (before anyone could ring
        # it), or left by a read that failed. Read them without waiting for a ring.
        self._commands_unread = True
        self._next_command_poll = 0.0
        self._idle_every = max(1.0, min(5.0, settings.timer.natural_break / 3))
        self._next_idle_poll = 0.0
        self._idle_state = ""  # the tracker's state at the last idle reading
        self._idle_answering = True
        self._note_key: tuple[Any, ...] | None = None
        self._warned_for: str | None = None  # the exercise a heads-up named
        self._waited = ""  # how long the due break was held, said on its notification
        self.player: Player | None = None  # the break under way, guided

    # --- the loop --------------------------------------------------------------------

    def run(self) -> Tally:
        try:
            with SIGNALS.shielded():
                self.session_id = self.store.begin_session(pid=self.pid, started_at=self.started)
            self._inbox = Inbox(self.channel, since=self.commands_since or self.started)
            prune_before = _utc(self.wall() - KEEP_ANSWERED_S)
            self._write("old commands", lambda: self.channel.prune(prune_before))
            self._greet()
            while not self.ui.gone:
                self._step()
        except (KeyboardInterrupt, Stop):
            pass
        finally:
            SIGNALS.stopping = True  # from here on, a signal must not cut the stop short
            if self.session_id:
                self._finish()
        return self.tally

    def _step(self) -> None:
        now = self._now()
        # Commands first: an answer sent before a deadline counts, even if the loop
        # wakes for both at once.
        deadline = self.tracker.next_mono()
        self._poll_commands(now, force=deadline is not None and now.mono >= deadline)
        self._take_note_answers()
        now = self._now()
        self._guide(now)
        self._reload_config(now)
        self._carry_out(self.tracker.tick(now, self._poll_idle(now), self._on_schedule()))
        self._heads_up(now)
        self._sync_note(now)
        self._save_state(now)
        self._refresh_status(now)
        key = self.ui.wait(self._sleep_for(self._now()), self._watch())
        if key is not None:
            self._key(key, self._now())
            self._sync_note(self._now())

    def _key(self, key: str, now: Now) -> None:
        if self.player is None:
            self._carry_out(self.tracker.answer(key, now, via="terminal"))
        elif key == "done":  # Enter, during a guided break
            self._tell(self.player.enter(now.mono))
            self._guide(now)
        # Other keys mean nothing during a break.

    def _watch(self) -> list[int]:
        """What the wait watches besides the keyboard: the doorbell and the bus socket."""
        watch = [] if self.wakeup is None else [self.wakeup.fileno()]
        fd = self.notifier.fileno() if self.notifier is not None else None
        if fd is not None:
            watch.append(fd)
        return watch

    def _sleep_for(self, now: Now) -> float:
        wake = [now.mono + MAX_SLEEP_S]
        if self.wakeup is None or self._commands_unread:
            wake.append(self._next_command_poll)
        if self.idle is not None:
            wake.append(self._next_idle_poll)
        elif self.open_idle is not None:
            wake.append(self._next_idle_open)
        deadline = self.tracker.next_mono()
        if deadline is not None:
            wake.append(deadline)
            if self._warn_s() and self._warned_for is None and self.tracker.state == "seated":
                wake.append(deadline - self._warn_s())
        if self.player is not None:
            redraw = self.player.next_change(now.mono)
            if redraw is not None:
                wake.append(redraw)
        if self.settings.schedule.enabled:
            change = schedule.next_change(self.settings.schedule, _local(now.wall))
            if change is not None:
                wake.append(now.mono + (change.timestamp() - now.wall))
        if self.ui.interactive:
            wake.append(now.mono + 1.0 - (now.wall % 1.0))  # redraw on the second
        return min(max(0.02, t - now.mono) for t in wake)

    # --- inputs ----------------------------------------------------------------------

    def _now(self) -> Now:
        return Now(self.monotonic(), self.wall(), self.boot() if self.boot else None)

    def _on_schedule(self) -> bool:
        # Checked before reading the local time: most people set no schedule, and the
        # loop asks at every wake-up.
        if not self.settings.schedule.enabled:
            return True
        return schedule.is_open(self.settings.schedule, _local(self.wall()))

    def _poll_idle(self, now: Now) -> float | None:
        if self.idle is None and not self._open_idle(now):
            return None
        assert self.idle is not None
        deadline = self.tracker.next_mono()
        # Read when it can matter, always at a deadline (a break due while the user is
        # away must see fresh idle time to be held back) and after any change of state.
        if (
            now.mono < self._next_idle_poll
            and (deadline is None or now.mono < deadline)
            and self.tracker.state == self._idle_state
        ):
            return None
        try:
            seconds = self.idle.seconds()
        except Exception:  # a desktop going away must not end the reminders
            seconds = None
        self._idle_state = self.tracker.state
        self._next_idle_poll = now.mono + self._idle_wait(seconds)
        if (seconds is None) == self._idle_answering:
            self._idle_answering = seconds is not None
            if seconds is None:
                # Without readings nobody can come back from "away": say so and move on.
                self.ui.say(
                    _("idle time from {source} stopped: natural breaks paused").format(
                        source=self.idle.name
                    )
                )
                self._carry_out(self.tracker.idle_lost(now))
            else:
                self.ui.say(_("idle time from {source} is back").format(source=self.idle.name))
        return seconds

    def _reload_config(self, now: Now) -> None:
        """An edited config reaches the running loop: read again, applied, and said."""
        if self.config is None or now.mono < self._next_config_check:
            return
        self._next_config_check = now.mono + CONFIG_CHECK_S
        path, read = self.config
        stamp = _file_stamp(path)
        if stamp == self._config_seen:
            return
        self._config_seen = stamp
        old = self.settings
        try:
            new = read()
            catalog = None
            if new.exercises != old.exercises:
                from glutewake.catalog import build_catalog

                catalog = build_catalog(new.exercises, new.source)
        except GlutewakeError as exc:
            self.ui.say(
                _("config not reloaded: {error}; the loop keeps its settings").format(error=exc)
            )
            return
        changes = _changes(old, new)
        self.settings = new
        self.tracker.timer = new.timer
        if self.tracker.carried_s == 0:  # no miss in this stretch: the next break is `sit` in
            self.tracker.due_s = float(new.timer.sit)
        self._idle_every = max(1.0, min(5.0, new.timer.natural_break / 3))
        if catalog is not None:
            self.picker.catalog = catalog
        self.picker.fit_s = new.timer.break_
        restart = [
            f"[{name}]" for name in _RESTART_SECTIONS if getattr(old, name) != getattr(new, name)
        ]
        self.ui.say(
            _("config reloaded: {changes}").format(changes=", ".join(changes))
            if changes
            else _("config reloaded: nothing the loop uses changed")
        )
        if restart:
            self.ui.say(
                _("{sections} take effect at the next glutewake start").format(
                    sections=", ".join(restart)
                )
            )

    def _open_idle(self, now: Now) -> bool:
        """Try again, every IDLE_REOPEN_S, to open an idle source that was unavailable."""
        if self.open_idle is None or now.mono < self._next_idle_open:
            return False
        self._next_idle_open = now.mono + IDLE_REOPEN_S
        self.idle = self.open_idle()
        if self.idle is None:
            return False
        self._next_idle_poll = now.mono
        self.ui.say(
            _("idle time from {source} is available now: natural breaks are detected").format(
                source=self.idle.name
            )
        )
        return True

    def _idle_wait(self, seconds: float | None) -> float:
        """How long until idle time is worth reading again, given the reading `seconds`.

        Seated, nothing can happen before idle time could first reach natural_break:
        that is `natural_break - seconds` from now if nobody touches anything, and any
        input only pushes it further. So a person at work costs one read per
        natural_break, not one every few seconds.
        """
        tracker = self.tracker
        if seconds is None or tracker.state == "due" or tracker.held:
            return self._idle_every  # watching for a return, or for the readings to come back
        if tracker.state == "away":
            # Often enough to greet a return promptly, rarely enough to stay at rest.
            natural = self.settings.timer.natural_break
            return max(self._idle_every, min(AWAY_POLL_S, natural / 3))
        if tracker.state in ("seated", "snoozed"):
            return max(1.0, self.settings.timer.natural_break - seconds + 0.5)
        return MAX_SLEEP_S  # paused, standing, on a break, off schedule: idle changes nothing

    def _poll_commands(self, now: Now, force: bool = False) -> None:
        if self.wakeup is not None:
            rang = self.wakeup.drain()
            retry = self._commands_unread and now.mono >= self._next_command_poll
            if not (rang or retry or force):
                return  # nobody rang
        elif now.mono < self._next_command_poll and not force:
            return
        self._next_command_poll = now.mono + COMMAND_POLL_S
        assert self._inbox is not None, "run() opens the inbox"
        try:
            commands = self._inbox.new()
        except StoreError as exc:
            self._commands_unread = True  # tried again at the next poll
            self._warn_once("commands", _("cannot read commands: {error}").format(error=exc))
            return
        self._commands_unread = False
        for command in commands:
            actions = self._command(command, self._now())
            self._carry_out(actions)
            refused = [a.detail for a in actions if isinstance(a, Notice) and a.kind == "refused"]
            # The notification and the state first: a sender that sees "ok" then finds
            # the notification answered and reads the state it led to.
            self._sync_note(self._now())
            self._save_state(self._now(), force=True)
            result = refused[0] if refused else "ok"
            answered_at = _utc(self.wall())
            self._write(
                "answer", partial(self.channel.answer_command, command.id, result, answered_at)
            )
            if command.name == "stop":
                raise Stop  # answered first: the sender then waits for the lock to go

    def _stop_requested(self) -> list[Action]:
        """`glutewake stop`: the loop ends as on Ctrl-C, once the command is answered."""
        return []

    def _command(self, command: Command, now: Now) -> list[Action]:
        seconds = int(command.arg) if command.arg and command.arg.isdigit() else None
        tracker = self.tracker
        handlers: dict[str, Callable[[], list[Action]]] = {
            "done": lambda: tracker.answer("done", now, via="command"),
            "skip": lambda: tracker.answer("skip", now, via="command"),
            "snooze": lambda: tracker.snooze(now, seconds),
            "now": lambda: tracker.break_now(now),
            "pause": lambda: tracker.pause(now, seconds),
            "resume": lambda: tracker.resume(now),
            "stand": lambda: tracker.stand(now),
            "sit": lambda: tracker.sit(now),
            "stop": self._stop_requested,
            # At most WARMUP_HOLD_MAX_S, whatever the sender asks: a hold that never ends
            # would be a pause nobody remembers.
            "warmup_start": lambda: tracker.warmup_started(
                now, min(seconds or WARMUP_HOLD_MAX_S, WARMUP_HOLD_MAX_S)
            ),
        }
        if command.name == "warmup":
            taken, _sep, completed = (command.arg or "0:0").partition(":")
            handlers["warmup"] = lambda: tracker.warmup_done(
                now, int(taken) if taken.isdigit() else 0, completed == "1"
            )
        if command.name == "done" and self.player is not None:
            # During a break, `glutewake done` ends it.
            handlers["done"] = lambda: self._end_guided(now)
        handler = handlers.get(command.name)
        if handler is None:
            return [Notice("refused", _("unknown command {name!r}").format(name=command.name))]
        said = f"{command.name} {format_duration(seconds)}" if seconds else command.name
        if command.name != "warmup_start":  # its notice says what happened, in words
            self.ui.say(_("from another terminal: {command}").format(command=said))
        return handler()

    # --- actions ---------------------------------------------------------------------

    def _carry_out(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Prompt):
                self._prompt(action)
            elif isinstance(action, BreakStarted):
                self._start_guide(action)
            elif isinstance(action, BreakLogged):
                self._record_break(action)
            elif isinstance(action, EventLogged):
                event = EventRecord(
                    kind=action.kind,
                    at=_utc(action.at),
                    seconds=action.seconds,
                    detail=action.detail,
                    session_id=self.session_id,
                )
                self._write("event", partial(self.store.add_event, event))
            elif isinstance(action, Notice):
                self._notice(action)

    def _prompt(self, prompt: Prompt) -> None:
        from glutewake.card import card_width, render_card

        exercise = prompt.exercise
        self._waited = ""
        if prompt.held_for:
            self._waited = _("waited {time} ({reason})").format(
                time=format_duration(prompt.waited_s), reason=held_for(prompt.held_for)
            )
        # The desktop notification follows in _sync_note, from the state this led to.
        if self.settings.notify.bell:
            self.ui.bell()
        if prompt.another:
            due = _("another exercise: {name}")
        else:
            due = _("break due again: {name}") if prompt.again else _("break due: {name}")
        self.ui.say(due.format(name=exercise.name))
        if self._waited:
            self.ui.say(self._waited)
        self.ui.show(render_card(exercise, card_width(self.ui.columns())))
        self.ui.show(self._answer_help())

    # --- the guided break ----------------------------------------------------------------

    def _start_guide(self, started: BreakStarted) -> None:
        from glutewake.player import Player, guided_seconds, plan

        self.player = Player(
            plan(started.exercise), start=started.mono, at_least=self.settings.timer.break_
        )
        ends = [s.seconds for s in self.player.segments]
        planned = None if None in ends else started.mono + sum(s or 0 for s in ends)
        self.tracker.guide_break(planned)
        takes = guided_seconds(started.exercise)
        if takes > self.settings.timer.break_:
            self.ui.say(
                _("this exercise takes {time}, longer than [timer] break {length}").format(
                    time=format_duration(takes), length=format_duration(self.settings.timer.break_)
                )
            )
        self.ui.say(
            _("break: {name}; Enter ends it early").format(name=started.exercise.name)
            if self.ui.interactive
            else _("break: {name}; `glutewake done` ends it early").format(
                name=started.exercise.name
            )
        )
        self._tell(self.player.begin())

    def _guide(self, now: Now) -> None:
        """Move the guided break on; when it is over, the tracker records it."""
        player = self.player
        if player is None:
            return
        if self.tracker.state != "break":
            self.player = None  # ended some other way (pause, schedule): already recorded
            return
        self._tell(player.advance(now.mono))
        if player.completed:
            self.tracker.exercise_completed()
        if player.finished:
            self._close_guided(now)

    def _end_guided(self, now: Now) -> list[Action]:
        assert self.player is not None
        self._tell(self.player.stop(now.mono))
        return self._close_guided(now, carry_out=False)

    def _close_guided(self, now: Now, *, carry_out: bool = True) -> list[Action]:
        player = self.player
        assert player is not None
        self.player = None
        actions = self.tracker.end_break(
            now, seconds=player.seconds(now.mono), completed=player.completed
        )
        if carry_out:
            self._carry_out(actions)
            return []
        return actions

    def _tell(self, cues: Sequence[Cue]) -> None:
        from glutewake.player import tell

        player = self.player
        if player is not None and player.finished and cues:
            # The break's end is said once, by the tracker's "break over" notice; the
            # bell still rings for it.
            *cues, _end = cues
            if self.settings.notify.bell:
                self.ui.bell()
        tell(self.ui, cues, bell=self.settings.notify.bell)

    def _answer_help(self) -> str:
        if self.ui.interactive:
            snooze = format_duration(self.settings.timer.snooze)
            return keys_help(snooze, can_snooze=bool(self.tracker.snoozes_left()))
        if not self.tracker.snoozes_left():
            return _("answer from another terminal: glutewake done | skip")
        return _("answer from another terminal: glutewake done | snooze | skip")

    def _record_break(self, record: BreakLogged) -> None:
        self.tally.add(record)
        exercise = record.exercise
        # Recorded first, then told: a terminal that is gone must not cost the record.
        self._write(
            "break",
            lambda: self.store.add_break(
                BreakRecord(
                    outcome=record.outcome,
                    at=_utc(record.at),
                    due_at=_utc(record.due_at),
                    answered_at=_utc(record.answered_at) if record.answered_at else None,
                    seated_s=record.seated_s,
                    exercise_id=exercise.id if exercise else None,
                    exercise_name=log_name(exercise) if exercise else None,
                    category=exercise.category if exercise else None,
                    snoozes=record.snoozes,
                    away_s=record.away_s,
                    session_id=self.session_id,
                    answered_via=record.answered_via,
                    break_s=record.break_s,
                    completed=record.completed,
                    carried_s=record.carried_s,
                )
            ),
        )
        if record.outcome == "done" and exercise is not None:
            self.picker.done(exercise.id, record.answered_at or record.at)
            taken = format_duration(record.break_s) if record.break_s else "0s"
            if record.break_s is None:
                self.ui.say(_("done: {name}").format(name=exercise.name))
            elif record.completed:
                self.ui.say(
                    _("done: {name} · {taken}, completed").format(name=exercise.name, taken=taken)
                )
            else:
                self.ui.say(
                    _("done: {name} · {taken}, stopped early").format(
                        name=exercise.name, taken=taken
                    )
                )
        elif record.outcome == "natural":
            self.ui.say(
                _("natural break: away {time}").format(time=format_duration(record.away_s or 0))
            )
        elif record.outcome == "abandoned":
            name = exercise.name if exercise else _("break")
            self.ui.say(_("left open: {name} (logged as abandoned, not missed)").format(name=name))
        else:
            label = SESSION_OUTCOMES.get(record.outcome)
            self.ui.say(
                _("{outcome}: {name}").format(
                    outcome=_(label) if label else record.outcome,
                    name=exercise.name if exercise else _("break"),
                )
            )

    def _notice(self, notice: Notice) -> None:
        if notice.kind == "refused":
            self.ui.say(_("not now: {why}").format(why=_(notice.detail)))
        else:
            self.ui.say(_(NOTICES[notice.kind]) if notice.kind in NOTICES else notice.kind)
        if notice.kind == "break_over":
            from glutewake.notify import over_note

            # Replaces "on a break" in place and goes away by itself: nothing to close.
            self._note_key = ("over",)
            self._show(over_note())

    # --- the desktop notification --------------------------------------------------------

    def _warn_s(self) -> int:
        warn = self.settings.notify.warn_before
        # A heads-up for a 1-minute sitting stretch would be most of the stretch.
        return warn if self.settings.timer.sit >= 2 * warn else 0

    def _heads_up(self, now: Now) -> None:
        """Name the coming break `warn_before` ahead (chosen now, so the break keeps it)."""
        warn = self._warn_s()
        if not warn or self._warned_for is not None or self.tracker.state != "seated":
            return
        deadline = self.tracker.next_mono()
        if deadline is None or deadline - now.mono > warn or deadline <= now.mono:
            return
        busy = self.tracker.busy
        if busy is not None and busy(None) is not None:
            self._warned_for = ""  # busy (a call, full screen): no heads-up to interrupt it
            return
        exercise = self.tracker.upcoming()
        if exercise is not None:
            self._warned_for = exercise.id

    def _sync_note(self, now: Now) -> None:
        """Make the notification on screen match the tracker: shown, replaced or closed."""
        tracker = self.tracker
        pending, state = tracker.pending, tracker.state
        if state != "seated":
            self._warned_for = None
        key: tuple[Any, ...] | None = None
        if state == "due" and pending is not None:
            key = ("due", pending.exercise.id, pending.snoozes, pending.prompt_mono)
        elif state == "snoozed" and pending is not None:
            key = ("snoozed", pending.exercise.id, pending.snoozes)
        elif state == "break" and tracker.on_break is not None:
            # The guided break's stage too: the notification follows its sides.
            stage = self.player.stage() if self.player is not None else ""
            key = ("break", tracker.on_break.id, tracker.deadline, stage)
        elif state == "seated" and pending is not None and self._warned_for:
            key = ("warn", pending.exercise.id)
        elif self._note_key == ("over",) and state == "seated":
            key = self._note_key  # expires by itself
        if key == self._note_key:
            return
        self._note_key = key
        note = None if key is None else self._note_for(key[0], now)
        if note is None:
            if self.notifier is not None:
                self.notifier.close()
        else:
            self._show(note)

    def _note_for(self, kind: str, now: Now) -> Note | None:
        from glutewake.notify import break_note, due_note, snoozed_note, warn_note

        tracker, notify = self.tracker, self.settings.notify
        pending = tracker.pending
        if kind == "due" and pending is not None:
            snooze = self.settings.timer.snooze if tracker.snoozes_left() else None
            again = pending.snoozes > 0
            return due_note(
                pending.exercise,
                again=again,
                snooze_s=snooze,
                sticky=notify.sticky,
                sound=notify.sound and not again,
                extra=self._waited,
            )
        if kind == "snoozed" and pending is not None and tracker.deadline is not None:
            left = max(0.0, tracker.deadline - now.mono)
            # A long snooze: the day; a short one: the seconds (a 1-minute snooze "at 00:00"
            # that ends at 00:00:35 reads as a wrong time).
            back = clock_at(_local(now.wall + left), _local(now.wall), seconds=left < 3600)
            return snoozed_note(pending.exercise, back, round(left))
        if kind == "warn" and pending is not None:
            due = tracker.next_mono()
            seconds = round(due - now.mono) if due is not None else self._warn_s()
            return warn_note(pending.exercise, max(1, seconds))
        if kind == "break" and tracker.on_break is not None and tracker.deadline is not None:
            left = max(0.0, tracker.deadline - now.mono)
            back_at = clock_at(_local(now.wall + left), _local(now.wall))
            stage = self.player.stage() if self.player is not None else ""
            return break_note(tracker.on_break, back_at, round(left), stage)
        return None

    def _show(self, note: Note) -> None:
        # Tried even when it failed before: a notification daemon may come up later.
        if self.notifier is None or not self.notifier.enabled:
            return
        failure = self.notifier.show(note)
        if failure:
            self._warn_once(
                f"notify:{failure}",
                _("desktop notification failed: {why}").format(why=failure),
            )

    def _take_note_answers(self) -> None:
        """Act on the notification's buttons pressed since the last look."""
        if self.notifier is None:
            return
        for key in self.notifier.answers():
            answer = NOTE_ANSWERS.get(key)
            if answer is None:
                continue
            self.ui.say(_("from the notification: {answer}").format(answer=key))
            if answer == "done" and self.player is not None:
                self._carry_out(self._end_guided(self._now()))  # during a break: end it
            else:
                self._carry_out(self.tracker.answer(answer, self._now(), via="notification"))
            self._sync_note(self._now())

    def _write(self, what: str, write: Callable[[], object]) -> bool:
        try:
            write()
            return True
        except StoreMoved as exc:
            self._warn_once("moved", f"{exc} (reminders go on)")
            return False
        except StoreError as exc:
            label = WRITE_WHAT.get(what)
            text = _("could not record the {what}: {error} (reminders go on)").format(
                what=_(label) if label else what, error=exc
            )
            if what == "break":
                self.ui.say(_("warning: {text}").format(text=text))  # each lost break counts
            else:
                self._warn_once(f"write:{what}:{exc}", text)
            return False

    def _warn_once(self, key: str, text: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.ui.say(_("warning: {text}").format(text=text))

    # --- state for other processes -----------------------------------------------------

    def _save_state(self, now: Now, force: bool = False) -> None:
        snap = self.tracker.snapshot()
        next_wall = None if snap.next_mono is None else now.wall + (snap.next_mono - now.mono)
        # Written on change only: a laptop's disk stays idle while nothing happens. The
        # key is built from plain numbers, as this runs at every wake-up.
        key = (
            snap.state,
            snap.since,
            snap.exercise,
            snap.snoozes,
            snap.held,
            None if next_wall is None else round(next_wall / 2),
        )
        if force or key != self._last_state:
            self._last_state = key
            state = self._loop_state(now)
            if not self._write("state", partial(self.channel.write_state, state)):
                self._last_state = None  # not written: try again at the next wake-up

    def _loop_state(self, now: Now) -> LoopState:
        snap = self.tracker.snapshot()
        next_at = None
        if snap.next_mono is not None:
            next_at = _utc(now.wall + (snap.next_mono - now.mono))
        elif snap.state == "off_schedule":
            change = schedule.next_change(self.settings.schedule, _local(now.wall))
            next_at = change.astimezone(timezone.utc) if change else None
        return LoopState(
            pid=self.pid,
            session_id=self.session_id,
            started_at=self.started,
            state=snap.state,
            since=_utc(snap.since),
            updated_at=_utc(now.wall),
            seated_s=round(snap.seated_s),
            clock_running=snap.clock_running,
            next_at=next_at,
            exercise_id=snap.exercise.id if snap.exercise else None,
            exercise_name=snap.exercise.name if snap.exercise else None,
            snoozes=snap.snoozes,
            max_snoozes=self.settings.timer.max_snoozes,
            held=snap.held,
        )

    def _refresh_status(self, now: Now) -> None:
        if self.ui.interactive and self.player is not None:
            self.ui.status(self.player.line(now.mono))
        elif self.ui.interactive and self.tracker.state != "due":
            self.ui.status(view(self._loop_state(now), _utc(now.wall)).text(clock=True))

    # --- start and finish ----------------------------------------------------------------

    def _greet(self) -> None:
        """Everything a first run needs: when, how, which keys, where the log is."""
        from glutewake.catalog import shortest_over

        timer = self.settings.timer
        first = _local(self.wall() + timer.sit)
        # A break lasts as long as its exercise: promise [timer] break only when one fits.
        shortest = shortest_over(self.picker.catalog, timer.break_)
        greeting = (
            _("glutewake: a break every {sit} of sitting, {length} each; the first at {at}")
            if shortest is None
            else _(
                "glutewake: a break every {sit} of sitting, {shortest} or more each (no "
                "exercise fits in [timer] break {length}); the first at {at}"
            )
        )
        self.ui.say(
            greeting.format(
                sit=format_duration(timer.sit),
                length=format_duration(timer.break_),
                shortest=format_duration(shortest or 0),
                at=f"{first:%H:%M}",
            )
        )
        desktop = self.notifier is not None and self.notifier.available
        if self.ui.interactive:
            how = (
                _("it comes as a desktop notification and here; keys: {keys}")
                if desktop
                else _("it comes here; keys: {keys}")
            )
            self.ui.say(how.format(keys=keys_list(format_duration(timer.snooze))))
        else:
            self.ui.say(
                _("it comes as a desktop notification; answer with glutewake done | snooze | skip")
                if desktop
                else _("it comes as a line here; answer with glutewake done | snooze | skip")
            )
        # Ctrl-C reaches only a loop in the foreground of its terminal (not `start &`).
        stop = _("Ctrl-C to stop") if self.ui.interactive else _("glutewake stop to stop")
        self.ui.say(
            _("log: {path} · a meeting? glutewake pause 1h · {stop}").format(
                path=self.store.path, stop=stop
            )
        )
        if self.notifier is not None and not self.notifier.available:
            self.ui.say(
                _("desktop notifications off: {why}; reminders show here").format(
                    why=self.notifier.reason
                )
            )
            self._warned.add(f"notify:{self.notifier.reason}")  # said once is enough
        if self.idle is None and self.settings.idle.backend != "off":
            self.ui.say(_("idle time unavailable here: natural breaks are not detected"))

    def _finish(self) -> None:
        now = self._now()
        self._carry_out(self.tracker.stop(now))
        tail = round(self.tracker.seated_s)  # the open stretch (a missed break's included)
        carried = min(tail, self.tracker.carried_s)
        self.tally.close(tail, carried)
        self._write(
            "session end",
            lambda: self.store.end_session(
                self.session_id, ended_at=_utc(now.wall), seated_s=tail, carried_s=carried
            ),
        )
        self._write("state", lambda: self.channel.clear_state(self.pid))
        if self.notifier is not None:
            self.notifier.shutdown()  # closes the notification: nobody is left to answer it


def boot_clock() -> Callable[[], float] | None:
    """The clock that counts suspended time, where the platform has one (Linux)."""
    clock_id = getattr(time, "CLOCK_BOOTTIME", None)
    if clock_id is None:
        return None
    return partial(time.clock_gettime, clock_id)


def _utc(wall: float) -> datetime:
    return datetime.fromtimestamp(wall, tz=timezone.utc)


def _file_stamp(path: Path) -> tuple[int, int] | None:
    """What tells an edited file apart: modification time and size; None if it is gone."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _changes(old: Settings, new: Settings) -> list[str]:
    """What changed, in words: "[timer] sit 30m → 45m", "[exercises]"."""
    changes = []
    for key in old.timer._fields:
        before, after = getattr(old.timer, key), getattr(new.timer, key)
        if before != after:
            shown = format_duration if key != "max_snoozes" else str
            name = key.rstrip("_")
            changes.append(f"[timer] {name} {shown(before)} → {shown(after)}")
    for section in ("schedule", "notify", "exercises", "goals"):
        if getattr(old, section) != getattr(new, section):
            changes.append(f"[{section}]")
    return changes


def _local(wall: float) -> datetime:
    # From the injected wall clock, so a test's time is the schedule's time too.
    return datetime.fromtimestamp(wall).astimezone()


class _Signals:
    """TERM, HUP and INT end the loop the way Ctrl-C always did, at any moment, with
    two exceptions: once stopping has begun, further signals (Ctrl-C twice, TERM then
    HUP, the hang-up after the terminal already failed) are ignored so the stop runs to
    its end; and inside `shielded()` a signal waits until the block is over, so no step
    is left half done (a session begun but not known to be)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.signalled = False
        self.stopping = False
        self._shielded = 0
        self._pending = False

    def handle(self, signum: int, frame: object) -> None:
        self.signalled = True
        if self.stopping:
            return
        if self._shielded:
            self._pending = True
            return
        self.stopping = True
        raise Stop

    @contextmanager
    def shielded(self) -> Iterator[None]:
        self._shielded += 1
        try:
            yield
        finally:
            self._shielded -= 1
        if not self._shielded and self._pending and not self.stopping:
            self._pending = False
            self.stopping = True
            raise Stop


# The process's one loop and its signal handlers share this.
SIGNALS = _Signals()


@contextmanager
def _signals_stop_the_loop() -> Iterator[None]:
    SIGNALS.reset()
    names = ("SIGTERM", "SIGHUP", "SIGINT")
    saved = {
        n: signal.signal(getattr(signal, n), SIGNALS.handle) for n in names if hasattr(signal, n)
    }
    try:
        yield
    finally:
        for name, handler in saved.items():
            # Stopped by a signal, the process is on its way out: one more (TERM then
            # HUP) must not kill it with the default action now.
            signal.signal(getattr(signal, name), signal.SIG_IGN if SIGNALS.signalled else handler)


def run(
    settings: Settings,
    catalog: Catalog,
    *,
    db_path: Path,
    lock_path: Path,
    env: Mapping[str, str],
    desktop: bool,
    out: TextIO | None = sys.stdout,
    inp: TextIO | None = sys.stdin,
    config: tuple[Path, Callable[[], Settings]] | None = None,
) -> Tally:
    """`glutewake start`: take the lock, open the log, and remind until stopped.

    `config`: the config file and how to read it again; an edit reaches the loop."""
    pid = os.getpid()
    tally = Tally()
    with _signals_stop_the_loop():
        try:
            since = _local(time.time())
            lock = LoopLock(lock_path)
            lock.acquire(pid, since, db_path)
            # One loop per log too: two data folders whose configs name the same log.
            log_lock = LoopLock(
                db_path.with_name(db_path.name + ".lock"),
                what=_("log {path}").format(path=db_path),
            )
            try:
                log_lock.acquire(pid, since, db_path)
                with Store.open(db_path) as store:
                    lock.note_log(store.identity)
                    tally = _remind(
                        settings,
                        catalog,
                        store,
                        env,
                        desktop,
                        out,
                        inp,
                        pid,
                        lock_path,
                        since,
                        config,
                    )
            finally:
                log_lock.release()
                lock.release()
        except Stop:
            pass  # stopped while starting up: nothing was begun, nothing to end
    return tally


def _remind(
    settings: Settings,
    catalog: Catalog,
    store: Store,
    env: Mapping[str, str],
    desktop: bool,
    out: TextIO | None,
    inp: TextIO | None,
    pid: int,
    lock_path: Path,
    since: datetime,
    config: tuple[Path, Callable[[], Settings]] | None = None,
) -> Tally:
    from glutewake.busy import open_watch
    from glutewake.channel import Wakeup, wake_path
    from glutewake.idle import X11Reader, open_reader
    from glutewake.notify import open_notifier

    notifier = open_notifier(env, enabled=desktop and settings.notify.desktop)
    idle = open_reader(settings.idle.backend, env)
    # Opens nothing yet: each detector connects when a break first falls due.
    quiet = settings.quiet
    watch = None
    if quiet.when and quiet.max_hold > 0:
        x11 = idle if isinstance(idle, X11Reader) else None
        watch = open_watch(quiet.when, env, x11=x11)
    wakeup = Wakeup.open(wake_path(lock_path))
    loop: Loop | None = None
    backend = settings.idle.backend
    try:
        with make_ui(out, inp) as ui:
            loop = Loop(
                settings=settings,
                catalog=catalog,
                store=store,
                notifier=notifier,
                idle=idle,
                ui=ui,
                pid=pid,
                busy=watch,
                wakeup=wakeup,
                commands_since=since,
                open_idle=None if backend == "off" else partial(open_reader, backend, env),
                config=config,
            )
            return loop.run()
    finally:
        if watch is not None:
            watch.close()
        if loop is not None and loop.idle is not None and loop.idle is not idle:
            loop.idle.close()  # opened later, by the loop
        if idle is not None:
            idle.close()
        if wakeup is not None:
            wakeup.close()
        notifier.shutdown()
