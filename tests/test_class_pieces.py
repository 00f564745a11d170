"""Inside an edited top-level class LibCST parses only the body statements that hold an edit
(tenantlint/pieces.py): what `fix` writes must be byte for byte what the whole-module parse
writes, on the layouts that make a piece tricky, and a class edited in one statement must be
parsed as that statement alone."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from tenantlint import fixer
from tenantlint.config import Config
from tenantlint.edits import Settings
from tenantlint.engine import analyze
from tenantlint.findings import Edit, EditKind

SCHEMA, COMMENT = "tenant", "# Placeholder for schema_translate_map"
ARGS = f'__table_args__ = {{"schema": "tenant"}}  {COMMENT}'
HEAD = ("from sqlalchemy import Column, Enum, ForeignKey, Integer, MetaData, String, Table, UniqueConstraint\n"
        "from sqlalchemy.orm import DeclarativeBase, declared_attr\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\nmd = MetaData()\n\n\n"
        "class AutoName:\n    @declared_attr.directive\n    def __tablename__(cls):\n"
        "        return cls.__name__.lower()\n\n\n"
        'class User(Base):\n    __tablename__ = "users"\n    __table_args__ = {"schema": "tenant"}\n'
        "    id = Column(Integer, primary_key=True)\n\n\n")

CLASSES = {
    "plain": 'class A(Base):\n    __tablename__ = "a"\n    id = Column(Integer, primary_key=True)\n'
             '    owner_id = Column(ForeignKey("users.id"))\n',
    "decorated, multi-line header, docstring, comments": (
        '@some_decorator\nclass Order(\n    Base,  # the base\n):\n    """Orders."""\n\n    # the name\n'
        '    __tablename__ = "orders"\n    id = Column(Integer, primary_key=True)\n\n\n    # the owner\n'
        '    owner_id = Column(ForeignKey("users.id"))\n    # after\n'),
    "declared_attr tablename": ('class Fn(Base):\n    @declared_attr\n    def __tablename__(cls):\n'
                                '        return "fn"\n\n    id = Column(Integer, primary_key=True)\n'),
    "tablename shares a line": ('class S(Base):\n    a = 1; __tablename__ = "s"; b = 2\n'
                                '    id = Column(Integer, primary_key=True)\n'),
    "edit shares a line": ('class W(Base):\n    __tablename__ = "w"\n    __table_args__ = {"schema": "tenant"}\n'
                           '    id = Column(Integer, primary_key=True)\n'
                           '    ñame = Column(ForeignKey("users.id")); b = Column(String(20))  # café\n'),
    "only the anchor": 'class Only(Base):\n    __tablename__ = "only"\n',
    "docstring, no tablename": 'class Doc(AutoName, Base):\n    """Mapped by a mixin."""\n    id = Column(Integer, primary_key=True)\n',
    "no tablename, comment first": 'class C(AutoName, Base):\n    # id first\n    id = Column(Integer, primary_key=True)\n',
    "tuple table args": ('class T(Base):\n    __tablename__ = "t"\n    id = Column(Integer, primary_key=True)\n'
                         '    __table_args__ = (\n        UniqueConstraint("id"),\n    )\n'
                         '    owner_id = Column(ForeignKey("users.id"))\n'),
    "dict table args": ('class D(Base):\n    __tablename__ = "d"\n    __table_args__ = {"extend_existing": True}\n\n'
                        '    id = Column(Integer, primary_key=True)\n'),
    "nested class": ('class Outer(Base):\n    __tablename__ = "outer"\n    id = Column(Integer, primary_key=True)\n\n'
                     '    class Inner(Base):\n        __tablename__ = "inner"\n'
                     '        id = Column(Integer, primary_key=True)\n'
                     '        owner_id = Column(ForeignKey("users.id"))\n'),
    "suite body": 'class Suite(Base): __tablename__ = "suite"; id = Column(Integer, primary_key=True)\n',
    "edit in the header": ('@some_decorator\nclass H(\n    Base,\n    info=ForeignKey("users.id"),\n):\n'
                           '    __tablename__ = "h"\n    __table_args__ = {"schema": "tenant"}\n'
                           '    owner_id = Column(ForeignKey("users.id"))\n'),
    "suite after a backslash": 'class K(Base):\\\n    __tablename__ = "k"; owner_id = Column(ForeignKey("users.id"))\n',
    "header continued": 'class J\\\n    (Base): __tablename__ = "j"; owner_id = Column(ForeignKey("users.id"))\n',
    # Python reads both indents as one width; LibCST writes the second as the first
    "same width, other tabs": ('class M(Base):\n\t \t__tablename__ = "m"\n\t \tid = Column(Integer, primary_key=True)\n'
                               ' \t\towner_id = Column(ForeignKey("users.id"))\n'),
    "same width, other tabs, unedited": ('class N(Base):\n\t \t__tablename__ = "n"\n \t\tid = Column(Integer, primary_key=True)\n'
                                         '\t \towner_id = Column(ForeignKey("users.id"))\n'),
    "continued line": ('class B(Base):\n    __tablename__ = "b"\n    id = Column(Integer, primary_key=True)\n'
                       '    owner_id = \\\n        Column(ForeignKey("users.id"))\n'),
}
TABLE = '\n\nlines = Table("lines", md, Column("o", ForeignKey("users.id")), Column("k", Enum("x", name="k")))\n'
# the layouts LibCST may not be handed as pieces: the whole class is parsed instead
WHOLE_CLASS = {"suite body", "edit in the header", "no tablename, comment first", "suite after a backslash",
               "header continued", "same width, other tabs", "same width, other tabs, unedited"}


def _layouts() -> dict[str, bytes]:
    layouts = {}
    for name, text in CLASSES.items():
        module = HEAD + text + TABLE
        layouts[name] = module.encode()
        if name in ("plain", "decorated, multi-line header, docstring, comments", "tablename shares a line"):
            layouts[f"{name}, crlf"] = module.replace("\n", "\r\n").encode()
            layouts[f"{name}, bare cr"] = module.replace("\n", "\r").encode()
            layouts[f"{name}, no final newline"] = (HEAD + text.rstrip("\n")).encode()
            layouts[f"{name}, tabs"] = module.replace("    ", "\t").encode()
    layouts["all classes"] = (HEAD + "\n\n".join(CLASSES.values()) + TABLE).encode()
    return layouts


LAYOUTS = _layouts()


def _edits(tmp_path: Path, source: bytes) -> list:
    """The edits `fix --unsafe-fixes` plans, and a qualification of every `"users.id"` the rules
    leave alone (one in a class header: the fixer must make it wherever it is)."""
    path = tmp_path / "m.py"
    path.write_bytes(source)
    analysis = analyze([path], Config(root=tmp_path, tenant_paths=("**",)), use_cache=False, jobs=1)
    edits = [f.edit for f in analysis.findings if f.edit is not None and f.fixable(True)]
    planned = {(e.line, e.column) for e in edits}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value == "users.id":
            line = source.splitlines()[node.lineno - 1]
            column = len(line[: node.col_offset].decode())
            if (node.lineno, column) not in planned:
                edits.append(Edit(EditKind.QUALIFY_STRING, node.lineno, column, old='"users.id"',
                                  new='"tenant.users.id"'))
    return edits


def _whole_module(source: bytes, edits: list) -> bytes:
    fixed, pending = fixer._whole_module(cst.parse_module(source), fixer._Spots.of(edits), edits,
                                         Settings(SCHEMA, COMMENT))
    assert pending == {}
    return fixer._keep_ending(source, fixed.bytes)


def _parsed(monkeypatch, source: bytes, edits: list) -> tuple[bytes, list[bytes]]:
    """What apply_edits writes, and the texts it handed to libcst.parse_module."""
    seen, parse = [], cst.parse_module
    with monkeypatch.context() as patch:
        patch.setattr(cst, "parse_module", lambda text, *args: seen.append(text) or parse(text, *args))
        return fixer.apply_edits(source, edits, SCHEMA, COMMENT), seen


def _newline(source: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in source else b"\r" if b"\r" in source else b"\n"


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_fixing_by_pieces_writes_what_the_whole_module_parse_writes(layout, tmp_path, monkeypatch):
    source = LAYOUTS[layout]
    edits = _edits(tmp_path, source)
    class_name = next((n for n in CLASSES if layout == n or layout.startswith(n + ", ")), layout)
    whole = _whole_module(source, edits)
    fixed, parsed = _parsed(monkeypatch, source, edits)
    assert fixed == whole != source
    with monkeypatch.context() as patch:  # the top-level spans alone give it too
        patch.setattr(fixer, "_by_pieces", lambda *args: None)
        assert fixer.apply_edits(source, edits, SCHEMA, COMMENT) == whole
    stand_in = b"class _:" + _newline(source)
    pieces = [text for text in parsed if text.startswith(stand_in)]
    whole_classes = [text for text in parsed if text.startswith((b"class ", b"@")) and text not in pieces]
    if layout == "all classes":
        assert pieces and len(whole_classes) == len(WHOLE_CLASS)
    elif class_name in WHOLE_CLASS:
        assert len(whole_classes) == 1
    else:  # only pieces, and the module-level Table as a span of its own
        assert pieces and all(text in pieces or text.startswith(b"lines = ") for text in parsed)


def test_a_class_edited_in_one_statement_is_parsed_as_that_statement(tmp_path, monkeypatch):
    source = (HEAD + CLASSES["edit shares a line"]).encode()
    edits = _edits(tmp_path, source)
    assert [e.kind.name for e in edits] == ["QUALIFY_STRING"]
    fixed, parsed = _parsed(monkeypatch, source, edits)
    line = '    ñame = Column(ForeignKey("users.id")); b = Column(String(20))  # café\n'.encode()
    assert parsed == [b"class _:\n" + line]
    assert fixed == source.replace(b'"users.id"', b'"tenant.users.id"')


def test_the_class_assignment_lands_where_the_whole_body_puts_it(tmp_path, monkeypatch):
    source = (HEAD + CLASSES["decorated, multi-line header, docstring, comments"]).encode()
    edits = _edits(tmp_path, source)
    fixed, parsed = _parsed(monkeypatch, source, edits)
    assert parsed == [b'class _:\n    __tablename__ = "orders"\n',
                      b'class _:\n    owner_id = Column(ForeignKey("users.id"))\n']
    assert fixed == (HEAD + '@some_decorator\nclass Order(\n    Base,  # the base\n):\n    """Orders."""\n\n'
                     f'    # the name\n    __tablename__ = "orders"\n    {ARGS}\n'
                     '    id = Column(Integer, primary_key=True)\n\n\n    # the owner\n'
                     '    owner_id = Column(ForeignKey("tenant.users.id"))\n    # after\n').encode()


def test_a_class_without_tablename_gets_it_after_its_docstring_or_first(tmp_path, monkeypatch):
    for name, expected in (
        ("docstring, no tablename", 'class Doc(AutoName, Base):\n    """Mapped by a mixin."""\n'
                                    f'    {ARGS}\n    id = Column(Integer, primary_key=True)\n'),
        ("no tablename, comment first", f'class C(AutoName, Base):\n    {ARGS}\n    # id first\n'
                                        '    id = Column(Integer, primary_key=True)\n'),
    ):
        source = (HEAD + CLASSES[name]).encode()
        fixed, parsed = _parsed(monkeypatch, source, _edits(tmp_path, source))
        assert fixed == (HEAD + expected).encode()
        # after a comment the assignment goes above it: the piece would leave it below, so the
        # class is parsed whole
        assert parsed[0].startswith(b"class _:") == (name == "docstring, no tablename")
