"""The bundled catalog's content and schema, custom exercises, and choosing the next one."""

from __future__ import annotations

import itertools
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from glutewake.card import MIN_WIDTH, PAIN_RULE, card_width, dose_text, render_card
from glutewake.catalog import (
    MOVE_GAP,
    Catalog,
    Exercise,
    build_catalog,
    choose_next,
    load_bundled,
)
from glutewake.checks import closest
from glutewake.config import ExerciseSettings
from glutewake.errors import CatalogError, ConfigError
from glutewake.files import package_text
from glutewake.vocab import CATEGORIES, LEVELS, SPACES
from helpers import custom_entry

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

BUNDLED = load_bundled()
BUNDLED_IDS = [e.id for e in BUNDLED]
SOURCE = Path("/cfg/config.toml")
OFFICE = ("desk", "standing")


def raw_bundled() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = tomllib.loads(package_text("exercises.toml"))["exercise"]
    return entries


def prefs(**values: Any) -> ExerciseSettings:
    return ExerciseSettings(**values)


# --- the bundled file ------------------------------------------------------------------


def test_bundled_counts():
    by_category = Counter(e.category for e in BUNDLED)
    assert len(BUNDLED) >= 40
    assert by_category["glutes"] >= 16
    assert by_category["hip_flexors"] >= 12
    assert by_category["move"] >= 8


def test_an_office_user_without_the_floor_gets_both_halves_in_full():
    office = [e for e in BUNDLED if e.space in OFFICE]
    by_category = Counter(e.category for e in office)
    assert by_category["glutes"] >= 12
    assert by_category["hip_flexors"] >= 8
    # And the easy ones alone still alternate well.
    easy = Counter(e.category for e in office if e.level == "easy")
    assert easy["glutes"] >= 8 and easy["hip_flexors"] >= 6


def _text(exercise: Exercise) -> str:
    return " ".join([*exercise.steps, exercise.cue, exercise.caution or ""])


@pytest.mark.parametrize("exercise", BUNDLED, ids=BUNDLED_IDS)
def test_every_stretch_card_ends_with_the_pain_rule(exercise: Exercise):
    card = render_card(exercise)
    is_stretch = exercise.category == "hip_flexors"
    assert card.endswith("\n" + PAIN_RULE) == is_stretch
    assert (PAIN_RULE in card) == is_stretch
    assert ("\nStretches: " in card) == is_stretch
    assert ("\nWorks: " in card) != is_stretch


# A chair that must stay put: sat on sideways, stood up from, or loaded through its seat.
_FIXED_CHAIR = re.compile(
    r"(stand up|sit (back )?down|sideways|edge of|on the seat|seat behind|your back to)", re.I
)


@pytest.mark.parametrize("exercise", BUNDLED, ids=BUNDLED_IDS)
def test_no_card_needs_a_fixed_chair_without_saying_so(exercise: Exercise):
    steps = " ".join(exercise.steps)
    if "chair" in steps.lower() and _FIXED_CHAIR.search(steps):
        assert exercise.caution is not None, exercise.id
        assert "wheels" in exercise.caution, exercise.id


def test_the_fixed_chair_rule_finds_the_chair_cards():
    flagged = {
        e.id
        for e in BUNDLED
        if "chair" in " ".join(e.steps).lower() and _FIXED_CHAIR.search(" ".join(e.steps))
    }
    assert {"sit-to-stand", "chair-lunge-stretch", "chair-quad-stretch"} <= flagged
    assert "seated-glute-squeeze" not in flagged


@pytest.mark.parametrize(
    "exercise", [e for e in BUNDLED if e.category == "hip_flexors"], ids=lambda e: e.id
)
def test_hip_flexor_cards_explain_the_tuck_the_first_time(exercise: Exercise):
    first = next((s for s in exercise.steps if "tuck" in s.lower()), None)
    if first is not None:
        assert "tuck your tailbone under so your lower back flattens" in first.lower()


def test_no_card_names_another_by_its_id():
    # An id in prose reads as jargon and wraps badly; name the exercise instead.
    for exercise in BUNDLED:
        for other in BUNDLED_IDS:
            if "-" in other:
                assert other not in _text(exercise), (exercise.id, other)


