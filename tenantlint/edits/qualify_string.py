"""QUALIFY_STRING: a foreign-key target string such as `"orders.id"` becomes the planned `"tenant.orders.id"`."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.edits._ast import check_value, is_constant, literal
from tenantlint.edits._kind import EditSpec, FixError, Pairs, Settings
from tenantlint.findings import Edit, EditKind


def apply(node: cst.SimpleString, edit: Edit, settings: Settings) -> cst.SimpleString:
    if node.value != edit.old:
        raise FixError(f"line {edit.line}: expected {edit.old}, found {node.value}")
    return node.with_changes(value=edit.new)


def expect(old: ast.Constant, new: ast.AST, edit: Edit, schema: str) -> Pairs:
    check_value(is_constant(old, literal(edit.old)) and is_constant(new, literal(edit.new)), old, edit)
    return []


SPEC = EditSpec(EditKind.QUALIFY_STRING, (cst.SimpleString,), (ast.Constant,), apply, expect)
