"""The typed results every part of tenantlint passes around."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class Applicability(enum.Enum):
    """How safe a fix is, as ruff decides it per case."""

    SAFE = "safe"  # applied by `tenantlint fix`
    UNSAFE = "unsafe"  # applied only with `--unsafe-fixes`


class EditKind(enum.Enum):
    """What an edit does; also what the commit summary says of it."""

    ADD_ASSIGNMENT = "assignment added"
    APPEND_DICT = "dict appended"
    MERGE_KEY = "key merged"
    REPLACE_ARGS = "value replaced"
    REPLACE_SCHEMA = "schema replaced"
    ADD_KEYWORD = "schema keyword added"
    QUALIFY_STRING = "FK qualified"
    NAMING_CONVENTION = "naming convention kept"


@dataclass(frozen=True)
class Edit:
    """One change to one file, located by the 1-based line and 0-based character column
    of the node it applies to (the `class` statement, the value, the call, the string)."""

    kind: EditKind
    line: int
    column: int
    old: str = ""  # ADD_ASSIGNMENT: the class's dotted path; QUALIFY_STRING: the literal as written
    new: str = ""  # the literal to write (a string, or the schema value)
    applicability: Applicability = Applicability.SAFE
    title: str = ""


@dataclass(frozen=True)
class FixedBy:
    """`verify`: the static finding whose `tenantlint fix` removes a runtime finding's cause."""

    code: str  # TNT001, ...
    unsafe: bool = False  # its fix needs --unsafe-fixes

    @property
    def command(self) -> str:
        return "tenantlint fix --unsafe-fixes" if self.unsafe else "tenantlint fix"


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: Path
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int
    model: str | None = None
    edit: Edit | None = None
    tenant: str | None = None  # `verify --tenants`: the tenant schema the finding is about
    by_hand: str | None = None  # a finding `fix` cannot fix: the line to write, when it is known
    # the code is broken as it stands (a reference to a table that already has the schema): a
    # baseline recorded before the table moved must not hide it
    breaks_now: bool = False
    fixed_by: FixedBy | None = None  # `verify`: the static finding that `fix` fixes for it

    def fixable(self, unsafe_fixes: bool = False) -> bool:
        if self.edit is None:
            return False
        return unsafe_fixes or self.edit.applicability is Applicability.SAFE

    @property
    def sort_key(self) -> tuple:
        return (self.path.as_posix(), self.line, self.column, self.code)
