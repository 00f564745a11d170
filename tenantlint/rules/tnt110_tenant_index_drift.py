"""TNT110 tenant-index-drift: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation.
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Rule

RULE = Rule(
    code='TNT110',
    name='tenant-index-drift',
    what='Reports an index or UNIQUE constraint of a tenant schema that differs from the models: by name (the same columns under another name is reported as named differently, with both names), by columns or uniqueness, missing, or not in the models. A constraint the models leave unnamed matches any name.',
    why='Adding `schema="tenant"` changes the default index names (`ix_products_title` becomes `ix_tenant_products_title`), so old and new tenants differ and a migration that drops or renames an index by name fails in half of them (see TNT010). A missing unique constraint lets duplicates in.',
    example='title = Column(String(200), index=True)  # models: ix_tenant_products_title\n# user_2: CREATE INDEX ix_products_title ON user_2.products (title)\n# Tenant `user_2`: index `ix_products_title` (title) on `products` is named differently: the models name it `ix_tenant_products_title`',
    use_instead='op.execute("ALTER INDEX user_2.ix_products_title RENAME TO ix_tenant_products_title")\n# or keep the old names with a naming convention on the base\'s MetaData (TNT010)',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary='an index or unique constraint of a tenant schema differs from the models (name, columns)',
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
)
