"""TNT006 table-without-schema: a `Table(...)` in a tenant path without `schema=`."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, SourceFile
from tenantlint.facts.vocabulary import TABLE_WORDS
from tenantlint.findings import Edit, EditKind, Finding
from tenantlint.rules import FixAvailability, Invalid, Rule, Valid, example


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    if not file.tenant:
        return
    placeholder, pos = context.placeholder, context.positions(file)
    for call in context.tables(file):
        if call.has_schema:
            continue
        edit = None
        if not call.has_star_kwargs:  # `**options` may hold a schema already
            edit = Edit(EditKind.ADD_KEYWORD, call.span.line, pos.char(call.span.line, call.span.col),
                        new=f'"{placeholder}"', title=f"Add `schema=\"{placeholder}\"`")
        yield context.finding(file, RULE, f"Table `{call.label}` has no tenant schema", pos.span(call.span),
                              call.label, edit)


RULE = Rule(
    code="TNT006",
    name="table-without-schema",
    summary="`Table(...)` in a tenant path lacks `schema=`",
    what="Reports a `Table(...)` in a tenant path (an association table, or `__table__ = Table(...)`) "
    "without `schema=`.",
    why="`__table_args__` does not reach a `Table(...)`: the table stays shared by every tenant.",
    example='order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer))',
    use_instead='order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer), schema="tenant")',
    fix_safety="Safe: adds the keyword as the last argument.",
    fix_summary="safe: adds the keyword",
    fix_availability=FixAvailability.SOMETIMES,
    check=check,
    words=TABLE_WORDS,
    moves="tables",
    valid=(
        Valid(example('''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer), schema="tenant")
''')),
        Valid(example('''
plan_features = Table("plan_features", Base.metadata, Column("plan_id", Integer))
'''), path="app/models/public/example.py"),
        Valid(example('''
class Product(Base):
    __table__ = Table("products", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
''')),
    ),
    invalid=(
        Invalid(
            example('''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer))
'''),
            example('''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer), schema="tenant")
'''),
        ),
        Invalid(
            example('''
class Product(Base):
    __table__ = Table("products", Base.metadata, Column("id", Integer, primary_key=True))
'''),
            example('''
class Product(Base):
    __table__ = Table("products", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
'''),
        ),
        Invalid(
            example('''
order_tags = Table(
    "order_tags",
    Base.metadata,
    Column("order_id", Integer),
)
'''),
            example('''
order_tags = Table(
    "order_tags",
    Base.metadata,
    Column("order_id", Integer),
    schema="tenant",
)
'''),
        ),
        Invalid(
            example('''
OPTIONS = {"comment": "tags of an order"}
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer), **OPTIONS)
'''),
            None,
        ),
    ),
)
