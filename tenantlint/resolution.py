"""Where a name written in one of the project's files leads: imports, re-exports, star imports,
string constants, the functions that wrap a call. Knows no SQLAlchemy roles (`models` does)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from tenantlint.facts import CONSTANT_OF, ClassInfo, Constant, ModuleFacts
from tenantlint.facts.types import Helper

FLASK_SQLALCHEMY = frozenset(
    {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy", "flask.ext.sqlalchemy.SQLAlchemy"}
)
PYTHON_ENUMS = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


@dataclass(frozen=True)
class ClassRef:
    module: ModuleFacts
    info: ClassInfo
    # (module, class path): asked for at every step of the role, MRO and table lookups
    key: tuple[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.module.module, self.info.path))


class ModuleLoader(Protocol):
    """Modules not read yet, parsed when a name resolves into them."""

    def names(self) -> Iterable[str]: ...

    def load(self, name: str) -> ModuleFacts | None: ...


class Resolver:
    """The project's modules (read, or read on demand from the loader) and their names."""

    def __init__(self, modules: list[ModuleFacts], loader: ModuleLoader | None = None):
        self.modules = {m.module: m for m in modules}
        self.loader = loader
        self._classes = {(m.module, c.path): ClassRef(m, c) for m in modules for c in m.classes}
        self._by_suffix: dict[str, str | None] = {}
        self._last_parts: dict[str, list[str]] | None = None  # made on the first suffix lookup
        self._named: dict[tuple[str, str], ClassRef] = {}  # classes whose `__tablename__` is a constant
        named = [ref for ref in self._classes.values() if ref.info.tablename_constant is not None]
        self._classes.update({ref.key: self.ref(ref.module, ref.info) for ref in named})

    def ref(self, module: ModuleFacts, info: ClassInfo) -> ClassRef:
        """The class, with a `__tablename__` given by an imported constant read from its module."""
        if info.tablename_constant is None:
            known = self._classes.get((module.module, info.path))
            return known if known is not None and known.info is info else ClassRef(module, info)
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
    def _find_module(self, dotted: str, load: bool = True) -> ModuleFacts | None:
        """The module `dotted` names; `load`: read it now if the prefilter skipped it."""
        found = self._module(dotted, load)
        if found is not None:
            return found
        # an absolute import written relative to another sys.path entry (`models.base` for
        # `backend.models.base`): accept a unique suffix match. Memoised: the scan is linear
        # in the modules and most lookups (sqlalchemy.orm, ...) miss, again and again.
        if dotted not in self._by_suffix:
            tail = "." + dotted
            matches = [name for name in self._by_last_part().get(dotted.rpartition(".")[2], ()) if name.endswith(tail)]
            self._by_suffix[dotted] = matches[0] if len(matches) == 1 else None
        name = self._by_suffix[dotted]
        return None if name is None else self._module(name, load)

    def _by_last_part(self) -> dict[str, list[str]]:
        """Every module the run knows of (read, or loadable), by the last part of its name."""
        if self._last_parts is None:
            self._last_parts = {}
            for name in (*self.modules, *(self.loader.names() if self.loader else ())):
                self._last_parts.setdefault(name.rpartition(".")[2], []).append(name)
        return self._last_parts

    def _module(self, name: str, load: bool = True) -> ModuleFacts | None:
        """A module already read, or (`load`) read now from the loader."""
        if name in self.modules:
            return self.modules[name]
        facts = self.loader.load(name) if self.loader and load else None
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
        """The foreign key helper a call in `module` calls (`fk("parent")`), where it is defined.
        A helper returns `ForeignKey(...)`, so the prefilter never skips its module: none is read
        on demand for it (most calls with string arguments call no helper)."""
        target, _, name = self.qualify(module, callee).rpartition(".")
        found = self._find_module(target, load=False) if target else None
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
