"""Translations: complete catalogs, the language choice, and nothing shown unmarked."""

from __future__ import annotations

import gettext
import io
import re
import string
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from glutewake import i18n
from glutewake.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".ci" / "i18n"))
import catalogs  # noqa: E402

HOW_TO_FIX = (
    "run `python .ci/i18n/catalogs.py`, translate every entry with an empty msgstr in "
    "src/glutewake/locale/*/LC_MESSAGES/glutewake.po, then run it again to compile the .mo"
)


def _fields(text: str) -> list[str]:
    """The placeholders of a message, in a form that must agree across languages."""
    brace = sorted(name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name)
    percent = sorted(re.findall(r"%\(\w+\)[sdr]|%[sdr]", text))
    # \b keeps click from rewrapping an example block; both sides need the same blocks.
    return [*brace, *percent, *["\\b"] * text.count("\b")]


@pytest.fixture(scope="module")
def template() -> catalogs.Catalog:
    return catalogs.template()


@pytest.mark.parametrize("po", catalogs.po_files(), ids=lambda p: p.parent.parent.name)
def test_every_message_is_translated_with_the_same_placeholders(po: Path, template) -> None:
    catalog = catalogs.read(po)
    problems = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        key = message.id if isinstance(message.id, str) else message.id[0]
        if entry is None:
            problems.append(f"missing: {key!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string or ())
        if not all(strings):
            problems.append(f"untranslated: {key!r}")
            continue
        for index, text in enumerate(strings):
            source = ids[min(index, len(ids) - 1)]
            if _fields(text) != _fields(source):
                problems.append(f"placeholders differ: {key!r}: {text!r}")
    assert not problems, f"{po}: {HOW_TO_FIX}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po", catalogs.po_files(), ids=lambda p: p.parent.parent.name)
def test_compiled_catalog_is_current(po: Path) -> None:
    def messages(data: bytes) -> dict[object, str]:
        translations = gettext.GNUTranslations(io.BytesIO(data))
        catalog = dict(translations._catalog)  # type: ignore[attr-defined]
        catalog.pop("", None)  # the header: Babel stamps it with the time of compiling
        return catalog

    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: {HOW_TO_FIX}"
    assert messages(mo.read_bytes()) == messages(catalogs.compiled(catalogs.read(po))), HOW_TO_FIX


def test_every_language_setting_has_a_catalog() -> None:
    have = {po.parent.parent.name for po in catalogs.po_files()}
    assert set(i18n.LANGUAGES) - {"en"} == have


# --- which language ---


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT"}, "de"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "de_CH.UTF-8", "LANG": "en_GB.UTF-8"}, "de"),
        ({"LC_MESSAGES": "de_DE", "LANG": "en_US.UTF-8"}, "de"),
        ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "en"),
        ({"LANGUAGE": "fr:de:en", "LANG": "en_US.UTF-8"}, "de"),
        ({"LANGUAGE": "en_GB:de", "LANG": "de_DE.UTF-8"}, "en"),
        ({"LANGUAGE": "", "LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_DE@euro"}, "de"),
    ],
)
def test_auto_follows_the_locale_variables_in_gettext_order(env, expected) -> None:
    assert i18n.choose("auto", env, "linux", Path("/nonexistent")) == expected


def test_auto_without_variables_asks_the_system_on_macos(tmp_path: Path) -> None:
    import plistlib

    prefs = tmp_path / "Library" / "Preferences" / ".GlobalPreferences.plist"
    prefs.parent.mkdir(parents=True)
    prefs.write_bytes(
        plistlib.dumps({"AppleLanguages": ["de-DE", "en-US"]}, fmt=plistlib.FMT_BINARY)
    )
    assert i18n.choose("auto", {}, "darwin", tmp_path) == "de"
    assert i18n.choose("auto", {}, "darwin", tmp_path / "nobody") == "en"
    assert i18n.choose("auto", {}, "linux", tmp_path) == "en"


def test_an_explicit_setting_wins_over_the_locale() -> None:
    assert i18n.choose("en", {"LANG": "de_DE.UTF-8"}, "linux", Path("/")) == "en"
    assert i18n.choose("de", {"LANG": "C"}, "linux", Path("/")) == "de"


def test_a_language_without_catalog_is_english_silently() -> None:
    assert i18n.set_language("xx") == "en"
    assert i18n._("Usage:") == "Usage:"
    assert i18n.set_language("de") == "de"
    assert i18n._("Usage:") == "Aufruf:"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        main, list(args), env=env, prog_name="glutewake", catch_exceptions=False
    )


