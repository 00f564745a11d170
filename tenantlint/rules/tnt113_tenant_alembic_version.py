"""TNT113 tenant-alembic-version: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation and the examples `tests/test_rules.py` runs through
`verify --tenants` on PostgreSQL (the models, and the tenant schemas as they exist).
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Invalid, Rule, Valid, example

PRODUCTS = example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
''')


def _tenant(schema: str, *revisions: str, create: bool = True, versioned: bool = True) -> str:
    """DDL of one tenant (`{tenant}` is created by the test) with its `alembic_version` rows."""
    ddl = f"CREATE SCHEMA {schema};\n" if create else ""
    ddl += f"CREATE TABLE {schema}.products (id serial PRIMARY KEY);\n"
    if versioned:
        ddl += f"CREATE TABLE {schema}.alembic_version (version_num varchar(32) PRIMARY KEY);\n"
    ddl += "".join(f"INSERT INTO {schema}.alembic_version VALUES ('{r}');\n" for r in revisions)
    return ddl


RULE = Rule(
    code="TNT113",
    name="tenant-alembic-version",
    what="Reports, when some tenant schemas have an `alembic_version` table, a tenant without one (or with an empty "
    "one) and a tenant at another revision than most versioned tenants. tenantlint does not read the migration "
    "scripts, so it names the majority's revision, not the head.",
    why="Per-tenant upgrades (`for schema in tenants: alembic upgrade head`) skip a tenant without a version row "
    "silently, and a tenant left behind runs code written for tables it does not have.",
    example="# user_1, user_2: b2c3; user_3: no alembic_version table\n"
    "# Tenant `user_3`: no `alembic_version` table: per-tenant upgrades skip this tenant",
    use_instead="# stamp the revision its tables match, then upgrade it with the others:\n"
    "# alembic -x tenant=user_3 stamp a1b2 && alembic -x tenant=user_3 upgrade head",
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary="a tenant has no Alembic version, or another revision than most tenants",
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
    valid=(
        # no tenant uses Alembic: nothing to compare
        Valid(PRODUCTS, tenant_ddl=_tenant("{tenant}", create=False, versioned=False)
              + _tenant("{tenant_2}", versioned=False)),
        Valid(PRODUCTS, tenant_ddl=_tenant("{tenant}", "b2c3", create=False) + _tenant("{tenant_2}", "b2c3")),
        # two branch heads, the same in every tenant
        Valid(PRODUCTS, tenant_ddl=_tenant("{tenant}", "a1", "b7", create=False) + _tenant("{tenant_2}", "b7", "a1")),
    ),
    invalid=(
        Invalid(PRODUCTS, tenant_ddl=_tenant("{tenant}", create=False, versioned=False) + _tenant("{tenant_2}", "b2c3"),
                messages=("Tenant `{tenant}`: no `alembic_version` table: per-tenant upgrades skip this tenant",)),
        Invalid(PRODUCTS, tenant_ddl=_tenant("{tenant}", create=False),
                messages=("Tenant `{tenant}`: `{tenant}.alembic_version` is empty: per-tenant upgrades skip this "
                          "tenant",)),
        Invalid(PRODUCTS, tenant_ddl=_tenant("{tenant}", "a1b2", create=False) + _tenant("{tenant_2}", "b2c3")
                + _tenant("{tenant_3}", "b2c3"),
                messages=("Tenant `{tenant}`: Alembic revision `a1b2`, while 2 of 3 versioned tenants are at "
                          "`b2c3`",)),
    ),
)
