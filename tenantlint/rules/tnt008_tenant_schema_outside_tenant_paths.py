"""TNT008 tenant-schema-outside-tenant-paths: a shared model or table with the placeholder schema."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, SourceFile
from tenantlint.facts.table_args import Schema
from tenantlint.facts.vocabulary import MODEL_WORDS, TABLE_WORDS
from tenantlint.findings import Finding
from tenantlint.rules import Invalid, Rule, Valid, example

PUBLIC_PATH = "app/models/public/example.py"


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    if file.tenant:
        return
    placeholder, pos = context.placeholder, context.positions(file)
    for model in context.models(file):
        args = model.ref.info.table_args
        if model.table.single_table or model.ref.info.has_table or args is None:
            continue
        if args.schema is Schema.LITERAL and args.schema_value == placeholder:
            yield context.finding(
                file, RULE,
                f"Model `{model.name}` declares the tenant schema `{placeholder}` outside the tenant paths",
                model.where, model.name,
            )
    for call in context.tables(file):
        if call.has_schema and call.schema == placeholder:
            yield context.finding(
                file, RULE,
                f"Table `{call.label}` declares the tenant schema `{placeholder}` outside the tenant paths",
                pos.span(call.span), call.label,
            )


RULE = Rule(
    code="TNT008",
    name="tenant-schema-outside-tenant-paths",
    summary="a model or table outside the tenant paths declares the placeholder",
    what="Reports a model or a `Table(...)` outside the tenant paths that declares the placeholder schema.",
    why="Shared tables (accounts, plans) must stay in the shared schema. With the placeholder they are "
    "created once per tenant and each tenant sees only its own copy; or the file is a tenant model "
    "that belongs under the tenant paths (then adjust `tenant-paths`).",
    example='# app/models/public/plan.py\nclass Plan(Base):\n    __tablename__ = "plans"\n'
    '    __table_args__ = {"schema": "tenant"}',
    use_instead='# app/models/public/plan.py\nclass Plan(Base):\n    __tablename__ = "plans"',
    fix_safety="Never fixed: either the schema or the file's location is wrong, and only you know which.",
    fix_summary="never",
    check=check,
    words=MODEL_WORDS + TABLE_WORDS,
    valid=(
        Valid(example('''
class Plan(Base):
    __tablename__ = "plans"
    id = Column(Integer, primary_key=True)
'''), path=PUBLIC_PATH),
        Valid(example('''
plan_features = Table("plan_features", Base.metadata, Column("plan_id", Integer), schema="public")
'''), path=PUBLIC_PATH),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}  # in a tenant path: where it belongs
    id = Column(Integer, primary_key=True)
''')),
    ),
    invalid=(
        Invalid(example('''
class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''), path=PUBLIC_PATH),
        Invalid(example('''
plan_features = Table("plan_features", Base.metadata, Column("plan_id", Integer), schema="tenant")
'''), path=PUBLIC_PATH),
        Invalid(example('''
class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("code"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    code = Column(String)
'''), path=PUBLIC_PATH),
    ),
)
