"""The per-file cache in `.tenantlint_cache/` at the project root, like ruff's.

An entry is what `engine.load` makes of one file (its facts, or why it could not be parsed),
stored by project-relative path with a hash of the content it was made from; the whole cache
is bound to the config fingerprint and the tool version, so a change of either starts afresh. A corrupt or foreign
cache is ignored, never trusted: it is read with an unpickler that only builds tenantlint's
own frozen data classes, and any error while reading it means "no cache".
"""

from __future__ import annotations

import hashlib
import io
import pickle
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import tenantlint
from tenantlint.config import Config, config_fingerprint

if TYPE_CHECKING:  # unpickling an Entry imports it by itself
    from tenantlint.summary import ModuleSummary

CACHE_DIR = ".tenantlint_cache"
_MAGIC = "tenantlint-cache-1"
# What a cache file may contain besides plain containers: tenantlint's frozen facts.
_ALLOWED_MODULES = frozenset({"tenantlint.cache", "tenantlint.summary", "tenantlint.table_args"})
_ALLOWED_BUILTINS = frozenset({"frozenset", "set", "tuple", "list", "dict"})
_RUNS_KEPT = 16  # replayable runs kept: a few path sets and output options per config


@dataclass(frozen=True)
class Entry:
    """One file's result, as `engine.load` made it."""

    summary: ModuleSummary | None
    lines: tuple[str, ...] = ()
    error: str | None = None
    error_line: int = 1
    error_col: int = 1


def _safe(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]", "_", version) or "_"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module in _ALLOWED_MODULES or (module == "builtins" and name in _ALLOWED_BUILTINS):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class Cache:
    """Entries of one project under one config and tool version, by project-relative path."""

    def __init__(self, config: Config):
        self.folder = config.root / CACHE_DIR
        self.header = (_MAGIC, tenantlint.__version__, config_fingerprint(config))
        name = hashlib.blake2b(repr(self.header).encode(), digest_size=10).hexdigest()
        # one folder per version (older ones are removed), one file per config
        self.path = self.folder / _safe(tenantlint.__version__) / f"{name}.pickle"
        self._entries = self._read()
        self._changed = False
        self.hits = 0
        self.misses = 0

    def _read(self) -> dict[str, tuple[str, Entry]]:
        try:
            with open(self.path, "rb") as f:
                header, entries = _Unpickler(io.BytesIO(f.read())).load()
        except Exception:  # missing, unreadable, corrupt or foreign: start afresh
            return {}
        if header != self.header or not isinstance(entries, dict):
            return {}
        for relative, value in entries.items():
            if not (isinstance(relative, str) and isinstance(value, tuple) and len(value) == 2
                    and isinstance(value[0], str) and isinstance(value[1], Entry)):
                return {}
        return entries

    def get(self, relative: str, key: str) -> Entry | None:
        """The entry of the file at `relative` if its content still has the `content_key` `key`."""
        found = self._entries.get(relative)
        if found is None or found[0] != key:
            self.misses += 1
            return None
        self.hits += 1
        return found[1]

    def put(self, relative: str, key: str, entry: Entry) -> None:
        self._entries[relative] = (key, entry)
        self._changed = True

    def save(self) -> None:
        """Write the entries of this run, atomically; a cache that cannot be written is no error."""
        if not self._changed:
            return
        import shutil

        from tenantlint.atomic import write_atomic

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tag = self.folder / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# tenantlint cache\n")
                (self.folder / ".gitignore").write_text("# Automatically created by tenantlint.\n*\n")
            for stale in self.folder.iterdir():  # caches of other versions
                if stale.is_dir() and stale != self.path.parent:
                    shutil.rmtree(stale, ignore_errors=True)
            write_atomic(self.path, pickle.dumps((self.header, self._entries), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass


class RunCache:
    """What `check` printed for a set of inputs and output options, keyed on every input
    file's size and modification time (as ruff keys its cache): a run where nothing changed
    replays its output without reading, parsing or checking any file."""

    def __init__(self, config: Config):
        folder = config.root / CACHE_DIR
        self.header = (_MAGIC, "runs", tenantlint.__version__, config_fingerprint(config))
        name = hashlib.blake2b(repr(self.header).encode(), digest_size=10).hexdigest()
        self.path = folder / _safe(tenantlint.__version__) / f"{name}.runs"
        self._runs = self._read()

    def _read(self) -> dict[str, tuple[str, int]]:
        try:
            with open(self.path, "rb") as f:
                header, runs = _Unpickler(io.BytesIO(f.read())).load()
        except Exception:  # missing, unreadable, corrupt or foreign: start afresh
            return {}
        if header != self.header or not isinstance(runs, dict):
            return {}
        for key, value in runs.items():
            if not (isinstance(key, str) and isinstance(value, tuple) and len(value) == 2
                    and isinstance(value[0], str) and isinstance(value[1], int)):
                return {}
        return runs

    @staticmethod
    def key(cwd: str, view: tuple, in_scope: list[tuple[str, os.stat_result]],
            context: list[tuple[str, os.stat_result]]) -> str:
        """The inputs of a run: where it prints from, how, which files it reports on, every file's state."""
        digest = hashlib.blake2b(f"{cwd}\0{view!r}".encode(), digest_size=20)
        for group in (in_scope, context):
            digest.update(b"\0group")
            for path, stat in group:
                digest.update(f"\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
        return digest.hexdigest()

    def get(self, key: str) -> tuple[str, int] | None:
        """(what the run printed, its exit code)."""
        return self._runs.get(key)

    def put(self, key: str, output: str, exit_code: int) -> None:
        """Keep the run (the newest few only) and write the file; a failed write is no error."""
        from tenantlint.atomic import write_atomic

        self._runs.pop(key, None)
        self._runs[key] = (output, int(exit_code))
        while len(self._runs) > _RUNS_KEPT:
            del self._runs[next(iter(self._runs))]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, pickle.dumps((self.header, self._runs), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass
