"""Config: defaults, the example file, and a precise one-line error for each bad input."""

from __future__ import annotations

import json
import os
from datetime import time
from pathlib import Path

import pytest

from glutewake import config as cfg
from glutewake.durations import format_duration, parse_duration
from glutewake.errors import ConfigError
from glutewake.files import package_text
from helpers import reachable_folder, run_without_root

ROOT = Path(__file__).resolve().parent.parent


def test_no_file_means_defaults(tmp_path):
    assert cfg.load(tmp_path / "absent.toml") == cfg.Settings()


def test_defaults_match_the_issue():
    s = cfg.Settings()
    # Issue 14: from the studies (README "Why"): every 30 minutes, 3 minutes.
    assert (s.timer.sit, s.timer.break_, s.timer.snooze) == (1800, 180, 300)
    assert (s.timer.max_snoozes, s.timer.respond_within, s.timer.natural_break) == (2, 600, 180)
    assert s.exercises.spaces == ("desk", "standing")
    assert s.exercises.levels == ("easy", "moderate")
    assert s.schedule == cfg.ScheduleSettings(
        False, ("mon", "tue", "wed", "thu", "fri"), time(9), time(18)
    )
    assert s.notify == cfg.NotifySettings(desktop=True, bell=True)
    assert s.goals.daily_breaks == 8
    assert s.log.database is None


def test_example_file_is_the_packaged_one_and_loads_to_the_defaults():
    top = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert top == package_text("config.example.toml")
    loaded = cfg.load(ROOT / "config.example.toml")
    assert loaded == cfg.Settings(source=ROOT / "config.example.toml")


def test_example_documents_every_key():
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for section, keys in cfg.to_dict(cfg.Settings()).items():
        assert f"[{section}]" in text
        for key in keys:
            documented = (f"\n{key} = ", f"\n# {key} = ", f"[[{section}.{key}]]")
            assert any(form in text for form in documented), f"[{section}] {key}"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("45m", 2700), ("1h30m", 5400), ("1h 30m", 5400), ("2h", 7200), (" 5M ", 300)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "45", "m", "-5m", "1.5h", "45 minutes", "30m1h"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="duration like"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["169h", "99999999999999999999h", "10081m"])
def test_durations_past_a_week_are_refused(text):
    with pytest.raises(ValueError, match="at most 168h"):
        parse_duration(text)
    assert parse_duration("168h") == 7 * 24 * 3600


def test_format_duration_round_trips():
    for seconds in (1, 59, 60, 90, 2700, 3600, 5400, 86399):
        assert parse_duration(format_duration(seconds)) == seconds


def test_overrides_and_full_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[timer]\nsit = "1h30m"\nbreak = "90s"\nmax_snoozes = 0\n'
        '[schedule]\nenabled = true\ndays = ["sat"]\nstart = "07:30"\nend = "12:00"\n'
        '[notify]\nbell = false\n[goals]\ndaily_breaks = 3\n[log]\ndatabase = "log.db"\n'
        '[idle]\nbackend = "x11"\n'
    )
    s = cfg.load(path)
    assert (s.timer.sit, s.timer.break_, s.timer.max_snoozes) == (5400, 90, 0)
    assert s.schedule == cfg.ScheduleSettings(True, ("sat",), time(7, 30), time(12))
    assert (s.notify.bell, s.notify.desktop, s.goals.daily_breaks) == (False, True, 3)
    assert s.log.database == Path("log.db")
    assert s.idle.backend == "x11"


