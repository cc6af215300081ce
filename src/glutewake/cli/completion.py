"""`glutewake completion`: print click's tab-completion script for a shell."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from glutewake.cli.base import command

SHELLS = ("bash", "zsh", "fish")
PROG_NAME = "glutewake"
# The variable click's main() checks on every run; the script sets it to ask for matches.
COMPLETE_VAR = "_GLUTEWAKE_COMPLETE"


@command()
@click.argument("shell", type=click.Choice(SHELLS), metavar="SHELL")
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the tab-completion script for bash, zsh or fish.

    Commands, options and exercise ids complete. Add one line to your shell's start-up
    file (bash needs version 4.4 or later):

    \b
    Examples:
      eval "$(glutewake completion bash)"     # in ~/.bashrc
      eval "$(glutewake completion zsh)"      # in ~/.zshrc, after compinit
      glutewake completion fish > ~/.config/fish/completions/glutewake.fish
    """
    complete_class = get_completion_class(shell)
    if complete_class is None:  # click dropped a shell it used to support
        raise click.UsageError(f"this click cannot complete {shell}")
    script = complete_class(ctx.find_root().command, {}, PROG_NAME, COMPLETE_VAR).source()
    click.echo(script, nl=not script.endswith("\n"))
