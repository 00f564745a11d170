"""LibCST parses only the top-level statements that hold an edit (tenantlint/spans.py): what `fix`
writes must be byte for byte what the whole-module parse writes, on the layouts that make a span
tricky (shared lines, line endings, decorators, a last line without newline, a coding cookie)."""

from __future__ import annotations

from pathlib import Path

import pytest

import tenantlint.fixer as fixer
from conftest import run_tenantlint

BASE = "from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table\nfrom sqlalchemy.orm import DeclarativeBase\n"
HEAD = BASE + "\n\nclass Base(DeclarativeBase):\n    pass\n\n\nmd = MetaData()\n"
CLASS = 'class Order(Base):\n    __tablename__ = "orders"\n    id = Column(Integer, primary_key=True)\n'

LAYOUTS = {
    "plain": HEAD + "\n\n" + CLASS,
    "shared line": HEAD + 'x = 1; t = Table("lines", md, Column("o", ForeignKey("orders.id")))\n\n\n' + CLASS,
    "shared end": HEAD + 't = Table("lines", md, Column("o", ForeignKey("orders.id"))); y = 2\n\n\n' + CLASS,
    "crlf": (HEAD + "\n\n" + CLASS).replace("\n", "\r\n"),
    "bare cr": (HEAD + "\n\n" + CLASS).replace("\n", "\r"),
    "no final newline": HEAD + "\n\n" + CLASS.rstrip("\n"),
    "decorated, comments around": HEAD + "\n\n# before\n@some_decorator\n" + CLASS + "# after\n",
    "tab indent": HEAD.replace("    pass", "\tpass") + "\n\n" + CLASS.replace("    ", "\t"),
    "byte order mark": "\ufeff" + HEAD + "\n\n" + CLASS,
    "coding cookie": "# -*- coding: latin-1 -*-\n" + HEAD + "\n\n" + CLASS.replace('"orders"', '"orders"  # caf\xe9'),
}


def _fix(root: Path, source: str, whole: bool, monkeypatch) -> tuple[int, str, bytes]:
    (root / "pyproject.toml").write_text('[tool.tenantlint]\ntenant-paths = ["m.py"]\n', encoding="utf-8")
    encoding = "latin-1" if "coding: latin-1" in source else "utf-8"
    path = root / "m.py"
    path.write_bytes(source.encode(encoding))
    original, used = fixer._by_spans, []
    with monkeypatch.context() as patch:
        patch.setattr(fixer, "_by_spans", lambda *args: used.append(1) or (None if whole else original(*args)))
        result = run_tenantlint("fix", "--no-cache", "--unsafe-fixes", "m.py", cwd=root, in_process=True)
    assert used == [1] and result.stderr == ""
    return result.exit_code, result.stdout, path.read_bytes()


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_fixing_by_spans_writes_what_the_whole_module_parse_writes(layout, tmp_path, monkeypatch):
    source = LAYOUTS[layout]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    by_spans = _fix(tmp_path / "a", source, False, monkeypatch)
    whole = _fix(tmp_path / "b", source, True, monkeypatch)
    assert by_spans == whole
    assert by_spans[0] == 0 and by_spans[1].startswith("Fixed ")
    assert b'__table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map' in by_spans[2]


def test_a_span_is_the_edited_statement_and_what_shares_its_lines():
    import ast

    from tenantlint.spans import spans

    source = LAYOUTS["shared end"].encode()
    tree = ast.parse(source)
    table_line = next(n.lineno for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "t")
    class_line = next(n.lineno for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Order")
    found = spans(source, tree, [table_line, class_line + 1])
    assert [(s.first, s.last, len(s.nodes)) for s in found] == [(table_line, table_line, 2), (class_line, class_line + 2, 1)]
    # the statement before it on its line too (`x = 1; t = Table(...)`): LibCST reads the line as one statement
    shared = LAYOUTS["shared line"].encode()
    assert [(s.first, s.last, len(s.nodes)) for s in spans(shared, ast.parse(shared), [table_line])] == \
        [(table_line, table_line, 2)]
    for layout, encoding in (("coding cookie", "latin-1"), ("byte order mark", "utf-8")):
        other = LAYOUTS[layout].encode(encoding)
        assert spans(other, ast.parse(other), [class_line]) is None
