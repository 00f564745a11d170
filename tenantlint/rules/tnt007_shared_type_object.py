"""TNT007 shared-type-object: a named enum type or a sequence of a tenant table without `schema=`."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, SourceFile
from tenantlint.facts import TypeObjectCall
from tenantlint.facts.vocabulary import MODEL_WORDS, TYPE_WORDS
from tenantlint.findings import Applicability, Edit, EditKind, Finding
from tenantlint.models import Role
from tenantlint.resolution import ClassRef
from tenantlint.rules import FixAvailability, Invalid, Rule, Valid, example


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    if not file.tenant:
        return
    placeholder, pos = context.placeholder, context.positions(file)
    classes = {c.path: c for c in file.facts.classes}
    for call in file.facts.type_objects:
        message = None if call.has_schema else _message(context, file, call, classes)
        if message is None:
            continue
        edit = None
        if not call.has_star_kwargs:
            edit = Edit(EditKind.ADD_KEYWORD, call.span.line, pos.char(call.span.line, call.span.col),
                        new=f'"{placeholder}"', applicability=Applicability.UNSAFE,
                        title=f"Add `schema=\"{placeholder}\"`")
        yield context.finding(file, RULE, message, pos.span(call.span), call.class_path, edit)


def _message(context: Context, file: SourceFile, call: TypeObjectCall, classes: dict) -> str | None:
    """What is wrong with a type object without a schema; None when it is not one of ours."""
    if call.class_path is not None:
        info = classes.get(call.class_path)
        # models, and the mixins and abstract bases they get columns from; not pydantic schemas
        if info is None or context.project.role(ClassRef(file.facts, info)) is Role.SQLMODEL_SCHEMA:
            return None
    if call.kind == "Mapped":
        if not context.project.is_enum(file.facts, call.callee):
            return None
        return (f"`Mapped[{call.callee}]` makes a named native enum type without a schema: it is created "
                f"once and shared by every tenant; declare `mapped_column(Enum({call.callee}, "
                f"schema=\"{context.placeholder}\"))`")
    if context.project.from_sqlalchemy(file.facts, call.callee):
        return f"`{call.kind}(...)` has no schema: it is created once and shared by every tenant"
    return None  # enum.Enum, typing.Sequence, ...


RULE = Rule(
    code="TNT007",
    name="shared-type-object",
    summary="`Enum(name=...)` / `Sequence(...)` in a tenant model lacks `schema=`",
    what="Reports an `Enum(..., name=...)` or a `Sequence(...)` in a tenant model, in a mixin or abstract "
    "base of a tenant path, or in a `Table(...)` there, without `schema=`; and a `Mapped[SomeEnum]` "
    "annotation whose column type SQLAlchemy derives from the Python enum (a named native enum, no schema).",
    why="Named enum types and sequences do not follow their table's schema: without `schema=\"tenant\"` "
    "they are created once, outside every tenant schema, and shared by all tenants (one tenant's "
    "`drop_all` then fails on the type the others still use).",
    example='class Order(Base):\n    __tablename__ = "orders"\n    __table_args__ = {"schema": "tenant"}\n'
    '    status = Column(Enum("new", "paid", name="order_status"))',
    use_instead='class Order(Base):\n    __tablename__ = "orders"\n    __table_args__ = {"schema": "tenant"}\n'
    '    status = Column(Enum("new", "paid", name="order_status", schema="tenant"))',
    fix_safety="Unsafe (`--unsafe-fixes`): the fix adds `schema=\"tenant\"` as the last argument, which moves "
    "the type or sequence into each tenant schema; existing databases need a migration for it.",
    fix_summary="unsafe only",
    fix_availability=FixAvailability.SOMETIMES,
    check=check,
    words=MODEL_WORDS + TYPE_WORDS,
    valid=(
        Valid(example("""
from sqlalchemy import Enum, Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("orders_id_seq", schema="tenant"), primary_key=True)
    status = Column(Enum("new", "paid", name="order_status", schema="tenant"))
""")),
        Valid(example("""
from sqlalchemy import Enum


class Invoice(Base):
    __tablename__ = "invoices"  # shared: its enum type is meant to be shared too
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="invoice_status"))
"""), path="app/models/public/example.py"),
        Valid(example("""
from sqlalchemy import Enum

order_flags = Table(
    "order_flags", Base.metadata,
    Column("flag", Enum("new", "paid", name="order_flag", schema="tenant")),
    schema="tenant",
)
""")),
        Valid(example("""
from sqlalchemy.orm import Mapped, mapped_column


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str]  # a scalar annotation makes no type object
""")),
    ),
    invalid=(
        Invalid(
            example("""
from sqlalchemy import Enum


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="order_status"))
"""),
            example("""
from sqlalchemy import Enum


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="order_status", schema="tenant"))
"""),
            unsafe=True,
        ),
        Invalid(
            example("""
from sqlalchemy import Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("orders_id_seq"), primary_key=True)
"""),
            example("""
from sqlalchemy import Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("orders_id_seq", schema="tenant"), primary_key=True)
"""),
            unsafe=True,
        ),
        Invalid(
            example("""
from sqlalchemy import Enum

order_flags = Table(
    "order_flags", Base.metadata,
    Column("flag", Enum("new", "paid", name="order_flag")),
    schema="tenant",
)
"""),
            example("""
from sqlalchemy import Enum

order_flags = Table(
    "order_flags", Base.metadata,
    Column("flag", Enum("new", "paid", name="order_flag", schema="tenant")),
    schema="tenant",
)
"""),
            unsafe=True,
        ),
        Invalid(
            example("""
import enum

from sqlalchemy.orm import Mapped, mapped_column


class Status(enum.Enum):
    NEW = "new"
    PAID = "paid"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Status]
"""),
            None,
            unsafe=True,
        ),
    ),
)
