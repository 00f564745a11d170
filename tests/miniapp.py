"""A small SQLAlchemy application written into a temp folder, for the integration tests."""

from __future__ import annotations

from pathlib import Path

PYPROJECT = """\
[project]
name = "miniapp"
version = "0"

[tool.tenantlint]
tenant-paths = ["app/models/user/**"]
exclude = ["app/models/user/legacy.py"]
"""

# The base gives every subclass a table name: a model file that only imports it is a model
# only when the base's file is read as context.
BASE = """\
from sqlalchemy.orm import DeclarativeBase, declared_attr


class Base(DeclarativeBase):
    @declared_attr.directive
    def __tablename__(cls) -> str:
        return cls.__name__.lower()
"""

COUPON = """\
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Coupon(Base):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str]
"""

COUPON_FIXED = """\
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Coupon(Base):
    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str]
"""

PRODUCT = """\
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
"""

PRODUCT_FIXED = """\
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map

    id: Mapped[int] = mapped_column(primary_key=True)
"""

TAG = """\
from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
"""

TAG_FIXED = TAG.replace(
    '(UniqueConstraint("name"),)', '(UniqueConstraint("name"), {"schema": "tenant"})'
).replace('"products.id"', '"tenant.products.id"')

# Excluded by the config: never reported, even when named on the command line.
LEGACY = PRODUCT.replace("Product", "Legacy").replace('"products"', '"legacy"')

# Outside the tenant paths: a shared table.
PLAN = PRODUCT.replace("Product", "Plan").replace('"products"', '"plans"')

FILES = {
    "pyproject.toml": PYPROJECT,
    "app/__init__.py": "",
    "app/models/__init__.py": "",
    "app/models/base.py": BASE,
    "app/models/plan.py": PLAN,
    "app/models/user/__init__.py": "",
    "app/models/user/coupon.py": COUPON,
    "app/models/user/legacy.py": LEGACY,
    "app/models/user/product.py": PRODUCT,
    "app/models/user/tag.py": TAG,
}


def write_app(root: Path, files: dict[str, str] = FILES) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
