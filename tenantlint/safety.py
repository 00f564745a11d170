"""Black-style safe mode for fixes: the new source must parse, keep the file's encoding, BOM,
line endings, indentation and final newline, and its AST must equal the old one everywhere
except at the nodes the planned edits name, where it must be exactly the planned change."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from collections.abc import Iterable

from tenantlint.findings import Edit, EditKind
from tenantlint.summary import char_column, split_lines

_LINE = re.compile(rb"\r\n|\r|\n")


class UnsafeFix(Exception):
    """The fixed source differs from the old one in a way no planned edit explains."""


def _encoding(data: bytes) -> str:
    return tokenize.detect_encoding(io.BytesIO(data).readline)[0]


def _newlines(data: bytes) -> set[bytes]:
    return set(_LINE.findall(data))


def _indents(lines: Iterable[bytes]) -> set[int]:
    return {c for line in lines for c in line[: len(line) - len(line.lstrip(b" \t"))]}


def check_bytes(old: bytes, new: bytes) -> None:
    """Encoding, BOM, line endings, indentation characters and final newline survive."""
    if old.startswith(b"\xef\xbb\xbf") != new.startswith(b"\xef\xbb\xbf"):
        raise UnsafeFix("the byte order mark would change")
    if _encoding(old) != _encoding(new):
        raise UnsafeFix(f"the encoding would change from {_encoding(old)} to {_encoding(new)}")
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


def _literal(source: str) -> object:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError) as exc:
        raise UnsafeFix(f"the planned literal {source!r} is not a literal") from exc


def _is_constant(node: ast.AST, value: object) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is type(value) and node.value == value


def _is_schema_dict(node: ast.AST, schema: str) -> bool:
    return (
        isinstance(node, ast.Dict)
        and len(node.keys) == 1
        and _is_constant(node.keys[0], "schema")
        and _is_constant(node.values[0], schema)
    )


def _is_schema_assignment(node: ast.AST, schema: str) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "__table_args__"
        and _is_schema_dict(node.value, schema)
    )


class _Walk:
    def __init__(self, edits: Iterable[Edit], schema: str, columns: _Columns):
        self.schema = schema
        self.columns = columns
        self.classes: dict[tuple[int, str], Edit] = {}
        self.at: dict[tuple[int, int, EditKind], Edit] = {}
        for edit in edits:
            if edit.kind is EditKind.ADD_ASSIGNMENT:
                self.classes[(edit.line, edit.old.rsplit(".", 1)[-1])] = edit
            else:
                self.at[(edit.line, edit.column, edit.kind)] = edit
        self.stack: list[tuple[object, object]] = []

    def _take(self, node: ast.AST, *kinds: EditKind) -> Edit | None:
        if not hasattr(node, "lineno"):
            return None
        col = self.columns.char(node.lineno, node.col_offset)
        for kind in kinds:
            edit = self.at.pop((node.lineno, col, kind), None)
            if edit is not None:
                return edit
        return None

    def pair(self, old: list, new: list, where: str) -> None:
        if len(old) != len(new):
            raise UnsafeFix(f"{where}: {len(old)} items became {len(new)}")
        self.stack.extend(zip(old, new))

    def fields(self, a: ast.AST, b: ast.AST, skip: str = "") -> None:
        for name in a._fields:
            if name == skip:
                continue
            x, y = getattr(a, name, None), getattr(b, name, None)
            if isinstance(x, list) and isinstance(y, list):
                self.pair(x, y, f"line {getattr(a, 'lineno', '?')}: {type(a).__name__}.{name}")
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
            if self._edited(a, b):
                continue
            if type(a) is not type(b):
                raise UnsafeFix(f"line {getattr(a, 'lineno', '?')}: {type(a).__name__} became {type(b).__name__}")
            self.fields(a, b)
        if self.at or self.classes:
            left = [*self.at.values(), *self.classes.values()]
            raise UnsafeFix("planned edits found no node: " + ", ".join(f"{e.kind.value} at line {e.line}" for e in left))

    def _edited(self, a: ast.AST, b: ast.AST) -> bool:
        """Check the planned change at `a` (if any) and queue what it left alone."""
        line = getattr(a, "lineno", 0)
        if isinstance(a, ast.ClassDef):
            edit = self.classes.pop((a.lineno, a.name), None)
            if edit is None:
                return False
            if not isinstance(b, ast.ClassDef) or len(b.body) != len(a.body) + 1:
                raise UnsafeFix(f"line {line}: class `{a.name}` did not get exactly one new statement")
            index = next(
                (i for i, s in enumerate(b.body)
                 if _is_schema_assignment(s, self.schema) and not (i < len(a.body) and _is_schema_assignment(a.body[i], self.schema))),
                None,
            )
            if index is None:
                raise UnsafeFix(f"line {line}: class `{a.name}` did not get the planned `__table_args__`")
            self.pair(a.body, b.body[:index] + b.body[index + 1:], f"class `{a.name}`")
            self.fields(a, b, skip="body")
            return True
        if isinstance(a, ast.Tuple) and (edit := self._take(a, EditKind.APPEND_DICT)):
            if not isinstance(b, ast.Tuple) or not b.elts or not _is_schema_dict(b.elts[-1], self.schema):
                raise UnsafeFix(f"line {line}: the tuple did not get the schema dict as its last element")
            self.pair(a.elts, b.elts[:-1], f"line {line}: tuple")
            return True
        if isinstance(a, ast.Dict) and (edit := self._take(a, EditKind.MERGE_KEY)):
            if not isinstance(b, ast.Dict) or not b.keys or not _is_constant(b.keys[-1], "schema") \
                    or not _is_constant(b.values[-1], self.schema):
                raise UnsafeFix(f"line {line}: the dict did not get the schema key as its last item")
            self.pair(a.keys, b.keys[:-1], f"line {line}: dict keys")
            self.pair(a.values, b.values[:-1], f"line {line}: dict values")
            return True
        if isinstance(a, ast.Call) and (edit := self._take(a, EditKind.ADD_KEYWORD)):
            expected = _literal(edit.new)
            if not isinstance(b, ast.Call) or not b.keywords or b.keywords[-1].arg != "schema" \
                    or not _is_constant(b.keywords[-1].value, expected):
                raise UnsafeFix(f"line {line}: the call did not get `schema={edit.new}` as its last keyword")
            self.stack.append((a.func, b.func))
            self.pair(a.args, b.args, f"line {line}: call arguments")
            self.pair(a.keywords, b.keywords[:-1], f"line {line}: call keywords")
            return True
        if isinstance(a, ast.Constant):
            edit = self._take(a, EditKind.QUALIFY_STRING, EditKind.REPLACE_SCHEMA, EditKind.REPLACE_ARGS)
            if edit is None:
                return False
            if edit.kind is EditKind.REPLACE_ARGS:
                ok = a.value is None and _is_schema_dict(b, self.schema)
            elif edit.kind is EditKind.QUALIFY_STRING:
                ok = _is_constant(a, _literal(edit.old)) and _is_constant(b, _literal(edit.new))
            else:
                ok = _is_constant(b, _literal(edit.new))
            if not ok:
                raise UnsafeFix(f"line {line}: the {edit.kind.value} edit did not give the planned value")
            return True
        return False


def verify(old: bytes, new: bytes, edits: Iterable[Edit], schema: str) -> None:
    """Raise UnsafeFix unless `new` is `old` with exactly the planned edits applied."""
    check_bytes(old, new)
    try:
        old_tree = ast.parse(old)
    except (SyntaxError, ValueError) as exc:
        raise UnsafeFix(f"the original file does not parse: {exc}") from exc
    try:
        new_tree = ast.parse(new)
    except (SyntaxError, ValueError) as exc:
        raise UnsafeFix(f"the fixed file would not parse: {exc}") from exc
    text = old.decode(_encoding(old))
    _Walk(edits, schema, _Columns(text)).run(old_tree, new_tree)