def test_show_toml_loads_back_to_the_same_settings(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[timer]\nsit = "20m"\n[schedule]\nenabled = true\ndays = ["mon"]\n')
    settings = cfg.load(path)
    again = tmp_path / "again.toml"
    again.write_text(cfg.to_toml(settings))
    assert cfg.load(again) == settings._replace(source=again)


BAD = [
    ("[timer\nsit = 1", "TOML syntax error: "),
    ('[timer]\nsit = "45m"\nsit = "5m"\n', "(at line 3, column"),
    ("[timers]\n", "unknown section [timers] (did you mean 'timer'?)"),
    ("[shedule]\n", "unknown section [shedule] (did you mean 'schedule'?)"),
    ('[timer]\nsitt = "45m"\n', "unknown key [timer] sitt (did you mean 'sit'?)"),
    ('sit = "1m"\n', "key sit belongs under [timer]; move it below a [timer] line"),
    (
        'database = "x.db"\n[timer]\n',
        "key database belongs under [log]; move it below a [log] line",
    ),
    ('sitt = "1m"\n', "unknown key sitt (did you mean 'sit'?); keys go under a section, one of"),
    ("foo = 1\n", "unknown key foo; keys go under a section, one of timer, schedule,"),
    ('[timer]\nfoo = "45m"\n', "unknown key [timer] foo; expected one of sit, break"),
    (
        "[timer]\nsit = 45\n",
        '[timer] sit: expected a duration like "90s", "45m" or "1h30m", got an integer',
    ),
    ('[timer]\nsit = "45x"\n', "[timer] sit: expected a duration like"),
    ('[timer]\nbreak = "0s"\n', "[timer] break: expected a duration of at least 1s, got '0s'"),
    ('[timer]\nmax_snoozes = "2"\n', "[timer] max_snoozes: expected an integer, got a string"),
    ("[timer]\nmax_snoozes = -1\n", "[timer] max_snoozes: expected an integer from 0 to 100"),
    ("[timer]\nmax_snoozes = true\n", "[timer] max_snoozes: expected an integer, got a boolean"),
    ('[schedule]\nstart = "9am"\n', '[schedule] start: expected a time of day like "09:00"'),
    ('[schedule]\nend = "25:00"\n', "[schedule] end: expected a time of day"),
    (
        '[schedule]\nstart = "18:00"\nend = "09:00"\n',
        "[schedule] end: expected a time after start (18:00), got 09:00",
    ),
    (
        '[schedule]\ndays = ["mon", "fry"]\n',
        "[schedule] days: expected any of mon, tue, wed, thu, "
        "fri, sat, sun, got 'fry' (did you mean 'fri'?)",
    ),
    ("[schedule]\ndays = []\n", "[schedule] days: expected one or more of mon,"),
    ('[schedule]\nenabled = "yes"\n', "[schedule] enabled: expected true or false, got a string"),
    (
        '[exercises]\ncategories = ["glute"]\n',
        "[exercises] categories: expected any of glutes, "
        "hip_flexors, move, got 'glute' (did you mean 'glutes'?)",
    ),
    (
        '[exercises]\nspaces = ["office"]\n',
        "[exercises] spaces: expected any of desk, standing, floor",
    ),
    (
        "[exercises]\nspaces = []\n",
        "[exercises] spaces: expected one or more of desk, standing, floor",
    ),
    (
        '[exercises]\nlevels = ["hard"]\n',
        "[exercises] levels: expected any of easy, moderate, got 'hard'",
    ),
    (
        "[exercises]\nlevels = []\n",
        "[exercises] levels: expected one or more of easy, moderate",
    ),
    ("[exercises]\ncustom = 3\n", "[exercises] custom: expected an array of tables"),
    ('[timer]\nsit = "99999h"\n', "[timer] sit: expected a duration of at most 168h, got '99999h'"),
    (
        "[goals]\ndaily_breaks = 0\n",
        "[goals] daily_breaks: expected an integer from 1 to 100, got 0",
    ),
    ("[log]\ndatabase = 5\n", "[log] database: expected a file path as a string"),
    (
        '[idle]\nbackend = "gnom"\n',
        "[idle] backend: expected one of auto, gnome, kde, x11, macos, "
        "windows, off, got 'gnom' (did you mean 'gnome'?)",
    ),
    ("timer = 3\n", "timer: expected a table [timer], got an integer"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_config_is_one_line_naming_file_and_key(cli, config_file, text, expected):
    config_file.write_text(text, encoding="utf-8")
    result = cli("config", "check")
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: {config_file}: ")
    assert expected in result.output
    assert result.output.count("\n") == 1
    with pytest.raises(ConfigError):
        cfg.load(config_file)


def test_not_utf8(cli, config_file):
    config_file.write_bytes(b'[timer]\nsit = "45m" # caf\xe9\n')
    result = cli("config", "check")
    assert result.exit_code == 1
    assert result.output == f"Error: {config_file}: not UTF-8 text (bad byte at offset 25)\n"


def test_unreadable_file():
    # Run by a user file modes apply to: as root, a child that gives root up first.
    with reachable_folder() as folder:
        config_file = folder / "config.toml"
        config_file.write_text("[timer]\n")
        config_file.chmod(0)
        env = {**os.environ, "GLUTEWAKE_CONFIG": str(config_file)}
        code, output = run_without_root(["config", "check"], env)
    assert code == 1
    assert output == f"Error: {config_file}: cannot read config file (Permission denied)\n"


def test_config_is_a_folder(cli, config_file):
    config_file.mkdir()
    result = cli("config", "check")
    assert result.exit_code == 1
    assert result.output == f"Error: {config_file}: is a folder, expected a TOML config file\n"


def test_explicit_missing_config_is_an_error(cli, tmp_path):
    missing = tmp_path / "nope.toml"
    for args in (("--config", str(missing), "config", "show"), ("config", "check", str(missing))):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.output == f"Error: {missing}: no such config file\n"


def test_missing_default_config_is_fine(cli, config_file):
    result = cli("config", "check")
    assert result.exit_code == 0
    assert result.output == f"ok: {config_file} does not exist; using defaults\n"


def test_check_of_a_folder_is_the_same_one_line_error_as_config_of_a_folder(cli, tmp_path):
    folder = tmp_path / "conf.d"
    folder.mkdir()
    expected = f"Error: {folder}: is a folder, expected a TOML config file\n"
    for args in (("config", "check", str(folder)), ("--config", str(folder), "config", "check")):
        result = cli(*args)
        assert (result.exit_code, result.output) == (1, expected), args


def test_check_ok_and_example(cli):
    result = cli("config", "check", str(ROOT / "config.example.toml"))
    assert result.exit_code == 0
    assert result.output == f"ok: {ROOT / 'config.example.toml'}\n"


def test_init_writes_example_and_refuses_to_overwrite(cli, config_file):
    result = cli("config", "init")
    assert result.exit_code == 0
    assert result.output == f"wrote {config_file}\n"
    assert config_file.read_text() == package_text("config.example.toml")
    config_file.write_text('[timer]\nsit = "20m"\n')
    result = cli("config", "init")
    assert result.exit_code == 1
    assert result.output == f"Error: {config_file}: already exists; use --force to overwrite it\n"
    assert config_file.read_text() == '[timer]\nsit = "20m"\n'
    result = cli("config", "init", "--force")
    assert result.exit_code == 0
    assert config_file.read_text() == package_text("config.example.toml")
    assert [p.name for p in config_file.parent.iterdir() if p.name.startswith(".config")] == []


def test_init_where_no_file_can_be_written(cli, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be\n")
    target = blocker / "glutewake.toml"
    result = cli("--config", str(target), "config", "init")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {target}: cannot write the config file ({blocker} is not a folder)\n"
    )


def test_init_follows_config_flag(cli, tmp_path):
    target = tmp_path / "g.toml"
    result = cli("--config", str(target), "config", "init")
    assert result.exit_code == 0
    assert target.exists()


def test_init_makes_no_folder_the_user_named(cli, tmp_path, monkeypatch):
    # --config or GLUTEWAKE_CONFIG in a folder that is not there: a typo, not a request.
    target = tmp_path / "deep" / "er" / "g.toml"
    result = cli("--config", str(target), "config", "init")
    assert result.exit_code == 1
    assert result.output == f"Error: {target}: folder does not exist: {target.parent}\n"
    monkeypatch.setenv("GLUTEWAKE_CONFIG", str(target))
    assert cli("config", "init").exit_code == 1
    assert not (tmp_path / "deep").exists()


def test_init_makes_the_platform_config_folder(cli, tmp_path, monkeypatch):
    # The default config path is ours: its folder is made, as before.
    monkeypatch.delenv("GLUTEWAKE_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    result = cli("config", "init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "xdg" / "glutewake" / "config.toml").is_file()


def test_path_show(cli, config_file):
    assert cli("config", "path").output == f"{config_file}\n"
    config_file.write_text('[timer]\nsit = "20m"\n')
    shown = json.loads(cli("config", "show", "--format", "json").output)
    assert shown["timer"]["sit"] == "20m"
    assert shown["timer"]["break"] == "3m"
    assert shown["log"]["database"] is None
    toml_out = cli("config", "show").output
    assert 'sit = "20m"' in toml_out and "[idle]" in toml_out


def test_bad_format_is_usage_error(cli):
    result = cli("config", "show", "--format", "yaml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_quiet_defaults_and_values(config_file):
    assert cfg.Settings().quiet == cfg.QuietSettings(
        when=("dnd", "fullscreen", "camera", "microphone"), max_hold=1800
    )
    config_file.write_text('[quiet]\nwhen = ["camera"]\nmax_hold = "0s"\n')
    assert cfg.load(config_file).quiet == cfg.QuietSettings(when=("camera",), max_hold=0)
    config_file.write_text("[quiet]\nwhen = []\n")
    assert cfg.load(config_file).quiet.when == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'when = ["calls"]',
            "[quiet] when: expected any of dnd, fullscreen, camera, microphone, got 'calls'",
        ),
        (  # "phone" is inside "microphone", not a slip of it: no suggestion
            'when = ["dnd", "phone"]',
            "[quiet] when: expected any of dnd, fullscreen, camera, microphone, got 'phone'\n",
        ),
        (
            'when = ["mic"]',
            "[quiet] when: expected any of dnd, fullscreen, camera, microphone, "
            "got 'mic' (did you mean 'microphone'?)",
        ),
        ('when = "dnd"', "[quiet] when: expected a list of strings, got a string"),
        ('max_hold = "soon"', "[quiet] max_hold: expected a duration"),
        ("max_hold = 30", "[quiet] max_hold: expected a duration"),
        ('max_hold = "9000h"', "[quiet] max_hold: expected a duration of at most 168h"),
        (
            "hold = 1",
            "unknown key [quiet] hold (did you mean 'max_hold'?); expected one of when, max_hold",
        ),
    ],
)
def test_quiet_bad_values(config_file, body, message):
    config_file.write_text(f"[quiet]\n{body}\n")
    with pytest.raises(ConfigError) as err:
        cfg.load(config_file)
    assert f"{config_file}: {message}" in str(err.value) + "\n"


def test_config_path_all_names_config_data_and_log(cli, config_file, data_dir) -> None:
    config_file.write_text('[log]\ndatabase = "breaks.db"\n')
    result = cli("config", "path", "--all")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"config  {config_file}",
        f"data    {data_dir}",
        f"log     {config_file.parent / 'breaks.db'}",
    ]
    assert cli("config", "path").stdout == f"{config_file}\n"  # alone, for scripts


