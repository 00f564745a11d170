"""REPLACE_ARGS: `__table_args__ = None` becomes `{"schema": ...}`."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.edits._ast import check_value, is_schema_dict
from tenantlint.edits._kind import EditSpec, Pairs, Settings
from tenantlint.edits._libcst import schema_dict
from tenantlint.findings import Edit, EditKind


def apply(node: cst.Name, edit: Edit, settings: Settings) -> cst.Dict:
    return schema_dict(settings.schema, '"')


def expect(old: ast.Constant, new: ast.AST, edit: Edit, schema: str) -> Pairs:
    check_value(old.value is None and is_schema_dict(new, schema), old, edit)
    return []


SPEC = EditSpec(EditKind.REPLACE_ARGS, (cst.Name,), (ast.Constant,), apply, expect)
