"""The exercise catalog: the bundled exercises, the user's own, and which one comes next.

The bundled `exercises.toml` and the user's `[[exercises.custom]]` tables go through the
same validation, so a custom exercise can be anything a bundled one can be, and nothing
else. Choosing is pure: history and randomness come in as arguments.

One module over ~450 lines on purpose: loading (with translations), validating and
choosing all work on the Exercise type and the [exercises] settings, one concern.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glutewake.checks import (
    Check,
    boolean,
    closest,
    did_you_mean,
    duration,
    integer,
    one_of,
    type_name,
)
from glutewake.config import ExerciseSettings
from glutewake.durations import format_seconds
from glutewake.errors import CatalogError, ConfigError
from glutewake.files import package_text
from glutewake.i18n import N_, PSEUDO, _, language, pseudo
from glutewake.text import clip, shown
from glutewake.vocab import CATEGORIES, LEVELS, SPACES, parse_toml

BUNDLED_FILE = "exercises.toml"
# The two halves of the problem, taken in turn; "move" is slotted in now and then.
ALTERNATING = ("glutes", "hip_flexors")
MOVE = "move"
# A move break is allowed only when none of the last MOVE_GAP picks was one, so at most
# one pick in any MOVE_GAP + 1 consecutive picks is a move.
MOVE_GAP = 2
MOVE_CHANCE = 0.25

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ID = 40
MAX_NAME = 40
MAX_SENTENCE = 200
MIN_STEPS, MAX_STEPS = 2, 6
MAX_TARGETS = 6
# Seconds-long holds are allowed: a short pulse, or a quick demo of the guided break.
MIN_DURATION, MAX_DURATION = 1, 30 * 60
MAX_REPS = 100
MAX_BEAT = 60  # seconds: the longest hold, rest or tempo of one rep


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    category: str
    space: str
    duration: int | None  # seconds; per side when sides == 2 and reps is None
    reps: int | None  # per side when sides == 2
    sides: int
    level: str
    targets: tuple[str, ...]
    steps: tuple[str, ...]
    cue: str
    caution: str | None = None
    custom: bool = False
    # How the guided player paces reps (seconds; None = not stated):
    hold: int | None = None  # each rep is held this long (squeezes, presses)
    rest: int | None = None  # then relaxed this long before the next
    tempo: int | None = None  # one rep takes this long (moving reps)

    @property
    def dose(self) -> str:
        """How much: "60s", "10 reps", "10 reps per side", "8 reps per side · 45s"."""
        per_side = " per side" if self.sides == 2 else ""
        parts: list[str] = []
        if self.reps is not None:
            parts.append(f"{self.reps} rep{'s' if self.reps != 1 else ''}{per_side}")
        if self.hold is not None:
            parts.append(f"hold {self.hold}s")
        if self.duration is not None:
            parts.append(format_seconds(self.duration) + ("" if parts else per_side))
        return " · ".join(parts)


# --- validation: one set of rules for bundled and custom exercises ---------------------


class _BadField(Exception):
    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def _exercise_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value) or len(value) > MAX_ID:
        got = shown(value) if isinstance(value, str) else type_name(value)
        raise ValueError(
            _(
                'expected a kebab-case id like "glute-bridge" (lowercase letters, digits and '
                "single hyphens, at most {limit} characters), got {got}"
            ).format(limit=MAX_ID, got=got)
        )
    return value


def _text(limit: int) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(_("expected a string, got {what}").format(what=type_name(value)))
        text = " ".join(value.split())
        if not text:
            raise ValueError(_("expected some text, got an empty string"))
        if len(text) > limit:
            raise ValueError(
                _("expected at most {limit} characters, got {count}").format(
                    limit=limit, count=len(text)
                )
            )
        return text

    return check


def _sentences(minimum: int, maximum: int, what: str) -> Check:
    item = _text(MAX_SENTENCE)

    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise ValueError(
                _("expected a list of {minimum} to {maximum} {what}, got {got}").format(
                    minimum=minimum, maximum=maximum, what=_(what), got=type_name(value)
                )
            )
        if not minimum <= len(value) <= maximum:
            raise ValueError(
                _("expected {minimum} to {maximum} {what}, got {count}").format(
                    minimum=minimum, maximum=maximum, what=_(what), count=len(value)
                )
            )
        texts: list[str] = []
        for number, entry in enumerate(value, 1):
            try:
                texts.append(item(entry))
            except ValueError as exc:
                raise ValueError(
                    _("entry {number}: {problem}").format(number=number, problem=exc)
                ) from None
        return tuple(texts)

    return check


# toml key -> checker, in the order problems are reported.
_FIELDS: dict[str, Check] = {
    "id": _exercise_id,
    "name": _text(MAX_NAME),
    "category": one_of(CATEGORIES),
    "space": one_of(SPACES),
    "duration": duration(MIN_DURATION, MAX_DURATION),
    "reps": integer(1, MAX_REPS),
    "sides": integer(1, 2),
    "level": one_of(LEVELS),
    "targets": _sentences(1, MAX_TARGETS, N_("muscle names")),
    "steps": _sentences(MIN_STEPS, MAX_STEPS, N_("steps")),
    "cue": _text(MAX_SENTENCE),
    "caution": _text(MAX_SENTENCE),
    "hold": duration(1, MAX_BEAT),
    "rest": duration(1, MAX_BEAT),
    "tempo": duration(1, MAX_BEAT),
}
_REQUIRED = ("id", "name", "category", "space", "level", "targets", "steps", "cue")
# Only a user's exercise may replace a bundled one.
_CUSTOM_FIELDS: dict[str, Check] = {**_FIELDS, "replace": boolean}


def _parse_exercise(raw: Mapping[str, Any], *, custom: bool = False) -> tuple[Exercise, bool]:
    """One exercise table, validated; returns it and its `replace` flag.

    Raises _BadField naming the first key at fault.
    """
    fields = _CUSTOM_FIELDS if custom else _FIELDS
    for key in raw:
        if key not in fields:
            hint = did_you_mean(key, fields)
            raise _BadField(
                clip(key),
                _("unknown key{hint}; expected one of {choices}").format(
                    hint=hint, choices=", ".join(fields)
                ),
            )
    values: dict[str, Any] = {}
    for key, check in fields.items():
        if key in raw:
            try:
                values[key] = check(raw[key])
            except ValueError as exc:
                raise _BadField(key, str(exc)) from None
        elif key in _REQUIRED:
            raise _BadField(key, _("missing; every exercise needs one"))
    if "duration" not in values and "reps" not in values:
        raise _BadField("duration", _('missing; expected duration (like "60s") and/or reps'))
    for key in ("hold", "rest", "tempo"):
        if key in values and "reps" not in values:
            raise _BadField(key, _("paces reps; expected reps as well"))
    if "rest" in values and "hold" not in values:
        raise _BadField("rest", _("is the pause after a hold; expected hold as well"))
    if "tempo" in values and "hold" in values:
        raise _BadField("tempo", _("expected hold or tempo, not both"))
    replace = values.pop("replace", False)
    exercise = Exercise(
        id=values["id"],
        name=values["name"],
        category=values["category"],
        space=values["space"],
        duration=values.get("duration"),
        reps=values.get("reps"),
        sides=values.get("sides", 1),
        level=values["level"],
        targets=values["targets"],
        steps=values["steps"],
        cue=values["cue"],
        caution=values.get("caution"),
        custom=custom,
        hold=values.get("hold"),
        rest=values.get("rest"),
        tempo=values.get("tempo"),
    )
    return exercise, replace


# --- loading ---------------------------------------------------------------------------


def load_bundled() -> tuple[Exercise, ...]:
    """The exercises shipped with glutewake, in the language in effect (validated once)."""
    return _bundled_in(language())


@functools.cache
def _bundled_in(lang: str) -> tuple[Exercise, ...]:
    english = _bundled_english()
    if lang == "en":
        return english
    if lang == PSEUDO:
        return tuple(_pseudo_exercise(e) for e in english)
    try:
        translated, _problems = translate(english, lang)
    except FileNotFoundError:
        return english  # a language with messages but no exercises yet
    return translated


def log_name(exercise: Exercise) -> str:
    """The name the log records: a bundled exercise's English (canonical) name whatever
    language the loop shows it in, so the log and its JSON/CSV stay English and displays
    translate by id; a custom exercise (or one that replaces a bundled id) keeps its own."""
    shown = {e.id: e.name for e in _bundled_in(language())}
    if shown.get(exercise.id) != exercise.name:
        return exercise.name
    english = {e.id: e.name for e in _bundled_english()}
    return english.get(exercise.id, exercise.name)


@functools.cache
def _bundled_english() -> tuple[Exercise, ...]:
    doc = parse_toml(package_text(BUNDLED_FILE), Path(BUNDLED_FILE))
    entries = doc.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{BUNDLED_FILE}: expected [[exercise]] tables")
    exercises: list[Exercise] = []
    for number, raw in enumerate(entries, 1):
        where = f"{BUNDLED_FILE}: [[exercise]] #{number}"
        try:
            exercise, _replace = _parse_exercise(raw)
        except _BadField as exc:
            raise CatalogError(f"{where} {exc}") from None
        if any(e.id == exercise.id for e in exercises):
            raise CatalogError(f"{where} id: {shown(exercise.id)} is used twice")
        exercises.append(exercise)
    return tuple(exercises)


# --- translations: exercises.LANG.toml beside exercises.toml ----------------------------

# What a translation gives for each bundled id; the rest (dose, category...) is shared.
TRANSLATED = ("name", "targets", "steps", "cue", "caution")


def translation_file(lang: str) -> str:
    return f"exercises.{lang}.toml"


def translate(english: Sequence[Exercise], lang: str) -> tuple[tuple[Exercise, ...], list[str]]:
    """The exercises with `lang`'s texts, and every problem with the translation file.

    Each table is validated by the bundled rules, and must have as many steps and targets
    as the English and a caution exactly where the English has one. An exercise missing
    or wrong in the file stays English at run time; the problems list says so (a test
    fails on any). Raises FileNotFoundError when `lang` has no file.
    """
    name = translation_file(lang)
    doc = parse_toml(package_text(name), Path(name))
    problems: list[str] = []
    out: list[Exercise] = []
    for exercise in english:
        raw = doc.get(exercise.id)
        if not isinstance(raw, dict):
            problems.append(f"{name}: [{exercise.id}] missing")
            out.append(exercise)
            continue
        try:
            out.append(_translated(exercise, raw))
        except _BadField as exc:
            problems.append(f"{name}: [{exercise.id}] {exc}")
            out.append(exercise)
    known = {e.id for e in english}
    problems += [f"{name}: [{key}] is not a bundled exercise" for key in doc if key not in known]
    return tuple(out), problems


def _translated(exercise: Exercise, raw: Mapping[str, Any]) -> Exercise:
    for key in raw:
        if key not in TRANSLATED:
            raise _BadField(clip(key), f"unknown key; expected one of {', '.join(TRANSLATED)}")
    values: dict[str, Any] = {}
    for key in TRANSLATED:
        present = getattr(exercise, key) is not None
        if key not in raw:
            if present:
                raise _BadField(key, "missing; the English has one")
            continue
        if not present:
            raise _BadField(key, "the English has none")
        try:
            values[key] = _FIELDS[key](raw[key])
        except ValueError as exc:
            raise _BadField(key, str(exc)) from None
    for key in ("steps", "targets"):
        if len(values[key]) != len(getattr(exercise, key)):
            count = len(getattr(exercise, key))
            raise _BadField(
                key, f"expected {count} entries like the English, got {len(values[key])}"
            )
    return dataclasses.replace(exercise, **values)


def _pseudo_exercise(exercise: Exercise) -> Exercise:
    return dataclasses.replace(
        exercise,
        name=pseudo(exercise.name),
        targets=tuple(map(pseudo, exercise.targets)),
        steps=tuple(map(pseudo, exercise.steps)),
        cue=pseudo(exercise.cue),
        caution=pseudo(exercise.caution) if exercise.caution else None,
    )


@dataclass(frozen=True)
class Catalog:
    """Every exercise (bundled and custom) and the user's filters over them."""

    exercises: tuple[Exercise, ...]
    categories: tuple[str, ...] = CATEGORIES
    spaces: tuple[str, ...] = SPACES
    exclude: frozenset[str] = frozenset()
    levels: tuple[str, ...] = LEVELS
    _by_id: dict[str, Exercise] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.exercises})

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def get(self, exercise_id: str) -> Exercise:
        try:
            return self._by_id[exercise_id]
        except KeyError:
            raise CatalogError(unknown_id_message(exercise_id, self.ids)) from None

    def is_eligible(self, exercise: Exercise) -> bool:
        """Allowed by the user's categories, spaces, levels and exclude."""
        return (
            exercise.category in self.categories
            and exercise.space in self.spaces
            and exercise.level in self.levels
            and exercise.id not in self.exclude
        )

    def eligible(self) -> tuple[Exercise, ...]:
        return tuple(e for e in self.exercises if self.is_eligible(e))

    def select(
        self, categories: Sequence[str] = (), spaces: Sequence[str] = ()
    ) -> tuple[Exercise, ...]:
        """Every exercise in any of `categories` and `spaces` (empty: no filter)."""
        return tuple(
            e
            for e in self.exercises
            if (not categories or e.category in categories) and (not spaces or e.space in spaces)
        )


