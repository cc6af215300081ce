"""The one family of errors a user can cause; the CLI turns each into a one-line message.

Core modules raise these with a message that names the file, key or argument and what
is expected. `cli` converts them to exit code 1 in a single place.
"""

from __future__ import annotations


class GlutewakeError(Exception):
    """Something the user can fix: shown as one line, exit code 1."""


class ConfigError(GlutewakeError):
    """The config file (or a value that overrides it) is invalid."""


class CatalogError(GlutewakeError):
    """An exercise id or filter that the catalog cannot satisfy."""


class StoreError(GlutewakeError):
    """The log database cannot be read or written."""


class LoopError(GlutewakeError):
    """The running loop cannot be reached, or a second one was asked for."""
