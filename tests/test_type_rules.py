"""TNT007 and TNT008: their catalogue examples are their tests, checked on real files."""

from pathlib import Path

import pytest

from tenantlint.rules import RULES
from tenantlint.config import Config
from tenantlint.engine import analyze
from tenantlint.fix_plan import FixStatus, plan

CASES = [(code, case) for code in ("TNT007", "TNT008") for case in RULES[code].invalid]
VALID = [(code, case) for code in ("TNT007", "TNT008") for case in RULES[code].valid]


def _analyze_and_plan(tmp_path: Path, rel: str, source: str, unsafe: bool = False):
    target = tmp_path / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")
    analysis = analyze([tmp_path], Config(root=tmp_path))
    fixes = [f for f in plan(analysis, unsafe) if f.status is FixStatus.CHANGED]
    return analysis.errors + analysis.findings, fixes


@pytest.mark.parametrize(("code", "case"), VALID, ids=[f"{c}-valid-{i}" for i, (c, _) in enumerate(VALID)])
def test_valid_examples_report_nothing(tmp_path, code, case):
    findings, fixes = _analyze_and_plan(tmp_path, case.path, case.source, unsafe=True)
    assert [f.code for f in findings] == []
    assert fixes == []


@pytest.mark.parametrize(("code", "case"), CASES, ids=[f"{c}-invalid-{i}" for i, (c, _) in enumerate(CASES)])
def test_invalid_examples_report_and_fix(tmp_path, code, case):
    findings, safe = _analyze_and_plan(tmp_path, case.path, case.source)
    assert [f.code for f in findings] == [code]
    assert safe == []  # TNT007 needs --unsafe-fixes, TNT008 is never fixed
    _, unsafe = _analyze_and_plan(tmp_path, case.path, case.source, unsafe=True)
    if case.fixed is None:
        assert unsafe == []
    else:
        assert [f.new.decode() for f in unsafe] == [case.fixed]


def test_tnt007_message_and_location(tmp_path):
    findings, _ = _analyze_and_plan(tmp_path, RULES["TNT007"].invalid[0].path, RULES["TNT007"].invalid[0].source)
    (finding,) = findings
    assert (finding.line, finding.column, finding.message) == (
        16, 21, "`Enum(...)` has no schema: it is created once and shared by every tenant"
    )
    assert finding.edit.title == 'Add `schema="tenant"`'


def test_tnt008_messages(tmp_path):
    messages = []
    for case in RULES["TNT008"].invalid[:2]:  # the model and the Table(...) forms
        findings, _ = _analyze_and_plan(tmp_path, case.path, case.source)
        messages += [f"{f.line}:{f.column} {f.message}" for f in findings]
    assert messages == [
        "9:7 Model `Plan` declares the tenant schema `tenant` outside the tenant paths",
        "9:17 Table `plan_features` declares the tenant schema `tenant` outside the tenant paths",
    ]


IMPLICIT = '''import enum

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Kind(enum.Enum):
    a = "a"
    b = "b"


class KindMixin:
    kind: Mapped[Kind] = mapped_column(Enum(Kind, name="kind"))


class Product(KindMixin, Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Kind | None]
    label: Mapped[str]
'''


def test_enums_from_mixins_and_from_mapped_annotations(tmp_path):
    """From pypi/warehouse: both columns are native enums named `kind` with no schema, which
    check passed while verify reported them (TNT104)."""
    findings, _ = _analyze_and_plan(tmp_path, "app/models/user/product.py", IMPLICIT)
    assert [(f.code, f.line, f.model, f.message, f.fixable(True)) for f in findings] == [
        ("TNT007", 17, "KindMixin",
         "`Enum(...)` has no schema: it is created once and shared by every tenant", True),
        ("TNT007", 24, "Product",
         "`Mapped[Kind]` makes a named native enum type without a schema: it is created once and shared by "
         'every tenant; declare `mapped_column(Enum(Kind, schema="tenant"))`', False),
    ]
    namespace: dict = {}
    exec(compile(IMPLICIT, "product.py", "exec"), namespace)
    columns = namespace["Product"].__table__.c
    assert [(c.type.name, c.type.native_enum, c.type.schema) for c in (columns.kind, columns.status)] == [
        ("kind", True, None), ("kind", True, None),
    ]
