"""Benchmark `verify --tenants`: N tenant schemas x 20 tables compared with the models.

    python bench/tenants.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres --tenants 100 1000

For each N it creates a throw-away database on that server, N tenant schemas of 20 tables (an
enum type and a sequence per tenant, indexes, unique constraints, foreign keys, an
`alembic_version` table) with three tenants drifted, runs the comparison tenantlint runs, prints
its time and the number of queries it issued (counted with SQLAlchemy's `before_cursor_execute`
event), and drops the database. Run it with the Python of the venv tenantlint is installed in.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import CreateEnumType
from sqlalchemy.schema import CreateIndex, CreateSequence, CreateTable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tenantlint.tenants import compare_tenants  # noqa: E402
from tenantlint.verify import Origin, TableInfo  # noqa: E402

TABLES = 20
BATCH = 50  # tenants created per transaction


def models() -> sa.MetaData:
    """20 tenant tables and one shared table, in the forms `verify --tenants` compares."""
    metadata = sa.MetaData()
    sa.Table("accounts", metadata, sa.Column("id", sa.Integer, primary_key=True))
    status = sa.Enum("draft", "active", "sold", name="item_status", schema="tenant")
    for n in range(TABLES):
        columns = [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("title", sa.String(200), index=True),
            sa.Column("code", sa.String(40), nullable=False, unique=True),
            sa.Column("status", status),
            sa.Column("price", sa.Numeric(10, 2)),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("account_id", sa.ForeignKey("accounts.id")),
        ]
        if n:
            columns.append(sa.Column("parent_id", sa.ForeignKey(f"tenant.table_{n - 1:02d}.id")))
        if n == 0:
            columns[0] = sa.Column("id", sa.Integer, sa.Sequence("table_00_number", schema="tenant"), primary_key=True)
        sa.Table(f"table_{n:02d}", metadata, *columns, sa.Index(f"ix_table_{n:02d}_price_title", "price", "title"),
                 schema="tenant")
    return metadata


def tenant_ddl(metadata: sa.MetaData, schema: str) -> str:
    """The DDL of one tenant as one script (what `create_all` sends, without a round trip per statement)."""
    dialect = postgresql.dialect()

    def sql(stmt) -> str:
        return str(stmt.compile(dialect=dialect, schema_translate_map={"tenant": schema}, render_schema_translate=True))

    tables = [t for t in metadata.sorted_tables if t.schema == "tenant"]
    enum = tables[0].c.status.type
    statements = [f'CREATE SCHEMA "{schema}"', sql(CreateEnumType(enum)), sql(CreateSequence(tables[0].c.id.default))]
    for table in tables:
        statements.append(sql(CreateTable(table)))
        statements += [sql(CreateIndex(index)) for index in table.indexes]
    statements.append(f'CREATE TABLE "{schema}".alembic_version (version_num varchar(32) PRIMARY KEY)')
    statements.append(f"INSERT INTO \"{schema}\".alembic_version VALUES ('c3d4')")
    return ";\n".join(statements)


DRIFT = {
    2: "ALTER TABLE {s}.table_05 DROP COLUMN price",
    3: "ALTER INDEX {s}.ix_tenant_table_07_title RENAME TO ix_table_07_title",
    4: "DELETE FROM {s}.alembic_version",
}


def run(server_url: str, count: int, prefix: str, show: bool) -> tuple[float, int, int, int]:
    """(seconds, queries, findings, tenants that differ) for `count` tenants in a throw-away database."""
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(server_url).set(database=name)
    try:
        metadata = models()
        engine = sa.create_engine(url)
        started = time.perf_counter()
        with engine.begin() as conn:
            metadata.tables["accounts"].create(conn)
        template = tenant_ddl(metadata, "__tenant__")
        for first in range(1, count + 1, BATCH):
            with engine.begin() as conn:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")  # a throw-away database
                for n in range(first, min(first + BATCH, count + 1)):
                    conn.exec_driver_sql(template.replace("__tenant__", f"user_{n}"))
                    if n in DRIFT:
                        conn.exec_driver_sql(DRIFT[n].format(s=f"user_{n}"))
        engine.dispose()
        print(f"  created {count} tenants x {TABLES} tables in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        infos = [TableInfo(t, Origin(None, model=t.name), t.schema == "tenant") for t in metadata.sorted_tables]
        report = compare_tenants(infos, "tenant", url.render_as_string(hide_password=False), "user_*", Path("models.py"))
        for finding in report.findings if show else ():
            print(f"  {finding.code} {finding.message}", file=sys.stderr)
        return report.seconds, report.queries, len(report.findings), len(report.differ)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("TENANTLINT_TEST_DATABASE_URL"),
                        help="a PostgreSQL server (any database on it); default: $TENANTLINT_TEST_DATABASE_URL")
    parser.add_argument("--tenants", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--database-prefix", default="tenantlint_bench_",
                        help="name prefix of the throw-away database (a random suffix is added)")
    parser.add_argument("--show", action="store_true", help="print the findings on stderr")
    args = parser.parse_args()
    if not args.url:
        parser.error("--url is required (or set TENANTLINT_TEST_DATABASE_URL)")
    print("| tenants | tables | compare time | queries | findings | tenants that differ |")
    print("|---:|---:|---:|---:|---:|---:|")
    for count in args.tenants:
        seconds, queries, findings, differ = run(args.url, count, args.database_prefix, args.show)
        print(f"| {count:,} | {count * TABLES:,} | {seconds:.2f} s | {queries} | {findings} | {differ} |", flush=True)


if __name__ == "__main__":
    main()
