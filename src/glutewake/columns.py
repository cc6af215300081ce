"""Plain-text tables: the one way glutewake lines up columns (log, summary, bench)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

# paint(row index, column index, cell) -> the cell as shown (colour codes allowed).
CellPaint = Callable[[int, int, str], str]


def align(rows: Sequence[Sequence[str]], paint: CellPaint | None = None) -> list[str]:
    """Left-aligned columns two spaces apart, no trailing spaces; one line per row.

    Widths come from the plain cells: what `paint` adds (colour codes) takes no room on
    screen, so it does not count.
    """
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for r, row in enumerate(rows):
        cells = [
            (paint(r, c, cell) if paint else cell) + " " * (width - len(cell))
            for c, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines
