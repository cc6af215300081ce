"""`glutewake service`: the files it writes, the commands it runs, and what it refuses.

No real systemd or launchd is touched: PATH holds only a tmp folder, where a test may put
a fake `systemctl` or `launchctl` that records its arguments (a real subprocess).
"""

from __future__ import annotations

import configparser
import json
import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from glutewake import service as svc
from glutewake import service_files as files
from glutewake.lock import LoopLock
from glutewake.paths import Paths

REAL_PATH = os.environ.get("PATH", os.defpath)


@pytest.fixture(autouse=True)
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH of our own: no real systemctl can be reached by accident."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.fixture
def cli(cli):
    """The CLI here installs the Linux kinds; other platforms are covered by the core tests."""
    if svc.platform_name(sys.platform) != "linux":
        pytest.skip("the CLI tests install Linux kinds (systemd, XDG autostart)")
    return cli


@pytest.fixture
def calls(tmp_path: Path) -> Path:
    return tmp_path / "calls.log"


def fake_program(bin_dir: Path, calls: Path, name: str, script: str = "") -> None:
    """A `name` on PATH that appends its arguments to `calls` and runs `script`."""
    program = bin_dir / name
    program.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "{name} $*" >> "{calls}"\n{script}\nexit 0\n',
        encoding="utf-8",
    )
    program.chmod(0o755)


@pytest.fixture
def systemctl(bin_dir: Path, calls: Path) -> Path:
    """A user manager that answers, in a session where graphical-session.target is active."""
    fake_program(
        bin_dir, calls, "systemctl", 'case "$*" in *enable*) exit "${FAIL_ENABLE:-0}";; esac'
    )
    return calls


def recorded(calls: Path) -> list[str]:
    return calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


def unit_path(home: Path) -> Path:
    return home / ".config/systemd/user/glutewake.service"


def desktop_path(home: Path) -> Path:
    return home / ".config/autostart/glutewake.desktop"


PROBES = [
    "systemctl --user show-environment",
    "systemctl --user is-active --quiet graphical-session.target",
]


# --- which glutewake runs at login ---------------------------------------------------


def executable_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_executable_is_the_running_console_script(tmp_path):
    script = executable_file(tmp_path / "venv/bin/glutewake")
    assert svc.find_executable(str(script), str(tmp_path / "python")) == (str(script),)


def test_executable_keeps_a_symlinked_script_unresolved(tmp_path):
    target = executable_file(tmp_path / "Cellar/glutewake/0.1.0/bin/glutewake")
    link = tmp_path / "local/bin/glutewake"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    assert svc.find_executable(str(link), "/usr/bin/python3") == (str(link),)


def test_executable_made_absolute_from_a_relative_argv0(tmp_path, monkeypatch):
    executable_file(tmp_path / "glutewake")
    monkeypatch.chdir(tmp_path)
    assert svc.find_executable("./glutewake", "/usr/bin/python3") == (str(tmp_path / "glutewake"),)


def test_executable_beside_the_interpreter_under_python_m(tmp_path):
    script = executable_file(tmp_path / "venv/bin/glutewake")
    main = tmp_path / "site-packages/glutewake/__main__.py"
    assert svc.find_executable(str(main), str(tmp_path / "venv/bin/python")) == (str(script),)


def test_executable_in_windows_scripts_folder(tmp_path):
    script = executable_file(tmp_path / "Python311/Scripts/glutewake.exe")
    found = svc.find_executable("-c", str(tmp_path / "Python311/python.exe"))
    assert found == (str(script),)


def test_executable_falls_back_to_python_m(tmp_path):
    python = tmp_path / "usr/bin/python3"
    found = svc.find_executable(str(tmp_path / "src/glutewake/__main__.py"), str(python))
    assert found == (str(python), "-m", "glutewake")


def test_executable_not_a_missing_console_script(tmp_path):
    # argv[0] named glutewake that is not a file (e.g. deleted): use the interpreter.
    found = svc.find_executable(str(tmp_path / "gone/glutewake"), str(tmp_path / "py"))
    assert found == (str(tmp_path / "py"), "-m", "glutewake")


