"""The command line: options are defined once and the commands only wire the parts together."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from tenantlint import __version__
from tenantlint.config import Config, ConfigError
from tenantlint.options import META as _META
from tenantlint.options import baseline_options, common_options, report_options
from tenantlint.options import guarded as _guarded
from tenantlint.options import load as _load
from tenantlint.report import ExitCode, exit_code, render


def _fail(message: str) -> None:
    click.echo(f"tenantlint: error: {message}", err=True)
    sys.exit(ExitCode.ERROR)


def _targets(paths: tuple[Path, ...]) -> list[Path]:
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise click.UsageError(f"path does not exist: {path}")
    return list(paths) or [Path(".")]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tenantlint")
def main() -> None:
    """Find, fix and guard SQLAlchemy models that lack the schema-per-tenant placeholder."""


@main.command()
@common_options
@baseline_options
@click.option("--statistics", is_flag=True,
              help="Print the number of findings per rule instead of the findings (text, or json with --output-format json).")
@click.option("--show-settings", is_flag=True, help="Print the resolved settings and the file they come from, then exit.")
@click.option("--show-files", is_flag=True,
              help="List the files the run would meet, each marked tenant, checked, context or excluded, then exit.")
@click.option("--show-unused-noqa", is_flag=True, help="Also report `# noqa` codes that suppress nothing (as ruff's RUF100).")
@click.option("--fix", "apply_fixes", is_flag=True, help="Run `tenantlint fix` instead (ruff's `check --fix`).")
def check(paths, config_file, output_format, select, ignore, exit_zero, quiet, no_cache, jobs, verbose,
          baseline_file, update_baseline, statistics, show_settings, show_files, show_unused_noqa, apply_fixes):
    """Report models, tables and references that break schema-per-tenant."""
    if apply_fixes:
        if statistics or show_settings or show_files or show_unused_noqa:
            raise click.UsageError("--fix cannot be combined with --statistics, --show-settings, --show-files "
                                   "or --show-unused-noqa")
        ctx = click.get_current_context()
        ctx.invoke(fix, paths=paths, config_file=config_file, output_format=output_format, select=select,
                   ignore=ignore, exit_zero=exit_zero, quiet=quiet, no_cache=no_cache, jobs=jobs, verbose=verbose,
                   baseline_file=baseline_file, update_baseline=update_baseline, **ctx.meta.get(_META, {}))
        return
    try:
        config = _load(config_file, paths, select, ignore)
    except ConfigError as exc:
        _fail(str(exc))
    targets = _targets(paths)
    if show_settings or show_files:
        from tenantlint.settings_view import show_files as files_view
        from tenantlint.settings_view import show_settings as settings_view

        shown = [settings_view(config)] if show_settings else []
        shown += [files_view(targets, config)] if show_files else []
        click.echo("\n".join(shown), nl=False)
        sys.exit(ExitCode.CLEAN)
    view = (output_format, quiet, statistics, exit_zero)
    with _collector_paused():
        _check_run(targets, config, view, no_cache, jobs, baseline_file, update_baseline, show_unused_noqa)


@contextmanager
def _collector_paused():
    """The cyclic collector paused for a whole `check` (as `engine.analyze` pauses it), not just
    for the analysis: re-enabled, its first collection would scan every object the analysis made
    and keeps (about 2% of a cold run on the bench monorepo), and so would the collection at
    exit. They hold no reference cycles; frozen, no collection scans them again."""
    import gc

    was_enabled = gc.isenabled()
    gc.unfreeze()  # an earlier command in this process (tests): its objects may be collected again
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def _check_run(targets, config: Config, view: tuple, no_cache: bool, jobs, baseline_file, update_baseline,
               show_unused_noqa: bool):
    from tenantlint import noqa
    from tenantlint.cache import RunCache
    from tenantlint.engine import analyze, has_transient_errors, run_key
    from tenantlint.files import FileSelector
    from tenantlint.report import format_statistics

    output_format, quiet, statistics, exit_zero = view
    discovery = FileSelector(config).discover(targets)
    if not discovery.in_scope:  # as ruff: say so, create nothing (no cache), exit 0
        click.echo("warning: No Python files found under the given path(s)", err=True)
        click.echo(render(output_format, [], quiet=True, config=config) if not statistics else "", nl=False)
        sys.exit(ExitCode.CLEAN)
    known = _open_baseline(config, baseline_file, update_baseline, grow=True)
    # A run without a baseline prints only what its files and options decide: when none of them
    # changed since a run that was kept, replay that run's output (see cache.RunCache).
    replayable = known is None and not no_cache and not show_unused_noqa
    key = run_key(targets, config, view, discovery)[1] if replayable else None
    runs = RunCache(config) if key else None
    replay = runs.get(key) if runs else None
    if replay is not None:
        click.echo(replay[0], nl=False)
        sys.exit(replay[1])
    analysis = analyze(targets, config, use_cache=not no_cache, jobs=jobs, discovery=discovery, keep_sources=False)
    warnings = noqa.unknown_codes(analysis.files)
    for warning in warnings:  # a replay could not repeat them: such a run is not kept
        click.echo(f"tenantlint: warning: {warning}", err=True)
    reported, notes = _baseline(analysis, targets, known, update_baseline, output_format)
    if update_baseline:
        reported = []  # all recorded now; machine formats still print their (empty) document
    shown = analysis.errors + reported
    output = ""
    if statistics:
        output = format_statistics(shown, output_format="json" if output_format == "json" else "text")
    elif not (update_baseline and output_format == "text"):
        output = render(output_format, shown, quiet=quiet, config=config)
    unused = noqa.unused(analysis.files, analysis.suppressed, analysis.config) if show_unused_noqa else []
    _echo_report(output, noqa.format_unused(unused, quiet), output_format)
    _notes(notes, output_format, quiet)
    code = exit_code([*reported, *unused], analysis.errors, exit_zero)  # an unused directive fails the run too
    if runs is not None and not has_transient_errors(analysis) and not warnings:
        runs.put(key, output, code)
    sys.exit(code)


def _echo_report(output: str, unused: str, output_format: str) -> None:
    """The findings, then the unused noqa directives: after them in text, on stderr otherwise
    (machine output stays one document)."""
    if unused and output_format == "text" and output == "All checks passed!\n":
        output = ""  # the unused directives are problems too
    click.echo(output, nl=False)
    if unused:
        click.echo(unused, nl=False, err=output_format != "text")


def _open_baseline(config: Config, baseline_file: Path | None, update: bool, grow: bool):
    """The baseline in effect (baseline.InEffect), or None; read before anything is written.
    Only `check --update-baseline` (`grow`) may start from a missing file."""
    from tenantlint import baseline as bl

    if baseline_file is None and config.baseline is None and update:
        raise click.UsageError("--update-baseline needs --baseline FILE or the config key `baseline`")
    try:
        return bl.open_in_effect(baseline_file, config, update, grow)
    except bl.BaselineError as exc:
        _fail(str(exc))


def _baseline(analysis, targets, known, update, output_format):
    """`check`: the findings the baseline lets through, and its notes (see baseline.screen)."""
    from tenantlint import baseline as bl

    try:
        return bl.screen(analysis, targets, known, update, grow=True)
    except bl.NotUpdated as exc:  # the findings of an unreadable file are unknown
        click.echo(render(output_format, exc.errors, config=analysis.config), nl=False)
        _fail(str(exc))
    except bl.BaselineError as exc:
        _fail(str(exc))


def _notes(lines: list[str], output_format: str, quiet: bool) -> None:
    """After the text summary on stdout; on stderr when stdout is machine output or quiet."""
    for line in lines:
        click.echo(line, err=output_format != "text" or quiet)


# A run that writes at least this many files shows a progress bar (when stderr is a terminal).
PROGRESS_MIN_FILES = 10


def _progress(items: list, label: str):
    """A progress bar on stderr for long runs in a terminal; the items unchanged otherwise."""
    if len(items) < PROGRESS_MIN_FILES or not sys.stderr.isatty():
        return items
    return _bar(items, label)


def _bar(items: list, label: str):
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


@main.command()
@common_options
@baseline_options
@click.option("--diff", is_flag=True, help="Print the changes as a unified diff and write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes marked unsafe.")
@click.option("--commit-per-model", is_flag=True,
              help="Commit each fixed file on its own (git), in path order, then print the commits.")
@click.option("--summary", "summary_file", type=click.Path(path_type=Path, dir_okay=False),
              help="With --commit-per-model: also write the commits as a Markdown summary to FILE.")
@click.option("--verify", "verify_modules", multiple=True, metavar="MODULE",
              help="After writing, run `tenantlint verify MODULE` (this imports it) on the fixed and on the "
              "original code; if the fix broke an import, the mappers or a foreign key, put every file back "
              "and exit 2. Repeatable.")
@click.option("--with-references", is_flag=True,
              help="Also qualify, in the other files of the project, the references to the tables this run "
              "moves (without it, such references stop the run before anything is written).")
def fix(paths, config_file, output_format, select, ignore, exit_zero, quiet, no_cache, jobs, verbose,
        baseline_file, update_baseline, diff, unsafe_fixes, commit_per_model, summary_file, verify_modules,
        with_references):
    """Apply the safe fixes (and with --unsafe-fixes the unsafe ones too)."""
    from tenantlint.fix_flow import FixAborted, FixRequest, run

    if summary_file is not None and not commit_per_model:
        raise click.UsageError("--summary needs --commit-per-model")
    if commit_per_model and diff:
        raise click.UsageError("--commit-per-model and --diff cannot be combined")
    if verify_modules and diff:
        raise click.UsageError("--verify checks written files: it cannot be used with --diff")
    try:
        config = _load(config_file, paths, select, ignore)
    except ConfigError as exc:
        _fail(str(exc))
    if diff and update_baseline:
        raise click.UsageError("--update-baseline cannot be used with --diff (it writes nothing)")
    known = _open_baseline(config, baseline_file, update_baseline, grow=False)
    request = FixRequest(
        _targets(paths), output_format=output_format, quiet=quiet, exit_zero=exit_zero, use_cache=not no_cache,
        jobs=jobs, unsafe_fixes=unsafe_fixes, diff=diff, commit_per_model=commit_per_model,
        summary_file=summary_file, baseline=known, update_baseline=update_baseline,
        verify_modules=tuple(verify_modules), with_references=with_references,
    )
    try:
        code = run(request, config, _ClickConsole())
    except FixAborted as exc:
        _fail(str(exc))
    sys.exit(code)


class _ClickConsole:
    """fix_flow.Console on the terminal."""

    def echo(self, text: str, err: bool = False) -> None:
        click.echo(text, nl=False, err=err)

    def progress(self, items: list, label: str):
        return _progress(items, label)


@main.command()
@click.argument("code", required=False)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, output_format):
    """The rule catalogue, or one rule's documentation."""
    import json

    from tenantlint.rules import RULES

    if code is not None:
        rule = RULES.get(code.upper())
        if rule is None:
            raise click.UsageError(f"unknown rule code {code!r}; see `tenantlint rules`")
        selected = [rule]
    else:
        selected = list(RULES.values())
    if output_format == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "summary": r.what, "fix": r.fix_safety} for r in selected], indent=2))
    elif code is not None:
        click.echo(selected[0].render(), nl=False)
    else:
        width = max(len(r.name) for r in selected)
        for rule in selected:
            click.echo(f"{rule.code}  {rule.name.ljust(width)}  {rule.what.split('. ')[0].rstrip('.')}")


