"""`fix -j N` computes the files' fixes in N worker processes: the same fixes, in the same order,
as one process computes them."""

from __future__ import annotations

import textwrap

from tenantlint import fix_plan
from tenantlint.config import Config
from tenantlint.engine import analyze
from tenantlint.fix_plan import FixStatus, plan

HEAD = textwrap.dedent('''
    from sqlalchemy import Column, ForeignKey, Integer, Table, UniqueConstraint
    from sqlalchemy.orm import DeclarativeBase


    class Base(DeclarativeBase):
        pass
''')

BODIES = [
    '''
    class Thing{n}(Base):
        __tablename__ = "things_{n}"
        id = Column(Integer, primary_key=True)
    ''',
    '''
    class Part{n}(Base):
        __tablename__ = "parts_{n}"
        __table_args__ = (UniqueConstraint("id"),)
        id = Column(Integer, primary_key=True)
        thing_id = Column(ForeignKey("things_{n}.id"))
    ''',
    '''
    class Tagged{n}(Base):
        __tablename__ = "tagged_{n}"
        __table_args__ = {{"comment": "kept"}}
        id = Column(Integer, primary_key=True)


    links_{n} = Table("links_{n}", Base.metadata, Column("tagged_id", ForeignKey("tagged_{n}.id")))
    ''',
]


def _project(tmp_path, files: int):
    (tmp_path / "pyproject.toml").write_text('[tool.tenantlint]\ntenant-paths = ["models/user/**"]\n')
    user = tmp_path / "models" / "user"
    user.mkdir(parents=True)
    for n in range(files):
        body = textwrap.dedent(BODIES[n % len(BODIES)].format(n=n))
        (user / f"m{n:02}.py").write_text(HEAD + body)
    return Config(root=tmp_path, tenant_paths=("models/user/**",))


def test_worker_processes_give_the_fixes_one_process_gives(tmp_path, monkeypatch):
    config = _project(tmp_path, fix_plan._PARALLEL_MIN + 5)
    analysis = analyze([tmp_path], config, use_cache=False, jobs=1)
    alone = plan(analysis, unsafe_fixes=False, jobs=1)
    used = []
    real = fix_plan._in_workers
    monkeypatch.setattr(fix_plan, "_in_workers", lambda *args: used.append(len(args[0])) or real(*args))
    parallel = plan(analysis, unsafe_fixes=False, jobs=2)
    assert used == [fix_plan._PARALLEL_MIN + 5]
    assert [(f.path, f.status, f.new, f.error, f.findings) for f in parallel] == \
        [(f.path, f.status, f.new, f.error, f.findings) for f in alone]
    assert {f.status for f in alone} == {FixStatus.CHANGED}
    first = next(f for f in alone if f.path.name == "m00.py").new.decode()
    assert first == HEAD + textwrap.dedent('''
        class Thing0(Base):
            __tablename__ = "things_0"
            __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map
            id = Column(Integer, primary_key=True)
        ''')


def _killed(batch, schema, comment):
    import os

    os._exit(1)  # the worker dies as the kernel's OOM killer would end it


def test_a_broken_pool_falls_back_to_this_process(tmp_path, monkeypatch):
    config = _project(tmp_path, fix_plan._PARALLEL_MIN)
    analysis = analyze([tmp_path], config, use_cache=False, jobs=1)
    alone = plan(analysis, unsafe_fixes=False, jobs=1)
    monkeypatch.setattr(fix_plan, "_fixed_batch", _killed)
    again = plan(analysis, unsafe_fixes=False, jobs=2)
    assert [(f.path, f.new, f.error) for f in again] == [(f.path, f.new, f.error) for f in alone]
