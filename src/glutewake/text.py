"""Text from outside (the config, the log) made safe to show on a terminal.

A control character in an exercise name could move the cursor, retitle the window or
worse when printed; configs reject them, and everything read back from a log (perhaps
written by an older version) goes through `printable` before it is shown.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 range (0x9b is a one-byte CSI).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# On one line (a status line, a table cell) newlines and tabs break the layout too.
_LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]  # "\x1b" -> "\\x1b": visible, inert


def printable(text: str) -> str:
    """`text` with control characters shown as escapes (tab and newline kept)."""
    return CONTROL.sub(_escape, text)


def one_line(text: str) -> str:
    """`text` for a single line: every control character, newlines included, escaped."""
    return _LINE_CONTROL.sub(_escape, text)


def shorten(text: str, limit: int = 60) -> str:
    """At most `limit` characters of `text` for a message that echoes a value back."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut_middle(text: str, limit: int, tail: int) -> str:
    """At most `limit` characters of `text`: its start, "…" and its last `tail` (a closing
    quote, what a message expects after the value)."""
    if len(text) <= limit:
        return text
    return text[: limit - tail - 1] + "…" + text[len(text) - tail :]


def shown(value: str) -> str:
    """A value echoed in a message: quoted, on one line, and cut if long."""
    return repr(one_line(shorten(value)))


def clip(name: str) -> str:
    """A key or id echoed unquoted in a message: on one line, and cut if long."""
    return one_line(shorten(name))


# --- terminals that cannot show everything -----------------------------------------------

# What a symbol becomes where the terminal's encoding lacks it (Latin-1, ASCII): words
# for the status bar's emoji, plain punctuation for typography.
_FALLBACKS = {
    "🪑": "sit ",
    "⏳": "next ",
    "🍑": "*",
    "💤": "snoozed ",
    "⏸": "paused",
    "🧍": "standing",
    "🚶": "away",
    "🌙": "off",
    "·": "-",
    "—": "-",
    "–": "-",
    "…": "...",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "→": "->",
    "←": "<-",
    "█": "#",
    "▏": "|",
    "✓": "ok",
    "✗": "x",
    "°": " deg",
    "×": "x",
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "Ä": "Ae",
    "Ö": "Oe",
    "Ü": "Ue",
    "ß": "ss",
}
ERRORS = "glutewake-fallback"


def _fallback(error: UnicodeError) -> tuple[str | bytes, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    out: list[str] = []
    for char in bad:
        if "\udc80" <= char <= "\udcff":
            # A byte that was not UTF-8 (a file name): give back the byte itself.
            return bytes([ord(char) - 0xDC00]), error.start + 1
        out.append(_fallback_char(char, error.encoding))
    return "".join(out), error.end


def _fallback_char(char: str, encoding: str) -> str:
    if char in _FALLBACKS:
        candidate = _FALLBACKS[char]
    else:
        import unicodedata

        # "é" -> "e", "ﬁ" -> "fi": letters keep their base where the accent cannot go.
        candidate = unicodedata.normalize("NFKD", char)
    try:
        candidate.encode(encoding)
    except (UnicodeError, LookupError):
        candidate = candidate.encode("ascii", "ignore").decode("ascii") or "?"
    return candidate


def protect(stream: object) -> None:
    """Make `stream` write a fallback instead of failing on a character it cannot encode."""
    import codecs
    import io

    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, _fallback)
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors=ERRORS)
