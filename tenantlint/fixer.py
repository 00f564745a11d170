"""Apply the rules' edits with LibCST: the tree is edited, never the text, so everything the
edit does not touch (comments, quotes, commas, layout) is written back byte for byte. Each
edit kind's change lives in `edits/`; this module finds the node each edit names."""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

import libcst as cst

from tenantlint.edits import BY_LIBCST_TYPE, SPECS, FixError, Settings
from tenantlint.edits.add_assignment import tablename_index
from tenantlint.findings import Edit
from tenantlint.locate import Position, Statements, Unmapped, positions
from tenantlint.pieces import Piece, class_pieces
from tenantlint.spans import Span, parser_config, spans

__all__ = ["FixError", "apply_edits"]


def _apply(pending: dict, node_type: type, node: cst.CSTNode, where: tuple, settings: Settings) -> cst.CSTNode:
    """`node` with the edit planned at `where` made, if one is; the first kind planned there takes it."""
    for spec in BY_LIBCST_TYPE.get(node_type, ()):
        edit = pending.pop((spec.kind, *where), None)
        if edit is not None:
            return spec.apply(node, edit, settings)
    return node


@dataclass(frozen=True)
class _Spots:
    """Where the planned edits are, computed once per file (some may be made already: that only
    costs a visit), not per statement: a file with thousands of edits made it quadratic."""

    lines: list[int]  # sorted
    columns: dict[int, tuple[int, ...] | None]  # each line's edit columns; None: a class's edit is there

    @classmethod
    def of(cls, edits: list[Edit]) -> "_Spots":
        columns: dict[int, tuple[int, ...] | None] = {}
        for e in edits:
            held = columns.get(e.line, ())
            columns[e.line] = None if held is None or SPECS[e.kind].in_class else (*held, e.column)
        return cls(sorted(columns), columns)


class _Transformer(cst.CSTTransformer):
    """Hands each node an edit names to that edit's kind (Fixit's `apply_replacements`); goes
    down only into nodes whose lines hold an edit, and of a node on one line, only where its
    columns reach an edit's (a class's edit, located by its line, turns that off for its line)."""

    def __init__(self, pending: dict, settings: Settings, position: Position, spots: _Spots,
                 classes: tuple[str, ...] = ()):
        super().__init__()
        self.pending, self.settings, self.position = pending, settings, position
        self.lines, self.columns = spots.lines, spots.columns
        self.class_stack = list(classes)
        self.skipped: cst.CSTNode | None = None

    def _start(self, node: cst.CSTNode) -> tuple[int, int]:
        # `ast` places a parenthesised tuple at its "(", LibCST at its first element
        anchor = node.lpar[0] if isinstance(node, cst.Tuple) and node.lpar else node
        return self.position(anchor)[:2]

    def _where(self, node: cst.CSTNode) -> tuple:
        """The place an edit names: a class's line and dotted path, any other node's start."""
        if isinstance(node, cst.ClassDef):
            return self.position(node.name)[0], ".".join(self.class_stack)
        return self._start(node)

    def _holds_edit(self, node: cst.CSTNode) -> bool:
        line, column, end_line, end_column = self.position(node)
        if isinstance(node, cst.BaseExpression) and node.lpar:
            # an expression's own parentheses are outside its range; an edit may be at the "("
            line, column = self.position(node.lpar[0])[:2]
        at = bisect.bisect_left(self.lines, line)
        if at == len(self.lines) or self.lines[at] > end_line:
            return False
        columns = self.columns[line] if line == end_line else None
        return columns is None or any(column <= c <= end_column for c in columns)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not self._holds_edit(node):
            self.skipped = node  # no edit in its range: left as it is, its children unvisited
            return False
        if isinstance(node, cst.ClassDef):
            self.class_stack.append(node.name.value)
        return True

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        if original is self.skipped:
            return updated
        if type(original) in BY_LIBCST_TYPE:
            updated = _apply(self.pending, type(original), updated, self._where(original), self.settings)
        if isinstance(original, cst.ClassDef):
            self.class_stack.pop()
        return updated


def _pending(edits: list[Edit]) -> dict:
    return {SPECS[e.kind].key(e): e for e in edits}


def _walker(module: cst.Module, pending: dict, spots: _Spots, settings: Settings) -> Statements:
    """The statement walk that makes the pending edits it meets (and removes them from `pending`)."""

    def edit(statement: cst.BaseStatement, position: Position, classes: tuple[str, ...]) -> cst.BaseStatement:
        return statement.visit(_Transformer(pending, settings, position, spots, classes))

    def edit_class(node: cst.ClassDef, line: int, path: str) -> cst.ClassDef:
        return _apply(pending, cst.ClassDef, node, (line, path), settings)

    return Statements(module, spots.lines, edit, edit_class)


def _by_spans(source: bytes, tree: ast.Module, spots: _Spots, edits: list[Edit], settings: Settings) -> bytes | None:
    """The fixed source with LibCST parsing only the top-level statements that hold an edit
    (see spans.py), and of a class only the body statements that do (see pieces.py); None when
    that cannot be done exactly, and the whole module is parsed."""
    lines = spots.lines
    found = spans(source, tree, lines)
    if not found:
        return None
    pending, config = _pending(edits), parser_config(source)
    at_line: dict[int, list[Edit]] = {}
    for e in edits:
        at_line.setdefault(e.line, []).append(e)
    text, out, done = source.splitlines(keepends=True), [], 0
    for span in found:
        held = lines[bisect.bisect_left(lines, span.first) : bisect.bisect_right(lines, span.last)]
        parts = None
        if len(span.nodes) == 1:
            parts = _by_pieces(text, span.nodes[0], [e for line in held for e in at_line[line]],
                               pending, spots, settings, config)
        if parts is None:
            fixed = _fix_span(text, span, pending, spots, settings, config)
            if fixed is None:
                return None
            parts = [(span.first, span.last, fixed)]
        for first, last, fixed in parts:
            out += [*text[done : first - 1], fixed]
            done = last
    return None if pending else b"".join([*out, *text[done:]])


