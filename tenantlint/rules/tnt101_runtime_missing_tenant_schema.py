"""TNT101 runtime-missing-tenant-schema: reported by `tenantlint verify` on the imported models.

`runtime_check` reads SQLAlchemy's own objects (`tenantlint.verify` imports the models and
places its problems); this module also holds the rule's documentation and the examples
`tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example
from tenantlint.verify.results import Problem, Runtime

PUBLIC_PATH = "app/models/public/example.py"


def runtime_check(run: Runtime) -> Iterator[Problem]:
    for info in run.tables:
        if info.tenant_path and not run.is_tenant(info):
            schema = info.table.schema
            has = "no schema" if schema is None else f"the schema `{schema}`"
            yield Problem(info, f"{info.label} is defined in a tenant path but has {has}: it needs `{run.placeholder}`")


RULE = Rule(
    code="TNT101",
    name="runtime-missing-tenant-schema",
    what="Reports a table, as SQLAlchemy built it, defined in a tenant path (by a mapped class or a "
    "module-level `Table`) whose schema is not the placeholder.",
    why="The source may look right while the runtime table is not: a `declared_attr`, a mixin computed at "
    "import time or a base class can drop or change the schema. A table without the placeholder is shared "
    "by every tenant.",
    example='class Product(Base):\n    __tablename__ = "products"\n\n'
    '    @declared_attr.directive\n    def __table_args__(cls):\n        return {}',
    use_instead='class Product(Base):\n    __tablename__ = "products"\n\n'
    '    @declared_attr.directive\n    def __table_args__(cls):\n        return {"schema": "tenant"}',
    fix_safety=f"{RUNTIME_FIX_SAFETY}; `tenantlint fix` fixes the literal cases (TNT001, TNT006).",
    summary='a table SQLAlchemy built from a tenant path has no placeholder schema',
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    runtime_check=runtime_check,
    caused_by=("TNT001", "TNT006"),
    valid=(
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
''')),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)

    @declared_attr.directive
    def __table_args__(cls):
        return {"schema": "tenant"}
''')),
        Valid(example('''
class Plan(Base):
    __tablename__ = "plans"  # shared, outside the tenant paths
    id = Column(Integer, primary_key=True)
'''), path=PUBLIC_PATH),
    ),
    invalid=(
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)

    @declared_attr.directive
    def __table_args__(cls):
        return {}
'''),
        messages=(
            "Table `products` (model `Product`) is defined in a tenant path but has no schema: it needs "
            "`tenant`",
        )),
        Invalid(example('''
def tenant_args():
    return {"schema": "public"}


class Product(Base):
    __tablename__ = "products"
    __table_args__ = tenant_args()
    id = Column(Integer, primary_key=True)
'''),
        messages=(
            "Table `public.products` (model `Product`) is defined in a tenant path but has the schema "
            "`public`: it needs `tenant`",
        )),
        Invalid(example('''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer, primary_key=True))
'''),
        messages=(
            "Table `order_tags` is defined in a tenant path but has no schema: it needs `tenant`",
        )),
    ),
)
