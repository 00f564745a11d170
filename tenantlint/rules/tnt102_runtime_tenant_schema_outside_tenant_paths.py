"""TNT102 runtime-tenant-schema-outside-tenant-paths: reported by `tenantlint verify` on the imported models.

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
        if not info.tenant_path and run.is_tenant(info):
            yield Problem(info, f"{info.label} has the tenant schema `{run.placeholder}` but is defined outside the "
                          "tenant paths")


RULE = Rule(
    code="TNT102",
    name="runtime-tenant-schema-outside-tenant-paths",
    what="Reports a table defined outside the tenant paths whose runtime schema is the placeholder.",
    why="A shared table must not be remapped per tenant; see TNT008.",
    example='# app/models/public/plan.py\nclass Plan(TenantMixin, Base):  # the mixin adds the schema\n'
    '    __tablename__ = "plans"',
    use_instead='# app/models/public/plan.py\nclass Plan(Base):\n    __tablename__ = "plans"',
    fix_safety=f"{RUNTIME_FIX_SAFETY}.",
    summary='a table SQLAlchemy built outside the tenant paths has the placeholder schema',
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    runtime_check=runtime_check,
    caused_by=("TNT008",),
    valid=(
        Valid(example('''
class Plan(Base):
    __tablename__ = "plans"
    id = Column(Integer, primary_key=True)
'''), path=PUBLIC_PATH),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}  # in a tenant path
    id = Column(Integer, primary_key=True)
''')),
        Valid(example('''
plan_features = Table("plan_features", Base.metadata, Column("plan_id", Integer, primary_key=True))
'''), path=PUBLIC_PATH),
    ),
    invalid=(
        Invalid(example('''
class TenantMixin:
    @declared_attr.directive
    def __table_args__(cls):
        return {"schema": "tenant"}


class Plan(TenantMixin, Base):  # the mixin adds the schema
    __tablename__ = "plans"
    id = Column(Integer, primary_key=True)
'''), path=PUBLIC_PATH,
        messages=(
            "Table `tenant.plans` (model `Plan`) has the tenant schema `tenant` but is defined outside the "
            "tenant paths",
        )),
        Invalid(example('''
class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''), path=PUBLIC_PATH,
        messages=(
            "Table `tenant.plans` (model `Plan`) has the tenant schema `tenant` but is defined outside the "
            "tenant paths",
        )),
        Invalid(example('''
plan_features = Table("plan_features", Base.metadata, Column("plan_id", Integer, primary_key=True), schema="tenant")
'''), path=PUBLIC_PATH,
        messages=(
            "Table `tenant.plan_features` has the tenant schema `tenant` but is defined outside the tenant "
            "paths",
        )),
    ),
)