def test_the_reviewed_gaps_are_filled():
    for exercise_id, category, space in [
        ("wall-hip-hinge", "glutes", "standing"),
        ("wall-hip-press", "glutes", "standing"),
        ("side-lying-leg-raise", "glutes", "floor"),
        ("standing-squeeze", "glutes", "desk"),
        ("step-up", "glutes", "standing"),
        ("walk-to-colleague", "move", "standing"),
        ("farthest-bathroom", "move", "standing"),
    ]:
        exercise = next(e for e in BUNDLED if e.id == exercise_id)
        assert (exercise.category, exercise.space) == (category, space)
    leg_swings = next(e for e in BUNDLED if e.id == "leg-swings")
    assert leg_swings.category == "move"
    assert not any("as hard as you can" in _text(e) for e in BUNDLED)


def test_paced_reps_have_what_the_guided_break_needs():
    for exercise in BUNDLED:
        if exercise.hold is not None or exercise.tempo is not None:
            assert exercise.reps is not None, exercise.id
        if exercise.reps is not None:
            # Every bundled rep exercise is paced: a hold or a tempo, never a bare count.
            assert (exercise.hold is None) != (exercise.tempo is None), exercise.id


def test_every_raw_entry_spells_out_every_field():
    required = {"id", "name", "category", "space", "level", "targets", "steps", "cue"}
    for raw in raw_bundled():
        assert required <= raw.keys(), raw.get("id")
        assert "duration" in raw or "reps" in raw, raw["id"]
        assert "replace" not in raw, raw["id"]


@pytest.mark.parametrize("exercise", BUNDLED, ids=BUNDLED_IDS)
def test_bundled_exercise_schema(exercise: Exercise):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", exercise.id)
    assert exercise.category in CATEGORIES
    assert exercise.space in SPACES
    assert exercise.level in LEVELS
    assert exercise.sides in (1, 2)
    assert exercise.duration is not None or exercise.reps is not None
    assert 1 <= len(exercise.targets) <= 6
    assert 2 <= len(exercise.steps) <= 6
    assert not exercise.custom
    # Short enough for a table row and a notification title.
    assert len(exercise.id) <= 21 and len(exercise.name) <= 20
    for sentence in (*exercise.steps, exercise.cue, *filter(None, [exercise.caution])):
        assert sentence[0].isupper() and sentence.endswith("."), sentence
        assert len(sentence) <= 120, sentence
    # A cue is specific advice, not a restatement of the name.
    assert len(exercise.cue.split()) >= 8


def test_bundled_ids_are_unique():
    assert len(set(BUNDLED_IDS)) == len(BUNDLED_IDS)


def test_bundled_text_makes_no_medical_claims():
    claims = re.compile(
        r"\b(cures?|treats?|treatment|heals?|therap\w*|diagnos\w*|prevents?)\b", re.I
    )
    for exercise in BUNDLED:
        text = " ".join([exercise.name, *exercise.steps, exercise.cue, exercise.caution or ""])
        assert not claims.search(text), (exercise.id, claims.search(text))


def test_stretches_and_moves_have_a_time_and_strength_work_has_reps():
    for exercise in BUNDLED:
        if exercise.category == "glutes":
            assert exercise.reps is not None, exercise.id
        elif exercise.category == "move":
            assert exercise.duration is not None, exercise.id
            assert exercise.duration * exercise.sides >= 60, exercise.id


def test_bundled_entries_pass_the_custom_rules_too():
    # One validator for both: every bundled table is a valid replacing custom exercise.
    custom = tuple({**raw, "replace": True} for raw in raw_bundled())
    catalog = build_catalog(prefs(custom=custom), SOURCE)
    assert [replace(e, custom=False) for e in catalog.exercises] == list(BUNDLED)
    assert all(e.custom for e in catalog.exercises)


def test_load_bundled_is_read_once():
    assert load_bundled() is load_bundled()


# --- dose and card ---------------------------------------------------------------------


