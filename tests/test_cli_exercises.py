"""`glutewake exercises`, custom exercises from the config, and `config check` on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.shell_completion import ShellComplete

from glutewake.card import render_card
from glutewake.catalog import load_bundled
from glutewake.cli import main
from helpers import custom_entry

BUNDLED = load_bundled()
FIELDS = {
    "hold",
    "rest",
    "tempo",
    "id",
    "name",
    "category",
    "space",
    "duration",
    "reps",
    "sides",
    "level",
    "targets",
    "steps",
    "cue",
    "caution",
    "custom",
    "dose",
    "eligible",
    "not_offered",
}

STAIRS = """
[[exercises.custom]]
id = "office-stairs"
name = "Office stairs"
category = "move"
space = "standing"
duration = "2m"
level = "easy"
targets = ["glutes", "calves"]
steps = ["Walk to the stairwell.", "Climb two flights, pushing through your heels."]
cue = "Drive each step up through the heel of the leading leg."
caution = "Hold the rail."
"""


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def write_custom(config_file: Path, **changes: Any) -> None:
    entry = custom_entry(**changes)
    lines = ["[[exercises.custom]]"]
    lines += [f"{key} = {toml_value(v)}" for key, v in entry.items() if v is not None]
    config_file.write_text("\n".join(lines) + "\n")


# --- list ------------------------------------------------------------------------------


def test_exercises_lists_the_catalog_as_a_table(cli):
    result = cli("exercises")
    assert result.exit_code == 0
    lines = result.stdout.split("\n\n")[0].splitlines()  # then what is not offered
    # One header style for every table: lower case (bold on a terminal), as `log` has.
    assert lines[0].split() == ["id", "name", "category", "space", "time"]
    assert [line.split()[0] for line in lines[1:]] == [e.id for e in BUNDLED]
    assert "glute-bridge          Glute bridge          glutes       floor     12 reps" in lines
    # The table's TIME leaves out holds (the card has them), to fit 80 columns.
    assert "wall-hip-press        Wall hip press        glutes       standing  5 reps/side" in lines
    assert max(len(line) for line in lines) <= 80
    assert result.stderr == ""


def test_list_is_the_default(cli):
    assert cli("exercises").stdout == cli("exercises", "list").stdout


def test_json_lists_every_exercise_with_every_field(cli):
    result = cli("exercises", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == [e.id for e in BUNDLED]
    for row, exercise in zip(rows, BUNDLED, strict=True):
        assert set(row) == FIELDS
        assert row["steps"] == list(exercise.steps)
        assert row["targets"] == list(exercise.targets)
        assert row["duration"] == exercise.duration
        assert row["reps"] == exercise.reps
        assert row["dose"] == exercise.dose
        assert row["cue"] == exercise.cue and row["caution"] == exercise.caution
        assert row["hold"] == exercise.hold and row["tempo"] == exercise.tempo
        # By default the floor is opt-in.
        assert row["custom"] is False and row["eligible"] is (exercise.space != "floor")


def test_json_via_list_is_the_same(cli):
    assert (
        cli("exercises", "list", "--format", "json").stdout
        == cli("exercises", "--format", "json").stdout
    )


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--category", "hip_flexors"], lambda row: row["category"] == "hip_flexors"),
        (["--space", "desk"], lambda row: row["space"] == "desk"),
        (
            ["--space", "desk", "--space", "standing", "--category", "glutes"],
            lambda row: row["space"] in ("desk", "standing") and row["category"] == "glutes",
        ),
    ],
)
def test_filters(cli, args, check):
    rows = json.loads(cli("exercises", "list", "--format", "json", *args).stdout)
    expected = [e.id for e in BUNDLED if check({"category": e.category, "space": e.space})]
    assert [row["id"] for row in rows] == expected and expected


def test_filters_matching_nothing(cli):
    result = cli("exercises", "--category", "move", "--space", "floor")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "no exercise matches these --category and --space options\n"
    assert cli(
        "exercises", "--category", "move", "--space", "floor", "--format", "json"
    ).stdout == ("[]\n")


def test_bad_category_is_a_usage_error(cli):
    result = cli("exercises", "--category", "glute")
    assert result.exit_code == 2
    assert "Invalid value for '--category': 'glute' is not one of" in result.stderr


def test_list_options_before_a_subcommand_are_a_usage_error(cli):
    result = cli("exercises", "--format", "json", "show", "clamshell")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        "Error: --category, --space and --format go after `list`: "
        "glutewake exercises list --format json"
    )


def test_excluded_exercises_are_listed_but_not_eligible(cli, config_file):
    config_file.write_text('[exercises]\nexclude = ["clamshell"]\nspaces = ["desk"]\n')
    rows = {row["id"]: row for row in json.loads(cli("exercises", "--format", "json").stdout)}
    assert len(rows) == len(BUNDLED)
    assert rows["clamshell"]["eligible"] is False
    assert rows["glute-bridge"]["eligible"] is False  # floor
    assert rows["seated-glute-squeeze"]["eligible"] is True


# --- show ------------------------------------------------------------------------------


def test_show_prints_the_card(cli):
    result = cli("exercises", "show", "glute-bridge")
    assert result.exit_code == 0
    exercise = next(e for e in BUNDLED if e.id == "glute-bridge")
    assert result.stdout == render_card(exercise) + "\n"
    assert result.stdout.startswith("Glute bridge  (glute-bridge)\nGlutes · on the floor · easy")
    assert "  1. Lie on your back" in result.stdout
    assert "\nCue: Squeeze before you lift" in result.stdout


def test_show_wraps_to_the_terminal_width_on_a_terminal(tmp_path):
    # A real pty 50 columns wide: the card is wrapped to it.
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 50, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run(
        [sys.executable, "-m", "glutewake", "exercises", "show", "chair-lunge-stretch"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env | {"NO_COLOR": "1"},
        check=True,
    )
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    lines = out.decode().replace("\r\n", "\n").splitlines()
    assert proc.stderr == b""
    assert max(len(line) for line in lines) <= 50
    assert max(len(line) for line in lines) > 44
    assert lines[-1] == "A firm pull, never pain; no bouncing."


def test_show_unknown_id_suggests_the_closest(cli):
    result = cli("exercises", "show", "brige")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: unknown exercise 'brige'; did you mean glute-bridge, single-leg-bridge, "
        "bridge-march?\n"
    )


def test_show_unknown_id_with_nothing_close(cli):
    result = cli("exercises", "show", "zzz")
    assert result.exit_code == 1
    assert result.stderr == "Error: unknown exercise 'zzz'; `glutewake exercises` lists them all\n"


def test_show_needs_an_id(cli):
    result = cli("exercises", "show")
    assert result.exit_code == 2
    assert "Missing argument 'ID'" in result.stderr


# --- custom exercises from the config --------------------------------------------------


def test_custom_exercises_appear_in_list_and_show(cli, config_file):
    config_file.write_text(STAIRS)
    table = cli("exercises", "--category", "move").stdout
    assert "office-stairs      Office stairs        move      standing  2m" in table
    rows = json.loads(cli("exercises", "--format", "json").stdout)
    assert rows[-1]["id"] == "office-stairs"
    assert rows[-1]["custom"] is True and rows[-1]["duration"] == 120
    assert rows[-1]["caution"] == "Hold the rail."
    card = cli("exercises", "show", "office-stairs")
    assert card.exit_code == 0
    assert card.stdout.startswith(
        "Office stairs  (office-stairs, your own)\nMove · standing · easy"
    )
    assert "  2. Climb two flights, pushing through your heels.\n" in card.stdout
    assert card.stdout.endswith("Caution: Hold the rail.\n")


def test_a_replacing_custom_exercise_is_shown_instead(cli, config_file):
    write_custom(config_file, id="glute-bridge", replace=True, name="My bridge")
    result = cli("exercises", "show", "glute-bridge")
    assert result.exit_code == 0
    assert result.stdout.startswith("My bridge  (glute-bridge, your own)\n")


def test_the_config_example_custom_block_is_valid(cli, config_file):
    from glutewake.files import package_text

    example = package_text("config.example.toml")
    block = example.split("# [[exercises.custom]]")[1].split("\n\n")[0]
    uncommented = "[[exercises.custom]]" + "\n".join(
        line.removeprefix("# ") for line in block.splitlines()
    )
    config_file.write_text(uncommented)
    result = cli("exercises", "show", "office-stairs")
    assert result.exit_code == 0, result.stderr


def test_a_bad_config_fails_list_with_the_config_message(cli, config_file):
    write_custom(config_file, level="hard")
    result = cli("exercises")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config_file}: [[exercises.custom]] #1 level: expected one of easy, moderate, "
        "got 'hard'\n"
    )


BAD_FIELDS = [
    (
        {"id": "Office Stairs"},
        'id: expected a kebab-case id like "glute-bridge" (lowercase letters, digits and single '
        "hyphens, at most 40 characters), got 'Office Stairs'",
    ),
    (
        {"id": 7},
        'id: expected a kebab-case id like "glute-bridge" (lowercase letters, digits and '
        "single hyphens, at most 40 characters), got an integer",
    ),
    ({"name": "  "}, "name: expected some text, got an empty string"),
    ({"name": "x" * 41}, "name: expected at most 40 characters, got 41"),
    (
        {"category": "glute"},
        "category: expected one of glutes, hip_flexors, move, got 'glute' (did you mean 'glutes'?)",
    ),
    ({"space": "office"}, "space: expected one of desk, standing, floor, got 'office'"),
    (
        {"duration": 60},
        'duration: expected a duration like "90s", "45m" or "1h30m", got an integer',
    ),
    (
        {"duration": "soon"},
        'duration: expected a duration like "90s", "45m" or "1h30m", got \'soon\'',
    ),
    ({"duration": "31m"}, "duration: expected a duration from 1s to 30m, got '31m'"),
    ({"duration": None}, 'duration: missing; expected duration (like "60s") and/or reps'),
    ({"reps": 0}, "reps: expected an integer from 1 to 100, got 0"),
    ({"reps": "ten"}, "reps: expected an integer, got a string"),
    ({"sides": 3}, "sides: expected an integer from 1 to 2, got 3"),
    ({"hold": "5s"}, "hold: paces reps; expected reps as well"),
    ({"reps": 5, "tempo": "2m"}, "tempo: expected a duration from 1s to 1m, got '2m'"),
    ({"reps": 5, "rest": "2s"}, "rest: is the pause after a hold; expected hold as well"),
    ({"reps": 5, "hold": "5s", "tempo": "3s"}, "tempo: expected hold or tempo, not both"),
    ({"level": "hard"}, "level: expected one of easy, moderate, got 'hard'"),
    ({"targets": []}, "targets: expected 1 to 6 muscle names, got 0"),
    ({"targets": "glutes"}, "targets: expected a list of 1 to 6 muscle names, got a string"),
    ({"steps": ["Walk."]}, "steps: expected 2 to 6 steps, got 1"),
    ({"steps": ["Step."] * 7}, "steps: expected 2 to 6 steps, got 7"),
    ({"steps": ["Walk.", ""]}, "steps: entry 2: expected some text, got an empty string"),
    ({"steps": ["Walk.", 3]}, "steps: entry 2: expected a string, got an integer"),
    ({"cue": None}, "cue: missing; every exercise needs one"),
    ({"cue": "x" * 201}, "cue: expected at most 200 characters, got 201"),
    ({"caution": True}, "caution: expected a string, got a boolean"),
    ({"replace": "yes"}, "replace: expected true or false, got a string"),
    (
        {"setps": ["a", "b"]},
        "setps: unknown key (did you mean 'steps'?); expected one of id, name, category, space, "
        "duration, reps, sides, level, targets, steps, cue, caution, hold, rest, tempo, replace",
    ),
    (
        {"id": "clamshell"},
        "id: 'clamshell' is a bundled exercise; add replace = true to replace it, or choose "
        "another id",
    ),
    (
        {"replace": True, "id": "clamshel"},
        "replace: there is no bundled exercise 'clamshel' to replace (did you mean 'clamshell'?)",
    ),
]


@pytest.mark.parametrize(
    ("changes", "problem"), BAD_FIELDS, ids=[p.split(":")[0] for _, p in BAD_FIELDS]
)
def test_config_check_names_the_bad_custom_field(cli, config_file, changes, problem):
    write_custom(config_file, **changes)
    result = cli("config", "check")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {config_file}: [[exercises.custom]] #1 {problem}\n"


def test_config_check_counts_custom_entries_from_one(cli, config_file):
    config_file.write_text(STAIRS + STAIRS.replace("office-stairs", "more-stairs") + STAIRS)
    result = cli("config", "check")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config_file}: [[exercises.custom]] #3 id: 'office-stairs' is already used by "
        "[[exercises.custom]] #1\n"
    )


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        (
            'exclude = ["glute-brige"]',
            "[exercises] exclude: unknown exercise id 'glute-brige' (did you mean 'glute-bridge'?)",
        ),
        (
            'categories = ["move"]\nspaces = ["floor"]',
            "[exercises] categories and spaces leave nothing to choose: no move exercise has "
            "space floor; add a category or a space",
        ),
    ],
)
def test_config_check_reports_filters_that_cannot_work(cli, config_file, section, problem):
    config_file.write_text(f"[exercises]\n{section}\n")
    result = cli("config", "check")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {config_file}: {problem}\n"


def test_config_check_accepts_good_custom_exercises(cli, config_file):
    config_file.write_text('[exercises]\nexclude = ["office-stairs"]\n' + STAIRS)
    result = cli("config", "check")
    assert result.exit_code == 0
    assert result.stdout == f"ok: {config_file}\n"


# --- shell completion ------------------------------------------------------------------


def complete(incomplete: str, *args: str) -> list[tuple[str, str | None]]:
    shell = ShellComplete(main, {}, "glutewake", "_GLUTEWAKE_COMPLETE")
    items = shell.get_completions([*args, "exercises", "show"], incomplete)
    return [(item.value, item.help) for item in items]


def test_show_completes_ids():
    assert complete("glute") == [("glute-bridge", "Glute bridge")]
    assert [value for value, _ in complete("")] == [e.id for e in BUNDLED]


def test_completion_includes_custom_exercises(config_file):
    config_file.write_text(STAIRS)
    assert complete("office") == [("office-stairs", "Office stairs")]


def test_completion_reads_the_config_named_by_flag(tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(STAIRS)
    assert complete("office", "--config", str(other)) == [("office-stairs", "Office stairs")]


def test_completion_falls_back_to_bundled_when_the_config_is_bad(config_file):
    config_file.write_text(STAIRS + "\n[timer]\nsit = 5\n")
    assert complete("office") == []
    assert complete("clam") == [("clamshell", "Clamshell")]


def test_the_table_says_what_the_config_does_not_offer(cli, config_file):
    config_file.write_text('[exercises]\nspaces = ["desk"]\n')
    text = cli("exercises").stdout
    table, note = text.split("\n\n")
    assert "glute-bridge" in table  # the whole catalog is listed ...
    note = " ".join(note.split())
    assert note.startswith("not offered by your [exercises] settings (")  # ... and marked
    assert "glute-bridge" in note and "seated-glute-squeeze" not in note
    config_file.write_text('[exercises]\nspaces = ["desk", "standing", "floor"]\n')
    assert "not offered" not in cli("exercises").stdout


def test_exercises_longer_than_the_break_are_not_offered_as_the_chooser_has_it(cli, config_file):
    import random

    from glutewake.catalog import Picker, build_catalog
    from glutewake.config import ExerciseSettings

    # A 1-minute break: the chooser never picks a 3-minute walk; `exercises` says so.
    config_file.write_text('[timer]\nbreak = "1m"\n')
    rows = {row["id"]: row for row in json.loads(cli("exercises", "--format", "json").stdout)}
    assert (rows["walk-around"]["eligible"], rows["walk-around"]["not_offered"]) == (
        False,
        "too_long",
    )
    assert (rows["glute-bridge"]["eligible"], rows["glute-bridge"]["not_offered"]) == (
        False,
        "filters",  # floor: left out by the [exercises] defaults, whatever its length
    )
    assert (rows["sit-to-stand"]["eligible"], rows["sit-to-stand"]["not_offered"]) == (True, None)
    picker = Picker(build_catalog(ExerciseSettings()), [], {}, 0, random.Random(1), fit_s=60)
    picked = {picker(None).id for _ in range(200)}
    assert picked == {i for i, row in rows.items() if row["eligible"]}

    text = " ".join(cli("exercises").stdout.split())
    assert "not offered, longer than [timer] break 1m (" in text
    assert "walk-around" in text.split("longer than [timer] break 1m")[1]
    assert "sit-to-stand" not in text.split("longer than [timer] break 1m")[1]
