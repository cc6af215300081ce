"""Desktop notifications: what a break's notification says, and which back end shows it.

On Linux the loop speaks org.freedesktop.Notifications itself (freedesktop.py, over
jeepney), because the break notification must be updated in place (`replaces_id`),
closed when the break is answered elsewhere, carry buttons and report which one was
pressed (`ActionInvoked`), and a library that fires and forgets cannot do that: plyer's
notify-send path asks for notifications that never expire and never closes or replaces
one, so a day's stale reminders stacked up on screen, and it cannot take an answer.

plyer stays the back end on macOS and Windows, and on Linux where there is no session
bus to speak to (no jeepney, no bus; plyer may still reach a Flatpak portal). It gets
the same text, without buttons or in-place updates.

plyer 2.1.0 picks its Linux back end once per process: the Flatpak portal if /app is a
folder, else dbus-python if importable, else `notify-send` if on PATH, else nothing.
Its notify-send path fails silently (no session bus, no notification daemon, an argument
starting with "-"): `probe` checks those cases before anything is sent, cheaply (one
short D-Bus connection, no plyer import).

plyer reads os.environ (PATH to find notify-send; the child inherits DISPLAY and
DBUS_SESSION_BUS_ADDRESS), not an env we pass. So `PlyerNotifier.send` runs plyer with
os.environ set to the Notifier's env for the duration of the call, and puts it back
afterwards. That is the simplest way to make the notification go where `env` says; it
assumes no other thread reads os.environ meanwhile (the loop is single-threaded).
"""

from __future__ import annotations

import html
import importlib.util
import os
import shutil
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple, Protocol

from glutewake.card import dose_text
from glutewake.dbus import Unavailable, connect_session_bus
from glutewake.durations import format_duration
from glutewake.i18n import _
from glutewake.probe import Probe

if TYPE_CHECKING:
    from glutewake.catalog import Exercise

NOTIFICATIONS = "org.freedesktop.Notifications"
PORTAL = "org.freedesktop.portal.Desktop"
# Seconds on screen where the back end honours it (plyer's notify-send path does not).
TIMEOUT = 30


# "dbus-python" | "notify-send" | "flatpak-portal" | "macos" | "windows" | "none"
NotifyProbe = Probe


# A body line longer than this is cut (with "…"): a notification is read at a glance.
LINE_MAX = 110
# "break over" goes away by itself after this long.
OVER_TIMEOUT_S = 15.0


class Note(NamedTuple):
    """One notification, as any back end shows it."""

    summary: str
    body: str = ""
    actions: tuple[tuple[str, str], ...] = ()  # (key, label): buttons, where the server has them
    sticky: bool = False  # stays until answered (expire_timeout 0, or critical on GNOME)
    timeout_s: float | None = None  # None: the server's default
    sound: bool = False  # the sound-name hint, where the server has "sound"


class Notifier(Protocol):
    """What the loop needs from a notification back end (freedesktop or plyer)."""

    backend: str
    enabled: bool
    available: bool
    reason: str

    @property
    def capabilities(self) -> frozenset[str]: ...

    def show(self, note: Note) -> str | None: ...

    def close(self) -> None: ...

    def fileno(self) -> int | None: ...

    def answers(self) -> list[str]: ...

    def shutdown(self) -> None: ...

    def detach(self) -> None: ...


def open_notifier(
    env: Mapping[str, str], *, enabled: bool = True, platform: str = sys.platform
) -> Notifier:
    """The freedesktop notifier on Linux when a session bus answers, else plyer."""
    if enabled and platform.startswith("linux"):
        from glutewake.freedesktop import FreedesktopNotifier

        direct = FreedesktopNotifier(env)
        # Connected to the bus but no daemon yet: still ours, it asks again at each break.
        if direct.available or direct.fileno() is not None:
            return direct
    return PlyerNotifier(env, enabled=enabled, platform=platform)


def send_sample(
    env: Mapping[str, str], exercise: Exercise, snooze_s: int, platform: str = sys.platform
) -> tuple[str | None, frozenset[str]]:
    """`doctor --notify`: a break notification as the loop would show it (sample_note).
    None or why it failed, and the server's capabilities."""
    notifier = open_notifier(env, platform=platform)
    failure = notifier.show(sample_note(exercise, snooze_s))
    capabilities = notifier.capabilities
    notifier.detach()
    return failure, capabilities


