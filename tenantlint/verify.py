"""`tenantlint verify`: import the models, check them with SQLAlchemy itself, then probe a database.

SQLAlchemy is imported lazily here, so `check` and `fix` never need it.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote

from tenantlint.config import Config
from tenantlint.engine import display_path
from tenantlint.files import FileSelector
from tenantlint.findings import Finding
from tenantlint.rules.tnt101_runtime_missing_tenant_schema import RULE as RUNTIME_MISSING
from tenantlint.rules.tnt102_runtime_tenant_schema_outside_tenant_paths import RULE as RUNTIME_OUTSIDE
from tenantlint.rules.tnt103_unresolved_foreign_key import RULE as UNRESOLVED_FK
from tenantlint.rules.tnt104_runtime_shared_type_object import RULE as RUNTIME_TYPE_OBJECT
from tenantlint.rules.tnt105_ambiguous_table_name import RULE as AMBIGUOUS_NAME
from tenantlint.rules.tnt106_tenant_probe_failed import RULE as PROBE_FAILED
from tenantlint.rules.tnt107_shared_table_references_tenant_table import RULE as SHARED_TO_TENANT

PROBE_TENANTS = ("user_1", "user_2")


class VerifyError(Exception):
    """The models cannot be imported or configured, or the database is unreachable: exit 2."""


@dataclass(frozen=True)
class Origin:
    """Where a table is defined: the file, and the `class` (name column) or `Table(...)` call."""

    file: Path | None
    line: int = 1
    column: int = 1
    model: str | None = None  # the mapped class, or the module-level variable of a Table


@dataclass(frozen=True)
class TableInfo:
    table: object  # sqlalchemy.Table
    origin: Origin
    tenant_path: bool

    @property
    def name(self) -> str:
        return self.table.name


@dataclass
class ProbeFacts:
    """What the live probe read back from the database before dropping everything."""

    dialect: str
    schemas: dict[str, str]  # probe tenant -> schema it was created in
    created: dict[str, list[str]] = field(default_factory=dict)  # schema -> table names
    foreign_keys: list[tuple[str, str, str, str]] = field(default_factory=list)  # schema, table, ref schema, ref table
    isolation: dict[str, int] = field(default_factory=dict)  # tenant -> rows seen in the probe table
    probe_table: str | None = None
    dropped: bool = False


@dataclass
class VerifyResult:
    findings: list[Finding]
    tables: list[TableInfo]
    placeholder: str = "tenant"
    facts: ProbeFacts | None = None
    not_probed: str | None = None  # why the live probe did not run
    tenants: object | None = None  # tenants.TenantsReport of `--tenants`


# --- import ---------------------------------------------------------------------------------


def import_modules(names: list[str], paths: list[Path]) -> list[ModuleType]:
    """Import each module and every submodule, like `python -m` with the current directory first."""
    # tenantlint's own lazily imported dependencies first: a `pathspec.py` in the user's folder,
    # which goes first on sys.path, must not replace them
    import pathspec  # noqa: F401

    for folder in reversed([Path.cwd(), *paths]):
        entry = str(folder.resolve())
        if entry not in sys.path:
            sys.path.insert(0, entry)
    modules: list[ModuleType] = []
    for name in names:
        module = _import(name)
        modules.append(module)
        if hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, name + ".", onerror=_walk_error):
                modules.append(_import(info.name))
    return modules


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except BaseException as exc:  # noqa: BLE001 - anything the user's module raises is a usage error
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise VerifyError(f"cannot import {name}: {type(exc).__name__}: {exc}") from None


def _walk_error(name: str) -> None:
    exc = sys.exc_info()[1]
    raise VerifyError(f"cannot import {name}: {type(exc).__name__}: {exc}")


# --- collect --------------------------------------------------------------------------------


class _Locator:
    """Finds the line of a class or of a module-level assignment in a file (parsed once)."""

    def __init__(self) -> None:
        self._trees: dict[Path, ast.Module | None] = {}

    def _tree(self, file: Path) -> ast.Module | None:
        if file not in self._trees:
            try:
                self._trees[file] = ast.parse(file.read_bytes())
            except (OSError, SyntaxError, ValueError):
                self._trees[file] = None
        return self._trees[file]

    def class_def(self, file: Path, qualname: str) -> tuple[int, int] | None:
        body = getattr(self._tree(file), "body", [])
        node = None
        for part in qualname.split("."):
            node = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == part), None)
            if node is None:
                return None
            body = node.body
        return node.lineno, node.col_offset + len("class ") + 1

    def assignment(self, file: Path, name: str) -> tuple[int, int] | None:
        for node in getattr(self._tree(file), "body", []):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
                return node.value.lineno, node.value.col_offset + 1
        return None


def _module_file(module_name: str) -> Path | None:
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    return Path(file).resolve() if file else None


def collect(modules: list[ModuleType], selector: FileSelector) -> list[TableInfo]:
    """Every table of every registry and MetaData the imported modules hold, with its origin."""
    from sqlalchemy import MetaData, Table
    from sqlalchemy.orm import registry as Registry

    registries: dict[int, object] = {}
    metadatas: dict[int, object] = {}
    origins: dict[object, Origin] = {}
    locate = _Locator()
    for module in modules:
        file = _module_file(module.__name__)
        for attr, value in list(vars(module).items()):
            if isinstance(value, Registry):
                registries[id(value)] = value
            elif isinstance(value, MetaData):
                metadatas[id(value)] = value
            elif isinstance(value, Table):
                metadatas[id(value.metadata)] = value.metadata
                # an imported name is not a definition: only the module that assigns it owns it
                at = locate.assignment(file, attr) if file else None
                if at is not None and value not in origins:
                    origins[value] = Origin(file, at[0], at[1], attr)
            elif isinstance(value, type):
                # declarative classes carry `registry`; SQLModel classes `_sa_registry`
                for attr_name in ("registry", "_sa_registry"):
                    found = getattr(value, attr_name, None)
                    if isinstance(found, Registry):
                        registries[id(found)] = found
    for reg in registries.values():
        metadatas[id(reg.metadata)] = reg.metadata
        for mapper in reg.mappers:
            table = mapper.local_table
            if not isinstance(table, Table) or (mapper.inherits is not None and mapper.inherits.local_table is table):
                continue
            cls = mapper.class_
            file = _module_file(cls.__module__)
            at = locate.class_def(file, cls.__qualname__) if file else None
            origins.setdefault(table, Origin(file, *(at or (1, 1)), cls.__name__))
    infos = []
    for metadata in metadatas.values():
        for table in metadata.tables.values():
            origin = origins.get(table, Origin(None, model=table.name))
            tenant = origin.file is not None and selector.is_tenant(origin.file)
            infos.append(TableInfo(table, origin, tenant))
    return sorted(infos, key=lambda i: (str(i.origin.file or ""), i.origin.line, i.table.fullname))


# --- checks ---------------------------------------------------------------------------------


def _finding(code: str, message: str, info: TableInfo | None, fallback: Path) -> Finding:
    origin = info.origin if info is not None else Origin(fallback)
    path = display_path(origin.file or fallback)
    model = origin.model if info is not None else None
    return Finding(code, message, path, origin.line, origin.column, origin.line, origin.column, model)


def _label(info: TableInfo) -> str:
    model = info.origin.model
    return f"Table `{info.table.fullname}`" + (f" (model `{model}`)" if model and model != info.name else "")


def check_tables(infos: list[TableInfo], placeholder: str, fallback: Path) -> list[Finding]:
    """What SQLAlchemy's own objects say (TNT101-TNT105, TNT107), before touching a database."""
    from sqlalchemy import Enum, Sequence

    findings = []
    names: dict[str, set[bool]] = {}
    for info in infos:
        table, is_tenant = info.table, info.table.schema == placeholder
        names.setdefault(info.name, set()).add(is_tenant)
        if info.tenant_path and not is_tenant:
            schema = "no schema" if table.schema is None else f"schema {table.schema!r}"
            findings.append(_finding(RUNTIME_MISSING.code, f"{_label(info)} is defined in a tenant path but has {schema}, "
                                     f"not `{placeholder}`", info, fallback))
        if not info.tenant_path and is_tenant:
            findings.append(_finding(RUNTIME_OUTSIDE.code, f"{_label(info)} has the tenant schema `{placeholder}` but is defined "
                                     "outside the tenant paths", info, fallback))
        for fk in sorted(table.foreign_keys, key=lambda f: (f.parent.name, f.target_fullname)):
            try:
                target = fk.column.table
            except Exception as exc:  # noqa: BLE001 - NoReferencedTableError, NoReferencedColumnError, ...
                findings.append(_finding(UNRESOLVED_FK.code, f"Foreign key `{table.fullname}.{fk.parent.name}` -> "
                                         f"`{fk.target_fullname}` does not resolve ({type(exc).__name__})",
                                         info, fallback))
                continue
            if not is_tenant and target.schema == placeholder:
                findings.append(_finding(SHARED_TO_TENANT.code, f"Shared table `{table.fullname}` has a foreign key to tenant "
                                         f"table `{target.fullname}`", info, fallback))
        if is_tenant or info.tenant_path:
            for column in table.columns:
                kind = column.type
                if isinstance(kind, Enum) and kind.name and kind.native_enum and kind.schema != placeholder:
                    findings.append(_finding(RUNTIME_TYPE_OBJECT.code, f"Enum `{kind.name}` of `{table.name}.{column.name}` has no "
                                             f"`schema=\"{placeholder}\"`: it is shared by every tenant", info, fallback))
                if isinstance(column.default, Sequence) and column.default.schema != placeholder:
                    findings.append(_finding(RUNTIME_TYPE_OBJECT.code, f"Sequence `{column.default.name}` of `{table.name}.{column.name}` "
                                             f"has no `schema=\"{placeholder}\"`: it is shared by every tenant",
                                             info, fallback))
    for name, kinds in sorted(names.items()):
        if kinds == {True, False}:
            info = next(i for i in infos if i.name == name and i.table.schema == placeholder)
            findings.append(_finding(AMBIGUOUS_NAME.code, f"Table name `{name}` exists both shared and per tenant: a plain "
                                     "string reference to it is ambiguous", info, fallback))
    return findings


