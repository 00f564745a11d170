"""TNT120 runtime-index-name-changes: reported by `tenantlint verify` on the imported models.

The check is in `tenantlint.verify_names` (it renders names with SQLAlchemy); this module holds the
rule's documentation and the examples `tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example

RULE = Rule(
    code="TNT120",
    name="runtime-index-name-changes",
    what="Reports a tenant table whose index or constraint names, as SQLAlchemy renders them from the naming "
    "convention, differ with the placeholder schema and without it.",
    why="See TNT010: existing tenants keep the old names, new tenants get the new ones, and Alembic autogenerate "
    "proposes to drop and recreate them.",
    example='title = Column(String, index=True)  # "ix_tenant_products_title" under the default convention',
    use_instead='metadata = MetaData(naming_convention={"ix": "ix_%(table_name)s_%(column_0_name)s"})',
    fix_safety=f"{RUNTIME_FIX_SAFETY}; `tenantlint fix` fixes the literal cases (TNT010).",
    summary="a tenant table's index or constraint names change with the placeholder schema",
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    valid=(
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    title = Column(String)
''')),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (Index("ix_products_title", "title"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    title = Column(String)
''')),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("title"), {"schema": "tenant"})  # default convention: no uq entry
    id = Column(Integer, primary_key=True)
    title = Column(String)
''')),
    ),
    invalid=(
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    title = Column(String, index=True)
''')),
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (Index(None, "title", "code"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    title = Column(String)
    code = Column(String)
''')),
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    brand_id = Column(Integer, ForeignKey("tenant.brands.id"), index=True)


class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
''')),
    ),
)
