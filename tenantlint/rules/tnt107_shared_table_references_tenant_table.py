"""TNT107 shared-table-references-tenant-table: reported by `tenantlint verify` on the imported models.

The check is in `tenantlint.verify` (it needs SQLAlchemy's own objects); this module holds the
rule's documentation and the examples `tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example

PUBLIC_PATH = "app/models/public/example.py"

RULE = Rule(
    code="TNT107",
    name="shared-table-references-tenant-table",
    what="Reports a shared table with a foreign key to a tenant table.",
    why="The shared table exists once; the tenant table once per tenant. The constraint cannot be created "
    "(it would point to the placeholder schema) and the rows could only belong to one tenant.",
    example='class Account(Base):  # shared\n    __tablename__ = "accounts"\n'
    '    last_order_id = Column(ForeignKey("tenant.orders.id"))',
    use_instead='class Account(Base):\n    __tablename__ = "accounts"\n'
    '    last_order_id = Column(Integer)  # no constraint across tenants',
    fix_safety=f"{RUNTIME_FIX_SAFETY}. The live probe is skipped while it is reported.",
    summary='a shared table has a foreign key to a tenant table',
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    valid=(
        Valid(example('''
class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("tenant.orders.id"))
''')),
        Valid(example('''
class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)


class Session(Base):
    __tablename__ = "sessions"
    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id"))
'''), path=PUBLIC_PATH),
        Valid(example('''
class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = {"schema": None}
    id = Column(Integer, primary_key=True)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id"))  # tenant -> shared is fine
''')),
    ),
    invalid=(
        Invalid(example('''
class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Account(Base):  # shared
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    last_order_id = Column(ForeignKey("tenant.orders.id"))
'''), path=PUBLIC_PATH),
        Invalid(example('''
orders = Table("orders", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
account_orders = Table("account_orders", Base.metadata, Column("order_id", ForeignKey("tenant.orders.id")))
'''), path=PUBLIC_PATH),
        Invalid(example('''
class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Audit(Base):
    __tablename__ = "audits"
    __table_args__ = {"schema": None}  # shared, though in a tenant path
    id = Column(Integer, primary_key=True)
    order_id = Column(ForeignKey("tenant.orders.id"))
''')),
    ),
)
