"""Which classes are models: names resolved through imports across the project's files.

Implements SPEC "Which classes are models" and facts 3 and 4 on the `ModuleFacts`s.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from tenantlint.facts import CONSTANT_OF, ClassInfo, Constant, ModuleFacts
from tenantlint.facts.types import Helper

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
FLASK_SQLALCHEMY = frozenset(
    {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy", "flask.ext.sqlalchemy.SQLAlchemy"}
)
SQLMODEL = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
PYTHON_ENUMS = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


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
class ClassRef:
    module: ModuleFacts
    info: ClassInfo

    @property
    def key(self) -> tuple[str, str]:
        return (self.module.module, self.info.path)


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


class ModuleLoader(Protocol):
    """Modules not read yet, parsed when a name resolves into them."""

    def names(self) -> Iterable[str]: ...

    def load(self, name: str) -> ModuleFacts | None: ...


class Project:
    def __init__(self, modules: list[ModuleFacts], base_classes: tuple[str, ...] = (),
                 loader: ModuleLoader | None = None):
        self.modules = {m.module: m for m in modules}
        self.base_classes = frozenset(base_classes)
        self.loader = loader
        self._role: dict[tuple[str, str], Role] = {}
        self._classes = {(m.module, c.path): ClassRef(m, c) for m in modules for c in m.classes}
        self._by_suffix: dict[str, str | None] = {}
        # the rules ask for the same bases and MROs once per class and per descendant
        self._bases: dict[tuple[str, str], tuple[ClassRef | External, ...]] = {}
        self._mro: dict[tuple[str, str], tuple[ClassRef | External, ...]] = {}
        self._table: dict[tuple[str, str], Table | None] = {}
        self._named: dict[tuple[str, str], ClassRef] = {}  # classes whose `__tablename__` is a constant
        named = [ref for ref in self._classes.values() if ref.info.tablename_constant is not None]
        self._classes.update({ref.key: self.ref(ref.module, ref.info) for ref in named})

    def ref(self, module: ModuleFacts, info: ClassInfo) -> ClassRef:
        """The class, with a `__tablename__` given by an imported constant read from its module."""
        if info.tablename_constant is None:
            return ClassRef(module, info)
        key = (module.module, info.path)
        if key not in self._named:
            value = self.constant_value(module, info.tablename_constant)
            self._named[key] = ClassRef(module, replace(info, tablename=value) if value is not None else info)
        return self._named[key]

    # -- string constants
    def constant(self, module: ModuleFacts, name: str, depth: int = 0) -> tuple[ModuleFacts, str, Constant] | None:
        """Where the string constant `name` (as written in `module`) is defined, and what it is."""
        if depth > 10:
            return None
        head, _, rest = name.partition(".")
        if not rest and head in module.constants:
            return module, head, module.constants[head]
        qualified = self.qualify(module, name)
        target, _, last = qualified.rpartition(".")
        found = self._find_module(target) if target else None
        if found is None or found is module and not rest:
            return None
        if last in found.constants:
            return found, last, found.constants[last]
        if last in found.imports:  # re-exported
            return self.constant(found, last, depth + 1)
        return None

    def constant_value(self, module: ModuleFacts, name: str, depth: int = 0) -> str | None:
        """The text of a string constant, the constants it is built from filled in."""
        found = self.constant(module, name)
        if found is None or depth > 10:
            return None
        where, _, constant = found
        value = constant.value
        for part in constant.names:
            filled = self.constant_value(where, part, depth + 1)
            if filled is None:
                return None
            value = value.replace(CONSTANT_OF, filled, 1)
        return value

    def binds(self, module: ModuleFacts, name: str) -> bool:
        """Whether a module-level statement or an import binds `name` (a bare name) in `module`."""
        return name in module.imports or name in module.bound or any(c.path == name for c in module.classes) \
            or bool(module.star_imports)

    # -- name resolution
    def _find_module(self, dotted: str) -> ModuleFacts | None:
        found = self._module(dotted)
        if found is not None:
            return found
        # an absolute import written relative to another sys.path entry (`models.base` for
        # `backend.models.base`): accept a unique suffix match. Memoised: the scan is linear
        # in the modules and most lookups (sqlalchemy.orm, ...) miss, again and again.
        if dotted not in self._by_suffix:
            tail = "." + dotted
            loadable = self.loader.names() if self.loader else ()
            matches = [name for name in (*self.modules, *loadable) if name.endswith(tail)]
            self._by_suffix[dotted] = matches[0] if len(matches) == 1 else None
        name = self._by_suffix[dotted]
        return None if name is None else self._module(name)

    def _module(self, name: str) -> ModuleFacts | None:
        """A module already read, or read now from the loader."""
        if name in self.modules:
            return self.modules[name]
        facts = self.loader.load(name) if self.loader else None
        if facts is not None:
            self.modules[name] = facts
            self._classes.update({(name, c.path): self.ref(facts, c) for c in facts.classes})
        return facts

    def qualify(self, module: ModuleFacts, name: str) -> str:
        """The qualified name a dotted expression in `module` refers to."""
        head, _, rest = name.partition(".")
        if head in module.imports:
            target = module.imports[head]
        elif not self._defines(module, head) and (star := self._star_source(module, head)):
            target = star
        else:
            target = f"{module.module}.{head}" if module.module else head
        return f"{target}.{rest}" if rest else target

    @staticmethod
    def _defines(module: ModuleFacts, name: str) -> bool:
        return name in module.assigned_calls or name in module.constants or any(c.path == name for c in module.classes)

    def _star_source(self, module: ModuleFacts, name: str, depth: int = 0) -> str | None:
        """Where `from x import *` brings `name` from, if x is a project module that has it."""
        for source in module.star_imports:
            found = self._find_module(source)
            if found is None or depth > 5:
                continue
            if name in found.imports:
                return found.imports[name]
            if self._defines(found, name):
                return f"{found.module}.{name}"
            deeper = self._star_source(found, name, depth + 1)
            if deeper:
                return deeper
        return None

    def lookup(self, qualified: str, depth: int = 0) -> ClassRef | tuple[ModuleFacts, str] | str:
        """A project class, a project module-level assignment (module, name), or the name itself."""
        if depth > 10:
            return qualified
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self._find_module(".".join(parts[:cut]))
            if module is None:
                continue
            rest = parts[cut:]
            ref = self._classes.get((module.module, ".".join(rest)))
            if ref is not None:
                return ref
            head = rest[0]
            if head in module.imports:  # re-exported: `from .base import Base` in __init__.py
                tail = ".".join(rest[1:])
                target = module.imports[head] + (f".{tail}" if tail else "")
                return self.lookup(target, depth + 1)
            if len(rest) == 1 and head in module.assigned_calls:
                return (module, head)
            return qualified
        return qualified

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

    def from_sqlalchemy(self, module: ModuleFacts, dotted: str, depth: int = 0) -> bool:
        """Whether a called name is SQLAlchemy's (`Table`, `sa.Enum`, Flask-SQLAlchemy's `db.Table`),
        not another library's (`rich.table.Table`, `enum.Enum`)."""
        head = dotted.split(".")[0]
        qualified = self.qualify(module, dotted)
        if qualified.startswith(("sqlalchemy.", "sqlmodel.", "flask_sqlalchemy.")):
            return True
        wrapper = self._wrapper(qualified)
        if wrapper is not None:  # `sautils.Table(...)` that returns `sa.Table(...)`
            return depth < 5 and self.from_sqlalchemy(*wrapper, depth=depth + 1)
        if head in module.imports:
            owner = self.lookup(module.imports[head])
        elif self._defines(module, head):
            owner = (module, head) if head in module.assigned_calls else None
        else:
            return True  # from a star import, most likely `from sqlalchemy import *`
        return self._is_flask_db(owner)

    def _wrapper(self, qualified: str) -> tuple[ModuleFacts, str] | None:
        """A project function that returns a call: its module and what it calls."""
        target, _, name = qualified.rpartition(".")
        found = self._find_module(target) if target else None
        if found is None or name not in found.returns:
            return None
        return found, found.returns[name]

    def helper(self, module: ModuleFacts, callee: str) -> tuple[ModuleFacts, str, Helper] | None:
        """The foreign key helper a call in `module` calls (`fk("parent")`), where it is defined."""
        target, _, name = self.qualify(module, callee).rpartition(".")
        found = self._find_module(target) if target else None
        if found is None or name not in found.helpers:
            return None
        return found, name, found.helpers[name]

    def _is_flask_db(self, owner) -> bool:
        """Whether a lookup result is a module-level `db = SQLAlchemy(...)` (Flask-SQLAlchemy)."""
        return isinstance(owner, tuple) and self._callee(*owner) in FLASK_SQLALCHEMY

    def is_enum(self, module: ModuleFacts, dotted: str, depth: int = 0) -> bool:
        """Whether a name in `module` is a Python enum class (for `Mapped[SomeEnum]`)."""
        qualified = self.qualify(module, dotted)
        if qualified in PYTHON_ENUMS:
            return True
        target = self.lookup(qualified)
        if not isinstance(target, ClassRef) or depth > 10:
            return False
        return any(self.is_enum(target.module, base, depth + 1) for base in target.info.bases if base)

    def _callee(self, module: ModuleFacts, name: str) -> str:
        callee = module.assigned_calls[name]
        if callee.endswith(".generate_base"):
            return callee
        return self.qualify(module, callee)

    def resolve_base(self, cls: ClassRef, dotted: str) -> ClassRef | External:
        if not dotted:
            return External.UNKNOWN
        target = self.lookup(self.qualify(cls.module, dotted))
        if isinstance(target, ClassRef) and target.key != cls.key:
            return target
        return self._external(cls.module, dotted)

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
        declarative = sqlmodel = False
        for base in self.bases(cls):
            if base is External.DECLARATIVE_ROOT:
                return Role.BASE
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
        if any(d.endswith((".mapped", ".mapped_as_dataclass")) and self._is_registry(cls, d) for d in info.decorators):
            return Role.MAPPED
        if sqlmodel:
            return Role.MAPPED if ("table", "True") in info.keywords else Role.SQLMODEL_SCHEMA
        if not declarative:
            # `class X(Base)` with `__tablename__`, where Base comes from outside the files we can
            # read (an installed package, another sys.path root): a model all the same
            unknown = [d for d in info.bases if self.resolve_base(cls, d) is External.UNKNOWN
                       and not self._is_object(cls.module, d)]
            if unknown and info.tablename is not None and not info.abstract:
                return Role.MAPPED
            return Role.PLAIN
        return Role.ABSTRACT if info.abstract else Role.MAPPED

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
        target = self.lookup(self.qualify(cls.module, dotted)) if dotted else None
        if isinstance(target, tuple) and target[1] in target[0].base_cls:
            mixin = self.lookup(self.qualify(target[0], target[0].base_cls[target[1]]))
            return mixin if isinstance(mixin, ClassRef) else None
        return None

    def mro(self, cls: ClassRef) -> tuple[ClassRef | External, ...]:
        """Python's C3 linearization over the classes we can see (external ones are leaves)."""
        if cls.key not in self._mro:
            self._mro[cls.key] = tuple(self._linearize(cls))
        return self._mro[cls.key]

    def _linearize(self, cls: ClassRef) -> list[ClassRef | External]:

        def linearize(c: ClassRef, stack: tuple) -> list:
            if c.key in stack:
                return [c]
            sequences = []
            for base in self.bases(c):
                sequences.append(linearize(base, stack + (c.key,)) if isinstance(base, ClassRef) else [base])
            sequences.append(list(self.bases(c)))
            result = [c]
            sequences = [list(s) for s in sequences if s]
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

        return linearize(cls, ())

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
