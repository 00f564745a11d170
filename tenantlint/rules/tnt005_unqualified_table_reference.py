"""TNT005 unqualified-table-reference: a string that names a tenant table without the schema."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, Positions, SourceFile
from tenantlint.facts import StringRef
from tenantlint.facts.source import reads_as_itself, written
from tenantlint.facts.syntax import literal_value
from tenantlint.facts.vocabulary import MODEL_WORDS, REFERENCE_WORDS, TABLE_WORDS
from tenantlint.findings import Edit, EditKind, Finding
from tenantlint.rules import FixAvailability, Invalid, Rule, Valid, example


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    pos = context.positions(file)
    for ref in context.computed_refs(file):
        yield context.finding(
            file, RULE, f"Reference `{written(file.lines, ref.span)}` is computed: tenantlint cannot tell which table it names "
            "(confirm with `tenantlint verify`)", pos.span(ref.span), None)
    for call in context.tables(file):
        # not a wrapper's or factory's (its callers name the table), nor a reflected one (the
        # database does: what no source says is out of reach, docs/cannot-see.md)
        if call.name is None and not call.returned and not call.reflected:
            yield context.finding(
                file, RULE, f"Table name `{call.label}` is computed: tenantlint cannot tell which table it is, "
                "nor check the references to it (confirm with `tenantlint verify`)", pos.span(call.span), None)
    for ref, helper in context.helper_refs(file):
        tenant = [n for n in context.referenced_tables(ref) if n in context.tenant_tables]
        if tenant:
            yield context.finding(
                file, RULE, f"Reference `{ref.value}`, built by helper {helper}, names tenant table `{tenant[0]}` "
                f"without the `{context.placeholder}.` schema: pass the qualified name or change the helper",
                pos.span(ref.span), tenant[0])
    for ref in context.refs(file):
        tenant = [n for n in context.referenced_tables(ref) if n in context.tenant_tables]
        if tenant:
            yield _unqualified(context, file, ref, tenant, pos)


def _unqualified(context: Context, file: SourceFile, ref: StringRef, tenant: list[str], pos: Positions) -> Finding:
    """A string reference naming the tenant tables `tenant`: ambiguous, or qualified where it can be."""
    where = pos.span(ref.span)
    ambiguous = [n for n in tenant if n in context.shared_tables]
    if ambiguous:
        return context.finding(
            file, RULE,
            f"Reference `{ref.value}` is ambiguous: `{ambiguous[0]}` is both a shared and a tenant table",
            where, ambiguous[0],
        )
    new_value = context.qualified(ref, set(tenant))
    unsettled = [n for n in tenant if n in context.unsettled_tables]
    # qualify only what will be in the schema
    edit, note = None, _note(context, ref, tenant, unsettled, new_value)
    if ref.raw is not None and not unsettled:
        edit = _qualify(ref, new_value, pos)
    elif ref.names and not unsettled:
        edit, note = _at_definition(context, file, ref, new_value, pos)
    return context.finding(
        file, RULE,
        f"Reference `{ref.value}` names tenant table `{tenant[0]}` without the `{context.placeholder}.` schema"
        f"{note}",
        where, tenant[0], edit, by_hand=f'"{new_value}"' if ref.computed and not unsettled else None,
        breaks_now=all(n in context.in_schema for n in tenant),
    )


def _at_definition(context: Context, file: SourceFile, ref: StringRef, new_value: str,
                   pos: Positions) -> tuple[Edit | None, str]:
    """A reference that is a string constant: qualified where the constant is defined, when this
    is its only use; else reported with where it is."""
    found = context.constant_of(file, ref)
    if found is None:
        return None, f" (built from string constants: write `{new_value}` where they are defined)"
    module, name, constant = found
    only_use = module is file.facts and constant.uses == 1 and not context.imported_elsewhere(module, name)
    if only_use and constant.raw is not None and constant.value == ref.value:
        single = StringRef(ref.kind, constant.value, constant.span, constant.raw)
        edit = _qualify(single, new_value, pos)
        if edit is not None:
            return edit, f" (the value of constant `{name}`, qualified where it is defined)"
    path = module.module.replace(".", "/")
    where = f"{path}/__init__.py:{constant.span.line}" if module.is_package else f"{path}.py:{constant.span.line}"
    if constant.value != ref.value:
        return None, f" (built from constant `{name}` at {where}: write `{new_value}` by hand)"
    return None, (f" (the value of constant `{name}` at {where}, which other code uses too: "
                  f"write `{new_value}` there if every use of it names this table)")


def _note(context: Context, ref: StringRef, tenant: list[str], unsettled: list[str], new_value: str) -> str:
    """What the message adds when the reference cannot simply be qualified, or might not need it."""
    if unsettled:
        name = unsettled[0]
        return (f" (`{name}` does not get the schema in this run: {context.unsettled_tables[name]}; qualify this"
                " once its model has it, and confirm with `tenantlint verify`)")
    if ref.computed:
        return f" (a computed string: write `{new_value}`, or refer to the column itself)"
    if tenant[0] in context.guessed_tables:
        return " (its name is generated: confirm with `tenantlint verify`)"
    return ""


def _qualify(ref: StringRef, new_value: str, pos: Positions) -> Edit | None:
    """The literal rewritten with the same prefix and quotes, if it still means `new_value`."""
    quote_at = len(ref.raw) - len(ref.raw.lstrip("rRuU"))
    prefix, quote = ref.raw[:quote_at], ref.raw[quote_at]
    if ref.raw[quote_at : quote_at + 3] == quote * 3:
        quote *= 3
    candidate = f"{prefix}{quote}{new_value}{quote}"
    if not _evaluates_to(candidate, new_value):
        return None
    return Edit(EditKind.QUALIFY_STRING, ref.span.line, pos.char(ref.span.line, ref.span.col),
                old=ref.raw, new=candidate, title=f"Qualify as `{new_value}`")


def _evaluates_to(literal: str, value: str) -> bool:
    """Whether a string literal (prefix r, u or none) reads as `value`."""
    if reads_as_itself(value, literal[-1]):
        return True
    try:
        return literal_value(literal) == value
    except (ValueError, SyntaxError):
        return False


_TENANT_MODELS = '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''


def _with_models(body: str) -> str:
    return example(_TENANT_MODELS + "\n\n" + body.strip("\n"))


_ORDER_TAGS = '''
order_tags = Table(
    "order_tags", Base.metadata,
    Column("order_id", ForeignKey("tenant.orders.id")), Column("tag_id", ForeignKey("tenant.tags.id")),
    schema="tenant",
)
'''


def _order(relationship_args: str) -> str:
    return _with_models(_ORDER_TAGS + f'''

class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {{"schema": "tenant"}}
    id = Column(Integer, primary_key=True)
    tags = relationship("Tag", {relationship_args})
''').replace("from sqlalchemy.orm import ", "from sqlalchemy.orm import relationship, ", 1)


RULE = Rule(
    code="TNT005",
    name="unqualified-table-reference",
    summary='`ForeignKey("products.id")`, `secondary="order_tags"`, `primaryjoin="... order_tags.c.x"`, '
    '`foreign_key=`, `metadata.tables["products"]` name a tenant table without `tenant.` (in any file)',
    what="Reports a string that names a tenant table without the placeholder schema: "
    "`ForeignKey(\"products.id\")`, `ForeignKeyConstraint(..., [\"products.id\"])`, "
    "`Field(foreign_key=\"products.id\")`, `relationship(secondary=\"order_tags\")`, "
    "`primaryjoin=\"... order_tags.c.x\"`, `metadata.tables[\"products\"]`, in any file of the project; "
    "also through module-level string constants (`ForeignKey(PRODUCT_ID)`, imported or built with `+` or "
    "f-strings). What tenantlint cannot follow is reported too, never skipped: a foreign key target or "
    "`metadata.tables` key that is computed (a call, a subscript, a helper's parameter), a `secondary=` or "
    "`primaryjoin=` string put together from parts it cannot fill in (an f-string, `+`, `%`, `.format`), and "
    "a `Table` whose name is computed (the references to it cannot be checked). Which table such an "
    "expression names is unknown: confirm with `tenantlint verify`.",
    why="Once `products` lives in the placeholder schema, SQLAlchemy knows it only as `tenant.products`: "
    "the plain name stops resolving (`NoReferencedTableError` at the first flush or create_all).",
    example='product_id = Column(ForeignKey("products.id"))',
    use_instead='product_id = Column(ForeignKey("tenant.products.id"))',
    fix_safety="Safe when the table name is unambiguous. A name that exists both as a shared and as a "
    "tenant table is reported and never guessed.",
    fix_summary="safe when unambiguous",
    fix_availability=FixAvailability.SOMETIMES,
    check=check,
    words=MODEL_WORDS + TABLE_WORDS + REFERENCE_WORDS,
    valid=(
        Valid(_with_models('''
class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.products.id"))
''')),
        Valid(_order('secondary="tenant.order_tags"')),
        Valid(example('''
class Plan(Base):
    __tablename__ = "plans"  # shared tables, outside the tenant paths: their plain names are right
    id = Column(Integer, primary_key=True)


class Subscription(Base):
    __tablename__ = "subscriptions"
    id = Column(Integer, primary_key=True)
    plan_id = Column(ForeignKey("plans.id"))
'''), path="app/models/public/example.py"),
        Valid(_with_models('''
products = Base.metadata.tables["tenant.products"]
''')),
    ),
    invalid=(
        Invalid(
            _with_models('''
class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id"))
'''),
            _with_models('''
class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.products.id"))
'''),
        ),
        Invalid(
            _with_models('''
from sqlalchemy import ForeignKeyConstraint


class Review(Base):
    __tablename__ = "reviews"
    id = Column(Integer, primary_key=True)
    product_id = Column(Integer)
    __table_args__ = (ForeignKeyConstraint(["product_id"], ["products.id"]), {"schema": "tenant"})
'''),
            _with_models('''
from sqlalchemy import ForeignKeyConstraint


class Review(Base):
    __tablename__ = "reviews"
    id = Column(Integer, primary_key=True)
    product_id = Column(Integer)
    __table_args__ = (ForeignKeyConstraint(["product_id"], ["tenant.products.id"]), {"schema": "tenant"})
'''),
        ),
        Invalid(
            example('''
from sqlmodel import Field, SQLModel


class Gadget(SQLModel, table=True):
    __tablename__ = "gadgets"
    __table_args__ = {"schema": "tenant"}
    id: int = Field(primary_key=True)


class GadgetReview(SQLModel, table=True):
    __tablename__ = "gadget_reviews"
    __table_args__ = {"schema": "tenant"}
    id: int = Field(primary_key=True)
    gadget_id: int = Field(foreign_key="gadgets.id")
'''),
            example('''
from sqlmodel import Field, SQLModel


class Gadget(SQLModel, table=True):
    __tablename__ = "gadgets"
    __table_args__ = {"schema": "tenant"}
    id: int = Field(primary_key=True)


class GadgetReview(SQLModel, table=True):
    __tablename__ = "gadget_reviews"
    __table_args__ = {"schema": "tenant"}
    id: int = Field(primary_key=True)
    gadget_id: int = Field(foreign_key="tenant.gadgets.id")
'''),
        ),
        Invalid(_order('secondary="order_tags"'), _order('secondary="tenant.order_tags"')),
        Invalid(
            _order('secondary=lambda: order_tags, primaryjoin="Order.id == order_tags.c.order_id"'),
            _order('secondary=lambda: order_tags, primaryjoin="Order.id == tenant.order_tags.c.order_id"'),
        ),
        Invalid(
            _with_models('''
products = Base.metadata.tables["products"]
'''),
            _with_models('''
products = Base.metadata.tables["tenant.products"]
'''),
        ),
        Invalid(  # a string constant used once: qualified where it is defined
            _with_models('''
PRODUCT_ID = "products.id"


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey(PRODUCT_ID))
'''),
            _with_models('''
PRODUCT_ID = "tenant.products.id"


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey(PRODUCT_ID))
'''),
        ),
        Invalid(  # a computed reference: which table it names is unknown, never silence
            _with_models('''
def fk(table):
    return ForeignKey(f"{table}.id")


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(fk("products"))
'''),
            None,
        ),
        Invalid(  # text put together at run time, where a table name goes
            _order('secondary=f"{PREFIX}_tags"').replace("class Order", "PREFIX = load_prefix()\n\n\nclass Order"),
            None,
        ),
        Invalid(  # a table whose name is computed: references to it cannot be checked
            _with_models('''
def history_of(table):
    history = Table(f"{table}_history", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
    return history
'''),
            None,
        ),
        Invalid(
            example('''
class Settings(Base):
    __tablename__ = "settings"  # a tenant table of this name ...
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class SharedSettings(Base):
    __tablename__ = "settings"  # ... and a shared one: which one is meant?
    __table_args__ = {"schema": None}
    id = Column(Integer, primary_key=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    settings_id = Column(ForeignKey("settings.id"))
'''),
            None,
        ),
    ),
)