def _exercise(**changes: Any) -> Exercise:
    base = Exercise(
        id="x",
        name="X",
        category="glutes",
        space="desk",
        duration=None,
        reps=None,
        sides=1,
        level="easy",
        targets=("gluteus maximus",),
        steps=("Do this.", "Then that."),
        cue="Squeeze.",
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "dose"),
    [
        ({"duration": 60}, "60s"),
        ({"duration": 90}, "90s"),
        ({"duration": 120}, "2m"),
        ({"duration": 150}, "2m30s"),
        ({"duration": 30, "sides": 2}, "30s per side"),
        ({"reps": 10}, "10 reps"),
        ({"reps": 1}, "1 rep"),
        ({"reps": 10, "sides": 2}, "10 reps per side"),
        ({"reps": 8, "sides": 2, "duration": 45}, "8 reps per side · 45s"),
        ({"reps": 5, "sides": 2, "hold": 10}, "5 reps per side · hold 10s"),
        ({"reps": 10, "tempo": 3}, "10 reps"),
    ],
)
def test_dose(changes: dict[str, Any], dose: str):
    exercise = _exercise(**changes)
    assert exercise.dose == dose
    assert dose_text(exercise) == dose  # the card's (translated) dose, in English


@pytest.mark.parametrize("width", [MIN_WIDTH, 60, 78, 100])
def test_card_has_everything_and_fits_the_width(width: int):
    for exercise in BUNDLED:
        card = render_card(exercise, width)
        assert card.startswith(f"{exercise.name}  ({exercise.id})\n")
        assert exercise.dose in " ".join(card.splitlines()[1:3])
        for number in range(1, len(exercise.steps) + 1):
            assert f"  {number}. " in card
        assert "\nCue: " in card
        assert ("\nCaution: " in card) == (exercise.caution is not None)
        lines = card.splitlines()
        assert max(len(line) for line in lines[1:]) <= width
        # Wrapping loses no words and never splits one at a hyphen.
        flat = " ".join(card.split())
        assert flat.count(" ".join(exercise.cue.split())) == 1
        for sentence in exercise.steps:
            assert " ".join(sentence.split()) in flat
        assert not any(line.endswith("-") for line in lines), exercise.id


def test_card_never_narrower_than_the_minimum():
    exercise = next(e for e in BUNDLED if e.id == "sit-to-stand")
    assert render_card(exercise, 20) == render_card(exercise, MIN_WIDTH)
    assert card_width(20) == MIN_WIDTH
    assert card_width(None) == 78
    assert card_width(60) == 60
    assert card_width(300) == 100


def test_card_keeps_hyphenated_words_whole():
    exercise = _exercise(cue="Keep the knee over your toes and do the whole sit-to-stand slowly.")
    lines = render_card(exercise, 40).splitlines()
    assert any("sit-to-stand" in line for line in lines)


def test_card_exact_layout():
    exercise = _exercise(
        name="Glute bridge",
        id="glute-bridge",
        category="hip_flexors",
        space="floor",
        reps=12,
        caution="Take care.",
    )
    assert render_card(exercise) == (
        "Glute bridge  (glute-bridge)\n"
        "Hip flexors · on the floor · easy · 12 reps\n"
        "Stretches: gluteus maximus\n"
        "\n"
        "  1. Do this.\n"
        "  2. Then that.\n"
        "\n"
        "Cue: Squeeze.\n"
        "Caution: Take care.\n"
        "A firm pull, never pain; no bouncing."
    )
    glutes = render_card(replace(exercise, category="glutes", caution=None))
    assert glutes.endswith(
        "Works: gluteus maximus\n\n  1. Do this.\n  2. Then that.\n\nCue: Squeeze."
    )


def test_card_marks_custom_exercises():
    assert render_card(_exercise(custom=True, duration=60)).startswith("X  (x, your own)\n")


# --- the catalog: lookups, custom exercises, filters -----------------------------------


