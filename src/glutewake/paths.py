"""The one place that decides where glutewake's files live.

Order: an explicit CLI flag, then an environment variable (GLUTEWAKE_CONFIG,
GLUTEWAKE_HOME), then the platform's user config/data folders.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

APP = "glutewake"
DB_NAME = "glutewake.db"
LOCK_NAME = "glutewake.lock"


class Paths(NamedTuple):
    config_file: Path
    # Named with --config: a missing file is an error rather than "use the defaults".
    config_explicit: bool
    data_dir: Path
    # The platform's default config path: its folder is ours to create (`config init`);
    # one named by --config or GLUTEWAKE_CONFIG must exist.
    config_default: bool = False

    @property
    def default_db(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def lock_file(self) -> Path:
        return self.data_dir / LOCK_NAME


def resolve(config_flag: str | None, env: Mapping[str, str]) -> Paths:
    default = False
    if config_flag:
        config_file, explicit = Path(config_flag).expanduser(), True
    elif env.get("GLUTEWAKE_CONFIG"):
        config_file, explicit = Path(env["GLUTEWAKE_CONFIG"]).expanduser(), False
    else:
        config_file, explicit = _platform_config_dir() / "config.toml", False
        default = True
    # GLUTEWAKE_HOME names the data folder itself: ours to create, as the default is.
    home = env.get("GLUTEWAKE_HOME")
    data_dir = Path(home).expanduser() if home else _platform_data_dir()
    return Paths(
        config_file=config_file,
        config_explicit=explicit,
        data_dir=data_dir,
        config_default=default,
    )


def _platform_config_dir() -> Path:
    # platformdirs is imported here, not at module level: most runs name GLUTEWAKE_* or
    # never need the default, and start-up time matters for `status` in a prompt.
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False, roaming=True)


def _platform_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)
