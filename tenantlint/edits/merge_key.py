"""MERGE_KEY: a `__table_args__` dict (alone or last in the tuple) gets `"schema": ...` as its last item."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.edits._ast import is_constant
from tenantlint.edits._kind import EditSpec, Pairs, Settings, UnsafeFix
from tenantlint.edits._libcst import append_item, quote_of, string
from tenantlint.findings import Edit, EditKind


def apply(node: cst.Dict, edit: Edit, settings: Settings) -> cst.Dict:
    quote = quote_of(node)
    element = cst.DictElement(string("schema", quote), string(settings.schema, quote))
    items, trailing = append_item(node.elements, element, node.lbrace.whitespace_after, node.rbrace.whitespace_before)
    return node.with_changes(elements=items, rbrace=node.rbrace.with_changes(whitespace_before=trailing))


def expect(old: ast.Dict, new: ast.AST, edit: Edit, schema: str) -> Pairs:
    if not isinstance(new, ast.Dict) or not new.keys or not is_constant(new.keys[-1], "schema") \
            or not is_constant(new.values[-1], schema):
        raise UnsafeFix(f"line {old.lineno}: the dict did not get the schema key as its last item")
    return [
        (old.keys, new.keys[:-1], f"line {old.lineno}: dict keys"),
        (old.values, new.values[:-1], f"line {old.lineno}: dict values"),
    ]


SPEC = EditSpec(EditKind.MERGE_KEY, (cst.Dict,), (ast.Dict,), apply, expect)
