"""Which indexes and constraints SQLAlchemy names from the naming convention, and which
`MetaData(...)` holds that convention (TNT010)."""

from __future__ import annotations

import ast

from tenantlint.facts.syntax import last_name
from tenantlint.facts.table_args import Span
from tenantlint.facts.types import AutoNamed, MetaDataCall

_COLUMN_CALLS = frozenset({"Column", "mapped_column"})
_FLAGS = (("index", "ix"), ("unique", "uq"))


def _true(call: ast.Call) -> set[str | None]:
    """The keywords a call gives a literal True (`index=True`, `primary_key=True`)."""
    return {k.arg for k in call.keywords if isinstance(k.value, ast.Constant) and k.value.value is True}


def _named(call: ast.Call) -> bool:
    return any(k.arg == "name" for k in call.keywords)


def _strings(nodes) -> tuple[str, ...] | None:
    values = [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return tuple(values) if len(values) == len(nodes) else None


def _column(stmt: ast.stmt) -> tuple[str, ast.Call] | None:
    """`x = Column(...)`, `x: Mapped[int] = mapped_column(...)`: the column's name and its call."""
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else getattr(stmt, "target", None)
    value = getattr(stmt, "value", None)
    if not isinstance(target, ast.Name) or not isinstance(value, ast.Call) or last_name(value.func) not in _COLUMN_CALLS:
        return None
    first = value.args[0] if value.args else None
    name = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else target.id
    return name, value


def class_auto_named(cls: ast.ClassDef, path: str) -> list[AutoNamed]:
    found: list[AutoNamed] = []
    primary: list[str] = []
    for stmt in cls.body:
        column = _column(stmt)
        if column is not None:
            name, call = column
            true = _true(call)
            found += [AutoNamed(path, kind, (name,), None) for flag, kind in _FLAGS if flag in true]
            if "primary_key" in true:
                primary.append(name)
            for arg in call.args:
                if isinstance(arg, ast.Call) and last_name(arg.func) == "ForeignKey" and not _named(arg) and arg.args \
                        and isinstance(arg.args[0], ast.Constant) and isinstance(arg.args[0].value, str):
                    referred = arg.args[0].value.split(".")
                    found.append(AutoNamed(path, "fk", (name,), referred[-2] if len(referred) > 1 else None))
        elif isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__table_args__" for t in stmt.targets):
            found += _table_args(stmt.value, path)
    if primary:
        found.append(AutoNamed(path, "pk", tuple(primary), None))
    return found


def _table_args(value: ast.expr, path: str) -> list[AutoNamed]:
    found = []
    for item in value.elts if isinstance(value, ast.Tuple) else ():
        if not isinstance(item, ast.Call) or _named(item):
            continue
        kind = last_name(item.func)
        if kind == "Index" and item.args and isinstance(item.args[0], ast.Constant) and item.args[0].value is None:
            columns = _strings(item.args[1:])
            if columns is not None:
                found.append(AutoNamed(path, "ix", columns, None))
        elif kind in ("UniqueConstraint", "PrimaryKeyConstraint"):
            columns = _strings(item.args)
            if columns is not None:
                found.append(AutoNamed(path, "uq" if kind == "UniqueConstraint" else "pk", columns, None))
        elif kind == "CheckConstraint":
            found.append(AutoNamed(path, "ck", (), None))
    return found


class MetaDataCalls:
    """`MetaData(...)` calls owned by a class body or a module-level name, and the aliases between them."""

    def __init__(self, tree: ast.Module):
        self.dicts = {t.id: s.value for s in tree.body if isinstance(s, ast.Assign) and isinstance(s.value, ast.Dict)
                      for t in s.targets if isinstance(t, ast.Name)}
        self.calls: list[MetaDataCall] = []
        self.aliases: dict[str, str] = {}

    def statement(self, stmt: ast.stmt, owner_prefix: str) -> None:
        """A module-level statement (`owner_prefix` "") or one of the body of class `owner_prefix`."""
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else getattr(stmt, "target", None)
        value = getattr(stmt, "value", None)
        if not isinstance(target, ast.Name) or value is None:
            return
        if owner_prefix and target.id != "metadata":
            return
        owner = owner_prefix or target.id
        if isinstance(value, ast.Name) and owner_prefix:
            self.aliases[owner] = value.id
        elif isinstance(value, ast.Call) and last_name(value.func) == "MetaData":
            self._call(value, owner)
        elif isinstance(value, ast.Call) and not owner_prefix:  # declarative_base(metadata=...), SQLAlchemy(metadata=...)
            given = next((k.value for k in value.keywords if k.arg == "metadata"), None)
            if isinstance(given, ast.Name):
                self.aliases[owner] = given.id
            elif isinstance(given, ast.Call) and last_name(given.func) == "MetaData":
                self._call(given, owner)

    def _call(self, call: ast.Call, owner: str) -> None:
        given = next((k.value for k in call.keywords if k.arg == "naming_convention"), None)
        inline = given is None or isinstance(given, ast.Dict)
        source = self.dicts.get(given.id) if isinstance(given, ast.Name) else given
        convention = _convention(source) if source is not None else None
        known = given is None or convention is not None
        self.calls.append(MetaDataCall(Span.of(call), owner, convention, inline and known, known))


def _convention(node: ast.expr) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(node, ast.Dict) or None in node.keys:
        return None
    keys, values = _strings(node.keys), _strings(node.values)
    if keys is None:  # class keys (`Index: "..."`): read by the class name
        keys = tuple(getattr(k, "id", None) or getattr(k, "attr", "") for k in node.keys)
    return tuple(zip(keys, values)) if values is not None and all(keys) else None
