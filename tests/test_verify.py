"""`tenantlint verify` on real modules: SQLAlchemy imports them, SQLite or PostgreSQL runs the probe.

Each run is a subprocess: the fixture apps both define a `backend` package, and verify imports it.
"""

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path


from conftest import DATABASE_URL, needs_postgres, run_tenantlint

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixed_app(tmp_path: Path) -> Path:
    """fixtures/app copied and fixed by `tenantlint fix` (so the test proves the fix, not the golden copy)."""
    app = tmp_path / "app"
    shutil.copytree(FIXTURES / "app", app)
    result = run_tenantlint("fix", cwd=app, in_process=True)
    # left: AiCredit (TNT003, verify checks it) and the report-only TNT009 and TNT011 cases
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (1, "Fixed 41 problems in 19 files."), result.stdout
    return app


def write(root: Path, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text('[tool.tenantlint]\ntenant-paths = ["**/models/user/**"]\n')
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


def test_fixed_app_passes_on_sqlite(tmp_path):
    result = run_tenantlint("verify", "backend.models", cwd=fixed_app(tmp_path))
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n")
    assert result.stderr == (
        "Checked 23 tables (20 per tenant, 3 shared).\n"
        "Probe on SQLite in memory: tables created per tenant schema (user_1: 20, user_2: 20).\n"
        "Probe row in `brands` written as user_1; rows seen (user_1: 1, user_2: 0).\n"
    )


def test_unfixed_app_fails_naming_tables_on_sqlite():
    result = run_tenantlint("verify", "backend.models", "--output-format", "json", cwd=FIXTURES / "app")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    missing = sorted(f["message"].split("`")[1] for f in findings if f["code"] == "TNT101")
    assert missing == sorted([
        "batch_jobs", "brands", "categories", "customer_messages", "marketplace_jobs", "marketplace_tasks",
        "order_lines", "orders", "product_images", "product_tags", "products", "publication_history", "tags",
        "vinted_connections", "vinted_conversations", "vinted_error_log", "vinted_job_stats", "vinted_products",
    ])
    products = next(f for f in findings if f["model"] == "Product")
    assert {k: products[k] for k in ("path", "line", "column", "fixable")} == {
        "path": "backend/models/user/product.py", "line": 9, "column": 7, "fixable": False,
    }
    leak = [f for f in findings if f["code"] == "TNT106"]
    assert [(f["path"], f["message"]) for f in leak] == [(
        "backend/models/user/brand.py",
        "Table `brands` (model `Brand`): a row written as probe tenant `user_1` is not isolated "
        "(rows seen: user_1: 1, user_2: 1)",
    )]


def test_import_error_exits_2_without_traceback(tmp_path):
    write(tmp_path, {
        "shop/__init__.py": "",
        "shop/models/__init__.py": "",
        "shop/models/user/__init__.py": "",
        "shop/models/user/broken.py": """
            from sqlalchemy import Column, Integer, UniqueConstraint
            from sqlalchemy.orm import DeclarativeBase

            class Base(DeclarativeBase):
                pass

            class Product(Base):
                __tablename__ = "products"
                __table_args__ = ({"schema": "tenant"}, UniqueConstraint("id"))
                id = Column(Integer, primary_key=True)
        """,
    })
    result = run_tenantlint("verify", "shop", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("tenantlint: error: cannot import shop.models.user.broken: ArgumentError: ")
    assert "Traceback" not in result.stderr


def test_missing_module_exits_2(tmp_path):
    result = run_tenantlint("verify", "no_such_app", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        2, "tenantlint: error: cannot import no_such_app: ModuleNotFoundError: No module named 'no_such_app'\n"
    )


HEADER = """
from sqlalchemy import Column, Enum, ForeignKey, Integer, Sequence, String
from sqlalchemy.orm import declared_attr
from shop.base import Base
"""


def runtime_app(root: Path) -> Path:
    return write(root, {
        "src/shop/__init__.py": "",
        "src/shop/base.py": """
            from sqlalchemy.orm import DeclarativeBase, declared_attr

            class Base(DeclarativeBase):
                pass

            class TenantMixin:
                @declared_attr.directive
                def __table_args__(cls):
                    return {"schema": "tenant"}
        """,
        "src/shop/models/__init__.py": "",
        "src/shop/models/public/__init__.py": "",
        "src/shop/models/public/plan.py": HEADER + """
from shop.base import TenantMixin

class Plan(TenantMixin, Base):
    __tablename__ = "plans"
    id = Column(Integer, primary_key=True)

class Settings(Base):
    __tablename__ = "settings"
    id = Column(Integer, primary_key=True)
    last_order_id = Column(ForeignKey("tenant.orders.id"))
""",
        "src/shop/models/user/__init__.py": "",
        "src/shop/models/user/order.py": HEADER + """
class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, Sequence("orders_id_seq"), primary_key=True)
    status = Column(Enum("new", "paid", name="order_status"))

    @declared_attr.directive
    def __table_args__(cls):
        return {"schema": "tenant"}

class UserSettings(Base):
    __tablename__ = "settings"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    plan_id = Column(ForeignKey("plan.id"))

class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)

    @declared_attr.directive
    def __table_args__(cls):
        return {}
""",
    })


def test_runtime_rules_with_path_option(tmp_path):
    app = runtime_app(tmp_path)
    result = run_tenantlint("verify", "shop.models", "--path", "src", "--output-format", "json", cwd=app)
    assert result.exit_code == 1, result.stderr
    found = [(f["code"], f["path"], f["line"], f["column"], f["model"], f["message"]) for f in json.loads(result.stdout)]
    assert found == [
        ("TNT106", "src/shop/models/__init__.py", 1, 1, None,
         "The live probe did not run: a foreign key does not resolve (TNT103); "
         "a shared table references a tenant table (TNT107)"),
        ("TNT102", "src/shop/models/public/plan.py", 8, 7, "Plan",
         "Table `tenant.plans` (model `Plan`) has the tenant schema `tenant` but is defined outside the tenant paths"),
        ("TNT107", "src/shop/models/public/plan.py", 12, 7, "Settings",
         "Shared table `settings` has a foreign key to tenant table `tenant.orders`"),
        ("TNT104", "src/shop/models/user/order.py", 6, 7, "Order",
         "Sequence `orders_id_seq` of `orders.id` has no `schema=\"tenant\"`: it is shared by every tenant"),
        ("TNT104", "src/shop/models/user/order.py", 6, 7, "Order",
         "Enum `order_status` of `orders.status` has no `schema=\"tenant\"`: it is shared by every tenant"),
        ("TNT103", "src/shop/models/user/order.py", 15, 7, "UserSettings",
         "Foreign key `tenant.settings.plan_id` -> `plan.id` does not resolve (NoReferencedTableError)"),
        ("TNT105", "src/shop/models/user/order.py", 15, 7, "UserSettings",
         "Table name `settings` exists both shared and per tenant: a plain string reference to it is ambiguous"),
        ("TNT101", "src/shop/models/user/order.py", 21, 7, "Note",
         "Table `notes` (model `Note`) is defined in a tenant path but has no schema: it needs `tenant`"),
    ]
    assert run_tenantlint("verify", "shop.models", "--path", "src", "--select", "TNT101", "-q", cwd=app).stdout == (
        "src/shop/models/__init__.py:1:1: TNT106 The live probe did not run: a foreign key does not resolve "
        "(TNT103); a shared table references a tenant table (TNT107)\n"
        "src/shop/models/user/order.py:21:7: TNT101 Table `notes` (model `Note`) is defined in a tenant path "
        "but has no schema: it needs `tenant`\n"
    )
    assert run_tenantlint("verify", "shop.models", "--path", "src", "--exit-zero", "-q", cwd=app).exit_code == 0


def test_check_does_not_import_sqlalchemy():
    code = ("import sys, tenantlint.cli, tenantlint.engine, tenantlint.context, tenantlint.rules; "
            "tenantlint.rules.static_rules(); print('sqlalchemy' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False\n"


# --- PostgreSQL -------------------------------------------------------------------------------

PG_FACTS = """
import json, sys
from pathlib import Path
from tenantlint.config import load_config
from tenantlint.verify import verify
result = verify(["backend.models"], load_config(None, [Path.cwd()]), sys.argv[1], schema_prefix="")
facts = result.facts
print(json.dumps({"codes": [f.code for f in result.findings], "created": facts.created,
                  "foreign_keys": facts.foreign_keys, "isolation": facts.isolation, "dropped": facts.dropped}))
"""


def pg_schemas() -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(DATABASE_URL)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(text(
                "SELECT schema_name FROM information_schema.schemata"
                " WHERE schema_name NOT LIKE 'pg\\_%' AND schema_name <> 'information_schema'"
            )).scalars())
    finally:
        engine.dispose()


@needs_postgres
def test_fixed_app_on_postgresql_tables_fks_rows_and_cleanup(tmp_path):
    app = fixed_app(tmp_path)
    before = pg_schemas()
    result = subprocess.run([sys.executable, "-c", PG_FACTS, DATABASE_URL], cwd=app, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["codes"] == []
    tenant_tables = sorted([
        "ai_credits", "batch_jobs", "brands", "categories", "customer_messages", "marketplace_jobs",
        "marketplace_tasks", "order_lines", "orders", "product_images", "product_tags", "products",
        "publication_history", "sync_cursors", "tags", "vinted_connections", "vinted_conversations",
        "vinted_error_log", "vinted_job_stats", "vinted_products",
    ])
    assert facts["created"] == {"user_1": tenant_tables, "user_2": tenant_tables}
    # every foreign key of a tenant table points into its own schema, or to a shared table
    shared = {"users", "plans", "marketplaces"}
    for schema, table, ref_schema, ref_table in facts["foreign_keys"]:
        assert (ref_schema, ref_table in shared) in ((schema, False), ("shared", True)), (schema, table, ref_schema)
    fks = {(s, t, rs, rt) for s, t, rs, rt in map(tuple, facts["foreign_keys"])}
    assert ("user_1", "order_lines", "user_1", "products") in fks
    assert ("user_2", "product_tags", "user_2", "tags") in fks
    assert ("user_2", "products", "shared", "users") in fks
    assert facts["isolation"] == {"user_1": 1, "user_2": 0}
    assert facts["dropped"] is True
    assert pg_schemas() == before  # user_1, user_2 and shared are gone


@needs_postgres
def test_cli_on_postgresql_fixed_and_unfixed(tmp_path):
    before = pg_schemas()
    fixed = run_tenantlint("verify", "backend.models", "--database-url", DATABASE_URL, cwd=fixed_app(tmp_path))
    assert (fixed.exit_code, fixed.stdout) == (0, "All checks passed!\n")
    assert "Probe schemas dropped.\n" in fixed.stderr
    unfixed = run_tenantlint("verify", "backend.models", "--database-url", DATABASE_URL, "-q", cwd=FIXTURES / "app")
    assert unfixed.exit_code == 1
    assert ("backend/models/user/product.py:9:7: TNT101 Table `products` (model `Product`) is defined in a "
            "tenant path but has no schema: it needs `tenant` [fix: TNT001]\n") in unfixed.stdout
    assert ("backend/models/user/brand.py:7:7: TNT106 Table `brands` (model `Brand`): a row written as probe "
            "tenant `user_1` is not isolated (rows seen: user_1: 1, user_2: 1) [fix: TNT001]\n") in unfixed.stdout
    assert pg_schemas() == before


@needs_postgres
def test_existing_schema_is_never_touched(tmp_path):
    from sqlalchemy import create_engine

    engine = create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE SCHEMA user_2")
        conn.exec_driver_sql("CREATE TABLE user_2.keep_me (id int)")
    try:
        app = fixed_app(tmp_path)
        result = subprocess.run([sys.executable, "-c", PG_FACTS, DATABASE_URL], cwd=app, capture_output=True, text=True)
        assert json.loads(result.stdout)["codes"] == ["TNT106"]
        assert "user_2" in pg_schemas() and "user_1" not in pg_schemas() and "shared" not in pg_schemas()
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql("DROP SCHEMA user_2 CASCADE")
        engine.dispose()


@needs_postgres
def test_enum_and_sequence_with_placeholder_schema_follow_the_tenant():
    """Fact 8 on a real server: `schema="tenant"` puts the type and the sequence in each tenant schema."""
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Widget(Base):
        __tablename__ = "widgets"
        __table_args__ = {"schema": "tenant"}
        id: Mapped[int] = mapped_column(sa.Integer, sa.Sequence("widget_seq", schema="tenant"), primary_key=True)
        color = mapped_column(sa.Enum("red", "blue", name="widget_color", schema="tenant"))

    engine = sa.create_engine(DATABASE_URL)
    tenants = ("tl_enum_1", "tl_enum_2")
    try:
        with engine.begin() as conn:
            for schema in tenants:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        for schema in tenants:
            with engine.execution_options(schema_translate_map={"tenant": schema}).begin() as conn:
                Base.metadata.create_all(conn)
                conn.execute(sa.insert(Widget).values(color="red"))
        with engine.connect() as conn:
            types = conn.execute(sa.text(
                "SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                " WHERE t.typname = 'widget_color' ORDER BY 1")).scalars().all()
            sequences = conn.execute(sa.text(
                "SELECT schemaname FROM pg_sequences WHERE sequencename = 'widget_seq' ORDER BY 1")).scalars().all()
        assert types == list(tenants)
        assert sequences == list(tenants)
    finally:
        with engine.begin() as conn:
            for schema in tenants:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


def test_sqlmodel_tables_are_found(tmp_path):
    root = write(tmp_path, {
        "shop/__init__.py": "",
        "shop/models/__init__.py": "from .user.hero import Hero\n",
        "shop/models/user/__init__.py": "",
        "shop/models/user/hero.py": """
            from sqlmodel import Field, SQLModel

            class Hero(SQLModel, table=True):
                id: int | None = Field(default=None, primary_key=True)
        """,
    })
    result = run_tenantlint("verify", "shop.models", "--select", "TNT101", cwd=root)
    assert (result.exit_code, result.stdout) == (1, (
        "shop/models/user/hero.py:4:7: TNT101 Table `hero` (model `Hero`) is defined in a tenant path but has "
        "no schema: it needs `tenant` [fix: TNT001]\nFound 1 problem (1 fixed by `tenantlint fix` through TNT001).\n"
    ))


def test_no_table_at_all_is_an_error_not_a_pass(tmp_path):
    root = write(tmp_path, {"plain/__init__.py": "x = 1\n"})
    result = run_tenantlint("verify", "plain", cwd=root)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("tenantlint: error: no mapped table or Table found in plain and its submodules: "
                             "name the package that defines or imports the models\n")


# A relationship over a foreign key that does not resolve ("authors" is "tenant.authors"):
# configuring the mappers fails, and no table can be created for the probe.
BROKEN_BLOG = {
    "blog/__init__.py": "from .models.user import post\n",
    "blog/models/__init__.py": "",
    "blog/models/user/__init__.py": "",
    "blog/models/user/post.py": """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import DeclarativeBase, relationship

        class Base(DeclarativeBase):
            pass

        class Author(Base):
            __tablename__ = "authors"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)

        class Post(Base):
            __tablename__ = "posts"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
            author_id = Column(ForeignKey("authors.id"))
            author = relationship(Author)
    """,
}


def test_a_foreign_key_that_breaks_the_mappers_is_a_finding(tmp_path):
    root = write(tmp_path, BROKEN_BLOG)
    result = run_tenantlint("verify", "blog", "--output-format", "json", cwd=root)
    assert result.exit_code == 1, result.stderr
    assert [(f["code"], f["path"], f["line"], f["model"]) for f in json.loads(result.stdout)] == [
        ("TNT106", "blog/__init__.py", 1, None),  # the probe did not run
        ("TNT103", "blog/models/user/post.py", 13, "Post"),  # the class line (the source starts with a blank line)
    ]


def test_a_probe_that_did_not_run_never_passes_whatever_the_selection(tmp_path):
    root = write(tmp_path, BROKEN_BLOG)
    for selection in (["--ignore", "TNT103"], ["--select", "TNT101"]):
        result = run_tenantlint("verify", "blog", *selection, cwd=root)
        assert result.exit_code == 1, selection
        assert result.stdout == (
            "blog/__init__.py:1:1: TNT106 The live probe did not run: a foreign key does not resolve (TNT103)\n"
            "Found 1 problem (0 fixable with `tenantlint fix`).\n"
        )
        assert result.stderr.endswith("Probe not run: a foreign key does not resolve (TNT103).\n")
