"""What the loop is doing, in words: derived from its last written state and the clock.

The loop writes its state only when it changes; live figures (seated for, break in)
are computed here from that row and `now`, so the text is the same whether the
loop draws its own status line or `glutewake status` runs in another terminal.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from glutewake.durations import format_clock, format_short
from glutewake.i18n import N_, _, format_day, weekday
from glutewake.text import one_line

DAY_S = 86_400

if TYPE_CHECKING:
    from collections.abc import Callable

    from glutewake.channel import LoopState

# What a held break waits for (busy.py's detectors), as the status line says it.
HELD_FOR = {
    "dnd": N_("do not disturb"),
    "fullscreen": N_("full screen"),
    "camera": N_("in a call"),
    "microphone": N_("in a call"),
    "warmup": N_("a warm-up"),
}


def held_for(reason: str) -> str:
    """Why a break is held, in words: "in a call"."""
    return _(HELD_FOR[reason]) if reason in HELD_FOR else reason


class StatusView(NamedTuple):
    state: str
    pid: int
    started_at: datetime
    since: datetime
    seated_s: int
    next_at: datetime | None
    next_in_s: int | None
    exercise_id: str | None
    exercise_name: str | None
    snoozes: int
    snoozes_left: int
    # When this view was taken: a time on another day is shown with its day.
    now: datetime | None = None
    held: str | None = None  # a due break waits while the user is busy: the detector

    def text(self, clock: bool = False) -> str:
        """One line: "seated 23m · break in 22m"; clock=True gives 23:12 · 21:48 figures."""
        dur = format_clock if clock else format_short
        seated, left = dur(self.seated_s), dur(self.next_in_s or 0)
        # The name comes from the log, perhaps written by an older version: no escapes.
        name = one_line(self.exercise_name) if self.exercise_name else _("a break")
        if self.held and self.state in ("seated", "snoozed"):
            return _("held: {reason} · break when it ends").format(reason=held_for(self.held))
        if self.state == "seated" and self.next_at is None:
            # held while away
            return _("seated {seated} · break due when you are back").format(seated=seated)
        if self.state == "seated" and self._far():
            return _("seated {seated} · break at {time}").format(
                seated=seated, time=self._at(self.next_at, True)
            )
        if self.state == "seated":
            return _("seated {seated} · break in {left}").format(seated=seated, left=left)
        if self.state == "due" and not self.snoozes_left:
            return _("break due: {name} — answer with glutewake done|skip").format(name=name)
        if self.state == "due":
            return _("break due: {name} — answer with glutewake done|snooze|skip").format(name=name)
        if self.state == "snoozed" and self.next_at is None:
            # Held while away: it comes back when they do, not "in 0s".
            return _("snoozed {name}: back when you are · seated {seated}").format(
                name=name, seated=seated
            )
        if self.state == "snoozed" and self._far():
            return _("snoozed {name}: back at {time} · seated {seated}").format(
                name=name, time=self._at(self.next_at, True), seated=seated
            )
        if self.state == "snoozed":
            return _("snoozed {name}: back in {left} · seated {seated}").format(
                name=name, left=left, seated=seated
            )
        if self.state == "break":
            return _("on a break: {name} · back to sitting in {left}").format(name=name, left=left)
        if self.state == "paused" and self.held == "warmup" and self.exercise_name:
            return _(
                "warm-up under way: the sitting clock waits until it ends; "
                "{name} put off until then"
            ).format(name=name)
        if self.state == "paused" and self.held == "warmup":
            return _("warm-up under way: the sitting clock waits until it ends")
        if self.state == "paused" and self.exercise_name:
            # A break was on screen: it waits, and says so.
            return _("{pause} · {name} put off until the pause ends").format(
                pause=self._paused(dur), name=name
            )
        if self.state == "paused":
            return self._paused(dur)
        if self.state == "standing" and self.exercise_name:
            return _("standing since {time} · {name} put off until you sit").format(
                time=self._at(self.since), name=name
            )
        if self.state == "standing":
            return _("standing since {time} · seated {seated} so far").format(
                time=self._at(self.since), seated=seated
            )
        if self.state == "away":
            return _("away since {time} (a natural break)").format(time=self._at(self.since))
        if self.state == "off_schedule":
            if self.next_at:
                return _("off schedule until {time}").format(time=self._at(self.next_at, True))
            return _("off schedule until the schedule opens")
        return self.state

    def _paused(self, dur: Callable[[float], str]) -> str:
        """ "paused for 42m · until 14:00", and the like."""
        # How long so far: a pause with no end is easy to forget.
        lasted = (self.now - self.since).total_seconds() if self.now else 0.0
        # Just begun (the reply to `glutewake pause`): "for 0s" says nothing.
        paused = dur(lasted) if lasted >= 60 else None
        if self.next_at and paused:
            return _("paused for {paused} · until {time}").format(
                paused=paused, time=self._at(self.next_at)
            )
        if self.next_at:
            return _("paused · until {time}").format(time=self._at(self.next_at))
        if paused:
            return _("paused for {paused} · until glutewake resume").format(paused=paused)
        return _("paused until glutewake resume")

    def _far(self) -> bool:
        """A day or more away: "at Thu 14:00" reads better than "in 30h00m"."""
        return self.next_at is not None and (self.next_in_s or 0) >= DAY_S

    def _at(self, when: datetime | None, with_day: bool = False) -> str:
        return clock_at(when, self.now, with_day)

    def short(self) -> str:
        """A few characters for a tmux status bar or a shell prompt."""
        seated, left = format_short(self.seated_s), format_short(self.next_in_s or 0)
        if self.held and self.state in ("seated", "snoozed"):
            return f"🤫{seated}"
        return {
            "seated": f"🪑{seated} ⏳{left}" if self.next_at else f"🪑{seated} 🍑",
            "due": _("🍑 break!"),
            "snoozed": f"💤{left}" if self.next_at else "💤",
            "break": f"🍑{left}",
            "paused": "⏸",
            "standing": "🧍",
            "away": "🚶",
            "off_schedule": "🌙",
        }.get(self.state, self.state)

    def as_dict(self) -> dict[str, Any]:
        return {
            "running": True,
            "state": self.state,
            "pid": self.pid,
            "started_at": self.started_at.isoformat(),
            "since": self.since.isoformat(),
            "seated_s": self.seated_s,
            "next_at": self.next_at.isoformat() if self.next_at else None,
            "next_in_s": self.next_in_s,
            "exercise_id": self.exercise_id,
            "exercise_name": self.exercise_name,
            "snoozes": self.snoozes,
            "snoozes_left": self.snoozes_left,
            "held": self.held,
            "text": self.text(),
        }


def view(state: LoopState, now: datetime) -> StatusView:
    elapsed = max(0.0, (now - state.updated_at).total_seconds())
    seated = state.seated_s + (elapsed if state.clock_running else 0.0)
    next_in = None
    if state.next_at is not None:
        next_in = max(0, round((state.next_at - now).total_seconds()))
    return StatusView(
        state=state.state,
        pid=state.pid,
        started_at=state.started_at,
        since=state.since,
        seated_s=int(seated),
        next_at=state.next_at,
        next_in_s=next_in,
        exercise_id=state.exercise_id,
        exercise_name=state.exercise_name,
        snoozes=state.snoozes,
        snoozes_left=max(0, state.max_snoozes - state.snoozes),
        now=now,
        held=state.held,
    )


NOT_RUNNING = N_("not running")  # translated where shown


def clock_at(
    when: datetime | None, now: datetime | None, with_day: bool = False, seconds: bool = False
) -> str:
    """A time as people read it: "14:00" today, "Thu 14:00" on another day this week,
    and the date too beyond it; `seconds` for a time minutes away ("14:00:35")."""
    if when is None:
        return "-"
    local = when.astimezone()
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    if now is not None and local.date() != now.astimezone().date():
        far = abs((local - now).total_seconds()) > 6 * 86400
        day = format_day(local) if far else weekday(local)
        return f"{day} {clock}"
    return f"{weekday(local)} {clock}" if with_day else clock


def utc_at(wall: float) -> datetime:
    """A wall-clock reading (time.time()) as an aware UTC datetime."""
    return datetime.fromtimestamp(wall, tz=timezone.utc)


def local_at(wall: float) -> datetime:
    # From the injected wall clock, so a test's time is the schedule's time too.
    return datetime.fromtimestamp(wall).astimezone()