def unknown_id_message(exercise_id: str, ids: Sequence[str]) -> str:
    close = closest(exercise_id, ids)
    if close:
        return _("unknown exercise {id}; did you mean {choices}?").format(
            id=shown(exercise_id), choices=", ".join(close)
        )
    return _("unknown exercise {id}; `glutewake exercises` lists them all").format(
        id=shown(exercise_id)
    )


def build_catalog(prefs: ExerciseSettings, source: Path | None = None) -> Catalog:
    """The bundled exercises plus the user's, with the user's filters checked.

    Every problem is a ConfigError naming `source` (the config file) and the key.
    """
    where = f"{source}: " if source is not None else ""
    exercises = _with_custom(load_bundled(), prefs.custom, where)
    catalog = Catalog(
        exercises=exercises,
        categories=prefs.categories,
        spaces=prefs.spaces,
        exclude=frozenset(prefs.exclude),
        levels=prefs.levels,
    )
    _check_exclude(prefs.exclude, catalog, where)
    _check_choosable(catalog, where)
    return catalog


def _with_custom(
    bundled: tuple[Exercise, ...], custom: Sequence[Mapping[str, Any]], where: str
) -> tuple[Exercise, ...]:
    merged = {e.id: e for e in bundled}
    seen: dict[str, int] = {}
    for number, raw in enumerate(custom, 1):
        label = f"{where}[[exercises.custom]] #{number}"
        try:
            exercise, replace = _parse_exercise(raw, custom=True)
        except _BadField as exc:
            raise ConfigError(f"{label} {exc}") from None
        if exercise.id in seen:
            raise ConfigError(
                _("{where} id: {id} is already used by [[exercises.custom]] #{number}").format(
                    where=label, id=shown(exercise.id), number=seen[exercise.id]
                )
            )
        is_bundled = exercise.id in merged
        if is_bundled and not replace:
            raise ConfigError(
                _(
                    "{where} id: {id} is a bundled exercise; add replace = true to "
                    "replace it, or choose another id"
                ).format(where=label, id=shown(exercise.id))
            )
        if replace and not is_bundled:
            raise ConfigError(
                _("{where} replace: there is no bundled exercise {id} to replace{hint}").format(
                    where=label, id=shown(exercise.id), hint=did_you_mean(exercise.id, list(merged))
                )
            )
        seen[exercise.id] = number
        # A replacement keeps the bundled one's place in the list; new ones go last.
        merged[exercise.id] = exercise
    return tuple(merged.values())


