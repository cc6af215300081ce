"""`glutewake warmup`: the routine, fitting it to N minutes, the log, a running loop."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from glutewake import report
from glutewake.catalog import build_catalog
from glutewake.config import ExerciseSettings
from glutewake.errors import GlutewakeError
from glutewake.player import NEXT, Player, planned_seconds
from glutewake.store import Store, WarmupRecord
from glutewake.summary import summarize, summary_text
from glutewake.tracker import BreakLogged, EventLogged, Notice, Now, Prompt, Tracker
from glutewake.warmup import (
    MAX_MINUTES,
    MIN_MINUTES,
    MIN_REPS,
    NEXT_S,
    WARMUP_IDS,
    pool,
    routine,
    segments,
)
from helpers import require_programs
from running import child_env, glutewake_argv, headless_loop, run_cli, wait_for_text
from terminal import Tmux

CATALOG = build_catalog(ExerciseSettings())
OFFICE = ("desk", "standing")
EVERYWHERE = ("desk", "standing", "floor")


# --- the routine -----------------------------------------------------------------------


def test_the_routine_is_easy_glute_activation_where_you_can_do_it():
    for spaces in (OFFICE, EVERYWHERE, ("floor",), ("desk",)):
        chosen = routine(CATALOG, spaces, 5)
        assert chosen, spaces
        for exercise in chosen:
            assert exercise.id in WARMUP_IDS
            assert (exercise.category, exercise.level) == ("glutes", "easy")
            assert exercise.space in spaces
    lying = [e.id for e in routine(CATALOG, EVERYWHERE, 5)]
    assert lying[:3] == ["glute-bridge", "clamshell", "side-lying-leg-raise"]
    assert "standing-squeeze" in lying and "wall-hip-hinge" in lying


@pytest.mark.parametrize("minutes", [2, 4, 5, 6, 10])
@pytest.mark.parametrize("spaces", [OFFICE, EVERYWHERE, ("floor",)])
def test_minutes_fit_the_routine_within_ten_percent(minutes: int, spaces: tuple[str, ...]):
    total = planned_seconds(segments(routine(CATALOG, spaces, minutes)))
    assert abs(total - minutes * 60) <= minutes * 6, (minutes, spaces, total)


@pytest.mark.parametrize("spaces", [OFFICE, EVERYWHERE, ("floor",), ("desk",)])
def test_no_routine_asks_for_a_rep_or_two(spaces: tuple[str, ...]):
    """A short warm-up leaves out a long hold on each side rather than "1 rep per side"."""
    for minutes in range(MIN_MINUTES, MAX_MINUTES + 1):
        for exercise in routine(CATALOG, spaces, minutes):
            assert exercise.reps is None or exercise.reps >= MIN_REPS, (minutes, exercise)


def test_segments_say_next_between_exercises():
    chosen = routine(CATALOG, OFFICE, 4)
    plan = segments(chosen)
    nexts = [s for s in plan if s.kind == NEXT]
    assert [s.exercise for s in nexts] == [e.name for e in chosen[1:]]
    assert all(s.seconds == NEXT_S for s in nexts)
    player = Player(plan, start=0.0, end_text="warm-up done")
    texts = [c.text for c in player.advance(10_000.0)]
    assert texts[-1] == "warm-up done" and player.completed
    assert f"next: {chosen[1].name}" in texts


def test_enter_while_getting_ready_starts_the_next_exercise_at_once():
    plan = segments(routine(CATALOG, OFFICE, 4))
    player = Player(plan, start=0.0)
    index = next(i for i, s in enumerate(plan) if s.kind == NEXT)
    ready = sum(s.seconds or 0 for s in plan[:index])
    player.advance(ready + 1.0)
    assert player.line(ready + 1.0).startswith("next: ")
    player.enter(ready + 2.0)
    assert not player.finished and player.current is plan[index + 1]


def test_no_exercise_for_the_space_is_one_clear_error():
    only_floor = build_catalog(
        ExerciseSettings(exclude=tuple(i for i in WARMUP_IDS if CATALOG.get(i).space != "floor"))
    )
    assert pool(only_floor, OFFICE) == []
    with pytest.raises(GlutewakeError) as err:
        routine(only_floor, OFFICE, 5)
    assert str(err.value) == (
        "no warm-up exercise for space desk, standing; try --space floor or --space standing"
    )


# --- the log ---------------------------------------------------------------------------


def test_a_warm_up_is_its_own_row_in_the_log_and_counted_in_the_summary(tmp_path: Path):
    now = datetime.now(timezone.utc)
    with Store.open(tmp_path / "g.db") as store:
        store.add_warmup(WarmupRecord(now, 250, True, 4, ("glute-bridge", "clamshell")))
        (back,) = store.warmups_between(now - timedelta(hours=1), now + timedelta(hours=1))
        assert back.exercises == ("glute-bridge", "clamshell") and back.completed
        period = report.choose_period(datetime.now().astimezone())
        rows = report.break_rows(store, period)
        assert [(r["outcome"], r["break_s"], r["completed"]) for r in rows] == [
            ("warmup", 250, True)
        ]
        assert tuple(rows[0]) == report.BREAK_FIELDS
        assert report.break_rows(store, period, outcomes=("done",)) == []
        summary = summarize(store, period, goal=8, now=datetime.now().astimezone())
        assert summary["days"][-1]["warmups"] == 1 and summary["totals"]["warmups"] == 1
        assert "warm-ups" in summary_text(summary)


# --- a running loop counts it as a break -------------------------------------------------


class _Ex:
    id = "x"
    name = "X"
    category = "glutes"


def _timer():
    from glutewake.config import TimerSettings

    return TimerSettings(sit=100, break_=20, snooze=30, respond_within=60, natural_break=50)


def test_a_warm_up_resolves_a_due_break_as_done_and_restarts_the_sitting_clock():
    tracker = Tracker(_timer(), lambda not_id: _Ex(), Now(0, 1000))  # type: ignore[arg-type,return-value]
    tracker.tick(Now(100, 1100))
    assert tracker.state == "due"
    actions = tracker.warmup_done(Now(400, 1400), 290, True)
    (record,) = [a for a in actions if isinstance(a, BreakLogged)]
    assert (record.outcome, record.answered_via, record.break_s, record.completed) == (
        "done",
        "command",
        290,
        True,
    )
    assert actions[-1] == Notice("warmup")
    assert tracker.snapshot().state == "seated" and tracker.snapshot().seated_s == 0
    # Nothing due: the sitting clock simply starts again.
    tracker.tick(Now(450, 1450))
    assert tracker.warmup_done(Now(460, 1460), 200, False) == [Notice("warmup")]
    assert tracker.snapshot().seated_s == 0
    tracker.pause(Now(470, 1470))
    assert tracker.warmup_done(Now(480, 1480), 200, True) == [
        Notice("refused", "paused: resume first")
    ]


def _tracker() -> Tracker:
    return Tracker(_timer(), lambda not_id: _Ex(), Now(0, 1000))  # type: ignore[arg-type,return-value]


def test_a_warm_up_stopped_early_is_not_a_break():
    """Ctrl-C or Enter before the end, and before [timer] break (20 s here): nothing is
    resolved and the sitting clock goes on where it was, not from 0."""
    tracker = _tracker()
    tracker.tick(Now(60, 1060))
    tracker.warmup_started(Now(60, 1060), 300)
    actions = tracker.warmup_done(Now(75, 1075), 15, False)
    assert not [a for a in actions if isinstance(a, BreakLogged)]
    assert actions[-1] == Notice(
        "warmup_short", "it stopped before its end and before [timer] break"
    )
    assert tracker.snapshot().state == "seated" and tracker.snapshot().seated_s == 60
    assert tracker.next_mono() == 115  # the break comes when it would have
    # One that ran at least [timer] break counts, even cut short.
    tracker.warmup_started(Now(80, 1080), 300)
    actions = tracker.warmup_done(Now(110, 1110), 30, False)
    assert actions[-1] == Notice("warmup") and tracker.snapshot().seated_s == 0


def test_a_warm_up_stopped_early_leaves_a_due_break_due():
    tracker = _tracker()
    tracker.tick(Now(100, 1100))
    assert tracker.state == "due"
    tracker.warmup_started(Now(105, 1105), 300)
    actions = tracker.warmup_done(Now(110, 1110), 5, False)
    assert not [a for a in actions if isinstance(a, BreakLogged)]
    (prompt,) = [a for a in actions if isinstance(a, Prompt)]
    assert prompt.again and tracker.snapshot().state == "due"
    assert tracker.snapshot().seated_s == 105  # the warm-up's 5 s were not sitting


def test_a_warm_up_logs_no_break_that_was_not_due():
    """Trial finding 1: `now`, `stand`, `sit`, `now`, `pause 5m`, `resume`, then a 5 s
    warm-up: main logged "done" for the break it no longer showed. A break on screen
    now waits while standing or paused and comes back after; a warm-up in full resolves
    it, one stopped early leaves it due, and with none due no break is logged."""
    tracker = _tracker()
    tracker.tick(Now(10, 1010))
    tracker.break_now(Now(10, 1010))
    tracker.stand(Now(12, 1012))
    tracker.sit(Now(20, 1020))
    assert tracker.snapshot().state == "due"
    tracker.pause(Now(30, 1030), 300)
    tracker.resume(Now(40, 1040))
    assert tracker.snapshot().state == "due"
    tracker.warmup_started(Now(50, 1050), 300)
    actions = tracker.warmup_done(Now(55, 1055), 5, False)
    assert not [a for a in actions if isinstance(a, BreakLogged)]
    assert tracker.snapshot().state == "due"
    tracker.warmup_started(Now(60, 1060), 300)
    actions = tracker.warmup_done(Now(200, 1200), 120, True)
    (record,) = [a for a in actions if isinstance(a, BreakLogged)]
    assert (record.outcome, record.at, record.break_s) == ("done", 1010, 120)
    # Nothing due now: a full warm-up restarts the clock and logs no break.
    tracker.tick(Now(230, 1230))
    tracker.warmup_started(Now(230, 1230), 300)
    assert tracker.warmup_done(Now(400, 1400), 170, True)[-1] == Notice("warmup")
    assert tracker.snapshot().seated_s == 0


# --- for real ----------------------------------------------------------------------------


def test_list_prints_the_routine_without_running_it(cli):
    result = cli("warmup", "--list", "--minutes", "4", "--space", "floor")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Warm-up: 3 exercises, about 4m"
    assert lines[1].startswith("  1. Glute bridge · ")
    assert result.stderr == ""
    bad = cli("warmup", "--minutes", "1")
    assert bad.exit_code == 2 and "1 is not in the range 2<=x<=30" in bad.stderr


@pytest.mark.e2e
def test_warmup_runs_to_the_end_in_a_terminal_and_is_logged(
    tmux: Tmux, config_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    # A 4-minute routine with its holds seconds long: faketime runs the clocks (and the
    # waits) 40 times faster, so the player counts real 4 minutes in about 6 seconds.
    # A running loop counts the warm-up as a break.
    require_programs("faketime")
    config_file.write_text(
        '[timer]\nsit = "1h"\n[notify]\ndesktop = false\nbell = false\n[idle]\nbackend = "off"\n',
        encoding="utf-8",
    )
    with headless_loop(tmp_path) as (_proc, loop_out):
        tmux.start(
            ["faketime", "-f", "+0 x40", *glutewake_argv("warmup", "--minutes", "4")],
            child_env(),
        )
        screen = tmux.wait_for("Warm-up: 4 exercises, about 4m")
        assert "  1. Standing squeeze · " in screen
        tmux.wait_for("rep 1/", timeout=5)  # the countdown on screen
        tmux.wait_for("next: Wall hip hinge", timeout=10)
        screen = tmux.wait_for("warm-up done", timeout=30)
        tmux.wait_for("[exited 0]", timeout=10)
        wait_for_text(loop_out, "warm-up done: it counts as a break")
    assert "the running glutewake counts it as a break" in tmux.screen()
    log = run_cli("log", "--format", "json")
    assert log.returncode == 0, log.stderr
    (row,) = [r for r in json.loads(log.stdout) if r["outcome"] == "warmup"]
    assert row["completed"] is True
    # The player's seconds, on the sped-up clock (a 0.1 s wake-up is 4 s of it).
    assert 220 <= row["break_s"] <= 280


def test_a_warm_up_under_way_holds_the_sitting_clock_until_it_ends():
    tracker = Tracker(_timer(), lambda not_id: _Ex(), Now(0, 1000))  # type: ignore[arg-type,return-value]
    tracker.tick(Now(50, 1050))
    actions = tracker.warmup_started(Now(50, 1050), 300)
    assert EventLogged("pause", 1050, None, "warm-up, at most 300s") in actions
    assert actions[-1] == Notice("warmup_started")
    assert tracker.snapshot().held == "warmup" and tracker.state == "paused"
    # The break that would fall due at 100 does not, in the middle of the warm-up.
    assert tracker.tick(Now(200, 1200)) == [] and tracker.state == "paused"
    actions = tracker.warmup_done(Now(250, 1250), 200, True)
    assert EventLogged("resume", 1250, 200, "warm-up over") in actions
    assert not [a for a in actions if isinstance(a, BreakLogged)]  # none was on screen
    assert actions[-1] == Notice("warmup")
    # snapshot(), not .state: mypy keeps the "paused" it narrowed the attribute to above.
    assert tracker.snapshot().state == "seated" and tracker.snapshot().seated_s == 0
    assert tracker.snapshot().held is None


def test_a_warm_up_that_never_ends_stops_holding_at_its_limit():
    tracker = Tracker(_timer(), lambda not_id: _Ex(), Now(0, 1000))  # type: ignore[arg-type,return-value]
    tracker.tick(Now(60, 1060))
    tracker.warmup_started(Now(60, 1060), 300)
    actions = tracker.tick(Now(360, 1360))
    assert actions == [EventLogged("resume", 1360, 300, "warm-up abandoned")]
    # The clock held at 60 s of sitting: the break falls due 40 s later, not at once.
    assert tracker.state == "seated" and tracker.snapshot().seated_s == 60
    assert tracker.next_mono() == 400
    # Paused by the user, a warm-up does not take the pause over.
    tracker.pause(Now(370, 1370))
    assert tracker.warmup_started(Now(371, 1371), 300) == [
        Notice("refused", "paused: resume first")
    ]


def test_warmup_with_a_log_in_a_folder_that_does_not_exist_stops_before_it_begins(
    cli, config_file: Path, tmp_path: Path
):
    config_file.write_text(f'[log]\ndatabase = "{tmp_path}/typo/x.db"\n')
    result = cli("warmup", "--minutes", "2")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {config_file}: [log] database: folder does not exist: {tmp_path / 'typo'}\n"
    )
    assert not (tmp_path / "typo").exists()
    assert cli("warmup", "--list", "--minutes", "2").exit_code == 0  # writes nothing


@pytest.mark.e2e
def test_warmup_makes_the_data_folder_glutewake_home_names(tmux: Tmux, tmp_path: Path) -> None:
    # GLUTEWAKE_HOME names the data folder itself: ours to make, as the default is.
    require_programs("faketime")
    home = tmp_path / "new" / "data"
    env = child_env(GLUTEWAKE_HOME=str(home))
    tmux.start(["faketime", "-f", "+0 x40", *glutewake_argv("warmup", "--minutes", "2")], env)
    tmux.wait_for("warm-up done", timeout=30)
    tmux.wait_for("[exited 0]", timeout=10)
    log = run_cli("log", "--format", "json", GLUTEWAKE_HOME=str(home))
    assert log.returncode == 0, log.stderr
    assert [r["outcome"] for r in json.loads(log.stdout)] == ["warmup"]
    assert (home / "glutewake.db").is_file()
