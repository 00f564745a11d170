"""TNT109 tenant-column-drift: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation and the examples `tests/test_rules.py` runs through
`verify --tenants` on PostgreSQL (the models, and the tenant schema as it exists).
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Invalid, Rule, Valid, example

PRODUCTS = example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    title = Column(String(200))
    sku = Column(String(40), nullable=False)
''')

# Before `sku` was added, and before the placeholder: what `SET search_path` + `create_all` created.
OLD_PRODUCTS = example('''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    title = Column(String(200))
''')

PRICES = example('''
from sqlalchemy import Boolean, DateTime, Numeric, Text


class Price(Base):
    __tablename__ = "prices"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    amount = Column(Numeric(10, 2), nullable=False)
    valid_from = Column(DateTime)
    active = Column(Boolean)
    note = Column(Text)
''')

RULE = Rule(
    code="TNT109",
    name="tenant-column-drift",
    what="Reports a column of a tenant table that is missing from a tenant schema, not in the models, of another "
    "type (in PostgreSQL's spelling: `character varying(100)`), or of another nullability.",
    why="The ORM writes what the models say: a missing column fails every insert, a shorter type truncates or "
    "fails, a nullable column the models call NOT NULL holds rows the code does not expect.",
    example="title = Column(String(200))  # models\n# user_2: title varchar(100)\n"
    "# Tenant `user_2`: column `products.title` is `character varying(100)`, the models say "
    "`character varying(200)`",
    use_instead='op.alter_column("products", "title", type_=sa.String(200), schema="user_2")',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary="a column of a tenant schema is missing, extra, or of another type or nullability",
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
    valid=(
        Valid(PRODUCTS, tenant_models=PRODUCTS),
        # PostgreSQL's spellings and SQLAlchemy's meet: `int`, `varchar`, `character varying` are one type
        Valid(PRODUCTS, tenant_ddl="""
CREATE TABLE {tenant}.products (id int PRIMARY KEY, title varchar(200), sku character varying(40) NOT NULL);
"""),
        Valid(PRICES, tenant_ddl="""
CREATE TABLE {tenant}.prices (id serial PRIMARY KEY, amount decimal(10, 2) NOT NULL, valid_from timestamp,
    active bool, note text);
"""),
    ),
    invalid=(
        # a tenant created before `sku` was added, never migrated
        Invalid(PRODUCTS, tenant_models=OLD_PRODUCTS,
                messages=("Tenant `{tenant}`: column `products.sku` is missing (models: `character varying(40)`)",)),
        Invalid(PRODUCTS, tenant_ddl="""
CREATE TABLE {tenant}.products (id serial PRIMARY KEY, title varchar(200), sku varchar(40) NOT NULL,
    legacy_code text);
""", messages=("Tenant `{tenant}`: column `products.legacy_code` (`text`) is not in the models",)),
        Invalid(PRODUCTS, tenant_ddl="""
CREATE TABLE {tenant}.products (id serial PRIMARY KEY, title varchar(100), sku varchar(40) NOT NULL);
""", messages=("Tenant `{tenant}`: column `products.title` is `character varying(100)`, the models say "
               "`character varying(200)`",)),
        Invalid(PRODUCTS, tenant_ddl="""
CREATE TABLE {tenant}.products (id serial PRIMARY KEY, title varchar(200), sku varchar(40));
""", messages=("Tenant `{tenant}`: column `products.sku` is nullable, the models say NOT NULL",)),
    ),
)
