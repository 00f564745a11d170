"""NAMING_CONVENTION: a `MetaData(...)` call gets the naming-convention entries that keep its
index and constraint names once the tables get the schema (TNT010): `naming_convention={...}` as
its last argument, or the entries set in the `naming_convention` dict literal it already has."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.edits._ast import literal
from tenantlint.edits._kind import EditSpec, FixError, Pairs, Settings, UnsafeFix
from tenantlint.edits._libcst import append_arg, append_item, quote_of, string
from tenantlint.facts.syntax import literal_value
from tenantlint.findings import Edit, EditKind


def _key(element: cst.BaseDictElement) -> str | None:
    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
        return element.key.evaluated_value
    return None


def _merge(node: cst.Dict, entries: dict[str, str]) -> cst.Dict:
    quote = quote_of(node)
    elements = list(node.elements)
    trailing = node.rbrace.whitespace_before
    for key, value in entries.items():
        index = next((i for i, e in enumerate(elements) if _key(e) == key), None)
        if index is not None:  # the label template is replaced in place, its comma and layout kept
            elements[index] = elements[index].with_changes(value=string(value, quote))
        else:
            new = cst.DictElement(string(key, quote), string(value, quote))
            elements, trailing = append_item(elements, new, node.lbrace.whitespace_after, trailing)
    return node.with_changes(elements=elements, rbrace=node.rbrace.with_changes(whitespace_before=trailing))


def apply(node: cst.Call, edit: Edit, settings: Settings) -> cst.Call:
    entries = literal(edit.new)
    for index, arg in enumerate(node.args):
        if arg.keyword is not None and arg.keyword.value == "naming_convention":
            if not isinstance(arg.value, cst.Dict):
                raise FixError(f"line {edit.line}: `naming_convention=` is not a dict literal")
            args = list(node.args)
            args[index] = arg.with_changes(value=_merge(arg.value, entries))
            return node.with_changes(args=args)
    quote = quote_of(node)
    value = cst.Dict([cst.DictElement(string(k, quote), string(v, quote)) for k, v in entries.items()])
    arg = cst.Arg(value=value, keyword=cst.Name("naming_convention"),
                  equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
    return append_arg(node, arg)


def _convention(call: ast.Call) -> tuple[int, dict | None]:
    for index, keyword in enumerate(call.keywords):
        if keyword.arg == "naming_convention":
            try:
                return index, literal_value(keyword.value)
            except ValueError:
                return index, None
    return -1, None


def expect(old: ast.Call, new: ast.AST, edit: Edit, schema: str) -> Pairs:
    entries = literal(edit.new)
    where = f"line {old.lineno}"
    if not isinstance(new, ast.Call):
        raise UnsafeFix(f"{where}: the MetaData call is gone")
    index, before = _convention(old)
    new_index, after = _convention(new)
    if index < 0:
        if new_index != len(new.keywords) - 1 or after != entries:
            raise UnsafeFix(f"{where}: the call did not get `naming_convention={edit.new}` as its last keyword")
        return [(old.func, new.func, ""), (old.args, new.args, f"{where}: call arguments"),
                (old.keywords, new.keywords[:-1], f"{where}: call keywords")]
    if new_index != index or before is None or after != {**before, **entries}:
        raise UnsafeFix(f"{where}: `naming_convention` did not get exactly the planned entries")
    others = old.keywords[:index] + old.keywords[index + 1:]
    return [(old.func, new.func, ""), (old.args, new.args, f"{where}: call arguments"),
            (others, new.keywords[:index] + new.keywords[index + 1:], f"{where}: call keywords")]


SPEC = EditSpec(EditKind.NAMING_CONVENTION, (cst.Call,), (ast.Call,), apply, expect)
