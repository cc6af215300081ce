"""The channel to the running loop: its state row and the commands table, on real files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from glutewake.channel import Channel, Command, Inbox, LoopState, Wakeup, ring, wake_path
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


def test_the_inbox_answers_commands_sent_while_the_loop_was_starting(db):
    # The sender finds the loop by its lock: a command sent after the lock was taken but
    # before the loop opened its inbox is the loop's, and must not be skipped.
    with Store.open(db) as one, Store.open(db) as two:
        loop, other = Channel(one), Channel(two)
        other.send_command("pause", None, utc(2024, 5, 1, 7, 59))  # an earlier loop's
        early = [other.send_command("snooze", None, utc(2024, 5, 1, 8, 0, n)) for n in (0, 1)]
        inbox = Inbox(loop, since=utc(2024, 5, 1, 8))
        assert [c.id for c in inbox.new()] == early
        assert inbox.new() == []


class FailingOnce(Channel):
    """A real channel whose next read of the commands table fails, as a locked or
    unreadable log makes it fail."""

    fail = False

    def commands_after(self, command_id: int) -> list[Command]:
        if self.fail:
            self.fail = False
            from glutewake.errors import StoreError

            raise StoreError("glutewake.db: database is locked")
        return super().commands_after(command_id)


def test_a_failed_read_of_the_commands_loses_no_command(db):
    from glutewake.errors import StoreError

    with Store.open(db) as one, Store.open(db) as two:
        loop, other = FailingOnce(one), Channel(two)
        inbox = Inbox(loop)
        assert inbox.new() == []
        sent = other.send_command("skip", None, utc(2024, 5, 1, 9))
        loop.fail = True
        with pytest.raises(StoreError):
            inbox.new()
        # Nobody wrote since: the command is still read, not taken as "nothing new".
        assert [c.id for c in inbox.new()] == [sent]
        assert inbox.new() == []


# --- the doorbell -------------------------------------------------------------------------


def test_a_ring_wakes_the_loop_once_and_nobody_listening_is_fine(tmp_path: Path) -> None:
    import select

    path = wake_path(tmp_path / "glutewake.lock")
    assert path.name == "glutewake.wake"
    ring(path)  # no doorbell yet: nothing happens
    bell = Wakeup.open(path)
    assert bell is not None
    try:
        assert select.select([bell.fileno()], [], [], 0)[0] == []
        ring(path)
        ring(path)
        assert select.select([bell.fileno()], [], [], 1)[0] == [bell.fileno()]
        assert bell.drain() is True
        assert bell.drain() is False
        # The loop holds it open read-write: no end-of-file after a sender closes.
        assert select.select([bell.fileno()], [], [], 0)[0] == []
    finally:
        bell.close()
    ring(path)  # a FIFO nobody reads: no error, no blocking
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_in_the_doorbells_place_is_neither_used_nor_written(tmp_path: Path) -> None:
    path = wake_path(tmp_path / "glutewake.lock")
    path.write_text("mine")
    assert Wakeup.open(path) is None  # the loop falls back to polling
    ring(path)
    assert path.read_text() == "mine"


def test_prune_deletes_only_commands_answered_before_the_cutoff(db):
    with Store.open(db) as store:
        channel = Channel(store)
        old = channel.send_command("done", None, utc(2024, 5, 1, 8))
        channel.answer_command(old, "ok", utc(2024, 5, 1, 8))
        recent = channel.send_command("skip", None, utc(2024, 5, 1, 10))
        channel.answer_command(recent, "ok", utc(2024, 5, 1, 10))
        waiting = channel.send_command("snooze", None, utc(2024, 5, 1, 7))
        channel.prune(before=utc(2024, 5, 1, 9))
        assert [c.id for c in channel.commands_after(0)] == [recent, waiting]
        assert channel.command_result(old) is None
