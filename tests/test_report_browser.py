"""The report in a real browser: headless Chromium draws it, without a console message,
in light and dark, to a PNG of the size asked for that shows the charts' colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import require_programs
from report_screenshot import console_lines, print_pdf, screenshot, seeded_page

pytestmark = pytest.mark.e2e

SIZE = (1000, 1400)
DONE_LIGHT = (0x0A, 0x8F, 0x6A)  # --done in report.css
DONE_DARK = (0x2F, 0xBF, 0x8F)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_page(tmp_path_factory.mktemp("report"))


def _pixels(png: Path) -> tuple[tuple[int, int], list[tuple[int, int, int]]]:
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        data = rgb.tobytes()
        return rgb.size, list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(pixel, colour, strict=True))


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_chromium_draws_the_report(page, tmp_path, dark):
    require_programs("chromium")
    png = tmp_path / "shot.png"
    log = screenshot(page, png, size=SIZE, dark=dark)
    assert console_lines(log) == []
    size, pixels = _pixels(png)
    assert size == SIZE
    assert len(set(pixels)) > 50  # text, charts, cards: not a blank page
    background = pixels[5 * SIZE[0] + 5]
    assert (sum(background) < 3 * 60) == dark
    done = DONE_DARK if dark else DONE_LIGHT
    # The per-day chart's "done" bars: thousands of pixels of the CSS colour.
    assert sum(1 for p in pixels if _near(p, done)) > 5000


def test_chromium_prints_the_report(page, tmp_path):
    require_programs("chromium")
    pdf = tmp_path / "report.pdf"
    assert console_lines(print_pdf(page, pdf)) == []
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert 2 <= pages <= 6  # the charts on a few sheets, not one per chart or a cut-off one


def test_the_console_check_can_fail(tmp_path):
    require_programs("chromium")
    noisy = tmp_path / "noisy.html"
    noisy.write_text("<!DOCTYPE html><title>x</title><script>console.error('boom')</script>")
    lines = console_lines(screenshot(noisy, tmp_path / "noisy.png", size=(200, 200)))
    assert len(lines) == 1 and "boom" in lines[0]
