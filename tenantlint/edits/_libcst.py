"""LibCST helpers the edit kinds share: append to a sequence in the whitespace it already
uses, and write strings in the quotes the code around them uses."""

from __future__ import annotations

import json

import libcst as cst


def _strip_comment(ws):
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace())
    return ws


def _layout_of(ws):
    """The line break and indentation of `ws`, without the comments and blank lines it holds:
    those belong to the item they stand above, and a copy would repeat them."""
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return ws


def _separator(previous_comma, opener_ws):
    """The whitespace the sequence already uses between its items."""
    if isinstance(previous_comma, cst.Comma):
        return _layout_of(previous_comma.whitespace_after)
    if isinstance(opener_ws, cst.ParenthesizedWhitespace):
        return _layout_of(opener_ws)
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


def quote_of(node: cst.CSTNode | None, default: str = '"') -> str:
    """The quote character of the first plain string under `node`: new strings match it."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop(0)
        if isinstance(current, cst.SimpleString):
            return current.quote[0]
        stack.extend(current.children)
    return default


def string(text: str, quote: str) -> cst.SimpleString:
    """`text` as a string literal in `quote`s (json's escaping, which Python reads the same)."""
    literal = json.dumps(text)
    if quote == "'":
        literal = "'" + literal[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"
    return cst.SimpleString(literal)


def schema_dict(schema: str, quote: str) -> cst.Dict:
    """`{"schema": "tenant"}` in `quote`s."""
    return cst.Dict([cst.DictElement(string("schema", quote), string(schema, quote))])
