"""TNT004 invalid-table-args: `__table_args__` SQLAlchemy already rejects or ignores."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, Model, SourceFile, Verdict
from tenantlint.facts.table_args import Shape, TableArgs
from tenantlint.facts.vocabulary import MODEL_WORDS
from tenantlint.findings import Finding
from tenantlint.rules import Invalid, Rule, Valid, example

_REASONS = {
    Shape.NOT_A_TUPLE: "parentheses without a comma make no tuple; SQLAlchemy expects a tuple or a dict",
    Shape.LIST: "a list; SQLAlchemy expects a tuple or a dict",
    Shape.DICT_NOT_LAST: "a dict that is not the last tuple element is not read as options",
}


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    for model in context.models(file):
        message = _ignored(model, file.tenant)
        if message:
            yield context.finding(file, RULE, message, model.where, model.name)
    for model in context.tenant_models(file):
        name, own = model.name, model.ref.info.table_args
        if own is not None:
            if context.verdict(own) is Verdict.INVALID:
                yield context.finding(file, RULE, f"`__table_args__` of model `{name}` is invalid: {_reason(own)}",
                                      model.where, name)
            continue
        inherited, origin = context.inherited(model.ref)
        if not context.nothing_to_keep(inherited) and context.verdict(inherited) is Verdict.INVALID:
            yield context.finding(file, RULE, f"Model `{name}` inherits an invalid `__table_args__` from `{origin}`",
                                  model.where, name)


def _ignored(model: Model, tenant: bool) -> str | None:
    """Why SQLAlchemy rejects or ignores the model's own `__table_args__`, if it does."""
    info, name = model.ref.info, model.name
    if info.table_args is None:
        return None
    if model.table.single_table:
        if not tenant:
            return None
        return (f"Model `{name}` has no table of its own (single-table inheritance): "
                "SQLAlchemy rejects its `__table_args__`")
    if info.has_table:  # the Table(...) call itself is checked by TNT006
        return f"Model `{name}` sets `__table__`, so SQLAlchemy ignores its `__table_args__`"
    return None


def _reason(args: TableArgs) -> str:
    return _REASONS[args.shape]


RULE = Rule(
    code="TNT004",
    name="invalid-table-args",
    summary="already broken for SQLAlchemy (dict not last, `(X)` without comma, a list, on a single-table "
    "subclass, beside `__table__`)",
    what="Reports `__table_args__` that SQLAlchemy already rejects or ignores: a dict that is not the "
    "last tuple element, a parenthesised value that is not a tuple, a list, `__table_args__` on a "
    "single-table subclass, or `__table_args__` beside `__table__`.",
    why="The model fails at import (`ArgumentError`) or its options are silently ignored; adding a "
    "schema to it would hide the real problem.",
    example='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = (UniqueConstraint("sku"))',
    use_instead='class Product(Base):\n    __tablename__ = "products"\n'
    '    __table_args__ = (UniqueConstraint("sku"), {"schema": "tenant"})',
    fix_safety="Never fixed: the intent is unclear.",
    fix_summary="never",
    check=check,
    words=MODEL_WORDS,
    valid=(
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    sku = Column(String)
''')),
        Valid(example('''
class Product(Base):
    __table__ = Table("products", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
''')),
        Valid(example('''
class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    kind = Column(String)
    __mapper_args__ = {"polymorphic_on": kind}


class Manager(Employee):
    __mapper_args__ = {"polymorphic_identity": "manager"}
''')),
    ),
    invalid=(
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"))
    id = Column(Integer, primary_key=True)
    sku = Column(String)
''')),
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = ({"schema": "tenant"}, UniqueConstraint("sku"))
    id = Column(Integer, primary_key=True)
    sku = Column(String)
''')),
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = [UniqueConstraint("sku"), {"schema": "tenant"}]
    id = Column(Integer, primary_key=True)
    sku = Column(String)
''')),
        Invalid(example('''
class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    kind = Column(String)
    __mapper_args__ = {"polymorphic_on": kind}


class Manager(Employee):
    __table_args__ = {"schema": "tenant"}
    __mapper_args__ = {"polymorphic_identity": "manager"}
''')),
        Invalid(example('''
class Product(Base):
    __table__ = Table("products", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
    __table_args__ = {"schema": "tenant"}
''')),
        Invalid(example('''
class ListMixin:
    __table_args__ = [UniqueConstraint("sku")]


class Product(ListMixin, Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    sku = Column(String)
''')),
    ),
)
