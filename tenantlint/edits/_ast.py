"""AST tests the edit kinds' expectations share: is this node the planned value?"""

from __future__ import annotations

import ast

from tenantlint.edits._kind import UnsafeFix
from tenantlint.facts.syntax import literal_value
from tenantlint.findings import Edit


def literal(source: str) -> object:
    """The value of a planned literal (`edit.new`, `edit.old`)."""
    try:
        return literal_value(source)
    except (ValueError, SyntaxError) as exc:
        raise UnsafeFix(f"the planned literal {source!r} is not a literal") from exc


def is_constant(node: ast.AST, value: object) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is type(value) and node.value == value


def is_schema_dict(node: ast.AST, schema: str) -> bool:
    return (
        isinstance(node, ast.Dict)
        and len(node.keys) == 1
        and is_constant(node.keys[0], "schema")
        and is_constant(node.values[0], schema)
    )


def check_value(ok: bool, old: ast.AST, edit: Edit) -> None:
    """The refusal of the kinds that replace one value by another."""
    if not ok:
        raise UnsafeFix(f"line {old.lineno}: the {edit.kind.value} edit did not give the planned value")
