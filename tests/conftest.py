"""Shared fixtures. Every test runs with its own home, config and data folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from desktop import desktop, notifications  # noqa: F401 (fixtures for every test module)
from glutewake.cli import main
from glutewake.i18n import set_language
from helpers import require_programs
from terminal import Tmux


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every file glutewake or a desktop program might touch into tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("GLUTEWAKE_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("GLUTEWAKE_CONFIG", str(tmp_path / "config.toml"))
    # A test reaches a desktop only through the `desktop` fixture, never the developer's.
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # English whatever the developer's locale; tests of other languages set their own.
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    (tmp_path / "run").mkdir(mode=0o700)
    return home


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """A command run in another language leaves the process's language behind: reset it."""
    yield
    set_language("en")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The config path GLUTEWAKE_CONFIG points at (not created)."""
    return tmp_path / "config.toml"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """A real terminal: a private tmux server, killed afterwards."""
    require_programs("tmux")
    term = Tmux(tmp_path)
    yield term
    term.kill()


@pytest.fixture
def cli() -> Iterator[Callable[..., Result]]:
    """Run `glutewake ARGS...` in-process; stderr is kept apart from stdout."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    yield run
