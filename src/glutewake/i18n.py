"""Translations: every string a person reads goes through `_` (or `N_` + `_` later).

`_("text")` translates now, with the language chosen by `set_language` (English until
then). `N_("text")` only marks a string for extraction (module-level tables, help text
built at import); translate it with `_()` where it is shown. The catalogs are gettext
`.mo` files bundled in `glutewake/locale/`, made from `.po` files with Babel's tools.
"""

from __future__ import annotations

from typing import Protocol


class _Translations(Protocol):
    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


class _English:
    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural


DOMAIN = "glutewake"
_current: _Translations = _English()


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark for extraction only; the caller translates it with `_()` when shown."""
    return message


def set_language(language: str | None) -> str:
    """Use `language` ("de", "en", ...; None = English); return the one in effect.

    A language without a bundled catalog falls back to English silently.
    """
    global _current
    if not language or language == "en":
        _current = _English()
        return "en"
    import gettext
    from importlib.resources import files

    localedir = files("glutewake") / "locale"
    try:
        with (localedir / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as fp:
            _current = gettext.GNUTranslations(fp)
    except OSError:
        _current = _English()
        return "en"
    return language
