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

    def render(self, level: int = 1) -> str:
        """The rule's documentation in Markdown; `level` is the depth of its title."""
        title, section = "#" * level, "#" * (level + 1)
        return "\n".join(
            [
                f"{title} {self.name} ({self.code})" if level == 1 else f"{title} {self.code} {self.name}",
                "",
                f"{section} What it does",
                self.what,
                "",
                f"{section} Why is this bad?",
                self.why,
                "",
                f"{section} Example",
                "```python",
                self.example.strip("\n"),
                "```",
                "",
                f"{section} Use instead",
                "```python",
                self.use_instead.strip("\n"),
                "```",
                "",
                f"{section} Fix safety",
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


_register(
    Rule(
        code="TNT007",
        name="shared-type-object",
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
        valid=(
            Valid(
                _src(
                    """
from sqlalchemy import Enum, Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("orders_id_seq", schema="tenant"), primary_key=True)
    status = Column(Enum("new", "paid", name="order_status", schema="tenant"))
"""
                )
            ),
            Valid(
                _src(
                    """
from sqlalchemy import Enum


class Invoice(Base):
    __tablename__ = "invoices"  # shared: its enum type is meant to be shared too
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="invoice_status"))
"""
                ),
                path="app/models/public/example.py",
            ),
        ),
        invalid=(
            Invalid(
                _src(
                    """
from sqlalchemy import Enum


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="order_status"))
"""
                ),
                _src(
                    """
from sqlalchemy import Enum


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    status = Column(Enum("new", "paid", name="order_status", schema="tenant"))
"""
                ),
                unsafe=True,
            ),
            Invalid(
                _src(
                    """
from sqlalchemy import Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("orders_id_seq"), primary_key=True)
"""
                ),
                _src(
                    """
from sqlalchemy import Sequence


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, Sequence("orders_id_seq", schema="tenant"), primary_key=True)
"""
                ),
                unsafe=True,
            ),
        ),
    )
)

_register(
    Rule(
        code="TNT008",
        name="tenant-schema-outside-tenant-paths",
        what="Reports a model or a `Table(...)` outside the tenant paths that declares the placeholder schema.",
        why="Shared tables (accounts, plans) must stay in the shared schema. With the placeholder they are "
        "created once per tenant and each tenant sees only its own copy; or the file is a tenant model "
        "that belongs under the tenant paths (then adjust `tenant-paths`).",
        example='# app/models/public/plan.py\nclass Plan(Base):\n    __tablename__ = "plans"\n'
        '    __table_args__ = {"schema": "tenant"}',
        use_instead='# app/models/public/plan.py\nclass Plan(Base):\n    __tablename__ = "plans"',
        fix_safety="Never fixed: either the schema or the file's location is wrong, and only you know which.",
        valid=(
            Valid(
                _src(
                    """
class Plan(Base):
    __tablename__ = "plans"
    id = Column(Integer, primary_key=True)
"""
                ),
                path="app/models/public/example.py",
            ),
        ),
        invalid=(
            Invalid(
                _src(
                    """
class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
"""
                ),
                path="app/models/public/example.py",
            ),
            Invalid(
                _src(
                    """
plan_features = Table("plan_features", Base.metadata, Column("plan_id", Integer), schema="tenant")
"""
                ),
                path="app/models/public/example.py",
            ),
        ),
    )
)

# Runtime rules of `tenantlint verify`: SQLAlchemy reports them on the imported models, so their
# examples are documentation only (the tests run them through `verify` on real modules).
_RUNTIME = "Reported by `tenantlint verify`, which imports the models; never fixed by it"

_register(
    Rule(
        code="TNT101",
        name="runtime-missing-tenant-schema",
        what="Reports a table, as SQLAlchemy built it, defined in a tenant path (by a mapped class or a "
        "module-level `Table`) whose schema is not the placeholder.",
        why="The source may look right while the runtime table is not: a `declared_attr`, a mixin computed at "
        "import time or a base class can drop or change the schema. A table without the placeholder is shared "
        "by every tenant.",
        example='class Product(Base):\n    __tablename__ = "products"\n\n'
        '    @declared_attr.directive\n    def __table_args__(cls):\n        return {}',
        use_instead='class Product(Base):\n    __tablename__ = "products"\n\n'
        '    @declared_attr.directive\n    def __table_args__(cls):\n        return {"schema": "tenant"}',
        fix_safety=f"{_RUNTIME}; `tenantlint fix` fixes the literal cases (TNT001, TNT006).",
    )
)

_register(
    Rule(
        code="TNT102",
        name="runtime-tenant-schema-outside-tenant-paths",
        what="Reports a table defined outside the tenant paths whose runtime schema is the placeholder.",
        why="A shared table must not be remapped per tenant; see TNT008.",
        example='# app/models/public/plan.py\nclass Plan(TenantMixin, Base):  # the mixin adds the schema\n'
        '    __tablename__ = "plans"',
        use_instead='# app/models/public/plan.py\nclass Plan(Base):\n    __tablename__ = "plans"',
        fix_safety=f"{_RUNTIME}.",
    )
)

_register(
    Rule(
        code="TNT103",
        name="unresolved-foreign-key",
        what="Reports a foreign key whose target table or column SQLAlchemy cannot find in the metadata.",
        why="Typically a plain `ForeignKey(\"products.id\")` after `products` moved to the placeholder schema: it "
        "fails at the first flush or `create_all` (`NoReferencedTableError`).",
        example='product_id = Column(ForeignKey("products.id"))  # products is tenant.products',
        use_instead='product_id = Column(ForeignKey("tenant.products.id"))',
        fix_safety=f"{_RUNTIME}; `tenantlint fix` qualifies literal strings (TNT005). The live probe is skipped "
        "while a foreign key does not resolve.",
    )
)

_register(
    Rule(
        code="TNT104",
        name="runtime-shared-type-object",
        what="Reports a named native `Enum` or a `Sequence` on a tenant table whose runtime schema is not the "
        "placeholder.",
        why="See TNT007: the type or sequence is created once and shared by every tenant.",
        example='status = Column(Enum("new", "paid", name="order_status"))',
        use_instead='status = Column(Enum("new", "paid", name="order_status", schema="tenant"))',
        fix_safety=f"{_RUNTIME}; `tenantlint fix --unsafe-fixes` fixes the literal cases (TNT007).",
    )
)

_register(
    Rule(
        code="TNT105",
        name="ambiguous-table-name",
        what="Reports a table name that exists both as a shared table and as a tenant table.",
        why="A plain string reference (`ForeignKey(\"settings.id\")`, `metadata.tables[\"settings\"]`) can only "
        "name the shared one, and readers cannot tell which is meant.",
        example='class Settings(Base):        # shared\n    __tablename__ = "settings"\n\n'
        'class UserSettings(Base):    # per tenant\n    __tablename__ = "settings"\n'
        '    __table_args__ = {"schema": "tenant"}',
        use_instead='class UserSettings(Base):\n    __tablename__ = "user_settings"\n'
        '    __table_args__ = {"schema": "tenant"}',
        fix_safety=f"{_RUNTIME}.",
    )
)

_register(
    Rule(
        code="TNT106",
        name="tenant-probe-failed",
        what="Reports what the live probe found: the tenant tables could not be created for two probe tenants "
        "through `schema_translate_map`, a table is missing from a tenant's schema, a foreign key points "
        "outside its tenant's schema (PostgreSQL), a row written as one tenant is seen by the other, a "
        "probe schema could not be dropped, or the probe did not run at all (TNT103 or TNT107 make the tables "
        "impossible to create; this one is reported whatever `--select` and `--ignore` say).",
        why="It is what the application would do in production: tenants that share rows leak data.",
        example='class Brand(Base):  # models/user/brand.py\n    __tablename__ = "brands"',
        use_instead='class Brand(Base):\n    __tablename__ = "brands"\n'
        '    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map',
        fix_safety=f"{_RUNTIME}.",
    )
)

_register(
    Rule(
        code="TNT107",
        name="shared-table-references-tenant-table",
        what="Reports a shared table with a foreign key to a tenant table.",
        why="The shared table exists once; the tenant table once per tenant. The constraint cannot be created "
        "(it would point to the placeholder schema) and the rows could only belong to one tenant.",
        example='class Account(Base):  # shared\n    __tablename__ = "accounts"\n'
        '    last_order_id = Column(ForeignKey("tenant.orders.id"))',
        use_instead='class Account(Base):\n    __tablename__ = "accounts"\n'
        '    last_order_id = Column(Integer)  # no constraint across tenants',
        fix_safety=f"{_RUNTIME}. The live probe is skipped while it is reported.",
    )
)


# Rules of `tenantlint verify --tenants`: what an existing tenant schema holds against the models.
_TENANTS = ("Reported by `tenantlint verify MODULE --database-url URL --tenants PATTERN`, which reads the "
            "tenant schemas in a read-only transaction; never fixed by it (write the migration)")

_register(
    Rule(
        code="TNT108",
        name="tenant-table-drift",
        what="Reports a tenant table of the models that is missing from an existing tenant schema, or a table in "
        "that schema that no model defines (`alembic_version` excepted).",
        why="A tenant created before a migration, or by hand, lacks the table: the first query of that tenant "
        "fails (`relation \"user_3.orders\" does not exist`). An extra table is a leftover nobody migrates.",
        example='class Order(Base):  # models\n    __tablename__ = "orders"\n'
        '    __table_args__ = {"schema": "tenant"}\n\n'
        "# user_3 has no table `orders`:\n"
        "# Tenant `user_3`: table `user_3.orders` is missing",
        use_instead="# the migration that creates it, run for that tenant too:\n"
        'op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True), schema="user_3")',
        fix_safety=f"{_TENANTS}.",
    )
)

_register(
    Rule(
        code="TNT109",
        name="tenant-column-drift",
        what="Reports a column of a tenant table that is missing from a tenant schema, not in the models, of "
        "another type (in PostgreSQL's spelling: `character varying(100)`), or of another nullability.",
        why="The ORM writes what the models say: a missing column fails every insert, a shorter type truncates "
        "or fails, a nullable column the models call NOT NULL holds rows the code does not expect.",
        example="title = Column(String(200))  # models\n"
        "# user_2: title varchar(100)\n"
        "# Tenant `user_2`: column `products.title` is `character varying(100)`, the models say "
        "`character varying(200)`",
        use_instead='op.alter_column("products", "title", type_=sa.String(200), schema="user_2")',
        fix_safety=f"{_TENANTS}.",
    )
)

_register(
    Rule(
        code="TNT110",
        name="tenant-index-drift",
        what="Reports an index or UNIQUE constraint of a tenant schema that differs from the models: by name "
        "(the same columns under another name is reported as named differently, with both names), by columns "
        "or uniqueness, missing, or not in the models. A constraint the models leave unnamed matches any name.",
        why="Adding `schema=\"tenant\"` changes the default index names (`ix_products_title` becomes "
        "`ix_tenant_products_title`), so old and new tenants differ and a migration that drops or renames an "
        "index by name fails in half of them (see TNT010). A missing unique constraint lets duplicates in.",
        example="title = Column(String(200), index=True)  # models: ix_tenant_products_title\n"
        "# user_2: CREATE INDEX ix_products_title ON user_2.products (title)\n"
        "# Tenant `user_2`: index `ix_products_title` (title) on `products` is named differently: the models "
        "name it `ix_tenant_products_title`",
        use_instead='op.execute("ALTER INDEX user_2.ix_products_title RENAME TO ix_tenant_products_title")\n'
        "# or keep the old names with a naming convention on the base's MetaData (TNT010)",
        fix_safety=f"{_TENANTS}.",
    )
)

_register(
    Rule(
        code="TNT111",
        name="tenant-foreign-key-outside",
        what="Reports a foreign key of a tenant schema that points to a table outside that schema which is not "
        "one of the models' shared tables (another tenant's table, or a stray copy in `public`).",
        why="The rows of one tenant then depend on another tenant's rows: deleting a tenant fails, and data "
        "crosses tenants. It is what `create_all` leaves when a foreign key string missed the placeholder.",
        example="# user_2.orders.product_id REFERENCES user_1.products (id)\n"
        "# Tenant `user_2`: foreign key `orders_product_id_fkey` of `orders` points to `user_1.products`, "
        "outside the tenant's schema",
        use_instead='product_id = Column(ForeignKey("tenant.products.id"))\n'
        "# then recreate the constraint in user_2, pointing to user_2.products",
        fix_safety=f"{_TENANTS}.",
    )
)

_register(
    Rule(
        code="TNT112",
        name="tenant-type-object-drift",
        what="Reports a named enum type or a sequence of the tenant tables that lives elsewhere than the models "
        "say (the tenant's own schema for `schema=\"tenant\"`, else the shared schema), is missing, or (enums) "
        "has other values than the models' `Enum(...)`. For an enum, the type the tenant's columns use decides.",
        why="Old tenants have `user_1.product_status`, newer ones a shared `public.product_status`: an explicit "
        "CAST fails in one (`operator does not exist: user_1.product_status = product_status`), adding "
        "`schema=\"tenant\"` breaks the other (`type \"user_3.product_status\" does not exist`), and a "
        "missing value fails the insert.",
        example='status = Column(Enum("draft", "active", "sold", name="product_status", schema="tenant"))\n'
        "# user_3 has only public.product_status:\n"
        "# Tenant `user_3`: enum type `product_status` is `public.product_status`, the models expect "
        "`user_3.product_status`",
        use_instead='op.execute("CREATE TYPE user_3.product_status AS ENUM (\'draft\', \'active\', \'sold\')")\n'
        'op.execute("ALTER TABLE user_3.products ALTER COLUMN status TYPE user_3.product_status"\n'
        '           " USING status::text::user_3.product_status")',
        fix_safety=f"{_TENANTS}.",
    )
)

_register(
    Rule(
        code="TNT113",
        name="tenant-alembic-version",
        what="Reports, when some tenant schemas have an `alembic_version` table, a tenant without one (or with an "
        "empty one) and a tenant at another revision than most versioned tenants. tenantlint does not read the "
        "migration scripts, so it names the majority's revision, not the head.",
        why="Per-tenant upgrades (`for schema in tenants: alembic upgrade head`) skip a tenant without a version "
        "row silently, and a tenant left behind runs code written for tables it does not have.",
        example="# user_1, user_2: b2c3; user_3: no alembic_version table\n"
        "# Tenant `user_3`: no `alembic_version` table: per-tenant upgrades skip this tenant",
        use_instead="# stamp the revision its tables match, then upgrade it with the others:\n"
        "# alembic -x tenant=user_3 stamp a1b2 && alembic -x tenant=user_3 upgrade head",
        fix_safety=f"{_TENANTS}.",
    )
)


def markdown_reference() -> str:
    """Every rule's documentation, as the README's rule reference (a test keeps them equal)."""
    return "\n".join(rule.render(level=3) for rule in RULES.values())


def is_known_selector(code: str) -> bool:
    """A full code (`TNT001`) or a prefix of known codes (`TNT`, `TNT00`)."""
    return any(known.startswith(code) for known in RULES) and code.startswith("T")
