"""The phase-2 hazards shown with SQLAlchemy and Alembic themselves: raw SQL is not translated
(TNT009), a schema renames convention-named indexes (TNT010), some Alembic operations ignore
`schema_translate_map` (TNT011). SQLite by default, PostgreSQL with TENANTLINT_TEST_DATABASE_URL."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

from conftest import DATABASE_URL, needs_postgres

from tenantlint.naming import DEFAULT_CONVENTION, Named, kept, render, renames
from tenantlint.rules.tnt011_untranslated_migration_op import UNTRANSLATED


def _order_model(metadata: sa.MetaData | None = None):
    class Base(DeclarativeBase):
        pass

    if metadata is not None:
        Base.metadata = metadata

    class Order(Base):
        __tablename__ = "orders"
        __table_args__ = {"schema": "tenant"}
        id: Mapped[int] = mapped_column(primary_key=True)

    return Base, Order


@contextmanager
def _two_tenants_sqlite():
    engine = sa.create_engine("sqlite://", poolclass=StaticPool)

    @event.listens_for(engine, "connect")
    def attach(dbapi, _):
        for name in ("user_1", "user_2"):
            dbapi.execute(f"ATTACH DATABASE ':memory:' AS {name}")

    yield engine, ("user_1", "user_2"), None
    engine.dispose()


@contextmanager
def _two_tenants_postgres():
    engine = sa.create_engine(DATABASE_URL)
    names = tuple(f"tnt009_{uuid.uuid4().hex[:8]}_{i}" for i in (1, 2))
    with engine.begin() as conn:
        for name in names:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield engine, names, names[1]  # search_path finds the second tenant
    finally:
        with engine.begin() as conn:
            for name in names:
                conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        engine.dispose()


def _raw_and_orm_counts(engine, tenants, search_path, asked):
    base, order = _order_model()
    for i, tenant in enumerate(tenants):
        conn_engine = engine.execution_options(schema_translate_map={"tenant": tenant})
        base.metadata.create_all(conn_engine)
        with Session(conn_engine) as session:
            session.add_all([order(id=n) for n in range(i + 1)])  # user_1 has one order, user_2 two
            session.commit()
    tenant = engine.execution_options(schema_translate_map={"tenant": asked})
    with Session(tenant) as session:
        if search_path:
            session.execute(sa.text(f"SET LOCAL search_path TO {search_path}"))
        orm = session.execute(sa.select(sa.func.count()).select_from(order)).scalar_one()
        try:
            raw = session.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
        except sa.exc.DBAPIError as exc:
            raw = type(exc.orig).__name__
    return orm, raw


def test_raw_sql_is_not_translated_on_sqlite():
    with _two_tenants_sqlite() as (engine, tenants, search_path):
        # the ORM query reads user_2's two rows; the same SQL as text reads the first `orders` SQLite finds: user_1's
        assert _raw_and_orm_counts(engine, tenants, search_path, "user_2") == (2, 1)


@needs_postgres
def test_raw_sql_reads_another_tenant_on_postgres():
    with _two_tenants_postgres() as (engine, tenants, search_path):
        # the ORM query reads tenant 1's one row; the text reads whatever search_path finds: tenant 2's two
        assert _raw_and_orm_counts(engine, tenants, search_path, tenants[0]) == (1, 2)


def _names(metadata: sa.MetaData, schema: str | None) -> dict[str, list[str]]:
    """Index and constraint names SQLAlchemy gives `products` under `metadata`'s convention."""
    sa.Table("brands", metadata, sa.Column("id", sa.Integer, primary_key=True), schema=schema)
    table = sa.Table(
        "products", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String, index=True),
        sa.Column("a", sa.Integer), sa.Column("b", sa.Integer, unique=True),
        sa.Column("brand_id", sa.ForeignKey(f"{schema + '.' if schema else ''}brands.id")),
        sa.Index(None, "a", "b"), sa.UniqueConstraint("a", "b"), schema=schema,
    )
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex, CreateTable

    ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    ddl += "".join(str(CreateIndex(i).compile(dialect=postgresql.dialect())) for i in table.indexes)
    import re

    return sorted(re.findall(r"(?:CONSTRAINT|INDEX) (\w+)", ddl))


LABELS = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(column_0_N_label)s", "pk": "pk_%(column_0_label)s",
          "fk": "fk_%(column_0_label)s_%(referred_table_name)s"}


