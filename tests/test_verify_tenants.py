"""`tenantlint verify --tenants`: existing tenant schemas, created the old way, compared with the models.

Every test works in its own throw-away schemas (`tl<random>_...`) and drops them at the end.
"""

import json
import re
import textwrap
import uuid
from pathlib import Path

import pytest

from conftest import DATABASE_URL, needs_postgres, run_tenantlint

MODELS = {
    "shop/__init__.py": "",
    "shop/base.py": """
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass
    """,
    "shop/models/__init__.py": "",
    "shop/models/public/__init__.py": "",
    "shop/models/public/account.py": """
        from sqlalchemy import Column, Integer
        from shop.base import Base

        class Account(Base):
            __tablename__ = "accounts"
            __table_args__ = {{"schema": "{shared}"}}
            id = Column(Integer, primary_key=True)
    """,
    "shop/models/user/__init__.py": "",
    "shop/models/user/product.py": """
        from sqlalchemy import Column, Enum, ForeignKey, Integer, String
        from shop.base import Base

        class Product(Base):
            __tablename__ = "products"
            __table_args__ = {{"schema": "tenant"}}
            id = Column(Integer, primary_key=True)
            title = Column(String(200), index=True)
            sku = Column(String(40), nullable=False, unique=True)
            status = Column(Enum("draft", "active", "sold", name="product_status", schema="tenant"))
            account_id = Column(ForeignKey("{shared}.accounts.id"))
    """,
    "shop/models/user/order.py": """
        from sqlalchemy import Column, Enum, ForeignKey, Integer, Sequence, Text
        from shop.base import Base

        class Order(Base):
            __tablename__ = "orders"
            __table_args__ = {{"schema": "tenant"}}
            id = Column(Integer, Sequence("order_number_seq", schema="tenant"), primary_key=True)
            product_id = Column(ForeignKey("tenant.products.id"))
            state = Column(Enum("new", "paid", name="order_state", schema="{shared}"))
            note = Column(Text)
    """,
}

# `user_2` the old way by hand: DDL as a migration run per tenant would have left it.
USER_2 = """
CREATE TYPE {s}.order_state AS ENUM ('new', 'paid');
CREATE TABLE {s}.products (
    id serial PRIMARY KEY, title varchar(100), sku varchar(40), legacy_code text,
    status {shared}.product_status, account_id integer REFERENCES {shared}.accounts (id));
CREATE INDEX ix_products_title ON {s}.products (title);
ALTER TABLE {s}.products ADD CONSTRAINT products_sku_key UNIQUE (sku);
CREATE SEQUENCE {s}.order_number_seq;
CREATE TABLE {s}.orders (id integer PRIMARY KEY, product_id integer REFERENCES {u1}.products (id),
    state {s}.order_state);
CREATE TABLE {s}.old_notes (id integer PRIMARY KEY);
"""

# `user_3` the old way through SQLAlchemy: `SET search_path` + `create_all` of the models as
# they were before the placeholder (no schema anywhere), then a migration that never ran here.
OLD_MODELS = """
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("accounts", metadata, sa.Column("id", sa.Integer, primary_key=True), schema={shared!r})
sa.Table("products", metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("title", sa.String(200), index=True), sa.Column("sku", sa.String(40), nullable=False),
         sa.Column("status", sa.Enum("draft", "active", name="product_status")),
         sa.Column("account_id", sa.ForeignKey({shared!r} + ".accounts.id")),
         sa.Index("ix_products_legacy", "sku", "title"))
"""


def write_models(root: Path, shared: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[tool.tenantlint]\ntenant-paths = ["**/models/user/**"]\n')
    for rel, source in MODELS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source.format(shared=shared)))
    return root


