"""A seeded report and a real browser's picture of it: for the browser test and the README.

    python tests/report_screenshot.py [tests/report.png]

writes a synthetic log (bench/make_log.py, fixed seed and dates, Europe/Berlin), renders
its report as of a fixed moment, and has headless Chromium (Debian `chromium`) take a
screenshot: the PNG in the README is made this way.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType

from glutewake import report, report_html
from glutewake.store import Store

ROOT = Path(__file__).resolve().parent.parent
ZONE = "Europe/Berlin"
LAST_DAY = date(2024, 4, 5)  # a Friday, a week after the spring DST change
SINCE = "2024-02-12"  # a Monday: eight whole weeks
BREAKS = 2600  # about a year of working days, so the calendar is full
SEED = 2  # a log whose last days are a streak
GOAL = 8
SIZE = (1000, 2300)  # the whole page at this width


def _load_make_log() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_make_log", ROOT / "bench" / "make_log.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


@contextmanager
def zone(name: str = ZONE) -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def end_of(day: date) -> datetime:
    return report.local_midnight(day + timedelta(days=1))


def seed_log(path: Path, *, breaks: int = BREAKS, last_day: date = LAST_DAY) -> None:
    """The synthetic log (call inside `zone()`: its days are local days)."""
    _load_make_log().write_log(path, breaks, end=end_of(last_day), seed=SEED)


def seeded_page(folder: Path) -> Path:
    """The README's report: the log, then the page as of the evening of LAST_DAY."""
    with zone():
        db = folder / "glutewake.db"
        seed_log(db)
        now = end_of(LAST_DAY) - timedelta(hours=4)
        period = report.choose_period(now, since=SINCE, until=LAST_DAY.isoformat())
        with Store.open(db, create=False) as store:
            data = report_html.gather(store, period, goal=GOAL, now=now)
        page = folder / "report.html"
        page.write_text(report_html.render(data), encoding="utf-8")
    return page


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(page: Path, png: Path, *, size: tuple[int, int] = SIZE, dark: bool = False) -> str:
    """Render `page` headless to `png`; return Chromium's log (stderr), console included."""
    extra = [f"--window-size={size[0]},{size[1]}", *(["--force-dark-mode"] if dark else [])]
    return _chromium(page, png, [f"--screenshot={png}", *extra])


def print_pdf(page: Path, pdf: Path) -> str:
    """Print `page` headless to `pdf` (the page's print style); return Chromium's log."""
    return _chromium(page, pdf, [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"])


def _chromium(page: Path, out: Path, options: list[str]) -> str:
    program = chromium()
    if program is None:
        raise RuntimeError("chromium is not on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="glutewake-chromium-") as profile:
        argv = [
            program,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *options,
            page.resolve().as_uri(),
        ]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stderr


_CONSOLE = re.compile(r"CONSOLE[:(]")


def console_lines(log: str) -> list[str]:
    """What the page wrote to the browser console (errors, warnings, failed loads)."""
    return [line for line in log.splitlines() if _CONSOLE.search(line)]


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "docs" / "report.png"
    with tempfile.TemporaryDirectory(prefix="glutewake-shot-") as folder:
        page = seeded_page(Path(folder))
        log = screenshot(page, target)
    for line in console_lines(log):
        print(f"console: {line}", file=sys.stderr)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
