"""`tenantlint fix` from start to end: analyse, plan each file's fix, show it (`--diff`) or write it
(or commit it file by file), analyse again, apply the baseline, and say what happened. The CLI
only turns options into a `FixRequest`; everything the run prints goes through a `Console`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from tenantlint import fix_plan
from tenantlint.baseline import BaselineError, InEffect, NotUpdated, screen
from tenantlint.cache import MemoryCache
from tenantlint.config import Config
from tenantlint.engine import Analysis, analyze
from tenantlint.fix_plan import FileFix, FixStatus, NotWritten
from tenantlint.findings import Finding
from tenantlint.report import ExitCode, exit_code, plural, printable, render, render_after_fix


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
    verify_modules: tuple[str, ...] = ()  # `--verify`: prove the fixed application still maps
    with_references: bool = False  # also qualify the references to moved tables in other files


@dataclass(frozen=True)
class _Written:
    written: list[FileFix]
    skipped: list[NotWritten]
    commits: list | None = None  # release_note.Committed, with --commit-per-model
    started: datetime | None = None


def run(request: FixRequest, config: Config, console: Console) -> ExitCode:
    """The whole fix run; its exit code. Raises FixAborted when it stops early (exit 2)."""
    memory = None if request.use_cache else MemoryCache()  # the second analysis reuses the first's facts
    analysis = _analyze(request, config, memory, first=True)
    fixes = fix_plan.plan(analysis, request.unsafe_fixes, jobs=_jobs(request))
    joining = _references_elsewhere(analysis, fixes, request)
    fixes += joining
    failed = [f for f in fixes if f.status is FixStatus.FAILED]
    changed = [f for f in fixes if f.status is FixStatus.CHANGED]
    for failure in failed:
        console.echo(f"tenantlint: error: {printable(failure.path.as_posix())}: {printable(failure.error)}; "
                     "file left unchanged\n", err=True)
    if request.diff:
        return _show_diff(changed, failed, analysis, request, console)
    before = _verify_original(request, config, changed)
    if request.commit_per_model:
        done = _commit(changed, config, request, console, before, _Joining(analysis, joining))
    else:
        done = _write(changed, config, console)
        if before is not None:
            _prove(done.written, config, request, console, before, keep=True)
    for failure in done.skipped:  # each left as it was; the run goes on and ends with exit 2
        console.echo(f"tenantlint: error: {failure.message()}\n", err=True)
    if changed:
        del analysis  # what the run keeps from here on is the second one: both at once doubled the peak
        after = _analyze(request, config, memory)
    else:
        after = analysis
    table = "" if done.commits is None else _record(done, after, request, config)
    remaining, notes = _screen(after, request, console)
    fixed = sum(len(c.findings) for c in done.written)
    console.echo(render_after_fix(request.output_format, after.errors + remaining, fixed, len(done.written),
                                  unsafe_fixes=request.unsafe_fixes, quiet=request.quiet, config=config))
    if table:  # the commit table goes to stderr when stdout is a machine format
        console.echo(table, err=request.output_format != "text")
    for line in notes:  # after the text summary on stdout; on stderr when stdout is machine output or quiet
        console.echo(line + "\n", err=request.output_format != "text" or request.quiet)
    errors = after.errors + [f for c in failed for f in c.findings]
    return ExitCode.ERROR if done.skipped else exit_code(remaining, errors, request.exit_zero)


def _analyze(request: FixRequest, config: Config, memory: MemoryCache | None, first: bool = False) -> Analysis:
    """The first analysis keeps what the plan needs (the sources, the references outside the
    run); the one after writing only reports."""
    return analyze(request.targets, config, use_cache=request.use_cache, jobs=request.jobs, memory=memory,
                   outside=first, keep_sources=first)


def _jobs(request: FixRequest) -> int:
    from tenantlint.parsing import default_jobs

    return request.jobs or default_jobs()


def _references_elsewhere(analysis: Analysis, fixes: list[FileFix], request: FixRequest) -> list[FileFix]:
    """Moving a table and qualifying every reference to it is one change: the fixes of the files
    outside the run that refer to a table it moves (`--with-references`), or a refusal naming them,
    before anything is written. Only tables whose file's fix applies count."""
    moved = {analysis.relative.get(f.path) for f in fixes if f.status is FixStatus.CHANGED}
    findings = [f for f in analysis.outside if analysis.moving_tables[f.model] in moved]
    if not findings:
        return []
    # A reference the run cannot qualify (built by a helper, an unsafe fix not enabled) would break
    # silently if the table moved anyway: refuse, whatever --with-references says.
    unfixable = [f for f in findings if not f.fixable(request.unsafe_fixes)]
    if unfixable:
        raise FixAborted(f"the fix moves tables that files outside this run refer to in a way tenantlint cannot "
                         f"qualify: {_listed(unfixable)}; qualify them by hand (`tenantlint check` says how) or "
                         "include those files in the run, which reports them; nothing was changed")
    if not request.with_references:
        raise FixAborted(f"the fix moves tables that files outside this run refer to without the schema, which "
                         f"would stop resolving: {_listed(findings)}; run again with --with-references to qualify "
                         "those references too (`fix --diff --with-references` shows them); nothing was changed")
    return fix_plan.plan(replace(analysis, findings=[]), request.unsafe_fixes, findings, jobs=_jobs(request))


