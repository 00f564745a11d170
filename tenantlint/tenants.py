"""`tenantlint verify --tenants PATTERN`: compare every existing tenant schema with the models.

The models' tenant tables are translated to each matching schema and compared with what
PostgreSQL's catalog says is there (tenant_catalog.py). Read-only: the catalog is read in a
`READ ONLY` transaction that is rolled back, so nothing in the schemas can be created, altered
or dropped.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tenantlint.engine import display_path
from tenantlint.findings import Finding
from tenantlint.report import plural
from tenantlint.rules.tnt108_tenant_table_drift import RULE as TABLE_DRIFT
from tenantlint.rules.tnt109_tenant_column_drift import RULE as COLUMN_DRIFT
from tenantlint.rules.tnt110_tenant_index_drift import RULE as INDEX_DRIFT
from tenantlint.rules.tnt111_tenant_foreign_key_outside import RULE as FOREIGN_KEY_OUTSIDE
from tenantlint.rules.tnt112_tenant_type_object_drift import RULE as TYPE_OBJECT_DRIFT
from tenantlint.rules.tnt113_tenant_alembic_version import RULE as ALEMBIC_VERSION
from tenantlint.tenant_catalog import (
    Catalog, ColumnShape, IndexShape, TableShape, natural_key, normalize_type, read_catalog,
)

# PostgreSQL cuts identifiers at 63 bytes (NAMEDATALEN - 1) without a word.
MAX_IDENTIFIER = 63


@dataclass(frozen=True)
class TypeObject:
    """A named native enum or a sequence that the tenant tables use."""

    kind: str  # "enum type" or "sequence"
    name: str
    schema: str | None  # None: one per tenant (the placeholder); else the shared schema ("" = default)
    values: tuple[str, ...]  # an enum's labels, in order
    uses: tuple[tuple[str, str], ...]  # (table, column)
    info: object  # verify.TableInfo of the first table that uses it


@dataclass(frozen=True)
class ModelShape:
    """The tenant tables as the models define them, ready to translate to any tenant schema."""

    tables: dict[str, tuple[TableShape, object]]  # name -> (shape, verify.TableInfo)
    shared_tables: frozenset[tuple[str, str]]  # (schema, name); schema "" is the default schema
    type_objects: tuple[TypeObject, ...]

    def shared_schemas(self) -> set[str | None]:
        schemas = {s for s, _ in self.shared_tables} | {o.schema for o in self.type_objects if o.schema is not None}
        return {s or None for s in schemas}


@dataclass
class TenantsReport:
    pattern: str
    tenants: list[str]
    tables: int  # tenant tables in the models
    findings: list[Finding] = field(default_factory=list)
    queries: int = 0
    seconds: float = 0.0

    @property
    def differ(self) -> list[str]:
        differ = {f.tenant for f in self.findings}
        return [t for t in self.tenants if t in differ]

    def summary(self) -> str:
        differ = len(self.differ)
        return f"{plural(len(self.tenants), 'tenant')}: {len(self.tenants) - differ} match, {differ} differ"

    def describe(self) -> list[str]:
        return [
            f"Compared {plural(len(self.tenants), 'tenant schema')} matching {self.pattern!r} with "
            f"{plural(self.tables, 'tenant table')} of the models ({plural(self.queries, 'query', 'queries')}, "
            f"{self.seconds:.2f} s).",
            "Read-only: one READ ONLY transaction, rolled back; nothing was created, altered or dropped. "
            "The live probe does not run with --tenants.",
            self.summary() + ".",
        ]


# --- the models' side ------------------------------------------------------------------------


def model_shape(infos: list, placeholder: str) -> ModelShape:
    """The tables with the placeholder schema, their columns, indexes and type objects (fact 8)."""
    from sqlalchemy import Column, Enum, Sequence, UniqueConstraint
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    tables: dict[str, tuple[TableShape, object]] = {}
    objects: dict[tuple[str, str, str | None], TypeObject] = {}
    shared = set()
    for info in infos:
        table = info.table
        if table.schema != placeholder:
            shared.add((table.schema or "", table.name))
            continue
        columns = {}
        for column in table.columns:
            kind = column.type
            if isinstance(kind, Enum) and kind.native_enum and kind.name:
                columns[column.name] = ColumnShape(f"enum {kind.name}", bool(column.nullable))
                _add_object(objects, "enum type", kind.name, kind.schema, placeholder, tuple(kind.enums),
                            (table.name, column.name), info)
            else:
                columns[column.name] = ColumnShape(_spelling(kind, dialect), bool(column.nullable))
            if isinstance(column.default, Sequence):
                _add_object(objects, "sequence", column.default.name, column.default.schema, placeholder, (),
                            (table.name, column.name), info)
        indexes = [IndexShape(_name(index.name), tuple(e.name if isinstance(e, Column) else "(expression)"
                                                      for e in index.expressions), bool(index.unique), False)
                   for index in table.indexes]
        indexes += [IndexShape(_name(c.name), tuple(col.name for col in c.columns), True, True)
                    for c in table.constraints if isinstance(c, UniqueConstraint)]
        tables[table.name] = (TableShape(columns, tuple(indexes)), info)
    return ModelShape(tables, frozenset(shared), tuple(objects.values()))


def _spelling(kind, dialect) -> str:
    try:
        return normalize_type(kind.compile(dialect=dialect))
    except Exception:  # noqa: BLE001 - a type PostgreSQL cannot render: compare SQLAlchemy's name
        return str(kind).lower()


def _name(name) -> str | None:
    return str(name)[:MAX_IDENTIFIER] if isinstance(name, str) else None


def _add_object(objects, kind, name, schema, placeholder, values, use, info) -> None:
    where = None if schema == placeholder else (schema or "")
    key = (kind, name, where)
    if key in objects:
        old = objects[key]
        objects[key] = TypeObject(kind, name, where, old.values, (*old.uses, use), old.info)
    else:
        objects[key] = TypeObject(kind, name, where, values, (use,), info)


# --- the whole run ---------------------------------------------------------------------------


def compare_tenants(infos: list, placeholder: str, database_url: str, pattern: str, fallback: Path,
                    selects: Callable[[str], bool] = lambda code: True) -> TenantsReport:
    """Read every schema matching `pattern` read-only and compare it with the models."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import SQLAlchemyError

    from tenantlint.verify import VerifyError

    model = model_shape(infos, placeholder)
    try:
        engine = create_engine(database_url)
    except Exception as exc:  # noqa: BLE001 - a bad URL or a missing driver
        raise VerifyError(f"--database-url: {type(exc).__name__}: {exc}") from None
    queries = 0

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        nonlocal queries
        queries += 1

    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            # first statement of the transaction, so it covers every query after it
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            catalog = read_catalog(conn, pattern, model.shared_schemas())
            conn.rollback()
    except SQLAlchemyError as exc:
        raise VerifyError(f"cannot read the tenant schemas from --database-url: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    if not catalog.tenants:  # most likely a typo in the pattern: a check of nothing must not pass
        raise VerifyError(f"no schema matches --tenants {pattern!r}")
    findings = [f for f in compare(model, catalog, fallback) if selects(f.code)]
    return TenantsReport(pattern, catalog.tenants, len(model.tables), findings, queries,
                         time.perf_counter() - started)


def compare(model: ModelShape, catalog: Catalog, fallback: Path) -> list[Finding]:
    """One finding per difference, tenant by tenant (natural order), table by table."""
    findings = []
    versions = _alembic_expected(catalog)
    for tenant in catalog.tenants:
        report = _Reporter(tenant, fallback)
        _tables(report, model, catalog.tables[tenant])
        _foreign_keys(report, model, catalog)
        for obj in model.type_objects:
            _type_object(report, obj, model, catalog)
        if versions is not None:
            _alembic(report, catalog.alembic[tenant], *versions)
        findings += report.findings
    return findings


class _Reporter:
    """Collects one tenant's findings, each placed at the model it is about (or the module)."""

    def __init__(self, tenant: str, fallback: Path) -> None:
        self.tenant, self.fallback, self.findings = tenant, fallback, []

    def add(self, code: str, message: str, info=None) -> None:
        origin = getattr(info, "origin", None)
        path = display_path((origin.file if origin else None) or self.fallback)
        line, column = (origin.line, origin.column) if origin else (1, 1)
        model = origin.model if origin else None
        self.findings.append(Finding(code, f"Tenant `{self.tenant}`: {message}", path, line, column, line, column,
                                     model, tenant=self.tenant))


# --- the comparisons -------------------------------------------------------------------------


def _tables(report: _Reporter, model: ModelShape, actual: dict[str, TableShape]) -> None:
    tenant = report.tenant
    for name, (shape, info) in sorted(model.tables.items()):
        found = actual.get(name)
        if found is None:
            report.add(TABLE_DRIFT.code, f"table `{tenant}.{name}` is missing", info)
            continue
        _columns(report, name, shape, found, info)
        _indexes(report, name, list(shape.indexes), list(found.indexes), info)
    for name in sorted(set(actual) - set(model.tables), key=natural_key):
        report.add(TABLE_DRIFT.code, f"table `{tenant}.{name}` is not in the models")


def _columns(report: _Reporter, table: str, expected: TableShape, actual: TableShape, info) -> None:
    for name, want in expected.columns.items():
        got = actual.columns.get(name)
        if got is None:
            report.add(COLUMN_DRIFT.code, f"column `{table}.{name}` is missing (models: `{want.type}`)", info)
            continue
        if got.type != want.type:
            report.add(COLUMN_DRIFT.code, f"column `{table}.{name}` is `{got.type}`, the models say `{want.type}`", info)
        if got.nullable != want.nullable:
            null = {True: "nullable", False: "NOT NULL"}
            report.add(COLUMN_DRIFT.code, f"column `{table}.{name}` is {null[got.nullable]}, the models say "
                       f"{null[want.nullable]}", info)
    for name in [n for n in actual.columns if n not in expected.columns]:
        report.add(COLUMN_DRIFT.code, f"column `{table}.{name}` (`{actual.columns[name].type}`) is not in the models", info)


def _indexes(report: _Reporter, table: str, expected: list[IndexShape], actual: list[IndexShape], info) -> None:
    """By name first, then a same-columns index under another name, then unnamed ones by columns."""
    def same(a: IndexShape, b: IndexShape) -> bool:
        return a.columns == b.columns and a.unique == b.unique

    by_name = {i.name: i for i in actual}
    for want in [i for i in expected if i.name in by_name]:
        got = by_name.pop(want.name)
        expected.remove(want)
        actual.remove(got)
        if not same(want, got):
            report.add(INDEX_DRIFT.code, f"{got.describe()} on `{table}` differs: the models say {want.describe()}", info)
    for want in [i for i in expected if i.name is not None]:
        got = next((i for i in actual if same(want, i)), None)
        if got is not None:
            expected.remove(want)
            actual.remove(got)
            report.add(INDEX_DRIFT.code, f"{got.describe()} on `{table}` is named differently: the models name it "
                       f"`{want.name}`", info)
    for want in [i for i in expected if i.name is None]:
        got = next((i for i in actual if same(want, i)), None)
        if got is not None:
            expected.remove(want)
            actual.remove(got)
    for want in expected:
        report.add(INDEX_DRIFT.code, f"{want.describe()} on `{table}` is missing", info)
    for got in actual:
        report.add(INDEX_DRIFT.code, f"{got.describe()} on `{table}` is not in the models", info)


def _foreign_keys(report: _Reporter, model: ModelShape, catalog: Catalog) -> None:
    tenant, default = report.tenant, catalog.default_schema
    shared = {(schema or default, name) for schema, name in model.shared_tables}
    for fk in sorted(catalog.foreign_keys[tenant], key=lambda f: (f.table, f.name)):
        if fk.ref_schema == tenant or (fk.ref_schema, fk.ref_table) in shared:
            continue
        info = model.tables.get(fk.table, (None, None))[1]
        report.add(FOREIGN_KEY_OUTSIDE.code, f"foreign key `{fk.name}` of `{fk.table}` points to `{fk.ref_schema}.{fk.ref_table}`, "
                   "outside the tenant's schema", info)


def _type_object(report: _Reporter, obj: TypeObject, model: ModelShape, catalog: Catalog) -> None:
    """Where the enum type or sequence lives (the tenant's schema or a shared one) and an enum's labels."""
    tenant = report.tenant
    expected = tenant if obj.schema is None else obj.schema or catalog.default_schema
    present = catalog.enums if obj.kind == "enum type" else catalog.sequences
    exists = {s for s in (tenant, expected) if (s, obj.name) in present}
    # the type the tenant's columns really use says more than what merely exists
    tables = catalog.tables[tenant]
    used = {column.enum_schema for table, name in obj.uses
            if (column := tables.get(table, TableShape({})).columns.get(name)) is not None
            and column.enum_schema is not None and column.type == f"enum {obj.name}"}
    where = used or ({expected} & exists) or exists
    if not where:
        report.add(TYPE_OBJECT_DRIFT.code, f"{obj.kind} `{expected}.{obj.name}` is missing", obj.info)
        return
    if where != {expected}:
        found = ", ".join(f"`{s}.{obj.name}`" for s in sorted(where, key=natural_key))
        report.add(TYPE_OBJECT_DRIFT.code, f"{obj.kind} `{obj.name}` is {found}, the models expect `{expected}.{obj.name}`",
                   obj.info)
    if obj.kind == "enum type":
        source = expected if expected in where else sorted(where, key=natural_key)[0]
        values = catalog.enums.get((source, obj.name))
        if values is not None and values != obj.values:
            report.add(TYPE_OBJECT_DRIFT.code, f"{obj.kind} `{source}.{obj.name}` has the values {_labels(values)}, the models "
                       f"{_labels(obj.values)}", obj.info)


def _labels(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _alembic_expected(catalog: Catalog) -> tuple[tuple[str, ...], int, int] | None:
    """The revision most versioned tenants are at (ties: the first tenant's), how many, of how many."""
    if catalog.alembic is None:
        return None
    versioned = [v for t in catalog.tenants if (v := catalog.alembic[t])]
    if not versioned:
        return (), 0, 0
    revision, count = Counter(versioned).most_common(1)[0]
    return revision, count, len(versioned)


def _alembic(report: _Reporter, versions: tuple[str, ...] | None, common: tuple[str, ...], count: int,
             total: int) -> None:
    if versions is None:
        report.add(ALEMBIC_VERSION.code, "no `alembic_version` table: per-tenant upgrades skip this tenant")
    elif not versions:
        report.add(ALEMBIC_VERSION.code, f"`{report.tenant}.alembic_version` is empty: per-tenant upgrades skip this tenant")
    elif versions != common:
        report.add(ALEMBIC_VERSION.code, f"Alembic revision {_revisions(versions)}, while {count} of {total} versioned tenants "
                   f"are at {_revisions(common)}")


def _revisions(versions: tuple[str, ...]) -> str:
    return ", ".join(f"`{v}`" for v in versions)
