"""`glutewake completion SHELL`, click's completion protocol, and `python -m glutewake`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from glutewake import __version__
from glutewake import service as svc
from glutewake.cli import COMMANDS, main

MARKS = {
    "bash": ["complete -o nosort -F _glutewake_completion glutewake"],
    "zsh": ["#compdef glutewake", "compdef _glutewake_completion glutewake"],
    "fish": ["complete --no-files --command glutewake"],
}
SYNTAX_CHECK = {
    "bash": ["bash", "-n"],
    "zsh": ["zsh", "-n"],
    "fish": ["fish", "--no-execute"],
}


def script(cli, shell: str) -> str:
    result = cli("completion", shell)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_script_for_each_shell(cli, shell):
    text = script(cli, shell)
    assert f"_GLUTEWAKE_COMPLETE={shell}_complete" in text
    assert "_glutewake_completion" in text
    for mark in MARKS[shell]:
        assert mark in text
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_script_is_valid_shell_syntax(cli, shell, tmp_path):
    program = shutil.which(SYNTAX_CHECK[shell][0])
    if program is None:
        pytest.skip(f"{shell} is not installed (it only adds a syntax check)")
    path = tmp_path / f"glutewake.{shell}"
    path.write_text(script(cli, shell), encoding="utf-8")
    checked = subprocess.run(
        [program, *SYNTAX_CHECK[shell][1:], str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (checked.returncode, checked.stderr) == (0, "")


def test_unknown_shell_is_a_usage_error(cli):
    result = cli("completion", "tcsh")
    assert result.exit_code == 2
    assert "Invalid value for 'SHELL': 'tcsh' is not one of 'bash', 'zsh', 'fish'." in (
        result.stderr
    )


def test_missing_shell_is_a_usage_error(cli):
    result = cli("completion")
    assert result.exit_code == 2
    assert "Missing argument 'SHELL'. Choose from: bash, zsh, fish." in result.stderr


def completions(args: list[str], incomplete: str) -> list[str]:
    complete = ShellComplete(main, {}, "glutewake", "_GLUTEWAKE_COMPLETE")
    return [item.value for item in complete.get_completions(args, incomplete)]


def test_completes_command_names():
    assert completions([], "se") == ["service"]
    assert completions([], "comp") == ["completion"]
    assert completions(["service"], "") == ["install", "status", "uninstall"]


def test_completes_choices():
    assert completions(["completion"], "") == ["bash", "zsh", "fish"]
    kinds = list(svc.KINDS[svc.platform_name(sys.platform)])
    assert completions(["service", "install", "--kind"], "") == kinds


def test_completes_glute_exercise_ids():
    found = completions(["exercises", "show"], "glu")
    assert "glute-bridge" in found
    assert all(value.startswith("glu") for value in found)


def ask(shell: str, words: str, cword: str) -> list[str]:
    """What `glutewake` answers when a shell's script asks it for completions."""
    env = {"_GLUTEWAKE_COMPLETE": f"{shell}_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
    result = CliRunner().invoke(main, [], env=env, prog_name="glutewake")
    assert result.exit_code == 0, result.output
    return str(result.stdout).splitlines()


def test_answers_each_shell_in_its_format():
    assert ask("bash", "glutewake servi", "1") == ["plain,service"]
    zsh = ask("zsh", "glutewake servi", "1")
    assert zsh[:2] == ["plain", "service"] and len(zsh) == 3  # type, value, help
    assert ask("fish", "glutewake servi", "servi")[0].startswith("plain,service")


@pytest.fixture
def glutewake_on_path(tmp_path: Path) -> str:
    """PATH with a `glutewake` that runs this checkout, as an installed one would."""
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "glutewake"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m glutewake "$@"\n')
    program.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


def bash_complete(source: str, line: list[str], path: str, tmp_path: Path) -> list[str]:
    script_file = tmp_path / "completion.bash"
    script_file.write_text(source, encoding="utf-8")
    words = " ".join(f"'{word}'" for word in line)
    program = (
        f"source {script_file}\n"
        f"COMP_WORDS=({words}); COMP_CWORD={len(line) - 1}\n"
        "_glutewake_completion glutewake\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_bash_completes_through_the_real_script(cli, glutewake_on_path, tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    source = script(cli, "bash")
    assert bash_complete(source, ["glutewake", "servi"], glutewake_on_path, tmp_path) == ["service"]
    if "exercises" in COMMANDS:
        ids = bash_complete(
            source, ["glutewake", "exercises", "show", "glute-b"], glutewake_on_path, tmp_path
        )
        assert ids == ["glute-bridge"]


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glutewake", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_m_glutewake_is_glutewake():
    version = run_module("--version")
    assert (version.returncode, version.stdout) == (0, f"glutewake, version {__version__}\n")
    usage = run_module("--help")
    assert usage.returncode == 0
    assert usage.stdout.startswith("Usage: glutewake [OPTIONS] COMMAND [ARGS]...")
    wrong = run_module("frobnicate")
    assert wrong.returncode == 2
    assert "No such command 'frobnicate'" in wrong.stderr
