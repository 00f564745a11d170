"""Valid Python that the running interpreter's `ast` cannot parse (newer grammar: PEP 695 `type X
= ...` and `[T]` parameters, PEP 701 f-strings, PEP 758 `except A, B:`), read through LibCST.

LibCST's native parser knows the newer grammar. What `ast` refuses is blanked out into text of
the same lines and columns that `ast` accepts (an expression `(___)`, spaces): every other
statement keeps its exact place, so the facts and the edit positions read from the stand-in
are those of the file. The blanked parts hold no facts tenantlint reads, except an f-string,
which becomes a name: a reference built from it is then unresolvable, and reported as such.
"""

from __future__ import annotations

import ast

_Range = tuple[int, int, int, int]  # 1-based start line, 0-based start col, end line, end col (characters)


def stand_in(text: str) -> str | None:
    """`text` with the newer grammar blanked out, or None when LibCST cannot parse it either."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    positions = wrapper.resolve(PositionProvider)
    module = wrapper.module
    ranges: list[tuple[_Range, str]] = []

    class Finder(cst.CSTVisitor):
        def _add(self, node: cst.CSTNode, kind: str) -> bool:
            where = positions[node]
            ranges.append(((where.start.line, where.start.column, where.end.line, where.end.column), kind))
            return False

        def visit_TypeAlias(self, node: cst.TypeAlias) -> bool:
            return self._add(node, "expression")

        def visit_TypeParameters(self, node: cst.TypeParameters) -> bool:
            return self._add(node, "blank")

        def visit_FormattedString(self, node: cst.FormattedString) -> bool:
            try:
                ast.parse(module.code_for_node(node), mode="eval")
            except SyntaxError:
                return self._add(node, "expression")
            return False

        def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
            if isinstance(node.type, cst.Tuple) and not node.type.lpar:
                self._add(node.type, "expression")
            return True

        def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> bool:
            if isinstance(node.type, cst.Tuple) and not node.type.lpar:
                self._add(node.type, "expression")
            return True

    wrapper.visit(Finder())
    lines = text.split("\n")
    for where, kind in sorted(ranges, reverse=True):  # from the end: earlier ranges keep their columns
        _blank(lines, where, kind)
    return "\n".join(lines)


def _blank(lines: list[str], where: _Range, kind: str) -> None:
    """Replace a range by text of the same shape: `(____ ... )` (an expression) or spaces."""
    line, col, end_line, end_col = where
    first, last = lines[line - 1], lines[end_line - 1]
    if kind == "blank":
        if line != end_line:
            return  # a multi-line `[T]` cannot be blanked: `ast` will still refuse the file
        lines[line - 1] = first[:col] + " " * (end_col - col) + first[end_col:]
        return
    if line == end_line:
        width = end_col - col
        lines[line - 1] = first[:col] + ("(" + "_" * (width - 2) + ")" if width >= 3 else "_" * width) + first[end_col:]
        return
    lines[line - 1] = first[:col] + "(" + "_" * max(len(first) - col - 1, 1)
    for number in range(line, end_line - 1):
        lines[number] = ""
    lines[end_line - 1] = " " * (end_col - 1) + ")" + last[end_col:]
