"""What the existing tenant schemas hold, read from PostgreSQL's catalog in one read-only transaction.

A fixed handful of queries over `pg_catalog` covers every matching schema at once (never one
query per tenant or per table), so 1,000 tenants cost the same number of round trips as one.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

# A query's answer for every schema at once: `:oids` is the array of the schemas read.
_NAMESPACES = "SELECT oid, nspname, current_schema() FROM pg_namespace"
_RELATIONS = (
    "SELECT c.oid, c.relnamespace, c.relname, c.relkind FROM pg_class c"
    " WHERE c.relnamespace = ANY(CAST(:oids AS oid[])) AND c.relkind IN ('r', 'p', 'S')"
)
_COLUMNS = (
    "SELECT c.relnamespace, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
    "  t.typtype, tn.nspname, t.typname"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace"
    " WHERE c.relnamespace = ANY(CAST(:oids AS oid[])) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
    " ORDER BY c.relnamespace, c.relname, a.attnum"
)
# Primary keys are the models' business and reported as columns; every other index and UNIQUE
# constraint (PostgreSQL implements both as unique indexes) is compared by name and columns.
_INDEXES = (
    "SELECT t.relnamespace, t.relname, i.relname, x.indisunique, con.contype IS NOT NULL,"
    "  ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)"
    "        LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.ord)"
    " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
    " LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.contype = 'u'"
    " WHERE t.relnamespace = ANY(CAST(:oids AS oid[])) AND NOT x.indisprimary"
)
_FOREIGN_KEYS = (
    "SELECT t.relnamespace, t.relname, con.conname, rn.nspname, r.relname"
    " FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid"
    " JOIN pg_class r ON r.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace"
    " WHERE con.contype = 'f' AND t.relnamespace = ANY(CAST(:oids AS oid[]))"
)
_ENUMS = (
    "SELECT t.typnamespace, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)"
    " FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid"
    " WHERE t.typnamespace = ANY(CAST(:oids AS oid[])) GROUP BY t.typnamespace, t.typname"
)

ALEMBIC_TABLE = "alembic_version"
SYSTEM_SCHEMAS = re.compile(r"pg_.*|information_schema")


@dataclass(frozen=True)
class ColumnShape:
    type: str  # PostgreSQL's own spelling (`character varying(100)`), or `enum <name>`
    nullable: bool
    enum_schema: str | None = None  # database side: the schema the enum type lives in


@dataclass(frozen=True)
class IndexShape:
    name: str | None  # None: the models leave the name to PostgreSQL
    columns: tuple[str, ...]  # `(expression)` for an expression
    unique: bool
    constraint: bool  # a UNIQUE constraint rather than an index

    def describe(self) -> str:
        kind = "unique constraint" if self.constraint else "unique index" if self.unique else "index"
        named = f" `{self.name}`" if self.name else ""
        return f"{kind}{named} ({', '.join(self.columns)})"


@dataclass(frozen=True)
class TableShape:
    columns: dict[str, ColumnShape]
    indexes: tuple[IndexShape, ...] = ()


@dataclass(frozen=True)
class ForeignKeyRef:
    table: str
    name: str
    ref_schema: str
    ref_table: str


@dataclass
class Catalog:
    """The matched tenant schemas (natural order) and what they hold; `queries` counts round trips."""

    tenants: list[str]
    default_schema: str
    tables: dict[str, dict[str, TableShape]] = field(default_factory=dict)  # schema -> table -> shape
    foreign_keys: dict[str, list[ForeignKeyRef]] = field(default_factory=dict)
    enums: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (schema, name) -> values
    sequences: set[tuple[str, str]] = field(default_factory=set)  # (schema, name)
    # tenant -> its versions (None: it has no `alembic_version` table); None: no tenant has one
    alembic: dict[str, tuple[str, ...] | None] | None = None


def natural_key(name: str) -> list:
    """`user_2` before `user_10`."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


# SQLAlchemy's DDL spelling -> PostgreSQL's `format_type` spelling, for the names that differ.
_TYPE_ALIASES = {
    "varchar": "character varying", "char": "character", "int": "integer", "bool": "boolean",
    "float": "double precision", "timestamp": "timestamp without time zone", "time": "time without time zone",
    "decimal": "numeric",
}


def normalize_type(spelling: str) -> str:
    """One spelling for a type, whichever side wrote it: `VARCHAR(100)` -> `character varying(100)`."""
    text = re.sub(r"\s*,\s*", ",", spelling.strip().lower())
    match = re.fullmatch(r"([a-z ]+?)\s*(\(.*?\))?((?:\[\])*)", text)
    if match is None:
        return text
    base, args, array = match.group(1), match.group(2) or "", match.group(3)
    base = _TYPE_ALIASES.get(base, base)
    if args and base.endswith(" time zone"):  # `timestamp(3) without time zone`
        head, _, zone = base.partition(" with")
        return f"{head}{args} with{zone}{array}"
    return f"{base}{args}{array}"


