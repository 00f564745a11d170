"""TNT106 tenant-probe-failed: reported by `tenantlint verify` on the imported models.

The check is in `tenantlint.verify` (it needs SQLAlchemy's own objects); this module holds the
rule's documentation and the examples `tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example

RULE = Rule(
    code="TNT106",
    name="tenant-probe-failed",
    what="Reports what the live probe found: the tenant tables could not be created for two probe tenants "
    "through `schema_translate_map`, a table is missing from a tenant's schema, a foreign key points "
    "outside its tenant's schema (PostgreSQL), a row written as one tenant is seen by the other, a "
    "probe schema could not be dropped, or the probe did not run at all (TNT103 or TNT107 make the tables "
    "impossible to create; this one is reported whatever `--select` and `--ignore` say).",
    why="It is what the application would do in production: tenants that share rows leak data.",
    example='class Brand(Base):  # models/user/brand.py\n    __tablename__ = "brands"',
    use_instead='class Brand(Base):\n    __tablename__ = "brands"\n'
    '    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map',
    fix_safety=f"{RUNTIME_FIX_SAFETY}.",
    summary='the live probe of two tenants failed or did not run',
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    valid=(
        Valid(example('''
class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    name = Column(String)
''')),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.products.id"))
''')),
        Valid(example('''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer, primary_key=True), schema="tenant")
''')),
    ),
    invalid=(
        Invalid(example('''
class Brand(Base):
    __tablename__ = "brands"  # no schema: one table for every tenant, rows seen by both
    id = Column(Integer, primary_key=True)
    name = Column(String)
''')),
        Invalid(example('''
class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id"))  # TNT103: the probe cannot run
''')),
        Invalid(example('''
from sqlalchemy import text


class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    name = Column(String, server_default=text("no such function("))  # CREATE TABLE fails
''')),
    ),
)
