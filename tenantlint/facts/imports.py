"""Module-level names: imports, `X = f(...)` assignments, `declarative_base(cls=...)`."""

from __future__ import annotations

import ast

from tenantlint.facts.constants import template
from tenantlint.facts.syntax import dotted, last_name
from tenantlint.facts.types import Helper


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    parts = module.split(".") if module else []
    package = parts if is_package else parts[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
    base = ".".join(package)
    if name:
        return f"{base}.{name}" if base else name
    return base


class Names:
    """What the module-level statements bind, read one statement at a time."""

    def __init__(self, module: str, is_package: bool):
        self.module, self.is_package = module, is_package
        self.imports: dict[str, str] = {}
        self.assigned: dict[str, str] = {}
        self.base_cls: dict[str, str] = {}
        self.star_imports: list[str] = []
        self.bound: set[str] = set()
        self.returns: dict[str, str] = {}
        self.helpers: dict[str, Helper] = {}

    def statement(self, stmt: ast.stmt) -> None:
        self._bind(stmt)
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
        elif isinstance(stmt, ast.ImportFrom):
            self._import_from(stmt)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Call):
            self._assigned_call(stmt, stmt.value)
        elif isinstance(stmt, (ast.If, ast.Try)):
            # imports under `if TYPE_CHECKING:` / `try:` still name the same things
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.stmt):
                    self.statement(child)
                elif isinstance(child, ast.ExceptHandler):
                    for sub in child.body:
                        self.statement(sub)

    def _bind(self, stmt: ast.stmt) -> None:
        """Names an assignment or a definition binds; what a function returns when it returns a call."""
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            self.bound.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.bound.add(stmt.name)
            last = stmt.body[-1] if stmt.body and not isinstance(stmt, ast.ClassDef) else None
            if isinstance(last, ast.Return) and isinstance(last.value, ast.Call) and dotted(last.value.func):
                self.returns[stmt.name] = dotted(last.value.func)
                helper = _helper(stmt, last.value)
                if helper is not None:
                    self.helpers[stmt.name] = helper

    def _assigned_call(self, stmt: ast.Assign | ast.AnnAssign, call: ast.Call) -> None:
        """`Base = declarative_base(cls=Mixin)`: what the name is the result of, and its `cls`."""
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        callee = dotted(call.func)
        cls_kw = next((k.value for k in call.keywords if k.arg == "cls"), None)
        for target in targets:
            if isinstance(target, ast.Name) and callee:
                self.assigned[target.id] = callee
                if cls_kw is not None and dotted(cls_kw):
                    self.base_cls[target.id] = dotted(cls_kw)

    def _import_from(self, stmt: ast.ImportFrom) -> None:
        base = (
            resolve_relative(self.module, self.is_package, stmt.level, stmt.module)
            if stmt.level
            else (stmt.module or "")
        )
        for alias in stmt.names:
            if alias.name == "*":
                self.star_imports.append(base)
            else:
                self.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name


def _helper(function: ast.FunctionDef | ast.AsyncFunctionDef, returned: ast.Call) -> Helper | None:
    """A function returning `ForeignKey(<built from its parameters>)`, maybe inside `mapped_column(...)`."""
    calls = [returned, *(a for a in returned.args if isinstance(a, ast.Call))]
    key = next((c for c in calls if last_name(c.func) == "ForeignKey" and c.args), None)
    params = tuple(a.arg for a in function.args.posonlyargs + function.args.args)
    built = template(key.args[0]) if key is not None else None
    if built is None or not set(built[1]) & set(params):
        return None
    return Helper(params, built[0], built[1], function.lineno)
