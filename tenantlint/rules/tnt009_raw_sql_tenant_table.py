"""TNT009 raw-sql-tenant-table: SQL written as text, a lightweight `table("x")` or an Inspector call
names a tenant table; `schema_translate_map` rewrites none of them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tenantlint.context import Context, SourceFile
from tenantlint.facts.types import SqlString
from tenantlint.facts.vocabulary import MODEL_WORDS, RAW_SQL_WORDS, TABLE_WORDS
from tenantlint.findings import Finding
from tenantlint.rules import Invalid, Rule, Valid, example

_WORD = re.compile(r"[A-Za-z_]\w*")
_LOOKS_LIKE_SQL = re.compile(r"(?i)\b(?:select|insert|update|delete|from|into|join|truncate|copy|with)\b")
_PLACEHOLDER = re.compile(r"__p\d+__")
_INSTEAD = ("use a Core/ORM construct on the mapped table (`select(Order)`), or `SET LOCAL search_path` "
            "inside the transaction")


def table_references(sql: str, dialect: str) -> list[tuple[str, str]] | None:
    """(schema, table) of each table the SQL reads or writes, CTE names left out; None when it
    does not parse. sqlglot is imported here only: most runs hold no SQL naming a tenant table."""
    import sqlglot
    from sqlglot import exp

    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError):
        return None
    if not statements or any(isinstance(s, exp.Command) for s in statements):
        return None  # sqlglot kept it as an opaque command: nothing was read
    found = []
    for statement in statements:
        ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
        found += [(t.db, t.name) for t in statement.find_all(exp.Table) if t.name and not (not t.db and t.name in ctes)]
    return found


def _where(schema: str, placeholder: str) -> str:
    if not schema:
        return "without a schema, so it reads whatever `search_path` finds"
    if schema == placeholder:
        return f"in `{placeholder}`, a schema that does not exist at runtime"
    if _PLACEHOLDER.fullmatch(schema):
        return "in a schema computed at runtime, which nothing ties to the current tenant"
    return f"in the fixed schema `{schema}`, one tenant's for every request"


def _findings(context: Context, sql: SqlString) -> Iterator[tuple[str, str]]:
    """(table, message) for each tenant table the string names."""
    tenant = context.tenant_tables
    if sql.kind == "table":
        if sql.sql in tenant:
            schema = (sql.schema or "__p0__") if sql.has_schema else ""
            yield sql.sql, (f"`{sql.callee}(\"{sql.sql}\")` names tenant table `{sql.sql}` {_where(schema, context.placeholder)}: "
                            f"`schema_translate_map` does not apply to it; {_INSTEAD}")
        return
    words = set(_WORD.findall(sql.sql)) & tenant
    if not words or not _LOOKS_LIKE_SQL.search(sql.sql):
        return
    references = table_references(sql.sql, context.config.sql_dialect)
    if references is None:
        for name in sorted(words):
            yield name, (f"SQL that could not be parsed names tenant table `{name}` as a word (it may be a table "
                         f"reference): `schema_translate_map` does not rewrite raw SQL; {_INSTEAD}")
        return
    seen = set()
    for schema, name in references:
        if name in tenant and (schema, name) not in seen:
            seen.add((schema, name))
            yield name, (f"Raw SQL names tenant table `{name}` {_where(schema, context.placeholder)}: "
                         f"`schema_translate_map` does not rewrite raw SQL; {_INSTEAD}")


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    pos = context.positions(file)
    for sql in file.facts.sql:
        for name, message in _findings(context, sql):
            yield context.finding(file, RULE, message, pos.span(sql.span), name)


_ORDER = '''
from sqlalchemy import select, text


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    total = Column(Integer)
'''

_ORDER_MODEL = '''from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
''' + _ORDER.replace("from sqlalchemy import select, text\n", "")

# Alembic's op.execute in a migration script: the SQL is sent as written, once, to `search_path`.
_MIGRATION = '''"""backfill totals"""
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.execute("UPDATE orders SET total = 0 WHERE total IS NULL")
'''

_HEALTH = '''from sqlalchemy import inspect


def ready(engine):
    return inspect(engine).has_table("orders")
'''

RULE = Rule(
    code="TNT009",
    name="raw-sql-tenant-table",
    summary="raw SQL (`text()`, `exec_driver_sql()`, string `execute()`, `read_sql()`), `table(\"x\")` or an "
    "Inspector call names a tenant table",
    what="Reports SQL written as text that names a tenant table: `text(...)`, `exec_driver_sql(...)`, a string "
    "passed to `execute()` (also Alembic's `op.execute`), `pandas.read_sql(...)`, f-strings and `%`/`.format` "
    "SQL (parsed with placeholders), a lightweight `sa.table(\"orders\")` and Inspector calls on a table name. "
    "The SQL is parsed with sqlglot (`sql-dialect`, default postgres); SQL that does not parse is reported when it "
    "names a tenant table as a word.",
    why="`schema_translate_map` rewrites the SQL SQLAlchemy compiles from `Table` objects. Text is sent as "
    "written: after phase 2 `SELECT count(*) FROM orders` reads the `orders` that `search_path` finds (another "
    "tenant's rows, or an error), `tenant.orders` names a schema that does not exist, and `user_1.orders` reads "
    "one tenant for every request.",
    example='session.execute(text("SELECT count(*) FROM orders"))',
    use_instead='session.execute(select(func.count()).select_from(Order))\n'
    '# or, for SQL that must stay text, inside the transaction:\n'
    'session.execute(text("SET LOCAL search_path TO :schema"), {"schema": tenant_schema})',
    fix_safety="Never fixed: there is no mechanical rewrite of SQL text that is safe.",
    fix_summary="never",
    check=check,
    words=MODEL_WORDS + TABLE_WORDS + RAW_SQL_WORDS,
    reads="all",
    valid=(
        Valid(example(_ORDER + '''

def total(session):
    return session.execute(select(Order.total))
''')),
        Valid(example(_ORDER + '''

def ping(session):
    return session.execute(text("SELECT 1"))
''')),
        Valid(example(_ORDER + '''

def shared(session):
    return session.execute(text("SELECT count(*) FROM accounts"))  # not a tenant table
''')),
        Valid(example(_ORDER + '''

def message():
    return "orders are shipped from the warehouse"  # a word, not SQL passed to execute()
''')),
    ),
    invalid=(
        Invalid(example(_ORDER + '''

def count(session):
    return session.execute(text("SELECT count(*) FROM orders"))
''')),
        Invalid(example(_ORDER + '''

def count(connection):
    return connection.exec_driver_sql("SELECT count(*) FROM user_1.orders")
''')),
        Invalid(example(_ORDER + '''

def delete(session, order_id):
    session.execute(text(f"DELETE FROM tenant.orders WHERE id = {order_id}"))
''')),
        Invalid(example(_ORDER + '''

def frame(pandas, connection, schema):
    return pandas.read_sql("SELECT * FROM %s.orders" % schema, connection)
''')),
        Invalid(example(_ORDER + '''
import sqlalchemy as sa

orders = sa.table("orders", sa.column("id"))
''')),
        Invalid(example(_ORDER + '''

def columns(inspector):
    return inspector.get_columns("orders")
''')),
        Invalid(example(_ORDER + '''

def count(connection):
    return connection.execute("SELECT count(*) FROM orders")  # a plain string, SQLAlchemy 1.x style
''')),
        Invalid(example(_ORDER + '''

def recent(session, days):
    return session.execute(text("SELECT id FROM orders WHERE age < {}".format(days)))
''')),
        Invalid(_MIGRATION, path="alembic/versions/0003_backfill.py", context_files=(("app/models/user/order.py", _ORDER_MODEL),)),
        # in a module that names nothing else: the prefilter must still read it
        Invalid(_HEALTH, path="app/health.py", context_files=(("app/models/user/order.py", _ORDER_MODEL),)),
        Invalid(example(_ORDER + '''

def weird(connection):
    return connection.exec_driver_sql("SELECT FROM FROM orders ((")
''')),
    ),
)
