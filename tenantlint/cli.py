"""The command line: options are defined once and the commands only wire the parts together."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from tenantlint import __version__
from tenantlint.config import Config, ConfigError, load_config
from tenantlint.report import FORMATTERS, ExitCode, exit_code, format_text


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


def common_options(command):
    """The options every analysing command shares."""

    @click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
    @click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                  help="A TOML file with a [tool.tenantlint] table (default: the nearest pyproject.toml).")
    @click.option("--output-format", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True)
    @click.option("--select", help="Comma-separated rule codes or prefixes to report (overrides the config).")
    @click.option("--ignore", help="Comma-separated rule codes or prefixes to skip (overrides the config).")
    @click.option("--exit-zero", is_flag=True, help="Exit with 0 even when findings remain.")
    @click.option("-q", "--quiet", is_flag=True, help="Print the findings only, no summary.")
    @click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
    @click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
    @click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        return _guarded(command, *args, **kwargs)

    return wrapper


def _guarded(command, *args, **kwargs):
    """No traceback on the user's screen unless -v: a clear one-line error and exit 2.
    An interrupt exits 130; files already written are whole (see fixing.write_atomic)."""
    import logging
    import traceback

    verbose = kwargs.get("verbose", False)
    logger = logging.getLogger("tenantlint")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("tenantlint: %(message)s"))
    if verbose:  # per-file problems the engine survived are logged with their traceback
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        return command(*args, **kwargs)
    except KeyboardInterrupt:
        click.echo("tenantlint: interrupted; every file is either unchanged or completely fixed", err=True)
        sys.exit(130)
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        hint = "" if verbose else " (run with -v for the traceback)"
        click.echo(f"tenantlint: internal error: {type(exc).__name__}: {exc}{hint}", err=True)
        sys.exit(ExitCode.ERROR)
    finally:
        logger.removeHandler(handler)


def _load(config_file: Path | None, paths: tuple[Path, ...], select: str | None, ignore: str | None) -> Config:
    from dataclasses import replace

    from tenantlint.catalogue import is_known_selector

    config = load_config(config_file, list(paths))
    overrides = {}
    for key, value in (("select", _codes(select)), ("ignore", _codes(ignore))):
        if value is not None:
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
def check(paths, config_file, output_format, select, ignore, exit_zero, quiet, no_cache, jobs, verbose):
    """Report models, tables and references that break schema-per-tenant."""
    from tenantlint.engine import analyze

    try:
        config = _load(config_file, paths, select, ignore)
    except ConfigError as exc:
        _fail(str(exc))
    analysis = analyze(_targets(paths), config)
    shown = analysis.errors + analysis.findings
    click.echo(_render(output_format, shown, quiet=quiet), nl=False)
    sys.exit(exit_code(analysis.findings, analysis.errors, exit_zero))


def _render(output_format: str, findings, quiet: bool = False, unsafe_fixes: bool = False) -> str:
    if output_format == "text":
        return format_text(findings, unsafe_fixes, quiet)
    return FORMATTERS[output_format](findings, unsafe_fixes)


@main.command()
@common_options
@click.option("--diff", is_flag=True, help="Print the changes as a unified diff and write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes marked unsafe.")
def fix(paths, config_file, output_format, select, ignore, exit_zero, quiet, no_cache, jobs, verbose, diff, unsafe_fixes):
    """Apply the safe fixes (and with --unsafe-fixes the unsafe ones too)."""
    from tenantlint.engine import analyze
    from tenantlint.fixing import Outcome, plan, write_atomic

    try:
        config = _load(config_file, paths, select, ignore)
    except ConfigError as exc:
        _fail(str(exc))
    targets = _targets(paths)
    analysis = analyze(targets, config)
    fixes = plan(analysis, unsafe_fixes)
    failed = [f for f in fixes if f.outcome is Outcome.FAILED]
    changed = [f for f in fixes if f.outcome is Outcome.CHANGED]
    for failure in failed:
        click.echo(f"tenantlint: error: {failure.path.as_posix()}: {failure.error}; file left unchanged", err=True)
    if diff:
        for change in changed:
            click.echo(change.diff(), nl=False)
        if not quiet:
            fixed = sum(len(c.findings) for c in changed)
            click.echo(f"Would fix {fixed} problems in {len(changed)} files.", err=True)
        code = ExitCode.ERROR if failed or analysis.errors else (ExitCode.FINDINGS if changed else ExitCode.CLEAN)
        sys.exit(code)
    for change in changed:
        write_atomic(change.path, change.new)
    after = analyze(targets, config) if changed else analysis
    remaining = after.findings
    output = _render(output_format, after.errors + remaining, quiet=quiet, unsafe_fixes=unsafe_fixes)
    if output_format == "text" and not quiet:
        fixed = sum(len(c.findings) for c in changed)
        output = output.replace("All checks passed!\n", "") if fixed and not remaining else output
        output += f"Fixed {fixed} problems in {len(changed)} files.\n" if fixed else ""
    click.echo(output, nl=False)
    errors = after.errors + [f for c in failed for f in c.findings]
    sys.exit(exit_code(remaining, errors, exit_zero))


@main.command()
@click.argument("code", required=False)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, output_format):
    """The rule catalogue, or one rule's documentation."""
    import json

    from tenantlint.catalogue import RULES

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
