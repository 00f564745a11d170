"""Which classes are models: their bases (resolved by `resolution`), roles, MROs and tables.

Implements SPEC "Which classes are models" and facts 3 and 4 on the `ModuleFacts`s.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from tenantlint.facts import ClassInfo, ModuleFacts
from tenantlint.resolution import ClassRef, ModuleLoader, Resolver

DECLARATIVE_ROOTS = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
        "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
    }
)
BASE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
    }
)
AS_DECLARATIVE = frozenset(
    {
        "sqlalchemy.orm.as_declarative",
        "sqlalchemy.ext.declarative.as_declarative",
        "sqlalchemy.orm.decl_api.as_declarative",
    }
)
REGISTRY = frozenset({"sqlalchemy.orm.registry", "sqlalchemy.orm.decl_api.registry"})
SQLMODEL = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})


class Role(enum.Enum):
    PLAIN = "plain"  # not declarative: a mixin, or unrelated
    BASE = "base"  # a declarative base itself (subclass of DeclarativeBase)
    ABSTRACT = "abstract"  # `__abstract__ = True`
    SQLMODEL_SCHEMA = "sqlmodel schema"  # SQLModel without table=True: a pydantic model
    MAPPED = "mapped"


class External(enum.Enum):
    """What a name from outside the project is, when tenantlint knows it."""

    UNKNOWN = "unknown"
    DECLARATIVE_ROOT = "DeclarativeBase"
    MODEL_BASE = "declarative base"  # subclasses are mapped (declarative_base(), base-classes)
    FLASK_MODEL = "db.Model"  # subclasses are mapped, table name generated
    SQLMODEL = "SQLModel"


@dataclass(frozen=True)
class Table:
    """A model's table as the rules see it."""

    cls: ClassRef
    single_table: bool  # no table of its own (single-table inheritance)
    tablename: str | None  # None when a `declared_attr` we cannot follow names it
    guesses: tuple[str, ...] = ()  # then: the names the usual naming functions would give


def snake_case(name: str) -> str:
    """`OrderLine` -> `order_line`, as Flask-SQLAlchemy names tables (its camel_to_snake_case)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")


def table_name_candidates(info: ClassInfo) -> set[str]:
    """Every name the class's table may have: its literal `__tablename__`, or a generated one."""
    if info.tablename is not None:
        return {info.tablename}
    return {info.name.lower(), snake_case(info.name), info.name}