def _listed(findings: list[Finding]) -> str:
    """`path (table, ...)` for each file, in the findings' order."""
    tables: dict[str, list[str]] = {}
    for finding in findings:
        names = tables.setdefault(finding.path.as_posix(), [])
        if finding.model not in names:
            names.append(finding.model)
    return ", ".join(f"{printable(path)} ({', '.join(names)})" for path, names in tables.items())


def _show_diff(changed: list[FileFix], failed: list[FileFix], analysis: Analysis, request: FixRequest,
               console: Console) -> ExitCode:
    """`--diff`: the changes as a unified diff; nothing is written."""
    for change in changed:
        console.echo(change.diff())
    if not request.quiet:
        fixed = sum(len(c.findings) for c in changed)
        console.echo(f"Would fix {plural(fixed, 'problem')} in {plural(len(changed), 'file')}.\n", err=True)
    if failed or analysis.errors:
        return ExitCode.ERROR
    return ExitCode.FINDINGS if changed else ExitCode.CLEAN


def _write(changed: list[FileFix], config: Config, console: Console) -> _Written:
    written, skipped = fix_plan.write_all(console.progress(changed, "Fixing"), config.root)
    return _Written(written, skipped)


def _verify_original(request: FixRequest, config: Config, changed: list[FileFix]):
    """`--verify`: what `verify` says of the sources as they are, before anything is written."""
    if not request.verify_modules or not changed:
        return None
    from tenantlint.fix_verify import run_verify

    return run_verify(request.verify_modules, config)


def _prove(written: list[FileFix], config: Config, request: FixRequest, console: Console, before,
           keep: bool) -> None:
    """`--verify`: `verify` on the written files; whatever the fix broke puts every written file
    back and stops the run. `keep=False` puts them back in any case (--commit-per-model writes
    them again, one commit at a time)."""
    from tenantlint.fix_verify import introduced, restore, run_verify

    problems = introduced(before, run_verify(request.verify_modules, config))
    unrestored = restore(written, config.root) if problems or not keep else []
    command = " ".join(["tenantlint verify", *request.verify_modules])
    if problems:
        for problem in problems:
            console.echo(f"tenantlint: error: fix --verify: {printable(problem)}\n", err=True)
        state = ("every file it wrote is back as it was" if not unrestored
                 else f"could not put back: {'; '.join(unrestored)}")
        committed = "; nothing was committed" if request.commit_per_model else ""
        raise FixAborted(f"the fix breaks the application: `{command}` fails where the original passed "
                         f"({plural(len(problems), 'new failure')} above); {state}{committed}")
    if unrestored:
        raise FixAborted(f"could not put back before committing: {'; '.join(unrestored)}; nothing was committed")
    if not request.quiet:
        console.echo(f"Verified: `{command}` finds no new import error, mapper failure or unresolved "
                     "foreign key.\n", err=True)


@dataclass(frozen=True)
class _Joining:
    """`--with-references`: the fixes of files outside the run, and which file moves each table."""

    analysis: Analysis
    fixes: list[FileFix]

    def owner(self, finding: Finding) -> str:
        """The project-relative file whose fix moves the table `finding` refers to."""
        return self.analysis.moving_tables[finding.model]

    def relative(self, fix: FileFix) -> str:
        return self.analysis.relative[fix.path]


