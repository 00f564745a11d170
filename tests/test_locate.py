"""Edits are found statement by statement from the `ast` positions (tenantlint/locate.py): the
exact fixed source wherever the edited node sits, with positions computed for the edited
statements only; an edit the walk does not reach falls back to positions for the whole module."""

from __future__ import annotations

import pytest

from tenantlint import fixer
from tenantlint.findings import Edit, EditKind
from tenantlint.fixer import apply_edits
from tenantlint.safety import prove_edits

COMMENT = "# Placeholder for schema_translate_map"
ARGS = f'__table_args__ = {{"schema": "tenant"}}  {COMMENT}'


def qualify(source: str, line: int, table: str = "users") -> Edit:
    text = f'"{table}.id"'
    return Edit(EditKind.QUALIFY_STRING, line, source.splitlines()[line - 1].index(text),
                old=text, new=f'"tenant.{table}.id"')


def assignment(line: int, path: str) -> Edit:
    return Edit(EditKind.ADD_ASSIGNMENT, line, 0, old=path)


TABS = 'class A(Base):\n\t__tablename__ = "a"\n\towner = mapped_column(\n\t\tForeignKey("users.id"),\n\t)\n'
SUITE = 'class A(Base): owner = ForeignKey("users.id")\n'
TRY = ('try:\n    links = Table("links", metadata, Column("u", ForeignKey("users.id")))\n'
       'except ImportError:\n    pass\n')
NESTED = ('class Outer(Base):\n    __tablename__ = "outer"\n\n    class Inner(Base):\n'
          '        __tablename__ = "inner"\n        owner = mapped_column(ForeignKey("users.id"))\n')
DECORATED = ('# models\n\n\n@registry.mapped\n# the users\nclass A:\n    __tablename__ = "a"\n'
             '    owner = mapped_column(ForeignKey("users.id"))\n')
TUPLE = 'class A(Base):\n    __tablename__ = "a"\n    __table_args__ = (\n        UniqueConstraint("x"),\n    )\n'
WIDE = 'class A(Base):\n    __tablename__ = "a"\n    ñame = mapped_column(ForeignKey("users.id")); b = ForeignKey("orders.id")\n'
IN_FUNCTION = 'def make():\n    class A(Base):\n        __tablename__ = "a"\n    return A\n'
CRLF = TUPLE.replace("\n", "\r\n")

# name: (source, edits, fixed source)
CASES = {
    "tab indents, a call over lines": (TABS, [qualify(TABS, 4)], TABS.replace('"users', '"tenant.users')),
    "a class on one line": (SUITE, [qualify(SUITE, 1)], SUITE.replace('"users', '"tenant.users')),
    "inside try": (TRY, [qualify(TRY, 2)], TRY.replace('"users', '"tenant.users')),
    "a nested class": (
        NESTED, [assignment(4, "Outer.Inner"), qualify(NESTED, 6)],
        NESTED.replace('"inner"\n', f'"inner"\n        {ARGS}\n').replace('"users', '"tenant.users'),
    ),
    "a decorated class under comments": (
        DECORATED, [assignment(6, "A"), qualify(DECORATED, 8)],
        DECORATED.replace('"a"\n', f'"a"\n    {ARGS}\n').replace('"users', '"tenant.users'),
    ),
    "a tuple whose parenthesis opens the line": (
        TUPLE, [Edit(EditKind.APPEND_DICT, 3, TUPLE.splitlines()[2].index("("))],
        TUPLE.replace('"x"),\n', '"x"),\n        {"schema": "tenant"},\n'),
    ),
    "CRLF": (
        CRLF, [Edit(EditKind.APPEND_DICT, 3, TUPLE.splitlines()[2].index("("))],
        CRLF.replace('"x"),\r\n', '"x"),\r\n        {"schema": "tenant"},\r\n'),
    ),
    "a wide character, two statements on a line": (
        WIDE, [qualify(WIDE, 3), qualify(WIDE, 3, "orders")],
        WIDE.replace('"users', '"tenant.users').replace('"orders', '"tenant.orders'),
    ),
    "a class inside a function": (
        IN_FUNCTION, [assignment(2, "A")], IN_FUNCTION.replace('"a"\n', f'"a"\n        {ARGS}\n'),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_edit_is_found_statement_by_statement(name, monkeypatch):
    source, edits, fixed = CASES[name]

    def whole_module(*args):
        raise AssertionError("positions computed for the whole module")

    monkeypatch.setattr(fixer, "_whole_module", whole_module)
    new = apply_edits(source.encode(), edits, "tenant", COMMENT)
    assert new.decode() == fixed
    prove_edits(source.encode(), new, edits, "tenant")


def test_an_edit_in_a_class_header_falls_back_to_the_whole_module(monkeypatch):
    source = 'class A(Base, info=ForeignKey("users.id")):\n    __tablename__ = "a"\n'
    calls = []
    whole = fixer._whole_module
    monkeypatch.setattr(fixer, "_whole_module", lambda *args: calls.append(1) or whole(*args))
    new = apply_edits(source.encode(), [qualify(source, 1)], "tenant", COMMENT)
    assert new.decode() == source.replace('"users', '"tenant.users')
    assert calls == [1]


LINE = 'owner = Column(ForeignKey("users.id"), ForeignKey("orders.id"), info={"a": ("b", "users.id")})\n'
ONE_LINE = {
    "the second of two on a line": ([qualify(LINE, 1, "orders")], LINE.replace('"orders', '"tenant.orders')),
    "both of two on a line": ([qualify(LINE, 1), qualify(LINE, 1, "orders")],
                              LINE.replace('("users', '("tenant.users').replace('"orders', '"tenant.orders')),
}
NESTED_TUPLE = '__table_args__ = ((UniqueConstraint("x"),), Index("i", "x"))\n'


@pytest.mark.parametrize("name", list(ONE_LINE))
def test_a_one_line_statement_is_visited_only_where_its_edits_are(name, monkeypatch):
    """On one line, the transformer goes down only into nodes whose columns reach an edit: the
    other call and the `info` dict (which holds the same text as one edit) are not visited."""
    edits, fixed = ONE_LINE[name]
    visited = []
    real = fixer._Transformer.on_visit
    monkeypatch.setattr(fixer._Transformer, "on_visit", lambda self, node: real(self, node) and not visited.append(node))
    assert apply_edits(LINE.encode(), edits, "tenant", COMMENT).decode() == fixed
    strings = [n.value for n in visited if isinstance(n, fixer.cst.SimpleString)]
    assert strings == [e.old for e in sorted(edits, key=lambda e: e.column)]


def test_an_edit_at_a_parenthesis_inside_a_tuple_on_one_line_is_found():
    """A tuple's own "(" is outside its LibCST range: the inner tuple of `((A,), B)` starts there."""
    edit = Edit(EditKind.APPEND_DICT, 1, NESTED_TUPLE.index("(", 18))
    assert apply_edits(NESTED_TUPLE.encode(), [edit], "tenant", COMMENT).decode() == \
        '__table_args__ = ((UniqueConstraint("x"), {"schema": "tenant"}), Index("i", "x"))\n'