# A write to any of these catalogs, even one undone, changes a row's xmin: the dump would differ.
DUMP = """
SELECT 'class', n.nspname, c.relname, c.relkind::text, c.xmin::text FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE :prefix
UNION ALL SELECT 'attribute', n.nspname, c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod), a.xmin::text
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname LIKE :prefix AND a.attnum > 0
UNION ALL SELECT 'constraint', n.nspname, co.conname, pg_get_constraintdef(co.oid), co.xmin::text
  FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname LIKE :prefix
UNION ALL SELECT 'type', n.nspname, t.typname, t.typtype::text, t.xmin::text
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname LIKE :prefix
UNION ALL SELECT 'enum', n.nspname, t.typname, e.enumlabel, e.xmin::text FROM pg_enum e
  JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname LIKE :prefix
ORDER BY 1, 2, 3, 4
"""


@pytest.fixture
def tenants(tmp_path):
    """Four tenant schemas and a shared one: user_1 clean, user_2..user_4 drifted; dropped at the end."""
    import sqlalchemy as sa

    prefix = f"tl{uuid.uuid4().hex[:8]}_"
    shared, names = f"{prefix}shared", {n: f"{prefix}user_{n}" for n in (1, 2, 3, 4)}
    app = write_models(tmp_path / "app", shared)
    engine = sa.create_engine(DATABASE_URL)
    try:
        with engine.begin() as conn:
            for schema in [shared, *names.values()]:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            # a shared enum left behind by the tenants that were created after the switch
            conn.exec_driver_sql(f"CREATE TYPE {shared}.product_status AS ENUM ('draft', 'active', 'sold')")
        models = _import_models(app)
        with engine.begin() as conn:
            # a table's own create: a metadata's would create every enum, `tenant.` ones too
            models.metadata.tables[f"{shared}.accounts"].create(conn)
        for n in (1, 4):  # the new way: through schema_translate_map
            with engine.execution_options(schema_translate_map={"tenant": names[n]}).begin() as conn:
                models.metadata.create_all(conn)
        with engine.begin() as conn:
            conn.exec_driver_sql(USER_2.format(s=names[2], u1=names[1], shared=shared))
            conn.exec_driver_sql(f"SET search_path TO {names[3]}")
            old: dict = {}
            exec(OLD_MODELS.format(shared=shared), old)
            old["metadata"].tables["products"].create(conn)
            conn.exec_driver_sql("SET search_path TO DEFAULT")
            # user_4: a later migration changed the index by hand
            conn.exec_driver_sql(f"DROP INDEX {names[4]}.ix_tenant_products_title")
            conn.exec_driver_sql(f"CREATE INDEX ix_tenant_products_title ON {names[4]}.products (title, sku)")
            for n, version in ((1, "b2"), (3, "a1"), (4, "b2")):
                conn.exec_driver_sql(f"CREATE TABLE {names[n]}.alembic_version (version_num varchar(32) PRIMARY KEY)")
                conn.exec_driver_sql(f"INSERT INTO {names[n]}.alembic_version VALUES ('{version}')")
        yield app, prefix, shared, names
    finally:
        with engine.begin() as conn:
            for schema in [*names.values(), shared]:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


def _import_models(app: Path):
    """The app's models in a Base of their own, so the fixture creates tenants as the app would."""
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        pass

    namespace = {"Base": Base}
    for rel in ("shop/models/public/account.py", "shop/models/user/product.py", "shop/models/user/order.py"):
        source = (app / rel).read_text().replace("from shop.base import Base\n", "")
        exec(compile(source, rel, "exec"), namespace)
    return Base


def dump(prefix: str) -> list[tuple]:
    import sqlalchemy as sa

    engine = sa.create_engine(DATABASE_URL)
    try:
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(sa.text(DUMP), {"prefix": prefix.replace("_", "\\_") + "%"})]
            versions = [tuple(r) for r in conn.exec_driver_sql(
                " UNION ALL ".join(f"SELECT '{s}', version_num, xmin::text FROM {s}.alembic_version"
                                   for s in (f"{prefix}user_1", f"{prefix}user_3", f"{prefix}user_4")))]
        return rows + versions
    finally:
        engine.dispose()


@needs_postgres
def test_every_drift_reported_once_and_nothing_changed(tenants):
    app, prefix, shared, names = tenants
    u1, u2, u3, u4 = (names[n] for n in (1, 2, 3, 4))
    before = dump(prefix)
    result = run_tenantlint("verify", "shop.models", "--database-url", DATABASE_URL, "--tenants", f"{prefix}user_*",
                 "--output-format", "json", cwd=app)
    assert result.exit_code == 1, result.stderr
    found = [(f["code"], f.get("tenant"), f["path"], f["line"], f["model"], f["message"]) for f in json.loads(result.stdout)]
    product, order = "shop/models/user/product.py", "shop/models/user/order.py"
    module = "shop/models/__init__.py"
    assert found == [
        # the models' own problem comes first, with no tenant: the shared enum is what TNT112 checks below
        ("TNT104", None, order, 5, "Order", "Enum `order_state` of `orders.state` has no `schema=\"tenant\"`: it is "
         "shared by every tenant"),
        # the default convention puts the schema into the index name (TNT120): the tenants hold either name
        ("TNT120", None, product, 5, "Product", "Table `tenant.products`: the naming convention gives other names "
         "with the `tenant` schema than without it: `ix_products_title` -> `ix_tenant_products_title`"),
        ("TNT109", u2, order, 5, "Order", f"Tenant `{u2}`: column `orders.note` is missing (models: `text`)"),
        ("TNT109", u2, product, 5, "Product", f"Tenant `{u2}`: column `products.title` is `character varying(100)`, "
         "the models say `character varying(200)`"),
        ("TNT109", u2, product, 5, "Product", f"Tenant `{u2}`: column `products.sku` is nullable, the models say "
         "NOT NULL"),
        ("TNT109", u2, product, 5, "Product", f"Tenant `{u2}`: column `products.legacy_code` (`text`) is not in the "
         "models"),
        ("TNT110", u2, product, 5, "Product", f"Tenant `{u2}`: index `ix_products_title` (title) on `products` is "
         "named differently: the models name it `ix_tenant_products_title`"),
        ("TNT108", u2, module, 1, None, f"Tenant `{u2}`: table `{u2}.old_notes` is not in the models"),
        ("TNT111", u2, order, 5, "Order", f"Tenant `{u2}`: foreign key `orders_product_id_fkey` of `orders` points "
         f"to `{u1}.products`, outside the tenant's schema"),
        ("TNT112", u2, order, 5, "Order", f"Tenant `{u2}`: enum type `order_state` is `{u2}.order_state`, the models "
         f"expect `{shared}.order_state`"),
        ("TNT112", u2, product, 5, "Product", f"Tenant `{u2}`: enum type `product_status` is "
         f"`{shared}.product_status`, the models expect `{u2}.product_status`"),
        ("TNT113", u2, module, 1, None, f"Tenant `{u2}`: no `alembic_version` table: per-tenant upgrades skip this "
         "tenant"),
        ("TNT108", u3, order, 5, "Order", f"Tenant `{u3}`: table `{u3}.orders` is missing"),
        ("TNT110", u3, product, 5, "Product", f"Tenant `{u3}`: index `ix_products_title` (title) on `products` is "
         "named differently: the models name it `ix_tenant_products_title`"),
        ("TNT110", u3, product, 5, "Product", f"Tenant `{u3}`: unique constraint (sku) on `products` is missing"),
        ("TNT110", u3, product, 5, "Product", f"Tenant `{u3}`: index `ix_products_legacy` (sku, title) on `products` "
         "is not in the models"),
        ("TNT112", u3, order, 5, "Order", f"Tenant `{u3}`: sequence `{u3}.order_number_seq` is missing"),
        ("TNT112", u3, product, 5, "Product", f"Tenant `{u3}`: enum type `{u3}.product_status` has the values "
         "('draft', 'active'), the models ('draft', 'active', 'sold')"),
        ("TNT113", u3, module, 1, None, f"Tenant `{u3}`: Alembic revision `a1`, while 2 of 3 versioned tenants are "
         "at `b2`"),
        ("TNT110", u4, product, 5, "Product", f"Tenant `{u4}`: index `ix_tenant_products_title` (title, sku) on "
         "`products` differs: the models say index `ix_tenant_products_title` (title)"),
    ]
    assert u1 not in {f[1] for f in found}  # the clean tenant passes
    assert result.stderr == ""  # JSON on stdout is the whole answer; every finding names its tenant
    assert dump(prefix) == before


@needs_postgres
def test_text_output_and_clean_tenant_exit_0(tenants):
    app, prefix, shared, names = tenants
    # --ignore TNT104,TNT120: the models share `order_state` and keep the default index convention on
    # purpose here; the tenants are what is checked
    clean = run_tenantlint("verify", "shop.models", "--database-url", DATABASE_URL, "--tenants", names[1], "--ignore", "TNT104,TNT120", cwd=app)
    assert (clean.exit_code, clean.stdout) == (0, "All checks passed!\n")
    assert clean.stderr.endswith("1 tenant: 1 match, 0 differ.\n")
    one = run_tenantlint("verify", "shop.models", "--database-url", DATABASE_URL, "--tenants", names[4], "--ignore", "TNT104,TNT120", cwd=app)
    assert re.sub(r"\d+\.\d\d s\)", "0.01 s)", one.stderr) == (
        "Checked 3 tables (2 per tenant, 1 shared).\n"
        f"Compared 1 tenant schema matching '{names[4]}' with 2 tenant tables of the models (8 queries, "
        "0.01 s).\n"
        "Read-only: one READ ONLY transaction, rolled back; nothing was created, altered or dropped. "
        "The live probe does not run with --tenants.\n"
        "1 tenant: 0 match, 1 differ.\n"
    )
    assert (one.exit_code, one.stdout) == (1, (
        f"shop/models/user/product.py:5:7: TNT110 Tenant `{names[4]}`: index `ix_tenant_products_title` (title, sku) "
        "on `products` differs: the models say index `ix_tenant_products_title` (title)\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"
    ))
    nothing = run_tenantlint("verify", "shop.models", "--database-url", DATABASE_URL, "--tenants", f"{prefix}nobody_*",
                  "--ignore", "TNT104,TNT120", cwd=app)
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (
        2, "", f"tenantlint: error: no schema matches --tenants '{prefix}nobody_*'\n")


def test_tenants_needs_a_postgresql_url(tmp_path):
    app = write_models(tmp_path, "shared")
    missing = run_tenantlint("verify", "shop.models", "--tenants", "user_*", cwd=app)
    assert missing.exit_code == 2
    assert missing.stderr.endswith(
        "Error: --tenants needs --database-url (a postgresql:// URL): it reads the existing schemas\n")
    sqlite = run_tenantlint("verify", "shop.models", "--tenants", "user_*", "--database-url", "sqlite://", cwd=app)
    assert sqlite.exit_code == 2
    assert sqlite.stderr.endswith(
        "Error: --tenants needs a PostgreSQL --database-url (postgresql://... or postgresql+DRIVER://...)\n")


@pytest.mark.parametrize(("sqlalchemy_spelling", "postgresql_spelling"), [
    ("VARCHAR(100)", "character varying(100)"),
    ("VARCHAR", "character varying"),
    ("NUMERIC(10, 2)", "numeric(10,2)"),
    ("TIMESTAMP WITHOUT TIME ZONE", "timestamp without time zone"),
    ("TIMESTAMP(3) WITH TIME ZONE", "timestamp(3) with time zone"),
    ("FLOAT", "double precision"),
    ("INTEGER[]", "integer[]"),
    ("CHAR(2)", "character(2)"),
])
def test_type_spellings_meet(sqlalchemy_spelling, postgresql_spelling):
    from tenantlint.tenant_catalog import normalize_type

    assert normalize_type(sqlalchemy_spelling) == postgresql_spelling
    assert normalize_type(postgresql_spelling) == postgresql_spelling
