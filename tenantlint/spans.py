"""Cut a module into the top-level statements that hold an edit, so LibCST parses only those:
parsing a whole 50,000-line module to add one line costs seconds, its edited classes milliseconds.

A span is whole lines, from a statement's first decorator to its last line, widened over the
statements after it that share its last line (`a = 1; b = 2`). LibCST round-trips a span byte
for byte; the one thing it would have read from the whole module, the newline of the text an
edit adds, is taken from the whole file and passed in. A file not in UTF-8 without a BOM (the
span would lose what its coding cookie or BOM says) returns None, and so does a span LibCST does
not parse alone: the caller then parses the whole module."""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

import libcst as cst

from tenantlint.facts import source_encoding
from tenantlint.facts.syntax import first_line

_LINE_END = re.compile(rb"\r\n?|\n")  # LibCST's own default-newline detection


@dataclass(frozen=True)
class Span:
    first: int  # 1-based line, inclusive
    last: int
    nodes: list[ast.stmt]


def spans(source: bytes, tree: ast.Module, lines: list[int]) -> list[Span] | None:
    """The spans holding the edits at `lines` (sorted), in order; None when the file must be parsed whole."""
    if source_encoding(source) != "utf-8":  # a BOM reads as "utf-8-sig"
        return None
    out: list[Span] = []
    for first, last, nodes in statement_groups(tree.body):
        at = bisect.bisect_left(lines, first)
        if at < len(lines) and lines[at] <= last:
            out.append(Span(first, last, nodes))
    return out


def statement_groups(body: list[ast.stmt]) -> list[tuple[int, int, list[ast.stmt]]]:
    """The statements of a block as LibCST sees them: (first line, last line, the `ast`
    statements), those that share a line (`a = 1; b = 2`) together."""
    out: list[tuple[int, int, list[ast.stmt]]] = []
    for node in body:
        first, last = first_line(node), node.end_lineno or node.lineno
        if out and out[-1][1] >= first:  # shares a line with the statement before it
            start, end, nodes = out.pop()
            out.append((start, max(end, last), [*nodes, node]))
        else:
            out.append((first, last, [node]))
    return out


def parser_config(source: bytes) -> cst.PartialParserConfig:
    ending = _LINE_END.search(source)
    return cst.PartialParserConfig(encoding="utf-8", default_newline=ending.group().decode() if ending else "\n")
