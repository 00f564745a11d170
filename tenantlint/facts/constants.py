"""Module-level string constants and the references built from them (`ForeignKey(USER_ID)`,
`f"{TABLE}.id"`, `PREFIX + "users"`): what a reference is when it is not a literal."""

from __future__ import annotations

import ast
import re
from collections import Counter

from tenantlint.facts.source import raw_literal
from tenantlint.facts.syntax import dotted
from tenantlint.facts.table_args import Span, TableArgs, through_constant
from tenantlint.facts.types import CONSTANT_OF, Constant


_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


def template(node: ast.expr) -> tuple[str, tuple[str, ...]] | None:
    """A string built from literals and names (`NAME`, `mod.NAME`, `"a" + B`, `f"{A}.id"`):
    the text with CONSTANT_OF marks, and the names. None for anything else."""
    if isinstance(node, ast.Constant):
        return (node.value, ()) if isinstance(node.value, str) else None
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = dotted(node)
        return (CONSTANT_OF, (name,)) if name else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = template(node.left), template(node.right)
        if left is None or right is None:
            return None
        return left[0] + right[0], left[1] + right[1]
    if isinstance(node, ast.JoinedStr):
        text, names = [], []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text.append(part.value)
            elif isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None \
                    and isinstance(part.value, (ast.Name, ast.Attribute)) and dotted(part.value):
                text.append(CONSTANT_OF)
                names.append(dotted(part.value))
            else:
                return None
        return "".join(text), tuple(names)
    return None


def _is_string_expression(node: ast.expr) -> bool:
    """A literal string, or text put together from parts (not a bare name: it may be an object)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, (ast.JoinedStr, ast.BinOp))


class Constants:
    """The string constants a module's top-level statements define."""

    def __init__(self, source: str, lines: list[str]):
        self.source, self.lines = source, lines
        self.found: dict[str, Constant] = {}
        self.dicts: dict[str, tuple[ast.Dict, int]] = {}  # module-level dict literals, with their uses
        self._names: Counter[str] | None = None

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            return
        if isinstance(target, ast.Name) and isinstance(value, ast.Dict):
            self.dicts[target.id] = (value, self._uses(target.id))
        if not isinstance(target, ast.Name) or not _is_string_expression(value):
            return
        built = template(value)
        if built is None:
            return
        raw = raw_literal(self.lines, value) if isinstance(value, ast.Constant) else None
        self.found[target.id] = Constant(built[0], built[1], Span.of(value), raw, self._uses(target.id))

    def _uses(self, name: str) -> int:
        # a conservative count (comments and strings count too): a single use is only ever
        # claimed when there is no other mention of the name in the module. One pass over the
        # text for all names, the first time a constant asks.
        if self._names is None:
            self._names = Counter(_NAME.findall(self.source))
        return self._names[name] - 1

    def table_args(self, value: ast.expr) -> TableArgs | None:
        """`NAME` or `(Index(...), NAME)` with NAME a module-level dict literal of this module."""
        last = value.elts[-1] if isinstance(value, ast.Tuple) and value.elts else value
        if isinstance(last, ast.Name) and last.id in self.dicts:
            return through_constant(value, last.id, *self.dicts[last.id])
        return None

    def local_value(self, node: ast.expr) -> str | None:
        """The value of a `NAME` of this module defined above, when it needs no other module."""
        if isinstance(node, ast.Name) and node.id in self.found:
            constant = self.found[node.id]
            return constant.value if not constant.names else None
        return None
