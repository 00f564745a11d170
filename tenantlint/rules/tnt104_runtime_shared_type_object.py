"""TNT104 runtime-shared-type-object: reported by `tenantlint verify` on the imported models.

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
    from sqlalchemy import Enum, Sequence

    placeholder = run.placeholder
    for info in run.tables:
        if not (run.is_tenant(info) or info.tenant_path):
            continue
        table = info.table
        for column in table.columns:
            kind = column.type
            if isinstance(kind, Enum) and kind.name and kind.native_enum and kind.schema != placeholder:
                yield Problem(info, f"Enum `{kind.name}` of `{table.name}.{column.name}` has no "
                              f"`schema=\"{placeholder}\"`: it is shared by every tenant")
            if isinstance(column.default, Sequence) and column.default.schema != placeholder:
                yield Problem(info, f"Sequence `{column.default.name}` of `{table.name}.{column.name}` has no "
                              f"`schema=\"{placeholder}\"`: it is shared by every tenant")


RULE = Rule(
    code="TNT104",
    name="runtime-shared-type-object",
    what="Reports a named native `Enum` or a `Sequence` on a tenant table whose runtime schema is not the "
    "placeholder.",
    why="See TNT007: the type or sequence is created once and shared by every tenant.",
    example='status = Column(Enum("new", "paid", name="order_status"))',
    use_instead='status = Column(Enum("new", "paid", name="order_status", schema="tenant"))',
    fix_safety=f"{RUNTIME_FIX_SAFETY}; `tenantlint fix --unsafe-fixes` fixes the literal cases (TNT007).",
    summary='a named native enum or a sequence of a tenant table has no placeholder schema',
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    runtime_check=runtime_check,
    caused_by=("TNT007",),
    valid=(
        Valid(example('''
from sqlalchemy import Enum, Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("orders_id_seq", schema="tenant"), primary_key=True)
    status = Column(Enum("new", "paid", name="order_status", schema="tenant"))
''')),
        Valid(example('''
from sqlalchemy import Enum


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="order_status", native_enum=False))  # a VARCHAR, no type
''')),
        Valid(example('''
from sqlalchemy import Enum


class Invoice(Base):
    __tablename__ = "invoices"  # shared: its enum type is shared too
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="invoice_status"))
'''), path=PUBLIC_PATH),
    ),
    invalid=(
        Invalid(example('''
from sqlalchemy import Enum


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="order_status"))
'''),
        messages=(
            "Enum `order_status` of `orders.status` has no `schema=\"tenant\"`: it is shared by every tenant",
        )),
        Invalid(example('''
from sqlalchemy import Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("orders_id_seq"), primary_key=True)
'''),
        messages=(
            "Sequence `orders_id_seq` of `orders.id` has no `schema=\"tenant\"`: it is shared by every tenant",
        )),
        Invalid(example('''
from sqlalchemy import Enum


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="order_status", schema="public"))
'''),
        messages=(
            "Enum `order_status` of `orders.status` has no `schema=\"tenant\"`: it is shared by every tenant",
        )),
    ),
)