# --- what a break's notification says ---------------------------------------------------


SAMPLE_TIMEOUT_S = 10.0


def sample_note(exercise: Exercise, snooze_s: int) -> Note:
    """A break notification as the loop shows one, said to be a sample so nobody takes it
    for a real break; it goes by itself, and has no buttons: nothing would answer them
    (a loop answers only its own notification)."""
    note = due_note(exercise, snooze_s=snooze_s, sticky=False)
    return note._replace(
        summary=_("Sample: {summary}").format(summary=note.summary),
        actions=(),
        timeout_s=SAMPLE_TIMEOUT_S,
    )


# Where a long line may end early: after a sentence or a clause, never inside one (a
# cut "…damit das Gesäß dich…" loses its verb). Sentence ends are preferred to commas:
# a cut after a comma may leave a condition without its instruction.
_SENTENCE_ENDS = ".!?;:"
_CLAUSE_ENDS = ",–—"


def shorten(text: str, limit: int = LINE_MAX) -> str:
    """`text` on one line; over `limit`, cut with "…" after its last sentence within
    it, else after its last clause. A sentence with no such place is given whole rather
    than cut inside a clause (the catalog keeps each to MAX_SENTENCE characters)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    for ends in (_SENTENCE_ENDS, _CLAUSE_ENDS):
        cuts = _ends_of(text, ends, limit - 1)
        # Too early a cut ("Tipp…") says nothing: then a later kind, or the whole line.
        if cuts and cuts[-1] >= limit // 4:
            return text[: cuts[-1]] + "…"
    return text


def _ends_of(text: str, marks: str, limit: int) -> list[int]:
    """Where the text before a mark in `marks` (followed by a space) ends, up to `limit`."""
    ends = []
    for index, char in enumerate(text[: limit + 1]):
        if char not in marks or text[index + 1 : index + 2] != " ":
            continue
        if char == "." and _abbreviation(text[:index]):
            continue
        end = len(text[:index].rstrip())
        if 0 < end <= limit:
            ends.append(end)
    return ends


def _abbreviation(before: str) -> bool:
    """Whether a full stop after `before` ends an abbreviation ("z. B.", "e.g.", "ca.")."""
    word = before.rsplit(" ", 1)[-1]
    return len(word) <= 2 or "." in word


def _headline(exercise: Exercise) -> str:
    dose = dose_text(exercise)
    return f"{exercise.name} · {dose}" if dose else exercise.name


def _how(exercise: Exercise) -> str:
    """The one or two lines a person needs to do it right: the first step, cut if long,
    and the cue whole: it is what makes the glutes do the work, and a cut one loses its
    point ("Drive up through the front heel…" without "if you feel it in your thigh,
    lean forward"). The catalog keeps a cue to MAX_SENTENCE characters."""
    lines = [shorten(exercise.steps[0])] if exercise.steps else []
    if exercise.cue:
        lines.append(" ".join(exercise.cue.split()))
    return "\n".join(lines)


def due_note(
    exercise: Exercise,
    *,
    again: bool = False,
    snooze_s: int | None = None,
    sticky: bool = True,
    sound: bool = False,
    extra: str = "",
) -> Note:
    """The break itself, with its answers; `snooze_s` None when no snooze is left;
    `extra`, a last line (how long it was held while busy)."""
    # In the order a server with room for only three buttons (GNOME) keeps them: start
    # first, "another" last.
    buttons = [("start", _("Start"))]
    if snooze_s:
        buttons.append(("snooze", _("Snooze {length}").format(length=format_duration(snooze_s))))
    buttons += [("skip", _("Skip")), ("another", _("Another"))]
    summary = _headline(exercise)
    if again:
        summary = _("Due again: {exercise}").format(exercise=summary)
    body = f"{_how(exercise)}\n{extra}".strip() if extra else _how(exercise)
    return Note(summary, body, tuple(buttons), sticky=sticky, sound=sound)


def snoozed_note(exercise: Exercise, due_at: str, seconds: int) -> Note:
    """Snoozed: says when it comes back, and stays (unsticky) to be replaced by it then."""
    summary = _("Snoozed: {exercise} at {time}").format(exercise=exercise.name, time=due_at)
    return Note(summary, dose_text(exercise), timeout_s=seconds + 60)


def warn_note(exercise: Exercise, seconds: int) -> Note:
    """The heads-up before a break; turned into the break notification in place."""
    summary = _("Break in {left}: {exercise}").format(
        left=format_duration(seconds), exercise=exercise.name
    )
    return Note(summary, dose_text(exercise), timeout_s=seconds + OVER_TIMEOUT_S)


def break_note(exercise: Exercise, back_at: str, seconds: int, progress: str = "") -> Note:
    """During the break: what to do, and when sitting resumes; `progress`, the part of
    the guided break under way ("left side"), updated as it moves on."""
    summary = _("On a break: back to sitting at {time}").format(time=back_at)
    body = f"{_headline(exercise)}\n{_how(exercise)}".strip()
    if progress:
        body = _("Now: {progress}").format(progress=progress) + "\n" + body
    return Note(summary, body, timeout_s=seconds)


def over_note() -> Note:
    return Note(_("Break over: back to it"), timeout_s=OVER_TIMEOUT_S)


def probe(env: Mapping[str, str], platform: str = sys.platform) -> NotifyProbe:
    """Which back end plyer would use here, and whether a notification would arrive."""
    if platform == "darwin":
        if importlib.util.find_spec("pyobjus") is None:
            return NotifyProbe(
                False, "macos", _("plyer needs pyobjus on macOS (pip install pyobjus)")
            )
        return NotifyProbe(True, "macos", _("macOS notification centre (through pyobjus)"))
    if platform in ("win32", "cygwin"):
        return NotifyProbe(True, "windows", _("Windows balloon tip"))
    if not platform.startswith("linux"):
        return NotifyProbe(
            False,
            "none",
            _("plyer has no notification back end for {platform}").format(platform=platform),
        )
    backend = _linux_backend(env)
    if backend == "none":
        return NotifyProbe(
            False,
            "none",
            _("no notification back end: install notify-send (libnotify-bin) or dbus-python"),
        )
    if backend == "flatpak-portal":
        return _check_portal(env)
    return _check_daemon(backend, env)


def _linux_backend(env: Mapping[str, str]) -> str:
    """plyer's own order (plyer/platforms/linux/notification.py, instance())."""
    if os.path.isdir("/app"):
        return "flatpak-portal"
    if importlib.util.find_spec("dbus") is not None:
        return "dbus-python"
    if shutil.which("notify-send", path=env.get("PATH", "")):
        return "notify-send"
    return "none"


def _check_daemon(backend: str, env: Mapping[str, str]) -> NotifyProbe:
    try:
        connection = connect_session_bus(env)
    except Unavailable as exc:
        return NotifyProbe(False, backend, str(exc))
    try:
        from jeepney import DBus  # type: ignore[import-untyped,unused-ignore]

        bus = DBus()
        if connection.send_and_get_reply(bus.NameHasOwner(NOTIFICATIONS), timeout=1.0).body[0]:
            return NotifyProbe(
                True, backend, _("{backend} to {name}").format(backend=backend, name=NOTIFICATIONS)
            )
        activatable = connection.send_and_get_reply(bus.ListActivatableNames(), timeout=1.0)
        if NOTIFICATIONS in activatable.body[0]:
            return NotifyProbe(
                True,
                backend,
                _("{backend} to {name} (D-Bus starts the daemon)").format(
                    backend=backend, name=NOTIFICATIONS
                ),
            )
        return NotifyProbe(
            False,
            backend,
            _("no notification daemon on the session bus (nothing owns {name})").format(
                name=NOTIFICATIONS
            ),
        )
    except (OSError, TimeoutError) as exc:
        return NotifyProbe(
            False, backend, _("the session bus stopped answering: {error}").format(error=exc)
        )
    finally:
        connection.close()


def _check_portal(env: Mapping[str, str]) -> NotifyProbe:
    if not shutil.which("gdbus", path=env.get("PATH", "")):
        return NotifyProbe(
            False, "flatpak-portal", _("Flatpak portal back end needs gdbus on PATH")
        )
    try:
        connection = connect_session_bus(env)
    except Unavailable as exc:
        return NotifyProbe(False, "flatpak-portal", str(exc))
    try:
        from jeepney import DBus  # type: ignore[import-untyped,unused-ignore]

        reply = connection.send_and_get_reply(DBus().NameHasOwner(PORTAL), timeout=1.0)
        if not reply.body[0]:
            return NotifyProbe(False, "flatpak-portal", f"nothing owns {PORTAL}")
    except (OSError, TimeoutError) as exc:
        return NotifyProbe(False, "flatpak-portal", f"the session bus stopped answering: {exc}")
    finally:
        connection.close()
    return NotifyProbe(True, "flatpak-portal", f"gdbus to {PORTAL}")


class PlyerNotifier:
    """Sends desktop notifications through plyer; never raises, stays usable after a failure.

    No buttons, no in-place updates, nothing to close: `show` sends, `close` does nothing.

    `available` and `reason` are what the probe found when the Notifier was made (and
    `available` turns True once a send succeeds). A failed send does not turn it off:
    `send` checks again every time, so notifications come back with the daemon.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        enabled: bool = True,
        app_name: str = "glutewake",
        platform: str = sys.platform,
    ) -> None:
        self.env = dict(env)
        self.enabled = enabled
        self.app_name = app_name
        self.platform = platform
        if enabled:
            found = probe(self.env, platform)
            self.backend, self.available, self.reason = found.backend, found.ok, found.reason
        else:
            self.backend, self.available = "none", False
            self.reason = _("disabled ([notify] desktop = false, or --no-desktop)")

    def send(self, title: str, body: str) -> str | None:
        """Show a notification: None when sent, else one line saying why not.

        Probes again first (cheap): the daemon may have gone, or come, since the last one.
        """
        if not self.enabled:
            return self.reason
        found = probe(self.env, self.platform)
        if not found.ok:
            return found.reason
        title, body = _escape(title, body, found)
        try:
            with _environ(self.env), warnings.catch_warnings():
                # plyer warns (on stderr, over the terminal UI) about a missing dbus-python.
                warnings.simplefilter("ignore")
                from plyer import notification

                notification.notify(
                    title=title, message=body, app_name=self.app_name, timeout=TIMEOUT
                )
        except Exception as exc:  # any plyer or back-end failure: report it, keep going
            return " ".join(f"{found.backend}: {type(exc).__name__}: {exc}".split())
        self.backend, self.available, self.reason = found.backend, True, found.reason
        return None

    # The loop's notifier interface (see Notifier).

    capabilities: frozenset[str] = frozenset()

    def show(self, note: Note) -> str | None:
        return self.send(note.summary, note.body)

    def close(self) -> None:
        return None

    def fileno(self) -> int | None:
        return None

    def answers(self) -> list[str]:
        return []

    def shutdown(self) -> None:
        return None

    def detach(self) -> None:
        return None


def _escape(title: str, body: str, found: NotifyProbe) -> tuple[str, str]:
    """Make text arrive literally through `found.backend`."""
    if found.backend == "flatpak-portal":
        # plyer pastes the text into a GVariant literal between single quotes.
        return _gvariant(title), _gvariant(body)
    if found.backend in ("notify-send", "dbus-python"):
        # The summary is plain text by the spec (daemons escape it themselves). The body is
        # markup: "<b>" would turn bold and a bare "&" breaks it. Daemons render body markup
        # without always advertising "body-markup" (dunst does not), so always escape.
        body = html.escape(body, quote=False)
        if found.backend == "notify-send":
            title, body = _not_an_option(title, markup=False), _not_an_option(body, markup=True)
    return title, body


def _not_an_option(text: str, markup: bool) -> str:
    """notify-send would read a leading "-" as an option, fail, and plyer would not tell."""
    if not text.startswith("-"):
        return text
    # In markup, a character reference shows as the "-" itself; in plain text an
    # invisible WORD JOINER in front keeps it from being an option.
    return "&#45;" + text[1:] if markup else "\u2060" + text


def _gvariant(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


@contextmanager
def _environ(env: Mapping[str, str]) -> Iterator[None]:
    """os.environ is exactly `env` inside the block, and what it was again afterwards."""
    if env == os.environ:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
