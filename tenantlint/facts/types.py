"""The facts of one file: plain frozen data, cached (`codec` derives the cache's shape key from
these hints) and built in worker processes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tenantlint.facts.table_args import Span, TableArgs


class RefKind(enum.Enum):
    COLUMN = "column"  # "table.column" or "schema.table.column" (ForeignKey, foreign_key=)
    TABLE = "table"  # "table" (secondary=, metadata.tables[...])
    EXPRESSION = "expression"  # "... table.c.column ..." (primaryjoin=, order_by=, ...)


TABLE_OF = "\x00"  # where a computed reference inserts a model's table name
CONSTANT_OF = "\x01"  # where a reference inserts the value of a module-level string constant


@dataclass(frozen=True)
class Constant:
    """`NAME = "user.id"` at module level; also `"a" + OTHER`, `f"{OTHER}.id"` of constants."""

    value: str  # with CONSTANT_OF marking where each of `names` goes
    names: tuple[str, ...]  # dotted names of the constants it is built from
    span: Span  # the value
    raw: str | None  # the literal as written, when the value is one plain string
    uses: int  # how many times the name occurs in its module besides its definition


@dataclass(frozen=True)
class StringRef:
    kind: RefKind
    value: str  # with TABLE_OF marking where a model's table name goes (f"{Chip.__tablename__}.id")
    span: Span
    raw: str | None  # the literal as written, when it can be rewritten (a plain string)
    models: tuple[str, ...] = ()  # the dotted names whose `__tablename__` fill the TABLE_OF marks
    names: tuple[str, ...] = ()  # the dotted names of the constants that fill the CONSTANT_OF marks
    # a string is expected here (a foreign key's target, a `metadata.tables[...]` key): an
    # expression that does not resolve to one is a computed reference, not an object
    required: bool = False
    opaque: bool = False  # neither a literal nor built from constants: which table it names is unknown

    @property
    def computed(self) -> bool:
        return self.raw is None


@dataclass(frozen=True)
class Helper:
    """`def fk(t): return ForeignKey(f"{t}.id")`: a module-level function that returns a foreign key
    built from its parameters."""

    params: tuple[str, ...]
    value: str  # the target, with CONSTANT_OF where each of `names` (parameters or constants) goes
    names: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class HelperCall:
    """`fk("parent")`: a call with string literal arguments, which may be a helper's."""

    callee: str
    args: tuple[str, ...]  # the positional arguments, each a string literal
    span: Span


@dataclass(frozen=True)
class TableCall:
    """`Table("name", metadata, ...)`."""

    span: Span
    callee: str  # `Table`, `sa.Table`, `db.Table`: whose Table it is is decided with the imports
    name: str | None
    schema: str | None  # the literal, if `schema=` is a literal
    has_schema: bool
    has_star_kwargs: bool
    name_constant: str | None = None  # `Table(USERS, ...)`: the constant naming it, resolved by the project
    name_written: str | None = None  # the name's expression as written, when it is not a literal
    # what a module-level function returns (`def Table(name, *a): return sa.Table(name, *a)`): a
    # wrapper or a factory, whose callers name the table
    returned: bool = False
    reflected: bool = False  # `autoload_with=`: its columns and references come from the database

    @property
    def label(self) -> str:
        """How findings name it: the name, else the expression that gives it."""
        return self.name or self.name_written or ""


@dataclass(frozen=True)
class TypeObjectCall:
    """`Enum(..., name=...)` or `Sequence(...)`: objects created once per schema (fact 8); or
    `x: Mapped[SomeEnum]`, which SQLAlchemy 2 maps to a named native enum by itself."""

    span: Span
    kind: str  # "Enum", "Sequence", or "Mapped" (then `callee` is the annotated type)
    callee: str
    has_schema: bool
    has_star_kwargs: bool
    class_path: str | None  # the class whose body holds it


