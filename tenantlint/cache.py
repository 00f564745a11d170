"""The per-file and per-run caches in `.tenantlint_cache/` at the project root, like ruff's.

An entry is what `engine.load` makes of one file (its facts, or why it could not be parsed),
stored by project-relative path under a key of the file's content and state; a cache file is
bound to the tool version, the config fingerprint and the shape of the facts, so a change of
any of them starts afresh.

The folder may come from the checked repository itself (a committed or crafted cache), so it
is data, never code, and never a way out of the project: it is plain JSON decoded by
`codec`, which builds nothing but tenantlint's frozen facts and turns any doubt into a miss;
a link anywhere in it disables the cache (with one warning) instead of being followed; files
are written through a new temporary file and a rename inside the real folder; only folders
and files of the names tenantlint gives are ever deleted.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat as st
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import tenantlint
from tenantlint.config import Config, config_fingerprint

if TYPE_CHECKING:  # loaded with the first per-file cache: a replayed run never needs it
    from tenantlint.facts import ModuleFacts

CACHE_DIR = ".tenantlint_cache"
_FORMAT = "tenantlint-cache-json"
_RUNS_KEPT = 16  # replayable runs kept: a few path sets and output options per config
# What tenantlint names inside the folder, and so all it ever deletes there: version folders
# (`_safe` of a version, which starts with a digit) and, in them, cache files (these, and the
# pickles of versions before 0.2) and the temporary files of an interrupted write.
_VERSION_DIR = re.compile(r"[0-9][A-Za-z0-9._+-]*\Z")
_OWN_FILE = re.compile(r"(\.?[0-9a-f]{20}\.(files\.json|runs\.json|pickle|runs)(\.[0-9a-f]{16}\.tmp)?)\Z")
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by tenantlint.\n"
_GITIGNORE = "# Automatically created by tenantlint.\n*\n"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where creating a link needs privileges
_warned: set[Path] = set()  # cache folders refused in this process: the warning is said once
_dumps = functools.partial(json.dumps, separators=(",", ":"))


@dataclass(frozen=True)
class CacheEntry:
    """One file's result, as `engine.load` made it."""

    facts: ModuleFacts | None
    lines: tuple[str, ...] = ()
    error: str | None = None
    error_line: int = 1
    error_col: int = 1
    # The failure lies in this process (memory, recursion depth, a bug), not in the file: the
    # entry is never cached, nor a run that reports it, so the next run tries again.
    transient: bool = False


def _safe(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]", "_", version) or "_"


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def stat_key(stat: os.stat_result) -> str:
    """A file's state: size and mtime (as ruff), and inode and ctime, which a restored mtime
    (`touch -d`, `tar -x`, `git checkout`) cannot bring back."""
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}:{stat.st_ctime_ns}"


def file_key(data: bytes, stat: os.stat_result) -> str:
    """What a per-file entry is valid for: this content, in this file. The state part also
    makes an entry unforgeable: whoever commits a cache cannot know the inode and ctime a
    checkout will give the file."""
    return f"{content_key(data)}:{stat_key(stat)}"


def _home(config: Config) -> Path | None:
    """The folder that holds the cache: the project root, when the run is inside the project
    (the current directory is under the root, or the root is in the current directory's
    project). `check /other/dir`, or a named link into another tree, leaves no cache there."""
    from tenantlint.config import find_project_root

    root = config.root.resolve()
    cwd = Path.cwd().resolve()
    if cwd == root or root in cwd.parents:
        return root
    here = find_project_root(cwd)
    return root if here == root or here in root.parents else None


def _refusal(folder: Path, version: str) -> str | None:
    """Why the cache folder cannot be used (a link in it, something not a folder), or None."""
    for place, shown in ((folder, CACHE_DIR), (folder / version, f"{CACHE_DIR}/{version}")):
        try:
            mode = os.lstat(place).st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"{shown} cannot be read ({exc.strerror})"
        if st.S_ISLNK(mode):
            return f"{shown} is a symbolic link"
        if not st.S_ISDIR(mode):
            return f"{shown} is not a directory"
        try:
            with os.scandir(place) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return f"{shown}/{entry.name} is a symbolic link"
        except OSError as exc:
            return f"{shown} cannot be read ({exc.strerror})"
    return None


