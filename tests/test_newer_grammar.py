"""Issue 11 item 11: valid Python of a newer grammar than the running interpreter's `ast` is read
through LibCST; TNT000 only for what LibCST cannot parse either."""

from __future__ import annotations

import sys

import pytest

from conftest import run_tenantlint, write_tree

PYPROJECT = '[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n'

MODELS = '''\
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import DeclarativeBase

type Ident = int


class Base(DeclarativeBase):
    pass


class Parent[T](Base):
    __tablename__ = "parent"
    id = Column(Integer, primary_key=True)


class Child(Base):
    __tablename__ = "child"
    id = Column(Integer, primary_key=True)
    parent_id = Column(ForeignKey("parent.id"))
    label = f"{"child"}"


try:
    pass
except ValueError, TypeError:
    pass
'''

newer = pytest.mark.skipif(sys.version_info >= (3, 14), reason="this interpreter's ast reads the newer grammar itself")


def _project(tmp_path, files):
    return write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models/__init__.py": "",
                                 "app/models/user/__init__.py": "", **files})


@newer
def test_a_newer_grammar_file_is_checked_with_exact_positions(tmp_path):
    root = _project(tmp_path, {"app/models/user/m.py": MODELS})
    done = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (done.exit_code, done.stdout) == (1, (
        "app/models/user/m.py:11:7: TNT001 Model `Parent` has no tenant schema [*]\n"
        "app/models/user/m.py:16:7: TNT001 Model `Child` has no tenant schema [*]\n"
        "app/models/user/m.py:19:35: TNT005 Reference `parent.id` names tenant table `parent` without the "
        "`tenant.` schema [*]\n"
        "Found 3 problems (3 fixable with `tenantlint fix`).\n"
    ))


@newer
def test_a_newer_grammar_base_module_is_resolved_from_another_module(tmp_path):
    root = _project(tmp_path, {
        "app/db.py": "from sqlalchemy.orm import DeclarativeBase\n\ntype Ident = int\n\n\n"
                     "class Base(DeclarativeBase):\n    pass\n",
        "app/models/user/m.py": "from sqlalchemy import Column, Integer\n\nfrom app.db import Base\n\n\n"
                                "class Thing(Base):\n    __tablename__ = 'things'\n"
                                "    id = Column(Integer, primary_key=True)\n",
    })
    done = run_tenantlint("check", "app/models", cwd=root, in_process=True)
    assert (done.exit_code, done.stdout) == (1, (
        "app/models/user/m.py:6:7: TNT001 Model `Thing` has no tenant schema [*]\n"
        "Found 1 problem (1 fixable with `tenantlint fix`).\n"
    ))


def test_what_libcst_cannot_parse_either_is_tnt000(tmp_path):
    root = _project(tmp_path, {"app/models/user/m.py": "class Broken(:\n    pass\n"})
    done = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (done.exit_code, done.stdout) == (2, (
        "app/models/user/m.py:1:14: TNT000 syntax error: invalid syntax\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"
    ))


@pytest.mark.parametrize(("source", "expected"), [
    ("type X = int\n", "(__________)\n"),
    ('x = ForeignKey(f"{"a"}.id")\n', "x = ForeignKey((_________))\n"),
    ("try:\n    pass\nexcept A, B:\n    pass\n", "try:\n    pass\nexcept (__):\n    pass\n"),
    ("class C[T](Base):\n    x = 1\n", "class C   (Base):\n    x = 1\n"),
    ("type Y = (\n  int\n  | str)\nz = 1\n", "(_________\n\n       )\nz = 1\n"),
    ("x = (\n", None),
])
def test_the_stand_in_keeps_every_other_line_and_column(source, expected):
    from tenantlint.facts.newer_grammar import stand_in

    assert stand_in(source) == expected
