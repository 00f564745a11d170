"""The runtime rules (TNT101-TNT107) run on the imported tables; their problems become findings.

Each rule's logic is its module's `runtime_check`; this module only runs them and places what
they report: at the table's class or `Table(...)` line, or at the first module when no table is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tenantlint.engine import display_path
from tenantlint.findings import Finding
from tenantlint.verify.results import Origin, Problem, Runtime


@dataclass(frozen=True)
class Placed:
    """A runtime finding, its rule, and the model and table names a static finding about the same
    cause carries (to match it with the baseline and with `tenantlint fix`)."""

    finding: Finding
    rule: object  # tenantlint.rules.Rule
    names: frozenset[str]


def runtime_rules() -> list:
    from tenantlint.rules import all_rules

    return [rule for rule in all_rules().values() if rule.runtime_check is not None]


def place(rule, problem: Problem, fallback: Path) -> Placed:
    info = problem.info
    origin = info.origin if info is not None else Origin(fallback)
    path = display_path(origin.file or fallback)
    model = origin.model if info is not None else None
    finding = Finding(rule.code, problem.message, path, origin.line, origin.column, origin.line, origin.column, model)
    names = {n for n in (model, info.name if info is not None else None, *problem.about) if n}
    if model and "." in model:  # a Table held as a class attribute: `Model.users`
        names.add(model.rpartition(".")[2])
    return Placed(finding, rule, frozenset(names))


def run_rules(rules: list, runtime: Runtime, fallback: Path) -> list[Placed]:
    return [place(rule, problem, fallback) for rule in rules for problem in rule.runtime_check(runtime)]


def check_tables(infos: list, placeholder: str, fallback: Path) -> list[Placed]:
    """What SQLAlchemy's own objects say, before touching a database: every runtime rule."""
    return run_rules(runtime_rules(), Runtime(infos, placeholder), fallback)


def probe_blockers(placed: list[Placed]) -> list[str]:
    """Why the live probe cannot run: each rule that says so and reported something, in code order."""
    codes = {p.rule.code for p in placed}
    return [f"{rule.blocks_probe} ({rule.code})" for rule in runtime_rules()
            if rule.blocks_probe is not None and rule.code in codes]
