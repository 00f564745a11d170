"""One run: find the files, read the facts of the relevant ones, apply the rules, apply fixes."""

from __future__ import annotations

import ast
import gc
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint.cache import Cache, CacheEntry, MemoryCache, RunCache, file_key
from tenantlint.config import Config
from tenantlint.facts.vocabulary import MARKERS
from tenantlint.files import Discovery, FileSelector, read_regular
from tenantlint.findings import Finding

if TYPE_CHECKING:  # the rules and the parser load only when a file must be read (not for a replayed run)
    from tenantlint.context import Context, SourceFile
    from tenantlint.rules import Rule
    from tenantlint.facts import ModuleFacts

# A file that names none of the vocabulary's markers cannot hold a model with a table, a table,
# or a string reference to one, and is not parsed at all (most files of a monorepo). What such a
# file can still matter for (a package re-exporting `Base`, a mixin, `db = SQLAlchemy()`, a
# registry) is read on demand when a name resolves into it (`_OnDemand`). In-scope files in
# tenant paths are always parsed (TNT000, TNT007).
_MARKERS = MARKERS


def names_a_model(data: bytes) -> bool:
    """Whether a file's bytes name anything that can make a model, a table or a table reference."""
    return any(word in data and (confirm is None or confirm.search(data)) for word, confirm in _MARKERS)


_INTERNAL_ERROR = "internal error while analysing the file"  # transient: -v must show the traceback

# A file modified this recently may still change within the same mtime tick (FAT: 2 s).
_RACY_NS = 2_000_000_000

# Below this many files to parse, starting worker processes costs more than it saves.
_PARALLEL_MIN = 64


def display_path(path: Path) -> Path:
    """Relative to the current directory, as ruff and flake8 print paths."""
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return path


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
    lines = tuple(facts.split_lines(text))
    try:
        found = facts.collect(tree, read, relative)
    except RecursionError:
        return CacheEntry(None, error="file too deeply nested to analyse", transient=True)
    except MemoryError:
        return CacheEntry(None, error="cannot analyse file: MemoryError", transient=True)
    except Exception as exc:  # one odd file must not stop the run; the traceback is behind -v
        import logging

        logging.getLogger("tenantlint").debug("while analysing %s", path, exc_info=True)
        return CacheEntry(None, error=f"{_INTERNAL_ERROR}: {type(exc).__name__}: {exc}", transient=True)
    return CacheEntry(found, lines)


def _newer_grammar(text: str, path: Path) -> tuple[ast.Module, str] | None:
    """Valid Python this interpreter's `ast` refuses (a newer grammar): the tree of its LibCST
    stand-in, same lines and columns; None when LibCST cannot parse it either (TNT000)."""
    from tenantlint.facts.newer_grammar import stand_in

    try:
        read = stand_in(text)
        return None if read is None else (ast.parse(read, filename=str(path)), read)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


@dataclass
class Analysis:
    config: Config
    files: list[SourceFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)  # TNT000: files that could not be read
    cache_hits: int = 0  # files whose facts came from the cache
    transient: bool = False  # a failure of this process (memory, I/O, a bug) was reported: never replay the run
    data: dict[Path, bytes] = field(default_factory=dict)  # each parsed file's bytes, for `fix`
    relative: dict[Path, str] = field(default_factory=dict)  # displayed path -> project-relative path
    # `fix`: references in files outside the run to the tables the run moves (the TNT005 findings
    # there), and which file moves each such table (project-relative)
    outside: list[Finding] = field(default_factory=list)
    moving_tables: dict[str, str] = field(default_factory=dict)
    suppressed: list[Finding] = field(default_factory=list)  # selected, silenced by a `# noqa` (noqa.unused)


def _parse_error(path: Path, entry: CacheEntry) -> Finding:
    from tenantlint.rules.tnt000_parse_error import RULE as PARSE_ERROR

    line, col = entry.error_line, max(entry.error_col, 1)
    return Finding(PARSE_ERROR.code, entry.error or "cannot parse", display_path(path), line, col, line, col)