def test_get_and_unknown_id_suggests_the_closest():
    catalog = build_catalog(prefs())
    assert catalog.get("glute-bridge").name == "Glute bridge"
    with pytest.raises(CatalogError) as err:
        catalog.get("brige")
    assert str(err.value) == (
        "unknown exercise 'brige'; did you mean glute-bridge, single-leg-bridge, bridge-march?"
    )
    with pytest.raises(CatalogError) as err:
        catalog.get("zzz")
    assert str(err.value) == "unknown exercise 'zzz'; `glutewake exercises` lists them all"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("glute-brige", ["glute-bridge"]),
        ("bridge", ["glute-bridge", "single-leg-bridge", "bridge-march"]),
        ("squat", ["bodyweight-squat", "split-squat"]),
        ("clamshel", ["clamshell"]),
        ("hipflexor", ["hip-flexor-stretch", "hip-flexor-reach"]),
        ("qqqq", []),
        ("flexor-reach", ["hip-flexor-reach", "hip-flexor-stretch"]),
        ("eeze", []),  # inside "squeeze", but not where a word of an id begins
        ("ab", []),  # too short to be a slip of any longer id
    ],
)
def test_closest(word: str, expected: list[str]):
    assert closest(word, BUNDLED_IDS) == expected


def test_custom_exercises_join_the_catalog():
    catalog = build_catalog(prefs(custom=(custom_entry(),)), SOURCE)
    stairs = catalog.get("office-stairs")
    assert catalog.exercises[-1] == stairs
    assert len(catalog.exercises) == len(BUNDLED) + 1
    assert stairs.custom and stairs.duration == 120 and stairs.dose == "2m"
    assert stairs.sides == 1 and stairs.caution is None
    assert stairs in catalog.eligible()


def test_custom_replaces_a_bundled_one_in_place_only_when_asked():
    entry = custom_entry(id="glute-bridge", category="glutes", space="floor", replace=True)
    catalog = build_catalog(prefs(custom=(entry,)), SOURCE)
    assert catalog.ids == tuple(BUNDLED_IDS)
    assert catalog.get("glute-bridge").name == "Office stairs"
    with pytest.raises(ConfigError) as err:
        build_catalog(prefs(custom=(custom_entry(id="glute-bridge"),)), SOURCE)
    assert str(err.value) == (
        "/cfg/config.toml: [[exercises.custom]] #1 id: 'glute-bridge' is a bundled exercise; "
        "add replace = true to replace it, or choose another id"
    )


def test_replace_false_is_allowed_for_a_new_id():
    catalog = build_catalog(prefs(custom=(custom_entry(replace=False),)), SOURCE)
    assert "office-stairs" in catalog.ids


def test_custom_messages_without_a_source_have_no_file_prefix():
    with pytest.raises(ConfigError) as err:
        build_catalog(prefs(custom=(custom_entry(cue=None),)))
    assert str(err.value) == "[[exercises.custom]] #1 cue: missing; every exercise needs one"


def test_text_fields_are_normalised():
    entry = custom_entry(name="  Office \n stairs ", steps=["Walk  there.", "Climb\tup."])
    exercise = build_catalog(prefs(custom=(entry,))).get("office-stairs")
    assert exercise.name == "Office stairs"
    assert exercise.steps == ("Walk there.", "Climb up.")


def test_exclude_custom_id_is_known():
    settings = prefs(custom=(custom_entry(),), exclude=("office-stairs",))
    catalog = build_catalog(settings, SOURCE)
    assert "office-stairs" not in [e.id for e in catalog.eligible()]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"exclude": ("glute-brige",)},
            "[exercises] exclude: unknown exercise id 'glute-brige' (did you mean 'glute-bridge'?)",
        ),
        ({"exclude": ("zzz",)}, "[exercises] exclude: unknown exercise id 'zzz'"),
        (
            {"categories": ("move",), "spaces": ("floor",)},
            "[exercises] categories and spaces leave nothing to choose: no move exercise has "
            "space floor; add a category or a space",
        ),
        (
            {
                "categories": ("move",),
                "exclude": tuple(e.id for e in BUNDLED if e.category == "move"),
            },
            "[exercises] exclude: excludes all 9 exercises that categories, spaces and levels "
            "allow, leaving nothing to choose",
        ),
        (
            {"categories": ("move",), "spaces": ("desk",), "levels": ("moderate",)},
            "[exercises] levels: no move exercise with space desk is moderate; "
            "add a level or a space",
        ),
    ],
)
def test_filters_are_checked(settings: dict[str, Any], message: str):
    with pytest.raises(ConfigError) as err:
        build_catalog(prefs(**settings), SOURCE)
    assert str(err.value) == f"/cfg/config.toml: {message}"


