"""`glutewake log --format csv|json` of any size: the break list streamed from SQLite.

Apart from report.py (periods and the break list it shares): a whole history can be a
million breaks, so it goes out in pieces of about CHUNK breaks, each made whole inside
SQLite, on Linux by worker processes side by side, and memory stays flat however long
the log is.
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from typing import Any, BinaryIO, NamedTuple, TextIO, TypeAlias

from glutewake.errors import StoreError
from glutewake.i18n import _
from glutewake.report import BREAK_FIELDS, WARMUP, Period, break_row, warmup_row
from glutewake.store import Store, to_text
from glutewake.text import printable
from glutewake.vocab import OUTCOMES

# Breaks per piece: under 1 MB of CSV, 2.5 MB of JSON held at once, and few enough
# queries that their set-up does not count.
CHUNK = 5_000

# --- how SQLite writes a break ----------------------------------------------------------
#
# One printf per break, its format bound as a parameter, makes the whole text of the row
# in C (local times, rounding, CSV quoting or JSON) and one group_concat joins a piece
# into UTF-8 bytes, so Python touches each piece once, not each row or field (a million
# breaks: 8 s as rows formatted by SQLite and passed through Python, 4.3 s as pieces, on
# one core; bench/README.md). The local offset comes from Python (C's
# localtime, as break_row's astimezone() asks it) once per run of UTC dates that share
# one; the few dates on which the clocks change go through break_row itself. Both paths
# give the same text as to_csv/to_json of break_rows (tests/test_export.py compares them).

# Stored text is fixed-width UTC: its first 19 characters drop the microseconds, as
# isoformat(timespec="seconds") does (SQLite would round them to milliseconds, and
# 59.9996 to the next minute).
_AT = "substr(at, 1, 19), :modifier"
_LOCAL = "strftime('%Y-%m-%dT%H:%M:%S', substr({column}, 1, 19), :modifier) || :suffix"
# round(seated_s / 60) as Python rounds: half to even.
_MINUTES = (
    "CASE WHEN seated_s % 60 = 30 THEN seated_s / 60 + (seated_s / 60) % 2 "
    "ELSE (seated_s + 30) / 60 END"
)
# As the csv module quotes (QUOTE_MINIMAL): a delimiter, quote or line break inside;
# printf's %w doubles the double quotes. outcome and answered_via need no quoting: the
# table's CHECKs admit only plain words.
_CSV_QUOTE = (
    "iif({column} GLOB '*[,\"'||char(10)||char(13)||']*', printf('\"%w\"', {column}), {column})"
)
_CSV_FIELDS = (
    "id",
    f"strftime('%Y-%m-%d,%H:%M,%Y-%m-%dT%H:%M:%S', {_AT}) || :suffix",  # date,time,at
    _LOCAL.format(column="due_at"),
    _LOCAL.format(column="answered_at"),  # NULL stays NULL, printf's %s makes it empty
    "outcome",
    _CSV_QUOTE.format(column="exercise_id"),
    _CSV_QUOTE.format(column="exercise_name"),
    _CSV_QUOTE.format(column="category"),
    "snoozes",
    "seated_s",
    _MINUTES,
    "away_s",
    "answered_via",
    "break_s",
    "CASE completed WHEN 1 THEN 'true' WHEN 0 THEN 'false' END",
)
_CSV_FORMAT = ",".join("%s" for _ in _CSV_FIELDS) + "\n"

# As json.dumps(rows, indent=2) lays out each item of a list, each led by ",\n" (the
# caller drops the very first comma). json_quote(NULL) is null.
_JSON_FIELDS = (
    ("id", "%s", "id"),
    # date, time and at from one strftime: its format carries the keys between them.
    ("date", '"%s"', "strftime(:json_at, " + _AT + ") || :suffix"),
    ("due_at", '"%s"', _LOCAL.format(column="due_at")),
    ("answered_at", "%s", "json_quote(" + _LOCAL.format(column="answered_at") + ")"),
    ("outcome", '"%s"', "outcome"),
    ("exercise_id", "%s", "json_quote(exercise_id)"),
    ("exercise", "%s", "json_quote(exercise_name)"),
    ("category", "%s", "json_quote(category)"),
    ("snoozes", "%s", "snoozes"),
    ("seated_s", "%s", "seated_s"),
    ("seated_min", "%s", _MINUTES),
    ("away_s", "%s", "ifnull(away_s, 'null')"),
    ("answered_via", "%s", "json_quote(answered_via)"),
    ("break_s", "%s", "ifnull(break_s, 'null')"),
    ("completed", "%s", "CASE completed WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END"),
)
_JSON_FORMAT = (
    ",\n  {\n" + ",\n".join(f'    "{key}": {slot}' for key, slot, _sql in _JSON_FIELDS) + "\n  }"
)
_JSON_AT = '%Y-%m-%d",\n    "time": "%H:%M",\n    "at": "%Y-%m-%dT%H:%M:%S'


def _piece_sql(fmt: str, outcomes: int) -> str:
    args = ", ".join([sql for _key, _slot, sql in _JSON_FIELDS] if fmt == "json" else _CSV_FIELDS)
    marks = ", ".join(f":o{i}" for i in range(outcomes))
    # +outcome: the range scan of the (at, outcome) index is already in time order, where
    # the outcome index would need the rows sorted (a temporary B-tree of every row).
    # group_concat takes the rows in the subquery's order: SQLite never flattens an
    # ordered subquery into an aggregate, for this very function (its rule 16).
    return (
        f"SELECT CAST(group_concat(line, '') AS BLOB) FROM (SELECT printf(:format, {args}) AS line "
        f"FROM breaks WHERE at >= :low AND at < :high AND +outcome IN ({marks}) "
        "ORDER BY at, outcome, id)"
    )


# --- the pieces, in time order -----------------------------------------------------------


class Spooled(NamedTuple):
    """A piece a worker process left in a memory file: its first `size` bytes."""

    fd: int
    size: int

    def read(self) -> bytes:
        data = b""
        while len(data) < self.size:
            data += os.pread(self.fd, self.size - len(data), len(data))
        return data


# A piece of text: as it is, or where a worker left it (read it before asking for the next).
Piece: TypeAlias = "bytes | Spooled"


def export_pieces(
    store: Store,
    period: Period,
    *,
    outcomes: Sequence[str] = (*OUTCOMES, WARMUP),
    fmt: str,
    workers: int | None = None,
) -> Iterator[Piece]:
    """The rows of break_rows, oldest first, in pieces of UTF-8 text: CSV lines (no
    header), or with fmt="json" each row's JSON as to_json indents a list's items, led by
    ",\\n"; write_export frames them.

    A long history is made by `workers` processes side by side (default: one per CPU,
    up to four, on Linux), still in order."""
    jobs = _jobs(store, period, outcomes, fmt)
    return _run(store, period, jobs, _worker_count() if workers is None else workers)


# A piece to make: a warm-up's text as it is, or (low, high, offset, outcomes, fmt).
_Job: TypeAlias = "bytes | tuple[str, str, int | None, tuple[str, ...], str]"


def _jobs(store: Store, period: Period, outcomes: Sequence[str], fmt: str) -> Iterator[_Job]:
    kinds = [o for o in outcomes if o != WARMUP]
    render = _json_row if fmt == "json" else _csv_line
    # Warm-ups are a handful a day: read as a list and let in between the pieces. Each
    # cuts the breaks after its second (break_rows sorts by the whole second, breaks
    # first): "\x7f" sorts after the rest of any stored time.
    warmups = (
        [
            (to_text(w.at)[:19] + "\x7f", render(warmup_row(w)).encode())
            for w in store.warmups_between(period.start, period.end)
        ]
        if WARMUP in outcomes
        else []
    )
    low, high = to_text(period.start), to_text(period.end)
    runs = store.offset_runs(low, high) if kinds else []
    cuts = [cut for cut, _text in warmups]
    waiting = iter(warmups)
    warmup = next(waiting, None)
    for first, last, offset in runs:
        for start, end in _split(max(low, first), min(high, last), cuts):
            while warmup is not None and warmup[0] <= start:
                yield warmup[1]
                warmup = next(waiting, None)
            for lo, hi in _chunks(store, start, end):
                yield lo, hi, offset, tuple(kinds), fmt
    while warmup is not None:
        yield warmup[1]
        warmup = next(waiting, None)


def write_export(out: TextIO, pieces: Iterable[Piece], fmt: str) -> None:
    """The whole CSV (with its header) or JSON list of export_pieces' pieces."""
    sink = _Sink(out)
    if fmt == "csv":
        sink.write(",".join(BREAK_FIELDS).encode() + b"\n")
        for piece in pieces:
            sink.write(piece)
        return
    opened = False
    for piece in pieces:
        empty = not piece if isinstance(piece, bytes) else not piece.size
        if not empty and not opened:  # the first row's comma is dropped
            sink.write(b"[")
            sink.write(piece[1:] if isinstance(piece, bytes) else piece, skip=1)
            opened = True
        else:
            sink.write(piece)
    sink.write(b"\n]\n" if opened else b"[]\n")


