"""What every command is built on: the language, chosen first, and help translated when shown.

Help text and option help are written in English in the source (docstrings, `help=`);
`Command` and `Group` translate them at display time, after the language is chosen, so
nothing is frozen at import. click's own words (Usage, Options, Error, ...) go through
glutewake's catalog too.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from glutewake import i18n
from glutewake.i18n import N_, _
from glutewake.text import cut_middle


def choose_language(args: Sequence[str], env: Mapping[str, str]) -> str:
    """Set the language from `[ui] language` of the config the command line names, else
    the locale; before click parses anything, so even a usage error speaks it."""
    from glutewake.files import read_regular
    from glutewake.paths import resolve

    path = resolve(_config_flag(args), env).config_file
    try:
        data = read_regular(path)  # a FIFO or a device named as config must not hang this
    except OSError:
        data = b""  # the full load reports it, in the language chosen here
    setting = "auto"
    if b"language" in data:  # the common case needs no TOML parse, nor the config module
        from glutewake.config import ui_language

        setting = ui_language(data, path)
    language = i18n.choose(setting, env, sys.platform, Path.home())
    route_click_strings()
    return i18n.set_language(language)


def _config_flag(args: Sequence[str]) -> str | None:
    """The value of the group's --config, if given before the subcommand."""
    for index, arg in enumerate(args):
        if arg == "--config" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--config="):
            return arg.partition("=")[2]
        if not arg.startswith("-"):
            break  # the subcommand: its options are not the group's
    return None


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(singular, plural, n)


def route_click_strings() -> None:
    """Send click's messages through glutewake's catalog instead of gettext's global domain.

    click binds `from gettext import gettext as _` in each of its modules; rebinding those
    names is the one hook it has (its own docs suggest a catalog of the same messages).
    """
    for name, module in list(sys.modules.items()):
        if name == "click" or not name.startswith("click."):
            continue
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]


# Metavars are words too ("--since WHEN"): translated where help shows them, never parsed.
METAVARS = {
    "PATH": N_("PATH"),
    "FILE": N_("FILE"),
    "WHEN": N_("WHEN"),
    "OUTCOME": N_("OUTCOME"),
    "DURATION": N_("DURATION"),
    "SHELL": N_("SHELL"),
}


def _metavar(param: click.Parameter, ctx: click.Context) -> str:
    try:
        return param.make_metavar(ctx)  # click 8.2 and later
    except TypeError:
        return param.make_metavar()  # type: ignore[call-arg,unused-ignore]


@contextmanager
def _translated_params(params: Sequence[click.Parameter], ctx: click.Context) -> Iterator[None]:
    """Help and metavars in the language while the help is written, then as they were."""
    saved = [(getattr(p, "help", None), p.metavar) for p in params]
    try:
        for param, (text, _metavar_set) in zip(params, saved, strict=True):
            if text:
                param.help = _(text)
                if isinstance(param, FormattedHelpOption):
                    param.help = param.help.format(**param.help_values())
            if isinstance(param, click.Option) and param.is_flag:
                continue
            shown = _metavar(param, ctx)  # "WHEN", "[DURATION]", "PATH"
            word = shown.strip("[].")
            if word in METAVARS:
                param.metavar = shown.replace(word, _(METAVARS[word]))
        yield
    finally:
        for param, (text, metavar) in zip(params, saved, strict=True):
            if hasattr(param, "help"):
                param.help = text
            param.metavar = metavar


class FormattedHelpOption(click.Option):
    """An option whose help names values kept elsewhere ("Only these outcomes ({outcomes})"):
    `help_values` fills them in when help is shown, so the list cannot fall behind."""

    def __init__(
        self, *args: Any, help_values: Callable[[], Mapping[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.help_values = help_values


# The usage line's words click writes without gettext; translated where shown.
USAGE_WORDS = {"[OPTIONS]": N_("[OPTIONS]"), "COMMAND [ARGS]...": N_("COMMAND [ARGS]...")}


def help_text(text: str | None) -> str | None:
    """A command's help as shown: the msgid is the docstring as click cleans it."""
    return _(inspect.cleandoc(text)) if text else text


class TranslatedHelp(click.Command):
    def get_short_help_str(self, limit: int = 45) -> str:
        original = self.help
        self.help = help_text(original)
        try:
            return super().get_short_help_str(limit)
        finally:
            self.help = original

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        original = self.help
        self.help = help_text(original)
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = original

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated_params(self.get_params(ctx), ctx):
            super().format_options(ctx, formatter)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            # click's parser raises some ("Option '--sit' requires an argument.") without
            # the context, which names the command whose --help to point to.
            if exc.ctx is None:
                exc.ctx = ctx
            raise

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        # "[OPTIONS]", "COMMAND [ARGS]...": click's usage words, not run through gettext.
        with _translated_params(self.get_params(ctx), ctx):
            pieces = super().collect_usage_pieces(ctx)
        return [_(USAGE_WORDS[piece]) if piece in USAGE_WORDS else piece for piece in pieces]


# Longer than any word or line a usage error has of its own (values glutewake echoes are
# already cut to 60 characters; the longest message is about 240).
WORD_LIMIT = 80
LINE_LIMIT = 400


class OneLineUsageError(click.UsageError):
    """A usage error in one line, as the README promises: what is wrong, then where help is.

    click's own shape is four lines (Usage, Try, a blank line, Error); the usage line
    repeats what `--help` says, so it goes and the pointer joins the error's line.
    """

    def __init__(self, original: click.UsageError) -> None:
        message = original.format_message()
        if isinstance(original, click.BadParameter) and original.param and original.ctx:
            # "Invalid value for '[DAUER]'": the metavar as help shows it.
            with _translated_params([original.param], original.ctx):
                message = original.format_message()
        super().__init__(message, original.ctx)

    def show(self, file: Any = None) -> None:
        # click echoes the value it refuses in full ('xxx…' is not one of …): a long word is
        # cut in its middle, and so is the line if a value of many words made it long, so
        # the option's name and what it expects stay and the line stays short.
        words = [cut_middle(word, WORD_LIMIT, 12) for word in self.format_message().split()]
        message = cut_middle(" ".join(words), LINE_LIMIT, 160)
        if message and message[-1] not in ".?!)":
            message += "."
        line = _("Error: {message}").format(message=message)
        ctx = self.ctx
        if ctx is not None and ctx.command.get_help_option(ctx) is not None:
            line += " " + _("See '{command} --help'.").format(command=ctx.command_path)
        click.echo(line, file=file, err=True, color=ctx.color if ctx is not None else None)


def one_line_usage(exc: click.UsageError) -> click.UsageError:
    """`exc` shown in one line (once: an error already converted is returned as it is)."""
    # `glutewake config` alone shows its help (click's NoArgsIsHelpError, 8.2+): left as is.
    if isinstance(exc, OneLineUsageError) or type(exc).__name__ == "NoArgsIsHelpError":
        return exc
    return OneLineUsageError(exc)


class Command(TranslatedHelp):
    pass


class Group(TranslatedHelp, click.Group):
    command_class = Command
    group_class = type  # subgroups are of the same class as their parent


F = TypeVar("F", bound=Callable[..., Any])


def command(name: str | None = None, **attrs: Any) -> Callable[[F], Command]:
    return click.command(name, cls=Command, **attrs)


def group(name: str | None = None, **attrs: Any) -> Callable[[F], Group]:
    return click.command(name, cls=Group, **attrs)
