"""What every command shares: resolved paths and the settings, loaded once on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from glutewake.config import Settings, load
from glutewake.paths import Paths


@dataclass
class App:
    paths: Paths
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load(self.paths.config_file, must_exist=self.paths.config_explicit)
        return self._settings

    def db_path(self) -> Path:
        database = self.settings().log.database
        if database is None:
            return self.paths.default_db
        if not database.is_absolute():
            # A relative [log] database is relative to the config file that names it.
            return self.paths.config_file.parent / database
        return database


pass_app = click.make_pass_decorator(App)