def test_the_default_convention_renames_indexes_once_the_schema_is_added():
    assert _names(sa.MetaData(), None) == ["ix_products_a", "ix_products_title"]
    assert _names(sa.MetaData(), "tenant") == ["ix_tenant_products_a", "ix_tenant_products_title"]
    keep = {"ix": kept(DEFAULT_CONVENTION["ix"])}
    assert _names(sa.MetaData(naming_convention=keep), "tenant") == ["ix_products_a", "ix_products_title"]


def test_kept_templates_reproduce_every_single_column_label_token_and_not_multi_column_n_labels():
    before = _names(sa.MetaData(naming_convention=LABELS), None)
    after = _names(sa.MetaData(naming_convention=LABELS), "tenant")
    assert before == ["fk_products_brand_id_brands", "ix_products_a", "ix_products_title", "pk_products_id",
                      "uq_products_a_products_b", "uq_products_b"]
    assert after == ["fk_tenant_products_brand_id_brands", "ix_tenant_products_a", "ix_tenant_products_title",
                     "pk_tenant_products_id", "uq_tenant_products_a_tenant_products_b", "uq_tenant_products_b"]
    fixed = _names(sa.MetaData(naming_convention={k: kept(v) for k, v in LABELS.items()}), "tenant")
    # every name is kept but the two-column unique constraint's: `column_0_N_label` repeats the table
    assert sorted(set(before) - set(fixed)) == ["uq_products_a_products_b"]
    assert sorted(set(fixed) - set(before)) == ["uq_products_a_b"]


def test_render_agrees_with_sqlalchemy_and_renames_flags_what_no_token_reproduces():
    pair = Named("uq", "products", ("a", "b"))
    assert render(LABELS["uq"], pair, None) == "uq_products_a_products_b"
    assert render(LABELS["uq"], pair, "tenant") == "uq_tenant_products_a_tenant_products_b"
    assert render(LABELS["fk"], Named("fk", "products", ("brand_id",), "brands"), "tenant") == \
        "fk_tenant_products_brand_id_brands"
    found = renames(LABELS, [pair, Named("ix", "products", ("title",))], "tenant")
    assert [(r.old, r.new, r.fixable) for r in found] == [
        ("uq_products_a_products_b", "uq_tenant_products_a_tenant_products_b", False),
        ("ix_products_title", "ix_tenant_products_title", True),
    ]


def _autogenerate(engine, metadata, schema="tenant"):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_schemas": True, "include_name": lambda name, kind, _: kind != "schema" or name == schema})
        return sorted((diff[0], diff[1].name) for diff in compare_metadata(context, metadata))


def _indexed(metadata: sa.MetaData, schema="tenant") -> sa.MetaData:
    sa.Table("products", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("title", sa.String, index=True), schema=schema)
    return metadata


def test_alembic_autogenerate_proposes_index_changes_without_the_kept_convention_and_none_with_it():
    engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    with engine.begin() as conn:  # a tenant created before the schema was added, as `tenant` for the comparison
        conn.exec_driver_sql("ATTACH DATABASE ':memory:' AS tenant")
        conn.exec_driver_sql("CREATE TABLE tenant.products (id INTEGER NOT NULL PRIMARY KEY, title VARCHAR)")
        conn.exec_driver_sql("CREATE INDEX tenant.ix_products_title ON products (title)")
    assert _autogenerate(engine, _indexed(sa.MetaData())) == [
        ("add_index", "ix_tenant_products_title"), ("remove_index", "ix_products_title")]
    keep = sa.MetaData(naming_convention={"ix": kept(DEFAULT_CONVENTION["ix"])})
    assert _autogenerate(engine, _indexed(keep)) == []


@needs_postgres
def test_alembic_autogenerate_on_postgres_against_a_tenant_created_before_the_change():
    engine = sa.create_engine(DATABASE_URL)
    tenant = f"tnt010_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:  # the tenant as `create_all` made it before the models had a schema
        conn.exec_driver_sql(f"CREATE SCHEMA {tenant}")
        conn.exec_driver_sql(f"CREATE TABLE {tenant}.products (id SERIAL PRIMARY KEY, title VARCHAR)")
        conn.exec_driver_sql(f"CREATE INDEX ix_products_title ON {tenant}.products (title)")
    try:
        # compared with that tenant, the models name its schema (what the placeholder becomes for it)
        assert _autogenerate(engine, _indexed(sa.MetaData(), tenant), tenant) == [
            ("add_index", f"ix_{tenant}_products_title"), ("remove_index", "ix_products_title")]
        keep = sa.MetaData(naming_convention={"ix": kept(DEFAULT_CONVENTION["ix"])})
        assert _autogenerate(engine, _indexed(keep, tenant), tenant) == []
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {tenant} CASCADE")
        engine.dispose()