def test_eligible_and_select():
    catalog = build_catalog(prefs(spaces=OFFICE, exclude=("sit-to-stand",)), SOURCE)
    assert all(e.space in OFFICE for e in catalog.eligible())
    assert "sit-to-stand" not in [e.id for e in catalog.eligible()]
    # select ignores the user's filters: it is for listing, not choosing.
    floor = catalog.select(spaces=("floor",))
    assert floor and all(e.space == "floor" for e in floor)
    assert catalog.select() == catalog.exercises


# --- choosing the next exercise --------------------------------------------------------


def simulate(
    catalog: Catalog, picks: int, seed: int, avoid_repeat: int
) -> list[tuple[Exercise, list[str], dict[str, float]]]:
    """Pick `picks` times in a row, doing each; returns (pick, recent, last_done) per pick."""
    rng = random.Random(seed)
    recent: list[str] = []
    last_done: dict[str, float] = {}
    trace = []
    for now in range(picks):
        exercise = choose_next(catalog, recent, last_done, rng, avoid_repeat)
        trace.append((exercise, list(recent), dict(last_done)))
        recent.insert(0, exercise.id)
        last_done[exercise.id] = float(now)
    return trace


def assert_rules(
    catalog: Catalog, trace: Sequence[tuple[Exercise, list[str], dict[str, float]]], avoid: int
) -> None:
    pool = catalog.eligible()
    present = {e.category for e in pool}
    categories = [pick.category for pick, _, _ in trace]
    for pick, recent, last_done in trace:
        assert pick in pool
        assert pick.id not in catalog.exclude
        window = recent[:avoid]
        same = [e for e in pool if e.category == pick.category]
        if pick.id in window:
            # Only when every exercise of that category was done within the window.
            assert all(e.id in window for e in same), (pick.id, window)
        fresh = [e for e in same if e.id not in window] or same
        if pick in fresh:
            older = [e for e in fresh if last_done.get(e.id, -1) < last_done.get(pick.id, -1)]
            assert not older, (pick.id, [e.id for e in older])
    if present - {"move"}:
        for i in range(len(categories)):
            assert categories[i : i + MOVE_GAP + 1].count("move") <= 1, categories
    if {"glutes", "hip_flexors"} <= present:
        halves = [c for c in categories if c != "move"]
        assert all(a != b for a, b in itertools.pairwise(halves)), halves
    else:
        assert set(categories) <= present


def test_a_thousand_default_picks_obey_every_rule():
    catalog = build_catalog(prefs())
    trace = simulate(catalog, 1200, seed=7, avoid_repeat=5)
    assert_rules(catalog, trace, 5)
    categories = Counter(pick.category for pick, _, _ in trace)
    # Moves come now and then; the two halves get equal turns.
    assert 0.10 < categories["move"] / 1200 < 0.30
    assert abs(categories["glutes"] - categories["hip_flexors"]) <= 1
    # With a large pool nothing repeats within the window at all.
    for pick, recent, _ in trace:
        assert pick.id not in recent[:5]
    # Everything eligible comes round, and by default nothing from the floor.
    assert {pick.id for pick, _, _ in trace} == {e.id for e in catalog.eligible()}
    assert {pick.space for pick, _, _ in trace} == set(OFFICE)


def test_levels_filter_keeps_to_the_levels_asked_for():
    catalog = build_catalog(prefs(levels=("easy",), spaces=SPACES))
    trace = simulate(catalog, 300, seed=4, avoid_repeat=5)
    assert_rules(catalog, trace, 5)
    assert {pick.level for pick, _, _ in trace} == {"easy"}


