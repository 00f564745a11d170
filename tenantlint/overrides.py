"""What the command line changes in the config: which rules a run reports, which files it skips.

Rules: the config's `select` / `ignore`, then the command line's `--select`, `--extend-select`,
`--ignore` and `--extend-ignore`, resolved as ruff resolves them.

Each source is a layer. A layer's `select` replaces what the layers before it chose; its
`extend-select` adds to it; its `ignore` removes from it. Inside one layer the most specific
selector wins (`--select TNT --ignore TNT00` keeps TNT012; `--ignore TNT --select TNT001` keeps
TNT001), and an ignore wins a tie. The result is the explicit list of codes, so everything that
asks `Config.selects` (the engine, verify, the baseline) sees the same choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from tenantlint.config import Config
from tenantlint.rules import code_of, module_names


class OverrideError(ValueError):
    """An unknown rule code or a bad glob in an option; the message names the option."""


@dataclass(frozen=True)
class Layer:
    select: tuple[str, ...] | None = None  # None: keep what the layers before chose
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def split_codes(values: Iterable[str], option: str) -> tuple[str, ...]:
    """Repeated options and comma lists, upper-cased: `--select TNT001,tnt5 --select TNT006`."""
    from tenantlint.rules import is_known_selector

    codes = tuple(c.strip().upper() for value in values for c in value.split(",") if c.strip())
    for code in codes:
        if not is_known_selector(code):
            raise OverrideError(f"{option}: unknown rule code {code!r}")
    return codes


def command_line(select: Iterable[str], extend_select: Iterable[str], ignore: Iterable[str],
                 extend_ignore: Iterable[str]) -> Layer:
    """The command line's layer; `--extend-ignore` is `--ignore` under ruff's other name."""
    return Layer(
        select=split_codes(select, "--select") or None,
        extend_select=split_codes(extend_select, "--extend-select"),
        ignore=split_codes(ignore, "--ignore") + split_codes(extend_ignore, "--extend-ignore"),
    )


def _specificity(code: str, selectors: Iterable[str]) -> int:
    """The length of the longest selector that is a prefix of `code`; -1 when none is."""
    return max((len(s) for s in selectors if code.startswith(s)), default=-1)


def _apply(chosen: set[str], layer: Layer, codes: list[str]) -> set[str]:
    result = set()
    selecting = (layer.select or ()) + layer.extend_select
    for code in codes:
        picked = _specificity(code, selecting)
        carried = layer.select is None and code in chosen
        if picked < 0 and not carried:
            continue
        if _specificity(code, layer.ignore) >= max(picked, 0):
            continue  # an ignore wins a tie, and always wins over a code carried from before
        result.add(code)
    return result


def resolve(config: Config, command_line: Layer) -> Config:
    """`config` with `select` the codes this run reports and `ignore` every other code."""
    codes = [code_of(name) for name in module_names()]
    configured = Layer(select=config.select or None, ignore=config.ignore)
    chosen = _apply(set(codes), configured, codes)
    chosen = _apply(chosen, command_line, codes)
    selected = tuple(c for c in codes if c in chosen)
    return replace(config, select=selected, ignore=tuple(c for c in codes if c not in chosen))


def with_excludes(config: Config, exclude: Iterable[str], extend_exclude: Iterable[str]) -> Config:
    """`--exclude` replaces the config's `exclude`, `--extend-exclude` adds to it (as ruff's);
    both are globs relative to the project root, like the config key, and comma lists too."""
    from tenantlint.config import _glob_problem as glob_problem  # the check the config key gets

    given = {"--exclude": _globs(exclude), "--extend-exclude": _globs(extend_exclude)}
    for option, patterns in given.items():
        for pattern in patterns:
            problem = glob_problem(pattern)
            if problem is not None:
                raise OverrideError(f"{option}: invalid glob {pattern!r}: {problem}")
    base = given["--exclude"] if given["--exclude"] else config.exclude
    if not given["--exclude"] and not given["--extend-exclude"]:
        return config
    return replace(config, exclude=tuple(base) + given["--extend-exclude"])


def _globs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(g.strip() for value in values for g in value.split(",") if g.strip())
