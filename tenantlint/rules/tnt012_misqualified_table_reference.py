"""TNT012 misqualified-table-reference: a string that names a table in the placeholder schema
although the table does not get that schema (the static mirror of TNT103)."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, SourceFile
from tenantlint.facts.vocabulary import MODEL_WORDS, REFERENCE_WORDS, TABLE_WORDS
from tenantlint.findings import Finding
from tenantlint.rules import Invalid, Rule, Valid, example


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    pos, placeholder = context.positions(file), context.placeholder
    for ref in context.refs(file):
        for name in context.placeholder_tables(ref):
            if name in context.unsettled_tables:
                why = (f"`{name}` does not get the schema in this run ({context.unsettled_tables[name]}): "
                       "qualify this once its model has it")
            elif name in context.shared_tables and name not in context.tenant_tables:
                why = f"`{name}` is a shared table: write `{ref.value.replace(placeholder + '.', '', 1)}`"
            else:
                continue
            yield context.finding(
                file, RULE,
                f"Reference `{ref.value}` names table `{name}` in the `{placeholder}` schema, where SQLAlchemy "
                f"will not find it; {why}",
                pos.span(ref.span), name,
            )
            break


_ORDER = '''
class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''

_SHARED_ACCOUNT = '''
class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = {"schema": None}  # shared, though in a tenant path
    id = Column(Integer, primary_key=True)
'''

RULE = Rule(
    code="TNT012",
    name="misqualified-table-reference",
    summary="a string names `tenant.<table>` for a table that does not get the schema",
    what="Reports a string reference qualified with the placeholder schema (`ForeignKey(\"tenant.brands.id\")`, "
    "`secondary=\"tenant.product_tags\"`, `primaryjoin=\"tenant.accounts.c.id == ...\"`) whose table is a "
    "shared one, or a tenant one that `fix` cannot give the schema (computed or inherited `__table_args__`).",
    why="SQLAlchemy looks the table up as `tenant.brands`: when the table is not there, the mappers do not "
    "configure (`NoReferencedTableError`, `NoForeignKeysError`) and the app does not start. It is what "
    "`tenantlint verify` reports as TNT103, found before anything runs: after a fix of part of the models, "
    "or a reference qualified by hand.",
    example='class Brand(Base):  # shared\n    __tablename__ = "brands"\n\n'
    'class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}\n'
    '    brand_id = Column(ForeignKey("tenant.brands.id"))',
    use_instead='    brand_id = Column(ForeignKey("brands.id"))  # a shared table keeps no schema',
    fix_safety="Never fixed: whether the table should move into the schema or the reference lose its prefix "
    "is the author's decision.",
    fix_summary="never",
    check=check,
    words=MODEL_WORDS + TABLE_WORDS + REFERENCE_WORDS,
    valid=(
        Valid(example('''
class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    brand_id = Column(ForeignKey("tenant.brands.id"))
''')),
        Valid(example(_SHARED_ACCOUNT + _ORDER + '''    account_id = Column(ForeignKey("accounts.id"))
''')),
        Valid(example('''
class Brand(Base):  # TNT001: `fix` gives it the schema in the same run
    __tablename__ = "brands"
    id = Column(Integer, primary_key=True)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    brand_id = Column(ForeignKey("tenant.brands.id"))
''')),
        Valid(example(_ORDER + '''    partner_id = Column(ForeignKey("tenant.partners.id"))  # not a table of this project
''')),
    ),
    invalid=(
        Invalid(example(_SHARED_ACCOUNT + _ORDER + '''    account_id = Column(ForeignKey("tenant.accounts.id"))
''')),
        Invalid(example('''
from sqlalchemy.orm import relationship

product_tags = Table("product_tags", Base.metadata, Column("product_id", ForeignKey("tenant.products.id")),
                     schema=None)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    tags = relationship("Tag", secondary="tenant.product_tags")
''')),
        Invalid(example(_SHARED_ACCOUNT + _ORDER + '''    account_id = Column(Integer)
''' + '''

class OrderView(Base):
    __tablename__ = "order_views"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    account_id = Column(Integer)

    from sqlalchemy.orm import relationship

    account = relationship("Account", primaryjoin="tenant.accounts.c.id == OrderView.account_id")
''')),
        Invalid(example('''
def brand_args():
    return (Index("ix_brands_name", "name"),)


class Brand(Base):  # TNT003: `fix` cannot give it the schema
    __tablename__ = "brands"
    __table_args__ = brand_args()
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    brand_id = Column(ForeignKey("tenant.brands.id"))
''')),
    ),
)