def _check_exclude(exclude: Sequence[str], catalog: Catalog, where: str) -> None:
    for exercise_id in exclude:
        if exercise_id not in catalog.ids:
            close = closest(exercise_id, catalog.ids)
            hint = (
                _(" (did you mean {choice!r}?)").format(choice=close[0])
                if len(close) == 1
                else _(" (did you mean {choices}?)").format(choices=", ".join(map(repr, close)))
                if close
                else ""
            )
            raise ConfigError(
                _("{where}[exercises] exclude: unknown exercise id {id}{hint}").format(
                    where=where, id=shown(exercise_id), hint=hint
                )
            )


def _check_choosable(catalog: Catalog, where: str) -> None:
    if catalog.eligible():
        return
    allowed = catalog.select(catalog.categories, catalog.spaces)
    categories = _(" or ").join(catalog.categories)
    spaces = _(" or ").join(catalog.spaces)
    leveled = [e for e in allowed if e.level in catalog.levels]
    if leveled:
        raise ConfigError(
            _(
                "{where}[exercises] exclude: excludes all {count} exercises that "
                "categories, spaces and levels allow, leaving nothing to choose"
            ).format(where=where, count=len(leveled))
        )
    if allowed:
        raise ConfigError(
            _(
                "{where}[exercises] levels: no {categories} exercise with space {spaces} "
                "is {levels}; add a level or a space"
            ).format(
                where=where,
                categories=categories,
                spaces=spaces,
                levels=_(" or ").join(catalog.levels),
            )
        )
    raise ConfigError(
        _(
            "{where}[exercises] categories and spaces leave nothing to choose: no "
            "{categories} exercise has space {spaces}; add a category or a space"
        ).format(where=where, categories=categories, spaces=spaces)
    )


