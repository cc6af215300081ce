"""The desktop fixture itself: a real Xvfb, session bus and dunst, and nothing leaks."""

from __future__ import annotations

import os

import pytest

from desktop import PROGRAMS, FakeDBusService, start_desktop, stop_processes

pytestmark = pytest.mark.e2e


def test_notify_send_reaches_dunst(desktop, notifications):
    require("notify-send")
    desktop.run("notify-send", "-a", "fixture-test", "Stand up", "and stretch")
    [note] = notifications.wait(1)
    assert (note["appname"], note["summary"], note["body"]) == (
        "fixture-test",
        "Stand up",
        "and stretch",
    )


def test_notifications_come_oldest_first_and_only_once(desktop, notifications):
    require("notify-send")
    assert notifications() == []
    for n in range(3):
        desktop.run("notify-send", f"note {n}")
    assert [n["summary"] for n in notifications.wait(3)] == ["note 0", "note 1", "note 2"]
    assert len(notifications()) == 3


def test_env_names_the_private_display_and_bus(desktop):
    assert desktop.env == {
        "DISPLAY": desktop.display,
        "DBUS_SESSION_BUS_ADDRESS": desktop.bus_address,
    }
    assert desktop.display.startswith(":")
    # The test process itself stays off the desktop unless a test opts in.
    assert "DISPLAY" not in os.environ
    require("xprintidle")
    assert desktop.run("xprintidle").stdout.strip().isdigit()


def test_processes_are_stopped_by_pid(tmp_path):
    require(*PROGRAMS)
    session, processes = start_desktop(tmp_path)
    assert set(session.pids) == {"xvfb", "dbus", "dunst"}
    stop_processes(processes)
    for pid in session.pids.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_fake_service_answers_its_method_and_rejects_others(desktop):
    require("dbus-send")
    service = FakeDBusService(
        desktop.bus_address,
        "org.example.Idle",
        ("/org/example/Idle",),
        "org.example.Idle",
        "GetIdle",
        "t",
        lambda: 4200,
    )
    with service:
        reply = desktop.run(
            "dbus-send", "--session", "--print-reply=literal", "--dest=org.example.Idle",
            "/org/example/Idle", "org.example.Idle.GetIdle",
        )  # fmt: skip
        assert reply.stdout.split() == ["uint64", "4200"]
        assert service.calls == 1
        wrong = desktop.run(
            "dbus-send", "--session", "--print-reply", "--dest=org.example.Idle",
            "/org/example/Idle", "org.example.Idle.Other", check=False,
        )  # fmt: skip
        assert wrong.returncode != 0
        assert "UnknownMethod" in wrong.stderr


def require(*programs: str) -> None:
    from helpers import require_programs

    require_programs(*programs)
