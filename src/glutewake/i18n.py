"""Translations: every string a person reads goes through `_` (or `N_` + `_` later).

`_("text")` translates now, with the language chosen by `set_language` (English until
then). `N_("text")` only marks a string for extraction (module-level tables, help text
built at import); translate it with `_()` where it is shown. The catalogs are gettext
`.mo` files bundled in `glutewake/locale/`, made from `.po` files with Babel's tools
(README, Development). `gettext` itself is imported only when a catalog is loaded, so
English start-up pays nothing for it.

The pseudo-language "qps" (as in Windows' qps-ploc) shows every marked string with
accented letters: whatever still reads as plain English is not marked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import date

DOMAIN = "glutewake"
# Languages with a bundled catalog, English first (the source language).
LANGUAGES = ("en", "de")
PSEUDO = "qps"
# The values `[ui] language` accepts.
SETTINGS = ("auto", *LANGUAGES)
# Where "auto" looks, in gettext's order: the first one set (and not empty) decides.
ENV_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class _Translations(Protocol):
    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...
    def pgettext(self, context: str, message: str, /) -> str: ...


class _English:
    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str, /) -> str:
        return message


# Placeholders ({name}, {0:>3}, %(name)s, %s), $VARIABLES and --options stay as they are.
_KEEP = re.compile(r"\{[^{}]*\}|%(?:\([a-z_]+\))?[sdr]|\$\w+|(?<!\w)--?[a-z][\w-]*")
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ",
)


def pseudo(text: str) -> str:
    """`text` with its letters accented, placeholders and option names kept intact."""
    out, last = [], 0
    for match in _KEEP.finditer(text):
        out.append(text[last : match.start()].translate(_ACCENTED))
        out.append(match.group())
        last = match.end()
    out.append(text[last:].translate(_ACCENTED))
    return "".join(out)


class _Pseudo:
    def gettext(self, message: str, /) -> str:
        return pseudo(message)

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return pseudo(singular if n == 1 else plural)

    def pgettext(self, context: str, message: str, /) -> str:
        return pseudo(message)


_current: _Translations = _English()
_language = "en"


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`_` for a word that reads differently by where it stands ("standing": a place, a time)."""
    return _current.pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """`N_` with a context: translate it with `pgettext(context, message)` where shown."""
    return message


def N_(message: str) -> str:
    """Mark for extraction only; the caller translates it with `_()` when shown."""
    return message


def language() -> str:
    """The language in effect: "en", "de", ... (or the pseudo-language)."""
    return _language


def set_language(language: str | None) -> str:
    """Use `language` ("de", "en", ...; None = English); return the one in effect.

    A language without a bundled catalog falls back to English silently.
    """
    global _current, _language
    _current, _language = _English(), "en"
    if not language or language == "en":
        return "en"
    if language == PSEUDO:
        _current, _language = _Pseudo(), PSEUDO
        return PSEUDO
    import gettext
    from importlib.resources import files

    localedir = files("glutewake") / "locale"
    try:
        with (localedir / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as fp:
            _current = gettext.GNUTranslations(fp)
    except OSError:
        return "en"
    _language = language
    return language


def _code(locale_name: str) -> str | None:
    """ "de_DE.UTF-8", "de-AT", "de" -> "de"; "C", "POSIX", "" -> None."""
    name = locale_name.split(".")[0].split("@")[0].replace("-", "_").strip()
    if not name or name in ("C", "POSIX"):
        return None
    return name.split("_")[0].lower()


def _first_known(names: Sequence[str]) -> str:
    for name in names:
        code = _code(name)
        if code in LANGUAGES or code == PSEUDO:
            return code
    return "en"


def from_environment(env: Mapping[str, str]) -> str | None:
    """The language the locale variables ask for ("en" if unknown), or None if none is set.

    `LANGUAGE` may list several ("fr:de:en"): the first one glutewake has wins.
    """
    for variable in ENV_VARIABLES:
        value = env.get(variable, "")
        if value:
            return _first_known(value.split(":"))
    return None


def from_system(platform: str, home: Path) -> str:
    """The desktop's language setting where Python can read it without a subprocess."""
    names: list[str] = []
    try:
        if platform == "win32":
            import _locale

            names = [_locale._getdefaultlocale()[0] or ""]  # type: ignore[attr-defined]
        elif platform == "darwin":
            import plistlib

            prefs = home / "Library" / "Preferences" / ".GlobalPreferences.plist"
            with prefs.open("rb") as fp:
                names = [str(n) for n in plistlib.load(fp).get("AppleLanguages", [])]
    except (OSError, ValueError, AttributeError, TypeError):
        names = []
    return _first_known(names)


def choose(setting: str, env: Mapping[str, str], platform: str, home: Path) -> str:
    """The language for `[ui] language = setting` ("auto" asks the locale, then the system)."""
    if setting != "auto":
        return setting
    found = from_environment(env)
    return found if found is not None else from_system(platform, home)


# --- dates and numbers as the language writes them (tables for people; never JSON/CSV) ---

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def weekday(day: date) -> str:
    """The short weekday name: "Mon" / "Mo"."""
    return _(WEEKDAYS[day.weekday()])


def format_date(day: date) -> str:
    """A date as the language writes it: 2026-03-31 / 31.03.2026."""
    return _("{year:04d}-{month:02d}-{day:02d}").format(year=day.year, month=day.month, day=day.day)


def format_day(day: date) -> str:
    """Weekday and date: "Tue 2026-03-31" / "Di 31.03.2026"."""
    return _("{weekday} {date}").format(weekday=weekday(day), date=format_date(day))


def format_percent(ratio: float) -> str:
    """0.83 -> "83%" / "83 %"."""
    return _("{percent}%").format(percent=round(ratio * 100))
