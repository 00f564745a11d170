"""TNT112 tenant-type-object-drift: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation and the examples `tests/test_rules.py` runs through
`verify --tenants` on PostgreSQL (the models, and the tenant schema as it exists).
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Invalid, Rule, Valid, example

PRODUCTS = example('''
from sqlalchemy import Enum, Sequence


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("product_number_seq", schema="tenant"), primary_key=True)
    status = Column(Enum("draft", "active", "sold", name="product_status", schema="tenant"))
''')

# Before the placeholder, and before "sold": `create_all` put the type and sequence in the tenant.
OLD_PRODUCTS = example('''
from sqlalchemy import Enum, Sequence


class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, Sequence("product_number_seq"), primary_key=True)
    status = Column(Enum("draft", "active", name="product_status"))
''')

# Shared on purpose (TNT104 says so): one type and one sequence in the shared schema for all tenants.
SHARED = example('''
from sqlalchemy import Enum, Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("order_number_seq"), primary_key=True)
    state = Column(Enum("new", "paid", name="order_state"))
''')

SEQUENCE = "CREATE SEQUENCE {tenant}.product_number_seq;\n"
STATUS = "CREATE TYPE {schema}.product_status AS ENUM ('draft', 'active', 'sold');\n"

RULE = Rule(
    code="TNT112",
    name="tenant-type-object-drift",
    what="Reports a named enum type or a sequence of the tenant tables that lives elsewhere than the models say "
    '(the tenant\'s own schema for `schema="tenant"`, else the shared schema), is missing, or (enums) has other '
    "values than the models' `Enum(...)`. For an enum, the type the tenant's columns use decides.",
    why="Old tenants have `user_1.product_status`, newer ones a shared `public.product_status`: an explicit CAST "
    "fails in one (`operator does not exist: user_1.product_status = product_status`), adding `schema=\"tenant\"` "
    'breaks the other (`type "user_3.product_status" does not exist`), and a missing value fails the insert.',
    example='status = Column(Enum("draft", "active", "sold", name="product_status", schema="tenant"))\n'
    "# user_3 has only public.product_status:\n"
    "# Tenant `user_3`: enum type `product_status` is `public.product_status`, the models expect "
    "`user_3.product_status`",
    use_instead="op.execute(\"CREATE TYPE user_3.product_status AS ENUM ('draft', 'active', 'sold')\")\n"
    'op.execute("ALTER TABLE user_3.products ALTER COLUMN status TYPE user_3.product_status"\n'
    '           " USING status::text::user_3.product_status")',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary="an enum type or sequence of a tenant lives elsewhere than the models say, or its values differ",
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
    valid=(
        Valid(PRODUCTS, tenant_models=PRODUCTS),
        Valid(SHARED, tenant_ddl="""
CREATE TYPE {shared}.order_state AS ENUM ('new', 'paid');
CREATE SEQUENCE {shared}.order_number_seq;
CREATE TABLE {tenant}.orders (id integer PRIMARY KEY, state {shared}.order_state);
"""),
        # a leftover shared copy does not count: the tenant's column uses the tenant's own type
        Valid(PRODUCTS, tenant_models=PRODUCTS, tenant_ddl=STATUS.replace("{schema}", "{shared}")),
    ),
    invalid=(
        # created after the switch but before `schema="tenant"` on the enum
        Invalid(PRODUCTS, tenant_ddl=SEQUENCE + STATUS.replace("{schema}", "{shared}") + """
CREATE TABLE {tenant}.products (id integer PRIMARY KEY, status {shared}.product_status);
""", messages=("Tenant `{tenant}`: enum type `product_status` is `{shared}.product_status`, the models expect "
               "`{tenant}.product_status`",)),
        # created the old way while the models share them: each tenant got its own
        Invalid(SHARED, tenant_models=SHARED.replace('    __table_args__ = {"schema": "tenant"}\n', ""),
                messages=("Tenant `{tenant}`: sequence `order_number_seq` is `{tenant}.order_number_seq`, the models "
                          "expect `{shared}.order_number_seq`",
                          "Tenant `{tenant}`: enum type `order_state` is `{tenant}.order_state`, the models expect "
                          "`{shared}.order_state`")),
        Invalid(PRODUCTS, tenant_ddl=STATUS.replace("{schema}", "{tenant}") + """
CREATE TABLE {tenant}.products (id integer PRIMARY KEY, status {tenant}.product_status);
""", messages=("Tenant `{tenant}`: sequence `{tenant}.product_number_seq` is missing",)),
        Invalid(PRODUCTS, tenant_ddl=SEQUENCE + """
CREATE TABLE {tenant}.products (id integer PRIMARY KEY, status varchar(6));
""", messages=("Tenant `{tenant}`: enum type `{tenant}.product_status` is missing",)),
        Invalid(PRODUCTS, tenant_models=OLD_PRODUCTS,
                messages=("Tenant `{tenant}`: enum type `{tenant}.product_status` has the values ('draft', 'active'), "
                          "the models ('draft', 'active', 'sold')",)),
    ),
)
