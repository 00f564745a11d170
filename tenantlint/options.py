"""The options the commands share, defined once (pip-tools' `options.py`): the commands only wire."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from tenantlint.config import Config, load_config
from tenantlint.report import OUTPUT_FORMATS, ExitCode

# Options folded into the click context's `meta` by `_folded`, so the commands' signatures keep
# `select` and `ignore` only; `load` reads them back.
EXTRAS = ("extend_select", "extend_ignore", "exclude", "extend_exclude")
META = "tenantlint.overrides"


def _folded(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        extras = {name: kwargs.pop(name) for name in EXTRAS if name in kwargs}
        click.get_current_context().meta.setdefault(META, {}).update(extras)
        return command(*args, **kwargs)

    return wrapper


_CODES = "CODES"
_REPEATABLE = " Repeatable; comma-separated lists too."


def report_options(command):
    """Where the settings come from and how findings are reported: every command that reports."""
    options = [
        click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                     help="A TOML file with a [tool.tenantlint] table (default: the nearest pyproject.toml)."),
        click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True),
        click.option("--select", multiple=True, metavar=_CODES,
                     help="Rule codes or prefixes to report, instead of the config's `select`." + _REPEATABLE),
        click.option("--extend-select", multiple=True, metavar=_CODES,
                     help="Rule codes or prefixes to report in addition." + _REPEATABLE),
        click.option("--ignore", multiple=True, metavar=_CODES,
                     help="Rule codes or prefixes to skip, on top of the config's `ignore`." + _REPEATABLE),
        click.option("--extend-ignore", multiple=True, metavar=_CODES, help="The same as --ignore (ruff's other name)."),
        click.option("--exit-zero", is_flag=True, help="Exit with 0 even when findings remain."),
        click.option("-q", "--quiet", is_flag=True, help="Print the findings only, no summary."),
    ]
    command = _folded(command)
    for option in reversed(options):
        command = option(command)
    return command


def exclude_options(command):
    """`--exclude` and `--extend-exclude`: the config key `exclude` from the command line."""
    command = click.option(
        "--extend-exclude", multiple=True, metavar="GLOBS",
        help="Globs never read, in addition to the config's `exclude`." + _REPEATABLE,
    )(command)
    return click.option(
        "--exclude", multiple=True, metavar="GLOBS",
        help="Globs never read (relative to the project root), instead of the config's `exclude`." + _REPEATABLE,
    )(command)


def common_options(command):
    """The options every command that analyses source files shares."""

    @click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
    @report_options
    @exclude_options
    @click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
    @click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
    @click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        return guarded(command, *args, **kwargs)

    return wrapper


def guarded(command, *args, **kwargs):
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


def load(config_file: Path | None, paths: tuple[Path, ...], select: tuple[str, ...],
          ignore: tuple[str, ...]) -> Config:
    """The config file's settings, then the command line's (see tenantlint.overrides)."""
    from tenantlint import overrides

    config = load_config(config_file, list(paths))
    extras = click.get_current_context().meta.get(META, {})
    try:
        layer = overrides.command_line(select, extras.get("extend_select", ()), ignore, extras.get("extend_ignore", ()))
        config = overrides.with_excludes(config, extras.get("exclude", ()), extras.get("extend_exclude", ()))
    except overrides.OverrideError as exc:
        raise click.UsageError(str(exc)) from None
    # untouched without rule options: the cache keys on the settings, as the config file gives them
    return overrides.resolve(config, layer) if layer != overrides.Layer() else config
