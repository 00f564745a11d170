"""Issue 11 item 7: `__table_args__ = (Index(...), _DEFAULT_TABLE_ARGS)` with a module-level dict."""

from __future__ import annotations

from conftest import run_tenantlint, write_tree
from sqla_probe import sqlalchemy_says

PYPROJECT = '[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n'
SOURCE = '''\
from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlalchemy.orm import DeclarativeBase

_DEFAULT_TABLE_ARGS = {"mysql_engine": "InnoDB"}
_SHARED_ARGS = {"mysql_engine": "InnoDB"}


class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "parent"
    __table_args__ = (Index("ix_parent_id", "id"), _DEFAULT_TABLE_ARGS)
    id = Column(Integer, primary_key=True)


class Child(Base):
    __tablename__ = "child"
    __table_args__ = _SHARED_ARGS
    id = Column(Integer, primary_key=True)
    parent_id = Column(ForeignKey("parent.id"))


class Other(Base):
    __tablename__ = "other"
    __table_args__ = (Index("ix_other_id", "id"), _SHARED_ARGS)
    id = Column(Integer, primary_key=True)
'''


def test_a_dict_constant_is_resolved_merged_when_sole_user_else_reported(tmp_path):
    root = write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models/__init__.py": "",
                                 "app/models/user/__init__.py": "", "app/models/user/m.py": SOURCE})
    shared = ("has no tenant schema; its `__table_args__` uses `_SHARED_ARGS`, which other code uses too: write "
              '`{**_SHARED_ARGS, "schema": "tenant"}` in its place\n')
    assert run_tenantlint("check", ".", cwd=root, in_process=True).stdout == (
        "app/models/user/m.py:12:7: TNT001 Model `Parent` has no tenant schema [*]\n"
        f"app/models/user/m.py:18:7: TNT001 Model `Child` {shared}"
        "app/models/user/m.py:22:35: TNT005 Reference `parent.id` names tenant table `parent` without the "
        "`tenant.` schema [*]\n"
        f"app/models/user/m.py:25:7: TNT001 Model `Other` {shared}"
        "Found 4 problems (2 fixable with `tenantlint fix`).\n"
    )
    assert run_tenantlint("fix", ".", cwd=root, in_process=True).exit_code == 1
    text = (root / "app/models/user/m.py").read_text()
    assert text == SOURCE.replace('_DEFAULT_TABLE_ARGS = {"mysql_engine": "InnoDB"}',
                                  '_DEFAULT_TABLE_ARGS = {"mysql_engine": "InnoDB", "schema": "tenant"}').replace(
        'ForeignKey("parent.id")', 'ForeignKey("tenant.parent.id")')
    checked = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (checked.exit_code, checked.stdout) == (1, (
        f"app/models/user/m.py:18:7: TNT001 Model `Child` {shared}"
        f"app/models/user/m.py:25:7: TNT001 Model `Other` {shared}"
        "Found 2 problems (0 fixable with `tenantlint fix`).\n"
    ))
    assert sqlalchemy_says(root, "app.models.user.m") == "ok"
    # what the message asks for, done by hand, is accepted by SQLAlchemy and settles the models
    (root / "app/models/user/m.py").write_text(text.replace(
        "__table_args__ = _SHARED_ARGS", '__table_args__ = {**_SHARED_ARGS, "schema": "tenant"}').replace(
        '_SHARED_ARGS)', '{**_SHARED_ARGS, "schema": "tenant"})'))
    assert run_tenantlint("check", ".", cwd=root, in_process=True).stdout == "All checks passed!\n"
    assert sqlalchemy_says(root, "app.models.user.m") == "ok"