def test_check_of_a_log_in_a_folder_that_does_not_exist(cli, config_file, tmp_path):
    # A typo in the folder of [log] database would start a new, empty log: refused.
    config_file.write_text(f'[log]\ndatabase = "{tmp_path}/typo/x.db"\n')
    result = cli("config", "check")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {config_file}: [log] database: folder does not exist: {tmp_path / 'typo'}\n"
    )
    other = tmp_path / "other.toml"
    other.write_text('[log]\ndatabase = "typo/x.db"\n')  # relative to the file named
    result = cli("config", "check", str(other))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {other}: [log] database: folder does not exist: {tmp_path / 'typo'}\n"
    )
    (tmp_path / "typo").mkdir()
    assert cli("config", "check").exit_code == 0


@pytest.mark.parametrize("command", [("log",), ("log", "--summary"), ("report", "-o", "r.html")])
def test_reading_a_log_in_a_folder_that_does_not_exist_says_so(
    cli, config_file, tmp_path, monkeypatch, command
):
    # Not "no breaks recorded yet" with exit 0: the folder's name is likely a typo.
    config_file.write_text(f'[log]\ndatabase = "{tmp_path}/typo/x.db"\n')
    monkeypatch.chdir(tmp_path)  # a report written by mistake lands here
    result = cli(*command, "--since", "7d")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {config_file}: [log] database: folder does not exist: {tmp_path / 'typo'}\n",
    )
    assert not (tmp_path / "typo").exists()
