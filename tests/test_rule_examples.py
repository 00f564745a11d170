"""Every rule's documented examples are its tests (like Fixit's VALID / INVALID)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.orm import DeclarativeBase

from tenantlint.catalogue import RULES, Invalid, Valid
from tenantlint.config import Config
from tenantlint.engine import analyze
from tenantlint.fixing import Outcome, plan

VALID = [(code, i, ex) for code, rule in RULES.items() for i, ex in enumerate(rule.valid)]
INVALID = [(code, i, ex) for code, rule in RULES.items() for i, ex in enumerate(rule.invalid)]


def _analyze(tmp_path: Path, example: Valid | Invalid):
    path = tmp_path / example.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.source, encoding="utf-8")
    return path, analyze([tmp_path], Config(root=tmp_path))


@pytest.mark.parametrize(("code", "index", "example"), VALID, ids=[f"{c}-valid-{i}" for c, i, _ in VALID])
def test_valid_example_has_no_finding(tmp_path, code, index, example):
    _, analysis = _analyze(tmp_path, example)
    assert analysis.errors == []
    assert [(f.code, f.message) for f in analysis.findings] == []


@pytest.mark.parametrize(("code", "index", "example"), INVALID, ids=[f"{c}-invalid-{i}" for c, i, _ in INVALID])
def test_invalid_example_is_reported_and_fixed_as_documented(tmp_path, code, index, example):
    path, analysis = _analyze(tmp_path, example)
    reported = analysis.errors + analysis.findings
    assert code in [f.code for f in reported]
    ours = [f for f in reported if f.code == code]
    if example.fixed is None:
        assert not any(f.fixable(unsafe_fixes=True) for f in ours)
        return
    assert all(f.fixable(unsafe_fixes=True) for f in ours)
    assert all(f.fixable(unsafe_fixes=False) != example.unsafe for f in ours)
    fixes = plan(analysis, unsafe_fixes=example.unsafe)
    assert [f.outcome for f in fixes] == [Outcome.CHANGED]
    assert fixes[0].new.decode() == example.fixed
    # the fixed source is what SQLAlchemy accepts: every table lands in the tenant schema
    path.write_bytes(fixes[0].new)
    assert _schemas(example.fixed) and set(_schemas(example.fixed).values()) == {"tenant"}
    # and a second run finds nothing left to fix
    again = analyze([tmp_path], Config(root=tmp_path))
    assert [f for f in again.findings if f.fixable(unsafe_fixes=True)] == []


def _schemas(source: str) -> dict[str, str | None]:
    namespace: dict = {}
    exec(compile(source, "example.py", "exec"), namespace)
    base = next(v for k, v in namespace.items() if isinstance(v, type) and issubclass(v, DeclarativeBase) and v is not DeclarativeBase)
    sqlalchemy.orm.configure_mappers()
    return {t.name: t.schema for t in base.metadata.tables.values()}


def test_every_rule_has_an_invalid_example():
    # the runtime rules (TNT1xx) are about imported models (and tenant schemas); tests/test_verify*.py run them
    static = [code for code in RULES if not code.startswith("TNT1")]
    assert [code for code in static if not RULES[code].invalid] == []
    verify_tests = "".join((Path(__file__).parent / name).read_text(encoding="utf-8")
                           for name in ("test_verify.py", "test_verify_tenants.py"))
    assert [code for code in RULES if code.startswith("TNT1") and code not in verify_tests] == []
