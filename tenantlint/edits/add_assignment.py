"""ADD_ASSIGNMENT: a class without `__table_args__` gets `__table_args__ = {"schema": ...}` after its `__tablename__`."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.edits._ast import is_schema_dict
from tenantlint.edits._kind import EditSpec, Pairs, Settings, UnsafeFix
from tenantlint.edits._libcst import quote_of, schema_dict
from tenantlint.findings import Edit, EditKind


def _is_assignment_to(stmt: cst.CSTNode, name: str) -> bool:
    if isinstance(stmt, cst.FunctionDef):
        return stmt.name.value == name
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        targets = []
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, cst.AnnAssign):
            targets = [small.target]
        if any(isinstance(t, cst.Name) and t.value == name for t in targets):
            return True
    return False


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def tablename_index(statements) -> int | None:
    """The index of the first statement that assigns (or defines) `__tablename__`: the
    assignment goes after it."""
    return next((i for i, s in enumerate(statements) if _is_assignment_to(s, "__tablename__")), None)


def ast_tablename_index(body: list[ast.stmt]) -> int | None:
    """`tablename_index` on the `ast` statements (a LibCST line `a = 1; b = 2` is two of them)."""
    for i, node in enumerate(body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # LibCST's FunctionDef is both
            if node.name == "__tablename__":
                return i
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
            return i
    return None


def apply(node: cst.ClassDef, edit: Edit, settings: Settings) -> cst.ClassDef:
    body = node.body
    at = tablename_index(getattr(body, "body", ()))
    tablename = None if at is None else body.body[at]
    args = cst.Module([]).code_for_node(schema_dict(settings.schema, quote_of(tablename)))
    assignment = f"__table_args__ = {args}"
    if isinstance(body, cst.SimpleStatementSuite):  # `class A(Base): __tablename__ = "a"`
        small = cst.parse_statement(assignment + "\n").body[0]
        return node.with_changes(body=body.with_changes(body=[*body.body, small]))
    statements = list(body.body)
    if at is not None:
        index = at + 1
    else:
        index = 1 if statements and _is_docstring(statements[0]) else 0
    statements.insert(index, cst.parse_statement(f"{assignment}  {settings.comment}\n"))
    return node.with_changes(body=body.with_changes(body=statements))


def _is_schema_assignment(node: ast.AST, schema: str) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "__table_args__"
        and is_schema_dict(node.value, schema)
    )


def expect(old: ast.ClassDef, new: ast.AST, edit: Edit, schema: str) -> Pairs:
    """Exactly one new statement, the planned assignment; everything else as it was."""
    if not isinstance(new, ast.ClassDef) or len(new.body) != len(old.body) + 1:
        raise UnsafeFix(f"line {old.lineno}: class `{old.name}` did not get exactly one new statement")
    index = next(
        (i for i, s in enumerate(new.body)
         if _is_schema_assignment(s, schema) and not (i < len(old.body) and _is_schema_assignment(old.body[i], schema))),
        None,
    )
    if index is None:
        raise UnsafeFix(f"line {old.lineno}: class `{old.name}` did not get the planned `__table_args__`")
    kept = [(old.body, new.body[:index] + new.body[index + 1:], f"class `{old.name}`")]
    where = f"line {old.lineno}: ClassDef"
    return kept + [(getattr(old, f, None), getattr(new, f, None), f"{where}.{f}") for f in old._fields if f != "body"]


SPEC = EditSpec(EditKind.ADD_ASSIGNMENT, (cst.ClassDef,), (ast.ClassDef,), apply, expect, in_class=True)
