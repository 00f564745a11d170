"""Issue 11 item 13, the static mirror of TNT103: a string that names the placeholder schema
(`"tenant.brands.id"`, `secondary="tenant.product_tags"`) for a table that does not get it is a
finding, so `check` cannot pass on an app whose references do not resolve; SQLAlchemy agrees."""

from __future__ import annotations

from conftest import run_tenantlint, write_tree
from sqla_probe import sqlalchemy_says

PYPROJECT = '[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n'
INITS = {"app/__init__.py": "", "app/models/__init__.py": "", "app/models/user/__init__.py": "",
         "app/models/public/__init__.py": ""}
BASE = '''\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
'''
SHARED = '''\
from sqlalchemy import Column, ForeignKey, Integer, Table

from app.models.base import Base


class Brand(Base):
    __tablename__ = "brands"
    id = Column(Integer, primary_key=True)


product_tags = Table(
    "product_tags", Base.metadata,
    Column("product_id", ForeignKey("tenant.products.id")), Column("tag", Integer),
)
'''
PRODUCT = '''\
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import relationship

from app.models.base import Base
from app.models.public import brand  # noqa: F401


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    brand_id = Column(ForeignKey("tenant.brands.id"))
'''
MODULES = ("app.models.public.brand", "app.models.user.product")


def _project(tmp_path, product=PRODUCT):
    return write_tree(tmp_path, {"pyproject.toml": PYPROJECT, **INITS, "app/models/base.py": BASE,
                                 "app/models/public/brand.py": SHARED, "app/models/user/product.py": product})


def test_a_reference_into_the_schema_for_a_shared_table_keeps_check_red(tmp_path):
    root = _project(tmp_path)
    checked = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (checked.exit_code, checked.stdout) == (1, (
        "app/models/user/product.py:12:34: TNT012 Reference `tenant.brands.id` names table `brands` in the "
        "`tenant` schema, where SQLAlchemy will not find it; `brands` is a shared table: write `brands.id`\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"
    ))
    assert sqlalchemy_says(root, *MODULES) == "tenant.products: tenant.brands.id: NoReferencedTableError"


def test_secondary_in_the_schema_for_a_shared_link_table_keeps_check_red(tmp_path):
    product = PRODUCT.replace('    brand_id = Column(ForeignKey("tenant.brands.id"))\n',
                              '    tags = relationship("Brand", secondary="tenant.product_tags")\n')
    root = _project(tmp_path, product)
    checked = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (checked.exit_code, checked.stdout) == (1, (
        "app/models/user/product.py:12:44: TNT012 Reference `tenant.product_tags` names table `product_tags` in "
        "the `tenant` schema, where SQLAlchemy will not find it; `product_tags` is a shared table: write "
        "`product_tags`\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"
    ))
    assert sqlalchemy_says(root, *MODULES).startswith("mappers: InvalidRequestError")


def test_a_model_left_without_the_schema_in_the_same_module_keeps_its_references_out(tmp_path):
    """`# noqa: TNT001` keeps `Brand` out of the schema in this run: a reference naming
    `tenant.brands` is wrong, and `fix` does not qualify the plain one either (item 4)."""
    product = PRODUCT.replace("from app.models.public import brand  # noqa: F401\n", "").replace(
        "\n\nclass Product", '\n\nclass Brand(Base):  # noqa: TNT001\n    __tablename__ = "brands"\n'
        "    id = Column(Integer, primary_key=True)\n\n\nclass Product")
    root = write_tree(tmp_path, {"pyproject.toml": PYPROJECT, **INITS, "app/models/base.py": BASE,
                                 "app/models/user/product.py": product})
    checked = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (checked.exit_code, checked.stdout) == (1, (
        "app/models/user/product.py:16:34: TNT012 Reference `tenant.brands.id` names table `brands` in the "
        "`tenant` schema, where SQLAlchemy will not find it; `brands` does not get the schema in this run (its fix "
        "is suppressed (`# noqa`, `--select`, `--ignore`)): qualify this once its model has it\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"
    ))
    assert sqlalchemy_says(root, "app.models.user.product") == \
        "tenant.products: tenant.brands.id: NoReferencedTableError"


def test_a_new_misqualified_reference_is_new_to_the_baseline(tmp_path):
    root = _project(tmp_path, PRODUCT.replace("tenant.brands.id", "brands.id"))
    recorded = run_tenantlint("check", "--baseline", "baseline.json", "--update-baseline", ".", cwd=root,
                              in_process=True)
    assert recorded.exit_code == 0, recorded.stdout
    (root / "app/models/user/product.py").write_text(PRODUCT)
    checked = run_tenantlint("check", "--baseline", "baseline.json", ".", cwd=root, in_process=True)
    assert (checked.exit_code, [line for line in checked.stdout.splitlines() if "TNT" in line]) == (1, [
        "app/models/user/product.py:12:34: TNT012 Reference `tenant.brands.id` names table `brands` in the "
        "`tenant` schema, where SQLAlchemy will not find it; `brands` is a shared table: write `brands.id`",
    ])
