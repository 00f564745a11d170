"""Source pairs for every edit form (like pyupgrade's tests): the exact fixed text, and no-op
cases whose output equals the input."""

from __future__ import annotations

import textwrap

import pytest

from tenantlint.config import Config
from tenantlint.engine import analyze
from tenantlint.fix_plan import plan

HEAD = textwrap.dedent(
    '''
    from typing import ClassVar

    from sqlalchemy import Column, Enum, ForeignKey, Index, Integer, String, Table, UniqueConstraint
    from sqlalchemy.orm import DeclarativeBase


    class Base(DeclarativeBase):
        pass


    '''
).lstrip("\n")


def _fix(tmp_path, body: str, unsafe: bool = False) -> str:
    path = tmp_path / "models" / "user" / "m.py"
    path.parent.mkdir(parents=True)
    source = HEAD + textwrap.dedent(body).lstrip("\n")
    path.write_text(source, encoding="utf-8")
    fixes = plan(analyze([tmp_path], Config(root=tmp_path)), unsafe)
    assert [f.error for f in fixes] == [None] * len(fixes)
    result = fixes[0].new.decode() if fixes else source
    return result[len(HEAD):]


CASES = {
    "assignment after __tablename__": (
        '''
        class A(Base):
            __tablename__ = "a"
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "tabs stay tabs": (
        'class A(Base):\n\t__tablename__ = "a"\n\tid = Column(Integer, primary_key=True)\n',
        'class A(Base):\n\t__tablename__ = "a"\n\t__table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n'
        "\tid = Column(Integer, primary_key=True)\n",
    ),
    "one-element tuple: its comma made it a tuple and is not carried over": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (UniqueConstraint("id"),)
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (UniqueConstraint("id"), {"schema": "tenant"})
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "a comment above the last element stays with it and is not copied": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (
                # Used for fetching stats by time
                Index("ix_a_id", "id"),
            )
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (
                # Used for fetching stats by time
                Index("ix_a_id", "id"),
                {"schema": "tenant"},
            )
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "comments between elements and before the closer stay where they are": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (
                # the first one
                UniqueConstraint("id"),

                # the second one
                Index("ix_a_id", "id"),
                # nothing after this
            )
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (
                # the first one
                UniqueConstraint("id"),

                # the second one
                Index("ix_a_id", "id"),
                {"schema": "tenant"},
                # nothing after this
            )
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "a comment above the last key of a multi-line dict is not copied": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {
                # MySQL only
                "mysql_engine": "InnoDB",
            }
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {
                # MySQL only
                "mysql_engine": "InnoDB",
                "schema": "tenant",
            }
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "a trailing comma after two elements is the author's style and stays": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (UniqueConstraint("id"), Index("ix_a", "id"),)
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (UniqueConstraint("id"), Index("ix_a", "id"), {"schema": "tenant"},)
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "single quotes: the new code uses them too": (
        '''
        class A(Base):
            __tablename__ = 'a'
            id = Column(Integer, primary_key=True)


        t = Table('t', Base.metadata, Column('id', Integer))
        ''',
        '''
        class A(Base):
            __tablename__ = 'a'
            __table_args__ = {'schema': 'tenant'}  # Placeholder for schema_translate_map
            id = Column(Integer, primary_key=True)


        t = Table('t', Base.metadata, Column('id', Integer), schema='tenant')
        ''',
    ),
    "multi-line tuple, comment after the last element stays on its line": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (
                UniqueConstraint("id"),  # one
                Index("ix_a_id", "id")  # two
            )
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (
                UniqueConstraint("id"),  # one
                Index("ix_a_id", "id"),  # two
                {"schema": "tenant"}
            )
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "annotated dict merge keeps the dict's quotes": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__: ClassVar[dict] = {'comment': 'x', 'extend_existing': True}
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__: ClassVar[dict] = {'comment': 'x', 'extend_existing': True, 'schema': 'tenant'}
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "empty dict": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {}
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "None becomes the dict": (
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = None
            id = Column(Integer, primary_key=True)
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
        ''',
    ),
    "hanging-indent Table call": (
        '''
        t = Table("t", Base.metadata,
                  Column("id", Integer),
                  Column("x", Integer))
        ''',
        '''
        t = Table("t", Base.metadata,
                  Column("id", Integer),
                  Column("x", Integer),
                  schema="tenant")
        ''',
    ),
    "nested class and string references in one file": (
        '''
        class A(Base):
            __tablename__ = "a"
            id = Column(Integer, primary_key=True)


        class B(Base):
            __tablename__ = "b"
            id = Column(Integer, primary_key=True)
            a_id = Column(ForeignKey(u"a.id"))
        ''',
        '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map
            id = Column(Integer, primary_key=True)


        class B(Base):
            __tablename__ = "b"
            __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map
            id = Column(Integer, primary_key=True)
            a_id = Column(ForeignKey(u"tenant.a.id"))
        ''',
    ),
}


@pytest.mark.parametrize(("before", "after"), CASES.values(), ids=CASES.keys())
def test_fix_form(tmp_path, before, after):
    assert _fix(tmp_path, before) == textwrap.dedent(after).lstrip("\n")


NOOP = {
    "already compliant tuple": '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = (UniqueConstraint("id"), {"schema": "tenant"})
            id = Column(Integer, primary_key=True)
        ''',
    "implicitly concatenated reference is reported, not rewritten": '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
            b = Column(ForeignKey("a" ".id"))
        ''',
    "unsafe fix not applied without --unsafe-fixes": '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {"schema": "public"}
            id = Column(Integer, primary_key=True)
        ''',
}


@pytest.mark.parametrize("source", NOOP.values(), ids=NOOP.keys())
def test_no_op(tmp_path, source):
    assert _fix(tmp_path, source) == textwrap.dedent(source).lstrip("\n")


def test_unsafe_enum_schema(tmp_path):
    before = '''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
            status = Column(Enum("new", "done", name="a_status"))
        '''
    assert _fix(tmp_path, before) == textwrap.dedent(before).lstrip("\n")
    assert _fix(tmp_path / "unsafe", before, unsafe=True) == textwrap.dedent(before).lstrip("\n").replace(
        'name="a_status")', 'name="a_status", schema="tenant")'
    )
