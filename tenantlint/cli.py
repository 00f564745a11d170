"""The command line: options are defined once and the commands only wire the parts together."""

from __future__ import annotations

import functools
import sys
from dataclasses import replace
from pathlib import Path

import click

from tenantlint import __version__
from tenantlint.config import Config, ConfigError, load_config
from tenantlint.report import OUTPUT_FORMATS, ExitCode, exit_code, render


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


def report_options(command):
    """Where the settings come from and how findings are reported: every command that reports."""
    options = [
        click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                     help="A TOML file with a [tool.tenantlint] table (default: the nearest pyproject.toml)."),
        click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True),
        click.option("--select", help="Comma-separated rule codes or prefixes to report (overrides the config)."),
        click.option("--ignore", help="Comma-separated rule codes or prefixes to skip (overrides the config)."),
        click.option("--exit-zero", is_flag=True, help="Exit with 0 even when findings remain."),
        click.option("-q", "--quiet", is_flag=True, help="Print the findings only, no summary."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def common_options(command):
    """The options every command that analyses source files shares."""

    @click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
    @report_options
    @click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
    @click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
    @click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        return _guarded(command, *args, **kwargs)

    return wrapper


def _guarded(command, *args, **kwargs):
    """No traceback on the user's screen unless -v: a clear one-line error and exit 2.
    An interrupt exits 130; files already written are whole (see atomic.write_atomic)."""
    verbose = kwargs.get("verbose", False)
    handler = None
    if verbose:  # per-file problems the engine survived are logged with their traceback
        import logging

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("tenantlint: %(message)s"))
        logging.getLogger("tenantlint").addHandler(handler)
        logging.getLogger("tenantlint").setLevel(logging.DEBUG)
    try:
        return command(*args, **kwargs)
    except KeyboardInterrupt:
        click.echo("tenantlint: interrupted; every file is either unchanged or completely fixed", err=True)
        sys.exit(130)
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except Exception as exc:
        if verbose:
            import traceback

            traceback.print_exc()
        hint = "" if verbose else " (run with -v for the traceback)"
        click.echo(f"tenantlint: internal error: {type(exc).__name__}: {exc}{hint}", err=True)
        sys.exit(ExitCode.ERROR)
    finally:
        if handler is not None:
            import logging

            logging.getLogger("tenantlint").removeHandler(handler)


def baseline_options(command):
    """`--baseline` and `--update-baseline`, shared by check and fix."""
    command = click.option(
        "--update-baseline", is_flag=True,
        help="Write the baseline: `check` records the current findings, `fix` only removes entries that no longer occur.",
    )(command)
    return click.option(
        "--baseline", "baseline_file", type=click.Path(path_type=Path, dir_okay=False),
        help="A JSON file of known findings that are not reported (default: the config key `baseline`).",
    )(command)


def _load(config_file: Path | None, paths: tuple[Path, ...], select: str | None, ignore: str | None) -> Config:
    config = load_config(config_file, list(paths))
    overrides = {}
    for key, value in (("select", _codes(select)), ("ignore", _codes(ignore))):
        if value is not None:
            from tenantlint.rules import is_known_selector

            for code in value:
                if not is_known_selector(code):
                    raise click.UsageError(f"--{key}: unknown rule code {code!r}")
            overrides[key] = value
    return replace(config, **overrides)


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
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
def check(paths, config_file, output_format, select, ignore, exit_zero, quiet, no_cache, jobs, verbose,
          baseline_file, update_baseline, statistics):
    """Report models, tables and references that break schema-per-tenant."""
    from tenantlint.cache import RunCache
    from tenantlint.engine import analyze, has_transient_errors, run_key
    from tenantlint.report import format_statistics

    try:
        config = _load(config_file, paths, select, ignore)
    except ConfigError as exc:
        _fail(str(exc))
    targets = _targets(paths)
    known = _open_baseline(config, baseline_file, update_baseline, grow=True)
    # A run without a baseline prints only what its files and options decide: when none of them
    # changed since a run that was kept, replay that run's output (see cache.RunCache).
    replayable = known is None and not no_cache
    discovery, key = run_key(targets, config, (output_format, quiet, statistics, exit_zero)) if replayable else (None, None)
    runs = RunCache(config) if key else None
    replay = runs.get(key) if runs else None
    if replay is not None:
        click.echo(replay[0], nl=False)
        sys.exit(replay[1])
    analysis = analyze(targets, config, use_cache=not no_cache, jobs=jobs, discovery=discovery)
    reported, notes = _baseline(analysis, targets, known, update_baseline, output_format)
    if update_baseline:
        reported = []  # all recorded now; machine formats still print their (empty) document
    shown = analysis.errors + reported
    output = ""
    if statistics:
        output = format_statistics(shown)
    elif not (update_baseline and output_format == "text"):
        output = render(output_format, shown, quiet=quiet, config=config)
    click.echo(output, nl=False)
    _notes(notes, output_format, quiet)
    code = exit_code(reported, analysis.errors, exit_zero)
    if runs is not None and not has_transient_errors(analysis):
        runs.put(key, output, code)
    sys.exit(code)


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
@report_options
def verify(modules, database_url, extra_paths, tenants_pattern, config_file, output_format, select, ignore,
           exit_zero, quiet):
    """Import MODULE... and its submodules (this runs their code: `check` and `fix` never do), check the
    models with SQLAlchemy itself, then probe two tenants."""
    from tenantlint.verify import VerifyError, describe
    from tenantlint.verify import verify as run_verify

    if tenants_pattern is not None and not database_url:
        raise click.UsageError("--tenants needs --database-url (a postgresql:// URL): it reads the existing schemas")
    if tenants_pattern is not None and database_url.partition(":")[0].partition("+")[0] != "postgresql":
        raise click.UsageError("--tenants needs a PostgreSQL --database-url (postgresql://... or postgresql+DRIVER://...)")
    try:
        config = _load(config_file, (Path.cwd(),), select, ignore)
        result = run_verify(list(modules), config, database_url, tuple(extra_paths),
                            tenants_pattern=tenants_pattern)
    except (ConfigError, VerifyError) as exc:
        _fail(str(exc))
    if output_format == "text" and not quiet:
        click.echo(describe(result), nl=False, err=True)
    click.echo(render(output_format, result.findings, quiet=quiet, config=config), nl=False)
    sys.exit(exit_code(result.findings, [], exit_zero))
