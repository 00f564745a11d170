"""TNT107 shared-table-references-tenant-table: reported by `tenantlint verify` on the imported models.

`runtime_check` reads SQLAlchemy's own objects (`tenantlint.verify` imports the models and
places its problems); this module also holds the rule's documentation and the examples
`tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example
from tenantlint.verify.results import Problem, Runtime

PUBLIC_PATH = "app/models/public/example.py"


def runtime_check(run: Runtime) -> Iterator[Problem]:
    for info in run.tables:
        if run.is_tenant(info):
            continue
        for fk in sorted(info.table.foreign_keys, key=lambda f: (f.parent.name, f.target_fullname)):
            try:
                target = fk.column.table
            except Exception:  # noqa: BLE001 - TNT103 reports it
                continue
            if target.schema == run.placeholder:
                yield Problem(info, f"Shared table `{info.table.fullname}` has a foreign key to tenant table "
                              f"`{target.fullname}`")


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
    runtime_check=runtime_check,
    blocks_probe="a shared table references a tenant table",
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
'''), path=PUBLIC_PATH,
        messages=(
            "Shared table `accounts` has a foreign key to tenant table `tenant.orders`",
        )),
        Invalid(example('''
orders = Table("orders", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
account_orders = Table("account_orders", Base.metadata, Column("order_id", ForeignKey("tenant.orders.id")))
'''), path=PUBLIC_PATH,
        messages=(
            "Shared table `account_orders` has a foreign key to tenant table `tenant.orders`",
        )),
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
'''),
        messages=(
            "Shared table `audits` has a foreign key to tenant table `tenant.orders`",
        )),
    ),
)
