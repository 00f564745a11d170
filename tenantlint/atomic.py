"""Atomic writes: the one way tenantlint writes a file (fixed sources, the baseline, the cache)."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from pathlib import Path


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder and rename it over the original,
    keeping the file's mode (and owner, when allowed; a new file gets 0644): a reader sees the
    old file or the new one, never half of it."""
    target = Path(os.path.realpath(path))
    with _signals_deferred():
        stat = os.stat(target) if target.exists() else None
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tenantlint", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, stat.st_mode & 0o7777 if stat else 0o644)
            if stat and (stat.st_uid, stat.st_gid) != (os.getuid(), os.getgid()) and hasattr(os, "chown"):
                with contextlib.suppress(PermissionError):  # only root can give a file away
                    os.chown(tmp, stat.st_uid, stat.st_gid)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