@dataclass(frozen=True)
class ClassInfo:
    path: str  # dotted nesting path inside the module: "Outer.Inner"
    name: str
    line: int  # of the `class` keyword
    col: int  # byte column of the `class` keyword
    bases: tuple[str, ...]  # dotted names; "" for an expression we cannot name
    keywords: tuple[tuple[str, str], ...]  # (keyword, dotted value or repr of a constant)
    decorators: tuple[str, ...]
    tablename: str | None  # the literal `__tablename__` (or a string constant of the same module)
    tablename_constant: str | None  # `__tablename__ = NAME`, NAME not a constant of this module
    has_tablename: bool
    tablename_declared_attr: bool
    # how a `declared_attr` `__tablename__` names tables: "lower" (`cls.__name__.lower()`),
    # "name" (`cls.__name__`), "unknown" (anything else), None without one
    tablename_rule: str | None
    has_table: bool  # `__table__ = ...`
    table_args: TableArgs | None
    abstract: bool
    has_primary_key: bool
    docstring: bool


@dataclass(frozen=True)
class SqlString:
    """SQL that SQLAlchemy sends as written (`text("...")`, `exec_driver_sql`, a string `execute`,
    `read_sql`, `op.execute`): `kind` "sql", `sql` the text with `__p0__` for each computed part;
    or a lightweight `table("name")` / an Inspector call on a name: `kind` "table", `sql` the name."""

    span: Span
    kind: str
    callee: str
    sql: str
    computed: bool  # parts of the text are filled in at runtime (f-string, `%`, `.format`)
    schema: str | None  # `table(..., schema="x")`
    has_schema: bool


@dataclass(frozen=True)
class OpCall:
    """`op.<name>(...)` of Alembic's `op` on a table named by a literal (`bulk_insert`: its `table("x")`)."""

    span: Span
    name: str
    table: str
    schema: str | None
    has_schema: bool


@dataclass(frozen=True)
class AutoNamed:
    """An index or constraint declared in a class body that SQLAlchemy names from the naming
    convention: `index=True` (ix), `unique=True` (uq), the primary key (pk), an unnamed `ForeignKey`
    (fk), or an unnamed `Index` / `UniqueConstraint` / `CheckConstraint` in `__table_args__`."""

    class_path: str
    kind: str  # ix, uq, ck, fk, pk
    columns: tuple[str, ...]
    referred_table: str | None


@dataclass(frozen=True)
class MetaDataCall:
    """A `MetaData(...)` call and what owns it: a class path (`metadata = MetaData()` in its body)
    or a module-level name (`metadata_obj = MetaData()`, `Base = declarative_base(metadata=MetaData())`)."""

    span: Span
    owner: str
    convention: tuple[tuple[str, str], ...] | None  # None: no `naming_convention=` (SQLAlchemy's default)
    editable: bool  # `naming_convention=` absent or a dict literal of strings in the call (fix can merge)
    known: bool  # the convention could be read (a literal here, or a module-level dict literal)


@dataclass(frozen=True)
class ModuleFacts:
    module: str  # dotted module name relative to the project root
    is_package: bool
    imports: dict[str, str]  # local name -> qualified name
    assigned_calls: dict[str, str]  # module-level `X = f(...)` -> dotted f
    base_cls: dict[str, str]  # `Base = declarative_base(cls=Mixin)` -> "Mixin": Base inherits from it
    star_imports: tuple[str, ...]  # modules of `from x import *`
    classes: tuple[ClassInfo, ...]
    tables: tuple[TableCall, ...]
    refs: tuple[StringRef, ...]
    type_objects: tuple[TypeObjectCall, ...]
    constants: dict[str, Constant] = field(default_factory=dict)
    bound: frozenset[str] = frozenset()  # every other name a module-level assignment binds
    # module-level functions that end in `return f(...)` -> dotted f: wrappers (`def Table(*a, **k):
    # return sa.Table(*a, **k)`) are whose they call, also when imported from another module
    returns: dict[str, str] = field(default_factory=dict)
    helpers: dict[str, Helper] = field(default_factory=dict)
    helper_calls: tuple[HelperCall, ...] = ()
    noqa: dict[int, frozenset[str] | None] = field(default_factory=dict)  # line -> codes (None: all)
    sql: tuple[SqlString, ...] = ()
    ops: tuple[OpCall, ...] = ()
    auto_named: tuple[AutoNamed, ...] = ()
    metadata: tuple[MetaDataCall, ...] = ()
    # a class's or a name's metadata given by another module-level name: `metadata = md` in the body
    # of `Base`, `Base = declarative_base(metadata=md)` -> {"Base": "md"}
    metadata_aliases: dict[str, str] = field(default_factory=dict)
