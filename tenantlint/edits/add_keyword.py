"""ADD_KEYWORD: a `Table(...)`, `Enum(...)` or `Sequence(...)` call gets `schema=...` as its last argument."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.edits._ast import is_constant, literal
from tenantlint.edits._kind import EditSpec, Pairs, Settings, UnsafeFix
from tenantlint.edits._libcst import append_arg, quote_of, string
from tenantlint.findings import Edit, EditKind


def apply(node: cst.Call, edit: Edit, settings: Settings) -> cst.Call:
    arg = cst.Arg(
        value=string(settings.schema, quote_of(node)),
        keyword=cst.Name("schema"),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    return append_arg(node, arg)


def expect(old: ast.Call, new: ast.AST, edit: Edit, schema: str) -> Pairs:
    expected = literal(edit.new)
    if not isinstance(new, ast.Call) or not new.keywords or new.keywords[-1].arg != "schema" \
            or not is_constant(new.keywords[-1].value, expected):
        raise UnsafeFix(f"line {old.lineno}: the call did not get `schema={edit.new}` as its last keyword")
    return [
        (old.func, new.func, ""),
        (old.args, new.args, f"line {old.lineno}: call arguments"),
        (old.keywords, new.keywords[:-1], f"line {old.lineno}: call keywords"),
    ]


SPEC = EditSpec(EditKind.ADD_KEYWORD, (cst.Call,), (ast.Call,), apply, expect)