def test_an_office_user_gets_no_floor_work_and_both_halves():
    catalog = build_catalog(prefs(spaces=OFFICE))
    trace = simulate(catalog, 1000, seed=3, avoid_repeat=5)
    assert_rules(catalog, trace, 5)
    assert {pick.space for pick, _, _ in trace} <= set(OFFICE)
    assert {"glutes", "hip_flexors"} <= {pick.category for pick, _, _ in trace}


@pytest.mark.parametrize("only", CATEGORIES)
def test_one_category_just_rotates_within_it(only: str):
    catalog = build_catalog(prefs(categories=(only,)))
    trace = simulate(catalog, 300, seed=1, avoid_repeat=3)
    assert_rules(catalog, trace, 3)
    assert {pick.category for pick, _, _ in trace} == {only}
    for pick, recent, _ in trace:
        assert pick.id not in recent[:3]


def test_a_tiny_pool_relaxes_avoid_repeat_without_looping():
    keep = {"glute-bridge", "hip-flexor-stretch"}
    exclude = tuple(i for i in BUNDLED_IDS if i not in keep)
    catalog = build_catalog(prefs(exclude=exclude, spaces=SPACES))
    trace = simulate(catalog, 50, seed=2, avoid_repeat=10)
    assert [pick.id for pick, _, _ in trace[:4]] == [
        "glute-bridge",
        "hip-flexor-stretch",
        "glute-bridge",
        "hip-flexor-stretch",
    ]
    assert_rules(catalog, trace, 10)


def test_a_single_exercise_is_always_the_answer():
    exclude = tuple(i for i in BUNDLED_IDS if i != "clamshell")
    catalog = build_catalog(prefs(exclude=exclude, spaces=SPACES))
    rng = random.Random(0)
    for _ in range(5):
        assert choose_next(catalog, ["clamshell"], {"clamshell": 1.0}, rng, 5).id == "clamshell"
    assert choose_next(catalog, [], {}, rng, 5, not_id="clamshell").id == "clamshell"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    categories=st.sets(st.sampled_from(CATEGORIES), min_size=1),
    spaces=st.sets(st.sampled_from(SPACES), min_size=1),
    exclude=st.sets(st.sampled_from(BUNDLED_IDS), max_size=25),
    avoid_repeat=st.integers(0, 12),
    seed=st.integers(0, 2**32),
)
def test_any_filters_any_seed_obey_the_rules(
    categories: set[str], spaces: set[str], exclude: set[str], avoid_repeat: int, seed: int
):
    settings_ = prefs(
        categories=tuple(sorted(categories)),
        spaces=tuple(sorted(spaces)),
        exclude=tuple(sorted(exclude)),
    )
    try:
        catalog = build_catalog(settings_)
    except ConfigError:
        assume(False)
        return
    assert_rules(catalog, simulate(catalog, 40, seed, avoid_repeat), avoid_repeat)


def test_the_same_seed_gives_the_same_picks():
    catalog = build_catalog(prefs())
    first = [pick.id for pick, _, _ in simulate(catalog, 100, seed=42, avoid_repeat=5)]
    again = [pick.id for pick, _, _ in simulate(catalog, 100, seed=42, avoid_repeat=5)]
    other = [pick.id for pick, _, _ in simulate(catalog, 100, seed=43, avoid_repeat=5)]
    assert first == again != other


def test_another_gives_a_different_one_of_the_same_kind():
    catalog = build_catalog(prefs(categories=("glutes", "hip_flexors")))
    for seed in range(200):
        rng = random.Random(seed)
        shown = choose_next(catalog, ["hip-flexor-stretch"], {}, rng, 5)
        other = choose_next(catalog, ["hip-flexor-stretch"], {}, rng, 5, not_id=shown.id)
        assert other.id != shown.id
        assert other.category == shown.category == "glutes"


