"""Whole sessions in-process, with injected time: the keys of a terminal, and commands
from other terminals through the database. Each has one real-process round trip in
test_loop_e2e.py; here the fake clock lets every rule run in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from glutewake.channel import Channel
from glutewake.loop import Loop
from glutewake.notify import Note
from glutewake.status import view
from glutewake.store import Store
from glutewake.vocab import CommandName
from scripted import T0, Clock, Script, ScriptedUI, at, make_loop, outcomes, settings


class InteractiveUI(ScriptedUI):
    """A terminal: the loop shows the keys help and redraws the status line."""

    interactive = True


def test_a_terminal_session_done_snooze_skip_missed(tmp_path: Path) -> None:
    # sit 100 s, break 10 s, snooze 30 s, respond within 60 s, one snooze allowed.
    clock = Clock()
    keys: Script = {105.0: "done", 220.0: "snooze", 255.0: "done", 370.0: "skip"}
    ui = InteractiveUI(clock, keys, until=600)
    with Store.open(tmp_path / "g.db") as store:
        tally = make_loop(store, ui, clock, settings(max_snoozes=1)).run()
        breaks = outcomes(store)
    assert breaks == [("done", 0), ("done", 1), ("skipped", 0), ("missed", 0)]
    text = ui.text
    assert "Cue:" in text
    # Each prompt offers the snooze, except the snoozed one coming back: none left.
    assert text.count("[Enter] start  [s] snooze 30s  [n] another  [x] skip") == 4
    assert "break due again: " in text
    assert text.count("[Enter] start  [n] another  [x] skip") == 1
    assert text.count("break over: back to it") == 2
    assert tally.line().startswith("session: 2 done, 1 skipped, 1 missed · seated ")


class Remote:
    """Another terminal: writes commands through its own connection, reads answers."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.store = Store.open(path)
        self.channel = Channel(self.store)
        self.clock = clock
        self.sent: list[tuple[str, int]] = []
        self.seen: list[tuple[str, int, str]] = []

    def send(self, name: CommandName, arg: str | None = None) -> Callable[[], None]:
        def act() -> None:
            command_id = self.channel.send_command(name, arg, at(self.clock.wall()))
            self.sent.append((name, command_id))

        return act

    def look(self) -> Callable[[], None]:
        def act() -> None:
            state = self.channel.read_state()
            assert state is not None
            text = view(state, at(self.clock.wall())).text()
            self.seen.append((state.state, state.seated_s, text))

        return act

    def answers(self) -> list[tuple[str, str | None]]:
        return [(name, self.channel.command_result(i)) for name, i in self.sent]


