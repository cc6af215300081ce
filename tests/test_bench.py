"""A fast smoke test of the benchmark's parts; the benchmark itself is not a timed test.

make_log writes a log that `glutewake log` reads, with the shape the brief asks for, and
run.py's pure helpers (median, ratio, /proc parsing, the table) give the right answers.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import Result

from glutewake.catalog import load_bundled

BENCH = Path(__file__).resolve().parent.parent / "bench"
END = "2024-03-29"  # a Friday


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


make_log = _load("make_log")
bench_run = _load("run")


def _end() -> datetime:
    end: datetime = make_log._end(END)
    return end


# --- make_log -----------------------------------------------------------------------------


def test_make_log_writes_a_log_that_glutewake_log_reads(
    data_dir: Path, cli: Callable[..., Result]
) -> None:
    db = data_dir / "glutewake.db"
    done = subprocess.run(
        [sys.executable, str(BENCH / "make_log.py"), "--breaks", "300", "--end", END, str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{db}: 300 breaks (")

    rows = json.loads(
        cli("log", "--since", "2000-01-01", "--until", END, "--format", "json").output
    )
    assert len(rows) == 300
    assert max(row["date"] for row in rows) <= END

    result = cli("log", "--summary", "--since", "2024-03-25", "--until", END, "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert [day["weekday"] for day in summary["days"]] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    totals = summary["totals"]
    assert totals["done"] > totals["skipped"] + totals["missed"]
    assert totals["due"] == totals["done"] + totals["skipped"] + totals["missed"]
    assert totals["seated_s"] > 0
    assert totals["top_exercises"]


def test_make_log_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"mine")
    assert make_log.main(["--breaks", "10", str(path)]) == 1
    assert path.read_bytes() == b"mine"


@pytest.mark.parametrize("argv", [["--breaks", "0", "x.db"], ["--breaks", "5", "--end", "x", "y"]])
def test_make_log_bad_arguments_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        make_log.main(argv)
    assert exit_.value.code == 2


def test_plan_is_exact_and_repeatable() -> None:
    first = make_log.plan(500, _end(), random.Random(3))
    again = make_log.plan(500, _end(), random.Random(3))
    assert sum(len(day.breaks) for day in first) == 500
    assert [b for d in first for b in d.breaks] == [b for d in again for b in d.breaks]
    starts = [day.start for day in first]
    assert starts == sorted(starts)
    assert all(b.at < _end() for day in first for b in day.breaks)


def test_plan_looks_like_a_working_life() -> None:
    days = make_log.plan(5000, _end(), random.Random(8))
    breaks = [b for day in days for b in day.breaks]
    weekdays = [day for day in days if day.start.astimezone().weekday() < 5]
    prompted = [sum(b.outcome != "natural" for b in day.breaks) for day in weekdays[1:]]
    assert 8 <= sum(prompted) / len(prompted) <= 12
    assert len(days) - len(weekdays) < len(days) * 0.1  # weekends mostly empty
    span = days[-1].start - days[0].start
    assert span > timedelta(days=365)

    outcomes = Counter(b.outcome for b in breaks)
    assert outcomes["done"] > 0.6 * len(breaks)
    assert all(outcomes[k] > 0.03 * len(breaks) for k in ("skipped", "missed", "natural"))
    assert sum(b.snoozes > 0 for b in breaks) > 0.1 * len(breaks)

    catalog = {e.id: (e.name, e.category) for e in load_bundled()}
    for b in breaks:
        if b.outcome == "natural":
            assert b.exercise_id is None and b.away_s
        else:
            assert catalog[b.exercise_id] == (b.exercise_name, b.category)
            assert b.due_at <= b.at
    kinds = Counter(e.kind for day in days for e in day.events)
    assert {"pause", "resume", "stand", "sit", "back", "suspend"} <= set(kinds)


# --- run.py's helpers -----------------------------------------------------------------------


STATUS = """Name:\tglutewake
State:\tS (sleeping)
VmHWM:\t   22104 kB
VmRSS:\t   21532 kB
Threads:\t1
voluntary_ctxt_switches:\t163
nonvoluntary_ctxt_switches:\t7
"""


def test_parse_status() -> None:
    fields = bench_run.parse_status(STATUS)
    assert fields["VmRSS"] == 21532
    assert fields["VmHWM"] == 22104
    assert fields["voluntary_ctxt_switches"] == 163
    assert "Name" not in fields and "State" not in fields


def test_parse_stat_cpu_with_a_name_holding_spaces_and_parens() -> None:
    rest = "S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 1 0 100 200 300"
    assert bench_run.parse_stat_cpu(f"4242 (glute wake (x)) {rest}", 100) == 2.0


def test_parse_schedstat_cpu() -> None:
    assert bench_run.parse_schedstat_cpu("123456789 2000 17\n") == pytest.approx(0.123456789)


def test_maxrss_units() -> None:
    assert bench_run.maxrss_mb(20480, "linux") == 20.0
    assert bench_run.maxrss_mb(20 * 1024 * 1024, "darwin") == 20.0


def test_table_shows_budgets_and_results() -> None:
    figures = [
        bench_run.Figure("start-up glutewake status", 1.4, "x", 1.5, "60 ms vs 43 ms"),
        bench_run.Figure("loop RSS at the end", 30.0, "MB", 25.0),
        bench_run.Figure("make_log 100,000 breaks", 4.1, "s"),
    ]
    table = bench_run.render_table(figures)
    lines = table.splitlines()
    assert lines[0].split() == ["figure", "value", "budget", "result"]
    assert lines[2].split()[-3:] == ["<=", "1.50x", "pass"]
    assert lines[3].endswith("FAIL")
    assert lines[4].split()[-3:] == ["4.100", "s", "-"]
    assert "start-up glutewake status: 60 ms vs 43 ms" in table
    assert [f.passed for f in figures] == [True, False, None]
    assert figures[1].as_dict()["passed"] is False


def test_run_once_times_a_child_and_reads_its_peak_memory(tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('out'); sys.stderr.write('err'); sys.exit(3)"
    run = bench_run.run_once([sys.executable, "-c", code], os.environ, tmp_path)
    assert (run.code, run.out, run.err) == (3, "out", "err")
    assert 0 < run.wall_s < 10 and run.maxrss_mb > 1
    with pytest.raises(bench_run.BenchError, match="exited 3: err"):
        bench_run.checked(run, ["python", "-c", "..."], (0,))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_sample_reads_a_live_process() -> None:
    sample = bench_run.sample(os.getpid(), os.sysconf("SC_CLK_TCK"))
    assert sample.rss_kb > 1000 and sample.hwm_kb >= sample.rss_kb
    assert sample.cpu_s > 0 and sample.switches > 0


def test_home_env_points_glutewake_at_one_folder(tmp_path: Path) -> None:
    env = bench_run.home_env({"PATH": "/bin", "GLUTEWAKE_DEBUG": "1"}, tmp_path)
    assert env == {
        "PATH": "/bin",
        "GLUTEWAKE_HOME": str(tmp_path),
        "GLUTEWAKE_CONFIG": str(tmp_path / "config.toml"),
    }
