"""Status text from the loop's last state row and the clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from glutewake.channel import LoopState
from glutewake.status import view
from glutewake.vocab import State

T = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)


def state(
    name: State,
    *,
    seated: int = 600,
    running: bool = True,
    next_in: int | None = 900,
    **extra: Any,
) -> LoopState:
    next_at = T + timedelta(seconds=next_in) if next_in is not None else None
    row = LoopState(4242, 1, T, name, T, T, seated, running, next_at, "glute-bridge")
    return row._replace(
        **{"exercise_name": "Glute bridge", "snoozes": 1, "max_snoozes": 2, **extra}
    )


def test_seated_figures_run_on_from_the_row() -> None:
    later = view(state("seated"), T + timedelta(seconds=120))
    assert (later.seated_s, later.next_in_s) == (720, 780)
    assert later.text() == "seated 12m · break in 13m"
    assert later.text(clock=True) == "seated 12:00 · break in 13:00"
    assert later.short() == "🪑12m ⏳13m"
    assert later.snoozes_left == 1


def test_a_stopped_clock_stays_put() -> None:
    assert view(state("paused", running=False), T + timedelta(hours=1)).seated_s == 600


def test_a_break_held_while_away() -> None:
    held = view(state("seated", next_in=None), T)
    assert held.text() == "seated 10m · break due when you are back"
    assert held.short() == "🪑10m 🍑"


def test_a_pause_says_how_long_it_has_lasted() -> None:
    endless = view(paused(next_in=None), T + timedelta(minutes=42))
    assert endless.text() == "paused for 42m · until glutewake resume"
    timed = view(paused(next_in=3600), T + timedelta(minutes=5))
    assert timed.text().startswith("paused for 5m · until ")


def paused(next_in: int | None) -> LoopState:
    """A pause with no break put off (the loop names an exercise only for one)."""
    return state("paused", running=False, next_in=next_in, exercise_id=None, exercise_name=None)


def test_a_break_put_off_by_a_pause_or_standing_is_named() -> None:
    endless = view(state("paused", running=False, next_in=None), T + timedelta(minutes=42))
    assert endless.text() == (
        "paused for 42m · until glutewake resume · Glute bridge put off until the pause ends"
    )
    standing = view(state("standing", running=False), T).text()
    assert standing.endswith(" · Glute bridge put off until you sit")


def test_a_snoozed_break_held_while_away_is_never_back_in_0s() -> None:
    held = view(state("snoozed", next_in=None), T)
    assert held.text() == "snoozed Glute bridge: back when you are · seated 10m"
    assert "0s" not in held.text() and held.short() == "💤"
    clock = view(state("snoozed", next_in=9), T).text(clock=True)
    assert clock == "snoozed Glute bridge: back in 0:09 · seated 10:00"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("due", "break due: Glute bridge — answer with glutewake done|snooze|skip"),
        ("snoozed", "snoozed Glute bridge: back in 15m · seated 10m"),
        ("break", "on a break: Glute bridge · back to sitting in 15m"),
    ],
)
def test_texts(name: State, text: str) -> None:
    assert view(state(name), T).text() == text


def test_as_dict_has_every_field() -> None:
    data = view(state("due"), T).as_dict()
    assert data["state"] == "due" and data["running"] is True
    assert set(data) >= {
        "pid",
        "since",
        "seated_s",
        "next_at",
        "next_in_s",
        "exercise_id",
        "exercise_name",
        "snoozes",
        "snoozes_left",
        "text",
        "started_at",
    }


@pytest.mark.parametrize(
    ("held", "words"),
    [("camera", "in a call"), ("microphone", "in a call"), ("dnd", "do not disturb")],
)
@pytest.mark.parametrize("name", ["seated", "snoozed"])
def test_a_break_held_while_busy_says_why(name: State, held: str, words: str) -> None:
    shown = view(state(name, held=held), T + timedelta(seconds=60))
    assert shown.text() == f"held: {words} · break when it ends"
    assert shown.text(clock=True) == f"held: {words} · break when it ends"
    assert shown.short() == "🤫11m"
    assert shown.as_dict()["held"] == held
    assert shown.seated_s == 660  # the clock keeps counting


def test_full_screen_hold() -> None:
    assert view(state("seated", held="fullscreen"), T).text() == (
        "held: full screen · break when it ends"
    )


def test_a_pause_just_begun_says_until_when_not_for_0s() -> None:
    timed = view(paused(next_in=3600), T).text()
    until = f"{(T + timedelta(hours=1)).astimezone():%H:%M}"
    assert timed == f"paused · until {until}"


def test_no_snooze_left_is_not_suggested() -> None:
    due = view(state("due")._replace(snoozes=2), T)
    assert due.snoozes_left == 0
    assert due.text() == "break due: Glute bridge — answer with glutewake done|skip"


def test_show_on_a_snoozed_break_says_snoozed_and_how_to_take_it() -> None:
    from glutewake.cli.control import _answer_line

    line = _answer_line(view(state("snoozed", next_in=240), T))
    assert line == "snoozed: back in 4m; take it now: glutewake done | skip it: glutewake skip"
    assert "glutewake now" not in line
    assert _answer_line(view(state("seated"), T)).endswith("glutewake now")


def test_a_time_minutes_away_has_seconds_and_the_day_only_on_another_day() -> None:
    from glutewake.status import clock_at

    now = datetime(2025, 3, 4, 12, 0, 10).astimezone()
    assert clock_at(now + timedelta(seconds=25), now, seconds=True) == "12:00:35"
    assert clock_at(now + timedelta(hours=2), now) == "14:00"
    late = now.replace(hour=23, minute=59, second=35)
    tomorrow = clock_at(late + timedelta(minutes=1), late, seconds=True)
    assert tomorrow.endswith(" 00:00:35") and tomorrow.split()[0] not in ("", "00:00:35")


def test_a_break_a_day_or_more_away_says_the_day() -> None:
    """`snooze 30h`: "back at Wed 15:00", not "back in 30h00m"; under a day, as before."""
    far = T + timedelta(hours=30)
    day = f"{far.astimezone():%a %H:%M}"
    snoozed = view(state("snoozed", next_in=30 * 3600), T)
    assert snoozed.text() == f"snoozed Glute bridge: back at {day} · seated 10m"
    assert view(state("seated", next_in=30 * 3600), T).text() == f"seated 10m · break at {day}"
    assert view(state("seated", next_in=23 * 3600), T).text() == "seated 10m · break in 23h00m"

    from glutewake.cli.control import _answer_line

    assert _answer_line(snoozed).startswith(f"snoozed: back at {day}; take it now")