# --- the database URL -----------------------------------------------------------------------

_UNPARSABLE = ("--database-url: could not parse the database URL (percent-encode `@`, `:` and `/` in the "
               "user name and password, e.g. `%40` for `@`)")


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0]


def database_url_parts(raw: str):
    """The parsed URL, and a function giving an error's first line with every part of the URL's
    userinfo masked. A URL whose userinfo may have been split in the wrong place (an unescaped `@`
    in the password ends up in the host or the database name) is refused: no part of the URL is
    ever echoed from a parse that cannot be trusted."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(raw)
    except Exception:  # noqa: BLE001 - its message may quote the URL, password included
        raise VerifyError(_UNPARSABLE) from None
    rest = [url.host, url.database, *(v for value in url.query.values() for v in _values(value))]
    if any("@" in part for part in rest if part):
        raise VerifyError(_UNPARSABLE)
    # the widest reading of the userinfo, from the raw text, and how SQLAlchemy split it
    start = raw.find("://") + 3
    userinfo = raw[start : raw.rfind("@")] if "@" in raw[start:] else ""
    secrets = {userinfo, unquote(userinfo), url.username or "", url.password or "", _query_password(url)}
    # as a whole word only: a user name `er` must not turn `server` into `s***v***`
    pattern = "|".join(re.escape(p) for p in sorted(filter(None, secrets), key=len, reverse=True))
    secret = re.compile(rf"(?<![A-Za-z0-9])(?:{pattern})(?![A-Za-z0-9])") if pattern else None

    def scrub(exc: BaseException) -> str:
        text = _first_line(exc)
        return secret.sub("***", text) if secret else text

    return url, scrub


def _values(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _query_password(url) -> str:
    """A password given as a query parameter (`?password=...`, which libpq accepts)."""
    value = url.query.get("password", "")
    return value if isinstance(value, str) else ""


def masked(url) -> str:
    """The URL for an error message: `***` for the user name and password, no query (it may hold either)."""
    from sqlalchemy.engine import URL

    shown = URL.create(url.drivername, host=url.host, port=url.port, database=url.database).render_as_string()
    if url.username is None and url.password is None:
        return shown
    scheme, rest = shown.split("://", 1)
    return f"{scheme}://***@{rest}"


# --- the live probe -------------------------------------------------------------------------


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


def probe(infos: list[TableInfo], placeholder: str, database_url: str | None,
          tenants: tuple[str, ...] = PROBE_TENANTS, schema_prefix: str | None = None,
          ) -> tuple[ProbeFacts, list[tuple[str, TableInfo | None]]]:
    """Create every tenant table for two tenants through `schema_translate_map`, write a row as the
    first, count it as both, drop everything. Returns the facts and the problems (message, table).

    On PostgreSQL the schemas are `<schema_prefix><tenant>` (default prefix `tenantlint_<random>_`); an
    existing schema is never touched: creating it fails the probe."""
    from sqlalchemy import create_engine, event, func, insert, select
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import StaticPool

    tenant_infos = [i for i in infos if i.tenant_path or i.table.schema == placeholder]
    shared_infos = [i for i in infos if i not in tenant_infos]
    shared_schemas = sorted({i.table.schema for i in shared_infos} - {None})
    sqlite = database_url is None
    scrub = _first_line
    if sqlite:
        engine = create_engine("sqlite://", poolclass=StaticPool)
        schemas = dict(zip(tenants, tenants))
        shared_map = {s: s for s in shared_schemas}
        attach = [*tenants, *shared_schemas]

        @event.listens_for(engine, "connect")
        def _attach(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            for name in attach:
                cursor.execute(f"ATTACH DATABASE ':memory:' AS \"{name}\"")
            cursor.close()
    else:
        url, scrub = database_url_parts(database_url)
        try:
            engine = create_engine(url)
        except Exception as exc:  # noqa: BLE001 - a missing driver, a bad option
            raise VerifyError(f"--database-url {masked(url)}: {type(exc).__name__}: {scrub(exc)}") from None
        prefix = f"tenantlint_{uuid.uuid4().hex[:8]}_" if schema_prefix is None else schema_prefix
        schemas = {t: f"{prefix}{t}" for t in tenants}
        shared_map = {None: f"{prefix}shared", **{s: f"{prefix}shared_{s}" for s in shared_schemas}}
    facts = ProbeFacts(engine.dialect.name, schemas)
    problems: list[tuple[str, TableInfo | None]] = []
    created_schemas: list[str] = []
    try:
        if not sqlite:
            try:
                with engine.connect() as conn:
                    conn.commit()
            except Exception as exc:  # noqa: BLE001 - SQLAlchemy's or the driver's own errors
                raise VerifyError(f"cannot connect to --database-url {masked(url)}: {type(exc).__name__}: "
                                  f"{scrub(exc)}") from None
            with engine.begin() as conn:
                for name in [*shared_map.values(), *schemas.values()]:
                    conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
                    created_schemas.append(name)
        try:
            _create(engine, shared_infos, shared_map, tenant_infos, schemas, placeholder)
        except SQLAlchemyError as exc:
            problems.append((f"Creating the tables failed: {type(exc).__name__}: {scrub(exc)}", None))
            return facts, problems
        facts.created = _created_tables(engine, sqlite, list(schemas.values()))
        for info in tenant_infos:  # a table without the placeholder is TNT101 already
            for tenant, schema in schemas.items() if info.table.schema == placeholder else ():
                if info.name not in facts.created.get(schema, []):
                    problems.append((f"{_label(info)} was not created in the schema of probe tenant `{tenant}`", info))
        if not sqlite:
            facts.foreign_keys = _foreign_keys(engine, list(schemas.values()))
            tenant_names = {i.name for i in tenant_infos}
            for schema, table, ref_schema, ref_table in facts.foreign_keys:
                if ref_table in tenant_names and ref_schema != schema:
                    info = next((i for i in tenant_infos if i.name == table), None)
                    problems.append((f"Foreign key of `{schema}.{table}` points to `{ref_schema}.{ref_table}`, "
                                     "outside its tenant's schema", info))
        target = next(((i, row) for i in sorted(tenant_infos, key=lambda i: i.name)
                       if (row := _probe_row(i.table)) is not None), None)
        if target is not None:
            info, row = target
            facts.probe_table = info.name
            first = engine.execution_options(schema_translate_map={**shared_map, placeholder: schemas[tenants[0]]})
            with first.begin() as conn:
                conn.execute(insert(info.table).values(**row))
            for tenant in tenants:
                bound = engine.execution_options(schema_translate_map={**shared_map, placeholder: schemas[tenant]})
                with bound.connect() as conn:
                    facts.isolation[tenant] = conn.execute(select(func.count()).select_from(info.table)).scalar_one()
            expected = {t: int(t == tenants[0]) for t in tenants}
            if facts.isolation != expected:
                seen = ", ".join(f"{t}: {n}" for t, n in facts.isolation.items())
                problems.append((f"{_label(info)}: a row written as probe tenant `{tenants[0]}` is not isolated "
                                 f"(rows seen: {seen})", info))
    except SQLAlchemyError as exc:
        problems.append((f"The probe failed: {type(exc).__name__}: {scrub(exc)}", None))
    finally:
        facts.dropped = _drop(engine, created_schemas)
        engine.dispose()
    return facts, problems


def _create(engine, shared_infos, shared_map, tenant_infos, schemas, placeholder) -> None:
    for metadata, tables in _by_metadata(shared_infos):
        with engine.execution_options(schema_translate_map=shared_map).begin() as conn:
            metadata.create_all(conn, tables=tables)
    for schema in schemas.values():
        bound = engine.execution_options(schema_translate_map={**shared_map, placeholder: schema})
        for metadata, tables in _by_metadata(tenant_infos):
            with bound.begin() as conn:
                metadata.create_all(conn, tables=tables)


def _by_metadata(infos):
    groups: dict[int, tuple[object, list]] = {}
    for info in infos:
        groups.setdefault(id(info.table.metadata), (info.table.metadata, []))[1].append(info.table)
    return list(groups.values())


def _created_tables(engine, sqlite: bool, schemas: list[str]) -> dict[str, list[str]]:
    from sqlalchemy import text

    created = {}
    with engine.connect() as conn:
        for schema in schemas:
            if sqlite:
                rows = conn.exec_driver_sql(f"SELECT name FROM \"{schema}\".sqlite_master WHERE type = 'table'")
            else:
                rows = conn.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                                    {"s": schema})
            created[schema] = sorted(rows.scalars())
    return created


def _foreign_keys(engine, schemas: list[str]) -> list[tuple[str, str, str, str]]:
    from sqlalchemy import bindparam, text

    query = text(
        "SELECT DISTINCT tc.table_schema, tc.table_name, ccu.table_schema, ccu.table_name"
        " FROM information_schema.table_constraints tc"
        " JOIN information_schema.constraint_column_usage ccu"
        "   ON ccu.constraint_schema = tc.constraint_schema AND ccu.constraint_name = tc.constraint_name"
        " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema IN :schemas"
        " ORDER BY 1, 2, 3, 4"
    ).bindparams(bindparam("schemas", expanding=True))
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query, {"schemas": schemas})]


def _drop(engine, schemas: list[str]) -> bool:
    """Drop every schema the probe created; each on its own, so one failure cannot keep the others."""
    ok = True
    for name in reversed(schemas):
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        except Exception:  # noqa: BLE001 - keep dropping the others; reported through `dropped`
            ok = False
    return ok


# --- the whole run --------------------------------------------------------------------------


def verify(modules: list[str], config: Config, database_url: str | None = None,
           paths: tuple[Path, ...] = (), tenants: tuple[str, ...] = PROBE_TENANTS,
           schema_prefix: str | None = None, tenants_pattern: str | None = None) -> VerifyResult:
    """Import, configure, check; then the live probe unless foreign keys already cannot resolve."""
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        raise VerifyError("`tenantlint verify` needs SQLAlchemy: pip install 'tenantlint[verify]'") from None
    from sqlalchemy.orm import configure_mappers

    imported = import_modules(modules, list(paths))
    try:
        configure_mappers()
        not_configured = None
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy's message is the diagnosis
        not_configured = f"cannot configure the mappers of {', '.join(modules)}: {type(exc).__name__}: {exc}"
    fallback = _module_file(imported[0].__name__) or Path(modules[0])
    infos = collect(imported, FileSelector(config))
    if not infos:
        raise VerifyError(f"no mapped table or Table found in {', '.join(modules)} and its submodules: "
                          "name the package that defines or imports the models")
    findings = check_tables(infos, config.schema, fallback)
    from tenantlint.verify_names import check_names  # TNT120, the runtime half of TNT010

    findings += check_names(infos, config.schema, lambda code, message, info: _finding(code, message, info, fallback))
    # a foreign key that does not resolve is a finding with its place (TNT103), not a crash
    if not_configured and not any(f.code == UNRESOLVED_FK.code for f in findings):
        raise VerifyError(not_configured)
    if tenants_pattern is not None:
        return _verify_tenants(infos, findings, config, database_url, tenants_pattern, fallback)
    facts = None
    blockers = [reason for code, reason in _PROBE_BLOCKERS.items() if any(f.code == code for f in findings)]
    if not blockers:
        facts, problems = probe(infos, config.schema, database_url, tenants, schema_prefix)
        findings += [_finding(PROBE_FAILED.code, message, info, fallback) for message, info in problems]
        if not facts.dropped:
            findings.append(_finding(PROBE_FAILED.code, "Some probe schemas could not be dropped: "
                                     f"{', '.join(facts.schemas.values())}", None, fallback))
    findings = [f for f in findings if config.selects(f.code)]
    not_probed = "; ".join(blockers) or None
    if not_probed:
        # never filtered by --select/--ignore: a verify that did not probe must not pass
        findings.append(_finding(PROBE_FAILED.code, f"The live probe did not run: {not_probed}", None, fallback))
    return VerifyResult(sorted(findings, key=lambda f: f.sort_key), infos, config.schema, facts, not_probed)


def _verify_tenants(infos, findings, config, database_url, pattern, fallback) -> VerifyResult:
    """`--tenants`: the existing tenant schemas instead of the live probe (which would write)."""
    from tenantlint.tenants import compare_tenants

    report = compare_tenants(infos, config.schema, database_url, pattern, fallback, config.selects)
    checked = sorted((f for f in findings if config.selects(f.code)), key=lambda f: f.sort_key)
    return VerifyResult(checked + report.findings, infos, config.schema, tenants=report,
                        not_probed="--tenants reads the existing tenant schemas instead")


# Findings that make creating the tenant tables impossible, so the probe cannot run.
_PROBE_BLOCKERS = {
    UNRESOLVED_FK.code: f"a foreign key does not resolve ({UNRESOLVED_FK.code})",
    SHARED_TO_TENANT.code: f"a shared table references a tenant table ({SHARED_TO_TENANT.code})",
}


def describe(result: VerifyResult) -> str:
    """One line per probe step, for the text output."""
    tenant = sum(1 for i in result.tables if i.tenant_path or i.table.schema == result.placeholder)
    lines = [f"Checked {len(result.tables)} tables ({tenant} per tenant, {len(result.tables) - tenant} shared)."]
    facts = result.facts
    if result.tenants is not None:
        return "\n".join(lines + result.tenants.describe()) + "\n"
    if facts is None:
        lines.append(f"Probe not run: {result.not_probed}.")
        return "\n".join(lines) + "\n"
    where = "SQLite in memory" if facts.dialect == "sqlite" else facts.dialect
    counts = ", ".join(f"{s}: {len(facts.created.get(s, []))}" for s in facts.schemas.values())
    lines.append(f"Probe on {where}: tables created per tenant schema ({counts}).")
    if facts.probe_table:
        seen = ", ".join(f"{t}: {n}" for t, n in facts.isolation.items())
        lines.append(f"Probe row in `{facts.probe_table}` written as {next(iter(facts.schemas))}; rows seen ({seen}).")
    if facts.dialect != "sqlite":
        lines.append("Probe schemas dropped." if facts.dropped else "Probe schemas NOT all dropped.")
    return "\n".join(lines) + "\n"
