"""Black-style safe mode for fixes: the new source must parse, keep the file's encoding, BOM,
line endings, indentation and final newline, and its AST must equal the old one everywhere
except at the nodes the planned edits name, where it must be exactly the planned change (each
edit kind's module in `edits/` says what that is)."""

from __future__ import annotations

import ast
import bisect
import re
from collections import Counter
from collections.abc import Iterable

from tenantlint.edits import BY_AST_TYPE, SPECS, UnsafeFix
from tenantlint.facts import char_column, source_encoding, split_lines
from tenantlint.facts.syntax import first_line
from tenantlint.findings import Edit

__all__ = ["UnsafeFix", "check_bytes", "prove_edits"]

_LINE = re.compile(rb"\r\n|\r|\n")


def _newlines(data: bytes) -> set[bytes]:
    return set(_LINE.findall(data))


def _indents(lines: Iterable[bytes]) -> set[int]:
    return {c for line in lines for c in line[: len(line) - len(line.lstrip(b" \t"))]}


def check_bytes(old: bytes, new: bytes) -> None:
    """Encoding, BOM, line endings, indentation characters and final newline survive."""
    if old.startswith(b"\xef\xbb\xbf") != new.startswith(b"\xef\xbb\xbf"):
        raise UnsafeFix("the byte order mark would change")
    if source_encoding(old) != source_encoding(new):
        raise UnsafeFix(f"the encoding would change from {source_encoding(old)} to {source_encoding(new)}")
    if old.endswith((b"\n", b"\r")) != new.endswith((b"\n", b"\r")):
        raise UnsafeFix("the presence of a final newline would change")
    if _newlines(old) and not _newlines(new) <= _newlines(old):
        raise UnsafeFix("the line endings would change")
    old_lines = _LINE.split(old)
    added = Counter(_LINE.split(new)) - Counter(old_lines)
    if _indents(old_lines) and not _indents(added) <= _indents(old_lines):
        raise UnsafeFix("the indentation style would change")


class _Columns:
    """Edits use character columns; `ast` gives UTF-8 byte columns of the decoded line."""

    def __init__(self, text: str):
        self.lines = split_lines(text)

    def char(self, line: int, byte_col: int) -> int:
        return char_column(self.lines, line, byte_col)


def _key(edit: Edit) -> tuple:
    spec = SPECS[edit.kind]
    kind, line, where = spec.key(edit)
    # `ast` knows a class by its line and name, not by its dotted path
    return (kind, line, where.rsplit(".", 1)[-1] if spec.in_class else where)


class _Walk:
    """Compares two trees node by node; at a node an edit names, its kind says whether the
    new node is the planned change and which parts of the two are still to compare.

    Two statements written with the same text, lines and columns, in the same place of the two
    trees, parse to the same subtree: such a pair with no planned edit in its lines is not walked
    (most of a fixed file; walking every node was a fifth of `fix`)."""

    def __init__(self, edits: Iterable[Edit], schema: str, columns: _Columns, new_lines: list[str]):
        self.schema = schema
        self.columns = columns
        self.new_lines = new_lines
        self.planned = {_key(edit): edit for edit in edits}
        self.edit_lines = sorted({key[1] for key in self.planned})
        self.stack: list[tuple[object, object]] = []

    def _same_text(self, a: ast.stmt, b: ast.stmt) -> bool:
        first, last = first_line(a), a.end_lineno or a.lineno
        at = bisect.bisect_left(self.edit_lines, first)
        if at < len(self.edit_lines) and self.edit_lines[at] <= last:
            return False  # an edit is planned in it: walked, so the edit is checked
        new_first = first_line(b)
        if (last - first != (b.end_lineno or b.lineno) - new_first or a.col_offset != b.col_offset
                or a.end_col_offset != b.end_col_offset):
            return False
        return self.columns.lines[first - 1 : last] == self.new_lines[new_first - 1 : new_first + last - first]

    def _where(self, node: ast.AST) -> tuple:
        """The place an edit names: a class's line and name, any other node's start."""
        if isinstance(node, ast.ClassDef):
            return node.lineno, node.name
        return node.lineno, self.columns.char(node.lineno, node.col_offset)

    def pair(self, old: list, new: list, where: str) -> None:
        if len(old) != len(new):
            raise UnsafeFix(f"{where}: {len(old)} items became {len(new)}")
        self.stack.extend(zip(old, new))

    def push(self, x: object, y: object, where: str) -> None:
        if isinstance(x, list) and isinstance(y, list):
            self.pair(x, y, where)
        else:
            self.stack.append((x, y))

    def run(self, old: ast.AST, new: ast.AST) -> None:
        self.stack.append((old, new))
        while self.stack:
            a, b = self.stack.pop()
            if not isinstance(a, ast.AST):
                if isinstance(b, ast.AST) or type(a) is not type(b) or repr(a) != repr(b):
                    raise UnsafeFix(f"a value changed: {a!r} became {b!r}")
                continue
            if isinstance(a, ast.stmt) and type(a) is type(b) and self._same_text(a, b):
                continue
            if self._edited(a, b):
                continue
            if type(a) is not type(b):
                raise UnsafeFix(f"line {getattr(a, 'lineno', '?')}: {type(a).__name__} became {type(b).__name__}")
            for name in a._fields:
                where = f"line {getattr(a, 'lineno', '?')}: {type(a).__name__}.{name}"
                self.push(getattr(a, name, None), getattr(b, name, None), where)
        if self.planned:
            # the classes' edits last, as they were listed before the kinds had one module each
            left = sorted(self.planned.values(), key=lambda e: SPECS[e.kind].in_class)
            raise UnsafeFix("planned edits found no node: " + ", ".join(f"{e.kind.value} at line {e.line}" for e in left))

    def _edited(self, a: ast.AST, b: ast.AST) -> bool:
        """Whether `a` is where an edit applies; if so, its kind checks `b` and queues the rest."""
        specs = BY_AST_TYPE.get(type(a))
        if not specs:
            return False
        where = self._where(a)
        for spec in specs:
            edit = self.planned.pop((spec.kind, *where), None)
            if edit is not None:
                for x, y, name in spec.expect(a, b, edit, self.schema):
                    self.push(x, y, name)
                return True
        return False


def prove_edits(old: bytes, new: bytes, edits: Iterable[Edit], schema: str, old_tree: ast.Module | None = None) -> None:
    """Raise UnsafeFix unless `new` is `old` with exactly the planned edits applied.
    `old_tree`: `ast.parse(old)`, if the caller has it (it is only read)."""
    check_bytes(old, new)
    try:
        old_tree = old_tree or ast.parse(old)
    except (SyntaxError, ValueError) as exc:
        raise UnsafeFix(f"the original file does not parse: {exc}") from exc
    try:
        new_tree = ast.parse(new)
    except (SyntaxError, ValueError) as exc:
        raise UnsafeFix(f"the fixed file would not parse: {exc}") from exc
    text = old.decode(source_encoding(old))
    new_lines = split_lines(new.decode(source_encoding(new)))
    _Walk(edits, schema, _Columns(text), new_lines).run(old_tree, new_tree)
