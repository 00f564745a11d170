"""REPLACE_SCHEMA: a schema value (`None` or another schema's name) becomes the tenant placeholder."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.edits._ast import check_value, is_constant, literal
from tenantlint.edits._kind import EditSpec, Pairs, Settings
from tenantlint.edits._libcst import string
from tenantlint.findings import Edit, EditKind


def apply(node: cst.Name | cst.SimpleString, edit: Edit, settings: Settings) -> cst.SimpleString:
    quote = node.quote[0] if isinstance(node, cst.SimpleString) else '"'  # `None` gets double quotes
    return string(settings.schema, quote)


def expect(old: ast.Constant, new: ast.AST, edit: Edit, schema: str) -> Pairs:
    check_value(is_constant(new, literal(edit.new)), old, edit)
    return []


SPEC = EditSpec(EditKind.REPLACE_SCHEMA, (cst.Name, cst.SimpleString), (ast.Constant,), apply, expect)
