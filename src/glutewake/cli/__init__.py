"""The `glutewake` command: a thin click layer over the core modules.

Subcommands live in one module per command group and are imported only when used,
so `glutewake status` in a shell prompt does not pay for `start`'s imports.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import click

from glutewake import __version__
from glutewake.cli.base import Group, choose_language, one_line_usage
from glutewake.cli.context import App
from glutewake.errors import GlutewakeError
from glutewake.i18n import N_, _, ngettext
from glutewake.paths import resolve
from glutewake.text import one_line, protect

# name -> "module:attribute"; the order is the order in --help.
COMMANDS: dict[str, str] = {
    "start": "glutewake.cli.start:start",
    "status": "glutewake.cli.control:status",
    "show": "glutewake.cli.control:show",
    "done": "glutewake.cli.control:done",
    "snooze": "glutewake.cli.control:snooze",
    "skip": "glutewake.cli.control:skip",
    "now": "glutewake.cli.control:now",
    "pause": "glutewake.cli.control:pause",
    "resume": "glutewake.cli.control:resume",
    "stand": "glutewake.cli.control:stand",
    "sit": "glutewake.cli.control:sit",
    "stop": "glutewake.cli.control:stop",
    "warmup": "glutewake.cli.warmup:warmup",
    "log": "glutewake.cli.log:log",
    "report": "glutewake.cli.report:report_command",
    "exercises": "glutewake.cli.exercises:exercises",
    "config": "glutewake.cli.config:config",
    "service": "glutewake.cli.service:service",
    "doctor": "glutewake.cli.doctor:doctor",
    "completion": "glutewake.cli.completion:completion",
}


class LazyGroup(Group):
    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        # The language is chosen before click parses anything: help, usage errors and
        # every message after that speak it.
        args = list(sys.argv[1:] if args is None else args)
        _hold_standard_fds()
        # A Latin-1 or ASCII terminal gets readable stand-ins for symbols, never an error.
        protect(sys.stdout)
        protect(sys.stderr)
        choose_language(args, os.environ)
        return super().main(args, *rest, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests from `self.commands`, which a lazy group leaves empty: a typo at
        # the top level gets the same "Did you mean" as one in `glutewake config`.
        name = args[0] if args else ""
        if name in COMMANDS or name.startswith("-") or ctx.resilient_parsing:
            return super().resolve_command(ctx, args)
        from difflib import get_close_matches

        message = _("No such command {name!r}.").format(name=name)
        close = get_close_matches(name, list(COMMANDS))
        if close:
            message += " " + ngettext(
                "(Did you mean {possibility}?)",
                "(Did you mean one of: {possibilities}?)",
                len(close),
            ).format(possibility=repr(close[0]), possibilities=", ".join(map(repr, sorted(close))))
        raise click.UsageError(message, ctx)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if sys.stdout is None and not HELP_AND_VERSION.isdisjoint(args):
            # Started with stdout closed (`>&-`): help would be printed to nowhere, while
            # the arguments are parsed, before main() below can say so.
            raise click.ClickException(_(STDOUT_CLOSED))
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise one_line_usage(exc) from None
        except KeyboardInterrupt:
            raise click.exceptions.Exit(INTERRUPTED_EXIT) from None
        except OSError as exc:
            # --help and --version print while the arguments are parsed, before invoke.
            raise _output_failed(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        # The one place a domain error becomes a one-line message and exit code 1, and a
        # usage error anywhere below (a subcommand's, a subgroup's) one line, exit 2.
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise one_line_usage(exc) from None
        except KeyboardInterrupt:
            # Ctrl-C before a command's own handling (or in one that has none, such as a
            # long export): the shell has shown ^C; click's "Aborted!" would say nothing
            # more. 130 is what a shell reports for a program SIGINT ended.
            raise click.exceptions.Exit(INTERRUPTED_EXIT) from None
        except GlutewakeError as exc:
            # One line whatever it names: a path with a newline or an escape sequence in
            # it is shown escaped.
            raise click.ClickException(one_line(str(exc))) from None
        except OSError as exc:
            raise _output_failed(exc) from None


SIGPIPE_EXIT = 128 + 13
STDOUT_CLOSED = N_("standard output is closed; nothing can be shown")
HELP_AND_VERSION = frozenset({"--help", "-h", "--version"})
INTERRUPTED_EXIT = 128 + 2


def _output_failed(exc: OSError) -> click.ClickException | click.exceptions.Exit:
    """What a failed write of output ends in; any other OSError goes on as it is."""
    if not _stdout_broken(exc):
        raise exc
    if exc.errno == errno.EPIPE:
        # The reader has what it wanted (`| head`): nothing went wrong, so nothing is
        # said; 141 is what a shell reports for a program its SIGPIPE ended.
        return click.exceptions.Exit(SIGPIPE_EXIT)
    # /dev/full, a full disk under a redirect, a closed pipe or terminal.
    return click.ClickException(
        _("cannot write the output ({why})").format(why=exc.strerror or exc)
    )


def _hold_standard_fds() -> None:
    """Put /dev/null on a closed stdin/stdout/stderr, so no file we open later (the log)
    gets fd 0-2 and receives what is meant for a terminal."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:  # a lower one was free too: it is handled in its turn
                os.dup2(opened, fd)
                os.close(opened)


def _stdout_broken(exc: OSError) -> bool:
    """Whether `exc` is a failed write of output (a write names no file, an open does);
    if so, quiet stdout for good so the interpreter's flush at exit does not fail again."""
    lost = (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.ENXIO)
    if exc.filename is not None or exc.errno not in (*lost, getattr(errno, "EDQUOT", -1)):
        return False
    stream = sys.stdout
    if stream is not None:
        with suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
    return True


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help=N_("Config file to use (default: $GLUTEWAKE_CONFIG, else the user config folder)."),
)
@click.version_option(__version__, "-V", "--version", prog_name="glutewake")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Sitting-break reminders that wake your glutes and stretch your hip flexors.

    Run `glutewake start` in a terminal and leave it there; every break is logged.

    \b
    Examples:
      glutewake start              # remind me, with the defaults
      glutewake log --week --summary
      glutewake exercises show glute-bridge
    """
    if sys.stdout is None and ctx.invoked_subcommand != "start":
        # Started with stdout closed (`>&-`): whatever it would say is lost. The loop
        # alone can go on without it (notifications, the log).
        raise click.ClickException(_(STDOUT_CLOSED))
    ctx.obj = App(paths=resolve(config_path, os.environ))
