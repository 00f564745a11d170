"""What an edit kind is: the node types it changes, how it changes them with LibCST, and what
the AST must look like afterwards; and the two errors those halves raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import libcst as cst

from tenantlint.findings import Edit, EditKind


class FixError(Exception):
    """An edit could not be applied as planned; the file is left untouched."""


class UnsafeFix(Exception):
    """The fixed source differs from the old one in a way no planned edit explains."""


@dataclass(frozen=True)
class Settings:
    """What every edit writes: the schema value and the comment after a new assignment."""

    schema: str
    comment: str


# What an edit left alone, for the safety walk to compare: (old, new, where) with two nodes,
# two values, or two lists whose lengths must match (`where` names them in the refusal).
Pairs = list[tuple[Any, Any, str]]


@dataclass(frozen=True)
class EditSpec:
    """One edit kind. `apply(node, edit, settings)` returns the LibCST node with the edit made;
    `expect(old, new, edit, schema)` raises UnsafeFix unless the new AST node is the planned
    change of the old one, and returns the parts of the two it left alone."""

    kind: EditKind
    libcst_types: tuple[type[cst.CSTNode], ...]
    ast_types: tuple[type, ...]
    apply: Callable[[Any, Edit, Settings], cst.CSTNode]
    expect: Callable[[Any, Any, Edit, str], Pairs]
    in_class: bool = False  # located by its class (line and dotted path), not by line and column

    def key(self, edit: Edit) -> tuple:
        """Where `edit` applies: its class's line and dotted path, or its node's line and column."""
        return (self.kind, edit.line, edit.old if self.in_class else edit.column)
