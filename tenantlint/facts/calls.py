"""Calls and subscripts anywhere in a file: string references to tables, `Table(...)`, type objects."""

from __future__ import annotations

import ast

from tenantlint.facts.constants import template
from tenantlint.facts.source import raw_literal, written
from tenantlint.facts.syntax import computed_string, dotted, find, last_name, string_shaped, with_class_names
from tenantlint.facts.table_args import Span
from tenantlint.facts.types import HelperCall, RefKind, StringRef, TableCall, TypeObjectCall
from tenantlint.facts.vocabulary import REF_KEYWORDS_EXPR, REF_KEYWORDS_TABLE, SQLALCHEMY_CALLS


class Calls:
    """The calls of the statements handed to `scan`; the body of functions is read too (string
    references and `Table(...)` calls may sit anywhere)."""

    def __init__(self, lines: list[str], type_objects: list[TypeObjectCall]):
        self.lines = lines
        self.tables: list[TableCall] = []
        self.refs: list[StringRef] = []
        self.type_objects = type_objects
        self.helper_calls: list[HelperCall] = []

    def scan(self, root: ast.stmt, class_path: str | None) -> None:
        """Calls and subscripts of one statement. Every statement is walked: a test of its text
        first (the words of the calls read here, a string after a "(") cost more than the walks
        it saved, on model files and library code alike, and missed `fk(  # comment` + "x")."""
        returned = _returned_call(root)
        for node in find(root, (ast.Call, ast.Subscript)):
            if isinstance(node, ast.Call):
                self._call(node, class_path, node is returned)
            elif isinstance(node, ast.Subscript):
                if isinstance(node.value, ast.Attribute) and node.value.attr == "tables":
                    self._string(RefKind.TABLE, node.slice, required=True)

    def _string(self, kind: RefKind, node: ast.expr, required: bool = False) -> None:
        """A reference; `required` where only a string can stand (a foreign key's target), and
        wherever the expression is text put together from parts: one tenantlint cannot fill in
        is then a computed reference (reported), never an object it may skip."""
        if kind is RefKind.EXPRESSION and (named := with_class_names(node)) is not None:
            self.refs.append(StringRef(kind, named, Span.of(node), None))
            return
        required = required or string_shaped(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.refs.append(StringRef(kind, node.value, Span.of(node), raw_literal(self.lines, node)))
            return
        computed = computed_string(node)
        if computed is not None:
            self.refs.append(StringRef(kind, computed[0], Span.of(node), None, computed[1]))
            return
        built = template(node)
        if built is not None:
            self.refs.append(StringRef(kind, built[0], Span.of(node), None, (), built[1], required))
        elif required and not isinstance(node, (ast.Constant, ast.Lambda, ast.Starred)):
            self.refs.append(StringRef(kind, "", Span.of(node), None, required=True, opaque=True))

    def _call(self, node: ast.Call, class_path: str | None, returned: bool) -> None:
        name = last_name(node.func)
        if name in ("ForeignKey", "ForeignKeyConstraint"):
            self._foreign_key(node, name)
        elif name == "Table" and node.args and not isinstance(node.args[0], ast.Starred):
            self.tables.append(_table_call(node, self.lines, returned))
        elif name in ("Enum", "Sequence"):
            self._type_object(node, name, class_path)
        elif node.args and name not in SQLALCHEMY_CALLS and all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args) and dotted(node.func):
            self.helper_calls.append(HelperCall(dotted(node.func), tuple(a.value for a in node.args), Span.of(node)))
        self._keywords(node)

    def _foreign_key(self, node: ast.Call, name: str) -> None:
        """The target column of `ForeignKey(...)`, the `refcolumns` of `ForeignKeyConstraint(...)`."""
        if name == "ForeignKey":
            target = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "column"), None)
            if target is not None:
                self._string(RefKind.COLUMN, target, required=True)
            return
        target = node.args[1] if len(node.args) > 1 else next(
            (k.value for k in node.keywords if k.arg == "refcolumns"), None
        )
        if isinstance(target, (ast.List, ast.Tuple)):
            for item in target.elts:
                self._string(RefKind.COLUMN, item, required=True)

    def _type_object(self, node: ast.Call, name: str, class_path: str | None) -> None:
        is_named_enum = name == "Enum" and (
            any(k.arg == "name" for k in node.keywords)
            or (node.args and not isinstance(node.args[0], ast.Constant))
        ) and not any(k.arg == "native_enum" and isinstance(k.value, ast.Constant) and k.value.value is False
                      for k in node.keywords)
        if name == "Sequence" or is_named_enum:
            self.type_objects.append(
                TypeObjectCall(
                    span=Span.of(node),
                    kind=name,
                    callee=dotted(node.func),
                    has_schema=any(k.arg == "schema" for k in node.keywords),
                    has_star_kwargs=any(k.arg is None for k in node.keywords),
                    class_path=class_path,
                )
            )

    def _keywords(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == "foreign_key":
                self._string(RefKind.COLUMN, keyword.value, required=True)
            elif keyword.arg in REF_KEYWORDS_TABLE:
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    kind = RefKind.TABLE if value.value.replace(".", "").isidentifier() else RefKind.EXPRESSION
                    self._string(kind, value)
                elif isinstance(value, (ast.Name, ast.Attribute)) or string_shaped(value):
                    self._string(RefKind.TABLE, value)  # a constant naming the table, or an object
            elif keyword.arg in REF_KEYWORDS_EXPR:
                self._string(RefKind.EXPRESSION, keyword.value)


def _returned_call(root: ast.stmt) -> ast.Call | None:
    """The call a module-level function ends by returning (`return sa.Table(name, *args)`)."""
    if isinstance(root, (ast.FunctionDef, ast.AsyncFunctionDef)) and root.body:
        last = root.body[-1]
        if isinstance(last, ast.Return) and isinstance(last.value, ast.Call):
            return last.value
    return None


def _table_call(node: ast.Call, lines: list[str], returned: bool) -> TableCall:
    first = node.args[0]
    literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
    schema_kw = next((k for k in node.keywords if k.arg == "schema"), None)
    schema = None
    if schema_kw is not None and isinstance(schema_kw.value, ast.Constant):
        schema = schema_kw.value.value if isinstance(schema_kw.value.value, str) else None
    return TableCall(
        span=Span.of(node),
        callee=dotted(node.func),
        name=first.value if literal else None,
        schema=schema,
        has_schema=schema_kw is not None,
        has_star_kwargs=any(k.arg is None for k in node.keywords),
        name_constant=None if literal else dotted(first) or None,
        name_written=None if literal else written(lines, Span.of(first)),
        returned=returned,
        reflected=any(k.arg in ("autoload_with", "autoload") for k in node.keywords),
    )
