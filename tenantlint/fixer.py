"""Apply the rules' edits with LibCST: the tree is edited, never the text, so everything the
edit does not touch (comments, quotes, commas, layout) is written back byte for byte."""

from __future__ import annotations

import json
import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from tenantlint.findings import Edit, EditKind


class FixError(Exception):
    """An edit could not be applied as planned; the file is left untouched."""


def _strip_comment(ws):
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace())
    return ws


def _separator(previous_comma, opener_ws):
    """The whitespace the sequence already uses between its items."""
    if isinstance(previous_comma, cst.Comma):
        return _strip_comment(previous_comma.whitespace_after)
    if isinstance(opener_ws, cst.ParenthesizedWhitespace):
        return _strip_comment(opener_ws)
    return cst.SimpleWhitespace(" ")


def _place(separator, trailing):
    """Whitespace after the old last item, and the new trailing whitespace before the closer.

    Multi-line (the closer on its own line): the new item gets a line of its own and a comment
    that followed the old last item stays on that item's line.
    """
    if isinstance(separator, cst.ParenthesizedWhitespace) and isinstance(trailing, cst.ParenthesizedWhitespace):
        return separator.with_changes(first_line=trailing.first_line), _strip_comment(trailing)
    return separator, trailing


def append_item(items, new_item, opener_ws, trailing, one_tuple=False):
    """Append to a Tuple's or a Dict's elements: returns (items, new trailing whitespace).

    `one_tuple`: the items are a tuple's; the comma after a single element on one line only
    made it a tuple (`(A,)`), so the new last element does not take it over: `(A, {...})`."""
    items = list(items)
    if not items:
        return [new_item], trailing
    last = items[-1]
    previous = items[-2].comma if len(items) > 1 else None
    separator = _separator(previous, opener_ws)
    after_last, trailing = _place(separator, trailing)
    needed_only_for_a_tuple = one_tuple and len(items) == 1 and isinstance(separator, cst.SimpleWhitespace)
    if isinstance(last.comma, cst.Comma) and needed_only_for_a_tuple:
        items[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=after_last))
    elif isinstance(last.comma, cst.Comma):
        items[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=after_last))
        new_item = new_item.with_changes(comma=cst.Comma(whitespace_after=last.comma.whitespace_after))
    else:
        items[-1] = last.with_changes(comma=cst.Comma(whitespace_after=after_last))
    return items + [new_item], trailing


def append_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """Append a keyword argument; the whitespace before `)` lives inside the last argument."""
    args = list(call.args)
    if not args:
        return call.with_changes(args=[arg])
    last = args[-1]
    previous = args[-2].comma if len(args) > 1 else None
    separator = _separator(previous, call.whitespace_before_args)
    if isinstance(last.comma, cst.Comma):
        after_last, trailing = _place(separator, last.comma.whitespace_after)
        args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=after_last))
        arg = arg.with_changes(comma=cst.Comma(whitespace_after=trailing))
    else:
        after_last, trailing = _place(separator, last.whitespace_after_arg)
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=after_last), whitespace_after_arg=cst.SimpleWhitespace(""))
        arg = arg.with_changes(whitespace_after_arg=trailing)
    return call.with_changes(args=args + [arg])


