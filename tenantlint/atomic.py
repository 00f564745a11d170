"""Atomic writes: the one way tenantlint writes a file (fixed sources, the baseline, the cache).

Every step works on a file descriptor of the target's real folder, opened without following
symlinks, so nothing a checked tree contains can redirect a write or a delete elsewhere."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import signal
import stat as st
import time
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

# `.NAME.<pid>.<random>.tenantlint-tmp`: a temporary file a killed run (SIGKILL, power loss)
# left behind is recognised by this exact name, and so is the mkstemp name of releases before it.
TEMP_SUFFIX = ".tenantlint-tmp"
_TEMP_NAME = re.compile(r"\..+\.(?P<pid>[0-9]+)\.[0-9a-f]{16}" + re.escape(TEMP_SUFFIX) + r"|\..+\.[a-z0-9_]{8}\.tenantlint")

# A temporary file is stale when it was last written before this run started and the process
# named in it is gone: one a run going on right now is writing is never removed.
_run_started = time.time()


def begin_run() -> None:
    """Mark the start of a run of writes (`fix`): older temporary files of dead runs are stale."""
    global _run_started
    _run_started = time.time()


def _alive(pid: int) -> bool:
    if pid <= 0:  # 0 would signal our own process group: never a stale file's owner
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's process
        return True
    return True


class WriteRefused(Exception):
    """A write tenantlint declines on purpose; the file is left exactly as it was."""


class FileChanged(WriteRefused):
    def __init__(self, path: Path):
        super().__init__(f"{path} changed while tenantlint was running")


class OutsideRoot(WriteRefused):
    def __init__(self, path: Path, target: Path):
        super().__init__(f"{path} resolves to {target}, outside the project")
        self.target = target


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM while one file is written: they are delivered right after, so
    an interrupted run leaves every file old or new and no temporary file behind."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):  # Windows: os.replace is still atomic
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def named_without_links(path: Path) -> bool:
    """True when no symlink is on the way to `path`: it is the very file its name says."""
    return os.path.normpath(os.path.abspath(path)) == os.path.realpath(path)


def _open_folder(path: Path, root: Path | None) -> int:
    """A descriptor of `path`'s real folder. With a root, every component below the root is
    opened with O_NOFOLLOW: a folder swapped for a link after the check fails with ELOOP."""
    if root is None:
        return os.open(path.parent, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    real_root = Path(os.path.realpath(root))
    try:
        parts = path.parent.relative_to(real_root).parts
    except ValueError:
        raise OutsideRoot(path, path) from None
    fd = os.open(real_root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for part in parts:
            child = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _digest(folder: int, name: str) -> bytes | None:
    """The sha256 of the file as it is now (never through a link), None when it is gone."""
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


def remove_stale_temp_files(folder: int) -> None:
    """Delete the temporary files of earlier, killed runs in this folder: regular files (never
    links) named by the exact pattern above, last written before this run started by a process
    that is gone. Only a folder tenantlint writes into is cleaned."""
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            match = _TEMP_NAME.fullmatch(name)
            if match is None or (match["pid"] and _alive(int(match["pid"]))):
                continue
            with contextlib.suppress(OSError):
                info = os.lstat(name, dir_fd=folder)
                if st.S_ISREG(info.st_mode) and info.st_mtime < _run_started:
                    os.unlink(name, dir_fd=folder)


def write_atomic(path: Path, data: bytes, *, expected: bytes | None = None, root: Path | None = None) -> None:
    """Write through a temporary file in the same folder and rename it over the original,
    keeping the file's mode (and owner, when allowed; a new file gets 0644): a reader sees the
    old file or the new one, never half of it.

    The file written is the real one a symlink names; with `root` it must lie inside it
    (`OutsideRoot`), unless it was named outside the root without any link on the way. With `expected`, the file must still hold exactly those bytes right before
    the rename (`FileChanged`). A file without any write bit is refused (`PermissionError`),
    as it would be for a user who is not root."""
    target = Path(os.path.realpath(path))
    if root is not None and not target.is_relative_to(os.path.realpath(root)):
        if not named_without_links(path):
            raise OutsideRoot(path, target)
        root = Path(target.anchor)  # named outside the project: still no link on the way
    wanted = hashlib.sha256(expected).digest() if expected is not None else None
    with _signals_deferred():
        folder = _open_folder(target, root)
        try:
            _write_in(folder, target.name, path, data, wanted)
        finally:
            os.close(folder)


def _write_in(folder: int, name: str, path: Path, data: bytes, wanted: bytes | None) -> None:
    try:
        stat = os.lstat(name, dir_fd=folder)
    except FileNotFoundError:
        stat = None
    if stat is not None and not st.S_ISREG(stat.st_mode):
        raise OSError(errno.EINVAL, "not a regular file (a link swapped in?)")
    if stat is not None and not stat.st_mode & 0o222:
        raise PermissionError(errno.EACCES, f"read-only file (mode {stat.st_mode & 0o7777:04o})")
    if wanted is not None and _digest(folder, name) != wanted:
        raise FileChanged(path)
    remove_stale_temp_files(folder)
    tmp = f".{name}.{os.getpid()}.{os.urandom(8).hex()}{TEMP_SUFFIX}"  # secrets.token_hex(8)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), stat.st_mode & 0o7777 if stat else 0o644)
            if stat and (stat.st_uid, stat.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(PermissionError):  # only root can give a file away
                    os.fchown(f.fileno(), stat.st_uid, stat.st_gid)
        # The last look before the rename: an edit saved while the new bytes were written wins.
        if wanted is not None and _digest(folder, name) != wanted:
            raise FileChanged(path)
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=folder)
        raise