def _commit(changed: list[FileFix], config: Config, request: FixRequest, console: Console, before,
            joining: _Joining) -> _Written:
    """Write and commit each changed file alone. Refusals stop the run before any write; with
    `--verify`, the whole fix is written and proved before the first commit."""
    started = datetime.now(timezone.utc)
    joined = {id(fix) for fix in joining.fixes}
    joining_fixes = [f for f in changed if id(f) in joined]
    repo, steps, along = _plan_commits([f for f in changed if id(f) not in joined], joining_fixes, joining, config)
    if before is not None:
        _write_and_prove([fix for _, fix in steps] + joining_fixes, config, request, console, before)
    committed, skipped = _commit_steps(repo, steps, along, config, console)
    left = {id(failure.fix) for failure in skipped}
    written = [fix for _, fix in steps if id(fix) not in left]
    # a joining file counts once, when every part of it was committed
    parts_left = {failure.fix.path for failure in skipped}
    written += [fix for fix in joining_fixes if fix.path not in parts_left]
    return _Written(written, skipped, committed, started)


def _plan_commits(models: list[FileFix], joining_fixes: list[FileFix], joining: _Joining, config: Config):
    """The repository, one commit step per model file, and the joining edits each step carries;
    anything git or the message template refuses stops the run before a write."""
    from tenantlint.git import GitError
    from tenantlint.refactor import companions, prepare
    from tenantlint.release_note import MessageError

    try:
        repo, steps = prepare(models, config, joining_fixes)
    except (GitError, MessageError) as exc:
        raise FixAborted(f"{exc}; nothing was changed or committed") from exc
    try:
        return repo, steps, companions(steps, joining_fixes, joining, config)
    except ValueError as exc:  # a joining edit no step can carry
        raise FixAborted(f"{exc}; nothing was changed or committed") from exc


def _write_and_prove(fixes: list[FileFix], config: Config, request: FixRequest, console: Console, before) -> None:
    """`--verify` with `--commit-per-model`: the whole fix written and proved, then put back."""
    written, skipped = fix_plan.write_all(fixes, config.root)
    if skipped:
        restore_failures = _restore_quietly(written, config)
        raise FixAborted("--verify: " + "; ".join(f.message() for f in skipped) + restore_failures
                         + "; nothing was committed")
    _prove(written, config, request, console, before, keep=False)


def _commit_steps(repo, steps, along, config: Config, console: Console):
    from tenantlint.refactor import CommitFailed, commit_each

    try:
        return commit_each(repo, steps, config.root, lambda items: console.progress(items, "Committing"), along)
    except CommitFailed as exc:
        for failure in exc.skipped:
            console.echo(f"tenantlint: error: {failure.message()}\n", err=True)
        raise FixAborted(str(exc)) from exc


def _restore_quietly(written: list[FileFix], config: Config) -> str:
    from tenantlint.fix_verify import restore

    failures = restore(written, config.root)
    return f"; could not put back: {'; '.join(failures)}" if failures else "; the others are back as they were"


def _record(done: _Written, after: Analysis, request: FixRequest, config: Config) -> str:
    """The commit table; with `--summary`, also the Markdown note, which ends with every finding
    the run left (known once the fixed files are analysed again)."""
    from tenantlint.release_note import format_markdown, format_table

    if request.summary_file is not None:
        note = format_markdown(done.commits, done.started, datetime.now(timezone.utc), config.schema,
                               after.errors + after.findings)
        request.summary_file.write_text(note, encoding="utf-8")
    return format_table(done.commits)


def _screen(after: Analysis, request: FixRequest, console: Console) -> tuple[list[Finding], list[str]]:
    """What the baseline lets through; `fix --update-baseline` only drops entries that are gone."""
    try:
        return screen(after, request.targets, request.baseline, request.update_baseline, grow=False)
    except NotUpdated as exc:
        console.echo(render(request.output_format, exc.errors, config=after.config))
        raise FixAborted(str(exc)) from exc
    except BaselineError as exc:
        raise FixAborted(str(exc)) from exc