def _load_entries(items: list[tuple[str, str, bytes]]) -> list[CacheEntry]:
    """The unit of work of a worker process: parse files, return their picklable facts."""
    return [load(Path(path), relative, data) for path, relative, data in items]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Parsing:
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
        self.items.append((str(path), relative, data))
        self.keys.append(key)
        self.entries.append(self.cache.get(relative, key) if key else None)
        if self.entries[-1] is not None:
            self.items[-1] = (str(path), relative, None)
        elif self.jobs <= 1:
            self.entries[-1] = load(path, relative, data)
            self.items[-1] = (str(path), relative, None)
            self.parsed.append(len(self.entries) - 1)
        else:
            self.waiting.append(len(self.entries) - 1)
            started = self.pool is not None
            if self.jobs > 1 and len(self.waiting) >= (self._BATCH if started else _PARALLEL_MIN):
                self._send()

    def _send(self) -> None:
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(self.jobs)
        for start in range(0, len(self.waiting), self._BATCH):
            batch = self.waiting[start : start + self._BATCH]
            self.sent.append((batch, self.pool.submit(_load_entries, [self.items[i] for i in batch])))
            for i in batch:  # the pool holds them until they are sent
                self.items[i] = (*self.items[i][:2], None)
        self.waiting = []

    def finish(self) -> list[CacheEntry]:
        try:
            if self.pool is not None and self.waiting:
                self._send()
            done = [(batch, future.result()) for batch, future in self.sent]
            done.append((self.waiting, _load_entries([self.items[i] for i in self.waiting])))
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        for batch, entries in done:
            for i, entry in zip(batch, entries):
                self.entries[i] = entry
            self.parsed += batch
        for i in self.parsed:
            if self.keys[i]:
                self.cache.put(self.items[i][1], self.keys[i], self.entries[i])  # not when transient
        return self.entries  # type: ignore[return-value]  # every one is filled now


class _OnDemand:
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
        parsing = _Parsing(self.cache, 1)
        parsing.add(path, self.selector.relative(path), data)
        (entry,) = parsing.finish()
        kept = data if self.keep_sources else None
        self.loaded.append((path, kept, entry, in_scope, self.selector.is_tenant(path)))
        return entry.facts


def analyze(paths: list[Path], config: Config, *, use_cache: bool = True, jobs: int | None = None,
            discovery: Discovery | None = None, memory: MemoryCache | None = None,
            outside: bool = False, keep_sources: bool = True) -> Analysis:
    """Check `paths` in the project of `config`; `jobs` processes parse (default: all cores).
    `memory`: without the cache on disk, the facts kept from an earlier run of this process.
    `keep_sources`: keep each parsed file's bytes in `Analysis.data`, which `fix_plan` edits;
    a run that only reports passes False (the bytes of a large tree are most of its memory)."""
    # Syntax trees and facts hold no reference cycles: reference counting frees them, and
    # the cyclic collector, triggered by their millions of allocations, only rescans what the
    # run keeps (about 15% of reading a model file). Worker processes fork with it paused too.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyze(paths, config, use_cache=use_cache, jobs=jobs, discovery=discovery, memory=memory,
                        outside=outside, keep_sources=keep_sources)
    finally:
        if was_enabled:
            gc.enable()


def _read_candidates(discovery: Discovery, selector: FileSelector, analysis: Analysis, parsing: _Parsing,
                     keep_sources: bool) -> tuple[list[tuple[Path, bytes | None, CacheEntry, bool, bool]],
                                                  list[tuple[Path, bool]]]:
    """Read every discovered file: the ones that may hold models are parsed, (path, data if kept,
    entry, in scope, tenant); the others are named, (path, in scope), for `_OnDemand` to parse if
    named."""
    config = analysis.config
    candidates: list[tuple[Path, bytes | None, bool, bool]] = []  # (path, data if kept, in scope, tenant)
    skipped: list[tuple[Path, bool]] = []

    def consider(path: Path, in_scope: bool) -> None:
        tenant = selector.is_tenant(path)
        try:
            data = read_bytes(path, config.max_file_size)
        except OSError as exc:
            analysis.transient = True
            if in_scope:
                analysis.errors.append(_parse_error(path, CacheEntry(None, error=f"cannot read file: {exc.strerror or exc}")))
            return
        if (in_scope and (tenant or selector.is_migration(path))) or names_a_model(data):
            candidates.append((path, data if keep_sources else None, in_scope, tenant))
            parsing.add(path, selector.relative(path), data)
        else:
            skipped.append((path, in_scope))

    for path in discovery.in_scope:
        consider(path, True)
    for path in discovery.context:
        consider(path, False)
    loaded = [(path, data, entry, in_scope, tenant)
              for (path, data, in_scope, tenant), entry in zip(candidates, parsing.finish())]
    return loaded, skipped


