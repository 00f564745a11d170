"""A fix given a subset of files (issue 11 item 12b): moving a table and qualifying every reference
to it is one change. Without `--with-references` the run refuses before writing and names the
files; with it, those files join the change. Tried on a plan-01 / plan-02 split, with SQLAlchemy's
own configure_mappers on each result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import run_tenantlint, write_tree

BASE = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""

PRODUCT = """
from sqlalchemy import Column, ForeignKey, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base

product_tags = Table(
    "product_tags", Base.metadata,
    Column("product_id", ForeignKey("products.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"))
    brand = relationship("Brand")
"""

BRAND = """
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Brand(Base):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
"""

ORDER_LINE = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    product = relationship("Product")
"""

PLAN_01 = ("app/models/user/product.py",)
PLAN_02 = ("app/models/user/brand.py", "app/models/user/order_line.py")
ASSIGNMENT = '    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n'
REFUSED = (
    "tenantlint: error: the fix moves tables that files outside this run refer to without the schema, which "
    "would stop resolving: app/models/user/order_line.py (products); run again with --with-references to "
    "qualify those references too (`fix --diff --with-references` shows them); nothing was changed\n"
)


def shop(root: Path) -> Path:
    return write_tree(root, {
        "pyproject.toml": '[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n',
        "app/__init__.py": "", "app/models/__init__.py": "", "app/models/user/__init__.py": "",
        "app/models/base.py": BASE, "app/models/user/product.py": PRODUCT,
        "app/models/user/brand.py": BRAND, "app/models/user/order_line.py": ORDER_LINE,
    })


def sources(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.py"))}


def foreign_keys(root: Path) -> list[str]:
    """SQLAlchemy on the tree: configure_mappers, then where every foreign key points."""
    code = ("import importlib, pkgutil, app.models.user as u\n"
            "for m in pkgutil.iter_modules(u.__path__): importlib.import_module('app.models.user.' + m.name)\n"
            "from sqlalchemy.orm import configure_mappers\nfrom app.models.base import Base\nconfigure_mappers()\n"
            "for t in sorted(Base.metadata.tables.values(), key=lambda t: t.fullname):\n"
            "    for fk in sorted(t.foreign_keys, key=lambda fk: fk.parent.name):\n"
            "        print(f'{t.fullname}.{fk.parent.name} -> {fk.column.table.fullname}')\n")
    env = {"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_a_subset_that_moves_a_table_referenced_elsewhere_is_refused_before_writing(tmp_path):
    root = shop(tmp_path)
    before = sources(root)
    for extra in ((), ("--diff",)):
        result = run_tenantlint("fix", "--no-cache", *extra, *PLAN_01, cwd=root, in_process=True)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", REFUSED)
    assert sources(root) == before


def test_plan_01_then_plan_02_with_references_keeps_every_foreign_key_resolving(tmp_path):
    root = shop(tmp_path)
    assert foreign_keys(root) == ["order_lines.product_id -> products", "product_tags.product_id -> products",
                                  "product_tags.tag_id -> tags", "products.brand_id -> brands"]
    plan_01 = run_tenantlint("fix", "--no-cache", "--with-references", *PLAN_01, cwd=root, in_process=True)
    assert (plan_01.exit_code, plan_01.stderr) == (1, "")
    assert plan_01.stdout.endswith("Found 2 problems (0 fixable with `tenantlint fix`).\nFixed 4 problems in 2 files.\n")
    after_01 = sources(root)
    assert after_01["app/models/user/order_line.py"] == ORDER_LINE.lstrip().replace('"products.id"', '"tenant.products.id"')
    assert after_01["app/models/user/product.py"] == PRODUCT.lstrip().replace(
        '"products.id"', '"tenant.products.id"').replace(
        '    Column("tag_id", ForeignKey("tags.id"), primary_key=True),\n',
        '    Column("tag_id", ForeignKey("tags.id"), primary_key=True),\n    schema="tenant",\n').replace(
        '    __tablename__ = "products"\n', '    __tablename__ = "products"\n' + ASSIGNMENT)
    assert after_01["app/models/user/brand.py"] == BRAND.lstrip()
    assert foreign_keys(root) == ["order_lines.product_id -> tenant.products", "tenant.product_tags.product_id -> tenant.products",
                                  "tenant.product_tags.tag_id -> tags", "tenant.products.brand_id -> brands"]

    plan_02 = run_tenantlint("fix", "--no-cache", "--with-references", *PLAN_02, cwd=root, in_process=True)
    assert (plan_02.exit_code, plan_02.stdout, plan_02.stderr) == (0, "Fixed 5 problems in 3 files.\n", "")
    assert sources(root)["app/models/user/product.py"] == after_01["app/models/user/product.py"].replace(
        '"tags.id"', '"tenant.tags.id"').replace('"brands.id"', '"tenant.brands.id"')
    assert foreign_keys(root) == [
        "tenant.order_lines.product_id -> tenant.products", "tenant.product_tags.product_id -> tenant.products",
        "tenant.product_tags.tag_id -> tenant.tags", "tenant.products.brand_id -> tenant.brands"]
    assert run_tenantlint("check", "--no-cache", cwd=root, in_process=True).stdout == "All checks passed!\n"


REVIEW = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
"""


def git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
           "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def test_with_commit_per_model_each_reference_is_committed_with_the_model_it_follows(tmp_path):
    root = shop(tmp_path)
    write_tree(root, {"app/models/user/review.py": REVIEW})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "before")
    batch = ("app/models/user/brand.py", "app/models/user/product.py")
    env_git = ["fix", "--no-cache", "--commit-per-model", "--with-references", *batch]
    done = subprocess.run([sys.executable, "-m", "tenantlint", *env_git], cwd=root, capture_output=True, text=True,
                          env={**__import__("os").environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    assert done.stdout.startswith("Fixed 10 problems in 4 files.\n")
    first, second = git(root, "log", "--format=%h", "-2").split()[::-1]
    assert git(root, "show", "--name-only", "--format=%s", first).split("\n")[:3] == [
        "feat(models): add tenant schema to brand.py (Brand, Tag)", "", "app/models/user/brand.py"]
    # review.py's reference to `brands` goes with brand.py, the one to `products` with product.py;
    # order_line.py's with product.py (the batch's own files keep their references in their commit)
    assert git(root, "show", "--name-only", "--format=", first).split() == [
        "app/models/user/brand.py", "app/models/user/review.py"]
    assert git(root, "show", "--name-only", "--format=", second).split() == [
        "app/models/user/order_line.py", "app/models/user/product.py", "app/models/user/review.py"]
    git(root, "checkout", "-q", first)
    assert (root / "app/models/user/review.py").read_text() == REVIEW.lstrip().replace('"brands.id"', '"tenant.brands.id"')
    assert (root / "app/models/user/order_line.py").read_text() == ORDER_LINE.lstrip()
    git(root, "checkout", "-q", "main")
    assert foreign_keys(root) == [
        "order_lines.product_id -> tenant.products", "reviews.brand_id -> tenant.brands",
        "reviews.product_id -> tenant.products", "tenant.product_tags.product_id -> tenant.products",
        "tenant.product_tags.tag_id -> tenant.tags", "tenant.products.brand_id -> tenant.brands"]
    assert (root / "app/models/user/review.py").read_text() == REVIEW.lstrip().replace(
        '"brands.id"', '"tenant.brands.id"').replace('"products.id"', '"tenant.products.id"')
    assert git(root, "status", "--porcelain") == ""


def test_the_baseline_does_not_hide_a_reference_to_a_table_moved_after_it_was_recorded(tmp_path):
    root = shop(tmp_path)
    recorded = run_tenantlint("check", "--no-cache", "--baseline", "b.json", "--update-baseline", cwd=root, in_process=True)
    assert (recorded.exit_code, recorded.stdout) == (0, "Baseline b.json: 9 entries (9 added, 0 removed).\n")
    product = root / "app/models/user/product.py"  # moved by hand, references left as they were
    product.write_text(product.read_text().replace('    __tablename__ = "products"\n',
                                                   '    __tablename__ = "products"\n' + ASSIGNMENT))
    result = run_tenantlint("check", "--no-cache", "--baseline", "b.json", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout) == (1, (
        "app/models/user/order_line.py:11:56: TNT005 Reference `products.id` names tenant table `products` "
        "without the `tenant.` schema [*]\n"
        "app/models/user/product.py:8:37: TNT005 Reference `products.id` names tenant table `products` "
        "without the `tenant.` schema [*]\n"
        "Found 2 problems (2 fixable with `tenantlint fix`).\n"
        "6 known problems in baseline b.json not shown.\n"
        "1 baseline entry no longer occurs; run with --update-baseline to remove it from b.json.\n"
    ))


HELPER_BASE = BASE.replace("from sqlalchemy.orm import DeclarativeBase",
                           "from sqlalchemy import ForeignKey\nfrom sqlalchemy.orm import DeclarativeBase") + '''

def fk(table):
    return ForeignKey(f"{table}.id")
'''
HELPER_LINE = ORDER_LINE.replace("from app.models.base import Base", "from app.models.base import Base, fk").replace(
    'ForeignKey("products.id")', 'fk("products")')
CANNOT_QUALIFY = (
    "tenantlint: error: the fix moves tables that files outside this run refer to in a way tenantlint cannot "
    "qualify: app/models/user/order_line.py (products); qualify them by hand (`tenantlint check` says how) or "
    "include those files in the run, which reports them; nothing was changed\n"
)


def test_a_reference_built_by_a_helper_outside_the_run_is_refused_even_with_references(tmp_path):
    """`fk("products")` in a file outside the run names a table the run moves: tenantlint cannot qualify
    it, so moving the table would break it silently; the run refuses with or without --with-references."""
    root = shop(tmp_path)
    (root / "app/models/base.py").write_text(HELPER_BASE.lstrip())
    (root / "app/models/user/order_line.py").write_text(HELPER_LINE.lstrip())
    assert HELPER_LINE != ORDER_LINE and 'fk("products")' in HELPER_LINE
    before = sources(root)
    assert "order_lines.product_id -> products" in foreign_keys(root)
    for extra in ((), ("--with-references",), ("--diff", "--with-references")):
        result = run_tenantlint("fix", "--no-cache", *extra, *PLAN_01, cwd=root, in_process=True)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", CANNOT_QUALIFY)
    assert sources(root) == before