@needs_postgres
@pytest.mark.parametrize("name", [
    "add_column", "alter_column", "drop_column", "rename_table", "bulk_insert", "batch_alter_table",
    "create_index", "drop_index", "create_unique_constraint", "create_check_constraint", "create_foreign_key",
    "drop_constraint", "create_table", "drop_table", "create_table_comment",
])
def test_which_alembic_operations_schema_translate_map_translates(name):
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    calls = {
        "add_column": lambda op: op.add_column("products", sa.Column("x", sa.Integer), schema="tenant"),
        "alter_column": lambda op: op.alter_column("products", "title", nullable=True, schema="tenant"),
        "drop_column": lambda op: op.drop_column("products", "title", schema="tenant"),
        "rename_table": lambda op: op.rename_table("products", "items", schema="tenant"),
        "bulk_insert": lambda op: op.bulk_insert(sa.table("products", sa.column("id"), schema="tenant"), [{"id": 9}]),
        "batch_alter_table": _batch,
        "create_index": lambda op: op.create_index("ix_p_title", "products", ["title"], schema="tenant"),
        "drop_index": lambda op: op.drop_index("ix_products_title", table_name="products", schema="tenant"),
        "create_unique_constraint": lambda op: op.create_unique_constraint("uq_p", "products", ["title"], schema="tenant"),
        "create_check_constraint": lambda op: op.create_check_constraint("ck_p", "products", "id > 0", schema="tenant"),
        "create_foreign_key": lambda op: op.create_foreign_key("fk_p", "products", "brands", ["brand_id"], ["id"],
                                                               source_schema="tenant", referent_schema="tenant"),
        "drop_constraint": lambda op: op.drop_constraint("uq_products_code", "products", schema="tenant"),
        "create_table": lambda op: op.create_table("tags", sa.Column("id", sa.Integer), schema="tenant"),
        "drop_table": lambda op: op.drop_table("brands", schema="tenant"),
        "create_table_comment": lambda op: op.create_table_comment("products", "c", schema="tenant"),
    }
    engine = sa.create_engine(DATABASE_URL)
    schema = f"tnt011_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.brands (id int primary key);"
            f"CREATE TABLE {schema}.products (id int primary key, title varchar, "
            f"code varchar CONSTRAINT uq_products_code UNIQUE, brand_id int);"
            f"CREATE INDEX ix_products_title ON {schema}.products (title)")
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(schema_translate_map={"tenant": schema})
            try:
                with conn.begin():
                    calls[name](Operations(MigrationContext.configure(conn)))
                translated = True
            except sa.exc.ProgrammingError as exc:  # schema "tenant" / relation "tenant.products" does not exist
                assert '"tenant' in str(exc.orig)
                translated = False
        assert translated is (name not in UNTRANSLATED)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def _batch(op):
    with op.batch_alter_table("products", schema="tenant") as batch:
        batch.add_column(sa.Column("y", sa.Integer))


def _imports_after_check(root) -> list[str]:
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from tenantlint.config import Config; "
            "from tenantlint.engine import analyze; r = Path(sys.argv[1]); analyze([r], Config(root=r), use_cache=False); "
            "print(sorted(m for m in ('sqlglot', 'alembic') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_sqlglot_and_alembic_are_imported_only_when_sql_names_a_tenant_table(tmp_path):
    models = tmp_path / "app" / "models" / "user" / "order.py"
    models.parent.mkdir(parents=True)
    models.write_text('from sqlalchemy import Column, Integer, text\nfrom sqlalchemy.orm import DeclarativeBase\n\n\n'
                      'class Base(DeclarativeBase):\n    pass\n\n\nclass Order(Base):\n    __tablename__ = "orders"\n'
                      '    id = Column(Integer, primary_key=True)\n\n\nPING = text("SELECT 1 FROM accounts")\n')
    assert _imports_after_check(tmp_path) == "[]"
    models.write_text(models.read_text().replace("accounts", "orders"))
    assert _imports_after_check(tmp_path) == "['sqlglot']"
