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
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
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


def _cache_file(config: Config, kind: str, suffix: str) -> tuple[tuple, Path]:
    """The header a cache file must hold and where it lives: one folder per tool version
    (older ones are removed), one file per kind and config."""
    header = (_MAGIC, kind, tenantlint.__version__, config_fingerprint(config))
    name = hashlib.blake2b(repr(header).encode(), digest_size=10).hexdigest()
    return header, config.root / CACHE_DIR / _safe(tenantlint.__version__) / f"{name}{suffix}"


def _read_pairs(path: Path, header: tuple, value_type: type) -> dict:
    """The `{str: (str, value_type)}` a cache file holds under `header`; {} when it is missing,
    unreadable, corrupt or foreign (read with an unpickler that only builds our own types)."""
    try:
        with open(path, "rb") as f:
            found, pairs = _Unpickler(io.BytesIO(f.read())).load()
    except Exception:
        return {}
    if found != header or not isinstance(pairs, dict):
        return {}
    for key, value in pairs.items():
        if not (isinstance(key, str) and isinstance(value, tuple) and len(value) == 2
                and isinstance(value[0], str) and isinstance(value[1], value_type)):
            return {}
    return pairs


def _write(path: Path, header: tuple, pairs: dict) -> None:
    """Write a cache file atomically, in a folder tagged as a cache; failing to is no error."""
    import shutil

    from tenantlint.atomic import write_atomic

    folder = path.parent.parent
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tag = folder / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# tenantlint cache\n")
            (folder / ".gitignore").write_text("# Automatically created by tenantlint.\n*\n")
        for stale in folder.iterdir():  # caches of other versions
            if stale.is_dir() and stale != path.parent:
                shutil.rmtree(stale, ignore_errors=True)
        write_atomic(path, pickle.dumps((header, pairs), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass


class Cache:
    """Entries of one project under one config and tool version, by project-relative path."""

    def __init__(self, config: Config):
        self.header, self.path = _cache_file(config, "files", ".pickle")
        self._entries: dict[str, tuple[str, Entry]] = _read_pairs(self.path, self.header, Entry)
        self._changed = False
        self.hits = 0
        self.misses = 0

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
        """Write the entries of this run, if any changed."""
        if self._changed:
            _write(self.path, self.header, self._entries)


class RunCache:
    """What `check` printed for a set of inputs and output options, keyed on every input
    file's size and modification time (as ruff keys its cache): a run where nothing changed
    replays its output without reading, parsing or checking any file."""

    def __init__(self, config: Config):
        self.header, self.path = _cache_file(config, "runs", ".runs")
        self._runs: dict[str, tuple[str, int]] = _read_pairs(self.path, self.header, int)

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
        """Keep the run (the newest few only) and write the file."""
        self._runs.pop(key, None)
        self._runs[key] = (output, int(exit_code))
        while len(self._runs) > _RUNS_KEPT:
            del self._runs[next(iter(self._runs))]
        _write(self.path, self.header, self._runs)
