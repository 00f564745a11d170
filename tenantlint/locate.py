"""Find the LibCST statements that hold the planned edits from the `ast` positions, and compute
LibCST positions for those statements only. PositionProvider on a whole module costs about
twice its parse; most of a model file's statements hold no edit, so they are only counted.

The two trees' statement lists line up one to one, except that a LibCST line `a = 1; b = 2`
is one statement holding as many small statements as `ast` has statements. The walk goes
down only into class bodies (where the edits of a model live); any other statement that holds
an edit gets its positions as a whole."""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable, Iterator, Sequence

import libcst as cst
from libcst.metadata import PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from tenantlint.facts.syntax import first_line

_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
             ast.With, ast.AsyncWith, ast.Try, ast.TryStar, ast.Match)

# A node's place in the module: (1-based line, 0-based character column, last line, end column).
Position = Callable[[cst.CSTNode], tuple[int, int, int, int]]
# (the statement, its positions, the dotted path of the classes around it) -> the edited statement
Edit = Callable[[cst.BaseStatement, Position, tuple[str, ...]], cst.BaseStatement]
# (the class, its `class` line, its dotted path) -> the class with its own edits made
EditClass = Callable[[cst.ClassDef, int, str], cst.ClassDef]


class Unmapped(Exception):
    """The two trees do not line up; the caller falls back to positions for the whole module."""


def _pairs(statements: Sequence[cst.BaseStatement], nodes: list[ast.stmt]) -> Iterator[tuple]:
    """Each LibCST statement with the `ast` statements it holds."""
    at = 0
    for statement in statements:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        held = nodes[at : at + count]
        simple = isinstance(statement, cst.SimpleStatementLine)
        if len(held) != count or any(isinstance(node, _COMPOUND) == simple for node in held):
            raise Unmapped(f"line {held[0].lineno if held else '?'}")
        yield statement, held
        at += count
    if at != len(nodes):
        raise Unmapped(f"line {nodes[at].lineno}")


def positions(module: cst.Module) -> dict:
    """PositionProvider's positions of every node of `module`: its code generation alone, as
    the provider does it, without the metadata walk around it (a third of the cost)."""
    provider = PositionProvider()
    state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                          default_newline=module.default_newline, provider=provider)
    module._codegen(state)
    return provider._computed


class Statements:
    """Walks a module down to the statements whose lines hold an edit (`lines`, sorted)."""

    def __init__(self, module: cst.Module, lines: list[int], edit: Edit, edit_class: EditClass):
        self.module, self.lines = module, lines
        self.edit, self.edit_class = edit, edit_class

    def _holds_edit(self, first: int, last: int) -> bool:
        at = bisect.bisect_left(self.lines, first)
        return at < len(self.lines) and self.lines[at] <= last

    def run(self, tree: ast.Module) -> cst.Module:
        body = self._body(self.module.body, tree.body, (), ())
        return self.module if body is None else self.module.with_changes(body=body)

    def _body(self, statements, nodes, indents: tuple, classes: tuple) -> list | None:
        """The statements with their edits made, or None when none holds one."""
        out, changed = [], False
        for statement, held in _pairs(statements, nodes):
            new = statement
            if self._holds_edit(first_line(held[0]), held[-1].end_lineno or held[-1].lineno):
                if isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
                    new = self._class(statement, held[0], indents, classes)
                else:
                    new = self.edit(statement, self._positions(statement, held[0], indents), classes)
            changed |= new is not statement
            out.append(new)
        return out if changed else None

    def _class(self, node: cst.ClassDef, tree: ast.ClassDef, indents: tuple, classes: tuple) -> cst.ClassDef:
        return self.class_body(node, tree.body, indents, (*classes, node.name.value), tree.lineno)

    def class_body(self, node: cst.ClassDef, nodes: list[ast.stmt], indents: tuple, path: tuple[str, ...],
                   line: int | None) -> cst.ClassDef:
        """`node` with the edits in its body (`nodes`, its `ast` statements) made, then its own
        edits when `line` (its `class` line) is given. `path`: the dotted path of the class, which
        may be a stand-in holding some of the real class's statements (see pieces.py)."""
        body = self._body(node.body.body, nodes, (*indents, node.body.indent), path)
        if body is not None:
            node = node.with_changes(body=node.body.with_changes(body=body))
        return node if line is None else self.edit_class(node, line, ".".join(path))

    def _positions(self, statement: cst.BaseStatement, tree: ast.stmt, indents: tuple) -> Position:
        """Positions in the module for the nodes of `statement`: computed on a module holding it
        alone, inside blocks with the same indents, so each line has its real columns."""
        wrapped = statement
        for indent in reversed(indents):
            wrapped = cst.If(test=cst.Name("True"), body=cst.IndentedBlock(body=[wrapped], indent=indent))
        alone = cst.Module(body=[wrapped], default_indent=self.module.default_indent,
                           default_newline=self.module.default_newline)
        found = positions(alone)
        # `ast` gives a class's or function's line as the line of its name, not its decorators'
        anchor = statement.name if isinstance(statement, (cst.ClassDef, cst.FunctionDef)) else statement
        shift = tree.lineno - found[anchor].start.line

        def position(node: cst.CSTNode) -> tuple[int, int, int, int]:
            where = found[node]
            return where.start.line + shift, where.start.column, where.end.line + shift, where.end.column

        return position