class _File:
    """One cache file: where it lives, the header it must hold, its raw JSON pairs."""

    def __init__(self, config: Config, kind: str, shape: str):
        self.header = {"format": _FORMAT, "kind": kind, "version": tenantlint.__version__,
                       "config": config_fingerprint(config), "shape": shape}
        self.version = _safe(tenantlint.__version__)
        self.name = hashlib.blake2b(json.dumps(self.header, sort_keys=True).encode(), digest_size=10).hexdigest()
        self.name += f".{kind}.json"
        home = _home(config)
        self.folder = home / CACHE_DIR if home else None
        if self.folder is not None:
            refused = _refusal(self.folder, self.version)
            if refused:
                if self.folder not in _warned:
                    _warned.add(self.folder)
                    sys.stderr.write(f"warning: {refused}; running without the cache\n")
                self.folder = None

    def read(self) -> dict[str, Any]:
        """The `{key: value}` pairs of the file, still raw JSON; {} when it is missing,
        unreadable, not a regular file, corrupt or foreign."""
        if self.folder is None:
            return {}
        try:
            fd = os.open(self.folder / self.version / self.name, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return {}
        try:
            with os.fdopen(fd, "rb") as f:
                if not st.S_ISREG(os.fstat(f.fileno()).st_mode):  # a FIFO or a device: never read
                    return {}
                document = json.loads(f.read())
        except Exception:  # any error in a file anyone could have written means "no cache"
            return {}
        if type(document) is not dict or document.get("header") != self.header:
            return {}
        pairs = document.get("pairs")
        return pairs if type(pairs) is dict else {}

    def write(self, pairs: str) -> None:
        """Write the file, `pairs` being the JSON text of its pairs object (failing to is no error),
        in a folder tagged as a cache."""
        if self.folder is None:
            return
        try:
            fresh = _real_folder(self.folder)
            if fresh or not os.path.lexists(self.folder / "CACHEDIR.TAG"):
                _replace(self.folder, "CACHEDIR.TAG", _TAG.encode())
                _replace(self.folder, ".gitignore", _GITIGNORE.encode())
            _remove_other_versions(self.folder, self.version)
            _real_folder(self.folder / self.version)
            data = f'{{"header":{_dumps(self.header)},"pairs":{pairs}}}'  # what _dumps of both gives
            _replace(self.folder / self.version, self.name, data.encode())
        except OSError:
            pass


def _real_folder(path: Path) -> bool:
    """Make sure `path` is a real folder, not a link (True when it was just made)."""
    try:
        os.mkdir(path)  # never follows a link at `path`: it then fails with EEXIST
        return True
    except FileExistsError:
        mode = os.lstat(path).st_mode
        if st.S_ISLNK(mode) or not st.S_ISDIR(mode):
            raise NotADirectoryError(f"{path} is not a folder") from None
        return False


def _replace(folder: Path, name: str, data: bytes) -> None:
    """Write `folder/name` through a new file in the same folder, renamed over it: a link at
    `name` is replaced, never written through, and a reader sees the old file or the new one."""
    temp = folder / f".{name}.{os.urandom(8).hex()}.tmp"  # secrets.token_hex(8), without importing secrets
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, folder / name)
    except BaseException:
        os.unlink(temp)
        raise


def _remove_other_versions(folder: Path, version: str) -> None:
    """Delete the caches of other tool versions: their own files only, in real folders only."""
    with os.scandir(folder) as entries:
        stale = [e.path for e in entries if e.name != version and _VERSION_DIR.match(e.name)
                 and e.is_dir(follow_symlinks=False)]
    for path in stale:
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    if _OWN_FILE.match(entry.name) and entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)
            os.rmdir(path)  # only when nothing else is left in it
        except OSError:
            pass


@functools.cache
def _entry_codec():
    from tenantlint.codec import codec
    from tenantlint.facts import ModuleFacts

    return codec(CacheEntry, {"ModuleFacts": ModuleFacts})


def encoded(entry: CacheEntry) -> str | None:
    """The JSON text a per-file cache stores for an entry; None for a transient one, never
    stored. Worker processes hand it back with the entries they make: encoding every entry at
    the end of a cold run was a tenth of its serial part."""
    return None if entry.transient else _dumps(_entry_codec().encode(entry))


class _Stored(NamedTuple):
    """An entry put in this run, as stored: its key and its JSON text (a value read from the
    file is still the list JSON decoded, never a tuple)."""

    key: str
    text: str


def _runs_codec():
    from tenantlint.codec import codec

    return codec(tuple[str, int])