class _Sink:
    """Where pieces go: the bytes under a UTF-8 `out` (a spooled piece straight from its
    memory file, by sendfile), else `out` itself as text; on a terminal, with control
    characters escaped (a log written by an older version may hold them)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        raw = getattr(out, "buffer", None)
        utf8 = raw is not None and codecs.lookup(out.encoding or "ascii").name == "utf-8"
        self.terminal = _is_terminal(out)
        self.raw: BinaryIO | None = raw if utf8 and not self.terminal else None
        self.fd: int | None = None
        if self.raw is not None:
            out.flush()
            with suppress(OSError, ValueError, AttributeError):
                self.fd = self.raw.fileno()

    def write(self, piece: Piece, skip: int = 0) -> None:
        if isinstance(piece, bytes):
            if self.raw is not None:
                self.raw.write(piece)
            elif self.terminal:
                self.out.write(printable(piece.decode()))
            else:
                self.out.write(piece.decode())
            return
        if self.fd is not None and self.raw is not None:
            self.raw.flush()
            if self._send(piece, skip):
                return
        self.write(piece.read()[skip:])

    def _send(self, piece: Spooled, start: int) -> bool:
        """Copied in the kernel; False if this output takes no sendfile (nothing sent)."""
        assert self.fd is not None
        offset = start
        while offset < piece.size:
            try:
                offset += os.sendfile(self.fd, piece.fd, offset, piece.size - offset)
            except OSError as exc:
                if offset == start and exc.errno in _NO_SENDFILE:
                    return False
                raise
        return True


def _is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (OSError, ValueError):
        return False


_NO_SENDFILE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ESPIPE, errno.EBADF}


# --- side by side -------------------------------------------------------------------------
#
# A long history is CPU-bound: SQLite makes each piece in C, about 4 us a break on a slow
# core. Pieces are independent, so processes make them side by side. Not threads: two
# threads ran slower than one, contending inside SQLite (bench/README.md). fork is the
# cheap start (nothing imported again); macOS and Windows, where it is unsafe or missing,
# make every piece in this process.

# The log as a worker process opened it, or why it could not (said on its first piece).
_worker: Store | Exception | None = None


def _worker_count() -> int:
    if sys.platform != "linux":
        return 1
    return min(len(os.sched_getaffinity(0)), 4)


def _run(store: Store, period: Period, jobs: Iterator[_Job], workers: int) -> Iterator[Piece]:
    """Each job's text, in order: made here, or by `workers` processes for a long export
    (for a short one, starting them would cost more than they save)."""
    alone = workers < 2 or store.path == ":memory:" or not hasattr(os, "memfd_create")
    if alone or not _long(store, period):
        for job in jobs:
            yield job if isinstance(job, bytes) else _piece(store, *job)
        return
    yield from _side_by_side(store.path, jobs, workers)


def _long(store: Store, period: Period) -> bool:
    """Whether `period` holds more than two pieces' worth of breaks (on the index)."""
    rows = store.rows(
        "SELECT 1 FROM breaks WHERE at >= ? AND at < ? LIMIT 1 OFFSET ?",
        (to_text(period.start), to_text(period.end), 2 * CHUNK),
    )
    return bool(rows)