def test_executable_needs_an_interpreter():
    with pytest.raises(svc.ServiceError, match=r"^cannot tell which Python runs glutewake"):
        svc.find_executable("python", "")


def test_launch_carries_config_flag_and_glutewake_variables(tmp_path):
    paths = Paths(tmp_path / "my config.toml", True, tmp_path / "data")
    env = {"GLUTEWAKE_HOME": "x", "GLUTEWAKE_CONFIG": "y", "OTHER": "z"}
    launched = svc.launch(("/bin/glutewake",), paths, env)
    assert launched.argv == (
        "/bin/glutewake",
        "--config",
        str(tmp_path / "my config.toml"),
        "start",
    )
    # --config wins over GLUTEWAKE_CONFIG, so only the data folder is carried.
    assert launched.env == (("GLUTEWAKE_HOME", str(tmp_path / "data")),)


def test_launch_without_flag_or_variables_is_plain_start(tmp_path):
    paths = Paths(tmp_path / "config.toml", False, tmp_path / "data")
    launched = svc.launch(("/bin/glutewake",), paths, {})
    assert launched == svc.Launch(argv=("/bin/glutewake", "start"), env=())


def test_launch_refuses_control_characters(tmp_path):
    paths = Paths(tmp_path / "a\nb.toml", True, tmp_path)
    with pytest.raises(svc.ServiceError, match="contains a control character"):
        svc.launch(("/bin/glutewake",), paths, {})


# --- where the files go ------------------------------------------------------------


def test_locations_follow_xdg_config_home(tmp_path):
    files = svc.locations("linux", {"HOME": "/h", "XDG_CONFIG_HOME": "/cfg"})
    assert files == {
        "systemd": Path("/cfg/systemd/user/glutewake.service"),
        "autostart": Path("/cfg/autostart/glutewake.desktop"),
    }


@pytest.mark.parametrize("xdg", [None, "", "relative/cfg"])
def test_locations_default_to_dot_config(xdg):
    env = {"HOME": "/h"} | ({"XDG_CONFIG_HOME": xdg} if xdg is not None else {})
    assert svc.locations("linux", env)["systemd"] == Path(
        "/h/.config/systemd/user/glutewake.service"
    )


def test_locations_macos_and_windows():
    mac = svc.locations("darwin", {"HOME": "/Users/a"})
    assert mac == {"launchd": Path("/Users/a/Library/LaunchAgents/io.github.glutewake.plist")}
    startup = "Microsoft/Windows/Start Menu/Programs/Startup/glutewake.cmd"
    win = svc.locations("win32", {"USERPROFILE": "/Users/a", "APPDATA": "/Roaming"})
    assert win == {"startup": Path("/Roaming") / startup}
    assert (
        svc.locations("win32", {"USERPROFILE": "/Users/a"})["startup"]
        == Path("/Users/a/AppData/Roaming") / startup
    )


def test_locations_need_a_home():
    with pytest.raises(svc.ServiceError) as caught:
        svc.locations("linux", {"HOME": "relative"})
    assert str(caught.value) == "cannot tell your home folder: set HOME to an absolute path"


@pytest.mark.parametrize(
    ("name", "platform"),
    [("linux", "linux"), ("freebsd14", "linux"), ("darwin", "darwin"), ("win32", "win32")],
)
def test_platform_name(name, platform):
    assert svc.platform_name(name) == platform


# --- the generated files -------------------------------------------------------------

SPACED = svc.Launch(
    argv=("/opt/my tools/glutewake", "--config", "/home/a/50% done/config.toml", "start"),
    env=(("GLUTEWAKE_HOME", "/home/a/data $HOME"),),
)