def read_catalog(conn, pattern: str, shared_schemas: set[str]) -> Catalog:
    """Every schema matching the glob `pattern`, read in the caller's (read-only) transaction;
    `shared_schemas` (None: the default schema) are read for their enums and sequences too."""
    from sqlalchemy import text

    rows = conn.execute(text(_NAMESPACES)).all()
    default = rows[0][2] if rows else "public"
    names = {oid: name for oid, name, _ in rows}
    tenant_oids = [oid for oid, name in names.items()
                   if fnmatch.fnmatchcase(name, pattern) and not SYSTEM_SCHEMAS.fullmatch(name)]
    shared = {default if s is None else s for s in shared_schemas}
    shared_oids = [oid for oid, name in names.items() if name in shared and oid not in tenant_oids]
    catalog = Catalog(sorted((names[o] for o in tenant_oids), key=natural_key), default)
    catalog.tables = {names[o]: {} for o in tenant_oids}
    catalog.foreign_keys = {names[o]: [] for o in tenant_oids}
    if not tenant_oids:
        return catalog

    def query(sql: str, oids: list[int]):
        return conn.execute(text(sql), {"oids": oids})

    every = tenant_oids + shared_oids
    alembic_tables = _add_relations(catalog, names, set(tenant_oids), query(_RELATIONS, every))
    _add_columns(catalog, names, query(_COLUMNS, tenant_oids))
    _add_indexes(catalog, names, query(_INDEXES, tenant_oids))
    for namespace, relname, name, ref_schema, ref_table in query(_FOREIGN_KEYS, tenant_oids):
        catalog.foreign_keys[names[namespace]].append(ForeignKeyRef(relname, name, ref_schema, ref_table))
    for namespace, name, values in query(_ENUMS, every):
        catalog.enums[(names[namespace], name)] = tuple(values)
    if alembic_tables:
        catalog.alembic = _alembic_versions(conn, alembic_tables, catalog.tenants)
    return catalog


def _add_relations(catalog: Catalog, names: dict[int, str], tenant_oids: set[int], rows) -> dict[int, str]:
    """Sequences of every schema read, the tenants' tables; returns the tenants' `alembic_version` tables."""
    alembic_tables: dict[int, str] = {}
    for oid, namespace, relname, kind in rows:
        if kind == "S":
            catalog.sequences.add((names[namespace], relname))
        elif namespace in tenant_oids:
            if relname == ALEMBIC_TABLE:
                alembic_tables[oid] = names[namespace]
            else:
                catalog.tables[names[namespace]][relname] = TableShape({})
    return alembic_tables


def _add_columns(catalog: Catalog, names: dict[int, str], rows) -> None:
    for namespace, relname, column, spelling, not_null, typtype, type_schema, type_name in rows:
        shape = catalog.tables[names[namespace]].get(relname)
        if shape is None:  # alembic_version
            continue
        if typtype == "e":
            shape.columns[column] = ColumnShape(f"enum {type_name}", not not_null, type_schema)
        else:
            shape.columns[column] = ColumnShape(normalize_type(spelling), not not_null)


def _add_indexes(catalog: Catalog, names: dict[int, str], rows) -> None:
    indexes: dict[tuple[str, str], list[IndexShape]] = {}
    for namespace, relname, name, unique, constraint, columns in rows:
        columns = tuple(c if c is not None else "(expression)" for c in columns)
        indexes.setdefault((names[namespace], relname), []).append(IndexShape(name, columns, unique, constraint))
    for (schema, relname), found in indexes.items():
        if relname in catalog.tables[schema]:
            old = catalog.tables[schema][relname]
            catalog.tables[schema][relname] = TableShape(old.columns, tuple(sorted(found, key=lambda i: i.name)))


def _alembic_versions(conn, tables: dict[int, str], tenants: list[str]) -> dict[str, tuple[str, ...] | None]:
    """Every tenant's `alembic_version` rows in one UNION ALL query (`tableoid` says whose row it is)."""
    quote = conn.dialect.identifier_preparer.quote_schema
    union = " UNION ALL ".join(
        f"SELECT tableoid, version_num FROM {quote(schema)}.{ALEMBIC_TABLE}" for schema in tables.values()
    )
    versions: dict[str, list[str]] = {schema: [] for schema in tables.values()}
    for oid, version in conn.exec_driver_sql(union):
        versions[tables[oid]].append(version)
    return {t: tuple(sorted(versions[t])) if t in versions else None for t in tenants}