def _side_by_side(path: str, jobs: Iterator[_Job], workers: int) -> Iterator[Piece]:
    """Workers leave each piece in one of a few memory files made before they fork (so
    they have them) and gone with the last process that has them (so nothing is left
    behind, even after kill -9): memory stays flat however slowly the output is read, and
    the text crosses no pipe, only its size does."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    free = deque(os.memfd_create("glutewake-export") for _ in range(2 * workers + 1))
    slots = list(free)
    # An executor, not multiprocessing.Pool: a worker that dies (OOM killer, a signal)
    # fails its pieces here rather than leaving them waited for for ever.
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, context, _start_worker, (path, os.getpid()))
    ahead: deque[bytes | tuple[int, Future[int]]] = deque()

    def oldest() -> Iterator[Piece]:
        item = ahead.popleft()
        if isinstance(item, bytes):
            yield item
            return
        fd, made = item
        yield Spooled(fd, made.result())
        free.append(fd)  # asked for the next piece: done with this one

    try:
        for job in jobs:
            if isinstance(job, bytes):
                ahead.append(job)
                continue
            while not free:
                yield from oldest()
            fd = free.popleft()
            ahead.append((fd, pool.submit(_made, fd, *job)))
        while ahead:
            yield from oldest()
    except BrokenProcessPool:
        raise StoreError(
            _("{path}: the export stopped: a worker process ended unexpectedly").format(path=path)
        ) from None
    finally:
        # Done, or no piece is wanted any more (Ctrl-C, a closed pipe, an error): end the
        # workers rather than ask them to leave. A worker killed while it waited for a
        # task (the OOM killer) leaves the task queue's lock taken, and a sibling asked
        # through that queue would be waited for for ever.
        for worker in multiprocessing.active_children():
            worker.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        for fd in slots:
            os.close(fd)


def _start_worker(path: str, parent: int) -> None:
    import signal

    # Ctrl-C reaches the whole process group: the parent answers it, once. A SIGTERM
    # ends a worker whatever the parent had set.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A worker's errors go to the parent with its piece, never to the user's terminal.
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (for the life of the process)
    _end_with(parent)
    global _worker
    try:
        # Its own connection: one carried across fork() is never used.
        _worker = Store.open(path, create=False)
    except Exception as exc:  # raised again with the first piece, in the parent
        _worker = exc


def _end_with(parent: int) -> None:
    """A parent killed outright (SIGKILL, a signal it does not catch) takes its workers
    with it: they wait on a task queue whose other end they hold too, so no EOF would
    ever tell them."""
    import ctypes
    import signal

    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # gone before that took effect
        os._exit(0)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _made(
    slot: int, low: str, high: str, offset: int | None, outcomes: tuple[str, ...], fmt: str
) -> int:
    """Make a piece into memory file `slot`; its size."""
    if isinstance(_worker, Exception):
        raise _worker
    assert _worker is not None, "a worker piece outside a worker"
    data = memoryview(_piece(_worker, low, high, offset, outcomes, fmt))
    written = 0
    while written < len(data):
        written += os.pwrite(slot, data[written:], written)
    return written


def _split(start: str, end: str, cuts: Sequence[str]) -> Iterator[tuple[str, str]]:
    """[start, end) cut at every cut inside it."""
    for cut in cuts:
        if start < cut < end:
            yield start, cut
            start = cut
    if start < end:
        yield start, end


def _chunks(store: Store, start: str, end: str) -> Iterator[tuple[str, str]]:
    """[start, end) in spans of about CHUNK breaks, found on the (at, outcome) index."""
    while True:
        rows = store.rows(
            "SELECT at FROM breaks WHERE at >= ? AND at < ? ORDER BY at LIMIT 1 OFFSET ?",
            (start, end, CHUNK),
        )
        if not rows:
            yield start, end
            return
        cut = rows[0][0]
        if cut == start:  # over CHUNK breaks at one instant: one piece takes them all
            cut = start + "\x7f"
        yield start, cut
        start = cut


def _piece(
    store: Store, low: str, high: str, offset: int | None, outcomes: Sequence[str], fmt: str
) -> bytes:
    if offset is None:  # the clocks change this date: row by row, in Python
        render = _json_row if fmt == "json" else _csv_line
        records = store.iter_breaks(low, high, outcomes)
        return "".join(render(break_row(record)) for record in records).encode()
    params: dict[str, Any] = {
        "format": _JSON_FORMAT if fmt == "json" else _CSV_FORMAT,
        "json_at": _JSON_AT,
        "modifier": f"{offset:+d} minutes",
        "suffix": _offset_suffix(offset),
        "low": low,
        "high": high,
        **{f"o{i}": outcome for i, outcome in enumerate(outcomes)},
    }
    rows = store.rows(_piece_sql(fmt, len(outcomes)), params)
    return rows[0][0] or b""


def _offset_suffix(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def _csv_line(row: Mapping[str, Any]) -> str:
    from glutewake.output import to_csv

    return to_csv([row], BREAK_FIELDS).split("\n", 1)[1]


def _json_row(row: Mapping[str, Any]) -> str:
    import json

    return ",\n  " + json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n  ")
