"""Apply the rules' edits with LibCST: the tree is edited, never the text, so everything the
edit does not touch (comments, quotes, commas, layout) is written back byte for byte. Each
edit kind's change lives in `edits/`; this module finds the node each edit names."""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from tenantlint.edits import BY_LIBCST_TYPE, SPECS, FixError, Settings
from tenantlint.findings import Edit

__all__ = ["FixError", "apply_edits"]


class _Transformer(cst.CSTTransformer):
    """Hands each node an edit names to that edit's kind (Fixit's `apply_replacements`)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, edits: list[Edit], settings: Settings):
        super().__init__()
        self.settings = settings
        self.pending = {SPECS[e.kind].key(e): e for e in edits}
        self.class_stack: list[str] = []

    def _where(self, node: cst.CSTNode) -> tuple:
        """The place an edit names: a class's line and dotted path, any other node's start."""
        if isinstance(node, cst.ClassDef):
            return self.get_metadata(PositionProvider, node.name).start.line, ".".join(self.class_stack)
        # `ast` places a parenthesised tuple at its "(", LibCST at its first element
        anchor = node.lpar[0] if isinstance(node, cst.Tuple) and node.lpar else node
        start = self.get_metadata(PositionProvider, anchor).start
        return start.line, start.column

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.ClassDef):
            self.class_stack.append(node.name.value)
        return True

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        specs = BY_LIBCST_TYPE.get(type(original))
        if specs:
            where = self._where(original)
            for spec in specs:
                edit = self.pending.pop((spec.kind, *where), None)
                if edit is not None:
                    updated = spec.apply(updated, edit, self.settings)
                    break
        if isinstance(original, cst.ClassDef):
            self.class_stack.pop()
        return updated


def apply_edits(source: bytes, edits: list[Edit], schema: str, comment: str) -> bytes:
    """The fixed source; raises FixError if an edit finds no node where it expected one,
    or libcst.ParserSyntaxError if the source does not parse."""
    module = cst.parse_module(source)
    transformer = _Transformer(edits, Settings(schema, comment))
    fixed = MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer)  # freshly parsed: no copy needed
    if transformer.pending:
        missing = ", ".join(f"{e.kind.value} at line {e.line}" for e in transformer.pending.values())
        raise FixError(f"could not apply: {missing}")
    result = fixed.bytes
    # LibCST drops the final newline of a file that ends lines with a bare "\r"
    ending = re.search(rb"(\r\n|\r|\n)\Z", source)
    if ending and not result.endswith((b"\n", b"\r")):
        result += ending.group(1)
    return result
