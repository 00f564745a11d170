"""TNT113 tenant-alembic-version: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation.
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Rule

RULE = Rule(
    code='TNT113',
    name='tenant-alembic-version',
    what="Reports, when some tenant schemas have an `alembic_version` table, a tenant without one (or with an empty one) and a tenant at another revision than most versioned tenants. tenantlint does not read the migration scripts, so it names the majority's revision, not the head.",
    why='Per-tenant upgrades (`for schema in tenants: alembic upgrade head`) skip a tenant without a version row silently, and a tenant left behind runs code written for tables it does not have.',
    example='# user_1, user_2: b2c3; user_3: no alembic_version table\n# Tenant `user_3`: no `alembic_version` table: per-tenant upgrades skip this tenant',
    use_instead='# stamp the revision its tables match, then upgrade it with the others:\n# alembic -x tenant=user_3 stamp a1b2 && alembic -x tenant=user_3 upgrade head',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary='a tenant has no Alembic version, or another revision than most tenants',
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
)
