"""TNT111 tenant-foreign-key-outside: reported by `tenantlint verify --tenants` on existing tenant schemas.

The check is in `tenantlint.tenants` (it compares PostgreSQL's catalog with the models); this
module holds the rule's documentation and the examples `tests/test_rules.py` runs through
`verify --tenants` on PostgreSQL (the models, and the tenant schema as it exists).
"""

from __future__ import annotations

from tenantlint.rules import TENANTS_FIX_SAFETY, Invalid, Rule, Valid, example

ORDERS = example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.products.id"))
''')

# Before the placeholder: `SET search_path` + `create_all` put both tables, and the key, in the tenant.
OLD_ORDERS = example('''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id"))
''')

# `accounts` is shared (the default schema); TNT101 says it belongs in a shared path.
WITH_ACCOUNTS = example('''
class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id"))
''')

PRODUCTS = "CREATE TABLE {tenant}.products (id serial PRIMARY KEY);\n"

RULE = Rule(
    code="TNT111",
    name="tenant-foreign-key-outside",
    what="Reports a foreign key of a tenant schema that points to a table outside that schema which is not one of "
    "the models' shared tables (another tenant's table, or a stray copy in `public`).",
    why="The rows of one tenant then depend on another tenant's rows: deleting a tenant fails, and data crosses "
    "tenants. It is what `create_all` leaves when a foreign key string missed the placeholder.",
    example="# user_2.orders.product_id REFERENCES user_1.products (id)\n"
    "# Tenant `user_2`: foreign key `orders_product_id_fkey` of `orders` points to `user_1.products`, outside the "
    "tenant's schema",
    use_instead='product_id = Column(ForeignKey("tenant.products.id"))\n'
    "# then recreate the constraint in user_2, pointing to user_2.products",
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary="a foreign key of a tenant schema points outside it, not to a shared table",
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
    valid=(
        Valid(ORDERS, tenant_models=ORDERS),
        Valid(ORDERS, tenant_models=OLD_ORDERS),
        # a shared table of the models is where a tenant's key may point
        Valid(WITH_ACCOUNTS, tenant_ddl="""
CREATE TABLE {shared}.accounts (id serial PRIMARY KEY);
CREATE TABLE {tenant}.orders (id serial PRIMARY KEY, account_id integer REFERENCES {shared}.accounts (id));
"""),
    ),
    invalid=(
        Invalid(ORDERS, tenant_ddl=PRODUCTS + """
CREATE SCHEMA {tenant_2};
CREATE TABLE {tenant_2}.products (id serial PRIMARY KEY);
CREATE TABLE {tenant}.orders (id serial PRIMARY KEY, product_id integer REFERENCES {tenant_2}.products (id));
""", messages=("Tenant `{tenant}`: foreign key `orders_product_id_fkey` of `orders` points to `{tenant_2}.products`, "
               "outside the tenant's schema",)),
        # a stray copy of a tenant table in the shared schema is not a shared table of the models
        Invalid(ORDERS, tenant_ddl=PRODUCTS + """
CREATE TABLE {shared}.products (id serial PRIMARY KEY);
CREATE TABLE {tenant}.orders (id serial PRIMARY KEY, product_id integer REFERENCES {shared}.products (id));
""", messages=("Tenant `{tenant}`: foreign key `orders_product_id_fkey` of `orders` points to `{shared}.products`, "
               "outside the tenant's schema",)),
        # a table no model defines (TNT108) is checked too
        Invalid(ORDERS, tenant_models=ORDERS, tenant_ddl="""
CREATE SCHEMA {tenant_2};
CREATE TABLE {tenant_2}.products (id serial PRIMARY KEY);
CREATE TABLE {tenant}.old_notes (id serial PRIMARY KEY, product_id integer REFERENCES {tenant_2}.products (id));
""", messages=("Tenant `{tenant}`: foreign key `old_notes_product_id_fkey` of `old_notes` points to "
               "`{tenant_2}.products`, outside the tenant's schema",)),
    ),
)