def _add_files(items: list[tuple[Path, bytes | None, CacheEntry, bool, bool]], analysis: Analysis,
               selector: FileSelector) -> list:
    """The parsed files as `SourceFile`s (recorded in `analysis`); a file in scope that did not parse is an error."""
    from tenantlint.context import SourceFile

    added = []
    for path, data, entry, in_scope, tenant in items:
        analysis.transient |= entry.transient
        if entry.facts is None:
            if in_scope:
                analysis.errors.append(_parse_error(path, entry))
            continue
        shown, relative = display_path(path), selector.relative(path)
        added.append(SourceFile(shown, relative, tenant, in_scope, entry.facts, entry.lines,
                                selector.is_migration(path)))
        if data is not None:
            analysis.data[shown] = data
        analysis.relative[shown] = relative
    return added


def _analyze(paths: list[Path], config: Config, *, use_cache: bool, jobs: int | None,
             discovery: Discovery | None, memory: MemoryCache | None,
             outside: bool, keep_sources: bool) -> Analysis:
    from tenantlint.context import Context
    from tenantlint.rules import static_rules

    selector = FileSelector(config)
    discovery = discovery or selector.discover(paths)
    analysis = Analysis(config)
    cache = Cache(config) if use_cache else memory
    loaded, skipped = _read_candidates(discovery, selector, analysis, _Parsing(cache, jobs or default_jobs()),
                                       keep_sources)
    on_demand = _OnDemand(skipped, selector, cache, keep_sources)
    analysis.files = _add_files(loaded, analysis, selector)
    rules = static_rules()
    moving = {kind: tuple(r.code for r in rules if r.moves == kind) for kind in ("models", "tables")}
    context = Context(analysis.files, config, on_demand, moving, outside_refs=outside and bool(discovery.context))
    analysis.findings = run_rules(context, rules, analysis.suppressed)
    if context.outside_refs:
        analysis.outside, analysis.moving_tables = outside_references(context), dict(context.moving_tables)
    # read for their names only: no findings of their own
    analysis.files += _add_files(on_demand.loaded, analysis, selector)
    analysis.transient |= on_demand.unreadable
    if cache:
        cache.save()
        analysis.cache_hits = cache.hits
    return analysis


def run_rules(context: Context, rules: list[Rule], silenced: list[Finding] | None = None) -> list[Finding]:
    """Every rule's findings on every file in scope, selected and not suppressed, in order;
    the selected ones a `# noqa` suppressed go to `silenced` (for `--show-unused-noqa`)."""
    from tenantlint.context import suppressed

    findings: list[Finding] = []
    for file in context.files:
        if not file.in_scope:
            continue
        # a migration script is read only by the rules that check migrations, and never fixed
        wanted = ("migrations", "all") if file.migration else ("code", "all")
        found = [finding for rule in rules if rule.reads in wanted for finding in rule.check(context, file)]
        for f in found:
            if not context.config.selects(f.code):
                continue
            if not suppressed(file.facts.noqa, f.line, f.code):
                findings.append(f)
            elif silenced is not None:
                silenced.append(f)
    return sorted(findings, key=lambda f: f.sort_key)


def outside_references(context: Context) -> list[Finding]:
    """The references, in the files a run was not given, to the tables it moves into the schema:
    left alone they would stop resolving (`fix --with-references` qualifies them). Those it cannot
    qualify (built by a helper, or an unsafe fix) are kept too: the flow must refuse, not skip them."""
    from tenantlint.context import suppressed
    from tenantlint.rules.tnt005_unqualified_table_reference import RULE as UNQUALIFIED_REFERENCE

    found = [
        finding for file in context.files if not file.in_scope
        for finding in UNQUALIFIED_REFERENCE.check(context, file)
        if finding.model in context.moving_tables
        and context.config.selects(finding.code) and not suppressed(file.facts.noqa, finding.line, finding.code)
    ]
    return sorted(found, key=lambda f: f.sort_key)


def run_key(paths: list[Path], config: Config, view: tuple,
            discovery: Discovery | None = None) -> tuple[Discovery, str | None]:
    """The files of a run, and a key of its inputs for the RunCache: None when a file cannot be
    stat'ed or changed in the last seconds (it may change again without its mtime moving, since
    file-system clocks tick coarsely: "racy git")."""
    discovery = discovery or FileSelector(config).discover(paths)
    started = time.time_ns()
    try:
        in_scope = [(os.fspath(p), os.stat(p)) for p in discovery.in_scope]
        context = [(os.fspath(p), os.stat(p)) for p in discovery.context]
    except OSError:
        return discovery, None
    if any(stat.st_mtime_ns > started - _RACY_NS for _, stat in (*in_scope, *context)):
        return discovery, None
    return discovery, RunCache.key(os.getcwd(), view, in_scope, context)


def has_transient_errors(analysis: Analysis) -> bool:
    """A run that met a failure of this process (memory, I/O, an internal error, which -v must
    be able to show again) is never replayed: the next run tries again."""
    return analysis.transient
