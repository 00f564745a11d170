"""APPEND_DICT: a `__table_args__` tuple gets `{"schema": ...}` as its last element."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.edits._ast import is_schema_dict
from tenantlint.edits._kind import EditSpec, Pairs, Settings, UnsafeFix
from tenantlint.edits._libcst import append_item, quote_of, schema_dict
from tenantlint.findings import Edit, EditKind


def apply(node: cst.Tuple, edit: Edit, settings: Settings) -> cst.Tuple:
    element = cst.Element(schema_dict(settings.schema, quote_of(node)))
    if not node.elements:
        return node.with_changes(elements=[element.with_changes(comma=cst.Comma())])
    if node.lpar:
        opener, trailing = node.lpar[0].whitespace_after, node.rpar[0].whitespace_before
        items, trailing = append_item(node.elements, element, opener, trailing, one_tuple=True)
        rpar = [node.rpar[0].with_changes(whitespace_before=trailing), *node.rpar[1:]]
        return node.with_changes(elements=items, rpar=rpar)
    items, _ = append_item(node.elements, element, cst.SimpleWhitespace(" "), cst.SimpleWhitespace(""), one_tuple=True)
    return node.with_changes(elements=items)


def expect(old: ast.Tuple, new: ast.AST, edit: Edit, schema: str) -> Pairs:
    if not isinstance(new, ast.Tuple) or not new.elts or not is_schema_dict(new.elts[-1], schema):
        raise UnsafeFix(f"line {old.lineno}: the tuple did not get the schema dict as its last element")
    return [(old.elts, new.elts[:-1], f"line {old.lineno}: tuple")]


SPEC = EditSpec(EditKind.APPEND_DICT, (cst.Tuple,), (ast.Tuple,), apply, expect)