def unit_sections(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def test_systemd_unit_contents():
    unit = files.systemd_unit(SPACED)
    parsed = unit_sections(unit)
    assert dict(parsed["Unit"]) == {
        "Description": "glutewake sitting-break reminder",
        "PartOf": "graphical-session.target",
        "After": "graphical-session.target",
        "StartLimitIntervalSec": "10min",
        "StartLimitBurst": "5",
    }
    assert parsed["Service"]["ExecStart"] == (
        '"/opt/my tools/glutewake" --config "/home/a/50%% done/config.toml" start'
    )
    assert parsed["Service"]["Restart"] == "on-failure"
    assert parsed["Install"]["WantedBy"] == "graphical-session.target"
    environment = [line for line in unit.splitlines() if line.startswith("Environment=")]
    assert environment == [
        'Environment="PYTHONUNBUFFERED=1"',
        'Environment="GLUTEWAKE_HOME=/home/a/data $HOME"',
    ]
    assert "DISPLAY" not in unit  # the session's own values reach it, not this login's


def test_systemd_words_escape_specifiers_variables_and_quotes():
    launched = svc.Launch(argv=("/bin/glutewake", "--config", 'a"b\\c$d', "start"))
    exec_start = re.search(r"^ExecStart=(.*)$", files.systemd_unit(launched), re.M)
    assert exec_start is not None
    assert exec_start.group(1) == '/bin/glutewake --config "a\\"b\\\\c$$d" start'


def verify_unit(tmp_path: Path, unit: Path) -> subprocess.CompletedProcess[str]:
    program = shutil.which("systemd-analyze", path=REAL_PATH)
    if program is None:
        pytest.skip("systemd-analyze is not installed (it only adds a check)")
    return subprocess.run(
        [program, "--user", "verify", str(unit)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": REAL_PATH},
        timeout=60,
        check=False,
    )


def test_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    program = executable_file(tmp_path / "my tools/glutewake")
    launched = svc.Launch(
        argv=(str(program), "--config", str(tmp_path / "50% done.toml"), "start"),
        env=(("GLUTEWAKE_HOME", str(tmp_path / "data $HOME")),),
    )
    unit = tmp_path / "units" / files.UNIT
    unit.parent.mkdir()
    unit.write_text(files.systemd_unit(launched), encoding="utf-8")
    result = verify_unit(tmp_path, unit)
    assert (result.returncode, result.stderr) == (0, "")


def test_systemd_analyze_verify_catches_a_missing_executable(tmp_path):
    # The check above would pass on anything if verify ignored ExecStart.
    unit = tmp_path / "units" / files.UNIT
    unit.parent.mkdir()
    unit.write_text(files.systemd_unit(svc.Launch(argv=(str(tmp_path / "nope"), "start"))))
    result = verify_unit(tmp_path, unit)
    assert result.returncode != 0
    assert "is not executable" in result.stderr


def desktop_exec_words(value: str) -> list[str]:
    """Split an Exec value the way the Desktop Entry spec says a launcher must."""
    value = re.sub(
        r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), value
    )
    words, word, quoted, i = [], "", False, 0
    started = False
    while i < len(value):
        char = value[i]
        if quoted and char == "\\":
            word, i = word + value[i + 1], i + 2
            continue
        if char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started:
                words.append(word)
            word, started = "", False
        else:
            word, started = word + char, True
        i += 1
    if started:
        words.append(word)
    return [w.replace("%%", "%") for w in words]


def test_desktop_entry_contents():
    entry = files.desktop_entry(SPACED)
    parsed = unit_sections(entry)["Desktop Entry"]
    assert parsed["Type"] == "Application"
    assert parsed["Terminal"] == "false"
    assert parsed["X-GNOME-Autostart-enabled"] == "true"
    assert desktop_exec_words(parsed["Exec"]) == [
        "env",
        "GLUTEWAKE_HOME=/home/a/data $HOME",
        *SPACED.argv,
    ]


def test_desktop_exec_round_trips_awkward_characters():
    argv = ("/x/glutewake", "--config", 'a"b\\c$d`e%f~g;h', "start")
    parsed = unit_sections(files.desktop_entry(svc.Launch(argv=argv)))["Desktop Entry"]
    assert desktop_exec_words(parsed["Exec"]) == list(argv)


def test_desktop_entry_passes_desktop_file_validate(tmp_path):
    program = shutil.which("desktop-file-validate", path=REAL_PATH)
    if program is None:
        pytest.skip(
            "desktop-file-validate is not installed (desktop-file-utils; it only adds a check)"
        )
    entry = tmp_path / "glutewake.desktop"
    entry.write_text(files.desktop_entry(SPACED), encoding="utf-8")
    result = subprocess.run([program, str(entry)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_launch_agent_parses_back_with_plistlib():
    log = Path("/Users/a/Library/Logs/glutewake.log")
    agent = plistlib.loads(files.launch_agent(SPACED, log).encode("utf-8"))
    assert agent == {
        "Label": "io.github.glutewake",
        "ProgramArguments": list(SPACED.argv),
        "EnvironmentVariables": {"PYTHONUNBUFFERED": "1", "GLUTEWAKE_HOME": "/home/a/data $HOME"},
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "StandardOutPath": str(log),
        "StandardErrorPath": str(log),
    }


def test_launch_agent_passes_plutil_lint(tmp_path):
    program = shutil.which("plutil", path=REAL_PATH)
    if program is None:
        pytest.skip("plutil is macOS only (it only adds a check)")
    agent = tmp_path / "agent.plist"
    agent.write_text(files.launch_agent(SPACED, tmp_path / "log"), encoding="utf-8")
    assert subprocess.run([program, "-lint", str(agent)], check=False).returncode == 0


def test_startup_script_contents():
    launched = svc.Launch(
        argv=(
            "C:\\Users\\Zoë\\Scripts\\glutewake.exe",
            "--config",
            "C:\\50% done\\c.toml",
            "start",
        ),
        env=(("GLUTEWAKE_HOME", "C:\\My Data"),),
    )
    lines = files.startup_script(launched).splitlines()
    assert lines[:2] == ["@echo off", "chcp 65001 >nul"]
    assert all(line.startswith("rem ") for line in lines[2:4])
    assert lines[4:] == [
        'set "GLUTEWAKE_HOME=C:\\My Data"',
        'start "glutewake" /min C:\\Users\\Zoë\\Scripts\\glutewake.exe '
        '--config "C:\\50%% done\\c.toml" start',
    ]


def test_startup_script_refuses_a_double_quote():
    with pytest.raises(svc.ServiceError, match="contains a double quote"):
        files.startup_script(svc.Launch(argv=('C:\\a"b\\glutewake.exe', "start")))


# --- telling our files from the user's ---------------------------------------------


@pytest.mark.parametrize("kind", svc.ALL_KINDS)
def test_file_state_tells_ours_changed_and_foreign(tmp_path, kind):
    path = tmp_path / "file"
    assert files.file_state(path) is svc.FileState.ABSENT
    text = files.render(kind, SPACED, tmp_path / "log")
    path.write_text(text, encoding="utf-8")
    assert files.file_state(path) is svc.FileState.INSTALLED
    path.write_text(text.replace("start", "start --quiet"), encoding="utf-8")
    assert files.file_state(path) is svc.FileState.CHANGED
    path.write_text(re.sub(r".*glutewake-sha256.*\n", "", text), encoding="utf-8")
    assert files.file_state(path) is svc.FileState.FOREIGN


def test_file_state_of_unreadable_bytes_is_foreign(tmp_path):
    path = tmp_path / "file"
    path.write_bytes(b"\xff\xfe binary")
    assert files.file_state(path) is svc.FileState.FOREIGN


def test_file_state_of_a_folder_is_an_error(tmp_path):
    with pytest.raises(svc.ServiceError, match=r"^.*: cannot read it \("):
        files.file_state(tmp_path)


# --- choosing the kind -------------------------------------------------------------


NO_SYSTEMD = svc.SystemdState()


def host_for(tmp_path: Path, platform: svc.Platform, systemd=NO_SYSTEMD) -> svc.Host:
    env = {"HOME": str(tmp_path / "home"), "APPDATA": str(tmp_path / "appdata")}
    return svc.Host(platform, svc.locations(platform, env), tmp_path / "log", systemd, uid=501)


@pytest.mark.parametrize(
    ("systemd", "kind", "why"),
    [
        (svc.SystemdState(True, True), "systemd", "graphical-session.target is active"),
        (svc.SystemdState(True, False), "autostart", "graphical-session.target is not active"),
        (svc.SystemdState(False, False), "autostart", "no systemd user manager answers"),
    ],
)
def test_choose_kind_on_linux(tmp_path, systemd, kind, why):
    chosen, reason = svc.choose_kind(host_for(tmp_path, "linux", systemd), None)
    assert chosen == kind
    assert why in reason


def test_choose_kind_as_asked_and_refused(tmp_path):
    host = host_for(tmp_path, "linux")
    assert svc.choose_kind(host, "systemd") == ("systemd", "as asked with --kind")
    with pytest.raises(svc.ServiceError) as caught:
        svc.choose_kind(host, "launchd")
    assert str(caught.value) == "--kind launchd does not work on linux; use systemd or autostart"


def test_systemd_state_from_a_fake_systemctl(bin_dir, calls, monkeypatch):
    fake_program(bin_dir, calls, "systemctl", 'case "$*" in *is-active*) exit 3;; esac')
    assert svc.systemd_state(svc.run_quiet) == svc.SystemdState(reachable=True, graphical=False)
    assert recorded(calls) == PROBES


def test_systemd_state_without_systemctl():
    assert svc.systemd_state(svc.run_quiet) == svc.SystemdState()


# --- macOS and Windows plans, carried out here with fake programs -------------------


def test_launchd_install_and_uninstall(tmp_path, bin_dir, calls):
    fake_program(bin_dir, calls, "launchctl", 'case "$1" in bootout) exit 5;; esac')
    host = host_for(tmp_path, "darwin")
    agent = host.files["launchd"]
    said: list[str] = []
    svc.apply(svc.plan_install(host, None, SPACED, force=False), svc.run_quiet, said.append)
    assert plistlib.loads(agent.read_bytes())["ProgramArguments"] == list(SPACED.argv)
    assert recorded(calls) == [
        f"launchctl bootout gui/501 {agent}",
        f"launchctl bootstrap gui/501 {agent}",
    ]
    quoted = shlex.quote(str(agent))
    assert said == [
        f"wrote {agent}",
        f"ran: launchctl bootout gui/501 {quoted} (exit code 5; carrying on)",
        f"ran: launchctl bootstrap gui/501 {quoted}",
    ]
    said.clear()
    svc.apply(svc.plan_uninstall(host, force=False), svc.run_quiet, said.append)
    assert not agent.exists()
    assert recorded(calls)[-1] == f"launchctl bootout gui/501 {agent}"
    assert said[-1] == f"removed {agent}"


def test_launchd_bootstrap_failure_is_an_error(tmp_path, bin_dir, calls):
    fake_program(bin_dir, calls, "launchctl", "exit 37")
    host = host_for(tmp_path, "darwin")
    plan = svc.plan_install(host, None, SPACED, force=False)
    with pytest.raises(svc.ServiceError) as caught:
        svc.apply(plan, svc.run_quiet, lambda line: None)
    assert str(caught.value) == (
        f"launchctl bootstrap gui/501 {host.files['launchd']} failed with exit code 37"
    )


def test_windows_startup_install_and_uninstall(tmp_path):
    host = host_for(tmp_path, "win32")
    script = host.files["startup"]
    plan = svc.plan_install(host, None, SPACED, force=False)
    assert plan.steps == (svc.Write(script, files.startup_script(SPACED)),)
    assert plan.notes == (
        "glutewake starts at your next sign-in; run `glutewake start` to start it now",
    )
    svc.apply(plan, svc.run_quiet, lambda line: None)
    assert files.file_state(script) is svc.FileState.INSTALLED
    svc.apply(svc.plan_uninstall(host, force=False), svc.run_quiet, lambda line: None)
    assert files_under(tmp_path / "appdata") == []


def test_describe_shows_contents_and_commands(tmp_path):
    host = host_for(tmp_path, "darwin")
    lines = svc.describe(svc.plan_install(host, None, SPACED, force=False))
    agent = host.files["launchd"]
    assert lines[0] == f"would write {agent}:"
    assert "    \t<key>ProgramArguments</key>" in lines
    assert lines[-2:] == [
        f"would run: launchctl bootout gui/501 {shlex.quote(str(agent))}",
        f"would run: launchctl bootstrap gui/501 {shlex.quote(str(agent))}",
    ]


# --- the CLI on Linux --------------------------------------------------------------


def test_dry_run_without_systemd_shows_the_autostart_entry_and_writes_nothing(cli, isolated_home):
    result = cli("service", "install", "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "XDG autostart entry: no systemd user manager answers here"
    assert lines[1] == f"would write {desktop_path(isolated_home)}:"
    assert "    [Desktop Entry]" in lines
    exec_line = next(line for line in lines if line.startswith("    Exec="))
    words = desktop_exec_words(exec_line.removeprefix("    Exec="))
    assert words[0] == "env" and Path(words[3]).is_absolute() and words[-1] == "start"
    assert lines[-1] == (
        "then: glutewake starts at your next login; run `glutewake start` to start it now"
    )
    assert files_under(isolated_home) == []


def test_dry_run_with_systemd_shows_unit_and_commands(cli, isolated_home, systemctl):
    result = cli("service", "install", "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "systemd user unit: the systemd user manager runs and graphical-session.target is active"
    )
    assert lines[1] == f"would write {unit_path(isolated_home)}:"
    assert lines[-2:] == [
        "would run: systemctl --user daemon-reload",
        "would run: systemctl --user enable --now glutewake.service",
    ]
    assert recorded(systemctl) == PROBES  # looked, did not touch
    assert files_under(isolated_home) == []


def test_install_systemd_writes_the_unit_and_enables_it(cli, isolated_home, systemctl, tmp_path):
    result = cli("service", "install")
    assert result.exit_code == 0, result.stderr
    unit = unit_path(isolated_home)
    assert result.stdout.splitlines()[1:] == [
        f"wrote {unit}",
        "ran: systemctl --user daemon-reload",
        "ran: systemctl --user enable --now glutewake.service",
    ]
    assert recorded(systemctl) == [
        *PROBES,
        "systemctl --user daemon-reload",
        "systemctl --user enable --now glutewake.service",
    ]
    service = unit_sections(unit.read_text())["Service"]
    exec_start = service["ExecStart"]
    assert exec_start.startswith("/") and exec_start.endswith(" start")
    assert f'"GLUTEWAKE_HOME={tmp_path / "data"}"' in unit.read_text()
    assert f'"GLUTEWAKE_CONFIG={tmp_path / "config.toml"}"' in unit.read_text()
    assert files_under(isolated_home) == [".config/systemd/user/glutewake.service"]


def test_installed_unit_passes_systemd_analyze_verify(cli, isolated_home, tmp_path):
    assert cli("service", "install", "--kind", "systemd").exit_code == 0
    result = verify_unit(tmp_path, unit_path(isolated_home))
    assert (result.returncode, result.stderr) == (0, "")


def test_install_passes_the_config_flag(cli, isolated_home, tmp_path):
    config = tmp_path / "elsewhere" / "glutewake.toml"
    config.parent.mkdir()
    config.write_text("", encoding="utf-8")
    result = cli("--config", str(config), "service", "install", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert f" --config {config} start" in result.stdout


def test_install_refuses_a_broken_config(cli, isolated_home, tmp_path):
    (tmp_path / "config.toml").write_text("[timer]\nsit = 'soon'\n", encoding="utf-8")
    result = cli("service", "install")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'config.toml'}: ")
    assert files_under(isolated_home) == []


def test_install_systemd_without_a_manager_says_what_to_run(cli, isolated_home):
    result = cli("service", "install", "--kind", "systemd")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "systemd user unit: as asked with --kind",
        f"wrote {unit_path(isolated_home)}",
        "no systemd user manager answers here; in your desktop session run: "
        "systemctl --user daemon-reload && systemctl --user enable --now glutewake.service",
    ]


def test_install_twice_leaves_the_unit_alone(cli, isolated_home, systemctl):
    assert cli("service", "install").exit_code == 0
    before = unit_path(isolated_home).stat().st_mtime_ns
    result = cli("service", "install")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "ran: systemctl --user enable --now glutewake.service",
        f"{unit_path(isolated_home)} is up to date",
    ]
    assert unit_path(isolated_home).stat().st_mtime_ns == before


def test_install_updates_its_own_older_unit_and_restarts(cli, isolated_home, systemctl, tmp_path):
    unit = unit_path(isolated_home)
    old = files.systemd_unit(svc.Launch(argv=("/old/glutewake", "start")))
    unit.parent.mkdir(parents=True)
    unit.write_text(old, encoding="utf-8")
    result = cli("service", "install")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        f"wrote {unit}",
        "ran: systemctl --user daemon-reload",
        "ran: systemctl --user enable glutewake.service",
        "ran: systemctl --user restart glutewake.service",
    ]
    assert "/old/glutewake" not in unit.read_text()


@pytest.mark.parametrize(
    ("edit", "state"),
    [
        (lambda text: text.replace("RestartSec=10", "RestartSec=60"), "changed since install"),
        (lambda text: "[Service]\nExecStart=/usr/bin/true\n", "not written by glutewake"),
    ],
)
def test_install_does_not_overwrite_a_users_file_without_force(
    cli, isolated_home, systemctl, edit, state
):
    unit = unit_path(isolated_home)
    assert cli("service", "install").exit_code == 0
    edited = edit(unit.read_text())
    unit.write_text(edited, encoding="utf-8")
    result = cli("service", "install")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {unit}: {state}; use --force to overwrite it\n"
    assert unit.read_text() == edited
    result = cli("service", "install", "--force")
    assert result.exit_code == 0, result.stderr
    assert f"wrote {unit}" in result.stdout.splitlines()
    assert files.file_state(unit) is svc.FileState.INSTALLED


def test_install_then_uninstall_leaves_no_file(cli, isolated_home, systemctl):
    assert cli("service", "install").exit_code == 0
    result = cli("service", "uninstall")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ran: systemctl --user disable --now glutewake.service",
        f"removed {unit_path(isolated_home)}",
        "ran: systemctl --user daemon-reload",
    ]
    assert recorded(systemctl)[-2:] == [
        "systemctl --user disable --now glutewake.service",
        "systemctl --user daemon-reload",
    ]
    assert files_under(isolated_home) == []


