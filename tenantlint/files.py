"""Which files a run reads: the paths given, the project around them, excludes and .gitignore."""

from __future__ import annotations

import errno
import os
import stat
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint.config import DEFAULT_MAX_FILE_SIZE, Config

if TYPE_CHECKING:
    import pathspec

# Never walked into, like ruff's defaults; a file given by name is still read.
DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pytest_cache", ".ruff_cache",
    ".svn", ".tenantlint_cache", ".tox", ".venv", "venv", "__pycache__", "__pypackages__", "_build",
    "buck-out", "build", "dist", "node_modules", "site-packages",
)


class FileRefused(OSError):
    """A path that is never read: not a regular file, or larger than `max-file-size`.
    An OSError, so every `except OSError` that reports an unreadable file reports it too."""


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))

# A FIFO swapped in between the stat and the open must not block the open (no writer) or the read.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _refuse_irregular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "a special file")
        raise FileRefused(errno.EINVAL, f"not a regular file ({kind})")


def _too_large(size: int | None, limit: int) -> FileRefused:
    measure = f"{size} bytes, limit {limit}" if size is not None else f"over the limit of {limit} bytes"
    return FileRefused(errno.EFBIG, f"file too large ({measure}; see `max-file-size`)")


def read_regular(path: Path | str, limit: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A FIFO, a device or a larger file
    raises FileRefused without blocking or reading more than `limit` + 1 bytes."""
    _refuse_irregular(os.stat(path).st_mode)  # a device is not even opened (a tape rewinds on close)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(fd)
        _refuse_irregular(status.st_mode)  # what was opened, not what was stat'ed
        if status.st_size > limit:
            raise _too_large(status.st_size, limit)
        chunks, size = [], 0
        while size <= limit:  # the file may grow after the fstat: never more than limit + 1 bytes
            chunk = os.read(fd, min(max(status.st_size + 1, 65536), limit + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        grown = os.fstat(fd).st_size
        raise _too_large(grown if grown > limit else None, limit)  # its size is unknown (/proc) or growing
    finally:
        os.close(fd)


_warned: set[str] = set()


def warn_once(message: str) -> None:
    """A warning on stderr, once per process: `fix` discovers the files twice (before and after)."""
    if message not in _warned:
        _warned.add(message)
        from tenantlint.report import printable

        sys.stderr.write(f"tenantlint: warning: {printable(message)}\n")


def _is_symlink_loop(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _spec(patterns) -> pathspec.GitIgnoreSpec:
    import pathspec  # ~15 ms: not loaded by a replayed run without .gitignore or excludes

    return pathspec.GitIgnoreSpec.from_lines(patterns)


@dataclass(frozen=True)
class Discovery:
    in_scope: list[Path]  # files to report on (absolute)
    context: list[Path]  # every other Python file of the project (absolute), read for names


class FileSelector:
    def __init__(self, config: Config):
        self.config = config
        self.root = config.root.resolve()
        self._root_prefix = os.path.join(os.fspath(self.root), "")
        self._relative: dict[Path, str] = {}
        self._loops: dict[Path, None] = {}  # symlink loops the walk skipped

    @cached_property
    def exclude(self) -> pathspec.GitIgnoreSpec:
        return _spec(self.config.exclude)

    @cached_property
    def tenant(self) -> pathspec.GitIgnoreSpec:
        return _spec(self.config.tenant_paths)

    @cached_property
    def migration(self) -> pathspec.GitIgnoreSpec:
        return _spec(self.config.migrations)

    def is_migration(self, path: Path) -> bool:
        return self.migration.match_file(self.relative(path))

    def relative(self, path: Path) -> str:
        """Posix path relative to the project root (or the path itself when outside it)."""
        found = self._relative.get(path)
        if found is None:
            text = os.fspath(path)
            if text.startswith(self._root_prefix) and ".." not in path.parts and not os.path.islink(text):
                # the walk's paths: under the resolved root, through real folders (it does not
                # follow symlinked ones); resolve() would stat every component again
                found = text[len(self._root_prefix) :].replace(os.sep, "/")
            else:
                try:
                    found = _resolve(path).relative_to(self.root).as_posix()
                except ValueError:
                    found = Path(os.path.abspath(path)).as_posix().lstrip("/")
            self._relative[path] = found
        return found

    def is_tenant(self, path: Path) -> bool:
        return self.tenant.match_file(self.relative(path))

    def is_excluded(self, path: Path) -> bool:
        if not self.config.exclude:  # the common case: no need to resolve every path of the walk
            return False
        return self.exclude.match_file(self.relative(path))

    def _walk(self, folder: Path):
        """Python files under `folder`, skipping default excludes, config excludes and .gitignore."""
        ignores: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
        for parent in [folder, *folder.parents]:
            gitignore = parent / ".gitignore"
            if gitignore.is_file():
                ignores.append((parent, _gitignore(gitignore)))
            if parent == self.root or (parent / ".git").exists():
                break
        yield from self._walk_inner(folder, ignores)

    def _walk_inner(self, folder: Path, ignores):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        local = folder / ".gitignore"
        if local.is_file() and all(base != folder for base, _ in ignores):
            ignores = ignores + [(folder, _gitignore(local))]
        for entry in entries:
            path = Path(entry.path)
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and entry.name in DEFAULT_EXCLUDES:
                continue
            if self._ignored(path, is_dir, ignores) or self.is_excluded(path):
                continue
            if is_dir:
                yield from self._walk_inner(path, ignores)
            elif entry.name.endswith(".py"):
                if entry.is_symlink() and _is_symlink_loop(entry.path):
                    # resolving it fails at every step after this one; one entry must not stop the run
                    self._loops[path] = None
                    continue
                yield path

    @staticmethod
    def _ignored(path: Path, is_dir: bool, ignores) -> bool:
        for base, spec in ignores:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return False

    def discover(self, paths: list[Path]) -> Discovery:
        in_scope: dict[Path, None] = {}
        walked_root = False
        for given in paths:
            if given.is_dir():
                folder = given.resolve()
                walked_root |= folder == self.root
                for found in self._walk(folder):
                    in_scope[found] = None
            elif not self.is_excluded(given):  # pre-commit passes every changed file by name
                in_scope[_resolve(given) if not given.is_symlink() else Path(os.path.abspath(given))] = None
        # the walk of the root finds what it found already (`check .` at the root): none is context
        context = [p for p in self._walk(self.root) if p not in in_scope] \
            if self.root.is_dir() and not walked_root else []
        for loop in self._loops:
            if loop not in in_scope:  # a loop named on the command line is a TNT000 already
                warn_once(f"{_shown(loop)}: symlink loop, skipped")
        return Discovery(list(in_scope), context)


def _shown(path: Path) -> str:
    """As findings show paths: relative to the current directory (engine.display_path)."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _resolve(path: Path) -> Path:
    """The real path; for a symlink loop, where the link itself is."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # "Symlink loop" (RuntimeError before Python 3.13)
        return path.parent.resolve() / path.name


def _gitignore(path: Path) -> pathspec.GitIgnoreSpec:
    try:
        return _spec(read_regular(path).decode("utf-8", errors="replace").splitlines())
    except OSError:
        return _spec([])
