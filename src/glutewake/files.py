"""Small file helpers: atomic writes of user files, safe reads of files a user names,
and the package's own data."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from glutewake.i18n import _

# A config is a few kilobytes; a megabyte is generous and still cheap to parse.
MAX_USER_FILE = 1 << 20


class UnreadableFile(OSError):
    """A path that names something glutewake will not read: a pipe, a device, a huge file.

    `reason` is a phrase for "PATH: REASON"; callers wrap it into their own error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, as a phrase: "is a named pipe"."""
    return _kind(mode)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("is a folder")
    if stat.S_ISFIFO(mode):
        return _("is a named pipe")
    if stat.S_ISSOCK(mode):
        return _("is a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("is a device")
    return _("is not a regular file")


def read_regular(path: Path, *, limit: int = MAX_USER_FILE) -> bytes:
    """The bytes of `path` if it is a regular file (or a symlink to one) of at most `limit`.

    Anything else raises UnreadableFile before a byte is read, so a FIFO cannot hang the
    caller and /dev/zero cannot fill memory. FileNotFoundError and other OSErrors pass.
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, os.strerror(21), str(path))
        raise UnreadableFile(_kind(info.st_mode))
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open does not wait.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode):
            raise UnreadableFile(_kind(opened.st_mode))
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(_("is larger than {size}").format(size=f"{limit // 1024} KB"))
    return data


def missing_folder(path: Path) -> Path | None:
    """The folder meant to hold `path`, when it does not exist.

    glutewake makes only its own folders (the data folder, the default config folder);
    a folder in a path the user names must be there already, so a typo cannot quietly
    start a new, empty log or scatter files somewhere else."""
    folder = path.parent
    return None if folder.exists() else folder


def no_folder_message(path: Path, folder: Path) -> str:
    return _("{path}: folder does not exist: {folder}").format(path=path, folder=folder)


def private_dir(path: Path) -> None:
    """Create `path` and any missing parents with mode 0700, whatever the umask."""
    missing: list[Path] = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # made by someone else meanwhile, or a file: the caller's open says
        # mkdir's mode passes through the umask (only ever narrowing it) and some
        # file systems ignore it: say it once more.
        os.chmod(folder, 0o700)


def shared_folder(folder: Path) -> bool:
    """Whether others may create files in `folder` (/tmp, a group folder): there, no
    symlink is followed and no file of another user is used."""
    if not hasattr(os, "getuid"):
        return False
    try:
        info = os.stat(folder)
    except OSError:
        return False
    return bool(info.st_mode & 0o022) or info.st_uid not in (os.getuid(), 0)


def check_ours(path: Path) -> None:
    """In a shared folder, refuse a symlink or another user's file at `path`.

    Raises UnreadableFile with the reason; a missing file passes (create it O_EXCL)."""
    if not shared_folder(path.parent):
        return
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise UnreadableFile(_("is a symbolic link in a folder others can write to"))
    if info.st_uid != os.getuid():
        raise UnreadableFile(_("belongs to another user (in a folder others can write to)"))


def open_private(path: Path) -> int:
    """A file of ours, for reading and writing: created with mode 0600 whatever the umask,
    never reached through a symlink, never another user's in a shared folder."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    flags = os.O_RDWR | nofollow | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        check_ours(path)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            if nofollow and exc.errno == errno.ELOOP:
                raise UnreadableFile(_("is a symbolic link")) from None
            raise
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise UnreadableFile(_kind(info.st_mode)) from None
        return fd
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
    return fd


def atomic_write(path: Path, text: str, mode: int = 0o644, *, make_folder: bool = False) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never half.

    A symlink at `path` (dotfiles) is written through: its target is replaced, the link
    stays a link. A new file gets `mode`; a file replaced keeps its own (a config made
    0600 stays 0600). `make_folder`: create missing folders (only ours: see
    missing_folder), 0700 whatever the umask, as the data folder is; else a missing folder
    raises FileNotFoundError."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent
    if make_folder and not folder.is_dir():
        private_dir(folder)
        if not folder.is_dir():  # a file stands there: mkdir's own error, as callers expect
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(folder))
    try:
        info = os.stat(path)
    except OSError:
        pass  # new (or unreachable: os.replace says why)
    else:
        if stat.S_ISREG(info.st_mode):
            mode = stat.S_IMODE(info.st_mode) & 0o777
    import tempfile  # only writers pay for it: `status` reads

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def package_text(name: str) -> str:
    """A data file shipped inside the glutewake package."""
    from importlib.resources import files

    return files("glutewake").joinpath(name).read_text(encoding="utf-8")
