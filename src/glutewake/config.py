"""The TOML config: parsed, validated and turned into frozen, typed settings.

Every key has a default, so no config file means all defaults. Every problem is a
ConfigError whose one-line message names the file, the key and what is expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any, NamedTuple

from glutewake.checks import Check, boolean, did_you_mean, duration, integer, one_of, type_name
from glutewake.durations import format_duration
from glutewake.errors import ConfigError
from glutewake.i18n import SETTINGS as LANGUAGE_SETTINGS
from glutewake.i18n import _
from glutewake.text import clip
from glutewake.vocab import CATEGORIES, IDLE_BACKENDS, LEVELS, SPACES, WEEKDAYS, parse_toml

# What can hold a due break back (busy.py's detectors).
QUIET_WHEN = ("dnd", "fullscreen", "camera", "microphone")

# NamedTuples, not frozen dataclasses: as immutable, and about seven times cheaper to
# define, a cost every command pays at start-up (see bench/README.md).


class TimerSettings(NamedTuple):
    # The defaults follow the studies cited in the README's "Why": interrupt sitting
    # every 30 minutes with about 3 minutes of light activity.
    sit: int = 30 * 60
    break_: int = 3 * 60
    snooze: int = 5 * 60
    max_snoozes: int = 2
    respond_within: int = 10 * 60
    # Away at least as long as a break counts as one.
    natural_break: int = 3 * 60


class ScheduleSettings(NamedTuple):
    enabled: bool = False
    days: tuple[str, ...] = WEEKDAYS[:5]
    start: time = time(9, 0)
    end: time = time(18, 0)


class ExerciseSettings(NamedTuple):
    categories: tuple[str, ...] = CATEGORIES
    # Floor work is opt-in: nobody should be sent to an office floor on day one.
    spaces: tuple[str, ...] = ("desk", "standing")
    levels: tuple[str, ...] = LEVELS
    exclude: tuple[str, ...] = ()
    avoid_repeat: int = 5
    # Raw [[exercises.custom]] tables; catalog.py validates them with the bundled rules.
    custom: tuple[Mapping[str, Any], ...] = ()


class NotifySettings(NamedTuple):
    desktop: bool = True
    bell: bool = True
    warn_before: int = 30  # seconds; 0 = no heads-up
    sticky: bool = True
    sound: bool = False


class GoalSettings(NamedTuple):
    daily_breaks: int = 8


class LogSettings(NamedTuple):
    database: Path | None = None


class IdleSettings(NamedTuple):
    backend: str = "auto"


class QuietSettings(NamedTuple):
    # What holds a due break back (busy.py); a detector that cannot know never holds.
    when: tuple[str, ...] = QUIET_WHEN
    max_hold: int = 30 * 60  # then the break is prompted anyway; 0 = never hold


class UiSettings(NamedTuple):
    # "auto" follows the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), then the system.
    language: str = "auto"


class Settings(NamedTuple):
    timer: TimerSettings = TimerSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    exercises: ExerciseSettings = ExerciseSettings()
    notify: NotifySettings = NotifySettings()
    goals: GoalSettings = GoalSettings()
    log: LogSettings = LogSettings()
    idle: IdleSettings = IdleSettings()
    quiet: QuietSettings = QuietSettings()
    ui: UiSettings = UiSettings()
    # The file these came from, or None for pure defaults.
    source: Path | None = None


def _time_of_day(value: Any) -> time:
    if not isinstance(value, str):
        raise ValueError(
            _('expected a time of day like "09:00", got {what}').format(what=type_name(value))
        )
    try:
        hours, minutes = value.split(":")
        if len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(
            _('expected a time of day like "09:00" (24-hour), got {value!r}').format(
                value=clip(value)
            )
        ) from None


def _string_list(choices: tuple[str, ...] | None = None, *, allow_empty: bool = False) -> Check:
    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(
                _("expected a list of strings, got {what}").format(what=type_name(value))
            )
        if not value and not allow_empty:
            if choices:
                problem = _("expected one or more of {choices}, got an empty list")
            else:
                problem = _("expected at least one entry, got an empty list")
            raise ValueError(problem.format(choices=", ".join(choices or ())))
        if choices:
            for item in value:
                if item not in choices:
                    hint = did_you_mean(item, choices)
                    raise ValueError(
                        _("expected any of {choices}, got {item!r}{hint}").format(
                            choices=", ".join(choices), item=clip(item), hint=hint
                        )
                    )
        return tuple(value)

    return check


def _path(value: Any) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("expected a file path as a string"))
    return Path(value).expanduser()


def _custom_list(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(_("expected an array of tables ([[exercises.custom]])"))
    return tuple(value)


# section -> (settings class, {toml key: (field name, checker)})
_SCHEMA: dict[str, tuple[type, dict[str, tuple[str, Check]]]] = {
    "timer": (
        TimerSettings,
        {
            "sit": ("sit", duration()),
            "break": ("break_", duration()),
            "snooze": ("snooze", duration()),
            "max_snoozes": ("max_snoozes", integer(0, 100)),
            "respond_within": ("respond_within", duration()),
            "natural_break": ("natural_break", duration()),
        },
    ),
    "schedule": (
        ScheduleSettings,
        {
            "enabled": ("enabled", boolean),
            "days": ("days", _string_list(WEEKDAYS)),
            "start": ("start", _time_of_day),
            "end": ("end", _time_of_day),
        },
    ),
    "exercises": (
        ExerciseSettings,
        {
            "categories": ("categories", _string_list(CATEGORIES)),
            "spaces": ("spaces", _string_list(SPACES)),
            "levels": ("levels", _string_list(LEVELS)),
            "exclude": ("exclude", _string_list(allow_empty=True)),
            "avoid_repeat": ("avoid_repeat", integer(0, 50)),
            "custom": ("custom", _custom_list),
        },
    ),
    "notify": (
        NotifySettings,
        {
            "desktop": ("desktop", boolean),
            "bell": ("bell", boolean),
            "warn_before": ("warn_before", duration(0, 3600)),
            "sticky": ("sticky", boolean),
            "sound": ("sound", boolean),
        },
    ),
    "goals": (GoalSettings, {"daily_breaks": ("daily_breaks", integer(1, 100))}),
    "log": (LogSettings, {"database": ("database", _path)}),
    "idle": (IdleSettings, {"backend": ("backend", one_of(IDLE_BACKENDS))}),
    "quiet": (
        QuietSettings,
        {
            "when": ("when", _string_list(QUIET_WHEN, allow_empty=True)),
            "max_hold": ("max_hold", duration(minimum=0)),
        },
    ),
    "ui": (UiSettings, {"language": ("language", one_of(LANGUAGE_SETTINGS))}),
}


def load(path: Path, *, must_exist: bool = False) -> Settings:
    """Settings from `path`; all defaults when it does not exist (unless `must_exist`)."""
    from glutewake.files import UnreadableFile, read_regular

    try:
        data = read_regular(path)
    except FileNotFoundError:
        if must_exist:
            raise ConfigError(_("{path}: no such config file").format(path=path)) from None
        return Settings()
    except IsADirectoryError:
        raise ConfigError(
            _("{path}: is a folder, expected a TOML config file").format(path=path)
        ) from None
    except UnreadableFile as exc:
        raise ConfigError(
            _("{path}: {reason}, expected a TOML config file").format(path=path, reason=exc.reason)
        ) from None
    except OSError as exc:
        raise ConfigError(
            _("{path}: cannot read config file ({why})").format(path=path, why=exc.strerror)
        ) from None
    return parse(data, path)


def write_example(target: Path, *, force: bool, make_folder: bool = False) -> None:
    """Write the documented example config (every key at its default) to `target`.

    `make_folder`: the platform's config folder, ours to create; a folder the user
    named (--config, GLUTEWAKE_CONFIG) must exist."""
    from glutewake.files import atomic_write, missing_folder, no_folder_message, package_text

    if target.exists() and not force:
        raise ConfigError(
            _("{path}: already exists; use --force to overwrite it").format(path=target)
        )
    folder = None if make_folder else missing_folder(target)
    if folder is not None:
        raise ConfigError(no_folder_message(target, folder))
    try:
        atomic_write(target, package_text("config.example.toml"), make_folder=make_folder)
    except OSError as exc:
        # mkdir's "File exists" means a file stands where the config's folder should be.
        why = (
            _("{path} is not a folder").format(path=target.parent)
            if isinstance(exc, (FileExistsError, NotADirectoryError))
            else exc.strerror
        )
        raise ConfigError(
            _("{path}: cannot write the config file ({why})").format(path=target, why=why)
        ) from None


def parse(data: bytes, path: Path) -> Settings:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("{path}: not UTF-8 text (bad byte at offset {offset})").format(
                path=path, offset=exc.start
            )
        ) from None
    return from_mapping(parse_toml(text, path), path)


def from_mapping(doc: Mapping[str, Any], path: Path) -> Settings:
    """Validate a parsed TOML document; `path` names the file in messages."""
    sections: dict[str, Any] = {}
    for name, table in doc.items():
        if name not in _SCHEMA and not isinstance(table, dict):
            raise ConfigError(_top_level_key(name, path))
        if name not in _SCHEMA:
            hint = did_you_mean(name, _SCHEMA)
            raise ConfigError(
                _("{path}: unknown section [{name}]{hint}; expected one of {choices}").format(
                    path=path, name=clip(name), hint=hint, choices=", ".join(_SCHEMA)
                )
            )
        if not isinstance(table, dict):
            raise ConfigError(
                _("{path}: {name}: expected a table [{name}], got {what}").format(
                    path=path, name=name, what=type_name(table)
                )
            )
        sections[name] = _section(name, table, path)
    settings = Settings(**sections, source=path)
    _check_consistency(settings, path)
    return settings


def _top_level_key(name: str, path: Path) -> str:
    """What to say about `name = value` above every section header."""
    for section, (_cls, keys) in _SCHEMA.items():
        if name in keys:
            return _(
                "{path}: key {key} belongs under [{section}]; move it below a [{section}] line"
            ).format(path=path, key=name, section=section)
    every_key = [key for _cls, keys in _SCHEMA.values() for key in keys]
    return _("{path}: unknown key {key}{hint}; keys go under a section, one of {choices}").format(
        path=path, key=clip(name), hint=did_you_mean(name, every_key), choices=", ".join(_SCHEMA)
    )


def _section(name: str, table: Mapping[str, Any], path: Path) -> Any:
    cls, keys = _SCHEMA[name]
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in keys:
            hint = did_you_mean(key, keys)
            raise ConfigError(
                _("{path}: unknown key [{name}] {key}{hint}; expected one of {choices}").format(
                    path=path, name=name, key=clip(key), hint=hint, choices=", ".join(keys)
                )
            )
        field_name, check = keys[key]
        try:
            values[field_name] = check(raw)
        except ValueError as exc:
            raise ConfigError(f"{path}: [{name}] {key}: {exc}") from None
    return cls(**values)


def _check_consistency(settings: Settings, path: Path) -> None:
    schedule = settings.schedule
    if schedule.end <= schedule.start:
        raise ConfigError(
            _("{path}: [schedule] end: expected a time after start ({start}), got {end}").format(
                path=path, start=f"{schedule.start:%H:%M}", end=f"{schedule.end:%H:%M}"
            )
        )


def log_file(settings: Settings, default: Path) -> Path:
    """The log's path: [log] database (relative to the config file that names it), else
    `default` (in the data folder)."""
    database = settings.log.database
    if database is None:
        return default
    if not database.is_absolute() and settings.source is not None:
        return settings.source.parent / database
    return database


def log_folder_problem(settings: Settings, default: Path) -> str | None:
    """Why the log cannot be made where [log] database names it: its folder is missing.

    glutewake creates only its data folder; a typo in the folder of a named log must
    not quietly start a new, empty one."""
    from glutewake.files import missing_folder

    if settings.log.database is None:
        return None
    folder = missing_folder(log_file(settings, default))
    if folder is None:
        return None
    return _("{path}: [log] database: folder does not exist: {folder}").format(
        path=settings.source, folder=folder
    )


def check_log_folder(settings: Settings, default: Path) -> None:
    problem = log_folder_problem(settings, default)
    if problem:
        raise ConfigError(problem)


def with_overrides(settings: Settings, **timer: int) -> Settings:
    """The same settings with some [timer] values replaced (start --sit/--break)."""
    return settings._replace(timer=settings.timer._replace(**timer))


# --- presentation: the effective settings as plain data (config show) ---

_DURATION_KEYS = {
    "sit",
    "break",
    "snooze",
    "respond_within",
    "natural_break",
    "max_hold",
    "warn_before",
}


def to_dict(settings: Settings) -> dict[str, dict[str, Any]]:
    """Effective settings keyed as in the TOML file; None where a key is unset."""
    out: dict[str, dict[str, Any]] = {}
    for name, (_cls, keys) in _SCHEMA.items():
        section = getattr(settings, name)
        out[name] = {
            key: _plain(key, getattr(section, attr)) for key, (attr, _check) in keys.items()
        }
    return out


def _plain(key: str, value: Any) -> Any:
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, tuple):
        return [dict(v) if isinstance(v, Mapping) else v for v in value]
    if isinstance(value, Path):
        return str(value)
    if key in _DURATION_KEYS:
        return format_duration(value)
    return value


def to_toml(settings: Settings) -> str:
    """The effective settings as a TOML document that loads back to the same settings."""
    lines: list[str] = []
    for name, table in to_dict(settings).items():
        lines.append(f"[{name}]")
        custom = table.pop("custom", [])
        lines += [f"{key} = {_toml_value(v)}" for key, v in table.items() if v is not None]
        for entry in custom:
            lines += ["", f"[[{name}.custom]]"]
            lines += [f"{key} = {_toml_value(v)}" for key, v in entry.items()]
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # JSON string escapes are valid TOML basic-string escapes.
    import json

    return json.dumps(str(value), ensure_ascii=False)


def ui_language(data: bytes, path: Path) -> str:
    """The `[ui] language` of the config `data` read from `path`, before any output.

    "auto" when the file is missing, unreadable or broken: the full `load` reports that
    (then already in the chosen language), and commands that never load the config
    (`status`) do not fail over it.
    """
    try:
        table = parse_toml(data.decode("utf-8"), path).get("ui")
        if isinstance(table, dict):
            language: str = _section("ui", table, path).language
            return language
    except (ConfigError, UnicodeDecodeError):
        pass
    return "auto"