@main.command()
@click.argument("modules", nargs=-1, required=True)
@click.option("--database-url", envvar="TENANTLINT_DATABASE_URL",
              help="Probe this database (postgresql+psycopg://...) in throw-away schemas, dropped at the end "
              "(default: SQLite in memory).")
@click.option("--path", "extra_paths", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Also import from DIR (the current directory always is). Repeatable.")
@click.option("--tenants", "tenants_pattern", metavar="PATTERN",
              help="Compare every existing schema matching the glob PATTERN (e.g. 'user_*') with the models, "
              "read-only, instead of the probe. Needs a PostgreSQL --database-url.")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path, dir_okay=False),
              help="A JSON file of known findings (`check --update-baseline`): a runtime finding it holds, or "
              "whose static cause it holds, is not reported (default: the config key `baseline`).")
@report_options
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def verify(modules, database_url, extra_paths, tenants_pattern, baseline_file, config_file, output_format, select,
           ignore, exit_zero, quiet, verbose):
    """Import MODULE... and its submodules (this runs their code: `check` and `fix` never do), check the
    models with SQLAlchemy itself, then probe two tenants."""
    _guarded(_verify, modules, database_url, extra_paths, tenants_pattern, baseline_file, config_file,
             output_format, select, ignore, exit_zero, quiet, verbose=verbose)


