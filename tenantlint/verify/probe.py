"""The live probe: create every tenant table for two probe tenants through `schema_translate_map`,
write a row as the first, count it as both, drop everything.

Each step is a function: `_setup` (the engine, and on PostgreSQL the throw-away schemas),
`_create`, `_read_back`, `_isolate` and `_drop`. The probe only records what it saw
(`ProbeFacts`); the rule TNT106 judges it. Every schema a table, enum type or sequence names is
translated to a throw-away one, so nothing is ever created outside what the probe drops.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from tenantlint.verify.results import PROBE_TENANTS, Failure, ProbeFacts, TableInfo, VerifyError
from tenantlint.verify.url import database_url_parts, first_line, masked


@dataclass
class _Plan:
    """What the probe creates where: the engine, the tenant schemas, and the map for everything else."""

    engine: object
    placeholder: str
    tenants: tuple[str, ...]
    schemas: dict[str, str]  # probe tenant -> its schema
    shared_map: dict  # every other schema (None: the default one) -> where the probe puts it
    tenant_infos: list[TableInfo]
    shared_infos: list[TableInfo]
    scrub: object = first_line  # an error's first line, credentials masked
    created_schemas: list[str] = field(default_factory=list)

    @property
    def sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def bound(self, tenant: str | None):
        """The engine as `tenant` (None: as the first tenant, for the shared tables) sees it."""
        schema = self.schemas[tenant or self.tenants[0]]
        return self.engine.execution_options(schema_translate_map={**self.shared_map, self.placeholder: schema})


def probe(infos: list[TableInfo], placeholder: str, database_url: str | None,
          tenants: tuple[str, ...] = PROBE_TENANTS, schema_prefix: str | None = None) -> ProbeFacts:
    """Run the probe and return what it found; it always drops what it created.

    On PostgreSQL the schemas are `<schema_prefix><tenant>` (default prefix `tenantlint_<random>_`); an
    existing schema is never touched: creating it fails the probe."""
    from sqlalchemy.exc import SQLAlchemyError

    plan = _setup(infos, placeholder, database_url, tenants, schema_prefix)
    facts = ProbeFacts(plan.engine.dialect.name, plan.schemas, plan.tenant_infos)
    try:
        _create_schemas(plan)
        if _create(plan, facts):
            _read_back(plan, facts)
            _isolate(plan, facts)
    except SQLAlchemyError as exc:
        facts.failure = Failure("probe", f"{type(exc).__name__}: {plan.scrub(exc)}")
    finally:
        facts.dropped = _drop(plan)
        plan.engine.dispose()
    return facts


# --- setup ----------------------------------------------------------------------------------


def _setup(infos, placeholder, database_url, tenants, schema_prefix) -> _Plan:
    from sqlalchemy import create_engine

    tenant_infos = [i for i in infos if i.tenant_path or i.table.schema == placeholder]
    shared_infos = [i for i in infos if i not in tenant_infos]
    # every schema but the placeholder, of the tenant tables too: a model in a tenant path with
    # `schema="public"` must not leave a table in the real `public` (it is TNT101 already)
    others = sorted(_schemas_named(infos) - {placeholder, None})
    if database_url is None:
        engine = _sqlite_engine([*tenants, *others])
        return _Plan(engine, placeholder, tenants, dict(zip(tenants, tenants)), {s: s for s in others},
                     tenant_infos, shared_infos)
    url, scrub = database_url_parts(database_url)
    try:
        engine = create_engine(url)
    except Exception as exc:  # noqa: BLE001 - a missing driver, a bad option
        raise VerifyError(f"--database-url {masked(url)}: {type(exc).__name__}: {scrub(exc)}") from None
    prefix = f"tenantlint_{uuid.uuid4().hex[:8]}_" if schema_prefix is None else schema_prefix
    schemas = {t: f"{prefix}{t}" for t in tenants}
    shared_map = {None: f"{prefix}shared", **{s: f"{prefix}shared_{s}" for s in others}}
    plan = _Plan(engine, placeholder, tenants, schemas, shared_map, tenant_infos, shared_infos, scrub)
    _connect(plan, url)
    return plan


def _schemas_named(infos: list[TableInfo]) -> set[str | None]:
    """The schemas of the tables, and of their enum types and sequences (fact 8: their own)."""
    from sqlalchemy import Enum, Sequence

    schemas = set()
    for info in infos:
        schemas.add(info.table.schema)
        for column in info.table.columns:
            if isinstance(column.type, Enum) and column.type.native_enum and column.type.name:
                schemas.add(column.type.schema)
            if isinstance(column.default, Sequence):
                schemas.add(column.default.schema)
    return schemas


def _sqlite_engine(attach: list[str]):
    """SQLite in memory, one attached in-memory database per schema."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool)

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for name in attach:
            cursor.execute(f"ATTACH DATABASE ':memory:' AS \"{name}\"")
        cursor.close()

    return engine


