"""No hang, no crash, on odd input: what a config path names, what TOML Python cannot
read, huge values, escape sequences, terminals that are not UTF-8, dotfile symlinks."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from glutewake.channel import LoopState
from glutewake.lock import LoopLock, read_holder
from glutewake.status import view
from glutewake.store import BreakRecord, Store
from helpers import REQUIRE_E2E
from running import child_env, glutewake_argv, headless_loop, run_cli

T = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)


def one_line_error(result: subprocess.CompletedProcess[str], *names: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0]
    return lines[0]


def check(path: Path) -> subprocess.CompletedProcess[str]:
    # In another process with a timeout: a config read that hangs fails the test.
    return subprocess.run(
        glutewake_argv("--config", str(path), "config", "check"),
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=20,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_as_config_is_one_line_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    assert "is a named pipe" in one_line_error(check(fifo), str(fifo))
    # And where it is not named with --config: every command that reads the config.
    result = run_cli("config", "show", GLUTEWAKE_CONFIG=str(fifo))
    assert "is a named pipe" in one_line_error(result, str(fifo))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_or_a_huge_file_is_one_line(tmp_path: Path) -> None:
    assert "is a device" in one_line_error(check(Path("/dev/zero")), "/dev/zero")
    huge = tmp_path / "huge.toml"
    huge.write_text("# padding\n" * 300_000)
    assert "larger than" in one_line_error(check(huge), str(huge))


def test_toml_python_cannot_parse_names_the_file(tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    line = one_line_error(check(deep), str(deep))
    assert "recursion" not in line.lower()
    big = tmp_path / "big.toml"
    big.write_text("[timer]\nmax_snoozes = " + "9" * 5000 + "\n")
    line = one_line_error(check(big), str(big))
    assert "int_max_str_digits" not in line and "Exceeds" not in line


def test_tables_nested_deep_by_dotted_keys_name_the_file(tmp_path: Path) -> None:
    """Keys of 32 parts in inline tables 100 deep: tables 3,200 deep, past Python's
    recursion limit; what reads the tables after tomllib must not recurse."""
    dotted = tmp_path / "dotted.toml"
    key = ".".join(["a"] * 32)
    dotted.write_text(f"{key} = {{" * 100 + "b = 1" + "}" * 100 + "\n")
    line = one_line_error(check(dotted), str(dotted))
    assert "unknown section [a]" in line
    escape = tmp_path / "escape.toml"
    escape.write_text('[exercises]\ncustom = [{name = "Evil\\u001b[2J"}]\n')
    assert "exercises.custom[1].name: control character" in one_line_error(
        check(escape), str(escape)
    )


@pytest.mark.parametrize(
    "body",
    [
        "[{key}]\n",  # a table's name
        "[[{key}]]\n",  # an array of tables
        "{key} = 1\n",  # a dotted key
        "[timer]\nx = {{ {key} = 1 }}\n",  # a key in an inline table
        '[ "{key}" . {key} ]\n',  # quoted parts and spaces count as well
    ],
)
def test_keys_of_too_many_parts_are_refused_before_parsing(tmp_path: Path, body: str) -> None:
    """tomllib's time grows with the square of a key's parts: 100,000 (200 KB) take 14 s,
    a megabyte most of an hour. More than 32 parts are refused, fast."""
    deep = tmp_path / "deep.toml"
    deep.write_text(body.format(key=".".join(["a"] * 100_000)))
    started = time.monotonic()
    line = one_line_error(check(deep), str(deep))
    assert time.monotonic() - started < 5.0
    assert "more than 32 dotted parts" in line
    # 32 parts are read; the config then says what is wrong with it, as ever.
    deep.write_text(body.format(key=".".join(["a"] * 31)))
    assert "dotted parts" not in one_line_error(check(deep), str(deep))


def test_a_byte_order_mark_is_accepted(cli, config_file: Path) -> None:
    config_file.write_bytes(b'\xef\xbb\xbf[timer]\nsit = "30m"\n')
    result = cli("config", "show", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"sit": "30m"' in result.output


@pytest.mark.parametrize(
    "body",
    [
        '[timer]\nsit = "{huge}"\n',  # a bad duration
        "[timer]\n{huge} = 1\n",  # an unknown key
        "[{huge}]\n",  # an unknown section
        '[idle]\nbackend = "{huge}"\n',  # not one of the choices
        '[exercises]\nexclude = ["{huge}"]\n',  # an unknown exercise id
    ],
)
def test_huge_values_get_short_fast_messages(cli, config_file: Path, body: str) -> None:
    config_file.write_text(body.format(huge="x" * 500_000))
    started = time.monotonic()
    result = cli("config", "check")
    assert time.monotonic() - started < 2.0
    assert result.exit_code == 1
    assert len(result.output) < 400, result.output[:400]


def test_control_characters_in_config_text_are_refused(cli, config_file: Path) -> None:
    config_file.write_text(
        '[[exercises.custom]]\nid = "evil"\nname = "Evil\\u001b]0;owned\\u0007"\n'
        'category = "glutes"\nspace = "desk"\nlevel = "easy"\nreps = 5\n'
        'steps = ["Stand up.", "Sit down."]\ncue = "Squeeze."\ntargets = ["glutes"]\n'
    )
    result = cli("config", "check")
    assert result.exit_code == 1
    assert "exercises.custom[1].name" in result.output
    assert "\x1b" not in result.output


def test_escape_sequences_from_an_older_log_are_shown_inert(cli, data_dir: Path) -> None:
    data_dir.mkdir()
    evil = "Bridge\x1b[2J\x1b]0;owned\x07\x9b31m"
    now = datetime.now(timezone.utc)
    with Store.open(data_dir / "glutewake.db") as store:
        store.add_break(BreakRecord("done", now, now, now, 900, "x", evil, "glutes"))
    result = cli("log", "--today")
    assert result.exit_code == 0, result.output
    assert "Bridge\\x1b[2J" in result.output
    assert not any(c in result.output for c in "\x1b\x07\x9b")
    result = cli("log", "--today", "--summary")  # the top exercises name it too
    assert result.exit_code == 0, result.output
    assert "Bridge\\x1b[2J" in result.output
    assert not any(c in result.output for c in "\x1b\x07\x9b")
    due = LoopState(1, 1, T, "due", T, T, 60, True, None, "x", evil, 0, 2)
    text = view(due, T).text()
    assert "Bridge\\x1b[2J" in text and "\x1b" not in text


def test_a_pause_of_days_says_the_day() -> None:
    until = T + timedelta(days=3)
    paused = LoopState(1, 1, T, "paused", T, T, 60, False, until, None, None, 0, 2)
    text = view(paused, T).text()
    assert until.astimezone().strftime("%a %H:%M") in text
    today = view(paused._replace(next_at=T + timedelta(minutes=30)), T).text()
    until_text = f"{(T + timedelta(minutes=30)).astimezone():%H:%M}"
    assert today == f"paused · until {until_text}"


def test_config_init_force_writes_through_a_dotfile_symlink(cli, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "glutewake.toml"
    real.write_text("# mine\n")
    link = tmp_path / "config.toml"  # GLUTEWAKE_CONFIG
    link.symlink_to(real)
    result = cli("config", "init", "--force")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "[timer]" in real.read_text()
    assert [p.name for p in dotfiles.iterdir()] == ["glutewake.toml"]  # no temp left


def test_the_lock_carries_any_log_path(tmp_path: Path) -> None:
    odd = tmp_path / "new\nline" / os.fsdecode(b"caf\xe9.db")
    lock = LoopLock(tmp_path / "data" / "glutewake.lock")
    lock.acquire(4242, datetime.now().astimezone(), odd)
    try:
        holder = read_holder(lock.path)
        assert holder is not None and holder.db == odd.resolve()
    finally:
        lock.release()


@pytest.fixture
def latin1(tmp_path: Path) -> dict[str, str]:
    """The environment of a terminal whose encoding is ISO-8859-1."""
    if shutil.which("localedef") is None or not Path("/usr/share/i18n/locales/en_US").exists():
        reason = "needs localedef and the locales package (see .ci/run)"
        if REQUIRE_E2E:
            pytest.fail(f"GLUTEWAKE_REQUIRE_E2E=1 but {reason}")
        pytest.skip(reason)
    locales = tmp_path / "locales"
    locales.mkdir()
    subprocess.run(
        ["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(locales / "en_US.ISO-8859-1")],
        check=True,
        capture_output=True,
    )
    return {"LOCPATH": str(locales), "LANG": "en_US.ISO-8859-1", "LC_ALL": "en_US.ISO-8859-1"}


def test_a_latin1_terminal_gets_readable_fallbacks(tmp_path: Path, latin1: dict[str, str]) -> None:
    def status(*args: str) -> str:
        result = subprocess.run(
            glutewake_argv("status", *args), env=child_env(**latin1), capture_output=True
        )
        assert result.returncode == 0, result.stderr.decode("latin-1")
        return result.stdout.decode("latin-1")

    with headless_loop(tmp_path):
        short = status("--format", "short")
        assert short.startswith("sit ") and "next " in short, short
        assert run_cli("now").returncode == 0
        assert status("--format", "short").strip() == "* break!"
        text = status()
        assert text.startswith("break due: ") and " - answer with" in text, text
        assert "?" not in text


def test_a_snooze_of_days_names_the_day() -> None:
    from glutewake.status import clock_at

    later = T + timedelta(days=2, hours=3)
    assert clock_at(later, T) == later.astimezone().strftime("%a %H:%M")
    assert (
        clock_at(T + timedelta(minutes=5), T) == f"{(T + timedelta(minutes=5)).astimezone():%H:%M}"
    )


def test_a_path_with_a_newline_or_an_escape_is_one_line(cli, tmp_path: Path) -> None:
    odd = tmp_path / "new\nline\x1b[2J.toml"
    result = cli("--config", str(odd), "config", "check")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "\x1b" not in result.output
    assert "new\\nline\\x1b[2J.toml: no such config file" in result.output


def test_paths_that_are_not_utf8_work(tmp_path: Path) -> None:
    odd = os.fsdecode(bytes(tmp_path) + b"/caf\xe9")
    env = child_env(GLUTEWAKE_CONFIG=odd + ".toml", GLUTEWAKE_HOME=odd, LANG="C.UTF-8")

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(glutewake_argv(*args), env=env, capture_output=True, timeout=30)

    assert run("config", "init").returncode == 0
    checked = run("config", "check")
    assert checked.returncode == 0 and checked.stdout == b"ok: " + os.fsencode(odd) + b".toml\n"
    loop = subprocess.Popen(
        glutewake_argv("start", "--no-desktop"),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while run("status").returncode != 0:
            assert time.monotonic() < deadline, "the loop did not start"
            time.sleep(0.1)
        assert run("pause").returncode == 0
        assert run("status").stdout.startswith(b"paused")
    finally:
        loop.terminate()
        assert loop.wait(timeout=10) == 0
    assert b"Traceback" not in (loop.stderr.read() if loop.stderr else b"")
