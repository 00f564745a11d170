"""One run: find the files, read the facts of the relevant ones, apply the rules, apply fixes."""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint import parsing
from tenantlint.cache import Cache, CacheEntry, MemoryCache, RunCache
from tenantlint.config import Config
from tenantlint.facts.vocabulary import MARKERS
from tenantlint.files import Discovery, FileSelector
from tenantlint.findings import Finding

if TYPE_CHECKING:  # the rules and the parser load only when a file must be read (not for a replayed run)
    from tenantlint.context import Context, SourceFile
    from tenantlint.rules import Rule

# A file that names none of the vocabulary's markers cannot hold a model with a table, a table,
# or a string reference to one, and is not parsed at all (most files of a monorepo). What such a
# file can still matter for (a package re-exporting `Base`, a mixin, `db = SQLAlchemy()`, a
# registry) is read on demand when a name resolves into it (`parsing.OnDemand`). In-scope files in
# tenant paths are always parsed (TNT000, TNT007).
_MARKERS = MARKERS


def names_a_model(data: bytes) -> bool:
    """Whether a file's bytes name anything that can make a model, a table or a table reference."""
    return any(word in data and (confirm is None or confirm.search(data)) for word, confirm in _MARKERS)


# A file modified this recently may still change within the same mtime tick (FAT: 2 s).
_RACY_NS = 2_000_000_000


def display_path(path: Path) -> Path:
    """Relative to the current directory, as ruff and flake8 print paths."""
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return path


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


def _read_candidates(discovery: Discovery, selector: FileSelector, analysis: Analysis, to_parse: parsing.Parsing,
                     keep_sources: bool) -> tuple[list[tuple[Path, bytes | None, CacheEntry, bool, bool]],
                                                  list[tuple[Path, bool]]]:
    """Read every discovered file: the ones that may hold models are parsed, (path, data if kept,
    entry, in scope, tenant); the others are listed, (path, in scope), for `parsing.OnDemand` to
    read and parse if a name resolves into them."""
    config = analysis.config
    candidates: list[tuple[Path, bytes | None, bool, bool]] = []  # (path, data if kept, in scope, tenant)
    skipped: list[tuple[Path, bool]] = []

    def consider(path: Path, in_scope: bool) -> None:
        tenant = selector.is_tenant(path)
        try:
            data = parsing.read_bytes(path, config.max_file_size)
        except OSError as exc:
            analysis.transient = True
            if in_scope:
                analysis.errors.append(_parse_error(path, CacheEntry(None, error=f"cannot read file: {exc.strerror or exc}")))
            return
        if (in_scope and (tenant or selector.is_migration(path))) or names_a_model(data):
            candidates.append((path, data if keep_sources else None, in_scope, tenant))
            to_parse.add(path, selector.relative(path), data)
        else:
            skipped.append((path, in_scope))

    for path in discovery.in_scope:
        consider(path, True)
    for path in discovery.context:
        consider(path, False)
    loaded = [(path, data, entry, in_scope, tenant)
              for (path, data, in_scope, tenant), entry in zip(candidates, to_parse.finish())]
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
    loaded, skipped = _read_candidates(discovery, selector, analysis, parsing.Parsing(cache, jobs or parsing.default_jobs()),
                                       keep_sources)
    on_demand = parsing.OnDemand(skipped, selector, cache, keep_sources)
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