def _fix_span(text: list[bytes], span: Span, pending: dict, spots: _Spots, settings: Settings,
              config: cst.PartialParserConfig) -> bytes | None:
    snippet = b"".join(text[span.first - 1 : span.last])
    try:
        module = cst.parse_module(snippet, config)
        fixed = _walker(module, pending, spots, settings).run(ast.Module(body=span.nodes, type_ignores=[]))
    except (cst.ParserSyntaxError, ValueError, Unmapped):
        return None
    return _keep_ending(snippet, fixed.bytes)


def _by_pieces(text: list[bytes], node: ast.stmt, edits: list[Edit], pending: dict, spots: _Spots,
               settings: Settings, config: cst.PartialParserConfig) -> list[tuple[int, int, bytes]] | None:
    """(first line, last line, fixed lines) of each piece of the class `node` holding `edits`
    (see pieces.py); None, with `pending` as it was, when the class must be parsed whole."""
    found = class_pieces(text, node, edits)
    if found is None:
        return None
    out = []
    try:
        for piece in found:
            fixed = _fix_piece(text, piece, node, pending, spots, settings, config)
            if fixed is None:
                break
            out.append((piece.first, piece.last, fixed))
        else:
            if all(SPECS[e.kind].key(e) not in pending for e in edits):
                return out
    except (cst.ParserSyntaxError, ValueError, Unmapped):
        pass
    for e in edits:  # the whole class is fixed again: give back the edits its pieces made
        pending[SPECS[e.kind].key(e)] = e
    return None


def _fix_piece(text: list[bytes], piece: Piece, node: ast.ClassDef, pending: dict, spots: _Spots,
               settings: Settings, config: cst.PartialParserConfig) -> bytes | None:
    """The piece's lines fixed, parsed under the stand-in header; None when LibCST does not read
    them as the body statements pieces.py saw, or writes the header back otherwise."""
    header = b"class _:" + config.default_newline.encode()
    snippet = b"".join(text[piece.first - 1 : piece.last])
    module = cst.parse_module(header + snippet, config)
    stand_in = module.body[0] if len(module.body) == 1 else None
    if not (isinstance(stand_in, cst.ClassDef) and isinstance(stand_in.body, cst.IndentedBlock)
            and len(stand_in.body.body) == piece.statements):
        return None
    if piece.makes_class_edit and tablename_index(stand_in.body.body) != piece.tablename:
        return None  # LibCST would put the class's assignment elsewhere than in the whole body
    walker = _walker(module, pending, spots, settings)
    new = walker.class_body(stand_in, piece.nodes, (), (node.name,), node.lineno if piece.makes_class_edit else None)
    code = module.with_changes(body=[new]).bytes
    if not code.startswith(header):
        return None
    return _keep_ending(snippet, code[len(header):])


def _by_statement(module: cst.Module, tree: ast.Module | None, spots: _Spots, edits: list[Edit],
                  settings: Settings) -> tuple:
    """(the fixed module, the edits left over), positions computed only where an edit is;
    (the module, None) when the two trees do not line up."""
    pending = _pending(edits)
    if tree is None:
        return module, None
    try:
        return _walker(module, pending, spots, settings).run(tree), pending
    except (ValueError, Unmapped):
        return module, None


def _whole_module(module: cst.Module, spots: _Spots, edits: list[Edit], settings: Settings) -> tuple:
    """(the fixed module, the edits left over), with positions for every node of the module."""
    pending = _pending(edits)
    found = positions(module)

    def position(node: cst.CSTNode) -> tuple[int, int, int, int]:
        where = found[node]
        return where.start.line, where.start.column, where.end.line, where.end.column

    return module.visit(_Transformer(pending, settings, position, spots)), pending


def apply_edits(source: bytes, edits: list[Edit], schema: str, comment: str, tree: ast.Module | None = None) -> bytes:
    """The fixed source; raises FixError if an edit finds no node where it expected one,
    or libcst.ParserSyntaxError if the source does not parse. `tree`: `ast.parse(source)`, if
    the caller has it (it is only read)."""
    settings = Settings(schema, comment)
    spots = _Spots.of(edits)
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):  # LibCST may still parse it (newer grammar): the whole module
            tree = None
    by_spans = None if tree is None else _by_spans(source, tree, spots, edits, settings)
    if by_spans is not None:
        return by_spans
    module = cst.parse_module(source)
    fixed, pending = _by_statement(module, tree, spots, edits, settings)
    if pending is None or pending:  # the trees did not line up, or an edit is where the walk does not look
        fixed, pending = _whole_module(module, spots, edits, settings)
    if pending:
        missing = ", ".join(f"{e.kind.value} at line {e.line}" for e in pending.values())
        raise FixError(f"could not apply: {missing}")
    return _keep_ending(source, fixed.bytes)


def _keep_ending(source: bytes, result: bytes) -> bytes:
    """LibCST drops the final newline of a text that ends lines with a bare "\r": put it back."""
    ending = re.search(rb"(\r\n|\r|\n)\Z", source)
    if ending and not result.endswith((b"\n", b"\r")):
        result += ending.group(1)
    return result