def test_autostart_install_then_uninstall_leaves_no_file(cli, isolated_home):
    result = cli("service", "install")
    assert result.exit_code == 0, result.stderr
    assert f"wrote {desktop_path(isolated_home)}" in result.stdout.splitlines()
    assert files_under(isolated_home) == [".config/autostart/glutewake.desktop"]
    result = cli("service", "uninstall")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"removed {desktop_path(isolated_home)}\n"
    assert files_under(isolated_home) == []


def test_uninstall_dry_run_changes_nothing(cli, isolated_home):
    assert cli("service", "install").exit_code == 0
    result = cli("service", "uninstall", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"would remove {desktop_path(isolated_home)}\n"
    assert desktop_path(isolated_home).exists()


def test_uninstall_with_nothing_installed(cli, isolated_home):
    result = cli("service", "uninstall")
    assert result.exit_code == 0
    assert result.stdout == "nothing to remove: glutewake is not set to start at login\n"


def test_uninstall_keeps_a_changed_file_without_force(cli, isolated_home):
    assert cli("service", "install").exit_code == 0
    entry = desktop_path(isolated_home)
    entry.write_text(entry.read_text().replace("Terminal=false", "Terminal=true"))
    result = cli("service", "uninstall")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {entry}: changed since install; use --force to remove it\n"
    assert entry.exists()
    result = cli("service", "uninstall", "--force")
    assert result.exit_code == 0, result.stderr
    assert not entry.exists()


def test_uninstall_without_a_manager_removes_the_enable_symlink(cli, isolated_home):
    assert cli("service", "install", "--kind", "systemd").exit_code == 0
    unit = unit_path(isolated_home)
    link = unit.parent / "graphical-session.target.wants" / files.UNIT
    link.parent.mkdir()
    link.symlink_to(unit)  # what `systemctl --user enable` made in an earlier session
    result = cli("service", "uninstall")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"removed {link}",
        f"removed {unit}",
        "no systemd user manager answers here; a glutewake it started runs until logout",
    ]
    assert files_under(isolated_home) == []


