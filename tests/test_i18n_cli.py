"""German end to end through the commands: log, config check, exercises, doctor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from glutewake.cli import main
from glutewake.report import BREAK_FIELDS
from glutewake.store import Store
from running import child_env, glutewake_argv
from storetools import local_zone, seed_berlin_dst
from terminal import Tmux

GERMAN = {"LANG": "de_DE.UTF-8"}
SEEDED = ("--since", "2024-03-30", "--until", "2024-04-01")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, prog_name="glutewake")


@pytest.fixture
def seeded(data_dir: Path) -> Iterator[Path]:
    with local_zone("Europe/Berlin"):
        db = data_dir / "glutewake.db"
        with Store.open(db) as store:
            seed_berlin_dst(store)
        yield db


@pytest.fixture
def goal_3(config_file: Path) -> Path:
    config_file.write_text("[goals]\ndaily_breaks = 3\n")
    return config_file


def test_log_summary_in_german(seeded, goal_3) -> None:
    result = run("log", "--summary", *SEEDED, env=GERMAN)
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert out[0] == "Sa 30.03.2024 bis Mo 01.04.2024 · Ziel: 3 Pausen am Tag"
    assert out[2].split() == [
        "Datum", "Tag", "erledigt", "übersprungen", "verpasst", "natürlich", "gesessen",
        "am", "längsten", "gestanden",
    ]  # fmt: skip
    assert out[3].startswith("30.03.2024  Sa   ███  3/3")
    assert out[5].startswith("01.04.2024  Mo   █··  1/3")
    assert any(
        line.startswith("Quote") and "78 % (7 erledigt von 9 fälligen;" in line for line in out
    )
    assert any(line.startswith("Serie") and "Tage mit erreichtem Ziel" in line for line in out)


def test_log_table_in_german_and_json_csv_stay_english(seeded) -> None:
    table = run("log", *SEEDED, env=GERMAN)
    assert table.exit_code == 0, table.output
    head, first = table.stdout.splitlines()[:2]
    assert head.split()[:5] == ["Datum", "Zeit", "Übung", "Kategorie", "Ergebnis"]
    assert first.startswith("30.03.2024")
    assert "erledigt" in table.stdout and "Gesäß" in table.stdout
    assert "Gesäßbrücke" in table.stdout  # the bundled exercise's German name, by its id
    english = run("log", *SEEDED, "--format", "json").stdout
    assert run("log", *SEEDED, "--format", "json", env=GERMAN).stdout == english
    assert json.loads(english)[0]["date"] == "2024-03-30"
    csv_de = run("log", *SEEDED, "--format", "csv", env=GERMAN).stdout
    assert csv_de == run("log", *SEEDED, "--format", "csv").stdout
    assert csv_de.splitlines()[0] == ",".join(BREAK_FIELDS)
    summary = run("log", "--summary", *SEEDED, "--format", "json", env=GERMAN).stdout
    assert json.loads(summary)["days"][0]["weekday"] == "Sat"


def test_config_check_on_a_bad_file_in_german(config_file: Path) -> None:
    config_file.write_text('[timer]\nsit = "lang"\nsnoze = "5m"\n', encoding="utf-8")
    result = run("config", "check", env=GERMAN)
    assert result.exit_code == 1
    assert result.output == (
        f"Fehler: {config_file}: [timer] sit: erwartet: eine Dauer wie "
        '"90s", "45m" oder "1h30m"; gefunden: \'lang\'\n'
    )
    config_file.write_text('[timer]\nsnoze = "5m"\n', encoding="utf-8")
    result = run("config", "check", env=GERMAN)
    assert result.exit_code == 1
    assert "unbekannter Schlüssel [timer] snoze (meintest du 'snooze'?)" in result.output


FAST = """
[timer]
sit = "1s"
break = "3s"
snooze = "2s"
respond_within = "1m"
natural_break = "1h"
[notify]
desktop = false
bell = false
[idle]
backend = "off"
[exercises]
categories = ["glutes"]
spaces = ["desk"]
"""


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("env", "ui"),
    [({"LANG": "de_DE.UTF-8"}, ""), ({"LANG": "C"}, '[ui]\nlanguage = "de"\n')],
    ids=["LANG=de_DE", "language=de, LANG=C"],
)
def test_a_break_in_a_terminal_in_german(tmux: Tmux, config_file: Path, env, ui) -> None:
    config_file.write_text(FAST + ui, encoding="utf-8")
    tmux.start(glutewake_argv("start"), child_env(**env))
    tmux.wait_for_words("glutewake: eine Pause nach je 1s Sitzen, jeweils ")
    tmux.wait_for_words("oder mehr (keine Übung passt in [timer] break 3s); die erste um ")
    tmux.wait_for_words("Strg-C beendet")
    screen = tmux.wait_for("[Enter] starten  [s] später 2s  [n] andere  [x] überspringen")
    assert "Pause fällig: " in screen and "Hinweis:" in screen
    assert "Gesäß · am Schreibtisch" in screen  # umlauts and ß intact on a real terminal
    tmux.keys("Enter")  # start: the guided break is coached in German
    tmux.wait_for("Enter beendet sie vorzeitig")
    tmux.wait_for("Wdh. ")  # the countdown: "Wdh. 2/10 · halten · 0:02"
    tmux.keys("Enter")  # ended early
    screen = tmux.wait_for("erledigt: ")
    assert "vorzeitig beendet" in screen
    tmux.keys("C-c")
    screen = tmux.wait_for("[exited 0]")
    assert "Sitzung: 1 erledigt, 0 übersprungen, 0 verpasst" in screen


def test_doctor_in_german(config_file: Path) -> None:
    config_file.write_text('[notify]\ndesktop = false\n[idle]\nbackend = "off"\n')
    result = run("doctor", env=GERMAN)
    lines = result.stdout.splitlines()
    assert lines[0] == f"✓ Konfiguration       {config_file} ist gültig"
    assert "✓ Benachrichtigungen  ausgeschaltet ([notify] desktop = false)" in lines
    assert any(
        line.startswith("✓ Zeitplan") and "aus: Pausen zu jeder Zeit" in line for line in lines
    )
    assert any(
        line.startswith("✗ Erinnerungen") and "erreichen dich nicht" in line for line in lines
    )
    assert (
        json.loads(run("doctor", "--format", "json", env=GERMAN).stdout)["checks"][0]["summary"]
        == f"{config_file} is valid"
    )  # JSON stays English


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("env", "ui"),
    [({"LANG": "de_DE.UTF-8"}, ""), ({"LANG": "C"}, '[ui]\nlanguage = "de"\n')],
    ids=["LANG=de_DE", "language=de, LANG=C"],
)
def test_the_main_commands_in_german_on_a_real_terminal(
    tmux: Tmux, tmp_path: Path, config_file: Path, seeded: Path, env, ui
) -> None:
    """--help, exercises show, log --summary, config check on a bad file and doctor, read
    from the screen: German, umlauts and ß intact, whatever the terminal's locale."""
    config_file.write_text(
        '[goals]\ndaily_breaks = 3\n[notify]\ndesktop = false\n[idle]\nbackend = "off"\n' + ui,
        encoding="utf-8",
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('[timer]\nsnoze = "5m"\n' + ui, encoding="utf-8")
    script = tmp_path / "run.sh"
    glutewake = " ".join(glutewake_argv())
    script.write_text(
        f"{glutewake} --help | head -3\n"
        f"{glutewake} exercises show glute-bridge\n"
        f"TZ=Europe/Berlin {glutewake} log --summary --since 2024-03-30 --until 2024-04-01\n"
        f"{glutewake} config check {bad}\n"
        f"{glutewake} doctor\n",
        encoding="utf-8",
    )
    tmux.start(["sh", str(script)], child_env(**env), width=120)
    screen = tmux.wait_for("[exited ")
    for expected in (
        "Aufruf: glutewake [OPTIONEN] BEFEHL [ARGUMENTE]...",
        "Sitzpausen-Erinnerungen, die deine Gesäßmuskeln wecken",
        "Gesäßbrücke  (glute-bridge)",
        "Gesäß · auf dem Boden · leicht · 12 Wiederholungen",
        "Roll dein Becken ein (Steißbein nach unten)",
        "Sa 30.03.2024 bis Mo 01.04.2024 · Ziel: 3 Pausen am Tag",
        "übersprungen",
        "Fehler: ",
        "unbekannter Schlüssel [timer] snoze (meintest du 'snooze'?)",
        "✓ Konfiguration",
        "Benachrichtigungen  ausgeschaltet ([notify] desktop = false)",
    ):
        assert expected in screen, f"{expected!r} not on screen:\n{screen}"


@pytest.mark.e2e
def test_the_break_notification_in_german(desktop, notifications, config_file: Path, tmp_path):
    from glutewake import i18n
    from glutewake.card import dose_text
    from glutewake.catalog import load_bundled
    from running import headless_loop, wait_for_text

    config_file.write_text(
        '[timer]\nsit = "1s"\nbreak = "1s"\nrespond_within = "1m"\n'
        '[notify]\nbell = false\n[idle]\nbackend = "off"\n',
        encoding="utf-8",
    )
    env = child_env(LANG="de_DE.UTF-8", **desktop.env)
    with headless_loop(tmp_path, env, wait=False) as (_, out):
        text = wait_for_text(out, "Pause fällig: ")
        name = text.split("Pause fällig: ")[1].splitlines()[0]
        shown = notifications.wait(1)
    i18n.set_language("de")
    exercise = next(e for e in load_bundled() if e.name == name)
    assert shown[0]["summary"] == f"{name} · {dose_text(exercise)}"
    assert exercise.steps[0].split()[0] in shown[0]["body"]


def test_the_notification_buttons_in_german() -> None:
    from glutewake import i18n
    from glutewake.catalog import load_bundled
    from glutewake.notify import due_note

    i18n.set_language("de")
    note = due_note(load_bundled()[0], snooze_s=300)
    assert note.actions == (
        ("start", "Starten"),
        ("snooze", "5m später"),
        ("skip", "Überspringen"),
        ("another", "Eine andere"),
    )


def test_a_usage_error_names_the_argument_in_the_language() -> None:
    result = run("snooze", "5x", env={"LANG": "de_DE.UTF-8"})
    assert result.exit_code == 2
    assert "'[DAUER]'" in result.stderr and "DURATION" not in result.stderr
    assert result.stderr.strip().endswith("Siehe 'glutewake snooze --help'.")
