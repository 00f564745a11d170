"""`tenantlint verify` on what real projects hold (issue 11 items 8 and 14): config excludes,
tables held by classes, SQLite's own tables, a creation that fails, PostgreSQL-only types, the
baseline, and a probe that cleans up every schema it named.

Each run is the real command line in a subprocess: verify imports the project's modules.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import DATABASE_URL, Result, needs_postgres, run_tenantlint, write_tree

BASE = textwrap.dedent("""
    from sqlalchemy import Column, Enum, ForeignKey, Integer, MetaData, String, Table
    from sqlalchemy.orm import DeclarativeBase


    class Base(DeclarativeBase):
        pass
""")


def verify(root: Path, *args: str) -> Result:
    return run_tenantlint("verify", *args, cwd=root)


def project(root: Path, files: dict[str, str], config: str = "") -> Path:
    (root / "pyproject.toml").write_text(f'[tool.tenantlint]\ntenant-paths = ["**/models/user/**"]\n{config}')
    return write_tree(root, {"shop/__init__.py": "", "shop/models/__init__.py": "",
                             "shop/models/user/__init__.py": "", **files})


def found(result: Result) -> list[tuple]:
    assert result.exit_code in (0, 1), result.stderr
    return [(f["code"], f["path"], f["line"], f["model"], f["message"]) for f in json.loads(result.stdout)]


# --- item 8 -----------------------------------------------------------------------------------

PRODUCT = BASE + textwrap.dedent("""

    class Product(Base):
        __tablename__ = "products"
        __table_args__ = {"schema": "tenant"}
        id = Column(Integer, primary_key=True)
""")

ENV_PY = """
    raise RuntimeError("Alembic's env.py runs migrations when imported")
"""


def test_excluded_modules_are_not_imported(tmp_path):
    root = project(tmp_path, {
        "shop/models/user/product.py": PRODUCT,
        "shop/alembic/__init__.py": "",
        "shop/alembic/env.py": ENV_PY,
        "shop/scripts/__init__.py": "",
        "shop/scripts/seed.py": ENV_PY,
    }, config='exclude = ["**/alembic/**", "shop/scripts/seed.py"]\n')
    result = verify(root, "shop")
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n"), result.stderr
    # without the exclude, the import of env.py is the error it always was
    (root / "pyproject.toml").write_text('[tool.tenantlint]\ntenant-paths = ["**/models/user/**"]\n')
    result = verify(root, "shop")
    assert (result.exit_code, result.stderr) == (
        2, "tenantlint: error: cannot import shop.alembic.env: RuntimeError: Alembic's env.py runs migrations "
           "when imported\n")


def test_metadata_and_tables_held_as_class_attributes_are_found(tmp_path):
    root = project(tmp_path, {
        # imported into another module too: only the module that defines the class owns its tables
        "shop/models/__init__.py": "from shop.models.user.legacy import Model\n",
        "shop/models/user/legacy.py": """
        import sqlalchemy as sa


        class Model:
            metadata = sa.MetaData()
            users = sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
            notes = sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="tenant")
    """})
    result = verify(root, "shop", "--output-format", "json", "--select", "TNT101")
    assert found(result) == [
        ("TNT101", "shop/models/user/legacy.py", 6, "Model.users",
         "Table `users` (model `Model.users`) is defined in a tenant path but has no schema: it needs `tenant`"),
    ]
    assert verify(root, "shop").stderr.splitlines()[0] == "Checked 2 tables (2 per tenant, 0 shared)."


def test_sqlite_sequence_is_not_counted_as_a_created_table(tmp_path):
    root = project(tmp_path, {"shop/models/user/product.py": BASE + textwrap.dedent("""

        class Product(Base):
            __tablename__ = "products"
            __table_args__ = {"schema": "tenant", "sqlite_autoincrement": True}
            id = Column(Integer, primary_key=True)
    """)})
    result = verify(root, "shop")
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n"), result.stderr
    assert result.stderr.splitlines()[1] == "Probe on SQLite in memory: tables created per tenant schema (user_1: 1, user_2: 1)."


def test_a_failed_creation_names_the_table_its_line_and_sqlalchemys_message(tmp_path):
    root = project(tmp_path, {
        "shop/models/user/product.py": PRODUCT,
        "shop/models/user/brand.py": BASE + textwrap.dedent("""

        from sqlalchemy import text


        class Brand(Base):
            __tablename__ = "brands"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
            name = Column(String, server_default=text("no such function("))
    """)})
    result = verify(root, "shop", "--output-format", "json")
    assert found(result) == [(
        "TNT106", "shop/models/user/brand.py", 12, "Brand",
        "Table `tenant.brands` (model `Brand`) could not be created: OperationalError: (sqlite3.OperationalError) "
        "near \"such\": syntax error (the probe ran on SQLite in memory: if the models need PostgreSQL, run it "
        "there with `--database-url postgresql+psycopg://...`)",
    )]


# --- item 14 ----------------------------------------------------------------------------------

POSTGRES_ONLY = BASE + textwrap.dedent("""

    from sqlalchemy.dialects.postgresql import ARRAY, JSONB


    class Listing(Base):
        __tablename__ = "listings"
        __table_args__ = {"schema": "tenant"}
        id = Column(Integer, primary_key=True)
        attributes = Column(JSONB)
        tags = Column(ARRAY(String))