def test_switching_kind_removes_the_other(cli, isolated_home, systemctl):
    assert cli("service", "install").exit_code == 0
    result = cli("service", "install", "--kind", "autostart")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:4] == [
        "ran: systemctl --user disable --now glutewake.service",
        f"removed {unit_path(isolated_home)}",
        "ran: systemctl --user daemon-reload",
    ]
    assert files_under(isolated_home) == [".config/autostart/glutewake.desktop"]


def test_switching_kind_leaves_a_users_file(cli, isolated_home):
    unit = unit_path(isolated_home)
    unit.parent.mkdir(parents=True)
    unit.write_text("[Service]\nExecStart=/usr/bin/true\n", encoding="utf-8")
    result = cli("service", "install")
    assert result.exit_code == 0, result.stderr
    assert f"left {unit} alone (not written by glutewake)" in result.stdout.splitlines()
    assert unit.read_text() == "[Service]\nExecStart=/usr/bin/true\n"


def test_failing_systemctl_is_an_error(cli, isolated_home, systemctl, monkeypatch):
    monkeypatch.setenv("FAIL_ENABLE", "1")
    result = cli("service", "install")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: systemctl --user enable --now glutewake.service failed with exit code 1\n"
    )


def test_unknown_kind_is_a_usage_error(cli):
    result = cli("service", "install", "--kind", "launchd")
    assert result.exit_code == 2
    assert "Invalid value for '--kind': 'launchd' is not one of 'systemd', 'autostart'." in (
        result.stderr
    )


