"""TNT003 unverifiable-table-args: a tenant model whose `__table_args__` is computed."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, SourceFile, Verdict
from tenantlint.facts.vocabulary import MODEL_WORDS
from tenantlint.findings import Finding
from tenantlint.rules import Invalid, Rule, Valid, example


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    for model in context.tenant_models(file):
        name, own = model.name, model.ref.info.table_args
        if own is not None:
            if context.verdict(own) is Verdict.COMPUTED:
                yield context.finding(
                    file, RULE,
                    f"`__table_args__` of model `{name}` is computed; run `tenantlint verify` to check it",
                    model.where, name,
                )
            continue
        inherited, origin = context.inherited(model.ref)
        if not context.nothing_to_keep(inherited) and context.verdict(inherited) is Verdict.COMPUTED:
            yield context.finding(
                file, RULE,
                f"Model `{name}` inherits a computed `__table_args__` from `{origin}`; "
                "run `tenantlint verify` to check it", model.where, name,
            )


RULE = Rule(
    code="TNT003",
    name="unverifiable-table-args",
    summary="`__table_args__` is computed (`declared_attr`, a call, a name, a concatenation)",
    what="Reports a tenant model whose `__table_args__` is computed (`declared_attr`, a call, a name, a "
    "concatenation), so its schema cannot be read from the source.",
    why="tenantlint cannot prove the model gets the placeholder schema, nor edit the value safely.",
    example='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = make_args("products")',
    use_instead='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}',
    fix_safety="Never fixed. Run `tenantlint verify MODULE` to check such models with SQLAlchemy itself.",
    fix_summary="never; use `tenantlint verify`",
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
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant", "comment": "what we sell"}
    id = Column(Integer, primary_key=True)
''')),
        Valid(example('''
def make_args():
    return {"comment": "shared"}


class Plan(Base):
    __tablename__ = "plans"  # outside the tenant paths: not checked
    __table_args__ = make_args()
    id = Column(Integer, primary_key=True)
'''), path="app/models/public/example.py"),
    ),
    invalid=(
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)

    @declared_attr.directive
    def __table_args__(cls):
        return {"schema": "tenant"}
''')),
        Invalid(example('''
BASE_ARGS = (UniqueConstraint("sku"),)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = BASE_ARGS + ({"schema": "tenant"},)
    id = Column(Integer, primary_key=True)
    sku = Column(String)
''')),
        Invalid(example('''
def make_args(name):
    return {"schema": "tenant", "comment": name}


class Product(Base):
    __tablename__ = "products"
    __table_args__ = make_args("products")
    id = Column(Integer, primary_key=True)
''')),
        Invalid(example('''
SCHEMA = "tenant"


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": SCHEMA}
    id = Column(Integer, primary_key=True)
''')),
        Invalid(example('''
class ComputedMixin:
    @declared_attr.directive
    def __table_args__(cls):
        return {"schema": "tenant"}


class Product(ComputedMixin, Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
''')),
    ),
)
