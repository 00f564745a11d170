"""Reading files' facts: one file's content into a CacheEntry (`load`), the files of a run in
order, each from the cache or parsed here or in worker processes (`Parsing`), and the files the
prefilter skipped, parsed only when a name resolves into them (`OnDemand`)."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint.cache import Cache, CacheEntry, encoded, file_key
from tenantlint.files import FileSelector, read_regular

if TYPE_CHECKING:
    from tenantlint.facts import ModuleFacts

_INTERNAL_ERROR = "internal error while analysing the file"  # transient: -v must show the traceback

# Below this many files to parse, starting worker processes costs more than it saves.
_PARALLEL_MIN = 64


def read_bytes(path: Path, limit: int) -> bytes:
    """A checked file's bytes; only a regular file of at most `limit` bytes is read (files.FileRefused)."""
    return read_regular(path, limit)


def decode(data: bytes) -> str:
    """The text of a Python source file, by its coding cookie or BOM (PEP 263)."""
    from tenantlint.facts.source import source_encoding  # not for a replayed run: see facts/__init__

    return data.decode(source_encoding(data))


def load(path: Path, relative: str, data: bytes) -> CacheEntry:
    """What one file's content holds: its facts, or why it cannot be read (TNT000)."""
    from tenantlint import facts

    try:
        text = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return CacheEntry(None, error=f"cannot decode file: {exc}")
    read = text  # what the facts are read from: the file, or its stand-in for newer grammar
    try:
        tree = ast.parse(data, filename=str(path))
    except SyntaxError as exc:
        parsed = _newer_grammar(text, path)
        if parsed is None:
            return CacheEntry(None, error=f"syntax error: {exc.msg}", error_line=exc.lineno or 1, error_col=exc.offset or 1)
        tree, read = parsed
    except ValueError as exc:  # null bytes
        return CacheEntry(None, error=f"cannot parse file: {exc}")
    except (RecursionError, MemoryError) as exc:  # the limits of this process, not the file's fault
        return CacheEntry(None, error=f"cannot parse file: {str(exc) or type(exc).__name__}", transient=True)
    lines = facts.split_lines(text)
    try:
        found = facts.collect(tree, read, relative, lines if read is text else None)
    except RecursionError:
        return CacheEntry(None, error="file too deeply nested to analyse", transient=True)
    except MemoryError:
        return CacheEntry(None, error="cannot analyse file: MemoryError", transient=True)
    except Exception as exc:  # one odd file must not stop the run; the traceback is behind -v
        import logging

        logging.getLogger("tenantlint").debug("while analysing %s", path, exc_info=True)
        return CacheEntry(None, error=f"{_INTERNAL_ERROR}: {type(exc).__name__}: {exc}", transient=True)
    return CacheEntry(found, tuple(lines))


