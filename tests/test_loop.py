"""The loop adapter, in-process: a real SQLite file, injected clocks, scripted keys."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from glutewake.channel import Channel
from glutewake.durations import format_duration
from glutewake.errors import StoreError
from glutewake.loop import COMMAND_POLL_S
from glutewake.store import Store
from scripted import T0, Clock, Script, ScriptedUI, all_breaks, make_loop, settings


def test_a_day_in_fast_forward(tmp_path: Path) -> None:
    clock = Clock()
    ui = ScriptedUI(clock, {105.0: "done", 230.0: "skip"}, until=400)
    with Store.open(tmp_path / "g.db") as store:
        tally = make_loop(store, ui, clock).run()
        assert all_breaks(store) == [("done", 105), ("skipped", 115), ("missed", 160)]
        assert Channel(store).read_state() is None
    # Seated: the three breaks' stretches, and the one still open when Ctrl-C came.
    seated = format_duration(105 + 115 + 160 + round(clock.t - 390))
    assert tally.line() == f"session: 1 done, 1 skipped, 1 missed · seated {seated}"
    assert "break due: " in ui.text and "done: " in ui.text and "missed: " in ui.text
    # Sleeps only until something can happen: never a busy loop, never more than 30 s.
    assert min(ui.waits) >= 0.02 and max(ui.waits) <= 30


def test_the_loop_sleeps_long_when_nothing_happens(tmp_path: Path) -> None:
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=3600)
    with Store.open(tmp_path / "g.db") as store:
        make_loop(store, ui, clock, settings(sit=7200)).run()
    # Woken for commands every COMMAND_POLL_S and nothing else: ~32 wake-ups a minute.
    assert len(ui.waits) <= 3600 / COMMAND_POLL_S + 5


def test_a_locked_database_at_start_is_refused_with_the_message(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    clock = Clock()
    with Store.open(path, timeout=0.1) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        loop = make_loop(store, ScriptedUI(clock, {}, until=10), clock)
        with pytest.raises(StoreError, match=r"g\.db.*locked"):
            loop.run()
        blocker.execute("ROLLBACK")
        blocker.close()


def test_a_failing_write_is_reported_and_reminders_go_on(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    clock = Clock()
    blocker = sqlite3.connect(path, isolation_level=None)
    script: Script = {
        50.0: lambda: blocker.execute("BEGIN EXCLUSIVE"),  # another process holds the file
        105.0: "done",  # this break cannot be written
        150.0: lambda: blocker.execute("ROLLBACK"),
        230.0: "done",  # the next one is prompted and written
    }
    ui = ScriptedUI(clock, script, until=300)
    with Store.open(path, timeout=0.02) as store:
        make_loop(store, ui, clock).run()
        assert [(o, s) for o, s in all_breaks(store)] == [("done", 115)]
    blocker.close()
    assert "warning: could not record the break: " in ui.text
    assert "(reminders go on)" in ui.text
    assert ui.text.count("break due: ") == 2


class FixedIdle:
    """An idle source that always reads the same: the user is away, but not for long."""

    name = "fixed"

    def __init__(self, seconds: float) -> None:
        self.value, self.reads = seconds, 0

    def seconds(self) -> float:
        self.reads += 1
        return self.value

    def close(self) -> None:
        return None


def test_a_break_held_while_away_does_not_spin(tmp_path: Path) -> None:
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=400)
    idle = FixedIdle(40.0)  # away for 40 s: more than the hold, less than natural_break
    with Store.open(tmp_path / "g.db") as store:
        loop = make_loop(store, ui, clock)
        loop.idle = idle
        loop.run()
    assert "break due" not in ui.text  # held back the whole time
    # 300 s held: woken by the command poll and the idle poll (5 s), not in a loop.
    assert len(ui.waits) < 400 / COMMAND_POLL_S + 400 / 5 + 10
    assert idle.reads < 400 / 5 + 10


def test_the_schedule_reads_the_injected_wall_clock(tmp_path: Path) -> None:
    from datetime import time

    from glutewake.config import ScheduleSettings
    from glutewake.vocab import WEEKDAYS

    # Closed all day on the injected clock's weekday, open on every other: a loop that
    # read the real clock instead would (on most days) prompt a break.
    closed_day = WEEKDAYS[datetime.fromtimestamp(T0).astimezone().weekday()]
    days = tuple(d for d in WEEKDAYS if d != closed_day)
    hours = ScheduleSettings(enabled=True, days=days, start=time(0, 0), end=time(23, 59))
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=400)
    with Store.open(tmp_path / "g.db") as store:
        make_loop(store, ui, clock, settings()._replace(schedule=hours)).run()
    assert "outside working hours" in ui.text
    assert "break due" not in ui.text


def test_the_keys_help_and_the_key_map_come_from_one_table() -> None:
    from glutewake.terminal import _KEYMAP, ANSWER_KEYS, keys_help

    assert keys_help("5m") == "[Enter] start  [s] snooze 5m  [n] another  [x] skip"
    assert keys_help("5m", can_snooze=False) == "[Enter] start  [n] another  [x] skip"
    assert {answer for answer in _KEYMAP.values()} == {k.answer for k in ANSWER_KEYS}
    assert _KEYMAP["\r"] == _KEYMAP["\n"] == "done"


def test_ctrl_c_on_a_due_break_logs_it_abandoned_not_missed(tmp_path: Path) -> None:
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=130)  # prompted at 100, Ctrl-C at 130
    with Store.open(tmp_path / "g.db") as store:
        tally = make_loop(store, ui, clock).run()
        assert [o for o, _ in all_breaks(store)] == ["abandoned"]
    assert "logged as abandoned, not missed" in ui.text
    assert "0 missed" in tally.line() and "1 abandoned" in tally.line()


class StepIdle:
    """Idle time read from a function of the fake clock."""

    name = "step"

    def __init__(self, clock: Clock, reading: Callable[[float], float]) -> None:
        self.clock, self.reading = clock, reading

    def seconds(self) -> float:
        return self.reading(self.clock.t)

    def close(self) -> None:
        return None


def test_a_natural_break_is_logged_on_return_with_the_real_absence(tmp_path: Path) -> None:
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=480)

    def idle(t: float) -> float:  # left at 40, back at 400 (and busy again from then on)
        return t - 40 if 40 <= t < 400 else min(2.0, max(0.0, t - 400))

    with Store.open(tmp_path / "g.db") as store:
        loop = make_loop(store, ui, clock, settings(natural_break=60))
        loop.idle = StepIdle(clock, idle)
        loop.run()
        start = datetime.fromtimestamp(T0, timezone.utc)
        rows = store.breaks_between(start, start + timedelta(hours=1))
        (natural,) = rows
    assert natural.outcome == "natural"
    assert 355 <= (natural.away_s or 0) <= 365  # not the 60 s it took to notice
    assert natural.answered_at is not None
    assert abs(natural.answered_at.timestamp() - (T0 + 400)) <= 5
    assert "that was a natural break" in ui.text


def test_a_command_sent_while_the_loop_starts_is_answered(tmp_path: Path) -> None:
    # Sent once the lock is taken (the loop's start), before the loop reads anything.
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=20)
    with Store.open(tmp_path / "g.db") as store:
        loop = make_loop(store, ui, clock)
        sent = Channel(store).send_command("pause", None, datetime.fromtimestamp(T0, timezone.utc))
        loop.run()
        assert Channel(store).command_result(sent) == "ok"
    assert "from another terminal: pause" in ui.text


def test_an_idle_source_missing_at_start_is_tried_again(tmp_path: Path) -> None:
    from glutewake.loop import IDLE_REOPEN_S

    clock = Clock()
    ui = ScriptedUI(clock, {}, until=IDLE_REOPEN_S + 80)
    opened: list[float] = []

    def open_idle() -> StepIdle | None:
        opened.append(clock.t)
        if clock.t < IDLE_REOPEN_S:
            return None  # no display yet
        return StepIdle(clock, lambda t: t - IDLE_REOPEN_S)  # nobody there since then

    with Store.open(tmp_path / "g.db") as store:
        loop = make_loop(store, ui, clock, settings(natural_break=60, sit=1000))
        loop.open_idle = open_idle
        loop.run()
    assert len(opened) == 2  # at start, then once a minute later: no storm
    assert "is available now" in ui.text
    assert loop.tracker.state == "away"  # the reader it opened late saw them go


class CountingIdle(StepIdle):
    def __init__(self, clock: Clock, reading: Callable[[float], float]) -> None:
        super().__init__(clock, reading)
        self.reads: list[float] = []

    def seconds(self) -> float:
        self.reads.append(self.clock.t)
        return super().seconds()


def test_at_rest_with_a_doorbell_the_loop_wakes_at_most_six_times_a_minute(
    tmp_path: Path,
) -> None:
    from glutewake.channel import Wakeup

    clock = Clock()
    ui = ScriptedUI(clock, {}, until=1800)
    idle = CountingIdle(clock, lambda t: t % 7)  # typing every few seconds: never away
    wakeup = Wakeup.open(tmp_path / "glutewake.wake")
    assert wakeup is not None
    try:
        with Store.open(tmp_path / "g.db") as store:
            loop = make_loop(store, ui, clock, settings(sit=3600, natural_break=300))
            loop.idle, loop.wakeup = idle, wakeup
            loop.run()
    finally:
        wakeup.close()
    assert len(ui.waits) <= 6 * 30  # 30 minutes, nothing due, no terminal
    # Idle time is read when natural_break could first be crossed, not every few seconds.
    assert len(idle.reads) <= 1800 / (300 - 7) + 3
    assert "break due" not in ui.text


def test_an_absence_is_still_noticed_when_it_crosses_natural_break(tmp_path: Path) -> None:
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=600)
    idle = CountingIdle(clock, lambda t: t - 100 if t >= 100 else 0.0)  # gone at 100
    with Store.open(tmp_path / "g.db") as store:
        loop = make_loop(store, ui, clock, settings(sit=3600, natural_break=120))
        loop.idle = idle
        loop.run()
    # Noticed within a second or so of the threshold (220), though read only a few times.
    away = [t for t in idle.reads if t >= 220]
    assert away and away[0] <= 222
    assert len([t for t in idle.reads if t < 220]) <= 4


def test_a_snoozed_break_is_taken_with_enter_or_skipped_from_another_terminal(
    tmp_path: Path,
) -> None:
    clock = Clock()
    script: Script = {101.0: "snooze", 110.0: "done"}  # Enter while it is snoozed
    ui = ScriptedUI(clock, script, until=150)
    with Store.open(tmp_path / "g.db") as store:
        make_loop(store, ui, clock, settings(break_=5)).run()
        assert all_breaks(store)[0][0] == "done"
    assert "not now" not in ui.text
    clock = Clock()
    with Store.open(tmp_path / "h.db") as store, Store.open(tmp_path / "h.db") as other:
        channel = Channel(other)  # another terminal: its own connection

        def skip_from_another_terminal() -> None:
            channel.send_command("skip", None, datetime.fromtimestamp(clock.wall(), timezone.utc))

        ui = ScriptedUI(clock, {101.0: "snooze", 105.0: skip_from_another_terminal}, until=150)
        make_loop(store, ui, clock).run()
        assert [o for o, _ in all_breaks(store)] == ["skipped"]
    assert "already snoozed" not in ui.text


def test_an_edited_config_reaches_the_running_loop(tmp_path: Path) -> None:
    import os

    from glutewake.config import load

    path = tmp_path / "config.toml"
    path.write_text('[timer]\nsit = "100s"\n')

    def edit(text: str) -> Callable[[], None]:
        def write() -> None:
            path.write_text(text)
            os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # a later edit

        return write

    clock = Clock()
    script: Script = {
        50.0: edit('[timer]\nsit = "200s"\n'),
        120.0: edit("[timer\n"),  # broken mid-edit: the loop keeps what it has
    }
    ui = ScriptedUI(clock, script, until=210)
    with Store.open(tmp_path / "g.db") as store:
        loop = make_loop(store, ui, clock, load(path))
        loop.config = (path, lambda: load(path))
        loop.run()
    text = ui.text
    assert "config reloaded: [timer] sit 1m40s → 3m20s" in text
    assert "config not reloaded: " in text and "the loop keeps its settings" in text
    # Due at 200 s of sitting, not at 100.
    due = [line for line in text.splitlines() if "break due" in line]
    assert len(due) == 1 and loop.tracker.timer.sit == 200


@pytest.mark.skipif(not hasattr(time, "CLOCK_BOOTTIME"), reason="CLOCK_BOOTTIME is Linux only")
def test_the_real_loop_tells_suspends_by_the_clock_that_counts_them(tmp_path: Path) -> None:
    """With the system's clocks, a wall-clock step (NTP, a manual set) is not a suspend:
    the loop reads CLOCK_BOOTTIME beside them. Injected clocks get none unless given."""
    from glutewake.catalog import build_catalog
    from glutewake.loop import Loop
    from scripted import SHORT

    with Store.open(tmp_path / "g.db") as store:
        real = Loop(
            settings=settings(),
            catalog=build_catalog(SHORT),
            store=store,
            notifier=None,
            idle=None,
            ui=ScriptedUI(Clock(), {}, until=0),
            pid=4242,
        )
        assert real.boot is not None
        before = time.clock_gettime(time.CLOCK_BOOTTIME)
        assert before <= real.boot() <= time.clock_gettime(time.CLOCK_BOOTTIME)
        clock = Clock()
        assert make_loop(store, ScriptedUI(clock, {}, until=0), clock).boot is None


def test_a_reload_that_shortens_natural_break_plans_the_idle_reads_again(
    tmp_path: Path,
) -> None:
    import os

    from glutewake.config import load

    path = tmp_path / "config.toml"
    path.write_text('[timer]\nsit = "1h"\nnatural_break = "3m"\n')

    def shorten() -> None:
        path.write_text('[timer]\nsit = "1h"\nnatural_break = "40s"\n')
        os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # a later edit

    def reading(t: float) -> float:  # typing, away from 60 to 130 (70 s), typing again
        if 60 <= t < 130:
            return t - 60
        return t % 7 if t < 60 else (t - 130) % 7

    clock = Clock()
    ui = ScriptedUI(clock, {50.0: shorten}, until=300)
    with Store.open(tmp_path / "g.db") as store:
        loop = make_loop(store, ui, clock, load(path))
        loop.config = (path, lambda: load(path))
        loop.idle = CountingIdle(clock, reading)
        loop.run()
        assert [o for o, _ in all_breaks(store)] == ["natural"]
    assert "config reloaded: [timer] natural_break 3m → 40s" in ui.text
