"""Write a synthetic glutewake log through the project's own store API.

    python bench/make_log.py --breaks 100000 PATH [--seed 8] [--end 2024-03-31]

One simulated person at a desk, going back in time from --end (default: now) until the
log holds exactly N breaks. On a working day the loop runs from about 08:00-09:30 to
about 17:15-19:00 local time with the default timer (a break after 45 minutes of sitting,
5-minute snoozes, at most 2, missed after 10 minutes): about 8-12 prompted breaks, mostly
done, some skipped, missed or snoozed; one or two natural breaks (getting up unprompted,
lunch, the odd laptop suspend); some days a paused meeting or a spell at a standing desk.
Weekends are mostly empty, and there are holiday weeks. Exercises are the bundled ones,
alternating glutes and hip flexors with the odd walk, never repeating the recent ones.

About 10 breaks a working day means 100,000 breaks reach back some 40 years: a stress
test of the log queries, not a claim about anyone's history. Everything is written in one
transaction (Store.batch), so 100,000 breaks take seconds rather than 100,000 fsyncs.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from glutewake.catalog import Exercise, load_bundled
from glutewake.errors import GlutewakeError
from glutewake.store import BreakRecord, EventRecord, Store
from glutewake.vocab import Outcome

SIT_S = 45 * 60
BREAK_S = 2 * 60
SNOOZE_S = 5 * 60
RESPOND_WITHIN_S = 10 * 60
AVOID_REPEAT = 6
PID = 4242  # sessions need a pid; this one is made up

At = Callable[[float], datetime]  # seconds after the day's anchor -> an aware time


@dataclass
class Day:
    """What one simulated day leaves in the log (times aware, session_id filled on write)."""

    start: datetime
    end: datetime
    tail_s: int = 0  # the sitting stretch still open when the loop stopped
    breaks: list[BreakRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    breaks: int
    events: int
    sessions: int
    outcomes: dict[str, int]
    first: date
    last: date


class Chooser:
    """Alternates glutes and hip flexors, sometimes a walk; skips the recently shown ones."""

    def __init__(self, exercises: Sequence[Exercise], rng: random.Random) -> None:
        self.by_category: dict[str, list[Exercise]] = {}
        for exercise in exercises:
            self.by_category.setdefault(exercise.category, []).append(exercise)
        self.rng = rng
        self.recent: list[str] = []
        self.last_category = "hip_flexors"

    def next(self) -> Exercise:
        if self.rng.random() < 0.15 and "move" in self.by_category:
            category = "move"
        else:
            category = "glutes" if self.last_category != "glutes" else "hip_flexors"
            self.last_category = category
        fresh = [e for e in self.by_category[category] if e.id not in self.recent]
        exercise = self.rng.choice(fresh or self.by_category[category])
        self.recent = [exercise.id, *self.recent][:AVOID_REPEAT]
        return exercise


# --- one day ------------------------------------------------------------------------------


def working_hours(day: date, rng: random.Random, holiday: bool) -> tuple[float, float] | None:
    """(start, end) of the loop as seconds after local 06:00, or None for a day off."""
    if day.weekday() >= 5:
        if rng.random() >= 0.08:
            return None
        start = rng.uniform(4, 8) * 3600
        return start, start + rng.uniform(2, 4) * 3600
    if holiday or rng.random() < 0.02:
        return None
    return rng.uniform(2, 3.5) * 3600, rng.uniform(11.25, 13) * 3600


def simulate_day(
    day: date, rng: random.Random, chooser: Chooser, *, holiday: bool = False
) -> Day | None:
    hours = working_hours(day, rng, holiday)
    if hours is None:
        return None
    # Anchored at 06:00 local, after any DST change, so offsets within the day are exact.
    anchor = datetime(day.year, day.month, day.day, 6).astimezone()

    def at(seconds: float) -> datetime:
        return anchor + timedelta(seconds=round(seconds))

    start, end = hours
    record = Day(start=at(start), end=at(end))
    lunch = rng.uniform(6, 6.75) * 3600 if day.weekday() < 5 else None
    stand = rng.uniform(start + 3600, end - 3600) if rng.random() < 0.25 else None
    t, seated = start, 0.0
    while True:
        due = t + SIT_S - seated
        if lunch is not None and lunch < due:
            seated += lunch - t
            t, seated = _lunch(record, rng, at, lunch, seated)
            lunch = None
            continue
        if stand is not None and stand < due:
            stood = rng.uniform(15, 60) * 60
            record.events.append(EventRecord("stand", at(stand)))
            record.events.append(EventRecord("sit", at(stand + stood), seconds=round(stood)))
            seated += stand - t
            t, stand = stand + stood, None
            continue
        if rng.random() < 0.08:  # got up before the reminder
            left = t + rng.uniform(0.2, 0.95) * (due - t)
            if left >= end:
                break
            t, seated = _natural(record, rng, at, left, seated + left - t), 0.0
            continue
        if due >= end:
            break
        t, seated = _prompted(record, rng, at, chooser, due), 0.0
    record.tail_s = round(seated + max(0.0, end - t))
    return record


def _lunch(
    record: Day, rng: random.Random, at: At, when: float, seated: float
) -> tuple[float, float]:
    away = rng.uniform(30, 60) * 60
    if rng.random() < 0.6:  # left the desk: idle time makes it a natural break
        return _natural(record, rng, at, when, seated, away=away), 0.0
    record.events.append(EventRecord("pause", at(when), detail="until resume"))
    record.events.append(EventRecord("resume", at(when + away), seconds=round(away)))
    return when + away, seated


def _natural(
    record: Day, rng: random.Random, at: At, left: float, seated: float, away: float = 0.0
) -> float:
    suspended = away == 0.0 and rng.random() < 0.1
    if not away:
        away = rng.uniform(20, 120) * 60 if suspended else rng.uniform(5, 25) * 60
    record.breaks.append(
        BreakRecord(
            outcome="natural",
            at=at(left),
            due_at=at(left),
            answered_at=None,
            seated_s=round(seated),
            away_s=round(away),
        )
    )
    kind = "suspend" if suspended else "back"
    moment = left if suspended else left + away
    record.events.append(EventRecord(kind, at(moment), seconds=round(away)))
    return left + away


def _prompted(record: Day, rng: random.Random, at: At, chooser: Chooser, due: float) -> float:
    snoozes = rng.choices((0, 1, 2), weights=(80, 13, 7))[0]
    prompt = due + snoozes * SNOOZE_S
    answers: tuple[Outcome, ...] = ("done", "skipped", "missed")
    outcome = rng.choices(answers, weights=(78, 12, 10))[0]
    answered = None if outcome == "missed" else prompt + rng.uniform(5, 90)
    finished = prompt + RESPOND_WITHIN_S if answered is None else answered
    exercise = chooser.next()
    record.breaks.append(
        BreakRecord(
            outcome=outcome,
            at=at(prompt),
            due_at=at(due),
            answered_at=None if answered is None else at(answered),
            seated_s=round(SIT_S + finished - due),
            exercise_id=exercise.id,
            exercise_name=exercise.name,
            category=exercise.category,
            snoozes=snoozes,
        )
    )
    return finished + (BREAK_S if outcome == "done" else 0)


# --- the log ----------------------------------------------------------------------------


def plan(count: int, end: datetime, rng: random.Random) -> list[Day]:
    """Days with exactly `count` breaks between them, oldest first, nothing after `end`."""
    chooser = Chooser(load_bundled(), rng)
    days: list[Day] = []
    total = 0
    day = (end - timedelta(microseconds=1)).astimezone().date()
    holiday_week = None
    while total < count:
        week = day.isocalendar()[:2]
        if week != holiday_week and day.weekday() == 6:
            holiday_week = week if rng.random() < 0.06 else None
        simulated = simulate_day(day, rng, chooser, holiday=week == holiday_week)
        day -= timedelta(days=1)
        if simulated is None:
            continue
        _cut_after(simulated, end)
        if simulated.breaks:
            days.append(simulated)
            total += len(simulated.breaks)
    _cut_before(days[-1], len(days[-1].breaks) - (total - count))
    days.reverse()
    return days


def _cut_after(day: Day, end: datetime) -> None:
    """Today: keep only what already happened (the loop is still running)."""
    if day.end > end:
        day.end = end
        day.breaks = [b for b in day.breaks if b.at <= end]
        day.events = [e for e in day.events if e.at <= end]
        day.tail_s = 0


def _cut_before(day: Day, keep: int) -> None:
    """The oldest day: keep its last `keep` breaks, so the log holds exactly the count."""
    day.breaks = day.breaks[len(day.breaks) - keep :]
    first = day.breaks[0].at
    day.events = [e for e in day.events if e.at >= first]
    day.start = min(day.start, first)


def write_log(path: Path, count: int, *, end: datetime, seed: int) -> Written:
    days = plan(count, end, random.Random(seed))
    with Store.open(path) as store, store.batch():
        for day in days:
            session = store.begin_session(pid=PID, started_at=day.start)
            for brk in day.breaks:
                store.add_break(brk._replace(session_id=session))
            for event in day.events:
                store.add_event(event._replace(session_id=session))
            store.end_session(session, ended_at=day.end, seated_s=day.tail_s)
    return Written(
        breaks=sum(len(d.breaks) for d in days),
        events=sum(len(d.events) for d in days),
        sessions=len(days),
        outcomes=dict(Counter(b.outcome for d in days for b in d.breaks)),
        first=days[0].start.astimezone().date(),
        last=days[-1].start.astimezone().date(),
    )


def _end(text: str | None) -> datetime:
    if text is None:
        return datetime.now(timezone.utc)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2024-03-31, got {text!r}") from None
    return datetime(day.year, day.month, day.day).astimezone() + timedelta(days=1)


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make_log.py", description="Write a synthetic glutewake log of N breaks."
    )
    parser.add_argument("--breaks", type=_positive, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=8, help="random seed (default 8)")
    parser.add_argument(
        "--end", metavar="DATE", help="last day of the log (default: now, today included)"
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="the new log file")
    args = parser.parse_args(argv)
    try:
        end = _end(args.end)
    except argparse.ArgumentTypeError as exc:
        parser.error(f"argument --end: {exc}")
    if args.path.exists():
        print(f"make_log.py: {args.path}: exists; give a new file", file=sys.stderr)
        return 1
    began = time.perf_counter()
    try:
        written = write_log(args.path, args.breaks, end=end, seed=args.seed)
    except GlutewakeError as exc:
        print(f"make_log.py: {exc}", file=sys.stderr)
        return 1
    outcomes = ", ".join(f"{written.outcomes.get(k, 0):,} {k}" for k in sorted(written.outcomes))
    print(
        f"{args.path}: {written.breaks:,} breaks ({outcomes}), {written.events:,} events, "
        f"{written.sessions:,} sessions, {written.first} to {written.last}, "
        f"in {time.perf_counter() - began:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