class Project(Resolver):
    """Which of the project's classes are declarative bases, models, mixins; their tables."""

    def __init__(self, modules: list[ModuleFacts], base_classes: tuple[str, ...] = (),
                 loader: ModuleLoader | None = None):
        super().__init__(modules, loader)
        self.base_classes = frozenset(base_classes)
        self._role: dict[tuple[str, str], Role] = {}
        # the rules ask for the same bases and MROs once per class and per descendant
        self._bases: dict[tuple[str, str], tuple[ClassRef | External, ...]] = {}
        self._mro: dict[tuple[str, str], tuple[ClassRef | External, ...]] = {}
        self._table: dict[tuple[str, str], Table | None] = {}
        # by (module, base as written): a module's classes mostly name the same few bases
        self._named_base: dict[tuple[str, str], ClassRef | External] = {}
        self._factory: dict[tuple[str, str], ClassRef | None] = {}

    def _external(self, module: ModuleFacts, dotted: str) -> External:
        """Classify a base-class expression that is not a project class."""
        qualified = self.qualify(module, dotted)
        if qualified in self.base_classes or dotted in self.base_classes:
            return External.MODEL_BASE
        if qualified in DECLARATIVE_ROOTS:
            return External.DECLARATIVE_ROOT
        if qualified in SQLMODEL:
            return External.SQLMODEL
        if dotted.endswith(".Model"):  # Flask-SQLAlchemy: db.Model, where db = SQLAlchemy()
            if self._is_flask_db(self.lookup(self.qualify(module, dotted[: -len(".Model")]))):
                return External.FLASK_MODEL
        target = self.lookup(qualified)
        if isinstance(target, tuple):
            callee = self._callee(*target)
            if callee in BASE_FACTORIES or callee.endswith(".generate_base"):
                return External.MODEL_BASE
        elif target in self.base_classes:  # a configured base, reached through a re-export
            return External.MODEL_BASE
        return External.UNKNOWN

    def resolve_base(self, cls: ClassRef, dotted: str) -> ClassRef | External:
        if not dotted:
            return External.UNKNOWN
        key = (cls.module.module, dotted)
        found = self._named_base.get(key)
        if found is None:
            target = self.lookup(self.qualify(cls.module, dotted))
            found = target if isinstance(target, ClassRef) else self._external(cls.module, dotted)
            self._named_base[key] = found
        if isinstance(found, ClassRef) and found.key == cls.key:  # the class itself: not its base
            return self._external(cls.module, dotted)
        return found

    # -- roles
    def role(self, cls: ClassRef) -> Role:
        if cls.key not in self._role:
            self._role[cls.key] = Role.PLAIN  # guards against cycles
            self._role[cls.key] = self._compute_role(cls)
        return self._role[cls.key]

    def _compute_role(self, cls: ClassRef) -> Role:
        info = cls.info
        if any(self.qualify(cls.module, d) in AS_DECLARATIVE for d in info.decorators):
            return Role.BASE  # @as_declarative() class Base: ...
        root, declarative, sqlmodel = self._inherited(cls)
        if root:
            return Role.BASE
        if any(d.endswith((".mapped", ".mapped_as_dataclass")) and self._is_registry(cls, d) for d in info.decorators):
            return Role.MAPPED
        if sqlmodel:
            return Role.MAPPED if ("table", "True") in info.keywords else Role.SQLMODEL_SCHEMA
        if not declarative:
            return self._outside_role(cls)
        return Role.ABSTRACT if info.abstract else Role.MAPPED

    def _inherited(self, cls: ClassRef) -> tuple[bool, bool, bool]:
        """What the bases make the class: (a DeclarativeBase subclass, declarative, SQLModel)."""
        declarative = sqlmodel = False
        for base in self.bases(cls):
            if base is External.DECLARATIVE_ROOT:
                return True, declarative, sqlmodel  # the later bases' roles are not asked for
            if base in (External.MODEL_BASE, External.FLASK_MODEL):
                declarative = True
            elif base is External.SQLMODEL:
                sqlmodel = True
            elif isinstance(base, ClassRef):
                role = self.role(base)
                if role is Role.SQLMODEL_SCHEMA:
                    sqlmodel = True
                elif role is not Role.PLAIN:
                    declarative = True
                    sqlmodel = sqlmodel or self._sqlmodel_lineage(base)
        return False, declarative, sqlmodel

    def _outside_role(self, cls: ClassRef) -> Role:
        """`class X(Base)` with `__tablename__`, where Base comes from outside the files we can
        read (an installed package, another sys.path root): a model all the same."""
        info = cls.info
        unknown = [d for d in info.bases if self.resolve_base(cls, d) is External.UNKNOWN
                   and not self._is_object(cls.module, d)]
        if unknown and info.tablename is not None and not info.abstract:
            return Role.MAPPED
        return Role.PLAIN

    def _is_object(self, module: ModuleFacts, dotted: str) -> bool:
        """`class Mixin(object):` names the builtin, never a declarative base from elsewhere."""
        return dotted in ("object", "builtins.object") and "object" not in module.imports and not self._defines(
            module, "object")

    def _sqlmodel_lineage(self, cls: ClassRef) -> bool:
        return any(
            b is External.SQLMODEL or (isinstance(b, ClassRef) and self._sqlmodel_lineage(b)) for b in self.bases(cls)
        )

    def _is_registry(self, cls: ClassRef, decorator: str) -> bool:
        owner = self.lookup(self.qualify(cls.module, decorator.rsplit(".", 1)[0]))
        if isinstance(owner, tuple):
            return self._callee(*owner) in REGISTRY
        return False

    def bases(self, cls: ClassRef) -> tuple[ClassRef | External, ...]:
        if cls.key not in self._bases:
            result: list[ClassRef | External] = []
            for dotted in cls.info.bases:
                result.append(self.resolve_base(cls, dotted))
                mixin = self._factory_cls(cls, dotted)
                if mixin is not None:
                    result.append(mixin)
            self._bases[cls.key] = tuple(result)
        return self._bases[cls.key]

    def _factory_cls(self, cls: ClassRef, dotted: str) -> ClassRef | None:
        """`Base = declarative_base(cls=CustomBase)`: Base's subclasses inherit CustomBase."""
        key = (cls.module.module, dotted)
        if key not in self._factory:
            target = self.lookup(self.qualify(cls.module, dotted)) if dotted else None
            mixin = None
            if isinstance(target, tuple) and target[1] in target[0].base_cls:
                mixin = self.lookup(self.qualify(target[0], target[0].base_cls[target[1]]))
            self._factory[key] = mixin if isinstance(mixin, ClassRef) else None
        return self._factory[key]

    def mro(self, cls: ClassRef) -> tuple[ClassRef | External, ...]:
        """Python's C3 linearization over the classes we can see (external ones are leaves),
        built on the bases' own, each computed once."""
        key = cls.key
        if key not in self._mro:
            self._mro[key] = (cls,)  # a cycle of bases ends here
            self._mro[key] = tuple(self._linearize(cls))
        return self._mro[key]

    def _linearize(self, cls: ClassRef) -> list[ClassRef | External]:
        bases = self.bases(cls)
        if len(bases) == 1:  # single inheritance, most models: the base's MRO after the class
            if not isinstance(bases[0], ClassRef):
                return [cls, bases[0]]
            ancestors = self.mro(bases[0])
            if all(not isinstance(a, ClassRef) or a.key != cls.key for a in ancestors):
                return [cls, *ancestors]
        sequences = [list(self.mro(base)) if isinstance(base, ClassRef) else [base] for base in bases]
        sequences.append(list(bases))
        result: list[ClassRef | External] = [cls]
        sequences = [[x for x in s if x != cls] for s in sequences]  # a cycle: not its own ancestor
        sequences = [s for s in sequences if s]
        while sequences:
            for seq in sequences:
                head = seq[0]
                if not any(head in s[1:] for s in sequences):
                    break
            else:  # inconsistent hierarchy: fall back to depth-first order
                for seq in sequences:
                    result.extend(x for x in seq if x not in result)
                return result
            result.append(head)
            sequences = [[x for x in s if x != head] for s in sequences]
            sequences = [s for s in sequences if s]
        return result

    def _flask(self, cls: ClassRef) -> bool:
        return any(b is External.FLASK_MODEL for b in self.mro(cls))

    # -- tables
    def table_of(self, cls: ClassRef) -> Table | None:
        """The model's table, or None for classes that map no table (facts 3, 4)."""
        if cls.key not in self._table:  # asked for every class by several rules
            self._table[cls.key] = self._table_of(cls)
        return self._table[cls.key]

    def _table_of(self, cls: ClassRef) -> Table | None:
        if self.role(cls) is not Role.MAPPED:
            return None
        info = cls.info
        if info.has_table:
            return Table(cls, False, info.tablename)
        ancestors = self.mro(cls)[1:]
        mapped_parent = any(isinstance(a, ClassRef) and self.role(a) is Role.MAPPED for a in ancestors)
        flask = self._flask(cls)
        if flask and mapped_parent and not info.has_primary_key:
            # Flask-SQLAlchemy drops even an explicit __tablename__ of a subclass without a
            # primary key of its own: single-table inheritance (fact 3)
            return Table(cls, True, None)
        if info.has_tablename and not info.tablename_declared_attr:
            return Table(cls, False, info.tablename)
        if ("table", "True") in info.keywords:  # SQLModel: the class name, lower-cased
            return Table(cls, False, info.name.lower())
        return self._generated_table(cls, ancestors, mapped_parent, flask)

    def _generated_table(self, cls: ClassRef, ancestors: tuple[ClassRef | External, ...], mapped_parent: bool,
                         flask: bool) -> Table | None:
        """The table a `declared_attr __tablename__` (the class's or an unmapped ancestor's) or
        Flask-SQLAlchemy names; none of them: the parent's table (single-table inheritance)."""
        info = cls.info
        rule = next(
            (a.info.tablename_rule for a in [cls, *ancestors] if isinstance(a, ClassRef)
             and (a is cls or self.role(a) is not Role.MAPPED) and a.info.tablename_declared_attr),
            None,
        )
        if rule is None and not flask:
            return Table(cls, True, None) if mapped_parent else None
        if rule == "lower":
            return Table(cls, False, info.name.lower())
        if rule == "name":
            return Table(cls, False, info.name)
        if rule is None:  # Flask-SQLAlchemy's own naming
            return Table(cls, False, snake_case(info.name))
        return Table(cls, False, None, (info.name.lower(), snake_case(info.name)))

    def inherited_table_args(self, cls: ClassRef) -> ClassRef | None:
        """The mixin or abstract base whose `__table_args__` SQLAlchemy applies (fact 4, 2i)."""
        for ancestor in self.mro(cls)[1:]:
            if isinstance(ancestor, ClassRef) and self.role(ancestor) is not Role.MAPPED:
                if ancestor.info.table_args is not None:
                    return ancestor
        return None
