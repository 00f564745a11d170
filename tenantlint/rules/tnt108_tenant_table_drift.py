"""TNT108 tenant-table-drift: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation.
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Rule

RULE = Rule(
    code='TNT108',
    name='tenant-table-drift',
    what='Reports a tenant table of the models that is missing from an existing tenant schema, or a table in that schema that no model defines (`alembic_version` excepted).',
    why='A tenant created before a migration, or by hand, lacks the table: the first query of that tenant fails (`relation "user_3.orders" does not exist`). An extra table is a leftover nobody migrates.',
    example='class Order(Base):  # models\n    __tablename__ = "orders"\n    __table_args__ = {"schema": "tenant"}\n\n# user_3 has no table `orders`:\n# Tenant `user_3`: table `user_3.orders` is missing',
    use_instead='# the migration that creates it, run for that tenant too:\nop.create_table("orders", sa.Column("id", sa.Integer, primary_key=True), schema="user_3")',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary='a tenant schema lacks a tenant table of the models, or holds a table no model defines',
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
)
