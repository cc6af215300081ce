"""Nobody else's files: private modes whatever the umask, no planted symlink followed,
and a log that cannot be written can still be read."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest

from glutewake.store import BreakRecord, Store
from helpers import reachable_folder, run_without_root
from running import child_env, glutewake_argv, run_cli, wait_until

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    data = tmp_path / "deep" / "er" / "data"
    env = child_env(GLUTEWAKE_HOME=str(data))
    proc = subprocess.Popen(
        glutewake_argv("start", "--no-desktop"),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0),
    )
    try:
        wait_until(
            lambda: run_cli("status", GLUTEWAKE_HOME=str(data)).returncode == 0,
            what="the loop to start",
        )
        assert mode(data) == 0o700
        assert mode(tmp_path / "deep") == 0o700
        for name in ("glutewake.db", "glutewake.db-wal", "glutewake.db-shm", "glutewake.lock"):
            assert mode(data / name) == 0o600, name
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def config_init_under_umask_0(config: Path | None, *args: str, **env: str) -> None:
    """`config init` under umask 000: at `config`, or None for the user config folder."""
    named = ("--config", str(config)) if config else ()
    environment = child_env(**env)
    if config is None:
        environment.pop("GLUTEWAKE_CONFIG", None)
    result = subprocess.run(
        glutewake_argv(*named, "config", "init", *args),
        env=environment,
        capture_output=True,
        text=True,
        timeout=20,
        preexec_fn=lambda: os.umask(0),
    )
    assert result.returncode == 0, result.stderr


def test_config_init_makes_private_folders_whatever_the_umask(tmp_path: Path) -> None:
    # The user config folder is ours to make (a folder the user names is not: see
    # test_config's folder-does-not-exist tests).
    config_init_under_umask_0(None, XDG_CONFIG_HOME=str(tmp_path / "new" / "er"))
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "er") == 0o700
    assert mode(tmp_path / "new" / "er" / "glutewake") == 0o700
    assert mode(tmp_path / "new" / "er" / "glutewake" / "config.toml") == 0o644


def test_config_init_force_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# mine\n")
    config.chmod(0o600)
    config_init_under_umask_0(config, "--force")
    assert "[timer]" in config.read_text()
    assert mode(config) == 0o600
    # Through a dotfile symlink: the target keeps its mode, the link stays a link.
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "glutewake.toml"
    real.write_text("# mine\n")
    real.chmod(0o640)
    link = tmp_path / "linked.toml"
    link.symlink_to(real)
    config_init_under_umask_0(link, "--force")
    assert link.is_symlink() and "[timer]" in real.read_text()
    assert mode(real) == 0o640


def shared_folder(tmp_path: Path) -> Path:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp
    return shared


@pytest.mark.parametrize(
    "name", ["glutewake.lock", "glutewake.db", "glutewake.db-wal", "glutewake.db-shm"]
)
def test_a_planted_symlink_is_never_followed(tmp_path: Path, name: str) -> None:
    shared = shared_folder(tmp_path)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (shared / name).symlink_to(victim)
    result = subprocess.run(
        glutewake_argv("start", "--no-desktop"),
        env=child_env(GLUTEWAKE_HOME=str(shared)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"{shared / name}:" in result.stderr  # the link itself is named
    assert victim.read_text() == "precious\n"
    assert mode(victim) == 0o644 or not ROOT


@pytest.mark.skipif(not ROOT, reason="planting another user's file needs root")
def test_another_users_log_in_a_shared_folder_is_refused(tmp_path: Path) -> None:
    shared = shared_folder(tmp_path)
    theirs = shared / "glutewake.db"
    theirs.write_bytes(b"")
    os.chown(theirs, 1234, 1234)
    result = subprocess.run(
        glutewake_argv("start", "--no-desktop"),
        env=child_env(GLUTEWAKE_HOME=str(shared)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 1
    assert "another user" in result.stderr
    assert theirs.read_bytes() == b""


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make `folder` unwritable, even for root (chattr +i), for the block."""
    if ROOT:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i does not work here: {done.stderr.decode().strip()}")
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)


def test_a_log_in_a_read_only_folder_can_be_read(data_dir: Path) -> None:
    data_dir.mkdir()
    now = datetime.now(timezone.utc)
    with Store.open(data_dir / "glutewake.db") as store:
        store.add_break(BreakRecord("done", now, now, now, 900, "x", "Glute bridge", "glutes"))
    assert not (data_dir / "glutewake.db-shm").exists()  # closed cleanly
    with read_only(data_dir):
        result = run_cli("log", "--today")
        assert result.returncode == 0, result.stderr
        assert "Glute bridge" in result.stdout
        result = run_cli("log", "--today", "--format", "json")
        assert result.returncode == 0 and "Glute bridge" in result.stdout


def test_an_unreadable_log_names_the_cause() -> None:
    # Read by a user file modes apply to: as root, a child that gives root up first.
    with reachable_folder() as data_dir:
        with Store.open(data_dir / "glutewake.db") as store:
            now = datetime.now(timezone.utc)
            store.add_break(BreakRecord("done", now, now, now, 900))
        (data_dir / "glutewake.db").chmod(0)
        config = str(data_dir / "absent.toml")
        env = {**os.environ, "GLUTEWAKE_HOME": str(data_dir), "GLUTEWAKE_CONFIG": config}
        code, output = run_without_root(["log", "--today"], env)
    assert code == 1
    assert "permission denied" in output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_planted_as_the_lock_does_not_hang_status(data_dir: Path) -> None:
    data_dir.mkdir()
    os.mkfifo(data_dir / "glutewake.lock")
    result = subprocess.run(
        glutewake_argv("status"), env=child_env(), capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout.strip() == "not running"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_named_as_the_log_is_one_line_not_a_hang(tmp_path: Path, config_file: Path) -> None:
    fifo = tmp_path / "log.db"
    os.mkfifo(fifo)
    config_file.write_text(f'[log]\ndatabase = "{fifo}"\n')
    for args in (("log",), ("start", "--no-desktop"), ("report", "-o", str(tmp_path / "r.html"))):
        result = subprocess.run(
            glutewake_argv(*args),
            env=child_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.strip().splitlines() == [
            f"Error: {fifo}: is a named pipe, expected the log database file"
        ]
