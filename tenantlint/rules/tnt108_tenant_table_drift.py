"""TNT108 tenant-table-drift: reported by `tenantlint verify --tenants` on existing tenant schemas.

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
''')

# The same model before the placeholder: what `SET search_path` + `create_all` used to create.
OLD_PRODUCTS = example('''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    title = Column(String(200))
''')

PRODUCTS_AND_ORDERS = example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    title = Column(String(200))


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.products.id"))
''')

RULE = Rule(
    code="TNT108",
    name="tenant-table-drift",
    what="Reports a tenant table of the models that is missing from an existing tenant schema, or a table in that "
    "schema that no model defines (`alembic_version` excepted).",
    why='A tenant created before a migration, or by hand, lacks the table: the first query of that tenant fails '
    '(`relation "user_3.orders" does not exist`). An extra table is a leftover nobody migrates.',
    example='class Order(Base):  # models\n    __tablename__ = "orders"\n    __table_args__ = {"schema": "tenant"}\n\n'
    '# user_3 has no table `orders`:\n# Tenant `user_3`: table `user_3.orders` is missing',
    use_instead='# the migration that creates it, run for that tenant too:\n'
    'op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True), schema="user_3")',
    fix_safety=f"{TENANTS_FIX_SAFETY}.",
    summary="a tenant schema lacks a tenant table of the models, or holds a table no model defines",
    fix_summary="never; `tenantlint verify --tenants` reports it",
    runtime=True,
    valid=(
        # created the new way: `create_all` through `schema_translate_map`
        Valid(PRODUCTS, tenant_models=PRODUCTS),
        # created the old way: the same tables, only the search_path put them there
        Valid(PRODUCTS, tenant_models=OLD_PRODUCTS),
        # by hand, with Alembic's own table, which no model defines
        Valid(PRODUCTS, tenant_ddl="""
CREATE TABLE {tenant}.products (id serial PRIMARY KEY, title varchar(200));
CREATE TABLE {tenant}.alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO {tenant}.alembic_version VALUES ('b2c3');
"""),
    ),
    invalid=(
        # a tenant created before `orders` was added, never migrated
        Invalid(PRODUCTS_AND_ORDERS, tenant_models=OLD_PRODUCTS,
                messages=("Tenant `{tenant}`: table `{tenant}.orders` is missing",)),
        Invalid(PRODUCTS, tenant_ddl="""
CREATE TABLE {tenant}.products (id serial PRIMARY KEY, title varchar(200));
CREATE TABLE {tenant}.old_notes (id serial PRIMARY KEY);
""", messages=("Tenant `{tenant}`: table `{tenant}.old_notes` is not in the models",)),
        # a rename that never ran here: the models' name is missing, the old one is extra
        Invalid(PRODUCTS, tenant_ddl="CREATE TABLE {tenant}.product (id serial PRIMARY KEY, title varchar(200));",
                messages=("Tenant `{tenant}`: table `{tenant}.products` is missing",
                          "Tenant `{tenant}`: table `{tenant}.product` is not in the models")),
    ),
)