""")


def test_postgresql_only_types_on_sqlite_say_what_failed_and_report_no_creation(tmp_path):
    root = project(tmp_path, {"shop/models/user/listing.py": POSTGRES_ONLY})
    result = verify(root, "shop")
    assert result.exit_code == 1
    assert result.stdout == (
        "shop/models/user/listing.py:12:7: TNT106 Table `tenant.listings` (model `Listing`) could not be created: "
        "column `tags` has type `ARRAY`, which SQLite cannot create (the probe ran on SQLite in memory: if the "
        "models need PostgreSQL, run it there with `--database-url postgresql+psycopg://...`)\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"
    )
    assert result.stderr == (
        "Checked 1 table (1 per tenant, 0 shared).\n"
        "Probe on SQLite in memory: creating the tables failed (TNT106), nothing was counted.\n"
    )


def leftovers(tables: tuple[str, ...], types: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(schema, name) of every table or type of these names in any schema. The names are this
    file's own: other test runs may share the server, so nothing else is compared."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(DATABASE_URL)
    query = text(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_name IN :tables"
        " UNION ALL SELECT n.nspname, t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE t.typname IN :types ORDER BY 1, 2"
    ).bindparams(bindparam("tables", expanding=True), bindparam("types", expanding=True))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query, {"tables": list(tables), "types": [*types, "-"]})]
    finally:
        engine.dispose()


@needs_postgres
def test_postgresql_only_types_pass_on_postgresql(tmp_path):
    root = project(tmp_path, {"shop/models/user/listing.py": POSTGRES_ONLY})
    result = verify(root, "shop", "--database-url", DATABASE_URL)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n"), result.stderr
    assert "Probe on postgresql: tables created per tenant schema (" in result.stderr
    assert leftovers(("listings",)) == []


@needs_postgres
def test_the_probe_leaves_nothing_in_a_real_schema_a_tenant_model_names(tmp_path):
    """A model in a tenant path with `schema="public"` (TNT101), and its enum type: the probe
    creates them in its own throw-away schemas, never in `public`."""
    root = project(tmp_path, {"shop/models/user/audit.py": BASE + textwrap.dedent("""

        class Audit(Base):
            __tablename__ = "tl_probe_audits"
            __table_args__ = {"schema": "public"}
            id = Column(Integer, primary_key=True)
            kind = Column(Enum("a", "b", name="tl_probe_audit_kind", schema="public"))


        class Product(Base):
            __tablename__ = "tl_probe_products"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
    """)})
    result = verify(root, "shop", "--database-url", DATABASE_URL, "--output-format", "json")
    assert [(f[0], f[4]) for f in found(result)] == [
        ("TNT101", "Table `public.tl_probe_audits` (model `Audit`) is defined in a tenant path but has the schema "
                   "`public`: it needs `tenant`"),
        ("TNT104", "Enum `tl_probe_audit_kind` of `tl_probe_audits.kind` has no `schema=\"tenant\"`: it is shared "
                   "by every tenant"),
        # the probe's row went to its stand-in for `public`, shared by both tenants
        ("TNT106", "Table `public.tl_probe_audits` (model `Audit`): a row written as probe tenant `user_1` is not "
                   "isolated (rows seen: user_1: 1, user_2: 1)"),
    ]
    assert leftovers(("tl_probe_audits", "tl_probe_products"), ("tl_probe_audit_kind",)) == []


@needs_postgres
def test_enum_types_with_the_placeholder_are_created_with_the_tenant_tables(tmp_path):
    """After tenantlint's own TNT007 fix: `Enum(..., schema="tenant")` next to shared tables of the
    same MetaData (create_all(tables=shared) still emits the MetaData's CREATE TYPE)."""
    root = project(tmp_path, {
        "shop/models/plan.py": BASE + textwrap.dedent("""

        class Plan(Base):
            __tablename__ = "tl_probe_plans"
            id = Column(Integer, primary_key=True)
        """),
        "shop/models/user/job.py": """
        from sqlalchemy import Column, Enum, ForeignKey, Integer

        from shop.models.plan import Base


        class Job(Base):
            __tablename__ = "tl_probe_jobs"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
            plan_id = Column(ForeignKey("tl_probe_plans.id"))
            status = Column(Enum("new", "done", name="tl_probe_job_status", schema="tenant"))
        """,
    })
    result = verify(root, "shop", "--database-url", DATABASE_URL)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n"), result.stderr
    assert "Probe schemas dropped.\n" in result.stderr
    assert leftovers(("tl_probe_jobs", "tl_probe_plans"), ("tl_probe_job_status",)) == []