# --- choosing --------------------------------------------------------------------------


def choose_next(
    catalog: Catalog,
    recent: Sequence[str],
    last_done: Mapping[str, float],
    rng: random.Random,
    avoid_repeat: int,
    not_id: str | None = None,
    fit_s: int | None = None,
) -> Exercise:
    """The exercise for the next break.

    `recent`: ids done most recent first; `last_done`: id -> when it was last done (any
    increasing number); `not_id`: the one on screen when the user asks for another;
    `fit_s`: the break's length ([timer] break): only exercises whose guided run fits in
    it are chosen, or when none does, the shortest (a break lasts as long as its exercise).
    Alternates glutes and hip flexors, slots in a move now and then (never two within
    MOVE_GAP + 1 picks), and within the category avoids the last `avoid_repeat` and
    prefers the least recently done. A rule that the eligible pool cannot satisfy is
    relaxed rather than failed.
    """
    pool = offered(catalog, fit_s, not_id)
    if not pool:
        raise CatalogError(_("no exercise to choose: the [exercises] filters exclude them all"))
    category_of = {e.id: e.category for e in catalog.exercises}
    history = [category_of.get(exercise_id) for exercise_id in recent]
    category = _next_category({e.category for e in pool}, history, rng)
    candidates = [e for e in pool if e.category == category]
    return _least_recent(candidates, recent, last_done, rng, avoid_repeat)