def _verify(modules, database_url, extra_paths, tenants_pattern, baseline_file, config_file, output_format, select,
            ignore, exit_zero, quiet, verbose):
    from tenantlint.verify import VerifyError, describe
    from tenantlint.verify import verify as run_verify

    if tenants_pattern is not None and not database_url:
        raise click.UsageError("--tenants needs --database-url (a postgresql:// URL): it reads the existing schemas")
    if tenants_pattern is not None and database_url.partition(":")[0].partition("+")[0] != "postgresql":
        raise click.UsageError("--tenants needs a PostgreSQL --database-url (postgresql://... or postgresql+DRIVER://...)")
    try:
        config = _load(config_file, (Path.cwd(),), select, ignore)
        result = run_verify(list(modules), config, database_url, tuple(extra_paths),
                            tenants_pattern=tenants_pattern, baseline=baseline_file)
    except (ConfigError, VerifyError) as exc:
        _fail(str(exc))
    if output_format == "text" and not quiet:
        click.echo(describe(result), nl=False, err=True)
    click.echo(render(output_format, result.findings, quiet=quiet, config=config), nl=False)
    for line in result.notes:  # the baseline's, after the summary as `check` prints it
        click.echo(line, err=output_format != "text" or quiet)
    sys.exit(exit_code(result.findings, [], exit_zero))
