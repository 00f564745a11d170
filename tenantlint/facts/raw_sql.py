"""What `schema_translate_map` never sees: SQL written as text, lightweight `table("x")` and
Inspector calls on a name (TNT009), and Alembic `op.<name>(...)` calls (TNT011)."""

from __future__ import annotations

import ast
import re

from tenantlint.facts.syntax import dotted, find, last_name
from tenantlint.facts.table_args import Span
from tenantlint.facts.types import OpCall, SqlString

# A file is walked for these only when its text can hold one (most files hold none): one of
# these words, at a word boundary, then what follows it. Each alternative starts with its word
# and checks the boundary behind it, so `re` skips to the bytes that can start one; a leading
# `\b` is tried at every character of the file (1/10 of reading a model file).
_GATE_WORDS = (
    ("text", r"\("), ("exec_driver_sql", r"\("), ("execute", r"\("), ("read_sql", r"\w*\("), ("table", r"\("),
    ("has_table", r"\("), ("op", r"\.\w+\("),
    ("get_", r"(?:columns|indexes|foreign_keys|pk_constraint|unique_constraints|check_constraints|table_comment)\("),
)
_GATE = re.compile("|".join(f"{word}(?<=\\b{word}){rest}" for word, rest in _GATE_WORDS))
# what each alternative holds for sure: its word, and the ( or . right after it if it has one
_NEEDLES = tuple(word + rest[1] if rest[:2] in (r"\(", r"\.") else word for word, rest in _GATE_WORDS)


def gated(source: str) -> bool:
    """Whether a file's text can hold what `RawSql` reads (a plain `in` first: most files hold
    none of the needles, and the pattern still stops at every `t`, `e` or `o`)."""
    return any(needle in source for needle in _NEEDLES) and _GATE.search(source) is not None

_SQL_ARG = frozenset({"text", "exec_driver_sql", "execute", "read_sql", "read_sql_query"})
_TABLE_ARG = frozenset({"table", "read_sql_table"})
# Inspector methods that take a table name: the map is not applied to reflection either (fact 9)
_INSPECTOR = frozenset({"get_columns", "get_indexes", "get_foreign_keys", "get_pk_constraint",
                        "get_unique_constraints", "get_check_constraints", "get_table_comment", "has_table"})
_PRINTF = re.compile(r"%\(\w+\)[sdr]|%[sdr]")
_FORMAT = re.compile(r"\{[^{}]*\}")
_OP_TABLE_KEYWORDS = ("table_name", "old_table_name")


def placeholder(index: int) -> str:
    return f"__p{index}__"


def sql_text(node: ast.expr, constants: dict[str, str]) -> tuple[str, bool] | None:
    """The text of a string expression with `__pN__` for its runtime parts, and whether it has any."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, False
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id], False
    if isinstance(node, ast.JoinedStr):
        parts, computed = [], False
        for i, part in enumerate(node.values):
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            else:
                parts.append(placeholder(i))
                computed = True
        return "".join(parts), computed
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = sql_text(node.left, constants), sql_text(node.right, constants)
        return (left[0] + right[0], left[1] or right[1]) if left and right else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left = sql_text(node.left, constants)
        return (_numbered(_PRINTF, left[0]), True) if left else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        base = sql_text(node.func.value, constants)
        return (_numbered(_FORMAT, base[0]), True) if base else None
    return None


def _numbered(pattern: re.Pattern, text: str) -> str:
    count = iter(range(10_000))
    return pattern.sub(lambda _: placeholder(next(count)), text)


def _schema(node: ast.Call) -> tuple[str | None, bool]:
    keyword = next((k for k in node.keywords if k.arg == "schema"), None)
    if keyword is None:
        return None, False
    value = keyword.value
    return (value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None), True


def _first(node: ast.Call, keywords: tuple[str, ...] = ()) -> ast.expr | None:
    if node.args:
        return node.args[0]
    return next((k.value for k in node.keywords if k.arg in keywords), None)


class RawSql:
    """Walks a whole file once; `imports` tells Alembic's `op` from another `op`."""

    def __init__(self, tree: ast.Module, imports: dict[str, str]):
        self.imports = imports
        self.sql: list[SqlString] = []
        self.ops: list[OpCall] = []
        self.constants = {t.id: s.value.value for s in tree.body if isinstance(s, ast.Assign)
                          for t in s.targets if isinstance(t, ast.Name)
                          and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str)}
        nodes = find(tree, (ast.Assign, ast.Call))
        # `products = sa.table("products", ...)` anywhere: what `op.bulk_insert(products, ...)` names
        self.light_tables = {t.id: s.value.args[0].value for s in nodes if isinstance(s, ast.Assign)
                             and isinstance(s.value, ast.Call) and last_name(s.value.func) == "table"
                             and s.value.args and isinstance(s.value.args[0], ast.Constant)
                             for t in s.targets if isinstance(t, ast.Name)}
        for node in nodes:
            if isinstance(node, ast.Call):
                self._call(node)

    def _call(self, node: ast.Call) -> None:
        name, callee = last_name(node.func), dotted(node.func)
        if isinstance(node.func, ast.Attribute) and self.imports.get(dotted(node.func.value)) == "alembic.op":
            self._op(node, name)
        if name in _SQL_ARG and (arg := _first(node, ("sql", "statement"))) is not None:
            found = sql_text(arg, self.constants)
            if found is not None:
                self.sql.append(SqlString(Span.of(arg), "sql", callee, found[0], found[1], None, False))
        elif (name in _TABLE_ARG or (name in _INSPECTOR and isinstance(node.func, ast.Attribute))) \
                and (arg := _first(node, ("table_name", "name"))) is not None \
                and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            schema, has_schema = _schema(node)
            self.sql.append(SqlString(Span.of(arg), "table", callee, arg.value, False, schema, has_schema))

    def _op(self, node: ast.Call, name: str) -> None:
        target = _first(node, _OP_TABLE_KEYWORDS + ("table",))
        table = None
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            table = target.value
        elif isinstance(target, ast.Name):
            table = self.light_tables.get(target.id)
        elif isinstance(target, ast.Call) and last_name(target.func) == "table" and target.args \
                and isinstance(target.args[0], ast.Constant):
            table = target.args[0].value
        if isinstance(table, str):
            schema, has_schema = _schema(target if isinstance(target, ast.Call) else node)
            self.ops.append(OpCall(Span.of(node), name, table, schema, has_schema))