def offered(catalog: Catalog, fit_s: int | None, not_id: str | None = None) -> tuple[Exercise, ...]:
    """The exercises a break may choose: those the [exercises] filters allow (but `not_id`,
    unless it is the only one) that fit in a break of `fit_s` seconds."""
    pool = catalog.eligible()
    others = tuple(e for e in pool if e.id != not_id)
    return fitting(others or pool, fit_s)


# Why a break never chooses an exercise (`exercises --format json`, "not_offered").
NOT_OFFERED_FILTERS = "filters"  # left out by the [exercises] settings
NOT_OFFERED_TOO_LONG = "too_long"  # does not fit in [timer] break (others do)


def not_offered(catalog: Catalog, fit_s: int | None) -> dict[str, str]:
    """Each exercise a break never chooses, and why (by the chooser's own rule)."""
    chosen = {e.id for e in offered(catalog, fit_s)}
    return {
        e.id: NOT_OFFERED_FILTERS if not catalog.is_eligible(e) else NOT_OFFERED_TOO_LONG
        for e in catalog.exercises
        if e.id not in chosen
    }


def fitting(pool: Sequence[Exercise], fit_s: int | None) -> tuple[Exercise, ...]:
    """The exercises of `pool` that fit in a break of `fit_s` seconds; none: the shortest."""
    from glutewake.player import guided_seconds

    if fit_s is None or not pool:
        return tuple(pool)
    length = {e.id: guided_seconds(e) for e in pool}
    fits = tuple(e for e in pool if length[e.id] <= fit_s)
    if fits:
        return fits
    shortest = min(length.values())
    return tuple(e for e in pool if length[e.id] == shortest)