def _quote_of(node: cst.CSTNode | None, default: str = '"') -> str:
    """The quote character of the first plain string under `node`: new strings match it."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop(0)
        if isinstance(current, cst.SimpleString):
            return current.quote[0]
        stack.extend(current.children)
    return default


def _string(text: str, quote: str) -> cst.SimpleString:
    """`text` as a string literal in `quote`s (json's escaping, which Python reads the same)."""
    literal = json.dumps(text)
    if quote == "'":
        literal = "'" + literal[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"
    return cst.SimpleString(literal)


def _is_assignment_to(stmt: cst.CSTNode, name: str) -> bool:
    if isinstance(stmt, cst.FunctionDef):
        return stmt.name.value == name
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        targets = []
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, cst.AnnAssign):
            targets = [small.target]
        if any(isinstance(t, cst.Name) and t.value == name for t in targets):
            return True
    return False


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


class _Transformer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, edits: list[Edit], schema: str, comment: str):
        super().__init__()
        self.schema = schema
        self.comment = comment
        self.pending = {(e.line, e.column, e.kind): e for e in edits}
        self.class_stack: list[str] = []

    def _args_dict(self, quote: str) -> cst.Dict:
        return cst.Dict([cst.DictElement(_string("schema", quote), _string(self.schema, quote))])

    def _take(self, node: cst.CSTNode, *kinds: EditKind) -> Edit | None:
        # `ast` places a parenthesised tuple at its "(", LibCST at its first element
        anchor = node.lpar[0] if isinstance(node, cst.Tuple) and node.lpar else node
        start = self.get_metadata(PositionProvider, anchor).start
        for kind in kinds:
            edit = self.pending.pop((start.line, start.column, kind), None)
            if edit is not None:
                return edit
        return None

    # -- a plain assignment in the class body
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_stack.append(node.name.value)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        path = ".".join(self.class_stack)
        self.class_stack.pop()
        line = self.get_metadata(PositionProvider, original.name).start.line
        edit = next(
            (e for k, e in self.pending.items() if k[2] is EditKind.ADD_ASSIGNMENT and e.old == path and e.line == line),
            None,
        )
        if edit is None:
            return updated
        del self.pending[(edit.line, edit.column, edit.kind)]
        body = updated.body
        tablename = next((s for s in getattr(body, "body", ()) if _is_assignment_to(s, "__tablename__")), None)
        args = cst.Module([]).code_for_node(self._args_dict(_quote_of(tablename)))
        assignment = f"__table_args__ = {args}"
        if isinstance(body, cst.SimpleStatementSuite):  # `class A(Base): __tablename__ = "a"`
            small = cst.parse_statement(assignment + "\n").body[0]
            return updated.with_changes(body=body.with_changes(body=[*body.body, small]))
        statements = list(body.body)
        index = next((i + 1 for i, s in enumerate(statements) if _is_assignment_to(s, "__tablename__")), None)
        if index is None:
            index = 1 if statements and _is_docstring(statements[0]) else 0
        statements.insert(index, cst.parse_statement(f"{assignment}  {self.comment}\n"))
        return updated.with_changes(body=body.with_changes(body=statements))

    # -- the value of `__table_args__`
    def leave_Tuple(self, original: cst.Tuple, updated: cst.Tuple) -> cst.BaseExpression:
        if self._take(original, EditKind.APPEND_DICT) is None:
            return updated
        element = cst.Element(self._args_dict(_quote_of(updated)))
        if not updated.elements:
            return updated.with_changes(elements=[element.with_changes(comma=cst.Comma())])
        if updated.lpar:
            opener, trailing = updated.lpar[0].whitespace_after, updated.rpar[0].whitespace_before
            items, trailing = append_item(updated.elements, element, opener, trailing, one_tuple=True)
            rpar = [updated.rpar[0].with_changes(whitespace_before=trailing), *updated.rpar[1:]]
            return updated.with_changes(elements=items, rpar=rpar)
        items, _ = append_item(
            updated.elements, element, cst.SimpleWhitespace(" "), cst.SimpleWhitespace(""), one_tuple=True
        )
        return updated.with_changes(elements=items)

    def leave_Dict(self, original: cst.Dict, updated: cst.Dict) -> cst.BaseExpression:
        if self._take(original, EditKind.MERGE_KEY) is None:
            return updated
        quote = _quote_of(updated)
        element = cst.DictElement(_string("schema", quote), _string(self.schema, quote))
        items, trailing = append_item(
            updated.elements, element, updated.lbrace.whitespace_after, updated.rbrace.whitespace_before
        )
        return updated.with_changes(elements=items, rbrace=updated.rbrace.with_changes(whitespace_before=trailing))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        edit = self._take(original, EditKind.REPLACE_ARGS, EditKind.REPLACE_SCHEMA)
        if edit is None:
            return updated
        if edit.kind is EditKind.REPLACE_ARGS:
            return self._args_dict('"')
        return _string(self.schema, '"')  # `None` becomes the placeholder

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        edit = self._take(original, EditKind.QUALIFY_STRING, EditKind.REPLACE_SCHEMA)
        if edit is None:
            return updated
        if edit.kind is EditKind.REPLACE_SCHEMA:
            return _string(self.schema, updated.quote[0])
        if updated.value != edit.old:
            raise FixError(f"line {edit.line}: expected {edit.old}, found {updated.value}")
        return updated.with_changes(value=edit.new)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        edit = self._take(original, EditKind.ADD_KEYWORD)
        if edit is None:
            return updated
        arg = cst.Arg(
            value=_string(self.schema, _quote_of(updated)),
            keyword=cst.Name("schema"),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        return append_arg(updated, arg)


def apply_edits(source: bytes, edits: list[Edit], schema: str, comment: str) -> bytes:
    """The fixed source; raises FixError if an edit finds no node where it expected one,
    or libcst.ParserSyntaxError if the source does not parse."""
    module = cst.parse_module(source)
    transformer = _Transformer(edits, schema, comment)
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
