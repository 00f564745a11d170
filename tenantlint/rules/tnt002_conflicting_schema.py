"""TNT002 conflicting-schema: a tenant model or `Table(...)` with another literal schema."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, SourceFile, Verdict
from tenantlint.facts.vocabulary import MODEL_WORDS, TABLE_WORDS
from tenantlint.findings import Applicability, Edit, EditKind, Finding
from tenantlint.rules import FixAvailability, Invalid, Rule, Valid, example


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    placeholder, pos = context.placeholder, context.positions(file)
    for model in context.tenant_models(file):
        name, own = model.name, model.ref.info.table_args
        if own is None:
            inherited, origin = context.inherited(model.ref)
            if not context.nothing_to_keep(inherited) and context.verdict(inherited) is Verdict.CONFLICT:
                yield context.finding(
                    file, RULE,
                    f"Model `{name}` inherits schema {inherited.schema_value!r} from `{origin}`, "
                    f"not `{placeholder}`", model.where, name,
                )
        elif context.verdict(own) is Verdict.CONFLICT:
            span = own.schema_span
            edit = Edit(
                EditKind.REPLACE_SCHEMA, span.line, pos.char(span.line, span.col), old="", new=f'"{placeholder}"',
                applicability=Applicability.UNSAFE, title=f"Set the schema to `{placeholder}`",
            )
            yield context.finding(
                file, RULE, f"Model `{name}` has schema {own.schema_value!r}, not `{placeholder}`", model.where, name,
                edit,
            )
    if not file.tenant:
        return
    for call in context.tables(file):
        if call.has_schema and call.schema != placeholder:
            yield context.finding(
                file, RULE, f"Table `{call.label}` has schema {call.schema!r}, not `{placeholder}`",
                pos.span(call.span), call.label,
            )


RULE = Rule(
    code="TNT002",
    name="conflicting-schema",
    summary='the schema is another literal (`"public"`, `None`, ...)',
    what="Reports a model in a tenant path whose schema is another literal (`\"public\"`, `None`, `\"user_1\"`).",
    why="A fixed schema is never remapped: the model is shared by every tenant, or bound to a single one.",
    example='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = {"schema": "public"}',
    use_instead='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}',
    fix_safety="Unsafe (`--unsafe-fixes`): the schema may be deliberate, and moving a table to another "
    "schema needs a data migration.",
    fix_summary="unsafe only",
    fix_availability=FixAvailability.SOMETIMES,
    check=check,
    words=MODEL_WORDS + TABLE_WORDS,
    valid=(
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("name"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    name = Column(String)
''')),
        Valid(example('''
class Plan(Base):
    __tablename__ = "plans"  # shared, outside the tenant paths: any schema is its own business
    __table_args__ = {"schema": "public"}
    id = Column(Integer, primary_key=True)
'''), path="app/models/public/example.py"),
        Valid(example('''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer), schema="tenant")
''')),
    ),
    invalid=(
        Invalid(
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "public"}
    id = Column(Integer, primary_key=True)
'''),
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''),
            unsafe=True,
        ),
        Invalid(
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("name"), {"schema": None})
    id = Column(Integer, primary_key=True)
    name = Column(String)
'''),
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("name"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    name = Column(String)
'''),
            unsafe=True,
        ),
        Invalid(
            example('''
class PublicMixin:
    __table_args__ = {"schema": "user_1"}


class Product(PublicMixin, Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
'''),
            None,
        ),
        Invalid(
            example('''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer), schema="public")
'''),
            None,
        ),
    ),
)
