"""What `check` already knows about the runtime findings: the baseline that tolerates them while a
migration runs in phases, and the static finding whose `tenantlint fix` removes each one's cause."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tenantlint.config import Config
from tenantlint.engine import display_path
from tenantlint.files import FileSelector
from tenantlint.findings import FixedBy
from tenantlint.report import plural
from tenantlint.verify.checks import Placed
from tenantlint.verify.results import VerifyError


def screen(placed: list[Placed], config: Config, baseline: Path | None) -> tuple[list[Placed], list[str]]:
    """The findings the baseline (`--baseline`, else the config key) lets through, and its note.

    A runtime finding is known when the baseline holds it, or holds the static finding about the
    same model or table that causes it (TNT001 for TNT101, ...): a plan-01 run shows only what is new."""
    from tenantlint import baseline as bl

    path = bl.resolve_path(baseline, config)
    if path is None:
        return placed, []
    name = display_path(path).as_posix()
    try:
        entries = bl.load(path, name, limit=config.max_file_size)
    except bl.BaselineError as exc:
        raise VerifyError(str(exc)) from None
    selector = FileSelector(config)
    keyed = bl.key_findings([p.finding for p in placed], lambda f: selector.relative(f.path))
    direct = {id(f) for f, entry in keyed if entry in entries}
    causes = {(e.path, e.code, e.model) for e in entries}
    shown = [p for p in placed if id(p.finding) not in direct
             and not any((selector.relative(p.finding.path), code, n) in causes
                         for code in p.rule.caused_by for n in p.names)]
    hidden = len(placed) - len(shown)
    return shown, [f"{plural(hidden, 'known problem')} in baseline {name} not shown."] if hidden else []


def with_fixes(placed: list[Placed], config: Config) -> list[Placed]:
    """Each runtime finding with the static finding that `tenantlint fix` fixes for it, if any
    (`check`'s own analysis of the project, every rule selected, `# noqa` respected)."""
    if not any(p.rule.caused_by for p in placed):
        return placed
    from tenantlint.engine import analyze

    # no cache written: verify leaves the project as it found it (fixtures too)
    analysis = analyze([config.root], replace(config, select=(), ignore=()), use_cache=False, keep_sources=False)
    static = {}
    for finding in analysis.findings:
        if finding.fixable(unsafe_fixes=True):
            static.setdefault((finding.path, finding.code, finding.model), finding)
    updated = []
    for p in placed:
        cause = next((f for code in p.rule.caused_by for n in sorted(p.names)
                      if (f := static.get((p.finding.path, code, n))) is not None), None)
        if cause is not None:
            fix = FixedBy(cause.code, unsafe=not cause.fixable(unsafe_fixes=False))
            p = replace(p, finding=replace(p.finding, fixed_by=fix))
        updated.append(p)
    return updated
