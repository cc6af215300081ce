"""`glutewake log --format csv|json` of any size: the break list streamed from SQLite.

Apart from report.py (periods and the break list it shares): rows are formatted in SQL
and written as they come, so memory stays flat however long the log is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from glutewake.report import BREAK_FIELDS, WARMUP, Period, break_row, warmup_row
from glutewake.store import Store
from glutewake.vocab import OUTCOMES

# --- streaming export: `log --format csv|json` of any size --------------------------------
#
# A whole history can be a million breaks: they go out as they are read, never held in a
# list, and SQLite makes each row's whole text (local times, rounding, CSV quoting or JSON)
# in C, so Python only passes lines along. The local offset comes from Python (C's
# localtime, as break_row's astimezone() asks it) once per run of UTC dates that share
# one; the few dates on which the clocks change go through break_row itself. Both paths
# give the same text as to_csv/to_json of break_rows (tests/test_export.py compares them).

_HALF_EVEN_MIN = (
    "(CASE WHEN seated_s % 60 = 30 THEN seated_s / 60 + (seated_s / 60) % 2 "
    "ELSE (seated_s + 30) / 60 END)"
)
# The inner query names the local time of `at` lt ("2024-03-31T14:00:00", no offset); :modifier
# is the offset as a modifier ("+120 minutes"), :suffix its ISO suffix ("+02:00"). Stored text
# is fixed-width UTC: its first 19 characters drop the microseconds, as isoformat(
# timespec="seconds") does (SQLite would round them).
_LT = "replace(datetime(substr(at, 1, 19), :modifier), ' ', 'T') AS lt"


def _local(column: str, whole_hours: bool) -> str:
    full = f"replace(datetime(substr({column}, 1, 19), :modifier), ' ', 'T') || :suffix"
    if not whole_hours:
        return full
    # Most due and answer times share `at`'s UTC hour: with a whole-hour offset, its local
    # hour is lt's and the minutes and seconds are the stored ones.
    return (
        f"CASE WHEN substr({column}, 1, 13) = substr(at, 1, 13) "
        f"THEN substr(lt, 1, 13) || substr({column}, 14, 6) || :suffix ELSE {full} END"
    )


def _csv_text(column: str) -> str:
    # As the csv module quotes (QUOTE_MINIMAL): a delimiter, quote or line break inside.
    return (
        f"CASE WHEN {column} GLOB '*[,\"'||char(10)||char(13)||']*' "
        f"THEN '\"' || replace({column}, '\"', '\"\"') || '\"' ELSE ifnull({column}, '') END"
    )


def _csv_select(whole_hours: bool) -> str:
    fields = [
        "id",
        "substr(lt, 1, 10)",
        "substr(lt, 12, 5)",
        "lt || :suffix",
        f"ifnull({_local('due_at', whole_hours)}, '')",
        f"ifnull({_local('answered_at', whole_hours)}, '')",
        "outcome",  # one of OUTCOMES: the table's CHECK says so
        _csv_text("exercise_id"),
        _csv_text("exercise_name"),
        _csv_text("category"),
        "snoozes",
        "seated_s",
        _HALF_EVEN_MIN,
        "ifnull(away_s, '')",
        _csv_text("answered_via"),
        "ifnull(break_s, '')",
        "CASE completed WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE '' END",
    ]
    return "SELECT " + " || ',' || ".join(fields) + " || char(10)"


def _json_select(whole_hours: bool) -> str:
    def text(sql: str) -> str:
        return f"ifnull(json_quote({sql}), 'null')"

    def number(sql: str) -> str:
        return f"ifnull({sql}, 'null')"

    fields = [
        ("id", "id"),
        ("date", "json_quote(substr(lt, 1, 10))"),
        ("time", "json_quote(substr(lt, 12, 5))"),
        ("at", "json_quote(lt || :suffix)"),
        ("due_at", text(_local("due_at", whole_hours))),
        ("answered_at", text(_local("answered_at", whole_hours))),
        ("outcome", "json_quote(outcome)"),
        ("exercise_id", text("exercise_id")),
        ("exercise", text("exercise_name")),
        ("category", text("category")),
        ("snoozes", "snoozes"),
        ("seated_s", "seated_s"),
        ("seated_min", _HALF_EVEN_MIN),
        ("away_s", number("away_s")),
        ("answered_via", text("answered_via")),
        ("break_s", number("break_s")),
        ("completed", "CASE completed WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END"),
    ]
    # As json.dumps(rows, indent=2) lays out each item of a list.
    body = " || ',' || char(10) || ".join(f"'    \"{key}\": ' || {sql}" for key, sql in fields)
    return f"SELECT '  {{' || char(10) || {body} || char(10) || '  }}'"


def _offset_suffix(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def export_breaks(
    store: Store, period: Period, *, outcomes: Sequence[str] = (*OUTCOMES, WARMUP), fmt: str
) -> Iterator[str]:
    """The rows of break_rows, oldest first: each a CSV line (no header), or with
    fmt="json" the JSON text of each row indented as to_json indents a list's items."""
    import heapq

    from glutewake.store import to_text

    kinds = [o for o in outcomes if o != WARMUP]
    breaks = _export_breaks(store, period, kinds, fmt) if kinds else iter(())
    if WARMUP not in outcomes:
        yield from (text for _at, text in breaks)
        return
    # Warm-ups are a handful a day: read as a list and merged in by time (ties: the break
    # first, as break_rows' stable sort has it).
    render = _json_row if fmt == "json" else _csv_line
    warmups = [
        (to_text(w.at), render(warmup_row(w)))
        for w in store.warmups_between(period.start, period.end)
    ]
    for _at, text in heapq.merge(breaks, warmups, key=lambda pair: pair[0]):
        yield text


def _export_breaks(
    store: Store, period: Period, outcomes: Sequence[str], fmt: str
) -> Iterator[tuple[str, str]]:
    """(stored UTC time, text) of each break in `period`, oldest first."""
    from glutewake.store import to_text

    low, high = to_text(period.start), to_text(period.end)
    marks = ", ".join(f":o{i}" for i in range(len(outcomes)))
    # +outcome: the range scan of the (at, outcome) index is already in time order, where
    # the outcome index would need the rows sorted (a temporary B-tree of every row).
    where = f"FROM breaks WHERE at >= :low AND at < :high AND +outcome IN ({marks})"
    for first, last, offset in store.offset_runs(low, high):
        span = (max(low, first), min(high, last))
        if offset is None:  # the clocks change this date: row by row, in Python
            for record in store.iter_breaks(*span, outcomes):
                row = break_row(record)
                yield to_text(record.at), (_json_row(row) if fmt == "json" else _csv_line(row))
            continue
        whole_hours = offset % 60 == 0
        select = _json_select(whole_hours) if fmt == "json" else _csv_select(whole_hours)
        sql = f"{select}, at FROM (SELECT *, {_LT} {where} ORDER BY at, outcome, id)"
        # Named, not ?1..?4 beside plain ?: Python 3.12 warns about numbered placeholders
        # bound from a sequence, and 3.14 refuses them.
        params = {
            "modifier": f"{offset:+d} minutes",
            "suffix": _offset_suffix(offset),
            "low": span[0],
            "high": span[1],
            **{f"o{i}": outcome for i, outcome in enumerate(outcomes)},
        }
        for text, at in store.stream(sql, params):
            yield at, text


def _csv_line(row: Mapping[str, Any]) -> str:
    from glutewake.output import to_csv

    return to_csv([row], BREAK_FIELDS).split("\n", 1)[1]


def _json_row(row: Mapping[str, Any]) -> str:
    import json

    return "  " + json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n  ")
