"""The facts of a `class` statement: bases, `__tablename__`, `__table_args__`, markers of a model."""

from __future__ import annotations

import ast
from dataclasses import replace

from tenantlint.facts.constants import Constants
from tenantlint.facts.syntax import body_without_docstring, dotted, find, is_declared_attr, last_name, truthy_constant
from tenantlint.facts.table_args import Shape, Span, TableArgs, classify
from tenantlint.facts.types import ClassInfo, TypeObjectCall

# Annotations SQLAlchemy maps to a plain column type: never an enum, not worth resolving.
_SCALARS = frozenset({
    "int", "str", "float", "bool", "bytes", "dict", "list", "Any", "date", "datetime", "time", "timedelta",
    "Decimal", "UUID", "uuid.UUID", "datetime.date", "datetime.datetime", "datetime.time", "decimal.Decimal",
})


def _implicit_enum(stmt: ast.AnnAssign) -> str | None:
    """The X of `x: Mapped[X]` (or `Mapped[X | None]`, `Mapped[Optional[X]]`) when SQLAlchemy
    picks the column type from the annotation: no value, or `mapped_column()` without a type."""
    value = stmt.value
    if value is not None:
        if not (isinstance(value, ast.Call) and last_name(value.func) == "mapped_column"):
            return None
        for arg in value.args:
            if not (isinstance(arg, ast.Call) and last_name(arg.func) == "ForeignKey"):
                return None  # the type is given
    annotation = stmt.annotation
    if not (isinstance(annotation, ast.Subscript) and last_name(annotation.value) == "Mapped"):
        return None
    inner = annotation.slice
    if isinstance(inner, ast.Subscript) and last_name(inner.value) == "Optional":
        inner = inner.slice
    if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.BitOr):
        sides = [side for side in (inner.left, inner.right) if not (isinstance(side, ast.Constant) and side.value is None)]
        inner = sides[0] if len(sides) == 1 else inner
    name = dotted(inner) if isinstance(inner, (ast.Name, ast.Attribute)) else ""
    return name if name and name not in _SCALARS else None


def _returned_literal(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    """The value of a function whose body is one `return <dict or tuple display>`."""
    body = body_without_docstring(function)
    if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, (ast.Dict, ast.Tuple)):
        return body[0].value
    return None


def _tablename_rule(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """What a `declared_attr` `__tablename__` returns, when it is one of the usual forms."""
    body = body_without_docstring(function)
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return "unknown"
    value = body[0].value
    if isinstance(value, ast.Call) and not value.args and isinstance(value.func, ast.Attribute) \
            and value.func.attr == "lower":
        return "lower" if dotted(value.func.value).endswith(".__name__") else "unknown"
    return "name" if dotted(value).endswith(".__name__") else "unknown"


class _Body:
    """What the statements of one class body say (nested classes are read on their own)."""

    def __init__(self, look_for_pk: bool, constants: Constants):
        self.look_for_pk, self.constants = look_for_pk, constants
        self.tablename: str | None = None
        self.tablename_constant: str | None = None
        self.has_tablename = self.declared_tablename = self.has_table = self.abstract = self.has_pk = False
        self.tablename_rule: str | None = None
        self.table_args: TableArgs | None = None

    def method(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if stmt.name == "__tablename__":
            self.has_tablename = True
            if is_declared_attr(stmt.decorator_list):
                self.declared_tablename, self.tablename_rule = True, _tablename_rule(stmt)
        elif stmt.name == "__table_args__":
            kind = Shape.DECLARED_ATTR if is_declared_attr(stmt.decorator_list) else Shape.COMPUTED
            self.table_args = TableArgs(kind, Span.of(stmt))
            returned = _returned_literal(stmt)
            if kind is Shape.DECLARED_ATTR and returned is not None:
                # still computed (TNT003), but a schema it returns as a literal is known
                read = classify(returned)
                if read.shape in (Shape.DICT, Shape.TUPLE):
                    self.table_args = replace(read, shape=kind, span=Span.of(stmt))

    def assignment(self, stmt: ast.stmt) -> None:
        targets: list[ast.expr] = []
        value = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for target in targets:
            if isinstance(target, ast.Name):
                self._dunder(target.id, value)
        if self.look_for_pk and value is not None and not self.has_pk and isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            self.has_pk = any(n.arg == "primary_key" and truthy_constant(n.value) for n in find(value, ast.keyword))

    def _dunder(self, name: str, value: ast.expr) -> None:
        """`__tablename__`, `__table_args__`, `__table__`, `__abstract__` assigned in the body."""
        if name == "__tablename__":
            self.has_tablename = True
            self.tablename = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) \
                else self.constants.local_value(value)
            if self.tablename is None and isinstance(value, (ast.Name, ast.Attribute)):
                self.tablename_constant = dotted(value) or None
        elif name == "__table_args__":
            self.table_args = classify(value)
            if self.table_args.shape is Shape.COMPUTED:
                self.table_args = self.constants.table_args(value) or self.table_args
        elif name == "__table__":
            self.has_table = True
        elif name == "__abstract__":
            self.abstract = truthy_constant(value)

def class_info(node: ast.ClassDef, prefix: str, lines: list[str], type_objects: list[TypeObjectCall],
               constants: Constants) -> ClassInfo:
    """The facts of one class; `x: Mapped[SomeEnum]` attributes go to `type_objects`."""
    path = f"{prefix}.{node.name}" if prefix else node.name
    # only Flask-SQLAlchemy's table naming asks for it (fact 3): look where the text says so
    body = _Body("primary_key" in "\n".join(lines[node.lineno - 1 : node.end_lineno]), constants)
    for stmt in node.body:
        if isinstance(stmt, ast.ClassDef):
            continue  # read on its own by `collect`
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body.method(stmt)
            continue
        if isinstance(stmt, ast.AnnAssign) and (enum_type := _implicit_enum(stmt)):
            type_objects.append(TypeObjectCall(Span.of(stmt.target), "Mapped", enum_type, False, True, path))
        body.assignment(stmt)
    first = node.body[0] if node.body else None
    return ClassInfo(
        path=path,
        name=node.name,
        line=node.lineno,
        col=node.col_offset,
        bases=tuple(dotted(b) for b in node.bases),
        keywords=tuple(
            (kw.arg, dotted(kw.value) or repr(getattr(kw.value, "value", None))) for kw in node.keywords if kw.arg
        ),
        decorators=tuple(dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list),
        tablename=body.tablename,
        tablename_constant=body.tablename_constant,
        has_tablename=body.has_tablename,
        tablename_declared_attr=body.declared_tablename,
        tablename_rule=body.tablename_rule,
        has_table=body.has_table,
        table_args=body.table_args,
        abstract=body.abstract,
        has_primary_key=body.has_pk,
        docstring=isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str),
    )