class Cache:
    """Entries of one project under one config and tool version, by project-relative path.
    Entries are decoded (and validated) when first asked for; the others are written back as read."""

    def __init__(self, config: Config):
        from tenantlint.codec import fingerprint

        self._codec = _entry_codec()
        self._file = _File(config, "files", fingerprint(self._codec))
        self._raw: dict[str, Any] = self._file.read()
        self._decoded: dict[str, tuple[str, CacheEntry]] = {}
        self._changed = False
        self.hits = 0
        self.misses = 0

    def get(self, relative: str, key: str) -> CacheEntry | None:
        """The entry of the file at `relative` if it was made for the `file_key` `key`."""
        found = self._decoded.get(relative)
        if found is None:
            found = self._decode(relative)
        if found is None or found[0] != key:
            self.misses += 1
            return None
        self.hits += 1
        return found[1]

    def _decode(self, relative: str) -> tuple[str, CacheEntry] | None:
        raw = self._raw.get(relative)
        try:
            if type(raw) is not list or len(raw) != 2 or type(raw[0]) is not str:
                return None
            found = (raw[0], self._codec.decode(raw[1]))
        except Exception:  # ShapeError, or anything else a crafted value could cause: a miss
            return None
        self._decoded[relative] = found
        return found

    # A disk cache stores entries as JSON text: a worker that parses a file encodes its entry too.
    stores_text = True

    def put(self, relative: str, key: str, entry: CacheEntry, text: str | None = None) -> None:
        """Keep `entry`; `text` is its `encoded` form when the process that made it encoded it."""
        if entry.transient:
            return
        self._decoded[relative] = (key, entry)
        self._raw[relative] = _Stored(key, text if text is not None else encoded(entry))
        self._changed = True

    def save(self) -> None:
        """Write the entries of this run, if any changed, and the others as they were read."""
        if self._changed:
            self._file.write("{" + ",".join(
                f"{_dumps(relative)}:[{_dumps(value.key)},{value.text}]" if type(value) is _Stored
                else f"{_dumps(relative)}:{_dumps(value)}" for relative, value in self._raw.items()) + "}")


class MemoryCache:
    """Entries kept in this process only, never written: `fix --no-cache` analyses again after
    writing, and its files that did not change need not be parsed twice."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, CacheEntry]] = {}
        self.hits = 0

    def get(self, relative: str, key: str) -> CacheEntry | None:
        found = self._entries.get(relative)
        if found is None or found[0] != key:
            return None
        self.hits += 1
        return found[1]

    stores_text = False

    def put(self, relative: str, key: str, entry: CacheEntry, text: str | None = None) -> None:
        if not entry.transient:
            self._entries[relative] = (key, entry)

    def save(self) -> None:
        pass


class RunCache:
    """What `check` printed for a set of inputs and output options, keyed on every input
    file's state (as ruff keys its cache, plus inode and ctime): a run where nothing changed
    replays its output without reading, parsing or checking any file."""

    def __init__(self, config: Config):
        from tenantlint.codec import ShapeError, fingerprint

        run = _runs_codec()
        self._file = _File(config, "runs", fingerprint(run))
        self._runs: dict[str, tuple[str, int]] = {}
        for key, value in self._file.read().items():
            try:
                self._runs[key] = run.decode(value)
            except ShapeError:
                pass

    @staticmethod
    def key(cwd: str, view: tuple, in_scope: list[tuple[str, os.stat_result]],
            context: list[tuple[str, os.stat_result]]) -> str:
        """The inputs of a run: where it prints from, how, which files it reports on, every file's state."""
        digest = hashlib.blake2b(f"{cwd}\0{view!r}".encode(), digest_size=20)
        for group in (in_scope, context):
            digest.update(b"\0group")
            for path, stat in group:
                digest.update(f"\0{path}\0{stat_key(stat)}".encode())
        return digest.hexdigest()

    def get(self, key: str) -> tuple[str, int] | None:
        """(what the run printed, its exit code)."""
        return self._runs.get(key)

    def put(self, key: str, output: str, exit_code: int) -> None:
        """Keep the run (the newest few only) and write the file."""
        self._runs.pop(key, None)
        self._runs[key] = (output, int(exit_code))
        while len(self._runs) > _RUNS_KEPT:
            del self._runs[next(iter(self._runs))]
        self._file.write(_dumps({key: list(value) for key, value in self._runs.items()}))