def test_help_follows_lang(monkeypatch) -> None:
    result = run("--help", env={"LANG": "de_DE.UTF-8"})
    assert result.exit_code == 0
    assert result.output.startswith("Aufruf: glutewake")
    assert "Gesäßmuskeln" in result.output and "Befehle:" in result.output
    assert "Diese Hilfe zeigen und beenden." in result.output
    assert run("--help").output.startswith("Usage: glutewake")


def test_usage_errors_speak_german() -> None:
    result = run("lgo", env={"LANG": "de_DE.UTF-8"})
    assert result.exit_code == 2
    assert "Fehler: Unbekannter Befehl 'lgo'." in result.output


def test_ui_language_de_with_lang_c(config_file: Path) -> None:
    config_file.write_text('[ui]\nlanguage = "de"\n', encoding="utf-8")
    assert "Aufruf:" in run("config", "--help", env={"LANG": "C"}).output
    config_file.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")
    assert "Usage:" in run("config", "--help", env={"LANG": "de_DE.UTF-8"}).output


def test_ui_language_from_the_config_named_on_the_command_line(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('[ui]\nlanguage = "de"\n', encoding="utf-8")
    assert "Aufruf:" in run("--config", str(other), "config", "--help").output
    assert "Aufruf:" in run(f"--config={other}", "config", "--help").output


def test_a_bad_language_is_a_config_error(config_file: Path) -> None:
    config_file.write_text('[ui]\nlanguage = "fr"\n', encoding="utf-8")
    result = run("config", "check")
    assert result.exit_code == 1
    assert f"{config_file}: [ui] language: expected one of auto, en, de, got 'fr'" in result.output


def test_every_command_help_is_translated() -> None:
    for name in COMMANDS:
        english = run(name, "--help").output
        german = run(name, "--help", env={"LANG": "de_DE.UTF-8"}).output
        assert german.startswith("Aufruf:"), name
        first = english.splitlines()[2]
        assert first not in german, f"{name}: help not translated: {first}"


# --- pseudo-locale: whatever still reads as plain English is not marked ---

# Words that stay as they are in every language: names of commands, options, files,
# programs, ids and example values, and metavars.
KEEP = frozenset(
    re.findall(
        r"\S+",
        """glutewake start status done snooze skip now pause resume stand sit log exercises config
    service doctor completion init path show check list install uninstall bash zsh fish
    json csv toml table short jq ok notify systemd autostart kind dry run force format
    glute bridge hip flexor stretch flexors glutes move desk standing floor hip_flexors
    EDITOR dotfiles bashrc zshrc compinit breaks week summary month today since until
    outcome skipped missed category space tmux nohup out sit break text lgo report
    warmup minutes stop natural abandoned
    """,
    )
)


def english_words(text: str) -> list[str]:
    from glutewake.catalog import load_bundled
    from glutewake.config import _SCHEMA

    # Exercise ids and config keys are names, the same in every language.
    for exercise_id in sorted((e.id for e in load_bundled()), key=len, reverse=True):
        text = text.replace(exercise_id, "")
    keys = {name for name, (_cls, fields) in _SCHEMA.items() for name in (name, *fields)}
    found = []
    for word in re.findall(r"(?<![\w./~$-])[A-Za-z][a-z]{2,}(?![\w/])", text):
        if word.lower() not in KEEP and word not in keys and not word.isupper():
            found.append(word)
    return found


def pseudo_runs() -> Iterator[tuple[str, ...]]:
    yield ("--help",)
    for name in COMMANDS:
        yield (name, "--help")
    yield ("config", "check", "--help")
    yield ("exercises", "show", "--help")
    yield ("lgo",)
    yield ("status",)
    yield ("exercises",)
    yield ("exercises", "show", "glute-bridge")
    yield ("exercises", "show", "glute-brige")
    yield ("config", "check")
    yield ("log",)
    yield ("log", "--summary")
    yield ("log", "--since", "xx")
    yield ("doctor",)
    yield ("snooze",)


@pytest.mark.parametrize("args", list(pseudo_runs()), ids=" ".join)
def test_pseudo_locale_shows_no_unmarked_english(args: tuple[str, ...], config_file) -> None:
    # A config with a mistake in it (config check) that keeps doctor off the desktop.
    config_file.write_text(
        '[notify]\ndesktop = false\n[idle]\nbackend = "off"\n[quiet]\nwhen = []\n'
        '[timer]\nsit = "9x"\n'
        if args == ("config", "check")
        else '[notify]\ndesktop = false\n[idle]\nbackend = "off"\n[quiet]\nwhen = []\n'
    )
    result = run(*args, env={"LANGUAGE": "qps"})
    leftovers = english_words(result.output)
    assert not leftovers, f"unmarked: {leftovers}\n{result.output}"


def test_pseudo_keeps_placeholders() -> None:
    assert i18n.pseudo("break in {left} (--sit)") == "ƀřḗȧķ īƞ {left} (--sit)"


def _command_tree() -> Iterator[tuple[str, object]]:
    import click

    ctx = click.Context(main, info_name="glutewake")
    stack: list[tuple[str, click.Command]] = [("glutewake", main)]
    while stack:
        path, command = stack.pop()
        yield path, command
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                stack.append((f"{path} {name}", sub))


def test_every_help_text_is_marked(template) -> None:
    """Help is translated when shown, so pseudo cannot see a missing mark: check the catalog."""
    import inspect

    import click

    ids = {m.id for m in template}
    unmarked = []
    for path, command in _command_tree():
        assert isinstance(command, click.Command)
        if command.help and inspect.cleandoc(command.help) not in ids:
            unmarked.append(f"{path}: {command.help[:50]!r}")
        for param in command.params:
            text = getattr(param, "help", None)
            if text and text not in ids:
                unmarked.append(f"{path} {param.name}: {text!r}")
    assert not unmarked, "mark with N_() or as a command docstring:\n" + "\n".join(unmarked)


# --- the exercise catalog in other languages ---


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_bundled_exercise_is_translated_by_the_catalog_rules(lang: str) -> None:
    from glutewake import catalog

    english = catalog._bundled_english()
    translated, problems = catalog.translate(english, lang)
    assert not problems, "\n".join(problems)
    for en, other in zip(english, translated, strict=True):
        assert (other.id, other.category, other.reps, other.duration) == (
            en.id,
            en.category,
            en.reps,
            en.duration,
        )
        assert other.name != en.name or other.name in ("Split Squat", "Donkey Kick"), en.id


def test_a_missing_or_wrong_translation_is_reported() -> None:
    import dataclasses

    from glutewake import catalog

    english = catalog._bundled_english()
    extra = dataclasses.replace(english[0], id="not-in-the-translation")
    shorter = dataclasses.replace(english[1], steps=english[1].steps[:-1])
    _translated, problems = catalog.translate((*english, extra, shorter), "de")
    assert "exercises.de.toml: [not-in-the-translation] missing" in problems
    assert any(
        p.startswith(f"exercises.de.toml: [{english[1].id}] steps: expected") for p in problems
    )


def test_the_catalog_follows_the_language() -> None:
    from glutewake.catalog import load_bundled

    assert load_bundled()[0].name == "Seated glute squeeze"
    i18n.set_language("de")
    assert load_bundled()[0].name == "Gesäß anspannen im Sitzen"
    i18n.set_language("qps")
    assert load_bundled()[0].name == i18n.pseudo("Seated glute squeeze")


@pytest.mark.e2e
def test_pseudo_locale_break_in_a_terminal_shows_no_unmarked_english(
    tmux, config_file: Path
) -> None:
    """The loop's own lines, the card, the keys, a snooze and the guided break."""
    from running import child_env, glutewake_argv

    config_file.write_text(
        '[timer]\nsit = "1s"\nbreak = "3s"\nsnooze = "2s"\nrespond_within = "1m"\n'
        '[notify]\ndesktop = false\nbell = false\n[idle]\nbackend = "off"\n'
        '[exercises]\ncategories = ["glutes"]\nspaces = ["desk"]\n',
        encoding="utf-8",
    )
    tmux.start(glutewake_argv("start"), child_env(LANGUAGE="qps"))
    keys = "[Ḗƞŧḗř] şŧȧřŧ"
    tmux.wait_for(keys)
    tmux.keys("s")  # snoozed, then due again
    tmux.wait_for(keys, count=2)
    tmux.keys("Enter")  # the guided break
    tmux.wait_for(i18n.pseudo("Enter ends it early"))
    tmux.keys("Enter")  # ended early
    screen = tmux.wait_for(i18n.pseudo("break over: back to it"))
    leftovers = english_words(screen)
    assert not leftovers, f"unmarked: {leftovers}\n{screen}"