def test_install_without_home_is_an_error(cli, monkeypatch):
    monkeypatch.delenv("HOME")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.delenv("USERPROFILE", raising=False)
    result = cli("service", "install")
    assert result.exit_code == 1
    assert result.stderr == "Error: cannot tell your home folder: set HOME to an absolute path\n"


def test_status_with_nothing_installed(cli, isolated_home):
    result = cli("service", "status")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "KIND       STATE          WHERE",
        f"systemd    not installed  {unit_path(isolated_home)}",
        f"autostart  not installed  {desktop_path(isolated_home)}",
        "loop       not running    -",
    ]


def test_status_with_a_unit_and_a_running_loop(cli, isolated_home, data_dir):
    assert cli("service", "install", "--kind", "systemd").exit_code == 0
    entry = desktop_path(isolated_home)
    entry.parent.mkdir(parents=True)
    entry.write_text("[Desktop Entry]\n", encoding="utf-8")
    lock = LoopLock(data_dir / "glutewake.lock")
    lock.acquire(4242, datetime(2025, 3, 4, 9, 15), data_dir / "glutewake.db")
    try:
        result = cli("service", "status", "--format", "json")
    finally:
        lock.release()
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"kind": "systemd", "state": "installed", "where": str(unit_path(isolated_home))},
        {"kind": "autostart", "state": "not written by glutewake", "where": str(entry)},
        {
            "kind": "loop",
            "state": "running",
            "where": "pid 4242 since 2025-03-04 09:15",
            "pid": 4242,
            "since": "2025-03-04T09:15:00",
        },
    ]
