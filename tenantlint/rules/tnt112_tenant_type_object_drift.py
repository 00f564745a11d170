"""TNT112 tenant-type-object-drift: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation.
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Rule

RULE = Rule(
    code='TNT112',
    name='tenant-type-object-drift',
    what='Reports a named enum type or a sequence of the tenant tables that lives elsewhere than the models say (the tenant\'s own schema for `schema="tenant"`, else the shared schema), is missing, or (enums) has other values than the models\' `Enum(...)`. For an enum, the type the tenant\'s columns use decides.',
    why='Old tenants have `user_1.product_status`, newer ones a shared `public.product_status`: an explicit CAST fails in one (`operator does not exist: user_1.product_status = product_status`), adding `schema="tenant"` breaks the other (`type "user_3.product_status" does not exist`), and a missing value fails the insert.',
    example='status = Column(Enum("draft", "active", "sold", name="product_status", schema="tenant"))\n# user_3 has only public.product_status:\n# Tenant `user_3`: enum type `product_status` is `public.product_status`, the models expect `user_3.product_status`',
    use_instead='op.execute("CREATE TYPE user_3.product_status AS ENUM (\'draft\', \'active\', \'sold\')")\nop.execute("ALTER TABLE user_3.products ALTER COLUMN status TYPE user_3.product_status"\n           " USING status::text::user_3.product_status")',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary='an enum type or sequence of a tenant lives elsewhere than the models say, or its values differ',
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
)
