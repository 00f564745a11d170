"""TNT109 tenant-column-drift: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation.
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Rule

RULE = Rule(
    code='TNT109',
    name='tenant-column-drift',
    what="Reports a column of a tenant table that is missing from a tenant schema, not in the models, of another type (in PostgreSQL's spelling: `character varying(100)`), or of another nullability.",
    why='The ORM writes what the models say: a missing column fails every insert, a shorter type truncates or fails, a nullable column the models call NOT NULL holds rows the code does not expect.',
    example='title = Column(String(200))  # models\n# user_2: title varchar(100)\n# Tenant `user_2`: column `products.title` is `character varying(100)`, the models say `character varying(200)`',
    use_instead='op.alter_column("products", "title", type_=sa.String(200), schema="user_2")',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary='a column of a tenant schema is missing, extra, or of another type or nullability',
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
)
