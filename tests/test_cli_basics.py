from __future__ import annotations

import click
import pytest

from glutewake import __version__
from glutewake.cli import COMMANDS, LazyGroup, main


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"glutewake, version {__version__}"


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_lists_every_command(cli, flag):
    result = cli(flag)
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name}" in result.output


def _walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from _walk(sub, (*path, name))


def test_every_command_has_help_with_an_example():
    for path, command in _walk(main):
        assert command.help, f"glutewake {' '.join(path)} has no help"
        assert "\b" in command.help and "glutewake" in command.help, (
            f"glutewake {' '.join(path)} help has no example block"
        )


def test_unknown_command_is_a_usage_error(cli):
    result = cli("frobnicate")
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.output


@pytest.mark.parametrize(
    ("args", "names", "help_of"),
    [
        (("strat",), "No such command 'strat'.", ""),
        (("snooze", "5x"), "DURATION", " snooze"),
        (("pause", "200h"), "at most 168h", " pause"),
        (("start", "--sit", "0s"), "'--sit'", " start"),
        (("start", "--sit"), "Option '--sit' requires an argument.", " start"),
        (("--config",), "Option '--config' requires an argument.", ""),
        (("completion", "tcsh"), "Invalid value for 'SHELL': 'tcsh' is not one of", " completion"),
        (("log", "--since", "lastweek"), "'--since'", " log"),
        (("log", "--outcome", "don"), "'--outcome'", " log"),
        (("config", "bogus"), "No such command 'bogus'.", " config"),
    ],
)
def test_a_usage_error_is_one_line_with_a_pointer_to_help(cli, args, names, help_of):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and names in lines[0]
    # CliRunner names the program "main"
    assert lines[0].endswith(f" See 'main{help_of} --help'.")


HUGE = "x" * 120_000


@pytest.mark.parametrize(
    ("args", "names", "expects"),
    [
        ((HUGE,), "No such command 'xxx", "xxx'."),
        (("--" + HUGE,), "No such option '--xxx", "xxx'."),
        (("log", "--format", HUGE), "'--format'", "is not one of 'table', 'json', 'csv'."),
        (("log", "--limit", HUGE), "'--limit'", "is not a valid integer range."),
        (("exercises", "list", "--space", HUGE), "'--space'", "'desk', 'standing', 'floor'."),
        (("completion", HUGE), "'SHELL'", "is not one of 'bash', 'zsh', 'fish'."),
        (("log", "--today", HUGE, HUGE), "extra arguments", "xxx)"),
        # A value of many short words: the line is cut, not only each word.
        (("log", "--format", "a " * 60_000), "'--format'", "is not one of 'table', 'json', 'csv'."),
    ],
)
def test_a_usage_error_is_short_whatever_the_value(cli, args, names, expects):
    result = cli(*args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) < 500, lines[0][:500]
    message = lines[0].partition(" See '")[0]
    assert names in message and message.endswith(expects), message
    assert "…" in message


def test_a_typo_of_a_command_names_the_closest(cli):
    result = cli("resme")
    assert result.stderr.strip() == (
        "Error: No such command 'resme'. (Did you mean 'resume'?) See 'main --help'."
    )


@pytest.mark.parametrize(
    "target",
    [
        (LazyGroup, "get_command"),  # importing the command's module
        (click.Command, "parse_args"),  # parsing its arguments
        (click.Command, "invoke"),  # running it
    ],
)
def test_ctrl_c_in_any_command_exits_130_quietly(cli, monkeypatch, target):
    """Ctrl-C before a command's own handling (or in one with none): no "Aborted!"; the
    shell has shown ^C, and 130 is what it reports for a program SIGINT ended."""

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(*target, interrupted)
    result = cli("status")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "")


def test_ctrl_c_while_the_command_loads_exits_130_quietly(monkeypatch, capsys):
    """The entry point's own imports: SystemExit(130), not a traceback through them."""
    import sys

    from glutewake.__main__ import main as entry

    class Interrupting:
        def find_spec(self, name, *_args):
            if name == "glutewake.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "glutewake.cli")
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    with pytest.raises(SystemExit) as ended:
        entry()
    assert ended.value.code == 130
    assert capsys.readouterr() == ("", "")


def test_now_says_it_makes_the_break_due_not_that_it_starts_it(cli):
    # `now` prompts the break; `done` (or Enter) is what starts it.
    result = cli("now", "--help")
    assert result.exit_code == 0
    assert "Make a break due now" in result.stdout
    assert "glutewake done starts it" in " ".join(result.stdout.split())
    assert "Start a break" not in result.stdout