def test_commands_from_another_terminal_are_answered(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    clock = Clock()
    with Store.open(path) as store:
        remote = Remote(path, clock)
        script: Script = {
            50.0: remote.look(),
            105.0: remote.send("done"),
            110.0: remote.send("done"),  # during the break: ends it early
            220.0: remote.send("snooze", "30"),
            230.0: remote.look(),
            260.0: remote.send("snooze"),  # the one snooze is used up: refused
            262.0: remote.send("skip"),
            370.0: remote.send("pause", "50"),
            400.0: remote.look(),
            430.0: remote.look(),
            431.0: remote.send("done"),
            450.0: remote.send("stand"),
            452.0: remote.look(),
            500.0: remote.look(),
            501.0: remote.send("stand"),  # already standing: refused
        }
        ui = ScriptedUI(clock, script, until=520)
        tally = make_loop(store, ui, clock, settings(max_snoozes=1)).run()
        answers = remote.answers()
        seen = remote.seen
        breaks = outcomes(store)
        first = store.breaks_between(at(T0), at(T0 + 999))[0]
        # The 5 s exercise ran, then the second `done` ended the break (commands are
        # picked up within COMMAND_POLL_S).
        assert first.completed is True and 5 <= (first.break_s or 0) <= 7
        assert Channel(store).read_state() is None  # a clean exit leaves no state behind
        remote.store.close()
    assert answers == [
        ("done", "ok"),
        ("done", "ok"),
        ("snooze", "ok"),
        ("snooze", "no snoozes left for this break"),
        ("skip", "ok"),
        ("pause", "ok"),
        ("done", "ok"),
        ("stand", "ok"),
        ("stand", answers[-1][1]),
    ]
    assert (answers[-1][1] or "").startswith("already standing")
    states = [state for state, _seated, _text in seen]
    assert states == ["seated", "snoozed", "paused", "due", "standing", "standing"]
    # What `glutewake status` says in each, as the sender's reply shows it.
    texts = [text for _state, _seated, text in seen]
    assert texts[1].startswith("snoozed ") and texts[2].startswith("paused · until ")
    assert texts[4].startswith("standing since ")
    # Standing keeps the sitting clock still.
    assert seen[-2][1] == seen[-1][1]
    text = ui.text
    assert "\x1b" not in text  # no control codes off a terminal
    assert "from another terminal: done" in text
    assert "from another terminal: snooze 30s" in text
    assert breaks == [("done", 0), ("skipped", 1), ("done", 0)]
    assert tally.line().startswith("session: 2 done, 1 skipped, 0 missed")


def test_status_reads_what_the_loop_wrote(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    clock = Clock()
    texts: list[str] = []

    def status() -> None:
        with Store.open(path, create=False) as reader:
            state = Channel(reader).read_state()
        assert state is not None
        texts.append(view(state, at(clock.wall())).text())

    with Store.open(path) as store:
        ui = ScriptedUI(clock, {40.0: status, 102.0: status}, until=110)
        make_loop(store, ui, clock).run()
    assert texts[0].startswith("seated 40s")
    assert texts[1].startswith("break due")


def test_another_says_another_exercise_and_a_second_pause_replaces_the_first(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.db"
    clock = Clock()
    with Store.open(path) as store:
        remote = Remote(path, clock)
        script: Script = {
            105.0: "another",
            110.0: "skip",
            150.0: remote.send("pause", "3600"),
            160.0: remote.send("pause", "7200"),  # while paused: replaces it, from now
            170.0: remote.look(),
        }
        ui = InteractiveUI(clock, script, until=200)
        make_loop(store, ui, clock, settings()).run()
        answers = remote.answers()
        seen = remote.seen
        remote.store.close()
    text = ui.text
    assert "another exercise: " in text and "break due again: " not in text
    assert answers == [("pause", "ok"), ("pause", "ok")]
    assert "the pause under way is replaced by the new one" in text
    state, _seated, status = seen[0]
    until = datetime.fromtimestamp(T0 + 160 + 7200).astimezone()
    assert state == "paused" and status.endswith(f"{until:%H:%M}")


def test_the_log_records_english_names_whatever_the_loop_shows(tmp_path: Path) -> None:
    from glutewake.catalog import _bundled_english, load_bundled
    from glutewake.i18n import set_language

    set_language("de")  # conftest sets English again after the test
    clock = Clock()
    ui = InteractiveUI(clock, {105.0: "done", 107.0: "done"}, until=200)
    with Store.open(tmp_path / "g.db") as store:
        make_loop(store, ui, clock, bundled=True).run()
        (record,) = store.breaks_between(at(T0), at(T0 + 999))
    english = {e.id: e.name for e in _bundled_english()}
    german = {e.id: e.name for e in load_bundled()}
    assert (
        record.exercise_id is not None and german[record.exercise_id] != english[record.exercise_id]
    )
    assert record.exercise_name == english[record.exercise_id]
    assert german[record.exercise_id] in ui.text  # shown in German, logged in English


def _bundled_loop(store: Store, ui: ScriptedUI, clock: Clock, break_: int) -> Loop:
    return make_loop(store, ui, clock, settings(break_=break_), bundled=True)


def test_a_break_is_as_long_as_promised_or_says_why_not(tmp_path: Path) -> None:
    # [timer] break 20s: no bundled exercise is that short. The greeting does not promise
    # 20 s, the shortest is chosen, and the break says it runs longer.
    clock = Clock()
    ui = InteractiveUI(clock, {105.0: "done"}, until=250)
    with Store.open(tmp_path / "g.db") as store:
        _bundled_loop(store, ui, clock, 20).run()
        record = store.breaks_between(at(T0), at(T0 + 999))[0]
    assert "20s each" not in ui.text
    assert "30s or more each (no exercise fits in [timer] break 20s)" in ui.text
    assert record.exercise_id == "bodyweight-squat"
    assert "this exercise takes 30s, longer than [timer] break 20s" in ui.text
    assert record.completed and 30 <= (record.break_s or 0) <= 32


def test_a_break_that_fits_lasts_the_break(tmp_path: Path) -> None:
    # [timer] break 45s: only exercises that fit are chosen, so every break lasts 45 s.
    clock = Clock()
    keys: Script = {105.0 + 160.0 * n: "done" for n in range(4)}
    ui = InteractiveUI(clock, keys, until=700)
    with Store.open(tmp_path / "g.db") as store:
        _bundled_loop(store, ui, clock, 45).run()
        records = store.breaks_between(at(T0), at(T0 + 999))
    assert "45s each" in ui.text and "longer than" not in ui.text
    assert [r.outcome for r in records] == ["done"] * 4
    assert all(45 <= (r.break_s or 0) <= 47 for r in records), [r.break_s for r in records]


def test_a_warm_up_elsewhere_holds_the_break_that_would_fall_due(tmp_path: Path) -> None:
    # sit 100 s: the break would fall due at 100, in the middle of a warm-up from 80 to
    # 280. The loop holds its clock; the warm-up's end restarts it; no break is logged.
    path = tmp_path / "g.db"
    clock = Clock()
    with Store.open(path) as store:
        remote = Remote(path, clock)
        script: Script = {
            80.0: remote.send("warmup_start", "400"),
            150.0: remote.look(),
            280.0: remote.send("warmup", "200:1"),
            300.0: remote.look(),
        }
        ui = InteractiveUI(clock, script, until=370)
        make_loop(store, ui, clock, settings()).run()
        answers = remote.answers()
        seen = remote.seen
        breaks = outcomes(store)
        remote.store.close()
    assert answers == [("warmup_start", "ok"), ("warmup", "ok")]
    assert "break due" not in ui.text and "warmup_start" not in ui.text
    assert "a warm-up began (glutewake warmup): the sitting clock waits until it ends" in ui.text
    assert seen[0][0] == "paused"
    assert seen[0][2] == "warm-up under way: the sitting clock waits until it ends"
    assert seen[1][0] == "seated" and seen[1][1] < 30  # restarted at the warm-up's end
    assert breaks == []


def test_standing_or_pausing_at_a_due_break_says_it_waits_and_it_comes_back(
    tmp_path: Path,
) -> None:
    # Trial finding 4: `now`, then `stand`: the break vanished without a word and came
    # back only when the clock got to `sit`. Now it waits, named, until `sit` or `resume`.
    path = tmp_path / "g.db"
    clock = Clock()
    with Store.open(path) as store:
        remote = Remote(path, clock)
        script: Script = {
            10.0: remote.send("now"),
            12.0: remote.send("stand"),
            14.0: remote.look(),
            20.0: remote.send("sit"),
            22.0: remote.send("pause"),
            24.0: remote.look(),
            30.0: remote.send("resume"),
            32.0: remote.send("warmup_start", "300"),
            34.0: remote.look(),
            36.0: remote.send("warmup", "4:0"),  # Ctrl-C after 4 s: not a break
            38.0: remote.send("skip"),
        }
        ui = ScriptedUI(clock, script, until=60)
        make_loop(store, ui, clock, settings()).run()
        answers = remote.answers()
        seen = remote.seen
        breaks = outcomes(store)
        remote.store.close()
    name = "Short glutes"
    assert f"break put off until you sit: {name}" in ui.text
    assert f"break put off until the pause ends: {name}" in ui.text
    assert f"break put off until the warm-up ends: {name}" in ui.text
    assert "warm-up stopped early: not a break; the sitting clock goes on where it was" in (ui.text)
    assert ui.text.count(f"break due again: {name}") == 3  # after sit, resume, the warm-up
    assert seen[0][2].endswith(f"· {name} put off until you sit")
    assert seen[1][2] == f"paused until glutewake resume · {name} put off until the pause ends"
    assert seen[2][2].endswith(f"{name} put off until then")
    assert answers[-2] == ("warmup", "it stopped before its end and before [timer] break")
    assert breaks == [("skipped", 0)]  # the one break, recorded once, as answered


def test_the_greeting_offers_snooze_only_when_it_is_allowed(tmp_path: Path) -> None:
    """[timer] max_snoozes = 0: neither the keys (a terminal) nor the commands (no
    terminal) the greeting lists offer snooze; with snoozes allowed both do."""
    offers = {True: "s = snooze", False: "done | snooze | skip"}
    for max_snoozes in (0, 2):
        for interactive in (True, False):
            clock = Clock()
            ui = (InteractiveUI if interactive else ScriptedUI)(clock, {}, until=5)
            with Store.open(tmp_path / f"{max_snoozes}-{interactive}.db") as store:
                make_loop(store, ui, clock, settings(max_snoozes=max_snoozes)).run()
            greeting = "".join(ui.text.splitlines()[:3])
            assert "glutewake done" in greeting or "Enter = start" in greeting, greeting
            assert (offers[interactive] in greeting) == (max_snoozes > 0), greeting


def test_the_greeting_gives_the_first_break_to_the_second_when_it_is_minutes_away(
    tmp_path: Path,
) -> None:
    for sit, shown in ((100, "%H:%M:%S"), (1800, "%H:%M")):
        clock = Clock()
        ui = ScriptedUI(clock, {}, until=5)
        with Store.open(tmp_path / f"{sit}.db") as store:
            make_loop(store, ui, clock, settings(sit=sit)).run()
        first = f"{datetime.fromtimestamp(T0 + sit).astimezone():{shown}}"
        assert ui.text.splitlines()[0].endswith(f"the first at {first}"), ui.text


class NoteRecorder:
    """A notification server that keeps what it was asked to show."""

    backend, enabled, available, reason = "recorder", True, True, ""
    capabilities: frozenset[str] = frozenset({"actions"})

    def __init__(self) -> None:
        self.shown: list[str] = []

    def show(self, note: Note) -> str | None:
        self.shown.append(note.summary)
        return None

    def close(self) -> None:
        pass

    def fileno(self) -> int | None:
        return None

    def answers(self) -> list[str]:
        return []

    def shutdown(self) -> None:
        pass

    def detach(self) -> None:
        pass


def _snoozed_summary(tmp_path: Path, snooze: int) -> tuple[str, float]:
    """The snoozed notification's summary, and the wall time its break comes back."""
    clock = Clock()
    ui = ScriptedUI(clock, {101.0: "snooze"}, until=102)
    recorder = NoteRecorder()
    with Store.open(tmp_path / "g.db") as store:
        loop = make_loop(store, ui, clock, settings(snooze=snooze, respond_within=3600))
        loop.notifier = recorder
        loop.run()
    (summary,) = [s for s in recorder.shown if s.startswith("Snoozed: ")]
    return summary, T0 + 101 + snooze


def test_the_snoozed_notification_says_hh_mm_like_every_other_time(tmp_path: Path) -> None:
    summary, back = _snoozed_summary(tmp_path, 300)
    assert summary.endswith(f" at {datetime.fromtimestamp(back):%H:%M}"), summary
    assert summary.count(":") == 2  # "Snoozed:" and HH:MM, no seconds


def test_the_snoozed_notification_has_seconds_under_a_minute_away(tmp_path: Path) -> None:
    summary, back = _snoozed_summary(tmp_path, 30)
    assert summary.endswith(f" at {datetime.fromtimestamp(back):%H:%M:%S}"), summary


def test_a_break_left_open_at_stop_counts_its_sitting_once(tmp_path: Path) -> None:
    """Trial: `seated 2m10s` in the session line for 65 s of sitting, and the same
    twice in the log's totals (the abandoned row and the session's end)."""
    clock = Clock()
    ui = ScriptedUI(clock, {}, until=130)  # due at 100, Ctrl-C at 130
    with Store.open(tmp_path / "g.db") as store:
        tally = make_loop(store, ui, clock).run()
        (record,) = store.breaks_between(at(T0 - 1), at(T0 + 999))
        totals = store.day_totals(at(T0 - 86_400), at(T0 + 86_400))
    assert (record.outcome, record.seated_s) == ("abandoned", 130)
    assert tally.line().endswith("seated 2m10s"), tally.line()
    assert sum(day.seated_s for day in totals) == 130