def test_another_falls_back_to_another_category_when_it_must():
    keep = {"glute-bridge", "hip-flexor-stretch", "couch-stretch"}
    exclude = tuple(i for i in BUNDLED_IDS if i not in keep)
    catalog = build_catalog(prefs(exclude=exclude, spaces=SPACES))
    rng = random.Random(0)
    assert choose_next(catalog, ["couch-stretch"], {}, rng, 5).id == "glute-bridge"
    other = choose_next(catalog, ["couch-stretch"], {}, rng, 5, not_id="glute-bridge")
    assert other.id == "hip-flexor-stretch"


def test_prefers_the_least_recently_done():
    catalog = build_catalog(prefs(categories=("glutes",)))
    glutes = [e.id for e in catalog.eligible()]
    # Everything done, in order, long ago; one done earliest of all.
    last_done = {exercise_id: 100.0 + i for i, exercise_id in enumerate(glutes)}
    last_done["split-squat"] = 1.0
    for seed in range(20):
        assert choose_next(catalog, [], last_done, random.Random(seed), 5).id == "split-squat"
    # Never done beats done long ago.
    del last_done["step-up"]
    assert choose_next(catalog, [], last_done, random.Random(0), 5).id == "step-up"


def test_alternates_from_the_history_in_the_log():
    catalog = build_catalog(prefs(categories=("glutes", "hip_flexors")))
    rng = random.Random(0)
    assert choose_next(catalog, [], {}, rng, 5).category == "glutes"
    assert choose_next(catalog, ["clamshell"], {}, rng, 5).category == "hip_flexors"
    assert choose_next(catalog, ["couch-stretch", "clamshell"], {}, rng, 5).category == "glutes"


def test_a_move_never_follows_a_recent_move():
    catalog = build_catalog(prefs())
    for seed in range(300):
        rng = random.Random(seed)
        assert choose_next(catalog, ["walk-around"], {}, rng, 5).category != "move"
        assert choose_next(catalog, ["clamshell", "side-steps"], {}, rng, 5).category != "move"


def test_unknown_ids_in_the_history_are_ignored():
    # A custom exercise that has since been deleted from the config may be in the log.
    catalog = build_catalog(prefs())
    pick = choose_next(catalog, ["gone-now", "clamshell"], {"gone-now": 5.0}, random.Random(0), 5)
    assert pick.category == "hip_flexors"


def test_custom_exercises_can_be_chosen():
    entry = custom_entry(id="desk-bridge", category="glutes", space="desk")
    catalog = build_catalog(prefs(custom=(entry,), categories=("glutes",)))
    last_done = {e.id: 10.0 for e in BUNDLED}
    assert choose_next(catalog, [], last_done, random.Random(0), 5).id == "desk-bridge"
    trace = simulate(catalog, 100, seed=5, avoid_repeat=5)
    assert "desk-bridge" in {pick.id for pick, _, _ in trace}


def test_choosing_from_nothing_is_an_error_not_a_loop():
    catalog = Catalog(exercises=BUNDLED, categories=("move",), spaces=("floor",))
    with pytest.raises(CatalogError) as err:
        choose_next(catalog, [], {}, random.Random(0), 5)
    assert str(err.value) == "no exercise to choose: the [exercises] filters exclude them all"


def test_the_chooser_prefers_exercises_that_fit_in_the_break():
    from glutewake.player import guided_seconds

    catalog = build_catalog(prefs(spaces=SPACES))
    rng = random.Random(0)
    recent: list[str] = []
    for _ in range(30):
        pick = choose_next(catalog, recent, {}, rng, 5, fit_s=45)
        assert guided_seconds(pick) <= 45, pick.id
        recent.insert(0, pick.id)
    # None fits in 20 s: the shortest (bodyweight squat, 30 s), and "another" gives the
    # next shortest rather than the same one again.
    assert choose_next(catalog, [], {}, rng, 5, fit_s=20).id == "bodyweight-squat"
    other = choose_next(catalog, [], {}, rng, 5, not_id="bodyweight-squat", fit_s=20)
    assert other.id != "bodyweight-squat" and guided_seconds(other) == 40
    # The default break (3m) fits every bundled exercise: the choice is unchanged.
    assert all(guided_seconds(e) <= 180 for e in catalog.eligible())
