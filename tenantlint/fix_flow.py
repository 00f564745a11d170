"""`tenantlint fix` from start to end: analyse, plan each file's fix, show it (`--diff`) or write it
(or commit it file by file), analyse again, apply the baseline, and say what happened. The CLI
only turns options into a `FixRequest`; everything the run prints goes through a `Console`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tenantlint import fix_plan
from tenantlint.baseline import BaselineError, InEffect, NotUpdated, screen
from tenantlint.cache import MemoryCache
from tenantlint.config import Config
from tenantlint.engine import Analysis, analyze
from tenantlint.fix_plan import FileFix, FixStatus, NotWritten
from tenantlint.findings import Finding
from tenantlint.report import ExitCode, exit_code, printable, render, render_after_fix


class Console(Protocol):
    """Where the run speaks: `echo` adds no newline; `progress` may wrap a long list in a bar."""

    def echo(self, text: str, err: bool = False) -> None: ...

    def progress(self, items: list, label: str) -> Iterable: ...


class FixAborted(Exception):
    """The run stops with exit 2; the message says what was and was not changed."""


@dataclass(frozen=True)
class FixRequest:
    targets: list[Path]
    output_format: str = "text"
    quiet: bool = False
    exit_zero: bool = False
    use_cache: bool = True
    jobs: int | None = None
    unsafe_fixes: bool = False
    diff: bool = False
    commit_per_model: bool = False
    summary_file: Path | None = None
    baseline: InEffect | None = None
    update_baseline: bool = False


@dataclass(frozen=True)
class _Written:
    written: list[FileFix]
    skipped: list[NotWritten]
    table: str = ""  # the commits, with --commit-per-model


def run(request: FixRequest, config: Config, console: Console) -> ExitCode:
    """The whole fix run; its exit code. Raises FixAborted when it stops early (exit 2)."""
    memory = None if request.use_cache else MemoryCache()  # the second analysis reuses the first's facts
    analysis = _analyze(request, config, memory)
    fixes = fix_plan.plan(analysis, request.unsafe_fixes)
    failed = [f for f in fixes if f.status is FixStatus.FAILED]
    changed = [f for f in fixes if f.status is FixStatus.CHANGED]
    for failure in failed:
        console.echo(f"tenantlint: error: {printable(failure.path.as_posix())}: {printable(failure.error)}; "
                     "file left unchanged\n", err=True)
    if request.diff:
        return _show_diff(changed, failed, analysis, request, console)
    done = _commit(changed, config, request, console) if request.commit_per_model else _write(changed, config, console)
    for failure in done.skipped:  # each left as it was; the run goes on and ends with exit 2
        console.echo(f"tenantlint: error: {failure.message()}\n", err=True)
    after = _analyze(request, config, memory) if changed else analysis
    remaining, notes = _screen(after, request, console)
    fixed = sum(len(c.findings) for c in done.written)
    console.echo(render_after_fix(request.output_format, after.errors + remaining, fixed, len(done.written),
                                  unsafe_fixes=request.unsafe_fixes, quiet=request.quiet, config=config))
    if done.table:  # the commit table goes to stderr when stdout is a machine format
        console.echo(done.table, err=request.output_format != "text")
    for line in notes:  # after the text summary on stdout; on stderr when stdout is machine output or quiet
        console.echo(line + "\n", err=request.output_format != "text" or request.quiet)
    errors = after.errors + [f for c in failed for f in c.findings]
    return ExitCode.ERROR if done.skipped else exit_code(remaining, errors, request.exit_zero)


def _analyze(request: FixRequest, config: Config, memory: MemoryCache | None) -> Analysis:
    return analyze(request.targets, config, use_cache=request.use_cache, jobs=request.jobs, memory=memory)


def _show_diff(changed: list[FileFix], failed: list[FileFix], analysis: Analysis, request: FixRequest,
               console: Console) -> ExitCode:
    """`--diff`: the changes as a unified diff; nothing is written."""
    for change in changed:
        console.echo(change.diff())
    if not request.quiet:
        fixed = sum(len(c.findings) for c in changed)
        console.echo(f"Would fix {fixed} problems in {len(changed)} files.\n", err=True)
    if failed or analysis.errors:
        return ExitCode.ERROR
    return ExitCode.FINDINGS if changed else ExitCode.CLEAN


def _write(changed: list[FileFix], config: Config, console: Console) -> _Written:
    written, skipped = fix_plan.write_all(console.progress(changed, "Fixing"), config.root)
    return _Written(written, skipped)


def _commit(changed: list[FileFix], config: Config, request: FixRequest, console: Console) -> _Written:
    """Write and commit each changed file alone. Refusals stop the run before any write."""
    from datetime import datetime, timezone

    from tenantlint.git import GitError
    from tenantlint.refactor import CommitFailed, commit_each, prepare
    from tenantlint.release_note import MessageError, format_markdown, format_table

    started = datetime.now(timezone.utc)
    try:
        repo, steps = prepare(changed, config)
    except (GitError, MessageError) as exc:
        raise FixAborted(f"{exc}; nothing was changed or committed") from exc
    try:
        committed, skipped = commit_each(repo, steps, config.root, lambda items: console.progress(items, "Committing"))
    except CommitFailed as exc:
        for failure in exc.skipped:
            console.echo(f"tenantlint: error: {failure.message()}\n", err=True)
        raise FixAborted(str(exc)) from exc
    finished = datetime.now(timezone.utc)
    if request.summary_file is not None:
        request.summary_file.write_text(format_markdown(committed, started, finished, config.schema),
                                        encoding="utf-8")
    left = {id(failure.fix) for failure in skipped}
    written = [fix for _, fix in steps if id(fix) not in left]
    return _Written(written, skipped, format_table(committed))


def _screen(after: Analysis, request: FixRequest, console: Console) -> tuple[list[Finding], list[str]]:
    """What the baseline lets through; `fix --update-baseline` only drops entries that are gone."""
    try:
        return screen(after, request.targets, request.baseline, request.update_baseline, grow=False)
    except NotUpdated as exc:
        console.echo(render(request.output_format, exc.errors, config=after.config))
        raise FixAborted(str(exc)) from exc
    except BaselineError as exc:
        raise FixAborted(str(exc)) from exc