def _connect(plan: _Plan, url) -> None:
    try:
        with plan.engine.connect() as conn:
            conn.commit()
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy's or the driver's own errors
        plan.engine.dispose()
        raise VerifyError(f"cannot connect to --database-url {masked(url)}: {type(exc).__name__}: "
                          f"{plan.scrub(exc)}") from None


def _create_schemas(plan: _Plan) -> None:
    """PostgreSQL: the throw-away schemas; one that exists already fails here, untouched."""
    if plan.sqlite:
        return
    with plan.engine.begin() as conn:
        for name in [*plan.shared_map.values(), *plan.schemas.values()]:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
            plan.created_schemas.append(name)


# --- create ---------------------------------------------------------------------------------


def _create(plan: _Plan, facts: ProbeFacts) -> bool:
    """The shared tables once, then the tenant tables per tenant; False (and `facts.failure`) on error.

    The shared tables are created as the first tenant sees them: `create_all(tables=...)` still
    creates every enum type of the MetaData, and one with `schema="tenant"` must go to a tenant's
    schema, created there with the tenant tables, never to a schema named `tenant`."""
    from sqlalchemy import Table, event
    from sqlalchemy.exc import SQLAlchemyError

    creating: list = []  # the table whose CREATE TABLE runs, from SQLAlchemy's DDL events

    def before(table, _conn, **_kw):
        creating.append(table)

    def after(table, _conn, **_kw):
        if table in creating:
            creating.remove(table)

    event.listen(Table, "before_create", before)
    event.listen(Table, "after_create", after)
    try:
        for tenant in (None, *plan.tenants):
            infos = plan.shared_infos if tenant is None else plan.tenant_infos
            for metadata, tables in _by_metadata(infos):
                with plan.bound(tenant).begin() as conn:
                    metadata.create_all(conn, tables=tables)
        return True
    except SQLAlchemyError as exc:
        facts.failure = _creation_failure(plan, exc, creating[-1] if creating else None)
        return False
    finally:
        event.remove(Table, "before_create", before)
        event.remove(Table, "after_create", after)


def _by_metadata(infos):
    groups: dict[int, tuple[object, list]] = {}
    for info in infos:
        groups.setdefault(id(info.table.metadata), (info.table.metadata, []))[1].append(info.table)
    return list(groups.values())


def _creation_failure(plan: _Plan, exc, table) -> Failure:
    from sqlalchemy.exc import CompileError

    info = next((i for i in [*plan.tenant_infos, *plan.shared_infos] if i.table is table), None)
    statement = getattr(exc, "statement", None)
    statement = (statement.strip().splitlines() or [""])[0] if isinstance(statement, str) else None
    if isinstance(exc, CompileError) and table is not None:
        columns = _unrenderable(plan.engine.dialect, table)
        if columns:  # the compiler's own message holds an object address: name the columns instead
            return Failure("create", columns, info, statement)
    return Failure("create", f"{type(exc).__name__}: {plan.scrub(exc)}", info, statement)


