"""`glutewake start`'s process around the loop: the locks (one loop per data folder and
per log), the log opened, the idle, busy and notification back ends opened and closed,
and signals that stop it. Moved out of loop.py, which keeps the loop itself."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from glutewake.errors import StoreError
from glutewake.files import missing_folder, no_folder_message
from glutewake.i18n import _
from glutewake.lock import LoopLock
from glutewake.loop import Loop
from glutewake.session import Tally
from glutewake.status import local_at
from glutewake.stopping import Stop, signals_stop_the_loop
from glutewake.store import Store
from glutewake.terminal import make_ui

if TYPE_CHECKING:
    from glutewake.catalog import Catalog
    from glutewake.config import Settings

__all__ = ["run"]


def run(
    settings: Settings,
    catalog: Catalog,
    *,
    db_path: Path,
    lock_path: Path,
    env: Mapping[str, str],
    desktop: bool,
    out: TextIO | None = sys.stdout,
    inp: TextIO | None = sys.stdin,
    config: tuple[Path, Callable[[], Settings]] | None = None,
) -> Tally:
    """`glutewake start`: take the lock, open the log, and remind until stopped.

    `config`: the config file and how to read it again; an edit reaches the loop."""
    pid = os.getpid()
    tally = Tally()
    with signals_stop_the_loop():
        try:
            folder = missing_folder(db_path)
            if folder is not None and folder != lock_path.parent:
                # A log the config names, in a folder that is not there: a typo, never
                # a new, empty log (and its lock) somewhere else. The data folder (the
                # default log's) is ours: the lock makes it.
                raise StoreError(no_folder_message(db_path, folder))
            since = local_at(time.time())
            lock = LoopLock(lock_path)
            lock.acquire(pid, since, db_path)
            # One loop per log too: two data folders whose configs name the same log,
            # perhaps one through a symbolic link (dotfiles): the lock sits by the file.
            real = db_path.resolve()
            log_lock = LoopLock(
                real.with_name(real.name + ".lock"),
                what=_("log {path}").format(path=db_path),
            )
            try:
                log_lock.acquire(pid, since, db_path)
                with Store.open(db_path, make_folder=False) as store:
                    lock.note_log(store.identity)
                    tally = _remind(
                        settings,
                        catalog,
                        store,
                        env,
                        desktop,
                        out,
                        inp,
                        pid,
                        lock_path,
                        since,
                        config,
                    )
            finally:
                log_lock.release()
                lock.release()
        except Stop:
            pass  # stopped while starting up: nothing was begun, nothing to end
    return tally


def _remind(
    settings: Settings,
    catalog: Catalog,
    store: Store,
    env: Mapping[str, str],
    desktop: bool,
    out: TextIO | None,
    inp: TextIO | None,
    pid: int,
    lock_path: Path,
    since: datetime,
    config: tuple[Path, Callable[[], Settings]] | None = None,
) -> Tally:
    from glutewake.busy import open_watch
    from glutewake.channel import Wakeup, wake_path
    from glutewake.idle import X11Reader, open_reader
    from glutewake.notify import open_notifier

    notifier = open_notifier(env, enabled=desktop and settings.notify.desktop)
    idle = open_reader(settings.idle.backend, env)
    # Opens nothing yet: each detector connects when a break first falls due.
    quiet = settings.quiet
    watch = None
    if quiet.when and quiet.max_hold > 0:
        x11 = idle if isinstance(idle, X11Reader) else None
        watch = open_watch(quiet.when, env, x11=x11)
    wakeup = Wakeup.open(wake_path(lock_path))
    loop: Loop | None = None
    backend = settings.idle.backend
    try:
        with make_ui(out, inp) as ui:
            loop = Loop(
                settings=settings,
                catalog=catalog,
                store=store,
                notifier=notifier,
                idle=idle,
                ui=ui,
                pid=pid,
                busy=watch,
                wakeup=wakeup,
                commands_since=since,
                open_idle=None if backend == "off" else partial(open_reader, backend, env),
                config=config,
            )
            return loop.run()
    finally:
        if watch is not None:
            watch.close()
        if loop is not None and loop.idle is not None and loop.idle is not idle:
            loop.idle.close()  # opened later, by the loop
        if idle is not None:
            idle.close()
        if wakeup is not None:
            wakeup.close()
        notifier.shutdown()