def shortest_over(catalog: Catalog, fit_s: int) -> int | None:
    """None when some eligible exercise fits in `fit_s`; else how long the shortest runs."""
    from glutewake.player import guided_seconds

    lengths = [guided_seconds(e) for e in catalog.eligible()]
    if not lengths or min(lengths) <= fit_s:
        return None
    return min(lengths)


def _next_category(present: set[str], history: Sequence[str | None], rng: random.Random) -> str:
    halves = [c for c in ALTERNATING if c in present]
    if not halves:
        return MOVE
    move_allowed = MOVE in present and MOVE not in history[:MOVE_GAP]
    if move_allowed and rng.random() < MOVE_CHANCE:
        return MOVE
    last = next((c for c in history if c in ALTERNATING), None)
    # The half not done last; with no history, glutes first (wake them, then stretch).
    return next((c for c in halves if c != last), halves[0])


def _least_recent(
    candidates: Sequence[Exercise],
    recent: Sequence[str],
    last_done: Mapping[str, float],
    rng: random.Random,
    avoid_repeat: int,
) -> Exercise:
    age: dict[str, float] = {}
    for index, exercise_id in enumerate(recent):
        age.setdefault(exercise_id, index)

    def picks_ago(e: Exercise) -> float:
        return age.get(e.id, math.inf)

    # Avoid the last `avoid_repeat`; with too few candidates, avoid as many as possible.
    bar = min(avoid_repeat, max(picks_ago(e) for e in candidates))
    fresh = [e for e in candidates if picks_ago(e) >= bar]

    def staleness(e: Exercise) -> tuple[float, float]:
        # Smaller is longer ago; never done sorts first.
        return (last_done.get(e.id, -math.inf), -picks_ago(e))

    oldest = min(staleness(e) for e in fresh)
    return rng.choice([e for e in fresh if staleness(e) == oldest])


class Picker:
    """The exercise chooser the tracker calls, remembering what was shown and done."""

    def __init__(
        self,
        catalog: Catalog,
        recent: list[str],
        last_done: dict[str, float],
        avoid_repeat: int,
        rng: random.Random,
        fit_s: int | None = None,
    ) -> None:
        self.catalog, self.recent, self.last_done = catalog, recent, last_done
        self.avoid_repeat, self.rng = avoid_repeat, rng
        self.fit_s = fit_s  # [timer] break: exercises that fit in it come first

    def __call__(self, not_id: str | None) -> Exercise:
        if not_id is not None and self.recent[:1] == [not_id]:
            # "another": the one passed over does not count as a pick, so the
            # replacement is of the same kind rather than the next in the alternation.
            self.recent.pop(0)
        exercise = choose_next(
            self.catalog,
            self.recent,
            self.last_done,
            self.rng,
            self.avoid_repeat,
            not_id,
            self.fit_s,
        )
        self.recent.insert(0, exercise.id)
        return exercise

    def done(self, exercise_id: str, wall: float) -> None:
        self.last_done[exercise_id] = wall
