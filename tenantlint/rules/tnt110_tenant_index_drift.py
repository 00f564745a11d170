"""TNT110 tenant-index-drift: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation and the examples `tests/test_rules.py` runs through
`verify --tenants` on PostgreSQL (the models, and the tenant schema as it exists).
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Invalid, Rule, Valid, example

# `index=True` is named by the naming convention: `ix_tenant_products_title` with the placeholder.
PRODUCTS = example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    title = Column(String(200), index=True)
    sku = Column(String(40))
''')

# Before the placeholder, as `SET search_path` + `create_all` created it: `ix_products_title`.
OLD_PRODUCTS = example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"),)
    id = Column(Integer, primary_key=True)
    title = Column(String(200), index=True)
    sku = Column(String(40))
''')

# The old name kept on purpose, written out.
NAMED = example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"), Index("ix_products_title", "title"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    title = Column(String(200))
    sku = Column(String(40))
''')

TABLE = "CREATE TABLE {tenant}.products (id serial PRIMARY KEY, title varchar(200), sku varchar(40));\n"
UNIQUE_SKU = "ALTER TABLE {tenant}.products ADD CONSTRAINT products_sku_key UNIQUE (sku);\n"

RULE = Rule(
    code="TNT110",
    name="tenant-index-drift",
    what="Reports an index or UNIQUE constraint of a tenant schema that differs from the models: by name (the same "
    "columns under another name is reported as named differently, with both names), by columns or uniqueness, "
    "missing, or not in the models. A constraint the models leave unnamed matches any name.",
    why='Adding `schema="tenant"` changes the default index names (`ix_products_title` becomes '
    "`ix_tenant_products_title`), so old and new tenants differ and a migration that drops or renames an index "
    "by name fails in half of them (see TNT010). A missing unique constraint lets duplicates in.",
    example="title = Column(String(200), index=True)  # models: ix_tenant_products_title\n"
    "# user_2: CREATE INDEX ix_products_title ON user_2.products (title)\n"
    "# Tenant `user_2`: index `ix_products_title` (title) on `products` is named differently: the models name it "
    "`ix_tenant_products_title`",
    use_instead='op.execute("ALTER INDEX user_2.ix_products_title RENAME TO ix_tenant_products_title")\n'
    "# or keep the old names with a naming convention on the base's MetaData (TNT010)",
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary="an index or unique constraint of a tenant schema differs from the models (name, columns)",
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
    valid=(
        Valid(PRODUCTS, tenant_models=PRODUCTS),
        # the models leave the unique constraint unnamed: any name matches
        Valid(PRODUCTS, tenant_ddl=TABLE + """
ALTER TABLE {tenant}.products ADD CONSTRAINT uq_sku_by_hand UNIQUE (sku);
CREATE INDEX ix_tenant_products_title ON {tenant}.products (title);
"""),
        # an old tenant matches models that name the index as it was
        Valid(NAMED, tenant_models=OLD_PRODUCTS),
    ),
    invalid=(
        Invalid(PRODUCTS, tenant_models=OLD_PRODUCTS,
                messages=("Tenant `{tenant}`: index `ix_products_title` (title) on `products` is named differently: "
                          "the models name it `ix_tenant_products_title`",)),
        Invalid(PRODUCTS, tenant_ddl=TABLE + UNIQUE_SKU
                + "CREATE INDEX ix_tenant_products_title ON {tenant}.products (title, sku);\n",
                messages=("Tenant `{tenant}`: index `ix_tenant_products_title` (title, sku) on `products` differs: "
                          "the models say index `ix_tenant_products_title` (title)",)),
        Invalid(PRODUCTS, tenant_ddl=TABLE + UNIQUE_SKU
                + "CREATE UNIQUE INDEX ix_tenant_products_title ON {tenant}.products (title);\n",
                messages=("Tenant `{tenant}`: unique index `ix_tenant_products_title` (title) on `products` differs: "
                          "the models say index `ix_tenant_products_title` (title)",)),
        Invalid(PRODUCTS, tenant_ddl=TABLE + "CREATE INDEX ix_tenant_products_title ON {tenant}.products (title);\n",
                messages=("Tenant `{tenant}`: unique constraint (sku) on `products` is missing",)),
        Invalid(PRODUCTS, tenant_ddl=TABLE + UNIQUE_SKU
                + "CREATE INDEX ix_tenant_products_title ON {tenant}.products (title);\n"
                + "CREATE INDEX ix_products_legacy ON {tenant}.products (sku, title);\n",
                messages=("Tenant `{tenant}`: index `ix_products_legacy` (sku, title) on `products` is not in the "
                          "models",)),
    ),
)
