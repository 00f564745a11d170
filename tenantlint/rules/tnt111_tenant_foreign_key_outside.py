"""TNT111 tenant-foreign-key-outside: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation.
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Rule

RULE = Rule(
    code='TNT111',
    name='tenant-foreign-key-outside',
    what="Reports a foreign key of a tenant schema that points to a table outside that schema which is not one of the models' shared tables (another tenant's table, or a stray copy in `public`).",
    why="The rows of one tenant then depend on another tenant's rows: deleting a tenant fails, and data crosses tenants. It is what `create_all` leaves when a foreign key string missed the placeholder.",
    example="# user_2.orders.product_id REFERENCES user_1.products (id)\n# Tenant `user_2`: foreign key `orders_product_id_fkey` of `orders` points to `user_1.products`, outside the tenant's schema",
    use_instead='product_id = Column(ForeignKey("tenant.products.id"))\n# then recreate the constraint in user_2, pointing to user_2.products',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary='a foreign key of a tenant schema points outside it, not to a shared table',
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
)
