"""The rule catalogue: each rule's documentation and the examples that are its tests.

`tenantlint rules CODE` prints a rule from here and `tests/test_rule_examples.py` runs every
example, so the documentation and the behaviour cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Every example is one module at this path, so it sits inside the default tenant paths.
EXAMPLE_PATH = "app/models/user/example.py"


@dataclass(frozen=True)
class Invalid:
    source: str
    fixed: str | None = None  # None: the rule reports it but `fix` leaves it alone
    unsafe: bool = False  # the fix needs --unsafe-fixes
    path: str = EXAMPLE_PATH


@dataclass(frozen=True)
class Valid:
    source: str
    path: str = EXAMPLE_PATH


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    what: str
    why: str
    example: str
    use_instead: str
    fix_safety: str
    valid: tuple[Valid, ...] = field(default=())
    invalid: tuple[Invalid, ...] = field(default=())

    def render(self) -> str:
        return "\n".join(
            [
                f"# {self.name} ({self.code})",
                "",
                "## What it does",
                self.what,
                "",
                "## Why is this bad?",
                self.why,
                "",
                "## Example",
                "```python",
                self.example.strip("\n"),
                "```",
                "",
                "## Use instead",
                "```python",
                self.use_instead.strip("\n"),
                "```",
                "",
                "## Fix safety",
                self.fix_safety,
                "",
            ]
        )


HEADER = '''from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, declared_attr


class Base(DeclarativeBase):
    pass
'''


def _src(body: str) -> str:
    return HEADER + "\n\n" + body.strip("\n") + "\n"


RULES: dict[str, Rule] = {}


def _register(rule: Rule) -> Rule:
    RULES[rule.code] = rule
    return rule


_register(
    Rule(
        code="TNT000",
        name="parse-error",
        what="Reports a file in scope that Python cannot parse.",
        why="tenantlint cannot tell which models such a file holds, so it can neither check nor fix it.",
        example="class Product(Base)\n    __tablename__ = \"products\"",
        use_instead="class Product(Base):\n    __tablename__ = \"products\"",
        fix_safety="Never fixed; the file is left untouched and the run exits with 2.",
        invalid=(Invalid(source="class Product(Base)\n    __tablename__ = 'products'\n"),),
    )
)

_register(
    Rule(
        code="TNT001",
        name="missing-tenant-schema",
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
        valid=(
            Valid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''
                )
            ),
            Valid(
                _src(
                    '''
class Profile:
    """A plain class in a tenant path is not a model."""

    __tablename__ = "not_a_table"
'''
                )
            ),
            Valid(
                _src(
                    '''
class TenantMixin:
    __table_args__ = {"schema": "tenant"}


class Product(TenantMixin, Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
'''
                )
            ),
            Valid(
                _src(
                    '''
class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    kind = Column(String)
    __mapper_args__ = {"polymorphic_on": kind}


class Manager(Employee):
    """Single-table inheritance: no table of its own, compliant through its parent."""

    __mapper_args__ = {"polymorphic_identity": "manager"}
'''
                )
            ),
        ),
        invalid=(
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
'''
                ),
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map
    id = Column(Integer, primary_key=True)
'''
                ),
            ),
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"), Index("ix_name", "name"))
    id = Column(Integer, primary_key=True)
    sku = Column(String)
    name = Column(String)
'''
                ),
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"), Index("ix_name", "name"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    sku = Column(String)
    name = Column(String)
'''
                ),
            ),
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("sku"),  # one per catalogue
        {"comment": "what we sell"},
    )
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''
                ),
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("sku"),  # one per catalogue
        {"comment": "what we sell", "schema": "tenant"},
    )
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''
                ),
            ),
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = ()
    id = Column(Integer, primary_key=True)
'''
                ),
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = ({"schema": "tenant"},)
    id = Column(Integer, primary_key=True)
'''
                ),
            ),
            Invalid(
                _src(
                    '''
class ConstraintsMixin:
    __table_args__ = (UniqueConstraint("sku"),)


class Product(ConstraintsMixin, Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''
                ),
                None,
            ),
        ),
    )
)

_register(
    Rule(
        code="TNT002",
        name="conflicting-schema",
        what="Reports a model in a tenant path whose schema is another literal (`\"public\"`, `None`, `\"user_1\"`).",
        why="A fixed schema is never remapped: the model is shared by every tenant, or bound to a single one.",
        example='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = {"schema": "public"}',
        use_instead='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}',
        fix_safety="Unsafe (`--unsafe-fixes`): the schema may be deliberate, and moving a table to another "
        "schema needs a data migration.",
        invalid=(
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "public"}
    id = Column(Integer, primary_key=True)
'''
                ),
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
'''
                ),
                unsafe=True,
            ),
        ),
    )
)

_register(
    Rule(
        code="TNT003",
        name="unverifiable-table-args",
        what="Reports a tenant model whose `__table_args__` is computed (`declared_attr`, a call, a name, a "
        "concatenation), so its schema cannot be read from the source.",
        why="tenantlint cannot prove the model gets the placeholder schema, nor edit the value safely.",
        example='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = make_args("products")',
        use_instead='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}',
        fix_safety="Never fixed. Run `tenantlint verify MODULE` to check such models with SQLAlchemy itself.",
        invalid=(
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)

    @declared_attr.directive
    def __table_args__(cls):
        return {"schema": "tenant"}
'''
                )
            ),
            Invalid(
                _src(
                    '''
BASE_ARGS = (UniqueConstraint("sku"),)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = BASE_ARGS + ({"schema": "tenant"},)
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''
                )
            ),
        ),
    )
)

_register(
    Rule(
        code="TNT004",
        name="invalid-table-args",
        what="Reports `__table_args__` that SQLAlchemy already rejects or ignores: a dict that is not the "
        "last tuple element, a parenthesised value that is not a tuple, a list, `__table_args__` on a "
        "single-table subclass, or `__table_args__` beside `__table__`.",
        why="The model fails at import (`ArgumentError`) or its options are silently ignored; adding a "
        "schema to it would hide the real problem.",
        example='class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = (UniqueConstraint("sku"))',
        use_instead='class Product(Base):\n    __tablename__ = "products"\n'
        '    __table_args__ = (UniqueConstraint("sku"), {"schema": "tenant"})',
        fix_safety="Never fixed: the intent is unclear.",
        invalid=(
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("sku"))
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''
                )
            ),
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = ({"schema": "tenant"}, UniqueConstraint("sku"))
    id = Column(Integer, primary_key=True)
    sku = Column(String)
'''
                )
            ),
        ),
    )
)

_register(
    Rule(
        code="TNT005",
        name="unqualified-table-reference",
        what="Reports a string that names a tenant table without the placeholder schema: "
        "`ForeignKey(\"products.id\")`, `ForeignKeyConstraint(..., [\"products.id\"])`, "
        "`Field(foreign_key=\"products.id\")`, `relationship(secondary=\"order_tags\")`, "
        "`primaryjoin=\"... order_tags.c.x\"`, `metadata.tables[\"products\"]`, in any file of the project.",
        why="Once `products` lives in the placeholder schema, SQLAlchemy knows it only as `tenant.products`: "
        "the plain name stops resolving (`NoReferencedTableError` at the first flush or create_all).",
        example='product_id = Column(ForeignKey("products.id"))',
        use_instead='product_id = Column(ForeignKey("tenant.products.id"))',
        fix_safety="Safe when the table name is unambiguous. A name that exists both as a shared and as a "
        "tenant table is reported and never guessed.",
        invalid=(
            Invalid(
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id"))
'''
                ),
                _src(
                    '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.products.id"))
'''
                ),
            ),
        ),
    )
)

_register(
    Rule(
        code="TNT006",
        name="table-without-schema",
        what="Reports a `Table(...)` in a tenant path (an association table, or `__table__ = Table(...)`) "
        "without `schema=`.",
        why="`__table_args__` does not reach a `Table(...)`: the table stays shared by every tenant.",
        example='order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer))',
        use_instead='order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer), schema="tenant")',
        fix_safety="Safe: adds the keyword as the last argument.",
        invalid=(
            Invalid(
                _src(
                    '''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer))
'''
                ),
                _src(
                    '''
order_tags = Table("order_tags", Base.metadata, Column("order_id", Integer), schema="tenant")
'''
                ),
            ),
        ),
    )
)


def is_known_selector(code: str) -> bool:
    """A full code (`TNT001`) or a prefix of known codes (`TNT`, `TNT00`)."""
    return any(known.startswith(code) for known in RULES) and code.startswith("T")
