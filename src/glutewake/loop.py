"""The real loop around the tracker: clocks, keys, idle time, notifications, the log.

It sleeps until something can happen (the next deadline, a key press, an idle poll,
a command from another terminal ringing its doorbell, a notification button, the 1 s
status refresh on a TTY), feeds the tracker, and carries out its actions. Any failure to
record is reported and the reminders go on.

What it carries out lives beside it, by concern: the desktop notification kept in step
(notesync.py), the lines it says and the session tally (session.py), the guided break
(guided.py), the signals that stop it (stopping.py), the process `glutewake start` runs
around it (remind.py). What stays is over the usual length because it is one class: the
wait and the dispatch share its clocks and timers (when to poll idle time, commands, the
config file) and read best together.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glutewake import guided, notesync, schedule, session
from glutewake.channel import COMMAND_POLL_S, KEEP_ANSWERED_S, Channel, Command, Inbox, LoopState
from glutewake.durations import format_duration
from glutewake.errors import GlutewakeError, StoreError
from glutewake.i18n import N_, _
from glutewake.session import Tally
from glutewake.status import local_at, utc_at, view
from glutewake.stopping import SIGNALS, Stop
from glutewake.store import EventRecord, Store, StoreMoved
from glutewake.terminal import PlainUI
from glutewake.tracker import (
    Action,
    BreakLogged,
    BreakStarted,
    BusyCheck,
    EventLogged,
    Notice,
    Now,
    Prompt,
    Snapshot,
    Tracker,
)

if TYPE_CHECKING:
    from glutewake.catalog import Catalog
    from glutewake.channel import Wakeup
    from glutewake.config import Settings
    from glutewake.idle import IdleReader
    from glutewake.notify import Notifier
    from glutewake.player import Player

__all__ = ["COMMAND_POLL_S", "Loop"]
# The longest the loop sleeps even with nothing to do; keeps wall-clock jumps (suspend)
# and schedule edges noticed promptly without costing anything measurable.
MAX_SLEEP_S = 30.0
# An idle source unavailable at start (or never opened) is tried again this often.
IDLE_REOPEN_S = 60.0
# How often, at most, the loop looks whether its config file changed (one stat). It looks
# when it wakes anyway (every second on a terminal, at least every MAX_SLEEP_S without
# one): no wake-up of its own, which the wake-up budget would see (bench/README.md).
CONFIG_CHECK_S = 2.0
# So an edit saved longer ago than this has been read by a running loop (`config check`).
CONFIG_TAKEN_WITHIN_S = MAX_SLEEP_S + CONFIG_CHECK_S
# Sections a running loop cannot take over: opened once at start.
_RESTART_SECTIONS = ("idle", "quiet", "log", "ui")
# The longest a `glutewake warmup` holds the sitting clock (its own plan says less).
WARMUP_HOLD_MAX_S = 3600
# Away, idle time is read this often to notice the return (it says "welcome back").
AWAY_POLL_S = 10.0

# What _write failed to record, in words (translated where shown).
WRITE_WHAT = {
    "break": N_("break"),
    "event": N_("event"),
    "state": N_("state"),
    "answer": N_("answer"),
    "old commands": N_("old commands"),
    "session end": N_("session end"),
}


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
        self.started = utc_at(wall())
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
            prune_before = utc_at(self.wall() - KEEP_ANSWERED_S)
            self._write("old commands", lambda: self.channel.prune(prune_before))
            session.greet(self)
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
        notesync.take_note_answers(self)
        now = self._now()
        guided.guide(self, now)
        self._reload_config(now)
        self._carry_out(self.tracker.tick(now, self._poll_idle(now), self._on_schedule()))
        notesync.heads_up(self, now)
        notesync.sync_note(self, now)
        self._save_state(now)
        self._refresh_status(now)
        key = self.ui.wait(self._sleep_for(self._now()), self._watch())
        if key is not None:
            self._key(key, self._now())
            notesync.sync_note(self, self._now())

    def _key(self, key: str, now: Now) -> None:
        if self.player is None:
            self._carry_out(self.tracker.answer(key, now, via="terminal"))
        elif key == "done":  # Enter, during a guided break
            guided.tell(self, self.player.enter(now.mono))
            guided.guide(self, now)
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
            if (
                notesync.warn_s(self)
                and self._warned_for is None
                and self.tracker.state == "seated"
            ):
                wake.append(deadline - notesync.warn_s(self))
        if self.player is not None:
            redraw = self.player.next_change(now.mono)
            if redraw is not None:
                wake.append(redraw)
        if self.settings.schedule.enabled:
            change = schedule.next_change(self.settings.schedule, local_at(now.wall))
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
        return schedule.is_open(self.settings.schedule, local_at(self.wall()))

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
        # The next idle read was planned with the old natural_break: read now and plan
        # again, or an absence shorter than the old plan goes unnoticed.
        self._next_idle_poll = now.mono
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
            # A warm-up stopped early is done with, but not what its sender asked for: a
            # break. Its answer says why, as a refusal does.
            refused = [
                a.detail
                for a in actions
                if isinstance(a, Notice) and a.kind in ("refused", "warmup_short")
            ]
            # The notification and the state first: a sender that sees "ok" then finds
            # the notification answered and reads the state it led to.
            notesync.sync_note(self, self._now())
            self._save_state(self._now(), force=True)
            result = refused[0] if refused else "ok"
            answered_at = utc_at(self.wall())
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
            handlers["done"] = lambda: guided.end_guided(self, now)
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
                session.prompt(self, action)
            elif isinstance(action, BreakStarted):
                guided.start_guide(self, action)
            elif isinstance(action, BreakLogged):
                session.record_break(self, action)
            elif isinstance(action, EventLogged):
                event = EventRecord(
                    kind=action.kind,
                    at=utc_at(action.at),
                    seconds=action.seconds,
                    detail=action.detail,
                    session_id=self.session_id,
                )
                self._write("event", partial(self.store.add_event, event))
            elif isinstance(action, Notice):
                session.notice(self, action)

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
            state = self._loop_state(now, snap)
            if not self._write("state", partial(self.channel.write_state, state)):
                self._last_state = None  # not written: try again at the next wake-up

    def _loop_state(self, now: Now, snap: Snapshot | None = None) -> LoopState:
        if snap is None:  # the writer passes the snapshot its change key was built from
            snap = self.tracker.snapshot()
        next_at = None
        if snap.next_mono is not None:
            next_at = utc_at(now.wall + (snap.next_mono - now.mono))
        elif snap.state == "off_schedule":
            change = schedule.next_change(self.settings.schedule, local_at(now.wall))
            next_at = change.astimezone(timezone.utc) if change else None
        return LoopState(
            pid=self.pid,
            session_id=self.session_id,
            started_at=self.started,
            state=snap.state,
            since=utc_at(snap.since),
            updated_at=utc_at(now.wall),
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
            self.ui.status(view(self._loop_state(now), utc_at(now.wall)).text(clock=True))

    # --- start and finish ----------------------------------------------------------------

    def _finish(self) -> None:
        now = self._now()
        self._carry_out(self.tracker.stop(now))
        tail = round(self.tracker.seated_s)  # the open stretch (a missed break's included)
        carried = min(tail, self.tracker.carried_s)
        self.tally.close(tail, carried)
        self._write(
            "session end",
            lambda: self.store.end_session(
                self.session_id, ended_at=utc_at(now.wall), seated_s=tail, carried_s=carried
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
