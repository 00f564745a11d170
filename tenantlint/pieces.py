"""Cut an edited top-level class into the body statements that hold an edit, so LibCST parses
only those: in a model file nearly every top-level statement is a class holding an edit, so
parsing the edited top-level statements (spans.py) still parses nearly the whole file, while
the edits sit in two or three lines of each class.

A piece is whole lines of consecutive body statements that hold an edit, widened over the
statements that share their lines (`a = 1; b = 2`). The caller parses it under a stand-in header
(`class _:`) so its lines, kept with their real indentation, read as a class body; what lies
between pieces (the header, other statements, comments, blank lines) is never parsed and is
copied as it is.

The class's own edit (ADD_ASSIGNMENT, keyed on its `class` line) inserts its assignment after
the first statement that assigns `__tablename__`, else after a docstring at index 0, else at
index 0: the piece holding that statement (or statement 0) gives the same insertion point as the
whole body, as long as LibCST agrees which statement it is (the caller checks it on the piece).
Any other edit in the header (decorators, bases, keywords), a body on the header's line
(`class A: x = 1`), a piece that does not start and end a line of its own (a backslash
continuation), a class with tabs and spaces mixed in one line's indent, and an insertion at
index 0 after comments or blank lines (they stay above statement 0 in the whole body, but
would be left above the piece) return None: the caller then parses the whole class."""

from __future__ import annotations

import ast
import bisect
from dataclasses import dataclass

from tenantlint.edits.add_assignment import ast_tablename_index
from tenantlint.findings import Edit, EditKind
from tenantlint.facts.syntax import first_line
from tenantlint.spans import statement_groups

_SPACE = b" \t\f"


@dataclass(frozen=True)
class Piece:
    first: int  # 1-based line, inclusive
    last: int
    nodes: list[ast.stmt]
    statements: int  # how many LibCST statements it holds (statements sharing a line are one)
    makes_class_edit: bool = False  # the class's own edit is made on this piece
    # then: the index, among its statements, of the class's first `__tablename__` statement;
    # None when the class has none (the piece then starts with the class's statement 0)
    tablename: int | None = None


def _is_blank_or_comment(line: bytes) -> bool:
    stripped = line.lstrip(_SPACE)
    return stripped[:1] in (b"", b"#", b"\r", b"\n")


def _continued(line: bytes) -> bool:
    return line.rstrip(b"\r\n").endswith(b"\\")


def _indent(line: bytes) -> bytes:
    return line[: len(line) - len(line.lstrip(_SPACE))]


def _mixed(indent: bytes) -> bool:
    return b"\f" in indent or (b" " in indent and b"\t" in indent)


def _starts_its_line(text: list[bytes], first: int, node: ast.stmt) -> bool:
    """Whether `node` (its first decorator) is the first thing on line `first`, and that line is
    not the continuation of the line before it."""
    line = text[first - 1]
    stripped = line[len(_indent(line)):]
    if getattr(node, "decorator_list", None):
        starts = stripped.startswith(b"@")
    else:
        starts = len(line) - len(stripped) == node.col_offset  # ast columns are UTF-8 bytes
    return starts and not (first > 1 and _continued(text[first - 2]))


def _own_edit(edit: Edit, node: ast.ClassDef) -> bool:
    return edit.kind is EditKind.ADD_ASSIGNMENT and edit.line == node.lineno and edit.old == node.name


class _Whole(Exception):
    """The class cannot be cut exactly: the caller parses it whole."""


def class_pieces(text: list[bytes], node: ast.stmt, edits: list[Edit]) -> list[Piece] | None:
    """The pieces of the top-level class `node` holding `edits` (the edits in its lines), in
    order; None when the class must be parsed whole. `text`: the file's lines, with their ends."""
    if not isinstance(node, ast.ClassDef) or not node.body:
        return None
    groups = statement_groups(node.body)
    try:
        _check_cuttable(text, node, groups[0][0])
        anchor = _anchor(text, node, groups, edits)
        lines = sorted(e.line for e in edits if e.line >= groups[0][0])
        held = [i == anchor or _holds(lines, first, last) for i, (first, last, _) in enumerate(groups)]
        return [_piece(text, node, groups, i, j, anchor) for i, j in _runs(held)]
    except _Whole:
        return None


def _check_cuttable(text: list[bytes], node: ast.ClassDef, body_start: int) -> None:
    if body_start <= node.lineno:  # `class A: x = 1`
        raise _Whole
    # LibCST writes a block's every statement with the indent of its first: Python also reads
    # another mix of tabs and spaces of the same width (`\t \t`, ` \t\t`) as the same indent, and
    # the whole class parsed would rewrite such a line, where a piece would copy it as it is
    if any(_mixed(_indent(line)) for line in text[first_line(node) - 1 : node.end_lineno]):
        raise _Whole


def _anchor(text: list[bytes], node: ast.ClassDef, groups: list, edits: list[Edit]) -> int | None:
    """The group the class's own edit needs in its piece; None when the class has no such edit."""
    body_start = groups[0][0]
    in_header = [e for e in edits if e.line < body_start]
    if not all(_own_edit(e, node) for e in in_header):
        raise _Whole
    if not in_header:
        return None
    at = ast_tablename_index(node.body)
    if at is None:
        if _is_blank_or_comment(text[body_start - 2]):
            raise _Whole
        return 0
    return next(i for i, (_, _, nodes) in enumerate(groups) if node.body[at] in nodes)


def _runs(held: list[bool]):
    """(first, last) index of each run of consecutive held groups: one piece each."""
    i = 0
    while i < len(held):
        if not held[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(held) and held[j + 1]:
            j += 1
        yield i, j
        i = j + 1


def _piece(text: list[bytes], node: ast.ClassDef, groups: list, i: int, j: int, anchor: int | None) -> Piece:
    first, last = groups[i][0], groups[j][1]
    if not _starts_its_line(text, first, groups[i][2][0]) or _continued(text[last - 1]):
        raise _Whole
    if _indent(text[first - 1]) != _indent(text[groups[0][0] - 1]):  # the piece's block would get another indent
        raise _Whole
    nodes = [n for group in groups[i : j + 1] for n in group[2]]
    if anchor is not None and i <= anchor <= j:
        tablename = None if ast_tablename_index(node.body) is None else anchor - i
        return Piece(first, last, nodes, j - i + 1, True, tablename)
    return Piece(first, last, nodes, j - i + 1)


def _holds(lines: list[int], first: int, last: int) -> bool:
    at = bisect.bisect_left(lines, first)
    return at < len(lines) and lines[at] <= last
