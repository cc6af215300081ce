"""The channel to the running loop: its state row and the commands table, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from glutewake.channel import Channel, Command, Inbox, LoopState
from glutewake.store import Store
from storetools import utc


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "glutewake.db"


def state(**changes: object) -> LoopState:
    values: dict[str, object] = {
        "pid": 1234,
        "session_id": 1,
        "started_at": utc(2024, 5, 1, 8, 0),
        "state": "seated",
        "since": utc(2024, 5, 1, 8, 30),
        "updated_at": utc(2024, 5, 1, 8, 45, 12),
        "seated_s": 900,
        "clock_running": True,
        "next_at": utc(2024, 5, 1, 9, 15),
    }
    values.update(changes)
    return LoopState(**values)  # type: ignore[arg-type]


def test_loop_state_round_trips_and_is_cleared_only_by_its_own_pid(db):
    with Store.open(db) as store:
        channel = Channel(store)
        assert channel.read_state() is None
        first = state(exercise_id="clamshell", exercise_name="Clamshell", snoozes=1)
        channel.write_state(first)
        assert channel.read_state() == first
        second = state(state="paused", clock_running=False, next_at=None)
        channel.write_state(second)
        assert channel.read_state() == second
        channel.clear_state(pid=9999)
        assert channel.read_state() == second
        channel.clear_state(pid=1234)
        assert channel.read_state() is None


def test_commands_flow_oldest_first_after_an_id(db):
    with Store.open(db) as one, Store.open(db) as two:
        loop, other = Channel(one), Channel(two)
        assert loop.last_command_id() == 0
        start = loop.last_command_id()
        first = other.send_command("snooze", "3m", utc(2024, 5, 1, 9))
        second = other.send_command("done", None, utc(2024, 5, 1, 9, 1))
        assert loop.commands_after(start) == [
            Command(first, utc(2024, 5, 1, 9), "snooze", "3m"),
            Command(second, utc(2024, 5, 1, 9, 1), "done", None),
        ]
        assert loop.commands_after(first) == [Command(second, utc(2024, 5, 1, 9, 1), "done", None)]
        assert loop.last_command_id() == second


def test_data_version_changes_when_another_connection_commits(db):
    with Store.open(db) as one, Store.open(db) as two:
        loop, other = Channel(one), Channel(two)
        before = loop.data_version()
        assert loop.data_version() == before
        other.send_command("pause", None, utc(2024, 5, 1, 9))
        assert loop.data_version() != before


def test_a_command_unknown_to_the_log_has_no_result(db):
    with Store.open(db) as store:
        channel = Channel(store)
        assert channel.command_result(42) is None
        sent = channel.send_command("snooze", "300", utc(2024, 5, 1, 9))
        channel.answer_command(sent, "no break is due", utc(2024, 5, 1, 9))
        assert channel.command_result(sent) == "no break is due"


def test_the_inbox_sees_only_commands_sent_after_it_opened_each_once(db):
    with Store.open(db) as one, Store.open(db) as two:
        loop, other = Channel(one), Channel(two)
        other.send_command("pause", None, utc(2024, 5, 1, 8))
        inbox = Inbox(loop)
        assert inbox.new() == []
        sent = other.send_command("snooze", "300", utc(2024, 5, 1, 9))
        assert [c.id for c in inbox.new()] == [sent]
        assert inbox.new() == []
