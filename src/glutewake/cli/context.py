"""What every command shares: resolved paths and the settings, loaded once on demand."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from glutewake.paths import Paths

if TYPE_CHECKING:
    from glutewake.catalog import Catalog
    from glutewake.config import Settings


class App:
    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self._settings: Settings | None = None
        self._catalog: Catalog | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            # Imported here: `status` and the answer commands find the loop by its lock
            # and never need the config, so they do not pay for reading it.
            from glutewake.config import load

            self._settings = load(self.paths.config_file, must_exist=self.paths.config_explicit)
        return self._settings

    def catalog(self) -> Catalog:
        """The exercises with the config's additions and filters, checked (built once)."""
        if self._catalog is None:
            from glutewake.catalog import build_catalog

            settings = self.settings()
            self._catalog = build_catalog(settings.exercises, source=settings.source)
        return self._catalog

    def checked_settings(self) -> Settings:
        """The settings, after the exercises they name are checked too (config check)."""
        self.catalog()
        return self.settings()

    def db_path(self) -> Path:
        from glutewake.config import log_file

        return log_file(self.settings(), self.paths.default_db)

    def log_to_write(self) -> Path:
        """The log's path, for a command that writes it: a folder named in [log]
        database must exist (the data folder is made as needed)."""
        from glutewake.config import check_log_folder

        check_log_folder(self.settings(), self.paths.default_db)
        return self.db_path()


pass_app = click.make_pass_decorator(App)
