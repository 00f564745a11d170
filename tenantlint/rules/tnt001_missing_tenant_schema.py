"""TNT001 missing-tenant-schema: a tenant model whose `__table_args__` gives no schema."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, Positions, SourceFile, Verdict
from tenantlint.facts.table_args import Shape, TableArgs
from tenantlint.facts.vocabulary import MODEL_WORDS
from tenantlint.findings import Edit, EditKind, Finding
from tenantlint.rules import FixAvailability, Invalid, Rule, Valid, example


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    pos = context.positions(file)
    for model in context.tenant_models(file):
        info, name = model.ref.info, model.name
        own = info.table_args
        if own is not None:
            if context.verdict(own) is Verdict.MISSING and own.constant is not None and own.constant_uses != 1:
                yield context.finding(
                    file, RULE, f"Model `{name}` has no tenant schema; its `__table_args__` uses `{own.constant}`, "
                    f"which other code uses too: write `{{**{own.constant}, \"schema\": \"{context.placeholder}\"}}` "
                    "in its place", model.where, name)
            elif context.verdict(own) is Verdict.MISSING:
                yield context.finding(file, RULE, f"Model `{name}` has no tenant schema", model.where, name,
                                      _args_edit(own, pos, context.placeholder))
            continue
        inherited, origin = context.inherited(model.ref)
        if context.nothing_to_keep(inherited):
            edit = Edit(EditKind.ADD_ASSIGNMENT, info.line, info.col, old=info.path,
                        title=f"Add `__table_args__ = {{\"schema\": \"{context.placeholder}\"}}`")
            yield context.finding(file, RULE, f"Model `{name}` has no tenant schema", model.where, name, edit)
        elif context.verdict(inherited) is Verdict.MISSING:  # a plain assignment would drop what the parent holds (fact 5)
            yield context.finding(
                file, RULE,
                f"Model `{name}` has no tenant schema; it inherits `__table_args__` from `{origin}`, "
                "which a plain assignment would drop: merge them by hand", model.where, name,
                by_hand=_merged(inherited, origin, context.placeholder),
            )


def _merged(inherited: TableArgs, origin: str, placeholder: str) -> str | None:
    """The assignment that keeps what the parent's `__table_args__` holds and adds the schema
    (SQLAlchemy takes the keyword options from a dict that comes last)."""
    parent, schema = f"{origin}.__table_args__", f'"schema": "{placeholder}"'
    if inherited.shape is Shape.DICT:
        return f"__table_args__ = {{**{parent}, {schema}}}"
    if inherited.shape is Shape.TUPLE and inherited.options_dict is None:
        return f"__table_args__ = (*{parent}, {{{schema}}})"
    if inherited.shape is Shape.TUPLE:
        return f"__table_args__ = (*{parent}[:-1], {{**{parent}[-1], {schema}}})"
    return None


def _args_edit(args: TableArgs, pos: Positions, placeholder: str) -> Edit:
    """The edit that puts the schema into the model's own `__table_args__`."""
    title = f"Add `\"schema\": \"{placeholder}\"` to `__table_args__`"
    if args.options_dict is not None:
        span = args.options_dict
        return Edit(EditKind.MERGE_KEY, span.line, pos.char(span.line, span.col), title=title)
    span = args.span
    kind = EditKind.REPLACE_ARGS if args.shape is Shape.NONE else EditKind.APPEND_DICT
    return Edit(kind, span.line, pos.char(span.line, span.col), title=title)


RULE = Rule(
    code="TNT001",
    name="missing-tenant-schema",
    summary="a model with its own table, in a tenant path, has no schema",
    what="Checks that every model with a table of its own, in a tenant path, declares the placeholder "
    "schema in `__table_args__`.",
    why="`schema_translate_map` only remaps tables that carry the placeholder schema. A model without it "
    "stays in the shared schema: every tenant reads and writes the same rows.",
    example='class Product(Base):\n    __tablename__ = "products"\n    id = Column(Integer, primary_key=True)',
    use_instead='class Product(Base):\n    __tablename__ = "products"\n'
    '    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n'
    "    id = Column(Integer, primary_key=True)",
    fix_safety="Safe: the fix adds a plain assignment after `__tablename__`, appends the dict as the last "
    "element of a tuple, or merges the key into a trailing or sole dict; nothing else changes. No fix "
    "when the model inherits `__table_args__` holding constraints or other options from a mixin or an "
    "abstract base (a plain assignment would drop them silently).",
    fix_summary="safe: assignment after `__tablename__`, dict appended to a tuple, key merged into a trailing "
    "or sole dict; none when a mixin's inherited `__table_args__` would be lost",
    fix_availability=FixAvailability.SOMETIMES,
    check=check,
    words=MODEL_WORDS,
    moves="models",
    valid=(
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
''')),
        Valid(example('''
class Profile:
    """A plain class in a tenant path is not a model."""

    __tablename__ = "not_a_table"
''')),
        Valid(example('''
class TenantMixin:
    __table_args__ = {"schema": "tenant"}


class Product(TenantMixin, Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
''')),
        Valid(example('''
class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    kind = Column(String)
    __mapper_args__ = {"polymorphic_on": kind}


class Manager(Employee):
    """Single-table inheritance: no table of its own, compliant through its parent."""

    __mapper_args__ = {"polymorphic_identity": "manager"}
''')),
    ),
    invalid=(
        Invalid(
            example('''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
'''),
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map
    id = Column(Integer, primary_key=True)
'''),
        ),
        Invalid(
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"), Index("ix_name", "name"))
    id = Column(Integer, primary_key=True)
    sku = Column(String)
    name = Column(String)
'''),
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"), Index("ix_name", "name"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    sku = Column(String)
    name = Column(String)
'''),
        ),
        Invalid(
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("sku"),  # one per catalogue
        {"comment": "what we sell"},
    )
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''),
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("sku"),  # one per catalogue
        {"comment": "what we sell", "schema": "tenant"},
    )
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''),
        ),
        Invalid(
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = ()
    id = Column(Integer, primary_key=True)
'''),
            example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = ({"schema": "tenant"},)
    id = Column(Integer, primary_key=True)
'''),
        ),
        Invalid(
            example('''
class ConstraintsMixin:
    __table_args__ = (UniqueConstraint("sku"),)


class Product(ConstraintsMixin, Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''),
            None,
        ),
    ),
)