def _unrenderable(dialect, table) -> str:
    """`column `data` has type `ARRAY`, which SQLite cannot create`, for every such column."""
    from sqlalchemy.exc import CompileError

    found = []
    for column in table.columns:
        try:
            column.type.compile(dialect=dialect)
        except CompileError:
            found.append(f"`{column.name}` has type `{type(column.type).__name__}`")
    if not found:
        return ""
    name = "SQLite" if dialect.name == "sqlite" else dialect.name
    return f"column {', column '.join(found)}, which {name} cannot create"


# --- read back and isolate ------------------------------------------------------------------


def _read_back(plan: _Plan, facts: ProbeFacts) -> None:
    """Which tables each tenant schema holds, and (PostgreSQL) where their foreign keys point."""
    from sqlalchemy import bindparam, text

    with plan.engine.connect() as conn:
        for schema in plan.schemas.values():
            if plan.sqlite:  # SQLite's own `sqlite_sequence` (AUTOINCREMENT) is not a table of the models
                rows = conn.exec_driver_sql(f"SELECT name FROM \"{schema}\".sqlite_master WHERE type = 'table'"
                                            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
            else:
                rows = conn.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                                    {"s": schema})
            facts.created[schema] = sorted(rows.scalars())
        if plan.sqlite:
            return
        query = text(
            "SELECT DISTINCT tc.table_schema, tc.table_name, ccu.table_schema, ccu.table_name"
            " FROM information_schema.table_constraints tc"
            " JOIN information_schema.constraint_column_usage ccu"
            "   ON ccu.constraint_schema = tc.constraint_schema AND ccu.constraint_name = tc.constraint_name"
            " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema IN :schemas"
            " ORDER BY 1, 2, 3, 4"
        ).bindparams(bindparam("schemas", expanding=True))
        facts.foreign_keys = [tuple(row) for row in conn.execute(query, {"schemas": list(plan.schemas.values())})]


def _isolate(plan: _Plan, facts: ProbeFacts) -> None:
    """A row written as the first tenant into a tenant table that needs no other, counted as each."""
    from sqlalchemy import func, insert, select

    target = next(((i, row) for i in sorted(plan.tenant_infos, key=lambda i: i.name)
                   if (row := _probe_row(i.table)) is not None), None)
    if target is None:
        return
    info, row = target
    facts.probe_table, facts.probe_info = info.name, info
    with plan.bound(plan.tenants[0]).begin() as conn:
        conn.execute(insert(info.table).values(**row))
    for tenant in plan.tenants:
        with plan.bound(tenant).connect() as conn:
            facts.isolation[tenant] = conn.execute(select(func.count()).select_from(info.table)).scalar_one()


def _probe_value(column):
    """A value for a required column, or None when the probe cannot make one up."""
    import datetime
    import decimal

    from sqlalchemy import types

    kind = column.type
    if isinstance(kind, types.Enum):
        return kind.enums[0] if kind.enums else None
    try:
        python_type = kind.python_type
    except NotImplementedError:
        return None
    samples = {
        bool: False, int: 1, float: 1.0, decimal.Decimal: decimal.Decimal(1), str: "probe", bytes: b"probe",
        datetime.datetime: datetime.datetime(2000, 1, 1), datetime.date: datetime.date(2000, 1, 1),
        datetime.time: datetime.time(0, 0), dict: {}, list: [], uuid.UUID: uuid.UUID(int=1),
    }
    return samples.get(python_type)


def _probe_row(table) -> dict | None:
    """A row for `table` that needs no other table, or None."""
    row = {}
    for column in table.columns:
        optional = (column.nullable or column.default is not None or column.server_default is not None
                    or (column.primary_key and column is table.autoincrement_column))
        if optional:
            continue
        if column.foreign_keys:
            return None
        value = _probe_value(column)
        if value is None:
            return None
        row[column.name] = value
    return row


# --- drop -----------------------------------------------------------------------------------


def _drop(plan: _Plan) -> bool:
    """Drop every schema the probe created; each on its own, so one failure cannot keep the others."""
    ok = True
    for name in reversed(plan.created_schemas):
        try:
            with plan.engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        except Exception:  # noqa: BLE001 - keep dropping the others; reported through `dropped`
            ok = False
    return ok
