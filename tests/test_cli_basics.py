from __future__ import annotations

import click
import pytest

from glutewake import __version__
from glutewake.cli import COMMANDS, main


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
