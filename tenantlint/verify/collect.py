"""Import the user's modules and find every table of every registry and `MetaData` they hold.

This is the only place tenantlint executes the checked code (`check` and `fix` never do).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

from tenantlint.files import FileSelector
from tenantlint.verify.results import Origin, TableInfo, VerifyError

# --- import ---------------------------------------------------------------------------------


def import_modules(names: list[str], paths: list[Path], selector: FileSelector | None = None) -> list[ModuleType]:
    """Import each module and every submodule the config does not exclude, like `python -m` with
    the current directory first."""
    # tenantlint's own lazily imported dependencies first: a `pathspec.py` in the user's folder,
    # which goes first on sys.path, must not replace them
    import pathspec  # noqa: F401

    for folder in reversed([Path.cwd(), *paths]):
        entry = str(folder.resolve())
        if entry not in sys.path:
            sys.path.insert(0, entry)
    modules: list[ModuleType] = []
    for name in names:
        module = _import(name)
        modules.append(module)
        if hasattr(module, "__path__"):
            modules += _submodules(module, selector)
    return modules


def _submodules(package: ModuleType, selector: FileSelector | None) -> list[ModuleType]:
    """Depth first, like `pkgutil.walk_packages`, but an excluded module or package (an Alembic
    `env.py`, a `migrations/` folder) is never imported, not even to look inside it."""
    found = []
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if selector is not None and _excluded(info, selector):
            continue
        module = _import(info.name)
        found.append(module)
        if info.ispkg and hasattr(module, "__path__"):
            found += _submodules(module, selector)
    return found


def _excluded(info: pkgutil.ModuleInfo, selector: FileSelector) -> bool:
    folder = getattr(info.module_finder, "path", None)
    if folder is None:
        return False
    last = info.name.rpartition(".")[2]
    # a package is judged by its `__init__.py`, so `**/alembic/**` excludes the whole folder
    file = Path(folder) / last / "__init__.py" if info.ispkg else Path(folder) / f"{last}.py"
    return selector.is_excluded(file)


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except BaseException as exc:  # noqa: BLE001 - anything the user's module raises is a usage error
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise VerifyError(f"cannot import {name}: {type(exc).__name__}: {exc}") from None


# --- where things are defined ---------------------------------------------------------------


class _Locator:
    """Finds the line of a class or of an assignment (module level or in a class) in a file (parsed once)."""

    def __init__(self) -> None:
        self._trees: dict[Path, ast.Module | None] = {}

    def _tree(self, file: Path) -> ast.Module | None:
        if file not in self._trees:
            try:
                self._trees[file] = ast.parse(file.read_bytes())
            except (OSError, SyntaxError, ValueError):
                self._trees[file] = None
        return self._trees[file]

    def _class(self, file: Path, qualname: str) -> ast.ClassDef | None:
        body = getattr(self._tree(file), "body", [])
        node = None
        for part in qualname.split("."):
            node = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == part), None)
            if node is None:
                return None
            body = node.body
        return node

    def class_def(self, file: Path, qualname: str) -> tuple[int, int] | None:
        node = self._class(file, qualname)
        return None if node is None else (node.lineno, node.col_offset + len("class ") + 1)

    def assignment(self, file: Path, name: str, within: str | None = None) -> tuple[int, int] | None:
        """The value of `name = ...` at module level, or in the body of the class `within`."""
        scope = self._tree(file) if within is None else self._class(file, within)
        for node in getattr(scope, "body", []):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
                return node.value.lineno, node.value.col_offset + 1
        return None


def module_file(module_name: str) -> Path | None:
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    return Path(file).resolve() if file else None


# --- collect --------------------------------------------------------------------------------


class _Holders:
    """The registries, MetaData and Table origins found while walking the imported modules."""

    def __init__(self) -> None:
        from sqlalchemy import MetaData, Table
        from sqlalchemy.orm import registry

        self.kinds = (registry, MetaData, Table)
        self.registries: dict[int, object] = {}
        self.metadatas: dict[int, object] = {}
        self.origins: dict[object, Origin] = {}
        self.locate = _Locator()

    def add(self, value, file: Path | None, name: str, within: str | None = None) -> None:
        """A module attribute, or a class attribute of a class defined in `file` (`within`)."""
        registry, metadata, table = self.kinds
        if isinstance(value, registry):
            self.registries[id(value)] = value
        elif isinstance(value, metadata):
            self.metadatas[id(value)] = value
        elif isinstance(value, table):
            self.metadatas[id(value.metadata)] = value.metadata
            # an imported name is not a definition: only the module that assigns it owns it
            at = self.locate.assignment(file, name, within) if file else None
            if at is not None and value not in self.origins:
                self.origins[value] = Origin(file, at[0], at[1], f"{within}.{name}" if within else name)
        elif isinstance(value, type):
            self.add_class(value, file)

    def add_class(self, cls: type, file: Path | None) -> None:
        registry = self.kinds[0]
        # declarative classes carry `registry`; SQLModel classes `_sa_registry`
        for attr_name in ("registry", "_sa_registry"):
            found = getattr(cls, attr_name, None)
            if isinstance(found, registry):
                self.registries[id(found)] = found
        if file is None or module_file(cls.__module__) != file:
            return
        # a plain class used as a namespace: `class Model: metadata = MetaData(); users = Table(...)`
        for name, value in list(vars(cls).items()):
            if not name.startswith("__") and isinstance(value, self.kinds):
                self.add(value, file, name, cls.__qualname__)

    def add_mappers(self) -> None:
        _, _, table_type = self.kinds
        for reg in self.registries.values():
            self.metadatas[id(reg.metadata)] = reg.metadata
            for mapper in reg.mappers:
                table = mapper.local_table
                if not isinstance(table, table_type) or (mapper.inherits is not None
                                                         and mapper.inherits.local_table is table):
                    continue
                cls = mapper.class_
                file = module_file(cls.__module__)
                at = self.locate.class_def(file, cls.__qualname__) if file else None
                self.origins.setdefault(table, Origin(file, *(at or (1, 1)), cls.__name__))


def collect(modules: list[ModuleType], selector: FileSelector) -> list[TableInfo]:
    """Every table of every registry and MetaData the imported modules hold, with its origin."""
    holders = _Holders()
    for module in modules:
        file = module_file(module.__name__)
        for attr, value in list(vars(module).items()):
            holders.add(value, file, attr)
    holders.add_mappers()
    infos = []
    for metadata in holders.metadatas.values():
        for table in metadata.tables.values():
            origin = holders.origins.get(table, Origin(None, model=table.name))
            tenant = origin.file is not None and selector.is_tenant(origin.file)
            infos.append(TableInfo(table, origin, tenant))
    return sorted(infos, key=lambda i: (str(i.origin.file or ""), i.origin.line, i.table.fullname))
