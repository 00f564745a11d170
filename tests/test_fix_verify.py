"""`fix --verify MODULE...` (issue 11 item 9): the fix proves itself with `verify` in a subprocess,
and a fix that breaks the application is put back byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_tenantlint, write_tree
from test_commit_per_model import git, subjects

PYPROJECT = '[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n'

BASE = """\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""

PRODUCT = """\
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
"""

PRODUCT_FIXED = PRODUCT.replace(
    '    __tablename__ = "products"\n',
    '    __tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n')

# The helper hides the table name from tenantlint: fix moves `products`, the reference stays
# "products.id" and no longer resolves. (CRLF line ends: restored byte for byte.)
REVIEW_COMPUTED = """\
from sqlalchemy import ForeignKey\r
from sqlalchemy.orm import Mapped, mapped_column\r
\r
from app.models.base import Base\r
\r
\r
def fk(table: str) -> ForeignKey:\r
    return ForeignKey(f"{table}.id")\r
\r
\r
class Review(Base):\r
    __tablename__ = "reviews"\r
    __table_args__ = {"schema": "tenant"}\r
\r
    id: Mapped[int] = mapped_column(primary_key=True)\r
    product_id: Mapped[int] = mapped_column(fk("products"))\r
"""

REVIEW_LITERAL = """\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
"""

REVIEW_LITERAL_FIXED = REVIEW_LITERAL.replace(
    '    __tablename__ = "reviews"\n',
    '    __tablename__ = "reviews"\n    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n',
).replace('"products.id"', '"tenant.products.id"')

BROKEN = (
    "tenantlint: error: fix --verify: app/models/user/review.py: TNT103 Foreign key `tenant.reviews.product_id` "
    "-> `products.id` does not resolve (NoReferencedTableError)\n"
    "tenantlint: error: the fix breaks the application: `tenantlint verify app.models` fails where the original "
    "passed (1 new failure above); every file it wrote is back as it was{committed}\n"
)
VERIFIED = ("Verified: `tenantlint verify app.models` finds no new import error, mapper failure or unresolved "
            "foreign key.\n")


def app(root: Path, review: str) -> Path:
    write_tree(root, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models/__init__.py": "",
                      "app/models/base.py": BASE, "app/models/user/__init__.py": "",
                      "app/models/user/product.py": PRODUCT})
    (root / "app/models/user/review.py").write_bytes(review.encode())
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".git" not in p.parts}


def mappers_configure(root: Path) -> str:
    """SQLAlchemy itself on the fixed tree: configure_mappers and every foreign key's column."""
    code = ("import importlib, pkgutil, app.models as m\n"
            "for i in pkgutil.walk_packages(m.__path__, 'app.models.'): importlib.import_module(i.name)\n"
            "from sqlalchemy.orm import configure_mappers\nfrom app.models.base import Base\nconfigure_mappers()\n"
            "print(sorted(f'{fk.parent.table.fullname}->{fk.column.table.fullname}' "
            "for t in Base.metadata.tables.values() for fk in t.foreign_keys))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def test_a_fix_that_breaks_the_app_is_put_back_byte_for_byte(tmp_path):
    root = app(tmp_path, REVIEW_COMPUTED)
    before = snapshot(root)
    result = run_tenantlint("fix", "--no-cache", "--verify", "app.models", ".", cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", BROKEN.format(committed=""))
    assert snapshot(root) == before
    assert mappers_configure(root) == "['tenant.reviews->products']\n"


def test_a_fix_that_keeps_the_app_mapping_is_kept(tmp_path):
    root = app(tmp_path, REVIEW_LITERAL)
    result = run_tenantlint("fix", "--no-cache", "--verify", "app.models", ".", cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Fixed 3 problems in 2 files.\n", VERIFIED)
    assert (root / "app/models/user/product.py").read_text() == PRODUCT_FIXED
    assert (root / "app/models/user/review.py").read_text() == REVIEW_LITERAL_FIXED
    assert mappers_configure(root) == "['tenant.reviews->tenant.products']\n"


def test_verify_cannot_go_with_diff(tmp_path):
    root = app(tmp_path, REVIEW_LITERAL)
    result = run_tenantlint("fix", "--diff", "--verify", "app.models", cwd=root)
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --verify checks written files: it cannot be used with --diff\n")


@pytest.fixture
def committed(tmp_path, isolated_git):

    def make(review: str) -> Path:
        root = app(tmp_path / "repo", review)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
        return root

    return make


def test_with_commit_per_model_the_check_runs_before_the_first_commit(committed):
    root = committed(REVIEW_COMPUTED)
    before = snapshot(root)
    result = run_tenantlint("fix", "--no-cache", "--commit-per-model", "--verify", "app.models", ".", cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", BROKEN.format(committed="; nothing was committed"))
    assert subjects(root) == ["initial"]
    assert snapshot(root) == before
    assert git(root, "status", "--porcelain") == ""


def test_with_commit_per_model_a_verified_fix_is_committed(committed):
    root = committed(REVIEW_LITERAL)
    result = run_tenantlint("fix", "--no-cache", "--commit-per-model", "--verify", "app.models", ".", cwd=root)
    assert (result.exit_code, result.stderr) == (0, VERIFIED)
    assert subjects(root) == ["feat(models): add tenant schema to review.py (Review)",
                              "feat(models): add tenant schema to product.py (Product)", "initial"]
    assert (root / "app/models/user/review.py").read_text() == REVIEW_LITERAL_FIXED
    assert git(root, "status", "--porcelain") == ""