def _newer_grammar(text: str, path: Path) -> tuple[ast.Module, str] | None:
    """Valid Python this interpreter's `ast` refuses (a newer grammar): the tree of its LibCST
    stand-in, same lines and columns; None when LibCST cannot parse it either (TNT000)."""
    from tenantlint.facts.newer_grammar import stand_in

    try:
        read = stand_in(text)
        return None if read is None else (ast.parse(read, filename=str(path)), read)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _load_entries(items: list[tuple[str, str, bytes]], encode: bool) -> list[tuple[CacheEntry, str | None]]:
    """The unit of work of a worker process: parse files, return their picklable facts, and
    when asked their cache text (`cache.encoded`), which the serial end of a run then need not make."""
    entries = [load(Path(path), relative, data) for path, relative, data in items]
    return [(entry, encoded(entry) if encode else None) for entry in entries]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Parsing:
    """The files to read, handed over while the scan finds them. Each comes from the cache or
    is parsed: here, as it comes, with one job; here, at the end, when there are few; in worker
    processes, started once enough have come, while the scan goes on, when there are many. Order
    is kept. A file's bytes are let go once it is parsed or sent, so memory stays flat as the
    tree grows."""

    _BATCH = 8  # files per task sent to a worker

    def __init__(self, cache: Cache | None, jobs: int):
        self.cache, self.jobs = cache, jobs
        self.items: list[tuple[str, str, bytes | None]] = []  # the bytes, until parsed or sent
        self.keys: list[str] = []
        self.entries: list[CacheEntry | None] = []
        self.parsed: list[int] = []  # here, to store in the cache
        self.waiting: list[int] = []  # to parse, not yet sent
        self.sent: list[tuple[list[int], object]] = []  # (indexes, future)
        self.pool = None

    def add(self, path: Path, relative: str, data: bytes) -> None:
        key = ""  # no cache, or a file that cannot be stat'ed: neither read nor stored
        if self.cache:
            try:
                key = file_key(data, os.stat(path))
            except OSError:
                pass
        entry = self.cache.get(relative, key) if key else None
        if entry is None and self.jobs <= 1:
            entry = load(path, relative, data)
            self.parsed.append(len(self.entries))
        self.items.append((str(path), relative, data if entry is None else None))
        self.keys.append(key)
        self.entries.append(entry)
        if entry is None:
            self.waiting.append(len(self.entries) - 1)
            started = self.pool is not None
            if len(self.waiting) >= (self._BATCH if started else _PARALLEL_MIN):
                self._send()

    def _send(self) -> None:
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(self.jobs)
        encode = bool(self.cache) and self.cache.stores_text
        for start in range(0, len(self.waiting), self._BATCH):
            batch = self.waiting[start : start + self._BATCH]
            self.sent.append((batch, self.pool.submit(_load_entries, [self.items[i] for i in batch], encode)))
            for i in batch:  # the pool holds them until they are sent
                self.items[i] = (*self.items[i][:2], None)
        self.waiting = []

    def finish(self) -> list[CacheEntry]:
        try:
            if self.pool is not None and self.waiting:
                self._send()
            done = [(batch, future.result()) for batch, future in self.sent]
            done.append((self.waiting, _load_entries([self.items[i] for i in self.waiting], False)))
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        texts: dict[int, str | None] = {}
        for batch, results in done:
            for i, (entry, text) in zip(batch, results):
                self.entries[i], texts[i] = entry, text
            self.parsed += batch
        for i in self.parsed:
            if self.keys[i]:  # not stored when transient
                self.cache.put(self.items[i][1], self.keys[i], self.entries[i], texts.get(i))
        return self.entries  # type: ignore[return-value]  # every one is filled now


class OnDemand:
    """Files the byte prefilter skipped, parsed only when name resolution asks for their module:
    a package `__init__` that re-exports `Base`, a mixin that names nothing SQLAlchemy-like.
    They are read again then (holding every skipped file's bytes made memory grow with the tree);
    one that cannot be read any more resolves nothing, and the run is not replayed."""

    def __init__(self, skipped: list[tuple[Path, bool]], selector: FileSelector, cache: Cache | None,
                 keep_sources: bool):
        from tenantlint.facts import module_name

        self.selector, self.cache, self.keep_sources = selector, cache, keep_sources
        self.pending = {module_name(selector.relative(path))[0]: item for item in skipped for path in item[:1]}
        self.loaded: list[tuple[Path, bytes | None, CacheEntry, bool, bool]] = []
        self.unreadable = False

    def names(self):
        return self.pending.keys()

    def load(self, name: str) -> ModuleFacts | None:
        item = self.pending.pop(name, None)
        if item is None:
            return None
        path, in_scope = item
        try:
            data = read_bytes(path, self.selector.config.max_file_size)
        except OSError:
            self.unreadable = True
            return None
        parsing = Parsing(self.cache, 1)
        parsing.add(path, self.selector.relative(path), data)
        (entry,) = parsing.finish()
        kept = data if self.keep_sources else None
        self.loaded.append((path, kept, entry, in_scope, self.selector.is_tenant(path)))
        return entry.facts
